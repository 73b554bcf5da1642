"""SDC reader: the file is *sourced* by a real Tcl 8.6 interpreter (``tkinter.Tcl()``),
so variables, ``expr``, ``foreach``, ``if``, procs, ``source`` and list commands work as
in any STA tool. The SDC commands themselves are Tcl procs that call back into Python.

The commands accept what OpenSTA 3.x accepts (see docs/constraints.md): bare names and
patterns where objects are expected (looked up by the type the command expects,
:mod:`finevh.constraints.queries`), ``-filter`` / ``-of_objects`` on the ``get_*``
commands, ``all_registers``, ``delete_from_list``; path exceptions, ``group_path``,
``set_timing_derate``, ``set_disable_timing``, ``set_case_analysis`` and
``set_clock_gating_check`` are parsed and
stored with their objects resolved (:mod:`finevh.constraints.model`).

Units: values in the SDC are in the library units given by the caller (``time_unit_ns``,
``cap_unit_pf``: 1 ns / 1 pF for sky130, 1 ps / 1 fF for ASAP7). As in OpenSTA 3.x,
``set_units`` does not change them: it checks them and warns on a mismatch. Everything
stored in :class:`Constraints` is ns and pF.

Tcl errors (syntax, unknown variables) and semantic errors (unknown object or clock,
missing required option) raise :class:`~finevh.errors.InputError` with the file and
line where they happen (inside a ``source``d file: that file and line). ``puts`` writes
to stderr, never stdout. Commands finevh does not model warn and are ignored.
"""

from __future__ import annotations

import math
import re
import sys
import tkinter
from pathlib import Path
from typing import Callable, Mapping, Sequence

from ..errors import InputError
from ..fileio import read_text
from ..progress import warn
from .model import (CaseAnalysis, Clock, ClockGatingCheck, ClockGroups, Constraints, DisableTiming, DrivingCell,
                    GeneratedClock, GroupPath, PathException, PortDelay, TimingDerate, WireLoadChoice)
from .objects import SdcDesign
from .queries import Queries, SdcError, _err, parse_opts

__all__ = ["Clock", "GeneratedClock", "PortDelay", "DrivingCell", "PathException", "ClockGroups",
           "GroupPath", "TimingDerate", "DisableTiming", "CaseAnalysis", "ClockGatingCheck", "Constraints",
           "read_sdc"]

_SdcError = SdcError   # older name


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


_UNIT_PREFIX = {"M": 1e6, "k": 1e3, "": 1.0, "m": 1e-3, "u": 1e-6, "n": 1e-9, "p": 1e-12, "f": 1e-15}
_UNIT_SUFFIX = {"-time": "s", "-capacitance": "f", "-resistance": "ohm", "-voltage": "v",
                "-current": "a", "-power": "w", "-distance": "m"}


def _unit_scale(key: str, value: str) -> float:
    """An OpenSTA ``set_units`` value (``ns``, ``1.0fF``, ``10ps``, ``kOhm``) as a scale in SI units."""
    suffix = _UNIT_SUFFIX[key]
    if not value.lower().endswith(suffix):
        raise _err(f"set_units: incorrect unit suffix in '{value}' (expected '...{suffix}')")
    m = re.fullmatch(r"(10*\.?0*)?([Mkmunpf])?", value[:len(value) - len(suffix)])
    if not m:
        raise _err(f"set_units: unknown unit prefix in '{value}'")
    return float(m.group(1) or 1) * _UNIT_PREFIX[m.group(2) or ""]


_TCL_PRELUDE = r"""
namespace eval ::finevh_sdc {}
proc ::finevh_sdc::where {} {
    for {set l [expr {[info frame] - 1}]} {$l > 0} {incr l -1} {
        set f [info frame $l]
        if {[dict get $f type] eq "source" && [dict exists $f file]} {
            return [list [dict get $f file] [dict get $f line]]
        }
    }
    return [list "" 0]
}
proc foreach_in_collection {var coll body} {
    uplevel 1 [list foreach $var $coll $body]
}
rename puts ::finevh_sdc::tcl_puts
proc puts {args} {
    # an SDC's messages go to stderr: stdout belongs to the tool (--json)
    set nl [expr {[lindex $args 0] eq "-nonewline"}]
    set rest [lrange $args $nl end]
    if {[llength $rest] == 1 || ([llength $rest] == 2 && [lindex $rest 0] in {stdout stderr})} {
        return [::finevh_sdc::puts [lindex $rest end] $nl]
    }
    return [::finevh_sdc::tcl_puts {*}$args]
}
proc exit {{code 0}} {
    error "exit $code called in the SDC"
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

#: commands accepted and ignored without a warning (reporting / OpenSTA bookkeeping)
_QUIET = ("set_hierarchy_separator",)
#: accepted, no effect on anything finevh computes; one warning per command
_IGNORED = ("set_ideal_network", "set_ideal_net", "set_max_area",
            "set_wire_load_mode", "set_operating_conditions", "set_min_pulse_width",
            "set_max_time_borrow", "set_sense", "set_clock_sense", "set_data_check", "set_drive",
            "set_fanout_load", "set_logic_zero", "set_logic_one", "set_logic_dc", "set_resistance",
            "set_port_fanout_number", "set_min_capacitance", "set_ideal_latency", "set_ideal_transition",
            "set_voltage")


class _Reader(Queries):
    def __init__(self, path: str, d: SdcDesign, literal: set[str], time_unit_ns: float, cap_unit_pf: float,
                 design: str | None):
        self.path = path
        for p, dr in d.ports.items():
            if dr not in ("input", "output", "inout"):
                raise ValueError(f"port {p}: direction must be input/output/inout, got {dr!r}")
        self.d = d
        self.literal = literal
        self.c = Constraints(source=path, design=design, time_unit_ns=time_unit_ns, cap_unit_pf=cap_unit_pf)
        self.t_scale = time_unit_ns
        self.c_scale = cap_unit_pf
        self.line = 0
        self.file = path
        self.error: InputError | None = None
        self.bug: Exception | None = None
        self.warned: set[str] = set()
        self.tcl = tkinter.Tcl()
        self.tcl.createcommand("::finevh_sdc::call", self._call)
        self.tcl.createcommand("::finevh_sdc::puts", self._puts)
        self.tcl.eval(_TCL_PRELUDE)
        exc = {"set_false_path": "false", "set_max_delay": "max_delay", "set_min_delay": "min_delay",
               "set_multicycle_path": "multicycle"}
        self.handlers: dict[str, Callable[[list[str]], object]] = {
            "create_clock": self.create_clock,
            "create_generated_clock": self.create_generated_clock,
            "set_input_delay": lambda a: self.io_delay("set_input_delay", a),
            "set_output_delay": lambda a: self.io_delay("set_output_delay", a),
            "set_load": self.set_load,
            "set_driving_cell": self.set_driving_cell,
            "set_wire_load_model": self.set_wire_load_model,
            "set_input_transition": self.set_input_transition,
            **{k: (lambda a, k=k, v=v: self.exception(k, v, a)) for k, v in exc.items()},
            "group_path": self.group_path,
            "set_timing_derate": self.set_timing_derate,
            "set_disable_timing": self.set_disable_timing,
            "set_case_analysis": self.set_case_analysis,
            "set_clock_gating_check": self.set_clock_gating_check,
            "set_disable_inferred_clock_gating": self.set_disable_inferred_clock_gating,
            "set_clock_uncertainty": self.set_clock_uncertainty,
            "set_clock_transition": self.set_clock_transition,
            "set_clock_latency": self.set_clock_latency,
            "set_propagated_clock": self.set_propagated_clock,
            "set_clock_groups": self.set_clock_groups,
            "set_max_fanout": lambda a: self.limit("set_max_fanout", "max_fanout", a),
            "set_max_transition": lambda a: self.limit("set_max_transition", "max_transition", a),
            "set_max_capacitance": lambda a: self.limit("set_max_capacitance", "max_capacitance", a),
            "get_ports": lambda a: self.get_objects("get_ports", "port", a),
            "get_pins": lambda a: self.get_objects("get_pins", "pin", a),
            "get_cells": lambda a: self.get_objects("get_cells", "cell", a),
            "get_nets": lambda a: self.get_objects("get_nets", "net", a),
            "get_clocks": lambda a: self.get_objects("get_clocks", "clock", a),
            "get_lib_cells": lambda a: self.get_objects("get_lib_cells", "lib_cell", a),
            "all_inputs": self.all_inputs,
            "all_outputs": self.all_outputs,
            "all_registers": self.all_registers,
            "all_clocks": lambda a: tuple("clock:" + n for n in self.all_clock_names()),
            "current_design": self.current_design,
            "set_units": self.set_units,
            "get_object_name": self.object_names,
            "get_name": self.object_names,
            "get_full_name": self.object_names,
            "sizeof_collection": lambda a: str(len(self.objects(a))),
            "delete_from_list": self.delete_from_list,
            "remove_from_collection": self.remove_from_collection,
            "add_to_collection": self.add_to_collection,
            "__unsupported": self.unsupported,
            **{k: (lambda a: "") for k in _QUIET},
            **{k: (lambda a, k=k: self.ignored(k)) for k in _IGNORED},
        }
        for alias, name in (("get_port", "get_ports"), ("get_pin", "get_pins"), ("get_cell", "get_cells"),
                            ("get_net", "get_nets"), ("get_clock", "get_clocks"), ("get_lib_cell", "get_lib_cells")):
            self.handlers[alias] = self.handlers[name]
        for name in self.handlers:
            if not name.startswith("__"):
                self.tcl.eval(f"proc {name} {{args}} {{ ::finevh_sdc::call {name} [::finevh_sdc::where] $args }}")

    # ----------------------------------------------------------------- plumbing
    def _call(self, name: str, where: str, args: str):
        f, ln = self.tcl.splitlist(where)
        self.file = f or self.path
        self.line = int(ln) if ln.isdigit() else 0
        try:
            res = self.handlers[name](list(self.tcl.splitlist(args)))
        except SdcError as e:
            self.error = InputError(str(e), self.file, self.line or None)
            raise
        except InputError as e:
            self.error = e
            raise
        except Exception as e:       # a bug, not bad input: re-raised as is by run()
            self.bug = e
            raise
        return "" if res is None else res

    @staticmethod
    def _puts(text: str, nonewline: str) -> str:
        sys.stderr.write(text if nonewline == "1" else text + "\n")
        sys.stderr.flush()
        return ""

    def warn(self, msg: str) -> None:
        self.c.warnings.append(f"{self.file}:{self.line}: {msg}")
        warn(msg, self.file, self.line or None)

    def run(self) -> Constraints:
        try:
            self.tcl.call("source", self.path)
        except tkinter.TclError as e:
            if self.bug is not None:
                raise self.bug
            if self.error is not None:
                raise self.error from None
            info = self.tcl.eval("set ::errorInfo")
            where = re.findall(r'\(file "([^"]*)" line (\d+)\)', info)
            path, line = (where[0][0], int(where[0][1])) if where else (self.path, None)
            if line is None:
                m = re.findall(r"line (\d+)\)", info)
                line = int(m[-1]) if m else None
            raise InputError(f"Tcl error: {str(e).splitlines()[0] if str(e) else 'error'}", path, line) from None
        return self.c

    def number(self, cmd: str, v: str, nonneg: bool = False) -> float:
        """A finite number (>= 0 with ``nonneg``) in the SDC's own units."""
        try:
            x = float(v)
        except (TypeError, ValueError):
            raise _err(f"{cmd}: expected a number, got '{v}'") from None
        if not math.isfinite(x):
            raise _err(f"{cmd}: expected a finite number, got '{v}'")
        if nonneg and x < 0:
            raise _err(f"{cmd}: must be >= 0, got '{v}'")
        return x

    def time(self, cmd: str, v: str, nonneg: bool = False) -> float:
        """A time in ns (finite; >= 0 with ``nonneg``)."""
        return self.number(cmd, v, nonneg) * self.t_scale

    def cap(self, cmd: str, v: str, nonneg: bool = True) -> float:
        """A capacitance in pF (finite, >= 0 unless told otherwise)."""
        return self.number(cmd, v, nonneg) * self.c_scale

    def value(self, cmd: str, pos: list[str]) -> tuple[str, list[str]]:
        if not pos:
            raise _err(f"{cmd}: missing value")
        return pos[0], pos[1:]

    # ----------------------------------------------------------------- design
    def current_design(self, args: list[str]):
        if args:
            if self.c.design is not None and args[0] != self.c.design:
                self.warn("current_design for other than the top cell is not supported")
            else:
                self.c.design = args[0]
        return self.c.design or ""

    def set_units(self, args: list[str]):
        o = parse_opts("set_units", args, tuple(_UNIT_SUFFIX), ())
        if o.pos:
            raise _err(f"set_units: unexpected argument '{o.pos[0]}'")
        lib = {"-time": self.t_scale * 1e-9, "-capacitance": self.c_scale * 1e-12}
        for key in _UNIT_SUFFIX:
            if key in o.flags:
                scale = _unit_scale(key, str(o.flags[key]))
                if key in lib and not math.isclose(scale, lib[key], rel_tol=1e-6):
                    self.warn(f"set_units: {key[1:]} scale {scale:.0e} does not match library scale "
                              f"{lib[key]:.0e}; the library unit is used")

    # ----------------------------------------------------------------- clocks
    def create_clock(self, args: list[str]):
        o = parse_opts("create_clock", args, ("-name", "-period", "-waveform", "-comment"), ("-add",))
        if "-period" not in o.flags:
            raise _err("create_clock: -period is required")
        period = self.time("create_clock", str(o.flags["-period"]))
        if period <= 0:
            raise _err(f"create_clock: period must be positive, got {o.flags['-period']}")
        sources = self.typed("create_clock", o.pos, ("port", "pin", "net"))
        name = str(o.flags.get("-name") or (sources[0].split(":", 1)[1] if sources else ""))
        if not name:
            raise _err("create_clock: a virtual clock needs -name")
        if "-waveform" in o.flags:
            edges = tuple(self.time("create_clock -waveform", v) for v in self.tcl.splitlist(str(o.flags["-waveform"])))
            if len(edges) < 2 or len(edges) % 2 or any(b < a for a, b in zip(edges, edges[1:])):
                raise _err("create_clock: -waveform needs an even number of increasing edges")
        else:
            edges = (0.0, period / 2)
        if name in self.c.clocks and "-add" not in o.flags:
            self.warn(f"create_clock: clock '{name}' redefined")
        self.c.clocks[name] = Clock(name, period, edges, sources, self.line)
        return "clock:" + name

    def create_generated_clock(self, args: list[str]):
        o = parse_opts("create_generated_clock", args, ("-name", "-source", "-divide_by", "-multiply_by",
                                                        "-master_clock", "-edges", "-duty_cycle", "-comment",
                                                        "-edge_shift"),
                       ("-invert", "-add", "-combinational"))
        if "-source" not in o.flags:
            raise _err("create_generated_clock: -source is required")
        targets = self.typed("create_generated_clock", o.pos, ("port", "pin"))
        src = self.typed("create_generated_clock", [str(o.flags["-source"])], ("port", "pin"))
        name = str(o.flags.get("-name") or (targets[0].split(":", 1)[-1] if targets else ""))
        if not name:
            raise _err("create_generated_clock: needs -name or a target")
        try:
            div = int(str(o.flags.get("-divide_by", 1)))
            mul = int(str(o.flags.get("-multiply_by", 1)))
        except ValueError:
            raise _err("create_generated_clock: -divide_by/-multiply_by need integers") from None
        if div < 1 or mul < 1:
            raise _err("create_generated_clock: -divide_by/-multiply_by must be >= 1")
        master = o.flags.get("-master_clock")
        if master is None and src:
            master = next((c.name for c in self.c.clocks.values() if src[0] in c.sources), None)
        gc = GeneratedClock(name, src[0] if src else "", targets, str(master) if master else None,
                            div, mul, "-invert" in o.flags, self.line)
        self.c.generated_clocks[name] = gc
        if master and str(master) in self.c.clocks:
            period = self.c.clocks[str(master)].period * div / mul
            self.c.clocks[name] = Clock(name, period, (0.0, period / 2), list(targets), self.line)
        return "clock:" + name

    def clock_objects(self, cmd: str, objs: list[str]) -> tuple[list[str], list[str]]:
        """(clock names, port/pin objects) of a clock attribute command's object list."""
        clocks, others = [], []
        for o in self.typed(cmd, objs, ("clock", "port", "pin")):
            k, n = o.split(":", 1)
            (clocks if k == "clock" else others).append(n if k == "clock" else o)
        return clocks, others

    def set_clock_uncertainty(self, args: list[str]):
        o = parse_opts("set_clock_uncertainty", args,
                       ("-from", "-to", "-rise_from", "-fall_from", "-rise_to", "-fall_to"),
                       ("-setup", "-hold", "-rise", "-fall"))
        v, objs = self.value("set_clock_uncertainty", o.pos)
        u = self.time("set_clock_uncertainty", v, nonneg=True)
        setup, hold = "-setup" in o.flags, "-hold" in o.flags
        su, ho = setup or not hold, hold or not setup
        frm = o.flags.get("-from") or o.flags.get("-rise_from") or o.flags.get("-fall_from")
        to = o.flags.get("-to") or o.flags.get("-rise_to") or o.flags.get("-fall_to")
        if frm is not None or to is not None:
            if frm is None or to is None:
                raise _err("set_clock_uncertainty: -from needs -to")
            for a in self.clock_names("set_clock_uncertainty", [str(frm)]):
                for b in self.clock_names("set_clock_uncertainty", [str(to)]):
                    self.c.inter_clock_uncertainty.append((a, b, u, su, ho))
            return
        clocks, others = self.clock_objects("set_clock_uncertainty", objs)
        if others:
            self.warn("set_clock_uncertainty on pins/ports is not supported; ignored")
        for n in clocks:
            if su:
                self.c.clocks[n].uncertainty_setup = u
            if ho:
                self.c.clocks[n].uncertainty_hold = u

    def set_clock_transition(self, args: list[str]):
        o = parse_opts("set_clock_transition", args, (), ("-rise", "-fall", "-min", "-max"))
        v, objs = self.value("set_clock_transition", o.pos)
        t = self.time("set_clock_transition", v, nonneg=True)
        for n in self.clock_names("set_clock_transition", objs):
            self.c.clocks[n].transition = t

    def set_clock_latency(self, args: list[str]):
        o = parse_opts("set_clock_latency", args, ("-clock",), ("-source", "-rise", "-fall", "-min", "-max",
                                                                "-early", "-late"))
        v, objs = self.value("set_clock_latency", o.pos)
        t = self.time("set_clock_latency", v)
        clocks, others = self.clock_objects("set_clock_latency", objs)
        if others:
            self.warn("set_clock_latency on pins/ports is not supported; ignored")
        for n in clocks:
            if "-source" in o.flags:
                self.c.clocks[n].source_latency = t
            else:
                self.c.clocks[n].latency = t

    def set_propagated_clock(self, args: list[str]):
        clocks, others = self.clock_objects("set_propagated_clock", args)
        for n in clocks:
            self.c.clocks[n].propagated = True
        for obj in others:
            for c in self.c.clocks.values():
                if obj in c.sources:
                    c.propagated = True

    def set_clock_groups(self, args: list[str]):
        o = parse_opts("set_clock_groups", args, ("-name", "-comment"),
                       ("-asynchronous", "-logically_exclusive", "-physically_exclusive", "-allow_paths"),
                       repeat=("-group",))
        kinds = [k[1:] for k in ("-asynchronous", "-logically_exclusive", "-physically_exclusive") if k in o.flags]
        if len(kinds) != 1:
            raise _err("set_clock_groups: needs one of -asynchronous, -logically_exclusive, -physically_exclusive")
        if o.pos:
            raise _err(f"set_clock_groups: unexpected argument '{o.pos[0]}'")
        groups = [self.clock_names("set_clock_groups", [g]) for g in o.flags.get("-group", [])]  # type: ignore[union-attr]
        if not groups:
            raise _err("set_clock_groups: needs -group")
        self.c.clock_groups.append(ClockGroups(kinds[0], groups, self.line, o.flags.get("-name"),  # type: ignore[arg-type]
                                               "-allow_paths" in o.flags, self.file))

    # ----------------------------------------------------------------- ports
    def io_delay(self, cmd: str, args: list[str]):
        o = parse_opts(cmd, args, ("-clock", "-reference_pin"),
                       ("-clock_fall", "-level_sensitive", "-rise", "-fall", "-max", "-min", "-add_delay",
                        "-network_latency_included", "-source_latency_included"))
        if len(o.pos) != 2:
            raise _err(f"{cmd}: expected a delay and a list of ports or pins")
        v, objs = self.value(cmd, o.pos)
        delay = self.time(cmd, v)
        clock = None
        if "-clock" in o.flags:
            clock = self.clock_names(cmd, [str(o.flags["-clock"])])[0]
        ports = []
        for obj in self.typed(cmd, objs, ("port", "pin")):
            k, n = obj.split(":", 1)
            if k == "pin":
                self.warn(f"{cmd} on an instance pin is not supported; '{n}' ignored")
            else:
                ports.append(n)
        want = ("input", "inout") if cmd == "set_input_delay" else ("output", "inout")
        mn, mx = "-min" in o.flags, "-max" in o.flags
        rs, fl = "-rise" in o.flags, "-fall" in o.flags
        dst = self.c.input_delays if cmd == "set_input_delay" else self.c.output_delays
        new: dict[str, PortDelay] = {}
        for p in ports:
            if self.d.ports[p] not in want:
                raise _err(f"{cmd}: port '{p}' is an {self.d.ports[p]}")
            new[p] = PortDelay(p, clock, delay, "-clock_fall" in o.flags, mn or not mx, mx or not mn,
                               rs or not fl, fl or not rs, "-add_delay" in o.flags, self.line)
        # As OpenSTA: a value for the same clock and clock edge replaces the earlier one on
        # the sides (min/max, rise/fall) it sets; without -add_delay the port's delays
        # relative to other clocks or edges are removed too.
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
        o = parse_opts("set_load", args, ("-corner",), ("-pin_load", "-wire_load", "-subtract_pin_load", "-min",
                                                       "-max", "-rise", "-fall"))
        v, objs = self.value("set_load", o.pos)
        c = self.cap("set_load", v)
        wire = "-wire_load" in o.flags
        for t in self.typed("set_load", objs, ("port", "net")):
            k, n = t.split(":", 1)
            if k == "net":
                self.warn(f"set_load on net '{n}' is not supported; ignored")
                continue
            (self.c.wire_loads if wire else self.c.loads)[n] = c

    def set_wire_load_model(self, args: list[str]):
        o = parse_opts("set_wire_load_model", args, ("-name", "-library"), ("-min", "-max"))
        name = o.flags.get("-name")
        if not name:
            raise SdcError("set_wire_load_model: -name is required")
        if o.pos:
            self.warn("set_wire_load_model on objects is not supported: the model applies to every net")
        lib = o.flags.get("-library")
        if lib is not None:
            lib = str(lib).split(":", 1)[-1] if str(lib).startswith("lib:") else str(lib)
        self.c.wire_load_model = WireLoadChoice(str(name), lib, self.file, self.line)

    def set_driving_cell(self, args: list[str]):
        o = parse_opts("set_driving_cell", args, ("-lib_cell", "-library", "-pin", "-from_pin", "-multiply_by",
                                                  "-input_transition_rise", "-input_transition_fall"),
                       ("-rise", "-fall", "-min", "-max", "-dont_scale", "-no_design_rule", "-cell"))
        cell = o.flags.get("-lib_cell")
        pos = list(o.pos)
        if cell is None:
            if "-cell" in o.flags and pos:
                cell = pos.pop(0)
            else:
                raise _err("set_driving_cell: -lib_cell is required")
        for opt in ("-input_transition_rise", "-input_transition_fall"):
            if opt in o.flags:
                self.time(f"set_driving_cell {opt}", str(o.flags[opt]), nonneg=True)
        if "-multiply_by" in o.flags:
            self.number("set_driving_cell -multiply_by", str(o.flags["-multiply_by"]), nonneg=True)
        dc = DrivingCell(str(cell), o.flags.get("-pin"), o.flags.get("-from_pin"), o.flags.get("-library"), self.line)  # type: ignore[arg-type]
        ports = self.port_names("set_driving_cell", pos)
        if not ports:
            raise _err("set_driving_cell: no ports given")
        for p in ports:
            self.c.driving_cells[p] = dc

    def set_input_transition(self, args: list[str]):
        o = parse_opts("set_input_transition", args, ("-clock",), ("-rise", "-fall", "-min", "-max", "-clock_fall"))
        v, objs = self.value("set_input_transition", o.pos)
        t = self.time("set_input_transition", v, nonneg=True)
        for p in self.port_names("set_input_transition", objs):
            self.c.input_transitions[p] = t

    # ----------------------------------------------------------------- exceptions
    _ENDS = ("-from", "-rise_from", "-fall_from", "-to", "-rise_to", "-fall_to")
    _THRU = ("-through", "-rise_through", "-fall_through")

    def path_spec(self, cmd: str, args: list[str], valued: tuple, boolean: tuple):
        """Options, (from, from_rf), [(through, rf)], (to, to_rf) of an exception-like command."""
        # -through may repeat and its order matters: take them out first
        rest, thrus = [], []
        i = 0
        while i < len(args):
            if args[i] in self._THRU:
                if i + 1 >= len(args):
                    raise _err(f"{cmd}: option {args[i]} needs a value")
                thrus.append((args[i], args[i + 1]))
                i += 2
            else:
                rest.append(args[i])
                i += 1
        o = parse_opts(cmd, rest, valued + self._ENDS, boolean)
        ends = {}
        for side in ("from", "to"):
            keys = [k for k in (f"-{side}", f"-rise_{side}", f"-fall_{side}") if k in o.flags]
            if len(keys) > 1:
                raise _err(f"{cmd}: only one of -{side}, -rise_{side}, -fall_{side}")
            if keys:
                objs = self.typed(f"{cmd} {keys[0]}", [str(o.flags[keys[0]])], ("clock", "cell", "port", "pin"))
                if not objs:
                    raise _err(f"{cmd}: no objects for {keys[0]}")
                ends[side] = (objs, "rise_fall" if keys[0] == f"-{side}" else keys[0][1:].split("_")[0])
            else:
                ends[side] = ([], "rise_fall")
        through = []
        for k, a in thrus:
            objs = self.typed(f"{cmd} {k}", [a], ("cell", "port", "pin", "net"))
            if not objs:
                raise _err(f"{cmd}: no objects for {k}")
            through.append((objs, "rise_fall" if k == "-through" else k[1:].split("_")[0]))
        return o, ends["from"], through, ends["to"]

    def exception(self, cmd: str, kind: str, args: list[str]):
        boolean = ("-setup", "-hold", "-rise", "-fall", "-reset_path")
        if kind in ("max_delay", "min_delay"):
            boolean = ("-rise", "-fall", "-reset_path", "-ignore_clock_latency", "-probe")
        elif kind == "multicycle":
            boolean += ("-start", "-end")
        o, (frm, frf), thru, (to, trf) = self.path_spec(cmd, args, ("-comment",), boolean)
        value: float | None = None
        pos = o.pos
        if kind != "false":
            v, pos = self.value(cmd, pos)
            if kind == "multicycle":
                value = self.number(cmd, v, nonneg=True)
                if value != int(value):
                    raise _err(f"{cmd}: a whole number of cycles is expected, got '{v}'")
            else:
                value = self.time(cmd, v)
        if pos:
            raise _err(f"{cmd}: unexpected argument '{pos[0]}'")
        if not (frm or to or thru):
            raise _err(f"{cmd}: needs -from, -to or -through")
        setup, hold = "-setup" in o.flags, "-hold" in o.flags
        rs, fl = "-rise" in o.flags, "-fall" in o.flags
        self.c.exceptions.append(PathException(
            kind, value, frm, [t for t, _ in thru], to, setup or not hold, hold or not setup, self.line,
            frf, [r for _, r in thru], trf, "rise" if rs and not fl else "fall" if fl and not rs else "rise_fall",
            "-start" in o.flags, "-end" in o.flags, "-ignore_clock_latency" in o.flags, "-reset_path" in o.flags,
            o.flags.get("-comment"), self.file))  # type: ignore[arg-type]

    def group_path(self, args: list[str]):
        o, (frm, _), thru, (to, _) = self.path_spec("group_path", args, ("-name", "-weight", "-critical_range",
                                                                         "-comment"), ("-default",))
        if o.pos:
            raise _err("group_path: positional arguments are not supported")
        if not (frm or to or thru):
            raise _err("group_path: needs -from, -to or -through")
        if ("-name" in o.flags) == ("-default" in o.flags):
            raise _err("group_path: needs exactly one of -name and -default")
        w = self.number("group_path -weight", str(o.flags["-weight"])) if "-weight" in o.flags else None
        self.c.group_paths.append(GroupPath(o.flags.get("-name"), frm, [t for t, _ in thru], to, w,  # type: ignore[arg-type]
                                            self.line, self.file))

    def set_timing_derate(self, args: list[str]):
        o = parse_opts("set_timing_derate", args, (),
                       ("-early", "-late", "-rise", "-fall", "-clock", "-data", "-net_delay", "-cell_delay",
                        "-cell_check"))
        v, objs = self.value("set_timing_derate", o.pos)
        value = self.number("set_timing_derate", v)
        if value <= 0:
            raise _err(f"set_timing_derate: derating factor must be positive, got {v}")
        el = [k[1:] for k in ("-early", "-late") if k in o.flags]
        if len(el) != 1:
            raise _err("set_timing_derate: needs one of -early and -late")
        types = [k[1:] for k in ("-net_delay", "-cell_delay", "-cell_check") if k in o.flags]
        if len(types) > 1:
            raise _err("set_timing_derate: only one of -net_delay, -cell_delay, -cell_check")
        rs, fl = "-rise" in o.flags, "-fall" in o.flags
        cl, da = "-clock" in o.flags, "-data" in o.flags
        targets = self.typed("set_timing_derate", objs, ("lib_cell", "cell", "net")) if objs else []
        self.c.derates.append(TimingDerate(value, el[0], "rise" if rs and not fl else "fall" if fl and not rs
                                           else "rise_fall", "clock" if cl and not da else "data" if da and not cl
                                           else "both", types[0] if types else "delay", targets, self.line, self.file))

    def set_disable_timing(self, args: list[str]):
        o = parse_opts("set_disable_timing", args, ("-from", "-to"), ("-restore",))
        if not o.pos:
            raise _err("set_disable_timing: no objects given")
        objs = self.typed("set_disable_timing", o.pos, ("lib_cell", "cell", "port", "pin"))
        if ("-from" in o.flags or "-to" in o.flags) and any(not x.startswith(("cell:", "lib_cell:")) for x in objs):
            raise _err("set_disable_timing: -from/-to apply to cells only")
        self.c.disabled.append(DisableTiming(objs, o.flags.get("-from"), o.flags.get("-to"),  # type: ignore[arg-type]
                                             self.line, self.file))

    def set_case_analysis(self, args: list[str]):
        if len(args) != 2:
            raise _err("set_case_analysis: expected a value and a list of ports or pins")
        value = {"1": "1", "0": "0", "one": "1", "zero": "0", "rise": "rising", "rising": "rising",
                 "fall": "falling", "falling": "falling"}.get(args[0].lower())
        if value is None:
            raise _err(f"set_case_analysis: value must be 0, 1, zero, one, rise[ing] or fall[ing], got '{args[0]}'")
        objs = self.typed("set_case_analysis", [args[1]], ("port", "pin"))
        self.c.case_analysis.append(CaseAnalysis(value, objs, self.line, self.file))

    def set_clock_gating_check(self, args: list[str]):
        cmd = "set_clock_gating_check"
        o = parse_opts(cmd, args, ("-setup", "-hold"), ("-rise", "-fall", "-high", "-low"))
        if "-high" in o.flags and "-low" in o.flags:
            raise _err(f"{cmd}: cannot specify both -high and -low")
        if "-setup" not in o.flags and "-hold" not in o.flags:
            raise _err(f"{cmd}: missing -setup or -hold")
        if len(o.pos) > 1:
            raise _err(f"{cmd}: unexpected argument '{o.pos[1]}'")
        objs = self.typed(cmd, o.pos, ("clock", "cell", "pin")) if o.pos else []
        active = "1" if "-high" in o.flags else "0" if "-low" in o.flags else None
        if active is not None and (not objs or any(x.startswith("clock:") for x in objs)):
            raise _err(f"{cmd}: -high and -low only permitted for pins and instances")
        su, ho = (self.time(cmd, str(o.flags[k])) if k in o.flags else None for k in ("-setup", "-hold"))
        rise, fall = "-rise" in o.flags, "-fall" in o.flags
        self.c.clock_gating_checks.append(ClockGatingCheck(su, ho, objs, rise or not fall, fall or not rise, active,
                                                           self.line, self.file))

    def set_disable_inferred_clock_gating(self, args: list[str]):
        cmd = "set_disable_inferred_clock_gating"
        if len(args) != 1:
            raise _err(f"{cmd}: expected one list of cells or pins")
        self.c.disabled_clock_gating.extend(self.typed(cmd, args, ("cell", "pin")))

    # ----------------------------------------------------------------- design rules
    def limit(self, cmd: str, key: str, args: list[str]):
        o = parse_opts(cmd, args, (), ("-clock_path", "-data_path", "-rise", "-fall"))
        v, objs = self.value(cmd, o.pos)
        val = self.time(cmd, v, nonneg=True) if key == "max_transition" else self.cap(cmd, v) \
            if key == "max_capacitance" else self.number(cmd, v, nonneg=True)
        targets = []
        for obj in self.objects(objs):
            k, n = self.tag_of(obj)
            if k is None and (obj == self.c.design or obj == "design:" + str(self.c.design)):
                targets.append("design:" + (self.c.design or ""))
            elif k is None:
                targets.extend(self.typed(cmd, [obj], ("clock", "port")))
            else:
                targets.append(obj)
        for obj in targets or ["design:" + (self.c.design or "")]:
            self.c.limits.setdefault(key, []).append((val, obj))

    def object_names(self, args: list[str]):
        """Names of objects: a string for one object (OpenSTA), a list for several (PrimeTime)."""
        names = tuple(self.tag_of(o)[1] for o in self.objects(args))
        return names[0] if len(names) == 1 else names

    def ignored(self, name: str):
        if name not in self.warned:
            self.warned.add(name)
            self.warn(f"{name} has no effect in finevh; ignored")
        return ""

    def unsupported(self, args: list[str]):
        name = args[0] if args else "?"
        self.warn(f"unsupported SDC command '{name}' ignored")


def read_sdc(path: str | Path, ports: Mapping[str, str] | None = None, *, netlist: SdcDesign | None = None,
             pins: Sequence[str] | None = None, cells: Sequence[str] | None = None,
             nets: Sequence[str] | None = None, time_unit_ns: float = 1.0, cap_unit_pf: float = 1.0,
             design: str | None = None) -> Constraints:
    """Evaluate an SDC file in Tcl and return its constraints (ns, pF).

    ``netlist`` (an :class:`SdcDesign`, e.g. ``SdcDesign.from_design(design)``) gives
    every object an SDC can name: ports, instances with their library cells (for
    ``all_registers``, ``ref_name``), pins, nets. Without it, ``ports`` maps each
    top-level port (bus bits as ``a[3]``) to ``input``/``output``/``inout`` and
    ``pins`` (``inst/PIN``), ``cells`` and ``nets``, when given, validate the
    ``get_*`` patterns (when None, those commands take names literally).
    ``time_unit_ns``/``cap_unit_pf`` are the library units the SDC values are in.
    """
    p = str(path)
    text = read_text(p)   # missing/unreadable file -> InputError
    if "\x00" in text:   # Tcl cannot hold NUL bytes: binary garbage, not an SDC file
        raise InputError("binary content (NUL byte): not an SDC file", p, text.count("\n", 0, text.index("\x00")) + 1)
    literal: set[str] = set()
    if netlist is None:
        if ports is None:
            raise ValueError("read_sdc needs ports or netlist")
        netlist = SdcDesign(dict(ports), list(cells or []), [""] * len(cells or []), list(nets or []),
                            extra_pins=list(pins or []))
        literal = {k for k, v in (("pin", pins), ("cell", cells), ("net", nets)) if v is None}
    r = _Reader(p, netlist, literal, time_unit_ns, cap_unit_pf, design)
    return r.run()
