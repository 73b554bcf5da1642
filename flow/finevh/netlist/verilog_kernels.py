"""Compiled (numba) scan of a module body for :mod:`finevh.netlist.verilog`.

:func:`scan_body` finds, in one pass over the body's bytes, what the reader's fast
path otherwise gets from ``str.split`` and a regular expression: the statements
(text between ';'), the words of each as ``stmt.split(None, 2)`` gives them, its kind
(0 ``wire NAME``, 1 named instance ``CELL NAME (.P(expr), ...)``, 4 any other
instance-shaped statement, 3 anything else) and, for a named instance, the bounds of every formal and expression, exactly where
the reader's pattern ``\\.([^\\s(]+)\\s*\\(([^)]*)\\)`` puts them. It only accepts what the
reader's bulk path accepts: an instance shaped otherwise (positional connections,
an escaped name holding '(', ')' or ',' in its connection list, '(' or ',' inside a
connection: a bus concatenation, anything else unusual) is kind 4, left to the
reader's statement parser; an escaped name holding ';' or a byte that is not plain
printable ASCII or ``\\t\\n\\v\\f\\r`` makes it return a status other than
:data:`OK`, and the reader then takes its Python path for the whole body. :func:`join_spans` copies byte ranges
into one NUL-separated buffer (one ``decode().split('\\0')`` gives the strings).

Positions are byte offsets into the body (ASCII: equal to character offsets).
"""

import numba as nb
import numpy as np

jit = nb.njit(cache=True, nogil=True)
jiti = nb.njit(cache=True, nogil=True, inline="always")

OK, BAD_BYTE, OTHER_SHAPE = 0, 1, 2


@jiti
def _ws(c):
    return c == 32 or 9 <= c <= 13


@jiti
def _ident(raw, a, b):
    """``str.isidentifier`` of the ASCII word raw[a:b] (a < b)."""
    c = raw[a]
    if not (c == 95 or 65 <= c <= 90 or 97 <= c <= 122):
        return False
    for i in range(a + 1, b):
        c = raw[i]
        if not (c == 95 or 48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122):
            return False
    return True


@jiti
def _skip(raw, p, e):
    while p < e and _ws(raw[p]):
        p += 1
    return p


@jiti
def _word(raw, p, e):
    while p < e and not _ws(raw[p]):
        p += 1
    return p


@jit
def scan_body(raw):
    """(status, kind, se, a0, a1, b0, b1, kptr, fs, fe, es, ee): per statement (one per
    ';', ending at se) its kind and its first and second words [a0, a1) / [b0, b1)
    (status :data:`OTHER_SHAPE` at once when an escaped name holds ';'); per named instance i
    (statements of kind 1, in order) its pairs kptr[i]..kptr[i+1] with the formal
    [fs, fe) and the expression [es, ee)."""
    n = len(raw)
    ns = 0
    nd = 0
    z = np.zeros(0, dtype=np.int64)
    i = 0
    while i < n:
        c = raw[i]
        if c == 59:
            ns += 1
        elif c == 46:
            nd += 1
        elif c == 92:                           # an escaped name holding ';': not here
            while i < n and not _ws(raw[i]):
                if raw[i] == 59:
                    return OTHER_SHAPE, np.zeros(0, dtype=np.int8), z, z, z, z, z, z, z, z, z, z
                if raw[i] > 126 or raw[i] < 32:
                    return BAD_BYTE, np.zeros(0, dtype=np.int8), z, z, z, z, z, z, z, z, z, z
                i += 1
            continue
        elif c > 126 or (c < 32 and not 9 <= c <= 13):
            return BAD_BYTE, np.zeros(0, dtype=np.int8), z, z, z, z, z, z, z, z, z, z
        i += 1
    kind = np.full(ns, 3, dtype=np.int8)
    se = np.zeros(ns, dtype=np.int64)
    a0 = np.zeros(ns, dtype=np.int64)
    a1 = np.zeros(ns, dtype=np.int64)
    b0 = np.zeros(ns, dtype=np.int64)
    b1 = np.zeros(ns, dtype=np.int64)
    kptr = np.zeros(ns + 1, dtype=np.int64)
    fs = np.zeros(nd, dtype=np.int64)
    fe = np.zeros(nd, dtype=np.int64)
    es = np.zeros(nd, dtype=np.int64)
    ee = np.zeros(nd, dtype=np.int64)
    ni = 0
    npair = 0
    st = OK
    s = 0
    k = 0
    for q in range(n):
        if raw[q] != 59:
            continue
        e = q
        se[k] = e
        p = _skip(raw, s, e)
        a0[k] = p
        p = _word(raw, p, e)
        a1[k] = p
        nw = 0 if a0[k] == e else 1
        p = _skip(raw, p, e)
        b0[k] = p
        p = _word(raw, p, e)
        b1[k] = p
        if b0[k] < e:
            nw = 2
        c0 = _skip(raw, p, e)
        if c0 < e:
            nw = 3
        if nw == 2:
            if a1[k] - a0[k] == 4 and raw[a0[k]] == 119 and raw[a0[k] + 1] == 105 and raw[a0[k] + 2] == 114 \
                    and raw[a0[k] + 3] == 101 and (raw[b0[k]] == 92 or _ident(raw, b0[k], b1[k])):
                kind[k] = 0
        elif nw == 3 and raw[c0] == 40:
            h = raw[b0[k]]
            if h != 35 and h != 40 and h != 91:
                dot = False
                for i in range(c0, e):
                    if raw[i] == 46:
                        dot = True
                        break
                kind[k] = 1 if dot else 4     # 4: positional connections
                # ( .F ( expr ) , .F ( expr ) )
                p = c0 + 1
                good = False
                n0 = npair
                while dot:
                    p = _skip(raw, p, e)
                    if p >= e or raw[p] != 46:
                        break
                    p += 1
                    f0 = p
                    bad = False
                    while p < e and not _ws(raw[p]) and raw[p] != 40:
                        c = raw[p]
                        if c == 41 or c == 44 or c == 92:
                            bad = True
                            break
                        p += 1
                    if bad or p == f0:
                        break
                    f1 = p
                    p = _skip(raw, p, e)
                    if p >= e or raw[p] != 40:
                        break
                    p += 1
                    x0 = p
                    while p < e and raw[p] != 41:
                        c = raw[p]
                        if c == 40 or c == 44:
                            bad = True
                            break
                        if c == 92:             # escaped name: to the next blank
                            while p < e and not _ws(raw[p]):
                                c = raw[p]
                                if c == 40 or c == 41 or c == 44:
                                    bad = True
                                    break
                                p += 1
                            if bad:
                                break
                            continue
                        p += 1
                    if bad or p >= e:
                        break
                    fs[npair], fe[npair], es[npair], ee[npair] = f0, f1, x0, p
                    npair += 1
                    p = _skip(raw, p + 1, e)
                    if p < e and raw[p] == 44:
                        p += 1
                        continue
                    if p < e and raw[p] == 41 and _skip(raw, p + 1, e) == e:
                        good = True
                    break
                if not good:                  # a statement for the Python parser
                    kind[k] = 4
                    npair = n0
                else:
                    ni += 1
                    kptr[ni] = npair
        k += 1
        s = q + 1
    return st, kind, se, a0, a1, b0, b1, kptr[:ni + 1], fs[:npair], fe[:npair], es[:npair], ee[:npair]


@jit
def join_spans(raw, a, b):
    """raw[a[i]:b[i]] for every i, joined with NUL bytes."""
    n = len(a)
    tot = 0
    for i in range(n):
        tot += b[i] - a[i]
    out = np.zeros(tot + max(n - 1, 0), dtype=np.uint8)
    p = 0
    for i in range(n):
        if i:
            p += 1
        for j in range(a[i], b[i]):
            out[p] = raw[j]
            p += 1
    return out
