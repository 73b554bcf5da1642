"""Voltage-scaling schemes compared with FINE-VH (thesis §4.1.4, Fig. 4.2, 4.10).

The design's behaviour under a uniform supply is given on a Vdd grid as arrays:
``fmax_mhz[v]`` (highest clock meeting timing at that Vdd) and a power model
``power_uw(v, f)``. Voltages in V, frequencies in MHz, power in uW.

- ideal-DVFS: the lowest grid Vdd (default 25 mV steps) whose fmax >= f;
- Vdd-Hopping: the lowest of the discrete levels (e.g. 0.6/0.8/1.0 V) whose fmax >= f;
- Vdd-Dithering: time-sharing between the two levels bounding f; its power is the
  straight line between the ideal-DVFS points (fmax(V_lo), P) and (fmax(V_hi), P);
- FINE-VH: tiles at VddL or VddH of the interval holding f (see :mod:`.vddselect`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

PowerFn = Callable[[float, float], float]   # (vdd V, f MHz) -> uW

#: a clock whose period is at most this much (ns) shorter than 1/fmax counts as met: a
#: design variant whose timing a stage kept "not worse" to the timer's slack resolution
#: (10 fs, fvh/polybias.py) may sit that far below the sweep's top clock
FMAX_ATOL_NS = 1e-5
#: ... plus this fraction of the period: two single-precision steps of the timer's
#: arrival arrays (a 500 ns period is resolved to ~30 fs)
FMAX_RTOL = 2.4e-7


def f_limit(fmax_mhz):
    """The highest clock (MHz) counted as met by a design whose fmax is ``fmax_mhz``
    (scalar or array): fmax widened by :data:`FMAX_ATOL_NS` and :data:`FMAX_RTOL` of the
    period."""
    period = 1000.0 / np.asarray(fmax_mhz, dtype=np.float64)
    return 1000.0 / (period * (1.0 - FMAX_RTOL) - FMAX_ATOL_NS)


def vdd_grid(vmin: float = 0.60, vmax: float = 1.00, step: float = 0.025) -> np.ndarray:
    """Supply grid in V, rounded to 0.1 mV so equal grids compare equal."""
    n = int(round((vmax - vmin) / step))
    return np.round(vmin + step * np.arange(n + 1), 4)


def hopping_levels(delta_v: float, vmin: float = 0.60, vmax: float = 1.00) -> np.ndarray:
    """Discrete Vdd-Hopping levels: 200 mV -> 0.6/0.8/1.0; 100 mV -> 0.6..1.0 step 0.1."""
    return vdd_grid(vmin, vmax, delta_v)


def frequency_sweep(fmax_low: float, fmax_high: float, n: int = 16) -> np.ndarray:
    """``n`` target clocks (MHz) spread evenly over (fmax(Vmin), fmax(Vmax)]: the lower
    end is excluded because there every scheme runs the whole core at Vmin."""
    return fmax_low + (fmax_high - fmax_low) * np.arange(1, n + 1) / n


def _lowest_meeting(volts: np.ndarray, fmax: np.ndarray, f: float) -> int:
    ok = np.flatnonzero(f_limit(fmax) >= f)
    if ok.size == 0:
        raise ValueError(f"{f:.3f} MHz is above fmax at the highest Vdd ({fmax.max():.3f} MHz)")
    return int(ok[np.argmin(volts[ok])])


def interval_of(levels: np.ndarray, fmax_levels: np.ndarray, f: float) -> tuple[int, int]:
    """Indices (lo, hi) of the two adjacent hopping levels with fmax(lo) < f <= fmax(hi);
    for f <= fmax(lowest level), (0, 1)."""
    hi = _lowest_meeting(levels, fmax_levels, f)
    hi = max(hi, 1)
    return hi - 1, hi


@dataclass(frozen=True)
class SchemePoint:
    f_mhz: float
    ideal_dvfs_uw: float
    ideal_vdd: float
    vdd_hopping_uw: float
    hopping_vdd: float
    vdd_dithering_uw: float
    vddl: float
    vddh: float


def evaluate_schemes(f_mhz: float, grid: np.ndarray, fmax_grid: np.ndarray, levels: np.ndarray,
                     power_uw: PowerFn) -> SchemePoint:
    """Power of ideal-DVFS, Vdd-Hopping and Vdd-Dithering at one target clock.

    ``grid``/``fmax_grid``: the fine Vdd grid and its fmax; ``levels`` must be a subset
    of ``grid`` (their fmax is looked up there)."""
    grid = np.asarray(grid, dtype=np.float64)
    fmax_grid = np.asarray(fmax_grid, dtype=np.float64)
    li = np.array([int(np.argmin(np.abs(grid - v))) for v in levels])
    if np.any(np.abs(grid[li] - levels) > 1e-6):
        raise ValueError("hopping levels must lie on the Vdd grid")
    fmax_lv = fmax_grid[li]
    i = _lowest_meeting(grid, fmax_grid, f_mhz)
    p_ideal = power_uw(float(grid[i]), f_mhz)
    h = _lowest_meeting(levels, fmax_lv, f_mhz)
    p_hop = power_uw(float(levels[h]), f_mhz)
    lo, hi = interval_of(levels, fmax_lv, f_mhz)
    f_lo, f_hi = fmax_lv[lo], fmax_lv[hi]
    if f_mhz <= f_lo:
        p_dith = power_uw(float(levels[lo]), f_mhz)
    else:
        p_a = power_uw(float(levels[lo]), float(f_lo))
        p_b = power_uw(float(levels[hi]), float(f_hi))
        p_dith = p_a + (f_mhz - f_lo) / (f_hi - f_lo) * (p_b - p_a)
    return SchemePoint(float(f_mhz), p_ideal, float(grid[i]), p_hop, float(levels[h]), p_dith,
                       float(levels[lo]), float(levels[hi]))


def ideal_curve(f_mhz: float, fmax_grid: np.ndarray, p_at_fmax_uw: np.ndarray) -> float:
    """Ideal-DVFS power (uW) at ``f_mhz`` on the line through the operating points
    ``(fmax(V), P(V, fmax(V)))`` of the fine Vdd grid (thesis §4.1.4: "for each Vdd, the
    maximum frequency is extracted and set as the working frequency"; Fig. 4.10's
    dashed line). Between two grid points the line is what time-sharing those two
    points gives, so it lies at or below the 25 mV staircase of
    :func:`evaluate_schemes`: the stricter reference. ``fmax_grid`` must increase."""
    fm = np.asarray(fmax_grid, dtype=np.float64)
    p = np.asarray(p_at_fmax_uw, dtype=np.float64)
    if f_mhz > f_limit(fm[-1]):
        raise ValueError(f"{f_mhz:.3f} MHz is above fmax at the highest Vdd ({fm[-1]:.3f} MHz)")
    if np.any(np.diff(fm) <= 0):
        raise ValueError("fmax must increase with Vdd on the grid")
    return float(np.interp(f_mhz, fm, p))


def dithering_curve(f_mhz: float, levels: np.ndarray, fmax_levels: np.ndarray, p_levels_at_fmax: np.ndarray) -> float:
    """Vdd-Dithering power (uW): the straight line between the ideal-DVFS points of the
    two hopping levels bounding ``f_mhz`` (thesis §4.1.4)."""
    lo, hi = interval_of(np.asarray(levels), np.asarray(fmax_levels), f_mhz)
    f0, f1 = float(fmax_levels[lo]), float(fmax_levels[hi])
    p0, p1 = float(p_levels_at_fmax[lo]), float(p_levels_at_fmax[hi])
    if f_mhz <= f0:
        return p0
    return p0 + (f_mhz - f0) / (f1 - f0) * (p1 - p0)
