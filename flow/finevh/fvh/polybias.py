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

from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ..progress import debug, progress

_EPS = 1e-6   # ns: slack comparisons (1 fs)


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


def _table_ratio(a, b) -> list[float]:
    if a is None or b is None:
        return []
    va, vb = np.asarray(a.values, float), np.asarray(b.values, float)
    if va.shape != vb.shape:
        return []
    m = np.abs(va) > 1e-12
    return (vb[m] / va[m]).tolist()


def slowdown_factors(libset, base_cells, flavours: list[str]) -> dict[str, float]:
    """α_sd per flavour: mean over every delay-table entry (cell_rise / cell_fall of
    every arc, combinational and clock-to-output) of twin/base − 1, over ``base_cells``
    (distinct cells) that have a twin in the flavour."""
    out: dict[str, float] = {}
    for fl in flavours:
        ratios: list[float] = []
        for c in base_cells:
            try:
                t = libset.twin(c, flavour=fl)
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
    if not res.endpoints:
        return 0.0
    ep = min(res.endpoints, key=lambda e: (e.slack, e.name))
    delays = [s["delay"] for s in timer.path(ep) if s["load"] is not None and s["cell"] not in ("in", "out")]
    return float(np.mean(delays)) if delays else 0.0


def _worst(res) -> float:
    return min((e.slack for e in res.endpoints), default=np.inf)


class _Ctx:
    def __init__(self, design, timer):
        from ..design import DIR_OUTPUT

        self.design = design
        self.timer = timer
        nl = design.netlist
        self.pin_inst = design.pin_inst
        self.out_pin = design.pin_dir == DIR_OUTPUT
        self.inst_of_name = {n: i for i, n in enumerate(nl.inst_names)}
        # instances on each net (drivers and loads), for the back-off neighbourhood
        P = design.n_pins
        ptr, terms = design.net_term_ptr, design.net_terms
        self.net_insts = [self.pin_inst[t[t < P]] for t in (terms[ptr[m]:ptr[m + 1]] for m in range(nl.n_nets))]

    def inst_slack(self) -> np.ndarray:
        """Worst slack (ns) through each instance's output pins (+inf if none)."""
        ps = self.timer.pin_slacks()
        P = self.design.n_pins
        sl = np.full(self.design.n_instances, np.inf)
        pins = np.nonzero(self.out_pin)[0]
        np.minimum.at(sl, self.pin_inst[pins], ps[:P][pins])
        return sl

    def path_insts(self, ep) -> set[int]:
        out = set()
        for s in self.timer.path(ep):
            name = s["pin"]
            if "/" in name:
                i = self.inst_of_name.get(name.rsplit("/", 1)[0])
                if i is not None:
                    out.add(i)
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
                    out.update(self.net_insts[m].tolist())
        return out


def assign_polybias(design, timer, interface: np.ndarray, stages: list[str],
                    alpha: dict[str, float] | None = None, max_rounds: int = 200,
                    paths_per_round: int = 1) -> PolybiasResult:
    """Run the staged assignment in place on ``design`` (instances are rebound).

    ``stages``: flavours in stage order (slowest first). ``alpha``: α_sd per flavour
    (default: measured with :func:`slowdown_factors` over the design's cells).
    """
    libset = design.libset
    rule = libset.rule
    if rule is None:
        raise InputError("the library set has no flavour rule: cannot tell flavours apart "
                         "(give --rule or libraries named by flavour)")
    for f in stages:
        if f not in rule.flavours:
            raise InputError(f"unknown flavour '{f}' (the library set has {', '.join(libset.flavours())})")
    ctx = _Ctx(design, timer)
    res = timer.update()
    worst0, tns0 = _worst(res), res.tns
    d_avg = critical_path_d_avg(timer, res)
    used = {id(design.cells[k]): design.cells[k] for k in np.unique(design.inst_cell).tolist()}
    if alpha is None:
        alpha = slowdown_factors(libset, list(used.values()), stages)
    progress(f"polybias: d_avg {d_avg * 1e3:.2f} ps on the critical path; alpha_sd "
             + ", ".join(f"{f} {100 * alpha[f]:.2f} %" for f in stages))
    base_cell = {i: design.cell_of(i) for i in np.nonzero(interface)[0].tolist()}
    cur_flavour = {i: libset.split(c)[1] for i, c in base_cell.items()}
    swapped: dict[int, str] = {}
    reports: list[StageReport] = []
    for fl in stages:
        worst_before = _worst(res)
        limit = min(worst_before, 0.0)
        s_th = d_avg * alpha[fl]
        slack = ctx.inst_slack()
        cand, twins = [], []
        for i in sorted(base_cell):
            if i in swapped or rule.order(cur_flavour[i]) >= rule.order(fl) or not slack[i] > s_th:
                continue
            try:
                t = libset.twin(base_cell[i], flavour=fl)
            except InputError:
                continue
            cand.append(i)
            twins.append(t)
        live = dict(zip(cand, twins))
        if live:
            design.rebind(list(live), list(live.values()))
        rounds = 0
        res = timer.update()
        while live and _worst(res) < limit - _EPS and rounds < max_rounds:
            rounds += 1
            bad = sorted((e for e in res.endpoints if e.slack < limit - _EPS), key=lambda e: (e.slack, e.name))
            on_path: set[int] = set()
            for e in bad[:paths_per_round]:
                on_path |= ctx.path_insts(e)
            # a swap slows a path through its own delay, through its input capacitance
            # (the driver's delay and slew) and through the slew its driver passes on to
            # the other loads: two net hops around the path cover all three
            undo = on_path & set(live)
            if not undo:
                undo = ctx.neighbours(on_path) & set(live)
            if not undo:
                undo = ctx.neighbours(ctx.neighbours(on_path)) & set(live)
            if not undo:
                order = sorted(live, key=lambda i: (slack[i], i))
                undo = set(order[: max(1, len(order) // 2)])
            design.rebind(sorted(undo), [base_cell[i] for i in sorted(undo)])
            for i in undo:
                del live[i]
            res = timer.update()
            debug(f"polybias {fl}: back-off round {rounds}: undid {len(undo)}, worst {_worst(res):.4f} ns")
        if live and _worst(res) < limit - _EPS:   # max_rounds hit: drop the whole stage
            design.rebind(sorted(live), [base_cell[i] for i in sorted(live)])
            live.clear()
            res = timer.update()
        for i in live:
            swapped[i] = fl
        reports.append(StageReport(fl, alpha[fl], s_th, len(cand), len(live), rounds, worst_before, _worst(res)))
        progress(f"polybias {fl}: S_th {s_th * 1e3:.2f} ps, {len(cand)} candidates, {len(live)} kept "
                 f"({rounds} back-off rounds), worst slack {worst_before:.4f} -> {_worst(res):.4f} ns")
    swaps = [(i, base_cell[i].name, design.cell_of(i).name, swapped[i]) for i in sorted(swapped)]
    count: dict[str, int] = {}
    for i in base_cell:
        f = swapped.get(i, cur_flavour[i]) or "-"
        count[f] = count.get(f, 0) + 1
    return PolybiasResult(swaps, reports, len(base_cell), d_avg, worst0, _worst(res), tns0, res.tns,
                          dict(sorted(count.items(), key=lambda kv: (rule.order(kv[0]), kv[0]))))


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
