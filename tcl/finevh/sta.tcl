# Static timing through `finevh sta` (docs/timing.md; every option: docs/tcl.md).
#
# Inside OpenSTA / OpenROAD / Yosys the design options default to the loaded design
# (tcl/finevh/shell.tcl): after read_liberty / read_verilog / link_design / read_sdc,
# `finevh::report_checks` needs no option.
#
# finevh::report_checks ?-liberty {a.lib ..}? ?-verilog NET.v? ?-sdc C.sdc? ?-top T?
#                       ?-spef F? ?-def F -lef {..}? ?-cap_per_um C? ?-wire_load NAME?
#                       ?-bind F? ?-paths N? ?-digits D? ?-out F? ?-json? ?-dict?
#                       ?-corner {NAME LIBS NAME LIBS ..}?   (LIBS: comma-separated files;
#     several operating corners instead of -liberty: each endpoint's worst slack over them)
#     prints the text report of the N worst paths, then wns / tns lines, and returns
#     "" (like OpenSTA's report_checks); with -dict prints nothing and returns the Tcl dict {design wns_ns tns_ns n_endpoints
#     n_violating endpoints {{pin P slack_ns S arrival_ns A required_ns R kind K} ..}
#     paths {{endpoint .. startpoint .. slack_ns .. stages {..}} ..} loop_breaks {..}}
# finevh::report_timing_json ...same options...   -> the JSON text
# finevh::report_wns ...same options...           -> worst negative slack (ns, <= 0)
# finevh::report_tns ...same options...           -> total negative slack (ns, <= 0)
# finevh::report_endpoint_slacks ...              -> flat list {pin slack_ns pin slack_ns ...}, worst first

proc finevh::report_checks {args} {
    return [finevh::_print_report finevh::report_checks sta $args]
}

proc finevh::report_timing_json {args} {
    return [finevh::stage finevh::report_timing_json sta [list {*}$args -json]]
}

proc finevh::report_wns {args} {
    return [dict get [finevh::stage finevh::report_wns sta [list -paths 0 {*}$args] -result dict] wns_ns]
}

proc finevh::report_tns {args} {
    return [dict get [finevh::stage finevh::report_tns sta [list -paths 0 {*}$args] -result dict] tns_ns]
}

proc finevh::report_endpoint_slacks {args} {
    set d [finevh::stage finevh::report_endpoint_slacks sta [list -paths 0 {*}$args] -result dict]
    set out {}
    foreach e [dict get $d endpoints] { lappend out [dict get $e pin] [dict get $e slack_ns] }
    return $out
}
