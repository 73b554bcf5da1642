"""Closing the loop (issue item 5): energy per inference of each workload under

- nominal: every layer 16-bit, clock ``vf.f_nom_mhz`` at ``vf.vdd_nom``;
- (a) plain DVFS: every layer 16-bit at the target clock, the supply the
  alpha-power voltage-frequency model (:class:`finevh.accel.energy.VFModel`)
  gives for it; PE and SRAM energies scale with Vdd^2, DRAM does not;
- (b) FINE-VH on the PE: as (a) but the PE array's energy is
  ``PE-cycles x P(f) / f`` with P(f) (uW) read from a power-vs-frequency table
  (CSV ``f_mhz,power_uw`` or JSON); without a table (b) is reported as n/a;
- (c) precision settings: the per-layer precisions, the same latency as the
  16-bit run at the target clock, so the clock drops by the cycle ratio and
  the supply with it. For ``digits`` the setting is the lowest-energy
  epsilon-selected Pareto point of NSGA-II* (real D_KL); for the ImageNet
  workloads finevh has no weights, so (c) is the all-8-bit bound.

:func:`closing_the_loop_fine_vh` is the same report on an array of the flow's own PE
with its ideal-DVFS and FINE-VH power read from a ``finevh run`` summary
(:func:`read_fine_vh_summary`); docs/accel.md, "Closing the loop on the flow's PE".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..errors import InputError
from .energy import DEFAULT_TECH, TechTable, VFModel, interp_power, layer_energy, read_power_table
from .model import ArrayConfig, layer_stats


def _energy(layers, arr, precs, tech, vdd):
    sts = [layer_stats(L, arr, p) for L, p in zip(layers, precs)]
    es = [layer_energy(s, arr, tech, vdd) for s in sts]
    return sts, es


def closing_the_loop(networks: Sequence[str], arr: ArrayConfig = ArrayConfig(), target_mhz: float = 250.0,
                     pe_power_path: str | None = None, vf: VFModel = VFModel(),
                     tech: TechTable = DEFAULT_TECH) -> dict:
    from . import workloads

    if not 0 < target_mhz <= vf.f_nom_mhz:
        raise InputError(f"--target-mhz must be in (0, {vf.f_nom_mhz}]")
    table = read_power_table(pe_power_path) if pe_power_path else None
    v_a = vf.vdd_for(target_mhz)
    rows = []
    for name in networks:
        layers = workloads.get(name)
        n = len(layers)
        _, e_nom = _energy(layers, arr, [16] * n, tech, None)
        st_a, e_a = _energy(layers, arr, [16] * n, tech, v_a)
        E_nom = sum(e.total for e in e_nom)
        E_a = sum(e.total for e in e_a)
        cyc16 = sum(s.cycles for s in st_a)
        E_b = None
        if table is not None:
            p_uw = interp_power(table, target_mhz)
            pe_cycles = cyc16 * arr.rows * arr.cols
            E_b = E_a - sum(e.mac + e.array for e in e_a) + pe_cycles * p_uw / target_mhz
        if name.lower() == "digits":
            from .search import digits_problem, nsga2_star

            kl_fn, lut, dl, _ = digits_problem(arr, tech)
            res = nsga2_star(kl_fn, lut, len(dl))
            best = min(res.points, key=lambda p: p.energy_pj)
            precs = [16 if g else 8 for g in best.setting]
            note = f"NSGA-II* point {''.join(map(str, best.setting))} (D_KL {best.kl:.2e})"
        else:
            precs = [8] * n
            note = "all 8-bit (bound: no weights for an accuracy proxy)"
        st_c0, _ = _energy(layers, arr, precs, tech, None)
        cyc_c = sum(s.cycles for s in st_c0)
        f_c = target_mhz * cyc_c / cyc16
        v_c = vf.vdd_for(f_c)
        _, e_c = _energy(layers, arr, precs, tech, v_c)
        E_c = sum(e.total for e in e_c)
        rows.append({
            "network": name, "layers": n, "cycles16": cyc16, "cycles_precision": cyc_c,
            "nominal_uj": E_nom / 1e6, "dvfs_uj": E_a / 1e6,
            "fine_vh_uj": None if E_b is None else E_b / 1e6, "precision_uj": E_c / 1e6,
            "vdd_dvfs": v_a, "f_precision_mhz": f_c, "vdd_precision": v_c,
            "precision_bits": precs, "precision_note": note,
        })
    return {
        "array": f"{arr.rows}x{arr.cols}", "dataflow": arr.dataflow, "target_mhz": target_mhz,
        "vf_model": f"alpha-power Vnom {vf.vdd_nom} V @ {vf.f_nom_mhz:g} MHz, Vth {vf.vth} V, "
                    f"alpha {vf.alpha}; DVFS Vdd {v_a:.3f} V",
        "tech": tech.source, "rows": rows,
        "fine_vh_note": "" if table is not None else
        "needs the PE power-vs-frequency table of the FINE-VH emulation (--pe-power FILE); not available yet",
    }


def plot_report(doc: dict, path: str) -> None:
    """Grouped bars of energy per inference normalised to the nominal run; for a
    report on the flow's PE (:func:`closing_the_loop_fine_vh`) a second panel shows
    the PE's energy per cycle against frequency (ideal-DVFS and FINE-VH)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from ..fileio import atomic_write

    rows = doc["rows"]
    names = [r["network"] for r in rows]
    flow = doc.get("pe") == "flow"
    keys = [("dvfs_uj", "(a) DVFS"), ("fine_vh_uj", "(b) FINE-VH"), ("precision_uj", "(c) precision")]
    if flow:
        keys.append(("fine_vh_precision_uj", "(b)+(c)"))
    x = np.arange(len(rows))
    width = max(6, 1.2 * len(rows) + 2)
    if flow:
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(width + 5, 4), gridspec_kw={"width_ratios": [width, 5]})
    else:
        fig, ax = plt.subplots(figsize=(width, 4))
    w = 0.8 / len(keys)
    for k, (key, label) in enumerate(keys):
        vals = [(r[key] / r["nominal_uj"]) if r[key] is not None else 0.0 for r in rows]
        ax.bar(x + (k - (len(keys) - 1) / 2) * w, vals, w, label=label)
    ax.axhline(1.0, color="k", lw=0.8, ls="--")
    ax.set_xticks(x, names, rotation=20)
    ax.set_ylabel("energy / inference (vs nominal)")
    if flow:
        ax.set_title(f"{doc['array']} array of {doc['design']}, latency of full mode @ {doc['target_mhz']:g} MHz",
                     fontsize=9)
    else:
        ax.set_title(f"{doc['array']} {doc['dataflow']}, latency of 16-bit @ {doc['target_mhz']:g} MHz")
    ax.set_ylim(0, 1.25)
    ax.legend(fontsize=8, loc="upper center", ncol=len(keys))
    if flow:
        f = doc["sweep_mhz"]
        ax2.plot(f, doc["sweep_e_dvfs_pj"], "o-", ms=3, label="ideal-DVFS")
        ax2.plot(f, doc["sweep_e_fine_vh_pj"], "s-", ms=3, label=f"FINE-VH {doc['dvdd']}, {doc['tiles']} tiles")
        ax2.axvline(doc["target_mhz"], color="k", lw=0.8, ls=":")
        ax2.set_xlabel("PE clock (MHz)")
        ax2.set_ylabel("PE energy per cycle (pJ)")
        ax2.set_title("PE power / f from finevh run", fontsize=9)
        ax2.legend(fontsize=8)
    fig.tight_layout()
    with atomic_write(path, "wb") as fh:
        fig.savefig(fh, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)


# --- (b) from the FINE-VH emulation of the PE netlist (`finevh run` summary.json) ------

@dataclass(frozen=True)
class PECurves:
    """The PE's power against frequency from a ``finevh run`` summary (docs/emulate.md):
    ideal-DVFS and FINE-VH at one ΔVdd and one tile count, on the sweep's frequencies.
    Units: MHz, uW, V."""

    path: str
    design: str
    dvdd: str                          # summary key, e.g. "100mV"
    tiles: int
    f_mhz: tuple[float, ...]           # sweep frequencies, increasing
    ideal_uw: tuple[float, ...]        # ideal-DVFS power at each sweep frequency
    fine_vh_uw: tuple[float, ...]      # FINE-VH (with poly-bias) at each sweep frequency
    feasible: tuple[bool, ...]         # FINE-VH met the frequency at this point
    vdd_grid_v: tuple[float, ...]      # baseline grid: supply ...
    fmax_grid_mhz: tuple[float, ...]   # ... its fmax ...
    ideal_points_uw: tuple[float, ...]  # ... and the power there

    def vdd_for(self, f_mhz: float) -> float:
        """Lowest grid supply (V) whose baseline fmax >= f (what plain DVFS runs at)."""
        for v, fm in zip(self.vdd_grid_v, self.fmax_grid_mhz):
            if fm >= f_mhz * (1 - 1e-9):
                return v
        raise InputError(f"{f_mhz:g} MHz above the PE's fmax at {self.vdd_grid_v[-1]} V", self.path)

    def operating_point(self, f_mhz: float) -> dict:
        """How the PE serves a clock of ``f_mhz``: energy per PE-cycle (pJ = uW / MHz)
        under ideal-DVFS and FINE-VH, the frequency actually run and the supply.

        - above the sweep: error;
        - inside the sweep: the next sweep frequency at or above f (the power manager's
          table has only those points; the PE runs there and idles, clock-gated);
        - at or below fmax(vdd_min): the grid's lowest point (vdd_min at its fmax) for
          both schemes (every tile at VddL = vdd_min is the uniform configuration;
          the Vdd-MUX overhead there is neglected)."""
        if f_mhz > self.f_mhz[-1] * (1 + 1e-9):
            raise InputError(f"{f_mhz:g} MHz above the summary's highest frequency {self.f_mhz[-1]:g} MHz",
                             self.path)
        if f_mhz <= self.fmax_grid_mhz[0]:
            e = self.ideal_points_uw[0] / self.fmax_grid_mhz[0]
            return {"f_run_mhz": self.fmax_grid_mhz[0], "vdd_v": self.vdd_grid_v[0], "point": None,
                    "e_dvfs_pj": e, "e_fine_vh_pj": e, "fine_vh_fallback": False}
        k = next(i for i, f in enumerate(self.f_mhz) if f >= f_mhz * (1 - 1e-9))
        f = self.f_mhz[k]
        ok = self.feasible[k]
        p_fvh = self.fine_vh_uw[k] if ok else self.ideal_uw[k]
        return {"f_run_mhz": f, "vdd_v": self.vdd_for(f), "point": k,
                "e_dvfs_pj": self.ideal_uw[k] / f, "e_fine_vh_pj": p_fvh / f, "fine_vh_fallback": not ok}


def _dvdd_key(dvdd: str | float | int | None, keys: Sequence[str], path: str) -> str:
    if dvdd is None:
        return min(keys, key=lambda k: float(k[:-2]))
    s = str(dvdd).strip().lower().removesuffix("mv").strip()
    try:
        key = f"{int(round(float(s)))}mV"
    except ValueError:
        raise InputError(f"--dvdd must be a ΔVdd in mV such as 100mV, not {dvdd!r}") from None
    if key not in keys:
        raise InputError(f"ΔVdd {key} not in the summary (has {', '.join(sorted(keys))})", path)
    return key


def read_fine_vh_summary(path, dvdd: str | None = None, tiles: int | None = None) -> PECurves:
    """PE power curves from a ``finevh run`` ``summary.json`` (format
    ``finevh-run-summary`` version 1). ``dvdd``: e.g. ``"100mV"`` (default: the
    smallest ΔVdd in the summary); ``tiles``: a tile count of ``tiles_run``
    (default: the summary's FINE-VH tile count, the largest)."""
    import json

    from ..fileio import read_text

    path = str(path)
    try:
        doc = json.loads(read_text(path))
    except json.JSONDecodeError as e:
        raise InputError(f"not JSON: {e.msg}", path, e.lineno) from None
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path) from None
    if not isinstance(doc, dict) or doc.get("format") != "finevh-run-summary" or doc.get("version") != 1:
        raise InputError("not a finevh-run-summary version 1 (the summary.json of `finevh run`)", path)
    try:
        keys = [k for k in doc if k.endswith("mV") and isinstance(doc[k], dict)]
        if not keys:
            raise KeyError("no ΔVdd section")
        key = _dvdd_key(dvdd, keys, path)
        sec = doc[key]
        t = int(sec["fine_vh_tiles"]) if tiles is None else int(tiles)
        if str(t) not in sec["tiles"]:
            raise InputError(f"{t} tiles not in the summary (has {', '.join(sorted(sec['tiles'], key=int))})", path)
        tt = sec["tiles"][str(t)]
        f = tuple(float(x) for x in doc["frequencies_mhz"])
        cur = PECurves(
            path=path, design=str(doc["design"]), dvdd=key, tiles=t, f_mhz=f,
            ideal_uw=tuple(float(x) for x in sec["ideal_dvfs_uw"]),
            fine_vh_uw=tuple(float(x) for x in tt["fine_vh_uw"]),
            feasible=tuple(bool(x) for x in tt["feasible"]),
            vdd_grid_v=tuple(float(x) for x in doc["vdd_grid_v"]),
            fmax_grid_mhz=tuple(float(x) for x in doc["fmax_grid_mhz"]),
            ideal_points_uw=tuple(float(x) for x in doc["ideal_points_uw"]))
    except (KeyError, TypeError, ValueError) as e:
        raise InputError(f"summary lacks or has a bad field: {e}", path) from None
    n, g = len(cur.f_mhz), len(cur.vdd_grid_v)
    if n == 0 or g == 0 or any(len(a) != n for a in (cur.ideal_uw, cur.fine_vh_uw, cur.feasible)) \
            or any(len(a) != g for a in (cur.fmax_grid_mhz, cur.ideal_points_uw)):
        raise InputError("summary arrays are empty or of unequal lengths", path)
    if list(cur.f_mhz) != sorted(cur.f_mhz) or min(cur.f_mhz) <= 0 or min(cur.fmax_grid_mhz) <= 0 \
            or min(cur.ideal_uw + cur.fine_vh_uw + cur.ideal_points_uw) < 0:
        raise InputError("summary frequencies must increase and be > 0, powers >= 0", path)
    return cur


def _flow_layer_energy(L, st, e_pe_pj: float, vdd: float, vdd_max: float, tech: TechTable) -> dict:
    """One layer on an array of the flow's PE (pJ): busy PE-cycles x energy per PE-cycle
    (MACs x 4/2/1 cycles per MAC in full/mixed/half, + 2 per bias, Table 3.9), SRAM
    scaled by (vdd / vdd_max)^2, DRAM unscaled. Idle PEs and the per-PE-cycle overhead
    of the literature table are not counted (the netlist's power includes its clock pins,
    registers and clock gate; idle PEs are clock-gated, their leakage neglected)."""
    from .model import MODE_BIAS_COST, MODE_MAC_COST

    busy = L.macs * MODE_MAC_COST[st.precision] + L.n_bias * MODE_BIAS_COST
    pe = busy * e_pe_pj
    sram = (st.sram_reads * tech.e_sram_read + st.sram_writes * tech.e_sram_write) * (vdd / vdd_max) ** 2
    dram = st.dram_reads * tech.e_dram_read + st.dram_writes * tech.e_dram_write
    return {"pe_cycles": busy, "pe_pj": pe, "sram_pj": sram, "dram_pj": dram, "total_pj": pe + sram + dram}


def closing_the_loop_fine_vh(networks: Sequence[str], curves: PECurves, arr: ArrayConfig = ArrayConfig(),
                             target_mhz: float | None = None, tech: TechTable = DEFAULT_TECH) -> dict:
    """Closing the loop on an array of the flow's PE (the scalable-precision PE,
    8-bit operands, one 4x4 multiplier) with its power from the FINE-VH emulation.

    The accelerator clock is the PE's clock. Every workload must finish in the time
    a full-mode (8x8-bit, 4 cycles per MAC) run takes at ``target_mhz`` (default:
    the middle frequency of the summary's sweep). Columns (pJ -> uJ per inference):

    - nominal: full mode at vdd_max, fmax(vdd_max) (no voltage scaling);
    - (a) plain DVFS: full mode, the PE on the emulation's ideal-DVFS curve;
    - (b) FINE-VH: full mode, the PE on the FINE-VH curve (ΔVdd, tile count of
      ``curves``); SRAM stays on plain DVFS's supply in both;
    - (c) precision: per-layer PE modes (digits: Algorithm 4 greedy; others: all
      ``half``, a bound), clock lowered by the cycle ratio, PE on ideal-DVFS;
    - (b)+(c): the same modes and clock with the PE on the FINE-VH curve.

    Energy per MAC = P(f) / f x cycles per MAC of the mode (uW / MHz = pJ per cycle).
    Each row has its per-layer breakdown; totals are sums over layers."""
    from . import workloads
    from .model import layer_stats

    f_mid = curves.f_mhz[len(curves.f_mhz) // 2]
    target = f_mid if target_mhz is None else float(target_mhz)
    if not 0 < target <= curves.f_mhz[-1] * (1 + 1e-9):
        raise InputError(f"--target-mhz must be in (0, {curves.f_mhz[-1]:g}] (the summary's sweep)")
    vmax = curves.vdd_grid_v[-1]
    nom = {"f_run_mhz": curves.fmax_grid_mhz[-1], "vdd_v": vmax,
           "e_pj": curves.ideal_points_uw[-1] / curves.fmax_grid_mhz[-1]}
    op_a = curves.operating_point(target)
    rows = []
    for name in networks:
        layers = workloads.get(name)
        n = len(layers)
        base = ["full"] * n
        if name.lower() == "digits":
            from .search import digits_greedy

            res, test = digits_greedy()
            modes = list(res.modes)
            note = (f"Algorithm 4 modes (test accuracy {test['greedy']:.3f}, full {test['full']:.3f})")
        else:
            modes = ["half"] * n
            note = "all half (bound: no weights for an accuracy proxy)"
        st_f = [layer_stats(L, arr, m) for L, m in zip(layers, base)]
        st_c = [layer_stats(L, arr, m) for L, m in zip(layers, modes)]
        cyc_f = sum(s.cycles for s in st_f)
        cyc_c = sum(s.cycles for s in st_c)
        f_c = target * cyc_c / cyc_f
        op_c = curves.operating_point(f_c)
        cols = {
            "nominal": (st_f, nom["e_pj"], vmax),
            "dvfs": (st_f, op_a["e_dvfs_pj"], op_a["vdd_v"]),
            "fine_vh": (st_f, op_a["e_fine_vh_pj"], op_a["vdd_v"]),
            "precision": (st_c, op_c["e_dvfs_pj"], op_c["vdd_v"]),
            "fine_vh_precision": (st_c, op_c["e_fine_vh_pj"], op_c["vdd_v"]),
        }
        per_layer = []
        totals = {k: 0.0 for k in cols}
        for i, L in enumerate(layers):
            ent = {"name": L.name, "mode": modes[i]}
            for k, (sts, e, v) in cols.items():
                le = _flow_layer_energy(L, sts[i], e, v, vmax, tech)
                ent[k] = le
                totals[k] += le["total_pj"]
            per_layer.append(ent)
        # (a) and (b) at every sweep frequency: the full-mode layer counts do not depend on f
        pe_cyc = sum(L["nominal"]["pe_cycles"] for L in per_layer)
        sram_max = sum(L["nominal"]["sram_pj"] for L in per_layer)
        dram = sum(L["nominal"]["dram_pj"] for L in per_layer)
        sweep_a, sweep_b = [], []
        for f in curves.f_mhz:
            op = curves.operating_point(f)
            mem = sram_max * (op["vdd_v"] / vmax) ** 2 + dram
            sweep_a.append((pe_cyc * op["e_dvfs_pj"] + mem) / 1e6)
            sweep_b.append((pe_cyc * op["e_fine_vh_pj"] + mem) / 1e6)
        rows.append({
            "network": name, "layers": n, "cycles_full": cyc_f, "cycles_precision": cyc_c,
            "sweep_dvfs_uj": sweep_a, "sweep_fine_vh_uj": sweep_b,
            **{f"{k}_uj": totals[k] / 1e6 for k in cols},
            "f_precision_mhz": f_c, "op_precision": op_c,
            "precision_modes": modes, "precision_note": note, "per_layer": per_layer,
        })
    return {
        "pe": "flow", "design": curves.design, "summary": curves.path, "dvdd": curves.dvdd,
        "tiles": curves.tiles, "array": f"{arr.rows}x{arr.cols}", "dataflow": arr.dataflow,
        "target_mhz": target, "nominal": nom, "op_target": op_a,
        "sweep_mhz": list(curves.f_mhz),
        "sweep_e_dvfs_pj": [curves.operating_point(f)["e_dvfs_pj"] for f in curves.f_mhz],
        "sweep_e_fine_vh_pj": [curves.operating_point(f)["e_fine_vh_pj"] for f in curves.f_mhz],
        "sweep_vdd_v": [curves.vdd_for(f) for f in curves.f_mhz],
        "units": {"energy": "uJ per inference (rows), pJ (per layer, e_*)", "f": "MHz", "vdd": "V"},
        "memories": tech.source, "rows": rows,
    }
