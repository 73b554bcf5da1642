"""Regression comparison of a run against golden results (``finevh compare``).

The golden side defines what is checked: every ``*.json`` and ``*.csv`` file under
GOLDEN_DIR (or the one golden file given) must exist at the same relative path in
RUN_DIR, and every number in it must match within tolerance:
``|new - golden| <= atol + rtol * |golden|`` (numpy ``isclose``; ``null``/NaN match
only each other). JSON numbers are found by walking objects and lists (key paths like
``200mV.tiles.49.fine_vh_uw[3]``); booleans count as numbers (0/1); strings in JSON
are not compared (they hold paths and names that differ between machines). CSV files
are compared cell by cell under their header; non-numeric cells (e.g. tile supplies
``L``/``H``) must be equal. Keys present in the run but not in the golden are ignored
(new figures do not break old goldens); keys missing from the run are reported.

Bad input (a missing file, malformed JSON, a ragged CSV) raises
:class:`~finevh.errors.InputError` with the file and line.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from .errors import InputError
from .fileio import read_text

MISSING = "missing"


@dataclass(frozen=True)
class Moved:
    """One figure outside tolerance (``golden``/``new``: number, text, or ``missing``)."""

    file: str
    key: str
    golden: Any
    new: Any

    @property
    def rel_change(self) -> float:
        if isinstance(self.golden, (int, float)) and isinstance(self.new, (int, float)):
            g, n = float(self.golden), float(self.new)
            if math.isfinite(g) and math.isfinite(n):
                if g == 0:
                    return math.inf if n != 0 else 0.0
                return (n - g) / abs(g)
        return math.nan


@dataclass
class Comparison:
    files: list[str]
    checked: int                 # figures compared
    moved: list[Moved]
    rtol: float
    atol: float

    @property
    def ok(self) -> bool:
        return not self.moved


def _load_json(path: Path) -> Any:
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"malformed JSON: {e.msg}", path, e.lineno) from None


def _leaves(obj: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(key path, value) of every number / null / string leaf, in document order."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _leaves(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _leaves(v, f"{prefix}[{i}]")
    else:
        yield prefix, obj


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) or v is None


def _as_float(v: Any) -> float:
    return math.nan if v is None else float(v)


def close(golden: float, new: float, rtol: float, atol: float) -> bool:
    if math.isnan(golden) or math.isnan(new):
        return math.isnan(golden) and math.isnan(new)
    if math.isinf(golden) or math.isinf(new):
        return golden == new
    return abs(new - golden) <= atol + rtol * abs(golden)


def _num_cell(s: str) -> float | None:
    t = s.strip()
    if t.lower() in ("nan", "", "-"):
        return math.nan if t.lower() == "nan" else None
    try:
        return float(t)
    except ValueError:
        return None


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    text = read_text(path)
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise InputError("empty CSV (a header line is expected)", path, 1)
    header = rows[0]
    if len(set(header)) != len(header):
        raise InputError("CSV header has duplicate column names", path, 1)
    body = []
    for i, r in enumerate(rows[1:], start=2):
        if not r:
            continue
        if len(r) != len(header):
            raise InputError(f"{len(r)} cells for {len(header)} columns", path, i)
        body.append(r)
    return header, body


def compare_json(golden: Path, new: Path, name: str, rtol: float, atol: float) -> tuple[int, list[Moved]]:
    g = dict(_leaves(_load_json(golden)))
    n = dict(_leaves(_load_json(new)))
    moved: list[Moved] = []
    checked = 0
    for key, gv in g.items():
        if isinstance(gv, str):
            continue
        checked += 1
        if key not in n:
            moved.append(Moved(name, key, gv, MISSING))
            continue
        nv = n[key]
        if not _is_num(nv) or isinstance(nv, str):
            moved.append(Moved(name, key, gv, nv))
        elif not close(_as_float(gv), _as_float(nv), rtol, atol):
            moved.append(Moved(name, key, gv, nv))
    return checked, moved


def compare_csv(golden: Path, new: Path, name: str, rtol: float, atol: float) -> tuple[int, list[Moved]]:
    gh, gb = _read_csv(golden)
    nh, nb = _read_csv(new)
    col = {c: i for i, c in enumerate(nh)}
    moved: list[Moved] = []
    checked = 0
    for r, grow in enumerate(gb):
        for c, gcell in enumerate(grow):
            key = f"row{r + 1}.{gh[c]}"
            checked += 1
            if r >= len(nb) or gh[c] not in col:
                moved.append(Moved(name, key, gcell, MISSING))
                continue
            ncell = nb[r][col[gh[c]]]
            gv, nv = _num_cell(gcell), _num_cell(ncell)
            if gv is None or nv is None:
                if gcell.strip() != ncell.strip():
                    moved.append(Moved(name, key, gcell, ncell))
            elif not close(gv, nv, rtol, atol):
                moved.append(Moved(name, key, gv, nv))
    return checked, moved


def golden_files(golden: Path) -> list[Path]:
    """Files compared, relative to ``golden`` (a directory) or ``[golden]`` (a file)."""
    if golden.is_file():
        return [Path(golden.name)]
    if not golden.is_dir():
        raise InputError("no such golden file or directory", golden)
    files = sorted(p.relative_to(golden) for p in golden.rglob("*")
                   if p.is_file() and p.suffix in (".json", ".csv"))
    if not files:
        raise InputError("no *.json or *.csv golden file", golden)
    return files


def compare(run: str | Path, golden: str | Path, rtol: float = 1e-6, atol: float = 1e-9) -> Comparison:
    """Compare RUN (directory or file) against GOLDEN (same kind)."""
    run, golden = Path(run), Path(golden)
    if rtol < 0 or atol < 0:
        raise InputError("tolerances must be >= 0")
    if not run.exists():
        raise InputError("no such run file or directory", run)
    rels = golden_files(golden)
    checked, moved = 0, []
    for rel in rels:
        g = golden if golden.is_file() else golden / rel
        n = run if run.is_file() else run / rel
        if not n.is_file():
            raise InputError(f"missing in the run (golden {g})", n)
        fn = compare_csv if rel.suffix == ".csv" else compare_json
        c, m = fn(g, n, str(rel), rtol, atol)
        checked += c
        moved += m
    return Comparison([str(r) for r in rels], checked, moved, rtol, atol)


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return f"{v:.6g}"
    if v is None:
        return "null"
    return str(v)


def format_table(cmp: Comparison, limit: int = 200) -> str:
    """Table of what moved (file, key, golden, new, relative change)."""
    if cmp.ok:
        return (f"compare: {cmp.checked} figures in {len(cmp.files)} files within "
                f"rtol={cmp.rtol:g} atol={cmp.atol:g}\n")
    rows = [(m.file, m.key, _fmt(m.golden), _fmt(m.new),
             "" if math.isnan(m.rel_change) else f"{100 * m.rel_change:+.4g}%") for m in cmp.moved[:limit]]
    head = ("file", "key", "golden", "new", "rel. change")
    w = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    line = "  ".join(h.ljust(w[i]) for i, h in enumerate(head)).rstrip()
    out = [line, "  ".join("-" * x for x in w)]
    out += ["  ".join(c.ljust(w[i]) for i, c in enumerate(r)).rstrip() for r in rows]
    if len(cmp.moved) > limit:
        out.append(f"... {len(cmp.moved) - limit} more")
    out.append(f"compare: {len(cmp.moved)} of {cmp.checked} figures moved beyond "
               f"rtol={cmp.rtol:g} atol={cmp.atol:g}")
    return "\n".join(out) + "\n"
