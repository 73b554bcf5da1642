"""Diagnostics on stderr through Python :mod:`logging`, in finevh's one-line format with
stable message IDs (as OpenROAD's ``[ERROR PPL-0024]``)::

    finevh: error: FILE:LINE: message [SDC-0012]
    finevh: warning: FILE:LINE: message [PLC-0003]
    finevh: progress text

An ID is a module prefix (:data:`PREFIXES`) and a number. The numbers are kept in
``messages.tsv`` beside this file: one row per message template (the literal text of the
message at the place that raises or warns, ``{}`` for each formatted part), appended by
``scripts/gen_messages.py`` and never renumbered, so an ID stays with its message while the
code around it changes. docs/messages.md is the table for users (generated from the same
file). A message whose template is not in the table gets the prefix's ``-0000``.

Libraries report through :mod:`finevh.progress` (progress/warn/debug) and raise
:class:`finevh.errors.FinevhError`; only the CLI prints errors and sets the level.
"""

from __future__ import annotations

import logging
import re
import sys
from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).with_name("messages.tsv")

#: module (longest dotted prefix wins) -> ID prefix
PREFIXES: dict[str, str] = {
    "finevh.accel": "ACC", "finevh.activity": "ACT", "finevh.cli": "CLI", "finevh.constraints": "SDC",
    "finevh.emit": "EMT", "finevh.fvh": "FVH", "finevh.fvh.plan": "PLN", "finevh.layout": "LAY",
    "finevh.layout.defio": "DEF", "finevh.layout.lef": "LEF", "finevh.liberty": "LIB",
    "finevh.netlist": "VLG", "finevh.place": "PLC", "finevh.power": "PWR", "finevh.report": "RPT",
    "finevh.stages": "STG", "finevh.synth": "SYN", "finevh.tech": "TEC", "finevh.timing": "STA",
    "finevh.timing.spef": "SPF", "finevh.timing.spefparse": "SPF", "finevh.timing.rcnet": "SPF",
    "finevh.timing.rcdelay": "SPF",
    "finevh.config": "RUN", "finevh.run": "RUN", "finevh.summary": "RUN",
    "finevh.fileio": "FIO", "finevh.analysis": "STA", "finevh.loader": "RD", "finevh.design": "LNK",
    "finevh.compare": "CMP", "finevh.sweep": "SWP", "finevh.extras": "PKG", "finevh.resources": "PKG",
    "finevh.validate": "VAL", "finevh.errors": "FVH", "finevh.progress": "FVH", "finevh": "FVH",
}


def prefix_of(module: str | None) -> str:
    """The ID prefix of a dotted module name."""
    m = module or "finevh"
    while m:
        if m in PREFIXES:
            return PREFIXES[m]
        m = m.rpartition(".")[0]
    return "FVH"


def template_regex(template: str) -> re.Pattern:
    """A template (``{}`` = any text) as an anchored regular expression."""
    return re.compile("".join("(?:.*?)" if p == "{}" else re.escape(p)
                              for p in re.split(r"(\{\})", template)), re.S)


@lru_cache(maxsize=1)
def _table() -> dict[str, list[tuple[str, re.Pattern, int]]]:
    """prefix -> [(id, regex, literal length)], most specific first."""
    out: dict[str, list[tuple[str, re.Pattern, int]]] = {}
    if not TABLE.is_file():
        return out
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        mid, _module, template = line.split("\t", 2)
        lit = len(template.replace("{}", ""))
        out.setdefault(mid.split("-")[0], []).append((mid, template_regex(template), lit))
    for rows in out.values():
        rows.sort(key=lambda r: (-r[2], r[0]))
    return out


def message_id(module: str | None, message: str) -> str:
    """The stable ID of ``message`` raised or warned in ``module``."""
    p = prefix_of(module)
    for mid, rx, _n in _table().get(p, ()):
        if rx.fullmatch(message):
            return mid
    return f"{p}-0000"


def origin(skip: tuple[str, ...] = ("finevh.errors", "finevh.progress", "finevh.messages")) -> str | None:
    """The module of the first caller outside ``skip`` (who raised or warned)."""
    f = sys._getframe(1)
    while f is not None:
        name = f.f_globals.get("__name__", "")
        if name not in skip:
            return name
        f = f.f_back
    return None


# ---- logging ----------------------------------------------------------------------------------

LOGGER = logging.getLogger("finevh")
_LEVEL_WORD = {logging.ERROR: "error", logging.WARNING: "warning", logging.DEBUG: "debug"}


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        word = _LEVEL_WORD.get(record.levelno)
        loc = getattr(record, "loc", "")
        mid = getattr(record, "msg_id", None)
        head = f"finevh: {word}: " if word else "finevh: "
        return f"{head}{loc}{record.getMessage()}" + (f" [{mid}]" if mid else "")


class _Stderr(logging.Handler):
    """Writes to the current ``sys.stderr`` (looked up per record, so captured streams work)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # pragma: no cover - logging must never raise
            self.handleError(record)


if not LOGGER.handlers:
    _h = _Stderr()
    _h.setFormatter(_Formatter())
    LOGGER.addHandler(_h)
    LOGGER.propagate = False
    LOGGER.setLevel(logging.INFO)


def location(path=None, line=None) -> str:
    """``FILE:LINE: `` / ``FILE: `` / ``''``."""
    if path is None:
        return ""
    return f"{path}:{line}: " if line is not None else f"{path}: "


def error_line(exc) -> str:
    """The one line the CLI prints for a :class:`finevh.errors.FinevhError`."""
    text = " ".join(str(exc).split("\n"))
    return f"finevh: error: {text} [{exc.msg_id}]"


def log_error(exc) -> None:
    """Print ``exc`` as finevh's one-line error (always, whatever the level)."""
    sys.stderr.write(error_line(exc) + "\n")
    sys.stderr.flush()
