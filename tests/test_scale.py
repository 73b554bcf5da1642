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
from finevh.timing.graph import _back_edges, _kahn, _reaching_loops, build_graph

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


def _random_cyclic(seed: int, T: int, extra: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    o = rng.permutation(T)
    a, b = rng.integers(0, T, 2 * T), rng.integers(0, T, 2 * T)
    a, b = np.where(o[a] < o[b], a, b), np.where(o[a] < o[b], b, a)
    keep = a != b
    a, b = a[keep], b[keep]
    c, d = rng.integers(0, T, extra), rng.integers(0, T, extra)
    rev = rng.integers(0, len(a), 3)           # three DAG edges reversed: loops for sure
    return np.concatenate([a, c, b[rev]]), np.concatenate([b, d, a[rev]])


@pytest.mark.parametrize("seed", range(12))
def test_trimmed_search_finds_the_same_back_edges(seed):
    """Leaving out the stalled nodes that reach no loop changes no back edge of the
    depth-first search (the loop breaks reported, and so the graph, stay the same)."""
    T = 400 + 300 * seed
    src, dst = _random_cyclic(seed, T, T // 10)
    _, indeg = _kahn(T, src, dst)
    stuck = indeg > 0
    assert stuck.any()
    idx = np.nonzero(stuck[src] & stuck[dst])[0]
    trimmed = _reaching_loops(T, idx, src, dst)
    assert len(trimmed) < len(idx)
    assert sorted(set(_back_edges(idx, src, dst))) == sorted(set(_back_edges(trimmed, src, dst)))


@pytest.mark.parametrize("seed", range(12))
def test_resumed_sweep_equals_a_fresh_sweep_after_loop_breaking(seed):
    """Loops cut as the graph builder cuts them, the sweep resumed on the stalled part
    only gives the levels of a fresh sweep over the edges left (wide frontiers: the
    numpy rounds, not only the edge-by-edge path)."""
    T = 3000 + 1000 * seed
    src, dst = _random_cyclic(100 + seed, T, T // 20)
    level, indeg = _kahn(T, src, dst)
    assert indeg.any()
    disabled = np.zeros(len(src), dtype=bool)
    rounds = 0
    while indeg.any():
        rounds += 1
        stuck = indeg > 0
        idx = np.nonzero(~disabled & stuck[src] & stuck[dst])[0]
        disabled[_back_edges(_reaching_loops(T, idx, src, dst), src, dst)] = True
        level[stuck] = 0
        into = np.nonzero(~disabled & stuck[dst])[0]
        level, indeg_in = _kahn(T, src[into], dst[into], level)
        indeg = np.where(stuck, indeg_in, 0)
    ref_level, ref_indeg = reference_levels(T, src[~disabled], dst[~disabled])
    assert not ref_indeg.any()
    assert np.array_equal(level, ref_level)
    assert level.max() > 5


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


# --------------------------------------------------------------------------- plan and emit

#: names as the netlist reader stores escaped identifiers (no whitespace: UPF needs none)
ODD = ["u_core/reg[3]", "a[3].b", "x{y}", "d$ollar", "b\\k", "c\\[1]", "semi;colon", 'q"uote', "#hash",
       "br]ace[", "uni\u00e9\u2603", "}{", "tail\\"]


def synthetic_plan(n_inst: int, n: int = 4):
    """A plan of ``n_inst`` instances (bus-bit names, some odd), poly-bias swaps on four
    instances in five, Vdd-MUX cells and a configuration chain (tests/tool_signatures)."""
    sys.path.insert(0, str(REPO / "tests"))
    from tool_signatures.plans import build_plan

    names = [ODD[k % len(ODD)] + f"_{k}" if k % 97 == 0 else
             (f"u_core/blk{k // 1000}/reg_{k % 1000}[{k % 7}]" if k % 3 == 0 else f"u_core/n{k}")
             for k in range(n_inst)]
    fl = ("PB16", "PB10", "PB4")
    swaps = [(names[k], f"INV_X{k % 4 + 1}", f"INV_X{k % 4 + 1}", fl[k % 3]) for k in range(n_inst) if k % 5]
    p = build_plan(names, n=n, core_um=max(40.0, n_inst ** 0.5 * 2.0), muxes_per_tile=3, swaps=swaps)
    p.reports = {"partition": {"n": n, "x": [1.5, 2.25], "nested": {"b": 1, "a": [{"z": 2}, {}]}}, "e": {}}
    p.cell_pins = {"power": "VPWR", "ground": "VGND"}
    return p


def reference_plan_text(plan) -> str:
    """The plan file as the plain writer made it: ``json.dumps(indent=1, sort_keys=True)``
    of everything but the per-instance arrays, then those one element per line."""
    import dataclasses
    import json

    from finevh.fvh.plan import plan_to_dict

    d = plan_to_dict(plan)
    assert d["pb_swaps"] == [dataclasses.asdict(s) for s in plan.pb_swaps]
    arrays = ("inst_names", "inst_tile", "interface")
    head = json.dumps({k: v for k, v in d.items() if k not in arrays}, indent=1, sort_keys=True)
    lines = [head[:-1].rstrip() + ","]
    for key in arrays:
        vals = d[key]
        if not vals:
            lines.append(f' "{key}": [],')
            continue
        lines.append(f' "{key}": [')
        lines += [" " + json.dumps(v) + ("," if k + 1 < len(vals) else "") for k, v in enumerate(vals)]
        lines.append(" ],")
    lines[-1] = lines[-1].rstrip(",")
    return "\n".join(lines + ["}"]) + "\n"


@pytest.mark.parametrize("n_inst", [0, 1, 2_000])
def test_plan_file_equals_reference(tmp_path, n_inst):
    import json

    from finevh.fvh.plan import plan_json, plan_to_dict, read_plan, write_plan

    plan = synthetic_plan(n_inst, n=2 if n_inst < 2 else 4)
    if n_inst == 1:
        plan.pb_swaps = []
        plan.cell_pins = {}
    f = tmp_path / "p.fvh.json"
    write_plan(f, plan)
    assert f.read_text(encoding="utf-8") == reference_plan_text(plan)
    assert plan_json(plan) == json.dumps(plan_to_dict(plan), sort_keys=True)
    back = read_plan(f)
    assert plan_to_dict(back) == plan_to_dict(plan)


def test_plan_file_500k_instances_equals_reference_and_is_fast(tmp_path):
    """500k instances, 400k swaps: byte-identical to the plain writer, in a fraction of
    its time (it took 6.2 s here before; the bound is loose for a loaded machine)."""
    from finevh.fvh.plan import write_plan

    plan = synthetic_plan(500_000, n=8)
    f = tmp_path / "p.fvh.json"
    _, cpu = _cpu(write_plan, f, plan)
    assert f.read_bytes() == reference_plan_text(plan).encode()
    assert cpu < 2.5, f"write_plan of 500k instances took {cpu:.2f} s CPU"


def test_demo_plan_equals_reference(tmp_path):
    """The demo partitioned into 3 x 3 tiles (15.6k instances), with the poly-bias swaps
    of every fourth interface cell: the plan file is the plain writer's, byte for byte."""
    from finevh.fvh.plan import PbSwap, read_plan, write_plan
    from finevh.loader import load_design
    from finevh.stages import PartitionOptions, partition_stage

    lib = REPO / "libs/demo28"
    d = load_design([str(DEMO_LIB)], str(DEMO_V), None, [str(lib / "demo28.lef")],
                    str(REPO / "designs/demo/fvh_rv32_demo28.def"))
    plan = partition_stage(d, None, None, PartitionOptions(tiles=3)).plan
    cells = [d.cells[c].name for c in d.inst_cell.tolist()]
    plan.pb_swaps = [PbSwap(plan.inst_names[i], cells[i], cells[i], "PB16")
                     for i in np.nonzero(plan.interface)[0][::4].tolist()]
    assert plan.n_instances == 15600 and len(plan.pb_swaps) > 1000
    f = tmp_path / "p.fvh.json"
    write_plan(f, plan)
    assert f.read_text(encoding="utf-8") == reference_plan_text(plan)
    g = tmp_path / "q.fvh.json"
    write_plan(g, read_plan(f))
    assert g.read_bytes() == f.read_bytes()


def _reference_def_name(name: str) -> str:
    out, prev = [], ""
    for c in name:
        if c in "[]" and prev != "\\":
            out.append("\\")
        out.append(c)
        prev = c
    return "".join(out)


def _reference_braces_ok(s: str) -> bool:
    depth, i = 0, 0
    while i < len(s):
        if s[i] == "\\":
            if i + 1 < len(s) and s[i + 1] == "\n":
                return False
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(s[i], 0)
        if depth < 0:
            return False
        i += 1
    return depth == 0 and (len(s) - len(s.rstrip("\\"))) % 2 == 0


def test_quoting_fast_paths_equal_character_loops():
    """def_name / the brace check / UPF names on 30k random strings over the characters
    that matter equal the per-character definitions."""
    import random

    from finevh.emit import tclquote as q
    from finevh.errors import InputError

    rng = random.Random(3)
    alpha = "ab_[]{}\\/ $\";#\n\t.\u00e9\u2003x0"
    for _ in range(30_000):
        s = "".join(rng.choice(alpha) for _ in range(rng.randint(0, 8)))
        assert q.def_name(s) == _reference_def_name(s), s
        assert q._braces_ok(s) == _reference_braces_ok(s), s
        try:
            got = q.upf_name(s)
        except InputError:
            got = None
        ok = not q._CONTROL.search(s) and all(seg and not any(c.isspace() for c in seg) for seg in s.split("/"))
        assert (got is not None) == ok, s
        w = q.tcl_word(s) if not q._CONTROL.search(s) else None
        if w is not None and q._SIMPLE.match(s):
            assert w == s


def test_emit_100k_instances_seconds():
    """All six tool flavours of a 100k-instance plan (80k swaps) in < 7 s of CPU together,
    the plan prepared once for all six (about 9 s before the streaming writers, 4.9 s with
    one preparation per tool, 1.7 s with one shared; bench/bench_startup.py --emit
    measures 500k)."""
    from finevh.emit import TOOLS, emit_texts
    from finevh.emit.common import EmitOptions

    plan = synthetic_plan(100_000, n=8)
    opts = EmitOptions(swap_cell={"PB16": "{cell}_PB16", "PB10": "{cell}_PB10", "PB4": "{cell}_PB4"})
    texts, total = _cpu(emit_texts, plan, TOOLS, opts)
    for tool in TOOLS:
        assert "u_core/n99998" in texts[tool] and len(texts[tool]) > 1_000_000, tool
    assert total < 7.0, f"emit of 100k instances, six tools: {total:.2f} s CPU"


def test_emit_texts_shared_preparation_equals_one_tool_at_a_time():
    """The scripts written from one shared preparation are byte-identical to each tool
    emitted on its own (no emitter changes the prepared data)."""
    from finevh.emit import TOOLS, emit_text, emit_texts
    from finevh.emit.common import EmitOptions

    plan = synthetic_plan(5_000, n=4)
    opts = EmitOptions(swap_cell={"PB16": "{cell}_PB16", "PB10": "{cell}_PB10", "PB4": "{cell}_PB4"})
    together = emit_texts(plan, TOOLS[::-1], opts)
    assert list(together) == list(TOOLS[::-1])
    for tool in TOOLS:
        assert together[tool] == emit_text(plan, tool, opts), tool


# --------------------------------------------------------------------------- start-up

def _imports(*args: str) -> tuple[set[str], str]:
    """Modules imported by ``python -m finevh ARGS`` (from -X importtime) and stdout."""
    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "finevh", *args], capture_output=True, text=True,
                       env=_env())
    assert r.returncode == 0, r.stderr[-2000:]
    mods = {ln.split("|")[-1].strip() for ln in r.stderr.splitlines() if ln.startswith("import time:")}
    return mods, r.stdout


def _env():
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO / "flow") + os.pathsep + env.get("PYTHONPATH", "")
    return env


HEAVY = {"numpy", "matplotlib", "scipy", "dask", "pymoo", "networkx", "pyverilog", "distributed", "pandas"}


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("tcl-dir",), ("emit", "--help"),
                                  ("read", "--help"), ("sta", "--help")])
def test_startup_imports_only_what_is_used(args):
    mods, out = _imports(*args)
    assert not mods & HEAVY, sorted(mods & HEAVY)
    stages = {m for m in mods if m.startswith("finevh.cli.") and m != "finevh.cli.common"}
    if args[0].startswith("--"):
        assert not stages, sorted(stages)
    else:
        assert stages <= {f"finevh.cli.{args[0].replace('-', '')}"}, sorted(stages)


def test_help_lists_every_command_as_loaded_commands_would():
    """``finevh --help`` (nothing loaded) equals the help of the group with every
    command loaded, and the stage table's short help is the commands' own."""
    import click

    from finevh.cli import _STAGES, cli

    _, lazy_help = _imports("--help")
    names = sorted(cli.commands)
    assert names == sorted(_STAGES) and len(names) == 18
    for name in names:
        cmd = cli.commands[name]
        assert cmd.name == name
        for limit in (20, 35, 45, 60, 80, 200):
            assert click.utils.make_default_short_help(_STAGES[name][1], limit) == cmd.get_short_help_str(limit), \
                f"finevh {name}: its help changed; copy its first sentence into _STAGES (finevh/cli/__init__.py)"
    loaded_help = subprocess.run(
        [sys.executable, "-c", "from finevh.cli import cli, main\n"
         "for n in list(cli.commands): cli.commands[n]\nmain(['--help'])"],
        capture_output=True, text=True, env=_env()).stdout
    assert lazy_help == loaded_help
    for name in names:
        assert f"\n  {name} " in lazy_help


def test_verbosity_after_the_stage_name(tmp_path):
    """``--quiet`` / ``-v`` after the stage name still work on lazily loaded commands."""
    for flag in ("--quiet", "-q", "--verbose", "-v"):
        r = subprocess.run([sys.executable, "-m", "finevh", "tcl-dir", flag], capture_output=True, text=True,
                           env=_env())
        assert r.returncode == 0, r.stderr
        assert Path(r.stdout.strip(), "finevh.tcl").is_file()
    from finevh.cli import cli

    for name in cli.commands:
        opts = {o for p in cli.commands[name].params for o in getattr(p, "opts", [])}
        assert {"--quiet", "-q", "--verbose", "-v"} <= opts, name
