"""``finevh emit``: Tcl for a tool shell (OpenROAD, ICC2, Innovus, PrimeTime, OpenSTA)
or IEEE 1801 UPF from a FINE-VH plan file (``*.fvh.json``); see docs/emit.md."""

from __future__ import annotations

import click

from .. import progress
from ..emit.common import EmitOptions
from ..errors import InputError

_E = EmitOptions()


def _pins(spec: str, n: int, what: str) -> list[str]:
    out = [x.strip() for x in spec.split(",")]
    if len(out) != n or not all(out):
        raise InputError(f"--{what}: {n} comma-separated pin names expected, got '{spec}'")
    return out


def parse_swap_cells(specs) -> dict[str, str]:
    """``FLAVOUR=TEMPLATE`` options -> {flavour: template}; a template is checked once
    here (only ``{cell}`` and ``{from}`` are substituted, never ``str.format``)."""
    from ..emit.common import expand_swap_template

    out: dict[str, str] = {}
    for s in specs:
        if "=" not in s:
            raise InputError(f"--swap-cell: FLAVOUR=TEMPLATE expected, got {s!r}")
        fl, tmpl = s.split("=", 1)
        expand_swap_template(tmpl, "X", "Y")
        out[fl.strip()] = tmpl
    return out


@click.command("emit")
@click.option("--plan", "plan_path", required=True, help="Plan file (*.fvh.json).")
@click.option("--tool", required=True,
              type=click.Choice(["openroad", "icc2", "innovus", "primetime", "opensta", "upf"]),
              help="Target tool (upf: IEEE 1801 power intent).")
@click.option("--out", default=None, help="Output file (default: standard output).")
@click.option("--power-pin", default=_E.power_pin, show_default=True, help="Standard cells' power pin.")
@click.option("--ground-pin", default=_E.ground_pin, show_default=True, help="Ground pin.")
@click.option("--mux-pins", default=",".join((_E.mux_sel, _E.mux_vddh, _E.mux_vddl, _E.mux_out)), show_default=True,
              help="Vdd-MUX select, VddH, VddL and output pins.")
@click.option("--ff-pins", default=",".join((_E.ff_d, _E.ff_ck, _E.ff_q)), show_default=True, help="Configuration flip-flop D, clock, Q pins.")
@click.option("--vddh", type=float, default=_E.vddh_v, show_default=True, help="VddH, V (UPF states).")
@click.option("--vddl", type=float, default=_E.vddl_v, show_default=True, help="VddL, V (UPF states).")
@click.option("--strap-layer", default=_E.strap_layer, show_default=True, help="Layer of the VddH/VddL straps.")
@click.option("--strap-width", type=float, default=_E.strap_width, show_default=True, help="Strap width, um.")
@click.option("--strap-pitch", type=float, default=_E.strap_pitch, help="Strap pitch, um (default: half a tile width).")
@click.option("--swap-cell", "swap_cell", multiple=True,
              help="FLAVOUR=TEMPLATE naming a swap's target cell for the tool ({cell}: the plan's cell, "
                   "{from}: the original), e.g. PB16={cell}_PB16; repeatable.")
@click.option("--high-tiles", default=None,
              help="Tiles at VddH for case analysis (primetime/opensta), e.g. 0,4,8; default all.")
@click.option("--flat-names", is_flag=True,
              help="Instance names are flat ('/' is part of the name, not a hierarchy separator).")
def command(plan_path, tool, out, power_pin, ground_pin, mux_pins, ff_pins, vddh, vddl, strap_layer,
            strap_width, strap_pitch, swap_cell, high_tiles, flat_names):
    """Write the tool script (or UPF) that applies a FINE-VH plan."""
    from dataclasses import replace

    from ..fileio import write_text_atomic
    from ..fvh.plan import read_plan
    from ..stages import emit_stage
    from ..stages.emit import default_swap_templates
    from .common import check_outputs

    check_outputs(out)
    sel, mh, ml, mo = _pins(mux_pins, 4, "mux-pins")
    d, ck, q = _pins(ff_pins, 3, "ff-pins")
    if not 0 < vddl <= vddh:
        raise InputError(f"--vddl {vddl} / --vddh {vddh}: 0 < VddL <= VddH expected")
    if strap_width <= 0 or strap_pitch < 0:
        raise InputError("--strap-width must be > 0 and --strap-pitch >= 0")
    plan = read_plan(plan_path)
    ht = None
    if high_tiles is not None:
        try:
            ht = tuple(sorted({int(x) for x in high_tiles.split(",") if x.strip()}))
        except ValueError:
            raise InputError(f"--high-tiles: tile ids expected, got '{high_tiles}'") from None
        bad = [t for t in ht if not 0 <= t < plan.mesh.n_tiles]
        if bad:
            raise InputError(f"--high-tiles: tile {bad[0]} outside 0..{plan.mesh.n_tiles - 1}")
    opts = EmitOptions(power_pin=power_pin, ground_pin=ground_pin, mux_sel=sel, mux_vddh=mh, mux_vddl=ml,
                       mux_out=mo, ff_d=d, ff_ck=ck, ff_q=q, vddh_v=vddh, vddl_v=vddl, strap_layer=strap_layer,
                       strap_width=strap_width, strap_pitch=strap_pitch, high_tiles=ht, flat_names=flat_names,
                       plan_path=plan_path)
    given = parse_swap_cells(swap_cell)
    auto = {f: t for f, t in default_swap_templates(plan, given).items() if f not in given}
    for fl, tmpl in auto.items():
        progress.warn(f"poly-bias swaps to {fl} keep their cell names: emitting {tmpl} (renamed library "
                      f"copies); give --swap-cell {fl}=TEMPLATE to name them otherwise", plan_path)
    opts = replace(opts, swap_cell=given)
    text = emit_stage(None, None, plan, opts, (tool,)).extra["texts"][tool]
    if out:
        write_text_atomic(out, text)
        progress.progress(f"emit: {tool} script written to {out} ({text.count(chr(10))} lines)")
    else:
        click.echo(text, nl=False)
