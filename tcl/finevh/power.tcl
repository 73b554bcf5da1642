# Power analysis through `finevh power` (see docs/power.md).
#
# finevh::report_power -liberty {a.lib b.lib} -verilog NET.v -sdc C.sdc
#                      ?-top T? ?-vcd F? ?-vcd_scope tb/dut? ?-saif F? ?-saif_scope P?
#                      ?-input_activity {A D}? ?-port_activity {{PORT A D} ...}?
#                      ?-global_activity {A D}? ?-clock_mhz F?
#                      ?-leakage_weights opensta|probability? ?-spef F? ?-bind F? ?-digits N?
#     text table (uW): Sequential / Combinational / Total x Internal / Switching / Leakage / Total
# finevh::report_power_json ...same options...  -> the JSON document
# finevh::design_power ...same options...       -> dict {internal_uw .. switching_uw .. leakage_uw .. total_uw ..}

proc finevh::_power_args {procname argv} {
    set cli {}
    foreach {opt val} $argv {
        switch -- $opt {
            -liberty         { foreach f $val { lappend cli --liberty $f } }
            -verilog         { lappend cli --verilog $val }
            -top             { lappend cli --top $val }
            -sdc             { lappend cli --sdc $val }
            -vcd             { lappend cli --vcd $val }
            -vcd_scope       { lappend cli --vcd-scope $val }
            -saif            { lappend cli --saif $val }
            -saif_scope      { lappend cli --saif-scope $val }
            -input_activity  { lappend cli --input-activity {*}$val }
            -global_activity { lappend cli --global-activity {*}$val }
            -port_activity   { foreach pad $val { lappend cli --port-activity {*}$pad } }
            -clock_mhz       { lappend cli --clock-mhz $val }
            -leakage_weights { lappend cli --leakage-weights $val }
            -spef            { lappend cli --spef $val }
            -def             { lappend cli --def $val }
            -lef             { foreach f $val { lappend cli --lef $f } }
            -cap_per_um      { lappend cli --cap-per-um $val }
            -wire_load       { lappend cli --wire-load $val }
            -bind            { lappend cli --bind $val }
            -digits          { lappend cli --digits $val }
            default          { return -code error "$procname: unknown option $opt" }
        }
    }
    return $cli
}

proc finevh::report_power {args} {
    return [finevh::run power {*}[finevh::_power_args finevh::report_power $args]]
}

proc finevh::report_power_json {args} {
    return [finevh::run power --json {*}[finevh::_power_args finevh::report_power_json $args]]
}

proc finevh::design_power {args} {
    set j [finevh::run power --json {*}[finevh::_power_args finevh::design_power $args]]
    set out [dict create]
    # the four totals are the first occurrences of their keys after the groups block
    foreach key {internal_uw switching_uw leakage_uw total_uw} {
        set matches [regexp -all -inline "\n  \"$key\": (-?\[0-9.eE+-\]+)" $j]
        if {[llength $matches] < 2} {
            return -code error "finevh: '$key' missing from finevh power output"
        }
        dict set out $key [lindex $matches 1]
    }
    return $out
}
