"""A chain of cells across VddL/VddH tiles: the finevh timer (Liberty, with and without
crossing tables) against ngspice transients of the same chain. Technology-neutral:
:class:`ChainTech` names the cells' SPICE files, models, ports and libraries
(tests/sky130_chain.py and tests/demo28_chain.py are its two instances).

Reference without crossings: at every supply crossing an ideal level shifter (a
voltage-controlled source of gain V_receiver / V_driver) drives the receiving stage, and
the driver sees the receiver's Liberty input capacitance as a capacitor instead: every
stage then switches with a full-swing input, as the Liberty tables assume. The timer's
crossing terms (crossing-aware minus plain timing) added to that reference predict the
chain with crossings; ngspice gives it. Times ns, capacitances pF, voltages V.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Stage:
    cell: str
    pin: str                      # switching input
    ones: tuple[str, ...] = ()    # side inputs tied to the stage's supply
    zeros: tuple[str, ...] = ()   # side inputs tied to ground
    supply: str = "H"             # "H" or "L"


@dataclass(frozen=True)
class ChainTech:
    """``out_of``: {cell: output pin}; ``power``/``ground``: port names tied to the stage's
    supply / to 0 V (bulk ports included); ``section``: model library section (None:
    ``.include``); ``temp``: C."""

    out_of: dict
    power: tuple[str, ...]
    ground: tuple[str, ...]
    vddl: float
    vddh: float
    in_slew: float = 0.1
    load: float = 0.005
    temp: float = 25.0
    section: str | None = None
    gmin: float = 1e-15
    t_stop: float = 12.0          # ns; the input rises at 0.5 ns and falls at 6 ns
    t_step: float = 0.001         # ns


def crossings(stages) -> int:
    return sum(a.supply != b.supply for a, b in zip(stages, stages[1:]))


def verilog(tech: ChainTech, stages) -> str:
    o = ["module chain (a, y);", "  input a;", "  output y;"]
    o += [f"  wire n{i};" for i in range(1, len(stages))]
    for i, s in enumerate(stages):
        src = "a" if i == 0 else f"n{i}"
        dst = "y" if i == len(stages) - 1 else f"n{i + 1}"
        conns = [f".{s.pin}({src})"] + [f".{p}(1'b1)" for p in s.ones] + [f".{p}(1'b0)" for p in s.zeros]
        conns.append(f".{tech.out_of[s.cell]}({dst})")
        o.append(f"  {s.cell} u{i} ({', '.join(conns)});")
    o.append("endmodule")
    return "\n".join(o) + "\n"


def sdc(tech: ChainTech) -> str:
    return (f"create_clock -name v -period 20\nset_input_delay 0 -clock v [get_ports a]\n"
            f"set_output_delay 0 -clock v [get_ports y]\nset_input_transition {tech.in_slew} [get_ports a]\n"
            f"set_load {tech.load} [get_ports y]\n")


def timer_delays(tech: ChainTech, liberty_h: str, liberty_l: str, tables, tmp: Path, stages):
    """((plain rise, plain fall), (crossing rise, crossing fall)): the chain output's
    arrival for an input rise/fall from the finevh timer, ns. ``tables``: one pair's
    arcs or a CrossingTables."""
    from finevh.loader import load_design
    from finevh.timing import crossing
    from finevh.timing.binding import bind_voltage
    from finevh.timing.constraints import TerminalNames, read_constraints
    from finevh.timing.engine import Timer

    (tmp / "chain.v").write_text(verilog(tech, stages))
    (tmp / "chain.sdc").write_text(sdc(tech))
    d = load_design([liberty_h, liberty_l], str(tmp / "chain.v"))
    low = [i for i, s in enumerate(stages) if s.supply == "L"]
    bind_voltage(d, low, tech.vddl)
    tc = read_constraints(str(tmp / "chain.sdc"), d, d.libset)
    tm = Timer(d, tc)
    last = stages[-1]
    y = TerminalNames(d).pin(f"u{len(stages) - 1}/{tech.out_of[last.cell]}")

    def arrival(r):
        a = r.arrival[:, y, :]
        return np.where(np.isfinite(a), a, -np.inf).max(axis=0)

    plain = arrival(tm.update(incremental=False))
    vdd = np.array([tech.vddl if s.supply == "L" else tech.vddh for s in stages])
    adj = crossing.enable(tm, tables, vdd, tech.vddl, tech.vddh)
    assert adj.crossing_edges > 0 and adj.missing == 0, (adj.crossing_edges, adj.missing)
    cross = arrival(tm.update(incremental=False))
    crossing.disable(tm)
    # the output's rise is timed from the input's rise for an even number of inverting stages
    return tuple(plain.tolist()), tuple(cross.tolist())


def spice_delays(tech: ChainTech, models: Path, netlists: dict, stages, shifters: dict | str | None = None):
    """(output rise, output fall) delay of the chain in ngspice for the input's rise and
    fall (input 50 % of VddH -> output 50 % of the last stage's supply), ns. ``shifters``:
    the reference with ideal level shifters, whose input is ``{stage: capacitance, pF}``
    (a capacitor) or ``"cell"`` (a copy of the receiving cell at the driver's supply,
    output open: the receiver's own gate load, Miller coupling included, at full swing)."""
    from finevh.tech.spice import deck_header, run_deck

    sup = {"H": tech.vddh, "L": tech.vddl}
    lines = deck_header("finevh chain", sorted({str(netlists[s.cell]) for s in stages}), models, tech.temp,
                        tech.section, tech.gmin)
    lines += [f"vh vh 0 dc {tech.vddh}", f"vl vl 0 dc {tech.vddl}"]
    t = tech.in_slew / 0.6
    lines.append(f"va n0 0 pwl(0 0 0.5n 0 {0.5 + t:.6g}n {tech.vddh} 6n {tech.vddh} {6 + t:.6g}n 0)")
    for i, s in enumerate(stages):
        src = f"n{i}"
        if shifters is not None and i > 0 and stages[i - 1].supply != s.supply:
            src = f"m{i}"
            lines.append(f"e{i} m{i} 0 n{i} 0 {sup[s.supply] / sup[stages[i - 1].supply]:.6g}")
            if shifters == "cell":
                lines.append(_instance(tech, netlists, s, f"xd{i}", "vh" if stages[i - 1].supply == "H" else "vl",
                                       f"n{i}", f"d{i}"))
            else:
                lines.append(f"cs{i} n{i} 0 {shifters[i] * 1e-12:.6g}")
        lines.append(_instance(tech, netlists, s, f"x{i}", "vh" if s.supply == "H" else "vl", src, f"n{i + 1}"))
    n = len(stages)
    vo = sup[stages[-1].supply]
    lines.append(f"cl n{n} 0 {tech.load * 1e-12:.6g}")
    lines += [f".meas tran dr trig v(n0) val={tech.vddh / 2:.6g} rise=1 targ v(n{n}) val={vo / 2:.6g} cross=1",
              f".meas tran df trig v(n0) val={tech.vddh / 2:.6g} fall=1 targ v(n{n}) val={vo / 2:.6g} cross=2",
              f".tran {tech.t_step * 1e3:g}p {tech.t_stop:g}n", ".end", ""]
    out = run_deck("\n".join(lines), timeout=1800.0)      # sky130's corner library: minutes on a busy machine
    vals = dict(re.findall(r"^\s*(d[rf])\s*=\s*([-+0-9.eE]+)", out, re.M))
    if set(vals) != {"dr", "df"}:
        raise RuntimeError("ngspice chain: measurement failed\n" + out[-2000:])
    return float(vals["dr"]) * 1e9, float(vals["df"]) * 1e9


def _instance(tech: ChainTech, netlists: dict, s: Stage, name: str, rail: str, src: str, dst: str) -> str:
    from finevh.tech.spice import parse_subckts

    f = Path(netlists[s.cell])
    nets = []
    for p in parse_subckts(f.read_text(), str(f))[s.cell.upper()].ports:
        if p in tech.power:
            nets.append(rail)
        elif p in tech.ground:
            nets.append("0")
        elif p == s.pin:
            nets.append(src)
        elif p == tech.out_of[s.cell]:
            nets.append(dst)
        else:
            nets.append(rail if p in s.ones else "0")
    return f"{name} {' '.join(nets)} {s.cell}"


def input_caps(liberty_h: str, liberty_l: str, stages) -> dict[int, float]:
    """{stage: capacitance of its switching pin (mean of rise and fall), pF} from the
    library of the stage's supply."""
    from finevh.liberty.reader import read_liberty

    libs = {"H": read_liberty(liberty_h), "L": read_liberty(liberty_l)}
    out = {}
    for i, s in enumerate(stages):
        p = libs[s.supply].cells[s.cell].pins[s.pin]
        rc, fc = p.rise_capacitance or p.capacitance, p.fall_capacitance or p.capacitance
        out[i] = 0.5 * (rc + fc)
    return out


@dataclass(frozen=True)
class Validation:
    """ngspice with crossings, ngspice with ideal level shifters, the timer plain and
    crossing-aware ((rise, fall) each, ns) and the prediction's relative error."""

    spice: np.ndarray
    shifted: np.ndarray
    plain: np.ndarray
    cross: np.ndarray

    @property
    def predicted(self) -> np.ndarray:
        return self.shifted + self.cross - self.plain

    @property
    def error(self) -> np.ndarray:
        return self.predicted / self.spice - 1.0

    @property
    def error_without_terms(self) -> np.ndarray:
        return self.shifted / self.spice - 1.0

    def lines(self, n_stages: int, n_cross: int) -> list[str]:
        p, e = self.predicted, 100 * self.error
        return [f"chain of {n_stages} cells, {n_cross} crossings (input rise / fall, ns)",
                f"ngspice: crossings {self.spice[0]:.4f} / {self.spice[1]:.4f}; "
                f"ideal level shifters {self.shifted[0]:.4f} / {self.shifted[1]:.4f}",
                f"timer: plain {self.plain[0]:.4f} / {self.plain[1]:.4f}; "
                f"crossing-aware {self.cross[0]:.4f} / {self.cross[1]:.4f}",
                f"ngspice full-swing basis + timer crossing terms: {p[0]:.4f} / {p[1]:.4f} "
                f"(error {e[0]:+.2f} % / {e[1]:+.2f} %; without the terms "
                f"{100 * self.error_without_terms[0]:+.2f} % / {100 * self.error_without_terms[1]:+.2f} %)"]


def validate(tech: ChainTech, stages, liberty_h: str, liberty_l: str, tables, models: Path, netlists: dict,
             tmp: Path, shifter_load: str = "liberty") -> Validation:
    """``shifter_load``: what a level shifter of the reference presents to its driver:
    ``"liberty"`` (the receiver's Liberty pin capacitance, what the timer loads the
    driver with) or ``"cell"`` (a full-swing copy of the receiver, see :func:`spice_delays`)."""
    plain, cross = timer_delays(tech, liberty_h, liberty_l, tables, tmp, stages)
    got = spice_delays(tech, models, netlists, stages)
    ref = spice_delays(tech, models, netlists, stages,
                       shifters="cell" if shifter_load == "cell" else input_caps(liberty_h, liberty_l, stages))
    return Validation(np.array(got), np.array(ref), np.array(plain), np.array(cross))
