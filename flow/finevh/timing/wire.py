"""Wire capacitance per net (pF), the lumped view of the wires, four sources:

- :func:`zero` (default: no wire load, what OpenSTA does without parasitics or
  wire-load model);
- :func:`from_spef`: the total capacitance of each SPEF net (sum of its ``*CAP``
  entries; the timer adds the Liberty pin capacitances). Nets absent from the SPEF
  keep 0. (``finevh sta --spef`` times the RC networks themselves,
  :mod:`finevh.timing.rcdelay`; this lumped view is for tools that want totals);
- :func:`from_placement`: half-perimeter wire length of the bounding box of the
  net's terminals (instance centres, I/O pin locations) times a capacitance per um
  (default 0.2 fF/um, a typical mid-layer value; configurable);
- :func:`from_wire_load`: a Liberty ``wire_load`` model: length for the net's fanout
  from ``fanout_length`` (linear ``slope`` extrapolation past the last entry),
  times ``capacitance`` per unit length.

Each returns float64[M], indexed like ``design.netlist.net_names``. Also here, for
the RC delay calculation: the terminal locations of a placement (:func:`term_xy`) and
the per-driver pi models / Elmore delays of a wire-load model
(:func:`estimate_pi_elmore`).
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
    """Total capacitance of each SPEF net of the design (pF); absent nets 0."""
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


def term_xy(design, placement) -> tuple[np.ndarray, np.ndarray]:
    """Location (um) of every terminal: its instance's centre, or the I/O pin of a port
    (NaN when the placement has none)."""
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
    return tx, ty


def hpwl(design, placement) -> np.ndarray:
    """Half-perimeter wire length of every net (um)."""
    tx, ty = term_xy(design, placement)
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


def wire_load_length(wl: WireLoad, fanout: np.ndarray, below_first: bool = False) -> np.ndarray:
    """Estimated length for each fanout from a wire-load model (Liberty units of length).
    A fanout of 0 has length 0, unless ``below_first``: then fanouts below the first
    entry extrapolate down its ``slope`` (not below 0), as OpenSTA 3.x's estimate."""
    fanout = np.asarray(fanout, dtype=np.int64)
    if not wl.fanout_length:
        return fanout * wl.slope
    fo = np.array(sorted(wl.fanout_length), dtype=np.int64)
    ln = np.array([wl.fanout_length[int(f)] for f in fo])
    out = np.interp(fanout, fo, ln)
    hi = fanout > fo[-1]
    out[hi] = ln[-1] + (fanout[hi] - fo[-1]) * wl.slope
    lo = fanout < fo[0]
    out[lo] = np.maximum(ln[0] - (fo[0] - fanout[lo]) * wl.slope, 0.0) if below_first else 0.0
    if not below_first:
        out[fanout <= 0] = 0.0
    return out


def fanout(design) -> np.ndarray:
    """Number of load terminals of each net."""
    return np.diff(design.net_term_ptr) - np.asarray(design.net_n_drivers)


def from_wire_load(design, wl: WireLoad) -> np.ndarray:
    return wire_load_length(wl, fanout(design)) * wl.capacitance


def estimate_pi_elmore(design, wl: WireLoad, pin_cap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parasitics of every single-driver net estimated from a wire-load model the way
    OpenSTA 3.x does for a balanced tree (``set_wire_load_model``; also its rule for an
    unknown tree type): the model's wire capacitance C and resistance R for the net's
    fanout f (its input pins and output ports) are split evenly over f branches, one
    per load, each R/f in series with C/f plus the load's pin capacitance; the pi
    model matches the three admittance moments of that star, and a load's Elmore delay
    is R/f * (C/f + its pin capacitance). Without resistance (or loads) the net is the
    capacitance C plus its pins (a pi model with c1 = rpi = 0).

    ``pin_cap`` [T, 2] pF (port loads included). Returns ``pi`` [T, 2, 3] (c2, rpi, c1;
    NaN off single-driver nets) and ``elmore`` [T, 2] ns (NaN where none)."""
    from ..design import DIR_INPUT

    T = pin_cap.shape[0]
    pi = np.full((T, 2, 3), np.nan)
    elmore = np.full((T, 2), np.nan)
    nl = design.netlist
    P = int(nl.pin_ptr[-1])
    ptr = design.net_term_ptr
    nd = np.asarray(design.net_n_drivers)
    terms = design.net_terms
    M = len(ptr) - 1
    net_of = np.repeat(np.arange(M), np.diff(ptr))
    is_drv = np.arange(len(terms)) < np.repeat(ptr[:-1] + nd, np.diff(ptr))
    one = nd == 1
    pin_dir = np.asarray(design.pin_dir)
    counts = np.zeros(len(terms), dtype=bool)
    ip = terms < P
    counts[ip] = pin_dir[terms[ip]] == DIR_INPUT
    op = ~ip
    counts[op] = np.asarray(nl.port_dir)[terms[op] - P] == 1          # output ports
    counts &= ~is_drv
    f = np.bincount(net_of[counts], minlength=M).astype(np.float64)
    length = wire_load_length(wl, f.astype(np.int64), below_first=True)
    c_w = (length * wl.capacitance).astype(np.float32).astype(np.float64)
    r_w = (length * wl.resistance).astype(np.float32).astype(np.float64)
    ld = ~is_drv & one[net_of]
    drv = terms[ptr[:-1][one]]
    res_cap = (r_w == 0.0) | (f == 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rf_ = np.where(res_cap, 0.0, r_w / np.maximum(f, 1.0))
        cf_ = np.where(res_cap, 0.0, c_w / np.maximum(f, 1.0))
    for rf in (0, 1):
        pc = pin_cap[:, rf]
        net_pin = np.bincount(net_of, weights=pc[terms], minlength=M)
        cap = pc[terms] + cf_[net_of]                       # per load branch
        r = rf_[net_of]
        y1 = np.bincount(net_of[ld], weights=cap[ld], minlength=M)
        y2 = -np.bincount(net_of[ld], weights=(r * cap * cap)[ld], minlength=M)
        y3 = np.bincount(net_of[ld], weights=(r * cap * cap * r * cap)[ld], minlength=M)
        y1 = y1 + np.where(one, pc[terms[ptr[:-1]]], 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            c1 = np.where(y3 == 0.0, 0.0, y2 * y2 / y3)
            c2 = np.where(y3 == 0.0, 0.0, np.maximum(y1 - y2 * y2 / y3, 0.0))
            rpi = np.where(y3 == 0.0, 0.0, -y3 * y3 / (y2 * y2 * y2))
        c2 = np.where(res_cap, c_w + net_pin, c2)
        c1 = np.where(res_cap, 0.0, c1)
        rpi = np.where(res_cap, 0.0, rpi)
        m1 = np.nonzero(one)[0]
        ok = (c1[m1] > 0.0) | (c2[m1] > 0.0)
        pi[drv[ok], rf] = np.stack([c2[m1], rpi[m1], c1[m1]], axis=1)[ok].astype(np.float32)
        has = ld & ((c1 > 0.0) | (c2 > 0.0))[net_of]
        elmore[terms[has], rf] = (r * (cf_[net_of] + pc[terms]))[has]
    return pi, elmore
