"""Glue from a linked design and a LEF to the array-based placer and back to the
:class:`~finevh.layout.placement.Placement` contract.

Only the design's public arrays are read (netlist names and pins, the net/terminal
CSR, the bound cells), so the placer core stays independent of the database.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..layout.defio import ORIENTS, DefNet, DefTracks
from ..layout.lef import Lef
from ..layout.placement import IoPin, Placement, Row
from . import PlaceResult, place_cells

_FS = ORIENTS.index("FS")
_PORT_DIR = {0: "INPUT", 1: "OUTPUT", 2: "INOUT"}


def design_nets(design) -> tuple[np.ndarray, np.ndarray]:
    """Nets as CSR over placer indices: instances ``0..N-1``, then ports ``N..``.
    Constant (tie) nets are dropped."""
    nl = design.netlist
    n = nl.n_instances
    n_pins = int(nl.pin_ptr[-1])
    pin_inst = np.repeat(np.arange(n, dtype=np.int64), np.diff(nl.pin_ptr))
    terms = np.asarray(design.net_terms, np.int64)
    node = np.where(terms < n_pins, pin_inst[np.minimum(terms, max(n_pins - 1, 0))] if n_pins else 0,
                    n + (terms - n_pins))
    ptr = np.asarray(design.net_term_ptr, np.int64)
    deg = np.diff(ptr)
    keep = np.asarray(nl.net_const) < 0
    keep_pin = np.repeat(keep, deg)
    new_ptr = np.zeros(int(keep.sum()) + 1, np.int64)
    np.cumsum(deg[keep], out=new_ptr[1:])
    return new_ptr, node[keep_pin]


def design_def_nets(design) -> list[DefNet]:
    """Signal nets of the design as DEF connections (instance pins, then ``PIN`` ports)."""
    nl = design.netlist
    n_pins = int(nl.pin_ptr[-1])
    pin_inst = np.repeat(np.arange(nl.n_instances, dtype=np.int64), np.diff(nl.pin_ptr)).tolist()
    pin_name = nl.pin_name.tolist()
    terms = np.asarray(design.net_terms).tolist()
    ptr = np.asarray(design.net_term_ptr).tolist()
    const = np.asarray(nl.net_const).tolist()
    out = []
    for m, name in enumerate(nl.net_names):
        if const[m] >= 0 or ptr[m + 1] - ptr[m] < 1:
            continue
        conns = []
        for t in terms[ptr[m]:ptr[m + 1]]:
            if t < n_pins:
                conns.append((nl.inst_names[pin_inst[t]], nl.pin_names[pin_name[t]]))
            else:
                conns.append(("PIN", nl.port_names[t - n_pins]))
        out.append(DefNet(name, conns))
    return out


def make_tracks(lef: Lef, die: tuple[float, float, float, float], dbu: int) -> list[DefTracks]:
    """Routing tracks over the die for every routing layer in its preferred direction
    (both axes when the LEF gives none), from the LEF PITCH and OFFSET (default: half
    a pitch). One TRACKS line per layer, which routers such as qrouter require."""
    out = []
    for layer in lef.routing_layers():
        if layer.pitch is None:
            continue
        off = layer.offset or (layer.pitch[0] / 2, layer.pitch[1] / 2)
        axes = (("X", 0, die[0], die[2]), ("Y", 1, die[1], die[3]))
        if layer.direction == "HORIZONTAL":      # horizontal wires run along rows of tracks at fixed y
            axes = axes[1:]
        elif layer.direction == "VERTICAL":
            axes = axes[:1]
        for axis, k, lo, hi in axes:
            pitch, o = layer.pitch[k], off[k]
            if pitch <= 0:
                continue
            num = int(np.floor((hi - lo - o) / pitch + 1e-9)) + 1
            if num > 0:
                out.append(DefTracks(axis, int(round((lo + o) * dbu)), num, int(round(pitch * dbu)), (layer.name,)))
    return out


def cell_masters(design) -> list[str]:
    names = [c.name for c in design.cells]
    return [names[k] for k in np.asarray(design.inst_cell).tolist()]


def place_design(design, lef: Lef, utilization: float = 0.7, aspect: float = 1.0,
                 seed: int = 0) -> tuple[Placement, PlaceResult]:
    """Place every instance of ``design`` with the embedded placer (sizes from ``lef``)."""
    nl = design.netlist
    site = lef.core_site()
    if site is None:
        raise InputError(f"no CORE site in the LEF files ({', '.join(lef.files)})")
    masters = cell_masters(design)
    sizes: dict[str, tuple[float, float]] = {}
    for k, m in enumerate(masters):
        if m in sizes:
            continue
        mac = lef.macros.get(m)
        if mac is None:
            i = masters.index(m)
            raise InputError(f"cell '{m}' (instance '{nl.inst_names[i]}') has no LEF macro", nl.source,
                             int(nl.inst_line[i]))
        if mac.height > site.height * 1.001:
            i = masters.index(m)
            raise InputError(f"cell '{m}' is {mac.height:g} um tall, more than one row ({site.height:g} um): "
                             "multi-row cells need a DEF from a P&R tool", nl.source, int(nl.inst_line[i]))
        sizes[m] = (mac.width, mac.height)
    width = np.array([sizes[m][0] for m in masters], float)
    height = np.array([sizes[m][1] for m in masters], float)
    net_ptr, net_pins = design_nets(design)
    n_io = len(nl.port_names)
    res = place_cells(width, net_ptr, net_pins, n_io, site.width, site.height, utilization, aspect, seed,
                      site_name=site.name)
    fp = res.floorplan
    orients = fp.row_orient()
    rows = [Row(f"ROW_{r}", site.name, fp.core[0], float(y), orients[r], fp.n_sites, fp.site_width)
            for r, y in enumerate(fp.row_y().tolist())]
    routing = lef.routing_layers()
    layer = routing[1].name if len(routing) > 1 else (routing[0].name if routing else None)
    # pin shapes (a square of the layer's width) stay inside the die
    half = 0.5 * (lef.layers[layer].width or 0.1) if layer else 0.05
    io_x = np.clip(res.io_x, fp.die[0] + half, fp.die[2] - half)
    io_y = np.clip(res.io_y, fp.die[1] + half, fp.die[3] - half)
    io = [IoPin(name, nl.net_names[int(m)] if m >= 0 else name, _PORT_DIR.get(int(d)), float(x), float(y), layer)
          for name, m, d, x, y in zip(nl.port_names, nl.port_net.tolist(), nl.port_dir.tolist(),
                                       io_x.tolist(), io_y.tolist())]
    pl = Placement(
        die=fp.die, core=fp.core, rows=rows, site_width=fp.site_width, site_height=fp.row_height,
        x=res.x, y=res.y, orient=np.where(res.flipped, _FS, 0).astype(np.int8),
        width=width, height=height, fixed=np.zeros(len(width), bool), placed=np.ones(len(width), bool),
        io=io, dbu=lef.dbu_per_micron, design_name=nl.top, source="finevh place")
    return pl, res
