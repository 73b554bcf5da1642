"""Messages: one-line errors and warnings with stable IDs (finevh.messages), usage errors
in the same form, the ID table and docs/messages.md current."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LINE = re.compile(r"^finevh: (error|warning): .+ \[([A-Z]{2,3}-\d{4})\]$")


def test_table_and_docs_are_current():
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "gen_messages.py"), "--check"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_ids_unique_and_templates_unique_per_prefix():
    from finevh.messages import TABLE

    rows = [ln.split("\t") for ln in TABLE.read_text().splitlines() if ln and not ln.startswith("#")]
    ids = [r[0] for r in rows]
    assert len(ids) == len(set(ids)) and len(ids) > 300
    keys = [(r[0].split("-")[0], r[2]) for r in rows]
    assert len(keys) == len(set(keys))


def test_error_line_carries_the_table_id(run_cli, tmp_path):
    from finevh.messages import TABLE

    bad = tmp_path / "c.sdc"
    bad.write_text("create_clock -name clk -period 10 [get_ports clk]\nset_load -5 [get_ports q]\n")
    code, out, err = run_cli("read", "--liberty", "/nonexistent.lib", "--verilog", "x.v")
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and LINE.match(lines[0]), err
    mid = LINE.match(lines[0]).group(2)
    row = next(r for r in (ln.split("\t") for ln in TABLE.read_text().splitlines()) if r[0] == mid)
    assert row[2] == "no such file"


def test_same_message_same_id_from_two_places(run_cli, tmp_path):
    """The ID depends on the module and the message, not on the call site's line."""
    from finevh.errors import InputError

    a = InputError("no such file", "/x")
    b = InputError("no such file", "/y", 3)
    assert a.msg_id == b.msg_id and a.msg_id.startswith("FVH-")   # raised here: not a finevh module


def test_usage_errors_are_one_line(run_cli):
    for args, what in ((["sta", "--foo"], "No such option"), (["sta", "--liberty", "x"], "Missing option"),
                       (["power", "--liberty", "a", "--verilog", "b", "--sdc", "c", "--input-activity", "x", "1"],
                        "not a valid float"), (["nosuchstage"], "No such command")):
        code, out, err = run_cli(*args)
        lines = err.splitlines()
        assert code == 2 and out == "" and len(lines) == 1, (args, err)
        assert lines[0].startswith("finevh: error: finevh") and what in lines[0] and lines[0].endswith("[CLI-0001]")


def test_warning_has_id_and_quiet_silences_it(capsys):
    from finevh import progress

    progress.warn("something odd", "/f.v", 7)
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("finevh: warning: /f.v:7: something odd [")
    progress.set_level(progress.QUIET)
    progress.warn("something odd", "/f.v", 7)
    progress.progress("hello")
    assert capsys.readouterr().err == ""
    progress.set_level(progress.VERBOSE)
    progress.debug("dbg")
    assert capsys.readouterr().err == "finevh: debug: dbg\n"


def test_real_cli_subprocess_one_line():
    r = subprocess.run(["finevh", "sta", "--liberty", "/nonexistent.lib", "--verilog", "/x.v", "--sdc", "/y"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.splitlines()) == 1 and LINE.match(r.stderr.strip()), r.stderr
    assert "Traceback" not in r.stderr
