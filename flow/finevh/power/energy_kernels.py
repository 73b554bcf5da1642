"""Compiled kernel of :mod:`finevh.power.energy_jit` (importing this module imports
numba; compiled on first use and cached on disk)."""

from ..timing.dmp_kernels import jit, lookup


@jit
def energy_add(ax1, ax2, n1, n2, q1, q2, val, A1, A2, rows, slew, load, weight, insts, scale, out):
    for k in range(rows.shape[0]):
        e = lookup(ax1, ax2, n1, n2, q1, q2, val, A1, A2, rows[k], slew[k], load[k])
        out[insts[k]] += e * weight[k] * scale
