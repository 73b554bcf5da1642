"""Supply-crossing timing tables: data model, text format, reader and writer.

Without level shifters a cell at VddH can be driven from a VddL tile: its input then
only swings 0..VddL (direction ``LH``), and a VddL cell driven from VddH sees an input
swinging 0..VddH (``HL``). Per cell arc (input pin -> output pin), per (VddL, VddH)
pair, per direction and per input transition, a table over (input slew, output load)
gives the *difference* crossing minus full swing, in ns, of the arc's delay and of its
output slew, both measured with ngspice on the same cell, slew and load
(:mod:`finevh.tech.crossing_char`). The timer adds it to the Liberty value of the arc
(:mod:`finevh.timing.crossing`). Differences, not ratios: a delay near 0 (slow input,
light load) makes a ratio meaningless.

Measurement convention (the Liberty's): delay from the input's 50 % point *of its own
swing* (the driver measured its delay to the same point) to the output's 50 % of the
cell supply; slews 20-80 % of each node's own swing; the input ramp has the same
20-80 % time in both cases (a VddL driver's slew, per its library, spans the same time).

File format ``finevh-crossing`` version 1 (plain text, ``#`` comments, blank-separated)::

    finevh-crossing 1
    technology sky130_fd_sc_hd          free text (optional)
    flavour SVT                         records below belong to this flavour
    pair 1.40 1.76                      ... and to this (VddL, VddH) pair, V
    slews 0.023 0.12 0.65               input slew index, ns (increasing, > 0)
    loads 0.0013 0.0079 0.05            output load index, pF (increasing, > 0)
    arc sky130_fd_sc_hd__inv_1 A Y      cell, input pin, output pin
    LH rise delay v11 v12 ... vSL       direction, input transition, quantity, S x L values
    ...                                 (8 rows per arc: LH/HL x rise/fall x delay/slew)

Values row-major (slew index outer), ns, finite. Errors raise
:class:`finevh.errors.InputError` with file and line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..fileio import read_text, write_text_atomic
from .lut import records

MAGIC = "finevh-crossing"
VERSION = 1
DIRECTIONS = ("LH", "HL")        # LH: input 0..VddL into a VddH cell; HL: input 0..VddH into a VddL cell
TRANSITIONS = ("rise", "fall")   # of the input
QUANTITIES = ("delay", "slew")


@dataclass
class CrossingArc:
    """``delta[direction, input transition, quantity, slew, load]`` in ns (crossing
    minus full swing) on the axes ``slews`` (ns) x ``loads`` (pF)."""

    slews: np.ndarray
    loads: np.ndarray
    delta: np.ndarray


@dataclass
class CrossingTables:
    """``tables[(flavour, vddl, vddh)][(cell, from_pin, to_pin)] -> CrossingArc``."""

    technology: str = ""
    tables: dict[tuple[str, float, float], dict[tuple[str, str, str], CrossingArc]] = field(default_factory=dict)

    def pairs(self) -> list[tuple[float, float]]:
        return sorted({(a, b) for _f, a, b in self.tables})

    def merge(self, other: "CrossingTables", source: str | None = None) -> "CrossingTables":
        """Add the tables of ``other`` (an arc given twice for one flavour and pair is an
        :class:`~finevh.errors.InputError` naming ``source``)."""
        for key, arcs in other.tables.items():
            mine = self.tables.setdefault(key, {})
            for name, arc in arcs.items():
                if name in mine:
                    raise InputError(f"crossing arc {' '.join(name)} of flavour {key[0]}, pair "
                                     f"{key[1]:.2f}/{key[2]:.2f} given twice", source)
                mine[name] = arc
        self.technology = self.technology or other.technology
        return self

    def arcs(self, flavour: str | None, vddl: float, vddh: float) -> dict[tuple[str, str, str], CrossingArc]:
        """Arcs of one pair; flavour None picks the only flavour of that pair."""
        key_v = (round(vddl, 4), round(vddh, 4))
        hits = [k for k in self.tables if k[1:] == key_v and (flavour is None or k[0] == flavour)]
        if len(hits) != 1:
            return {}
        return self.tables[hits[0]]


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def crossing_text(ct: CrossingTables, header: str = "") -> str:
    o = [f"# {line}".rstrip() for line in header.splitlines()]
    o.append(f"{MAGIC} {VERSION}")
    if ct.technology:
        o.append(f"technology {ct.technology}")
    for fl, vl, vh in sorted(ct.tables):
        o.append(f"flavour {fl}")
        o.append(f"pair {vl:.2f} {vh:.2f}")
        axes = None
        for (cell, a, b), arc in sorted(ct.tables[(fl, vl, vh)].items()):
            ax = (tuple(arc.slews.tolist()), tuple(arc.loads.tolist()))
            if ax != axes:
                o.append("slews " + " ".join(_fmt(x) for x in arc.slews))
                o.append("loads " + " ".join(_fmt(x) for x in arc.loads))
                axes = ax
            o.append(f"arc {cell} {a} {b}")
            for d, dn in enumerate(DIRECTIONS):
                for r, rn in enumerate(TRANSITIONS):
                    for q, qn in enumerate(QUANTITIES):
                        o.append(f"{dn} {rn} {qn} " + " ".join(_fmt(x) for x in arc.delta[d, r, q].ravel()))
    return "\n".join(o) + "\n"


def write_crossing(path: str | Path, ct: CrossingTables, header: str = "") -> None:
    write_text_atomic(path, crossing_text(ct, header))


def read_crossing(path: str | Path) -> CrossingTables:
    return parse_crossing(read_text(path), str(path))


def _axis(tok: list[str], what: str, path: str, ln: int) -> np.ndarray:
    try:
        v = np.array([float(t) for t in tok[1:]])
    except ValueError:
        raise InputError(f"{what} values must be numbers", path, ln) from None
    if len(v) < 1 or not np.all(np.isfinite(v)) or np.any(v <= 0.0) or np.any(np.diff(v) <= 0.0):
        raise InputError(f"{what}: expected positive, finite, strictly increasing values", path, ln)
    return v


def parse_crossing(text: str, path: str = "<crossing>") -> CrossingTables:
    """Parse a ``finevh-crossing`` file (see the module doc)."""
    ct = CrossingTables()
    key: tuple[str, float, float] | None = None
    flavour: str | None = None
    slews = loads = None
    arc = None          # (name tuple, delta, seen, line)

    def err(msg: str, ln: int | None):
        raise InputError(msg, path, ln)

    def close():
        nonlocal arc
        if arc is None:
            return
        name, delta, seen, ln = arc
        if not seen.all():
            d, r, q = (int(x) for x in np.argwhere(~seen)[0])
            err(f"arc {' '.join(name)}: missing row {DIRECTIONS[d]} {TRANSITIONS[r]} {QUANTITIES[q]}", ln)
        ct.tables[key][name] = CrossingArc(slews, loads, delta)
        arc = None

    for ln, tok in records(text, path, MAGIC, VERSION):
        k = tok[0]
        if k == "technology":
            ct.technology = " ".join(tok[1:])
        elif k == "flavour":
            close()
            if len(tok) != 2:
                err("expected 'flavour <name>'", ln)
            flavour, key = tok[1], None
        elif k == "pair":
            close()
            if flavour is None:
                err("'pair' before any 'flavour'", ln)
            try:
                vl, vh = (round(float(x), 4) for x in tok[1:]) if len(tok) == 3 else (None, None)
            except ValueError:
                vl = vh = None
            if vl is None or not (math.isfinite(vl) and math.isfinite(vh) and 0.0 < vl < vh):
                err("expected 'pair <VddL> <VddH>' with 0 < VddL < VddH", ln)
            key = (flavour, vl, vh)
            if key in ct.tables:
                err(f"pair {tok[1]} {tok[2]} of flavour {flavour} given twice", ln)
            ct.tables[key] = {}
        elif k in ("slews", "loads"):
            close()
            v = _axis(tok, k, path, ln)
            if k == "slews":
                slews = v
            else:
                loads = v
        elif k == "arc":
            close()
            if key is None:
                err("'arc' before any 'pair'", ln)
            if slews is None or loads is None:
                err("'arc' before 'slews' and 'loads'", ln)
            if len(tok) != 4:
                err("expected 'arc <cell> <from pin> <to pin>'", ln)
            name = (tok[1], tok[2], tok[3])
            if name in ct.tables[key]:
                err(f"arc {' '.join(name)} given twice for this pair", ln)
            arc = (name, np.zeros((2, 2, 2, len(slews), len(loads))), np.zeros((2, 2, 2), dtype=bool), ln)
        elif k in DIRECTIONS:
            if arc is None:
                err(f"'{k}' row outside an arc", ln)
            if len(tok) < 3 or tok[1] not in TRANSITIONS or tok[2] not in QUANTITIES:
                err("expected '<LH|HL> <rise|fall> <delay|slew> values...'", ln)
            _name, delta, seen, _l = arc
            n = delta.shape[3] * delta.shape[4]
            if len(tok) != 3 + n:
                err(f"expected {n} values ({delta.shape[3]} slews x {delta.shape[4]} loads), got {len(tok) - 3}", ln)
            try:
                vals = np.array([float(x) for x in tok[3:]])
            except ValueError:
                err("values must be numbers", ln)
            if not np.all(np.isfinite(vals)):
                err("values must be finite", ln)
            idx = (DIRECTIONS.index(k), TRANSITIONS.index(tok[1]), QUANTITIES.index(tok[2]))
            if seen[idx]:
                err(f"duplicate row {k} {tok[1]} {tok[2]}", ln)
            delta[idx] = vals.reshape(delta.shape[3:])
            seen[idx] = True
        else:
            err(f"unknown record '{k}'", ln)
    close()
    return ct
