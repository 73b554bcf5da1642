"""``finevh sweep``: tile counts × ΔVdd × designs as dask.distributed tasks.

Each sweep point (one config, one tile count N per side, one ΔVdd) is one task that
runs the whole ``finevh run`` flow for that point (:func:`run_point`) and writes its
own run directory ``OUT/<design>/<N*N>tiles_<mV>mV/``. Results come back as they
finish (progress on stderr) and are merged per design into
``OUT/<design>/summary.json`` (the ``finevh run`` layout, so ``finevh report`` and
``finevh compare`` work on it) and an index ``OUT/sweep.json``.

Output safety: ``OUT`` is checked before any work (and, with the default task, every
config is loaded and its design name checked as a file-name component). The whole
sweep is built in a staging folder beside ``OUT`` (:class:`finevh.fileio.StagedDir`)
holding an ``INCOMPLETE`` file until every point has finished; the index
``sweep.json`` (``"status": "complete"``) is written last, then the folder replaces
``OUT`` whole. A failed or killed sweep leaves ``OUT`` as it was. ``OUT`` may replace
an earlier finevh output; any other non-empty folder needs ``force``. Paths in the
index and the merged summaries name the final location under ``OUT``.

Where the tasks run:

- default: a local cluster of worker processes on this machine
  (``LocalCluster(n_workers, threads_per_worker=1, processes=True)``, loopback only);
- ``scheduler="tcp://host:port"``: an existing dask scheduler (``dask scheduler`` +
  ``dask worker`` processes started by the user, on any machines that see the same
  file system);
- ``slurm`` / ``lsf``: worker jobs submitted through dask-jobqueue (optional extra
  ``finevh[cluster]``; imported only then);
- ``workers=0``: serially in this process (no dask; the reference the distributed
  results are checked against).
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Callable

from . import progress
from .errors import InputError, ToolError
from .extras import require
from .fileio import StagedDir, safe_filename_component, write_text_atomic

#: File present in a sweep folder while its points are still running.
INCOMPLETE = "INCOMPLETE"


@dataclass(frozen=True, order=True)
class SweepPoint:
    """One task: ``config`` (TOML path, absolute), ``tiles`` per side, ``dvdd_mv``."""

    config: str
    tiles: int
    dvdd_mv: int
    n_freq: int | None = None        # target frequencies (None: the config's)
    #: a group of tile counts / ΔVdd run as ONE flow (design-space mode: the baselines,
    #: which depend on neither, are computed once per group instead of once per point)
    tiles_all: tuple[int, ...] = ()
    dvdd_all: tuple[int, ...] = ()

    @property
    def tile_counts(self) -> tuple[int, ...]:
        return self.tiles_all or (self.tiles,)

    @property
    def dvdds(self) -> tuple[int, ...]:
        return self.dvdd_all or (self.dvdd_mv,)

    @property
    def label(self) -> str:
        if not self.tiles_all and not self.dvdd_all:
            return f"{self.tiles * self.tiles}tiles_{self.dvdd_mv}mV"
        return ("+".join(str(n * n) for n in self.tile_counts) + "tiles_"
                + "+".join(str(mv) for mv in self.dvdds) + "mV")


TaskFn = Callable[[SweepPoint, str], dict]


def points(configs: list[str], tiles: list[int], dvdd_mv: list[int], n_freq: int | None = None) -> list[SweepPoint]:
    """The sweep grid, in a stable order (config, tiles, ΔVdd)."""
    if not configs or not tiles or not dvdd_mv:
        raise InputError("sweep: at least one config, one tile count and one ΔVdd are needed")
    if n_freq is not None and n_freq < 2:
        raise InputError("sweep: --frequencies must be >= 2")
    return [SweepPoint(str(Path(c).resolve()), int(n), int(mv), n_freq)
            for c in configs for n in tiles for mv in dvdd_mv]


def group_points(configs: list[str], tiles: list[int], dvdd_mv: list[int], n_freq: int | None = None,
                 groups: int = 1) -> list[SweepPoint]:
    """The design-space grid as ``groups`` tasks per config: the tile counts dealt round
    robin (sorted) into at most ``groups`` groups, each group running every ΔVdd in one
    flow. Same results as :func:`points` (each tile count's stages are independent of the
    others') with the baselines computed ``groups`` times per config instead of once per
    point."""
    single = points(configs, tiles, dvdd_mv, n_freq)          # validates the grid
    ts, mvs = sorted(set(tiles)), tuple(dict.fromkeys(int(mv) for mv in dvdd_mv))
    k = max(1, min(int(groups), len(ts)))
    out = []
    for c in dict.fromkeys(p.config for p in single):
        for g in range(k):
            grp = tuple(ts[g::k])
            out.append(SweepPoint(c, grp[0], mvs[0], n_freq, tiles_all=grp, dvdd_all=mvs))
    return out


def run_point(point: SweepPoint, out_root: str) -> dict:
    """Run the flow of ``finevh run`` for one sweep point (or one group of tile counts
    and ΔVdd); write its run directory ``out_root/<design>/<label>/`` and return its
    summary (with ``run_dir``)."""
    from .run import load_config, run_flow, write_outputs

    cfg = load_config(point.config)
    cfg = replace(cfg, tiles=list(point.tile_counts), delta_vdd_mv=list(point.dvdds))
    if point.n_freq is not None:
        cfg = replace(cfg, n_freq=point.n_freq)
    out = Path(out_root) / safe_filename_component(cfg.name, "[design] name", point.config) / point.label
    res = run_flow(cfg)
    write_outputs(res, out)
    s = dict(res.summary)
    s["run_dir"] = str(out)
    return s


def design_space_point(point: SweepPoint, out_root: str) -> dict:
    """:func:`run_point` for the design-space mode: a point the flow cannot build (e.g.
    too many tiles for the rows: the Vdd-MUX insertion fails) is recorded as failed
    with its one-line reason instead of stopping the whole sweep."""
    from .errors import FinevhError
    from .run import load_config

    try:
        return run_point(point, out_root)
    except (FinevhError, RuntimeError, ValueError) as e:
        progress.warn(f"sweep: {point.label}: {e}")
        if len(point.tile_counts) == 1:
            return {"failed": str(e), "design": load_config(point.config).name}
    # a group failed: run its tile counts one by one, keeping those that build
    merged: dict = {}
    failed_tiles: list[dict] = []
    for n in point.tile_counts:
        one = replace(point, tiles=n, tiles_all=(n,))
        s = design_space_point(one, out_root)
        if "failed" in s:
            failed_tiles += [{"tiles": n * n, "dvdd_mv": mv, "reason": s["failed"]} for mv in point.dvdds]
        else:
            merged = _merge(merged, s)
    if not merged:
        return {"failed": failed_tiles[0]["reason"], "design": load_config(point.config).name}
    merged["tiles_run"] = sorted({n * n for n in point.tile_counts} - {f["tiles"] for f in failed_tiles})
    merged["failed_tiles"] = failed_tiles
    return merged


def _pareto(rows: list[dict], key: str) -> list[bool]:
    """True for rows no other row dominates (area overhead <=, saving ``key`` >=, one strict)."""
    out = []
    for r in rows:
        dom = any(o is not r and o["area_overhead_pct"] <= r["area_overhead_pct"] and o[key] >= r[key]
                  and (o["area_overhead_pct"] < r["area_overhead_pct"] or o[key] > r[key]) for o in rows)
        out.append(not dom)
    return out


def design_space(summary: dict, failed: list[dict] | None = None) -> dict:
    """Design-space table of a merged sweep summary: per (tile count, ΔVdd), the mean
    per-point power saving of FINE-VH (headline variant) against (a) thesis-style ideal-DVFS
    and against the strongest baseline, and the area overhead in % of the one-tile core:
    ``border`` = the mesh's wrappers (``partition.area_overhead_pct``) and ``vddmux`` = the
    Vdd-MUX switches and configuration chain (``vddmux.area_share_pct`` of the mesh core,
    rescaled to the one-tile core). ``pareto_*``: not dominated in (area overhead,
    saving) over every row, for either saving."""
    rows: list[dict] = []
    for key in sorted((k for k in summary if str(k).endswith("mV")), key=lambda k: -float(k[:-2])):
        blk = summary[key]
        for nt, t in sorted(blk.get("tiles", {}).items(), key=lambda kv: int(kv[0])):
            part, mux = summary.get("partition", {}).get(nt, {}), summary.get("vddmux", {}).get(nt, {})
            border = float(part.get("area_overhead_pct", 0.0))
            vm = float(mux.get("area_share_pct", 0.0)) * (1 + border / 100)
            ideal = blk["ideal_dvfs_uw"]
            thesis = sum(100 * (1 - a / b) for a, b in zip(t["fine_vh_uw"], ideal)) / len(ideal)
            ms = t.get("variants", {}).get(t.get("variant"), {}).get("mean_savings_pct", {})
            rows.append({"tiles": int(nt), "dvdd_mv": int(float(key[:-2])), "variant": t.get("variant"),
                         "saving_vs_thesis_pct": round(thesis, 4),
                         "saving_vs_strongest_pct": round(float(ms.get("vs_strongest", float("nan"))), 4),
                         "border_area_pct": round(border, 4), "vddmux_area_pct": round(vm, 4),
                         "area_overhead_pct": round(border + vm, 4)})
    for key in ("saving_vs_thesis_pct", "saving_vs_strongest_pct"):
        ok = [r for r in rows if r[key] == r[key]]
        flags = dict(zip(map(id, ok), _pareto(ok, key)))
        for r in rows:
            r["pareto_" + key[len("saving_vs_"):-len("_pct")]] = bool(flags.get(id(r), False))
    return {"rows": rows, "failed": list(failed or [])}


def design_space_csv(ds: dict) -> str:
    """The design-space rows as CSV (one line per tile count and ΔVdd)."""
    cols = ["tiles", "dvdd_mv", "variant", "saving_vs_thesis_pct", "saving_vs_strongest_pct", "border_area_pct",
            "vddmux_area_pct", "area_overhead_pct", "pareto_thesis", "pareto_strongest"]
    lines = [",".join(cols)] + [",".join(str(r[c]) for c in cols) for r in ds["rows"]]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- merging

def _merge(a: Any, b: Any) -> Any:
    """Deep merge of two summaries of the same design: objects are merged key by key,
    anything else from ``b`` wins (``b`` is the later point: larger tile count)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for k, v in b.items():
            out[k] = _merge(a[k], v) if k in a else v
        return out
    return b


def combine(results: list[tuple[SweepPoint, dict]]) -> dict[str, dict]:
    """Per design, one summary in the ``finevh run`` layout merging every point.

    Points are merged in (tiles, ΔVdd) order so per-ΔVdd fields that name "the finest
    tile count" (``fine_vh_uw``...) end up with the largest one; ``tiles_run`` is the
    union of tile counts. Frequencies must agree across a design's points."""
    by_design: dict[str, list[tuple[SweepPoint, dict]]] = {}
    for p, s in sorted(results, key=lambda ps: (max(ps[0].tile_counts), max(ps[0].dvdds), ps[0].config)):
        by_design.setdefault(str(s.get("design", Path(p.config).stem)), []).append((p, s))
    out: dict[str, dict] = {}
    for design, items in sorted(by_design.items()):
        merged: dict = {}
        tiles_run: set[int] = set()
        for p, s in items:
            s = {k: v for k, v in s.items() if k not in ("run_dir", "failed_tiles")}
            if merged and s.get("frequencies_mhz") != merged.get("frequencies_mhz"):
                raise ToolError(f"sweep: {design}: {p.label} has other target frequencies than the "
                                "design's first point; cannot merge")
            tiles_run |= {int(t) for t in s.get("tiles_run", [n * n for n in p.tile_counts])}
            merged = _merge(merged, s)
        merged["tiles_run"] = sorted(tiles_run)
        merged["sweep_points"] = [{"tiles": p.tiles * p.tiles, "dvdd_mv": p.dvdd_mv, "run_dir": s.get("run_dir")}
                                  if not p.tiles_all and not p.dvdd_all else
                                  {"tiles": [n * n for n in p.tile_counts], "dvdd_mv": list(p.dvdds),
                                   "run_dir": s.get("run_dir")} for p, s in items]
        out[design] = merged
    return out


# --------------------------------------------------------------------------- clusters

def _need_distributed():
    try:
        import distributed
    except ImportError:
        raise ToolError("finevh sweep needs dask.distributed: pip install 'dask[distributed]'") from None
    return distributed


def make_client(workers: int = 2, scheduler: str | None = None, jobqueue: str | None = None,
                queue: str | None = None, memory: str = "4GB", walltime: str = "01:00:00"):
    """A dask ``Client`` (and the cluster it owns, or None) for the chosen back-end."""
    distributed = _need_distributed()
    if scheduler:
        return distributed.Client(scheduler, timeout="30s"), None
    if jobqueue:
        dask_jobqueue = require("dask_jobqueue", f"--{jobqueue}")
        cls = {"slurm": dask_jobqueue.SLURMCluster, "lsf": dask_jobqueue.LSFCluster}[jobqueue]
        cluster = cls(cores=1, processes=1, memory=memory, walltime=walltime, queue=queue)
        cluster.scale(jobs=max(workers, 1))
        return distributed.Client(cluster), cluster
    # loopback only; the scheduler's HTTP server (dashboard) on a free loopback port
    cluster = distributed.LocalCluster(n_workers=max(workers, 1), threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address="127.0.0.1:0")
    return distributed.Client(cluster), cluster


def _call(blob: bytes, point: SweepPoint, out_root: str) -> dict:
    """Worker side: unpickle the task function and run it on one point."""
    import cloudpickle

    return cloudpickle.loads(blob)(point, out_root)


def run_tasks(pts: list[SweepPoint], out_root: str, task: TaskFn = run_point, client=None) -> list[tuple[SweepPoint, dict]]:
    """Run ``task(point, out_root)`` for every point: serially when ``client`` is None,
    else as dask tasks gathered with ``as_completed``. Progress on stderr. Returns
    (point, result) in the order of ``pts``."""
    n = len(pts)
    t0 = time.monotonic()
    results: dict[SweepPoint, dict] = {}
    if client is None:
        for k, p in enumerate(pts, 1):
            results[p] = task(p, out_root)
            progress.progress(f"sweep: [{k}/{n}] {Path(p.config).name} {p.label} done "
                              f"({time.monotonic() - t0:.1f} s)")
        return [(p, results[p]) for p in pts]
    import cloudpickle
    from distributed import as_completed

    # ship the task with cloudpickle: by reference for importable functions (run_point),
    # by value for a user's script (__main__) or modules registered with
    # cloudpickle.register_pickle_by_value, which dask's own pickling may not honour
    blob = cloudpickle.dumps(task)
    futures = {client.submit(_call, blob, p, out_root, pure=False, key=f"finevh-{k}-{p.label}"): p
               for k, p in enumerate(pts)}
    progress.progress(f"sweep: {n} tasks submitted")
    done = 0
    try:
        for fut in as_completed(list(futures)):
            p = futures[fut]
            results[p] = fut.result()          # re-raises the task's error here
            done += 1
            progress.progress(f"sweep: [{done}/{n}] {Path(p.config).name} {p.label} done "
                              f"({time.monotonic() - t0:.1f} s)")
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise
    return [(p, results[p]) for p in pts]


def write_sweep(out_dir: str | Path, results: list[tuple[SweepPoint, dict]], report: bool = True,
                final_dir: str | Path | None = None, space: bool = False) -> Path:
    """Write per-design merged summaries (+ HTML reports) and, last, ``sweep.json``
    (``"status": "complete"``); returns its path. ``final_dir``: where ``out_dir`` will
    be moved (a staging folder's target); paths recorded in the files name it.
    ``space``: add the design-space table (:func:`design_space`) to each merged summary
    (``design_space``) and write ``design_space.csv`` beside it; failed points are listed."""
    out = Path(out_dir)
    final = Path(final_dir) if final_dir is not None else out

    def where(p: Path) -> str:
        return str(final / p.relative_to(out))

    failed = [(p, s) for p, s in results if "failed" in s]
    results = [(p, s) for p, s in results if "failed" not in s]
    if not results:
        raise ToolError("sweep: every point failed: " + "; ".join(f"{p.label}: {s['failed']}" for p, s in failed))
    designs = combine(results)
    if space:
        for name, summary in designs.items():
            fl = [{"tiles": n * n, "dvdd_mv": mv, "reason": s["failed"]} for p, s in failed
                  if s.get("design") in (name, Path(p.config).stem) for n in p.tile_counts for mv in p.dvdds]
            fl += [f for p, s in results if s.get("design") == name for f in s.get("failed_tiles", [])]
            fl.sort(key=lambda f: (f["tiles"], -f["dvdd_mv"]))
            summary["design_space"] = design_space(summary, fl)
    index = {"format": "finevh-sweep", "version": 1, "status": "complete",
             "points": [dict({k: v for k, v in asdict(p).items() if v != ()}, label=p.label, design=str(s.get("design")), run_dir=s.get("run_dir"))
                        for p, s in results],
             "designs": {}}
    for name, summary in designs.items():
        d = out / safe_filename_component(name, "design name")
        write_text_atomic(d / "summary.json", json.dumps(summary, indent=1, sort_keys=True) + "\n")
        entry = {"summary": where(d / "summary.json")}
        if "design_space" in summary:
            write_text_atomic(d / "design_space.csv", design_space_csv(summary["design_space"]))
            entry["design_space"] = where(d / "design_space.csv")
        if report and any(str(k).endswith("mV") for k in summary):
            from .report import write_report

            entry["report"] = where(write_report(d))
        index["designs"][name] = entry
    with contextlib.suppress(FileNotFoundError):
        (out / INCOMPLETE).unlink()
    path = out / "sweep.json"
    write_text_atomic(path, json.dumps(index, indent=1, sort_keys=True) + "\n")
    return final / "sweep.json"


def _relocate(results: list[tuple[SweepPoint, dict]], stage: StagedDir) -> list[tuple[SweepPoint, dict]]:
    """``run_dir`` of every result: from the staging folder to its final place."""
    out = []
    for p, s in results:
        rd = s.get("run_dir")
        if isinstance(rd, str) and stage.tmp is not None and Path(rd).is_relative_to(stage.tmp):
            s = dict(s, run_dir=str(stage.final_path(rd)))
        out.append((p, s))
    return out


def _check_configs(configs: list[str]) -> None:
    """Load every config up front: a bad config or a design name unfit for a folder
    name fails before any point runs."""
    from .run import load_config

    for c in configs:
        safe_filename_component(load_config(c).name, "[design] name", c)


def sweep(configs: list[str], tiles: list[int], dvdd_mv: list[int], out_dir: str | Path, *,
          workers: int = 2, scheduler: str | None = None, jobqueue: str | None = None,
          task: TaskFn | None = None, report: bool = True, force: bool = False, space: bool = False,
          n_freq: int | None = None, **cluster_opts) -> Path:
    """The whole ``finevh sweep``; returns the path of ``sweep.json``. ``force``:
    replace a non-empty ``out_dir`` that is no finevh output. ``space``: the design-space
    mode (failed points recorded, :func:`design_space` table); ``n_freq``: target
    frequencies per point (None: the config's)."""
    if task is None and space:
        # one flow per group of tile counts: baselines once per group, not once per point
        serial = workers == 0 and not scheduler and not jobqueue
        pts = group_points(configs, tiles, dvdd_mv, n_freq, 1 if serial else workers)
        task = design_space_point
    else:
        pts = points(configs, tiles, dvdd_mv, n_freq)
    if task is None:
        task = run_point
    stage = StagedDir(out_dir, force, kind="sweep")        # checks OUT before any work
    serial = workers == 0 and not scheduler and not jobqueue
    if not serial:
        _need_distributed()
        if jobqueue:
            require("dask_jobqueue", f"--{jobqueue}")
    if task in (run_point, design_space_point):
        _check_configs(sorted({p.config for p in pts}))
    with stage as tmp:
        (tmp / INCOMPLETE).write_text("finevh sweep in progress: this folder is not a complete result\n",
                                      encoding="utf-8")
        if serial:
            results = run_tasks(pts, str(tmp), task, None)
        else:
            client, cluster = make_client(workers, scheduler, jobqueue, **cluster_opts)
            try:
                progress.progress(f"sweep: {len(pts)} points on {client.scheduler.address}")
                results = run_tasks(pts, str(tmp), task, client)
            finally:
                client.close()
                if cluster is not None:
                    cluster.close()
        path = write_sweep(tmp, _relocate(results, stage), report, final_dir=stage.out, space=space)
    return path
