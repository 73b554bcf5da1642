"""Kept DEF sections after a change of geometry (partitioning grows the core).

The sections finevh does not interpret travel through unchanged
(:class:`finevh.layout.defio.DefSection`). When partitioning cuts the core into tiles
and opens wrappers between them, every cell moves with its tile; the geometry of the
kept sections is handled by this rule:

* ``REGIONS`` and ``BLOCKAGES`` (placement and routing): every rectangle moves like the
  cells under it. A rectangle that spans several tiles is cut at the tile boundaries and
  each piece moves with its tile (a region or blockage may list several rectangles, so
  the result is still one region / one blockage). A ``POLYGON`` moves as a whole with
  the tile under the centre of its bounding box.
* Sections that only name things (``GROUPS``, ``SCANCHAINS``, ``PROPERTYDEFINITIONS``,
  ``VIAS``, ``NONDEFAULTRULES``, ``STYLES``, ``PINPROPERTIES``, ``HISTORY``,
  ``TECHNOLOGY``, ``COMPONENTMASKSHIFT``) are not geometry: unchanged.
* Anything else with absolute coordinates (``SPECIALNETS`` power grid, ``FILLS``,
  ``SLOTS``, ``GCELLGRID``, extensions): kept unchanged, listed in the result so the
  caller warns once that they may be stale.

Coordinates are DEF database units (integers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from .defio import DefSection

__all__ = ["AxisShift", "tile_shifts", "remap_kept", "NAME_ONLY"]

#: kept sections without coordinates: unchanged whatever the geometry does
NAME_ONLY = frozenset({"GROUPS", "SCANCHAINS", "PROPERTYDEFINITIONS", "VIAS", "NONDEFAULTRULES", "STYLES",
                       "PINPROPERTIES", "HISTORY", "TECHNOLOGY", "COMPONENTMASKSHIFT", "NAMESCASESENSITIVE"})


@dataclass(frozen=True)
class AxisShift:
    """Piecewise translation along one axis: a coordinate ``v`` with
    ``cuts[k-1] <= v < cuts[k]`` moves by ``shifts[k]`` (dbu); ``len(shifts) == len(cuts) + 1``."""

    cuts: tuple[int, ...]
    shifts: tuple[int, ...]

    def of(self, v: int) -> int:
        return self.shifts[int(np.searchsorted(self.cuts, v, side="right"))]

    def pieces(self, lo: int, hi: int) -> list[tuple[int, int, int]]:
        """``[lo, hi]`` cut at the breakpoints strictly inside: ``(lo', hi', shift)``."""
        inner = [c for c in self.cuts if lo < c < hi]
        ends = [lo, *inner, hi]
        return [(a, b, self.of(a)) for a, b in zip(ends[:-1], ends[1:])]


def tile_shifts(base_lo: float, base_hi: float, n: int, tile: float, wrapper: float, new_hi: float,
                dbu: int) -> AxisShift:
    """The partition map along one axis (um in, dbu out): the base core ``[base_lo, base_hi]``
    is cut into ``n`` equal parts; part ``k`` starts at ``base_lo + k * (tile + wrapper)``
    in the new core; what lies at or beyond ``base_hi`` moves with the core edge
    (``new_hi - base_hi``), what lies before ``base_lo`` stays."""
    src = (base_hi - base_lo) / n
    cuts = [round(base_lo * dbu)] + [round((base_lo + k * src) * dbu) for k in range(1, n)] + [round(base_hi * dbu)]
    shifts = [0] + [round(k * (tile + wrapper - src) * dbu) for k in range(n)] + [round((new_hi - base_hi) * dbu)]
    return AxisShift(tuple(cuts), tuple(shifts))


_PT = r"\(\s*(-?\d+)\s+(-?\d+)\s*\)"
_RECT = re.compile(r"RECT\s*" + _PT + r"\s*" + _PT)
_POLY = re.compile(r"POLYGON((?:\s*\(\s*(?:-?\d+|\*)\s+(?:-?\d+|\*)\s*\))+)")
_PTS = re.compile(r"\(\s*(-?\d+|\*)\s+(-?\d+|\*)\s*\)")
_REGION = re.compile(r"(-\s+\S+\s+)((?:" + _PT + r"\s*)+)")


def _rect_pieces(x0: int, y0: int, x1: int, y1: int, xs: AxisShift, ys: AxisShift) -> list[tuple[int, int, int, int]]:
    xa, xb = min(x0, x1), max(x0, x1)
    ya, yb = min(y0, y1), max(y0, y1)
    return [(a + sx, c + sy, b + sx, d + sy)
            for a, b, sx in xs.pieces(xa, xb) for c, d, sy in ys.pieces(ya, yb)]


def _rects_text(prefix: str, rects: list[tuple[int, int, int, int]], sep: str) -> str:
    return sep.join(f"{prefix}( {a} {b} ) ( {c} {d} )" for a, b, c, d in rects)


def _shift_blockages(text: str, xs: AxisShift, ys: AxisShift) -> str:
    def rect(m: re.Match) -> str:
        x0, y0, x1, y1 = (int(m.group(k)) for k in range(1, 5))
        return _rects_text("RECT ", _rect_pieces(x0, y0, x1, y1, xs, ys), " ")

    def poly(m: re.Match) -> str:
        pts: list[tuple[int, int]] = []
        for a, b in _PTS.findall(m.group(1)):
            pts.append((pts[-1][0] if a == "*" else int(a), pts[-1][1] if b == "*" else int(b)))
        px = [p[0] for p in pts]
        py = [p[1] for p in pts]
        sx, sy = xs.of((min(px) + max(px)) // 2), ys.of((min(py) + max(py)) // 2)
        return "POLYGON " + " ".join(f"( {x + sx} {y + sy} )" for x, y in pts)

    return _POLY.sub(poly, _RECT.sub(rect, text))


def _shift_regions(text: str, xs: AxisShift, ys: AxisShift) -> str:
    def region(m: re.Match) -> str:
        vals = [int(v) for v in re.findall(r"-?\d+", m.group(2))]
        rects: list[tuple[int, int, int, int]] = []
        for k in range(0, len(vals) - 3, 4):
            rects += _rect_pieces(*vals[k:k + 4], xs, ys)
        return m.group(1) + _rects_text("", rects, " ") + " "

    return _REGION.sub(region, text)


def remap_kept(kept: Sequence[DefSection], xs: AxisShift, ys: AxisShift) -> tuple[list[DefSection], list[str]]:
    """Kept sections after the move (rule in the module docstring) and the keywords of
    the sections left unchanged although they hold coordinates (possibly stale)."""
    out: list[DefSection] = []
    stale: list[str] = []
    for k in kept:
        if k.keyword == "BLOCKAGES":
            out.append(replace(k, text=_shift_blockages(k.text, xs, ys)))
        elif k.keyword == "REGIONS":
            out.append(replace(k, text=_shift_regions(k.text, xs, ys)))
        else:
            out.append(k)
            if k.keyword not in NAME_ONLY and k.keyword not in stale:
                stale.append(k.keyword)
    return out, stale
