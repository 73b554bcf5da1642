"""One self-contained HTML page per run: tables + plots embedded as base64 SVG images
(no external asset, no script). The text depends only on the run's data, so equal
runs give byte-identical pages."""

from __future__ import annotations

import base64
import html
import math

from .. import __version__
from .data import RunData, figures, flavour_key, savings_pct

_CSS = """
body{font-family:sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:8px 0;font-size:12px}
th,td{border:1px solid #bbb;padding:3px 7px;text-align:right}
th{background:#eef2f7}td.l,th.l{text-align:left}
img{max-width:100%;display:block;margin:8px 0}
.note{color:#555;font-size:12px}
"""


def _num(x: float, nd: int = 2) -> str:
    return "–" if x is None or not math.isfinite(float(x)) else f"{float(x):.{nd}f}"


def img(svg: str, alt: str) -> str:
    """An ``<img>`` holding an SVG document as a base64 data URI."""
    b64 = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/svg+xml;base64,{b64}">'


def img_png(png: bytes, alt: str) -> str:
    b64 = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{b64}">'


def _table(tid: str, header: list[str], rows: list[list[str]]) -> str:
    h = "".join(f"<th>{html.escape(c)}</th>" for c in header)
    body = "\n".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table id="{tid}">\n<thead><tr>{h}</tr></thead>\n<tbody>\n{body}\n</tbody></table>'


def summary_table(run: RunData) -> str:
    fig = figures(run)
    rows = []
    for r in run.dvdd:
        for t, e in fig["dvdd"][r.label]["tiles"].items():
            rows.append([r.label, t,
                         _num(e.get("avg_savings_vs_ideal_dvfs_pct", math.nan)),
                         _num(e.get("avg_savings_vs_vdd_hopping_pct", math.nan)),
                         _num(e.get("avg_savings_vs_vdd_dithering_pct", math.nan)),
                         _num(e.get("avg_savings_no_pb_vs_ideal_dvfs_pct", math.nan)),
                         _num(e.get("avg_vddl_area_share_pct", math.nan))])
    return _table("summary", ["ΔVdd", "tiles", "savings vs ideal-DVFS %", "vs Vdd-Hopping %",
                              "vs Vdd-Dithering %", "no PB vs ideal-DVFS %", "area at VddL %"], rows)


_STEP_NAMES = {"placement": "placement", "polybias": "poly-bias", "two_supplies": "two supplies",
               "intra_tile": "intra-tile leakage", "overhead": "Vdd-MUX + chain", "total": "total"}
_VARIANT_NAMES = {"pb": "PB on interface cells (thesis)", "all": "interface rule + recovery on all cells",
                  "none": "no poly-bias"}


FAIR_NOTE = ('<p class="note">Baselines, all under one supply with ideal-DVFS over the Vdd grid: '
             "(a) thesis-style: the unpartitioned design, base flavours; (b) same cells: the partitioned "
             "design with FINE-VH's flavours, its placement and wire caps, no Vdd-MUX; (c) leakage-recovered: "
             "the unpartitioned design after timing-driven multi-flavour leakage recovery on every cell. "
             "Strongest = the lowest of the three at each point. Positive = FINE-VH uses less power.</p>")


def _dv(r) -> str:
    """ΔVdd as these tables print it ("200 mV")."""
    return f"{r.delta_mv:g} mV"


def fair_table(run: RunData) -> str | None:
    """FINE-VH against the three baselines (mean of per-point savings, %), the strongest
    baseline's worst point and losing points; one row per ΔVdd, tile count and variant."""
    rows = []
    for r in run.dvdd:
        for k, v in sorted(r.fair.items()):
            mv = v.get("mean_vs_pct", {})
            rows.append([_dv(r), str(max(r.fine_vh_uw)) if r.fine_vh_uw else "–", _VARIANT_NAMES.get(k, k),
                         _num(mv.get("thesis", math.nan)), _num(mv.get("same_cells", math.nan)),
                         _num(mv.get("leakage_recovered", math.nan)), _num(v.get("mean_pct", math.nan)),
                         _num(v.get("worst_pct", math.nan)),
                         f"{v.get('losing_points', 0)} of {run.frequencies_mhz.size}"])
    if not rows:
        return None
    return _table("fair", ["ΔVdd", "tiles", "FINE-VH variant", "vs (a) thesis-style %", "vs (b) same cells %",
                           "vs (c) leakage-recovered %", "vs strongest: mean %", "worst %", "losing points"], rows)


def waterfall_table(run: RunData) -> str | None:
    """Where the saving against the thesis-style ideal-DVFS comes from (mean over the
    sweep of each step, % of that ideal-DVFS; the steps add up to the total)."""
    fig = figures(run)
    rows = []
    for r in run.dvdd:
        for t, e in fig["dvdd"][r.label]["tiles"].items():
            w = e.get("avg_waterfall_pct")
            if w:
                rows.append([_dv(r), t] + [_num(w.get(k, math.nan)) for k in _STEP_NAMES]
                            + [_num(e.get("avg_local_search_gain_pct", math.nan))])
    if not rows:
        return None
    return _table("waterfall", ["ΔVdd", "tiles"] + [f"{v} %" for v in _STEP_NAMES.values()]
                  + ["local search vs Algorithm 5 %"], rows)


def exact_table(run: RunData) -> str | None:
    """Exact selection (``selection = "milp"``) per ΔVdd and tile count: mean gain over
    Algorithm 5 and over the local search, points where the MILP's own map was kept,
    points proven optimal, largest final gap, STA runs and timing cuts."""
    rows = []
    for r in run.dvdd:
        for t, e in sorted(r.exact.items()):
            src = e.get("source") or []
            n = len(src)
            gaps = [g for g in e.get("gap") or [] if g is not None]
            rows.append([_dv(r), str(t), _num(e.get("mean_gain_vs_alg5_pct", math.nan)),
                         _num(min(e.get("gain_vs_alg5_pct") or [math.nan])),
                         _num(e.get("mean_gain_vs_local_pct", math.nan)),
                         _num(max(e.get("gain_vs_local_pct") or [math.nan])),
                         f"{sum(1 for x in src if x == 'milp')} of {n}",
                         f"{e.get('points_optimal', 0)} of {n}",
                         f"{max(gaps):.1e}" if gaps else "–",
                         str(e.get("sta_runs_total", 0)), str(e.get("cuts_total", 0))])
    if not rows:
        return None
    return _table("exact", ["ΔVdd", "tiles", "vs Algorithm 5: mean %", "min %", "vs local search: mean %",
                            "max %", "MILP map kept", "proven optimal", "max gap", "STA runs", "cuts"], rows)


EXACT_NOTE = ('<p class="note">Exact selection: a mixed-integer program over the tile map (HiGHS), power from the '
              "flow's own model (dynamic, Eq. 4.3 leakage with the border terms, Vdd-MUX overhead), timing cuts "
              "added from the STA's violating paths until the STA passes. It starts from Algorithm 5's and the "
              "local search's maps and keeps the best timed map, so it never reports more power than either. "
              "Gap = (power − proven lower bound) / power.</p>")


def design_space_table(run: RunData) -> str | None:
    """``finevh sweep --design-space``: saving against area overhead per tile count and
    ΔVdd; ``*`` marks the Pareto front (least area for the saving)."""
    ds = run.design_space
    if not ds or not ds.get("rows"):
        return None
    rows = [[f"{r['dvdd_mv']} mV", str(r["tiles"]), _num(r["saving_vs_thesis_pct"]),
             "*" if r.get("pareto_thesis") else "", _num(r["saving_vs_strongest_pct"]),
             "*" if r.get("pareto_strongest") else "", _num(r["border_area_pct"]), _num(r["vddmux_area_pct"]),
             _num(r["area_overhead_pct"])] for r in ds["rows"]]
    out = _table("design-space", ["ΔVdd", "tiles", "saving vs (a) %", "Pareto (a)", "saving vs strongest %",
                                  "Pareto (strongest)", "border area %", "Vdd-MUX area %", "area overhead %"], rows)
    if ds.get("failed"):
        out += '<p class="note">Points the flow could not build: ' + "; ".join(
            html.escape(f"{f['tiles']} tiles, {f['dvdd_mv']} mV: {f['reason']}") for f in ds["failed"]) + "</p>"
    return out


def power_table(run: RunData, i: int) -> str:
    r = run.dvdd[i]
    ts = sorted(r.fine_vh_uw)
    header = ["f MHz", "ideal-DVFS uW", "Vdd-Hopping uW", "Vdd-Dithering uW"]
    for t in ts:
        header += [f"FINE-VH {t} uW", f"{t}: vs ideal %", f"{t}: vs hopping %"]
    rows = []
    for k, f in enumerate(run.frequencies_mhz):
        row = [_num(f, 1), _num(r.ideal_dvfs_uw[k], 3), _num(r.vdd_hopping_uw[k], 3), _num(r.vdd_dithering_uw[k], 3)]
        for t in ts:
            row += [_num(r.fine_vh_uw[t][k], 3),
                    _num(savings_pct(r.fine_vh_uw[t][k], r.ideal_dvfs_uw[k])),
                    _num(savings_pct(r.fine_vh_uw[t][k], r.vdd_hopping_uw[k]))]
        rows.append(row)
    return _table(f"power-{r.label}", header, rows)


def flavour_table(flavours: dict[int, dict[str, int]]) -> str:
    names = sorted({k for c in flavours.values() for k in c}, key=flavour_key)
    rows = [[str(t)] + [str(c.get(n, 0)) for n in names] for t, c in sorted(flavours.items())]
    return _table("flavours", ["tiles"] + names, rows)


def page(run: RunData, sections: list[tuple[str, str]]) -> str:
    """Whole document; ``sections`` are (title, inner HTML) pairs."""
    title = f"FINE-VH report: {run.design}"
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="note">{run.frequencies_mhz.size} target frequencies '
        f"({_num(run.frequencies_mhz.min(), 1)}–{_num(run.frequencies_mhz.max(), 1)} MHz); "
        f"ΔVdd options: {', '.join(r.label for r in run.dvdd)}; power normalised to ideal-DVFS "
        f"at minimum Vdd = {_num(run.norm_uw, 3)} uW. Savings are 100·(1 − P<sub>FINE-VH</sub>/P<sub>scheme</sub>) "
        f"per point; averages are means of the per-point savings. finevh {html.escape(__version__)}.</p>",
    ]
    for head, inner in sections:
        parts.append(f"<h2>{html.escape(head)}</h2>")
        parts.append(inner)
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
