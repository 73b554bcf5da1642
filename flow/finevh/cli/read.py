"""``finevh read``: load a design (Liberty + Verilog [+ LEF/DEF, SDC]) and summarise it.

Prints instances, nets, ports, total cell area (um^2), sequential count, the ten most
used cells and the libraries (name, nominal voltage, flavour); ``--json`` prints the
same as one JSON object. Bad input: one line ``finevh: error: FILE:LINE: msg``, exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import InputError
from ..loader import load_cell_map, load_design


def summarize(design) -> dict:
    """The design summary as a JSON-ready dict (areas um^2, voltages V)."""
    nl = design.netlist
    hist = design.cell_histogram()
    used_libs = {c.library for c in design.cells}
    libs = []
    for L in design.libset.libraries:
        libs.append({"name": L.name, "path": L.path, "nominal_voltage": L.nom_voltage, "voltage": L.voltage,
                     "flavour": L.flavour, "cells": len(L.cells), "used": L.name in used_libs})
    pd = nl.port_dir
    out = {
        "top": nl.top,
        "verilog": nl.source,
        "instances": nl.n_instances,
        "nets": nl.n_nets,
        "ports": len(nl.port_names),
        "inputs": int((pd == 0).sum()),
        "outputs": int((pd == 1).sum()),
        "inouts": int((pd == 2).sum()),
        "pins": design.n_pins,
        "area_um2": round(design.area(), 6),
        "sequential": int(design.is_sequential().sum()),
        "cell_types": len(hist),
        "top_cells": [{"cell": c, "count": k} for c, k in hist[:10]],
        "libraries": libs,
    }
    lef = design.meta.get("lef")
    if lef is not None:
        masters = {c.name for c in design.cells}
        out["lef"] = {"macros": len(lef.macros), "missing_masters": sorted(masters - set(lef.macros))}
    pl = design.placement
    if pl is not None:
        x0, y0, x1, y1 = pl.die
        die_area = (x1 - x0) * (y1 - y0)
        out["placement"] = {"die_um": [x0, y0, x1, y1], "die_area_um2": round(die_area, 6),
                            "placed": int(pl.placed.sum()), "fixed": int(pl.fixed.sum()),
                            "rows": len(pl.rows),
                            "utilisation": round(float(design.area() / die_area), 6) if die_area > 0 else None}
    cons = design.constraints
    if cons is not None:
        out["constraints"] = {
            "clocks": [{"name": c.name, "period_ns": c.period, "sources": list(c.sources)}
                       for c in cons.clocks.values()],
            "input_delays": len(cons.input_delays), "output_delays": len(cons.output_delays),
            "warnings": len(cons.warnings)}
    return out


def format_summary(s: dict) -> str:
    lines = [
        f"design      {s['top']}  ({s['verilog']})",
        f"instances   {s['instances']}",
        f"nets        {s['nets']}",
        f"ports       {s['ports']}  (in {s['inputs']}, out {s['outputs']}, inout {s['inouts']})",
        f"area        {s['area_um2']:.3f} um^2",
        f"sequential  {s['sequential']}",
        f"cell types  {s['cell_types']}",
        "top cells:",
    ]
    for c in s["top_cells"]:
        lines.append(f"  {c['cell']:<32} {c['count']:>8}")
    lines.append("libraries:")
    for L in s["libraries"]:
        nv = "-" if L["nominal_voltage"] is None else f"{L['nominal_voltage']:g} V"
        v = "-" if L["voltage"] is None else f"{L['voltage']:g} V"
        lines.append(f"  {L['name']:<32} nominal {nv:<8} supply {v:<8} flavour {L['flavour'] or '-':<6}"
                     f" {L['cells']} cells{'' if L['used'] else ' (unused)'}")
    if "lef" in s:
        miss = s["lef"]["missing_masters"]
        lines.append(f"lef         {s['lef']['macros']} macros"
                     + (f"; no macro for {len(miss)} used cell(s): {', '.join(miss[:5])}" if miss else ""))
    if "placement" in s:
        p = s["placement"]
        lines.append(f"placement   die {p['die_area_um2']:.3f} um^2, {p['placed']} placed, {p['rows']} rows, "
                     f"utilisation {p['utilisation']}")
    if "constraints" in s:
        for c in s["constraints"]["clocks"]:
            lines.append(f"clock       {c['name']} period {c['period_ns']:g} ns")
    return "\n".join(lines) + "\n"


@click.command("read")
@click.option("--liberty", "liberty", multiple=True, required=True, help="Liberty file (.lib/.lib.gz); repeatable.")
@click.option("--verilog", required=True, help="Structural (gate-level) Verilog netlist.")
@click.option("--top", default=None, help="Top module (default: the one no other module instantiates).")
@click.option("--lef", "lef", multiple=True, help="LEF file (tech LEF first); repeatable.")
@click.option("--def", "def_file", default=None, help="DEF placement (needs --lef).")
@click.option("--sdc", default=None, help="SDC constraints.")
@click.option("--cell-map", "cell_map", default=None,
              help="Map of Verilog gate primitives / behavioural modules to library cells: "
                   "'sky130_hd', 'osu018' or a JSON file.")
@click.option("--decompose-wide-gates", "decompose", is_flag=True,
              help="Gate primitives wider than the --cell-map's cells become trees of mapped gates.")
@click.option("--parser", type=click.Choice(["fast", "pyverilog"]), default="fast", show_default=True,
              help="Verilog reader: the fast structural reader or pyverilog (slow reference).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def command(liberty, verilog, top, lef, def_file, sdc, cell_map, decompose, parser, as_json):
    """Read a design and print a summary."""
    from ..netlist.cellmaps import BUILTIN

    for f in list(liberty) + [verilog] + list(lef) + [x for x in (def_file, sdc, cell_map) if x and x not in BUILTIN]:
        if not Path(f).is_file():
            raise InputError("no such file", f)
    cmap = load_cell_map(cell_map) if cell_map else None
    design = load_design(liberty, verilog, top, lef, def_file, sdc, cmap, parser, decompose)
    s = summarize(design)
    if as_json:
        click.echo(json.dumps(s, indent=2, sort_keys=True))
    else:
        click.echo(format_summary(s), nl=False)
