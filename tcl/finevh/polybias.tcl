# Poly-bias / threshold-flavour assignment through `finevh polybias` (docs/fvh.md; options: docs/tcl.md).
#
# finevh::assign_polybias -plan PLAN.fvh.json ?-liberty {pb0.lib pb4.lib pb10.lib pb16.lib}?
#                         ?-verilog NETLIST.v? ?-sdc C.sdc? ?-lef {..}? ?-def PART.def?
#                         ?-flavours {PB16 PB10 PB4}? ?-rule asap7?
#                         ?-corners auto|{1.0@SDC 0.8@fmax}? ?-levels {1.0 0.8}? ?-maps {pm_200mV.json ..}?
#                         ?-input_activity {A D}?
#                         ?-top NAME? ?-out PLAN.fvh.json?
#                         ?-json? ?-dict? ?-apply ?-emit_options {-swap_cell {PB16 {{cell}_PB16}}}??
# Timing-driven swap of the interface cells to slower, less leaky flavours; the swaps go
# into the plan. Returns the report text, with -dict the Tcl dict {interface_cells
# interface_flavours {PB16 N ..} leakage_before_uw leakage_after_uw leakage_saved_pct
# swapped_total corners {{corner .. wns_before_ns wns_after_ns ..} ..} stages {..} ..}.
# -apply: the swaps are emitted for the running shell (`finevh emit --tool opensta|openroad`,
# options from -emit_options) and sourced, so the shell's netlist holds the new cells
# (OpenSTA: replace_cell; the target cells' libraries must be loaded).
proc finevh::assign_polybias {args} {
    return [finevh::stage finevh::assign_polybias polybias $args]
}
