"""Detailed placement: in-row moves towards each cell's optimal x.

For every net of a cell, the bounding box of the net's *other* pins gives an interval;
the cell's wirelength along x is smallest at the median of all those interval ends
(the classic "optimal region"). Each pass moves every cell's wish to that median
(keeping its row), re-packs the rows with the same least-squares legaliser
(:func:`finevh.place.legalize.pack_rows`, cells may change order) and keeps the
result only if the HPWL drops. Vectorised; positions in site units.
"""

from __future__ import annotations

import numpy as np

from .legalize import pack_rows
from .netmodel import PlaceNets, hpwl


def optimal_x(nets: PlaceNets, cx: np.ndarray, io_x: np.ndarray) -> np.ndarray:
    """Median of the other-pins interval ends of every cell's nets (NaN: no nets)."""
    n = nets.n_cells
    allx = np.concatenate([cx, io_x])
    pins = nets.net_pins
    nid = nets.net_of_pin
    v = allx[pins]
    order = np.lexsort((v, nid))
    vs = v[order]
    first = nets.net_ptr[:-1]
    last = nets.net_ptr[1:] - 1
    # smallest two and largest two of each net
    mn1, mn2 = vs[first], vs[np.minimum(first + 1, last)]
    mx1, mx2 = vs[last], vs[np.maximum(last - 1, first)]
    pos = np.empty(len(pins), np.int64)
    pos[order] = np.arange(len(pins))
    is_min = pos == first[nid]
    is_max = pos == last[nid]
    lo = np.where(is_min, mn2[nid], mn1[nid])
    hi = np.where(is_max, mx2[nid], mx1[nid])
    cell = pins < n
    c = pins[cell]
    ends = np.concatenate([lo[cell], hi[cell]])
    owner = np.concatenate([c, c])
    o = np.lexsort((ends, owner))
    owner_s, ends_s = owner[o], ends[o]
    cnt = np.bincount(owner_s, minlength=n)
    start = np.concatenate([[0], np.cumsum(cnt)[:-1]])
    med = np.full(n, np.nan)
    has = cnt > 0
    a = start[has] + (cnt[has] - 1) // 2
    b = start[has] + cnt[has] // 2
    med[has] = 0.5 * (ends_s[a] + ends_s[b])
    return med


def refine_rows(nets: PlaceNets, row: np.ndarray, site: np.ndarray, w_sites: np.ndarray, n_rows: int,
                n_sites: int, x0: float, y0: float, site_w: float, row_h: float,
                io_x: np.ndarray, io_y: np.ndarray, passes: int = 3, step: float = 0.5) -> tuple[np.ndarray, float]:
    """Improve ``site`` (rows fixed); returns (site, HPWL um). ``step`` is how far
    each cell's wish moves from its place towards its optimal x per pass."""
    cy = y0 + (row + 0.5) * row_h

    def centres(s):
        return x0 + (s + 0.5 * w_sites) * site_w

    best = hpwl(nets, centres(site), cy, io_x, io_y)
    for _ in range(passes):
        cx = centres(site)
        opt = optimal_x(nets, cx, io_x)
        want = np.where(np.isnan(opt), cx, cx + step * (opt - cx))
        new = pack_rows((want - x0) / site_w, row, w_sites, n_rows, n_sites)
        h = hpwl(nets, centres(new), cy, io_x, io_y)
        if h >= best * (1 - 1e-4):
            break
        site, best = new, h
    return site, best
