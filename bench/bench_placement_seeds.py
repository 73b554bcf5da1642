#!/usr/bin/env python3
"""How much the demo's FINE-VH result depends on its placement.

The done-when of the emulation ("FINE-VH with poly-bias <= ideal-DVFS at every
frequency") is checked on the committed demo placement (placer seed 0). This script
places the same netlist with other seeds of the embedded placer (same utilisation,
same netlist and SDC; DEFs cached under ``fileio.cache_dir()/placement_seeds``) and runs
the whole flow at one tile count on each, then prints per seed and ΔVdd the worst and
mean saving of FINE-VH against ideal-DVFS (with and without PB), how many of the
frequencies lose, and the intra-tile leakage at the worst point.

After the per-seed lines it prints, per ΔVdd, baseline ((a) thesis-style, (b) same cells,
(c) leakage-recovered) and scheme (ideal-DVFS, Vdd-Hopping, Vdd-Dithering), the min /
median / max over the seeds of FINE-VH's saving at every frequency point
(:func:`seed_spread`); ``--selection`` picks the tile-map selection (alg5, local, milp).

Usage: python3 bench/bench_placement_seeds.py [--seeds 0,1,...,7] [--tiles 7] [--frequencies 16]
       [--selection local] [--polybias-rounds 3]
(about 2 minutes per seed with the local search)
"""

from __future__ import annotations

import argparse
import copy
import time

import numpy as np


def seed_def(seed: int, cfg) -> str:
    """The DEF of ``seed``: the committed one for seed 0, else placed once and cached."""
    if seed == 0:
        return cfg.def_file
    import subprocess

    from finevh.fileio import cache_dir

    path = cache_dir() / "placement_seeds" / f"{cfg.name}_seed{seed}.def"
    if not path.is_file():                # as designs/demo/make.sh, another seed
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["finevh", "--quiet", "place", "--lef", cfg.lef[0], "--liberty", cfg.liberty[0],
                        "--verilog", cfg.verilog, "--utilization", str(cfg.place_utilization),
                        "--seed", str(seed), "--out", str(path)], check=True)
    return str(path)


SCHEMES = ("ideal_dvfs_uw", "vdd_hopping_uw", "vdd_dithering_uw")


def seed_spread(summaries: list[dict], tiles: int) -> dict:
    """{(ΔVdd key, baseline, scheme): (min, median, max) per frequency point, %} of
    FINE-VH's (headline variant) saving over the seeds' summaries. Baselines: ``thesis``
    (a), ``same_cells`` (b) of the headline variant, ``leakage_recovered`` (c)."""
    out: dict = {}
    for key in sorted(k for k in summaries[0] if k.endswith("mV")):
        rows: dict = {}
        for s in summaries:
            blk = s[key]
            t = blk["tiles"][str(tiles)]
            fv = np.array(t["fine_vh_uw"])
            refs = {"thesis": blk, "leakage_recovered": blk.get("leakage_recovered"),
                    "same_cells": t.get("variants", {}).get(t.get("variant"), {}).get("same_cells")}
            for b, ref in refs.items():
                for sc in SCHEMES:
                    if ref and sc in ref:
                        rows.setdefault((key, b, sc), []).append(100 * (1 - fv / np.array(ref[sc])))
        for k, v in rows.items():
            a = np.array(v)
            out[k] = (a.min(axis=0), np.median(a, axis=0), a.max(axis=0))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="0,1,2,3,4,5,6,7")
    ap.add_argument("--selection", default=None, choices=("alg5", "local", "milp"))
    ap.add_argument("--tiles", type=int, default=7)
    ap.add_argument("--frequencies", type=int, default=16)
    ap.add_argument("--polybias-rounds", type=int, default=None,
                    help="[tech] polybias_rounds (poly-bias re-run against the selected tile maps)")
    args = ap.parse_args()

    from finevh import progress
    from finevh.run import DEMO_CONFIG, load_config, run_flow

    progress.set_level(progress.QUIET)
    base = load_config(DEMO_CONFIG)
    n = args.tiles
    print(f"demo {base.name}: {n * n} tiles, {args.frequencies} frequencies; saving = 1 - P_FINE-VH / P_ideal-DVFS")
    print("seed  dVdd   PB: worst   mean  losing | no PB: worst   mean  losing | intra-tile at worst  run s")
    summaries = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        cfg = copy.copy(base)
        if args.selection:
            cfg.selection = args.selection
        if args.polybias_rounds:
            cfg.polybias_rounds = args.polybias_rounds
        cfg.def_file = seed_def(seed, base)
        cfg.tiles = [n]
        cfg.n_freq = args.frequencies
        t0 = time.process_time()
        s = run_flow(cfg).summary
        summaries.append(s)
        dt = time.process_time() - t0
        for key in ("200mV", "100mV"):
            blk = s[key]
            ideal = np.array(blk["ideal_dvfs_uw"])
            pb = 100 * (1 - np.array(blk["fine_vh_uw"]) / ideal)
            nopb = 100 * (1 - np.array(blk["fine_vh_no_pb_uw"]) / ideal)
            w = int(np.argmin(pb))
            itl = blk["tiles"][str(n * n)]["parts_uw"]["intra_tile_uw"][w]
            print(f"{seed:4d} {key:>6} {pb.min():+9.2f} {pb.mean():+6.2f} {int((pb < 0).sum()):4d}/{len(pb)} |"
                  f" {nopb.min():+12.2f} {nopb.mean():+6.2f} {int((nopb < 0).sum()):4d}/{len(pb)} |"
                  f" {itl:8.1f} uW @ {s['frequencies_mhz'][w]:.1f} MHz {dt:6.0f}")

    print("\nper frequency point over the seeds: min / median / max saving, %; losing = points whose min < 0")
    for (key, b, sc), (lo, med, hi) in sorted(seed_spread(summaries, n * n).items()):
        pts = " ".join(f"{a:+.1f}/{m:+.1f}/{c:+.1f}" for a, m, c in zip(lo, med, hi))
        print(f"{key:>6} {b:>17} {sc[:-3]:>16}: losing {int((lo < 0).sum())}/{lo.size} | {pts}")


if __name__ == "__main__":
    main()
