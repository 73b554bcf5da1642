# The whole FINE-VH flow through `finevh run` (docs/emulate.md; options: docs/tcl.md).
#
# finevh::run_flow ?CONFIG.toml? ?-out DIR? ?-tiles {3 5 7}? ?-frequencies N? ?-force? ?-quiet? ?-verbose?
# Partition, Vdd-MUX, poly-bias, emulation against ideal-DVFS, Vdd-Hopping and
# Vdd-Dithering, emit, report; without CONFIG on the bundled demo design. Returns the
# printed summary lines; the results are in DIR/summary.json.
proc finevh::run_flow {args} {
    return [finevh::stage finevh::run_flow run $args]
}
