#!/usr/bin/env python3
"""Power of the scalable-precision PE against the baseline 4x4 PE on demo28 (PB0,
1.00 V, ss/125 C) with VCD activity from gate-level simulation (thesis §3.4.3:
+4.5 % area, +2.5 % power at 28 nm FDSOI).

Both PEs are synthesised with ``finevh synth`` onto demo28 (cached). demo28 has no
Verilog cell models, so Yosys writes them from the Liberty file itself
(``read_liberty`` + ``write_verilog``: functions, ``ff`` and ``latch`` groups): the
simulation is zero-delay (no glitches, unlike bench/pe_power.py's osu018 run with
specify delays). Stream as in bench/pe_power.py (tests/cocotb/tb_pe_work.py, every
accumulator checked against the golden model); VCD of all nets into ``finevh power``,
and the same netlists with propagated default activity for comparison. Usage:
    python3 bench/pe_power_demo28.py [--ndot 40] [--len 16] [--period-ns 2.5]
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
LIB = REPO / "libs" / "demo28" / "demo28_ss_125C_1p00v_pb0.lib"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def _power(netlist: Path, top: str, sdc: Path, extra: list[str]) -> dict:
    r = subprocess.run(["finevh", "-q", "power", "--liberty", str(LIB), "--verilog", str(netlist), "--top", top,
                        "--sdc", str(sdc), "--json"] + extra, capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ndot", type=int, default=40)
    ap.add_argument("--len", type=int, default=16)
    ap.add_argument("--period-ns", type=float, default=2.5)
    args = ap.parse_args()
    sys.path.append(str(TB))
    simrun = _load("fvh_simrun", TB / "simrun.py")
    glwrap = _load("glwrap", TB / "glwrap.py")
    from finevh.accel import pe as gm
    from finevh.synth.driver import synthesize

    runs = [("fvh_pe_base", "half"), ("fvh_pe", "half"), ("fvh_pe", "mixed"), ("fvh_pe", "full")]
    rows = {}
    with tempfile.TemporaryDirectory(prefix="fvh_pe_power_d28_") as td:
        tdp = Path(td)
        cells = tdp / "demo28_cells.v"
        subprocess.run(["yosys", "-q", "-p", f"read_liberty -ignore_miss_func {LIB}; write_verilog -noattr {cells}"],
                       check=True, capture_output=True)
        sdc = tdp / "clk.sdc"
        sdc.write_text(f"create_clock -name clk -period {args.period_ns} [get_ports clk]\n")
        areas = {}
        for top, mode in runs:
            d = tdp / f"{top}_{mode}"
            d.mkdir()
            src = simrun.rtl_sources(*simrun.PE_COMMON, f"pe/{top}.sv")
            res = synthesize(src, top, LIB, d / f"{top}.v")
            areas[top] = res.area_um2
            wrapper, gates = glwrap.wrap(Path(res.netlist), top, d)
            vcd = d / "work.vcd"
            t0 = time.perf_counter()
            n, f = simrun.run("icarus", f"{top}_gl", [wrapper, gates, cells], "tb_pe_work", d / "build",
                              extra_env={"FVH_MODES": mode, "FVH_NDOT": str(args.ndot), "FVH_LEN": str(args.len),
                                         "FVH_PERIOD_NS": str(args.period_ns)},
                              plusargs=[f"+vcd={vcd}"])
            tsim = time.perf_counter() - t0
            if (n, f) != (1, 0):
                raise SystemExit(f"gate-level simulation of {top} ({mode}) failed")
            p = _power(Path(res.netlist), top, sdc, ["--vcd", str(vcd), "--vcd-scope", f"{top}_gl/u_gates"])
            cyc = 1 if top == "fvh_pe_base" else gm.CYCLES_PER_MAC[mode]
            e_mac = p["total_uw"] * 1e-6 * cyc * args.period_ns * 1e-9 * 1e12  # pJ per MAC (incl. idle share)
            rows[(top, mode)] = (p, e_mac)
            print(f"{top:12s} {mode:6s} total {p['total_uw']:9.2f} uW  (int {p['internal_uw']:.2f}, "
                  f"sw {p['switching_uw']:.2f}, leak {p['leakage_uw']:.3f})  {e_mac:7.3f} pJ/MAC-slot  "
                  f"signals matched {p['signals_matched']}/{p['nets']}  [sim {tsim:.1f} s]")
        for top in ("fvh_pe_base", "fvh_pe"):
            net = tdp / f"{top}_half" / f"{top}.v"
            p = _power(net, top, sdc, [])
            rows[(top, "default")] = (p, 0.0)
            print(f"{top:12s} propagated default activity (0.1, 0.5): total {p['total_uw']:.2f} uW "
                  f"(int {p['internal_uw']:.2f}, sw {p['switching_uw']:.2f}, leak {p['leakage_uw']:.3f})")
    print(f"area: scalable {areas['fvh_pe']:.1f} um^2, baseline {areas['fvh_pe_base']:.1f} um^2: "
          f"{100 * (areas['fvh_pe'] / areas['fvh_pe_base'] - 1):+.1f} % (thesis +4.5 %)")
    pb = rows[("fvh_pe_base", "half")][0]["total_uw"]
    ph = rows[("fvh_pe", "half")][0]["total_uw"]
    print(f"scalable PE (half mode) vs baseline, same MAC stream and clock: {100 * (ph / pb - 1):+.1f} % power "
          f"(thesis: +2.5 %); default activity: "
          f"{100 * (rows[('fvh_pe', 'default')][0]['total_uw'] / rows[('fvh_pe_base', 'default')][0]['total_uw'] - 1):+.1f} %")


if __name__ == "__main__":
    main()
