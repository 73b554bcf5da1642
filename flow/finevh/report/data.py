"""Run results for reports: read ``summary.json`` of a ``finevh run`` directory into
typed arrays, derive the thesis' figures of merit, and write them as CSV / JSON.

Units: frequencies MHz, power uW, VddL area share as a fraction (0..1) of the cell
area, voltages V. Savings are percent, positive when FINE-VH uses less power:
``100 * (1 - P_finevh / P_scheme)`` (thesis §4.1.4, Fig. 4.11 and 4.13).

Accepted ``summary.json`` layouts. ``finevh run`` (docs/emulate.md) writes, per ΔVdd,
a ``"tiles"`` object with one block per tile count (``fine_vh_uw``,
``fine_vh_no_pb_uw``, ``vddl_area_share``, ``tile_vdd`` (0/1 per tile and frequency),
``vddl_v``, ``vddh_v``) and ``ideal_points_uw`` (ideal-DVFS at fmax of each grid Vdd:
the first is the normalisation point). The flat layout is accepted too::

    {"design": "...", "frequencies_mhz": [f0, ...],            # F target clocks
     "200mV": {"ideal_dvfs_uw": [F], "vdd_hopping_uw": [F], "vdd_dithering_uw": [F],
               "fine_vh_uw":       {"<tiles>": [F], ...},      # or one [F] array
               "fine_vh_no_pb_uw": {"<tiles>": [F], ...},
               "vddl_area_share":  {"<tiles>": [F], ...},
               "tile_vdd":         {"<tiles>": [[T] per frequency]},   # optional
               "vddl": [F], "vddh": [F]},                              # optional
     "100mV": {...},
     "plans": {"<tiles>": "relative/path.fvh.json"}}                   # optional

``<tiles>`` is the number of tiles of the run (9, 25, 49...). A ``tile_vdd`` entry
per frequency lists each tile's supply (row-major from the lower-left tile): 0/1
(VddL/VddH), "L"/"H", or volts (compared with that frequency's ``vddl``/``vddh``).
Missing optional parts just leave their section out of the report.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..fileio import read_text, write_text_atomic

SCHEMES = ("ideal_dvfs_uw", "vdd_hopping_uw", "vdd_dithering_uw")
PER_TILE = ("fine_vh_uw", "fine_vh_no_pb_uw", "vddl_area_share")
_DV_KEY = re.compile(r"^(\d+(?:\.\d+)?)\s*mV$")


@dataclass
class DvddResult:
    """One ΔVdd option of a run (all arrays indexed by frequency)."""

    label: str                                    # "200mV"
    delta_mv: float
    ideal_dvfs_uw: np.ndarray
    vdd_hopping_uw: np.ndarray
    vdd_dithering_uw: np.ndarray
    fine_vh_uw: dict[int, np.ndarray] = field(default_factory=dict)        # tiles -> [F]
    fine_vh_no_pb_uw: dict[int, np.ndarray] = field(default_factory=dict)
    vddl_area_share: dict[int, np.ndarray] = field(default_factory=dict)   # fraction
    tile_high: dict[int, np.ndarray] = field(default_factory=dict)         # tiles -> bool[F, T] (True = VddH)
    vddl: np.ndarray | None = None
    vddh: np.ndarray | None = None
    # fair comparison (finevh run >= the three-baseline summary; absent in older ones)
    lr_ideal_dvfs_uw: np.ndarray | None = None                                # baseline (c)
    same_cells_uw: dict[int, np.ndarray] = field(default_factory=dict)       # baseline (b), ideal-DVFS
    alg5_uw: dict[int, np.ndarray] = field(default_factory=dict)             # Algorithm 5's maps
    strongest_uw: dict[int, np.ndarray] = field(default_factory=dict)        # min of (a), (b), (c)
    waterfall_pct: dict[int, dict[str, np.ndarray]] = field(default_factory=dict)
    fair: dict = field(default_factory=dict)                                 # summary "fair" block
    exact: dict[int, dict] = field(default_factory=dict)                     # tiles -> exact-selection block

    @property
    def tile_counts(self) -> list[int]:
        return sorted(set(self.fine_vh_uw) | set(self.vddl_area_share) | set(self.tile_high))


@dataclass
class RunData:
    design: str
    frequencies_mhz: np.ndarray
    dvdd: list[DvddResult]
    norm_uw: float                                # ideal-DVFS power at minimum Vdd
    plans: dict[int, Path] = field(default_factory=dict)
    source: Path | None = None
    design_space: dict | None = None              # finevh sweep --design-space table


# --------------------------------------------------------------------------- reading

def _line_of(text: str, needle: str) -> int | None:
    """1-based line of the first occurrence of ``needle`` in ``text`` (best effort)."""
    k = text.find(needle)
    return None if k < 0 else text.count("\n", 0, k) + 1


def load_json(path: str | Path) -> tuple[Any, str]:
    """Parse a JSON file; malformed JSON -> InputError with its line."""
    text = read_text(path)
    try:
        return json.loads(text), text
    except json.JSONDecodeError as e:
        raise InputError(f"malformed JSON: {e.msg}", path, e.lineno) from None


def _array(v: Any, n: int | None, what: str, path: Path, text: str) -> np.ndarray:
    line = _line_of(text, f'"{what.split(".")[-1]}"')
    if not isinstance(v, list) or not all(isinstance(x, (int, float)) and not isinstance(x, bool)
                                          or x is None for x in v):
        raise InputError(f"{what}: a list of numbers is expected", path, line)
    a = np.array([math.nan if x is None else float(x) for x in v], dtype=np.float64)
    if n is not None and a.size != n:
        raise InputError(f"{what}: {a.size} values for {n} frequencies", path, line)
    return a


def _tile_key(k: str, what: str, path: Path, text: str) -> int:
    try:
        t = int(str(k).strip())
    except ValueError:
        raise InputError(f"{what}: tile count expected as key, got '{k}'", path, _line_of(text, f'"{k}"')) from None
    if t < 1:
        raise InputError(f"{what}: tile count must be >= 1, got {t}", path, _line_of(text, f'"{k}"'))
    return t


def _per_tile(v: Any, n: int, what: str, default_tiles: int, path: Path, text: str) -> dict[int, np.ndarray]:
    if isinstance(v, dict):
        return {_tile_key(k, what, path, text): _array(x, n, f"{what}.{k}", path, text)
                for k, x in sorted(v.items(), key=lambda kv: str(kv[0]))}
    return {default_tiles: _array(v, n, what, path, text)}


def _tile_map(v: Any, n_freq: int, vddl: np.ndarray | None, vddh: np.ndarray | None,
              what: str, path: Path, text: str) -> np.ndarray:
    line = _line_of(text, '"tile_vdd"')
    if not isinstance(v, list) or len(v) != n_freq or not all(isinstance(r, list) for r in v):
        raise InputError(f"{what}: one list of tile supplies per frequency expected", path, line)
    widths = {len(r) for r in v}
    if len(widths) != 1:
        raise InputError(f"{what}: rows of different lengths {sorted(widths)}", path, line)
    out = np.zeros((n_freq, widths.pop()), dtype=bool)
    for i, row in enumerate(v):
        for j, x in enumerate(row):
            if isinstance(x, str) and x.upper() in ("L", "H", "VDDL", "VDDH"):
                out[i, j] = x.upper().endswith("H")
            elif isinstance(x, bool) or x in (0, 1):
                out[i, j] = bool(x)
            elif isinstance(x, (int, float)) and vddl is not None and vddh is not None:
                out[i, j] = abs(x - vddh[i]) < abs(x - vddl[i])
            else:
                raise InputError(f"{what}[{i}][{j}]: tile supply must be 0/1, L/H or a voltage "
                                 f"(with vddl/vddh given), got {x!r}", path, line)
    return out


def _dv_sort(label: str) -> float:
    m = _DV_KEY.match(label)
    return -float(m.group(1)) if m else 0.0


def read_run(run_dir: str | Path) -> RunData:
    """Read ``RUN_DIR/summary.json`` (or a summary file given directly)."""
    p = Path(run_dir)
    path = p / "summary.json" if p.is_dir() else p
    raw, text = load_json(path)
    if not isinstance(raw, dict):
        raise InputError("summary: a JSON object is expected", path, 1)
    if "frequencies_mhz" not in raw:
        raise InputError("summary: 'frequencies_mhz' is missing", path, 1)
    freqs = _array(raw["frequencies_mhz"], None, "frequencies_mhz", path, text)
    nf = freqs.size
    if nf == 0:
        raise InputError("summary: 'frequencies_mhz' is empty", path, _line_of(text, '"frequencies_mhz"'))
    tiles_field = raw.get("tiles_run", raw.get("tiles"))
    default_tiles = int(tiles_field[-1] if isinstance(tiles_field, list) and tiles_field else
                        tiles_field if isinstance(tiles_field, int) else 1)
    dvs: list[DvddResult] = []
    for label in sorted((k for k in raw if _DV_KEY.match(str(k))), key=_dv_sort):
        d = raw[label]
        line = _line_of(text, f'"{label}"')
        if not isinstance(d, dict):
            raise InputError(f"{label}: an object is expected", path, line)
        for k in SCHEMES:
            if k not in d:
                raise InputError(f"{label}: '{k}' is missing", path, line)
        vddl = _array(d["vddl"], nf, f"{label}.vddl", path, text) if "vddl" in d else None
        vddh = _array(d["vddh"], nf, f"{label}.vddh", path, text) if "vddh" in d else None
        r = DvddResult(
            label=label, delta_mv=float(_DV_KEY.match(label).group(1)),
            ideal_dvfs_uw=_array(d["ideal_dvfs_uw"], nf, f"{label}.ideal_dvfs_uw", path, text),
            vdd_hopping_uw=_array(d["vdd_hopping_uw"], nf, f"{label}.vdd_hopping_uw", path, text),
            vdd_dithering_uw=_array(d["vdd_dithering_uw"], nf, f"{label}.vdd_dithering_uw", path, text),
            vddl=vddl, vddh=vddh)
        blocks = d.get("tiles")
        if isinstance(blocks, dict) and blocks:
            # finevh run layout: one block per tile count
            for key, b in sorted(blocks.items(), key=lambda kv: str(kv[0])):
                t = _tile_key(key, f"{label}.tiles", path, text)
                if not isinstance(b, dict):
                    raise InputError(f"{label}.tiles.{key}: an object is expected", path, line)
                for k in PER_TILE:
                    if isinstance(b.get(k), list):
                        getattr(r, k)[t] = _array(b[k], nf, f"{label}.tiles.{key}.{k}", path, text)
                if "tile_vdd" in b:
                    vl = _array(b["vddl_v"], nf, f"{label}.tiles.{key}.vddl_v", path, text) if "vddl_v" in b else None
                    vh = _array(b["vddh_v"], nf, f"{label}.tiles.{key}.vddh_v", path, text) if "vddh_v" in b else None
                    if r.vddl is None and vl is not None and vh is not None:
                        r.vddl, r.vddh = vl, vh
                    r.tile_high[t] = _tile_map(b["tile_vdd"], nf, vl, vh, f"{label}.tiles.{key}.tile_vdd",
                                               path, text)
                _read_variant(r, t, b, nf, f"{label}.tiles.{key}", path, text)
            tv = None
        else:
            for k in PER_TILE:
                if k in d:
                    setattr(r, k, _per_tile(d[k], nf, f"{label}.{k}", default_tiles, path, text))
            tv = d.get("tile_vdd")
        if isinstance(tv, dict):
            r.tile_high = {_tile_key(k, f"{label}.tile_vdd", path, text):
                           _tile_map(x, nf, vddl, vddh, f"{label}.tile_vdd.{k}", path, text)
                           for k, x in tv.items()}
        elif tv is not None:
            r.tile_high = {default_tiles: _tile_map(tv, nf, vddl, vddh, f"{label}.tile_vdd", path, text)}
        for t, m in r.tile_high.items():
            side = math.isqrt(m.shape[1])
            if side * side != m.shape[1]:
                raise InputError(f"{label}.tile_vdd.{t}: {m.shape[1]} tiles is not an N x N mesh",
                                 path, _line_of(text, '"tile_vdd"'))
        lr = d.get("leakage_recovered")
        if isinstance(lr, dict) and "ideal_dvfs_uw" in lr:
            r.lr_ideal_dvfs_uw = _array(lr["ideal_dvfs_uw"], nf, f"{label}.leakage_recovered.ideal_dvfs_uw", path, text)
        if isinstance(d.get("fair"), dict):
            r.fair = d["fair"]
        dvs.append(r)
    if not dvs:
        raise InputError("summary: no ΔVdd section (keys like \"200mV\")", path, 1)
    norm = raw.get("ideal_dvfs_min_vdd_uw")
    pts = raw.get("ideal_points_uw")      # ideal-DVFS power at fmax(V) over the Vdd grid
    if norm is None and isinstance(pts, list) and pts and isinstance(pts[0], (int, float)):
        norm = pts[0]
    if not isinstance(norm, (int, float)) or isinstance(norm, bool) or norm <= 0:
        norm = float(min(np.nanmin(r.ideal_dvfs_uw) for r in dvs))
    plans: dict[int, Path] = {}
    if isinstance(raw.get("plans"), dict):
        for k, rel in raw["plans"].items():
            if isinstance(rel, str):
                plans[_tile_key(k, "plans", path, text)] = (path.parent / rel)
    ds = raw.get("design_space")
    return RunData(design=str(raw.get("design", path.parent.name)), frequencies_mhz=freqs,
                   dvdd=dvs, norm_uw=float(norm), plans=plans, source=path,
                   design_space=ds if isinstance(ds, dict) and isinstance(ds.get("rows"), list) else None)


def _read_variant(r: DvddResult, t: int, b: dict, nf: int, what: str, path: Path, text: str) -> None:
    """The headline variant's fair-comparison arrays of one tile block (if present)."""
    vs = b.get("variants")
    if not isinstance(vs, dict) or b.get("variant") not in vs:
        return
    v = vs[b["variant"]]
    w = f"{what}.variants.{b['variant']}"
    if not isinstance(v, dict):
        raise InputError(f"{w}: an object is expected", path, _line_of(text, '"variants"'))
    if isinstance(v.get("same_cells"), dict):
        r.same_cells_uw[t] = _array(v["same_cells"].get("ideal_dvfs_uw"), nf, f"{w}.same_cells.ideal_dvfs_uw",
                                    path, text)
    if "alg5_uw" in v:
        r.alg5_uw[t] = _array(v["alg5_uw"], nf, f"{w}.alg5_uw", path, text)
    if isinstance(v.get("exact"), dict):
        r.exact[t] = v["exact"]
    if "strongest_baseline_uw" in v:
        r.strongest_uw[t] = _array(v["strongest_baseline_uw"], nf, f"{w}.strongest_baseline_uw", path, text)
    if isinstance(v.get("waterfall_pct"), dict):
        r.waterfall_pct[t] = {k: _array(x, nf, f"{w}.waterfall_pct.{k}", path, text)
                              for k, x in v["waterfall_pct"].items()}


# --------------------------------------------------------------------------- figures

def savings_pct(fine: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Percent power saved by ``fine`` against ``ref`` per point (positive = less power)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return 100.0 * (1.0 - np.asarray(fine) / np.asarray(ref))


def _mean(a: np.ndarray) -> float:
    a = np.asarray(a, dtype=np.float64)
    a = a[np.isfinite(a)]
    return float(a.mean()) if a.size else math.nan


def figures(run: RunData) -> dict:
    """Derived figures of merit (what the report's tables show), JSON-ready."""
    out: dict[str, Any] = {"design": run.design, "norm_uw": run.norm_uw,
                           "frequencies_mhz": run.frequencies_mhz.tolist(), "dvdd": {}}
    for r in run.dvdd:
        d: dict[str, Any] = {"tiles": {}}
        for t in r.tile_counts:
            e: dict[str, Any] = {}
            if t in r.fine_vh_uw:
                f = r.fine_vh_uw[t]
                for name, ref in (("ideal_dvfs", r.ideal_dvfs_uw), ("vdd_hopping", r.vdd_hopping_uw),
                                  ("vdd_dithering", r.vdd_dithering_uw)):
                    s = savings_pct(f, ref)
                    e[f"savings_vs_{name}_pct"] = s.tolist()
                    e[f"avg_savings_vs_{name}_pct"] = _mean(s)
                    e[f"avg_power_savings_vs_{name}_pct"] = 100.0 * (1 - _mean(f) / _mean(ref))
            if t in r.fine_vh_uw:
                refs = [("same_cells", r.same_cells_uw.get(t)), ("leakage_recovered", r.lr_ideal_dvfs_uw),
                        ("strongest", r.strongest_uw.get(t))]
                for name, ref in refs:
                    if ref is not None:
                        s = savings_pct(r.fine_vh_uw[t], ref)
                        e[f"savings_vs_{name}_pct"] = s.tolist()
                        e[f"avg_savings_vs_{name}_pct"] = _mean(s)
                        e[f"worst_savings_vs_{name}_pct"] = float(np.nanmin(s))
                        e[f"losing_points_vs_{name}"] = int(np.sum(s < 0))
                if t in r.alg5_uw:
                    g = savings_pct(r.fine_vh_uw[t], r.alg5_uw[t])
                    e["local_search_gain_pct"] = g.tolist()
                    e["avg_local_search_gain_pct"] = _mean(g)
                if t in r.waterfall_pct:
                    e["avg_waterfall_pct"] = {k: _mean(v) for k, v in r.waterfall_pct[t].items()}
            if t in r.fine_vh_no_pb_uw:
                s = savings_pct(r.fine_vh_no_pb_uw[t], r.ideal_dvfs_uw)
                e["savings_no_pb_vs_ideal_dvfs_pct"] = s.tolist()
                e["avg_savings_no_pb_vs_ideal_dvfs_pct"] = _mean(s)
            if t in r.vddl_area_share:
                e["avg_vddl_area_share_pct"] = 100.0 * _mean(r.vddl_area_share[t])
            if t in r.tile_high:
                e["tiles_at_vddl"] = (~r.tile_high[t]).sum(axis=1).tolist()
            d["tiles"][str(t)] = e
        out["dvdd"][r.label] = d
    return out


def flavour_key(name: str) -> tuple:
    """Natural order of flavour names: ``none`` first, then PB4 < PB10 < PB16."""
    parts = re.split(r"(\d+)", name)
    return (name != "none",) + tuple(int(p) if p.isdigit() else p for p in parts)


def flavour_counts(plan_path: Path) -> dict[str, int]:
    """Interface cells per poly-bias flavour from a plan's PB swaps; interface cells
    left untouched are counted as ``"none"``."""
    from ..fvh.plan import read_plan

    plan = read_plan(plan_path)
    counts: dict[str, int] = {}
    for s in plan.pb_swaps:
        counts[s.flavour] = counts.get(s.flavour, 0) + 1
    swapped = sum(counts.values())
    counts["none"] = max(int(np.count_nonzero(plan.interface)) - swapped, 0)
    return {k: counts[k] for k in sorted(counts, key=flavour_key)}


# --------------------------------------------------------------------------- CSV / JSON

def fmt(x: float) -> str:
    """Stable number text for CSV/JSON: 6 significant digits, 'nan' for missing."""
    if x is None or not math.isfinite(float(x)):
        return "nan"
    v = float(f"{float(x):.6g}")
    return repr(0.0 if v == 0 else v)


def _rows_csv(header: list[str], rows: list[list]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow([fmt(x) if isinstance(x, (float, np.floating)) else x for x in row])
    return buf.getvalue()


def csv_tables(run: RunData, flavours: dict[int, dict[str, int]] | None = None) -> dict[str, str]:
    """File name -> CSV text: power and savings per ΔVdd, VddL share, tile maps, flavours."""
    files: dict[str, str] = {}
    f = run.frequencies_mhz
    for r in run.dvdd:
        ts = sorted(r.fine_vh_uw)
        header = ["f_mhz", "ideal_dvfs_uw", "vdd_hopping_uw", "vdd_dithering_uw"]
        cols = [r.ideal_dvfs_uw, r.vdd_hopping_uw, r.vdd_dithering_uw]
        for t in ts:
            header += [f"fine_vh_{t}_uw"]
            cols += [r.fine_vh_uw[t]]
            if t in r.fine_vh_no_pb_uw:
                header += [f"fine_vh_no_pb_{t}_uw"]
                cols += [r.fine_vh_no_pb_uw[t]]
            header += [f"savings_{t}_vs_ideal_pct", f"savings_{t}_vs_hopping_pct", f"savings_{t}_vs_dithering_pct"]
            cols += [savings_pct(r.fine_vh_uw[t], r.ideal_dvfs_uw), savings_pct(r.fine_vh_uw[t], r.vdd_hopping_uw),
                     savings_pct(r.fine_vh_uw[t], r.vdd_dithering_uw)]
        files[f"power_{r.label}.csv"] = _rows_csv(header, [[float(f[i])] + [float(c[i]) for c in cols]
                                                            for i in range(f.size)])
        if r.waterfall_pct:
            t = max(r.waterfall_pct)
            steps = list(r.waterfall_pct[t])
            files[f"waterfall_{r.label}.csv"] = _rows_csv(
                ["f_mhz"] + [f"{k}_pct" for k in steps],
                [[float(f[i])] + [float(r.waterfall_pct[t][k][i]) for k in steps] for i in range(f.size)])
        if r.lr_ideal_dvfs_uw is not None or r.same_cells_uw:
            ts = sorted(r.same_cells_uw)
            header = ["f_mhz", "thesis_ideal_dvfs_uw", "leakage_recovered_ideal_dvfs_uw"]
            cols = [r.ideal_dvfs_uw, r.lr_ideal_dvfs_uw if r.lr_ideal_dvfs_uw is not None
                    else np.full(f.size, math.nan)]
            for t in ts:
                header += [f"same_cells_{t}_ideal_dvfs_uw", f"strongest_{t}_uw", f"alg5_{t}_uw"]
                cols += [r.same_cells_uw[t], r.strongest_uw.get(t, np.full(f.size, math.nan)),
                         r.alg5_uw.get(t, np.full(f.size, math.nan))]
            files[f"baselines_{r.label}.csv"] = _rows_csv(header, [[float(f[i])] + [float(c[i]) for c in cols]
                                                                    for i in range(f.size)])
        if r.vddl_area_share:
            ts = sorted(r.vddl_area_share)
            files[f"vddl_share_{r.label}.csv"] = _rows_csv(
                ["f_mhz"] + [f"vddl_share_{t}_pct" for t in ts],
                [[float(f[i])] + [100.0 * float(r.vddl_area_share[t][i]) for t in ts] for i in range(f.size)])
        for t, m in sorted(r.tile_high.items()):
            files[f"tile_vdd_{r.label}_{t}.csv"] = _rows_csv(
                ["f_mhz"] + [f"tile_{j}" for j in range(m.shape[1])],
                [[float(f[i])] + ["H" if h else "L" for h in m[i]] for i in range(f.size)])
    if flavours:
        names = sorted({k for c in flavours.values() for k in c}, key=flavour_key)
        files["flavours.csv"] = _rows_csv(["tiles"] + names,
                                          [[t] + [c.get(k, 0) for k in names] for t, c in sorted(flavours.items())])
    return files


def _clean(o: Any) -> Any:
    if isinstance(o, dict):
        return {str(k): _clean(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_clean(v) for v in o]
    if isinstance(o, (float, np.floating)):
        x = float(o)
        return float(fmt(x)) if math.isfinite(x) else None
    if isinstance(o, np.integer):
        return int(o)
    return o


def dumps(obj: Any) -> str:
    """Deterministic JSON text (sorted keys, 6 significant digits, NaN -> null)."""
    return json.dumps(_clean(obj), indent=1, sort_keys=True) + "\n"


def write_data(run: RunData, out_dir: Path, flavours: dict[int, dict[str, int]] | None = None) -> list[Path]:
    """Write the CSV tables and ``report.json`` into ``out_dir``; returns the paths."""
    written = []
    for name, text in csv_tables(run, flavours).items():
        write_text_atomic(out_dir / name, text)
        written.append(out_dir / name)
    fig = figures(run)
    if flavours:
        fig["flavours"] = {str(t): c for t, c in sorted(flavours.items())}
    write_text_atomic(out_dir / "report.json", dumps(fig))
    written.append(out_dir / "report.json")
    return written
