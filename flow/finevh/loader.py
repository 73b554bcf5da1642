"""Load a whole design from files: Liberty set + Verilog (linked), then LEF/DEF
placement and SDC constraints when given. The edge where every stage (CLI, Tcl,
``finevh run``) turns file names into a :class:`finevh.design.Design`."""

from __future__ import annotations

import json
import time

from . import progress
from .errors import InputError
from .fileio import read_text
from .units import library_cap_unit_pf, library_time_unit_ns


def load_cell_map(path: str) -> dict:
    """A primitive / behavioural-module map: a built-in name (``sky130_hd``, ``osu018``,
    see :mod:`finevh.netlist.cellmaps`) or a JSON file::

        {"nand": ["NAND2X1", ["Y", "A", "B"]],        # any input count ...
         "nand/3": ["NAND3X1", ["Y", "A", "B", "C"]],  # ... or 3 inputs only
         "dff": ["DFFPOSX1", {"CK": "CLK", "D": "D", "Q": "Q"}]}
    """
    from .netlist.cellmaps import BUILTIN

    if path in BUILTIN:
        return dict(BUILTIN[path])
    try:
        raw = json.loads(read_text(path))
    except json.JSONDecodeError as e:
        raise InputError(f"bad JSON: {e.msg}", path, e.lineno) from None
    if not isinstance(raw, dict):
        raise InputError("a JSON object is expected", path, 1)
    out: dict = {}
    for k, v in raw.items():
        if not (isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) and isinstance(v[1], (list, dict))):
            raise InputError(f"entry '{k}': expected [CELL, [PINS...]] or [CELL, {{PORT: PIN}}]", path)
        key: str | tuple[str, int] = k
        if "/" in k:
            name, n = k.split("/", 1)
            if not n.isdigit():
                raise InputError(f"entry '{k}': expected NAME/INPUTS", path)
            key = (name, int(n))
        out[key] = (v[0], dict(v[1]) if isinstance(v[1], dict) else list(v[1]))
    return out


def load_design(liberty, verilog, top=None, lef=(), def_file=None, sdc=None, cell_map=None, parser="fast",
                decompose=False, compiled=None):
    """Library set, netlist, linked design, then placement and constraints if given.
    ``compiled``: the Verilog reader's compiled scan (True: when numba is available;
    None: when the run has loaded numba already; see
    :func:`finevh.netlist.verilog.use_compiled`)."""
    from .design import link
    from .liberty.libset import load_library_set

    t0 = time.perf_counter()
    libset = load_library_set(list(liberty))
    progress.progress(f"read {len(libset.libraries)} librar{'y' if len(libset.libraries) == 1 else 'ies'} "
                      f"({time.perf_counter() - t0:.2f} s)")
    t0 = time.perf_counter()
    if parser == "pyverilog":
        from .netlist.verilog_pyverilog import read_verilog_pyverilog as reader
    else:
        from .netlist.verilog import read_verilog as reader
    kw = {"compiled": compiled} if parser != "pyverilog" else {}
    nl = reader(verilog, top=top, cell_map=cell_map, decompose=decompose, **kw)
    lef_db = None
    if lef:  # before linking: black boxes take their area and supply pins from the LEF
        from .layout.lef import read_lef

        t2 = time.perf_counter()
        lef_db = read_lef(list(lef))
        progress.progress(f"read {len(lef)} LEF file(s): {len(lef_db.macros)} macros "
                          f"({time.perf_counter() - t2:.2f} s)")
    t1 = time.perf_counter()
    design = link(nl, libset, lef=lef_db)
    progress.progress(f"read {verilog}: {nl.n_instances} instances, linked "
                      f"({time.perf_counter() - t1:.2f} s)")
    if def_file:
        from .layout.defio import read_def
        from .layout.placement import from_def

        d = read_def(def_file)
        if lef_db is None:
            from .layout.abstract import abstract_lef

            lef_db = abstract_lef(d, design.cells)
        masters = [c.name for c in design.cells]
        design.placement = from_def(d, lef_db, nl.inst_names, [masters[k] for k in design.inst_cell.tolist()])
        progress.progress(f"read {def_file}: {int(design.placement.placed.sum())} placed instances")
    if sdc:
        from .constraints.objects import SdcDesign
        from .constraints.sdc import read_sdc

        lib0 = next((c.library for c in design.cells if not c.black_box), None)
        lib = next((L for L in libset.libraries if L.name == lib0), None)
        tu = library_time_unit_ns(lib.time_unit) if lib is not None else 1.0
        cu = library_cap_unit_pf(lib.capacitive_load_unit) if lib is not None else 1.0
        design.constraints = read_sdc(sdc, netlist=SdcDesign.from_design(design), time_unit_ns=tu,
                                      cap_unit_pf=cu, design=nl.top)
        progress.progress(f"read {sdc}: {len(design.constraints.clocks)} clock(s)")
    design.meta["lef"] = lef_db
    return design
