"""Run reports: plots, CSV/JSON data and one self-contained HTML page per run.

``write_report(run_dir)`` reads ``run_dir/summary.json`` (written by ``finevh run``)
and writes ``run_dir/report.html`` plus the data tables under ``run_dir/report/``.
Both output paths are checked before any work; the data folder is staged and
swapped in whole (:func:`finevh.fileio.staged_output_dir`), so a rerun with fewer
ΔVdd options or tile counts leaves no table of the previous run behind.
"""

from __future__ import annotations

from pathlib import Path

from .. import progress
from ..fileio import check_output_dir, check_output_file, staged_output_dir, write_text_atomic
from . import data as _data
from . import html as _html

__all__ = ["write_report", "find_plans"]


def find_plans(run) -> dict[int, Path]:
    """Plan files of a run: the summary's ``plans`` map, else every ``*.fvh.json``
    under the run directory (keyed by its tile count)."""
    if run.plans:
        return {t: p for t, p in sorted(run.plans.items()) if p.is_file()}
    from ..fvh.plan import read_plan

    out: dict[int, Path] = {}
    root = run.source.parent if run.source else None
    if root is None:
        return out
    for p in sorted(root.rglob("*.fvh.json")):
        out.setdefault(read_plan(p).mesh.n_tiles, p)
    return out


def write_report(run_dir: str | Path, out: str | Path | None = None, force: bool = False) -> Path:
    """Write the HTML report of a run (default ``RUN_DIR/report.html``) and its data
    (CSV tables, ``report.json``) into ``report/`` beside it. Returns the HTML path.

    ``report/`` replaces an earlier finevh report folder whole; a non-empty folder
    that finevh did not write needs ``force`` (InputError otherwise, before any work)."""
    from . import plots

    base = Path(run_dir) if Path(run_dir).is_dir() else Path(run_dir).parent
    html_path = check_output_file(Path(out) if out is not None else base / "report.html",
                                  "--out" if out is not None else "report")
    data_dir = html_path.parent / "report"
    check_output_dir(data_dir, force, "report data folder")
    run = _data.read_run(run_dir)
    flavours = {t: _data.flavour_counts(p) for t, p in find_plans(run).items()}
    flavours = {t: c for t, c in flavours.items() if sum(c.values())}
    progress.progress(f"report: {run.design}, {run.frequencies_mhz.size} frequencies, "
                      f"{len(run.dvdd)} ΔVdd options")
    with staged_output_dir(data_dir, force, kind="report-data", what="report data folder") as tmp:
        _data.write_data(run, tmp, flavours)

    sections: list[tuple[str, str]] = []
    fair = _html.fair_table(run)
    if fair is not None:
        sections.append(("Fair comparison: FINE-VH against three baselines", fair + _html.FAIR_NOTE))
    wf = _html.waterfall_table(run)
    if wf is not None:
        sections.append(("Where the saving against thesis-style ideal-DVFS comes from", wf))
    ex = _html.exact_table(run)
    if ex is not None:
        sections.append(("Exact Vdd selection (MILP) against Algorithm 5 and the local search",
                         ex + _html.EXACT_NOTE))
    dsp = _html.design_space_table(run)
    if dsp is not None:
        sections.append(("Design space: power saving against area overhead (finevh sweep --design-space)",
                         _html.img(plots.to_svg(plots.design_space_figure(run)), "design space") + dsp))
    sections.append(("Summary (thesis-style baseline (a))", _html.summary_table(run)))
    sections.append(("Power against frequency (Fig. 4.10)",
                     _html.img(plots.to_svg(plots.power_figure(run)), "power against frequency")))
    sections.append(("Savings per point (Fig. 4.11)",
                     _html.img(plots.to_svg(plots.savings_figure(run)), "savings per point")))
    fig = plots.pb_figure(run)
    if fig is not None:
        sections.append(("Poly-bias effect (Fig. 4.13)", _html.img(plots.to_svg(fig), "poly-bias effect")))
    fig = plots.share_figure(run)
    if fig is not None:
        sections.append(("Cell area at VddL per tile count (Fig. 4.12)",
                         _html.img(plots.to_svg(fig), "area at VddL")))
    for r in run.dvdd:
        for t in sorted(r.tile_high):
            sections.append((f"Tile Vdd per frequency, {r.label}, {t} tiles (Fig. 4.14)",
                             _html.img_png(plots.to_png(plots.tilemap_figure(run, r, t)),
                                       f"tile vdd {r.label} {t}")))
    if flavours:
        sections.append(("Poly-bias flavours of the interface cells (Fig. 4.9)",
                         _html.img(plots.to_svg(plots.flavour_figure(flavours)), "flavours")
                         + _html.flavour_table(flavours)))
    for i, r in enumerate(run.dvdd):
        sections.append((f"Power per frequency, {r.label}", _html.power_table(run, i)))
    write_text_atomic(html_path, _html.page(run, sections))
    progress.progress(f"report: wrote {html_path}")
    return html_path
