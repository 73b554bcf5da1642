# finevh Tcl API: `source tcl/finevh.tcl` from any Tcl 8.6 tool shell
# (OpenROAD, OpenSTA `sta`, Yosys `yosys -c`, ICC2/PrimeTime, Innovus, tclsh).
#
# Every CLI stage has a twin proc `finevh::verb_noun` that runs the same stage
# through the `finevh` command. One parser reads every proc's options (tcl/finevh/args.tcl,
# table generated from the CLI: tcl/finevh/options.tcl); called without -liberty /
# -verilog / -sdc ... inside OpenSTA, OpenROAD or Yosys, a proc hands the design the
# shell holds to the CLI (tcl/finevh/shell.tcl); `-dict` returns the result as a Tcl
# dict (tcl/finevh/json.tcl). Reference of every proc: docs/tcl.md.
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

# Core files first (JSON reader, generated option table, parser, shell access), then
# one file per stage in sorted order.
set finevh::core_files {json.tcl options.tcl args.tcl shell.tcl}
foreach f $finevh::core_files { source [file join $finevh::dir finevh $f] }
foreach f [lsort [glob -nocomplain -directory [file join $finevh::dir finevh] *.tcl]] {
    if {[file tail $f] ni $finevh::core_files} { source $f }
}
finevh::_install_wrappers
