"""``finevh charlib``: NLDM Liberty characterisation of sky130 HD cells with ngspice,
and ``--compare``: the per-cell table against a reference Liberty."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError


def _floats(text: str, opt: str) -> list[float]:
    try:
        out = [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise InputError(f"{opt} expects comma-separated numbers, got '{text}'") from None
    if not out or any(not (v > 0.0 and v < 10.0) for v in out):
        raise InputError(f"{opt}: supplies must lie in (0, 10) V, got '{text}'")
    return out


def _cells(text: str) -> list[str]:
    p = Path(text[1:]) if text.startswith("@") else None
    if p is not None:
        if not p.is_file():
            raise InputError("no such file", p)
        text = p.read_text()
    lines = [line.split("#", 1)[0] for line in text.splitlines()]
    names = [c for c in " ".join(lines).replace(",", " ").split() if c]
    if not names:
        raise InputError("--cells is empty")
    return names


@click.command("charlib")
@click.option("--reference", required=True,
              help="Reference Liberty (comma-separated: one per --vdd): arcs, functions, leakage states and "
                   "table indices per cell; --compare compares with it.")
@click.option("--cells", required=True, help="Comma-separated cell names, or @FILE (one per line).")
@click.option("--vdd", required=True, help="Comma-separated supplies, V (one library each).")
@click.option("--corner", default="ss", show_default=True, help="Model corner (tt, ss, ff, sf, fs).")
@click.option("--temp", default=-40.0, show_default=True, type=float, help="Temperature, C.")
@click.option("--flavour", type=click.Choice(["std", "lvt"]), default="std", show_default=True,
              help="std: the cells as drawn; lvt: devices swapped to nfet/pfet_01v8_lvt (cells renamed *__lvt).")
@click.option("--points", type=int, default=None, help="Table points per axis, spread over the reference's index values (default: all).")
@click.option("--seq-points", type=int, default=None, help="Table points per axis of flip-flops (default: --points).")
@click.option("--constraint-points", type=int, default=2, show_default=True, help="Setup/hold table points per axis.")
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Folder for the Liberty files (<library>.lib.gz).")
@click.option("--compare", "compare", is_flag=True, help="Print the per-cell error table against --reference.")
@click.option("--jobs", type=int, default=1, show_default=True, help="Cells characterised in parallel (dask local cluster).")
@click.option("--pdk", type=click.Path(file_okay=False), default=None,
              help="sky130 SPICE folder (default $FINEVH_SHARED/data/sky130_spice).")
@click.option("--ngspice", default="ngspice", show_default=True, help="ngspice executable.")
@click.option("--no-cache", is_flag=True, help="Re-measure even when a cached result exists.")
@click.option("--no-geometry", is_flag=True,
              help="Simulate the netlists as shipped: no SkyWater stress (sa/sb/sd) or diffusion (as/ad/ps/pd) values.")
def command(reference, cells, vdd, corner, temp, flavour, points, seq_points, constraint_points, out, compare, jobs, pdk,
            ngspice, no_cache, no_geometry) -> None:
    """Characterise sky130 HD cells with ngspice into NLDM Liberty (delay, slew, capacitance, leakage, setup/hold)."""
    from ..tech.charlib.batch import characterise, library_name, write_library
    from ..tech.charlib.compare import compare_cells, format_table

    vdds = _floats(vdd, "--vdd")
    refs = [r.strip() for r in reference.split(",") if r.strip()]
    if len(refs) == 1:
        refs = refs * len(vdds)
    if len(refs) != len(vdds):
        raise InputError(f"--reference: give one file, or one per --vdd ({len(vdds)})")
    for r in refs:
        if not Path(r).is_file():
            raise InputError("no such file", r)
    if points is not None and points < 2:
        raise InputError("--points must be at least 2")
    if out is None and not compare:
        raise InputError("nothing to do: give --out and/or --compare")
    names = _cells(cells)
    total = 0.0
    for v, ref in zip(vdds, refs):
        res = characterise(names, ref, corner, temp, v, flavour=flavour, points=points,
                           constraint_points=constraint_points, seq_points=seq_points, pdk_dir=pdk, jobs=jobs, ngspice=ngspice,
                           use_cache=not no_cache, geometry=not no_geometry)
        total += sum(r.cpu_seconds for r in res)
        if out is not None:
            name = library_name(v, corner, temp, flavour)
            p = write_library(Path(out) / f"{name}.lib.gz", res, name,
                              f"{name}: sky130 HD cells characterised by finevh charlib with ngspice "
                              f"(corner {corner}, {temp:g} C, {v:g} V, flavour {flavour}); do not edit")
            click.echo(f"charlib: wrote {len(res)} cells to {p}")
        if compare:
            click.echo(format_table(compare_cells(res, ref), f"{corner} {temp:g} C {v:g} V"))
    click.echo(f"charlib: ngspice CPU time {total:.1f} s for {len(names)} cells x {len(vdds)} supplies")
