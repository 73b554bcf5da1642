"""Benchmark: finevh's analytic accelerator model against SCALE-Sim v3 on the same
layers, 8x8 array, 3 x 128 KB SRAM, in one run.

Cases: the digits ConvNet (all 7 layers) and, for every ImageNet workload, up to
three layers SCALE-Sim can simulate in seconds (those under --max-cycles cycles,
spread over the depth of the network); ``--full NAME`` adds a whole network (e.g.
squeezenet1_1: about 10 min of SCALE-Sim). For every case it prints SCALE-Sim's
wall time, finevh's (best of repeated runs), their ratio, whether every layer's
compute cycles are equal, and the largest relative difference of the SRAM and DRAM
access counts (SRAM after SCALE-Sim's documented +R+C-per-fold OS ofmap counter;
DRAM reads; DRAM writes, where SCALE-Sim counts the empty slots of part-filled
lines it drains early).
finevh is timed cold (its per-shape cache cleared), best of 3.

Usage: python3 bench/bench_accel.py [--dataflow os] [--max-cycles 130000] [--full NAME ...] [--no-samples]
"""

from __future__ import annotations

import argparse
import time

from finevh.accel import model, scalesim_ref, workloads
from finevh.accel.model import ArrayConfig, layer_stats


def _ours(layers, arr, reps=3):
    """Best of ``reps`` cold runs (the per-shape cache is cleared before each)."""
    best = float("inf")
    for _ in range(reps):
        model._single.cache_clear()
        t = time.perf_counter()
        out = [layer_stats(L, arr) for L in layers]
        best = min(best, time.perf_counter() - t)
    return best, out


def _compare(name, layers, arr):
    t = time.perf_counter()
    ref = scalesim_ref.run_layers(layers, arr)
    t_ref = time.perf_counter() - t
    t_ours, ours = _ours(layers, arr)
    eq = all(s.cycles == r.total_cycles for s, r in zip(ours, ref))
    worst_sram = worst_dram = worst_wr = 0.0
    for s, r in zip(ours, ref):
        extra = s.folds * (arr.rows + arr.cols) if arr.dataflow == "os" else 0
        for a, b in ((s.ifmap_sram_reads, r.ifmap_sram_reads), (s.filter_sram_reads, r.filter_sram_reads),
                     (s.ofmap_sram_writes + extra, r.ofmap_sram_writes)):
            worst_sram = max(worst_sram, abs(a - b) / max(b, 1))
        for a, b in ((s.ifmap_dram_reads, r.ifmap_dram_reads), (s.filter_dram_reads, r.filter_dram_reads)):
            worst_dram = max(worst_dram, abs(a - b) / max(b, 1))
        worst_wr = max(worst_wr, abs(s.ofmap_dram_writes - r.ofmap_dram_writes) / max(r.ofmap_dram_writes, 1))
    cyc = sum(r.total_cycles for r in ref)
    print(f"{name:34s} {len(layers):3d} {cyc:10d} {t_ref:9.2f} {t_ours * 1e3:9.3f} {t_ref / t_ours:10.0f}x "
          f"{'yes' if eq else 'NO':>5s} {100 * worst_sram:7.3f}% {100 * worst_dram:7.3f}% {100 * worst_wr:7.3f}%",
          flush=True)
    return t_ref, t_ours


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataflow", default="os")
    ap.add_argument("--max-cycles", type=int, default=130000)
    ap.add_argument("--full", action="append", default=[])
    ap.add_argument("--no-samples", action="store_true", help="only the --full networks")
    args = ap.parse_args()
    arr = ArrayConfig(dataflow=args.dataflow)
    print(f"# finevh accel model vs SCALE-Sim v3, {arr.rows}x{arr.cols} {arr.dataflow}, 3 x 128 KB, 16-bit words")
    print(f"{'case':34s} {'#L':>3s} {'cycles':>10s} {'scalesim s':>9s} {'finevh ms':>9s} {'ratio':>11s} "
          f"{'cyc=':>5s} {'sram':>8s} {'dram_rd':>8s} {'dram_wr':>8s}")
    tot_ref = tot_ours = 0.0
    cases = [] if args.no_samples else [("digits (whole network)", workloads.digits())]
    for net in () if args.no_samples else ("resnet18", "resnet34", "resnet50", "squeezenet1_1", "mobilenet_v2",
                                           "alexnet"):
        layers = workloads.get(net)
        small = [L for L in layers if layer_stats(L, arr).cycles <= args.max_cycles]
        if not small:
            continue
        pick = [small[round(i * (len(small) - 1) / 2)] for i in range(3)] if len(small) >= 3 else small
        uniq = list(dict.fromkeys(pick))
        cases.append((f"{net} [{', '.join(L.name for L in uniq)}]"[:34], uniq))
    for net in args.full:
        cases.append((f"{net} (whole network)", workloads.get(net)))
    for name, layers in cases:
        a, b = _compare(name, layers, arr)
        tot_ref += a
        tot_ours += b
    print(f"{'TOTAL':34s} {'':3s} {'':10s} {tot_ref:9.2f} {tot_ours * 1e3:9.3f} {tot_ref / tot_ours:10.0f}x")
    for net in ("resnet18", "resnet50", "mobilenet_v2"):
        t, _ = _ours(workloads.get(net), arr, reps=1)
        model._single.cache_clear()
        t0 = time.perf_counter()
        for L in workloads.get(net):
            layer_stats(L, arr, exact_dram=False)
        t_est = time.perf_counter() - t0
        print(f"# finevh whole {net}: {t * 1e3:.1f} ms (exact DRAM replay), {t_est * 1e3:.2f} ms (estimate)")
    print("# (TOOLS.md: SCALE-Sim needs about 1 h for the whole resnet18 on 8x8)")


if __name__ == "__main__":
    main()
