"""Logic constants from the netlist, propagated through combinational cells.

Sources: nets tied to ``1'b0``/``1'b1`` in the netlist (``Netlist.net_const``) and tie
cells (an output whose ``function`` is a constant, e.g. sky130 ``conb_1``). A cell
output becomes constant when its Liberty ``function``, with the constant inputs fixed,
has one value for every assignment of the other inputs; propagation stops at sequential
cells. As in OpenSTA (its ``Sim``), the timer then disables the arcs from constant pins
and into constant outputs, refines the sense of non-unate arcs whose side inputs are
constant (``XOR(A, 0)`` is positive-unate in A), and drops checks and output endpoints
whose data is constant.
"""

from __future__ import annotations

import itertools
import re

import numpy as np

from .arcs import _parse_bool

_MAX_FREE = 10


def _const_of_function(fn: str) -> int | None:
    t = re.sub(r"[\s()\"]", "", fn)
    if t in ("0", "1'b0", "1'h0"):
        return 0
    if t in ("1", "1'b1", "1'h1"):
        return 1
    return None


def evaluate_constant(fn: str, inputs: list[str], fixed: dict[str, bool]) -> int | None:
    """Value of ``fn`` if it does not depend on the inputs not in ``fixed``, else None."""
    free = [p for p in inputs if p not in fixed]
    if len(free) > _MAX_FREE:
        return None
    try:
        f = _parse_bool(fn)
    except (IndexError, TypeError):
        return None
    seen = set()
    env = dict(fixed)
    for bits in itertools.product((False, True), repeat=len(free)):
        env.update(zip(free, bits))
        seen.add(bool(f(env)))
        if len(seen) > 1:
            return None
    return int(seen.pop()) if seen else None


def sense_given(fn: str, pin: str, inputs: list[str], fixed: dict[str, bool]) -> str | None:
    """Timing sense of ``fn`` in ``pin`` with some inputs fixed (None: no dependence)."""
    free = [p for p in inputs if p not in fixed and p != pin]
    if len(free) > _MAX_FREE:
        return "non_unate"
    try:
        f = _parse_bool(fn)
    except (IndexError, TypeError):
        return "non_unate"
    pos = neg = False
    env = dict(fixed)
    for bits in itertools.product((False, True), repeat=len(free)):
        env.update(zip(free, bits))
        env[pin] = False
        f0 = f(env)
        env[pin] = True
        f1 = f(env)
        pos |= f1 and not f0
        neg |= f0 and not f1
    if pos and neg:
        return "non_unate"
    if pos:
        return "positive_unate"
    if neg:
        return "negative_unate"
    return None


def propagate(design, net_of_term: np.ndarray, seeds: dict[int, int] | None = None) -> np.ndarray:
    """int8[T]: constant value (0/1) of every terminal's net, -1 when not constant;
    ``seeds``: more constant nets (net index -> 0/1, e.g. ``set_case_analysis``)."""
    nl = design.netlist
    P = int(nl.pin_ptr[-1])
    M = nl.n_nets
    net_val = np.full(M, -1, dtype=np.int8)
    nc = np.asarray(nl.net_const)
    net_val[nc >= 0] = nc[nc >= 0]
    for m, v in (seeds or {}).items():
        net_val[m] = v
    inst_cell = np.asarray(design.inst_cell)
    pin_ptr = nl.pin_ptr
    ptr = design.net_term_ptr
    terms = design.net_terms

    def pins_of(i: int) -> dict[str, int]:
        return {nl.pin_names[nl.pin_name[p]]: p for p in range(int(pin_ptr[i]), int(pin_ptr[i + 1]))}

    work: list[int] = []
    # tie cells
    for ci, cell in enumerate(design.cells):
        outs = [(p.name, _const_of_function(p.function)) for p in cell.output_pins() if p.function]
        outs = [(n, v) for n, v in outs if v is not None]
        if not outs or cell.sequential is not None:
            continue
        for i in np.nonzero(inst_cell == ci)[0].tolist():
            pp = pins_of(i)
            for n, v in outs:
                if n in pp and nl.pin_net[pp[n]] >= 0 and net_val[nl.pin_net[pp[n]]] < 0:
                    net_val[nl.pin_net[pp[n]]] = v
                    work.append(int(nl.pin_net[pp[n]]))
    work.extend(np.nonzero(net_val >= 0)[0].tolist())
    done_inst: set[tuple[int, tuple]] = set()
    while work:
        m = work.pop()
        for t in terms[ptr[m]:ptr[m + 1]].tolist():
            if t >= P:
                continue
            i = int(np.searchsorted(pin_ptr, t, side="right") - 1)
            cell = design.cells[int(inst_cell[i])]
            if cell.sequential is not None:
                continue
            pp = pins_of(i)
            ins = [p.name for p in cell.input_pins()]
            fixed = {n: bool(net_val[nl.pin_net[pp[n]]]) for n in ins
                     if n in pp and nl.pin_net[pp[n]] >= 0 and net_val[nl.pin_net[pp[n]]] >= 0}
            key = (i, tuple(sorted(fixed.items())))
            if key in done_inst:
                continue
            done_inst.add(key)
            for op in cell.output_pins():
                if not op.function or op.name not in pp or op.three_state:
                    continue
                om = int(nl.pin_net[pp[op.name]])
                if om < 0 or net_val[om] >= 0:
                    continue
                v = evaluate_constant(op.function, ins, fixed)
                if v is not None:
                    net_val[om] = v
                    work.append(om)
    out = np.full(len(net_of_term), -1, dtype=np.int8)
    ok = net_of_term >= 0
    out[ok] = net_val[net_of_term[ok]]
    return out
