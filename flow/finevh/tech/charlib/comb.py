"""Combinational cells: every arc, input slew and output load in ONE ngspice deck.

Each (arc case, slew, load) point is a copy of the cell with its own ramp source on
the related pin, side inputs tied to the rails as the case says, and its own load
capacitor on the output. All copies cross 50 % at the same two instants (rising
input at ``t1``, falling at ``t2``), so the fine time steps of every copy fall in two
short windows. The deck measures (50 % in -> 50 % out) delays and output slews
between the Liberty thresholds, the input charge of the smallest-slew, smallest-load
copy of each pin (its capacitance = charge / Vdd), and, with a DC operating point
before the transient, the supply current of one copy per leakage state (``when``).
"""

from __future__ import annotations

import itertools

import numpy as np

from ...activity.expr import parse, eval_bool
from .deck import Conditions, Deck, need
from .result import ArcTables
from .spec import Arc, CellSpec


def when_values(when: str, pins: tuple[str, ...]) -> dict[str, int]:
    """The (single) input assignment a leakage ``when`` names (first one in binary
    order when it leaves pins free)."""
    e = parse(when)
    for bits in itertools.product((0, 1), repeat=len(pins)):
        env = {p: np.array(b, dtype=bool) for p, b in zip(pins, bits)}
        if bool(eval_bool(e, env)):
            return dict(zip(pins, bits))
    return {p: 0 for p in pins}


def settle_ns(slews: np.ndarray, loads: np.ndarray, vdd: float, ramp_max: float) -> float:
    """Quiet time (ns) after an input edge for the slowest output to finish: the
    longest ramp plus a load-scaled margin (0.4 pF at 1.4 V: ~60 ns)."""
    return ramp_max + 15.0 + 120.0 * float(loads.max()) * (1.4 / vdd) ** 2


def add_leakage(d: Deck, spec: CellSpec, ports: tuple[str, ...], subckt: str) -> list[str]:
    """One DC copy per leakage state with its own supply ``vl<k>``; returns the
    ``i(...)`` print names in state order."""
    v = d.cond.vdd
    names = []
    for k, w in enumerate(spec.leakage_when):
        vals = when_values(w, spec.inputs)
        sup = f"sl{k}"
        d.lines.append(f"vl{k} {sup} 0 {v:.6g}")
        nets = {p: (sup if vals[p] else "0") for p in spec.inputs}
        nets.update({o: f"lo{k}_{o}" for o in spec.outputs})
        d.instance(f"l{k}", ports, subckt, nets, supply=sup)
        names.append(f"i(vl{k})")
    return names


def build(d: Deck, spec: CellSpec, ports: tuple[str, ...], subckt: str,
          arcs: list[Arc]) -> tuple[float, list]:
    """Add the timing copies of ``arcs`` to ``d``; returns (tstop ns, plan) for
    :func:`collect`."""
    c = d.cond
    vm = c.delay_th * c.vdd
    ramps = [c.ramp(s) for a in arcs for s in spec.slews[a.output]]
    rmax = max(ramps)
    loads_all = np.concatenate([spec.loads[a.output] for a in arcs])
    w = settle_ns(spec.slews[arcs[0].output], loads_all, c.vdd, rmax)
    t1 = rmax / 2 + 0.05
    t2 = t1 + rmax / 2 + w + rmax / 2
    tstop = t2 + rmax / 2 + w
    plan = []
    k = 0
    for ai, a in enumerate(arcs):
        slews, loads = spec.slews[a.output], spec.loads[a.output]
        for ci, case in enumerate(a.cases):
            side = dict(case.side)
            for i, s in enumerate(slews):
                r = c.ramp(s)
                for j, cl in enumerate(loads):
                    tag = f"{k}"
                    k += 1
                    d.pwl(f"vi{tag}", f"i{tag}", [(0, 0), (t1 - r / 2, 0), (t1 + r / 2, c.vdd),
                                                  (t2 - r / 2, c.vdd), (t2 + r / 2, 0)])
                    nets = {p: ("vdd" if side.get(p, 0) else "0") for p in spec.inputs}
                    nets[a.related] = f"i{tag}"
                    nets.update({o: f"n{tag}_{o}" for o in spec.outputs})
                    nets[a.output] = f"o{tag}"
                    d.instance(tag, ports, subckt, nets)
                    d.lines.append(f"c{tag} o{tag} 0 {cl:.6g}p")
                    o_up = "rise" if case.positive else "fall"      # output edge for a rising input
                    o_dn = "fall" if case.positive else "rise"
                    lo, hi = c.slew_lo * c.vdd, c.slew_hi * c.vdd
                    d.cross(f"da{tag}", f"i{tag}", "rise", f"o{tag}", o_up, vm, vm)
                    d.cross(f"db{tag}", f"i{tag}", "fall", f"o{tag}", o_dn, vm, vm, td=t2 - r / 2)
                    for m, edge, td in (("sa", o_up, 0.0), ("sb", o_dn, t2 - r / 2)):
                        a0, a1 = (lo, hi) if edge == "rise" else (hi, lo)
                        d.cross(f"{m}{tag}", f"o{tag}", edge, f"o{tag}", edge, a0, a1, td=td)
                    if i == 0 and j == 0 and ci == 0:
                        d.control.append(f"meas tran qa{tag} integ i(vi{tag}) from={t1 - r / 2:.6g}n to={t2 - r / 2:.6g}n")
                        d.control.append(f"meas tran qb{tag} integ i(vi{tag}) from={t2 - r / 2:.6g}n to={tstop:.6g}n")
                    plan.append((ai, ci, i, j, tag, case.positive))
    return tstop, plan


def collect(vals: dict[str, float], spec: CellSpec, arcs: list[Arc], plan: list,
            cond: Conditions) -> tuple[list[ArcTables], dict[str, tuple[float, float]]]:
    """Tables (worst over an arc's cases) and pin capacitances from the results."""
    out = []
    for a in arcs:
        n, m = len(spec.slews[a.output]), len(spec.loads[a.output])
        out.append(ArcTables(a, spec.slews[a.output], spec.loads[a.output],
                             *(np.full((n, m), -np.inf) for _ in range(4))))
    caps: dict[str, tuple[float, float]] = {}
    for ai, ci, i, j, tag, pos in plan:
        t = out[ai]
        what = f"{spec.name} {t.arc.related}->{t.arc.output}"
        da, db = need(vals, f"da{tag}", what) * 1e9, need(vals, f"db{tag}", what) * 1e9
        sa, sb = need(vals, f"sa{tag}", what) * 1e9, need(vals, f"sb{tag}", what) * 1e9
        rise_d, fall_d, rise_s, fall_s = (da, db, sa, sb) if pos else (db, da, sb, sa)
        t.cell_rise[i, j] = max(t.cell_rise[i, j], rise_d)
        t.cell_fall[i, j] = max(t.cell_fall[i, j], fall_d)
        t.rise_transition[i, j] = max(t.rise_transition[i, j], rise_s * cond.slew_derate)
        t.fall_transition[i, j] = max(t.fall_transition[i, j], fall_s * cond.slew_derate)
        if f"qa{tag}" in vals and t.arc.related not in caps:
            caps[t.arc.related] = (abs(vals[f"qa{tag}"]) / cond.vdd * 1e12, abs(vals[f"qb{tag}"]) / cond.vdd * 1e12)
    return out, caps
