"""``finevh sta`` CLI, its JSON contract, bad input (exit 2), and the Tcl twins run
inside OpenSTA's and Yosys' Tcl shells."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import opensta  # noqa: E402
from test_timing_opensta import NEG_EDGE, OSU018, compare  # noqa: E402

SDC = """create_clock -name clk -period 1.2 -waveform {0 0.5} [get_ports clk]
set_input_delay 0.3 -clock clk [get_ports a]
set_input_delay 0.1 -clock clk -clock_fall [get_ports b]
set_input_transition 0.2 [get_ports {a b}]
set_output_delay 0.4 -clock clk [get_ports y]
set_output_delay 0.2 -clock clk -clock_fall [get_ports z]
set_load 0.05 [get_ports {y z}]
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    from conftest import need
    need(OSU018.is_file(), str(OSU018))
    d = tmp_path_factory.mktemp("sta_cli")
    (d / "n.v").write_text(NEG_EDGE)
    (d / "c.sdc").write_text(SDC)
    return d


def args(d: Path, *extra: str) -> list[str]:
    return ["sta", "--liberty", str(OSU018), "--verilog", str(d / "n.v"), "--sdc", str(d / "c.sdc"), *extra]


def test_json_contract_and_opensta(run_cli, small, require_tool):
    code, out, err = run_cli(*args(small, "--json", "--paths", "3"))
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) >= {"wns_ns", "tns_ns", "endpoints"}
    eps = {e["pin"]: e["slack_ns"] for e in doc["endpoints"]}
    assert set(eps) == {"r1/D", "r2/D", "r3/D", "y", "z"}
    assert doc["wns_ns"] == pytest.approx(min(0.0, min(eps.values())), abs=1e-6)
    assert doc["tns_ns"] == pytest.approx(sum(v for v in eps.values() if v < 0), abs=1e-5)
    assert doc["wns_ns"] < 0
    # worst path stage by stage: times increase, the last stage is the endpoint
    p = doc["paths"][0]
    assert p["endpoint"] == doc["endpoints"][0]["pin"]
    times = [s["time_ns"] for s in p["stages"]]
    assert times == sorted(times) and times[-1] == pytest.approx(p["arrival_ns"], abs=1e-6)
    require_tool("sta")
    out_sta = opensta.run_sta(opensta.design_script([OSU018], small / "n.v", "negedge_demo", small / "c.sdc",
                                                    extra=[opensta.ENDPOINT_REPORT]))
    compare(eps, out_sta, 5)


def test_text_report_and_determinism(run_cli, small, tmp_path):
    code, out, err = run_cli(*args(small, "--paths", "2"))
    assert code == 0, err
    assert out.count("Startpoint:") == 2 and "data arrival time" in out and "slack (VIOLATED)" in out
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert run_cli(*args(small, "--json", "--out", str(a)))[0] == 0
    assert run_cli(*args(small, "--json", "--out", str(b)))[0] == 0
    assert a.read_bytes() == b.read_bytes()


def test_process_exit_without_teardown(run_cli, small, tmp_path):
    """``python -m finevh sta`` leaves without the interpreter's teardown (cli.main):
    the same report as in-process, complete on a pipe and in --out, exit 0; a bad
    input still exits 2 with its one-line error."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "flow")}
    cmd = [sys.executable, "-m", "finevh", "-q", *args(small, "--paths", "2")]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout == run_cli("-q", *args(small, "--paths", "2"))[1]
    out = tmp_path / "r.json"
    r = subprocess.run(cmd + ["--json", "--out", str(out)], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0 and json.loads(out.read_text())["endpoints"]
    bad = [sys.executable, "-m", "finevh", "sta", "--liberty", str(OSU018), "--verilog", str(tmp_path / "none.v"),
           "--sdc", str(small / "c.sdc")]
    r = subprocess.run(bad, capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 2 and r.stderr.count("finevh: error:") == 1 and "Traceback" not in r.stderr


def test_bind_file(run_cli, small, tmp_path, shared_data, require_tool):
    # sky130: bind a few instances of s38417 to 1.28 V (and one interpolated voltage)
    v = shared_data / "mapped/s38417_sky130hd_tt.v"
    libs = [str(shared_data / f"liberty/sky130_fd_sc_hd/sky130_fd_sc_hd__ss_n40C_{c}.lib.gz") for c in ("1v76", "1v28")]
    sdc = tmp_path / "s.sdc"
    sdc.write_text("create_clock -name clk -period 5 [get_ports CK]\n")
    base = ["sta", "--liberty", libs[0], "--liberty", libs[1], "--verilog", str(v), "--sdc", str(sdc), "--json",
            "--paths", "0"]
    c0, o0, e0 = run_cli(*base)
    assert c0 == 0, e0
    first = json.loads(o0)
    worst_pin = first["endpoints"][0]["pin"]
    bind = tmp_path / "bind.txt"
    bind.write_text("# instance voltage\n" + "".join(f"_{k}_ 1.28\n" for k in range(3200, 8900)))
    c1, o1, e1 = run_cli(*base, "--bind", str(bind))
    assert c1 == 0, e1
    assert json.loads(o1)["wns_ns"] < first["wns_ns"]
    bind.write_text("_3200_ 1.5\n_nope_ 1.28\n")
    c2, o2, e2 = run_cli(*base, "--bind", str(bind))
    assert c2 == 2 and f"{bind}:2:" in e2 and "_nope_" in e2
    assert worst_pin


def test_bad_input_exit_2(run_cli, small, tmp_path):
    noclk = tmp_path / "noclk.sdc"
    noclk.write_text("set_load 0.01 [get_ports y]\n")
    out = tmp_path / "r.json"
    code, _, err = run_cli("sta", "--liberty", str(OSU018), "--verilog", str(small / "n.v"), "--sdc", str(noclk),
                           "--json", "--out", str(out))
    errors = [ln for ln in err.splitlines() if ln.startswith("finevh: error:")]
    assert code == 2 and len(errors) == 1 and "no clock" in errors[0] and "Traceback" not in err
    assert not out.exists()
    spef = tmp_path / "bad.spef"
    spef.write_text("*SPEF \"IEEE 1481-1998\"\n*C_UNIT 1 PF\n*D_NET n1 abc\n")
    code, _, err = run_cli(*args(small, "--spef", str(spef)))
    assert code == 2 and f"{spef}:3:" in err and "bad total capacitance" in err
    spef.write_text("*SPEF \"IEEE 1481-1998\"\n*D_NET n1 0.1\n")
    code, _, err = run_cli(*args(small, "--spef", str(spef)))
    assert code == 2 and "*C_UNIT" in err
    unconstrained = tmp_path / "uc.sdc"
    unconstrained.write_text("create_clock -name clk -period 1 [get_ports a]\n")
    code, _, err = run_cli("sta", "--liberty", str(OSU018), "--verilog", str(small / "n.v"), "--sdc",
                           str(unconstrained))
    assert code == 2 and "no constrained endpoint" in err


@pytest.mark.parametrize("shell", ["sta", "yosys"])
def test_tcl_twins_in_tool_shells(small, repo, require_tool, run_cli, shell):
    exe = require_tool(shell)
    need_finevh = shutil.which("finevh")
    from conftest import need
    need(need_finevh is not None, "finevh console script on PATH")
    code, out, _ = run_cli(*args(small, "--json", "--paths", "0"))
    doc = json.loads(out)
    script = small / "twin.tcl"
    script.write_text(
        f"source {{{repo / 'tcl' / 'finevh.tcl'}}}\n"
        f"set a [list -liberty {{{OSU018}}} -verilog {{{small / 'n.v'}}} -sdc {{{small / 'c.sdc'}}}]\n"
        "puts \"WNS [finevh::report_wns {*}$a]\"\n"
        "puts \"TNS [finevh::report_tns {*}$a]\"\n"
        "puts \"EPS [llength [finevh::report_endpoint_slacks {*}$a]]\"\n"
        "puts [finevh::report_checks {*}$a -paths 1]\n"
        "if {[catch {finevh::report_wns -liberty " + str(OSU018) + " -verilog nope.v -sdc x.sdc} msg]} "
        "{ puts \"ERR $msg\" }\n")
    cmd = [exe, "-no_init", "-exit", str(script)] if shell == "sta" else [exe, "-q", "-c", str(script)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    vals = dict(line.split(" ", 1) for line in r.stdout.splitlines() if line[:4] in ("WNS ", "TNS ", "EPS ", "ERR "))
    assert float(vals["WNS"]) == pytest.approx(doc["wns_ns"], abs=1e-9)
    assert float(vals["TNS"]) == pytest.approx(doc["tns_ns"], abs=1e-9)
    assert int(vals["EPS"]) == 2 * len(doc["endpoints"])
    assert "Startpoint:" in r.stdout
    assert "nope.v" in vals["ERR"]
