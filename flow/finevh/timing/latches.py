"""Latches (cells with a ``latch()`` group): time borrowing as OpenSTA does it.

The D check compares the data arrival with the opening of the enable: the first
opening edge at or after the launch edge, plus the enable clock's latency at the latch
for the opening transition, minus the clock's setup uncertainty (OpenSTA's
``enable_arrival``). Data arriving while the latch is open borrows time, up to the
maximum borrow (enable pulse width - setup time - (opening - closing latency)), with
slack 0; later data has a negative slack (opening + maximum borrow - arrival). Only
data that borrows passes to the output: the data-to-output edge launches a path from
the opening plus the borrowed time plus its delay, in the latch clock's tag; data
arriving before the latch opens leaves the output to the enable-to-output arc. The
late search takes the early enable latency, the early (hold) search the late one,
as OpenSTA's max and min paths do. Used by the arrival searches (the D->Q launch) and
by the setup checks (the D check); times ns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arcs import KIND_LATCH_DQ, CellTiming
from .clocks import CaptureEdges, ClockLatency, ClockNetwork, edge_times
from .constraints import TimingConstraints
from .dcalc import ArcTables
from .graph import TimingGraph, template_of
from .nldm import lookup

NEG = -np.inf


@dataclass
class LatchCheckWindows:
    """The latch D checks among a graph's checks: their indices, the source edge of
    the enable that opens the latch, and the maximum borrow (ns) of each."""

    rows: np.ndarray          # int64, check indices
    open_src: np.ndarray      # int64, opening source edge (rf) of the capture clock
    max_borrow: np.ndarray    # ns, >= 0
    #: ns, added to the opening edge: enable latency (opening transition) - setup uncertainty
    open_offset: np.ndarray | None = None


class Latches:
    """The latches of one timing graph under one set of constraints."""

    def __init__(self, design, g: TimingGraph, templates: dict[int, CellTiming], constraints: TimingConstraints,
                 clocks: ClockNetwork, capture: CaptureEdges):
        self.design = design
        self.graph = g
        self.templates = templates
        self.constraints = constraints
        self.clocks = clocks
        self.capture = capture

    @property
    def info(self) -> dict:
        """Per latch data->output edge: enable terminal, setup-check row, opening rf;
        per check: whether it is a latch D check (cached on the graph)."""
        g = self.graph
        info = getattr(g, "_latch", None)
        if info is not None:
            return info
        dq = np.nonzero(g.e_kind == KIND_LATCH_DQ)[0]
        nl = self.design.netlist
        find = {}
        for i in np.unique(g.e_inst[dq]).tolist():
            for p in range(int(nl.pin_ptr[i]), int(nl.pin_ptr[i + 1])):
                find[(i, nl.pin_names[nl.pin_name[p]])] = p
        pid = {n: i for i, n in enumerate(nl.pin_names)}
        cell_dpin = np.full(len(self.design.cells), -2, dtype=np.int64)
        for ci, cell in enumerate(self.design.cells):
            ct = template_of(self.templates, cell)
            if ct.latch_data is not None:
                cell_dpin[ci] = pid.get(ct.latch_data, -2)
        ic = np.asarray(self.design.inst_cell)
        c_latch = cell_dpin[ic[g.c_inst]] == nl.pin_name[g.c_data] if len(g.c_data) else np.zeros(0, dtype=bool)
        chk = {}
        if len(dq):
            for c in np.nonzero(np.isin(g.c_data, g.e_from[dq]))[0].tolist():
                chk.setdefault((int(g.c_data[c]), int(g.c_data_rf[c])), c)
        en = np.full(len(dq), -1, dtype=np.int64)
        row = np.full(len(dq), -1, dtype=np.int64)
        orf = np.zeros(len(dq), dtype=np.int64)
        for k, e in enumerate(dq.tolist()):
            i = int(g.e_inst[e])
            ct = template_of(self.templates, self.design.cells[int(self.design.inst_cell[i])])
            en[k] = find.get((i, ct.latch_enable), -1)
            row[k] = chk.get((int(g.e_from[e]), int(g.e_in_rf[e])), -1)
            orf[k] = ct.latch_open_rf

        g._latch = info = {"edges": dq, "pos": {e: k for k, e in enumerate(dq.tolist())}, "en": en, "row": row,
                           "open_rf": orf, "c_latch": c_latch}
        return info

    def levels(self) -> np.ndarray | None:
        """bool[levels + 1]: the levels holding a latch D->Q edge (None: no latch)."""
        g = self.graph
        dq = self.info["edges"]
        if not len(dq):
            return None
        lv = np.zeros(len(g.level_ptr), dtype=bool)
        lv[np.searchsorted(g.level_ptr, dq, side="right") - 1] = True
        return lv

    def _window(self, tags, k: int, open_src: int, setup: float):
        """(open time per launch tag or None, max borrow) of a latch on clock ``k``."""
        clk = self.constraints.clocks[k]
        close_src = 1 - open_src
        pw = (clk.edge_time(close_src) - clk.edge_time(open_src)) % clk.period
        if pw <= 0:
            pw = clk.period
        opens = [self.capture.capture(lk, lrf, k, open_src, strict=False) for lk, lrf in tags]
        return opens, pw - setup

    def patch_arrivals(self, at: np.ndarray, eidx: np.ndarray, arr: np.ndarray, slew: np.ndarray,
                       edge_delay: np.ndarray, tags: list, tag_of: dict, tables: ArcTables,
                       lat: ClockLatency | None = None, early: bool = False) -> None:
        """Replace, in ``at`` [tags, len(eidx)], the arrivals of latch data->output edges
        by the borrowing rule: data that arrives after the latch opens (``lat``: the
        clock latencies of the pass) launches the output at the opening plus the time
        borrowed (``min(D arrival - opening, max borrow)``), plus the D->Q delay
        (``edge_delay``); other data launches nothing. ``early``: the min search (the
        earliest borrowing data, late enable latency)."""
        g = self.graph
        info = self.info
        pos = info["pos"]
        clock_of_term, clock_inv = self.clocks.clock_of_term, self.clocks.clock_inv
        none = np.inf if early else NEG
        for j, e in enumerate(eidx.tolist()):
            k_ = pos.get(e)
            if k_ is None:
                continue
            at[:, j] = none
            en = int(info["en"][k_])
            src = int(g.e_src[e])
            if en < 0 or src < 0 or clock_of_term[en] < 0:
                continue
            k = int(clock_of_term[en])
            open_src = int(info["open_rf"][k_]) ^ int(clock_inv[en])
            qtag = tag_of.get((k, open_src))
            if qtag is None:
                continue
            irf = int(g.e_in_rf[e])
            row = int(info["row"][k_])
            setup = 0.0
            if row >= 0:
                setup = float(lookup(tables.pack, tables.check[row:row + 1],
                                     slew[en, g.c_clock_rf[row]:g.c_clock_rf[row] + 1], slew[src, irf:irf + 1])[0])
            opens, maxb = self._window(tags, k, open_src, setup)
            off = 0.0
            if lat is not None:
                o_rf = int(info["open_rf"][k_])
                lo = float(lat.at(np.array([en]), np.array([o_rf]), not early)[0])
                lc = float(lat.at(np.array([en]), np.array([1 - o_rf]), not early)[0])
                off = lo - self.constraints.clocks[k].setup_uncertainty
                maxb -= lo - lc
            borrow = None
            for ti, op in enumerate(opens):
                a = arr[ti, src, irf]
                if op is None or not np.isfinite(a) or a - (op + off) <= 0.0:
                    continue
                b = min(a - (op + off), max(maxb, 0.0))
                borrow = b if borrow is None else (min(borrow, b) if early else max(borrow, b))
            if borrow is not None:
                at[qtag, j] = self.constraints.clocks[k].edge_time(open_src) + off + borrow + edge_delay[e]

    def check_windows(self, cap_clock: np.ndarray, c_src_rf: np.ndarray, setup: np.ndarray,
                      open_lat: np.ndarray | None = None,
                      close_lat: np.ndarray | None = None) -> LatchCheckWindows | None:
        """The latch D checks among all checks, given per check its capture clock
        (``cap_clock``: index, or K for none), the capturing source edge, the setup
        time (ns) and the enable latencies (ns) of the opening and closing transitions;
        None when the graph has no latch check."""
        c_latch = self.info["c_latch"]
        if not c_latch.any():
            return None
        clocks = self.constraints.clocks
        nclk = len(clocks)
        lat = np.nonzero(c_latch & (cap_clock < nclk))[0]
        per = np.array([c.period for c in clocks] + [1.0])
        et = np.vstack([edge_times(clocks), [[0.0, 0.0]]])
        ck = cap_clock[lat]
        open_src = 1 - c_src_rf[lat]
        pw = np.mod(et[ck, c_src_rf[lat]] - et[ck, open_src], per[ck])
        pw = np.where(pw <= 0, per[ck], pw)
        if open_lat is None:
            return LatchCheckWindows(lat, open_src, np.maximum(pw - setup[lat], 0.0))
        unc = np.array([c.setup_uncertainty for c in clocks] + [0.0])
        return LatchCheckWindows(lat, open_src, np.maximum(pw - setup[lat] - (open_lat[lat] - close_lat[lat]), 0.0),
                                 open_lat[lat] - unc[ck])

    def check_required(self, win: LatchCheckWindows, tag: tuple[int, int], cap_clock: np.ndarray,
                       arrival: np.ndarray, required: np.ndarray) -> None:
        """Set, in ``required`` (per check, ns), the required time of the latch checks
        ``win`` for data of launch ``tag`` arriving at ``arrival`` (per check): the
        opening edge plus the time borrowed."""
        lat = win.rows
        if not len(lat):
            return
        lk, lrf = tag
        opens = np.array([np.nan if (v := self.capture.capture(lk, lrf, int(k_), int(o_), strict=False)) is None
                          else v for k_, o_ in zip(cap_clock[lat].tolist(), win.open_src.tolist())])
        if win.open_offset is not None:
            opens = opens + win.open_offset
        borrow = np.clip(arrival[lat] - opens, 0.0, win.max_borrow)
        required[lat] = opens + np.where(np.isfinite(borrow), borrow, 0.0)
