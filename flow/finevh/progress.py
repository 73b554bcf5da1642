"""Progress and diagnostics on stderr. ``--quiet`` silences progress and warnings;
``--verbose`` adds debug lines. Libraries call :func:`progress` / :func:`warn`; only
the CLI configures the level."""

from __future__ import annotations

import sys

QUIET, NORMAL, VERBOSE = 0, 1, 2
_level = NORMAL


def set_level(level: int) -> None:
    global _level
    _level = level


def progress(msg: str) -> None:
    if _level >= NORMAL:
        print(f"finevh: {msg}", file=sys.stderr, flush=True)


def warn(msg: str, path: str | None = None, line: int | None = None) -> None:
    """A warning, located like an InputError: ``finevh: warning: FILE:LINE: MSG``."""
    if _level >= NORMAL:
        loc = "" if path is None else (f"{path}:{line}: " if line is not None else f"{path}: ")
        print(f"finevh: warning: {loc}{msg}", file=sys.stderr, flush=True)


def debug(msg: str) -> None:
    if _level >= VERBOSE:
        print(f"finevh: debug: {msg}", file=sys.stderr, flush=True)
