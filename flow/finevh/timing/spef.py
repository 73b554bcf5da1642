"""SPEF / DSPF reader: the RC network of every ``*D_NET``
(:mod:`finevh.timing.rcnet`) and the net totals derived from it.

The total capacitance of a net is the sum of its ``*CAP`` entries (coupling
capacitors grounded, factor 1), as OpenSTA counts it; the ``*D_NET`` header value is
checked (a number >= 0) but not used (real extractors' headers differ from the sum).
Handled: the header units (``*C_UNIT``, ``*R_UNIT``; ``*T_UNIT``/``*L_UNIT`` checked),
``*NAME_MAP``, the hierarchy divider and pin delimiter, escaped characters in names,
``min:typ:max`` triplets (typical value).

Errors (missing units, bad numbers, NaN/inf/negative values, a D_NET not closed by
``*END``) raise :class:`~finevh.errors.InputError` with file and line.
"""

from __future__ import annotations

import re

import numpy as np
from dataclasses import dataclass, field
from pathlib import Path

from ..fileio import read_text
from .rcnet import RcNet, parse_rc


@dataclass
class Spef:
    path: str
    design: str | None
    divider: str = "/"
    c_scale: float = 1.0                            # file unit -> pF
    net_cap: dict[str, float] = field(default_factory=dict)   # pF, sum of *CAP, names as in the netlist
    net_line: dict[str, int] = field(default_factory=dict)
    nets: list[RcNet] = field(default_factory=list)            # RC networks, file order


def read_spef(path: str | Path) -> Spef:
    """Read a SPEF / DSPF file (see the module docstring)."""
    p = str(path)
    nets, hdr = parse_rc(read_text(p), p)
    sp = Spef(p, hdr["design"], hdr["divider"], hdr["c_scale"], nets=nets)
    for n in nets:
        sp.net_cap[n.name] = n.total
        sp.net_line[n.name] = n.line
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
