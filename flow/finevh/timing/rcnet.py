"""SPEF RC networks and their reduction per driver (O'Brien/Savarino pi model plus
Elmore delay to every load), the parasitics OpenSTA's ``dmp_ceff_elmore`` delay
calculator works on.

Reading (:func:`parse_rc`): every ``*D_NET`` gives one :class:`RcNet`: its nodes
(``inst:pin``, a top port, or an internal ``net:id``; ``*NAME_MAP`` indices resolved),
the capacitance on each node and the resistors between nodes. Coupling capacitors
(``*CAP`` entries with two nodes) are grounded on the node(s) that belong to the
net, scaled by ``coupling_factor`` (1.0: OpenSTA's default without
``-keep_capacitive_coupling``); a node belongs to the net when it is an internal node
of the net, appears in its ``*CONN`` section or in its ground capacitors / resistors.
The net total (:attr:`RcNet.total`) is the sum of all ``*CAP`` entries so counted,
not the ``*D_NET`` header value (they differ in real files).

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

import gc
from dataclasses import dataclass

import numpy as np

from ..errors import InputError

_C_UNITS = {"FF": 1e-3, "PF": 1.0, "NF": 1e3, "UF": 1e6, "F": 1e12}          # -> pF
_R_UNITS = {"OHM": 1e-3, "KOHM": 1.0, "MOHM": 1e3}                              # -> kOhm


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


def _unescape(name: str) -> str:
    """SPEF escapes removed: ``\\x`` -> ``x``; a trailing lone backslash is kept."""
    if "\\" not in name:
        return name
    if "\\\\" not in name:                # no escaped backslash: drop all but a trailing one
        return name[:-1].replace("\\", "") + name[-1]
    out = []
    i = 0
    while i < len(name):
        if name[i] == "\\" and i + 1 < len(name):
            i += 1
        out.append(name[i])
        i += 1
    return "".join(out)


def _num(tok: str, what: str, path: str, ln: int) -> float:
    """A SPEF value or the typical one of a ``min:typ:max`` triplet; finite, >= 0."""
    parts = tok.split(":")
    if len(parts) not in (1, 3):
        raise InputError(f"bad {what} '{tok}'", path, ln)
    try:
        v = float(parts[len(parts) // 2])
        ok = all(np.isfinite(float(x)) and float(x) >= 0 for x in parts)
    except ValueError:
        raise InputError(f"bad {what} '{tok}'", path, ln) from None
    if not ok:
        raise InputError(f"{what} must be finite and >= 0: '{tok}'", path, ln)
    return v


class _NetBuilder:
    __slots__ = ("name", "line", "index", "nodes", "cap", "local", "ra", "rb", "rv", "coupling", "conn")

    def __init__(self, name: str, line: int):
        self.name, self.line = name, line
        self.index: dict[str, int] = {}
        self.nodes: list[str] = []
        self.cap: list[float] = []
        self.local: set[str] = set()
        self.ra: list[int] = []
        self.rb: list[int] = []
        self.rv: list[float] = []
        self.coupling: list[tuple[str, str, float]] = []
        self.conn: list[str] = []

    def node(self, n: str) -> int:
        i = self.index.get(n)
        if i is None:
            i = self.index[n] = len(self.nodes)
            self.nodes.append(n)
            self.cap.append(0.0)
        return i

    def finish(self, factor: float) -> RcNet:
        own = self.name + ":"
        for a, b, c in self.coupling:
            for n in (a, b):
                if n in self.local or n.startswith(own):
                    self.cap[self.node(n)] += c * factor
        return RcNet(self.name, self.line, self.nodes, np.array(self.cap, dtype=np.float64),
                     np.array(self.ra, dtype=np.int64), np.array(self.rb, dtype=np.int64),
                     np.array(self.rv, dtype=np.float64), self.conn)


def parse_rc(text: str, path: str, coupling_factor: float = 1.0) -> tuple[list[RcNet], dict]:
    """RC networks of a SPEF / DSPF text and its header (``design``, ``divider``,
    ``c_scale`` to pF, ``r_scale`` to kOhm). Malformed entries raise
    :class:`~finevh.errors.InputError` with the line.

    A block-wise reader handles the common, well-formed case; anything it does not
    expect (comments, triplets, a bad value, a missing ``*END``) sends the whole file
    through the line-by-line reader, which locates errors."""
    k = text.find("\n*D_NET")
    if k >= 0 and "//" not in text[k:]:
        _, hdr, name_map = _parse_lines(text[:k + 1], path, coupling_factor, header_only=True)
        if hdr["c_scale"] is not None:
            nets = _parse_blocks(text, k + 1, text.count("\n", 0, k + 1) + 1, hdr, name_map, coupling_factor)
            if nets is not None:
                return nets, hdr
    nets, hdr, _ = _parse_lines(text, path, coupling_factor)
    return nets, hdr


def _parse_blocks(text: str, start: int, line0: int, hdr: dict, name_map: dict[str, str],
                  factor: float) -> list[RcNet] | None:
    """Fast path of :func:`parse_rc` over the ``*D_NET`` blocks from ``start`` (line
    ``line0``); None when the text is not in the simple form it handles."""
    div, delim = hdr["divider"], hdr["delimiter"]
    cs, rs = hdr["c_scale"], hdr["r_scale"]
    body = text[start:].rstrip()
    if not body.endswith("*END"):
        return None
    blocks = body[:-4].split("\n*END")
    def resolve(tok: str) -> str:
        k = tok.rfind(delim)
        head, tail = (tok[:k], tok[k + 1:]) if k > 0 and tok[k - 1] != "\\" else (tok, None)
        head = name_map[head] if head[0] == "*" else _unescape(head)
        if div != "/":
            head = head.replace(div, "/")
        return head if tail is None else f"{head}:{tail}"

    # with the default divider and delimiter, a token without a name index or an
    # escape is already the netlist spelling
    plain = div == "/" and delim == ":"
    nets: list[RcNet] = []
    parts: list[tuple] = []
    line = line0
    gc_on = gc.isenabled()
    gc.disable()            # many small lists: the collector would run often for nothing
    try:
        for b in blocks:
            lines = b.split("\n")
            while lines and not lines[0].strip():        # blank lines between nets
                lines.pop(0)
                line += 1
            head = lines[0].split()
            if len(head) != 3 or head[0] != "*D_NET":
                return None
            tot = float(head[2])
            if not 0.0 <= tot < float("inf"):
                return None
            name = resolve(head[1])
            conn: list[str] = []        # raw node tokens until the end of the block
            cap_t: list[list[str]] = []
            res_t: list[list[str]] = []
            sec = None
            for x in lines[1:]:
                t = x.split()
                if not t:
                    continue
                if t[0][0] == "*" and t[0] not in ("*I", "*P"):
                    if t[0] not in ("*CONN", "*CAP", "*RES"):
                        return None
                    sec = cap_t if t[0] == "*CAP" else res_t if t[0] == "*RES" else conn
                elif sec is conn:
                    conn.append(t[1])
                elif sec is None:
                    return None
                else:
                    sec.append(t)
            index: dict[str, int] = {}         # raw token -> node
            for n in conn:
                index.setdefault(n, len(index))
            g_nodes, g_vals, c_pairs = [], [], []
            for t in cap_t:
                if len(t) == 3:
                    g_nodes.append(index.setdefault(t[1], len(index)))
                    g_vals.append(t[2])
                elif len(t) == 4:
                    c_pairs.append(t)
                else:
                    return None
            if any(len(t) != 4 for t in res_t):
                return None
            ra = [index.setdefault(t[1], len(index)) for t in res_t]
            rb = [index.setdefault(t[2], len(index)) for t in res_t]
            nodes = [resolve(x) for x in index] if not plain else \
                [x if x[0] != "*" and "\\" not in x else resolve(x) for x in index]
            if c_pairs:
                by_name = {n: i for i, n in enumerate(nodes)}
                own = name + ":"
                c_nodes: list[int] = []
                c_vals: list[str] = []
                for t in c_pairs:
                    for nm in (resolve(t[1]), resolve(t[2])):
                        j = by_name.get(nm)
                        if j is None and nm.startswith(own):
                            j = by_name[nm] = len(nodes)
                            nodes.append(nm)
                        if j is not None:
                            c_nodes.append(j)
                            c_vals.append(t[3])
            else:
                c_nodes, c_vals = [], []
            conn_n = nodes[:len(set(conn))] if conn else []
            nets.append(RcNet(name, line, nodes, None, None, None, None, conn_n))
            parts.append(([t[3] for t in res_t], g_nodes, g_vals, c_nodes, c_vals, ra, rb))
            line += len(lines)
    except (KeyError, ValueError, IndexError):
        return None
    finally:
        if gc_on:
            gc.enable()
    # the values of the whole file at once: numbers, finite, >= 0 (else the line reader locates)
    try:
        rv, gv, cv = (np.array([v for p in parts for v in p[k]], dtype=np.float64) for k in (0, 2, 4))
    except ValueError:
        return None
    if not all(np.isfinite(a).all() and (a >= 0).all() for a in (rv, gv, cv)):
        return None
    # one capacitance sum over the nodes of all nets, then a view per net
    n_nodes = np.array([len(n.nodes) for n in nets], dtype=np.int64)
    base = np.concatenate([[0], np.cumsum(n_nodes)])
    n_g = np.array([len(p[1]) for p in parts], dtype=np.int64)
    n_c = np.array([len(p[3]) for p in parts], dtype=np.int64)
    n_r = np.array([len(p[0]) for p in parts], dtype=np.int64)
    g_idx = np.array([i for p in parts for i in p[1]], dtype=np.int64) + np.repeat(base[:-1], n_g)
    c_idx = np.array([i for p in parts for i in p[3]], dtype=np.int64) + np.repeat(base[:-1], n_c)
    cap = (np.bincount(g_idx, weights=gv * cs, minlength=int(base[-1]))
           + np.bincount(c_idx, weights=cv * (cs * factor), minlength=int(base[-1])))
    ra = np.array([i for p in parts for i in p[5]], dtype=np.int64)
    rb = np.array([i for p in parts for i in p[6]], dtype=np.int64)
    rv = rv * rs
    r_ptr = np.concatenate([[0], np.cumsum(n_r)]).tolist()
    b = base.tolist()
    for k, net in enumerate(nets):
        net.cap = cap[b[k]:b[k + 1]]
        r0, r1 = r_ptr[k], r_ptr[k + 1]
        net.res_a, net.res_b, net.res = ra[r0:r1], rb[r0:r1], rv[r0:r1]
    return nets


def _parse_lines(text: str, path: str, coupling_factor: float = 1.0,
                 header_only: bool = False) -> tuple[list[RcNet], dict, dict]:
    """The line-by-line reader of :func:`parse_rc` (also returns the name map);
    ``header_only``: ``text`` is the part before the first net (no unit is no error)."""
    hdr = {"design": None, "divider": "/", "delimiter": ":", "c_scale": None, "r_scale": 1.0}
    name_map: dict[str, str] = {}
    nets: list[RcNet] = []
    cur: _NetBuilder | None = None
    section = ""
    in_map = False
    div = "/"
    delim = ":"

    def resolve(tok: str) -> str:
        """``*12:A`` / ``inst:pin`` / ``port`` / ``net:3`` -> netlist spelling."""
        k = tok.rfind(delim)
        if k > 0 and tok[k - 1] != "\\":
            head, tail = tok[:k], tok[k + 1:]
        else:
            head, tail = tok, None
        if head.startswith("*"):
            m = name_map.get(head)
            if m is None:
                raise InputError(f"name index {head} not defined in *NAME_MAP", path, ln)
            head = m
        else:
            head = _unescape(head)
        if div != "/":
            head = head.replace(div, "/")
        return head if tail is None else f"{head}:{tail}"

    for ln, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        if "//" in line:
            line = line.split("//", 1)[0].strip()
        tok = line.split()
        t0 = tok[0]
        if cur is not None:
            if t0[0] == "*" and not (section == "*CONN" and t0 in ("*I", "*P", "*N", "*C", "*L", "*D", "*S")):
                key = t0.upper()
                if key == "*END":
                    nets.append(cur.finish(coupling_factor))
                    cur, section = None, ""
                elif key in ("*CONN", "*CAP", "*RES", "*INDUC"):
                    section = key
                elif key == "*D_NET":
                    raise InputError(f"*D_NET {cur.name} (line {cur.line}) is not closed by *END", path, ln)
                continue
            if section == "*CONN":
                if t0 in ("*I", "*P") and len(tok) >= 2:
                    n = resolve(tok[1])
                    cur.conn.append(n)
                    cur.local.add(n)
                    cur.node(n)
                continue
            if section == "*CAP":
                if len(tok) == 3:
                    n = resolve(tok[1])
                    cur.local.add(n)
                    cur.cap[cur.node(n)] += _num(tok[2], "capacitance", path, ln) * hdr["c_scale"]
                elif len(tok) == 4:
                    cur.coupling.append((resolve(tok[1]), resolve(tok[2]),
                                         _num(tok[3], "capacitance", path, ln) * hdr["c_scale"]))
                else:
                    raise InputError("*CAP entry needs an id, one or two nodes and a value", path, ln)
            elif section == "*RES":
                if len(tok) != 4:
                    raise InputError("*RES entry needs an id, two nodes and a value", path, ln)
                a, b = resolve(tok[1]), resolve(tok[2])
                cur.local.update((a, b))
                cur.ra.append(cur.node(a))
                cur.rb.append(cur.node(b))
                cur.rv.append(_num(tok[3], "resistance", path, ln) * hdr["r_scale"])
            continue
        key = t0.upper()
        if key == "*NAME_MAP":
            in_map = True
            continue
        if in_map and t0.startswith("*") and t0[1:].isdigit():
            if len(tok) < 2:
                raise InputError("*NAME_MAP entry without a name", path, ln)
            name_map[t0] = _unescape(tok[1])
            continue
        in_map = False
        if key == "*DESIGN" and len(tok) > 1:
            hdr["design"] = tok[1].strip('"')
        elif key == "*DIVIDER" and len(tok) > 1:
            hdr["divider"] = div = tok[1]
        elif key == "*DELIMITER" and len(tok) > 1:
            hdr["delimiter"] = delim = tok[1]
        elif key in ("*C_UNIT", "*R_UNIT"):
            units = _C_UNITS if key == "*C_UNIT" else _R_UNITS
            if len(tok) < 3:
                raise InputError(f"{key} needs a value and a unit", path, ln)
            v = _num(tok[1], f"{key} value", path, ln)
            if v <= 0:
                raise InputError(f"{key} value must be > 0", path, ln)
            u = tok[2].upper()
            if u not in units:
                what = "capacitance" if key == "*C_UNIT" else "resistance"
                raise InputError(f"unknown {what} unit '{tok[2]}'", path, ln)
            hdr["c_scale" if key == "*C_UNIT" else "r_scale"] = v * units[u]
        elif key in ("*T_UNIT", "*L_UNIT"):
            if len(tok) < 3:
                raise InputError(f"{key} needs a value and a unit", path, ln)
            if _num(tok[1], f"{key} value", path, ln) <= 0:
                raise InputError(f"{key} value must be > 0", path, ln)
        elif key == "*D_NET":
            if len(tok) < 3:
                raise InputError("*D_NET needs a net and a total capacitance", path, ln)
            if hdr["c_scale"] is None:
                raise InputError("*D_NET before *C_UNIT", path, ln)
            _num(tok[2], "total capacitance", path, ln)
            cur, section = _NetBuilder(resolve(tok[1]), ln), ""
    if cur is not None:
        raise InputError(f"*D_NET {cur.name} is not closed by *END (truncated file?)", path, cur.line)
    if hdr["c_scale"] is None and not header_only:
        raise InputError("not a SPEF file (no *C_UNIT)", path)
    return nets, hdr, name_map


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
    """SPEF networks bound to a design: per net with parasitics its network and the
    design terminal of every node (-1: internal node, or a pin not on the net)."""

    nets: dict[int, RcNet]               # design net index -> network
    node_term: dict[int, np.ndarray]     # design net index -> int64[n] terminal per node
    unknown: int                         # SPEF nets not in the design
    forest: "_Forest | None" = None      # flattened trees (built by reduce_design)


def bind(design, nets: list[RcNet]) -> DesignRc:
    """Map SPEF node names to the design's terminals (pins ``inst:pin`` and ports)."""
    nl = design.netlist
    P = int(nl.pin_ptr[-1])
    net_idx = {n: i for i, n in enumerate(nl.net_names)}
    for alias, kept in (nl.net_aliases or {}).items():
        if kept in net_idx:
            net_idx.setdefault(alias, net_idx[kept])
    inst_idx = {n: i for i, n in enumerate(nl.inst_names)}
    port_idx = {n: P + k for k, n in enumerate(nl.port_names)}
    pin_names = nl.pin_names
    pin_ptr = np.asarray(nl.pin_ptr).tolist()           # Python ints: scalar access in the loop
    pin_name = np.asarray(nl.pin_name).tolist()
    term_net = np.concatenate([np.asarray(nl.pin_net, dtype=np.int64),
                               np.asarray(nl.port_net, dtype=np.int64)]).tolist()
    out_nets: dict[int, RcNet] = {}
    out_terms: dict[int, np.ndarray] = {}
    unknown = 0
    for rn in nets:
        m = net_idx.get(rn.name)
        if m is None:
            unknown += 1
            continue
        terms = []
        for node in rn.nodes:
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
            terms.append(t if t >= 0 and term_net[t] == m else -1)     # not a pin of another net
        out_nets[m] = rn
        out_terms[m] = np.array(terms, dtype=np.int64)
    return DesignRc(out_nets, out_terms, unknown)


@dataclass
class _Forest:
    """The RC trees of all single-driver tree nets of a :class:`DesignRc`, rooted at
    their driver and flattened (global node ids): built once, reused for every set of
    pin capacitances."""

    cap: np.ndarray          # float64[N] wire capacitance per node (pF)
    term: np.ndarray         # int64[N] design terminal (-1 none)
    parent: np.ndarray       # int64[N] parent node (-1: root or unreached)
    pres: np.ndarray         # float64[N] resistance to the parent (kOhm)
    levels: list[np.ndarray]  # nodes by depth (levels[0]: the roots)
    root_term: np.ndarray    # int64[R] driver terminal of each root (= levels[0])
    slow: list[tuple[int, int]]   # (net, driver) pairs left to the recursive walk


def _forest(design, rc: DesignRc) -> _Forest:
    ptr = design.net_term_ptr
    nd = np.asarray(design.net_n_drivers)
    ms = list(rc.nets)
    nets = [rc.nets[m] for m in ms]
    m_a = np.array(ms, dtype=np.int64)
    n_nodes = np.array([len(rn.nodes) for rn in nets], dtype=np.int64)
    t_all = np.concatenate([rc.node_term[m] for m in ms]) if ms else np.zeros(0, np.int64)
    k_of = np.repeat(np.arange(len(ms)), n_nodes)
    start = np.concatenate([[0], np.cumsum(n_nodes)[:-1]])
    single = nd[m_a] == 1 if ms else np.zeros(0, bool)
    drv1 = np.where(single, design.net_terms[np.minimum(ptr[m_a], max(len(design.net_terms) - 1, 0))]
                    if ms and len(design.net_terms) else 0, -2)
    # the driver's node in each single-driver net (its first node with that terminal)
    is_drv = t_all == drv1[k_of]
    k_hit, first = np.unique(k_of[is_drv], return_index=True)
    hit = np.full(len(ms), -1, dtype=np.int64)
    hit[k_hit] = np.flatnonzero(is_drv)[first] - start[k_hit]
    slow: list[tuple[int, int]] = []
    for k in np.flatnonzero(~single).tolist():           # several drivers: the recursive walk
        m = ms[k]
        t = rc.node_term[m]
        slow += [(m, d) for d in design.net_terms[ptr[m]:ptr[m] + nd[m]].tolist() if (t == d).any()]
    keep_k = np.flatnonzero(single & (hit >= 0))
    fnets = m_a[keep_k].tolist()
    caps = [nets[k].cap for k in keep_k.tolist()]
    terms = [rc.node_term[m] for m in fnets]
    base_a = np.concatenate([[0], np.cumsum(n_nodes[keep_k])[:-1]]).astype(np.int64)
    n_res = np.array([len(nets[k].res) for k in keep_k.tolist()], dtype=np.int64)
    ra = [np.concatenate([nets[k].res_a for k in keep_k.tolist()]) + np.repeat(base_a, n_res)] if len(keep_k) else []
    rb = [np.concatenate([nets[k].res_b for k in keep_k.tolist()]) + np.repeat(base_a, n_res)] if len(keep_k) else []
    rv = [nets[k].res for k in keep_k.tolist()]
    roots = (hit[keep_k] + base_a).tolist()
    root_terms = drv1[keep_k].tolist()
    base = int(n_nodes[keep_k].sum())
    cat = (lambda xs, dt: np.concatenate(xs).astype(dt) if xs else np.zeros(0, dt))
    cap, term = cat(caps, np.float64), cat(terms, np.int64)
    a, b, r = cat(ra, np.int64), cat(rb, np.int64), cat(rv, np.float64)
    roots_a = np.array(roots, dtype=np.int64)
    N = base
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
    net_of = np.repeat(np.arange(len(roots)), [len(c) for c in caps]) if caps else np.zeros(0, np.int64)
    n_reach = np.bincount(net_of[seen], minlength=len(roots))
    both = keep & seen[a] & seen[b]
    lo, hi = np.minimum(a[both], b[both]), np.maximum(a[both], b[both])
    pairs = np.unique(lo * max(N, 1) + hi)
    n_res = np.bincount(net_of[pairs // max(N, 1)], minlength=len(roots))
    loopy = np.nonzero(n_res != n_reach - 1)[0]
    root_terms_a = np.array(root_terms, dtype=np.int64)
    if len(loopy):
        bad = np.isin(net_of, loopy)
        parent[bad] = -1
        levels = [lv[~bad[lv]] for lv in levels]
        slow += [(fnets[i], int(root_terms[i])) for i in loopy.tolist()]
        root_terms_a = np.delete(root_terms_a, loopy)
    return _Forest(cap, term, parent, pres, levels, root_terms_a, slow)


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
    for lv in reversed(f.levels[1:]):          # moments: children into parents
        p = f.parent[lv]
        r = f.pres[lv][:, None]
        a1, a2, a3 = y1[lv], y2[lv], y3[lv]
        np.add.at(y3, p, a3 - 2 * r * a1 * a2 + r * r * a1 * a1 * a1)
        np.add.at(y2, p, a2 - r * a1 * a1)
        np.add.at(y1, p, a1)
    el = np.zeros_like(y1)
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
        rn, terms = rc.nets[m], rc.node_term[m]
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
