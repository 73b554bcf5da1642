"""Intra-tile leakage look-up tables (LUTs): data model, text format, reader, writer,
and the model-based generator of the demo28 LUTs.

A LUT gives, per poly-bias flavour and per (VddL, VddH) pair, for every cell, input
pattern and driver configuration, the factor k by which the cell's library leakage
(state-dependent ``leakage_power`` of that pattern, same flavour, same Vdd) is
multiplied (thesis Eq. 4.3: P_leak = sum_i P_i * L_i * k_i).

File format ``finevh-itl-lut`` version 1 (plain text, one record per line, ``#``
starts a comment, tokens separated by blanks)::

    finevh-itl-lut 1                 first non-comment line: magic and version
    technology demo28                free text name (optional)
    flavour PB0                      following records belong to this flavour
    pair 0.80 1.00                   ... and to this (VddL, VddH) pair, V
    cell NAND2_X1 A B                cell name, then its n input pins (bit order)
    H 00 1 1 1 1                     supply, pattern, then 2^n k values
    ...

* supply ``H``: the cell sits at VddH; bit j of the driver configuration is 1 when the
  driver of pin j sits at VddL (k >= 1). ``L``: the cell sits at VddL; bit j = 1 when
  the driver of pin j sits at VddH (k <= 1).
* pattern: n characters 0/1, the logic value of each pin in the ``cell`` line order.
* the 2^n values are ordered by configuration 0 .. 2^n-1, where the configuration's
  most significant bit is the first pin (configuration ``10`` = 2 = first pin's driver
  at the other supply).
* every cell needs all 2 x 2^n rows; configuration 0 must be 1.

Errors in a file raise :class:`finevh.errors.InputError` with file and line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..fileio import read_text, write_text_atomic

MAGIC = "finevh-itl-lut"
VERSION = 1
SUPPLIES = ("H", "L")


@dataclass
class CellLut:
    """k factors of one cell: ``k[s, pattern, config]`` with s = 0 (cell at VddH) or
    1 (cell at VddL); pattern and config are integers whose MSB is the first pin."""

    pins: tuple[str, ...]
    k: np.ndarray

    def lookup(self, supply: str, pattern: int, config: int) -> float:
        return float(self.k[SUPPLIES.index(supply), pattern, config])

    def index(self, bits: dict[str, int] | set[str] | frozenset[str]) -> int:
        """Integer of a pattern given as {pin: 0/1}, or of a configuration given as
        the set of pins whose driver sits at the other supply (first pin = MSB)."""
        n = len(self.pins)
        if isinstance(bits, dict):
            return sum((1 << (n - 1 - j)) for j, p in enumerate(self.pins) if bits.get(p))
        return sum((1 << (n - 1 - j)) for j, p in enumerate(self.pins) if p in bits)

    def k_of(self, supply: str, values: dict[str, int], foreign: set[str] | frozenset[str]) -> float:
        """k for pin values ``values`` when the pins in ``foreign`` are driven from the
        other supply (cell at VddH: drivers at VddL; cell at VddL: drivers at VddH)."""
        return self.lookup(supply, self.index(values), self.index(set(foreign)))


@dataclass
class LeakageLut:
    """All tables of one file: ``tables[(flavour, vddl, vddh)][cell] -> CellLut``."""

    version: int = VERSION
    technology: str = ""
    tables: dict[tuple[str, float, float], dict[str, CellLut]] = field(default_factory=dict)

    def pairs(self, flavour: str | None = None) -> list[tuple[float, float]]:
        return sorted({(a, b) for f, a, b in self.tables if flavour is None or f == flavour})

    def flavours(self) -> list[str]:
        return sorted({f for f, _a, _b in self.tables}, key=_flavour_key)

    def cell(self, flavour: str, vddl: float, vddh: float, cell: str) -> CellLut:
        return self.tables[(flavour, round(vddl, 4), round(vddh, 4))][cell]

    def k(self, flavour: str, vddl: float, vddh: float, cell: str, supply: str,
          pattern: int, config: int) -> float:
        return self.cell(flavour, vddl, vddh, cell).lookup(supply, pattern, config)

    def merge(self, other: "LeakageLut") -> None:
        for key, cells in other.tables.items():
            self.tables.setdefault(key, {}).update(cells)


def _flavour_key(f: str):
    digits = "".join(c for c in f if c.isdigit())
    return (int(digits) if digits else 0, f)


def _bits(v: int, n: int) -> str:
    return format(v, f"0{n}b") if n else ""


# ---- writer --------------------------------------------------------------------------

def lut_text(lut: LeakageLut, header: str = "") -> str:
    o = []
    for line in header.splitlines():
        o.append(f"# {line}".rstrip())
    o.append(f"{MAGIC} {lut.version}")
    if lut.technology:
        o.append(f"technology {lut.technology}")
    cur_fl = None
    for (fl, vl, vh) in sorted(lut.tables, key=lambda k: (_flavour_key(k[0]), k[1], k[2])):
        if fl != cur_fl:
            o.append(f"flavour {fl}")
            cur_fl = fl
        o.append(f"pair {_fmt_v(vl)} {_fmt_v(vh)}")
        for name in sorted(lut.tables[(fl, vl, vh)]):
            c = lut.tables[(fl, vl, vh)][name]
            n = len(c.pins)
            o.append(f"cell {name} {' '.join(c.pins)}".rstrip())
            for s, sup in enumerate(SUPPLIES):
                for p in range(2 ** n):
                    vals = " ".join(_fmt(x) for x in c.k[s, p])
                    o.append(f"{sup} {_bits(p, n) or '-'} {vals}")
    return "\n".join(o) + "\n"


def _fmt_v(v: float) -> str:
    """Voltage with at least 2 and at most 4 decimals (0.80, 0.825)."""
    s = f"{v:.4f}".rstrip("0")
    return s + "0" * max(0, 2 - len(s.split(".")[1]))


def _fmt(x: float) -> str:
    if x == 1.0:
        return "1"
    return f"{x:.5g}"


def write_lut(path: str | Path, lut: LeakageLut, header: str = "") -> None:
    write_text_atomic(path, lut_text(lut, header))


# ---- reader --------------------------------------------------------------------------

def read_lut(path: str | Path) -> LeakageLut:
    """Parse a ``finevh-itl-lut`` file; InputError(file, line) on any malformed record."""
    text = read_text(path)
    return parse_lut(text, str(path))


def records(text: str, path: str, magic: str, version: int):
    """(line number, tokens) of every record of a ``<magic> <version>`` text file after
    that first record (``#`` comments and blank lines skipped); InputError(file, line)
    when the first record is missing, malformed or of another version."""
    seen = False
    for ln, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        tok = line.split()
        if seen:
            yield ln, tok
            continue
        if tok[0] != magic or len(tok) != 2:
            raise InputError(f"expected '{magic} <version>' as the first record", path, ln)
        try:
            v = int(tok[1])
        except ValueError:
            raise InputError(f"bad version '{tok[1]}'", path, ln) from None
        if v != version:
            raise InputError(f"unsupported version {v} (this reader knows {version})", path, ln)
        seen = True
    if not seen:
        raise InputError(f"empty file (expected '{magic} {version}')", path, None)


def parse_lut(text: str, path: str = "<lut>") -> LeakageLut:
    lut = LeakageLut()
    flavour: str | None = None
    pair: tuple[float, float] | None = None
    cell: tuple[str, tuple[str, ...], np.ndarray, np.ndarray, int] | None = None  # name, pins, k, seen, line

    def err(msg: str, ln: int):
        raise InputError(msg, path, ln)

    def close_cell(ln: int):
        nonlocal cell
        if cell is None:
            return
        name, pins, k, seen, cl = cell
        if not seen.all():
            s, p = np.argwhere(~seen)[0]
            err(f"cell {name}: missing row {SUPPLIES[s]} {_bits(int(p), len(pins)) or '-'}", cl)
        assert flavour is not None and pair is not None
        lut.tables.setdefault((flavour, pair[0], pair[1]), {})[name] = CellLut(pins, k)
        cell = None

    for ln, tok in records(text, path, MAGIC, VERSION):
        key = tok[0]
        if key == "technology":
            lut.technology = " ".join(tok[1:])
        elif key == "flavour":
            close_cell(ln)
            if len(tok) != 2:
                err("expected 'flavour <name>'", ln)
            flavour, pair = tok[1], None
        elif key == "pair":
            close_cell(ln)
            if flavour is None:
                err("'pair' before any 'flavour'", ln)
            if len(tok) != 3:
                err("expected 'pair <VddL> <VddH>'", ln)
            try:
                vl, vh = round(float(tok[1]), 4), round(float(tok[2]), 4)
            except ValueError:
                err("pair voltages must be numbers", ln)
            if not (0.0 < vl < vh):
                err(f"pair needs 0 < VddL < VddH, got {tok[1]} {tok[2]}", ln)
            pair = (vl, vh)
        elif key == "cell":
            close_cell(ln)
            if pair is None:
                err("'cell' before any 'pair'", ln)
            if len(tok) < 2:
                err("expected 'cell <name> <pins...>'", ln)
            pins = tuple(tok[2:])
            if len(set(pins)) != len(pins):
                err("duplicate pin name", ln)
            if len(pins) > 8:
                err("more than 8 input pins", ln)
            n = 2 ** len(pins)
            cell = (tok[1], pins, np.ones((2, n, n)), np.zeros((2, n), dtype=bool), ln)
        elif key in SUPPLIES:
            if cell is None:
                err(f"'{key}' row outside a cell", ln)
            name, pins, k, seen, _cl = cell
            n = len(pins)
            if len(tok) != 2 + 2 ** n:
                err(f"expected supply, pattern and {2 ** n} values, got {len(tok)} tokens", ln)
            pat = tok[1]
            if n == 0:
                if pat != "-":
                    err("a cell without inputs uses pattern '-'", ln)
                p = 0
            else:
                if len(pat) != n or any(c not in "01" for c in pat):
                    err(f"pattern '{pat}' is not {n} bits", ln)
                p = int(pat, 2)
            s = SUPPLIES.index(key)
            if seen[s, p]:
                err(f"duplicate row {key} {pat}", ln)
            try:
                vals = [float(x) for x in tok[2:]]
            except ValueError:
                err("k values must be numbers", ln)
            if any(not math.isfinite(v) or v <= 0.0 for v in vals):
                err("k values must be finite and > 0", ln)
            if abs(vals[0] - 1.0) > 1e-6:
                err("k of configuration 0 (all drivers at the cell's supply) must be 1", ln)
            k[s, p, :] = vals
            seen[s, p] = True
        else:
            err(f"unknown record '{key}'", ln)
    close_cell(len(text.splitlines()))
    return lut


# ---- model-based LUTs (demo28) --------------------------------------------------------

DEMO_PAIRS = ((0.60, 0.70), (0.60, 0.80), (0.70, 0.80), (0.80, 0.90), (0.80, 1.00), (0.90, 1.00))


def model_cell_lut(fl, vddl: float, vddh: float, spec) -> CellLut:
    """k factors of one demo28 cell from the device model (see docs/tech.md)."""
    from . import charact as ch
    from . import device as dv

    pins = spec.inputs
    n = len(pins)
    k = np.ones((2, 2 ** n, 2 ** n))
    dvolt = vddh - vddl
    for s, (vdd, dv_gate) in enumerate(((vddh, dvolt), (vddl, -dvolt))):
        ctx = ch.Ctx(fl, vdd)
        h = float(dv.gate_overdrive_factor(fl, vdd, dv_gate))
        for p in range(2 ** n):
            pat = {pin: (p >> (n - 1 - j)) & 1 for j, pin in enumerate(pins)}
            base = ch.cell_leakage(ctx, spec, pat)
            cache: dict[int, float] = {}
            for c in range(2 ** n):
                eff = c & p       # a driver at another supply only matters when it drives a 1
                if eff not in cache:
                    if eff == 0:
                        cache[eff] = 1.0
                    else:
                        mult = {pin: h for j, pin in enumerate(pins) if (eff >> (n - 1 - j)) & 1}
                        cache[eff] = ch.cell_leakage(ctx, spec, pat, mult) / base
                k[s, p, c] = cache[eff]
    return CellLut(tuple(pins), k)


def model_lut(flavours, pairs=DEMO_PAIRS) -> LeakageLut:
    from . import device as dv
    from .cells import catalogue

    lut = LeakageLut(technology="demo28")
    specs = [c for c in catalogue() if c.kind in ("comb", "ff", "latch", "icg")]
    for f in flavours:
        fl = dv.flavour(f)
        for vl, vh in pairs:
            lut.tables[(f, round(vl, 4), round(vh, 4))] = {s.name: model_cell_lut(fl, vl, vh, s) for s in specs}
    return lut
