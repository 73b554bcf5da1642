"""Checks of numeric input values, shared by the file readers and the CLI.

Every check returns the value as a ``float`` (or ``int``) when it is acceptable and
otherwise raises :class:`~finevh.errors.InputError` located at ``path``/``line``
(either may be None, e.g. for a command-line option). ``what`` names the value in
the message (``"--clock-mhz"``, ``"set_load value"``, ``"TC of net 'a'"``).

NaN and infinities are never accepted: a NaN propagates silently through the
arithmetic of timing and power and ends as a wrong number or a dropped endpoint.
"""

from __future__ import annotations

import math
from pathlib import Path

from .errors import InputError

__all__ = ["number", "finite", "finite_nonneg", "finite_pos", "probability", "count", "activity_duty",
           "MAX_BITS"]

#: Widest bus, constant, replication or VCD variable finevh expands bit by bit. The
#: netlist and activity models hold one entry per bit; wider objects are rejected
#: with a clear error instead of exhausting memory.
MAX_BITS = 1 << 20


def number(text, what: str, path: str | Path | None = None, line: int | None = None) -> float:
    """``text`` (a string or a number) as a float; a non-number is an error (NaN and
    infinities are converted, not judged: use :func:`finite` for that)."""
    if isinstance(text, bool):
        raise InputError(f"{what}: expected a number, got {text!r}", path, line)
    try:
        return float(text)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{what}: expected a number, got '{text}'", path, line) from None


def finite(value, what: str, path: str | Path | None = None, line: int | None = None) -> float:
    """A finite number (negative allowed)."""
    v = number(value, what, path, line)
    if not math.isfinite(v):
        raise InputError(f"{what}: a finite number is expected, got {_show(value)}", path, line)
    return v


def finite_nonneg(value, what: str, path: str | Path | None = None, line: int | None = None) -> float:
    """A finite number >= 0."""
    v = finite(value, what, path, line)
    if v < 0:
        raise InputError(f"{what}: must be >= 0, got {_show(value)}", path, line)
    return v


def finite_pos(value, what: str, path: str | Path | None = None, line: int | None = None) -> float:
    """A finite number > 0."""
    v = finite(value, what, path, line)
    if v <= 0:
        raise InputError(f"{what}: must be > 0, got {_show(value)}", path, line)
    return v


def probability(value, what: str, path: str | Path | None = None, line: int | None = None) -> float:
    """A number within [0, 1]."""
    v = finite(value, what, path, line)
    if not 0.0 <= v <= 1.0:
        raise InputError(f"{what}: must be within [0, 1], got {_show(value)}", path, line)
    return v


def count(value, what: str, path: str | Path | None = None, line: int | None = None,
          maximum: int = 1 << 62) -> int:
    """A whole number within [0, maximum] (``"12"``, ``12`` and ``12.0`` are accepted)."""
    v = finite_nonneg(value, what, path, line)
    if v != int(v):
        raise InputError(f"{what}: a whole number is expected, got {_show(value)}", path, line)
    if v > maximum:
        raise InputError(f"{what}: {_show(value)} is out of range (at most {maximum})", path, line)
    return int(v)


def activity_duty(pair, what: str) -> tuple[float, float]:
    """``(activity, duty)`` of a command-line option: activity (transitions per clock
    cycle) finite and >= 0, duty (probability of 1) within [0, 1]."""
    a, d = pair
    a = finite_nonneg(a, f"{what} activity")
    d = finite(d, f"{what} duty")
    if not 0.0 <= d <= 1.0:
        raise InputError(f"{what}: activity must be >= 0 and duty within [0, 1], got duty {_show(d)}")
    return a, d


def _show(value) -> str:
    return repr(value) if isinstance(value, str) else f"{value}"
