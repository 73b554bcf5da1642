"""``finevh place``: the embedded placer, for designs that come without a DEF.

A DEF from a real place-and-route tool always takes precedence (give it to the
other stages with ``--def``); this stage only exists so the flow can run from a
netlist alone. It sizes a core from the cell area, ``--utilization`` and
``--aspect`` (height/width), places IO pins evenly around the die, runs quadratic
global placement with spreading, legalises onto rows and sites and writes a DEF
(atomically). Deterministic for a given ``--seed``.
"""

from __future__ import annotations

import json
import time

import click

from .. import progress


@click.command("place")
@click.option("--lef", "lef", multiple=True, required=True, help="LEF file (tech LEF first); repeatable.")
@click.option("--liberty", "liberty", multiple=True, required=True, help="Liberty file; repeatable.")
@click.option("--verilog", required=True, help="Gate-level Verilog netlist.")
@click.option("--top", default=None, help="Top module.")
@click.option("--utilization", type=float, default=0.7, show_default=True, help="Cell area / core area.")
@click.option("--aspect", type=float, default=1.0, show_default=True, help="Core height / width.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed (initial jitter).")
@click.option("--out", required=True, help="DEF file to write.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def command(lef, liberty, verilog, top, utilization, aspect, seed, out, as_json):
    """Place a netlist (fallback when no DEF exists) and write a DEF."""
    from ..layout.defio import write_def
    from ..layout.placement import to_def
    from ..place.flow import cell_masters, design_def_nets, make_tracks, place_design
    from ..loader import load_design

    from .common import check_files, check_outputs

    check_files(list(liberty) + [verilog] + list(lef))
    check_outputs(out)
    design = load_design(liberty, verilog, top, lef)
    lef_db = design.meta["lef"]
    t0 = time.perf_counter()
    pl, res = place_design(design, lef_db, utilization, aspect, seed)
    dt = time.perf_counter() - t0
    masters = cell_masters(design)
    layer = pl.io[0].layer if pl.io else None
    size = lef_db.layers[layer].width if layer and lef_db.layers[layer].width else 0.1
    d = to_def(pl, design.netlist.inst_names, masters, pin_size=max(size, 0.01), nets=design_def_nets(design))
    d.tracks = make_tracks(lef_db, pl.die, d.dbu)
    write_def(out, d)
    fp = res.floorplan
    s = {
        "out": out, "instances": pl.n_instances, "rows": fp.n_rows, "sites_per_row": fp.n_sites,
        "die_um": list(fp.die), "core_um": list(fp.core),
        "utilization": round(float((pl.width * pl.height).sum()) / ((fp.core[2] - fp.core[0]) * (fp.core[3] - fp.core[1])), 4),
        "hpwl_um": round(res.hpwl, 3), "global_hpwl_um": round(res.global_hpwl, 3),
        "iterations": res.iterations, "seconds": round(dt, 3), "seed": seed,
    }
    progress.progress(f"placed {pl.n_instances} instances in {dt:.2f} s: HPWL {res.hpwl:.1f} um, wrote {out}")
    if as_json:
        click.echo(json.dumps(s, indent=2, sort_keys=True))
    else:
        click.echo(f"placed {s['instances']} instances on {s['rows']} rows x {s['sites_per_row']} sites, "
                   f"utilization {s['utilization']}, HPWL {s['hpwl_um']} um -> {out}")
