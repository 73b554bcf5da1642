"""Synthetic netlists with locality, for tests and benchmarks of the placer.

Cells sit on a hidden square grid; each cell drives one net whose sinks are mostly
grid neighbours (Gaussian offsets) with a few long connections, like the Rent-style
locality of real logic. IO pins attach to cells on the hidden grid's edge in
counter-clockwise order (matching :func:`finevh.place.floorplan.io_positions`).
The cell order is then shuffled, so the placer cannot read the grid from indices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class SyntheticNetlist:
    width_sites: np.ndarray    # int64[N]
    net_ptr: np.ndarray        # int64[M+1]
    net_pins: np.ndarray       # int64[K]: < N cells, >= N IO pins
    n_io: int

    @property
    def n_cells(self) -> int:
        return len(self.width_sites)


def synthetic_netlist(n_cells: int, seed: int = 1, sigma: float = 1.2, long_frac: float = 0.03,
                      mean_fanout: float = 2.2) -> SyntheticNetlist:
    rng = np.random.default_rng(seed)
    g = int(np.ceil(np.sqrt(n_cells)))
    gx = np.arange(n_cells) % g
    gy = np.arange(n_cells) // g
    rows = int(np.ceil(n_cells / g))
    # sinks per net: 1 + Poisson
    fan = 1 + rng.poisson(mean_fanout - 1, n_cells)
    fan = np.minimum(fan, 12)
    drv = np.repeat(np.arange(n_cells), fan)
    k = len(drv)
    dx = np.rint(rng.normal(0, sigma, k)).astype(np.int64)
    dy = np.rint(rng.normal(0, sigma, k)).astype(np.int64)
    sx = np.clip(gx[drv] + dx, 0, g - 1)
    sy = np.clip(gy[drv] + dy, 0, rows - 1)
    sink = sy * g + sx
    sink = np.where(sink >= n_cells, drv, sink)
    far = rng.random(k) < long_frac
    sink[far] = rng.integers(0, n_cells, int(far.sum()))
    # IO pins around the hidden grid edge, counter-clockwise from the lower-left corner
    edge = ([(x, 0) for x in range(g)] + [(g - 1, y) for y in range(1, rows)]
            + [(x, rows - 1) for x in range(g - 2, -1, -1)] + [(0, y) for y in range(rows - 2, 0, -1)])
    step = max(1, len(edge) // max(1, 2 * g))
    edge = edge[::step]
    io_cells = np.array([min(y * g + x, n_cells - 1) for x, y in edge], np.int64)
    n_io = len(io_cells)
    # assemble nets: driver + sinks, then one net per IO pin
    ptr = np.zeros(n_cells + n_io + 1, np.int64)
    sizes = np.concatenate([fan + 1, np.full(n_io, 2)])
    np.cumsum(sizes, out=ptr[1:])
    pins = np.empty(int(ptr[-1]), np.int64)
    pos = ptr[:n_cells]
    pins[pos] = np.arange(n_cells)
    # sinks after the driver
    off = np.arange(k) - np.repeat(np.cumsum(fan) - fan, fan)
    pins[np.repeat(pos, fan) + 1 + off] = sink
    pins[ptr[n_cells:-1]] = n_cells + np.arange(n_io)
    pins[ptr[n_cells:-1] + 1] = io_cells
    # shuffle the cell order
    perm = rng.permutation(n_cells)          # new index of old cell i
    cell = pins < n_cells
    pins[cell] = perm[pins[cell]]
    widths = rng.choice(np.array([1, 2, 3, 3, 4, 4, 5, 6, 8, 10]), n_cells)
    w = np.empty(n_cells, np.int64)
    w[perm] = widths
    return SyntheticNetlist(w, ptr, pins, n_io)
