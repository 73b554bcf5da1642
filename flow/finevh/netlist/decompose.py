"""Decomposition of Verilog gate primitives wider than a library's cells.

ISCAS-85/89 use ``and``/``nand``/``or``/``nor`` gates with up to 9 inputs; standard-cell
libraries stop at 3 or 4. :func:`decompose_wide_gates` rewrites, in a module's IR, every
primitive whose input count has no ``cell_map`` entry into a tree of narrower primitives
that do: inputs are reduced in groups by the non-inverting base function (AND for
and/nand, OR for or/nor, XOR for xor/xnor, all associative), greedily with the widest
mapped base gate, until the remaining signals fit a mapped gate of the original type,
which keeps the original instance name and line. A single remaining signal uses
``buf``/``not``. New gates are named ``<instance>_d<k>`` and new nets
``<instance>_w<k>``.

Used by both readers (through :func:`finevh.netlist.elaborate.elaborate` with
``decompose=True``), so their netlists stay identical.
"""

from __future__ import annotations

from ..errors import InputError
from .ir import GATE_PRIMITIVES, ModuleIR

_BASE = {"and": "and", "nand": "and", "or": "or", "nor": "or", "xor": "xor", "xnor": "xor"}
_INVERTING = {"nand", "nor", "xnor"}


def _widths(cell_map, name: str) -> list[int]:
    return sorted(k[1] for k in cell_map if isinstance(k, tuple) and k[0] == name and k[1] >= 2)


def needs_decomposition(m: ModuleIR, cell_map) -> bool:
    if not any(x in GATE_PRIMITIVES for x in m.masters):
        return False
    for i, mk in enumerate(m.inst_master):
        name = m.masters[mk]
        if name in _BASE:
            nin = m.inst_ptr[i + 1] - m.inst_ptr[i] - 1
            if (name, nin) not in cell_map and name not in cell_map:
                return True
    return False


def decompose_wide_gates(m: ModuleIR, cell_map) -> ModuleIR:
    """A copy of ``m`` whose unmapped wide gate primitives are replaced by trees."""
    out = ModuleIR(name=m.name, path=m.path, line=m.line, ports=list(m.ports), port_dir=dict(m.port_dir),
                   ranges=dict(m.ranges), bus_bits={k: list(v) for k, v in m.bus_bits.items()},
                   lazy_bits={k: dict(v) for k, v in m.lazy_bits.items()}, eager_bits=m.eager_bits,
                   bit_names=list(m.bit_names), bit_of=dict(m.bit_of), behavioural=m.behavioural,
                   implicit=list(m.implicit))
    out.a_lhs.extend(m.a_lhs)
    out.a_rhs.extend(m.a_rhs)
    out.a_line.extend(m.a_line)
    taken = set(m.inst_names)
    for i in range(len(m.inst_names)):
        a, b = m.inst_ptr[i], m.inst_ptr[i + 1]
        master = m.masters[m.inst_master[i]]
        name, line = m.inst_names[i], m.inst_line[i]
        forms, subs, bits = m.c_form[a:b], m.c_sub[a:b], m.c_bit[a:b]
        nin = b - a - 1
        wide = (master in _BASE and nin >= 2 and (master, nin) not in cell_map and master not in cell_map
                and all(f == -(k + 1) for k, f in enumerate(forms)) and all(s < 0 for s in subs))
        if not wide:
            conns: list[tuple[str | int, list[int]]] = []
            for f, s, bt in zip(forms, subs, bits):
                key = -f - 1 if f < 0 else m.formals[f]
                if conns and conns[-1][0] == key and s >= 0:
                    conns[-1][1].append(bt)
                else:
                    conns.append((key, [bt]))
            out.add_instance(master, name, line, conns)
            continue
        base = _BASE[master]
        kb = _widths(cell_map, base)
        kg = _widths(cell_map, master)
        if not kb or not kg:
            raise InputError(f"cannot decompose {nin}-input '{master}' gate '{name}': the map needs "
                             f"'{base}' and '{master}' gates of 2 or more inputs", m.path, line)
        level = list(bits[1:])
        counters = {"w": 0, "d": 0}

        def fresh(prefix: str) -> str:
            while True:
                s = f"{name}_{prefix}{counters[prefix]}"
                counters[prefix] += 1
                if s not in taken and s not in out.ranges:
                    taken.add(s)
                    return s

        while len(level) > max(kg) or (len(level) > 1 and len(level) not in kg):
            nxt = []
            j = 0
            while j < len(level):
                fits = [w for w in kb if w <= len(level) - j]
                if not fits:  # a lone signal (or fewer than the narrowest gate): next level
                    nxt.append(level[j])
                    j += 1
                    continue
                chunk = level[j:j + max(fits)]
                j += len(chunk)
                wname = fresh("w")
                out.declare(wname, None, line)
                w = out.bit_of[wname]
                out.add_instance(base, fresh("d"), line, [(0, [w])] + [(q + 1, [x]) for q, x in enumerate(chunk)])
                nxt.append(w)
            if len(nxt) == len(level):
                raise InputError(f"cannot decompose {nin}-input '{master}' gate '{name}' with the widths mapped",
                                 m.path, line)
            level = nxt
        if len(level) == 1:
            final = "not" if master in _INVERTING else "buf"
        else:
            final = master
        out.add_instance(final, name, line, [(0, [bits[0]])] + [(q + 1, [x]) for q, x in enumerate(level)])
    return out
