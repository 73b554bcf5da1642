"""What to measure for one cell: pins, arcs (with side-input values), leakage states
and table axes, taken from a reference Liberty cell (e.g. SkyWater's shipped one).

The arc list, unate sense and table axes come from the reference so that results are
directly comparable; the side-input values of each arc come from the output's
``function``: the first assignment (other inputs counted in binary, first input most
significant) under which the output follows the related pin. A ``non_unate`` arc gets
one positive and one negative assignment; the tables keep the worse of the two.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from ...activity.expr import parse, eval_bool
from ...errors import InputError
from ...liberty.model import Cell, Library


@dataclass(frozen=True)
class Case:
    """One way to exercise an arc: side-input values and the resulting sense."""

    side: tuple[tuple[str, int], ...]      # (pin, 0|1) of every other input
    positive: bool                         # output follows the related pin


@dataclass(frozen=True)
class Arc:
    """A combinational arc (``kind == "comb"``), a flip-flop's clock-to-output arc
    (``"edge"``, rising clock), or an asynchronous clear/preset arc (``"clear"`` /
    ``"preset"``: the related pin's active edge drives the output low / high)."""

    output: str
    related: str
    kind: str
    sense: str                              # Liberty timing_sense
    cases: tuple[Case, ...] = ()


@dataclass(frozen=True)
class Constraint:
    """Setup/hold of ``pin`` against the rising edge of ``clock``."""

    pin: str
    clock: str
    clock_slews: np.ndarray                 # ns (related_pin_transition)
    pin_slews: np.ndarray                   # ns (constrained_pin_transition)


@dataclass
class CellSpec:
    name: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    functions: dict[str, str]
    arcs: list[Arc]
    slews: dict[str, np.ndarray]            # output -> input-slew axis, ns
    loads: dict[str, np.ndarray]            # output -> load axis, pF
    leakage_when: tuple[str, ...]
    clock: str | None = None                # rising-edge flip-flops only
    data: str | None = None
    clear: str | None = None                # active-low asynchronous clear pin
    ff: tuple[str, str, str, str] | None = None   # (iq, iqn, clocked_on, next_state)
    ff_clear: str | None = None             # clear expression as written
    constraints: list[Constraint] = field(default_factory=list)
    area: float = 0.0


def _cases(expr: str, related: str, inputs: tuple[str, ...], want: str) -> tuple[Case, ...]:
    e = parse(expr)
    others = [p for p in inputs if p != related and p in e.variables()]
    pos = neg = None
    for bits in itertools.product((0, 1), repeat=len(others)):
        env = {p: np.array(b, dtype=bool) for p, b in zip(others, bits)}
        f0 = bool(eval_bool(e, {**env, related: np.array(False)}))
        f1 = bool(eval_bool(e, {**env, related: np.array(True)}))
        if f0 == f1:
            continue
        side = tuple(zip(others, bits))
        if f1 and pos is None:
            pos = Case(side, True)
        if not f1 and neg is None:
            neg = Case(side, False)
    picks = {"positive_unate": (pos,), "negative_unate": (neg,)}.get(want, (pos, neg))
    return tuple(c for c in picks if c is not None)


def _axes(cell: Cell, out: str) -> tuple[np.ndarray, np.ndarray]:
    for a in cell.pins[out].timing:
        t = a.cell_rise or a.cell_fall
        if t is not None and len(t.indices) == 2:
            return np.asarray(t.indices[0], float), np.asarray(t.indices[1], float)
    raise InputError(f"{cell.name}: output {out} has no 2-D delay table to take the axes from")


def cell_spec(lib: Library, name: str) -> CellSpec:
    """The :class:`CellSpec` of ``name`` read from the reference library ``lib``."""
    cell = lib.cells.get(name)
    if cell is None:
        raise InputError(f"cell {name} is not in the reference Liberty", lib.path)
    ins = tuple(p.name for p in cell.input_pins())
    outs = tuple(p.name for p in cell.output_pins() if p.timing)
    seq = cell.sequential
    if seq is not None and (seq.kind != "ff" or seq.preset):
        raise InputError(f"{name}: only rising-edge flip-flops with an optional clear are supported")
    arcs: list[Arc] = []
    cons: list[Constraint] = []
    slews, loads, funcs = {}, {}, {}
    clock = data = clear = None
    if seq is not None:
        clock = seq.clocked_on.strip() if seq.clocked_on else None
        data = (seq.next_state or "").strip()
        if clock not in ins or data not in ins:
            raise InputError(f"{name}: clocked_on/next_state must be plain input pins")
        if seq.clear:
            clr = seq.clear.strip().lstrip("!").strip("() ")
            clear = clr if clr in ins else None
    for o in outs:
        pin = cell.pins[o]
        funcs[o] = pin.function or ""
        slews[o], loads[o] = _axes(cell, o)
        for a in pin.timing:
            if a.timing_type == "combinational":
                cs = _cases(funcs[o], a.related_pin, ins, a.timing_sense)
                if not cs:
                    raise InputError(f"{name}: {a.related_pin} -> {o} is not sensitisable from '{funcs[o]}'")
                arcs.append(Arc(o, a.related_pin, "comb", a.timing_sense, cs))
            elif a.timing_type == "rising_edge":
                arcs.append(Arc(o, a.related_pin, "edge", a.timing_sense))
            elif a.timing_type in ("clear", "preset"):
                arcs.append(Arc(o, a.related_pin, a.timing_type, a.timing_sense))
    for p in cell.input_pins():
        for a in p.timing:
            if a.timing_type == "setup_rising" and a.rise_constraint is not None:
                t = a.rise_constraint
                cs = np.asarray(t.indices[0], float)
                ps = np.asarray(t.indices[1], float) if len(t.indices) > 1 else cs
                cons.append(Constraint(p.name, a.related_pin, cs, ps))
    whens = tuple(s.when for s in cell.leakage if s.when)
    ff = None
    if seq is not None:
        ff = (seq.iq, seq.iqn, seq.clocked_on or "", seq.next_state or "")
    return CellSpec(name, ins, outs, funcs, arcs, slews, loads, whens, clock, data, clear, ff,
                    seq.clear if seq is not None else None, cons, cell.area)


def pick(n_axis: int, n: int | None) -> np.ndarray:
    """Indices of ``n`` points spread evenly over an axis of ``n_axis`` (ends kept)."""
    if n is None or n >= n_axis:
        return np.arange(n_axis)
    if n < 2:
        raise InputError("a table needs at least 2 points per axis")
    return np.unique(np.round(np.linspace(0, n_axis - 1, n)).astype(int))


def reduce(spec: CellSpec, points: int | None, constraint_points: int | None = None) -> CellSpec:
    """``spec`` with every delay axis cut to ``points`` of the reference's index values
    (and constraint axes to ``constraint_points``); None keeps them whole."""
    from dataclasses import replace

    sl = {o: a[pick(len(a), points)] for o, a in spec.slews.items()}
    ld = {o: a[pick(len(a), points)] for o, a in spec.loads.items()}
    cons = [replace(c, clock_slews=c.clock_slews[pick(len(c.clock_slews), constraint_points)],
                    pin_slews=c.pin_slews[pick(len(c.pin_slews), constraint_points)]) for c in spec.constraints]
    return replace(spec, slews=sl, loads=ld, constraints=cons)
