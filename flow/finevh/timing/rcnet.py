"""SPEF RC networks and their reduction per driver (O'Brien/Savarino pi model plus
Elmore delay to every load), the parasitics OpenSTA's ``dmp_ceff_elmore`` delay
calculator works on.

Networks come from :mod:`finevh.timing.spefparse` (a SPEF) or :func:`from_placement`
(estimated); :func:`bind` maps their nodes to the design's terminals.

Reduction (:func:`reduce_net`): a depth-first walk from the driver node computes the
first three moments y1, y2, y3 of the driving-point admittance (series resistor and
parallel branch rules), with the load pins' capacitances added on their nodes, and
matches them with a pi model ``c2 - rpi - c1`` (``c1 = y2^2/y3``, ``c2 = y1 - c1``,
``rpi = -y3^2/y2^3``; a purely capacitive net gives ``c1 = y1``, ``c2 = rpi = 0``). A
second walk gives the Elmore delay of each load node: the sum over the resistors
on its path of ``R * downstream capacitance``. A resistor closing a loop is dropped
(the first one met by the walk, as OpenSTA). Units: pF, kOhm, ns (kOhm * pF = ns).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .rcflat import RcFlat


@dataclass
class RcNet:
    """The RC network of one ``*D_NET``. Node names: ``inst:pin`` (instance path
    with ``/``), a port name, or ``net:id`` for internal nodes."""

    name: str                  # net name (netlist spelling)
    line: int                  # line of the *D_NET in the SPEF
    nodes: list[str]
    cap: np.ndarray            # float64[n] grounded capacitance per node (pF)
    res_a: np.ndarray          # int64[r] resistor end nodes
    res_b: np.ndarray
    res: np.ndarray            # float64[r] kOhm
    conn: list[str]            # node names of the *CONN section (pins and ports)

    @property
    def total(self) -> float:
        """Sum of the net's capacitors (pF), coupling ones included (scaled)."""
        return float(self.cap.sum())


@dataclass
class PiElmore:
    """Reduced parasitics of one driver for one output transition."""

    c2: float                  # pF, near the driver
    rpi: float                 # kOhm
    c1: float                  # pF, far side
    elmore: dict[int, float]   # load node index -> Elmore delay (ns)


def reduce_net(net: RcNet, drv: int, pin_cap: np.ndarray) -> PiElmore:
    """Pi model seen from node ``drv`` and Elmore delay to every other node.

    ``pin_cap`` float64[n]: capacitance of the pin (or port load) on each node, pF,
    added to the node's wire capacitance."""
    n = len(net.nodes)
    adj: list[list[tuple[int, int]]] = [[] for _ in range(n)]      # node -> (resistor, other node)
    for k, (a, b) in enumerate(zip(net.res_a.tolist(), net.res_b.tolist())):
        adj[a].append((k, b))
        if b != a:
            adj[b].append((k, a))
    rv = net.res.tolist()
    node_cap = (net.cap + pin_cap).tolist()
    loop = set()
    on_path = [False] * n
    dcap = [0.0] * n

    def moments(v: int, from_res: int) -> tuple[float, float, float, float]:
        y1 = node_cap[v]
        y2 = y3 = 0.0
        dc = y1
        on_path[v] = True
        for k, o in adj[v]:
            if k in loop or o == v or k == from_res:
                continue
            if on_path[o]:
                loop.add(k)
                continue
            r = rv[k]
            d1, d2, d3, dd = moments(o, k)
            y1 += d1
            y2 += d2 - r * d1 * d1
            y3 += d3 - 2 * r * d1 * d2 + r * r * d1 * d1 * d1
            dc += dd
        dcap[v] = dc
        on_path[v] = False
        return y1, y2, y3, dc

    elmore: dict[int, float] = {}

    def delays(v: int, from_res: int, t: float) -> None:
        if from_res >= 0:
            elmore[v] = t
        on_path[v] = True
        for k, o in adj[v]:
            if k != from_res and not on_path[o] and k not in loop:
                delays(o, k, t + rv[k] * dcap[o])
        on_path[v] = False

    y1, y2, y3, _ = _walk(moments, drv)
    _walk(delays, drv, -1, 0.0)
    if y2 == 0.0 and y3 == 0.0:
        return PiElmore(0.0, 0.0, y1, elmore)
    c1 = y2 * y2 / y3
    return PiElmore(y1 - c1, -y3 * y3 / (y2 * y2 * y2), c1, elmore)


def _walk(fn, *args):
    """Call a recursive walk with a recursion limit fit for long RC chains."""
    import sys

    old = sys.getrecursionlimit()
    if old < 20000:
        sys.setrecursionlimit(20000)
    try:
        return fn(*args) if len(args) > 1 else fn(args[0], -1)
    finally:
        sys.setrecursionlimit(old)


@dataclass
class DesignRc:
    """SPEF networks bound to a design: the design net of every SPEF net and the design
    terminal of every node (-1: internal node, or a pin not on the net)."""

    flat: "RcFlat"                       # the networks (finevh.timing.rcflat)
    net: np.ndarray                      # int64[n] design net of each SPEF net (-1: not in the design)
    term: np.ndarray                     # int64[N] design terminal of each node (-1 none)
    unknown: int                         # SPEF nets not in the design
    forest: "_Forest | None" = None      # flattened trees (built by reduce_design)

    @cached_property
    def nets(self) -> dict[int, int]:
        """Design net -> SPEF net index (of several *D_NETs of one net, the last; made
        once: :meth:`network` is called per net left to the recursive walk)."""
        return {m: k for k, m in enumerate(self.net.tolist()) if m >= 0}

    def network(self, m: int) -> tuple[RcNet, np.ndarray]:
        """The network of design net ``m`` and the terminal of each of its nodes."""
        k = self.nets[m]
        a, b = int(self.flat.node_ptr[k]), int(self.flat.node_ptr[k + 1])
        return self.flat.net(k), self.term[a:b]

    @classmethod
    def from_nets(cls, nets: dict[int, RcNet], node_term: dict[int, np.ndarray], unknown: int = 0) -> "DesignRc":
        """Bound networks given per design net (tests, estimates)."""
        from .rcflat import RcFlat

        ms = list(nets)
        flat = RcFlat.from_nets([nets[m] for m in ms])
        term = np.concatenate([np.asarray(node_term[m], dtype=np.int64) for m in ms]) if ms else np.zeros(0, np.int64)
        return cls(flat, np.array(ms, dtype=np.int64), term, unknown)


def bind(design, flat: "RcFlat") -> DesignRc:
    """Map SPEF node names to the design's terminals (pins ``inst:pin`` and ports): a
    port of that name, else the first pin of that name on the instance; kept only
    when it is on the node's net. Compiled (name hashes) when numba can be used."""
    nl = design.netlist
    P = int(nl.pin_ptr[-1])
    net_idx = {n: i for i, n in enumerate(nl.net_names)}
    for alias, kept in (nl.net_aliases or {}).items():
        if kept in net_idx:
            net_idx.setdefault(alias, net_idx[kept])
    net = np.array([net_idx.get(n, -1) for n in flat.names], dtype=np.int64)
    unknown = int((net < 0).sum())
    # of several *D_NETs of one design net the last counts
    last = np.full(nl.n_nets, -1, dtype=np.int64)
    last[net[net >= 0]] = np.flatnonzero(net >= 0)
    net[(net >= 0) & (last[np.maximum(net, 0)] != np.arange(len(net)))] = -1
    node_net = np.repeat(net, np.diff(flat.node_ptr))
    term_net = np.concatenate([np.asarray(nl.pin_net, dtype=np.int64), np.asarray(nl.port_net, dtype=np.int64)])
    term = _match_compiled(nl, flat, node_net, term_net)
    if term is None:
        term = _match_names(nl, flat, node_net, term_net, P)
    return DesignRc(flat, net, term, unknown)


def _blob(names: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
    """uint8 of the names, each followed by a newline, and offsets [n+1] (None: not ASCII)."""
    data = ("\n".join(names) + "\n").encode() if names else b"\n"
    if not data.isascii():
        return None
    arr = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(arr == 10)[:max(len(names), 0)]
    return arr, np.concatenate([[0], ends + 1]).astype(np.int64)


def _match_compiled(nl, flat, node_net, term_net) -> np.ndarray | None:
    from . import dmp_jit

    if flat.node_sp is None or not dmp_jit.available():
        return None
    parts = [_blob(list(nl.inst_names)), _blob(list(nl.pin_names)), _blob(list(nl.port_names))]
    if any(x is None for x in parts):
        return None
    from .spef_kernels import match

    (ib, io), (pb, po), (qb, qo) = parts
    return match(flat.name_buf, flat.node_sp, node_net, ib, io, pb, po,
                 np.asarray(nl.pin_ptr, dtype=np.int64), np.asarray(nl.pin_name, dtype=np.int64), qb, qo, term_net)


def _match_names(nl, flat, node_net, term_net, P) -> np.ndarray:
    inst_idx = {n: i for i, n in enumerate(nl.inst_names)}
    port_idx = {n: P + k for k, n in enumerate(nl.port_names)}
    pin_names = nl.pin_names
    pin_ptr = np.asarray(nl.pin_ptr).tolist()           # Python ints: scalar access in the loop
    pin_name = np.asarray(nl.pin_name).tolist()
    tn = term_net.tolist()
    names = flat.node_names()
    out = np.full(len(names), -1, dtype=np.int64)
    for v, (node, m) in enumerate(zip(names, node_net.tolist())):
        if m < 0:
            continue
        t = port_idx.get(node)
        if t is None:
            t = -1
            c = node.rfind(":")
            if c > 0:
                i = inst_idx.get(node[:c])
                if i is not None:
                    pn = node[c + 1:]
                    for p in range(pin_ptr[i], pin_ptr[i + 1]):
                        if pin_names[pin_name[p]] == pn:
                            t = p
                            break
        if t >= 0 and tn[t] == m:                        # not a pin of another net
            out[v] = t
    return out


@dataclass
class _Forest:
    """The RC trees of all single-driver tree nets of a :class:`DesignRc`, rooted at
    their driver (global node ids of the :class:`RcFlat`): built once, reused for every
    set of pin capacitances."""

    cap: np.ndarray          # float64[N] wire capacitance per node (pF)
    term: np.ndarray         # int64[N] design terminal (-1 none)
    parent: np.ndarray       # int64[N] parent node (-1: root or unreached)
    pres: np.ndarray         # float64[N] resistance to the parent (kOhm)
    levels: list[np.ndarray]  # nodes by depth (levels[0]: the roots)
    root_term: np.ndarray    # int64[R] driver terminal of each root (= levels[0])
    slow: list[tuple[int, int]]   # (net, driver) pairs left to the recursive walk


def _jit() -> bool:
    from . import dmp_jit

    return dmp_jit.available()


def _walk_numpy(a, b, r, roots_a, k_of, keep_k, N, n_nets):
    """Breadth-first walk of the trees from ``roots_a`` (numpy, level by level):
    (parent, pres, levels, loopy nets among ``keep_k``)."""
    keep = a != b
    src = np.concatenate([a[keep], b[keep]])
    dst = np.concatenate([b[keep], a[keep]])
    rr = np.concatenate([r[keep], r[keep]])
    rid = np.concatenate([np.nonzero(keep)[0]] * 2)
    order = np.lexsort((rid, src))              # a node's resistors in file order
    src, dst, rr = src[order], dst[order], rr[order]
    row = np.searchsorted(src, np.arange(N + 1))
    parent = np.full(N, -1, dtype=np.int64)
    pres = np.zeros(N)
    seen = np.zeros(N, dtype=bool)
    seen[roots_a] = True
    levels = [roots_a]
    front = roots_a
    while len(front):
        cnt = row[front + 1] - row[front]
        e = np.repeat(row[front] - np.concatenate([[0], np.cumsum(cnt)[:-1]]), cnt) + np.arange(int(cnt.sum()))
        tgt = dst[e]
        new = ~seen[tgt]
        e, tgt = e[new], tgt[new]
        tgt, first = np.unique(tgt, return_index=True)
        e = e[first]
        parent[tgt] = src[e]
        pres[tgt] = rr[e]
        seen[tgt] = True
        if len(tgt):
            levels.append(tgt)
        front = tgt
    # a net is a tree (up to self-loops and parallel resistors, of which the walk keeps
    # the first, as OpenSTA's) when its reached node pairs joined by resistors number
    # its reached nodes minus one; the others (loops) go to the recursive walk
    n_reach = np.bincount(k_of[seen], minlength=n_nets)
    both = keep & seen[a] & seen[b]
    lo, hi = np.minimum(a[both], b[both]), np.maximum(a[both], b[both])
    pairs = np.unique(lo * max(N, 1) + hi)
    n_res = np.bincount(k_of[pairs // max(N, 1)], minlength=n_nets)
    return parent, pres, levels, keep_k[n_res[keep_k] != n_reach[keep_k] - 1]


def _walk_compiled(a, b, r, roots_a, k_of, keep_k, N, n_nets):
    """:func:`_walk_numpy` compiled (:func:`finevh.timing.rc_kernels.forest`): the same
    parents, levels (nodes of a depth in increasing index) and loopy nets."""
    from .rc_kernels import forest

    parent, pres, depth, loopy = forest(a, b, r, roots_a, k_of, N, n_nets)
    idx = np.flatnonzero(depth >= 1)
    idx = idx[np.argsort(depth[idx], kind="stable")]
    cuts = np.flatnonzero(np.diff(depth[idx])) + 1
    levels = [roots_a] + [lv for lv in np.split(idx, cuts) if len(lv)]
    return parent, pres, levels, keep_k[loopy[keep_k]]


def _forest(design, rc: DesignRc) -> _Forest:
    flat = rc.flat
    ptr = design.net_term_ptr
    nd = np.asarray(design.net_n_drivers)
    n_nodes = np.diff(flat.node_ptr)
    N = int(flat.node_ptr[-1])
    ks = np.flatnonzero(rc.net >= 0)                     # bound SPEF nets
    m_a = rc.net[ks]
    single = nd[m_a] == 1 if len(ks) else np.zeros(0, bool)
    # the driver's node in each single-driver net (its first node with that terminal)
    drv1 = np.full(flat.n_nets, -2, dtype=np.int64)
    if len(ks) and len(design.net_terms):
        drv1[ks[single]] = design.net_terms[ptr[m_a[single]]]
    k_of = np.repeat(np.arange(flat.n_nets), n_nodes)
    is_drv = (rc.term == drv1[k_of]) & (rc.term >= 0)
    k_hit, first = np.unique(k_of[is_drv], return_index=True)
    root_of = np.full(flat.n_nets, -1, dtype=np.int64)
    root_of[k_hit] = np.flatnonzero(is_drv)[first]
    slow: list[tuple[int, int]] = []
    for k in ks[~single].tolist():                        # several drivers: the recursive walk
        m = int(rc.net[k])
        t = rc.term[flat.node_ptr[k]:flat.node_ptr[k + 1]]
        slow += [(m, d) for d in design.net_terms[ptr[m]:ptr[m] + nd[m]].tolist() if (t == d).any()]
    keep_k = ks[single & (root_of[ks] >= 0)]
    in_tree = np.zeros(flat.n_nets, dtype=bool)
    in_tree[keep_k] = True
    res_k = np.repeat(np.arange(flat.n_nets), np.diff(flat.res_ptr))
    rsel = in_tree[res_k]
    base = flat.node_ptr[res_k[rsel]]
    a, b, r = flat.res_a[rsel] + base, flat.res_b[rsel] + base, flat.res[rsel]
    roots_a = root_of[keep_k]
    walk = _walk_compiled if _jit() else _walk_numpy
    parent, pres, levels, loopy = walk(a, b, r, roots_a, k_of, keep_k, N, flat.n_nets)
    root_terms_a = drv1[keep_k]
    if len(loopy):
        bad = np.zeros(flat.n_nets, dtype=bool)
        bad[loopy] = True
        bad = bad[k_of]
        parent[bad] = -1
        levels = [lv[~bad[lv]] for lv in levels]
        slow += [(int(rc.net[k]), int(drv1[k])) for k in loopy.tolist()]
        root_terms_a = root_terms_a[~np.isin(keep_k, loopy)]
    term = np.where(in_tree[k_of], rc.term, -1)
    return _Forest(flat.cap, term, parent, pres, levels, root_terms_a, slow)


def reduce_design(design, rc: DesignRc, pin_cap: np.ndarray):
    """Pi models and Elmore delays of every driver of a net with parasitics.

    ``pin_cap`` [T, 2]: capacitance per terminal and transition (Liberty pin
    capacitance, ``set_load`` on ports), pF. Returns ``pi`` [T, 2, 3] (c2, rpi, c1 per
    driving terminal and output transition; NaN where no parasitics) and ``elmore``
    [T, 2] (ns, Elmore delay from the net's first driver to each load terminal; NaN
    where none). Tree nets of one driver are reduced all at once, level by level of
    their trees (moments upwards, Elmore delays downwards); other nets one by one."""
    T = pin_cap.shape[0]
    pi = np.full((T, 2, 3), np.nan)
    elmore = np.full((T, 2), np.nan)
    f = rc.forest
    if f is None:
        f = rc.forest = _forest(design, rc)
    on = f.term >= 0
    y1 = np.repeat(f.cap[:, None], 2, axis=1)
    y1[on] += pin_cap[f.term[on]]
    y2 = np.zeros_like(y1)
    y3 = np.zeros_like(y1)
    el = np.zeros_like(y1)
    if _jit():                                 # the same sums, node by node
        from .rc_kernels import elmore as down, moments as up

        deep = f.levels[1:]
        up(np.concatenate(deep[::-1]) if deep else np.zeros(0, np.int64), f.parent, f.pres, y1, y2, y3)
        down(np.concatenate(deep) if deep else np.zeros(0, np.int64), f.parent, f.pres, y1, el)
    else:
        for lv in reversed(f.levels[1:]):          # moments: children into parents
            p = f.parent[lv]
            r = f.pres[lv][:, None]
            a1, a2, a3 = y1[lv], y2[lv], y3[lv]
            np.add.at(y3, p, a3 - 2 * r * a1 * a2 + r * r * a1 * a1 * a1)
            np.add.at(y2, p, a2 - r * a1 * a1)
            np.add.at(y1, p, a1)
        for lv in f.levels[1:]:                    # Elmore: parents into children
            el[lv] = el[f.parent[lv]] + f.pres[lv][:, None] * y1[lv]
    if len(f.levels) and len(f.levels[0]):
        rt = f.levels[0]
        r1, r2, r3 = y1[rt], y2[rt], y3[rt]
        cap_only = (r2 == 0.0) & (r3 == 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            c1 = np.where(cap_only, r1, r2 * r2 / r3)
            c2 = np.where(cap_only, 0.0, r1 - r2 * r2 / r3)
            rpi = np.where(cap_only, 0.0, -r3 * r3 / (r2 * r2 * r2))
        pi[f.root_term] = np.stack([c2, rpi, c1], axis=2)
        ld = np.nonzero(on & (f.parent >= 0))[0]
        elmore[f.term[ld]] = el[ld]
    ptr = design.net_term_ptr
    for m, drv in f.slow:
        rn, terms = rc.network(m)
        first = int(design.net_terms[ptr[m]]) == drv
        where = int(np.nonzero(terms == drv)[0][0])
        has = terms >= 0
        for rf in (0, 1):
            pc = np.zeros(len(terms))
            pc[has] = pin_cap[terms[has], rf]
            red = reduce_net(rn, where, pc)
            pi[drv, rf] = (red.c2, red.rpi, red.c1)
            if first:
                for node, t in red.elmore.items():
                    if terms[node] >= 0 and terms[node] != drv:
                        elmore[terms[node], rf] = t
    return pi, elmore


def from_placement(design, placement, r_per_um: float, c_per_um: float) -> list[RcNet]:
    """RC networks estimated from a placement: per net a rectilinear minimum spanning
    tree over its terminals' locations (instance centres, I/O pins; Prim's algorithm
    from the driver, Manhattan lengths), each tree edge of length L a resistor
    ``r_per_um * L`` (kOhm) with ``c_per_um * L`` (pF) split between its two ends.
    Terminals without a location are left out; nets with fewer than two located
    terminals get no network. Nodes are named like a SPEF's (``inst:pin``, ports)."""
    from .wire import term_xy

    nl = design.netlist
    P = int(nl.pin_ptr[-1])
    inst_of = np.repeat(np.arange(nl.n_instances), np.diff(nl.pin_ptr))
    tx, ty = term_xy(design, placement)
    ptr = design.net_term_ptr
    out: list[RcNet] = []
    for m in range(len(ptr) - 1):
        terms = design.net_terms[ptr[m]:ptr[m + 1]]
        terms = terms[~np.isnan(tx[terms])]
        n = len(terms)
        if n < 2:
            continue
        x, y = tx[terms], ty[terms]
        dist = np.full(n, np.inf)
        parent = np.zeros(n, dtype=np.int64)
        done = np.zeros(n, dtype=bool)
        cur = 0
        done[0] = True
        a, b, length = [], [], []
        for _ in range(n - 1):
            d = np.abs(x - x[cur]) + np.abs(y - y[cur])
            closer = ~done & (d < dist)
            dist[closer] = d[closer]
            parent[closer] = cur
            cand = np.where(done, np.inf, dist)
            cur = int(np.argmin(cand))
            done[cur] = True
            a.append(int(parent[cur]))
            b.append(cur)
            length.append(float(dist[cur]))
        ln = np.array(length)
        cap = np.zeros(n)
        np.add.at(cap, np.array(a), 0.5 * c_per_um * ln)
        np.add.at(cap, np.array(b), 0.5 * c_per_um * ln)
        nodes = [nl.port_names[t - P] if t >= P else f"{nl.inst_names[inst_of[t]]}:{nl.pin_names[nl.pin_name[t]]}"
                 for t in terms.tolist()]
        out.append(RcNet(nl.net_names[m], 0, nodes, cap, np.array(a, dtype=np.int64), np.array(b, dtype=np.int64),
                         r_per_um * ln, nodes))
    return out
