"""``finevh synth`` on the PE and the baseline PE (osu018), cross-checked against
the Liberty areas and OpenSTA; error handling; the Tcl twin in ``yosys -c``."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from finevh.synth.driver import find_latch_cell, parse_stat

OSU018 = Path("/usr/share/qflow/tech/osu018/osu018_stdcells.lib")
REPO = Path(__file__).resolve().parents[1]
PE_COMMON = [REPO / "rtl/pe" / f for f in ("fvh_icg.sv", "fvh_pe_round.sv", "fvh_pe_acc.sv", "fvh_pe_out.sv")]


def _lib_areas(lib: Path) -> dict[str, float]:
    from finevh.synth.driver import _cells_text

    return {name: float(re.search(r"\barea\s*:\s*([0-9.]+)", body).group(1))
            for name, body in _cells_text(lib.read_text())}


@pytest.fixture(scope="module")
def pe_synth(tmp_path_factory, require_tool):
    require_tool("yosys")
    if not OSU018.is_file():
        require_tool("osu018 library (Debian qflow-tech-osu018)")
    import os

    from click.testing import CliRunner

    from finevh.cli import cli

    d = tmp_path_factory.mktemp("synth")
    old = os.environ.get("FINEVH_CACHE")
    os.environ["FINEVH_CACHE"] = str(d / "cache")  # really run yosys
    out = {}
    try:
        for top, f in (("fvh_pe", "fvh_pe.sv"), ("fvh_pe_base", "fvh_pe_base.sv")):
            args = ["synth", "--top", top, "--liberty", str(OSU018), "--out", str(d / f"{top}.v"),
                    "--stat-json", str(d / f"{top}.json")]
            for s in [*PE_COMMON, REPO / "rtl/pe" / f]:
                args += ["--rtl", str(s)]
            r = CliRunner().invoke(cli, args, catch_exceptions=False)
            assert r.exit_code == 0, r.stderr
            out[top] = (d / f"{top}.v", json.loads((d / f"{top}.json").read_text()), r.stdout)
    finally:
        if old is None:
            os.environ.pop("FINEVH_CACHE", None)
        else:
            os.environ["FINEVH_CACHE"] = old
    return out


def test_pe_synth_area_matches_liberty(pe_synth):
    areas = _lib_areas(OSU018)
    for top, (net, stat, stdout) in pe_synth.items():
        text = net.read_text()
        inst = re.findall(r"^\s*([A-Z][A-Z0-9]*)\s+\S+\s*\(", text, re.M)
        counts: dict[str, int] = {}
        for c in inst:
            counts[c] = counts.get(c, 0) + 1
        assert counts == stat["cell_counts"]
        assert sum(counts.values()) == stat["cells"]
        assert sum(areas[c] * n for c, n in counts.items()) == pytest.approx(stat["area_um2"])
        assert not any(c.startswith("$") for c in counts)
        assert f"{stat['cells']} cells" in stdout
        # zero-skipping hardware is there: library latches (isolation + clock gate)
        assert counts["LATCH"] >= 9
        assert 500 < stat["cells"] < 3000


def test_pe_area_overhead_vs_baseline(pe_synth):
    a_pe = pe_synth["fvh_pe"][1]["area_um2"]
    a_base = pe_synth["fvh_pe_base"][1]["area_um2"]
    overhead = a_pe / a_base - 1
    # the scalable PE costs more than the plain 4x4 PE, but far less than 2x
    assert 0.0 < overhead < 0.5


def test_pe_netlist_links_in_opensta(pe_synth, require_tool, tmp_path):
    sta = require_tool("sta")
    net = pe_synth["fvh_pe"][0]
    tcl = tmp_path / "link.tcl"
    tcl.write_text(f"read_liberty {OSU018}\nread_verilog {net}\nlink_design fvh_pe\n"
                   "puts \"CELLS [llength [get_cells *]]\"\nexit\n")
    r = subprocess.run([sta, "-no_splash", "-exit", str(tcl)], capture_output=True, text=True, timeout=120)
    m = re.search(r"CELLS (\d+)", r.stdout)
    assert m, r.stdout + r.stderr
    assert int(m.group(1)) == pe_synth["fvh_pe"][1]["cells"]


def test_latch_cell_found_in_osu018(require_tool):
    if not OSU018.is_file():
        require_tool("osu018 library (Debian qflow-tech-osu018)")
    c = find_latch_cell(OSU018)
    assert (c.name, c.enable, c.data, c.q) == ("LATCH", "CLK", "D", "Q")


def test_parse_stat_sample():
    text = """
=== top ===

   Number of wires:                 10
   Number of cells:                  5
     AND2X1                          2
     DFFSR                           3

   Chip area for module '\\top': 1234.500000
"""
    assert parse_stat(text) == (5, 1234.5, {"AND2X1": 2, "DFFSR": 3})


def test_synth_syntax_error_reports_file_line(run_cli, tmp_path, require_tool):
    require_tool("yosys")
    bad = tmp_path / "bad.sv"
    bad.write_text("module bad(input a, output b);\n  assign b = a\nendmodule\n")
    out = tmp_path / "bad_net.v"
    code, _, err = run_cli("synth", "--rtl", bad, "--top", "bad", "--liberty", OSU018, "--out", out)
    assert code == 2
    errors = [ln for ln in err.strip().splitlines() if ln.startswith("finevh: error:")]
    assert len(errors) == 1 and re.search(r"bad\.sv:3: syntax error", errors[0]), err
    assert not out.exists()


def test_synth_missing_file_and_bad_param(run_cli, tmp_path, require_tool):
    require_tool("yosys")
    code, _, err = run_cli("synth", "--rtl", tmp_path / "nope.sv", "--top", "x",
                           "--liberty", OSU018, "--out", tmp_path / "o.v")
    assert code == 2 and "nope.sv: no such file" in err
    code, _, err = run_cli("synth", "--rtl", REPO / "rtl/pe/fvh_icg.sv", "--top", "fvh_icg",
                           "--liberty", OSU018, "--out", tmp_path / "o.v", "--param", "R")
    assert code == 2 and "NAME=VALUE" in err


@pytest.mark.parametrize("shell", ["yosys", "sta"])
def test_tcl_twin_in_tool_shells(shell, tmp_path, require_tool):
    exe = require_tool(shell)
    require_tool("yosys")
    out = tmp_path / "icg.v"
    tcl = tmp_path / "t.tcl"
    tcl.write_text(
        f"source {{{REPO / 'tcl' / 'finevh.tcl'}}}\n"
        f"set r [finevh::synth_design -rtl {{{REPO / 'rtl/pe/fvh_icg.sv'}}} -top fvh_icg "
        f"-liberty {OSU018} -out {out}]\n"
        "puts \"RESULT $r\"\n")
    if shell == "sta":
        tcl.write_text(tcl.read_text() + "exit\n")
    cmd = [exe, "-q", "-c", str(tcl)] if shell == "yosys" else [exe, str(tcl)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                       env={**__import__("os").environ, "FINEVH_CACHE": str(tmp_path / "c")})
    assert "RESULT top fvh_icg: 3 cells (1 sequential), area 48.0 um^2" in r.stdout, r.stdout + r.stderr
    assert "LATCH" in out.read_text()


def test_synth_array_parameters(run_cli, tmp_path, require_tool, monkeypatch):
    """--param reaches the top: a 1 x 2 array holds two PEs' latches (5+5 operand
    isolation bits and one clock gate each)."""
    require_tool("yosys")
    monkeypatch.setenv("FINEVH_CACHE", str(tmp_path / "cache"))
    args = ["synth", "--top", "fvh_array", "--liberty", OSU018, "--out", tmp_path / "arr.v",
            "--stat-json", tmp_path / "arr.json", "--param", "R=1", "--param", "C=2"]
    for s in [*PE_COMMON, REPO / "rtl/pe/fvh_pe.sv", REPO / "rtl/array/fvh_array.sv"]:
        args += ["--rtl", s]
    code, out, err = run_cli(*args)
    assert code == 0, err
    stat = json.loads((tmp_path / "arr.json").read_text())
    assert stat["parameters"] == {"C": "2", "R": "1"}
    assert stat["cell_counts"]["LATCH"] == 2 * 11
