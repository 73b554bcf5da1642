"""Internal-energy sums compiled with numba: the hot loop of :class:`finevh.power.analysis._EnergySum`.

Per query ``k``: the NLDM look-up of pack row ``rows[k]`` at input slew ``slew[k]``
(ns) and load ``load[k]`` (pF), the same rule and operation order as
:func:`finevh.timing.nldm.lookup` (the kernel in :mod:`finevh.power.energy_kernels` calls ``timing.dmp_kernels.lookup``), times
``weight[k]`` (transitions per ns x duty) times ``scale``, added to ``out[insts[k]]``
one query after the other in the order given, as ``np.add.at`` adds them. So the sums
are bit-identical to the numpy path
(``tests/test_power.py::test_compiled_energy_sum_equals_numpy``), without the look-up's
temporaries (a few hundred bytes per query) or ``np.add.at``'s cost.

:func:`usable` says whether to take this path: numba importable, ``FINEVH_NO_JIT``
unset, and a batch of at least :data:`MIN_QUERIES` queries (smaller batches stay in
numpy, so a small design's power analysis does not load numba and its cached code).
"""

from __future__ import annotations

import numpy as np

#: a batch smaller than this stays in numpy
MIN_QUERIES = 1 << 17

_kernel = None


def usable(n_queries: int) -> bool:
    """True when a batch of ``n_queries`` look-ups should run compiled."""
    if n_queries < MIN_QUERIES:
        return False
    from ..timing import dmp_jit

    if not dmp_jit.available():
        return False
    _get()
    return True


def _get():
    global _kernel
    if _kernel is None:
        from .energy_kernels import energy_add

        _kernel = energy_add
    return _kernel


def energy_add(pack, rows: np.ndarray, slew: np.ndarray, load: np.ndarray, weight: np.ndarray,
               insts: np.ndarray, scale: float, out: np.ndarray) -> None:
    """``out[insts[k]] += lookup(pack, rows[k]; slew[k], load[k]) * weight[k] * scale``
    for every ``k`` in order (``out`` float64, changed in place)."""
    A1, A2 = int(pack.val.shape[1]), int(pack.val.shape[2])
    f8, i8 = np.float64, np.int64
    _get()(pack.ax1, pack.ax2, pack.n1, pack.n2, pack.q1, pack.q2, pack.val.reshape(-1), A1, A2,
           np.ascontiguousarray(rows, dtype=i8), np.ascontiguousarray(slew, dtype=f8),
           np.ascontiguousarray(load, dtype=f8), np.ascontiguousarray(weight, dtype=f8),
           np.ascontiguousarray(insts, dtype=i8), float(scale), out)
