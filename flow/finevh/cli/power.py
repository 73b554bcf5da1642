"""``finevh power``: leakage, internal and switching power of a gate-level netlist.

Activity comes from a VCD (``--vcd``, scope with ``--vcd-scope``), a SAIF file
(``--saif``), one global value for every net (``--global-activity``), or is
propagated from the inputs (default: 0.1 transitions per clock cycle, duty 0.5,
OpenSTA's default) through the Liberty functions. Slews for the internal-power
tables and the loads come from the same timing run as ``finevh sta``
(see ``docs/power.md``). Per-instance supply binding: ``--bind``.
"""

from __future__ import annotations

import json

import click

from ..analysis import run_power
from ..fileio import write_text_atomic


def to_json(res, info) -> str:
    doc = dict(res.total)
    doc["groups"] = {"sequential": res.group("sequential"), "combinational": res.group("combinational"),
                     "clock": res.group("clock")}
    doc.update(info)
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def to_text(res, info, digits: int = 6) -> str:
    f = f"{{:>15.{digits}e}}"
    lines = [f"{'Group':<16}{'Internal':>15}{'Switching':>15}{'Leakage':>15}{'Total':>15}",
             f"{'':<16}{'(uW)':>15}{'(uW)':>15}{'(uW)':>15}{'(uW)':>15}", "-" * 76]
    for name, g in (("Clock", res.group("clock")), ("Sequential", res.group("sequential")),
                    ("Combinational", res.group("combinational")), ("Total", res.total)):
        if name == "Total":
            lines.append("-" * 76)
        lines.append(f"{name:<16}" + "".join(f.format(g[k]) for k in
                                              ("internal_uw", "switching_uw", "leakage_uw", "total_uw")))
    lines.append(f"activity: {info['activity']}, clock period {info['clock_period_ns']:g} ns, "
                 f"{info['instances']} instances")
    return "\n".join(lines) + "\n"


@click.command("power")
@click.option("--liberty", "liberty", multiple=True, required=True, type=click.Path(dir_okay=False),
              help="Liberty library (.lib/.lib.gz), repeatable; the first one binds the netlist.")
@click.option("--verilog", required=True, type=click.Path(dir_okay=False), help="Structural Verilog netlist.")
@click.option("--top", default=None, help="Top module (default: the only uninstantiated one).")
@click.option("--sdc", required=True, type=click.Path(dir_okay=False), help="Constraints (SDC): clocks, loads.")
@click.option("--vcd", default=None, type=click.Path(dir_okay=False), help="Activity from a VCD file.")
@click.option("--vcd-scope", default=None, help="VCD scope of the design top, e.g. tb/dut.")
@click.option("--saif", default=None, type=click.Path(dir_okay=False), help="Activity from a SAIF file.")
@click.option("--saif-scope", default=None, help="SAIF instance path of the design top, e.g. tb/dut.")
@click.option("--input-activity", nargs=2, type=float, default=(0.1, 0.5), show_default=True,
              help="Default input activity: transitions per clock cycle and duty (probability of 1).")
@click.option("--port-activity", nargs=3, type=(str, float, float), multiple=True,
              help="Activity and duty of one input port (repeatable), like OpenSTA's "
              "set_power_activity -input_ports.")
@click.option("--global-activity", nargs=2, type=float, default=None,
              help="Same activity and duty on every non-clock net (no propagation).")
@click.option("--clock-mhz", type=float, default=None,
              help="Analyse at this clock frequency (all clocks scaled alike).")
@click.option("--leakage-weights", type=click.Choice(["opensta", "probability"]), default="opensta",
              show_default=True, help="Weight of state-dependent leakage: 0.5 per input in 'when' "
              "(OpenSTA), or the propagated probability that 'when' holds.")
@click.option("--power-rules", type=click.Choice(["3", "2.0"]), default="3", show_default=True,
              help="Activity propagation and internal-power rules: current OpenSTA ('3', as OpenROAD) or "
                   "OpenSTA 2.0.17 ('2.0': two register passes, rise and fall energies summed).")
@click.option("--spef", default=None, type=click.Path(dir_okay=False), help="Wire capacitance from SPEF.")
@click.option("--def", "def_file", default=None, type=click.Path(dir_okay=False), help="Placement (DEF).")
@click.option("--lef", multiple=True, type=click.Path(dir_okay=False), help="LEF files for --def.")
@click.option("--cap-per-um", type=float, default=None, help="Wire capacitance per um for --def (pF/um).")
@click.option("--wire-load", default=None,
              help="Liberty wire-load model NAME, 'default' (the library's default_wire_load) or 'none' "
                   "(the default, as OpenSTA 3.x).")
@click.option("--vinterp", type=click.Choice(["alpha", "linear"]), default=None,
              help="Voltage model for --bind voltages between libraries: alpha (alpha-power law, "
                   "accurate; default) or linear (pessimistic); see docs/liberty.md.")
@click.option("--bind", default=None, type=click.Path(dir_okay=False),
              help="Per-instance supply: lines 'INSTANCE VOLTAGE [FLAVOUR]'.")
@click.option("--json", "as_json", is_flag=True, help="JSON report on stdout.")
@click.option("--digits", default=6, show_default=True, type=click.IntRange(0, 12))
@click.option("--out", default=None, type=click.Path(dir_okay=False), help="Write the report to a file.")
def command(liberty, verilog, top, sdc, vcd, vcd_scope, saif, saif_scope, input_activity, port_activity,
            global_activity,
            clock_mhz, leakage_weights, spef, def_file, lef, cap_per_um, wire_load, vinterp, bind, as_json, digits,
            out, power_rules):
    """Power (leakage, internal, switching; uW) of VERILOG under SDC."""
    from ..validate import activity_duty, finite_nonneg, finite_pos
    from .common import check_outputs

    check_outputs(out)
    activity_duty(input_activity, "--input-activity")
    if global_activity is not None:
        activity_duty(global_activity, "--global-activity")
    for x in port_activity:
        activity_duty(x[1:], f"--port-activity {x[0]}")
    if clock_mhz is not None:
        finite_pos(clock_mhz, "--clock-mhz")
    if cap_per_um is not None:
        finite_nonneg(cap_per_um, "--cap-per-um")
    _, res, info = run_power(liberty, verilog, sdc, top=top, spef=spef, def_file=def_file, lef=lef,
                             cap_per_um=cap_per_um, wire_load=wire_load, bind=bind, vcd=vcd,
                             vcd_scope=vcd_scope, saif=saif, saif_scope=saif_scope,
                             input_activity=input_activity, global_activity=global_activity,
                             clock_mhz=clock_mhz, leakage_weights=leakage_weights,
                             port_activity=port_activity, vinterp=vinterp,
                             power_rules=power_rules)
    text = to_json(res, info) if as_json else to_text(res, info, digits)
    if out:
        write_text_atomic(out, text)
    else:
        click.echo(text, nl=False)
