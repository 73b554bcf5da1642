"""Clock-gating checks inferred like OpenSTA 3.x (finevh/timing/gating.py), against OpenSTA 3.1.

A small sky130 netlist gates one clock five ways: an AND with the enable from a rising
flop (the textbook hold violation), an OR with the enable from a falling flop, a NAND
with the enable from a transparent-low latch (an ICG: its output clocks a flop
through a buffer), an ``and2b`` whose clock operand is inverted (active low), and an
``a21o`` where the clock is the OR operand and two enables share the AND term. Both
tools must give the same endpoint set and every setup and hold slack within 1 ps, with
an ideal clock (latency, uncertainty), a propagated one (the gated clocks' latencies
and slews, the enables' slews included), and ``set_clock_gating_check`` margins with
``-high``/``-low`` overrides. The ibex pair of the ORFS table (OpenROAD's ibex netlist,
whose core clock goes through an and2 whose enable is a latch) is in
tests/test_timing_exceptions_orfs.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import opensta
from conftest import SHARED, need
from test_timing_clocks import compare, make_design, ours, reference

from finevh.activity.expr import parse
from finevh.errors import InputError
from finevh.timing.constraints import Clock, read_constraints
from finevh.timing.engine import Timer
from finevh.timing.gating import gated_hold_capture, gating_function

SKY = SHARED / "data/liberty/sky130_fd_sc_hd/sky130_fd_sc_hd__tt_025C_1v80.lib.gz"

GATED = """module cg(clk, en_a, en_b, en_c, en_d, d, rst_n, y1, y2, y3, y4, y5);
input clk, en_a, en_b, en_c, en_d, d, rst_n;
output y1, y2, y3, y4, y5;
wire ck_and_b, ea, eb, el, ec, ck_and, ck_or, ck_nand, ck_ab, ck_ao, ckb, ckbuf;
sky130_fd_sc_hd__clkbuf_1 cb (.A(clk), .X(ckbuf));
sky130_fd_sc_hd__dfxtp_1 rea (.CLK(ckbuf), .D(en_a), .Q(ea));
sky130_fd_sc_hd__dfrtn_1 reb (.CLK_N(ckbuf), .D(en_b), .RESET_B(rst_n), .Q(eb));
sky130_fd_sc_hd__dlxtn_1 lat (.GATE_N(ckbuf), .D(en_c), .Q(el));
sky130_fd_sc_hd__and2_1 gand (.A(ckbuf), .B(ea), .X(ck_and));
sky130_fd_sc_hd__or2_1 gor (.A(eb), .B(ckbuf), .X(ck_or));
sky130_fd_sc_hd__nand2_1 gnand (.A(el), .B(ckbuf), .Y(ck_nand));
sky130_fd_sc_hd__and2b_1 gab (.A_N(ckbuf), .B(ec), .X(ck_ab));
sky130_fd_sc_hd__a21o_1 gao (.A1(en_d), .A2(ea), .B1(ckbuf), .X(ck_ao));
sky130_fd_sc_hd__clkinv_1 ci (.A(ckbuf), .Y(ckb));
sky130_fd_sc_hd__dfxtp_1 rec (.CLK(ckb), .D(en_c), .Q(ec));
sky130_fd_sc_hd__clkbuf_2 cb2 (.A(ck_and), .X(ck_and_b));
sky130_fd_sc_hd__dfxtp_1 r1 (.CLK(ck_and_b), .D(d), .Q(y1));
sky130_fd_sc_hd__dfxtp_1 r2 (.CLK(ck_or), .D(d), .Q(y2));
sky130_fd_sc_hd__dfxtp_1 r3 (.CLK(ck_nand), .D(d), .Q(y3));
sky130_fd_sc_hd__dfxtp_1 r4 (.CLK(ck_ab), .D(d), .Q(y4));
sky130_fd_sc_hd__dfxtp_1 r5 (.CLK(ck_ao), .D(d), .Q(y5));
endmodule
"""

BASE = """create_clock -name clk -period 4 -waveform {0 1.5} [get_ports clk]
set_input_delay 0.5 -clock clk [get_ports {en_a en_b en_c en_d d rst_n}]
set_output_delay 0.5 -clock clk [get_ports {y1 y2 y3 y4 y5}]
set_input_transition 0.1 [all_inputs]
"""
CASES = {
    "ideal": "set_clock_latency 0.3 [get_clocks clk]\nset_clock_uncertainty -setup 0.07 [get_clocks clk]\n"
             "set_clock_uncertainty -hold 0.02 [get_clocks clk]\n",
    "propagated": "set_propagated_clock [all_clocks]\nset_load 0.01 [all_outputs]\n",
    "margins": "set_propagated_clock [all_clocks]\n"
               "set_clock_gating_check -setup 0.1 -hold 0.05\n"
               "set_clock_gating_check -setup 0.2 [get_cells gor]\n"
               "set_clock_gating_check -rise -setup 0.3 [get_pins gand/B]\n"
               "set_clock_gating_check -hold 0.15 [get_clocks clk]\n"
               "set_clock_gating_check -setup 0.12 -high [get_pins gab/B]\n"
               "set_clock_gating_check -hold 0.07 -low [get_cells gnand]\n",
}
ENABLES = {"gand/B", "gor/A", "gnand/A", "gab/B", "gao/A1", "gao/A2"}


@pytest.fixture(scope="module")
def gated(tmp_path_factory):
    need(SKY.is_file(), str(SKY))
    work = tmp_path_factory.mktemp("gating")
    v = work / "cg.v"
    v.write_text(GATED)
    lib = opensta.prepare_liberty(SKY, work)
    return work, v, lib, make_design(v, [lib], top="cg")


@pytest.mark.parametrize("case", list(CASES))
def test_gated_clocks_like_opensta3(sta3, gated, case):
    work, v, lib, d = gated
    sdc = work / f"cg_{case}.sdc"
    sdc.write_text(BASE + CASES[case])
    ref_s, ref_h = reference(Path(sta3), work, [lib], v, "cg", sdc)
    my_s, my_h = ours(d, sdc)
    compare(my_s, ref_s, 21)
    compare(my_h, ref_h, 21)
    # every enable is a gating endpoint of both tools, and nothing else is
    assert ENABLES <= set(ref_s) and ENABLES <= set(ref_h)
    r = Timer(d, read_constraints(sdc, d, d.libset), hold=True).update()
    kinds = {e.name: e.kind for e in r.endpoints} | {e.name + "@h": e.kind for e in r.hold.endpoints}
    assert {k for k, v in kinds.items() if v == "gating_setup"} == ENABLES
    assert {k[:-2] for k, v in kinds.items() if v == "gating_hold"} == ENABLES
    # the AND gate's enable launched by a rising flop changes while the clock is high
    assert ref_h["gand/B"] < -1.0 and abs(my_h["gand/B"] - ref_h["gand/B"]) <= 1e-3


def test_disable_inferred_clock_gating_like_opensta3(sta3, gated):
    """``set_disable_inferred_clock_gating`` on a gate instance and an enable pin drops
    their checks; on a gate's clock pin it leaves that gate without a check."""
    work, v, lib, d = gated
    sdc = work / "cg_off.sdc"
    sdc.write_text(BASE + CASES["propagated"] + "set_disable_inferred_clock_gating [get_cells gand]\n"
                   "set_disable_inferred_clock_gating [get_pins gor/A]\n"
                   "set_disable_inferred_clock_gating [get_pins gnand/B]\n")
    ref_s, ref_h = reference(Path(sta3), work, [lib], v, "cg", sdc)
    my_s, my_h = ours(d, sdc)
    compare(my_s, ref_s, 18)
    compare(my_h, ref_h, 18)
    assert ENABLES & set(my_s) == ENABLES & set(my_h) == {"gab/B", "gao/A1", "gao/A2"}


def test_gating_margins_move_only_the_gating_checks(gated):
    """set_clock_gating_check changes the gating slacks by its margins, nothing else;
    -high on an and2b (active low by its function) moves its checks to the other edges."""
    work, _, _, d = gated
    plain, marg = work / "m0.sdc", work / "m1.sdc"
    plain.write_text(BASE + "set_propagated_clock [all_clocks]\n")
    marg.write_text(BASE + CASES["margins"])
    s0, h0 = ours(d, plain)
    s1, h1 = ours(d, marg)
    assert {k for k in s0 if abs(s0[k] - s1[k]) > 1e-9} <= ENABLES
    assert {k for k in h0 if abs(h0[k] - h1[k]) > 1e-9} <= ENABLES
    assert s0["gor/A"] - s1["gor/A"] == pytest.approx(0.2)          # instance over design
    assert s0["gao/A1"] - s1["gao/A1"] == pytest.approx(0.1)        # design
    assert h0["gao/A1"] - h1["gao/A1"] == pytest.approx(0.15)       # clock over design
    assert h0["gnand/A"] - h1["gnand/A"] != pytest.approx(0.07)     # -low: other edges
    assert abs(s0["gab/B"] - s1["gab/B"]) > 1.0                     # -high: other edges


@pytest.mark.parametrize("fn,enable,clock,active", [
    ("(A&B)", "B", "A", 1), ("!(A&B)", "A", "B", 1), ("(A|B)", "A", "B", 0), ("!(A|B)", "B", "A", 0),
    ("(!A_N&B)", "B", "A_N", 0), ("(A1&A2) | (B1)", "A1", "B1", 0), ("(A1&A2) | (B1)", "B1", "A1", None),
    ("(A&B&C)", "C", "A", 1), ("(A^B)", "B", "A", None), ("(A0&!S) | (A1&S)", "S", "A0", None),
])
def test_gating_function_senses(fn, enable, clock, active):
    """Which functions gate a clock and at which active level (OpenSTA's
    isClkGatingFunc): AND-like 1, OR-like 0, swapped by an inverted clock operand;
    XOR, a mux, or a clock inside a product term do not gate."""
    assert gating_function(parse(fn), enable, clock) == active


def test_gated_hold_edges():
    """Gated-clock hold accounting (OpenSTA's CycleAccting): the target edge whose
    opposite edge is the latest at or before the launch."""
    c = Clock("c", 4.0, 0.0, 1.5)
    assert gated_hold_capture(c, 0, c, 1) == pytest.approx(1.5)    # AND, launch at rise: this pulse's fall
    assert gated_hold_capture(c, 1, c, 1) == pytest.approx(1.5)    # AND, latch opening at fall
    assert gated_hold_capture(c, 0, c, 0) == pytest.approx(-4.0)   # OR, launch at rise: previous rise
    assert gated_hold_capture(c, 1, c, 0) == pytest.approx(0.0)    # OR, launch at fall


@pytest.mark.parametrize("cmd,msg", [
    ("set_clock_gating_check [get_pins gand/B]", "missing -setup or -hold"),
    ("set_clock_gating_check -setup 0.1 -high -low [get_pins gand/B]", "both -high and -low"),
    ("set_clock_gating_check -setup 0.1 -high [get_clocks clk]", "only permitted for pins and instances"),
    ("set_clock_gating_check -setup 0.1 -low", "only permitted for pins and instances"),
])
def test_clock_gating_check_errors(gated, cmd, msg):
    work, _, _, d = gated
    sdc = work / "bad.sdc"
    sdc.write_text(BASE + cmd + "\n")
    with pytest.raises(InputError, match=msg) as e:
        read_constraints(sdc, d, d.libset)
    assert e.value.line == 5


def test_no_gating_without_a_gate(gated):
    """The register endpoints of a design without clock gates keep their kinds."""
    work, _, lib, _ = gated
    v = work / "plain.v"
    v.write_text("module p(clk, a, y);\ninput clk, a;\noutput y;\nwire q;\n"
                 "sky130_fd_sc_hd__dfxtp_1 r (.CLK(clk), .D(a), .Q(q));\n"
                 "sky130_fd_sc_hd__and2_1 g (.A(q), .B(a), .X(y));\nendmodule\n")
    d = make_design(v, [lib], top="p")
    sdc = work / "p.sdc"
    sdc.write_text("create_clock -period 2 [get_ports clk]\nset_input_delay 0.2 -clock clk [get_ports a]\n"
                   "set_output_delay 0.2 -clock clk [get_ports y]\n")
    t = Timer(d, read_constraints(sdc, d, d.libset), hold=True)
    r = t.update()
    assert len(t.gating) == 0 and not len(t._gate_edges)
    assert {e.kind for e in r.endpoints} == {"setup", "output"}
    assert np.isfinite(r.table.slack).all()


def test_gated_incremental_retiming_equals_full_pass(tmp_path):
    """Re-binding gates, enables and registers to another supply (sky130 ss 1.28 / 1.76 V):
    with a propagated clock through the gates (whose slews depend on the enables), an
    incremental re-timing gives exactly a full pass and a fresh timer, setup and hold."""
    from finevh.timing.binding import bind_voltage

    libs = [Path(str(SKY).replace("tt_025C_1v80", c)) for c in ("ss_n40C_1v76", "ss_n40C_1v28")]
    for p in libs:
        need(p.is_file(), str(p))
    v = tmp_path / "cg.v"
    v.write_text(GATED)
    d = make_design(v, libs, top="cg")
    sdc = tmp_path / "cg.sdc"
    sdc.write_text(BASE + CASES["propagated"])
    tc = read_constraints(sdc, d, d.libset)
    t = Timer(d, tc, hold=True)
    first = t.update()
    names = d.netlist.inst_names
    rounds = [["gand", "rea"], ["gnand", "lat", "cb2"], ["cb", "gor", "r1", "reb"]]
    for sel in rounds:
        bind_voltage(d, np.array([names.index(n) for n in sel], dtype=np.int64), 1.28)
        inc = t.update()
        full = t.update(incremental=False)
        fresh = Timer(d, tc, hold=True).update()
        for r in (full, fresh):
            np.testing.assert_allclose(inc.table.slack, r.table.slack, rtol=0, atol=1e-12)
            np.testing.assert_allclose(inc.hold.table.slack, r.hold.table.slack, rtol=0, atol=1e-12)
    assert not np.allclose(first.hold.table.slack, inc.hold.table.slack)
    assert {e.name for e in inc.endpoints if e.kind == "gating_setup"} == ENABLES
