# Accelerator model through `finevh accel` (docs/accel.md; every option: docs/tcl.md).
#
# finevh::report_accel        -network NAME | -onnx FILE ?-array 8x8? ?-dataflow os|ws|is?
#                             ?-precision 16|8|full|mixed|half? ?-dram exact|estimate? ?-output F?
#                             ?-json? ?-dict?                   -> text table of cycles / accesses
# finevh::report_accel_json   ...same options...                -> JSON text
# finevh::accel_total_cycles  ...same options...                -> integer (total_cycles)
# finevh::report_accel_energy -network NAME | -onnx FILE ?-array? ?-dataflow? ?-pe_power_uw P?
#                             ?-pe_f_mhz F? ?-output F? ?-json? ?-dict? -> text (pJ per layer)
# finevh::search_precision    ?-network digits? ?-method nsga2|greedy? ?-evals N? ?-pop N?
#                             ?-kl_th X? ?-seed N? ?-tolerance T? ?-onnx F -calib F.npy?
#                             ?-output F? ?-json? ?-dict?       -> text
# finevh::report_accel_loop   ?-networks {a b}? ?-array RxC? ?-target_mhz F?
#                             ?-pe_power FILE | -fine_vh_summary FILE? ?-dvdd 100mV? ?-tiles N?
#                             ?-plot PNG? ?-output F? ?-json? ?-dict? -> text
# With -dict each returns the Tcl dict of the command's --json output.

proc finevh::report_accel {args} {
    return [finevh::stage finevh::report_accel {accel cycles} $args]
}

proc finevh::report_accel_json {args} {
    return [finevh::stage finevh::report_accel_json {accel cycles} [list {*}$args -json]]
}

proc finevh::accel_total_cycles {args} {
    set d [finevh::stage finevh::accel_total_cycles {accel cycles} $args -result dict]
    return [dict get $d total_cycles]
}

proc finevh::report_accel_energy {args} {
    return [finevh::stage finevh::report_accel_energy {accel energy} $args]
}

proc finevh::search_precision {args} {
    return [finevh::stage finevh::search_precision {accel search} $args]
}

proc finevh::report_accel_loop {args} {
    return [finevh::stage finevh::report_accel_loop {accel report} $args]
}
