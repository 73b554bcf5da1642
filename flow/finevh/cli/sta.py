"""``finevh sta``: static setup and hold timing analysis of a gate-level netlist.

Reads Liberty libraries (several: other voltages / flavours), a structural Verilog
netlist, an SDC file and optionally wire loads (SPEF totals, a placement, or a Liberty
wire-load model); prints setup WNS/TNS and the worst paths, then hold WNS/TNS, or a
JSON document with every constrained endpoint's setup and hold slack (``--json``).
Clocks are ideal unless ``set_propagated_clock`` (see docs/timing.md).

``--bind FILE`` re-binds instances before timing: one line per instance,
``INSTANCE VOLTAGE [FLAVOUR]`` (``#`` comments); a voltage between two characterised
libraries is interpolated (see :mod:`finevh.timing.binding`).
"""

from __future__ import annotations

import click

from ..fileio import write_text_atomic
from ..analysis import run_sta


@click.command("sta")
@click.option("--liberty", "liberty", multiple=True, type=click.Path(dir_okay=False),
              help="Liberty library (.lib/.lib.gz), repeatable; the first one binds the netlist. "
                   "Required unless --corner is given.")
@click.option("--corner", "corner", multiple=True,
              help="Operating corner NAME=LIB[,LIB...] (repeatable; instead of --liberty): each corner is "
                   "timed with its own libraries; the report gives every endpoint's worst slack over them.")
@click.option("--verilog", required=True, type=click.Path(dir_okay=False), help="Structural Verilog netlist.")
@click.option("--top", default=None, help="Top module (default: the only uninstantiated one).")
@click.option("--sdc", required=True, type=click.Path(dir_okay=False), help="Constraints (SDC).")
@click.option("--spef", default=None, type=click.Path(dir_okay=False), help="Parasitics from SPEF or DSPF: RC networks, delay calculation as OpenSTA's dmp_ceff_elmore.")
@click.option("--def", "def_file", default=None, type=click.Path(dir_okay=False),
              help="Placement (DEF): wire capacitance = HPWL x --cap-per-um.")
@click.option("--lef", multiple=True, type=click.Path(dir_okay=False), help="LEF files for --def (repeatable).")
@click.option("--cap-per-um", type=float, default=None, help="Wire capacitance per um for --def (pF/um, default 0.0002).")
@click.option("--wire-rc", default=None, metavar="R,C",
              help="Wire resistance (kOhm/um) and capacitance (pF/um) for --def: RC trees over the placed "
                   "pins, timed like SPEF parasitics (e.g. sky130hd met2: 8.929e-4,1.36233e-4).")
@click.option("--write-spef", default=None, type=click.Path(dir_okay=False),
              help="Write the RC parasitics timed (--spef, or --def with --wire-rc) as SPEF.")
@click.option("--wire-load", default=None,
              help="Liberty wire-load model NAME of the first library, 'default' (its default_wire_load, "
                   "as OpenSTA 2.0.17 applied by itself) or 'none' (the default: OpenSTA 3.x applies no "
                   "wire-load model unless told). Its capacitance and resistance make a balanced-tree pi "
                   "model per net, as OpenSTA 3.x's set_wire_load_model.")
@click.option("--vinterp", type=click.Choice(["alpha", "linear"]), default=None,
              help="Voltage model for --bind voltages between libraries: alpha (alpha-power law, "
                   "accurate; default) or linear (pessimistic); see docs/liberty.md.")
@click.option("--bind", default=None, type=click.Path(dir_okay=False),
              help="Per-instance supply: lines 'INSTANCE VOLTAGE [FLAVOUR]'.")
@click.option("--json", "as_json", is_flag=True, help="JSON report on stdout.")
@click.option("--paths", default=1, show_default=True, type=click.IntRange(0), help="Worst paths to report.")
@click.option("--digits", default=4, show_default=True, type=click.IntRange(0, 9), help="Digits in the text report.")
@click.option("--out", "out", default=None, type=click.Path(dir_okay=False), help="Write the report to a file.")
def command(liberty, corner, verilog, top, sdc, spef, def_file, lef, cap_per_um, wire_rc, write_spef, wire_load,
            vinterp, bind, as_json, paths, digits, out):
    """Setup and hold timing (WNS, TNS, worst setup paths) of VERILOG under SDC."""
    from ..timing.report import to_json, to_text
    from ..validate import finite_nonneg
    from .common import check_outputs

    check_outputs(out)
    if write_spef:
        check_outputs(write_spef, what="--write-spef")
    if cap_per_um is not None:
        finite_nonneg(cap_per_um, "--cap-per-um")
    if bool(liberty) == bool(corner):
        raise click.UsageError("give --liberty or --corner (one of them)")
    rc = None
    if wire_rc is not None:
        parts = wire_rc.split(",")
        if len(parts) != 2:
            raise click.UsageError("--wire-rc expects R,C (kOhm/um, pF/um)")
        rc = tuple(finite_nonneg(x, "--wire-rc") for x in parts)
        if not def_file:
            raise click.UsageError("--wire-rc needs --def")
    if write_spef and not (spef or rc):
        raise click.UsageError("--write-spef needs --spef or --def with --wire-rc")
    kw = dict(spef=spef, def_file=def_file, lef=lef, cap_per_um=cap_per_um, wire_load=wire_load, bind=bind,
              vinterp=vinterp, wire_rc=rc, write_spef=write_spef)
    if corner:
        from ..analysis import parse_corners, run_sta_corners
        from ..timing.report import corners_to_json, corners_to_text

        runs = run_sta_corners(parse_corners(corner), verilog, sdc, top, **kw)
        text = corners_to_json(runs, paths) if as_json else corners_to_text(runs, paths, digits)
    else:
        timer, result = run_sta(liberty, verilog, sdc, top, **kw)
        text = to_json(timer, result, paths) if as_json else to_text(timer, result, paths, digits)
    if out:
        write_text_atomic(out, text)
    else:
        click.echo(text, nl=False)
