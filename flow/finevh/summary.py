"""The ``finevh run`` result documents: ``summary.json`` (schema in docs/emulate.md)
and the per-ΔVdd CSV tables. Pure functions of the flow's in-memory results; powers
uW, frequencies MHz, voltages V."""

from __future__ import annotations

import json
import math

import numpy as np

SUMMARY_FORMAT = "finevh-run-summary"
SUMMARY_VERSION = 1


def _rel(v: float, nd: int = 6) -> float:
    """Round to ``nd`` significant digits (stable JSON)."""
    if v == 0 or not math.isfinite(v):
        return float(v)
    return float(f"{v:.{nd}g}")


#: steps of the saving's decomposition, in order (docs/emulate.md "Where the saving comes from")
WATERFALL = ("placement", "polybias", "two_supplies", "intra_tile", "overhead")
#: baselines: (a) thesis-style, (b) the same cells under one supply, (c) leakage-recovered
BASELINES = ("thesis", "same_cells", "leakage_recovered")


def _pct(a, b) -> list[float]:
    """Saving of ``a`` against ``b`` per point, %."""
    return [_rel(100 * (1 - x / y)) for x, y in zip(a, b)]


def _schemes(bl, freqs, levels) -> dict:
    rows = [bl.schemes(float(f), levels) for f in freqs]
    return {"ideal_dvfs_uw": [_rel(r["ideal_dvfs_uw"]) for r in rows],
            "vdd_hopping_uw": [_rel(r["vdd_hopping_uw"]) for r in rows],
            "vdd_dithering_uw": [_rel(r["vdd_dithering_uw"]) for r in rows],
            "hopping_vdd_v": [round(r["hopping_vdd"], 4) for r in rows]}


def main_variant(tr) -> str:
    """The variant a tile count's headline ``fine_vh_uw`` reports: poly-bias on the
    interface cells (thesis) if run, else leakage recovery on all cells, else none."""
    keys = {k for (_mv, k) in tr.fine}
    return next(k for k in ("pb", "all", "none") if k in keys)


def waterfall(p_thesis, p_part, p_same, pts) -> dict:
    """Decomposition of FINE-VH's saving against the thesis-style ideal-DVFS, % of it per
    point; the steps telescope to the total exactly:

    placement    = thesis ideal-DVFS - ideal-DVFS of the partitioned all-base design
    polybias     = that - ideal-DVFS of the partitioned design with FINE-VH's cells (b)
    two_supplies = (b) - FINE-VH's power with k = 1 (no intra-tile current) and no overhead
    intra_tile   = - Eq. 4.3's intra-tile share of FINE-VH's leakage
    overhead     = - Vdd-MUX and configuration-chain leakage
    """
    out: dict = {k: [] for k in WATERFALL + ("total",)}
    for a, b, c, p in zip(p_thesis, p_part, p_same, pts):
        intra, over = p.parts["intra_tile_uw"], p.parts["overhead_uw"]
        core = p.power_uw - intra - over
        steps = {"placement": a - b, "polybias": b - c, "two_supplies": c - core, "intra_tile": -intra,
                 "overhead": -over, "total": a - p.power_uw}
        for k, v in steps.items():
            out[k].append(_rel(100 * v / a))
    return out


def _variant_block(tr, key: str, mv: int, freqs, lv, thesis_ideal, rec_ideal, selection: str) -> dict:
    """FINE-VH of one flavour variant at one tile count: its points, Algorithm 5's, the same
    cells under one supply (b), the decomposition and the savings against every baseline."""
    pts = tr.fine[(mv, key)]
    same = _schemes(tr.uniform[key], freqs, lv)
    part = _schemes(tr.uniform["none"], freqs, lv)["ideal_dvfs_uw"]
    fv = [p.power_uw for p in pts]
    strongest = [min(a, b, c) for a, b, c in zip(thesis_ideal, same["ideal_dvfs_uw"], rec_ideal)]
    which = [BASELINES[int(np.argmin([a, b, c]))] for a, b, c in zip(thesis_ideal, same["ideal_dvfs_uw"], rec_ideal)]
    vs = {"vs_thesis_ideal_dvfs": _pct(fv, thesis_ideal), "vs_same_cells_ideal_dvfs": _pct(fv, same["ideal_dvfs_uw"]),
          "vs_same_cells_vdd_hopping": _pct(fv, same["vdd_hopping_uw"]),
          "vs_same_cells_vdd_dithering": _pct(fv, same["vdd_dithering_uw"]),
          "vs_leakage_recovered_ideal_dvfs": _pct(fv, rec_ideal), "vs_strongest": _pct(fv, strongest)}
    blk = {
        "selection": "alg5" if key == "none" else selection,
        "fine_vh_uw": [_rel(x) for x in fv],
        "alg5_uw": [_rel(p.alg5_uw) for p in pts],
        "local_search_gain_pct": [_rel(100 * (1 - p.power_uw / p.alg5_uw)) for p in pts],
        "local_search_moves": [p.moves for p in pts],
        "local_search_timing_runs": [p.search_runs for p in pts],
        "same_cells": same,
        "waterfall_pct": waterfall(thesis_ideal, part, same["ideal_dvfs_uw"], pts),
        "strongest_baseline": which,
        "strongest_baseline_uw": [_rel(x) for x in strongest],
        "savings_pct": vs,
        "mean_savings_pct": {k: _rel(float(np.mean(v))) for k, v in vs.items()},
        "worst_savings_pct": {k: _rel(float(np.min(v))) for k, v in vs.items()},
        "losing_points": {k: int(sum(1 for x in v if x < 0)) for k, v in vs.items()},
    }
    if any(p.exact is not None for p in pts):
        blk["exact"] = exact_block(pts)
    return blk


#: per-point figures of the exact selection copied into summary.json
EXACT_KEYS = ("source", "status", "optimal", "gap", "mip_gap", "sta_runs", "cuts", "solves")


def exact_block(pts) -> dict:
    """Exact selection (``selection = "milp"``) per point: its power, Algorithm 5's and
    the local search's, the gains (% of the other's power), the optimality gap (final,
    (power - proven bound) / power, and HiGHS's of the last solve), STA runs, cuts and
    where the map came from (``milp`` or the incumbent kept: ``local`` / ``alg5``)."""
    ex = [p.exact or {} for p in pts]
    fv = [p.power_uw for p in pts]
    loc = [p.local_uw if math.isfinite(p.local_uw) else p.alg5_uw for p in pts]   # not run: infeasible point

    def num(x):
        return _rel(float(x)) if isinstance(x, float) and math.isfinite(x) else (None if isinstance(x, float) else x)

    out = {"fine_vh_uw": [_rel(x) for x in fv],
           "alg5_uw": [_rel(p.alg5_uw) for p in pts],
           "local_uw": [_rel(x) for x in loc],
           "gain_vs_alg5_pct": _pct(fv, [p.alg5_uw for p in pts]),
           "gain_vs_local_pct": _pct(fv, loc)}
    for k in EXACT_KEYS:
        out[k] = [num(e.get(k)) for e in ex]
    out["lower_bound_uw"] = [num(e.get("lower_bound_uw")) for e in ex]
    g5, gl = out["gain_vs_alg5_pct"], out["gain_vs_local_pct"]
    gaps = [x for x in out["gap"] if isinstance(x, float)]
    out["mean_gain_vs_alg5_pct"] = _rel(float(np.mean(g5)))
    out["mean_gain_vs_local_pct"] = _rel(float(np.mean(gl)))
    out["max_gap"] = _rel(max(gaps)) if gaps else None
    out["points_optimal"] = int(sum(1 for e in ex if e.get("optimal")))
    out["points_above_alg5"] = int(sum(1 for x in g5 if x < 0))
    out["sta_runs_total"] = int(sum(e.get("sta_runs", 0) for e in ex))
    out["cuts_total"] = int(sum(e.get("cuts", 0) for e in ex))
    return out


def build_summary(design_name: str, bl, freqs, level_sets, tile_runs, recovered=None,
                  selection: str = "alg5") -> dict:
    """The ``summary.json`` document (docs/emulate.md): ``bl`` baseline (a), the
    unpartitioned all-base design under a uniform supply; ``tile_runs`` the per-tile-count
    results (:class:`finevh.run.TileRun`, with baseline (b) per variant); ``recovered``
    baseline (c) (:class:`finevh.run.Recovered`); ``selection`` the tile-map selection."""
    out: dict = {
        "format": SUMMARY_FORMAT, "version": SUMMARY_VERSION,
        "design": design_name,
        "selection": selection,
        "frequencies_mhz": [_rel(f) for f in freqs],
        "tiles_run": [tr.n * tr.n for tr in tile_runs],
        "vdd_grid_v": [round(float(v), 4) for v in bl.grid],
        "fmax_grid_mhz": [_rel(f) for f in bl.fmax_grid],
        "ideal_points_uw": [_rel(p) for p in bl.p_grid_at_fmax],
        "units": {"power": "uW", "frequency": "MHz", "voltage": "V", "area_share": "fraction of cell area"},
        "partition": {str(tr.n * tr.n): {k: tr.partition[k] for k in
                                         ("core_area_um2", "rows", "area_overhead_pct", "interface_cells",
                                          "interface_share_pct", "critical_delay_ns")}
                      for tr in tile_runs},
        "vddmux": {str(tr.n * tr.n): tr.vddmux for tr in tile_runs},
        "polybias": {str(tr.n * tr.n): tr.polybias for tr in tile_runs},
    }
    if recovered is not None:
        rb, rr = recovered.baseline, recovered.report
        out["leakage_recovery"] = {
            "swapped_total": rr.get("swapped_total", 0), "swapped": rr.get("swapped", {}),
            "leakage_before_uw": rr.get("leakage_before_uw"), "leakage_after_uw": rr.get("leakage_after_uw"),
            "leakage_saved_pct": rr.get("leakage_saved_pct"),
            "fmax_grid_mhz": [_rel(f) for f in rb.fmax_grid],
            "fmax_change_pct": [_rel(100 * (a / b - 1)) for a, b in zip(rb.fmax_grid, bl.fmax_grid)],
            "ideal_points_uw": [_rel(p) for p in rb.p_grid_at_fmax],
        }
        out["polybias_all_cells"] = {str(tr.n * tr.n): {k: tr.recovery.get(k) for k in
                                                        ("swapped_total", "swapped", "leakage_before_uw",
                                                         "leakage_after_uw", "leakage_saved_pct")}
                                     for tr in tile_runs if tr.recovery}
    for mv, lv in level_sets.items():
        key = f"{mv}mV"
        th = _schemes(bl, freqs, lv)
        blk: dict = {
            "levels_v": [round(float(v), 4) for v in lv],
            "ideal_dvfs_uw": th["ideal_dvfs_uw"],
            "vdd_hopping_uw": th["vdd_hopping_uw"],
            "hopping_vdd_v": th["hopping_vdd_v"],
            "vdd_dithering_uw": th["vdd_dithering_uw"],
            "vddl_area_share": {},
            "tiles": {},
        }
        rec_ideal = th["ideal_dvfs_uw"]
        if recovered is not None:
            blk["leakage_recovered"] = _schemes(recovered.baseline, freqs, lv)
            rec_ideal = blk["leakage_recovered"]["ideal_dvfs_uw"]
        for tr in tile_runs:
            nt = str(tr.n * tr.n)
            mk = main_variant(tr)
            main = tr.fine[(mv, mk)]
            pts_nopb = tr.fine[(mv, "none")]
            t: dict = {
                "variant": mk,
                "fine_vh_uw": [_rel(p.power_uw) for p in main],
                "fine_vh_no_pb_uw": [_rel(p.power_uw) for p in pts_nopb],
                "vddl_area_share": [_rel(p.vddl_area_share) for p in main],
                "vddl_area_share_no_pb": [_rel(p.vddl_area_share) for p in pts_nopb],
                "vddl_v": [round(p.vddl, 4) for p in main],
                "vddh_v": [round(p.vddh, 4) for p in main],
                "feasible": [p.feasible for p in main],
                "tile_vdd": [[1 if h else 0 for h in p.high.tolist()] for p in main],
                "tile_vdd_no_pb": [[1 if h else 0 for h in p.high.tolist()] for p in pts_nopb],
                "parts_uw": {k: [_rel(p.parts[k]) for p in main] for k in sorted(main[0].parts)},
                "parts_no_pb_uw": {k: [_rel(p.parts[k]) for p in pts_nopb] for k in sorted(pts_nopb[0].parts)},
            }
            if tr.uniform:
                t["variants"] = {k: _variant_block(tr, k, mv, freqs, lv, th["ideal_dvfs_uw"], rec_ideal, selection)
                                 for k in ("none", "pb", "all") if (mv, k) in tr.fine}
            blk["tiles"][nt] = t
            blk["vddl_area_share"][nt] = t["vddl_area_share"]
        last = blk["tiles"][str(tile_runs[-1].n ** 2)] if tile_runs else None
        if last is not None:
            blk["fine_vh_uw"] = last["fine_vh_uw"]
            blk["fine_vh_no_pb_uw"] = last["fine_vh_no_pb_uw"]
            blk["fine_vh_tiles"] = tile_runs[-1].n ** 2
            ideal = np.array(blk["ideal_dvfs_uw"])
            hop = np.array(blk["vdd_hopping_uw"])
            dith = np.array(blk["vdd_dithering_uw"])
            fv = np.array(blk["fine_vh_uw"])
            fvn = np.array(blk["fine_vh_no_pb_uw"])
            blk["savings_pct"] = {
                "vs_ideal_dvfs": [_rel(100 * (1 - a / b)) for a, b in zip(fv, ideal)],
                "vs_vdd_hopping": [_rel(100 * (1 - a / b)) for a, b in zip(fv, hop)],
                "vs_vdd_dithering": [_rel(100 * (1 - a / b)) for a, b in zip(fv, dith)],
                "no_pb_vs_ideal_dvfs": [_rel(100 * (1 - a / b)) for a, b in zip(fvn, ideal)],
                "mean_vs_ideal_dvfs": _rel(float(np.mean(100 * (1 - fv / ideal)))),
                "mean_vs_vdd_hopping": _rel(float(np.mean(100 * (1 - fv / hop)))),
                "mean_vs_vdd_dithering": _rel(float(np.mean(100 * (1 - fv / dith)))),
                "mean_no_pb_vs_ideal_dvfs": _rel(float(np.mean(100 * (1 - fvn / ideal)))),
            }
            if "variants" in last:
                blk["fair"] = fair_block(last["variants"])
        out[key] = blk
    return out


def fair_block(variants: dict) -> dict:
    """The headline comparison per FINE-VH variant (poly-bias variants only when run):
    savings against the strongest of the three baselines' ideal-DVFS at every point."""
    out = {}
    for k, v in variants.items():
        if k == "none" and len(variants) > 1:
            continue
        s = v["savings_pct"]["vs_strongest"]
        out[k] = {"vs_strongest_pct": s, "strongest_baseline": v["strongest_baseline"],
                  "mean_pct": v["mean_savings_pct"]["vs_strongest"], "worst_pct": v["worst_savings_pct"]["vs_strongest"],
                  "losing_points": v["losing_points"]["vs_strongest"],
                  "mean_vs_pct": {b: v["mean_savings_pct"][f"vs_{b}_ideal_dvfs"] for b in BASELINES}}
    return out


def summary_text(summary: dict) -> str:
    return json.dumps(summary, indent=1, sort_keys=True) + "\n"


def csv_tables(summary: dict) -> dict[str, str]:
    """CSV files (name -> text): one per ΔVdd with every scheme per frequency (baselines
    (a) and (c), per tile count FINE-VH, Algorithm 5's map, baseline (b)), and per ΔVdd
    the headline tile count's decomposition of the saving (``waterfall_*.csv``)."""
    out = {}
    freqs = summary["frequencies_mhz"]
    for key in sorted(k for k in summary if k.endswith("mV")):
        blk = summary[key]
        tiles = sorted(blk["tiles"], key=int)
        lr = blk.get("leakage_recovered")
        head = ["f_mhz", "ideal_dvfs_uw", "vdd_hopping_uw", "vdd_dithering_uw"]
        if lr:
            head += ["lr_ideal_dvfs_uw", "lr_vdd_hopping_uw", "lr_vdd_dithering_uw"]
        for t in tiles:
            head += [f"fine_vh_{t}t_uw", f"fine_vh_no_pb_{t}t_uw", f"vddl_area_share_{t}t"]
            for vk, vb in blk["tiles"][t].get("variants", {}).items():
                head += [f"{vk}_fine_vh_{t}t_uw", f"{vk}_alg5_{t}t_uw", f"{vk}_same_cells_ideal_dvfs_{t}t_uw"]
                if "exact" in vb:
                    head += [f"{vk}_local_{t}t_uw", f"{vk}_exact_gain_vs_alg5_{t}t_pct",
                             f"{vk}_exact_gain_vs_local_{t}t_pct", f"{vk}_exact_gap_{t}t"]
        lines = [",".join(head)]
        for k, f in enumerate(freqs):
            row = [f, blk["ideal_dvfs_uw"][k], blk["vdd_hopping_uw"][k], blk["vdd_dithering_uw"][k]]
            if lr:
                row += [lr["ideal_dvfs_uw"][k], lr["vdd_hopping_uw"][k], lr["vdd_dithering_uw"][k]]
            for t in tiles:
                tb = blk["tiles"][t]
                row += [tb["fine_vh_uw"][k], tb["fine_vh_no_pb_uw"][k], tb["vddl_area_share"][k]]
                for vb in tb.get("variants", {}).values():
                    row += [vb["fine_vh_uw"][k], vb["alg5_uw"][k], vb["same_cells"]["ideal_dvfs_uw"][k]]
                    if "exact" in vb:
                        ex = vb["exact"]
                        row += [ex["local_uw"][k], ex["gain_vs_alg5_pct"][k], ex["gain_vs_local_pct"][k],
                                float("nan") if ex["gap"][k] is None else ex["gap"][k]]
            lines.append(",".join(repr(float(x)) for x in row))
        out[f"schemes_{key}.csv"] = "\n".join(lines) + "\n"
        last = blk["tiles"][tiles[-1]] if tiles else {}
        if "variants" in last:
            wf = last["variants"][last["variant"]]["waterfall_pct"]
            cols = list(WATERFALL) + ["total"]
            wl = [",".join(["f_mhz"] + [f"{c}_pct" for c in cols])]
            for k, f in enumerate(freqs):
                wl.append(",".join(repr(float(x)) for x in [f] + [wf[c][k] for c in cols]))
            out[f"waterfall_{key}.csv"] = "\n".join(wl) + "\n"
    return out
