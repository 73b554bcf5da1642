"""``finevh polybias``: timing-driven poly-bias / threshold-flavour assignment of the
interface cells of a partitioned design (thesis §4.1.2, Eq. 4.2); see
:mod:`finevh.fvh.polybias`.

Give every flavour's Liberty files (demo28: the four ``pb*`` files at one voltage;
ASAP7: the ``_R``/``_L``/``_SL`` files). The plan (from ``finevh partition``) gives
the tiles and interface cells; the swaps are written back into it (``pb_swaps``) and
reported: interface cells, swaps per flavour, WNS and leakage before and after.
"""

from __future__ import annotations

import json
import math

import click

from .. import progress
from ..errors import InputError
from ..stages.options import PolybiasOptions
from .common import check_files, check_outputs

_D = PolybiasOptions()


@click.command("polybias")
@click.option("--plan", "plan_path", required=True, help="Plan file from finevh partition (*.fvh.json).")
@click.option("--liberty", "liberty", multiple=True, required=True,
              help="Liberty files of every flavour; repeatable. Cells bind to the first file that has "
                   "them: with same-name flavour libraries (demo28) give the design's own flavour first.")
@click.option("--verilog", required=True, help="Gate-level Verilog netlist.")
@click.option("--top", default=None, help="Top module.")
@click.option("--sdc", required=True, help="SDC constraints.")
@click.option("--lef", "lef", multiple=True, help="LEF files (with --def: wire capacitance from the placement).")
@click.option("--def", "def_file", default=None,
              help="Partitioned DEF (finevh partition --def-out) for wire capacitance.")
@click.option("--flavours", default=None,
              help="Stage order, slowest first (e.g. PB16,PB10,PB4); default: every flavour slower than "
                   "the interface cells', slowest first.")
@click.option("--rule", default=None, help="Flavour rule: asap7, polybias, suffix:_A,_B, library:A,B "
                                            "(default: detected from the libraries).")
@click.option("--corners", default=_D.corners, show_default=True,
              help="Operating corners every stage must keep: comma-separated V@CLOCK, V in volts (or 'nom'), "
                   "CLOCK = SDC | fmax (the period the design as given just meets at V) | <T>ns | <F>MHz, "
                   "e.g. nom@SDC,0.8@fmax,0.6@fmax. auto = the design's own supply at the clock plus every "
                   "supply of --levels below it at its fmax.")
@click.option("--levels", default=None,
              help="Supplies the power manager hops between, V, comma-separated (for --corners auto; "
                   "default: every characterised voltage of --liberty).")
@click.option("--maps", "maps", multiple=True, default=_D.maps,
              help="Power-manager table(s) of finevh run (pm/*.json, this plan's tile count): every tile "
                   "map in them, at its frequency, is kept as a corner too (with --corners auto: instead "
                   "of the uniform fmax corners). Repeatable.")
@click.option("--power-rules", type=click.Choice(["3", "2.0"]), default=_D.activity.opensta_rules, show_default=True,
              help="Activity propagation and internal-power rules: OpenSTA 3.x ('3') or 2.0.17 ('2.0').")
@click.option("--input-activity", nargs=2, type=float, default=_D.activity.input_default, show_default=True,
              help="Input activity for the leakage report: transitions per clock cycle and duty.")
@click.option("--out", default=None, help="Plan file to write (default: update --plan).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def command(plan_path, liberty, verilog, top, sdc, lef, def_file, flavours, rule, corners, levels, maps,
            input_activity, power_rules, out, as_json):
    """Assign slower, less leaky flavours to interface cells without hurting WNS."""
    from ..fvh.plan import read_plan, write_plan
    from ..fvh.polybias import parse_corners
    from ..liberty.libset import FlavourRule, LibrarySet
    from ..loader import load_design
    from ..stages.options import flow_activity
    from ..stages import polybias_stage
    from ..stages.common import check_plan_matches
    from ..timing.constraints import read_constraints
    from ..validate import activity_duty

    from ..emit.pmtables import read_pm_maps

    check_files([plan_path, verilog, sdc, def_file] + list(liberty) + list(lef) + list(maps))
    check_outputs(out or plan_path)
    parse_corners(corners, "--corners")
    act = activity_duty(input_activity, "--input-activity")
    lv = parse_levels(levels)
    plan = read_plan(plan_path)
    design = load_design(liberty, verilog, top, lef, def_file)
    if rule:
        design.libset = LibrarySet(list(design.libset.libraries), FlavourRule.parse(rule))
    check_plan_matches(plan, design, plan_path)
    tc = read_constraints(sdc, design, design.libset)
    fl = [f.strip() for f in flavours.split(",") if f.strip()] if flavours else None
    n_tiles = plan.mesh.n * plan.mesh.n
    map_corners = tuple(m for p in maps for m in read_pm_maps(p, plan.inst_tile, n_tiles))
    res = polybias_stage(design, tc, plan, PolybiasOptions(fl, corners, lv, flow_activity(input_default=act, opensta_rules=power_rules),
                                                           maps=map_corners))
    rep = res.report
    write_plan(out or plan_path, plan)
    progress.progress(f"polybias: {rep['swapped_total']} swaps, leakage {rep['leakage_before_uw']:.4f} -> "
                      f"{rep['leakage_after_uw']:.4f} uW")
    if as_json:
        click.echo(json.dumps(rep, indent=2, sort_keys=True))
    else:
        click.echo(format_report(rep), nl=False)


def parse_levels(spec: str | None) -> list[float] | None:
    """``--levels 0.6,0.7,0.8``: supplies in volts (finite, > 0)."""
    if spec is None:
        return None
    out = []
    for t in spec.split(","):
        t = t.strip()
        if not t:
            continue
        try:
            v = float(t)
        except ValueError:
            raise InputError(f"--levels: a voltage is expected, got '{t}'") from None
        if not (math.isfinite(v) and v > 0):
            raise InputError(f"--levels: supplies must be finite and > 0 V, got '{t}'")
        out.append(v)
    if not out:
        raise InputError("--levels: no supply given")
    return out


def format_report(r: dict) -> str:
    lines = [f"interface cells  {r['interface_cells']} of {r['instances']}",
             f"d_avg            {r['d_avg_ns'] * 1e3:.3f} ps (critical path)"]
    lines.append(f"{'stage':<8} {'alpha_sd':>9} {'S_th ps':>9} {'candidates':>10} {'swapped':>8} {'back-off':>8}"
                 f" {'worst slack ns':>20}")
    for s in r["stages"]:
        lines.append(f"{s['flavour']:<8} {s['alpha_sd_pct']:>8.2f}% {s['s_th_ns'] * 1e3:>9.3f} {s['candidates']:>10}"
                     f" {s['swapped']:>8} {s['backoff_rounds']:>8} "
                     f"{s['worst_slack_before_ns']:>9.4f} ->{s['worst_slack_after_ns']:>9.4f}")
    lines.append("interface flavours  " + ", ".join(f"{k} {v}" for k, v in r["interface_flavours"].items()))
    for c in r.get("corners", []):
        lines.append(f"corner {c['corner']:<24} worst slack {c['worst_slack_before_ns']:9.4f} ->"
                     f"{c['worst_slack_after_ns']:9.4f} ns, WNS {c['wns_before_ns']:.4f} -> {c['wns_after_ns']:.4f}")
    lines.append(f"WNS              {r['wns_before_ns']:.4f} -> {r['wns_after_ns']:.4f} ns "
                 f"(worst slack {r['worst_slack_before_ns']:.4f} -> {r['worst_slack_after_ns']:.4f})")
    lines.append(f"leakage          {r['leakage_before_uw']:.4f} -> {r['leakage_after_uw']:.4f} uW "
                 f"(-{r['leakage_saved_pct']:.2f} %)")
    return "\n".join(lines) + "\n"
