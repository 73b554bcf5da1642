"""Static timing analysis (setup and hold): the :class:`Timer` facade over the timing layers.

The timer is split along OpenSTA's layers, one concern per module; each imports only
the layers below it (``tests/test_timing_layers.py`` checks this):

========================  ==============================================================
``graph``, ``arcs``,      timing graph of the linked design, Liberty arcs, table look-up,
``nldm``, ``constraints`` constraints; ``result``: what a pass produces (endpoint table)
``dcalc``                 delay calculation: table rows, pin / net loads, arc delays and
                          slews, driving cells (the :class:`~finevh.timing.dcalc.ArcDelayCalc`
                          plug-in point for RC delay calculation)
``clocks``                clock network, latencies (ideal or propagated), capture edges
``latches``               latch time borrowing
``gating``                inferred clock-gating checks (which gates, which edges)
``search``                arrivals, late or early (full and incremental), required times,
                          pin slacks
``checks``                setup and hold checks (registers, outputs, clock gating) and
                          the endpoint tables
``paths``                 worst path into an endpoint
``engine``                this facade; ``report`` (text / JSON) sits on top of it
========================  ==============================================================

One :meth:`Timer.update` gathers the tables and loads of the current binding, then
propagates arrivals level by level and evaluates the checks; WNS and TNS are taken over
the endpoints. With ``hold=True`` a second, early search (min arrivals, min slews, min
input delays) feeds the hold checks (``result.hold``). Times ns, capacitances pF.
"""

from __future__ import annotations

import numpy as np

from .arcs import CellTiming
from .checks import hold_checks, setup_checks
from .clocks import CaptureEdges, clock_network
from .constraints import TerminalNames, TimingConstraints
from .dcalc import DelayCalc
from .gating import apply_overrides, gate_slew_edges, gate_slew_floor, infer_gating_checks
from .graph import TimingGraph, binding_changes_arcs, build_graph
from .latches import Latches
from .paths import worst_path
from .result import Endpoint, EndpointTable, HoldResult, RequiredSeeds, TimingResult
from .search import Search, pin_slacks, required_times

__all__ = ["Endpoint", "EndpointTable", "HoldResult", "RequiredSeeds", "Timer", "TimingResult"]


class Timer:
    """Timing engine (setup; hold with ``hold=True``) bound to one design and one set
    of constraints.

    ``wire_cap``: optional float64[M] wire capacitance per net (pF), see
    :mod:`finevh.timing.wire`. Call :meth:`update` after re-binding instances in
    ``design.inst_cell``; the graph is reused, only tables and loads are gathered again.
    ``like``: another timer of the same netlist (e.g. the design at another supply):
    its graph and arc templates are shared instead of rebuilt (arcs do not depend on
    which twin an instance is bound to; a binding that changes arcs rebuilds).
    """

    def __init__(self, design, constraints: TimingConstraints, wire_cap: np.ndarray | None = None,
                 like: "Timer | None" = None, hold: bool = False):
        self.design = design
        self.hold = hold
        self.constraints = constraints
        if like is not None and like.design.netlist is design.netlist:
            self.templates: dict[int, CellTiming] = like.templates
            graph = like.graph
        else:
            self.templates = {}
            graph = build_graph(design, self.templates, constraints.disabled, constraints.case_nets)
        self.names = TerminalNames(design)
        self.dcalc = DelayCalc(design, constraints, self.templates, wire_cap)
        self.capture = CaptureEdges(constraints)
        self.last: TimingResult | None = None
        self._use_graph(graph)

    def _use_graph(self, g: TimingGraph) -> None:
        """Bind the graph-dependent layers (clock network, latches, search) to ``g``."""
        self.graph = g
        self.clocks = clock_network(self.design, g, self.constraints)
        self.latches = Latches(self.design, g, self.templates, self.constraints, self.clocks, self.capture)
        self.gating = apply_overrides(infer_gating_checks(self.design, g, self.clocks, self.constraints.gating), g,
                                      self.constraints)
        self._gate_edges = gate_slew_edges(g, self.clocks, self.constraints)
        self.search = Search(g, self.constraints, self.clocks, self.dcalc, self.latches)
        self._search_early: Search | None = None

    @property
    def search_early(self) -> Search:
        """The early (min) search feeding the hold checks, built on first use (a timer
        without ``hold`` never pays for its per-edge arrays)."""
        if self._search_early is None:
            self._search_early = Search(self.graph, self.constraints, self.clocks, self.dcalc.early_view(),
                                        self.latches, early=True)
        return self._search_early

    # ------------------------------------------------------------------ settings
    @property
    def wire_cap(self) -> np.ndarray | None:
        """float64[M] wire capacitance per net (pF) or None."""
        return self.dcalc.wire_cap

    @wire_cap.setter
    def wire_cap(self, v: np.ndarray | None) -> None:
        self.dcalc.wire_cap = v

    @property
    def single_precision_loads(self) -> bool:
        """Sum load capacitances as OpenSTA does: single precision, in farads, pins in
        reverse connection order (matters only on nets of thousands of pins; default on)."""
        return self.dcalc.single_precision_loads

    @single_precision_loads.setter
    def single_precision_loads(self, v: bool) -> None:
        self.dcalc.single_precision_loads = bool(v)

    @property
    def drive_zero_load_subtract(self) -> bool:
        """A driving cell's delay is relative to its zero-load delay (OpenSTA 2.0.17)."""
        return self.dcalc.drive_zero_load_subtract

    @drive_zero_load_subtract.setter
    def drive_zero_load_subtract(self, v: bool) -> None:
        self.dcalc.drive_zero_load_subtract = bool(v)

    # ------------------------------------------------------------------ passes
    def update(self, incremental: bool = True) -> TimingResult:
        """Time the design under its current binding.

        After a first full pass, ``incremental`` re-timing recomputes only the edges
        whose table (re-bound instance), load (re-bound fan-out) or input slew changed,
        and re-reduces only the pins whose edges or source arrivals changed, level by
        level; the result equals a full pass (checked by the tests)."""
        rebuilt = binding_changes_arcs(self.graph, self.design, self.templates)
        if rebuilt:
            self._use_graph(build_graph(self.design, self.templates, self.constraints.disabled,
                                        self.constraints.case_nets))
            if self.dcalc.crossing is not None:       # supply-crossing corrections follow the graph
                self.dcalc.crossing = self.dcalc.crossing.rebuilt(self.graph, self.templates)
        g = self.graph
        incremental = incremental and getattr(self.dcalc.arc_calc, "supports_incremental", True)
        self.dcalc.new_pass(incremental and not rebuilt)
        tables = self.dcalc.tables(g)
        load = self.dcalc.loads(g)
        # min analysis: Liberty capacitance ranges load pins with their low end (OpenSTA 3.x)
        load_e = self.dcalc.loads(g, early=True) if self.dcalc.has_early_loads() else load
        a = self.search.propagate(tables, load, incremental, clock_loads=(load, load_e))
        e = None
        if len(self._gate_edges):
            a, e = self._settle_gated_slews(a, tables, load, load_e, incremental)
        table, seeds = setup_checks(g, self.constraints, self.clocks, self.capture, self.latches, self.names,
                                    tables, a.arrival, a.slew, a.tags, a.clock, a.tag_leaf, wire=self.dcalc.wire_values(),
                                    states=a.states, tag_x=a.tag_x, tag_nolat=a.tag_nolat, gating=self.gating,
                                    thr=self.dcalc.thresholds(g))
        hold: HoldResult | None = None
        if self.hold:
            if e is None:
                e = self.search_early.propagate(tables, load_e, incremental, clock_loads=(load, load_e))
            hold = hold_checks(g, self.constraints, self.clocks, self.capture, self.names, tables,
                               self.dcalc.hold_rows(g), e.arrival, e.slew, e.tags, e.clock, e.tag_leaf,
                               wire=self.dcalc.wire_values(early=True), states=e.states, tag_x=e.tag_x,
                               tag_nolat=e.tag_nolat, gating=self.gating, thr=self.dcalc.thresholds(g))
        slacks = table.slack
        wns = float(min(0.0, slacks.min())) if len(slacks) else 0.0
        tns = float(slacks[slacks < 0].sum()) if len(slacks) else 0.0
        self.last = TimingResult(wns, tns, table, a.arrival, a.slew, load, a.edge_delay, a.edge_slew, a.tags, g,
                                 seeds=seeds, hold=hold, clock_slew=a.clock.slew_late,
                                 tag_moves=self.search.tag_moves())
        return self.last

    def _settle_gated_slews(self, a, tables, load, load_e, incremental: bool, passes: int = 4):
        """Propagated clocks through clock gates: re-time until the data slews into the
        clock network (:func:`~finevh.timing.gating.gate_slew_floor`) stop changing
        (both searches; the early one gives the early floor). Returns (late, early)."""
        loads = (load, load_e)
        e = self.search_early.propagate(tables, load_e, incremental, clock_loads=loads)
        for _ in range(passes):
            floor = (gate_slew_floor(self.graph, self._gate_edges, a.edge_slew, False),
                     gate_slew_floor(self.graph, self._gate_edges, e.edge_slew, True))
            old = self.search.clock_slew_floor
            if old is not None and all(np.array_equal(x, y, equal_nan=True) for x, y in zip(old, floor)):
                break
            self.search.clock_slew_floor = self.search_early.clock_slew_floor = floor
            a = self.search.propagate(tables, load, True, clock_loads=loads)
            e = self.search_early.propagate(tables, load_e, True, clock_loads=loads)
        return a, e

    def release(self) -> None:
        """Forget the last pass: its result and the incremental state of the searches and
        the delay calculator (several arrays per terminal and per edge). The next
        :meth:`update` is a full pass, with the same result. For timers kept between
        uses while other timers are alive (issue 16: poly-bias corners)."""
        self.last = None
        self.clocks.ideal_latency = None        # ideal clock latencies shared by both searches
        self.search.forget()
        if self._search_early is not None:
            self._search_early.forget()
        self.dcalc.forget()

    def loads(self) -> np.ndarray:
        """[T, 2] total load seen by each driving terminal under the current binding
        (pF); 0 elsewhere."""
        return self.dcalc.loads(self.graph)

    def required(self) -> np.ndarray:
        """[tags, T, 2] required times (ns) of the last :meth:`update` on every terminal
        (driving nodes and load pins), propagated backwards from every endpoint; +inf
        where nothing is required (also kept as ``last.required``)."""
        r = self.last
        r.required = required_times(r)
        return r.required

    def pin_slacks(self) -> np.ndarray:
        """float64[T] worst setup slack through each terminal in the last
        :meth:`update` (ns; +inf if unconstrained)."""
        r = self.last
        return pin_slacks(r, r.required if r.required is not None else self.required())

    def path(self, ep: Endpoint) -> list[dict]:
        """Stages of the worst path into ``ep`` (from the startpoint) in the last
        :meth:`update`, as dicts with pin, cell, rf ('^' rise, 'v' fall), delay, time,
        slew, load (ns / pF)."""
        return worst_path(self.last, ep, self.design, self.names)
