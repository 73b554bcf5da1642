"""The DMP driver solve and load evaluation of :mod:`finevh.timing.dmp` compiled per
arc with numba: the same equations, the same operation order and the same branch
rules, one arc at a time instead of one numpy expression per step over all arcs.

This is the hot path of timing with parasitics: about 5 µs of numpy work per arc,
about 2 µs compiled (the MAC array of ``bench/bench_sta.py``). :func:`available` says
whether numba can be used; :mod:`finevh.timing.rcdelay` falls back to the numpy
solver when it cannot (or when ``FINEVH_NO_JIT=1``).
``tests/test_timing_rc.py::test_compiled_dmp_equals_numpy_dmp_on_real_parasitics``
checks that both give bit-identical results on OpenSTA's SPEF examples.

The NLDM look-up inside (``dmp_kernels.lookup``) restates :mod:`finevh.timing.nldm` for one
query: segment ``i`` from the count of axis points ``<= q`` clipped to ``[0, n-2]``,
weight ``(q - a[i]) / (a[i+1] - a[i])`` (0 for a non-increasing segment or an axis of
one point), bilinear blend ``u1 u2 y00 + w1 u2 y10 + w1 w2 y11 + u1 w2 y01``.

Units: everything in SI (s, ohm, F) as in :mod:`finevh.timing.dmp`; the tables hold
ns and pF, so the look-up takes the input slew in ns and the capacitance in F.
Compiled functions are cached on disk by numba (``cache=True``): the first call on a
machine compiles them (seconds), later processes load them.
"""

from __future__ import annotations

import os

import numpy as np

from .dmp import FLOAT_FIELDS

_kernels = None


def available() -> bool:
    """True when the compiled kernels can be used (numba importable, not disabled)."""
    if os.environ.get("FINEVH_NO_JIT", "") not in ("", "0"):
        return False
    try:
        _get()
    except ImportError:
        return False
    return True


def _get():
    global _kernels
    if _kernels is None:
        from . import dmp_kernels

        _kernels = dmp_kernels
    return _kernels


def solve(pack, d_rows, s_rows, sin, c2, rpi, c1, vth, vl, vh, derate) -> dict:
    """Driver solution of every arc as a dict of :class:`~finevh.timing.dmp.Driver`
    fields (arrays). ``d_rows``/``s_rows``: delay / slew table rows of ``pack``;
    ``sin``: input slew (ns); pi model and thresholds as :class:`~finevh.timing.dmp.Dmp`."""
    n = len(c1)
    alg = np.zeros(n, dtype=np.int64)
    valid = np.zeros(n, dtype=np.bool_)
    F = np.zeros((n, len(FLOAT_FIELDS)))
    solve_into(pack, d_rows, s_rows, sin, c2, rpi, c1, vth, vl, vh, derate, np.arange(n), alg, valid, F)
    out = dict(zip(FLOAT_FIELDS, F.T))
    out["alg"], out["valid"] = alg, valid
    return out


def solve_into(pack, d_rows, s_rows, sin, c2, rpi, c1, vth, vl, vh, derate, out, alg, valid, F) -> None:
    """:func:`solve` of arc i written into row ``out[i]`` of ``alg`` [m] (int64),
    ``valid`` [m] (bool) and the field matrix ``F`` [m, len(FLOAT_FIELDS)] (float64,
    C order; columns in :data:`~finevh.timing.dmp.FLOAT_FIELDS` order)."""
    f8 = np.float64
    args = [np.ascontiguousarray(a, dtype=f8) for a in (sin, c2, rpi, c1, vth, vl, vh, derate)]
    _get().solve_all(pack.ax1, pack.ax2, pack.n1, pack.n2, pack.q1, pack.q2, pack.val.reshape(-1),
                     np.ascontiguousarray(d_rows, dtype=np.int64), np.ascontiguousarray(s_rows, dtype=np.int64),
                     *args, np.ascontiguousarray(out, dtype=np.int64), alg, valid, F)


def loads(drv, arc, elmore) -> tuple[np.ndarray, np.ndarray]:
    """(wire delay, load slew) in s at loads of Elmore delay ``elmore`` (s) driven by
    the solved arcs ``arc`` of ``drv`` (as :meth:`finevh.timing.dmp.Dmp.loads`)."""
    arc = np.ascontiguousarray(arc, dtype=np.int64)
    elmore = np.ascontiguousarray(elmore, dtype=np.float64)
    delay = np.empty(len(arc))
    slew = np.empty(len(arc))
    F = np.stack([np.asarray(getattr(drv, f), dtype=np.float64) for f in FLOAT_FIELDS], axis=1)
    _get().loads_all(np.ascontiguousarray(drv.valid, dtype=np.bool_), np.ascontiguousarray(drv.alg, dtype=np.int64),
                     F, arc, elmore, delay, slew)
    return delay, slew


def group_loads(*args) -> None:
    """The per-load wire values of stored edges, reduced per load (compiled
    ``dmp_kernels.group_loads``; arguments as there)."""
    _get().group_loads(*args)
