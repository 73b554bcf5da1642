"""``finevh compare RUN GOLDEN [--rtol R] [--atol A]``: regression check of a run.

Every number of every ``*.json`` / ``*.csv`` file under GOLDEN (a directory, or one
file) is compared with the file at the same relative path under RUN. Exit 0 when all
are within ``|new - golden| <= atol + rtol*|golden|``; else a table of what moved
(file, key path, golden, new, relative change) on stdout and exit 1. Missing or
malformed files: one-line error with file:line, exit 2.
"""

from __future__ import annotations

from pathlib import Path

import click


@click.command("compare")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.argument("golden_dir", type=click.Path(path_type=Path))
@click.option("--rtol", type=float, default=1e-6, show_default=True, help="Relative tolerance.")
@click.option("--atol", type=float, default=1e-9, show_default=True, help="Absolute tolerance.")
@click.pass_context
def command(ctx: click.Context, run_dir: Path, golden_dir: Path, rtol: float, atol: float) -> None:
    """Compare a run's figures with golden results (exit 1 when any moved)."""
    from ..compare import compare, format_table

    cmp = compare(run_dir, golden_dir, rtol=rtol, atol=atol)
    click.echo(format_table(cmp), nl=False)
    if not cmp.ok:
        ctx.exit(1)
