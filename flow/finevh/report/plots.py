"""Report plots (matplotlib, no pyplot state, SVG text).

Every figure is rendered to SVG with a fixed ``svg.hashsalt`` and no date metadata,
so equal inputs give byte-identical files. Axes follow the thesis (§4.1.4): power
normalised to ideal-DVFS at the minimum Vdd (Fig. 4.10), savings per point against
ideal-DVFS and Vdd-Hopping (Fig. 4.11), with/without poly-bias (Fig. 4.13), share of
cell area at VddL per tile count (Fig. 4.12), tile Vdd per frequency (Fig. 4.14) and
the poly-bias flavour distribution (Fig. 4.9).
"""

from __future__ import annotations

import io
import math

import matplotlib

matplotlib.use("Agg", force=False)

import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from .data import DvddResult, RunData, flavour_key, savings_pct  # noqa: E402

_RC = {"svg.hashsalt": "finevh-report", "svg.fonttype": "path", "font.size": 9,
       "axes.grid": True, "grid.alpha": 0.3, "figure.dpi": 100}
COL_L, COL_H = "#3b75af", "#c8413b"


def to_svg(fig: Figure) -> str:
    """SVG text of ``fig`` (deterministic: fixed hash salt, no Date metadata)."""
    buf = io.StringIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return buf.getvalue()


def _fig(w: float, h: float) -> Figure:
    with matplotlib.rc_context(_RC):
        return Figure(figsize=(w, h))


def _axes(fig: Figure, n: int):
    with matplotlib.rc_context(_RC):
        return [fig.add_subplot(1, n, i + 1) for i in range(n)]


def _title(r: DvddResult) -> str:
    return f"ΔVdd = {r.delta_mv:g} mV"


def power_figure(run: RunData) -> Figure:
    """Fig. 4.10: power of the four schemes against frequency, normalised."""
    fig = _fig(5.0 * len(run.dvdd), 3.6)
    f = run.frequencies_mhz
    with matplotlib.rc_context(_RC):
        for ax, r in zip(_axes(fig, len(run.dvdd)), run.dvdd):
            ax.plot(f, r.ideal_dvfs_uw / run.norm_uw, "k--", label="ideal-DVFS")
            ax.plot(f, r.vdd_hopping_uw / run.norm_uw, "s-", color="#8c6d31", ms=3, label="Vdd-Hopping")
            ax.plot(f, r.vdd_dithering_uw / run.norm_uw, "^-", color="#6b6ecf", ms=3, label="Vdd-Dithering")
            ts = sorted(r.fine_vh_uw)
            for k, t in enumerate(ts):
                last = k == len(ts) - 1
                ax.plot(f, r.fine_vh_uw[t] / run.norm_uw, "o-", ms=3, lw=1.8 if last else 0.9,
                        alpha=1.0 if last else 0.55, label=f"FINE-VH ({t} tiles)")
            ax.set_title(_title(r))
            ax.set_xlabel("frequency (MHz)")
            ax.set_ylabel("power / ideal-DVFS @ min Vdd")
            ax.legend(fontsize=7)
    return fig


def savings_figure(run: RunData) -> Figure:
    """Fig. 4.11: FINE-VH savings per point against ideal-DVFS and Vdd-Hopping
    (the finest tile count of the run) and, when the summary has it, against the
    strongest of the three baselines' ideal-DVFS."""
    fig = _fig(5.0 * len(run.dvdd), 3.4)
    f = run.frequencies_mhz
    x = np.arange(f.size)
    with matplotlib.rc_context(_RC):
        for ax, r in zip(_axes(fig, len(run.dvdd)), run.dvdd):
            if r.fine_vh_uw:
                t = max(r.fine_vh_uw)
                strong = r.strongest_uw.get(t)
                w = 0.27 if strong is not None else 0.4
                ax.bar(x - w / 2 - (w / 2 if strong is not None else 0), savings_pct(r.fine_vh_uw[t], r.ideal_dvfs_uw),
                       w, color="#4c9a2a", label="vs ideal-DVFS (a)")
                ax.bar(x + w / 2 - (w / 2 if strong is not None else 0), savings_pct(r.fine_vh_uw[t], r.vdd_hopping_uw),
                       w, color="#d9a441", label="vs Vdd-Hopping (a)")
                if strong is not None:
                    ax.bar(x + w, savings_pct(r.fine_vh_uw[t], strong), w, color="#b33a3a",
                           label="vs strongest baseline")
                ax.set_title(f"{_title(r)}, {t} tiles")
            ax.axhline(0, color="k", lw=0.6)
            ax.set_xticks(x, [f"{v:.0f}" for v in f], rotation=90, fontsize=6)
            ax.set_xlabel("frequency (MHz)")
            ax.set_ylabel("power savings (%)")
            ax.legend(fontsize=7)
    return fig


def pb_figure(run: RunData) -> Figure | None:
    """Fig. 4.13: savings against ideal-DVFS with and without poly-bias."""
    rs = [r for r in run.dvdd if set(r.fine_vh_uw) & set(r.fine_vh_no_pb_uw)]
    if not rs:
        return None
    fig = _fig(5.0 * len(rs), 3.4)
    f = run.frequencies_mhz
    with matplotlib.rc_context(_RC):
        for ax, r in zip(_axes(fig, len(rs)), rs):
            t = max(set(r.fine_vh_uw) & set(r.fine_vh_no_pb_uw))
            ax.plot(f, savings_pct(r.fine_vh_uw[t], r.ideal_dvfs_uw), "o-", ms=3, color="#4c9a2a", label="with PB")
            ax.plot(f, savings_pct(r.fine_vh_no_pb_uw[t], r.ideal_dvfs_uw), "x--", ms=4, color="#999999",
                    label="without PB")
            ax.axhline(0, color="k", lw=0.6)
            ax.set_title(f"{_title(r)}, {t} tiles")
            ax.set_xlabel("frequency (MHz)")
            ax.set_ylabel("savings vs ideal-DVFS (%)")
            ax.legend(fontsize=7)
    return fig


def share_figure(run: RunData) -> Figure | None:
    """Fig. 4.12: share of cell area at VddL against frequency, per tile count."""
    rs = [r for r in run.dvdd if r.vddl_area_share]
    if not rs:
        return None
    fig = _fig(5.0 * len(rs), 3.4)
    f = run.frequencies_mhz
    with matplotlib.rc_context(_RC):
        for ax, r in zip(_axes(fig, len(rs)), rs):
            for t in sorted(r.vddl_area_share):
                ax.plot(f, 100.0 * r.vddl_area_share[t], "o-", ms=3, label=f"{t} tiles")
            ax.set_ylim(0, 100)
            ax.set_title(_title(r))
            ax.set_xlabel("frequency (MHz)")
            ax.set_ylabel("cell area at VddL (%)")
            ax.legend(fontsize=7)
    return fig


def tilemap_figure(run: RunData, r: DvddResult, tiles: int) -> Figure:
    """Fig. 4.14 as maps: the N×N tiles' supply at each frequency, one small map per
    frequency (tile 0 lower-left, row-major), drawn as one RGB mosaic image."""
    m = r.tile_high[tiles]
    nf, nt = m.shape
    side = math.isqrt(nt)
    cols = min(nf, 8)
    rows = -(-nf // cols)
    px = max(4, 40 // side)                 # pixels per tile
    pw = side * px + 1                      # panel width incl. 1 px white separators
    gap_x, gap_y = 14, 34                   # pixels between panels (room for titles)
    width = cols * (pw + gap_x)
    height = rows * (pw + gap_y)
    rgb = np.ones((height, width, 3))
    lo = np.array(matplotlib.colors.to_rgb(COL_L))
    hi = np.array(matplotlib.colors.to_rgb(COL_H))
    w_in, h_in = width / 60.0, height / 60.0          # image inches; + title and legend bands
    fig_w, fig_h = max(w_in, 4.0), h_in + 0.75
    fig = _fig(fig_w, fig_h)
    with matplotlib.rc_context(_RC):
        ax = fig.add_axes(((fig_w - w_in) / 2 / fig_w, 0.4 / fig_h, w_in / fig_w, h_in / fig_h))
        for i in range(nf):
            r0 = (i // cols) * (pw + gap_y) + gap_y
            c0 = (i % cols) * (pw + gap_x) + gap_x // 2
            grid = m[i].reshape(side, side)[::-1]          # row 0 at the bottom
            for a in range(side):
                for b in range(side):
                    y, x = r0 + 1 + a * px, c0 + 1 + b * px
                    rgb[y:y + px - 1, x:x + px - 1] = hi if grid[a, b] else lo
            label = f"{run.frequencies_mhz[i]:.0f} MHz"
            if r.vddl is not None and r.vddh is not None:
                label += f"\n{r.vddl[i]:.2f}/{r.vddh[i]:.2f} V"
            ax.text(c0 + pw / 2, r0 - 3, label, ha="center", va="bottom", fontsize=6)
        ax.imshow(rgb, interpolation="nearest", aspect="equal")
        ax.set_axis_off()
        fig.legend(handles=[Patch(color=COL_L, label="VddL"), Patch(color=COL_H, label="VddH")],
                   loc="lower center", ncol=2, fontsize=7)
        fig.suptitle(f"{_title(r)}, {tiles} tiles (tile 0 lower-left)", fontsize=9)
    return fig


def to_png(fig: Figure, dpi: int = 100) -> bytes:
    """PNG bytes of ``fig`` (deterministic: no Software metadata)."""
    buf = io.BytesIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def flavour_figure(flavours: dict[int, dict[str, int]]) -> Figure:
    """Fig. 4.9: interface cells per poly-bias flavour, per tile count (percent)."""
    names = sorted({k for c in flavours.values() for k in c}, key=flavour_key)
    ts = sorted(flavours)
    fig = _fig(4.5, 3.2)
    with matplotlib.rc_context(_RC):
        ax = fig.add_subplot(1, 1, 1)
        x = np.arange(len(ts))
        bottom = np.zeros(len(ts))
        for name in names:
            tot = np.array([max(sum(flavours[t].values()), 1) for t in ts], dtype=float)
            v = 100.0 * np.array([flavours[t].get(name, 0) for t in ts], dtype=float) / tot
            ax.bar(x, v, 0.6, bottom=bottom, label=name)
            bottom += v
        ax.set_xticks(x, [f"{t} tiles" for t in ts])
        ax.set_ylabel("interface cells (%)")
        ax.set_ylim(0, 100)
        ax.legend(fontsize=7)
    return fig


def design_space_figure(run: RunData) -> Figure | None:
    """Saving (vs thesis-style and vs the strongest baseline) against area overhead, one
    series per ΔVdd, tile counts labelled, the Pareto front drawn as a step line."""
    ds = run.design_space
    if not ds or not ds.get("rows"):
        return None
    fig = _fig(9.0, 3.6)
    axes = _axes(fig, 2)
    for ax, key, name in zip(axes, ("thesis", "strongest"), ("(a) thesis-style", "strongest baseline")):
        for mv in sorted({r["dvdd_mv"] for r in ds["rows"]}, reverse=True):
            rs = [r for r in ds["rows"] if r["dvdd_mv"] == mv]
            x = [r["area_overhead_pct"] for r in rs]
            y = [r[f"saving_vs_{key}_pct"] for r in rs]
            ax.plot(x, y, "o", label=f"{mv} mV")
            for r, a, b in zip(rs, x, y):
                ax.annotate(str(r["tiles"]), (a, b), fontsize=7, xytext=(3, 3), textcoords="offset points")
        front = sorted((r["area_overhead_pct"], r[f"saving_vs_{key}_pct"]) for r in ds["rows"]
                       if r.get(f"pareto_{key}"))
        if front:
            ax.step([p[0] for p in front], [p[1] for p in front], where="post", color="k", lw=1,
                    label="Pareto front")
        ax.axhline(0.0, color="#999", lw=0.6)
        ax.set_xlabel("area overhead, % of the one-tile core")
        ax.set_ylabel(f"mean saving vs {name}, %")
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
