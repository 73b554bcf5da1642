# The design the tool shell holds, handed to the finevh CLI.
#
# finevh::shell
#     openroad (ord:: namespace or write_def) | opensta (read_liberty and the sta::
#     namespace) | yosys (the `yosys` command of `yosys -c`) | tcl (plain tclsh).
#
# finevh::design_files ?-liberty {..}? ?-lef {..}? ?-sdc F? ?-def F? ?-verilog F? ?-top T?
#     Files the procs use when neither an option nor the shell gives them (e.g. the
#     LEF in OpenSTA, which reads none; the SDC in Yosys). Without options: returns
#     the current dict. `-clear 1` forgets them.
#
# finevh::shell_design_args PROC COMMAND GIVEN DIR
#     The CLI options of the design options (liberty verilog top sdc def lef) COMMAND
#     takes and the caller did not give, from the loaded design:
#       OpenSTA / OpenROAD: liberty = `get_property [get_libs *] filename` (read order),
#         verilog = `write_verilog DIR/design.v`, top = current_design,
#         sdc = `write_sdc` (required by the command, or when a clock is defined);
#       OpenROAD also: def = `write_def`, lef = the files read by `read_lef` after
#         finevh.tcl was sourced, else `odb::write_tech_lef` / `odb::write_lef`;
#       Yosys: liberty = files named by `read_liberty` / `abc -liberty` / `dfflibmap
#         -liberty` / `stat -liberty` (recorded once finevh.tcl is sourced, through the
#         `yosys` command or the commands `yosys -import` made),
#         verilog = `write_verilog -noattr` (the top is found by finevh).
#     Netlist-bound options (verilog top sdc def) come from the shell only when
#     -verilog is not given. Then finevh::design_files. A required option nobody gives
#     raises "PROC: -lef needed: not given and the shell (opensta) holds none".

namespace eval finevh {
    variable files [dict create]     ;# finevh::design_files
    variable recorded [dict create]  ;# liberty / lef files the shell read (wrappers)
}

proc finevh::shell {} {
    if {[namespace exists ::ord] || [llength [info commands ::write_def]]} { return openroad }
    if {[namespace exists ::sta] && [llength [info commands ::read_liberty]]} { return opensta }
    if {[llength [info commands ::yosys]]} { return yosys }
    return tcl
}

proc finevh::tmpdir {} {
    set base [expr {[info exists ::env(TMPDIR)] ? $::env(TMPDIR) : "/tmp"}]
    set d [file join $base finevh_tcl_[pid]_[clock clicks]]
    file mkdir $d
    return $d
}

proc finevh::design_files {args} {
    variable files
    foreach {opt val} $args {
        set k [string range $opt 1 end]
        if {$k eq "clear"} { if {$val} { set files [dict create] }; continue }
        if {$k ni {liberty lef sdc def verilog top}} {
            return -code error "finevh::design_files: unknown option $opt"
        }
        dict set files $k $val
    }
    return $files
}

proc finevh::_record {kind paths} {
    variable recorded
    set have [expr {[dict exists $recorded $kind] ? [dict get $recorded $kind] : {}}]
    foreach p $paths {
        set p [file normalize $p]
        if {$p ni $have} { lappend have $p }
    }
    dict set recorded $kind $have
}

# Top design name in OpenSTA/OpenROAD ("" when nothing is linked).
proc finevh::_sta_top {} {
    if {[catch {current_design} top] || $top eq ""} { return "" }
    if {[string match _*_p_* $top]} {
        if {[catch {get_name $top} name]} { return "" }
        return $name
    }
    return $top
}

proc finevh::_sta_liberty {} {
    set out {}
    if {[catch {get_libs -quiet *} libs]} { return $out }
    foreach l $libs {
        # OpenSTA keeps the name as given: relative names are taken from the current folder
        if {![catch {get_property $l filename} f] && $f ne ""} {
            set f [file normalize $f]
            if {$f ni $out} { lappend out $f }
        }
    }
    return $out
}

proc finevh::_sta_has_clocks {} {
    return [expr {![catch {all_clocks} c] && [llength $c] > 0}]
}

proc finevh::_openroad_block {} {
    if {[catch {ord::get_db_block} b] || $b eq "" || $b eq "NULL"} { return "" }
    return $b
}

proc finevh::_openroad_lef {dir} {
    variable recorded
    if {[dict exists $recorded lef]} { return [dict get $recorded lef] }
    set out {}
    if {[catch {
        set db [ord::get_db]
        set f [file join $dir tech.lef]
        odb::write_tech_lef [$db getTech] $f
        lappend out $f
        set k 0
        foreach lib [$db getLibs] {
            set f [file join $dir lib[incr k].lef]
            odb::write_lef $lib $f
            lappend out $f
        }
    }]} { return {} }
    return $out
}

# What the shell holds for design option KEY (a list of CLI words), writing into DIR;
# REQUIRED: the command insists on it.
proc finevh::_shell_value {key required dir} {
    variable recorded
    set sh [finevh::shell]
    switch -- $sh {
        opensta - openroad {
            set top [finevh::_sta_top]
            switch -- $key {
                liberty { return [finevh::_sta_liberty] }
                verilog {
                    if {$top eq ""} { return {} }
                    set f [file join $dir design.v]
                    write_verilog $f
                    finevh::_drop_black_boxes $f
                    return [list $f]
                }
                top { return [expr {$top eq "" ? {} : [list $top]}] }
                sdc {
                    if {$top eq "" || !($required || [finevh::_sta_has_clocks])} { return {} }
                    set f [file join $dir design.sdc]
                    write_sdc -no_timestamp -digits 9 $f
                    return [list $f]
                }
                def {
                    if {$sh ne "openroad" || [finevh::_openroad_block] eq ""} { return {} }
                    set f [file join $dir design.def]
                    write_def $f
                    return [list $f]
                }
                lef {
                    if {$sh ne "openroad"} { return {} }
                    return [finevh::_openroad_lef $dir]
                }
            }
        }
        yosys {
            switch -- $key {
                liberty { return [expr {[dict exists $recorded liberty] ? [dict get $recorded liberty] : {}}] }
                verilog {
                    set f [file join $dir design.v]
                    ::finevh::_yosys_cmd write_verilog -noattr $f
                    if {![file exists $f] || ![regexp -line {^module } [finevh::_slurp $f]]} { return {} }
                    return [list $f]
                }
            }
        }
    }
    return {}
}

# OpenSTA keeps cells no library defines as black boxes (tap cells of the OpenSTA
# examples); finevh refuses unknown cells. Drop the pin-less black-box instances
# ("CELL NAME ();") from a netlist written by write_verilog: they carry no timing or power.
proc finevh::_drop_black_boxes {f} {
    set text [finevh::_slurp $f]
    set known [dict create]
    set out {}
    set dropped 0
    foreach line [split $text "\n"] {
        if {[regexp {^\s*(\S+)\s+\S+\s*\(\s*\);\s*$} $line -> cell]} {
            if {![dict exists $known $cell]} {
                dict set known $cell [expr {[llength [get_lib_cells -quiet */$cell]] > 0}]
            }
            if {![dict get $known $cell]} { incr dropped; continue }
        }
        lappend out $line
    }
    if {$dropped} {
        set fh [open $f w]
        puts -nonewline $fh [join $out "\n"]
        close $fh
    }
    return $dropped
}

proc finevh::_slurp {f} {
    set fh [open $f r]
    set t [read $fh]
    close $fh
    return $t
}

proc finevh::shell_design_args {procname command given dir} {
    variable files
    set spec [dict get $finevh::cli_options $command]
    set own_netlist [expr {"verilog" in $given}]
    set sh [finevh::shell]
    set cli {}
    # lef before def: the DEF needs the LEF; liberty first for the netlist
    foreach key {liberty verilog top sdc lef def} {
        if {![dict exists $spec $key] || $key in $given} { continue }
        # operating corners name their own libraries
        if {$key eq "liberty" && "corner" in $given} { continue }
        lassign [dict get $spec $key] flag kind multiple nargs required
        set vals {}
        if {!($own_netlist && $key in {verilog top sdc def})} {
            set vals [finevh::_shell_value $key $required $dir]
        }
        if {![llength $vals] && [dict exists $files $key]} {
            set vals [dict get $files $key]
            if {!$multiple} { set vals [list $vals] }
        }
        # optional DEF only with its LEF
        if {$key eq "def" && !$required && [lsearch -exact $cli --lef] < 0 && "lef" ni $given} { set vals {} }
        if {![llength $vals]} {
            if {$required} {
                return -code error "$procname: -$key needed: not given and the shell ($sh) holds none"
            }
            continue
        }
        foreach v $vals { lappend cli $flag $v }
    }
    return $cli
}

# Record the files the shell reads from now on (where it cannot be asked later).
proc finevh::_install_wrappers {} {
    switch -- [finevh::shell] {
        yosys {
            if {[llength [info commands ::finevh::_yosys_cmd]]} { return }
            rename ::yosys ::finevh::_yosys_cmd
            proc ::yosys {args} {
                finevh::_yosys_record $args
                return [uplevel 1 [list ::finevh::_yosys_cmd {*}$args]]
            }
            # commands made Tcl commands by `yosys -import` (before finevh.tcl was sourced)
            foreach c {read_liberty abc dfflibmap stat} {
                if {![llength [info commands ::$c]]} { continue }
                rename ::$c ::finevh::_yosys_$c
                proc ::$c {args} [format {
                    finevh::_yosys_record [list %1$s {*}$args]
                    return [uplevel 1 [list ::finevh::_yosys_%1$s {*}$args]]
                } $c]
            }
        }
        openroad {
            if {[llength [info commands ::finevh::_read_lef_cmd]] || ![llength [info commands ::read_lef]]} { return }
            rename ::read_lef ::finevh::_read_lef_cmd
            proc ::read_lef {args} {
                set r [uplevel 1 [list ::finevh::_read_lef_cmd {*}$args]]
                finevh::_record lef [lindex $args end]
                return $r
            }
        }
    }
}

# Liberty files named by a Yosys command: read_liberty FILE...; abc/dfflibmap/stat
# -liberty FILE.
proc finevh::_yosys_record {words} {
    set cmd [lindex $words 0]
    if {$cmd eq "read_liberty"} {
        set files {}
        for {set i 1} {$i < [llength $words]} {incr i} {
            set w [lindex $words $i]
            if {$w eq "-setattr"} { incr i; continue }
            if {[string index $w 0] ne "-"} { lappend files $w }
        }
        finevh::_record liberty $files
        return
    }
    if {$cmd in {abc dfflibmap stat}} {
        set i [lsearch -exact $words -liberty]
        if {$i >= 0} { finevh::_record liberty [list [lindex $words [expr {$i + 1}]]] }
    }
}
