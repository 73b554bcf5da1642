"""Timing and power of a design read from files: the library functions behind
``finevh sta`` and ``finevh power`` (and their Tcl twins). Times ns, power uW."""

from __future__ import annotations

from pathlib import Path

from . import progress
from .errors import InputError
from .fileio import read_text
from .loader import load_design
from .validate import finite_pos


def read_bindings(path, design) -> list[tuple[list[int], float, str | None]]:
    names = {n: i for i, n in enumerate(design.netlist.inst_names)}
    groups: dict[tuple[float, str | None], list[int]] = {}
    for ln, raw in enumerate(read_text(path).splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        tok = line.split()
        if len(tok) not in (2, 3):
            raise InputError("expected 'INSTANCE VOLTAGE [FLAVOUR]'", path, ln)
        if tok[0] not in names:
            raise InputError(f"no instance '{tok[0]}' in the design", path, ln)
        v = finite_pos(tok[1], "voltage", path, ln)
        groups.setdefault((v, tok[2] if len(tok) == 3 else None), []).append(names[tok[0]])
    return [(insts, v, f) for (v, f), insts in sorted(groups.items(), key=lambda kv: (kv[0][0], str(kv[0][1])))]


def sdc_wire_load(libset, choice):
    """The Liberty ``wire_load`` group an SDC ``set_wire_load_model`` names: in the
    library it names, else in the first library that has it (OpenSTA's search)."""
    libs = libset.libraries
    if choice.library is not None:
        libs = [lb for lb in libs if lb.name == choice.library]
        if not libs:
            raise InputError(f"set_wire_load_model: no library '{choice.library}'", choice.file or None,
                             choice.line or None)
    for lb in libs:
        if choice.name in lb.wire_loads:
            return lb.wire_loads[choice.name]
    raise InputError(f"set_wire_load_model: no wire-load model '{choice.name}' in "
                     + ", ".join(lb.name for lb in libs), choice.file or None, choice.line or None)


def run_sta(liberty, verilog, sdc, top=None, spef=None, def_file=None, lef=(), cap_per_um=None,
            wire_load=None, bind=None, hold=True, vinterp=None, wire_rc=None, write_spef=None):
    """Load everything and time it (setup, and hold unless ``hold=False``); returns
    (timer, result). ``vinterp``: voltage model of ``bind`` voltages between libraries
    (:mod:`finevh.timing.vmodel`; None = its default). ``wire_rc``: (kOhm/um, pF/um)
    with ``def_file``: RC trees estimated from the placement instead of HPWL
    capacitance; ``write_spef``: write the RC networks timed (SPEF or estimated)."""
    from .timing import wire
    from .timing.binding import bind_voltage
    from .timing.constraints import read_constraints
    from .timing.engine import Timer

    # with SPEF the RC kernels start numba anyway: the netlist reader's scan uses it too
    design = load_design(liberty, verilog, top, compiled=True if spef else None)
    if vinterp is not None:
        from .timing.binding import set_model

        set_model(design.libset, vinterp)
    if bind:
        for insts, v, fl in read_bindings(bind, design):
            bind_voltage(design, insts, v, fl)
    tc = read_constraints(sdc, design, design.libset)
    if not tc.clocks:
        raise InputError("no clock defined (create_clock): nothing to time", sdc)
    wc = None
    sp = None
    wl = None
    if spef:
        from .timing.spef import read_spef

        sp = read_spef(spef)
    elif def_file:
        from .layout.defio import read_def
        from .layout.lef import read_lef
        from .layout.placement import from_def

        if not lef:
            raise InputError("--def needs --lef (cell sizes)")
        lf = read_lef(list(lef))
        nl = design.netlist
        pl = from_def(read_def(def_file), lf, nl.inst_names, [design.cells[int(c)].name for c in design.inst_cell])
        if wire_rc is not None:
            from .timing.rcnet import from_placement
            from .timing.spef import Spef

            sp = Spef(str(def_file), nl.top, nets=from_placement(design, pl, *wire_rc))
        else:
            wc = wire.from_placement(design, pl, cap_per_um if cap_per_um is not None else wire.DEFAULT_CAP_PER_UM)
    elif wire_load not in (None, "none"):
        # as OpenSTA 3.x: no wire load unless asked for (3.x never applies a library's
        # default_wire_load; 'default' asks for it, as OpenSTA 2.0.17 did by itself)
        lib = design.libset.libraries[0]
        name = lib.default_wire_load if wire_load == "default" else wire_load
        if name:
            if name not in lib.wire_loads:
                raise InputError(f"library '{lib.name}' has no wire-load model '{name}'", lib.path)
            wl = lib.wire_loads[name]
            wc = wire.from_wire_load(design, wl)
        else:
            raise InputError(f"library '{lib.name}' has no default_wire_load", lib.path)
    elif wire_load is None and tc.wire_load_model is not None:
        # the SDC's set_wire_load_model (OpenSTA 3.x's only way to a wire-load model)
        wl = sdc_wire_load(design.libset, tc.wire_load_model)
        wc = wire.from_wire_load(design, wl)
    timer = Timer(design, tc, wc, hold=hold)
    if sp is not None:                  # RC networks, OpenSTA's dmp_ceff_elmore delay calculation
        from .timing.rcdelay import use_spef

        use_spef(timer, sp)
        if write_spef:
            from .timing.spef import write_spef as _write

            _write(write_spef, design, sp.nets)
    elif wl is not None:                # the wire-load model's R and C, as OpenSTA 3.x
        from .timing.rcdelay import use_wire_load

        use_wire_load(timer, wl)
    result = timer.update()
    for ci, clk in enumerate(tc.clocks):
        if not any(timer.last.tags[e.tag][0] == ci for e in result.endpoints):
            progress.warn(f"clock '{clk.name}' constrains no endpoint (unconstrained clock)", sdc)
    if not result.endpoints:
        raise InputError("no constrained endpoint: check create_clock sources and set_input/output_delay", sdc)
    return timer, result


def parse_corners(specs) -> list[tuple[str, list[str]]]:
    """``--corner NAME=LIB[,LIB...]`` values: (name, Liberty files) per corner, in the
    order given. Names are unique identifiers (they become report keys)."""
    import re

    out: list[tuple[str, list[str]]] = []
    for s in specs:
        name, sep, files = s.partition("=")
        name = name.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][\w.-]*", name) or not files.strip():
            raise InputError(f"--corner expects NAME=LIB[,LIB...] (NAME: letters, digits, _ . -), got '{s}'")
        if any(n == name for n, _ in out):
            raise InputError(f"--corner: corner '{name}' given twice")
        libs = [f.strip() for f in files.split(",") if f.strip()]
        for f in libs:
            if not Path(f).is_file():
                raise InputError(f"corner '{name}': no such file", f)
        out.append((name, libs))
    return out


def run_sta_corners(corners: list[tuple[str, list[str]]], verilog, sdc, top=None, **kw):
    """:func:`run_sta` once per operating corner (each its own Liberty set, the same
    netlist, constraints and parasitics: OpenSTA's scenes); returns [(name, timer,
    result)] in the given order."""
    runs = []
    for name, libs in corners:
        progress.progress(f"corner {name}: {', '.join(Path(f).name for f in libs)}")
        timer, result = run_sta(libs, verilog, sdc, top, **kw)
        runs.append((name, timer, result))
    return runs


def run_power(liberty, verilog, sdc, *, top=None, spef=None, def_file=None, lef=(), cap_per_um=None,
              wire_load=None, bind=None, vcd=None, vcd_scope=None, saif=None, saif_scope=None,
              input_activity=(0.1, 0.5), global_activity=None, clock_mhz=None,
              leakage_weights="opensta", port_activity=(), vinterp=None, power_rules="3"):
    """Load, time and analyse; returns (design, PowerResult, info dict)."""
    from .power.analysis import ActivitySpec, analyse

    if vcd and saif:
        raise InputError("give --vcd or --saif, not both")
    signals = None
    if vcd:
        from .activity.vcd import read_vcd

        signals = read_vcd(vcd, scope=vcd_scope)
    elif saif:
        from .activity.saif import read_saif

        signals = read_saif(saif, scope=saif_scope)
    timer, result = run_sta(liberty, verilog, sdc, top, spef, def_file, lef, cap_per_um, wire_load, bind,
                            hold=False, vinterp=vinterp)
    design = timer.design
    tc = timer.constraints
    # power reads the slews and wire caps only: the timer's state (about 1 KB per
    # instance) is freed before the power engine builds its own arrays
    slews, wire_cap = result.slew, timer.wire_cap
    del timer, result
    scale = 1.0
    if clock_mhz is not None:
        if clock_mhz <= 0:
            raise InputError(f"--clock-mhz must be positive, got {clock_mhz}")
        fastest = min(c.period for c in tc.clocks)
        scale = (1e3 / clock_mhz) / fastest
    if signals is not None:
        spec = ActivitySpec(mode="signals", signals=signals, input_default=tuple(input_activity),
                            opensta_rules=power_rules)
    elif global_activity is not None:
        spec = ActivitySpec(mode="global", global_activity=tuple(global_activity), opensta_rules=power_rules)
    else:
        ports = {}
        for name, a, d in port_activity:
            if name not in design.netlist.port_names:
                raise InputError(f"--port-activity: no port '{name}' in design {design.netlist.top}")
            ports[name] = (float(a), float(d))
        spec = ActivitySpec(mode="propagate", input_default=tuple(input_activity), port_activity=ports,
                            opensta_rules=power_rules)
    res = analyse(design, tc, spec, slews=slews, wire_cap=wire_cap,
                  leakage_weights=leakage_weights, period_scale=scale)
    if signals is not None and res.matched_signals == 0:
        raise InputError("no signal of the activity file matches a net of the design "
                         "(check --vcd-scope / --saif-scope)", vcd or saif)
    info = {
        "activity": spec.mode,
        "signals_matched": res.matched_signals,
        "nets": int(design.netlist.n_nets),
        "instances": int(design.n_instances),
        "clock_period_ns": float(min(c.period for c in tc.clocks)) * scale,
        "leakage_weights": leakage_weights,
        "propagation_passes": res.passes,
    }
    return design, res, info
