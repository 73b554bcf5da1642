"""``finevh sta``: static setup-timing analysis of a gate-level netlist.

Reads Liberty libraries (several: other voltages / flavours), a structural Verilog
netlist, an SDC file and optionally wire loads (SPEF totals, a placement, or a Liberty
wire-load model); prints WNS/TNS and the worst paths, or a JSON document with every
constrained endpoint's slack (``--json``).

``--bind FILE`` re-binds instances before timing: one line per instance,
``INSTANCE VOLTAGE [FLAVOUR]`` (``#`` comments); a voltage between two characterised
libraries is interpolated (see :mod:`finevh.timing.binding`).
"""

from __future__ import annotations

import click

from ..errors import InputError
from ..fileio import read_text, write_text_atomic
from .. import progress
from ..loader import load_design


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
        try:
            v = float(tok[1])
        except ValueError:
            raise InputError(f"bad voltage '{tok[1]}'", path, ln) from None
        groups.setdefault((v, tok[2] if len(tok) == 3 else None), []).append(names[tok[0]])
    return [(insts, v, f) for (v, f), insts in sorted(groups.items(), key=lambda kv: (kv[0][0], str(kv[0][1])))]


def run_sta(liberty, verilog, sdc, top=None, spef=None, def_file=None, lef=(), cap_per_um=None,
            wire_load=None, bind=None):
    """Load everything and time it; returns (timer, result)."""
    from ..timing import wire
    from ..timing.binding import bind_voltage
    from ..timing.constraints import read_constraints
    from ..timing.engine import Timer

    design = load_design(liberty, verilog, top)
    if bind:
        for insts, v, fl in read_bindings(bind, design):
            bind_voltage(design, insts, v, fl)
    tc = read_constraints(sdc, design, design.libset)
    if not tc.clocks:
        raise InputError("no clock defined (create_clock): nothing to time", sdc)
    wc = None
    if spef:
        from ..timing.spef import read_spef

        wc = wire.from_spef(design, read_spef(spef))
    elif def_file:
        from ..layout.defio import read_def
        from ..layout.lef import read_lef
        from ..layout.placement import from_def

        if not lef:
            raise InputError("--def needs --lef (cell sizes)")
        lf = read_lef(list(lef))
        nl = design.netlist
        pl = from_def(read_def(def_file), lf, nl.inst_names, [design.cells[int(c)].name for c in design.inst_cell])
        wc = wire.from_placement(design, pl, cap_per_um if cap_per_um is not None else wire.DEFAULT_CAP_PER_UM)
    elif wire_load != "none":
        # as OpenSTA: the main library's default_wire_load applies unless told otherwise
        lib = design.libset.libraries[0]
        name = lib.default_wire_load if wire_load in (None, "default") else wire_load
        if name:
            if name not in lib.wire_loads:
                raise InputError(f"library '{lib.name}' has no wire-load model '{name}'", lib.path)
            wc = wire.from_wire_load(design, lib.wire_loads[name])
        elif wire_load == "default":
            raise InputError(f"library '{lib.name}' has no default_wire_load", lib.path)
    timer = Timer(design, tc, wc)
    result = timer.update()
    for ci, clk in enumerate(tc.clocks):
        if not any(timer.last.tags[e.tag][0] == ci for e in result.endpoints):
            progress.warn(f"clock '{clk.name}' constrains no endpoint (unconstrained clock)", sdc)
    if not result.endpoints:
        raise InputError("no constrained endpoint: check create_clock sources and set_input/output_delay", sdc)
    return timer, result


@click.command("sta")
@click.option("--liberty", "liberty", multiple=True, required=True, type=click.Path(dir_okay=False),
              help="Liberty library (.lib/.lib.gz), repeatable; the first one binds the netlist.")
@click.option("--verilog", required=True, type=click.Path(dir_okay=False), help="Structural Verilog netlist.")
@click.option("--top", default=None, help="Top module (default: the only uninstantiated one).")
@click.option("--sdc", required=True, type=click.Path(dir_okay=False), help="Constraints (SDC).")
@click.option("--spef", default=None, type=click.Path(dir_okay=False), help="Wire capacitance from SPEF D_NET totals.")
@click.option("--def", "def_file", default=None, type=click.Path(dir_okay=False),
              help="Placement (DEF): wire capacitance = HPWL x --cap-per-um.")
@click.option("--lef", multiple=True, type=click.Path(dir_okay=False), help="LEF files for --def (repeatable).")
@click.option("--cap-per-um", type=float, default=None, help="Wire capacitance per um for --def (pF/um, default 0.0002).")
@click.option("--wire-load", default=None,
              help="Liberty wire-load model NAME, 'default' or 'none'. Without --spef/--def, the first "
                   "library's default_wire_load applies when it has one (as in OpenSTA).")
@click.option("--bind", default=None, type=click.Path(dir_okay=False),
              help="Per-instance supply: lines 'INSTANCE VOLTAGE [FLAVOUR]'.")
@click.option("--json", "as_json", is_flag=True, help="JSON report on stdout.")
@click.option("--paths", default=1, show_default=True, type=click.IntRange(0), help="Worst paths to report.")
@click.option("--digits", default=4, show_default=True, type=click.IntRange(0, 9), help="Digits in the text report.")
@click.option("--out", "out", default=None, type=click.Path(dir_okay=False), help="Write the report to a file.")
def command(liberty, verilog, top, sdc, spef, def_file, lef, cap_per_um, wire_load, bind, as_json, paths,
            digits, out):
    """Setup timing (WNS, TNS, worst paths) of VERILOG under SDC."""
    from ..timing.report import to_json, to_text

    timer, result = run_sta(liberty, verilog, sdc, top, spef, def_file, lef, cap_per_um, wire_load, bind)
    text = to_json(timer, result, paths) if as_json else to_text(timer, result, paths, digits)
    if out:
        write_text_atomic(out, text)
    else:
        click.echo(text, nl=False)
