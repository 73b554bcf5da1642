"""DEF reader and writer (the placement part of DEF 5.x).

Read: VERSION, DIVIDERCHAR, BUSBITCHARS, DESIGN, UNITS DISTANCE MICRONS, DIEAREA
(rectangle or polygon), ROW, TRACKS, COMPONENTS (PLACED / FIXED / COVER /
UNPLACED, SOURCE), PINS (NET, DIRECTION, USE, LAYER shape, PLACED / FIXED), NETS
(names and connections only; routing is dropped). Every other section or statement
(PROPERTYDEFINITIONS, VIAS, NONDEFAULTRULES, REGIONS, BLOCKAGES, SPECIALNETS, GROUPS,
SCANCHAINS, FILLS, PINPROPERTIES, GCELLGRID, HISTORY, BEGINEXT, ...) is kept as
verbatim text (:class:`DefSection`, comments included) in :attr:`DefDesign.kept` and
written back unchanged, in DEF order, around the sections the writer rebuilds.

Coordinates are kept as integer database units, as in the file; ``dbu`` (the
``UNITS DISTANCE MICRONS`` value) converts them to um. Names are stored unescaped
(``a\\[3\\]`` becomes ``a[3]``); the writer escapes brackets in component names
again so they are not taken for bus bits. Components are held as arrays (struct of
arrays) so a million-cell DEF stays small in memory.

The writer is deterministic and atomic (temporary file + rename).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..fileio import atomic_write, read_text
from ..progress import warn

__all__ = [
    "ORIENTS", "ST_NONE", "ST_UNPLACED", "ST_PLACED", "ST_FIXED", "ST_COVER", "STATUS_NAMES",
    "DefRow", "DefTracks", "DefComponents", "DefPin", "DefNet", "DefSection", "DefDesign", "REWRITTEN",
    "read_def", "parse_def", "write_def", "format_def",
]

#: orientation codes used everywhere in finevh (index into this tuple)
ORIENTS: tuple[str, ...] = ("N", "S", "E", "W", "FN", "FS", "FE", "FW")
_ORIENT_CODE = {o: i for i, o in enumerate(ORIENTS)}
# OpenAccess-style synonyms some tools write
_ORIENT_CODE.update({"R0": 0, "R180": 1, "R270": 2, "R90": 3, "MY": 4, "MX": 5, "MX90": 6, "MXR90": 6, "MY90": 7, "MYR90": 7})

ST_NONE, ST_UNPLACED, ST_PLACED, ST_FIXED, ST_COVER = 0, 1, 2, 3, 4
STATUS_NAMES = ("", "UNPLACED", "PLACED", "FIXED", "COVER")
_STATUS_CODE = {"UNPLACED": ST_UNPLACED, "PLACED": ST_PLACED, "FIXED": ST_FIXED, "COVER": ST_COVER}

_VALID_DBU = (100, 200, 400, 800, 1000, 2000, 4000, 8000, 10000, 20000)


@dataclass
class DefRow:
    name: str
    site: str
    x: int                 # origin, dbu
    y: int
    orient: str
    num_x: int = 1         # DO num_x BY num_y
    num_y: int = 1
    step_x: int = 0        # dbu
    step_y: int = 0
    line: int = field(default=0, compare=False)   # 1-based line of the ROW statement


@dataclass
class DefTracks:
    axis: str              # "X" (vertical tracks at x = start + k*step) or "Y"
    start: int
    num: int
    step: int
    layers: tuple[str, ...] = ()


@dataclass
class DefComponents:
    """All components of a DEF, as arrays in file order."""

    names: list[str] = field(default_factory=list)
    masters: list[str] = field(default_factory=list)
    status: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))   # ST_*
    x: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))       # dbu
    y: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    orient: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))   # ORIENTS index
    source: list[str | None] = field(default_factory=list)
    line: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))    # 1-based line of '- name'

    def __len__(self) -> int:
        return len(self.names)

    def same_as(self, other: "DefComponents") -> bool:
        return (self.names == other.names and self.masters == other.masters
                and self.source == other.source
                and all(np.array_equal(getattr(self, a), getattr(other, a)) for a in ("status", "x", "y", "orient")))


@dataclass
class DefPin:
    name: str
    net: str | None = None
    direction: str | None = None      # INPUT / OUTPUT / INOUT / FEEDTHRU
    use: str | None = None
    layer: str | None = None
    rect: tuple[int, int, int, int] | None = None   # relative to the pin location, dbu
    status: int = ST_NONE
    x: int = 0
    y: int = 0
    orient: int = 0
    special: bool = False
    line: int = 0

    def key(self):
        return (self.name, self.net, self.direction, self.use, self.layer, self.rect,
                self.status, self.x, self.y, self.orient, self.special)


@dataclass
class DefNet:
    name: str
    conns: list[tuple[str, str]] = field(default_factory=list)   # (component or "PIN", pin)
    use: str | None = None
    line: int = 0


#: top-level DEF keywords in the order the DEF 5.8 reference lists them
_DEF_ORDER = ("VERSION", "NAMESCASESENSITIVE", "DIVIDERCHAR", "BUSBITCHARS", "DESIGN", "TECHNOLOGY", "UNITS",
              "HISTORY", "PROPERTYDEFINITIONS", "DIEAREA", "ROW", "TRACKS", "GCELLGRID", "VIAS", "STYLES",
              "NONDEFAULTRULES", "REGIONS", "COMPONENTMASKSHIFT", "COMPONENTS", "PINS", "PINPROPERTIES",
              "BLOCKAGES", "SLOTS", "FILLS", "SPECIALNETS", "NETS", "SCANCHAINS", "GROUPS", "BEGINEXT")
_RANK = {k: i for i, k in enumerate(_DEF_ORDER)}

#: the statements and sections :func:`format_def` rebuilds from the parsed data
REWRITTEN = frozenset({"VERSION", "DIVIDERCHAR", "BUSBITCHARS", "DESIGN", "UNITS", "DIEAREA", "ROW", "TRACKS",
                       "COMPONENTS", "PINS", "NETS"})


@dataclass
class DefSection:
    """A DEF section or statement finevh does not interpret, kept verbatim.

    ``text`` runs from the keyword to the closing ``END <keyword>`` (or ``;``/``ENDEXT``),
    comments included. ``rank`` places it in DEF order when written back: the keyword's
    place in the DEF reference, or for a keyword the reference does not list, just after
    the statement that preceded it in the input.
    """

    keyword: str
    text: str
    rank: tuple[int, int] = (0, 0)
    line: int = field(default=0, compare=False)


@dataclass
class DefDesign:
    design: str = ""
    version: str = "5.8"
    dbu: int = 1000
    divider_char: str = "/"
    bus_bit_chars: str = "[]"
    diearea: list[tuple[int, int]] = field(default_factory=list)   # 2 points (rect) or a polygon, dbu
    rows: list[DefRow] = field(default_factory=list)
    tracks: list[DefTracks] = field(default_factory=list)
    components: DefComponents = field(default_factory=DefComponents)
    pins: list[DefPin] = field(default_factory=list)
    nets: list[DefNet] = field(default_factory=list)
    kept: list[DefSection] = field(default_factory=list)   # sections not interpreted, input order
    # component name -> its other attributes as read ("+ HALO 1 2 3 4 + REGION r1"), written back
    comp_attrs: dict[str, str] = field(default_factory=dict)
    # net name -> its attributes other than USE and the wiring ("+ NONDEFAULTRULE ndr1 + WEIGHT 2")
    net_attrs: dict[str, str] = field(default_factory=dict)
    # unescaped name -> its escaped spelling in the file (u0.rcnt[0] -> u0.rcnt\[0\]); the writer
    # spells those names the same way (a bus bit a[0] and an escaped a\[0\] stay apart)
    spelling: dict[str, str] = field(default_factory=dict)
    path: str = ""
    components_line: int = 0     # line of the COMPONENTS header (0 when absent)

    def kept_keywords(self) -> list[str]:
        """Keywords of the kept sections, input order, each once."""
        return list(dict.fromkeys(k.keyword for k in self.kept))

    def die_bbox_um(self) -> tuple[float, float, float, float]:
        if not self.diearea:
            raise InputError("DEF has no DIEAREA", self.path or None)
        xs = [p[0] for p in self.diearea]
        ys = [p[1] for p in self.diearea]
        d = float(self.dbu)
        return (min(xs) / d, min(ys) / d, max(xs) / d, max(ys) / d)

    def same_as(self, other: "DefDesign") -> bool:
        """Content equality (ignores the file path and line numbers)."""
        return (self.design == other.design and self.version == other.version and self.dbu == other.dbu
                and self.divider_char == other.divider_char and self.bus_bit_chars == other.bus_bit_chars
                and self.diearea == other.diearea and self.rows == other.rows and self.tracks == other.tracks
                and self.components.same_as(other.components)
                and [p.key() for p in self.pins] == [p.key() for p in other.pins]
                and [(n.name, n.conns, n.use) for n in self.nets] == [(n.name, n.conns, n.use) for n in other.nets]
                and [(k.keyword, k.text) for k in self.kept] == [(k.keyword, k.text) for k in other.kept]
                and self.comp_attrs == other.comp_attrs and self.net_attrs == other.net_attrs)


# --------------------------------------------------------------------------- reader

_WS = re.compile(r"\s*")
_STMT = re.compile(r'(?:"[^"]*"|[^;"])*;')
_TOK = re.compile(r'"[^"]*"|[()]|[^\s()"]+')
_UNESC = re.compile(r"\\(.)")
_COMP = re.compile(r"-\s+(\S+)\s+(\S+)([^;]*);")
_PLACE = re.compile(r"\+\s*(PLACED|FIXED|COVER)\s*\(\s*(\S+)\s+(\S+)\s*\)\s*(\S+)|\+\s*(UNPLACED)")
_SOURCE = re.compile(r"\+\s*SOURCE\s+(\S+)")
_ITEM = re.compile(r"-\s+((?:\"[^\"]*\"|[^;\"])*);")
_CONN = re.compile(r"\(\s*(\S+)\s+(\S+)(?:\s+\+\s*SYNTHESIZED)?\s*\)")


class _Src:
    def __init__(self, text: str, path: str):
        self.text = text
        self.path = path
        self._nl: np.ndarray | None = None
        self.spelling: dict[str, str] = {}

    def name(self, raw: str) -> str:
        """``raw`` unescaped; an escaped spelling is remembered for the writer."""
        if "\\" not in raw:
            return raw
        plain = _UNESC.sub(r"\1", raw)
        self.spelling[plain] = raw
        return plain

    def line(self, off: int) -> int:
        if self._nl is None:
            self._nl = np.array([m.start() for m in re.finditer("\n", self.text)], dtype=np.int64)
        return int(np.searchsorted(self._nl, off, side="left")) + 1

    def lines(self, offs: np.ndarray) -> np.ndarray:
        self.line(0)
        assert self._nl is not None
        return (np.searchsorted(self._nl, offs, side="left") + 1).astype(np.int32)

    def err(self, msg: str, off: int) -> InputError:
        return InputError(msg, self.path, self.line(off))


_INT_MAX = (1 << 31) - 1   # DEF numbers are 32-bit integers


def _int(src: _Src, tok: str, off: int, what: str, lo: int = -_INT_MAX) -> int:
    """An integer number (``12`` or ``12.0``) within [lo, 2**31 - 1]."""
    try:
        v = int(tok)
    except ValueError:
        try:
            f = float(tok)
        except ValueError:
            raise src.err(f"{what}: expected an integer, got '{tok}'", off) from None
        if not math.isfinite(f):
            raise src.err(f"{what}: a finite integer is expected, got '{tok}'", off) from None
        if f != int(f):
            raise src.err(f"{what}: coordinate '{tok}' is not an integer number of database units", off) from None
        v = int(f)
    if not lo <= v <= _INT_MAX:
        raise src.err(f"{what}: '{tok}' is out of range ({lo}..{_INT_MAX})", off)
    return v


def _points(src: _Src, toks: list[str], off: int, what: str) -> list[tuple[int, int]]:
    """Parse ``( x y ) ( x y ) ...`` (``*`` repeats the previous value)."""
    pts: list[tuple[int, int]] = []
    i = 0
    while i < len(toks):
        if toks[i] != "(" or i + 3 >= len(toks) or toks[i + 3] != ")":
            raise src.err(f"{what}: malformed point list", off)
        xs, ys = toks[i + 1], toks[i + 2]
        x = pts[-1][0] if xs == "*" and pts else _int(src, xs, off, what)
        y = pts[-1][1] if ys == "*" and pts else _int(src, ys, off, what)
        pts.append((x, y))
        i += 4
    return pts


def _section_end(src: _Src, name: str, pos: int, err_off: int | None = None) -> tuple[int, int]:
    # literal first so the regex engine can skip ahead fast; the word boundary is checked by hand
    rx = re.compile(r"END\s+" + name + r"\b")
    text = src.text
    while True:
        m = rx.search(text, pos)
        if m is None:
            raise src.err(f"section {name} is not closed (missing 'END {name}')", pos if err_off is None else err_off)
        if m.start() == 0 or not (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_"):
            return m.start(), m.end()
        pos = m.end()


def parse_def(text: str, path: str = "<def>") -> DefDesign:
    """Parse DEF text. Raises :class:`InputError` with the line on malformed input."""
    orig = text
    if "#" in text:
        text = re.sub(r"#[^\n]*", lambda m: " " * len(m.group()), text)
    src = _Src(text, path)
    d = DefDesign(path=path)
    units_seen = False
    pos = 0
    n = len(text)
    last_rank = (0, 0)

    def keep(kw: str, start: int, end: int) -> None:
        rank = (_RANK[kw], 0) if kw in _RANK else (last_rank[0], 1)
        d.kept.append(DefSection(kw, orig[start:end], rank, src.line(start)))
    while True:
        pos = _WS.match(text, pos).end()
        if pos >= n:
            raise src.err("missing 'END DESIGN'", n)
        head = _TOK.match(text, pos)
        kw = head.group() if head else ""
        if kw == "END":
            rest = text[pos:pos + 40].split()
            if len(rest) >= 2 and rest[1] == "DESIGN":
                break
            raise src.err(f"unexpected '{' '.join(rest[:2])}'", pos)
        m = _STMT.match(text, pos)
        if m is None:
            raise src.err("statement not terminated by ';'", pos)
        stmt_off = pos
        if kw in _RANK:
            last_rank = (_RANK[kw], 0)
        if kw in ("COMPONENTS", "PINS", "NETS"):
            hdr_end = m.end()
            toks = _TOK.findall(m.group()[:-1])
            if len(toks) != 2:
                raise src.err(f"expected '{kw} <count> ;'", pos)
            count = _int(src, toks[1], pos, kw, lo=0)
            body_end, after = _section_end(src, kw, hdr_end, pos)
            if kw == "COMPONENTS":
                d.components_line = src.line(pos)
                d.components = _parse_components(src, hdr_end, body_end, count, d.comp_attrs)
            elif kw == "PINS":
                d.pins = _parse_pins(src, hdr_end, body_end, count)
            else:
                d.nets = _parse_nets(src, hdr_end, body_end, count, d.net_attrs)
            pos = after
            continue
        if kw in ("VIAS", "SPECIALNETS", "BLOCKAGES", "REGIONS", "GROUPS", "SCANCHAINS", "FILLS",
                  "STYLES", "PROPERTYDEFINITIONS", "NONDEFAULTRULES", "PINPROPERTIES", "SLOTS",
                  "BEGINEXT", "COMPONENTMASKSHIFT"):
            if kw == "BEGINEXT":
                e = text.find("ENDEXT", pos)
                if e < 0:
                    raise src.err("BEGINEXT without ENDEXT", pos)
                end = e + len("ENDEXT")
            elif kw == "COMPONENTMASKSHIFT":
                end = m.end()
            else:
                end = _section_end(src, kw, pos + len(kw), pos)[1]
            keep(kw, pos, end)
            pos = end
            continue
        toks = _TOK.findall(m.group()[:-1])
        pos = m.end()
        if kw == "VERSION":
            d.version = toks[1] if len(toks) > 1 else d.version
        elif kw == "DESIGN":
            if len(toks) != 2:
                raise src.err("expected 'DESIGN <name> ;'", stmt_off)
            d.design = src.name(toks[1])
        elif kw == "DIVIDERCHAR" and len(toks) > 1:
            d.divider_char = toks[1].strip('"')
        elif kw == "BUSBITCHARS" and len(toks) > 1:
            d.bus_bit_chars = toks[1].strip('"')
        elif kw == "UNITS":
            if len(toks) != 4 or toks[1:3] != ["DISTANCE", "MICRONS"]:
                raise src.err("expected 'UNITS DISTANCE MICRONS <n> ;'", stmt_off)
            try:
                v = float(toks[3])
            except ValueError:
                raise src.err(f"bad UNITS DISTANCE MICRONS value '{toks[3]}'", stmt_off) from None
            if not math.isfinite(v) or v != int(v) or int(v) not in _VALID_DBU:
                raise src.err(f"bad UNITS DISTANCE MICRONS value '{toks[3]}' (allowed: {', '.join(map(str, _VALID_DBU))})", stmt_off)
            d.dbu = int(v)
            units_seen = True
        elif kw == "DIEAREA":
            pts = _points(src, toks[1:], stmt_off, "DIEAREA")
            if len(pts) < 2 or (len(pts) == 2 and (pts[0][0] == pts[1][0] or pts[0][1] == pts[1][1])):
                raise src.err("DIEAREA needs a non-empty rectangle or a polygon", stmt_off)
            d.diearea = pts
        elif kw == "ROW":
            d.rows.append(_parse_row(src, toks, stmt_off))
        elif kw == "TRACKS":
            d.tracks.append(_parse_tracks(src, toks, stmt_off))
        elif kw.isupper() and kw.isalpha():
            keep(kw, stmt_off, pos)   # GCELLGRID, HISTORY, TECHNOLOGY, ... : kept verbatim
        else:
            raise src.err(f"unexpected '{kw}'", stmt_off)
    if not units_seen:
        raise InputError("DEF has no 'UNITS DISTANCE MICRONS' statement", path)
    d.spelling = src.spelling
    if not d.design:
        raise InputError("DEF has no DESIGN statement", path)
    return d


def _count_mismatch(src: _Src, kw: str, declared: int, listed: int, off: int) -> None:
    """A section whose count disagrees with its entries: the entries win (the DEF
    reference parser only warns too; OpenROAD's own gpl test DEF has 294 vs 549)."""
    warn(f"{kw} declares {declared} entries but lists {listed}: all {listed} are read", src.path, src.line(off))


def _parse_row(src: _Src, toks: list[str], off: int) -> DefRow:
    # ROW name site x y orient [DO nx BY ny [STEP sx sy]] [+ PROPERTY ...]
    if len(toks) < 6:
        raise src.err("ROW needs: name site x y orient", off)
    r = DefRow(name=src.name(toks[1]), site=toks[2], x=_int(src, toks[3], off, "ROW"),
               y=_int(src, toks[4], off, "ROW"), orient=toks[5], line=src.line(off))
    if r.orient not in _ORIENT_CODE:
        raise src.err(f"ROW: bad orientation '{r.orient}'", off)
    i = 6
    if i < len(toks) and toks[i] == "DO":
        if i + 3 >= len(toks) or toks[i + 2] != "BY":
            raise src.err("ROW: expected 'DO <nx> BY <ny>'", off)
        r.num_x = _int(src, toks[i + 1], off, "ROW DO count", lo=1)
        r.num_y = _int(src, toks[i + 3], off, "ROW BY count", lo=1)
        i += 4
        if i < len(toks) and toks[i] == "STEP":
            if i + 2 >= len(toks):
                raise src.err("ROW: expected 'STEP <sx> <sy>'", off)
            r.step_x = _int(src, toks[i + 1], off, "ROW STEP", lo=0)
            r.step_y = _int(src, toks[i + 2], off, "ROW STEP", lo=0)
    return r


def _parse_tracks(src: _Src, toks: list[str], off: int) -> DefTracks:
    # TRACKS X start DO num STEP step [MASK ..] LAYER l1 l2 ;
    try:
        axis = toks[1]
        start = _int(src, toks[2], off, "TRACKS")
        if toks[3] != "DO" or toks[5] != "STEP":
            raise IndexError
        num = _int(src, toks[4], off, "TRACKS DO count", lo=1)
        step = _int(src, toks[6], off, "TRACKS STEP", lo=1)
    except IndexError:
        raise src.err("TRACKS: expected '{X|Y} start DO num STEP step LAYER ...'", off) from None
    layers: tuple[str, ...] = ()
    if "LAYER" in toks:
        layers = tuple(toks[toks.index("LAYER") + 1:])
    if axis not in ("X", "Y"):
        raise src.err(f"TRACKS: bad axis '{axis}'", off)
    return DefTracks(axis, start, num, step, layers)


def _parse_components(src: _Src, start: int, end: int, count: int,
                      attrs: dict[str, str]) -> DefComponents:
    text = src.text
    names: list[str] = []
    masters: list[str] = []
    status: list[int] = []
    xs: list[int] = []
    ys: list[int] = []
    ors: list[int] = []
    sources: list[str | None] = []
    offs: list[int] = []
    pos = start
    for m in _COMP.finditer(text, start, end):
        gap = text[pos:m.start()]
        if gap.strip():
            raise src.err(f"COMPONENTS: unexpected text '{gap.strip()[:30]}'", pos + len(gap) - len(gap.lstrip()))
        pos = m.end()
        name, master, rest = m.group(1), m.group(2), m.group(3)
        st, x, y, o = ST_NONE, 0, 0, 0
        if "+" in master or "+" in name:
            raise src.err("COMPONENTS: expected '- <name> <master>'", m.start())
        if rest:
            pm = _PLACE.search(rest)
            if pm is not None:
                if pm.group(5):
                    st = ST_UNPLACED
                else:
                    st = _STATUS_CODE[pm.group(1)]
                    try:
                        x, y = int(pm.group(2)), int(pm.group(3))
                        if not (-_INT_MAX <= x <= _INT_MAX and -_INT_MAX <= y <= _INT_MAX):
                            raise ValueError
                    except ValueError:
                        x = _int(src, pm.group(2), m.start(), f"COMPONENTS {name} location")
                        y = _int(src, pm.group(3), m.start(), f"COMPONENTS {name} location")
                    oc = _ORIENT_CODE.get(pm.group(4))
                    if oc is None:
                        raise src.err(f"COMPONENTS {name}: bad orientation '{pm.group(4)}'", m.start())
                    o = oc
            elif re.search(r"\+\s*(PLACED|FIXED|COVER)\b", rest):
                raise src.err(f"COMPONENTS {name}: malformed placement", m.start())
            sm = _SOURCE.search(rest)
            sources.append(sm.group(1) if sm else None)
            other = _SOURCE.sub("", _PLACE.sub("", rest, count=1), count=1).strip()
            if other:     # + HALO / + REGION / + PROPERTY / + WEIGHT / ...: written back as read
                attrs[src.name(name)] = other
        else:
            sources.append(None)
        names.append(src.name(name))
        masters.append(master)
        status.append(st)
        xs.append(x)
        ys.append(y)
        ors.append(o)
        offs.append(m.start())
    if text[pos:end].strip():
        raise src.err(f"COMPONENTS: unterminated or malformed entry '{text[pos:end].strip()[:30]}'", pos + len(text[pos:end]) - len(text[pos:end].lstrip()))
    if len(names) != count:
        _count_mismatch(src, "COMPONENTS", count, len(names), start - 1)
    return DefComponents(names=names, masters=masters, status=np.array(status, np.int8),
                         x=np.array(xs, np.int64), y=np.array(ys, np.int64), orient=np.array(ors, np.int8),
                         source=sources, line=src.lines(np.array(offs, np.int64)))


def _parse_pins(src: _Src, start: int, end: int, count: int) -> list[DefPin]:
    text = src.text
    pins: list[DefPin] = []
    pos = start
    for m in _ITEM.finditer(text, start, end):
        if text[pos:m.start()].strip():
            raise src.err("PINS: unexpected text", pos)
        pos = m.end()
        toks = _TOK.findall(m.group(1))
        off = m.start()
        if not toks:
            raise src.err("PINS: empty entry", off)
        p = DefPin(name=src.name(toks[0]), line=src.line(off))
        i = 1
        while i < len(toks):
            t = toks[i]
            if t != "+":
                i += 1
                continue
            k = toks[i + 1] if i + 1 < len(toks) else ""
            if k == "NET":
                p.net = src.name(toks[i + 2])
                i += 3
            elif k == "SPECIAL":
                p.special = True
                i += 2
            elif k == "DIRECTION":
                p.direction = toks[i + 2]
                i += 3
            elif k == "USE":
                p.use = toks[i + 2]
                i += 3
            elif k == "LAYER":
                j = i + 3
                while j < len(toks) and toks[j] != "(":   # MASK n / SPACING d / DESIGNRULEWIDTH w
                    j += 1
                if p.layer is None:
                    p.layer = toks[i + 2]
                    pts = _points(src, toks[j:j + 8], off, f"PINS {p.name} LAYER")
                    if len(pts) != 2:
                        raise src.err(f"PINS {p.name}: LAYER needs two points", off)
                    (x0, y0), (x1, y1) = pts
                    p.rect = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
                i = j + 8
            elif k in ("PLACED", "FIXED", "COVER"):
                if p.status == ST_NONE:
                    pts = _points(src, toks[i + 2:i + 6], off, f"PINS {p.name} {k}")
                    p.status = _STATUS_CODE[k]
                    p.x, p.y = pts[0]
                    oc = _ORIENT_CODE.get(toks[i + 6] if i + 6 < len(toks) else "")
                    if oc is None:
                        raise src.err(f"PINS {p.name}: bad orientation", off)
                    p.orient = oc
                i += 7
            elif k == "UNPLACED":
                p.status = ST_UNPLACED
                i += 2
            else:
                i += 2
        pins.append(p)
    if text[pos:end].strip():
        raise src.err("PINS: unterminated or malformed entry", pos)
    if len(pins) != count:
        _count_mismatch(src, "PINS", count, len(pins), start - 1)
    return pins


_NET_PLUS = re.compile(r"\+\s*(?!SYNTHESIZED\b)[A-Z]")
_NET_ATTR = re.compile(r'\+\s*([A-Z]+)(?:"[^"]*"|[^+"])*')
_NET_NOT_KEPT = frozenset({"USE", "ROUTED", "FIXED", "COVER", "NOSHIELD"})   # USE is parsed; wiring dropped


def _parse_nets(src: _Src, start: int, end: int, count: int, attrs: dict[str, str]) -> list[DefNet]:
    text = src.text
    nets: list[DefNet] = []
    pos = start
    for m in _ITEM.finditer(text, start, end):
        if text[pos:m.start()].strip():
            raise src.err("NETS: unexpected text", pos)
        pos = m.end()
        body = m.group(1)
        pm = _NET_PLUS.search(body)      # first '+' that is not a connection's + SYNTHESIZED
        plus = pm.start() if pm else -1
        head = body if plus < 0 else body[:plus]
        name_m = re.match(r"\s*(\S+)", head)
        if name_m is None:
            raise src.err("NETS: empty entry", m.start())
        net = DefNet(name=src.name(name_m.group(1)), line=src.line(m.start()))
        net.conns = [(src.name(a), src.name(b)) for a, b in _CONN.findall(head, name_m.end())]
        if plus >= 0:
            um = re.search(r"\+\s*USE\s+(\S+)", body[plus:])
            net.use = um.group(1) if um else None
            other = " ".join(a.group().strip() for a in _NET_ATTR.finditer(body, plus)
                             if a.group(1) not in _NET_NOT_KEPT)
            if other:     # + NONDEFAULTRULE / + WEIGHT / + PROPERTY / + SOURCE / ...: written back as read
                attrs[net.name] = other
        nets.append(net)
    if text[pos:end].strip():
        raise src.err("NETS: unterminated or malformed entry", pos)
    if len(nets) != count:
        _count_mismatch(src, "NETS", count, len(nets), start - 1)
    return nets


def read_def(path: str | Path) -> DefDesign:
    """Read a DEF file (``.gz`` accepted)."""
    return parse_def(read_text(path), str(path))


# --------------------------------------------------------------------------- writer

_ESC_COMP = re.compile(r"([\[\]])")


def _esc(name: str) -> str:
    return _ESC_COMP.sub(r"\\\1", name)


def format_def(d: DefDesign) -> str:
    """DEF text for ``d`` (deterministic: same object -> same bytes).

    The statements in :data:`REWRITTEN` are rebuilt from the parsed data; the kept
    sections (:attr:`DefDesign.kept`) are written unchanged between them, in DEF order.
    """
    sp = d.spelling
    parts: list[tuple[tuple[int, int], str]] = [
        ((_RANK["VERSION"], 0), f"VERSION {d.version} ;\n"),
        ((_RANK["DIVIDERCHAR"], 0), f'DIVIDERCHAR "{d.divider_char}" ;\n'),
        ((_RANK["BUSBITCHARS"], 0), f'BUSBITCHARS "{d.bus_bit_chars}" ;\n'),
        ((_RANK["DESIGN"], 0), f"DESIGN {sp.get(d.design, d.design)} ;\n"),
        ((_RANK["UNITS"], 0), f"UNITS DISTANCE MICRONS {d.dbu} ;\n")]
    if d.diearea:
        parts.append(((_RANK["DIEAREA"], 0), "DIEAREA " + " ".join(f"( {x} {y} )" for x, y in d.diearea) + " ;\n"))
    parts.append(((_RANK["ROW"], 0), "".join(
        f"ROW {sp.get(r.name, r.name)} {r.site} {r.x} {r.y} {r.orient} DO {r.num_x} BY {r.num_y} STEP {r.step_x} {r.step_y} ;\n"
        for r in d.rows)))
    parts.append(((_RANK["TRACKS"], 0), "".join(
        f"TRACKS {t.axis} {t.start} DO {t.num} STEP {t.step}" + (" LAYER " + " ".join(t.layers) if t.layers else "")
        + " ;\n" for t in d.tracks)))
    parts.append(((_RANK["COMPONENTS"], 0), _format_components(d.components, d.comp_attrs, sp)))
    parts.append(((_RANK["PINS"], 0), _format_pins(d.pins, sp)))
    if d.nets:
        parts.append(((_RANK["NETS"], 0), _format_nets(d.nets, d.net_attrs, sp)))
    parts += [(k.rank, k.text.rstrip() + "\n") for k in d.kept]
    order = sorted(range(len(parts)), key=lambda i: (parts[i][0], i))   # stable: input order within a rank
    return "".join(parts[i][1] for i in order) + "END DESIGN\n"


def _format_components(c: DefComponents, attrs: dict[str, str], sp: dict[str, str]) -> str:
    out: list[str] = []
    w = out.append
    w(f"COMPONENTS {len(c)} ;\n")
    st, xs, ys, ors = c.status.tolist(), c.x.tolist(), c.y.tolist(), c.orient.tolist()
    for i, name in enumerate(c.names):
        s = f"    - {sp.get(name) or _esc(name)} {c.masters[i]}"
        if c.source[i]:
            s += f" + SOURCE {c.source[i]}"
        k = st[i]
        if k == ST_UNPLACED:
            s += " + UNPLACED"
        elif k != ST_NONE:
            s += f" + {STATUS_NAMES[k]} ( {xs[i]} {ys[i]} ) {ORIENTS[ors[i]]}"
        if attrs and name in attrs:
            s += " " + attrs[name]
        w(s + " ;\n")
    w("END COMPONENTS\n")
    return "".join(out)


def _format_pins(pins: list[DefPin], sp: dict[str, str]) -> str:
    out: list[str] = []
    w = out.append
    w(f"PINS {len(pins)} ;\n")
    for p in pins:
        s = f"    - {sp.get(p.name, p.name)}"
        if p.net is not None:
            s += f" + NET {sp.get(p.net, p.net)}"
        if p.special:
            s += " + SPECIAL"
        if p.direction:
            s += f" + DIRECTION {p.direction}"
        if p.use:
            s += f" + USE {p.use}"
        if p.layer is not None and p.rect is not None:
            s += f"\n      + PORT\n        + LAYER {p.layer} ( {p.rect[0]} {p.rect[1]} ) ( {p.rect[2]} {p.rect[3]} )"
        if p.status == ST_UNPLACED:
            s += " + UNPLACED"
        elif p.status != ST_NONE:
            s += f"\n        + {STATUS_NAMES[p.status]} ( {p.x} {p.y} ) {ORIENTS[p.orient]}"
        w(s + " ;\n")
    w("END PINS\n")
    return "".join(out)


def _format_nets(nets: list[DefNet], attrs: dict[str, str], sp: dict[str, str]) -> str:
    out = [f"NETS {len(nets)} ;\n"]
    for n in nets:
        s = f"    - {sp.get(n.name, n.name)}"
        for a, b in n.conns:
            s += f" ( {a if a == 'PIN' else sp.get(a) or _esc(a)} {sp.get(b, b)} )"
        if n.use:
            s += f" + USE {n.use}"
        if attrs and n.name in attrs:
            s += " " + attrs[n.name]
        out.append(s + " ;\n")
    out.append("END NETS\n")
    return "".join(out)


def write_def(path: str | Path, d: DefDesign) -> None:
    """Write ``d`` to ``path`` atomically."""
    text = format_def(d)
    with atomic_write(path) as f:
        f.write(text)
