#!/usr/bin/env python3
"""Power of the scalable-precision PE against the baseline 4x4 PE with VCD activity
from gate-level simulation (thesis §3.4.3: +2.5 % power at 28 nm FDSOI).

Each PE netlist (``finevh synth`` onto osu018, cached) is simulated with Icarus
(osu018 cell models with their specify delays) under the same ConvNet-like MAC
stream (tests/cocotb/tb_pe_work.py, every accumulator checked against the golden
model); the VCD of all nets feeds ``finevh power``. Usage:
    python3 bench/pe_power.py [--ndot 40] [--len 16] [--period-ns 40]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TB = REPO / "tests" / "cocotb"
OSU = Path("/usr/share/qflow/tech/osu018")
LIB = OSU / "osu018_stdcells.lib"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ndot", type=int, default=40)
    ap.add_argument("--len", type=int, default=16)
    ap.add_argument("--period-ns", type=float, default=40.0)
    args = ap.parse_args()
    sys.path.append(str(TB))
    simrun = _load("fvh_simrun", TB / "simrun.py")
    glwrap = _load("glwrap", TB / "glwrap.py")
    from finevh.accel import pe as gm
    from finevh.synth.driver import synthesize

    runs = [("fvh_pe_base", "half"), ("fvh_pe", "half"), ("fvh_pe", "mixed"), ("fvh_pe", "full")]
    rows = {}
    with tempfile.TemporaryDirectory(prefix="fvh_pe_power_") as td:
        tdp = Path(td)
        sdc = tdp / "clk.sdc"
        sdc.write_text(f"create_clock -name clk -period {args.period_ns} [get_ports clk]\n")
        for top, mode in runs:
            d = tdp / f"{top}_{mode}"
            d.mkdir()
            src = simrun.rtl_sources(*simrun.PE_COMMON, f"pe/{top}.sv")
            res = synthesize(src, top, LIB, d / f"{top}.v")
            wrapper, gates = glwrap.wrap(Path(res.netlist), top, d)
            vcd = d / "work.vcd"
            t0 = time.perf_counter()
            n, f = simrun.run("icarus", f"{top}_gl", [wrapper, gates, OSU / "osu018_stdcells.v"], "tb_pe_work",
                              d / "build", build_args=["-gspecify"],
                              extra_env={"FVH_MODES": mode, "FVH_NDOT": str(args.ndot), "FVH_LEN": str(args.len),
                                         "FVH_PERIOD_NS": str(args.period_ns)},
                              plusargs=[f"+vcd={vcd}"])
            tsim = time.perf_counter() - t0
            if (n, f) != (1, 0):
                raise SystemExit(f"gate-level simulation of {top} ({mode}) failed")
            t0 = time.perf_counter()
            r = subprocess.run(["finevh", "-q", "power", "--liberty", str(LIB), "--verilog", str(res.netlist),
                                "--top", top, "--sdc", str(sdc), "--vcd", str(vcd),
                                "--vcd-scope", f"{top}_gl/u_gates", "--json"],
                               capture_output=True, text=True, check=True)
            tpow = time.perf_counter() - t0
            p = json.loads(r.stdout)
            cyc = 1 if top == "fvh_pe_base" else gm.CYCLES_PER_MAC[mode]
            e_mac = p["total_uw"] * 1e-6 * cyc * args.period_ns * 1e-9 * 1e12  # pJ per MAC (incl. idle share)
            rows[(top, mode)] = (p, e_mac)
            print(f"{top:12s} {mode:6s} total {p['total_uw']:10.2f} uW  (int {p['internal_uw']:.2f}, "
                  f"sw {p['switching_uw']:.2f}, leak {p['leakage_uw']:.4f})  "
                  f"{e_mac:8.3f} pJ/MAC-slot  signals matched {p['signals_matched']}/{p['nets']}  "
                  f"[sim {tsim:.1f} s, power {tpow:.1f} s]")
    pb = rows[("fvh_pe_base", "half")][0]["total_uw"]
    ph = rows[("fvh_pe", "half")][0]["total_uw"]
    print(f"scalable PE (half mode) vs baseline 4x4 PE, same MAC stream and clock: "
          f"{100 * (ph / pb - 1):+.1f} % power (thesis: +2.5 %)")


if __name__ == "__main__":
    main()
