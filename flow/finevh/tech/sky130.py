"""SkyWater sky130 SPICE material: extraction of the shared archives into a cache.

``$FINEVH_SHARED/data/sky130_spice`` holds two archives (device models of
``sky130_fd_pr`` and the HD cells' transistor netlists of ``sky130_fd_sc_hd``, see the
README there). :func:`extract` unpacks each once, side by side, into
``<cache>/sky130_spice/f62031a-ac7fb61/{sky130_fd_pr,sky130_fd_sc_hd}`` (``<cache>`` =
:func:`finevh.fileio.cache_dir`)
and returns the paths the characterisers need. A finished extraction is marked by a
``.complete`` file; an interrupted one is redone.

Corner convention (the shipped Liberty files ``ss_n40C_1v28/1v40/1v76``): model library
``models/sky130.lib.spice`` section ``ss`` at -40 C. The library's ``all.spice`` sets
``.option scale=1.0u`` (the cell netlists give w/l in um with a ``u`` suffix).
"""

from __future__ import annotations

import os
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..fileio import cache_dir

PR_ARCHIVE = "sky130_fd_pr-spice-f62031a.tar.gz"
HD_ARCHIVE = "sky130_fd_sc_hd-spice-ac7fb61.tar.gz"
HD_PREFIX = "sky130_fd_sc_hd__"
#: the corner of the shared ss Liberty files
SS_SECTION, SS_TEMP = "ss", -40.0


@dataclass(frozen=True)
class Sky130Spice:
    """Paths of an extracted copy."""

    models: Path         # models/sky130.lib.spice (use with .lib <models> <section>)
    cells: Path          # cells/ of sky130_fd_sc_hd: <cell>/sky130_fd_sc_hd__<cell>_<drive>.spice

    def netlist(self, cell: str) -> Path:
        """SPICE file of a HD cell given as ``sky130_fd_sc_hd__nand2_1`` or ``nand2_1``."""
        short = cell[len(HD_PREFIX):] if cell.startswith(HD_PREFIX) else cell
        base = short.rsplit("_", 1)[0] if "_" in short else short
        p = self.cells / base / f"{HD_PREFIX}{short}.spice"
        if not p.is_file():
            raise InputError(f"no sky130 HD netlist for cell '{cell}' (looked for {p})")
        return p


def shared_dir() -> Path:
    """``$FINEVH_SHARED/data/sky130_spice`` (default /work/shared)."""
    return Path(os.environ.get("FINEVH_SHARED") or "/work/shared") / "data" / "sky130_spice"


def extract(source: str | Path | None = None, cache: str | Path | None = None) -> Sky130Spice:
    """Extract both archives of ``source`` (default :func:`shared_dir`) once, side by
    side (``sky130_fd_pr/``, ``sky130_fd_sc_hd/``), into ``cache`` (default
    ``cache_dir()/sky130_spice/<archive names>``) and return their paths."""
    src = Path(source) if source else shared_dir()
    pr, hd = src / PR_ARCHIVE, src / HD_ARCHIVE
    for a in (pr, hd):
        if not a.is_file():
            raise InputError("no such file (sky130 SPICE archive; see the README of data/sky130_spice)", a)
    root = (Path(cache) if cache else cache_dir() / "sky130_spice") / "f62031a-ac7fb61"
    if not (root / ".complete").is_file():
        tmp = root.with_name(root.name + f".tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        for arc, sub in ((pr, "sky130_fd_pr"), (hd, "sky130_fd_sc_hd")):
            with tarfile.open(arc) as tf:
                tf.extractall(tmp / sub, filter="data")
        (tmp / ".complete").write_text("extracted\n")
        try:
            os.replace(tmp, root)
        except OSError:            # another process finished first
            shutil.rmtree(tmp, ignore_errors=True)
            if not (root / ".complete").is_file():
                raise
    return Sky130Spice(models=root / "sky130_fd_pr" / "models" / "sky130.lib.spice",
                       cells=root / "sky130_fd_sc_hd" / "cells")
