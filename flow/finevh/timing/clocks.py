"""Clocks: which clock reaches each terminal, clock latencies, clock-edge arithmetic.

An *ideal* clock reaches its pins at the edge time plus the clock's latencies
(``set_clock_latency -source`` and network ``set_clock_latency``) with the ideal slew
(``set_clock_transition``); through inverting cells of the clock network the edge is
swapped. A *propagated* clock (``set_propagated_clock``) reaches them at the edge time
plus the source latency plus the delay of the clock network, computed by
:func:`propagate_latency` with the same arc delays (:mod:`finevh.timing.dcalc`) as
the data paths, from the slew at the clock source (``set_input_transition`` /
driving cell of the port). The late (max) latency and slew take the worst over the
arcs into a pin, the early (min) ones the best, with early slews, as OpenSTA's max and
min analyses do on one corner. Times ns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from .arcs import FALL, KIND_COMB, RISE
from .constraints import Clock, TimingConstraints
from .dcalc import ArcTables, DelayCalc
from .graph import TimingGraph, expand


@dataclass
class ClockNetwork:
    """Per terminal: the index of the clock reaching it (-1: none) and whether the
    clock arrives inverted (1) or not (0)."""

    clock_of_term: np.ndarray      # int32[T] clock index, -1 none
    clock_inv: np.ndarray          # int8[T] 1 where the clock arrives inverted
    #: ideal clocks: the last :class:`ClockLatency` (it depends on the clock settings
    #: only), shared by the late and the early search; (settings key, latency)
    ideal_latency: tuple | None = field(default=None, repr=False, compare=False)


def clock_network(design, g: TimingGraph, constraints: TimingConstraints) -> ClockNetwork:
    """Breadth-first from the clock sources through nets and through the rising-input
    edges of combinational cells (an edge to a falling output inverts), vectorised per
    wave. A terminal reached by several clocks keeps the first."""
    d = design
    T = g.n_terms
    clock_of_term = np.full(T, -1, dtype=np.int64)
    clock_inv = np.zeros(T, dtype=np.int64)
    ptr = d.net_term_ptr
    nets_terms = d.net_terms
    nd = np.asarray(d.net_n_drivers)
    comb = np.nonzero((g.e_kind == KIND_COMB) & (g.e_from >= 0) & (g.e_in_rf == RISE))[0]
    by_from = comb[np.argsort(g.e_from[comb], kind="stable")]
    from_sorted = g.e_from[by_from]
    for ci, clk in enumerate(constraints.clocks):
        seen = np.zeros((T, 2), dtype=bool)
        ft = np.asarray(clk.sources, dtype=np.int64)
        fi = np.zeros(len(ft), dtype=np.int64)
        while len(ft):
            key = np.unique(ft * 2 + fi)
            ft, fi = key // 2, key % 2
            new = ~seen[ft, fi]
            ft, fi = ft[new], fi[new]
            if not len(ft):
                break
            seen[ft, fi] = True
            first = np.ones(len(ft), dtype=bool)
            first[1:] = ft[1:] != ft[:-1]          # polarity 0 before 1 for one terminal
            un = first & (clock_of_term[ft] < 0)
            clock_of_term[ft[un]] = ci
            clock_inv[ft[un]] = fi[un]
            # through nets: a driving terminal reaches every other terminal of its net
            m = g.net_of_term[ft]
            mm = np.maximum(m, 0)
            drv = (m >= 0) & (nd[mm] > 0) & (nets_terms[np.minimum(ptr[mm], max(len(nets_terms) - 1, 0))] == ft)
            st = ptr[mm[drv]] + 1
            cnt = ptr[mm[drv] + 1] - st
            n_t = nets_terms[expand(st, cnt)]
            n_i = np.repeat(fi[drv], cnt)
            # through cells
            lo = np.searchsorted(from_sorted, ft, "left")
            hi = np.searchsorted(from_sorted, ft, "right")
            e = by_from[expand(lo, hi - lo)]
            c_t = g.e_to[e]
            c_i = np.repeat(fi, hi - lo) ^ (g.e_out_rf[e] == FALL).astype(np.int64)
            ft = np.concatenate([n_t, c_t])
            fi = np.concatenate([n_i, c_i])
    return ClockNetwork(clock_of_term.astype(np.int32), clock_inv.astype(np.int8))


class TermTable:
    """Values per (terminal, transition), read like a dense ``[T, 2]`` array (``a[t]``,
    ``a[t, rf]``, ``a[:, rf]``) but stored for the few terminals that have one: row
    ``rows[t]`` of ``vals``, whose last row holds the value of every other terminal
    (NaN, or -1 for indices). Clock latencies and slews exist on the clock networks
    only: 4 bytes per terminal (``rows``, shared by all the tables of one
    :class:`ClockLatency`) instead of 16 per table. Read-only."""

    __slots__ = ("rows", "vals")

    def __init__(self, rows: np.ndarray, vals: np.ndarray):
        self.rows = rows            # int32[T]: row of each terminal, len(vals) - 1 where none
        self.vals = vals            # [R + 1, 2]; the last row: the value off the table
        vals.flags.writeable = False

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.rows), self.vals.shape[1])

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, key):
        if isinstance(key, tuple):
            t, rf = key
            return self.vals[self.rows[t], rf]
        return self.vals[self.rows[key]]

    def __array__(self, dtype=None, copy=None):
        a = self.vals[self.rows]
        return a if dtype is None else a.astype(dtype)

    @property
    def kept(self) -> np.ndarray:
        """The terminals that have a row, ascending."""
        return np.flatnonzero(self.rows < len(self.vals) - 1)


def compact_tables(dense: list[np.ndarray]) -> list[TermTable]:
    """:class:`TermTable` views of dense ``[T, 2]`` arrays (NaN, or -1 for integer
    arrays, where a terminal has no value) sharing one row index: the terminals where
    any of them has a value. The same array given twice gives the same table."""
    T = len(dense[0])
    keep = np.zeros(T, dtype=bool)
    uniq = list({id(a): a for a in dense}.values())
    for a in uniq:
        keep |= ((~np.isnan(a)) if a.dtype.kind == "f" else (a != -1)).any(axis=1)
    idx = np.flatnonzero(keep)
    rows = np.full(T, len(idx), dtype=np.int32)
    rows[idx] = np.arange(len(idx), dtype=np.int32)
    out = {}
    for a in uniq:
        fill = np.full((1, a.shape[1]), np.nan if a.dtype.kind == "f" else -1, dtype=a.dtype)
        out[id(a)] = TermTable(rows, np.concatenate([a[idx], fill]))
    return [out[id(a)] for a in dense]


@dataclass
class ClockLatency:
    """Clock arrival offsets of one pass: per terminal and pin transition, the clock
    latency (ns, from the clock's source edge, source latency included) and the clock
    slew (ns), late (max) and early (min). Ideal clocks: source + network latency and
    the ideal slew. NaN on terminals no clock reaches (kept as :class:`TermTable`:
    values on the clock networks only)."""

    late: TermTable            # [T, 2]
    early: TermTable           # [T, 2]
    slew_late: TermTable       # [T, 2]
    slew_early: TermTable      # [T, 2]
    #: propagated clocks: the (terminal * 2 + rf) each pin's late / early latency came
    #: from (-1 at the sources and off the propagated networks), for CRPR
    pred_late: TermTable | None = None     # int64 [T, 2]
    pred_early: TermTable | None = None    # int64 [T, 2]

    def at(self, terms: np.ndarray, rf: np.ndarray, early: bool) -> np.ndarray:
        """Latency (ns) at ``terms`` for pin transitions ``rf``; 0 where no clock."""
        v = (self.early if early else self.late)[terms, rf]
        return np.where(np.isfinite(v), v, 0.0)


def port_latency(clk: Clock) -> float:
    """Latency (ns) added to a port delay relative to ``clk`` (input and output delays):
    the source latency, plus the network latency of an ideal clock (OpenSTA)."""
    return clk.source_latency + (0.0 if clk.propagated else clk.latency)


def propagate_latency(g: TimingGraph, constraints: TimingConstraints, net: ClockNetwork, dcalc: DelayCalc,
                      tables: ArcTables, load: np.ndarray, src_slew: np.ndarray,
                      load_early: np.ndarray | None = None,
                      slew_floor: tuple[np.ndarray, np.ndarray] | None = None) -> ClockLatency:
    """Clock latency and slew of every terminal of the clock networks (see the module
    doc). ``src_slew`` [T, 2]: slew at the clock sources (ports: input transition or
    driving cell), used by propagated clocks; ``tables`` / ``load`` as the data search;
    ``load_early``: the loads [T, 2] of the early latencies (default ``load``);
    ``slew_floor``: (late, early) [T, 2] slews of the data arcs into clock terminals
    (clock gates' enables, NaN elsewhere), merged into the late (max) and early (min)
    slews there as OpenSTA's vertex slews are (see :mod:`finevh.timing.gating`)."""
    loads = {"late": load, "early": load if load_early is None else load_early}
    T = g.n_terms
    clocks = constraints.clocks
    K = len(clocks)
    k_of = net.clock_of_term
    prop = np.array([c.propagated for c in clocks] + [False])
    srcs = np.array(sorted({t for c in clocks if c.propagated for t in c.sources}), dtype=np.int64)
    # ideal clocks only: late and early are the same values, computed once and shared
    # (read-only) by both sides
    modes = ("late", "early") if len(srcs) else ("late",)
    lat = {m: np.full((T, 2), np.nan) for m in modes}
    sl = {m: np.full((T, 2), np.nan) for m in modes}
    if len(srcs):
        pred = {m: np.full((T, 2), -1, dtype=np.int64) for m in modes}
        for m in lat:
            lat[m][srcs] = 0.0
            sl[m][srcs] = src_slew[srcs]
        if slew_floor is not None:
            for m, f in zip(("late", "early"), slew_floor):
                sl[m] = np.where(np.isfinite(f), f, sl[m])
        kk = np.where(k_of >= 0, k_of, K)
        src = g.e_src
        cand = np.nonzero((g.e_kind == KIND_COMB) & (src >= 0) & prop[kk[np.maximum(src, 0)]] & prop[kk[g.e_to]])[0]
        if len(cand):
            lev = np.searchsorted(g.level_ptr, cand, side="right") - 1
            bounds = np.flatnonzero(np.diff(lev)) + 1
            for idx in np.split(cand, bounds):
                s, irf, to, orf = src[idx], g.e_in_rf[idx], g.e_to[idx], g.e_out_rf[idx]
                ok = np.isfinite(lat["late"][s, irf])
                if not ok.all():
                    idx, s, irf, to, orf = idx[ok], s[ok], irf[ok], to[ok], orf[ok]
                if not len(idx):
                    continue
                for m, red in (("late", np.fmax), ("early", np.fmin)):
                    dl, sw = dcalc.eval_arcs(g, idx, tables, sl[m], loads[m], early=m == "early")
                    cand = lat[m][s, irf] + dl
                    red.at(lat[m], (to, orf), cand)
                    red.at(sl[m], (to, orf), sw)
                    hit = cand == lat[m][to, orf]
                    pred[m][to[hit], orf[hit]] = s[hit] * 2 + irf[hit]
        # load pins see their driver, plus the wire delay and slew of RC parasitics
        ld = np.nonzero((k_of >= 0) & (g.src_of_term >= 0) & (g.src_of_term != np.arange(T)))[0]
        ld = ld[prop[k_of[ld]]]
        for m in lat:
            lat[m][ld] = lat[m][g.src_of_term[ld]]
            sl[m][ld] = sl[m][g.src_of_term[ld]]
            wire = dcalc.wire_values(early=m == "early")
            if wire is not None:
                lat[m][ld] += wire[0][ld]
                sl[m][ld] = np.where(np.isnan(wire[1][ld]), sl[m][ld], wire[1][ld])
            thr = dcalc.thresholds(g)
            if thr is not None:         # the load library's thresholds (SRAM clock pins)
                lat[m][ld] += thr.delay(sl[m][ld], ld[:, None], np.array([RISE, FALL]))
                sl[m][ld] = thr.slew(sl[m][ld], ld[:, None], np.array([RISE, FALL]))
            pred[m][ld] = g.src_of_term[ld][:, None] * 2 + np.array([RISE, FALL])
    # ideal clocks (and the source latency of every clock)
    ck = np.nonzero(k_of >= 0)[0]
    if len(ck) and K:
        kc = k_of[ck]
        inv = net.clock_inv[ck]
        trans = np.array([c.transition for c in clocks])              # [K, 2]
        src_lat = np.array([c.source_latency for c in clocks])
        ideal_lat = np.array([c.latency for c in clocks])
        idl = ~prop[kc]
        for rf in (RISE, FALL):
            for m in lat:
                lat[m][ck[idl], rf] = ideal_lat[kc[idl]]
                sl[m][ck[idl], rf] = trans[kc[idl], rf ^ inv[idl]]
                lat[m][ck, rf] += src_lat[kc]
    if not len(srcs):
        return ClockLatency(*compact_tables([lat["late"], lat["late"], sl["late"], sl["late"]]))
    return ClockLatency(*compact_tables([lat["late"], lat["early"], sl["late"], sl["early"], pred["late"],
                                         pred["early"]]))


def clock_path(lat: ClockLatency, term: int, rf: int, early: bool) -> list[tuple[int, int]]:
    """The propagated clock path into (``term``, ``rf``): (terminal, transition) from
    the pin back to the clock source, following the arcs that gave its late (or early)
    latency."""
    pred = lat.pred_early if early else lat.pred_late
    out = [(term, rf)]
    while pred is not None and len(out) < 100000:
        p = int(pred[term, rf])
        if p < 0:
            break
        term, rf = p // 2, p % 2
        out.append((term, rf))
    return out


def divergent(lat: ClockLatency) -> np.ndarray | None:
    """bool[T]: terminals whose late and early clock latencies differ (a reconvergent
    clock network); None when they agree everywhere (clock trees, ideal clocks)."""
    if lat.pred_late is None:
        return None
    late, early = lat.late, lat.early
    assert late.rows is early.rows
    with np.errstate(invalid="ignore"):
        d = (np.abs(late.vals - early.vals) > 1e-12).any(axis=1)[late.rows]
    return d if d.any() else None


def crpr_credit(lat: ClockLatency, launch: tuple[int, int], capture: tuple[int, int], setup: bool) -> float:
    """Clock reconvergence pessimism removed (ns) between a launching and a capturing
    clock pin, given as (terminal, pin transition), as OpenSTA 3.x does (``same_pin``):
    at the deepest pin P shared by the launch clock path (late for setup, early for
    hold) and the capture clock path (the other one), the smaller of the two paths'
    |late - early| latency differences at P (in their own transitions)."""
    lp = clock_path(lat, *launch, early=not setup)
    cp = dict(clock_path(lat, *capture, early=setup))
    for t, rf in lp:
        crf = cp.get(t)
        if crf is not None:
            return float(min(abs(lat.late[t, rf] - lat.early[t, rf]), abs(lat.late[t, crf] - lat.early[t, crf])))
    return 0.0


def edge_times(clocks: list[Clock]) -> np.ndarray:
    """[K, 2] time of the rising / falling source edge of every clock (ns)."""
    return np.array([[c.edge_time(RISE), c.edge_time(FALL)] for c in clocks]).reshape(len(clocks), 2)


class CaptureEdges:
    """Capture-edge times between the clocks of one set of constraints (memoised)."""

    def __init__(self, constraints: TimingConstraints):
        self.constraints = constraints
        self._memo: dict[tuple, float | None] = {}

    def capture(self, lclk: int, lrf: int, cclk: int, crf: int, strict: bool = True) -> float | None:
        """Absolute capture time for a launch at (lclk, lrf) captured at (cclk, crf): the
        first capture edge strictly after the launch edge (``strict=False``: at or after,
        the opening edge of a latch), the worst over the common period; None for a
        false path between the two clocks."""
        if (lclk, cclk) in self.constraints.false_clock_pairs:
            return None
        key = (lclk, lrf, cclk, crf, strict)
        memo = self._memo
        if key in memo:
            return memo[key]
        memo[key] = v = self._capture(lclk, lrf, cclk, crf, strict)
        return v

    def hold_capture(self, lclk: int, lrf: int, cclk: int, crf: int) -> float | None:
        """Absolute hold capture time for a launch at (lclk, lrf) captured at (cclk, crf):
        the latest capture edge at or before the launch edge, the closest one over the
        common period (OpenSTA's cycle accounting); None for a false path."""
        if (lclk, cclk) in self.constraints.false_clock_pairs:
            return None
        key = (lclk, lrf, cclk, crf, "hold")
        memo = self._memo
        if key not in memo:
            tc = self.constraints
            L: Clock = tc.clocks[lclk]
            C: Clock = tc.clocks[cclk]
            tl0, tcap0 = L.edge_time(lrf), C.edge_time(crf)
            best = None
            for i in range(max(1, int(round(lcm_period(L.period, C.period) / L.period)))):
                tl = tl0 + i * L.period
                tcap = tcap0 + math.floor((tl - tcap0) / C.period + 1e-9) * C.period
                if best is None or tl - tcap < best - 1e-12:
                    best = tl - tcap
            memo[key] = tl0 - best
        return memo[key]

    def _capture(self, lclk, lrf, cclk, crf, strict):
        tc = self.constraints
        L: Clock = tc.clocks[lclk]
        C: Clock = tc.clocks[cclk]
        tl0 = L.edge_time(lrf)
        tcap0 = C.edge_time(crf)
        lcm = lcm_period(L.period, C.period)
        best = None
        n = max(1, int(round(lcm / L.period)))
        for i in range(n):
            tl = tl0 + i * L.period
            j = math.floor((tl - tcap0) / C.period + 1e-9) + 1
            tcap = tcap0 + j * C.period
            while tcap <= tl + 1e-9 if strict else tcap < tl - 1e-9:
                tcap += C.period
            while not strict and tcap - C.period >= tl - 1e-9:
                tcap -= C.period
            delta = tcap - tl
            if best is None or delta < best - 1e-12:
                best = delta
        return tl0 + best


def lcm_period(a: float, b: float) -> float:
    """Least common multiple of two periods (ns), on a 1 fs grid."""
    ia, ib = int(round(a * 1e6)), int(round(b * 1e6))
    if ia <= 0 or ib <= 0:
        raise InputError("clock period must be positive")
    l = ia * ib // math.gcd(ia, ib)
    if l > 1000 * max(ia, ib):
        l = max(ia, ib)
    return l / 1e6
