"""Setup checks: the slack of every constrained endpoint.

Setup: the check table at (clock slew, data slew); required = first capture edge
strictly after the launch edge - setup - setup uncertainty (latch D checks: the
opening edge plus the time borrowed, :mod:`finevh.timing.latches`). Outputs: required
= capture edge - uncertainty - ``set_output_delay``. Slack = required - arrival; each
endpoint keeps its worst check over data transitions and launch tags. Hold checks
belong here too. Times ns.
"""

from __future__ import annotations

import numpy as np

from .arcs import FALL, RISE
from .clocks import CaptureEdges, ClockNetwork
from .constraints import TerminalNames, TimingConstraints
from .dcalc import ArcTables
from .graph import TimingGraph
from .latches import Latches
from .nldm import lookup
from .result import EndpointTable, RequiredSeeds

NEG = -np.inf


def setup_checks(g: TimingGraph, constraints: TimingConstraints, clocks: ClockNetwork, capture: CaptureEdges,
                 latches: Latches, names: TerminalNames, tables: ArcTables, arr: np.ndarray, slew: np.ndarray,
                 tags: list[tuple[int, int]]) -> tuple[EndpointTable, RequiredSeeds | None]:
    """The worst check of every endpoint (vectorised over checks, one loop over launch
    tags) for arrivals ``arr`` [tags, T, 2] and slews ``slew`` [T, 2], and the required
    time of every valid check (the seeds of the required-time search; None if none)."""
    tc = constraints
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

    def capture_table(lk, lrf):
        cap = np.full((nclk + 1, 2), np.nan)
        for k in range(nclk):
            for rf in (RISE, FALL):
                v = capture.capture(lk, lrf, k, rf)
                if v is not None:
                    cap[k, rf] = v
        return cap

    caps = [capture_table(lk, lrf) for lk, lrf in tags]
    if len(g.c_data):
        dnode = g.src_of_term[g.c_data]
        ok = dnode >= 0
        dn = np.maximum(dnode, 0)
        cs = slew[g.c_clk, g.c_clock_rf]
        ds = np.where(ok, slew[dn, g.c_data_rf], 0.0)
        setup = lookup(tables.pack, tables.check, cs, ds)
        cclk = clocks.clock_of_term[g.c_clk]
        c_src_rf = g.c_clock_rf ^ clocks.clock_inv[g.c_clk]
        ck = np.where(cclk >= 0, cclk, nclk)
        keep_t = ~np.isin(g.c_data, np.fromiter(tc.false_to, dtype=np.int64)) if tc.false_to else True
        rows = np.arange(len(g.c_data))
        win = latches.check_windows(ck, c_src_rf, setup)
        for ti in range(len(tags)):
            a = np.where(ok, arr[ti, dn, g.c_data_rf], NEG)
            rq = caps[ti][ck, c_src_rf] - setup - unc[ck]
            if win is not None:
                latches.check_required(win, tags[ti], ck, a, rq)
            valid = np.isfinite(a) & np.isfinite(rq) & (cclk >= 0) & keep_t
            if not valid.any():
                continue
            v = np.nonzero(valid)[0]
            add(g.c_data[v], a[v], rq[v], g.c_data_rf[v], ti, 0, rows[v], setup[v], ck[v])
    const = g.term_const
    ods = [od for od in tc.output_delays
           if od.clock is not None and od.terminal not in tc.false_to and g.src_of_term[od.terminal] >= 0
           and (const is None or const[od.terminal] < 0)]
    if ods:
        o_t = np.array([od.terminal for od in ods], dtype=np.int64)
        o_k = np.array([od.clock for od in ods], dtype=np.int64)
        o_crf = np.array([FALL if od.clock_fall else RISE for od in ods], dtype=np.int64)
        o_d = np.array([[od.rise, od.fall] for od in ods])
        o_n = g.src_of_term[o_t]
        for ti in range(len(tags)):
            base = caps[ti][o_k, o_crf] - unc[o_k]
            for rf in (RISE, FALL):
                a = arr[ti, o_n, rf]
                rq = base - o_d[:, rf]
                valid = np.isfinite(a) & np.isfinite(rq)
                v = np.nonzero(valid)[0]
                if not len(v):
                    continue
                add(o_t[v], a[v], rq[v], np.full(len(v), rf), ti, 1, np.full(len(v), -1), o_d[v, rf], o_k[v])
    if not cols["term"]:
        return EndpointTable.empty(names.names), None
    c = {k: np.concatenate(v) for k, v in cols.items()}
    seeds = RequiredSeeds(c["tag"].astype(np.int64), c["term"].astype(np.int64), c["rf"].astype(np.int64), c["req"])
    order = np.lexsort((c["rf"], c["tag"], c["slack"], c["term"]))
    term_sorted = c["term"][order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = term_sorted[1:] != term_sorted[:-1]
    best = order[first]
    best = best[np.lexsort((c["term"][best], c["slack"][best]))]
    table = EndpointTable(c["term"][best].astype(np.int64), c["slack"][best], c["arr"][best], c["req"][best],
                          c["rf"][best].astype(np.int64), c["tag"][best].astype(np.int64),
                          c["kind"][best].astype(np.int64), c["row"][best].astype(np.int64), c["setup"][best],
                          c["cap"][best].astype(np.int64), names.names)
    return table, seeds
