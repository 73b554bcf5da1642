"""Analytic global placement: quadratic wirelength (bound-to-bound net model, solved
by preconditioned conjugate gradient) alternating with a spreading step, in the
manner of SimPL (Kim, Lee, Markov, ICCAD 2010):

* lower bound: minimise the B2B quadratic wirelength with IO pins fixed, plus
  pseudo-nets pulling each cell towards its spread position (anchor weights grow
  with the iteration count);
* upper bound: a density-uniform spreading by recursive area bisection that keeps
  the cells' relative order (every region gets the same utilisation as the core);
* stop when the two placements' wirelengths are close or after ``max_iters``.

All positions are cell centres, um. Deterministic: the only randomness is the
initial jitter, drawn from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .floorplan import Floorplan
from .netmodel import PlaceNets, b2b_system, hpwl


@dataclass
class GlobalResult:
    cx: np.ndarray                 # spread (upper-bound) centres, um
    cy: np.ndarray
    lower_cx: np.ndarray           # last quadratic (lower-bound) centres
    lower_cy: np.ndarray
    iterations: int
    io_x: np.ndarray | None = None  # IO pin positions used (after any reassignment), um
    io_y: np.ndarray | None = None
    history: list[tuple[float, float]] = field(default_factory=list)   # (lower HPWL, upper HPWL) um


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    # element-wise product + sum: avoids multi-threaded BLAS dot, which stalls on busy machines
    return float(np.add.reduce(a * b))


def _solve(A: sp.csr_matrix, b: np.ndarray, x0: np.ndarray, tol: float, maxiter: int) -> np.ndarray:
    """Jacobi-preconditioned conjugate gradient for the SPD system ``A x = b``."""
    inv_d = 1.0 / A.diagonal()
    x = x0.copy()
    r = b - A @ x
    bn = np.sqrt(_dot(b, b)) or 1.0
    z = inv_d * r
    p = z.copy()
    rz = _dot(r, z)
    for _ in range(maxiter):
        if np.sqrt(_dot(r, r)) <= tol * bn:
            break
        Ap = A @ p
        pAp = _dot(p, Ap)
        if pAp <= 0:
            break
        alpha = rz / pAp
        x += alpha * p
        r -= alpha * Ap
        z = inv_d * r
        rz_new = _dot(r, z)
        p = z + (rz_new / rz) * p
        rz = rz_new
    return x


def spread(cx: np.ndarray, cy: np.ndarray, area: np.ndarray,
           box: tuple[float, float, float, float], max_levels: int = 40,
           leaf: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Density-uniform spreading by recursive bisection (vectorised over regions).

    Each region is cut across its longer side; its cells, sorted along that axis, go
    to the low or high child by cumulative area, and the cut line is placed so both
    children keep the parent's density. Regions are refined until they hold one
    cell; each cell ends at the centre of its region.
    """
    n = len(cx)
    if n == 0:
        return cx.copy(), cy.copy()
    reg = np.zeros(n, np.int64)
    rx0 = np.array([box[0]])
    ry0 = np.array([box[1]])
    rx1 = np.array([box[2]])
    ry1 = np.array([box[3]])
    for _ in range(max_levels):
        counts = np.bincount(reg, minlength=len(rx0))
        if counts.max() <= leaf:
            break
        split_x = (rx1 - rx0) >= (ry1 - ry0)
        coord = np.where(split_x[reg], cx, cy)
        order = np.lexsort((coord, reg))
        r_s = reg[order]
        a_s = area[order]
        cum = np.cumsum(a_s)
        R = len(rx0)
        starts = np.searchsorted(r_s, np.arange(R))
        base = np.where(starts < n, cum[np.minimum(starts, n - 1)] - a_s[np.minimum(starts, n - 1)], 0.0)
        mid = cum - base[r_s] - 0.5 * a_s
        tot = np.bincount(reg, weights=area, minlength=R)
        high_s = mid > 0.5 * tot[r_s]
        # never leave a child empty while the other holds >= 2 cells: the sort order decides
        high = np.empty(n, bool)
        high[order] = high_s
        low_area = np.bincount(reg[~high], weights=area[~high], minlength=R)
        frac = np.where(tot > 0, low_area / np.where(tot > 0, tot, 1.0), 0.5)
        cutx = rx0 + (rx1 - rx0) * frac
        cuty = ry0 + (ry1 - ry0) * frac
        # children: 2r (low), 2r+1 (high)
        nx0 = np.empty(2 * R)
        ny0 = np.empty(2 * R)
        nx1 = np.empty(2 * R)
        ny1 = np.empty(2 * R)
        nx0[0::2], ny0[0::2] = rx0, ry0
        nx1[0::2] = np.where(split_x, cutx, rx1)
        ny1[0::2] = np.where(split_x, ry1, cuty)
        nx0[1::2] = np.where(split_x, cutx, rx0)
        ny0[1::2] = np.where(split_x, ry0, cuty)
        nx1[1::2], ny1[1::2] = rx1, ry1
        child = 2 * reg + high
        used, reg = np.unique(child, return_inverse=True)
        rx0, ry0, rx1, ry1 = nx0[used], ny0[used], nx1[used], ny1[used]
    if leaf <= 1:
        return 0.5 * (rx0 + rx1)[reg], 0.5 * (ry0 + ry1)[reg]
    # inside a leaf, map the cells' own spread linearly onto the leaf's box
    R = len(rx0)
    order = np.argsort(reg, kind="stable")
    starts = np.searchsorted(reg[order], np.arange(R))     # every region holds >= 1 cell
    out = []
    for c, a0, a1 in ((cx, rx0, rx1), (cy, ry0, ry1)):
        cs = c[order]
        lo = np.minimum.reduceat(cs, starts)
        hi = np.maximum.reduceat(cs, starts)
        ext = hi - lo
        t = np.where(ext[reg] > 0, (c - lo[reg]) / np.where(ext[reg] > 0, ext[reg], 1.0), 0.5)
        # keep a margin of half a share of the box so cells do not pile on the border
        cnt = np.bincount(reg, minlength=R)
        m = 0.5 / np.maximum(cnt, 1)
        out.append(a0[reg] + (a1 - a0)[reg] * (m[reg] + t * (1 - 2 * m[reg])))
    return out[0], out[1]


def global_place(nets: PlaceNets, width: np.ndarray, height: np.ndarray, fp: Floorplan,
                 io_x: np.ndarray, io_y: np.ndarray, seed: int = 0, max_iters: int = 40,
                 gap_target: float = 0.08, anchor_alpha: float = 0.08, leaf: int = 8,
                 stall: float = 0.003, io_update=None, min_iters: int = 15) -> GlobalResult:
    """``io_update(cx, cy) -> (io_x, io_y)``, when given, re-places the IO pins once
    after the first wirelength-only solves (pin assignment follows the cells)."""
    n = nets.n_cells
    x0, y0, x1, y1 = fp.core
    rng = np.random.default_rng(seed)
    ccx, ccy = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
    span = min(x1 - x0, y1 - y0)
    cx = ccx + rng.uniform(-0.01, 0.01, n) * span
    cy = ccy + rng.uniform(-0.01, 0.01, n) * span
    area = width * height
    eps = max(fp.site_width, 1e-3)
    reg = 1e-6   # keeps cells without nets at a defined place
    # initial wirelength-only solves (IO pins re-placed after the third one, if asked)
    for it in range(5):
        if it == 3 and io_update is not None:
            io_x, io_y = io_update(cx, cy)
        for axis in (0, 1):
            pos, fixed = (cx, io_x) if axis == 0 else (cy, io_y)
            A, b = b2b_system(nets, pos, fixed, eps)
            A = A + sp.diags(np.full(n, reg))
            b = b + reg * (ccx if axis == 0 else ccy)
            new = _solve(A, b, pos, 1e-3, 200)
            if axis == 0:
                cx = np.clip(new, x0, x1)
            else:
                cy = np.clip(new, y0, y1)
    hist: list[tuple[float, float]] = []
    ux, uy = spread(cx, cy, area, fp.core, leaf=leaf)
    it = 0
    for it in range(1, max_iters + 1):
        lo = hpwl(nets, cx, cy, io_x, io_y)
        up = hpwl(nets, ux, uy, io_x, io_y)
        hist.append((lo, up))
        if up > 0 and (up - lo) / up < gap_target:
            break
        if len(hist) > min_iters and up > (1 - stall) * min(h[1] for h in hist[-5:-1]):
            break   # the spread placement stopped improving
        # anchor pseudo-nets to the spread positions; weight grows with the iteration
        for axis in (0, 1):
            pos, fixed, anc = (cx, io_x, ux) if axis == 0 else (cy, io_y, uy)
            A, b = b2b_system(nets, pos, fixed, eps)
            wa = anchor_alpha * it / np.maximum(np.abs(pos - anc), eps)
            A = A + sp.diags(wa + reg)
            b = b + wa * anc + reg * (ccx if axis == 0 else ccy)
            new = _solve(A, b, pos, 1e-3, 80)
            if axis == 0:
                cx = np.clip(new, x0, x1)
            else:
                cy = np.clip(new, y0, y1)
        ux, uy = spread(cx, cy, area, fp.core, leaf=leaf)
    return GlobalResult(ux, uy, cx, cy, it, io_x, io_y, hist)
