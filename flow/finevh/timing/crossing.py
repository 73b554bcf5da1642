"""Crossing-aware arc delays: a cell driven from the other supply (no level shifter).

Given the supply of every instance (VddL or VddH of one pair) and the crossing tables
of :mod:`finevh.tech.crossing`, :class:`CrossingAdjust` finds the edges whose input
pin is driven by an instance at the other supply (a VddL driver into a VddH cell:
``LH``; a VddH driver into a VddL cell: ``HL``; ports and constants never count) and
adds to their delay and output slew the characterised difference (crossing minus full
swing), read bilinearly at the edge's input slew and load, clamped to the table's
index range. Edges of cells or arcs absent from the tables are left unchanged
(:attr:`CrossingAdjust.missing` counts them).

One :class:`CrossingAdjust` serves a timer for any number of supply maps:
:meth:`CrossingAdjust.set_map` (``None``: no crossing anywhere, e.g. a uniform supply)
re-derives the crossing edges, and :meth:`CrossingAdjust.edge_keys` tells the
incremental search which edges changed since its last pass (they are re-evaluated
like edges of a re-bound instance). An instance of a flavour without tables of its
own takes the pair's tables of ``fallback`` (the characterised flavour).

Off by default: the delay calculator applies it only when its ``crossing`` attribute is
set (:func:`enable`). The adjusted output slew then propagates to the fan-out as any
slew does. Times ns, capacitances pF, voltages V.
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
    """Per-edge crossing corrections of one design and graph, for a supply map set by
    :meth:`set_map`.

    ``tables``: a :class:`~finevh.tech.crossing.CrossingTables`, or a plain
    ``{(cell, from pin, to pin): CrossingArc}`` of one pair (then every flavour uses it).
    ``inst_flavour``: flavour name of every instance (None: the tables' only flavour of
    the pair). ``fallback``: flavour whose tables stand for flavours without tables."""

    def __init__(self, design, graph, templates, tables, inst_flavour=None, fallback: str | None = None):
        g = graph
        self.design, self.graph = design, g
        self.source = tables
        self.fallback = fallback
        self._inst_flavour = inst_flavour
        self._last_map: tuple = (None, None, None)
        #: what the corrections were built for (the emulator's binder and its flavour
        #: codes: a new flavour assignment needs new corrections); free for the caller
        self.owner: object = None
        self.flavour_codes: np.ndarray | None = None
        drv = g.src_of_term[g.e_from]
        ok = (drv >= 0) & (drv < g.n_pins)
        self._drv = np.where(ok, g.inst_of_pin[np.clip(drv, 0, max(g.n_pins - 1, 0))], -1)
        self._inst = np.asarray(g.e_inst)
        # arc key of every edge with an instance driver: (cell name, from pin, to pin)
        inst_cell = np.asarray(design.inst_cell)
        self._key = np.full(len(self._inst), -1, dtype=np.int64)
        keys: dict = {}
        cand = np.nonzero(self._drv >= 0)[0]
        cells = inst_cell[self._inst[cand]]
        slots = np.asarray(g.e_slot)[cand]
        pairs = np.unique(np.stack([cells, slots], axis=1), axis=0) if len(cand) else np.zeros((0, 2), np.int64)
        code = {}
        for c, s in pairs.tolist():
            cell = design.cells[c]
            edge = template_of(templates, cell).edges[s]
            k = (cell.name, edge.from_pin, edge.to_pin)
            code[(c, s)] = keys.setdefault(k, len(keys))
        if len(cand):
            lut = np.array([code[(c, s)] for c, s in pairs.tolist()], dtype=np.int64)
            pos = np.searchsorted(pairs[:, 0] * (slots.max() + 1) + pairs[:, 1], cells * (slots.max() + 1) + slots)
            self._key[cand] = lut[pos]
        self._keys = list(keys)
        fl = None if inst_flavour is None else np.asarray(inst_flavour, dtype=object)
        self._fl_names = sorted(set(fl.tolist())) if fl is not None else [None]
        self._fl_code = (np.searchsorted(np.array(self._fl_names, dtype=object), fl) if fl is not None
                         else np.zeros(design.n_instances, np.int64))
        self.direction = np.full(len(self._inst), -1, dtype=np.int64)
        self.group = np.full(len(self._inst), -1, dtype=np.int64)
        self.tables: list = []
        self.missing = 0
        self.crossing_edges = 0
        self.pair: tuple[float, float] | None = None
        self._pair_ids: dict = {}
        self._stable = np.full(len(self._inst), -1, dtype=np.int64)

    # ------------------------------------------------------------------ maps
    def _arcs(self, flavour, vddl: float, vddh: float) -> dict:
        t = self.source
        if isinstance(t, dict):
            return t
        got = t.arcs(flavour, vddl, vddh)
        if not got and flavour is not None and self.fallback is not None:
            got = t.arcs(self.fallback, vddl, vddh)
        return got

    def set_map(self, inst_vdd, vddl: float | None = None, vddh: float | None = None) -> None:
        """Supply of every instance (float[I], V: each ``vddl`` or ``vddh``); ``inst_vdd``
        None: no instance is driven across supplies."""
        self._last_map = (inst_vdd, vddl, vddh)
        E = len(self._inst)
        self.direction = np.full(E, -1, dtype=np.int64)
        self.group = np.full(E, -1, dtype=np.int64)
        self.tables, self.missing, self.crossing_edges, self.pair = [], 0, 0, None
        self._stable = np.full(E, -1, dtype=np.int64)
        if inst_vdd is None or vddl is None or vddh is None:
            return
        self.pair = (float(vddl), float(vddh))
        vdd = np.asarray(inst_vdd, dtype=np.float64)
        high = np.abs(vdd - vddh) < 1e-6
        low = np.abs(vdd - vddl) < 1e-6
        ok = self._drv >= 0
        d = np.maximum(self._drv, 0)
        lh = ok & high[self._inst] & low[d]
        hl = ok & low[self._inst] & high[d]
        self.direction = np.where(lh, LH, np.where(hl, HL, -1)).astype(np.int64)
        e = np.nonzero(self.direction >= 0)[0]
        if not len(e):
            return
        fcode = self._fl_code[self._inst[e]]
        combo = self._key[e] * len(self._fl_names) + fcode
        uniq, inv = np.unique(combo, return_inverse=True)
        grp = np.full(len(uniq), -1, dtype=np.int64)
        by_fl: dict = {}
        for j, c in enumerate(uniq.tolist()):
            key = self._keys[c // len(self._fl_names)]
            fname = self._fl_names[c % len(self._fl_names)]
            arcs = by_fl.get(fname)
            if arcs is None:
                arcs = by_fl[fname] = self._arcs(fname, vddl, vddh)
            arc = arcs.get(key)
            if arc is not None:
                grp[j] = len(self.tables)
                self.tables.append(arc)
        self.group[e] = grp[inv]
        pid = self._pair_ids.setdefault(self.pair, len(self._pair_ids))
        n_combo = max(len(self._keys), 1) * len(self._fl_names)
        self._stable[e] = np.where(self.group[e] >= 0, ((pid * n_combo + combo) * 2 + self.direction[e]), -1)
        self.missing = int((self.group[e] < 0).sum())
        self.crossing_edges = int((self.group >= 0).sum())

    def rebuilt(self, graph, templates) -> "CrossingAdjust":
        """The same corrections on a rebuilt timing graph (same tables, flavours and map)."""
        new = CrossingAdjust(self.design, graph, templates, self.source, self._inst_flavour, self.fallback)
        new.owner, new.flavour_codes = self.owner, self.flavour_codes
        new.set_map(*self._last_map)
        return new

    def edge_keys(self) -> np.ndarray:
        """int[E]: which correction each edge takes under the current map (-1: none; the
        same arc table, flavour, pair and direction give the same key); an edge whose
        key changed between two passes must be re-evaluated."""
        return self._stable

    # ------------------------------------------------------------------ delays
    def adjust(self, g, idx, s_in: np.ndarray, load: np.ndarray, delay: np.ndarray,
               slew: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(delay, slew) of the edges ``idx`` with the crossing differences added;
        ``s_in`` input slews (ns), ``load`` [T, 2] (pF) as in the delay calculator."""
        if g is not self.graph:
            raise RuntimeError("supply-crossing corrections built for another timing graph")
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


def enable(timer, arcs, inst_vdd, vddl: float, vddh: float, inst_flavour=None,
           fallback: str | None = None) -> CrossingAdjust:
    """Switch crossing-aware delays on for ``timer`` (a :class:`~finevh.timing.engine.Timer`)
    under the supply map ``inst_vdd``; ``disable`` (or ``timer.dcalc.crossing = None``)
    switches them off. ``arcs``: one pair's ``{(cell, from, to): CrossingArc}`` or a
    :class:`~finevh.tech.crossing.CrossingTables`. The next ``update()`` applies it."""
    adj = CrossingAdjust(timer.design, timer.graph, timer.templates, arcs, inst_flavour, fallback)
    adj.set_map(inst_vdd, vddl, vddh)
    timer.dcalc.crossing = adj
    return adj


def disable(timer) -> None:
    timer.dcalc.crossing = None
