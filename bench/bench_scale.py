#!/usr/bin/env python3
"""Benchmark: how the whole flow scales, 133k -> 531k -> 1.06M cells (issue 16).

Designs (built once, cached under ``fileio.cache_dir()``): the 16 x 16 MAC array
mapped onto demo28 PB0 1.00 V and placed (``bench_emulate.build``, 132,806 cells),
and 4 and 8 copies of it: the hierarchical wrapper of ``bench_read.million_wrapper``
with a DEF that tiles the placed copy (:func:`copies_def`). By default the copies form
a ring (copy k's inputs read copy k-1's outputs: a combinational chain through every
copy, so the critical path grows with the copies); ``--independent`` gives each copy
its own input ports (the single array's logic depth at every size). One clock for every size: 5 % above the critical delay of the
single array at 1.00 V (``bench_emulate.design_clock``).

Per size, each in a fresh process (peak RSS from ``wait4``, CPU = user + system):

- ``finevh run`` (``run_flow`` + ``write_outputs``, the default tiles 3, 5, 7, 16
  frequencies, ΔVdd 200 and 100 mV unless told otherwise), with wall, CPU and peak RSS
  per stage: the stage functions are wrapped in the child process (peak RSS per call
  from ``VmHWM``, reset through ``/proc/self/clear_refs``, which resets ``ru_maxrss``
  too: the run's peak is the largest of them); nested calls (power analyses inside a
  stage) are also inside their caller's figures; ``--json`` keeps every call in order;
- ``finevh sta`` and ``finevh power`` of the netlist (no DEF) under the same SDC;
- OpenSTA 3.x (``$FINEVH_OPENSTA3``, default ``~/.cache/opensta-737b52f/bin/sta``):
  one process reading the library and the netlist, then ``report_checks`` (full STA)
  then ``report_power``: elapsed and user time and RSS after each step (its own
  ``elapsed_run_time``/``user_run_time``/``memory_usage``), and the process peak.

Usage: python3 bench/bench_scale.py [--sizes 1,4,8] [--tiles 3,5,7] [--frequencies 16]
       [--dvdd 200,100] [--independent] [--no-run] [--no-sta] [--no-opensta] [--json FILE] [--events FILE]
(the 8-copy run takes about 20 min of CPU; run it niced on a shared machine).
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

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(HERE))

OPENSTA3 = os.environ.get("FINEVH_OPENSTA3", str(Path.home() / ".cache/opensta-737b52f/bin/sta"))


# ---- designs -------------------------------------------------------------------------------

def copies_def(base_def: Path, copies: int, top: str, out: Path, inputs: list[str] | None = None) -> Path:
    """A DEF of ``copies`` instances ``u0..`` of the placed design ``base_def``: copy k
    sits at column ``k % cols``, row ``k // cols`` of a grid of abutted cores (one row
    set spanning the whole width, the die margin kept once), component names
    ``u{k}/<name>``; top pins clk/clr at copy 0's and ``out`` bits at the copies'
    ``acc_out`` pins; with ``inputs`` (the array's data inputs, independent copies) top
    pins ``in[k * n + j]`` at copy k's pin of input j."""
    import numpy as np

    from finevh.layout.defio import DefComponents, DefDesign, DefPin, DefRow, read_def, write_def

    b = read_def(base_def)
    cols = 1
    while cols * cols < copies:
        cols += 1
    rows_n = -(-copies // cols)
    r0 = b.rows[0]
    core_w = r0.num_x * r0.step_x
    ys = sorted(r.y for r in b.rows)
    pitch = ys[1] - ys[0]
    core_h = len(b.rows) * pitch
    if len(b.rows) % 2:
        raise ValueError("copies_def needs an even number of rows (row orientations alternate)")
    x0, y0 = b.diearea[0]
    mx, my = r0.x - x0, min(ys) - y0
    rows = [DefRow(f"ROW_{ky}_{i}", r.site, r.x, r.y + ky * core_h, r.orient, r.num_x * cols, 1, r.step_x, 0)
            for ky in range(rows_n) for i, r in enumerate(sorted(b.rows, key=lambda r: r.y))]
    c = b.components
    k = np.repeat(np.arange(copies), len(c))
    comps = DefComponents(
        names=[f"u{j}/{n}" for j in range(copies) for n in c.names], masters=list(c.masters) * copies,
        status=np.tile(c.status, copies), x=np.tile(c.x, copies) + (k % cols) * core_w,
        y=np.tile(c.y, copies) + (k // cols) * core_h, orient=np.tile(c.orient, copies),
        source=[None] * (len(c) * copies), line=np.zeros(len(c) * copies, np.int32))
    pins_by = {p.name: p for p in b.pins}
    pins = []
    for name, src, j in [("clk", "clk", 0), ("clr", "clr", 0)] + [
            (f"out[{j * 20 + i}]", f"acc_out[{i}]", j) for j in range(copies) for i in range(20)] + [
            (f"in[{j * len(inputs) + i}]", p, j) for j in range(copies) for i, p in enumerate(inputs or ())]:
        p = pins_by[src]
        pins.append(DefPin(name, name, p.direction, p.use, p.layer, p.rect, p.status,
                           p.x + (j % cols) * core_w, p.y + (j // cols) * core_h, p.orient))
    d = DefDesign(design=top, dbu=b.dbu, diearea=[(x0, y0), (x0 + 2 * mx + cols * core_w, y0 + 2 * my + rows_n * core_h)],
                  rows=rows, tracks=[], components=comps, pins=pins)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_def(out, d)
    return out


def design_files(copies: int, ring: bool = True) -> dict:
    """Verilog, DEF, SDC and top of the ``copies``-fold design (built once, cached);
    ``ring``: the copies chained (:func:`bench_read.million_wrapper`), else independent."""
    from bench_emulate import LEF, LIB, build, design_clock
    from bench_read import array_ports, million_wrapper
    from bench_sta import write_sdc_from_ports

    from finevh.fileio import cache_dir, file_digest

    v, df = build()
    d = cache_dir() / "bench_scale"
    d.mkdir(parents=True, exist_ok=True)
    key = file_digest(v)[:12]
    clk = d / f"clock_{key}.json"
    if not clk.is_file():
        with tempfile.TemporaryDirectory() as td:
            period, crit = design_clock(v, df, Path(td))
        clk.write_text(json.dumps({"period_ns": period, "critical_ns": crit}))
    period = json.loads(clk.read_text())["period_ns"]
    if copies == 1:
        top, verilog, def_file = "mac_array", v, df
    else:
        top = f"mac_array_{'x' if ring else 'p'}{copies}"
        verilog = million_wrapper(v, copies, ring)
        def_file = d / f"{top}_{key}.def"
        if not def_file.is_file():
            inputs = None if ring else [p.lstrip("\\").strip() for p in array_ports(v.read_text())[0]]
            copies_def(df, copies, top, def_file, inputs)
    sdc = d / f"{top}_{key}.sdc"
    if not sdc.is_file():
        text = verilog.read_text()
        head = d / f"{top}_{key}_ports.v"          # the top module alone: its ports
        head.write_text(text[text.rindex(f"module {top}"):])
        write_sdc_from_ports(sdc, head, period)
    return {"copies": copies, "top": top, "verilog": verilog, "def": def_file, "sdc": sdc, "lib": LIB, "lef": LEF,
            "period_ns": period}


# ---- measuring a child process -------------------------------------------------------------

def measured(cmd: list[str], env: dict | None = None, cwd: str | None = None) -> dict:
    """Run ``cmd``; its wall time, CPU time (user + system) and peak RSS (MB, wait4),
    stdout and stderr."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        o, e = out.read(), err.read()
    if p.returncode:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed ({p.returncode}): {e[-1500:]}{o[-500:]}")
    return {"wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime, "sys_s": ru.ru_stime,
            "peak_rss_mb": ru.ru_maxrss / 1024.0, "stdout": o, "stderr": e}


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "flow")] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep)
                                                               if p])
    return env


def opensta_steps(f: dict, work: Path) -> dict:
    """OpenSTA 3.x: read (library + netlist + link), full STA (``report_checks``), power
    (``report_power``) in one process; per step elapsed and user seconds and RSS after it."""
    lines = [f"read_liberty {{{f['lib']}}}", f"read_verilog {{{f['verilog']}}}", f"link_design {f['top']}",
             "proc fvh_mark {tag} { puts \"FVH $tag [elapsed_run_time] [user_run_time] [sta::memory_usage]\" }",
             "fvh_mark read", f"read_sdc {{{f['sdc']}}}", "report_checks -digits 6", "report_wns -digits 6",
             "fvh_mark sta", "report_power -digits 8", "fvh_mark power"]
    tcl = work / "scale.tcl"
    tcl.write_text("\n".join(lines) + "\n")
    m = measured([OPENSTA3, "-no_init", "-exit", str(tcl)], cwd=str(work))
    # sta::memory_usage is VmRSS in kB x 1000: MiB like ru_maxrss / 1024
    marks = {t: (float(a), float(b), int(c) / 1000 / 1024) for t, a, b, c in
             re.findall(r"^FVH (\w+) (\S+) (\S+) (\d+)", m["stdout"], re.M)}
    steps, prev = {}, (0.0, 0.0)
    for t in ("read", "sta", "power"):
        el, us, rss = marks[t]
        steps[t] = {"wall_s": el - prev[0], "user_s": us - prev[1], "rss_after_mb": rss}
        prev = (el, us)
    wns = re.search(r"^wns (?:max )?(\S+)", m["stdout"], re.M)
    return {"steps": steps, "wall_s": m["wall_s"], "cpu_s": m["cpu_s"], "peak_rss_mb": m["peak_rss_mb"],
            "wns": float(wns.group(1)) if wns else None}


def finevh_cli(f: dict, command: str) -> dict:
    """``finevh sta`` / ``finevh power`` of the netlist under the SDC (one process)."""
    cmd = [sys.executable, "-m", "finevh", command, "--liberty", str(f["lib"]), "--verilog", str(f["verilog"]),
           "--top", f["top"], "--sdc", str(f["sdc"]), "--quiet"]
    m = measured(cmd, env=_env())
    return {k: m[k] for k in ("wall_s", "cpu_s", "sys_s", "peak_rss_mb")}


# ---- finevh run with per-stage figures (child process) ----------------------------------------

#: (module, function, label) wrapped in the child: the stages of ``run_flow`` and its writer
STAGES = [("finevh.run", "_read", "read"),
          ("finevh.fvh.emulate", "baseline", "uniform-supply profiles (baselines a, b, c)"),
          ("finevh.run", "recover_leakage", "leakage recovery, all cells"),
          ("finevh.stages", "partition_stage", "partition"),
          ("finevh.stages", "vddmux_stage", "Vdd-MUX"),
          ("finevh.stages", "polybias_stage", "poly-bias (also inside leakage recovery)"),
          ("finevh.fvh.emulate", "fine_vh_sweep", "FINE-VH sweeps (Algorithm 5 + local search)"),
          ("finevh.power.analysis", "analyse", "power analyse() calls (inside the stages)"),
          ("finevh.run", "write_outputs", "write outputs")]


class _Peaks:
    """Peak RSS (MB) over nested windows, from VmHWM reset at every window edge."""

    def __init__(self):
        self.stack: list[list[float]] = []
        self.ok = True
        self._reset()

    @staticmethod
    def _status(key: str) -> float:
        with open("/proc/self/status") as fh:
            return int(re.search(rf"{key}:\s+(\d+)", fh.read()).group(1)) / 1024.0

    def _reset(self) -> None:
        try:
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")
        except OSError:
            self.ok = False

    def _fold(self) -> None:
        h = self._status("VmHWM")
        for s in self.stack:
            s[0] = max(s[0], h)

    def enter(self) -> None:
        self._fold()
        self._reset()
        self.stack.append([self._status("VmRSS")])

    def exit(self) -> tuple[float, float]:
        self._fold()
        peak = self.stack.pop()[0]
        self._reset()
        return peak, self._status("VmRSS")


def _child_run(cfg_path: str, out_dir: str) -> None:
    import functools
    import importlib

    peaks = _Peaks()
    stats: dict[str, dict] = {}
    events: list[dict] = []          # every wrapped call, in call order (nested calls first)
    t_start = time.perf_counter()
    log = os.environ.get("FINEVH_BENCH_EVENTS")

    def wrap(label, fn):
        @functools.wraps(fn)
        def inner(*a, **k):
            peaks.enter()
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                return fn(*a, **k)
            finally:
                pk, after = peaks.exit()
                events.append({"stage": label, "start_s": round(t0 - t_start, 3),
                               "wall_s": round(time.perf_counter() - t0, 3), "peak_rss_mb": round(pk, 1),
                               "rss_after_mb": round(after, 1)})
                s = stats.setdefault(label, {"calls": 0, "wall_s": 0.0, "cpu_s": 0.0, "peak_rss_mb": 0.0})
                s["calls"] += 1
                s["wall_s"] += time.perf_counter() - t0
                s["cpu_s"] += time.process_time() - c0
                s["peak_rss_mb"] = max(s["peak_rss_mb"], pk)
                s["rss_after_mb"] = after
                if log:                  # --events: every call as it ends (a long run's progress)
                    with open(log, "a") as fh:
                        fh.write(json.dumps(dict(events[-1], cpu_s=round(time.process_time(), 2))) + "\n")
        return inner

    for mod, name, label in STAGES:
        m = importlib.import_module(mod)
        setattr(m, name, wrap(label, getattr(m, name)))
    from finevh import run as R

    cfg = R.load_config(cfg_path)
    t0, c0 = time.perf_counter(), time.process_time()
    peaks.enter()                    # the whole run (VmHWM resets also reset ru_maxrss)
    res = R.run_flow(cfg)
    R.write_outputs(res, out_dir, force=True)
    peak, _ = peaks.exit()
    print(json.dumps({"stages": stats, "events": events, "timings": {k: v for k, v in res.timings.items()},
                      "wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0, "peak_rss_mb": peak,
                      "instances": int(len(res.tile_runs[0].plan.inst_names)) if res.tile_runs else None,
                      "peak_tracking": peaks.ok}))


def finevh_run(f: dict, work: Path, tiles, freqs, dvdd) -> dict:
    from runconfig import demo28_run_config

    cfg = demo28_run_config(work / f"{f['top']}.toml", name=f["top"], verilog=f["verilog"], def_file=f["def"],
                            sdc=f["sdc"], tiles=tiles, delta_vdd_mv=dvdd, frequencies=freqs, emit=None)
    m = measured([sys.executable, str(Path(__file__).resolve()), "--child-run", str(cfg), str(work / "out")],
                 env=_env())
    r = json.loads(m["stdout"].strip().splitlines()[-1])
    r.update({"process_wall_s": m["wall_s"], "process_cpu_s": m["cpu_s"], "process_sys_s": m["sys_s"]})
    if not r["peak_tracking"]:       # no clear_refs: VmHWM never reset, wait4's figure holds
        r["peak_rss_mb"] = m["peak_rss_mb"]
    return r


# ---- report ------------------------------------------------------------------------------------

def _print_opensta(o: dict) -> None:
    s = o["steps"]
    print(f"OpenSTA 3.x: read {s['read']['wall_s']:.1f} s ({s['read']['rss_after_mb']:.0f} MB), "
          f"STA {s['sta']['wall_s']:.1f} s ({s['sta']['rss_after_mb']:.0f} MB), "
          f"power {s['power']['wall_s']:.1f} s ({s['power']['rss_after_mb']:.0f} MB); process "
          f"{o['wall_s']:.1f} s wall, {o['cpu_s']:.1f} s CPU, peak {o['peak_rss_mb']:.0f} MB", flush=True)


def _print_cli(cmd: str, c: dict, o: dict | None) -> None:
    ref = ""
    if o:
        base = o["steps"][cmd]["rss_after_mb"]
        ref = f"; peak / OpenSTA's RSS after its {cmd} step = {c['peak_rss_mb'] / base:.2f}x (target <= 1.5x)"
    print(f"finevh {cmd}: {c['wall_s']:.1f} s wall, {c['cpu_s']:.1f} s CPU ({c['sys_s']:.1f} s sys), "
          f"peak {c['peak_rss_mb']:.0f} MB{ref}", flush=True)


def _print_run(fr: dict) -> None:
    print(f"finevh run ({fr['instances']} instances): {fr['process_wall_s']:.1f} s wall, "
          f"{fr['process_cpu_s']:.1f} s CPU ({fr['process_sys_s']:.1f} s sys), peak RSS {fr['peak_rss_mb']:.0f} MB "
          "(target < 4096)")
    for label, s in fr["stages"].items():
        print(f"    {label:46s} x{s['calls']:<3d} {s['wall_s']:8.1f} s {s['cpu_s']:8.1f} s CPU  "
              f"peak {s['peak_rss_mb']:6.0f} MB, after {s['rss_after_mb']:6.0f} MB")
    sys.stdout.flush()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,4,8", help="copies of the 132,806-cell array (comma list)")
    ap.add_argument("--tiles", default="3,5,7")
    ap.add_argument("--frequencies", type=int, default=16)
    ap.add_argument("--dvdd", default="200,100")
    ap.add_argument("--independent", action="store_true",
                    help="independent copies (inputs from top ports; the single array's logic depth) "
                         "instead of the ring of copies")
    ap.add_argument("--no-run", action="store_true", help="skip finevh run")
    ap.add_argument("--no-sta", action="store_true", help="skip finevh sta / power")
    ap.add_argument("--no-opensta", action="store_true")
    ap.add_argument("--json", default=None, help="write every figure to this file")
    ap.add_argument("--events", default=None,
                    help="append each stage call of finevh run to this file as it ends (JSON lines)")
    ap.add_argument("--child-run", nargs=2, metavar=("CONFIG", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child_run:
        _child_run(*args.child_run)
        return
    if args.events:
        os.environ["FINEVH_BENCH_EVENTS"] = str(Path(args.events).resolve())
    tiles = [int(x) for x in args.tiles.split(",")]
    dvdd = [int(x) for x in args.dvdd.split(",")]
    results = {}
    for copies in (int(x) for x in args.sizes.split(",")):
        f = design_files(copies, ring=not args.independent)
        work = Path(tempfile.mkdtemp(prefix=f"bench_scale_{copies}_"))
        r: dict = {"copies": copies, "period_ns": f["period_ns"]}
        kind = "independent" if args.independent else "chained"
        print(f"== {f['top']} ({copies} x the MAC array, {kind}), clock {f['period_ns']} ns ==", flush=True)
        if not args.no_opensta:
            r["opensta"] = opensta_steps(f, work)
            _print_opensta(r["opensta"])
        if not args.no_sta:
            for cmd in ("sta", "power"):
                r[cmd] = finevh_cli(f, cmd)
                _print_cli(cmd, r[cmd], r.get("opensta"))
        if not args.no_run:
            r["run"] = finevh_run(f, work, tiles, args.frequencies, dvdd)
            r["instances"] = r["run"]["instances"]
            _print_run(r["run"])
        results[f["top"]] = r
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, sort_keys=True, default=str) + "\n")


if __name__ == "__main__":
    main()
