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

import click

from .. import progress
from ..errors import InputError
from ..stages.options import PartitionOptions
from .common import check_files, check_outputs, parse_tiles

_D = PartitionOptions()


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
@click.option("--lef", "lef", multiple=True, help="LEF file (tech LEF first); repeatable. Without LEF, cell "
              "footprints come from Liberty area / DEF row height and the wrapper is one site.")
@click.option("--def", "def_file", required=True, help="Placed DEF (N = 1 core).")
@click.option("--tiles", "tiles", default=str(_D.tiles), show_default=True,
              help="Tiles per side N (N x N mesh); a list 1,3,5,7 sweeps and prints the trend.")
@click.option("--sdc", default=None, help="SDC: also report the critical-path delay per tile count "
                                         "(placement wire capacitance), Table 4.1's delay column.")
@click.option("--wrapper", type=float, default=_D.wrapper_um,
              help="Wrapper width, um (default: minimum spacing of --wrapper-layer).")
@click.option("--wrapper-layer", default=_D.wrapper_layer,
              help="LEF layer giving the wrapper width (default: lowest routing layer).")
@click.option("--supply-names", default=",".join(_D.supply_names), show_default=True,
              help="VddH, VddL, ground and per-tile virtual supply net names ({id} = tile id).")
@click.option("--out", default=None, help="Plan file to write (*.fvh.json).")
@click.option("--def-out", "def_out", default=None, help="Partitioned DEF to write.")
@click.option("--json", "as_json", is_flag=True, help="Print the report(s) as JSON.")
def command(liberty, verilog, top, lef, def_file, tiles, sdc, wrapper, wrapper_layer, supply_names, out, def_out,
            as_json):
    """Partition a placed design into an N x N tile mesh (FINE-VH)."""
    from ..fvh.plan import write_plan
    from ..loader import load_design
    from ..stages import partition_stage
    from ..stages.partition import parse_supply_names, write_partitioned_def
    from ..timing.constraints import read_constraints

    ns = parse_tiles(tiles)
    check_files(list(liberty) + [verilog, def_file, sdc] + list(lef))
    sup = parse_supply_names(supply_names)
    check_outputs(out)
    check_outputs(def_out, what="--def-out")
    design = load_design(liberty, verilog, top, lef, def_file)
    tc = read_constraints(sdc, design, design.libset) if sdc else None
    reports = []
    last = None
    for n in ns:
        try:
            r_n = partition_stage(design, tc, None, PartitionOptions(n, wrapper, wrapper_layer, sup))
        except InputError as e:
            if len(ns) == 1:
                raise
            # a sweep goes on past a tile count the design cannot take
            reports.append({"n": n, "tiles": n * n, "error": e.message})
            progress.warn(f"N={n}: {e.message}")
            continue
        last = r_n
        rep = r_n.report
        reports.append(rep)
        progress.progress(f"N={n}: {rep['tiles']} tiles, core {rep['core_area_um2']:.1f} um^2 "
                          f"(+{rep['area_overhead_pct']:.2f} %), interface {rep['interface_share_pct']:.1f} %")
    if last is None:
        raise InputError(f"no tile count of '{tiles}' fits the design")
    if out:
        write_plan(out, last.plan)
    if def_out:
        write_partitioned_def(def_out, design, last.extra["placement"])
    if as_json:
        click.echo(json.dumps(reports[0] if len(reports) == 1 else {"sweep": reports}, indent=2, sort_keys=True))
    else:
        click.echo(format_table(reports), nl=False)

