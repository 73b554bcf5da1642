"""Timing arcs of one Liberty cell, flattened into rise/fall edges (cached per cell).

A Liberty ``timing()`` group becomes up to four *edges* ``(from pin, input transition)
-> (to pin, output transition)``:

============================ ===============================================
``timing_type``              edges
============================ ===============================================
combinational (and _rise/_fall) by ``timing_sense``: positive_unate R->R, F->F;
                             negative_unate R->F, F->R; non_unate all four
rising_edge / falling_edge   clock R (F) -> output R and F (launch arcs)
preset / clear               output R (preset) or F (clear) only; NOT propagated
                             unless ``preset_clear=True`` (OpenSTA's default too)
three_state_enable           as combinational
setup_rising / setup_falling a *check*: clock R (F) against data R and F
recovery_rising / _falling   a check like setup (OpenSTA 2.0.17 reports them)
hold_rising / hold_falling   a *hold check* (``hold_checks``); removal_* likewise
latch data -> output         ``KIND_LATCH_DQ``: time borrowing (see the engine)
============================ ===============================================

Width and tristate-disable arcs are not used.
When ``timing_sense`` is non_unate but the output has a ``function``, the sense is
derived from the function (as OpenSTA does for a missing ``timing_sense``).

Transition index: 0 = rise, 1 = fall.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from ..liberty.model import Cell, Table

RISE, FALL = 0, 1

KIND_COMB, KIND_LAUNCH, KIND_LATCH_DQ = 0, 1, 2

_COMB_TYPES = {"combinational", "combinational_rise", "combinational_fall", "three_state_enable"}
#: asynchronous preset/clear arcs (not propagated by default, as OpenSTA's
#: ``sta_preset_clear_arcs_enabled`` = 0)
_ASYNC_TYPES = {"preset", "clear"}
_CHECK_TYPES = {"setup_rising": 0, "setup_falling": 1, "recovery_rising": 0, "recovery_falling": 1}
#: min-side checks (hold analysis), kept apart from the setup checks
_HOLD_TYPES = {"hold_rising": 0, "hold_falling": 1, "removal_rising": 0, "removal_falling": 1}


@dataclass
class Edge:
    from_pin: str
    to_pin: str
    in_rf: int
    out_rf: int
    kind: int                  # KIND_COMB or KIND_LAUNCH
    delay: Table | None
    slew: Table | None
    key: tuple                 # structural key (twins must share it)


@dataclass
class Check:
    data_pin: str
    clock_pin: str
    clock_rf: int              # active clock edge
    data_rf: int
    table: Table | None
    key: tuple


@dataclass
class CellTiming:
    """Edges, setup checks and pin capacitances of one cell."""

    cell: Cell
    edges: list[Edge] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    hold_checks: list[Check] = field(default_factory=list)
    pin_cap: dict[str, tuple[float, float]] = field(default_factory=dict)   # pF (rise, fall)
    #: pins whose min-analysis capacitance differs (Liberty ``*_capacitance_range`` low
    #: end), pF (rise, fall); ``pin_cap`` then holds the high end
    pin_cap_min: dict[str, tuple[float, float]] = field(default_factory=dict)
    clock_pins: set[str] = field(default_factory=set)
    latch_data: str | None = None      # latch cells: data pin (``data_in``)
    latch_enable: str | None = None    # latch cells: enable pin
    latch_open_rf: int = RISE          # transition of the enable pin that opens the latch

    @property
    def signature(self) -> tuple:
        return (tuple(e.key for e in self.edges) + tuple(c.key for c in self.checks)
                + tuple(c.key for c in self.hold_checks))


_TOKEN = re.compile(r"\s*(!|\(|\)|\^|\*|&|\+|\||'|[A-Za-z_][A-Za-z0-9_\[\]\.]*|[01])")


def _parse_bool(expr: str):
    """Liberty boolean expression -> evaluator ``f(env: dict[str, bool]) -> bool``."""
    toks = [t for t in _TOKEN.findall(expr)]
    pos = 0

    def peek():
        return toks[pos] if pos < len(toks) else None

    def take():
        nonlocal pos
        pos += 1
        return toks[pos - 1]

    def p_or():
        a = p_xor()
        while peek() in ("+", "|"):
            take()
            b = p_xor()
            a = (lambda x, y: lambda e: x(e) or y(e))(a, b)
        return a

    def p_xor():
        a = p_and()
        while peek() == "^":
            take()
            b = p_and()
            a = (lambda x, y: lambda e: x(e) != y(e))(a, b)
        return a

    def p_and():
        a = p_not()
        while True:
            t = peek()
            if t in ("*", "&"):
                take()
            elif t is None or t in ("+", "|", "^", ")"):
                break
            b = p_not()
            a = (lambda x, y: lambda e: x(e) and y(e))(a, b)
        return a

    def p_not():
        if peek() == "!":
            take()
            a = p_not()
            return lambda e: not a(e)
        a = p_atom()
        while peek() == "'":
            take()
            a = (lambda x: lambda e: not x(e))(a)
        return a

    def p_atom():
        t = take()
        if t == "(":
            a = p_or()
            if peek() == ")":
                take()
            return a
        if t == "0":
            return lambda e: False
        if t == "1":
            return lambda e: True
        return lambda e, n=t: e.get(n, False)

    f = p_or()
    return f


def function_sense(function: str, pin: str, inputs: list[str]) -> str:
    """positive_unate / negative_unate / non_unate of ``function`` in ``pin``."""
    try:
        f = _parse_bool(function)
    except (IndexError, TypeError):
        return "non_unate"
    others = [p for p in inputs if p != pin]
    if len(others) > 12:
        return "non_unate"
    pos = neg = False
    for bits in itertools.product((False, True), repeat=len(others)):
        env = dict(zip(others, bits))
        env[pin] = False
        f0 = f(env)
        env[pin] = True
        f1 = f(env)
        if f1 and not f0:
            pos = True
        elif f0 and not f1:
            neg = True
    if pos and not neg:
        return "positive_unate"
    if neg and not pos:
        return "negative_unate"
    return "non_unate"


def _pairs(sense: str) -> list[tuple[int, int]]:
    if sense == "positive_unate":
        return [(RISE, RISE), (FALL, FALL)]
    if sense == "negative_unate":
        return [(RISE, FALL), (FALL, RISE)]
    return [(RISE, RISE), (FALL, RISE), (RISE, FALL), (FALL, FALL)]


def cell_timing(cell: Cell, preset_clear: bool = False) -> CellTiming:
    """Flatten ``cell``'s timing groups (see module docstring)."""
    ct = CellTiming(cell)
    inputs = [p.name for p in cell.input_pins()]
    for p in cell.pins.values():
        rc = p.rise_capacitance if p.rise_capacitance is not None else p.capacitance
        fc = p.fall_capacitance if p.fall_capacitance is not None else p.capacitance
        lo = [rc, fc]
        hi = [rc, fc]
        for i, r in enumerate((p.rise_capacitance_range, p.fall_capacitance_range)):
            if r is not None:                   # as OpenSTA: the range wins over rise/fall_capacitance
                lo[i], hi[i] = r
        ct.pin_cap[p.name] = (float(hi[0] or 0.0), float(hi[1] or 0.0))
        if lo != hi:
            ct.pin_cap_min[p.name] = (float(lo[0] or 0.0), float(lo[1] or 0.0))
    ordinal: dict[tuple, int] = {}
    seq = cell.sequential
    if seq is not None and seq.kind == "latch" and seq.data_in and seq.enable:
        dn = re.sub(r"[!()'\s]", "", seq.data_in)
        en = re.sub(r"[!()'\s]", "", seq.enable)
        if dn in cell.pins and en in cell.pins:
            ct.latch_data, ct.latch_enable = dn, en
            inverted = seq.enable.strip().startswith("!") or seq.enable.strip().endswith("'")
            ct.latch_open_rf = FALL if inverted else RISE
    for pin in cell.pins.values():
        for arc in pin.timing:
            tt = arc.timing_type or "combinational"
            for rel in str(arc.related_pin).split():
                base = (pin.name, rel, tt, arc.when or "")
                n = ordinal.get(base, 0)
                ordinal[base] = n + 1
                if tt in _CHECK_TYPES or tt in _HOLD_TYPES:
                    crf = _CHECK_TYPES.get(tt, _HOLD_TYPES.get(tt))
                    dest = ct.checks if tt in _CHECK_TYPES else ct.hold_checks
                    for drf, tab in ((RISE, arc.rise_constraint), (FALL, arc.fall_constraint)):
                        if tab is not None:
                            dest.append(Check(pin.name, rel, crf, drf, tab, base + (n, drf)))
                    ct.clock_pins.add(rel)
                    continue
                if tt in ("rising_edge", "falling_edge"):
                    irf = RISE if tt == "rising_edge" else FALL
                    pairs = [(irf, RISE), (irf, FALL)]
                    kind = KIND_LAUNCH
                    ct.clock_pins.add(rel)
                elif tt in _COMB_TYPES or (preset_clear and tt in _ASYNC_TYPES):
                    sense = arc.timing_sense or "non_unate"
                    if sense == "non_unate" and pin.function and tt in ("combinational", "three_state_enable"):
                        sense = function_sense(pin.function, rel, inputs)
                    pairs = _pairs(sense)
                    if tt in ("combinational_rise", "preset"):
                        pairs = [pr for pr in pairs if pr[1] == RISE]
                    elif tt in ("combinational_fall", "clear"):
                        pairs = [pr for pr in pairs if pr[1] == FALL]
                    kind = KIND_LATCH_DQ if (ct.latch_data is not None and rel == ct.latch_data) else KIND_COMB
                else:
                    continue
                for irf, orf in pairs:
                    d = arc.cell_rise if orf == RISE else arc.cell_fall
                    s = arc.rise_transition if orf == RISE else arc.fall_transition
                    if d is None:
                        continue
                    ct.edges.append(Edge(rel, pin.name, irf, orf, kind, d, s, base + (n, irf, orf)))
    return ct
