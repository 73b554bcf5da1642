# finevh::emit_tcl -plan PLAN.fvh.json -tool openroad|icc2|innovus|primetime|opensta|upf ?-out FILE?
#                  ?-power_pin VDD? ?-ground_pin VSS? ?-mux_pins {SEL VDDH VDDL VVDD}? ?-ff_pins {D CK Q}?
#                  ?-vddh 1.0? ?-vddl 0.8? ?-strap_layer M4? ?-strap_width UM? ?-strap_pitch UM?
#                  ?-swap_cell {PB16 {{cell}_PB16} ...}? ?-high_tiles {0 4 8}? ?-flat_names?
# Tool script (or UPF) applying a FINE-VH plan, through `finevh emit`; returns the
# script text when no -out is given, else the output file name.
proc finevh::emit_tcl {args} {
    set cli {}
    set out ""
    for {set i 0} {$i < [llength $args]} {incr i} {
        set opt [lindex $args $i]
        if {$opt eq "-flat_names"} { lappend cli --flat-names; continue }
        set val [lindex $args [incr i]]
        switch -- $opt {
            -plan        { lappend cli --plan $val }
            -tool        { lappend cli --tool $val }
            -out         { set out $val; lappend cli --out $val }
            -power_pin   { lappend cli --power-pin $val }
            -ground_pin  { lappend cli --ground-pin $val }
            -mux_pins    { lappend cli --mux-pins [join $val ,] }
            -ff_pins     { lappend cli --ff-pins [join $val ,] }
            -vddh        { lappend cli --vddh $val }
            -vddl        { lappend cli --vddl $val }
            -strap_layer { lappend cli --strap-layer $val }
            -strap_width { lappend cli --strap-width $val }
            -strap_pitch { lappend cli --strap-pitch $val }
            -swap_cell   { foreach {fl tmpl} $val { lappend cli --swap-cell $fl=$tmpl } }
            -high_tiles  { lappend cli --high-tiles [join $val ,] }
            default      { return -code error "finevh::emit_tcl: unknown option $opt" }
        }
    }
    set text [finevh::run -q emit {*}$cli]
    if {$out ne ""} { return $out }
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
