"""Benchmark: building the timing graph of the deep 1M-cell design (issue 16: <= 2 s).

The design is ``bench_read.million_wrapper``: the osu018 MAC array of
``bench/mac_array.v`` instantiated 8 times, copy k fed by copy k-1's outputs
(1,070,192 cells after flattening; the wrap-around from the last copy to the first
closes combinational loops, which the graph builder breaks as OpenSTA does). Built
once and cached (Yosys, about 2 min).

Times ``finevh.timing.graph.build_graph`` (terminals, arcs, loop breaking,
levelisation, edge ordering) in this process, best CPU time of ``--repeat`` calls, and
prints a digest of the graph (edge arrays, levels, segments, loop breaks) so that two
versions can be compared for identical output. There is no OpenSTA figure: OpenSTA
levelises inside its first timing update and does not time it separately; the target
is absolute.

Usage: python3 bench/bench_graph.py [--repeat 3] [--json FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def digest(g) -> str:
    """SHA-1 of the graph's edge arrays, levels, segments and loop breaks."""
    h = hashlib.sha1()
    for a in (g.e_inst, g.e_slot, g.e_from, g.e_src, g.e_to, g.e_in_rf, g.e_out_rf, g.e_kind, g.level_ptr,
              g.node_level, g.seg_start, g.seg_to, g.seg_rf, g.level_seg_ptr, g.c_inst, g.c_data, g.c_clk):
        h.update(str(a.dtype).encode())
        h.update(np.ascontiguousarray(a).tobytes())
    for b in g.loop_breaks:
        h.update(f"{b.instance} {b.cell} {b.from_pin} {b.to_pin}\n".encode())
    return h.hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)

    import bench_read
    from finevh import progress
    from finevh.design import link
    from finevh.liberty.libset import load_library_set
    from finevh.netlist.verilog import read_verilog
    from finevh.timing.graph import build_graph

    base = bench_read.build_netlist()
    wrapper = bench_read.million_wrapper(base, 8)
    design = link(read_verilog(str(wrapper), top="mac_array_x8"), load_library_set([bench_read.OSU018]))
    warn = progress.warn
    progress.warn = lambda *a, **k: None        # 815 loop-break warnings per build
    cpu, wall = [], []
    try:
        for _ in range(max(1, args.repeat)):
            c, w = time.process_time(), time.perf_counter()
            g = build_graph(design)
            cpu.append(time.process_time() - c)
            wall.append(time.perf_counter() - w)
            dg = digest(g)
            res = {"instances": design.n_instances, "terminals": int(g.n_terms), "edges": int(len(g.e_to)),
                   "levels": int(g.node_level.max()) + 1, "loop_breaks": len(g.loop_breaks), "digest": dg}
            del g
    finally:
        progress.warn = warn
    res.update(cpu_s=min(cpu), wall_s=min(wall), cpu_all_s=cpu, target_cpu_s=2.0)
    print(f"build_graph, {res['instances']:,} cells, {res['edges']:,} edges, {res['levels']} levels, "
          f"{res['loop_breaks']} loop breaks: best CPU {res['cpu_s']:.2f} s (target <= 2 s), "
          f"wall {res['wall_s']:.2f} s; digest {dg[:16]}")
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
