"""Switching-activity propagation with OpenSTA 3.x's rules (``Power::ensureActivities``).

Activity is (density, duty) per net, density in transitions per clock cycle (or per
ns with ``unit="ns"``), as in :mod:`finevh.activity.propagate`, whose seeds, clock
nets and topology this module shares. What differs from OpenSTA 2.0.17:

- Functions are evaluated exactly for independent inputs (3.x walks BDDs of the
  cell functions; here truth tables over the few pins of a cell give the same
  numbers): duty = P(f), density = sum over inputs x of P(df/dx) * density(x).
- Register outputs start *unknown* (density 0, duty 0) until their register is
  seeded; then ``IQ`` takes the activity of ``next_state`` (``data_in`` of a
  latch) with the density limited by the clock: a flip-flop whose data density
  exceeds half the clock density switches ``2 d (1 - d)`` times per clock
  transition pair; a latch's data density is scaled by the enable's duty.
- Passes repeat (at most 50) while some register input changes by more than 1 %
  (density or duty, relative), instead of stopping after the second pass.
- Clock nets carry (2 per cycle, duty 0.5) until logic driving them is visited
  because one of its inputs changed (a clock-gating gate): from then on they carry
  the propagated activity, and the registers they clock are re-seeded.
- Arcs other than clock-to-Q and latch D-to-Q (reset/preset to Q, latch enable to
  Q) carry activity like combinational arcs: an output is re-evaluated from its
  function of ``IQ``/``IQN`` whenever its register is seeded, which here happens on
  every pass.
"""

from __future__ import annotations

import numpy as np

from . import expr as bx
from ..design import DIR_INOUT, DIR_INPUT
from .propagate import (
    INPUT_DEFAULT,
    ClockReach,
    NetActivity,
    Topology,
    _level_groups,
    _pin_nets,
    pin_conns,
)

MAX_PASSES = 50          # OpenSTA 3.x max_activity_passes_
CHANGE_TOLERANCE = 0.01  # OpenSTA 3.x PropActivityVisitor change_tolerance_


def _change(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    """Relative change per item, OpenSTA ``percentChange`` (1 when ``old`` is 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.abs(new - old) / np.where(old != 0.0, old, 1.0)
    return np.where(old == 0.0, np.where(new == 0.0, 0.0, 1.0), r)


def _seeds(design, top: Topology, clk: np.ndarray, fixed_mask: np.ndarray) -> np.ndarray:
    nl = design.netlist
    seeds = np.zeros(top.n_nets, bool)
    for k in np.nonzero(nl.port_dir != 1)[0].tolist():
        n = int(nl.port_net[k])
        if n >= 0:
            seeds[n] = True
    seeds |= top.net_driver < 0
    seeds |= nl.net_const >= 0
    return seeds & ~clk & ~fixed_mask


def propagate3(design, top: Topology, reach: ClockReach, *,
               input_default: tuple[float, float] = INPUT_DEFAULT,
               user: dict[int, tuple[float, float]] | None = None,
               fixed: dict[int, tuple[float, float]] | None = None,
               clock_activity: tuple[float, float] = (2.0, 0.5),
               unit: str = "cycle", max_passes: int = MAX_PASSES) -> NetActivity:
    """Net activities with OpenSTA 3.x's propagation (module doc). ``user``: input
    port net -> (density, duty); ``fixed``: net -> (density, duty) kept as given
    (from a VCD/SAIF file)."""
    M = top.n_nets
    dens = np.zeros(M)
    duty = np.zeros(M)
    fixed_mask = np.zeros(M, bool)
    for n, (a, d) in (fixed or {}).items():
        dens[n], duty[n] = a, d
        fixed_mask[n] = True
    clk = reach.is_clock & ~fixed_mask
    dens[clk], duty[clk] = clock_activity
    seeds = _seeds(design, top, clk, fixed_mask)
    dens[seeds], duty[seeds] = input_default
    for n, (a, d) in (user or {}).items():
        if seeds[n]:
            dens[n], duty[n] = a, d
    st = _State(top, dens, duty, seeds | fixed_mask | clk, seeds | fixed_mask, clk)
    st.touch(np.nonzero(seeds | fixed_mask)[0])

    seq_groups = _seq_groups(design, top)
    state = {ci: (np.zeros(g.size), np.zeros(g.size)) for ci, g in seq_groups}
    comb = _level_groups(top, design, top.order)
    passes = 0
    _comb_sweep(design, top, comb, st, input_default, first=True)
    while passes < max_passes:
        regs = [(ci, insts, hit) for ci, insts in seq_groups
                if (hit := st.hit(design, ci, insts)).any()]
        if not regs:
            break
        passes += 1
        st.changed[:] = False
        for ci, insts, hit in regs:
            env = st.env(design, ci, insts[hit], input_default)
            a, d = _reg_state(design.cells[ci], int(hit.sum()), env)
            state[ci][0][hit], state[ci][1][hit] = a, d
            info = top.infos[ci]
            if info.iq:
                env[info.iq] = (a, d)
            if info.iqn:
                env[info.iqn] = (a, 1.0 - d)
            st.write_outputs(design, ci, insts[hit], env)
        _comb_sweep(design, top, comb, st, input_default)
    seq_state = {}
    for ci, insts in seq_groups:
        a, d = state[ci]
        seq_state.update({int(i): (float(x), float(y)) for i, x, y in zip(insts.tolist(), a, d)})
    return NetActivity(st.dens, st.duty, st.is_set, seq_state, unit, passes, tuple(input_default))


class _State:
    """Activities at drivers (per net) and at load pins (per connection). As in
    OpenSTA, a load pin takes its driver's activity only when the driver changed by
    more than the tolerance, and an instance is visited when one of its load pins
    did; functions read the load pins."""

    def __init__(self, top: Topology, dens, duty, is_set, keep, clk):
        self.top = top
        self.dens, self.duty, self.is_set, self.keep = dens, duty, is_set.copy(), keep
        cn = top.conn_net
        is_in = (top.conn_dir == DIR_INPUT) | (top.conn_dir == DIR_INOUT)
        loads = np.nonzero(is_in & (cn >= 0))[0]
        o = np.argsort(cn[loads], kind="stable")
        self.loads = loads[o]
        self.start = np.searchsorted(cn[self.loads], np.arange(top.n_nets + 1))
        s = np.maximum(cn, 0)
        self.cd = np.where(cn >= 0, dens[s], 0.0)
        self.cy = np.where(cn >= 0, duty[s], 0.0)
        self.cset = np.where(cn >= 0, clk[s], False)     # clock pins read the clock
        self.changed = np.zeros(top.n_pins, bool)

    def touch(self, nets: np.ndarray) -> None:
        """Copy the drivers' activities of ``nets`` to their load pins; flag those
        that moved by more than the tolerance (or were never set)."""
        if nets.size == 0:
            return
        lo, hi = self.start[nets], self.start[nets + 1]
        cnt = hi - lo
        if cnt.sum() == 0:
            return
        idx = np.repeat(lo - np.cumsum(np.concatenate([[0], cnt[:-1]])), cnt) + np.arange(cnt.sum())
        c = self.loads[idx]
        n = self.top.conn_net[c]
        a, d = self.dens[n], self.duty[n]
        moved = (~self.cset[c]) | (_change(a, self.cd[c]) > CHANGE_TOLERANCE) | \
            (_change(d, self.cy[c]) > CHANGE_TOLERANCE)
        self.cd[c], self.cy[c] = a, d
        self.cset[c] = True
        self.changed[c[moved]] = True

    def hit(self, design, ci: int, insts: np.ndarray, first: bool = False) -> np.ndarray:
        """bool per instance: an input pin changed this pass (in the first pass also
        an unconnected input, a graph root in OpenSTA)."""
        info = self.top.infos[ci]
        hit = np.zeros(insts.size, bool)
        for p in info.pins:
            if p in info.outputs:
                continue
            conns = pin_conns(self.top, design, insts, p)
            ok = conns >= 0
            hit[ok] |= self.changed[conns[ok]]
            if first:
                hit |= ~ok
        return hit

    def env(self, design, ci: int, insts: np.ndarray, default) -> dict:
        """(density, duty) of every input pin (unconnected: the default)."""
        info = self.top.infos[ci]
        env = {}
        for p in info.pins:
            if p in info.outputs:
                continue
            conns = pin_conns(self.top, design, insts, p)
            ok = conns >= 0
            s = np.maximum(conns, 0)
            env[p] = (np.where(ok, self.cd[s], default[0]), np.where(ok, self.cy[s], default[1]))
        return env

    def write_outputs(self, design, ci: int, insts: np.ndarray, env: dict) -> None:
        """Evaluate the output functions and pass changed values to the loads."""
        info = self.top.infos[ci]
        n = insts.size
        for o, f in info.outputs.items():
            if f is None:
                continue
            nets = _pin_nets(self.top, insts, o, design)
            ok = nets >= 0
            ok[ok] &= ~self.keep[nets[ok]]
            if not ok.any():
                continue
            vals = {v: env.get(v, (np.zeros(n), np.zeros(n))) for v in f.variables()}
            a, d = bx.exact_activity(f, vals, n)
            t = nets[ok]
            a, d = a[ok], d[ok]
            moved = (~self.is_set[t]) | (_change(a, self.dens[t]) > CHANGE_TOLERANCE) | \
                (_change(d, self.duty[t]) > CHANGE_TOLERANCE)
            self.dens[t], self.duty[t] = a, d
            self.is_set[t] = True
            self.touch(t[moved])


def _seq_groups(design, top: Topology) -> list[tuple[int, np.ndarray]]:
    seq = np.nonzero(top.inst_seq)[0]
    out = []
    for ci in np.unique(design.inst_cell[seq]).tolist():
        if design.cells[ci].sequential is not None:
            out.append((ci, seq[design.inst_cell[seq] == ci]))
    return out


def _reg_state(cell, n: int, env: dict) -> tuple[np.ndarray, np.ndarray]:
    """(density, duty) of ``IQ`` from the data and clock activities (3.x
    ``seedRegOutputActivities``)."""
    seq = cell.sequential
    data = seq.next_state if seq.kind == "ff" else seq.data_in
    if not data:
        return np.zeros(n), np.zeros(n)
    a, d = bx.exact_activity(bx.parse(data), env, n)
    on = seq.clocked_on if seq.kind == "ff" else seq.enable
    if not on:
        return a, d
    ce = bx.parse(on)
    ca, cd = bx.exact_activity(ce, env, n)
    fast = a > ca / 2.0
    if seq.kind == "ff":
        lim = 2.0 * d * (1.0 - d) * ca
    else:
        inv = ce.op == bx.NOT and ce.args[0].op == bx.VAR
        lim = a * ((1.0 - cd) if inv else cd)
    return np.where(fast, lim, a), d


def _comb_sweep(design, top, comb, st: _State, default, first: bool = False) -> None:
    """Level-order visit of the combinational instances with a changed input pin."""
    for ci, insts in comb:
        hit = st.hit(design, ci, insts, first)
        if hit.any():
            sel = insts[hit]
            st.write_outputs(design, ci, sel, st.env(design, ci, sel, default))
