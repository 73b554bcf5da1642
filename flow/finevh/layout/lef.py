"""LEF reader: technology LEF (units, sites, layers) and cell LEF (macros, pins).

All lengths are in um (LEF geometry is written in microns; ``UNITS DATABASE
MICRONS`` only fixes the database resolution, kept as :attr:`Lef.dbu_per_micron`).

Several files are merged in the order given (tech LEF first, then cell LEFs).
A site or layer defined twice with the same content is accepted silently; a macro
defined twice keeps the later definition and warns. Sections the flow does not use
(VIA, VIARULE, NONDEFAULTRULE, PROPERTYDEFINITIONS, extensions, antenna data, ...)
are skipped; obstructions are kept as plain rectangles. Malformed input raises
:class:`~finevh.errors.InputError` with file and line.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..errors import InputError
from ..fileio import read_text
from ..progress import warn

__all__ = [
    "Lef", "LefSite", "LefLayer", "LefMacro", "LefPin", "LefRect", "read_lef", "parse_lef",
]


@dataclass(frozen=True)
class LefRect:
    """An axis-aligned rectangle on a layer, um, in the macro's own frame."""

    layer: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class LefSite:
    name: str
    cls: str                      # CORE, PAD
    symmetry: tuple[str, ...]     # subset of X, Y, R90
    width: float                  # um
    height: float                 # um


@dataclass
class LefLayer:
    name: str
    type: str                     # ROUTING, CUT, MASTERSLICE, OVERLAP, IMPLANT
    direction: str | None = None  # HORIZONTAL / VERTICAL (routing layers)
    pitch: tuple[float, float] | None = None   # (x, y) um; a single value gives (p, p)
    offset: tuple[float, float] | None = None  # um
    width: float | None = None    # minimum width, um
    spacing: float | None = None  # minimum spacing, um (SPACING or first SPACINGTABLE entry)
    index: int = 0                # order in the stack (0 = first layer read)


@dataclass
class LefPin:
    name: str
    direction: str | None         # INPUT, OUTPUT, INOUT, FEEDTHRU, "OUTPUT TRISTATE"
    use: str | None               # SIGNAL, CLOCK, POWER, GROUND, ANALOG, SCAN, TIEOFF
    shape: str | None
    rects: list[LefRect] = field(default_factory=list)   # all ports; polygons as bounding boxes

    def bbox(self) -> tuple[float, float, float, float] | None:
        """Bounding box of the pin's shapes (um, macro frame), None if it has none."""
        if not self.rects:
            return None
        return (min(r.x0 for r in self.rects), min(r.y0 for r in self.rects),
                max(r.x1 for r in self.rects), max(r.y1 for r in self.rects))

    def center(self) -> tuple[float, float] | None:
        b = self.bbox()
        return None if b is None else ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)


@dataclass
class LefMacro:
    name: str
    cls: str                      # CORE, BLOCK, PAD, COVER, RING, ENDCAP
    subclass: str | None          # e.g. SPACER, TIEHIGH, WELLTAP, ANTENNACELL for CORE
    width: float                  # um
    height: float                 # um
    origin: tuple[float, float] = (0.0, 0.0)
    site: str | None = None
    symmetry: tuple[str, ...] = ()
    foreign: str | None = None
    pins: dict[str, LefPin] = field(default_factory=dict)
    obs: list[LefRect] = field(default_factory=list)
    source: str = ""              # file the macro was read from
    line: int = 0                 # line of the MACRO statement

    @property
    def is_filler(self) -> bool:
        return self.cls == "CORE" and self.subclass == "SPACER"

    @property
    def is_physical_only(self) -> bool:
        """A cell with no logic: CORE SPACER/WELLTAP/ANTENNACELL, ENDCAP or COVER, or one
        whose pins are all power/ground (taps and decaps of libraries that leave the class plain)."""
        if (self.cls == "CORE" and self.subclass in ("SPACER", "WELLTAP", "ANTENNACELL", "ENDCAP")) \
                or self.cls in ("ENDCAP", "COVER"):
            return True
        return bool(self.pins) and all(p.use in ("POWER", "GROUND") for p in self.pins.values())

    def supply_pins(self, use: str) -> list[str]:
        """Names of the pins with ``USE use`` (``POWER`` or ``GROUND``), in file order."""
        return [p.name for p in self.pins.values() if p.use == use]


@dataclass
class Lef:
    """Merged content of one or more LEF files."""

    dbu_per_micron: int = 1000
    manufacturing_grid: float | None = None   # um
    version: str | None = None
    bus_bit_chars: str = "[]"
    divider_char: str = "/"
    sites: dict[str, LefSite] = field(default_factory=dict)
    layers: dict[str, LefLayer] = field(default_factory=dict)
    macros: dict[str, LefMacro] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def macro(self, name: str) -> LefMacro:
        m = self.macros.get(name)
        if m is None:
            raise InputError(f"cell '{name}' is not defined in the LEF files ({', '.join(self.files) or 'none'})")
        return m

    def routing_layers(self) -> list[LefLayer]:
        return [l for l in self.layers.values() if l.type == "ROUTING"]

    def core_site(self) -> LefSite | None:
        """The site most core macros use (ties broken by name), else the first CORE site."""
        count: dict[str, int] = {}
        for m in self.macros.values():
            if m.site and m.cls == "CORE":
                count[m.site] = count.get(m.site, 0) + 1
        if count:
            best = sorted(count.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            if best in self.sites:
                return self.sites[best]
        for s in self.sites.values():
            if s.cls == "CORE":
                return s
        return None


# --------------------------------------------------------------------------- tokenizer

_TOKEN = re.compile(r'"[^"]*"|#[^\n]*|[^\s"#]+|"')


class _Tokens:
    """Token stream with lazily computed line numbers (for errors only)."""

    def __init__(self, text: str, path: str):
        self.path = path
        self.text = text
        toks: list[str] = []
        offs: list[int] = []
        for m in _TOKEN.finditer(text):
            t = m.group()
            if t[0] == "#":
                continue
            if t == '"':
                line = text.count("\n", 0, m.start()) + 1
                raise InputError("unterminated string (a '\"' without its closing quote)", path, line)
            toks.append(t)
            offs.append(m.start())
        self.toks = toks
        self.offs = offs
        self.i = 0
        self._nl: list[int] | None = None

    def line_at(self, i: int) -> int:
        if self._nl is None:
            self._nl = [m.start() for m in re.finditer("\n", self.text)]
        off = self.offs[min(i, len(self.offs) - 1)] if self.offs else 0
        return bisect_right(self._nl, off) + 1 if i < len(self.offs) else len(self._nl) + 1

    def error(self, msg: str, i: int | None = None) -> InputError:
        return InputError(msg, self.path, self.line_at(self.i if i is None else i))

    def at_end(self) -> bool:
        return self.i >= len(self.toks)

    def next(self) -> str:
        if self.i >= len(self.toks):
            raise self.error("unexpected end of file")
        t = self.toks[self.i]
        self.i += 1
        return t

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def statement(self, first: str, strict: bool = False) -> list[str]:
        """Tokens after ``first`` up to (excluding) the terminating ';'."""
        out: list[str] = []
        start = self.i - 1
        toks = self.toks
        n = len(toks)
        i = self.i
        while i < n:
            t = toks[i]
            i += 1
            if t == ";":
                self.i = i
                return out
            if strict and t in _BLOCK_WORDS:
                # a block keyword inside a statement almost always means a missing ';'
                raise self.error(f"missing ';' after '{first}' statement", start)
            out.append(t)
        raise self.error(f"unterminated '{first}' statement (missing ';')", start)

    def block(self, what: str, name: str, start: int):
        """Yield the keywords of the block ``what name`` up to its ``END name``
        (consumed); a missing or mismatched END is an error located at the block."""
        while True:
            if self.at_end():
                raise self.error(f"{what} {name} not closed (missing 'END {name}')", start)
            kw = self.next()
            if kw == "END":
                end = self.next()
                if end != name:
                    raise self.error(f"expected 'END {name}' closing {what} {name}, got 'END {end}'", self.i - 1)
                return
            yield kw

    def skip_block(self, name: str | None) -> None:
        """Skip to the matching ``END name`` (or bare ``END`` when name is None)."""
        start = self.i - 1
        toks = self.toks
        n = len(toks)
        i = self.i
        while i < n:
            if toks[i] == "END":
                if name is None:
                    self.i = i + 1
                    return
                if i + 1 < n and toks[i + 1] == name:
                    self.i = i + 2
                    return
            i += 1
        raise self.error(f"block not closed (missing 'END {name or ''}')", start)

    def num(self, tok: str, i: int | None = None, lo: float | None = None, strict: bool = False,
            what: str = "") -> float:
        """A finite number; with ``lo``, >= lo (> lo when ``strict``). ``what`` names it in errors."""
        where = self.i - 1 if i is None else i
        pre = f"{what}: " if what else ""
        try:
            v = float(tok)
        except ValueError:
            raise self.error(f"{pre}expected a number, got '{tok}'", where) from None
        if not math.isfinite(v):
            raise self.error(f"{pre}a finite number is expected, got '{tok}'", where)
        if lo is not None and (v < lo or (strict and v == lo)):
            raise self.error(f"{pre}'{tok}' must be {'>' if strict else '>='} {lo:g}", where)
        return v


_NUMBER = re.compile(r"^[-+]?(?:\d|\.\d|nan|inf)", re.IGNORECASE)

# keywords that open a block in a macro / at top level (used to catch missing ';')
_MACRO_CLASSES = frozenset({"COVER", "RING", "BLOCK", "PAD", "CORE", "ENDCAP"})
_BLOCK_WORDS = frozenset({"MACRO", "PIN", "PORT", "OBS", "END"})


def _strip_quotes(t: str) -> str:
    return t[1:-1] if len(t) >= 2 and t[0] == '"' and t[-1] == '"' else t


# --------------------------------------------------------------------------- parser

def parse_lef(text: str, path: str = "<lef>", into: Lef | None = None) -> Lef:
    """Parse LEF text (one file) into ``into`` (a new :class:`Lef` when None)."""
    lef = into if into is not None else Lef()
    lef.files.append(path)
    tk = _Tokens(text, path)
    while not tk.at_end():
        kw = tk.next()
        if kw == "END":
            nxt = tk.peek()
            if nxt == "LIBRARY":
                tk.next()
                break
            raise tk.error(f"unexpected 'END {nxt}' at top level", tk.i - 1)
        if kw == "VERSION":
            st = tk.statement(kw)
            lef.version = st[0] if st else None
        elif kw == "BUSBITCHARS":
            st = tk.statement(kw)
            if st:
                lef.bus_bit_chars = _strip_quotes(st[0])
        elif kw == "DIVIDERCHAR":
            st = tk.statement(kw)
            if st:
                lef.divider_char = _strip_quotes(st[0])
        elif kw == "MANUFACTURINGGRID":
            st = tk.statement(kw)
            if len(st) != 1:
                raise tk.error("MANUFACTURINGGRID needs one value", tk.i - 1)
            lef.manufacturing_grid = tk.num(st[0], tk.i - 2, lo=0.0, strict=True, what="MANUFACTURINGGRID")
        elif kw == "UNITS":
            _parse_units(tk, lef)
        elif kw == "SITE":
            _parse_site(tk, lef)
        elif kw == "LAYER":
            _parse_layer(tk, lef)
        elif kw == "MACRO":
            _parse_macro(tk, lef)
        elif kw in ("VIA", "VIARULE", "NONDEFAULTRULE"):
            name = tk.next()
            tk.skip_block(name)
        elif kw in ("PROPERTYDEFINITIONS", "SPACING", "IRDROP", "NOISETABLE", "CORRECTIONTABLE", "ARRAY"):
            if kw == "ARRAY":
                tk.skip_block(tk.next())
            else:
                tk.skip_block(kw)
        elif kw == "BEGINEXT":
            while not tk.at_end() and tk.next() != "ENDEXT":
                pass
        elif kw.isupper() and kw.replace("_", "").isalnum():
            tk.statement(kw)     # other simple statements (USEMINSPACING, CLEARANCEMEASURE, ...)
        else:
            raise tk.error(f"unexpected token '{kw}'", tk.i - 1)
    return lef


def _parse_units(tk: _Tokens, lef: Lef) -> None:
    while True:
        kw = tk.next()
        if kw == "END":
            if tk.next() != "UNITS":
                raise tk.error("expected 'END UNITS'", tk.i - 1)
            return
        st = tk.statement(kw)
        if kw == "DATABASE":
            if len(st) != 2 or st[0] != "MICRONS":
                raise tk.error("expected 'DATABASE MICRONS <n> ;'", tk.i - 1)
            v = tk.num(st[1], tk.i - 2, what="DATABASE MICRONS")
            if v <= 0 or v != int(v):
                raise tk.error(f"bad DATABASE MICRONS value '{st[1]}'", tk.i - 2)
            lef.dbu_per_micron = int(v)


def _parse_site(tk: _Tokens, lef: Lef) -> None:
    name = tk.next()
    start = tk.i - 2
    cls, sym, size = "CORE", (), None
    for kw in tk.block("SITE", name, start):
        st = tk.statement(kw)
        if kw == "CLASS" and st:
            cls = st[0]
        elif kw == "SYMMETRY":
            sym = tuple(st)
        elif kw == "SIZE":
            if len(st) != 3 or st[1] != "BY":
                raise tk.error("expected 'SIZE <w> BY <h> ;'", tk.i - 1)
            size = (tk.num(st[0], tk.i - 4, lo=0.0, strict=True, what=f"SITE {name} SIZE"),
                    tk.num(st[2], tk.i - 2, lo=0.0, strict=True, what=f"SITE {name} SIZE"))
    if size is None:
        raise tk.error(f"SITE {name} has no SIZE", start)
    site = LefSite(name, cls, sym, size[0], size[1])
    old = lef.sites.get(name)
    if old is not None and old != site:
        warn(f"SITE {name} redefined with different content; keeping the later one", tk.path, tk.line_at(start))
    lef.sites[name] = site


def _parse_layer(tk: _Tokens, lef: Lef) -> None:
    name = tk.next()
    start = tk.i - 2
    layer = LefLayer(name=name, type="")
    for kw in tk.block("LAYER", name, start):
        st = tk.statement(kw)
        if kw in ("PITCH", "OFFSET", "WIDTH", "SPACING"):
            for t in st[:2]:
                if _NUMBER.match(t):
                    tk.num(t, tk.i - 1, lo=None if kw == "OFFSET" else 0.0, what=f"LAYER {name} {kw}")
        try:
            if kw == "TYPE" and st:
                layer.type = st[0]
            elif kw == "DIRECTION" and st:
                layer.direction = st[0]
            elif kw == "PITCH" and st:
                p = [float(v) for v in st[:2]]
                layer.pitch = (p[0], p[-1])
            elif kw == "OFFSET" and st:
                o = [float(v) for v in st[:2]]
                layer.offset = (o[0], o[-1])
            elif kw == "WIDTH" and len(st) == 1:
                layer.width = float(st[0])
            elif kw == "SPACING" and st:
                # plain minimum spacing is the one without qualifiers (RANGE, ENDOFLINE, ...)
                if len(st) == 1:
                    v = float(st[0])
                    layer.spacing = v if layer.spacing is None else min(layer.spacing, v)
            elif kw == "SPACINGTABLE" and layer.spacing is None:
                # SPACINGTABLE PARALLELRUNLENGTH l0 l1 .. WIDTH w0 s00 s01 ..: s00 is the minimum
                if "WIDTH" in st:
                    k = st.index("WIDTH")
                    if k + 2 < len(st):
                        layer.spacing = float(st[k + 2])
        except ValueError:
            raise tk.error(f"bad number in LAYER {name} {kw} statement", tk.i - 1) from None
    if not layer.type:
        raise tk.error(f"LAYER {name} has no TYPE", start)
    old = lef.layers.get(name)
    if old is not None:
        layer.index = old.index
        if old != layer:
            warn(f"LAYER {name} redefined with different content; keeping the later one", tk.path, tk.line_at(start))
    else:
        layer.index = len(lef.layers)
    lef.layers[name] = layer


def _rect(tk: _Tokens, layer: str | None, st: list[str], kw: str) -> LefRect:
    if layer is None:
        raise tk.error(f"{kw} before any LAYER statement", tk.i - 1)
    vals = [t for t in st if t != "MASK" and t != "ITERATE"]
    if st and st[0] == "MASK":
        vals = st[2:]
    nums = [tk.num(v, tk.i - 1, what=kw) for v in vals]
    if kw == "RECT":
        if len(nums) != 4:
            raise tk.error("RECT needs 4 coordinates", tk.i - 1)
        x0, y0, x1, y1 = nums
        return LefRect(layer, min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    if len(nums) < 6 or len(nums) % 2:
        raise tk.error("POLYGON needs at least 3 points", tk.i - 1)
    xs, ys = nums[0::2], nums[1::2]
    return LefRect(layer, min(xs), min(ys), max(xs), max(ys))


def _parse_geometry(tk: _Tokens, rects: list[LefRect]) -> None:
    """Body of PORT/OBS up to its bare END."""
    layer: str | None = None
    while True:
        kw = tk.next()
        if kw == "END":
            return
        st = tk.statement(kw, strict=True)
        if kw == "LAYER":
            if not st:
                raise tk.error("LAYER needs a name", tk.i - 1)
            layer = st[0]
        elif kw in ("RECT", "POLYGON"):
            rects.append(_rect(tk, layer, st, kw))
        # WIDTH, VIA, PATH, CLASS, DESIGNRULEWIDTH, SPACING: not needed by the flow


def _parse_pin(tk: _Tokens, macro: LefMacro) -> None:
    name = tk.next()
    start = tk.i - 2
    pin = LefPin(name=name, direction=None, use=None, shape=None)
    for kw in tk.block("PIN", name, start):
        if kw == "PORT":
            _parse_geometry(tk, pin.rects)
            continue
        st = tk.statement(kw, strict=True)
        if kw == "DIRECTION" and st:
            pin.direction = " ".join(st)
        elif kw == "USE" and st:
            pin.use = st[0]
        elif kw == "SHAPE" and st:
            pin.shape = st[0]
    macro.pins[name] = pin


def _parse_macro(tk: _Tokens, lef: Lef) -> None:
    name = tk.next()
    start = tk.i - 2
    m = LefMacro(name=name, cls="CORE", subclass=None, width=-1.0, height=-1.0,
                 source=tk.path, line=tk.line_at(start))
    for kw in tk.block("MACRO", name, start):
        if kw == "PIN":
            _parse_pin(tk, m)
            continue
        if kw == "OBS":
            _parse_geometry(tk, m.obs)
            continue
        if kw == "DENSITY":
            tk.skip_block(None)
            continue
        if kw == "MACRO":
            raise tk.error(f"MACRO {name} not closed before the next MACRO", tk.i - 1)
        st = tk.statement(kw, strict=True)
        if kw == "CLASS":
            if not st:
                raise tk.error("CLASS needs a value", tk.i - 1)
            if st[0] not in _MACRO_CLASSES or len(st) > 2:
                raise tk.error(f"bad macro CLASS '{' '.join(st)}' (missing ';'?)", tk.i - 1)
            m.cls = st[0]
            m.subclass = " ".join(st[1:]) or None
        elif kw == "SIZE":
            if len(st) != 3 or st[1] != "BY":
                raise tk.error("expected 'SIZE <w> BY <h> ;'", tk.i - 1)
            m.width = tk.num(st[0], tk.i - 4, lo=0.0, strict=True, what=f"MACRO {name} SIZE")
            m.height = tk.num(st[2], tk.i - 2, lo=0.0, strict=True, what=f"MACRO {name} SIZE")
        elif kw == "ORIGIN":
            if len(st) != 2:
                raise tk.error("expected 'ORIGIN <x> <y> ;'", tk.i - 1)
            m.origin = (tk.num(st[0], tk.i - 3, what=f"MACRO {name} ORIGIN"),
                        tk.num(st[1], tk.i - 2, what=f"MACRO {name} ORIGIN"))
        elif kw == "SITE" and st:
            m.site = st[0]
        elif kw == "SYMMETRY":
            m.symmetry = tuple(st)
        elif kw == "FOREIGN" and st:
            m.foreign = st[0]
    if m.width < 0:
        raise tk.error(f"MACRO {name} has no SIZE", start)
    if name in lef.macros:
        warn(f"MACRO {name} defined again; keeping this definition", tk.path, m.line)
    lef.macros[name] = m


def read_lef(paths: str | Path | Iterable[str | Path]) -> Lef:
    """Read and merge LEF files (tech LEF first). ``.gz`` files are accepted."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    lef = Lef()
    for p in paths:
        text = read_text(p)
        if not text.strip():
            raise InputError("empty LEF file", p)
        parse_lef(text, str(p), into=lef)
    if not lef.files:
        raise InputError("no LEF file given")
    return lef
