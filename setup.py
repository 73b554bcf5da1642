"""Build hook: ship the repository's tcl/, designs/ and libs/ folders inside the package.

All metadata is in pyproject.toml. This file only extends ``build_py`` so that a
wheel (or a wheel built from the sdist) holds ``finevh/_data/{tcl,designs,libs}``
with the repository's relative layout, where :mod:`finevh.resources` finds them.
Editable installs skip the copy: there :mod:`finevh.resources` uses the repository
folders themselves. MANIFEST.in puts the same files into the sdist.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# repository folders shipped as finevh/_data/<folder>; each keeps only what a user needs
DATA = ("tcl", "designs/demo", "designs/pe", "designs/sample", "libs/demo28")
# never shipped: caches, build junk, regeneration scripts that need the whole repository
EXCLUDE = ("__pycache__", "*.pyc", ".*", "*~", "make.sh")


def _data_files() -> list[tuple[Path, str]]:
    """(source file, path relative to finevh/_data) of every shipped file, sorted."""
    out: list[tuple[Path, str]] = []
    for top in DATA:
        for dirpath, dirnames, filenames in os.walk(ROOT / top):
            dirnames[:] = sorted(d for d in dirnames if not _excluded(d))
            for name in sorted(filenames):
                if not _excluded(name):
                    src = Path(dirpath) / name
                    out.append((src, src.relative_to(ROOT).as_posix()))
    if not any(rel == "tcl/finevh.tcl" for _, rel in out):
        raise SystemExit(f"setup.py: {ROOT / 'tcl/finevh.tcl'} is missing; build from a checkout or the sdist")
    return out


def _excluded(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pat) for pat in EXCLUDE)


class BuildPyWithData(build_py):
    """``build_py`` that also copies :data:`DATA` into ``<build_lib>/finevh/_data``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        dest = Path(self.build_lib) / "finevh" / "_data"
        if dest.exists():  # a stale copy from an earlier build may hold removed files
            shutil.rmtree(dest)
        for src, rel in _data_files():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = super().get_outputs(include_bytecode)
        if getattr(self, "editable_mode", False):
            return outputs
        dest = Path(self.build_lib) / "finevh" / "_data"
        return outputs + [str(dest / rel) for _, rel in _data_files()]


setup(cmdclass={"build_py": BuildPyWithData})
