"""``finevh accel``: accelerator cycle / memory / energy model, precision search and
the closing-the-loop report (thesis §3.3-3.4; docs/accel.md).

Subcommands: ``cycles``, ``energy``, ``search``, ``report``. A network is a
built-in name (``--network``) or an ONNX file (``--onnx``).
"""

from __future__ import annotations

import json

import click

from ..errors import InputError
from ..fileio import write_text_atomic


def _layers(network: str | None, onnx_path: str | None):
    from ..accel import workloads

    if (network is None) == (onnx_path is None):
        raise InputError("give exactly one of --network NAME or --onnx FILE")
    if onnx_path is not None:
        from ..accel.onnx_import import load_layers

        return onnx_path, load_layers(onnx_path)
    return network, workloads.get(network)


def _array(array: str, dataflow: str):
    from ..accel.model import DATAFLOWS, ArrayConfig, parse_array

    r, c = parse_array(array)
    if dataflow not in DATAFLOWS:
        raise InputError(f"--dataflow must be one of {', '.join(DATAFLOWS)}, not {dataflow!r}")
    return ArrayConfig(rows=r, cols=c, dataflow=dataflow)


def _precision(p: str):
    if p in ("16", "8"):
        return int(p)
    if p in ("full", "mixed", "half"):
        return p
    raise InputError(f"--precision must be 16, 8, full, mixed or half, not {p!r}")


def _check_output(ctx, param, value):
    """--output is checked when the command line is read, before any work."""
    from ..fileio import check_output_file

    if value:
        check_output_file(value, "--output")
    return value


def _emit(text: str, output: str | None) -> None:
    if output:
        write_text_atomic(output, text)
    else:
        click.echo(text, nl=False)


def _net_opts(f):
    f = click.option("--output", "-o", type=click.Path(dir_okay=False), callback=_check_output,
                     help="Write here instead of stdout.")(f)
    f = click.option("--json", "as_json", is_flag=True, help="JSON output.")(f)
    f = click.option("--dataflow", default="os", show_default=True, help="os | ws | is")(f)
    f = click.option("--array", default="8x8", show_default=True, help="PE array RxC.")(f)
    f = click.option("--onnx", "onnx_path", type=str, help="Read layer shapes from an ONNX model.")(f)
    f = click.option("--network", type=str, help="Built-in network (resnet18, resnet34, resnet50, "
                     "squeezenet1_1, mobilenet_v2, alexnet, digits).")(f)
    return f


@click.group("accel")
def command() -> None:
    """Systolic-array accelerator model: cycles, memory accesses, energy, precision search."""


@command.command("cycles")
@_net_opts
@click.option("--precision", default="16", show_default=True, help="16 | 8 | full | mixed | half")
@click.option("--dram", default="exact", show_default=True,
              help="exact (replay the ifmap read order when it overflows its buffer) | estimate (closed form)")
def cycles_cmd(network, onnx_path, array, dataflow, as_json, output, precision, dram):
    """Per-layer compute cycles and SRAM/DRAM accesses (16-bit words)."""
    from ..accel.model import network_stats

    name, layers = _layers(network, onnx_path)
    arr = _array(array, dataflow)
    p = _precision(precision)
    if dram not in ("exact", "estimate"):
        raise InputError(f"--dram must be exact or estimate, not {dram!r}")
    st = network_stats(name, layers, arr, [p] * len(layers), exact_dram=dram == "exact")
    if as_json:
        _emit(json.dumps(st.as_dict(), indent=1, sort_keys=True) + "\n", output)
        return
    lines = [f"# {name}: {arr.rows}x{arr.cols} {arr.dataflow}, precision {precision}",
             f"{'layer':28s} {'cycles':>12s} {'util':>6s} {'sram_rd':>12s} {'sram_wr':>10s} {'dram_rd':>10s} {'dram_wr':>10s}"]
    for s in st.layers:
        lines.append(f"{s.name:28s} {s.cycles:12d} {s.utilization:6.3f} {s.sram_reads:12d} "
                     f"{s.sram_writes:10d} {s.dram_reads:10d} {s.dram_writes:10d}")
    lines.append(f"total_cycles {st.total_cycles}")
    _emit("\n".join(lines) + "\n", output)


@command.command("energy")
@_net_opts
@click.option("--pe-power-uw", type=float, help="PE power (uW) at --pe-f-mhz: sets the 16-bit MAC energy.")
@click.option("--pe-f-mhz", type=float, default=None, help="Frequency (MHz) of --pe-power-uw.")
def energy_cmd(network, onnx_path, array, dataflow, as_json, output, pe_power_uw, pe_f_mhz):
    """Per-layer energy LUT at 16 and 8 bits (pJ) and energy per inference (Eq. 3.5)."""
    from ..accel.energy import DEFAULT_TECH, layer_energy
    from ..accel.model import layer_stats

    name, layers = _layers(network, onnx_path)
    arr = _array(array, dataflow)
    tech = DEFAULT_TECH
    if pe_power_uw is not None:
        if pe_f_mhz is None:
            raise InputError("--pe-power-uw needs --pe-f-mhz")
        tech = tech.with_pe_power(pe_power_uw, pe_f_mhz)
    rows = []
    for L in layers:
        e16 = layer_energy(layer_stats(L, arr, 16), arr, tech)
        e8 = layer_energy(layer_stats(L, arr, 8), arr, tech)
        rows.append({"name": L.name, "e16_pj": e16.total, "e8_pj": e8.total,
                     "breakdown16": e16.as_dict(), "breakdown8": e8.as_dict()})
    t16 = sum(r["e16_pj"] for r in rows)
    t8 = sum(r["e8_pj"] for r in rows)
    doc = {"network": name, "array": f"{arr.rows}x{arr.cols}", "dataflow": arr.dataflow,
           "tech": {k: v for k, v in tech.__dict__.items()}, "layers": rows,
           "total_pj_16": t16, "total_pj_8": t8}
    if as_json:
        _emit(json.dumps(doc, indent=1, sort_keys=True) + "\n", output)
        return
    lines = [f"# {name}: energy per layer (pJ), {tech.source}",
             f"{'layer':28s} {'E16':>14s} {'E8':>14s}"]
    lines += [f"{r['name']:28s} {r['e16_pj']:14.1f} {r['e8_pj']:14.1f}" for r in rows]
    lines.append(f"total_uJ_16 {t16 / 1e6:.3f}  total_uJ_8 {t8 / 1e6:.3f}")
    _emit("\n".join(lines) + "\n", output)


@command.command("search")
@click.option("--network", default="digits", show_default=True,
              help="Network with trained weights: only 'digits' (the project's ConvNet).")
@click.option("--method", default="nsga2", show_default=True, help="nsga2 (Algorithm 2) | greedy (Algorithm 4)")
@click.option("--pop", default=100, show_default=True, type=int)
@click.option("--evals", default=2000, show_default=True, type=int)
@click.option("--kl-th", default=0.5, show_default=True, type=float)
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--tolerance", default=0.01, show_default=True, type=float,
              help="greedy: allowed calibration-accuracy drop.")
@click.option("--onnx", "onnx_path", type=str,
              help="nsga2 on a sequential ONNX ConvNet (Conv/Gemm/Relu/Flatten) with its weights.")
@click.option("--calib", type=str, help="With --onnx: calibration inputs, .npy float array (N, C, H, W).")
@click.option("--json", "as_json", is_flag=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), callback=_check_output)
def search_cmd(network, method, pop, evals, kl_th, seed, tolerance, onnx_path, calib, as_json, output):
    """Per-layer precision search on a ConvNet with a real accuracy proxy."""
    from ..accel import search as se

    if onnx_path is None and network.lower() != "digits":
        raise InputError(f"search needs a network with trained weights: 'digits' or --onnx FILE, not {network!r}")
    if method == "nsga2":
        if pop < 4 or evals < pop:
            raise InputError("--pop must be >= 4 and --evals >= --pop")
        test_acc = None
        if onnx_path is not None:
            kl_fn, lut, layers, name, extra = _onnx_problem(onnx_path, calib)
        else:
            kl_fn, lut, layers, S = se.digits_problem()
            from ..accel.convnet import accuracy

            def test_acc(s):
                return accuracy(S.fx16.logits16(S.data.x_test, s), S.data.y_test)

            name, extra = "digits", {"float_test_accuracy": S.float_test_acc}
        r = se.nsga2_star(kl_fn, lut, len(layers), pop=pop, max_eval=evals, kl_th=kl_th, seed=seed)
        pts = [dict(p.as_dict(), **({"test_accuracy": test_acc(p.setting)} if test_acc else {}))
               for p in r.points]
        doc = {"network": name, "method": "nsga2", "layers": [L.name for L in layers],
               "evaluations": r.evaluations, "kl_th": kl_th, "seed": seed, "e_full_pj": r.e_full,
               "points": pts, "front_size": len(r.front),
               "average_savings": (sum(p.savings for p in r.points) / len(r.points)) if r.points else 0.0,
               **extra}
        if as_json:
            _emit(json.dumps(doc, indent=1, sort_keys=True) + "\n", output)
            return
        lines = [f"# NSGA-II* on {name}: {r.evaluations} evaluations, {len(r.front)} non-dominated, "
                 f"{len(r.points)} eps-selected"
                 + (f" (float test accuracy {extra['float_test_accuracy']:.3f})" if "float_test_accuracy" in extra else ""),
                 f"{'bits per layer':24s} {'D_KL':>12s} {'E (pJ)':>12s} {'savings':>8s} {'test acc':>8s}"]
        for p in pts:
            acc = f"{p['test_accuracy']:8.3f}" if "test_accuracy" in p else f"{'-':>8s}"
            lines.append(f"{p['setting']:24s} {p['kl']:12.3e} {p['energy_pj']:12.1f} {p['savings']:8.3f} {acc}")
        _emit("\n".join(lines) + "\n", output)
    elif method == "greedy":
        if onnx_path is not None:
            raise InputError("--method greedy needs labelled data: only the digits network")
        res, test = se.digits_greedy(tolerance)
        doc = {"network": "digits", "method": "greedy", "modes": res.modes,
               "calibration_accuracy": res.accuracy, "target": res.target, "n_ops": res.n_ops,
               "n_ops_full": res.n_ops_full, "ops_savings": 1 - res.n_ops / res.n_ops_full,
               "checks": res.checks, "test_accuracy": test}
        if as_json:
            _emit(json.dumps(doc, indent=1, sort_keys=True) + "\n", output)
            return
        _emit(f"# Algorithm 4 on digits: modes {' '.join(res.modes)}\n"
              f"n_ops {res.n_ops} of {res.n_ops_full} ({100 * (1 - res.n_ops / res.n_ops_full):.1f} % fewer), "
              f"calibration accuracy {res.accuracy:.3f} >= {res.target:.3f}, test {test['greedy']:.3f} "
              f"(full {test['full']:.3f})\n", output)
    else:
        raise InputError(f"--method must be nsga2 or greedy, not {method!r}")


def _onnx_problem(onnx_path: str, calib: str | None):
    import numpy as np

    from ..accel import search as se
    from ..accel.onnx_import import load_network

    if calib is None:
        raise InputError("--onnx search needs --calib FILE.npy (calibration inputs, N x C x H x W)")
    arch, params, chw = load_network(onnx_path)
    try:
        x = np.load(calib, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise InputError(f"cannot read calibration array: {e}", calib) from None
    if x.ndim != 4 or tuple(x.shape[1:]) != tuple(chw) or len(x) == 0:
        raise InputError(f"calibration array shape {x.shape} is not (N, {chw[0]}, {chw[1]}, {chw[2]})", calib)
    x = np.ascontiguousarray(np.asarray(x, dtype=np.float64).transpose(0, 2, 3, 1))
    kl_fn, lut, layers, _, _ = se.network_problem(arch, params, x)
    return kl_fn, lut, layers, onnx_path, {"calibration_images": int(len(x))}


@command.command("report")
@click.option("--networks", default="resnet18,resnet34,resnet50,squeezenet1_1,mobilenet_v2,alexnet,digits",
              show_default=True, help="Comma-separated built-in networks.")
@click.option("--array", default="8x8", show_default=True)
@click.option("--target-mhz", default=None, type=float,
              help="Clock the baseline inference must run at (sets the latency to meet); default 250 "
                   "(alpha-power model), or the middle of the sweep with --fine-vh-summary.")
@click.option("--pe-power", "pe_power", type=click.Path(dir_okay=False),
              help="PE power-vs-frequency table (CSV f_mhz,power_uw or JSON) for (b) on the 16-bit model.")
@click.option("--fine-vh-summary", "fvh_summary", type=click.Path(dir_okay=False),
              help="summary.json of `finevh run` on the PE: (a)/(b) from its ideal-DVFS / FINE-VH power.")
@click.option("--dvdd", default=None, help="With --fine-vh-summary: ΔVdd (e.g. 100mV; default the smallest).")
@click.option("--tiles", default=None, type=int,
              help="With --fine-vh-summary: tile count (default the summary's FINE-VH one, the largest).")
@click.option("--plot", type=click.Path(dir_okay=False), help="Write a bar chart (PNG) here.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), callback=_check_output)
def report_cmd(networks, array, target_mhz, pe_power, fvh_summary, dvdd, tiles, plot, as_json, output):
    """Energy per inference: nominal, (a) plain DVFS, (b) FINE-VH PE, (c) precision settings."""
    from ..accel.closeloop import closing_the_loop, closing_the_loop_fine_vh, plot_report, read_fine_vh_summary

    names = [n.strip() for n in networks.split(",") if n.strip()]
    arr = _array(array, "os")
    if fvh_summary is not None:
        if pe_power is not None:
            raise InputError("give --pe-power or --fine-vh-summary, not both")
        curves = read_fine_vh_summary(fvh_summary, dvdd, tiles)
        doc = closing_the_loop_fine_vh(names, curves, arr, target_mhz)
        text = _flow_report_text(doc)
    else:
        if dvdd is not None or tiles is not None:
            raise InputError("--dvdd and --tiles need --fine-vh-summary")
        doc = closing_the_loop(names, arr, 250.0 if target_mhz is None else target_mhz, pe_power)
        text = None
    if plot:
        plot_report(doc, plot)
    if as_json:
        _emit(json.dumps(doc, indent=1, sort_keys=True) + "\n", output)
        return
    if text is not None:
        _emit(text, output)
        return
    target_mhz = doc["target_mhz"]
    hdr = f"{'network':14s} {'E_nom uJ':>10s} {'(a) DVFS':>10s} {'(b) FINE-VH':>12s} {'(c) prec':>10s}  (c) setting"
    lines = [f"# energy per inference, {arr.rows}x{arr.cols} OS, latency of a 16-bit run at "
             f"{target_mhz:g} MHz; {doc['vf_model']}", hdr]
    for r in doc["rows"]:
        b = "n/a" if r["fine_vh_uj"] is None else f"{r['fine_vh_uj']:.3f}"
        lines.append(f"{r['network']:14s} {r['nominal_uj']:10.3f} {r['dvfs_uj']:10.3f} {b:>12s} "
                     f"{r['precision_uj']:10.3f}  {r['precision_note']}")
    if doc["fine_vh_note"]:
        lines.append(f"# (b): {doc['fine_vh_note']}")
    _emit("\n".join(lines) + "\n", output)


def _flow_report_text(doc: dict) -> str:
    """The closing-the-loop table on the flow's PE (closing_the_loop_fine_vh)."""
    a, nom = doc["op_target"], doc["nominal"]
    lines = [
        f"# energy per inference (uJ), {doc['array']} OS array of {doc['design']} (scalable-precision PE), "
        f"PE power from `finevh run` ({doc['dvdd']}, {doc['tiles']} tiles)",
        f"# latency of a full-mode run at {doc['target_mhz']:g} MHz; nominal {nom['vdd_v']:g} V @ "
        f"{nom['f_run_mhz']:g} MHz ({nom['e_pj']:.4f} pJ per PE-cycle); (a)/(b) run at {a['f_run_mhz']:g} MHz, "
        f"{a['vdd_v']:g} V: {a['e_dvfs_pj']:.4f} / {a['e_fine_vh_pj']:.4f} pJ per PE-cycle"
        + (" (FINE-VH infeasible there: ideal-DVFS used)" if a["fine_vh_fallback"] else ""),
        f"{'network':14s} {'nominal':>10s} {'(a) DVFS':>10s} {'(b) FINE-VH':>11s} {'(c) prec':>10s} "
        f"{'(b)+(c)':>10s} {'PE (a)':>9s} {'PE (b)':>9s} {'f (c) MHz':>9s}  (c) setting",
    ]
    for r in doc["rows"]:
        pe_a = sum(L["dvfs"]["pe_pj"] for L in r["per_layer"]) / 1e6
        pe_b = sum(L["fine_vh"]["pe_pj"] for L in r["per_layer"]) / 1e6
        lines.append(f"{r['network']:14s} {r['nominal_uj']:10.3f} {r['dvfs_uj']:10.3f} {r['fine_vh_uj']:11.3f} "
                     f"{r['precision_uj']:10.3f} {r['fine_vh_precision_uj']:10.3f} {pe_a:9.3f} {pe_b:9.3f} "
                     f"{r['op_precision']['f_run_mhz']:9.2f}  {r['precision_note']}")
    lines.append("# (b) vs (a) at every sweep frequency as the target: PE energy per cycle (pJ) and "
                 "energy saved per inference (%, 100 (1 - (b)/(a)))")
    lines.append(f"{'f MHz':>8s} {'Vdd':>6s} {'e (a)':>7s} {'e (b)':>7s} "
                 + " ".join(f"{r['network'][:13]:>13s}" for r in doc["rows"]))
    for k, f in enumerate(doc["sweep_mhz"]):
        lines.append(f"{f:8.3f} {doc['sweep_vdd_v'][k]:6.3f} {doc['sweep_e_dvfs_pj'][k]:7.4f} "
                     f"{doc['sweep_e_fine_vh_pj'][k]:7.4f} "
                     + " ".join(f"{100 * (1 - r['sweep_fine_vh_uj'][k] / r['sweep_dvfs_uj'][k]):13.2f}"
                                for r in doc["rows"]))
    return "\n".join(lines) + "\n"
