"""``finevh read`` on the bundled sample (numbers cross-checked with Yosys ``stat``),
JSON output, LEF/DEF/SDC options, bad input (exit 2, one line FILE:LINE, no traceback),
and the Tcl twin ``finevh::read_design`` in tclsh, OpenSTA's and Yosys' shells."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

OSU018 = "/usr/share/qflow/tech/osu018/osu018_stdcells.lib"
OSU018_LEF = "/usr/share/qflow/tech/osu018/osu018_stdcells.lef"
SAMPLE = "designs/sample/sample_osu018.v"


@pytest.fixture(scope="module")
def osu_lib(require_tool):
    if not Path(OSU018).is_file():
        require_tool("osu018 library (Debian qflow-tech-osu018) " + OSU018)
    return OSU018


def _yosys_stat(yosys, verilog, liberty, top):
    script = f"read_liberty -lib {liberty}; read_verilog {verilog}; hierarchy -top {top}; " \
             f"tee -o /dev/stdout stat -liberty {liberty}"
    out = subprocess.run([yosys, "-q", "-p", script], capture_output=True, text=True, check=True).stdout
    return int(re.findall(r"Number of cells:\s+(\d+)", out)[-1]), \
        float(re.findall(r"Chip area for module .*?:\s+([\d.]+)", out)[-1])


def test_sample_summary_matches_yosys(run_cli, repo, osu_lib, require_tool):
    yosys = require_tool("yosys")
    n, area = _yosys_stat(yosys, repo / SAMPLE, osu_lib, "sample")
    code, out, err = run_cli("read", "--liberty", osu_lib, "--verilog", repo / SAMPLE, "--json")
    assert code == 0, err
    s = json.loads(out)
    assert s["instances"] == n == 145
    assert s["area_um2"] == pytest.approx(area, rel=1e-9)
    assert s["top"] == "sample" and s["ports"] == 23 and s["inputs"] == 11 and s["outputs"] == 12
    assert s["sequential"] == 11  # 8 accumulator + 3 counter flip-flops
    assert s["nets"] == 156 and s["pins"] == 473
    assert s["libraries"] == [{"name": "osu018_stdcells", "path": osu_lib, "nominal_voltage": 1.8, "voltage": 1.8,
                               "flavour": None, "cells": 32, "used": True}]
    assert sum(c["count"] for c in s["top_cells"]) <= 145 and s["top_cells"][0]["count"] >= s["top_cells"][1]["count"]
    assert "read designs" not in out and "instances" in err  # progress on stderr only
    code, text, _ = run_cli("read", "--liberty", osu_lib, "--verilog", repo / SAMPLE)
    assert code == 0
    assert re.search(r"^instances\s+145$", text, re.M) and re.search(rf"^area\s+{area:.3f} um\^2$", text, re.M)
    assert re.search(r"^  osu018_stdcells\s+nominal 1.8 V", text, re.M)
    code, _, err = run_cli("--quiet", "read", "--liberty", osu_lib, "--verilog", repo / SAMPLE)
    assert code == 0 and err == ""
    code, text_q, err = run_cli("read", "--liberty", osu_lib, "--verilog", repo / SAMPLE, "--quiet")
    assert code == 0 and err == "" and text_q == text      # after the stage name too


def test_sample_netlist_is_what_yosys_makes(repo, osu_lib, require_tool, tmp_path, monkeypatch):
    """The shipped netlist is reproducible from the shipped RTL with the helper."""
    require_tool("yosys")
    monkeypatch.setenv("FINEVH_CACHE", str(tmp_path / "cache"))
    from finevh.synth.yosys import map_to_liberty

    out = map_to_liberty([repo / "designs/sample/sample.v"], osu_lib, "sample", tmp_path / "s.v",
                         buffer=("BUFX2", "A", "Y"))
    assert out.read_text() == (repo / SAMPLE).read_text()


def test_sdc_lef_def(run_cli, repo, osu_lib, tmp_path):
    from finevh.netlist.verilog import read_verilog

    nl = read_verilog(repo / SAMPLE)
    # a DEF placing every instance in its own 4-site slot, 12 rows of 0.8 x 10 um sites
    comps = []
    for i, (name, c) in enumerate(zip(nl.inst_names, nl.inst_cell.tolist())):
        r, k = divmod(i, 13)
        comps.append(f"- {name} {nl.cell_names[c]} + PLACED ( {k * 8000} {r * 10000} ) "
                     f"{'N' if r % 2 == 0 else 'FS'} ;")
    rows = [f"ROW r{r} core 0 {r * 10000} {'N' if r % 2 == 0 else 'FS'} DO 130 BY 1 STEP 800 0 ;" for r in range(12)]
    d = tmp_path / "sample.def"
    d.write_text("VERSION 5.8 ;\nDIVIDERCHAR \"/\" ;\nBUSBITCHARS \"[]\" ;\nDESIGN sample ;\n"
                 "UNITS DISTANCE MICRONS 1000 ;\nDIEAREA ( 0 0 ) ( 104000 120000 ) ;\n" + "\n".join(rows) +
                 f"\nCOMPONENTS {len(comps)} ;\n" + "\n".join(comps) + "\nEND COMPONENTS\nEND DESIGN\n")
    code, out, err = run_cli("read", "--liberty", osu_lib, "--verilog", repo / SAMPLE, "--lef", OSU018_LEF,
                             "--def", d, "--sdc", repo / "designs/sample/sample.sdc", "--json")
    assert code == 0, err
    s = json.loads(out)
    assert s["lef"] == {"macros": 33, "missing_masters": []}  # 32 cells + FILL
    assert s["placement"]["placed"] == 145 and s["placement"]["rows"] == 12
    assert s["placement"]["die_area_um2"] == pytest.approx(104.0 * 120.0)
    assert s["placement"]["utilisation"] == pytest.approx(s["area_um2"] / (104.0 * 120.0))
    assert s["constraints"]["clocks"][0]["name"] == "clk" and s["constraints"]["clocks"][0]["period_ns"] == 5.0
    assert s["constraints"]["input_delays"] >= 1 and s["constraints"]["output_delays"] >= 1


def _bad_cases(repo, tmp_path):
    good = (repo / SAMPLE).read_text()
    lines = good.splitlines(keepends=True)
    k = next(i for i, ln in enumerate(lines) if re.match(r"\s+(NAND2X1|INVX1|OAI21X1)\s", ln))
    syntax = "".join(lines[:k + 1]) + lines[k + 1].replace("(", "", 1) + "".join(lines[k + 2:])
    cell = "".join(lines[:k]) + lines[k].replace(lines[k].split()[0], "NOSUCHCELL", 1) + "".join(lines[k + 1:])
    pin = "".join(lines[:k + 1]) + re.sub(r"\.([A-Z]+)\(", r".ZZ(", lines[k + 1], count=1) + "".join(lines[k + 2:])
    trunc = good[: len(good) // 2]
    cases = {}
    for name, text, line in [("syntax", syntax, k + 2), ("cell", cell, k + 1), ("pin", pin, k + 1),
                             ("trunc", trunc, None)]:
        p = tmp_path / f"{name}.v"
        p.write_text(text)
        cases[name] = (p, line)
    return cases


def test_unknown_cell_is_a_black_box_with_one_warning(repo, osu_lib, tmp_path):
    """A master in no library is a black box, as in OpenSTA (see tests/test_flow_netlists.py)."""
    v, line = _bad_cases(repo, tmp_path)["cell"]
    r = subprocess.run([sys.executable, "-m", "finevh", "read", "--liberty", osu_lib, "--verilog", str(v), "--json"],
                       capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert r.returncode == 0, r.stderr
    warns = [ln for ln in r.stderr.splitlines() if "warning" in ln]
    assert len(warns) == 1 and warns[0].startswith(f"finevh: warning: {v}:{line}: cell 'NOSUCHCELL' is in no library")


@pytest.mark.parametrize("case", ["syntax", "pin", "trunc", "missing", "missing_lib", "bad_lib"])
def test_bad_input_exit_2_one_line(case, repo, osu_lib, tmp_path):
    cases = _bad_cases(repo, tmp_path)
    lib = osu_lib
    if case == "missing":
        v, line = tmp_path / "nope.v", None
    elif case == "missing_lib":
        v, line, lib = repo / SAMPLE, None, str(tmp_path / "nope.lib")
    elif case == "bad_lib":
        bl = tmp_path / "bad.lib"
        bl.write_text(Path(osu_lib).read_text()[:5000])
        v, line, lib = repo / SAMPLE, None, str(bl)
    else:
        v, line = cases[case]
    out_json = tmp_path / "never.json"
    r = subprocess.run([sys.executable, "-m", "finevh", "read", "--liberty", lib, "--verilog", str(v), "--json"],
                       capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert r.returncode == 2, r.stderr
    errs = [ln for ln in r.stderr.splitlines() if not ln.startswith("finevh: read ")]
    assert len(errs) == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stdout == "" and not out_json.exists()
    msg = errs[0]
    bad_file = lib if case in ("missing_lib", "bad_lib") else str(v)
    assert msg.startswith(f"finevh: error: {bad_file}:"), msg
    if line is not None:
        assert msg.startswith(f"finevh: error: {v}:{line}: "), msg
    if case == "trunc":
        assert re.match(rf"finevh: error: {re.escape(str(v))}:\d+: .*(endmodule|;)", msg), msg
    if case == "bad_lib":
        assert re.match(rf"finevh: error: {re.escape(lib)}:\d+: ", msg), msg
    if case == "pin":
        assert "no pin 'ZZ'" in msg


def _tcl_script(repo, osu_lib, bad):
    return (f"source {{{repo / 'tcl' / 'finevh.tcl'}}}\n"
            f"set d [finevh::read_design_json -liberty {{{osu_lib}}} -verilog {{{repo / SAMPLE}}}]\n"
            "puts \"FINEVH [dict get $d instances] [dict get $d area_um2] [dict get $d top]\"\n"
            f"if {{[catch {{finevh::read_design -liberty {{{osu_lib}}} -verilog {{{bad}}}}} msg]}} "
            "{ puts \"ERR $msg\" }\n")


@pytest.mark.parametrize("shell", ["tclsh", "sta", "yosys"])
def test_tcl_twin(shell, repo, osu_lib, tmp_path, require_tool):
    exe = require_tool(shell)
    bad = _bad_cases(repo, tmp_path)["pin"]   # (an unknown cell is a black box, not an error)
    script = tmp_path / "t.tcl"
    script.write_text(_tcl_script(repo, osu_lib, bad[0]) + ("exit\n" if shell == "sta" else ""))
    env = {**os.environ, "FINEVH": f"{sys.executable} -m finevh"}
    cmd = {"tclsh": [exe, str(script)], "sta": [exe, str(script)], "yosys": [exe, "-q", "-c", str(script)]}[shell]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, stdin=subprocess.DEVNULL)
    out = r.stdout + r.stderr
    m = re.search(r"FINEVH (\d+) ([\d.]+) (\w+)", out)
    assert m, out
    assert (int(m.group(1)), m.group(3)) == (145, "sample") and float(m.group(2)) == pytest.approx(5626.0)
    assert re.search(rf"ERR finevh: error: {re.escape(str(bad[0]))}:{bad[1]}: cell '\w+' has no pin 'ZZ'", out), out


def test_primitive_map_and_decomposition_options(run_cli, shared_data):
    from finevh.netlist.cellmaps import SKY130_HD
    from finevh.netlist.verilog import read_verilog

    lib = shared_data / "liberty/sky130_fd_sc_hd/sky130_fd_sc_hd__tt_025C_1v80.lib.gz"
    f = shared_data / "netlists/iscas85/c432.v"
    code, out, err = run_cli("read", "--liberty", lib, "--verilog", f, "--cell-map", "sky130_hd")
    assert code == 2 and f"{f}:90: Verilog gate primitive 'and' with 9 input(s)" in err
    code, out, err = run_cli("read", "--liberty", lib, "--verilog", f, "--cell-map", "sky130_hd",
                             "--decompose-wide-gates", "--json")
    assert code == 0, err
    n = read_verilog(f, cell_map=SKY130_HD, decompose=True).n_instances
    assert json.loads(out)["instances"] == n == 160 + 4 * 2  # header: 160 gates; four 9-input ANDs: +2 each
