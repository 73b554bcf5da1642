"""``finevh tcl-dir``: print the folder holding ``finevh.tcl`` (used by the Tcl file
itself inside shells, like OpenSTA's, that hide the path of a sourced script)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError


@click.command("tcl-dir")
def command() -> None:
    """Print the folder of finevh.tcl (source it from any tool shell)."""
    d = Path(__file__).resolve().parents[3] / "tcl"
    if not (d / "finevh.tcl").is_file():
        raise InputError("finevh.tcl not found beside the package (install with pip install -e)", d)
    click.echo(str(d))
