"""`finevh compare`: regression of a run's JSON/CSV figures against goldens."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from finevh.compare import compare
from conftest import no_id  # noqa: E402


def _write(d, summary, csv_text=None):
    d.mkdir(parents=True, exist_ok=True)
    (d / "summary.json").write_text(json.dumps(summary, indent=1))
    if csv_text is not None:
        (d / "schemes_200mV.csv").write_text(csv_text)


SUMMARY = {"design": "x", "path": "/somewhere/else", "frequencies_mhz": [100.0, 200.0],
           "200mV": {"ideal_dvfs_uw": [10.0, 20.0], "tiles": {"9": {"fine_vh_uw": [9.0, 19.0],
                                                                   "feasible": [True, True]}}}}
CSV = "f_mhz,fine_vh_9t_uw,tile_0\n100,9.0,L\n200,19.0,H\n"


def test_equal_runs_pass(tmp_path, run_cli):
    _write(tmp_path / "g", SUMMARY, CSV)
    s = json.loads(json.dumps(SUMMARY))
    s["path"] = "/another/machine"          # strings are not figures
    s["200mV"]["extra"] = [1, 2, 3]         # new figures do not break old goldens
    _write(tmp_path / "r", s, CSV.replace("9.0", "9.000000001"))
    code, out, _ = run_cli("compare", tmp_path / "r", tmp_path / "g")
    assert code == 0, out
    # 2 freqs + 2 ideal + 2 fine + 2 feasible = 8 JSON figures; 2x3 CSV cells
    assert out.strip() == "compare: 14 figures in 2 files within rtol=1e-06 atol=1e-09"


def test_moved_figures_table_and_exit_1(tmp_path, run_cli):
    _write(tmp_path / "g", SUMMARY, CSV)
    s = json.loads(json.dumps(SUMMARY))
    s["200mV"]["tiles"]["9"]["fine_vh_uw"][1] = 19.5
    del s["200mV"]["ideal_dvfs_uw"]
    s["200mV"]["tiles"]["9"]["feasible"][0] = False
    _write(tmp_path / "r", s, CSV.replace("200,19.0,H", "200,19.0,L"))
    code, out, _ = run_cli("compare", tmp_path / "r", tmp_path / "g")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].split() == ["file", "key", "golden", "new", "rel.", "change"]
    body = {tuple(line.split()[:4]): line for line in lines[2:-1]}
    assert ("summary.json", "200mV.tiles.9.fine_vh_uw[1]", "19", "19.5") in body
    assert body[("summary.json", "200mV.tiles.9.fine_vh_uw[1]", "19", "19.5")].endswith("+2.632%")
    assert ("summary.json", "200mV.ideal_dvfs_uw[0]", "10", "missing") in body
    assert ("summary.json", "200mV.tiles.9.feasible[0]", "true", "false") in body
    assert ("schemes_200mV.csv", "row2.tile_0", "H", "L") in body
    assert lines[-1] == "compare: 5 of 14 figures moved beyond rtol=1e-06 atol=1e-09"
    # a loose tolerance accepts the 2.6 % move but not the structural changes
    c = compare(tmp_path / "r", tmp_path / "g", rtol=0.05)
    assert len(c.moved) == 4


def test_tolerance_formula():
    from finevh.compare import close

    assert close(100.0, 100.0001, 1e-6, 0.0) is False
    assert close(100.0, 100.0001, 1e-6, 1e-4) is True      # atol + rtol*|g| = 1e-4 + 1e-4
    assert close(0.0, 1e-10, 0.0, 1e-9) is True
    assert close(float("nan"), float("nan"), 0, 0) is True
    assert close(float("nan"), 1.0, 1, 1) is False


def test_bad_input_exit_2(tmp_path, run_cli):
    _write(tmp_path / "g", SUMMARY, CSV)
    _write(tmp_path / "r", SUMMARY)          # CSV missing in the run
    code, _, err = run_cli("compare", tmp_path / "r", tmp_path / "g")
    assert code == 2 and err.startswith(f"finevh: error: {tmp_path / 'r' / 'schemes_200mV.csv'}: missing in the run")
    (tmp_path / "r" / "schemes_200mV.csv").write_text("f_mhz,fine_vh_9t_uw,tile_0\n100,9.0,L\n200,19.0\n")
    code, _, err = run_cli("compare", tmp_path / "r", tmp_path / "g")
    assert code == 2 and no_id(err).strip() == \
        f"finevh: error: {tmp_path / 'r' / 'schemes_200mV.csv'}:3: 2 cells for 3 columns"
    (tmp_path / "r" / "schemes_200mV.csv").write_text(CSV)
    (tmp_path / "r" / "summary.json").write_text('{"a": 1,\n"b": [1, 2,,]}\n')
    code, _, err = run_cli("compare", tmp_path / "r", tmp_path / "g")
    assert code == 2 and err.startswith(f"finevh: error: {tmp_path / 'r' / 'summary.json'}:2: malformed JSON")
    code, _, err = run_cli("compare", tmp_path / "r", tmp_path / "nothing")
    assert code == 2 and "no such golden file or directory" in err
    code, _, err = run_cli("compare", tmp_path / "r", tmp_path / "g", "--rtol", "-1")
    assert code == 2 and "tolerances must be >= 0" in err


def test_single_files(tmp_path):
    _write(tmp_path / "g", SUMMARY)
    _write(tmp_path / "r", SUMMARY)
    c = compare(tmp_path / "r" / "summary.json", tmp_path / "g" / "summary.json")
    assert c.ok and c.checked == 8


def test_tcl_twin(tmp_path, repo, require_tool):
    _write(tmp_path / "g", SUMMARY, CSV)
    shutil.copytree(tmp_path / "g", tmp_path / "r")
    _write(tmp_path / "bad", SUMMARY, CSV.replace("19.0", "18.0"))
    script = tmp_path / "c.tcl"
    script.write_text(
        f'source {{{repo / "tcl" / "finevh.tcl"}}}\n'
        f'puts "OK=<[finevh::compare_runs {{{tmp_path / "r"}}} {{{tmp_path / "g"}}} -rtol 1e-3]>"\n'
        f'if {{[catch {{finevh::compare_runs {{{tmp_path / "bad"}}} {{{tmp_path / "g"}}}}} e]}} '
        '{ puts "MOVED=<$e>" }\n')
    out = subprocess.run([require_tool("tclsh"), str(script)], capture_output=True, text=True, timeout=120)
    assert "OK=<compare: 14 figures in 2 files within rtol=0.001 atol=1e-09>" in out.stdout, out.stderr
    assert "schemes_200mV.csv  row2.fine_vh_9t_uw  19" in out.stdout
    assert "compare: 1 of 14 figures moved" in out.stdout


@pytest.mark.parametrize("rtol", ["0", "1e-12"])
def test_identical_files_pass_at_zero_tolerance(tmp_path, run_cli, rtol):
    _write(tmp_path / "g", SUMMARY, CSV)
    shutil.copytree(tmp_path / "g", tmp_path / "r")
    code, _, _ = run_cli("compare", tmp_path / "r", tmp_path / "g", "--rtol", rtol, "--atol", "0")
    assert code == 0
