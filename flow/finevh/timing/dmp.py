"""Effective capacitance of a driver into a pi model (the DMP method: Dartu, Menezes,
Pileggi, "Performance computation for precharacterized CMOS gates with RC loads",
1996), vectorised over arcs; the algorithm of OpenSTA's ``dmp_ceff_elmore``
restated.

The driver is a Thevenin source: a saturated ramp (start ``t0``, 0-100 % duration
``dt``) behind a resistance ``rd`` that is the slope of the arc's delay table in load
capacitance (``rd = -ln(vth) * d delay / d C`` at the pi model's total capacitance).
Three unknowns (``t0``, ``dt``, ``ceff``) are solved by Newton-Raphson so that

- the ramp into ``ceff`` through ``rd`` crosses ``vth`` (50 %) and ``vl`` (20 %) at
  the times the delay and slew tables give at ``ceff``;
- the average current into ``ceff`` over the first ``min(slew, 1.4 dt)`` equals the
  current into the pi model.

Cases (as OpenSTA): a near-constant table (``rd`` < 0.01 ohm), a negligible ``rpi``
or ``c1`` -> plain capacitance ``c1 + c2`` (``CAP``); ``c2`` negligible -> a one-pole
model with ``ceff = c1`` where only ``t0`` and ``dt`` are solved (``ZERO_C2``); else
the full pi model (``PI``; a failed solve retries from ``ceff = c2`` then falls back
to ``CAP``). The gate delay is the table delay at ``ceff`` (``PI``) or the
50 % crossing of the driver's output waveform (``ZERO_C2``); the driver slew is the
waveform's 20-80 % (thresholds of the library) time, divided by the library's slew
derate. The waveform at a load with Elmore delay ``T`` is the driver waveform through
one more pole ``1/T``; the wire delay is its ``vth`` crossing minus the driver's, the
load slew its ``vl``-``vh`` time (never below the driver slew).

Everything inside is in SI units (s, ohm, F) so that the tolerances and singularity
thresholds act on the same numbers as OpenSTA's; the callers pass ns, kOhm, pF.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

CAP, ZERO_C2, PI = 0, 1, 2

PARAM_TOL = 0.01        # Newton-Raphson: relative step on every unknown
TIME_TOL = 0.01         # crossing search: relative step on the time
ROOT_ITER = 20
NEWTON_ITER = 100

#: gate(idx, ceff_F) -> (delay_s, table_slew_s) of the arcs ``idx`` at ``ceff``
GateFn = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def exp2(x: np.ndarray) -> np.ndarray:
    """exp(x) for x <= 0 as OpenSTA evaluates it: (1 + x/4096)^4096 by twelve
    squarings (the same operations, so the same rounding), 0 below -12."""
    x = np.asarray(x, dtype=np.float64)
    y = np.array(x * (1.0 / 4096.0) + 1.0)          # x / 4096 exactly (a power of two)
    with np.errstate(over="ignore"):
        for _ in range(12):
            np.multiply(y, y, out=y)
    np.putmask(y, x < -12.0, 0.0)
    return y


@dataclass
class Driver:
    """Driver model and result of every arc (arrays [n], SI units)."""

    alg: np.ndarray        # CAP / ZERO_C2 / PI
    valid: np.ndarray      # bool: waveform usable for load delays
    rd: np.ndarray         # ohm
    c1: np.ndarray
    c2: np.ndarray
    rpi: np.ndarray
    ceff: np.ndarray       # F
    t0: np.ndarray         # s
    dt: np.ndarray         # s
    vo_delay: np.ndarray   # s, driver waveform vth crossing
    delay: np.ndarray      # s, gate delay
    slew: np.ndarray       # s, driver slew (table units: derated back)
    vth: np.ndarray
    vl: np.ndarray
    vh: np.ndarray
    derate: np.ndarray
    # waveform constants (pi: both poles; one-pole: k4 = 0)
    p1: np.ndarray
    p2: np.ndarray
    k0: np.ndarray
    k1: np.ndarray
    k2: np.ndarray
    k3: np.ndarray
    k4: np.ndarray
    ub_cap: np.ndarray     # capacitance of the crossing-time upper bound (F)


def find_root(f, x1: np.ndarray, x2: np.ndarray, tol: float, max_iter: int = ROOT_ITER):
    """Roots in [x1, x2] of ``f(t, idx) -> (y, dy)`` for every element, Newton steps
    guarded by bisection (OpenSTA's ``findRoot``). Returns (root, failed)."""
    n = len(x1)
    idx = np.arange(n)
    x1 = x1.copy()
    x2 = x2.copy()
    y1, _ = f(x1, idx)
    y2, _ = f(x2, idx)
    failed = ((y1 > 0) & (y2 > 0)) | ((y1 < 0) & (y2 < 0))
    root = np.zeros(n)
    done = failed.copy()
    z1 = ~done & (y1 == 0)
    root[z1] = x1[z1]
    done |= z1
    z2 = ~done & (y2 == 0)
    root[z2] = x2[z2]
    done |= z2
    sw = y1 > 0
    x1[sw], x2[sw] = x2[sw], x1[sw].copy()
    act = np.nonzero(~done)[0]
    root[act] = (x1[act] + x2[act]) * 0.5
    dx_prev = np.abs(x2 - x1)
    dx = dx_prev.copy()
    y = np.zeros(n)
    dy = np.zeros(n)
    if len(act):
        y[act], dy[act] = f(root[act], act)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(max_iter):
            if not len(act):
                break
            r, a, b, ya, dya = root[act], x1[act], x2[act], y[act], dy[act]
            out_of_range = (((r - b) * dya - ya) * ((r - a) * dya - ya)) > 0.0
            bis = out_of_range | (np.abs(2.0 * ya) > np.abs(dx_prev[act] * dya))     # or too slow
            dx_prev[act] = dx[act]
            step = np.where(bis, (b - a) * 0.5, ya / dya)
            r = np.where(bis, a + step, r - step)
            dx[act] = step
            root[act] = r
            conv = np.abs(step) <= tol * np.abs(r)
            act = act[~conv]
            if not len(act):
                break
            y[act], dy[act] = f(root[act], act)
            neg = y[act] < 0.0
            x1[act[neg]] = root[act[neg]]
            x2[act[~neg]] = root[act[~neg]]
    failed[act] = True
    return root, failed


def newton_step(J: np.ndarray, f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Determinants and steps ``p = J^-1 (-f)`` of small systems (J [n, m, m], f [n, m],
    m 2 or 3) as OpenSTA computes them (Eigen's closed forms: the determinant by
    expansion, the inverse as the adjugate times 1/det). Singular systems give a zero
    or non-finite determinant (the callers test it)."""
    m = J.shape[1]
    a = [[J[:, i, j] for j in range(m)] for i in range(m)]
    g = [-f[:, i] for i in range(m)]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if m == 2:
            det = a[0][0] * a[1][1] - a[1][0] * a[0][1]
            inv_det = 1.0 / det
            inv = [[a[1][1] * inv_det, -a[0][1] * inv_det], [-a[1][0] * inv_det, a[0][0] * inv_det]]
        else:
            det = (a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
                   - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
                   + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]))

            def cof(i, j):
                i1, i2, j1, j2 = (i + 1) % 3, (i + 2) % 3, (j + 1) % 3, (j + 2) % 3
                return a[i1][j1] * a[i2][j2] - a[i1][j2] * a[i2][j1]
            col0 = [cof(0, 0), cof(1, 0), cof(2, 0)]
            inv_det = 1.0 / (col0[0] * a[0][0] + col0[1] * a[1][0] + col0[2] * a[2][0])
            inv = [[c * inv_det for c in col0]] + [[cof(j, i) * inv_det for j in range(3)] for i in (1, 2)]
        p = np.stack([_dot(inv[i], g) for i in range(m)], axis=1)
    return det, p


def _dot(row, g):
    acc = row[0] * g[0]
    for r, x in zip(row[1:], g[1:]):
        acc = acc + r * x
    return acc


class Dmp:
    """DMP driver solve for ``n`` arcs.

    ``gate``: table look-up at a capacitance (see :data:`GateFn`); ``c2``, ``rpi``,
    ``c1``: pi model (F, ohm, F); ``vth``, ``vl``, ``vh`` (fractions) and ``derate``:
    the driver library's output and slew thresholds for the output transition."""

    def __init__(self, gate: GateFn, c2, rpi, c1, vth, vl, vh, derate):
        self.gate = gate
        self.c2, self.rpi, self.c1 = (np.asarray(a, dtype=np.float64) for a in (c2, rpi, c1))
        self.vth, self.vl, self.vh, self.derate = (np.asarray(a, dtype=np.float64) for a in (vth, vl, vh, derate))
        self.n = len(self.c1)

    # ---------------------------------------------------------------- driver model
    def _gate_delays(self, idx, ceff):
        """Table delay (vth time), vl time and measured (derated) slew at ``ceff``."""
        d, s = self.gate(idx, ceff)
        slew = s * self.derate[idx]
        t_vl = d - slew * (self.vth[idx] - self.vl[idx]) / (self.vh[idx] - self.vl[idx])
        return d, t_vl, slew

    def _rd(self) -> np.ndarray:
        """Driver resistance: the table's delay slope in capacitance (ohm)."""
        idx = np.arange(self.n)
        cap1 = (self.c1 + self.c2).astype(np.float32)
        cap2 = (cap1 + np.float32(1e-15)).astype(np.float32)
        d1, _ = self.gate(idx, cap1.astype(np.float64))
        d2, _ = self.gate(idx, cap2.astype(np.float64))
        d1 = d1.astype(np.float32).astype(np.float64)
        d2 = d2.astype(np.float32).astype(np.float64)
        dc = (cap2 - cap1).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.nan_to_num(-np.log(self.vth) * np.abs(d1 - d2) / dc)

    @staticmethod
    def _y_dy(t, t0, dt, cl, rd, partials: bool = True):
        """The ramp response into ``cl`` through ``rd`` at ``t`` and (``partials``) its
        derivatives in t0, dt and cl; one exponential per ramp end."""
        t1 = t - t0
        inside = t1 <= dt
        z = t1 <= 0.0
        t1p = np.maximum(t1, 0.0)
        t2 = np.maximum(t1 - dt, 0.0)
        rc = rd * cl
        ea, eb = exp2(-t1p / rc), exp2(-t2 / rc)
        y0a = t1p - rc * (1.0 - ea)
        y0b = t2 - rc * (1.0 - eb)
        y = np.where(z, 0.0, np.where(inside, y0a / dt, (y0a - y0b) / dt))
        if not partials:
            return y, None, None, None
        dta, dtb = 1.0 - ea, 1.0 - eb
        dca, dcb = rd * ((1.0 + t1p / rc) * ea - 1.0), rd * ((1.0 + t2 / rc) * eb - 1.0)
        d_t0 = np.where(inside, -dta / dt, -(dta - dtb) / dt)
        d_dt = np.where(inside, -y0a / (dt * dt), -(y0a + y0b) / (dt * dt) + dtb / dt)
        d_cl = np.where(inside, dca / dt, (dca - dcb) / dt)
        return y, np.where(z, 0.0, d_t0), np.where(z, 0.0, d_dt), np.where(z, 0.0, d_cl)

    def _pi_eqns(self, x, idx):
        """Residuals and Jacobian of the three DMP equations; ``bad`` marks arcs whose
        unknowns left the domain (ceff outside [0, c1 + c2], dt <= 0, zero slew)."""
        t0, dt, ceff = x[:, 0], x[:, 1], x[:, 2]
        rd = self.rd_[idx]
        bad = (ceff < 0.0) | (ceff > self.c1[idx] + self.c2[idx]) | (dt <= 0.0)
        ceff_q = np.where(bad, self.c1[idx] + self.c2[idx], ceff)
        t_vth, t_vl, slew = self._gate_delays(idx, ceff_q)
        bad |= slew == 0.0
        vth, vl, vh = self.vth[idx], self.vl[idx], self.vh[idx]
        A, B, D, p1, p2 = self.A[idx], self.B[idx], self.D[idx], self.p1_[idx], self.p2_[idx]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ct = np.minimum(slew / (vh - vl), 1.4 * dt)
            e1, e2, erc = exp2(-p1 * dt), exp2(-p2 * dt), exp2(-dt / (rd * ceff))
            ipi = (A * ct + (B / p1) * (1.0 - exp2(-p1 * ct)) + (D / p2) * (1.0 - exp2(-p2 * ct))) / (rd * ct * dt)
            rc = rd * ceff
            iceff = (rc * ct - rc * rc * (1.0 - exp2(-ct / rc))) / (rd * ct * dt)
            y_l, *d_l = self._y_dy(t_vl, t0, dt, ceff, rd)
            y_h, *d_h = self._y_dy(t_vth, t0, dt, ceff, rd)
            f = np.stack([y_l - vl, y_h - vth, ipi - iceff], axis=1)
            J = np.zeros((len(idx), 3, 3))
            J[:, 2, 1] = (-A * dt + (B * dt * e1 - 2.0 * (B / p1) * (1.0 - e1))
                          + (D * dt * e2 - 2.0 * (D / p2) * (1.0 - e2))
                          + rc * (dt + dt * erc - 2.0 * rc * (1.0 - erc))) / (rd * dt * dt * dt)
            J[:, 2, 2] = (2.0 * rc - dt - (2.0 * rc + dt) * erc) / (dt * dt)
            J[:, 0, 0], J[:, 0, 1], J[:, 0, 2] = d_l
            J[:, 1, 0], J[:, 1, 1], J[:, 1, 2] = d_h
        return f, J, bad

    def _one_pole_eqns(self, x, idx):
        t0, dt = x[:, 0], x[:, 1].copy()
        rd = self.rd_[idx]
        ceff = self.c1[idx]
        t_vth, t_vl, _ = self._gate_delays(idx, ceff)
        fix = dt <= 0.0
        dt[fix] = (t_vl[fix] - t_vth[fix]) / 100.0
        x[fix, 1] = dt[fix]
        y_l, *d_l = self._y_dy(t_vl, t0, dt, ceff, rd)
        y_h, *d_h = self._y_dy(t_vth, t0, dt, ceff, rd)
        f = np.stack([y_l - self.vl[idx], y_h - self.vth[idx], np.zeros(len(idx))], axis=1)
        J = np.zeros((len(idx), 3, 3))
        J[:, 0, 0], J[:, 0, 1] = d_l[:2]
        J[:, 1, 0], J[:, 1, 1] = d_h[:2]
        J[:, 2, 2] = 1.0
        return f, J, np.zeros(len(idx), dtype=bool)

    def _newton(self, idx, ceff0, order):
        """Solve the driver parameters of arcs ``idx`` from ``ceff0``: (t0, dt, ceff, failed)."""
        rd = self.rd_[idx]
        t_vth, t_vl, slew = self._gate_delays(idx, ceff0)
        dt = slew / (self.vh[idx] - self.vl[idx])
        with np.errstate(divide="ignore", invalid="ignore"):
            t0 = t_vth + np.log(1.0 - self.vth[idx]) * rd * ceff0 - self.vth[idx] * dt
        x = np.stack([t0, dt, ceff0 if order == 3 else np.zeros(len(idx))], axis=1)
        failed = np.zeros(len(idx), dtype=bool)
        act = np.arange(len(idx))
        eqns = self._pi_eqns if order == 3 else self._one_pole_eqns
        for _ in range(NEWTON_ITER):
            if not len(act):
                break
            xa = x[act]
            f, J, bad = eqns(xa, idx[act])
            x[act] = xa
            det, p = newton_step(J[:, :order, :order], f[:, :order])
            bad |= ~(np.abs(det) >= 1e-12)
            ok = ~bad
            p = np.where(ok[:, None], np.pad(p, ((0, 0), (0, 3 - order))), 0.0)
            failed[act[bad]] = True
            conv = ok & (np.abs(p[:, :order]) <= np.abs(x[act, :order]) * PARAM_TOL).all(axis=1)
            x[act[ok], :order] += p[ok, :order]
            act = act[ok & ~conv]
        failed[act] = True
        return x[:, 0], x[:, 1], x[:, 2], failed

    # ---------------------------------------------------------------- waveforms
    def _v0(self, t, idx):
        k0, k1, k2, k3, k4, p1, p2 = (a[idx] for a in (self.k0, self.k1, self.k2, self.k3, self.k4, self.p1_, self.p2_))
        e1, e2 = exp2(-p1 * t), exp2(-p2 * t)
        return k0 * (k1 + k2 * t + k3 * e1 + k4 * e2), k0 * (k2 - k3 * p1 * e1 - k4 * p2 * e2)

    def _vl0_coeffs(self, idx, p3):
        """Coefficients of the load's step-ramp response (driver through one more pole p3)."""
        k0, k1, k2, k3, k4, p1, p2 = (a[idx] for a in (self.k0, self.k1, self.k2, self.k3, self.k4, self.p1_, self.p2_))
        d1 = k0 * (k1 - k2 / p3)
        d3 = -p3 * k0 * k3 / (p1 - p3)
        d4 = -p3 * k0 * k4 / (p2 - p3)
        d5 = k0 * (k2 / p3 - k1 + p3 * k3 / (p1 - p3) + p3 * k4 / (p2 - p3))
        return d1, d3, d4, d5, p1, p2, p3

    @staticmethod
    def _vl0_eval(t, c):
        d1, d3, d4, d5, p1, p2, p3 = c
        e1, e2, e3 = exp2(-p1 * t), exp2(-p2 * t), exp2(-p3 * t)
        return d1 + t + d3 * e1 + d4 * e2 + d5 * e3, 1.0 - d3 * p1 * e1 - d4 * p2 * e2 - d5 * p3 * e3

    def _ramp(self, base, t, idx):
        """Response to the saturated ramp from the step-ramp response ``base``."""
        t1 = t - self.t0[idx]
        dt = self.dt[idx]
        a, da = base(np.maximum(t1, 0.0))
        b, db = base(np.maximum(t1 - dt, 0.0))
        inside = t1 <= dt
        v = np.where(inside, a / dt, (a - b) / dt)
        dv = np.where(inside, da / dt, (da - db) / dt)
        z = t1 <= 0.0
        return np.where(z, 0.0, v), np.where(z, 0.0, dv)

    def _vo_ub(self, idx):
        return self.t0[idx] + self.dt[idx] + self.ub_cap[idx] * (self.rd_[idx] + self.rpi[idx]) * 2.0

    def _crossings(self, idx, wave, t_lo, t_up, vth, vl, vh):
        """(vth time, vl time, vh time, failed) of the waveform ``wave(t, sub)``."""
        def at(level):
            return lambda t, sub: (lambda v: (v[0] - level[sub], v[1]))(wave(t, sub))
        d, f1 = find_root(at(vth), t_lo, t_up, TIME_TOL)
        tl, f2 = find_root(at(vl), t_lo, d, TIME_TOL)
        th, f3 = find_root(at(vh), d, t_up, TIME_TOL)
        return d, tl, th, f1 | f2 | f3

    # ---------------------------------------------------------------- solve
    def solve(self, in_ok: np.ndarray | None = None) -> Driver:
        """Driver delay and slew of every arc (see the module docstring)."""
        n = self.n
        c1, c2, rpi = self.c1, self.c2, self.rpi
        self.rd_ = rd = self._rd()
        alg = np.full(n, PI)
        cap = (rd < 1e-2) | (rpi < rd * 1e-3) | (c1 == 0.0) | (c1 < c2 * 1e-3) | (rpi == 0.0)
        alg[cap] = CAP
        alg[~cap & (c2 < c1 * 1e-3)] = ZERO_C2
        z = np.zeros(n)
        self.p1_, self.p2_ = z + 1.0, z + 1.0
        self.k0, self.k1, self.k2, self.k3, self.k4 = z.copy(), z.copy(), z.copy(), z.copy(), z.copy()
        self.A, self.B, self.D = z.copy(), z.copy(), z.copy()
        self.ub_cap = c1 + c2
        self.t0, self.dt = z.copy(), z.copy()
        ceff = c1 + c2
        valid = np.zeros(n, dtype=bool)
        delay, slew, vo_delay = z.copy(), z.copy(), z.copy()
        all_idx = np.arange(n)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            pi = np.nonzero(alg == PI)[0]
            if len(pi):
                r, a1, a2 = rd[pi], c1[pi], c2[pi]
                rp = rpi[pi]
                z1 = 1.0 / (rp * a1)
                k0 = 1.0 / (r * a2)
                a = rp * r * a1 * a2
                b = r * (a1 + a2) + rp * a1
                sq = np.sqrt(b * b - 4 * a)
                p1, p2 = (b + sq) / (2 * a), (b - sq) / (2 * a)
                pp = p1 * p2
                k2 = z1 / pp
                k1 = (1.0 - k2 * (p1 + p2)) / pp
                k4 = (k1 * p1 + k2) / (p2 - p1)
                self.p1_[pi], self.p2_[pi], self.k0[pi], self.k1[pi], self.k2[pi] = p1, p2, k0, k1, k2
                self.k3[pi], self.k4[pi] = -k1 - k4, k4
                zz = (a1 + a2) / (rp * a1 * a2)
                self.A[pi] = zz / pp
                self.B[pi] = (zz - p1) / (p1 * (p1 - p2))
                self.D[pi] = (zz - p2) / (p2 * (p2 - p1))
            zc = np.nonzero(alg == ZERO_C2)[0]
            if len(zc):
                a1, rp, r = c1[zc], rpi[zc], rd[zc]
                z1 = 1.0 / (rp * a1)
                p1 = 1.0 / (a1 * (r + rp))
                k0 = p1 / z1
                k1 = (p1 - z1) / (p1 * p1)
                self.p1_[zc], self.k0[zc], self.k1[zc], self.k2[zc], self.k3[zc] = p1, k0, k1, 1.0 / k0, -k1
                self.ub_cap[zc] = a1
                ceff[zc] = a1
        # PI: solve from c1 + c2, retry from c2, else plain capacitance
        todo = pi
        for start in (c1 + c2, c2):
            if not len(todo):
                break
            t0, dt, ce, bad = self._newton(todo, start[todo], 3)
            ok = todo[~bad]
            self.t0[ok], self.dt[ok], ceff[ok] = t0[~bad], dt[~bad], ce[~bad]
            todo = todo[bad]
        fell = todo
        alg[fell] = CAP
        ceff[fell] = c1[fell] + c2[fell]
        pi = pi[~np.isin(pi, fell)]
        if len(zc):
            t0, dt, _, bad = self._newton(zc, c1[zc], 2)
            self.t0[zc], self.dt[zc] = t0, dt
            zfail = zc[bad]
            alg[zfail] = CAP          # falls back to the tables at c1 (ceff = c1 already)
            zc = zc[~bad]
        d_tab, s_tab = self.gate(all_idx, ceff)
        delay[:], slew[:] = d_tab, s_tab
        wave_idx = np.concatenate([pi, zc])
        if len(wave_idx):
            def vo(t, sub):
                ii = wave_idx[sub]
                return self._ramp(lambda tt: self._v0(tt, ii), t, ii)
            t_lo = self.t0[wave_idx]
            d, tl, th, bad = self._crossings(np.arange(len(wave_idx)), vo, t_lo, self._vo_ub(wave_idx),
                                             self.vth[wave_idx], self.vl[wave_idx], self.vh[wave_idx])
            good = wave_idx[~bad]
            valid[good] = True
            vo_delay[good] = d[~bad]
            slew[good] = ((th - tl) / self.derate[wave_idx])[~bad]
            zgood = np.isin(good, zc)
            delay[good[zgood]] = d[~bad][zgood]
            # a one-pole driver whose waveform failed uses the tables at c1
        return Driver(alg, valid, rd, c1, c2, rpi, ceff, self.t0, self.dt, vo_delay, delay, slew,
                      self.vth, self.vl, self.vh, self.derate, self.p1_, self.p2_, self.k0, self.k1, self.k2,
                      self.k3, self.k4, self.ub_cap)

    @classmethod
    def of_driver(cls, drv: Driver) -> "Dmp":
        """A solver holding only the solved driver ``drv`` (enough for :meth:`loads`)."""
        d = cls.__new__(cls)
        d.n = len(drv.alg)
        d.c1, d.c2, d.rpi, d.rd_ = drv.c1, drv.c2, drv.rpi, drv.rd
        d.t0, d.dt, d.ub_cap = drv.t0, drv.dt, drv.ub_cap
        d.k0, d.k1, d.k2, d.k3, d.k4, d.p1_, d.p2_ = drv.k0, drv.k1, drv.k2, drv.k3, drv.k4, drv.p1, drv.p2
        d.vth, d.vl, d.vh, d.derate = drv.vth, drv.vl, drv.vh, drv.derate
        return d

    def loads(self, drv: Driver, arc: np.ndarray, elmore: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(wire delay, load slew) in s at loads of Elmore delay ``elmore`` (s) driven by
        the arcs ``arc`` (indices into the solved arcs)."""
        arc = np.asarray(arc, dtype=np.int64)
        elmore = np.asarray(elmore, dtype=np.float64)
        ds = drv.slew[arc]
        delay = elmore.copy()
        slew = ds.copy()
        use = drv.valid[arc] & (drv.alg[arc] != CAP) & (elmore != 0.0) & ~(elmore < ds * 1e-3)
        k = np.nonzero(use)[0]
        if not len(k):
            return delay, slew
        a = arc[k]
        p3 = 1.0 / elmore[k]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            co = self._vl0_coeffs(a, p3)

        def vl(t, sub):
            ii = a[sub]
            c = tuple(x[sub] for x in co)
            return self._ramp(lambda tt: self._vl0_eval(tt, c), t, ii)

        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            t_up = self._vo_ub(a) + elmore[k] * 2.0
            d, tl, th, bad = self._crossings(np.arange(len(k)), vl, drv.t0[a], t_up, drv.vth[a], drv.vl[a], drv.vh[a])
        wd = d - drv.vo_delay[a]
        ws = (th - tl) / drv.derate[a]
        wd = np.where(wd < 0.0, elmore[k], wd)
        ws = np.maximum(ws, ds[k])
        delay[k] = np.where(bad, elmore[k], wd)
        slew[k] = np.where(bad, ds[k], ws)
        return delay, slew


#: the fields of :class:`Driver`, in order
DRIVER_FIELDS = tuple(Driver.__dataclass_fields__)
#: its float fields, in order: the rows of the compiled kernels' field matrix
FLOAT_FIELDS = tuple(f for f in DRIVER_FIELDS if f not in ("alg", "valid"))


def take(drv: Driver, idx) -> Driver:
    """The drivers ``idx`` of ``drv``."""
    return Driver(*(getattr(drv, f)[idx] for f in DRIVER_FIELDS))
