"""finevh as a real package: sdist -> wheel -> fresh venv -> run from an empty folder.

The module fixture builds the sdist from a copy of the sources (setuptools writes
``build/`` and ``*.egg-info`` beside them; the copy keeps the checkout clean and
parallel runs apart), builds the wheel from the unpacked sdist as ``python -m build``
does (so a file missing from MANIFEST.in fails here too), and installs it with
``--no-deps`` into a venv that sees the machine's packages (numpy, click, ...).
Everything is offline (``--no-index``, ``--no-build-isolation``, no cache).

That venv also sees the editable install of the development checkout (a .pth on
the machine's site-packages), so every test asserts that what ran is the copy
installed in the venv: ``finevh.__file__``, the data root and the demo config are
under the venv's site-packages, and subprocesses run without PYTHONPATH or user
site-packages. A wheel without the package data then fails (tcl-dir, run).

The optional-dependency tests at the end check that a missing extra is one line
``finevh: error: ... pip install 'finevh[EXTRA]'`` with exit code 2.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from importlib.metadata import version as dist_version
from pathlib import Path

import pytest

import finevh
from conftest import no_id  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
# what the build needs from the checkout (the rest of the repository is not packaged)
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "flow/finevh", "tcl",
           "designs/demo", "designs/pe", "designs/sample", "libs/demo28")
JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "_data", "build", "dist")
MIN_SETUPTOOLS = 77  # pyproject.toml [build-system] (SPDX license string)


def _check(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))} -> {r.returncode}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r


class Installed:
    """The venv with the wheel installed, and how to run things in it."""

    def __init__(self, root: Path, wheel: Path, sdist: Path):
        self.root = root
        self.wheel = wheel
        self.sdist = sdist
        self.venv = root / "venv"
        self.python = self.venv / "bin" / "python"
        self.finevh = self.venv / "bin" / "finevh"
        self.cwd = root / "empty"  # an empty folder outside the repository
        self.cwd.mkdir()
        self.env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        self.env.update(PYTHONNOUSERSITE="1", PATH=f"{self.venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")

    def run(self, *args: str | Path) -> subprocess.CompletedProcess:
        return _check([str(a) for a in args], cwd=self.cwd, env=self.env, timeout=600)

    @property
    def site_packages(self) -> Path:
        out = self.run(self.python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
        return Path(out.stdout.strip())


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    have = dist_version("setuptools")
    if int(have.split(".")[0]) < MIN_SETUPTOOLS:
        pytest.fail(f"building finevh needs setuptools>={MIN_SETUPTOOLS} (have {have}): pip install -e '.[test]'")
    root = tmp_path_factory.mktemp("package")
    src = root / "src"
    for rel in SOURCES:
        s = REPO / rel
        if s.is_dir():
            shutil.copytree(s, src / rel, ignore=JUNK)
        else:
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(s, src / rel)
    dist = root / "dist"
    hook = f"from setuptools import build_meta; print(build_meta.build_sdist({str(dist)!r}))"
    name = _check([sys.executable, "-c", hook], cwd=src).stdout.strip().splitlines()[-1]
    sdist = dist / name
    with tarfile.open(sdist) as tf:
        tf.extractall(root / "sdist", filter="data")
    (unpacked,) = (root / "sdist").iterdir()
    _check([sys.executable, "-m", "pip", "wheel", str(unpacked), "--no-deps", "--no-build-isolation", "--no-index",
            "--no-cache-dir", "--disable-pip-version-check", "-w", str(dist)])
    (wheel,) = dist.glob("finevh-*.whl")
    inst = Installed(root, wheel, sdist)
    # no pip in the venv: the machine's pip (seen through system site-packages) installs into it
    _check([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(inst.venv)])
    inst.run(inst.python, "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed", "--no-cache-dir",
             "--disable-pip-version-check", wheel)
    return inst


def test_wheel_ships_the_demo_and_no_junk(installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    data = {n[len("finevh/_data/"):] for n in names if n.startswith("finevh/_data/")}
    expected = set()
    for top in ("tcl", "designs/demo", "designs/pe", "designs/sample", "libs/demo28"):
        for p in (REPO / top).rglob("*"):
            junk = "__pycache__" in p.parts or p.name.startswith(".") or p.name.endswith(("~", ".pyc"))
            if p.is_file() and not junk and p.name != "make.sh":
                expected.add(p.relative_to(REPO).as_posix())
    assert data == expected
    assert sum(n.endswith(".lib") for n in data) == 36 and "libs/demo28/demo28.lef" in data
    assert {"tcl/finevh.tcl", "tcl/finevh/run.tcl", "designs/demo/finevh.toml"} <= data
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", "make.sh")) or n.startswith("tests/")]
    assert "finevh/py.typed" in names and "finevh/resources.py" in names
    assert installed.wheel.stat().st_size < 8e6  # ~2.6 MB: the demo28 libraries compress well
    sdist_names = tarfile.open(installed.sdist).getnames()
    assert not [n for n in sdist_names if "/tests/" in n or "/_data/" in n or "__pycache__" in n]


def test_installed_copy_is_the_one_imported(installed):
    site = installed.site_packages
    assert site.is_relative_to(installed.venv)
    out = installed.run(installed.python, "-c",
                        "import finevh, finevh.resources as r, finevh.run as run; "
                        "print(finevh.__file__); print(r.data_root()); print(run.DEMO_CONFIG)").stdout.split("\n")
    assert Path(out[0]) == site / "finevh" / "__init__.py"
    assert Path(out[1]) == site / "finevh" / "_data"
    assert Path(out[2]) == site / "finevh" / "_data" / "designs" / "demo" / "finevh.toml"


def test_tcl_dir_points_into_the_venv(installed, require_tool):
    d = Path(installed.run(installed.finevh, "tcl-dir").stdout.strip())
    assert d == installed.site_packages / "finevh" / "_data" / "tcl"
    assert (d / "finevh.tcl").is_file() and (d / "finevh" / "run.tcl").is_file()
    # a Tcl shell finds the installed API through `finevh tcl-dir` (PATH has the venv's bin)
    tclsh = require_tool("tclsh")
    script = installed.cwd / "where.tcl"
    script.write_text(f"source {d / 'finevh.tcl'}\nputs $finevh::dir\nputs [finevh::run --version]\n")
    out = installed.run(tclsh, script).stdout.split("\n")
    assert Path(out[0]) == d and out[1] == f"finevh, version {finevh.__version__}"


def test_python_m_finevh_version(installed):
    out = installed.run(installed.python, "-m", "finevh", "--version").stdout.strip()
    assert out == f"finevh, version {finevh.__version__}"


def test_run_demo_from_an_empty_folder(installed):
    installed.run(installed.finevh, "--quiet", "run", "--out", "r", "--tiles", "3", "--frequencies", "2")
    r = installed.cwd / "r"
    assert (r / "report.html").stat().st_size > 1000
    s = json.loads((r / "summary.json").read_text())
    assert s["format"] == "finevh-run-summary" and s["design"] == "fvh_rv32_demo28"
    assert s["tiles_run"] == [9]
    f = s["frequencies_mhz"]
    assert len(f) == 2 and f[0] < f[1] and f[1] == pytest.approx(100.0)  # 10 ns SDC clock
    for dv in ("200mV", "100mV"):
        assert s[dv]["fine_vh_tiles"] == 9
        assert len(s[dv]["fine_vh_uw"]) == len(s[dv]["ideal_dvfs_uw"]) == 2
        assert all(p > 0 for p in s[dv]["fine_vh_uw"])


# ---- missing optional dependencies -------------------------------------------------------

def _block(monkeypatch, *modules: str) -> None:
    """Make ``import MODULE`` fail as if it were not installed."""
    for m in modules:
        monkeypatch.setitem(sys.modules, m, None)


def test_missing_onnx_names_the_accel_extra(run_cli, monkeypatch, tmp_path):
    _block(monkeypatch, "onnx")
    model = tmp_path / "net.onnx"
    model.write_bytes(b"")
    code, out, err = run_cli("accel", "cycles", "--onnx", model)
    assert code == 2 and out == ""
    assert no_id(err) == "finevh: error: reading ONNX needs onnx: pip install 'finevh[accel]'\n"


def test_missing_pymoo_names_the_accel_extra(monkeypatch):
    from finevh.accel.search import nsga2_star
    from finevh.errors import ToolError

    _block(monkeypatch, "pymoo")
    with pytest.raises(ToolError) as e:
        nsga2_star(lambda s: 0.0, {"16": [1.0], "8": [0.5]}, 1, pop=4, max_eval=4)
    assert str(e.value) == "the NSGA-II search needs pymoo: pip install 'finevh[accel]'"


def test_missing_scalesim_and_jobqueue_name_their_extras(monkeypatch):
    from finevh import extras
    from finevh.errors import ToolError

    _block(monkeypatch, "scalesim", "dask_jobqueue")
    with pytest.raises(ToolError, match=r"^the SCALE-Sim reference needs scalesim: pip install 'finevh\[test\]'$"):
        extras.require("scalesim", "the SCALE-Sim reference")
    with pytest.raises(ToolError, match=r"^--slurm needs dask-jobqueue: pip install 'finevh\[cluster\]'$"):
        extras.require("dask_jobqueue", "--slurm")


def test_extras_in_pyproject_match_the_optional_imports():
    import tomllib

    from finevh.extras import OPTIONAL

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    for module, (dist, extra) in OPTIONAL.items():
        assert any(req.split(">")[0].split("=")[0].split("[")[0] == dist for req in extras[extra]), (module, extra)
    assert "finevh[accel]" in extras["test"]
    # an optional package is never a base dependency
    base = {req.split(">")[0].split("=")[0].split("<")[0].split("[")[0] for req in project["dependencies"]}
    assert not base & {dist for dist, _ in OPTIONAL.values()}
