"""The whole FINE-VH implementation chain from the CLI, ending in emit: ISCAS-89 s1196
mapped by Yosys onto demo28 PB0, placed, ``finevh partition`` (3x3), ``finevh vddmux``,
``finevh polybias`` (PB16 -> PB10 -> PB4), then ``finevh emit`` for every tool.

- every script passes its tool's signature table in a real Tcl interpreter, and the
  switches/flip-flops it places lie inside their tiles;
- the OpenSTA script runs for real in ``sta`` on the PB0 library plus renamed copies
  of the PB4/PB10/PB16 libraries: every swap lands, WNS is unchanged within 1 ps and
  the leakage falls.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import opensta  # noqa: E402
from tool_signatures.harness import run_script  # noqa: E402

from finevh.emit import TOOLS, emit_text  # noqa: E402
from finevh.emit.common import EmitOptions  # noqa: E402
from finevh.emit.tclquote import tcl_word  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
D28 = REPO / "libs/demo28"
PB = {f: D28 / f"demo28_ss_125C_1p00v_{f.lower()}.lib" for f in ("PB0", "PB4", "PB10", "PB16")}
LEF = D28 / "demo28.lef"
SWAP = {"PB16": "{cell}_PB16", "PB10": "{cell}_PB10", "PB4": "{cell}_PB4"}


def _libs(paths):
    out = []
    for p in paths:
        out += ["--liberty", str(p)]
    return out


@pytest.fixture(scope="module")
def flow(tmp_path_factory, shared_data, require_tool):
    require_tool("yosys")
    from click.testing import CliRunner

    from finevh.cli import cli
    from finevh.synth.yosys import map_to_liberty

    w = tmp_path_factory.mktemp("emit_flow")

    def run(*args):
        r = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
        assert r.exit_code == 0, r.stderr
        return r.stdout

    v = map_to_liberty([shared_data / "netlists/iscas89/s1196.v"], PB["PB0"], "s1196", w / "s1196.v",
                       exclude_cells=["VDDMUX*", "FILL*", "TIE*", "ICG*"])
    (w / "s.sdc").write_text("create_clock -name clk -period 0.85 [get_ports CK]\n"
                             "set_input_delay 0.05 -clock clk [all_inputs]\n"
                             "set_output_delay 0.05 -clock clk [all_outputs]\n"
                             "set_input_transition 0.02 [all_inputs]\n")
    # room for the 20-site Vdd-MUX switches in every tile (placed at floorplan time in the thesis)
    run("-q", "place", "--lef", LEF, "--liberty", PB["PB0"], "--verilog", v, "--utilization", "0.5",
        "--out", w / "p.def")
    run("-q", "partition", *_libs([PB["PB0"]]), "--lef", LEF, "--verilog", v, "--def", w / "p.def",
        "--tiles", "3", "--out", w / "a.fvh.json", "--def-out", w / "a.def")
    run("-q", "vddmux", "--plan", w / "a.fvh.json", *_libs([PB["PB0"]]), "--lef", LEF, "--verilog", v,
        "--def", w / "a.def", "--sdc", w / "s.sdc", "--out", w / "b.fvh.json", "--def-out", w / "b.def")
    run("-q", "polybias", "--plan", w / "b.fvh.json", *_libs(PB.values()), "--verilog", v, "--sdc", w / "s.sdc",
        "--lef", LEF, "--def", w / "a.def", "--out", w / "c.fvh.json")   # b.def holds switches the netlist lacks
    from finevh.fvh.plan import read_plan

    return {"dir": w, "v": Path(v), "sdc": w / "s.sdc", "plan_path": w / "c.fvh.json",
            "plan": read_plan(w / "c.fvh.json")}


def test_flow_plan_has_everything(flow):
    p = flow["plan"]
    assert p.mesh.n == 3 and p.vddmux.cells and len(p.config_chain.flops) == 9 and p.pb_swaps
    iface = {n for n, f in zip(p.inst_names, p.interface.tolist()) if f}
    assert all(s.instance in iface for s in p.pb_swaps)


@pytest.mark.parametrize("tool", TOOLS)
def test_flow_emit_every_tool(flow, tool, run_cli):
    out = flow["dir"] / f"flow.{tool}"
    args = ["emit", "--plan", flow["plan_path"], "--tool", tool, "--out", out]
    for fl, t in SWAP.items():
        args += ["--swap-cell", f"{fl}={t}"]
    code, _, err = run_cli(*args)
    assert code == 0, err
    text = out.read_text()
    assert text == emit_text(flow["plan"], tool, EmitOptions(swap_cell=SWAP))
    res = run_script(tool, text)
    p = flow["plan"]
    boxes = {t.id: t.box for t in p.mesh.tiles}
    if tool == "openroad":
        placed = {res.interp.eval(f"lindex {{{o['-inst_name']}}} 0"): [float(v) for v in o["-origin"].split()]
                  for _, o, _ in res.of("place_cell")}
        for c in p.vddmux.cells:
            x, y = placed[c.name]
            b = boxes[c.tile]
            assert b[0] - 1e-6 <= x and x + 2.72 <= b[2] + 1e-6 and b[1] - 1e-6 <= y < b[3]
        assert len(res.of("replace_cell")) == len(p.pb_swaps)
    if tool == "upf":
        assert len(res.of("create_power_switch")) == 9


def test_flow_opensta_eco_for_real(flow, run_cli, require_tool):
    require_tool("sta")
    w, p = flow["dir"], flow["plan"]
    libs = [PB["PB0"]] + [opensta.prepare_liberty(PB[f], w, suffix=f"_{f}") for f in ("PB4", "PB10", "PB16")]
    script = w / "eco.tcl"
    args = ["emit", "--plan", flow["plan_path"], "--tool", "opensta", "--out", script]
    for fl, t in SWAP.items():
        args += ["--swap-cell", f"{fl}={t}"]
    assert run_cli(*args)[0] == 0
    checks = [f"puts [list REF {tcl_word(s.instance)} [get_property [get_cells {tcl_word(s.instance)}] ref_name]]"
              for s in p.pb_swaps]
    pre = ["puts \"=== before\"", "report_worst_slack -digits 6", "report_wns -digits 6", "report_power -digits 6",
           "puts \"=== after\"", f"source {{{script}}}"] + checks
    out = opensta.run_sta(opensta.design_script(libs, flow["v"], "s1196", flow["sdc"], extra=pre))
    before, after = out.split("=== after")
    refs = {}
    for line in after.splitlines():
        if line.startswith("REF "):
            _, name, ref = opensta_split(line)
            refs[name] = ref
    assert {s.instance: f"{s.to_cell}_{s.flavour}" for s in p.pb_swaps} == refs
    wns0, wns1 = opensta.parse_value(before, "wns"), opensta.parse_value(after, "wns")
    leak0 = opensta.parse_power(before)["Total"]["leakage"]
    leak1 = opensta.parse_power(after)["Total"]["leakage"]
    assert abs(wns1 - wns0) <= 1e-3
    assert leak1 < leak0
    print(f"\ns1196 3x3 OpenSTA ECO: {len(p.pb_swaps)} swaps; WNS {wns0:.6f} -> {wns1:.6f} ns; worst slack "
          f"{opensta.parse_value(before, 'worst slack'):.6f} -> {opensta.parse_value(after, 'worst slack'):.6f} ns;"
          f" leakage {leak0 * 1e6:.4f} -> {leak1 * 1e6:.4f} uW")


def opensta_split(line: str) -> list[str]:
    import tkinter

    return list(tkinter.Tcl().splitlist(line))
