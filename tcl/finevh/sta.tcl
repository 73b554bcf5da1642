# Static timing through `finevh sta` (see docs/timing.md).
#
# finevh::report_checks -liberty {a.lib b.lib} -verilog NET.v -sdc C.sdc
#                       ?-top T? ?-spef F? ?-bind F? ?-wire_load NAME? ?-paths N? ?-digits D?
#     text report of the N worst paths, then wns / tns lines
# finevh::report_timing_json ...same options...   -> the JSON document
# finevh::report_wns ...same options...           -> worst negative slack (ns, <= 0)
# finevh::report_tns ...same options...           -> total negative slack (ns, <= 0)
# finevh::report_endpoint_slacks ...              -> flat list {pin slack pin slack ...}

proc finevh::_sta_args {procname argv} {
    set cli {}
    foreach {opt val} $argv {
        switch -- $opt {
            -liberty   { foreach f $val { lappend cli --liberty $f } }
            -verilog   { lappend cli --verilog $val }
            -top       { lappend cli --top $val }
            -sdc       { lappend cli --sdc $val }
            -spef      { lappend cli --spef $val }
            -def       { lappend cli --def $val }
            -lef       { foreach f $val { lappend cli --lef $f } }
            -cap_per_um { lappend cli --cap-per-um $val }
            -wire_load { lappend cli --wire-load $val }
            -bind      { lappend cli --bind $val }
            -paths     { lappend cli --paths $val }
            -digits    { lappend cli --digits $val }
            default    { return -code error "$procname: unknown option $opt" }
        }
    }
    return $cli
}

proc finevh::report_checks {args} {
    return [finevh::run sta {*}[finevh::_sta_args finevh::report_checks $args]]
}

proc finevh::report_timing_json {args} {
    return [finevh::run sta --json {*}[finevh::_sta_args finevh::report_timing_json $args]]
}

proc finevh::_sta_json_number {json key} {
    if {![regexp "\"$key\": (-?\[0-9.eE+-\]+)" $json -> v]} {
        return -code error "finevh: '$key' missing from finevh sta output"
    }
    return $v
}

proc finevh::report_wns {args} {
    set j [finevh::run sta --json --paths 0 {*}[finevh::_sta_args finevh::report_wns $args]]
    return [finevh::_sta_json_number $j wns_ns]
}

proc finevh::report_tns {args} {
    set j [finevh::run sta --json --paths 0 {*}[finevh::_sta_args finevh::report_tns $args]]
    return [finevh::_sta_json_number $j tns_ns]
}

proc finevh::report_endpoint_slacks {args} {
    set j [finevh::run sta --json --paths 0 {*}[finevh::_sta_args finevh::report_endpoint_slacks $args]]
    set out {}
    foreach {- pin slack} [regexp -all -inline {"pin": "([^"]*)", "slack_ns": (-?[0-9.eE+-]+)} $j] {
        lappend out $pin $slack
    }
    return $out
}
