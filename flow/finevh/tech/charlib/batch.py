"""Many cells: specs from the reference Liberty, a content-hash cache of results, and
serial or dask-parallel runs (the local cluster ``finevh sweep`` uses), with progress.

Cache: one pickle per (cell, flavour, conditions, axes) under
``<finevh cache>/charlib/<sha256>.pkl``; the key hashes the cell netlist after the
flavour swap, the lean model file and the cards it includes, the measured axes, the
conditions and :data:`CACHE_VERSION`, so any change of input re-measures the cell.
"""

from __future__ import annotations

import pickle
import time
from dataclasses import astuple
from pathlib import Path

from ... import progress
from ...fileio import cache_dir, content_digest, write_text_atomic
from ...liberty.model import Library
from ...liberty.reader import read_liberty
from .cell import characterise_cell, netlist_text
from .deck import Conditions
from .pdk import model_file, sky130_root
from .result import CellResult
from .spec import CellSpec, cell_spec, reduce

CACHE_VERSION = "charlib-3"


def conditions(ref: Library, corner: str, temp: float, vdd: float) -> Conditions:
    """Conditions at ``vdd``/``temp`` with the reference library's thresholds."""
    return Conditions(corner, float(temp), float(vdd),
                      ref.slew_lower_threshold_pct_rise / 100.0, ref.slew_upper_threshold_pct_rise / 100.0,
                      ref.slew_derate_from_library, ref.input_threshold_pct_rise / 100.0)


def specs(ref: Library, cells: list[str], points: int | None, constraint_points: int | None,
          seq_points: int | None = None) -> list[CellSpec]:
    """Specs of ``cells``; flip-flops take ``seq_points`` per axis when given."""
    out = []
    for c in cells:
        s = cell_spec(ref, c)
        out.append(reduce(s, seq_points if (s.clock and seq_points) else points, constraint_points))
    return out


def _key(root: Path, spec: CellSpec, cond: Conditions, flavour: str, geometry: bool = True) -> str:
    _n, text = netlist_text(root, spec.name, flavour, geometry)
    mf = model_file(root, cond.corner)
    parts = [text, mf.read_text(), repr(astuple(cond)), flavour, CACHE_VERSION, repr(spec.arcs),
             repr(spec.leakage_when)]
    for line in mf.read_text().splitlines():        # the cards themselves, not just their names
        if line.startswith(".include"):
            p = Path(line.split('"')[1])
            parts.append(str(p.stat().st_size))
    for d in (spec.slews, spec.loads):
        parts += [f"{k}:{v.tolist()}" for k, v in sorted(d.items())]
    parts += [f"{c.pin}:{c.clock_slews.tolist()}:{c.pin_slews.tolist()}" for c in spec.constraints]
    return content_digest("\n".join(parts).encode(), CACHE_VERSION)


def _task(root: str, spec: CellSpec, cond: Conditions, flavour: str, ngspice: str, use_cache: bool,
          geometry: bool = True) -> CellResult:
    """One cell (worker side too): from the cache, else measured and stored."""
    r = Path(root)
    path = cache_dir() / "charlib" / f"{_key(r, spec, cond, flavour, geometry)}.pkl"
    if use_cache and path.is_file():
        try:
            with open(path, "rb") as f:
                return pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass
    res = characterise_cell(r, spec, cond, flavour, ngspice, geometry)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{time.monotonic_ns()}")
    tmp.write_bytes(pickle.dumps(res))
    tmp.replace(path)
    return res


def characterise(cells: list[str], reference: str | Path, corner: str, temp: float, vdd: float, *,
                 flavour: str = "std", points: int | None = None, constraint_points: int | None = None,
                 seq_points: int | None = None,
                 pdk_dir: str | Path | None = None, jobs: int = 1, ngspice: str = "ngspice",
                 use_cache: bool = True, geometry: bool = True) -> list[CellResult]:
    """Characterise ``cells`` (names of the reference Liberty ``reference``) at
    ``corner``/``temp`` (C)/``vdd`` (V), standard (``flavour="std"``) or low-Vt
    (``"lvt"``). ``points``: table points per axis taken from the reference's index
    values (None = all; ``seq_points`` for flip-flops); ``jobs`` > 1 runs cells in parallel on a local dask cluster.
    Returns results in the order of ``cells``."""
    ref = read_liberty(reference)
    cond = conditions(ref, corner, temp, vdd)
    sp = specs(ref, cells, points, constraint_points, seq_points)
    root = str(sky130_root(pdk_dir))
    model_file(Path(root), corner)
    t0 = time.monotonic()
    n = len(sp)
    out: dict[int, CellResult] = {}

    def done(k: int, r: CellResult) -> None:
        out[k] = r
        progress.progress(f"charlib: [{len(out)}/{n}] {r.name} {vdd:g} V {r.seconds:.1f} s (CPU {r.cpu_seconds:.1f} s) "
                          f"(total {time.monotonic() - t0:.1f} s)")

    if jobs <= 1:
        for k, s in enumerate(sp):
            done(k, _task(root, s, cond, flavour, ngspice, use_cache, geometry))
    else:
        from distributed import as_completed

        from ...sweep import make_client

        client, cluster = make_client(workers=jobs)
        try:
            futs = {client.submit(_task, root, s, cond, flavour, ngspice, use_cache, geometry, pure=False,
                                  key=f"charlib-{k}-{s.name}-{flavour}-{vdd:g}"): k for k, s in enumerate(sp)}
            for fut in as_completed(list(futs)):
                done(futs[fut], fut.result())
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    return [out[k] for k in range(n)]


def library_name(vdd: float, corner: str, temp: float, flavour: str) -> str:
    """e.g. ``sky130_fd_sc_hd__ss_n40C_1v40`` / ``sky130_fd_sc_hd_lvt__ss_n40C_1v40``."""
    t = f"n{-temp:g}" if temp < 0 else f"{temp:g}"
    v = f"{vdd:.2f}".replace(".", "v")
    lib = "sky130_fd_sc_hd_lvt" if flavour == "lvt" else "sky130_fd_sc_hd"
    return f"{lib}__{corner}_{t}C_{v}"


def write_library(path: str | Path, results: list[CellResult], name: str | None = None, comment: str = "") -> Path:
    """Write ``results`` (one set of conditions) as a Liberty file (``.gz`` compresses)."""
    import gzip

    from .writer import library_text

    if not results:
        raise ValueError("no results to write")
    cond = results[0].cond
    flav = "lvt" if results[0].name.endswith("__lvt") else "std"
    text = library_text(name or library_name(cond.vdd, cond.corner, cond.temp, flav), cond, results, comment)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    if p.suffix == ".gz":
        tmp = p.with_suffix(".gz.tmp")
        with gzip.GzipFile(tmp, "wb", mtime=0) as f:
            f.write(text.encode())
        tmp.replace(p)
    else:
        write_text_atomic(p, text)
    return p
