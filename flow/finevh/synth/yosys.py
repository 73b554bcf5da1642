"""Map RTL (or primitive / behavioural netlists such as ISCAS and EPFL) onto a
Liberty library with Yosys, producing a structural netlist the readers accept.

Minimal by design: one function, :func:`map_to_liberty`. The Yosys script follows the
settings that OpenSTA accepts (see TOOLS.md): ``synth -flatten``, ``dfflibmap``,
``abc -liberty``, ``setundef -zero``, ``splitnets -ports``, ``opt_clean -purge``,
optional ``insbuf`` and ``write_verilog -noattr -noexpr -simple-lhs``.

Results are cached by content: the key hashes the sources, the library, the top name,
the options and the Yosys version, so a second call with equal inputs only copies the
cached file (or returns at once when ``out_path`` already holds it).
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

_FORMAT = "yosys-map-1"


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
    for m in re.finditer(r'(?m)^\s*cell\s*\(\s*"?([^")\s]+)"?\s*\)\s*\{', text):
        if m.start() < pos:
            continue
        name = m.group(1)
        if not any(fnmatch.fnmatchcase(name, g) for g in exclude):
            continue
        depth, i = 0, m.end() - 1
        n = len(text)
        while i < n:
            c = text[i]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        if depth != 0:
            raise InputError(f"unbalanced braces in cell '{name}'", p, text.count("\n", 0, m.start()) + 1)
        pieces.append(text[pos:m.start()])
        pos = i + 1
    pieces.append(text[pos:])
    with atomic_write(out) as f:
        f.write("".join(pieces))
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
    """Synthesise ``sources`` (Verilog) with top module ``top`` onto ``liberty``.

    ``exclude_cells``: glob patterns of cells the mapper must not use (a trimmed copy of
    the library is made). ``buffer``: ``(cell, in_pin, out_pin)`` for ``insbuf`` so that
    no ``assign`` remains between nets. Returns the path of the mapped netlist: ``out_path``
    if given, else a file in the cache. Raises :class:`ToolError` when Yosys fails.
    """
    version = yosys_version(yosys)
    srcs = [Path(s) for s in sources]
    for s in srcs:
        if not s.is_file():
            raise InputError("no such file", s)
    lib = trimmed_liberty(liberty, exclude_cells)
    h = hashlib.sha256()
    for s in srcs:
        h.update(s.read_bytes())
    h.update(Path(lib).read_bytes())
    h.update(repr((top, buffer, _FORMAT, version)).encode())
    key = h.hexdigest()[:24]
    cached = cache_dir() / "mapped" / f"{top}_{key}.v"
    if not cached.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp.v")
        reads = "\n".join(f"read_verilog -defer {_q(s)}" for s in srcs)
        ins = f"insbuf -buf {buffer[0]} {buffer[1]} {buffer[2]}\n" if buffer else ""
        script = (
            f"{reads}\n"
            f"hierarchy -check -top {top}\n"
            f"synth -flatten -top {top}\n"
            f"dfflibmap -liberty {_q(lib)}\n"
            f"abc -liberty {_q(lib)}\n"
            "setundef -zero\n"
            "splitnets -ports\n"
            "opt_clean -purge\n"
            f"{ins}"
            f"stat -liberty {_q(lib)}\n"
            f"write_verilog -noattr -noexpr -simple-lhs {_q(tmp)}\n"
        )
        progress(f"yosys: mapping '{top}' onto {Path(liberty).name}")
        r = subprocess.run([shutil.which(yosys) or yosys, "-q", "-p", script.replace("\n", "; ")],
                           capture_output=True, text=True, check=False)
        if r.returncode != 0 or not tmp.exists():
            tail = (r.stderr or r.stdout).strip().splitlines()[-3:]
            tmp.unlink(missing_ok=True)
            raise ToolError(f"yosys failed mapping '{top}': {' | '.join(tail)}")
        tmp.replace(cached)
    if out_path is None:
        return cached
    out = Path(out_path)
    if not (out.exists() and out.read_bytes() == cached.read_bytes()):
        with atomic_write(out, "wb") as f:
            f.write(cached.read_bytes())
    return out


def _q(p: str | Path) -> str:
    s = str(p)
    if re.search(r"[\s;\"]", s):
        raise ToolError(f"path unusable in a Yosys script (space, ';' or quote): {s}")
    return s
