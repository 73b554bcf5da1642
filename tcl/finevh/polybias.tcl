# finevh::assign_polybias -plan PLAN.fvh.json -liberty {pb0.lib pb4.lib pb10.lib pb16.lib} -verilog NETLIST.v
#                         -sdc C.sdc ?-lef {..}? ?-def PART.def? ?-cap_per_um C? ?-flavours {PB16 PB10 PB4}?
#                         ?-rule asap7? ?-corners auto|{1.0@SDC 0.8@fmax}? ?-top NAME? ?-out PLAN.fvh.json? ?-json?
# Timing-driven poly-bias / threshold-flavour assignment of the interface cells, through
# `finevh polybias`; returns its report (JSON with -json). The swaps go into the plan.
proc finevh::assign_polybias {args} {
    set cli [finevh::cli_args finevh::assign_polybias $args [list {*}$finevh::design_opts \
        plan value cap_per_um value flavours join corners join rule value out value json flag]]
    return [string trim [finevh::run polybias {*}$cli]]
}
