"""Exact tile-map selection as a mixed-integer program (issue 13, Build 4(ii)).

One binary ``x_t`` per tile (1 = VddH). The flow's power model of a map
(:meth:`finevh.fvh.emulate.Emulator.fine_vh_power`: dynamic power at the instance's own
supply + Eq. 4.3 leakage + Vdd-MUX/chain overhead) is a pseudo-Boolean function of x:
an instance's power depends only on its own tile's supply and on the supplies of the
tiles holding its input drivers. :func:`power_terms` tabulates it per group of tiles
that some instance depends on (exactly, from the same per-instance tables) and expands
it into a multilinear polynomial (Moebius transform): a constant, one coefficient per
tile and one per product of tiles (the border terms ``x_a (1 - x_b)`` of the
intra-tile leakage become ``x_a - x_a x_b``). Each product of degree >= 2 gets a
continuous auxiliary ``y_S`` = prod x_t, linearised on the side the objective needs
(``y_S >= sum x_t - (|S| - 1)`` for a positive coefficient, ``y_S <= x_t`` for a
negative one), which is exact for binary x.

Timing enters lazily (:func:`solve_exact`): solve, time the map with the STA; for every
violating endpoint path found add the cut "at least one of the tiles this path crosses
that sits at VddL must go up" (``sum x_t >= 1`` over those tiles), re-solve, until
the STA passes. The cut is valid when raising a tile never slows a path (cells at the
higher supply are faster; the monotone model Algorithm 5 also relies on): any map that
keeps those tiles at VddL leaves the path at least as slow. The first map the STA
passes is then optimal up to HiGHS's gap; every map reported has been timed.

Units: uW, ns. Deterministic (HiGHS single-threaded branch and bound, no time limit
unless asked; ties by tile order)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from .. import progress


@dataclass(frozen=True)
class PowerTerms:
    """Multilinear power of a tile map, uW: ``const + lin @ x + sum_k coef[k] * prod(x[monos[k]])``."""

    n_tiles: int
    const_uw: float
    lin_uw: np.ndarray                     # float64[n_tiles]
    monos: tuple[tuple[int, ...], ...]     # tile sets of the products (degree >= 2), sorted
    coef_uw: np.ndarray                    # float64[len(monos)]

    def evaluate(self, high: np.ndarray) -> float:
        """Power (uW) of the map ``high`` (bool[n_tiles], True = VddH)."""
        x = np.asarray(high, dtype=np.float64)
        prod = np.array([float(np.prod(x[list(m)])) for m in self.monos]) if self.monos else np.zeros(0)
        return float(self.const_uw + self.lin_uw @ x + self.coef_uw @ prod)


    def plus_dynamic(self, tile: np.ndarray, dyn_l_uw: np.ndarray, dyn_h_uw: np.ndarray) -> "PowerTerms":
        """These terms plus a dynamic power that depends on each instance's own tile only
        (``tile`` int[N]; ``dyn_l_uw`` / ``dyn_h_uw`` float[N] at VddL / VddH, uW): a
        constant and a linear term per tile, no products. The same model as
        :func:`power_terms` with the dynamic power given (to rounding): the leakage terms
        of a (VddL, VddH) pair serve every target clock."""
        lin = self.lin_uw + np.bincount(np.asarray(tile, dtype=np.int64), weights=dyn_h_uw - dyn_l_uw,
                                        minlength=self.n_tiles)
        return PowerTerms(self.n_tiles, self.const_uw + float(np.sum(dyn_l_uw)), lin, self.monos, self.coef_uw)


def _moebius(values: np.ndarray) -> np.ndarray:
    """Coefficients of the multilinear polynomial through ``values[..., a]`` (a: bitmask
    of the group's tiles at VddH, bit j = tile j of the group): ``c[T] = sum_{U <= T}
    (-1)^{|T - U|} v[U]`` (fast transform over the last axis)."""
    c = np.array(values, dtype=np.float64, copy=True)
    m = int(c.shape[-1]).bit_length() - 1
    for j in range(m):
        bit = 1 << j
        idx = np.arange(c.shape[-1])
        hi = idx[(idx & bit) != 0]
        c[..., hi] -= c[..., hi ^ bit]
    return c


def power_terms(tile: np.ndarray, n_tiles: int, dyn_l_uw: np.ndarray, dyn_h_uw: np.ndarray, pair,
                overhead_uw: float = 0.0, rel_drop: float = 1e-13) -> PowerTerms:
    """Decompose the flow's power of a tile map into :class:`PowerTerms`.

    ``tile``: int[N] tile of every instance; ``dyn_l_uw`` / ``dyn_h_uw``: float[N] dynamic
    power of every instance at VddL / VddH at the target clock (uW); ``pair``:
    :class:`finevh.fvh.leakage.PairLeakage` of (VddL, VddH) and the variant's flavours
    (its tabulated Eq. 4.3, read through its ``drivers``/``weights``/``table``/``offset``/
    ``width`` arrays exactly as its ``__call__`` does); ``overhead_uw``: map-independent
    Vdd-MUX and chain leakage. Product coefficients below ``rel_drop`` x the total are
    dropped (rounding noise of the transform)."""
    tile = np.asarray(tile, dtype=np.int64)
    n = tile.size
    drv = np.asarray(pair.drivers, dtype=np.int64)                   # [N, MAX_INPUTS]
    has = drv >= 0
    dtile = np.where(has, tile[np.maximum(drv, 0)], -1)
    # the group of tiles an instance depends on: own tile + its drivers' tiles, sorted
    cand = np.concatenate([tile[:, None], dtile], axis=1)
    cand = np.where(cand < 0, np.iinfo(np.int64).max, cand)
    cand.sort(axis=1)
    dup = np.zeros_like(cand, dtype=bool)
    dup[:, 1:] = cand[:, 1:] == cand[:, :-1]
    cand[dup] = np.iinfo(np.int64).max
    cand.sort(axis=1)
    size = (cand < np.iinfo(np.int64).max).sum(axis=1)
    const = float(overhead_uw)
    lin = np.zeros(n_tiles)
    monos: dict[tuple[int, ...], float] = {}
    total = 0.0
    for m in np.unique(size).tolist():
        rows = np.nonzero(size == m)[0]
        grp = cand[rows, :m]                                          # [g, m] sorted tiles
        own_pos = np.argmax(grp == tile[rows, None], axis=1)           # position of own tile
        dpos = np.full(drv[rows].shape, -1, dtype=np.int64)
        for j in range(m):
            dpos[dtile[rows] == grp[:, j:j + 1]] = j
        vals = np.zeros((rows.size, 1 << m))
        for a in range(1 << m):
            bits = ((a >> np.arange(m)) & 1).astype(bool)              # x of the group's tiles
            hi = bits[own_pos]
            dh = bits[np.maximum(dpos, 0)]
            foreign = has[rows] & (dh != hi[:, None])
            cfg = (foreign * pair.weights[rows]).sum(axis=1, dtype=np.int64)
            side = np.where(hi, 0, 1)
            leak = pair.table[pair.offset[rows] + side * pair.width[rows] + cfg]
            vals[:, a] = leak + np.where(hi, dyn_h_uw[rows], dyn_l_uw[rows])
        # the distinct groups in row order, as np.unique(grp, axis=0) gives them: each
        # sorted row read as one base-n_tiles number (first tile most significant)
        code = grp[:, 0].copy()
        for j in range(1, m):
            code = code * n_tiles + grp[:, j]
        _u, first, inv = np.unique(code, return_index=True, return_inverse=True)
        keys = grp[first]
        agg = np.zeros((keys.shape[0], 1 << m))
        np.add.at(agg, inv.ravel(), vals)
        total += float(np.abs(agg).sum())
        coef = _moebius(agg)
        const += float(coef[:, 0].sum())
        for j in range(m):
            np.add.at(lin, keys[:, j], coef[:, 1 << j])
        for a in range(1, 1 << m):
            if bin(a).count("1") < 2:
                continue
            cols = [j for j in range(m) if (a >> j) & 1]
            for t, c in zip(map(tuple, keys[:, cols].tolist()), coef[:, a].tolist()):
                monos[t] = monos.get(t, 0.0) + c
    drop = rel_drop * max(total, 1.0)
    items = sorted((k, v) for k, v in monos.items() if abs(v) > drop)
    return PowerTerms(n_tiles, const, lin, tuple(k for k, _ in items), np.array([v for _, v in items]))


# ---- the lazy-cut loop --------------------------------------------------------------------

#: ``check(high) -> list``: [] when the map meets the clock, else one entry per violating
#: path found: the tiles it crosses (any supply), either as a sequence of tile ids or as a
#: :class:`Violation` (tiles with the path delay each carries)
CheckFn = Callable[[np.ndarray], list]


@dataclass(frozen=True)
class Violation:
    """A violating path: the tiles it crosses and the path delay (ns) in each."""

    tiles: tuple[int, ...]
    delay_ns: tuple[float, ...]


def _tiles_of(v) -> tuple[int, ...]:
    return tuple(int(t) for t in (v.tiles if isinstance(v, Violation) else v))


def _weights(paths: list, n: int) -> np.ndarray:
    """Delay (ns) the violating paths carry in every tile (1 per path when untimed)."""
    w = np.zeros(n)
    for v in paths:
        if isinstance(v, Violation):
            np.add.at(w, np.asarray(v.tiles, dtype=np.int64), np.asarray(v.delay_ns, dtype=np.float64))
        else:
            np.add.at(w, np.asarray(_tiles_of(v), dtype=np.int64), 1.0)
    return w


def lift(high: np.ndarray, paths: list, check: CheckFn) -> tuple[np.ndarray, list, int]:
    """Raise as many VddL tiles of the violating map ``high`` as possible while it keeps
    violating, so that the cuts read off the raised map name few tiles (strong covers).

    The VddL tiles are raised in order of the delay the violating ``paths`` carry in
    them, least first (tiles on none of them first; ties by id); a bisection over that
    order finds the longest prefix whose raising still violates (the prefix of a
    violating map that raises less is violating too: cells only get faster at VddH).
    Returns (raised map, its violating paths, timing runs made)."""
    w = _weights(paths, high.size)
    low = np.flatnonzero(~high)
    order = low[np.lexsort((low, w[low]))]
    best, best_paths, runs = high, paths, 0
    lo, hi = 0, order.size          # prefix lo violates (known); prefix hi assumed to pass
    while hi - lo > 1:
        mid = (lo + hi) // 2
        h = high.copy()
        h[order[:mid]] = True
        got = check(h)
        runs += 1
        if got:
            lo, best, best_paths = mid, h, got
        else:
            hi = mid
    return best, best_paths, runs


@dataclass(frozen=True)
class ExactResult:
    """Outcome of :func:`solve_exact`. ``high``: the map chosen (timed, meets the clock);
    ``power_uw``: its power (the power model's); ``source``: ``"milp"`` (the MILP's own
    map) or the name of the incumbent kept (``"alg5"``, ``"local"``) when the MILP found
    nothing better or stopped early; ``lower_bound_uw``: proven lower bound under the cuts
    (the last relaxation's dual bound); ``gap``: (power - bound) / power at the end;
    ``mip_gap``: HiGHS's relative gap of the last solve; ``sta_runs``: maps timed;
    ``cuts``: timing cuts added; ``solves``: MILPs solved; ``optimal``: the STA passed a
    MILP optimum (or the incumbent was proven optimal); ``status``: a short reason."""

    high: np.ndarray
    power_uw: float
    source: str
    lower_bound_uw: float
    gap: float
    mip_gap: float
    sta_runs: int
    cuts: int
    solves: int
    optimal: bool
    status: str
    milp_s: float = 0.0
    cut_sets: tuple = field(default=(), repr=False)



def separate(high: np.ndarray, paths: list, check: CheckFn, rounds: int,
             budget: int) -> tuple[list, int, np.ndarray | None]:
    """Strong timing cuts from the violating map ``high``: :func:`lift` it, then raise the
    tiles of the cuts found (each cut needs one of them at VddH) and lift again from
    there, while the map keeps violating, up to ``rounds`` lifts or ``budget`` timing
    runs. Returns ([(raised map, its violating paths)], timing runs, the first raised map
    that meets the clock or None)."""
    out, runs, cur, cur_paths, ok = [], 0, high, paths, None
    for _ in range(rounds):
        if runs >= budget:
            break
        xl, pl, n = lift(cur, cur_paths, check)
        runs += n
        out.append((xl, pl))
        progress.debug(f"exact selection: lifted to {int(xl.sum())} tiles high in {n} STA runs, "
                       f"cuts of {sorted(len([t for t in _tiles_of(v) if not xl[t]]) for v in pl)} tiles")
        nxt = cur.copy()
        for v in pl:
            nxt[[t for t in _tiles_of(v) if not xl[t]]] = True
        if nxt.sum() == cur.sum() or runs >= budget:
            break
        cur_paths = check(nxt)
        runs += 1
        if not cur_paths:
            ok = nxt
            break
        cur = nxt
        out.append((cur, cur_paths))
    return out, runs, ok


def probe_singletons(incumbent: np.ndarray, check: CheckFn, known: set, budget: int) -> tuple[list, int]:
    """Tiles that must be at VddH in every map meeting the clock: those whose lowering
    alone (every other tile at VddH) already misses it. Only the VddH tiles of a map
    known to meet the clock can be such tiles; ``known`` ones are skipped. Returns
    (tiles, timing runs)."""
    forced, runs = [], 0
    for t in np.flatnonzero(incumbent).tolist():
        if t in known or runs >= budget:
            continue
        h = np.ones(incumbent.size, dtype=bool)
        h[t] = False
        runs += 1
        if check(h):
            forced.append(int(t))
    return forced, runs


def _model(terms: PowerTerms, cuts: Sequence[tuple[int, ...]], nogoods: Sequence[np.ndarray],
           cutoff_uw: float | None):
    """Objective vector, integrality, bounds and constraint blocks of the MILP."""
    from scipy.optimize import Bounds, LinearConstraint
    from scipy.sparse import coo_matrix

    n, k = terms.n_tiles, len(terms.monos)
    c = np.concatenate([terms.lin_uw, terms.coef_uw])
    rows, cols, vals, lo, hi = [], [], [], [], []

    def row(idx, coeffs, lb, ub):
        r = len(lo)
        rows.extend([r] * len(idx))
        cols.extend(idx)
        vals.extend(coeffs)
        lo.append(lb)
        hi.append(ub)

    for j, (mono, cf) in enumerate(zip(terms.monos, terms.coef_uw)):
        y = n + j
        if cf > 0:      # y >= sum x - (d - 1)
            row([y] + list(mono), [1.0] + [-1.0] * len(mono), 1.0 - len(mono), np.inf)
        else:           # y <= x_t
            for t in mono:
                row([y, t], [1.0, -1.0], -np.inf, 0.0)
    for s in cuts:
        row(list(s), [1.0] * len(s), 1.0, np.inf)
    for g in nogoods:   # exclude exactly the map g: sum_{g=0} x + sum_{g=1} (1 - x) >= 1
        idx = list(range(n))
        row(idx, [(-1.0 if g[t] else 1.0) for t in idx], 1.0 - float(np.sum(g)), np.inf)
    if cutoff_uw is not None:
        row(list(range(n + k)), c.tolist(), -np.inf, cutoff_uw - terms.const_uw)
    cons = []
    if lo:
        A = coo_matrix((vals, (rows, cols)), shape=(len(lo), n + k)).tocsr()
        cons.append(LinearConstraint(A, np.array(lo), np.array(hi)))
    integ = np.concatenate([np.ones(n), np.zeros(k)])
    return c, integ, Bounds(np.zeros(n + k), np.ones(n + k)), cons


def prune(terms: PowerTerms, rel: float) -> tuple[PowerTerms, float, float]:
    """Drop the products whose coefficient is below ``rel`` x the constant (uW): the
    MILP gets smaller, and since each product lies in [0, 1] the pruned model is off by
    at most (sum of dropped positive coefficients, sum of dropped negative ones) on any
    map. Returns (pruned terms, that upper and lower error, uW)."""
    if rel <= 0 or not terms.monos:
        return terms, 0.0, 0.0
    drop = np.abs(terms.coef_uw) < rel * max(abs(terms.const_uw), 1e-30)
    c = terms.coef_uw
    kept = PowerTerms(terms.n_tiles, terms.const_uw, terms.lin_uw,
                      tuple(m for m, d in zip(terms.monos, drop) if not d), c[~drop])
    return kept, float(c[drop & (c > 0)].sum()), float(c[drop & (c < 0)].sum())


def solve_exact(terms: PowerTerms, check: CheckFn, power_fn: Callable[[np.ndarray], float],
                incumbents: dict[str, np.ndarray] | None = None, max_sta_runs: int = 200,
                mip_rel_gap: float = 1e-6, time_limit_s: float | None = None,
                initial_cuts: Sequence[tuple[int, ...]] = (), prune_rel: float = 0.0,
                lift_rounds: int = 8, probe: bool = True, search_gap: float = 1e-3) -> ExactResult:
    """Minimum-power tile map that meets the clock, by lazy timing cuts.

    ``check(high)``: [] when the map meets the clock, else the tile sets of violating
    paths (the cuts keep only the tiles at VddL in ``high``). ``power_fn``: the flow's
    power of a map (uW; the incumbents and the final map are scored with it, so the
    result never reports more power than the best incumbent). ``incumbents``: maps known
    to meet the clock (Algorithm 5's, the local search's); the MILP is constrained to
    beat the best of them (objective <= its power), so an infeasible MILP proves it
    optimal. Stops after ``max_sta_runs`` timed maps (then the best timed map is kept and
    the gap reported). ``time_limit_s`` bounds each HiGHS solve (None: none, so the result
    is deterministic). ``prune_rel``: solve on :func:`prune`'s smaller model; the lower
    bound then subtracts the pruned products' largest negative contribution, and the
    cutoff admits their largest positive one, so the gap stays a proven one."""
    from scipy.optimize import milp

    n = terms.n_tiles
    terms, err_hi, err_lo = prune(terms, prune_rel)
    best_high, best_p, best_src = None, np.inf, "none"
    for name, h in (incumbents or {}).items():
        p = float(power_fn(np.asarray(h, dtype=bool)))
        if p < best_p - 1e-12 * max(abs(p), 1.0):
            best_high, best_p, best_src = np.asarray(h, dtype=bool).copy(), p, name
    cuts: list[tuple[int, ...]] = []
    seen: set[tuple[int, ...]] = set()
    for s in initial_cuts:
        s = tuple(sorted(set(int(t) for t in s)))
        if s and s not in seen:
            seen.add(s)
            cuts.append(s)
    nogoods: list[np.ndarray] = []
    runs = solves = 0
    if probe and best_high is not None:
        forced, runs = probe_singletons(best_high, check, {c[0] for c in cuts if len(c) == 1}, max_sta_runs)
        for t in forced:
            seen.add((t,))
            cuts.append((t,))
    lb, mgap = -np.inf, float("nan")
    status, optimal = "max_sta_runs", False
    t_milp = 0.0
    opts = {"disp": False, "mip_rel_gap": max(mip_rel_gap, search_gap), "presolve": True}
    if time_limit_s is not None:
        opts["time_limit"] = float(time_limit_s)
    while runs < max_sta_runs:
        # cutoff: strictly better than the incumbent (tiny tolerance keeps equal maps feasible)
        cutoff = best_p - err_lo + 1e-9 * max(abs(best_p), 1.0) if np.isfinite(best_p) else None
        c, integ, bounds, cons = _model(terms, cuts, nogoods, cutoff)
        t0 = time.process_time()
        res = milp(c, integrality=integ, bounds=bounds, constraints=cons, options=opts)
        t_milp += time.process_time() - t0
        solves += 1
        if res.status == 2 or res.x is None:          # infeasible: nothing beats the incumbent
            if res.status == 2:
                lb, status, optimal = best_p, "incumbent_optimal", best_high is not None
                mgap = 0.0
            else:
                status = f"solver_status_{res.status}"
            break
        mgap = float(getattr(res, "mip_gap", 0.0) or 0.0)
        bound = getattr(res, "mip_dual_bound", None)
        bound = float(res.fun) if bound is None or not np.isfinite(bound) else float(bound)
        lb = max(lb, bound + terms.const_uw + err_lo)
        x = np.asarray(res.x[:n]) > 0.5
        runs += 1
        t0 = time.perf_counter()
        paths = check(x)
        progress.debug(f"exact selection: solve {solves} ({time.perf_counter() - t0:.2f} s STA, "
                       f"{t_milp:.2f} s MILP so far): {int(x.sum())} tiles high, bound {lb:.3f} uW, "
                       f"{len(paths)} violating path(s), {len(cuts)} cuts")
        if not paths:
            p = float(power_fn(x))
            if p < best_p:
                best_high, best_p, best_src = x.copy(), p, "milp"
            if opts["mip_rel_gap"] > mip_rel_gap and mgap > mip_rel_gap:
                opts["mip_rel_gap"] = mip_rel_gap     # a timed map at the search gap: now prove it
                continue
            # the MILP's optimum (or its map within the gap) meets the clock
            status = "optimal" if best_src == "milp" else "incumbent_optimal"
            optimal = True
            break
        found = [(x, paths)]
        if lift_rounds:
            more, n_sep, repaired = separate(x, paths, check, lift_rounds, max_sta_runs - runs)
            runs += n_sep
            found += more
            if repaired is not None:        # a map that meets the clock: a new incumbent?
                p = float(power_fn(repaired))
                if p < best_p - 1e-12 * max(abs(p), 1.0):
                    best_high, best_p, best_src = repaired, p, "milp"
        added = 0
        for xm, pm in found:
            for v in pm:
                s = tuple(sorted(t for t in set(_tiles_of(v)) if not xm[t]))
                if s and s not in seen:
                    seen.add(s)
                    cuts.append(s)
                    added += 1
        if not added:           # no VddL tile on the violating paths: exclude this map only
            nogoods.append(x.copy())
    if best_high is None:
        raise RuntimeError("exact selection: no map meets the clock (no incumbent given)")
    gap = float(max(0.0, (best_p - lb) / best_p)) if np.isfinite(lb) and best_p > 0 else float("nan")
    return ExactResult(best_high, best_p, best_src, float(lb), gap, mgap, runs, len(cuts) + len(nogoods),
                       solves, optimal, status, t_milp, tuple(cuts))
