"""Atomic writes: nothing half-written, ordinary file mode."""

from __future__ import annotations

import os
import stat

import pytest

from finevh.errors import InputError
from finevh.fileio import atomic_write, read_text, write_text_atomic


def test_atomic_write_mode_and_failure_leaves_nothing(tmp_path):
    out = tmp_path / "sub" / "r.txt"
    write_text_atomic(out, "hello\n")
    assert out.read_text() == "hello\n"
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask
    with pytest.raises(RuntimeError):
        with atomic_write(out) as f:
            f.write("partial")
            raise RuntimeError("boom")
    assert out.read_text() == "hello\n"          # old content kept
    assert [p.name for p in out.parent.iterdir()] == ["r.txt"]   # no temp file left


def test_read_text_missing_file_is_input_error(tmp_path):
    with pytest.raises(InputError) as e:
        read_text(tmp_path / "nope.lib")
    assert str(e.value).endswith("nope.lib: no such file")
