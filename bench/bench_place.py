#!/usr/bin/env python3
"""Embedded placer benchmark: run time, legality and HPWL against a random legal
placement (same floorplan, same legaliser) on

* the 16 x 16 array of 8-bit MACs (``bench/mac_array.v``) mapped by Yosys onto osu018
  (124,756 cells; the mapped netlist is cached, the first run takes minutes), and
* a synthetic 50,000-cell netlist with grid locality (``finevh.place.synthetic``);

and against a real placer, GrayWolf (TimberWolf, as run by Debian qflow: Yosys BLIF ->
blif2cel.tcl -> graywolf -> place2def.tcl), on the sample design and ISCAS-89 s38417
mapped onto osu018: both DEFs are scored by the same DEF-based HPWL (cell centres and
pins, every net of the DEF), finevh with GrayWolf's utilisation and aspect ratio.

Done-when (issue 4): >= 50k cells, legal, HPWL >= 5x better than random legal, < 60 s.
Usage: python3 bench/bench_place.py [--skip-mac] [--skip-graywolf] [--cells 50000] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
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
    from finevh.loader import load_design
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


QFLOW = Path("/usr/lib/qflow")


def def_hpwl(path: Path, lef) -> tuple[float, float, float]:
    """(HPWL um over every NETS entry with component centres and pin centres,
    utilisation of the components' bounding box, its height/width)."""
    from finevh.layout import read_def

    d = read_def(path)
    c = d.components
    w = np.array([lef.macros[m].width for m in c.masters])
    h = np.array([lef.macros[m].height for m in c.masters])
    rot = np.isin(c.orient, [2, 3, 6, 7])
    w, h = np.where(rot, h, w), np.where(rot, w, h)
    x0, y0 = c.x / d.dbu, c.y / d.dbu
    cx, cy = x0 + w / 2, y0 + h / 2
    idx = {n: i for i, n in enumerate(c.names)}
    pins = {}
    for p in d.pins:
        r = p.rect or (0, 0, 0, 0)
        pins[p.name] = ((p.x + (r[0] + r[2]) / 2) / d.dbu, (p.y + (r[1] + r[3]) / 2) / d.dbu)
    tot = 0.0
    for net in d.nets:
        pts = [pins[b] if a == "PIN" else (cx[idx[a]], cy[idx[a]]) for a, b in net.conns if a != "PIN" or b in pins]
        if len(pts) > 1:
            xs, ys = zip(*pts)
            tot += max(xs) - min(xs) + max(ys) - min(ys)
    bw, bh = (x0 + w).max() - x0.min(), (y0 + h).max() - y0.min()
    return tot, float((w * h).sum() / (bw * bh)), float(bh / bw)


def run_graywolf(verilog: Path, top: str, work: Path) -> tuple[Path, float]:
    """qflow's placement steps on a mapped netlist; returns (DEF, graywolf seconds)."""
    lib, lef = OSU / "osu018_stdcells.lib", OSU / "osu018_stdcells.lef"
    subprocess.run(["yosys", "-q", "-p", f"read_liberty -lib {lib}; read_verilog {verilog}; hierarchy -top {top}; "
                    f"write_blif -gates {top}.blif"], cwd=work, check=True)
    subprocess.run(["tclsh", str(QFLOW / "scripts/blif2cel.tcl"), "--blif", f"{top}.blif", "--lef", str(lef),
                    "--cel", f"{top}.cel"], cwd=work, check=True, capture_output=True)
    shutil.copy(OSU / "osu018.par", work / f"{top}.par")
    t = time.perf_counter()
    subprocess.run([str(QFLOW / "bin/graywolf"), "-n", top], cwd=work, check=True, capture_output=True)
    dt = time.perf_counter() - t
    (work / f"{top}.cfg").write_text(f"read_lef {lef}\n")
    subprocess.run([str(QFLOW / "bin/qrouter"), "-i", f"{top}.info", "-c", f"{top}.cfg"], cwd=work,
                   capture_output=True)
    subprocess.run(["tclsh", str(QFLOW / "scripts/place2def.tcl"), top, "FILL", "4"], cwd=work, check=True,
                   capture_output=True)
    return work / f"{top}.def", dt


def bench_graywolf(verilog: Path, top: str, seed: int) -> dict:
    from finevh.loader import load_design
    from finevh.layout import to_def, write_def
    from finevh.place.flow import cell_masters, design_def_nets, make_tracks, place_design

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        gw_def, gw_s = run_graywolf(verilog, top, work)
        design = load_design([OSU / "osu018_stdcells.lib"], verilog, lef=[OSU / "osu018_stdcells.lef"])
        lef = design.meta["lef"]
        gw_hpwl, gw_util, gw_aspect = def_hpwl(gw_def, lef)
        t = time.perf_counter()
        pl, res = place_design(design, lef, utilization=min(0.95, gw_util), aspect=gw_aspect, seed=seed)
        dt = time.perf_counter() - t
        d = to_def(pl, design.netlist.inst_names, cell_masters(design), nets=design_def_nets(design))
        d.tracks = make_tracks(lef, pl.die, d.dbu)
        ours = work / "finevh.def"
        write_def(ours, d)
        our_hpwl, our_util, _ = def_hpwl(ours, lef)
    r = {"design": f"{top} vs GrayWolf", "cells": pl.n_instances, "finevh_seconds": round(dt, 2),
         "graywolf_seconds": round(gw_s, 2), "finevh_hpwl_um": round(our_hpwl, 1),
         "graywolf_hpwl_um": round(gw_hpwl, 1), "hpwl_ratio_finevh_over_graywolf": round(our_hpwl / gw_hpwl, 3),
         "speed_ratio_graywolf_over_finevh": round(gw_s / dt, 1), "utilization": round(our_util, 3),
         "graywolf_utilization": round(gw_util, 3)}
    print(f"{r['design']:<28} cells {r['cells']:>7}  finevh {dt:6.1f} s HPWL {our_hpwl:10.0f} um | "
          f"GrayWolf {gw_s:6.1f} s HPWL {gw_hpwl:10.0f} um | HPWL ratio {our_hpwl / gw_hpwl:.2f}, "
          f"{gw_s / dt:.0f}x faster", flush=True)
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-mac", action="store_true", help="skip the 124k-cell MAC array")
    ap.add_argument("--skip-graywolf", action="store_true", help="skip the comparison with GrayWolf")
    ap.add_argument("--cells", type=int, default=50000, help="synthetic netlist size")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", default=None, help="also write the figures to this JSON file")
    args = ap.parse_args()
    out = [bench_synthetic(args.cells, args.seed)]
    if not args.skip_mac:
        out.append(bench_mac(args.seed))
    if not args.skip_graywolf:
        from finevh.synth.yosys import map_to_liberty

        out.append(bench_graywolf(HERE.parent / "designs/sample/sample_osu018.v", "sample", args.seed))
        s38417 = map_to_liberty([Path(os.environ.get("FINEVH_SHARED", HERE.parents[1] / "shared")) / "data/netlists/iscas89/s38417.v"],
                                OSU / "osu018_stdcells.lib", "s38417", buffer=("BUFX2", "A", "Y"))
        out.append(bench_graywolf(s38417, "s38417", args.seed))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
