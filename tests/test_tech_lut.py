"""Intra-tile leakage LUTs: calibration, format round trip, errors, ngspice lutchar."""

from __future__ import annotations


import numpy as np
import pytest

from finevh.errors import InputError
from finevh.liberty.reader import read_liberty
from finevh.tech import device as dv
from finevh.tech.lut import DEMO_PAIRS, lut_text, model_lut, parse_lut, read_lut


@pytest.fixture(scope="module")
def luts(repo):
    return {f: read_lut(repo / "libs/demo28" / f"demo28_itl_{f.lower()}.lut") for f in dv.FLAVOURS}


def test_inverter_calibration_matches_thesis(luts):
    """PB0 inverter at 1.00 V driven from 0.90 V / 0.80 V: 5.2x / 22.1x (thesis §4.1.1)."""
    lut = luts["PB0"]
    k90 = lut.k("PB0", 0.90, 1.00, "INV_X1", "H", 1, 1)
    k80 = lut.k("PB0", 0.80, 1.00, "INV_X1", "H", 1, 1)
    assert k90 == pytest.approx(5.2, rel=0.05)
    assert k80 == pytest.approx(22.1, rel=0.05)
    # input at 0: the driver's supply does not show, k = 1
    assert lut.k("PB0", 0.80, 1.00, "INV_X1", "H", 0, 1) == 1.0
    # a high-Vdd driver into a low-Vdd cell turns the pMOS harder off: k < 1
    assert lut.k("PB0", 0.80, 1.00, "INV_X1", "L", 1, 1) < 0.5


def test_k_grows_with_the_gap_and_stacking_dampens_it(luts):
    lut = luts["PB0"]
    ks = [lut.k("PB0", vl, vh, "INV_X1", "H", 1, 1) for vl, vh in ((0.9, 1.0), (0.8, 1.0))]
    assert ks[0] < ks[1]
    assert lut.k("PB0", 0.7, 0.8, "INV_X1", "H", 1, 1) > 1.5
    # NOR2 with both inputs high: pMOS stack; one low-swing input leaks less than
    # both, and less than a single exposed pMOS (NOR2 pattern 01, pin B)
    nor = lut.cell("PB0", 0.8, 1.0, "NOR2_X1")
    one, both = nor.lookup("H", 0b11, 0b10), nor.lookup("H", 0b11, 0b11)
    single = nor.lookup("H", 0b01, 0b01)
    assert 1.0 < one < both < single * 1.01
    # every k of the H side >= 1, of the L side <= 1
    for f, l in luts.items():
        for (_f, _vl, _vh), cells in l.tables.items():
            for c in cells.values():
                assert np.all(c.k[0] >= 1.0 - 1e-9) and np.all(c.k[1] <= 1.0 + 1e-9)


def test_poly_bias_cuts_the_absolute_intra_tile_leakage(luts, repo):
    """L_i * k_i of an inverter driven from 0.80 V at 1.00 V falls PB0 > PB4 > PB10 > PB16."""
    vals = []
    for f in dv.FLAVOURS:
        lib = read_liberty(repo / "libs/demo28" / f"demo28_ss_125C_1p00v_{f.lower()}.lib")
        leak = {l.when: l.value for l in lib.cells["INV_X1"].leakage}["A"]
        vals.append(leak * luts[f].k(f, 0.8, 1.0, "INV_X1", "H", 1, 1))
    assert vals == sorted(vals, reverse=True) and vals[0] > 2 * vals[-1]


def test_luts_cover_every_logic_cell_and_pair(luts, repo):
    lib = read_liberty(repo / "libs/demo28/demo28_ss_125C_1p00v_pb0.lib")
    logic = {n for n, c in lib.cells.items() if c.input_pins() and n != "VDDMUX_X1"}
    for f, l in luts.items():
        assert l.version == 1 and l.technology == "demo28"
        assert l.pairs(f) == sorted((round(a, 4), round(b, 4)) for a, b in DEMO_PAIRS)
        for vl, vh in DEMO_PAIRS:
            cells = l.tables[(f, vl, vh)]
            assert set(cells) == logic
            for n, c in cells.items():
                assert list(c.pins) == [p.name for p in lib.cells[n].input_pins()]
                assert c.k.shape == (2, 2 ** len(c.pins), 2 ** len(c.pins))


def test_k_of_names_pins_and_odd_voltages_survive_a_round_trip():
    lut = model_lut(["PB0"], [(0.825, 1.0)])
    text = lut_text(lut)
    assert "pair 0.825 1.00" in text
    c = parse_lut(text).cell("PB0", 0.825, 1.0, "NAND2_X1")
    assert c.k_of("H", {"A": 1, "B": 1}, {"B"}) == c.lookup("H", 0b11, 0b01) > 1.0
    assert c.k_of("H", {"A": 1, "B": 0}, {"B"}) == 1.0


def test_round_trip_is_exact():
    lut = model_lut(["PB10"], [(0.8, 0.9)])
    text = lut_text(lut, "hello")
    again = parse_lut(text, "x.lut")
    assert lut_text(again, "hello") == text
    c0 = lut.cell("PB10", 0.8, 0.9, "AOI22_X1")
    c1 = again.cell("PB10", 0.8, 0.9, "AOI22_X1")
    assert np.allclose(c0.k, c1.k, rtol=1e-4)


GOOD = """# comment
finevh-itl-lut 1
technology t
flavour PB0
pair 0.80 1.00
cell INV A
H 0 1 1
H 1 1 22.1
L 0 1 1
L 1 1 0.3
"""


@pytest.mark.parametrize("bad, line, msg", [
    (GOOD.replace("finevh-itl-lut 1", "finevh-itl-lut 2"), 2, "unsupported version"),
    (GOOD.replace("finevh-itl-lut 1", "lut 1"), 2, "first record"),
    (GOOD.replace("pair 0.80 1.00", "pair 1.0 0.8"), 5, "VddL < VddH"),
    (GOOD.replace("H 1 1 22.1", "H 1 1 x"), 8, "numbers"),
    (GOOD.replace("H 1 1 22.1", "H 1 1"), 8, "2 values"),
    (GOOD.replace("H 1 1 22.1", "H 2 1 22.1"), 8, "not 1 bits"),
    (GOOD.replace("H 1 1 22.1", "H 1 2 22.1"), 8, "must be 1"),
    (GOOD.replace("H 1 1 22.1", "H 1 1 -3"), 8, "> 0"),
    (GOOD.replace("L 1 1 0.3\n", ""), 6, "missing row L 1"),
    (GOOD.replace("L 0 1 1", "H 0 1 1"), 9, "duplicate row"),
    (GOOD.replace("flavour PB0\n", ""), 4, "before any 'flavour'"),
    (GOOD + "bogus 1\n", 11, "unknown record"),
])
def test_malformed_lut_gives_file_and_line(tmp_path, bad, line, msg):
    p = tmp_path / "bad.lut"
    p.write_text(bad)
    with pytest.raises(InputError) as e:
        read_lut(p)
    assert e.value.path == str(p) and e.value.line == line
    assert msg in e.value.message


def test_good_lut_reads(tmp_path):
    p = tmp_path / "g.lut"
    p.write_text(GOOD)
    lut = read_lut(p)
    assert lut.k("PB0", 0.8, 1.0, "INV", "H", 1, 1) == 22.1
    assert lut.k("PB0", 0.8, 1.0, "INV", "L", 1, 1) == 0.3


# ---- ngspice ---------------------------------------------------------------------------

MODELS = """* level-3 MOSFETs with weak-inversion conduction (NFS), written for this test
.model nch nmos level=3 vto=0.35 kp=300u nfs=1.5e12 tox=3n
.model pch pmos level=3 vto=-0.35 kp=120u nfs=1.5e12 tox=3n
"""

CELLS = """* tiny cell library
.subckt INV A Y VDD VSS
MP Y A VDD VDD pch w=0.4u l=0.1u
MN Y A VSS VSS nch w=0.3u l=0.1u
.ends
.subckt NAND2 A B Y
+ VDD VSS
MPA Y A VDD VDD pch w=0.4u l=0.1u
MPB Y B VDD VDD pch w=0.4u l=0.1u
MNA Y A n1 VSS nch w=0.6u l=0.1u
MNB n1 B VSS VSS nch w=0.6u l=0.1u
.ends
"""


def test_lutchar_runs_ngspice_and_k_rises_with_the_gap(require_tool, run_cli, tmp_path):
    require_tool("ngspice")
    (tmp_path / "m.lib").write_text(MODELS)
    (tmp_path / "c.sp").write_text(CELLS)
    out = tmp_path / "x.lut"
    code, so, se = run_cli("lutchar", "--spice", tmp_path / "c.sp", "--models", tmp_path / "m.lib",
                           "--cells", "INV,NAND2", "--vdd", "1.0", "--vddl", "0.8,0.9", "--out", out)
    assert code == 0, se
    lut = read_lut(out)
    k9 = lut.k("PB0", 0.9, 1.0, "INV", "H", 1, 1)
    k8 = lut.k("PB0", 0.8, 1.0, "INV", "H", 1, 1)
    assert 1.5 < k9 < k8
    assert lut.k("PB0", 0.8, 1.0, "INV", "L", 1, 1) < 1.0
    nand = lut.cell("PB0", 0.8, 1.0, "NAND2")
    assert nand.pins == ("A", "B")
    # both inputs high: each pMOS exposed adds leakage; pattern 00 unaffected
    assert 1.0 < nand.lookup("H", 0b11, 0b10) < nand.lookup("H", 0b11, 0b11)
    assert nand.lookup("H", 0b00, 0b11) == 1.0


def test_lutchar_errors(require_tool, run_cli, tmp_path):
    require_tool("ngspice")
    (tmp_path / "m.lib").write_text(MODELS)
    (tmp_path / "c.sp").write_text(CELLS)
    out = tmp_path / "x.lut"
    code, _so, se = run_cli("lutchar", "--spice", tmp_path / "c.sp", "--models", tmp_path / "m.lib",
                            "--cells", "NOR9", "--vdd", "1.0", "--vddl", "0.8", "--out", out)
    assert code == 2 and "no .subckt NOR9" in se and not out.exists()
    code, _so, se = run_cli("lutchar", "--spice", tmp_path / "c.sp", "--models", tmp_path / "m.lib",
                            "--cells", "INV", "--vdd", "1.0", "--vddl", "1.2", "--out", out)
    assert code == 2 and "--vddl" in se and not out.exists()
    (tmp_path / "bad.lib").write_text(".model nch nmos level=3 vto=oops\n")
    code, _so, se = run_cli("lutchar", "--spice", tmp_path / "c.sp", "--models", tmp_path / "bad.lib",
                            "--cells", "INV", "--vdd", "1.0", "--vddl", "0.8", "--out", out)
    assert code == 2 and "ngspice" in se and not out.exists()


def test_lutchar_tcl_twin(require_tool, repo, tmp_path):
    import subprocess

    require_tool("ngspice")
    tclsh = require_tool("tclsh")
    (tmp_path / "m.lib").write_text(MODELS)
    (tmp_path / "c.sp").write_text(CELLS)
    script = tmp_path / "t.tcl"
    script.write_text(
        f"source {repo}/tcl/finevh.tcl\n"
        f"puts [finevh::characterize_leakage_lut -spice {tmp_path}/c.sp -models {tmp_path}/m.lib "
        f"-cells {{INV}} -vdd 1.0 -vddl {{0.9}} -out {tmp_path}/t.lut -flavour PB4]\n"
        "if {[catch {finevh::characterize_leakage_lut -bogus 1} msg]} { puts \"ERR: $msg\" }\n")
    r = subprocess.run([tclsh, str(script)], capture_output=True, text=True, timeout=120)
    assert "wrote 1 cell tables" in r.stdout, r.stdout + r.stderr
    assert "ERR: finevh::characterize_leakage_lut: unknown option -bogus" in r.stdout
    assert read_lut(tmp_path / "t.lut").k("PB4", 0.9, 1.0, "INV", "H", 1, 1) > 1.5
