"""The "no-look" N×N tile mesh (thesis §4.1.2, Fig. 4.4, Table 4.1).

The mesh is fixed at floorplan time, independent of the logic: the core of the
un-partitioned design (N = 1) is cut into N×N equal tiles and a void wrapper of
width ``w`` is opened between neighbouring tiles, so the partitioned core grows by
``(N-1)·w`` in each direction (rounded up to whole rows vertically and whole sites
horizontally). The wrapper breaks the low-metal rails between tiles that may run at
different supplies; its area is the partitioning overhead.

A placed cell keeps its position relative to its tile: a cell whose centre lies in
tile column ``i`` is shifted right by ``i`` wrapper pitches (likewise for rows), and a
cell that would straddle a tile edge is pushed back inside its tile. Tile ids are
row-major from the lower-left corner: ``tile = row * N + col``.

All lengths in um, areas in um^2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TileMesh:
    n: int                          # tiles per side
    core: tuple[float, float, float, float]   # partitioned core (x0, y0, x1, y1), um
    base_core: tuple[float, float, float, float]  # the N = 1 core it was derived from
    wrapper_x: float                # wrapper width between tile columns (um, whole sites)
    wrapper_y: float                # wrapper height between tile rows (um, whole rows)
    tile_w: float                   # tile width (um)
    tile_h: float                   # tile height (um)
    row_height: float
    site_width: float

    @property
    def n_tiles(self) -> int:
        return self.n * self.n

    def tile_boxes(self) -> np.ndarray:
        """float64[n*n, 4]: (x0, y0, x1, y1) of every tile, row-major from lower-left."""
        x0, y0 = self.core[0], self.core[1]
        cols = np.arange(self.n)
        xs = x0 + cols * (self.tile_w + self.wrapper_x)
        ys = y0 + cols * (self.tile_h + self.wrapper_y)
        gy, gx = np.meshgrid(ys, xs, indexing="ij")
        return np.stack([gx.ravel(), gy.ravel(), gx.ravel() + self.tile_w, gy.ravel() + self.tile_h], axis=1)

    def wrapper_boxes(self) -> np.ndarray:
        """float64[k, 4]: the void wrappers (vertical strips then horizontal strips)."""
        x0, y0, x1, y1 = self.core
        boxes = []
        for i in range(1, self.n):
            wx = x0 + i * self.tile_w + (i - 1) * self.wrapper_x
            boxes.append((wx, y0, wx + self.wrapper_x, y1))
        for j in range(1, self.n):
            wy = y0 + j * self.tile_h + (j - 1) * self.wrapper_y
            boxes.append((x0, wy, x1, wy + self.wrapper_y))
        return np.asarray(boxes, dtype=np.float64).reshape(-1, 4)

    @property
    def core_area(self) -> float:
        return (self.core[2] - self.core[0]) * (self.core[3] - self.core[1])

    @property
    def n_rows(self) -> int:
        return int(round((self.core[3] - self.core[1]) / self.row_height))


def _ceil_to(value: float, step: float) -> float:
    return math.ceil(value / step - 1e-9) * step


def make_mesh(base_core: tuple[float, float, float, float], n: int, wrapper_um: float,
              row_height: float, site_width: float) -> TileMesh:
    """Mesh of ``n``×``n`` tiles over ``base_core`` (the N = 1 core, um).

    ``wrapper_um`` is the minimum void width (e.g. the technology's minimum metal
    spacing, or more); it is rounded up to whole sites between columns and whole
    rows between tile rows, and the tile size is rounded up to whole rows/sites so
    every tile holds complete rows.
    """
    if n < 1:
        raise ValueError("tile count per side must be >= 1")
    x0, y0, x1, y1 = base_core
    tile_w = _ceil_to((x1 - x0) / n, site_width)
    tile_h = _ceil_to((y1 - y0) / n, row_height)
    wx = _ceil_to(wrapper_um, site_width) if n > 1 else 0.0
    wy = _ceil_to(wrapper_um, row_height) if n > 1 else 0.0
    if n == 1:
        tile_w, tile_h = x1 - x0, y1 - y0
    core = (x0, y0, x0 + n * tile_w + (n - 1) * wx, y0 + n * tile_h + (n - 1) * wy)
    return TileMesh(n, core, base_core, wx, wy, tile_w, tile_h, row_height, site_width)


def assign_tiles(mesh: TileMesh, x: np.ndarray, y: np.ndarray, w: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Tile id (int32) of every cell of the N = 1 placement (lower-left ``x, y``, size ``w, h``):
    the tile holding the cell's centre, scaled onto the N×N grid of the base core."""
    bx0, by0, bx1, by1 = mesh.base_core
    cx = (x + 0.5 * w - bx0) / (bx1 - bx0) * mesh.n
    cy = (y + 0.5 * h - by0) / (by1 - by0) * mesh.n
    col = np.clip(np.floor(cx).astype(np.int64), 0, mesh.n - 1)
    row = np.clip(np.floor(cy).astype(np.int64), 0, mesh.n - 1)
    return (row * mesh.n + col).astype(np.int32)


def place_in_tiles(mesh: TileMesh, tile: np.ndarray, x: np.ndarray, y: np.ndarray,
                   w: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """New lower-left coordinates in the partitioned core: each cell keeps its offset
    relative to its tile's origin (scaled from the base core), snapped to the site and
    row grid, and clamped inside its tile. Row-snapping keeps every cell on a row."""
    bx0, by0, bx1, by1 = mesh.base_core
    col = tile % mesh.n
    row = tile // mesh.n
    # offset of the cell inside its tile, on the base core's uniform grid
    src_tw = (bx1 - bx0) / mesh.n
    src_th = (by1 - by0) / mesh.n
    off_x = (x - bx0) - col * src_tw
    off_y = (y - by0) - row * src_th
    tx0 = mesh.core[0] + col * (mesh.tile_w + mesh.wrapper_x)
    ty0 = mesh.core[1] + row * (mesh.tile_h + mesh.wrapper_y)
    nx = np.clip(np.round(off_x / mesh.site_width) * mesh.site_width, 0.0, np.maximum(mesh.tile_w - w, 0.0))
    ny = np.clip(np.round(off_y / mesh.row_height) * mesh.row_height, 0.0, np.maximum(mesh.tile_h - h, 0.0))
    nx = np.floor(nx / mesh.site_width + 1e-9) * mesh.site_width
    ny = np.floor(ny / mesh.row_height + 1e-9) * mesh.row_height
    return tx0 + nx, ty0 + ny


def interface_cells(tile: np.ndarray, in_pin_inst: np.ndarray, in_pin_driver_inst: np.ndarray,
                    n_instances: int) -> np.ndarray:
    """bool[n_instances]: cells with at least one input driven from another tile.

    ``in_pin_inst[k]`` is the instance of input pin k and ``in_pin_driver_inst[k]`` the
    instance driving its net (-1 when driven by a top-level port or a constant: such
    inputs never make a cell an interface cell, as the thesis counts tile-to-tile
    signals only).
    """
    drv = in_pin_driver_inst
    ok = drv >= 0
    crossing = tile[in_pin_inst[ok]] != tile[drv[ok]]
    out = np.zeros(n_instances, dtype=bool)
    out[in_pin_inst[ok][crossing]] = True
    return out


@dataclass(frozen=True)
class PartitionSummary:
    """Figures of thesis Table 4.1 for one tile count."""

    tiles: int
    core_area_um2: float
    rows: int
    cell_area_um2: float
    area_overhead_pct: float      # core area against the N = 1 core
    interface_cells: int
    interface_share_pct: float
    cells_per_tile_min: int
    cells_per_tile_max: int


def summarise(mesh: TileMesh, tile: np.ndarray, cell_area: np.ndarray, is_interface: np.ndarray) -> PartitionSummary:
    bx0, by0, bx1, by1 = mesh.base_core
    base_area = (bx1 - bx0) * (by1 - by0)
    counts = np.bincount(tile, minlength=mesh.n_tiles)
    n = len(tile)
    return PartitionSummary(
        tiles=mesh.n_tiles,
        core_area_um2=mesh.core_area,
        rows=mesh.n_rows,
        cell_area_um2=float(cell_area.sum()),
        area_overhead_pct=100.0 * (mesh.core_area / base_area - 1.0),
        interface_cells=int(is_interface.sum()),
        interface_share_pct=100.0 * float(is_interface.sum()) / n if n else 0.0,
        cells_per_tile_min=int(counts.min()) if n else 0,
        cells_per_tile_max=int(counts.max()) if n else 0,
    )
