"""Map RTL (or primitive / behavioural netlists such as ISCAS and EPFL) onto a
Liberty library with Yosys, producing a structural netlist the readers accept.

Low-level helpers (Yosys version, trimmed library copies, Liberty cell-group scan)
and :func:`map_to_liberty`, a path-returning wrapper over the single Yosys script of
:func:`finevh.synth.driver.synthesize` (the settings OpenSTA accepts, see TOOLS.md).
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
import shutil
import subprocess
from pathlib import Path
from typing import Sequence

from ..errors import InputError, ToolError
from ..fileio import atomic_write, cache_dir, read_text
from ..progress import progress

def yosys_version(yosys: str = "yosys") -> str:
    exe = shutil.which(yosys)
    if exe is None:
        raise ToolError(f"'{yosys}' not found on PATH (Debian package 'yosys')")
    out = subprocess.run([exe, "-V"], capture_output=True, text=True, check=False)
    return out.stdout.strip()


def trimmed_liberty(liberty: str | Path, exclude: Sequence[str]) -> Path:
    """A copy of ``liberty`` (plain or .gz) without the cells whose names match any
    glob in ``exclude`` (e.g. ``*lpflow*``), cached under :func:`cache_dir`.
    With an empty ``exclude`` and a plain file, the file itself is returned."""
    p = Path(liberty)
    if not exclude and p.suffix != ".gz":
        return p
    text = read_text(p)
    key = hashlib.sha256(text.encode() + repr(sorted(exclude)).encode()).hexdigest()[:20]
    out = cache_dir() / "liberty" / f"{p.name.removesuffix('.gz').removesuffix('.lib')}_{key}.lib"
    if out.exists():
        return out
    pieces: list[str] = []
    pos = 0
    for name, start, end in liberty_cell_groups(text):
        if start < pos or not any(fnmatch.fnmatchcase(name, g) for g in exclude):
            continue
        if end < 0:
            raise InputError(f"unbalanced braces in cell '{name}'", p, text.count("\n", 0, start) + 1)
        pieces.append(text[pos:start])
        pos = end
    pieces.append(text[pos:])
    with atomic_write(out) as f:
        f.write("".join(pieces))
    return out


def merged_liberty(files: Sequence[str | Path]) -> Path:
    """One Liberty file holding every cell of ``files`` (plain or .gz), cached under
    :func:`cache_dir`: Yosys' ``dfflibmap``/``abc -liberty`` map onto a single file,
    while libraries such as ASAP7 ship one file per cell family. The header (units,
    thresholds, operating conditions) is the first file's; table templates of the others
    that the first lacks are added. One file is returned as is."""
    paths = [Path(f) for f in files]
    if len(paths) == 1:
        return paths[0]
    texts = [read_text(f) for f in paths]
    key = hashlib.sha256("\0".join(texts).encode()).hexdigest()[:20]
    out = cache_dir() / "liberty" / f"merged_{paths[0].name.removesuffix('.gz').removesuffix('.lib')}_{key}.lib"
    if out.exists():
        return out
    starts = []
    for f, t in zip(paths, texts):
        m = re.search(r"^\s*cell\s*\(", t, re.M)
        if m is None:
            raise InputError("no cell group in this Liberty file", f)
        starts.append(m.start())
    head = texts[0][:starts[0]]
    extra: list[str] = []
    for t, s in zip(texts[1:], starts[1:]):
        for m in re.finditer(r"^\s*(lu_table_template|power_lut_template)\s*\(\s*(\w+)\s*\)\s*\{[^{}]*\}", t[:s], re.M):
            if m.group(2) not in head and m.group(0) not in extra:
                extra.append(m.group(0))
    body = "\n".join(t[s:t.rstrip().rfind("}")] for t, s in zip(texts, starts))
    with atomic_write(out) as f:
        f.write(head + "\n".join(extra) + "\n" + body + "\n}\n")
    return out


def map_to_liberty(
    sources: Sequence[str | Path],
    liberty: str | Path,
    top: str,
    out_path: str | Path | None = None,
    *,
    exclude_cells: Sequence[str] = (),
    buffer: tuple[str, str, str] | None = None,
    yosys: str = "yosys",
) -> Path:
    """Synthesise ``sources`` (Verilog) with top module ``top`` onto ``liberty`` and
    return the mapped netlist's path (``out_path`` if given, else the cached file).

    A thin wrapper over :func:`finevh.synth.driver.synthesize` (one Yosys script for
    the whole project). ``exclude_cells``: glob patterns of cells the mapper must not
    use; ``buffer``: ``(cell, in_pin, out_pin)`` for ``insbuf`` so that no ``assign``
    remains between nets. Raises :class:`ToolError` when Yosys fails.
    """
    from .driver import synthesize  # driver builds on this module's helpers

    res = synthesize(sources, top, liberty, out_path, exclude_cells=exclude_cells, buffer=buffer, yosys=yosys)
    return Path(res.netlist)


def liberty_cell_groups(text: str):
    """Yield ``(name, start, end)`` of every ``cell (...) { ... }`` group of a Liberty
    text: ``text[start:end]`` is the whole group, braces included."""
    for m in re.finditer(r'(?m)^\s*cell\s*\(\s*"?([^")\s]+)"?\s*\)\s*\{', text):
        depth, i, n = 0, m.end() - 1, len(text)
        while i < n:
            c = text[i]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        yield m.group(1), m.start(), (i + 1 if depth == 0 else -1)


def _q(p: str | Path) -> str:
    s = str(p)
    if re.search(r"[\s;\"]", s):
        raise ToolError(f"path unusable in a Yosys script (space, ';' or quote): {s}")
    return s
