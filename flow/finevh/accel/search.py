"""Per-layer precision search.

- :func:`nsga2_star`: thesis Algorithm 2 (NSGA-II*) on pymoo. Binary gene per
  layer (1 = 16-bit, 0 = 8-bit); objectives D_KL(p_ref || p_theta) over the
  calibration set and E(theta) (Eq. 3.5 from the energy LUT); D_KL <= KL_th as
  a constraint, so that pymoo's constraint domination ranks any feasible
  solution before any infeasible one and infeasible ones by their excess
  D_KL - KL_th (the thesis' penalty "D_KL if above KL_th", which orders them the
  same way). N = 100, 2000 evaluations, crossover probability 1, bit-flip
  probability 1/L per gene; final points by epsilon-non-dominated sorting with
  epsilon = 10 % of each objective's range (Table 3.5). pymoo offers no simplex
  crossover for binary genes; two-point crossover stands in for it.
- :func:`greedy_modes`: thesis Algorithm 4 for the three modes of the §3.4 PE.
- :func:`pareto_front`: exact non-dominated set of a list of points (used to
  check the search against exhaustive enumeration on small networks).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from ..errors import InputError
from .model import MODE_BIAS_COST, MODE_MAC_COST, Layer


@dataclass(frozen=True)
class ParetoPoint:
    setting: tuple[int, ...]      # per layer: 1 = 16-bit, 0 = 8-bit
    kl: float
    energy_pj: float
    savings: float                # 1 - E / E(all 16-bit)

    def as_dict(self) -> dict:
        return {"setting": "".join(str(g) for g in self.setting),
                "bits": [16 if g else 8 for g in self.setting],
                "kl": self.kl, "energy_pj": self.energy_pj, "savings": self.savings}


@dataclass
class SearchResult:
    points: list[ParetoPoint]
    front: list[ParetoPoint]      # all non-dominated feasible points of the final population
    evaluations: int
    seconds: float
    e_full: float
    kl_th: float
    extra: dict = field(default_factory=dict)


def pareto_front(objs: np.ndarray) -> np.ndarray:
    """Indices of the non-dominated rows of ``objs`` (minimisation), first of duplicates."""
    objs = np.asarray(objs, dtype=float)
    keep = []
    for i in range(len(objs)):
        o = objs[i]
        dom = np.all(objs <= o, axis=1) & np.any(objs < o, axis=1)
        dup = np.all(objs == o, axis=1)
        dup[i:] = False
        if not dom.any() and not dup.any():
            keep.append(i)
    return np.array(keep, dtype=int)


def eps_nondominated(objs: np.ndarray, frac: float = 0.10) -> np.ndarray:
    """Epsilon-non-dominated selection (Laumanns et al., Evol. Comput. 2002): boxes of
    ``frac`` x (range of each objective); one point per non-dominated box, the one
    nearest the box's lower corner. Returns indices into ``objs`` sorted by objective 1."""
    objs = np.asarray(objs, dtype=float)
    if len(objs) == 0:
        return np.array([], dtype=int)
    lo, hi = objs.min(0), objs.max(0)
    eps = np.where(hi > lo, (hi - lo) * frac, 1.0)
    box = np.floor((objs - lo) / eps + 1e-9).astype(np.int64)
    best: dict[tuple, int] = {}
    for i, b in enumerate(map(tuple, box)):
        corner = lo + np.array(b) * eps
        d = float(np.sum(((objs[i] - corner) / eps) ** 2))
        j = best.get(b)
        if j is None:
            best[b] = i
        else:
            dj = float(np.sum(((objs[j] - corner) / eps) ** 2))
            if d < dj or (d == dj and i < j):
                best[b] = i
    keys = list(best)
    kb = np.array(keys)
    keep = []
    for n, k in enumerate(keys):
        dom = np.all(kb <= kb[n], axis=1) & np.any(kb < kb[n], axis=1)
        if not dom.any():
            keep.append(best[k])
    keep = np.array(sorted(keep, key=lambda i: (objs[i, 0], objs[i, 1])), dtype=int)
    return keep


def nsga2_star(kl_fn: Callable[[Sequence[int]], float], e_lut: dict, n_layers: int, *,
               pop: int = 100, max_eval: int = 2000, kl_th: float = 0.5,
               eps_frac: float = 0.10, seed: int = 1) -> SearchResult:
    """Thesis Algorithm 2. ``kl_fn(setting)`` -> D_KL; ``e_lut`` = {"16": [...], "8": [...]} (pJ)."""
    from ..extras import require

    require("pymoo", "the NSGA-II search")
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem
    from pymoo.operators.crossover.pntx import TwoPointCrossover
    from pymoo.operators.mutation.bitflip import BitflipMutation
    from pymoo.operators.sampling.rnd import BinaryRandomSampling
    from pymoo.optimize import minimize

    e16 = np.asarray(e_lut["16"], dtype=float)
    e8 = np.asarray(e_lut["8"], dtype=float)
    if len(e16) != n_layers or len(e8) != n_layers:
        raise InputError("energy LUT length differs from the number of layers")
    cache: dict[tuple, float] = {}

    def kl_of(s: tuple) -> float:
        v = cache.get(s)
        if v is None:
            v = cache[s] = float(kl_fn(s))
        return v

    class _P(Problem):
        def __init__(self):
            super().__init__(n_var=n_layers, n_obj=2, n_ieq_constr=1, xl=0, xu=1, vtype=bool)

        def _evaluate(self, X, out, *args, **kwargs):
            S = [tuple(int(b) for b in row) for row in np.asarray(X, dtype=bool)]
            kl = np.array([kl_of(s) for s in S])
            G = np.asarray(X, dtype=float)
            E = G @ e16 + (1 - G) @ e8
            out["F"] = np.column_stack([kl, E])
            out["G"] = (kl - kl_th)[:, None]

    t0 = time.perf_counter()
    algo = NSGA2(pop_size=pop, sampling=BinaryRandomSampling(),
                 crossover=TwoPointCrossover(prob=1.0),
                 mutation=BitflipMutation(prob=1.0, prob_var=1.0 / n_layers),
                 # pymoo's duplicate elimination loops when the space (2^L) is barely
                 # larger than the population: keep duplicates there (they are cached)
                 eliminate_duplicates=2 ** min(n_layers, 62) >= 4 * pop)
    res = minimize(_P(), algo, ("n_eval", max_eval), seed=seed, verbose=False)
    secs = time.perf_counter() - t0
    X = np.asarray(res.pop.get("X"), dtype=bool)
    F = np.asarray(res.pop.get("F"), dtype=float)
    feas = F[:, 0] <= kl_th
    X, F = X[feas], F[feas]
    e_full = float(e16.sum())

    def pt(i):
        s = tuple(int(b) for b in X[i])
        return ParetoPoint(s, float(F[i, 0]), float(F[i, 1]), 1.0 - float(F[i, 1]) / e_full)

    nd = pareto_front(F)
    front = sorted((pt(i) for i in nd), key=lambda p: (p.kl, p.energy_pj))
    sel = eps_nondominated(F[nd], eps_frac) if len(nd) else np.array([], dtype=int)
    points = [pt(nd[i]) for i in sel]
    return SearchResult(points, front, int(res.algorithm.evaluator.n_eval), secs, e_full, kl_th,
                        {"distinct_settings_evaluated": len(cache)})


@dataclass
class GreedyResult:
    modes: list[str]
    accuracy: float
    target: float
    n_ops: int
    n_ops_full: int
    checks: int


def n_ops(layer: Layer, mode: str) -> int:
    """Eq. 3.9: alpha_mac * N_mac + alpha_bias * N_bias in 4x4-MAC operations (Table 3.9)."""
    return MODE_MAC_COST[mode] * layer.macs + MODE_BIAS_COST * layer.n_bias


_LOWER = {"full": "mixed", "mixed": "half"}


def greedy_modes(layers: Sequence[Layer], acc_fn: Callable[[Sequence[str]], float],
                 target: float) -> GreedyResult:
    """Thesis Algorithm 4: sort layers by N_ops (descending); lower the first layer's
    precision (full -> mixed -> half); keep it if the calibration accuracy stays
    >= ``target`` and restart from the top of the re-sorted list, else restore it and
    try the next layer. Half-precision layers leave the list."""
    modes = ["full"] * len(layers)
    checks = 0
    acc = acc_fn(modes)

    def order():
        cand = [i for i in range(len(layers)) if modes[i] != "half"]
        return sorted(cand, key=lambda i: (-n_ops(layers[i], modes[i]), i))

    sl = order()
    i = 0
    while i < len(sl):
        li = sl[i]
        old = modes[li]
        modes[li] = _LOWER[old]
        a = acc_fn(modes)
        checks += 1
        if a < target:
            modes[li] = old
            i += 1
            continue
        acc = a
        sl = order()
        i = 0
    total = sum(n_ops(L, m) for L, m in zip(layers, modes))
    full = sum(n_ops(L, "full") for L in layers)
    return GreedyResult(list(modes), acc, target, total, full, checks)


def brute_force(kl_fn, e_lut, n_layers: int, kl_th: float = 0.5) -> list[ParetoPoint]:
    """Exact feasible Pareto front by enumerating all 2^L settings (small L only)."""
    if n_layers > 16:
        raise InputError("brute force is limited to 16 layers")
    e16 = np.asarray(e_lut["16"], dtype=float)
    e8 = np.asarray(e_lut["8"], dtype=float)
    S = [tuple((k >> (n_layers - 1 - j)) & 1 for j in range(n_layers)) for k in range(2 ** n_layers)]
    F = np.array([[kl_fn(s), sum(e16[j] if g else e8[j] for j, g in enumerate(s))] for s in S])
    feas = np.nonzero(F[:, 0] <= kl_th)[0]
    nd = feas[pareto_front(F[feas])]
    e_full = float(e16.sum())
    return sorted((ParetoPoint(S[i], float(F[i, 0]), float(F[i, 1]), 1 - float(F[i, 1]) / e_full)
                   for i in nd), key=lambda p: (p.kl, p.energy_pj))


# --- the digits ConvNet as the search's workload ---------------------------------------

def digits_problem(arr=None, tech=None):
    """(kl_fn, e_lut, layers, setup) for the project's digits ConvNet."""
    from .convnet import ARCH, kl_divergence, setup
    from .energy import DEFAULT_TECH, energy_lut
    from .model import ArrayConfig

    S = setup()
    layers = ARCH.layers()
    lut = energy_lut(layers, arr or ArrayConfig(), tech or DEFAULT_TECH)
    x = S.data.x_cal
    memo: dict = {}

    def kl_fn(s):
        return kl_divergence(S.p_float_cal, S.fx16.logits16(x, s, memo))

    return kl_fn, lut, layers, S


def network_problem(arch, params, calib_x, arr=None, tech=None):
    """(kl_fn, e_lut, layers, fx16, p_float) for any emulated network (e.g. from ONNX):
    D_KL between its float outputs and its 16/8-bit fixed-point outputs on ``calib_x``
    (NHWC float array)."""
    from .convnet import FixedPointNet, float_forward, kl_divergence, softmax
    from .energy import DEFAULT_TECH, energy_lut
    from .model import ArrayConfig

    layers = arch.layers()
    fx16 = FixedPointNet(params, calib_x, 16, arch)
    p_ref = softmax(float_forward(calib_x, params, arch))
    lut = energy_lut(layers, arr or ArrayConfig(), tech or DEFAULT_TECH)
    memo: dict = {}

    def kl_fn(s):
        return kl_divergence(p_ref, fx16.logits16(calib_x, s, memo))

    return kl_fn, lut, layers, fx16, p_ref


def digits_greedy(tolerance: float = 0.01) -> tuple[GreedyResult, dict]:
    """Algorithm 4 on the digits ConvNet: target = 8-bit full-mode calibration accuracy
    minus ``tolerance``. Returns the result and test-set accuracies."""
    from .convnet import ARCH, accuracy, setup

    S = setup()
    layers = ARCH.layers()
    xc, yc = S.data.x_cal, S.data.y_cal
    base = accuracy(S.fx8.logits_modes(xc, ["full"] * len(layers)), yc)
    res = greedy_modes(layers, lambda m: accuracy(S.fx8.logits_modes(xc, m), yc), base - tolerance)
    test = {
        "full": accuracy(S.fx8.logits_modes(S.data.x_test, ["full"] * len(layers)), S.data.y_test),
        "greedy": accuracy(S.fx8.logits_modes(S.data.x_test, res.modes), S.data.y_test),
    }
    return res, test
