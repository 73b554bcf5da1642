"""Benchmark: Verilog read + link against OpenSTA, in one run.

The reference is OpenSTA 3.x (``$FINEVH_OPENSTA3``, default
``~/.cache/opensta-737b52f/bin/sta``; ``--sta PATH`` for another, e.g. Debian's 2.0.17
``/usr/bin/sta``).

1. Builds once (cached under finevh.fileio.cache_dir()) a >= 100k-cell netlist: the
   16x16 array of 8-bit MACs of bench/mac_array.v mapped by Yosys onto osu018 (~2 min).
2. Whole processes (the target, <= 1.5x): ``finevh read`` (Liberty from its cache,
   read, link, summary) against one OpenSTA process doing ``read_liberty``,
   ``read_verilog``, ``link_design``; best wall time and best CPU time (user + system of
   the child) of ``--repeat`` interleaved runs.
3. Inside the processes: OpenSTA ``read_verilog; link_design`` timed in its own Tcl
   (``clock milliseconds``, so its ``read_liberty`` time is excluded) and our
   ``read_verilog + link`` (library set loaded before the clock starts), each in a fresh
   process, best of ``--repeat``; the wall-clock ratio, the CPU-time ratio (robust when
   the shared machine is loaded; OpenSTA's CPU time is that of the run minus a
   library-only run) and our peak RSS.
4. ``--million``: step 3 for a hierarchical wrapper instantiating the array 8 times
   (~1M cells after flattening): memory budget < 4 GB.
5. Reference: the pyverilog path on the 5,810-cell s38417 netlist of ../shared/data.

Usage: python3 bench/bench_read.py [--repeat 3] [--million] [--sta PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OSU018 = "/usr/share/qflow/tech/osu018/osu018_stdcells.lib"
STA3 = os.environ.get("FINEVH_OPENSTA3") or str(Path.home() / ".cache" / "opensta-737b52f" / "bin" / "sta")
SHARED = Path(os.environ.get("FINEVH_SHARED", REPO.parent / "shared")) / "data"

_OURS = r"""
import gc, json, resource, sys, time
from finevh.liberty.libset import load_library_set
from finevh.design import link
from finevh.netlist.verilog import read_verilog
ls = load_library_set([sys.argv[1]])
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
c0 = time.process_time()
t0 = time.perf_counter()
nl = read_verilog(sys.argv[2], top=sys.argv[3])
t1 = time.perf_counter()
d = link(nl, ls)
t2 = time.perf_counter()
c2 = time.process_time()
print(json.dumps({"read": t1 - t0, "link": t2 - t1, "cpu": c2 - c0, "instances": d.n_instances, "nets": d.n_nets,
                  "rss_before_mb": rss0 / 1024, "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_PYV = r"""
import json, sys, time
from finevh.netlist.verilog_pyverilog import read_verilog_pyverilog
from finevh.netlist.verilog import read_verilog
read_verilog_pyverilog(sys.argv[1])  # warm: ply tables, imports
t0 = time.perf_counter(); a = read_verilog_pyverilog(sys.argv[1]); t1 = time.perf_counter()
b = read_verilog(sys.argv[1]); t2 = time.perf_counter()
print(json.dumps({"pyverilog": t1 - t0, "fast": t2 - t1, "instances": a.n_instances}))
"""


def build_netlist() -> Path:
    from finevh.synth.yosys import map_to_liberty

    t = time.perf_counter()
    p = map_to_liberty([REPO / "bench/mac_array.v"], OSU018, "mac_array", buffer=("BUFX2", "A", "Y"))
    print(f"netlist: {p} ({time.perf_counter() - t:.1f} s to build or find in cache)", flush=True)
    return p


def array_ports(text: str) -> tuple[list[str], list[str]]:
    """The mapped array's data inputs (clk and clr excepted) and outputs, in the order of
    its module header, as written in the Verilog (escaped bit names)."""
    m = re.search(r"module mac_array\((.*?)\);", text, re.S)
    ports = [p.strip() for p in m.group(1).split(",")]
    dirs = {}
    for d_, n in re.findall(r"^\s*(input|output)\s+(\\\S+ |\S+)\s*;", text, re.M):
        dirs[n.strip()] = d_
    ins = [p for p in ports if dirs.get(p) == "input" and p not in ("clk", "clr")]
    outs = [p for p in ports if dirs.get(p) == "output"]
    return ins, outs


def million_wrapper(base: Path, copies: int = 8, ring: bool = True) -> Path:
    """A hierarchical file: the mapped array module plus a top instantiating it ``copies`` times.

    ``ring``: copy k's inputs read copy k-1's outputs and copy 0 the last copy's (a
    combinational chain through every copy, broken by the timers as a loop: its
    critical path is many copies deep). Otherwise the copies are independent: copy k's
    inputs are top ports ``in[k * n + j]``, so the design has the single array's logic
    depth, as a larger block of the same kind would."""
    from finevh.fileio import cache_dir, file_digest

    tag = "x" if ring else "p"
    out = cache_dir() / "bench" / f"mac_array_{tag}{copies}_{file_digest(base)[:16]}.v"
    if out.exists():
        return out
    text = base.read_text()
    ins, outs = array_ports(text)
    head = f"module mac_array_{tag}{copies} (clk, clr, " + ("out);" if ring else "in, out);")
    lines = [head, "  input clk;", "  input clr;"]
    if not ring:
        lines.append(f"  input [{copies * len(ins) - 1}:0] in;")
    lines.append(f"  output [{copies * 20 - 1}:0] out;")
    for k in range(copies):
        conns = [".clk(clk)", ".clr(clr)"]
        for j, p in enumerate(ins):
            src = f"out[{((k - 1) % copies) * 20 + j % 20}]" if ring else f"in[{k * len(ins) + j}]"
            conns.append(f".{p} ({src})")
        for j, p in enumerate(outs):
            conns.append(f".{p} (out[{k * 20 + j}])")
        lines.append(f"  mac_array u{k} (" + ", ".join(conns) + ");")
    lines.append("endmodule")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n" + "\n".join(lines) + "\n")
    return out


def run_opensta(sta: str, verilog: Path, top: str) -> tuple[float, int, float]:
    """(wall s of read_verilog+link_design timed inside Tcl, cells, CPU s of the same:
    the process's CPU time minus that of a run that only reads the library)."""
    import resource

    with tempfile.TemporaryDirectory() as td:
        tcl = Path(td) / "rl.tcl"
        tcl.write_text(f"read_liberty {OSU018}\nset t0 [clock milliseconds]\nread_verilog {verilog}\n"
                       f"link_design {top}\nset t1 [clock milliseconds]\n"
                       f"puts \"READLINK_MS [expr {{$t1 - $t0}}] CELLS [llength [get_cells *]]\"\nexit\n")
        lib_only = Path(td) / "lib.tcl"
        lib_only.write_text(f"read_liberty {OSU018}\nexit\n")

        def cpu() -> float:
            r = resource.getrusage(resource.RUSAGE_CHILDREN)
            return r.ru_utime + r.ru_stime

        c0 = cpu()
        r = subprocess.run([sta, "-no_init", str(tcl)], capture_output=True, text=True, cwd=td)
        c1 = cpu()
        subprocess.run([sta, "-no_init", str(lib_only)], capture_output=True, text=True, cwd=td)
        c2 = cpu()
        m = re.search(r"READLINK_MS (\d+) CELLS (\d+)", r.stdout)
        if not m:
            raise SystemExit(f"OpenSTA failed: {r.stdout[-500:]} {r.stderr[-500:]}")
        return int(m.group(1)) / 1e3, int(m.group(2)), max((c1 - c0) - (c2 - c1), 1e-3)


def run_ours(verilog: Path, top: str) -> dict:
    r = subprocess.run([sys.executable, "-c", _OURS, OSU018, str(verilog), top], capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"finevh failed: {r.stderr[-800:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def whole_process(sta: str, verilog: Path, top: str, repeat: int) -> dict:
    """``finevh read`` against OpenSTA read_liberty + read_verilog + link_design, each a
    whole process, interleaved; best wall and best CPU time (s) of ``repeat`` runs."""
    from bench_sta import byte_compile
    from bench_startup import timed

    byte_compile()
    ours_cmd = [sys.executable, "-m", "finevh", "-q", "read", "--liberty", OSU018, "--verilog", str(verilog),
                "--top", top]
    subprocess.run(ours_cmd, capture_output=True)          # the Liberty cache, as a user's second run
    with tempfile.TemporaryDirectory() as td:
        tcl = Path(td) / "read.tcl"
        tcl.write_text(f"read_liberty {OSU018}\nread_verilog {verilog}\nlink_design {top}\n")
        ref_cmd = [sta, "-no_init", "-no_splash", "-exit", str(tcl)]
        ours, ref = [], []
        for _ in range(repeat):
            ref.append(timed(ref_cmd, 1))
            ours.append(timed(ours_cmd, 1))
    return {"opensta_wall_s": min(r["wall_s"] for r in ref), "opensta_cpu_s": min(r["cpu_s"] for r in ref),
            "ours_wall_s": min(o["wall_s"] for o in ours), "ours_cpu_s": min(o["cpu_s"] for o in ours)}


def compare(sta: str, verilog: Path, top: str, repeat: int) -> dict:
    sta_t, sta_cpu, ours = [], [], []
    sta_cells = None
    for _ in range(repeat):  # interleaved, so that both see the same machine load
        t, sta_cells, c = run_opensta(sta, verilog, top)
        sta_t.append(t)
        sta_cpu.append(c)
        ours.append(run_ours(verilog, top))
    best = min(ours, key=lambda o: o["read"] + o["link"])
    t_ours = best["read"] + best["link"]
    cpu_ours = min(o["cpu"] for o in ours)
    return {"file": str(verilog), "instances": best["instances"], "opensta_cells": sta_cells,
            "opensta_s": min(sta_t), "ours_read_s": best["read"], "ours_link_s": best["link"], "ours_s": t_ours,
            "ratio": t_ours / min(sta_t), "opensta_cpu_s": min(sta_cpu), "ours_cpu_s": cpu_ours,
            "cpu_ratio": cpu_ours / min(sta_cpu), "peak_rss_mb": max(o["rss_peak_mb"] for o in ours),
            "rss_before_read_mb": best["rss_before_mb"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--million", action="store_true", help="also the 8x hierarchical (~1M cells) case")
    ap.add_argument("--sta", default=STA3, help="reference OpenSTA (default OpenSTA 3.x; /usr/bin/sta is 2.0.17)")
    args = ap.parse_args()
    sta = args.sta
    version = subprocess.run([sta, "-version"], capture_output=True, text=True).stdout.strip()
    base = build_netlist()
    print(f"OpenSTA: {sta} ({version}); load average: {os.getloadavg()[0]:.2f} (2 cores shared)")
    w = whole_process(sta, base, "mac_array", args.repeat)
    print(f"[whole process] finevh read: wall "
          f"{w['ours_wall_s']:.2f} s, CPU {w['ours_cpu_s']:.2f} s | OpenSTA read_liberty+read_verilog+link_design: "
          f"wall {w['opensta_wall_s']:.2f} s, CPU {w['opensta_cpu_s']:.2f} s | ratio wall "
          f"{w['ours_wall_s'] / w['opensta_wall_s']:.2f}x, CPU {w['ours_cpu_s'] / w['opensta_cpu_s']:.2f}x "
          f"(target <= 1.5x)", flush=True)
    r = compare(sta, base, "mac_array", args.repeat)
    print(f"[{r['instances']} cells, OpenSTA sees {r['opensta_cells']}] OpenSTA read_verilog+link_design "
          f"{r['opensta_s']:.3f} s | finevh read {r['ours_read_s']:.3f} s + link {r['ours_link_s']:.3f} s = "
          f"{r['ours_s']:.3f} s | wall ratio {r['ratio']:.2f}x")
    print(f"    CPU time: OpenSTA {r['opensta_cpu_s']:.3f} s, finevh {r['ours_cpu_s']:.3f} s, CPU ratio "
          f"{r['cpu_ratio']:.2f}x | peak RSS {r['peak_rss_mb']:.0f} MB ({r['rss_before_read_mb']:.0f} MB before reading)")
    if args.million:
        big = million_wrapper(base)
        r = compare(sta, big, "mac_array_x8", 1)
        print(f"[{r['instances']} cells, hierarchical x8, OpenSTA sees {r['opensta_cells']}] OpenSTA "
              f"{r['opensta_s']:.3f} s | finevh read {r['ours_read_s']:.3f} s + link {r['ours_link_s']:.3f} s = "
              f"{r['ours_s']:.3f} s | wall ratio {r['ratio']:.2f}x, CPU ratio {r['cpu_ratio']:.2f}x | "
              f"peak RSS {r['peak_rss_mb']:.0f} MB (budget 4096)")
    s38417 = SHARED / "mapped/s38417_sky130hd_tt.v"
    if s38417.exists():
        r = subprocess.run([sys.executable, "-c", _PYV, str(s38417)], capture_output=True, text=True)
        if r.returncode == 0:
            p = json.loads(r.stdout.strip().splitlines()[-1])
            print(f"[{p['instances']} cells, s38417] pyverilog path {p['pyverilog']:.2f} s vs fast reader "
                  f"{p['fast']:.3f} s ({p['pyverilog'] / p['fast']:.0f}x)")
        else:
            print(f"pyverilog reference failed: {r.stderr[-300:]}")


if __name__ == "__main__":
    main()
