"""Flatten per-module IR (:mod:`finevh.netlist.ir`) into a :class:`Netlist`.

Rules (shared by both readers, so their outputs are identical):

* Top: ``top`` if given, else the only module no other module instantiates.
* Instance order: a module's leaf instances in source order, then its sub-module
  instances expanded one after the other (depth first). Hierarchical names are joined
  with ``/``; the nets inside a sub-module instance are named ``inst/net``.
* Leaf instances: any master that is not a module of the file, plus Verilog gate
  primitives and behavioural modules that ``cell_map`` maps to a library cell.
  Positional connections need a known port order: allowed for primitives and mapped
  modules only.
* Nets: ``assign`` aliases, port connections of sub-modules, ``supply0/1`` and constant
  connections merge nets (union-find via connected components). A merged net keeps the
  name of a top-level port if it has one, else the name at the highest level of the
  hierarchy, else the first declared; the other names go to ``net_aliases``. Nets are
  ordered by their first-declared member. Constant connections are nets named ``1'b0``
  / ``1'b1`` (``net_const`` 0 / 1) unless merged with a named net.
* Bus pins of leaf cells are connected bit by bit as ``PIN[i]`` (LSB 0).

``cell_map`` maps a gate primitive (``"nand"`` or ``("nand", 3)`` for 3 inputs) to
``(cell, [out_pin, in_pin1, ...])`` and a behavioural module name (e.g. ISCAS-89's
``"dff"``) to ``(cell, {module_port: cell_pin})``.
"""

from __future__ import annotations

from typing import Mapping, Sequence, Union

import numpy as np

from ..errors import InputError
from ..progress import warn
from .ir import CONST0, CONST1, GATE_PRIMITIVES, OTHER_PRIMITIVES, UNCONNECTED, ModuleIR
from .model import Netlist

CellMapValue = tuple[str, Union[Sequence[str], Mapping[str, str]]]
CellMap = Mapping[Union[str, tuple[str, int]], CellMapValue]

_CLASS_PORT, _CLASS_NET, _CLASS_CONST = 0, 1, 2


def choose_top(modules: dict[str, ModuleIR], top: str | None, path: str) -> ModuleIR:
    if top is not None:
        if top not in modules:
            raise InputError(f"no module '{top}' in the file (modules: {', '.join(list(modules)[:8])})", path)
        return modules[top]
    if not modules:
        raise InputError("no module in the file", path)
    used: set[str] = set()
    for m in modules.values():
        for name in m.masters:
            if name != m.name:
                used.add(name)
    cands = [m for m in modules.values() if m.name not in used]
    if len(cands) == 1:
        return cands[0]
    if not cands:
        raise InputError("no top module: every module is instantiated by another (recursive hierarchy?)", path)
    raise InputError(f"several top modules ({', '.join(m.name for m in cands[:8])}): choose one with --top", path,
                     cands[1].line)


class _Plan:
    """Per-module, instantiation-independent preparation of leaf instances."""

    __slots__ = ("leaf_inst", "cells", "leaf_cell", "labels", "pin_count", "e_label", "e_bit", "children",
                 "a_lhs", "a_rhs")


def _prim_cell(name: str, nterm: int, cell_map: CellMap, m: ModuleIR, i: int, cid, lid) -> tuple[int, np.ndarray]:
    """Library cell and pin labels of a gate primitive with ``nterm`` terminals."""
    path, line, iname = m.path, m.inst_line[i], m.inst_names[i]
    if name in ("not", "buf"):
        if nterm != 2:
            raise InputError(f"'{name}' gate '{iname}' with {nterm - 1} outputs is not supported", path, line)
    elif nterm < 3:
        raise InputError(f"'{name}' gate '{iname}' needs an output and at least 2 inputs", path, line)
    nin = nterm - 1
    mv = cell_map.get((name, nin)) or cell_map.get(name)
    if mv is None:
        raise InputError(f"Verilog gate primitive '{name}' with {nin} input(s) (instance '{iname}') has no library "
                         "cell: give a primitive map (cell_map) or map the design with Yosys first", path, line)
    cell, pins = mv
    if isinstance(pins, dict) or len(pins) != nterm:
        raise InputError(f"cell_map entry for '{name}' with {nin} inputs must list {nterm} pins (output first)",
                         path, line)
    return cid(cell), np.array([lid(x) for x in pins], dtype=np.int64)


def _first_duplicate(names: list[str]) -> tuple[int, int] | None:
    """(first index, repeated index) of the first name that occurs twice, else None."""
    if len(set(names)) == len(names):
        return None
    seen: dict[str, int] = {}
    for j, x in enumerate(names):
        if x in seen:
            return seen[x], j
        seen[x] = j
    return None  # pragma: no cover - unreachable


def _check_unique(m: ModuleIR) -> None:
    """Instance and port names of a module are unique (OpenSTA would rename or drop
    the second one; a netlist with two 'u1' cannot be placed or bound by name)."""
    d = _first_duplicate(m.inst_names)
    if d is not None:
        a, b = d
        raise InputError(f"instance name '{m.inst_names[b]}' used twice in module '{m.name}' (first at line "
                         f"{m.inst_line[a]})", m.path, m.inst_line[b])
    d = _first_duplicate(m.ports)
    if d is not None:
        raise InputError(f"port '{m.ports[d[1]]}' listed twice in the header of module '{m.name}'", m.path, m.line)


def _make_plan(m: ModuleIR, modules: dict[str, ModuleIR], cell_map: CellMap) -> _Plan:
    path = m.path
    _check_unique(m)
    n = len(m.inst_names)
    ptr = np.frombuffer(m.inst_ptr, dtype=np.int64) if n else np.zeros(1, np.int64)
    cf = np.frombuffer(m.c_form, dtype=np.int32) if len(m.c_form) else np.zeros(0, np.int32)
    cs = np.frombuffer(m.c_sub, dtype=np.int32) if len(m.c_sub) else np.zeros(0, np.int32)
    cb = np.frombuffer(m.c_bit, dtype=np.int32) if len(m.c_bit) else np.zeros(0, np.int32)
    im = np.frombuffer(m.inst_master, dtype=np.int32) if n else np.zeros(0, np.int32)
    lines = m.inst_line
    # kind of each master: 0 leaf cell, 1 sub-module, 2 primitive (mapped), 3 mapped behavioural module
    kinds = []
    for name in m.masters:
        sub = modules.get(name)
        if name in GATE_PRIMITIVES and sub is None:
            kinds.append(2)
        elif sub is None:
            if name in OTHER_PRIMITIVES:
                i = int(np.flatnonzero(im == m.master_of[name])[0])
                raise InputError(f"switch/tri-state primitive '{name}' (instance '{m.inst_names[i]}') is not "
                                 "supported", path, lines[i])
            kinds.append(0)
        elif sub.behavioural is not None:
            if name not in cell_map:
                bl, what = sub.behavioural
                i = int(np.flatnonzero(im == m.master_of[name])[0])
                raise InputError(
                    f"module '{name}' (instantiated as '{m.inst_names[i]}' at line {lines[i]}) is behavioural "
                    f"('{what}' at line {bl}), not a gate-level netlist: map it to a library cell "
                    "(cell_map) or synthesise the design with Yosys first", path, bl)
            kinds.append(3)
        else:
            kinds.append(1)
    kind_arr = np.array(kinds, dtype=np.int8) if kinds else np.zeros(0, np.int8)
    inst_kind = kind_arr[im] if n else np.zeros(0, np.int8)
    counts = np.diff(ptr)
    leaf = inst_kind != 1
    plan = _Plan()
    plan.leaf_inst = np.flatnonzero(leaf)
    e_leaf = np.repeat(leaf, counts)
    e_idx = np.flatnonzero(e_leaf)
    # entry labels: start with formal ids; special entries get computed strings
    label_str: list[str] = list(m.formals)
    label_of: dict[str, int] = {s: i for i, s in enumerate(label_str)}
    lab = cf[e_idx].astype(np.int64)

    def lid(s: str) -> int:
        k = label_of.get(s)
        if k is None:
            k = label_of[s] = len(label_str)
            label_str.append(s)
        return k

    cells: list[str] = []
    cell_of: dict[str, int] = {}

    def cid(s: str) -> int:
        k = cell_of.get(s)
        if k is None:
            k = cell_of[s] = len(cells)
            cells.append(s)
        return k

    leaf_cell = np.empty(len(plan.leaf_inst), dtype=np.int64)
    pos_in_leaf = np.cumsum(counts[plan.leaf_inst]) - counts[plan.leaf_inst] if len(plan.leaf_inst) else \
        np.zeros(0, np.int64)
    special_inst = np.zeros(len(plan.leaf_inst), dtype=bool)
    lk = inst_kind[plan.leaf_inst]
    special_inst |= lk != 0
    if len(e_idx):
        sp_e = (cs[e_idx] >= 0) | (cf[e_idx] < 0)
        if sp_e.any():
            e_inst_leafpos = np.repeat(np.arange(len(plan.leaf_inst)), counts[plan.leaf_inst])
            special_inst[np.unique(e_inst_leafpos[sp_e])] = True
    # cell of each leaf instance, vectorised: key (master, n_terminals for primitives)
    li = plan.leaf_inst
    nt = counts[li]
    lk64 = lk.astype(np.int64)
    key = im[li].astype(np.int64) * (1 << 20) + np.where(lk64 == 2, nt, 0)
    if len(key):
        ukeys, first, inv = np.unique(key, return_index=True, return_inverse=True)
        key_cell = np.empty(len(ukeys), dtype=np.int64)
        key_labels: dict[int, np.ndarray] = {}
        for q in np.argsort(first, kind="stable").tolist():
            kk = int(ukeys[q])
            mk, nterm = kk >> 20, kk & ((1 << 20) - 1)
            name = m.masters[mk]
            i = int(li[first[q]])
            if kinds[mk] == 2:
                cell_id, labs = _prim_cell(name, nterm, cell_map, m, i, cid, lid)
                key_cell[q] = cell_id
                key_labels[q] = labs
            elif kinds[mk] == 3:
                key_cell[q] = cid(cell_map[name][0])
            else:
                key_cell[q] = cid(name)
        leaf_cell[:] = key_cell[inv.reshape(-1)]
        prim_j = np.flatnonzero(lk == 2)
        if len(prim_j):
            e_rank = np.arange(len(lab)) - np.repeat(pos_in_leaf, nt)
            e_j = np.repeat(np.arange(len(li)), nt)
            e_prim = lk[e_j] == 2
            pe = np.flatnonzero(e_prim)
            bad = (cs[e_idx][pe] >= 0) | (cf[e_idx][pe] != -(e_rank[pe] + 1))
            if bad.any():
                i = int(li[e_j[pe[np.flatnonzero(bad)[0]]]])
                raise InputError(f"named or multi-bit connection on gate primitive '{m.masters[int(im[i])]}' "
                                 f"('{m.inst_names[i]}')", path, lines[i])
            inv_e = inv.reshape(-1)[e_j[pe]]
            for q, labs in key_labels.items():
                sel = inv_e == q
                lab[pe[sel]] = labs[e_rank[pe[sel]]]
    for j in np.flatnonzero(special_inst & (lk != 2)).tolist():
        i = int(li[j])
        mk = int(im[i])
        name = m.masters[mk]
        kind = kinds[mk]
        a, b = int(ptr[i]), int(ptr[i + 1])
        base = int(pos_in_leaf[j])
        if kind == 0:
            for e in range(a, b):
                f, s = int(cf[e]), int(cs[e])
                if f < 0:
                    raise InputError(f"positional connections to cell '{name}' (instance '{m.inst_names[i]}'): "
                                     "its port order is unknown here; use named connections (.PIN(net))",
                                     path, lines[i])
                lab[base + e - a] = lid(f"{m.formals[f]}[{s}]") if s >= 0 else f
            continue
        # kind 3: behavioural module mapped to a cell
        sub = modules[name]
        cell, pins = cell_map[name]
        if not isinstance(pins, dict):
            pins = dict(zip(sub.ports, pins))
        for e in range(a, b):
            f, s = int(cf[e]), int(cs[e])
            if f < 0:
                k = -f - 1
                if k >= len(sub.ports):
                    raise InputError(f"instance '{m.inst_names[i]}' has more connections than '{name}' has ports",
                                     path, lines[i])
                port = sub.ports[k]
            else:
                port = m.formals[f]
            if port not in pins:
                raise InputError(f"port '{port}' of module '{name}' is not in its cell_map entry", path, lines[i])
            lab[base + e - a] = lid(f"{pins[port]}[{s}]" if s >= 0 else pins[port])
    # relabel labels into first-appearance order over the leaf entries
    if len(lab):
        uniq, first = np.unique(lab, return_index=True)
        order = uniq[np.argsort(first, kind="stable")]
        remap = np.full(len(label_str), -1, dtype=np.int64)
        remap[order] = np.arange(len(order))
        plan.labels = [label_str[k] for k in order.tolist()]
        plan.e_label = remap[lab]
    else:
        plan.labels = []
        plan.e_label = np.zeros(0, np.int64)
    plan.e_bit = cb[e_idx].astype(np.int64)
    plan.cells = cells
    plan.leaf_cell = leaf_cell
    plan.pin_count = counts[plan.leaf_inst]
    # sub-module instances: (local index, module, parent bits -> child port bits)
    children = []
    for i in np.flatnonzero(~leaf).tolist():
        sub = modules[m.masters[int(im[i])]]
        conns: dict[str, list[int]] = {}
        order_f: list[str] = []
        for e in range(int(ptr[i]), int(ptr[i + 1])):
            f = int(cf[e])
            if f < 0:
                k = -f - 1
                if k >= len(sub.ports):
                    raise InputError(f"instance '{m.inst_names[i]}' has more connections than module '{sub.name}' "
                                     "has ports", path, lines[i])
                port = sub.ports[k]
            else:
                port = m.formals[f]
                if port not in sub.port_dir:
                    raise InputError(f"module '{sub.name}' has no port '{port}' (instance '{m.inst_names[i]}')",
                                     path, lines[i])
            if port not in conns:
                conns[port] = []
                order_f.append(port)
            conns[port].append(int(cb[e]))
        pairs_p: list[int] = []
        pairs_c: list[int] = []
        for port in order_f:
            pb = conns[port]
            cbits = sub.bits(port, lines[i])
            if len(pb) == 1 and pb[0] == UNCONNECTED:
                continue
            if len(pb) != len(cbits):
                warn(f"port '{port}' of '{sub.name}' is {len(cbits)} bit(s) wide, instance '{m.inst_names[i]}' "
                     f"connects {len(pb)}: LSB-aligned", path, lines[i])
            k = min(len(pb), len(cbits))
            for pbit, cbit in zip(pb[len(pb) - k:], cbits[len(cbits) - k:]):
                if pbit != UNCONNECTED:
                    pairs_p.append(pbit)
                    pairs_c.append(cbit)
        children.append((i, sub, np.array(pairs_p, dtype=np.int64), np.array(pairs_c, dtype=np.int64)))
    plan.children = children
    plan.a_lhs = np.frombuffer(m.a_lhs, dtype=np.int32).astype(np.int64) if len(m.a_lhs) else np.zeros(0, np.int64)
    plan.a_rhs = np.frombuffer(m.a_rhs, dtype=np.int32).astype(np.int64) if len(m.a_rhs) else np.zeros(0, np.int64)
    return plan


def _components(n: int, eu: np.ndarray, ev: np.ndarray) -> np.ndarray:
    """Component label of every node (0..n-1) given undirected edges; a component's
    label is its smallest node. Union-find over the nodes that appear in edges only."""
    labels = np.arange(n, dtype=np.int64)
    if not len(eu):
        return labels
    nodes, inv = np.unique(np.concatenate([eu, ev]), return_inverse=True)
    k = len(eu)
    parent = list(range(len(nodes)))
    for a, b in zip(inv[:k].tolist(), inv[k:].tolist()):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        if a != b:
            if a < b:
                parent[b] = a
            else:
                parent[a] = b
    roots = parent
    for i in range(len(roots)):
        r = i
        while roots[r] != r:
            r = roots[r]
        roots[i] = r
    labels[nodes] = nodes[np.array(roots, dtype=np.int64)]
    return labels


def elaborate(modules: dict[str, ModuleIR], path: str, top: str | None = None,
              cell_map: CellMap | None = None, decompose: bool = False) -> Netlist:
    """Flatten ``modules`` from ``top``. ``decompose``: gate primitives wider than any
    ``cell_map`` entry become trees of mapped ones (:mod:`finevh.netlist.decompose`)."""
    cell_map = dict(cell_map or {})
    if decompose and cell_map:
        from .decompose import decompose_wide_gates, needs_decomposition

        modules = {k: (decompose_wide_gates(v, cell_map) if needs_decomposition(v, cell_map) else v)
                   for k, v in modules.items()}
    tm = choose_top(modules, top, path)
    if tm.behavioural is not None:
        bl, what = tm.behavioural
        raise InputError(f"top module '{tm.name}' is behavioural ('{what}'), not a gate-level netlist: "
                         "synthesise it with Yosys first", path, bl)
    for p in tm.ports:
        if p not in tm.port_dir:
            raise InputError(f"port '{p}' of module '{tm.name}' has no direction declaration", path, tm.line)

    plans: dict[str, _Plan] = {}
    # accumulated chunks
    node_names: list[str] = []
    node_depth: list[np.ndarray] = []
    inst_names: list[str] = []
    inst_lines: list[np.ndarray] = []
    inst_cell_chunks: list[np.ndarray] = []
    pin_count_chunks: list[np.ndarray] = []
    pin_label_chunks: list[np.ndarray] = []
    pin_node_chunks: list[np.ndarray] = []
    edge_u: list[np.ndarray] = []
    edge_v: list[np.ndarray] = []
    cell_names: list[str] = []
    cell_of: dict[str, int] = {}
    pin_names: list[str] = []
    pin_of: dict[str, int] = {}
    # const nodes get ids at the end; use placeholders until then
    PH0, PH1 = -(1 << 40), -(1 << 40) - 1

    def to_nodes(bits: np.ndarray, base: int) -> np.ndarray:
        out = bits + base
        out = np.where(bits == CONST0, PH0, out)
        out = np.where(bits == CONST1, PH1, out)
        return np.where(bits == UNCONNECTED, -1, out)

    def visit(m: ModuleIR, prefix: str, depth: int, stack: tuple[str, ...]) -> int:
        plan = plans.get(m.name)
        if plan is None:
            plan = plans[m.name] = _make_plan(m, modules, cell_map)
        base = len(node_names)
        if prefix:
            node_names.extend([prefix + s for s in m.bit_names])
        else:
            node_names.extend(m.bit_names)
        node_depth.append(np.full(len(m.bit_names), depth, dtype=np.int32))
        # leaf instances
        li = plan.leaf_inst
        if len(li):
            if len(li) == len(m.inst_names) and not prefix:
                inst_names.extend(m.inst_names)
            else:
                names = m.inst_names
                inst_names.extend([prefix + names[i] for i in li.tolist()])
            inst_lines.append(np.frombuffer(m.inst_line, dtype=np.int32)[li])
            cmap = np.empty(len(plan.cells), dtype=np.int32)
            for k, c in enumerate(plan.cells):
                g = cell_of.get(c)
                if g is None:
                    g = cell_of[c] = len(cell_names)
                    cell_names.append(c)
                cmap[k] = g
            inst_cell_chunks.append(cmap[plan.leaf_cell] if len(plan.cells) else np.zeros(len(li), np.int32))
            pin_count_chunks.append(plan.pin_count)
            lmap = np.empty(len(plan.labels), dtype=np.int32)
            for k, s in enumerate(plan.labels):
                g = pin_of.get(s)
                if g is None:
                    g = pin_of[s] = len(pin_names)
                    pin_names.append(s)
                lmap[k] = g
            pin_label_chunks.append(lmap[plan.e_label] if len(plan.labels) else np.zeros(0, np.int32))
            pin_node_chunks.append(to_nodes(plan.e_bit, base))
        if len(plan.a_lhs):
            edge_u.append(plan.a_lhs + base)
            v = to_nodes(plan.a_rhs, base)
            keep = v != -1
            edge_u[-1] = edge_u[-1][keep]
            edge_v.append(v[keep])
        names = m.inst_names
        for i, sub, pbits, cbits in plan.children:
            if sub.name in stack:
                raise InputError(f"recursive instantiation of module '{sub.name}'", path, m.inst_line[i])
            child_base = visit(sub, prefix + names[i] + "/", depth + 1, stack + (sub.name,))
            if len(pbits):
                edge_u.append(cbits + child_base)
                edge_v.append(to_nodes(pbits, base))
        return base

    visit(tm, "", 0, (tm.name,))
    if any(p.children for p in plans.values()):
        # hierarchical names can meet flat ones ('u1/g' inside u1 and an escaped '\\u1/g ' at the top)
        d = _first_duplicate(inst_names)
        if d is not None:
            lines = np.concatenate(inst_lines) if inst_lines else np.zeros(0, np.int32)
            raise InputError(f"instance name '{inst_names[d[1]]}' occurs twice after flattening", path,
                             int(lines[d[1]]) if len(lines) > d[1] else None)

    n_real = len(node_names)
    c0, c1 = n_real, n_real + 1
    n_nodes = n_real + 2
    node_names.extend(["1'b0", "1'b1"])
    depth = np.concatenate(node_depth + [np.zeros(2, np.int32)]) if node_depth else np.zeros(2, np.int32)

    def fix(a: np.ndarray) -> np.ndarray:
        a = np.where(a == PH0, c0, a)
        return np.where(a == PH1, c1, a)

    pin_node = fix(np.concatenate(pin_node_chunks)) if pin_node_chunks else np.zeros(0, np.int64)
    if edge_u:
        eu = np.concatenate(edge_u)
        ev = fix(np.concatenate(edge_v))
    else:
        eu = ev = np.zeros(0, np.int64)

    # connected components over the (few) edges
    labels = _components(n_nodes, eu, ev)
    # representative-for-order: first (lowest index) member; const nodes are last so a
    # component gets a const position only when it holds nothing else
    uniq, first = np.unique(labels, return_index=True)
    comp_first = np.empty(int(labels.max()) + 1 if len(labels) else 0, dtype=np.int64)
    comp_first[uniq] = first
    size = np.bincount(labels)
    # which components are used: any non-const member, or referenced by a pin
    used = np.zeros(len(size), dtype=bool)
    used[labels[:n_real]] = True
    if len(pin_node):
        pn = pin_node[pin_node >= 0]
        used[labels[pn]] = True
    keep = np.flatnonzero(used)
    order = keep[np.argsort(comp_first[keep], kind="stable")]
    comp_to_net = np.full(len(size), -1, dtype=np.int64)
    comp_to_net[order] = np.arange(len(order))
    node_net = comp_to_net[labels]
    # names: representative by (class, depth, index)
    cls = np.full(n_nodes, _CLASS_NET, dtype=np.int8)
    cls[c0] = cls[c1] = _CLASS_CONST
    top_port_bits = [b for p in tm.ports for b in tm.bits(p, tm.line)]
    top_base = 0
    if top_port_bits:
        cls[np.array(top_port_bits, dtype=np.int64) + top_base] = _CLASS_PORT
    rep = comp_first.copy()  # default: first member (singletons)
    multi = np.flatnonzero(size[labels] > 1)
    aliases: dict[str, str] = {}
    net_const = np.full(len(order), -1, dtype=np.int8)
    if len(multi):
        lm = labels[multi]
        o = np.lexsort((multi, depth[multi], cls[multi], lm))
        ms, ls = multi[o], lm[o]
        head = np.ones(len(ms), dtype=bool)
        head[1:] = ls[1:] != ls[:-1]
        rep[ls[head]] = ms[head]
        l0, l1 = labels[c0], labels[c1]
        if l0 == l1 and size[l0] > 1:
            raise InputError("constant 0 and constant 1 are connected together (assign / supply nets)", path)
        if comp_to_net[l0] >= 0:
            net_const[comp_to_net[l0]] = 0
        if comp_to_net[l1] >= 0:
            net_const[comp_to_net[l1]] = 1
        # aliases: every named member that is not the representative
        is_rep = np.zeros(n_nodes, dtype=bool)
        is_rep[rep[ls[head]]] = True
        for k in ms[(~is_rep[ms]) & (ms < n_real)].tolist():
            aliases[node_names[k]] = node_names[int(rep[labels[k]])]
    else:
        if comp_to_net[labels[c0]] >= 0:
            net_const[comp_to_net[labels[c0]]] = 0
        if comp_to_net[labels[c1]] >= 0:
            net_const[comp_to_net[labels[c1]]] = 1
    rep_nodes = rep[order]
    if len(multi) == 0 and len(order) == n_real and (len(order) == 0 or rep_nodes[-1] == n_real - 1):
        net_names = node_names[:n_real]
    else:
        net_names = [node_names[k] for k in rep_nodes.tolist()]

    if pin_node_chunks:
        pin_net = np.where(pin_node >= 0, node_net[np.maximum(pin_node, 0)], -1).astype(np.int32)
        pin_name = np.concatenate(pin_label_chunks).astype(np.int32)
        counts = np.concatenate(pin_count_chunks)
        inst_cell = np.concatenate(inst_cell_chunks).astype(np.int32)
        inst_line = np.concatenate(inst_lines).astype(np.int32)
    else:
        pin_net = np.zeros(0, np.int32)
        pin_name = np.zeros(0, np.int32)
        counts = np.zeros(0, np.int64)
        inst_cell = np.zeros(0, np.int32)
        inst_line = np.zeros(0, np.int32)
    pin_ptr = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=pin_ptr[1:])

    port_names: list[str] = []
    port_dir: list[int] = []
    port_nodes: list[int] = []
    for p in tm.ports:
        d = tm.port_dir[p]
        for b in tm.bits(p, tm.line):
            port_names.append(tm.bit_names[b])
            port_dir.append(d)
            port_nodes.append(b + top_base)
    port_net = node_net[np.array(port_nodes, dtype=np.int64)].astype(np.int32) if port_nodes else \
        np.zeros(0, np.int32)
    return Netlist(
        top=tm.name,
        source=str(path),
        inst_names=inst_names,
        inst_cell=inst_cell,
        cell_names=cell_names,
        inst_line=inst_line,
        pin_ptr=pin_ptr,
        pin_name=pin_name,
        pin_names=pin_names,
        pin_net=pin_net,
        net_names=net_names,
        net_const=net_const,
        port_names=port_names,
        port_dir=np.array(port_dir, dtype=np.int8),
        port_net=port_net,
        net_aliases=aliases,
    )
