"""Vectorised NLDM table look-up, with the interpolation rules of OpenSTA.

Every Liberty table used by the timer (delay, transition, setup constraint) is packed
once into :class:`TablePack`: one row per table, axes padded to the widest table of
the pack. A look-up evaluates many (table, query) pairs in one numpy expression.

Rules (what OpenSTA 2.x does, re-stated):

- The segment used on an axis of ``n >= 2`` points is ``i = 0`` when the query is at or
  below the first point, ``i = n - 2`` when it is at or above the last point, else the
  largest ``i`` with ``axis[i] <= q``. The value is then the linear (1-D) or bilinear
  (2-D) blend of the two (four) corner values with weights ``(q - axis[i]) /
  (axis[i+1] - axis[i])``. Outside the table this is a linear EXTRAPOLATION of the end
  segment, never a clamp.
- An axis of one point contributes weight 0 (its single row/column is used as is);
  a scalar table (``values`` of shape ``()``) returns its value.
- Which query feeds which axis is decided by the axis variable name, not by the axis
  position: ``input_net_transition`` / ``input_transition_time`` /
  ``related_pin_transition`` take query 0 (the input or clock slew, ns),
  ``total_output_net_capacitance`` / ``constrained_pin_transition`` take query 1
  (the load in pF, or the data slew in ns).
- Negative transition results are clipped to 0 by the caller (``clip_negative``).

Units: whatever the tables hold (the reader converts to ns and pF).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..liberty.model import Table

#: axis variable -> query slot (0: input/related slew, 1: load cap / constrained slew)
AXIS_QUERY = {
    "input_net_transition": 0,
    "input_transition_time": 0,
    "related_pin_transition": 0,
    "total_output_net_capacitance": 1,
    "constrained_pin_transition": 1,
}


class UnsupportedAxis(ValueError):
    """A table axis the timer cannot feed (e.g. ``related_out_total_output_net_capacitance``)."""


@dataclass
class TablePack:
    """K tables padded to A1 x A2 points.

    ``ax1``/``ax2`` [K, A] hold the axis points (padding +inf), ``n1``/``n2`` [K] the real
    sizes (1 for a missing axis), ``q1``/``q2`` [K] the query slot of each axis,
    ``val`` [K, A1, A2] the values (padding repeats the last real value).
    Row 0 is a constant-zero table (used for "no table").
    """

    ax1: np.ndarray
    ax2: np.ndarray
    n1: np.ndarray
    n2: np.ndarray
    q1: np.ndarray
    q2: np.ndarray
    val: np.ndarray
    grid: np.ndarray | None = None   # int64[K] id of (axes, query slots): equal id = same grid

    @property
    def n_tables(self) -> int:
        return int(self.n1.shape[0])


class TablePackBuilder:
    """Collects tables (deduplicated by identity) and builds a :class:`TablePack`."""

    def __init__(self) -> None:
        self._tables: list[Table | None] = [None]
        self._index: dict[int, int] = {}

    def add(self, table: Table | None) -> int:
        """Row of ``table`` in the future pack (0 for None)."""
        if table is None:
            return 0
        key = id(table)
        row = self._index.get(key)
        if row is None:
            for v in table.variables:
                if v not in AXIS_QUERY:
                    raise UnsupportedAxis(f"unsupported table axis '{v}'")
            row = len(self._tables)
            self._tables.append(table)
            self._index[key] = row
        return row

    def __len__(self) -> int:
        return len(self._tables)

    def build(self) -> TablePack:
        return pack_tables(self._tables)


def pack_tables(tables: list[Table | None]) -> TablePack:
    k = len(tables)
    a1 = a2 = 1
    for t in tables:
        if t is None:
            continue
        shp = np.shape(t.values)
        if len(shp) >= 1:
            a1 = max(a1, shp[0])
        if len(shp) >= 2:
            a2 = max(a2, shp[1])
    ax1 = np.full((k, a1), np.inf)
    ax2 = np.full((k, a2), np.inf)
    n1 = np.ones(k, dtype=np.int64)
    n2 = np.ones(k, dtype=np.int64)
    q1 = np.zeros(k, dtype=np.int64)
    q2 = np.ones(k, dtype=np.int64)
    val = np.zeros((k, a1, a2))
    for r, t in enumerate(tables):
        if t is None:
            ax1[r, 0] = 0.0
            ax2[r, 0] = 0.0
            continue
        v = np.asarray(t.values, dtype=np.float64)
        if v.ndim == 0:
            ax1[r, 0] = 0.0
            ax2[r, 0] = 0.0
            val[r, :, :] = float(v)
            continue
        if v.ndim > 2:
            raise UnsupportedAxis("3-D tables are not supported")
        ix = [np.asarray(i, dtype=np.float64) for i in t.indices]
        m1 = v.shape[0]
        ax1[r, :m1] = ix[0]
        n1[r] = m1
        q1[r] = AXIS_QUERY[t.variables[0]]
        if v.ndim == 1:
            ax2[r, 0] = 0.0
            q2[r] = 1 - q1[r]
            v2 = v[:, None]
        else:
            m2 = v.shape[1]
            ax2[r, :m2] = ix[1]
            n2[r] = m2
            q2[r] = AXIS_QUERY[t.variables[1]]
            v2 = v
        # pad by repeating the last row / column (never read with a non-zero weight)
        val[r, :v2.shape[0], :v2.shape[1]] = v2
        val[r, v2.shape[0]:, :v2.shape[1]] = v2[-1:, :]
        val[r, :, v2.shape[1]:] = val[r, :, v2.shape[1] - 1:v2.shape[1]]
    grid = np.zeros(k, dtype=np.int64)
    seen: dict[bytes, int] = {}
    for r in range(k):
        key = (ax1[r].tobytes() + ax2[r].tobytes() + bytes([int(q1[r]), int(q2[r]), int(n1[r]) & 255, int(n2[r]) & 255]))
        grid[r] = seen.setdefault(key, len(seen))
    return TablePack(ax1, ax2, n1, n2, q1, q2, val, grid)


class _Axis:
    """The points of one axis of a grid, with what the segment search needs."""

    __slots__ = ("pts", "n", "span", "positive", "ordered")

    def __init__(self, pts: np.ndarray):
        self.pts = pts
        self.n = len(pts)
        self.span = pts[1:] - pts[:-1]              # the same difference the blend weight divides by
        self.positive = bool((self.span > 0).all())
        self.ordered = bool((self.span >= 0).all())

    def segment(self, x: np.ndarray) -> tuple[np.ndarray | int, np.ndarray | float]:
        """Segment index and blend weight of queries ``x`` (the rule of the module doc:
        ``i`` from the count of points ``<= x``, found by a binary search on an ordered
        axis; NaN queries give NaN weights)."""
        n = self.n
        if n < 2:
            return 0, 0.0
        if self.ordered:
            cnt = np.searchsorted(self.pts, x, side="right")
        else:   # an axis out of order (not valid Liberty): count the points as such
            cnt = (self.pts[None, :] <= x[:, None]).sum(axis=1)
        i = np.clip(cnt - 1, 0, n - 2)
        lo = self.pts.take(i)
        span = self.span.take(i)
        if self.positive:
            return i, (x - lo) / span
        with np.errstate(invalid="ignore", divide="ignore"):
            return i, np.where(span > 0, (x - lo) / np.where(span > 0, span, 1.0), 0.0)


class _Grid:
    """One grid of a pack (tables with equal axes and query slots)."""

    __slots__ = ("ax1", "ax2", "q1", "q2")

    def __init__(self, ax1: np.ndarray, ax2: np.ndarray, q1: int, q2: int):
        self.ax1, self.ax2, self.q1, self.q2 = _Axis(ax1), _Axis(ax2), q1, q2


def _grids(pack: TablePack) -> list[_Grid]:
    """The grids of ``pack`` (index = grid id), built once per pack."""
    gs = pack.__dict__.get("_grid_list")
    if gs is None:
        first = np.unique(pack.grid, return_index=True)[1]
        gs = [_Grid(pack.ax1[r, :int(pack.n1[r])].copy(), pack.ax2[r, :int(pack.n2[r])].copy(), int(pack.q1[r]),
                    int(pack.q2[r])) for r in first.tolist()]
        pack.__dict__["_grid_list"] = gs
    return gs


#: a look-up over more grids than this searches row by row on gathered axes
_MAX_GRID_PASSES = 8


def _segment_rows(ax: np.ndarray, n: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segment index and blend weight of queries ``x`` on per-query axes ``ax`` [E, A]
    (padded with +inf) of sizes ``n``."""
    cnt = (ax <= x[:, None]).sum(axis=1)
    i = np.clip(cnt - 1, 0, np.maximum(n - 2, 0))
    rows = np.arange(ax.shape[0])
    lo = ax[rows, i]
    hi = ax[rows, np.minimum(i + 1, n - 1)]
    span = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(span > 0, (x - lo) / np.where(span > 0, span, 1.0), 0.0)
    return i, w


def _weights(pack: TablePack, rows: np.ndarray, q0: np.ndarray, q1: np.ndarray):
    """Per query: the flat index in ``pack.val`` of its low corner, the steps to the
    high corner on each axis, and the four corner coefficients of the bilinear blend.
    Segments are searched per grid (a pack has a few) on the grid's own axis points:
    the most used grid over all queries, the others on their queries."""
    gs = _grids(pack)
    A2 = pack.val.shape[2]
    n = len(rows)
    present = [0]
    if len(gs) > 1:
        g = pack.grid.take(rows)
        counts = np.bincount(g, minlength=len(gs))
        present = np.flatnonzero(counts).tolist()
        present.sort(key=lambda k: -counts[k])
    if len(present) <= _MAX_GRID_PASSES:
        gr = gs[present[0]]
        i1, w1 = gr.ax1.segment(q0 if gr.q1 == 0 else q1)
        i2, w2 = gr.ax2.segment(q0 if gr.q2 == 0 else q1)
        d1, d2 = (A2 if gr.ax1.n > 1 else 0), (1 if gr.ax2.n > 1 else 0)
        if len(present) > 1:
            i1, w1, i2, w2 = (np.broadcast_to(v, (n,)).copy() for v in (i1, w1, i2, w2))
            d1, d2 = np.full(n, d1), np.full(n, d2)
            for k in present[1:]:
                gr = gs[k]
                sel = np.flatnonzero(g == k)
                a, b = q0[sel], q1[sel]
                i1[sel], w1[sel] = gr.ax1.segment(a if gr.q1 == 0 else b)
                i2[sel], w2[sel] = gr.ax2.segment(a if gr.q2 == 0 else b)
                d1[sel], d2[sel] = (A2 if gr.ax1.n > 1 else 0), (1 if gr.ax2.n > 1 else 0)
    else:
        n1, n2 = pack.n1[rows], pack.n2[rows]
        i1, w1 = _segment_rows(pack.ax1[rows], n1, np.where(pack.q1[rows] == 0, q0, q1))
        i2, w2 = _segment_rows(pack.ax2[rows], n2, np.where(pack.q2[rows] == 0, q0, q1))
        d1, d2 = np.where(n1 > 1, A2, 0), np.where(n2 > 1, 1, 0)
    f00 = rows * (pack.val.shape[1] * A2) + i1 * A2 + i2
    u1, u2 = 1 - w1, 1 - w2
    return f00, d1, d2, (u1 * u2, w1 * u2, w1 * w2, u1 * w2)


def _blend(pack: TablePack, f00, d1, d2, c) -> np.ndarray:
    """The bilinear blend (same products and order as the textbook formula) of the
    four corners from the flat low-corner index ``f00`` and the axis steps ``d1``, ``d2``."""
    v = pack.val.reshape(-1)
    y00 = v.take(f00)
    y10 = v.take(f00 + d1)
    y11 = v.take(f00 + d1 + d2)
    y01 = v.take(f00 + d2)
    return c[0] * y00 + c[1] * y10 + c[2] * y11 + c[3] * y01


def lookup_pair(pack: TablePack, rows_a: np.ndarray, rows_b: np.ndarray, q0: np.ndarray,
                q1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two look-ups at the same queries (delay and transition of one arc); the segment
    search is shared where both tables have the same grid."""
    rows_a = np.asarray(rows_a, dtype=np.int64)
    rows_b = np.asarray(rows_b, dtype=np.int64)
    if rows_a.size == 0:
        return np.zeros(0), np.zeros(0)
    q0 = np.broadcast_to(np.asarray(q0, dtype=np.float64), rows_a.shape)
    q1 = np.broadcast_to(np.asarray(q1, dtype=np.float64), rows_a.shape)
    f00, d1, d2, c = _weights(pack, rows_a, q0, q1)
    a = _blend(pack, f00, d1, d2, c)
    same = pack.grid[rows_a] == pack.grid[rows_b]
    shift = (rows_b - rows_a) * (pack.val.shape[1] * pack.val.shape[2])
    if same.all():
        return a, _blend(pack, f00 + shift, d1, d2, c)
    b = np.empty_like(a)
    if same.any():
        b[same] = _blend(pack, (f00 + shift)[same], d1[same], d2[same], tuple(x[same] for x in c))
    o = ~same
    b[o] = lookup(pack, rows_b[o], q0[o], q1[o])
    return a, b


def lookup(pack: TablePack, rows: np.ndarray, q0: np.ndarray, q1: np.ndarray) -> np.ndarray:
    """Values of tables ``rows`` at queries (``q0``, ``q1``), all arrays of one length."""
    rows = np.asarray(rows, dtype=np.int64)
    if rows.size == 0:
        return np.zeros(0)
    q0 = np.broadcast_to(np.asarray(q0, dtype=np.float64), rows.shape)
    q1 = np.broadcast_to(np.asarray(q1, dtype=np.float64), rows.shape)
    return _blend(pack, *_weights(pack, rows, q0, q1))


def lookup_one(table: Table, slew_or_related: float, load_or_constrained: float) -> float:
    """Scalar convenience wrapper (tests, reports)."""
    pack = pack_tables([None, table])
    return float(lookup(pack, np.array([1]), np.array([slew_or_related]),
                        np.array([load_or_constrained]))[0])
