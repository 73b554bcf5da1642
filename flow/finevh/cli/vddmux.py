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

from .. import progress
from ..stages.options import VddmuxOptions
from .common import check_files, check_outputs

_D = VddmuxOptions()


@click.command("vddmux")
@click.option("--plan", "plan_path", required=True, help="Plan file from finevh partition.")
@click.option("--liberty", "liberty", multiple=True, required=True, help="Liberty file; repeatable.")
@click.option("--verilog", required=True, help="Gate-level Verilog netlist.")
@click.option("--top", default=None, help="Top module.")
@click.option("--lef", "lef", multiple=True, required=True, help="LEF files; repeatable.")
@click.option("--def", "def_file", required=True, help="Partitioned DEF (finevh partition --def-out).")
@click.option("--sdc", required=True, help="SDC (the clock sets the power and the tiles' currents).")
@click.option("--mux-cell", default=_D.mux_cell,
              help="Vdd-MUX master (default: the library's header-switch cell).")
@click.option("--switch-max-ma", type=float, default=_D.switch_max_ma,
              help="Max current of one switch, mA (default: from the switch library's header).")
@click.option("--peak-factor", type=float, default=_D.peak_factor, show_default=True,
              help="Peak-to-average supply current factor.")
@click.option("--min-per-tile", type=int, default=_D.min_per_tile, show_default=True,
              help="Minimum switches per tile.")
@click.option("--chain-ff", default=_D.chain_ff,
              help="Configuration flip-flop master (default: the smallest plain DFF).")
@click.option("--vddh", type=float, default=_D.vddh, help="VddH, V (default: the design's own supply).")
@click.option("--power-rules", type=click.Choice(["3", "2.0"]), default=_D.activity.opensta_rules, show_default=True,
              help="Activity propagation and internal-power rules: OpenSTA 3.x ('3') or 2.0.17 ('2.0').")
@click.option("--input-activity", nargs=2, type=float, default=_D.activity.input_default, show_default=True,
              help="Input activity for the tile power: transitions per clock cycle and duty.")
@click.option("--out", default=None, help="Plan file to write (default: update --plan).")
@click.option("--def-out", "def_out", default=None, help="DEF with the switches and chain flops.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def command(plan_path, liberty, verilog, top, lef, def_file, sdc, mux_cell, switch_max_ma, peak_factor,
            min_per_tile, chain_ff, vddh, input_activity, power_rules, out, def_out, as_json):
    """Insert Vdd-MUX header switches per tile and the configuration chain."""
    from ..fvh.plan import read_plan, write_plan
    from ..loader import load_design
    from ..stages.options import flow_activity
    from ..stages import vddmux_stage
    from ..stages.common import check_plan_matches
    from ..stages.partition import write_partitioned_def
    from ..stages.vddmux import added_components
    from ..timing.constraints import read_constraints
    from ..validate import activity_duty

    check_files([plan_path, verilog, sdc, def_file] + list(liberty) + list(lef))
    check_outputs(out or plan_path)
    check_outputs(def_out, what="--def-out")
    act = activity_duty(input_activity, "--input-activity")
    plan = read_plan(plan_path)
    design = load_design(liberty, verilog, top, lef, def_file)
    check_plan_matches(plan, design, plan_path)
    tc = read_constraints(sdc, design, design.libset)
    opts = VddmuxOptions(mux_cell, switch_max_ma, peak_factor, min_per_tile, chain_ff, vddh,
                         flow_activity(input_default=act, opensta_rules=power_rules))
    res = vddmux_stage(design, tc, plan, opts)
    rep = res.report
    write_plan(out or plan_path, plan)
    if def_out:
        pl = design.placement
        pl.x = res.extra["insert"].x
        write_partitioned_def(def_out, design, pl, added_components(res, pl.dbu))
    progress.progress(f"vddmux: {rep['vddmux_cells']} switches ({rep['per_tile_min']}-{rep['per_tile_max']} "
                      f"per tile), chain of {rep['chain_length']} flops")
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
