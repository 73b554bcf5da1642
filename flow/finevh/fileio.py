"""File helpers used at the I/O edges: gzip-transparent reads, atomic writes,
the content-hash cache directory, and the output-path rules (checked output files,
staged output folders, safe file-name components; see the end of this module)."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import shutil
import stat
import tempfile
import zlib
from pathlib import Path
from typing import IO, Iterator

from .errors import InputError


GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(path: str | Path) -> bool:
    """True when the file starts with the gzip magic bytes (whatever its name)."""
    with open(path, "rb") as f:
        return f.read(2) == GZIP_MAGIC


def open_binary(path: str | Path) -> IO[bytes]:
    """The file opened for binary reading, decompressed on the fly when its content is
    gzip (detected by the magic bytes, not by the ``.gz`` suffix). Missing file ->
    InputError."""
    p = Path(path)
    try:
        return gzip.open(p, "rb") if is_gzip(p) else open(p, "rb")
    except FileNotFoundError:
        raise InputError("no such file", p) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", p) from None
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror or e}", p) from None


def read_bytes(path: str | Path) -> bytes:
    """Whole file as bytes, decompressed when its content is gzip (by magic bytes, so a
    plain file named ``.gz`` and a gzip file without the suffix both read right)."""
    p = Path(path)
    f = open_binary(p)
    try:
        with f:
            return f.read()
    except (OSError, EOFError, zlib.error) as e:
        raise InputError(f"cannot read: {_reason(e)}", p) from None


def decode_text(data: bytes) -> str:
    """Bytes of a text input as str (UTF-8; undecodable bytes become U+FFFD)."""
    return data.decode("utf-8", errors="replace")


def read_text(path: str | Path) -> str:
    """Whole file as text, gzip content decompressed (see :func:`read_bytes`)."""
    return decode_text(read_bytes(path))


def _reason(e: BaseException) -> str:
    if isinstance(e, EOFError):
        return "compressed file ended before the end-of-stream marker (truncated .gz?)"
    return str(e) or type(e).__name__


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """Write to a temporary file beside ``path`` and rename it into place on success.

    On any exception the temporary file is removed, so no half-written output is
    ever left at ``path``.
    """
    p = Path(path)
    _refuse_special(p, "output")        # never replace a symlink, FIFO, device or folder
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    except OSError as e:
        raise InputError(f"cannot write: {e.strerror or e}", p) from None
    os.chmod(tmp, 0o666 & ~_umask())   # mkstemp makes 0600; outputs get the usual mode
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": "\n"})) as f:
            yield f
        _refuse_special(p, "output")    # it may have appeared while we wrote
        try:
            os.replace(tmp, p)
        except OSError as e:
            raise InputError(f"cannot write: {e.strerror or e}", p) from None
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


def content_digest(data: bytes, extra: str = "") -> str:
    """sha256 of ``data`` (e.g. a decompressed file) plus ``extra`` (a format version)."""
    h = hashlib.sha256(data)
    h.update(extra.encode())
    return h.hexdigest()


def file_digest(path: str | Path, extra: str = "") -> str:
    """sha256 of the file's bytes (as stored, gz or not) plus ``extra`` (e.g. a format version)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    h.update(extra.encode())
    return h.hexdigest()


# --------------------------------------------------------------------------- output paths
#
# Rules every finevh output follows (docs/outputs.md):
#
# * An output FILE is written atomically (temporary file + rename) and only over
#   nothing or an existing regular file. A symbolic link, FIFO, socket, device or
#   folder at the path is refused (InputError), never followed or replaced.
# * An output FOLDER is built in a hidden sibling ``.NAME.tmp-XXXXXXXX`` and swapped
#   into place when complete (:class:`StagedDir`), so readers see the previous
#   result or the new one, never a mix. The folder may replace: nothing, an empty
#   folder, or a folder holding the marker file :data:`MARKER` (written by finevh
#   into every staged folder). Any other non-empty folder needs ``force=True``
#   (``--force``); a symbolic link or a non-folder is never replaced, nor a folder
#   holding the working directory, nor ``/`` or the home folder.
# * Both are checked before any work starts (:func:`check_output_file`,
#   :func:`check_output_dir`), so a bad path costs one line on stderr, not a run.

#: Marker file finevh writes into every output folder it stages (JSON).
MARKER = ".finevh-output"
RUN_MARKER = MARKER          # the name run.py/cli use


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "folder"), (stat.S_ISFIFO, "FIFO"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket"), (stat.S_ISLNK, "symbolic link"),
                       (stat.S_ISREG, "regular file")):
        if test(mode):
            return name
    return "special file"


def _lstat(p: Path) -> os.stat_result | None:
    try:
        return os.lstat(p)
    except (FileNotFoundError, NotADirectoryError):     # absent (or below a non-folder)
        return None
    except OSError as e:
        raise InputError(f"cannot inspect: {e.strerror or e}", p) from None


def _refuse_special(p: Path, what: str) -> None:
    """InputError when ``p`` exists and is not a regular file (symlinks included)."""
    st = _lstat(p)
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise InputError(f"{what}: this is a {_kind(st.st_mode)}, not a regular file; finevh does not "
                         "write through or replace it", p)


def _check_parent(p: Path, what: str) -> None:
    """The folder that will hold ``p`` exists or can be created, and is writable."""
    a = Path(os.path.abspath(p)).parent
    while _lstat(a) is None:
        a = a.parent
    if not a.is_dir():
        raise InputError(f"{what}: cannot create the folder: {a} is not a folder", p)
    if not os.access(a, os.W_OK | os.X_OK):
        raise InputError(f"{what}: folder {a} is not writable", p)


def check_output_file(path: str | Path, what: str = "output") -> Path:
    """Check an output file path before any work; returns it as a Path.

    InputError when the path is a symbolic link (dangling or not), an existing
    non-regular file (folder, FIFO, socket, device such as ``/dev/null``), or when its
    folder neither exists nor can be created, or is not writable. Creates nothing."""
    p = Path(path)
    _refuse_special(p, what)
    _check_parent(p, what)
    return p


def is_finevh_output(path: str | Path) -> bool:
    """True when ``path`` is a folder holding finevh's :data:`MARKER` (a regular file)."""
    st = _lstat(Path(path) / MARKER)
    return st is not None and stat.S_ISREG(st.st_mode)


def check_output_dir(path: str | Path, force: bool = False, what: str = "--out") -> Path:
    """Check an output folder path before any work (the rules above); returns it
    absolute (symlinks in the parent are kept, the last component is never followed)."""
    p = Path(os.path.abspath(path))
    st = _lstat(p)
    if st is not None:
        if not stat.S_ISDIR(st.st_mode):
            raise InputError(f"{what}: this is a {_kind(st.st_mode)}, not a folder; finevh does not "
                             "write through or replace it", p)
        real = p.resolve()
        cwd = Path.cwd().resolve()
        if real == Path(real.anchor) or real == Path.home().resolve() or real == cwd or real in cwd.parents:
            raise InputError(f"{what}: refusing to replace the root, home or current folder (or one "
                             "holding it); choose a new folder", p)
        if not is_finevh_output(p) and not force:
            try:
                empty = next(os.scandir(p), None) is None
            except OSError as e:
                raise InputError(f"{what}: cannot read the folder: {e.strerror or e}", p) from None
            if not empty:
                raise InputError(f"{what}: folder is not empty and is no finevh output (no {MARKER}); "
                                 "use --force to replace it, or choose another folder", p)
    _check_parent(p, what)
    return p


def _write_marker(folder: Path, kind: str, complete: bool) -> None:
    from . import __version__

    doc = {"format": "finevh-output", "kind": kind, "complete": complete, "finevh": __version__}
    (folder / MARKER).write_text(json.dumps(doc, sort_keys=True) + "\n", encoding="utf-8")


class StagedDir:
    """Context manager building an output folder out of place (see the rules above).

    ``__init__`` checks ``out`` (:func:`check_output_dir`); ``__enter__`` creates the
    staging folder ``.NAME.tmp-XXXXXXXX`` beside ``out`` (with :data:`MARKER`,
    ``"complete": false``) and returns its path: write everything there. On a clean
    exit the marker says ``"complete": true``, ``out`` is re-checked, the old folder
    (if any) is renamed to ``.NAME.old-XXXXXXXX``, the staging folder renamed to
    ``out`` and the old one deleted. On an exception the staging folder is deleted and
    ``out`` is untouched. A process killed mid-run leaves ``out`` as it was (or, killed
    between the two renames, absent with the old result in ``.NAME.old-*``) plus the
    hidden staging folder, whose marker says it is incomplete.

    Paths recorded inside the outputs should be relative to the folder: absolute
    ones point into the staging folder (:meth:`final_path` maps them)."""

    def __init__(self, out: str | Path, force: bool = False, kind: str = "run", what: str = "--out"):
        self.out = check_output_dir(out, force, what)
        self.force, self.kind, self.what = force, kind, what
        self.tmp: Path | None = None

    def __enter__(self) -> Path:
        parent = self.out.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.tmp-", dir=parent))
        except OSError as e:
            raise InputError(f"{self.what}: cannot create a folder beside it: {e.strerror or e}", self.out) from None
        os.chmod(tmp, 0o777 & ~_umask())     # mkdtemp makes 0700; outputs get the usual mode
        self.tmp = tmp
        _write_marker(tmp, self.kind, False)
        return tmp

    def final_path(self, p: str | Path) -> Path:
        """``p`` inside the staging folder -> the same path under ``out``."""
        assert self.tmp is not None
        return self.out / Path(p).relative_to(self.tmp)

    def __exit__(self, et, ev, tb) -> bool:
        tmp = self.tmp
        assert tmp is not None
        if et is not None:
            shutil.rmtree(tmp, ignore_errors=True)
            return False
        _write_marker(tmp, self.kind, True)
        try:
            check_output_dir(self.out, self.force, self.what)     # it may have changed meanwhile
        except InputError as e:
            raise InputError(f"{e.message}; the new result is left in {tmp}", self.out) from None
        old = None
        try:
            if _lstat(self.out) is not None:
                old = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.old-", dir=self.out.parent))
                os.rename(self.out, old)            # onto the empty folder mkdtemp made
            try:
                os.rename(tmp, self.out)
            except OSError:
                if old is not None:
                    os.rename(old, self.out)
                    old = None
                raise
        except OSError as e:
            if old is not None and _lstat(old) is not None and not any(old.iterdir()):
                old.rmdir()
            raise InputError(f"{self.what}: cannot move the new result into place ({e.strerror or e}); "
                             f"it is left in {tmp}", self.out) from None
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return False


def staged_output_dir(out: str | Path, force: bool = False, kind: str = "run", what: str = "--out") -> StagedDir:
    """``with staged_output_dir(out, force) as tmp:`` -- see :class:`StagedDir`."""
    return StagedDir(out, force, kind, what)


_BAD_NAME_CHARS = set("/\\\0")


def safe_filename_component(name: str, what: str = "name", path: str | Path | None = None,
                            line: int | None = None) -> str:
    """``name`` unchanged when it is safe as ONE file-name component, else InputError.

    Refused: empty, ``.``/``..``, a leading ``.`` (hidden, or ``..`` tricks) or ``-``
    (read as an option by tools), ``/`` or ``\\``, NUL and other control characters,
    and more than 200 UTF-8 bytes (room for the suffixes finevh appends)."""
    if not isinstance(name, str) or not name:
        raise InputError(f"{what}: must be a non-empty string to be used in file names", path, line)
    bad = [c for c in name if c in _BAD_NAME_CHARS or ord(c) < 0x20 or ord(c) == 0x7F]
    if bad:
        raise InputError(f"{what} {name!r} cannot be used in a file name (character {bad[0]!r})", path, line)
    if name.startswith((".", "-")):
        raise InputError(f"{what} {name!r} cannot be used in a file name (it starts with {name[0]!r})", path, line)
    if len(name.encode("utf-8")) > 200:
        raise InputError(f"{what}: {len(name.encode('utf-8'))} bytes is too long for a file name (max 200)",
                         path, line)
    return name
