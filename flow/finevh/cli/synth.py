"""``finevh synth``: synthesise RTL onto a Liberty library with Yosys.

Writes an OpenSTA-readable gate-level netlist and reports the cell count and the
area from Yosys' ``stat -liberty`` (see :mod:`finevh.synth.driver`).
"""

from __future__ import annotations

import click

from ..errors import InputError
from ..fileio import write_text_atomic
from ..synth.driver import synthesize
from ..synth.yosys import merged_liberty


def _params(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in values:
        if "=" not in v:
            raise InputError(f"--param expects NAME=VALUE, got '{v}'")
        k, _, val = v.partition("=")
        out[k.strip()] = val.strip()
    return out


@click.command("synth")
@click.option("--rtl", "rtl", multiple=True, required=True, type=click.Path(dir_okay=False),
              help="Verilog/SystemVerilog source (repeatable).")
@click.option("--top", required=True, help="Top module.")
@click.option("--liberty", "liberty", multiple=True, required=True, type=click.Path(dir_okay=False),
              help="Liberty library (.lib or .lib.gz); repeatable: several files are mapped onto as one.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Mapped netlist (Verilog).")
@click.option("--param", "param", multiple=True, help="Top parameter override NAME=VALUE (repeatable).")
@click.option("--stat-json", "stat_json", type=click.Path(dir_okay=False), default=None,
              help="Write cell counts and area (um^2) as JSON.")
def command(rtl, top, liberty, out, param, stat_json):
    """Synthesise RTL with Yosys onto LIBERTY; report cells and area."""
    from .common import check_files, check_outputs

    check_outputs(out)
    check_outputs(stat_json, what="--stat-json")
    check_files(liberty)
    res = synthesize(list(rtl), top, merged_liberty(liberty), out, parameters=_params(param))
    if stat_json:
        write_text_atomic(stat_json, res.to_json())
    click.echo(f"top {res.top}: {res.cells} cells ({res.sequential} sequential), "
               f"area {res.area_um2:.1f} um^2 on {res.liberty}")
