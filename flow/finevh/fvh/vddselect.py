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


# ---- power-aware local search after Algorithm 5 ------------------------------------------

PowerFn = Callable[[np.ndarray], float]


@dataclass(frozen=True)
class LocalSearchResult:
    """Outcome of :func:`improve_selection`: the final map, its power (uW), the start
    power, accepted moves (``("lower", t)``, ``("raise", t)`` or ``("swap", t, r)``: t
    lowered, r raised), timing runs made and whether a local optimum was reached (False
    only when ``max_timing_runs`` stopped it)."""

    high: np.ndarray
    power_uw: float
    start_uw: float
    moves: tuple
    timing_runs: int
    converged: bool


def improve_selection(high: np.ndarray, tile_of_inst: np.ndarray, power_fn: PowerFn, time_fn: TimeFn,
                      period_ns: float, max_timing_runs: int | None = None,
                      rel_tol: float = 1e-9, path_fn: Callable[[], CriticalPath] | None = None) -> LocalSearchResult:
    """Lower the power of a tile map that meets ``period_ns`` by local moves, each
    accepted only if a re-time of the new map meets the period.

    Neighbourhood of a map M (VddH set):

    * flip one tile (lower a VddH tile, or raise a VddL tile);
    * swap: for a VddH tile t whose lowering alone misses the period, lower t and raise
      the VddL tile carrying the most delay on the critical path of ``M - t`` (the tile
      Algorithm 5 would raise there; raising a tile off that path cannot repair it).

    Each round scores every move with ``power_fn`` (uW) and tries the improving ones,
    largest saving first (ties: flips before swaps, lowest tile ids), accepting the first
    that meets the period. It stops when no move improves: a local optimum. A lowering
    (or swap) that failed stays failed after further lowerings (cells only get slower),
    so those are not re-timed until a move raises a tile. Deterministic.

    ``path_fn``: when given, ``time_fn`` need only report the required period and
    ``path_fn()`` gives the critical path of the map timed last (asked only after a
    failed lowering, to pick its swap partner).
    """
    n_tiles = int(np.asarray(high).size)
    cur = np.asarray(high, dtype=bool).copy()
    p_cur = float(power_fn(cur))
    start = p_cur
    moves: list[tuple] = []
    runs = 0
    failed_lower: dict[int, int] = {}          # tile -> swap partner (-1: none) from M - t's path
    failed_swap: set[tuple[int, int]] = set()

    def better(p: float) -> bool:
        return p < p_cur - rel_tol * max(abs(p_cur), 1.0)

    while True:
        cand: list[tuple[float, int, tuple, np.ndarray]] = []
        for t in range(n_tiles):
            h = cur.copy()
            h[t] = not h[t]
            p = float(power_fn(h))
            if better(p):
                cand.append((p, 0, ("lower" if cur[t] else "raise", t), h))
        # swaps of already-failed lowerings are known now; the others once they fail below
        accepted = False
        tried_swaps: set[tuple[int, int]] = set()

        def try_move(h: np.ndarray) -> CriticalPath | None:
            nonlocal runs
            runs += 1
            cp = time_fn(h)
            return cp

        def swap_candidate(t: int, cp: CriticalPath | None) -> None:
            if cp is not None:
                base = cur.copy()
                base[t] = False
                r = _pick_tile(n_tiles, tile_of_inst, cp, base)
                failed_lower[t] = r
            r = failed_lower.get(t, -1)
            if r < 0 or (t, r) in failed_swap or (t, r) in tried_swaps:
                return
            h = cur.copy()
            h[t], h[r] = False, True
            p = float(power_fn(h))
            if better(p):
                cand.append((p, 1, ("swap", t, r), h))

        for t in np.flatnonzero(cur).tolist():
            if t in failed_lower:
                swap_candidate(t, None)
        while cand and not accepted:
            if max_timing_runs is not None and runs >= max_timing_runs:
                return LocalSearchResult(cur, p_cur, start, tuple(moves), runs, False)
            cand.sort(key=lambda c: (c[0], c[1], c[2][1:]))
            p, _kind, mv, h = cand.pop(0)
            if mv[0] == "lower" and mv[1] in failed_lower:
                continue
            if mv[0] == "swap":
                tried_swaps.add((mv[1], mv[2]))
            cp = try_move(h)
            if cp.required_period_ns <= period_ns:
                cur, p_cur = h, p
                moves.append(mv)
                if mv[0] != "lower":          # a tile went up: old failures may pass now
                    failed_lower.clear()
                    failed_swap.clear()
                accepted = True
            elif mv[0] == "lower":
                swap_candidate(mv[1], path_fn() if path_fn is not None else cp)
            elif mv[0] == "swap":
                failed_swap.add((mv[1], mv[2]))
        if not accepted:
            return LocalSearchResult(cur, p_cur, start, tuple(moves), runs, True)
