"""Small FINE-VH plans for the emit tests, built from the tile mesh code
(:func:`finevh.fvh.tiles.make_mesh`) with the demo28 row/site grid: switches at the
left border rows of each tile, one configuration flip-flop per tile in serpentine
order, and the given instances/swaps."""

from __future__ import annotations

import numpy as np

from finevh.fvh import plan as P
from finevh.fvh.tiles import make_mesh

ROW_H = 1.2       # demo28 site height (um)
SITE_W = 0.136    # demo28 site width (um)
MUX_W = 2.72      # VDDMUX_X1 width (um, demo28.lef)
FF_W = 2.04       # DFF_X1 width (um)


def build_plan(names: list[str], n: int = 3, core_um: float = 40.0, muxes_per_tile: int = 2,
               swaps: list[tuple[str, str, str, str]] = (), tiles: list[int] | None = None,
               wrapper_um: float = 0.5) -> P.Plan:
    base = (0.0, 0.0, core_um, core_um)
    m = make_mesh(base, n, wrapper_um, ROW_H, SITE_W)
    boxes = m.tile_boxes()
    inst_tile = np.asarray(tiles if tiles is not None else [k % (n * n) for k in range(len(names))], dtype=np.int32)
    rows_per_tile = int(round(m.tile_h / ROW_H))
    ptiles = [P.Tile(t, tuple(float(v) for v in boxes[t]), rows_per_tile, int((inst_tile == t).sum()))
              for t in range(n * n)]
    mesh = P.Mesh(n=n, base_core=base, core=m.core, die=(m.core[0] - 2, m.core[1] - 2, m.core[2] + 2, m.core[3] + 2),
                  wrapper_x=m.wrapper_x, wrapper_y=m.wrapper_y, tile_w=m.tile_w, tile_h=m.tile_h,
                  row_height=ROW_H, site_width=SITE_W, site="demo28site", rows=m.n_rows, tiles=ptiles)
    cells, per = [], []
    for t in range(n * n):
        x0, y0, x1, y1 = boxes[t]
        for k in range(muxes_per_tile):
            row = (k * rows_per_tile) // muxes_per_tile
            cells.append(P.MuxCell(f"fvh_vddmux_t{t}_{k}", "VDDMUX_X1", float(x0), float(y0 + row * ROW_H),
                                   "N" if row % 2 == 0 else "FS", t, int(round((y0 - m.core[1]) / ROW_H)) + row))
        per.append(P.TileMux(t, 0.5, muxes_per_tile))
    order = []
    for r in range(n):
        cols = range(n) if r % 2 == 0 else range(n - 1, -1, -1)
        order += [r * n + c for c in cols]
    flops = []
    for t in order:
        x0, y0, x1, y1 = boxes[t]
        fx = np.floor((x1 - FF_W - x0) / SITE_W) * SITE_W + x0
        flops.append(P.ChainFlop(f"fvh_cfg_ff_t{t}", t, float(fx), float(y0), "N"))
    plan = P.Plan(design="top", mesh=mesh, inst_names=list(names), inst_tile=inst_tile,
                  interface=np.ones(len(names), dtype=bool),
                  vddmux=P.VddMuxPlan("VDDMUX_X1", 1.0, 2.0, cells, per),
                  config_chain=P.ConfigChain("DFF_X1", "fvh_cfg_clk", "fvh_cfg_in", order, flops),
                  pb_swaps=[P.PbSwap(*s) for s in swaps])
    return plan
