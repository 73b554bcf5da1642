"""The OpenSTA flavour of ``finevh emit`` run for real in ``sta`` (Debian OpenSTA 2.0.17).

A demo28 netlist with escaped Verilog identifiers (``\\u_core/reg[3] ``...) holds one
critical path (a flip-flop to flip-flop inverter chain, clock tightened to a small
positive slack) and many short flip-flop to flip-flop paths. The plan swaps the short
paths' gates to slower, less leaky poly-bias flavours. The emitted script runs in sta
on PB0 libraries plus suffix-renamed copies of the PB16/PB10 libraries (OpenSTA binds
cells by name: see ../shared/TOOLS.md), and the test checks: every swap applied, worst
slack unchanged within 1 ps, leakage lower. A negative control swaps a critical-path
cell and sees the slack move. The signature table for OpenSTA is re-checked against
sta's own ``help`` output.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import opensta  # noqa: E402
from tool_signatures.harness import load_table  # noqa: E402
from tool_signatures.plans import build_plan  # noqa: E402

from finevh.emit import emit_text  # noqa: E402
from finevh.emit.tclquote import tcl_word  # noqa: E402
from finevh.fvh.plan import write_plan  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
LIBDIR = REPO / "libs/demo28"
N_SHORT = 24
N_CRIT = 16


def _esc(name: str) -> str:
    return "\\" + name + " "


def netlist() -> tuple[str, list[str], list[str], list[str]]:
    """Verilog text, all instance names, short-path gate names, critical-path gate names."""
    insts: list[str] = []
    short: list[str] = []
    crit: list[str] = []
    body: list[str] = []
    wires: list[str] = []
    body.append(f"  DFF_X1 {_esc('u_core/src_ff')} (.CK(clk), .D(din), .Q({_esc('c[0]')}));")
    insts.append("u_core/src_ff")
    wires.append(_esc("c[0]"))
    for k in range(N_CRIT):
        nm = f"u_core/crit[{k}]"
        body.append(f"  INV_X1 {_esc(nm)} (.A({_esc(f'c[{k}]')}), .Y({_esc(f'c[{k + 1}]')}));")
        wires.append(_esc(f"c[{k + 1}]"))
        insts.append(nm)
        crit.append(nm)
    body.append(f"  DFF_X1 {_esc('u_core/dst_ff')} (.CK(clk), .D({_esc(f'c[{N_CRIT}]')}), .Q(dout));")
    insts.append("u_core/dst_ff")
    for i in range(N_SHORT):
        r, a, b, o = f"u_core/reg[{i}]", f"u_core/g[{i}].a", f"u_core/g[{i}].b", f"u_core/out_ff[{i}]"
        q, x, y = _esc(f"q[{i}]"), _esc(f"x[{i}]"), _esc(f"y[{i}]")
        wires += [q, x, y]
        body.append(f"  DFF_X1 {_esc(r)} (.CK(clk), .D(in[{i}]), .Q({q}));")
        body.append(f"  NAND2_X1 {_esc(a)} (.A({q}), .B(in[{i}]), .Y({x}));")
        body.append(f"  INV_X1 {_esc(b)} (.A({x}), .Y({y}));")
        body.append(f"  DFF_X1 {_esc(o)} (.CK(clk), .D({y}), .Q(out[{i}]));")
        insts += [r, a, b, o]
        short += [a, b]
    text = ["module top (clk, din, dout, in, out);",
            "  input clk, din;", "  output dout;", f"  input [{N_SHORT - 1}:0] in;", f"  output [{N_SHORT - 1}:0] out;"]
    text += [f"  wire {w};" for w in wires]
    text += body + ["endmodule", ""]
    return "\n".join(text), insts, short, crit


@pytest.fixture(scope="module")
def setup(tmp_path_factory, require_tool):
    require_tool("sta")
    d = tmp_path_factory.mktemp("emit_sta")
    text, insts, short, crit = netlist()
    (d / "top.v").write_text(text)
    base = LIBDIR / "demo28_ss_125C_1p00v_pb0.lib"
    pb16 = opensta.prepare_liberty(LIBDIR / "demo28_ss_125C_1p00v_pb16.lib", d, suffix="_PB16")
    pb10 = opensta.prepare_liberty(LIBDIR / "demo28_ss_125C_1p00v_pb10.lib", d, suffix="_PB10")
    libs = [base, pb16, pb10]
    # critical path arrival with a loose clock, then a clock leaving ~20 ps of slack
    loose = d / "loose.sdc"
    loose.write_text("create_clock -name clk -period 10 [get_ports clk]\nset_input_delay 0 -clock clk [all_inputs]\n")
    out = opensta.run_sta(opensta.design_script(libs, d / "top.v", "top", loose, extra=["report_worst_slack -digits 6"]))
    ws = opensta.parse_value(out, "worst slack")
    period = round(10 - ws + 0.02, 4)
    sdc = d / "top.sdc"
    sdc.write_text(f"create_clock -name clk -period {period} [get_ports clk]\n"
                   "set_input_delay 0 -clock clk [all_inputs]\n")
    return d, libs, sdc, insts, short, crit


def _run(d, libs, sdc, script: Path, checks: list[str]) -> str:
    pre = ["puts \"=== before\"", "report_worst_slack -digits 6", "report_wns -digits 6", "report_power -digits 6",
           "puts \"=== after\"", f"source {{{script}}}"] + checks
    return opensta.run_sta(opensta.design_script(libs, d / "top.v", "top", sdc, extra=pre))


def test_opensta_eco_keeps_wns_and_cuts_leakage(setup, run_cli):
    d, libs, sdc, insts, short, crit = setup
    swaps = [(nm, "NAND2_X1" if nm.endswith(".a") else "INV_X1", "NAND2_X1" if nm.endswith(".a") else "INV_X1",
              "PB16" if k % 3 else "PB10") for k, nm in enumerate(short)]
    plan = build_plan(insts, n=3, swaps=swaps)
    pp = d / "top.fvh.json"
    write_plan(pp, plan)
    script = d / "eco.tcl"
    code, _, err = run_cli("emit", "--plan", pp, "--tool", "opensta", "--out", script,
                           "--swap-cell", "PB16={cell}_PB16", "--swap-cell", "PB10={cell}_PB10")
    assert code == 0, err
    text = script.read_text()
    assert "replace_cell {u_core/g[0].a} NAND2_X1_PB10" in text
    checks = [f"puts [list REF {tcl_word(nm)} [get_property [get_cells {tcl_word(nm)}] ref_name]]" for nm in short]
    out = _run(d, libs, sdc, script, checks)
    before, after = out.split("=== after")
    ws0 = opensta.parse_value(before, "worst slack")
    ws1 = opensta.parse_value(after, "worst slack")
    wns0 = opensta.parse_value(before, "wns")
    wns1 = opensta.parse_value(after, "wns")
    leak0 = opensta.parse_power(before)["Total"]["leakage"]
    leak1 = opensta.parse_power(after)["Total"]["leakage"]
    refs = dict(re.findall(r"^REF \{?([^{}]+?)\}? (\S+)$", after, re.M))
    assert len(refs) == len(short)
    for k, nm in enumerate(short):
        base = "NAND2_X1" if nm.endswith(".a") else "INV_X1"
        assert refs[nm] == base + ("_PB16" if k % 3 else "_PB10")
    assert 0.0 < ws0 < 0.05                       # the clock is tight: the critical path decides
    assert abs(ws1 - ws0) <= 1e-3                 # worst slack unchanged within 1 ps
    assert wns0 == wns1 == 0.0
    assert leak1 < leak0 * 0.95                   # the swapped gates leak less
    print(f"\nOpenSTA ECO: {len(swaps)} swaps; worst slack {ws0 * 1e3:.3f} -> {ws1 * 1e3:.3f} ps, "
          f"leakage {leak0 * 1e9:.3f} -> {leak1 * 1e9:.3f} nW")


def test_opensta_negative_control_critical_swap_moves_slack(setup, run_cli):
    """The same check is sensitive: swapping critical-path cells does change the slack."""
    d, libs, sdc, insts, short, crit = setup
    plan = build_plan(insts, n=3, swaps=[(nm, "INV_X1", "INV_X1", "PB16") for nm in crit[:4]])
    pp = d / "crit.fvh.json"
    write_plan(pp, plan)
    script = d / "crit.tcl"
    code, _, err = run_cli("emit", "--plan", pp, "--tool", "opensta", "--out", script,
                           "--swap-cell", "PB16={cell}_PB16")
    assert code == 0, err
    before, after = _run(d, libs, sdc, script, []).split("=== after")
    ws0 = opensta.parse_value(before, "worst slack")
    ws1 = opensta.parse_value(after, "worst slack")
    assert ws1 < ws0 - 2e-3


def test_opensta_signature_table_matches_sta_help(require_tool):
    require_tool("sta")
    tab = load_table("opensta")["commands"]
    script = "\n".join(f"puts \"@@{c}\"; help {c}" for c in tab) + "\n"
    out = opensta.run_sta(script)
    parts = dict(re.findall(r"@@(\S+)\n(.*?)(?=@@|\Z)", out, re.S))
    for cmd, spec in tab.items():
        helptext = parts[cmd]
        assert helptext.strip().startswith(cmd), f"sta has no command {cmd}"
        for opt in spec["options"]:
            if opt in ("-min", "-max") and cmd == "report_worst_slack":
                continue   # accepted by the 2.0.17 parser, not listed by its help
            assert opt in helptext, f"{cmd}: {opt} not in sta's help"


def test_apply_plan_twin_inside_sta(setup, require_tool):
    """finevh::apply_plan sourced in OpenSTA's own shell applies the swaps in that session."""
    require_tool("finevh")
    d, libs, sdc, insts, short, crit = setup
    plan = build_plan(insts, n=3, swaps=[(nm, "INV_X1", "INV_X1", "PB16") for nm in short if nm.endswith(".b")])
    pp = d / "twin.fvh.json"
    write_plan(pp, plan)
    extra = [f"source {{{REPO / 'tcl' / 'finevh.tcl'}}}",
             f"finevh::apply_plan -plan {{{pp}}} -tool opensta -swap_cell {{PB16 {{{{cell}}_PB16}}}}",
             "set n 0",
             "foreach c [get_cells *] { if {[get_property $c ref_name] eq \"INV_X1_PB16\"} { incr n } }",
             "puts \"SWAPPED $n\""]
    out = opensta.run_sta(opensta.design_script(libs, d / "top.v", "top", sdc, extra=extra))
    assert int(re.search(r"^SWAPPED (\d+)$", out, re.M).group(1)) == N_SHORT


def _asap7_netlist(n_short: int = 16, n_crit: int = 12) -> tuple[str, list[str], list[str]]:
    """ASAP7 SLVT netlist with escaped names: an inverter-chain critical path and short paths."""
    sl = "_ASAP7_75t_SL"
    body, wires, insts, short = [], [], [], []
    body.append(f"  DFFHQNx1{sl} {_esc('u/src')} (.CLK(clk), .D(din), .QN({_esc('c[0]')}));")
    insts.append("u/src")
    wires.append(_esc("c[0]"))
    for k in range(n_crit):
        body.append(f"  INVx1{sl} {_esc(f'u/crit[{k}]')} (.A({_esc(f'c[{k}]')}), .Y({_esc(f'c[{k + 1}]')}));")
        wires.append(_esc(f"c[{k + 1}]"))
        insts.append(f"u/crit[{k}]")
    body.append(f"  DFFHQNx1{sl} {_esc('u/dst')} (.CLK(clk), .D({_esc(f'c[{n_crit}]')}), .QN(dout));")
    insts.append("u/dst")
    for i in range(n_short):
        q, x, y = _esc(f"q[{i}]"), _esc(f"x[{i}]"), _esc(f"y[{i}]")
        wires += [q, x, y]
        a, b = f"u/g[{i}].a", f"u/g[{i}].b"
        body.append(f"  DFFHQNx1{sl} {_esc(f'u/reg[{i}]')} (.CLK(clk), .D(in[{i}]), .QN({q}));")
        body.append(f"  NAND2xp5{sl} {_esc(a)} (.A({q}), .B(in[{i}]), .Y({x}));")
        body.append(f"  INVx1{sl} {_esc(b)} (.A({x}), .Y({y}));")
        body.append(f"  DFFHQNx1{sl} {_esc(f'u/out[{i}]')} (.CLK(clk), .D({y}), .QN(out[{i}]));")
        insts += [f"u/reg[{i}]", a, b, f"u/out[{i}]"]
        short += [a, b]
    text = ["module top (clk, din, dout, in, out);", "  input clk, din;", "  output dout;",
            f"  input [{n_short - 1}:0] in;", f"  output [{n_short - 1}:0] out;"]
    text += [f"  wire {w};" for w in wires] + body + ["endmodule", ""]
    return "\n".join(text), insts, short


def test_opensta_eco_asap7_sl_to_r(shared_data, tmp_path, run_cli, require_tool):
    """Real flavour names (ASAP7 SLVT -> RVT, distinct cell names: no --swap-cell needed)."""
    require_tool("sta")
    lib = shared_data / "liberty/asap7"
    libs = [opensta.prepare_liberty(next(lib.glob(f"asap7sc7p5t_{g}_{v}_TT_*.lib.gz")), tmp_path)
            for g, v in (("SIMPLE", "SLVT"), ("INVBUF", "SLVT"), ("SEQ", "SLVT"), ("SIMPLE", "RVT"), ("INVBUF", "RVT"))]
    text, insts, short = _asap7_netlist()
    (tmp_path / "top.v").write_text(text)
    loose = tmp_path / "loose.sdc"
    loose.write_text("create_clock -name clk -period 10000 [get_ports clk]\nset_input_delay 0 -clock clk [all_inputs]\n")
    out = opensta.run_sta(opensta.design_script(libs, tmp_path / "top.v", "top", loose,
                                                extra=["report_worst_slack -digits 4"]))
    period = round(10000 - opensta.parse_value(out, "worst slack") + 15, 2)      # ps: ~15 ps of slack
    sdc = tmp_path / "top.sdc"
    sdc.write_text(f"create_clock -name clk -period {period} [get_ports clk]\nset_input_delay 0 -clock clk [all_inputs]\n")
    swaps = [(nm, c + "_ASAP7_75t_SL", c + "_ASAP7_75t_R", "R")
             for nm in short for c in (["NAND2xp5"] if nm.endswith(".a") else ["INVx1"])]
    pp = tmp_path / "a7.fvh.json"
    write_plan(pp, build_plan(insts, n=2, swaps=swaps))
    script = tmp_path / "eco.tcl"
    code, _, err = run_cli("emit", "--plan", pp, "--tool", "opensta", "--out", script)
    assert code == 0, err
    assert "replace_cell {u/g[0].a} NAND2xp5_ASAP7_75t_R" in script.read_text()
    checks = [f"puts [list REF {tcl_word(nm)} [get_property [get_cells {tcl_word(nm)}] ref_name]]" for nm in short]
    before, after = _run(tmp_path, libs, sdc, script, checks).split("=== after")
    refs = dict(re.findall(r"^REF \{?([^{}]+?)\}? (\S+)$", after, re.M))
    assert refs == {s[0]: s[2] for s in swaps}
    ws0, ws1 = opensta.parse_value(before, "worst slack"), opensta.parse_value(after, "worst slack")
    leak0 = opensta.parse_power(before)["Total"]["leakage"]
    leak1 = opensta.parse_power(after)["Total"]["leakage"]
    assert 0 < ws0 < 30 and abs(ws1 - ws0) <= 1.0          # ps (ASAP7 time unit)
    assert leak1 < leak0
    print(f"\nASAP7 SL->R OpenSTA ECO: {len(swaps)} swaps; worst slack {ws0:.3f} -> {ws1:.3f} ps, "
          f"leakage {leak0:.4e} -> {leak1:.4e} W")
