"""The fair comparison of ``finevh run`` (docs/emulate.md "Fair comparison"): the three
baselines, the decomposition of the saving, the FINE-VH variants and the power-aware
local search after Algorithm 5 — on the demo (9 tiles, 4 frequencies, 50 mV grid,
ΔVdd 200 mV, both poly-bias variants) and on synthetic tile maps."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from runconfig import demo28_run_config

from finevh.errors import InputError
from finevh.fvh.vddselect import CriticalPath, improve_selection

REPO = Path(__file__).resolve().parents[1]
D = REPO / "designs/demo"


def _config(path: Path, extra_tech: str = "", extra_fvh: str = "", **kw) -> Path:
    p = demo28_run_config(path, name="demo", verilog=D / "fvh_rv32_demo28.v", def_file=D / "fvh_rv32_demo28.def",
                          sdc=D / "fvh_rv32_demo28.sdc", emit=[], **kw)
    text = p.read_text()
    text = text.replace('flavours = ["PB16", "PB10", "PB4"]\n', 'flavours = ["PB16", "PB10", "PB4"]\n' + extra_tech)
    text = text.replace("[fvh]\n", "[fvh]\n" + extra_fvh)
    p.write_text(text)
    return p


@pytest.fixture(scope="module")
def fair_run(tmp_path_factory):
    from finevh.run import load_config, output_files, run_flow

    tmp = tmp_path_factory.mktemp("fair")
    cfg = load_config(_config(tmp / "fair.toml", 'polybias_cells = "both"\n', tiles=[3], frequencies=4,
                              grid_step=0.05, delta_vdd_mv=[200]))
    res = run_flow(cfg)
    return res, output_files(res)


# ---- the three baselines -------------------------------------------------------------------

def test_three_baselines_present_and_consistent(fair_run):
    res, _ = fair_run
    s = res.summary
    lr = s["leakage_recovery"]
    # recovery on every cell: leakage of the unpartitioned design at 1.0 V at least a quarter
    # lower (31 % measured); fmax kept at every fmax corner (the poly-bias acceptance rule, no margin)
    assert lr["swapped_total"] > 0.3 * 15600
    assert lr["leakage_after_uw"] < 0.75 * lr["leakage_before_uw"]
    assert all(-0.01 < c <= 1e-9 for c in lr["fmax_change_pct"]), lr["fmax_change_pct"]
    # the "all" variant's recovery starts from the interface variant's cells
    pa, pi = s["polybias_all_cells"]["9"], s["polybias"]["9"]
    assert pa["leakage_before_uw"] == pytest.approx(pi["leakage_after_uw"], rel=1e-9)
    for dv in ("200mV",):
        b = s[dv]
        a = np.array(b["ideal_dvfs_uw"])
        c = np.array(b["leakage_recovered"]["ideal_dvfs_uw"])
        # (c) is the same netlist and placement with less leakage at the same fmax: below (a)
        assert np.all(c < a)
        for k in ("ideal_dvfs_uw", "vdd_hopping_uw", "vdd_dithering_uw"):
            assert len(b["leakage_recovered"][k]) == 4
        v = b["tiles"]["9"]["variants"]
        assert sorted(v) == ["all", "none", "pb"] and b["tiles"]["9"]["variant"] == "pb"
        bn, bp, ba = (np.array(v[k]["same_cells"]["ideal_dvfs_uw"]) for k in ("none", "pb", "all"))
        # same placement and wires; poly-bias only moves cells to lower-leakage flavours
        # within the timing rule, and "all" adds cells to "pb"'s: none >= pb >= all
        assert np.all(bp < bn) and np.all(ba < bp)
        for k, blk in v.items():
            sc = blk["same_cells"]
            for i, d, h in zip(sc["ideal_dvfs_uw"], sc["vdd_dithering_uw"], sc["vdd_hopping_uw"]):
                assert i <= d * (1 + 1e-9) <= h * (1 + 1e-9)
            # the strongest baseline is the lowest of the three at every point
            strong = np.minimum(np.minimum(a, np.array(sc["ideal_dvfs_uw"])), c)
            assert np.allclose(blk["strongest_baseline_uw"], strong, rtol=1e-5)
        fair = b["fair"]
        assert sorted(fair) == ["all", "pb"]
        assert fair["pb"]["vs_strongest_pct"] == v["pb"]["savings_pct"]["vs_strongest"]


def test_waterfall_sums_to_the_total(fair_run):
    res, files = fair_run
    s = res.summary
    for dv in ("200mV",):
        b = s[dv]
        for k, blk in b["tiles"]["9"]["variants"].items():
            w = blk["waterfall_pct"]
            steps = np.array([w[x] for x in ("placement", "polybias", "two_supplies", "intra_tile", "overhead")])
            assert np.allclose(steps.sum(axis=0), w["total"], atol=1e-4)
            # the total is the saving against the thesis-style ideal-DVFS
            assert np.allclose(w["total"], blk["savings_pct"]["vs_thesis_ideal_dvfs"], atol=1e-4)
            if k == "none":
                assert all(x == 0 for x in w["polybias"])
            else:
                assert all(x > 0 for x in w["polybias"])        # poly-bias cuts leakage
            assert all(x <= 0 for x in w["overhead"])            # switches and chain only cost
        # the headline block's total is the summary's saving vs ideal-DVFS
        main = b["tiles"]["9"]["variants"]["pb"]["waterfall_pct"]["total"]
        assert np.allclose(main, b["savings_pct"]["vs_ideal_dvfs"], atol=1e-3)   # that one from rounded powers
        wf = files[f"waterfall_{dv}.csv"].splitlines()
        assert wf[0] == "f_mhz,placement_pct,polybias_pct,two_supplies_pct,intra_tile_pct,overhead_pct,total_pct"
        assert len(wf) == 5
    head = files["schemes_200mV.csv"].splitlines()[0].split(",")
    assert {"lr_ideal_dvfs_uw", "pb_same_cells_ideal_dvfs_9t_uw", "pb_alg5_9t_uw", "all_fine_vh_9t_uw"} <= set(head)


def test_local_search_never_above_algorithm5(fair_run):
    res, _ = fair_run
    tr = res.tile_runs[0]
    gains = []
    for (mv, key), pts in tr.fine.items():
        for p in pts:
            assert p.power_uw <= p.alg5_uw * (1 + 1e-12)
            if key == "none":                                    # the ablation keeps Algorithm 5
                assert p.power_uw == p.alg5_uw and p.moves == 0
            else:
                gains.append(1 - p.power_uw / p.alg5_uw)
                if p.moves:
                    assert not np.array_equal(p.high, p.alg5_high)
    assert max(gains) > 0.01                                     # it does find better maps


def test_report_leads_with_the_fair_comparison(fair_run, tmp_path):
    from finevh.report import write_report
    from finevh.run import summary_text

    res, _ = fair_run
    (tmp_path / "summary.json").write_text(summary_text(res.summary))
    page = write_report(tmp_path).read_text()
    assert page.index('<table id="fair">') < page.index('<table id="waterfall">') < page.index('<table id="summary">')
    assert "interface rule + recovery on all cells" in page
    rep = json.loads((tmp_path / "report" / "report.json").read_text())
    e = rep["dvdd"]["200mV"]["tiles"]["9"]
    assert e["avg_savings_vs_strongest_pct"] == pytest.approx(res.summary["200mV"]["fair"]["pb"]["mean_pct"],
                                                              abs=1e-3)
    assert (tmp_path / "report" / "waterfall_200mV.csv").is_file()
    assert (tmp_path / "report" / "baselines_200mV.csv").read_text().startswith(
        "f_mhz,thesis_ideal_dvfs_uw,leakage_recovered_ideal_dvfs_uw,same_cells_9_ideal_dvfs_uw")


# ---- configuration -------------------------------------------------------------------------

@pytest.mark.parametrize("tech,fvh,key", [('polybias_cells = "some"\n', "", "polybias_cells"),
                                          ("", 'selection = "greedy"\n', "selection"),
                                          ("", "selection = 3\n", "selection")])
def test_bad_variant_keys(tmp_path, tech, fvh, key):
    from finevh.run import load_config

    p = _config(tmp_path / "bad.toml", tech, fvh)
    with pytest.raises(InputError) as e:
        load_config(p)
    assert key in e.value.message and e.value.line == next(
        k for k, ln in enumerate(p.read_text().splitlines(), 1) if ln.startswith(key))


def test_variant_keys_default_and_choice(tmp_path):
    from finevh.run import load_config

    c = load_config(_config(tmp_path / "a.toml"))
    assert (c.polybias_cells, c.selection, c.variants()) == ("interface", "local", ("none", "pb"))
    c = load_config(_config(tmp_path / "b.toml", 'polybias_cells = "all"\n', 'selection = "alg5"\n'))
    assert (c.polybias_cells, c.selection, c.variants()) == ("all", "alg5", ("none", "all"))


# ---- the local search on synthetic maps ----------------------------------------------------

def _synthetic(n_tiles=6):
    """Tile t has one instance with delay d[t] at VddH, 2·d[t] at VddL; the path is the
    sum over tiles (a chain through every tile). Power of a tile: p_hi[t] / p_lo[t]."""
    d = np.array([1.0, 3.0, 0.5, 2.0, 1.5, 0.8])[:n_tiles]
    p_hi = np.array([5.0, 2.0, 9.0, 4.0, 7.0, 3.0])[:n_tiles]
    p_lo = 0.4 * p_hi
    tile_of = np.arange(n_tiles)
    calls = []

    def time_fn(high):
        calls.append(high.copy())
        delays = np.where(high, d, 2 * d)
        return CriticalPath(0.0, -float(delays.sum()), np.arange(n_tiles), delays)

    def power_fn(high):
        return float(np.where(high, p_hi, p_lo).sum())

    return d, tile_of, time_fn, power_fn, calls


def test_local_search_reaches_a_feasible_local_optimum():
    d, tile_of, time_fn, power_fn, calls = _synthetic()
    period = float(d.sum() * 1.5)                # half the delay at VddH, half at VddL
    start = np.ones(6, dtype=bool)               # everything at VddH: feasible, wasteful
    r = improve_selection(start, tile_of, power_fn, time_fn, period)
    assert r.converged and r.power_uw < r.start_uw
    assert time_fn(r.high).required_period_ns <= period
    assert r.power_uw == pytest.approx(power_fn(r.high))
    # local optimum: no feasible single flip lowers the power
    for t in range(6):
        h = r.high.copy()
        h[t] = not h[t]
        assert power_fn(h) >= r.power_uw or time_fn(h).required_period_ns > period
    # deterministic
    r2 = improve_selection(start, tile_of, power_fn, time_fn, period)
    assert r2.high.tolist() == r.high.tolist() and r2.moves == r.moves


def test_local_search_swap_moves_and_budget():
    d, tile_of, time_fn, power_fn, calls = _synthetic()
    # tile 2 (d 0.5, power 9) at VddH, tile 1 (d 3, power 2) at VddL: raising 1 and
    # lowering 2 keeps the period and saves power; neither single flip does both
    high = np.array([True, False, True, True, True, True])
    period = time_fn(high).required_period_ns
    r = improve_selection(high, tile_of, power_fn, time_fn, period)
    # the clock is tight: every lowering alone fails; the best swap lowers tile 2 (power 9)
    # and raises tile 1, the VddL tile with the most delay on the failing path
    assert r.moves[0] == ("swap", 2, 1)
    assert r.power_uw < power_fn(high) and time_fn(r.high).required_period_ns <= period
    # a timing budget stops early, still with a feasible map no worse than the start
    r0 = improve_selection(high, tile_of, power_fn, time_fn, period, max_timing_runs=0)
    assert not r0.converged and r0.high.tolist() == high.tolist() and r0.power_uw == power_fn(high)


# ---- poly-bias that knows the tile maps (issue 13, build item 5) ---------------------------

def test_polybias_rounds_keep_the_selected_maps(tmp_path):
    """``polybias_rounds = 3``: round 1 is the uniform-corner stage (the same swept power
    as a one-round run); every further round re-runs the stage against the maps the
    selection picked and is kept only when the swept FINE-VH power drops; the plan and
    the headline describe the kept round."""
    from finevh.run import load_config, run_flow, _swept_power

    def run(rounds):
        cfg = load_config(_config(tmp_path / f"r{rounds}.toml", f"polybias_rounds = {rounds}\n", tiles=[3],
                                  frequencies=4, grid_step=0.05, delta_vdd_mv=[200]))
        assert cfg.polybias_rounds == rounds
        return run_flow(cfg)

    one, three = run(1), run(3)
    assert "map_rounds" not in one.tile_runs[0].polybias
    p1 = _swept_power({200: one.tile_runs[0].fine[(200, "pb")]})
    tr = three.tile_runs[0]
    hist = tr.polybias["map_rounds"]
    assert hist[0]["round"] == 1 and hist[0]["kept"] and hist[0]["corners"] == "uniform"
    assert hist[0]["fine_vh_swept_uw"] == pytest.approx(p1, rel=1e-9)
    assert [h["round"] for h in hist] == list(range(1, len(hist) + 1)) and 2 <= len(hist) <= 3
    kept = [h for h in hist if h["kept"]]
    assert kept == hist[:len(kept)]                      # the rounds stop at the first one not kept
    assert all(b["fine_vh_swept_uw"] < a["fine_vh_swept_uw"] for a, b in zip(kept, kept[1:]))
    for h in hist[1:]:
        assert h["corners"].startswith("SDC + ") and h["corners"].endswith(" maps")
    final = _swept_power({200: tr.fine[(200, "pb")]})
    assert final == pytest.approx(kept[-1]["fine_vh_swept_uw"], rel=1e-9) and final <= p1
    assert len(tr.plan.pb_swaps) == tr.polybias["swapped_total"] == kept[-1]["swapped_total"]
    assert tr.plan.reports["polybias"]["map_rounds"] == hist
    s = three.summary["200mV"]
    assert np.allclose(s["fine_vh_uw"], [p.power_uw for p in tr.fine[(200, "pb")]], rtol=0, atol=0.005)  # 0.01 uW
    # the no-poly-bias ablation does not depend on the rounds
    assert [p.power_uw for p in tr.fine[(200, "none")]] == [p.power_uw for p in one.tile_runs[0].fine[(200, "none")]]


def test_selected_maps_dedupe_to_the_shortest_period():
    from finevh.fvh.emulate import PERIOD_TOL_NS, FineVhPoint
    from finevh.fvh.polybias import SLACK_EPS_NS, distinct_maps
    from finevh.run import _selected_maps

    it = np.array([0, 1, 1, 0])
    pts = [FineVhPoint(f, 1.0, 0.6, 0.8, np.array(h), feas, 0.5, {})
           for f, h, feas in ((50.0, [True, False], True), (60.0, [True, False], True),
                              (55.0, [False, True], True), (70.0, [True, True], False))]
    maps = _selected_maps({200: pts}, it)
    assert len(maps) == 3                                  # the infeasible point is no corner
    assert maps[0].tile_vdd == (0.8, 0.6) and maps[2].tile_vdd == (0.6, 0.8)
    assert maps[0].period_ns == pytest.approx(20.0 + PERIOD_TOL_NS - SLACK_EPS_NS, abs=1e-12)
    d = distinct_maps(maps)
    shift = PERIOD_TOL_NS - SLACK_EPS_NS
    assert [m.tile_vdd for m in d] == [(0.8, 0.6), (0.6, 0.8)]
    assert [m.period_ns for m in d] == pytest.approx([1000 / 60 + shift, 1000 / 55 + shift], abs=1e-12)
    assert "0.6/0.8 map (1 of 2 tiles at 0.8)" in d[0].label
