"""``finevh report RUN_DIR [--out FILE]``: the HTML report of a ``finevh run`` directory.

Reads ``RUN_DIR/summary.json`` (and the run's plan files for the poly-bias flavour
distribution), writes one self-contained ``report.html`` (plots embedded, no external
asset) and the CSV/JSON data under ``report/`` beside it (replaced whole, staged;
a non-empty ``report/`` finevh did not write needs ``--force``); prints the HTML path.
Output paths are checked before the run is read (symlinks, FIFOs, devices refused).
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError


@click.command("report")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="HTML file to write (default RUN_DIR/report.html); data goes to report/ beside it.")
@click.option("--force", is_flag=True,
              help="Replace a non-empty report/ folder that finevh did not write.")
def command(run_dir: Path, out: Path | None, force: bool) -> None:
    """HTML report (plots, tables, CSV/JSON data) of a finevh run directory."""
    from ..report import write_report

    if not run_dir.exists():
        raise InputError("no such run directory", run_dir)
    if run_dir.is_dir() and not (run_dir / "summary.json").is_file():
        raise InputError("no summary.json in the run directory", run_dir)
    click.echo(str(write_report(run_dir, out, force)))
