# finevh::generate_tech ?-out DIR? ?-check? ?-only {PATTERN ...}?
#   Regenerates the demo28 technology (Liberty x36, LEF, leakage LUTs) through
#   `finevh techgen`; returns its summary line. With -check nothing is written and a
#   Tcl error is raised when a file is out of date.
proc finevh::generate_tech {args} {
    set cli [finevh::cli_args finevh::generate_tech $args {out value check flag only join}]
    return [string trim [finevh::run techgen {*}$cli]]
}

# finevh::characterize_leakage_lut -spice FILE -models FILE -cells {INV NAND2} -vdd V
#                                  -vddl {V ...} -out FILE ?-flavour PB0? ?-temp C?
#   Intra-tile leakage LUTs with ngspice through `finevh lutchar`.
proc finevh::characterize_leakage_lut {args} {
    set cli [finevh::cli_args finevh::characterize_leakage_lut $args \
        {spice value models value cells join vdd value vddl join out value flavour value temp value}]
    return [string trim [finevh::run lutchar {*}$cli]]
}
