"""`finevh sweep --design-space`: the saving-vs-area table, its Pareto front, failed
points recorded instead of stopping the sweep, the CSV and the report section."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from finevh import sweep as S
from finevh.errors import InputError

# (tiles per side) -> (border %, Vdd-MUX % of the mesh core, FINE-VH power / ideal-DVFS)
_POINTS = {1: (0.0, 0.2, 0.97), 2: (1.0, 0.4, 0.90), 3: (1.7, 0.6, 0.92), 4: (2.5, 0.8, 0.85)}


def space_task(point: S.SweepPoint, out_root: str) -> dict:
    """A run-shaped summary with the fields the design-space table reads; 5 x 5 tiles fail."""
    if point.tiles == 5:
        return {"failed": "vddmux: no room for 26 switches in tile 3", "design": "toy"}
    border, mux, ratio = _POINTS[point.tiles]
    nt = str(point.tiles ** 2)
    ideal = [100.0, 200.0, 300.0]
    fine = [x * ratio * (1.0 if point.dvdd_mv == 200 else 0.99) for x in ideal]
    strongest = [x * 0.93 for x in ideal]
    vs = [100 * (1 - a / b) for a, b in zip(fine, strongest)]
    return {"design": "toy", "frequencies_mhz": [10.0, 20.0, 30.0], "tiles_run": [point.tiles ** 2],
            "partition": {nt: {"area_overhead_pct": border}}, "vddmux": {nt: {"area_share_pct": mux}},
            f"{point.dvdd_mv}mV": {"ideal_dvfs_uw": ideal, "vdd_hopping_uw": ideal, "vdd_dithering_uw": ideal,
                                   "tiles": {nt: {"variant": "pb", "fine_vh_uw": fine,
                                                  "variants": {"pb": {"mean_savings_pct":
                                                                      {"vs_strongest": sum(vs) / 3}}}}}}}


def test_table_area_and_pareto_front(tmp_path):
    res = [(p, space_task(p, str(tmp_path))) for p in S.points(["/x/toy.toml"], [1, 2, 3, 4, 5], [200])]
    ok = [(p, s) for p, s in res if "failed" not in s]
    ds = S.design_space(S.combine(ok)["toy"], [{"tiles": 25, "dvdd_mv": 200, "reason": "x"}])
    rows = {r["tiles"]: r for r in ds["rows"]}
    assert sorted(rows) == [1, 4, 9, 16] and ds["failed"][0]["tiles"] == 25
    # area: border + Vdd-MUX share rescaled from the mesh core to the one-tile core
    assert rows[9]["area_overhead_pct"] == pytest.approx(1.7 + 0.6 * 1.017, abs=1e-4)
    assert rows[9]["saving_vs_thesis_pct"] == pytest.approx(8.0, abs=1e-9)
    assert rows[4]["saving_vs_strongest_pct"] == pytest.approx(100 * (1 - 0.90 / 0.93), abs=1e-3)
    # 3 x 3 saves less than 2 x 2 with more area: dominated; the others trade off
    assert [rows[t]["pareto_thesis"] for t in (1, 4, 9, 16)] == [True, True, False, True]
    assert [rows[t]["pareto_strongest"] for t in (1, 4, 9, 16)] == [True, True, False, True]
    csv = S.design_space_csv(ds).splitlines()
    assert csv[0].startswith("tiles,dvdd_mv,") and len(csv) == 5 and csv[3].split(",")[-2:] == ["False", "False"]


def test_serial_design_space_sweep_writes_csv_and_report(tmp_path):
    out = tmp_path / "ds"
    path = S.sweep([str(tmp_path / "toy.toml")], [1, 2, 3, 5], [200, 100], out, workers=0, task=space_task,
                   space=True)
    idx = json.loads(Path(path).read_text())
    assert idx["status"] == "complete" and "design_space" in idx["designs"]["toy"]
    summary = json.loads((out / "toy" / "summary.json").read_text())
    ds = summary["design_space"]
    assert len(ds["rows"]) == 6 and len(ds["failed"]) == 2
    assert {(r["tiles"], r["dvdd_mv"]) for r in ds["rows"]} == {(t, mv) for t in (1, 4, 9) for mv in (200, 100)}
    # the 100 mV rows save 1 % more at the same area: the 200 mV rows are all dominated
    assert all(not r["pareto_thesis"] for r in ds["rows"] if r["dvdd_mv"] == 200)
    page = (out / "toy" / "report.html").read_text()
    assert 'id="design-space"' in page and "no room for 26 switches" in page
    assert (out / "toy" / "design_space.csv").read_text().count("\n") == 7


def test_every_point_failing_is_an_error(tmp_path):
    with pytest.raises(Exception, match="every point failed"):
        S.sweep([str(tmp_path / "toy.toml")], [5], [200], tmp_path / "o", workers=0, task=space_task, space=True)
    with pytest.raises(InputError, match="frequencies"):
        S.points(["a.toml"], [1], [200], n_freq=1)


def test_group_points_share_one_flow_per_group():
    pts = S.group_points(["/x/a.toml"], [3, 1, 2, 10, 4], [200, 100], n_freq=4, groups=2)
    assert [p.tile_counts for p in pts] == [(1, 3, 10), (2, 4)]
    assert all(p.dvdds == (200, 100) and p.n_freq == 4 for p in pts)
    assert pts[0].label == "1+9+100tiles_200+100mV"
    # never more groups than tile counts; the single-point label is unchanged
    assert len(S.group_points(["/x/a.toml"], [2], [200], groups=4)) == 1
    assert S.points(["/x/a.toml"], [2], [200])[0].label == "4tiles_200mV"


def test_failed_group_falls_back_to_its_tile_counts(tmp_path, monkeypatch):
    """A group that cannot build one of its tile counts keeps the others: the group is
    re-run one tile count at a time and the failing one is recorded per ΔVdd."""
    calls = []

    def fake_run_point(point, out_root):
        calls.append(point.tile_counts)
        if 5 in point.tile_counts:
            raise InputError("vddmux: no room for 26 switches in tile 3")
        merged: dict = {}
        for n in point.tile_counts:
            for mv in point.dvdds:
                merged = S._merge(merged, space_task(S.SweepPoint(point.config, n, mv), out_root))
        return dict(merged, tiles_run=[n * n for n in point.tile_counts])

    monkeypatch.setattr(S, "run_point", fake_run_point)
    monkeypatch.setattr("finevh.run.load_config", lambda c: SimpleNamespace(name="toy"))
    grp = S.group_points(["/x/toy.toml"], [1, 3, 5], [200, 100], groups=1)[0]
    res = S.design_space_point(grp, str(tmp_path))
    assert calls == [(1, 3, 5), (1,), (3,), (5,)]
    assert res["tiles_run"] == [1, 9] and set(res["200mV"]["tiles"]) == {"1", "9"}
    assert [(f["tiles"], f["dvdd_mv"]) for f in res["failed_tiles"]] == [(25, 200), (25, 100)]
    S.write_sweep(tmp_path / "o", [(grp, res)], report=False, space=True)
    ds = json.loads((tmp_path / "o" / "toy" / "summary.json").read_text())["design_space"]
    assert {(r["tiles"], r["dvdd_mv"]) for r in ds["rows"]} == {(t, mv) for t in (1, 9) for mv in (200, 100)}
    assert [f["tiles"] for f in ds["failed"]] == [25, 25]
