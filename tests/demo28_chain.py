"""The demo28 instance of tests/crossing_chain.py: 6 single-stage inverting cells with
5 supply crossings (VddH, VddL, H, L, H, L), the demo28 Liberty at VddH / VddL and the
cells in ngspice through the device model (finevh.tech.demo28_spice). Used by
tests/test_demo28_crossing.py; run directly to print the numbers for docs/tech.md:

    PYTHONPATH=flow python3 tests/demo28_chain.py [VDDL VDDH]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from crossing_chain import ChainTech, Stage, crossings, validate  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
LIBS = REPO / "libs" / "demo28"
TABLES = LIBS / "demo28_crossing.txt"
#: the port drives stage 0; every stage inverts (output rise <- input rise)
STAGES = (Stage("INV_X1", "A", supply="H"), Stage("NAND2_X1", "A", ("B",), supply="L"),
          Stage("NOR2_X1", "B", zeros=("A",), supply="H"), Stage("AOI21_X1", "B", zeros=("A1",), supply="L"),
          Stage("OAI21_X1", "A1", ("B",), ("A2",), supply="H"), Stage("INV_X1", "A", supply="L"))


def tech(vddl: float, vddh: float) -> ChainTech:
    from finevh.tech import device as dv

    # input slew and load in the middle of the demo28 axes at these supplies
    return ChainTech(out_of={s.cell: "Y" for s in STAGES}, power=("VDD",), ground=("VSS",), vddl=vddl, vddh=vddh,
                     in_slew=0.05, load=0.004, temp=dv.TEMPERATURE_C, t_stop=12.0)


def library(v: float) -> str:
    from finevh.tech.liberty_writer import library_name

    return str(LIBS / (library_name(v, "PB0") + ".lib"))


def run(tables, vddl: float, vddh: float, tmp: Path):
    from finevh.tech import demo28_spice

    models, nets = tmp / "demo28_models.sp", tmp / "demo28_cells_pb0.sp"
    models.write_text(demo28_spice.models_text(("PB0",)))
    nets.write_text(demo28_spice.cells_text("PB0", {s.cell for s in STAGES}))
    return validate(tech(vddl, vddh), STAGES, library(vddh), library(vddl), tables, models,
                    {s.cell: nets for s in STAGES}, tmp)


def main(argv: list[str]) -> int:
    from finevh.tech.crossing import read_crossing

    vl, vh = (float(argv[0]), float(argv[1])) if len(argv) == 2 else (0.60, 0.80)
    with tempfile.TemporaryDirectory() as d:
        v = run(read_crossing(TABLES).arcs("PB0", vl, vh), vl, vh, Path(d))
    print(f"demo28, PB0, VddL {vl:.2f} V / VddH {vh:.2f} V")
    print("\n".join(v.lines(len(STAGES), crossings(STAGES))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
