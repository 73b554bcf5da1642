"""Compiled kernels of the RC tree reduction (:mod:`finevh.timing.rcnet`); importing
this module imports numba. The same walks as the numpy code there, one node at a time:

- :func:`forest`: breadth-first walk of every tree net from its driver node over the
  resistors (a node's resistors in file order; self-loops skipped; of parallel
  resistors the first), giving each node's parent, resistance to it and depth, and
  flagging nets with a loop (a resistor to a reached node that is neither the parent
  nor a child of the node).
- :func:`moments`: the admittance moments y1, y2, y3 of every node, children added
  into parents deepest level first, nodes of a level in increasing index (the order
  of ``numpy.add.at`` over the levels: the sums are bit-identical).
- :func:`elmore`: Elmore delays from the roots down, level by level.

Units: pF, kOhm, ns.
"""

import numba as nb
import numpy as np

jit = nb.njit(cache=True, nogil=True)


@jit
def forest(a, b, r, roots, net_of, N, n_nets):
    """(parent, pres, depth, loopy) of the resistors ``a``-``b`` (global node ids,
    ``r`` kOhm) walked from ``roots``; ``net_of`` [N] net of each node; depth -1 for
    nodes not reached; ``loopy`` [n_nets] bool."""
    cnt = np.zeros(N + 1, dtype=np.int64)
    for i in range(len(a)):
        if a[i] != b[i]:
            cnt[a[i] + 1] += 1
            cnt[b[i] + 1] += 1
    for v in range(N):
        cnt[v + 1] += cnt[v]
    row = cnt.copy()
    fill = cnt[:N].copy()
    dst = np.empty(cnt[N], dtype=np.int64)
    rr = np.empty(cnt[N])
    for i in range(len(a)):
        if a[i] != b[i]:
            dst[fill[a[i]]] = b[i]
            rr[fill[a[i]]] = r[i]
            fill[a[i]] += 1
            dst[fill[b[i]]] = a[i]
            rr[fill[b[i]]] = r[i]
            fill[b[i]] += 1
    parent = np.full(N, -1, dtype=np.int64)
    pres = np.zeros(N)
    depth = np.full(N, -1, dtype=np.int64)
    loopy = np.zeros(n_nets, dtype=np.bool_)
    queue = np.empty(N, dtype=np.int64)
    tail = 0
    for v in roots:
        depth[v] = 0
        queue[tail] = v
        tail += 1
    head = 0
    while head < tail:
        v = queue[head]
        head += 1
        for j in range(row[v], row[v + 1]):
            t = dst[j]
            if depth[t] < 0:
                depth[t] = depth[v] + 1
                parent[t] = v
                pres[t] = rr[j]
                queue[tail] = t
                tail += 1
            elif t != parent[v] and parent[t] != v:
                loopy[net_of[v]] = True
    return parent, pres, depth, loopy


@jit
def moments(up, parent, pres, y1, y2, y3):
    """Add each node of ``up`` (deepest level first) into its parent, in place."""
    for i in range(len(up)):
        v = up[i]
        p = parent[v]
        r = pres[v]
        for rf in range(y1.shape[1]):
            a1 = y1[v, rf]
            a2 = y2[v, rf]
            a3 = y3[v, rf]
            y3[p, rf] += a3 - 2 * r * a1 * a2 + r * r * a1 * a1 * a1
            y2[p, rf] += a2 - r * a1 * a1
            y1[p, rf] += a1


@jit
def elmore(down, parent, pres, y1, el):
    """Elmore delay of each node of ``down`` (shallowest level first), in place."""
    for i in range(len(down)):
        v = down[i]
        p = parent[v]
        for rf in range(y1.shape[1]):
            el[v, rf] = el[p, rf] + pres[v] * y1[v, rf]
