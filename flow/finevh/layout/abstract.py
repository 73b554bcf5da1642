"""Cell footprints without LEF: an abstract :class:`~finevh.layout.lef.Lef` built from a
placed DEF's rows and the Liberty cells' areas.

A tool shell that holds a placement but no LEF (OpenSTA reading a DEF from OpenROAD)
still knows each cell's area (um^2) and the DEF's row pitch: a standard cell is one row
high, so its width is area / row height, rounded to whole sites. Good enough to cut the
core into tiles and legalise cells into them; pins, layers and obstructions are absent,
so the wrapper width defaults to one site (give the real LEF for the routing layer's
spacing).
"""

from __future__ import annotations

import math

from .. import progress
from ..errors import InputError
from .lef import Lef, LefMacro, LefSite


def abstract_lef(d, cells) -> Lef:
    """``d``: :class:`finevh.layout.defio.DefDesign` with ROWs; ``cells``: the Liberty
    cells the netlist uses. Sites from the rows (width = row STEP, height = row pitch)."""
    path = d.path or "<def>"
    if not d.rows:
        raise InputError("the DEF has no ROWs: cell footprints need a LEF (--lef)", path)
    dbu = float(d.dbu)
    ys = sorted({r.y for r in d.rows})
    pitch = min((b - a for a, b in zip(ys, ys[1:]) if b > a), default=0)
    if pitch <= 0:
        raise InputError("one row only: the row height is unknown without a LEF (--lef)", path)
    height = pitch / dbu
    lef = Lef(dbu_per_micron=int(d.dbu), files=[f"{path} (abstract: Liberty area / row height)"])
    for r in d.rows:
        if r.site not in lef.sites:
            if r.step_x <= 0:
                raise InputError(f"row '{r.name}' has no STEP: the site width is unknown without a LEF", path)
            lef.sites[r.site] = LefSite(r.site, "CORE", ("Y",), r.step_x / dbu, height)
    site = lef.sites[d.rows[0].site]
    for c in cells:
        if c.name in lef.macros:
            continue
        if not (c.area and math.isfinite(c.area) and c.area > 0):
            raise InputError(f"cell '{c.name}' has no area in its Liberty file: its footprint needs a LEF (--lef)",
                             path)
        w = max(1, math.ceil(c.area / height / site.width - 1e-6)) * site.width
        lef.macros[c.name] = LefMacro(c.name, "CORE", None, w, height, site=site.name, source=path)
    progress.warn(f"no LEF: footprints of {len(lef.macros)} cells from Liberty area / row height "
                  f"{height:g} um (site {site.name}, {site.width:g} um)", path)
    return lef
