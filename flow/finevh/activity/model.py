"""Per-signal switching statistics read from a VCD or SAIF file."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class SignalActivity:
    """Statistics of every (bit-blasted) signal over the recorded interval.

    ``names`` are hierarchical names relative to the chosen scope, joined with ``/``
    (bus bits as ``name[i]``). Times are in ns. ``toggles`` counts 0<->1 changes;
    ``t0``/``t1``/``tx`` are times spent at 0, at 1 and unknown (x/z).
    """

    names: list[str]
    toggles: np.ndarray          # int64
    t0: np.ndarray               # float64, ns
    t1: np.ndarray               # float64, ns
    tx: np.ndarray               # float64, ns
    duration: float              # ns
    source: str = ""
    index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.index:
            self.index = {n: i for i, n in enumerate(self.names)}

    def static_probability(self) -> np.ndarray:
        """Probability of being 1 over the known (0 or 1) time; 0.5 when never known."""
        known = self.t0 + self.t1
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(known > 0, self.t1 / np.where(known > 0, known, 1.0), 0.5)

    def density_per_ns(self) -> np.ndarray:
        """Toggles per ns over the whole interval."""
        if self.duration <= 0:
            return np.zeros(len(self.names))
        return self.toggles / self.duration

    def lookup(self, name: str) -> int | None:
        return self.index.get(name)
