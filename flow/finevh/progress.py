"""Progress and diagnostics on stderr, through the ``finevh`` :mod:`logging` logger
(format and message IDs: :mod:`finevh.messages`). ``--quiet`` silences progress and
warnings; ``--verbose`` adds debug lines. Libraries call :func:`progress` / :func:`warn`
/ :func:`debug`; only the CLI configures the level."""

from __future__ import annotations

import logging

from .messages import LOGGER, location, message_id, origin

QUIET, NORMAL, VERBOSE = 0, 1, 2
_LOGGING = {QUIET: logging.ERROR, NORMAL: logging.INFO, VERBOSE: logging.DEBUG}


def set_level(level: int) -> None:
    LOGGER.setLevel(_LOGGING[level])


def level() -> int:
    lv = LOGGER.level
    return QUIET if lv >= logging.ERROR else VERBOSE if lv <= logging.DEBUG else NORMAL


def progress(msg: str) -> None:
    LOGGER.info(msg)


def warn(msg: str, path: str | None = None, line: int | None = None) -> None:
    """A warning, located like an InputError: ``finevh: warning: FILE:LINE: MSG [ID]``."""
    if LOGGER.isEnabledFor(logging.WARNING):
        LOGGER.warning(msg, extra={"loc": location(path, line), "msg_id": message_id(origin(), msg)})


def debug(msg: str) -> None:
    LOGGER.debug(msg)
