# Technology generation and leakage characterisation (docs/tech.md; options: docs/tcl.md).
#
# finevh::generate_tech ?-out DIR? ?-check? ?-only {PATTERN ...}?
#   Regenerates the demo28 technology (Liberty x36, LEF, leakage LUTs) through
#   `finevh techgen`; returns its summary line. With -check nothing is written and a
#   Tcl error is raised when a file is out of date.
proc finevh::generate_tech {args} {
    return [finevh::stage finevh::generate_tech techgen $args]
}

# finevh::characterize_leakage_lut -spice FILE -models FILE -cells {INV NAND2} -vdd V
#                                  -vddl {V ...} -out FILE ?-flavour PB0? ?-temp C?
#                                  ?-outputs {Y Z ZN ...}? ?-ngspice EXE?
#   Intra-tile leakage LUTs with ngspice through `finevh lutchar`; returns its summary.
proc finevh::characterize_leakage_lut {args} {
    return [finevh::stage finevh::characterize_leakage_lut lutchar $args]
}

# finevh::characterize_liberty -reference LIB -cells {CELL ...} -vdd {V ...} ?-out DIR?
#                              ?-compare? ?-corner ss? ?-temp C? ?-flavour std|lvt?
#                              ?-points N? ?-jobs N? ...
#   NLDM Liberty of sky130 HD cells measured with ngspice through `finevh charlib`;
#   returns its summary (and the comparison table with -compare).
proc finevh::characterize_liberty {args} {
    return [finevh::stage finevh::characterize_liberty charlib $args]
}
