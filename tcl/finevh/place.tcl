# Embedded placer through `finevh place` (docs/layout.md; options: docs/tcl.md).
#
# finevh::place_design ?-lef {tech.lef cells.lef}? ?-liberty {a.lib ...}? ?-verilog NETLIST.v?
#                      -out OUT.def ?-top NAME? ?-utilization 0.7? ?-aspect 1.0? ?-seed 0?
#                      ?-json? ?-dict?
# Fallback placement when no DEF from a P&R tool exists; returns its summary line,
# with -dict the Tcl dict of `finevh place --json`.
proc finevh::place_design {args} {
    return [finevh::stage finevh::place_design place $args]
}
