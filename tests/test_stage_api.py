"""One stage API: the step-by-step CLI (partition -> vddmux -> polybias -> emit) and
``finevh run`` with the same options give byte-identical plans and emitted scripts, and
the CLI's option defaults are the stage option dataclasses' defaults."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "designs" / "demo"
L = REPO / "libs" / "demo28"
TOOLS = ("openroad", "icc2", "innovus", "primetime", "opensta", "upf")


def _libs() -> list[str]:
    out = ["--liberty", str(L / "demo28_ss_125C_1p00v_pb0.lib")]
    for f in sorted(L.glob("demo28_ss_125C_*.lib")):
        out += ["--liberty", str(f)]
    return out


def test_step_by_step_equals_run_on_demo(run_cli, tmp_path):
    d = ["--verilog", str(DEMO / "fvh_rv32_demo28.v"), "--lef", str(L / "demo28.lef"),
         "--sdc", str(DEMO / "fvh_rv32_demo28.sdc")]
    plan = tmp_path / "p.fvh.json"
    part = tmp_path / "part.def"
    code, out, err = run_cli("-q", "partition", *_libs(), *d, "--def", str(DEMO / "fvh_rv32_demo28.def"),
                             "--tiles", "3", "--out", plan, "--def-out", part, "--json")
    assert code == 0, err
    code, out, err = run_cli("-q", "vddmux", "--plan", plan, *_libs(), *d, "--def", part, "--json")
    assert code == 0, err
    # the run's hop levels for dVdd 200 and 100 mV over 0.6..1.0 V
    code, out, err = run_cli("-q", "polybias", "--plan", plan, *_libs(), *d, "--def", part,
                             "--flavours", "PB16,PB10,PB4", "--levels", "0.6,0.7,0.8,0.9,1.0", "--json")
    assert code == 0, err
    pb = json.loads(out)
    assert pb["swapped_total"] > 1000
    # the run's corners: own supply at the clock, each lower hop level at its fmax
    assert [c["vdd_v"] for c in pb["corners"]] == [1.0, 0.9, 0.8, 0.7, 0.6]
    assert "SDC" in pb["corners"][0]["corner"] and all("fmax" in c["corner"] for c in pb["corners"][1:])
    for tool in TOOLS:
        ext = "upf" if tool == "upf" else "tcl"
        code, _, err = run_cli("-q", "emit", "--plan", plan, "--tool", tool, "--vddh", "1.0", "--vddl", "0.8",
                               "--out", tmp_path / f"e_{tool}.{ext}")
        assert code == 0, err
    r = tmp_path / "r"
    code, out, err = run_cli("-q", "run", str(DEMO / "finevh.toml"), "--tiles", "3", "--frequencies", "2",
                             "--out", r)
    assert code == 0, err
    assert plan.read_bytes() == (r / "plans" / "fvh_rv32_demo28_9tiles.fvh.json").read_bytes()
    for tool in TOOLS:
        ext = "upf" if tool == "upf" else "tcl"
        a = (tmp_path / f"e_{tool}.{ext}").read_bytes()
        assert a == (r / "emit" / f"fvh_rv32_demo28_9tiles_{tool}.{ext}").read_bytes(), tool
    # the run's plan carries the full stage reports the CLI printed
    saved = json.loads(plan.read_text())["reports"]
    assert saved["polybias"]["swapped_total"] == pb["swapped_total"]
    assert set(saved) == {"partition", "vddmux", "polybias"}


@pytest.mark.parametrize("command,options", [
    ("partition", "PartitionOptions"), ("vddmux", "VddmuxOptions"), ("polybias", "PolybiasOptions")])
def test_cli_defaults_are_the_stage_defaults(command, options):
    """Every CLI option that names a stage option has that option's default."""
    from finevh.cli import cli
    from finevh.stages import options as O

    cmd = cli.commands[command]
    defaults = {p.name: p.default for p in cmd.params}
    opts = getattr(O, options)()
    alias = {"wrapper": "wrapper_um"}
    checked = 0
    for f in dataclasses.fields(opts):
        names = [k for k, v in alias.items() if v == f.name] + [f.name]
        for n in names:
            if n in defaults:
                want = getattr(opts, f.name)
                got = defaults[n]
                if f.name == "supply_names":
                    got = tuple(got.split(","))
                if f.name == "tiles":
                    got = int(got)
                assert got == want, (command, n)
                checked += 1
    if command in ("vddmux", "polybias"):
        assert tuple(defaults["input_activity"]) == opts.activity.input_default
        checked += 1
    assert checked >= 3


def test_run_config_defaults_are_the_stage_defaults(tmp_path):
    """A key left out of the run config means the stage option's default."""
    from finevh.config import RunConfig
    from finevh.stages import PartitionOptions, PolybiasOptions, VddmuxOptions

    cfg = RunConfig(source="x", name="x", liberty=[], lef=[], verilog="v", sdc="s")
    assert cfg.partition_options(3) == PartitionOptions(tiles=3)
    v = cfg.vddmux_options(VddmuxOptions().activity)
    assert v == VddmuxOptions()
    b = cfg.polybias_options([0.6, 1.0], PolybiasOptions().activity)
    assert dataclasses.replace(b, levels=None) == PolybiasOptions()


def test_partition_without_lef_equals_with_lef(tmp_path):
    """A shell with a placement but no LEF (OpenSTA): footprints from Liberty area / row
    height and a one-site wrapper give the demo the same tiles and interface cells."""
    import numpy as np

    from finevh.loader import load_design
    from finevh.stages import PartitionOptions, partition_stage

    lib = [str(L / "demo28_ss_125C_1p00v_pb0.lib")]
    v, dd = str(DEMO / "fvh_rv32_demo28.v"), str(DEMO / "fvh_rv32_demo28.def")
    with_lef = load_design(lib, v, None, [str(L / "demo28.lef")], dd)
    no_lef = load_design(lib, v, None, [], dd)
    assert np.allclose(with_lef.placement.width, no_lef.placement.width, rtol=0, atol=1e-9)
    a = partition_stage(with_lef, None, None, PartitionOptions(tiles=3))
    b = partition_stage(no_lef, None, None, PartitionOptions(tiles=3))
    assert np.array_equal(a.plan.inst_tile, b.plan.inst_tile)
    assert np.array_equal(a.plan.interface, b.plan.interface)
    assert a.report["area_overhead_pct"] == b.report["area_overhead_pct"]
    assert b.report["wrapper_layer"] is None and a.report["wrapper_layer"] == "M1"
