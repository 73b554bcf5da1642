"""Analytic cycle and memory-access model of a systolic-array ConvNet accelerator.

The accelerator is the one of thesis §3.3.3 (Table 3.4): an R x C array of PEs
(default 8 x 8), three SRAM buffers (ifmap, filter, ofmap; default 128 KB each),
a 256 MB DRAM. A layer is mapped as the GEMM SCALE-Sim uses (Samajdar et al.,
"SCALE-Sim", arXiv:1811.02883): ``Sr`` output pixels x ``T`` window elements
(k_h*k_w*in_ch) times ``T`` x ``Sc`` filters. Dataflows:

``os`` (output stationary, the thesis' choice)
    each PE owns one output; folds = ceil(Sr/R) * ceil(Sc/C);
    cycles per fold = T + R + C - 2 (stream T operands, fill and drain the skew).
``ws`` (weight stationary)
    each PE holds one weight; folds = ceil(T/R) * ceil(Sc/C);
    cycles per fold = Sr + 2R + C - 2; partial sums are written once per row fold.
``is`` (input stationary)
    each PE holds one input; folds = ceil(T/R) * ceil(Sr/C);
    cycles per fold = Sc + 2R + C - 2.

These are the fold lengths of SCALE-Sim v3's demand matrices, so compute cycles
equal its COMPUTE_REPORT "Total Cycles" (stall-free in its estimate-bandwidth
mode), which is the index of the cycle of the last output write, i.e.
``folds * cycles_per_fold - 1`` per GEMM; ``tests/test_accel_scalesim.py`` checks
that layer by layer.

A depthwise layer runs as ``in_ch`` single-channel convolutions (SCALE-Sim's
``DP`` rule), a fully connected layer as a 1x1 convolution on a 1x1 map.

Precision. A PE does one 16-bit MAC or two 8-bit MACs per cycle (thesis §3.3.2).
At 8 bits two operands of the reduction share a 16-bit word and a PE, so an 8-bit
layer is costed as the 16-bit layer with its reduction packed in pairs:
``in_ch -> ceil(in_ch/2)`` (conv, pw, fc) or channel pairs for depthwise.
All counts are in 16-bit words. The scalable-precision PE of thesis §3.4.3
(8-bit operands, one 4x4 multiplier) is the ``mode`` option: a MAC takes 4
(full), 2 (mixed) or 1 (half) PE cycles and a bias 2 (Table 3.9), which stretches
the streaming dimension by that factor (see :func:`layer_stats`).

DRAM traffic follows SCALE-Sim's double-buffered read buffers: a read buffer
keeps the operand words it fetched since it last emptied its active half (half
the buffer, ``cap`` words); a word it holds is an SRAM hit, any other word is
fetched from DRAM, and the half is emptied right after every ``cap``-th fetch.
When an operand's distinct footprint is below ``cap`` it is fetched exactly once.
Otherwise: filters (a block of distinct words re-read back to back) have a closed
form (:func:`_repeated_block`); ifmaps are replayed exactly from their read order
(:func:`_stream_misses`, vectorised, one pass materialised, periodic passes
extrapolated), or, with ``exact_dram=False``, estimated in closed form.
Outputs are written to DRAM once each.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from ..errors import InputError

KINDS = ("conv", "dw", "pw", "fc")
DATAFLOWS = ("os", "ws", "is")
PRECISIONS = (16, 8)
#: PE cycles (= 4x4-MAC operations) per MAC in each mode of the scalable PE (Table 3.9).
MODE_MAC_COST = {"full": 4, "mixed": 2, "half": 1}
#: PE cycles of one bias addition in every mode (Table 3.9).
MODE_BIAS_COST = 2


@dataclass(frozen=True)
class Layer:
    """One convolutional / fully connected layer.

    ``kind``: ``conv`` (k x k, any stride), ``dw`` (depthwise, out_ch == in_ch),
    ``pw`` (1x1 pointwise), ``fc`` (fully connected: in_h = in_w = k = 1).
    Sizes in elements; ``pad`` is symmetric zero padding on each side."""

    name: str
    kind: str
    in_h: int
    in_w: int
    in_ch: int
    out_ch: int
    k_h: int = 1
    k_w: int = 1
    stride: int = 1
    pad: int = 0
    bias: bool = True

    def __post_init__(self):
        if self.kind not in KINDS:
            raise InputError(f"layer {self.name}: kind {self.kind!r} not in {KINDS}")
        for f in ("in_h", "in_w", "in_ch", "out_ch", "k_h", "k_w", "stride"):
            if int(getattr(self, f)) < 1:
                raise InputError(f"layer {self.name}: {f} must be >= 1")
        if self.pad < 0:
            raise InputError(f"layer {self.name}: pad must be >= 0")
        if self.kind == "dw" and self.out_ch != self.in_ch:
            raise InputError(f"layer {self.name}: depthwise needs out_ch == in_ch")
        if self.in_h + 2 * self.pad < self.k_h or self.in_w + 2 * self.pad < self.k_w:
            raise InputError(f"layer {self.name}: kernel larger than the padded input")

    @property
    def out_h(self) -> int:
        return (self.in_h + 2 * self.pad - self.k_h) // self.stride + 1

    @property
    def out_w(self) -> int:
        return (self.in_w + 2 * self.pad - self.k_w) // self.stride + 1

    @property
    def out_px(self) -> int:
        return self.out_h * self.out_w

    @property
    def window(self) -> int:
        """Reduction length of one output (MACs per output)."""
        return self.k_h * self.k_w * (1 if self.kind == "dw" else self.in_ch)

    @property
    def macs(self) -> int:
        return self.out_px * self.out_ch * self.window

    @property
    def n_weights(self) -> int:
        return self.out_ch * self.window

    @property
    def n_bias(self) -> int:
        """Bias additions (one per output element)."""
        return self.out_px * self.out_ch if self.bias else 0

    def packed(self) -> "Layer":
        """The 16-bit-word equivalent of this layer at 8 bits (reduction packed in pairs)."""
        if self.kind == "dw":
            c = math.ceil(self.in_ch / 2)
            return replace(self, in_ch=c, out_ch=c)
        return replace(self, in_ch=math.ceil(self.in_ch / 2))


@dataclass(frozen=True)
class ArrayConfig:
    """Accelerator configuration (thesis Table 3.4 defaults). Sizes in bytes."""

    rows: int = 8
    cols: int = 8
    dataflow: str = "os"
    ifmap_sram_bytes: int = 128 * 1024
    filter_sram_bytes: int = 128 * 1024
    ofmap_sram_bytes: int = 128 * 1024
    dram_bytes: int = 256 * 1024 * 1024
    word_bytes: int = 2   # a 16-bit word; an 8-bit layer packs two operands per word

    def __post_init__(self):
        if self.rows < 1 or self.cols < 1:
            raise InputError(f"array must be at least 1x1, not {self.rows}x{self.cols}")
        if self.dataflow not in DATAFLOWS:
            raise InputError(f"dataflow {self.dataflow!r} not in {DATAFLOWS}")

    def active_words(self, buf_bytes: int) -> int:
        """Words the active half of a read buffer holds (SCALE-Sim: 50 sets of
        floor(words/100) words)."""
        words = buf_bytes // self.word_bytes
        return 50 * (words // 100)


def parse_array(text: str) -> tuple[int, int]:
    """``"8x8"`` -> (8, 8); anything else -> InputError."""
    parts = text.lower().split("x")
    try:
        r, c = (int(p) for p in parts)
    except ValueError:
        raise InputError(f"--array must look like RxC (e.g. 8x8), not {text!r}") from None
    if r < 1 or c < 1 or r > 4096 or c > 4096:
        raise InputError(f"--array {text!r}: rows and cols must be in 1..4096")
    return r, c


@dataclass(frozen=True)
class LayerStats:
    """Per-layer results. Counts in 16-bit words; cycles in array clock cycles."""

    name: str
    precision: str            # "16", "8", "full", "mixed", "half"
    cycles: int               # compute cycles (SCALE-Sim "Total Cycles", stall-free)
    macs: int
    utilization: float        # macs / (cycles * R * C) (x2 at 8 bit: 2 MACs per PE-cycle)
    mapping_efficiency: float # average fraction of PEs mapped per fold
    folds: int
    ifmap_sram_reads: int
    filter_sram_reads: int
    ofmap_sram_writes: int
    ifmap_dram_reads: int
    filter_dram_reads: int
    ofmap_dram_writes: int
    dram_exact: bool = True   # False when an operand overflowed the active buffer

    @property
    def sram_reads(self) -> int:
        return self.ifmap_sram_reads + self.filter_sram_reads

    @property
    def sram_writes(self) -> int:
        return self.ofmap_sram_writes

    @property
    def dram_reads(self) -> int:
        return self.ifmap_dram_reads + self.filter_dram_reads

    @property
    def dram_writes(self) -> int:
        return self.ofmap_dram_writes

    def as_dict(self) -> dict:
        return {
            "name": self.name, "precision": self.precision, "cycles": self.cycles,
            "macs": self.macs, "utilization": round(self.utilization, 6),
            "sram_reads": self.sram_reads, "sram_writes": self.sram_writes,
            "dram_reads": self.dram_reads, "dram_writes": self.dram_writes,
            "ifmap_sram_reads": self.ifmap_sram_reads, "filter_sram_reads": self.filter_sram_reads,
            "ofmap_sram_writes": self.ofmap_sram_writes, "ifmap_dram_reads": self.ifmap_dram_reads,
            "filter_dram_reads": self.filter_dram_reads, "ofmap_dram_writes": self.ofmap_dram_writes,
            "dram_exact": self.dram_exact,
        }


def _touched(n_out: int, k: int, s: int) -> int:
    """Input rows (or cols) read by ``n_out`` windows of size ``k`` at stride ``s``."""
    return (n_out - 1) * s + k if k >= s else n_out * k


def _repeated_block(b: int, r: int, cap: int, c: int) -> tuple[int, int, bool]:
    """DRAM words fetched when a sequence of ``b`` distinct words is read ``r`` times in
    a row by a read buffer whose active half holds ``cap`` words and already counts
    ``c`` words. SCALE-Sim's buffer fetches every word it does not hold and empties its
    active half when that half is full; the words it then holds are always the most
    recent ones, a contiguous arc of the cyclic sequence. Returns (fetched words, words
    counted afterwards, exact?)."""
    if c + b < cap:
        return b, c + b, True
    if b >= cap:                      # the arc never closes: every read misses
        n = r * b
        return n, (c + n) % cap, True
    x1 = cap - c                      # words read before the flip
    if r == 1:
        return b, b - x1, True
    return x1 + b, b, True


def _ifmap_addresses(L: Layer, rows: "np.ndarray", ks: "np.ndarray", Sr: int, T: int) -> "np.ndarray":
    """SCALE-Sim ifmap address of (output pixel ``rows``, window element ``ks``) of a
    (single-channel for depthwise) layer, on the padded input cropped as SCALE-Sim
    sees it: a per-pixel base plus a per-window-element offset."""
    import numpy as np

    ch = 1 if L.kind == "dw" else L.in_ch
    w_in = (L.out_w - 1) * L.stride + L.k_w
    orow, ocol = np.divmod(np.arange(Sr, dtype=np.int64), L.out_w)
    base = (orow * L.stride * w_in + ocol * L.stride) * ch
    crow, kk = np.divmod(np.arange(T, dtype=np.int64), L.k_w * ch)
    ccol, cch = np.divmod(kk, ch)
    off = (crow * w_in + ccol) * ch + cch
    return base[rows] + off[ks]


def _ifmap_pass(L: Layer, arr: ArrayConfig, Sr: int, T: int) -> "np.ndarray":
    """The ifmap addresses of one pass over the ifmap, in SCALE-Sim's demand order."""
    import numpy as np

    R, C = arr.rows, arr.cols
    df = arr.dataflow
    if df == "os":
        # fold fr: array row c streams window element t - c of output pixel fr*R + c
        c, k = np.meshgrid(np.arange(R), np.arange(T), indexing="ij")
        order = np.lexsort((c.ravel(), (c + k).ravel()))
        pc, pk = c.ravel()[order], k.ravel()[order]
        nf = math.ceil(Sr / R)
        rows = (np.arange(nf)[:, None] * R + pc[None, :]).ravel()
        ks = np.tile(pk, nf)
    elif df == "ws":
        # fold fr: array row c streams window element fr*R + c of output pixel t - c
        c, px = np.meshgrid(np.arange(R), np.arange(Sr), indexing="ij")
        order = np.lexsort((c.ravel(), (c + px).ravel()))
        pc, pp = c.ravel()[order], px.ravel()[order]
        nf = math.ceil(T / R)
        ks = (np.arange(nf)[:, None] * R + pc[None, :]).ravel()
        rows = np.tile(pp, nf)
    else:
        # fold (fc, fr): window elements fr*R .. in reverse, each over the fold's pixels
        nfc, nfr = math.ceil(Sr / C), math.ceil(T / R)
        fc_i, fr_i, c, q = np.meshgrid(np.arange(nfc), np.arange(nfr), np.arange(R)[::-1], np.arange(C),
                                       indexing="ij")
        ks = (fr_i * R + c).ravel()
        rows = (fc_i * C + q).ravel()
    keep = (rows < Sr) & (ks < T)
    return _ifmap_addresses(L, rows[keep], ks[keep], Sr, T)


def _stream_misses(q: "np.ndarray", passes: int, cap: int) -> int:
    """Exact number of words a SCALE-Sim read buffer fetches for the address stream
    ``q`` repeated ``passes`` times: a word is fetched when it was not read since the
    buffer last emptied its active half, which happens right after every ``cap``-th
    fetch. A read at i hits iff the previous read of the same word is after the
    last flip."""
    import numpy as np

    n = len(q)
    if n == 0:
        return 0
    order = np.argsort(q, kind="stable")
    sq = q[order]
    same = sq[1:] == sq[:-1]
    prev = np.empty(n, dtype=np.int64)
    first = np.ones(n, dtype=bool)
    prev[order[1:][same]] = order[:-1][same]
    first[order[1:][same]] = False
    # first read of a word in a pass: its previous read is its last read one pass earlier
    starts = np.flatnonzero(np.concatenate(([True], ~same)))
    ends = np.concatenate((starts[1:], [n])) - 1
    prev[order[starts]] = order[ends] - n
    never = np.iinfo(np.int64).min // 2
    prev0 = np.where(first, never, prev)          # pass 0: first reads always miss
    total, c, r = 0, 0, -1                        # fetched, fetched since flip, flip position
    seen: dict[tuple[int, int], tuple[int, int]] = {}
    p = 0
    while p < passes:
        base = p * n
        if p > 0:
            # the passes are identical, so a pass starting in a state met before starts a cycle
            state = (c, r - base)
            if state in seen:
                p0, t0 = seen.pop(state)
                cyc = p - p0
                k = (passes - p) // cyc
                total += k * (total - t0)
                p += k * cyc
                seen.clear()
                if p >= passes:
                    break
                base = p * n
                r = base + state[1]
            else:
                seen[state] = (p, total)
        pr = prev0 if p == 0 else prev
        thr = r - base                              # a read at j misses iff pr[j] <= thr
        j = 0
        flipped = False
        while j < n:
            step = min(n - j, max(4 * (cap - c), 1 << 16))
            cnt = np.cumsum(pr[j:j + step] <= thr)
            m = int(cnt[-1])
            if c + m < cap:
                total += m
                c += m
                j += step
                continue
            k = int(np.searchsorted(cnt, cap - c))   # the cap-th fetch since the last flip
            total += cap - c
            c = 0
            thr = j + k
            r = base + thr
            j += k + 1
            flipped = True
        if not flipped and r < base:
            break                                   # a pass without a flip: the rest only hit
        p += 1
    return total


def _dram_with_reuse(f: int, passes: int, cap: int, overlap: int) -> tuple[int, bool]:
    """Estimate of the DRAM words for an operand of ``f`` distinct words read in
    ``passes`` passes, each re-using words at short distance (``overlap`` = words
    re-read after a buffer flip): exact when ``f`` fits the active half; otherwise
    every pass re-fetches ``f`` and every flip re-fetches ``overlap`` words."""
    if f < cap:
        return f, True
    n = passes * f
    for _ in range(3):
        n = passes * f + (n // cap) * overlap
    return n, False

@functools.lru_cache(maxsize=4096)
def _single(L: Layer, arr: ArrayConfig, stretch: int, extra: int, exact_dram: bool = True) -> tuple:
    """Stats of one GEMM (a non-depthwise layer, or one depthwise channel).

    ``stretch``: PE cycles per operand pair; ``extra``: extra cycles per fold (bias)."""
    R, C = arr.rows, arr.cols
    ch = 1 if L.kind == "dw" else L.in_ch
    Sr, T, Sc = L.out_px, L.k_h * L.k_w * ch, (1 if L.kind == "dw" else L.out_ch)
    df = arr.dataflow
    if df == "os":
        fr, fc = math.ceil(Sr / R), math.ceil(Sc / C)
        per_fold = T * stretch + extra + R + C - 2
        ifmap_rd, filt_rd, ofmap_wr = Sr * T * fc, T * Sc * fr, Sr * Sc
        map_eff = (Sr * Sc) / (fr * fc * R * C)
        if_passes, f_passes = fc, fr
    elif df == "ws":
        fr, fc = math.ceil(T / R), math.ceil(Sc / C)
        per_fold = Sr * stretch + extra + 2 * R + C - 2
        ifmap_rd, filt_rd, ofmap_wr = Sr * T * fc, T * Sc, Sr * Sc * fr
        map_eff = (T * Sc) / (fr * fc * R * C)
        if_passes, f_passes = fc, 1
    else:  # is
        fr, fc = math.ceil(T / R), math.ceil(Sr / C)
        per_fold = Sc * stretch + extra + 2 * R + C - 2
        ifmap_rd, filt_rd, ofmap_wr = Sr * T, T * Sc * fc, Sr * Sc * fr
        map_eff = (T * Sr) / (fr * fc * R * C)
        if_passes, f_passes = 1, fc
    folds = fr * fc
    # SCALE-Sim reports the index of the cycle of the last output write (cycle 0 is
    # the first), i.e. one less than the number of cycles its demand matrices span;
    # finevh uses the same convention so that the numbers compare equal.
    cycles = folds * per_fold - 1
    # distinct words each read buffer must fetch (padding is data for SCALE-Sim)
    ih = _touched(L.out_h, L.k_h, L.stride)
    iw = _touched(L.out_w, L.k_w, L.stride)
    f_i = ih * iw * ch
    cap_i, cap_f = arr.active_words(arr.ifmap_sram_bytes), arr.active_words(arr.filter_sram_bytes)
    # ifmap: a pass over the whole ifmap per fold of the other operand
    if f_i < cap_i:
        if_dram, ex_i = f_i, True
    elif exact_dram:
        if_dram, ex_i = _stream_misses(_ifmap_pass(L, arr, Sr, T), if_passes, cap_i), True
    elif df == "os":
        overlap = max(L.k_h - L.stride, 0) * iw * ch   # words re-read after a buffer flip
        if_dram, ex_i = _dram_with_reuse(f_i, if_passes, cap_i, overlap)
    else:                                              # estimate: every read misses (bound)
        if_dram, ex_i = ifmap_rd, False
    # filter: OS re-reads one column fold (T x C words) over the row folds back to back;
    # WS reads every weight once; IS re-reads the whole filter once per column fold
    if df == "os":
        f_dram, ex_f = 0, True
        c = 0
        for j in range(fc):
            b = T * (min(C, Sc - j * C))
            n, c, e = _repeated_block(b, f_passes, cap_f, c)
            f_dram += n
            ex_f = ex_f and e
    elif df == "is":
        f_dram, _, ex_f = _repeated_block(T * Sc, f_passes, cap_f, 0)
    else:
        f_dram, ex_f = T * Sc, True
    exact = ex_i and ex_f
    return (cycles, folds, map_eff * folds, ifmap_rd, filt_rd, ofmap_wr, if_dram, f_dram, ofmap_wr, exact)


def layer_stats(L: Layer, arr: ArrayConfig = ArrayConfig(), precision: int | str = 16,
                exact_dram: bool = True) -> LayerStats:
    """Cycles and memory accesses of layer ``L``.

    ``precision``: 16 or 8 (thesis §3.3 PE: 1 x 16-bit or 2 x 8-bit MACs per
    cycle), or ``"full" | "mixed" | "half"`` (thesis §3.4 PE: 8-bit operands,
    4/2/1 cycles per MAC and 2 per bias, Table 3.9; words are 8-bit operands
    counted as SCALE-Sim words). ``exact_dram=False`` replaces the exact replay of an
    ifmap that overflows its buffer by a closed-form estimate (much faster)."""
    stretch, extra, work = 1, 0, L
    if precision in (16, "16"):
        prec = "16"
    elif precision in (8, "8"):
        prec, work = "8", L.packed()
    elif precision in MODE_MAC_COST:
        prec = str(precision)
        stretch = MODE_MAC_COST[prec]
        extra = MODE_BIAS_COST if L.bias else 0
    else:
        raise InputError(f"precision {precision!r} not in 16, 8, full, mixed, half")
    reps = work.in_ch if work.kind == "dw" else 1
    one = _single(replace(work, name=""), arr, stretch, extra, exact_dram)  # shapes repeat: cached
    cycles, folds, eff_sum, *counts, exact = one
    counts = [c * reps for c in counts]
    cycles, folds = cycles * reps, folds * reps
    util = L.macs / (cycles * arr.rows * arr.cols) if cycles else 0.0
    return LayerStats(
        name=L.name, precision=prec, cycles=cycles, macs=L.macs, utilization=util,
        mapping_efficiency=eff_sum / (one[1]) if one[1] else 0.0, folds=folds,
        ifmap_sram_reads=counts[0], filter_sram_reads=counts[1], ofmap_sram_writes=counts[2],
        ifmap_dram_reads=counts[3], filter_dram_reads=counts[4], ofmap_dram_writes=counts[5],
        dram_exact=exact)


@dataclass(frozen=True)
class NetworkStats:
    network: str
    array: ArrayConfig
    layers: tuple[LayerStats, ...] = field(default_factory=tuple)

    @property
    def total_cycles(self) -> int:
        return sum(s.cycles for s in self.layers)

    def as_dict(self) -> dict:
        a = self.array
        return {
            "network": self.network,
            "array": f"{a.rows}x{a.cols}", "dataflow": a.dataflow,
            "sram_bytes": [a.ifmap_sram_bytes, a.filter_sram_bytes, a.ofmap_sram_bytes],
            "layers": [s.as_dict() for s in self.layers],
            "total_cycles": self.total_cycles,
            "total_macs": sum(s.macs for s in self.layers),
        }


def network_stats(name: str, layers: Sequence[Layer], arr: ArrayConfig = ArrayConfig(),
                  precisions: Iterable[int | str] | None = None, exact_dram: bool = True) -> NetworkStats:
    """Per-layer stats of a network; ``precisions`` per layer (default all 16-bit)."""
    precs = list(precisions) if precisions is not None else [16] * len(layers)
    if len(precs) != len(layers):
        raise InputError(f"{len(precs)} precisions for {len(layers)} layers")
    return NetworkStats(name, arr, tuple(layer_stats(L, arr, p, exact_dram) for L, p in zip(layers, precs)))
