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
