"""tcl/finevh.tcl loads every stage's procs in real tool shells, from any folder."""

from __future__ import annotations

import re
import subprocess


def _procs(cmd, script, cwd):
    out = subprocess.run(cmd + [str(script)], cwd=cwd, capture_output=True, text=True, timeout=120)
    m = re.search(r"procs=(\d+) dir=(\S+)", out.stdout + out.stderr)
    assert m, out.stdout + out.stderr
    return int(m.group(1)), m.group(2)


def test_finevh_tcl_loads_in_tclsh_sta_and_yosys(tmp_path, repo, require_tool):
    stage_files = sorted((repo / "tcl" / "finevh").glob("*.tcl"))
    assert stage_files, "no stage Tcl files"
    script = tmp_path / "load.tcl"
    script.write_text(f'source {{{repo / "tcl" / "finevh.tcl"}}}\n'
                      'puts "procs=[llength [info procs finevh::*]] dir=$finevh::dir"\n')
    counts = {}
    counts["tclsh"] = _procs([require_tool("tclsh")], script, tmp_path)
    # OpenSTA hides the sourced file's path: the loader must still find its folder
    counts["sta"] = _procs([require_tool("sta"), "-no_init", "-exit"], script, tmp_path)
    counts["yosys"] = _procs([require_tool("yosys"), "-q", "-c"], script, tmp_path)
    for shell, (n, d) in counts.items():
        assert d == str(repo / "tcl"), shell
        # finevh::run + the locator + at least one proc per stage file
        assert n >= len(stage_files) + 2, (shell, n)
    assert len({n for n, _ in counts.values()}) == 1


def test_tcl_dir_command(run_cli, repo):
    code, out, _ = run_cli("tcl-dir")
    assert code == 0 and out.strip() == str(repo / "tcl")


def test_failing_stage_raises_its_one_line_error(tmp_path, repo, require_tool):
    script = tmp_path / "err.tcl"
    script.write_text(f'source {{{repo / "tcl" / "finevh.tcl"}}}\n'
                      'if {[catch {finevh::run read --liberty /nonexistent.lib --verilog x.v} e]} '
                      '{ puts "ERR=<$e>" }\n')
    out = subprocess.run([require_tool("tclsh"), str(script)], capture_output=True, text=True, timeout=120)
    assert re.search(r"ERR=<finevh: error: /nonexistent.lib: no such file \[[A-Z]+-\d{4}\]>", out.stdout), out.stdout
