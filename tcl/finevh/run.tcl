# finevh::run_flow ?CONFIG.toml? ?-out DIR? ?-tiles {3 5 7}? ?-frequencies N? ?-quiet?
# The whole FINE-VH flow (partition, Vdd-MUX, poly-bias, emulation against ideal-DVFS,
# Vdd-Hopping and Vdd-Dithering, emit, report) through `finevh run`; without CONFIG it
# runs on the bundled demo design. Returns the printed summary lines; the results are in
# DIR/summary.json (docs/emulate.md).
proc finevh::run_flow {args} {
    set cli {}
    set quiet 0
    for {set i 0} {$i < [llength $args]} {incr i} {
        set opt [lindex $args $i]
        switch -- $opt {
            -quiet       { set quiet 1; continue }
            -out         { lappend cli --out [lindex $args [incr i]] }
            -tiles       { lappend cli --tiles [join [lindex $args [incr i]] ,] }
            -frequencies { lappend cli --frequencies [lindex $args [incr i]] }
            default {
                if {[string index $opt 0] eq "-"} {
                    return -code error "finevh::run_flow: unknown option $opt"
                }
                lappend cli $opt
            }
        }
    }
    if {$quiet} { lappend cli --quiet }
    return [string trim [finevh::run run {*}$cli]]
}
