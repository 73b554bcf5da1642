"""What every stage shares: the result type and the one timer factory."""

from __future__ import annotations

import contextlib
import weakref
from dataclasses import dataclass, field
from typing import Any, Iterator

from ..errors import InputError


@dataclass
class StageResult:
    """A stage's outcome: the updated ``plan``, its ``report`` (JSON-ready, stored in
    ``plan.reports[stage]`` too) and stage-specific extras (e.g. the partitioned
    placement, the cells Vdd-MUX insertion added)."""

    plan: Any
    report: dict
    extra: dict[str, Any] = field(default_factory=dict)


class _SharedGraph:
    """What :class:`~finevh.timing.engine.Timer` reads of a ``like`` timer: the design
    (held weakly: this object lives in the design's ``meta``), the timing graph and the
    arc templates."""

    def __init__(self, design, graph, templates: dict):
        self._design = weakref.ref(design)
        self.graph = graph
        self.templates = templates

    @property
    def design(self):
        return self._design()


#: key of ``Design.meta`` holding the design's :class:`_SharedGraph`
SHARED_GRAPH_KEY = "_timing_graph"


def make_timer(design, constraints, wire_cap):
    """The timer every stage uses: net loads summed in double precision (the float32
    running sum that reproduces OpenSTA to the last ps on huge nets costs a third of every
    re-time; the difference is ~1e-5 relative). One factory, so a stage run alone and the
    same stage inside ``finevh run`` time the design identically.

    Every timer of one design shares one timing graph and one set of arc templates
    (``Timer(like=...)``; kept in ``design.meta``): a graph is about 550 bytes per
    instance and several timers live at once in ``finevh run``. A timer whose binding
    changes the arcs rebuilds its own graph (``Timer.update``), which the next timer
    then shares."""
    from ..timing.engine import Timer

    prev = design.meta.get(SHARED_GRAPH_KEY)
    like = prev if prev is not None and prev.design is design else None
    t = Timer(design, constraints, wire_cap, like=like)
    t.single_precision_loads = False
    design.meta[SHARED_GRAPH_KEY] = _SharedGraph(design, t.graph, t.templates)
    return t


def placement_wire_cap(design, placement=None, cap_per_um: float | None = None):
    """Wire capacitance (pF per net) from ``placement`` (default: the design's)."""
    from ..timing import wire

    pl = placement if placement is not None else design.placement
    if pl is None:
        return None
    return wire.from_placement(design, pl, cap_per_um if cap_per_um is not None else wire.DEFAULT_CAP_PER_UM)


@contextlib.contextmanager
def placed_as(design, placement) -> Iterator[None]:
    """Temporarily give ``design`` another placement (a tile count's partitioned one)."""
    saved = design.placement
    design.placement = placement
    try:
        yield
    finally:
        design.placement = saved


def check_plan_matches(plan, design, plan_path: str | None) -> None:
    """The plan must describe this netlist (same instances, same order)."""
    names = design.netlist.inst_names
    if plan.inst_names != list(names):
        have = set(names)
        miss = next((n for n in plan.inst_names if n not in have), None)
        raise InputError(f"the plan does not match the netlist {design.netlist.source}: "
                         f"{len(plan.inst_names)} vs {len(names)} instances"
                         + (f", e.g. '{miss}' is not in the netlist" if miss else " (order differs)"), plan_path)


