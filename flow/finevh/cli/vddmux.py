"""``finevh vddmux``: row-based Vdd-MUX insertion and the configuration flip-flop
chain of a partitioned design (thesis §4.1.2); see :mod:`finevh.fvh.vddmux`.

Needs the plan and the partitioned DEF from ``finevh partition``, and an SDC (the
clock sets the power, hence each tile's peak current). Writes the plan back
(``vddmux``, ``config_chain``) and, with ``--def-out``, a DEF with the switches
(FIXED) and chain flops added and the row cells shifted to make room.
"""

from __future__ import annotations

import json

import click
import numpy as np

from .. import progress
from ..errors import InputError


@click.command("vddmux")
@click.option("--plan", "plan_path", required=True, help="Plan file from finevh partition.")
@click.option("--liberty", "liberty", multiple=True, required=True, help="Liberty file; repeatable.")
@click.option("--verilog", required=True, help="Gate-level Verilog netlist.")
@click.option("--top", default=None, help="Top module.")
@click.option("--lef", "lef", multiple=True, required=True, help="LEF files; repeatable.")
@click.option("--def", "def_file", required=True, help="Partitioned DEF (finevh partition --def-out).")
@click.option("--sdc", required=True, help="SDC (the clock sets the power and the tiles' currents).")
@click.option("--mux-cell", default=None, help="Vdd-MUX master (default: the library's header-switch cell).")
@click.option("--switch-max-ma", type=float, default=None,
              help="Max current of one switch, mA (default: from the switch library's header).")
@click.option("--peak-factor", type=float, default=4.0, show_default=True,
              help="Peak-to-average supply current factor.")
@click.option("--min-per-tile", type=int, default=1, show_default=True, help="Minimum switches per tile.")
@click.option("--chain-ff", default=None, help="Configuration flip-flop master (default: the smallest plain DFF).")
@click.option("--vddh", type=float, default=None, help="VddH, V (default: the design library's voltage).")
@click.option("--out", default=None, help="Plan file to write (default: update --plan).")
@click.option("--def-out", "def_out", default=None, help="DEF with the switches and chain flops.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def command(plan_path, liberty, verilog, top, lef, def_file, sdc, mux_cell, switch_max_ma, peak_factor,
            min_per_tile, chain_ff, vddh, out, def_out, as_json):
    """Insert Vdd-MUX header switches per tile and the configuration chain."""
    from ..fvh import vddmux as V
    from ..fvh.plan import read_plan, write_plan
    from ..layout.defio import ST_FIXED, ST_PLACED, DefComponents
    from ..power.analysis import analyse
    from ..timing import wire
    from ..timing.constraints import read_constraints
    from ..timing.engine import Timer
    from .partition import check_files, write_partitioned_def
    from .polybias import check_plan_matches
    from ..loader import load_design

    check_files([plan_path, verilog, sdc, def_file] + list(liberty) + list(lef))
    if min_per_tile < 0:
        raise InputError(f"--min-per-tile must be >= 0, got {min_per_tile}")
    plan = read_plan(plan_path)
    design = load_design(liberty, verilog, top, lef, def_file)
    check_plan_matches(plan, design, plan_path)
    pl = design.placement
    V.check_in_tiles(plan, pl.x, pl.y, pl.width, pl.height, def_file)
    lef_db = design.meta["lef"]
    cell, mac = V.find_switch_cell(design.libset, lef_db, mux_cell)
    i_max = switch_max_ma if switch_max_ma is not None else V.switch_max_current(design.libset, cell)
    if i_max is None:
        raise InputError(f"no max current for switch '{mac.name}' in its library header: give --switch-max-ma")
    ff_name, ff_w = V.pick_chain_flop(design.libset, lef_db, chain_ff)
    if vddh is None:
        volts = [design.libset.library_of(c).voltage for c in design.cells]
        volts = [v for v in volts if v]
        if not volts:
            raise InputError("the design's library has no voltage: give --vddh")
        vddh = max(volts)
    tc = read_constraints(sdc, design, design.libset)
    wc = wire.from_placement(design, pl)
    r = Timer(design, tc, wc).update()
    pw = analyse(design, tc, slews=r.slew, wire_cap=wc)
    inst_p = pw.inst_internal + pw.inst_switching + pw.inst_leakage
    tile_p = np.bincount(plan.inst_tile, weights=inst_p, minlength=plan.mesh.n_tiles)
    rows_per_tile = int(round(plan.mesh.tile_h / plan.mesh.row_height))
    peak, counts = V.mux_counts(tile_p, vddh, peak_factor, i_max, min_per_tile, rows_per_tile)
    row_orient = {int(round((rw.y - plan.mesh.core[1]) / plan.mesh.row_height)): rw.orient for rw in pl.rows}
    ins = V.insert(plan, pl.x, pl.y, pl.width, counts, mac.name, mac.width, ff_name, ff_w, row_orient)
    plan.vddmux = V.vddmux_plan(mac.name, i_max, peak_factor, ins.muxes, peak, counts)
    plan.config_chain = V.chain(plan, ins.flops, ff_name, "fvh_cfg_clk", "fvh_cfg_in")
    core = plan.mesh.core
    core_area = (core[2] - core[0]) * (core[3] - core[1])
    mux_area = len(ins.muxes) * mac.width * mac.height
    ff_area = len(ins.flops) * ff_w * mac.height
    rep = {
        "tiles": plan.mesh.n_tiles, "vddmux_cell": mac.name, "switch_max_ma": i_max, "peak_factor": peak_factor,
        "vddh_v": vddh, "clock_power_uw": round(float(inst_p.sum()), 6),
        "vddmux_cells": len(ins.muxes), "per_tile_min": int(counts.min()), "per_tile_max": int(counts.max()),
        "tile_peak_ma_max": round(float(peak.max()), 6), "tile_peak_ma_mean": round(float(peak.mean()), 6),
        "chain_ff": ff_name, "chain_length": len(ins.flops), "chain_order": plan.config_chain.tile_order,
        "vddmux_area_um2": round(mux_area, 4), "chain_area_um2": round(ff_area, 4),
        "area_share_pct": round(100.0 * (mux_area + ff_area) / core_area, 4),
        "cells_shifted": ins.shifted,
    }
    plan.reports["vddmux"] = rep
    write_plan(out or plan_path, plan)
    if def_out:
        pl.x = ins.x
        dbu = pl.dbu
        extra = list(ins.muxes) + list(ins.flops)
        comps = DefComponents(
            names=[c.name for c in extra], masters=[c.master for c in ins.muxes] + [ff_name] * len(ins.flops),
            status=np.array([ST_FIXED] * len(ins.muxes) + [ST_PLACED] * len(ins.flops), np.int8),
            x=np.array([round(c.x * dbu) for c in extra], np.int64), y=np.array([round(c.y * dbu) for c in extra], np.int64),
            orient=np.array([V.orient_code(c.orient) for c in extra], np.int8), source=[None] * len(extra),
            line=np.zeros(len(extra), np.int32))
        write_partitioned_def(def_out, design, pl, comps)
    progress.progress(f"vddmux: {len(ins.muxes)} switches ({rep['per_tile_min']}-{rep['per_tile_max']} per tile), "
                      f"chain of {len(ins.flops)} flops")
    if as_json:
        click.echo(json.dumps(rep, indent=2, sort_keys=True))
    else:
        click.echo(format_report(rep, plan), nl=False)


def format_report(r: dict, plan) -> str:
    lines = [f"tiles            {r['tiles']}",
             f"switch           {r['vddmux_cell']}  I_max {r['switch_max_ma']:g} mA, peak factor {r['peak_factor']:g}, "
             f"VddH {r['vddh_v']:g} V",
             f"design power     {r['clock_power_uw']:.3f} uW",
             f"Vdd-MUX cells    {r['vddmux_cells']}  ({r['per_tile_min']}-{r['per_tile_max']} per tile; "
             f"tile peak current max {r['tile_peak_ma_max']:.4f} mA, mean {r['tile_peak_ma_mean']:.4f} mA)",
             f"config chain     {r['chain_length']} x {r['chain_ff']}, tile order "
             + " ".join(str(t) for t in r["chain_order"][:16]) + (" ..." if len(r["chain_order"]) > 16 else ""),
             f"area             switches {r['vddmux_area_um2']:.3f} um^2 + chain {r['chain_area_um2']:.3f} um^2 "
             f"= {r['area_share_pct']:.3f} % of the core",
             f"cells shifted    {r['cells_shifted']}"]
    return "\n".join(lines) + "\n"
