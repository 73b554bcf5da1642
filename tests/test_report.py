"""Run reports (finevh.report, `finevh report`): figures, CSV/JSON data, one
self-contained deterministic HTML page, rendered in headless Chromium."""

from __future__ import annotations

import csv
import json
import subprocess

import numpy as np
import pytest

from finevh.fvh.dvfs import evaluate_schemes, frequency_sweep, hopping_levels, vdd_grid
from finevh.fvh.plan import Mesh, PbSwap, Plan, Tile, write_plan
from finevh.report import data as rdata
from finevh.report import write_report
from conftest import no_id  # noqa: E402


def _power(v: float, f: float) -> float:
    """A CMOS-shaped model: dynamic C·V²·f + leakage ~ V³ (uW, V, MHz)."""
    return 5.0 * v * v * f + 100.0 * v ** 3


def make_summary(path, tiles=(9, 25, 49), seed=1, n_freq=16) -> dict:
    """A summary.json with the layout `finevh run` writes; schemes from the project's
    own dvfs module on a linear fmax(Vdd) (200 MHz @ 0.6 V .. 1000 MHz @ 1.0 V); FINE-VH
    tiles at VddH when a seeded criticality is below the interval position of f."""
    grid = vdd_grid()
    fmax = 200 + 800 * (grid - 0.6) / 0.4
    fs = frequency_sweep(fmax[0], fmax[-1], n_freq)
    s = {"design": "synthetic", "frequencies_mhz": fs.tolist(), "tiles": list(tiles)}
    for dv in (0.2, 0.1):
        pts = [evaluate_schemes(f, grid, fmax, hopping_levels(dv), _power) for f in fs]
        d = {"ideal_dvfs_uw": [p.ideal_dvfs_uw for p in pts], "vdd_hopping_uw": [p.vdd_hopping_uw for p in pts],
             "vdd_dithering_uw": [p.vdd_dithering_uw for p in pts],
             "vddl": [p.vddl for p in pts], "vddh": [p.vddh for p in pts],
             "fine_vh_uw": {}, "fine_vh_no_pb_uw": {}, "vddl_area_share": {}, "tile_vdd": {}}
        for t in tiles:
            crit = np.random.default_rng(seed + t).random(t)
            fine, nopb, share, maps = [], [], [], []
            for p in pts:
                pos = (p.f_mhz - (200 + 2000 * (p.vddl - 0.6))) / (2000 * (p.vddh - p.vddl))
                high = crit < np.clip(pos, 0, 1) + 0.3 / np.sqrt(t)
                sh = 1 - high.mean()
                ph, pl = _power(p.vddh, p.f_mhz), _power(p.vddl, p.f_mhz)
                fine.append(sh * pl + (1 - sh) * ph * 0.97)
                nopb.append(sh * pl * 1.2 + (1 - sh) * ph * 1.02)
                share.append(sh)
                maps.append([int(h) for h in high])
            for k, v in (("fine_vh_uw", fine), ("fine_vh_no_pb_uw", nopb), ("vddl_area_share", share),
                         ("tile_vdd", maps)):
                d[k][str(t)] = v
        s[f"{round(dv * 1000)}mV"] = d
    path.mkdir(parents=True, exist_ok=True)
    (path / "summary.json").write_text(json.dumps(s, indent=1))
    return s


def _plan(path, n=3, swaps=(("PB16", 5), ("PB10", 2), ("PB4", 1)), interface=10):
    names = [f"u{i}" for i in range(20)]
    tiles = [Tile(i, (0.0, 0.0, 1.0, 1.0), 1, 1) for i in range(n * n)]
    mesh = Mesh(n, (0, 0, 9, 9), (0, 0, 9, 9), (0, 0, 9, 9), 0.5, 0.5, 3, 3, 1, 0.2, "core", 9, tiles)
    iface = np.zeros(20, dtype=bool)
    iface[:interface] = True
    pb, k = [], 0
    for fl, cnt in swaps:
        for _ in range(cnt):
            pb.append(PbSwap(names[k], "INV", f"INV_{fl}", fl))
            k += 1
    write_plan(path, Plan("synthetic", mesh, names, np.arange(20, dtype=np.int32) % (n * n), iface, pb_swaps=pb))


def _csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def full_report(tmp_path_factory):
    """One report of 16 frequencies x 2 ΔVdd x 3 tile counts (shared: rendering is slow)."""
    d = tmp_path_factory.mktemp("full") / "a"
    s = make_summary(d)
    html = write_report(d)
    assert html == d / "report.html"
    return d, s, html


def test_figures_and_csv_numbers(full_report):
    run_dir, s, _ = full_report
    d = run_dir / "report"
    rows = _csv(d / "power_200mV.csv")
    assert len(rows) == 16
    ideal = np.array(s["200mV"]["ideal_dvfs_uw"])
    hop = np.array(s["200mV"]["vdd_hopping_uw"])
    fine = np.array(s["200mV"]["fine_vh_uw"]["49"])
    got = np.array([float(r["savings_49_vs_ideal_pct"]) for r in rows])
    assert np.allclose(got, 100 * (1 - fine / ideal), rtol=1e-5, atol=1e-4)
    got = np.array([float(r["savings_49_vs_hopping_pct"]) for r in rows])
    assert np.allclose(got, 100 * (1 - fine / hop), rtol=1e-5, atol=1e-4)
    # Vdd-Hopping never beats ideal-DVFS (it runs at a level >= the ideal Vdd)
    assert np.all(hop >= ideal - 1e-9)
    share = _csv(d / "vddl_share_100mV.csv")
    assert float(share[0]["vddl_share_25_pct"]) == pytest.approx(100 * s["100mV"]["vddl_area_share"]["25"][0],
                                                                  rel=1e-5)
    tv = _csv(d / "tile_vdd_200mV_9.csv")
    assert [r[f"tile_{j}"] for j in range(9) for r in tv[:1]] == \
        ["H" if h else "L" for h in s["200mV"]["tile_vdd"]["9"][0]]
    rep = json.loads((d / "report.json").read_text())
    e = rep["dvdd"]["100mV"]["tiles"]["49"]
    fine = np.array(s["100mV"]["fine_vh_uw"]["49"])
    nopb = np.array(s["100mV"]["fine_vh_no_pb_uw"]["49"])
    ideal = np.array(s["100mV"]["ideal_dvfs_uw"])
    assert e["avg_savings_vs_ideal_dvfs_pct"] == pytest.approx(np.mean(100 * (1 - fine / ideal)), rel=1e-5)
    assert e["avg_savings_no_pb_vs_ideal_dvfs_pct"] == pytest.approx(np.mean(100 * (1 - nopb / ideal)), rel=1e-5)
    assert e["tiles_at_vddl"] == [49 - sum(m) for m in s["100mV"]["tile_vdd"]["49"]]
    # normalisation: ideal-DVFS at the lowest Vdd of the sweep
    assert rep["norm_uw"] == pytest.approx(min(min(s[k]["ideal_dvfs_uw"]) for k in ("200mV", "100mV")), rel=1e-6)


def test_html_is_self_contained_and_deterministic(tmp_path, full_report):
    a = full_report[0]
    make_summary(tmp_path / "b")
    ha = (a / "report.html").read_bytes()
    hb = write_report(tmp_path / "b", tmp_path / "b" / "other.html").read_bytes()
    assert ha == hb
    for name in ("power_200mV.csv", "report.json", "tile_vdd_100mV_49.csv"):
        assert (a / "report" / name).read_bytes() == (tmp_path / "b" / "report" / name).read_bytes()
    text = ha.decode()
    # plots: 4 figures + 2 ΔVdd x 3 tile counts maps, all embedded
    assert text.count('src="data:image/svg+xml;base64,') == 4
    assert text.count('src="data:image/png;base64,') == 6
    assert "http://" not in text.replace("http://www.w3.org", "") and "https://" not in text
    assert '<table id="summary">' in text and '<table id="power-200mV">' in text


def test_flavour_distribution_from_plans(tmp_path):
    make_summary(tmp_path / "run", tiles=(9,), n_freq=4)
    _plan(tmp_path / "run" / "plan9.fvh.json", n=3)
    html = write_report(tmp_path / "run").read_text()
    rows = _csv(tmp_path / "run" / "report" / "flavours.csv")
    assert rows == [{"tiles": "9", "none": "2", "PB4": "1", "PB10": "2", "PB16": "5"}]
    assert list(rows[0]) == ["tiles", "none", "PB4", "PB10", "PB16"]
    assert '<table id="flavours">' in html


def test_chromium_renders_report(tmp_path, require_tool, full_report):
    chromium = require_tool("chromium")
    html = full_report[2]
    shot = tmp_path / "shot.png"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", "--hide-scrollbars"]
    url = html.resolve().as_uri()
    r = subprocess.run([chromium, *flags, f"--user-data-dir={tmp_path / 'ud1'}", f"--screenshot={shot}",
                        "--window-size=1200,2000", url], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and shot.is_file(), r.stderr[-2000:]
    import matplotlib.image as mpimg

    px = mpimg.imread(str(shot))[..., :3]
    assert px.shape[:2] == (2000, 1200)
    # not blank: many distinct colours, variance well above a flat page, and the
    # plot colours (ideal-DVFS black line, VddL blue...) are present
    assert float(px.std()) > 0.05
    assert len(np.unique((px * 255).astype(np.uint8).reshape(-1, 3), axis=0)) > 200
    dark = (px.sum(axis=2) < 0.3).mean()
    assert 0.001 < dark < 0.5
    dom = subprocess.run([chromium, *flags, f"--user-data-dir={tmp_path / 'ud2'}", "--dump-dom", url],
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    d = dom.stdout
    assert '<table id="summary">' in d and '<table id="power-100mV">' in d
    assert d.count("<img ") == 10
    assert d.count("<tr>") >= 1 + 6 + 2 * 17     # summary header+rows, power tables


def test_cli_and_bad_input(tmp_path, run_cli):
    make_summary(tmp_path / "run", tiles=(25,), n_freq=4)
    code, out, _ = run_cli("report", tmp_path / "run", "--out", tmp_path / "x" / "r.html")
    assert code == 0 and out.strip() == str(tmp_path / "x" / "r.html")
    assert (tmp_path / "x" / "report" / "power_100mV.csv").is_file()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "summary.json").write_text('{"frequencies_mhz": [1, 2],\n "200mV": {"ideal_dvfs_uw": [1, 2],\n'
                                      ' "vdd_hopping_uw": [1, 2], "vdd_dithering_uw": [1, "x"]}}\n')
    code, _, err = run_cli("report", bad)
    assert code == 2
    assert no_id(err).strip() == f"finevh: error: {bad / 'summary.json'}:3: 200mV.vdd_dithering_uw: a list of numbers is expected"
    (bad / "summary.json").write_text('{"frequencies_mhz": [1, 2],\n "200mV": {,}}\n')
    code, _, err = run_cli("report", bad)
    assert code == 2 and f"{bad / 'summary.json'}:2: malformed JSON" in err
    assert not (bad / "report.html").exists() and not (bad / "report").exists()
    code, _, err = run_cli("report", tmp_path / "none")
    assert code == 2 and "no such run directory" in err


def test_read_run_accepts_single_arrays_and_voltage_maps(tmp_path):
    s = {"frequencies_mhz": [100, 200], "tiles": [4],
         "100mV": {"ideal_dvfs_uw": [1, 2], "vdd_hopping_uw": [1.5, 2], "vdd_dithering_uw": [1.2, 2],
                   "fine_vh_uw": [0.9, 1.9], "vddl": [0.6, 0.7], "vddh": [0.7, 0.8],
                   "tile_vdd": [[0.6, 0.7, 0.6, 0.6], [0.8, 0.8, 0.7, 0.8]]}}
    (tmp_path / "summary.json").write_text(json.dumps(s))
    run = rdata.read_run(tmp_path)
    r = run.dvdd[0]
    assert list(r.fine_vh_uw) == [4]
    assert r.tile_high[4].tolist() == [[False, True, False, False], [True, True, False, True]]
    assert rdata.figures(run)["dvdd"]["100mV"]["tiles"]["4"]["avg_savings_vs_ideal_dvfs_pct"] == \
        pytest.approx(np.mean([10.0, 5.0]))


def test_tcl_twin(tmp_path, repo, require_tool):
    make_summary(tmp_path / "run", tiles=(9,), n_freq=4)
    script = tmp_path / "r.tcl"
    script.write_text(f'source {{{repo / "tcl" / "finevh.tcl"}}}\n'
                      f'puts "HTML=[finevh::write_report {{{tmp_path / "run"}}} -out {{{tmp_path / "t.html"}}}]"\n')
    out = subprocess.run([require_tool("tclsh"), str(script)], capture_output=True, text=True, timeout=120)
    assert f"HTML={tmp_path / 't.html'}" in out.stdout, out.stderr
    assert (tmp_path / "t.html").stat().st_size > 10000
