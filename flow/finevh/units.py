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

# Scale factors from SI-prefixed unit strings to the canonical units above.
_TIME_TO_NS = {"1ps": 1e-3, "10ps": 1e-2, "100ps": 1e-1, "1ns": 1.0, "10ns": 10.0, "100ns": 100.0, "1us": 1e3}
_PREFIX = {"f": 1e-15, "p": 1e-12, "n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1.0, "k": 1e3}


def prefix_scale(prefix: str) -> float:
    """SI prefix ('f', 'p', 'n', 'u', 'm', '', 'k') to a multiplier."""
    return _PREFIX[prefix]


def mhz_to_period_ns(f_mhz: float) -> float:
    return 1e3 / f_mhz


def period_ns_to_mhz(period_ns: float) -> float:
    return 1e3 / period_ns
