# Synthesis with Yosys through `finevh synth` (docs/rtl.md; options: docs/tcl.md).
#
# finevh::synth_design -rtl {a.sv b.sv} -top NAME -liberty LIB -out NETLIST.v
#                      ?-param {NAME VALUE ...} | {NAME=VALUE ...}? ?-stat_json FILE?
# Returns the summary line.
proc finevh::synth_design {args} {
    return [finevh::stage finevh::synth_design synth $args]
}
