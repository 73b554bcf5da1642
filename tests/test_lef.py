"""LEF reader on every real LEF in ../shared/data and osu018, plus malformed input."""

from __future__ import annotations

from pathlib import Path

import pytest

from finevh.errors import InputError
from finevh.layout.lef import parse_lef, read_lef

OSU018 = Path("/usr/share/qflow/tech/osu018/osu018_stdcells.lef")


def test_sky130hd(shared_data):
    d = shared_data / "lef" / "sky130hd"
    lef = read_lef([d / "sky130_fd_sc_hd.tlef", d / "sky130_fd_sc_hd_merged.lef"])
    assert lef.dbu_per_micron == 1000
    assert lef.manufacturing_grid == pytest.approx(0.005)
    assert len(lef.macros) == 441
    site = lef.sites["unithd"]
    assert (site.width, site.height, site.cls, site.symmetry) == (0.46, 2.72, "CORE", ("Y",))
    assert lef.core_site() is site
    assert lef.sites["unithddbl"].height == pytest.approx(5.44)
    met1 = lef.layers["met1"]
    assert (met1.type, met1.direction, met1.pitch, met1.width) == ("ROUTING", "HORIZONTAL", (0.34, 0.34), 0.14)
    assert met1.spacing == pytest.approx(0.14)           # from SPACINGTABLE
    assert lef.layers["li1"].pitch == (0.46, 0.34)
    assert lef.layers["mcon"].type == "CUT" and lef.layers["mcon"].spacing == pytest.approx(0.19)
    inv = lef.macro("sky130_fd_sc_hd__inv_1")
    assert (inv.cls, inv.width, inv.height, inv.site) == ("CORE", 1.38, 2.72, "unithd")
    assert inv.pins["A"].direction == "INPUT" and inv.pins["Y"].direction == "OUTPUT"
    assert inv.pins["VPWR"].use == "POWER" and inv.pins["VGND"].use == "GROUND"
    assert inv.pins["A"].bbox() is not None
    classes = {(m.cls, m.subclass) for m in lef.macros.values()}
    assert ("CORE", "SPACER") in classes and ("CORE", "WELLTAP") in classes and ("BLOCK", None) in classes
    assert lef.macro("sky130_fd_sc_hd__fill_1").is_filler
    # every CORE macro is a whole number of sites wide
    for m in lef.macros.values():
        if m.cls == "CORE" and m.site == "unithd":
            assert abs(m.width / 0.46 - round(m.width / 0.46)) < 1e-6, m.name
    with pytest.raises(InputError, match="not defined"):
        lef.macro("nope")


def test_asap7_all_flavours(shared_data):
    d = shared_data / "lef" / "asap7"
    cells = sorted(d.glob("asap7sc7p5t_28_*_1x_220121a.lef"))
    assert len(cells) == 3
    lef = read_lef([d / "asap7_tech_1x_201209.lef", *cells])
    assert len(lef.macros) == 3 * 212
    assert lef.sites["asap7sc7p5t"].width == pytest.approx(0.054)
    assert lef.sites["asap7sc7p5t"].height == pytest.approx(0.27)
    m2 = lef.layers["M2"]
    assert m2.direction == "HORIZONTAL" and m2.pitch == (0.045, 0.036) and m2.spacing == pytest.approx(0.018)
    # twins share footprints
    for name, m in lef.macros.items():
        if name.endswith("_R"):
            for suf in ("_L", "_SL"):
                t = lef.macros[name[:-2] + suf]
                assert (t.width, t.height) == (m.width, m.height)
                assert set(t.pins) == set(m.pins)
    assert lef.macros["INVx1_ASAP7_75t_R"].pins["Y"].direction == "OUTPUT"


def test_osu018(require_file):
    require_file(OSU018)  # Debian qflow-tech-osu018, installed by scripts/setup.sh
    lef = read_lef(OSU018)
    assert len(lef.macros) == 33
    assert lef.sites["core"].width == pytest.approx(0.8) and lef.sites["core"].height == pytest.approx(10.0)
    assert lef.macros["BUFX2"].width == pytest.approx(2.4)
    assert lef.layers["metal1"].spacing == pytest.approx(0.3)
    assert lef.manufacturing_grid == pytest.approx(0.05)


GOOD = """VERSION 5.8 ;
UNITS
  DATABASE MICRONS 2000 ;
END UNITS
SITE s1
  CLASS CORE ;
  SIZE 0.2 BY 1.8 ;
END s1
LAYER m1
  TYPE ROUTING ;
  DIRECTION HORIZONTAL ;
  PITCH 0.2 ;
  WIDTH 0.1 ;
  SPACING 0.12 ;
  SPACING 0.3 RANGE 1 10 ;
END m1
MACRO INV
  CLASS CORE ;
  ORIGIN 0 0 ;
  SIZE 0.6 BY 1.8 ;
  SITE s1 ;
  PIN A
    DIRECTION INPUT ;
    PORT
      LAYER m1 ;
        RECT 0.1 0.5 0.2 0.9 ;
        POLYGON 0.3 0.5 0.4 0.5 0.4 1.0 ;
    END
  END A
END INV
END LIBRARY
"""


def test_small_text():
    lef = parse_lef(GOOD, "x.lef")
    assert lef.dbu_per_micron == 2000
    assert lef.layers["m1"].spacing == pytest.approx(0.12)
    assert lef.macros["INV"].pins["A"].bbox() == (0.1, 0.5, 0.4, 1.0)


@pytest.mark.parametrize("bad, line, msg", [
    (GOOD.replace("SIZE 0.6 BY 1.8 ;", "SIZE 0.6 1.8 ;"), 20, "SIZE"),
    (GOOD.replace("  END A\n", "  END B\n"), 29, "END A"),
    (GOOD.replace("DATABASE MICRONS 2000", "DATABASE MICRONS abc"), 3, "number"),
    (GOOD.replace("SITE s1 ;", "SITE s1"), 21, "missing ';'"),
    (GOOD.replace("RECT 0.1 0.5 0.2 0.9", "RECT 0.1 0.5 0.2"), 26, "RECT"),
    (GOOD[:GOOD.index("END INV")], 17, "not closed"),
])
def test_malformed(bad, line, msg, tmp_path):
    p = tmp_path / "bad.lef"
    p.write_text(bad)
    with pytest.raises(InputError, match=msg) as e:
        read_lef(p)
    assert e.value.path == str(p)
    assert e.value.line == line
