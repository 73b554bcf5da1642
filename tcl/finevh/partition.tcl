# finevh::partition_tiles -liberty {a.lib ...} -verilog NETLIST.v -lef {tech.lef cells.lef} -def PLACED.def
#                         ?-tiles 3 | {1 3 5 7}? ?-wrapper UM? ?-wrapper_layer M1? ?-top NAME?
#                         ?-supply_names {VDDH VDDL VSS VVDD_T{id}}? ?-out PLAN.fvh.json? ?-def_out FILE?
#                         ?-json?
# FINE-VH "no-look" N x N tile mesh, through `finevh partition`; returns its report
# (the Table 4.1 trend when several tile counts are given; JSON with -json).
proc finevh::partition_tiles {args} {
    set cli [finevh::cli_args finevh::partition_tiles $args [list {*}$finevh::design_opts \
        tiles join wrapper value wrapper_layer value supply_names join out value def_out value json flag]]
    return [string trim [finevh::run partition {*}$cli]]
}
