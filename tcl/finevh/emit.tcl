# Tool scripts and UPF from a FINE-VH plan through `finevh emit` (docs/emit.md; options: docs/tcl.md).
#
# finevh::emit_tcl -plan PLAN.fvh.json -tool openroad|icc2|innovus|primetime|opensta|upf ?-out FILE?
#                  ?-power_pin VDD? ?-ground_pin VSS? ?-mux_pins {SEL VDDH VDDL VVDD}? ?-ff_pins {D CK Q}?
#                  ?-vddh 1.0? ?-vddl 0.8? ?-strap_layer M4? ?-strap_width UM? ?-strap_pitch UM?
#                  ?-swap_cell {PB16 {{cell}_PB16} ...}? ?-high_tiles {0 4 8}? ?-flat_names?
#     the script text when no -out is given, else the output file name.
# finevh::write_upf -plan PLAN.fvh.json -out FILE ?-vddh V? ?-vddl V? ?-flat_names? ...
#     IEEE 1801 power intent of the plan (one domain and one two-input switch per tile).
# finevh::apply_plan -plan PLAN.fvh.json ?-tool openroad|opensta? ?emit options?
#     Emits the plan's script for the running tool (default: the shell's own, see
#     finevh::shell) into a temporary file and sources it in the shell (e.g. from the
#     ORFS POST_DETAIL_PLACE_TCL hook). Returns the file. Stage procs with -apply use it.

proc finevh::emit_tcl {args} {
    set text [finevh::stage finevh::emit_tcl emit [list -quiet {*}$args]]
    set i [lsearch -exact $args -out]
    if {$i >= 0} { return [lindex $args [expr {$i + 1}]] }
    return $text
}

proc finevh::write_upf {args} {
    return [finevh::emit_tcl -tool upf {*}$args]
}

proc finevh::apply_plan {args} {
    if {[lsearch -exact $args -tool] < 0} {
        lappend args -tool [finevh::_apply_tool finevh::apply_plan]
    }
    set dir [expr {[info exists ::env(TMPDIR)] ? $::env(TMPDIR) : "/tmp"}]
    set f [file join $dir finevh_apply_[pid]_[clock clicks].tcl]
    finevh::emit_tcl {*}$args -out $f
    uplevel #0 [list source $f]
    return $f
}
