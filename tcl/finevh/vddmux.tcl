# finevh::insert_vddmux -plan PLAN.fvh.json -liberty {a.lib ...} -verilog NETLIST.v -lef {tech.lef cells.lef}
#                       -def PARTITIONED.def -sdc C.sdc ?-mux_cell NAME? ?-switch_max_ma I? ?-peak_factor K?
#                       ?-min_per_tile N? ?-chain_ff NAME? ?-vddh V? ?-top NAME? ?-out PLAN? ?-def_out FILE? ?-json?
# Row-based Vdd-MUX insertion per tile and the configuration flip-flop chain, through
# `finevh vddmux`; returns its report (JSON with -json).
proc finevh::insert_vddmux {args} {
    set cli {}
    set json 0
    for {set i 0} {$i < [llength $args]} {incr i} {
        set opt [lindex $args $i]
        if {$opt eq "-json"} { set json 1; continue }
        set val [lindex $args [incr i]]
        switch -- $opt {
            -plan          { lappend cli --plan $val }
            -liberty       { foreach f $val { lappend cli --liberty $f } }
            -lef           { foreach f $val { lappend cli --lef $f } }
            -verilog       { lappend cli --verilog $val }
            -def           { lappend cli --def $val }
            -sdc           { lappend cli --sdc $val }
            -mux_cell      { lappend cli --mux-cell $val }
            -switch_max_ma { lappend cli --switch-max-ma $val }
            -peak_factor   { lappend cli --peak-factor $val }
            -min_per_tile  { lappend cli --min-per-tile $val }
            -chain_ff      { lappend cli --chain-ff $val }
            -vddh          { lappend cli --vddh $val }
            -top           { lappend cli --top $val }
            -out           { lappend cli --out $val }
            -def_out       { lappend cli --def-out $val }
            default        { return -code error "finevh::insert_vddmux: unknown option $opt" }
        }
    }
    if {$json} { lappend cli --json }
    return [string trim [finevh::run vddmux {*}$cli]]
}
