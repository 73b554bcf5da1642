"""Benchmark: finevh static timing against OpenSTA on a >= 100k-cell netlist.

The netlist is the 16 x 16 array of 8-bit MACs (``bench/mac_array.v``) mapped by Yosys
onto osu018 (about 125k cells), cached under ``fileio.cache_dir()`` (the first run
maps it: a few minutes). The reference is OpenSTA 3.x (``$FINEVH_OPENSTA3``, default
``~/.cache/opensta-737b52f/bin/sta``); ``--sta PATH`` picks another one (e.g. Debian's
2.0.17, ``/usr/bin/sta``). Prints, from ONE run:

- whole-process wall and CPU time (user + system) of ``finevh sta`` and of one OpenSTA
  process doing the same work: read Liberty + Verilog, link, SDC, full setup and hold
  STA, the worst setup and hold path, setup and hold worst slack / TNS; as ratios
  (target <= 0.5x), without parasitics and with the same SPEF file (``*RES`` trees);
- the SPEF is synthetic (the array has no placement): per net a random RC tree over
  its pins, drawn from a seeded generator in netlist order (:func:`synthetic_rc`),
  written by finevh's SPEF writer once and cached next to the netlist;
- incremental re-timing with RC: re-bind 2 % of the instances (random, then a
  contiguous block) to twins in a copy of osu018 whose delay, transition and
  constraint tables are scaled by 1.25; finevh's incremental update against its own
  full pass, and OpenSTA doing the same ``replace_cell`` sequence + ``report_worst_slack``
  timed inside its Tcl;
- worst slack of both tools before and after re-binding, and max |delta slack| over
  the setup endpoints with SPEF.

Usage: python3 bench/bench_sta.py [--period NS] [--rebind-frac 0.02] [--sta PATH] [--no-spef]
       [--netlist V]
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

OSU018 = Path("/usr/share/qflow/tech/osu018/osu018_stdcells.lib")
OPENSTA3 = Path.home() / ".cache" / "opensta-737b52f" / "bin" / "sta"
#: synthetic wires: kOhm/um and pF/um (a 0.18 um metal-2/3 wire), median branch length um
R_PER_UM, C_PER_UM, BRANCH_UM, STUB_UM = 2.7e-4, 2.0e-4, 15.0, 2.0
SCALED_TABLES = ("cell_rise", "cell_fall", "rise_transition", "fall_transition", "rise_constraint",
                 "fall_constraint")


def build_netlist() -> Path:
    from finevh.synth.yosys import map_to_liberty

    return map_to_liberty([HERE / "mac_array.v"], OSU018, "mac_array")


def ports_of(verilog: Path) -> tuple[list[str], list[str]]:
    """Bit-blasted input and output ports of the (flat, Yosys-written) top module."""
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
                for attr in SCALED_TABLES:
                    t = getattr(a, attr)
                    if t is not None:
                        t.values = np.asarray(t.values) * factor
    return out


def scaled_liberty_text(text: str, factor: float) -> str:
    """The same scaling as :func:`scaled_library` on Liberty text (for OpenSTA): the
    numbers of the ``values`` of every delay, transition and constraint table."""
    head = re.compile(r"\b(" + "|".join(SCALED_TABLES) + r")\s*\(")
    num = re.compile(r"-?\d+\.?\d*(?:[eE][-+]?\d+)?")
    out, pos = [], 0
    for m in head.finditer(text):
        if m.start() < pos:
            continue
        v = text.index("values", m.end())
        end = text.index(";", v)
        out.append(text[pos:v])
        out.append(num.sub(lambda x: repr(float(x.group(0)) * factor), text[v:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def synthetic_rc(design, seed: int = 1) -> list:
    """A random RC tree per single-driver net, in netlist order from one seeded
    generator: each load gets a Steiner node hung on the driver or an earlier Steiner
    node (a random recursive tree) by a branch of log-normal length (median
    ``BRANCH_UM``), and a ``STUB_UM`` stub to the pin; each segment a resistor
    ``R_PER_UM * L`` with ``C_PER_UM * L`` split between its ends."""
    from finevh.timing.rcnet import RcNet

    nl = design.netlist
    P = int(nl.pin_ptr[-1])
    inst_of = np.repeat(np.arange(nl.n_instances), np.diff(nl.pin_ptr))
    rng = np.random.default_rng(seed)
    ptr = design.net_term_ptr
    out = []
    for m in range(len(ptr) - 1):
        terms = design.net_terms[ptr[m]:ptr[m + 1]].tolist()
        k = len(terms) - 1
        if k < 1 or int(design.net_n_drivers[m]) != 1:
            continue
        names = [nl.port_names[t - P] if t >= P else f"{nl.inst_names[inst_of[t]]}:{nl.pin_names[nl.pin_name[t]]}"
                 for t in terms]
        steiner = [f"{nl.net_names[m]}:{j + 1}" for j in range(k)]
        nodes = names + steiner                                   # driver, loads, Steiner nodes
        up = np.floor(rng.random(k) * np.arange(1, k + 1)).astype(np.int64)  # 0: driver, j: Steiner j
        parent = np.where(up == 0, 0, k + up)
        length = np.concatenate([BRANCH_UM * np.exp(0.8 * rng.standard_normal(k)), np.full(k, STUB_UM)])
        a = np.concatenate([parent, np.arange(k + 1, 2 * k + 1)])
        b = np.concatenate([np.arange(k + 1, 2 * k + 1), np.arange(1, k + 1)])
        cap = np.zeros(2 * k + 1)
        np.add.at(cap, a, 0.5 * C_PER_UM * length)
        np.add.at(cap, b, 0.5 * C_PER_UM * length)
        out.append(RcNet(nl.net_names[m], 0, nodes, cap, a, b, R_PER_UM * length, names))
    return out


def cached_spef(design, verilog: Path, seed: int = 1) -> Path:
    """The synthetic SPEF of ``verilog`` (written once, then reused)."""
    from finevh.fileio import cache_dir
    from finevh.timing.spef import write_spef

    path = cache_dir() / "bench_sta" / f"{verilog.stem}_rc{seed}.spef"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_spef(path, design, synthetic_rc(design, seed))
    return path


@dataclass
class Proc:
    wall: float        # s
    cpu: float         # s, user + system of the process
    rss_mb: float
    out: str


def run_timed(cmd: list[str], cwd: Path) -> Proc:
    """Run ``cmd`` to completion: wall time, CPU (user + system) and peak RSS of the
    process. Through ``/usr/bin/time`` when present (a child forked from this Python
    would otherwise inherit its RSS high-water mark), else ``os.wait4``."""
    wrap = ["/usr/bin/time", "-f", "bench_rusage %U %S %M"] if Path("/usr/bin/time").exists() else []
    with tempfile.TemporaryFile("w+") as fo:
        t0 = time.perf_counter()
        p = subprocess.Popen(wrap + cmd, cwd=cwd, stdout=fo, stderr=subprocess.STDOUT, text=True)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        out = fo.read()
    if p.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({p.returncode}): {out[-2000:]}")
    m = re.search(r"^bench_rusage ([\d.]+) ([\d.]+) (\d+)$", out, re.M)
    if m:
        return Proc(wall, float(m.group(1)) + float(m.group(2)), int(m.group(3)) / 1024.0, out)
    return Proc(wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0, out)


def worst(out: str, kind: str = "max") -> float:
    """``report_worst_slack`` value (3.x prints 'worst slack max X', 2.0.17 'worst slack X')."""
    m = re.search(rf"^worst slack(?: {kind})?\s+(-?[\d.]+(?:e[-+]?\d+)?)\s*$", out, re.M)
    if not m:
        raise ValueError(f"no 'worst slack {kind}' in OpenSTA output: {out[-500:]}")
    return float(m.group(1))


def byte_compile() -> None:
    """Byte-compile the finevh package being timed, as ``pip install`` does: with
    ``PYTHONDONTWRITEBYTECODE`` set (as in some sandboxes) every run would otherwise
    compile its ~60 modules again (about 0.09 s CPU)."""
    import compileall

    import finevh

    pkg = Path(finevh.__file__).parent
    ok = compileall.compile_dir(str(pkg), quiet=1)
    print(f"finevh under test: {pkg} (byte-compiled: {'yes' if ok else 'failed'})", flush=True)


def ms(out: str, key: str) -> float:
    import opensta

    return opensta.parse_value(out, key) / 1e3


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--period", type=float, default=6.0)
    ap.add_argument("--rebind-frac", type=float, default=0.02)
    ap.add_argument("--sta", default=os.environ.get("FINEVH_OPENSTA3") or str(OPENSTA3),
                    help="reference OpenSTA (default OpenSTA 3.x; /usr/bin/sta is Debian's 2.0.17)")
    ap.add_argument("--no-spef", action="store_true", help="skip the SPEF runs and the RC re-timing")
    ap.add_argument("--netlist", default=None, help="another flat netlist mapped on osu018 (default: the MAC array)")
    args = ap.parse_args()

    import opensta

    from finevh.analysis import run_sta
    from finevh.liberty.libset import LibrarySet
    from finevh.timing.binding import rebind

    sta = args.sta
    version = subprocess.run([sta, "-version"], capture_output=True, text=True).stdout.strip()
    v3 = not version.startswith("2.")
    # the interpreter directly (a pyenv shim in front of the console script costs a
    # shell); modules byte-compiled as an installation leaves them
    finevh = [sys.executable, "-m", "finevh"]
    byte_compile()
    v = Path(args.netlist) if args.netlist else build_netlist()
    work = Path(tempfile.mkdtemp(prefix="bench_sta_"))
    sdc = write_sdc_from_ports(work / "mac.sdc", v, args.period)
    mx, mn = ("-max", "-min") if v3 else ("", None)
    # the work `finevh sta` does: setup and hold, worst setup path, setup and hold WNS/TNS
    same_work = ["report_checks -path_delay min_max -digits 4", f"report_worst_slack {mx} -digits 6",
                 f"report_tns {mx} -digits 6"]
    if mn:
        same_work += [f"report_worst_slack {mn} -digits 6", f"report_tns {mn} -digits 6"]

    # ---------------- in-process finevh with RC first (it writes the SPEF once)
    rows = []
    t0 = time.perf_counter()
    timer, res = run_sta([str(OSU018)], str(v), str(sdc))
    design = timer.design
    n_cells = design.n_instances
    top = design.netlist.top
    print(f"OpenSTA: {sta} ({version}); netlist {v.name}: {n_cells} cells, {design.netlist.n_nets} nets, "
          f"{len(timer.graph.e_to)} timing edges, {len(res.endpoints)} endpoints", flush=True)
    spef = None
    if not args.no_spef:
        t1 = time.perf_counter()
        spef = cached_spef(design, v)
        print(f"SPEF {spef} ({spef.stat().st_size / 1e6:.0f} MB; made or found in {time.perf_counter() - t1:.1f} s)",
              flush=True)
    del timer, res, design

    # ---------------- whole process, same run: finevh sta vs OpenSTA, without and with SPEF
    for label, sp in [("no parasitics", None)] + ([("SPEF RC", spef)] if spef else []):
        script = opensta.design_script([OSU018], v, top, sdc, sp, extra=same_work)
        (work / "whole.tcl").write_text(script)
        ref = run_timed([sta, "-no_init", "-exit", str(work / "whole.tcl")], work)
        ours = run_timed(finevh + ["sta", "--liberty", str(OSU018), "--verilog", str(v), "--sdc", str(sdc)]
                         + (["--spef", str(sp)] if sp else []), work)
        m = re.search(r"^\s*(-?[\d.]+)\s+slack", ours.out, re.M)
        print(f"[{label}] worst setup slack: OpenSTA {worst(ref.out):.4f} ns, finevh sta (worst path) "
              f"{m.group(1) if m else '?'} ns")
        rows.append((label, ours, ref))
        print(f"[{label}] finevh sta: wall {ours.wall:.2f} s, CPU {ours.cpu:.2f} s, RSS {ours.rss_mb:.0f} MB | "
              f"OpenSTA: wall {ref.wall:.2f} s, CPU {ref.cpu:.2f} s, RSS {ref.rss_mb:.0f} MB", flush=True)

    # ---------------- incremental re-timing with RC
    if spef:
        lib_ref = work / "osu018_slow.lib"
        lib_ref.write_text(scaled_liberty_text(opensta.prepare_liberty(OSU018, work, "_slow").read_text(), 1.25))
        t0 = time.perf_counter()
        timer, res = run_sta([str(OSU018)], str(v), str(sdc), spef=str(spef))
        t_first = time.perf_counter() - t0
        design = timer.design
        t1 = time.perf_counter()
        timer.update(incremental=False)
        t_pass = time.perf_counter() - t1
        lib = design.libset.libraries[0]
        slow = scaled_library(lib, 1.25, lib.name + "_slow")
        slow.voltage = 1.2
        ls2 = LibrarySet([lib, slow])
        design.libset = ls2
        rng = np.random.default_rng(1)
        k = max(1, int(args.rebind_frac * n_cells))
        sets = {"random": np.sort(rng.choice(n_cells, k, replace=False)),
                "clustered": np.arange(n_cells // 3, n_cells // 3 + k)}
        tcl = ["set t0 [clock milliseconds]", f"report_worst_slack {mx} -digits 6",
               "puts \"full_ms [expr {[clock milliseconds] - $t0}]\"", opensta.ENDPOINT_REPORT]
        ours_inc, orig = {}, {}
        for name, sel in sets.items():
            tw = [ls2.twin(design.cells[int(design.inst_cell[i])], voltage=slow.voltage) for i in sel.tolist()]
            pairs = " ".join("{%s} %s_slow" % (design.netlist.inst_names[i], c.name) for i, c in zip(sel.tolist(), tw))
            tcl += [f"set rb [list {pairs}]", "set t0 [clock milliseconds]",
                    "foreach {i c} $rb { replace_cell $i $c }", f"report_worst_slack {mx} -digits 6",
                    f"puts \"{name}_ms [expr {{[clock milliseconds] - $t0}}]\""]
            orig[name] = [design.cells[int(design.inst_cell[i])] for i in sel.tolist()]
            t2 = time.perf_counter()
            rebind(design, sel, tw)
            r = timer.update()
            ours_inc[name] = (time.perf_counter() - t2, r.wns, float(r.table.slack.min()))
        # the <= 0.2x line on a shared machine: CPU time, five other random sets, each
        # re-bind against a full re-pass timed just before it (same binding state)
        for name in reversed(list(sets)):                  # the base cells again
            rebind(design, sets[name], orig[name])
        timer.update()
        pair_ratios = []
        for seed in range(2, 7):
            sel = np.sort(np.random.default_rng(seed).choice(n_cells, k, replace=False))
            tw = [ls2.twin(design.cells[int(design.inst_cell[i])], voltage=slow.voltage) for i in sel.tolist()]
            base = [design.cells[int(design.inst_cell[i])] for i in sel.tolist()]
            c0 = time.process_time()
            timer.update(incremental=False)
            c1 = time.process_time()
            rebind(design, sel, tw)
            timer.update()
            c2 = time.process_time()
            pair_ratios.append(((c2 - c1) / (c1 - c0), c2 - c1, c1 - c0))
            rebind(design, sel, base)
            timer.update()
        script = opensta.design_script([OSU018, lib_ref], v, top, sdc, spef, extra=tcl)
        (work / "incr.tcl").write_text(script)
        ref = run_timed([sta, "-no_init", "-exit", str(work / "incr.tcl")], work)
        ref_worst = [float(x) for x in re.findall(r"^worst slack(?: max)?\s+(-?[\d.]+)", ref.out, re.M)]
        slk = opensta.parse_endpoint_slacks(ref.out)
        mine = res.endpoint_slacks()
        common = [e for e in slk if e in mine]
        dev = np.array([abs(mine[e] - slk[e].slack) for e in common]) if common else np.array([np.nan])
        print(f"[SPEF RC] accuracy: {len(common)} common setup endpoints of {len(slk)} (OpenSTA) / {len(mine)} "
              f"(finevh); max |delta slack| {np.nanmax(dev) * 1e3:.3f} ps, median {np.nanmedian(dev) * 1e3:.4f} ps, "
              f"{int((dev > 1e-3).sum())} above 1 ps; "
              f"worst slack finevh {float(res.table.slack.min()):.6f} ns, OpenSTA {ref_worst[0]:.6f} ns")
        f_full = ms(ref.out, "full_ms")
        print(f"[SPEF RC] finevh: first full pass (SDC + graph + RC reduction + STA, setup+hold) {t_first:.2f} s "
              f"(includes reading), full re-pass (graph kept) {t_pass:.2f} s | OpenSTA first report_worst_slack "
              f"(delay calc + search) {f_full:.2f} s")
        for j, (name, (dt, _, w)) in enumerate(ours_inc.items()):
            o = ms(ref.out, f"{name}_ms")
            print(f"[SPEF RC] re-bind {k} {name} instances: finevh incremental {dt:.3f} s = {dt / t_pass:.2f}x its "
                  f"full re-pass (target <= 0.2x); OpenSTA replace_cell + report_worst_slack {o:.3f} s = "
                  f"{o / f_full:.2f}x its full pass; finevh / OpenSTA {dt / o:.2f}x; worst slack after: "
                  f"finevh {w:.6f} ns, OpenSTA {ref_worst[j + 1]:.6f} ns")
    if spef:
        r = sorted(pair_ratios)
        print(f"[SPEF RC] re-bind {k} random instances, five other sets, CPU: incremental / full re-pass "
              + ", ".join(f"{x:.3f}x ({a:.3f} / {b:.3f} s)" for x, a, b in pair_ratios)
              + f"; median {r[len(r) // 2][0]:.3f}x (target <= 0.2x)")
    print("RATIOS (finevh / OpenSTA, whole process; target <= 0.5x):")
    for label, ours, ref in rows:
        print(f"  {label}: wall {ours.wall / ref.wall:.2f}x ({ours.wall:.2f} / {ref.wall:.2f} s), "
              f"CPU {ours.cpu / ref.cpu:.2f}x ({ours.cpu:.2f} / {ref.cpu:.2f} s), "
              f"peak RSS {ours.rss_mb / ref.rss_mb:.2f}x")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
