"""Timing constraints resolved onto a design's terminals (what the timer consumes).

:class:`TimingConstraints` is built from the SDC model (:func:`from_sdc`) or directly
(tests, the Vdd-selection loop). Object names are resolved to terminal ids of the
:class:`~finevh.design.Design`: ``0..P-1`` instance pins, ``P..P+n_ports-1`` ports.

Units: ns, pF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import progress
from ..errors import InputError
from ..validate import finite, finite_nonneg, finite_pos


@dataclass
class Clock:
    name: str
    period: float                          # ns
    rise: float = 0.0                      # waveform: time of the rising edge (ns)
    fall: float | None = None              # time of the falling edge (default period/2)
    sources: list[int] = field(default_factory=list)   # terminal ids
    transition: tuple[float, float] = (0.0, 0.0)       # ideal clock slew rise/fall (ns)
    setup_uncertainty: float = 0.0         # ns, subtracted from required times
    hold_uncertainty: float = 0.0          # ns, added to hold required times
    propagated: bool = False               # set_propagated_clock: latency = clock-network delay
    latency: float = 0.0                   # ns, ideal network latency (set_clock_latency)
    source_latency: float = 0.0            # ns, set_clock_latency -source

    def edge_time(self, rf: int) -> float:
        """Time of the rising (rf=0) or falling (rf=1) edge of the first period."""
        if rf == 0:
            return self.rise
        return self.fall if self.fall is not None else self.rise + self.period / 2.0


@dataclass
class PortDelay:
    terminal: int
    clock: int | None                      # index into clocks; None = unclocked
    clock_fall: bool = False               # relative to the clock's falling edge
    rise: float = 0.0                      # ns (max / setup)
    fall: float = 0.0


@dataclass
class DrivingCell:
    cell: Any                               # finevh.liberty.model.Cell
    from_pin: str | None = None
    pin: str | None = None
    input_transition: tuple[float, float] = (0.0, 0.0)


@dataclass
class GatingMargins:
    """``set_clock_gating_check`` resolved onto terminals, instances and clocks: margins
    (ns) by scope, each a dict ``(enable rf, setup) -> margin``; active values (-high 1,
    -low 0) by terminal and instance (see :mod:`finevh.timing.gating`)."""

    design: dict = field(default_factory=dict)
    clock: dict = field(default_factory=dict)        # clock index -> {(rf, setup): ns}
    pin: dict = field(default_factory=dict)          # terminal -> {(rf, setup): ns}
    inst: dict = field(default_factory=dict)         # instance -> {(rf, setup): ns}
    pin_active: dict = field(default_factory=dict)   # terminal -> 0/1
    inst_active: dict = field(default_factory=dict)  # instance -> 0/1
    #: set_disable_inferred_clock_gating: enable or clock pins, and gate instances
    off_pins: set = field(default_factory=set)
    off_insts: set = field(default_factory=set)


@dataclass
class TimingConstraints:
    clocks: list[Clock] = field(default_factory=list)
    input_delays: list[PortDelay] = field(default_factory=list)
    output_delays: list[PortDelay] = field(default_factory=list)
    input_delays_min: list[PortDelay] = field(default_factory=list)    # min (hold) side
    output_delays_min: list[PortDelay] = field(default_factory=list)
    port_load: dict[int, float] = field(default_factory=dict)          # terminal -> pF
    input_transition: dict[int, tuple[float, float]] = field(default_factory=dict)
    driving_cell: dict[int, DrivingCell] = field(default_factory=dict)
    false_to: set[int] = field(default_factory=set)                   # endpoint terminals
    false_clock_pairs: set[tuple[int, int]] = field(default_factory=set)  # (launch, capture)
    #: other path exceptions (finevh.timing.exceptions.PathExc), applied by the search
    exceptions: list = field(default_factory=list)
    disabled: "DisabledArcs | None" = None                            # set_disable_timing
    case_nets: dict[int, int] = field(default_factory=dict)           # set_case_analysis: net -> 0/1
    derates: list["Derate"] = field(default_factory=list)             # set_timing_derate
    #: set_wire_load_model (finevh.constraints.model.WireLoadChoice), applied by the loader
    wire_load_model: object = None
    #: set_clock_gating_check (margins and active values of the clock-gating checks), None without
    gating: "GatingMargins | None" = None


@dataclass
class DisabledArcs:
    """``set_disable_timing`` on terminals: every arc from or to ``terms`` (pins, ports);
    every arc and check of the instances ``insts``; the arcs ``(instance, from terminal,
    to terminal)`` (-1: any pin) of ``-from``/``-to`` on cells and library cells."""

    terms: set[int] = field(default_factory=set)
    insts: set[int] = field(default_factory=set)
    arcs: list[tuple[int, int, int]] = field(default_factory=list)


@dataclass
class Derate:
    """``set_timing_derate``: ``factor`` on the delays of one search (``early``: min /
    hold, else max / setup) of cell arcs (``cell``) or wires (``net``), rise and/or fall
    output transitions (``rf``: 0, 1, -1 both), clock and/or data paths; ``insts``: the
    instances it is restricted to (None: the whole design)."""

    factor: float
    early: bool
    cell: bool = True
    net: bool = True
    rf: int = -1
    clock: bool = True
    data: bool = True
    insts: frozenset | None = None


class TerminalNames:
    """Name <-> terminal id of a design ("inst/PIN" or port name)."""

    def __init__(self, design) -> None:
        nl = design.netlist
        self.design = design
        self.n_pins = int(nl.pin_ptr[-1])
        self._port = {n: self.n_pins + i for i, n in enumerate(nl.port_names)}
        self._inst = None
        self._net = None

    def port(self, name: str) -> int | None:
        return self._port.get(name)

    def pin(self, name: str) -> int | None:
        if self._inst is None:
            self._inst = self.design.inst_index
        inst, _, pin = name.rpartition("/")
        i = self._inst.get(inst)
        if i is None:
            return None
        nl = self.design.netlist
        for p in range(int(nl.pin_ptr[i]), int(nl.pin_ptr[i + 1])):
            if nl.pin_names[nl.pin_name[p]] == pin:
                return p
        return None

    def instance(self, name: str) -> int | None:
        """Index of the instance ``name`` (None if absent)."""
        if self._inst is None:
            self._inst = self.design.inst_index
        return self._inst.get(name)

    def net_terms(self, name: str) -> list[int]:
        """Terminals on the net ``name`` (aliases followed; empty if absent)."""
        nl = self.design.netlist
        if self._net is None:
            self._net = {n: i for i, n in enumerate(nl.net_names)}
        m = self._net.get(nl.net_aliases.get(name, name))
        if m is None:
            return []
        d = self.design
        return d.net_terms[int(d.net_term_ptr[m]):int(d.net_term_ptr[m + 1])].tolist()

    def lookup(self, name: str) -> int | None:
        t = self.port(name)
        return t if t is not None else self.pin(name)

    def names(self, terms) -> list[str]:
        """Names of many terminals (vectorised instance look-up)."""
        nl = self.design.netlist
        terms = np.asarray(terms, dtype=np.int64)
        inst = np.searchsorted(nl.pin_ptr, terms, side="right") - 1
        out = []
        for t, i in zip(terms.tolist(), inst.tolist()):
            if t >= self.n_pins:
                out.append(nl.port_names[t - self.n_pins])
            else:
                out.append(f"{nl.inst_names[i]}/{nl.pin_names[nl.pin_name[t]]}")
        return out

    def name(self, term: int) -> str:
        nl = self.design.netlist
        if term >= self.n_pins:
            return nl.port_names[term - self.n_pins]
        inst = int(np.searchsorted(nl.pin_ptr, term, side="right") - 1)
        return f"{nl.inst_names[inst]}/{nl.pin_names[nl.pin_name[term]]}"


def _untag(obj: str) -> str:
    return obj.split(":", 1)[1] if ":" in obj and obj.split(":", 1)[0] in ("port", "pin", "cell", "net", "clock") else obj


def from_sdc(sdc, design, libset=None) -> TimingConstraints:
    """Resolve a :class:`finevh.constraints.sdc.Constraints` onto ``design``'s terminals.

    Resolved here: clocks (period, waveform, ``set_clock_transition``, uncertainty,
    latency, propagation), input/output delays (rise/fall, ``-clock_fall``, min/max),
    ``set_load`` (pin and wire load on ports), ``set_input_transition``,
    ``set_driving_cell`` (needs ``libset``), clock-pair and ``-to`` false paths and
    ``set_clock_groups``; the other path exceptions (:mod:`finevh.timing.exceptions`,
    applied by the search), ``set_disable_timing``, ``set_case_analysis``,
    ``set_timing_derate``, ``set_clock_gating_check`` and ``set_wire_load_model``
    (applied by the loader) are carried on the result. ``group_path`` has no effect on slack.
    """
    names = TerminalNames(design)
    tc = TimingConstraints()
    src = getattr(sdc, "source", None) or None

    def resolve(objs, what: str) -> list[int]:
        out = []
        for o in ([objs] if isinstance(objs, str) else objs):
            t = names.lookup(_untag(str(o)))
            if t is None:
                raise InputError(f"{what}: no port or pin '{_untag(str(o))}' in design '{design.netlist.top}'", src)
            out.append(t)
        return out

    clk_index: dict[str, int] = {}
    for name, c in sdc.clocks.items():
        wf = list(c.waveform) if c.waveform else [0.0, c.period / 2.0]
        rise, fall = float(wf[0]), float(wf[1]) if len(wf) > 1 else float(wf[0]) + c.period / 2.0
        tr = float(c.transition) if c.transition is not None else 0.0
        unc = float(c.uncertainty_setup or 0.0)
        line = getattr(c, "line", 0) or None
        period = finite_pos(c.period, f"clock '{name}' period", src, line)
        rise, fall = (finite(x, f"clock '{name}' waveform", src, line) for x in (rise, fall))
        tr = finite_nonneg(tr, f"clock '{name}' transition", src, line)
        unc = finite_nonneg(unc, f"clock '{name}' setup uncertainty", src, line)
        unc_hold = finite_nonneg(c.uncertainty_hold or 0.0, f"clock '{name}' hold uncertainty", src, line)
        latency = finite(c.latency or 0.0, f"clock '{name}' latency", src, line)
        source_latency = finite(c.source_latency or 0.0, f"clock '{name}' source latency", src, line)
        clk_index[name] = len(tc.clocks)
        tc.clocks.append(Clock(name, period, rise, fall, resolve(c.sources, "create_clock"),
                               (tr, tr), unc, unc_hold, bool(c.propagated), latency, source_latency))
    if getattr(sdc, "generated_clocks", None):
        progress.warn("generated clocks are not supported; ignored", src)

    def clock_of(n):
        if n is None:
            return None
        if n not in clk_index:
            raise InputError(f"unknown clock '{n}'", src)
        return clk_index[n]

    for attr, dest, side in (("input_delays", tc.input_delays, "max"), ("output_delays", tc.output_delays, "max"),
                             ("input_delays", tc.input_delays_min, "min"),
                             ("output_delays", tc.output_delays_min, "min")):
        for d in getattr(sdc, attr):
            if not getattr(d, side):
                continue
            pick = max if side == "max" else min      # -add_delay keeps the worst of the side
            k = clock_of(d.clock)
            for t in resolve(d.port, attr):
                cur = None
                for x in dest:
                    if x.terminal == t and x.clock == k and x.clock_fall == d.clock_fall:
                        cur = x
                if cur is None or not d.add_delay:
                    if cur is None:
                        cur = PortDelay(t, k, bool(d.clock_fall), -np.inf, -np.inf)
                        dest.append(cur)
                    delay = finite(d.delay, attr[:-1].replace("_", " "), src, d.line or None)
                    if d.rise:
                        cur.rise = delay
                    if d.fall:
                        cur.fall = delay
                else:
                    if d.rise:
                        cur.rise = pick(cur.rise, float(d.delay))
                    if d.fall:
                        cur.fall = pick(cur.fall, float(d.delay))
            # a side never set (only -rise or only -fall given) stays unconstrained
    for port, v in list(sdc.loads.items()) + list(getattr(sdc, "wire_loads", {}).items()):
        for t in resolve(port, "set_load"):
            tc.port_load[t] = tc.port_load.get(t, 0.0) + finite_nonneg(v, f"set_load on '{port}'", src)
    for port, v in sdc.input_transitions.items():
        for t in resolve(port, "set_input_transition"):
            v = finite_nonneg(v, f"set_input_transition on '{port}'", src)
            tc.input_transition[t] = (v, v)
    for port, dc in sdc.driving_cells.items():
        cell = _find_cell(libset, dc.lib_cell, dc.library) if libset is not None else None
        if cell is None:
            raise InputError(f"set_driving_cell: no library cell '{dc.lib_cell}'", src, dc.line or None)
        for t in resolve(port, "set_driving_cell"):
            tc.driving_cell[t] = DrivingCell(cell, dc.from_pin, dc.pin)
    warned: set[str] = set()

    def ignored(kind: str, msg: str, line) -> None:
        """One warning per kind of constraint the timer does not apply."""
        if kind not in warned:
            warned.add(kind)
            progress.warn(msg, src, line or None)

    for ex in sdc.exceptions:
        if _clock_false_path(ex):
            fc = [_untag(o) for o in ex.from_] or list(clk_index)
            tcl_ = [_untag(o) for o in ex.to] or list(clk_index)
            for a in fc:
                for b in tcl_:
                    tc.false_clock_pairs.add((clock_of(a), clock_of(b)))
        elif _false_to(ex):
            tc.false_to.update(resolve([_untag(o) for o in ex.to], "set_false_path -to"))
        else:
            pe = _path_exc(ex, names, clock_of, src)
            if pe is not None:
                tc.exceptions.append(pe)
    if getattr(sdc, "disabled", None):
        tc.disabled = _disabled_arcs(sdc.disabled, names, src)
    for ca in getattr(sdc, "case_analysis", []):
        if ca.value not in ("0", "1"):
            ignored("case_edge", f"set_case_analysis {ca.value} is not supported; ignored", ca.line)
            continue
        for m in _case_nets(ca.objects, names, src, ca.line):
            tc.case_nets[m] = int(ca.value)
    for dr in getattr(sdc, "derates", []):
        if dr.kind == "cell_check":
            ignored("cell_check", "set_timing_derate -cell_check is not supported; ignored", dr.line)
            continue
        insts = None
        if dr.objects:
            insts = frozenset(i for o in dr.objects for i in _instances(str(o), names))
        for early in ((True, False) if dr.early_late == "both" else (dr.early_late == "early",)):
            tc.derates.append(Derate(finite_pos(dr.value, "set_timing_derate factor", src, dr.line or None), early,
                                     dr.kind != "net_delay", dr.kind != "cell_delay",
                                     0 if dr.rise_fall == "rise" else 1 if dr.rise_fall == "fall" else -1,
                                     dr.clock_data != "data", dr.clock_data != "clock", insts))
    for g in getattr(sdc, "clock_groups", []):
        if g.kind == "asynchronous" and g.allow_paths:
            continue                       # OpenSTA: -allow_paths keeps the paths timed
        groups = g.groups if len(g.groups) > 1 else [g.groups[0], [c for c in clk_index if c not in g.groups[0]]]
        for i, ga in enumerate(groups):
            for j, gb in enumerate(groups):
                if i != j:
                    for a in ga:
                        for b in gb:
                            tc.false_clock_pairs.add((clock_of(a), clock_of(b)))
    tc.wire_load_model = getattr(sdc, "wire_load_model", None)
    if getattr(sdc, "clock_gating_checks", None) or getattr(sdc, "disabled_clock_gating", None):
        tc.gating = _gating_margins(sdc.clock_gating_checks, names, clock_of)
        for o in sdc.disabled_clock_gating:
            tag, _, name = str(o).partition(":")
            t = names.lookup(name) if tag in ("pin", "port") else None
            i = names.instance(name) if tag == "cell" else None
            if t is not None:
                tc.gating.off_pins.add(t)
            if i is not None:
                tc.gating.off_insts.add(i)
    return tc


def _gating_margins(items, names: "TerminalNames", clock_of) -> GatingMargins:
    """Resolve ``set_clock_gating_check`` records (later ones override earlier values)."""
    m = GatingMargins()
    for gc in items:
        vals = {(rf, su): v for su, v in ((True, gc.setup), (False, gc.hold)) if v is not None
                for rf, on in ((0, gc.rise), (1, gc.fall)) if on}
        if not gc.objects:
            m.design.update(vals)
        for o in gc.objects:
            tag, _, name = str(o).partition(":")
            if tag == "clock":
                m.clock.setdefault(clock_of(name), {}).update(vals)
            elif tag in ("pin", "port"):
                t = names.lookup(name)
                if t is not None:
                    m.pin.setdefault(t, {}).update(vals)
                    if gc.active is not None:
                        m.pin_active[t] = int(gc.active)
            elif tag == "cell":
                i = names.instance(name)
                if i is not None:
                    m.inst.setdefault(i, {}).update(vals)
                    if gc.active is not None:
                        m.inst_active[i] = int(gc.active)
    return m


def blocked_drivers(g, tc: TimingConstraints) -> np.ndarray:
    """Driving terminals (cell outputs, input ports) disabled by ``set_disable_timing``:
    they keep their own arrival and slew, but no path leaves them (OpenSTA)."""
    if tc.disabled is None or not tc.disabled.terms:
        return np.zeros(0, dtype=np.int64)
    t = np.fromiter(tc.disabled.terms, dtype=np.int64)
    return t[g.src_of_term[t] == t]


def _instances(obj: str, names: "TerminalNames") -> list[int]:
    """Instances of a ``cell:`` or ``lib_cell:`` object."""
    tag, _, name = obj.partition(":")
    if tag == "cell":
        i = names.instance(name)
        return [] if i is None else [i]
    if tag == "lib_cell":
        nl = names.design.netlist
        name = name.rpartition("/")[2]
        ids = [k for k, c in enumerate(nl.cell_names) if c == name]
        return np.nonzero(np.isin(nl.inst_cell, ids))[0].tolist() if ids else []
    return []


def _disabled_arcs(items, names: "TerminalNames", src) -> DisabledArcs:
    """Resolve ``set_disable_timing`` records onto terminals and instances."""
    out = DisabledArcs()
    nl = names.design.netlist
    for dt in items:
        for o in dt.objects:
            tag, _, name = str(o).partition(":")
            if tag in ("pin", "port"):
                t = names.lookup(name)
                if t is not None:
                    out.terms.add(t)
                continue
            for i in _instances(str(o), names):
                if dt.from_pin is None and dt.to_pin is None:
                    out.insts.add(i)
                    continue
                pins = {nl.pin_names[nl.pin_name[p]]: p for p in range(int(nl.pin_ptr[i]), int(nl.pin_ptr[i + 1]))}
                f = pins.get(dt.from_pin, -2) if dt.from_pin else -1
                t = pins.get(dt.to_pin, -2) if dt.to_pin else -1
                if f != -2 and t != -2:
                    out.arcs.append((i, f, t))
    return out


def _case_nets(objs, names: "TerminalNames", src=None, line=None) -> list[int]:
    """Nets of the ports / pins of a ``set_case_analysis`` (a value on a load pin is
    given to its whole net, with a warning: OpenSTA sets that pin only)."""
    d = names.design
    nl = d.netlist
    out = []
    for o in objs:
        tag, _, name = str(o).partition(":")
        t = names.lookup(name) if tag in ("pin", "port") else None
        if t is None:
            continue
        m = int(nl.port_net[t - names.n_pins]) if t >= names.n_pins else int(nl.pin_net[t])
        if m < 0:
            continue
        row = d.net_terms[int(d.net_term_ptr[m]):int(d.net_term_ptr[m + 1])]
        is_driver = int(d.net_n_drivers[m]) > 0 and t in row[:int(d.net_n_drivers[m])].tolist()
        if not is_driver and len(row) - int(d.net_n_drivers[m]) > 1:
            progress.warn(f"set_case_analysis on load pin '{name}': applied to its whole net", src, line or None)
        out.append(m)
    return out


def _tags(objs) -> set[str]:
    return {str(o).split(":", 1)[0] for o in objs}


def _clock_false_path(ex) -> bool:
    """A setup-and-hold false path between clocks only (kept as clock pairs)."""
    return (ex.kind == "false" and ex.setup and ex.hold and not ex.through and (ex.from_ or ex.to)
            and _tags(ex.from_) <= {"clock"} and _tags(ex.to) <= {"clock"}
            and ex.from_rf == ex.to_rf == ex.end_rf == "rise_fall")


def _false_to(ex) -> bool:
    """A setup-and-hold false path to ports / pins only (kept as false endpoints)."""
    return (ex.kind == "false" and ex.setup and ex.hold and not ex.through and not ex.from_ and ex.to
            and _tags(ex.to) <= {"port", "pin"} and ex.to_rf == ex.end_rf == "rise_fall")


def _path_exc(ex, names: "TerminalNames", clock_of, src):
    """A :class:`~finevh.timing.exceptions.PathExc` of the SDC exception ``ex`` on
    terminal ids (None, with a warning, when none of its objects is a design terminal)."""
    from .exceptions import PathExc, Thru, rf_code

    d = names.design
    nl = d.netlist
    line = ex.line or None

    def inst_terms(name: str, dirs) -> list[int]:
        i = names.instance(name)
        if i is None:
            return []
        a, b = int(nl.pin_ptr[i]), int(nl.pin_ptr[i + 1])
        return [t for t in range(a, b) if dirs is None or int(d.pin_dir[t]) in dirs]

    def terms(objs, inst_dirs) -> tuple[set[int], set[int]]:
        ts, ks = set(), set()
        for o in objs:
            tag, _, name = str(o).partition(":")
            if tag == "clock":
                ks.add(clock_of(name))
            elif tag in ("port", "pin"):
                t = names.lookup(name)
                if t is not None:
                    ts.add(t)
            elif tag == "cell":
                ts.update(inst_terms(name, inst_dirs))
            elif tag == "net":
                ts.update(names.net_terms(name))
        return ts, ks

    fr, fk = terms(ex.from_, None)
    to, tk = terms(ex.to, (0, 2, 3))            # -to an instance: its input pins
    thrus = []
    for objs, rf in zip(ex.through, ex.through_rf or ["rise_fall"] * len(ex.through)):
        th, _ = terms(objs, None)
        first = set(th)
        for o in objs:
            tag, _, name = str(o).partition(":")
            if tag == "cell":
                first -= set(inst_terms(name, (0, 2, 3)))
        thrus.append(Thru(frozenset(th), frozenset(first), rf_code(rf)))
    if (ex.from_ and not (fr or fk)) or (ex.to and not (to or tk)) or any(not t.terms for t in thrus):
        progress.warn(f"set_{ex.kind if ex.kind != 'false' else 'false_path'}: no design terminal matches its "
                      "-from/-through/-to objects; ignored", src, line)
        return None
    kind = ex.kind
    setup, hold = bool(ex.setup), bool(ex.hold)
    if kind == "max_delay":
        setup, hold = True, False
    elif kind == "min_delay":
        setup, hold = False, True
    value = 0.0 if ex.value is None else float(ex.value)
    if kind in ("max_delay", "min_delay"):
        value = finite(value, f"set_{kind} value", src, line)
    use_end = True
    if kind == "multicycle":
        use_end = not (ex.start or (hold and not setup and not ex.end))
    return PathExc(kind, value, (setup, hold), frozenset(fr), frozenset(fk), rf_code(ex.from_rf), tuple(thrus),
                   frozenset(to), frozenset(tk), rf_code(ex.to_rf), rf_code(ex.end_rf), use_end,
                   bool(ex.ignore_clock_latency), int(ex.line or 0), setup == hold)


def read_constraints(path, design, libset=None) -> TimingConstraints:
    """Read an SDC file for ``design`` (units of its first library) and resolve it."""
    from ..constraints import SdcDesign, read_sdc

    nl = design.netlist
    tu, cu = library_units(design.cells[0].library if design.cells else None, libset)
    sdc = read_sdc(path, netlist=SdcDesign.from_design(design), design=nl.top, time_unit_ns=tu, cap_unit_pf=cu)
    return from_sdc(sdc, design, libset)


def library_units(lib_name, libset) -> tuple[float, float]:
    """(time unit in ns, capacitance unit in pF) of the library named ``lib_name``
    (SDC values are in the units of the main library, as in OpenSTA)."""
    from ..units import library_cap_unit_pf, library_time_unit_ns

    lib = None
    for attr in ("libraries", "libs"):
        v = getattr(libset, attr, None) if libset is not None else None
        if v:
            for x in (v.values() if isinstance(v, dict) else v):
                if x.name == lib_name:
                    lib = x
                    break
            if lib is None:
                lib = next(iter(v.values() if isinstance(v, dict) else v))
            break
    if lib is None:
        return 1.0, 1.0
    tu = library_time_unit_ns(lib.time_unit)
    cu = library_cap_unit_pf(lib.capacitive_load_unit)
    return tu, cu


def _find_cell(libset, name: str, library: str | None = None):
    libs = []
    for attr in ("libraries", "libs"):
        v = getattr(libset, attr, None)
        if v:
            libs = list(v.values()) if isinstance(v, dict) else list(v)
            break
    for lib in libs:
        if library and lib.name != library:
            continue
        if name in lib.cells:
            return lib.cells[name]
    return None
