"""Memory at scale (finevh issue 16): the changes that bound ``finevh run``'s and
``finevh power``'s memory keep every number. Internal power evaluated in chunks equals
one pass over all queries; timers made by the stage factory share one graph and time
exactly as an unshared timer, also after re-binding; a profile reduced to its sums
gives the baseline the same power."""

from __future__ import annotations

import numpy as np
import pytest

from finevh.fvh import emulate as E
from finevh.power import analysis as A
from finevh.run import DEMO_CONFIG, _keep_sums, _read, load_config
from finevh.stages.common import make_timer, placement_wire_cap
from finevh.timing.binding import bind_voltage
from finevh.timing.engine import Timer
from finevh.timing.graph import index_dtype


@pytest.fixture(scope="module")
def demo():
    inp = _read(load_config(DEMO_CONFIG))
    return inp.design, inp.tc, placement_wire_cap(inp.design)


@pytest.mark.parametrize("rules", ["3", "2.0"])
def test_internal_power_in_chunks_equals_one_pass(demo, rules, monkeypatch):
    design, tc, wc = demo
    r = make_timer(design, tc, wc).update()
    spec = A.ActivitySpec(opensta_rules=rules)
    top = A.bound_topology(design, None)
    reach = A.clock_reach_from_constraints(design, top, tc)
    act, _ = A.activity(design, top, reach, spec)
    load, _, libs, _, ps = A._dynamic(design, top, reach, act, spec, tc, r.slew, wc, 1.0)
    monkeypatch.setattr(A._EnergySum, "CHUNK", 1 << 40)
    one = A._internal_for(spec, design, ps, libs, load)
    monkeypatch.setattr(A._EnergySum, "CHUNK", 997)         # ~100 flushes on the demo
    many = A._internal_for(spec, design, ps, libs, load)
    assert one.sum() > 0
    assert np.array_equal(one, many)


def test_stage_timers_share_one_graph_and_time_as_an_unshared_timer(demo):
    design, tc, wc = demo
    a = make_timer(design, tc, wc)
    b = make_timer(design, tc, None)
    assert b.graph is a.graph and b.templates is a.templates
    ref = Timer(design, tc, wc)
    ref.single_precision_loads = False
    assert ref.graph is not a.graph
    keep = design.inst_cell.copy()
    try:
        for step in range(2):
            ra, rr = a.update(), ref.update()
            assert np.array_equal(ra.table.slack, rr.table.slack)
            assert np.array_equal(ra.slew, rr.slew, equal_nan=True)
            assert np.array_equal(ra.arrival, rr.arrival, equal_nan=True)
            if step == 0:   # re-bind a fifth of the instances to their 0.8 V twins
                bind_voltage(design, np.arange(0, design.n_instances, 5), 0.8)
        assert not np.array_equal(design.inst_cell, keep)
    finally:
        design.rebind(np.arange(design.n_instances), [design.cells[k] for k in keep.tolist()])


def test_timer_keeps_compact_edge_arrays_and_builds_the_early_search_only_for_hold(demo):
    design, tc, wc = demo
    t = Timer(design, tc, wc)
    r = t.update()
    g = t.graph
    idx = ("e_inst", "e_slot", "e_from", "e_src", "e_to", "seg_start", "seg_to")
    small = ("e_in_rf", "e_out_rf", "e_kind", "seg_rf")
    assert all(getattr(g, k).dtype == np.int32 for k in idx)
    assert all(getattr(g, k).dtype == np.int8 for k in small)
    assert t.clocks.clock_of_term.dtype == np.int32 and t.clocks.clock_inv.dtype == np.int8
    # 23 B per edge (64 B with int64 everywhere); the demo has 5.5 edges per instance
    per_inst = sum(getattr(g, k).nbytes for k in idx[:5] + small[:3]) / design.n_instances
    assert 120 < per_inst < 130
    assert t._search_early is None and r.hold is None
    th = Timer(design, tc, wc, like=t, hold=True)
    rh = th.update()
    assert th._search_early is not None and len(rh.hold.table.slack) > 0
    assert np.array_equal(rh.table.slack, r.table.slack)
    assert index_dtype(2**31 - 2) is np.int32 and index_dtype(2**31) is np.int64


def test_profile_reduced_to_sums_gives_the_same_baseline_power():
    rng = np.random.default_rng(3)
    grid = np.array([0.6, 0.8, 1.0])
    prof = E.Profile()
    for v in grid:
        prof.dyn_ref_uw[v] = rng.random(1001) * 3.0
        prof.leak_uw[v] = rng.random(1001) * 0.1
        prof.required_ns[v] = 10.0 / v
    b = E.Baseline(grid, 100.0 * grid, np.zeros(3), prof, 100.0)
    before = [b.power(v, f) for v in grid for f in (37.5, 80.0, 123.0)]
    _keep_sums(prof)
    assert all(np.ndim(x) == 0 for x in prof.dyn_ref_uw.values())
    assert [b.power(v, f) for v in grid for f in (37.5, 80.0, 123.0)] == before


# ---- poly-bias corners, leakage pairs, heap trimming (issue 16, second round) ----------------

def _polybias(design, tc, wc, keep_state: bool, monkeypatch):
    """Two-corner assignment (the SDC corner and 0.8 V at fmax) of one flavour on every
    seventh instance; ``keep_state``: the other corner keeps its pass state (as before)."""
    from finevh.fvh import polybias as PB

    seen = []
    with monkeypatch.context() as m:
        orig = PB._Corner.__init__

        def init(self, *a, **k):
            orig(self, *a, **k)
            seen.append(self)
        m.setattr(PB._Corner, "__init__", init)
        if keep_state:
            m.setattr(Timer, "release", lambda self: None)
        keep = design.inst_cell.copy()
        try:
            iface = np.zeros(design.n_instances, dtype=bool)
            iface[::7] = True
            res = PB.assign_polybias(design, make_timer(design, tc, wc), iface, ["PB16", "PB4"],
                                     corners=[PB.CornerSpec(None, "sdc"), PB.CornerSpec(0.8, "fmax")])
        finally:
            design.rebind(np.arange(design.n_instances), [design.cells[k] for k in keep.tolist()])
    return res, seen


def test_polybias_corners_released_between_passes_give_the_same_assignment(demo, monkeypatch):
    design, tc, wc = demo
    kept, _ = _polybias(design, tc, wc, True, monkeypatch)
    res, corners = _polybias(design, tc, wc, False, monkeypatch)
    assert len(res.swaps) > 100 and sum(s.backoff_rounds for s in res.stages) > 0
    assert res.swaps == kept.swaps
    assert res.stages == kept.stages and res.corners == kept.corners
    assert (res.worst_after_ns, res.tns_after_ns) == (kept.worst_after_ns, kept.tns_after_ns)
    main, other = corners
    assert main.main and main.timer.last is not None
    # the other corner's timer holds no pass state once the assignment is done
    t = other.timer
    assert not other.main and t.last is None and t.search._state is None
    assert t.dcalc._rows_state is None and not t.dcalc._load_state and t.search._lat is None
    assert t.clocks.ideal_latency is None


def test_released_timer_times_as_an_incremental_one(demo):
    design, tc, wc = demo
    a = make_timer(design, tc, wc)
    b = make_timer(design, tc, wc)
    keep = design.inst_cell.copy()
    try:
        a.update(), b.update()
        bind_voltage(design, np.arange(3, design.n_instances, 11), 0.8)
        b.release()
        ra, rb = a.update(), b.update()            # a: incremental; b: full after release
        for k in ("arrival", "slew", "load", "edge_delay", "edge_slew"):
            assert np.array_equal(getattr(ra, k), getattr(rb, k), equal_nan=True), k
        assert np.array_equal(ra.table.slack, rb.table.slack)
    finally:
        design.rebind(np.arange(design.n_instances), [design.cells[k] for k in keep.tolist()])


def test_leakage_pairs_share_the_design_inputs_and_give_eq_4_3(demo):
    from finevh.fvh.leakage import MAX_INPUTS, DesignLeakage

    design, tc, wc = demo
    duty = np.random.default_rng(5).random(design.netlist.n_nets)
    dl = DesignLeakage(design, duty)
    names = [None]
    fl = np.zeros(design.n_instances, dtype=np.int64)
    p1, p2 = dl.pair(0.8, 1.0, fl, names), dl.pair(0.6, 0.8, fl, names)
    assert p1.drivers is p2.drivers and p1.weights is p2.weights and p1.width is p2.width
    assert p1.drivers.dtype == np.int32 and p1.weights.dtype == np.uint8
    # the configuration index as before: int64 drivers and weights from the masters
    drv = np.full((dl.n, MAX_INPUTS), -1, dtype=np.int64)
    w = np.zeros((dl.n, MAX_INPUTS), dtype=np.int64)
    for m in dl.masters:
        n = len(m.pins)
        drv[m.insts, :n] = m.drivers
        w[m.insts, :n] = 1 << (n - 1 - np.arange(n))
    hi = np.random.default_rng(6).random(dl.n) < 0.5
    foreign = (drv >= 0) & (hi[np.maximum(drv, 0)] != hi[:, None])
    cfg = (foreign * w).sum(axis=1)
    ref = p1.table[p1.offset + np.where(hi, 0, 1) * p1.width + cfg]
    got = p1(hi)
    assert got.dtype == np.float64 and np.array_equal(got, ref)
    assert 0 < np.count_nonzero(cfg) < dl.n
    # uniform supply: every configuration is 0, the uniform leakage (k = 1)
    assert np.allclose(p1(np.ones(dl.n, dtype=bool)), dl.uniform(1.0, fl, names), rtol=1e-12, atol=0)


def test_polybias_net_instances_flat_equal_per_net_lists(demo):
    from finevh.fvh.polybias import _Ctx

    design, tc, wc = demo
    ctx = _Ctx(design, None)
    P = design.n_pins
    ptr, terms = design.net_term_ptr, design.net_terms
    for m in range(0, design.netlist.n_nets, 37):
        t = terms[ptr[m]:ptr[m + 1]]
        want = design.pin_inst[t[t < P]]
        assert np.array_equal(ctx.net_insts[ctx.net_inst_ptr[m]:ctx.net_inst_ptr[m + 1]], want)
    some = set(range(0, design.n_instances, 997))
    assert ctx.neighbours(some) >= some and len(ctx.neighbours(some)) > len(some)


def test_heap_trim_runs_on_linux():
    import sys

    from finevh import memory

    assert memory.trim() is sys.platform.startswith("linux")


def test_baseline_profiled_as_sums_gives_the_same_power(demo):
    from finevh.fvh.leakage import DesignLeakage

    design, tc, wc = demo
    leak = DesignLeakage(design, np.full(design.netlist.n_nets, 0.5))
    emu = E.Emulator(design, tc, leak)
    var = E.Variant("base", make_timer(design, tc, wc),
                    E.Binder(design, np.zeros(design.n_instances, dtype=np.int64), [None]), wire_cap=wc)
    keep = design.inst_cell.copy()
    try:
        emu.activate(var)
        grid = np.array([0.8, 1.0])
        full = emu.profile(var, grid)                          # per-instance arrays
        b = E.baseline(emu, var, grid)                         # sums only
        assert all(np.ndim(x) == 0 for x in b.prof.dyn_ref_uw.values())
        ref = E.Baseline(grid, b.fmax_grid, np.zeros(2), full, emu.f_ref)
        assert [b.power(v, f) for v in grid for f in (40.0, 90.0)] == \
               [ref.power(v, f) for v in grid for f in (40.0, 90.0)]
        # extending a profile keeps its per-instance arrays and adds sums
        ext = E.baseline(emu, var, np.array([0.7, 0.8, 1.0]), prof=full)
        assert np.ndim(ext.prof.dyn_ref_uw[0.8]) == 1 and np.ndim(ext.prof.dyn_ref_uw[0.7]) == 0
    finally:
        emu.deactivate()
        design.rebind(np.arange(design.n_instances), [design.cells[k] for k in keep.tolist()])
