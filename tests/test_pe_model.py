"""Unit tests of the PE golden model (finevh.accel.pe) with hand-computed numbers."""

from __future__ import annotations

import random

import pytest

from finevh.accel import pe


def test_split_halves():
    assert pe.split(0x5A) == (5, 10)
    assert pe.split(-1) == (-1, 15)          # 0xFF
    assert pe.split(-128) == (-8, 0)         # 0x80
    assert pe.split(127) == (7, 15)
    assert pe.split(-100) == (-7, 12)        # -100 = -112 + 12
    with pytest.raises(ValueError):
        pe.split(128)


@pytest.mark.parametrize("w,r", [
    (0, 0), (7, 0), (8, 0), (9, 1),           # 0.5 ties to even 0
    (24, 2), (40, 2), (56, 4), (25, 2), (23, 1),  # 1.5 -> 2, 2.5 -> 2, 3.5 -> 4
    (-8, 0), (-24, -2), (-40, -2), (-9, -1), (-7, 0),  # -0.5 -> 0, -1.5 -> -2, -2.5 -> -2
    (119, 7), (120, 7), (127, 7),             # 7.4375, 7.5 -> 8 saturates, 7.94 -> 7
    (-128, -8), (-120, -8), (-121, -8), (-119, -7),  # -7.5 ties to -8
])
def test_round_weight_half_even(w, r):
    assert pe.round_weight(w) == r


def test_round_weight_matches_float_half_even():
    # Python's round() is half-to-even: the rule equals clip(round(w / 16), -8, 7)
    for w in range(-128, 128):
        assert pe.round_weight(w) == max(-8, min(7, round(w / 16)))


def test_partial_products_full_sum_to_product():
    for i in (-128, -77, -1, 0, 5, 127):
        for w in (-128, -3, 0, 100, 127):
            assert sum(pe.partial_products(i, w, "full")) == i * w


def test_mac_dot_hand_numbers():
    # full: 3*5 + (-2)*7 + 1000 = 1001
    assert pe.mac_dot([3, -2], [5, 7], 1000, "full") == 1001
    # mixed: W = 40 -> 2 (2.5 ties to even), W = -24 -> -2; 16*(3*2 + 17*-2) + 7 = -441
    assert pe.mac_dot([3, 17], [40, -24], 7, "mixed") == 16 * (6 - 34) + 7 == -441
    # half: I = 0x35 -> I_H = 3, W = 100 -> 6 (6.25); 256*18 - 1 = 4607
    assert pe.mac_dot([0x35], [100], -1, "half") == 4607
    # half, low nibble: I = 0x3D -> sext(0xD) = -3; 256*(-3*6) = -4608
    assert pe.mac_dot([0x3D], [100], 0, "half", half_nibble="low") == -4608
    # extremes: (-128)*(-128) = 16384; mixed: -128 * -8 * 16 = 16384; half: -8*-8*256
    for m in pe.MODES:
        assert pe.mac_dot([-128], [-128], 0, m) == 16384
    # 127 * 127 = 16129 (full); mixed 127 * 7 * 16 = 14224; half 7*7*256 = 12544
    assert [pe.mac_dot([127], [127], 0, m) for m in pe.MODES] == [16129, 14224, 12544]


def test_bias_split_and_sign():
    assert pe.bias_terms(-1) == [255, -256]
    assert pe.bias_terms(0x1234) == [0x34, 0x1200]
    assert pe.bias_terms(-32768) == [0, -32768]
    for m in pe.MODES:
        assert pe.mac_dot([], [], -12345, m) == -12345


def test_saturation_both_rails_and_order():
    top, bot = pe.ACC_MAX, pe.ACC_MIN
    assert pe.mac_dot([127], [127], 32767, "full", acc_init=top - 10) == top
    assert pe.mac_dot([-128], [127], -32768, "full", acc_init=bot + 10) == bot
    # saturation happens per addition: top - 100 + 16129 saturates, then -16256 and bias 0
    assert pe.mac_dot([127, -128], [127, 127], 0, "full", acc_init=top - 100) == top - 16256
    # without the clamp it would be top - 100 + 16129 - 16256 = top - 227
    assert pe.reference_exact([127, -128], [127, 127], 0, "full") + top - 100 == top - 227


def test_mac_dot_random_equals_closed_form():
    rng = random.Random(7)
    for _ in range(300):
        n = rng.randint(0, 30)
        a = [rng.randint(-128, 127) for _ in range(n)]
        b = [rng.randint(-128, 127) for _ in range(n)]
        bias = rng.randint(-32768, 32767)
        for m in pe.MODES:
            assert pe.mac_dot(a, b, bias, m) == pe.reference_exact(a, b, bias, m)


def test_baseline_model():
    # 0x35 * 0x6A: high nibbles 3 * 6, low nibbles 5 * -6
    assert pe.baseline_mac_dot([0x35], [0x6A], 0) == 18 * 256
    assert pe.baseline_mac_dot([0x35], [0x6A], 9, nibble="low") == -30 * 256 + 9


def test_output_stage_and_packing():
    assert pe.output_stage(1000, 4, 8) == (62, False)       # 1000 >> 4 = 62
    assert pe.output_stage(1000, 2, 8) == (127, True)       # 250 saturates
    assert pe.output_stage(-1000, 2, 8) == (-128, True)
    assert pe.output_stage(-1000, 7, 4) == (-8, False)      # floor(-7.8) = -8 fits
    assert pe.output_stage(-1000, 6, 4) == (-8, True)       # -16 saturates
    assert pe.output_stage(-1, 31, 4) == (-1, False)
    assert pe.output_stage(100, 4, 4) == (6, False)
    o = pe.pack_output(0x00, 6, 4, low=False)
    assert o == 0x60
    o = pe.pack_output(o, -3, 4, low=True)
    assert o == 0x6D
    assert pe.pack_output(o, -2, 8) == 0xFE


def test_cycles_table_3_9():
    assert pe.CYCLES_PER_MAC == {"full": 4, "mixed": 2, "half": 1}
    assert pe.mac_cycles(10, "mixed") == 22


def test_bad_arguments():
    with pytest.raises(ValueError):
        pe.mac_dot([1], [1, 2], 0, "full")
    with pytest.raises(ValueError):
        pe.mac_dot([1], [1], 0, "quarter")
    with pytest.raises(ValueError):
        pe.mac_dot([1], [1], 40000, "full")
    with pytest.raises(ValueError):
        pe.output_stage(0, 3, 5)
