#!/usr/bin/env python3
"""Benchmark: the full FINE-VH emulation (49 tiles, 16 frequencies, ΔVdd 200 and
100 mV, with and without poly-bias) on a >= 100k-cell design on demo28.

The design is the 16 x 16 array of 8-bit MACs (``bench/mac_array.v``) mapped by Yosys
onto demo28 PB0 1.00 V (about 129k cells) and placed by the embedded placer, both
cached under ``fileio.cache_dir()/bench_emulate`` (first run: about 10 minutes). The
clock is set 5 % above the critical delay at 1.00 V. Prints the time of
``finevh.run.run_flow`` and its breakdown, the number of STA runs, and — as the
"same work by the real tool" reference — OpenSTA's time for ONE full STA of the same
netlist at 1.00 V, times the number of STA runs the emulation made (what driving
OpenSTA per configuration would cost for the timing alone).

Usage: python3 bench/bench_emulate.py [--tiles 7] [--frequencies 16] [--no-opensta]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(HERE))
LIB = REPO / "libs/demo28/demo28_ss_125C_1p00v_pb0.lib"
LEF = REPO / "libs/demo28/demo28.lef"


def build() -> tuple[Path, Path]:
    from finevh.fileio import cache_dir
    from finevh.synth.yosys import map_to_liberty

    d = cache_dir() / "bench_emulate"
    d.mkdir(parents=True, exist_ok=True)
    v = d / "mac_array_demo28.v"
    if not v.is_file():
        src = map_to_liberty([HERE / "mac_array.v"], LIB, "mac_array")
        v.write_text(Path(src).read_text())
    df = d / "mac_array_demo28.def"
    if not df.is_file():
        subprocess.run(["finevh", "place", "--lef", str(LEF), "--liberty", str(LIB), "--verilog", str(v),
                        "--utilization", "0.7", "--seed", "0", "--out", str(df)], check=True)
    return v, df


def design_clock(v: Path, df: Path, work: Path) -> tuple[float, float]:
    """(clock period, critical delay) ns: the period 5 % above the critical delay of the
    placed netlist at 1.00 V (placement wire capacitance)."""
    from bench_sta import write_sdc_from_ports

    from finevh.loader import load_design
    from finevh.timing import wire
    from finevh.timing.constraints import read_constraints
    from finevh.timing.engine import Timer

    sdc = write_sdc_from_ports(work / "probe.sdc", v, 100.0)
    d = load_design([str(LIB)], str(v), None, [str(LEF)], str(df))
    r = Timer(d, read_constraints(str(sdc), d, d.libset), wire.from_placement(d, d.placement)).update()
    crit = 100.0 - min(e.slack for e in r.endpoints)
    return round(crit * 1.05, 3), crit


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tiles", type=int, default=7)
    ap.add_argument("--frequencies", type=int, default=16)
    ap.add_argument("--no-opensta", action="store_true")
    args = ap.parse_args()

    from bench_sta import write_sdc_from_ports
    from runconfig import demo28_run_config

    from finevh.run import load_config, run_flow

    v, df = build()
    work = Path(tempfile.mkdtemp(prefix="bench_emulate_"))
    period, crit = design_clock(v, df, work)
    sdc = write_sdc_from_ports(work / "mac.sdc", v, period)
    cfg_path = demo28_run_config(work / "bench.toml", name="mac_array", verilog=v, def_file=df, sdc=sdc,
                                 tiles=[args.tiles], delta_vdd_mv=[200, 100], frequencies=args.frequencies, emit=[])
    cfg = load_config(cfg_path)
    t0 = time.perf_counter()
    c0 = time.process_time()
    res = run_flow(cfg)
    total = time.perf_counter() - t0
    cpu = time.process_time() - c0
    tm = res.timings
    nt = args.tiles ** 2
    s = res.summary
    print(f"design: {v.name}: clock {period} ns (critical {crit:.3f} ns at 1.00 V)")
    print(f"finevh run_flow, {nt} tiles, {args.frequencies} frequencies, dVdd 200+100 mV, PB and no PB: "
          f"{total:.1f} s wall, {cpu:.1f} s CPU (the machine is shared: CPU time is the comparable figure)")
    keys = ["read_s", "activity_s", "baseline_s", "partition_s", f"vddmux_{args.tiles}_s",
            f"polybias_{args.tiles}_s", f"emulate_{args.tiles}_s"]
    print("  " + ", ".join(f"{k[:-2]} {tm[k]:.1f} s" for k in keys))
    print(f"  inside: STA {tm['sta_s']:.1f} s over {tm['sta_runs']} runs "
          f"({1e3 * tm['sta_s'] / max(tm['sta_runs'], 1):.0f} ms each), power {tm['power_s']:.1f} s")
    emul = tm["baseline_s"] + tm[f"emulate_{args.tiles}_s"]
    print(f"  emulation proper (baseline grid + Algorithm 5 + power, excl. read/partition/vddmux/PB): {emul:.1f} s"
          f" (target < 60 s)")
    for key in ("200mV", "100mV"):
        sv = s[key]["savings_pct"]
        print(f"  {key}: FINE-VH vs ideal-DVFS {sv['mean_vs_ideal_dvfs']:+.2f} %, vs Vdd-Hopping "
              f"{sv['mean_vs_vdd_hopping']:+.2f} %, no PB vs ideal {sv['mean_no_pb_vs_ideal_dvfs']:+.2f} %")
    if not args.no_opensta:
        import opensta

        script = opensta.design_script([LIB], v, "mac_array", sdc, extra=[
            "set t0 [clock milliseconds]", "report_wns -digits 6",
            "puts \"sta_ms [expr {[clock milliseconds] - $t0}]\""])
        (work / "run.tcl").write_text(script)
        out = subprocess.run(["sta", "-no_init", "-exit", str(work / "run.tcl")], capture_output=True,
                             text=True, cwd=work)
        sta_s = opensta.parse_value(out.stdout + out.stderr, "sta_ms") / 1e3
        print(f"OpenSTA 2.0.17: one full STA (no wire caps) {sta_s:.2f} s; x {tm['sta_runs']} STA runs = "
              f"{sta_s * tm['sta_runs']:.0f} s; ratio finevh emulation / OpenSTA timing alone = "
              f"{emul / (sta_s * tm['sta_runs']):.3f}x")
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in tm.items()}, sort_keys=True))


if __name__ == "__main__":
    main()
