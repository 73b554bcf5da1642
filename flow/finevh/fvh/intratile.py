"""Leakage with intra-tile currents (thesis §4.1.3, Eq. 4.3), vectorised per master.

For a cell with ``n`` inputs, input pattern ``i`` (bit ``j`` of ``i`` = logic value of
input ``j``, inputs in the Liberty cell's pin order) has probability ``P_i``, nominal
state leakage ``L_i`` (library, uW) and derating ``k_i``::

    P_leak = sum_i P_i * L_i * k_i

``k_i`` comes from a LUT indexed by the pattern and by the *driver configuration*
``c``: bit ``j`` of ``c`` is 1 when input ``j`` is driven from a tile at a LOWER supply
than the cell's own (a VddL driver into a VddH cell: the receiving pMOS is not fully
off). With every driver at the cell's supply (or above it) ``c = 0`` and ``k = 1``.
"""

from __future__ import annotations

import numpy as np


def pattern_probabilities(p1: np.ndarray) -> np.ndarray:
    """float64[cells, 2**n] probabilities of every input pattern from per-input
    static probabilities ``p1`` (float[cells, n], inputs independent)."""
    p1 = np.asarray(p1, dtype=np.float64)
    cells, n = p1.shape
    pats = np.arange(1 << n)
    bits = ((pats[:, None] >> np.arange(n)[None, :]) & 1).astype(bool)      # [2^n, n]
    one = p1[:, None, :]
    probs = np.where(bits[None, :, :], one, 1.0 - one)                      # [cells, 2^n, n]
    return probs.prod(axis=2)


def driver_config(cell_vdd: np.ndarray, driver_vdd: np.ndarray) -> np.ndarray:
    """int64[cells] configuration index: bit j set when input j's driver supply is lower
    than the cell's. ``driver_vdd`` is float[cells, n]; NaN (port, constant) counts as
    not lower."""
    lower = np.nan_to_num(driver_vdd, nan=np.inf) < (np.asarray(cell_vdd)[:, None] - 1e-9)
    weights = 1 << np.arange(lower.shape[1], dtype=np.int64)
    return (lower * weights[None, :]).sum(axis=1)


def leakage_eq43(pattern_prob: np.ndarray, state_leak_uw: np.ndarray, k_table: np.ndarray,
                 config: np.ndarray) -> np.ndarray:
    """uW per cell for cells of one master.

    ``pattern_prob``: float[cells, 2**n]; ``state_leak_uw``: float[2**n] (or
    [cells, 2**n]); ``k_table``: float[2**n patterns, 2**n configs] (column 0 all ones);
    ``config``: int[cells] from :func:`driver_config`.
    """
    k = np.asarray(k_table, dtype=np.float64)[:, np.asarray(config)].T            # [cells, 2^n]
    return (pattern_prob * np.asarray(state_leak_uw, dtype=np.float64) * k).sum(axis=1)
