"""The sky130 HD instance of tests/crossing_chain.py: 6 cells, 5 supply crossings, the
shipped ss -40 C Liberty at 1.40 / 1.76 V and SkyWater's netlists and models. Used by
tests/test_sky130_crossing.py; run directly to print the numbers for docs/tech.md:

    PYTHONPATH=flow FINEVH_SHARED=/work/shared python3 tests/sky130_chain.py [--shifter-load cell] CROSSING_FILE
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from crossing_chain import ChainTech, Stage, crossings, validate  # noqa: E402

P = "sky130_fd_sc_hd__"
#: the port drives stage 0; an even number of inverting stages (output rise <- input rise)
STAGES = (Stage(P + "inv_1", "A", supply="H"), Stage(P + "nand2_1", "A", ("B",), supply="L"),
          Stage(P + "nor2_1", "A", zeros=("B",), supply="H"), Stage(P + "inv_1", "A", supply="L"),
          Stage(P + "nand2_1", "B", ("A",), supply="H"), Stage(P + "inv_1", "A", supply="L"))
VDDL, VDDH = 1.40, 1.76


def tech() -> ChainTech:
    from finevh.tech import sky130

    return ChainTech(out_of={s.cell: "Y" for s in STAGES}, power=("VPWR", "VPB"), ground=("VGND", "VNB"),
                     vddl=VDDL, vddh=VDDH, in_slew=0.1, load=0.005, temp=sky130.SS_TEMP,
                     section=sky130.SS_SECTION)


def libraries(shared: Path) -> tuple[str, str]:
    L = shared / "liberty" / "sky130_fd_sc_hd"
    return str(L / f"{P}ss_n40C_1v76.lib.gz"), str(L / f"{P}ss_n40C_1v40.lib.gz")


def run(tables, tmp: Path, shifter_load: str = "liberty"):
    from finevh.tech import sky130

    sp = sky130.extract()
    lh, ll = libraries(sky130.shared_dir().parent)
    nets = {s.cell: sp.netlist(s.cell) for s in STAGES}
    return validate(tech(), STAGES, lh, ll, tables, sp.models, nets, tmp, shifter_load)


def main(argv: list[str]) -> int:
    from finevh.tech.crossing import read_crossing

    load = "liberty"
    if argv[:1] == ["--shifter-load"]:
        load, argv = argv[1], argv[2:]
    with tempfile.TemporaryDirectory() as d:
        v = run(read_crossing(argv[0]).arcs(None, VDDL, VDDH), Path(d), load)
    print("\n".join(v.lines(len(STAGES), crossings(STAGES))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
