# finevh::generate_tech ?-out DIR? ?-check? ?-only {PATTERN ...}?
#   Regenerates the demo28 technology (Liberty x36, LEF, leakage LUTs) through
#   `finevh techgen`; returns its summary line. With -check nothing is written and a
#   Tcl error is raised when a file is out of date.
proc finevh::generate_tech {args} {
    set cli {}
    for {set i 0} {$i < [llength $args]} {incr i} {
        set opt [lindex $args $i]
        switch -- $opt {
            -out   { incr i; lappend cli --out [lindex $args $i] }
            -check { lappend cli --check }
            -only  { incr i; lappend cli --only [join [lindex $args $i] ,] }
            default { return -code error "finevh::generate_tech: unknown option $opt" }
        }
    }
    return [string trim [finevh::run techgen {*}$cli]]
}

# finevh::characterize_leakage_lut -spice FILE -models FILE -cells {INV NAND2} -vdd V
#                                  -vddl {V ...} -out FILE ?-flavour PB0? ?-temp C?
#   Intra-tile leakage LUTs with ngspice through `finevh lutchar`.
proc finevh::characterize_leakage_lut {args} {
    set cli {}
    foreach {opt val} $args {
        switch -- $opt {
            -spice   { lappend cli --spice $val }
            -models  { lappend cli --models $val }
            -cells   { lappend cli --cells [join $val ,] }
            -vdd     { lappend cli --vdd $val }
            -vddl    { lappend cli --vddl [join $val ,] }
            -out     { lappend cli --out $val }
            -flavour { lappend cli --flavour $val }
            -temp    { lappend cli --temp $val }
            default  { return -code error "finevh::characterize_leakage_lut: unknown option $opt" }
        }
    }
    return [string trim [finevh::run lutchar {*}$cli]]
}
