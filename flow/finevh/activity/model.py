"""Per-signal switching statistics read from a VCD or SAIF file."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class SignalActivity:
    """Statistics of every (bit-blasted) signal over the recorded interval.

    ``names`` are hierarchical names relative to the chosen scope, joined with ``/``
    (bus bits as ``name[i]``). Times are in ns. ``toggles`` counts 0<->1 changes;
    ``xtoggles`` the changes into or out of x/z (a VCD's first value excluded; None:
    none known, as in SAIF where ``TC`` holds every transition); ``t0``/``t1``/``tx``
    are times spent at 0, at 1 and unknown (x/z).
    """

    names: list[str]
    toggles: np.ndarray          # int64
    t0: np.ndarray               # float64, ns
    t1: np.ndarray               # float64, ns
    tx: np.ndarray               # float64, ns
    duration: float              # ns
    source: str = ""
    index: dict[str, int] = field(default_factory=dict)
    xtoggles: np.ndarray | None = None   # int64

    def __post_init__(self) -> None:
        if not self.index:
            self.index = {n: i for i, n in enumerate(self.names)}

    def static_probability(self) -> np.ndarray:
        """Probability of being 1: time at 1 over the whole interval (OpenSTA 3.x
        ``read_vcd``/``read_saif``: x/z time counts as not 1)."""
        if self.duration <= 0:
            return np.full(len(self.names), 0.5)
        return self.t1 / self.duration

    def density_per_ns(self) -> np.ndarray:
        """Transitions per ns over the whole interval; a change into or out of x/z
        counts one half (OpenSTA 3.x)."""
        if self.duration <= 0:
            return np.zeros(len(self.names))
        n = self.toggles.astype(np.float64)
        if self.xtoggles is not None:
            n = n + 0.5 * self.xtoggles
        return n / self.duration

    def lookup(self, name: str) -> int | None:
        return self.index.get(name)
