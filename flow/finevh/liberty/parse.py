"""Liberty syntax layer: text -> a light generic tree of :class:`LGroup`.

Two front ends build the SAME tree:

* :func:`parse_fast` — the hot path: one compiled regular expression that matches
  whole Liberty statements (group header, simple attribute, complex attribute,
  closing brace) and a short loop that builds the tree. Numbers are kept as text;
  the model builder (:mod:`finevh.liberty.reader`) converts them. Every node keeps
  its character offset so errors can name the line.
* :func:`parse_with_liberty_parser` — the card's parser (PyPI ``liberty-parser``),
  whose typed values are turned back into text so the builder sees the same tree.
  It is about 15x slower and gives no per-statement line numbers; it is kept as a
  reference path and the tests prove both produce identical models.

No units, no semantics here.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from ..errors import InputError

__all__ = ["LGroup", "SourceText", "parse_fast", "parse_with_liberty_parser", "split_args"]


class LGroup:
    """One Liberty group ``name (args) { ... }``.

    ``attrs``: simple attributes ``name : value ;`` -> ``(text, pos)`` (quotes removed,
    the last one wins when repeated). ``cattrs``: complex attributes ``name (raw) ;`` in
    file order as ``(name, raw_args_text, pos)``. ``groups``: sub-groups in file order.
    ``pos`` is a character offset into the source (None when unknown).
    """

    __slots__ = ("name", "args", "pos", "attrs", "cattrs", "groups")

    def __init__(self, name: str, args: list[str], pos: int | None):
        self.name = name
        self.args = args
        self.pos = pos
        self.attrs: dict[str, tuple[str, int | None]] = {}
        self.cattrs: list[tuple[str, str, int | None]] = []
        self.groups: list[LGroup] = []

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"LGroup({self.name!r}, {self.args!r}, {len(self.attrs)} attrs, {len(self.groups)} groups)"


class SourceText:
    """Maps character offsets of a source text to 1-based line numbers."""

    def __init__(self, path: str, text: str | None):
        self.path = path
        self.text = text
        self._nl: list[int] | None = None

    def line(self, pos: int | None) -> int | None:
        if pos is None or self.text is None:
            return None
        if self._nl is None:
            self._nl = [m.start() for m in re.finditer("\n", self.text)]
        return bisect_right(self._nl, pos - 1) + 1

    def error(self, message: str, pos: int | None) -> InputError:
        return InputError(message, self.path, self.line(pos))


# One statement per match. Leading whitespace and comments are skipped. The last
# alternative ``bad`` swallows one character that starts no statement, so finditer
# yields contiguous matches and any garbage is seen.
_STMT = re.compile(
    r"""
    (?:\s++|/\*.*?\*/|//[^\n]*+|\\\n)*+
    (?:
        (?P<close>\})(?:\s*+;)?+
      | (?P<name>[A-Za-z_][A-Za-z0-9_.\[\]]*+)\s*+
        (?:
            :\s*+(?:"(?P<sq>[^"]*+)"|(?P<sv>[^;\n{}"]*+))[ \t]*+;?+
          | \((?P<args>(?:[^()"{};]++|"[^"]*+")*+)\)\s*+(?:(?P<open>\{)|;?+)
        )
      | (?P<end>\Z)
      | (?P<bad>.)
    )
    """,
    re.S | re.X,
)

_STMT_HEAD = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\s*\(")

_ARG_SPLIT = re.compile(r'\s*(?:"([^"]*)"|([^,"\s][^,"]*?))\s*(?:,|$)', re.S)


def split_args(raw: str) -> list[str]:
    """Split the text between the parentheses of a group or complex attribute into
    arguments: comma-separated, quotes removed, backslash line continuations dropped."""
    if '"' not in raw and "," not in raw and "\\" not in raw:
        s = raw.strip()
        return [s] if s else []
    raw = raw.replace("\\\n", " ").replace("\\\r\n", " ")
    out = []
    for m in _ARG_SPLIT.finditer(raw.strip()):
        q, u = m.group(1), m.group(2)
        if q is not None:
            out.append(q)
        elif u is not None:
            out.append(u.strip())
    return out


def parse_fast(text: str, src: SourceText) -> LGroup:
    """Parse a whole Liberty text into its top ``library`` group (the fast path)."""
    stack: list[LGroup] = []
    top: LGroup | None = None
    cur: LGroup | None = None
    for m in _STMT.finditer(text):
        close, name, sq, sv, args, opn, end, bad = m.groups()
        if name is not None:
            if cur is None and opn is None:
                if top is None:
                    raise src.error(f"statement '{name}' outside of a library group", m.start("name"))
                raise src.error(f"text after the end of library '{top.args[0] if top.args else ''}'", m.start("name"))
            if args is not None:
                if opn is not None:
                    g = LGroup(name, split_args(args), m.start("name"))
                    if cur is None:
                        if top is not None:
                            raise src.error("more than one top-level group", m.start("name"))
                        top = g
                    else:
                        cur.groups.append(g)
                        stack.append(cur)
                    cur = g
                else:
                    cur.cattrs.append((name, args, m.start("name")))  # type: ignore[union-attr]
            elif sq is not None:
                cur.attrs[name] = (sq, m.start("name"))  # type: ignore[union-attr]
            elif sv is not None and sv.strip():
                cur.attrs[name] = (sv.strip(), m.start("name"))  # type: ignore[union-attr]
            else:
                raise src.error(f"attribute '{name}' has no value", m.start("name"))
        elif close is not None:
            if cur is None:
                raise src.error("unbalanced '}'", m.start("close"))
            cur = stack.pop() if stack else None
        elif end is not None:
            break
        else:
            pos = m.start("bad")
            head = _STMT_HEAD.match(text, pos)
            if head is not None and text.find(")", head.end()) < 0:
                raise src.error(f"unexpected end of file inside '{head.group(1)} (...)' (truncated file?)", pos)
            ch = bad if bad.isprintable() else repr(bad)
            raise src.error(f"syntax error near '{ch}{text[pos + 1:pos + 20].splitlines()[0] if text[pos + 1:pos + 2] not in ('', chr(10)) else ''}'", pos)
    if cur is not None:
        opened = src.line(cur.pos)
        raise src.error(
            f"unexpected end of file: group '{cur.name}' opened at line {opened} is not closed (truncated file?)",
            len(text.rstrip()),
        )
    if top is None:
        raise src.error("no library group found", None)
    if top.name != "library":
        raise src.error(f"top-level group is '{top.name}', expected 'library'", top.pos)
    return top


# --------------------------------------------------------------------------- liberty-parser


def _lp_text(v) -> str:
    """A liberty-parser value back to the text the fast path keeps."""
    from liberty.types import EscapedString, WithUnit

    if isinstance(v, EscapedString):
        return v.value
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, WithUnit):
        num = repr(float(v.value))
        return f"{num}{v.unit}"
    return str(v)


def _lp_raw(values: list) -> str:
    from liberty.types import EscapedString

    parts = []
    for v in values:
        if isinstance(v, EscapedString):
            parts.append(f'"{v.value}"')
        else:
            parts.append(_lp_text(v))
    return ", ".join(parts)


def _from_lp(g) -> LGroup:
    out = LGroup(g.group_name, [_lp_text(a) for a in g.args], None)
    for a in g.attributes:
        if isinstance(a.value, list):
            out.cattrs.append((a.name, _lp_raw(a.value), None))
        else:
            out.attrs[a.name] = (_lp_text(a.value), None)
    # ``define(...)`` statements (g.defines) only declare attribute types: not kept.
    out.groups = [_from_lp(s) for s in g.groups]
    return out


def parse_with_liberty_parser(text: str, src: SourceText) -> LGroup:
    """Parse with PyPI ``liberty-parser`` (the reference path) into the same tree."""
    from liberty.parser import ExceptionWithLineNum, parse_liberty

    try:
        g = parse_liberty(text)
    except ExceptionWithLineNum as e:
        raise InputError(f"liberty-parser: {e.e!r}", src.path, e.line_num + 1) from None
    except Exception as e:  # noqa: BLE001 - the third-party parser raises anything
        raise InputError(f"liberty-parser: {e}", src.path) from None
    top = _from_lp(g)
    if top.name != "library":
        raise InputError(f"top-level group is '{top.name}', expected 'library'", src.path)
    return top
