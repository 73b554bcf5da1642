"""Typed results of a characterisation (canonical units: ns, pF, nW)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .deck import Conditions
from .spec import Arc, CellSpec


@dataclass
class ArcTables:
    """NLDM tables of one arc over ``slews`` (ns) x ``loads`` (pF); None when the arc
    has no such edge (a clear arc only falls)."""

    arc: Arc
    slews: np.ndarray
    loads: np.ndarray
    cell_rise: np.ndarray | None = None
    cell_fall: np.ndarray | None = None
    rise_transition: np.ndarray | None = None
    fall_transition: np.ndarray | None = None


@dataclass
class ConstraintTables:
    """Setup or hold (``kind``) of ``pin`` against the rising ``clock``: ``rise`` /
    ``fall`` for a rising / falling ``pin``, over clock slew (rows) x pin slew (ns)."""

    pin: str
    clock: str
    kind: str
    clock_slews: np.ndarray
    pin_slews: np.ndarray
    rise: np.ndarray
    fall: np.ndarray


@dataclass
class CellResult:
    spec: CellSpec
    name: str                                   # cell name as written (flavour suffix included)
    cond: Conditions
    pin_cap: dict[str, tuple[float, float]]     # pin -> (rise, fall) capacitance, pF
    leakage: list[tuple[str, float]]            # (when, nW)
    arcs: list[ArcTables] = field(default_factory=list)
    constraints: list[ConstraintTables] = field(default_factory=list)
    seconds: float = 0.0                        # wall time, s
    cpu_seconds: float = 0.0                    # ngspice CPU (user) time, s

    @property
    def leakage_mean(self) -> float:
        return float(np.mean([v for _w, v in self.leakage])) if self.leakage else 0.0
