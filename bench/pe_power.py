#!/usr/bin/env python3
"""Power of the scalable-precision PE against the baseline 4x4 PE with VCD activity
from gate-level simulation (thesis §3.4.3: +4.5 % area, +2.5 % power at 28 nm FDSOI).

Both PE netlists are synthesised with ``finevh synth`` (cached) onto the chosen
technology and simulated with Icarus under the same ConvNet-like MAC stream
(tests/cocotb/tb_pe_work.py, every accumulator checked against the golden model);
the VCD of all nets feeds ``finevh power``, and the same netlists are also costed
with propagated default activity for comparison.

- ``--tech osu018``: Debian qflow-tech-osu018, its Verilog cell models with specify
  delays (glitches included); default clock 40 ns.
- ``--tech demo28``: demo28 PB0 1.00 V ss/125 C. demo28 has no Verilog cell models, so
  Yosys writes them from the Liberty file (``read_liberty`` + ``write_verilog``):
  a zero-delay simulation, no glitches; default clock 2.5 ns.

Usage:
    python3 bench/pe_power.py [--tech osu018|demo28] [--ndot 40] [--len 16] [--period-ns P]
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
TECH = {  # liberty, default clock period (ns)
    "osu018": (OSU / "osu018_stdcells.lib", 40.0),
    "demo28": (REPO / "libs" / "demo28" / "demo28_ss_125C_1p00v_pb0.lib", 2.5),
}


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def _power(lib: Path, netlist: Path, top: str, sdc: Path, extra: list[str]) -> dict:
    r = subprocess.run(["finevh", "-q", "power", "--liberty", str(lib), "--verilog", str(netlist), "--top", top,
                        "--sdc", str(sdc), "--json"] + extra, capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


def _cell_models(tech: str, lib: Path, tdp: Path) -> tuple[Path, list[str]]:
    """Verilog models of the library cells and the extra Icarus build arguments."""
    if tech == "osu018":
        return OSU / "osu018_stdcells.v", ["-gspecify"]
    cells = tdp / "cells.v"
    subprocess.run(["yosys", "-q", "-p", f"read_liberty -ignore_miss_func {lib}; write_verilog -noattr {cells}"],
                   check=True, capture_output=True)
    return cells, []


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tech", choices=sorted(TECH), default="osu018")
    ap.add_argument("--ndot", type=int, default=40)
    ap.add_argument("--len", type=int, default=16)
    ap.add_argument("--period-ns", type=float, default=None)
    args = ap.parse_args()
    lib, period = TECH[args.tech]
    period = args.period_ns if args.period_ns is not None else period
    sys.path.append(str(TB))
    simrun = _load("fvh_simrun", TB / "simrun.py")
    glwrap = _load("glwrap", TB / "glwrap.py")
    from finevh.accel import pe as gm
    from finevh.synth.driver import synthesize

    runs = [("fvh_pe_base", "half"), ("fvh_pe", "half"), ("fvh_pe", "mixed"), ("fvh_pe", "full")]
    rows, areas, netlists = {}, {}, {}
    with tempfile.TemporaryDirectory(prefix=f"fvh_pe_power_{args.tech}_") as td:
        tdp = Path(td)
        cells, build_args = _cell_models(args.tech, lib, tdp)
        sdc = tdp / "clk.sdc"
        sdc.write_text(f"create_clock -name clk -period {period} [get_ports clk]\n")
        for top, mode in runs:
            d = tdp / f"{top}_{mode}"
            d.mkdir()
            src = simrun.rtl_sources(*simrun.PE_COMMON, f"pe/{top}.sv")
            res = synthesize(src, top, lib, d / f"{top}.v")
            areas[top], netlists[top] = res.area_um2, Path(res.netlist)
            wrapper, gates = glwrap.wrap(Path(res.netlist), top, d)
            vcd = d / "work.vcd"
            t0 = time.perf_counter()
            n, f = simrun.run("icarus", f"{top}_gl", [wrapper, gates, cells], "tb_pe_work", d / "build",
                              build_args=build_args,
                              extra_env={"FVH_MODES": mode, "FVH_NDOT": str(args.ndot), "FVH_LEN": str(args.len),
                                         "FVH_PERIOD_NS": str(period)},
                              plusargs=[f"+vcd={vcd}"])
            tsim = time.perf_counter() - t0
            if (n, f) != (1, 0):
                raise SystemExit(f"gate-level simulation of {top} ({mode}) failed")
            t0 = time.perf_counter()
            p = _power(lib, Path(res.netlist), top, sdc, ["--vcd", str(vcd), "--vcd-scope", f"{top}_gl/u_gates"])
            tpow = time.perf_counter() - t0
            cyc = 1 if top == "fvh_pe_base" else gm.CYCLES_PER_MAC[mode]
            e_mac = p["total_uw"] * 1e-6 * cyc * period * 1e-9 * 1e12  # pJ per MAC (incl. idle share)
            rows[(top, mode)] = p
            print(f"{top:12s} {mode:6s} total {p['total_uw']:10.2f} uW  (int {p['internal_uw']:.2f}, "
                  f"sw {p['switching_uw']:.2f}, leak {p['leakage_uw']:.4f})  {e_mac:8.3f} pJ/MAC-slot  "
                  f"signals matched {p['signals_matched']}/{p['nets']}  [sim {tsim:.1f} s, power {tpow:.1f} s]")
        for top in ("fvh_pe_base", "fvh_pe"):
            p = _power(lib, netlists[top], top, sdc, [])
            rows[(top, "default")] = p
            print(f"{top:12s} propagated default activity (0.1, 0.5): total {p['total_uw']:.2f} uW "
                  f"(int {p['internal_uw']:.2f}, sw {p['switching_uw']:.2f}, leak {p['leakage_uw']:.4f})")

    def rel(a: float, b: float) -> str:
        return f"{100 * (a / b - 1):+.1f} %"

    print(f"area: scalable {areas['fvh_pe']:.1f} um^2, baseline {areas['fvh_pe_base']:.1f} um^2: "
          f"{rel(areas['fvh_pe'], areas['fvh_pe_base'])} (thesis +4.5 %)")
    print(f"scalable PE (half mode) vs baseline, same MAC stream and clock: "
          f"{rel(rows[('fvh_pe', 'half')]['total_uw'], rows[('fvh_pe_base', 'half')]['total_uw'])} power "
          f"(thesis: +2.5 %); default activity: "
          f"{rel(rows[('fvh_pe', 'default')]['total_uw'], rows[('fvh_pe_base', 'default')]['total_uw'])}")


if __name__ == "__main__":
    main()
