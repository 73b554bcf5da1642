"""SPEF / DSPF reader and writer: the RC network of every ``*D_NET``
(:mod:`finevh.timing.spefparse`, :mod:`finevh.timing.rcflat`) and the net totals
derived from it.

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
from pathlib import Path

import numpy as np

from ..fileio import read_bytes
from .rcflat import RcFlat
from .rcnet import RcNet
from .spefparse import parse_flat


class Spef:
    """A SPEF's header facts and its RC networks (:class:`RcFlat`; ``nets``: the same
    as :class:`RcNet` objects, made on first use)."""

    def __init__(self, path: str, design: str | None, divider: str = "/", c_scale: float = 1.0,
                 nets: list[RcNet] | None = None, flat: RcFlat | None = None):
        self.path, self.design, self.divider = path, design, divider
        self.c_scale = c_scale                                     # file unit -> pF
        self.flat = flat if flat is not None else RcFlat.from_nets(list(nets or []))
        self._nets = list(nets) if nets is not None and flat is None else None

    @property
    def nets(self) -> list[RcNet]:
        """RC networks in file order."""
        if self._nets is None:
            self._nets = self.flat.to_nets()
        return self._nets

    @property
    def net_cap(self) -> dict[str, float]:
        """pF per net (sum of its ``*CAP`` entries), names as in the netlist."""
        return dict(zip(self.flat.names, self.flat.totals().tolist()))

    @property
    def net_line(self) -> dict[str, int]:
        return dict(zip(self.flat.names, self.flat.lines.tolist()))


def read_spef(path: str | Path) -> Spef:
    """Read a SPEF / DSPF file (see the module docstring)."""
    import time

    from .. import progress

    p = str(path)
    t0 = time.perf_counter()
    flat, hdr = parse_flat(read_bytes(p), p)
    progress.progress(f"read {p}: {flat.n_nets} nets, {int(flat.node_ptr[-1])} nodes, {len(flat.res)} resistors "
                      f"({time.perf_counter() - t0:.2f} s)")
    return Spef(p, hdr["design"], hdr["divider"], hdr["c_scale"], flat=flat)


def write_spef(path: str | Path, design, nets: list[RcNet]) -> None:
    """Write RC networks of ``design`` as a SPEF (ns, pF, kOhm): per net its ``*CONN``
    section (every terminal of the design net, drivers ``O`` / input ports ``I``), the
    node capacitances and the resistors. Node names are the netlist's (``inst:pin``,
    ports, ``net:n``), escaped for SPEF."""
    from ..fileio import write_text_atomic

    nl = design.netlist
    P = int(nl.pin_ptr[-1])
    inst_of = np.repeat(np.arange(nl.n_instances), np.diff(nl.pin_ptr))
    net_idx = {n: i for i, n in enumerate(nl.net_names)}

    def esc(n: str) -> str:
        # SPEF identifiers are letters, digits and '_'; any other character (bus
        # brackets, the divider and delimiter, '.', '$' of Yosys names...) is escaped
        return re.sub(r"([^A-Za-z0-9_])", r"\\\1", n)

    def term_name(t: int) -> tuple[str, str]:
        """(netlist spelling, SPEF spelling) of a terminal."""
        if t >= P:
            n = nl.port_names[t - P]
            return n, esc(n)
        inst, pin = nl.inst_names[inst_of[t]], nl.pin_names[nl.pin_name[t]]
        return f"{inst}:{pin}", f"{esc(inst)}:{pin}"

    def node_name(n: str, known: dict[str, str]) -> str:
        if n in known:
            return known[n]
        k = n.rfind(":")
        return f"{esc(n[:k])}:{n[k + 1:]}" if k > 0 else esc(n)

    out = ['*SPEF "IEEE 1481-1998"', f'*DESIGN "{nl.top}"', '*DATE "0"', '*VENDOR "finevh"',
           '*PROGRAM "finevh"', '*VERSION "0"', '*DESIGN_FLOW "NAME_SCOPE LOCAL"', "*DIVIDER /",
           "*DELIMITER :", "*BUS_DELIMITER [ ]", "*T_UNIT 1 NS", "*C_UNIT 1 PF", "*R_UNIT 1 KOHM",
           "*L_UNIT 1 HENRY", ""]
    ptr = design.net_term_ptr
    for net in nets:
        m = net_idx.get(net.name)
        if m is None:
            continue
        known: dict[str, str] = {}
        conn = []
        for k, t in enumerate(design.net_terms[ptr[m]:ptr[m + 1]].tolist()):
            drv = k < int(design.net_n_drivers[m])
            name, sp = term_name(t)
            known[name] = sp
            conn.append(f"*P {sp} {'I' if drv else 'O'}" if t >= P else f"*I {sp} {'O' if drv else 'I'}")
        nodes = [node_name(n, known) for n in net.nodes]
        out += [f"*D_NET {esc(net.name)} {net.total:.9g}", "*CONN"] + conn
        caps = [f"{k} {nodes[i]} {c:.9g}" for k, (i, c) in enumerate(
            ((i, c) for i, c in enumerate(net.cap.tolist()) if c > 0), 1)]
        if caps:
            out += ["*CAP"] + caps
        if len(net.res):
            out.append("*RES")
            out += [f"{k} {nodes[a]} {nodes[b]} {r:.9g}" for k, (a, b, r) in
                    enumerate(zip(net.res_a.tolist(), net.res_b.tolist(), net.res.tolist()), 1)]
        out += ["*END", ""]
    write_text_atomic(path, "\n".join(out) + "\n")


def write_spef_totals(path: str | Path, design, net_caps: dict[str, float]) -> None:
    """A capacitance-only SPEF for ``design``: one ``*D_NET`` per net of ``net_caps``
    (pF), the whole capacitance on the driver node and 1e-6 kOhm resistors from the
    driver node to every load (lumped in practice). Used to give the same wire loads
    to finevh and OpenSTA."""
    nl = design.netlist
    P = int(nl.pin_ptr[-1])
    inst_of = np.repeat(np.arange(nl.n_instances), np.diff(nl.pin_ptr))
    net_idx = {n: i for i, n in enumerate(nl.net_names)}
    ptr = design.net_term_ptr
    nets = []
    for name in sorted(net_caps):
        m = net_idx.get(name)
        if m is None or ptr[m + 1] == ptr[m]:
            continue
        terms = design.net_terms[ptr[m]:ptr[m + 1]].tolist()
        nodes = [nl.port_names[t - P] if t >= P else f"{nl.inst_names[inst_of[t]]}:{nl.pin_names[nl.pin_name[t]]}"
                 for t in terms]
        cap = np.zeros(len(nodes))
        cap[0] = net_caps[name]
        # negligible resistors tie the loads to the driver node, so that a reader
        # building an RC network still sees one lumped capacitance
        nets.append(RcNet(name, 0, nodes, cap, np.zeros(len(nodes) - 1, dtype=np.int64),
                          np.arange(1, len(nodes), dtype=np.int64), np.full(len(nodes) - 1, 1e-6), []))
    write_spef(path, design, nets)
