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
