"""``finevh tcl-dir``: print the folder holding ``finevh.tcl`` (used by the Tcl file
itself inside shells, like OpenSTA's, that hide the path of a sourced script)."""

from __future__ import annotations

import click

from ..resources import tcl_dir


@click.command("tcl-dir")
def command() -> None:
    """Print the folder of finevh.tcl (source it from any tool shell)."""
    click.echo(str(tcl_dir()))
