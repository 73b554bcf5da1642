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


def _pairs(text: str) -> list[tuple[float, float]]:
    out = []
    for tok in (t.strip() for t in text.split(",")):
        if not tok:
            continue
        a, sep, b = tok.partition("/")
        try:
            if not sep:
                raise ValueError
            out.append((float(a), float(b)))
        except ValueError:
            raise InputError(f"--pairs expects comma-separated VddL/VddH pairs such as 1.40/1.76, got '{tok}'") from None
    return out


@click.command("lutchar")
@click.option("--spice", required=True, multiple=True, type=click.Path(dir_okay=False),
              help="SPICE file with the cells' .subckt (repeatable).")
@click.option("--models", required=True, type=click.Path(dir_okay=False),
              help="Device model file (.include'd, or .lib'd with --section).")
@click.option("--section", default=None, help="Model library section (corner), e.g. ss: load --models with .lib.")
@click.option("--cells", required=True, help="Comma-separated subckt names.")
@click.option("--vdd", "vdd", default=None, type=float, help="VddH, V.")
@click.option("--vddl", default="", help="Comma-separated VddL values, V.")
@click.option("--pairs", default="", help="Comma-separated VddL/VddH pairs, V (instead of --vdd/--vddl).")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="LUT file to write.")
@click.option("--flavour", default="PB0", show_default=True, help="Flavour tag of the tables.")
@click.option("--temp", default=125.0, show_default=True, help="Simulation temperature, C.")
@click.option("--gmin", default=1e-18, show_default=True, type=float,
              help="ngspice gmin, S (its default 1e-12 hides a cold cell's leakage).")
@click.option("--outputs", default=",".join(("Y", "Z", "ZN", "X", "Q", "QN", "GCK", "OUT", "CO", "S")),
              show_default=True, help="Port names treated as outputs.")
@click.option("--ngspice", default="ngspice", show_default=True, help="ngspice executable.")
def lutchar(spice, models, section, cells, vdd, vddl, pairs, out, flavour, temp, gmin, outputs, ngspice) -> None:
    """Characterise intra-tile leakage LUTs with ngspice (batch mode)."""
    from ..tech.lut import write_lut
    from ..tech.spice import characterise

    names = [c.strip() for c in cells.split(",") if c.strip()]
    if not names:
        raise InputError("--cells is empty")
    if not gmin > 0.0 or gmin != gmin or gmin == float("inf"):
        raise InputError(f"--gmin must be a positive number, got {gmin}")
    pl = _pairs(pairs) if pairs else None
    if pl is None and (vdd is None or not vddl):
        raise InputError("give --vdd and --vddl, or --pairs")
    lut = characterise(list(spice), models, names, vdd, _floats(vddl, "--vddl") if vddl else None, flavour=flavour,
                       temp=temp, outputs=tuple(o.strip() for o in outputs.split(",") if o.strip()),
                       ngspice=ngspice, pairs=pl, section=section, gmin=gmin,
                       progress_cb=lambda a, b: progress.progress(f"lutchar: pair {a:g}/{b:g} V done"))
    corner = f" section {section}" if section else ""
    src = ", ".join(Path(s).name for s in spice) if len(spice) <= 3 else f"{len(spice)} SPICE files"
    write_lut(out, lut, header=f"finevh lutchar: ngspice on {src} with "
                               f"{Path(models).name}{corner}, {temp:g} C")
    n = sum(len(v) for v in lut.tables.values())
    click.echo(f"lutchar: wrote {n} cell tables to {out}")
