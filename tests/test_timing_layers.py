"""The timer's modules import downwards only (OpenSTA's layering, see
finevh/timing/engine.py): delay calculation knows nothing of the search, the search
nothing of the checks, and so on. Imports are read from the source (every import
statement, also those inside functions)."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

TIMING = Path(__file__).resolve().parents[1] / "flow" / "finevh" / "timing"

# rank of every module of finevh.timing; an import must go to a strictly lower rank,
# except among the foundation modules (rank 0), which import each other freely
RANK = {
    "__init__": 0, "arcs": 0, "binding": 0, "constants": 0, "constraints": 0, "exceptions": 0, "graph": 0, "nldm": 0,
    "vmodel": 0,
    "result": 0, "thresholds": 0, "spef": 0, "spefparse": 0, "spef_kernels": 0, "rcflat": 0, "wire": 0, "rcnet": 0,
    "rc_kernels": 0, "dmp": 0, "dmp_kernels": 0, "dmp_jit": 0, "crossing": 0,
    "dcalc": 1, "rcdelay": 1,
    "clocks": 2,
    "latches": 3,
    "gating": 3,
    "search": 4,
    "checks": 5,
    "paths": 6,
    "engine": 7,
    "report": 8,
}


def timing_imports(source: str) -> set[str]:
    """Names of the finevh.timing modules a module of that package imports."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level == 1:                                   # from .x import / from . import x
                out.update([mod.split(".")[0]] if mod else [a.name for a in node.names])
            elif node.level == 2 and mod.startswith("timing"):    # from ..timing.x import
                rest = mod.split(".")[1:]
                out.update(rest[:1] if rest else [a.name for a in node.names])
            elif node.level == 0 and mod.startswith("finevh.timing"):
                rest = mod.split(".")[2:]
                out.update(rest[:1] if rest else [a.name for a in node.names])
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("finevh.timing."):
                    out.add(a.name.split(".")[2])
    return out


def violations(name: str, source: str) -> list[str]:
    bad = []
    for dep in sorted(timing_imports(source)):
        if dep not in RANK:
            bad.append(f"{name} imports unknown module {dep}")
        elif RANK[dep] >= RANK[name] and not (RANK[dep] == RANK[name] == 0):
            bad.append(f"{name} (rank {RANK[name]}) imports {dep} (rank {RANK[dep]})")
    return bad


def test_every_timing_module_has_a_layer():
    mods = {p.stem for p in TIMING.glob("*.py")}
    assert mods - set(RANK) == set(), "place new timing modules in RANK"
    assert {"dcalc", "search", "latches", "checks", "paths", "engine"} <= mods


def test_imports_go_down_only():
    bad = []
    for p in sorted(TIMING.glob("*.py")):
        bad += violations(p.stem, p.read_text())
    assert bad == []


def test_layer_dependencies_are_the_intended_ones():
    deps = {p.stem: timing_imports(p.read_text()) for p in TIMING.glob("*.py")}
    assert deps["dcalc"] & {"clocks", "latches", "search", "checks", "paths", "engine"} == set()
    assert "dcalc" in deps["search"] and "latches" in deps["search"]
    assert "result" in deps["checks"] and "search" not in deps["checks"]
    assert deps["engine"] >= {"dcalc", "search", "checks", "paths"}


@pytest.mark.parametrize("src, dep", [
    ("from .search import Search\n", "search"),
    ("def f():\n    from . import checks\n", "checks"),
    ("from finevh.timing.engine import Timer\n", "engine"),
    ("import finevh.timing.paths\n", "paths"),
    ("from ..timing.latches import Latches\n", "latches"),
])
def test_upward_imports_are_caught(src, dep):
    assert timing_imports(src) == {dep}
    assert violations("dcalc", src) != []
    assert violations("report", src) == []


def test_arc_delay_calculator_plugs_in(repo):
    """Every edge's delay and slew come from ``Timer.dcalc.arc_calc``, in the full and in
    the incremental pass: a calculator doubling the lumped-C delays doubles every edge
    delay and leaves slews unchanged, and its incremental re-timing after a re-binding
    equals a fresh full pass with the same calculator."""
    from finevh.loader import load_design
    from finevh.timing.binding import bind_voltage
    from finevh.timing.constraints import read_constraints
    from finevh.timing.dcalc import LumpedCapDelayCalc
    from finevh.timing.engine import Timer

    class Doubled(LumpedCapDelayCalc):
        calls = 0

        def gate_delays(self, *args):
            Doubled.calls += 1
            dl, sw = super().gate_delays(*args)
            return 2.0 * dl, sw

    L, D = repo / "libs/demo28", repo / "designs/demo"
    d = load_design([str(L / "demo28_ss_125C_1p00v_pb0.lib"), str(L / "demo28_ss_125C_0p80v_pb0.lib")],
                    str(D / "fvh_rv32_demo28.v"))
    tc = read_constraints(str(D / "fvh_rv32_demo28.sdc"), d, d.libset)
    ref = Timer(d, tc).update()
    t2 = Timer(d, tc)
    t2.dcalc.arc_calc = Doubled()
    r2 = t2.update()
    assert Doubled.calls >= len(t2.graph.level_ptr) - 2
    assert np.array_equal(r2.edge_delay, 2.0 * ref.edge_delay)
    assert np.array_equal(r2.edge_slew, ref.edge_slew) and np.array_equal(r2.slew, ref.slew)
    assert r2.worst_slack < ref.worst_slack
    bind_voltage(d, np.arange(0, d.n_instances, 40), 0.8)
    inc = t2.update()
    fresh = Timer(d, tc)
    fresh.dcalc.arc_calc = Doubled()
    full = fresh.update()
    assert not np.array_equal(inc.edge_delay, r2.edge_delay)
    for a, b in ((inc.edge_delay, full.edge_delay), (inc.arrival, full.arrival), (inc.table.slack, full.table.slack)):
        assert np.array_equal(a, b)
