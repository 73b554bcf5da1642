#!/usr/bin/env python3
"""Gate-level run of the synthesised RV32IM core (the RI5CY-like sample design).

The fvh_rv32 netlist (``finevh synth`` onto osu018, cached) replaces the RTL core
inside fvh_rv32_soc; Icarus simulates it with the osu018 cell models and their
specify delays, running the test program of tests/cocotb/rv32prog.py; every word
the program writes to tohost must equal the reference ISS's. The VCD of the core's
nets then feeds ``finevh power``. Usage:
    python3 bench/rv32_gatelevel.py [--period-ns 100]
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--period-ns", type=float, default=100.0)
    args = ap.parse_args()
    sys.path.append(str(TB))
    spec = importlib.util.spec_from_file_location("fvh_simrun", TB / "simrun.py")
    simrun = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(simrun)  # type: ignore[union-attr]
    import glwrap
    import rv32prog

    from finevh.synth.driver import synthesize

    with tempfile.TemporaryDirectory(prefix="fvh_rv32_gl_") as td:
        d = Path(td)
        t0 = time.perf_counter()
        res = synthesize(simrun.rtl_sources("rv32/fvh_rv32_div.sv", "rv32/fvh_rv32.sv"), "fvh_rv32", LIB,
                         d / "fvh_rv32.v")
        print(f"synthesis: {res.cells} cells, {res.area_um2:.0f} um^2 ({time.perf_counter() - t0:.1f} s)")
        wrapper, gates = glwrap.wrap(Path(res.netlist), "fvh_rv32", d, name="fvh_rv32")
        imem, dwords = rv32prog.build()
        (d / "imem.hex").write_text(rv32prog.hexfile(imem))
        (d / "dmem.hex").write_text(rv32prog.hexfile(dwords))
        vcd = d / "core.vcd"
        t0 = time.perf_counter()
        n, f = simrun.run("icarus", "fvh_rv32_soc", [wrapper, gates, OSU / "osu018_stdcells.v",
                                                     REPO / "rtl/rv32/fvh_rv32_soc.sv"],
                          "tb_rv32", d / "build", build_args=["-gspecify"],
                          extra_env={"FVH_PERIOD_NS": str(args.period_ns)},
                          plusargs=[f"+imem={d / 'imem.hex'}", f"+dmem={d / 'dmem.hex'}", f"+vcd={vcd}"])
        print(f"gate-level program run: {'PASS' if (n, f) == (1, 0) else 'FAIL'} "
              f"({time.perf_counter() - t0:.1f} s, VCD {vcd.stat().st_size / 1e6:.1f} MB)")
        if (n, f) != (1, 0):
            raise SystemExit(1)
        sdc = d / "clk.sdc"
        sdc.write_text(f"create_clock -name clk -period {args.period_ns} [get_ports clk]\n")
        t0 = time.perf_counter()
        r = subprocess.run(["finevh", "-q", "power", "--liberty", str(LIB), "--verilog", str(res.netlist),
                            "--top", "fvh_rv32", "--sdc", str(sdc), "--vcd", str(vcd),
                            "--vcd-scope", "fvh_rv32_soc/u_core/u_gates", "--json"],
                           capture_output=True, text=True, check=True)
        p = json.loads(r.stdout)
        print(f"power at {1e3 / args.period_ns:g} MHz: {p['total_uw']:.1f} uW (internal {p['internal_uw']:.1f}, "
              f"switching {p['switching_uw']:.1f}, leakage {p['leakage_uw']:.3f}); "
              f"{p['signals_matched']}/{p['nets']} nets from the VCD ({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
