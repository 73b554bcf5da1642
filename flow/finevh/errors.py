"""Errors raised on bad user input.

Every reader raises :class:`InputError` with the file and (when known) the line
that is wrong. The CLI turns it into a single line ``finevh: error: FILE:LINE: MSG``
and exit code 2, without a traceback, followed by the message's stable ID
(``[SDC-0012]``, see :mod:`finevh.messages` and docs/messages.md).
"""

from __future__ import annotations

from pathlib import Path


class FinevhError(Exception):
    """Base class of all errors finevh reports to the user. ``origin`` is the module that
    raised it; ``msg_id`` its stable message ID (:mod:`finevh.messages`)."""

    def __init__(self, *args) -> None:
        from .messages import origin

        self.origin = origin()
        super().__init__(*args)

    @property
    def text(self) -> str:
        """The message without its location."""
        return getattr(self, "message", None) or (str(self.args[0]) if self.args else "")

    @property
    def msg_id(self) -> str:
        from .messages import message_id

        return message_id(getattr(self, "origin", None), self.text)


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
