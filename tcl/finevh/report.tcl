# Run reports, sweeps and regression checks (see docs/report.md).
#
# finevh::write_report RUN_DIR ?-out FILE?
#     HTML report of a `finevh run` directory; returns the HTML path.
# finevh::compare_runs RUN_DIR GOLDEN_DIR ?-rtol R? ?-atol A?
#     returns the comparison text when every figure is within tolerance; raises a Tcl
#     error carrying the table of moved figures otherwise.
# finevh::run_sweep CONFIG... -out DIR ?-tiles {3 5 7}? ?-dvdd {200 100}? ?-workers N?
#                   ?-scheduler ADDRESS? ?-slurm? ?-lsf?
#     tile counts x dVdd x designs as dask tasks; returns the combined summary path.

proc finevh::write_report {run_dir args} {
    set cli [list report $run_dir]
    foreach {opt val} $args {
        switch -- $opt {
            -out    { lappend cli --out $val }
            default { return -code error "finevh::write_report: unknown option $opt" }
        }
    }
    return [string trim [finevh::run {*}$cli]]
}

proc finevh::compare_runs {run_dir golden_dir args} {
    set cli [list compare $run_dir $golden_dir]
    foreach {opt val} $args {
        switch -- $opt {
            -rtol   { lappend cli --rtol $val }
            -atol   { lappend cli --atol $val }
            default { return -code error "finevh::compare_runs: unknown option $opt" }
        }
    }
    return [string trim [finevh::run {*}$cli]]
}

proc finevh::run_sweep {args} {
    set cli [list sweep]
    for {set i 0} {$i < [llength $args]} {incr i} {
        set opt [lindex $args $i]
        switch -- $opt {
            -slurm     { lappend cli --slurm; continue }
            -lsf       { lappend cli --lsf; continue }
            -out       { lappend cli --out [lindex $args [incr i]] }
            -tiles     { lappend cli --tiles [join [lindex $args [incr i]] ,] }
            -dvdd      { lappend cli --dvdd [join [lindex $args [incr i]] ,] }
            -workers   { lappend cli --workers [lindex $args [incr i]] }
            -scheduler { lappend cli --scheduler [lindex $args [incr i]] }
            default {
                if {[string match -* $opt]} { return -code error "finevh::run_sweep: unknown option $opt" }
                lappend cli $opt
            }
        }
    }
    return [string trim [finevh::run {*}$cli]]
}
