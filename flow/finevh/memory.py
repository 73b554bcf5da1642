"""Giving freed heap back to the operating system between the stages of a long run.

glibc keeps freed blocks below its (dynamic) mmap threshold in the heap: after a stage
whose arrays Python freed, the process's resident size stays at the stage's peak until
a later stage reuses that memory. :func:`trim` asks glibc to return the free pages
(``malloc_trim(0)``), so the next stage's peak is not stacked on the last one's free
heap. A no-op where there is no glibc (other C libraries, other systems).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

_TRIM = None        # the C function, False once known to be unavailable


def trim() -> bool:
    """Return freed heap memory to the system; True if glibc's ``malloc_trim`` ran."""
    global _TRIM
    if _TRIM is None:
        _TRIM = False
        if sys.platform.startswith("linux"):
            try:
                fn = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
                fn.argtypes, fn.restype = [ctypes.c_size_t], ctypes.c_int
                _TRIM = fn
            except (OSError, AttributeError):
                _TRIM = False
    if _TRIM is False:
        return False
    _TRIM(0)
    return True
