"""Run SCALE-Sim v3 (PyPI ``scalesim``) on finevh layers: the reference of the
cycle and access-count cross-check (tests, ``bench/bench_accel.py``).

SCALE-Sim is imported lazily; :func:`available` says whether it is installed.
It runs in "CALC" (estimate-bandwidth) interface mode, the mode its README
documents as the default, with the array, buffer sizes and dataflow of an
:class:`~finevh.accel.model.ArrayConfig`. Its report columns are returned per
SCALE-Sim layer; a depthwise layer becomes one SCALE-Sim layer per channel (its
``DP`` naming rule), and :func:`run_layers` sums those back into one row.

Facts (TOOLS.md): numpy < 2.4; ~100 us per simulated cycle; use
``save_disk_space=True`` (the traces are GB); ``get_total_cycles()`` is broken,
so the COMPUTE_REPORT rows are read instead.
"""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .model import ArrayConfig, Layer


def available() -> bool:
    return importlib.util.find_spec("scalesim") is not None


@dataclass(frozen=True)
class RefStats:
    """One finevh layer as SCALE-Sim reports it (sums over its DP channels)."""

    name: str
    total_cycles: int          # COMPUTE_REPORT "Total Cycles" (compute + stalls)
    stall_cycles: int
    ifmap_sram_reads: int
    filter_sram_reads: int
    ofmap_sram_writes: int
    ifmap_dram_reads: int
    filter_dram_reads: int
    ofmap_dram_writes: int


def _config_text(arr: ArrayConfig, word_bytes: int) -> str:
    kb = [s // 1024 // word_bytes for s in (arr.ifmap_sram_bytes, arr.filter_sram_bytes, arr.ofmap_sram_bytes)]
    return f"""[general]
run_name = finevh_ref

[architecture_presets]
ArrayHeight : {arr.rows}
ArrayWidth : {arr.cols}
IfmapSramSzkB : {kb[0]}
FilterSramSzkB : {kb[1]}
OfmapSramSzkB : {kb[2]}
IfmapOffset : 0
FilterOffset : 10000000
OfmapOffset : 20000000
Dataflow : {arr.dataflow}
Bandwidth : 10
ReadRequestBuffer : 32
WriteRequestBuffer : 32

[layout]
IfmapCustomLayout : False
IfmapSRAMBankBandwidth : 10
IfmapSRAMBankNum : 1
IfmapSRAMBankPort : 2
FilterCustomLayout : False
FilterSRAMBankBandwidth : 10
FilterSRAMBankNum : 1
FilterSRAMBankPort : 2

[sparsity]
SparsitySupport : false
SparseRep : ellpack_block
OptimizedMapping : false
BlockSize : 8
RandomNumberGeneratorSeed : 40

[run_presets]
InterfaceBandwidth : CALC
UseRamulatorTrace : False
"""


def topology_rows(layers: Sequence[Layer]) -> list[str]:
    """SCALE-Sim topology CSV rows (padding folded into the ifmap size; depthwise
    layers named ``..._DP`` with one filter per channel)."""
    rows = []
    for i, L in enumerate(layers):
        # SCALE-Sim sizes its output as ceil((H - k + s) / s); give it the padded input
        # cropped to the rows/cols a standard convolution reads, so both agree.
        h, w = (L.out_h - 1) * L.stride + L.k_h, (L.out_w - 1) * L.stride + L.k_w
        if L.kind == "dw":
            rows.append(f"L{i}_DP, {h}, {w}, {L.k_h}, {L.k_w}, {L.in_ch}, 1, {L.stride},")
        else:
            rows.append(f"L{i}, {h}, {w}, {L.k_h}, {L.k_w}, {L.in_ch}, {L.out_ch}, {L.stride},")
    return rows


def run_layers(layers: Sequence[Layer], arr: ArrayConfig) -> list[RefStats]:
    """Simulate ``layers`` with SCALE-Sim and return one :class:`RefStats` per layer.

    SCALE-Sim counts 1-byte words; finevh counts ``arr.word_bytes``-byte words, so
    SCALE-Sim's buffer sizes are divided by ``arr.word_bytes`` to give it the same
    capacity in words."""
    from ..extras import require

    require("scalesim", "the SCALE-Sim reference")
    from scalesim.scale_sim import scalesim  # type: ignore

    with tempfile.TemporaryDirectory(prefix="finevh_scalesim_") as td:
        d = Path(td)
        (d / "cfg.cfg").write_text(_config_text(arr, arr.word_bytes))
        (d / "topo.csv").write_text(
            "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
            + "\n".join(topology_rows(layers)) + "\n")
        (d / "layout.csv").write_text("Layer name,\n")
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink):
            s = scalesim(save_disk_space=True, verbose=False, config=str(d / "cfg.cfg"),
                         topology=str(d / "topo.csv"), layout=str(d / "layout.csv"))
            s.run_scale(top_path=str(d / "out"))
        rep = d / "out" / "finevh_ref"
        comp = _read_csv(rep / "COMPUTE_REPORT.csv")
        det = _read_csv(rep / "DETAILED_ACCESS_REPORT.csv")
    # map SCALE-Sim layer rows back to finevh layers
    owners: list[int] = []
    for i, L in enumerate(layers):
        owners += [i] * (L.in_ch if L.kind == "dw" else 1)
    acc = [[0] * 8 for _ in layers]
    for row_c, row_d, i in zip(comp, det, owners):
        vals = [int(float(row_c[2])), int(float(row_c[3])),
                int(float(row_d[3])), int(float(row_d[6])), int(float(row_d[9])),
                int(float(row_d[12])), int(float(row_d[15])), int(float(row_d[18]))]
        acc[i] = [a + v for a, v in zip(acc[i], vals)]
    return [RefStats(L.name, *a) for L, a in zip(layers, acc)]


def _read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return [[c.strip() for c in r] for r in rows[1:] if r]
