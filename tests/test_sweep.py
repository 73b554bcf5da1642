"""`finevh sweep`: sweep points as dask.distributed tasks on a real scheduler with two
worker processes on loopback; results must equal the serial run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from finevh import sweep as S
from finevh.fvh.dvfs import evaluate_schemes, frequency_sweep, hopping_levels, vdd_grid


def point_task(point: S.SweepPoint, out_root: str) -> dict:
    """A sweep task with the shape of ``finevh run``'s summary (one tile count, one
    ΔVdd), computed with the project's DVFS schemes; it also writes its run dir."""
    time.sleep(0.3)          # long enough that the scheduler spreads tasks over workers
    grid = vdd_grid()
    fmax = 200 + 800 * (grid - 0.6) / 0.4
    fs = frequency_sweep(fmax[0], fmax[-1], 8)
    power = lambda v, f: 5.0 * v * v * f + 100.0 * v ** 3     # noqa: E731
    pts = [evaluate_schemes(f, grid, fmax, hopping_levels(point.dvdd_mv / 1000.0), power) for f in fs]
    t = point.tiles * point.tiles
    share = [float(min(1.0, 0.2 + 0.05 * t ** 0.5) * (k % 4) / 3) for k in range(fs.size)]
    fine = [p.ideal_dvfs_uw * (1 - 0.2 * s) for p, s in zip(pts, share)]
    name = Path(point.config).stem
    run_dir = Path(out_root) / name / point.label
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "marker.txt").write_text(point.label)
    try:
        from distributed import get_worker

        where = get_worker().address
    except (ImportError, ValueError):
        where = "serial"
    return {"design": name, "frequencies_mhz": fs.tolist(), "tiles_run": [t], "worker": where,
            "run_dir": str(run_dir),
            f"{point.dvdd_mv}mV": {"ideal_dvfs_uw": [p.ideal_dvfs_uw for p in pts],
                                   "vdd_hopping_uw": [p.vdd_hopping_uw for p in pts],
                                   "vdd_dithering_uw": [p.vdd_dithering_uw for p in pts],
                                   "fine_vh_uw": fine, "vddl_area_share": {str(t): share},
                                   "tiles": {str(t): {"fine_vh_uw": fine, "vddl_area_share": share,
                                                      "tile_vdd": [[int(k % 2 == 0 or s == 0)] * t
                                                                   for k, s in enumerate(share)]}}}}


def _configs(tmp_path) -> list[str]:
    out = []
    for name in ("alpha", "beta"):
        p = tmp_path / f"{name}.toml"
        p.write_text(f'[design]\nname = "{name}"\n')
        out.append(str(p))
    return out


def _strip(d):
    """A summary without the execution-place fields."""
    return {k: v for k, v in d.items() if k not in ("worker",)}


@pytest.fixture(autouse=True)
def _task_by_value():
    """The workers cannot import this test module: ship its task function by value."""
    import cloudpickle

    mod = sys.modules[__name__]
    cloudpickle.register_pickle_by_value(mod)
    yield
    cloudpickle.unregister_pickle_by_value(mod)


@pytest.fixture(scope="module")
def loopback_cluster(tmp_path_factory, require_tool, require_module):
    """`dask scheduler` + two `dask worker` processes, all on 127.0.0.1."""
    require_module("distributed")
    tmp_path = tmp_path_factory.mktemp("dask")
    dask = require_tool("dask")
    sf = tmp_path / "scheduler.json"
    env = dict(os.environ)
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(sf)], stdout=subprocess.DEVNULL,
                              stderr=open(tmp_path / "scheduler.log", "w"), env=env, start_new_session=True)]
    try:
        t0 = time.monotonic()
        while not (sf.is_file() and sf.stat().st_size > 0):
            assert time.monotonic() - t0 < 60, (tmp_path / "scheduler.log").read_text()
            assert procs[0].poll() is None, (tmp_path / "scheduler.log").read_text()
            time.sleep(0.2)
        address = json.loads(sf.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for i in range(2):
            procs.append(subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--nworkers", "1",
                                           "--no-nanny", "--no-dashboard", "--host", "127.0.0.1",
                                           "--name", f"w{i}"], stdout=subprocess.DEVNULL,
                                          stderr=open(tmp_path / f"worker{i}.log", "w"), env=env,
                                          start_new_session=True))
        from distributed import Client

        with Client(address, timeout="30s") as c:
            c.wait_for_workers(2, timeout=60)
            assert len(c.scheduler_info()["workers"]) == 2
        yield address
    finally:
        if sf.is_file() and procs[0].poll() is None:
            from distributed import Client

            try:             # orderly: the scheduler tells its workers to close
                with Client(json.loads(sf.read_text())["address"], timeout="10s") as c:
                    c.shutdown()
            except (OSError, TimeoutError):
                pass
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)


def test_real_scheduler_two_workers_equals_serial(tmp_path, loopback_cluster, capfd):
    cfgs = _configs(tmp_path)
    pts = S.points(cfgs, [2, 3], [200, 100])
    assert len(pts) == 8
    serial = S.run_tasks(pts, str(tmp_path / "serial"), point_task, None)
    path = S.sweep(cfgs, [2, 3], [200, 100], tmp_path / "dist", scheduler=loopback_cluster, task=point_task)
    err = capfd.readouterr().err
    assert "sweep: 8 tasks submitted" in err and "sweep: [8/8]" in err
    index = json.loads(path.read_text())
    assert [p["label"] for p in index["points"]] == [p.label for p in pts]
    # both workers ran tasks
    workers = set()
    dist_by_label = {}
    for p in index["points"]:
        assert (Path(p["run_dir"]) / "marker.txt").read_text() == p["label"]
        dist_by_label[(p["design"], p["label"])] = p
    # per design merged summaries equal the serial merge, field by field
    ser = S.combine([(p, dict(s, run_dir=s["run_dir"].replace("/serial/", "/dist/"))) for p, s in serial])
    for name in ("alpha", "beta"):
        got = json.loads((tmp_path / "dist" / name / "summary.json").read_text())
        workers.add(got.pop("worker"))
        exp = json.loads(json.dumps(_strip(ser[name])))
        got_pts = got.pop("sweep_points")
        exp_pts = exp.pop("sweep_points")
        assert got == exp
        assert got_pts == exp_pts
        assert got["tiles_run"] == [4, 9]
        assert sorted(got["200mV"]["tiles"]) == ["4", "9"]
        # the finest tile count's curve is the per-ΔVdd headline (as in finevh run)
        assert got["100mV"]["fine_vh_uw"] == got["100mV"]["tiles"]["9"]["fine_vh_uw"]
        assert (tmp_path / "dist" / name / "report.html").stat().st_size > 10000
    # every task result came back from a worker (not the client process)
    assert all(w.startswith("tcp://127.0.0.1:") for w in workers)


def test_tasks_spread_over_both_workers(tmp_path, loopback_cluster):
    from distributed import Client

    pts = S.points(_configs(tmp_path), [2, 3], [200, 100])
    with Client(loopback_cluster, timeout="30s") as c:
        res = S.run_tasks(pts, str(tmp_path / "o"), point_task, c)
    where = {s["worker"] for _, s in res}
    assert len(where) == 2 and all(w.startswith("tcp://127.0.0.1:") for w in where)
    serial = S.run_tasks(pts, str(tmp_path / "o"), point_task, None)
    assert [_strip(s) for _, s in res] == [_strip(s) for _, s in serial]


def test_combine_rejects_mismatched_frequencies(tmp_path):
    from finevh.errors import ToolError

    a = S.SweepPoint("/x/a.toml", 2, 200)
    b = S.SweepPoint("/x/a.toml", 3, 200)
    with pytest.raises(ToolError, match="other target frequencies"):
        S.combine([(a, {"design": "a", "frequencies_mhz": [1.0]}), (b, {"design": "a", "frequencies_mhz": [2.0]})])


def test_cli_bad_input(tmp_path, run_cli):
    code, _, err = run_cli("sweep", tmp_path / "none.toml", "--out", tmp_path / "o")
    assert code == 2 and "no such config file" in err
    cfg = _configs(tmp_path)[0]
    code, _, err = run_cli("sweep", cfg, "--tiles", "3,x", "--out", tmp_path / "o")
    assert code == 2 and "--tiles: a comma-separated list of integers" in err
    code, _, err = run_cli("sweep", cfg, "--slurm", "--lsf", "--out", tmp_path / "o")
    assert code == 2 and "choose one of" in err


def test_jobqueue_missing_is_a_clear_error(tmp_path, run_cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask_jobqueue", None)     # import fails as if not installed
    cfg = _configs(tmp_path)[0]
    code, _, err = run_cli("sweep", cfg, "--slurm", "--out", tmp_path / "o")
    assert code == 2
    assert "--slurm needs dask-jobqueue: pip install 'finevh[cluster]'" in err


def test_tcl_twin_builds_the_command(tmp_path, repo, require_tool):
    script = tmp_path / "s.tcl"
    script.write_text(f'source {{{repo / "tcl" / "finevh.tcl"}}}\n'
                      f'if {{[catch {{finevh::run_sweep {{{tmp_path / "none.toml"}}} -tiles {{3 5}} -dvdd {{200}} '
                      f'-out {{{tmp_path / "o"}}}}} e]}} {{ puts "ERR=<$e>" }}\n')
    out = subprocess.run([require_tool("tclsh"), str(script)], capture_output=True, text=True, timeout=120)
    assert f"ERR=<finevh: error: {tmp_path / 'none.toml'}: no such config file [" in out.stdout, out.stderr


def test_points_grid_order():
    pts = S.points(["b.toml", "a.toml"], [5, 3], [100, 200])
    assert [(Path(p.config).name, p.tiles, p.dvdd_mv) for p in pts][:4] == \
        [("b.toml", 5, 100), ("b.toml", 5, 200), ("b.toml", 3, 100), ("b.toml", 3, 200)]
    assert pts[0].label == "25tiles_100mV"
    assert np.all([Path(p.config).is_absolute() for p in pts])


def test_default_local_cluster(tmp_path, require_module, capfd):
    """The default back-end: a LocalCluster of 2 worker processes on 127.0.0.1."""
    require_module("distributed")
    cfgs = _configs(tmp_path)[:1]
    path = S.sweep(cfgs, [2], [200, 100], tmp_path / "o", workers=2, task=point_task, report=False)
    err = capfd.readouterr().err
    assert "sweep: 2 points on tcp://127.0.0.1:" in err and "sweep: [2/2]" in err
    got = json.loads((tmp_path / "o" / "alpha" / "summary.json").read_text())
    assert got.pop("worker").startswith("tcp://127.0.0.1:")
    serial = S.run_tasks(S.points(cfgs, [2], [200, 100]), str(tmp_path / "o"), point_task, None)
    exp = json.loads(json.dumps(_strip(S.combine(serial)["alpha"])))
    assert got == exp
    assert json.loads(path.read_text())["designs"]["alpha"] == {"summary": str(tmp_path / "o" / "alpha" / "summary.json")}
