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


def build_summary(design_name: str, bl, freqs, level_sets, tile_runs) -> dict:
    """The ``summary.json`` document (docs/emulate.md): ``bl`` the uniform-supply
    baseline, ``tile_runs`` the per-tile-count results (:class:`finevh.run.TileRun`)."""
    out: dict = {
        "format": SUMMARY_FORMAT, "version": SUMMARY_VERSION,
        "design": design_name,
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
    for mv, lv in level_sets.items():
        key = f"{mv}mV"
        rows = [bl.schemes(float(f), lv) for f in freqs]
        blk: dict = {
            "levels_v": [round(float(v), 4) for v in lv],
            "ideal_dvfs_uw": [_rel(r["ideal_dvfs_uw"]) for r in rows],
            "vdd_hopping_uw": [_rel(r["vdd_hopping_uw"]) for r in rows],
            "hopping_vdd_v": [round(r["hopping_vdd"], 4) for r in rows],
            "vdd_dithering_uw": [_rel(r["vdd_dithering_uw"]) for r in rows],
            "vddl_area_share": {},
            "tiles": {},
        }
        for tr in tile_runs:
            nt = str(tr.n * tr.n)
            pts_pb = tr.fine.get((mv, True))
            pts_nopb = tr.fine.get((mv, False))
            main = pts_pb if pts_pb is not None else pts_nopb
            t: dict = {
                "fine_vh_uw": [_rel(p.power_uw) for p in main] if pts_pb is not None else None,
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
            if t["fine_vh_uw"] is None:
                t["fine_vh_uw"] = t["fine_vh_no_pb_uw"]
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
        out[key] = blk
    return out


def summary_text(summary: dict) -> str:
    return json.dumps(summary, indent=1, sort_keys=True) + "\n"


def csv_tables(summary: dict) -> dict[str, str]:
    """CSV files (name -> text): one per ΔVdd with every scheme per frequency."""
    out = {}
    freqs = summary["frequencies_mhz"]
    for key in sorted(k for k in summary if k.endswith("mV")):
        blk = summary[key]
        tiles = sorted(blk["tiles"], key=int)
        head = ["f_mhz", "ideal_dvfs_uw", "vdd_hopping_uw", "vdd_dithering_uw"]
        for t in tiles:
            head += [f"fine_vh_{t}t_uw", f"fine_vh_no_pb_{t}t_uw", f"vddl_area_share_{t}t"]
        lines = [",".join(head)]
        for k, f in enumerate(freqs):
            row = [f, blk["ideal_dvfs_uw"][k], blk["vdd_hopping_uw"][k], blk["vdd_dithering_uw"][k]]
            for t in tiles:
                tb = blk["tiles"][t]
                row += [tb["fine_vh_uw"][k], tb["fine_vh_no_pb_uw"][k], tb["vddl_area_share"][k]]
            lines.append(",".join(repr(float(x)) for x in row))
        out[f"schemes_{key}.csv"] = "\n".join(lines) + "\n"
    return out
