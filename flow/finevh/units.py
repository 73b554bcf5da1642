"""Canonical units of every quantity held in memory. One source of truth.

Readers convert to these units once, at the edge; analyses never convert.

========== ======= =========================================================
quantity   unit    note
========== ======= =========================================================
time       ns      delays, slews, clock periods, setup/hold constraints
capacitance pF     pin, wire and load capacitance
resistance kOhm    so that kOhm * pF = ns
voltage    V
current    mA
power      uW      leakage, average power figures
energy     pJ      Liberty internal_power table values (energy per transition)
area       um^2
length     um      placement coordinates, wire length
frequency  MHz
========== ======= =========================================================
"""

from __future__ import annotations

import re

TIME = "ns"
CAPACITANCE = "pF"
RESISTANCE = "kOhm"
VOLTAGE = "V"
CURRENT = "mA"
POWER = "uW"
ENERGY = "pJ"
AREA = "um^2"
LENGTH = "um"
FREQUENCY = "MHz"

_SI_PREFIX = {"f": 1e-15, "p": 1e-12, "n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1.0, "k": 1e3, "M": 1e6}
_UNIT_RE = re.compile(r"^\s*([0-9.eE+-]+)\s*([A-Za-z]+)\s*$")


def si_scale(text: str, base: str) -> float:
    """SI value of one unit written as in Liberty/SDC: ``si_scale("1ps", "s") == 1e-12``,
    ``si_scale("1kohm", "ohm") == 1e3``, ``si_scale("1ff", "f") == 1e-15``.
    Raises ValueError on anything else."""
    m = _UNIT_RE.match(text)
    if not m or not m.group(2).lower().endswith(base.lower()):
        raise ValueError(f"bad unit '{text}' (expected ...{base})")
    prefix = m.group(2)[: len(m.group(2)) - len(base)]
    if prefix not in _SI_PREFIX:
        prefix = prefix.lower()
    if prefix not in _SI_PREFIX:
        raise ValueError(f"bad unit prefix in '{text}'")
    return float(m.group(1)) * _SI_PREFIX[prefix]


def library_time_unit_ns(time_unit: str) -> float:
    """A Liberty ``time_unit`` (e.g. "1ps") in ns."""
    return si_scale(time_unit, "s") / 1e-9


def library_cap_unit_pf(cap_unit: str) -> float:
    """A Liberty ``capacitive_load_unit`` as stored by the reader (e.g. "1ff") in pF."""
    return si_scale(cap_unit, "f") / 1e-12


def mhz_to_period_ns(f_mhz: float) -> float:
    return 1e3 / f_mhz


def period_ns_to_mhz(period_ns: float) -> float:
    return 1e3 / period_ns
