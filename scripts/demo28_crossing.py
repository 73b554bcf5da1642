"""Regenerate the demo28 supply-crossing timing tables (libs/demo28/demo28_crossing.txt).

ngspice transients through the demo28 device model written as SPICE functions
(:mod:`finevh.tech.demo28_spice`), flavour PB0 (used for every flavour), per (VddL, VddH)
pair of the demo (the k-LUT pairs: ΔVdd 100 and 200 mV) and per arc of the
combinational cells the demo netlist instantiates (designs/demo: every combinational
master of fvh_rv32_demo28.v with at least 300 instances: 12 masters, 13 666 of the
14 389 combinational instances; flip-flops, the 9 rarer masters and unused cells have
no table and keep their Liberty timing). Index: two input slews of the VddL library's
7-point slew axis (points 2 and 6) x two loads of the X1 load axis (1 and 16 fF), read bilinearly in
between. A 3 x 3 trial (points 2, 4, 6) of NAND2 A and MUX2 A at 0.60/0.80 V put the
middle points up to 11 ps (NAND2 LH input rise: 57 ps read against 47 ps simulated) off
the 2 x 2 read; 2 x 2 costs 4/9 of the ngspice time (on these two shared cores 3 x 3
would have taken over an hour). ngspice outputs are cached by deck digest in
$FINEVH_CACHE/demo28_crossing (else ~/.cache/finevh/...).

Usage (from the repository root):
    PYTHONPATH=flow python3 scripts/demo28_crossing.py [--pairs 0.60/0.70,...] [OUT]
(``--pairs``: characterise only these pairs into the cache, e.g. in two processes, then
run without it to write the file from the cache.)
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from finevh.fileio import cache_dir, write_text_atomic
from finevh.liberty.reader import read_liberty
from finevh.tech import demo28_spice
from finevh.tech.cells import catalogue
from finevh.tech import device as dv
from finevh.tech.crossing import CrossingTables, write_crossing
from finevh.tech.crossing_char import characterise_crossing
from finevh.tech.liberty_writer import load_axis, slew_axis
from finevh.tech.lut import DEMO_PAIRS

REPO = Path(__file__).resolve().parent.parent
HERE = REPO / "libs" / "demo28"          # the technology's folder: libraries in, tables out
OUT = HERE / "demo28_crossing.txt"
#: PB0 only: the tables of PB0 stand for every flavour (one flavour costs ~10 CPU min)
FLAVOURS = ("PB0",)
#: masters with fewer instances in the demo keep their Liberty timing
MIN_INSTANCES = 300
PAIRS = DEMO_PAIRS
POINTS = (1, 5)               # 0-based points of the 7-point Liberty axes (bilinear in between)
HOLD = 1.5                    # ns between input ramps (0.60 V, 16 fF: outputs settle in < 1 ns)


def demo_cells(verilog: Path = REPO / "designs" / "demo" / "fvh_rv32_demo28.v") -> dict[str, int]:
    """{combinational master: instances} of the demo netlist (masters with at least
    MIN_INSTANCES instances)."""
    lib = read_liberty(HERE / "demo28_ss_125C_1p00v_pb0.lib")
    counts: dict[str, int] = {}
    for m in re.finditer(r"^\s*([A-Z][A-Z0-9_]*_X\d+)\s", verilog.read_text(), re.M):
        counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    comb = {s.name for s in catalogue() if s.kind == "comb"}
    return {c: n for c, n in sorted(counts.items()) if c in comb and c in lib.cells and n >= MIN_INSTANCES}


def build(cells=None, flavours=FLAVOURS, pairs=PAIRS, points=POINTS, cache: Path | None = None,
          stats: dict | None = None, log=None) -> CrossingTables:
    cells = sorted(cells if cells is not None else demo_cells())
    lib = read_liberty(HERE / "demo28_ss_125C_1p00v_pb0.lib")
    cache = cache if cache is not None else cache_dir() / "demo28_crossing"
    spice = cache / "spice"
    spice.mkdir(parents=True, exist_ok=True)
    models = spice / "demo28_models.sp"
    write_text_atomic(models, demo28_spice.models_text())
    ct = CrossingTables(technology="demo28 ss 125C")
    for fl in flavours:
        nets = spice / f"demo28_cells_{fl.lower()}.sp"
        write_text_atomic(nets, demo28_spice.cells_text(fl))
        for vl, vh in pairs:
            slews = slew_axis(vl)[list(points)]
            loads = load_axis(1)[list(points)]
            part = characterise_crossing({c: nets for c in cells}, {c: lib.cells[c] for c in cells}, models,
                                         [(vl, vh)], slews, loads, fl, dv.TEMPERATURE_C, gmin=1e-15,
                                         technology=ct.technology, hold=HOLD, cache=cache, stats=stats)
            ct.tables.update(part.tables)
            if log:
                log(f"make_crossing: {fl} {vl:.2f}/{vh:.2f} V: {len(cells)} cells done")
    return ct


def main(argv: list[str]) -> int:
    pairs = PAIRS
    if argv[:1] == ["--pairs"]:
        pairs = [tuple(float(v) for v in p.split("/")) for p in argv[1].split(",")]
        argv = argv[2:]
    out = Path(argv[0]) if argv else OUT
    t0, c0 = time.time(), time.process_time()
    stats: dict = {}
    cells = demo_cells()
    ct = build(cells, pairs=pairs, stats=stats, log=lambda m: print(m, file=sys.stderr))
    if pairs != PAIRS:
        print(f"make_crossing: {len(pairs)} pairs cached ({stats.get('runs', 0)} runs, "
              f"{stats.get('ngspice_s', 0.0):.1f} s)", file=sys.stderr)
        return 0
    write_crossing(out, ct, header="demo28 supply-crossing timing (crossing minus full swing, ns): ngspice "
                                   "through the demo28 device model (finevh.tech.demo28_spice), ss 125 C\n"
                                   f"cells: the {len(cells)} combinational masters of designs/demo "
                                   f"({sum(cells.values())} instances)\n"
                                   "regenerate: PYTHONPATH=flow python3 scripts/demo28_crossing.py")
    print(f"make_crossing: {len(cells)} cells x {len(FLAVOURS)} flavours x {len(PAIRS)} pairs -> {out}: "
          f"{stats.get('runs', 0)} ngspice runs ({stats.get('ngspice_s', 0.0):.1f} s), "
          f"{stats.get('hits', 0)} cached; {time.time() - t0:.1f} s wall, "
          f"{time.process_time() - c0:.1f} s CPU in Python", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
