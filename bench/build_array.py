#!/usr/bin/env python3
"""Synthesise the RTL sample designs with ``finevh synth`` (Yosys) and print their
cell counts and areas: the scalable-precision PE against the baseline 4x4 PE
(thesis §3.4.3: +4.5 % area at 28 nm), the R x C systolic array (the large sample
design, >= 50k cells at 8 x 8) and the RV32IM core.

Netlists are cached under finevh.fileio.cache_dir() (the array takes minutes);
copies are written to --out-dir. Usage:
    python3 bench/build_array.py [--liberty LIB] [--rows 8] [--cols 8] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from finevh.fileio import cache_dir
from finevh.synth.driver import synthesize

REPO = Path(__file__).resolve().parents[1]
PE = [REPO / "rtl/pe" / f for f in ("fvh_icg.sv", "fvh_pe_round.sv", "fvh_pe_acc.sv", "fvh_pe_out.sv")]
OSU018 = "/usr/share/qflow/tech/osu018/osu018_stdcells.lib"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--liberty", default=OSU018)
    ap.add_argument("--rows", type=int, default=8)
    ap.add_argument("--cols", type=int, default=8)
    ap.add_argument("--out-dir", default=str(cache_dir() / "rtl_designs"))
    args = ap.parse_args()
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    designs = [
        ("fvh_pe", PE + [REPO / "rtl/pe/fvh_pe.sv"], {}),
        ("fvh_pe_base", PE + [REPO / "rtl/pe/fvh_pe_base.sv"], {}),
        ("fvh_rv32", [REPO / "rtl/rv32/fvh_rv32_div.sv", REPO / "rtl/rv32/fvh_rv32.sv"], {}),
        ("fvh_array", PE + [REPO / "rtl/pe/fvh_pe.sv", REPO / "rtl/array/fvh_array.sv"],
         {"R": args.rows, "C": args.cols}),
    ]
    results = {}
    for top, src, params in designs:
        t0 = time.perf_counter()
        r = synthesize(src, top, args.liberty, out / f"{top}.v", parameters=params)
        dt = time.perf_counter() - t0
        results[top] = r
        tag = f"{top}" + (f" {params['R']}x{params['C']}" if params else "")
        print(f"{tag:18s} {r.cells:8d} cells {r.sequential:6d} seq  {r.area_um2:12.1f} um^2  ({dt:.1f} s)")
        (out / f"{top}.json").write_text(r.to_json())
    a, b = results["fvh_pe"].area_um2, results["fvh_pe_base"].area_um2
    print(f"scalable PE vs baseline 4x4 PE: area {a:.0f} / {b:.0f} um^2 = {100 * (a / b - 1):+.1f} % "
          f"(thesis, 28 nm FDSOI: 1589 / 1520 um^2 = +4.5 %)")
    print(json.dumps({k: {"cells": v.cells, "area_um2": v.area_um2} for k, v in results.items()}))


if __name__ == "__main__":
    main()
