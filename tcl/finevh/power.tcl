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
    return [finevh::cli_args $procname $argv [list {*}$finevh::design_opts \
        vcd value vcd_scope value saif value saif_scope value input_activity splat \
        global_activity splat port_activity each clock_mhz value leakage_weights value \
        spef value cap_per_um value wire_load value bind value digits value]]
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
