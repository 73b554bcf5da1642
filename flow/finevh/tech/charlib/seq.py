"""Rising-edge flip-flops (optionally with an active-low asynchronous clear).

Deck 1 (one ngspice run) holds, per (clock slew, load), a copy clocked three times:
D = 0 at the first edge (Q = 0), D = 1 at the second (Q rises: clock-to-Q rise) and
D = 0 at the third (Q falls); per (clear slew, load) a copy whose clear falls after a
clock edge has stored 1 (the ``clear`` arc); the input charge of each pin.

No leakage: a state reached by a clock pulse in a transient leaves internal nodes
floating between off transistors (no junctions in the pre-layout netlists), and the
supply current read tens of ns later was 0.2 nW to 2 uW against SkyWater's 0.3 pW;
a DC solution with the stored state forced is left to do, and flip-flops are written
without ``leakage_power``.

Setup and hold follow the reference's criterion (``violation_delay_degrade_pct``,
10 %): the constraint is the data-to-clock offset at which clock-to-Q grows by 10 %
over its value with a far-away data edge (or the flop stops capturing). Every
(clock slew, data slew, data edge, setup|hold) point gets ``K`` copies at ``K``
offsets inside its current bracket per run; ``ROUNDS`` runs shrink each bracket by
(K+1)^ROUNDS, then the offset is interpolated linearly on the delay between the last
passing and first failing copies.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .comb import settle_ns
from .deck import Conditions, Deck, need, run
from .result import ArcTables, CellResult, ConstraintTables
from .spec import CellSpec

DEGRADE = 0.10       # clock-to-Q degradation defining setup/hold (reference: 10 %)
K_PER_ROUND = 3
ROUNDS = 2


def _clock(d: Deck, name: str, net: str, edges: list[float], r: float, period: float) -> None:
    """Clock ``net``: 0, rising (50 %) at each of ``edges`` and falling half a period later."""
    v = d.cond.vdd
    pts = [(0.0, 0.0)]
    for e in edges:
        pts += [(e - r / 2, 0.0), (e + r / 2, v), (e + period / 2 - r / 2, v), (e + period / 2 + r / 2, 0.0)]
    d.pwl(name, net, pts)


def _steps(d: Deck, name: str, net: str, v0: int, changes: list[tuple[float, int]], r: float) -> None:
    """Data ``net`` starting at logic ``v0`` and ramping (50 % at each time) to the given values."""
    v = d.cond.vdd
    pts = [(0.0, v0 * v)]
    cur = v0
    for t, val in changes:
        pts += [(t - r / 2, cur * v), (t + r / 2, val * v)]
        cur = val
    d.pwl(name, net, pts)


def _nets(spec: CellSpec, tag: str, fixed: dict[str, str]) -> dict[str, str]:
    nets = {p: "vdd" for p in spec.inputs}           # clear (active low) inactive by default
    nets.update({o: f"n{tag}_{o}" for o in spec.outputs})
    nets.update(fixed)
    return nets


def _timing_deck(spec: CellSpec, cond: Conditions, models: Path, net: Path, ports, sub: str):
    d = Deck(cond, models, net)
    vm, lo, hi = cond.delay_th * cond.vdd, cond.slew_lo * cond.vdd, cond.slew_hi * cond.vdd
    q = next(a.output for a in spec.arcs if a.kind == "edge")
    slews, loads = spec.slews[q], spec.loads[q]
    rmax = max(cond.ramp(s) for s in slews)
    w = settle_ns(slews, loads, cond.vdd, rmax)
    period = 2 * (rmax + w)
    e1 = rmax / 2 + 0.05
    edges = [e1, e1 + period, e1 + 2 * period]
    plan = []
    k = 0
    for i, s in enumerate(slews):
        r = cond.ramp(s)
        for j, cl in enumerate(loads):
            tag = f"{k}"
            k += 1
            _clock(d, f"vc{tag}", f"c{tag}", edges, r, period)
            _steps(d, f"vd{tag}", f"d{tag}", 0, [(edges[0] + period / 4, 1), (edges[1] + period / 4, 0)], 0.05)
            d.instance(tag, ports, sub, _nets(spec, tag, {spec.clock: f"c{tag}", spec.data: f"d{tag}", q: f"o{tag}"}))
            d.lines.append(f"cl{tag} o{tag} 0 {cl:.6g}p")
            for m, edge, e in (("r", "rise", edges[1]), ("f", "fall", edges[2])):
                td = e - r / 2 - 0.01
                d.cross(f"d{m}{tag}", f"c{tag}", "rise", f"o{tag}", edge, vm, vm, td=td)
                a0, a1 = (lo, hi) if edge == "rise" else (hi, lo)
                d.cross(f"s{m}{tag}", f"o{tag}", edge, f"o{tag}", edge, a0, a1, td=td)
            if j == 0 and i == 0:
                for p, src, t0 in ((spec.clock, f"vc{tag}", edges[1]), (spec.data, f"vd{tag}", edges[0] + period / 4)):
                    # the charge of the rising edge until the next change a quarter period later
                    # (data) or until the clock falls (clock), then of the falling edge
                    rr = r if p == spec.clock else 0.05
                    d.control.append(f"meas tran qa_{p} integ i({src}) from={t0 - rr / 2:.6g}n to={t0 + period / 4 - rr:.6g}n")
                    t1 = t0 + (period / 2 if p == spec.clock else period)
                    d.control.append(f"meas tran qb_{p} integ i({src}) from={t1 - rr / 2:.6g}n to={t1 + period / 4 - rr:.6g}n")
            plan.append(("edge", i, j, tag))
    clr = next((a for a in spec.arcs if a.kind == "clear"), None)
    if clr is not None:
        for i, s in enumerate(spec.slews[clr.output]):
            r = cond.ramp(s)
            for j, cl in enumerate(spec.loads[clr.output]):
                tag = f"{k}"
                k += 1
                _clock(d, f"vc{tag}", f"c{tag}", edges[:1], 0.05, period)
                tr = edges[1]
                _steps(d, f"vr{tag}", f"r{tag}", 1, [(tr, 0)], r)
                d.instance(tag, ports, sub, _nets(spec, tag, {spec.clock: f"c{tag}", spec.clear: f"r{tag}",
                                                              clr.output: f"o{tag}"}))
                d.lines.append(f"cl{tag} o{tag} 0 {cl:.6g}p")
                td = tr - r / 2 - 0.01
                d.cross(f"df{tag}", f"r{tag}", "fall", f"o{tag}", "fall", vm, vm, td=td)
                d.cross(f"sf{tag}", f"o{tag}", "fall", f"o{tag}", "fall", hi, lo, td=td)
                if i == 0 and j == 0:
                    d.control.append(f"meas tran qb_{spec.clear} integ i(vr{tag}) from={td:.6g}n to={tr + period / 2:.6g}n")
                    # the clear only falls here: its rise charge is taken equal to the fall charge
                    d.control.append(f"meas tran qa_{spec.clear} integ i(vr{tag}) from={td:.6g}n to={tr + period / 2:.6g}n")
                plan.append(("clear", i, j, tag))
    return d, plan, edges[2] + period, q


def _collect_timing(vals, spec: CellSpec, cond: Conditions, plan, q: str):
    edge = next(a for a in spec.arcs if a.kind == "edge")
    n, m = len(spec.slews[q]), len(spec.loads[q])
    et = ArcTables(edge, spec.slews[q], spec.loads[q], *(np.zeros((n, m)) for _ in range(4)))
    out = [et]
    clr = next((a for a in spec.arcs if a.kind == "clear"), None)
    if clr is not None:
        n2, m2 = len(spec.slews[clr.output]), len(spec.loads[clr.output])
        ct = ArcTables(clr, spec.slews[clr.output], spec.loads[clr.output], None, np.zeros((n2, m2)), None,
                       np.zeros((n2, m2)))
        out.append(ct)
    for kind, i, j, tag in plan:
        what = f"{spec.name} {kind}"
        if kind == "edge":
            et.cell_rise[i, j] = need(vals, f"dr{tag}", what) * 1e9
            et.cell_fall[i, j] = need(vals, f"df{tag}", what) * 1e9
            et.rise_transition[i, j] = need(vals, f"sr{tag}", what) * 1e9 * cond.slew_derate
            et.fall_transition[i, j] = need(vals, f"sf{tag}", what) * 1e9 * cond.slew_derate
        else:
            ct.cell_fall[i, j] = need(vals, f"df{tag}", what) * 1e9
            ct.fall_transition[i, j] = need(vals, f"sf{tag}", what) * 1e9 * cond.slew_derate
    caps = {}
    for p in spec.inputs:
        if f"qa_{p}".lower() in vals:
            caps[p] = (abs(vals[f"qa_{p}".lower()]) / cond.vdd * 1e12, abs(vals[f"qb_{p}".lower()]) / cond.vdd * 1e12)
    return out, caps


# ----------------------------------------------------------------------------- setup / hold

def _constraint_deck(spec: CellSpec, cond: Conditions, models: Path, net: Path, ports, sub: str, q: str,
                     points: list, offsets: list[list[float]]):
    """One copy per (point, offset). A point is (kind, rising D, clock slew, data slew)."""
    d = Deck(cond, models, net)
    vm = cond.delay_th * cond.vdd
    rmax = max(max(cond.ramp(p[2]), cond.ramp(p[3])) for p in points)
    w = settle_ns(np.array([0.0]), spec.loads[q][:1], cond.vdd, rmax)
    period = 2 * (rmax + w) + 2 * max(abs(o) for offs in offsets for o in offs)
    e1 = rmax / 2 + 0.05
    e2 = e1 + period
    load = spec.loads[q][0]
    tags = []
    k = 0
    for (kind, rising, cs, ds), offs in zip(points, offsets):
        rc, rd = cond.ramp(cs), cond.ramp(ds)
        row = []
        for off in offs:
            tag = f"{k}"
            k += 1
            _clock(d, f"vc{tag}", f"c{tag}", [e1, e2], rc, period)
            new = 1 if rising else 0
            if kind == "setup":      # prior Q = old value, D moves to the new one at e2 + off
                _steps(d, f"vd{tag}", f"d{tag}", 1 - new, [(e2 + off, new)], rd)
                qedge = "rise" if rising else "fall"
            else:                    # hold: e2 captures the old value, D leaves it at e2 + off
                _steps(d, f"vd{tag}", f"d{tag}", new, [(e1 + period / 2, 1 - new), (e2 + off, new)], rd)
                qedge = "fall" if rising else "rise"
            d.instance(tag, ports, sub, _nets(spec, tag, {spec.clock: f"c{tag}", spec.data: f"d{tag}", q: f"o{tag}"}))
            d.lines.append(f"cl{tag} o{tag} 0 {load:.6g}p")
            d.cross(f"t{tag}", f"c{tag}", "rise", f"o{tag}", qedge, vm, vm, td=e2 - rc / 2 - 0.01)
            row.append(tag)
        tags.append(row)
    return d, tags, e2 + period


def _delays(vals, tags) -> list[list[float]]:
    return [[vals.get(f"t{t}", np.inf) * 1e9 if f"t{t}" in vals else np.inf for t in row] for row in tags]


def constraints(spec: CellSpec, cond: Conditions, models: Path, net: Path, ports, sub: str, q: str,
                ngspice: str = "ngspice") -> list[ConstraintTables]:
    """Setup and hold tables of every constraint of ``spec`` (see module doc)."""
    out = []
    for con in spec.constraints:
        points = [(kind, rising, cs, ds) for kind in ("setup", "hold") for rising in (True, False)
                  for cs in con.clock_slews for ds in con.pin_slews]
        far = [((cond.ramp(cs) + cond.ramp(ds)) / 2 + 2.0) for _k, _r, cs, ds in points]
        # sign: offset = D edge time - clock edge time; setup passes below, hold above
        sgn = [-1.0 if p[0] == "setup" else 1.0 for p in points]
        ref_deck, ref_tags, tstop = _constraint_deck(spec, cond, models, net, ports, sub, q, points,
                                                     [[s * f] for s, f in zip(sgn, far)])
        ref = [row[0] for row in _delays(run(ref_deck.text(tstop), ngspice), ref_tags)]
        lim = [r * (1 + DEGRADE) for r in ref]
        # bracket (pass offset, fail offset, delay at pass, delay at fail)
        br = [[s * f, -s * f, r, np.inf] for s, f, r in zip(sgn, far, ref)]
        for _round in range(ROUNDS):
            offs = [list(np.linspace(b[0], b[1], K_PER_ROUND + 2)[1:-1]) for b in br]
            dk, tags, tstop = _constraint_deck(spec, cond, models, net, ports, sub, q, points, offs)
            dl = _delays(run(dk.text(tstop), ngspice), tags)
            for b, o, dd, li in zip(br, offs, dl, lim):
                seq = [(b[0], b[2])] + list(zip(o, dd)) + [(b[1], b[3])]
                for (o0, d0), (o1, d1) in zip(seq, seq[1:]):
                    if d1 > li:             # first failing copy from the passing side
                        b[:] = [o0, o1, d0, d1]
                        break
        vals = []
        for b, li in zip(br, lim):
            o0, o1, d0, d1 = b
            if np.isfinite(d1) and d1 > d0:
                x = o0 + (o1 - o0) * (li - d0) / (d1 - d0)
            else:
                x = (o0 + o1) / 2
            vals.append(x)
        nc, nd = len(con.clock_slews), len(con.pin_slews)
        arr = np.array(vals).reshape(2, 2, nc, nd)      # kind, rising, clock slew, data slew
        out.append(ConstraintTables(con.pin, con.clock, "setup", con.clock_slews, con.pin_slews, -arr[0, 0], -arr[0, 1]))
        out.append(ConstraintTables(con.pin, con.clock, "hold", con.clock_slews, con.pin_slews, arr[1, 0], arr[1, 1]))
    return out


def characterise(spec: CellSpec, cond: Conditions, models: Path, net: Path, ports, sub: str,
                 ngspice: str = "ngspice") -> CellResult:
    d, plan, tend, q = _timing_deck(spec, cond, models, net, ports, sub)
    vals = run(d.text(tend), ngspice)
    arcs, caps = _collect_timing(vals, spec, cond, plan, q)
    cons = constraints(spec, cond, models, net, ports, sub, q, ngspice)
    return CellResult(spec, sub, cond, caps, [], arcs, cons)
