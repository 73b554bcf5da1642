"""Netlist-as-graph for the placer, wirelength (HPWL) and the bound-to-bound net model.

A net's pins are indices: ``0 .. N-1`` are movable cells, ``N .. N+P-1`` are fixed
pins (IO ports). Nets are CSR: ``net_ptr[M+1]`` into ``net_pins[K]``. Coordinates are
cell centres, um.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass
class PlaceNets:
    n_cells: int
    net_ptr: np.ndarray        # int64[M+1]
    net_pins: np.ndarray       # int64[K]
    net_of_pin: np.ndarray     # int64[K]
    degree: np.ndarray         # int64[M]

    @classmethod
    def build(cls, n_cells: int, net_ptr: np.ndarray, net_pins: np.ndarray, max_degree: int = 2000) -> "PlaceNets":
        """Keep nets with 2 .. ``max_degree`` distinct pins (huge nets such as an
        unbuffered reset or clock carry no placement information)."""
        net_ptr = np.asarray(net_ptr, np.int64)
        net_pins = np.asarray(net_pins, np.int64)
        deg = np.diff(net_ptr)
        nid = np.repeat(np.arange(len(deg), dtype=np.int64), deg)
        # drop duplicate pins of a net (a cell driving two inputs of the same cell)
        base = int(net_pins.max(initial=0)) + 1
        key = np.unique(nid * base + net_pins)
        nid, pins = key // base, key % base
        deg = np.bincount(nid, minlength=len(deg)).astype(np.int64)
        keep_net = (deg >= 2) & (deg <= max_degree)
        keep = keep_net[nid]
        nid, pins = nid[keep], pins[keep]
        new_id = np.cumsum(keep_net) - 1
        nid = new_id[nid]
        deg = deg[keep_net]
        ptr = np.zeros(len(deg) + 1, np.int64)
        np.cumsum(deg, out=ptr[1:])
        return cls(n_cells, ptr, pins, nid, deg)

    @property
    def n_nets(self) -> int:
        return len(self.degree)


def hpwl(nets: PlaceNets, cx: np.ndarray, cy: np.ndarray, io_x: np.ndarray, io_y: np.ndarray) -> float:
    """Half-perimeter wirelength, um, of cell centres and fixed pins."""
    if nets.n_nets == 0:
        return 0.0
    X = np.concatenate([cx, io_x])[nets.net_pins]
    Y = np.concatenate([cy, io_y])[nets.net_pins]
    s = nets.net_ptr[:-1]
    return float((np.maximum.reduceat(X, s) - np.minimum.reduceat(X, s)).sum()
                 + (np.maximum.reduceat(Y, s) - np.minimum.reduceat(Y, s)).sum())


def io_centroids(nets: PlaceNets, cx: np.ndarray, cy: np.ndarray, n_io: int) -> tuple[np.ndarray, np.ndarray]:
    """For each fixed pin, the mean position of the cells on its nets (NaN if none)."""
    n = nets.n_cells
    pins = nets.net_pins
    is_cell = pins < n
    nid = nets.net_of_pin
    cnt = np.bincount(nid[is_cell], minlength=nets.n_nets).astype(float)
    sx = np.bincount(nid[is_cell], weights=cx[pins[is_cell]], minlength=nets.n_nets)
    sy = np.bincount(nid[is_cell], weights=cy[pins[is_cell]], minlength=nets.n_nets)
    io = ~is_cell
    k = pins[io] - n
    m = nid[io]
    has = cnt[m] > 0
    num = np.bincount(k[has], weights=cnt[m][has], minlength=n_io)
    wx = np.bincount(k[has], weights=sx[m][has], minlength=n_io)
    wy = np.bincount(k[has], weights=sy[m][has], minlength=n_io)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(num > 0, wx / num, np.nan), np.where(num > 0, wy / num, np.nan)


def b2b_system(nets: PlaceNets, pos: np.ndarray, fixed_pos: np.ndarray, eps: float,
               net_weight: np.ndarray | None = None) -> tuple[sp.csr_matrix, np.ndarray]:
    """Bound-to-bound quadratic system for one axis (Spindler et al.'s B2B model).

    For each net the two extreme pins are the bounds; every other pin connects to
    both bounds and the bounds to each other, with weight ``2 / ((k-1) * distance)``
    so that the quadratic cost equals the net's HPWL at the current positions.
    Returns ``(A, b)`` for the movable cells: minimise ``x'Ax - 2b'x``.
    """
    n = nets.n_cells
    allpos = np.concatenate([pos, fixed_pos])
    c = allpos[nets.net_pins]
    order = np.lexsort((c, nets.net_of_pin))
    pins = nets.net_pins[order]
    cs = c[order]
    nid = nets.net_of_pin[order]
    first = nets.net_ptr[:-1]
    last = nets.net_ptr[1:] - 1
    k = nets.degree
    wnet = 2.0 / (k - 1)
    if net_weight is not None:
        wnet = wnet * net_weight
    idx = np.arange(len(pins))
    lo_of = first[nid]
    hi_of = last[nid]
    # edges: every pin except the lower bound -> lower bound; inner pins -> upper bound
    e1 = idx != lo_of
    e2 = (idx != lo_of) & (idx != hi_of)
    a = np.concatenate([pins[e1], pins[e2]])
    b = np.concatenate([pins[lo_of[e1]], pins[hi_of[e2]]])
    da = np.concatenate([cs[e1], cs[e2]])
    db = np.concatenate([cs[lo_of[e1]], cs[hi_of[e2]]])
    w = np.concatenate([wnet[nid[e1]], wnet[nid[e2]]]) / np.maximum(np.abs(da - db), eps)
    am, bm = a < n, b < n
    both = am & bm
    diag = np.bincount(a[am], weights=w[am], minlength=n) + np.bincount(b[bm], weights=w[bm], minlength=n)
    rhs = np.zeros(n)
    af = am & ~bm      # a movable, b fixed
    rhs += np.bincount(a[af], weights=w[af] * allpos[b[af]], minlength=n)
    bf = bm & ~am
    rhs += np.bincount(b[bf], weights=w[bf] * allpos[a[bf]], minlength=n)
    ab, bb, wb = a[both], b[both], w[both]
    rows = np.concatenate([ab, bb, np.arange(n)])
    cols = np.concatenate([bb, ab, np.arange(n)])
    vals = np.concatenate([-wb, -wb, diag])
    A = sp.csr_matrix((vals, (rows, cols)), shape=(n, n))
    return A, rhs
