"""Arrival and required-time search over the timing graph.

**Arrivals**, level by level (:meth:`Search.propagate`): for the edges of a level,
delay and output slew come from :mod:`finevh.timing.dcalc`; each node keeps, per
transition, the worst (largest) slew over all its edges (OpenSTA's worst-slew
propagation) and, per launch *tag* (clock, source edge), the latest arrival. Sources:
clock pins (ideal edge times, :mod:`finevh.timing.clocks`), input ports
(``set_input_delay`` plus a driving cell's delay) and latch D->Q edges
(:mod:`finevh.timing.latches`). Slews are delay-calc (vertex) slews everywhere, clock
networks included; only the launch arcs of register clock and latch enable pins take
the clock's slew as input slew: the ideal slew (``set_clock_transition``) on an ideal
clock, the network's on a propagated one (OpenSTA's ``edgeFromSlew``). The search keeps
that from-slew at the clock load pins; the slews it returns give them their driver's. After a first full pass, the incremental pass
recomputes only the edges whose table, load or input slew changed and re-reduces only
the pins whose edges or source arrivals changed; the result is the same.

**Required times** (:func:`required_times`) go backwards from the checks' required
times (:class:`~finevh.timing.result.RequiredSeeds`); :func:`pin_slacks` combines
both. Times ns, capacitances pF.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import progress
from .arcs import FALL, KIND_LAUNCH, RISE
from .clocks import (ClockLatency, ClockNetwork, clock_path, divergent, edge_times, port_latency,
                     propagate_latency)
from .constraints import TimingConstraints, blocked_drivers
from .dcalc import ArcTables, DelayCalc
from .exceptions import KILL, MAX, MIN, ExceptionStates, edge_events
from .graph import TimingGraph, expand, flat_index
from .latches import Latches
from .result import TimingResult

NEG = -np.inf
#: most leaves (clock nets) below reconvergent clock logic that get their own launch
#: tags for clock reconvergence pessimism removal
MAX_CRPR_LEAVES = 64
#: more launch tags than this (exception state sets multiply them) are reported with
#: the memory their arrivals take
MAX_QUIET_TAGS = 64


class Arrivals(NamedTuple):
    """One arrival pass (arrays read-only: kept for the next incremental pass)."""

    arrival: np.ndarray            # [tags, T, 2] ns, -inf where nothing arrives
    #: delay-calc (vertex) slews [T, 2] ns at driving terminals (from their arcs, or
    #: port constraints) and at clock load pins (their driver's: no wire RC); other load
    #: pins 0 (read their driver's). Launch arcs of ideal clock pins take the ideal
    #: slew instead (``clock``)
    slew: np.ndarray
    edge_delay: np.ndarray         # [E] ns
    edge_slew: np.ndarray          # [E] ns
    tags: list[tuple[int, int]]    # (clock index, source edge rf)
    clock: ClockLatency            # clock latencies and slews of the pass
    tag_leaf: list[int]            # per tag: CRPR leaf (launching clock net driver), -1 none
    #: per tag: its exception state set (index into ``states.sets``; 0 = none)
    tag_x: list[int] | None = None
    states: ExceptionStates | None = None
    #: per tag: arrivals relative to the launching clock's arrival (twins of the other
    #: tags, for ``set_max_delay/set_min_delay -ignore_clock_latency``), None without
    tag_nolat: list[bool] | None = None


class Search:
    """Arrival propagation on one graph; keeps the last pass for incremental ones."""

    def __init__(self, g: TimingGraph, constraints: TimingConstraints, clocks: ClockNetwork, dcalc: DelayCalc,
                 latches: Latches, early: bool = False):
        self.graph = g
        #: early (min) search for hold: earliest arrivals, smallest slews, min input delays
        self.early = early
        self.none = np.inf if early else NEG              # "nothing arrives"
        self.red = np.minimum if early else np.maximum    # merge of arrivals and slews
        self.constraints = constraints
        self.clocks = clocks
        self.dcalc = dcalc
        self.latches = latches
        self._state: dict | None = None
        self._lat: tuple[tuple, ClockLatency] | None = None
        self._ck: tuple | None = None     # clock pins and their values for one ClockLatency
        self._st: tuple | None = None     # clock terminals that are also edge targets
        self._has_src = (g.e_src >= 0) & ~np.isin(g.e_src, blocked_drivers(g, constraints))
        if g.e_slew_only is not None:
            self._has_src &= ~g.e_slew_only
        # clock load pins (register clock / latch enable pins): the search keeps there
        # the from-slew of their launch arcs, the result their driver's slew; as flat
        # [T * 2] indices (pin, driver; unconnected pins: slew 0)
        ck_lp = np.nonzero((clocks.clock_of_term >= 0) & (g.src_of_term != np.arange(g.n_terms)))[0]
        self._ck_lp = ck_lp
        drv = g.src_of_term[ck_lp]
        flat = (ck_lp[:, None] * 2 + np.arange(2)).ravel()
        con = np.repeat(drv >= 0, 2)
        self._ck_flat, self._ck_flat0 = flat[con], flat[~con]
        self._ck_flat_drv = (np.maximum(drv, 0)[:, None] * 2 + np.arange(2)).ravel()[con]
        self._src_c = np.maximum(g.e_src, 0)
        lp = g.level_ptr.tolist()
        #: (level, first edge, end edge) of every level with edges
        self._levels = [(L, a, b) for L, (a, b) in enumerate(zip(lp[:-1], lp[1:])) if a != b]
        # path exceptions: state sets carried by the tags (None without exceptions)
        mm = MIN if early else MAX
        self.states = ExceptionStates(constraints.exceptions, mm, g.n_terms) if constraints.exceptions else None
        self._ev_id = None
        self._events: list = []
        if self.states is not None and self.states.active:
            self._ev_id, self._events = edge_events(self.states, g.e_from, g.e_in_rf, g.e_to, g.e_out_rf,
                                                    g.e_kind == KIND_LAUNCH)
        #: inputs without input delay start unclocked paths (arrival 0) when a path delay applies
        self._unclocked = self.states is not None and any(
            e.kind in ("max_delay", "min_delay") and e.min_max[mm] for e in constraints.exceptions)
        #: -ignore_clock_latency path delays: every tag gets a twin whose launches start at
        #: the clock edge minus nothing of the launching clock's arrival (OpenSTA measures
        #: these paths from the launching register's clock pin)
        self._nolat = self.states is not None and any(
            e.kind in ("max_delay", "min_delay") and e.min_max[mm] and e.ignore_clock_latency
            for e in constraints.exceptions)
        self._tmaps: np.ndarray | None = None
        #: (late, early) [T, 2] slews of data arcs into propagated clock terminals (clock
        #: gates), set by the timer between passes; None: none
        self.clock_slew_floor: tuple[np.ndarray, np.ndarray] | None = None
        self._warned_tags = False
        self._ck_x = None
        self._derate = derate_factors(g, constraints, early)

    def forget(self) -> None:
        """Drop the last pass and the clock latencies kept for the next one (the next
        :meth:`propagate` is a full pass, same result)."""
        self._state = None
        self._lat = None
        self._ck = None

    def _sources(self, tables: ArcTables, load: np.ndarray, clock_loads: tuple[np.ndarray, np.ndarray]):
        """Launch tags (and the CRPR leaf of each, -1 for none), clock latencies, and
        arrival / slew arrays holding only the source values: clock pins (edge time +
        clock latency, clock slew) and input ports (input delay + driving cell; the min
        delays in an early search). ``clock_loads``: (late, early) loads of the clock
        network's late and early latencies."""
        g = self.graph
        tc = self.constraints
        T = g.n_terms
        early = self.early
        clock_of_term, clock_inv = self.clocks.clock_of_term, self.clocks.clock_inv
        slew = np.zeros((T, 2))
        # input ports (their slews also feed propagated clocks at clock ports)
        for t, tr in tc.input_transition.items():
            slew[t] = tr
        drive_delay = {}
        for t, dc in tc.driving_cell.items():
            dd, ds = self.dcalc.driving_cell(dc, load[t])
            drive_delay[t] = dd
            slew[t] = ds
        # ideal clocks only: the latencies do not depend on the binding (kept per clock setting)
        key = tuple((c.propagated, c.transition, c.latency, c.source_latency) for c in tc.clocks)
        shared = self.clocks.ideal_latency
        if self._lat is not None and self._lat[0] == key and not any(c.propagated for c in tc.clocks):
            lat = self._lat[1]
        elif shared is not None and shared[0] == key and not any(c.propagated for c in tc.clocks):
            lat = shared[1]
            self._lat = (key, lat)
        else:
            lat = propagate_latency(g, tc, self.clocks, self.dcalc, tables, clock_loads[0], slew, clock_loads[1],
                                    self.clock_slew_floor)
            self._lat = (key, lat)
            if not any(c.propagated for c in tc.clocks):
                self.clocks.ideal_latency = (key, lat)
        cc = self._ck
        if cc is None or cc[0] is not lat:
            ck = np.nonzero(clock_of_term >= 0)[0]
            cs = lat.slew_early if early else lat.slew_late
            per_rf = [(np.nan_to_num(cs[ck, rf]), lat.at(ck, np.full(len(ck), rf), early)) for rf in (RISE, FALL)]
            # clock slews go to the clock load pins only (read as the from-slew of their
            # launch arcs); drivers and ports of the clock network keep delay-calc slews
            ck_ld = np.isin(ck, self._ck_lp)
            launch = np.nonzero(g.e_kind == KIND_LAUNCH)[0]
            lk = clock_of_term[g.e_from[launch]]
            lsrf = g.e_in_rf[launch] ^ clock_inv[g.e_from[launch]]
            base = sorted({(k, rf) for k, rf in zip(lk.tolist(), lsrf.tolist()) if k >= 0})
            ck_leaf, split = self._crpr_leaves(lat, ck, g.e_from[launch])
            self._ck = cc = (lat, ck, clock_of_term[ck], clock_inv[ck], per_rf, base, ck_leaf, split, ck_ld)
        _, ck, kk, inv, per_rf, base, ck_leaf, split, ck_ld = cc
        tag_of: dict[tuple, int] = {}
        tags: list[tuple[int, int]] = []
        tag_leaf: list[int] = []
        tag_x: list[int] = []

        def tag(k: int, rf: int, leaf: int = -1, x: int = 0) -> int:
            key = ((k, rf) if leaf < 0 else (k, rf, leaf)) if x == 0 else (k, rf, leaf, x)
            if key not in tag_of:
                tag_of[key] = len(tags)
                tags.append((k, rf))
                tag_leaf.append(leaf)
                tag_x.append(x)
            return tag_of[key]

        for k, rf in base:
            tag(k, rf)
        for pd in tc.input_delays:          # the same tags in both searches
            if pd.clock is not None:
                tag(pd.clock, FALL if pd.clock_fall else RISE)
        for k, rf, leaf in split:           # CRPR: launches below a reconvergent clock, per leaf
            tag(k, rf, leaf)
        in_delays = tc.input_delays_min if early else tc.input_delays
        unclk = self._unclocked_inputs(in_delays)
        ck_x, pd_x, un_x = self._start_states(ck, kk, inv, in_delays, unclk)
        if self.states is not None:
            self._state_tags(tag, tag_x, tags, tag_leaf, ck, kk, inv, ck_leaf, ck_x, in_delays, pd_x, un_x)
        n0 = len(tags)
        twin = {}
        if self._nolat:
            for ti in range(n0):
                twin[ti] = len(tags)
                tags.append(tags[ti])
                tag_leaf.append(tag_leaf[ti])
                tag_x.append(tag_x[ti])
        tag_nolat = [False] * n0 + [True] * len(twin) if twin else None
        nt = max(len(tags), 1)
        if nt > MAX_QUIET_TAGS and not self._warned_tags:
            self._warned_tags = True
            progress.warn(f"{nt} launch tags (path exception states): arrivals take "
                          f"{nt * T * 16 / 1e6:.0f} MB per search")
        arr = np.full((nt, T, 2), self.none)
        if len(ck) and tc.clocks:
            etime = edge_times(tc.clocks)
            for rf in (RISE, FALL):
                src_rf = rf ^ inv
                ck_slew, cl = per_rf[rf]
                slew[ck[ck_ld], rf] = ck_slew[ck_ld]
                for key, ti in tag_of.items():
                    k, srf = key[0], key[1]
                    if k < 0:
                        continue
                    m = (kk == k) & (src_rf == srf) & (ck_leaf == (key[2] if len(key) >= 3 else -1))
                    if ck_x is not None:
                        m &= ck_x[:, rf] == (key[3] if len(key) == 4 else 0)
                    arr[ti, ck[m], rf] = etime[k, srf] + cl[m]
                    if twin:       # minus the launching clock's arrival (ideal: its network latency)
                        c = tc.clocks[k]
                        arr[twin[ti], ck[m], rf] = etime[k, srf] + (0.0 if c.propagated else cl[m] - c.latency)
        pick = min if early else max
        for n, pd in enumerate(in_delays):
            crf = FALL if pd.clock_fall else RISE
            if pd.clock is None or (pd.clock, crf) not in tag_of:
                continue
            clk = tc.clocks[pd.clock]
            t0 = clk.edge_time(crf) + port_latency(clk)
            dd = drive_delay.get(pd.terminal, (0.0, 0.0))
            for rf, v in ((RISE, pd.rise), (FALL, pd.fall)):
                x = pd_x[n][rf] if pd_x is not None else 0
                if np.isfinite(v) and x != KILL:
                    ti = tag_of[(pd.clock, crf) if x == 0 else (pd.clock, crf, -1, x)]
                    arr[ti, pd.terminal, rf] = pick(arr[ti, pd.terminal, rf], t0 + v + dd[rf])
                    if twin:
                        a2 = t0 + v + dd[rf] - (0.0 if clk.propagated else clk.latency)
                        arr[twin[ti], pd.terminal, rf] = pick(arr[twin[ti], pd.terminal, rf], a2)
        for t, xr in zip(unclk, un_x):
            dd = drive_delay.get(t, (0.0, 0.0))
            for rf in (RISE, FALL):
                if xr[rf] != KILL:
                    ti = tag_of[(-1, RISE) if xr[rf] == 0 else (-1, RISE, -1, xr[rf])]
                    arr[ti, t, rf] = dd[rf]
                    if twin:
                        arr[twin[ti], t, rf] = dd[rf]
        if self.states is not None and self._events:
            self._tmaps = self._transfer_maps(tags[:n0], tag_leaf[:n0], tag_x[:n0], tag_of)
            if twin:
                tw = np.array([twin[i] for i in range(n0)], dtype=np.int64)
                m = self._tmaps
                self._tmaps = np.concatenate([m, np.where(m >= 0, tw[np.maximum(m, 0)], -1)], axis=1)
        return tags, tag_of, arr, slew, lat, tag_leaf, tag_x, tag_nolat

    def _unclocked_inputs(self, in_delays) -> list[int]:
        """Input ports without an input delay (of this side) and not clock sources: they
        start unclocked paths (arrival 0, OpenSTA) when a path delay exception exists."""
        if not self._unclocked:
            return []
        g = self.graph
        has = {pd.terminal for pd in in_delays}
        return [t for t in range(g.n_pins, g.n_terms)
                if g.src_of_term[t] == t and t not in has and self.clocks.clock_of_term[t] < 0]

    def _start_states(self, ck, kk, inv, in_delays, unclk):
        """Exception state sets at the startpoints: [len(ck), 2] for clock pins (pin
        transition), per input delay [rise, fall], per unclocked input [rise, fall]; Nones
        without tracked exceptions."""
        st = self.states
        if st is None or not st.active:
            return None, None, [(0, 0)] * len(unclk)
        if self._ck_x is None or len(self._ck_x) != len(ck):
            ck_x = np.zeros((len(ck), 2), dtype=np.int64)
            for i, (t, k, iv) in enumerate(zip(ck.tolist(), kk.tolist(), inv.tolist())):
                for rf in (RISE, FALL):
                    ck_x[i, rf] = st.start(t, k, rf, rf ^ iv)
            self._ck_x = ck_x
        pd_x = [[st.start(pd.terminal, -1 if pd.clock is None else pd.clock, rf,
                          FALL if pd.clock_fall else RISE) for rf in (RISE, FALL)] for pd in in_delays]
        un_x = [[st.start(t, -1, rf, rf) for rf in (RISE, FALL)] for t in unclk]
        return self._ck_x, pd_x, un_x

    def _state_tags(self, tag, tag_x, tags, tag_leaf, ck, kk, inv, ck_leaf, ck_x, in_delays, pd_x, un_x):
        """Create the tags (launch tag x state set) the sources seed and the edges reach."""
        st = self.states
        seeds: dict[tuple[int, int, int], set[int]] = {}
        for ti in range(len(tags)):
            seeds.setdefault((tags[ti][0], tags[ti][1], tag_leaf[ti]), set())
        if ck_x is not None and len(ck):
            for rf in (RISE, FALL):
                for (k, srf, lf, x) in set(zip(kk.tolist(), (rf ^ inv).tolist(), ck_leaf.tolist(),
                                               ck_x[:, rf].tolist())):
                    if x != KILL and (k, srf, lf) in seeds:
                        seeds[(k, srf, lf)].add(x)
        for n, pd in enumerate(in_delays):
            if pd.clock is not None and pd_x is not None:
                key = (pd.clock, FALL if pd.clock_fall else RISE, -1)
                seeds.setdefault(key, set()).update(x for x in pd_x[n] if x != KILL)
        if un_x:
            seeds.setdefault((-1, RISE, -1), set()).update(x for xr in un_x for x in xr if x != KILL)
        for (k, srf, lf), xs in seeds.items():
            for x in sorted(st.closure(xs | ({0} if (k >= 0) else set()), self._events)):
                tag(k, srf, lf, x)

    def _transfer_maps(self, tags, tag_leaf, tag_x, tag_of) -> np.ndarray:
        """[events, tags] the tag a path moves to on each edge event (-1: false from there)."""
        st = self.states
        out = np.full((len(self._events), len(tags)), -1, dtype=np.int64)
        for v, ev in enumerate(self._events):
            for ti, ((k, srf), lf, x) in enumerate(zip(tags, tag_leaf, tag_x)):
                y = st.edge(x, ev)
                if y == KILL:
                    continue
                key = ((k, srf) if lf < 0 else (k, srf, lf)) if y == 0 else (k, srf, lf, y)
                out[v, ti] = tag_of.get(key, -1)
        return out

    def tag_moves(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(event id per edge, [events, tags] target tag) of the last pass, None without
        exception tag moves (see :class:`~finevh.timing.result.TimingResult`)."""
        if self._ev_id is None or self._tmaps is None:
            return None
        return self._ev_id, self._tmaps

    def _transfer(self, at: np.ndarray, eidx) -> None:
        """Move, in ``at`` [tags, len(eidx)], the arrivals of edges with exception events
        to the tags of their new state sets."""
        ev = self._ev_id[eidx]
        cols = np.nonzero(ev >= 0)[0]
        if not len(cols):
            return
        red, none = self.red, self.none
        sub = at[:, cols]
        new = np.full_like(sub, none)
        evc = ev[cols]
        for v in np.unique(evc).tolist():
            c = np.nonzero(evc == v)[0]
            for ti, t2 in enumerate(self._tmaps[v].tolist()):
                if t2 >= 0:
                    new[t2, c] = red(new[t2, c], sub[ti, c])
        at[:, cols] = new

    def _crpr_leaves(self, lat: ClockLatency, ck: np.ndarray, launch_pins: np.ndarray):
        """CRPR tag split: per clock-network terminal ``ck`` the leaf (driver of a
        launching clock pin's net) whose launches get their own tags, -1 for none; and
        the (clock, source edge, leaf) tags. A leaf is split when its late or early
        clock path crosses a pin where late and early latency differ (reconvergent
        clock); on clock trees nothing is split. More than ``MAX_CRPR_LEAVES`` such
        leaves: no split (no CRPR), with a warning."""
        g = self.graph
        ck_leaf = np.full(len(ck), -1, dtype=np.int64)
        div = divergent(lat)
        if div is None or not len(launch_pins):
            return ck_leaf, []
        k_of, inv = self.clocks.clock_of_term, self.clocks.clock_inv
        pins = np.unique(launch_pins)
        pins = pins[k_of[pins] >= 0]
        leaf = np.where(g.src_of_term[pins] >= 0, g.src_of_term[pins], pins)
        chosen = []
        for lf in np.unique(leaf).tolist():
            if any(div[t] for e in (False, True) for rf in (RISE, FALL) for t, _ in clock_path(lat, lf, rf, e)):
                chosen.append(lf)
        if len(chosen) > MAX_CRPR_LEAVES:
            if not self.early:
                progress.warn(f"{len(chosen)} clock pins below reconvergent clock logic: clock reconvergence "
                              f"pessimism not removed (limit {MAX_CRPR_LEAVES})")
            return ck_leaf, []
        chosen_set = set(chosen)
        leaf_of_pin = {int(p): int(lf) for p, lf in zip(pins.tolist(), leaf.tolist()) if lf in chosen_set}
        pos = {int(t): i for i, t in enumerate(ck.tolist())}
        split = set()
        sel = np.isin(g.e_from, np.array(sorted(leaf_of_pin), dtype=np.int64)) & (g.e_kind == KIND_LAUNCH)
        for p, irf in zip(g.e_from[sel].tolist(), g.e_in_rf[sel].tolist()):
            lf = leaf_of_pin[p]
            ck_leaf[pos[p]] = lf
            split.add((int(k_of[p]), irf ^ int(inv[p]), lf))
        return ck_leaf, sorted(split)

    def propagate(self, tables: ArcTables, load: np.ndarray, incremental: bool = True,
                  clock_loads: tuple[np.ndarray, np.ndarray] | None = None) -> Arrivals:
        """Arrivals and slews of every terminal for the edge tables ``tables`` and the
        driver loads ``load`` [T, 2] (pF); incremental from the previous pass when
        allowed and the tags are unchanged (a search is bound to one graph).
        ``clock_loads``: (late, early) loads [T, 2] of the clock network's late and early
        latencies (min analysis may load pins less); default ``load`` for both."""
        cl = clock_loads if clock_loads is not None else (load, load)
        tags, tag_of, arr, slew, lat, tag_leaf, tag_x, tag_nolat = self._sources(tables, load, cl)
        prev = self._state
        cx = getattr(self.dcalc, "crossing", None)
        cx_keys = cx.edge_keys() if cx is not None else None
        if (incremental and prev is not None and prev["tags"] == tags and prev["tag_leaf"] == tag_leaf
                and prev["arr"].shape == arr.shape):
            edge_delay, edge_slew = self._incremental(prev, tables, load, arr, slew, tags, tag_of,
                                                      _crossing_changes(prev.get("cx"), cx_keys))
        else:
            edge_delay, edge_slew = self._full(tables, load, arr, slew, tags, tag_of)
        for a in (arr, slew, load, edge_delay, edge_slew):
            a.flags.writeable = False      # shared by the result and the next incremental pass
        self._state = {"tags": list(tags), "tag_leaf": list(tag_leaf), "arr": arr, "slew": slew, "load": load,
                       "d_rows": tables.delay,
                       "s_rows": tables.slew, "edge_delay": edge_delay, "edge_slew": edge_slew, "cx": cx_keys}
        vslew = slew.copy()         # vertex slews at the clock load pins
        vf = vslew.reshape(-1)
        vf[self._ck_flat] = slew.reshape(-1)[self._ck_flat_drv]
        vf[self._ck_flat0] = 0.0
        vslew.flags.writeable = False
        return Arrivals(arr, vslew, edge_delay, edge_slew, tags, lat, tag_leaf, tag_x, self.states, tag_nolat)

    def _full(self, tables, load, arr, slew, tags, tag_of):
        g = self.graph
        latch_lv = self.latches.levels()
        red, none = self.red, self.none
        E = len(g.e_to)
        edge_delay = np.zeros(E)
        edge_slew = np.zeros(E)
        has_src = self._has_src
        # flat [T * 2] views and indices: one index per gather / scatter
        src_f, seg_f = flat_index(g, "src"), flat_index(g, "seg")
        arr_f = arr.reshape(arr.shape[0], -1)
        slew_f = slew.reshape(-1)
        for L, a, b in self._levels:
            sl = slice(a, b)
            dl, sw = self.dcalc.eval_arcs(g, sl, tables, slew, load)
            if self._derate is not None:
                dl = dl * self._derate[sl]
            edge_delay[sl] = dl
            edge_slew[sl] = sw
            sa, sb = int(g.level_seg_ptr[L]), int(g.level_seg_ptr[L + 1])
            starts = g.seg_start[sa:sb] - a
            tf = seg_f[sa:sb]
            slew_f[tf] = red.reduceat(sw, starts)
            at = np.where(has_src[sl][None, :], arr_f.take(src_f[sl], axis=1), none) + dl[None, :]
            if latch_lv is not None and latch_lv[L]:
                self.latches.patch_arrivals(at, np.arange(a, b), arr, slew, edge_delay, tags, tag_of, tables,
                                            self._lat[1], self.early)
            if self._ev_id is not None:
                self._transfer(at, sl)
            arr_f[:, tf] = red(arr_f.take(tf, axis=1), red.reduceat(at, starts, axis=1))
        return edge_delay, edge_slew

    def _incremental(self, prev, tables, load, arr, slew, tags, tag_of, cx_dirty=None):
        """Re-time from the previous pass; ``arr``/``slew`` hold the fresh source values
        (ports, clock pins) and are completed in place."""
        g = self.graph
        latch_lv = self.latches.levels()
        red, none = self.red, self.none
        T = g.n_terms
        if not hasattr(g, "_edge_seg"):
            E = len(g.e_to)
            g._seg_end = np.append(g.seg_start[1:], E)
            if len(g.seg_start) and g.seg_start[0] == 0:     # segments tile the edges: one repeat
                g._edge_seg = np.repeat(np.arange(len(g.seg_start), dtype=g.seg_start.dtype),
                                        g._seg_end - g.seg_start)
            else:
                g._edge_seg = (np.searchsorted(g.seg_start, np.arange(E), side="right") - 1).astype(g.seg_start.dtype)
            g._is_target = np.zeros((T, 2), dtype=bool)
            g._is_target[g.seg_to, g.seg_rf] = True
        tgt = g._is_target
        p_arr, p_slew = prev["arr"], prev["slew"]
        # sources keep their fresh values; targets start from the previous pass
        with np.errstate(invalid="ignore"):
            src_arr_chg = ~(arr == p_arr).all(axis=0)
        slew_chg = (slew != p_slew) & ~tgt
        arr_chg = src_arr_chg & ~tgt
        # clock-network drivers (clock buffer outputs) are sources and targets: a full
        # pass merges both, so a re-reduced one folds its fresh source arrival back in
        st, st_pos = self._source_targets(tgt)
        fresh = arr[:, st, :].copy()
        np.copyto(arr, p_arr, where=tgt)        # (faster than boolean indexing)
        np.copyto(slew, p_slew, where=tgt)
        edge_delay = prev["edge_delay"].copy()
        edge_slew = prev["edge_slew"].copy()
        dirty = (tables.delay != prev["d_rows"]) | (tables.slew != prev["s_rows"])
        # edges into a pin transition whose load changed: the edges of its segments
        ld = load != prev["load"]
        seg = np.flatnonzero((ld[:, 0] | ld[:, 1])[g.seg_to])
        seg = seg[ld[g.seg_to[seg], g.seg_rf[seg]]]
        dirty[expand(g.seg_start[seg], g._seg_end[seg] - g.seg_start[seg])] = True
        if cx_dirty is not None:            # supply-crossing corrections that changed
            dirty |= cx_dirty
        has_src, src_c = self._has_src, self._src_c
        # flat [T * 2] views: one index per gather (the arrays are updated in place below)
        src_f = flat_index(g, "src")
        from_f = flat_index(g, "from") if self.dcalc.wire_changes() is not None else None
        slew_chg_f, arr_chg_f = slew_chg.reshape(-1), arr_chg.reshape(-1)
        for L, a, b in self._levels:
            sl = slice(a, b)
            hs = has_src[sl]
            sf = src_f[sl]
            need = dirty[sl] | (hs & slew_chg_f.take(sf))
            wch = self.dcalc.wire_changes()         # RC: arcs leaving load pins whose wire values changed
            if wch is not None:
                need |= wch.reshape(-1).take(from_f[sl])
            touch = need | (hs & arr_chg_f.take(sf))
            if not touch.any():
                continue
            n_need = int(need.sum())
            if n_need:
                # most of the level: contiguous recompute; else only the arcs that need it
                ni = sl if n_need > 0.7 * (b - a) else a + np.nonzero(need)[0]
                edge_delay[ni], edge_slew[ni] = self.dcalc.eval_arcs(g, ni, tables, slew, load)
                if self._derate is not None:
                    edge_delay[ni] *= self._derate[ni]
            sa, sb = int(g.level_seg_ptr[L]), int(g.level_seg_ptr[L + 1])
            if touch.sum() > 0.5 * (b - a):     # re-reduce every pin of the level
                segs = np.arange(sa, sb)
                ei = np.arange(a, b)
                starts = g.seg_start[sa:sb] - a
            else:
                x = g._edge_seg[a:b][touch]             # non-decreasing: drop repeats
                segs = x[np.r_[True, x[1:] != x[:-1]]]
                st = g.seg_start[segs]
                cnt = g._seg_end[segs] - st
                ei = expand(st, cnt)
                starts = np.cumsum(cnt) - cnt
            to = g.seg_to[segs]
            orf = g.seg_rf[segs]
            new_slew = red.reduceat(edge_slew[ei], starts)
            slew_chg[to, orf] = new_slew != slew[to, orf]
            slew[to, orf] = new_slew
            at = np.where(has_src[ei][None, :], arr[:, src_c[ei], g.e_in_rf[ei]], none) + edge_delay[ei][None, :]
            if latch_lv is not None and latch_lv[L]:
                self.latches.patch_arrivals(at, ei, arr, slew, edge_delay, tags, tag_of, tables, self._lat[1],
                                            self.early)
            if self._ev_id is not None:
                self._transfer(at, ei)
            new_arr = red.reduceat(at, starts, axis=1)
            if len(st):
                m = np.nonzero(st_pos[to] >= 0)[0]
                if len(m):
                    new_arr[:, m] = red(new_arr[:, m], fresh[:, st_pos[to[m]], orf[m]])
            arr_chg[to, orf] = ~(new_arr == arr[:, to, orf]).all(axis=0)
            arr[:, to, orf] = new_arr
        return edge_delay, edge_slew

    def _source_targets(self, tgt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Terminals that get a source arrival (clock-network terminals) and are also
        edge targets (``tgt`` [T, 2]), and per terminal its position among them (-1)."""
        c = self._st
        if c is None:
            T = self.graph.n_terms
            st = np.nonzero((self.clocks.clock_of_term >= 0) & tgt.any(axis=1))[0]
            pos = np.full(T, -1, dtype=np.int64)
            pos[st] = np.arange(len(st))
            c = self._st = (st, pos)
        return c


def derate_factors(g: TimingGraph, tc: TimingConstraints, early: bool) -> np.ndarray | None:
    """float64[E] ``set_timing_derate`` factor of every (cell arc) edge of the late or
    ``early`` search, None when no derate applies. Data-path cell delays (launch arcs
    included) take the most specific derate: an instance's or library cell's over the
    design's. Clock-network delays of propagated clocks are not derated (warning)."""
    ds = [d for d in tc.derates if d.early == early and d.cell and d.data]
    if not ds:
        return None
    if any(d.clock for d in ds) and any(c.propagated for c in tc.clocks) and not early:
        progress.warn("set_timing_derate: clock network delays of propagated clocks are not derated")
    f = np.ones(len(g.e_to))
    for d in sorted(ds, key=lambda d: d.insts is not None):
        m = np.ones(len(g.e_to), dtype=bool) if d.rf < 0 else (g.e_out_rf == d.rf)
        if d.insts is not None:
            m &= np.isin(g.e_inst, np.fromiter(d.insts, dtype=np.int64))
        f[m] = d.factor
    return f


def required_times(r: TimingResult) -> np.ndarray:
    """[tags, T, 2] required times (ns) of the pass ``r`` on every terminal (driving
    nodes and load pins), propagated backwards from its checks (``r.seeds``); +inf
    where nothing is required. A driver's required time is the minimum over its load
    pins; a load pin's is the minimum over its endpoint checks and the edges it feeds."""
    g = r.graph
    nt = r.arrival.shape[0]
    T = g.n_terms
    req = np.full((nt, T, 2), np.inf)
    if r.seeds is not None:
        s = r.seeds
        np.minimum.at(req, (s.tag, s.term, s.rf), s.required)
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
        if g.e_slew_only is not None:
            ok &= ~g.e_slew_only[sl]
        if not ok.any():
            continue
        frm = g.e_from[sl][ok]
        irf = g.e_in_rf[sl][ok]
        cand = req[:, g.e_to[sl][ok], g.e_out_rf[sl][ok]] - r.edge_delay[sl][ok][None, :]
        if r.tag_moves is not None:
            _moved_required(cand, req, r.tag_moves, np.arange(a, b)[ok], g, r.edge_delay)
        np.minimum.at(req, (np.broadcast_to(tags, cand.shape), np.broadcast_to(frm, cand.shape),
                            np.broadcast_to(irf, cand.shape)), cand)
    return req


def _moved_required(cand: np.ndarray, req: np.ndarray, moves, eidx: np.ndarray, g: TimingGraph,
                    edge_delay: np.ndarray) -> None:
    """In ``cand`` [tags, len(eidx)] (required times at the edges' sources), the edges
    whose paths move to another tag (exception -through): a source in tag t is required
    by the target in the tag the move leads to."""
    ev_id, tmaps = moves
    ev = ev_id[eidx]
    for v in np.unique(ev[ev >= 0]).tolist():
        c = np.nonzero(ev == v)[0]
        e = eidx[c]
        tgt = tmaps[v]
        vals = req[np.maximum(tgt, 0)][:, g.e_to[e], g.e_out_rf[e]] - edge_delay[e][None, :]
        cand[:, c] = np.where((tgt >= 0)[:, None], vals, np.inf)


def pin_slacks(r: TimingResult, required: np.ndarray) -> np.ndarray:
    """float64[T] worst setup slack through each terminal (ns; +inf if unconstrained)
    of the pass ``r`` with required times ``required`` [tags, T, 2]. A load pin has its
    driver's arrival (no wire delay) and its own required time."""
    g = r.graph
    arr = r.arrival.copy()
    loads = np.nonzero(g.src_of_term >= 0)[0]
    arr[:, loads, :] = r.arrival[:, g.src_of_term[loads], :]
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(arr) & np.isfinite(required), required - arr, np.inf).min(axis=(0, 2))


def _crossing_changes(prev: np.ndarray | None, cur: np.ndarray | None) -> np.ndarray | None:
    """Edges whose supply-crossing correction (:meth:`finevh.timing.crossing.CrossingAdjust.edge_keys`)
    differs between two passes; None when neither pass had one."""
    if prev is None and cur is None:
        return None
    if prev is None:
        return cur >= 0
    if cur is None:
        return prev >= 0
    return prev != cur
