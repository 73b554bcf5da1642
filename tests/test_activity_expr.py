"""Liberty Boolean expressions: parsing, truth tables, OpenSTA-style probability rules."""

from __future__ import annotations

import numpy as np
import pytest

from finevh.activity import expr as bx
from finevh.errors import InputError


def table(text: str, names: str) -> list[int]:
    e = bx.parse(text)
    return bx.truth_table(e, tuple(names.split()))[1].astype(int).tolist()


@pytest.mark.parametrize("text,names,rows", [
    ("A&B", "A B", [0, 0, 0, 1]),
    ("A*B", "A B", [0, 0, 0, 1]),
    ("A B", "A B", [0, 0, 0, 1]),
    ("(A)(B)", "A B", [0, 0, 0, 1]),
    ("A|B", "A B", [0, 1, 1, 1]),
    ("A+B", "A B", [0, 1, 1, 1]),
    ("A^B", "A B", [0, 1, 1, 0]),
    ("!A", "A", [1, 0]),
    ("A'", "A", [1, 0]),
    ("A''", "A", [0, 1]),
    ("A' B", "A B", [0, 0, 1, 0]),
    ("!(A&B)", "A B", [1, 1, 1, 0]),
    ("(!A) | (!B)", "A B", [1, 1, 1, 0]),          # sky130 nand2 Y
    ("1", "A", [1, 1]),
    ("0", "A", [0, 0]),
])
def test_truth_tables(text, names, rows):
    assert table(text, names) == rows


def test_precedence_xor_binds_tighter_than_and_and_or_loosest():
    # A | B & C ^ D  ==  A | (B & (C ^ D))   (Liberty/OpenSTA precedence)
    names = ("A", "B", "C", "D")
    got = bx.truth_table(bx.parse("A | B & C ^ D"), names)[1]
    # truth_table row r: variable k = (r >> k) & 1 -> A is the LSB
    exp = [(r & 1) | (((r >> 1) & 1) & (((r >> 2) & 1) ^ ((r >> 3) & 1))) for r in range(16)]
    assert got.astype(int).tolist() == exp


def test_real_cell_functions():
    # sky130 a21oi: Y = !((A1&A2) | B1); mux2: X = (A0&!S) | (A1&S)
    assert table("(!A1&!B1) | (!A2&!B1)", "A1 A2 B1") == [1, 1, 1, 0, 0, 0, 0, 0]
    assert table("(A0&!S) | (A1&S)", "A0 A1 S") == [0, 1, 0, 1, 0, 0, 1, 1]
    assert bx.parse("IQ").variables() == ("IQ",)
    assert bx.parse("D[3] & EN").variables() == ("D[3]", "EN")


@pytest.mark.parametrize("bad", ["A &", "(A", "A)", "", "A ? B", "2", "A | | B"])
def test_bad_expressions_raise_input_error_with_location(bad):
    with pytest.raises(InputError) as e:
        bx.parse(bad, "cells.lib", 42)
    assert str(e.value).startswith("cells.lib:42: ")


def test_duty_pairwise_rules_match_opensta():
    p = {"A": np.array([0.3]), "B": np.array([0.6])}
    assert bx.eval_duty(bx.parse("A&B"), p)[0] == pytest.approx(0.18)
    assert bx.eval_duty(bx.parse("A|B"), p)[0] == pytest.approx(1 - 0.7 * 0.4)
    assert bx.eval_duty(bx.parse("A^B"), p)[0] == pytest.approx(0.3 * 0.4 + 0.6 * 0.7)
    # OpenSTA treats repeated variables as independent: A & !A = p(1-p), not 0
    assert bx.eval_duty(bx.parse("A&!A"), p)[0] == pytest.approx(0.21)
    assert bx.exact_probability(bx.parse("A&!A"), {"A": 0.3}) == 0.0
    assert bx.exact_probability(bx.parse("A&B"), {"A": 0.3, "B": 0.6}) == pytest.approx(0.18)


def test_activity_rules_vectorised():
    env = {"A": (np.array([0.1, 0.4]), np.array([0.5, 0.2])),
           "B": (np.array([0.1, 0.3]), np.array([0.5, 0.9]))}
    d, p = bx.eval_activity(bx.parse("!(A&B)"), env)
    np.testing.assert_allclose(p, [1 - 0.25, 1 - 0.18])
    np.testing.assert_allclose(d, [0.1 * 0.5 + 0.1 * 0.5, 0.4 * 0.9 + 0.3 * 0.2])
    d, p = bx.eval_activity(bx.parse("A^B"), env)
    w1 = np.array([0.25, 0.2 * 0.1])
    w2 = np.array([0.25, 0.9 * 0.8])
    np.testing.assert_allclose(d, np.array([0.1, 0.4]) * w1 + np.array([0.1, 0.3]) * w2)
    np.testing.assert_allclose(p, w1 + w2)
