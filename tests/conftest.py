"""Shared test fixtures.

- ``shared_data``: the third-party data folder ``../shared/data`` (read, never copied).
- ``require_tool(name)``: returns the tool's path; skips when it is missing, except
  under ``FINEVH_REQUIRE_TOOLS=1`` (set by CI), where a missing tool FAILS the test.
- ``require_file(path)``: the same for a file a package installs (osu018).
- ``run_cli(*args)``: runs ``finevh`` in-process and returns (exit_code, stdout, stderr).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

# helper modules beside the tests (opensta, runconfig) import by name
sys.path.insert(0, str(Path(__file__).resolve().parent))

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FINEVH_SHARED", REPO.parent / "shared"))
#: current OpenSTA (3.x): $FINEVH_OPENSTA3, else where scripts/setup.sh builds it
STA3 = Path(os.environ.get("FINEVH_OPENSTA3", Path.home() / ".cache/opensta-737b52f/bin/sta"))


def tools_required() -> bool:
    return os.environ.get("FINEVH_REQUIRE_TOOLS") == "1"


def need(condition: bool, what: str) -> None:
    """Skip (or fail under FINEVH_REQUIRE_TOOLS=1) when ``condition`` is false."""
    if condition:
        return
    if tools_required():
        pytest.fail(f"required for this test but missing: {what}")
    pytest.skip(f"missing: {what}")


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_data() -> Path:
    d = SHARED / "data"
    need(d.is_dir(), f"shared data folder {d}")
    return d


@pytest.fixture(scope="session")
def require_tool():
    def _require(name: str) -> str:
        path = shutil.which(name)
        need(path is not None, f"tool '{name}' on PATH")
        return path  # type: ignore[return-value]

    return _require


@pytest.fixture(scope="session")
def sta3() -> str:
    """OpenSTA 3.x, the timing/power reference (fails when missing under
    FINEVH_REQUIRE_TOOLS=1)."""
    need(STA3.exists(), f"OpenSTA 3.x at {STA3}")
    return str(STA3)


@pytest.fixture(scope="session")
def require_module():
    """``require_module(name)`` imports and returns a Python module; same skip/fail
    semantics as ``require_tool``."""
    import importlib
    import importlib.util

    def _require(name: str):
        need(importlib.util.find_spec(name) is not None, f"Python module '{name}'")
        return importlib.import_module(name)

    return _require


@pytest.fixture(scope="session")
def require_file():
    """Like ``require_tool`` for a file a Debian package installs (e.g. osu018)."""

    def _require(path) -> Path:
        p = Path(path)
        need(p.exists(), f"file {p}")
        return p

    return _require


@pytest.fixture
def run_cli():
    from click.testing import CliRunner

    from finevh.cli import cli

    def _run(*args: str):
        runner = CliRunner()
        r = runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
        return r.exit_code, r.stdout, r.stderr

    return _run


@pytest.fixture(autouse=True)
def _progress_level_reset():
    """The CLI sets a process-wide verbosity (``-q``); in-process tests must not
    inherit it from the test that ran before them."""
    from finevh import progress

    progress.set_level(progress.NORMAL)
    yield
    progress.set_level(progress.NORMAL)


def no_id(text: str) -> str:
    """``text`` with the message IDs (`` [SDC-0012]``) at the ends of its lines removed."""
    import re

    return re.sub(r" \[[A-Z]{2,3}-\d{4}\]$", "", text, flags=re.M)
