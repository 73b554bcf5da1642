# finevh::partition_tiles -liberty {a.lib ...} -verilog NETLIST.v -lef {tech.lef cells.lef} -def PLACED.def
#                         ?-tiles 3 | {1 3 5 7}? ?-wrapper UM? ?-wrapper_layer M1? ?-top NAME?
#                         ?-supply_names {VDDH VDDL VSS VVDD_T{id}}? ?-out PLAN.fvh.json? ?-def_out FILE?
#                         ?-json?
# FINE-VH "no-look" N x N tile mesh, through `finevh partition`; returns its report
# (the Table 4.1 trend when several tile counts are given; JSON with -json).
proc finevh::partition_tiles {args} {
    set cli {}
    set json 0
    for {set i 0} {$i < [llength $args]} {incr i} {
        set opt [lindex $args $i]
        if {$opt eq "-json"} { set json 1; continue }
        set val [lindex $args [incr i]]
        switch -- $opt {
            -liberty       { foreach f $val { lappend cli --liberty $f } }
            -lef           { foreach f $val { lappend cli --lef $f } }
            -verilog       { lappend cli --verilog $val }
            -def           { lappend cli --def $val }
            -top           { lappend cli --top $val }
            -tiles         { lappend cli --tiles [join $val ,] }
            -wrapper       { lappend cli --wrapper $val }
            -wrapper_layer { lappend cli --wrapper-layer $val }
            -supply_names  { lappend cli --supply-names [join $val ,] }
            -out           { lappend cli --out $val }
            -def_out       { lappend cli --def-out $val }
            default        { return -code error "finevh::partition_tiles: unknown option $opt" }
        }
    }
    if {$json} { lappend cli --json }
    return [string trim [finevh::run partition {*}$cli]]
}
