"""Library sets: the sky130 HD voltage sweep, all 15 ASAP7 files (R/L/SL twins),
poly-bias style flavour rules, voltage overrides, twin checks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from finevh.errors import InputError
from finevh.liberty.libset import FlavourRule, LibrarySet, load_library_set
from finevh.liberty.reader import read_liberty

SKY_FILES = ["ss_n40C_1v28", "ss_n40C_1v40", "ss_n40C_1v76", "tt_025C_1v80"]


@pytest.fixture(scope="module", autouse=True)
def liberty_cache(tmp_path_factory):
    d = tmp_path_factory.getbasetemp() / "finevh-liberty-cache"  # shared with test_liberty.py
    d.mkdir(exist_ok=True)
    old = os.environ.get("FINEVH_CACHE")
    os.environ["FINEVH_CACHE"] = str(d)
    yield d
    if old is None:
        os.environ.pop("FINEVH_CACHE", None)
    else:
        os.environ["FINEVH_CACHE"] = old


@pytest.fixture(scope="module")
def sky_paths(shared_data):
    return [shared_data / f"liberty/sky130_fd_sc_hd/sky130_fd_sc_hd__{c}.lib.gz" for c in SKY_FILES]


@pytest.fixture(scope="module")
def sky_set(sky_paths):
    # given order: tt 1.80 first, to check that order is kept and find_cell follows it
    return load_library_set([sky_paths[3], sky_paths[0], sky_paths[1], sky_paths[2]])


@pytest.fixture(scope="module")
def asap7_set(shared_data):
    paths = sorted((shared_data / "liberty/asap7").glob("*.lib.gz"))
    assert len(paths) == 15
    return load_library_set(paths, FlavourRule.asap7())


# --------------------------------------------------------------------------- sky130 sweep


def test_sky130_voltage_sweep(sky_set):
    s = sky_set
    assert [lib.name for lib in s.libraries] == [
        "sky130_fd_sc_hd__tt_025C_1v80",
        "sky130_fd_sc_hd__ss_n40C_1v28",
        "sky130_fd_sc_hd__ss_n40C_1v40",
        "sky130_fd_sc_hd__ss_n40C_1v76",
    ]
    assert s.voltages() == [1.28, 1.4, 1.76, 1.8]
    assert s.flavours() == []
    assert all(len(lib.cells) == 428 for lib in s.libraries)
    assert s.get(1.28).name == "sky130_fd_sc_hd__ss_n40C_1v28"
    assert s.get(1.2805).name == "sky130_fd_sc_hd__ss_n40C_1v28"  # within 1 mV
    with pytest.raises(InputError, match="missing corner"):
        s.get(1.282)
    with pytest.raises(InputError, match="missing corner"):
        s.get(1.8, "PB4")
    inv = s.find_cell("sky130_fd_sc_hd__inv_1")
    assert inv.library == "sky130_fd_sc_hd__tt_025C_1v80"  # first library given
    assert s.find_cell("no_such_cell") is None
    low = s.twin(inv, voltage=1.28)
    assert low.library == "sky130_fd_sc_hd__ss_n40C_1v28" and low.name == inv.name
    assert low.area == inv.area
    # physics sanity on real data: slower and less leaky at 1.28 V, ss, -40 C
    assert low.pins["Y"].timing[0].cell_rise.values[3, 3] > inv.pins["Y"].timing[0].cell_rise.values[3, 3]
    assert low.cell_leakage_power < inv.cell_leakage_power
    assert s.twin(low) is low
    with pytest.raises(InputError, match="no twin"):
        s.twin(inv, voltage=1.5)
    assert s.check_twins() == []
    assert s.rule is None  # no preset names these libraries


# --------------------------------------------------------------------------- ASAP7 flavours


def test_asap7_flavours_and_corners(asap7_set):
    s = asap7_set
    assert s.voltages() == [0.7]
    assert s.flavours() == ["SL", "L", "R"]
    by_fl = {}
    for lib in s.libraries:
        assert lib.voltage == 0.7
        assert lib.flavour == {"RVT": "R", "LVT": "L", "SLVT": "SL"}[lib.name.split("_")[2]]
        by_fl.setdefault(lib.flavour, []).append(lib)
    assert {f: len(v) for f, v in by_fl.items()} == {"L": 5, "R": 5, "SL": 5}
    for fl in ("SL", "L", "R"):
        corner = s.get(0.7, fl)
        assert len(corner.cells) == 202
        assert all(n.endswith("_" + fl) for n in corner.cells)
    assert s.get(0.7) is s.get(0.7, "R")  # rule default
    assert LibrarySet(s.libraries).rule == FlavourRule.asap7()  # recognised without a rule
    with pytest.raises(InputError, match="missing corner"):
        s.get(0.8, "R")


def test_asap7_twins_all_202(asap7_set):
    s = asap7_set
    rvt = s.get(0.7, "R")
    matched = 0
    for name, cell in rvt.cells.items():
        base = name[: -len("_R")]
        lvt = s.twin(cell, flavour="L")
        slvt = s.twin(cell, flavour="SL")
        assert (lvt.name, slvt.name) == (base + "_L", base + "_SL")
        assert s.twin(slvt, flavour="R") is cell
        assert s.split(lvt) == (base, "L")
        assert list(lvt.pins) == list(cell.pins) == list(slvt.pins)
        matched += 1
    assert matched == 202
    with pytest.raises(InputError, match="unknown flavour"):
        s.twin(rvt.cells["INVx1_ASAP7_75t_R"], flavour="XL")


def test_asap7_flavour_order_is_physical(asap7_set):
    """fast -> slow = SL, L, R: lower Vt is faster and leakier (real table values)."""
    s = asap7_set
    r = s.find_cell("INVx1_ASAP7_75t_R")
    cells = [s.twin(r, flavour=f) for f in s.flavours()]
    delay = [c.pins["Y"].timing[0].cell_rise.values[3, 3] for c in cells]
    leak = [c.cell_leakage_power for c in cells]
    assert delay[0] < delay[1] < delay[2]
    assert leak[0] > leak[1] > leak[2]
    assert r.cell_leakage_power == pytest.approx(51.15885e-6)  # pW -> uW, mean of 2 states


def test_asap7_check_twins_finds_the_icg_area_mismatch(asap7_set):
    """The upstream ASAP7 files disagree on 5 clock-gate areas: RVT says 0.69984 um^2
    (= LEF 2.592 x 0.27), LVT and SLVT say 0.70038. Everything else matches."""
    problems = asap7_set.check_twins()
    assert len(problems) == 5, problems
    for p in problems:
        assert p.startswith("ICGx") and "area 0.69984 != 0.70038" in p
    assert asap7_set.check_twins(rel_tol=1e-3) == []


# --------------------------------------------------------------------------- rules

TINY = """library ({name}) {{
  time_unit : "1ns";
  capacitive_load_unit (1, pf);
  voltage_unit : "1V";
  {nom}
  voltage_map (VDD, {vdd});
  voltage_map (VSS, 0);
{cells}
}}
"""

CELL = """  cell ({cell}) {{
    area : {area};
    cell_footprint : inv;
    pg_pin (VDD) {{ pg_type : primary_power; voltage_name : VDD; }}
    pg_pin (VSS) {{ pg_type : primary_ground; voltage_name : VSS; }}
    pin (A) {{ direction : {adir}; capacitance : 0.001; }}
    pin (Y) {{ direction : output; function : "!A"; }}
  }}
"""


def _lib(tmp_path, fname, name, cells, vdd=1.0, nom=True, area=1.0, adir="input"):
    text = TINY.format(
        name=name,
        nom=f"nom_voltage : {vdd};" if nom else "",
        vdd=vdd,
        cells="".join(CELL.format(cell=c, area=area, adir=adir) for c in cells),
    )
    p = tmp_path / fname
    p.write_text(text)
    return p


def test_polybias_library_level_flavours(tmp_path):
    paths = [
        _lib(tmp_path, f"demo_{fl}_{v}.lib", f"demo_{fl}_{str(v).replace('.', 'p')}", ["INV", "NAND"], vdd=v)
        for v in (0.8, 1.0)
        for fl in ("PB16", "PB0", "PB10", "PB4")
    ]
    s = load_library_set(paths, FlavourRule.polybias())
    assert s.voltages() == [0.8, 1.0]
    assert s.flavours() == ["PB0", "PB4", "PB10", "PB16"]
    assert [lib.flavour for lib in s.libraries[:4]] == ["PB16", "PB0", "PB10", "PB4"]
    inv = s.find_cell("INV")
    assert inv.library == "demo_PB16_0p8"  # first given
    t = s.twin(inv, voltage=1.0, flavour="PB4")
    assert t.name == "INV" and t.library == "demo_PB4_1p0"
    assert s.get(1.0).name == "demo_PB0_1p0"  # default PB0
    assert s.get(0.8, "PB10").name == "demo_PB10_0p8"
    assert s.check_twins() == []
    auto = load_library_set(paths)  # no rule given: the poly-bias preset is recognised
    assert auto.rule == FlavourRule.polybias() and auto.flavours() == ["PB0", "PB4", "PB10", "PB16"]


def test_polybias_suffix_flavours_in_one_library(tmp_path):
    p = _lib(tmp_path, "mixed.lib", "mixed", ["INV_PB0", "INV_PB4", "INV_PB10", "INV_PB16", "NAND_PB0", "NAND_PB16"])
    s = load_library_set([p], FlavourRule.polybias())
    assert s.libraries[0].flavour is None  # mixed: the flavour is per cell
    assert s.flavours() == ["PB0", "PB4", "PB10", "PB16"]
    inv = s.find_cell("INV_PB0")
    assert s.twin(inv, flavour="PB10").name == "INV_PB10"
    assert s.split(s.find_cell("INV_PB16")) == ("INV", "PB16")
    with pytest.raises(InputError, match="no twin of cell 'NAND_PB0'"):
        s.twin(s.find_cell("NAND_PB0"), flavour="PB4")
    # corners are per cell here: NAND lacks PB4 and PB10
    assert s.check_twins() == ["NAND: no twin in corner 1 V/PB4", "NAND: no twin in corner 1 V/PB10"]


def test_check_twins_reports_area_pin_and_missing(tmp_path):
    a = _lib(tmp_path, "a_PB0.lib", "a_PB0", ["INV", "BUF"])
    b = _lib(tmp_path, "b_PB4.lib", "b_PB4", ["INV"], area=1.5, adir="inout")
    s = load_library_set([a, b], FlavourRule.polybias())
    probs = s.check_twins()
    assert any("INV" in p and "area 1.5 != 1" in p for p in probs), probs
    assert any("INV" in p and "pins" in p and "inout" in p for p in probs), probs
    assert any(p == "BUF: no twin in corner 1 V/PB4" for p in probs), probs
    assert len(probs) == 3


def test_voltage_from_voltage_map_and_override(tmp_path):
    p = _lib(tmp_path, "nonom.lib", "nonom", ["INV"], vdd=0.9, nom=False)
    lib = read_liberty(p)
    assert lib.nom_voltage is None
    s = LibrarySet([lib])
    assert lib.voltage == 0.9  # primary_power pg_pin VDD -> voltage_map VDD
    q = _lib(tmp_path, "q.lib", "q", ["INV"], vdd=1.1)
    s = load_library_set([p, q], voltages={"q.lib": 0.95, "nonom": 0.85})
    assert s.voltages() == [0.85, 0.95]
    assert s.get(0.95).name == "q" and s.get(0.85).name == "nonom"


def test_flavour_rule_parse():
    r = FlavourRule.parse("suffix:_SL,_L,_R")
    assert r.flavours == ("SL", "L", "R") and r.suffixes == ("_SL", "_L", "_R")
    assert r.split("INVx1_ASAP7_75t_SL") == ("INVx1_ASAP7_75t", "SL")
    assert r.split("INVx1_ASAP7_75t_L") == ("INVx1_ASAP7_75t", "L")
    assert r.split("FOO") == ("FOO", None)
    assert r.cell_name("X", "L") == "X_L"
    assert FlavourRule.parse("asap7") == FlavourRule.asap7()
    assert FlavourRule.parse("polybias;default=PB4").default == "PB4"
    lr = FlavourRule.parse("library:FAST=ff,SLOW=ss")
    assert lr.flavours == ("FAST", "SLOW") and lr.library_tokens == ("ff", "ss")
    assert FlavourRule.parse("suffix:HVT=_hvt,LVT=_lvt").split("inv_lvt") == ("inv", "LVT")
    for bad in ("prefix:_A", "suffix:", "suffix:_A,_A", "asap7;default=Q"):
        with pytest.raises(InputError):
            FlavourRule.parse(bad)
    pb = FlavourRule.polybias()
    assert pb.split("NAND2_PB10") == ("NAND2", "PB10")  # not PB0 + '1'
    assert pb.library_flavour(type("L", (), {"name": "demo_pb10_ss", "path": Path("x.lib")})()) == "PB10"
