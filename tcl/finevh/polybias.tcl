# finevh::assign_polybias -plan PLAN.fvh.json -liberty {pb0.lib pb4.lib pb10.lib pb16.lib} -verilog NETLIST.v
#                         -sdc C.sdc ?-lef {..}? ?-def PART.def? ?-cap_per_um C? ?-flavours {PB16 PB10 PB4}?
#                         ?-rule asap7? ?-top NAME? ?-out PLAN.fvh.json? ?-json?
# Timing-driven poly-bias / threshold-flavour assignment of the interface cells, through
# `finevh polybias`; returns its report (JSON with -json). The swaps go into the plan.
proc finevh::assign_polybias {args} {
    set cli {}
    set json 0
    for {set i 0} {$i < [llength $args]} {incr i} {
        set opt [lindex $args $i]
        if {$opt eq "-json"} { set json 1; continue }
        set val [lindex $args [incr i]]
        switch -- $opt {
            -plan       { lappend cli --plan $val }
            -liberty    { foreach f $val { lappend cli --liberty $f } }
            -lef        { foreach f $val { lappend cli --lef $f } }
            -verilog    { lappend cli --verilog $val }
            -sdc        { lappend cli --sdc $val }
            -def        { lappend cli --def $val }
            -cap_per_um { lappend cli --cap-per-um $val }
            -flavours   { lappend cli --flavours [join $val ,] }
            -rule       { lappend cli --rule $val }
            -top        { lappend cli --top $val }
            -out        { lappend cli --out $val }
            default     { return -code error "finevh::assign_polybias: unknown option $opt" }
        }
    }
    if {$json} { lappend cli --json }
    return [string trim [finevh::run polybias {*}$cli]]
}
