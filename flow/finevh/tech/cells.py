"""Cell catalogue of the demo28 technology: transistor-level topology of every cell.

A cell is a chain of static CMOS *stages*. A stage drives one net; its pull-down
network (PDN) is a series/parallel tree of nMOS whose gates are nets (``'A'``,
``('s', x, y, ...)`` = series, ``('p', x, y, ...)`` = parallel); its pull-up network is
the dual tree of pMOS. The stage output is NOT(PDN conducts). Nets named in
``free`` are internal storage nodes (latch state): the leakage of a pin pattern is
averaged over their values.

Transistors are sized by logical effort: a device in a series chain of depth m gets
m times the unit width (WN_UNIT nMOS, WP_UNIT pMOS) times the stage drive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Union

Tree = Union[str, tuple]

WN_UNIT = 0.30      # um, nMOS width of an X1 inverter
WP_UNIT = 0.40      # um, pMOS width of an X1 inverter
SITE_W = 0.136      # um, placement site width (contacted poly pitch)
ROW_H = 1.20        # um, row height (site height)
MAX_FINGER = 0.50   # um, widest single finger; wider devices are folded


@dataclass(frozen=True)
class Stage:
    out: str
    pdn: Tree
    drive: float = 1.0


@dataclass(frozen=True)
class CellSpec:
    name: str
    kind: str                         # comb, ff, latch, icg, tie, fill, vddmux
    inputs: tuple[str, ...] = ()
    output: str | None = None
    function: str | None = None       # Liberty boolean expression of the output
    stages: tuple[Stage, ...] = ()
    free: tuple[str, ...] = ()        # internal storage nets (averaged)
    drive: int = 1
    sites: int = 0                    # width in placement sites
    clear: str | None = None          # async clear pin (active low), ff only

    @property
    def base(self) -> str:
        return self.name.rsplit("_X", 1)[0]

    @property
    def width(self) -> float:
        return self.sites * SITE_W

    @property
    def area(self) -> float:
        return round(self.sites * SITE_W * ROW_H, 6)


def leaves(t: Tree) -> list[str]:
    if isinstance(t, str):
        return [t]
    out: list[str] = []
    for c in t[1:]:
        out += leaves(c)
    return out


def dual(t: Tree) -> Tree:
    if isinstance(t, str):
        return t
    return ("p" if t[0] == "s" else "s",) + tuple(dual(c) for c in t[1:])


def max_depth(t: Tree) -> int:
    if isinstance(t, str):
        return 1
    ds = [max_depth(c) for c in t[1:]]
    return sum(ds) if t[0] == "s" else max(ds)


def leaf_depths(t: Tree) -> list[tuple[str, int]]:
    """(net, series depth of the longest conducting path through that leaf), per leaf."""
    if isinstance(t, str):
        return [(t, 1)]
    out: list[tuple[str, int]] = []
    kids = t[1:]
    if t[0] == "p":
        for c in kids:
            out += leaf_depths(c)
        return out
    ds = [max_depth(c) for c in kids]
    tot = sum(ds)
    for c, d in zip(kids, ds):
        out += [(n, k + tot - d) for n, k in leaf_depths(c)]
    return out


def conducts(t: Tree, val: dict[str, int], pmos: bool) -> bool:
    if isinstance(t, str):
        return val[t] == (0 if pmos else 1)
    r = [conducts(c, val, pmos) for c in t[1:]]
    return all(r) if t[0] == "s" else any(r)


def _sites(stages: tuple[Stage, ...], extra: int = 0) -> int:
    cols = 0
    for s in stages:
        for (_n, mn), (_p, mp) in zip(leaf_depths(s.pdn), leaf_depths(dual(s.pdn))):
            wn, wp = WN_UNIT * s.drive * mn, WP_UNIT * s.drive * mp
            cols += max(math.ceil(wn / MAX_FINGER - 1e-9), math.ceil(wp / MAX_FINGER - 1e-9))
    return cols + 1 + extra


def _comb(name: str, inputs: tuple[str, ...], function: str, stages: tuple[Stage, ...], drive: int) -> CellSpec:
    return CellSpec(name=name, kind="comb", inputs=inputs, output="Y", function=function,
                    stages=stages, drive=drive, sites=max(_sites(stages), len(inputs) + 2))


def _names(n: int) -> tuple[str, ...]:
    return tuple("ABCD"[:n])


def catalogue() -> tuple[CellSpec, ...]:
    """Every cell of demo28, in a fixed order."""
    cells: list[CellSpec] = []
    for d in (1, 2, 4, 8):
        cells.append(_comb(f"INV_X{d}", ("A",), "!A", (Stage("Y", "A", d),), d))
    for d in (1, 2, 4, 8):
        first = max(1.0, d / 3.0)
        cells.append(_comb(f"BUF_X{d}", ("A",), "A", (Stage("n1", "A", first), Stage("Y", "n1", d)), d))
    for n in (2, 3, 4):
        ins = _names(n)
        drives = (1, 2) if n == 2 else (1,)
        for d in drives:
            cells.append(_comb(f"NAND{n}_X{d}", ins, "!(" + "&".join(ins) + ")", (Stage("Y", ("s",) + ins, d),), d))
            cells.append(_comb(f"NOR{n}_X{d}", ins, "!(" + "|".join(ins) + ")", (Stage("Y", ("p",) + ins, d),), d))
        cells.append(_comb(f"AND{n}_X1", ins, "&".join(ins), (Stage("n1", ("s",) + ins, 1), Stage("Y", "n1", 1)), 1))
        cells.append(_comb(f"OR{n}_X1", ins, "|".join(ins), (Stage("n1", ("p",) + ins, 1), Stage("Y", "n1", 1)), 1))
    aoi = {
        "AOI21": (("A1", "A2", "B"), ("p", ("s", "A1", "A2"), "B"), "!((A1&A2)|B)"),
        "AOI22": (("A1", "A2", "B1", "B2"), ("p", ("s", "A1", "A2"), ("s", "B1", "B2")), "!((A1&A2)|(B1&B2))"),
        "AOI211": (("A1", "A2", "B", "C"), ("p", ("s", "A1", "A2"), "B", "C"), "!((A1&A2)|B|C)"),
        "OAI21": (("A1", "A2", "B"), ("s", ("p", "A1", "A2"), "B"), "!((A1|A2)&B)"),
        "OAI22": (("A1", "A2", "B1", "B2"), ("s", ("p", "A1", "A2"), ("p", "B1", "B2")), "!((A1|A2)&(B1|B2))"),
        "OAI211": (("A1", "A2", "B", "C"), ("s", ("p", "A1", "A2"), "B", "C"), "!((A1|A2)&B&C)"),
    }
    for nm, (ins, tree, fn) in aoi.items():
        cells.append(_comb(f"{nm}_X1", ins, fn, (Stage("Y", tree, 1),), 1))
    inv_ab = (Stage("an", "A", 1), Stage("bn", "B", 1))
    cells.append(_comb("XOR2_X1", ("A", "B"), "A^B",
                       inv_ab + (Stage("Y", ("p", ("s", "A", "B"), ("s", "an", "bn")), 1),), 1))
    cells.append(_comb("XNOR2_X1", ("A", "B"), "!(A^B)",
                       inv_ab + (Stage("Y", ("p", ("s", "A", "bn"), ("s", "an", "B")), 1),), 1))
    cells.append(_comb("MUX2_X1", ("A", "B", "S"), "(A&!S)|(B&S)",
                       (Stage("sn", "S", 1), Stage("n1", ("p", ("s", "A", "sn"), ("s", "B", "S")), 1),
                        Stage("Y", "n1", 1)), 1))
    # Flip-flops: master-slave, positive edge. ckn/ckb: clock inverters; dn: data input
    # inverter; m1/m2 and s1/s2: master and slave latch loops (state nets qm, qs free).
    for d in (1, 2):
        st = (Stage("ckn", "CK", 1), Stage("ckb", "ckn", 1), Stage("dn", "D", 1),
              Stage("m1", "qm", 1), Stage("m2", "m1", 1), Stage("s1", "qs", 1), Stage("s2", "s1", 1),
              Stage("Q", "s1", d))
        cells.append(CellSpec(name=f"DFF_X{d}", kind="ff", inputs=("D", "CK"), output="Q", function="IQ",
                              stages=st, free=("qm", "qs"), drive=d, sites=_sites(st, 6)))
        st = (Stage("ckn", "CK", 1), Stage("ckb", "ckn", 1), Stage("dn", "D", 1),
              Stage("m1", ("s", "RN", "qm"), 1), Stage("m2", "m1", 1), Stage("s1", ("s", "RN", "qs"), 1),
              Stage("s2", "s1", 1), Stage("Q", "s1", d))
        cells.append(CellSpec(name=f"DFFR_X{d}", kind="ff", inputs=("D", "CK", "RN"), output="Q", function="IQ",
                              stages=st, free=("qm", "qs"), drive=d, sites=_sites(st, 7), clear="RN"))
    # D latch, transparent while E is high: en/enb: enable inverters (they drive the
    # input and feedback transmission gates); dn: data input inverter, which drives
    # the storage node ql (= !D) through the input gate; l1/l2: the latch loop (l2
    # closes it through the feedback gate); Q = !ql. State net ql free.
    st = (Stage("en", "E", 1), Stage("enb", "en", 1), Stage("dn", "D", 1),
          Stage("l1", "ql", 1), Stage("l2", "l1", 1), Stage("Q", "ql", 1))
    cells.append(CellSpec(name="DLH_X1", kind="latch", inputs=("D", "E"), output="Q", function="IQ",
                          stages=st, free=("ql",), drive=1, sites=_sites(st, 4)))
    # Integrated clock gate (latch_posedge): latch transparent while CK is low.
    st = (Stage("ckn", "CK", 1), Stage("en", "E", 1), Stage("l1", "ql", 1), Stage("l2", "l1", 1),
          Stage("g", ("s", "CK", "ql"), 1), Stage("GCK", "g", 2))
    cells.append(CellSpec(name="ICG_X1", kind="icg", inputs=("CK", "E"), output="GCK", function="CK&IQ",
                          stages=st, free=("ql",), drive=2, sites=_sites(st, 4)))
    cells.append(CellSpec(name="TIEH_X1", kind="tie", output="Y", function="1", sites=3))
    cells.append(CellSpec(name="TIEL_X1", kind="tie", output="Y", function="0", sites=3))
    for w in (1, 2, 4, 8):
        cells.append(CellSpec(name=f"FILL_X{w}", kind="fill", sites=w))
    cells.append(CellSpec(name="VDDMUX_X1", kind="vddmux", inputs=("SEL",), sites=VDDMUX_SITES))
    return tuple(cells)


# Vdd-MUX: two pMOS headers (VDDH->VVDD, VDDL->VVDD) of VDDMUX_WIDTH um each, plus the
# select inverter that drives the VDDL header's gate (see docs/tech.md).
VDDMUX_WIDTH = 8.0      # um per header device
VDDMUX_SITES = 2 * math.ceil(VDDMUX_WIDTH / (2 * MAX_FINGER)) + 4
