"""The whole FINE-VH flow for one design described by a TOML config (``finevh run``):
read -> partition -> Vdd-MUX -> poly-bias -> emulate -> emit -> report.

Layers: this module is an analysis/orchestration layer below :mod:`finevh.cli`. It
reads inputs (:func:`load_config`, :func:`run_flow` reading the design), computes
with the stage functions of :mod:`finevh.fvh` and returns a :class:`RunResult`;
:func:`write_outputs` writes everything (atomically) at the end. See docs/emulate.md.
"""

from __future__ import annotations

import copy
import glob
import json
import math
import time
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from . import progress
from .errors import InputError
from .fileio import write_text_atomic

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "designs" / "demo" / "finevh.toml"
SUMMARY_FORMAT = "finevh-run-summary"
SUMMARY_VERSION = 1


# ---- configuration -----------------------------------------------------------------------

@dataclass
class RunConfig:
    """Resolved configuration (absolute paths; voltages V; frequencies MHz)."""

    source: str
    name: str
    liberty: list[str]
    lef: list[str]
    verilog: str
    sdc: str
    def_file: str | None = None
    top: str | None = None
    place_utilization: float = 0.7
    vcd: str | None = None
    saif: str | None = None
    scope: str | None = None
    input_activity: tuple[float, float] = (0.1, 0.5)
    lut: list[str] = field(default_factory=list)
    base_flavour: str | None = None
    flavours: list[str] | None = None          # poly-bias stage order; [] = no poly-bias
    flavour_rule: str | None = None
    tiles: list[int] = field(default_factory=lambda: [3, 5, 7])
    delta_vdd_mv: list[int] = field(default_factory=lambda: [200, 100])
    n_freq: int = 16
    vdd_min: float = 0.60
    vdd_max: float = 1.00
    grid_step: float = 0.025
    wrapper_um: float | None = None
    peak_factor: float = 4.0
    mux_cell: str | None = None
    switch_max_ma: float | None = None
    chain_ff: str | None = None
    out_dir: str = "finevh_run"
    emit_tools: list[str] = field(default_factory=lambda: ["openroad", "icc2", "innovus", "primetime",
                                                          "opensta", "upf"])
    pb_corners: str = "auto"                   # poly-bias corners (finevh polybias --corners syntax)


_KNOWN = {
    "design": {"name", "liberty", "lef", "verilog", "def", "sdc", "top", "place_utilization"},
    "activity": {"vcd", "saif", "scope", "input_activity"},
    "tech": {"lut", "base_flavour", "flavours", "flavour_rule", "polybias_corners"},
    "fvh": {"tiles", "delta_vdd_mv", "frequencies", "vdd_min", "vdd_max", "grid_step", "wrapper_um",
            "peak_factor", "mux_cell", "switch_max_ma", "chain_ff", "emit"},
    "output": {"dir"},
}


def _line_of(text: str, key: str) -> int | None:
    for k, ln in enumerate(text.splitlines(), 1):
        s = ln.strip()
        if s.startswith(key) and s[len(key):].lstrip().startswith("="):
            return k
        if s == f"[{key}]":
            return k
    return None


def load_config(path: str | Path) -> RunConfig:
    """Read and check a ``finevh run`` TOML config (paths relative to its folder)."""
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", str(p))
    text = p.read_text()
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        import re

        m = re.search(r"\(at line (\d+), column \d+\)", str(e))
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e))
        raise InputError(f"TOML: {msg}", str(p), int(m.group(1)) if m else None) from None
    base = p.resolve().parent

    def fail(msg: str, key: str):
        raise InputError(msg, str(p), _line_of(text, key))

    for sec, body in raw.items():
        if sec not in _KNOWN:
            fail(f"unknown section [{sec}] (expected {', '.join(sorted(_KNOWN))})", sec)
        if not isinstance(body, dict):
            fail(f"'{sec}' must be a table", sec)
        for k in body:
            if k not in _KNOWN[sec]:
                fail(f"unknown key '{k}' in [{sec}] (expected {', '.join(sorted(_KNOWN[sec]))})", k)
    d = raw.get("design", {})
    a = raw.get("activity", {})
    t = raw.get("tech", {})
    f = raw.get("fvh", {})
    o = raw.get("output", {})

    def typed(sec: dict, key: str, kind, default=None):
        v = sec.get(key, default)
        if v is None:
            return None
        if kind is float and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        if not isinstance(v, kind) or isinstance(v, bool) and kind is not bool:
            fail(f"'{key}' must be a {kind.__name__}", key)
        return v

    def paths(sec: dict, key: str, required=False, many=True) -> list[str]:
        v = sec.get(key)
        if v is None:
            if required:
                fail(f"missing '{key}'", "design" if sec is d else key)
            return []
        items = v if isinstance(v, list) else [v]
        out: list[str] = []
        for it in items:
            if not isinstance(it, str) or not it:
                fail(f"'{key}' must be a path or a list of paths", key)
            pat = str((base / it)) if not Path(it).is_absolute() else it
            hits = sorted(glob.glob(pat)) if any(ch in it for ch in "*?[") else [pat]
            if not hits:
                fail(f"'{key}': no file matches '{it}'", key)
            for h in hits:
                if not Path(h).is_file():
                    fail(f"'{key}': no such file '{h}'", key)
                h = str(Path(h).resolve())
                if h not in out:
                    out.append(h)
        if not many and len(out) != 1:
            fail(f"'{key}' must name one file", key)
        return out

    cfg = RunConfig(
        source=str(p),
        name=typed(d, "name", str) or p.stem,
        liberty=paths(d, "liberty", required=True),
        lef=paths(d, "lef"),
        verilog=paths(d, "verilog", required=True, many=False)[0],
        sdc=paths(d, "sdc", required=True, many=False)[0],
        def_file=(paths(d, "def", many=False) or [None])[0],
        top=typed(d, "top", str) or None,
        place_utilization=typed(d, "place_utilization", float, 0.7),
        vcd=(paths(a, "vcd", many=False) or [None])[0],
        saif=(paths(a, "saif", many=False) or [None])[0],
        scope=typed(a, "scope", str) or None,
        lut=paths(t, "lut"),
        base_flavour=typed(t, "base_flavour", str),
        flavour_rule=typed(t, "flavour_rule", str),
        out_dir=str((base / typed(o, "dir", str, "finevh_run")).resolve()) if o.get("dir") else "finevh_run",
    )
    if not cfg.lef:
        fail("missing 'lef' (cell sizes for the placement)", "design")
    ia = a.get("input_activity")
    if ia is not None:
        if not (isinstance(ia, list) and len(ia) == 2 and all(isinstance(x, (int, float)) for x in ia)):
            fail("'input_activity' must be [transitions_per_cycle, duty]", "input_activity")
        cfg.input_activity = (float(ia[0]), float(ia[1]))
    if cfg.vcd and cfg.saif:
        fail("give 'vcd' or 'saif', not both", "vcd")
    fl = t.get("flavours")
    if fl is not None:
        if not (isinstance(fl, list) and all(isinstance(x, str) for x in fl)):
            fail("'flavours' must be a list of flavour names (slowest first)", "flavours")
        cfg.flavours = list(fl)
    tl = f.get("tiles", [3, 5, 7])
    if not (isinstance(tl, list) and tl and all(isinstance(x, int) and x >= 2 for x in tl)):
        fail("'tiles' must be a list of tiles per side (integers >= 2)", "tiles")
    cfg.tiles = sorted(set(tl))
    dv = f.get("delta_vdd_mv", [200, 100])
    if not (isinstance(dv, list) and dv and all(isinstance(x, int) and x > 0 for x in dv)):
        fail("'delta_vdd_mv' must be a list of positive integers (mV)", "delta_vdd_mv")
    cfg.delta_vdd_mv = list(dict.fromkeys(dv))
    cfg.n_freq = typed(f, "frequencies", int, 16)
    if cfg.n_freq < 1:
        fail("'frequencies' must be >= 1", "frequencies")
    cfg.vdd_min = typed(f, "vdd_min", float, 0.60)
    cfg.vdd_max = typed(f, "vdd_max", float, 1.00)
    cfg.grid_step = typed(f, "grid_step", float, 0.025)
    if not (0 < cfg.vdd_min < cfg.vdd_max) or cfg.grid_step <= 0:
        fail("need 0 < vdd_min < vdd_max and grid_step > 0", "vdd_min")
    for mv in cfg.delta_vdd_mv:
        span = round((cfg.vdd_max - cfg.vdd_min) * 1000)
        if span % mv or mv % round(cfg.grid_step * 1000):
            fail(f"delta_vdd_mv {mv}: must divide vdd_max - vdd_min ({span} mV) and be a multiple of grid_step",
                 "delta_vdd_mv")
    pc = typed(t, "polybias_corners", str, "auto")
    try:
        from .fvh.polybias import parse_corners

        parse_corners(pc)
    except InputError as e:
        fail(str(e.message if hasattr(e, "message") else e), "polybias_corners")
    cfg.pb_corners = pc
    cfg.wrapper_um = typed(f, "wrapper_um", float)
    cfg.peak_factor = typed(f, "peak_factor", float, 4.0)
    cfg.mux_cell = typed(f, "mux_cell", str)
    cfg.switch_max_ma = typed(f, "switch_max_ma", float)
    cfg.chain_ff = typed(f, "chain_ff", str)
    em = f.get("emit")
    if em is not None:
        from .emit import TOOLS

        if not (isinstance(em, list) and all(x in TOOLS for x in em)):
            fail(f"'emit' must be a list of tools among {', '.join(TOOLS)}", "emit")
        cfg.emit_tools = list(em)
    return cfg


# ---- the flow --------------------------------------------------------------------------------

@dataclass
class TileRun:
    n: int
    plan: object
    partition: dict
    vddmux: dict
    polybias: dict
    fine: dict = field(default_factory=dict)       # (dv_mv, pb: bool) -> list[FineVhPoint]


@dataclass
class RunResult:
    cfg: RunConfig
    summary: dict
    tile_runs: list[TileRun]
    freqs: np.ndarray
    timings: dict


def _rel(v: float, nd: int = 6) -> float:
    """Round to ``nd`` significant digits (stable JSON)."""
    if v == 0 or not math.isfinite(v):
        return float(v)
    return float(f"{v:.{nd}g}")


def _timer(Timer, design, tc, wc):
    """A timer for the emulation: net loads summed in double precision (the default
    float32 running sum reproduces OpenSTA to the last ps on huge nets and costs a
    third of every Algorithm-5 re-time; 1e-5 relative does not matter here)."""
    t = Timer(design, tc, wc)
    t.single_precision_loads = False
    return t


def _flavour_names(libset) -> list:
    fl = libset.flavours() if libset.rule is not None else []
    return list(fl) if fl else [None]


def run_flow(cfg: RunConfig, tiles: list[int] | None = None) -> RunResult:
    """Run the flow in memory; nothing is written."""
    from .loader import load_design
    from .fvh import dvfs
    from .fvh import emulate as E
    from .fvh import vddmux as V
    from .fvh.leakage import DesignLeakage
    from .fvh.partition import partition, summary_dict, to_plan, wrapper_from_lef
    from .fvh.polybias import CornerSpec, assign_polybias, auto_corners, default_stages, parse_corners
    from .fvh.plan import PbSwap
    from .liberty.libset import FlavourRule, LibrarySet
    from .power.analysis import ActivitySpec, analyse
    from .tech.lut import LeakageLut, read_lut
    from .timing import wire
    from .timing.constraints import read_constraints
    from .timing.engine import Timer

    t_all = time.perf_counter()
    timings: dict[str, float] = {}
    tiles = sorted(set(tiles)) if tiles else list(cfg.tiles)
    # -- read ------------------------------------------------------------------------------
    t0 = time.perf_counter()
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
    base_code = names.index(base_fl) if base_fl in names else 0
    lut = None
    if cfg.lut:
        lut = LeakageLut()
        for f in cfg.lut:
            lut.merge(read_lut(f))
    timings["read_s"] = time.perf_counter() - t0

    # -- activity, leakage model -------------------------------------------------------------
    t0 = time.perf_counter()
    signals = None
    if cfg.vcd:
        from .activity.vcd import read_vcd

        signals = read_vcd(cfg.vcd, scope=cfg.scope)
    elif cfg.saif:
        from .activity.saif import read_saif

        signals = read_saif(cfg.saif, scope=cfg.scope)
    spec = ActivitySpec(mode="signals", signals=signals, input_default=cfg.input_activity) if signals \
        else ActivitySpec(mode="propagate", input_default=cfg.input_activity)
    wc0 = wire.from_placement(design, design.placement)
    timer0 = _timer(Timer, design, tc, wc0)
    r0 = timer0.update()
    p0 = analyse(design, tc, spec, slews=r0.slew, wire_cap=wc0, leakage_weights="probability")
    if signals is not None and p0.matched_signals == 0:
        raise InputError("no VCD/SAIF signal matches a net of the design (check 'scope')", cfg.vcd or cfg.saif)
    leak = DesignLeakage(design, p0.net_duty, lut)
    timings["activity_s"] = time.perf_counter() - t0
    emu = E.Emulator(design, tc, leak, spec)
    base_flav = np.full(design.n_instances, base_code, dtype=np.int64)

    def restore_base() -> None:
        design.rebind(np.arange(design.n_instances), base_cells)

    # -- baselines: the unpartitioned design under a uniform supply --------------------------
    t0 = time.perf_counter()
    grid = dvfs.vdd_grid(cfg.vdd_min, cfg.vdd_max, cfg.grid_step)
    base_var = E.Variant("base", timer0, E.Binder(design, base_flav, names), wire_cap=wc0)
    emu.activate(base_var)
    progress.progress(f"baseline: STA and power at {len(grid)} supplies {grid[0]:g}..{grid[-1]:g} V")
    bl = E.baseline(emu, base_var, grid)
    timings["baseline_s"] = time.perf_counter() - t0
    restore_base()
    emu.deactivate()

    # -- partitions --------------------------------------------------------------------------
    t0 = time.perf_counter()
    lef_db = design.meta["lef"]
    if cfg.wrapper_um is None:
        wrapper, layer = wrapper_from_lef(lef_db, None)
    else:
        wrapper, layer = cfg.wrapper_um, None
    parts = {}
    for n in tiles:
        res = partition(design, n, wrapper, layer)
        parts[n] = res
    crit = {}
    for n in tiles:
        wc = wire.from_placement(design, parts[n].placement)
        tm = _timer(Timer, design, tc, wc)
        crit[n] = (tm, wc, E.required_period(tm.update(), emu.period_ns))
    timings["partition_s"] = time.perf_counter() - t0
    # the sweep ends at the SDC clock or where the slowest design runs out at vdd_max
    f_top = min([bl.fmax_at(cfg.vdd_max), emu.f_ref] + [1000.0 / c[2] for c in crit.values()])
    f_low = bl.fmax_at(cfg.vdd_min)
    if f_top <= f_low:
        raise InputError("fmax at vdd_max does not exceed fmax at vdd_min: nothing to sweep", cfg.source)
    freqs = dvfs.frequency_sweep(f_low, f_top, cfg.n_freq)
    progress.progress(f"sweep: {cfg.n_freq} frequencies {freqs[0]:.3f}..{freqs[-1]:.3f} MHz "
                      f"(fmax {f_low:.3f} MHz at {cfg.vdd_min:g} V)")

    # -- per tile count: Vdd-MUX, poly-bias, emulation ------------------------------------------
    tile_runs: list[TileRun] = []
    level_sets = {mv: dvfs.hopping_levels(mv / 1000.0, cfg.vdd_min, cfg.vdd_max) for mv in cfg.delta_vdd_mv}
    all_levels = sorted({round(float(v), 4) for lv in level_sets.values() for v in lv})
    cell_area = design.inst_area()
    for n in tiles:
        res = parts[n]
        tm, wc, req_nom = crit[n]
        rep = summary_dict(res)
        rep["critical_delay_ns"] = round(req_nom, 6)
        plan = to_plan(design, res, rep)
        # Vdd-MUX
        t0 = time.perf_counter()
        restore_base()
        pl = res.placement
        mux_cell, mac = V.find_switch_cell(libset, lef_db, cfg.mux_cell)
        i_max = cfg.switch_max_ma if cfg.switch_max_ma is not None else V.switch_max_current(libset, mux_cell)
        if i_max is None:
            raise InputError(f"no max current for switch '{mac.name}' in its library header: set "
                             "fvh.switch_max_ma", cfg.source)
        ff_name, ff_w = V.pick_chain_flop(libset, lef_db, cfg.chain_ff)
        rr = tm.update()
        pw = analyse(design, tc, spec, slews=rr.slew, wire_cap=wc)
        inst_p = pw.inst_internal + pw.inst_switching + pw.inst_leakage
        tile_p = np.bincount(res.tile, weights=inst_p, minlength=n * n)
        rows_per_tile = int(round(plan.mesh.tile_h / plan.mesh.row_height))
        vnom = float(libset.library_of(base_cells[0]).voltage or cfg.vdd_max)
        peak, counts = V.mux_counts(tile_p, vnom, cfg.peak_factor, i_max, 1, rows_per_tile)
        row_orient = {int(round((rw.y - plan.mesh.core[1]) / plan.mesh.row_height)): rw.orient for rw in pl.rows}
        ins = V.insert(plan, pl.x, pl.y, pl.width, counts, mac.name, mac.width, ff_name, ff_w, row_orient)
        plan.vddmux = V.vddmux_plan(mac.name, i_max, cfg.peak_factor, ins.muxes, peak, counts)
        plan.config_chain = V.chain(plan, ins.flops, ff_name, "fvh_cfg_clk", "fvh_cfg_in")
        mux_rep = {"vddmux_cells": len(ins.muxes), "per_tile_min": int(counts.min()),
                   "per_tile_max": int(counts.max()), "chain_length": len(ins.flops), "chain_ff": ff_name,
                   "vddmux_cell": mac.name, "switch_max_ma": i_max}
        plan.reports["vddmux"] = mux_rep
        timings[f"vddmux_{n}_s"] = time.perf_counter() - t0
        # poly-bias at the SDC clock (at the nominal supply), or at the partitioned design's
        # own critical delay if it misses the SDC clock: PB uses only slack the sweep's
        # highest frequency leaves
        t0 = time.perf_counter()
        pb_flav = base_flav.copy()
        pb_rep: dict = {"stages": [], "swapped_total": 0}
        stages = cfg.flavours
        if stages is None:
            stages = default_stages(libset, design, res.interface) if names != [None] else []
        if stages:
            tc_pb = copy.copy(tc)
            pb_period = max(emu.period_ns, req_nom)
            tc_pb.clocks = [replace(c, period=pb_period) for c in tc.clocks] if len(tc.clocks) == 1 \
                else tc.clocks
            tm_pb = _timer(Timer, design, tc_pb, wc)
            pb_corners = parse_corners(cfg.pb_corners)
            if pb_corners is None:     # auto: vdd_max at the sweep's top clock, every lower level at its fmax
                pb_corners = auto_corners(None, [])
                pb_corners += [c for c in auto_corners(cfg.vdd_max, all_levels) if c.clock == "fmax"]
            pbr = assign_polybias(design, tm_pb, res.interface, stages, corners=pb_corners)
            for i, _a, _b, fl in pbr.swaps:
                pb_flav[i] = names.index(fl)
            plan.pb_swaps = [PbSwap(design.netlist.inst_names[i], a, b, fl) for i, a, b, fl in pbr.swaps]
            pb_rep = {"stages": [{"flavour": s.flavour, "swapped": s.swapped, "candidates": s.candidates}
                                 for s in pbr.stages],
                      "swapped_total": len(pbr.swaps), "interface_cells": pbr.interface_cells,
                      "interface_flavours": pbr.flavour_count, "clock_ns": round(pb_period, 6),
                      "worst_slack_after_ns": round(pbr.worst_after_ns, 6),
                      "corners": [{"corner": c.label, "worst_slack_before_ns": round(c.worst_before_ns, 6),
                                   "worst_slack_after_ns": round(c.worst_after_ns, 6)} for c in pbr.corners]}
            plan.reports["polybias"] = pb_rep
            restore_base()
        timings[f"polybias_{n}_s"] = time.perf_counter() - t0
        # overhead: switches and chain flops leak at VddH
        over = {}
        mux_c = libset.find_cell(mac.name) or mux_cell
        ff_c = libset.find_cell(ff_name)
        for v in all_levels:
            o = 0.0
            for c, k in ((mux_c, len(ins.muxes)), (ff_c, len(ins.flops))):
                if c is None:
                    continue
                try:
                    from .timing.binding import interpolated_cell

                    cv = interpolated_cell(libset, c, v)
                except InputError:
                    cv = c
                o += k * float(cv.cell_leakage_power or 0.0)
            over[v] = o
        tr = TileRun(n, plan, rep, mux_rep, pb_rep)
        t0 = time.perf_counter()
        for pb in ([True, False] if stages else [False]):
            fl = pb_flav if pb else base_flav
            var = E.Variant(f"{n * n} tiles {'PB' if pb else 'no PB'}", tm, E.Binder(design, fl, names),
                            tile=res.tile.astype(np.int64), n_tiles=n * n, wire_cap=wc, overhead_leak_uw=over)
            emu.activate(var)
            prof = emu.profile(var, all_levels, with_power=True)
            for mv, lv in level_sets.items():
                base_fm = np.array([bl.fmax_at(v) for v in lv])
                progress.progress(f"{var.name}, dVdd {mv} mV: Algorithm 5 over {len(lv) - 1} interval(s)")
                tr.fine[(mv, pb)] = E.fine_vh_sweep(emu, var, prof, freqs, lv, base_fm, cell_area)
            emu.deactivate()
            restore_base()
        timings[f"emulate_{n}_s"] = time.perf_counter() - t0
        tile_runs.append(tr)

    # -- summary ------------------------------------------------------------------------------
    summary = build_summary(cfg, bl, freqs, level_sets, tile_runs, names)
    timings["sta_s"] = emu.timing_s
    timings["power_s"] = emu.power_s
    timings["sta_runs"] = emu.sta_runs
    timings["total_s"] = time.perf_counter() - t_all
    return RunResult(cfg, summary, tile_runs, freqs, timings)


def build_summary(cfg: RunConfig, bl, freqs, level_sets, tile_runs, names) -> dict:
    """The ``summary.json`` document (docs/emulate.md)."""
    out: dict = {
        "format": SUMMARY_FORMAT, "version": SUMMARY_VERSION,
        "design": cfg.name,
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


# ---- outputs -------------------------------------------------------------------------------

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


def write_outputs(result: RunResult, out_dir: str | Path) -> list[Path]:
    """Write summary.json, CSV tables, plans, emitted scripts and power-manager tables."""
    from .emit import emit_text
    from .emit.common import EmitOptions
    from .fvh.plan import write_plan
    from .fvh.pmtables import pm_header, pm_json, pm_table

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def put(rel: str, text: str) -> None:
        p = out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(p, text)
        written.append(p)

    s = result.summary
    for name, text in csv_tables(s).items():
        put(name, text)
    cfg = result.cfg
    for tr in result.tile_runs:
        nt = tr.n * tr.n
        plan_rel = f"plans/{cfg.name}_{nt}tiles.fvh.json"
        p = out / plan_rel
        p.parent.mkdir(parents=True, exist_ok=True)
        write_plan(p, tr.plan)
        written.append(p)
        mv0 = cfg.delta_vdd_mv[0]
        swap = {fl: "{cell}_" + fl for fl in {sw.flavour for sw in tr.plan.pb_swaps}}
        for tool in cfg.emit_tools:
            opts = EmitOptions(vddh_v=cfg.vdd_max, vddl_v=round(cfg.vdd_max - mv0 / 1000.0, 4), swap_cell=swap,
                               plan_path=str(p))
            ext = "upf" if tool == "upf" else "tcl"
            put(f"emit/{cfg.name}_{nt}tiles_{tool}.{ext}", emit_text(tr.plan, tool, opts))
        for mv in cfg.delta_vdd_mv:
            tbl = pm_table(tr.plan, s, mv, nt)
            put(f"pm/{cfg.name}_{nt}tiles_{mv}mV.json", pm_json(tbl))
            put(f"pm/{cfg.name}_{nt}tiles_{mv}mV.h", pm_header(tbl))
    put("summary.json", summary_text(s))
    try:
        from .report import write_report  # provided by the report module when it exists
    except ImportError:
        write_report = None
    if write_report is not None:
        write_report(out)
    return written
