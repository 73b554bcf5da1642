"""``finevh sweep [CONFIG...] --tiles 3,5,7 --dvdd 200,100 --out DIR``: the ``finevh run``
flow over tile counts × ΔVdd × designs, one dask.distributed task per point.

Back-ends: a local cluster of ``--workers`` processes (default); ``--scheduler
tcp://HOST:PORT`` (an existing dask scheduler and its workers); ``--slurm`` / ``--lsf``
(worker jobs through dask-jobqueue, ``pip install 'finevh[cluster]'``); ``--workers 0``
runs serially in this process. Without CONFIG the bundled demo config is used.
Writes ``DIR/<design>/<T>tiles_<mV>mV/`` per point, ``DIR/<design>/summary.json`` +
``report.html`` merged per design, and ``DIR/sweep.json``; prints the latter's path.
DIR is built in a staging folder beside it and replaces it whole at the end; a
non-empty DIR that is no finevh output needs ``--force``. ``--design-space`` (default
tiles 1..10) adds the saving-vs-area table with its Pareto front (``design_space.csv``
and the report's section); its tasks are groups of tile counts (one per worker), each
one flow with the baselines computed once. ``--frequencies`` reduces the sweep per point.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError
from .common import parse_ints


@click.command("sweep")
@click.argument("configs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--tiles", default=None, help="Tiles per side (N of the N x N mesh)  [default: 3,5,7; "
              "1..10 with --design-space].")
@click.option("--dvdd", default="200,100", show_default=True, help="ΔVdd options, mV.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="Output directory.")
@click.option("--workers", type=int, default=2, show_default=True,
              help="Worker processes (local cluster) or jobs (SLURM/LSF); 0 = serial in this process.")
@click.option("--scheduler", default=None, help="Address of an existing dask scheduler (tcp://host:port).")
@click.option("--slurm", is_flag=True, help="Workers as SLURM jobs (dask-jobqueue).")
@click.option("--lsf", is_flag=True, help="Workers as LSF jobs (dask-jobqueue).")
@click.option("--queue", default=None, help="SLURM partition / LSF queue.")
@click.option("--memory", default="4GB", show_default=True, help="Memory per SLURM/LSF worker job.")
@click.option("--walltime", default="01:00:00", show_default=True, help="Wall time per SLURM/LSF worker job.")
@click.option("--no-report", is_flag=True, help="Do not write the per-design HTML reports.")
@click.option("--design-space", "space", is_flag=True,
              help="Design-space mode: saving vs area overhead per tile count and ΔVdd, Pareto front marked "
                   "(design_space.csv, summary and report); tile counts run in one flow per worker, baselines "
                   "once per flow; a tile count the flow cannot build is recorded, not fatal.")
@click.option("--frequencies", "n_freq", type=int, default=None,
              help="Target frequencies per point (default: the config's).")
@click.option("--force", is_flag=True, help="Replace a non-empty output folder that finevh did not write.")
def command(configs, tiles, dvdd, out, workers, scheduler, slurm, lsf, queue, memory, walltime, no_report, space,
            n_freq, force):
    """Run tile counts x ΔVdd x designs as dask.distributed tasks."""
    from ..run import DEMO_CONFIG
    from ..sweep import sweep

    if sum(bool(x) for x in (scheduler, slurm, lsf)) > 1:
        raise InputError("sweep: choose one of --scheduler, --slurm, --lsf")
    if workers < 0:
        raise InputError("sweep: --workers must be >= 0")
    cfgs = [str(c) for c in configs] or [str(DEMO_CONFIG)]
    for c in cfgs:
        if not Path(c).is_file():
            raise InputError("no such config file", c)
    jobqueue = "slurm" if slurm else "lsf" if lsf else None
    opts = {"queue": queue, "memory": memory, "walltime": walltime} if jobqueue else {}
    if tiles is None:
        tiles = ",".join(str(n) for n in range(1, 11)) if space else "3,5,7"
    path = sweep(cfgs, parse_ints(tiles, "--tiles"), parse_ints(dvdd, "--dvdd"), out, workers=workers,
                 scheduler=scheduler, jobqueue=jobqueue, report=not no_report, force=force, space=space,
                 n_freq=n_freq, **opts)
    click.echo(str(path))
