# finevh::place_design -lef {tech.lef cells.lef} -liberty {a.lib ...} -verilog NETLIST.v -out OUT.def
#                      ?-top NAME? ?-utilization 0.7? ?-aspect 1.0? ?-seed 0?
# Embedded placer (fallback when no DEF from a P&R tool exists), through `finevh place`;
# returns its summary line.
proc finevh::place_design {args} {
    set cli {}
    foreach {opt val} $args {
        switch -- $opt {
            -lef         { foreach f $val { lappend cli --lef $f } }
            -liberty     { foreach f $val { lappend cli --liberty $f } }
            -verilog     { lappend cli --verilog $val }
            -top         { lappend cli --top $val }
            -utilization { lappend cli --utilization $val }
            -aspect      { lappend cli --aspect $val }
            -seed        { lappend cli --seed $val }
            -out         { lappend cli --out $val }
            default      { return -code error "finevh::place_design: unknown option $opt" }
        }
    }
    return [string trim [finevh::run place {*}$cli]]
}
