"""Emulation building blocks on the demo design: Eq. 4.3 leakage (against the power
engine and against hand-evaluated LUT entries), Algorithm 5 on real re-timing
(sequence vs literal per-frequency run vs a from-scratch STA), the ideal-DVFS and
dithering curves, power-manager tables (compiled with gcc)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from finevh.emit import pmtables
from finevh.fvh import dvfs, intratile
from finevh.fvh import emulate as E
from finevh.fvh.leakage import DesignLeakage, state_leakage
from finevh.fvh.vddselect import assignment_for_period, select_vdd

REPO = Path(__file__).resolve().parents[1]
L = REPO / "libs/demo28"
D = REPO / "designs/demo"


@pytest.fixture(scope="module")
def demo():
    from finevh.loader import load_design
    from finevh.fvh.partition import partition, wrapper_from_lef
    from finevh.power.analysis import analyse
    from finevh.tech.lut import read_lut
    from finevh.timing import wire
    from finevh.timing.constraints import read_constraints
    from finevh.timing.engine import Timer

    libs = [str(L / "demo28_ss_125C_1p00v_pb0.lib")] + [str(L / f"demo28_ss_125C_{v}v_pb0.lib")
                                                        for v in ("0p80", "0p90")]
    d = load_design(libs, str(D / "fvh_rv32_demo28.v"), None, [str(L / "demo28.lef")],
                    str(D / "fvh_rv32_demo28.def"))
    tc = read_constraints(str(D / "fvh_rv32_demo28.sdc"), d, d.libset)
    wc = wire.from_placement(d, d.placement)
    tm = Timer(d, tc, wc)
    r = tm.update()
    p = analyse(d, tc, slews=r.slew, wire_cap=wc, leakage_weights="probability")
    lut = read_lut(L / "demo28_itl_pb0.lut")
    leak = DesignLeakage(d, p.net_duty, lut)
    w, layer = wrapper_from_lef(d.meta["lef"], None)
    part = partition(d, 3, w, layer)
    return dict(design=d, tc=tc, wc=wc, timer=tm, power=p, lut=lut, leak=leak, part=part,
                base=[d.cells[k] for k in d.inst_cell.tolist()])


def test_bit_convention_is_the_lut_files():
    # pin 0 is the MSB of patterns and configurations
    pp = intratile.pattern_probabilities(np.array([[1.0, 0.0], [0.25, 0.5]]))
    assert pp[0].tolist() == [0.0, 0.0, 1.0, 0.0]                 # A=1, B=0 -> "10" = 2
    assert pp[1] == pytest.approx([0.75 * 0.5, 0.75 * 0.5, 0.25 * 0.5, 0.25 * 0.5])
    assert intratile.config_index(np.array([[True, False], [False, True]])).tolist() == [2, 1]
    assert intratile.driver_config(np.array([1.0]), np.array([[0.8, np.nan, 1.0]])).tolist() == [4]


def test_uniform_leakage_equals_power_engine(demo):
    """k = 1: Eq. 4.3 = the power engine's probability-weighted state leakage."""
    leak, p = demo["leak"], demo["power"]
    fl = np.zeros(demo["design"].n_instances, np.int64)
    mine = leak.uniform(1.0, fl, [None])
    assert mine.sum() == pytest.approx(p.inst_leakage.sum(), rel=1e-9)
    assert np.allclose(mine, p.inst_leakage, rtol=1e-9, atol=1e-15)
    # at 0.8 V it follows the 0.8 V library: INV_X1 states 15/20 nW at 1.0 V are lower at 0.8 V
    lo = leak.uniform(0.8, fl, [None])
    assert 0.2 < lo.sum() / mine.sum() < 0.9


def test_mixed_leakage_against_hand_evaluated_lut(demo):
    d, leak, lut = demo["design"], demo["leak"], demo["lut"]
    tile = demo["part"].tile
    fl = np.zeros(d.n_instances, np.int64)
    # all at VddH: no intra-tile current
    allh = leak.mixed(np.full(d.n_instances, 1.0), 0.8, 1.0, fl, [None])
    assert np.allclose(allh, leak.uniform(1.0, fl, [None]))
    # tile 4 at VddL (0.8 V), the rest at VddH (1.0 V)
    vdd = np.where(tile == 4, 0.8, 1.0)
    mixed = leak.mixed(vdd, 0.8, 1.0, fl, ["PB0"])
    # pick instances with one input driven across the tile border, both directions
    checked = {"H": 0, "L": 0}
    for m in leak.masters:
        if len(m.pins) < 2:
            continue
        for row, i in enumerate(m.insts.tolist()):
            drv = m.drivers[row]
            own = vdd[i]
            foreign = {m.pins[j] for j in range(len(m.pins)) if drv[j] >= 0 and vdd[drv[j]] != own}
            side = "H" if own == 1.0 else "L"
            if not foreign or checked[side] >= 3:
                continue
            cell_lut = lut.cell("PB0", 0.8, 1.0, m.cell.name)
            L_own = state_leakage(d.libset.twin(m.cell, own), m.pins)
            expect = 0.0
            for pat in range(1 << len(m.pins)):
                vals = {p: (pat >> (len(m.pins) - 1 - j)) & 1 for j, p in enumerate(m.pins)}
                expect += m.prob[row, pat] * L_own[pat] * cell_lut.k_of(side, vals, foreign)
            assert mixed[i] == pytest.approx(expect, rel=1e-12)
            checked[side] += 1
    assert checked == {"H": 3, "L": 3}
    # VddL drivers into VddH cells leak more; VddH drivers into VddL cells less
    hi_border = (tile != 4) & (mixed > leak.uniform(1.0, fl, [None]) * (1 + 1e-9))
    assert hi_border.sum() > 50
    total_uniform = np.where(tile == 4, leak.uniform(0.8, fl, [None]), leak.uniform(1.0, fl, [None])).sum()
    assert mixed.sum() > total_uniform


def test_algorithm5_sequence_matches_literal_and_fresh_sta(demo):
    from finevh.timing.engine import Timer

    d, tc, wc = demo["design"], demo["tc"], demo["wc"]
    part = demo["part"]
    emu = E.Emulator(d, tc, demo["leak"])
    var = E.Variant("t", demo["timer"], E.Binder(d, np.zeros(d.n_instances, np.int64), [None]),
                    tile=part.tile.astype(np.int64), n_tiles=9, wire_cap=wc)
    emu.activate(var)
    req_h = emu.time_uniform(var, 0.9)
    req_l = emu.time_uniform(var, 0.8)
    assert req_l > req_h
    target = 0.5 * (req_l + req_h)
    seq = emu.raise_sequence(var, 0.8, 0.9, stop_period_ns=req_h)
    assert seq.required_ns[0] == pytest.approx(req_l, abs=1e-9)
    assert len(seq.order) >= 1 and len(set(seq.order)) == len(seq.order)
    sel = assignment_for_period(seq, target)
    assert sel.feasible and 0 < sel.high.sum() < 9

    # literal Algorithm 5 at that period gives the same tiles
    members = [np.nonzero(part.tile == t)[0] for t in range(9)]

    def time_fn(high):
        for t in range(9):
            var.binder.bind(members[t], 0.9 if high[t] else 0.8)
        res = var.timer.update()
        return E.critical_path(var.timer, res, emu.inst_index)

    lit = select_vdd(9, part.tile.astype(np.int64), lambda h: _at(time_fn(h), emu.period_ns), target)
    assert lit.feasible and lit.high.tolist() == sel.high.tolist()
    # a fresh timer on the same binding agrees on the required period
    fresh = Timer(d, tc, wc).update()
    assert E.required_period(fresh, emu.period_ns) <= target + 1e-9
    emu.deactivate()
    d.rebind(np.arange(d.n_instances), demo["base"])


def _at(cp, period):
    return E.CriticalPath(period, cp.wns_ns, cp.insts, cp.delays_ns)


def test_ideal_and_dithering_curves():
    fm = np.array([10.0, 20.0, 40.0])
    p = np.array([1.0, 3.0, 9.0])
    assert dvfs.ideal_curve(15.0, fm, p) == pytest.approx(2.0)
    assert dvfs.ideal_curve(40.0, fm, p) == pytest.approx(9.0)
    with pytest.raises(ValueError):
        dvfs.ideal_curve(41.0, fm, p)
    # dithering between levels 0 and 2 (skipping the middle point) lies above ideal
    lv = np.array([0.6, 1.0])
    assert dvfs.dithering_curve(20.0, lv, fm[[0, 2]], p[[0, 2]]) == pytest.approx(1.0 + 8.0 / 3.0)
    assert dvfs.dithering_curve(20.0, lv, fm[[0, 2]], p[[0, 2]]) > dvfs.ideal_curve(20.0, fm, p)



def test_fmax_tolerance_is_the_timers_resolution_on_long_periods():
    """A variant kept "not worse" to 10 fs can sit that far below the sweep's top clock;
    at a 538 ns period (the 1.06M-cell array) that is 2e-8 of the clock, which a pure
    1e-9 relative tolerance rejected. 1 ps short is still above fmax."""
    fm = np.array([1.0, 1.858])
    p = np.array([1.0, 2.0])
    period = 1000.0 / fm[-1]
    for short_ns, ok in ((8e-6, True), (1e-3, False)):
        f = 1000.0 / (period - short_ns)
        if ok:
            assert dvfs.ideal_curve(f, fm, p) == pytest.approx(2.0)
            assert dvfs._lowest_meeting(np.array([0.6, 1.0]), fm, f) == 1
        else:
            with pytest.raises(ValueError):
                dvfs.ideal_curve(f, fm, p)
            with pytest.raises(ValueError):
                dvfs._lowest_meeting(np.array([0.6, 1.0]), fm, f)

class _Flop:
    def __init__(self, tile):
        self.tile = tile


class _Chain:
    def __init__(self, tiles):
        self.flops = [_Flop(t) for t in tiles]


class _Plan:
    design = "toy"

    def __init__(self, tiles):
        self.config_chain = _Chain(tiles)


def test_pm_tables_bits_and_c_header(tmp_path, require_tool):
    chain = [0, 1, 2, 5, 4, 3, 6, 7, 8]          # serpentine 3x3
    tile_vdd = [[1, 0, 0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 1, 0, 0, 0, 0, 0]]
    summary = {"frequencies_mhz": [50.0, 75.5],
               "200mV": {"tiles": {"9": {"tile_vdd": tile_vdd, "vddl_v": [0.6, 0.8], "vddh_v": [0.8, 1.0]}}}}
    t = pmtables.pm_table(_Plan(chain), summary, 200, 9)
    assert t.n_bytes == 2
    # freq 0: tiles 0 and 8 high -> chain flops 0 and 8 -> byte0 bit0, byte1 bit0
    assert t.packed() == [[0x01, 0x01], [0x20, 0x00]]      # tile 3 = flop 5
    h = pmtables.pm_header(t)
    assert h == pmtables.pm_header(pmtables.pm_table(_Plan(chain), summary, 200, 9))
    require_tool("gcc")
    (tmp_path / "pm.h").write_text(h)
    (tmp_path / "m.c").write_text(
        '#include <stdio.h>\n#include "pm.h"\nint main(void){for(int i=0;i<FINEVH_PM_N_FREQ;i++){'
        'printf("%u %u %u",finevh_pm_freq_khz[i],finevh_pm_vddl_mv[i],finevh_pm_vddh_mv[i]);'
        'for(int b=0;b<FINEVH_PM_N_BYTES;b++)printf(" %02x",finevh_pm_table[i][b]);printf("\\n");}return 0;}\n')
    subprocess.run(["gcc", "-std=c99", "-Wall", "-Werror", "-o", str(tmp_path / "m"), str(tmp_path / "m.c")],
                   check=True)
    out = subprocess.run([str(tmp_path / "m")], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["50000 600 800 01 01", "75500 800 1000 20 00"]
    js = pmtables.pm_json(t)
    assert '"bits": "100000001"' in js and '"bits": "000001000"' in js


def test_dynamic_power_fast_path_equals_power_engine(demo):
    """DynamicPower (activity computed once) = analyse() per instance, at a mixed binding."""
    from finevh.power.analysis import ActivitySpec, analyse
    from finevh.timing.binding import bind_voltage

    d, tc, wc, tm = demo["design"], demo["tc"], demo["wc"], demo["timer"]
    dyn = E.DynamicPower(d, tc, ActivitySpec())
    tile = demo["part"].tile
    bind_voltage(d, np.nonzero(tile == 4)[0], 0.8)
    bind_voltage(d, np.nonzero(tile == 0)[0], 0.9)
    r = tm.update()
    fast = dyn(r.slew, wc)
    ref = analyse(d, tc, slews=r.slew, wire_cap=wc)
    assert np.allclose(fast, ref.inst_internal + ref.inst_switching, rtol=1e-12, atol=1e-15)
    # the lower supply shows: tile 4's dynamic power is below its 1.0 V value
    d.rebind(np.arange(d.n_instances), demo["base"])
    r = tm.update()
    full = dyn(r.slew, wc)
    m = tile == 4
    assert 0.5 < fast[m].sum() / full[m].sum() < 0.8          # ~ (0.8/1.0)^2 plus table effects


def test_internal_power_plan_is_bit_identical_across_rebindings(demo):
    """The emulator's recorded internal-power look-ups (InternalPlan, 2.0.17 rules) give
    the same per-instance power bit for bit as the per-cell evaluation, at mixed,
    uniform and interpolated supplies, recording once for all of them."""
    from finevh.power.analysis import ActivitySpec, dynamic_power

    d, tc, wc, tm = demo["design"], demo["tc"], demo["wc"], demo["timer"]
    dyn = E.DynamicPower(d, tc, ActivitySpec(opensta_rules="2.0"))
    tile = demo["part"].tile
    b = E.Binder(d, np.zeros(d.n_instances, np.int64), ["PB0"])
    try:
        for step, vdd in enumerate((None, 0.8, 0.85, 1.0, 0.9)):
            if vdd is None:
                b.bind(np.nonzero(tile % 2 == 0)[0], 0.8)
                b.bind(np.nonzero(tile % 2 == 1)[0], 1.0)
            else:
                b.bind_all(vdd)
            r = tm.update()
            fast = dyn(r.slew, wc)
            ref = dynamic_power(d, tc, dyn.act, dyn.reach, dyn.spec, slews=r.slew, wire_cap=wc)
            assert np.array_equal(fast, ref), step
            assert fast.sum() > 0
        assert dyn.plan.records == 1
    finally:
        d.rebind(np.arange(d.n_instances), demo["base"])


def test_binder_equals_bind_voltage(demo):
    """The vectorised Binder binds every instance to the very cell bind_voltage picks
    (characterised 0.8 / 0.9 V and interpolated 0.85 / 0.825 V), from any binding."""
    from finevh.timing.binding import bind_voltage

    d = demo["design"]
    base = d.inst_cell.copy()
    n = d.n_instances
    rng = np.random.default_rng(1)
    b = E.Binder(d, np.zeros(n, np.int64), ["PB0"])
    try:
        for v in (0.8, 0.85, 0.9, 0.825, 1.0):
            sub = np.sort(rng.choice(n, n // 3, replace=False))
            start = d.inst_cell.copy()
            b.bind(sub, v)
            got = [d.cells[k] for k in d.inst_cell.tolist()]
            d.inst_cell[:] = start
            bind_voltage(d, sub, v, "PB0")
            want = [d.cells[k] for k in d.inst_cell.tolist()]
            assert all(x is y for x, y in zip(got, want)), v
            assert not np.array_equal(d.inst_cell[sub], start[sub]) or v == 1.0
            b.vdd[:] = np.nan
    finally:
        d.inst_cell[:] = base


def test_local_search_below_algorithm5_and_meets_timing_on_fresh_sta(demo):
    """The power-aware local search after Algorithm 5 (9 tiles, 0.8/0.9 V): never more
    power than Algorithm 5's map at the same point, and every final map meets the
    target clock on a timer built from scratch on that binding."""
    from finevh.timing.engine import Timer

    d, tc, wc, part = demo["design"], demo["tc"], demo["wc"], demo["part"]
    emu = E.Emulator(d, tc, demo["leak"])
    var = E.Variant("t", demo["timer"], E.Binder(d, np.zeros(d.n_instances, np.int64), [None]),
                    tile=part.tile.astype(np.int64), n_tiles=9, wire_cap=wc)
    emu.activate(var)
    levels = np.array([0.8, 0.9, 1.0])
    prof = emu.profile(var, levels)
    fm = np.array([1000.0 / prof.required_ns[v] for v in (0.8, 0.9, 1.0)])
    freqs = fm[0] + (fm[1] - fm[0]) * np.array([0.2, 0.5, 0.8])
    area = d.inst_area()
    alg5 = E.fine_vh_sweep(emu, var, prof, freqs, levels, fm, area, selection="alg5")
    local = E.fine_vh_sweep(emu, var, prof, freqs, levels, fm, area, selection="local")
    members = [np.nonzero(part.tile == t)[0] for t in range(9)]
    for a, b, f in zip(alg5, local, freqs):
        assert b.alg5_uw == pytest.approx(a.power_uw, rel=1e-12) and a.moves == 0
        assert b.power_uw <= a.power_uw * (1 + 1e-12) and b.search_runs >= 1
        for t in range(9):
            var.binder.bind(members[t], b.vddh if b.high[t] else b.vddl)
        fresh = Timer(d, tc, wc).update()
        assert E.required_period(fresh, emu.period_ns) <= 1000.0 / f + E.PERIOD_TOL_NS + 1e-9
    with pytest.raises(ValueError, match="selection"):
        E.fine_vh_sweep(emu, var, prof, freqs[:1], levels, fm, area, selection="exhaustive")
    emu.deactivate()
    d.rebind(np.arange(d.n_instances), demo["base"])


def test_pair_table_equals_eq43_per_master(demo):
    """The tabulated Eq. 4.3 (one gather per map) against the per-master sum
    sum_i P_i L_i k_i evaluated directly, for a random VddL/VddH map."""
    d, leak = demo["design"], demo["leak"]
    rng = np.random.default_rng(1)
    high = rng.random(d.n_instances) < 0.5
    fl = np.zeros(d.n_instances, np.int64)
    got = leak.pair(0.8, 1.0, fl, ["PB0"])(high)
    want = np.zeros(d.n_instances)
    for k, m in enumerate(leak.masters):
        n = len(m.pins)
        hi = high[m.insts]
        foreign = (m.drivers >= 0) & (high[np.maximum(m.drivers, 0)] != hi[:, None]) if n else np.zeros((hi.size, 0))
        cfg = intratile.config_index(foreign) if n else np.zeros(hi.size, np.int64)
        K = leak.k_table(k, 0.8, 1.0, "PB0")
        for row, i in enumerate(m.insts.tolist()):
            side = 0 if hi[row] else 1
            L = leak.state_table(k, 1.0 if hi[row] else 0.8, "PB0")
            kk = 1.0 if K is None else K[side, :, cfg[row]]
            want[i] = float(np.sum(m.prob[row] * L * kk))
    assert np.allclose(got, want, rtol=1e-12, atol=1e-15)
    assert got.sum() != pytest.approx(leak.uniform(1.0, fl, ["PB0"]).sum(), rel=1e-3)


def test_pair_leakage_of_tile_maps_only_works_out_border_instances(demo):
    """A tile map evaluated through its border instances (those with a driver in
    another tile) gives the same per-instance values, bit for bit, as the full gather;
    the other instances sit at configuration 0 on every map."""
    from finevh.fvh.leakage import border_instances

    d, leak, part = demo["design"], demo["leak"], demo["part"]
    fl = np.zeros(d.n_instances, np.int64)
    pl = leak.pair(0.8, 1.0, fl, ["PB0"])
    border = border_instances(leak.inputs()[0], part.tile)
    assert 0 < border.size < d.n_instances
    rng = np.random.default_rng(7)
    for _ in range(6):
        high = rng.random(9) < 0.5
        hi = high[part.tile]
        full, fast = pl(hi), pl(hi, border)
        assert np.array_equal(full, fast) and full.sum() == fast.sum()
    # an instance outside the border: all its drivers in its own tile (or none)
    drv = leak.inputs()[0]
    inner = np.setdiff1d(np.arange(d.n_instances), border)
    dt = np.where(drv[inner] >= 0, part.tile[np.maximum(drv[inner], 0)], part.tile[inner][:, None])
    assert (dt == part.tile[inner][:, None]).all()


def test_emulated_maps_meet_timing_with_crossing_terms(demo):
    """Crossing-aware emulation (libs/demo28/demo28_crossing.txt, 9 tiles, 0.8/0.9 V):
    the emulator's incremental re-timing with the crossing terms at tile borders equals a
    fresh full pass with the same terms; the terms change the timing of mixed maps (not
    of uniform ones); and every map the sweep selects (Algorithm 5 and the local search)
    meets its target clock re-timed from scratch with the crossing terms."""
    from finevh.tech.crossing import read_crossing
    from finevh.timing import crossing
    from finevh.timing.engine import Timer

    d, tc, wc, part = demo["design"], demo["tc"], demo["wc"], demo["part"]
    tables = read_crossing(L / "demo28_crossing.txt")
    plain = E.Emulator(d, tc, demo["leak"])
    emu = E.Emulator(d, tc, demo["leak"], crossing=tables)
    var = E.Variant("t", demo["timer"], E.Binder(d, np.zeros(d.n_instances, np.int64), [None]),
                    tile=part.tile.astype(np.int64), n_tiles=9, wire_cap=wc)
    members = [np.nonzero(part.tile == t)[0] for t in range(9)]

    def fresh_required(b_high, vl, vh):
        for t in range(9):
            var.binder.bind(members[t], vh if b_high[t] else vl)
        tm = Timer(d, tc, wc)
        adj = crossing.enable(tm, tables, var.binder.vdd, vl, vh)
        return E.required_period(tm.update(), emu.period_ns), adj

    emu.activate(var)
    levels = np.array([0.8, 0.9, 1.0])
    prof = emu.profile(var, levels)
    req_plain = plain.time_uniform(var, 0.9)
    assert emu.time_uniform(var, 0.9) == pytest.approx(req_plain, abs=1e-12)     # no border, no term
    # a checkerboard: many borders; the incremental result equals a fresh full pass
    high = (np.arange(9) % 2).astype(bool)
    t_fn, p_fn = emu.map_timer(var, 0.8, 0.9, with_path=False), plain.map_timer(var, 0.8, 0.9, with_path=False)
    r_plain = p_fn(high).required_period_ns
    r_cross = t_fn(high).required_period_ns
    r_fresh, adj = fresh_required(high, 0.8, 0.9)
    assert adj.crossing_edges > 1000 and r_cross == pytest.approx(r_fresh, abs=1e-9)
    assert abs(r_cross - r_plain) > 1e-3                     # the borders cost or save > 1 ps
    t_fn(~high)                                              # flip every tile: keys change everywhere
    assert t_fn(high).required_period_ns == pytest.approx(r_fresh, abs=1e-9)

    fm = np.array([1000.0 / prof.required_ns[v] for v in (0.8, 0.9, 1.0)])
    freqs = fm[0] + (fm[1] - fm[0]) * np.array([0.2, 0.5, 0.8])
    area = d.inst_area()
    pts = E.fine_vh_sweep(emu, var, prof, freqs, levels, fm, area, selection="local")
    for p, f in zip(pts, freqs):
        assert p.feasible
        for h in (p.alg5_high, p.high):
            req, _ = fresh_required(h, p.vddl, p.vddh)
            assert req <= 1000.0 / f + E.PERIOD_TOL_NS + 1e-9, (f, h, req)
    emu.deactivate()
    d.rebind(np.arange(d.n_instances), demo["base"])
