"""Run an emitted tool script in a real Tcl interpreter against a tool's signature table.

Each command of the table (``<tool>.json`` next to this file) becomes a Tcl proc that
checks its arguments — the command exists, every ``-option`` is declared, options
that take a value get one, required options are present, mutually exclusive ones are
not combined, the number of positional arguments fits, enumerated values are legal —
and records the call. Any command the table does not declare (and that is not a Tcl
built-in) fails through ``unknown``. The OpenROAD table also declares the odb object
API the script uses; odb objects are mocked as procs that record connections.

:func:`run_script` returns the recorded calls as ``(command, {option: value}, [positional])``
tuples in call order, and for OpenROAD the odb connections.
"""

from __future__ import annotations

import json
import tkinter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOOLS = ("openroad", "icc2", "innovus", "primetime", "opensta", "upf")


def load_table(tool: str) -> dict:
    return json.loads((HERE / f"{tool}.json").read_text())


_CORE = r"""
namespace eval ::fvhsig {
  variable calls {}
  variable spec {}
  variable nobj 0
  variable nets {}
  variable odb_calls {}
}
proc ::fvhsig::call {cmd argv} {
  variable spec
  variable calls
  set s [dict get $spec $cmd]
  set opts [dict get $s options]
  set rec [dict create]
  set pos {}
  set n [llength $argv]
  for {set i 0} {$i < $n} {incr i} {
    set a [lindex $argv $i]
    if {[string match -* $a] && ![string is double -strict $a]} {
      if {![dict exists $opts $a]} { error "$cmd: unknown option $a" }
      set kind [dict get $opts $a]
      if {$kind eq "flag"} {
        if {[dict exists $rec $a]} { error "$cmd: option $a given twice" }
        dict set rec $a 1
      } elseif {$kind eq "multi4"} {
        if {$i + 4 >= $n} { error "$cmd: option $a needs 4 values" }
        dict set rec $a [lrange $argv [expr {$i + 1}] [expr {$i + 4}]]
        incr i 4
      } else {
        incr i
        if {$i >= $n} { error "$cmd: option $a needs a value" }
        if {$kind eq "multi"} {
          dict lappend rec $a [lindex $argv $i]
        } else {
          if {[dict exists $rec $a]} { error "$cmd: option $a given twice" }
          dict set rec $a [lindex $argv $i]
        }
      }
    } else {
      lappend pos $a
    }
  }
  foreach r [dict get $s required] {
    if {![dict exists $rec $r]} { error "$cmd: missing required option $r" }
  }
  foreach group [dict get $s oneof] {
    set k 0
    foreach o $group { if {[dict exists $rec $o]} { incr k } }
    if {$k > 1} { error "$cmd: options [join $group ,] are exclusive" }
  }
  foreach group [dict get $s oneof_required] {
    set k 0
    foreach o $group { if {[dict exists $rec $o]} { incr k } }
    if {$k != 1} { error "$cmd: exactly one of [join $group ,] is required" }
  }
  lassign [dict get $s positional] lo hi
  if {[llength $pos] < $lo || [llength $pos] > $hi} {
    error "$cmd: [llength $pos] positional arguments, $lo..$hi expected"
  }
  dict for {o allowed} [dict get $s values] {
    if {[dict exists $rec $o] && [lsearch -exact $allowed [dict get $rec $o]] < 0} {
      error "$cmd: $o [dict get $rec $o] not in {$allowed}"
    }
  }
  set v0 [dict get $s values_pos0]
  if {[llength $v0] && [lsearch -exact $v0 [lindex $pos 0]] < 0} {
    error "$cmd: first argument [lindex $pos 0] not in {$v0}"
  }
  lappend calls [list $cmd $rec $pos]
  switch -- [dict get $s returns] {
    collection { return [lindex $pos 0] }
    empty { return {} }
    count { return [llength [lindex $pos 0]] }
    default { return {} }
  }
}
proc unknown {args} {
  error "command not in the signature table: [lindex $args 0]"
}
# --- odb mock (OpenROAD): objects are procs ::fvhsig::o<N> holding {class data}
proc ::fvhsig::newobj {class data} {
  variable nobj
  set name ::fvhsig::o[incr nobj]
  interp alias {} $name {} ::fvhsig::method $name $class $data
  return $name
}
proc ::fvhsig::method {self class data m args} {
  variable spec
  variable nets
  variable odb_calls
  set meths [dict get $spec __odb__ methods]
  if {![dict exists $meths $class $m]} { error "odb: $class has no method $m" }
  if {[llength $args] != [dict get $meths $class $m]} { error "odb: $class $m takes [dict get $meths $class $m] arguments" }
  switch -- $class/$m {
    dbBlock/findNet {
      if {[dict exists $nets [lindex $args 0]]} { return [dict get $nets [lindex $args 0]] }
      return NULL
    }
    dbBlock/findInst { return [::fvhsig::newobj dbInst [lindex $args 0]] }
    dbInst/findITerm { return [::fvhsig::newobj dbITerm [list $data [lindex $args 0]]] }
    dbITerm/connect {
      set net [lindex $args 0]
      if {[info commands $net] eq ""} { error "odb: connect to a non-object $net" }
      lappend odb_calls [list connect {*}$data [lindex [interp alias {} $net] 3]]
      return {}
    }
    default { lappend odb_calls [list $m $data {*}$args]; return {} }
  }
}
"""


def _tcl_dict(d: dict) -> str:
    parts = []
    for k, v in d.items():
        if isinstance(v, dict):
            parts.append(f"{{{k}}} {{{_tcl_dict(v)}}}")
        elif isinstance(v, (list, tuple)):
            parts.append(f"{{{k}}} {{{_tcl_list(v)}}}")
        else:
            parts.append(f"{{{k}}} {{{v}}}")
    return " ".join(parts)


def _tcl_list(v) -> str:
    out = []
    for x in v:
        if isinstance(x, (list, tuple)):
            out.append("{" + _tcl_list(x) + "}")
        else:
            out.append("{" + str(x) + "}")
    return " ".join(out)


def make_interp(tool: str) -> tkinter.Tcl:
    table = load_table(tool)
    t = tkinter.Tcl()
    t.eval(_CORE)
    spec = {}
    for name, s in table["commands"].items():
        spec[name] = {"options": s.get("options", {}), "required": s.get("required", []),
                      "oneof": s.get("oneof", []), "oneof_required": s.get("oneof_required", []),
                      "positional": s.get("positional", [0, 0]), "values": s.get("values", {}),
                      "values_pos0": s.get("values_pos0", []), "returns": s.get("returns", "none")}
    if "odb" in table:
        spec["__odb__"] = {"methods": table["odb"]["methods"]}
    t.eval(f"set ::fvhsig::spec {{{_tcl_dict(spec)}}}")
    for name in table["commands"]:
        if "::" in name:
            t.eval(f"namespace eval {name.rsplit('::', 1)[0]} {{}}")
        t.eval(f"proc {name} {{args}} {{ ::fvhsig::call {name} $args }}")
    if "odb" in table:
        t.eval("namespace eval ::ord {}; namespace eval ::odb {}")
        t.eval("set ::fvhsig::block [::fvhsig::newobj dbBlock top]")
        t.eval("proc ::ord::get_db_block {} { return $::fvhsig::block }")
        t.eval("""proc ::odb::dbNet_create {block name} {
  if {$block ne $::fvhsig::block} { error "odb::dbNet_create: not a block: $block" }
  set n [::fvhsig::newobj dbNet $name]
  dict set ::fvhsig::nets $name $n
  lappend ::fvhsig::odb_calls [list create_net $name]
  return $n
}""")
    return t


@dataclass
class Result:
    calls: list[tuple[str, dict, list]] = field(default_factory=list)
    odb: list[tuple] = field(default_factory=list)

    def of(self, cmd: str) -> list[tuple[str, dict, list]]:
        return [c for c in self.calls if c[0] == cmd]


def run_script(tool: str, script: str) -> Result:
    """Evaluate ``script`` in a fresh interpreter for ``tool``; raise on any signature error."""
    t = make_interp(tool)
    t.eval(script)
    res = Result()
    for c in t.splitlist(t.eval("set ::fvhsig::calls")):
        cmd, rec, pos = t.splitlist(c)
        items = t.splitlist(rec)
        res.calls.append((cmd, dict(zip(items[0::2], items[1::2])), list(t.splitlist(pos))))
    for c in t.splitlist(t.eval("set ::fvhsig::odb_calls")):
        res.odb.append(tuple(t.splitlist(c)))
    res.interp = t  # type: ignore[attr-defined]
    return res
