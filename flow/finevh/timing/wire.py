"""Wire capacitance per net (pF), four sources:

- :func:`zero` (default: no wire load, what OpenSTA does without parasitics or
  wire-load model);
- :func:`from_spef`: the ``*D_NET`` total capacitance of each net (extracted wire
  capacitance; the timer adds the Liberty pin capacitances, as OpenSTA does). Nets
  absent from the SPEF keep 0;
- :func:`from_placement`: half-perimeter wire length of the bounding box of the
  net's terminals (instance centres, I/O pin locations) times a capacitance per um
  (default 0.2 fF/um, a typical mid-layer value; configurable);
- :func:`from_wire_load`: a Liberty ``wire_load`` model: length for the net's fanout
  from ``fanout_length`` (linear ``slope`` extrapolation past the last entry),
  times ``capacitance`` per unit length.

Each returns float64[M], indexed like ``design.netlist.net_names``.
"""

from __future__ import annotations

import numpy as np

from .. import progress
from ..liberty.model import WireLoad

DEFAULT_CAP_PER_UM = 0.2e-3   # pF/um


def zero(design) -> np.ndarray:
    return np.zeros(design.netlist.n_nets)


def _net_index(design) -> dict[str, int]:
    nl = design.netlist
    idx = {n: i for i, n in enumerate(nl.net_names)}
    for alias, kept in (nl.net_aliases or {}).items():
        if kept in idx:
            idx.setdefault(alias, idx[kept])
    return idx


def from_spef(design, spef) -> np.ndarray:
    """``*D_NET`` total of each net of the design (pF); absent nets 0."""
    idx = _net_index(design)
    w = np.zeros(design.netlist.n_nets)
    unknown = 0
    for name, c in spef.net_cap.items():
        i = idx.get(name)
        if i is None:
            unknown += 1
            continue
        w[i] = c
    if unknown:
        progress.warn(f"{unknown} SPEF net(s) not in the design; ignored", spef.path)
    return w


def hpwl(design, placement) -> np.ndarray:
    """Half-perimeter wire length of every net (um)."""
    nl = design.netlist
    P = int(nl.pin_ptr[-1])
    cx, cy = placement.centers()
    inst_of_pin = np.repeat(np.arange(nl.n_instances), np.diff(nl.pin_ptr))
    T = P + len(nl.port_names)
    tx = np.full(T, np.nan)
    ty = np.full(T, np.nan)
    tx[:P] = np.asarray(cx)[inst_of_pin]
    ty[:P] = np.asarray(cy)[inst_of_pin]
    io = placement.io_by_name() if hasattr(placement, "io_by_name") else {}
    for k, name in enumerate(nl.port_names):
        p = io.get(name)
        if p is not None:
            tx[P + k] = p.x
            ty[P + k] = p.y
    ptr = design.net_term_ptr
    terms = design.net_terms
    M = len(ptr) - 1
    out = np.zeros(M)
    if len(terms) == 0:
        return out
    x = tx[terms]
    y = ty[terms]
    ok = ~np.isnan(x)
    big = 1e30
    net_of = np.repeat(np.arange(M), np.diff(ptr))
    xmax = np.full(M, -big)
    xmin = np.full(M, big)
    ymax = np.full(M, -big)
    ymin = np.full(M, big)
    np.maximum.at(xmax, net_of[ok], x[ok])
    np.minimum.at(xmin, net_of[ok], x[ok])
    np.maximum.at(ymax, net_of[ok], y[ok])
    np.minimum.at(ymin, net_of[ok], y[ok])
    cnt = np.bincount(net_of[ok], minlength=M)
    good = cnt >= 2
    out[good] = (xmax - xmin)[good] + (ymax - ymin)[good]
    return out


def from_placement(design, placement, cap_per_um: float = DEFAULT_CAP_PER_UM) -> np.ndarray:
    return hpwl(design, placement) * float(cap_per_um)


def wire_load_length(wl: WireLoad, fanout: np.ndarray) -> np.ndarray:
    """Estimated length for each fanout from a wire-load model (Liberty units of length)."""
    fanout = np.asarray(fanout, dtype=np.int64)
    if not wl.fanout_length:
        return fanout * wl.slope
    fo = np.array(sorted(wl.fanout_length), dtype=np.int64)
    ln = np.array([wl.fanout_length[int(f)] for f in fo])
    out = np.interp(fanout, fo, ln)
    hi = fanout > fo[-1]
    out[hi] = ln[-1] + (fanout[hi] - fo[-1]) * wl.slope
    out[fanout <= 0] = 0.0
    return out


def fanout(design) -> np.ndarray:
    """Number of load terminals of each net."""
    return np.diff(design.net_term_ptr) - np.asarray(design.net_n_drivers)


def from_wire_load(design, wl: WireLoad) -> np.ndarray:
    return wire_load_length(wl, fanout(design)) * wl.capacitance
