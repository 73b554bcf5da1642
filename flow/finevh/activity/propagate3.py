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
- Arcs other than clock-to-Q and latch D-to-Q (reset/preset to Q, latch enable to
  Q) carry activity like combinational arcs: an output is re-evaluated from its
  function of ``IQ``/``IQN`` whenever its register is seeded, which here happens on
  every pass.
"""

from __future__ import annotations

import numpy as np

from . import expr as bx
from .propagate import (
    INPUT_DEFAULT,
    ClockReach,
    NetActivity,
    Topology,
    _level_groups,
    _pin_nets,
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
    user = user or {}
    dens[seeds], duty[seeds] = input_default
    for n, (a, d) in user.items():
        if seeds[n]:
            dens[n], duty[n] = a, d
    is_set = seeds | fixed_mask | clk
    keep = seeds | fixed_mask | clk          # nets propagation never writes
    changed = seeds | fixed_mask             # nets whose fanout is (re)visited this pass

    seq_groups = _seq_groups(design, top)
    state = {ci: (np.zeros(g.size), np.zeros(g.size)) for ci, g in seq_groups}
    comb = _level_groups(top, design, top.order)
    passes = 0
    _comb_sweep(design, top, comb, dens, duty, keep, is_set, changed, input_default, first=True)
    while passes < max_passes:
        regs = [(ci, insts, hit) for ci, insts in seq_groups
                if (hit := _touched(design, top, ci, insts, changed, clk)).any()]
        if not regs:
            break
        passes += 1
        changed = np.zeros(M, bool)
        for ci, insts, hit in regs:
            env = _env(design, top, ci, insts[hit], dens, duty, input_default)
            a, d = _reg_state(design.cells[ci], int(hit.sum()), env)
            state[ci][0][hit], state[ci][1][hit] = a, d
            info = top.infos[ci]
            if info.iq:
                env[info.iq] = (a, d)
            if info.iqn:
                env[info.iqn] = (a, 1.0 - d)
            _write_outputs(design, top, ci, insts[hit], env, dens, duty, keep, is_set, changed)
        _comb_sweep(design, top, comb, dens, duty, keep, is_set, changed, input_default)
    seq_state = {}
    for ci, insts in seq_groups:
        a, d = state[ci]
        seq_state.update({int(i): (float(x), float(y)) for i, x, y in zip(insts.tolist(), a, d)})
    return NetActivity(dens, duty, is_set, seq_state, unit, passes, tuple(input_default))


def _touched(design, top: Topology, ci: int, insts: np.ndarray, changed, clk) -> np.ndarray:
    """bool per instance: a non-clock input net changed this pass."""
    info = top.infos[ci]
    hit = np.zeros(insts.size, bool)
    for p in info.pins:
        if p in info.outputs:
            continue
        nets = _pin_nets(top, insts, p, design)
        ok = nets >= 0
        hit[ok] |= changed[nets[ok]] & ~clk[nets[ok]]
    return hit


def _seq_groups(design, top: Topology) -> list[tuple[int, np.ndarray]]:
    seq = np.nonzero(top.inst_seq)[0]
    out = []
    for ci in np.unique(design.inst_cell[seq]).tolist():
        if design.cells[ci].sequential is not None:
            out.append((ci, seq[design.inst_cell[seq] == ci]))
    return out


def _env(design, top: Topology, ci: int, insts: np.ndarray, dens, duty, default) -> dict:
    """(density, duty) of every input pin of the instances (unconnected: the default)."""
    info = top.infos[ci]
    env = {}
    for p in info.pins:
        if p in info.outputs:
            continue
        nets = _pin_nets(top, insts, p, design)
        ok = nets >= 0
        s = np.maximum(nets, 0)
        env[p] = (np.where(ok, dens[s], default[0]), np.where(ok, duty[s], default[1]))
    return env


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


def _comb_sweep(design, top, comb, dens, duty, keep, is_set, changed, default, first=False) -> None:
    """Level-order visit of the combinational instances with a changed input (in the
    first sweep also those with an unconnected input, a graph root in OpenSTA)."""
    for ci, insts in comb:
        info = top.infos[ci]
        hit = np.zeros(insts.size, bool)
        for p in info.pins:
            if p in info.outputs:
                continue
            nets = _pin_nets(top, insts, p, design)
            ok = nets >= 0
            hit[ok] |= changed[nets[ok]]
            if first:
                hit |= ~ok
        if hit.any():
            sel = insts[hit]
            env = _env(design, top, ci, sel, dens, duty, default)
            _write_outputs(design, top, ci, sel, env, dens, duty, keep, is_set, changed)


def _write_outputs(design, top, ci, insts, env, dens, duty, keep, is_set, changed) -> None:
    """Evaluate the output functions; flag nets that changed by more than the tolerance
    (or were never set)."""
    info = top.infos[ci]
    n = insts.size
    for o, f in info.outputs.items():
        if f is None:
            continue
        nets = _pin_nets(top, insts, o, design)
        ok = nets >= 0
        ok[ok] &= ~keep[nets[ok]]
        if not ok.any():
            continue
        vals = {v: env.get(v, (np.zeros(n), np.zeros(n))) for v in f.variables()}
        a, d = bx.exact_activity(f, vals, n)
        t = nets[ok]
        a, d = a[ok], d[ok]
        moved = (~is_set[t]) | (_change(a, dens[t]) > CHANGE_TOLERANCE) | (_change(d, duty[t]) > CHANGE_TOLERANCE)
        dens[t], duty[t] = a, d
        is_set[t] = True
        changed[t[moved]] = True
