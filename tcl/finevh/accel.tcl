# Accelerator model through `finevh accel` (see docs/accel.md).
#
# finevh::report_accel        -network NAME | -onnx FILE ?-array 8x8? ?-dataflow os|ws|is?
#                             ?-precision 16|8|full|mixed|half?      -> text table of cycles / accesses
# finevh::report_accel_json   ...same options...                     -> JSON document
# finevh::accel_total_cycles  ...same options...                     -> integer
# finevh::report_accel_energy -network NAME | -onnx FILE ?-array? ?-dataflow? -> text (pJ per layer)
# finevh::search_precision    ?-method nsga2|greedy? ?-evals N? ?-pop N? ?-kl_th X? ?-seed N? -> text
# finevh::report_accel_loop   ?-networks a,b? ?-target_mhz F? ?-pe_power FILE? ?-plot PNG? -> text

proc finevh::_accel_args {procname argv} {
    set cli {}
    foreach {opt val} $argv {
        switch -- $opt {
            -network    { lappend cli --network $val }
            -networks   { lappend cli --networks $val }
            -onnx       { lappend cli --onnx $val }
            -array      { lappend cli --array $val }
            -dataflow   { lappend cli --dataflow $val }
            -precision  { lappend cli --precision $val }
            -method     { lappend cli --method $val }
            -evals      { lappend cli --evals $val }
            -pop        { lappend cli --pop $val }
            -kl_th      { lappend cli --kl-th $val }
            -seed       { lappend cli --seed $val }
            -target_mhz { lappend cli --target-mhz $val }
            -pe_power   { lappend cli --pe-power $val }
            -plot       { lappend cli --plot $val }
            default     { return -code error "$procname: unknown option $opt" }
        }
    }
    return $cli
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
