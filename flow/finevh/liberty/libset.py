"""Library set: many Liberty libraries indexed by supply voltage and threshold flavour.

A *corner* is a (voltage, flavour) pair. Several files may share a corner (ASAP7
splits each flavour into AO/OA/INVBUF/SEQ/SIMPLE files): :meth:`LibrarySet.get`
then returns one merged :class:`Library` view whose ``cells`` are the SAME
:class:`Cell` objects as in the files (each keeps ``Cell.library`` = its file's
library name).

A :class:`FlavourRule` maps a cell name to ``(base name, flavour)`` and back. The
flavour comes either from a cell-name suffix (ASAP7 ``_SL``/``_L``/``_R``) or, when
no suffix matches, from the library (its name, then its file name, e.g. ``PB10``).
Twins are cells with the same base name; :meth:`LibrarySet.twin` finds one in another
corner and :meth:`LibrarySet.check_twins` checks that twins agree.

Voltages are in V and matched within 1 mV.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from .model import Cell, Library
from .reader import read_liberty

__all__ = ["FlavourRule", "LibrarySet", "load_library_set", "VOLTAGE_TOL"]

VOLTAGE_TOL = 1e-3  # V


@dataclass(frozen=True)
class FlavourRule:
    """How flavours are named.

    ``flavours``: flavour tags in order fast -> slow.
    ``suffixes``: cell-name suffix per flavour (same length as ``flavours``; empty
    tuple = no suffix naming). ``library_tokens``: text searched in a library's name
    and then its file name to give the flavour of a whole library (same length as
    ``flavours``; empty = not used). ``default``: the flavour :meth:`LibrarySet.get`
    uses when asked for none and a voltage has several (None = the first, fastest).
    """

    flavours: tuple[str, ...]
    suffixes: tuple[str, ...] = ()
    library_tokens: tuple[str, ...] = ()
    default: str | None = None
    _by_len: tuple[tuple[str, str], ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.flavours or len(set(self.flavours)) != len(self.flavours):
            raise InputError(f"flavour rule: flavours must be distinct and non-empty: {self.flavours}")
        for what, seq in (("suffixes", self.suffixes), ("library_tokens", self.library_tokens)):
            if seq and len(seq) != len(self.flavours):
                raise InputError(f"flavour rule: {len(seq)} {what} for {len(self.flavours)} flavours")
        if self.default is not None and self.default not in self.flavours:
            raise InputError(f"flavour rule: default '{self.default}' is not one of {self.flavours}")
        by_len = tuple(sorted(zip(self.suffixes, self.flavours), key=lambda t: -len(t[0])))
        object.__setattr__(self, "_by_len", by_len)

    # -- presets
    @classmethod
    def asap7(cls) -> "FlavourRule":
        """ASAP7: ``_SL`` (super-low Vt, fastest), ``_L``, ``_R`` (regular, slowest)."""
        return cls(flavours=("SL", "L", "R"), suffixes=("_SL", "_L", "_R"), default="R")

    @classmethod
    def polybias(cls) -> "FlavourRule":
        """Poly-bias flavours PB0 (nominal, fastest), PB4, PB10, PB16 (slowest), named
        by a cell suffix ``_PB<n>`` or, for same-name libraries, by ``PB<n>`` in the
        library or file name."""
        fl = ("PB0", "PB4", "PB10", "PB16")
        return cls(flavours=fl, suffixes=tuple("_" + f for f in fl), library_tokens=fl, default="PB0")

    @classmethod
    def parse(cls, spec: str) -> "FlavourRule":
        """A rule from text (CLI): ``asap7``, ``polybias``,
        ``suffix:_SL,_L,_R`` (flavour = suffix without its leading ``_``),
        ``suffix:SL=_SL,L=_L,R=_R``, ``library:PB0,PB4,PB10,PB16`` (token = flavour),
        or ``library:FAST=ff,SLOW=ss``. Order = fast -> slow. Optional ``;default=X``."""
        s = spec.strip()
        default = None
        if ";default=" in s:
            s, default = s.split(";default=", 1)
            default = default.strip()
        if s == "asap7":
            r = cls.asap7()
            return r if default is None else cls(r.flavours, r.suffixes, r.library_tokens, default)
        if s == "polybias":
            r = cls.polybias()
            return r if default is None else cls(r.flavours, r.suffixes, r.library_tokens, default)
        kind, _, body = s.partition(":")
        items = [t.strip() for t in body.split(",") if t.strip()]
        if kind not in ("suffix", "library") or not items:
            raise InputError(f"bad flavour rule '{spec}' (asap7 | polybias | suffix:_A,_B | library:A,B)")
        names, keys = [], []
        for it in items:
            if "=" in it:
                n, k = (x.strip() for x in it.split("=", 1))
            else:
                k = it
                n = it.lstrip("_") if kind == "suffix" else it
            if not n or not k:
                raise InputError(f"bad flavour rule item '{it}' in '{spec}'")
            names.append(n)
            keys.append(k)
        if kind == "suffix":
            return cls(tuple(names), suffixes=tuple(keys), default=default)
        return cls(tuple(names), library_tokens=tuple(keys), default=default)

    # -- mapping
    def split(self, cell_name: str) -> tuple[str, str | None]:
        """``(base name, flavour from the suffix)``; flavour None when no suffix matches."""
        for suf, fl in self._by_len:
            if suf and cell_name.endswith(suf) and len(cell_name) > len(suf):
                return cell_name[: -len(suf)], fl
        return cell_name, None

    def cell_name(self, base: str, flavour: str | None) -> str:
        """Cell name of ``base`` in ``flavour`` (suffix naming), else ``base`` unchanged."""
        if flavour is None or not self.suffixes:
            return base
        return base + self.suffixes[self.flavours.index(flavour)]

    def library_flavour(self, lib: Library) -> str | None:
        """Flavour of a whole library from its name, then its file name (token match)."""
        if not self.library_tokens:
            return None
        for text in (lib.name, Path(lib.path).name):
            best = None
            for tok, fl in zip(self.library_tokens, self.flavours):
                if re.search(rf"(?<![A-Za-z0-9]){re.escape(tok)}(?![0-9A-Za-z])", text, re.I):
                    if best is None or len(tok) > len(best[0]):
                        best = (tok, fl)
            if best is not None:
                return best[1]
        return None

    def order(self, flavour: str | None) -> int:
        return self.flavours.index(flavour) if flavour in self.flavours else len(self.flavours)


def _auto_rule(libs: list[Library]) -> FlavourRule | None:
    """The first preset (poly-bias, then ASAP7) that gives EVERY library a flavour
    (a library token, or one cell suffix shared by all its cells); else None."""
    if not libs:
        return None
    for rule in (FlavourRule.polybias(), FlavourRule.asap7()):
        ok = True
        for lib in libs:
            if lib.flavour is not None:
                if lib.flavour in rule.flavours:
                    continue
                ok = False
                break
            if rule.library_flavour(lib) is not None:
                continue
            seen = {rule.split(n)[1] for n in lib.cells}
            if len(seen) != 1 or None in seen:
                ok = False
                break
        if ok:
            return rule
    return None


def _primary_supply(lib: Library) -> float | None:
    """Voltage of the primary power net: the voltage_map entry named by the
    ``primary_power`` pg_pins of the cells (most common), else None."""
    counts: dict[str, int] = {}
    for c in lib.cells.values():
        for pg in c.pg_pins.values():
            if pg.pg_type == "primary_power" and pg.voltage_name:
                counts[pg.voltage_name] = counts.get(pg.voltage_name, 0) + 1
    for name in sorted(counts, key=lambda n: (-counts[n], n)):
        if name in lib.voltage_map:
            return lib.voltage_map[name]
    return None


class LibrarySet:
    """Libraries indexed by supply voltage and flavour (see module doc).

    ``flavour_rule`` None: a preset is chosen when it names the flavour of every
    library (poly-bias tokens/suffixes, then ASAP7 suffixes), else there is no rule and
    flavours are None (e.g. the sky130 voltage sweep).

    ``libraries`` keeps the given order. Each library's ``voltage`` (explicit value
    kept, else ``nom_voltage``, else the primary-power entry of ``voltage_map``) and
    ``flavour`` (library token, else the common cell suffix) are filled in.
    """

    def __init__(self, libraries: list[Library], flavour_rule: FlavourRule | None = None):
        self.libraries: list[Library] = list(libraries)
        if flavour_rule is None:
            flavour_rule = _auto_rule(self.libraries)
        self.rule = flavour_rule
        self._owner: dict[int, Library] = {}
        self._first: dict[str, Cell] = {}
        self._corner_libs: dict[tuple[float, str | None], list[Library]] = {}
        self._merged: dict[tuple[float, str | None], Library] = {}
        for lib in self.libraries:
            if lib.voltage is None:
                lib.voltage = lib.nom_voltage if lib.nom_voltage is not None else _primary_supply(lib)
            if lib.voltage is None:
                raise InputError("library has no nom_voltage nor primary-power voltage_map: give its voltage", lib.path)
            if flavour_rule is not None:
                fl = flavour_rule.library_flavour(lib)
                if fl is None:
                    seen = {flavour_rule.split(n)[1] for n in lib.cells}
                    seen.discard(None)
                    if len(seen) == 1:
                        fl = seen.pop()
                    elif len(seen) > 1:
                        fl = None  # mixed-flavour library: flavours are per cell
                if lib.flavour is None:
                    lib.flavour = fl
            for name, cell in lib.cells.items():
                self._owner[id(cell)] = lib
                self._first.setdefault(name, cell)
            key = (self._vkey(lib.voltage), lib.flavour)
            self._corner_libs.setdefault(key, []).append(lib)

    # -- indexing
    @staticmethod
    def _vkey(v: float) -> float:
        return round(v, 3)

    def _match_voltage(self, v: float) -> float | None:
        for key_v, _ in self._corner_libs:
            if abs(key_v - v) <= VOLTAGE_TOL + 1e-9:
                return key_v
        return None

    def voltages(self) -> list[float]:
        """Distinct supply voltages (V), ascending."""
        return sorted({v for v, _ in self._corner_libs})

    def flavours(self) -> list[str]:
        """Distinct flavours present, in the rule's order (fast -> slow)."""
        fl: set[str] = set()
        for lib in self.libraries:
            if lib.flavour is not None:
                fl.add(lib.flavour)
            elif self.rule is not None:
                for n in lib.cells:
                    f = self.rule.split(n)[1]
                    if f is not None:
                        fl.add(f)
        if self.rule is None:
            return sorted(fl)
        return sorted(fl, key=lambda f: (self.rule.order(f), f))  # type: ignore[union-attr]

    def get(self, voltage: float, flavour: str | None = None) -> Library:
        """The library of a corner (a merged view when several files share it).
        ``flavour`` None: the only flavour at that voltage, else the rule's default
        (else its fastest). Missing -> InputError "missing corner"."""
        kv = self._match_voltage(voltage)
        if kv is None:
            raise InputError(f"missing corner: no library at {voltage:g} V (have {', '.join(f'{v:g}' for v in self.voltages())})")
        at_v = sorted({f for v, f in self._corner_libs if v == kv}, key=lambda f: (self._order(f), str(f)))
        if flavour is None:
            if len(at_v) == 1:
                flavour = at_v[0]
            else:
                want = self.rule.default if self.rule is not None else None
                want = want if want in at_v else at_v[0]
                flavour = want
        key = (kv, flavour)
        libs = self._corner_libs.get(key)
        if not libs:
            raise InputError(
                f"missing corner: no library at {voltage:g} V flavour {flavour} (flavours there: {', '.join(map(str, at_v))})"
            )
        if len(libs) == 1:
            return libs[0]
        m = self._merged.get(key)
        if m is None:
            m = _merge(libs)
            self._merged[key] = m
        return m

    def _order(self, flavour: str | None) -> int:
        return self.rule.order(flavour) if self.rule is not None else 0

    def library_of(self, cell: Cell) -> Library:
        """The file library that holds this very Cell object."""
        lib = self._owner.get(id(cell))
        if lib is None:
            raise InputError(f"cell '{cell.name}' is not in this library set")
        return lib

    def find_cell(self, name: str) -> Cell | None:
        """The cell of that name in the first library (given order) that has it."""
        return self._first.get(name)

    def split(self, cell: Cell) -> tuple[str, str | None]:
        """``(base name, flavour)`` of a cell of the set."""
        lib = self.library_of(cell)
        if self.rule is None:
            return cell.name, lib.flavour
        base, fl = self.rule.split(cell.name)
        return base, fl if fl is not None else lib.flavour

    def twin(self, cell: Cell, voltage: float | None = None, flavour: str | None = None) -> Cell:
        """The same logical cell at another voltage and/or flavour (InputError if absent).
        A black box (no Liberty cell, see :func:`finevh.design.link`) is its own twin."""
        if cell.black_box:
            return cell
        lib = self.library_of(cell)
        base, fl = self.split(cell)
        v = lib.voltage if voltage is None else voltage
        f = fl if flavour is None else flavour
        if self.rule is not None and f is not None and f not in self.rule.flavours:
            raise InputError(f"unknown flavour '{f}' (rule has {', '.join(self.rule.flavours)})")
        target_name = self.rule.cell_name(base, f) if (self.rule is not None and self.rule.split(cell.name)[1] is not None) else base
        kv = self._match_voltage(v)  # type: ignore[arg-type]
        if kv is not None:
            for key in ((kv, f), (kv, None)):
                for L in self._corner_libs.get(key, []):
                    c = L.cells.get(target_name)
                    if c is not None and self.split(c)[1] == f:
                        return c
        raise InputError(f"no twin of cell '{cell.name}' at {v:g} V flavour {f} (looked for '{target_name}')")

    def check_twins(self, rel_tol: float = 1e-6) -> list[str]:
        """Problems among twins (same base name): footprint, area (within ``rel_tol``
        relative), signal pin names and directions must agree; a base cell must exist in
        every corner. Empty list = consistent."""
        problems: list[str] = []
        groups: dict[str, list[tuple[tuple[float, str | None], Cell]]] = {}
        corners = set()
        for lib in self.libraries:
            for c in lib.cells.values():
                base, fl = self.split(c)
                corner = (self._vkey(lib.voltage), fl)  # type: ignore[arg-type]
                corners.add(corner)
                groups.setdefault(base, []).append((corner, c))
        for base in sorted(groups):
            members = groups[base]
            ref_corner, ref = members[0]
            ref_pins = [(p.name, p.direction) for p in ref.pins.values()]
            have = set()
            for corner, c in members:
                if corner in have:
                    problems.append(f"{base}: two cells in corner {corner[0]:g} V/{corner[1]} ('{c.name}')")
                have.add(corner)
                if c is ref:
                    continue
                tag = f"{base}: '{c.name}' ({corner[0]:g} V/{corner[1]}) vs '{ref.name}' ({ref_corner[0]:g} V/{ref_corner[1]})"
                if c.footprint != ref.footprint:
                    problems.append(f"{tag}: footprint {c.footprint} != {ref.footprint}")
                if abs(c.area - ref.area) > rel_tol * max(abs(c.area), abs(ref.area)):
                    problems.append(f"{tag}: area {c.area:g} != {ref.area:g}")
                pins = [(p.name, p.direction) for p in c.pins.values()]
                if sorted(pins) != sorted(ref_pins):
                    problems.append(f"{tag}: pins {sorted(pins)} != {sorted(ref_pins)}")
            for corner in sorted(corners - have, key=lambda k: (k[0], self._order(k[1]), str(k[1]))):
                problems.append(f"{base}: no twin in corner {corner[0]:g} V/{corner[1]}")
        return problems


def _merge(libs: list[Library]) -> Library:
    """A read-only view of several libraries of one corner: the first one's header,
    the union of the cells (first wins), wire loads and templates."""
    first = libs[0]
    m = Library(name="+".join(L.name for L in libs), path=first.path)
    for k in first.__dataclass_fields__:
        if k not in ("name", "path", "cells", "wire_loads", "templates", "voltage_map"):
            setattr(m, k, getattr(first, k))
    for L in libs:
        for n, c in L.cells.items():
            m.cells.setdefault(n, c)
        for n, w in L.wire_loads.items():
            m.wire_loads.setdefault(n, w)
        for n, t in L.templates.items():
            m.templates.setdefault(n, t)
        for n, v in L.voltage_map.items():
            m.voltage_map.setdefault(n, v)
    return m


def load_library_set(
    paths: list[str | Path],
    flavour_rule: FlavourRule | None = None,
    voltages: dict | None = None,
) -> LibrarySet:
    """Read every Liberty file (cached) and index them. ``voltages`` overrides the
    supply of a library, keyed by the path as given, its file name, or the library name."""
    libs = []
    for p in paths:
        lib = read_liberty(p)
        if voltages:
            for key in (p, str(p), Path(p).name, lib.name):
                if key in voltages:
                    lib.voltage = float(voltages[key])
                    break
        libs.append(lib)
    return LibrarySet(libs, flavour_rule)
