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
