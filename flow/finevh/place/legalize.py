"""Legalisation onto rows and sites (vectorised).

1. Row assignment: cells sorted by their y (then x) fill the rows bottom-up so that
   every row receives the same share of the total cell width. After density-uniform
   spreading this keeps each cell within about a row of its global position and
   guarantees no row is over capacity (utilisation < 1).
2. In each row, cells sorted by x are snapped to whole sites and pushed apart with
   the least rightward shift (a running maximum of ``x_i - prefix width``), then
   pulled back inside the row end (``x_i <= row_end - suffix width``). Both sequences
   keep ``x_{i+1} >= x_i + w_i``, so their element-wise minimum does too: no overlap.

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
    cum = np.cumsum(w_sites[order]) - 0.5 * w_sites[order]
    share = total / n_rows
    row_s = np.minimum((cum / share).astype(np.int64), n_rows - 1)
    row = np.empty(n, np.int64)
    row[order] = row_s
    # rows can exceed capacity only by rounding at row ends: move the extreme cells up/down
    for _ in range(4 * n_rows):
        used = np.bincount(row, weights=w_sites, minlength=n_rows)
        over = np.nonzero(used > n_sites)[0]
        if len(over) == 0:
            break
        for r in over.tolist():
            members = np.nonzero(row == r)[0]
            below = used[r - 1] if r > 0 else np.inf
            above = used[r + 1] if r + 1 < n_rows else np.inf
            if below <= above:
                i = members[np.argmin(cy[members])]
                row[i] = r - 1
            else:
                i = members[np.argmax(cy[members])]
                row[i] = r + 1
    else:  # pragma: no cover - cannot happen when total <= capacity
        raise InputError("row assignment did not converge")
    return row


def pack_rows(cx_sites: np.ndarray, row: np.ndarray, w_sites: np.ndarray, n_rows: int, n_sites: int) -> np.ndarray:
    """Site index (left edge) of every cell: legal, non-overlapping, inside the row."""
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
