"""Golden model of the scalable-precision processing element (PE).

This module is the single source of truth for the arithmetic of the PE in
``rtl/pe/fvh_pe.sv``; the cocotb testbenches compare the RTL bit for bit with it.
It follows Algorithm 3 and Fig. 3.13 of the thesis (V. Peluso, PhD thesis,
Politecnico di Torino 2020, §3.4.3) with N = 8 bit operands split into K = 4 bit
halves.

Operand split
    An 8-bit two's-complement operand X is ``X = 16 * X_H + X_L`` with
    ``X_H = X >> 4`` (signed, -8..7) and ``X_L = X & 15`` (unsigned, 0..15). In the
    RTL each half is widened to 5 bits (sign extension for ``X_H``, zero extension
    for ``X_L``) and fed to one 5x5 signed multiplier (thesis: "the 5th bit is used
    for the sign extension of the operands").

Modes (Table 3.9: 4x4-MAC operations per MAC; cycles per MAC in the RTL)
    ``full``  (N x N): four partial products, 4 cycles:
                 ``I_H*W_H << 8``, ``I_L*W_H << 4``, ``I_H*W_L << 4``, ``I_L*W_L``.
    ``mixed`` (N x K): the weight is reduced to K bits, ``Wr = round_weight(W)``;
                 two partial products, 2 cycles: ``I_H*Wr << 8``, ``I_L*Wr << 4``.
    ``half``  (K x K): the activation is its 4-bit high half ``I_H`` (or, with
                 ``half_nibble="low"``, the sign-extended low half, which is how a
                 byte packed by the output stage carries a second 4-bit activation),
                 one partial product, 1 cycle: ``I_H*Wr << 8``.
    The shifts are Algorithm 3's radix-point alignment (lines 8, 18, 22) applied
    per partial product by the PE's programmable shifter, so that every mode's
    products sit at the radix point of the 2N = 16-bit bias: half shifts by 2K,
    mixed by K (on top of the K of its high partial product), full by 0.

Weight rounding (``round_weight``)
    ``Wr = clip(round_half_even(W / 2**K), -2**(K-1), 2**(K-1) - 1)``, i.e. the
    quantiser of thesis Eq. 3.2 with half-even rounding (thesis §3.4.3: "the
    weights W_i are rounded using a half-even rounding scheme"; the round unit of
    Fig. 3.13 "takes W_H and W_L as input (4+4-bit) and returns the rounded value
    (4-bit)"). In terms of the halves: ``W_L < 8`` -> ``W_H``; ``W_L > 8`` ->
    ``W_H + 1``; ``W_L == 8`` (a tie) -> whichever of ``W_H``, ``W_H + 1`` is even;
    then ``8`` (from W = 120..127) saturates to ``7``. Examples: 24 (1.5) -> 2,
    40 (2.5) -> 2, -8 (-0.5) -> 0, -24 (-1.5) -> -2, 127 -> 7, -128 -> -8.

Accumulation order and saturation
    The accumulator is 32-bit two's complement and saturates at every addition
    (to -2**31 or 2**31-1). A dot product adds, MAC after MAC, the partial products
    in the order listed above, then the 16-bit bias in two cycles (thesis: "one for
    B_L, one for B_H"): first ``B_L = B & 0xFF`` zero-extended, then
    ``B_H * 256`` with ``B_H = B >> 8`` sign-extended.

Output stage (``output_stage``, ``pack_output``)
    ``acc >> shift`` (arithmetic, i.e. truncation towards -inf), then saturation to
    the next layer's width (4 or 8 bit signed) with a flag. An 8-bit result fills
    the output byte ``O8``; a 4-bit result goes into ``O_H`` (bits 7:4) or ``O_L``
    (bits 3:0) and leaves the other nibble untouched, so two 4-bit activations are
    packed per byte.

Baseline PE (``baseline_mac_dot``)
    The reference of the thesis' area comparison: a plain 4x4 PE with no rounding
    and no sign-extension logic, only the interleaved read-in/write-out scheme.
    It multiplies one signed nibble of each operand byte (both high or both low),
    one cycle per MAC, ``I_n*W_n << 8``, with the same bias, accumulator and output
    stage.
"""

from __future__ import annotations

from typing import Sequence

N = 8
K = 4
ACC_BITS = 32
ACC_MAX = (1 << (ACC_BITS - 1)) - 1
ACC_MIN = -(1 << (ACC_BITS - 1))

MODES = ("full", "mixed", "half")
#: Encoding of the ``mode`` port of ``fvh_pe``.
MODE_CODE = {"full": 0, "mixed": 1, "half": 2}
#: Cycles per MAC in the RTL = 4x4-MAC operations per MAC (thesis Table 3.9).
CYCLES_PER_MAC = {"full": 4, "mixed": 2, "half": 1}
#: Cycles (= 4x4 operations) of one bias addition, in every mode (Table 3.9).
BIAS_CYCLES = 2


def _check_int(x: int, bits: int, what: str) -> int:
    x = int(x)
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    if not lo <= x <= hi:
        raise ValueError(f"{what} = {x} is not a signed {bits}-bit integer")
    return x


def _check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    return mode


def split(x: int) -> tuple[int, int]:
    """Signed 8-bit ``x`` -> (high half, signed -8..7; low half, unsigned 0..15)."""
    x = _check_int(x, N, "operand")
    return x >> K, x & ((1 << K) - 1)


def sext4(v: int) -> int:
    """Sign-extend the 4-bit pattern ``v & 15``."""
    v &= 15
    return v - 16 if v & 8 else v


def round_weight(w: int) -> int:
    """Half-even rounding of the signed 8-bit weight to a signed 4-bit value ~ w/16.

    Saturates to -8..7 (see the module docstring for the exact rule)."""
    wh, wl = split(w)
    half = 1 << (K - 1)
    if wl > half or (wl == half and (wh & 1)):
        r = wh + 1
    else:
        r = wh
    return min(r, (1 << (K - 1)) - 1)


def saturate(x: int, bits: int = ACC_BITS) -> int:
    """Clamp ``x`` to the signed ``bits``-bit range."""
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return hi if x > hi else lo if x < lo else x


def partial_products(i: int, w: int, mode: str, half_nibble: str = "high") -> list[int]:
    """The shifted partial products of one MAC, in the order the PE adds them."""
    _check_mode(mode)
    ih, il = split(i)
    wh, wl = split(w)
    if mode == "full":
        return [(ih * wh) << (2 * K), (il * wh) << K, (ih * wl) << K, il * wl]
    wr = round_weight(w)
    if mode == "mixed":
        return [(ih * wr) << (2 * K), (il * wr) << K]
    if half_nibble not in ("high", "low"):
        raise ValueError("half_nibble must be 'high' or 'low'")
    a = ih if half_nibble == "high" else sext4(il)
    return [(a * wr) << (2 * K)]


def bias_terms(bias: int) -> list[int]:
    """The two bias additions: B_L zero-extended, then B_H sign-extended (times 2**N)."""
    b = _check_int(bias, 2 * N, "bias")
    return [b & ((1 << N) - 1), (b >> N) << N]


def _accumulate(acc: int, terms) -> int:
    for t in terms:
        acc = saturate(acc + t)
    return acc


def mac_dot(
    inputs: Sequence[int],
    weights: Sequence[int],
    bias: int,
    mode: str,
    *,
    acc_init: int = 0,
    half_nibble: str = "high",
) -> int:
    """Dot product of the scalable-precision PE, as the 32-bit accumulator holds it.

    ``inputs``, ``weights``: equal-length sequences of signed 8-bit ints;
    ``bias``: signed 16-bit int; ``mode``: ``"full" | "mixed" | "half"``.
    Returns the saturated accumulator after the bias is added and before the
    output stage; its radix point is that of the 16-bit bias (Algorithm 3).
    ``acc_init`` is the accumulator's preloaded value (0 for a fresh dot product).
    """
    _check_mode(mode)
    if len(inputs) != len(weights):
        raise ValueError(f"{len(inputs)} inputs but {len(weights)} weights")
    acc = _check_int(acc_init, ACC_BITS, "acc_init")
    for i, w in zip(inputs, weights):
        acc = _accumulate(acc, partial_products(i, w, mode, half_nibble))
    return _accumulate(acc, bias_terms(bias))


def baseline_mac_dot(
    inputs: Sequence[int],
    weights: Sequence[int],
    bias: int,
    *,
    acc_init: int = 0,
    nibble: str = "high",
) -> int:
    """Dot product of the baseline 4x4 PE (``rtl/pe/fvh_pe_base.sv``).

    Operands are signed bytes of which one nibble each (``nibble``) is multiplied
    as a signed 4-bit value; product aligned by 2K like half mode; same bias and
    saturating 32-bit accumulator as :func:`mac_dot`."""
    if len(inputs) != len(weights):
        raise ValueError(f"{len(inputs)} inputs but {len(weights)} weights")
    if nibble not in ("high", "low"):
        raise ValueError("nibble must be 'high' or 'low'")
    acc = _check_int(acc_init, ACC_BITS, "acc_init")
    for i, w in zip(inputs, weights):
        i = _check_int(i, N, "input")
        w = _check_int(w, N, "weight")
        a, b = (i >> K, w >> K) if nibble == "high" else (sext4(i), sext4(w))
        acc = saturate(acc + ((a * b) << (2 * K)))
    return _accumulate(acc, bias_terms(bias))


def output_stage(acc: int, shift: int, width: int) -> tuple[int, bool]:
    """Shift right by ``shift`` (arithmetic, 0..31) and saturate to ``width`` (4 or 8) bits.

    Returns (signed value, saturated flag)."""
    acc = _check_int(acc, ACC_BITS, "acc")
    if not 0 <= shift < ACC_BITS:
        raise ValueError(f"shift {shift} outside 0..31")
    if width not in (4, 8):
        raise ValueError(f"width must be 4 or 8, not {width}")
    v = acc >> shift
    s = saturate(v, width)
    return s, s != v


def pack_output(o8: int, value: int, width: int, low: bool = False) -> int:
    """New content of the output byte O8 (unsigned 0..255) after storing ``value``.

    8-bit results replace the byte; 4-bit results replace O_L (``low``) or O_H."""
    if width == 8:
        return value & 0xFF
    if width != 4:
        raise ValueError(f"width must be 4 or 8, not {width}")
    if low:
        return (o8 & 0xF0) | (value & 0x0F)
    return (o8 & 0x0F) | ((value & 0x0F) << 4)


def mac_cycles(n_macs: int, mode: str) -> int:
    """PE cycles of a dot product of ``n_macs`` MACs plus its bias (Table 3.9)."""
    return n_macs * CYCLES_PER_MAC[_check_mode(mode)] + BIAS_CYCLES


def reference_exact(inputs: Sequence[int], weights: Sequence[int], bias: int, mode: str,
                    half_nibble: str = "high") -> int:
    """Closed form of :func:`mac_dot` without saturation, for cross-checks.

    full: sum(I*W) + B; mixed: 16*sum(I*Wr) + B; half: 256*sum(A*Wr) + B."""
    _check_mode(mode)
    if mode == "full":
        return sum(int(i) * int(w) for i, w in zip(inputs, weights)) + int(bias)
    wr = [round_weight(w) for w in weights]
    if mode == "mixed":
        return 16 * sum(int(i) * r for i, r in zip(inputs, wr)) + int(bias)
    acts = [(int(i) >> 4) if half_nibble == "high" else sext4(int(i)) for i in inputs]
    return 256 * sum(a * r for a, r in zip(acts, wr)) + int(bias)
