"""Vdd-MUX stage: row-based header-switch insertion and the configuration flip-flop
chain of a partitioned design (thesis §4.1.2); algorithms in :mod:`finevh.fvh.vddmux`.

The switches per tile follow the tile's peak current: its power (at the SDC clock, with
the options' activity) times the peak factor over the supply, divided by one switch's
maximum current.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from .common import StageResult, make_timer, placement_wire_cap
from .options import VddmuxOptions


def tile_supply(design, given: float | None) -> float:
    """The supply (V) of the tile currents: ``given``, else the design's own binding,
    else the highest voltage among its cells' libraries."""
    from ..fvh.polybias import nominal_voltage

    if given is not None:
        if not np.isfinite(given) or given <= 0:
            raise InputError(f"VddH must be a finite voltage > 0, got {given}")
        return float(given)
    v = nominal_voltage(design)
    if v is not None:
        return float(v)
    volts = [design.libset.library_of(c).voltage for c in design.cells if not c.black_box]
    volts = [x for x in volts if x]
    if not volts:
        raise InputError("the design's library has no voltage: give the VddH supply (--vddh)")
    return float(max(volts))


def vddmux_stage(design, constraints, plan, opts: VddmuxOptions | None = None) -> StageResult:
    """Insert Vdd-MUX switches per tile and the configuration chain into ``plan``.

    ``design.placement`` must be the partitioned placement of ``plan``. Returns the plan
    with ``vddmux``, ``config_chain`` and ``reports["vddmux"]``; ``extra["insert"]`` is the
    :class:`finevh.fvh.vddmux.InsertResult` (switches, flops, shifted x of the row cells)
    and ``extra["switch_width_um"]``/``extra["ff_width_um"]`` their widths.
    """
    from ..fvh import vddmux as V
    from ..power.analysis import analyse

    opts = opts or VddmuxOptions()
    if opts.min_per_tile < 0:
        raise InputError(f"minimum switches per tile must be >= 0, got {opts.min_per_tile}")
    if not (np.isfinite(opts.peak_factor) and opts.peak_factor > 0):
        raise InputError(f"peak factor must be a finite value > 0, got {opts.peak_factor}")
    pl = design.placement
    if pl is None:
        raise InputError("Vdd-MUX insertion needs the partitioned placement (--def and --lef)")
    V.check_in_tiles(plan, pl.x, pl.y, pl.width, pl.height, pl.source or "<placement>")
    lef_db = design.meta["lef"]
    cell, mac = V.find_switch_cell(design.libset, lef_db, opts.mux_cell)
    i_max = opts.switch_max_ma if opts.switch_max_ma is not None else V.switch_max_current(design.libset, cell)
    if i_max is None:
        raise InputError(f"no max current for switch '{mac.name}' in its library header: give the switch's "
                         "maximum current (--switch-max-ma / fvh.switch_max_ma)")
    if not (np.isfinite(i_max) and i_max > 0):
        raise InputError(f"switch max current must be a finite value > 0 mA, got {i_max}")
    ff_name, ff_w = V.pick_chain_flop(design.libset, lef_db, opts.chain_ff)
    vddh = tile_supply(design, opts.vddh)
    wc = placement_wire_cap(design)
    r = make_timer(design, constraints, wc).update()
    pw = analyse(design, constraints, opts.activity, slews=r.slew, wire_cap=wc)
    inst_p = pw.inst_internal + pw.inst_switching + pw.inst_leakage
    tile_p = np.bincount(plan.inst_tile, weights=inst_p, minlength=plan.mesh.n_tiles)
    rows_per_tile = int(round(plan.mesh.tile_h / plan.mesh.row_height))
    peak, counts = V.mux_counts(tile_p, vddh, opts.peak_factor, i_max, opts.min_per_tile, rows_per_tile)
    row_orient = {int(round((rw.y - plan.mesh.core[1]) / plan.mesh.row_height)): rw.orient for rw in pl.rows}
    ins = V.insert(plan, pl.x, pl.y, pl.width, counts, mac.name, mac.width, ff_name, ff_w, row_orient)
    plan.vddmux = V.vddmux_plan(mac.name, i_max, opts.peak_factor, ins.muxes, peak, counts)
    plan.config_chain = V.chain(plan, ins.flops, ff_name, "fvh_cfg_clk", "fvh_cfg_in")
    core = plan.mesh.core
    core_area = (core[2] - core[0]) * (core[3] - core[1])
    mux_area = len(ins.muxes) * mac.width * mac.height
    ff_area = len(ins.flops) * ff_w * mac.height
    rep = {
        "tiles": plan.mesh.n_tiles, "vddmux_cell": mac.name, "switch_max_ma": i_max,
        "peak_factor": opts.peak_factor, "vddh_v": vddh, "clock_power_uw": round(float(inst_p.sum()), 6),
        "vddmux_cells": len(ins.muxes), "per_tile_min": int(counts.min()), "per_tile_max": int(counts.max()),
        "tile_peak_ma_max": round(float(peak.max()), 6), "tile_peak_ma_mean": round(float(peak.mean()), 6),
        "chain_ff": ff_name, "chain_length": len(ins.flops), "chain_order": plan.config_chain.tile_order,
        "vddmux_area_um2": round(mux_area, 4), "chain_area_um2": round(ff_area, 4),
        "area_share_pct": round(100.0 * (mux_area + ff_area) / core_area, 4),
        "cells_shifted": ins.shifted,
    }
    plan.reports["vddmux"] = rep
    return StageResult(plan, rep, {"insert": ins, "switch_width_um": mac.width, "ff_width_um": ff_w,
                                   "switch_cell": cell})


def added_components(result: StageResult, dbu: float):
    """The switches (FIXED) and chain flops (PLACED) of a Vdd-MUX stage as DEF components."""
    from ..fvh import vddmux as V
    from ..layout.defio import ST_FIXED, ST_PLACED, DefComponents

    ins = result.extra["insert"]
    ff_name = result.report["chain_ff"]
    extra = list(ins.muxes) + list(ins.flops)
    return DefComponents(
        names=[c.name for c in extra], masters=[c.master for c in ins.muxes] + [ff_name] * len(ins.flops),
        status=np.array([ST_FIXED] * len(ins.muxes) + [ST_PLACED] * len(ins.flops), np.int8),
        x=np.array([round(c.x * dbu) for c in extra], np.int64), y=np.array([round(c.y * dbu) for c in extra], np.int64),
        orient=np.array([V.orient_code(c.orient) for c in extra], np.int8), source=[None] * len(extra),
        line=np.zeros(len(extra), np.int32))
