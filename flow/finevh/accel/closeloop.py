"""Closing the loop (issue item 5): energy per inference of each workload under

- nominal: every layer 16-bit, clock ``vf.f_nom_mhz`` at ``vf.vdd_nom``;
- (a) plain DVFS: every layer 16-bit at the target clock, the supply the
  alpha-power voltage-frequency model (:class:`finevh.accel.energy.VFModel`)
  gives for it; PE and SRAM energies scale with Vdd^2, DRAM does not;
- (b) FINE-VH on the PE: as (a) but the PE array's energy is
  ``PE-cycles x P(f) / f`` with P(f) (uW) read from a power-vs-frequency table
  (CSV ``f_mhz,power_uw`` or JSON), the format the FINE-VH emulation writes. The
  emulation does not exist yet, so without a table (b) is reported as n/a;
- (c) precision settings: the per-layer precisions, the same latency as the
  16-bit run at the target clock, so the clock drops by the cycle ratio and
  the supply with it. For ``digits`` the setting is the lowest-energy
  epsilon-selected Pareto point of NSGA-II* (real D_KL); for the ImageNet
  workloads finevh has no weights, so (c) is the all-8-bit bound.
"""

from __future__ import annotations

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
    """Grouped bars of energy per inference normalised to the nominal 16-bit run."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from ..fileio import atomic_write

    rows = doc["rows"]
    names = [r["network"] for r in rows]
    keys = [("dvfs_uj", "(a) DVFS"), ("fine_vh_uj", "(b) FINE-VH"), ("precision_uj", "(c) precision")]
    x = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(rows) + 2), 4))
    w = 0.25
    for k, (key, label) in enumerate(keys):
        vals = [(r[key] / r["nominal_uj"]) if r[key] is not None else 0.0 for r in rows]
        ax.bar(x + (k - 1) * w, vals, w, label=label)
    ax.axhline(1.0, color="k", lw=0.8, ls="--")
    ax.set_xticks(x, names, rotation=20)
    ax.set_ylabel("energy / inference (vs 16-bit nominal)")
    ax.set_title(f"{doc['array']} {doc['dataflow']}, latency of 16-bit @ {doc['target_mhz']:g} MHz")
    ax.set_ylim(0, 1.25)
    ax.legend(fontsize=8, loc="upper center", ncol=3)
    fig.tight_layout()
    with atomic_write(path, "wb") as f:
        fig.savefig(f, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
