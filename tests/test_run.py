"""``finevh run`` end to end: the demo design (3 tile counts, 4 frequencies, 50 mV
grid to keep the test short; the full 16-point run is the README command), the
thesis' trends (docs/emulate.md), determinism, bad config, Tcl twin, power-manager
tables, and a real-library run (s38417 on the sky130 HD voltage sweep)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from runconfig import demo28_run_config

REPO = Path(__file__).resolve().parents[1]
D = REPO / "designs/demo"


def demo_config(path: Path, tiles=(3, 5, 7), freqs=4, dv=(200, 100), grid=0.05, emit=("openroad", "upf")) -> Path:
    return demo28_run_config(path, name="demo", verilog=D / "fvh_rv32_demo28.v", def_file=D / "fvh_rv32_demo28.def",
                             sdc=D / "fvh_rv32_demo28.sdc", tiles=tiles, delta_vdd_mv=dv, frequencies=freqs,
                             grid_step=grid, emit=emit)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    from click.testing import CliRunner

    from finevh.cli import cli

    tmp = tmp_path_factory.mktemp("run")
    cfg = demo_config(tmp / "demo.toml")
    out = tmp / "out"
    r = CliRunner().invoke(cli, ["run", str(cfg), "--out", str(out), "--quiet"], catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    return out, json.loads((out / "summary.json").read_text()), r


def test_summary_layout(demo_run):
    out, s, r = demo_run
    assert r.stderr == ""                                     # --quiet
    f = s["frequencies_mhz"]
    assert len(f) == 4 and all(a < b for a, b in zip(f, f[1:]))
    assert f[-1] == pytest.approx(100.0)                      # the SDC clock (10 ns) ends the sweep
    assert s["selection"] == "local" and len(s["leakage_recovery"]["fmax_grid_mhz"]) == len(s["vdd_grid_v"])
    assert s["fmax_grid_mhz"][0] < f[0]                        # (fmax(0.60 V), f_top]
    assert s["tiles_run"] == [9, 25, 49]
    for key, levels in (("200mV", [0.6, 0.8, 1.0]), ("100mV", [0.6, 0.7, 0.8, 0.9, 1.0])):
        b = s[key]
        assert b["levels_v"] == levels
        for k in ("ideal_dvfs_uw", "vdd_hopping_uw", "vdd_dithering_uw", "fine_vh_uw", "fine_vh_no_pb_uw"):
            assert len(b[k]) == 4 and all(v > 0 for v in b[k])
        assert sorted(b["vddl_area_share"], key=int) == ["9", "25", "49"]
        # the three baselines and the fair block (docs/emulate.md "Fair comparison")
        assert all(len(b["leakage_recovered"][k]) == 4 for k in ("ideal_dvfs_uw", "vdd_hopping_uw",
                                                                 "vdd_dithering_uw"))
        assert sorted(b["fair"]) == ["pb"] and len(b["fair"]["pb"]["vs_strongest_pct"]) == 4
        for tb in b["tiles"].values():
            assert sorted(tb["variants"]) == ["none", "pb"] and tb["variant"] == "pb"
            assert tb["variants"]["pb"]["fine_vh_uw"] == tb["fine_vh_uw"]
        assert b["fine_vh_uw"] == b["tiles"]["49"]["fine_vh_uw"]
        for t, tb in b["tiles"].items():
            assert all(tb["feasible"])
            assert all(len(row) == int(t) for row in tb["tile_vdd"])
            assert all(lo in levels and hi in levels and hi > lo for lo, hi in zip(tb["vddl_v"], tb["vddh_v"]))
        # schemes that keep the whole core at one supply obey ideal <= dithering <= hopping
        for i, d, h in zip(b["ideal_dvfs_uw"], b["vdd_dithering_uw"], b["vdd_hopping_uw"]):
            assert i <= d * (1 + 1e-9) and d <= h * (1 + 1e-9)
    # at 100 MHz Vdd-Hopping runs at 1.0 V: its power is the 1.0 V point scaled to f
    assert s["200mV"]["hopping_vdd_v"][-1] == 1.0
    assert (out / "schemes_200mV.csv").read_text().count("\n") == 5
    for nt in (9, 25, 49):
        assert (out / f"plans/demo_{nt}tiles.fvh.json").is_file()
        assert "create_power_domain" in (out / f"emit/demo_{nt}tiles_upf.upf").read_text()


def test_thesis_trends_on_demo(demo_run):
    _, s, _ = demo_run
    for key in ("200mV", "100mV"):
        b = s[key]
        ideal = np.array(b["ideal_dvfs_uw"])
        pb = np.array(b["fine_vh_uw"])
        nopb = np.array(b["fine_vh_no_pb_uw"])
        hop = np.array(b["vdd_hopping_uw"])
        # FINE-VH (49 tiles, PB) beats Vdd-Hopping at every point and ideal-DVFS on average
        assert np.all(pb < hop)
        assert np.mean(1 - pb / ideal) > 0.03
        # poly-bias helps: lower power than without it at every point
        assert np.all(pb < nopb)
        # the finer, the better: VddL area share rises 9 -> 25 -> 49 tiles (sweep mean)
        share = [np.mean(b["vddl_area_share"][t]) for t in ("9", "25", "49")]
        assert share[0] < share[1] < share[2]
    # without poly-bias the 200 mV savings shrink (thesis: they turn negative)
    sv = s["200mV"]["savings_pct"]
    assert sv["mean_no_pb_vs_ideal_dvfs"] < sv["mean_vs_ideal_dvfs"] - 5
    # the intra-tile leakage is what PB attacks: smaller with PB over the sweep
    t49 = s["200mV"]["tiles"]["49"]
    assert sum(t49["parts_uw"]["intra_tile_uw"]) < 0.8 * sum(t49["parts_no_pb_uw"]["intra_tile_uw"])



def test_done_when_full_sweep_49_tiles(tmp_path):
    """The issue's done-when on the committed demo, at the README run's resolution
    (16 frequencies, 25 mV ideal-DVFS grid, 49 tiles): FINE-VH with poly-bias at or
    below ideal-DVFS at every frequency for both ΔVdd; without poly-bias the 200 mV
    savings shrink. (Placement-sensitive: bench/bench_placement_seeds.py.)"""
    from finevh.run import load_config, run_flow

    cfg = load_config(demo_config(tmp_path / "full.toml", tiles=[7], freqs=16, grid=0.025, emit=[]))
    s = run_flow(cfg).summary
    assert len(s["frequencies_mhz"]) == 16
    for key in ("200mV", "100mV"):
        b = s[key]
        ideal, pb = np.array(b["ideal_dvfs_uw"]), np.array(b["fine_vh_uw"])
        assert np.all(pb <= ideal), (key, (1 - pb / ideal).round(4).tolist())
        assert all(b["tiles"]["49"]["feasible"])
        # the local search after Algorithm 5 never costs power; the fair block is there
        v = b["tiles"]["49"]["variants"]["pb"]
        assert all(p <= a * (1 + 1e-5) for p, a in zip(v["fine_vh_uw"], v["alg5_uw"]))
        assert b["fair"]["pb"]["losing_points"] == sum(1 for x in b["fair"]["pb"]["vs_strongest_pct"] if x < 0)
    sv = s["200mV"]["savings_pct"]
    assert sv["mean_no_pb_vs_ideal_dvfs"] < sv["mean_vs_ideal_dvfs"]

def test_polybias_corners_in_run(demo_run):
    """finevh run's poly-bias (corners auto): vdd_max at the SDC clock keeps its worst
    slack >= 0; every lower hopping level at its fmax keeps the all-PB0 design's 0 (to
    the timer's 10 fs resolution, docs/fvh.md); PB16 is the largest group of the swaps
    and about half of the interface cells leave PB0."""
    _, s, _ = demo_run
    for nt, pb in s["polybias"].items():
        cs = pb["corners"]
        assert [c["corner"].split("(")[0] for c in cs] == ["1@SDC", "0.9@fmax", "0.8@fmax", "0.7@fmax", "0.6@fmax"]
        assert cs[0]["worst_slack_before_ns"] > 0 and cs[0]["worst_slack_after_ns"] >= 0
        for c in cs[1:]:
            assert abs(c["worst_slack_before_ns"]) < 1e-6
            assert c["worst_slack_after_ns"] >= -1e-5
        fl = pb["interface_flavours"]
        assert sum(fl.values()) == pb["interface_cells"]
        # interface cells leave PB0, PB16 first (thesis Fig. 4.9: PB16 > 57 %; here, with no
        # timing margin at the fmax corners: 44-47 % PB16, 49-51 % leave PB0)
        assert fl["PB16"] == max(v for k, v in fl.items() if k != "PB0") and fl["PB0"] < 0.6 * pb["interface_cells"]


def test_pm_tables_follow_the_chain(demo_run):
    from finevh.fvh.plan import read_plan

    out, s, _ = demo_run
    plan = read_plan(out / "plans/demo_25tiles.fvh.json")
    pm = json.loads((out / "pm/demo_25tiles_100mV.json").read_text())
    assert pm["n_bytes"] == 4 and pm["chain_tiles"] == [f.tile for f in plan.config_chain.flops]
    tv = s["100mV"]["tiles"]["25"]["tile_vdd"]
    for e, row, f in zip(pm["entries"], tv, s["frequencies_mhz"]):
        assert e["f_mhz"] == f
        assert e["bits"] == "".join(str(row[t]) for t in pm["chain_tiles"])
    h = (out / "pm/demo_25tiles_100mV.h").read_text()
    assert "const uint8_t finevh_pm_table[FINEVH_PM_N_FREQ][FINEVH_PM_N_BYTES]" in h


def test_deterministic_summary(tmp_path):
    from finevh.run import load_config, run_flow, summary_text

    cfg = load_config(demo_config(tmp_path / "d.toml", tiles=[3], freqs=2, dv=[200], grid=0.1))
    a = summary_text(run_flow(cfg).summary)
    b = summary_text(run_flow(load_config(tmp_path / "d.toml")).summary)
    assert a == b and '"frequencies_mhz"' in a


def test_bad_config_exit_2(run_cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[design]\nname = "x"\n\n[fvh]\ntiles = [3, 1]\n')
    code, out, err = run_cli("run", bad, "--out", tmp_path / "o")
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"finevh: error: {bad}:")
    assert not (tmp_path / "o").exists()
    bad.write_text('[design]\nliberty = "nope/*.lib"\n')
    code, _, err = run_cli("run", bad)
    assert code == 2 and f"{bad}:2:" in err and "no file matches" in err
    bad.write_text('[fvh]\ntilez = [3]\n')
    code, _, err = run_cli("run", bad)
    assert code == 2 and f"{bad}:2:" in err and "unknown key 'tilez'" in err
    bad.write_text('[fvh\n')
    code, _, err = run_cli("run", bad)
    assert code == 2 and "TOML" in err
    cfg = demo_config(tmp_path / "pc.toml")
    text = cfg.read_text().replace('base_flavour = "PB0"', 'base_flavour = "PB0"\npolybias_corners = "1.0@SDC,0.8@fast"')
    cfg.write_text(text)
    line = text.splitlines().index('polybias_corners = "1.0@SDC,0.8@fast"') + 1
    code, _, err = run_cli("-q", "run", cfg, "--out", tmp_path / "o")
    assert code == 2 and f"{cfg}:{line}:" in err and "bad clock 'fast'" in err and err.count("\n") == 1
    # a malformed supply-crossing table: located in its own file, before the design is read
    tab = tmp_path / "bad.crossing"
    tab.write_text("finevh-crossing 1\nflavour PB0\npair 0.8 0.6\n")
    cfg = demo_config(tmp_path / "cx.toml")
    cfg.write_text(cfg.read_text().replace("[tech]\n", f'[tech]\ncrossing = "{tab}"\n'))
    code, _, err = run_cli("-q", "run", cfg, "--out", tmp_path / "o")
    assert code == 2 and err.startswith(f"finevh: error: {tab}:3: expected 'pair <VddL> <VddH>'") and err.count("\n") == 1
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("shell", ["tclsh", "sta", "yosys"])
def test_tcl_twin(shell, tmp_path, require_tool):
    """finevh::run_flow in tclsh, OpenSTA's sta and yosys -c: argument mapping, the
    one-line error of a bad config, and (tclsh) a real small run."""
    import os
    import sys

    exe = require_tool(shell)
    bad = tmp_path / "bad.toml"
    bad.write_text('[output]\ncolour = "red"\n')
    good = demo_config(tmp_path / "g.toml", tiles=[2], freqs=1, dv=[200], grid=0.2, emit=[])
    script = tmp_path / "t.tcl"
    run_ok = (f"set r [finevh::run_flow {good} -out {tmp_path / 'o'} -tiles {{2}} -frequencies 1 -quiet]\n"
              "puts \"OK [lindex [split $r \\n] end]\"\n") if shell == "tclsh" else ""
    script.write_text(f"source {{{REPO / 'tcl' / 'finevh.tcl'}}}\n"
                      f"if {{[catch {{finevh::run_flow {bad} -tiles {{3 5}} -quiet}} msg]}} {{ puts \"ERR $msg\" }}\n"
                      f"if {{[catch {{finevh::run_flow -bogus 1}} msg]}} {{ puts \"ERR2 $msg\" }}\n"
                      + run_ok + ("exit\n" if shell == "sta" else ""))
    env = {**os.environ, "FINEVH": f"{sys.executable} -m finevh"}
    cmd = [exe, "-q", "-c", str(script)] if shell == "yosys" else [exe, str(script)]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, stdin=subprocess.DEVNULL,
                       timeout=600)
    out = r.stdout + r.stderr
    assert f"ERR finevh: error: {bad}:2: unknown key 'colour'" in out, out
    assert "ERR2 finevh::run_flow: unknown option -bogus" in out, out
    if shell == "tclsh":
        assert f"OK wrote {tmp_path / 'o'}/summary.json" in out, out
        s = json.loads((tmp_path / "o/summary.json").read_text())
        assert s["tiles_run"] == [4] and len(s["frequencies_mhz"]) == 1


def test_sky130_voltage_sweep_end_to_end(tmp_path, shared_data, run_cli):
    """Real libraries: s38417 on sky130 HD ss -40C at 1.28 / 1.40 / 1.76 V (one flavour,
    no LUT: k = 1), placed by the embedded placer, 9 tiles, ΔVdd 240 mV."""
    lib = shared_data / "liberty/sky130_fd_sc_hd"
    lef = shared_data / "lef/sky130hd"
    (tmp_path / "s.sdc").write_text("create_clock -name clk -period 16 [get_ports CK]\n"
                                   "set_input_delay 0.5 -clock clk [all_inputs]\n"
                                   "set_output_delay 0.5 -clock clk [all_outputs]\n")
    cfg = tmp_path / "sky.toml"
    cfg.write_text(f"""
[design]
name = "s38417_sky130"
liberty = ["{lib}/sky130_fd_sc_hd__ss_n40C_1v76.lib.gz", "{lib}/sky130_fd_sc_hd__ss_n40C_1v28.lib.gz",
           "{lib}/sky130_fd_sc_hd__ss_n40C_1v40.lib.gz"]
lef = ["{lef}/sky130_fd_sc_hd.tlef", "{lef}/sky130_fd_sc_hd_merged.lef"]
verilog = "{shared_data}/mapped/s38417_sky130hd_tt.v"
sdc = "s.sdc"
[tech]
flavours = []
[fvh]
tiles = [3]
delta_vdd_mv = [240]
frequencies = 3
vdd_min = 1.28
vdd_max = 1.76
grid_step = 0.04
mux_cell = "sky130_fd_sc_hd__decap_12"
switch_max_ma = 1.0
emit = ["opensta"]
""")
    code, out, err = run_cli("-q", "run", cfg, "--out", tmp_path / "o")
    assert code == 0, err
    s = json.loads((tmp_path / "o/summary.json").read_text())
    b = s["240mV"]
    assert b["levels_v"] == [1.28, 1.52, 1.76]
    assert s["vdd_grid_v"][0] == 1.28 and s["vdd_grid_v"][-1] == 1.76 and len(s["vdd_grid_v"]) == 13
    fm = s["fmax_grid_mhz"]
    assert all(a < b_ for a, b_ in zip(fm, fm[1:]))          # faster at higher Vdd
    assert s["polybias"]["9"]["swapped_total"] == 0
    t = b["tiles"]["9"]
    assert t["fine_vh_uw"] == t["fine_vh_no_pb_uw"] and all(t["feasible"])
    assert all(abs(x) < 1e-6 for x in t["parts_uw"]["intra_tile_uw"])   # unit LUT
    assert all(p > 0 for p in b["ideal_dvfs_uw"])
    assert "FINE-VH (9 tiles)" in out
