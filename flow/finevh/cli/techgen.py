"""``finevh techgen`` (demo28 technology generator) and ``finevh lutchar``
(intra-tile leakage LUTs characterised with ngspice)."""

from __future__ import annotations

from pathlib import Path

import click

from .. import progress
from ..errors import InputError


@click.command("techgen")
@click.option("--out", "out", type=click.Path(file_okay=False), default="libs/demo28", show_default=True,
              help="Output directory.")
@click.option("--check", is_flag=True, help="Do not write: exit 1 when a file in --out differs from a fresh generation.")
@click.option("--only", default="", help="Comma-separated file names or glob patterns (default: every file).")
def command(out: str, check: bool, only: str) -> None:
    """Generate the demo28 technology: 36 Liberty files (0.60-1.00 V x PB0/PB4/PB10/PB16,
    ss 125 C), the LEF and the intra-tile leakage LUTs (see docs/tech.md)."""
    from ..tech.generate import compare, generate

    sel = [t.strip() for t in only.split(",") if t.strip()] or None
    if check:
        bad = compare(out, sel)
        if bad:
            click.echo(f"techgen: {len(bad)} file(s) out of date in {out}: {', '.join(bad)}")
            raise SystemExit(1)
        click.echo(f"techgen: {out} is up to date")
        return
    paths = generate(out, sel, progress=lambda n: progress.debug(f"techgen: wrote {n}"))
    size = sum(p.stat().st_size for p in paths)
    click.echo(f"techgen: wrote {len(paths)} files ({size / 1e6:.1f} MB) to {out}")


def _floats(text: str, opt: str) -> list[float]:
    try:
        return [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise InputError(f"{opt} expects comma-separated voltages, got '{text}'") from None


@click.command("lutchar")
@click.option("--spice", required=True, type=click.Path(dir_okay=False), help="SPICE file with the cells' .subckt.")
@click.option("--models", required=True, type=click.Path(dir_okay=False), help="Device model file (.include'd).")
@click.option("--cells", required=True, help="Comma-separated subckt names.")
@click.option("--vdd", "vdd", required=True, type=float, help="VddH, V.")
@click.option("--vddl", required=True, help="Comma-separated VddL values, V.")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="LUT file to write.")
@click.option("--flavour", default="PB0", show_default=True, help="Flavour tag of the tables.")
@click.option("--temp", default=125.0, show_default=True, help="Simulation temperature, C.")
@click.option("--outputs", default=",".join(("Y", "Z", "ZN", "X", "Q", "QN", "GCK", "OUT", "CO", "S")),
              show_default=True, help="Port names treated as outputs.")
@click.option("--ngspice", default="ngspice", show_default=True, help="ngspice executable.")
def lutchar(spice, models, cells, vdd, vddl, out, flavour, temp, outputs, ngspice) -> None:
    """Characterise intra-tile leakage LUTs with ngspice (batch mode)."""
    from ..tech.lut import write_lut
    from ..tech.spice import characterise

    names = [c.strip() for c in cells.split(",") if c.strip()]
    if not names:
        raise InputError("--cells is empty")
    lut = characterise(spice, models, names, vdd, _floats(vddl, "--vddl"), flavour=flavour, temp=temp,
                       outputs=tuple(o.strip() for o in outputs.split(",") if o.strip()), ngspice=ngspice)
    write_lut(out, lut, header=f"finevh lutchar: ngspice on {Path(spice).name} with {Path(models).name}, {temp:g} C")
    n = sum(len(v) for v in lut.tables.values())
    click.echo(f"lutchar: wrote {n} cell tables to {out}")
