"""Regenerate the sky130 HD supply-crossing timing tables (libs/sky130/sky130_hd_crossing.txt).

Cells: the three of the validation chain (tests/sky130_chain.py); every sensitisable arc. Corner: ss
model section, -40 C; pair 1.40/1.76 V (the library pair of the sample's 360 mV step).
Index: three input slews x three loads taken from the shipped Liberty's 7 x 7 delay
index (points 2, 4, 6). One ngspice transient per pair and arc.

Usage (from the repository root; a few minutes of ngspice):
    PYTHONPATH=flow FINEVH_SHARED=/work/shared python3 libs/sky130/make_crossing.py [OUT]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from finevh.liberty.reader import read_liberty
from finevh.tech import sky130
from finevh.tech.crossing import write_crossing
from finevh.tech.crossing_char import characterise_crossing

HERE = Path(__file__).resolve().parent
P = "sky130_fd_sc_hd__"
CELLS = tuple(P + c for c in ("inv_1", "nand2_1", "nor2_1"))
PAIRS = ((1.40, 1.76),)
SLEWS = (0.0230506, 0.122474, 0.650743)        # ns
LOADS = (0.00125568, 0.00791951, 0.0499479)    # pF
FLAVOUR = "SVT"


def build(cells=CELLS, pairs=PAIRS, slews=SLEWS, loads=LOADS):
    sp = sky130.extract()
    lib = read_liberty(sky130.shared_dir().parent / "liberty" / "sky130_fd_sc_hd" / f"{P}ss_n40C_1v76.lib.gz")
    return characterise_crossing({c: sp.netlist(c) for c in cells}, {c: lib.cells[c] for c in cells}, sp.models,
                                 list(pairs), slews, loads, FLAVOUR, sky130.SS_TEMP, section=sky130.SS_SECTION,
                                 technology="sky130_fd_sc_hd",
                                 progress_cb=lambda a, vl, vh: print(f"make_crossing: {a.cell} {a.pin}->{a.out} "
                                                                     f"{vl}/{vh} V done", file=sys.stderr))


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else HERE / "sky130_hd_crossing.txt"
    w0 = time.time()
    ct = build()
    write_crossing(out, ct, header="sky130_fd_sc_hd supply-crossing timing (crossing minus full swing, ns): "
                                   "ngspice, sky130.lib.spice section ss, -40 C\n"
                                   "regenerate: PYTHONPATH=flow python3 libs/sky130/make_crossing.py")
    print(f"make_crossing: {len(CELLS)} cells -> {out} ({time.time() - w0:.1f} s wall)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
