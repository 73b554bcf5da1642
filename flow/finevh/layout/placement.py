"""Placement: the contract between layout readers, the embedded placer and the
analyses (tiles, wire estimates, FINE-VH grids).

All coordinates are um. Per-instance arrays are indexed like the design's
instances (``Design.netlist.inst_names``). ``x``/``y`` are the lower-left corner of
the instance's placed footprint; ``width``/``height`` are that footprint (the LEF
SIZE, swapped for the 90-degree orientations E/W/FE/FW). Orientation codes index
:data:`finevh.layout.defio.ORIENTS`.

This module does not import :mod:`finevh.design`: callers pass instance and cell
names, so layout stays below the design database in the layering.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Sequence

import numpy as np

from ..errors import InputError
from ..progress import warn
from .defio import (ORIENTS, ST_COVER, ST_FIXED, ST_PLACED, ST_UNPLACED, DefComponents,
                    DefDesign, DefNet, DefPin, DefRow)
from .lef import Lef

__all__ = ["Row", "IoPin", "Placement", "from_def", "to_def", "ORIENTS", "PHYSICAL_ONLY_SUBCLASSES"]

#: LEF macro classes/subclasses that never appear in a gate-level netlist
PHYSICAL_ONLY_SUBCLASSES = frozenset({"SPACER", "WELLTAP", "ANTENNACELL", "ENDCAP"})

_ROTATED = np.array([False, False, True, True, False, False, True, True])


@dataclass
class Row:
    name: str
    site: str
    x: float          # um, origin of the first site
    y: float          # um
    orient: str       # N / FS ...
    num_sites: int
    step: float       # um between site origins


@dataclass
class IoPin:
    """A top-level pin (port) location, um (the centre of its shape)."""

    name: str
    net: str | None
    direction: str | None
    x: float
    y: float
    layer: str | None = None


@dataclass
class Placement:
    die: tuple[float, float, float, float]          # x0, y0, x1, y1 um
    core: tuple[float, float, float, float]         # bounding box of the rows, um
    rows: list[Row]
    site_width: float                                # um
    site_height: float                               # um
    x: np.ndarray                                    # float64[N] lower-left x, um
    y: np.ndarray                                    # float64[N] lower-left y, um
    orient: np.ndarray                               # int8[N] ORIENTS index
    width: np.ndarray                                # float64[N] footprint width, um
    height: np.ndarray                               # float64[N] footprint height, um
    fixed: np.ndarray                                # bool[N]
    placed: np.ndarray                               # bool[N]
    io: list[IoPin] = field(default_factory=list)
    dbu: int = 1000
    design_name: str = ""
    # physical-only components of the source DEF (fillers, taps, ...), kept for DEF out
    physical: DefComponents = field(default_factory=DefComponents)
    source: str = ""
    # the DEF this placement was read from: to_def writes back what finevh does not change
    # (kept sections, component attributes, escaped name spellings, pin FIXED status)
    source_def: DefDesign | None = None

    @property
    def n_instances(self) -> int:
        return len(self.x)

    def centers(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x + 0.5 * self.width, self.y + 0.5 * self.height

    def io_by_name(self) -> dict[str, IoPin]:
        return {p.name: p for p in self.io}


_MAX_ROW_COLUMN = 1 << 16   # rows one ROW ... DO 1 BY n statement may expand into


def _rows_um(rows: Sequence[DefRow], dbu: int, lef: Lef | None, path: str) -> tuple[list[Row], float, float]:
    out: list[Row] = []
    sw = sh = 0.0
    for r in rows:
        site = lef.sites.get(r.site) if lef is not None else None
        if lef is not None and site is None:
            raise InputError(f"ROW site '{r.site}' is not defined in the LEF files", path, r.line or None)
        if r.num_y > _MAX_ROW_COLUMN:
            raise InputError(f"ROW {r.name}: DO {r.num_x} BY {r.num_y} expands into more than {_MAX_ROW_COLUMN} "
                             "rows", path, r.line or None)
        step = (r.step_x or (site.width * dbu if site else 0)) / dbu
        # a column of rows (DO 1 BY n STEP 0 sy) is expanded into single rows
        for k in range(max(r.num_y, 1)):
            name = r.name if r.num_y <= 1 else f"{r.name}_{k}"
            out.append(Row(name, r.site, r.x / dbu, (r.y + k * r.step_y) / dbu, r.orient, r.num_x, step))
    if lef is not None and rows:
        site = lef.sites[rows[0].site]
        sw, sh = site.width, site.height
    elif rows:
        sw = out[0].step
        ys = sorted({r.y for r in out})
        sh = (ys[1] - ys[0]) if len(ys) > 1 else 0.0
    return out, sw, sh


# centre (x, y) of a pin shape in pin coordinates -> its offset from the pin location, per
# orientation (DEF: N = R0, W = R90, S = R180, E = R270, FN = MY, FS = MX, FE = MY90, FW = MX90)
_ORIENT_XY = (lambda x, y: (x, y), lambda x, y: (-x, -y), lambda x, y: (y, -x), lambda x, y: (-y, x),
              lambda x, y: (-x, y), lambda x, y: (x, -y), lambda x, y: (-y, -x), lambda x, y: (y, x))


def _pin_centre(p: DefPin) -> tuple[float, float]:
    """Centre of a DEF pin's shape, dbu (its location when it has no shape)."""
    if p.rect is None:
        return float(p.x), float(p.y)
    ox, oy = _ORIENT_XY[p.orient]((p.rect[0] + p.rect[2]) / 2, (p.rect[1] + p.rect[3]) / 2)
    return p.x + ox, p.y + oy


def from_def(d: DefDesign, lef: Lef, inst_names: Sequence[str], cell_names_per_inst: Sequence[str]) -> Placement:
    """Placement of the netlist instances ``inst_names`` (masters ``cell_names_per_inst``)
    from a DEF.

    Every netlist instance must be a DEF component and every DEF component must be a
    netlist instance, except physical-only cells (LEF class CORE SPACER / WELLTAP /
    ANTENNACELL, ENDCAP, COVER), which are kept in :attr:`Placement.physical`.
    Violations raise :class:`InputError` with the DEF line.
    """
    path = d.path or "<def>"
    n = len(inst_names)
    if len(cell_names_per_inst) != n:
        raise ValueError("inst_names and cell_names_per_inst differ in length")
    index = {name: i for i, name in enumerate(inst_names)}
    c = d.components
    dbu = float(d.dbu)
    comp_idx = np.full(len(c), -1, np.int64)
    phys: list[int] = []
    for k, name in enumerate(c.names):
        i = index.get(name)
        if i is None:
            m = lef.macros.get(c.masters[k])
            if m is not None and (m.subclass in PHYSICAL_ONLY_SUBCLASSES or m.cls in ("ENDCAP", "COVER")):
                phys.append(k)
                continue
            raise InputError(f"component '{name}' ({c.masters[k]}) is not an instance of the netlist", path, int(c.line[k]))
        comp_idx[k] = i
    hit = comp_idx[comp_idx >= 0]
    seen = np.zeros(n, bool)
    if len(np.unique(hit)) != len(hit):
        dup_vals, counts = np.unique(hit, return_counts=True)
        i = int(dup_vals[counts > 1][0])
        k = int(np.nonzero(comp_idx == i)[0][1])
        raise InputError(f"component '{inst_names[i]}' listed twice", path, int(c.line[k]))
    seen[hit] = True
    if not seen.all():
        missing = np.nonzero(~seen)[0]
        raise InputError(f"{len(missing)} netlist instance(s) have no DEF component, e.g. '{inst_names[int(missing[0])]}'",
                         path, d.components_line or None)
    sel = np.nonzero(comp_idx >= 0)[0]
    order = comp_idx[sel]
    x = np.zeros(n)
    y = np.zeros(n)
    orient = np.zeros(n, np.int8)
    status = np.zeros(n, np.int8)
    x[order] = c.x[sel] / dbu
    y[order] = c.y[sel] / dbu
    orient[order] = c.orient[sel]
    status[order] = c.status[sel]
    # footprints from the LEF, by master name
    w = np.zeros(n)
    h = np.zeros(n)
    mismatched = 0
    sizes: dict[str, tuple[float, float]] = {}
    for k in sel.tolist():
        i = int(comp_idx[k])
        master = c.masters[k]
        if master != cell_names_per_inst[i]:
            mismatched += 1
        sz = sizes.get(master)
        if sz is None:
            mac = lef.macros.get(master)
            if mac is None:
                raise InputError(f"component '{c.names[k]}': master '{master}' is not defined in the LEF files", path, int(c.line[k]))
            sz = sizes[master] = (mac.width, mac.height)
        w[i], h[i] = sz
    if mismatched:
        warn(f"{mismatched} component(s) use a different master than the netlist instance; footprints follow the DEF", path)
    rot = _ROTATED[orient.astype(np.int64)]
    w, h = np.where(rot, h, w), np.where(rot, w, h)
    rows, sw, sh = _rows_um(d.rows, d.dbu, lef, path)
    if rows:
        core = (min(r.x for r in rows), min(r.y for r in rows),
                max(r.x + r.num_sites * r.step for r in rows), max(r.y for r in rows) + sh)
    else:
        core = d.die_bbox_um()
    io = []
    for p in d.pins:
        cx, cy = _pin_centre(p)
        io.append(IoPin(p.name, p.net, p.direction, cx / dbu, cy / dbu, p.layer))
    phys_sel = np.array(phys, np.int64)
    physical = DefComponents(
        names=[c.names[k] for k in phys], masters=[c.masters[k] for k in phys],
        status=c.status[phys_sel], x=c.x[phys_sel], y=c.y[phys_sel], orient=c.orient[phys_sel],
        source=[c.source[k] for k in phys], line=c.line[phys_sel])
    return Placement(
        die=d.die_bbox_um(), core=core, rows=rows, site_width=sw, site_height=sh,
        x=x, y=y, orient=orient, width=w, height=h,
        fixed=(status == ST_FIXED) | (status == ST_COVER),
        placed=(status == ST_PLACED) | (status == ST_FIXED) | (status == ST_COVER),
        io=io, dbu=d.dbu, design_name=d.design, physical=physical, source=path, source_def=d)


def to_def(p: Placement, inst_names: Sequence[str], cell_names_per_inst: Sequence[str],
           design_name: str | None = None, pin_layer: str | None = None,
           pin_size: float = 0.14, nets: Sequence[DefNet] | None = None,
           source: DefDesign | None = None) -> DefDesign:
    """A :class:`DefDesign` holding the placement (rows, components, IO pins).

    Coordinates are rounded to database units. IO pins are written as a square of
    ``pin_size`` um on ``pin_layer`` (when given) centred on the pin location.
    ``nets`` (connections only) are copied into the NETS section. From ``source`` (default
    :attr:`Placement.source_def`, the DEF the placement was read from) come, unchanged,
    the sections finevh does not interpret, the components' and nets' other attributes
    (``+ HALO``, ``+ REGION``, ``+ NONDEFAULTRULE``, ...), the escaped spelling of names and the ``FIXED``/``COVER`` status of
    the IO pins.
    """
    source = source if source is not None else p.source_def
    dbu = p.dbu

    def q(v: float) -> int:
        return int(round(v * dbu))

    d = DefDesign(design=design_name or p.design_name or "top", dbu=dbu)
    src_pins: dict[str, DefPin] = {}
    if source is not None:
        d.version, d.divider_char, d.bus_bit_chars = source.version, source.divider_char, source.bus_bit_chars
        d.kept, d.spelling = list(source.kept), dict(source.spelling)
        d.comp_attrs, d.net_attrs = dict(source.comp_attrs), dict(source.net_attrs)
        src_pins = {sp.name: sp for sp in source.pins}
    x0, y0, x1, y1 = p.die
    d.diearea = [(q(x0), q(y0)), (q(x1), q(y1))]
    for r in p.rows:
        d.rows.append(DefRow(r.name, r.site, q(r.x), q(r.y), r.orient, r.num_sites, 1, q(r.step), 0))
    n = p.n_instances
    status = np.where(p.fixed, ST_FIXED, np.where(p.placed, ST_PLACED, ST_UNPLACED)).astype(np.int8)
    comps = DefComponents(
        names=list(inst_names), masters=list(cell_names_per_inst), status=status,
        x=np.rint(p.x * dbu).astype(np.int64), y=np.rint(p.y * dbu).astype(np.int64),
        orient=p.orient.astype(np.int8), source=[None] * n, line=np.zeros(n, np.int32))
    if len(p.physical):
        ph = p.physical
        comps = DefComponents(
            names=comps.names + ph.names, masters=comps.masters + ph.masters,
            status=np.concatenate([comps.status, ph.status]), x=np.concatenate([comps.x, ph.x]),
            y=np.concatenate([comps.y, ph.y]), orient=np.concatenate([comps.orient, ph.orient]),
            source=comps.source + ph.source, line=np.zeros(n + len(ph), np.int32))
    d.components = comps
    half = q(pin_size / 2)
    for io in p.io:
        sp = src_pins.get(io.name)
        if sp is not None and sp.status in (ST_PLACED, ST_FIXED, ST_COVER):
            # the source pin, its shape and orientation kept, moved as far as the IO point moved
            cx, cy = _pin_centre(sp)
            d.pins.append(replace(sp, x=sp.x + round(io.x * dbu - cx), y=sp.y + round(io.y * dbu - cy)))
            continue
        d.pins.append(DefPin(name=io.name, net=io.net if io.net is not None else io.name,
                             direction=io.direction, use="SIGNAL",
                             layer=io.layer or pin_layer,
                             rect=(-half, -half, half, half) if (io.layer or pin_layer) else None,
                             status=ST_PLACED, x=q(io.x), y=q(io.y), orient=0))
    if nets:
        d.nets = list(nets)
    return d

