"""finevh.place: the embedded placer, a fallback for designs that come without a DEF.

A DEF from a real place-and-route tool always takes precedence; this placer only
exists so that the flow can run from a netlist alone. It takes plain arrays (cell
widths, nets as CSR over cell and IO-pin indices) and does not depend on
:mod:`finevh.design`:

1. :func:`~finevh.place.floorplan.make_floorplan`: core from cell area,
   utilisation and aspect ratio; rows of sites; IO pins evenly around the die.
2. :func:`~finevh.place.global_place.global_place`: quadratic B2B wirelength with
   conjugate gradient, alternating with density-uniform spreading (SimPL-like).
3. :func:`~finevh.place.legalize.legalize`: rows and sites, no overlap.
4. :func:`~finevh.place.detailed.refine_rows`: in-row moves towards each cell's
   optimal x, kept while the wirelength drops.

Deterministic for a given seed. Lengths um.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .floorplan import Floorplan, assign_io_slots, io_positions, make_floorplan
from .global_place import global_place
from .detailed import refine_rows
from .legalize import check_legal, legalize, width_in_sites
from .netmodel import PlaceNets, hpwl, io_centroids

__all__ = ["Floorplan", "make_floorplan", "io_positions", "PlaceResult", "place_cells", "random_legal",
           "PlaceNets", "hpwl", "check_legal"]


@dataclass
class PlaceResult:
    x: np.ndarray            # lower-left x, um
    y: np.ndarray            # lower-left y, um
    row: np.ndarray          # row index
    site: np.ndarray         # site index of the left edge
    flipped: np.ndarray      # bool: cell in an FS row
    floorplan: Floorplan
    io_x: np.ndarray
    io_y: np.ndarray
    hpwl: float              # um, legal placement (cell centres and IO pins)
    global_hpwl: float       # um, before legalisation
    iterations: int
    stats: dict = field(default_factory=dict)


def _positions(row, site, w_sites, fp: Floorplan):
    x = fp.core[0] + site * fp.site_width
    y = fp.core[1] + row * fp.row_height
    return x, y, x + 0.5 * w_sites * fp.site_width, y + 0.5 * fp.row_height


def place_cells(width: np.ndarray, net_ptr: np.ndarray, net_pins: np.ndarray, n_io: int,
                site_width: float, row_height: float, utilization: float = 0.7, aspect: float = 1.0,
                seed: int = 0, io_xy: tuple[np.ndarray, np.ndarray] | None = None,
                site_name: str = "core", max_iters: int = 40) -> PlaceResult:
    """Place ``len(width)`` single-row-height cells.

    ``net_pins`` values ``< N`` are cells, ``N .. N+n_io-1`` are IO pins. Unless
    ``io_xy`` fixes their positions, IO pins take evenly spaced slots around the die
    edge, ordered like the cells they connect to (assigned after the first
    wirelength solves, and again after legalisation when that shortens the wires).
    """
    width = np.asarray(width, float)
    n = len(width)
    w_sites = width_in_sites(width, site_width)
    fp = make_floorplan(float(w_sites.sum()) * site_width * row_height, site_width, row_height,
                        utilization, aspect, max_cell_width=float(width.max(initial=0.0)), site_name=site_name)
    nets = PlaceNets.build(n, net_ptr, net_pins)
    io_update = None
    if io_xy is None:
        io_x, io_y = io_positions(fp, n_io)

        def io_update(cx, cy):
            return assign_io_slots(fp, *io_centroids(nets, cx, cy, n_io))
    else:
        io_x, io_y = (np.asarray(v, float) for v in io_xy)
    wid = w_sites * site_width
    hgt = np.full(n, row_height)
    g = global_place(nets, wid, hgt, fp, io_x, io_y, seed=seed, max_iters=max_iters, io_update=io_update)
    io_x, io_y = g.io_x, g.io_y
    ghpwl = hpwl(nets, g.cx, g.cy, io_x, io_y)
    row, site = legalize(g.cx, g.cy, wid, fp)
    legal_hpwl = hpwl(nets, *_positions(row, site, w_sites, fp)[2:], io_x, io_y)

    def refine(site, passes):
        return refine_rows(nets, row, site, w_sites, fp.n_rows, fp.n_sites, fp.core[0], fp.core[1],
                           fp.site_width, fp.row_height, io_x, io_y, passes=passes)[0]

    site = refine(site, 12)
    x, y, cx, cy = _positions(row, site, w_sites, fp)
    if io_update is not None:
        # final pin assignment against the legal cells, kept only if it helps
        nx, ny = io_update(cx, cy)
        if hpwl(nets, cx, cy, nx, ny) < hpwl(nets, cx, cy, io_x, io_y):
            io_x, io_y = nx, ny
            site = refine(site, 4)
            x, y, cx, cy = _positions(row, site, w_sites, fp)
    return PlaceResult(x, y, row, site, row % 2 == 1, fp, io_x, io_y,
                       hpwl(nets, cx, cy, io_x, io_y), ghpwl, g.iterations,
                       {"history": g.history, "n_nets": nets.n_nets, "legal_hpwl": legal_hpwl})


def random_legal(width: np.ndarray, net_ptr: np.ndarray, net_pins: np.ndarray, fp: Floorplan,
                 io_x: np.ndarray, io_y: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray, float]:
    """A random legal placement in the same floorplan (reference for HPWL ratios):
    uniform random centres, legalised like the real placement. Returns (row, site, HPWL um)."""
    rng = np.random.default_rng(seed)
    n = len(width)
    w_sites = width_in_sites(np.asarray(width, float), fp.site_width)
    cx = rng.uniform(fp.core[0], fp.core[2], n)
    cy = rng.uniform(fp.core[1], fp.core[3], n)
    row, site = legalize(cx, cy, w_sites * fp.site_width, fp)
    _, _, ccx, ccy = _positions(row, site, w_sites, fp)
    nets = PlaceNets.build(n, net_ptr, net_pins)
    return row, site, hpwl(nets, ccx, ccy, io_x, io_y)
