# finevh::synth_design -rtl {a.sv b.sv} -top NAME -liberty LIB -out NETLIST.v
#                      ?-param {NAME VALUE ...}? ?-stat_json FILE?
# Synthesises RTL with Yosys through `finevh synth`; returns its summary line.
proc finevh::synth_design {args} {
    set cli [finevh::cli_args finevh::synth_design $args \
        {rtl repeat top value liberty value out value stat_json value param pairs}]
    return [string trim [finevh::run synth {*}$cli]]
}
