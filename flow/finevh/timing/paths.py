"""Path extraction: the worst path into an endpoint, stage by stage.

Walks back from the endpoint through the edge whose source arrival plus delay gives
the node's arrival (in the endpoint's launch tag and transition, or, where a path
exception's ``-through`` moved the path between tags, in the tag it came from), to the
launching clock pin or input port. The report layer (:mod:`finevh.timing.report`) formats it.
Times ns, capacitances pF.
"""

from __future__ import annotations

import numpy as np

from .arcs import KIND_LAUNCH, RISE
from .constraints import TerminalNames
from .result import Endpoint, TimingResult


def worst_path(r: TimingResult, ep: Endpoint, design, names: TerminalNames) -> list[dict]:
    """Stages of the worst path of the pass ``r`` into ``ep`` (from the startpoint), as
    dicts with pin, cell, rf ('^' rise, 'v' fall), delay, time, slew, load (ns / pF)."""
    g = r.graph
    nl = design.netlist
    fanin = g.__dict__.get("_fanin")        # edges by target node, built once per graph
    if fanin is None:
        order = np.argsort(g.e_to, kind="stable")
        g.__dict__["_fanin"] = fanin = (order, np.searchsorted(g.e_to[order], np.arange(g.n_terms + 1)))
    in_order, in_ptr = fanin
    ti = ep.tag
    node = int(g.src_of_term[ep.terminal])
    rf = ep.rf
    stages = []

    def cell_of(term):
        if term >= g.n_pins:
            return "in" if nl.port_dir[term - g.n_pins] == 0 else "out"
        return design.cells[int(design.inst_cell[g.inst_of_pin[term]])].name

    # endpoint pin itself (load pin, zero wire delay)
    stages.append(dict(pin=names.name(ep.terminal), cell=cell_of(ep.terminal), rf=rf,
                       delay=0.0, time=float(r.arrival[ti, node, rf]), slew=float(r.slew[node, rf]),
                       load=None))
    guard = 0
    while node >= 0 and guard < 100000:
        guard += 1
        a_here = r.arrival[ti, node, rf]
        lo, hi = in_ptr[node], in_ptr[node + 1]
        chosen = None
        # the edge in the same launch tag first; then one whose source is in another tag
        # (an exception -through moved the path to the tag of its new state set)
        for same in (True, False):
            for k in in_order[lo:hi].tolist():
                if g.e_out_rf[k] != rf:
                    continue
                s = int(g.e_src[k])
                if s < 0:
                    continue
                a = np.atleast_1d(r.arrival[ti if same else slice(None), s, g.e_in_rf[k]] + r.edge_delay[k])
                hit = np.nonzero(np.isfinite(a) & (np.abs(a - a_here) <= 1e-9 * max(1.0, abs(a_here))))[0]
                if len(hit):
                    chosen = k
                    ti = ti if same else int(hit[0])      # (same: hit is [0], ti is kept)
                    break
            if chosen is not None:
                break
        stages.append(dict(pin=names.name(node), cell=cell_of(node), rf=rf,
                           delay=float(r.edge_delay[chosen]) if chosen is not None else float(a_here),
                           time=float(a_here), slew=float(r.slew[node, rf]), load=float(r.load[node, rf])))
        if chosen is None:
            break
        s = int(g.e_src[chosen])
        in_rf = int(g.e_in_rf[chosen])
        if g.e_kind[chosen] == KIND_LAUNCH:        # the clock pin: the clock's slew (OpenSTA)
            cs = r.clock_slew[s, in_rf] if r.clock_slew is not None else np.nan
            stages.append(dict(pin=names.name(s), cell=cell_of(s), rf=in_rf, delay=0.0,
                               time=float(r.arrival[ti, s, in_rf]),
                               slew=float(cs if np.isfinite(cs) else r.slew[s, in_rf]), load=None))
            break
        frm = int(g.e_from[chosen])
        stages.append(dict(pin=names.name(frm), cell=cell_of(frm), rf=in_rf, delay=0.0,
                           time=float(r.arrival[ti, s, in_rf]), slew=float(r.slew[s, in_rf]), load=None))
        node, rf = s, in_rf
    stages.reverse()
    for st in stages:
        st["rf"] = "^" if st["rf"] == RISE else "v"
    return stages
