"""``finevh partition``: the "no-look" N×N tile mesh over a placed design (thesis §4.1.2).

Reads Liberty + Verilog + LEF + DEF, cuts the core into N×N tiles with void wrappers
(width: ``--wrapper`` um, default the minimum spacing of ``--wrapper-layer``, else
the lowest routing layer), assigns and legalises every cell into a tile, finds the
interface cells, and writes the plan file (``--out``, ``*.fvh.json``) and the
partitioned placement (``--def-out``). ``--tiles 1,3,5,7`` sweeps N and prints the
Table 4.1 trend; the plan/DEF written are those of the last N of the list that fits
(a tile count whose tiles are narrower than a cell is reported and skipped).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from .. import progress
from ..errors import InputError


def critical_delay(design, placement, sdc: str) -> dict:
    """Worst setup slack and the critical-path delay (period of the worst endpoint's
    clock minus its slack), ns, with wire capacitance from ``placement``."""
    from ..timing import wire
    from ..timing.constraints import read_constraints
    from ..timing.engine import Timer

    tc = read_constraints(sdc, design, design.libset)
    saved = design.placement
    try:
        design.placement = placement
        r = Timer(design, tc, wire.from_placement(design, placement)).update()
    finally:
        design.placement = saved
    ep = r.worst_endpoint()
    if ep is None:
        return {}
    period = min(c.period for c in tc.clocks) if tc.clocks else float("nan")
    return {"worst_slack_ns": round(ep.slack, 6), "critical_delay_ns": round(period - ep.slack, 6)}


def check_files(paths) -> None:
    for f in paths:
        if f and not Path(f).is_file():
            raise InputError("no such file", f)


def parse_tiles(spec: str) -> list[int]:
    try:
        out = [int(t) for t in spec.replace(" ", "").split(",") if t]
    except ValueError:
        raise InputError(f"--tiles: a list of integers is expected, got '{spec}'") from None
    if not out or min(out) < 1:
        raise InputError(f"--tiles: tile counts per side must be >= 1, got '{spec}'")
    return out


def format_table(rows: list[dict]) -> str:
    head = (f"{'tiles':>6} {'core um^2':>12} {'rows':>5} {'cell um^2':>11} {'overhead':>9} "
            f"{'interface':>10} {'share':>8} {'cells/tile':>13} {'legalised':>9}"
            + (f" {'delay ns':>9}" if any("critical_delay_ns" in r for r in rows) else ""))
    lines = [head]
    for r in rows:
        if "error" in r:
            lines.append(f"{r['tiles']:>6}  -- {r['error']}")
            continue
        lines.append(f"{r['tiles']:>6} {r['core_area_um2']:>12.2f} {r['rows']:>5} {r['cell_area_um2']:>11.2f} "
                     f"{r['area_overhead_pct']:>8.2f}% {r['interface_cells']:>10} {r['interface_share_pct']:>7.2f}% "
                     f"{str(r['cells_per_tile_min']) + '-' + str(r['cells_per_tile_max']):>13} "
                     f"{r['legalised_cells']:>9}"
                     + (f" {r['critical_delay_ns']:>9.4f}" if "critical_delay_ns" in r else ""))
    return "\n".join(lines) + "\n"


@click.command("partition")
@click.option("--liberty", "liberty", multiple=True, required=True, help="Liberty file; repeatable.")
@click.option("--verilog", required=True, help="Gate-level Verilog netlist.")
@click.option("--top", default=None, help="Top module.")
@click.option("--lef", "lef", multiple=True, required=True, help="LEF file (tech LEF first); repeatable.")
@click.option("--def", "def_file", required=True, help="Placed DEF (N = 1 core).")
@click.option("--tiles", "tiles", default="3", show_default=True,
              help="Tiles per side N (N x N mesh); a list 1,3,5,7 sweeps and prints the trend.")
@click.option("--sdc", default=None, help="SDC: also report the critical-path delay per tile count "
                                         "(placement wire capacitance), Table 4.1's delay column.")
@click.option("--wrapper", type=float, default=None,
              help="Wrapper width, um (default: minimum spacing of --wrapper-layer).")
@click.option("--wrapper-layer", default=None, help="LEF layer giving the wrapper width (default: lowest routing layer).")
@click.option("--supply-names", default="VDDH,VDDL,VSS,VVDD_T{id}", show_default=True,
              help="VddH, VddL, ground and per-tile virtual supply net names ({id} = tile id).")
@click.option("--out", default=None, help="Plan file to write (*.fvh.json).")
@click.option("--def-out", "def_out", default=None, help="Partitioned DEF to write.")
@click.option("--json", "as_json", is_flag=True, help="Print the report(s) as JSON.")
def command(liberty, verilog, top, lef, def_file, tiles, sdc, wrapper, wrapper_layer, supply_names, out, def_out, as_json):
    """Partition a placed design into an N x N tile mesh (FINE-VH)."""
    from ..fvh.partition import partition, summary_dict, to_plan, wrapper_from_lef
    from ..fvh.plan import Supplies, write_plan
    from ..loader import load_design

    ns = parse_tiles(tiles)
    check_files(list(liberty) + [verilog, def_file, sdc] + list(lef))
    sup = supply_names.split(",")
    if len(sup) != 4 or "{id}" not in sup[3] or not all(sup):
        raise InputError(f"--supply-names: VDDH,VDDL,VSS,VIRTUAL{{id}} expected, got '{supply_names}'")
    design = load_design(liberty, verilog, top, lef, def_file)
    lef_db = design.meta["lef"]
    if wrapper is None:
        wrapper, layer = wrapper_from_lef(lef_db, wrapper_layer)
    else:
        layer = None
    reports = []
    res = rep = None
    for n in ns:
        try:
            r_n = partition(design, n, wrapper, layer)
        except InputError as e:
            if len(ns) == 1:
                raise
            # a sweep goes on past a tile count the design cannot take
            reports.append({"n": n, "tiles": n * n, "error": e.message})
            progress.warn(f"N={n}: {e.message}")
            continue
        res = r_n
        rep = summary_dict(res)
        if sdc:
            rep.update(critical_delay(design, res.placement, sdc))
        reports.append(rep)
        progress.progress(f"N={n}: {rep['tiles']} tiles, core {rep['core_area_um2']:.1f} um^2 "
                          f"(+{rep['area_overhead_pct']:.2f} %), interface {rep['interface_share_pct']:.1f} %")
    if res is None or rep is None:
        raise InputError(f"no tile count of '{tiles}' fits the design")
    if out:
        plan = to_plan(design, res, rep)
        plan.supplies = Supplies(*sup)
        write_plan(out, plan)
    if def_out:
        write_partitioned_def(def_out, design, res.placement)
    if as_json:
        click.echo(json.dumps(reports[0] if len(reports) == 1 else {"sweep": reports}, indent=2, sort_keys=True))
    else:
        click.echo(format_table(reports), nl=False)


def write_partitioned_def(path: str, design, placement, extra=None) -> None:
    """DEF of ``placement`` (rows, components, pins, nets); ``extra``: a
    :class:`DefComponents` of added instances (Vdd-MUX, chain flops) appended."""
    import numpy as np

    from ..layout.defio import write_def
    from ..layout.placement import to_def
    from ..place.flow import cell_masters, design_def_nets, make_tracks

    lef_db = design.meta["lef"]
    layer = placement.io[0].layer if placement.io else None
    size = lef_db.layers[layer].width if layer and layer in lef_db.layers and lef_db.layers[layer].width else 0.1
    d = to_def(placement, design.netlist.inst_names, cell_masters(design), pin_size=max(size, 0.01),
               nets=design_def_nets(design))
    d.tracks = make_tracks(lef_db, placement.die, d.dbu)
    if extra is not None and len(extra.names):
        c = d.components
        d.components = type(c)(names=c.names + extra.names, masters=c.masters + extra.masters,
                               status=np.concatenate([c.status, extra.status]), x=np.concatenate([c.x, extra.x]),
                               y=np.concatenate([c.y, extra.y]), orient=np.concatenate([c.orient, extra.orient]),
                               source=list(c.source) + list(extra.source),
                               line=np.concatenate([c.line, extra.line]))
    write_def(path, d)


