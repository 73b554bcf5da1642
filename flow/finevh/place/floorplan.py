"""Floorplan for the embedded placer: core and die size from the cell area, a target
utilisation and an aspect ratio; rows of sites; IO pins around the die edge.

All lengths um.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import InputError


@dataclass
class Floorplan:
    die: tuple[float, float, float, float]     # um
    core: tuple[float, float, float, float]    # um; rows fill it exactly
    site_width: float                          # um
    row_height: float                          # um
    n_rows: int
    n_sites: int                               # sites per row
    site_name: str = "core"

    @property
    def core_width(self) -> float:
        return self.n_sites * self.site_width

    def row_y(self) -> np.ndarray:
        return self.core[1] + self.row_height * np.arange(self.n_rows)

    def row_orient(self) -> list[str]:
        """Rows alternate N / FS so that power rails are shared (row 0 is N)."""
        return ["N" if r % 2 == 0 else "FS" for r in range(self.n_rows)]


def make_floorplan(cell_area: float, site_width: float, row_height: float, utilization: float = 0.7,
                   aspect: float = 1.0, margin: float | None = None, max_cell_width: float = 0.0,
                   site_name: str = "core") -> Floorplan:
    """A core of area ``cell_area / utilization`` (um^2) with height/width ``aspect``,
    rounded up to whole rows and sites, surrounded by a margin (default: two rows)."""
    if not (0.05 <= utilization <= 0.95):
        raise InputError(f"utilization {utilization} out of range [0.05, 0.95]")
    if not (0.1 <= aspect <= 10):
        raise InputError(f"aspect ratio {aspect} out of range [0.1, 10]")
    if site_width <= 0 or row_height <= 0:
        raise InputError("site width and row height must be positive")
    area = max(cell_area, site_width * row_height) / utilization
    w = math.sqrt(area / aspect)
    h = area / w
    n_rows = max(1, math.ceil(h / row_height - 1e-9))
    n_sites = max(1, math.ceil(area / (n_rows * row_height) / site_width - 1e-9),
                  math.ceil(max_cell_width / site_width) + 1)
    m = 2 * row_height if margin is None else margin
    core = (m, m, m + n_sites * site_width, m + n_rows * row_height)
    die = (0.0, 0.0, core[2] + m, core[3] + m)
    return Floorplan(die, core, site_width, row_height, n_rows, n_sites, site_name)


def _perimeter_coord(fp: Floorplan, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Counter-clockwise perimeter coordinate (from the lower-left corner) of the die
    edge point nearest to each (x, y)."""
    x0, y0, x1, y1 = fp.die
    w, h = x1 - x0, y1 - y0
    x = np.clip(x, x0, x1)
    y = np.clip(y, y0, y1)
    d = np.stack([y - y0, x1 - x, y1 - y, x - x0])       # distance to bottom, right, top, left
    side = np.argmin(d, axis=0)
    t = np.where(side == 0, x - x0,
        np.where(side == 1, w + (y - y0),
        np.where(side == 2, w + h + (x1 - x), 2 * w + h + (y1 - y))))
    return t


def assign_io_slots(fp: Floorplan, want_x: np.ndarray, want_y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Put IO pins on the evenly spaced edge slots of :func:`io_positions`, in the
    perimeter order of their wished positions (e.g. the centroid of the cells they
    connect to), with the rotation of slots that moves them least. NaN wishes keep
    their original slot order."""
    n = len(want_x)
    sx, sy = io_positions(fp, n)
    if n == 0:
        return sx, sy
    ok = ~(np.isnan(want_x) | np.isnan(want_y))
    t_slot = _perimeter_coord(fp, sx, sy)
    t = np.where(ok, _perimeter_coord(fp, np.nan_to_num(want_x), np.nan_to_num(want_y)), t_slot)
    order = np.argsort(t, kind="stable")
    per = 2 * ((fp.die[2] - fp.die[0]) + (fp.die[3] - fp.die[1]))
    best, best_cost = 0, np.inf
    shifts = range(n) if n <= 512 else np.linspace(0, n - 1, 512).astype(int)
    ts = t[order]
    for k in shifts:
        slot_t = np.roll(t_slot, -k)
        dd = np.abs(ts - slot_t)
        cost = float(np.minimum(dd, per - dd).sum())
        if cost < best_cost:
            best, best_cost = int(k), cost
    slot_idx = np.roll(np.arange(n), -best)
    x = np.empty(n)
    y = np.empty(n)
    x[order] = sx[slot_idx]
    y[order] = sy[slot_idx]
    return x, y


def io_positions(fp: Floorplan, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` pin positions spread evenly around the die edge, counter-clockwise from the
    lower-left corner (bottom edge first), in the order given."""
    x0, y0, x1, y1 = fp.die
    w, h = x1 - x0, y1 - y0
    per = 2 * (w + h)
    t = (np.arange(n) + 0.5) * per / max(n, 1)
    x = np.empty(n)
    y = np.empty(n)
    b = t < w
    x[b], y[b] = x0 + t[b], y0
    r = (t >= w) & (t < w + h)
    x[r], y[r] = x1, y0 + (t[r] - w)
    tp = (t >= w + h) & (t < 2 * w + h)
    x[tp], y[tp] = x1 - (t[tp] - w - h), y1
    lf = t >= 2 * w + h
    x[lf], y[lf] = x0, y1 - (t[lf] - 2 * w - h)
    return x, y
