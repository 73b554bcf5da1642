"""Benchmark: finevh static timing against OpenSTA on a >= 100k-cell netlist.

The netlist is the 16 x 16 array of 8-bit MACs (``bench/mac_array.v``) mapped by Yosys
onto osu018 (about 125k cells), cached under ``fileio.cache_dir()`` (the first run
maps it: a few minutes). Prints, from ONE run:

- end-to-end (read Liberty + Verilog, link, SDC, full setup STA, WNS/TNS) and
  STA-only times, finevh vs OpenSTA, as ratios (target <= 0.5x);
- the time to re-time after re-binding 2 % of the instances to twins in another
  library, as a ratio of our full STA pass;
- peak memory (max RSS) of both.

The "other library" for re-binding is a copy of osu018 with every delay, transition
and constraint table scaled by 1.25 (osu018 has one supply only; the re-timing cost
does not depend on the numbers). WNS of both tools is printed as a sanity check.

Usage: python3 bench/bench_sta.py [--period NS] [--rebind-frac 0.02]
"""

from __future__ import annotations

import argparse
import copy
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

OSU018 = Path("/usr/share/qflow/tech/osu018/osu018_stdcells.lib")


def build_netlist() -> Path:
    from finevh.synth.yosys import map_to_liberty

    return map_to_liberty([HERE / "mac_array.v"], OSU018, "mac_array")


def ports_of(verilog: Path) -> tuple[list[str], list[str]]:
    """Bit-blasted input and output ports of the (flat, Yosys-written) top module."""
    import re

    ins, outs = [], []
    for kind, rng, names in re.findall(r"^\s*(input|output)\s*(\[\d+:\d+\])?\s*([^;]*);", verilog.read_text(), re.M):
        for n in (x.strip().lstrip("\\") for x in names.split(",")):
            lst = ins if kind == "input" else outs
            if rng:
                hi, lo = (int(x) for x in rng[1:-1].split(":"))
                lst += [f"{n}[{b}]" for b in range(min(hi, lo), max(hi, lo) + 1)]
            else:
                lst.append(n)
    return ins, outs


def write_sdc_from_ports(path: Path, verilog: Path, period: float) -> Path:
    ins, outs = ports_of(verilog)
    ins = [p for p in ins if p != "clk"]
    q = lambda l: "[get_ports {" + " ".join("{%s}" % x for x in l) + "}]"  # noqa: E731
    path.write_text(f"create_clock -name clk -period {period} [get_ports clk]\n"
                    f"set_input_delay 0.2 -clock clk {q(ins)}\nset_input_transition 0.1 {q(ins)}\n"
                    f"set_output_delay 0.3 -clock clk {q(outs)}\nset_load 0.02 {q(outs)}\n")
    return path


def scaled_library(lib, factor: float, name: str):
    """Deep copy of ``lib`` with all timing tables multiplied by ``factor``."""
    out = copy.deepcopy(lib)
    out.name = name
    for c in out.cells.values():
        c.library = name
        for p in c.pins.values():
            for a in p.timing:
                for attr in ("cell_rise", "cell_fall", "rise_transition", "fall_transition",
                             "rise_constraint", "fall_constraint"):
                    t = getattr(a, attr)
                    if t is not None:
                        t.values = np.asarray(t.values) * factor
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--period", type=float, default=6.0)
    ap.add_argument("--rebind-frac", type=float, default=0.02)
    args = ap.parse_args()

    import opensta

    from finevh.design import link
    from finevh.liberty.libset import LibrarySet
    from finevh.liberty.reader import read_liberty
    from finevh.netlist.verilog import read_verilog
    from finevh.timing.binding import rebind
    from finevh.timing.constraints import read_constraints
    from finevh.timing.engine import Timer

    v = build_netlist()
    work = Path(tempfile.mkdtemp(prefix="bench_sta_"))
    sdc = write_sdc_from_ports(work / "mac.sdc", v, args.period)
    # ---------------- OpenSTA doing the same (first, so that its memory is measured alone)
    script = opensta.design_script([OSU018], v, "mac_array", sdc, extra=[
        "set t0 [clock milliseconds]",
        "report_wns -digits 6",
        "report_tns -digits 6",
        "puts \"sta_ms [expr {[clock milliseconds] - $t0}]\"",
    ])
    (work / "run.tcl").write_text(script)
    cmd = ["sta", "-no_init", "-exit", str(work / "run.tcl")]
    timer_cmd = ["/usr/bin/time", "-f", "maxrss_kb %M"] if Path("/usr/bin/time").exists() else []
    ts = time.perf_counter()
    r = subprocess.run(timer_cmd + cmd, capture_output=True, text=True, cwd=work)
    sta_wall = time.perf_counter() - ts
    out = r.stdout + r.stderr
    sta_rss = (opensta.parse_value(out, "maxrss_kb") if timer_cmd
               else resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024.0
    sta_ms = opensta.parse_value(out, "sta_ms") / 1e3
    sta_wns = opensta.parse_value(out, "wns")


    # ---------------- finevh end to end
    t0 = time.perf_counter()
    lib = read_liberty(OSU018)
    lib.voltage = 1.8
    ls = LibrarySet([lib])
    nl = read_verilog(v)
    design = link(nl, ls)
    t_read = time.perf_counter() - t0
    t1 = time.perf_counter()
    tc = read_constraints(sdc, design, ls)
    timer = Timer(design, tc)
    res = timer.update()
    t_sta = time.perf_counter() - t1
    ours_total = t_read + t_sta
    n_cells = design.n_instances
    print(f"netlist: {v.name}: {n_cells} cells, {nl.n_nets} nets, {len(timer.graph.e_to)} timing edges, "
          f"{len(timer.graph.level_ptr) - 1} levels, {len(res.endpoints)} endpoints")

    # second full pass (graph reused: what the Vdd-selection loop pays per call)
    t2 = time.perf_counter()
    timer.update(incremental=False)
    t_pass = time.perf_counter() - t2

    # ---------------- re-binding 2 % of the instances to twins in another library
    slow = scaled_library(lib, 1.25, lib.name + "_slow")
    slow.voltage = 1.2
    ls2 = LibrarySet([lib, slow])
    design.libset = ls2
    rng = np.random.default_rng(1)
    k = max(1, int(args.rebind_frac * n_cells))
    sel = np.sort(rng.choice(n_cells, k, replace=False))
    tw = [ls2.twin(design.cells[int(design.inst_cell[i])], voltage=1.2) for i in sel.tolist()]
    t3 = time.perf_counter()
    rebind(design, sel, tw)
    r2 = timer.update()
    t_rebind = time.perf_counter() - t3
    # a clustered 2 % (contiguous instance indices: one region of the array, as a tile)
    sel_c = np.arange(n_cells // 3, n_cells // 3 + k)
    tw = [ls2.twin(design.cells[int(design.inst_cell[i])], voltage=1.2) for i in sel_c.tolist()]
    t4 = time.perf_counter()
    rebind(design, sel_c, tw)
    timer.update()
    t_rebind_c = time.perf_counter() - t4
    ours_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    print(f"WNS: finevh {res.wns:.6f} ns, OpenSTA {sta_wns:.6f} ns (delta {abs(res.wns - sta_wns) * 1e3:.4f} ps); "
          f"after re-binding {len(sel)} instances: {r2.wns:.6f} ns")
    print(f"finevh : read+link {t_read:.2f} s, SDC+graph+STA {t_sta:.2f} s, total {ours_total:.2f} s, "
          f"full re-pass (graph kept) {t_pass:.2f} s, peak RSS {ours_rss:.0f} MB")
    print(f"OpenSTA: total (process wall) {sta_wall:.2f} s, STA only {sta_ms:.2f} s, peak RSS {sta_rss:.0f} MB")
    print(f"RATIO full STA end-to-end finevh/OpenSTA = {ours_total / sta_wall:.2f}x (target <= 0.5x)")
    print(f"RATIO STA only (graph+delays+checks) finevh/OpenSTA = {t_sta / sta_ms:.2f}x")
    print(f"RATIO re-time after re-binding {args.rebind_frac:.0%} (random instances) / our full STA = "
          f"{t_rebind / t_sta:.2f}x ({t_rebind:.2f} s vs {t_sta:.2f} s)")
    print(f"RATIO re-time after re-binding {args.rebind_frac:.0%} (clustered instances) / our full STA = "
          f"{t_rebind_c / t_sta:.2f}x ({t_rebind_c:.2f} s)")
    print(f"RATIO peak memory finevh/OpenSTA = {ours_rss / sta_rss:.2f}x")

    # ---------------- accuracy on this design (separate run, not timed)
    out2 = opensta.run_sta(opensta.design_script([OSU018], v, "mac_array", sdc, extra=[opensta.ENDPOINT_REPORT]), work)
    ref = opensta.parse_endpoint_slacks(out2)
    ours = res.endpoint_slacks()
    common = [k for k in ref if k in ours]
    dev = np.array([abs(ours[k] - ref[k].slack) for k in common])
    print(f"accuracy: {len(common)} common endpoints of {len(ref)} (OpenSTA) / {len(ours)} (finevh); "
          f"max |delta| {dev.max() * 1e3:.4f} ps, {int((dev > 1e-3).sum())} endpoints above 1 ps, "
          f"median {np.median(dev) * 1e3:.5f} ps")


if __name__ == "__main__":
    main()
