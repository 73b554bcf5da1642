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
OUTPUT_PINS = ("Y", "Z", "ZN", "X", "Q", "QN", "GCK", "OUT", "CO", "S", "Q_N", "COUT", "SUM")
#: gmin of the decks, S (ngspice default 1e-12 is above a cold cell's leakage)
GMIN = 1e-18


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


def model_lines(models: Path, section: str | None) -> list[str]:
    """How the deck loads the device models: ``.lib "FILE" SECTION`` (a corner library
    such as sky130's ``sky130.lib.spice ss``) or ``.include FILE``."""
    return [f'.lib "{models}" {section}'] if section else [f".include {models}"]


def deck_header(title: str, cells_paths, models_path: Path, temp: float, section: str | None = None,
                gmin: float | None = GMIN) -> list[str]:
    """Title, models, cell files, temperature and (optionally) gmin of a deck.

    ngspice's default gmin (1e-12 S) shunts every junction: at -40 C it exceeds the
    leakage of a sky130 cell (fA to pA) and would make k about 1. ``gmin`` (S) sets it."""
    lines = [f"* {title}", *model_lines(models_path, section)]
    lines += [f".include {c}" for c in cells_paths]
    lines.append(f".temp {_fmt(temp)}")
    if gmin is not None:
        lines.append(f".option gmin={gmin:.3g}")
    return lines


def cell_block(sc: Subckt, ins: list[str], kinds: dict[str, str], vddh: float, vddl: float, start: int = 0):
    """Instances of one cell for every supply side, pattern and reduced configuration,
    numbered from ``start``: (netlist lines, [(supply index, pattern, config, source name)])."""
    n = len(ins)
    lines: list[str] = []
    probes = []
    idx = start
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
    return lines, probes


def op_deck(header: list[str], body: list[str], sources: list[str]) -> str:
    """A deck that solves one operating point and prints the current of ``sources``."""
    lines = header + body + [".control", "op"] + [f"print i({v})" for v in sources] + [".endc", ".end", ""]
    return "\n".join(lines)


def build_deck(sc: Subckt, ins: list[str], kinds: dict[str, str], vddh: float, vddl: float,
               cells_path: Path, models_path: Path, temp: float, section: str | None = None,
               gmin: float | None = GMIN):
    """Netlist text of one cell and the list of (supply index, pattern, config, source name)."""
    header = deck_header(f"finevh lutchar: {sc.name} VddL={vddl} VddH={vddh}", [cells_path], models_path,
                         temp, section, gmin)
    body, probes = cell_block(sc, ins, kinds, vddh, vddl)
    return op_deck(header, body, [v for *_x, v in probes]), probes


_PRINT = re.compile(r"^\s*i\((vs\d+)\)\s*=\s*([-+0-9.eE]+)\s*$", re.M)


def run_deck(deck: str, ngspice: str = "ngspice", timeout: float = 600.0, prefix: str = "finevh_ngspice_") -> str:
    """Run ``ngspice -b`` on ``deck`` in a scratch folder; returns its stdout (the
    caller decides from the printed values whether the run succeeded)."""
    exe = shutil.which(ngspice)
    if exe is None:
        raise ToolError(f"ngspice not found ('{ngspice}'); install the Debian package 'ngspice'")
    with tempfile.TemporaryDirectory(prefix=prefix) as d:
        f = Path(d) / "deck.sp"
        f.write_text(deck)
        try:
            r = subprocess.run([exe, "-b", str(f)], capture_output=True, text=True, timeout=timeout, cwd=d)
        except subprocess.TimeoutExpired:
            raise ToolError(f"ngspice timed out after {timeout:g} s") from None
    return r.stdout + "\n" + r.stderr


def run_ngspice(deck: str, ngspice: str = "ngspice", timeout: float = 600.0) -> dict[str, float]:
    out = run_deck(deck, ngspice, timeout, prefix="finevh_lutchar_")
    vals = {m.group(1): float(m.group(2)) for m in _PRINT.finditer(out)}
    if not vals:   # ngspice -b exits 1 after a .control-only deck; the printed values decide
        tail = " | ".join(out.strip().splitlines()[-6:])
        raise ToolError(f"ngspice failed: {tail}")
    return vals


def _outputs_of(outputs, name: str):
    if isinstance(outputs, dict):
        return outputs.get(name, outputs.get(name.upper(), OUTPUT_PINS))
    return outputs


def characterise(spice, models: str | Path, cells: list[str], vddh: float | None = None,
                 vddls: list[float] | None = None, flavour: str = "PB0", temp: float = 125.0,
                 outputs=OUTPUT_PINS, ngspice: str = "ngspice", technology: str = "",
                 pairs: list[tuple[float, float]] | None = None, section: str | None = None,
                 gmin: float | None = GMIN, progress_cb=None, max_instances: int = 1500,
                 timeout: float = 3600.0) -> LeakageLut:
    """LUTs of ``cells`` for every (VddL, VddH) pair: ``pairs``, or every VddL of
    ``vddls`` with ``vddh``. ``spice`` is one SPICE file or a list of them (every
    ``.subckt`` is searched); ``section`` loads ``models`` with ``.lib``; ``outputs`` is a
    tuple of output port names or a {cell: tuple} map. One ngspice operating point per
    pair solves every cell at once (several when the copies exceed ``max_instances``;
    ``timeout`` s per run)."""
    files = [Path(f).resolve() for f in ([spice] if isinstance(spice, (str, Path)) else spice)]
    models = Path(models).resolve()
    if not models.is_file():
        raise InputError("no such file", models)
    if pairs is None:
        if vddh is None or not vddls:
            raise InputError("give --vdd and --vddl, or --pairs")
        pairs = [(vl, vddh) for vl in vddls]
    for vl, vh in pairs:
        if not 0.0 < vl < vh:
            raise InputError(f"VddL {vl:g} (--vddl/--pairs) must lie between 0 and VddH {vh:g} (--vdd)")
    subs: dict[str, tuple[Subckt, Path]] = {}
    for f in files:
        for key, sc in parse_subckts(read_text(f), str(f)).items():
            subs.setdefault(key, (sc, f))
    plan = []
    for name in cells:
        hit = subs.get(name.upper())
        if hit is None:
            raise InputError(f"no .subckt {name} in the SPICE file", files[0] if len(files) == 1 else None)
        sc, f = hit
        ins, kinds = _classify(sc, _outputs_of(outputs, sc.name))
        if "vdd" not in kinds.values():
            raise InputError(f"subckt {sc.name} has no power port (one of {', '.join(POWER_PINS)})", f, sc.line)
        if len(ins) > 6:
            raise InputError(f"subckt {sc.name} has {len(ins)} inputs (at most 6)", f, sc.line)
        plan.append((sc, ins, kinds, f))
    lut = LeakageLut(technology=technology)
    chunks: list[list] = [[]]
    size = 0
    for item in plan:                 # decks of at most ``max_instances`` cell copies
        n = 2 * 3 ** len(item[1])
        if chunks[-1] and size + n > max_instances:
            chunks.append([])
            size = 0
        chunks[-1].append(item)
        size += n
    for vl, vh in pairs:
        key = (flavour, round(vl, 4), round(vh, 4))
        for chunk in chunks:
            used = sorted({str(f) for _sc, _i, _k, f in chunk})
            header = deck_header(f"finevh lutchar: VddL={vl} VddH={vh}", used, models, temp, section, gmin)
            body: list[str] = []
            blocks = []
            for sc, ins, kinds, _f in chunk:
                lines, probes = cell_block(sc, ins, kinds, vh, vl, start=sum(len(b) for b in blocks))
                body += lines
                blocks.append(probes)
            cur = run_ngspice(op_deck(header, body, [v for pr in blocks for *_x, v in pr]), ngspice, timeout)
            for (sc, ins, _kinds, _f), probes in zip(chunk, blocks):
                lut.tables.setdefault(key, {})[sc.name] = CellLut(tuple(ins), k_matrix(sc.name, len(ins), probes, cur))
        if progress_cb is not None:
            progress_cb(vl, vh)
    return lut


def k_matrix(name: str, n: int, probes, cur: dict[str, float]) -> np.ndarray:
    """k[s, pattern, config] of one cell from the supply currents of its instances."""
    k = np.ones((2, 2 ** n, 2 ** n))
    base = {}
    for s, p, c, v in probes:
        if v not in cur:
            raise ToolError(f"ngspice printed no current for {v} ({name})")
        if c == 0:
            base[(s, p)] = abs(cur[v])
    for s, p, c, v in probes:
        b = base[(s, p)]
        if b <= 0.0:
            raise ToolError(f"{name}: zero leakage for pattern {p:0{n}b}: cannot normalise k")
        val = abs(cur[v]) / b
        for cc in range(2 ** n):       # every configuration that reduces to c
            if cc & p == c:
                k[s, p, cc] = val
    return k
