"""Per-instance binding to library twins, and supply voltages between libraries.

:func:`rebind` points instances at other cells (twins at another Vdd or flavour) in
``design.inst_cell``; a :class:`~finevh.timing.engine.Timer` re-times the design on its
next ``update()`` without rebuilding its graph.

**Voltage interpolation** (:func:`interpolated_cell`). For a supply ``V`` strictly
between two characterised voltages ``V0 < V < V1`` of the library set (the nearest
ones, same flavour), the cell at ``V`` is built from its twins ``c0`` (at ``V0``) and
``c1`` (at ``V1``):

- every NLDM table (delay, transition, constraint, internal power) keeps the index
  grid of ``c0``; ``c1``'s table is first evaluated on that grid with the timer's own
  look-up rule (bilinear, linear extrapolation), then each entry is interpolated in V
  with the voltage model of :mod:`finevh.timing.vmodel`;
- pin capacitances, leakage values and ``cell_leakage_power`` likewise.

Models: ``alpha`` (default; alpha-power-law delay, exponential leakage, power-law
energy) and ``linear`` (``(1 - a) * T0 + a * T1``, ``a = (V - V0) / (V1 - V0)``:
pessimistic between libraries). The model is the ``model`` argument, else the one set
on the library set with :func:`set_model`, else :data:`vmodel.DEFAULT_MODEL`.
Outside the characterised range no extrapolation is done: an
:class:`~finevh.errors.InputError` is raised. Interpolated cells are cached per
(lower twin, V, model) on the library set: the same cell whichever twin is asked.
"""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np

from ..errors import InputError
from ..liberty.model import Cell, Table
from .nldm import AXIS_QUERY, lookup, pack_tables
from .vmodel import DEFAULT_MODEL, check_model, interpolate

VOLTAGE_TOL = 1e-3


def rebind(design, insts, cells) -> None:
    """Bind instances ``insts`` (indices) to ``cells`` (one Cell, or one per instance).
    Uses :meth:`Design.rebind` (pin compatibility checked) when the design has it."""
    insts = np.atleast_1d(np.asarray(insts, dtype=np.int64))
    if hasattr(design, "rebind"):
        design.rebind(insts, cells)
        return
    if isinstance(cells, Cell):
        cells = [cells] * len(insts)
    if len(cells) != len(insts):
        raise ValueError("rebind: one cell per instance expected")
    index = {id(c): i for i, c in enumerate(design.cells)}
    for i, c in zip(insts.tolist(), cells):
        k = index.get(id(c))
        if k is None:
            k = len(design.cells)
            design.cells.append(c)
            index[id(c)] = k
        design.inst_cell[i] = k


def _resample(t0: Table, t1: Table) -> np.ndarray:
    """Values of ``t1`` on the grid of ``t0`` (same variables, any order)."""
    v0 = np.asarray(t0.values, dtype=np.float64)
    if v0.ndim == 0:
        v1 = np.asarray(t1.values, dtype=np.float64)
        return np.asarray(float(v1.reshape(-1)[0]) if v1.size else 0.0)
    grids = np.meshgrid(*[np.asarray(ix, dtype=np.float64) for ix in t0.indices], indexing="ij")
    q = [np.zeros(v0.size), np.zeros(v0.size)]
    for var, g in zip(t0.variables, grids):
        q[AXIS_QUERY.get(var, 0)] = g.reshape(-1)
    pk = pack_tables([None, t1])
    vals = lookup(pk, np.ones(v0.size, dtype=np.int64), q[0], q[1])
    return vals.reshape(v0.shape)


class _Span:
    """Interpolation from ``v0`` to ``v1`` at ``v`` (V) under voltage model ``model``."""

    def __init__(self, v0: float, v1: float, v: float, model: str):
        self.v0, self.v1, self.v, self.model = v0, v1, v, model

    def __call__(self, kind: str, y0, y1):
        return interpolate(kind, y0, y1, self.v0, self.v1, self.v, self.model)

    def value(self, kind: str, x0, x1):
        if x0 is None or x1 is None:
            return x0
        return float(self(kind, np.array([x0]), np.array([x1]))[0])

    def table(self, kind: str, t0: Table | None, t1: Table | None) -> Table | None:
        if t0 is None or t1 is None:
            return t0
        v0 = np.asarray(t0.values, dtype=np.float64)
        if any(v not in AXIS_QUERY for v in t0.variables) or \
                tuple(sorted(t0.variables)) != tuple(sorted(t1.variables)):
            # power tables and other axes: interpolate only when grids are identical
            v1 = np.asarray(t1.values, dtype=np.float64)
            if v0.shape == v1.shape and all(np.allclose(x, y) for x, y in zip(t0.indices, t1.indices)):
                return Table(t0.variables, t0.indices, self(kind, v0, v1))
            return t0
        return Table(t0.variables, t0.indices, self(kind, v0, _resample(t0, t1)))


def blend_cells(c0: Cell, c1: Cell, v0: float, v1: float, voltage: float, library: str,
                model: str = DEFAULT_MODEL) -> Cell:
    """Cell at ``voltage`` (V) from its twins ``c0`` at ``v0`` and ``c1`` at ``v1`` under
    voltage model ``model`` (module doc)."""
    sp = _Span(v0, v1, voltage, check_model(model))
    out = replace(c0, library=library, pins={}, leakage=[])
    for name, p0 in c0.pins.items():
        p1 = c1.pins.get(name)
        if p1 is None:
            raise InputError(f"twin of '{c0.name}' has no pin '{name}'")
        p = replace(p0, timing=[], internal_power=[])
        p.capacitance = sp.value("capacitance", p0.capacitance, p1.capacitance)
        p.rise_capacitance = sp.value("capacitance", p0.rise_capacitance, p1.rise_capacitance)
        p.fall_capacitance = sp.value("capacitance", p0.fall_capacitance, p1.fall_capacitance)
        for f in ("rise_capacitance_range", "fall_capacitance_range"):
            r0, r1 = getattr(p0, f), getattr(p1, f)
            if r0 is not None and r1 is not None:
                setattr(p, f, (sp.value("capacitance", r0[0], r1[0]), sp.value("capacitance", r0[1], r1[1])))
        if len(p0.timing) != len(p1.timing):
            raise InputError(f"twins of '{c0.name}' differ in timing arcs on pin '{name}'")
        for a0, a1 in zip(p0.timing, p1.timing):
            p.timing.append(replace(a0, **{f: sp.table("delay", getattr(a0, f), getattr(a1, f)) for f in (
                "cell_rise", "cell_fall", "rise_transition", "fall_transition",
                "rise_constraint", "fall_constraint")}))
        for i0, i1 in zip(p0.internal_power, p1.internal_power + [None] * len(p0.internal_power)):
            if i1 is None:
                p.internal_power.append(i0)
                continue
            p.internal_power.append(replace(i0, **{f: sp.table("energy", getattr(i0, f), getattr(i1, f))
                                                   for f in ("rise_power", "fall_power", "power")}))
        out.pins[name] = p
    by_when = {(s.when, s.related_pg_pin): s for s in c1.leakage}
    for s in c0.leakage:
        s1 = by_when.get((s.when, s.related_pg_pin))
        out.leakage.append(replace(s, value=sp.value("leakage", s.value, s1.value) if s1 else s.value))
    out.cell_leakage_power = sp.value("leakage", c0.cell_leakage_power, c1.cell_leakage_power)
    out.sequential = copy.copy(c0.sequential)
    return out


def set_model(libset, model: str) -> None:
    """Voltage model (``alpha`` or ``linear``) of the interpolated cells of ``libset``
    when the caller names none."""
    libset.__dict__["_finevh_vinterp_model"] = check_model(model)


def model_of(libset) -> str:
    """The voltage model set on ``libset`` (:func:`set_model`), else the default."""
    return libset.__dict__.get("_finevh_vinterp_model", DEFAULT_MODEL)


def _flavour(libset, cell):
    try:
        return libset.split(cell)[1]
    except Exception:  # noqa: BLE001 - cell outside the set
        return None


def interpolated_cell(libset, cell: Cell, voltage: float, flavour: str | None = None,
                      model: str | None = None) -> Cell:
    """``cell``'s twin at ``voltage`` (V): the characterised twin when a library exists
    at that voltage, else the interpolation between the two nearest under ``model``
    (None: :func:`model_of` the library set; module doc)."""
    model = check_model(model) if model is not None else model_of(libset)
    origin = libset.__dict__.setdefault("_finevh_vinterp_origin", {})
    cell = origin.get(id(cell), cell)       # an interpolated cell stands for its lower twin
    fl = flavour if flavour is not None else _flavour(libset, cell)
    volts = sorted(libset.voltages())
    for v in volts:
        if abs(v - voltage) <= VOLTAGE_TOL:
            return libset.twin(cell, v, fl)
    lo = [v for v in volts if v < voltage]
    hi = [v for v in volts if v > voltage]
    if not lo or not hi:
        raise InputError(f"supply {voltage:g} V outside the characterised range "
                         f"{volts[0]:g}..{volts[-1]:g} V: no extrapolation")
    v0, v1 = lo[-1], hi[0]
    c0 = libset.twin(cell, v0, fl)
    cache = libset.__dict__.setdefault("_finevh_vinterp", {})
    key = (id(c0), round(voltage, 4), model)     # one cell per (lower twin, V, model)
    hit = cache.get(key)
    if hit is not None:
        return hit
    c1 = libset.twin(cell, v1, fl)
    out = blend_cells(c0, c1, v0, v1, voltage, f"{c0.library}@{voltage:g}V", model)
    cache[key] = out
    origin[id(out)] = c0
    return out


def bind_voltage(design, insts, voltage: float, flavour: str | None = None,
                 model: str | None = None) -> None:
    """Re-bind ``insts`` to their twins at ``voltage`` (interpolated if needed, under
    ``model``: see :func:`interpolated_cell`)."""
    insts = np.atleast_1d(np.asarray(insts, dtype=np.int64))
    ls = design.libset
    memo: dict[int, Cell] = {}
    cells = []
    for i in insts.tolist():
        c = design.cells[int(design.inst_cell[i])]
        t = memo.get(id(c))
        if t is None:
            t = interpolated_cell(ls, c, voltage, flavour, model)
            memo[id(c)] = t
        cells.append(t)
    rebind(design, insts, cells)
