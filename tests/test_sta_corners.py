"""``finevh sta --corner``: several operating corners (OpenSTA 3.x's scenes) in one
run, checked endpoint by endpoint against OpenSTA 3.1 on its own multi-corner example
as shipped (examples/multi_corner.tcl: example1.v with the Nangate45 slow / typical /
fast libraries, +/- 10 % timing derates)."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import tarfile

import pytest

from conftest import SHARED, STA3, need, no_id

import opensta

ARCHIVE = SHARED / "vendor/opensta/opensta-737b52f.tar.gz"
CORNERS = {"ss": "slow", "tt": "typ", "ff": "fast"}
LIBNAMES = {"ss": "NangateOpenCellLibrary_slow", "tt": "NangateOpenCellLibrary", "ff": "NangateOpenCellLibrary_fast"}
# examples/multi_corner.tcl's constraints as shipped: +/- 10 % derating, one clock on three pins
SDC = ("set_timing_derate -early 0.9\nset_timing_derate -late 1.1\n"
       "create_clock -name clk -period 10 {clk1 clk2 clk3}\nset_input_delay -clock clk 0 {in1 in2}\n")
REPORT = "-format end -group_path_count 1000 -endpoint_path_count 1 -digits 6"


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """OpenSTA's example1 netlist, its three Nangate45 libraries (plain text) and the
    example's clock and input delays."""
    need(ARCHIVE.is_file(), str(ARCHIVE))
    w = tmp_path_factory.mktemp("corners")
    names = ["OpenSTA/examples/example1.v"] + [f"OpenSTA/examples/nangate45_{c}.lib.gz" for c in CORNERS.values()]
    with tarfile.open(ARCHIVE) as tf:
        for m in names:
            tf.extract(m, w, filter="data")
    ex = w / "OpenSTA/examples"
    libs = {}
    for corner, c in CORNERS.items():
        libs[corner] = w / f"nangate45_{c}.lib"
        libs[corner].write_bytes(gzip.decompress((ex / f"nangate45_{c}.lib.gz").read_bytes()))
    (w / "mc.sdc").write_text(SDC)
    return w, ex / "example1.v", libs


def _reference(w, verilog, libs) -> dict:
    """OpenSTA 3.1 with the three libraries and one scene each: per scene, every
    endpoint's setup and hold slack; and the report over all scenes."""
    need(STA3.exists(), f"OpenSTA 3.x at {STA3}")
    lines = [f"read_liberty {libs[c]}" for c in CORNERS]
    lines += [f"read_verilog {verilog}", "link_design top", f"read_sdc {w / 'mc.sdc'}"]
    lines += [f"define_scene {c} -liberty {LIBNAMES[c]}" for c in CORNERS]
    for scene in [*CORNERS, "all"]:
        sel = "" if scene == "all" else f"-scene {scene}"
        lines += [f'puts "=== {scene} max"', f"report_checks {sel} -path_delay max {REPORT}",
                  f'puts "=== {scene} min"', f"report_checks {sel} -path_delay min {REPORT}"]
    tcl = w / "mc.tcl"
    tcl.write_text("\n".join(lines) + "\n")
    r = subprocess.run([str(STA3), "-no_init", "-exit", str(tcl)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    out = {}
    for head, body in zip(*[iter(re.split(r"^=== (\S+ \S+)$", r.stdout, flags=re.M)[1:])] * 2):
        out[head] = {k: e.slack for k, e in opensta.parse_endpoint_slacks(body).items()}
    return out


def test_corners_match_opensta_scenes(example, run_cli):
    w, v, libs = example
    ref = _reference(w, v, libs)
    args = [a for c in CORNERS for a in ("--corner", f"{c}={libs[c]}")]
    code, out, err = run_cli("-q", "sta", *args, "--verilog", v, "--sdc", w / "mc.sdc", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert [c["corner"] for c in doc["corners"]] == list(CORNERS)
    for c in doc["corners"]:
        for kind, key in (("max", "endpoints"), ("min", "hold_endpoints")):
            mine = {e["pin"]: e["slack_ns"] for e in c[key]}
            theirs = ref[f"{c['corner']} {kind}"]
            assert set(mine) == set(theirs) and len(mine) == 3
            assert max(abs(mine[k] - theirs[k]) for k in mine) <= 1e-6, (c["corner"], kind, mine, theirs)
    # over all corners: each endpoint's worst slack, and the corner it comes from
    for kind, key in (("max", "endpoints"), ("min", "hold_endpoints")):
        mine = {e["pin"]: e["slack_ns"] for e in doc[key]}
        theirs = ref[f"all {kind}"]
        assert set(mine) == set(theirs) and max(abs(mine[k] - theirs[k]) for k in mine) <= 1e-6
    assert all(e["corner"] == "ss" for e in doc["endpoints"])      # slow corner limits setup
    assert doc["hold_wns_corner"] == "ss" and doc["hold_wns_ns"] < 0
    # the corners differ: the slow library's r3/D setup slack is the smallest
    r3 = {c["corner"]: next(e["slack_ns"] for e in c["endpoints"] if e["pin"] == "r3/D") for c in doc["corners"]}
    assert r3["ss"] < r3["tt"] < r3["ff"]
    # text report: one section per corner, then the worst over them
    code, text, err = run_cli("-q", "sta", *args, "--verilog", v, "--sdc", w / "mc.sdc")
    assert code == 0, err
    assert [ln for ln in text.splitlines() if ln.startswith("Corner: ")] == [f"Corner: {c}" for c in CORNERS]
    assert re.search(r"^worst setup \S+ r3/D \(corner ss\)$", text, re.M), text[-400:]


def test_corner_bad_input(example, run_cli, tmp_path):
    w, v, libs = example
    base = ["-q", "sta", "--verilog", v, "--sdc", w / "mc.sdc"]
    for args, msg in ((["--corner", "ss"], "--corner expects NAME=LIB"),
                      (["--corner", f"ss={libs['ss']}", "--corner", f"ss={libs['tt']}"], "corner 'ss' given twice"),
                      (["--corner", f"ss={tmp_path / 'none.lib'}"], "none.lib: corner 'ss': no such file"),
                      (["--corner", f"a;b={libs['ss']}"], "--corner expects NAME=LIB")):
        code, _, err = run_cli(*base, *args)
        assert code == 2 and msg in no_id(err) and err.count("\n") == 1, (args, err)
    code, _, err = run_cli(*base, "--liberty", libs["ss"], "--corner", f"ss={libs['ss']}")
    assert code == 2 and "give --liberty or --corner" in err
    code, _, err = run_cli(*base)
    assert code == 2 and "give --liberty or --corner" in err


def test_corner_from_the_opensta_shell(example, run_cli, repo):
    """`finevh::report_checks -corner {...}` inside OpenSTA 3.1: netlist and constraints
    come from the shell, the libraries from -corner (not the shell's)."""
    need(STA3.exists(), f"OpenSTA 3.x at {STA3}")
    w, v, libs = example
    corners = " ".join(f"{c} {{{libs[c]}}}" for c in CORNERS)
    tcl = w / "shell.tcl"
    tcl.write_text(f"source {{{repo / 'tcl/finevh.tcl'}}}\n"
                   + "".join(f"read_liberty {{{libs[c]}}}\n" for c in CORNERS)
                   + f"read_verilog {{{v}}}\nlink_design top\nread_sdc {{{w / 'mc.sdc'}}}\n"
                   f"set d [finevh::report_checks -dict -corner [list {corners}]]\n"
                   "puts \"W [dict get $d hold_wns_ns] [dict get $d hold_wns_corner]\"\n"
                   "foreach e [dict get $d endpoints] { puts \"E [dict get $e pin] [dict get $e slack_ns] [dict get $e corner]\" }\n"
                   f"puts \"TNS [finevh::report_tns -corner [list {corners}]]\"\n")
    r = subprocess.run([str(STA3), "-no_init", "-exit", str(tcl)], capture_output=True, text=True, timeout=300, cwd=w)
    assert r.returncode == 0, r.stderr[-2000:]
    args = [a for c in CORNERS for a in ("--corner", f"{c}={libs[c]}")]
    code, out, err = run_cli("-q", "sta", *args, "--verilog", v, "--sdc", w / "mc.sdc", "--json")
    assert code == 0, err
    doc = json.loads(out)
    got = re.findall(r"^E (\S+) (\S+) (\S+)$", r.stdout, re.M)
    # the shell hands finevh its own write_sdc of the constraints: 1 fs of rounding
    assert [(p, c) for p, _, c in got] == [(e["pin"], e["corner"]) for e in doc["endpoints"]]
    assert [float(s) for _, s, _ in got] == pytest.approx([e["slack_ns"] for e in doc["endpoints"]], abs=2e-6)
    assert f"W {doc['hold_wns_ns']} ss" in r.stdout, r.stdout
    assert float(re.search(r"^TNS (\S+)$", r.stdout, re.M).group(1)) == pytest.approx(doc["tns_ns"], abs=2e-6)
