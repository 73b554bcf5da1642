# The one option parser of every finevh:: proc, and the stage runner built on it.
#
# finevh::parse_args PROC COMMAND ARGV ?LOCAL?
#     Reads ARGV against the generated table of COMMAND (tcl/finevh/options.tcl) plus
#     the proc's own LOCAL options ({name flag|value ...}). Returns a dict:
#       cli    the `finevh COMMAND` words (options, then positional arguments)
#       given  the Tcl option names given (without '-')
#       local  the LOCAL options given: {name value} (1 for a flag)
#     Value kinds (see options.tcl): flag `-json`; value `-top T` (repeatable options
#     take a list: `-liberty {a.lib b.lib}`); list `-tiles {3 5}` -> --tiles 3,5;
#     tuple `-input_activity {0.1 0.5}`; pairs `-param {W 8 H 4}` or `{W=8 H=4}`.
#     Words not starting with '-' are the command's positional arguments.
#     Errors: "PROC: unknown option -x", "PROC: option -x needs a value", ...
#
# finevh::stage PROC COMMAND ARGV ?-result text|dict?
#     parse_args, then the loaded design of the shell for the design options not given
#     (tcl/finevh/shell.tcl), run `finevh COMMAND`, and return its output:
#       text (default)  the trimmed standard output (the JSON text with -json);
#       dict            with `-dict` given or -result dict: `--json` output as a Tcl
#                       dict/list (finevh::json::parse).
#     Every proc whose command has --json accepts -dict. A proc whose command writes
#     a plan (-plan/-out) accepts -apply ?-emit_options {emit_tcl options}?: the plan is
#     emitted for the running shell (OpenSTA or OpenROAD) and sourced into it
#     (finevh::apply_plan), e.g. the poly-bias swaps become `replace_cell`s.

proc finevh::parse_args {procname command argv {local {}}} {
    set spec [dict get $finevh::cli_options $command]
    set cli {}
    set given {}
    set loc [dict create]
    set positional {}
    for {set i 0} {$i < [llength $argv]} {incr i} {
        set w [lindex $argv $i]
        if {[string index $w 0] ne "-" || [string is double -strict $w]} {
            lappend positional $w
            continue
        }
        set name [string range $w 1 end]
        if {[dict exists $local $name]} {
            if {[dict get $local $name] eq "flag"} {
                dict set loc $name 1
            } else {
                if {$i + 1 >= [llength $argv]} { return -code error "$procname: option $w needs a value" }
                dict set loc $name [lindex $argv [incr i]]
            }
            continue
        }
        if {![dict exists $spec $name]} { return -code error "$procname: unknown option $w" }
        lassign [dict get $spec $name] flag kind multiple nargs
        lappend given $name
        if {$kind eq "flag"} { lappend cli $flag; continue }
        if {$i + 1 >= [llength $argv]} { return -code error "$procname: option $w needs a value" }
        set val [lindex $argv [incr i]]
        if {$kind eq "pairs"} {
            lappend cli {*}[finevh::_pairs $procname $w $flag $val]
            continue
        }
        set items [expr {$multiple ? $val : [list $val]}]
        foreach v $items {
            switch -- $kind {
                value { lappend cli $flag $v }
                list  { lappend cli $flag [join $v ,] }
                tuple {
                    if {[llength $v] != $nargs} {
                        return -code error "$procname: option $w needs $nargs values, got {$v}"
                    }
                    lappend cli $flag {*}$v
                }
                default { return -code error "finevh::parse_args: bad option kind '$kind'" }
            }
        }
    }
    lappend cli {*}[finevh::_positional $procname $command $positional]
    return [dict create cli $cli given $given local $loc]
}

# -param {W 8 H 4} or -param {W=8 H=4} -> --param W=8 --param H=4
proc finevh::_pairs {procname opt flag val} {
    set out {}
    set assigned 1
    foreach v $val { if {[string first = $v] < 0} { set assigned 0 } }
    if {$assigned} {
        foreach v $val { lappend out $flag $v }
        return $out
    }
    if {[llength $val] % 2} { return -code error "$procname: option $opt needs NAME VALUE pairs, got {$val}" }
    foreach {k v} $val { lappend out $flag $k=$v }
    return $out
}

proc finevh::_positional {procname command words} {
    set spec [dict get $finevh::cli_arguments $command]
    set min 0
    set max 0
    foreach a $spec {
        lassign $a name nargs required
        if {$nargs < 0} { set max inf } elseif {$max ne "inf"} { incr max $nargs }
        if {$required} { incr min [expr {max($nargs, 1)}] }
    }
    set n [llength $words]
    if {$n < $min} {
        set names [lmap a $spec {string toupper [lindex $a 0]}]
        return -code error "$procname: expects [join $names { }], got [expr {$n ? "{$words}" : "nothing"}]"
    }
    if {$max ne "inf" && $n > $max} {
        return -code error "$procname: unexpected argument [lindex $words $max]"
    }
    return $words
}

# Does COMMAND have the CLI option NAME (Tcl spelling)?
proc finevh::has_option {command name} {
    return [dict exists $finevh::cli_options $command $name]
}

proc finevh::stage {procname command argv args} {
    set result text
    foreach {k v} $args {
        switch -- $k {
            -result { set result $v }
            default { return -code error "finevh::stage: bad option $k" }
        }
    }
    set local {}
    if {[finevh::has_option $command json]} { lappend local dict flag }
    set plans [expr {[finevh::has_option $command out] && ([finevh::has_option $command plan]
                     || [finevh::has_option $command def_out])}]
    if {$plans} { lappend local apply flag emit_options value }
    set p [finevh::parse_args $procname $command $argv $local]
    set cli [dict get $p cli]
    set loc [dict get $p local]
    if {[dict exists $loc dict]} { set result dict }
    if {$result eq "dict" && [lsearch -exact $cli --json] < 0} { lappend cli --json }
    if {[dict exists $loc apply]} { set tool [finevh::_apply_tool $procname] }
    set tmp [finevh::tmpdir]
    try {
        lappend cli {*}[finevh::shell_design_args $procname $command [dict get $p given] $tmp]
        set plan ""
        if {[dict exists $loc apply]} {
            set plan [finevh::_plan_file $cli $tmp]
            if {[lsearch -exact $cli --out] < 0 && ![finevh::has_option $command plan]} {
                lappend cli --out $plan
            }
        }
        set out [finevh::run {*}[split $command] {*}$cli]
        if {$plan ne ""} {
            set emit_opts [expr {[dict exists $loc emit_options] ? [dict get $loc emit_options] : {}}]
            finevh::apply_plan -plan $plan -tool $tool {*}$emit_opts
        }
    } finally {
        file delete -force $tmp
    }
    if {$result eq "dict"} { return [finevh::json::parse $out] }
    return [string trim $out]
}

# report_checks / report_power behave like OpenSTA's commands of the same name: the
# text report goes to stdout and the proc returns ""; -dict / -json return their value.
proc finevh::_print_report {procname command argv} {
    set r [finevh::stage $procname $command $argv]
    if {"-dict" in $argv || "-json" in $argv} { return $r }
    if {$r ne ""} { puts $r }
    return ""
}

# The plan a stage writes: its --out, else its --plan (updated in place), else a
# temporary file under DIR.
proc finevh::_plan_file {cli dir} {
    foreach f {--out --plan} {
        set i [lsearch -exact $cli $f]
        if {$i >= 0} { return [lindex $cli [expr {$i + 1}]] }
    }
    return [file join $dir plan.fvh.json]
}

proc finevh::_apply_tool {procname} {
    set sh [finevh::shell]
    if {$sh ni {opensta openroad}} {
        return -code error "$procname: -apply needs OpenSTA or OpenROAD (this shell: $sh)"
    }
    return $sh
}
