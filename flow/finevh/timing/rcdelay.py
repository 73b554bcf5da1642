"""The RC delay calculator (OpenSTA's default ``dmp_ceff_elmore``) as an
:class:`~finevh.timing.dcalc.ArcDelayCalc`.

For an arc driving a net with SPEF parasitics: the net's pi model seen from the
driver (per output transition, with the load pins' capacitances) gives the effective
capacitance, gate delay and driver slew (:mod:`finevh.timing.dmp`); every load of
the net then gets a wire delay and a load slew from its Elmore delay through the
driver's waveform. Per load the worst (late search: largest) wire delay and slew
over the arcs into the driver are kept in :attr:`RcArcCalc.wire_delay` /
:attr:`RcArcCalc.load_slew` [T, 2]; the delay calculation adds them to the arcs
leaving the load pin. Arcs driving a net without parasitics use the lumped load.
Units at the interface: ns, pF.

Limits: the wire values of a driver are rewritten from the arcs of one evaluation
call (a level), so the search must recompute all arcs into a driver together (full
passes: :attr:`supports_incremental` is False); the library thresholds of the
driver's library are used for the loads too (OpenSTA converts between the driver's
and load's library thresholds when they differ).
"""

from __future__ import annotations

import numpy as np

from .dmp import Dmp
from .nldm import lookup_pair
from .rcnet import DesignRc, reduce_design


class RcArcCalc:
    """dmp_ceff_elmore arc delays on the SPEF networks ``rc`` of ``design``."""

    supports_incremental = False

    def __init__(self, design, rc: DesignRc, n_terms: int):
        self.design = design
        self.rc = rc
        T = n_terms
        self.wire_delay = np.zeros((T, 2))
        self.load_slew = np.full((T, 2), np.nan)      # NaN: the driver's slew
        self._caps: np.ndarray | None = None
        self.pi = np.full((T, 2, 3), np.nan)
        self.elmore = np.full((T, 2), np.nan)
        # thresholds per terminal (of its cell's library) per transition
        nl = design.netlist
        libs = {lib.name: lib for lib in design.libset.libraries}
        P = int(nl.pin_ptr[-1])
        inst_of = np.repeat(np.arange(nl.n_instances), np.diff(nl.pin_ptr))
        th = np.zeros((T, 2, 4))
        default = design.libset.libraries[0]
        per_cell = []
        for c in design.cells:
            lib = libs.get(getattr(c, "library", None), default)
            per_cell.append(_thresholds(lib))
        per_cell = np.array(per_cell) if per_cell else np.zeros((0, 2, 4))
        th[:P] = per_cell[np.asarray(design.inst_cell)[inst_of]] if P else th[:P]
        th[P:] = _thresholds(default)
        self.th = th
        # net structure: loads of the net of each driving terminal
        ptr = design.net_term_ptr
        nd = np.asarray(design.net_n_drivers)
        self._ld_start = np.zeros(T, dtype=np.int64)
        self._ld_end = np.zeros(T, dtype=np.int64)
        for m in range(len(ptr) - 1):
            for t in design.net_terms[ptr[m]:ptr[m] + nd[m]].tolist():
                self._ld_start[t] = ptr[m] + nd[m]
                self._ld_end[t] = ptr[m + 1]

    def set_pin_caps(self, caps: np.ndarray) -> None:
        """Pin capacitances [T, 2] (pF, port loads included) of the current binding:
        reduce the networks again when they changed."""
        if self._caps is not None and self._caps.shape == caps.shape and np.array_equal(self._caps, caps):
            return
        self._caps = caps.copy()
        self.pi, self.elmore = reduce_design(self.design, self.rc, caps)

    def gate_delays(self, pack, delay_rows, slew_rows, in_slew, drv, out_rf, load):
        delay, slew = lookup_pair(pack, delay_rows, slew_rows, in_slew, load[drv, out_rf])
        pm = self.pi[drv, out_rf]
        rc = np.nonzero(~np.isnan(pm[:, 0]))[0]
        if not len(rc):
            return delay, slew
        d_rows, s_rows, sin = delay_rows[rc], slew_rows[rc], np.asarray(in_slew, dtype=np.float64)[rc]
        sin = sin.astype(np.float32).astype(np.float64)

        def gate(idx, ceff):
            d, s = lookup_pair(pack, d_rows[idx], s_rows[idx], sin[idx], ceff * 1e12)
            return d * 1e-9, s * 1e-9

        th = self.th[drv[rc], out_rf[rc]]
        dmp = Dmp(gate, pm[rc, 0] * 1e-12, pm[rc, 1] * 1e3, pm[rc, 2] * 1e-12, th[:, 0], th[:, 1], th[:, 2], th[:, 3])
        res = dmp.solve()
        delay[rc] = res.delay * 1e9
        slew[rc] = res.slew * 1e9
        # wire delays and load slews of the nets driven, worst over this call's arcs
        d_t = drv[rc]
        cnt = self._ld_end[d_t] - self._ld_start[d_t]
        arc = np.repeat(np.arange(len(rc)), cnt)
        if not len(arc):
            return delay, slew
        first = np.repeat(self._ld_start[d_t] - np.concatenate([[0], np.cumsum(cnt)[:-1]]), cnt)
        ld = self.design.net_terms[first + np.arange(len(arc))]
        orf = out_rf[rc][arc]
        el = self.elmore[ld, orf]
        has = ~np.isnan(el)
        wd = np.zeros(len(arc))
        ws = res.slew[arc].copy()
        if has.any():
            wd[has], ws[has] = dmp.loads(res, arc[has], el[has] * 1e-9)
        wd *= 1e9
        ws *= 1e9
        self.wire_delay[ld, orf] = -np.inf
        self.load_slew[ld, orf] = -np.inf
        np.maximum.at(self.wire_delay, (ld, orf), wd)
        np.maximum.at(self.load_slew, (ld, orf), ws)
        return delay, slew


def _thresholds(lib) -> np.ndarray:
    """[2, 4] (vth, vl, vh, slew derate) per output transition (rise, fall)."""
    return np.array([[lib.output_threshold_pct_rise / 100, lib.slew_lower_threshold_pct_rise / 100,
                      lib.slew_upper_threshold_pct_rise / 100, lib.slew_derate_from_library],
                     [lib.output_threshold_pct_fall / 100, lib.slew_lower_threshold_pct_fall / 100,
                      lib.slew_upper_threshold_pct_fall / 100, lib.slew_derate_from_library]])
