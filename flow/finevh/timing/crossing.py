"""Crossing-aware arc delays: a cell driven from the other supply (no level shifter).

Given the supply of every instance (VddL or VddH of one pair) and the crossing tables
of :mod:`finevh.tech.crossing`, :class:`CrossingAdjust` finds the edges whose input
pin is driven by an instance at the other supply (a VddL driver into a VddH cell:
``LH``; a VddH driver into a VddL cell: ``HL``; ports and constants never count) and
adds to their delay and output slew the characterised difference (crossing minus full
swing), read bilinearly at the edge's input slew and load, clamped to the table's
index range. Edges of cells or arcs absent from the tables are left unchanged
(:attr:`CrossingAdjust.missing` counts them).

Off by default: the delay calculator applies it only when its ``crossing`` attribute is
set (:func:`enable`); re-time with ``Timer.update(incremental=False)`` after changing
it. The adjusted output slew then propagates to the fan-out as any slew does. Times ns,
capacitances pF, voltages V.
"""

from __future__ import annotations

import numpy as np

from .graph import template_of

LH, HL = 0, 1


def _interp2(xs: np.ndarray, ys: np.ndarray, z: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Bilinear read of ``z[n, S, L]`` (one table per point) at (x[n], y[n]), clamped."""

    def axis(a: np.ndarray, v: np.ndarray):
        if len(a) == 1:
            return np.zeros(len(v), np.int64), np.zeros(len(v))
        i = np.clip(np.searchsorted(a, v) - 1, 0, len(a) - 2)
        return i, np.clip((v - a[i]) / (a[i + 1] - a[i]), 0.0, 1.0)

    i, t = axis(xs, x)
    j, u = axis(ys, y)
    n = np.arange(len(x))
    i1 = np.minimum(i + 1, len(xs) - 1)
    j1 = np.minimum(j + 1, len(ys) - 1)
    return ((1 - t) * (1 - u) * z[n, i, j] + t * (1 - u) * z[n, i1, j]
            + (1 - t) * u * z[n, i, j1] + t * u * z[n, i1, j1])


class CrossingAdjust:
    """Per-edge crossing corrections of one design, graph and supply map.

    ``arcs``: ``{(cell, from pin, to pin): CrossingArc}`` of one (VddL, VddH) pair
    (:meth:`finevh.tech.crossing.CrossingTables.arcs`); ``inst_vdd``: float[I] supply
    of every instance, V (each ``vddl`` or ``vddh``)."""

    def __init__(self, design, graph, templates, arcs: dict, inst_vdd, vddl: float, vddh: float):
        g = graph
        vdd = np.asarray(inst_vdd, dtype=np.float64)
        high = np.abs(vdd - vddh) < 1e-6
        low = np.abs(vdd - vddl) < 1e-6
        drv = g.src_of_term[g.e_from]
        ok = (drv >= 0) & (drv < g.n_pins)
        d_inst = np.where(ok, g.inst_of_pin[np.clip(drv, 0, max(g.n_pins - 1, 0))], -1)
        cell_i = g.e_inst
        lh = ok & high[cell_i] & low[np.maximum(d_inst, 0)]
        hl = ok & low[cell_i] & high[np.maximum(d_inst, 0)]
        self.direction = np.where(lh, LH, np.where(hl, HL, -1)).astype(np.int64)
        self.group = np.full(len(cell_i), -1, dtype=np.int64)
        self.tables: list = []
        index: dict = {}
        self.missing = 0
        inst_cell = np.asarray(design.inst_cell)
        for e in np.nonzero(self.direction >= 0)[0].tolist():
            cell = design.cells[int(inst_cell[cell_i[e]])]
            edge = template_of(templates, cell).edges[int(g.e_slot[e])]
            key = (cell.name, edge.from_pin, edge.to_pin)
            k = index.get(key)
            if k is None:
                arc = arcs.get(key)
                k = index[key] = -1 if arc is None else len(self.tables)
                if arc is not None:
                    self.tables.append(arc)
            self.group[e] = k
            self.missing += k < 0
        self.crossing_edges = int((self.group >= 0).sum())

    def adjust(self, g, idx, s_in: np.ndarray, load: np.ndarray, delay: np.ndarray,
               slew: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(delay, slew) of the edges ``idx`` with the crossing differences added;
        ``s_in`` input slews (ns), ``load`` [T, 2] (pF) as in the delay calculator."""
        e = np.arange(len(self.group))[idx]
        grp = self.group[e]
        if not (grp >= 0).any():
            return delay, slew
        delay, slew = np.array(delay, dtype=np.float64), np.array(slew, dtype=np.float64)
        cap = load[g.e_to[e], g.e_out_rf[e]]
        for k in np.unique(grp[grp >= 0]).tolist():
            m = np.nonzero(grp == k)[0]
            arc = self.tables[k]
            d, r = self.direction[e[m]], g.e_in_rf[e[m]]
            for q, out in ((0, delay), (1, slew)):
                out[m] += _interp2(arc.slews, arc.loads, arc.delta[d, r, q], s_in[m], cap[m])
        return delay, slew


def enable(timer, arcs: dict, inst_vdd, vddl: float, vddh: float) -> CrossingAdjust:
    """Switch crossing-aware delays on for ``timer`` (a :class:`~finevh.timing.engine.Timer`)
    under the supply map ``inst_vdd``; ``disable`` (or ``timer.dcalc.crossing = None``)
    switches them off. Re-time with ``update(incremental=False)``."""
    adj = CrossingAdjust(timer.design, timer.graph, timer.templates, arcs, inst_vdd, vddl, vddh)
    timer.dcalc.crossing = adj
    return adj


def disable(timer) -> None:
    timer.dcalc.crossing = None
