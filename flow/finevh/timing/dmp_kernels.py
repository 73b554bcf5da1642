"""Compiled kernels of :mod:`finevh.timing.dmp_jit` (importing this module imports
numba; the kernels are compiled on first use and cached on disk). See
:mod:`finevh.timing.dmp_jit` for what they compute; the constants are
:mod:`finevh.timing.dmp`'s."""

import numba as nb
import numpy as np

from .dmp import CAP, FLOAT_FIELDS, NEWTON_ITER, PARAM_TOL, PI, ROOT_ITER, TIME_TOL, ZERO_C2

jit = nb.njit(cache=True, error_model="numpy", nogil=True)
jiti = nb.njit(cache=True, error_model="numpy", nogil=True, inline="always")

# columns of the field matrix F [n, len(FLOAT_FIELDS)] (one row per arc or graph edge)
(RD, C1, C2, RPI, CEFF, T0, DT, VOD, DELAY, SLEW, VTH, VL, VH, DERATE, P1, P2, K0, K1, K2, K3, K4,
 UB) = (FLOAT_FIELDS.index(f) for f in ("rd", "c1", "c2", "rpi", "ceff", "t0", "dt", "vo_delay", "delay", "slew",
                                        "vth", "vl", "vh", "derate", "p1", "p2", "k0", "k1", "k2", "k3", "k4",
                                        "ub_cap"))


@jiti
def exp2(x):
    if x < -12.0:
        return 0.0
    y = x * (1.0 / 4096.0) + 1.0
    for _ in range(12):
        y = y * y
    return y


@jiti
def nmax(a, b):             # np.maximum: NaN wins
    if a != a or b != b:
        return a + b
    return a if a >= b else b


@jiti
def nmin(a, b):             # np.minimum: NaN wins
    if a != a or b != b:
        return a + b
    return a if a <= b else b


@jiti
def segment(ax, r, n, x):
    if n < 2:
        return 0, 0.0
    cnt = 0
    for j in range(n):
        if ax[r, j] <= x:
            cnt += 1
    i = cnt - 1
    if i < 0:
        i = 0
    if i > n - 2:
        i = n - 2
    lo = ax[r, i]
    span = ax[r, i + 1] - lo
    if span > 0:
        return i, (x - lo) / span
    if span != span:
        return i, np.nan
    return i, 0.0


@jiti
def lookup(ax1, ax2, n1, n2, q1, q2, val, A1, A2, row, qa, qb):
    """Table ``row`` at input slew ``qa`` (ns) and load / constrained slew ``qb``."""
    m1 = n1[row]
    m2 = n2[row]
    i1, w1 = segment(ax1, row, m1, qa if q1[row] == 0 else qb)
    i2, w2 = segment(ax2, row, m2, qa if q2[row] == 0 else qb)
    d1 = A2 if m1 > 1 else 0
    d2 = 1 if m2 > 1 else 0
    f00 = row * (A1 * A2) + i1 * A2 + i2
    u1 = 1 - w1
    u2 = 1 - w2
    return ((u1 * u2) * val[f00] + (w1 * u2) * val[f00 + d1] + (w1 * w2) * val[f00 + d1 + d2]
            + (u1 * w2) * val[f00 + d2])


@jiti
def y_dy(t, t0, dt, cl, rd):
    t1 = t - t0
    if t1 <= 0.0:
        return 0.0, 0.0, 0.0, 0.0
    inside = t1 <= dt
    t1p = nmax(t1, 0.0)
    t2 = nmax(t1 - dt, 0.0)
    rc = rd * cl
    ea = exp2(-t1p / rc)
    eb = exp2(-t2 / rc)
    y0a = t1p - rc * (1.0 - ea)
    y0b = t2 - rc * (1.0 - eb)
    dta = 1.0 - ea
    dtb = 1.0 - eb
    dca = rd * ((1.0 + t1p / rc) * ea - 1.0)
    dcb = rd * ((1.0 + t2 / rc) * eb - 1.0)
    if inside:
        return y0a / dt, -dta / dt, -y0a / (dt * dt), dca / dt
    return (y0a - y0b) / dt, -(dta - dtb) / dt, -(y0a + y0b) / (dt * dt) + dtb / dt, (dca - dcb) / dt


# the per-arc context of the solve: a float array
# 0 rd, 1 c1, 2 c2, 3 rpi, 4 vth, 5 vl, 6 vh, 7 derate, 8 sin,
# 9 p1, 10 p2, 11 k0, 12 k1, 13 k2, 14 k3, 15 k4, 16 A, 17 B, 18 D, 19 t0, 20 dt, 21 p3,
# 22 d1, 23 d3, 24 d4, 25 d5, 26 level


@jiti
def gate_delays(tb, drow, srow, c, ceff):
    ax1, ax2, n1, n2, q1, q2, val, A1, A2 = tb
    q = ceff * 1e12
    d = lookup(ax1, ax2, n1, n2, q1, q2, val, A1, A2, drow, c[8], q) * 1e-9
    s = lookup(ax1, ax2, n1, n2, q1, q2, val, A1, A2, srow, c[8], q) * 1e-9
    slew = s * c[7]
    t_vl = d - slew * (c[4] - c[5]) / (c[6] - c[5])
    return d, t_vl, slew


@jiti
def pi_eqns(tb, drow, srow, c, x, f, J):
    t0 = x[0]
    dt = x[1]
    ceff = x[2]
    rd = c[0]
    bad = (ceff < 0.0) or (ceff > c[1] + c[2]) or (dt <= 0.0)
    ceff_q = c[1] + c[2] if bad else ceff
    t_vth, t_vl, slew = gate_delays(tb, drow, srow, c, ceff_q)
    if slew == 0.0:
        bad = True
    vth, vl, vh = c[4], c[5], c[6]
    A, B, D, p1, p2 = c[16], c[17], c[18], c[9], c[10]
    ct = nmin(slew / (vh - vl), 1.4 * dt)
    e1 = exp2(-p1 * dt)
    e2 = exp2(-p2 * dt)
    erc = exp2(-dt / (rd * ceff))
    ipi = (A * ct + (B / p1) * (1.0 - exp2(-p1 * ct)) + (D / p2) * (1.0 - exp2(-p2 * ct))) / (rd * ct * dt)
    rc = rd * ceff
    iceff = (rc * ct - rc * rc * (1.0 - exp2(-ct / rc))) / (rd * ct * dt)
    yl, l0, l1, l2 = y_dy(t_vl, t0, dt, ceff, rd)
    yh, h0, h1, h2 = y_dy(t_vth, t0, dt, ceff, rd)
    f[0] = yl - vl
    f[1] = yh - vth
    f[2] = ipi - iceff
    J[0, 0], J[0, 1], J[0, 2] = l0, l1, l2
    J[1, 0], J[1, 1], J[1, 2] = h0, h1, h2
    J[2, 0] = 0.0
    J[2, 1] = (-A * dt + (B * dt * e1 - 2.0 * (B / p1) * (1.0 - e1))
               + (D * dt * e2 - 2.0 * (D / p2) * (1.0 - e2))
               + rc * (dt + dt * erc - 2.0 * rc * (1.0 - erc))) / (rd * dt * dt * dt)
    J[2, 2] = (2.0 * rc - dt - (2.0 * rc + dt) * erc) / (dt * dt)
    return bad


@jit
def one_pole_eqns(tb, drow, srow, c, x, f, J):
    t0 = x[0]
    dt = x[1]
    rd = c[0]
    ceff = c[1]
    t_vth, t_vl, _s = gate_delays(tb, drow, srow, c, ceff)
    if dt <= 0.0:
        dt = (t_vl - t_vth) / 100.0
        x[1] = dt
    yl, l0, l1, _l2 = y_dy(t_vl, t0, dt, ceff, rd)
    yh, h0, h1, _h2 = y_dy(t_vth, t0, dt, ceff, rd)
    f[0] = yl - c[5]
    f[1] = yh - c[4]
    f[2] = 0.0
    J[0, 0], J[0, 1] = l0, l1
    J[1, 0], J[1, 1] = h0, h1
    return False


@jiti
def step(J, f, order, p):
    """Determinant and Newton step p = J^-1 (-f) (Eigen's closed forms, as dmp.newton_step)."""
    g0, g1, g2 = -f[0], -f[1], -f[2]
    if order == 2:
        det = J[0, 0] * J[1, 1] - J[1, 0] * J[0, 1]
        inv_det = 1.0 / det
        p[0] = (J[1, 1] * inv_det) * g0 + (-J[0, 1] * inv_det) * g1
        p[1] = (-J[1, 0] * inv_det) * g0 + (J[0, 0] * inv_det) * g1
        p[2] = 0.0
        return det
    a00, a01, a02 = J[0, 0], J[0, 1], J[0, 2]
    a10, a11, a12 = J[1, 0], J[1, 1], J[1, 2]
    a20, a21, a22 = J[2, 0], J[2, 1], J[2, 2]
    det = (a00 * (a11 * a22 - a12 * a21) - a01 * (a10 * a22 - a12 * a20) + a02 * (a10 * a21 - a11 * a20))
    c00 = a11 * a22 - a12 * a21          # cof(0, 0)
    c10 = a21 * a02 - a22 * a01          # cof(1, 0)
    c20 = a01 * a12 - a02 * a11          # cof(2, 0)
    c01 = a12 * a20 - a10 * a22          # cof(0, 1)
    c11 = a22 * a00 - a20 * a02          # cof(1, 1)
    c21 = a02 * a10 - a00 * a12          # cof(2, 1)
    c02 = a10 * a21 - a11 * a20          # cof(0, 2)
    c12 = a20 * a01 - a21 * a00          # cof(1, 2)
    c22 = a00 * a11 - a01 * a10          # cof(2, 2)
    inv_det = 1.0 / (c00 * a00 + c10 * a10 + c20 * a20)
    p[0] = (c00 * inv_det) * g0 + (c10 * inv_det) * g1 + (c20 * inv_det) * g2
    p[1] = (c01 * inv_det) * g0 + (c11 * inv_det) * g1 + (c21 * inv_det) * g2
    p[2] = (c02 * inv_det) * g0 + (c12 * inv_det) * g1 + (c22 * inv_det) * g2
    return det


@jit
def newton(tb, drow, srow, c, ceff0, order, x, f, p, J):
    """Driver parameters from ``ceff0`` into x (t0, dt, ceff); True when it failed
    (``f``, ``p``: scratch of 3, ``J``: 3 x 3, all set here before use)."""
    rd = c[0]
    t_vth, t_vl, slew = gate_delays(tb, drow, srow, c, ceff0)
    dt = slew / (c[6] - c[5])
    t0 = t_vth + np.log(1.0 - c[4]) * rd * ceff0 - c[4] * dt
    x[0] = t0
    x[1] = dt
    x[2] = ceff0 if order == 3 else 0.0
    J[:, :] = 0.0
    for _ in range(NEWTON_ITER):
        if order == 3:
            bad = pi_eqns(tb, drow, srow, c, x, f, J)
        else:
            bad = one_pole_eqns(tb, drow, srow, c, x, f, J)
        det = step(J, f, order, p)
        if not (abs(det) >= 1e-12):
            bad = True
        if bad:
            return True
        conv = True
        for i in range(order):
            if not (abs(p[i]) <= abs(x[i]) * PARAM_TOL):
                conv = False
        for i in range(order):
            x[i] += p[i]
        if conv:
            return False
    return True


@jiti
def v0(c, t):
    k0, k1, k2, k3, k4, p1, p2 = c[11], c[12], c[13], c[14], c[15], c[9], c[10]
    e1 = exp2(-p1 * t)
    e2 = exp2(-p2 * t)
    return k0 * (k1 + k2 * t + k3 * e1 + k4 * e2), k0 * (k2 - k3 * p1 * e1 - k4 * p2 * e2)


@jiti
def vl0(c, t):
    d1, d3, d4, d5, p1, p2, p3 = c[22], c[23], c[24], c[25], c[9], c[10], c[21]
    e1 = exp2(-p1 * t)
    e2 = exp2(-p2 * t)
    e3 = exp2(-p3 * t)
    return d1 + t + d3 * e1 + d4 * e2 + d5 * e3, 1.0 - d3 * p1 * e1 - d4 * p2 * e2 - d5 * p3 * e3


@jiti
def wave(c, t, load):
    """The driver's (``load`` False) or a load's ramp response minus c[26], and its slope."""
    t1 = t - c[19]
    if t1 <= 0.0:
        return 0.0 - c[26], 0.0
    dt = c[20]
    if load:
        a, da = vl0(c, nmax(t1, 0.0))
    else:
        a, da = v0(c, nmax(t1, 0.0))
    if t1 <= dt:
        return a / dt - c[26], da / dt
    if load:
        b, db = vl0(c, nmax(t1 - dt, 0.0))
    else:
        b, db = v0(c, nmax(t1 - dt, 0.0))
    return (a - b) / dt - c[26], (da - db) / dt


@jit
def find_root(c, load, x1, x2, tol):
    """Root in [x1, x2] of wave - level (OpenSTA's findRoot): (root, failed)."""
    y1, _d1 = wave(c, x1, load)
    y2, _d2 = wave(c, x2, load)
    if (y1 > 0 and y2 > 0) or (y1 < 0 and y2 < 0):
        return 0.0, True
    if y1 == 0:
        return x1, False
    if y2 == 0:
        return x2, False
    if y1 > 0:
        x1, x2 = x2, x1
    r = (x1 + x2) * 0.5
    dx_prev = abs(x2 - x1)
    dx = dx_prev
    y, dy = wave(c, r, load)
    for _ in range(ROOT_ITER):
        a, b = x1, x2
        out_of_range = (((r - b) * dy - y) * ((r - a) * dy - y)) > 0.0
        bis = out_of_range or (abs(2.0 * y) > abs(dx_prev * dy))
        dx_prev = dx
        if bis:
            st = (b - a) * 0.5
            r = a + st
        else:
            st = y / dy
            r = r - st
        dx = st
        if abs(st) <= tol * abs(r):
            return r, False
        y, dy = wave(c, r, load)
        if y < 0.0:
            x1 = r
        else:
            x2 = r
    return r, True


@jit
def crossings(c, load, t_lo, t_up):
    c[26] = c[4]
    d, f1 = find_root(c, load, t_lo, t_up, TIME_TOL)
    c[26] = c[5]
    tl, f2 = find_root(c, load, t_lo, d, TIME_TOL)
    c[26] = c[6]
    th, f3 = find_root(c, load, d, t_up, TIME_TOL)
    return d, tl, th, f1 or f2 or f3


@jit
def solve_all(ax1, ax2, n1, n2, q1, q2, val, drows, srows, sin, c2a, rpia, c1a, vtha, vla, vha, dera,
              out, alg, valid, F):
    """Driver solution of arc i into row out[i] of alg, valid and F (see module doc)."""
    A1 = ax1.shape[1]
    A2 = ax2.shape[1]
    tb = (ax1, ax2, n1, n2, q1, q2, val, A1, A2)
    c = np.zeros(27)
    x = np.zeros(3)
    f = np.empty(3)
    p = np.empty(3)
    J = np.zeros((3, 3))
    for i in range(len(c1a)):
        c1, c2, rpi = c1a[i], c2a[i], rpia[i]
        drow, srow = drows[i], srows[i]
        c[:] = 0.0
        c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8] = c1, c2, rpi, vtha[i], vla[i], vha[i], dera[i], sin[i]
        # driver resistance: the table's delay slope in capacitance, in float32 as OpenSTA
        cap1 = np.float32(c1 + c2)
        cap2 = np.float32(cap1 + np.float32(1e-15))
        q = np.float64(cap1) * 1e12
        d1 = np.float64(np.float32(lookup(ax1, ax2, n1, n2, q1, q2, val, A1, A2, drow, c[8], q) * 1e-9))
        q = np.float64(cap2) * 1e12
        d2 = np.float64(np.float32(lookup(ax1, ax2, n1, n2, q1, q2, val, A1, A2, drow, c[8], q) * 1e-9))
        dc = np.float64(np.float32(cap2 - cap1))
        rd = -np.log(c[4]) * abs(d1 - d2) / dc
        if rd != rd:
            rd = 0.0
        elif rd == np.inf:
            rd = 1.7976931348623157e308
        elif rd == -np.inf:
            rd = -1.7976931348623157e308
        c[0] = rd
        if (rd < 1e-2) or (rpi < rd * 1e-3) or (c1 == 0.0) or (c1 < c2 * 1e-3) or (rpi == 0.0):
            a = CAP
        elif c2 < c1 * 1e-3:
            a = ZERO_C2
        else:
            a = PI
        c[9], c[10] = 1.0, 1.0
        ub = c1 + c2
        ceff = c1 + c2
        t0 = 0.0
        dt = 0.0
        if a == PI:
            z1 = 1.0 / (rpi * c1)
            k0 = 1.0 / (rd * c2)
            aa = rpi * rd * c1 * c2
            bb = rd * (c1 + c2) + rpi * c1
            sq = np.sqrt(bb * bb - 4 * aa)
            p1 = (bb + sq) / (2 * aa)
            p2 = (bb - sq) / (2 * aa)
            pp = p1 * p2
            k2 = z1 / pp
            k1 = (1.0 - k2 * (p1 + p2)) / pp
            k4 = (k1 * p1 + k2) / (p2 - p1)
            c[9], c[10], c[11], c[12], c[13], c[14], c[15] = p1, p2, k0, k1, k2, -k1 - k4, k4
            zz = (c1 + c2) / (rpi * c1 * c2)
            c[16] = zz / pp
            c[17] = (zz - p1) / (p1 * (p1 - p2))
            c[18] = (zz - p2) / (p2 * (p2 - p1))
            failed = newton(tb, drow, srow, c, c1 + c2, 3, x, f, p, J)
            if failed:
                failed = newton(tb, drow, srow, c, c2, 3, x, f, p, J)
            if failed:
                a = CAP
            else:
                t0, dt, ceff = x[0], x[1], x[2]
        elif a == ZERO_C2:
            z1 = 1.0 / (rpi * c1)
            p1 = 1.0 / (c1 * (rd + rpi))
            k0 = p1 / z1
            k1 = (p1 - z1) / (p1 * p1)
            c[9], c[11], c[12], c[13], c[14] = p1, k0, k1, 1.0 / k0, -k1
            ub = c1
            ceff = c1
            failed = newton(tb, drow, srow, c, c1, 2, x, f, p, J)
            t0, dt = x[0], x[1]
            if failed:
                a = CAP
        c[19], c[20] = t0, dt
        q = ceff * 1e12
        delay = lookup(ax1, ax2, n1, n2, q1, q2, val, A1, A2, drow, c[8], q) * 1e-9
        slew = lookup(ax1, ax2, n1, n2, q1, q2, val, A1, A2, srow, c[8], q) * 1e-9
        vod = 0.0
        ok = False
        if a != CAP:
            t_up = t0 + dt + ub * (rd + rpi) * 2.0
            d, tl, th, bad = crossings(c, False, t0, t_up)
            if not bad:
                ok = True
                vod = d
                slew = (th - tl) / c[7]
                if a == ZERO_C2:
                    delay = d
        o = out[i]
        alg[o], valid[o] = a, ok
        F[o, RD], F[o, C1], F[o, C2], F[o, RPI] = rd, c1, c2, rpi
        F[o, CEFF], F[o, T0], F[o, DT], F[o, VOD], F[o, DELAY], F[o, SLEW] = ceff, t0, dt, vod, delay, slew
        F[o, VTH], F[o, VL], F[o, VH], F[o, DERATE] = c[4], c[5], c[6], c[7]
        F[o, P1], F[o, P2], F[o, K0], F[o, K1], F[o, K2], F[o, K3], F[o, K4] = c[9], c[10], c[11], c[12], \
            c[13], c[14], c[15]
        F[o, UB] = ub


@jiti
def load_one(valid, alg, F, i, el, c):
    """(wire delay, load slew) in s at a load of Elmore delay ``el`` (s) driven by the
    solution in row i of F (``c``: scratch of 27)."""
    ds = F[i, SLEW]
    if not (valid[i] and alg[i] != CAP and el != 0.0 and not (el < ds * 1e-3)):
        return el, ds
    p1, p2 = F[i, P1], F[i, P2]
    p3 = 1.0 / el
    c[4], c[5], c[6] = F[i, VTH], F[i, VL], F[i, VH]
    c[9], c[10], c[21] = p1, p2, p3
    t0, dt = F[i, T0], F[i, DT]
    c[19], c[20] = t0, dt
    kk0, kk1, kk2, kk3, kk4 = F[i, K0], F[i, K1], F[i, K2], F[i, K3], F[i, K4]
    c[22] = kk0 * (kk1 - kk2 / p3)
    c[23] = -p3 * kk0 * kk3 / (p1 - p3)
    c[24] = -p3 * kk0 * kk4 / (p2 - p3)
    c[25] = kk0 * (kk2 / p3 - kk1 + p3 * kk3 / (p1 - p3) + p3 * kk4 / (p2 - p3))
    t_up = t0 + dt + F[i, UB] * (F[i, RD] + F[i, RPI]) * 2.0 + el * 2.0
    d, tl, th, bad = crossings(c, True, t0, t_up)
    if bad:
        return el, ds
    wd = d - F[i, VOD]
    ws = (th - tl) / F[i, DERATE]
    if wd < 0.0:
        wd = el
    return wd, nmax(ws, ds)


@jit
def loads_all(valid, alg, F, arc, elmore, delay_o, slew_o):
    """(wire delay, load slew) in s of load j: Elmore delay elmore[j] (s), driver row arc[j] of F."""
    c = np.zeros(27)
    for j in range(len(arc)):
        delay_o[j], slew_o[j] = load_one(valid, alg, F, arc[j], elmore[j], c)


@jit
def group_loads(e_all, has, ver, net_version, to, orf, slot, ld_start, ld_end, net_terms, elmore, valid, alg, F,
                st_wd, st_ws, wire_delay, load_slew, changed, early, seen, old, call):
    """The wire values (ns) of every load of the stored edges ``e_all`` (rows of F;
    unique), as :meth:`finevh.timing.rcdelay.RcArcCalc._group_values` followed by
    ``_reduce_loads``: an edge whose ``ver`` is not its driver's ``net_version`` has
    its loads evaluated (``elmore`` [T * 2], ns; NaN: no wire) and kept in ``st_wd`` /
    ``st_ws`` at its slots, the others are read back; per load (flat pin, transition)
    the largest (``early``: smallest) value is written into ``wire_delay`` /
    ``load_slew`` and ``changed`` flags a load whose values differ from before.
    ``seen`` [T * 2] (int64) and ``old`` [T * 2, 2]: scratch kept between calls; a load
    is first met in this call when ``seen`` is not ``call`` (its values before are
    then kept in ``old`` and reset), so the reduction runs in the order of the loads,
    as ``numpy.maximum.at`` does."""
    n = 0
    for q in e_all:
        if has[q]:
            t = to[q]
            n += ld_end[t] - ld_start[t]
    fi = np.empty(n, dtype=np.int64)
    init = np.inf if early else -np.inf
    c = np.zeros(27)
    j = 0
    for q in e_all:
        if not has[q]:
            continue
        t = to[q]
        need = ver[q] != net_version[t]
        a = ld_start[t]
        for ld in range(a, ld_end[t]):
            f = net_terms[ld] * 2 + orf[q]
            fi[j] = f
            j += 1
            p = slot[q] + ld - a
            if need:
                el = elmore[f]
                if el != el:
                    d, s = 0.0, F[q, SLEW]
                else:
                    d, s = load_one(valid, alg, F, q, el * 1e-9, c)
                d = d * 1e9
                s = s * 1e9
                st_wd[p], st_ws[p] = d, s
            else:
                d, s = st_wd[p], st_ws[p]
            if seen[f] != call:
                seen[f] = call
                old[f, 0], old[f, 1] = wire_delay[f], load_slew[f]
                wire_delay[f], load_slew[f] = init, init
            if early:
                wire_delay[f], load_slew[f] = nmin(wire_delay[f], d), nmin(load_slew[f], s)
            else:
                wire_delay[f], load_slew[f] = nmax(wire_delay[f], d), nmax(load_slew[f], s)
        if need:
            ver[q] = net_version[t]
    for j in range(n):
        f = fi[j]
        if wire_delay[f] != old[f, 0] or load_slew[f] != old[f, 1]:
            changed[f] = True
