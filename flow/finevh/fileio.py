"""File helpers used at the I/O edges: gzip-transparent reads, atomic writes,
and the content-hash cache directory."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import tempfile
from pathlib import Path
from typing import IO, Iterator

from .errors import InputError


def read_text(path: str | Path) -> str:
    """Whole file as text; ``.gz`` files are decompressed. Missing file -> InputError."""
    p = Path(path)
    try:
        if p.suffix == ".gz":
            with gzip.open(p, "rt", encoding="utf-8", errors="replace") as f:
                return f.read()
        return p.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise InputError("no such file", p) from None
    except (OSError, EOFError) as e:
        raise InputError(f"cannot read: {e}", p) from None


def read_bytes(path: str | Path) -> bytes:
    p = Path(path)
    try:
        if p.suffix == ".gz":
            with gzip.open(p, "rb") as f:
                return f.read()
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", p) from None
    except (OSError, EOFError) as e:
        raise InputError(f"cannot read: {e}", p) from None


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """Write to a temporary file beside ``path`` and rename it into place on success.

    On any exception the temporary file is removed, so no half-written output is
    ever left at ``path``.
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    os.chmod(tmp, 0o666 & ~_umask())   # mkstemp makes 0600; outputs get the usual mode
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": "\n"})) as f:
            yield f
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomic(path: str | Path, text: str) -> None:
    with atomic_write(path) as f:
        f.write(text)


def cache_dir() -> Path:
    """Directory of content-hash caches: $FINEVH_CACHE, else ~/.cache/finevh."""
    d = Path(os.environ.get("FINEVH_CACHE") or Path.home() / ".cache" / "finevh")
    d.mkdir(parents=True, exist_ok=True)
    return d


def file_digest(path: str | Path, extra: str = "") -> str:
    """sha256 of the file's bytes (as stored, gz or not) plus ``extra`` (e.g. a format version)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    h.update(extra.encode())
    return h.hexdigest()


def safe_filename_component(name: str) -> str:
    """``name`` if it can be one path component of an output file, else InputError
    (no separators, no ``.``/``..``, no control characters, no leading ``-``)."""
    if (not name or name in (".", "..") or "/" in name or "\\" in name or name.startswith("-")
            or not name.isprintable() or len(name.encode()) > 200):
        raise InputError(f"'{name!s}' cannot name an output file (no '/', '..', control characters or "
                         "leading '-')")
    return name


@contextlib.contextmanager
def staged_output_dir(out: str | Path, force: bool = False) -> Iterator[Path]:
    """Write a folder output into a staging folder beside ``out``; on success it replaces
    ``out`` whole (an interrupted run leaves the old result, never a mix)."""
    import shutil

    o = check_output_dir(out, force)
    o.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{o.name}.tmp-", dir=o.parent))
    try:
        (tmp / RUN_MARKER).write_text("finevh output folder: a later run may replace it whole\n")
        yield tmp
        old = None
        if o.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{o.name}.old-", dir=o.parent))
            os.replace(o, old / "x")
        os.replace(tmp, o)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def check_output_file(path: str | Path) -> Path:
    """An output file path that can be written without following a symlink or replacing a
    non-regular file (FIFO, device, folder); checked before any work."""
    p = Path(path)
    if p.is_symlink():
        raise InputError("output is a symlink: refusing to replace it", p)
    if p.exists() and not p.is_file():
        raise InputError("output exists and is not a regular file: refusing to replace it", p)
    parent = p.parent if str(p.parent) else Path(".")
    if parent.exists() and not parent.is_dir():
        raise InputError("output folder is not a folder", parent)
    return p


RUN_MARKER = ".finevh-output"


def check_output_dir(out: str | Path, force: bool = False) -> Path:
    """A folder output may replace ``out`` if it is absent, empty, an earlier finevh output
    (it holds :data:`RUN_MARKER`) or ``force`` is set; never a symlink or a non-folder."""
    o = Path(out)
    if o.is_symlink():
        raise InputError("output folder is a symlink: refusing to replace it", o)
    if o.exists():
        if not o.is_dir():
            raise InputError("output exists and is not a folder: refusing to replace it", o)
        if not force and any(o.iterdir()) and not (o / RUN_MARKER).is_file():
            raise InputError("output folder is not empty and holds no earlier finevh output: give --force to "
                             "replace it", o)
    return o
