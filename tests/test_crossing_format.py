"""Supply-crossing tables (finevh.tech.crossing): round trip, located errors, and the
timer hook (finevh.timing.crossing) on a two-inverter design: off by default, adds the
table's difference on the crossing edge only."""

from __future__ import annotations

import numpy as np
import pytest

from finevh.errors import InputError
from finevh.tech.crossing import CrossingArc, CrossingTables, crossing_text, parse_crossing

GOOD = """# test
finevh-crossing 1
technology t
flavour F
pair 1.40 1.76
slews 0.01 0.1
loads 0.001 0.01
arc INV A Y
LH rise delay 0.01 0.02 0.03 0.04
LH rise slew 0.001 0.002 0.003 0.004
LH fall delay -0.01 -0.02 -0.03 -0.04
LH fall slew 0 0 0 0
HL rise delay -0.01 -0.01 -0.01 -0.01
HL rise slew 0 0 0 0
HL fall delay 0.005 0.005 0.005 0.005
HL fall slew 0 0 0 0
"""


def test_round_trip():
    ct = parse_crossing(GOOD, "g.crossing")
    arc = ct.arcs(None, 1.4, 1.76)[("INV", "A", "Y")]
    assert arc.delta.shape == (2, 2, 2, 2, 2)
    assert arc.delta[0, 0, 0].tolist() == [[0.01, 0.02], [0.03, 0.04]]
    assert arc.delta[1, 1, 0, 1, 1] == 0.005
    again = parse_crossing(crossing_text(ct), "x")
    assert np.array_equal(again.arcs("F", 1.4, 1.76)[("INV", "A", "Y")].delta, arc.delta)
    assert ct.arcs("G", 1.4, 1.76) == {} and ct.pairs() == [(1.4, 1.76)]


@pytest.mark.parametrize("edit, line, msg", [
    (("finevh-crossing 1", "finevh-crossing 2"), 2, "unsupported version"),
    (("pair 1.40 1.76", "pair 1.76 1.40"), 5, "0 < VddL < VddH"),
    (("slews 0.01 0.1", "slews 0.1 0.01"), 6, "strictly increasing"),
    (("loads 0.001 0.01", "loads 0.001 nan"), 7, "finite"),
    (("LH rise slew 0.001 0.002 0.003 0.004", "LH rise slew 0.001 0.002 0.003"), 10, "expected 4 values"),
    (("LH fall slew 0 0 0 0", "LH fall slew 0 0 inf 0"), 12, "finite"),
    (("HL fall slew 0 0 0 0", "HL fall delay 0 0 0 0"), 16, "duplicate row"),
    (("HL rise slew 0 0 0 0\n", ""), 8, "missing row HL rise slew"),
    (("arc INV A Y", "arc INV A"), 8, "expected 'arc"),
    (("technology t", "tech t"), 3, "unknown record"),
])
def test_errors_are_located(edit, line, msg):
    with pytest.raises(InputError) as ei:
        parse_crossing(GOOD.replace(*edit), "bad.crossing")
    assert ei.value.line == line and msg in str(ei.value)


def test_timer_hook_off_by_default_and_on_the_crossing_edge_only(shared_data, tmp_path):
    """inv u0 at VddH drives inv u1 at VddL (one HL crossing): enabling adds the table's
    HL difference to u1's arcs; u0 (driven by a port) is untouched; disabling restores."""
    from finevh.loader import load_design
    from finevh.timing import crossing
    from finevh.timing.binding import bind_voltage
    from finevh.timing.constraints import TerminalNames, read_constraints
    from finevh.timing.engine import Timer

    L = shared_data / "liberty" / "sky130_fd_sc_hd"
    inv = "sky130_fd_sc_hd__inv_1"
    (tmp_path / "c.v").write_text(f"module c (a, y); input a; output y; wire n;\n {inv} u0 (.A(a), .Y(n));\n"
                                  f" {inv} u1 (.A(n), .Y(y));\nendmodule\n")
    (tmp_path / "c.sdc").write_text("create_clock -name v -period 20\nset_input_delay 0 -clock v [get_ports a]\n"
                                    "set_output_delay 0 -clock v [get_ports y]\nset_input_transition 0.05 [get_ports a]\n")
    d = load_design([str(L / "sky130_fd_sc_hd__ss_n40C_1v76.lib.gz"), str(L / "sky130_fd_sc_hd__ss_n40C_1v40.lib.gz")],
                    str(tmp_path / "c.v"))
    bind_voltage(d, [1], 1.40)
    tm = Timer(d, read_constraints(str(tmp_path / "c.sdc"), d, d.libset))
    y = TerminalNames(d).pin("u1/Y")

    def arrival(r):
        a = r.arrival[:, y, :]
        return np.where(np.isfinite(a), a, -np.inf).max(axis=0)

    base = arrival(tm.update(incremental=False))
    assert tm.dcalc.crossing is None
    delta = np.zeros((2, 2, 2, 1, 1))
    delta[1, 0, 0] = 0.030       # HL, input rise: +30 ps
    delta[1, 1, 0] = -0.010      # HL, input fall: -10 ps
    arcs = {(inv, "A", "Y"): CrossingArc(np.array([0.1]), np.array([0.01]), delta)}
    adj = crossing.enable(tm, arcs, np.array([1.76, 1.40]), 1.40, 1.76)
    assert adj.crossing_edges == 2 and adj.missing == 0
    got = arrival(tm.update(incremental=False))
    # output fall of u1 comes from its input rise (+30 ps), output rise from its fall (-10 ps)
    assert got[1] - base[1] == pytest.approx(0.030, abs=1e-9)
    assert got[0] - base[0] == pytest.approx(-0.010, abs=1e-9)
    crossing.disable(tm)
    assert np.array_equal(arrival(tm.update(incremental=False)), base)
    # the same map with no table for the cell: counted as missing, nothing changes
    adj = crossing.enable(tm, {}, np.array([1.76, 1.40]), 1.40, 1.76)
    assert adj.crossing_edges == 0 and adj.missing == 2
    assert np.array_equal(arrival(tm.update(incremental=False)), base)
