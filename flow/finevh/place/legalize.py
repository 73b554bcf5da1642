"""Legalisation onto rows and sites (vectorised).

1. Row assignment: rows are contiguous runs of the cells sorted by y (then x), first
   cut at equal shares of the total cell width, then adjusted so that no row is over
   capacity (excess pushed up row by row, the top row's excess pushed back down).
   After density-uniform spreading this keeps each cell within about a row of its
   global position.
2. In each row, cells keep their x order and get whole sites minimising the
   width-weighted squared displacement (Abacus' objective) by isotonic regression;
   see :func:`pack_rows`.

Works in integer site units; returns row and site indices.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from .floorplan import Floorplan


def width_in_sites(width: np.ndarray, site_width: float) -> np.ndarray:
    return np.ceil(width / site_width - 1e-6).astype(np.int64)


def assign_rows(cy: np.ndarray, cx: np.ndarray, w_sites: np.ndarray, n_rows: int, n_sites: int) -> np.ndarray:
    n = len(cy)
    if n == 0:
        return np.zeros(0, np.int64)
    total = int(w_sites.sum())
    if total > n_rows * n_sites:
        raise InputError(f"cells need {total} sites but the core has {n_rows * n_sites}")
    if int(w_sites.max()) > n_sites:
        raise InputError(f"a cell of {int(w_sites.max())} sites does not fit a row of {n_sites} sites")
    order = np.lexsort((cx, cy))
    ws = w_sites[order]
    P = np.concatenate([[0], np.cumsum(ws)])             # prefix widths in y order
    # rows are contiguous runs of the y order: boundaries b[0]=0 <= b[1] <= ... <= b[R]=n,
    # first at equal shares of the total width ...
    share = total / n_rows
    b = np.searchsorted(P[1:] - 0.5 * ws, share * np.arange(n_rows + 1), side="left")
    b[0], b[-1] = 0, n
    b = np.maximum.accumulate(b)
    # ... then no row over capacity: push the excess up, then the top row's excess down
    for r in range(n_rows - 1):
        hi = int(np.searchsorted(P, P[b[r]] + n_sites, side="right")) - 1
        if b[r + 1] > hi:
            b[r + 1] = hi
    for r in range(n_rows - 1, -1, -1):
        lo = int(np.searchsorted(P, P[b[r + 1]] - n_sites, side="left"))
        if b[r] < lo:
            if r == 0:
                # contiguous runs cannot absorb the width lost at row ends: back-fill instead
                return _assign_rows_backfill(order, w_sites, n_rows, n_sites)
            b[r] = lo
    row_s = np.repeat(np.arange(n_rows), np.diff(b))
    row = np.empty(n, np.int64)
    row[order] = row_s
    return row


def _assign_rows_backfill(order: np.ndarray, w_sites: np.ndarray, n_rows: int, n_sites: int,
                          reach: int = 4) -> np.ndarray:
    """Dense cores: fill rows bottom-up in y order; a cell that does not fit the current
    row goes into the gap of one of the ``reach`` rows below if it fits there, else
    opens the next row."""
    free = np.full(n_rows, n_sites, np.int64)
    row = np.empty(len(order), np.int64)
    r = 0
    for i in order.tolist():
        w = int(w_sites[i])
        if free[r] >= w:
            free[r] -= w
            row[i] = r
            continue
        for q in range(r - 1, max(-1, r - 1 - reach), -1):
            if free[q] >= w:
                free[q] -= w
                row[i] = q
                break
        else:
            while r < n_rows - 1 and free[r] < w:
                r += 1
            if free[r] < w:
                # last resort: any row with room
                q = int(np.argmax(free))
                if free[q] < w:
                    raise InputError("cannot fit the cells into the rows (utilization too high for these cell widths)")
                r_use = q
            else:
                r_use = r
            free[r_use] -= w
            row[i] = r_use
    return row


def pack_rows(cx_sites: np.ndarray, row: np.ndarray, w_sites: np.ndarray, n_rows: int, n_sites: int,
              method: str = "isotonic") -> np.ndarray:
    """Site index (left edge) of every cell: legal, non-overlapping, inside the row.

    ``isotonic`` (default): in each row, with cells kept in x order, minimise the
    width-weighted squared displacement (Abacus' objective). Writing ``y_i = x_i -
    prefix_i`` turns ``x_{i+1} >= x_i + w_i`` into ``y`` non-decreasing, so this is an
    isotonic regression (pool-adjacent-violators, scipy); the row bounds become the
    same interval for every ``y_i``, so clipping keeps it optimal; rounding keeps it
    monotone, hence legal. ``greedy``: least rightward push, then pull back.
    """
    if method == "isotonic":
        return _pack_isotonic(cx_sites, row, w_sites, n_rows, n_sites)
    n = len(cx_sites)
    if n == 0:
        return np.zeros(0, np.int64)
    left = np.rint(cx_sites - 0.5 * w_sites).astype(np.int64)
    left = np.clip(left, 0, n_sites - w_sites)
    order = np.lexsort((left, row))
    r = row[order]
    w = w_sites[order]
    l0 = left[order]
    cw = np.cumsum(w)
    start = np.searchsorted(r, r, side="left")            # first index of each cell's row segment
    prefix = cw - w - (cw[start] - w[start])              # width of earlier cells in the row
    big = 4 * (n_sites + int(cw[-1]) + 1)
    v = l0 - prefix + r * big                              # offset so the running max restarts per row
    fwd = np.maximum.accumulate(v) - r * big + prefix
    end = np.searchsorted(r, r, side="right") - 1
    suffix = cw[end] - cw + w                              # width of this and later cells in the row
    site = np.minimum(fwd, n_sites - suffix)
    out = np.empty(n, np.int64)
    out[order] = site
    return out


def _pack_isotonic(cx_sites, row, w_sites, n_rows, n_sites) -> np.ndarray:
    from scipy.optimize import isotonic_regression

    n = len(cx_sites)
    if n == 0:
        return np.zeros(0, np.int64)
    target = cx_sites - 0.5 * w_sites                     # desired left edge, sites
    order = np.lexsort((target, row))
    r = row[order]
    w = w_sites[order]
    cw = np.cumsum(w)
    start = np.searchsorted(r, r, side="left")
    end = np.searchsorted(r, r, side="right") - 1
    prefix = cw - w - (cw[start] - w[start])
    total = cw[end] - (cw[start] - w[start])              # cell width of the row
    big = 4.0 * (n_sites + float(cw[-1]) + 1)
    yt = target[order] - prefix + r * big                 # offsets keep rows apart
    y = isotonic_regression(yt, weights=w.astype(float), increasing=True).x - r * big
    y = np.clip(np.rint(y), 0, n_sites - total).astype(np.int64)
    out = np.empty(n, np.int64)
    out[order] = y + prefix
    return out


def legalize(cx: np.ndarray, cy: np.ndarray, width: np.ndarray, fp: Floorplan) -> tuple[np.ndarray, np.ndarray]:
    """Row and site index of every cell from centres ``cx``, ``cy`` (um)."""
    w_sites = width_in_sites(width, fp.site_width)
    row = assign_rows(cy, cx, w_sites, fp.n_rows, fp.n_sites)
    sx = (cx - fp.core[0]) / fp.site_width
    site = pack_rows(sx, row, w_sites, fp.n_rows, fp.n_sites)
    return row, site


def check_legal(row: np.ndarray, site: np.ndarray, w_sites: np.ndarray, n_rows: int, n_sites: int) -> list[str]:
    """Problems with a row/site placement (empty list when legal)."""
    errs = []
    if len(row) == 0:
        return errs
    if row.min() < 0 or row.max() >= n_rows:
        errs.append("cell outside the rows")
    if site.min() < 0 or (site + w_sites).max() > n_sites:
        errs.append("cell outside its row")
    order = np.lexsort((site, row))
    r, s, w = row[order], site[order], w_sites[order]
    same = r[1:] == r[:-1]
    ov = same & (s[1:] < s[:-1] + w[:-1])
    if ov.any():
        errs.append(f"{int(ov.sum())} overlapping cell pairs")
    return errs
