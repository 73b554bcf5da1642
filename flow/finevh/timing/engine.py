"""Static timing analysis (setup) over a :class:`~finevh.timing.graph.TimingGraph`.

One full pass is:

1. **Tables**: every edge and check gets the row of its delay / slew / constraint
   table in a :class:`~finevh.timing.nldm.TablePack`, gathered through the instance's
   *current* binding (``design.inst_cell``): re-binding an instance to a twin cell
   (other Vdd library, other flavour) only changes that gather.
2. **Loads** per driving node and transition: the rise (fall) capacitance of every
   load pin of the net, plus wire capacitance, plus ``set_load`` on output ports (pF).
3. **Forward propagation**, level by level: for the edges of a level, input slew and
   load give delay and output slew by NLDM look-up; each node keeps, per transition,
   the worst (largest) slew over all its edges and, per launch tag (clock, edge),
   the latest arrival. Negative slews are clipped to 0 (as OpenSTA).
4. **Checks**: setup time from the check table at (clock slew, data slew); required =
   first capture edge after the launch edge - setup - uncertainty; outputs use their
   ``set_output_delay``. Slack = required - arrival; WNS, TNS over endpoints.

Clocks are ideal: a clock pin sees the edge time of its clock (through inverters of
the clock network the edge is swapped) with the clock's ideal slew
(``set_clock_transition``, default 0). Times are ns, capacitances pF.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

import numpy as np

from .. import progress
from ..errors import InputError
from .arcs import FALL, KIND_COMB, KIND_LATCH_DQ, KIND_LAUNCH, RISE, CellTiming
from .constraints import Clock, TerminalNames, TimingConstraints
from .graph import TimingGraph, build_graph, template_of
from .nldm import TablePack, TablePackBuilder, lookup, lookup_pair

NEG = -np.inf


@dataclass
class Endpoint:
    terminal: int
    name: str
    slack: float          # ns
    arrival: float        # ns (absolute, launch edge included)
    required: float       # ns
    rf: int               # data transition of the worst check
    tag: int              # launch tag of the worst check
    kind: str             # "setup" or "output"
    check_row: int = -1   # index into graph checks (setup) or -1
    setup: float = 0.0    # ns, library setup time (or output delay for outputs)
    capture_clock: int = -1   # index of the capturing clock


@dataclass
class EndpointTable:
    """The worst check of every constrained endpoint as columns, sorted by (slack,
    terminal). Times ns. :class:`Endpoint` objects (with names) are made on demand:
    re-timing loops that only need the worst slack never build them."""

    term: np.ndarray
    slack: np.ndarray
    arrival: np.ndarray
    required: np.ndarray
    rf: np.ndarray
    tag: np.ndarray
    kind: np.ndarray          # 0 setup, 1 output
    check_row: np.ndarray
    setup: np.ndarray
    capture_clock: np.ndarray
    names: object             # callable: terminals -> list of names

    _KINDS = ("setup", "output")

    def __len__(self) -> int:
        return len(self.term)

    def endpoints(self, idx=None) -> list[Endpoint]:
        idx = np.arange(len(self.term)) if idx is None else np.asarray(idx, dtype=np.int64)
        cols = [getattr(self, k)[idx].tolist() for k in
                ("term", "slack", "arrival", "required", "rf", "tag", "kind", "check_row", "setup", "capture_clock")]
        return [Endpoint(t, n, sl, a, rq, rf, tg, self._KINDS[kd], rw, su, cp)
                for n, t, sl, a, rq, rf, tg, kd, rw, su, cp in zip(self.names(self.term[idx]), *cols)]

    @staticmethod
    def empty(names) -> "EndpointTable":
        z = np.zeros(0)
        i = np.zeros(0, dtype=np.int64)
        return EndpointTable(i, z, z, z, i, i, i, i, z, i, names)


@dataclass
class TimingResult:
    """One timing pass. Its arrays are read-only: the timer keeps them as the starting
    point of the next incremental pass (copy before modifying)."""

    wns: float
    tns: float
    table: EndpointTable
    arrival: np.ndarray            # [tags, T, 2] ns
    slew: np.ndarray               # [T, 2] ns
    load: np.ndarray               # [T, 2] pF on driving nodes
    edge_delay: np.ndarray         # [E] ns
    edge_slew: np.ndarray          # [E] ns
    tags: list[tuple[int, int]]    # (clock index, source edge rf)
    graph: TimingGraph
    required: np.ndarray | None = None   # [tags, T, 2]
    _endpoints: list[Endpoint] | None = None

    @property
    def endpoints(self) -> list[Endpoint]:
        """Every constrained endpoint, worst slack first (ties: terminal order)."""
        if self._endpoints is None:
            self._endpoints = self.table.endpoints()
        return self._endpoints

    @property
    def worst_slack(self) -> float:
        """Smallest slack over all endpoints (ns); +inf when nothing is constrained."""
        return float(self.table.slack[0]) if len(self.table) else float(np.inf)

    def worst_endpoint(self) -> Endpoint | None:
        """The endpoint of smallest slack; ties go to the smallest name (the rule every
        stage that follows "the critical path" uses, so they agree)."""
        t = self.table
        if not len(t):
            return None
        tie = np.nonzero(t.slack == t.slack[0])[0]
        eps = t.endpoints(tie)
        return min(eps, key=lambda e: e.name)

    def endpoint_slacks(self) -> dict[str, float]:
        return {e.name: e.slack for e in self.endpoints}


class Timer:
    """Setup-timing engine bound to one design and one set of constraints.

    ``wire_cap``: optional float64[M] wire capacitance per net (pF), see
    :mod:`finevh.timing.wire`. Call :meth:`update` after re-binding instances in
    ``design.inst_cell``; the graph is reused, only tables and loads are gathered again.
    ``like``: another timer of the same netlist (e.g. the design at another supply):
    its graph and arc templates are shared instead of rebuilt (arcs do not depend on
    which twin an instance is bound to; a binding that changes arcs rebuilds).
    """

    def __init__(self, design, constraints: TimingConstraints, wire_cap: np.ndarray | None = None,
                 like: "Timer | None" = None):
        self.design = design
        self.constraints = constraints
        self.wire_cap = wire_cap
        if like is not None and like.design.netlist is design.netlist:
            self.templates = like.templates
            self.graph = like.graph
        else:
            self.templates: dict[int, CellTiming] = {}
            self.graph = build_graph(design, self.templates)
        self.names = TerminalNames(design)
        self._pack_builder = TablePackBuilder()
        self._pack: TablePack | None = None
        self._cell_rows: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._ctab: dict | None = None
        self._rows_state: dict | None = None
        self._caps_state: dict | None = None
        self._pid = {n: i for i, n in enumerate(design.netlist.pin_names)}
        self.drive_zero_load_subtract = True
        #: sum load capacitances as OpenSTA does: single precision, in farads, pins in
        #: reverse connection order (matters only on nets of thousands of pins)
        self.single_precision_loads = True
        self._clock_setup()

    # ------------------------------------------------------------------ tables
    def _rows_of(self, cell) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        r = self._cell_rows.get(id(cell))
        if r is None:
            ct = template_of(self.templates, cell)
            b = self._pack_builder
            n0 = len(b)
            d = np.array([b.add(e.delay) for e in ct.edges], dtype=np.int64)
            s = np.array([b.add(e.slew) for e in ct.edges], dtype=np.int64)
            c = np.array([b.add(c.table) for c in ct.checks], dtype=np.int64)
            if len(b) != n0:
                self._pack = None
            r = (d, s, c)
            self._cell_rows[id(cell)] = r
        return r

    def _cell_arrays(self) -> dict:
        """Per entry of the design's cell table: its delay / slew / check rows in the
        table pack (``D``, ``S``, ``K``, padded with row 0) and its pin capacitances
        (``cap`` [cells, pin names, 2], pF). Built once and extended as re-binding
        appends twins to the cell table, so a re-timing pays only for new cells."""
        cells = self.design.cells
        st = self._ctab
        if st is None or len(st["cells"]) > len(cells) or not all(map(operator.is_, st["cells"], cells)):
            K = len(self.design.netlist.pin_names)
            st = self._ctab = {"cells": [], "D": np.zeros((0, 1), np.int64), "S": np.zeros((0, 1), np.int64),
                               "K": np.zeros((0, 1), np.int64), "cap": np.zeros((0, K, 2))}
            self._rows_state = self._caps_state = None     # gathered from the old table
        n0 = len(st["cells"])
        if n0 == len(cells):
            return st
        new = cells[n0:]
        rows = [self._rows_of(c) for c in new]

        def grow(old: np.ndarray, part: int) -> np.ndarray:
            w = max(old.shape[1], max(len(r[part]) for r in rows))
            m = np.zeros((len(new), w), dtype=np.int64)
            for i, r in enumerate(rows):
                m[i, :len(r[part])] = r[part]
            if old.shape[1] < w:
                old = np.pad(old, ((0, 0), (0, w - old.shape[1])))
            return np.concatenate([old, m])

        st["D"], st["S"], st["K"] = grow(st["D"], 0), grow(st["S"], 1), grow(st["K"], 2)
        cap = np.zeros((len(new),) + st["cap"].shape[1:])
        for i, c in enumerate(new):
            for name, (rc, fc) in template_of(self.templates, c).pin_cap.items():
                j = self._pid.get(name)
                if j is not None:
                    cap[i, j] = (rc, fc)
        st["cap"] = np.concatenate([st["cap"], cap])
        st["cells"] = list(cells)
        return st

    def _gather_rows(self):
        g = self.graph
        cells = self.design.cells
        inst_cell = np.asarray(self.design.inst_cell)
        changed = np.nonzero(inst_cell != g.build_inst_cell)[0]
        if len(changed):
            n = len(cells)
            key = np.unique(g.build_inst_cell[changed].astype(np.int64) * n + inst_cell[changed])
            for a, b in zip((key // n).tolist(), (key % n).tolist()):
                sa = template_of(self.templates, cells[a]).signature
                sb = template_of(self.templates, cells[b]).signature
                if sa != sb:
                    progress.debug(f"re-binding {cells[a].name} -> {cells[b].name} changes arcs: rebuilding graph")
                    self.graph = build_graph(self.design, self.templates)
                    g = self.graph
                    self._clock_setup()
                    break
        st = self._cell_arrays()
        if self._pack is None:
            self._pack = self._pack_builder.build()
        prev = self._rows_state
        if prev is not None and prev["graph"] is g:
            # only the arcs and checks of re-bound instances gather new rows
            ch = np.nonzero(inst_cell != prev["ic"])[0]
            e = _by_inst(g, "e_inst", ch)
            c = _by_inst(g, "c_inst", ch)
            d_rows, s_rows, k_rows = prev["d"].copy(), prev["s"].copy(), prev["k"].copy()
            ec = inst_cell[g.e_inst[e]]
            d_rows[e] = st["D"][ec, g.e_slot[e]]
            s_rows[e] = st["S"][ec, g.e_slot[e]]
            k_rows[c] = st["K"][inst_cell[g.c_inst[c]], g.c_slot[c]]
        else:
            ec = inst_cell[g.e_inst]
            cc = inst_cell[g.c_inst]
            d_rows, s_rows, k_rows = st["D"][ec, g.e_slot], st["S"][ec, g.e_slot], st["K"][cc, g.c_slot]
        self._rows_state = {"graph": g, "ic": inst_cell.copy(), "d": d_rows, "s": s_rows, "k": k_rows}
        return d_rows, s_rows, k_rows

    def _pin_caps(self) -> np.ndarray:
        """[T, 2] pin capacitance of every terminal under the current binding (pF)
        (a new array: the caller may add to it)."""
        g = self.graph
        d = self.design
        tab = self._cell_arrays()["cap"]
        inst_cell = np.asarray(d.inst_cell)
        nl = d.netlist
        prev = self._caps_state
        if prev is not None and prev["graph"] is g:
            ch = np.nonzero(inst_cell != prev["ic"])[0]
            p = _expand(nl.pin_ptr[ch], nl.pin_ptr[ch + 1] - nl.pin_ptr[ch])
            caps = prev["caps"].copy()
            caps[p] = tab[inst_cell[g.inst_of_pin[p]], nl.pin_name[p]]
        else:
            caps = np.zeros((g.n_terms, 2))
            caps[:g.n_pins] = tab[inst_cell[g.inst_of_pin], nl.pin_name]
        self._caps_state = {"graph": g, "ic": inst_cell.copy(), "caps": caps}
        return caps.copy()

    def _net_index(self) -> dict:
        """Net structure the load sum needs (fixed for a netlist): which net entries
        are drivers, the net of every entry."""
        ix = getattr(self, "_netix", None)
        d = self.design
        if ix is not None and ix["ptr"] is d.net_term_ptr:
            return ix
        ptr = d.net_term_ptr
        M = len(ptr) - 1
        terms = d.net_terms
        is_drv = np.zeros(len(terms), dtype=bool)
        nd = np.asarray(d.net_n_drivers)
        starts = ptr[:-1]
        for k in range(int(nd.max()) if M else 0):
            sel = nd > k
            is_drv[starts[sel] + k] = True
        net_entry = np.repeat(np.arange(M), np.diff(ptr))
        self._netix = ix = {"ptr": ptr, "M": M, "terms": terms, "nd": nd, "is_drv": is_drv, "net_entry": net_entry,
                            "drv": terms[is_drv], "drv_net": net_entry[is_drv]}
        return ix

    def _net_caps(self, caps: np.ndarray, nets: np.ndarray | None) -> np.ndarray:
        """[len(nets), 2] load capacitance of ``nets`` (all nets if None), pF."""
        ix = self._net_index()
        ptr, terms, nd = ix["ptr"], ix["terms"], ix["nd"]
        wire = np.asarray(self.wire_cap, dtype=np.float64) if self.wire_cap is not None else None
        if nets is not None:                      # the same sums on a sub-table of nets
            cnt = ptr[nets + 1] - ptr[nets]
            terms = terms[_expand(ptr[nets], cnt)]
            ptr = np.concatenate([[0], np.cumsum(cnt)])
            nd = nd[nets]
            wire = wire[nets] if wire is not None else None
        if self.single_precision_loads:
            return _net_caps_f32(caps, terms, ptr, nd, wire)
        M = len(ptr) - 1
        net_entry = np.repeat(np.arange(M), np.diff(ptr))
        is_ld = np.arange(len(terms)) >= np.repeat(ptr[:-1] + nd, np.diff(ptr))
        net_cap = np.zeros((M, 2))
        if is_ld.any():
            for rf in (0, 1):
                net_cap[:, rf] = np.bincount(net_entry[is_ld], weights=caps[terms[is_ld], rf], minlength=M)
        if wire is not None:
            net_cap += wire[:, None]
        return net_cap

    def loads(self) -> np.ndarray:
        """[T, 2] total load seen by each driving terminal (pF); 0 elsewhere.

        After the first call only the nets with a terminal whose capacitance changed
        (re-bound instances) are summed again; each net's sum is the same computation
        either way, so the result equals a full recomputation exactly."""
        g = self.graph
        caps = self._pin_caps()
        for t, v in self.constraints.port_load.items():
            caps[t] += v
        ix = self._net_index()
        prev = getattr(self, "_load_state", None)
        net_cap = None
        if (prev is not None and prev["wire"] is self.wire_cap and prev["caps"].shape == caps.shape
                and prev["single"] == self.single_precision_loads and prev["ix"] is ix):
            chg = np.nonzero((caps != prev["caps"]).any(axis=1))[0]
            nets = np.unique(g.net_of_term[chg])
            nets = nets[nets >= 0]
            if len(nets) < 0.5 * ix["M"]:
                net_cap = prev["net_cap"].copy()
                if len(nets):
                    net_cap[nets] = self._net_caps(caps, nets)
        if net_cap is None:
            net_cap = self._net_caps(caps, None)
        self._load_state = {"caps": caps, "net_cap": net_cap, "wire": self.wire_cap,
                            "single": self.single_precision_loads, "ix": ix}
        load = np.zeros((g.n_terms, 2))
        load[ix["drv"]] = net_cap[ix["drv_net"]]
        return load

    # ------------------------------------------------------------------ clocks
    def _clock_setup(self) -> None:
        """Which clock (and polarity) reaches each terminal of the clock network:
        breadth-first from the clock sources through nets and through the rising-input
        edges of combinational cells (an edge to a falling output inverts), vectorised
        per wave. A terminal reached by several clocks keeps the first."""
        d = self.design
        g = self.graph
        tc = self.constraints
        T = g.n_terms
        self.clock_of_term = np.full(T, -1, dtype=np.int64)
        self.clock_inv = np.zeros(T, dtype=np.int64)
        ptr = d.net_term_ptr
        nets_terms = d.net_terms
        nd = np.asarray(d.net_n_drivers)
        comb = np.nonzero((g.e_kind == KIND_COMB) & (g.e_from >= 0) & (g.e_in_rf == RISE))[0]
        by_from = comb[np.argsort(g.e_from[comb], kind="stable")]
        from_sorted = g.e_from[by_from]
        for ci, clk in enumerate(tc.clocks):
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
                un = first & (self.clock_of_term[ft] < 0)
                self.clock_of_term[ft[un]] = ci
                self.clock_inv[ft[un]] = fi[un]
                # through nets: a driving terminal reaches every other terminal of its net
                m = g.net_of_term[ft]
                mm = np.maximum(m, 0)
                drv = (m >= 0) & (nd[mm] > 0) & (nets_terms[np.minimum(ptr[mm], max(len(nets_terms) - 1, 0))] == ft)
                st = ptr[mm[drv]] + 1
                cnt = ptr[mm[drv] + 1] - st
                n_t = nets_terms[_expand(st, cnt)]
                n_i = np.repeat(fi[drv], cnt)
                # through cells
                lo = np.searchsorted(from_sorted, ft, "left")
                hi = np.searchsorted(from_sorted, ft, "right")
                e = by_from[_expand(lo, hi - lo)]
                c_t = g.e_to[e]
                c_i = np.repeat(fi, hi - lo) ^ (g.e_out_rf[e] == FALL).astype(np.int64)
                ft = np.concatenate([n_t, c_t])
                fi = np.concatenate([n_i, c_i])

    def _edge_time(self, clock: int, src_rf: int) -> float:
        return self.constraints.clocks[clock].edge_time(src_rf)

    def _capture_required(self, lclk: int, lrf: int, cclk: int, crf: int, strict: bool = True) -> float | None:
        """Absolute capture time for a launch at (lclk, lrf) captured at (cclk, crf): the
        first capture edge strictly after the launch edge (``strict=False``: at or after,
        the opening edge of a latch), the worst over the common period."""
        tc = self.constraints
        if (lclk, cclk) in tc.false_clock_pairs:
            return None
        key = (lclk, lrf, cclk, crf, strict)
        memo = self.__dict__.setdefault("_cap_memo", {})
        if key in memo:
            return memo[key]
        memo[key] = v = self._capture_required1(lclk, lrf, cclk, crf, strict)
        return v

    def _capture_required1(self, lclk, lrf, cclk, crf, strict):
        tc = self.constraints
        L: Clock = tc.clocks[lclk]
        C: Clock = tc.clocks[cclk]
        tl0 = L.edge_time(lrf)
        tcap0 = C.edge_time(crf)
        lcm = _lcm_period(L.period, C.period)
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

    # ------------------------------------------------------------------ latches
    def _latch_info(self):
        """Per latch data->output edge: enable terminal, setup-check row, opening rf."""
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

    def _latch_window(self, ti_tags, k: int, open_src: int, setup: float):
        """(open time per launch tag or None, max borrow) of a latch on clock ``k``."""
        clk = self.constraints.clocks[k]
        close_src = 1 - open_src
        pw = (clk.edge_time(close_src) - clk.edge_time(open_src)) % clk.period
        if pw <= 0:
            pw = clk.period
        opens = [self._capture_required(lk, lrf, k, open_src, strict=False) for lk, lrf in ti_tags]
        return opens, pw - setup

    def _patch_latch_arrivals(self, at, eidx, arr, slew, tags, tag_of, pack, c_rows):
        """Replace, in ``at`` [tags, len(eidx)], the arrivals of latch data->output edges
        by OpenSTA's borrowing rule: the output is launched at the latch's opening edge
        plus the time borrowed by the data (``clip(D arrival - open, 0, max borrow)``,
        max borrow = enable pulse width - setup), plus the D->Q delay."""
        g = self.graph
        info = self._latch_info()
        pos = info["pos"]
        for j, e in enumerate(eidx.tolist()):
            k_ = pos.get(e)
            if k_ is None:
                continue
            at[:, j] = NEG
            en = int(info["en"][k_])
            src = int(g.e_src[e])
            if en < 0 or src < 0 or self.clock_of_term[en] < 0:
                continue
            k = int(self.clock_of_term[en])
            open_src = int(info["open_rf"][k_]) ^ int(self.clock_inv[en])
            qtag = tag_of.get((k, open_src))
            if qtag is None:
                continue
            irf = int(g.e_in_rf[e])
            row = int(info["row"][k_])
            setup = 0.0
            if row >= 0:
                setup = float(lookup(pack, c_rows[row:row + 1], slew[en, g.c_clock_rf[row]:g.c_clock_rf[row] + 1],
                                     slew[src, irf:irf + 1])[0])
            opens, maxb = self._latch_window(tags, k, open_src, setup)
            borrow = None
            for ti, op in enumerate(opens):
                a = arr[ti, src, irf]
                if op is None or not np.isfinite(a):
                    continue
                b = min(max(a - op, 0.0), max(maxb, 0.0))
                borrow = b if borrow is None else max(borrow, b)
            if borrow is not None:
                at[qtag, j] = self.constraints.clocks[k].edge_time(open_src) + borrow + self._edge_delay_tmp[e]

    # ------------------------------------------------------------------ main pass
    def update(self, incremental: bool = True) -> TimingResult:
        """Time the design under its current binding.

        After a first full pass, ``incremental`` re-timing recomputes only the edges
        whose table (re-bound instance), load (re-bound fan-out) or input slew changed,
        and re-reduces only the pins whose edges or source arrivals changed, level by
        level; the result equals a full pass (checked by the tests)."""
        d_rows, s_rows, c_rows = self._gather_rows()
        g = self.graph
        tc = self.constraints
        pack = self._pack
        T = g.n_terms
        load = self.loads()
        # tags: (clock, source edge) that launch something
        tag_of: dict[tuple[int, int], int] = {}
        tags: list[tuple[int, int]] = []

        def tag(k: int, rf: int) -> int:
            key = (k, rf)
            if key not in tag_of:
                tag_of[key] = len(tags)
                tags.append(key)
            return tag_of[key]

        launch = np.nonzero(g.e_kind == KIND_LAUNCH)[0]
        l_clk = self.clock_of_term[g.e_from[launch]]
        l_src_rf = g.e_in_rf[launch] ^ self.clock_inv[g.e_from[launch]]
        for k, rf in sorted(set(zip(l_clk.tolist(), l_src_rf.tolist()))):
            if k >= 0:
                tag(k, rf)
        for pd in tc.input_delays:
            if pd.clock is not None:
                tag(pd.clock, FALL if pd.clock_fall else RISE)
        nt = max(len(tags), 1)
        arr = np.full((nt, T, 2), NEG)
        slew = np.zeros((T, 2))
        # clock pins: ideal slew and edge arrivals (vectorised over pins)
        ck = np.nonzero(self.clock_of_term >= 0)[0]
        if len(ck) and tc.clocks:
            kk = self.clock_of_term[ck]
            inv = self.clock_inv[ck]
            trans = np.array([c.transition for c in tc.clocks])            # [K, 2]
            etime = np.array([[c.edge_time(RISE), c.edge_time(FALL)] for c in tc.clocks])
            for rf in (RISE, FALL):
                src_rf = rf ^ inv
                slew[ck, rf] = trans[kk, src_rf]
                for (k, srf), ti in tag_of.items():
                    m = (kk == k) & (src_rf == srf)
                    arr[ti, ck[m], rf] = etime[k, srf]
        # input ports
        for t, tr in tc.input_transition.items():
            slew[t] = tr
        drive_delay = {}
        for t, dc in tc.driving_cell.items():
            dd, ds = self._driving_cell(dc, load[t])
            drive_delay[t] = dd
            slew[t] = ds
        for pd in tc.input_delays:
            if pd.clock is None:
                continue
            ti = tag_of[(pd.clock, FALL if pd.clock_fall else RISE)]
            t0 = tc.clocks[pd.clock].edge_time(FALL if pd.clock_fall else RISE)
            dd = drive_delay.get(pd.terminal, (0.0, 0.0))
            arr[ti, pd.terminal, RISE] = max(arr[ti, pd.terminal, RISE], t0 + pd.rise + dd[0])
            arr[ti, pd.terminal, FALL] = max(arr[ti, pd.terminal, FALL], t0 + pd.fall + dd[1])

        self._lctx = (tags, tag_of, pack, c_rows)
        prev = getattr(self, "_state", None)
        if (incremental and prev is not None and prev["graph"] is g and prev["tags"] == tags
                and prev["arr"].shape == arr.shape):
            edge_delay, edge_slew = self._incremental(prev, d_rows, s_rows, load, arr, slew, pack)
        else:
            edge_delay, edge_slew = self._full(d_rows, s_rows, load, arr, slew, pack)
        for a in (arr, slew, load, edge_delay, edge_slew):
            a.flags.writeable = False      # shared by the result and the next incremental pass
        self._state = {"graph": g, "tags": list(tags), "arr": arr, "slew": slew, "load": load,
                       "d_rows": d_rows, "s_rows": s_rows, "edge_delay": edge_delay, "edge_slew": edge_slew}

        table = self._checks(c_rows, pack, arr, slew, tags)
        slacks = table.slack
        wns = float(min(0.0, slacks.min())) if len(slacks) else 0.0
        tns = float(slacks[slacks < 0].sum()) if len(slacks) else 0.0
        self.last = TimingResult(wns, tns, table, arr, slew, load, edge_delay, edge_slew, tags, g)
        return self.last

    def _latch_levels(self):
        g = self.graph
        dq = self._latch_info()["edges"]
        if not len(dq):
            return None
        lv = np.zeros(len(g.level_ptr), dtype=bool)
        lv[np.searchsorted(g.level_ptr, dq, side="right") - 1] = True
        return lv

    def _eval_arcs(self, idx, d_rows, s_rows, slew, load, pack) -> tuple[np.ndarray, np.ndarray]:
        """(delay, output slew clipped at 0) of the arcs ``idx`` (slice or indices), ns,
        from their source's current slew and their target's load."""
        g = self.graph
        src = g.e_src[idx]
        s_in = np.where(src >= 0, slew[np.maximum(src, 0), g.e_in_rf[idx]], 0.0)
        cap = load[g.e_to[idx], g.e_out_rf[idx]]
        dl, sw = lookup_pair(pack, d_rows[idx], s_rows[idx], s_in, cap)
        return dl, np.maximum(sw, 0.0)

    def _full(self, d_rows, s_rows, load, arr, slew, pack):
        g = self.graph
        latch_lv = self._latch_levels()
        E = len(g.e_to)
        edge_delay = np.zeros(E)
        edge_slew = np.zeros(E)
        src = g.e_src
        has_src = src >= 0
        src_c = np.maximum(src, 0)
        for L in range(len(g.level_ptr) - 1):
            a, b = int(g.level_ptr[L]), int(g.level_ptr[L + 1])
            if a == b:
                continue
            sl = slice(a, b)
            dl, sw = self._eval_arcs(sl, d_rows, s_rows, slew, load, pack)
            edge_delay[sl] = dl
            edge_slew[sl] = sw
            sa, sb = int(g.level_seg_ptr[L]), int(g.level_seg_ptr[L + 1])
            starts = g.seg_start[sa:sb] - a
            to = g.seg_to[sa:sb]
            orf = g.seg_rf[sa:sb]
            slew[to, orf] = np.maximum.reduceat(sw, starts)
            at = np.where(has_src[sl][None, :], arr[:, src_c[sl], g.e_in_rf[sl]], NEG) + dl[None, :]
            if latch_lv is not None and latch_lv[L]:
                self._edge_delay_tmp = edge_delay
                self._patch_latch_arrivals(at, np.arange(a, b), arr, slew, *self._lctx)
            arr[:, to, orf] = np.maximum(arr[:, to, orf], np.maximum.reduceat(at, starts, axis=1))
        return edge_delay, edge_slew

    def _incremental(self, prev, d_rows, s_rows, load, arr, slew, pack):
        """Re-time from the previous pass; ``arr``/``slew`` hold the fresh source values
        (ports, clock pins) and are completed in place."""
        g = self.graph
        latch_lv = self._latch_levels()
        T = g.n_terms
        if not hasattr(g, "_edge_seg"):
            E = len(g.e_to)
            g._edge_seg = np.searchsorted(g.seg_start, np.arange(E), side="right") - 1
            g._seg_end = np.append(g.seg_start[1:], E)
            g._is_target = np.zeros((T, 2), dtype=bool)
            g._is_target[g.seg_to, g.seg_rf] = True
        tgt = g._is_target
        p_arr, p_slew = prev["arr"], prev["slew"]
        # sources keep their fresh values; targets start from the previous pass
        with np.errstate(invalid="ignore"):
            src_arr_chg = ~((arr == p_arr) | (np.isneginf(arr) & np.isneginf(p_arr))).all(axis=0)
        slew_chg = (slew != p_slew) & ~tgt
        arr_chg = src_arr_chg & ~tgt
        arr[:, tgt] = p_arr[:, tgt]
        slew[tgt] = p_slew[tgt]
        edge_delay = prev["edge_delay"].copy()
        edge_slew = prev["edge_slew"].copy()
        load_chg = (load != prev["load"])
        dirty = (d_rows != prev["d_rows"]) | (s_rows != prev["s_rows"]) | load_chg[g.e_to, g.e_out_rf]
        src = g.e_src
        has_src = src >= 0
        src_c = np.maximum(src, 0)
        for L in range(len(g.level_ptr) - 1):
            a, b = int(g.level_ptr[L]), int(g.level_ptr[L + 1])
            if a == b:
                continue
            sl = slice(a, b)
            irf = g.e_in_rf[sl]
            hs = has_src[sl]
            sc = src_c[sl]
            need = dirty[sl] | (hs & slew_chg[sc, irf])
            touch = need | (hs & arr_chg[sc, irf])
            if not touch.any():
                continue
            n_need = int(need.sum())
            if n_need:
                # most of the level: contiguous recompute; else only the arcs that need it
                ni = sl if n_need > 0.7 * (b - a) else a + np.nonzero(need)[0]
                edge_delay[ni], edge_slew[ni] = self._eval_arcs(ni, d_rows, s_rows, slew, load, pack)
            sa, sb = int(g.level_seg_ptr[L]), int(g.level_seg_ptr[L + 1])
            if touch.sum() > 0.5 * (b - a):     # re-reduce every pin of the level
                segs = np.arange(sa, sb)
                ei = np.arange(a, b)
                starts = g.seg_start[sa:sb] - a
            else:
                segs = np.unique(g._edge_seg[a + np.nonzero(touch)[0]])
                st = g.seg_start[segs]
                cnt = g._seg_end[segs] - st
                ei = _expand(st, cnt)
                starts = np.cumsum(cnt) - cnt
            to = g.seg_to[segs]
            orf = g.seg_rf[segs]
            new_slew = np.maximum.reduceat(edge_slew[ei], starts)
            slew_chg[to, orf] = new_slew != slew[to, orf]
            slew[to, orf] = new_slew
            at = np.where(has_src[ei][None, :], arr[:, src_c[ei], g.e_in_rf[ei]], NEG) + edge_delay[ei][None, :]
            if latch_lv is not None and latch_lv[L]:
                self._edge_delay_tmp = edge_delay
                self._patch_latch_arrivals(at, ei, arr, slew, *self._lctx)
            new_arr = np.maximum.reduceat(at, starts, axis=1)
            old = arr[:, to, orf]
            with np.errstate(invalid="ignore"):
                same = (new_arr == old) | (np.isneginf(new_arr) & np.isneginf(old))
            arr_chg[to, orf] = ~same.all(axis=0)
            arr[:, to, orf] = new_arr
        return edge_delay, edge_slew

    def _driving_cell(self, dc, load_rf) -> tuple[tuple[float, float], np.ndarray]:
        """Delay (rise, fall) and slew of a driving cell into the port's load."""
        ct = template_of(self.templates, dc.cell)
        b = TablePackBuilder()
        best_d = [0.0, 0.0]
        best_s = np.zeros(2)
        comb = [e for e in ct.edges if e.kind != KIND_LAUNCH]
        # defaults as OpenSTA: the first output pin, and the first input pin (cell pin
        # order) with an arc to it; the zero-load delay of the arc is subtracted
        to_pin = dc.pin or next((p.name for p in dc.cell.output_pins() if any(e.to_pin == p.name for e in comb)), None)
        from_pin = dc.from_pin or next((p.name for p in dc.cell.input_pins()
                                        if any(e.to_pin == to_pin and e.from_pin == p.name for e in comb)), None)
        for e in comb:
            if e.to_pin != to_pin or e.from_pin != from_pin:
                continue
            rows = [b.add(e.delay), b.add(e.slew)]
            pk = b.build()
            sin = dc.input_transition[e.in_rf]
            cap = load_rf[e.out_rf]
            dd = float(lookup(pk, np.array([rows[0]]), np.array([sin]), np.array([cap]))[0])
            if self.drive_zero_load_subtract:
                dd -= float(lookup(pk, np.array([rows[0]]), np.array([sin]), np.array([0.0]))[0])
            ss = max(0.0, float(lookup(pk, np.array([rows[1]]), np.array([sin]), np.array([cap]))[0]))
            best_d[e.out_rf] = max(best_d[e.out_rf], dd)
            best_s[e.out_rf] = max(best_s[e.out_rf], ss)
        return (best_d[0], best_d[1]), best_s

    def _checks(self, c_rows, pack, arr, slew, tags) -> EndpointTable:
        """Slack of every endpoint (vectorised over checks, one loop over launch tags)."""
        g = self.graph
        tc = self.constraints
        nclk = len(tc.clocks)
        unc = np.array([c.setup_uncertainty for c in tc.clocks] + [0.0])
        cols = {k: [] for k in ("term", "slack", "arr", "req", "rf", "tag", "kind", "row", "setup", "node", "cap")}

        def capture_table(lk, lrf):
            cap = np.full((nclk + 1, 2), np.nan)
            for k in range(nclk):
                for rf in (RISE, FALL):
                    v = self._capture_required(lk, lrf, k, rf)
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
            setup = lookup(pack, c_rows, cs, ds)
            cclk = self.clock_of_term[g.c_clk]
            c_src_rf = g.c_clock_rf ^ self.clock_inv[g.c_clk]
            ck = np.where(cclk >= 0, cclk, nclk)
            keep_t = ~np.isin(g.c_data, np.fromiter(tc.false_to, dtype=np.int64)) if tc.false_to else True
            rows = np.arange(len(g.c_data))
            c_latch = self._latch_info()["c_latch"]
            if c_latch.any():
                lat = np.nonzero(c_latch & (cclk >= 0))[0]
                per = np.array([c.period for c in tc.clocks] + [1.0])
                et = np.array([[c.edge_time(RISE), c.edge_time(FALL)] for c in tc.clocks] + [[0.0, 0.0]])
                open_src = 1 - c_src_rf[lat]
                pw = np.mod(et[ck[lat], c_src_rf[lat]] - et[ck[lat], open_src], per[ck[lat]])
                pw = np.where(pw <= 0, per[ck[lat]], pw)
                maxb = np.maximum(pw - setup[lat], 0.0)
            for ti in range(len(tags)):
                a = np.where(ok, arr[ti, dn, g.c_data_rf], NEG)
                rq = caps[ti][ck, c_src_rf] - setup - unc[ck]
                if c_latch.any() and len(lat):
                    lk, lrf = tags[ti]
                    opens = np.array([np.nan if (v := self._capture_required(lk, lrf, int(k_), int(o_), strict=False))
                                      is None else v for k_, o_ in zip(ck[lat].tolist(), open_src.tolist())])
                    borrow = np.clip(a[lat] - opens, 0.0, maxb)
                    rq[lat] = opens + np.where(np.isfinite(borrow), borrow, 0.0)
                valid = np.isfinite(a) & np.isfinite(rq) & (cclk >= 0) & keep_t
                if not valid.any():
                    continue
                v = np.nonzero(valid)[0]
                cols["term"].append(g.c_data[v])
                cols["slack"].append(rq[v] - a[v])
                cols["arr"].append(a[v])
                cols["req"].append(rq[v])
                cols["rf"].append(g.c_data_rf[v])
                cols["tag"].append(np.full(len(v), ti))
                cols["kind"].append(np.zeros(len(v), dtype=np.int64))
                cols["row"].append(rows[v])
                cols["setup"].append(setup[v])
                cols["cap"].append(ck[v])
                cols["node"].append(dn[v])
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
                    cols["term"].append(o_t[v])
                    cols["slack"].append(rq[v] - a[v])
                    cols["arr"].append(a[v])
                    cols["req"].append(rq[v])
                    cols["rf"].append(np.full(len(v), rf))
                    cols["tag"].append(np.full(len(v), ti))
                    cols["kind"].append(np.ones(len(v), dtype=np.int64))
                    cols["row"].append(np.full(len(v), -1))
                    cols["setup"].append(o_d[v, rf])
                    cols["cap"].append(o_k[v])
                    cols["node"].append(o_n[v])
        if not cols["term"]:
            self._req_contrib = None
            return EndpointTable.empty(self.names.names)
        c = {k: np.concatenate(v) for k, v in cols.items()}
        self._req_contrib = (c["tag"].astype(np.int64), c["node"].astype(np.int64), c["rf"].astype(np.int64),
                             c["req"], c["term"].astype(np.int64))
        order = np.lexsort((c["rf"], c["tag"], c["slack"], c["term"]))
        term_sorted = c["term"][order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = term_sorted[1:] != term_sorted[:-1]
        best = order[first]
        best = best[np.lexsort((c["term"][best], c["slack"][best]))]
        return EndpointTable(c["term"][best].astype(np.int64), c["slack"][best], c["arr"][best], c["req"][best],
                             c["rf"][best].astype(np.int64), c["tag"][best].astype(np.int64),
                             c["kind"][best].astype(np.int64), c["row"][best].astype(np.int64), c["setup"][best],
                             c["cap"][best].astype(np.int64), self.names.names)

    # ------------------------------------------------------------------ required
    def required(self) -> np.ndarray:
        """[tags, T, 2] required times (ns) of the last :meth:`update` on every terminal
        (driving nodes and load pins), propagated backwards from every endpoint; +inf
        where nothing is required. A driver's required time is the minimum over its load
        pins; a load pin's is the minimum over its endpoint checks and the edges it feeds."""
        r = self.last
        g = self.graph
        nt = r.arrival.shape[0]
        T = g.n_terms
        req = np.full((nt, T, 2), np.inf)
        if self._req_contrib is not None:
            t_, n_, r_, v_, term_ = self._req_contrib
            np.minimum.at(req, (t_, term_, r_), v_)
        lp = np.nonzero((g.src_of_term >= 0) & (g.src_of_term != np.arange(T)))[0]
        lp_drv = g.src_of_term[lp]
        lp_lev = g.node_level[lp_drv]
        order = np.argsort(lp_lev, kind="stable")
        lp, lp_drv, lp_lev = lp[order], lp_drv[order], lp_lev[order]
        n_lev = len(g.level_ptr) - 1
        lp_ptr = np.searchsorted(lp_lev, np.arange(n_lev + 1))
        tags = np.arange(nt)[:, None]
        for L in range(n_lev - 1, -1, -1):
            # 1. drivers of this level: fold in their load pins (all final by now)
            a, b = int(lp_ptr[L]), int(lp_ptr[L + 1])
            if b > a:
                for rf in (RISE, FALL):
                    vals = req[:, lp[a:b], rf]
                    np.minimum.at(req, (np.broadcast_to(tags, vals.shape), np.broadcast_to(lp_drv[a:b], vals.shape),
                                        rf), vals)
            # 2. edges into this level: required at their from pins
            a, b = int(g.level_ptr[L]), int(g.level_ptr[L + 1])
            if a == b:
                continue
            sl = slice(a, b)
            ok = (g.e_from[sl] >= 0) & (g.e_kind[sl] != KIND_LAUNCH)
            if not ok.any():
                continue
            frm = g.e_from[sl][ok]
            irf = g.e_in_rf[sl][ok]
            cand = req[:, g.e_to[sl][ok], g.e_out_rf[sl][ok]] - r.edge_delay[sl][ok][None, :]
            np.minimum.at(req, (np.broadcast_to(tags, cand.shape), np.broadcast_to(frm, cand.shape),
                                np.broadcast_to(irf, cand.shape)), cand)
        r.required = req
        return req

    def pin_slacks(self) -> np.ndarray:
        """float64[T] worst setup slack through each terminal (ns; +inf if unconstrained).
        A load pin has its driver's arrival (no wire delay) and its own required time."""
        r = self.last
        req = r.required if r.required is not None else self.required()
        g = self.graph
        arr = r.arrival.copy()
        loads = np.nonzero(g.src_of_term >= 0)[0]
        arr[:, loads, :] = r.arrival[:, g.src_of_term[loads], :]
        with np.errstate(invalid="ignore"):
            return np.where(np.isfinite(arr) & np.isfinite(req), req - arr, np.inf).min(axis=(0, 2))

    # ------------------------------------------------------------------ paths
    def path(self, ep: Endpoint) -> list[dict]:
        """Stages of the worst path into ``ep`` (from the startpoint), as dicts with
        pin, cell, rf ('^' rise, 'v' fall), delay, time, slew, load (ns / pF)."""
        r = self.last
        g = self.graph
        names = self.names
        nl = self.design.netlist
        fanin = g.__dict__.get("_fanin")        # edges by target node, built once per graph
        if fanin is None:
            order = np.argsort(g.e_to, kind="stable")
            g.__dict__["_fanin"] = fanin = (order, np.searchsorted(g.e_to[order], np.arange(g.n_terms + 1)))
        in_order, in_ptr = fanin
        ti = ep.tag
        node = int(g.src_of_term[ep.terminal])
        rf = ep.rf
        stages = []

        def cell_of(term):
            if term >= g.n_pins:
                return "in" if nl.port_dir[term - g.n_pins] == 0 else "out"
            return self.design.cells[int(self.design.inst_cell[g.inst_of_pin[term]])].name

        # endpoint pin itself (load pin, zero wire delay)
        stages.append(dict(pin=names.name(ep.terminal), cell=cell_of(ep.terminal), rf=rf,
                           delay=0.0, time=float(r.arrival[ti, node, rf]), slew=float(r.slew[node, rf]),
                           load=None))
        guard = 0
        while node >= 0 and guard < 100000:
            guard += 1
            a_here = r.arrival[ti, node, rf]
            lo, hi = in_ptr[node], in_ptr[node + 1]
            chosen = None
            for k in in_order[lo:hi].tolist():
                if g.e_out_rf[k] != rf:
                    continue
                s = int(g.e_src[k])
                if s < 0:
                    continue
                a = r.arrival[ti, s, g.e_in_rf[k]] + r.edge_delay[k]
                if np.isfinite(a) and abs(a - a_here) <= 1e-9 * max(1.0, abs(a_here)):
                    chosen = k
                    break
            stages.append(dict(pin=names.name(node), cell=cell_of(node), rf=rf,
                               delay=float(r.edge_delay[chosen]) if chosen is not None else float(a_here),
                               time=float(a_here), slew=float(r.slew[node, rf]), load=float(r.load[node, rf])))
            if chosen is None:
                break
            s = int(g.e_src[chosen])
            in_rf = int(g.e_in_rf[chosen])
            if g.e_kind[chosen] == KIND_LAUNCH:
                stages.append(dict(pin=names.name(s), cell=cell_of(s), rf=in_rf, delay=0.0,
                                   time=float(r.arrival[ti, s, in_rf]), slew=float(r.slew[s, in_rf]), load=None))
                break
            frm = int(g.e_from[chosen])
            stages.append(dict(pin=names.name(frm), cell=cell_of(frm), rf=in_rf, delay=0.0,
                               time=float(r.arrival[ti, s, in_rf]), slew=float(r.slew[s, in_rf]), load=None))
            node, rf = s, in_rf
        stages.reverse()
        for st in stages:
            st["rf"] = "^" if st["rf"] == RISE else "v"
        return stages


def _net_caps_f32(caps: np.ndarray, terms: np.ndarray, ptr: np.ndarray, nd: np.ndarray,
                  wire: np.ndarray | None) -> np.ndarray:
    """[M, 2] load of each net (pF) accumulated like OpenSTA 2.0.17: a float32 running
    sum, in farads, over the net's load pins in reverse connection order, plus the wire
    capacitance. On a net of 3,000 pins this differs from the exact sum by ~2e-5
    relative, which matters (ps) once tables are extrapolated to 50 ns."""
    M = len(ptr) - 1
    first = ptr[:-1] + nd                       # first load entry of each net
    n = (ptr[1:] - first).astype(np.int64)
    out = np.zeros((M, 2))
    big = np.nonzero(n > 64)[0]                 # long nets: one sequential cumsum each
    small = np.nonzero(n <= 64)[0]
    order = small[np.argsort(-n[small], kind="stable")]
    n_sorted = n[order]
    maxn = int(n_sorted[0]) if len(order) else 0
    for rf in (0, 1):
        val = (caps[terms, rf] * 1e-12).astype(np.float32)
        acc = np.zeros(M, dtype=np.float32)
        for k in range(maxn):                   # k-th load from the end of every net at once
            cnt = int(np.searchsorted(-n_sorted, -k, side="left"))   # nets with more than k loads
            act = order[:cnt]
            acc[act] += val[ptr[act + 1] - 1 - k]      # last connected first
        for m in big.tolist():
            acc[m] = np.cumsum(val[first[m]:ptr[m + 1]][::-1], dtype=np.float32)[-1]
        if wire is not None:
            acc = acc + (wire * 1e-12).astype(np.float32)
        out[:, rf] = acc.astype(np.float64) * 1e12
    return out


def _by_inst(g: TimingGraph, attr: str, insts: np.ndarray) -> np.ndarray:
    """Indices of the graph's arcs (``attr`` = "e_inst") or checks ("c_inst") that
    belong to ``insts`` (an instance-sorted index kept on the graph)."""
    key = "_idx_" + attr
    idx = g.__dict__.get(key)
    if idx is None:
        owner = getattr(g, attr)
        order = np.argsort(owner, kind="stable")
        ptr = np.searchsorted(owner[order], np.arange(len(g.build_inst_cell) + 1))
        g.__dict__[key] = idx = (order, ptr)
    order, ptr = idx
    return order[_expand(ptr[insts], ptr[insts + 1] - ptr[insts])]


def _expand(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenated ranges ``starts[i] .. starts[i] + counts[i] - 1``."""
    counts = np.asarray(counts, dtype=np.int64)
    tot = int(counts.sum())
    if tot == 0:
        return np.zeros(0, dtype=np.int64)
    offs = np.arange(tot) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(np.asarray(starts, dtype=np.int64), counts) + offs


def _lcm_period(a: float, b: float) -> float:
    """Least common multiple of two periods (ns), on a 1 fs grid."""
    ia, ib = int(round(a * 1e6)), int(round(b * 1e6))
    if ia <= 0 or ib <= 0:
        raise InputError("clock period must be positive")
    l = ia * ib // math.gcd(ia, ib)
    if l > 1000 * max(ia, ib):
        l = max(ia, ib)
    return l / 1e6
