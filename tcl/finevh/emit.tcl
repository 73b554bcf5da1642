# finevh::emit_tcl -plan PLAN.fvh.json -tool openroad|icc2|innovus|primetime|opensta|upf ?-out FILE?
#                  ?-power_pin VDD? ?-ground_pin VSS? ?-mux_pins {SEL VDDH VDDL VVDD}? ?-ff_pins {D CK Q}?
#                  ?-vddh 1.0? ?-vddl 0.8? ?-strap_layer M4? ?-strap_width UM? ?-strap_pitch UM?
#                  ?-swap_cell {PB16 {{cell}_PB16} ...}? ?-high_tiles {0 4 8}? ?-flat_names?
# Tool script (or UPF) applying a FINE-VH plan, through `finevh emit`; returns the
# script text when no -out is given, else the output file name.
proc finevh::emit_tcl {args} {
    set cli [finevh::cli_args finevh::emit_tcl $args {plan value tool value out value power_pin value
        ground_pin value mux_pins join ff_pins join vddh value vddl value strap_layer value
        strap_width value strap_pitch value swap_cell pairs high_tiles join flat_names flag}]
    set text [finevh::run -q emit {*}$cli]
    set i [lsearch -exact $cli --out]
    if {$i >= 0} { return [lindex $cli [expr {$i + 1}]] }
    return $text
}

# finevh::write_upf -plan PLAN.fvh.json -out FILE ?-vddh V? ?-vddl V? ?-flat_names? ...
# IEEE 1801 power intent of the plan (one domain and one two-input switch per tile).
proc finevh::write_upf {args} {
    return [finevh::emit_tcl -tool upf {*}$args]
}

# finevh::apply_plan -plan PLAN.fvh.json -tool openroad ?emit options?
# Emit the plan's script for the running tool into a temporary file and source it in
# the caller's shell (e.g. from the ORFS POST_DETAIL_PLACE_TCL hook). Returns the file.
proc finevh::apply_plan {args} {
    set dir [expr {[info exists ::env(TMPDIR)] ? $::env(TMPDIR) : "/tmp"}]
    set f [file join $dir finevh_apply_[pid]_[clock clicks].tcl]
    finevh::emit_tcl {*}$args -out $f
    uplevel #0 [list source $f]
    return $f
}
