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

from ..errors import InputError


@dataclass
class Clock:
    name: str
    period: float                          # ns
    rise: float = 0.0                      # waveform: time of the rising edge (ns)
    fall: float | None = None              # time of the falling edge (default period/2)
    sources: list[int] = field(default_factory=list)   # terminal ids
    transition: tuple[float, float] = (0.0, 0.0)       # ideal clock slew rise/fall (ns)
    setup_uncertainty: float = 0.0         # ns, subtracted from required times

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
class TimingConstraints:
    clocks: list[Clock] = field(default_factory=list)
    input_delays: list[PortDelay] = field(default_factory=list)
    output_delays: list[PortDelay] = field(default_factory=list)
    port_load: dict[int, float] = field(default_factory=dict)          # terminal -> pF
    input_transition: dict[int, tuple[float, float]] = field(default_factory=dict)
    driving_cell: dict[int, DrivingCell] = field(default_factory=dict)
    false_to: set[int] = field(default_factory=set)                   # endpoint terminals
    false_clock_pairs: set[tuple[int, int]] = field(default_factory=set)  # (launch, capture)


class TerminalNames:
    """Name <-> terminal id of a design ("inst/PIN" or port name)."""

    def __init__(self, design) -> None:
        nl = design.netlist
        self.design = design
        self.n_pins = int(nl.pin_ptr[-1])
        self._port = {n: self.n_pins + i for i, n in enumerate(nl.port_names)}
        self._inst = None

    def port(self, name: str) -> int | None:
        return self._port.get(name)

    def pin(self, name: str) -> int | None:
        if self._inst is None:
            self._inst = {n: i for i, n in enumerate(self.design.netlist.inst_names)}
        inst, _, pin = name.rpartition("/")
        i = self._inst.get(inst)
        if i is None:
            return None
        nl = self.design.netlist
        for p in range(int(nl.pin_ptr[i]), int(nl.pin_ptr[i + 1])):
            if nl.pin_names[nl.pin_name[p]] == pin:
                return p
        return None

    def lookup(self, name: str) -> int | None:
        t = self.port(name)
        return t if t is not None else self.pin(name)

    def name(self, term: int) -> str:
        nl = self.design.netlist
        if term >= self.n_pins:
            return nl.port_names[term - self.n_pins]
        inst = int(np.searchsorted(nl.pin_ptr, term, side="right") - 1)
        return f"{nl.inst_names[inst]}/{nl.pin_names[nl.pin_name[term]]}"


def _get(obj: Any, *names: str, default: Any = None) -> Any:
    for n in names:
        if isinstance(obj, dict) and n in obj:
            return obj[n]
        if hasattr(obj, n):
            return getattr(obj, n)
    return default


def from_sdc(sdc: Any, design, libset=None) -> TimingConstraints:
    """Resolve a :mod:`finevh.constraints` model (duck-typed) onto ``design``."""
    names = TerminalNames(design)
    tc = TimingConstraints()
    src_path = _get(sdc, "path", "source")

    def resolve(objs, what: str) -> list[int]:
        out = []
        if objs is None:
            return out
        if isinstance(objs, str):
            objs = [objs]
        for o in objs:
            t = names.lookup(str(o))
            if t is None:
                raise InputError(f"{what}: no port or pin '{o}' in design {design.netlist.top}", src_path)
            out.append(t)
        return out

    clk_index: dict[str, int] = {}
    for c in _get(sdc, "clocks", default=[]) or []:
        period = float(_get(c, "period"))
        wf = _get(c, "waveform")
        rise, fall = (float(wf[0]), float(wf[1])) if wf else (0.0, period / 2.0)
        srcs = resolve(_get(c, "sources", "ports", "pins", default=[]), "create_clock")
        tr = _get(c, "transition", default=None)
        if tr is None:
            tr = (0.0, 0.0)
        elif isinstance(tr, (int, float)):
            tr = (float(tr), float(tr))
        unc = float(_get(c, "setup_uncertainty", "uncertainty", default=0.0) or 0.0)
        clk_index[_get(c, "name")] = len(tc.clocks)
        tc.clocks.append(Clock(_get(c, "name"), period, rise, fall, srcs, (float(tr[0]), float(tr[1])), unc))

    def clock_of(name):
        if name is None:
            return None
        if name not in clk_index:
            raise InputError(f"unknown clock '{name}'", src_path)
        return clk_index[name]

    for kind, dest in (("input_delays", tc.input_delays), ("output_delays", tc.output_delays)):
        for d in _get(sdc, kind, default=[]) or []:
            terms = resolve(_get(d, "ports", "port", "objects", "pins"), kind)
            k = clock_of(_get(d, "clock"))
            cf = bool(_get(d, "clock_fall", default=False))
            v = _get(d, "delay", "value")
            r = _get(d, "rise", default=None)
            f = _get(d, "fall", default=None)
            r = float(v if r is None else r)
            f = float(v if f is None else f)
            for t in terms:
                # a later set_*_delay on the same port replaces the earlier one
                for i in range(len(dest) - 1, -1, -1):
                    if dest[i].terminal == t and dest[i].clock == k:
                        del dest[i]
                dest.append(PortDelay(t, k, cf, r, f))

    loads = _get(sdc, "loads", "port_loads", default={}) or {}
    items = loads.items() if isinstance(loads, dict) else [(_get(x, "port", "ports"), _get(x, "value", "load")) for x in loads]
    for port, val in items:
        for t in resolve(port, "set_load"):
            tc.port_load[t] = float(val)
    trans = _get(sdc, "input_transitions", default={}) or {}
    items = trans.items() if isinstance(trans, dict) else [(_get(x, "port", "ports"), _get(x, "value")) for x in trans]
    for port, val in items:
        rv = (float(val), float(val)) if isinstance(val, (int, float)) else (float(val[0]), float(val[1]))
        for t in resolve(port, "set_input_transition"):
            tc.input_transition[t] = rv
    for d in _get(sdc, "driving_cells", default=[]) or []:
        cellname = _get(d, "cell", "lib_cell")
        cell = None
        if libset is not None:
            cell = _find_cell(libset, cellname, _get(d, "library"))
        if cell is None:
            raise InputError(f"set_driving_cell: no library cell '{cellname}'", src_path)
        tr = _get(d, "input_transition", default=(0.0, 0.0)) or (0.0, 0.0)
        if isinstance(tr, (int, float)):
            tr = (float(tr), float(tr))
        for t in resolve(_get(d, "ports", "port"), "set_driving_cell"):
            tc.driving_cell[t] = DrivingCell(cell, _get(d, "from_pin"), _get(d, "pin"), tuple(tr))
    for fp in _get(sdc, "false_paths", default=[]) or []:
        fc = _get(fp, "from_clocks", default=None)
        tcl = _get(fp, "to_clocks", default=None)
        to = _get(fp, "to", "to_pins", default=None)
        if fc is not None or tcl is not None:
            fl = [clock_of(x) for x in (fc or list(clk_index))]
            tl = [clock_of(x) for x in (tcl or list(clk_index))]
            for a in fl:
                for b in tl:
                    tc.false_clock_pairs.add((a, b))
        elif to is not None and _get(fp, "from", "from_pins", default=None) is None:
            tc.false_to.update(resolve(to, "set_false_path -to"))
    return tc


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
