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


def _segment(ax: np.ndarray, n: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segment index and blend weight of queries ``x`` on axes ``ax`` [E, A] of sizes ``n``."""
    cnt = (ax <= x[:, None]).sum(axis=1)
    i = np.clip(cnt - 1, 0, np.maximum(n - 2, 0))
    rows = np.arange(ax.shape[0])
    lo = ax[rows, i]
    hi_i = np.minimum(i + 1, n - 1)
    hi = ax[rows, hi_i]
    span = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(span > 0, (x - lo) / np.where(span > 0, span, 1.0), 0.0)
    return i, w


def _weights(pack: TablePack, rows: np.ndarray, q0: np.ndarray, q1: np.ndarray):
    x1 = np.where(pack.q1[rows] == 0, q0, q1)
    x2 = np.where(pack.q2[rows] == 0, q0, q1)
    n1 = pack.n1[rows]
    n2 = pack.n2[rows]
    i1, w1 = _segment(pack.ax1[rows], n1, x1)
    i2, w2 = _segment(pack.ax2[rows], n2, x2)
    return i1, np.minimum(i1 + 1, n1 - 1), w1, i2, np.minimum(i2 + 1, n2 - 1), w2


def _blend(pack: TablePack, rows, i1, j1, w1, i2, j2, w2) -> np.ndarray:
    v = pack.val
    return ((1 - w1) * (1 - w2) * v[rows, i1, i2] + w1 * (1 - w2) * v[rows, j1, i2]
            + w1 * w2 * v[rows, j1, j2] + (1 - w1) * w2 * v[rows, i1, j2])


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
    w = _weights(pack, rows_a, q0, q1)
    a = _blend(pack, rows_a, *w)
    same = pack.grid[rows_a] == pack.grid[rows_b]
    if same.all():
        return a, _blend(pack, rows_b, *w)
    b = np.empty_like(a)
    if same.any():
        b[same] = _blend(pack, rows_b[same], *(x[same] for x in w))
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
    x1 = np.where(pack.q1[rows] == 0, q0, q1)
    x2 = np.where(pack.q2[rows] == 0, q0, q1)
    n1 = pack.n1[rows]
    n2 = pack.n2[rows]
    i1, w1 = _segment(pack.ax1[rows], n1, x1)
    i2, w2 = _segment(pack.ax2[rows], n2, x2)
    j1 = np.minimum(i1 + 1, n1 - 1)
    j2 = np.minimum(i2 + 1, n2 - 1)
    v = pack.val
    y00 = v[rows, i1, i2]
    y10 = v[rows, j1, i2]
    y01 = v[rows, i1, j2]
    y11 = v[rows, j1, j2]
    return ((1 - w1) * (1 - w2) * y00 + w1 * (1 - w2) * y10
            + w1 * w2 * y11 + (1 - w1) * w2 * y01)


def lookup_one(table: Table, slew_or_related: float, load_or_constrained: float) -> float:
    """Scalar convenience wrapper (tests, reports)."""
    pack = pack_tables([None, table])
    return float(lookup(pack, np.array([1]), np.array([slew_or_related]),
                        np.array([load_or_constrained]))[0])
