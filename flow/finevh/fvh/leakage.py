"""Leakage of a whole design with intra-tile currents (thesis Eq. 4.3) for any
per-instance supply assignment, vectorised per (master, flavour) group.

Per instance ``c`` with inputs ``j = 0..n-1`` (LUT pin order, pin 0 = MSB, see
:mod:`.intratile`)::

    P_leak(c) = sum_i P_i(c) * L_i(V_c, flavour_c) * k_i(pair, flavour_c, side_c, config_c)

* ``P_i``: product of the static probabilities (duty) of the nets on the inputs
  (activity engine: propagated, VCD or SAIF), inputs independent;
* ``L_i``: the library's state-dependent leakage (``leakage_power`` groups whose
  ``when`` holds for pattern ``i``; ``when`` terms on non-input pins — internal state —
  are averaged over both values; a cell with no conditional group uses its
  unconditional groups, else ``cell_leakage_power``) of the cell's twin at its own
  supply and flavour; supplies between characterised libraries are interpolated
  (:func:`finevh.timing.binding.interpolated_cell`);
* ``k_i``: the LUT of the (VddL, VddH) pair: side ``H`` or ``L`` by the cell's
  supply, configuration bit j set when the driver instance of input j sits at the
  other supply. k = 1 with a uniform supply, for cells or pairs absent from the LUT
  (warned once per master), and when no LUT is given (a "unit LUT").

Units: V, uW.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import progress
from ..activity import expr as bx
from ..activity.propagate import pin_conns, topology
from ..timing.binding import interpolated_cell
from .intratile import config_index, pattern_bits, pattern_probabilities

MAX_INPUTS = 8


@dataclass
class _Master:
    cell: object                 # base Liberty cell (the binding at construction)
    insts: np.ndarray            # int64[g]
    pins: tuple[str, ...]        # input pins, bit order (pin 0 = MSB)
    prob: np.ndarray             # float64[g, 2^n]
    drivers: np.ndarray          # int64[g, n] driver instance of each input, -1 none


def state_leakage(cell, pins: tuple[str, ...]) -> np.ndarray:
    """float64[2**n] leakage (uW) of ``cell`` for every pattern of ``pins`` (pin 0 = MSB)."""
    n = len(pins)
    bits = pattern_bits(n)
    out = np.zeros(1 << n)
    cond = [s for s in cell.leakage if s.when]
    if not cond:
        dflt = [s for s in cell.leakage if not s.when]
        if dflt:
            out += sum(s.value for s in dflt)
        elif cell.cell_leakage_power is not None:
            out += cell.cell_leakage_power
        return out
    for s in cond:
        e = bx.parse(s.when)
        extra = sorted(v for v in e.variables() if v not in pins)
        env_base = {p: bits[:, j] for j, p in enumerate(pins)}
        acc = np.zeros(1 << n)
        for combo in range(1 << len(extra)):
            env = dict(env_base)
            for b, v in enumerate(extra):
                env[v] = np.full(1 << n, bool((combo >> b) & 1))
            acc += np.broadcast_to(bx.eval_bool(e, env, shape=(1 << n,)), (1 << n,)).astype(np.float64)
        out += s.value * acc / (1 << len(extra))
    for s in cell.leakage:
        if not s.when:
            out += s.value
    return out


class DesignLeakage:
    """Eq. 4.3 over a design; build it while the design is bound to its base cells.

    ``net_duty``: float[M] static probability of every net (activity engine).
    ``lut``: :class:`finevh.tech.lut.LeakageLut` or None (k = 1 everywhere).
    """

    def __init__(self, design, net_duty: np.ndarray, lut=None):
        self.design = design
        self.libset = design.libset
        self.lut = lut
        self.n = design.n_instances
        top = topology(design)
        P = design.n_pins
        pin_inst = design.pin_inst
        net_driver = top.net_driver
        duty = np.asarray(net_duty, dtype=np.float64)
        self.masters: list[_Master] = []
        for ci in np.unique(design.inst_cell).tolist():
            insts = np.nonzero(design.inst_cell == ci)[0].astype(np.int64)
            cell = design.cells[ci]
            pins = self._pins(cell)
            if len(pins) > MAX_INPUTS:
                progress.warn(f"{cell.name}: {len(pins)} inputs; Eq. 4.3 uses the first {MAX_INPUTS} only")
                pins = pins[:MAX_INPUTS]
            g = insts.size
            p1 = np.full((g, len(pins)), 0.5)
            drv = np.full((g, len(pins)), -1, dtype=np.int64)
            for j, p in enumerate(pins):
                conns = pin_conns(top, design, insts, p)
                ok = conns >= 0
                nets = np.where(ok, top.conn_net[np.maximum(conns, 0)], -1)
                has = nets >= 0
                p1[has, j] = duty[nets[has]]
                term = np.where(has, net_driver[np.maximum(nets, 0)], -1)
                is_inst = (term >= 0) & (term < P)
                drv[is_inst, j] = pin_inst[term[is_inst]]
            self.masters.append(_Master(cell, insts, pins, pattern_probabilities(np.clip(p1, 0.0, 1.0)), drv))
        self._L: dict = {}
        self._K: dict = {}
        self._warned: set = set()
        self._inputs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def inputs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per instance, the same for every (VddL, VddH) pair and flavour assignment (built
        once, shared by every :class:`PairLeakage`): int32[N, MAX_INPUTS] driver instance
        of each input (-1 none), uint8[N, MAX_INPUTS] its bit weight in the configuration
        index (pin 0 = MSB), int64[N] configurations per side (2^inputs)."""
        if self._inputs is None:
            drivers = np.full((self.n, MAX_INPUTS), -1, dtype=np.int32)
            weights = np.zeros((self.n, MAX_INPUTS), dtype=np.uint8)
            width = np.zeros(self.n, dtype=np.int64)
            for m in self.masters:
                n = len(m.pins)
                if n:
                    drivers[m.insts, :n] = m.drivers
                    weights[m.insts, :n] = (1 << (n - 1 - np.arange(n)))[None, :]
                width[m.insts] = 1 << n
            self._inputs = (drivers, weights, width)
        return self._inputs

    def _pins(self, cell) -> tuple[str, ...]:
        ins = tuple(p.name for p in cell.pins.values() if p.direction in ("input", "inout")
                    and not getattr(p, "pg_type", None))
        if self.lut is not None:
            for (_fl, _a, _b), cells in self.lut.tables.items():
                c = cells.get(cell.name)
                if c is not None and set(c.pins) == set(ins):
                    return tuple(c.pins)
                if c is not None:
                    break
        return ins

    # ---- per (master, flavour, supply) tables ------------------------------------------
    def _cell_at(self, m: _Master, vdd: float, flavour):
        return interpolated_cell(self.libset, m.cell, vdd, flavour)

    def state_table(self, k: int, vdd: float, flavour) -> np.ndarray:
        key = (k, round(vdd, 4), flavour)
        t = self._L.get(key)
        if t is None:
            m = self.masters[k]
            t = self._L[key] = state_leakage(self._cell_at(m, vdd, flavour), m.pins)
        return t

    def k_table(self, k: int, vddl: float, vddh: float, flavour) -> np.ndarray | None:
        """float[2, 2^n, 2^n] (side H/L, pattern, config) or None (k = 1)."""
        key = (k, round(vddl, 4), round(vddh, 4), flavour)
        if key in self._K:
            return self._K[key]
        m = self.masters[k]
        tab = None
        if self.lut is not None:
            name = self._cell_at(m, vddh, flavour).name
            fl = flavour
            if fl is None:
                fls = self.lut.flavours()
                fl = fls[0] if len(fls) == 1 else None
            try:
                c = self.lut.cell(fl, vddl, vddh, name)
                if tuple(c.pins) == m.pins:
                    tab = np.asarray(c.k, dtype=np.float64)
            except KeyError:
                tab = None
            if tab is None and (name, round(vddl, 4), round(vddh, 4), fl) not in self._warned and m.pins:
                self._warned.add((name, round(vddl, 4), round(vddh, 4), fl))
                progress.debug(f"intra-tile LUT: no entry for {name} {fl} ({vddl:g}, {vddh:g}) V: k = 1")
        self._K[key] = tab
        return tab

    # ---- evaluation ----------------------------------------------------------------------
    def uniform(self, vdd: float, inst_flavour: np.ndarray, flavour_names: list) -> np.ndarray:
        """uW per instance, every instance at ``vdd`` (k = 1)."""
        out = np.zeros(self.n)
        for k, m in enumerate(self.masters):
            fcodes = inst_flavour[m.insts]
            for fc in np.unique(fcodes).tolist():
                sel = fcodes == fc
                L = self.state_table(k, vdd, flavour_names[fc])
                out[m.insts[sel]] = m.prob[sel] @ L
        return out

    def mixed(self, inst_vdd: np.ndarray, vddl: float, vddh: float, inst_flavour: np.ndarray,
              flavour_names: list) -> np.ndarray:
        """uW per instance; ``inst_vdd[i]`` is ``vddl`` or ``vddh`` (V)."""
        high = np.abs(np.asarray(inst_vdd, dtype=np.float64) - vddh) < 1e-6
        return self.pair(vddl, vddh, inst_flavour, flavour_names)(high)

    def pair(self, vddl: float, vddh: float, inst_flavour: np.ndarray, flavour_names: list) -> "PairLeakage":
        """Eq. 4.3 for one (VddL, VddH) pair and one flavour assignment, tabulated once so
        that any supply map is one vectorised look-up (:class:`PairLeakage`)."""
        return PairLeakage(self, vddl, vddh, np.asarray(inst_flavour, dtype=np.int64), flavour_names)


class PairLeakage:
    """Leakage (uW per instance) of any VddL/VddH map for a fixed (VddL, VddH) pair and
    flavour assignment.

    Per instance ``c`` and supply side ``s`` (VddH, VddL) the sum over input patterns of
    Eq. 4.3 is tabulated for every driver configuration ``cfg``:
    ``T_c[s, cfg] = sum_i P_i(c) L_i(V_s, flavour_c) k_i(s, cfg)``; a map then needs only
    each instance's side and configuration (bit j: the driver of input j sits at the other
    supply), a flat gather. Same numbers as evaluating Eq. 4.3 directly."""

    def __init__(self, dl: DesignLeakage, vddl: float, vddh: float, inst_flavour: np.ndarray, names: list):
        n_inst = dl.n
        chunks: list[np.ndarray] = []
        owner: list[np.ndarray] = []
        for k, m in enumerate(dl.masters):
            n = len(m.pins)
            fcodes = inst_flavour[m.insts]
            for fc in np.unique(fcodes).tolist():
                fl = names[fc]
                sel = fcodes == fc
                prob = m.prob[sel]                                          # [g, 2^n]
                K = dl.k_table(k, vddl, vddh, fl)
                sides = []
                for s, v in ((0, vddh), (1, vddl)):
                    L = dl.state_table(k, v, fl)                            # [2^n]
                    pl = prob * L[None, :]
                    if K is None:
                        sides.append(np.repeat(pl.sum(axis=1)[:, None], 1 << n, axis=1))
                    else:
                        sides.append(np.einsum("gp,pc->gc", pl, K[s]))
                chunks.append(np.stack(sides, axis=1).reshape(prob.shape[0], -1))    # [g, 2 * 2^n]
                owner.append(m.insts[sel])
        self.offset = np.zeros(n_inst, dtype=np.int64)
        flat = []
        pos = 0
        for ins, tab in zip(owner, chunks):
            w = tab.shape[1]
            self.offset[ins] = pos + w * np.arange(ins.size)
            flat.append(tab.ravel())
            pos += tab.size
        self.table = np.concatenate(flat) if flat else np.zeros(0)
        # driver, bit weight and width per instance: the design's, shared by every pair
        self.drivers, self.weights, self.width = dl.inputs()

    def __call__(self, high_inst: np.ndarray, border: np.ndarray | None = None) -> np.ndarray:
        """uW per instance; ``high_inst[i]``: instance i at VddH. ``border``: when the map
        comes from tiles, the instances with a driver in another tile
        (:func:`border_instances`); every other instance has all its drivers at its own
        supply (configuration 0), so only the border ones are worked out input by input.
        The same values either way."""
        hi = np.asarray(high_inst, dtype=bool)
        side = np.where(hi, 0, 1)
        if border is None:
            d, w, rows = self.drivers, self.weights, slice(None)
            hr = hi
        else:
            d, w, rows = self.drivers[border], self.weights[border], border
            hr = hi[border]
        foreign = (d >= 0) & (hi[np.maximum(d, 0)] != hr[:, None])
        cfg = (foreign * w).sum(axis=1, dtype=np.int64)
        if border is None:
            return self.table[self.offset + side * self.width + cfg]
        out = self.table[self.offset + side * self.width]
        out[border] = self.table[self.offset[border] + side[border] * self.width[border] + cfg]
        return out


def border_instances(drivers: np.ndarray, tile: np.ndarray) -> np.ndarray:
    """int64 indices of the instances with an input driven from another tile
    (``drivers``: :meth:`DesignLeakage.inputs`' int[N, MAX_INPUTS], -1 none; ``tile``:
    int[N]): the only ones whose Eq. 4.3 configuration depends on the tile map."""
    t = np.asarray(tile)
    return np.flatnonzero(((drivers >= 0) & (t[np.maximum(drivers, 0)] != t[:, None])).any(axis=1))
