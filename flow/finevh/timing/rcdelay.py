"""The RC delay calculator (OpenSTA's default ``dmp_ceff_elmore``) as an
:class:`~finevh.timing.dcalc.ArcDelayCalc`.

For an arc driving a net with SPEF parasitics: the net's pi model seen from the
driver (per output transition, with the load pins' capacitances) gives the effective
capacitance, gate delay and driver slew (:mod:`finevh.timing.dmp`); every load of
the net then gets a wire delay and a load slew from its Elmore delay through the
driver's waveform. Per load the worst (late search: largest) wire delay and slew
over the arcs into the driver are kept in :attr:`RcArcCalc.wire_delay` /
:attr:`RcArcCalc.load_slew` [T, 2]; the delay calculation adds them to the arcs
leaving the load pin. Arcs driving a net without parasitics use the lumped load.
Units at the interface: ns, pF.

Incremental passes: the driver solution of every edge is kept, so the wire values
of a driver are always the worst over all its arcs, however few were re-evaluated;
load pins whose wire values changed in a pass are flagged (:meth:`wire_changes`) so
that the search re-evaluates the arcs leaving them. The early (min) search takes the
late search's solution of an arc whose inputs (input slew, tables, pi model) are the
same instead of solving it again. Limits: the thresholds of the
driver's library are used at the loads (OpenSTA converts between the driver's and
the load's library thresholds when they differ).
"""

from __future__ import annotations

import numpy as np

from .dmp import DRIVER_FIELDS, FLOAT_FIELDS, Dmp, Driver
from .nldm import lookup_pair
from .rcnet import DesignRc, reduce_design


class RcArcCalc:
    """dmp_ceff_elmore arc delays on the parasitics of ``design``: the SPEF networks
    ``rc``, or any ``reduce(pin_caps) -> (pi, elmore)`` (e.g. a wire-load estimate)."""

    supports_incremental = True

    def __init__(self, design, rc: DesignRc | None, n_terms: int, reduce=None):
        self.design = design
        self.rc = rc
        self._reduce = reduce or (lambda caps: reduce_design(design, rc, caps))
        T = n_terms
        # [late, early] wire delay (ns) and load slew (ns, NaN: the driver's) per load pin
        self.wire_delay = np.zeros((2, T, 2))
        self.load_slew = np.full((2, T, 2), np.nan)
        self.changed = np.zeros((2, T, 2), dtype=bool)      # [late, early] per load pin
        self._store: list[dict | None] = [None, None]       # per-edge driver solutions
        self._reduce_scratch: list | None = None            # see _scratch
        self._reuse = False             # this pass is incremental (see new_pass)
        self.port_slew = {}             # input port terminal -> (rise, fall) slew, ns
        self.driven_ports: set[int] = set()     # ports with set_driving_cell (see port_drive)
        self._caps: np.ndarray | None = None
        #: per driving terminal: bumped whenever its pi model or a load's Elmore delay
        #: changes (either analysis); stored per-load wire values of older versions are stale
        self._net_version = np.zeros(T, dtype=np.int64)
        self.pi = np.full((T, 2, 3), np.nan)
        self.elmore = np.full((T, 2), np.nan)
        #: (caps, pi, elmore) reduced with min-analysis pin caps; None: min uses the above
        self._early: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        # thresholds per terminal (of its cell's library) per transition
        nl = design.netlist
        libs = {lib.name: lib for lib in design.libset.libraries}
        P = int(nl.pin_ptr[-1])
        inst_of = np.repeat(np.arange(nl.n_instances), np.diff(nl.pin_ptr))
        th = np.zeros((T, 2, 4))
        default = design.libset.libraries[0]
        per_cell = []
        for c in design.cells:
            lib = libs.get(getattr(c, "library", None), default)
            per_cell.append(_thresholds(lib))
        per_cell = np.array(per_cell) if per_cell else np.zeros((0, 2, 4))
        th[:P] = per_cell[np.asarray(design.inst_cell)[inst_of]] if P else th[:P]
        th[P:] = _thresholds(default)
        self.th = th
        th_in = th.copy()                       # input threshold for loads (vth column)
        lib_in = np.array([[[lib.input_threshold_pct_rise / 100], [lib.input_threshold_pct_fall / 100]]
                           for lib in [libs.get(getattr(c, "library", None), default) for c in design.cells]]) \
            if design.cells else np.zeros((0, 2, 1))
        if P:
            th_in[:P, :, 0] = lib_in[np.asarray(design.inst_cell)[inst_of], :, 0]
        th_in[P:, :, 0] = [default.input_threshold_pct_rise / 100, default.input_threshold_pct_fall / 100]
        self.th_in = th_in
        # net structure: loads of the net of each driving terminal
        ptr = design.net_term_ptr
        nd = np.asarray(design.net_n_drivers)
        self._ld_start = np.zeros(T, dtype=np.int64)
        self._ld_end = np.zeros(T, dtype=np.int64)
        for k in range(int(nd.max()) if len(nd) else 0):
            m = np.nonzero(nd > k)[0]
            t = design.net_terms[ptr[m] + k]
            self._ld_start[t] = ptr[m] + nd[m]
            self._ld_end[t] = ptr[m + 1]

    def wire_values(self, early: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(wire delay, load slew) [T, 2] of the late or early evaluation (copies)."""
        k = int(early)
        return self.wire_delay[k].copy(), self.load_slew[k].copy()

    def wire_views(self, early: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """The live (wire delay, load slew) [T, 2] arrays of the late or early evaluation
        (ns), not copies: the next :meth:`gate_delays` call changes them. For a caller
        that reads them before that call (:meth:`DelayCalc.eval_arcs`)."""
        k = int(early)
        return self.wire_delay[k], self.load_slew[k]

    def set_pin_caps(self, caps: np.ndarray | None, early: bool = False) -> None:
        """Pin capacitances [T, 2] (pF, port loads included) of the current binding, for
        max or (``early``) min analysis: reduce the networks again when they changed.
        ``early`` with None: min analysis uses the max networks."""
        if early:
            old = self._early
            if caps is None:
                self._early = None
            elif old is None or old[0].shape != caps.shape or not np.array_equal(old[0], caps):
                self._early = (caps.copy(),) + tuple(self._reduce(caps))
            if self._early is not old:
                was = (self.pi, self.elmore) if old is None else old[1:]
                self._bump_versions(was, self._pi_elmore(1))
                self._port_nets()
            return
        if self._caps is not None and self._caps.shape == caps.shape and np.array_equal(self._caps, caps):
            return
        self._caps = caps.copy()
        was = (self.pi, self.elmore)
        self.pi, self.elmore = self._reduce(caps)
        self._bump_versions(was, (self.pi, self.elmore))
        self._port_nets()

    def _bump_versions(self, old, new) -> None:
        """New :attr:`_net_version` for every driver whose pi model or any load's Elmore
        delay differs between the reductions ``old`` and ``new`` ((pi, elmore) each)."""
        def differ(a, b):
            return ~((a == b) | (np.isnan(a) & np.isnan(b)))

        if old[0].shape != new[0].shape:
            self._net_version += 1
            return
        drv = differ(old[0], new[0]).reshape(len(self._net_version), -1).any(axis=1)
        at_load = differ(old[1], new[1]).any(axis=1)[self.design.net_terms]
        cs = np.concatenate([[0], np.cumsum(at_load)])
        drv |= cs[self._ld_end] > cs[self._ld_start]
        self._net_version[drv] += 1

    def _pi_elmore(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(pi [T, 2, 3], Elmore [T, 2]) of the late (k 0) or early (k 1) evaluation."""
        return (self._early[1], self._early[2]) if k and self._early is not None else (self.pi, self.elmore)

    def _port_nets(self) -> None:
        """Loads of nets driven by an input port (no cell arc): a step-ramp through the
        Elmore delay, as OpenSTA's input-port wire delay: ``-T ln(1 - vth)`` and
        ``slew + T ln((1 - vl) / (1 - vh)) / derate`` with the load library's thresholds."""
        P = int(self.design.netlist.pin_ptr[-1])
        for t in range(P, self._ld_start.shape[0]):
            a, b = int(self._ld_start[t]), int(self._ld_end[t])
            if b <= a or t in self.driven_ports:
                continue
            ld = self.design.net_terms[a:b]
            s0 = np.asarray(self.port_slew.get(t, (0.0, 0.0)), dtype=np.float64)
            for k, rf in ((k, rf) for k in (0, 1) for rf in (0, 1)):
                el = self._pi_elmore(k)[1][ld, rf]
                has = ~np.isnan(el)
                if not has.any():
                    continue
                h = ld[has]
                th = self.th_in[h, rf]
                e = el[has]
                wd = -e * np.log(1.0 - th[:, 0])
                ws = s0[rf] + e * np.log((1.0 - th[:, 1]) / (1.0 - th[:, 2])) / th[:, 3]
                self.changed[k, h, rf] |= (self.wire_delay[k, h, rf] != wd) | (self.load_slew[k, h, rf] != ws)
                self.wire_delay[k, h, rf] = wd
                self.load_slew[k, h, rf] = ws

    def new_pass(self, incremental: bool = False) -> None:
        """Start of a timing pass: forget which load pins' wire values changed;
        ``incremental``: stored solutions of unchanged arcs are kept (a full pass solves
        every arc again)."""
        self.changed[:] = False
        self._reuse = incremental

    def wire_changes(self, early: bool = False) -> np.ndarray:
        """bool [T, 2]: load pins whose wire delay or load slew changed in this pass."""
        return self.changed[int(early)]

    def _stored(self, k: int, n_edges: int) -> dict:
        st = self._store[k]
        if st is None or len(st["has"]) != n_edges:
            # the float fields are the columns of one matrix, a row per edge (the
            # compiled kernels' layout)
            st = {"F": np.zeros((n_edges, len(FLOAT_FIELDS))), "alg": np.zeros(n_edges, dtype=np.int64),
                  "valid": np.zeros(n_edges, dtype=bool)}
            st.update(zip(FLOAT_FIELDS, st["F"].T))
            st["has"] = np.zeros(n_edges, dtype=bool)
            st["to"] = np.zeros(n_edges, dtype=np.int64)
            st["orf"] = np.zeros(n_edges, dtype=np.int64)
            # the inputs of each solution (input slew, table rows and their pack)
            st["sin"] = np.full(n_edges, np.nan)
            st["drow"] = np.full(n_edges, -1, dtype=np.int64)
            st["srow"] = np.full(n_edges, -1, dtype=np.int64)
            st["pack"] = None
            # per edge and load of its driver: wire delay and load slew (s) of the
            # stored solution, valid while the edge's "ver" is its driver's net version
            st["ver"] = np.full(n_edges, -1, dtype=np.int64)
            st["slot"] = None
            self._store[k] = st
        return st

    def port_drive(self, t: int, pack, d_rows, s_rows, in_slew, out_rf, delay, slew, early: bool = False):
        """Delay and slew (ns) of the ``set_driving_cell`` arcs of input port ``t`` into
        its net's pi model (``delay`` / ``slew``: their lumped values, kept without
        parasitics); the wire values of the net's loads follow from them."""
        if np.isnan(self._pi_elmore(int(early))[0][t, :, 0]).all():
            return delay, slew
        drv = np.full(len(d_rows), t, dtype=np.int64)
        return self.gate_delays(pack, d_rows, s_rows, in_slew, drv, out_rf, None, early=early,
                                lumped=(delay, slew))

    def gate_delays(self, pack, delay_rows, slew_rows, in_slew, drv, out_rf, load, early: bool = False,
                    edges=None, group=None, n_edges: int = 0, lumped=None, edge_to=None):
        """As :class:`~finevh.timing.dcalc.ArcDelayCalc`, plus the wire values of the
        loads. ``edges`` (graph edge ids of the arcs), ``group`` (edges -> every edge
        into the same drivers and transitions) and ``n_edges``: the driver solution of
        each edge is kept, and the wire values of a driver come from all its edges, so
        that re-evaluating only some of them (incremental passes) gives the same values."""
        k = int(early)
        pm = self._pi_elmore(k)[0][drv, out_rf]
        rcm = ~np.isnan(pm[:, 0])
        rc = np.nonzero(rcm)[0]
        if lumped is not None:
            delay, slew = (np.array(x, dtype=np.float64) for x in lumped)
        elif len(rc) == len(drv):               # every arc drives an RC network: no lumped look-up
            delay, slew = np.empty(len(drv)), np.empty(len(drv))
        elif not len(rc):
            delay, slew = lookup_pair(pack, delay_rows, slew_rows, in_slew, load[drv, out_rf])
        else:                                   # the lumped look-up only where there is no network
            lm = np.nonzero(~rcm)[0]
            delay, slew = np.empty(len(drv)), np.empty(len(drv))
            delay[lm], slew[lm] = lookup_pair(pack, delay_rows[lm], slew_rows[lm],
                                              np.asarray(in_slew, dtype=np.float64)[lm], load[drv[lm], out_rf[lm]])
        st = self._stored(k, n_edges) if edges is not None else None
        if st is not None:
            st["has"][edges[~rcm]] = False
        if not len(rc):
            return delay, slew
        d_rows, s_rows, sin = delay_rows[rc], slew_rows[rc], np.asarray(in_slew, dtype=np.float64)[rc]
        sin = sin.astype(np.float32).astype(np.float64)
        th = self.th[drv[rc], out_rf[rc]]
        c2, rpi, c1 = pm[rc, 0] * 1e-12, pm[rc, 1] * 1e3, pm[rc, 2] * 1e-12
        same = self._same_as_late(k, st, pack, edges, rc, sin, d_rows, s_rows, c2, rpi, c1)
        sel = np.nonzero(~same)[0] if same is not None else np.arange(len(rc))
        if st is not None and self._fused():
            return self._solve_stored(k, st, pack, edges, rc, sel, same, drv, out_rf, sin, d_rows, s_rows, c2, rpi,
                                      c1, th, delay, slew, group, edge_to, early)
        dr, sr, si = d_rows[sel], s_rows[sel], sin[sel]
        res = solve_drivers(pack, dr, sr, si, c2[sel], rpi[sel], c1[sel], th[sel])
        if same is not None:                    # the early search reuses equal late solutions
            late = self._store[0]
            e_same = edges[rc][same]
            res = Driver(*(_merge(late[f][e_same], getattr(res, f), same) for f in DRIVER_FIELDS))
        delay[rc] = res.delay * 1e9
        slew[rc] = res.slew * 1e9
        if st is None:                          # the wire values from this call's arcs
            fi, arc = self._flat_loads(drv[rc], out_rf[rc])
            wd, ws = self._load_values(k, res, fi, arc)
        else:                                   # from every stored edge of the drivers touched
            e = edges[rc]
            for f in DRIVER_FIELDS:
                st[f][e] = getattr(res, f)
            st["has"][e], st["to"][e], st["orf"][e] = True, drv[rc], out_rf[rc]
            st["sin"][e], st["drow"][e], st["srow"][e], st["pack"] = sin, d_rows, s_rows, pack
            fi, wd, ws = self._group_values(k, st, e, res, group(e), edge_to)
        self._reduce_loads(k, fi, wd, ws, early)
        return delay, slew

    @staticmethod
    def _fused() -> bool:
        """Whether the compiled kernels solve into the store and reduce the loads."""
        from . import dmp_jit

        return dmp_jit.available()

    def _solve_stored(self, k, st, pack, edges, rc, sel, same, drv, out_rf, sin, d_rows, s_rows, c2, rpi, c1, th,
                      delay, slew, group, edge_to, early):
        """The compiled form of the stored-edge path of :meth:`gate_delays`: the arcs
        solved straight into the store's rows (equal late solutions copied), then
        :meth:`_group_values` and :meth:`_reduce_loads` in one kernel, with the same
        values bit for bit. In an incremental pass an arc whose inputs (input slew,
        table rows, pi model, thresholds) equal its stored solution's is not solved
        again: the solution is a function of them."""
        from . import dmp_jit

        e = edges[rc]
        F = st["F"]
        if self._reuse and st["pack"] is pack:
            # incremental pass: an arc whose inputs are those of its stored solution
            # keeps it (and the wire values of its loads while its network is unchanged)
            es = e[sel]
            kept = (st["has"][es] & (st["sin"][es] == sin[sel]) & (st["drow"][es] == d_rows[sel])
                    & (st["srow"][es] == s_rows[sel]) & (st["c2"][es] == c2[sel]) & (st["rpi"][es] == rpi[sel])
                    & (st["c1"][es] == c1[sel]) & (st["vth"][es] == th[sel, 0]) & (st["vl"][es] == th[sel, 1])
                    & (st["vh"][es] == th[sel, 2]) & (st["derate"][es] == th[sel, 3]))
            sel = sel[~kept]
        es = e[sel]
        if len(sel) == len(rc):                 # every arc (sel is 0..n-1): no gathered copies
            args = (d_rows, s_rows, sin, c2, rpi, c1)
        else:
            args = (d_rows[sel], s_rows[sel], sin[sel], c2[sel], rpi[sel], c1[sel])
        ths = th[sel] if len(sel) != len(rc) else th
        dmp_jit.solve_into(pack, *args, ths[:, 0], ths[:, 1], ths[:, 2], ths[:, 3], es, st["alg"], st["valid"], F)
        st["ver"][es] = -1
        if same is not None:                    # the early search reuses equal late solutions
            late = self._store[0]
            e_same = e[same]
            F[e_same] = late["F"][e_same]
            st["alg"][e_same], st["valid"][e_same] = late["alg"][e_same], late["valid"][e_same]
            st["ver"][e_same] = -1
        delay[rc] = st["delay"][e] * 1e9
        slew[rc] = st["slew"][e] * 1e9
        st["has"][e], st["to"][e], st["orf"][e] = True, drv[rc], out_rf[rc]
        st["sin"][e], st["drow"][e], st["srow"][e], st["pack"] = sin, d_rows, s_rows, pack
        self._slots(st, edge_to)
        dmp_jit.group_loads(np.ascontiguousarray(group(e), dtype=np.int64), st["has"], st["ver"], self._net_version,
                            st["to"], st["orf"], st["slot"], self._ld_start, self._ld_end,
                            np.ascontiguousarray(self.design.net_terms, dtype=np.int64),
                            np.ascontiguousarray(self._pi_elmore(k)[1], dtype=np.float64).reshape(-1),
                            st["valid"], st["alg"], F, st["wd"], st["ws"], self.wire_delay[k].reshape(-1),
                            self.load_slew[k].reshape(-1), self.changed[k].reshape(-1), bool(early),
                            *self._scratch())
        return delay, slew

    def _scratch(self) -> tuple[np.ndarray, np.ndarray, int]:
        """(seen, old, call) for :func:`~finevh.timing.dmp_kernels.group_loads`: per
        flat load index the last call that met it and its values before that call;
        a new call number each time."""
        n = self.wire_delay[0].size
        if self._reduce_scratch is None or len(self._reduce_scratch[0]) != n:
            self._reduce_scratch = [np.zeros(n, dtype=np.int64), np.empty((n, 2)), 0]
        sc = self._reduce_scratch
        sc[2] += 1
        return sc[0], sc[1], sc[2]

    def _slots(self, st: dict, edge_to) -> None:
        """Slots (first time): the loads of each edge's driver, edge by edge."""
        if st["slot"] is None:
            cnt = self._ld_end[edge_to] - self._ld_start[edge_to]
            st["slot"] = np.concatenate([[0], np.cumsum(cnt)])
            n = int(st["slot"][-1])
            st["wd"], st["ws"] = np.empty(n), np.empty(n)

    def _group_values(self, k: int, st: dict, e: np.ndarray, res: Driver, e_all: np.ndarray, edge_to):
        """Load values (flat load index, wire delay, load slew; ns) of every stored edge
        of ``e_all`` (the edges into the drivers of ``e``): computed for the edges ``e``
        just solved (stored before this call) and for stored ones whose network changed
        since, read back for the rest. Each value is the one a full pass computes from
        the same solution."""
        self._slots(st, edge_to)
        ver = self._net_version
        st["ver"][e] = -1
        e_all = e_all[st["has"][e_all]]
        to = st["to"][e_all]
        pos, fi, arc = self._edge_loads(st, e_all, to)
        need = st["ver"][e_all] != ver[to]          # e, and stored edges of changed networks
        wd, ws = st["wd"].take(pos), st["ws"].take(pos)
        if need.any():
            sub = e_all[need]
            m = need[arc]
            # usually just the edges solved now, in the same order: their solutions are ``res``
            src = res if np.array_equal(sub, e) else Driver(*(st[f][sub] for f in DRIVER_FIELDS))
            arc_m = (np.cumsum(need) - 1)[arc[m]]
            wd[m], ws[m] = self._load_values(k, src, fi[m], arc_m)
            st["wd"][pos[m]], st["ws"][pos[m]] = wd[m], ws[m]
            st["ver"][sub] = ver[to[need]]
        return fi, wd, ws

    def _edge_loads(self, st: dict, ee: np.ndarray, to: np.ndarray):
        """(slot, flat (load pin, transition) index into [T, 2] arrays, position in ``ee``)
        of every load of the edges ``ee`` (drivers ``to``)."""
        fi, arc, j = self._flat_loads(to, st["orf"][ee], with_terms=True)
        return j + (st["slot"][ee] - self._ld_start[to])[arc], fi, arc

    def _flat_loads(self, d_t: np.ndarray, orf_a: np.ndarray, with_terms: bool = False):
        """(flat (load pin, transition) indices into [T, 2] arrays, arc of each) of every
        load of the drivers ``d_t`` per output transition ``orf_a``; ``with_terms``: also
        each load's position in ``design.net_terms``."""
        cnt = self._ld_end[d_t] - self._ld_start[d_t]
        arc = np.repeat(np.arange(len(d_t)), cnt)
        j = np.repeat(self._ld_start[d_t] - np.concatenate([[0], np.cumsum(cnt)[:-1]]), cnt) + np.arange(len(arc))
        fi = self.design.net_terms[j] * 2 + orf_a[arc]
        return (fi, arc, j) if with_terms else (fi, arc)

    def _same_as_late(self, k, st, pack, edges, rc, sin, d_rows, s_rows, c2, rpi, c1):
        """bool per RC arc of an early evaluation: the late search solved the same edge
        from the same inputs (input slew, tables, pi model; thresholds are per edge),
        so its driver solution is this one. None when there is nothing to reuse."""
        late = self._store[0]
        if k != 1 or st is None or late is None or late["pack"] is not pack or len(late["has"]) != len(st["has"]):
            return None
        e = edges[rc]
        same = (late["has"][e] & (late["sin"][e] == sin) & (late["drow"][e] == d_rows) & (late["srow"][e] == s_rows)
                & (late["c2"][e] == c2) & (late["rpi"][e] == rpi) & (late["c1"][e] == c1))
        return same if same.any() else None

    def _load_values(self, k: int, src: Driver, fi: np.ndarray, arc: np.ndarray):
        """(wire delay ns, load slew ns) at the loads ``fi`` (flat (load pin, transition)
        indices) driven by the solutions ``src[arc]``."""
        el = self._pi_elmore(k)[1].reshape(-1).take(fi)
        has = ~np.isnan(el)
        wd = np.zeros(len(arc))
        ws = src.slew[arc]
        if has.any():
            wd[has], ws[has] = load_wires(src, arc[has], el[has] * 1e-9)
        return wd * 1e9, ws * 1e9

    def _reduce_loads(self, k: int, fi: np.ndarray, wd: np.ndarray, ws: np.ndarray, early: bool) -> None:
        """Wire delay and load slew of the loads ``fi``: the worst of the values given
        for each (every solution into its driver); flags changes."""
        if not len(fi):
            return
        red, init = (np.minimum, np.inf) if early else (np.maximum, -np.inf)
        wdk, lsk = self.wire_delay[k].reshape(-1), self.load_slew[k].reshape(-1)     # views
        old_d, old_s = wdk.take(fi), lsk.take(fi)
        wdk[fi] = init
        lsk[fi] = init
        red.at(wdk, fi, wd)
        red.at(lsk, fi, ws)
        chg = self.changed[k].reshape(-1)
        chg[fi] |= (wdk.take(fi) != old_d) | (lsk.take(fi) != old_s)


def solve_drivers(pack, d_rows, s_rows, sin, c2, rpi, c1, th) -> Driver:
    """DMP driver solutions (SI units) of arcs with tables ``d_rows``/``s_rows`` of
    ``pack``, input slew ``sin`` (ns), pi models (F, ohm, F) and thresholds ``th``
    [n, 4] (vth, vl, vh, slew derate): compiled (:mod:`.dmp_jit`) when numba is
    available, else the numpy solver (:class:`~finevh.timing.dmp.Dmp`)."""
    from . import dmp_jit

    vth, vl, vh, der = (np.ascontiguousarray(th[:, j]) for j in range(4))
    if dmp_jit.available():
        return Driver(**dmp_jit.solve(pack, d_rows, s_rows, sin, c2, rpi, c1, vth, vl, vh, der))

    def gate(idx, ceff):
        d, s = lookup_pair(pack, d_rows[idx], s_rows[idx], sin[idx], ceff * 1e12)
        return d * 1e-9, s * 1e-9

    return Dmp(gate, c2, rpi, c1, vth, vl, vh, der).solve()


def load_wires(drv: Driver, arc: np.ndarray, elmore: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(wire delay, load slew) in s at loads of Elmore delay ``elmore`` (s) driven by the
    solved arcs ``arc`` of ``drv`` (compiled when numba is available)."""
    from . import dmp_jit

    if dmp_jit.available():
        return dmp_jit.loads(drv, arc, elmore)
    return Dmp.of_driver(drv).loads(drv, arc, elmore)


def _merge(reused: np.ndarray, solved: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """One array from ``reused`` where ``mask`` and ``solved`` elsewhere (in order)."""
    out = np.empty(len(mask), dtype=np.result_type(reused, solved))
    out[mask] = reused
    out[~mask] = solved
    return out


def _thresholds(lib) -> np.ndarray:
    """[2, 4] (vth, vl, vh, slew derate) per output transition (rise, fall)."""
    return np.array([[lib.output_threshold_pct_rise / 100, lib.slew_lower_threshold_pct_rise / 100,
                      lib.slew_upper_threshold_pct_rise / 100, lib.slew_derate_from_library],
                     [lib.output_threshold_pct_fall / 100, lib.slew_lower_threshold_pct_fall / 100,
                      lib.slew_upper_threshold_pct_fall / 100, lib.slew_derate_from_library]])


def use_spef(timer, spef) -> RcArcCalc:
    """Time ``timer`` with the RC networks of ``spef`` (a :class:`~finevh.timing.spef.Spef`):
    nets with parasitics through :class:`RcArcCalc`, their totals as wire capacitance
    for the lumped fallback (pF). SPEF nets absent from the design are counted in a
    warning."""
    from .. import progress
    from .rcnet import bind

    rc = bind(timer.design, spef.flat)
    if rc.unknown:
        progress.warn(f"{rc.unknown} SPEF net(s) not in the design; ignored", spef.path)
    w = np.zeros(timer.design.netlist.n_nets)
    on = rc.net >= 0
    w[rc.net[on]] = spef.flat.totals()[on]
    timer.wire_cap = w
    return _attach(timer, RcArcCalc(timer.design, rc, timer.graph.n_terms))


def use_wire_load(timer, wl) -> RcArcCalc:
    """Time ``timer`` with a Liberty wire-load model as OpenSTA 3.x does under
    ``set_wire_load_model``: per driver the pi model and Elmore delays of a balanced
    tree (:func:`finevh.timing.wire.estimate_pi_elmore`), through the same delay
    calculation as SPEF parasitics."""
    from .wire import estimate_pi_elmore

    design = timer.design                  # timer.wire_cap keeps the model's lumped C (power, fallback)
    calc = RcArcCalc(design, None, timer.graph.n_terms, reduce=lambda caps: estimate_pi_elmore(design, wl, caps))
    return _attach(timer, calc)


def _attach(timer, calc: RcArcCalc) -> RcArcCalc:
    tc = timer.constraints
    calc.port_slew = {t: tuple(v) for t, v in tc.input_transition.items() if t not in tc.driving_cell}
    calc.driven_ports = set(tc.driving_cell)
    timer.dcalc.arc_calc = calc
    return calc
