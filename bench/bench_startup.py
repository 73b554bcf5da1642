"""Benchmark: start-up and a small ``finevh read`` against OpenSTA 3.x, whole processes.

1. ``finevh --version`` (``python -m finevh``; the console script without the pyenv
   shim) against ``python3 -c pass`` and ``sta -version``.
2. ``finevh read`` of the 5,810-cell s38417 netlist on sky130 hd tt (Liberty read from
   its .gz) against OpenSTA doing the same work in one process: ``read_liberty`` (of a
   gunzipped copy: OpenSTA 3 reads plain Liberty) + ``read_verilog`` + ``link_design``.
   finevh is timed with its Liberty cache warm (the default) and cold (empty
   ``FINEVH_CACHE``), since OpenSTA parses the Liberty every time.
3. ``--emit N``: ``write_plan`` and ``emit_text`` (each tool) of an N-instance synthetic
   plan (tests/test_scale.py), in process.

Whole-process wall time (best of ``--repeat``) and CPU time (user + system of the child,
from ``getrusage``: robust when the shared machine is loaded); ratios finevh / OpenSTA.
No 1M-cell design is built here (see bench_read.py --million for the read side).

Usage: python3 bench/bench_startup.py [--repeat 5] [--emit 500000] [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FINEVH_SHARED", REPO.parent / "shared")) / "data"
STA3 = os.environ.get("FINEVH_OPENSTA3", str(Path.home() / ".cache/opensta-737b52f/bin/sta"))
LIB_GZ = SHARED / "liberty/sky130_fd_sc_hd/sky130_fd_sc_hd__tt_025C_1v80.lib.gz"
NETLIST = SHARED / "mapped/s38417_sky130hd_tt.v"
TOP = "s38417"


def timed(cmd: list[str], repeat: int, env: dict | None = None) -> dict:
    """Best wall time and best child CPU time (s) of ``repeat`` runs of ``cmd``."""
    walls, cpus = [], []
    for _ in range(repeat):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True, env=env)
        t1 = time.perf_counter()
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if r.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{r.stderr[-2000:]}")
        walls.append(t1 - t0)
        cpus.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    return {"wall_s": round(min(walls), 4), "cpu_s": round(min(cpus), 4)}


def env_with(**extra) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO / "flow") + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def startup(repeat: int) -> dict:
    py = sys.executable
    out = {"python -c pass": timed([py, "-c", "pass"], repeat, env_with()),
           "finevh --version": timed([py, "-m", "finevh", "--version"], repeat, env_with()),
           "finevh --help": timed([py, "-m", "finevh", "--help"], repeat, env_with())}
    if Path(STA3).is_file():
        out["sta -version"] = timed([STA3, "-version"], repeat)
    return out


def read_vs_opensta(repeat: int) -> dict:
    for f in (LIB_GZ, NETLIST):
        if not f.is_file():
            raise SystemExit(f"missing {f} (set FINEVH_SHARED)")
    py = sys.executable
    with tempfile.TemporaryDirectory() as td:
        lib = Path(td) / "sky130_tt.lib"
        with gzip.open(LIB_GZ, "rb") as src, open(lib, "wb") as dst:
            shutil.copyfileobj(src, dst)
        tcl = Path(td) / "read.tcl"
        tcl.write_text(f"read_liberty {lib}\nread_verilog {NETLIST}\nlink_design {TOP}\n"
                       "puts [llength [get_cells *]]\n")
        cmd = [py, "-m", "finevh", "-q", "read", "--liberty", str(LIB_GZ), "--verilog", str(NETLIST), "--top", TOP]
        warm_env = env_with()
        subprocess.run(cmd, capture_output=True, env=warm_env)          # fill the Liberty cache
        out = {"finevh read (warm cache)": timed(cmd, repeat, warm_env)}
        cold = []
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as cache:
                cold.append(timed(cmd, 1, env_with(FINEVH_CACHE=cache)))
        out["finevh read (cold cache)"] = {k: min(c[k] for c in cold) for k in ("wall_s", "cpu_s")}
        if Path(STA3).is_file():
            out["opensta3 read_liberty+read_verilog+link"] = timed([STA3, "-no_init", "-no_splash", "-exit", str(tcl)],
                                                                   repeat)
    return out


def emit_bench(n_inst: int) -> dict:
    sys.path.insert(0, str(REPO / "flow"))
    sys.path.insert(0, str(REPO / "tests"))
    from test_scale import synthetic_plan

    from finevh.emit import TOOLS, emit_text
    from finevh.emit.common import EmitOptions
    from finevh.fvh.plan import write_plan

    plan = synthetic_plan(n_inst, n=8)
    opts = EmitOptions(swap_cell={"PB16": "{cell}_PB16", "PB10": "{cell}_PB10", "PB4": "{cell}_PB4"})
    out = {}
    with tempfile.TemporaryDirectory() as td:
        c0, t0 = time.process_time(), time.perf_counter()
        write_plan(Path(td) / "p.fvh.json", plan)
        out["write_plan"] = {"wall_s": round(time.perf_counter() - t0, 3), "cpu_s": round(time.process_time() - c0, 3)}
    for tool in TOOLS:
        c0, t0 = time.process_time(), time.perf_counter()
        emit_text(plan, tool, opts)
        out[f"emit {tool}"] = {"wall_s": round(time.perf_counter() - t0, 3), "cpu_s": round(time.process_time() - c0, 3)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--emit", type=int, default=0, help="also time write_plan/emit_text of an N-instance plan")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    res = {"startup": startup(a.repeat), "read": read_vs_opensta(a.repeat)}
    st, rd = res["startup"], res["read"]
    ratios = {}
    if "sta -version" in st:
        ratios["--version / sta -version"] = {k: round(st["finevh --version"][k] / max(st["sta -version"][k], 1e-3), 2)
                                              for k in ("wall_s", "cpu_s")}
    ref = rd.get("opensta3 read_liberty+read_verilog+link")
    if ref:
        for which in ("warm", "cold"):
            mine = rd[f"finevh read ({which} cache)"]
            ratios[f"read ({which}) / opensta3"] = {k: round(mine[k] / ref[k], 2) for k in ("wall_s", "cpu_s")}
    res["ratios"] = ratios
    if a.emit:
        res["emit"] = emit_bench(a.emit)
    if a.json:
        print(json.dumps(res, indent=1))
        return
    for sect, rows in res.items():
        print(f"[{sect}]")
        for k, v in rows.items():
            print(f"  {k:45s} " + "  ".join(f"{kk} {vv}" for kk, vv in v.items()))


if __name__ == "__main__":
    main()
