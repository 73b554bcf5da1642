"""Timing-driven poly-bias (threshold-flavour) assignment of interface cells
(thesis §4.1.2, Fig. 4.6, Eq. 4.2; SPEC §2 step 4).

Interface cells (an input driven from another tile) leak more when their driver's
tile runs at VddL; a slower, less leaky flavour cuts that current. The assignment
runs in stages, slowest flavour first (demo28: PB16, PB10, PB4; ASAP7 from SL/L
cells: R then L). A stage moves to its flavour every interface cell that is still
at a faster flavour and whose slack exceeds

    S_th(F) = d_avg · α_sd(F)                                    (thesis Eq. 4.2)

with d_avg the mean cell delay on the critical path and α_sd(F) the flavour's mean
slow-down against the design's own flavour, measured here from the library set
(:func:`slowdown_factors`). The thesis prints α_sd as "2.82x / 8.72x / 19.88x" for
PB4/PB10/PB16; read as multiples, a 4 nm longer gate would make a cell almost 3×
slower, which no poly-bias step does — we read them, like the demo technology
(docs/tech.md), as 2.82 % / 8.72 % / 19.88 % delay overhead, i.e. α_sd is the
fractional slow-down (mean twin/base delay ratio − 1).

After each stage the design is re-timed (per-instance rebind, same timing graph).
The stage is accepted only if WNS (= min(0, worst slack)) is not worse than before
the stage — on a design that meets timing: the worst slack stays ≥ 0. Otherwise it
backs off: the stage's swaps on the worst violating path, else on the nets it touches
(side loads: their larger pin capacitance slows the path's drivers), else within two
net hops (a side input's driver passes a worse slew on), are undone and the design
re-timed, repeatedly; if no swapped cell lies on a violating path, the
half of the stage's swaps with the least slack is undone. Undoing everything
restores the pre-stage state exactly, so the loop always ends with the constraint
held. Times ns, power uW.
"""

from __future__ import annotations

import math

from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ..progress import debug, progress

# ns: slack comparisons (10 fs): the resolution of the timer's single-precision arrays
# at periods of tens of ns (float32 steps are ~2 fs at 27 ns), not a timing margin
SLACK_EPS_NS = 1e-5
_MAX_HOPS = 2   # back-off: net hops searched around a violating path for the swaps that slow it
#: back-off: violating paths handled per corner and round, at least this many ...
PATHS_PER_ROUND = 64
#: ... or one per this many instances: the regions of a large block violate independently,
#: so a fixed count would make the rounds (each a re-time of the whole design) grow with
#: the design (a 1.06M-cell block of eight independent arrays: 166+ rounds instead of ~20)
INSTANCES_PER_PATH = 2048


@dataclass
class StageReport:
    flavour: str
    alpha_sd: float          # fractional mean slow-down vs the base flavour
    s_th_ns: float
    candidates: int          # interface cells above the threshold with a twin
    swapped: int             # kept after back-off
    backoff_rounds: int
    worst_before_ns: float
    worst_after_ns: float
    corners: list = field(default_factory=list)   # per corner: alpha_sd, s_th_ns, worst before/after


@dataclass
class PolybiasResult:
    swaps: list[tuple[int, str, str, str]]       # (instance, from cell, to cell, flavour)
    stages: list[StageReport]
    interface_cells: int
    d_avg_ns: float
    worst_before_ns: float
    worst_after_ns: float
    tns_before_ns: float
    tns_after_ns: float
    flavour_count: dict[str, int] = field(default_factory=dict)   # interface cells per final flavour
    corners: list = field(default_factory=list)                   # CornerReport per operating corner


def _table_ratio(a, b) -> list[float]:
    """Ratios b/a (twin over base) entry by entry; tables of different sizes are
    compared at the points of the smaller one when those are indices of the larger."""
    if a is None or b is None:
        return []
    va, vb = np.asarray(a.values, float), np.asarray(b.values, float)
    if va.shape != vb.shape:
        sub = _at_indices(a, b)
        if sub is not None:
            vb = sub
        else:
            sub = _at_indices(b, a)
            if sub is None:
                return []
            va = sub
    m = np.abs(va) > 1e-12
    return (vb[m] / va[m]).tolist()


def _at_indices(a, b) -> np.ndarray | None:
    """Values of table ``b`` at the index points of ``a`` when every index of ``a`` is
    also an index of ``b`` (e.g. a 2x2 table on the corners of a 4x4 one), else None."""
    ia, ib = getattr(a, "indices", None), getattr(b, "indices", None)
    if not ia or not ib or len(ia) != len(ib) or np.ndim(b.values) != len(ib):
        return None
    if getattr(a, "variables", None) != getattr(b, "variables", None):
        return None
    sel = []
    for xa, xb in zip(ia, ib):
        xa, xb = np.asarray(xa, float), np.asarray(xb, float)
        pos = [np.flatnonzero(np.isclose(xb, x, rtol=1e-6, atol=0.0)) for x in xa]
        if any(len(q) != 1 for q in pos):
            return None
        sel.append([int(q[0]) for q in pos])
    return np.asarray(b.values, float)[np.ix_(*sel)]


def slowdown_factors(libset, base_cells, flavours: list[str], twin_fn=None) -> dict[str, float]:
    """α_sd per flavour: mean over every delay-table entry (cell_rise / cell_fall of
    every arc, combinational and clock-to-output) of twin/base − 1, over ``base_cells``
    (distinct cells) that have a twin in the flavour. ``twin_fn(cell, flavour)``: how
    to find the twin (default: ``libset.twin`` at the cell's own voltage)."""
    out: dict[str, float] = {}
    twin_fn = twin_fn or (lambda c, fl: libset.twin(c, flavour=fl))
    for fl in flavours:
        ratios: list[float] = []
        for c in base_cells:
            try:
                t = twin_fn(c, fl)
            except InputError:
                continue
            if t is c:
                continue
            for pn, pin in c.pins.items():
                tp = t.pins.get(pn)
                if tp is None:
                    continue
                for k, arc in enumerate(pin.timing):
                    if arc.timing_type not in ("combinational", "rising_edge", "falling_edge",
                                               "combinational_rise", "combinational_fall"):
                        continue
                    tarc = next((a for a in tp.timing if a.related_pin == arc.related_pin
                                 and a.timing_type == arc.timing_type and a.when == arc.when), None)
                    if tarc is None:
                        continue
                    ratios += _table_ratio(arc.cell_rise, tarc.cell_rise)
                    ratios += _table_ratio(arc.cell_fall, tarc.cell_fall)
        if not ratios:
            raise InputError(f"flavour {fl}: no twin timing tables to measure its slow-down")
        out[fl] = float(np.mean(ratios)) - 1.0
    return out


def critical_path_d_avg(timer, res) -> float:
    """Mean delay (ns) of the cell arcs on the worst path."""
    ep = res.worst_endpoint()
    if ep is None:
        return 0.0
    delays = [s["delay"] for s in timer.path(ep) if s["load"] is not None and s["cell"] not in ("in", "out")]
    return float(np.mean(delays)) if delays else 0.0


class _Ctx:
    def __init__(self, design, timer):
        from ..design import DIR_OUTPUT

        self.design = design
        self.timer = timer
        self.pin_inst = design.pin_inst
        self.out_pin = design.pin_dir == DIR_OUTPUT
        self.inst_of_name = design.inst_index
        self.seq = design.is_sequential()
        # instances on each net (drivers and loads), for the back-off neighbourhood: net m's
        # are net_insts[net_inst_ptr[m]:net_inst_ptr[m + 1]] (one flat array, not an array
        # object per net)
        P = design.n_pins
        ptr, terms = design.net_term_ptr, design.net_terms
        pin = terms < P
        self.net_insts = self.pin_inst[terms[pin]]
        self.net_inst_ptr = np.concatenate([[0], np.cumsum(pin)])[ptr]

    def inst_slack(self, timer=None) -> np.ndarray:
        """Worst slack (ns) through each instance's output pins (+inf if none)."""
        t = timer or self.timer
        ps = t.pin_slacks()
        t.last.required = None      # [tags, T, 2] floats: not kept once reduced to pins (issue 16)
        P = self.design.n_pins
        sl = np.full(self.design.n_instances, np.inf)
        pins = np.nonzero(self.out_pin)[0]
        np.minimum.at(sl, self.pin_inst[pins], ps[:P][pins])
        return sl

    def path_insts(self, ep, timer=None) -> set[int]:
        out = set()
        for s in (timer or self.timer).path(ep):
            name = s["pin"]
            if "/" in name:
                i = self.inst_of_name.get(name.rsplit("/", 1)[0])
                if i is not None:
                    out.add(i)
        return out

    def path_delays(self, ep, timer) -> dict[int, float]:
        """Cell-arc delay (ns) of each instance on the worst path into ``ep``."""
        out: dict[int, float] = {}
        for s in timer.path(ep):
            name = s["pin"]
            if s["load"] is None or "/" not in name:
                continue
            i = self.inst_of_name.get(name.rsplit("/", 1)[0])
            if i is not None:
                out[i] = out.get(i, 0.0) + s["delay"]
        return out

    def fanin(self, insts: set[int]) -> set[int]:
        """``insts`` and the drivers of their input nets."""
        if not hasattr(self, "_drv"):
            d = self.design
            P = d.n_pins
            ptr, terms, nd = d.net_term_ptr, d.net_terms, np.asarray(d.net_n_drivers)
            first = terms[np.minimum(ptr[:-1], max(len(terms) - 1, 0))]
            self._drv = np.where((nd > 0) & (first < P), self.pin_inst[np.minimum(first, P - 1)], -1)
        nl = self.design.netlist
        ptr = nl.pin_ptr
        out: set[int] = set(insts)
        for i in insts:
            for p in range(int(ptr[i]), int(ptr[i + 1])):
                m = int(nl.pin_net[p])
                if m >= 0 and not self.out_pin[p]:
                    j = int(self._drv[m])
                    if j >= 0:
                        out.add(j)
        return out

    def cone(self, insts: set[int], hops: int) -> set[int]:
        """``insts`` and their fan-in up to ``hops`` nets back, not through registers
        (the cells that start the paths)."""
        out = set(insts)
        front = {i for i in insts if not self.seq[i]}
        for _ in range(hops):
            grown = self.fanin(front) - out
            if not grown:
                break
            out |= grown
            front = {i for i in grown if not self.seq[i]}
        return out

    def neighbours(self, insts: set[int]) -> set[int]:
        """Instances sharing a net with any of ``insts`` (their drivers, side loads and
        the other loads of their drivers), ``insts`` included."""
        nl = self.design.netlist
        ptr = nl.pin_ptr
        out: set[int] = set(insts)
        for i in insts:
            for p in range(int(ptr[i]), int(ptr[i + 1])):
                m = int(nl.pin_net[p])
                if m >= 0:
                    out.update(self.net_insts[self.net_inst_ptr[m]:self.net_inst_ptr[m + 1]].tolist())
        return out


# ---- operating corners ---------------------------------------------------------------------

@dataclass(frozen=True)
class CornerSpec:
    """An operating corner as the user names it: a supply (V; None = the design's own
    binding) and a clock — ``"sdc"`` (the constraints' clocks as given), ``"fmax"`` (the
    period the design, as bound before the assignment, just meets at that supply) or
    ``"period"`` (``period_ns``)."""

    vdd: float | None
    clock: str = "sdc"
    period_ns: float | None = None

    @property
    def label(self) -> str:
        v = "nom" if self.vdd is None else f"{self.vdd:g}"
        c = {"sdc": "SDC", "fmax": "fmax"}.get(self.clock) or f"{self.period_ns:g}ns"
        return f"{v}@{c}"


@dataclass(frozen=True, eq=False)
class MapCorner:
    """A tile supply map at a target clock: instance ``i`` runs at ``tile_vdd[inst_tile[i]]``
    (V) and the single clock's period is ``period_ns``. The maps a FINE-VH selection
    picks (issue 13, build item 5): a stage that keeps them keeps every selected
    configuration timing-feasible (slack >= 0), whatever the uniform corners say."""

    inst_tile: np.ndarray            # int per instance
    tile_vdd: tuple[float, ...]      # V per tile
    period_ns: float
    clock = "period"

    @property
    def vdd(self) -> float:
        """The map's lowest supply (V): the one its slow-down factors are measured at."""
        return float(min(self.tile_vdd))

    @property
    def label(self) -> str:
        lv = sorted({round(v, 4) for v in self.tile_vdd})
        if len(lv) == 1:
            return f"{lv[0]:g}@{self.period_ns:g}ns"
        n_hi = sum(1 for v in self.tile_vdd if round(v, 4) == lv[-1])
        return (f"{'/'.join(f'{v:g}' for v in lv)} map ({n_hi} of {len(self.tile_vdd)} tiles at {lv[-1]:g})"
                f"@{self.period_ns:g}ns")

    def key(self) -> tuple:
        return (tuple(round(v, 6) for v in self.tile_vdd), round(self.period_ns, 9))


def distinct_maps(maps) -> list[MapCorner]:
    """``maps`` without repeats: per supply map the shortest period only (a map that meets
    a clock meets every longer one), in first-seen order."""
    best: dict[tuple, MapCorner] = {}
    for m in maps:
        k = tuple(round(v, 6) for v in m.tile_vdd)
        if k not in best or m.period_ns < best[k].period_ns:
            best[k] = m
    return list(best.values())


def parse_corners(text: str, source: str | None = None) -> list[CornerSpec] | None:
    """Parse ``--corners``: ``auto`` (None) or a comma-separated list of ``V@CLOCK`` with
    V in volts (``1.0``, ``0.8V``, ``nom`` = the design's own binding) and CLOCK one of
    ``SDC``, ``fmax``, ``<T>ns`` (period) or ``<F>MHz``."""
    t = (text or "").strip()
    if not t or t.lower() == "auto":
        return None
    out: list[CornerSpec] = []
    for item in t.split(","):
        item = item.strip()
        if not item:
            continue
        if item.count("@") != 1:
            raise InputError(f"corner '{item}': expected V@CLOCK (e.g. 1.0@SDC, 0.8@fmax, 0.6@12.5ns)", source)
        v, c = (x.strip() for x in item.split("@"))
        if v.lower() in ("nom", "nominal"):
            vdd = None
        else:
            try:
                vdd = float(v[:-1] if v[-1:] in ("V", "v") else v)
            except ValueError:
                raise InputError(f"corner '{item}': bad supply '{v}' (volts, or 'nom')", source) from None
            if not (math.isfinite(vdd) and vdd > 0):
                raise InputError(f"corner '{item}': the supply must be a finite value > 0 V", source)
        cl = c.lower()
        if cl == "sdc":
            spec = CornerSpec(vdd, "sdc")
        elif cl == "fmax":
            spec = CornerSpec(vdd, "fmax")
        else:
            try:
                if cl.endswith("mhz"):
                    per = 1000.0 / float(cl[:-3])
                elif cl.endswith("ns"):
                    per = float(cl[:-2])
                else:
                    raise ValueError
            except (ValueError, ZeroDivisionError):
                raise InputError(f"corner '{item}': bad clock '{c}' (SDC, fmax, <T>ns or <F>MHz)", source) from None
            if not (math.isfinite(per) and per > 0):
                raise InputError(f"corner '{item}': the period must be a finite value > 0", source)
            spec = CornerSpec(vdd, "period", per)
        if spec not in out:
            out.append(spec)
    if not out:
        raise InputError("--corners: no corner given", source)
    return out


def auto_corners(nominal_v: float | None, levels) -> list[CornerSpec]:
    """``auto``: the nominal supply at the SDC clock, plus every other supply of
    ``levels`` below it at its fmax (the interval edges the power manager hops between)."""
    out = [CornerSpec(nominal_v, "sdc")]
    if nominal_v is None:
        return out
    for v in sorted({round(float(x), 4) for x in levels}, reverse=True):
        if v < nominal_v - 1e-6:
            out.append(CornerSpec(v, "fmax"))
    return out


def nominal_voltage(design) -> float | None:
    """The supply (V) every instance of ``design`` is bound at (None if mixed/unknown)."""
    ls = design.libset
    vs = set()
    for k in np.unique(design.inst_cell).tolist():
        if design.cells[k].black_box:
            continue
        try:
            v = ls.library_of(design.cells[k]).voltage
        except InputError:
            return None
        vs.add(None if v is None else round(float(v), 4))
    return vs.pop() if len(vs) == 1 else None


@dataclass
class CornerReport:
    label: str
    vdd: float | None
    period_ns: float
    d_avg_ns: float
    alpha_sd: dict
    worst_before_ns: float
    worst_after_ns: float
    tns_before_ns: float
    tns_after_ns: float


@dataclass
class _Timed:
    """What the assignment reads of a pass at a corner whose timer does not keep it:
    worst slack and TNS (ns), the endpoint table, and the worst paths of the endpoints
    that violated the stage's limit (endpoint name -> {instance: cell-arc delay, ns})."""

    worst_slack: float
    tns: float
    table: object
    paths: dict


def _bad_endpoints(table, limit: float) -> list:
    """Endpoints with slack below ``limit`` (ns), worst first (ties: by name)."""
    return sorted(table.endpoints(np.nonzero(table.slack < limit - SLACK_EPS_NS)[0]), key=lambda e: (e.slack, e.name))


class _Corner:
    """One operating corner: a view of the design (own ``inst_cell``, shared cell table)
    bound at the corner's supply, and a timer at the corner's clock.

    Only the main corner (the design's own binding at the SDC clock, timed by the
    caller's timer) keeps its pass state between updates (incremental re-timing). Every
    other corner's timer releases it once the assignment has read what it needs
    (:class:`_Timed`): one pass state alive at a time instead of one per corner, about
    1 KB per instance each (issue 16); their passes are full passes, same results."""

    def __init__(self, spec: CornerSpec, design, timer, nominal: float | None):
        import copy
        from dataclasses import replace

        from ..timing.binding import bind_voltage
        from ..timing.engine import Timer

        self.spec = spec
        self.inst_vdd = None          # per-instance supply of a map corner (V)
        tc = timer.constraints
        if isinstance(spec, MapCorner):
            self.main = False
            self.vdd = spec.vdd
            if nominal is None:
                raise InputError(f"corner {spec.label}: the design is not bound at one supply")
            if len(tc.clocks) != 1:
                raise InputError(f"corner {spec.label}: tile maps need a single-clock design "
                                 f"({len(tc.clocks)} clocks)")
            tv = np.asarray(spec.tile_vdd, dtype=np.float64)
            it = np.asarray(spec.inst_tile, dtype=np.int64)
            if it.shape != (design.n_instances,) or (it.size and (it.min() < 0 or it.max() >= tv.size)):
                raise InputError(f"corner {spec.label}: the map does not cover the design's "
                                 f"{design.n_instances} instances")
            self.inst_vdd = tv[it]
            self.design = replace(design, inst_cell=design.inst_cell.copy())
            for v in np.unique(self.inst_vdd).tolist():
                try:
                    bind_voltage(self.design, np.nonzero(self.inst_vdd == v)[0], v)
                except InputError as e:
                    raise InputError(f"corner {spec.label}: {e.message}", e.path, e.line) from None
            self.period_ns = float(spec.period_ns)
            tc2 = copy.copy(tc)
            tc2.clocks = [replace(tc.clocks[0], period=self.period_ns)]
            self.timer = self._new_timer(Timer, tc2, timer)
            return
        self.main = spec.vdd is None or (nominal is not None and abs(spec.vdd - nominal) < 1e-6)
        self.vdd = nominal if spec.vdd is None else spec.vdd
        if self.main:
            self.design = design
        else:
            if nominal is None:
                raise InputError(f"corner {spec.label}: the design is not bound at one supply")
            self.design = replace(design, inst_cell=design.inst_cell.copy())
            try:
                bind_voltage(self.design, np.arange(design.n_instances), spec.vdd)
            except InputError as e:
                raise InputError(f"corner {spec.label}: {e.message}", e.path, e.line) from None
        if spec.clock == "sdc":
            self.period_ns = float(min(c.period for c in tc.clocks)) if tc.clocks else float("nan")
            self.timer = timer if self.main else self._new_timer(Timer, tc, timer)
            return
        if len(tc.clocks) != 1:
            raise InputError(f"corner {spec.label}: fmax and explicit periods need a single-clock design "
                             f"({len(tc.clocks)} clocks)")
        if spec.clock == "fmax":
            t0 = timer if self.main else self._new_timer(Timer, tc, timer)
            r = t0.update()
            period = float(tc.clocks[0].period - r.worst_slack)
            if not np.isfinite(period) or period <= 0:
                raise InputError(f"corner {spec.label}: no timed path to set fmax from")
        else:
            period = float(spec.period_ns)
        self.period_ns = period
        tc2 = copy.copy(tc)
        tc2.clocks = [replace(tc.clocks[0], period=period)]
        self.timer = self._new_timer(Timer, tc2, timer)

    def first(self, ctx) -> tuple[object, float]:
        """The corner's first pass and the mean cell delay of its worst path (ns)."""
        r = self.timer.update()
        d_avg = critical_path_d_avg(self.timer, r)
        return self._keep(ctx, r, None, 0), d_avg

    def update(self, ctx, limit: float | None = None, n_paths: int = 0):
        """Re-time the corner. A kept (main) corner returns the pass itself; any other
        reduces it to :class:`_Timed` (with the worst paths of up to ``n_paths``
        endpoints below ``limit``) and releases the timer's pass state."""
        return self._keep(ctx, self.timer.update(), limit, n_paths)

    def _keep(self, ctx, r, limit, n_paths):
        if self.main:
            return r
        paths = {}
        if limit is not None and r.worst_slack < limit - SLACK_EPS_NS:
            for e in _bad_endpoints(r.table, limit)[:n_paths]:
                paths[e.name] = ctx.path_delays(e, self.timer)
        out = _Timed(r.worst_slack, r.tns, r.table, paths)
        self.timer.release()
        return out

    def path_delays(self, ctx, e, res) -> dict[int, float]:
        """Cell-arc delay (ns) of each instance on the worst path into ``e`` in the pass ``res``."""
        return ctx.path_delays(e, self.timer) if self.main else res.paths[e.name]

    def inst_slack(self, ctx) -> np.ndarray:
        """Worst slack (ns) through each instance's outputs under the current binding; a
        released corner is timed again (a full pass: the same result as its last one)."""
        if self.main:
            return ctx.inst_slack(self.timer)
        self.timer.update()
        out = ctx.inst_slack(self.timer)
        self.timer.release()
        return out

    def _new_timer(self, Timer, tc, like):
        t = Timer(self.design, tc, like.wire_cap, like=like)
        t.single_precision_loads = like.single_precision_loads
        return t

    @property
    def label(self) -> str:
        if self.inst_vdd is not None:
            return self.spec.label
        v = f"{self.vdd:g}" if self.vdd is not None else "nom"
        return f"{v}@" + {"sdc": "SDC", "fmax": "fmax"}.get(self.spec.clock, "T") + f"({self.period_ns:.4f}ns)"

    def set_flavour(self, main_design, insts, flavour: str | None) -> None:
        """Bind ``insts`` of this view to the twin at the corner's supply of the cell the
        main design binds them to, of flavour ``flavour`` (None: that cell's own)."""
        if self.main or not len(insts):
            return
        from ..timing.binding import interpolated_cell

        ls = main_design.libset
        insts = np.asarray(insts, dtype=np.int64)
        cell = np.asarray(main_design.inst_cell)[insts]
        if self.inst_vdd is None:
            vdd = np.full(insts.size, self.vdd)
        else:
            vdd = self.inst_vdd[insts]
        # one twin per (bound cell, supply)
        keys, inv = np.unique(np.stack([cell.astype(np.float64), vdd]), axis=1, return_inverse=True)
        targets = []
        for u, v in zip(keys[0].astype(np.int64).tolist(), keys[1].tolist()):
            c = main_design.cells[u]
            targets.append(interpolated_cell(ls, c, v, flavour if flavour is not None else ls.split(c)[1]))
        self.design.rebind(insts.tolist(), [targets[k] for k in np.asarray(inv).ravel().tolist()])


def _corner_alpha(libset, base_cells, stages, vdd, main_vdd) -> dict[str, float]:
    """α_sd per flavour at supply ``vdd`` (twins at that supply, interpolated if need be)."""
    if vdd is None or main_vdd is None or abs(vdd - main_vdd) < 1e-6:
        return slowdown_factors(libset, base_cells, stages)
    from ..timing.binding import interpolated_cell

    def twin_at(c, fl):
        return interpolated_cell(libset, c, vdd, fl)

    base_v = [twin_at(c, libset.split(c)[1]) for c in base_cells]
    orig = {id(b): c for b, c in zip(base_v, base_cells)}
    return slowdown_factors(libset, base_v, stages,
                            twin_fn=lambda b, fl: twin_at(orig[id(b)], fl))


def assign_polybias(design, timer, interface: np.ndarray, stages: list[str],
                    alpha: dict[str, float] | None = None, max_rounds: int = 200,
                    paths_per_round: int | None = None, corners: list[CornerSpec] | None = None) -> PolybiasResult:
    """Run the staged assignment in place on ``design`` (instances are rebound).

    ``stages``: flavours in stage order (slowest first). ``alpha``: α_sd per flavour
    at the design's own supply (default: measured with :func:`slowdown_factors` over
    the design's cells; at other corners always measured at that corner's supply).
    ``corners``: operating corners every stage must keep (WNS per corner not worse than
    before the stage; candidates need slack > S_th at every corner). None = the single
    corner ``timer`` times (the design's binding at its constraints' clock). A corner at
    the design's own supply with the SDC clock is timed by ``timer`` itself.
    ``paths_per_round``: violating paths undone per corner and back-off round (default
    :data:`PATHS_PER_ROUND`, or one per :data:`INSTANCES_PER_PATH` instances if more).
    """
    libset = design.libset
    rule = libset.rule
    if rule is None:
        raise InputError("the library set has no flavour rule: cannot tell flavours apart "
                         "(give --rule or libraries named by flavour)")
    for f in stages:
        if f not in rule.flavours:
            raise InputError(f"unknown flavour '{f}' (the library set has {', '.join(libset.flavours())})")
    if paths_per_round is None:
        paths_per_round = max(PATHS_PER_ROUND, design.n_instances // INSTANCES_PER_PATH)
    ctx = _Ctx(design, timer)
    nominal = nominal_voltage(design)
    specs = list(corners) if corners else [CornerSpec(None, "sdc")]
    cs = [_Corner(sp, design, timer, nominal) for sp in specs]
    used_ci = set(np.unique(design.inst_cell).tolist())
    base_list = [design.cells[k] for k in sorted(used_ci)]
    first = [c.first(ctx) for c in cs]
    res_c = [r for r, _ in first]
    worst0 = [r.worst_slack for r in res_c]
    tns0 = [r.tns for r in res_c]
    d_avg = [d for _, d in first]
    del first
    alphas = []
    for k, c in enumerate(cs):
        if c.main and alpha is not None:
            alphas.append(dict(alpha))
        else:
            alphas.append(_corner_alpha(libset, base_list, stages, c.vdd, nominal))
    for k, c in enumerate(cs):
        progress(f"polybias corner {c.label}: worst slack {worst0[k]:.4f} ns, d_avg {d_avg[k] * 1e3:.2f} ps; "
                 "alpha_sd " + ", ".join(f"{f} {100 * alphas[k][f]:.2f} %" for f in stages))
    # per instance as arrays, not dicts (about 300 B per instance at 1M cells, issue 16):
    # the base cell (index into design.cells), whether it is a candidate, the stage that
    # swapped it (-1: none); flavours per cell of the table
    iface = np.asarray(interface, dtype=bool).copy()
    base_ci = np.asarray(design.inst_cell).copy()
    cell_flavour = {ci: libset.split(design.cells[ci])[1] for ci in np.unique(base_ci[iface]).tolist()}
    swapped = np.full(design.n_instances, -1, dtype=np.int32)
    twin_memo: dict[tuple[int, str], object] = {}       # (base cell index, flavour) -> twin or None

    def twin_of(ci: int, fl: str):
        key = (ci, fl)
        if key not in twin_memo:
            try:
                twin_memo[key] = libset.twin(design.cells[ci], flavour=fl)
            except InputError:
                twin_memo[key] = None
        return twin_memo[key]

    reports: list[StageReport] = []

    def rebind_all(insts: list[int], to_flavour: str | None) -> None:
        """Bind ``insts`` to flavour ``to_flavour`` (None: back to their base cells) in
        the design and in every corner view."""
        if not insts:
            return
        uniq, inv = np.unique(base_ci[np.asarray(insts, dtype=np.int64)], return_inverse=True)
        if to_flavour is None:
            targets = [design.cells[u] for u in uniq.tolist()]
        else:
            targets = [twin_of(u, to_flavour) for u in uniq.tolist()]
        design.rebind(insts, [targets[k] for k in inv.tolist()])
        for c in cs:
            c.set_flavour(design, insts, to_flavour)

    def update_all(limits=None):
        return [c.update(ctx, None if limits is None else limits[k], paths_per_round) for k, c in enumerate(cs)]

    def violations(rs, limits):
        return [(r.worst_slack - lim, k) for k, (r, lim) in enumerate(zip(rs, limits)) if r.worst_slack < lim - SLACK_EPS_NS]

    # the main corner once more after the other corners' timers were built (its pass is
    # unchanged; the others' first passes stand: nothing was re-bound since)
    res_c = [c.update(ctx) if c.main else r for c, r in zip(cs, res_c)] if len(cs) > 1 else res_c
    for fl in stages:
        worst_before = [r.worst_slack for r in res_c]
        # WNS not worse than before the stage; at an fmax corner (a clock derived from the
        # design's own critical delay, worst slack 0 by construction): not worse than
        # before the assignment
        limits = [min(worst0[k], 0.0) if c.spec.clock == "fmax" else min(w, 0.0)
                  for k, (w, c) in enumerate(zip(worst_before, cs))]
        s_th = [d * a[fl] for d, a in zip(d_avg, alphas)]
        margin = None                                                   # ns, worst corner
        for c, t in zip(cs, s_th):
            m = c.inst_slack(ctx) - t
            margin = m if margin is None else np.minimum(margin, m)
        # base cells of a faster flavour that have a twin of this one
        ok_cell = np.zeros(len(design.cells), dtype=bool)
        for ci, f0 in cell_flavour.items():
            ok_cell[ci] = rule.order(f0) < rule.order(fl) and twin_of(ci, fl) is not None
        with np.errstate(invalid="ignore"):
            cand = np.nonzero(iface & (swapped < 0) & ok_cell[base_ci] & (margin > 0))[0].tolist()
        live = set(cand)
        rebind_all(cand, fl)
        rounds = 0
        res_c = update_all(limits)
        # (corner, endpoint) -> (deficit last round (ns), fan-in hops searched)
        deficit: dict[tuple[int, str], tuple[float, int]] = {}
        while live and violations(res_c, limits) and rounds < max_rounds:
            rounds += 1
            seen: dict[tuple[int, str], tuple[float, int]] = {}
            # per violating path (worst corner first, the worst paths of each corner): undo
            # the stage's swaps on it with the largest delay increase α/(1+α)·d until the
            # path's deficit is covered; a path with none of them on it: its net
            # neighbours (side loads' pin capacitance), then two hops (slews)
            undo: set[int] = set()
            for _v, k in sorted(violations(res_c, limits)):
                a = alphas[k][fl]
                for e in _bad_endpoints(res_c[k].table, limits[k])[:paths_per_round]:
                    pd = cs[k].path_delays(ctx, e, res_c[k])
                    need = limits[k] - e.slack
                    key = (k, e.name)
                    seen[key] = (need, _MAX_HOPS)
                    if key in deficit and need >= deficit[key][0] - SLACK_EPS_NS:
                        # the last round's undo did not help this path: the swaps that slow
                        # it lie further out (slews merging several hops away). Undo the live
                        # swaps one fan-in hop further out than last time (and on those
                        # cells' nets), up to the registers that start the paths.
                        hops = deficit[key][1] + 1
                        seen[key] = (need, hops)
                        undo |= ctx.neighbours(ctx.cone(set(pd), hops)) & live
                        continue
                    gain = {i: d * a / (1 + a) for i, d in pd.items() if i in live}
                    need -= sum(g for i, g in gain.items() if i in undo)
                    if need <= SLACK_EPS_NS:
                        continue
                    mine = sorted(((g, i) for i, g in gain.items() if i not in undo), key=lambda t: (-t[0], t[1]))
                    if mine:
                        for g, i in mine:
                            undo.add(i)
                            need -= g
                            if need <= SLACK_EPS_NS:
                                break
                        continue
                    # side loads on the path's nets (pin capacitance), then the path's fan-in
                    # cone hop by hop (a slower slew merges into the path's worst slew)
                    near = ctx.neighbours(set(pd)) & live
                    ring = set(pd)
                    for _hop in range(_MAX_HOPS):
                        if near:
                            break
                        ring = ctx.fanin(ring)
                        near = ring & live
                    undo |= near
            deficit = seen
            if not undo:
                order = sorted(live, key=lambda i: (margin[i], i))
                undo = set(order[: max(1, len(order) // 2)])
            k = min(violations(res_c, limits))[1]
            rebind_all(sorted(undo), None)
            live -= undo
            res_c = update_all(limits)
            debug(f"polybias {fl}: back-off round {rounds} (corner {cs[k].label}): undid {len(undo)}, worst "
                  + ", ".join(f"{r.worst_slack:.4f}" for r in res_c) + " ns")
        if live and violations(res_c, limits):   # max_rounds hit: drop the whole stage
            rebind_all(sorted(live), None)
            live.clear()
            res_c = update_all()
        swapped[np.fromiter(live, dtype=np.int64, count=len(live))] = stages.index(fl)
        after = [r.worst_slack for r in res_c]
        reports.append(StageReport(fl, alphas[0][fl], s_th[0], len(cand), len(live), rounds, worst_before[0],
                                   after[0],
                                   corners=[{"corner": c.label, "alpha_sd": alphas[k][fl], "s_th_ns": s_th[k],
                                             "worst_before_ns": worst_before[k], "worst_after_ns": after[k]}
                                            for k, c in enumerate(cs)]))
        progress(f"polybias {fl}: {len(cand)} candidates, {len(live)} kept ({rounds} back-off rounds); "
                 + "; ".join(f"{c.label}: S_th {s_th[k] * 1e3:.2f} ps, worst {worst_before[k]:.4f} -> "
                             f"{after[k]:.4f} ns" for k, c in enumerate(cs)))
    crep = [CornerReport(c.label, c.vdd, c.period_ns, d_avg[k], {f: alphas[k][f] for f in stages}, worst0[k],
                         res_c[k].worst_slack, tns0[k], res_c[k].tns) for k, c in enumerate(cs)]
    del cs, ctx                 # the corner views and timers, before the swap list is built
    sw = np.nonzero(swapped >= 0)[0]
    swaps = [(i, design.cells[b].name, design.cell_of(i).name, stages[k])
             for i, b, k in zip(sw.tolist(), base_ci[sw].tolist(), swapped[sw].tolist())]
    count: dict[str, int] = {}
    # every candidate's final flavour: the stage that swapped it, else its base cell's
    fin = np.nonzero(iface)[0]
    codes = np.where(swapped[fin] >= 0, swapped[fin], len(stages) + base_ci[fin])
    for code, n in zip(*np.unique(codes, return_counts=True)):
        code = int(code)
        f = (stages[code] if code < len(stages) else cell_flavour[code - len(stages)]) or "-"
        count[f] = count.get(f, 0) + int(n)
    return PolybiasResult(swaps, reports, int(iface.sum()), d_avg[0], worst0[0], res_c[0].worst_slack, tns0[0],
                          res_c[0].tns,
                          dict(sorted(count.items(), key=lambda kv: (rule.order(kv[0]), kv[0]))), crep)


def default_stages(libset, design, interface: np.ndarray) -> list[str]:
    """Every flavour slower than the interface cells' fastest flavour, slowest first."""
    rule = libset.rule
    if rule is None:
        raise InputError("the library set has no flavour rule (give --rule or --flavours)")
    present = libset.flavours()
    idx = np.nonzero(interface)[0]
    cur = [libset.split(design.cell_of(int(i)))[1] for i in idx[:1000]]
    fastest = min((rule.order(f) for f in cur), default=0)
    return [f for f in reversed(present) if rule.order(f) > fastest]
