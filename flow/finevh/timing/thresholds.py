"""Slew and delay thresholds between libraries (OpenSTA's ``thresholdAdjust``).

A Liberty library measures slews between its lower and upper slew thresholds (e.g.
20-80 % or 30-70 %) and delays between its output and input thresholds. Where a net
driven by a cell of one library loads a pin of a cell of another (an SRAM macro's
library among standard cells), OpenSTA converts the driver's slew and the wire delay
to the load library's thresholds, at every such load pin:

- wire delay += slew x (load input threshold - driver output threshold) / driver slew
  span (added for a rising, subtracted for a falling transition);
- slew x= (load slew span / load slew derate) / (driver slew span / driver slew derate).

Ports belong to the first library read (OpenSTA's default library). Libraries with
equal thresholds change nothing; a design whose cells all come from one library (or
libraries with one set of thresholds) has no adjustment at all. Times ns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ThresholdAdjust:
    """Per terminal and transition: the slew factor (1 where nothing changes) and the
    wire delay per unit of (unadjusted) load slew (0 where nothing changes)."""

    ratio: np.ndarray          # [T, 2]
    vth: np.ndarray            # [T, 2]

    def slew(self, s: np.ndarray, t: np.ndarray, rf) -> np.ndarray:
        """Slews ``s`` at the load pins ``t`` (transitions ``rf``) in the load's thresholds."""
        return s * self.ratio[t, rf]

    def delay(self, s: np.ndarray, t: np.ndarray, rf) -> np.ndarray:
        """Wire delay (ns) added at the load pins ``t`` for unadjusted slews ``s``."""
        return s * self.vth[t, rf]


def _params(lib) -> np.ndarray:
    """[rf, (slew span, slew derate, input threshold, output threshold)] of a library (fractions)."""
    d = float(getattr(lib, "slew_derate_from_library", 1.0) or 1.0)
    out = np.zeros((2, 4))
    for rf, s in enumerate(("rise", "fall")):
        lo = getattr(lib, f"slew_lower_threshold_pct_{s}", 20.0)
        hi = getattr(lib, f"slew_upper_threshold_pct_{s}", 80.0)
        out[rf] = ((hi - lo) / 100.0, d, getattr(lib, f"input_threshold_pct_{s}", 50.0) / 100.0,
                   getattr(lib, f"output_threshold_pct_{s}", 50.0) / 100.0)
    return out


def threshold_adjust(design, src_of_term: np.ndarray, n_pins: int) -> ThresholdAdjust | None:
    """The adjustment of ``design`` under its current binding (None when no load pin
    needs one); ``src_of_term``: the driver of every terminal's net (-1 none)."""
    libset = getattr(design, "libset", None)
    libs = list(getattr(libset, "libraries", []) or [])
    if len(libs) < 2:
        return None
    params = np.array([_params(lib) for lib in libs])              # [L, 2, 4]
    if np.all(params == params[0]):
        return None
    index = {lib.name: i for i, lib in enumerate(libs)}
    cell_lib = np.array([index.get(c.library, 0) for c in design.cells], dtype=np.int64)
    T = len(src_of_term)
    nl = design.netlist
    inst_of_pin = np.repeat(np.arange(nl.n_instances, dtype=np.int64), np.diff(nl.pin_ptr))
    term_lib = np.zeros(T, dtype=np.int64)                         # ports: the first library
    term_lib[:n_pins] = cell_lib[np.asarray(design.inst_cell)[inst_of_pin]]
    ld = np.nonzero((src_of_term >= 0) & (src_of_term != np.arange(T)))[0]
    dl, ll = term_lib[src_of_term[ld]], term_lib[ld]
    ld, dl, ll = ld[dl != ll], dl[dl != ll], ll[dl != ll]
    if not len(ld):
        return None
    ratio = np.ones((T, 2))
    vth = np.zeros((T, 2))
    for rf, sign in ((0, 1.0), (1, -1.0)):
        pd, pl = params[dl, rf], params[ll, rf]
        vth[ld, rf] = sign * (pl[:, 2] - pd[:, 3]) / pd[:, 0]
        ratio[ld, rf] = (pl[:, 0] / pl[:, 1]) / (pd[:, 0] / pd[:, 1])
    if np.all(ratio == 1.0) and not vth.any():
        return None
    return ThresholdAdjust(ratio, vth)
