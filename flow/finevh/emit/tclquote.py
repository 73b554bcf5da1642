"""Safe quoting of design-object names for Tcl-based tool scripts.

Instance and net names in a plan come from the netlist reader, where an escaped
Verilog identifier such as ``\\u_core/reg[3] `` is stored without its backslash and
trailing space (``u_core/reg[3]``). Written naively into a Tcl script, ``[3]`` would
run command ``3``, ``$`` would substitute a variable and an unbalanced brace would
break the parse. Every name goes through two steps:

1. the *tool form* of the name: how the tool's database spells it
   (:func:`sta_name` OpenSTA/PrimeTime/ICC2, :func:`def_name` OpenROAD/Innovus,
   :func:`upf_name` IEEE 1801);
2. :func:`tcl_word`: one Tcl word that evaluates to exactly that string.

Both are pure functions of the name, so the output is deterministic.
"""

from __future__ import annotations

import re
from typing import Iterable

_SIMPLE = re.compile(r"^[A-Za-z0-9_.:/@+%=,^-]+$")
_SPECIAL = set('[]{}$\\";#') | set(" \t\n\r\f\v")


def _braces_ok(s: str) -> bool:
    """True when ``{s}`` is a brace-quoted word whose value is exactly ``s``.

    Inside braces Tcl substitutes nothing, but the braces must balance (a brace
    preceded by a backslash does not count), the word must not end with an odd
    number of backslashes, and backslash-newline would be folded to a space."""
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


def tcl_word(s: str) -> str:
    """One Tcl word evaluating to ``s`` (bare when safe, else ``{s}``, else backslash-escaped)."""
    if s == "":
        return "{}"
    if _SIMPLE.match(s) and not s.startswith("#"):
        return s
    if _braces_ok(s):
        return "{" + s + "}"
    esc = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\f": "\\f", "\v": "\\v"}
    return "".join(esc.get(c) or ("\\" + c if c in _SPECIAL else c) for c in s)


def tcl_list(items: Iterable[str]) -> str:
    """A Tcl list literal (space-separated words) of ``items``."""
    return " ".join(tcl_word(x) for x in items)


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
    out = []
    prev = ""
    for c in name:
        if c in "[]" and prev != "\\":
            out.append("\\")
        out.append(c)
        prev = c
    return "".join(out)


_VID = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")


def upf_name(name: str, hier_sep: str | None = "/") -> str:
    """IEEE 1801 element name: each hierarchy segment that is not a plain Verilog
    identifier becomes an escaped identifier (``\\seg `` with its trailing space)."""
    segs = name.split(hier_sep) if hier_sep else [name]
    return (hier_sep or "").join(s if _VID.match(s) else "\\" + s + " " for s in segs)


def pin_path(inst: str, pin: str, sep: str = "/") -> str:
    return f"{inst}{sep}{pin}"
