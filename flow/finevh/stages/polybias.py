"""Poly-bias stage: timing-driven slow/low-leakage flavours for the interface cells of a
partitioned design (thesis §4.1.2, Eq. 4.2); algorithm in :mod:`finevh.fvh.polybias`.

The stage leaves ``design`` re-bound with the swaps (as an ECO applied in a tool shell
would) and records them in the plan (``pb_swaps``).
"""

from __future__ import annotations

from dataclasses import replace

from .. import memory
from ..errors import InputError
from .common import StageResult, make_timer, placement_wire_cap
from .options import PolybiasOptions


def resolve_corners(design, opts: PolybiasOptions):
    """The operating corners every poly-bias stage must keep (``opts.corners``; ``auto``:
    the design's own binding at the clock plus every level below its supply at fmax, or,
    with ``opts.maps``, at the clock plus the maps), then ``opts.maps`` (one per supply
    map: the shortest period)."""
    from ..fvh.polybias import CornerSpec, auto_corners, distinct_maps, nominal_voltage, parse_corners

    specs = parse_corners(opts.corners, "corners")
    maps = distinct_maps(opts.maps)
    if specs is not None:
        return specs + maps
    if maps:
        return [CornerSpec(None, "sdc")] + maps
    levels = opts.levels if opts.levels is not None else design.libset.voltages()
    nominal = nominal_voltage(design)
    return [CornerSpec(None, "sdc")] + [c for c in auto_corners(nominal, levels) if c.clock == "fmax"]


def stage_order(design, plan, opts: PolybiasOptions) -> list[str]:
    """The flavours to assign, slowest first (``opts.flavours`` or every flavour slower
    than the interface cells'); [] when the library set has no flavours."""
    from ..fvh.polybias import default_stages

    if opts.flavours is not None:
        return list(opts.flavours)
    if design.libset.rule is None:
        return []
    return default_stages(design.libset, design, plan.interface)


def _r6(x: float) -> float:
    """Rounded to 1e-6 (ns, uW), without a negative zero."""
    return round(float(x), 6) + 0.0


def corner_report(res) -> list[dict]:
    """Per operating corner: supply, clock, d_avg, alpha_sd, worst slack / WNS / TNS before and after."""
    return [{"corner": c.label, "vdd_v": None if c.vdd is None else round(c.vdd, 4),
             "period_ns": _r6(c.period_ns), "d_avg_ns": _r6(c.d_avg_ns),
             "alpha_sd_pct": {f: round(100 * a, 4) for f, a in c.alpha_sd.items()},
             "worst_slack_before_ns": _r6(c.worst_before_ns), "worst_slack_after_ns": _r6(c.worst_after_ns),
             "wns_before_ns": _r6(min(0.0, c.worst_before_ns)), "wns_after_ns": _r6(min(0.0, c.worst_after_ns)),
             "tns_before_ns": _r6(c.tns_before_ns), "tns_after_ns": _r6(c.tns_after_ns)}
            for c in res.corners]


def polybias_stage(design, constraints, plan, opts: PolybiasOptions | None = None) -> StageResult:
    """Assign poly-bias flavours to ``plan``'s interface cells without hurting WNS.

    ``design.placement`` (if any) gives the wire capacitance. The clock is the SDC's, or
    the design's own critical delay where that is longer (single clock). Returns the plan
    with ``pb_swaps`` and ``reports["polybias"]``; ``extra["result"]`` is the
    :class:`finevh.fvh.polybias.PolybiasResult`.
    """
    import copy

    from ..fvh.emulate import clock_period, required_period
    from ..fvh.plan import PbSwap
    from ..fvh.polybias import assign_polybias
    from ..power.analysis import analyse

    opts = opts or PolybiasOptions()
    stages = stage_order(design, plan, opts)
    if not stages:
        raise InputError("no flavour slower than the interface cells': nothing to assign "
                         "(check the libraries / flavour rule)")
    corners = resolve_corners(design, opts)
    wc = placement_wire_cap(design)
    period = clock_period(constraints)
    req = required_period(make_timer(design, constraints, wc).update(), period)
    tc = constraints
    if len(constraints.clocks) == 1 and req > period:
        tc = copy.copy(constraints)
        tc.clocks = [replace(c, period=req) for c in constraints.clocks]
    timer = make_timer(design, tc, wc)
    iface = plan.interface
    # the leakage before, as sums: neither the first timing result nor the power arrays
    # stay alive while the corner timers of assign_polybias are (several GB at 1M cells)
    p0 = analyse(design, constraints, opts.activity, slews=timer.update().slew, wire_cap=wc)
    leak0, iface_leak0 = float(p0.inst_leakage.sum()), float(p0.inst_leakage[iface].sum())
    del p0
    memory.trim()
    res = assign_polybias(design, timer, plan.interface, stages, corners=corners)
    p1 = analyse(design, constraints, opts.activity, slews=timer.last.slew, wire_cap=wc)
    names = design.netlist.inst_names
    plan.pb_swaps = [PbSwap(names[i], a, b, f) for i, a, b, f in res.swaps]
    rep = {
        "interface_cells": res.interface_cells,
        "instances": design.n_instances,
        "clock_ns": _r6(max(period, req)),
        "stages": [{"flavour": s.flavour, "alpha_sd_pct": round(100 * s.alpha_sd, 4), "s_th_ns": _r6(s.s_th_ns),
                    "candidates": s.candidates, "swapped": s.swapped, "backoff_rounds": s.backoff_rounds,
                    "worst_slack_before_ns": _r6(s.worst_before_ns),
                    "worst_slack_after_ns": _r6(s.worst_after_ns),
                    "corners": [{"corner": c["corner"], "alpha_sd_pct": round(100 * c["alpha_sd"], 4),
                                 "s_th_ns": _r6(c["s_th_ns"]),
                                 "worst_slack_before_ns": _r6(c["worst_before_ns"]),
                                 "worst_slack_after_ns": _r6(c["worst_after_ns"])} for c in s.corners]}
                   for s in res.stages],
        "corners": corner_report(res),
        "swapped": {s.flavour: s.swapped for s in res.stages},
        "swapped_total": len(res.swaps),
        "interface_flavours": res.flavour_count,
        "d_avg_ns": _r6(res.d_avg_ns),
        "worst_slack_before_ns": _r6(res.worst_before_ns),
        "worst_slack_after_ns": _r6(res.worst_after_ns),
        "wns_before_ns": _r6(min(0.0, res.worst_before_ns)),
        "wns_after_ns": _r6(min(0.0, res.worst_after_ns)),
        "tns_before_ns": _r6(res.tns_before_ns),
        "tns_after_ns": _r6(res.tns_after_ns),
        "leakage_before_uw": round(leak0, 6),
        "leakage_after_uw": round(float(p1.inst_leakage.sum()), 6),
        "interface_leakage_before_uw": round(iface_leak0, 6),
        "interface_leakage_after_uw": round(float(p1.inst_leakage[iface].sum()), 6),
    }
    lb = rep["leakage_before_uw"]
    rep["leakage_saved_pct"] = round(100.0 * (1 - rep["leakage_after_uw"] / lb), 4) if lb > 0 else 0.0
    plan.reports["polybias"] = rep
    return StageResult(plan, rep, {"result": res})
