# JSON -> Tcl values (no package needed; Tcl 8.6).
#
# finevh::json::parse TEXT
#     object -> dict (key order kept; a repeated key keeps its last value),
#     array  -> list, string -> string (escapes \" \\ \/ \b \f \n \r \t \uXXXX decoded),
#     number -> its JSON text (Tcl reads 1e-05, -0.5, 12 as numbers), true -> 1,
#     false -> 0, null -> "" (the empty string).
#     Malformed JSON raises "finevh::json: MESSAGE at offset N".
#
# It is how every finevh:: proc turns the CLI's `--json` output into a Tcl dict or list.

namespace eval finevh::json {}

proc finevh::json::parse {text} {
    set i 0
    set v [_value $text i]
    _ws $text i
    if {$i < [string length $text]} { _fail "trailing '[string index $text $i]'" $i }
    return $v
}

proc finevh::json::_fail {msg i} {
    return -code error -level 2 "finevh::json: $msg at offset $i"
}

# skip JSON white space (space, tab, CR, LF) from index i
proc finevh::json::_ws {text ivar} {
    upvar 1 $ivar i
    if {[regexp -start $i {\A[ \t\r\n]+} $text m]} { incr i [string length $m] }
}

proc finevh::json::_value {text ivar} {
    upvar 1 $ivar i
    _ws $text i
    set c [string index $text $i]
    switch -exact -- $c {
        "\{" { return [_object $text i] }
        "\[" { return [_array $text i] }
        "\"" { return [_string $text i] }
        "" { _fail "unexpected end of text" $i }
    }
    if {[regexp -start $i {\A-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?} $text m]} {
        incr i [string length $m]
        if {[regexp -start $i {\A[0-9A-Za-z_.+-]} $text]} { _fail "bad number" $i }
        return $m
    }
    foreach {word val} {true 1 false 0 null {}} {
        if {[string equal -length [string length $word] $word [string range $text $i end]]} {
            incr i [string length $word]
            if {[regexp -start $i {\A[0-9A-Za-z_]} $text]} { _fail "bad literal" $i }
            return $val
        }
    }
    _fail "unexpected '$c'" $i
}

proc finevh::json::_object {text ivar} {
    upvar 1 $ivar i
    incr i  ;# past the opening brace
    set d [dict create]
    _ws $text i
    if {[string index $text $i] eq "\}"} { incr i; return $d }
    while 1 {
        _ws $text i
        if {[string index $text $i] ne "\""} { _fail "object key must be a string" $i }
        set k [_string $text i]
        _ws $text i
        if {[string index $text $i] ne ":"} { _fail "':' expected" $i }
        incr i
        dict set d $k [_value $text i]
        _ws $text i
        set c [string index $text $i]
        incr i
        if {$c eq "\}"} { return $d }
        if {$c ne ","} { _fail "',' or '\}' expected" [expr {$i - 1}] }
    }
}

proc finevh::json::_array {text ivar} {
    upvar 1 $ivar i
    incr i  ;# past the opening bracket
    set l {}
    _ws $text i
    if {[string index $text $i] eq "\]"} { incr i; return $l }
    while 1 {
        lappend l [_value $text i]
        _ws $text i
        set c [string index $text $i]
        incr i
        if {$c eq "\]"} { return $l }
        if {$c ne ","} { _fail "',' or '\]' expected" [expr {$i - 1}] }
    }
}

# A JSON string at index i (on its opening quote). Only JSON's escapes are accepted,
# so `subst -nocommands -novariables` decodes exactly them ([ and $ stay literal).
proc finevh::json::_string {text ivar} {
    upvar 1 $ivar i
    if {![regexp -start $i {\A"((?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9A-Fa-f]{4})*)"} $text m body]} {
        _fail "bad string" $i
    }
    incr i [string length $m]
    if {[string first "\\" $body] < 0} { return $body }
    return [subst -nocommands -novariables $body]
}
