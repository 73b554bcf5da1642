# finevh::insert_vddmux -plan PLAN.fvh.json -liberty {a.lib ...} -verilog NETLIST.v -lef {tech.lef cells.lef}
#                       -def PARTITIONED.def -sdc C.sdc ?-mux_cell NAME? ?-switch_max_ma I? ?-peak_factor K?
#                       ?-min_per_tile N? ?-chain_ff NAME? ?-vddh V? ?-top NAME? ?-out PLAN? ?-def_out FILE? ?-json?
# Row-based Vdd-MUX insertion per tile and the configuration flip-flop chain, through
# `finevh vddmux`; returns its report (JSON with -json).
proc finevh::insert_vddmux {args} {
    set cli [finevh::cli_args finevh::insert_vddmux $args [list {*}$finevh::design_opts \
        plan value mux_cell value switch_max_ma value peak_factor value min_per_tile value \
        chain_ff value vddh value out value def_out value json flag]]
    return [string trim [finevh::run vddmux {*}$cli]]
}
