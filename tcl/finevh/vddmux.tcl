# Vdd-MUX insertion and the configuration chain through `finevh vddmux` (docs/fvh.md; options: docs/tcl.md).
#
# finevh::insert_vddmux -plan PLAN.fvh.json ?-liberty {a.lib ...}? ?-verilog NETLIST.v?
#                       ?-lef {tech.lef cells.lef}? ?-def PARTITIONED.def? ?-sdc C.sdc?
#                       ?-mux_cell NAME? ?-switch_max_ma I? ?-peak_factor K? ?-min_per_tile N?
#                       ?-chain_ff NAME? ?-vddh V? ?-input_activity {A D}? ?-top NAME? ?-out PLAN? ?-def_out FILE?
#                       ?-json? ?-dict? ?-apply ?-emit_options {..}??
# Row-based Vdd-MUX insertion per tile and the configuration flip-flop chain; returns
# the report text, with -dict the Tcl dict of `finevh vddmux --json` (vddmux_cells,
# per-tile switches, chain ...). The plan is updated (or written to -out).
proc finevh::insert_vddmux {args} {
    return [finevh::stage finevh::insert_vddmux vddmux $args]
}
