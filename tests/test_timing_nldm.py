"""NLDM look-up rules (bilinear, extrapolation, 1-D, scalar, axis order) and arcs."""

from __future__ import annotations

import numpy as np
import pytest

from finevh.liberty.model import Cell, Pin, Table, TimingArc
from finevh.timing.arcs import FALL, RISE, cell_timing, function_sense
from finevh.timing.nldm import UnsupportedAxis, TablePackBuilder, lookup, lookup_one, lookup_pair

SLEW = np.array([0.1, 0.3, 0.9])
CAP = np.array([0.01, 0.05])
VALS = np.array([[1.0, 2.0], [3.0, 5.0], [4.0, 9.0]])   # [slew, cap]
T2 = Table(("input_net_transition", "total_output_net_capacitance"), (SLEW, CAP), VALS)


def bilinear(s, c):
    i = 0 if s <= SLEW[0] else (1 if s >= SLEW[-1] else int(np.searchsorted(SLEW, s, "right") - 1))
    i = min(i, 1)
    j = 0
    ws = (s - SLEW[i]) / (SLEW[i + 1] - SLEW[i])
    wc = (c - CAP[j]) / (CAP[j + 1] - CAP[j])
    return ((1 - ws) * (1 - wc) * VALS[i, j] + ws * (1 - wc) * VALS[i + 1, j]
            + ws * wc * VALS[i + 1, j + 1] + (1 - ws) * wc * VALS[i, j + 1])


@pytest.mark.parametrize("s,c", [(0.1, 0.01), (0.3, 0.05), (0.2, 0.03), (0.5, 0.02),
                                 (0.05, 0.0), (2.0, 0.2), (0.9, 0.05), (-0.1, 0.03)])
def test_bilinear_and_extrapolation(s, c):
    assert lookup_one(T2, s, c) == pytest.approx(bilinear(s, c), abs=1e-12)


def test_known_values():
    # inside: middle of the first cell -> mean of the four corners
    assert lookup_one(T2, 0.2, 0.03) == pytest.approx((1 + 2 + 3 + 5) / 4)
    # beyond the last slew point: linear extrapolation of the last segment, not a clamp
    assert lookup_one(T2, 1.5, 0.01) == pytest.approx(4.0 + (1.5 - 0.9) / 0.6 * 1.0)
    # below the first cap point
    assert lookup_one(T2, 0.1, 0.0) == pytest.approx(1.0 - 0.01 / 0.04 * 1.0)


def test_axis_order_by_variable_name():
    swapped = Table(("total_output_net_capacitance", "input_net_transition"), (CAP, SLEW), VALS.T.copy())
    for s, c in [(0.2, 0.03), (1.2, 0.07), (0.0, 0.0)]:
        assert lookup_one(swapped, s, c) == pytest.approx(lookup_one(T2, s, c), abs=1e-12)


def test_one_d_scalar_and_single_point_axes():
    t1 = Table(("total_output_net_capacitance",), (CAP,), np.array([2.0, 4.0]))
    assert lookup_one(t1, 123.0, 0.03) == pytest.approx(3.0)       # slew ignored
    assert lookup_one(t1, 0.0, 0.09) == pytest.approx(6.0)         # extrapolated
    t0 = Table((), (), np.array(0.7))
    assert lookup_one(t0, 5.0, 5.0) == pytest.approx(0.7)
    single = Table(("input_net_transition", "total_output_net_capacitance"), (np.array([0.2]), CAP),
                   np.array([[1.0, 3.0]]))
    assert lookup_one(single, 9.0, 0.03) == pytest.approx(2.0)


def test_vectorised_many_tables_match_scalar():
    rng = np.random.default_rng(0)
    b = TablePackBuilder()
    tabs = []
    for k in range(20):
        n1, n2 = rng.integers(1, 7), rng.integers(1, 7)
        ax1 = np.sort(rng.uniform(0, 1, n1)) + np.arange(n1) * 1e-3
        ax2 = np.sort(rng.uniform(0, 1, n2)) + np.arange(n2) * 1e-3
        t = Table(("input_net_transition", "total_output_net_capacitance"), (ax1, ax2), rng.normal(size=(n1, n2)))
        tabs.append((b.add(t), t))
    pack = b.build()
    rows = np.array([r for r, _ in tabs] * 5)
    q0 = rng.uniform(-0.5, 1.5, len(rows))
    q1 = rng.uniform(-0.5, 1.5, len(rows))
    got = lookup(pack, rows, q0, q1)
    ref = [lookup_one(tabs[k % 20][1], a, c) for k, (a, c) in enumerate(zip(q0, q1))]
    np.testing.assert_allclose(got, ref, atol=1e-12)


def test_few_grids_and_pairs_match_row_by_row():
    """A pack of a few grids (the usual library: tables share their templates) is searched
    per grid; the result equals the row-by-row evaluation, for single and paired
    look-ups, with a majority grid, minority grids, 1-D and scalar tables."""
    rng = np.random.default_rng(3)
    grids = [(np.array([0.01, 0.05, 0.2, 0.8]), np.array([0.001, 0.01, 0.05])),
             (np.array([0.02, 0.1, 0.5]), np.array([0.002, 0.02, 0.08, 0.3])),
             (np.array([0.1]), np.array([0.003, 0.03]))]
    b = TablePackBuilder()
    tabs = []
    for k in range(12):
        ax1, ax2 = grids[k % 3]
        t = Table(("input_net_transition", "total_output_net_capacitance"), (ax1, ax2),
                  rng.normal(size=(len(ax1), len(ax2))))
        tabs.append((b.add(t), t))
    one_d = Table(("total_output_net_capacitance",), (CAP,), np.array([0.5, 4.0]))
    scalar = Table((), (), np.array(0.25))
    tabs += [(b.add(one_d), one_d), (b.add(scalar), scalar)]
    pack = b.build()
    pick = rng.choice(len(tabs), 3000, p=np.r_[[0.6] + [0.3 / 11] * 11, [0.05, 0.05]])
    rows = np.array([tabs[k][0] for k in pick])
    q0 = rng.uniform(-0.2, 1.5, len(rows))
    q1 = rng.uniform(-0.05, 0.6, len(rows))
    got = lookup(pack, rows, q0, q1)
    ref = np.array([lookup_one(tabs[k][1], a, c) for k, a, c in zip(pick, q0, q1)])
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-12)
    other = np.roll(rows, 7)        # paired tables of the same or another grid
    da, db = lookup_pair(pack, rows, other, q0, q1)
    np.testing.assert_array_equal(da, got)
    np.testing.assert_array_equal(db, lookup(pack, other, q0, q1))


def test_unsupported_axis():
    bad = Table(("related_out_total_output_net_capacitance",), (CAP,), np.array([1.0, 2.0]))
    with pytest.raises(UnsupportedAxis):
        TablePackBuilder().add(bad)


def test_function_sense_and_edges():
    assert function_sense("!(A&B)", "A", ["A", "B"]) == "negative_unate"
    assert function_sense("(A B)+C", "C", ["A", "B", "C"]) == "positive_unate"
    assert function_sense("A^B", "A", ["A", "B"]) == "non_unate"
    arc = TimingArc("A", "combinational", "non_unate", cell_rise=T2, cell_fall=T2,
                    rise_transition=T2, fall_transition=T2)
    cell = Cell("NAND", "lib", pins={"A": Pin("A", "input", 0.01), "B": Pin("B", "input", 0.02),
                                     "Y": Pin("Y", "output", function="!(A B)", timing=[arc])})
    ct = cell_timing(cell)
    # non_unate without a real reason: sense derived from the function -> 2 edges
    assert sorted((e.in_rf, e.out_rf) for e in ct.edges) == [(RISE, FALL), (FALL, RISE)]
    assert ct.pin_cap["B"] == (0.02, 0.02)
