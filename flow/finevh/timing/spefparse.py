"""SPEF / DSPF parsing: every ``*D_NET`` gives one RC network (its nodes: ``inst:pin``,
a top port, or an internal ``net:id``, ``*NAME_MAP`` indices resolved; the
capacitance on each node; the resistors between nodes), all of them as one
:class:`~finevh.timing.rcflat.RcFlat`.

Coupling capacitors (``*CAP`` entries with two nodes) are grounded on the node(s)
that belong to the net, scaled by ``coupling_factor`` (1.0: OpenSTA's default without
``-keep_capacitive_coupling``); a node belongs to the net when it is an internal node
of the net, appears in its ``*CONN`` section or in its ground capacitors / resistors.
The net total (:attr:`RcNet.total`) is the sum of all ``*CAP`` entries so counted,
not the ``*D_NET`` header value (they differ in real files).

Three readers give the same networks: the compiled one
(:mod:`finevh.timing.spef_kernels`, when numba can be used) and, without it, a
block-wise Python reader, both for well-formed files in the common form; the
line-by-line reader for everything else (comments, ``min:typ:max`` triplets), which
also locates errors (file and line).
"""

from __future__ import annotations

import gc

import numpy as np

from ..errors import InputError
from .rcflat import RcFlat
from .rcnet import RcNet

_C_UNITS = {"FF": 1e-3, "PF": 1.0, "NF": 1e3, "UF": 1e6, "F": 1e12}          # -> pF
_R_UNITS = {"OHM": 1e-3, "KOHM": 1.0, "MOHM": 1e3}                              # -> kOhm


def _unescape(name: str, div: str = "/") -> str:
    """The netlist spelling of a SPEF name: escapes removed (``\\x`` -> ``x``; a
    trailing lone backslash is kept) and each unescaped hierarchy divider ``div``
    written ``/`` (an escaped one stays a literal character of the name)."""
    if "\\" not in name:
        return name if div == "/" else name.replace(div, "/")
    if "\\\\" not in name and div == "/":     # no escaped backslash: drop all but a trailing one
        return name[:-1].replace("\\", "") + name[-1]
    out = []
    i = 0
    while i < len(name):
        c = name[i]
        if c == "\\" and i + 1 < len(name):
            i += 1
            c = name[i]
        elif c == div:
            c = "/"
        out.append(c)
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
        head = _unescape(name_map[head] if head[0] == "*" else head, div)
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
        head = _unescape(head, div)
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
            name_map[t0] = tok[1]           # as written: escapes resolved on use
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




def parse_flat(data: bytes, path: str, coupling_factor: float = 1.0) -> tuple[RcFlat, dict]:
    """RC networks of SPEF / DSPF bytes (file content) and the header as
    :func:`parse_rc`: the compiled reader when it can be used and the file is in
    its form, else the Python readers."""
    got = _parse_compiled(data, path, coupling_factor)
    if got is not None:
        return got
    from ..fileio import decode_text

    nets, hdr = parse_rc(decode_text(data), path, coupling_factor)
    return RcFlat.from_nets(nets), hdr


def _parse_compiled(data: bytes, path: str, factor: float) -> tuple[RcFlat, dict] | None:
    from . import dmp_jit

    if not dmp_jit.available() or not data.isascii():
        return None
    k = data.find(b"\n*D_NET")
    if k < 0:
        return None
    _, hdr, name_map = _parse_lines(data[:k + 1].decode(), path, factor, header_only=True)
    if hdr["c_scale"] is None or len(hdr["divider"]) != 1 or len(hdr["delimiter"]) != 1:
        return None
    from . import spef_kernels as K

    buf = np.frombuffer(data, dtype=np.uint8)[k + 1:]
    line0 = data.count(b"\n", 0, k + 1) + 1
    st, n_nets, n_recs, nets, tot, tot_st, recs, val, val_st = K.scan(buf, line0)
    if st != K.OK:
        return None
    nets, tot, tot_st = nets[:n_nets], tot[:n_nets], tot_st[:n_nets]
    recs, val, val_st = recs[:n_recs], val[:n_recs], val_st[:n_recs]
    # values the compiled parser leaves to Python: numbers, finite, >= 0 (else the line
    # reader locates the error)
    for arr, st_, s_col, e_col, rows in ((tot, tot_st, 2, 3, nets), (val, val_st, 5, 6, recs)):
        for i in np.flatnonzero(st_).tolist():
            try:
                v = float(data[k + 1 + int(rows[i, s_col]):k + 1 + int(rows[i, e_col])])
            except ValueError:
                return None
            if not 0.0 <= v < float("inf"):
                return None
            arr[i] = v
    keys = list(name_map)
    ids = [int(x[1:]) for x in keys]
    if len(set(ids)) != len(ids):            # '*1' and '*01': leave it to the Python reader
        return None
    order = sorted(range(len(keys)), key=ids.__getitem__)
    blob = "".join(name_map[keys[i]] for i in order).encode()
    if not blob.isascii():
        return None
    lens = np.array([len(name_map[keys[i]]) for i in order], dtype=np.int64)
    mp = np.zeros((len(keys), 3), dtype=np.int64)
    mp[:, 1] = np.cumsum(lens)
    mp[:, 0] = mp[:, 1] - lens
    mp[:, 2] = [len(keys[i]) - 1 for i in order]
    map_ids = np.array([ids[i] for i in order], dtype=np.int64)
    out = K.build(buf, nets, recs, val, ord(hdr["delimiter"]), ord(hdr["divider"]), map_ids, mp,
                  np.frombuffer(blob or b"\0", dtype=np.uint8),
                  float(hdr["c_scale"]), float(hdr["r_scale"]), float(factor))
    st, _, node_ptr, node_sp, cap, res_ptr, res_a, res_b, res, n_conn, net_sp, names = out
    if st != K.OK:
        return None
    text = names.tobytes().decode()
    net_names = [text[a:b] for a, b in zip(net_sp[:, 0].tolist(), net_sp[:, 1].tolist())]
    return RcFlat(net_names, nets[:, 4].copy(), node_ptr, cap, res_ptr, res_a, res_b, res, n_conn,
                  name_buf=names, node_sp=node_sp), hdr
