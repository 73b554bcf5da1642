"""Safe quoting of names for every file finevh generates: Tcl tool scripts, UPF
(Tcl syntax) and the C power-manager header. Every emitter goes through this module;
no name reaches an output by plain string formatting.

Instance and net names in a plan come from the netlist reader, where an escaped
Verilog identifier such as ``\\u_core/reg[3] `` is stored without its backslash and
trailing space (``u_core/reg[3]``). Written naively into a Tcl script, ``[3]`` would
run command ``3``, ``$`` would substitute a variable and an unbalanced brace would
break the parse. Every name goes through two steps:

1. the *tool form* of the name: how the tool's database spells it
   (:func:`sta_name` OpenSTA/PrimeTime/ICC2, :func:`def_name` OpenROAD/Innovus,
   :func:`upf_name` IEEE 1801);
2. :func:`tcl_word`: one Tcl word that evaluates to exactly that string.

Lists of names (``-nets {A B}``, ICC2 pattern specs) are built with
:func:`tcl_list_word`, never by pasting names between braces. A name containing a
control character (newline, NUL, tab, DEL...) has no safe spelling in a tool
database, a line-oriented script or a comment: :func:`check_name` (called by
:func:`tcl_word` and by the emitters' up-front validation) rejects it with
:class:`~finevh.errors.InputError`. UPF element names cannot hold whitespace (an
escaped identifier ends at the first blank), so :func:`upf_name` rejects that too.

For C (:mod:`finevh.emit.pmtables`): :func:`c_identifier` maps any name to a valid
ASCII identifier (collision-proof: a changed name gets a hash suffix), :func:`c_string`
to a string literal (octal escapes, ``?`` escaped against trigraphs), and
:func:`c_comment` to text that cannot close or nest a ``/* */`` comment.

All are pure functions of the name, so the output is deterministic.
"""

from __future__ import annotations

import hashlib
import re
from typing import Iterable

from ..errors import InputError

_SIMPLE = re.compile(r"^[A-Za-z0-9_.:/@+%=,^-]+$")
#: the same set as a full match: such a word is bare, holds no control character and
#: cannot start with '#' (the fast path of :func:`tcl_word`)
_BARE = re.compile(r"[A-Za-z0-9_.:/@+%=,^-]+").fullmatch
_BRACKET = re.compile(r"(?<!\\)([][])")
_SPECIAL = set('[]{}$\\";#') | set(" \t\n\r\f\v")


def _braces_ok(s: str) -> bool:
    """True when ``{s}`` is a brace-quoted word whose value is exactly ``s``.

    Inside braces Tcl substitutes nothing, but the braces must balance (a brace
    preceded by a backslash does not count), the word must not end with an odd
    number of backslashes, and backslash-newline would be folded to a space."""
    if "{" not in s and "}" not in s and "\n" not in s:     # depth stays 0
        return (len(s) - len(s.rstrip("\\"))) % 2 == 0
    depth = 0
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            if i + 1 < len(s) and s[i + 1] == "\n":
                return False
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return False
        i += 1
    if depth != 0:
        return False
    trailing = len(s) - len(s.rstrip("\\"))
    return trailing % 2 == 0


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_name(s: str, what: str = "name", path: str | None = None, line: int | None = None) -> str:
    """``s`` unchanged when it is a string without control characters, else InputError
    (``what`` says which name; shown with ``repr`` so the error stays one line)."""
    if not isinstance(s, str):
        raise InputError(f"{what}: a string is expected, got {type(s).__name__}", path, line)
    m = _CONTROL.search(s)
    if m:
        raise InputError(f"{what} {s!r} contains control character {m.group()!r}; no tool script, "
                         "UPF or C file can hold it safely", path, line)
    return s


def tcl_word(s: str) -> str:
    """One Tcl word evaluating to ``s`` (bare when safe, else ``{s}``, else backslash-escaped).
    A string with a control character is refused (:func:`check_name`)."""
    if type(s) is str and _BARE(s):
        return s
    check_name(s)
    if s == "":
        return "{}"
    if _SIMPLE.match(s) and not s.startswith("#"):
        return s
    if _braces_ok(s):
        return "{" + s + "}"
    return "".join("\\" + c if c in _SPECIAL else c for c in s)


def tcl_list(items: Iterable[str]) -> str:
    """A Tcl list literal (space-separated words) of ``items``."""
    return " ".join(tcl_word(x) for x in items)


def tcl_list_word(items: Iterable[str]) -> str:
    """One Tcl word whose value is the list of ``items`` (``{A B}`` for plain names);
    nest calls for lists of lists (ICC2 pattern specs)."""
    return tcl_word(tcl_list(items))


def tcl_regex_literal(s: str) -> str:
    """A Tcl ARE matching exactly ``s`` (metacharacters backslashed), e.g. for
    OpenROAD ``-pin_pattern``; the result still goes through :func:`tcl_word`."""
    return "".join("\\" + c if c in "\\.^$|?*+()[]{}" else c for c in check_name(s))


def list1(s: str) -> str:
    """A one-element Tcl list holding ``s`` (for options a tool reads with ``lindex``)."""
    w = tcl_word(s)
    # the value of the word must be a list whose element 0 is ``s``
    return w if w == s else tcl_word(w)


def sta_name(name: str) -> str:
    """OpenSTA spelling: the netlist name as is (OpenSTA 2.0.17 finds an instance by
    its full name literally, brackets and slashes included; checked in tests)."""
    return name


def syn_name(name: str, flat: bool = False) -> str:
    """PrimeTime / ICC2 spelling: ``/`` is their hierarchy separator, so a flat name
    holding ``/`` (``flat=True``) escapes it as ``\\/``; brackets stay literal."""
    return name.replace("/", "\\/") if flat else name


def def_name(name: str) -> str:
    """OpenROAD (odb) / Innovus spelling, the DEF convention: bus brackets that are
    part of an escaped identifier are escaped with a backslash (``reg\\[3\\]``)."""
    if "[" not in name and "]" not in name:
        return name
    if "\\" not in name:
        return name.replace("[", "\\[").replace("]", "\\]")
    return _BRACKET.sub(r"\\\1", name)


_VID = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")
_SPACE = re.compile(r"\s").search      # the characters str.isspace() accepts


def upf_name(name: str, hier_sep: str | None = "/") -> str:
    """IEEE 1801 element name: each hierarchy segment that is not a plain Verilog
    identifier becomes an escaped identifier (``\\seg `` with its trailing space).
    A segment holding whitespace has no escaped-identifier form: InputError."""
    check_name(name)
    segs = name.split(hier_sep) if hier_sep else [name]
    for s in segs:
        if s == "" or _SPACE(s):
            raise InputError(f"name {name!r} cannot be written as an IEEE 1801 element name "
                             "(empty hierarchy segment or whitespace)")
    return (hier_sep or "").join(s if _VID.match(s) else "\\" + s + " " for s in segs)


def pin_path(inst: str, pin: str, sep: str = "/") -> str:
    return f"{inst}{sep}{pin}"


# ----------------------------------------------------------------------------- C

_C_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def c_identifier(name: str, prefix: str = "") -> str:
    """An ASCII C identifier (macro-safe, upper case) for ``prefix + name``.

    Characters outside ``[A-Za-z0-9_]`` become ``_``; when that changed anything, an
    8-hex-digit hash of the exact name is appended, so two names that sanitise to
    the same text still get different identifiers. ``prefix`` must itself be an
    identifier start (e.g. ``FINEVH_PM_``); without one a leading digit gets ``N_``."""
    check_name(name)
    raw = prefix + name
    out = "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in raw).upper()
    if out != raw.upper():
        out += "_" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8].upper()
    if not out or out[0].isdigit():
        out = "N_" + out
    if out.startswith("_"):
        out = "N" + out       # identifiers starting with '_' + capital are reserved
    assert _C_IDENT.match(out)
    return out


def _c_body(s: str, comment: bool) -> str:
    out = []
    for b in check_name(s).encode("utf-8"):
        c = chr(b)
        if c in '"\\?' or (comment and c in "*/"):
            out.append("\\" + c if c in '"\\?' else f"\\{b:03o}")
        elif 0x20 <= b < 0x7f:
            out.append(c)
        else:
            out.append(f"\\{b:03o}")        # 3-digit octal: cannot swallow a following digit
    return "".join(out)


def c_string(s: str) -> str:
    """A C string literal (with quotes) whose bytes are ``s`` in UTF-8; ``"``, ``\\``
    and ``?`` (trigraphs) are escaped, non-ASCII bytes written as octal escapes."""
    return '"' + _c_body(s, False) + '"'


def c_comment(s: str) -> str:
    """``s`` as text for a ``/* */`` comment: the escaped string body with ``*`` and
    ``/`` as octal escapes, so it can neither close nor open a comment."""
    return _c_body(s, True)
