"""Leakage with intra-tile currents (thesis §4.1.3, Eq. 4.3), vectorised per master.

For a cell with ``n`` inputs, input pattern ``i`` has probability ``P_i``, nominal
state leakage ``L_i`` (library of the cell's own Vdd and flavour, uW) and derating
``k_i`` (intra-tile leakage LUT, :mod:`finevh.tech.lut`)::

    P_leak = sum_i P_i * L_i * k_i

One bit convention everywhere, the LUT file's (docs/tech.md): the inputs are taken
in the order of the LUT's ``cell`` line (else the Liberty cell's input pin order) and
the FIRST pin is the MOST significant bit, both of the pattern index (bit = logic
value of the pin) and of the driver-configuration index (bit = the pin's driver sits
at the OTHER supply: a VddL driver into a VddH cell, k >= 1, or a VddH driver into a
VddL cell, k <= 1). With every driver at the cell's supply the configuration is 0
and k = 1. Ports and constants never count as foreign drivers.
"""

from __future__ import annotations

import numpy as np


def pattern_bits(n: int) -> np.ndarray:
    """bool[2**n, n]: ``bits[i, j]`` = value of pin ``j`` in pattern ``i`` (pin 0 = MSB)."""
    pats = np.arange(1 << n)
    return ((pats[:, None] >> (n - 1 - np.arange(n))[None, :]) & 1).astype(bool)


def pattern_probabilities(p1: np.ndarray) -> np.ndarray:
    """float64[cells, 2**n] probability of every input pattern from per-input static
    probabilities ``p1`` (float[cells, n], inputs independent; pin 0 = MSB)."""
    p1 = np.asarray(p1, dtype=np.float64)
    cells, n = p1.shape
    bits = pattern_bits(n)                                                  # [2^n, n]
    one = p1[:, None, :]
    probs = np.where(bits[None, :, :], one, 1.0 - one)                      # [cells, 2^n, n]
    return probs.prod(axis=2)


def config_index(foreign: np.ndarray) -> np.ndarray:
    """int64[cells] configuration index from bool[cells, n] ``foreign`` (the pin's
    driver sits at the other supply); pin 0 = MSB."""
    foreign = np.asarray(foreign, dtype=bool)
    n = foreign.shape[1]
    weights = (1 << (n - 1 - np.arange(n))).astype(np.int64)
    return (foreign.astype(np.int64) * weights[None, :]).sum(axis=1)


def driver_config(cell_vdd: np.ndarray, driver_vdd: np.ndarray) -> np.ndarray:
    """Configuration index from supplies: bit of pin j set when its driver's supply
    differs from the cell's. ``driver_vdd`` is float[cells, n]; NaN (port, constant,
    no driver) never counts."""
    dv = np.asarray(driver_vdd, dtype=np.float64)
    cv = np.asarray(cell_vdd, dtype=np.float64)[:, None]
    foreign = np.isfinite(dv) & (np.abs(dv - cv) > 1e-9)
    return config_index(foreign)


def leakage_eq43(pattern_prob: np.ndarray, state_leak_uw: np.ndarray, k_table: np.ndarray,
                 config: np.ndarray) -> np.ndarray:
    """uW per cell for cells of one master and one supply side.

    ``pattern_prob``: float[cells, 2**n]; ``state_leak_uw``: float[2**n] (or
    [cells, 2**n]); ``k_table``: float[2**n patterns, 2**n configs] (column 0 all ones,
    i.e. one side of :class:`finevh.tech.lut.CellLut` ``k``); ``config``: int[cells].
    """
    k = np.asarray(k_table, dtype=np.float64)[:, np.asarray(config)].T            # [cells, 2^n]
    return (pattern_prob * np.asarray(state_leak_uw, dtype=np.float64) * k).sum(axis=1)
