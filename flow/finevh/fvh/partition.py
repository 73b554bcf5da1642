"""``finevh partition``: cut a placed design into the "no-look" N×N tile mesh
(thesis §4.1.2, Fig. 4.4; SPEC §2 step 2).

The mesh geometry is :func:`finevh.fvh.tiles.make_mesh`; this module applies it to a
:class:`~finevh.design.Design` with a :class:`~finevh.layout.placement.Placement`:

1. every placed instance goes to the tile holding its centre (on the N = 1 core);
2. it keeps its offset inside the tile (:func:`~finevh.fvh.tiles.place_in_tiles`),
   which opens the void wrappers; cells pushed back from a tile edge (or, on
   rounding, onto a full row) are legalised inside their tile: over-full rows give
   their farthest cells to the nearest row with room, then each row is packed with
   the embedded placer's minimum-shift packer (:func:`finevh.place.legalize.pack_rows`);
3. interface cells: cells with an input driven from another tile
   (:func:`~finevh.fvh.tiles.interface_cells`).

The rows of the partitioned core are cut into one segment per tile (no site lies in
a wrapper); the die grows by the core growth, IO pins on the right/top edges move
with it. All lengths um, areas um^2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..layout.defio import ORIENTS, DefComponents
from ..layout.placement import Placement, Row, IoPin
from ..place.legalize import pack_rows, width_in_sites
from ..progress import warn
from . import tiles as T
from .plan import Mesh, Plan, Tile

_O = {o: i for i, o in enumerate(ORIENTS)}


def wrapper_from_lef(lef, layer: str | None = None) -> tuple[float, str]:
    """Minimum wrapper width (um) and the layer it comes from: the SPACING of ``layer``
    (default: the lowest routing layer, i.e. the one carrying the row rails)."""
    routing = sorted(lef.routing_layers(), key=lambda L: L.index)
    if layer is not None:
        L = lef.layers.get(layer)
        if L is None:
            raise InputError(f"layer '{layer}' is not in the LEF files", ",".join(lef.files))
    else:
        if not routing:
            raise InputError("no routing layer in the LEF files: give --wrapper", ",".join(lef.files))
        L = routing[0]
    if not L.spacing:
        raise InputError(f"layer '{L.name}' has no SPACING: give --wrapper", ",".join(lef.files))
    return float(L.spacing), L.name


def input_drivers(design) -> tuple[np.ndarray, np.ndarray]:
    """(inst of each signal input pin, inst driving its net or -1) over all instance
    input pins that sit on a net (ports and constants give -1)."""
    from ..design import DIR_INPUT

    nl = design.netlist
    P = design.n_pins
    ptr = design.net_term_ptr
    first = design.net_terms[ptr[:-1].clip(max=max(len(design.net_terms) - 1, 0))] if len(design.net_terms) else \
        np.zeros(nl.n_nets, np.int64)
    has = (design.net_n_drivers > 0) & (np.diff(ptr) > 0)
    drv_term = np.where(has, first, -1)
    pin_inst = design.pin_inst
    drv_inst = np.where((drv_term >= 0) & (drv_term < P), pin_inst[np.clip(drv_term, 0, max(P - 1, 0))], -1)
    is_in = (design.pin_dir == DIR_INPUT) & (nl.pin_net >= 0)
    pins = np.nonzero(is_in)[0]
    return pin_inst[pins].astype(np.int64), drv_inst[nl.pin_net[pins]].astype(np.int64)


def interface_mask(design, tile: np.ndarray) -> np.ndarray:
    pi, di = input_drivers(design)
    return T.interface_cells(tile, pi, di, design.n_instances)


def _fix_rows(row: np.ndarray, cy_rows: np.ndarray, w: np.ndarray, n_rows: int, n_sites: int) -> np.ndarray:
    """Move cells out of rows wider than ``n_sites`` into the nearest rows with room
    (the cell farthest from its row, towards the side it leans to, first)."""
    row = row.copy()
    total = int(w.sum())
    if total > n_rows * n_sites:
        raise InputError(f"a tile needs {total} sites but has {n_rows * n_sites}: utilisation too high "
                         "for this tile count (re-place with a lower utilisation)")
    for _ in range(len(row) + n_rows):
        used = np.bincount(row, weights=w, minlength=n_rows)
        over = np.nonzero(used > n_sites)[0]
        if len(over) == 0:
            return row
        r = int(over[0])
        members = np.nonzero(row == r)[0]
        free = n_sites - used
        # candidate target rows, nearest first
        cand = sorted((abs(k - r), k) for k in range(n_rows) if k != r and free[k] > 0)
        moved = False
        for _, k in cand:
            side = members[np.argsort(-(cy_rows[members] - r) * np.sign(k - r), kind="stable")]
            for i in side.tolist():
                if w[i] <= free[k]:
                    row[i] = k
                    moved = True
                    break
            if moved:
                break
        if not moved:
            raise InputError("cannot legalise a tile: no row has room for a cell of the over-full row")
    raise InputError("tile legalisation did not converge")


def legalise_in_tiles(mesh: T.TileMesh, tile: np.ndarray, x: np.ndarray, y: np.ndarray,
                      w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Legal lower-left (x, y) of every cell inside its tile, starting from the
    wanted positions ``x, y`` (um, already in the partitioned core). Returns also the
    global row index of each cell (0 = bottom row of the partitioned core)."""
    sw, rh = mesh.site_width, mesh.row_height
    n_sites = int(round(mesh.tile_w / sw))
    n_rows = int(round(mesh.tile_h / rh))
    rows_per_pitch = int(round((mesh.tile_h + mesh.wrapper_y) / rh))
    boxes = mesh.tile_boxes()
    ws = width_in_sites(w, sw)
    nx = np.empty_like(x)
    ny = np.empty_like(y)
    grow = np.empty(len(x), np.int64)
    for t in range(mesh.n_tiles):
        idx = np.nonzero(tile == t)[0]
        if len(idx) == 0:
            continue
        bx, by = boxes[t, 0], boxes[t, 1]
        cy_rows = (y[idx] - by) / rh
        row = np.clip(np.rint(cy_rows).astype(np.int64), 0, n_rows - 1)
        if int(ws[idx].max()) > n_sites:
            raise InputError(f"a cell of {int(ws[idx].max())} sites does not fit a tile row of {n_sites} sites: "
                             "fewer tiles are needed")
        row = _fix_rows(row, cy_rows, ws[idx], n_rows, n_sites)
        cx_sites = (x[idx] - bx) / sw + 0.5 * ws[idx]
        site = pack_rows(cx_sites, row, ws[idx], n_rows, n_sites)
        nx[idx] = bx + site * sw
        ny[idx] = by + row * rh
        grow[idx] = (t // mesh.n) * rows_per_pitch + row
    return nx, ny, grow


@dataclass
class PartitionResult:
    mesh: T.TileMesh
    tile: np.ndarray            # int32[N]
    interface: np.ndarray       # bool[N]
    placement: Placement        # the partitioned placement
    summary: T.PartitionSummary
    base_rows: int
    moved: int                  # cells that legalisation moved off their tile-relative spot
    mean_shift_um: float        # mean legalisation displacement (um) of the moved cells
    wrapper_layer: str | None


def _row_orients(pl: Placement) -> tuple[str, str]:
    rows = sorted(pl.rows, key=lambda r: (r.y, r.x))
    if not rows:
        return "N", "FS"
    o0 = rows[0].orient
    o1 = next((r.orient for r in rows if r.y > rows[0].y + 1e-9), "FS" if o0 == "N" else "N")
    return o0, o1


def _reorient(orient: np.ndarray, grow: np.ndarray, ro: tuple[str, str]) -> np.ndarray:
    """Orientation on the new row: mirrored-in-x cells (FN, S) stay mirrored."""
    out = orient.copy()
    mirrored = np.isin(orient, [_O["FN"], _O["S"]])
    plain = np.isin(orient, [_O["N"], _O["FS"], _O["FN"], _O["S"]])
    target = np.array([_O[ro[0]], _O[ro[1]]], np.int8)[grow % 2]
    flip = {_O["N"]: _O["FN"], _O["FS"]: _O["S"], _O["FN"]: _O["N"], _O["S"]: _O["FS"]}
    tm = np.array([flip.get(int(v), int(v)) for v in target.tolist()], np.int8) if len(target) else target
    out[plain] = np.where(mirrored[plain], tm[plain], target[plain])
    return out


def partition(design, n: int, wrapper_um: float, wrapper_layer: str | None = None) -> PartitionResult:
    """Partition ``design.placement`` into ``n``×``n`` tiles with wrappers ``wrapper_um`` wide."""
    pl: Placement = design.placement
    if pl is None:
        raise InputError("partition needs a placement (--def and --lef)")
    if not pl.placed.all():
        k = int(np.argmin(pl.placed))
        raise InputError(f"instance '{design.netlist.inst_names[k]}' is not placed", pl.source)
    if pl.site_width <= 0 or pl.site_height <= 0:
        raise InputError("the DEF has no rows (site width / row height unknown)", pl.source)
    if wrapper_um < 0:
        raise InputError(f"wrapper width {wrapper_um} must be >= 0")
    base = tuple(float(v) for v in pl.core)
    mesh = T.make_mesh(base, n, wrapper_um, pl.site_height, pl.site_width)
    tile = T.assign_tiles(mesh, pl.x, pl.y, pl.width, pl.height)
    wx, wy = T.place_in_tiles(mesh, tile, pl.x, pl.y, pl.width, pl.height)
    nx, ny, grow = legalise_in_tiles(mesh, tile, wx, wy, pl.width)
    shift = np.abs(nx - wx) + np.abs(ny - wy)
    moved = shift > 1e-6
    iface = interface_mask(design, tile)
    summ = T.summarise(mesh, tile, design.inst_area(), iface)

    # rows: one segment per tile and tile row
    ro = _row_orients(pl)
    site = pl.rows[0].site if pl.rows else "core"
    boxes = mesh.tile_boxes()
    rows_per_tile = int(round(mesh.tile_h / mesh.row_height))
    rows_per_pitch = int(round((mesh.tile_h + mesh.wrapper_y) / mesh.row_height))
    n_sites = int(round(mesh.tile_w / mesh.site_width))
    rows: list[Row] = []
    for t in range(mesh.n_tiles):
        for r in range(rows_per_tile):
            g = (t // mesh.n) * rows_per_pitch + r
            rows.append(Row(f"ROW_T{t}_{r}", site, float(boxes[t, 0]), float(boxes[t, 1] + r * mesh.row_height),
                            ro[g % 2], n_sites, mesh.site_width))
    dx = mesh.core[2] - base[2]
    dy = mesh.core[3] - base[3]
    d0 = pl.die
    die = (d0[0], d0[1], d0[2] + dx, d0[3] + dy)
    io = [IoPin(p.name, p.net, p.direction, p.x + (dx if p.x >= base[2] else 0.0),
                p.y + (dy if p.y >= base[3] else 0.0), p.layer) for p in pl.io]
    if len(pl.physical):
        warn(f"{len(pl.physical)} physical-only components (fillers, taps...) dropped: re-insert them after "
             "partitioning", pl.source)
    new = Placement(die=die, core=mesh.core, rows=rows, site_width=pl.site_width, site_height=pl.site_height,
                    x=nx, y=ny, orient=_reorient(pl.orient, grow, ro), width=pl.width.copy(),
                    height=pl.height.copy(), fixed=pl.fixed.copy(), placed=pl.placed.copy(), io=io, dbu=pl.dbu,
                    design_name=pl.design_name, physical=DefComponents(), source=pl.source)
    base_rows = int(round((base[3] - base[1]) / pl.site_height))
    return PartitionResult(mesh, tile, iface, new, summ, base_rows, int(moved.sum()),
                           float(shift[moved].mean()) if moved.any() else 0.0, wrapper_layer)


def summary_dict(res: PartitionResult, base_summary: T.PartitionSummary | None = None) -> dict:
    s = res.summary
    m = res.mesh
    return {
        "n": m.n, "tiles": s.tiles, "core_area_um2": round(s.core_area_um2, 4), "rows": s.rows,
        "base_rows": res.base_rows,
        "cell_area_um2": round(s.cell_area_um2, 4), "area_overhead_pct": round(s.area_overhead_pct, 4),
        "utilisation_pct": round(100.0 * s.cell_area_um2 / s.core_area_um2, 4) if s.core_area_um2 else 0.0,
        "interface_cells": s.interface_cells, "interface_share_pct": round(s.interface_share_pct, 4),
        "cells_per_tile_min": s.cells_per_tile_min, "cells_per_tile_max": s.cells_per_tile_max,
        "wrapper_x_um": round(m.wrapper_x, 6), "wrapper_y_um": round(m.wrapper_y, 6),
        "wrapper_layer": res.wrapper_layer,
        "tile_w_um": round(m.tile_w, 6), "tile_h_um": round(m.tile_h, 6),
        "legalised_cells": res.moved, "mean_legalisation_shift_um": round(res.mean_shift_um, 4),
    }


def cell_pin_names(design) -> dict[str, str]:
    """The plan's ``cell_pins``: the design's known power/ground pin names."""
    sp = design.supply_pins() if hasattr(design, "supply_pins") else None
    return {k: v for k, v in (("power", getattr(sp, "power", None)), ("ground", getattr(sp, "ground", None))) if v}


def to_plan(design, res: PartitionResult, report: dict) -> Plan:
    m = res.mesh
    counts = np.bincount(res.tile, minlength=m.n_tiles)
    boxes = m.tile_boxes()
    rows_per_tile = int(round(m.tile_h / m.row_height))
    tiles = [Tile(t, tuple(float(v) for v in boxes[t]), rows_per_tile, int(counts[t])) for t in range(m.n_tiles)]
    pl = res.placement
    mesh = Mesh(n=m.n, base_core=tuple(m.base_core), core=tuple(m.core), die=tuple(pl.die), wrapper_x=m.wrapper_x,
                wrapper_y=m.wrapper_y, tile_w=m.tile_w, tile_h=m.tile_h, row_height=m.row_height,
                site_width=m.site_width, site=pl.rows[0].site if pl.rows else "core", rows=m.n_rows, tiles=tiles)
    return Plan(design=design.netlist.top, mesh=mesh, inst_names=list(design.netlist.inst_names),
                inst_tile=res.tile.astype(np.int32), interface=res.interface.copy(),
                reports={"partition": report}, cell_pins=cell_pin_names(design))
