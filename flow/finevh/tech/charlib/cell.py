"""Characterise one cell: netlist (standard or low-Vt), decks, results."""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path

from ...errors import ToolError
from ..spice import parse_subckts
from . import comb, seq
from .deck import Conditions, Deck, run
from .pdk import cell_netlist, flat_netlist, layout_geometry, lvt_netlist, model_file
from .result import CellResult
from .spec import CellSpec


def netlist_text(root: Path, cell: str, flavour: str, geometry: bool = True) -> tuple[str, str]:
    """(subckt name, netlist text) of ``cell`` in ``flavour`` ("std" or "lvt"), with
    the stress and diffusion geometry of :func:`~.pdk.layout_geometry` unless
    ``geometry`` is False (the netlists as shipped)."""
    _p, text = cell_netlist(root, cell)
    name = cell
    if flavour == "lvt":
        name, text = cell + LVT_SUFFIX, lvt_netlist(text, LVT_SUFFIX)
    return name, flat_netlist(layout_geometry(text) if geometry else text)


#: cell-name suffix of the low-Vt flavour (library sky130_fd_sc_hd_lvt)
LVT_SUFFIX = "__lvt"


def characterise_cell(root: Path, spec: CellSpec, cond: Conditions, flavour: str = "std",
                      ngspice: str = "ngspice", geometry: bool = True) -> CellResult:
    """Measure every table of ``spec`` under ``cond`` (ngspice decks in a scratch folder)."""
    t0 = time.monotonic()
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    name, text = netlist_text(root, spec.name, flavour, geometry)
    models = model_file(root, cond.corner)
    with tempfile.TemporaryDirectory(prefix="finevh_charlib_") as tmp:
        net = Path(tmp) / f"{name}.spice"
        net.write_text(text)
        sub = parse_subckts(text, str(net)).get(name.upper())
        if sub is None:
            raise ToolError(f"{spec.name}: the netlist defines no subckt {name}")
        ports = sub.ports
        if spec.clock is None:
            d = Deck(cond, models, net)
            leak = comb.add_leakage(d, spec, ports, name)
            tstop, plan = comb.build(d, spec, ports, name, spec.arcs)
            vals = run(d.text(tstop, ops=leak), ngspice)
            arcs, caps = comb.collect(vals, spec, spec.arcs, plan, cond)
            leakage = [(w, abs(vals[p]) * cond.vdd * 1e9) for w, p in zip(spec.leakage_when, leak)]
            res = CellResult(spec, name, cond, caps, leakage, arcs)
        else:
            res = seq.characterise(spec, cond, models, net, ports, name, ngspice)
    res.seconds = time.monotonic() - t0
    res.cpu_seconds = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - c0
    return res
