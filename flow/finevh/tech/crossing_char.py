"""Characterise supply-crossing timing with ngspice transients (see :mod:`finevh.tech.crossing`).

Per (VddL, VddH) pair and cell arc one deck holds, for the arc (input pin -> output pin,
other inputs at the first assignment that makes the output depend on the pin, at the
cell's own supply), every direction (LH: cell at VddH, input swinging to VddL; HL: cell
at VddL, input swinging to VddH), every input slew and load: one instance with a
full-swing input and one with the crossing input. The input is a linear ramp up, a
hold, a ramp down (20-80 % time = the index slew). ``.meas`` gives delays (input 50 %
of its swing -> output 50 % of the cell supply) and output 20/80 % times; the table
stores crossing minus full swing. Times ns, capacitances pF, voltages V.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..activity.expr import eval_bool, parse
from ..errors import InputError, ToolError
from ..fileio import write_text_atomic
from .crossing import CrossingArc, CrossingTables
from .spice import _classify, deck_header, parse_subckts, run_deck

RAMP_START = 0.2      # ns
HOLD = 12.0           # ns after each input ramp (a 1.40 V ss -40 C nor2_1 into 50 fF rises in ~4 ns)
#: transient output step and largest time step, ns (edges get smaller steps from
#: ngspice's truncation-error control; the holds between them go at TMAX)
TSTEP, TMAX = 0.005, 0.02


@dataclass(frozen=True)
class ArcSpec:
    """One characterised arc: cell, input pin, output pin, side-input values."""

    cell: str
    pin: str
    out: str
    side: tuple[tuple[str, int], ...]


def sensitised_arcs(cell) -> list[ArcSpec]:
    """Arcs of a combinational Liberty cell with the first sensitising side-input
    assignment (other inputs in pin order, all-0 first)."""
    ins = [p.name for p in cell.pins.values() if p.direction == "input"]
    out = []
    for o in cell.pins.values():
        if o.direction != "output" or not o.function:
            continue
        e = parse(o.function)
        for pin in ins:
            others = [p for p in ins if p != pin]
            for bits in itertools.product((0, 1), repeat=len(others)):
                env = dict(zip(others, (bool(b) for b in bits)))
                v0 = bool(eval_bool(e, {**env, pin: False}))
                v1 = bool(eval_bool(e, {**env, pin: True}))
                if v0 != v1:
                    out.append(ArcSpec(cell.name, pin, o.name, tuple(zip(others, bits))))
                    break
    return out


def _pwl(v: float, slew: float, hold: float = HOLD) -> tuple[str, float]:
    t = slew / 0.6                  # 0-100 % ramp of a 20-80 % slew
    a, b = RAMP_START, RAMP_START + t
    c, d = b + hold, b + hold + t
    pts = [(0.0, 0.0), (a, 0.0), (b, v), (c, v), (d, 0.0)]
    return "pwl(" + " ".join(f"{x:.6g}n {y:.6g}" for x, y in pts) + ")", d + hold


def _run_cached(deck: str, ngspice: str, timeout: float, cache: Path | None, stats: dict | None,
                salt: str = "") -> str:
    """ngspice's output for ``deck``, from ``cache`` (a folder) when it holds this deck
    (``salt``: digest of the files the deck includes)."""
    st = stats if stats is not None else {}
    for k in ("runs", "hits", "ngspice_s"):
        st.setdefault(k, 0)
    f = None
    if cache is not None:
        f = Path(cache) / (hashlib.sha256((salt + "\n" + deck).encode()).hexdigest() + ".out")
        if f.is_file():
            st["hits"] += 1
            return f.read_text()
    t0 = time.perf_counter()
    out = run_deck(deck, ngspice, timeout)
    st["ngspice_s"] += time.perf_counter() - t0
    st["runs"] += 1
    if f is not None and _MEAS.search(out):
        write_text_atomic(f, out)
    return out


def arc_instances(arc: ArcSpec, ports: tuple[str, ...], kinds: dict[str, str], vddl: float, vddh: float,
                  slews, loads, start: int, hold: float = HOLD):
    """Netlist lines, measure lines and [(i, direction, crossing?, slew idx, load idx)]
    for one arc; instance numbers from ``start``. Returns also the stop time (ns)."""
    lines, meas, insts = [], [], []
    side = dict(arc.side)
    i = start
    stop = 0.0
    for d, (vc, vx) in enumerate(((vddh, vddl), (vddl, vddh))):
        for cross, vin in ((0, vc), (1, vx)):
            for si, s in enumerate(slews):
                for li, c in enumerate(loads):
                    pwl, t_end = _pwl(vin, s, hold)
                    stop = max(stop, t_end)
                    lines.append(f"vs{i} s{i} 0 dc {vc:.6g}")
                    lines.append(f"va{i} a{i} 0 {pwl}")
                    nets = []
                    for p in ports:
                        k = kinds[p]
                        if k in ("vdd", "nw"):
                            nets.append(f"s{i}")
                        elif k in ("gnd", "pw"):
                            nets.append("0")
                        elif p == arc.out:
                            nets.append(f"y{i}")
                        elif p == arc.pin:
                            nets.append(f"a{i}")
                        elif k == "out":
                            nets.append(f"o{i}_{p}")
                        else:
                            nets.append(f"s{i}" if side.get(p) else "0")
                    lines.append(f"x{i} {' '.join(nets)} {arc.cell}")
                    lines.append(f"c{i} y{i} 0 {c * 1e-12:.6g}")
                    hi, lo, mid, mi = 0.8 * vc, 0.2 * vc, 0.5 * vc, 0.5 * vin
                    meas += [f".meas tran dr{i} trig v(a{i}) val={mi:.6g} rise=1 targ v(y{i}) val={mid:.6g} cross=1",
                             f".meas tran df{i} trig v(a{i}) val={mi:.6g} fall=1 targ v(y{i}) val={mid:.6g} cross=2",
                             f".meas tran lr{i} when v(y{i})={lo:.6g} cross=1",
                             f".meas tran hr{i} when v(y{i})={hi:.6g} cross=1",
                             f".meas tran lf{i} when v(y{i})={lo:.6g} cross=2",
                             f".meas tran hf{i} when v(y{i})={hi:.6g} cross=2"]
                    insts.append((i, d, cross, si, li))
                    i += 1
    return lines, meas, insts, stop


_MEAS = re.compile(r"^\s*([dlh][rf]\d+)\s*=\s*([-+0-9.eE]+)", re.M)


def characterise_crossing(netlists: dict[str, Path], liberty_cells: dict, models: Path, pairs, slews, loads,
                          flavour: str, temp: float, section: str | None = None, gmin: float | None = 1e-15,
                          technology: str = "", ngspice: str = "ngspice", progress_cb=None,
                          tstep: float = TSTEP, timeout: float = 7200.0, hold: float = HOLD,
                          cache: Path | None = None, stats: dict | None = None) -> CrossingTables:
    """Crossing tables of every sensitisable arc of ``liberty_cells`` ({name: Liberty
    cell}, combinational) with their SPICE ``netlists`` ({name: file}), one ngspice
    transient per pair and arc (the time points of a transient are shared by all its
    instances, so one deck of many arcs costs about the square of one arc's).

    ``hold``: ns between the input ramps (long enough for the slowest output to settle).
    ``cache``: a folder of ngspice outputs keyed by the SHA-256 of the deck text and of
    the files it includes (a deck already run is not run again). ``stats`` (a dict) receives ``runs``, ``hits``
    and ``ngspice_s`` (wall seconds in ngspice)."""
    slews, loads = np.asarray(slews, float), np.asarray(loads, float)
    plan = []
    for name, cell in liberty_cells.items():
        f = Path(netlists[name])
        sc = parse_subckts(f.read_text(), str(f)).get(name.upper())
        if sc is None:
            raise InputError(f"no .subckt {name}", f)
        outs = tuple(p.name for p in cell.pins.values() if p.direction == "output")
        _ins, kinds = _classify(sc, outs)
        for arc in sensitised_arcs(cell):
            plan.append((arc, sc.ports, kinds))
    ct = CrossingTables(technology=technology)
    salt = ""
    if cache is not None:           # the deck names its included files: key on their contents too
        h = hashlib.sha256(ngspice.encode())
        for f in sorted({str(Path(p)) for p in netlists.values()} | {str(models)}):
            h.update(Path(f).read_bytes())
        salt = h.hexdigest()
    for vl, vh in pairs:
        key = (flavour, round(vl, 4), round(vh, 4))
        ct.tables[key] = {}
        for arc, ports, kinds in plan:      # one deck per arc: a transient's time points are
            lines, meas, insts, stop = arc_instances(arc, ports, kinds, vl, vh, slews, loads, 0, hold)
            header = deck_header(f"finevh crossing: {arc.cell} {arc.pin}->{arc.out} VddL={vl} VddH={vh}",
                                 [str(netlists[arc.cell])], Path(models), temp, section, gmin)
            deck = "\n".join(header + lines + meas + [f".tran {tstep * 1e3:.6g}p {stop:.6g}n 0 {TMAX * 1e3:.6g}p", ".end", ""])
            vals = {k: float(v) for k, v in _MEAS.findall(_run_cached(deck, ngspice, timeout, cache, stats, salt))}
            ct.tables[key][(arc.cell, arc.pin, arc.out)] = _arc_table(arc, insts, vals, slews, loads)
            if progress_cb is not None:
                progress_cb(arc, vl, vh)
    return ct


def _arc_table(arc: ArcSpec, insts, vals: dict[str, float], slews, loads) -> CrossingArc:
    got = np.zeros((2, 2, 2, 2, len(slews), len(loads)))      # dir, crossing?, in rf, quantity
    for i, d, cross, si, li in insts:
        for r, tag in enumerate("rf"):
            need = [f"d{tag}{i}", f"l{tag}{i}", f"h{tag}{i}"]
            miss = [n for n in need if n not in vals]
            if miss:
                raise ToolError(f"ngspice: measurement {miss[0]} failed ({arc.cell} {arc.pin}->{arc.out}): "
                                "the output did not switch")
            got[d, cross, r, 0, si, li] = vals[need[0]] * 1e9
            got[d, cross, r, 1, si, li] = abs(vals[need[2]] - vals[need[1]]) * 1e9
    return CrossingArc(slews.copy(), loads.copy(), got[:, 1] - got[:, 0])
