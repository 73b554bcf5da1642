"""The whole FINE-VH flow for one design described by a TOML config (``finevh run``):
read -> partition -> Vdd-MUX -> poly-bias -> emulate -> emit -> report.

A short orchestrator of the stage functions of :mod:`finevh.stages` (the same ones the
CLI sub-commands and the Tcl procs call) and of the emulator (:mod:`finevh.fvh.emulate`).
:func:`run_flow` computes in memory and returns a :class:`RunResult`;
:func:`write_outputs` writes everything into a staging folder that replaces ``--out``
only when complete. Config schema: :mod:`finevh.config`; result documents:
:mod:`finevh.summary`. See docs/emulate.md.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import memory, progress, resources
from .config import RunConfig, load_config  # noqa: F401  (re-exported: the run's public API)
from .errors import InputError
from .summary import SUMMARY_FORMAT, SUMMARY_VERSION, build_summary, csv_tables, summary_text  # noqa: F401

DEMO_CONFIG = resources.demo_config()


#: flavour variants of a partitioned design: base flavours everywhere; poly-bias on the
#: interface cells (thesis §4.1.2); the interface rule then leakage recovery on all cells
VARIANTS = ("none", "pb", "all")


@dataclass
class TileRun:
    """One tile count's results: the plan and the stage reports, the emulated FINE-VH
    points per (ΔVdd mV, variant) and, per variant, the same cells under one uniform
    supply (baseline (b), :class:`finevh.fvh.emulate.Baseline`)."""

    n: int
    plan: object
    partition: dict
    vddmux: dict
    polybias: dict
    fine: dict = field(default_factory=dict)       # (dv_mv, variant) -> list[FineVhPoint]
    uniform: dict = field(default_factory=dict)    # variant -> Baseline (uniform supply)
    recovery: dict = field(default_factory=dict)   # poly-bias stage report of the "all" variant


@dataclass
class Recovered:
    """Baseline (c): the unpartitioned design after leakage recovery on every cell."""

    baseline: object        # finevh.fvh.emulate.Baseline
    report: dict            # the poly-bias stage report (all cells as candidates)


@dataclass
class _CandidateSet:
    """What :func:`finevh.stages.polybias_stage` reads and writes of a plan: the candidate
    mask (``interface``), the swaps and the reports; lets the stage run on every cell."""

    interface: np.ndarray
    pb_swaps: list = field(default_factory=list)
    reports: dict = field(default_factory=dict)


@dataclass
class RunResult:
    cfg: RunConfig
    summary: dict
    tile_runs: list[TileRun]
    freqs: np.ndarray
    timings: dict
    recovered: Recovered | None = None


@dataclass
class _Inputs:
    """What the read step yields: the design (placed), constraints, flavour codes,
    leakage LUT and activity specification."""

    design: object
    tc: object
    names: list
    base_code: int
    base_cells: list
    lut: object
    spec: object
    crossing: object = None          # CrossingTables or None


def _flavour_names(libset) -> list:
    fl = libset.flavours() if libset.rule is not None else []
    return list(fl) if fl else [None]


def _read(cfg: RunConfig) -> _Inputs:
    """Read the design, place it if no DEF, read constraints, LUTs and activity."""
    from .liberty.libset import FlavourRule, LibrarySet
    from .loader import load_design
    from .power.analysis import ActivitySpec
    from .tech.lut import LeakageLut, read_lut
    from .timing.constraints import read_constraints

    crossing = None
    if cfg.crossing:              # small text files: checked before the design is read
        from .tech.crossing import CrossingTables, read_crossing

        crossing = CrossingTables()
        for f in cfg.crossing:
            crossing.merge(read_crossing(f), f)
    design = load_design(cfg.liberty, cfg.verilog, cfg.top, cfg.lef, cfg.def_file)
    if cfg.flavour_rule:
        design.libset = LibrarySet(list(design.libset.libraries), FlavourRule.parse(cfg.flavour_rule))
    libset = design.libset
    if design.placement is None:
        from .place.flow import place_design

        progress.progress("no DEF: placing with the embedded placer")
        design.placement, _res = place_design(design, design.meta["lef"], cfg.place_utilization, 1.0, 0)
    tc = read_constraints(cfg.sdc, design, libset)
    if not tc.clocks:
        raise InputError("the SDC defines no clock", cfg.sdc)
    if len(tc.clocks) > 1:
        progress.warn("several clocks: Algorithm 5 is answered per interval from one raise sequence, which is "
                      "exact only for a single clock")
    volts = libset.voltages()
    if not volts or min(volts) > cfg.vdd_min + 1e-6 or max(volts) < cfg.vdd_max - 1e-6:
        raise InputError(f"the libraries cover {volts[0] if volts else '?'}..{volts[-1] if volts else '?'} V; "
                         f"the sweep needs {cfg.vdd_min:g}..{cfg.vdd_max:g} V", cfg.source)
    names = _flavour_names(libset)
    base_cells = [design.cells[k] for k in design.inst_cell.tolist()]
    base_fl = libset.split(base_cells[0])[1] if names != [None] else None
    if cfg.base_flavour and names != [None]:
        if cfg.base_flavour not in names:
            raise InputError(f"base_flavour '{cfg.base_flavour}' is not a flavour of the libraries "
                             f"({', '.join(str(n) for n in names)})", cfg.source)
        base_fl = cfg.base_flavour
    lut = None
    if cfg.lut:
        lut = LeakageLut()
        for f in cfg.lut:
            lut.merge(read_lut(f))
    signals = None
    if cfg.vcd:
        from .activity.vcd import read_vcd

        signals = read_vcd(cfg.vcd, scope=cfg.scope)
    elif cfg.saif:
        from .activity.saif import read_saif

        signals = read_saif(cfg.saif, scope=cfg.scope)
    spec = ActivitySpec(mode="signals", signals=signals, input_default=cfg.input_activity,
                        opensta_rules=cfg.power_rules) if signals \
        else ActivitySpec(mode="propagate", input_default=cfg.input_activity, opensta_rules=cfg.power_rules)
    return _Inputs(design, tc, names, names.index(base_fl) if base_fl in names else 0, base_cells, lut, spec,
                   crossing)


def _overhead_leakage(libset, plan, levels) -> dict[float, float]:
    """Leakage (uW) of the switches and chain flops, which stay at VddH, per supply level."""
    from .timing.binding import interpolated_cell

    mux = libset.find_cell(plan.vddmux.cell) if plan.vddmux.cell else None
    ff = libset.find_cell(plan.config_chain.master) if plan.config_chain.flops else None
    out = {}
    for v in levels:
        o = 0.0
        for c, k in ((mux, len(plan.vddmux.cells)), (ff, len(plan.config_chain.flops))):
            if c is None:
                continue
            try:
                cv = interpolated_cell(libset, c, v)
            except InputError:
                cv = c
            o += k * float(cv.cell_leakage_power or 0.0)
        out[v] = o
    return out


def recover_leakage(design, tc, names: list, flavour: np.ndarray, opts) -> tuple[np.ndarray, dict]:
    """Timing-driven multi-flavour leakage recovery on EVERY instance: the poly-bias stage
    with all cells as candidates (same flavours, corners and acceptance rule as on the
    interface cells). Cells already at a slower flavour keep it unless a slower one fits.
    ``design`` is left re-bound; returns the flavour codes and the stage report ({} when
    the library set has no flavours)."""
    from .stages import polybias_stage
    from .stages.polybias import stage_order

    cand = _CandidateSet(np.ones(design.n_instances, dtype=bool))
    if names == [None] or not stage_order(design, cand, opts):
        return flavour.copy(), {}
    res = polybias_stage(design, tc, cand, opts)
    out = np.asarray(flavour, dtype=np.int64).copy()
    for i, _a, _b, fl in res.extra["result"].swaps:
        out[i] = names.index(fl)
    return out, res.report


def _flavours_of(stage_result, base_flav: np.ndarray, names: list) -> np.ndarray:
    """Flavour codes per instance after a poly-bias stage (``base_flav`` with its swaps)."""
    out = base_flav.copy()
    for i, _a, _b, fl in stage_result.extra["result"].swaps:
        out[i] = names.index(fl)
    return out


def _bind_flavours(design, flav: np.ndarray, base_flav: np.ndarray, names: list) -> None:
    """Re-bind the instances whose flavour code in ``flav`` differs from ``base_flav`` to
    their bound cell's twin of that flavour (as the poly-bias stage leaves them)."""
    moved = np.nonzero(flav != base_flav)[0]
    for code in np.unique(flav[moved]).tolist():
        insts = moved[flav[moved] == code]
        ls = design.libset
        uniq, inv = np.unique(np.asarray(design.inst_cell)[insts], return_inverse=True)
        tw = [ls.twin(design.cells[u], flavour=names[code]) for u in uniq.tolist()]
        design.rebind(insts.tolist(), [tw[k] for k in np.asarray(inv).ravel().tolist()])


def _selected_maps(fine: dict, inst_tile: np.ndarray) -> list:
    """The tile maps the selection picked at every feasible point and ΔVdd, as poly-bias
    corners at the point's clock. The period is shortened by the stage's slack resolution,
    so a map the stage keeps also meets the emulator's tolerance."""
    from .fvh.emulate import PERIOD_TOL_NS
    from .fvh.polybias import SLACK_EPS_NS, MapCorner

    it = np.asarray(inst_tile, dtype=np.int64)
    return [MapCorner(it, tuple(np.where(p.high, p.vddh, p.vddl).tolist()),
                      1000.0 / p.f_mhz + PERIOD_TOL_NS - SLACK_EPS_NS)
            for mv in sorted(fine) for p in fine[mv] if p.feasible]


def _swept_power(fine: dict) -> float:
    """FINE-VH power summed over every point and ΔVdd (uW): what a poly-bias round must lower."""
    return float(sum(p.power_uw for mv in sorted(fine) for p in fine[mv]))


def refine_polybias(design, tc, plan, opts, rounds: int, flav: np.ndarray, uni, fine: dict, report: dict,
                    emulate, restore, base_flav: np.ndarray, names: list):
    """Poly-bias that knows the tile maps (issue 13, build item 5).

    Round 1 (given: ``flav``, its baseline ``uni``, points ``fine``, stage ``report``)
    kept the uniform corners. Each further round re-runs the stage from the base cells
    with the SDC corner and the maps the selection picked in the best round so far (so
    those maps stay timing-feasible), then emulates the new cells (``emulate(fl) ->
    (baseline, {ΔVdd: points})``). A round is kept when the swept FINE-VH power drops;
    the rounds stop at the first round that does not lower it, when the cells repeat, or
    after ``rounds``. The plan and ``report["map_rounds"]`` describe the kept cells.
    Returns (flavour codes, baseline (b), points, report)."""
    from dataclasses import replace

    from .stages import polybias_stage

    best = (_swept_power(fine), flav, uni, fine, report, list(plan.pb_swaps))
    hist = [{"round": 1, "corners": "uniform", "swapped_total": int(report.get("swapped_total", 0)),
             "fine_vh_swept_uw": round(best[0], 6), "kept": True}]
    for r in range(2, rounds + 1):
        maps = _selected_maps(best[3], plan.inst_tile)
        if not maps:
            break
        progress.progress(f"poly-bias round {r}: keeping the {len(maps)} selected tile maps")
        restore()
        res = polybias_stage(design, tc, plan, replace(opts, maps=tuple(maps)))
        new = _flavours_of(res, base_flav, names)
        restore()
        row = {"round": r, "corners": f"SDC + {len(res.report['corners']) - 1} maps",
               "swapped_total": int(res.report["swapped_total"])}
        if np.array_equal(new, best[1]):
            row.update(fine_vh_swept_uw=round(best[0], 6), kept=False, stable=True)
            hist.append(row)
            break
        uni_r, fine_r = emulate(new)
        p = _swept_power(fine_r)
        row.update(fine_vh_swept_uw=round(p, 6), kept=p < best[0])
        hist.append(row)
        if not row["kept"]:
            break
        best = (p, new, uni_r, fine_r, res.report, list(plan.pb_swaps))
    plan.pb_swaps = best[5]
    rep = dict(best[4], map_rounds=hist)
    plan.reports["polybias"] = rep
    return best[1], best[2], best[3], rep


def _keep_sums(prof) -> None:
    """Reduce a profile whose per-instance use is over (baselines, finished sweeps) to
    what :class:`finevh.fvh.emulate.Baseline` still reads, the sums: 0-d arrays, whose
    ``.sum()`` is the same number (each supply of each profile is 2 x 8 bytes per instance)."""
    for d in (prof.dyn_ref_uw, prof.leak_uw):
        for v in list(d):
            d[v] = np.asarray(d[v].sum())


def run_flow(cfg: RunConfig, tiles: list[int] | None = None) -> RunResult:
    """Run the flow in memory; nothing is written."""
    from .fvh import dvfs
    from .fvh import emulate as E
    from .fvh.leakage import DesignLeakage
    from .power.analysis import analyse
    from .stages import partition_stage, polybias_stage, vddmux_stage
    from .stages.common import make_timer, placed_as, placement_wire_cap
    from .stages.polybias import stage_order

    t_all = time.perf_counter()
    timings: dict[str, float] = {}
    tiles = sorted(set(tiles)) if tiles else list(cfg.tiles)
    t0 = time.perf_counter()
    inp = _read(cfg)
    design, tc, names, spec = inp.design, inp.tc, inp.names, inp.spec
    timings["read_s"] = time.perf_counter() - t0

    # -- activity and the leakage model, on the unpartitioned design --------------------------
    t0 = time.perf_counter()
    wc0 = placement_wire_cap(design)
    timer0 = make_timer(design, tc, wc0)
    r0 = timer0.update()
    p0 = analyse(design, tc, spec, slews=r0.slew, wire_cap=wc0, leakage_weights="probability")
    if spec.signals is not None and p0.matched_signals == 0:
        raise InputError("no VCD/SAIF signal matches a net of the design (check 'scope')", cfg.vcd or cfg.saif)
    leak = DesignLeakage(design, p0.net_duty, inp.lut)
    del r0, p0
    timings["activity_s"] = time.perf_counter() - t0
    emu = E.Emulator(design, tc, leak, spec, crossing=inp.crossing,
                     crossing_fallback=None if names == [None] else str(names[inp.base_code]))
    base_flav = np.full(design.n_instances, inp.base_code, dtype=np.int64)

    def restore_base() -> None:
        design.rebind(np.arange(design.n_instances), inp.base_cells)

    level_sets = {mv: dvfs.hopping_levels(mv / 1000.0, cfg.vdd_min, cfg.vdd_max) for mv in cfg.delta_vdd_mv}
    all_levels = sorted({round(float(v), 4) for lv in level_sets.values() for v in lv})
    pb_opts = cfg.polybias_options(all_levels, spec)

    # -- baseline (a): the unpartitioned all-base design under a uniform supply --------------
    t0 = time.perf_counter()
    grid = dvfs.vdd_grid(cfg.vdd_min, cfg.vdd_max, cfg.grid_step)
    base_var = E.Variant("base", timer0, E.Binder(design, base_flav, names), wire_cap=wc0)
    emu.activate(base_var)
    progress.progress(f"baseline: STA and power at {len(grid)} supplies {grid[0]:g}..{grid[-1]:g} V")
    bl = E.baseline(emu, base_var, grid)
    timings["baseline_s"] = time.perf_counter() - t0
    restore_base()
    emu.deactivate()
    _keep_sums(bl.prof)
    del base_var, timer0
    memory.trim()

    # -- baseline (c): the same design after leakage recovery on every cell ------------------
    t0 = time.perf_counter()
    progress.progress("baseline (c): leakage recovery on every cell of the unpartitioned design")
    rec_flav, rec_rep = recover_leakage(design, tc, names, base_flav, pb_opts)
    restore_base()
    memory.trim()
    rec_var = E.Variant("leakage-recovered", make_timer(design, tc, wc0), E.Binder(design, rec_flav, names),
                        wire_cap=wc0)
    emu.activate(rec_var)
    recovered = Recovered(E.baseline(emu, rec_var, grid), rec_rep)
    restore_base()
    emu.deactivate()
    _keep_sums(recovered.baseline.prof)
    del rec_var
    memory.trim()
    timings["baseline_recovered_s"] = time.perf_counter() - t0

    # -- partitions ----------------------------------------------------------------------------
    t0 = time.perf_counter()
    parts = {n: partition_stage(design, tc, None, cfg.partition_options(n)) for n in tiles}
    timings["partition_s"] = time.perf_counter() - t0
    memory.trim()
    # the sweep ends at the SDC clock or where the slowest design runs out at vdd_max
    f_top = min([bl.fmax_at(cfg.vdd_max), recovered.baseline.fmax_at(cfg.vdd_max), emu.f_ref]
                + [1000.0 / p.extra["critical_delay_ns"] for p in parts.values()])
    f_low = bl.fmax_at(cfg.vdd_min)
    if f_top <= f_low:
        raise InputError("fmax at vdd_max does not exceed fmax at vdd_min: nothing to sweep", cfg.source)
    freqs = dvfs.frequency_sweep(f_low, f_top, cfg.n_freq)
    progress.progress(f"sweep: {cfg.n_freq} frequencies {freqs[0]:.3f}..{freqs[-1]:.3f} MHz "
                      f"(fmax {f_low:.3f} MHz at {cfg.vdd_min:g} V)")

    # -- per tile count: Vdd-MUX, poly-bias, emulation ------------------------------------------
    cell_area = design.inst_area()
    tile_runs: list[TileRun] = []
    for n in tiles:
        part = parts.pop(n)          # its placement and partition result are done with after this tile count
        plan = part.plan
        placement = part.extra["placement"]
        with placed_as(design, placement):
            t0 = time.perf_counter()
            restore_base()
            mux = vddmux_stage(design, tc, plan, cfg.vddmux_options(spec))
            timings[f"vddmux_{n}_s"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            flav = {"none": base_flav}
            pb_rep: dict = {"stages": [], "swapped_total": 0}
            with_pb = names != [None] and bool(stage_order(design, plan, pb_opts))
            if with_pb:
                pb = polybias_stage(design, tc, plan, pb_opts)
                flav["pb"] = _flavours_of(pb, base_flav, names)
                pb_rep = pb.report
                restore_base()
            memory.trim()
            timings[f"polybias_{n}_s"] = time.perf_counter() - t0
            wc = placement_wire_cap(design)
        tm = make_timer(design, tc, wc)
        over = _overhead_leakage(design.libset, plan, all_levels)
        tr = TileRun(n, plan, part.report, mux.report, pb_rep)
        t0 = time.perf_counter()

        def emulate_variant(key: str, fl: np.ndarray, _n=n, _tm=tm, _wc=wc, _over=over, _plan=plan):
            """Baseline (b) and FINE-VH at every ΔVdd of the cells ``fl`` (flavour codes)."""
            var = E.Variant(f"{_n * _n} tiles {key}", _tm, E.Binder(design, fl, names),
                            tile=_plan.inst_tile.astype(np.int64), n_tiles=_n * _n, wire_cap=_wc,
                            overhead_leak_uw=_over)
            emu.activate(var)
            prof = emu.profile(var, all_levels, with_power=True)
            uni = E.baseline(emu, var, grid, prof=prof)        # baseline (b) of these cells
            fine = {}
            for mv, lv in level_sets.items():
                base_fm = np.array([bl.fmax_at(v) for v in lv])
                # the no-poly-bias ablation keeps the thesis' Algorithm 5 (run-time; its
                # Algorithm 5 figures compare with the poly-bias variants' alg5_uw)
                sel = cfg.selection if key != "none" else "alg5"
                progress.progress(f"{var.name}, dVdd {mv} mV: Algorithm 5 over {len(lv) - 1} interval(s)"
                                  + {"local": " + local search", "milp": " + local search + exact MILP"}.get(sel, ""))
                fine[mv] = E.fine_vh_sweep(emu, var, prof, freqs, lv, base_fm, cell_area, selection=sel)
            emu.deactivate()
            restore_base()
            _keep_sums(prof)
            del var, prof
            memory.trim()
            return uni, fine

        for key in VARIANTS:
            if key == "all" and with_pb and "all" in cfg.variants():
                progress.progress(f"{n * n} tiles: leakage recovery on every cell after the interface rule")
                t1 = time.perf_counter()
                with placed_as(design, placement):
                    _bind_flavours(design, flav["pb"], base_flav, names)     # recovery on top of the interface rule
                    flav["all"], tr.recovery = recover_leakage(design, tc, names, flav["pb"], pb_opts)
                    restore_base()
                memory.trim()
                timings[f"polybias_{n}_s"] += time.perf_counter() - t1
            if key not in flav or (key == "pb" and "pb" not in cfg.variants() and cfg.polybias_rounds == 1):
                continue
            uni, fine = emulate_variant(key, flav[key])
            if key == "pb" and cfg.polybias_rounds > 1:
                with placed_as(design, placement):
                    flav["pb"], uni, fine, tr.polybias = refine_polybias(
                        design, tc, plan, pb_opts, cfg.polybias_rounds, flav["pb"], uni, fine, tr.polybias,
                        lambda fl: emulate_variant("pb", fl), restore_base, base_flav, names)
            if key == "pb" and "pb" not in cfg.variants():
                continue                 # the interface rule only feeds the "all" variant
            tr.uniform[key] = uni
            for mv, pts in fine.items():
                tr.fine[(mv, key)] = pts
        del tm
        timings[f"emulate_{n}_s"] = time.perf_counter() - t0
        tile_runs.append(tr)

    summary = build_summary(cfg.name, bl, freqs, level_sets, tile_runs, recovered, cfg.selection)
    timings["sta_s"] = emu.timing_s
    timings["power_s"] = emu.power_s
    timings["sta_runs"] = emu.sta_runs
    timings["total_s"] = time.perf_counter() - t_all
    return RunResult(cfg, summary, tile_runs, freqs, timings, recovered)


# ---- outputs -------------------------------------------------------------------------------

def emit_options(cfg: RunConfig, plan_path: str):
    """The emitted scripts' options: VddH = vdd_max, VddL one (first) ΔVdd below it."""
    from .emit.common import EmitOptions

    return EmitOptions(vddh_v=cfg.vdd_max, vddl_v=round(cfg.vdd_max - cfg.delta_vdd_mv[0] / 1000.0, 4),
                       plan_path=plan_path)


def output_files(result: RunResult) -> dict[str, object]:
    """Every output of a run, relative path -> text (or a plan to write), in write order."""
    from .emit.pmtables import pm_header, pm_json, pm_table
    from .stages import emit_stage
    from .stages.emit import script_name

    cfg, s = result.cfg, result.summary
    files: dict[str, object] = dict(csv_tables(s))
    for tr in result.tile_runs:
        nt = tr.n * tr.n
        plan_rel = f"plans/{cfg.name}_{nt}tiles.fvh.json"
        files[plan_rel] = tr.plan
        em = emit_stage(None, None, tr.plan, emit_options(cfg, plan_rel), cfg.emit_tools)
        for tool, text in em.extra["texts"].items():
            files[f"emit/{cfg.name}_{nt}tiles_{tool}.{script_name(tool)}"] = text
        for mv in cfg.delta_vdd_mv:
            tbl = pm_table(tr.plan, s, mv, nt)
            files[f"pm/{cfg.name}_{nt}tiles_{mv}mV.json"] = pm_json(tbl)
            files[f"pm/{cfg.name}_{nt}tiles_{mv}mV.h"] = pm_header(tbl)
    files["summary.json"] = summary_text(s)
    return files


def write_outputs(result: RunResult, out_dir: str | Path, force: bool = False) -> list[Path]:
    """Write summary.json, CSV tables, plans, emitted scripts, power-manager tables and the
    HTML report into a staging folder that replaces ``out_dir`` only when complete."""
    from .fileio import staged_output_dir, write_text_atomic
    from .fvh.plan import write_plan
    from .report import write_report

    files = output_files(result)
    out = Path(out_dir)
    written: list[Path] = []
    with staged_output_dir(out, force=force) as tmp:
        for rel, item in files.items():
            p = Path(tmp) / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(item, str):
                write_text_atomic(p, item)
            else:
                write_plan(p, item)
            written.append(out / rel)
        write_report(Path(tmp))
    return written
