"""Tile mesh, interface cells, Algorithm 5 and DVFS schemes on small hand-checked cases."""

from __future__ import annotations

import numpy as np
import pytest

from finevh.fvh import dvfs, tiles, vddselect


def test_mesh_grows_by_wrappers_in_whole_rows_and_sites():
    base = (0.0, 0.0, 100.0, 60.0)
    m1 = tiles.make_mesh(base, 1, 0.5, row_height=1.2, site_width=0.2)
    assert m1.core == base and m1.wrapper_x == 0 and m1.n_rows == 50
    m3 = tiles.make_mesh(base, 3, 0.5, row_height=1.2, site_width=0.2)
    # tile height 20 um -> 20.4 (17 rows), wrapper 0.5 -> 1 row (1.2 um) / 3 sites (0.6 um)
    assert m3.tile_h == pytest.approx(20.4)
    assert m3.wrapper_y == pytest.approx(1.2) and m3.wrapper_x == pytest.approx(0.6)
    assert m3.core[3] == pytest.approx(3 * 20.4 + 2 * 1.2)
    assert m3.core[2] == pytest.approx(3 * 33.4 + 2 * 0.6)
    assert m3.n_rows == 53
    boxes = m3.tile_boxes()
    assert boxes.shape == (9, 4)
    # tiles do not overlap, wrappers sit between them, everything inside the core
    for a in range(9):
        for b in range(a + 1, 9):
            ox = min(boxes[a, 2], boxes[b, 2]) - max(boxes[a, 0], boxes[b, 0])
            oy = min(boxes[a, 3], boxes[b, 3]) - max(boxes[a, 1], boxes[b, 1])
            assert ox <= 1e-9 or oy <= 1e-9
    assert boxes[:, 2].max() <= m3.core[2] + 1e-9 and boxes[:, 3].max() <= m3.core[3] + 1e-9
    covered = (boxes[:, 2] - boxes[:, 0]) @ (boxes[:, 3] - boxes[:, 1])
    wr = m3.wrapper_boxes()
    assert len(wr) == 4
    # tiles + wrappers (minus the wrapper crossings counted twice) = the whole core
    crossings = 4 * m3.wrapper_x * m3.wrapper_y
    wr_area = ((wr[:, 2] - wr[:, 0]) * (wr[:, 3] - wr[:, 1])).sum() - crossings
    assert covered + wr_area == pytest.approx(m3.core_area)


def test_overhead_rises_with_tile_count():
    base = (0.0, 0.0, 190.0, 190.4)
    over = []
    for n in (1, 3, 5, 7):
        m = tiles.make_mesh(base, n, 1.0, row_height=1.2, site_width=0.2)
        over.append(m.core_area / (190.0 * 190.4) - 1)
    assert over[0] == 0 and over[1] < over[2] < over[3]


def test_tile_assignment_and_interface_cells():
    base = (0.0, 0.0, 30.0, 30.0)
    m = tiles.make_mesh(base, 3, 1.0, 1.0, 1.0)
    x = np.array([1.0, 12.0, 25.0, 1.0, 14.0])
    y = np.array([1.0, 1.0, 1.0, 25.0, 14.0])
    w = np.full(5, 2.0)
    h = np.full(5, 1.0)
    t = tiles.assign_tiles(m, x, y, w, h)
    assert t.tolist() == [0, 1, 2, 6, 4]
    nx, ny = tiles.place_in_tiles(m, t, x, y, w, h)
    boxes = m.tile_boxes()
    for i in range(5):
        b = boxes[t[i]]
        assert b[0] - 1e-9 <= nx[i] and nx[i] + w[i] <= b[2] + 1e-9
        assert b[1] - 1e-9 <= ny[i] and ny[i] + h[i] <= b[3] + 1e-9
    # inputs: cell1 <- cell0 (other tile), cell2 <- cell2? no: cell4 <- port(-1), cell3 <- cell3's tile-mate none
    in_inst = np.array([1, 4, 2, 2])
    in_drv = np.array([0, -1, 1, 2])
    itf = tiles.interface_cells(t, in_inst, in_drv, 5)
    assert itf.tolist() == [False, True, True, False, False]
    s = tiles.summarise(m, t, np.ones(5), itf)
    assert s.interface_cells == 2 and s.interface_share_pct == pytest.approx(40.0)


def _toy_timing(tile_of_path_cells, base_delay, speedup):
    """A design whose paths are lists of (cell ids); cell delay shrinks by ``speedup``
    when its tile is at VddH."""

    def time_fn(paths_cells, period):
        def f(high):
            best = None
            for cells in paths_cells:
                d = np.where(high[tile_of_path_cells[cells]], base_delay[cells] / speedup, base_delay[cells])
                tot = d.sum()
                if best is None or tot > best[0]:
                    best = (tot, cells, d)
            return vddselect.CriticalPath(period, period - best[0], np.asarray(best[1]), best[2])
        return f

    return time_fn


def test_algorithm5_literal_and_sequence_agree():
    rng = np.random.default_rng(7)
    n_cells, n_tiles = 60, 9
    tile_of = rng.integers(0, n_tiles, n_cells)
    delay = rng.uniform(0.05, 0.2, n_cells)
    paths = [rng.choice(n_cells, 8, replace=False) for _ in range(25)]
    make = _toy_timing(tile_of, delay, 1.6)
    worst_all_low = max(delay[p].sum() for p in paths)
    seq = vddselect.raise_sequence(n_tiles, tile_of, make(paths, 10.0), stop_period_ns=0.0)
    assert seq.required_ns[0] == pytest.approx(worst_all_low)
    # raising a tile never slows the design down
    assert all(a >= b - 1e-12 for a, b in zip(seq.required_ns, seq.required_ns[1:]))
    for period in np.linspace(worst_all_low / 1.6, worst_all_low * 1.01, 12):
        lit = vddselect.select_vdd(n_tiles, tile_of, make(paths, period), period)
        fast = vddselect.assignment_for_period(seq, period)
        assert lit.feasible == fast.feasible
        assert lit.high.tolist() == fast.high.tolist()
    # at a period every configuration meets, nothing is raised
    easy = vddselect.select_vdd(n_tiles, tile_of, make(paths, 100.0), 100.0)
    assert easy.feasible and not easy.high.any() and easy.iterations == 1


def test_algorithm5_scores_by_summed_delay_and_breaks_ties_low():
    tile_of = np.array([0, 1, 1, 2])
    cp = vddselect.CriticalPath(1.0, -0.5, np.array([0, 1, 2, 3]), np.array([0.5, 0.2, 0.2, 0.4]))
    calls = []

    def tf(high):
        calls.append(high.copy())
        return cp if len(calls) == 1 else vddselect.CriticalPath(1.0, 0.1, cp.insts, cp.delays_ns)

    sel = vddselect.select_vdd(3, tile_of, tf, 1.0)
    # tile 0 scores 0.5, tile 1 0.4, tile 2 0.4 -> tile 0 first
    assert sel.order == (0,) and sel.feasible and sel.iterations == 2
    # a path that touches no VddL tile ends the search as infeasible
    sel2 = vddselect.select_vdd(3, tile_of, lambda h: vddselect.CriticalPath(1.0, -1.0, np.array([], int), np.array([])), 1.0)
    assert not sel2.feasible and sel2.order == ()


def test_dvfs_schemes_on_an_analytic_model():
    grid = dvfs.vdd_grid()
    assert len(grid) == 17 and grid[0] == 0.6 and grid[-1] == 1.0
    vt, alpha = 0.35, 1.3
    fmax = 1000.0 * (grid - vt) ** alpha / grid / ((1.0 - vt) ** alpha / 1.0)

    def power(v, f):
        return 2.0 * v * v * f + 50.0 * v ** 3

    lv200 = dvfs.hopping_levels(0.2)
    assert lv200.tolist() == [0.6, 0.8, 1.0]
    assert dvfs.hopping_levels(0.1).tolist() == [0.6, 0.7, 0.8, 0.9, 1.0]
    sweep = dvfs.frequency_sweep(fmax[0], fmax[-1], 16)
    assert len(sweep) == 16 and sweep[-1] == pytest.approx(fmax[-1]) and sweep[0] > fmax[0]
    for f in sweep:
        p = dvfs.evaluate_schemes(f, grid, fmax, lv200, power)
        # hopping is never better than ideal-DVFS or dithering; dithering stays close
        # to ideal-DVFS (it can undercut the 25 mV grid just below an interval edge)
        assert p.ideal_dvfs_uw <= p.vdd_hopping_uw + 1e-9
        assert p.vdd_dithering_uw <= p.vdd_hopping_uw + 1e-9
        assert abs(p.vdd_dithering_uw / p.ideal_dvfs_uw - 1) < 0.1
        assert p.vddl < p.vddh and p.hopping_vdd == p.vddh
    # exactly at an interval edge the three schemes coincide
    f_edge = fmax[np.argmin(np.abs(grid - 0.8))]
    p = dvfs.evaluate_schemes(f_edge, grid, fmax, lv200, power)
    assert p.ideal_dvfs_uw == pytest.approx(p.vdd_hopping_uw) == pytest.approx(p.vdd_dithering_uw)
    with pytest.raises(ValueError):
        dvfs.evaluate_schemes(fmax[-1] * 1.01, grid, fmax, lv200, power)


def test_eq43_inverter_and_nand2_by_hand():
    from finevh.fvh import intratile

    # inverter: P(A=1)=0.3; L = [10 (A=0), 4 (A=1)] uW; k for a low driver: [1.0, 5.2]
    pp = intratile.pattern_probabilities(np.array([[0.3], [0.3]]))
    assert np.allclose(pp, [[0.7, 0.3], [0.7, 0.3]])
    k = np.array([[1.0, 1.0], [1.0, 5.2]])
    cfg = intratile.driver_config(np.array([1.0, 1.0]), np.array([[1.0], [0.8]]))
    assert cfg.tolist() == [0, 1]
    leak = intratile.leakage_eq43(pp, np.array([10.0, 4.0]), k, cfg)
    assert leak[0] == pytest.approx(0.7 * 10 + 0.3 * 4)
    assert leak[1] == pytest.approx(0.7 * 10 + 0.3 * 4 * 5.2)
    # NAND2: inputs independent, pattern index = 2A + B (the LUT file's convention:
    # first pin = most significant bit, docs/tech.md)
    pp2 = intratile.pattern_probabilities(np.array([[0.5, 0.25]]))
    assert pp2[0].tolist() == pytest.approx([0.375, 0.125, 0.375, 0.125])
    # a port/constant driver (NaN) never counts; a higher driver into a VddL cell sets
    # its bit (LUT side L, k <= 1)
    cfg2 = intratile.driver_config(np.array([0.8]), np.array([[np.nan, 1.0]]))
    assert cfg2.tolist() == [1]
    assert intratile.driver_config(np.array([0.8]), np.array([[np.nan, 0.8]])).tolist() == [0]
