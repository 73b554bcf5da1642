"""What one timing pass produces: the endpoint table and the per-terminal arrays.

The lowest layer of the timer (see :mod:`finevh.timing.engine`): plain data, used by
the checks, the required-time search, the path tracer and the reports. Times ns,
capacitances pF; ``T`` terminals, ``E`` timing edges.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .graph import TimingGraph


@dataclass
class RequiredSeeds:
    """Required time of every valid check (setup and output delays), one row per
    (check, launch tag): the starting values of the backward required-time search."""

    tag: np.ndarray        # int64, launch tag
    term: np.ndarray       # int64, endpoint terminal
    rf: np.ndarray         # int64, data transition
    required: np.ndarray   # ns


@dataclass
class Endpoint:
    terminal: int
    name: str
    slack: float          # ns
    arrival: float        # ns (absolute, launch edge included)
    required: float       # ns
    rf: int               # data transition of the worst check
    tag: int              # launch tag of the worst check
    kind: str             # "setup", "output", "gating_setup" (max); "hold", "output_hold", "gating_hold" (min)
    check_row: int = -1   # index into graph checks (setup) or -1
    setup: float = 0.0    # ns, library setup / hold time (or output delay for outputs)
    capture_clock: int = -1   # index of the capturing clock


@dataclass
class EndpointTable:
    """The worst check of every constrained endpoint as columns, sorted by (slack,
    terminal). Times ns. :class:`Endpoint` objects (with names) are made on demand:
    re-timing loops that only need the worst slack never build them."""

    term: np.ndarray
    slack: np.ndarray
    arrival: np.ndarray
    required: np.ndarray
    rf: np.ndarray
    tag: np.ndarray
    kind: np.ndarray          # 0 setup, 1 output, 2 hold, 3 output (min), 4/5 clock-gating setup/hold
    check_row: np.ndarray
    setup: np.ndarray
    capture_clock: np.ndarray
    names: object             # callable: terminals -> list of names

    _KINDS = ("setup", "output", "hold", "output_hold", "gating_setup", "gating_hold")

    def __len__(self) -> int:
        return len(self.term)

    def endpoints(self, idx=None) -> list[Endpoint]:
        idx = np.arange(len(self.term)) if idx is None else np.asarray(idx, dtype=np.int64)
        cols = [getattr(self, k)[idx].tolist() for k in
                ("term", "slack", "arrival", "required", "rf", "tag", "kind", "check_row", "setup", "capture_clock")]
        return [Endpoint(t, n, sl, a, rq, rf, tg, self._KINDS[kd], rw, su, cp)
                for n, t, sl, a, rq, rf, tg, kd, rw, su, cp in zip(self.names(self.term[idx]), *cols)]

    @staticmethod
    def empty(names) -> "EndpointTable":
        z = np.zeros(0)
        i = np.zeros(0, dtype=np.int64)
        return EndpointTable(i, z, z, z, i, i, i, i, z, i, names)


@dataclass
class HoldResult:
    """The hold (min) side of a pass: worst hold slack (<= 0), total negative hold
    slack, the endpoint table (slack = arrival - required), early arrivals and slews."""

    wns: float
    tns: float
    table: EndpointTable
    arrival: np.ndarray            # [tags, T, 2] ns, +inf where nothing arrives
    slew: np.ndarray               # [T, 2] ns

    @property
    def endpoints(self) -> list[Endpoint]:
        return self.table.endpoints()


@dataclass
class TimingResult:
    """One timing pass. Its arrays are read-only: the timer keeps them as the starting
    point of the next incremental pass (copy before modifying)."""

    wns: float
    tns: float
    table: EndpointTable
    arrival: np.ndarray            # [tags, T, 2] ns
    slew: np.ndarray               # [T, 2] ns
    load: np.ndarray               # [T, 2] pF on driving nodes
    edge_delay: np.ndarray         # [E] ns
    edge_slew: np.ndarray          # [E] ns
    tags: list[tuple[int, int]]    # (clock index, source edge rf)
    graph: TimingGraph
    required: np.ndarray | None = None   # [tags, T, 2], filled by Timer.required()
    _endpoints: list[Endpoint] | None = None
    seeds: RequiredSeeds | None = None   # every check's required time, for required()
    hold: HoldResult | None = None       # hold analysis (Timer(hold=True))
    #: [T, 2] ns slew of the clock at clock-network terminals (NaN elsewhere): the ideal
    #: slew of an ideal clock (OpenSTA's ``idealClkSlew``: launch arcs' input slew,
    #: report lines of clock pins), the network's of a propagated one
    clock_slew: np.ndarray | None = None
    #: path exceptions' tag moves of the late search: (event id per edge, -1 none;
    #: [events, tags] tag a path moves to, -1 false), None without -through moves
    tag_moves: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def endpoints(self) -> list[Endpoint]:
        """Every constrained endpoint, worst slack first (ties: terminal order)."""
        if self._endpoints is None:
            self._endpoints = self.table.endpoints()
        return self._endpoints

    @property
    def worst_slack(self) -> float:
        """Smallest slack over all endpoints (ns); +inf when nothing is constrained."""
        return float(self.table.slack[0]) if len(self.table) else float(np.inf)

    def worst_endpoint(self) -> Endpoint | None:
        """The endpoint of smallest slack; ties go to the smallest name (the rule every
        stage that follows "the critical path" uses, so they agree)."""
        t = self.table
        if not len(t):
            return None
        tie = np.nonzero(t.slack == t.slack[0])[0]
        eps = t.endpoints(tie)
        return min(eps, key=lambda e: e.name)

    def endpoint_slacks(self) -> dict[str, float]:
        return {e.name: e.slack for e in self.endpoints}
