"""Benchmark: finevh power against OpenSTA ``report_power`` on a >= 100k-cell netlist.

Same netlist as ``bench_sta.py`` (16 x 16 array of 8-bit MACs mapped onto osu018,
about 125k cells, cached). Prints, from ONE run, with the default propagated activity:

- finevh power analysis only (activity propagation + leakage/internal/switching,
  after the timing pass that gives slews) vs OpenSTA's ``report_power`` alone
  (timed inside OpenSTA after a full timing update), as a ratio;
- a second power call on the same design (what the Vdd-selection loop pays);
- both tools' totals per kind and their relative differences;
- peak memory of both;
- VCD reading throughput on a synthetic dump (2,000 scalar signals and a 16-bit bus,
  about 3 M value-change lines), seeded; OpenSTA 2.0.17 has no VCD reader, so this
  one is an absolute figure (MB/s, lines/s).

Usage: python3 bench/bench_power.py [--period NS] [--vcd-lines N]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))


def _write_sdc(path: Path, design, period: float) -> Path:
    """Clock on ``clk``, input/output delays and loads on every other port."""
    nl = design.netlist
    ins = [p for p, d in zip(nl.port_names, nl.port_dir) if d == 0 and p != "clk"]
    outs = [p for p, d in zip(nl.port_names, nl.port_dir) if d == 1]
    q = lambda names: "[get_ports {" + " ".join("{%s}" % x for x in names) + "}]"  # noqa: E731
    path.write_text(f"create_clock -name clk -period {period} [get_ports clk]\n"
                    f"set_input_delay 0.2 -clock clk {q(ins)}\nset_input_transition 0.1 {q(ins)}\n"
                    f"set_output_delay 0.3 -clock clk {q(outs)}\nset_load 0.02 {q(outs)}\n")
    return path


def _synthetic_vcd(path: Path, n_lines: int, n_sig: int = 2000, seed: int = 1) -> tuple[Path, int]:
    """A seeded VCD: per time step 50 random scalar changes and one 16-bit bus value."""
    import random

    rnd = random.Random(seed)
    ids = ["".join(chr(33 + (i // 90 ** k) % 90) for k in range(2)) for i in range(n_sig)]
    lines = 0
    with open(path, "w") as f:
        f.write("$timescale 1ps $end\n$scope module top $end\n")
        for i, c in enumerate(ids):
            f.write(f"$var wire 1 {c} s{i} $end\n")
        f.write("$var wire 16 ~~~ bus [15:0] $end\n$upscope $end\n$enddefinitions $end\n#0\n$dumpvars\n")
        f.write("".join(f"0{c}\n" for c in ids) + "b0 ~~~\n$end\n")
        t = 0
        while lines < n_lines:
            t += 100
            chunk = [f"#{t}\n"] + [f"{rnd.choice('01')}{c}\n" for c in rnd.sample(ids, 50)]
            chunk.append(f"b{rnd.getrandbits(16):b} ~~~\n")
            f.write("".join(chunk))
            lines += len(chunk)
    return path, lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--period", type=float, default=6.0)
    ap.add_argument("--vcd-lines", type=int, default=3_000_000)
    args = ap.parse_args()

    import opensta
    from bench_sta import OSU018, build_netlist

    from finevh.activity.propagate import topology
    from finevh.design import link
    from finevh.liberty.libset import LibrarySet
    from finevh.liberty.reader import read_liberty
    from finevh.netlist.verilog import read_verilog
    from finevh.power.analysis import ActivitySpec, analyse
    from finevh.timing.constraints import read_constraints
    from finevh.timing.engine import Timer

    v = build_netlist()
    work = Path(tempfile.mkdtemp(prefix="bench_power_"))
    t0 = time.perf_counter()
    lib = read_liberty(OSU018)
    ls = LibrarySet([lib])
    design = link(read_verilog(v), ls)
    sdc = _write_sdc(work / "mac.sdc", design, args.period)
    tc = read_constraints(sdc, design, ls)
    timer = Timer(design, tc)
    tres = timer.update()
    t_load = time.perf_counter() - t0
    t1 = time.perf_counter()
    res = analyse(design, tc, ActivitySpec(), slews=tres.slew)
    t_power = time.perf_counter() - t1
    top = topology(design)
    t2 = time.perf_counter()
    analyse(design, tc, ActivitySpec(), slews=tres.slew, top=top)
    t_again = time.perf_counter() - t2
    ours_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    script = opensta.design_script([OSU018], v, "mac_array", sdc, extra=[
        "report_wns -digits 6",
        "set t0 [clock milliseconds]",
        "report_power -digits 10",
        "puts \"power_ms [expr {[clock milliseconds] - $t0}]\"",
    ])
    (work / "run.tcl").write_text(script)
    # OpenSTA is started from a small fresh Python process: a child forked from this
    # (large) process would report our own RSS as its peak.
    wrapper = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
               "print('sta_rss_kb', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
               "sys.exit(r.returncode)")
    ts = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", wrapper, "sta", "-no_init", "-exit", str(work / "run.tcl")],
                       capture_output=True, text=True, cwd=work)
    sta_wall = time.perf_counter() - ts
    out = r.stdout + r.stderr
    sta_rss = opensta.parse_value(out, "sta_rss_kb") / 1024.0
    sta_power_s = opensta.parse_value(out, "power_ms") / 1e3
    theirs = opensta.parse_power(out)["Total"]

    print(f"netlist: {v.name}: {design.n_instances} cells, {design.netlist.n_nets} nets; "
          f"propagation passes {res.passes}")
    for k, K in (("internal_uw", "internal"), ("switching_uw", "switching"), ("leakage_uw", "leakage"),
                 ("total_uw", "total")):
        a = res.total[k] * 1e-6
        b = theirs[K]
        print(f"{K:>9}: finevh {a:.6e} W, OpenSTA {b:.6e} W, rel diff {abs(a - b) / max(abs(b), 1e-30):.1e}")
    print(f"finevh : load+link+SDC+STA {t_load:.2f} s, power {t_power:.2f} s, again (topology reused) "
          f"{t_again:.2f} s, peak RSS {ours_rss:.0f} MB")
    print(f"OpenSTA: process wall {sta_wall:.2f} s, report_power {sta_power_s:.2f} s, peak RSS {sta_rss:.0f} MB")
    print(f"RATIO power analysis finevh/OpenSTA report_power = {t_power / sta_power_s:.2f}x")
    print(f"RATIO repeated power call finevh/OpenSTA report_power = {t_again / sta_power_s:.2f}x")
    print(f"RATIO peak memory finevh/OpenSTA = {ours_rss / sta_rss:.2f}x")
    vcd, lines = _synthetic_vcd(work / "big.vcd", args.vcd_lines)
    from finevh.activity.vcd import read_vcd
    t3 = time.perf_counter()
    act = read_vcd(vcd)
    t_vcd = time.perf_counter() - t3
    mb = vcd.stat().st_size / 1e6
    print(f"VCD: {mb:.1f} MB, {lines} lines, {len(act.names)} signals read in {t_vcd:.2f} s: "
          f"{mb / t_vcd:.2f} MB/s, {lines / t_vcd / 1e6:.2f} M lines/s")


if __name__ == "__main__":
    main()
