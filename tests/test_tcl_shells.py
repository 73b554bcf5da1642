"""finevh:: procs on the design a tool shell holds: OpenSTA 2.0.17 (`sta`), OpenSTA 3.x
(~/.cache/opensta-737b52f/bin/sta), Yosys (`yosys -c`). No -liberty / -verilog / -sdc:
the procs write the shell's netlist and constraints and pass the libraries it read;
results come back as Tcl dicts equal to the CLI's JSON on the original files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from conftest import REPO, SHARED, need

OSU = Path("/usr/share/qflow/tech/osu018/osu018_stdcells.lib")
SAMPLE_V = REPO / "designs/sample/sample_osu018.v"
D28 = REPO / "libs/demo28"
PB = {f: D28 / f"demo28_ss_125C_1p00v_{f.lower()}.lib" for f in ("PB0", "PB4", "PB10", "PB16")}
PE_V, PE_DEF = REPO / "designs/pe/fvh_pe_demo28.v", REPO / "designs/pe/fvh_pe_demo28.def"
OPENSTA_SRC = SHARED / "vendor/opensta/opensta-737b52f.tar.gz"

SAMPLE_SDC = (REPO / "designs/sample/sample.sdc").read_text()
PE_SDC = ("create_clock -name clk -period 3.0 [get_ports clk]\n"
          "set_output_delay 0.1 -clock clk [all_outputs]\n"
          "set_input_transition 0.02 [all_inputs]\n")



def _shell_cmd(shell: str, exe: str, script: Path) -> list[str]:
    if shell == "yosys":
        return [exe, "-q", "-c", str(script)]
    return [exe, "-no_init", "-no_splash", "-exit", str(script)]


def _run(cmd, cwd) -> str:
    env = {**os.environ, "FINEVH": f"{sys.executable} -m finevh", "FINEVH_TCL_DIR": str(REPO / "tcl")}
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env, cwd=cwd,
                       stdin=subprocess.DEVNULL)
    return r.stdout + r.stderr


def _exe(shell, require_tool, sta3):
    return sta3 if shell == "sta3" else require_tool("sta" if shell == "sta" else shell)


def _load(shell: str, libs, verilog, top, sdc) -> str:
    """Tcl loading a design the shell's own way."""
    if shell == "yosys":
        return ("".join(f"yosys read_liberty -lib {{{lib}}}\n" for lib in libs)
                + f"yosys read_verilog {{{verilog}}}\nyosys hierarchy -top {top}\n"
                + f"finevh::design_files -sdc {{{sdc}}}\n")   # Yosys holds no constraints
    return ("".join(f"read_liberty {{{lib}}}\n" for lib in libs)
            + f"read_verilog {{{verilog}}}\nlink_design {top}\nread_sdc {{{sdc}}}\n")


@pytest.mark.parametrize("shell", ["sta", "sta3", "yosys"])
def test_power_and_checks_of_the_loaded_design(shell, tmp_path, require_tool, require_file, run_cli, request):
    require_file(OSU)
    exe = _exe(shell, require_tool, request.getfixturevalue("sta3") if shell == "sta3" else None)
    sdc = tmp_path / "s.sdc"
    sdc.write_text(SAMPLE_SDC)
    script = tmp_path / "t.tcl"
    script.write_text(
        f"source {{{REPO / 'tcl' / 'finevh.tcl'}}}\n" + _load(shell, [OSU], SAMPLE_V, "sample", sdc)
        + "puts \"SHELL [finevh::shell]\"\n"
        "set p [finevh::report_power -dict]\n"
        "foreach g {sequential combinational} { foreach k {internal_uw switching_uw leakage_uw total_uw} {\n"
        "    puts \"P $g $k [dict get $p groups $g $k]\" } }\n"
        "foreach k {internal_uw switching_uw leakage_uw total_uw} { puts \"P total $k [dict get $p $k]\" }\n"
        "set c [finevh::report_checks -dict]\n"
        "puts \"C wns [dict get $c wns_ns]\"\nputs \"C tns [dict get $c tns_ns]\"\n"
        "foreach e [lrange [dict get $c endpoints] 0 4] { puts \"E [dict get $e pin] [dict get $e slack_ns]\" }\n"
        "puts \"N [llength [dict get $c endpoints]]\"\n"
        "puts BEFORE\nset t [finevh::report_checks]\nputs \"TEXT <$t>\"\n"
        "puts \"WNS [finevh::report_wns]\"\n"
        "set r [finevh::read_design -dict]\n"
        "puts \"R [dict get $r instances] [dict get $r top] [file tail [dict get [lindex [dict get $r libraries] 0] path]]\"\n"
        "if {[catch {finevh::report_checks -sdc /nonexistent.sdc} e]} { puts \"ERR <$e>\" }\n")
    out = _run(_shell_cmd(shell, exe, script), tmp_path)
    assert f"SHELL {'yosys' if shell == 'yosys' else 'opensta'}" in out, out
    code, pj, err = run_cli("power", "--liberty", OSU, "--verilog", SAMPLE_V, "--sdc", sdc, "--json")
    assert code == 0, err
    ref = json.loads(pj)
    got = {(g, k): float(v) for g, k, v in re.findall(r"^P (\w+) (\w+) (\S+)$", out, re.M)}
    assert len(got) == 12, out
    for (g, k), v in got.items():
        want = ref[k] if g == "total" else ref["groups"][g][k]
        assert v == pytest.approx(want, rel=1e-6), (g, k)
    code, sj, err = run_cli("sta", "--liberty", OSU, "--verilog", SAMPLE_V, "--sdc", sdc, "--json", "--paths", "0")
    assert code == 0, err
    ref = json.loads(sj)
    assert float(re.search(r"^C wns (\S+)$", out, re.M).group(1)) == pytest.approx(ref["wns_ns"], abs=1e-9)
    assert float(re.search(r"^C tns (\S+)$", out, re.M).group(1)) == pytest.approx(ref["tns_ns"], abs=1e-9)
    assert int(re.search(r"^N (\d+)$", out, re.M).group(1)) == len(ref["endpoints"]) == 23
    worst = re.findall(r"^E (\S+) (\S+)$", out, re.M)
    assert [p for p, _ in worst] == [e["pin"] for e in ref["endpoints"][:5]]
    assert [float(s) for _, s in worst] == pytest.approx([e["slack_ns"] for e in ref["endpoints"][:5]], abs=1e-9)
    # report_checks prints its text report and returns "" (like OpenSTA's)
    printed = out[out.index("BEFORE\n"):out.index("TEXT <>")]
    assert "Startpoint:" in printed and "\nwns 0.0000\n" in printed, out
    assert re.search(r"^WNS 0\.0$", out, re.M), out
    assert "R 145 sample osu018_stdcells.lib" in out, out
    assert re.search(r"ERR <finevh: error: /nonexistent.sdc: no such file \[[A-Z]+-\d{4}\]>", out), out


def _prepare_pb16(tmp_path) -> Path:
    sys.path.insert(0, str(REPO / "tests"))
    import opensta

    return opensta.prepare_liberty(PB["PB16"], tmp_path, suffix="_PB16")


@pytest.mark.parametrize("shell", ["sta", "sta3"])
def test_partition_and_polybias_apply_in_opensta(shell, tmp_path, require_tool, run_cli, request):
    """partition_tiles takes netlist, libraries and SDC from the shell and needs only the
    placement (-def: OpenSTA holds none; no LEF: footprints from Liberty area / row
    height); assign_polybias -apply puts the swapped cells into the
    shell's netlist (replace_cell)."""
    exe = _exe(shell, require_tool, request.getfixturevalue("sta3") if shell == "sta3" else None)
    sdc = tmp_path / "pe.sdc"
    sdc.write_text(PE_SDC)
    pb16 = _prepare_pb16(tmp_path)
    plan = tmp_path / "plan.fvh.json"
    libs = " ".join(f"{{{PB[f]}}}" for f in ("PB0", "PB4", "PB10", "PB16"))
    script = tmp_path / "t.tcl"
    script.write_text(
        f"source {{{REPO / 'tcl' / 'finevh.tcl'}}}\n"
        + _load(shell, [PB["PB0"], pb16], PE_V, "fvh_pe", sdc)
        + f"set p [finevh::partition_tiles -dict -def {{{PE_DEF}}} -tiles 2 "
          f"-out {{{plan}}}]\n"
          "puts \"PART [dict get $p tiles] [dict get $p interface_cells] [dict get $p area_overhead_pct]\"\n"
          f"set b [finevh::assign_polybias -dict -plan {{{plan}}} -liberty [list {libs}] -flavours PB16 "
          "-apply -emit_options {-swap_cell {PB16 {{cell}_PB16}}}]\n"
          "puts \"PB [dict get $b swapped_total] [dict get $b leakage_after_uw]\"\n"
          "set n 0\n"
          "foreach c [get_cells *] { if {[string match *_PB16 [get_property $c ref_name]]} { incr n } }\n"
          "puts \"SWAPPED $n\"\n"
          "set f [open " + f"{{{tmp_path / 'refs.txt'}}}" + " w]\n"
          "foreach c [get_cells *] { puts $f \"[get_full_name $c] [get_property $c ref_name]\" }\nclose $f\n")
    out = _run(_shell_cmd(shell, exe, script), tmp_path)
    m = re.search(r"^PART (\d+) (\d+) (\S+)$", out, re.M)
    assert m, out
    code, ref, err = run_cli("-q", "partition", "--liberty", PB["PB0"], "--lef", D28 / "demo28.lef",
                             "--verilog", PE_V, "--def", PE_DEF, "--tiles", "2", "--json")
    assert code == 0, err
    ref = json.loads(ref)
    assert (int(m.group(1)), int(m.group(2))) == (ref["tiles"], ref["interface_cells"]) == (4, 259)
    assert float(m.group(3)) == pytest.approx(ref["area_overhead_pct"])
    from finevh.fvh.plan import read_plan

    swaps = read_plan(plan).pb_swaps
    m = re.search(r"^PB (\d+) (\S+)$", out, re.M)
    assert m, out
    assert int(m.group(1)) == len(swaps) > 100
    assert int(re.search(r"^SWAPPED (\d+)$", out, re.M).group(1)) == len(swaps)
    refs = dict(line.split() for line in (tmp_path / "refs.txt").read_text().splitlines())
    for s in swaps:
        assert refs[s.instance] == s.from_cell + "_PB16", s
    # OpenSTA's own leakage after the ECO (emitted report_power) matches finevh's figure
    tot = re.search(r"^Total\s+\S+\s+\S+\s+(\S+)", out, re.M)
    assert tot and float(tot.group(1)) * 1e6 == pytest.approx(float(m.group(2)), rel=0.02), out


def test_apply_needs_a_tool_shell(tmp_path, require_tool, require_file):
    require_file(OSU)
    script = tmp_path / "t.tcl"
    script.write_text(f"source {{{REPO / 'tcl' / 'finevh.tcl'}}}\n"
                      "yosys read_liberty -lib " + str(OSU) + "\n"
                      "if {[catch {finevh::assign_polybias -plan p.json -sdc s.sdc -apply} e]} { puts \"ERR <$e>\" }\n")
    out = _run(["yosys", "-q", "-c", str(script)], tmp_path)
    assert "ERR <finevh::assign_polybias: -apply needs OpenSTA or OpenROAD (this shell: yosys)>" in out, out


def test_gcd_example_in_opensta3(tmp_path, sta3, require_tool):
    """OpenSTA's own example gcd_sky130hd: relative liberty name, 1,040 tap cells no
    library defines (black boxes in OpenSTA, dropped from the written netlist), an SDC
    the CLI cannot read itself (bare port list with req_msg[*]) but write_sdc expands."""
    need(OPENSTA_SRC.exists(), str(OPENSTA_SRC))
    ex = tmp_path / "ex"
    ex.mkdir()
    with tarfile.open(OPENSTA_SRC) as t:
        for m in t.getmembers():
            if m.name.endswith(("examples/gcd_sky130hd.v", "examples/gcd_sky130hd.sdc",
                                "examples/sky130hd_tt.lib.gz")):
                m.name = Path(m.name).name
                t.extract(m, ex)
    script = tmp_path / "g.tcl"
    script.write_text(f"source {{{REPO / 'tcl' / 'finevh.tcl'}}}\n"
                      "read_liberty sky130hd_tt.lib.gz\nread_verilog gcd_sky130hd.v\nlink_design gcd\n"
                      "read_sdc gcd_sky130hd.sdc\n"
                      "set n 0\nforeach c [get_cells *] { if {[llength [get_lib_cells -quiet */[get_property $c ref_name]]]} { incr n } }\n"
                      "puts \"LIBCELLS $n\"\n"
                      "set r [finevh::read_design -dict]\nputs \"R [dict get $r instances] [dict get $r top]\"\n"
                      "set c [finevh::report_checks -dict]\n"
                      "puts \"C [dict get $c n_endpoints] [dict get $c wns_ns] [dict get [lindex [dict get $c endpoints] 0] pin]\"\n")
    out = _run([sta3, "-no_init", "-no_splash", "-exit", str(script)], ex)
    n = int(re.search(r"^LIBCELLS (\d+)$", out, re.M).group(1))
    assert re.search(rf"^R {n} gcd$", out, re.M), out
    m = re.search(r"^C (\d+) (\S+) (\S+)$", out, re.M)
    assert m, out
    # gcd: 53 constrained endpoints (outputs and register inputs), met at 5 ns
    assert int(m.group(1)) == 53 and float(m.group(2)) == 0.0


OPENROAD_MOCK = r"""
# OpenROAD's commands as far as finevh uses them (no OpenROAD on this machine)
namespace eval ord { proc get_db_block {} { return blk } ; proc get_db {} { return db } }
namespace eval sta {}
proc read_lef {args} { lappend ::lef_calls $args }
proc read_liberty {args} {}
proc get_libs {args} { return {L1 L2} }
proc get_property {obj prop} { return [dict get {L1 /libs/a.lib L2 rel/b.lib} $obj] }
proc current_design {} { return top1 }
proc all_clocks {} { return {clk} }
proc get_lib_cells {args} { return {} }
proc _touch {f text} { set fh [open $f w]; puts $fh $text; close $fh }
proc write_verilog {f} { _touch $f "module top1;\n  TAPCELL t1 ();\nendmodule" }
proc write_sdc {args} { set ::sdc_args $args; _touch [lindex $args end] "create_clock" }
proc write_def {f} { _touch $f "DESIGN top1 ;" }
"""


def test_openroad_branch_with_mocked_commands(tmp_path, require_tool):
    """OpenROAD detection, read_lef recording and the files handed to the CLI, with
    OpenROAD's commands mocked in tclsh and FINEVH=printf showing the command line."""
    script = tmp_path / "or.tcl"
    script.write_text(OPENROAD_MOCK + f"source {{{REPO / 'tcl' / 'finevh.tcl'}}}\n"
                      "read_lef -tech tech.lef\nread_lef cells.lef\n"
                      "puts \"SHELL [finevh::shell] CALLS $::lef_calls\"\n"
                      "puts \"PART [join [split [finevh::partition_tiles -tiles {3 5}] \\n] |]\"\n"
                      "puts \"STA [join [split [finevh::report_timing_json -verilog own.v -sdc own.sdc] \\n] |]\"\n"
                      "puts \"SDCARGS $::sdc_args\"\n")
    env = {"FINEVH": r"printf %s\n", "PATH": "/usr/bin:/bin", "FINEVH_TCL_DIR": str(REPO / "tcl"),
           "TMPDIR": str(tmp_path)}
    r = subprocess.run([require_tool("tclsh"), str(script)], capture_output=True, text=True, timeout=60,
                       env=env, cwd=tmp_path)
    out = r.stdout
    assert "SHELL openroad CALLS {-tech tech.lef} cells.lef" in out, out + r.stderr
    part = re.search(r"^PART (.*)$", out, re.M).group(1).split("|")
    tmp = re.escape(str(tmp_path))
    assert part[0] == "partition" and part[part.index("--tiles") + 1] == "3,5"
    assert [part[i + 1] for i, w in enumerate(part) if w == "--liberty"] == ["/libs/a.lib", str(tmp_path / "rel/b.lib")]
    assert [part[i + 1] for i, w in enumerate(part) if w == "--lef"] == [str(tmp_path / "tech.lef"),
                                                                          str(tmp_path / "cells.lef")]
    assert re.fullmatch(tmp + r"/finevh_tcl_\d+_\d+/design\.v", part[part.index("--verilog") + 1])
    assert re.fullmatch(tmp + r"/finevh_tcl_\d+_\d+/design\.def", part[part.index("--def") + 1])
    assert re.fullmatch(tmp + r"/finevh_tcl_\d+_\d+/design\.sdc", part[part.index("--sdc") + 1])
    assert part[part.index("--top") + 1] == "top1"
    assert "SDCARGS -no_timestamp -digits 9 " in out
    # given -verilog: no netlist-bound files from the shell, the libraries still are
    sta = re.search(r"^STA (.*)$", out, re.M).group(1).split("|")
    assert sta[sta.index("--verilog") + 1] == "own.v" and "--top" not in sta
    assert sta[sta.index("--sdc") + 1] == "own.sdc" and sta.count("--sdc") == 1
    assert "--def" not in sta and sta.count("--liberty") == 2 and "--json" in sta
    assert not list(tmp_path.glob("finevh_tcl_*")), "temporary folders left behind"


def test_yosys_import_commands_are_recorded(tmp_path, require_tool, require_file):
    """After `yosys -import`, read_liberty / abc -liberty are Tcl commands: still recorded."""
    require_file(OSU)
    exe = require_tool("yosys")
    script = tmp_path / "yi.tcl"
    script.write_text("yosys -import\n"
                      f"source {{{REPO / 'tcl' / 'finevh.tcl'}}}\n"
                      f"read_liberty -lib {{{OSU}}}\nyosys read_liberty -lib {{{OSU}}}\n"
                      f"read_verilog {{{SAMPLE_V}}}\nhierarchy -top sample\n"
                      "puts \"REC [dict get $finevh::recorded liberty]\"\n"
                      "set r [finevh::read_design -dict]\n"
                      "puts \"R [dict get $r instances] [dict get $r area_um2]\"\n")
    out = _run([exe, "-q", "-c", str(script)], tmp_path)
    assert f"REC {OSU}\n" in out and "R 145 5626.0" in out, out
