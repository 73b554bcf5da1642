#!/usr/bin/env python3
"""Embedded placer benchmark: run time, legality and HPWL against a random legal
placement (same floorplan, same legaliser) on

* the 16 x 16 array of 8-bit MACs (``bench/mac_array.v``) mapped by Yosys onto osu018
  (124,756 cells; the mapped netlist is cached, the first run takes minutes), and
* a synthetic 50,000-cell netlist with grid locality (``finevh.place.synthetic``).

Done-when (issue 4): >= 50k cells, legal, HPWL >= 5x better than random legal, < 60 s.
Usage: python3 bench/bench_place.py [--skip-mac] [--cells 50000] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OSU = Path("/usr/share/qflow/tech/osu018")


def report(name: str, n: int, seconds: float, legal: list[str], hpwl: float, h_rand: float, extra: dict) -> dict:
    r = {"design": name, "cells": n, "place_seconds": round(seconds, 2), "legal": not legal,
         "hpwl_um": round(hpwl, 1), "random_legal_hpwl_um": round(h_rand, 1),
         "hpwl_ratio_random_over_placed": round(h_rand / hpwl, 2), **extra}
    print(f"{name:<28} cells {n:>7}  place {seconds:6.1f} s  legal {'yes' if not legal else legal}  "
          f"HPWL {hpwl:12.0f} um  random legal {h_rand:13.0f} um  ratio {h_rand / hpwl:5.1f}x", flush=True)
    return r


def bench_mac(seed: int) -> dict:
    from finevh.cli.read import load_design
    from finevh.place import check_legal, random_legal
    from finevh.place.flow import design_nets, place_design
    from finevh.place.legalize import width_in_sites
    from finevh.synth.yosys import map_to_liberty

    t = time.perf_counter()
    v = map_to_liberty([HERE / "mac_array.v"], OSU / "osu018_stdcells.lib", "mac_array")
    t_map = time.perf_counter() - t
    design = load_design([OSU / "osu018_stdcells.lib"], v, lef=[OSU / "osu018_stdcells.lef"])
    t = time.perf_counter()
    pl, res = place_design(design, design.meta["lef"], utilization=0.7, seed=seed)
    dt = time.perf_counter() - t
    fp = res.floorplan
    legal = check_legal(res.row, res.site, width_in_sites(pl.width, fp.site_width), fp.n_rows, fp.n_sites)
    ptr, pins = design_nets(design)
    _, _, h_rand = random_legal(pl.width, ptr, pins, fp, res.io_x, res.io_y, seed=seed + 1)
    return report("mac_array (osu018, Yosys)", pl.n_instances, dt, legal, res.hpwl, h_rand,
                  {"iterations": res.iterations, "rows": fp.n_rows, "map_seconds_cached": round(t_map, 2)})


def bench_synthetic(n: int, seed: int) -> dict:
    from finevh.place import check_legal, place_cells, random_legal
    from finevh.place.synthetic import synthetic_netlist

    s = synthetic_netlist(n, seed=seed + 1)
    w = s.width_sites * 0.46
    t = time.perf_counter()
    r = place_cells(w, s.net_ptr, s.net_pins, s.n_io, 0.46, 2.72, seed=seed)
    dt = time.perf_counter() - t
    fp = r.floorplan
    legal = check_legal(r.row, r.site, s.width_sites, fp.n_rows, fp.n_sites)
    _, _, h_rand = random_legal(w, s.net_ptr, s.net_pins, fp, r.io_x, r.io_y, seed=seed + 1)
    return report(f"synthetic grid {n}", n, dt, legal, r.hpwl, h_rand, {"iterations": r.iterations})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-mac", action="store_true", help="only the synthetic netlist")
    ap.add_argument("--cells", type=int, default=50000, help="synthetic netlist size")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", default=None, help="also write the figures to this JSON file")
    args = ap.parse_args()
    out = [bench_synthetic(args.cells, args.seed)]
    if not args.skip_mac:
        out.append(bench_mac(args.seed))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
