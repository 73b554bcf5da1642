"""``finevh run``: the whole FINE-VH flow for one design from a TOML config (read,
partition, Vdd-MUX, poly-bias, emulation against ideal-DVFS / Vdd-Hopping /
Vdd-Dithering, emit, report); see :mod:`finevh.run` and docs/emulate.md.

With no CONFIG it runs on the bundled demo (``designs/demo/finevh.toml``).
Writes ``DIR/summary.json``, CSV tables, the plans, the emitted tool scripts and the
power-manager tables; progress goes to stderr (``--quiet`` silences it).
"""

from __future__ import annotations

import click

from ..errors import InputError
from .common import parse_tiles


@click.command("run")
@click.argument("config", required=False, type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", default=None, help="Output folder (default: the config's [output] dir).")
@click.option("--tiles", default=None, help="Tiles per side to run, e.g. 3,5,7 (default: the config's).")
@click.option("--frequencies", type=int, default=None, help="Number of target frequencies (default: the config's).")
@click.option("--force", is_flag=True,
              help="Replace an output folder that holds something other than an earlier finevh run.")
def command(config, out_dir, tiles, frequencies, force):
    """Run partition -> Vdd-MUX -> poly-bias -> emulation -> emit -> report."""
    from ..fileio import check_output_dir
    from ..run import DEMO_CONFIG, load_config, run_flow, write_outputs

    cfg = load_config(config or DEMO_CONFIG)
    ns = None
    if tiles:
        ns = parse_tiles(tiles)
        if min(ns) < 2:
            raise InputError(f"--tiles: at least 2 tiles per side, got '{tiles}'")
    if frequencies is not None:
        if frequencies < 1:
            raise InputError(f"--frequencies must be >= 1, got {frequencies}")
        cfg.n_freq = frequencies
    out = out_dir or cfg.out_dir
    check_output_dir(out, force=force)
    res = run_flow(cfg, ns)
    write_outputs(res, out, force=force)
    s = res.summary
    lines = [f"design {s['design']}: {len(s['frequencies_mhz'])} frequencies "
             f"{s['frequencies_mhz'][0]:g}..{s['frequencies_mhz'][-1]:g} MHz, tiles {s['tiles_run']}"]
    for key in sorted((k for k in s if k.endswith("mV")), key=lambda k: -int(k[:-2])):
        for variant, fr in sorted(s[key].get("fair", {}).items()):
            vs = fr.get("mean_vs_pct", {})
            lines.append(f"dVdd {key}: FINE-VH ({variant}) vs the strongest baseline {fr['mean_pct']:+.2f} % mean, "
                         f"{fr['worst_pct']:+.2f} % worst, {fr['losing_points']} of "
                         f"{len(fr['vs_strongest_pct'])} points lose (vs leakage-recovered "
                         f"{vs.get('leakage_recovered', float('nan')):+.2f} %, same cells "
                         f"{vs.get('same_cells', float('nan')):+.2f} %, thesis-style {vs.get('thesis', float('nan')):+.2f} %)")
        sv = s[key].get("savings_pct", {})
        shares = {t: sum(v) / len(v) for t, v in s[key]["vddl_area_share"].items()}
        lines.append(f"dVdd {key} (thesis-style): FINE-VH ({s[key].get('fine_vh_tiles')} tiles) vs ideal-DVFS "
                     f"{sv.get('mean_vs_ideal_dvfs', float('nan')):+.2f} %, vs Vdd-Hopping "
                     f"{sv.get('mean_vs_vdd_hopping', float('nan')):+.2f} %, vs Vdd-Dithering "
                     f"{sv.get('mean_vs_vdd_dithering', float('nan')):+.2f} %; no PB vs ideal "
                     f"{sv.get('mean_no_pb_vs_ideal_dvfs', float('nan')):+.2f} %; VddL area "
                     + ", ".join(f"{t} tiles {100 * v:.1f} %" for t, v in sorted(shares.items(), key=lambda kv: int(kv[0]))))
    lines.append(f"wrote {out}/summary.json")
    click.echo("\n".join(lines))
