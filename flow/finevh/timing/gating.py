"""Clock-gating checks, inferred from the cells' functions as OpenSTA 3.x does.

A combinational cell gates a clock when a clock and a data signal meet at its inputs
and its output is still a clock: OpenSTA (``GatedClk``) then checks the data input,
the *enable*, against the clock input like a register's data pin, so that the enable
changes only while the gate blocks the clock. finevh infers the same checks:

- the gate: an output that a clock reaches (:mod:`finevh.timing.clocks`), with a
  Liberty ``function`` whose top operator, after any outer negations, is an AND or an
  OR; the enable: an input no clock reaches, with an arc to that output, inside one of
  the operands of the flattened AND/OR; the clock pin: another input a clock reaches
  that is itself an operand (or a negated operand) of it, and that reaches a register
  clock pin through the gate (OpenSTA's ``hasDownstreamClkPin``). The first such pin in
  the cell's pin order is the check's clock;
- the *active value* of the clock (the level at which the gate passes it): 1 for an
  AND (``and2``, ``nand2``), 0 for an OR (``or2``, ``nor2``), swapped when the clock
  operand is negated; ``set_clock_gating_check -high``/``-low`` on the enable pin, its
  instance or the clock pin overrides it;
- the setup check is against the clock's leading edge at the clock pin (rise for an
  active-high gate, fall for an active-low one), in setup cycle accounting (the first
  such edge after the launch); the hold check is against the trailing edge, in
  OpenSTA's gated-clock hold accounting (:func:`gated_hold_capture`: the target edge
  whose opposite edge is the latest one at or before the launch, i.e. the end of the
  clock pulse of the launching cycle);
- the margins: ``set_clock_gating_check -setup/-hold`` (per enable transition; on the
  enable pin, its instance, the clock pin, the clock, or the design, in that order of
  precedence), 0 when none is given (OpenSTA's default).

The gate's output stays a clock (its latency is the gate's input clock's, propagated
through the gate on a propagated clock); data reaching the gate's output through the
enable launches nothing (only clock arrivals reach register clock pins). Its slew,
though, is OpenSTA's vertex slew, the worst over every arc into the output, the
enable's included: on a propagated clock the slew of the gated clock (and so the
delays of the clock network below it and of the registers it clocks) depends on the
enable's data path. The timer therefore times such a design twice (or until the
slews settle): the data slews into clock terminals of one pass
(:func:`gate_slew_floor`) feed the clock network of the next. The checks
themselves are evaluated with the register checks in :mod:`finevh.timing.checks`
(kinds ``gating_setup`` / ``gating_hold``). Times ns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .arcs import FALL, KIND_COMB, KIND_LAUNCH, RISE
from .clocks import ClockNetwork, lcm_period
from .constraints import Clock, GatingMargins, TimingConstraints
from .graph import TimingGraph, expand
from ..activity.expr import AND, NOT, OR, VAR, Expr, parse


@dataclass
class GatingChecks:
    """The inferred clock-gating checks of one graph: per check its enable terminal
    (the data pin), the gate's clock terminal, and the active value of the clock."""

    enable: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    clock_pin: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    active: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))   # 1 high, 0 low

    def __len__(self) -> int:
        return len(self.enable)

    def clock_rf(self, setup: bool) -> np.ndarray:
        """Transition of the clock pin each check is against: the leading edge of the
        active level for setup (rise for active-high), the trailing one for hold."""
        lead = np.where(self.active == 1, RISE, FALL)
        return lead if setup else 1 - lead


def gating_function(fn: Expr, enable: str, clock: str) -> int | None:
    """Active value (1 or 0) of ``clock`` when ``fn`` is a clock gate with enable
    ``enable``, None when it is not one (OpenSTA's ``isClkGatingFunc``)."""
    while fn.op == NOT:
        fn = fn.args[0]
    if fn.op not in (AND, OR):
        return None
    active = 1 if fn.op == AND else 0
    ops: list[Expr] = []
    _operands(fn.op, fn, ops)
    gate = False
    for e in ops:
        if e.op == NOT and e.args[0].op == VAR and e.args[0].name == clock:
            gate = True
            active = 1 - active
        elif e.op == VAR and e.name == clock:
            gate = True
    if gate and any(enable in e.variables() for e in ops):
        return active
    return None


def _operands(op: str, e: Expr, out: list[Expr]) -> None:
    """The operands of a tree of ``op`` (AND or OR) nodes, flattened."""
    if e.op != op:
        out.append(e)
        return
    for a in e.args:
        _operands(op, a, out)


def downstream_clock_pins(g: TimingGraph) -> np.ndarray:
    """bool[T]: terminals from which a register clock pin (a launch arc's clock pin or a
    check's clock pin) is reached through nets and combinational arcs (OpenSTA's
    ``hasDownstreamClkPin``)."""
    T = g.n_terms
    mark = np.zeros(T, dtype=bool)
    front = np.unique(np.concatenate([g.e_from[g.e_kind == KIND_LAUNCH].astype(np.int64), g.c_clk, g.h_clk]))
    front = front[front >= 0]
    comb = np.nonzero(g.e_kind == KIND_COMB)[0]
    e_to = g.e_to[comb].astype(np.int64)
    e_from = g.e_from[comb].astype(np.int64)
    order = np.argsort(e_to, kind="stable")
    to_sorted, from_by_to = e_to[order], e_from[order]
    while len(front):
        front = front[~mark[front]]
        if not len(front):
            break
        mark[front] = True
        drv = g.src_of_term[front]
        lo = np.searchsorted(to_sorted, front, "left")
        hi = np.searchsorted(to_sorted, front, "right")
        front = np.unique(np.concatenate([drv[drv >= 0], from_by_to[expand(lo, hi - lo)]]))
        front = front[front >= 0]
    return mark


def infer_gating_checks(design, g: TimingGraph, clocks: ClockNetwork,
                        margins: GatingMargins | None = None) -> GatingChecks:
    """The clock-gating checks of ``design``'s graph ``g`` (see the module doc), except
    those ``set_disable_inferred_clock_gating`` switches off (``margins.off_*``: an
    enable pin or its instance drops the check, a clock pin is passed over)."""
    off_pins = margins.off_pins if margins is not None else set()
    off_insts = margins.off_insts if margins is not None else set()
    nl = design.netlist
    k_of = clocks.clock_of_term
    comb = np.nonzero((g.e_kind == KIND_COMB) & (g.e_from >= 0))[0]
    if g.e_slew_only is not None:
        comb = comb[~g.e_slew_only[comb]]
    fr = g.e_from[comb].astype(np.int64)
    to = g.e_to[comb].astype(np.int64)
    cand = (k_of[to] >= 0) & (k_of[fr] < 0) & (fr < g.n_pins)
    if g.term_const is not None:
        cand &= g.term_const[fr] < 0
    if not cand.any():
        return GatingChecks()
    pairs = sorted(set(zip(fr[cand].tolist(), to[cand].tolist())))
    down = downstream_clock_pins(g)
    funcs: dict[tuple[int, str], Expr | None] = {}
    out: dict[int, tuple[int, int]] = {}
    for en, z in pairs:
        if en in out or en in off_pins:
            continue
        i = int(g.inst_of_pin[en])
        if i in off_insts:
            continue
        cell = design.cells[int(design.inst_cell[i])]
        zname = nl.pin_names[nl.pin_name[z]]
        key = (id(cell), zname)
        if key not in funcs:
            pin = cell.pins.get(zname)
            try:
                funcs[key] = parse(pin.function) if pin is not None and pin.function else None
            except Exception:     # noqa: BLE001 - a function the expression reader refuses gates nothing
                funcs[key] = None
        fn = funcs[key]
        if fn is None:
            continue
        ename = nl.pin_names[nl.pin_name[en]]
        pins = {nl.pin_names[nl.pin_name[p]]: p for p in range(int(nl.pin_ptr[i]), int(nl.pin_ptr[i + 1]))}
        used = set(fn.variables())
        for cname in (p.name for p in cell.input_pins()):
            if cname == ename or cname not in used:
                continue
            active = gating_function(fn, ename, cname)
            c = pins.get(cname)
            if active is None or c is None or k_of[c] < 0 or c in off_pins:
                continue
            if down[c]:
                out[en] = (c, active)
            break
    if not out:
        return GatingChecks()
    ens = np.array(sorted(out), dtype=np.int64)
    return GatingChecks(ens, np.array([out[e][0] for e in ens.tolist()], dtype=np.int64),
                        np.array([out[e][1] for e in ens.tolist()], dtype=np.int64))


def gate_slew_edges(g: TimingGraph, clocks: ClockNetwork, tc: TimingConstraints) -> np.ndarray:
    """Edges whose slew reaches a propagated clock terminal from outside the clock
    network (enable -> gated clock arcs), as int64 indices; empty for most designs."""
    k = clocks.clock_of_term.astype(np.int64)
    prop = np.array([c.propagated for c in tc.clocks] + [False])
    kk = np.where(k >= 0, k, len(tc.clocks))
    src = g.e_src.astype(np.int64)
    m = (g.e_kind == KIND_COMB) & (src >= 0) & prop[kk[g.e_to]] & ~prop[kk[np.maximum(src, 0)]]
    return np.nonzero(m)[0]


def gate_slew_floor(g: TimingGraph, edges: np.ndarray, edge_slew: np.ndarray, early: bool) -> np.ndarray:
    """[T, 2] the worst (largest; ``early``: smallest) slew of ``edges`` into each
    terminal and transition (ns), NaN where none."""
    out = np.full((g.n_terms, 2), np.nan)
    if len(edges):
        (np.fmin if early else np.fmax).at(out, (g.e_to[edges].astype(np.int64), g.e_out_rf[edges].astype(np.int64)),
                                           edge_slew[edges])
    return out


def gated_hold_capture(launch: Clock, lrf: int, capture: Clock, crf: int) -> float:
    """Absolute time (ns) of the gated-clock hold capture edge ``crf`` of ``capture``
    for a launch at edge ``lrf`` of ``launch``: OpenSTA's accounting keeps the hold
    check in the cycle of the setup check, at the target edge whose opposite edge is
    at or before the launch edge, the closest over the common period."""
    tl0 = launch.edge_time(lrf)
    tcap0 = capture.edge_time(crf)
    topp0 = capture.edge_time(1 - crf)
    P = capture.period
    best = None
    for i in range(max(1, int(round(lcm_period(launch.period, P) / launch.period)))):
        tl = tl0 + i * launch.period
        k = math.floor((tl - topp0) / P + 1e-9)
        d = tl - (tcap0 + k * P)
        if best is None or d < best - 1e-12:
            best = d
    return tl0 - best


def gating_margin(m: GatingMargins | None, enable: int, inst: int, clock_pin: int, clock: int, rf: int,
                  setup: bool) -> float:
    """Margin (ns) of one gating check for enable transition ``rf`` by OpenSTA's
    precedence: enable pin, instance, clock pin, clock, design; 0 when none."""
    if m is None:
        return 0.0
    for d in (m.pin.get(enable), m.inst.get(inst), m.pin.get(clock_pin), m.clock.get(clock), m.design):
        if d and (rf, setup) in d:
            return float(d[(rf, setup)])
    return 0.0


def active_override(m: GatingMargins | None, enable: int, inst: int, clock_pin: int) -> int | None:
    """``-high``/``-low`` of ``set_clock_gating_check`` on the enable pin, its instance
    or the clock pin (that precedence), None when none applies."""
    if m is None:
        return None
    for v in (m.pin_active.get(enable), m.inst_active.get(inst), m.pin_active.get(clock_pin)):
        if v is not None:
            return int(v)
    return None


def apply_overrides(chk: GatingChecks, g: TimingGraph, tc: TimingConstraints) -> GatingChecks:
    """``chk`` with the active values ``set_clock_gating_check -high/-low`` sets."""
    m = getattr(tc, "gating", None)
    if m is None or not len(chk) or not (m.pin_active or m.inst_active):
        return chk
    act = chk.active.copy()
    for j, (e, c) in enumerate(zip(chk.enable.tolist(), chk.clock_pin.tolist())):
        v = active_override(m, e, int(g.inst_of_pin[e]), c)
        if v is not None:
            act[j] = v
    return GatingChecks(chk.enable, chk.clock_pin, act)
