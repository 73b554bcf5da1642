"""Per-instance binding to library twins, and supply voltages between libraries.

:func:`rebind` points instances at other cells (twins at another Vdd or flavour) in
``design.inst_cell``; a :class:`~finevh.timing.engine.Timer` re-times the design on its
next ``update()`` without rebuilding its graph.

**Voltage interpolation** (:func:`interpolated_cell`). For a supply ``V`` strictly
between two characterised voltages ``V0 < V < V1`` of the library set (the nearest
ones, same flavour), the cell at ``V`` is built from its twins ``c0`` (at ``V0``) and
``c1`` (at ``V1``) with ``a = (V - V0) / (V1 - V0)``:

- every NLDM table (delay, transition, constraint, internal power) keeps the index
  grid of ``c0``; ``c1``'s table is first evaluated on that grid with the timer's own
  look-up rule (bilinear, linear extrapolation), then the values are blended
  ``(1 - a) * T0 + a * T1``;
- pin capacitances, leakage values and ``cell_leakage_power`` are blended likewise.

So delays vary linearly with V between characterised points: a first-order model
(real delay-voltage curves are convex; with libraries 0.1-0.4 V apart the error is a
few percent, see docs/timing.md). Outside the characterised range no extrapolation
is done: an :class:`~finevh.errors.InputError` is raised. Interpolated cells are
cached per (cell, V, flavour) on the library set.
"""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np

from ..errors import InputError
from ..liberty.model import Cell, Table
from .nldm import AXIS_QUERY, lookup, pack_tables

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


def _blend_table(t0: Table | None, t1: Table | None, a: float) -> Table | None:
    if t0 is None or t1 is None:
        return t0
    if any(v not in AXIS_QUERY for v in t0.variables) or tuple(sorted(t0.variables)) != tuple(sorted(t1.variables)):
        # power tables and other axes: blend only when grids are identical
        v0 = np.asarray(t0.values, dtype=np.float64)
        v1 = np.asarray(t1.values, dtype=np.float64)
        if v0.shape == v1.shape and all(np.allclose(x, y) for x, y in zip(t0.indices, t1.indices)):
            return Table(t0.variables, t0.indices, (1 - a) * v0 + a * v1)
        return t0
    v1 = _resample(t0, t1)
    return Table(t0.variables, t0.indices, (1 - a) * np.asarray(t0.values, dtype=np.float64) + a * v1)


def _blend(x0, x1, a):
    if x0 is None or x1 is None:
        return x0
    return (1 - a) * x0 + a * x1


def blend_cells(c0: Cell, c1: Cell, a: float, library: str) -> Cell:
    """Cell whose tables and values are ``(1 - a) * c0 + a * c1`` (see module doc)."""
    out = replace(c0, library=library, pins={}, leakage=[])
    for name, p0 in c0.pins.items():
        p1 = c1.pins.get(name)
        if p1 is None:
            raise InputError(f"twin of '{c0.name}' has no pin '{name}'")
        p = replace(p0, timing=[], internal_power=[])
        p.capacitance = _blend(p0.capacitance, p1.capacitance, a)
        p.rise_capacitance = _blend(p0.rise_capacitance, p1.rise_capacitance, a)
        p.fall_capacitance = _blend(p0.fall_capacitance, p1.fall_capacitance, a)
        if len(p0.timing) != len(p1.timing):
            raise InputError(f"twins of '{c0.name}' differ in timing arcs on pin '{name}'")
        for a0, a1 in zip(p0.timing, p1.timing):
            p.timing.append(replace(
                a0,
                cell_rise=_blend_table(a0.cell_rise, a1.cell_rise, a),
                cell_fall=_blend_table(a0.cell_fall, a1.cell_fall, a),
                rise_transition=_blend_table(a0.rise_transition, a1.rise_transition, a),
                fall_transition=_blend_table(a0.fall_transition, a1.fall_transition, a),
                rise_constraint=_blend_table(a0.rise_constraint, a1.rise_constraint, a),
                fall_constraint=_blend_table(a0.fall_constraint, a1.fall_constraint, a)))
        for i0, i1 in zip(p0.internal_power, p1.internal_power + [None] * len(p0.internal_power)):
            if i1 is None:
                p.internal_power.append(i0)
                continue
            p.internal_power.append(replace(
                i0, rise_power=_blend_table(i0.rise_power, i1.rise_power, a),
                fall_power=_blend_table(i0.fall_power, i1.fall_power, a),
                power=_blend_table(i0.power, i1.power, a)))
        out.pins[name] = p
    by_when = {(s.when, s.related_pg_pin): s for s in c1.leakage}
    for s in c0.leakage:
        s1 = by_when.get((s.when, s.related_pg_pin))
        out.leakage.append(replace(s, value=_blend(s.value, s1.value, a) if s1 else s.value))
    out.cell_leakage_power = _blend(c0.cell_leakage_power, c1.cell_leakage_power, a)
    out.sequential = copy.copy(c0.sequential)
    return out


def _flavour(libset, cell):
    try:
        return libset.split(cell)[1]
    except Exception:  # noqa: BLE001 - cell outside the set
        return None


def interpolated_cell(libset, cell: Cell, voltage: float, flavour: str | None = None) -> Cell:
    """``cell``'s twin at ``voltage`` (V): the characterised twin when a library exists
    at that voltage, else the interpolation between the two nearest (module doc)."""
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
    cache = libset.__dict__.setdefault("_finevh_vinterp", {})
    key = (id(cell), round(voltage, 4), fl)
    hit = cache.get(key)
    if hit is not None:
        return hit
    c0 = libset.twin(cell, v0, fl)
    c1 = libset.twin(cell, v1, fl)
    a = (voltage - v0) / (v1 - v0)
    out = blend_cells(c0, c1, a, f"{c0.library}@{voltage:g}V")
    cache[key] = out
    origin[id(out)] = c0
    return out


def bind_voltage(design, insts, voltage: float, flavour: str | None = None) -> None:
    """Re-bind ``insts`` to their twins at ``voltage`` (interpolated if needed)."""
    insts = np.atleast_1d(np.asarray(insts, dtype=np.int64))
    ls = design.libset
    memo: dict[int, Cell] = {}
    cells = []
    for i in insts.tolist():
        c = design.cells[int(design.inst_cell[i])]
        t = memo.get(id(c))
        if t is None:
            t = interpolated_cell(ls, c, voltage, flavour)
            memo[id(c)] = t
        cells.append(t)
    rebind(design, insts, cells)
