"""SDC reader: the file is *sourced* by a real Tcl 8.6 interpreter (``tkinter.Tcl()``),
so variables, ``expr``, ``foreach``, ``if``, procs and list commands work as in any
STA tool. The SDC commands themselves are Tcl procs that call back into Python.

Units: values in the SDC are in the *SDC units*: by default ``time_unit_ns`` and
``cap_unit_pf`` given by the caller (usually the main Liberty library's units:
1 ns / 1 pF for sky130, 1 ps / 1 fF for ASAP7), changed by ``set_units -time
-capacitance``. Everything stored in :class:`Constraints` is ns and pF.

Design objects are Tcl strings tagged with their kind: ``port:NAME``,
``pin:INST/PIN``, ``cell:INST``, ``clock:NAME``, ``net:NAME``; bare names are
accepted where an SDC tool accepts them (ports, or clocks after ``-clock``).
Patterns follow SDC: ``*`` and ``?`` are wildcards, brackets are literal
(``a[*]`` matches every bit of bus ``a``).

Unsupported commands print a warning ``FILE:LINE: ...`` and are ignored. Tcl errors
(syntax, unknown variables) and semantic errors (unknown port or clock, missing
required option) raise :class:`~finevh.errors.InputError` with the file and line.
"""

from __future__ import annotations

import re
import tkinter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from ..errors import InputError
from ..fileio import read_text
from ..progress import warn

__all__ = ["Clock", "GeneratedClock", "PortDelay", "DrivingCell", "PathException", "ClockGroups",
           "Constraints", "read_sdc"]


@dataclass
class Clock:
    name: str
    period: float                        # ns
    waveform: tuple[float, ...]          # rise, fall, ... edges, ns
    sources: list[str]                   # tagged objects (port:clk, pin:u1/Y); empty = virtual
    line: int = 0
    uncertainty_setup: float | None = None   # ns
    uncertainty_hold: float | None = None    # ns
    transition: float | None = None          # ns (set_clock_transition)
    latency: float | None = None             # ns (set_clock_latency, network)
    source_latency: float | None = None      # ns (set_clock_latency -source)
    propagated: bool = False

    @property
    def virtual(self) -> bool:
        return not self.sources

    @property
    def frequency_mhz(self) -> float:
        return 1e3 / self.period


@dataclass
class GeneratedClock:
    name: str
    source: str                          # master pin/port (tagged)
    targets: list[str]
    master: str | None
    divide_by: int = 1
    multiply_by: int = 1
    invert: bool = False
    line: int = 0


@dataclass
class PortDelay:
    port: str                            # port name
    clock: str | None                    # clock name (None: no -clock)
    delay: float                         # ns
    clock_fall: bool = False
    min: bool = True                     # applies to min (hold) analysis
    max: bool = True                     # applies to max (setup) analysis
    rise: bool = True
    fall: bool = True
    add_delay: bool = False
    line: int = 0


@dataclass
class DrivingCell:
    lib_cell: str
    pin: str | None = None
    from_pin: str | None = None
    library: str | None = None
    line: int = 0


@dataclass
class PathException:
    kind: str                            # false | max_delay | min_delay | multicycle
    value: float | None                  # ns for max/min delay, cycles for multicycle
    from_: list[str] = field(default_factory=list)
    through: list[list[str]] = field(default_factory=list)
    to: list[str] = field(default_factory=list)
    setup: bool = True
    hold: bool = True
    line: int = 0


@dataclass
class ClockGroups:
    kind: str                            # asynchronous | logically_exclusive | physically_exclusive
    groups: list[list[str]]              # clock names
    line: int = 0


@dataclass
class Constraints:
    source: str = ""
    design: str | None = None
    clocks: dict[str, Clock] = field(default_factory=dict)
    generated_clocks: dict[str, GeneratedClock] = field(default_factory=dict)
    input_delays: list[PortDelay] = field(default_factory=list)
    output_delays: list[PortDelay] = field(default_factory=list)
    loads: dict[str, float] = field(default_factory=dict)          # port -> pin load, pF
    wire_loads: dict[str, float] = field(default_factory=dict)     # port -> wire load, pF
    driving_cells: dict[str, DrivingCell] = field(default_factory=dict)
    input_transitions: dict[str, float] = field(default_factory=dict)   # port -> ns
    exceptions: list[PathException] = field(default_factory=list)
    clock_groups: list[ClockGroups] = field(default_factory=list)
    inter_clock_uncertainty: list[tuple[str, str, float, bool, bool]] = field(default_factory=list)
    limits: dict[str, list[tuple[float, str]]] = field(default_factory=dict)  # max_fanout/..: (value, object)
    warnings: list[str] = field(default_factory=list)
    time_unit_ns: float = 1.0            # final SDC time unit
    cap_unit_pf: float = 1.0             # final SDC capacitance unit

    @property
    def false_paths(self) -> list[PathException]:
        return [e for e in self.exceptions if e.kind == "false"]

    def clock_of_port(self, port: str) -> Clock | None:
        tag = "port:" + port
        for c in self.clocks.values():
            if tag in c.sources:
                return c
        return None


# --------------------------------------------------------------------------- helpers

def _without_sides(e: PortDelay, d: PortDelay) -> list[PortDelay]:
    """``e`` minus the (min/max x rise/fall) sides that ``d`` sets, as 0, 1 or 2 entries."""
    sides = {(m, r) for m in ("min", "max") if getattr(e, m) for r in ("rise", "fall") if getattr(e, r)}
    sides -= {(m, r) for m in ("min", "max") if getattr(d, m) for r in ("rise", "fall") if getattr(d, r)}
    per_m = {m: frozenset(r for mm, r in sides if mm == m) for m in ("min", "max")}
    per_m = {m: rf for m, rf in per_m.items() if rf}
    if len(per_m) == 2 and per_m["min"] == per_m["max"]:
        groups = [({"min", "max"}, per_m["min"])]
    else:
        groups = [({m}, rf) for m, rf in per_m.items()]
    return [PortDelay(e.port, e.clock, e.delay, e.clock_fall, "min" in ms, "max" in ms,
                      "rise" in rf, "fall" in rf, e.add_delay, e.line) for ms, rf in groups]


class _SdcError(Exception):
    pass


_NUM = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def _is_num(s: str) -> bool:
    return bool(_NUM.match(s))


def _pattern(p: str, nocase: bool = False, regexp: bool = False) -> re.Pattern:
    if regexp:
        return re.compile(p, re.IGNORECASE if nocase else 0)
    rx = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in p.replace("\\", ""))
    return re.compile(rx + r"\Z", re.IGNORECASE if nocase else 0)


_TIME_UNITS = {"s": 1e9, "ms": 1e6, "us": 1e3, "ns": 1.0, "ps": 1e-3, "fs": 1e-6}
_CAP_UNITS = {"f": 1e12, "mf": 1e9, "uf": 1e6, "nf": 1e3, "pf": 1.0, "ff": 1e-3}


def _unit(value: str, table: dict[str, float], what: str) -> float:
    m = re.match(r"^\s*([0-9.eE+-]*)\s*([a-zA-Z]+)\s*$", value)
    if not m or m.group(2).lower() not in table:
        raise _SdcError(f"set_units: bad {what} unit '{value}'")
    mult = float(m.group(1)) if m.group(1) else 1.0
    return mult * table[m.group(2).lower()]


@dataclass
class _Opts:
    flags: dict[str, object]
    pos: list[str]


def _parse(cmd: str, args: Sequence[str], valued: Iterable[str], boolean: Iterable[str],
           repeat: Iterable[str] = ()) -> _Opts:
    valued, boolean, repeat = set(valued), set(boolean), set(repeat)
    flags: dict[str, object] = {}
    pos: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("-") and len(a) > 1 and not _is_num(a):
            if a in boolean:
                flags[a] = True
                i += 1
                continue
            if a in valued or a in repeat:
                if i + 1 >= len(args):
                    raise _SdcError(f"{cmd}: option {a} needs a value")
                if a in repeat:
                    flags.setdefault(a, [])
                    flags[a].append(args[i + 1])  # type: ignore[union-attr]
                else:
                    flags[a] = args[i + 1]
                i += 2
                continue
            raise _SdcError(f"{cmd}: unknown option '{a}'")
        pos.append(a)
        i += 1
    return _Opts(flags, pos)


_TCL_PRELUDE = r"""
namespace eval ::finevh_sdc {}
proc ::finevh_sdc::where {} {
    for {set l [expr {[info frame] - 1}]} {$l > 0} {incr l -1} {
        set f [info frame $l]
        if {[dict get $f type] eq "source"} { return [dict get $f line] }
    }
    return 0
}
proc foreach_in_collection {var coll body} {
    uplevel 1 [list foreach $var $coll $body]
}
rename unknown ::finevh_sdc::tcl_unknown
proc unknown {args} {
    # an unbraced bus bit like a[3] or a[*] runs the "command" 3 or *: give the text back
    if {[llength $args] == 1 && [regexp {^([0-9]+|\*|[0-9]+:[0-9]+)$} [lindex $args 0]]} {
        return "\[[lindex $args 0]\]"
    }
    ::finevh_sdc::call __unsupported [::finevh_sdc::where] $args
    return ""
}
"""


class _Reader:
    def __init__(self, path: str, ports: Mapping[str, str], pins: Sequence[str] | None,
                 cells: Sequence[str] | None, nets: Sequence[str] | None,
                 time_unit_ns: float, cap_unit_pf: float, design: str | None):
        self.path = path
        self.ports = dict(ports)
        for p, d in self.ports.items():
            if d not in ("input", "output", "inout"):
                raise ValueError(f"port {p}: direction must be input/output/inout, got {d!r}")
        self.port_list = list(self.ports)
        self.pins = list(pins) if pins is not None else None
        self.cells = list(cells) if cells is not None else None
        self.nets = list(nets) if nets is not None else None
        self.c = Constraints(source=path, design=design, time_unit_ns=time_unit_ns, cap_unit_pf=cap_unit_pf)
        self.t_scale = time_unit_ns
        self.c_scale = cap_unit_pf
        self.line = 0
        self.error: InputError | None = None
        self.tcl = tkinter.Tcl()
        self.tcl.createcommand("::finevh_sdc::call", self._call)
        self.tcl.eval(_TCL_PRELUDE)
        self.handlers: dict[str, Callable[[list[str]], object]] = {
            "create_clock": self.create_clock,
            "create_generated_clock": self.create_generated_clock,
            "set_input_delay": lambda a: self.io_delay("set_input_delay", a),
            "set_output_delay": lambda a: self.io_delay("set_output_delay", a),
            "set_load": self.set_load,
            "set_driving_cell": self.set_driving_cell,
            "set_input_transition": self.set_input_transition,
            "set_false_path": lambda a: self.exception("set_false_path", "false", a),
            "set_max_delay": lambda a: self.exception("set_max_delay", "max_delay", a),
            "set_min_delay": lambda a: self.exception("set_min_delay", "min_delay", a),
            "set_multicycle_path": lambda a: self.exception("set_multicycle_path", "multicycle", a),
            "set_clock_uncertainty": self.set_clock_uncertainty,
            "set_clock_transition": self.set_clock_transition,
            "set_clock_latency": self.set_clock_latency,
            "set_propagated_clock": self.set_propagated_clock,
            "set_clock_groups": self.set_clock_groups,
            "set_max_fanout": lambda a: self.limit("set_max_fanout", "max_fanout", a),
            "set_max_transition": lambda a: self.limit("set_max_transition", "max_transition", a),
            "set_max_capacitance": lambda a: self.limit("set_max_capacitance", "max_capacitance", a),
            "get_ports": self.get_ports,
            "get_pins": lambda a: self.get_objs("get_pins", "pin", self.pins, a),
            "get_cells": lambda a: self.get_objs("get_cells", "cell", self.cells, a),
            "get_nets": lambda a: self.get_objs("get_nets", "net", self.nets, a),
            "get_clocks": self.get_clocks,
            "all_inputs": self.all_inputs,
            "all_outputs": self.all_outputs,
            "all_clocks": lambda a: tuple("clock:" + n for n in self.all_clock_names()),
            "current_design": self.current_design,
            "set_units": self.set_units,
            "get_object_name": lambda a: tuple(self._name(o) for a1 in a for o in self.tcl.splitlist(a1)),
            "sizeof_collection": lambda a: str(sum(len(self.tcl.splitlist(x)) for x in a)),
            "remove_from_collection": self.remove_from_collection,
            "add_to_collection": lambda a: tuple(dict.fromkeys(o for x in a for o in self.tcl.splitlist(x))),
            "set_hierarchy_separator": lambda a: "",
            "__unsupported": self.unsupported,
        }
        for name in self.handlers:
            if name.startswith("__"):
                continue
            self.tcl.eval(f"proc {name} {{args}} {{ ::finevh_sdc::call {name} [::finevh_sdc::where] $args }}")

    # ----------------------------------------------------------------- plumbing
    def _call(self, name: str, line: str, args: str):
        self.line = int(line) if line.isdigit() else 0
        try:
            res = self.handlers[name](list(self.tcl.splitlist(args)))
        except _SdcError as e:
            self.error = InputError(str(e), self.path, self.line or None)
            raise
        except InputError as e:
            self.error = e
            raise
        return "" if res is None else res

    def warn(self, msg: str) -> None:
        self.c.warnings.append(f"{self.path}:{self.line}: {msg}")
        warn(msg, self.path, self.line or None)

    def run(self, text: str | None) -> Constraints:
        try:
            if text is None:
                self.tcl.call("source", self.path)
            else:
                self.tcl.eval(text)
        except tkinter.TclError as e:
            if self.error is not None:
                raise self.error from None
            info = self.tcl.eval("set ::errorInfo")
            lines = re.findall(r'\(file "[^"]*" line (\d+)\)', info)
            line = int(lines[-1]) if lines else None
            if line is None:
                m = re.findall(r"line (\d+)\)", info)
                line = int(m[-1]) if m else None
            raise InputError(f"Tcl error: {str(e).splitlines()[0] if str(e) else 'error'}", self.path, line) from None
        return self.c

    def _name(self, obj: str) -> str:
        k, sep, n = obj.partition(":")
        return n if sep and k in ("port", "pin", "cell", "clock", "net") else obj

    def objects(self, args: Iterable[str]) -> list[str]:
        out: list[str] = []
        for a in args:
            out.extend(self.tcl.splitlist(a))
        return out

    def port_names(self, cmd: str, args: Iterable[str], allow_pins: bool = False) -> list[str]:
        """Port names from tagged objects or bare names; unknown -> error."""
        out: list[str] = []
        for o in self.objects(args):
            kind, sep, name = o.partition(":")
            if sep and kind == "port":
                out.append(name)
            elif sep and kind in ("pin", "net", "cell", "clock"):
                if allow_pins:
                    out.append(o)
                else:
                    raise _SdcError(f"{cmd}: expected ports, got {kind} '{name}'")
            elif o in self.ports:
                out.append(o)
            elif "/" in o and allow_pins:
                out.append("pin:" + o)
            else:
                raise _SdcError(f"{cmd}: unknown port '{o}'")
        return out

    def time(self, cmd: str, v: str) -> float:
        try:
            return float(v) * self.t_scale
        except (TypeError, ValueError):
            raise _SdcError(f"{cmd}: expected a number, got '{v}'") from None

    def cap(self, cmd: str, v: str) -> float:
        try:
            return float(v) * self.c_scale
        except (TypeError, ValueError):
            raise _SdcError(f"{cmd}: expected a number, got '{v}'") from None

    def value(self, cmd: str, pos: list[str]) -> tuple[str, list[str]]:
        if not pos:
            raise _SdcError(f"{cmd}: missing value")
        return pos[0], pos[1:]

    def clock_names(self, cmd: str, args: Iterable[str]) -> list[str]:
        out = []
        for o in self.objects(args):
            kind, sep, name = o.partition(":")
            n = name if sep and kind == "clock" else o
            if n not in self.c.clocks and n not in self.c.generated_clocks:
                raise _SdcError(f"{cmd}: unknown clock '{n}'")
            out.append(n)
        return out

    def all_clock_names(self) -> list[str]:
        return list(self.c.clocks) + [n for n in self.c.generated_clocks if n not in self.c.clocks]

    # ----------------------------------------------------------------- queries
    def _match(self, cmd: str, kind: str, universe: list[str], args: list[str], bus_ok: bool) -> tuple[str, ...]:
        o = _parse(cmd, args, ("-filter", "-of_objects"), ("-quiet", "-regexp", "-nocase", "-hierarchical", "-hier", "-exact"))
        if "-filter" in o.flags or "-of_objects" in o.flags:
            self.warn(f"{cmd}: -filter/-of_objects are not supported; returning no objects")
            return ()
        quiet = "-quiet" in o.flags
        literal_ok = not ("-nocase" in o.flags or "-regexp" in o.flags)
        out: list[str] = []
        for p in self.objects(o.pos):
            if literal_ok and "*" not in p and "?" not in p:
                # a plain name: one set look-up instead of a scan (long explicit lists)
                n = p.replace("\\", "")
                if n in self._names_of(universe):
                    out.append(n)
                    continue
            rx = _pattern(p, "-nocase" in o.flags, "-regexp" in o.flags)
            hits = [n for n in universe if rx.match(n)]
            if not hits and bus_ok and "[" not in p:
                # a bus name selects all its bits
                brx = re.compile(rx.pattern[:-2] + r"\[\d+\]\Z", rx.flags)
                hits = [n for n in universe if brx.match(n)]
            if not hits and not quiet:
                raise _SdcError(f"{cmd}: no {kind} matches '{p}'")
            out.extend(hits)
        return tuple(kind + ":" + n for n in dict.fromkeys(out))

    def _names_of(self, universe: list[str]) -> set[str]:
        """The names of ``universe`` as a set, kept while the same list is queried."""
        cached = self.__dict__.get("_universe_set")
        if cached is None or cached[0] is not universe or cached[2] != len(universe):
            cached = self._universe_set = (universe, set(universe), len(universe))
        return cached[1]

    def get_ports(self, args: list[str]):
        return self._match("get_ports", "port", self.port_list, args, True)

    def get_objs(self, cmd: str, kind: str, universe: list[str] | None, args: list[str]):
        if universe is None:
            # no netlist given: take names literally
            o = _parse(cmd, args, ("-filter", "-of_objects"), ("-quiet", "-regexp", "-nocase", "-hierarchical", "-hier"))
            return tuple(kind + ":" + n for n in self.objects(o.pos))
        return self._match(cmd, kind, universe, args, True)

    def get_clocks(self, args: list[str]):
        return self._match("get_clocks", "clock", self.all_clock_names(), args, False)

    def all_inputs(self, args: list[str]):
        o = _parse("all_inputs", args, (), ("-no_clocks", "-level_sensitive", "-edge_triggered"))
        clock_ports = {s for c in self.c.clocks.values() for s in c.sources} if "-no_clocks" in o.flags else set()
        return tuple(t for t in ("port:" + p for p, d in self.ports.items() if d in ("input", "inout"))
                     if t not in clock_ports)

    def all_outputs(self, args: list[str]):
        _parse("all_outputs", args, (), ("-level_sensitive", "-edge_triggered"))
        return tuple("port:" + p for p, d in self.ports.items() if d in ("output", "inout"))

    def current_design(self, args: list[str]):
        if args:
            if self.c.design is not None and args[0] != self.c.design:
                raise _SdcError(f"current_design: design is '{self.c.design}', not '{args[0]}'")
            self.c.design = args[0]
        return self.c.design or ""

    def remove_from_collection(self, args: list[str]):
        if len(args) != 2:
            raise _SdcError("remove_from_collection: expected two collections")
        drop = set(self.tcl.splitlist(args[1]))
        return tuple(o for o in self.tcl.splitlist(args[0]) if o not in drop)

    # ----------------------------------------------------------------- commands
    def set_units(self, args: list[str]):
        o = _parse("set_units", args, ("-time", "-capacitance", "-resistance", "-voltage", "-current",
                                       "-power", "-distance"), ())
        if o.pos:
            raise _SdcError(f"set_units: unexpected argument '{o.pos[0]}'")
        if "-time" in o.flags:
            self.t_scale = _unit(str(o.flags["-time"]), _TIME_UNITS, "time")
        if "-capacitance" in o.flags:
            self.c_scale = _unit(str(o.flags["-capacitance"]), _CAP_UNITS, "capacitance")
        self.c.time_unit_ns = self.t_scale
        self.c.cap_unit_pf = self.c_scale

    def create_clock(self, args: list[str]):
        o = _parse("create_clock", args, ("-name", "-period", "-waveform", "-comment"), ("-add",))
        if "-period" not in o.flags:
            raise _SdcError("create_clock: -period is required")
        period = self.time("create_clock", str(o.flags["-period"]))
        if period <= 0:
            raise _SdcError(f"create_clock: period must be positive, got {o.flags['-period']}")
        sources = self.port_names("create_clock", o.pos, allow_pins=True)
        sources = [s if ":" in s and s.split(":", 1)[0] in ("pin", "net") else "port:" + s for s in sources]
        name = str(o.flags.get("-name") or (sources[0].split(":", 1)[1] if sources else ""))
        if not name:
            raise _SdcError("create_clock: a virtual clock needs -name")
        if "-waveform" in o.flags:
            edges = tuple(self.time("create_clock -waveform", v) for v in self.tcl.splitlist(str(o.flags["-waveform"])))
            if len(edges) < 2 or len(edges) % 2 or any(b < a for a, b in zip(edges, edges[1:])):
                raise _SdcError("create_clock: -waveform needs an even number of increasing edges")
        else:
            edges = (0.0, period / 2)
        if name in self.c.clocks and "-add" not in o.flags:
            self.warn(f"create_clock: clock '{name}' redefined")
        self.c.clocks[name] = Clock(name, period, edges, sources, self.line)
        return "clock:" + name

    def create_generated_clock(self, args: list[str]):
        o = _parse("create_generated_clock", args, ("-name", "-source", "-divide_by", "-multiply_by",
                                                    "-master_clock", "-edges", "-duty_cycle", "-comment"),
                   ("-invert", "-add", "-combinational"))
        if "-source" not in o.flags:
            raise _SdcError("create_generated_clock: -source is required")
        targets = self.port_names("create_generated_clock", o.pos, allow_pins=True)
        src = self.port_names("create_generated_clock", [str(o.flags["-source"])], allow_pins=True)
        name = str(o.flags.get("-name") or (targets[0].split(":", 1)[-1] if targets else ""))
        if not name:
            raise _SdcError("create_generated_clock: needs -name or a target")
        try:
            div = int(str(o.flags.get("-divide_by", 1)))
            mul = int(str(o.flags.get("-multiply_by", 1)))
        except ValueError:
            raise _SdcError("create_generated_clock: -divide_by/-multiply_by need integers") from None
        master = o.flags.get("-master_clock")
        if master is None:
            s = src[0] if src else ""
            tag = s if ":" in s else "port:" + s
            for c in self.c.clocks.values():
                if tag in c.sources:
                    master = c.name
                    break
        gc = GeneratedClock(name, src[0] if src else "", targets, str(master) if master else None,
                            div, mul, "-invert" in o.flags, self.line)
        self.c.generated_clocks[name] = gc
        if master and str(master) in self.c.clocks:
            m = self.c.clocks[str(master)]
            period = m.period * div / mul
            self.c.clocks[name] = Clock(name, period, (0.0, period / 2),
                                        [t if ":" in t else "port:" + t for t in targets], self.line)
        return "clock:" + name

    def io_delay(self, cmd: str, args: list[str]):
        o = _parse(cmd, args, ("-clock", "-reference_pin"),
                   ("-clock_fall", "-level_sensitive", "-rise", "-fall", "-max", "-min", "-add_delay",
                    "-network_latency_included", "-source_latency_included"))
        v, objs = self.value(cmd, o.pos)
        delay = self.time(cmd, v)
        clock = None
        if "-clock" in o.flags:
            clock = self.clock_names(cmd, [str(o.flags["-clock"])])[0]
        ports = self.port_names(cmd, objs)
        if not ports:
            raise _SdcError(f"{cmd}: no ports given")
        want = ("input", "inout") if cmd == "set_input_delay" else ("output", "inout")
        mn, mx = "-min" in o.flags, "-max" in o.flags
        rs, fl = "-rise" in o.flags, "-fall" in o.flags
        dst = self.c.input_delays if cmd == "set_input_delay" else self.c.output_delays
        new: dict[str, PortDelay] = {}
        for p in ports:
            if self.ports[p] not in want:
                raise _SdcError(f"{cmd}: port '{p}' is an {self.ports[p]}")
            new[p] = PortDelay(p, clock, delay, "-clock_fall" in o.flags, mn or not mx, mx or not mn,
                               rs or not fl, fl or not rs, "-add_delay" in o.flags, self.line)
        # As OpenSTA: a value for the same clock and clock edge replaces the earlier one on
        # the sides (min/max, rise/fall) it sets; without -add_delay the port's delays
        # relative to other clocks or edges are removed too. One pass over the delays
        # so far for all the command's ports.
        kept = []
        for e in dst:
            d = new.get(e.port)
            if d is None:
                kept.append(e)
            elif e.clock == clock and e.clock_fall == d.clock_fall:
                kept.extend(_without_sides(e, d))
            elif d.add_delay:
                kept.append(e)
        dst[:] = kept + list(new.values())

    def set_load(self, args: list[str]):
        o = _parse("set_load", args, (), ("-pin_load", "-wire_load", "-subtract_pin_load", "-min", "-max",
                                          "-rise", "-fall"))
        v, objs = self.value("set_load", o.pos)
        c = self.cap("set_load", v)
        targets = self.port_names("set_load", objs, allow_pins=True)
        wire = "-wire_load" in o.flags
        for t in targets:
            if t.startswith("net:") or t.startswith("pin:"):
                self.warn(f"set_load on {t} is not supported; ignored")
                continue
            (self.c.wire_loads if wire else self.c.loads)[t] = c

    def set_driving_cell(self, args: list[str]):
        o = _parse("set_driving_cell", args, ("-lib_cell", "-library", "-pin", "-from_pin", "-multiply_by",
                                              "-input_transition_rise", "-input_transition_fall"),
                   ("-rise", "-fall", "-min", "-max", "-dont_scale", "-no_design_rule", "-cell"))
        cell = o.flags.get("-lib_cell")
        pos = list(o.pos)
        if cell is None:
            if "-cell" in o.flags and pos:
                cell = pos.pop(0)
            else:
                raise _SdcError("set_driving_cell: -lib_cell is required")
        dc = DrivingCell(str(cell), o.flags.get("-pin"), o.flags.get("-from_pin"), o.flags.get("-library"), self.line)  # type: ignore[arg-type]
        ports = self.port_names("set_driving_cell", pos)
        if not ports:
            raise _SdcError("set_driving_cell: no ports given")
        for p in ports:
            self.c.driving_cells[p] = dc

    def set_input_transition(self, args: list[str]):
        o = _parse("set_input_transition", args, ("-clock",), ("-rise", "-fall", "-min", "-max", "-clock_fall"))
        v, objs = self.value("set_input_transition", o.pos)
        t = self.time("set_input_transition", v)
        if t < 0:
            raise _SdcError("set_input_transition: negative transition")
        for p in self.port_names("set_input_transition", objs):
            self.c.input_transitions[p] = t

    def exception(self, cmd: str, kind: str, args: list[str]):
        ends = ("-from", "-to", "-through", "-rise_from", "-fall_from", "-rise_to", "-fall_to",
                "-rise_through", "-fall_through")
        o = _parse(cmd, args, ("-comment",), ("-setup", "-hold", "-rise", "-fall", "-start", "-end", "-reset_path",
                                              "-ignore_clock_latency"), repeat=ends)
        value: float | None = None
        pos = o.pos
        if kind != "false":
            v, pos = self.value(cmd, pos)
            if kind == "multicycle":
                try:
                    value = float(v)
                except ValueError:
                    raise _SdcError(f"{cmd}: expected a number, got '{v}'") from None
            else:
                value = self.time(cmd, v)
        if pos:
            raise _SdcError(f"{cmd}: unexpected argument '{pos[0]}'")

        def collect(keys: tuple[str, ...]) -> list[str]:
            out: list[str] = []
            for k in keys:
                for a in o.flags.get(k, []):  # type: ignore[union-attr]
                    out.extend(self.resolve_any(cmd, a))
            return out

        through = [self.resolve_any(cmd, a) for k in ("-through", "-rise_through", "-fall_through")
                   for a in o.flags.get(k, [])]  # type: ignore[union-attr]
        frm = collect(("-from", "-rise_from", "-fall_from"))
        to = collect(("-to", "-rise_to", "-fall_to"))
        if not (frm or to or through) and kind == "false":
            raise _SdcError(f"{cmd}: needs -from, -to or -through")
        setup, hold = "-setup" in o.flags, "-hold" in o.flags
        self.c.exceptions.append(PathException(kind, value, frm, through, to, setup or not hold,
                                               hold or not setup, self.line))

    def resolve_any(self, cmd: str, arg: str) -> list[str]:
        out = []
        for obj in self.objects([arg]):
            kind, sep, name = obj.partition(":")
            if sep and kind in ("port", "pin", "cell", "clock", "net"):
                out.append(obj)
            elif obj in self.c.clocks:
                out.append("clock:" + obj)
            elif obj in self.ports:
                out.append("port:" + obj)
            elif self.cells is not None and obj in self.cells:
                out.append("cell:" + obj)
            elif "/" in obj:
                out.append("pin:" + obj)
            else:
                raise _SdcError(f"{cmd}: unknown object '{obj}'")
        return out

    def set_clock_uncertainty(self, args: list[str]):
        o = _parse("set_clock_uncertainty", args, ("-from", "-to", "-rise_from", "-fall_from", "-rise_to", "-fall_to"),
                   ("-setup", "-hold", "-rise", "-fall"))
        v, objs = self.value("set_clock_uncertainty", o.pos)
        u = self.time("set_clock_uncertainty", v)
        setup, hold = "-setup" in o.flags, "-hold" in o.flags
        su, ho = setup or not hold, hold or not setup
        frm = o.flags.get("-from") or o.flags.get("-rise_from") or o.flags.get("-fall_from")
        to = o.flags.get("-to") or o.flags.get("-rise_to") or o.flags.get("-fall_to")
        if frm is not None or to is not None:
            if frm is None or to is None:
                raise _SdcError("set_clock_uncertainty: -from needs -to")
            for a in self.clock_names("set_clock_uncertainty", [str(frm)]):
                for b in self.clock_names("set_clock_uncertainty", [str(to)]):
                    self.c.inter_clock_uncertainty.append((a, b, u, su, ho))
            return
        for obj in self.objects(objs):
            kind, sep, name = obj.partition(":")
            if sep and kind in ("port", "pin"):
                self.warn("set_clock_uncertainty on pins/ports is not supported; ignored")
                continue
            n = self.clock_names("set_clock_uncertainty", [obj])[0]
            if su:
                self.c.clocks[n].uncertainty_setup = u
            if ho:
                self.c.clocks[n].uncertainty_hold = u

    def set_clock_transition(self, args: list[str]):
        o = _parse("set_clock_transition", args, (), ("-rise", "-fall", "-min", "-max"))
        v, objs = self.value("set_clock_transition", o.pos)
        t = self.time("set_clock_transition", v)
        for n in self.clock_names("set_clock_transition", objs):
            self.c.clocks[n].transition = t

    def set_clock_latency(self, args: list[str]):
        o = _parse("set_clock_latency", args, ("-clock",), ("-source", "-rise", "-fall", "-min", "-max",
                                                            "-early", "-late"))
        v, objs = self.value("set_clock_latency", o.pos)
        t = self.time("set_clock_latency", v)
        for obj in self.objects(objs):
            kind, sep, name = obj.partition(":")
            if sep and kind in ("port", "pin"):
                self.warn("set_clock_latency on pins/ports is not supported; ignored")
                continue
            n = self.clock_names("set_clock_latency", [obj])[0]
            if "-source" in o.flags:
                self.c.clocks[n].source_latency = t
            else:
                self.c.clocks[n].latency = t

    def set_propagated_clock(self, args: list[str]):
        for obj in self.objects(args):
            kind, sep, name = obj.partition(":")
            if sep and kind in ("port", "pin"):
                for c in self.c.clocks.values():
                    if obj in c.sources:
                        c.propagated = True
                continue
            for n in self.clock_names("set_propagated_clock", [obj]):
                self.c.clocks[n].propagated = True

    def set_clock_groups(self, args: list[str]):
        o = _parse("set_clock_groups", args, ("-name", "-comment"),
                   ("-asynchronous", "-logically_exclusive", "-physically_exclusive", "-allow_paths"),
                   repeat=("-group",))
        kind = next((k[1:] for k in ("-asynchronous", "-logically_exclusive", "-physically_exclusive")
                     if k in o.flags), None)
        if kind is None:
            raise _SdcError("set_clock_groups: needs -asynchronous, -logically_exclusive or -physically_exclusive")
        groups = [self.clock_names("set_clock_groups", [g]) for g in o.flags.get("-group", [])]  # type: ignore[union-attr]
        if not groups:
            raise _SdcError("set_clock_groups: needs -group")
        self.c.clock_groups.append(ClockGroups(kind, groups, self.line))

    def limit(self, cmd: str, key: str, args: list[str]):
        o = _parse(cmd, args, (), ("-clock_path", "-data_path", "-rise", "-fall"))
        v, objs = self.value(cmd, o.pos)
        val = self.time(cmd, v) if key == "max_transition" else self.cap(cmd, v) if key == "max_capacitance" else float(v)
        objs = self.objects(objs) or ["design:" + (self.c.design or "")]
        for obj in objs:
            self.c.limits.setdefault(key, []).append((val, obj))

    def unsupported(self, args: list[str]):
        name = args[0] if args else "?"
        self.warn(f"unsupported SDC command '{name}' ignored")


def read_sdc(path: str | Path, ports: Mapping[str, str], *, pins: Sequence[str] | None = None,
             cells: Sequence[str] | None = None, nets: Sequence[str] | None = None,
             time_unit_ns: float = 1.0, cap_unit_pf: float = 1.0, design: str | None = None) -> Constraints:
    """Evaluate an SDC file in Tcl and return its constraints (ns, pF).

    ``ports`` maps each top-level port (bus bits as ``a[3]``) to ``input``/``output``/
    ``inout``. ``pins`` (``inst/PIN``), ``cells`` and ``nets``, when given, validate
    ``get_pins``/``get_cells``/``get_nets`` patterns; when None those commands take
    names literally. ``time_unit_ns``/``cap_unit_pf`` are the SDC units before any
    ``set_units`` (the main library's units).
    """
    p = str(path)
    read_text(p)   # missing/unreadable file -> InputError
    r = _Reader(p, ports, pins, cells, nets, time_unit_ns, cap_unit_pf, design)
    return r.run(None)
