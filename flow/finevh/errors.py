"""Errors raised on bad user input.

Every reader raises :class:`InputError` with the file and (when known) the line
that is wrong. The CLI turns it into a single line ``finevh: error: FILE:LINE: MSG``
and exit code 2, without a traceback.
"""

from __future__ import annotations

from pathlib import Path


class FinevhError(Exception):
    """Base class of all errors finevh reports to the user."""


class InputError(FinevhError):
    """A malformed or inconsistent input file (or command-line value).

    ``path`` and ``line`` (1-based) locate the problem; either may be None.
    """

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        super().__init__(self.location_prefix() + message)

    def location_prefix(self) -> str:
        if self.path is None:
            return ""
        if self.line is None:
            return f"{self.path}: "
        return f"{self.path}:{self.line}: "


class ToolError(FinevhError):
    """An external tool (yosys, sta, ngspice, ...) is missing or failed."""
