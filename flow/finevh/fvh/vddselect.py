"""Timing-driven Vdd selection: the design-time emulation of the power manager
(thesis §4.1.3, Algorithm 5).

Start with every tile at VddL. While the worst slack is negative: take the cells of
the critical path, add each cell's propagation delay to the score of the tile that
hosts it, and move the highest-scoring tile still at VddL to VddH; re-time.

Timing enters through a callback ``time_fn(high) -> CriticalPath`` where ``high`` is
``bool[n_tiles]`` (True = VddH). Ties go to the lowest tile id, so the result is
deterministic.

For single-clock designs whose I/O constraints are absolute delays, every
endpoint's slack is ``T - D_e`` for clock period ``T``: the critical path, and hence
each step of Algorithm 5, does not depend on ``T``. :func:`raise_sequence` exploits
this: one greedy sequence per (VddL, VddH) interval answers every target frequency
of that interval (:func:`assignment_for_period`), exactly as running Algorithm 5 once
per frequency would. :func:`select_vdd` is the literal per-frequency algorithm; tests
check both agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class CriticalPath:
    """Timing of one tile configuration.

    ``period_ns``: the clock period the slack refers to; ``wns_ns``: worst setup slack;
    ``insts``: instances on the critical path; ``delays_ns``: their propagation delays.
    ``required_period_ns`` = period - wns, the shortest period this configuration meets.
    """

    period_ns: float
    wns_ns: float
    insts: np.ndarray
    delays_ns: np.ndarray

    @property
    def required_period_ns(self) -> float:
        return self.period_ns - self.wns_ns


TimeFn = Callable[[np.ndarray], CriticalPath]


@dataclass(frozen=True)
class VddSelection:
    high: np.ndarray          # bool[n_tiles]: True = tile at VddH
    feasible: bool            # target met
    iterations: int           # timing runs made
    order: tuple[int, ...]    # tiles moved to VddH, in order


def _pick_tile(n_tiles: int, tile_of_inst: np.ndarray, cp: CriticalPath, high: np.ndarray) -> int:
    score = np.bincount(tile_of_inst[cp.insts], weights=cp.delays_ns, minlength=n_tiles).astype(np.float64)
    cand = np.flatnonzero(~high)
    if cand.size == 0:
        return -1
    best = cand[np.argmax(score[cand])]       # argmax: first (lowest id) on ties
    if score[best] <= 0.0:
        return -1                              # critical path touches no VddL tile
    return int(best)


def select_vdd(n_tiles: int, tile_of_inst: np.ndarray, time_fn: TimeFn, period_ns: float,
               max_iterations: int | None = None) -> VddSelection:
    """Algorithm 5 for one target period (ns). ``time_fn`` must report slack at ``period_ns``."""
    high = np.zeros(n_tiles, dtype=bool)
    order: list[int] = []
    runs = 0
    limit = n_tiles + 1 if max_iterations is None else max_iterations
    while runs < limit:
        cp = time_fn(high)
        runs += 1
        wns = period_ns - cp.required_period_ns
        if wns >= 0.0:
            return VddSelection(high, True, runs, tuple(order))
        t = _pick_tile(n_tiles, tile_of_inst, cp, high)
        if t < 0:
            break
        high = high.copy()
        high[t] = True
        order.append(t)
    return VddSelection(high, False, runs, tuple(order))


@dataclass(frozen=True)
class RaiseSequence:
    """Tiles raised to VddH in Algorithm 5 order, with the shortest period met after
    0, 1, 2, ... raises (``required_ns[k]`` after the first ``k`` tiles of ``order``)."""

    n_tiles: int
    order: tuple[int, ...]
    required_ns: tuple[float, ...]


def raise_sequence(n_tiles: int, tile_of_inst: np.ndarray, time_fn: TimeFn,
                   stop_period_ns: float = 0.0) -> RaiseSequence:
    """Run the greedy of Algorithm 5 until the configuration meets ``stop_period_ns``
    (the shortest period of interest) or no VddL tile lies on the critical path."""
    high = np.zeros(n_tiles, dtype=bool)
    order: list[int] = []
    req: list[float] = []
    while True:
        cp = time_fn(high)
        req.append(cp.required_period_ns)
        if cp.required_period_ns <= stop_period_ns:
            break
        t = _pick_tile(n_tiles, tile_of_inst, cp, high)
        if t < 0:
            break
        high = high.copy()
        high[t] = True
        order.append(t)
    return RaiseSequence(n_tiles, tuple(order), tuple(req))


def assignment_for_period(seq: RaiseSequence, period_ns: float) -> VddSelection:
    """Algorithm 5's answer for one period, read off a :class:`RaiseSequence`."""
    for k, r in enumerate(seq.required_ns):
        if r <= period_ns:
            high = np.zeros(seq.n_tiles, dtype=bool)
            high[list(seq.order[:k])] = True
            return VddSelection(high, True, k + 1, seq.order[:k])
    high = np.zeros(seq.n_tiles, dtype=bool)
    high[list(seq.order)] = True
    return VddSelection(high, False, len(seq.required_ns), seq.order)
