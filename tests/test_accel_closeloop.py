"""Closing the loop on the flow's PE (docs/accel.md, "Closing the loop on the flow's PE"):
`finevh run` on the scalable-precision PE (designs/pe) -> summary.json ->
`finevh accel report --fine-vh-summary`. End to end on a small configuration (one tile
count, 4 frequencies, one ΔVdd), then the units and sums of the table, byte-identical
re-generation on a small hand-written summary, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from runconfig import demo28_run_config

REPO = Path(__file__).resolve().parents[1]
PE = REPO / "designs" / "pe"
NETS = "squeezenet1_1,alexnet"


@pytest.fixture(scope="module")
def pe_run(tmp_path_factory):
    """finevh run on designs/pe: 9 tiles, 4 frequencies, ΔVdd 100 mV, 50 mV grid."""
    from click.testing import CliRunner

    from finevh.cli import cli

    d = tmp_path_factory.mktemp("pe_run")
    cfg = demo28_run_config(d / "pe.toml", name="fvh_pe_demo28", verilog=PE / "fvh_pe_demo28.v",
                            def_file=PE / "fvh_pe_demo28.def", sdc=PE / "fvh_pe_demo28.sdc", tiles=[3],
                            delta_vdd_mv=[100], frequencies=4, grid_step=0.05, emit=[])
    r = CliRunner().invoke(cli, ["run", str(cfg), "--out", str(d / "out"), "--quiet"], catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    return d / "out" / "summary.json"


def _report(run_cli, summary, *extra):
    code, out, err = run_cli("accel", "report", "--networks", NETS, "--fine-vh-summary", summary, "--json", *extra)
    assert code == 0, err
    return json.loads(out)


def test_chain_b_below_a_where_emulation_says_so(pe_run, run_cli):
    s = json.loads(pe_run.read_text())
    assert s["tiles_run"] == [9] and len(s["frequencies_mhz"]) == 4
    sec = s["100mV"]
    ideal, fvh = sec["ideal_dvfs_uw"], sec["tiles"]["9"]["fine_vh_uw"]
    doc = _report(run_cli, pe_run, "--dvdd", "100mV", "--tiles", "9")
    assert (doc["dvdd"], doc["tiles"]) == ("100mV", 9)
    f = s["frequencies_mhz"]
    assert doc["sweep_mhz"] == f
    # energy per PE-cycle = P / f (uW / MHz = pJ), straight from the summary
    for k in range(4):
        assert doc["sweep_e_dvfs_pj"][k] == pytest.approx(ideal[k] / f[k], rel=1e-12)
        assert doc["sweep_e_fine_vh_pj"][k] == pytest.approx(fvh[k] / f[k], rel=1e-12)
    for r in doc["rows"]:
        for k in range(4):
            a, b = r["sweep_dvfs_uj"][k], r["sweep_fine_vh_uj"][k]
            if fvh[k] <= ideal[k]:
                assert b <= a, (r["network"], k)
            else:
                assert b > a, (r["network"], k)
        # at the target (the middle sweep point): the same rule on the table's columns
        k = doc["op_target"]["point"]
        assert doc["target_mhz"] == f[len(f) // 2] and k == len(f) // 2
        assert (r["fine_vh_uj"] <= r["dvfs_uj"]) == (fvh[k] <= ideal[k])
        assert r["fine_vh_uj"] == pytest.approx(r["sweep_fine_vh_uj"][k], rel=1e-12)
        assert r["dvfs_uj"] == pytest.approx(r["sweep_dvfs_uj"][k], rel=1e-12)
        # plain DVFS at a lower supply saves against nominal (1.0 V at fmax)
        assert r["dvfs_uj"] < r["nominal_uj"]


def test_chain_sums_and_units(pe_run, run_cli):
    from finevh.accel import workloads

    s = json.loads(pe_run.read_text())
    doc = _report(run_cli, pe_run)
    vmax = s["vdd_grid_v"][-1]
    e_nom = s["ideal_points_uw"][-1] / s["fmax_grid_mhz"][-1]
    assert doc["nominal"]["e_pj"] == pytest.approx(e_nom, rel=1e-12) and doc["nominal"]["vdd_v"] == vmax
    cols = ("nominal", "dvfs", "fine_vh", "precision", "fine_vh_precision")
    for r in doc["rows"]:
        layers = workloads.get(r["network"])
        assert len(r["per_layer"]) == len(layers) == r["layers"]
        for c in cols:
            # energy per inference (uJ) = sum over layers (pJ) / 1e6
            assert r[f"{c}_uj"] == pytest.approx(sum(L[c]["total_pj"] for L in r["per_layer"]) / 1e6, rel=1e-12)
        for L, lay in zip(r["per_layer"], layers):
            for c in cols:
                e = L[c]
                assert e["total_pj"] == pytest.approx(e["pe_pj"] + e["sram_pj"] + e["dram_pj"], rel=1e-12)
            # full mode: 4 PE-cycles per MAC + 2 per bias (Table 3.9), at P/f pJ each
            assert L["nominal"]["pe_cycles"] == lay.macs * 4 + lay.n_bias * 2
            assert L["nominal"]["pe_pj"] == pytest.approx(L["nominal"]["pe_cycles"] * e_nom, rel=1e-12)
            assert L["dvfs"]["pe_pj"] == pytest.approx(L["nominal"]["pe_cycles"] * doc["op_target"]["e_dvfs_pj"],
                                                       rel=1e-12)
            assert L["precision"]["pe_cycles"] == lay.macs * {"full": 4, "mixed": 2, "half": 1}[L["mode"]] \
                + lay.n_bias * 2
            # DRAM does not scale; SRAM scales with (Vdd / Vmax)^2; FINE-VH leaves memories alone
            assert L["dvfs"]["dram_pj"] == L["nominal"]["dram_pj"] == L["fine_vh"]["dram_pj"]
            assert L["dvfs"]["sram_pj"] == pytest.approx(
                L["nominal"]["sram_pj"] * (doc["op_target"]["vdd_v"] / vmax) ** 2, rel=1e-12)
            assert L["fine_vh"]["sram_pj"] == L["dvfs"]["sram_pj"]
        # (c) keeps the latency: clock lowered by the cycle ratio
        assert r["f_precision_mhz"] == pytest.approx(doc["target_mhz"] * r["cycles_precision"] / r["cycles_full"])
        assert r["cycles_precision"] < r["cycles_full"] and r["precision_uj"] < r["dvfs_uj"]


# --- a small hand-written summary: exact numbers, byte-identical outputs, bad input ---

def _fixture_summary(path: Path, **over) -> Path:
    doc = {
        "format": "finevh-run-summary", "version": 1, "design": "tiny",
        "frequencies_mhz": [150.0, 200.0, 250.0], "tiles_run": [4],
        "vdd_grid_v": [0.6, 0.8, 1.0], "fmax_grid_mhz": [100.0, 200.0, 300.0],
        "ideal_points_uw": [50.0, 160.0, 360.0],
        "100mV": {"fine_vh_tiles": 4, "ideal_dvfs_uw": [120.0, 160.0, 260.0],
                  "tiles": {"4": {"fine_vh_uw": [110.0, 170.0, 200.0], "feasible": [True, True, False]}}},
    }
    doc.update(over)
    path.write_text(json.dumps(doc, indent=1))
    return path


def test_fixture_numbers(tmp_path, run_cli):
    from finevh.accel.closeloop import read_fine_vh_summary

    p = _fixture_summary(tmp_path / "s.json")
    c = read_fine_vh_summary(p)
    assert (c.dvdd, c.tiles) == ("100mV", 4)
    op = c.operating_point(180.0)            # next sweep point: 200 MHz, 0.8 V
    assert (op["f_run_mhz"], op["vdd_v"], op["point"]) == (200.0, 0.8, 1)
    assert op["e_dvfs_pj"] == pytest.approx(0.8) and op["e_fine_vh_pj"] == pytest.approx(0.85)
    op = c.operating_point(250.0)            # FINE-VH infeasible: ideal-DVFS power, flagged
    assert op["fine_vh_fallback"] and op["e_fine_vh_pj"] == op["e_dvfs_pj"] == pytest.approx(260 / 250)
    op = c.operating_point(90.0)             # below fmax(vdd_min): vdd_min at its fmax for both
    assert (op["vdd_v"], op["e_dvfs_pj"], op["e_fine_vh_pj"]) == (0.6, 0.5, 0.5)
    doc = _report(run_cli, p, "--target-mhz", "150")
    r = doc["rows"][0]
    # (b) saves 10 uW of 120 uW on the PE only: (a) - (b) = PE-cycles x (120 - 110) / 150 pJ
    pe_cycles = sum(L["dvfs"]["pe_cycles"] for L in r["per_layer"])
    assert (r["dvfs_uj"] - r["fine_vh_uj"]) * 1e6 == pytest.approx(pe_cycles * 10 / 150, rel=1e-9)


def test_report_byte_identical(tmp_path, run_cli):
    p = _fixture_summary(tmp_path / "s.json")
    outs = []
    for i in range(2):
        d = tmp_path / f"r{i}"
        d.mkdir()
        for args in (("-o", d / "t.txt", "--plot", d / "p.png"), ("--json", "-o", d / "t.json")):
            code, _, err = run_cli("accel", "report", "--networks", NETS, "--fine-vh-summary", p, *args)
            assert code == 0, err
        outs.append({f: (d / f).read_bytes() for f in ("t.txt", "t.json", "p.png")})
    assert outs[0] == outs[1]
    assert outs[0]["p.png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert b"(b) FINE-VH" in outs[0]["t.txt"]


@pytest.mark.parametrize("content, args, msg", [
    ("{\n  \"format\": \n", (), "s.json:3: not JSON"),
    ('{"format": "other", "version": 1}', (), "not a finevh-run-summary"),
    (None, ("--dvdd", "300mV"), "ΔVdd 300mV not in the summary"),
    (None, ("--dvdd", "abc"), "--dvdd must be"),
    (None, ("--tiles", "7"), "7 tiles not in the summary"),
    (None, ("--target-mhz", "400"), "--target-mhz must be in (0, 250]"),
    (None, ("--pe-power", "x.csv"), "not both"),
])
def test_bad_input(tmp_path, run_cli, content, args, msg):
    p = tmp_path / "s.json"
    if content is None:
        _fixture_summary(p)
    else:
        p.write_text(content)
    out = tmp_path / "t.txt"
    code, _, err = run_cli("accel", "report", "--networks", "alexnet", "--fine-vh-summary", p, "-o", out, *args)
    assert code == 2 and msg in err and err.count("\n") == 1, err
    assert not out.exists()


def test_dvdd_without_summary_is_an_error(run_cli):
    code, _, err = run_cli("accel", "report", "--networks", "alexnet", "--tiles", "4")
    assert code == 2 and "--dvdd and --tiles need --fine-vh-summary" in err


def test_committed_report_matches_its_summary(run_cli, tmp_path):
    """reports/accel/closeloop.txt is what `make.sh --report` gives from the committed summary."""
    rep = REPO / "reports" / "accel"
    out = tmp_path / "t.txt"
    code, _, err = run_cli("accel", "report", "--fine-vh-summary", rep / "fvh_pe_summary.json",
                           "--dvdd", "100mV", "-o", out)
    assert code == 0, err
    assert out.read_bytes() == (rep / "closeloop.txt").read_bytes()
