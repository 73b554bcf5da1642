"""ngspice deck building blocks shared by the combinational and sequential
measurements: conditions, ramps, cell instances, ``.meas`` lines and their parsing.

Many measurement points go into ONE deck (one cell copy per point, each with its own
sources and load), so ngspice loads the models once per deck: see
:mod:`finevh.tech.charlib.comb` and :mod:`finevh.tech.charlib.seq`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import ToolError
from ..spice import run_deck

POWER = ("VPWR", "VPB", "KAPWR")
GROUND = ("VGND", "VNB")


@dataclass(frozen=True)
class Conditions:
    """Corner (model section), temperature (C), supply (V) and the Liberty thresholds
    (fractions of the supply) the tables are measured with."""

    corner: str
    temp: float
    vdd: float
    slew_lo: float = 0.2
    slew_hi: float = 0.8
    slew_derate: float = 1.0
    delay_th: float = 0.5

    def ramp(self, slew_ns: float) -> float:
        """Full 0-100 % duration (ns) of a linear ramp whose Liberty slew is ``slew_ns``."""
        return slew_ns / self.slew_derate / (self.slew_hi - self.slew_lo)


def fmt(v: float) -> str:
    return f"{v:.6g}"


@dataclass
class Deck:
    """A deck under construction: netlist lines, control lines and the names of the
    ``.meas`` results it will print."""

    cond: Conditions
    models: Path
    netlist: Path
    lines: list[str] = field(default_factory=list)
    control: list[str] = field(default_factory=list)
    meas: list[str] = field(default_factory=list)
    prints: list[str] = field(default_factory=list)
    #: gmin (1e-12 S by default) alone leaks ~1 pA per node, far above the tens of fA
    #: an off cell leaks at -40 C: leakage decks lower it (timing decks keep ngspice's)
    low_gmin: bool = False

    def pwl(self, name: str, net: str, points: list[tuple[float, float]]) -> None:
        """Voltage source ``name`` on ``net`` with a piecewise-linear waveform (ns, V)."""
        pts = []
        last = -1.0
        for t, v in points:
            t = max(t, last + 1e-6)            # strictly increasing times
            pts.append(f"{fmt(t)}n {fmt(v)}")
            last = t
        self.lines.append(f"{name} {net} 0 pwl({' '.join(pts)})")

    def instance(self, name: str, ports: tuple[str, ...], subckt: str, nets: dict[str, str],
                 supply: str = "vdd") -> None:
        """Cell copy: power/bulk ports on ``supply`` / 0, the others as ``nets`` says."""
        out = []
        for p in ports:
            u = p.upper()
            out.append(supply if u in POWER else "0" if u in GROUND else nets[p])
        self.lines.append(f"x{name} {' '.join(out)} {subckt}")

    def cross(self, name: str, trig: str, trig_edge: str, targ: str, targ_edge: str, trig_v: float,
              targ_v: float, td: float = 0.0) -> None:
        """``name`` = time from ``trig`` crossing ``trig_v`` (edge rise/fall) to ``targ``
        crossing ``targ_v``, both searched after ``td`` ns."""
        tds = f" td={fmt(td)}n" if td > 0 else ""
        self.control.append(f"meas tran {name} trig v({trig}) val={fmt(trig_v)} {trig_edge}=1{tds} "
                            f"targ v({targ}) val={fmt(targ_v)} {targ_edge}=1{tds}")
        self.meas.append(name)

    def text(self, tstop_ns: float, tmax_ns: float | None = None, ops: list[str] | None = None) -> str:
        c = self.cond
        head = [f"* finevh charlib deck ({c.corner}, {c.temp:g} C, {c.vdd:g} V)", f'.include "{self.models}"',
                f'.include "{self.netlist}"', f".temp {fmt(c.temp)}", f"vdd vdd 0 {fmt(c.vdd)}"]
        if self.low_gmin or ops:
            head.append(".option gmin=1e-18")
        # ngspice caps its step at min(tstep, span/50) unless tmax is given: give it
        tmax = tmax_ns if tmax_ns else max(tstop_ns / 400.0, 0.01)
        ctl = [".control", "set noaskquit"]
        if ops:
            ctl += ["op"] + [f"print {p}" for p in ops]
        if self.meas or self.control:
            ctl.append(f"tran {fmt(tmax / 10)}n {fmt(tstop_ns)}n 0 {fmt(tmax)}n")
        ctl += self.control + [".endc", ".end", ""]
        return "\n".join(head + self.lines + ctl)


_VAL = re.compile(r"^\s*([A-Za-z_][\w()]*)\s*=\s*([-+0-9.eE]+)", re.M)


def run(deck_text: str, ngspice: str = "ngspice", timeout: float = 1800.0) -> dict[str, float]:
    """Run a deck; {lower-case name: value} of every ``.meas`` / ``print`` result."""
    out = run_deck(deck_text, ngspice, timeout, prefix="finevh_charlib_")
    vals = {m.group(1).lower(): float(m.group(2)) for m in _VAL.finditer(out)}
    if not vals:
        tail = " | ".join(l for l in out.strip().splitlines() if "nan" not in l.lower())[-600:]
        raise ToolError(f"ngspice printed no results: {tail}")
    return vals


def need(vals: dict[str, float], name: str, what: str) -> float:
    v = vals.get(name.lower())
    if v is None:
        raise ToolError(f"ngspice: measurement {name} failed ({what}); the output did not switch "
                        "within the simulated window")
    return v
