"""Compiled kernels of the SPEF reader (:mod:`finevh.timing.spef`); importing this
module imports numba. They read the ``*D_NET`` blocks of a file as bytes with the
same rules as the block-wise Python reader (:func:`finevh.timing.spef._parse_blocks`)
and give the same networks, node order and capacitance sums; anything that reader
would not take returns a status that sends the file to the line-by-line reader.

- :func:`scan`: one pass over the lines: per net its name, header total and line; per
  ``*CONN`` / ``*CAP`` / ``*RES`` entry its kind, node tokens and value (byte spans),
  values parsed here when the decimal text is exact in float64 (Clinger's fast path:
  at most 2^53 as an integer mantissa and a power of ten up to 1e22, so the result is
  the correctly rounded one, as Python's ``float``), flagged for Python otherwise.
- :func:`build`: per net its nodes in the reader's order (``*CONN`` tokens, grounded
  ``*CAP`` nodes, the first then the second ends of the resistors; one node per
  distinct token), names resolved (``*NAME_MAP`` index, escapes, divider) into one
  byte buffer, grounded capacitances summed, coupling capacitors grounded on the
  net's own nodes (by resolved name; a new internal ``net:id`` node when absent).
- :func:`match`: the design terminal of every node: hashes (64-bit FNV-1a) of the
  resolved names against those of the ports and instances, equal bytes checked, then
  the instance's pin of that name.
"""

import numba as nb
import numpy as np

jit = nb.njit(cache=True, nogil=True)
jiti = nb.njit(cache=True, nogil=True, inline="always")

NL, CR, SP, TAB, STAR, BSL, COLON = 10, 13, 32, 9, 42, 92, 58
FNV0 = np.uint64(14695981039346656037)
FNVP = np.uint64(1099511628211)

# status codes of scan / build (0: done)
OK, FALLBACK = 0, 1

POW10 = np.array([10.0 ** k for k in range(23)])


@jiti
def _space(c):
    return c == SP or c == TAB or c == CR or c == 11 or c == 12


@jiti
def _word(buf, s, e, w):
    """buf[s:e] == w (a uint8 array)."""
    if e - s != len(w):
        return False
    for i in range(len(w)):
        if buf[s + i] != w[i]:
            return False
    return True


@jiti
def _digits(buf, i, e, M, nd):
    """Decimal digits from buf[i]: (M, significant digits, digits read, end, ok);
    ok False past 18 significant digits (left to Python)."""
    n = 0
    while i < e and buf[i] >= 48 and buf[i] <= 57:
        d = buf[i] - 48
        if M > 0 or d > 0:
            if nd >= 18:
                return M, nd, n, i, False
            M = M * 10 + d
            nd += 1
        n += 1
        i += 1
    return M, nd, n, i, True


@jiti
def _has_colon(buf, s, e):
    for j in range(s, e):
        if buf[j] == COLON:
            return True
    return False


@jiti
def parse_num(buf, s, e):
    """(value, state) of the decimal text buf[s:e]: state 0 exact, 1 leave to Python
    (signs, too many digits, large exponents, inf/nan...), 2 a min:typ:max triplet."""
    M, nd, n_int, i, ok = _digits(buf, s, e, 0, 0)
    if not ok:
        return 0.0, 1
    frac = 0
    if i < e and buf[i] == 46:  # '.'
        M, nd, frac, i, ok = _digits(buf, i + 1, e, M, nd)
        if not ok:
            return 0.0, 1
    if n_int + frac == 0:
        return 0.0, 2 if _has_colon(buf, s, e) else 1
    x = 0
    if i < e and (buf[i] == 101 or buf[i] == 69):     # e / E
        i += 1
        neg = False
        if i < e and (buf[i] == 43 or buf[i] == 45):
            neg = buf[i] == 45
            i += 1
        if i >= e:
            return 0.0, 1
        while i < e and buf[i] >= 48 and buf[i] <= 57:
            if x < 10000:
                x = x * 10 + (buf[i] - 48)
            i += 1
        if neg:
            x = -x
    if i != e:
        return 0.0, 2 if _has_colon(buf, i, e) else 1
    if M == 0:
        return 0.0, 0
    p = x - frac
    if M > 9007199254740992 or p > 22 or p < -22:
        return 0.0, 1
    if p >= 0:
        return float(M) * POW10[p], 0
    return float(M) / POW10[-p], 0


@jit
def scan(buf, line0):
    """Tokenise the ``*D_NET`` blocks of ``buf`` (starting at a ``*D_NET`` line whose
    number is ``line0``). Returns (status, n_nets, n_recs, net arrays, record arrays);
    status FALLBACK when the text is not in the form the block reader takes (a
    comment '//' anywhere included)."""
    n = len(buf)
    n_lines = 1
    for i in range(n):
        n_lines += buf[i] == NL
    slashes = 0                                 # '//' (a comment: the line reader's)
    for i in range(n - 1):
        slashes += (buf[i] == 47) & (buf[i + 1] == 47)
    W_DNET = np.array([42, 68, 95, 78, 69, 84], dtype=np.uint8)     # *D_NET
    W_CONN = np.array([42, 67, 79, 78, 78], dtype=np.uint8)
    W_CAP = np.array([42, 67, 65, 80], dtype=np.uint8)
    W_RES = np.array([42, 82, 69, 83], dtype=np.uint8)
    W_END = np.array([42, 69, 78, 68], dtype=np.uint8)
    W_I = np.array([42, 73], dtype=np.uint8)
    W_P = np.array([42, 80], dtype=np.uint8)
    # per net (every column written for each net read; the unused tail is never touched)
    nets = np.empty((n_lines // 2 + 1, 6), dtype=np.int64)   # name s, e, total s, e, line, first record
    tot = np.empty(n_lines // 2 + 1)
    tot_st = np.empty(n_lines // 2 + 1, dtype=np.int8)
    recs = np.zeros((n_lines, 7), dtype=np.int64)      # kind, a s, a e, b s, b e, value s, e
    val = np.zeros(n_lines)
    val_st = np.zeros(n_lines, dtype=np.int8)
    ts = np.zeros(8, dtype=np.int64)                    # token starts / ends of a line
    te = np.zeros(8, dtype=np.int64)
    if slashes:
        return FALLBACK, line0, 0, nets, tot, tot_st, recs, val, val_st
    nn = 0
    nr = 0
    inside = False
    sec = -1                    # 0 conn, 1 cap, 2 res
    line = line0
    pos = 0
    while pos < n:
        end = pos
        while end < n and buf[end] != NL:
            end += 1
        # tokens of buf[pos:end]
        nt = 0
        i = pos
        while i < end:
            while i < end and _space(buf[i]):
                i += 1
            if i >= end:
                break
            j = i
            while j < end and not _space(buf[j]):
                j += 1
            if nt < 8:
                ts[nt] = i
                te[nt] = j
            nt += 1
            i = j
        if nt > 0:
            s0, e0 = ts[0], te[0]
            if not inside:
                if nt != 3 or not _word(buf, s0, e0, W_DNET) or s0 != pos:
                    return FALLBACK, line, 0, nets, tot, tot_st, recs, val, val_st
                nets[nn, 0] = ts[1]
                nets[nn, 1] = te[1]
                nets[nn, 2] = ts[2]
                nets[nn, 3] = te[2]
                nets[nn, 4] = line
                nets[nn, 5] = nr
                v, st = parse_num(buf, ts[2], te[2])
                if st == 2:
                    return FALLBACK, line, 0, nets, tot, tot_st, recs, val, val_st
                tot[nn] = v
                tot_st[nn] = st
                nn += 1
                inside = True
                sec = -1
            elif _word(buf, s0, min(e0, s0 + 4), W_END) and s0 == pos:
                if nt != 1 or e0 - s0 != 4:          # text after *END on its line
                    return FALLBACK, line, 0, nets, tot, tot_st, recs, val, val_st
                inside = False
            elif buf[s0] == STAR and not _word(buf, s0, e0, W_I) and not _word(buf, s0, e0, W_P):
                if _word(buf, s0, e0, W_CONN):
                    sec = 0
                elif _word(buf, s0, e0, W_CAP):
                    sec = 1
                elif _word(buf, s0, e0, W_RES):
                    sec = 2
                else:
                    return FALLBACK, line, 0, nets, tot, tot_st, recs, val, val_st
            elif sec == 0:
                if nt < 2:
                    return FALLBACK, line, 0, nets, tot, tot_st, recs, val, val_st
                recs[nr, 0] = 0
                recs[nr, 1] = ts[1]
                recs[nr, 2] = te[1]
                nr += 1
            elif sec == -1:
                return FALLBACK, line, 0, nets, tot, tot_st, recs, val, val_st
            else:
                if sec == 1 and nt == 3:
                    kind, vs, ve = 1, ts[2], te[2]
                elif nt == 4:
                    kind, vs, ve = (2 if sec == 1 else 3), ts[3], te[3]
                else:
                    return FALLBACK, line, 0, nets, tot, tot_st, recs, val, val_st
                v, st = parse_num(buf, vs, ve)
                if st == 2:
                    return FALLBACK, line, 0, nets, tot, tot_st, recs, val, val_st
                recs[nr, 0] = kind
                recs[nr, 1] = ts[1]
                recs[nr, 2] = te[1]
                if kind != 1:
                    recs[nr, 3] = ts[2]
                    recs[nr, 4] = te[2]
                recs[nr, 5] = vs
                recs[nr, 6] = ve
                val[nr] = v
                val_st[nr] = st
                nr += 1
        line += 1
        pos = end + 1
    if inside:
        return FALLBACK, line, 0, nets, tot, tot_st, recs, val, val_st
    return OK, nn, nr, nets, tot, tot_st, recs, val, val_st


@jiti
def _hash(buf, s, e):
    h = FNV0
    for i in range(s, e):
        h = (h ^ np.uint64(buf[i])) * FNVP
    return h


@jiti
def _same(a, s1, e1, b, s2, e2):
    if e1 - s1 != e2 - s2:
        return False
    for i in range(e1 - s1):
        if a[s1 + i] != b[s2 + i]:
            return False
    return True


@jiti
def _emit(src, a, b, div, out, p):
    """src[a:b] in netlist spelling at out[p:]: escapes dropped (a trailing lone
    backslash kept), each unescaped divider written '/'; returns the new end."""
    i = a
    while i < b:
        c = src[i]
        if c == BSL and i + 1 < b:
            i += 1
            c = src[i]
        elif c == div:
            c = 47
        out[p] = c
        p += 1
        i += 1
    return p


@jiti
def _resolve(buf, s, e, delim, div, map_ids, mp, mbuf, out, p):
    """Write the netlist spelling of token buf[s:e] at out[p:]; returns the new end,
    or -1 (a *NAME_MAP index not defined: the line reader reports it). ``out`` must
    have room for the mapped name plus the token."""
    k = -1
    for i in range(e - 1, s - 1, -1):
        if buf[i] == delim:
            k = i
            break
    split = k > s and buf[k - 1] != BSL
    he = k if split else e
    if buf[s] == STAR:
        idx = 0
        ok = he > s + 1
        for i in range(s + 1, he):
            c = buf[i]
            if c < 48 or c > 57 or idx > 100000000000000:
                ok = False
                break
            idx = idx * 10 + (c - 48)
        if not ok:
            return -1
        j = np.searchsorted(map_ids, idx)
        if j >= len(map_ids) or map_ids[j] != idx:
            return -1
        # a map key is the literal '*' + digits token: '*01' is not '*1'
        if he - s - 1 != mp[j, 2]:
            return -1
        p = _emit(mbuf, mp[j, 0], mp[j, 1], div, out, p)
    else:
        p = _emit(buf, s, he, div, out, p)
    if split:
        out[p] = COLON
        p += 1
        for i in range(k + 1, e):
            out[p] = buf[i]
            p += 1
    return p


@jiti
def _grow(out, p, need):
    if p + need <= len(out):
        return out
    bigger = np.empty(max(2 * len(out), p + need), dtype=np.uint8)
    bigger[:p] = out[:p]
    return bigger


# Per-net open-addressing hash tables: a slot is in use when its generation is the
# current net's (no clearing between nets).

@jiti
def _slot(table, gen, hashes, g, h, buf, sp, s, e):
    """Slot of the key buf[s:e] (hash ``h``; the key of a used slot is
    buf[sp[t, 0]:sp[t, 1]] of its value t): its slot, or the free slot it goes to."""
    mask = len(table) - 1
    i = np.int64(h & np.uint64(mask))
    while gen[i] == g:
        t = table[i]
        if hashes[i] == h and _same(buf, sp[t, 0], sp[t, 1], buf, s, e):
            return i
        i = (i + 1) & mask
    return i


@jiti
def _tables(n):
    """Two empty tables of ``n`` slots (values, generations, hashes): raw tokens and
    resolved names."""
    return (np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.uint64),
            np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.uint64))


@jiti
def _set(table, gen, hashes, i, g, h, v):
    table[i] = v
    gen[i] = g
    hashes[i] = h


@jit
def build(buf, nets, recs, val, delim, div, map_ids, mp, mbuf, cs, rs, factor):
    """Nodes, capacitances and resistors of every net (see the module docstring).
    ``nets``/``recs``/``val``: :func:`scan`'s (values all set); ``map_ids`` sorted
    *NAME_MAP indices, ``mp`` [M, 3] (start, end in ``mbuf``, digits of the index).

    Returns (status, bad line, node_ptr, node spans [N, 2] into ``names``, cap,
    res_ptr, res_a, res_b, res, n_conn, net name spans [n, 2], names)."""
    n_nets = len(nets)
    nr = len(recs)
    node_ptr = np.zeros(n_nets + 1, dtype=np.int64)
    res_ptr = np.zeros(n_nets + 1, dtype=np.int64)
    n_conn = np.zeros(n_nets, dtype=np.int64)
    cap_n = 2 * nr + 1
    node_sp = np.zeros((cap_n, 2), dtype=np.int64)      # resolved name span per node
    node_raw = np.zeros((cap_n, 2), dtype=np.int64)     # raw token span (dedupe key)
    gcap = np.zeros(cap_n)
    ccap = np.zeros(cap_n)
    res_a = np.zeros(nr, dtype=np.int64)
    res_b = np.zeros(nr, dtype=np.int64)
    res_v = np.zeros(nr)
    net_sp = np.zeros((n_nets, 2), dtype=np.int64)
    out = np.empty(max(len(buf) // 4, 1024), dtype=np.uint8)
    p = 0
    tsize = 16
    table, tgen, thash, ntable, ngen, nhash = _tables(tsize)
    N = 0
    R = 0
    maxmap = 0
    for j in range(len(mp)):
        maxmap = max(maxmap, mp[j, 1] - mp[j, 0])
    for k in range(n_nets):
        g = k + 1
        r0 = nets[k, 5]
        r1 = nets[k + 1, 5] if k + 1 < n_nets else nr
        s, e = nets[k, 0], nets[k, 1]
        out = _grow(out, p, maxmap + e - s + 1)
        q = _resolve(buf, s, e, delim, div, map_ids, mp, mbuf, out, p)
        if q < 0:
            return FALLBACK, nets[k, 4], node_ptr, node_sp, gcap, res_ptr, res_a, res_b, res_v, n_conn, \
                net_sp, out
        net_sp[k, 0] = p
        net_sp[k, 1] = q
        p = q
        need = 2 * (r1 - r0) + 4
        if tsize < 2 * need:
            while tsize < 2 * need:
                tsize *= 2
            table, tgen, thash, ntable, ngen, nhash = _tables(tsize)
        base = N
        # nodes in the reader's order: conn, grounded cap, resistor first ends, second ends
        nres = 0
        for phase in range(4):
            j = 0
            for r in range(r0, r1):
                kind = recs[r, 0]
                if phase == 0 and kind == 0 or phase == 1 and kind == 1 or phase >= 2 and kind == 3:
                    c = 1 if phase < 3 else 3
                    ts, te = recs[r, c], recs[r, c + 1]
                    h = _hash(buf, ts, te)
                    i = _slot(table, tgen, thash, g, h, buf, node_raw, ts, te)
                    if tgen[i] == g:
                        got = table[i]
                    else:
                        got = N
                        node_raw[N, 0] = ts
                        node_raw[N, 1] = te
                        _set(table, tgen, thash, i, g, h, N)
                        N += 1
                    if phase == 1:
                        gcap[got] += val[r] * cs
                    elif phase == 2:
                        res_a[R + j] = got - base
                        res_v[R + j] = val[r] * rs
                        j += 1
                    elif phase == 3:
                        res_b[R + j] = got - base
                        j += 1
            if phase == 0:
                n_conn[k] = N - base
            if phase == 2:
                nres = j
        n_raw = N
        coupled = False
        for r in range(r0, r1):
            coupled = coupled or recs[r, 0] == 2
        # resolved names of the nodes; with coupling capacitors a by-name table (the
        # last node of a name wins)
        for v in range(base, n_raw):
            s, e = node_raw[v, 0], node_raw[v, 1]
            out = _grow(out, p, maxmap + e - s + 1)
            q = _resolve(buf, s, e, delim, div, map_ids, mp, mbuf, out, p)
            if q < 0:
                return FALLBACK, nets[k, 4], node_ptr, node_sp, gcap, res_ptr, res_a, res_b, res_v, \
                    n_conn, net_sp, out
            node_sp[v, 0] = p
            node_sp[v, 1] = q
            p = q
        if not coupled:
            R += nres
            node_ptr[k + 1] = N
            res_ptr[k + 1] = R
            continue
        for v in range(base, n_raw):                  # the last node of a name wins
            h = _hash(out, node_sp[v, 0], node_sp[v, 1])
            _set(ntable, ngen, nhash, _slot(ntable, ngen, nhash, g, h, out, node_sp, node_sp[v, 0], node_sp[v, 1]),
                 g, h, v)
        # coupling capacitors: on this net's nodes, or a new own node (net:id)
        ns, ne = net_sp[k, 0], net_sp[k, 1]
        cval = cs * factor
        for r in range(r0, r1):
            if recs[r, 0] != 2:
                continue
            for end in range(2):
                s, e = recs[r, 1 + 2 * end], recs[r, 2 + 2 * end]
                out = _grow(out, p, maxmap + e - s + 1)
                q = _resolve(buf, s, e, delim, div, map_ids, mp, mbuf, out, p)
                if q < 0:
                    return FALLBACK, nets[k, 4], node_ptr, node_sp, gcap, res_ptr, res_a, res_b, res_v, \
                        n_conn, net_sp, out
                h = _hash(out, p, q)
                i = _slot(ntable, ngen, nhash, g, h, out, node_sp, p, q)
                v = ntable[i] if ngen[i] == g else -1
                if v < 0:
                    own = q - p > ne - ns and out[p + ne - ns] == COLON and _same(out, p, p + ne - ns, out, ns, ne)
                    if not own:
                        continue
                    v = N
                    N += 1
                    node_sp[v, 0] = p
                    node_sp[v, 1] = q
                    p = q
                    _set(ntable, ngen, nhash, i, g, h, v)
                ccap[v] += val[r] * cval
        R += nres
        node_ptr[k + 1] = N
        res_ptr[k + 1] = R
    cap = gcap[:N] + ccap[:N]
    return OK, 0, node_ptr, node_sp[:N], cap, res_ptr, res_a[:R], res_b[:R], res_v[:R], n_conn, \
        net_sp, out[:p]


@jit
def _table(buf, off):
    """(sorted hashes, their item order) of the names buf[off[i]:off[i+1]-1]."""
    n = len(off) - 1
    h = np.zeros(n, dtype=np.uint64)
    for i in range(n):
        h[i] = _hash(buf, off[i], off[i + 1] - 1)
    order = np.argsort(h, kind="mergesort")
    return h[order], order


@jit
def match(names, node_sp, node_net, ibuf, i_off, pbuf, p_off, pin_ptr, pin_name, qbuf, q_off, term_net):
    """Design terminal of every node (-1: none, or a terminal of another net).

    ``ibuf``/``i_off``: instance names (bytes, each followed by a newline; offsets
    [n+1]); ``pbuf``/``p_off``: pin names; ``pin_ptr``, ``pin_name``: the netlist's
    pins; ``qbuf``/``q_off``: port names (terminal P + k); ``node_net``: design net of
    each node's SPEF net (-1: none). A port of the node's name wins; else the name is
    split at its last ':' into instance (of equal names the last) and pin (of equal
    pins the first)."""
    n_inst = len(i_off) - 1
    P = pin_ptr[n_inst]
    ih, io = _table(ibuf, i_off)
    qh, qo = _table(qbuf, q_off)
    N = len(node_net)
    term = np.full(N, -1, dtype=np.int64)
    for v in range(N):
        m = node_net[v]
        if m < 0:
            continue
        s, e = node_sp[v, 0], node_sp[v, 1]
        k = -1
        for i in range(e - 1, s, -1):
            if names[i] == COLON:
                k = i
                break
        h = FNV0
        hi = FNV0
        for i in range(s, e):
            if i == k:
                hi = h
            h = (h ^ np.uint64(names[i])) * FNVP
        t = -1
        j = np.searchsorted(qh, h)
        while j < len(qh) and qh[j] == h:
            q = qo[j]
            if _same(names, s, e, qbuf, q_off[q], q_off[q + 1] - 1):
                t = P + q
                break
            j += 1
        if t < 0 and k > s:
            inst = -1
            j = np.searchsorted(ih, hi)
            while j < len(ih) and ih[j] == hi:
                i = io[j]
                if i > inst and _same(names, s, k, ibuf, i_off[i], i_off[i + 1] - 1):
                    inst = i
                j += 1
            if inst >= 0:
                for p in range(pin_ptr[inst], pin_ptr[inst + 1]):
                    pn = pin_name[p]
                    if _same(names, k + 1, e, pbuf, p_off[pn], p_off[pn + 1] - 1):
                        t = p
                        break
        if t >= 0 and term_net[t] == m:
            term[v] = t
    return term
