"""Timing graph of a linked design: edges between terminals, levels, loop breaking.

Nodes are the design's terminals (instance pin connections ``0..P-1``, then ports).
Arrival times and slews live on *driving* nodes (cell output pins, input ports) and
on sequential clock pins; a load pin reads its net's driver (no wire delay without
RC parasitics, as in OpenSTA with lumped capacitance).

An *edge* is one rise/fall combination of one Liberty arc of one instance
(see :mod:`finevh.timing.arcs`): ``src`` is the node whose arrival and slew feed
it (the driver of the from-pin's net, or for a launch arc the clock pin itself),
``to`` the output pin. Edges are stored in numpy arrays sorted by
``(level of to, to, output transition)`` so that one level is a contiguous slice
and the worst arrival/slew per target is a ``reduceat``.

Levels come from a frontier Kahn sweep in O(nodes + edges) (:func:`_kahn`). Combinational loops are found when the
sweep stalls; one depth-first search over the stalled part marks back edges as
disabled (the arcs OpenSTA calls loop-breaking), and each is reported by instance,
cell and pins.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import progress
from .arcs import KIND_COMB, KIND_LAUNCH, CellTiming, cell_timing
from .constants import propagate, sense_given


@dataclass
class LoopBreak:
    instance: str
    cell: str
    from_pin: str
    to_pin: str


@dataclass
class TimingGraph:
    n_terms: int
    n_pins: int
    inst_of_pin: np.ndarray        # int64[P]
    net_of_term: np.ndarray        # int64[T], -1 unconnected
    src_of_term: np.ndarray        # int64[T] driver terminal of the term's net, -1 none
    # edges (sorted, see module doc)
    # (indices int32 when they fit, see index_dtype; in_rf / out_rf / kind int8)
    e_inst: np.ndarray
    e_slot: np.ndarray
    e_from: np.ndarray             # from terminal (input pin / clock pin), -1 none
    e_src: np.ndarray              # node feeding the edge (-1: none)
    e_to: np.ndarray
    e_in_rf: np.ndarray            # int8: 0 rise, 1 fall
    e_out_rf: np.ndarray           # int8
    e_kind: np.ndarray             # int8: KIND_* of arcs.py
    level_ptr: np.ndarray          # edges of level L: level_ptr[L]:level_ptr[L+1]
    seg_start: np.ndarray          # start of each (to, out_rf) segment in edge order
    seg_to: np.ndarray
    seg_rf: np.ndarray
    level_seg_ptr: np.ndarray      # segments of level L
    # checks
    c_inst: np.ndarray
    c_slot: np.ndarray
    c_data: np.ndarray             # data pin terminal
    c_clk: np.ndarray              # clock pin terminal
    c_clock_rf: np.ndarray
    c_data_rf: np.ndarray
    build_inst_cell: np.ndarray    # binding at build time (slot layout)
    templates: dict[int, CellTiming] = field(default_factory=dict)   # id(cell) -> CellTiming
    loop_breaks: list[LoopBreak] = field(default_factory=list)
    node_level: np.ndarray | None = None
    term_const: np.ndarray | None = None   # int8[T]: logic constant of the terminal's net, -1 none
    # hold (and removal) checks, same layout as the setup checks c_*
    h_inst: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    h_slot: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    h_data: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    h_clk: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    h_clock_rf: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    h_data_rf: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: bool[E] edges that set slews but carry no arrival: arcs whose sense logic constants
    #: on side inputs remove (OpenSTA computes their delays and slews, its search skips them)
    e_slew_only: np.ndarray | None = None


def template_of(templates: dict[int, CellTiming], cell) -> CellTiming:
    ct = templates.get(id(cell))
    if ct is None or ct.cell is not cell:
        ct = cell_timing(cell)
        templates[id(cell)] = ct
    return ct


def _term_lookup(pin_ptr: np.ndarray, inst_of_pin: np.ndarray, pin_name: np.ndarray, k: int):
    """Vectorised (instance, formal pin id) -> terminal, -1 when absent.

    Instances of one cell nearly always list their pins in the same order, so the
    terminal is first looked for at the offset the pin has in the first instance (one
    gather and compare); the rest are found by a binary search over (instance, pin)
    keys, sorted on first use."""
    sorted_keys: list = []

    def search(insts: np.ndarray, pid: int) -> np.ndarray:
        if not sorted_keys:
            keys = inst_of_pin.astype(np.int64) * k + pin_name.astype(np.int64)
            order = stable_order(keys, (int(inst_of_pin.max()) + 1) * k if len(keys) else 0)
            sorted_keys.extend((keys[order], order))
        sk, order = sorted_keys
        if not len(sk):
            return np.full(len(insts), -1, dtype=np.int64)
        q = insts.astype(np.int64) * k + pid
        pos_c = np.minimum(np.searchsorted(sk, q), len(sk) - 1)
        return np.where(sk[pos_c] == q, order[pos_c], -1)

    def find(insts: np.ndarray, pid: int) -> np.ndarray:
        if not len(insts):
            return np.zeros(0, dtype=np.int64)
        first = int(insts[0])
        a, b = int(pin_ptr[first]), int(pin_ptr[first + 1])
        hits = np.nonzero(pin_name[a:b] == pid)[0]
        if not len(hits):
            return search(insts, pid)
        start = pin_ptr[insts].astype(np.int64)
        pos = start + int(hits[0])
        ok = pos < pin_ptr[insts + 1]
        ok[ok] = pin_name[pos[ok]] == pid
        if ok.all():
            return pos
        res = np.where(ok, pos, -1)
        miss = np.nonzero(~ok)[0]
        res[miss] = search(insts[miss], pid)
        return res

    return find


def build_graph(design, templates: dict[int, CellTiming] | None = None, disabled=None,
                case: dict[int, int] | None = None) -> TimingGraph:
    """The timing graph of ``design``. ``disabled``: arcs switched off by
    ``set_disable_timing`` (``terms``: the arcs from these (load) terminals and the
    checks they clock; ``insts``: every arc and check of these instances; ``arcs``: (instance, from
    terminal or -1, to terminal or -1)); ``case``: constant nets of
    ``set_case_analysis`` (net -> 0/1), propagated like netlist constants."""
    nl = design.netlist
    templates = {} if templates is None else templates
    n_inst = nl.n_instances
    P = int(nl.pin_ptr[-1])
    T = P + len(nl.port_names)
    inst_of_pin = np.repeat(np.arange(n_inst, dtype=np.int64), np.diff(nl.pin_ptr))
    ptr = design.net_term_ptr
    M = len(ptr) - 1
    net_of_entry = np.repeat(np.arange(M, dtype=np.int64), np.diff(ptr))
    net_of_term = np.full(T, -1, dtype=np.int64)
    net_of_term[design.net_terms] = net_of_entry
    ndrv = np.asarray(design.net_n_drivers)
    drv_of_net = np.where(ndrv > 0, design.net_terms[np.minimum(ptr[:-1], max(len(design.net_terms) - 1, 0))]
                          if len(design.net_terms) else -1, -1)
    src_of_term = np.where(net_of_term >= 0, drv_of_net[np.maximum(net_of_term, 0)], -1)
    if M:
        multi = np.nonzero(ndrv > 1)[0]
        for m in multi[:5]:
            progress.warn(f"net '{nl.net_names[m]}' has {int(ndrv[m])} drivers; timing uses the first")

    find = _term_lookup(np.asarray(nl.pin_ptr), inst_of_pin, np.asarray(nl.pin_name), len(nl.pin_names) + 1)
    pid = {n: i for i, n in enumerate(nl.pin_names)}
    inst_cell = np.asarray(design.inst_cell)
    E: dict[str, list[np.ndarray]] = {k: [] for k in ("inst", "slot", "from", "to", "in_rf", "out_rf", "kind")}
    C: dict[str, list[np.ndarray]] = {k: [] for k in ("inst", "slot", "data", "clk", "crf", "drf")}
    H: dict[str, list[np.ndarray]] = {k: [] for k in C}
    order = stable_order(inst_cell, len(design.cells))
    bounds = np.searchsorted(inst_cell[order], np.arange(len(design.cells) + 1))
    for ci, cell in enumerate(design.cells):
        insts = order[bounds[ci]:bounds[ci + 1]]
        if len(insts) == 0:
            continue
        ct = template_of(templates, cell)
        memo: dict[str, np.ndarray] = {}

        def term(pin: str) -> np.ndarray:
            r = memo.get(pin)
            if r is None:
                r = find(insts, pid[pin]) if pin in pid else np.full(len(insts), -1, dtype=np.int64)
                memo[pin] = r
            return r

        for j, e in enumerate(ct.edges):
            to = term(e.to_pin)
            fr = term(e.from_pin)
            keep = to >= 0
            if e.kind == KIND_LAUNCH:
                keep &= fr >= 0
            n = int(keep.sum())
            if n == 0:
                continue
            E["inst"].append(insts[keep])
            E["slot"].append(np.full(n, j))
            E["from"].append(fr[keep])
            E["to"].append(to[keep])
            E["in_rf"].append(np.full(n, e.in_rf))
            E["out_rf"].append(np.full(n, e.out_rf))
            E["kind"].append(np.full(n, e.kind))
        for checks, dest in ((ct.checks, C), (ct.hold_checks, H)):
            for j, c in enumerate(checks):
                if c.data_pin not in pid or c.clock_pin not in pid:
                    continue
                d = term(c.data_pin)
                k = term(c.clock_pin)
                keep = (d >= 0) & (k >= 0)
                n = int(keep.sum())
                if n == 0:
                    continue
                dest["inst"].append(insts[keep])
                dest["slot"].append(np.full(n, j))
                dest["data"].append(d[keep])
                dest["clk"].append(k[keep])
                dest["crf"].append(np.full(n, c.clock_rf))
                dest["drf"].append(np.full(n, c.data_rf))

    def cat(lst):
        return np.concatenate(lst).astype(np.int64, copy=False) if lst else np.zeros(0, dtype=np.int64)

    e = {k: cat(v) for k, v in E.items()}
    e["slew_only"] = np.zeros(len(e["to"]), dtype=bool)
    c = {k: cat(v) for k, v in C.items()}
    h = {k: cat(v) for k, v in H.items()}
    if disabled is not None:
        e, c, h = _apply_disabled(e, c, h, disabled)
    term_const = propagate(design, net_of_term, case)
    if (term_const >= 0).any():
        e, c = _apply_constants(design, e, c, term_const, inst_of_pin, inst_cell)
        hkeep = (term_const[h["data"]] < 0) & (term_const[h["clk"]] < 0)
        h = {k: v[hkeep] for k, v in h.items()}
    e_src = np.where(e["kind"] == KIND_LAUNCH, e["from"],
                     np.where(e["from"] >= 0, src_of_term[np.maximum(e["from"], 0)], -1))

    disabled, level, breaks = _levelise(T, e_src, e["to"], e["kind"], e["inst"], e["slot"], e["from"],
                                        design, templates, inst_cell)
    # by (level, to, out_rf), ties in edge order: one stable sort of a combined key,
    # over the edges left after loop breaking; gathered once into their compact types
    # (issue 16: indices int32 when they fit, transitions and kinds int8; levels, keys
    # and products are formed in int64 first)
    key = (level[e["to"]] * T + e["to"]) * 2 + e["out_rf"]
    n_lev = int(level.max()) + 1 if T else 1
    if disabled.any():
        keep = np.nonzero(~disabled)[0]
        order = keep[stable_order(key[keep], n_lev * T * 2)]
    else:
        order = stable_order(key, n_lev * T * 2)
    key = key[order]
    idx_t = index_dtype(max(T, n_inst, max((len(ct.edges) for ct in templates.values()), default=0)))
    for k in e:       # narrowed first: gathering 4- or 1-byte values is cheaper
        e[k] = e[k].astype(idx_t if k in ("inst", "slot", "from", "to") else
                           np.int8 if k in ("in_rf", "out_rf", "kind") else e[k].dtype, copy=False)[order]
    e_src = e_src.astype(idx_t, copy=False)[order]
    level_ptr = np.searchsorted(key, np.arange(n_lev + 1, dtype=np.int64) * (2 * T))
    if len(key):
        new = np.ones(len(key), dtype=bool)
        np.not_equal(key[1:], key[:-1], out=new[1:])
        seg_start = np.nonzero(new)[0]
    else:
        seg_start = np.zeros(0, dtype=np.int64)
    seg_to = e["to"][seg_start]
    seg_rf = e["out_rf"][seg_start]
    level_seg_ptr = np.searchsorted(seg_start, level_ptr)
    seg_start = seg_start.astype(index_dtype(len(e["to"]) + 1))
    return TimingGraph(T, P, inst_of_pin, net_of_term, src_of_term,
                       e["inst"], e["slot"], e["from"], e_src, e["to"], e["in_rf"], e["out_rf"], e["kind"],
                       level_ptr, seg_start, seg_to, seg_rf, level_seg_ptr,
                       c["inst"], c["slot"], c["data"], c["clk"], c["crf"], c["drf"],
                       inst_cell.copy(), templates, breaks, level, term_const,
                       h["inst"], h["slot"], h["data"], h["clk"], h["crf"], h["drf"],
                       e["slew_only"] if e["slew_only"].any() else None)


def stable_order(key: np.ndarray, bound: int) -> np.ndarray:
    """``np.argsort(key, kind="stable")`` of non-negative integers below ``bound``.
    Each key is packed with its position into one int64 and the packed values are
    sorted (numpy's value sort is several times faster than an index sort: 0.14 s
    against 1.26 s for 5.6 M keys); falls back to the index sort when the pair does
    not fit in 62 bits. Keys below 2^15 are sorted as int16, by numpy's radix sort."""
    key = np.asarray(key)
    n = len(key)
    if 0 < bound <= (1 << 15):
        return np.argsort(key.astype(np.int16), kind="stable")
    b = max(n, 1).bit_length()
    if n == 0 or bound <= 0 or int(bound).bit_length() + b > 62:
        return np.argsort(key, kind="stable")
    packed = (key.astype(np.int64) << b) | np.arange(n, dtype=np.int64)
    packed.sort()
    return packed & ((1 << b) - 1)


def index_dtype(n: int) -> type:
    """int32 when every index (and -1) below ``n`` fits, else int64."""
    return np.int32 if n < np.iinfo(np.int32).max else np.int64


def _apply_disabled(e, c, h, disabled):
    """Drop the arcs (and checks) ``disabled`` switches off (see :func:`build_graph`)."""
    terms = np.fromiter(disabled.terms, dtype=np.int64) if disabled.terms else np.zeros(0, dtype=np.int64)
    insts = np.fromiter(disabled.insts, dtype=np.int64) if disabled.insts else np.zeros(0, dtype=np.int64)
    # a disabled pin stops paths *from* it (OpenSTA's searchFrom): the arcs of a load pin;
    # a driving pin keeps its arcs (and slew), the search blocks its arrival
    off = np.isin(e["from"], terms) | np.isin(e["inst"], insts)
    for i, f, t in disabled.arcs:
        off |= (e["inst"] == i) & ((e["from"] == f) if f >= 0 else True) & ((e["to"] == t) if t >= 0 else True)
    e = {k: v[~off] for k, v in e.items()}
    out = []
    for x in (c, h):
        drop = np.isin(x["clk"], terms) | np.isin(x["inst"], insts)
        for i, f, t in disabled.arcs:
            drop |= (x["inst"] == i) & ((x["clk"] == f) if f >= 0 else True) & ((x["data"] == t) if t >= 0 else True)
        out.append({k: v[~drop] for k, v in x.items()})
    return e, out[0], out[1]


def _apply_constants(design, e, c, term_const, inst_of_pin, inst_cell):
    """Disable arcs from constant pins and into constant outputs, refine the sense of
    arcs whose side inputs are constant, drop checks on constant data (see constants.py)."""
    nl = design.netlist
    fr_c = np.where(e["from"] >= 0, term_const[np.maximum(e["from"], 0)], -1)
    keep = (fr_c < 0) & (term_const[e["to"]] < 0)
    P = len(inst_of_pin)
    const_pins = np.nonzero(term_const[:P] >= 0)[0]
    with_const = np.unique(inst_of_pin[const_pins])
    cand = np.nonzero(keep & (e["kind"] == KIND_COMB) & np.isin(e["inst"], with_const))[0]
    memo: dict[tuple, str | None] = {}
    for k in cand.tolist():
        i = int(e["inst"][k])
        cell = design.cells[int(inst_cell[i])]
        to_name = nl.pin_names[nl.pin_name[int(e["to"][k])]]
        fr_name = nl.pin_names[nl.pin_name[int(e["from"][k])]]
        pin = cell.pins.get(to_name)
        if pin is None or not pin.function:
            continue
        ins = [p.name for p in cell.input_pins()]
        fixed = {}
        for q in range(int(nl.pin_ptr[i]), int(nl.pin_ptr[i + 1])):
            nm = nl.pin_names[nl.pin_name[q]]
            if term_const[q] >= 0 and nm in ins:
                fixed[nm] = bool(term_const[q])
        key = (id(cell), to_name, fr_name, tuple(sorted(fixed.items())))
        if key not in memo:
            memo[key] = sense_given(pin.function, fr_name, ins, fixed)
        sense = memo[key]
        irf, orf = int(e["in_rf"][k]), int(e["out_rf"][k])
        if sense is None:
            e["slew_only"][k] = True
        elif sense == "positive_unate":
            e["slew_only"][k] = irf != orf
        elif sense == "negative_unate":
            e["slew_only"][k] = irf == orf
    e = {k: v[keep] for k, v in e.items()}
    ckeep = (term_const[c["data"]] < 0) & (term_const[c["clk"]] < 0)
    c = {k: v[ckeep] for k, v in c.items()}
    return e, c


#: frontiers smaller than this are advanced edge by edge in Python (a numpy round costs
#: ~20 us of call overhead, a Python step ~0.3 us per edge), so a long thin chain stays
#: linear with a small constant
_SMALL_FRONTIER = 48


def _kahn(T: int, src: np.ndarray, dst: np.ndarray,
          level: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Levels by Kahn's algorithm on dependency pairs ``src -> dst`` over ``T`` nodes;
    returns (level, remaining indegree: > 0 on nodes stuck behind a loop).

    A node's level is the length of the longest path reaching it: each node passes
    ``its level + 1`` to its successors (a running maximum) once all its predecessors
    are done. ``level``, when given, holds levels already final for the nodes that are
    no edge's target here (a sweep resumed past loops that were cut: only the edges
    into the stalled part are passed); it is updated in place. The out-edges are a CSR
    (``ptr``, ``adj``) and every round touches only the frontier's out-edges and their
    targets, so the whole sweep is O(T + E) whatever the depth (no per-level pass over
    all nodes)."""
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    # a fresh sweep frees the nodes of level r in round r (every node of a frontier has
    # the round's level); a resumed one starts from unequal levels: running maximum
    fresh = level is None
    if fresh:
        level = np.zeros(T, dtype=np.int64)
    indeg = np.bincount(dst, minlength=T).astype(np.int64)
    ptr = np.zeros(T + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=T), out=ptr[1:])
    b = max(T, 1).bit_length()
    if 2 * b <= 62:    # grouped by source (one value sort); the order inside a group changes no level
        adj = (src << b) | dst
        adj.sort()
        adj &= (1 << b) - 1
    else:
        adj = dst[np.argsort(src, kind="stable")]
    frontier = np.nonzero((indeg == 0) & (ptr[1:] > ptr[:-1]))[0]
    owner = np.zeros(T, dtype=np.int64)     # scratch: removes repeated nodes from a frontier
    rnd = 0
    # the Python path reads and writes the same buffers through memoryviews (Python ints)
    ptr_v, adj_v, indeg_v, level_v = memoryview(ptr), memoryview(adj), memoryview(indeg), memoryview(level)
    while len(frontier):
        if len(frontier) < _SMALL_FRONTIER:
            nodes = frontier.tolist()
            while nodes and len(nodes) < _SMALL_FRONTIER:
                rnd += 1
                nxt = []
                for v in nodes:
                    lv = level_v[v] + 1
                    for j in range(ptr_v[v], ptr_v[v + 1]):
                        t = adj_v[j]
                        if not fresh and lv > level_v[t]:
                            level_v[t] = lv
                        k = indeg_v[t] - 1
                        indeg_v[t] = k
                        if k == 0:
                            if fresh:
                                level_v[t] = rnd
                            nxt.append(t)
                nodes = nxt
            if not nodes:
                break
            frontier = np.array(nodes, dtype=np.int64)
            continue
        starts = ptr[frontier]
        counts = ptr[frontier + 1] - starts
        tgt = adj[expand(starts, counts)]
        if not len(tgt):
            break
        if not fresh:
            np.maximum.at(level, tgt, np.repeat(level[frontier] + 1, counts))
        np.subtract.at(indeg, tgt, 1)
        ready = tgt[indeg[tgt] == 0]
        owner[ready] = np.arange(len(ready))
        frontier = ready[owner[ready] == np.arange(len(ready))]
        rnd += 1
        if fresh:
            level[frontier] = rnd
    return level, indeg


def _levelise(T, e_src, e_to, e_kind, e_inst, e_slot, e_from, design, templates, inst_cell):
    """Levels of all nodes; disables loop-closing edges (returned as a mask)."""
    dep = (e_kind != KIND_LAUNCH) & (e_src >= 0)
    disabled = np.zeros(len(e_src), dtype=bool)
    breaks: list[LoopBreak] = []
    level, indeg = _kahn(T, e_src[dep], e_to[dep])
    while True:
        stuck = indeg > 0
        if not stuck.any():
            return disabled, level, breaks
        m = dep & ~disabled
        # depth-first search over the stalled part: back edges close loops. Only nodes
        # that can also reach a loop matter: a node that cannot is finished by the search
        # without meeting a back edge, and so is everything it reaches, so leaving such
        # nodes out (a reverse sweep trims them) finds the same back edges
        idx = np.nonzero(m)[0]
        sub = stuck[e_src[idx]] & stuck[e_to[idx]]
        sub_idx = idx[sub]
        sub_idx = _reaching_loops(T, sub_idx, e_src, e_to)
        back = _back_edges(sub_idx, e_src, e_to)
        if not back:  # should not happen; disable everything stuck to terminate
            back = sub_idx.tolist()
        back_set = np.array(sorted(set(back)), dtype=np.int64)
        # disable every rise/fall edge of the same arc instance (same inst, from, to)
        # (from, to) names the arc instance: ``to`` is a pin of the edge's instance
        key = set(zip(e_inst[back_set].tolist(), e_from[back_set].tolist(), e_to[back_set].tolist()))
        hit = np.zeros(T, dtype=bool)
        hit[e_to[back_set]] = True
        cand = np.nonzero(hit[e_to])[0]
        disabled[cand[np.isin(e_from[cand] * T + e_to[cand], e_from[back_set] * T + e_to[back_set])]] = True
        nl = design.netlist
        for a, b, c in sorted(key):
            cell = design.cells[int(inst_cell[a])]
            br = LoopBreak(nl.inst_names[a], cell.name, nl.pin_names[nl.pin_name[b]], nl.pin_names[nl.pin_name[c]])
            breaks.append(br)
            progress.warn(f"combinational loop broken at {br.instance} ({br.cell}) {br.from_pin} -> {br.to_pin}")
        # resume the sweep: the levels outside the stalled part are final (cutting edges
        # inside it changes none of them); the stalled nodes are levelled again from the
        # edges into them that are left
        level[stuck] = 0
        into = np.nonzero(dep & ~disabled & stuck[e_to])[0]
        level, indeg_in = _kahn(T, e_src[into], e_to[into], level)
        indeg = np.where(stuck, indeg_in, 0)


def _reaching_loops(T: int, idx: np.ndarray, e_src: np.ndarray, e_to: np.ndarray) -> np.ndarray:
    """The edges ``idx`` whose both ends can reach a cycle of the edges ``idx`` (a
    reverse Kahn sweep trims the rest)."""
    _, outdeg = _kahn(T, e_to[idx], e_src[idx])
    return idx[(outdeg[e_src[idx]] > 0) & (outdeg[e_to[idx]] > 0)]


def _back_edges(idx: np.ndarray, e_src: np.ndarray, e_to: np.ndarray) -> list[int]:
    """Back edges (indices) of a depth-first search over the edges ``idx``: roots in
    ascending node order, each node's edges in the order given."""
    adj: dict[int, list[int]] = {}
    for k in idx.tolist():
        adj.setdefault(int(e_src[k]), []).append(k)
    color: dict[int, int] = {}
    back: list[int] = []
    for root in sorted(adj):
        if color.get(root):
            continue
        stack = [(root, iter(adj.get(root, ())))]
        color[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                color[node] = 2
                stack.pop()
                continue
            t = int(e_to[nxt])
            ct = color.get(t, 0)
            if ct == 1:
                back.append(nxt)
            elif ct == 0:
                color[t] = 1
                stack.append((t, iter(adj.get(t, ()))))
    return back


def expand(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenated index ranges ``starts[i] .. starts[i] + counts[i] - 1`` (int64)."""
    counts = np.asarray(counts, dtype=np.int64)
    tot = int(counts.sum())
    if tot == 0:
        return np.zeros(0, dtype=np.int64)
    offs = np.arange(tot) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(np.asarray(starts, dtype=np.int64), counts) + offs


def flat_index(g: TimingGraph, which: str) -> np.ndarray:
    """Flat indices into a [T, 2] (terminal, transition) array, cached on the graph:
    ``"src"`` the source node and input transition of each edge (node 0 where the edge
    has no source), ``"from"`` the from pin and input transition of each edge (-1, no
    pin, indexes the last terminal, as ``a[e_from, e_in_rf]`` does), ``"seg"`` the target
    pin transition of each segment. One index per element gathers about twice as fast
    as a (terminal, transition) pair."""
    key = "_flat_" + which
    v = g.__dict__.get(key)
    if v is None:
        if which == "src":
            v = np.maximum(g.e_src, 0).astype(np.intp) * 2 + g.e_in_rf
        elif which == "from":
            v = g.e_from.astype(np.intp) * 2 + g.e_in_rf
        elif which == "seg":
            v = g.seg_to.astype(np.intp) * 2 + g.seg_rf
        else:
            raise ValueError(which)
        g.__dict__[key] = v
    return v


def items_of_insts(g: TimingGraph, attr: str, insts: np.ndarray) -> np.ndarray:
    """Indices of the graph's edges (``attr`` = "e_inst") or checks ("c_inst") that
    belong to the instances ``insts`` (an instance-sorted index, cached on the graph)."""
    key = "_idx_" + attr
    idx = g.__dict__.get(key)
    if idx is None:
        owner = getattr(g, attr)
        order = stable_order(owner, len(g.build_inst_cell))
        ptr = np.searchsorted(owner[order], np.arange(len(g.build_inst_cell) + 1))
        g.__dict__[key] = idx = (order, ptr)
    order, ptr = idx
    return order[expand(ptr[insts], ptr[insts + 1] - ptr[insts])]


def binding_changes_arcs(g: TimingGraph, design, templates: dict[int, CellTiming]) -> bool:
    """True when an instance was re-bound (since ``g`` was built) to a cell whose arc
    structure differs, so that the graph must be rebuilt; twins (same arcs, other
    tables) only change which table rows are gathered."""
    cells = design.cells
    inst_cell = np.asarray(design.inst_cell)
    changed = np.nonzero(inst_cell != g.build_inst_cell)[0]
    if not len(changed):
        return False
    n = len(cells)
    key = np.unique(g.build_inst_cell[changed].astype(np.int64) * n + inst_cell[changed])
    for a, b in zip((key // n).tolist(), (key % n).tolist()):
        if template_of(templates, cells[a]).signature != template_of(templates, cells[b]).signature:
            progress.debug(f"re-binding {cells[a].name} -> {cells[b].name} changes arcs: rebuilding graph")
            return True
    return False
