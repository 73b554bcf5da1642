"""Argument checks the stage commands share (files exist, outputs writable, tile lists)."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError


def check_files(paths) -> None:
    """Every given input path names an existing file."""
    for f in paths:
        if f and not Path(f).is_file():
            raise InputError("no such file", f)


def check_outputs(*paths, what: str = "--out") -> None:
    """Output files are checked before any work (see :func:`finevh.fileio.check_output_file`)."""
    from ..fileio import check_output_file

    for p in paths:
        if p:
            check_output_file(p, what)


def parse_ints(spec: str, opt: str) -> list[int]:
    """``3`` or ``1,3,5,7``: positive integers of option ``opt``."""
    try:
        out = [int(t) for t in spec.replace(" ", "").split(",") if t]
    except ValueError:
        raise InputError(f"{opt}: a comma-separated list of integers is expected, got '{spec}'") from None
    if not out or min(out) < 1:
        raise InputError(f"{opt}: values must be >= 1, got '{spec}'")
    return out


def parse_tiles(spec: str) -> list[int]:
    """``--tiles 3`` or ``--tiles 1,3,5,7``: tiles per side."""
    return parse_ints(spec, "--tiles")
