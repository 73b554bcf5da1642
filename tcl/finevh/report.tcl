# Run reports, sweeps and regression checks (docs/report.md; options: docs/tcl.md).
#
# finevh::write_report RUN_DIR ?-out FILE? ?-force?
#     HTML report of a `finevh run` directory; returns the HTML path.
# finevh::compare_runs RUN_DIR GOLDEN_DIR ?-rtol R? ?-atol A?
#     returns the comparison text when every figure is within tolerance; raises a Tcl
#     error carrying the table of moved figures otherwise.
# finevh::run_sweep CONFIG... -out DIR ?-tiles {3 5 7}? ?-dvdd {200 100}? ?-workers N?
#                   ?-scheduler ADDRESS? ?-slurm | -lsf? ?-queue Q? ?-memory 4GB?
#                   ?-walltime 01:00:00? ?-no_report? ?-force?
#     tile counts x dVdd x designs as dask tasks; returns the combined summary path.

proc finevh::write_report {args} {
    return [finevh::stage finevh::write_report report $args]
}

proc finevh::compare_runs {args} {
    return [finevh::stage finevh::compare_runs compare $args]
}

proc finevh::run_sweep {args} {
    return [finevh::stage finevh::run_sweep sweep $args]
}
