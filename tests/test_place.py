"""Embedded placer: legality, wirelength against a random legal placement, determinism,
the CLI (DEF out, read back, routed by qrouter) and bad input."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from finevh.layout import from_def, read_def, read_lef
from finevh.place import check_legal, io_positions, make_floorplan, place_cells, random_legal
from finevh.place.global_place import spread
from finevh.place.legalize import pack_rows, width_in_sites
from finevh.place.synthetic import synthetic_netlist

OSU = Path("/usr/share/qflow/tech/osu018")


@pytest.fixture(scope="module")
def synth3k():
    s = synthetic_netlist(3000, seed=7)
    r = place_cells(s.width_sites * 0.46, s.net_ptr, s.net_pins, s.n_io, 0.46, 2.72, seed=3)
    return s, r


def test_legal_and_wirelength(synth3k):
    s, r = synth3k
    fp = r.floorplan
    assert check_legal(r.row, r.site, s.width_sites, fp.n_rows, fp.n_sites) == []
    # positions are exactly on rows and sites
    assert np.allclose(r.y, fp.core[1] + r.row * fp.row_height)
    assert np.allclose(r.x, fp.core[0] + r.site * fp.site_width)
    util = (s.width_sites.sum() * 0.46 * 2.72) / ((fp.core[2] - fp.core[0]) * (fp.core[3] - fp.core[1]))
    assert 0.65 < util <= 0.7
    _, _, h_rand = random_legal(s.width_sites * 0.46, s.net_ptr, s.net_pins, fp, r.io_x, r.io_y, seed=11)
    ratio = h_rand / r.hpwl
    assert ratio >= 5.0, ratio
    # legalisation costs little wirelength after spreading
    assert r.hpwl < 1.15 * r.global_hpwl


def test_deterministic(synth3k):
    s, r = synth3k
    r2 = place_cells(s.width_sites * 0.46, s.net_ptr, s.net_pins, s.n_io, 0.46, 2.72, seed=3)
    assert np.array_equal(r.row, r2.row) and np.array_equal(r.site, r2.site) and r.hpwl == r2.hpwl


def test_check_legal_detects_overlap():
    w = np.array([3, 2, 4])
    assert check_legal(np.array([0, 0, 0]), np.array([0, 3, 5]), w, 1, 10) == []
    assert check_legal(np.array([0, 0, 0]), np.array([0, 2, 5]), w, 1, 10) == ["1 overlapping cell pairs"]
    assert check_legal(np.array([0, 0, 1]), np.array([0, 3, 7]), w, 2, 10) == ["cell outside its row"]


def test_pack_rows_minimal_shift():
    # three cells wanting the same spot in a 10-site row, one in another row
    w = np.array([2, 2, 2, 3])
    centers = np.array([5.0, 5.0, 5.0, 9.0])      # site units (centre)
    row = np.array([0, 0, 0, 1])
    site = pack_rows(centers, row, w, 2, 10, method="greedy")
    assert site.tolist() == [4, 6, 8, 7]            # pushed right from 4; last row clamps 7.5 -> 7
    # least squares (Abacus objective): the three spread evenly around their wish
    site = pack_rows(centers, row, w, 2, 10)
    assert site.tolist() == [2, 4, 6, 7]
    # a crowded row end is pulled back inside
    for m in ("greedy", "isotonic"):
        site = pack_rows(np.array([9.0, 9.5, 9.9]), np.zeros(3, np.int64), np.array([2, 2, 2]), 1, 10, method=m)
        assert site.tolist() == [4, 6, 8]
    # random rows under capacity: both legal, isotonic moves cells less
    rng = np.random.default_rng(0)
    w = rng.integers(1, 8, 3000)
    row = rng.integers(0, 30, 3000)
    c = rng.uniform(0, 1000, 3000)
    disp = {}
    for m in ("greedy", "isotonic"):
        site = pack_rows(c, row, w, 30, 1000, method=m)
        assert check_legal(row, site, w, 30, 1000) == []
        disp[m] = float(np.sum(w * (site + w / 2 - c) ** 2))
    assert disp["isotonic"] < 0.8 * disp["greedy"]


def test_spread_uniform_density():
    rng = np.random.default_rng(0)
    n = 4000
    cx = rng.normal(50, 2, n)          # everything piled up in the middle
    cy = rng.normal(50, 2, n)
    area = np.full(n, 1.0)
    x, y = spread(cx, cy, area, (0.0, 0.0, 100.0, 100.0))
    h, _, _ = np.histogram2d(x, y, bins=4, range=[[0, 100], [0, 100]])
    assert h.min() >= 0.9 * n / 16 and h.max() <= 1.1 * n / 16
    # relative order is kept along the first cut
    left = cx < np.median(cx)
    assert (x[left] < 50).mean() > 0.95


def test_floorplan_and_io():
    fp = make_floorplan(1000.0, 0.46, 2.72, utilization=0.5, aspect=2.0)
    core_area = (fp.core[2] - fp.core[0]) * (fp.core[3] - fp.core[1])
    assert 2000 <= core_area < 2000 + (fp.core[2] - fp.core[0]) * 2.72 + (fp.core[3] - fp.core[1]) * 0.46
    assert 1.6 < (fp.core[3] - fp.core[1]) / (fp.core[2] - fp.core[0]) < 2.4
    x, y = io_positions(fp, 40)
    on_edge = np.isclose(x, fp.die[0]) | np.isclose(x, fp.die[2]) | np.isclose(y, fp.die[1]) | np.isclose(y, fp.die[3])
    assert on_edge.all() and len(set(zip(x.round(6), y.round(6)))) == 40


def test_real_netlist_s38417(shared_data):
    """Yosys-mapped ISCAS-89 s38417 (5,810 sky130 cells): legal, HPWL >= 5x better than random."""
    from finevh.loader import load_design
    from finevh.place.flow import cell_masters, design_nets, place_design

    lefd = shared_data / "lef" / "sky130hd"
    design = load_design([shared_data / "liberty" / "sky130_fd_sc_hd" / "sky130_fd_sc_hd__tt_025C_1v80.lib.gz"],
                         shared_data / "mapped" / "s38417_sky130hd_tt.v",
                         lef=[lefd / "sky130_fd_sc_hd.tlef", lefd / "sky130_fd_sc_hd_merged.lef"])
    lef = design.meta["lef"]
    pl, res = place_design(design, lef, utilization=0.7, seed=1)
    assert pl.n_instances == 5810
    fp = res.floorplan
    ws = width_in_sites(pl.width, fp.site_width)
    assert check_legal(res.row, res.site, ws, fp.n_rows, fp.n_sites) == []
    ptr, pins = design_nets(design)
    _, _, h_rand = random_legal(pl.width, ptr, pins, fp, res.io_x, res.io_y, seed=5)
    assert h_rand / res.hpwl >= 5.0, h_rand / res.hpwl
    masters = cell_masters(design)
    assert all(lef.macros[m].width == w for m, w in zip(masters[:50], pl.width[:50]))


def test_cli_def_roundtrip_and_qrouter(run_cli, tmp_path, repo, require_file, require_tool):
    require_file(OSU / "osu018_stdcells.lef")  # Debian qflow-tech-osu018
    lef, lib = OSU / "osu018_stdcells.lef", OSU / "osu018_stdcells.lib"
    v = repo / "designs" / "sample" / "sample_osu018.v"
    out = tmp_path / "sample.def"
    code, so, se = run_cli("-q", "place", "--lef", lef, "--liberty", lib, "--verilog", v, "--out", out, "--seed", "4")
    assert code == 0, se
    assert "placed 145 instances" in so
    d = read_def(out)
    assert len(d.components) == 145 and len(d.pins) == 23 and len(d.nets) > 100
    lefdb = read_lef(lef)
    pl = from_def(d, lefdb, d.components.names, d.components.masters)
    ws = width_in_sites(pl.width, pl.site_width)
    row = np.rint((pl.y - pl.core[1]) / pl.site_height).astype(np.int64)
    site = np.rint((pl.x - pl.core[0]) / pl.site_width).astype(np.int64)
    assert np.allclose(pl.y, pl.core[1] + row * pl.site_height) and np.allclose(pl.x, pl.core[0] + site * pl.site_width)
    assert check_legal(row, site, ws, len(pl.rows), pl.rows[0].num_sites) == []
    # byte-identical for the same seed
    out2 = tmp_path / "again.def"
    assert run_cli("-q", "place", "--lef", lef, "--liberty", lib, "--verilog", v, "--out", out2, "--seed", "4")[0] == 0
    assert out.read_bytes() == out2.read_bytes()
    # a real router reads and routes it (qrouter, from Debian qflow)
    qr = require_tool("qrouter")
    (tmp_path / "route.cfg").write_text(f"lef {lef}\nnum_layers 4\n")
    r = subprocess.run([qr, "-nog", "-c", "route.cfg", "-p", "vdd", "-g", "gnd", "sample"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=300)
    log = r.stdout + r.stderr
    assert "Processed 145 subcell instances" in log and "Processed 23 pins" in log
    assert "DEF Read: encountered 0 errors" in log
    failed = int(log.split("Final: Failed net routes:")[1].split()[0])
    assert failed <= 0.05 * len(d.nets), failed


def test_cli_bad_input(run_cli, tmp_path, repo, require_file):
    require_file(OSU / "osu018_stdcells.lef")  # Debian qflow-tech-osu018
    lib = OSU / "osu018_stdcells.lib"
    v = repo / "designs" / "sample" / "sample_osu018.v"
    bad = tmp_path / "bad.lef"
    bad.write_text((OSU / "osu018_stdcells.lef").read_text().replace("SIZE 3.200 BY 10.000 ;", "SIZE 3.200 10.000 ;", 1))
    out = tmp_path / "x.def"
    code, _, se = run_cli("place", "--lef", bad, "--liberty", lib, "--verilog", v, "--out", out)
    assert code == 2 and f"{bad}:346:" in se and "SIZE" in se and "Traceback" not in se
    assert not out.exists()
    code, _, se = run_cli("place", "--lef", OSU / "osu018_stdcells.lef", "--liberty", lib, "--verilog", v,
                          "--out", out, "--utilization", "1.5")
    assert code == 2 and "utilization" in se and not out.exists()


def test_tcl_twin_in_sta(require_tool, tmp_path, repo, require_file):
    """finevh::place_design from OpenSTA's Tcl shell (sources tcl/finevh.tcl)."""
    require_file(OSU / "osu018_stdcells.lef")  # Debian qflow-tech-osu018
    sta = require_tool("sta")
    out = tmp_path / "t.def"
    tcl = tmp_path / "t.tcl"
    tcl.write_text(
        f"source {{{repo / 'tcl' / 'finevh.tcl'}}}\n"
        f"set r [finevh::place_design -lef {OSU / 'osu018_stdcells.lef'} -liberty {OSU / 'osu018_stdcells.lib'} "
        f"-verilog {repo / 'designs/sample/sample_osu018.v'} -utilization 0.6 -seed 2 -out {out}]\n"
        "puts \"RESULT $r\"\n"
        "if {[catch {finevh::place_design -bogus 1} e]} { puts \"ERR $e\" }\n"
        "exit\n")
    r = subprocess.run([sta, "-no_init", "-no_splash", "-exit", str(tcl)], capture_output=True, text=True, timeout=120)
    assert "RESULT placed 145 instances" in r.stdout, r.stdout + r.stderr
    assert "ERR finevh::place_design: unknown option -bogus" in r.stdout
    assert len(read_def(out).components) == 145


def test_assign_rows_never_over_capacity():
    """Dense cores (95 %) with wide cells: every row within capacity, rows follow y."""
    from finevh.place.legalize import assign_rows

    rng = np.random.default_rng(3)
    for n_rows, n_sites, wmax in [(8, 96, 9)] * 40 + [(5, 60, 7)] * 40 + [(40, 300, 12)] * 5:
        w = rng.integers(1, wmax, 10 * n_rows * n_sites)
        w = w[np.cumsum(w) <= 0.95 * n_rows * n_sites]
        for cy in (rng.uniform(0, n_rows, len(w)) ** 1.5 / n_rows ** 0.5,      # crowded at the bottom
                   n_rows - rng.uniform(0, n_rows, len(w)) ** 1.5 / n_rows ** 0.5):  # ... at the top
            cx = rng.uniform(0, n_sites, len(w))
            row = assign_rows(cy, cx, w, n_rows, n_sites)
            assert len(row) == len(w) and row.min() >= 0 and row.max() < n_rows
            used = np.bincount(row, weights=w, minlength=n_rows)
            assert used.max() <= n_sites and used.sum() == w.sum()
            # monotone in y, except back-filled cells (at most 4 rows down)
            assert np.all(np.diff(row[np.argsort(cy, kind="stable")]) >= -4)
    from finevh.errors import InputError
    with pytest.raises(InputError, match="core has"):
        assign_rows(np.zeros(3), np.zeros(3), np.array([5, 5, 5]), 1, 12)


@pytest.mark.parametrize("util, aspect", [(0.95, 0.64), (0.9, 1.0), (0.5, 3.0)])
def test_sample_dense_and_elongated(util, aspect, repo, require_file):
    """The sample design at GrayWolf-like density and odd aspect ratios stays legal."""
    require_file(OSU / "osu018_stdcells.lef")  # Debian qflow-tech-osu018
    from finevh.loader import load_design
    from finevh.place.flow import place_design

    design = load_design([OSU / "osu018_stdcells.lib"], repo / "designs/sample/sample_osu018.v",
                         lef=[OSU / "osu018_stdcells.lef"])
    pl, res = place_design(design, design.meta["lef"], utilization=util, aspect=aspect, seed=0)
    fp = res.floorplan
    assert check_legal(res.row, res.site, width_in_sites(pl.width, fp.site_width), fp.n_rows, fp.n_sites) == []
    core_h, core_w = fp.core[3] - fp.core[1], fp.core[2] - fp.core[0]
    assert abs(core_h / core_w - aspect) / aspect < 0.35
    assert float((pl.width * pl.height).sum()) / (core_h * core_w) <= util + 1e-9


def test_io_slots_follow_cells():
    """Pins wished at the four sides land on those sides, in perimeter order."""
    from finevh.place.floorplan import assign_io_slots

    fp = make_floorplan(10000.0, 0.5, 2.0, utilization=0.5)
    x0, y0, x1, y1 = fp.die
    w, h = x1 - x0, y1 - y0
    # two wishes near each side, listed in scrambled order
    wx = np.array([x1 - 1, x0 + w / 3, x0 + 1, x0 + 2 * w / 3, x1 - 1, x0 + w / 3, x0 + 1, x0 + 2 * w / 3])
    wy = np.array([y0 + h / 3, y1 - 1, y0 + 2 * h / 3, y0 + 1, y0 + 2 * h / 3, y0 + 1, y0 + h / 3, y1 - 1])
    side = ["r", "t", "l", "b", "r", "b", "l", "t"]
    x, y = assign_io_slots(fp, wx, wy)
    got = ["b" if np.isclose(yy, y0) else "t" if np.isclose(yy, y1) else "l" if np.isclose(xx, x0) else "r"
           for xx, yy in zip(x, y)]
    assert got == side
    sx, sy = io_positions(fp, 8)
    assert sorted(zip(x.round(6), y.round(6))) == sorted(zip(sx.round(6), sy.round(6)))   # the same slots
    # pins without cells (NaN) still get distinct slots
    x, y = assign_io_slots(fp, np.array([np.nan, x0 + 1, np.nan]), np.array([np.nan, y0 + h / 2, np.nan]))
    assert len(set(zip(x.round(6), y.round(6)))) == 3 and np.isclose(x[1], x0)


def test_optimal_x_and_refinement(synth3k):
    from finevh.place import PlaceNets
    from finevh.place.detailed import optimal_x, refine_rows

    # one cell on net {cell, io0, io1} and net {cell, io2}: intervals [0, 10] and [4, 4] -> median 4
    nets = PlaceNets.build(1, np.array([0, 3, 5]), np.array([0, 1, 2, 0, 3]))
    assert optimal_x(nets, np.array([7.0]), np.array([0.0, 10.0, 4.0])).tolist() == [4.0]
    # on a placed design: never worse, still legal
    s, r = synth3k
    fp = r.floorplan
    nets = PlaceNets.build(s.n_cells, s.net_ptr, s.net_pins)
    rng = np.random.default_rng(0)
    site = np.clip(r.site + rng.integers(-3, 4, s.n_cells), 0, fp.n_sites - s.width_sites)   # disturb, then repack
    from finevh.place.legalize import pack_rows
    site = pack_rows(site + s.width_sites / 2, r.row, s.width_sites, fp.n_rows, fp.n_sites)
    from finevh.place import hpwl
    cy = fp.core[1] + (r.row + 0.5) * fp.row_height
    before = hpwl(nets, fp.core[0] + (site + s.width_sites / 2) * fp.site_width, cy, r.io_x, r.io_y)
    new, after = refine_rows(nets, r.row, site, s.width_sites, fp.n_rows, fp.n_sites, fp.core[0], fp.core[1],
                             fp.site_width, fp.row_height, r.io_x, r.io_y)
    assert after < 0.99 * before
    assert check_legal(r.row, new, s.width_sites, fp.n_rows, fp.n_sites) == []
    assert r.hpwl <= r.stats["legal_hpwl"]
