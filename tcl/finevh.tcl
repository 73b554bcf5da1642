# finevh Tcl API: `source tcl/finevh.tcl` from any Tcl 8.6 tool shell
# (OpenROAD, OpenSTA `sta`, Yosys `yosys -c`, ICC2/PrimeTime, Innovus, tclsh).
#
# Every CLI stage has a twin proc `finevh::verb_noun` that runs the same stage
# through the `finevh` command and returns its standard output. Stage procs live in
# tcl/finevh/*.tcl, one file per stage, and are sourced here in sorted order.
#
# Set ::env(FINEVH) to the command to run (default: `finevh` on PATH).

namespace eval finevh {
    variable version 0.1.0
    namespace export *
}

# Folder holding this file. OpenSTA's `source` evaluates a file at global level and
# leaves [info script] empty, so fall back to $FINEVH_TCL_DIR, the current folder,
# and finally the installed package (`finevh tcl-dir`).
proc finevh::_locate {} {
    set s [info script]
    if {$s ne "" && [file tail $s] eq "finevh.tcl"} { return [file dirname [file normalize $s]] }
    if {[info exists ::env(FINEVH_TCL_DIR)]} { return $::env(FINEVH_TCL_DIR) }
    if {[file exists [file join [pwd] finevh.tcl]] && [file isdirectory [file join [pwd] finevh]]} { return [pwd] }
    set cmd finevh
    if {[info exists ::env(FINEVH)]} { set cmd $::env(FINEVH) }
    if {![catch {exec {*}$cmd tcl-dir 2>@1} d]} { return [string trim $d] }
    error "finevh.tcl: cannot find its folder; set FINEVH_TCL_DIR"
}
set finevh::dir [finevh::_locate]

# Run the finevh CLI with the given arguments; return stdout (stderr is passed
# through to the shell's stderr). A failing stage raises a Tcl error carrying
# finevh's one-line message.
proc finevh::run {args} {
    set cmd finevh
    if {[info exists ::env(FINEVH)]} { set cmd $::env(FINEVH) }
    set errfile [file join [expr {[info exists ::env(TMPDIR)] ? $::env(TMPDIR) : "/tmp"}] finevh_tcl_[pid]_[clock clicks].err]
    set status [catch {exec {*}$cmd {*}$args 2> $errfile} out opts]
    set err ""
    if {[file exists $errfile]} {
        set fh [open $errfile r]; set err [string trim [read $fh]]; close $fh
        file delete $errfile
    }
    if {$status} {
        # keep finevh's one-line error; progress lines stay on stderr
        set msg [lsearch -all -inline [split $err "\n"] "finevh: error:*"]
        foreach line [split $err "\n"] {
            if {![string match "finevh: error:*" $line] && $line ne ""} { puts stderr $line }
        }
        if {[llength $msg]} { set err [join $msg "\n"] } elseif {$err eq ""} { set err $out }
        return -code error $err
    }
    if {$err ne ""} { puts stderr $err }
    return $out
}

# Translate a stage proc's Tcl-style options into `finevh` CLI options, so every
# twin is one line. `spec` lists the accepted options as {name kind ...}:
#   value   -foo_bar V            -> --foo-bar V
#   repeat  -lef {a b}            -> --lef a --lef b
#   join    -tiles {3 5}          -> --tiles 3,5
#   splat   -input_activity {A D} -> --input-activity A D
#   each    -port_activity {{p A D} ...} -> --port-activity p A D ...
#   pairs   -param {W 8 H 4}      -> --param W=8 --param H=4
#   flag    -json                 -> --json
#   bool    -decompose_wide_gates 1 -> --decompose-wide-gates (nothing when 0)
proc finevh::cli_args {procname argv spec} {
    set cli {}
    for {set i 0} {$i < [llength $argv]} {incr i} {
        set opt [lindex $argv $i]
        set name [string range $opt 1 end]
        if {[string index $opt 0] ne "-" || ![dict exists $spec $name]} {
            return -code error "$procname: unknown option $opt"
        }
        set kind [dict get $spec $name]
        set flag --[string map {_ -} $name]
        if {$kind eq "flag"} { lappend cli $flag; continue }
        if {$i + 1 >= [llength $argv]} { return -code error "$procname: option $opt needs a value" }
        set val [lindex $argv [incr i]]
        switch -- $kind {
            value  { lappend cli $flag $val }
            repeat { foreach v $val { lappend cli $flag $v } }
            join   { lappend cli $flag [join $val ,] }
            splat  { lappend cli $flag {*}$val }
            each   { foreach v $val { lappend cli $flag {*}$v } }
            pairs  { foreach {k v} $val { lappend cli $flag $k=$v } }
            bool   { if {$val} { lappend cli $flag } }
            default { return -code error "finevh::cli_args: bad option kind '$kind'" }
        }
    }
    return $cli
}

# Options shared by the stages that load a design (see finevh/loader.py).
set finevh::design_opts {liberty repeat verilog value top value lef repeat def value sdc value}

foreach f [lsort [glob -nocomplain -directory [file join $finevh::dir finevh] *.tcl]] {
    source $f
}
