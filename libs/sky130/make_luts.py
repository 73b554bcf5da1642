"""Regenerate the sky130 HD intra-tile leakage LUT (libs/sky130/sky130_hd_itl.lut).

Models: the ss cards through charlib's lean model file and flattened cell netlists
(finevh.tech.sky130.Sky130Spice.lean; the corner library's subckt expansion is too slow
for a thousand cell copies).
Cells: every master of the sky130 sample (OpenROAD's gcd_prefill.def) that the
shipped Liberty has (fillers and taps excluded). Corner: SkyWater's ss model section
at -40 C, as the shared ss_n40C_1v28/1v40/1v76 Liberty files. Pairs: the three library
pairs (the sample uses 1.40/1.76). Output ports per cell from the Liberty. One ngspice
operating point per pair and group of cells.

Usage (from the repository root; several minutes of ngspice):
    PYTHONPATH=flow FINEVH_SHARED=/work/shared python3 libs/sky130/make_luts.py [OUT.lut]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from finevh.layout.defio import read_def
from finevh.liberty.reader import read_liberty
from finevh.tech import sky130
from finevh.tech.lut import write_lut
from finevh.tech.spice import characterise

HERE = Path(__file__).resolve().parent
PAIRS = ((1.40, 1.76), (1.28, 1.40), (1.28, 1.76))
FLAVOUR = "SVT"      # SkyWater's shipped devices (nfet_01v8, pfet_01v8(_hvt))
GMIN = 1e-18
#: cells with more inputs are left out (k = 1 in the flow): a cell of n inputs needs
#: 2 x 3^n copies per pair, and ngspice's operating point on SkyWater's BSIM4 bins costs
#: about a minute of CPU per thousand copies on this machine
MAX_INPUTS = 3


def liberty_path(volt: str = "1v76") -> Path:
    return sky130.shared_dir().parent / "liberty" / "sky130_fd_sc_hd" / f"sky130_fd_sc_hd__ss_n40C_{volt}.lib.gz"


def sample_cells() -> list[str]:
    """Masters of the sample DEF that the Liberty has, with 1 to MAX_INPUTS inputs, sorted."""
    d = read_def(sky130.shared_dir().parent / "openroad" / "src" / "fin" / "test" / "gcd_prefill.def")
    lib = read_liberty(liberty_path())
    return sorted({m for m in d.components.masters if m in lib.cells and 0 < len(_inputs(lib.cells[m])) <= MAX_INPUTS})


def _inputs(cell) -> list[str]:
    return [p.name for p in cell.pins.values() if p.direction == "input"]


def output_ports(cells: list[str]) -> dict[str, tuple[str, ...]]:
    lib = read_liberty(liberty_path())
    return {c: tuple(p.name for p in lib.cells[c].pins.values() if p.direction in ("output", "inout"))
            for c in cells}


def build(cells: list[str], pairs=PAIRS, spice: sky130.Sky130Spice | None = None):
    """LeakageLut of ``cells`` at ss, -40 C (see the module doc). Flip-flops (bistable:
    a hard operating point) get their own decks, the other cells decks of at most
    600 copies."""
    sp = spice or sky130.extract()
    models, nets = sp.lean(cells)
    lib = read_liberty(liberty_path())
    seq = [c for c in cells if lib.cells[c].sequential is not None]
    lut = None
    for group in ([c for c in cells if c not in seq], seq):
        if not group:
            continue
        part = characterise([nets[c] for c in group], models, group, pairs=list(pairs), flavour=FLAVOUR,
                            temp=sky130.SS_TEMP, outputs=output_ports(group), gmin=GMIN,
                            technology="sky130_fd_sc_hd", max_instances=600)
        if lut is None:
            lut = part
        else:
            lut.merge(part)
    return lut


def _header() -> str:
    return (f"sky130_fd_sc_hd intra-tile leakage k: finevh lutchar (ngspice), ss model cards (charlib's lean "
            f"file, flattened netlists), -40 C, gmin {GMIN:g} S\nregenerate: PYTHONPATH=flow python3 libs/sky130/make_luts.py")


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else HERE / "sky130_hd_itl.lut"
    cells = sample_cells()
    w0 = time.time()
    lut = None
    for pair in PAIRS:                 # the file grows pair by pair
        part = build(cells, pairs=[pair])
        if lut is None:
            lut = part
        else:
            lut.merge(part)
        write_lut(out, lut, header=_header())
        print(f"make_luts: pair {pair[0]}/{pair[1]} V done ({time.time() - w0:.1f} s wall)", file=sys.stderr)
    print(f"make_luts: {len(cells)} cells x {len(PAIRS)} pairs -> {out} "
          f"({time.time() - w0:.1f} s wall)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
