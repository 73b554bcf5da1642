"""Scaling (finevh issue 16): linear-time levelisation, fast plan writing and emitting,
lazy CLI start-up. Levels are checked against a plain reference Kahn sweep; outputs
byte for byte against the straightforward serialisation they replaced."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from finevh.timing.arcs import KIND_LAUNCH
from finevh.timing.graph import _kahn, build_graph

REPO = Path(__file__).resolve().parents[1]
DEMO_LIB = REPO / "libs/demo28/demo28_ss_125C_1p00v_pb0.lib"
DEMO_V = REPO / "designs/demo/fvh_rv32_demo28.v"


# --------------------------------------------------------------------------- levels

def reference_levels(T: int, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The textbook sweep (one full pass over all nodes per level): level = number of
    edges of the longest path from a source; remaining indegree > 0 behind a loop."""
    level = np.zeros(T, dtype=np.int64)
    indeg = np.bincount(dst, minlength=T).astype(np.int64)
    done = indeg == 0
    frontier = np.nonzero(done)[0]
    rnd = 0
    while len(frontier):
        rnd += 1
        hit = np.isin(src, frontier)
        np.subtract.at(indeg, dst[hit], 1)
        frontier = np.nonzero((indeg == 0) & ~done)[0]
        done[frontier] = True
        level[frontier] = rnd
    return level, indeg


def deep_wide(T: int, depth: int, seed: int = 0) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """A ``depth`` x ``T / depth`` layered DAG in shuffled node order: every node of
    layer L > 0 has one predecessor in layer L - 1 (near the same column) and one in a
    random earlier layer, so its level is exactly L. Returns (T, src, dst, layer)."""
    rng = np.random.default_rng(seed)
    width = T // depth
    T = width * depth
    layer = np.arange(T) // width
    col = np.arange(T) % width
    v = np.arange(width, T)
    near = v - width + np.clip(rng.integers(-3, 4, len(v)), -col[v], width - 1 - col[v])
    back = np.minimum(rng.integers(1, 50, len(v)), layer[v])
    far = (layer[v] - back) * width + rng.integers(0, width, len(v))
    perm = rng.permutation(T)
    src = perm[np.concatenate([near, far])]
    dst = perm[np.concatenate([v, v])]
    lv = np.empty(T, dtype=np.int64)
    lv[perm] = layer
    return T, src, dst, lv


@pytest.mark.parametrize("T,depth", [(20_000, 2_000), (20_000, 40), (3_000, 3_000)])
def test_levels_equal_reference_deep_and_wide(T, depth):
    T, src, dst, lv = deep_wide(T, depth, seed=depth)
    level, indeg = _kahn(T, src, dst)
    ref_level, ref_indeg = reference_levels(T, src, dst)
    assert np.array_equal(level, lv)
    assert np.array_equal(level, ref_level)
    assert np.array_equal(indeg, ref_indeg) and not indeg.any()


def test_levels_equal_reference_random_with_loops():
    rng = np.random.default_rng(7)
    stuck_seen = 0
    for it in range(200):
        T = int(rng.integers(1, 300))
        E = int(rng.integers(0, 3 * T))
        a, b = rng.integers(0, T, E), rng.integers(0, T, E)
        if it % 3:      # two cases in three: a DAG (edges oriented along a random order)
            o = rng.permutation(T)
            a, b = np.where(o[a] < o[b], a, b), np.where(o[a] < o[b], b, a)
            a, b = a[a != b], b[a != b]
        level, indeg = _kahn(T, a, b)
        ref_level, ref_indeg = reference_levels(T, a, b)
        assert np.array_equal(level, ref_level), it
        assert np.array_equal(indeg, ref_indeg), it
        stuck_seen += bool(indeg.any())
    assert stuck_seen > 20      # the loop cases really stall


def test_levels_demo_design():
    """The demo (15.6k cells): the graph's node levels are the reference sweep's over
    its own dependency edges (loop-breaking edges already removed)."""
    from finevh.design import link
    from finevh.liberty.libset import load_library_set
    from finevh.netlist.verilog import read_verilog

    d = link(read_verilog(DEMO_V), load_library_set([DEMO_LIB]))
    g = build_graph(d)
    dep = (g.e_kind != KIND_LAUNCH) & (g.e_src >= 0)
    ref, indeg = reference_levels(g.n_terms, g.e_src[dep], g.e_to[dep])
    assert not indeg.any()
    assert np.array_equal(g.node_level, ref)
    assert g.node_level.max() == 66
    # edges are sorted by the level of their target
    assert np.all(np.diff(g.node_level[g.e_to]) >= 0)


def _cpu(fn, *args):
    t = time.process_time()
    out = fn(*args)
    return out, time.process_time() - t


def test_levelise_million_nodes_linear_time():
    """1M nodes, 2,000 levels deep (twice the 1.07M-cell design's depth) and a single
    1M-node chain (depth = nodes): each levelises in <= 2 s of CPU."""
    T, src, dst, lv = deep_wide(1_000_000, 2_000, seed=3)
    (level, indeg), cpu = _cpu(_kahn, T, src, dst)
    assert np.array_equal(level, lv) and not indeg.any()
    assert cpu <= 2.0, f"deep-wide 1M levelised in {cpu:.2f} s CPU"
    n = 1_000_000
    perm = np.random.default_rng(5).permutation(n)
    (level, indeg), cpu = _cpu(_kahn, n, perm[:-1], perm[1:])
    assert np.array_equal(level[perm], np.arange(n)) and not indeg.any()
    assert cpu <= 2.0, f"1M chain levelised in {cpu:.2f} s CPU"
