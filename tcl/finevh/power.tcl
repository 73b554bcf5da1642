# Power analysis through `finevh power` (docs/power.md; every option: docs/tcl.md).
#
# Inside OpenSTA / OpenROAD / Yosys the design options default to the loaded design
# (tcl/finevh/shell.tcl): after read_liberty / read_verilog / link_design / read_sdc,
# `finevh::report_power` needs no option.
#
# finevh::report_power ?-liberty {a.lib b.lib}? ?-verilog NET.v? ?-sdc C.sdc? ?-top T?
#                      ?-vcd F? ?-vcd_scope tb/dut? ?-saif F? ?-saif_scope P?
#                      ?-input_activity {A D}? ?-port_activity {{PORT A D} ...}?
#                      ?-global_activity {A D}? ?-clock_mhz F? ?-leakage_weights opensta|probability?
#                      ?-spef F? ?-def F -lef {..}? ?-cap_per_um C? ?-wire_load NAME? ?-bind F?
#                      ?-digits N? ?-out F? ?-json? ?-dict?
#     prints the text table (uW): Sequential / Combinational / Total x Internal / Switching /
#     Leakage / Total, and returns "" (like OpenSTA's report_power); with -dict prints
#     nothing and returns the Tcl dict {internal_uw .. switching_uw .. leakage_uw .. total_uw ..
#     groups {sequential {internal_uw .. switching_uw .. leakage_uw .. total_uw ..}
#     combinational {..}} clock_period_ns .. instances .. nets .. activity .. ...}
# finevh::report_power_json ...same options...  -> the JSON text
# finevh::design_power ...same options...       -> dict {internal_uw .. switching_uw ..
#     leakage_uw .. total_uw .. groups {..}} (the totals and the per-group figures, uW)

proc finevh::report_power {args} {
    return [finevh::_print_report finevh::report_power power $args]
}

proc finevh::report_power_json {args} {
    return [finevh::stage finevh::report_power_json power [list {*}$args -json]]
}

proc finevh::design_power {args} {
    set d [finevh::stage finevh::design_power power $args -result dict]
    return [dict filter $d key internal_uw switching_uw leakage_uw total_uw groups]
}
