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

import click

from .. import progress
from ..errors import InputError


@click.command("polybias")
@click.option("--plan", "plan_path", required=True, help="Plan file from finevh partition (*.fvh.json).")
@click.option("--liberty", "liberty", multiple=True, required=True,
              help="Liberty files of every flavour; repeatable. Cells bind to the first file that has "
                   "them: with same-name flavour libraries (demo28) give the design's own flavour first.")
@click.option("--verilog", required=True, help="Gate-level Verilog netlist.")
@click.option("--top", default=None, help="Top module.")
@click.option("--sdc", required=True, help="SDC constraints.")
@click.option("--lef", "lef", multiple=True, help="LEF files (with --def: wire capacitance from the placement).")
@click.option("--def", "def_file", default=None, help="Placed (partitioned) DEF for wire capacitance.")
@click.option("--cap-per-um", type=float, default=None, help="Wire capacitance per um with --def (pF/um).")
@click.option("--flavours", default=None,
              help="Stage order, slowest first (e.g. PB16,PB10,PB4); default: every flavour slower than "
                   "the interface cells', slowest first.")
@click.option("--rule", default=None, help="Flavour rule: asap7, polybias, suffix:_A,_B, library:A,B "
                                            "(default: detected from the libraries).")
@click.option("--corners", default="auto", show_default=True,
              help="Operating corners every stage must keep: comma-separated V@CLOCK, V in volts (or 'nom'), "
                   "CLOCK = SDC | fmax (the period the design as given just meets at V) | <T>ns | <F>MHz, "
                   "e.g. 1.0@SDC,0.8@fmax,0.6@fmax. auto = the design's own supply at the SDC clock plus every "
                   "lower characterised voltage of --liberty at its fmax.")
@click.option("--out", default=None, help="Plan file to write (default: update --plan).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def command(plan_path, liberty, verilog, top, sdc, lef, def_file, cap_per_um, flavours, rule, corners, out,
            as_json):
    """Assign slower, less leaky flavours to interface cells without hurting WNS."""
    from ..fvh.plan import PbSwap, read_plan, write_plan
    from ..fvh.polybias import assign_polybias, auto_corners, default_stages, nominal_voltage, parse_corners
    from ..liberty.libset import FlavourRule, LibrarySet
    from ..power.analysis import analyse
    from ..timing import wire
    from ..timing.constraints import read_constraints
    from ..timing.engine import Timer
    from .partition import check_files
    from ..loader import load_design

    check_files([plan_path, verilog, sdc, def_file] + list(liberty) + list(lef))
    corner_specs = parse_corners(corners, "--corners")
    plan = read_plan(plan_path)
    design = load_design(liberty, verilog, top, lef, def_file)
    if rule:
        design.libset = LibrarySet(list(design.libset.libraries), FlavourRule.parse(rule))
    check_plan_matches(plan, design, plan_path)
    tc = read_constraints(sdc, design, design.libset)
    wc = None
    if design.placement is not None:
        wc = wire.from_placement(design, design.placement,
                                 cap_per_um if cap_per_um is not None else wire.DEFAULT_CAP_PER_UM)
    timer = Timer(design, tc, wc)
    if flavours:
        stages = [f.strip() for f in flavours.split(",") if f.strip()]
    else:
        stages = default_stages(design.libset, design, plan.interface)
    if not stages:
        raise InputError("no flavour slower than the design's: nothing to assign (check --liberty / --rule)")
    if corner_specs is None:
        corner_specs = auto_corners(nominal_voltage(design), design.libset.voltages())
    r0 = timer.update()
    p0 = analyse(design, tc, slews=r0.slew, wire_cap=wc)
    res = assign_polybias(design, timer, plan.interface, stages, corners=corner_specs)
    r1 = timer.last
    p1 = analyse(design, tc, slews=r1.slew, wire_cap=wc)
    names = design.netlist.inst_names
    iface = plan.interface
    plan.pb_swaps = [PbSwap(names[i], a, b, f) for i, a, b, f in res.swaps]
    per = {s.flavour: s.swapped for s in res.stages}
    rep = {
        "interface_cells": res.interface_cells,
        "instances": design.n_instances,
        "stages": [{"flavour": s.flavour, "alpha_sd_pct": round(100 * s.alpha_sd, 4), "s_th_ns": round(s.s_th_ns, 6),
                    "candidates": s.candidates, "swapped": s.swapped, "backoff_rounds": s.backoff_rounds,
                    "worst_slack_before_ns": round(s.worst_before_ns, 6),
                    "worst_slack_after_ns": round(s.worst_after_ns, 6),
                    "corners": [{"corner": c["corner"], "alpha_sd_pct": round(100 * c["alpha_sd"], 4),
                                 "s_th_ns": round(c["s_th_ns"], 6),
                                 "worst_slack_before_ns": round(c["worst_before_ns"], 6),
                                 "worst_slack_after_ns": round(c["worst_after_ns"], 6)} for c in s.corners]}
                   for s in res.stages],
        "corners": corner_report(res),
        "swapped": per,
        "swapped_total": len(res.swaps),
        "interface_flavours": res.flavour_count,
        "d_avg_ns": round(res.d_avg_ns, 6),
        "worst_slack_before_ns": round(res.worst_before_ns, 6),
        "worst_slack_after_ns": round(res.worst_after_ns, 6),
        "wns_before_ns": round(min(0.0, res.worst_before_ns), 6),
        "wns_after_ns": round(min(0.0, res.worst_after_ns), 6),
        "tns_before_ns": round(res.tns_before_ns, 6),
        "tns_after_ns": round(res.tns_after_ns, 6),
        "leakage_before_uw": round(float(p0.inst_leakage.sum()), 6),
        "leakage_after_uw": round(float(p1.inst_leakage.sum()), 6),
        "interface_leakage_before_uw": round(float(p0.inst_leakage[iface].sum()), 6),
        "interface_leakage_after_uw": round(float(p1.inst_leakage[iface].sum()), 6),
    }
    lb = rep["leakage_before_uw"]
    rep["leakage_saved_pct"] = round(100.0 * (1 - rep["leakage_after_uw"] / lb), 4) if lb > 0 else 0.0
    plan.reports["polybias"] = rep
    write_plan(out or plan_path, plan)
    progress.progress(f"polybias: {len(res.swaps)} swaps, leakage {lb:.4f} -> {rep['leakage_after_uw']:.4f} uW")
    if as_json:
        click.echo(json.dumps(rep, indent=2, sort_keys=True))
    else:
        click.echo(format_report(rep), nl=False)


def corner_report(res) -> list[dict]:
    """Per operating corner: supply, clock, d_avg, α_sd, worst slack / WNS / TNS before and after."""
    return [{"corner": c.label, "vdd_v": None if c.vdd is None else round(c.vdd, 4),
             "period_ns": round(c.period_ns, 6), "d_avg_ns": round(c.d_avg_ns, 6),
             "alpha_sd_pct": {f: round(100 * a, 4) for f, a in c.alpha_sd.items()},
             "worst_slack_before_ns": round(c.worst_before_ns, 6), "worst_slack_after_ns": round(c.worst_after_ns, 6),
             "wns_before_ns": round(min(0.0, c.worst_before_ns), 6), "wns_after_ns": round(min(0.0, c.worst_after_ns), 6),
             "tns_before_ns": round(c.tns_before_ns, 6), "tns_after_ns": round(c.tns_after_ns, 6)}
            for c in res.corners]


def check_plan_matches(plan, design, plan_path: str) -> None:
    """The plan must describe this netlist (same instances, same order)."""
    names = design.netlist.inst_names
    if plan.inst_names != list(names):
        miss = next((n for n in plan.inst_names if n not in set(names)), None)
        raise InputError(f"the plan does not match the netlist {design.netlist.source}: "
                         f"{len(plan.inst_names)} vs {len(names)} instances"
                         + (f", e.g. '{miss}' is not in the netlist" if miss else " (order differs)"), plan_path)


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
