"""Characterised cells against a reference Liberty: relative errors per cell.

Delay (cell_rise/cell_fall) and transition tables are compared point by point at the
reference index values the characterisation used; leakage per ``when`` state; pin
capacitance per input (the mean of rise and fall); setup/hold as absolute
differences (ns), since those values cross zero. Medians are of |error|.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...liberty.reader import read_liberty
from .result import CellResult

_KIND = {"comb": "combinational", "edge": "rising_edge", "clear": "clear", "preset": "preset"}


@dataclass
class CellError:
    cell: str
    delay: list[float] = field(default_factory=list)        # relative errors
    transition: list[float] = field(default_factory=list)
    leakage: list[float] = field(default_factory=list)
    capacitance: list[float] = field(default_factory=list)
    constraint_ns: list[float] = field(default_factory=list)  # absolute, ns
    seconds: float = 0.0                                      # ngspice CPU time, s


def _at(table, slews: np.ndarray, loads: np.ndarray) -> np.ndarray:
    """Reference table values at our axis points (which are among its indices)."""
    i = [int(np.argmin(np.abs(table.indices[0] - s))) for s in slews]
    j = [int(np.argmin(np.abs(table.indices[1] - c))) for c in loads]
    return table.values[np.ix_(i, j)]


def _rel(ours: np.ndarray, ref: np.ndarray) -> list[float]:
    ok = np.abs(ref) > 0
    return ((ours[ok] - ref[ok]) / np.abs(ref[ok])).ravel().tolist()


def compare_cells(results: list[CellResult], reference) -> list[CellError]:
    """Per-cell errors of ``results`` against the reference Liberty file (path)."""
    lib = read_liberty(reference)
    out = []
    for r in results:
        cell = lib.cells.get(r.spec.name)
        e = CellError(r.name, seconds=r.cpu_seconds)
        out.append(e)
        if cell is None:
            continue
        used: set[int] = set()
        for t in r.arcs:
            a = t.arc
            cands = [x for x in cell.pins[a.output].timing
                     if x.related_pin == a.related and x.timing_type == _KIND[a.kind]
                     and x.timing_sense == a.sense and id(x) not in used]
            if not cands:
                continue
            ref = cands[0]
            used.add(id(ref))
            for kind, into in (("cell_rise", e.delay), ("cell_fall", e.delay),
                               ("rise_transition", e.transition), ("fall_transition", e.transition)):
                ours, rt = getattr(t, kind), getattr(ref, kind)
                if ours is not None and rt is not None:
                    into += _rel(ours, _at(rt, t.slews, t.loads))
        refleak = {s.when: s.value * 1e3 for s in cell.leakage if s.when}      # uW -> nW
        for w, v in r.leakage:
            if refleak.get(w):
                e.leakage.append((v - refleak[w]) / refleak[w])
        for p, (cr, cf) in r.pin_cap.items():
            rp = cell.pins.get(p)
            if rp is not None and rp.capacitance > 0:
                e.capacitance.append(((cr + cf) / 2 - rp.capacitance) / rp.capacitance)
        for c in r.constraints:
            ref = next((x for x in cell.pins[c.pin].timing
                        if x.timing_type == f"{c.kind}_rising" and x.related_pin == c.clock), None)
            if ref is None:
                continue
            for ours, rt in ((c.rise, ref.rise_constraint), (c.fall, ref.fall_constraint)):
                if rt is not None:
                    e.constraint_ns += (ours - _at(rt, c.clock_slews, c.pin_slews)).ravel().tolist()
    return out


def _med(x: list[float]) -> float:
    return float(np.median(np.abs(x))) if x else float("nan")


def summary(errors: list[CellError]) -> dict[str, float]:
    """Median |error| over every compared point of every cell (fractions; ns for setup/hold)."""
    pool = lambda k: [v for e in errors for v in getattr(e, k)]   # noqa: E731
    return {k: _med(pool(k)) for k in ("delay", "transition", "leakage", "capacitance", "constraint_ns")}


def _pct(x: float) -> str:
    return "-" if np.isnan(x) else f"{100 * x:.1f}"


def format_table(errors: list[CellError], title: str) -> str:
    """Markdown table: per cell median |error| (%) of delay, transition, leakage,
    capacitance, setup/hold (ns), ngspice CPU seconds; last row: pooled medians."""
    rows = [f"| cell ({title}) | delay % | transition % | leakage % | pin cap % | setup/hold ns | CPU s |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for e in errors:
        c = _med(e.constraint_ns)
        rows.append(f"| {e.cell} | {_pct(_med(e.delay))} | {_pct(_med(e.transition))} | {_pct(_med(e.leakage))} | "
                    f"{_pct(_med(e.capacitance))} | {'-' if np.isnan(c) else f'{c:.3f}'} | {e.seconds:.1f} |")
    s = summary(errors)
    c = s["constraint_ns"]
    rows.append(f"| **all (pooled median)** | {_pct(s['delay'])} | {_pct(s['transition'])} | {_pct(s['leakage'])} | "
                f"{_pct(s['capacitance'])} | {'-' if np.isnan(c) else f'{c:.3f}'} | "
                f"{sum(e.seconds for e in errors):.1f} |")
    return "\n".join(rows)
