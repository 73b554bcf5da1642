"""Intra-tile leakage LUTs characterised with ngspice from the user's SPICE cells.

For every cell (a ``.subckt``), supply side (H: cell at VddH, drivers of the selected
pins at VddL; L: cell at VddL, drivers at VddH), input pattern and driver
configuration, one copy of the cell is instantiated with its own supply source and
ideal input sources (logic 0 = 0 V, logic 1 = the driver's supply). A single DC
operating point (``ngspice -b``) solves all copies at once; the current of each
supply source gives the cell's leakage, and k = I(config) / I(config 0).

Configurations whose selected pins are all at logic 0 are not simulated: a driver
at another supply still drives 0 V there, so k = 1 (the driver's supply only shows
in the logic-1 level).

Ports: power ports are named by ``power_pins`` (default VDD/VPWR), ground ports by
``ground_pins`` (VSS/GND/VGND, tied to 0 V), bulk ports by ``bulk_pins`` (VNW/VPB
tied to the cell supply, VPW/VNB to 0 V), outputs by ``output_pins`` (left open);
every other port is an input.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError, ToolError
from ..fileio import read_text
from .lut import CellLut, LeakageLut

POWER_PINS = ("VDD", "VPWR")
GROUND_PINS = ("VSS", "GND", "VGND")
NWELL_PINS = ("VNW", "VPB")
PWELL_PINS = ("VPW", "VNB")
OUTPUT_PINS = ("Y", "Z", "ZN", "X", "Q", "QN", "GCK", "OUT", "CO", "S")


@dataclass(frozen=True)
class Subckt:
    name: str
    ports: tuple[str, ...]
    line: int


def parse_subckts(text: str, path: str) -> dict[str, Subckt]:
    """``.subckt`` headers of a SPICE file (continuation lines with ``+`` joined)."""
    lines = text.splitlines()
    out: dict[str, Subckt] = {}
    i = 0
    while i < len(lines):
        raw = lines[i]
        ln = i + 1
        i += 1
        s = raw.strip()
        if not s.lower().startswith(".subckt"):
            continue
        while i < len(lines) and lines[i].lstrip().startswith("+"):
            s += " " + lines[i].lstrip()[1:]
            i += 1
        tok = s.split()
        if len(tok) < 2:
            raise InputError(".subckt without a name", path, ln)
        ports = tuple(t for t in tok[2:] if "=" not in t and t.lower() != "params:")
        name = tok[1]
        if name.upper() in out:
            raise InputError(f"subckt {name} defined twice", path, ln)
        out[name.upper()] = Subckt(name, ports, ln)
    return out


def _classify(sc: Subckt, outputs) -> tuple[list[str], dict[str, str]]:
    """(input pins, {port: 'vdd'|'gnd'|'nw'|'pw'|'out'})."""
    kinds: dict[str, str] = {}
    ins = []
    up = {p.upper() for p in outputs}
    for p in sc.ports:
        u = p.upper()
        if u in POWER_PINS:
            kinds[p] = "vdd"
        elif u in GROUND_PINS:
            kinds[p] = "gnd"
        elif u in NWELL_PINS:
            kinds[p] = "nw"
        elif u in PWELL_PINS:
            kinds[p] = "pw"
        elif u in up:
            kinds[p] = "out"
        else:
            kinds[p] = "in"
            ins.append(p)
    return ins, kinds


def _fmt(v: float) -> str:
    return f"{v:.6g}"


def build_deck(sc: Subckt, ins: list[str], kinds: dict[str, str], vddh: float, vddl: float,
               cells_path: Path, models_path: Path, temp: float):
    """Netlist text and the list of (supply index, pattern, config, source name)."""
    n = len(ins)
    lines = [f"* finevh lutchar: {sc.name} VddL={vddl} VddH={vddh}", f".include {models_path}",
             f".include {cells_path}", f".temp {_fmt(temp)}"]
    probes = []
    idx = 0
    for s, (vcell, vother) in enumerate(((vddh, vddl), (vddl, vddh))):
        for p in range(2 ** n):
            for c in range(2 ** n):
                if c & ~p:
                    continue          # selected pins at 0: same as config c & p
                tag = f"{idx}"
                idx += 1
                nets = []
                lines.append(f"vs{tag} sup{tag} 0 dc {_fmt(vcell)}")
                for port in sc.ports:
                    k = kinds[port]
                    if k in ("vdd", "nw"):
                        nets.append(f"sup{tag}")
                    elif k in ("gnd", "pw"):
                        nets.append("0")
                    elif k == "out":
                        nets.append(f"o{tag}_{port}")
                    else:
                        j = ins.index(port)
                        bit = (p >> (n - 1 - j)) & 1
                        sel = (c >> (n - 1 - j)) & 1
                        v = 0.0 if not bit else (vother if sel else vcell)
                        lines.append(f"vi{tag}_{j} i{tag}_{j} 0 dc {_fmt(v)}")
                        nets.append(f"i{tag}_{j}")
                lines.append(f"x{tag} {' '.join(nets)} {sc.name}")
                probes.append((s, p, c, f"vs{tag}"))
    lines.append(".control")
    lines.append("op")
    for _s, _p, _c, v in probes:
        lines.append(f"print i({v})")
    lines += [".endc", ".end", ""]
    return "\n".join(lines), probes


_PRINT = re.compile(r"^\s*i\((vs\d+)\)\s*=\s*([-+0-9.eE]+)\s*$", re.M)


def run_ngspice(deck: str, ngspice: str = "ngspice", timeout: float = 600.0) -> dict[str, float]:
    exe = shutil.which(ngspice)
    if exe is None:
        raise ToolError(f"ngspice not found ('{ngspice}'); install the Debian package 'ngspice'")
    with tempfile.TemporaryDirectory(prefix="finevh_lutchar_") as d:
        f = Path(d) / "deck.sp"
        f.write_text(deck)
        try:
            r = subprocess.run([exe, "-b", str(f)], capture_output=True, text=True, timeout=timeout, cwd=d)
        except subprocess.TimeoutExpired:
            raise ToolError(f"ngspice timed out after {timeout:g} s") from None
    vals = {m.group(1): float(m.group(2)) for m in _PRINT.finditer(r.stdout)}
    if not vals:   # ngspice -b exits 1 after a .control-only deck; the printed values decide
        tail = " | ".join((r.stdout + r.stderr).strip().splitlines()[-6:])
        raise ToolError(f"ngspice failed (exit {r.returncode}): {tail}")
    return vals


def characterise(spice: str | Path, models: str | Path, cells: list[str], vddh: float, vddls: list[float],
                 flavour: str = "PB0", temp: float = 125.0, outputs=OUTPUT_PINS,
                 ngspice: str = "ngspice", technology: str = "") -> LeakageLut:
    """LUTs of ``cells`` for every pair (VddL in ``vddls``, ``vddh``)."""
    spice, models = Path(spice).resolve(), Path(models).resolve()
    if not models.is_file():
        raise InputError("no such file", models)
    subs = parse_subckts(read_text(spice), str(spice))
    lut = LeakageLut(technology=technology)
    for vl in vddls:
        if not 0.0 < vl < vddh:
            raise InputError(f"--vddl {vl:g} must lie between 0 and --vdd {vddh:g}")
    for name in cells:
        sc = subs.get(name.upper())
        if sc is None:
            raise InputError(f"no .subckt {name} in the SPICE file", spice)
        ins, kinds = _classify(sc, outputs)
        if "vdd" not in kinds.values():
            raise InputError(f"subckt {sc.name} has no power port (one of {', '.join(POWER_PINS)})", spice, sc.line)
        if len(ins) > 6:
            raise InputError(f"subckt {sc.name} has {len(ins)} inputs (at most 6)", spice, sc.line)
        for vl in vddls:
            deck, probes = build_deck(sc, ins, kinds, vddh, vl, spice, models, temp)
            cur = run_ngspice(deck, ngspice)
            n = len(ins)
            k = np.ones((2, 2 ** n, 2 ** n))
            base = {}
            for s, p, c, v in probes:
                if v not in cur:
                    raise ToolError(f"ngspice printed no current for {v} ({sc.name})")
                if c == 0:
                    base[(s, p)] = abs(cur[v])
            for s, p, c, v in probes:
                b = base[(s, p)]
                if b <= 0.0:
                    raise ToolError(f"{sc.name}: zero leakage for pattern {p:0{n}b}: cannot normalise k")
                val = abs(cur[v]) / b
                for cc in range(2 ** n):       # every configuration that reduces to c
                    if cc & p == c:
                        k[s, p, cc] = val
            key = (flavour, round(vl, 4), round(vddh, 4))
            lut.tables.setdefault(key, {})[sc.name] = CellLut(tuple(ins), k)
    return lut
