"""Design-time emulation of FINE-VH against ideal-DVFS, Vdd-Hopping and Vdd-Dithering
(thesis §4.1.3-4.1.4, SPEC §2 steps 5-7).

Everything runs on one linked design whose instances are re-bound in place
(:func:`finevh.timing.binding.bind_voltage`: characterised twins, or libraries
interpolated between two characterised voltages for the 25 mV grid) and re-timed by
one :class:`~finevh.timing.engine.Timer` (graph kept, incremental update).

Power of a configuration (uW) at clock ``f`` (MHz)::

    P = sum_i dyn_i(V_i, flavour_i) * f / f_ref  +  sum_i leak_i (Eq. 4.3)  +  overhead

* ``dyn_i``: internal + switching power of instance i from the power engine with
  every instance at ``V_i`` (uniform binding at that supply, the slews of that
  binding), at the SDC clock ``f_ref``; activity per cycle does not depend on f, so
  dynamic power scales with f. In a mixed VddL/VddH configuration each instance takes
  its value at its own supply: the switching of a net is set by its driver's supply
  (exact) and the internal power by the instance's own tables; what is neglected is
  the effect of a neighbour at the other supply on slews and pin capacitances.
* ``leak_i``: :class:`~finevh.fvh.leakage.DesignLeakage` (Eq. 4.3 with the LUT of
  the (VddL, VddH) pair; k = 1 under a uniform supply).
* ``overhead`` (FINE-VH only): leakage of the Vdd-MUX switches and of the
  configuration flip-flops at VddH.

Timing: ``fmax(V) = 1000 / (T - worst slack)`` (MHz) for a clock of period ``T``;
with crossing tables (``Emulator(crossing=...)``) every mixed map is timed with the
supply-crossing terms of :mod:`finevh.timing.crossing` at its tile borders;
for a single-clock design the critical path does not depend on ``T`` (see
:mod:`.vddselect`), so one greedy raise sequence per (VddL, VddH) interval answers
every target frequency of that interval.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .. import progress
from ..power.analysis import ActivitySpec
from ..timing.binding import interpolated_cell
from . import dvfs
from .vddselect import CriticalPath, RaiseSequence, assignment_for_period, improve_selection, raise_sequence

#: tile-map selection: Algorithm 5 + power-aware local search, Algorithm 5 alone, exact
#: (mixed-integer program with lazy timing cuts after both, :mod:`.milp`)
SELECTIONS = ("local", "alg5", "milp")


PERIOD_TOL_NS = 1e-6      # 1 fs: a configuration meeting the period to within rounding meets it

# ---- timing helpers -----------------------------------------------------------------------

def clock_period(constraints) -> float:
    """Period (ns) of the design's (fastest) clock."""
    return float(min(c.period for c in constraints.clocks))


def path_instances(timer, ep, inst_index: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Instances on the worst path into endpoint ``ep`` of the timer's last pass, with
    their arc delays (ns)."""
    insts, delays = [], []
    for s in timer.path(ep):
        if s["load"] is None or s["cell"] in ("in", "out") or "/" not in s["pin"]:
            continue
        i = inst_index.get(s["pin"].rsplit("/", 1)[0])
        if i is not None:
            insts.append(i)
            delays.append(s["delay"])
    return np.asarray(insts, np.int64), np.asarray(delays, np.float64)


def critical_path(timer, res, inst_index: dict[str, int]) -> CriticalPath:
    """The worst endpoint's path as a :class:`CriticalPath` (instances, arc delays ns)."""
    period = clock_period(timer.constraints) if hasattr(timer, "constraints") else float("nan")
    ep = res.worst_endpoint()
    if ep is None:
        return CriticalPath(period, np.inf, np.zeros(0, np.int64), np.zeros(0))
    insts, delays = path_instances(timer, ep, inst_index)
    return CriticalPath(period, float(ep.slack), insts, delays)


def required_period(res, period: float) -> float:
    """Shortest period (ns) the bound design meets: ``T - worst slack``."""
    return float(period - res.worst_slack)


class Binder:
    """Keeps track of each instance's (supply, flavour) and re-binds only what changes.

    ``flavour``: int[N] codes into ``names`` (None = the library set has no flavours)."""

    def __init__(self, design, flavour: np.ndarray, names: list):
        self.design = design
        self.flavour = np.asarray(flavour, dtype=np.int64)
        self.names = list(names)
        self.vdd = np.full(design.n_instances, np.nan)
        self._map: dict = {}          # (V, flavour code) -> {bound cell index: twin cell index}

    def bind(self, insts: np.ndarray, vdd: float) -> None:
        """Bind ``insts`` to their twins at ``vdd`` (V) in their own flavour.

        Vectorised: each (bound cell, supply, flavour) is resolved once
        (:func:`~finevh.timing.binding.interpolated_cell`, checked by ``Design.rebind``
        on one instance); then ``inst_cell`` is written by table look-up — the same
        binding as :func:`~finevh.timing.binding.bind_voltage` without its per-instance
        Python loops (a third of the bench's binding time)."""
        insts = np.asarray(insts, dtype=np.int64)
        todo = insts[~(np.abs(self.vdd[insts] - vdd) < 1e-9)]
        if todo.size == 0:
            return
        d = self.design
        fc = self.flavour[todo]
        for c in np.unique(fc).tolist():
            sel = todo[fc == c]
            cur = np.asarray(d.inst_cell[sel], dtype=np.int64)
            m = self._map.setdefault((round(float(vdd), 6), c), {})
            uniq = np.unique(cur)
            for u in uniq.tolist():
                if u not in m:
                    t = interpolated_cell(d.libset, d.cells[u], vdd, self.names[c])
                    rep = int(sel[np.argmax(cur == u)])
                    d.rebind([rep], [t])                 # appends t to the cell table, checks pins
                    m[u] = int(d.inst_cell[rep])
            vals = np.array([m[u] for u in uniq.tolist()], dtype=d.inst_cell.dtype)
            d.inst_cell[sel] = vals[np.searchsorted(uniq, cur)]
        self.vdd[todo] = vdd

    def bind_all(self, vdd: float) -> None:
        self.bind(np.arange(self.design.n_instances), vdd)

    def force_flavour(self, flavour: np.ndarray) -> None:
        """Change the flavour assignment; every instance is re-bound on its next bind."""
        self.flavour = np.asarray(flavour, dtype=np.int64)
        self.vdd[:] = np.nan


# ---- dynamic power with the activity computed once -------------------------------------------

class DynamicPower:
    """Internal + switching power per instance (uW) at the SDC clock for the design's
    current binding, with the activity (propagated or from VCD/SAIF) and the clock reach
    computed ONCE: both depend on the cells' functions and the clock network, which
    every Vdd/flavour twin shares (see :func:`finevh.power.analysis.dynamic_power`)."""

    def __init__(self, design, constraints, spec: ActivitySpec):
        from ..power import analysis as A

        if spec.mode not in ("propagate", "signals"):
            raise ValueError(f"activity mode {spec.mode!r} not supported by the emulation")
        self.A = A
        self.design = design
        self.tc = constraints
        self.spec = spec
        self.top = A.topology(design)
        self.reach = A.clock_reach_from_constraints(design, self.top, constraints)
        self.act, _ = A.activity(design, self.top, self.reach, spec)
        #: the internal-power look-ups, recorded on the first call of a variant
        #: (:class:`finevh.power.analysis.InternalPlan`; ~25 bytes per look-up)
        self.plan = A.InternalPlan()

    def __call__(self, slews: np.ndarray, wire_cap: np.ndarray | None) -> np.ndarray:
        self.top = self.A.bound_topology(self.design, self.top)
        return self.A.dynamic_power(self.design, self.tc, self.act, self.reach, self.spec,
                                    slews=slews, wire_cap=wire_cap, top=self.top, plan=self.plan)

    def forget(self) -> None:
        """Drop the recorded look-ups (between variants: they hold several arrays per
        look-up, several look-ups per instance)."""
        self.plan = self.A.InternalPlan()


# ---- one design variant (placement, tiles, flavours) ----------------------------------------

@dataclass
class Variant:
    """A bound design variant: the timer (with its wire capacitance), the flavour of
    every instance and the tile of every instance (None for the unpartitioned design)."""

    name: str
    timer: object
    binder: Binder
    tile: np.ndarray | None = None
    n_tiles: int = 1
    wire_cap: np.ndarray | None = None
    overhead_leak_uw: dict = field(default_factory=dict)      # vddh -> uW
    pair_leak: dict = field(default_factory=dict)             # (vddl, vddh) -> PairLeakage (cache)


@dataclass
class Profile:
    """Per-supply figures of a variant under a uniform supply."""

    required_ns: dict = field(default_factory=dict)     # V -> shortest period met
    dyn_ref_uw: dict = field(default_factory=dict)      # V -> float[N] dynamic power at f_ref
    leak_uw: dict = field(default_factory=dict)         # V -> float[N] leakage (k = 1)


@dataclass
class StaRun:
    """One STA run of an emulation, as :meth:`Emulator.start_trace` records it."""

    variant: str                 # Variant.name (its wire capacitance: Emulator.trace_wire_cap)
    insts: np.ndarray            # int64: instances re-bound since the previous run
    cells: np.ndarray            # their new cell indices (``design.cells``)
    worst_slack_ns: float
    cpu_s: float                 # process CPU of the run: binding + incremental re-time


class Emulator:
    """Shared state of one emulation: the design, its constraints, the activity
    specification, the leakage model and the reference clock."""

    def __init__(self, design, constraints, leakage, spec: ActivitySpec | None = None,
                 crossing=None, crossing_fallback: str | None = None):
        self.design = design
        #: supply-crossing tables (:class:`finevh.tech.crossing.CrossingTables`) applied at
        #: tile borders of every mixed map; None = off. ``crossing_fallback``: the flavour
        #: whose tables stand for flavours without tables of their own
        self.crossing = crossing
        self.crossing_fallback = crossing_fallback
        self.tc = constraints
        self.leak = leakage
        self.spec = spec or ActivitySpec()
        self.period_ns = clock_period(constraints)
        self.f_ref = 1000.0 / self.period_ns
        self.inst_index = design.inst_index
        self.timing_s = 0.0
        self.power_s = 0.0
        self.sta_runs = 0
        #: None, or the STA runs since :meth:`start_trace` (:class:`StaRun`)
        self.trace: list[StaRun] | None = None
        self.trace_wire_cap: dict = {}
        self.active: Variant | None = None
        self.dyn: DynamicPower | None = None

    def start_trace(self) -> None:
        """Record every STA run from now on: the instances re-bound since the run before
        (against the binding the design holds now), the variant, its worst slack and its
        CPU time. Another tool can replay the same sequence of re-bindings
        (``bench/bench_emulate.py`` does it in OpenSTA)."""
        self.trace = []
        self._trace_cells = np.asarray(self.design.inst_cell).copy()
        self.trace_wire_cap = {}

    def _ran(self, var: "Variant", res, cpu0: float) -> None:
        """Count one STA run of ``var`` (result ``res``, started at process time ``cpu0``)."""
        self.sta_runs += 1
        if self.trace is None:
            return
        cpu = time.process_time() - cpu0
        cur = np.asarray(self.design.inst_cell)
        if len(cur) != len(self._trace_cells):
            raise ValueError("the design's instances changed during a traced emulation")
        ch = np.nonzero(cur != self._trace_cells)[0]
        self.trace.append(StaRun(var.name, ch, cur[ch].astype(np.int64), float(res.worst_slack), cpu))
        self._trace_cells[ch] = cur[ch]
        self.trace_wire_cap.setdefault(var.name, var.wire_cap)

    def activate(self, var: "Variant") -> None:
        """Make ``var`` the variant whose binding the design holds (others re-bind fully)."""
        if self.active is not None and self.active is not var:
            self.active.binder.vdd[:] = np.nan
        var.binder.vdd[:] = np.nan
        self.active = var

    def set_crossing(self, var: Variant, vddl: float | None = None, vddh: float | None = None):
        """Crossing terms of ``var``'s timer for the binding it holds: the supplies of
        ``var.binder`` at the pair (VddL, VddH), or none (uniform supply: no pair). No-op
        when the emulation has no crossing tables. Returns the
        :class:`~finevh.timing.crossing.CrossingAdjust` (or None)."""
        if self.crossing is None:
            return None
        from ..timing.crossing import CrossingAdjust

        tm = var.timer
        adj = tm.dcalc.crossing
        if adj is None or adj.owner is not var.binder or not np.array_equal(adj.flavour_codes, var.binder.flavour):
            names = np.array([str(n) for n in var.binder.names], dtype=object)
            fl = None if list(var.binder.names) == [None] else names[var.binder.flavour]
            adj = CrossingAdjust(self.design, tm.graph, tm.templates, self.crossing,
                                 inst_flavour=fl, fallback=self.crossing_fallback)
            adj.owner, adj.flavour_codes = var.binder, var.binder.flavour.copy()
            tm.dcalc.crossing = adj
        if vddl is None:
            adj.set_map(None)
        else:
            adj.set_map(var.binder.vdd, vddl, vddh)
        return adj

    def deactivate(self) -> None:
        if self.active is not None:
            self.active.binder.vdd[:] = np.nan
        self.active = None
        if self.dyn is not None:
            self.dyn.forget()

    # -- uniform supply ------------------------------------------------------------------
    def time_uniform(self, var: Variant, vdd: float) -> float:
        t0, c0 = time.perf_counter(), time.process_time()
        var.binder.bind_all(vdd)
        self.set_crossing(var)
        res = var.timer.update()
        self._ran(var, res, c0)
        self.timing_s += time.perf_counter() - t0
        return required_period(res, self.period_ns)

    def power_uniform(self, var: Variant, vdd: float) -> tuple[np.ndarray, np.ndarray]:
        """(dynamic at f_ref, leakage) per instance, uW, every instance at ``vdd``."""
        c0 = time.process_time()
        var.binder.bind_all(vdd)
        self.set_crossing(var)
        t0 = time.perf_counter()
        res = var.timer.update()
        self._ran(var, res, c0)
        t1 = time.perf_counter()
        if self.dyn is None:
            self.dyn = DynamicPower(self.design, self.tc, self.spec)
        dyn = self.dyn(res.slew, var.wire_cap)
        lk = self.leak.uniform(vdd, var.binder.flavour, var.binder.names)
        self.timing_s += t1 - t0
        self.power_s += time.perf_counter() - t1
        return dyn, lk

    def profile(self, var: Variant, volts, with_power=True, prof: Profile | None = None,
                sums_only: bool = False) -> Profile:
        """Fill ``prof`` at the supplies ``volts`` not yet in it. ``sums_only``: keep the
        power of those supplies as sums (0-d arrays, whose ``.sum()`` is the same number:
        all a :class:`Baseline` reads) instead of 2 x 8 bytes per instance and supply."""
        prof = prof or Profile()
        for v in volts:
            v = round(float(v), 4)
            if with_power and v not in prof.dyn_ref_uw:
                d, lk = self.power_uniform(var, v)
                if sums_only:
                    d, lk = np.asarray(d.sum()), np.asarray(lk.sum())
                prof.dyn_ref_uw[v], prof.leak_uw[v] = d, lk
                prof.required_ns[v] = required_period(var.timer.last, self.period_ns)
            elif v not in prof.required_ns:
                prof.required_ns[v] = self.time_uniform(var, v)
        return prof

    # -- FINE-VH -------------------------------------------------------------------------
    def map_timer(self, var: Variant, vddl: float, vddh: float, with_path: bool = True):
        """``time_fn(high) -> CriticalPath`` for tile maps of ``var`` at (VddL, VddH): binds
        only the tiles whose supply changes and re-times incrementally. ``with_path=False``:
        the worst slack only (no path trace; see :meth:`last_path`)."""
        members = self._members(var)

        def time_fn(high: np.ndarray) -> CriticalPath:
            t0, c0 = time.perf_counter(), time.process_time()
            for t in range(var.n_tiles):
                var.binder.bind(members[t], vddh if high[t] else vddl)
            self.set_crossing(var, vddl, vddh)
            res = var.timer.update()
            self._ran(var, res, c0)
            if with_path:
                cp = critical_path(var.timer, res, self.inst_index)
            else:
                cp = CriticalPath(self.period_ns, float(res.worst_slack), np.zeros(0, np.int64), np.zeros(0))
            self.timing_s += time.perf_counter() - t0
            return CriticalPath(self.period_ns, cp.wns_ns, cp.insts, cp.delays_ns)

        return time_fn

    def map_check(self, var: Variant, vddl: float, vddh: float, period_ns: float, max_paths: int = 16,
                  scan: int = 64):
        """``check(high) -> list of Violation`` for :func:`finevh.fvh.milp.solve_exact`:
        [] when the map meets ``period_ns`` (target clock, ns), else the tiles crossed by
        the worst paths of the violating endpoints, with the path delay in each: the first ``scan`` of them (worst
        first), keeping up to ``max_paths`` paths whose VddL tiles differ."""
        from .milp import Violation

        time_fn = self.map_timer(var, vddl, vddh, with_path=False)

        def check(high: np.ndarray) -> list:
            cp = time_fn(high)
            if cp.required_period_ns <= period_ns:
                return []
            t0 = time.perf_counter()
            tab = var.timer.last.table
            limit = self.period_ns - period_ns               # slack below this misses the target
            idx = np.nonzero(tab.slack < limit)[0][:scan]
            out, seen = [], set()
            for ep in tab.endpoints(idx):
                insts, delays = path_instances(var.timer, ep, self.inst_index)
                if insts.size:
                    tiles, inv = np.unique(var.tile[insts], return_inverse=True)
                    dly = np.bincount(inv.ravel(), weights=delays, minlength=tiles.size)
                else:
                    tiles, dly = np.arange(var.n_tiles), np.zeros(var.n_tiles)
                low = tuple(t for t in tiles.tolist() if not high[t])
                if low not in seen:
                    seen.add(low)
                    out.append(Violation(tuple(tiles.tolist()), tuple(dly.tolist())))
                    if len(out) >= max_paths:
                        break
            self.timing_s += time.perf_counter() - t0
            return out

        return check

    def map_power_terms(self, var: Variant, prof: Profile, vddl: float, vddh: float, f_mhz: float):
        """:class:`finevh.fvh.milp.PowerTerms` of :meth:`fine_vh_power` at ``f_mhz``."""
        from .milp import power_terms

        vl, vh = round(vddl, 4), round(vddh, 4)
        pl = var.pair_leak.get((vl, vh))
        if pl is None:
            pl = var.pair_leak[(vl, vh)] = self.leak.pair(vddl, vddh, var.binder.flavour, var.binder.names)
        # the leakage and overhead terms of the pair once; the dynamic power (own tile
        # only: linear) scaled to each target clock
        cache = var.__dict__.setdefault("_leak_terms", {})
        over = float(var.overhead_leak_uw.get(vh, 0.0))
        hit = cache.get((vl, vh))
        if hit is not None and hit[0] is pl and hit[1] == over:
            lt = hit[2]
        else:
            z = np.zeros(var.tile.size)
            lt = power_terms(var.tile, var.n_tiles, z, z, pl, over)
            cache[(vl, vh)] = (pl, over, lt)
        s = f_mhz / self.f_ref
        return lt.plus_dynamic(var.tile, prof.dyn_ref_uw[vl] * s, prof.dyn_ref_uw[vh] * s)

    def last_path(self, var: Variant) -> CriticalPath:
        """Critical path of the binding ``var``'s timer timed last."""
        t0 = time.perf_counter()
        cp = critical_path(var.timer, var.timer.last, self.inst_index)
        self.timing_s += time.perf_counter() - t0
        return CriticalPath(self.period_ns, cp.wns_ns, cp.insts, cp.delays_ns)

    def _border(self, var: Variant) -> np.ndarray | None:
        """Instances of ``var`` with a driver in another tile (None: unpartitioned)."""
        if var.tile is None:
            return None
        b = getattr(var, "_border", None)
        if b is None:
            from .leakage import border_instances

            b = var._border = border_instances(self.leak.inputs()[0], var.tile)
        return b

    def _members(self, var: Variant) -> list[np.ndarray]:
        m = getattr(var, "_members", None)
        if m is None:
            m = [np.nonzero(var.tile == t)[0] for t in range(var.n_tiles)]
            var._members = m
        return m

    def raise_sequence(self, var: Variant, vddl: float, vddh: float, stop_period_ns: float) -> RaiseSequence:
        """Algorithm 5's greedy for (VddL, VddH) on ``var``, up to ``stop_period_ns``."""
        return raise_sequence(var.n_tiles, var.tile, self.map_timer(var, vddl, vddh), stop_period_ns=stop_period_ns)

    def fine_vh_power(self, var: Variant, prof: Profile, high: np.ndarray, vddl: float, vddh: float,
                      f_mhz: float) -> tuple[float, dict]:
        """Power (uW) of the tile assignment ``high`` at ``f_mhz``, with its parts:
        dynamic, leakage (Eq. 4.3), its intra-tile share (Eq. 4.3 minus the same map's
        library leakage, k = 1) and the Vdd-MUX/chain overhead."""
        t0 = time.perf_counter()
        hi_inst = high[var.tile]
        vl, vh = round(vddl, 4), round(vddh, 4)
        key = (vl, vh)
        pl = var.pair_leak.get(key)
        if pl is None:
            pl = var.pair_leak[key] = self.leak.pair(vddl, vddh, var.binder.flavour, var.binder.names)
        dyn = np.where(hi_inst, prof.dyn_ref_uw[vh], prof.dyn_ref_uw[vl])
        leak = pl(hi_inst, self._border(var))
        lib_leak = np.where(hi_inst, prof.leak_uw[vh], prof.leak_uw[vl])
        over = float(var.overhead_leak_uw.get(vh, 0.0))
        d = float(dyn.sum()) * f_mhz / self.f_ref
        lk = float(leak.sum())
        self.power_s += time.perf_counter() - t0
        return d + lk + over, {"dynamic_uw": d, "leakage_uw": lk, "intra_tile_uw": lk - float(lib_leak.sum()),
                               "overhead_uw": over}


def fmax_mhz(required_ns: float) -> float:
    return 1000.0 / required_ns


@dataclass
class Baseline:
    """Uniform-supply schemes of the unpartitioned design."""

    grid: np.ndarray
    fmax_grid: np.ndarray
    p_grid_at_fmax: np.ndarray
    prof: Profile
    f_ref: float

    def power(self, vdd: float, f_mhz: float) -> float:
        v = round(float(vdd), 4)
        return float(self.prof.leak_uw[v].sum() + self.prof.dyn_ref_uw[v].sum() * f_mhz / self.f_ref)

    def fmax_at(self, vdd: float) -> float:
        i = int(np.argmin(np.abs(self.grid - vdd)))
        return float(self.fmax_grid[i])

    def schemes(self, f_mhz: float, levels: np.ndarray) -> dict:
        fl = np.array([self.fmax_at(v) for v in levels])
        pl = np.array([self.p_grid_at_fmax[int(np.argmin(np.abs(self.grid - v)))] for v in levels])
        ideal = dvfs.ideal_curve(f_mhz, self.fmax_grid, self.p_grid_at_fmax)
        h = dvfs._lowest_meeting(levels, fl, f_mhz)
        hop = self.power(float(levels[h]), f_mhz)
        dith = dvfs.dithering_curve(f_mhz, levels, fl, pl)
        lo, hi = dvfs.interval_of(levels, fl, f_mhz)
        return {"ideal_dvfs_uw": ideal, "vdd_hopping_uw": hop, "hopping_vdd": float(levels[h]),
                "vdd_dithering_uw": dith, "interval": (lo, hi)}


def baseline(emu: Emulator, var: Variant, grid: np.ndarray, prof: Profile | None = None) -> Baseline:
    """fmax and power at fmax on the Vdd grid, every instance of ``var`` at one supply
    (its own flavours and wire caps; no Vdd-MUX overhead). ``prof``: a profile of ``var``
    to extend (supplies already profiled are not re-run; the others are kept as sums)."""
    prof = emu.profile(var, grid, with_power=True, prof=prof, sums_only=True)
    fm = np.array([fmax_mhz(prof.required_ns[round(float(v), 4)]) for v in grid])
    p = np.array([float(prof.leak_uw[round(float(v), 4)].sum()
                        + prof.dyn_ref_uw[round(float(v), 4)].sum() * f / emu.f_ref) for v, f in zip(grid, fm)])
    return Baseline(np.asarray(grid, dtype=np.float64), fm, p, prof, emu.f_ref)


@dataclass
class FineVhPoint:
    f_mhz: float
    power_uw: float
    vddl: float
    vddh: float
    high: np.ndarray          # bool[n_tiles]
    feasible: bool
    vddl_area_share: float
    parts: dict
    alg5_uw: float = float("nan")      # Algorithm 5's map at the same point (uW)
    alg5_high: np.ndarray | None = None
    moves: int = 0                     # local-search moves accepted
    search_runs: int = 0               # local-search timing runs
    local_uw: float = float("nan")     # the local search's map (uW; NaN when not run)
    exact: dict | None = None          # exact selection's figures (selection "milp")


def fine_vh_sweep(emu: Emulator, var: Variant, prof: Profile, freqs: np.ndarray, levels: np.ndarray,
                  base_fmax_levels: np.ndarray, cell_area: np.ndarray,
                  selection: str = "local", max_sta_runs: int = 200) -> list[FineVhPoint]:
    """FINE-VH at every target frequency for one ΔVdd (``levels``).

    ``selection``: ``alg5`` = Algorithm 5's map (thesis); ``local`` = Algorithm 5's map
    improved by :func:`~finevh.fvh.vddselect.improve_selection` under the same power
    model (never more power; every accepted map re-timed at the target clock); ``milp``
    = the exact minimum-power map of :mod:`.milp` (lazy timing cuts, at most
    ``max_sta_runs`` timed maps per point) started from both, never above either.

    The interval is the one holding f on the baseline's fmax (thesis §4.1.4); when the
    variant cannot meet f inside it even with every tile at VddH (slower flavours, a
    longer placement), the power manager takes the next interval up."""
    levels = np.asarray(levels, dtype=np.float64)
    periods = 1000.0 / np.asarray(freqs, dtype=np.float64)
    primary = [dvfs.interval_of(levels, base_fmax_levels, float(f)) for f in freqs]
    seqs: dict[tuple[int, int], tuple[float, RaiseSequence]] = {}
    cuts: dict[tuple[int, int], list] = {}      # interval -> [(period ns, timing cut)]

    def seq_for(lo: int, hi: int, stop: float) -> RaiseSequence:
        have = seqs.get((lo, hi))
        if have is not None and have[0] <= stop + 1e-12:
            return have[1]
        s = emu.raise_sequence(var, float(levels[lo]), float(levels[hi]), stop)
        seqs[(lo, hi)] = (stop, s)
        return s

    # one sequence per interval, down to the shortest period it has to answer
    need: dict[tuple[int, int], float] = {}
    for (lo, hi), per in zip(primary, periods):
        need[(lo, hi)] = min(need.get((lo, hi), np.inf), float(per) + PERIOD_TOL_NS)
    for key in sorted(need):
        seq_for(key[0], key[1], need[key])
    total_area = float(cell_area.sum())
    out = []
    for f, per, (lo, hi) in zip(freqs, periods, primary):
        sel = None
        while hi < len(levels):
            s = seq_for(lo, hi, float(per) + PERIOD_TOL_NS)
            sel = assignment_for_period(s, float(per) + PERIOD_TOL_NS)
            if sel.feasible:
                break
            lo, hi = lo + 1, hi + 1
        if sel is None:
            raise RuntimeError("no interval")
        if not sel.feasible:
            lo, hi = len(levels) - 2, len(levels) - 1
        vddl, vddh = float(levels[lo]), float(levels[hi])
        p, parts = emu.fine_vh_power(var, prof, sel.high, vddl, vddh, float(f))
        high, p5, moves, runs, p_local, exact = sel.high.copy(), p, 0, 0, float("nan"), None
        if selection not in SELECTIONS:
            raise ValueError(f"selection {selection!r}: expected one of {', '.join(SELECTIONS)}")
        target = float(per) + PERIOD_TOL_NS
        power_fn = (lambda h, vl=vddl, vh=vddh, ff=float(f): emu.fine_vh_power(var, prof, h, vl, vh, ff)[0])
        if selection in ("local", "milp") and sel.feasible:
            ls = improve_selection(high, var.tile, power_fn,
                                   emu.map_timer(var, vddl, vddh, with_path=False), target,
                                   path_fn=lambda: emu.last_path(var))
            if ls.power_uw < p:
                high = ls.high.copy()
                p, parts = emu.fine_vh_power(var, prof, high, vddl, vddh, float(f))
            moves, runs, p_local = len(ls.moves), ls.timing_runs, p
        if selection == "milp" and sel.feasible:
            high, p, parts, exact = _exact_point(emu, var, prof, vddl, vddh, float(f), target, power_fn,
                                                 {"local": high, "alg5": sel.high}, cuts.setdefault((lo, hi), []),
                                                 max_sta_runs)
        share = float(cell_area[~high[var.tile]].sum()) / total_area if total_area > 0 else 0.0
        out.append(FineVhPoint(float(f), p, vddl, vddh, high, bool(sel.feasible), share, parts,
                               alg5_uw=p5, alg5_high=sel.high.copy(), moves=moves, search_runs=runs,
                               local_uw=p_local, exact=exact))
    return out


#: products of the exact selection's power model below this share of the map's power
#: are left out of the MILP (49 tiles of the demo: 2127 -> ~930 products, model off by
#: < 0.1 uW of 6000 on any map); the proven gap accounts for them (:func:`.milp.prune`)
EXACT_PRUNE_REL = 1e-7


def _exact_point(emu: Emulator, var: Variant, prof: Profile, vddl: float, vddh: float, f_mhz: float,
                 target_ns: float, power_fn, incumbents: dict, known_cuts: list, max_sta_runs: int):
    """Exact selection at one point (:func:`finevh.fvh.milp.solve_exact`), started from the
    cuts found at longer periods of the same interval (still valid: a path that misses a
    longer period misses this one). Returns (map, power uW, parts, figures)."""
    from .milp import solve_exact

    terms = emu.map_power_terms(var, prof, vddl, vddh, f_mhz)
    inc_p = {k: power_fn(h) for k, h in incumbents.items()}
    model_err = max(abs(terms.evaluate(h) - inc_p[k]) for k, h in incumbents.items())
    start = [c for per, c in known_cuts if per >= target_ns - 1e-12]
    r = solve_exact(terms, emu.map_check(var, vddl, vddh, target_ns), power_fn, incumbents,
                    max_sta_runs=max_sta_runs, initial_cuts=start, prune_rel=EXACT_PRUNE_REL)
    have = {c for _p, c in known_cuts}
    known_cuts.extend((target_ns, c) for c in r.cut_sets if c not in have)
    p, parts = emu.fine_vh_power(var, prof, r.high, vddl, vddh, f_mhz)
    progress.debug(f"exact selection {var.name} {f_mhz:.3f} MHz: {r.status}, map from {r.source}, "
                   f"{r.sta_runs} STA runs, {r.cuts} cuts, gap {r.gap:.2e}")
    fig = {"source": r.source, "status": r.status, "optimal": r.optimal, "gap": r.gap, "mip_gap": r.mip_gap,
           "lower_bound_uw": r.lower_bound_uw, "sta_runs": r.sta_runs, "cuts": r.cuts, "solves": r.solves,
           "milp_s": r.milp_s, "tiles_vars": terms.n_tiles, "products": len(terms.monos),
           "model_error_uw": model_err}
    return r.high.copy(), p, parts, fig


def log(msg: str) -> None:
    progress.progress(msg)
