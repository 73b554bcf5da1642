"""Setup and hold checks: the slack of every constrained endpoint.

Setup (late data, early capture clock): the check table at (clock slew, data slew);
required = first capture edge strictly after the launch edge + capture clock latency
- setup - setup uncertainty (latch D checks: the opening edge plus the time borrowed,
:mod:`finevh.timing.latches`). Outputs: required = capture edge + port latency -
uncertainty - ``set_output_delay -max``. Slack = required - arrival.

Hold (early data, late capture clock): the hold capture edge is the latest capture edge
at or before the launch edge, the closest over the common period (one clock: the
launch edge itself, or the capture edge before it); required = that edge + capture clock latency + hold time
(table at late clock slew, early data slew) + hold uncertainty; outputs: edge + port
latency + uncertainty - ``set_output_delay -min``. Slack = arrival - required.

Each endpoint keeps its worst check over data transitions and launch tags. Clock
latencies come from :class:`~finevh.timing.clocks.ClockLatency` (ideal or
propagated). Clock reconvergence pessimism removal (CRPR): data launched below
reconvergent clock logic travels in tags of its own launching clock net
(:mod:`finevh.timing.search`); its checks get the credit of
:func:`~finevh.timing.clocks.crpr_credit` (added to setup, subtracted from hold
required times). Times ns.
"""

from __future__ import annotations

import numpy as np

from .arcs import FALL, RISE
from .clocks import CaptureEdges, ClockLatency, ClockNetwork, crpr_credit, edge_times, port_latency
from .constraints import TerminalNames, TimingConstraints, blocked_drivers
from .dcalc import ArcTables
from .exceptions import MAX, MIN, ExceptionStates
from .gating import GatingChecks, gated_hold_capture, gating_margin
from .graph import TimingGraph
from .latches import Latches
from .nldm import lookup
from .thresholds import ThresholdAdjust
from .result import EndpointTable, HoldResult, RequiredSeeds

NEG = -np.inf


def setup_checks(g: TimingGraph, constraints: TimingConstraints, clocks: ClockNetwork, capture: CaptureEdges,
                 latches: Latches, names: TerminalNames, tables: ArcTables, arr: np.ndarray, slew: np.ndarray,
                 tags: list[tuple[int, int]], lat: ClockLatency,
                 tag_leaf: list[int] | None = None, wire=None, states: ExceptionStates | None = None,
                 tag_x: list[int] | None = None, tag_nolat: list[bool] | None = None,
                 gating: GatingChecks | None = None,
                 thr: ThresholdAdjust | None = None) -> tuple[EndpointTable, RequiredSeeds | None]:
    """The worst check of every endpoint (vectorised over checks, one loop over launch
    tags) for arrivals ``arr`` [tags, T, 2] and slews ``slew`` [T, 2], and the required
    time of every valid check (the seeds of the required-time search; None if none).
    ``wire``: (wire delay, load slew) [T, 2] of RC parasitics at load pins, or None.
    ``states``/``tag_x``/``tag_nolat``: path exceptions of the search, each tag's state
    set and whether its arrivals are relative to the launching clock (see
    :class:`~finevh.timing.search.Arrivals`). ``gating``: the clock-gating checks
    (:mod:`finevh.timing.gating`); ``thr``: threshold conversion at load pins
    (:mod:`finevh.timing.thresholds`)."""
    tc = constraints
    wd, arr_at, slew_at = _wire(wire, thr, g, slew)
    exc = _Exceptions(tc, states, tag_x, tags, True, tag_nolat)
    nclk = len(tc.clocks)
    unc = np.array([c.setup_uncertainty for c in tc.clocks] + [0.0])
    cols = {k: [] for k in ("term", "slack", "arr", "req", "rf", "tag", "kind", "row", "setup", "cap")}

    def add(term, a, rq, rf, ti, kind, row, setup, cap):
        cols["term"].append(term)
        cols["slack"].append(rq - a)
        cols["arr"].append(a)
        cols["req"].append(rq)
        cols["rf"].append(rf)
        cols["tag"].append(np.full(len(term), ti))
        cols["kind"].append(np.full(len(term), kind, dtype=np.int64))
        cols["row"].append(row)
        cols["setup"].append(setup)
        cols["cap"].append(cap)

    caps = [_edge_table(capture.capture, nclk, lk, lrf) for lk, lrf in tags]
    if len(g.c_data):
        dnode = g.src_of_term[g.c_data]
        ok = (dnode >= 0) & ~np.isin(dnode, blocked_drivers(g, tc))
        dn = np.maximum(dnode, 0)
        cs = _clock_slew(lat.slew_early, slew, g.c_clk, g.c_clock_rf)
        ds = slew_at(np.where(ok, slew[dn, g.c_data_rf], 0.0), g.c_data, g.c_data_rf)
        c_lat = lat.at(g.c_clk, g.c_clock_rf, early=True)
        setup = lookup(tables.pack, tables.check, cs, ds)
        cclk = clocks.clock_of_term[g.c_clk]
        c_src_rf = g.c_clock_rf ^ clocks.clock_inv[g.c_clk]
        ck = np.where(cclk >= 0, cclk, nclk)
        keep_t = ~np.isin(g.c_data, np.fromiter(tc.false_to, dtype=np.int64)) if tc.false_to else True
        rows = np.arange(len(g.c_data))
        win = latches.check_windows(ck, c_src_rf, setup, lat.at(g.c_clk, 1 - g.c_clock_rf, early=True), c_lat)
        for ti in range(len(tags)):
            a = np.where(ok, arr_at(arr[ti, dn, g.c_data_rf], g.c_data, g.c_data_rf), NEG)
            rq = caps[ti][ck, c_src_rf] + c_lat - setup - unc[ck]
            if tag_leaf is not None and tag_leaf[ti] >= 0:
                rq = rq + _crpr(g, tc, clocks, lat, g.c_clk, g.c_clock_rf, cclk, tags[ti], tag_leaf[ti], True)
            if win is not None and tags[ti][0] >= 0:
                latches.check_required(win, tags[ti], ck, a, rq)
            rq = np.where(cclk >= 0, rq, np.nan)
            if exc.on:
                rq = exc.required(ti, g.c_data, g.c_data_rf, cclk, c_src_rf, rq, np.where(cclk >= 0, c_lat, 0.0),
                                  np.where(cclk >= 0, unc[ck], 0.0), setup)
            valid = np.isfinite(a) & np.isfinite(rq) & keep_t
            if not valid.any():
                continue
            v = np.nonzero(valid)[0]
            add(g.c_data[v], a[v], rq[v], g.c_data_rf[v], ti, 0, rows[v], setup[v], np.where(cclk[v] >= 0, ck[v], -1))
    ods = _output_delays(g, tc, tc.output_delays)
    if ods is not None:
        ods, o_t, o_k, o_crf, o_d, o_n, o_lat = ods
        for ti in range(len(tags)):
            base = caps[ti][o_k, o_crf] + o_lat - unc[o_k]
            for rf in (RISE, FALL):
                a = arr_at(arr[ti, o_n, rf], o_t, rf)
                rq = base - o_d[:, rf]
                rfs = np.full(len(o_t), rf)
                if exc.on:
                    rq = exc.required(ti, o_t, rfs, o_k, o_crf, rq, o_lat, unc[o_k], o_d[:, rf])
                valid = np.isfinite(a) & np.isfinite(rq)
                v = np.nonzero(valid)[0]
                if not len(v):
                    continue
                add(o_t[v], a[v], rq[v], rfs[v], ti, 1, np.full(len(v), -1), o_d[v, rf], o_k[v])
    for t, a, rq, rf, ti in exc.port_ends(g, tc.output_delays, arr, arr_at):
        add(t, a, rq, rf, ti, 1, np.full(len(t), -1), np.zeros(len(t)), np.full(len(t), -1))
    if gating is not None and len(gating):
        for t, a, rq, rf, ti, m, k in _gating_checks(g, tc, clocks, lat, gating, tags, tag_leaf, arr, arr_at, exc,
                                                     unc, True, lambda lk, lrf, k, rf: capture.capture(lk, lrf, k, rf)):
            add(t, a, rq, rf, ti, 4, np.full(len(t), -1), m, k)
    if not cols["term"]:
        return EndpointTable.empty(names.names), None
    c = {k: np.concatenate(v) for k, v in cols.items()}
    seeds = RequiredSeeds(c["tag"].astype(np.int64), c["term"].astype(np.int64), c["rf"].astype(np.int64), c["req"])
    return _worst_per_endpoint(c, names), seeds


def _crpr(g: TimingGraph, tc: TimingConstraints, clocks: ClockNetwork, lat: ClockLatency, clk: np.ndarray,
          clk_rf: np.ndarray, cap_clock: np.ndarray, tag: tuple[int, int], leaf: int, setup: bool) -> np.ndarray:
    """Clock reconvergence pessimism credit (ns) of every check (clock pins ``clk``,
    pin transitions ``clk_rf``, capturing clocks ``cap_clock``) for data launched in
    ``tag`` from below the clock net driver ``leaf``; 0 for other clocks."""
    k, srf = tag
    out = np.zeros(len(clk))
    if not tc.clocks[k].propagated:
        return out
    sel = np.nonzero(cap_clock == k)[0]
    src = g.src_of_term[clk[sel]]
    cap_leaf = np.where(src >= 0, src, clk[sel])
    launch = (leaf, srf ^ int(clocks.clock_inv[leaf]))
    memo: dict[tuple[int, int], float] = {}
    for i, cl, crf in zip(sel.tolist(), cap_leaf.tolist(), clk_rf[sel].tolist()):
        v = memo.get((cl, crf))
        if v is None:
            v = memo[(cl, crf)] = crpr_credit(lat, launch, (cl, crf), setup)
        out[i] = v
    return out


def _clock_slew(clock_slew: np.ndarray, slew: np.ndarray, clk: np.ndarray, rf: np.ndarray) -> np.ndarray:
    """Slew (ns) of the clock pins ``clk`` for the check: the clock network's (early or
    late) slew, else the search's."""
    v = clock_slew[clk, rf]
    return np.where(np.isfinite(v), v, slew[clk, rf])


def _worst_per_endpoint(c: dict, names: TerminalNames) -> EndpointTable:
    """The worst check of every endpoint from the check columns ``c``, sorted by
    (slack, terminal)."""
    order = np.lexsort((c["rf"], c["tag"], c["slack"], c["term"]))
    term_sorted = c["term"][order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = term_sorted[1:] != term_sorted[:-1]
    best = order[first]
    best = best[np.lexsort((c["term"][best], c["slack"][best]))]
    return EndpointTable(c["term"][best].astype(np.int64), c["slack"][best], c["arr"][best], c["req"][best],
                         c["rf"][best].astype(np.int64), c["tag"][best].astype(np.int64),
                         c["kind"][best].astype(np.int64), c["row"][best].astype(np.int64), c["setup"][best],
                         c["cap"][best].astype(np.int64), names.names)


def hold_checks(g: TimingGraph, constraints: TimingConstraints, clocks: ClockNetwork, capture: CaptureEdges,
                names: TerminalNames, tables: ArcTables, hold_rows: np.ndarray, arr: np.ndarray, slew: np.ndarray,
                tags: list[tuple[int, int]], lat: ClockLatency, tag_leaf: list[int] | None = None,
                wire=None, states: ExceptionStates | None = None, tag_x: list[int] | None = None,
                tag_nolat: list[bool] | None = None, gating: GatingChecks | None = None,
                thr: ThresholdAdjust | None = None) -> HoldResult:
    """Hold (and removal) slack of every endpoint for the early arrivals ``arr``
    [tags, T, 2] and early slews ``slew`` [T, 2] (see the module doc); ``hold_rows``:
    table row of every hold check of ``g`` (:meth:`DelayCalc.hold_rows`); ``wire`` as
    :func:`setup_checks`."""
    tc = constraints
    wd, arr_at, slew_at = _wire(wire, thr, g, slew)
    exc = _Exceptions(tc, states, tag_x, tags, False, tag_nolat)
    nclk = len(tc.clocks)
    unc = np.array([c.hold_uncertainty for c in tc.clocks] + [0.0])
    cols = {k: [] for k in ("term", "slack", "arr", "req", "rf", "tag", "kind", "row", "setup", "cap")}

    def add(term, a, rq, rf, ti, kind, row, hold, cap):
        for k, v in zip(cols, (term, a - rq, a, rq, rf, np.full(len(term), ti), np.full(len(term), kind),
                               row, hold, cap)):
            cols[k].append(v)

    caps = [_edge_table(capture.hold_capture, nclk, lk, lrf) for lk, lrf in tags]
    false_to = np.fromiter(tc.false_to, dtype=np.int64) if tc.false_to else None
    if len(g.h_data):
        dnode = g.src_of_term[g.h_data]
        ok = (dnode >= 0) & ~np.isin(dnode, blocked_drivers(g, tc))
        dn = np.maximum(dnode, 0)
        cs = _clock_slew(lat.slew_late, slew, g.h_clk, g.h_clock_rf)
        ds = slew_at(np.where(ok, slew[dn, g.h_data_rf], 0.0), g.h_data, g.h_data_rf)
        hold = lookup(tables.pack, hold_rows, cs, ds)
        cclk = clocks.clock_of_term[g.h_clk]
        c_src_rf = g.h_clock_rf ^ clocks.clock_inv[g.h_clk]
        ck = np.where(cclk >= 0, cclk, nclk)
        c_lat = lat.at(g.h_clk, g.h_clock_rf, early=False)
        keep_t = ~np.isin(g.h_data, false_to) if false_to is not None else True
        rows = np.arange(len(g.h_data))
        for ti in range(len(tags)):
            a = np.where(ok, arr_at(arr[ti, dn, g.h_data_rf], g.h_data, g.h_data_rf), np.inf)
            rq = caps[ti][ck, c_src_rf] + c_lat + hold + unc[ck]
            if tag_leaf is not None and tag_leaf[ti] >= 0:
                rq = rq - _crpr(g, tc, clocks, lat, g.h_clk, g.h_clock_rf, cclk, tags[ti], tag_leaf[ti], False)
            rq = np.where(cclk >= 0, rq, np.nan)
            if exc.on:
                rq = exc.required(ti, g.h_data, g.h_data_rf, cclk, c_src_rf, rq, np.where(cclk >= 0, c_lat, 0.0),
                                  np.where(cclk >= 0, unc[ck], 0.0), hold)
            v = np.nonzero(np.isfinite(a) & np.isfinite(rq) & keep_t)[0]
            if len(v):
                add(g.h_data[v], a[v], rq[v], g.h_data_rf[v], ti, 2, rows[v], hold[v], np.where(cclk[v] >= 0, ck[v], -1))
    ods = _output_delays(g, tc, tc.output_delays_min)
    if ods is not None:
        ods, o_t, o_k, o_crf, o_d, o_n, o_lat = ods
        for ti in range(len(tags)):
            base = caps[ti][o_k, o_crf] + o_lat + unc[o_k]
            for rf in (RISE, FALL):
                a = arr_at(arr[ti, o_n, rf], o_t, rf)
                rq = base - o_d[:, rf]
                rfs = np.full(len(o_t), rf)
                if exc.on:
                    rq = exc.required(ti, o_t, rfs, o_k, o_crf, rq, o_lat, unc[o_k], -o_d[:, rf])
                v = np.nonzero(np.isfinite(a) & np.isfinite(rq))[0]
                if len(v):
                    add(o_t[v], a[v], rq[v], rfs[v], ti, 3, np.full(len(v), -1), o_d[v, rf], o_k[v])
    for t, a, rq, rf, ti in exc.port_ends(g, tc.output_delays_min, arr, arr_at):
        add(t, a, rq, rf, ti, 3, np.full(len(t), -1), np.zeros(len(t)), np.full(len(t), -1))
    if gating is not None and len(gating):
        def hold_edge(lk, lrf, k, rf):
            if (lk, k) in tc.false_clock_pairs:
                return None
            return gated_hold_capture(tc.clocks[lk], lrf, tc.clocks[k], rf)

        for t, a, rq, rf, ti, m, k in _gating_checks(g, tc, clocks, lat, gating, tags, tag_leaf, arr, arr_at, exc,
                                                     unc, False, hold_edge):
            add(t, a, rq, rf, ti, 5, np.full(len(t), -1), m, k)
    if not cols["term"]:
        table = EndpointTable.empty(names.names)
    else:
        table = _worst_per_endpoint({k: np.concatenate(v) for k, v in cols.items()}, names)
    sl = table.slack
    return HoldResult(float(min(0.0, sl.min())) if len(sl) else 0.0, float(sl[sl < 0].sum()) if len(sl) else 0.0,
                      table, arr, slew)


def _gating_checks(g: TimingGraph, tc: TimingConstraints, clocks: ClockNetwork, lat: ClockLatency,
                   gating: GatingChecks, tags, tag_leaf, arr, arr_at, exc: "_Exceptions", unc: np.ndarray,
                   setup: bool, edge):
    """The clock-gating setup (or hold) checks of every launch tag and enable
    transition: (enables, arrivals, required times, transitions, tag, margins, capturing
    clocks). ``edge(launch clock, launch rf, capture clock, capture source rf)``: the
    capture edge time (ns) of the check's cycle accounting, None between unrelated clocks.
    The clock pin's latency is the early one for setup, the late one for hold; CRPR
    and exceptions as for register checks, except that path delays remove the check."""
    en, cp = gating.enable, gating.clock_pin
    crf = gating.clock_rf(setup)
    k = clocks.clock_of_term[cp].astype(np.int64)
    src_rf = crf ^ clocks.clock_inv[cp].astype(np.int64)
    c_lat = lat.at(cp, crf, early=setup)
    dnode = g.src_of_term[en]
    ok = (dnode >= 0) & ~np.isin(dnode, blocked_drivers(g, tc))
    if tc.false_to:
        ok &= ~np.isin(en, np.fromiter(tc.false_to, dtype=np.int64))
    dn = np.maximum(dnode, 0)
    inst = g.inst_of_pin[en]
    margin = {rf: np.array([gating_margin(tc.gating, e, i, c, kk, rf, setup) for e, i, c, kk in
                            zip(en.tolist(), inst.tolist(), cp.tolist(), k.tolist())]) for rf in (RISE, FALL)}
    sign = -1.0 if setup else 1.0
    for ti, (lk, lrf) in enumerate(tags):
        if lk < 0:          # unclocked paths (path delays from unclocked inputs) have no gating check
            continue
        cap = np.array([np.nan if (v := edge(lk, lrf, kk, r)) is None else v for kk, r in zip(k.tolist(), src_rf.tolist())])
        base = cap + c_lat + sign * unc[k]
        if tag_leaf is not None and tag_leaf[ti] >= 0:
            base = base - sign * _crpr(g, tc, clocks, lat, cp, crf, k, tags[ti], tag_leaf[ti], setup)
        for rf in (RISE, FALL):
            a = np.where(ok, arr_at(arr[ti, dn, rf], en, rf), np.nan)
            rq = base + sign * margin[rf]
            rfs = np.full(len(en), rf)
            if exc.on:
                rq = exc.required(ti, en, rfs, k, src_rf, rq, c_lat, unc[k], margin[rf], delays=False)
            v = np.nonzero(np.isfinite(a) & np.isfinite(rq))[0]
            if len(v):
                yield en[v], a[v], rq[v], rfs[v], ti, margin[rf][v], k[v]


def _wire(wire, thr: ThresholdAdjust | None = None, g: TimingGraph | None = None, slew: np.ndarray | None = None):
    """(wire delay, arrival at load pins, slew at load pins) helpers for RC parasitics:
    a load pin's arrival is its driver's plus the wire delay, its slew the load slew
    (NaN: the driver's); ``thr``: both converted to the load library's thresholds
    (``g`` and the driver slews ``slew`` [T, 2] give the unconverted slews)."""
    if wire is None and thr is None:
        return None, (lambda a, t, rf: a), (lambda s, t, rf: s)
    wd, ls = wire if wire is not None else (None, None)

    def raw_slew(s, t, rf):
        if ls is None:
            return s
        v = ls[t, rf]
        return np.where(np.isnan(v), s, v)

    def slew_at(s, t, rf):
        v = raw_slew(s, t, rf)
        return thr.slew(v, t, rf) if thr is not None else v

    def arr_at(a, t, rf):
        if wd is not None:
            a = a + wd[t, rf]
        if thr is not None:
            d = np.maximum(g.src_of_term[t], 0)
            a = a + thr.delay(raw_slew(slew[d, rf], t, rf), t, rf)
        return a

    return wd, arr_at, slew_at


def _output_delays(g, tc, delays):
    """The checked output delays of ``delays`` (clocked, not false, on a driven, non-constant
    port) as arrays: (list, terminal, clock, clock edge, [n, 2] delay ns, node, port latency)."""
    const = g.term_const
    blocked = set(blocked_drivers(g, tc).tolist())
    ods = [od for od in delays
           if od.clock is not None and od.terminal not in tc.false_to and g.src_of_term[od.terminal] >= 0
           and (const is None or const[od.terminal] < 0) and int(g.src_of_term[od.terminal]) not in blocked]
    if not ods:
        return None
    o_t = np.array([od.terminal for od in ods], dtype=np.int64)
    o_k = np.array([od.clock for od in ods], dtype=np.int64)
    o_crf = np.array([FALL if od.clock_fall else RISE for od in ods], dtype=np.int64)
    o_d = np.array([[od.rise, od.fall] for od in ods])
    o_lat = np.array([port_latency(tc.clocks[k]) for k in o_k.tolist()])
    return ods, o_t, o_k, o_crf, o_d, g.src_of_term[o_t], o_lat


def _edge_table(edge, nclk: int, lk: int, lrf: int) -> np.ndarray:
    """[clock + 1, rise/fall] capture edge times (ns, NaN where none) of a launch from clock
    ``lk`` edge ``lrf`` (-1: unclocked, no capture edge); ``edge`` is
    :meth:`CaptureEdges.capture` (setup) or :meth:`CaptureEdges.hold_capture` (hold)."""
    cap = np.full((nclk + 1, 2), np.nan)
    for k in range(nclk if lk >= 0 else 0):
        for rf in (RISE, FALL):
            v = edge(lk, lrf, k, rf)
            if v is not None:
                cap[k, rf] = v
    return cap


class _Exceptions:
    """Path exceptions at the checks of one search (setup or hold): the required time of
    every check of a launch tag under the exception that applies to it (see
    :mod:`finevh.timing.exceptions`). A false path removes the check; ``set_max_delay`` /
    ``set_min_delay`` replace the capture edge by the delay (plus the launch edge time,
    and the capture clock latency and uncertainty, unless ``-ignore_clock_latency``: then
    the launching clock's arrival); a multicycle moves the capture edge by whole periods
    (hold: OpenSTA's accounting, the setup multiplier minus one minus the hold one)."""

    def __init__(self, tc: TimingConstraints, states: ExceptionStates | None, tag_x, tags, setup: bool,
                 tag_nolat=None):
        self.tc = tc
        #: tags whose arrivals exclude the launching clock's arrival: they time only the
        #: -ignore_clock_latency path delays, which the other tags then leave out
        self.nolat = tag_nolat if tag_nolat is not None else [False] * len(tags)
        self.twins = any(self.nolat)
        self.st = states
        self.on = states is not None
        self.tag_x = tag_x if tag_x is not None else [0] * len(tags)
        self.tags = tags
        self.setup = setup
        self.mm = MAX if setup else MIN
        nclk = len(tc.clocks)
        self.period = np.array([c.period for c in tc.clocks] + [np.nan])
        self.et = np.vstack([edge_times(tc.clocks), [[0.0, 0.0]]]) if nclk else np.zeros((1, 2))
        fp = np.zeros((nclk + 1, nclk + 1), dtype=bool)
        for a, b in tc.false_clock_pairs:
            fp[a, b] = True
        self.false_pair = fp

    def _src_clock_arrival(self, k: int, srf: int, nolat: bool = False) -> float:
        """Arrival of the launching clock at its register (ideal: edge + latency), 0
        unclocked; for arrivals already relative to it (``nolat``), the edge time."""
        if k < 0:
            return 0.0
        if nolat:
            return float(self.et[k, srf])
        c = self.tc.clocks[k]
        return float(self.et[k, srf]) + (0.0 if c.propagated else c.latency)

    def required(self, ti: int, terms, rfs, cap_k, cap_rf, rq, tgt_lat, unc, margin, delays: bool = True) -> np.ndarray:
        """Required times (ns; NaN: no check) of the checks at ``terms`` (data transitions
        ``rfs``, capturing clock ``cap_k`` (-1 none) and edge ``cap_rf``) for tag ``ti``;
        ``rq`` the checks' required times without exceptions (NaN where none),
        ``tgt_lat``/``unc`` the capture clock latency and uncertainty, ``margin`` the
        setup / hold time or output delay (hold: negated). ``delays=False``: a path delay
        removes the check instead (clock-gating checks, as OpenSTA)."""
        k, srf = self.tags[ti]
        x = self.tag_x[ti]
        rfs = np.asarray(rfs, dtype=np.int64)
        cap_k = np.asarray(cap_k, dtype=np.int64)
        best = self.st.resolve(x, terms, rfs, cap_k, np.asarray(cap_rf, dtype=np.int64))
        nolat = self.nolat[ti]
        out = rq.copy() if k >= 0 and not nolat else np.full(len(rq), np.nan)
        out[best == -2] = np.nan
        sign = -1.0 if self.setup else 1.0
        for i in np.unique(best[best >= 0]).tolist():
            e = self.st.excs[i]
            rows = np.nonzero(best == i)[0]
            ign = e.kind in ("max_delay", "min_delay") and e.ignore_clock_latency
            if e.kind == "false" or (self.twins and ign != nolat) or (not delays and e.kind != "multicycle"):
                out[rows] = np.nan
            elif e.kind in ("max_delay", "min_delay"):
                if e.ignore_clock_latency:
                    base = np.full(len(rows), self._src_clock_arrival(k, srf, nolat))
                else:
                    base = tgt_lat[rows] + sign * unc[rows] + (self.et[k, srf] if k >= 0 else 0.0)
                v = base + e.value + sign * margin[rows]
                ck = cap_k[rows]
                if k >= 0:
                    v = np.where((ck >= 0) & self.false_pair[k, np.maximum(ck, 0)], np.nan, v)
                out[rows] = v
            elif k >= 0 and not nolat:
                out[rows] += self._mcp_shift(e, i, x, k, terms[rows], rfs[rows], cap_k[rows], np.asarray(cap_rf)[rows])
        return out

    def _mcp_shift(self, e, i: int, x: int, k: int, terms, rfs, cap_k, cap_rf) -> np.ndarray:
        """Capture edge shift (ns) of a multicycle ``e`` (index ``i``) per row."""
        per_c = self.period[np.where(cap_k >= 0, cap_k, -1)]

        def per(m):
            return per_c if m.use_end_clk else self.period[k]

        if self.setup:
            return (e.multiplier(MAX) - 1) * per(e)
        other = self.st.resolve(x, terms, rfs, cap_k, cap_rf, mm=MAX if e.min_max[MIN] else MIN, exactly=True,
                                kind="multicycle")
        out = np.zeros(len(terms))
        for j in np.unique(other).tolist():
            r = other == j
            o = self.st.excs[j] if j >= 0 else None
            s_m, h_m = (o, e) if e.min_max[MIN] else (e, o)
            if s_m is not None and h_m is not None:
                v = (s_m.multiplier(MAX) - 1) * per(s_m) - h_m.multiplier(MIN) * per(h_m)
            elif h_m is not None:
                v = -h_m.multiplier(MIN) * per(h_m)
            else:
                v = (s_m.multiplier(MIN) - 1) * per(s_m)
            out[r] = np.broadcast_to(v, r.shape)[r]
        return out

    def port_ends(self, g: TimingGraph, delays, arr: np.ndarray, arr_at=None):
        """Path delay checks at output ports without an output delay of this side
        (OpenSTA: a ``-to`` port of ``set_max_delay``/``set_min_delay``): per tag and
        transition (terminals, arrivals, required times, transitions, tag)."""
        if not self.on or not any(e.kind in ("max_delay", "min_delay") and e.min_max[self.mm] and e.to_terms
                                  for e in self.st.excs):
            return
        has = {od.terminal for od in delays}
        const = g.term_const
        blocked = set(blocked_drivers(g, self.tc).tolist())
        ports = np.array([t for t in range(g.n_pins, g.n_terms)
                          if g.src_of_term[t] >= 0 and g.src_of_term[t] != t and t not in has
                          and int(g.src_of_term[t]) not in blocked
                          and t not in self.tc.false_to and (const is None or const[t] < 0)], dtype=np.int64)
        if not len(ports):
            return
        node = g.src_of_term[ports]
        none = np.full(len(ports), -1, dtype=np.int64)
        zero = np.zeros(len(ports))
        sign = -1.0 if self.setup else 1.0
        for ti, (k, srf) in enumerate(self.tags):
            for rf in (RISE, FALL):
                a = arr[ti, node, rf] if arr_at is None else arr_at(arr[ti, node, rf], ports, rf)
                live = np.isfinite(a)
                if not live.any():
                    continue
                rfs = np.full(len(ports), rf)
                best = self.st.resolve(self.tag_x[ti], ports, rfs, none, none)
                rq = np.full(len(ports), np.nan)
                for i in np.unique(best[best >= 0]).tolist():
                    e = self.st.excs[i]
                    if (e.kind not in ("max_delay", "min_delay") or not e.to_terms
                            or (self.twins and e.ignore_clock_latency != self.nolat[ti])):
                        continue
                    rows = best == i
                    base = (self._src_clock_arrival(k, srf, self.nolat[ti]) if e.ignore_clock_latency
                            else (self.et[k, srf] if k >= 0 else 0.0))
                    rq[rows] = base + e.value + sign * zero[rows]
                v = np.nonzero(live & np.isfinite(rq))[0]
                if len(v):
                    yield ports[v], a[v], rq[v], rfs[v], ti
