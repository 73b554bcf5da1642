"""DEF reader/writer round trip, Placement contract, malformed DEF."""

from __future__ import annotations

import numpy as np
import pytest

from finevh.errors import InputError
from finevh.layout import from_def, read_def, read_lef, to_def, write_def
from finevh.layout.defio import ST_FIXED, ST_PLACED, ST_UNPLACED, format_def, parse_def

# Written in the style OpenROAD writes after global/detailed placement.
SAMPLE = """VERSION 5.8 ;
DIVIDERCHAR "/" ;
BUSBITCHARS "[]" ;
DESIGN top ;
UNITS DISTANCE MICRONS 1000 ;
DIEAREA ( 0 0 ) ( 20000 10880 ) ;
ROW ROW_0 unithd 1000 2720 N DO 39 BY 1 STEP 460 0 ;
ROW ROW_1 unithd 1000 5440 FS DO 39 BY 1 STEP 460 0 ;
TRACKS X 230 DO 43 STEP 460 LAYER li1 ;
TRACKS Y 170 DO 32 STEP 340 LAYER li1 ;
# comment line
COMPONENTS 4 ;
    - u1 sky130_fd_sc_hd__inv_1 + PLACED ( 1000 2720 ) N ;
    - \\mem\\[3\\] sky130_fd_sc_hd__buf_2
      + SOURCE NETLIST + FIXED ( 2380 5440 ) FS ;
    - u2 sky130_fd_sc_hd__nand2_1 + UNPLACED ;
    - TAP_1 sky130_fd_sc_hd__tapvpwrvgnd_1 + FIXED ( 1000 5440 ) FS ;
END COMPONENTS
PINS 2 ;
    - a + NET a + DIRECTION INPUT + USE SIGNAL
      + PORT
        + LAYER met2 ( -70 -70 ) ( 70 70 )
        + PLACED ( 0 4000 ) N ;
    - y[0] + NET y[0] + DIRECTION OUTPUT + USE SIGNAL + LAYER met2 ( -70 -70 ) ( 70 70 ) + FIXED ( 20000 4000 ) N ;
END PINS
SPECIALNETS 1 ;
  - VPWR ( * VPWR ) + USE POWER ;
END SPECIALNETS
NETS 2 ;
    - a ( PIN a ) ( u1 A ) + USE SIGNAL ;
    - n1 ( u1 Y ) ( \\mem\\[3\\] A ) + ROUTED met1 ( 100 200 ) ( 300 * ) ;
END NETS
END DESIGN
"""


@pytest.fixture(scope="module")
def sky130_lef(shared_data):
    d = shared_data / "lef" / "sky130hd"
    return read_lef([d / "sky130_fd_sc_hd.tlef", d / "sky130_fd_sc_hd_merged.lef"])


def test_read(tmp_path):
    p = tmp_path / "a.def"
    p.write_text(SAMPLE)
    d = read_def(p)
    assert d.design == "top" and d.dbu == 1000 and d.diearea == [(0, 0), (20000, 10880)]
    assert [(r.name, r.y, r.orient, r.num_x, r.step_x) for r in d.rows] == [("ROW_0", 2720, "N", 39, 460), ("ROW_1", 5440, "FS", 39, 460)]
    assert len(d.tracks) == 2 and d.tracks[1].axis == "Y" and d.tracks[1].layers == ("li1",)
    c = d.components
    assert c.names == ["u1", "mem[3]", "u2", "TAP_1"]
    assert c.status.tolist() == [ST_PLACED, ST_FIXED, ST_UNPLACED, ST_FIXED]
    assert c.x.tolist()[:2] == [1000, 2380] and c.orient.tolist()[:2] == [0, 5]
    assert c.source[1] == "NETLIST" and c.line.tolist() == [13, 14, 16, 17]
    assert [(q.name, q.direction, q.x, q.y, q.rect) for q in d.pins] == [
        ("a", "INPUT", 0, 4000, (-70, -70, 70, 70)), ("y[0]", "OUTPUT", 20000, 4000, (-70, -70, 70, 70))]
    assert [(n.name, n.conns) for n in d.nets] == [("a", [("PIN", "a"), ("u1", "A")]), ("n1", [("u1", "Y"), ("mem[3]", "A")])]


def test_round_trip(tmp_path):
    d = parse_def(SAMPLE, "s.def")
    out = tmp_path / "o.def"
    write_def(out, d)
    d2 = read_def(out)
    assert d.same_as(d2)
    out2 = tmp_path / "o2.def"
    write_def(out2, d2)
    assert out.read_bytes() == out2.read_bytes()
    assert r"mem\[3\]" in out.read_text()


def test_polygon_diearea_and_dbu():
    t = SAMPLE.replace("DIEAREA ( 0 0 ) ( 20000 10880 ) ;", "DIEAREA ( 0 0 ) ( 0 10880 ) ( 20000 10880 ) ( 20000 0 ) ;")
    t = t.replace("MICRONS 1000", "MICRONS 2000")
    d = parse_def(t)
    assert len(d.diearea) == 4 and d.dbu == 2000
    assert d.die_bbox_um() == (0.0, 0.0, 10.0, 5.44)


def test_placement_contract(sky130_lef):
    d = parse_def(SAMPLE, "s.def")
    names = ["u2", "mem[3]", "u1"]
    cells = ["sky130_fd_sc_hd__nand2_1", "sky130_fd_sc_hd__buf_2", "sky130_fd_sc_hd__inv_1"]
    p = from_def(d, sky130_lef, names, cells)
    assert p.x.tolist() == [0.0, 2.38, 1.0] and p.y.tolist() == [0.0, 5.44, 2.72]
    assert p.width.tolist() == pytest.approx([1.38, 1.84, 1.38]) and p.height.tolist() == pytest.approx([2.72] * 3)
    assert p.fixed.tolist() == [False, True, False] and p.placed.tolist() == [False, True, True]
    assert p.site_width == pytest.approx(0.46) and p.site_height == pytest.approx(2.72)
    assert p.core == pytest.approx((1.0, 2.72, 1.0 + 39 * 0.46, 8.16))
    assert p.die == (0.0, 0.0, 20.0, 10.88)
    assert p.physical.names == ["TAP_1"]
    assert {io.name: (io.x, io.y) for io in p.io} == {"a": (0.0, 4.0), "y[0]": (20.0, 4.0)}
    d2 = to_def(p, names, cells)
    p2 = from_def(parse_def(format_def(d2), "t.def"), sky130_lef, names, cells)
    for a in ("x", "y", "orient", "width", "height", "fixed", "placed"):
        assert np.array_equal(getattr(p, a), getattr(p2, a)), a


def test_placement_mismatch(sky130_lef):
    d = parse_def(SAMPLE, "s.def")
    with pytest.raises(InputError, match="'u2'.*not an instance") as e:
        from_def(d, sky130_lef, ["u1", "mem[3]"], ["sky130_fd_sc_hd__inv_1", "sky130_fd_sc_hd__buf_2"])
    assert (e.value.path, e.value.line) == ("s.def", 16)
    with pytest.raises(InputError, match="no DEF component.*'extra'") as e:
        from_def(d, sky130_lef, ["u1", "mem[3]", "u2", "extra"], ["sky130_fd_sc_hd__inv_1"] * 4)
    assert e.value.line == 12


@pytest.mark.parametrize("old, new, line, msg", [
    ("UNITS DISTANCE MICRONS 1000", "UNITS DISTANCE MICRONS 1234", 5, "UNITS"),
    ("UNITS DISTANCE MICRONS 1000", "UNITS DISTANCE NANOMETERS 1000", 5, "UNITS"),
    ("+ PLACED ( 1000 2720 ) N ;", "+ PLACED ( 1000 2720 ) Q ;", 13, "orientation"),
    ("+ PLACED ( 1000 2720 ) N ;", "+ PLACED ( 10.5 2720 ) N ;", 13, "location"),
    ("END COMPONENTS", "END COMPONENT", 12, "not closed"),
    ("DIEAREA ( 0 0 ) ( 20000 10880 ) ;", "DIEAREA ( 0 0 ) ( 20000 ) ;", 6, "DIEAREA"),
    ("ROW ROW_1 unithd 1000 5440 FS DO 39 BY 1 STEP 460 0 ;", "ROW ROW_1 unithd 1000 5440 FS DO 39 1 ;", 8, "ROW"),
])
def test_malformed(tmp_path, old, new, line, msg):
    assert old in SAMPLE
    p = tmp_path / "bad.def"
    p.write_text(SAMPLE.replace(old, new))
    with pytest.raises(InputError, match=msg) as e:
        read_def(p)
    assert (e.value.path, e.value.line) == (str(p), line)


def test_count_mismatch_warns_and_reads_every_entry(capsys):
    """A section count that disagrees with its entries is a located warning, the entries
    win (OpenROAD's own src/gpl/test/design/nangate45/gcd/gcd.def declares 294 components
    and lists 549)."""
    d = parse_def(SAMPLE.replace("COMPONENTS 4 ;", "COMPONENTS 5 ;").replace("PINS 2 ;", "PINS 1 ;"), "c.def")
    assert len(d.components) == 4 and len(d.pins) == 2
    err = capsys.readouterr().err.splitlines()
    assert [e.split(" [")[0] for e in err] == [
        "finevh: warning: c.def:12: COMPONENTS declares 5 entries but lists 4: all 4 are read",
        "finevh: warning: c.def:19: PINS declares 1 entries but lists 2: all 2 are read"]
    assert "COMPONENTS 4 ;" in format_def(d) and "PINS 2 ;" in format_def(d)


def test_kept_sections_written_back_verbatim():
    """SPECIALNETS (not interpreted) comes back byte for byte, after PINS as in the input."""
    d = parse_def(SAMPLE, "s.def")
    assert [(k.keyword, k.text) for k in d.kept] == [
        ("SPECIALNETS", "SPECIALNETS 1 ;\n  - VPWR ( * VPWR ) + USE POWER ;\nEND SPECIALNETS")]
    text = format_def(d)
    assert text.index("END PINS") < text.index("SPECIALNETS 1 ;") < text.index("NETS 2 ;\n    - a")
    assert parse_def(text, "t.def").same_as(d)


def test_escaped_names_and_component_attributes_written_as_read():
    """An escaped net name (a\\[0\\], one name) and a bus bit (y[0]) read to the same kind of
    string but are written back as they were spelled; component attributes other than the
    placement (+ HALO, + REGION, + PROPERTY) and net attributes other than the wiring
    (+ NONDEFAULTRULE, + PROPERTY) come back too."""
    text = (SAMPLE.replace("- u1 sky130_fd_sc_hd__inv_1 + PLACED ( 1000 2720 ) N ;",
                           "- u1 sky130_fd_sc_hd__inv_1 + PLACED ( 1000 2720 ) N + HALO 10 0 10 0 + REGION r1 ;")
            .replace("- a ( PIN a ) ( u1 A ) + USE SIGNAL ;", "- a\\[0\\] ( PIN a ) ( u1 A ) + USE SIGNAL ;")
            .replace("- n1 ( u1 Y ) ( \\mem\\[3\\] A ) + ROUTED",
                     "- n1 ( u1 Y ) ( \\mem\\[3\\] A + SYNTHESIZED ) + NONDEFAULTRULE ndr2 + PROPERTY p \"a + b\" + ROUTED"))
    d = parse_def(text, "e.def")
    assert d.nets[0].name == "a[0]" and d.pins[1].name == "y[0]"
    assert d.comp_attrs == {"u1": "+ HALO 10 0 10 0 + REGION r1"}
    assert d.nets[1].conns == [("u1", "Y"), ("mem[3]", "A")]
    assert d.net_attrs == {"n1": '+ NONDEFAULTRULE ndr2 + PROPERTY p "a + b"'}
    out = format_def(d)
    assert "    - a\\[0\\] ( PIN a ) ( u1 A ) + USE SIGNAL ;\n" in out
    assert "    - y[0] + NET y[0] " in out and "\\mem\\[3\\]" in out
    assert "    - u1 sky130_fd_sc_hd__inv_1 + PLACED ( 1000 2720 ) N + HALO 10 0 10 0 + REGION r1 ;\n" in out
    assert '    - n1 ( u1 Y ) ( \\mem\\[3\\] A ) + NONDEFAULTRULE ndr2 + PROPERTY p "a + b" ;\n' in out
    assert parse_def(out, "o.def").same_as(d) and format_def(parse_def(out, "o.def")) == out


def test_missing_units_and_end(tmp_path):
    with pytest.raises(InputError, match="UNITS"):
        parse_def(SAMPLE.replace("UNITS DISTANCE MICRONS 1000 ;\n", ""), "x.def")
    with pytest.raises(InputError, match="END DESIGN"):
        parse_def(SAMPLE.replace("END DESIGN\n", ""), "x.def")


def test_write_is_atomic(tmp_path):
    d = parse_def(SAMPLE, "s.def")
    out = tmp_path / "keep.def"
    out.write_text("old")
    d.components.status = None   # breaks formatting half way
    with pytest.raises(Exception):
        write_def(out, d)
    assert out.read_text() == "old"
    assert [f.name for f in tmp_path.iterdir()] == ["keep.def"]


def test_read_qflow_graywolf_def(tmp_path, repo, require_tool):
    """A DEF written by a real flow: Debian qflow's GrayWolf placement + place2def.tcl
    (DEF 5.6, BUSBITCHARS "<>", decimal TRACKS starts, multi-line NETS) of the sample."""
    import collections
    import shutil
    import subprocess
    from pathlib import Path

    qflow = Path("/usr/lib/qflow")
    osu = Path("/usr/share/qflow/tech/osu018")
    yosys = require_tool("yosys")
    require_tool("tclsh")
    for f in (qflow / "bin/graywolf", qflow / "scripts/blif2cel.tcl", qflow / "scripts/place2def.tcl",
              osu / "osu018.par"):
        if not f.exists():
            require_tool(str(f))     # skips, or fails under FINEVH_REQUIRE_TOOLS=1
    lib, lef = osu / "osu018_stdcells.lib", osu / "osu018_stdcells.lef"
    v = repo / "designs/sample/sample_osu018.v"
    run = lambda *a: subprocess.run([str(x) for x in a], cwd=tmp_path, check=True, capture_output=True, timeout=300)
    run(yosys, "-q", "-p", f"read_liberty -lib {lib}; read_verilog {v}; hierarchy -top sample; write_blif -gates sample.blif")
    run("tclsh", qflow / "scripts/blif2cel.tcl", "--blif", "sample.blif", "--lef", lef, "--cel", "sample.cel")
    shutil.copy(osu / "osu018.par", tmp_path / "sample.par")
    run(qflow / "bin/graywolf", "-n", "sample")
    (tmp_path / "sample.cfg").write_text(f"read_lef {lef}\n")
    subprocess.run([str(qflow / "bin/qrouter"), "-i", "sample.info", "-c", "sample.cfg"], cwd=tmp_path,
                   capture_output=True, timeout=60)
    run("tclsh", qflow / "scripts/place2def.tcl", "sample", "FILL", "4")
    d = read_def(tmp_path / "sample.def")
    assert d.design == "sample" and d.dbu == 100 and d.bus_bit_chars == "<>"
    assert len(d.components) == 145 and (d.components.status == ST_PLACED).all()
    # the same cells as the netlist
    text = v.read_text()
    lefdb = read_lef(lef)
    want = collections.Counter(m for m in text.split() if m in lefdb.macros)
    assert collections.Counter(d.components.masters) == want
    assert {n.name for n in d.nets} >= {"clk", "en", "sat"} and len(d.nets) > 140
    assert all(len(n.conns) >= 1 for n in d.nets)
    assert d.tracks and d.tracks[1].axis == "X" and d.tracks[1].step == 80     # "TRACKS X -320.0 DO ..." read
    # every component sits on a 10 um row grid
    assert len(set(d.components.y.tolist())) <= 10 and all((y - d.components.y.min()) % 1000 == 0 for y in d.components.y.tolist())
