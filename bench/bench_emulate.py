#!/usr/bin/env python3
"""Benchmark: the full FINE-VH emulation (49 tiles, 16 frequencies, ΔVdd 200 and
100 mV, with and without poly-bias) on a >= 100k-cell design on demo28, against
OpenSTA 3.x doing the same sequence of re-bindings.

The design is the 16 x 16 array of 8-bit MACs (``bench/mac_array.v``) mapped by Yosys
onto demo28 PB0 1.00 V (about 129k cells) and placed by the embedded placer, both
cached under ``fileio.cache_dir()/bench_emulate`` (first run: about 10 minutes). The
clock is set 5 % above the critical delay at 1.00 V. Prints the time of
``finevh.run.run_flow`` and its breakdown and the number of STA runs.

The reference (issue 13): every STA run of the emulation is recorded
(``Emulator.start_trace``: the instances re-bound since the run before, their new
cells, the worst slack, the run's CPU time) and replayed in ONE OpenSTA 3.x process
(``tests/sta_replay.py``): ``replace_cell`` of those instances onto renamed copies of
the per-supply, per-flavour libraries, then the worst setup slack, with each
variant's wire capacitance set per net (untimed, as finevh builds a variant's timer
outside its runs). Runs at supplies between the characterised 50 mV steps (finevh
interpolates those cells; no Liberty file exists) are skipped; the next replayed run
re-binds whatever differs. Printed: runs replayed, ``replace_cell`` calls, OpenSTA's
user time for the replayed runs against finevh's CPU time for the same runs, and the
largest |worst-slack difference| over them.

Usage: python3 bench/bench_emulate.py [--tiles 7] [--frequencies 16]
       [--selection local|milp|alg5] [--no-opensta] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
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
    ap.add_argument("--selection", choices=("local", "milp", "alg5"), default="local")
    ap.add_argument("--no-opensta", action="store_true")
    ap.add_argument("--json", default=None)
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
    if args.selection != "local":
        cfg_path.write_text(cfg_path.read_text().replace("[fvh]\n", f'[fvh]\nselection = "{args.selection}"\n', 1))
    cfg = load_config(cfg_path)
    import finevh.fvh.emulate as E

    emus = []
    init = E.Emulator.__init__

    def traced(self, *a, **k):                 # record every STA run for the replay
        init(self, *a, **k)
        self.start_trace()
        emus.append(self)

    if not args.no_opensta:
        E.Emulator.__init__ = traced
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
    print("  wall per stage: " + ", ".join(f"{k[:-2]} {tm[k]:.1f} s" for k in keys))
    print(f"  inside: STA {tm['sta_s']:.1f} s over {tm['sta_runs']} runs "
          f"({1e3 * tm['sta_s'] / max(tm['sta_runs'], 1):.0f} ms each), power {tm['power_s']:.1f} s")
    emul = tm["baseline_s"] + tm[f"emulate_{args.tiles}_s"]
    print(f"  emulation proper (baseline grid + Algorithm 5 + power, excl. read/partition/vddmux/PB): {emul:.1f} s"
          f" wall (target < 120 s with exact selection, issue 13)")
    for key in ("200mV", "100mV"):
        sv = s[key]["savings_pct"]
        print(f"  {key}: FINE-VH vs ideal-DVFS {sv['mean_vs_ideal_dvfs']:+.2f} %, vs Vdd-Hopping "
              f"{sv['mean_vs_vdd_hopping']:+.2f} %, no PB vs ideal {sv['mean_no_pb_vs_ideal_dvfs']:+.2f} %")
    out_json = {k: round(v, 3) if isinstance(v, float) else v for k, v in tm.items()}
    if not args.no_opensta:
        from sta_replay import parse_replay, write_replay

        E.Emulator.__init__ = init
        emu = emus[0]
        sta = os.environ.get("FINEVH_OPENSTA3") or str(Path.home() / ".cache/opensta-737b52f/bin/sta")
        rp = write_replay(emu.design, emu.trace, emu.trace_wire_cap, v, "mac_array", sdc, work, LIB)
        c0 = time.perf_counter()
        out = subprocess.run([sta, "-no_init", "-exit", str(rp.script)], capture_output=True, text=True, cwd=work)
        wall = time.perf_counter() - c0
        wns, user_s, elapsed_s = parse_replay(out.stdout + out.stderr)
        ours = sum(emu.trace[r].cpu_s for r in rp.runs)
        worst = max(abs(wns[r] - emu.trace[r].worst_slack_ns) for r in rp.runs)
        print(f"OpenSTA 3.x replay: {len(rp.runs)} of {len(emu.trace)} STA runs replayed "
              f"({len(emu.trace) - len(rp.runs)} at interpolated supplies), {rp.replaced:,} replace_cell calls; "
              f"user time of the replayed runs {user_s:.1f} s (elapsed {elapsed_s:.1f} s; whole process {wall:.0f} s "
              f"wall incl. reading); finevh CPU for the same runs {ours:.1f} s: ratio {ours / max(user_s, 1e-9):.3f}x; "
              f"max |worst slack finevh - OpenSTA| {worst * 1e3:.4f} ps")
        out_json.update(replay_runs=len(rp.runs), trace_runs=len(emu.trace), replace_cell=rp.replaced,
                        opensta_user_s=round(user_s, 3), opensta_elapsed_s=round(elapsed_s, 3),
                        finevh_cpu_replayed_s=round(ours, 3), ratio=round(ours / max(user_s, 1e-9), 4),
                        max_wns_diff_ps=round(worst * 1e3, 6))
    if args.json:
        Path(args.json).write_text(json.dumps(out_json, sort_keys=True, indent=1) + "\n")
    print(json.dumps(out_json, sort_keys=True))


if __name__ == "__main__":
    main()
