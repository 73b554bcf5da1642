"""Characterisation of demo28 cells from the device model (pure functions).

Delay of one stage (Sakurai–Newton, alpha-power law), for input slew t_in (s) and
total stage load C (F)::

    d     = (1/2 - (1 - v)/(1 + ALPHA)) * t_in + C * Vdd / (2 * I)
    t_out = SLEW_K * C * Vdd / I + SLEW_IN * t_in            (20-80 % slew)

with v = Vt_a/Vdd and I the saturation current of the switching network (pull-down
for a falling output, pull-up for a rising one). A multi-stage cell is the chain of
its stages along each path from the input pin to the output; the arc is the worst
path. Leakage of a stage is Vdd times the subthreshold current of its OFF network,
with the stacking factor of the device model for series OFF devices.

Everything here is in SI units (s, F, A, V, J, W); the Liberty writer converts.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import numpy as np

from . import device as dv
from .cells import WN_UNIT, WP_UNIT, CellSpec, Stage, dual, leaf_depths

SLEW_K = 0.8          # 20-80 % output slew per C*Vdd/I
SLEW_IN = 0.15        # share of the input slew passed to the output slew
STACK_PENALTY = 0.1   # extra resistance of a series chain per added device
E_SC = 0.08           # short-circuit energy coefficient (see sc_energy)


@dataclass(frozen=True)
class Ctx:
    """A characterisation point: flavour at supply ``vdd`` (V)."""

    fl: dv.Flavour
    vdd: float


def _wn(stage: Stage, depth: int) -> float:
    return WN_UNIT * stage.drive * depth


def _wp(stage: Stage, depth: int) -> float:
    return WP_UNIT * stage.drive * depth


@functools.lru_cache(maxsize=None)
def net_caps(spec: CellSpec, cg: float) -> dict[str, float]:
    """Gate capacitance hanging on every net of the cell (F); cg in F/um."""
    caps: dict[str, float] = {}
    for st in spec.stages:
        nd = dict()
        for (n, mn), (_n2, mp) in zip(leaf_depths(st.pdn), _pun_depths_in_pdn_order(st)):
            nd[n] = nd.get(n, 0.0) + cg * (_wn(st, mn) + _wp(st, mp))
        for n, c in nd.items():
            caps[n] = caps.get(n, 0.0) + c
    return caps


@functools.lru_cache(maxsize=None)
def _pun_depths_in_pdn_order(st: Stage) -> list[tuple[str, int]]:
    """Series depths of the pull-up devices, listed in the PDN's leaf order."""
    pun = leaf_depths(dual(st.pdn))   # dual keeps the leaf order
    return pun


def stage_parasitic(st: Stage) -> float:
    """Diffusion capacitance on a stage's output node, F: half the stage's device width."""
    w = sum(_wn(st, m) for _n, m in leaf_depths(st.pdn)) + sum(_wp(st, m) for _n, m in leaf_depths(dual(st.pdn)))
    return dv.CD_PER_UM * 0.5 * w


def stage_current(ctx: Ctx, st: Stage, net: str, rise: bool) -> float:
    """Saturation current (A) of the network switching the stage output through the
    device gated by ``net`` (rise=True: pull-up)."""
    tree = dual(st.pdn) if rise else st.pdn
    depth = max(m for n, m in leaf_depths(tree) if n == net)
    w = (WP_UNIT if rise else WN_UNIT) * st.drive
    return dv.i_d0(ctx.fl, ctx.vdd, rise) * w / (1.0 + STACK_PENALTY * (depth - 1))


def stage_delay(ctx: Ctx, st: Stage, net: str, rise: bool, t_in, cload):
    """(delay, output slew) of one stage, s; t_in (s) and cload (F) broadcast."""
    i = stage_current(ctx, st, net, rise)
    v = dv.vt_alpha(ctx.fl, ctx.vdd) / ctx.vdd
    c = cload + stage_parasitic(st)
    d = (0.5 - (1.0 - v) / (1.0 + dv.ALPHA)) * t_in + c * ctx.vdd / (2.0 * i)
    s = SLEW_K * c * ctx.vdd / i + SLEW_IN * t_in
    return d, s


def sc_energy(ctx: Ctx, st: Stage, net: str, rise: bool, t_in, t_out):
    """Short-circuit energy of a stage transition, J: both networks conduct while the
    input crosses the window between Vt and Vdd - Vt (Veendrick-style)."""
    v = dv.vt_alpha(ctx.fl, ctx.vdd) / ctx.vdd
    window = max(0.0, 1.0 - 2.0 * v)
    i = stage_current(ctx, st, net, not rise)
    return E_SC * i * ctx.vdd * t_in * window ** 1.5 * t_in / (t_in + t_out)


def paths(spec: CellSpec, pin: str, out: str | None = None) -> list[list[tuple[Stage, str]]]:
    """Every chain of (stage, input net) from ``pin`` to the cell output."""
    out = out or spec.output
    res: list[list[tuple[Stage, str]]] = []

    def walk(net: str, acc: list[tuple[Stage, str]]):
        for st in spec.stages:
            if net in {n for n, _ in leaf_depths(st.pdn)} and all(st is not a for a, _ in acc):
                acc2 = acc + [(st, net)]
                if st.out == out:
                    res.append(acc2)
                else:
                    walk(st.out, acc2)

    walk(pin, [])
    return res


def path_delay(ctx: Ctx, spec: CellSpec, path, out_rise: bool, t_in, cload, node_loads=None):
    """(delay, slew, internal energy) along a chain for a given output edge.

    ``node_loads``: optional {stage output net: load (F)} replacing the gate load of
    an inner stage (a stage that drives a storage node through a transmission gate)."""
    caps = net_caps(spec, ctx.fl.cg_per_um)
    if node_loads:
        caps = {**caps, **node_loads}
    n = len(path)
    d_tot = 0.0
    e_tot = 0.0
    t = t_in
    for i, (st, net) in enumerate(path):
        rise = out_rise if (n - 1 - i) % 2 == 0 else not out_rise
        load = cload if i == n - 1 else caps.get(st.out, 0.0)
        d, s = stage_delay(ctx, st, net, rise, t, load)
        cint = stage_parasitic(st) + (0.0 if i == n - 1 else caps.get(st.out, 0.0))
        e_tot = e_tot + 0.5 * cint * ctx.vdd ** 2 + sc_energy(ctx, st, net, rise, t, s)
        d_tot = d_tot + d
        t = s
    return d_tot, t, e_tot


def arc_tables(ctx: Ctx, spec: CellSpec, pin: str, slews: np.ndarray, loads: np.ndarray, out: str | None = None):
    """Worst-path NLDM tables of the arc pin -> output on the grid slews x loads.

    Returns dict with keys cell_rise, cell_fall, rise_transition, fall_transition,
    rise_energy, fall_energy (arrays [len(slews), len(loads)], SI units) and 'sense'."""
    t = slews[:, None]
    c = loads[None, :]
    ps = paths(spec, pin, out)
    if not ps:
        raise ValueError(f"{spec.name}: no path from {pin}")
    parities = {len(p) % 2 for p in ps}
    sense = "non_unate" if len(parities) > 1 else ("negative_unate" if 1 in parities else "positive_unate")
    res = {}
    for edge, rise in (("rise", True), ("fall", False)):
        best = None
        for p in ps:
            d, s, e = path_delay(ctx, spec, p, rise, t, c)
            d, s, e = np.broadcast_to(d, (len(slews), len(loads))), np.broadcast_to(s, (len(slews), len(loads))), np.broadcast_to(e, (len(slews), len(loads)))
            if best is None:
                best = [d, s, e]
            else:
                best = [np.maximum(best[0], d), np.maximum(best[1], s), np.maximum(best[2], e)]
        res[f"cell_{edge}"], res[f"{edge}_transition"], res[f"{edge}_energy"] = best
    res["sense"] = sense
    return res


# ---- leakage ---------------------------------------------------------------------------

def _widths(tree, depths, unit: float):
    """The tree with every leaf replaced by (net, device width in um)."""
    it = iter(depths)

    def rec(t):
        if isinstance(t, str):
            _n, m = next(it)
            return (t, unit * m)
        return (t[0],) + tuple(rec(c) for c in t[1:])

    return rec(tree)


@functools.lru_cache(maxsize=None)
def _compiled(st: Stage):
    """(pull-down tree, pull-up tree) of a stage with leaves (net, width um)."""
    pun = dual(st.pdn)
    return (_widths(st.pdn, leaf_depths(st.pdn), WN_UNIT * st.drive),
            _widths(pun, leaf_depths(pun), WP_UNIT * st.drive))


def _conducts(t, val: dict[str, int], on: int) -> bool:
    if len(t) == 2 and isinstance(t[0], str) and t[0] not in ("s", "p"):
        return val[t[0]] == on
    if t[0] == "s":
        return all(_conducts(c, val, on) for c in t[1:])
    return any(_conducts(c, val, on) for c in t[1:])


def _off_width(ctx: Ctx, t, val: dict[str, int], on: int, mult: dict[str, float]) -> float | None:
    """Equivalent OFF width (um of single-device leakage) of a compiled network, or
    None when it conducts. ``on``: gate value that turns the devices on."""
    if t[0] not in ("s", "p"):
        net, w = t
        if val[net] == on:
            return None
        return w * mult.get(net, 1.0) if on == 0 else w
    kids = [_off_width(ctx, c, val, on, mult) for c in t[1:]]
    if t[0] == "p":
        if any(k is None for k in kids):
            return None
        return float(sum(kids))
    off = [k for k in kids if k is not None]
    if not off:
        return None
    if len(off) == 1:
        return off[0]
    m = len(off)
    return dv.stack_factor(ctx.fl, ctx.vdd, m) * m / sum(1.0 / k for k in off)


@functools.lru_cache(maxsize=None)
def _stage_nets(st: Stage) -> tuple[str, ...]:
    return tuple(sorted({n for n, _m in leaf_depths(st.pdn)}))


_LEAK_MEMO: dict = {}


def stage_leak_current(ctx: Ctx, st: Stage, val: dict[str, int], mult: dict[str, float]) -> tuple[float, int]:
    """(subthreshold current in A through the OFF network, stage output value)."""
    nets = _stage_nets(st)
    key = (ctx, st, tuple(val[n] for n in nets), tuple(mult.get(n, 1.0) for n in nets))
    r = _LEAK_MEMO.get(key)
    if r is None:
        r = _LEAK_MEMO[key] = _stage_leak_current(ctx, st, val, mult)
    return r


def _stage_leak_current(ctx: Ctx, st: Stage, val: dict[str, int], mult: dict[str, float]) -> tuple[float, int]:
    pdn, pun = _compiled(st)
    if _conducts(pdn, val, 1):
        w = _off_width(ctx, pun, val, 0, mult)
        out = 0
    else:
        w = _off_width(ctx, pdn, val, 1, mult)
        out = 1
    if w is None:   # both networks conduct: impossible for a complementary stage
        raise AssertionError(st)
    return w * dv.i_off(ctx.fl, ctx.vdd), out


def cell_leakage(ctx: Ctx, spec: CellSpec, pattern: dict[str, int], mult: dict[str, float] | None = None) -> float:
    """Leakage power (W) of the cell for an input pattern, averaged over its free
    (storage) nets. ``mult``: per input-pin leakage multiplier of the pMOS it gates."""
    mult = mult or {}
    if spec.kind == "tie":
        return ctx.vdd * dv.i_off(ctx.fl, ctx.vdd) * WN_UNIT
    if spec.kind in ("fill", "vddmux"):
        return 0.0
    tot = 0.0
    combos = list(itertools.product((0, 1), repeat=len(spec.free)))
    for fv in combos:
        val = dict(pattern)
        val.update(zip(spec.free, fv))
        for st in spec.stages:   # stages in order: each output becomes a known net
            i, val[st.out] = stage_leak_current(ctx, st, val, mult)
            tot += i
    return ctx.vdd * tot / len(combos)


