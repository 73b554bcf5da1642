# finevh::synth_design -rtl {a.sv b.sv} -top NAME -liberty LIB -out NETLIST.v
#                      ?-param {NAME VALUE ...}? ?-stat_json FILE?
# Synthesises RTL with Yosys through `finevh synth`; returns its summary line.
proc finevh::synth_design {args} {
    set cli {}
    foreach {opt val} $args {
        switch -- $opt {
            -rtl       { foreach f $val { lappend cli --rtl $f } }
            -top       { lappend cli --top $val }
            -liberty   { lappend cli --liberty $val }
            -out       { lappend cli --out $val }
            -stat_json { lappend cli --stat-json $val }
            -param     { foreach {k v} $val { lappend cli --param "$k=$v" } }
            default    { return -code error "finevh::synth_design: unknown option $opt" }
        }
    }
    return [string trim [finevh::run synth {*}$cli]]
}
