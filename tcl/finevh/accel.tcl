# Accelerator model through `finevh accel` (see docs/accel.md).
#
# finevh::report_accel        -network NAME | -onnx FILE ?-array 8x8? ?-dataflow os|ws|is?
#                             ?-precision 16|8|full|mixed|half?      -> text table of cycles / accesses
# finevh::report_accel_json   ...same options...                     -> JSON document
# finevh::accel_total_cycles  ...same options...                     -> integer
# finevh::report_accel_energy -network NAME | -onnx FILE ?-array? ?-dataflow? -> text (pJ per layer)
# finevh::search_precision    ?-method nsga2|greedy? ?-evals N? ?-pop N? ?-kl_th X? ?-seed N? -> text
# finevh::report_accel_loop   ?-networks a,b? ?-target_mhz F? ?-pe_power FILE | -fine_vh_summary FILE?
#                             ?-dvdd 100mV? ?-tiles N? ?-plot PNG? -> text

proc finevh::_accel_args {procname argv} {
    return [finevh::cli_args $procname $argv {network value networks value onnx value array value
        dataflow value precision value method value evals value pop value kl_th value seed value
        target_mhz value pe_power value fine_vh_summary value dvdd value tiles value plot value}]
}

proc finevh::report_accel {args} {
    return [finevh::run accel cycles {*}[finevh::_accel_args report_accel $args]]
}

proc finevh::report_accel_json {args} {
    return [finevh::run accel cycles --json {*}[finevh::_accel_args report_accel_json $args]]
}

proc finevh::accel_total_cycles {args} {
    set out [finevh::run accel cycles {*}[finevh::_accel_args accel_total_cycles $args]]
    foreach line [split $out "\n"] {
        if {[regexp {^total_cycles (\d+)} $line -> n]} { return $n }
    }
    return -code error "accel_total_cycles: no total in finevh output"
}

proc finevh::report_accel_energy {args} {
    return [finevh::run accel energy {*}[finevh::_accel_args report_accel_energy $args]]
}

proc finevh::search_precision {args} {
    return [finevh::run accel search {*}[finevh::_accel_args search_precision $args]]
}

proc finevh::report_accel_loop {args} {
    return [finevh::run accel report {*}[finevh::_accel_args report_accel_loop $args]]
}
