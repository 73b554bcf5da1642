"""A small ConvNet trained by finevh itself (numpy) on scikit-learn's bundled
8x8 digits, and a numpy fixed-point emulator of it: the real accuracy proxy of
the precision searches (thesis §3.3.1 NSGA-II*, §3.4.5 Algorithm 4).

Network (:data:`ARCH`, NHWC, ReLU after every layer but the last):
conv1 3x3 1->16 pad 1; conv2 3x3 16->32 stride 2 pad 1 (4x4); dw3 3x3 pad 1;
pw4 1x1 32->64; dw5 3x3 stride 2 pad 1 (2x2); pw6 1x1 64->64; fc7 256->10.
Training: Adam (lr 3e-3), batch 64, 12 epochs, He init, all seeded; the digits are
split once by a seeded permutation into 1297 training, 100 calibration (taken
from the training side, as the thesis' calset) and 400 test images. Weights are
cached in ``fileio.cache_dir()`` keyed by a hash of this recipe.

Fixed point (thesis §3.3.1, Eq. 3.2): ``Q = clip(round_half_even(X * 2^b),
-2^(n-1), 2^(n-1)-1)`` with a per-layer fraction length ``b`` for weights and
for each layer's input activations, chosen by a search minimising the squared
error (activations over the calibration set). Integer layers accumulate exactly
(int64), add the bias at the accumulator's radix point, saturate to 32 bits
and pass through the PE output stage (arithmetic right shift = floor, then
saturation to the next layer's width).

Precision settings:
- :meth:`FixedPointNet.logits16` - the §3.3 accelerator: per layer 16-bit or
  8-bit; an 8-bit layer reduces its 16-bit weights and input activations to 8
  bits by half-even rounding (``round_half_even(q / 2^8)``, the thesis' FX8-R).
- :meth:`FixedPointNet.logits_modes` - the §3.4 PE: 8-bit operands, per layer
  ``full | mixed | half``, with weights reduced to 4 bits by the PE golden
  model's rounding (:func:`finevh.accel.pe.round_weight`, tabulated) and the
  products of Algorithm 3 (``pe.reference_exact``); half mode takes the high
  nibble of each activation.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .model import Layer

TRAIN_SEED = 0
EPOCHS = 12
BATCH = 64
LR = 3e-3
_RECIPE_VERSION = "digits-convnet-1"


@dataclass(frozen=True)
class Arch:
    """A chain of layers; ``relu[i]``: ReLU after layer i (default: all but the last)."""

    spec: tuple[Layer, ...]
    relu: tuple[bool, ...] | None = None

    def layers(self) -> list[Layer]:
        return list(self.spec)

    def act(self, i: int) -> bool:
        if self.relu is not None:
            return self.relu[i]
        return i != len(self.spec) - 1


ARCH = Arch((
    Layer("conv1", "conv", 8, 8, 1, 16, 3, 3, 1, 1),
    Layer("conv2", "conv", 8, 8, 16, 32, 3, 3, 2, 1),
    Layer("dw3", "dw", 4, 4, 32, 32, 3, 3, 1, 1),
    Layer("pw4", "pw", 4, 4, 32, 64),
    Layer("dw5", "dw", 4, 4, 64, 64, 3, 3, 2, 1),
    Layer("pw6", "pw", 2, 2, 64, 64),
    Layer("fc7", "fc", 1, 1, 256, 10),
))


# --- data -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Digits:
    x_train: np.ndarray   # (N, 8, 8, 1) float64 in [0, 1]
    y_train: np.ndarray
    x_cal: np.ndarray
    y_cal: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


@lru_cache(maxsize=1)
def load_data() -> Digits:
    """scikit-learn's bundled digits (no download), split by a seeded permutation."""
    from sklearn.datasets import load_digits

    d = load_digits()
    x = (d.images / 16.0).reshape(-1, 8, 8, 1)
    y = d.target.astype(np.int64)
    perm = np.random.default_rng(TRAIN_SEED).permutation(len(y))
    tr, cal, te = perm[:1297], perm[1197:1297], perm[1297:]
    return Digits(x[tr], y[tr], x[cal], y[cal], x[te], y[te])


# --- float layers (forward / backward) ---------------------------------------------------

def _patches(x: np.ndarray, L: Layer) -> np.ndarray:
    """(N,H,W,C) -> (N, oh, ow, C, kh, kw) windows of the zero-padded input."""
    p = L.pad
    xp = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0))) if p else x
    v = np.lib.stride_tricks.sliding_window_view(xp, (L.k_h, L.k_w), axis=(1, 2))
    return v[:, ::L.stride, ::L.stride][:, :L.out_h, :L.out_w]


def _scatter_index(L: Layer) -> np.ndarray:
    """Flat index into the padded (Hp, Wp, C) input of every patch element."""
    hp, wp = L.in_h + 2 * L.pad, L.in_w + 2 * L.pad
    idx = np.arange(hp * wp * L.in_ch).reshape(1, hp, wp, L.in_ch)
    return np.ascontiguousarray(_patches_raw(idx, L)).reshape(-1)


def _patches_raw(xp: np.ndarray, L: Layer) -> np.ndarray:
    v = np.lib.stride_tricks.sliding_window_view(xp, (L.k_h, L.k_w), axis=(1, 2))
    return v[:, ::L.stride, ::L.stride][:, :L.out_h, :L.out_w]


def layer_forward(x: np.ndarray, L: Layer, w: np.ndarray, b: np.ndarray):
    """Float forward of one layer; returns (output, cache for backward).

    Weight shapes: conv/pw (C*kh*kw, K); dw (C, kh, kw); fc (in, out)."""
    n = x.shape[0]
    if L.kind == "fc":
        xf = x.reshape(n, -1)
        return xf @ w + b, (xf, x.shape)
    pt = _patches(x, L)
    if L.kind == "dw":
        out = np.einsum("nhwcij,cij->nhwc", pt, w, optimize=True) + b
        return out, pt
    cols = pt.reshape(n * L.out_h * L.out_w, -1)
    out = (cols @ w + b).reshape(n, L.out_h, L.out_w, L.out_ch)
    return out, cols


def layer_backward(dout: np.ndarray, L: Layer, w: np.ndarray, cache, need_dx: bool):
    n = dout.shape[0]
    if L.kind == "fc":
        xf, shape = cache
        dw, db = xf.T @ dout, dout.sum(0)
        dx = (dout @ w.T).reshape(shape) if need_dx else None
        return dx, dw, db
    if L.kind == "dw":
        pt = cache
        dw = np.einsum("nhwcij,nhwc->cij", pt, dout, optimize=True)
        db = dout.sum((0, 1, 2))
        dpt = np.einsum("nhwc,cij->nhwcij", dout, w, optimize=True) if need_dx else None
    else:
        cols = cache
        d2 = dout.reshape(-1, L.out_ch)
        dw, db = cols.T @ d2, d2.sum(0)
        dpt = (d2 @ w.T) if need_dx else None
    if not need_dx:
        return None, dw, db
    hp, wp = L.in_h + 2 * L.pad, L.in_w + 2 * L.pad
    m = hp * wp * L.in_ch
    idx = _scatter_index(L)
    full = (np.arange(n)[:, None] * m + idx[None, :]).ravel()
    dxp = np.bincount(full, weights=np.asarray(dpt).reshape(-1), minlength=n * m).reshape(n, hp, wp, L.in_ch)
    p = L.pad
    dx = dxp[:, p:hp - p, p:wp - p] if p else dxp
    return dx, dw, db


def _init(L: Layer, rng: np.random.Generator):
    fan_in = L.window
    std = np.sqrt(2.0 / fan_in)
    if L.kind == "dw":
        w = rng.normal(0, std, (L.in_ch, L.k_h, L.k_w))
    elif L.kind == "fc":
        w = rng.normal(0, std, (L.in_ch, L.out_ch))
    else:
        w = rng.normal(0, std, (L.in_ch * L.k_h * L.k_w, L.out_ch))
    return w, np.zeros(L.out_ch)


def float_forward(x: np.ndarray, params, arch: Arch = ARCH, keep: bool = False):
    """Logits of the float network; with ``keep`` also the per-layer caches and inputs."""
    caches, inputs = [], []
    h = x
    last = len(arch.spec) - 1
    for i, (L, (w, b)) in enumerate(zip(arch.spec, params)):
        inputs.append(h)
        h, c = layer_forward(h, L, w, b)
        caches.append(c)
        if i != last and arch.act(i):
            h = np.maximum(h, 0.0)
    return (h, caches, inputs) if keep else h


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def train(arch: Arch = ARCH, data: Digits | None = None, epochs: int = EPOCHS, seed: int = TRAIN_SEED):
    """Train with Adam on the digits (deterministic). Returns [(w, b), ...]."""
    data = data or load_data()
    rng = np.random.default_rng(seed)
    params = [list(_init(L, rng)) for L in arch.spec]
    m = [[np.zeros_like(w), np.zeros_like(b)] for w, b in params]
    v = [[np.zeros_like(w), np.zeros_like(b)] for w, b in params]
    b1, b2, eps, t = 0.9, 0.999, 1e-8, 0
    n = len(data.y_train)
    last = len(arch.spec) - 1
    for _ in range(epochs):
        order = rng.permutation(n)
        for s in range(0, n, BATCH):
            idx = order[s:s + BATCH]
            x, y = data.x_train[idx], data.y_train[idx]
            logits, caches, inputs = float_forward(x, params, arch, keep=True)
            p = softmax(logits)
            p[np.arange(len(y)), y] -= 1.0
            d = p / len(y)
            t += 1
            for i in range(last, -1, -1):
                L = arch.spec[i]
                dx, dw, db = layer_backward(d, L, params[i][0], caches[i], need_dx=i > 0)
                for j, g in enumerate((dw, db)):
                    m[i][j] = b1 * m[i][j] + (1 - b1) * g
                    v[i][j] = b2 * v[i][j] + (1 - b2) * g * g
                    mh = m[i][j] / (1 - b1 ** t)
                    vh = v[i][j] / (1 - b2 ** t)
                    params[i][j] = params[i][j] - LR * mh / (np.sqrt(vh) + eps)
                if i > 0:
                    d = dx * (inputs[i] > 0) if arch.act(i - 1) else dx
    return [(np.asarray(w), np.asarray(b)) for w, b in params]


def _recipe_key(arch: Arch) -> str:
    text = json.dumps([_RECIPE_VERSION, TRAIN_SEED, EPOCHS, BATCH, LR,
                       [L.__dict__ for L in arch.spec]], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def trained_params(arch: Arch = ARCH, use_cache: bool = True):
    """Trained float parameters, cached under ``fileio.cache_dir()``."""
    from ..fileio import atomic_write, cache_dir

    path = cache_dir() / f"accel_digits_{_recipe_key(arch)}.npz"
    if use_cache and path.exists():
        try:
            z = np.load(path)
            return [(z[f"w{i}"], z[f"b{i}"]) for i in range(len(arch.spec))]
        except (OSError, KeyError, ValueError):
            pass
    params = train(arch)
    if use_cache:
        with atomic_write(path, "wb") as f:
            np.savez(f, **{f"{k}{i}": a for i, (w, b) in enumerate(params) for k, a in (("w", w), ("b", b))})
    return params


def accuracy(logits: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(np.argmax(logits, axis=1) == y))


def kl_divergence(p_ref: np.ndarray, logits: np.ndarray) -> float:
    """Mean over samples of D_KL(p_ref || softmax(logits)) (nats)."""
    q = softmax(logits)
    eps = 1e-12
    return float(np.mean(np.sum(p_ref * (np.log(p_ref + eps) - np.log(q + eps)), axis=1)))


# --- fixed point -------------------------------------------------------------------------

def quantize(x: np.ndarray, frac: int, bits: int) -> np.ndarray:
    """Thesis Eq. 3.2: clip(round_half_even(x * 2^frac), -2^(bits-1), 2^(bits-1)-1), int64."""
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return np.clip(np.rint(np.asarray(x, dtype=np.float64) * 2.0 ** frac), lo, hi).astype(np.int64)


def reduce_half_even(q: np.ndarray, drop: int, bits: int) -> np.ndarray:
    """Drop ``drop`` LSBs of integers ``q`` by half-even rounding, saturating to ``bits``."""
    return quantize(np.asarray(q, dtype=np.float64), -drop, bits)


def best_frac(x: np.ndarray, bits: int) -> int:
    """Fraction length minimising the squared quantisation error of ``x`` (the largest
    one on ties, which keeps the most low-order bits for a later reduction)."""
    best, best_err = 0, np.inf
    for f in range(-8, 32):
        e = float(np.sum((quantize(x, f, bits) * 2.0 ** -f - x) ** 2))
        if e <= best_err:
            best, best_err = f, e
    return best


@lru_cache(maxsize=1)
def _pe_round_lut() -> np.ndarray:
    """pe.round_weight tabulated for the 256 signed bytes (index w + 128)."""
    from . import pe

    return np.array([pe.round_weight(w) for w in range(-128, 128)], dtype=np.int64)


def pe_round_weight(w: np.ndarray) -> np.ndarray:
    """Vectorised :func:`finevh.accel.pe.round_weight` (bit-exact, by table)."""
    return _pe_round_lut()[np.asarray(w, dtype=np.int64) + 128]


_EXACT = float(2 ** 53)


def _int_layer(x: np.ndarray, L: Layer, w: np.ndarray) -> np.ndarray:
    """Exact integer accumulation (no bias) of one layer: int64 in, int64 out.

    Computed in float64 (BLAS) and converted back: exact because every partial sum
    is an integer below 2^53 (checked from the operand bounds)."""
    n = x.shape[0]
    xf, wf = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    bound = float(np.abs(xf).max(initial=0)) * float(np.abs(wf).max(initial=0)) * L.window
    if bound >= _EXACT:
        raise OverflowError("integer layer exceeds the exact float64 range")
    if L.kind == "fc":
        out = xf.reshape(n, -1) @ wf
    else:
        pt = _patches(xf, L)
        if L.kind == "dw":
            out = np.einsum("nhwcij,cij->nhwc", pt, wf, optimize=True)
        else:
            out = (pt.reshape(n * L.out_h * L.out_w, -1) @ wf).reshape(n, L.out_h, L.out_w, L.out_ch)
    return np.rint(out).astype(np.int64)


def _sat(x: np.ndarray, bits: int) -> np.ndarray:
    return np.clip(x, -(1 << (bits - 1)), (1 << (bits - 1)) - 1)


def _shift(acc: np.ndarray, sh: int) -> np.ndarray:
    return acc >> sh if sh >= 0 else acc << (-sh)


class FixedPointNet:
    """Fixed-point emulator of a trained float network at ``bits`` (16 for the §3.3
    accelerator, 8 for the §3.4 PE)."""

    def __init__(self, params, calib_x: np.ndarray, bits: int = 16, arch: Arch = ARCH):
        self.arch, self.bits = arch, bits
        _, _, inputs = float_forward(calib_x, params, arch, keep=True)
        self.fw = [best_frac(w, bits) for w, _ in params]
        self.fa = [best_frac(a, bits) for a in inputs]
        self.w = [quantize(w, f, bits) for (w, _), f in zip(params, self.fw)]
        self.b = [quantize(b, fw + fa, 32) for (_, b), fw, fa in zip(params, self.fw, self.fa)]

    def _run(self, x: np.ndarray, step) -> np.ndarray:
        a = quantize(x, self.fa[0], self.bits)
        last = len(self.arch.spec) - 1
        for i, L in enumerate(self.arch.spec):
            acc, scale = step(i, L, a)
            if i == last:
                return acc * 2.0 ** -scale
            if self.arch.act(i):
                acc = np.maximum(acc, 0)
            a = _sat(_shift(acc, scale - self.fa[i + 1]), self.bits)
        raise AssertionError("unreachable")

    def logits16(self, x: np.ndarray, setting, cache: dict | None = None) -> np.ndarray:
        """Per layer ``setting[i]``: 1 (or 16) = 16-bit, 0 (or 8) = 8-bit (half-even reduced).

        ``cache`` (a dict owned by the caller, one per input batch ``x``) memoises the
        activations after each setting prefix, so a search re-runs only the layers
        after the first gene that differs."""
        if self.bits != 16:
            raise ValueError("logits16 needs a 16-bit emulator")
        if cache is not None:
            key = tuple(1 if g in (1, 16, True) else 0 for g in setting)
            last = len(self.arch.spec) - 1
            a, start = None, 0
            for k in range(len(key) - 1, 0, -1):
                if key[:k] in cache:
                    a, start = cache[key[:k]], k
                    break
            if a is None:
                a = quantize(x, self.fa[0], self.bits)
            for i in range(start, len(key)):
                acc, scale = self._step16(i, self.arch.spec[i], a, key[i])
                if i == last:
                    return acc * 2.0 ** -scale
                if self.arch.act(i):
                    acc = np.maximum(acc, 0)
                a = _sat(_shift(acc, scale - self.fa[i + 1]), self.bits)
                cache[key[:i + 1]] = a
            raise AssertionError("unreachable")
        return self._run(x, lambda i, L, a: self._step16(i, L, a, setting[i]))

    def _step16(self, i, L, a, gene):
        """One 16-bit-accelerator layer: (saturated 32-bit accumulator, its fraction length)."""
        w, fw, fa = self.w[i], self.fw[i], self.fa[i]
        if gene in (1, 16, True):
            acc = _int_layer(a, L, w)
        else:
            w, a = reduce_half_even(w, 8, 8), reduce_half_even(a, 8, 8)
            acc = _int_layer(a, L, w) << 16
        return _sat(acc + self.b[i], 32), fw + fa

    def logits_modes(self, x: np.ndarray, modes) -> np.ndarray:
        """Per layer ``modes[i]`` in full | mixed | half (thesis Algorithm 3 products)."""
        if self.bits != 8:
            raise ValueError("logits_modes needs an 8-bit emulator")

        def step(i, L, a):
            m = modes[i]
            w = self.w[i]
            if m == "full":
                acc = _int_layer(a, L, w)
            elif m == "mixed":
                acc = _int_layer(a, L, pe_round_weight(w)) << 4
            elif m == "half":
                acc = _int_layer(a >> 4, L, pe_round_weight(w)) << 8
            else:
                raise ValueError(f"mode {m!r}")
            acc = _sat(acc + _sat(self.b[i], 16), 32)
            return acc, self.fw[i] + self.fa[i]

        return self._run(x, step)


@dataclass
class DigitsSetup:
    """Everything the searches need, built once per process."""

    params: list
    data: Digits
    fx16: FixedPointNet
    fx8: FixedPointNet
    p_float_cal: np.ndarray
    float_test_acc: float


@lru_cache(maxsize=1)
def setup() -> DigitsSetup:
    data = load_data()
    params = trained_params()
    fx16 = FixedPointNet(params, data.x_cal, 16)
    fx8 = FixedPointNet(params, data.x_cal, 8)
    p = softmax(float_forward(data.x_cal, params))
    acc = accuracy(float_forward(data.x_test, params), data.y_test)
    return DigitsSetup(params, data, fx16, fx8, p, acc)
