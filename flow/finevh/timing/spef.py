"""SPEF reader, reduced to what lumped-capacitance timing needs: the total
capacitance of every ``*D_NET`` (pF).

Handled: the header units (``*C_UNIT``; ``*T_UNIT``/``*R_UNIT`` are read but unused),
``*NAME_MAP`` (``*123 name``), the hierarchy divider (``*DIVIDER``), escaped
characters in names (``\\[``), and ``*D_NET net total_cap`` lines. Resistor and
coupling sections are skipped: with totals only, the timer uses the lumped
capacitance (OpenSTA with a capacitance-only SPEF does the same).

Errors (missing units, bad numbers, NaN/inf/negative values, a D_NET without a total or
not closed by ``*END``) raise
:class:`~finevh.errors.InputError` with file and line.
"""

from __future__ import annotations

import re

import numpy as np
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..fileio import read_text
from ..validate import finite_nonneg, finite_pos

_C_UNITS = {"FF": 1e-3, "PF": 1.0, "NF": 1e3, "UF": 1e6, "F": 1e12}


@dataclass
class Spef:
    path: str
    design: str | None
    divider: str = "/"
    c_scale: float = 1.0                            # file unit -> pF
    net_cap: dict[str, float] = field(default_factory=dict)   # pF, names as in the netlist
    net_line: dict[str, int] = field(default_factory=dict)


def _unescape(name: str) -> str:
    return re.sub(r"\\(.)", r"\1", name)


def _value(tok: str, what: str, p: str, ln: int, positive: bool = False) -> float:
    """A SPEF value (or a ``min:typ:max`` triplet, typ returned): finite, >= 0 (> 0 for units)."""
    parts = tok.split(":") if ":" in tok else [tok]
    try:
        if len(parts) not in (1, 3):
            raise ValueError
        for x in parts:
            float(x)
    except ValueError:
        raise InputError(f"bad {what} '{tok}'", p, ln) from None
    vals = [finite_pos(x, what, p, ln) if positive else finite_nonneg(x, what, p, ln) for x in parts]
    return vals[len(vals) // 2]


def read_spef(path: str | Path) -> Spef:
    p = str(path)
    text = read_text(p)
    sp = Spef(p, None)
    name_map: dict[str, str] = {}
    in_map = False
    have_cunit = False
    net_open: tuple[str, int] | None = None     # D_NET being read (name, line)
    section = None                              # *CONN / *CAP / *RES inside a D_NET
    for ln, raw in enumerate(text.splitlines(), 1):
        line = raw.split("//", 1)[0].strip()
        if not line:
            continue
        if not line.startswith("*"):
            if in_map:
                continue
            if net_open is not None and section in ("*CAP", "*RES"):
                tok = line.split()
                if len(tok) < 3:
                    raise InputError(f"{section} entry needs an id, node(s) and a value", p, ln)
                _value(tok[-1], "capacitance" if section == "*CAP" else "resistance", p, ln)
            continue
        tok = line.split()
        key = tok[0].upper()
        if key == "*NAME_MAP":
            in_map = True
            continue
        if in_map and re.match(r"^\*\d+$", tok[0]):
            if len(tok) < 2:
                raise InputError("*NAME_MAP entry without a name", p, ln)
            name_map[tok[0]] = _unescape(tok[1])
            continue
        in_map = False
        if net_open is not None:
            if key == "*END":
                net_open, section = None, None
                continue
            if key in ("*CONN", "*CAP", "*RES", "*INDUC"):
                section = key
                continue
            if key == "*D_NET":
                raise InputError(f"*D_NET {net_open[0]} (line {net_open[1]}) is not closed by *END", p, ln)
            continue    # *I / *P / *N / *C entries of *CONN
        if key == "*DESIGN" and len(tok) > 1:
            sp.design = tok[1].strip('"')
        elif key == "*DIVIDER" and len(tok) > 1:
            sp.divider = tok[1]
        elif key in ("*T_UNIT", "*R_UNIT", "*L_UNIT"):
            if len(tok) < 3:
                raise InputError(f"{key} needs a value and a unit", p, ln)
            _value(tok[1], f"{key} value", p, ln, positive=True)
        elif key == "*C_UNIT":
            if len(tok) < 3:
                raise InputError("*C_UNIT needs a value and a unit", p, ln)
            v = _value(tok[1], "*C_UNIT value", p, ln, positive=True)
            u = tok[2].upper()
            if u not in _C_UNITS:
                raise InputError(f"unknown capacitance unit '{tok[2]}'", p, ln)
            sp.c_scale = v * _C_UNITS[u]
            have_cunit = True
        elif key == "*D_NET":
            if len(tok) < 3:
                raise InputError("*D_NET needs a net and a total capacitance", p, ln)
            if not have_cunit:
                raise InputError("*D_NET before *C_UNIT", p, ln)
            name = tok[1]
            if re.match(r"^\*\d+$", name):
                if name not in name_map:
                    raise InputError(f"*D_NET {name}: index not defined in *NAME_MAP", p, ln)
                name = name_map[name]
            else:
                name = _unescape(name)
            if sp.divider != "/":
                name = name.replace(sp.divider, "/")
            c = _value(tok[2], "total capacitance", p, ln)
            sp.net_cap[name] = c * sp.c_scale
            sp.net_line[name] = ln
            net_open, section = (tok[1], ln), None
    if net_open is not None:
        raise InputError(f"*D_NET {net_open[0]} is not closed by *END (truncated file?)", p, net_open[1])
    if not have_cunit:
        raise InputError("not a SPEF file (no *C_UNIT)", p)
    return sp


def write_spef_totals(path: str | Path, design, net_caps: dict[str, float]) -> None:
    """A capacitance-only SPEF for ``design``: one ``*D_NET`` per net of ``net_caps``
    (pF) with its ``*CONN`` section, the whole capacitance on the driver node and
    1e-6 kOhm resistors from the driver node to every load (lumped in practice).
    Used to give the same wire loads to finevh and OpenSTA."""
    from ..fileio import write_text_atomic

    nl = design.netlist
    P = int(nl.pin_ptr[-1])
    inst_of = np.repeat(np.arange(nl.n_instances), np.diff(nl.pin_ptr))
    net_idx = {n: i for i, n in enumerate(nl.net_names)}

    def esc(n: str) -> str:
        return re.sub(r"([\[\]/:])", r"\\\1", n)

    out = ['*SPEF "IEEE 1481-1998"', f'*DESIGN "{nl.top}"', '*DATE "0"', '*VENDOR "finevh"',
           '*PROGRAM "finevh"', '*VERSION "0"', '*DESIGN_FLOW "NAME_SCOPE LOCAL"', "*DIVIDER /",
           "*DELIMITER :", "*BUS_DELIMITER [ ]", "*T_UNIT 1 NS", "*C_UNIT 1 PF", "*R_UNIT 1 KOHM",
           "*L_UNIT 1 HENRY", ""]
    ptr = design.net_term_ptr
    for name in sorted(net_caps):
        m = net_idx.get(name)
        if m is None:
            continue
        c = net_caps[name]
        conns = []
        for k, t in enumerate(design.net_terms[ptr[m]:ptr[m + 1]].tolist()):
            drv = k < int(design.net_n_drivers[m])
            if t >= P:
                conns.append((f"*P {esc(nl.port_names[t - P])} {'I' if drv else 'O'}", esc(nl.port_names[t - P])))
            else:
                node = f"{esc(nl.inst_names[inst_of[t]])}:{nl.pin_names[nl.pin_name[t]]}"
                conns.append((f"*I {node} {'O' if drv else 'I'}", node))
        if not conns:
            continue
        out += [f"*D_NET {esc(name)} {c:.9g}", "*CONN"] + [x for x, _ in conns]
        out += ["*CAP", f"1 {conns[0][1]} {c:.9g}"]
        if len(conns) > 1:
            # negligible resistors tie the loads to the driver node, so that a reader
            # building an RC network (OpenSTA) still sees one lumped capacitance
            out.append("*RES")
            out += [f"{k} {conns[0][1]} {node} 1e-06" for k, (_, node) in enumerate(conns[1:], 1)]
        out += ["*END", ""]
    write_text_atomic(path, "\n".join(out) + "\n")
