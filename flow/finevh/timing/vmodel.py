"""Voltage models: a cell's table entries at a supply between two characterised ones.

Every function takes the values ``y0`` at ``v0`` and ``y1`` at ``v1`` (numpy arrays of
the same shape, any unit) and returns the values at ``v`` (``v0 < v < v1``, volts).
Every model passes exactly through both end points; they differ in the curve between.

``linear`` (safe)
    ``(1 - a) * y0 + a * y1`` with ``a = (v - v0) / (v1 - v0)`` for every quantity.
    Delay, transition and leakage are convex in V, so this over-estimates them
    between libraries (pessimistic).

``alpha`` (accurate, the default)
    - delay, transition and timing-constraint entries: the alpha-power law
      ``y = k * V / (V - Vt)**alpha`` (Sakurai-Newton) with ``alpha`` fixed
      (:data:`ALPHA`) and ``k``, ``Vt`` solved per table entry from the two end points;
      equivalently ``ln(y / V)`` is interpolated linearly in ``ln(V - Vt)``;
    - leakage (state values and ``cell_leakage_power``): ``ln(y)`` linear in V
      (sub-threshold leakage grows exponentially with V through DIBL);
    - internal energy per transition: ``ln(y)`` linear in ``ln(V)`` (a power law,
      ``E ~ C V**2`` for the switched part);
    - pin capacitances: linear.
    An entry whose two values are not both positive (negative constraints, negative
    internal energy) falls back to ``linear``; so does a delay entry that does not fall
    as V rises, or falls too little for a ``Vt`` below ``v0`` to exist.

Measured errors against real held-back libraries are in docs/liberty.md.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError

MODELS = ("alpha", "linear")
DEFAULT_MODEL = "alpha"
ALPHA = 1.5          # velocity-saturation index of the alpha-power law (dimensionless)
VT_MAX = 0.95        # solved Vt kept below VT_MAX * v0 (the model's pole stays outside)


def check_model(name: str) -> str:
    """``name`` if it is a known model, else :class:`InputError`."""
    if name not in MODELS:
        raise InputError(f"unknown voltage interpolation model '{name}' (expected one of {', '.join(MODELS)})")
    return name


def linear(y0, y1, v0: float, v1: float, v: float) -> np.ndarray:
    """``(1 - a) * y0 + a * y1``, ``a = (v - v0) / (v1 - v0)``."""
    a = (v - v0) / (v1 - v0)
    return (1.0 - a) * np.asarray(y0, dtype=np.float64) + a * np.asarray(y1, dtype=np.float64)


def _log_between(y0, y1, x0, x1, x) -> np.ndarray:
    """``exp`` of ``ln y`` interpolated linearly in ``x`` (arrays ``x0``, ``x1``, ``x``
    broadcast with ``y0``); all ``y`` must be positive."""
    a = (x - x0) / (x1 - x0)
    return np.exp((1.0 - a) * np.log(y0) + a * np.log(y1))


def _positive(y0, y1):
    y0 = np.asarray(y0, dtype=np.float64)
    y1 = np.asarray(y1, dtype=np.float64)
    return y0, y1, (y0 > 0) & (y1 > 0)


def solve_vt(y0, y1, v0: float, v1: float, alpha: float = ALPHA) -> np.ndarray:
    """``Vt`` (V) per entry such that ``y ~ V / (V - Vt)**alpha`` gives ``y0`` at ``v0`` and
    ``y1`` at ``v1`` (positive values); NaN where no ``Vt`` below ``v0`` does."""
    with np.errstate(all="ignore"):
        q = ((y0 / v0) / (y1 / v1)) ** (1.0 / alpha)     # (v1 - Vt) / (v0 - Vt)
        vt = (q * v0 - v1) / (q - 1.0)
    return np.where(q > 1.0, vt, np.nan)


def delay(y0, y1, v0: float, v1: float, v: float, alpha: float = ALPHA) -> np.ndarray:
    """Delay-like entries (ns) at ``v``: alpha-power law, ``Vt`` per entry (module doc)."""
    y0, y1, ok = _positive(y0, y1)
    ok &= y1 < y0
    out = linear(y0, y1, v0, v1, v)
    if not ok.any():
        return out
    vt = solve_vt(y0[ok], y1[ok], v0, v1, alpha)
    good = np.isfinite(vt)
    vt = np.minimum(np.where(good, vt, 0.0), VT_MAX * v0)
    vals = v * _log_between(y0[ok] / v0, y1[ok] / v1, np.log(v0 - vt), np.log(v1 - vt), np.log(v - vt))
    out[ok] = np.where(good, vals, out[ok])
    return out


def leakage(y0, y1, v0: float, v1: float, v: float) -> np.ndarray:
    """Leakage (uW) at ``v``: ``ln(y)`` linear in V."""
    y0, y1, ok = _positive(y0, y1)
    out = linear(y0, y1, v0, v1, v)
    out[ok] = _log_between(y0[ok], y1[ok], v0, v1, v)
    return out


def energy(y0, y1, v0: float, v1: float, v: float) -> np.ndarray:
    """Internal energy per transition (pJ) at ``v``: ``ln(y)`` linear in ``ln(V)``."""
    y0, y1, ok = _positive(y0, y1)
    out = linear(y0, y1, v0, v1, v)
    out[ok] = _log_between(y0[ok], y1[ok], np.log(v0), np.log(v1), np.log(v))
    return out


KINDS = ("delay", "leakage", "energy", "capacitance")


def interpolate(kind: str, y0, y1, v0: float, v1: float, v: float, model: str = DEFAULT_MODEL) -> np.ndarray:
    """Values of quantity ``kind`` (one of :data:`KINDS`) at ``v`` under ``model``."""
    if model == "linear" or kind == "capacitance":
        return linear(y0, y1, v0, v1, v)
    if model != "alpha":
        check_model(model)
    shape = np.shape(y0)
    fn = {"delay": delay, "leakage": leakage, "energy": energy}[kind]
    return fn(np.atleast_1d(y0), np.atleast_1d(y1), v0, v1, v).reshape(shape)
