"""SDC path exceptions and timing modes against OpenSTA 3.x: set_false_path,
set_multicycle_path, set_max_delay / set_min_delay with -from / -through / -to (pins,
ports, nets, cells, clocks, rise/fall variants), priorities between them, unclocked
inputs constrained by a path delay, -ignore_clock_latency, two clocks with -start / -end
and clock groups; set_disable_timing, set_case_analysis, set_timing_derate.

Every case: same netlist, Liberty and SDC on both sides; every endpoint's setup and hold
slack within 1 ps, same endpoint sets, and the exception must change the reference's
slacks (a case the exception does not touch proves nothing).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import opensta
import test_timing_clocks as tclk
from conftest import need

#: OpenROAD's gcd on sky130hd (critical path _414_/CLK -> _214_ -> ... _219_/X (net _057_)
#: -> _222_ -> _228_ -> _231_/Y (falling) -> _292_/X -> ... -> _424_/D and _439_/D)
BASE = ("create_clock -name core_clock -period 2.0 [get_ports clk]\n"
        "set_input_delay 0.4 -clock core_clock [get_ports {req_val reset resp_rdy req_msg*}]\n"
        "set_output_delay 0.4 -clock core_clock [all_outputs]\nset_input_transition 0.08 [all_inputs]\n")
#: no input delays: inputs start unclocked paths (the ORFS asap7 platform style)
UNCLOCKED = ("create_clock -name core_clock -period 2.0 [get_ports clk]\nset_clock_latency 0.15 [get_clocks core_clock]\n"
             "set_input_transition 0.08 [all_inputs]\n")
CASES = {
    "false_from_cell": (BASE, "set_false_path -from [get_cells _411_]\n"),
    "false_through_pin": (BASE, "set_false_path -through [get_pins _292_/X]\n"),
    "false_through_net": (BASE, "set_false_path -through [get_nets _057_]\n"),
    "false_setup_through_cell": (BASE, "set_false_path -setup -through [get_cells _228_]\n"),
    "false_from_to": (BASE, "set_false_path -from [get_cells _414_] -to [get_cells _424_]\n"),
    "false_from_through_to": (BASE, "set_false_path -from [get_pins _414_/CLK] -through [get_pins _292_/X] "
                                    "-to [get_pins _439_/D]\n"),
    "false_fall_through": (BASE, "set_false_path -fall_through [get_pins _231_/Y]\n"
                                 "set_false_path -hold -fall_through [get_pins _214_/Y]\n"),
    "false_rise_to_clock": (BASE, "set_false_path -from [get_cells _414_] -rise_to [get_clocks core_clock]\n"),
    "false_two_throughs": (BASE, "set_false_path -through [get_pins _214_/A] -through [get_pins _219_/X]\n"
                                 "set_multicycle_path 2 -rise_through [get_pins _222_/Y]\n"),
    "multicycle_setup_to": (BASE, "set_multicycle_path 2 -setup -to [get_cells {_41*_}]\n"),
    "multicycle_through": (BASE, "set_multicycle_path 2 -setup -through [get_pins _219_/X]\n"
                                 "set_multicycle_path 1 -hold -through [get_pins _219_/X]\n"),
    "multicycle_both": (BASE, "set_multicycle_path 3 -through [get_nets _057_]\n"),
    "multicycle_hold_end": (BASE, "set_multicycle_path 3 -setup -from [get_cells _414_]\n"
                                  "set_multicycle_path 1 -hold -end -from [get_cells _414_]\n"),
    "max_delay_from_to": (BASE, "set_max_delay 3.0 -from [get_cells _414_]\nset_max_delay 1.0 -to [get_cells _424_]\n"),
    "min_max_delay_ports": (BASE, "set_max_delay 0.5 -from [get_ports req_msg*]\n"
                                  "set_min_delay 0.9 -from [get_ports req_msg*]\n"),
    "max_delay_ignore_latency": (BASE, "set_max_delay 1.5 -ignore_clock_latency -from [all_registers] "
                                       "-to [all_outputs]\n"),
    "min_delay_to": (BASE, "set_min_delay 0.3 -to [get_cells _42*_]\n"),
    "priorities": (BASE, "set_multicycle_path 2 -setup -to [get_cells {_42*_}]\n"
                         "set_max_delay 1.0 -from [get_cells _414_]\n"
                         "set_false_path -from [get_cells _414_] -to [get_cells _424_]\n"
                         "set_max_delay 2.5 -through [get_pins _292_/X]\n"),
    "unclocked_in_to_reg": (UNCLOCKED, "set_max_delay -ignore_clock_latency 0.8 -from [all_inputs -no_clocks] "
                                      "-to [all_registers]\n"),
    "unclocked_platform": (UNCLOCKED,
                           "set_max_delay -ignore_clock_latency 1.6 -from [all_inputs -no_clocks] -to [all_registers]\n"
                           "set_max_delay -ignore_clock_latency 1.6 -from [all_registers] -to [all_outputs]\n"
                           "set_max_delay 1.2 -from [all_inputs -no_clocks] -to [all_outputs]\n"),
    "unclocked_min_delay": (UNCLOCKED, "set_min_delay 0.2 -from [all_inputs -no_clocks] -to [all_registers]\n"
                                       "set_max_delay 1.1 -from [get_ports req_msg*]\n"),
    # 35 register-to-register false paths: 36 state sets (one per -from register)
    "false_register_pairs": (BASE, "".join(f"set_false_path -from [get_cells _4{i}_] -to [get_cells _4{i + 1}_]\n"
                                           for i in range(11, 45))
                             + "set_false_path -from [get_cells _445_] -to [get_cells _411_]\n"),
    # set_disable_timing, set_case_analysis, set_timing_derate
    "disable_cell": (BASE, "set_disable_timing [get_cells _228_]\n"),
    "disable_cell_arc": (BASE, "set_disable_timing -from A1 -to X [get_cells _292_]\n"),
    "disable_lib_cell_arc": (BASE, "set_disable_timing -from B -to X [get_lib_cells */sky130_fd_sc_hd__maj3_2]\n"),
    "disable_driver_pin": (BASE, "set_disable_timing [get_pins _231_/Y]\n"),
    "disable_load_pin": (BASE, "set_disable_timing [get_pins _292_/A3]\n"),
    "case_side_input": (BASE, "set_case_analysis 1 [get_ports req_val]\n"),
    "case_reset": (BASE, "set_case_analysis 1 [get_ports reset]\nset_case_analysis 0 [get_ports resp_rdy]\n"),
    "derate_early_late": (BASE, "set_timing_derate -early 0.95\nset_timing_derate -late 1.05\n"),
    "derate_cells": (BASE, "set_timing_derate -late -cell_delay 1.2 [get_cells _215_]\nset_timing_derate -late 1.05\n"
                           "set_timing_derate -early -rise 0.9 [get_lib_cells */sky130_fd_sc_hd__mux2_1]\n"),
}


@pytest.fixture(scope="module")
def gcd(tmp_path_factory):
    need(tclk.OR_GCD.is_file(), str(tclk.OR_GCD))
    work = tmp_path_factory.mktemp("exceptions")
    lib = opensta.prepare_liberty(Path(str(tclk.SKY).format("tt_025C_1v80")), work)
    return work, lib, tclk.make_design(tclk.OR_GCD, [lib])


def _changed(a: dict, b: dict) -> int:
    return len(set(a) ^ set(b)) + sum(1 for k in set(a) & set(b) if abs(a[k] - b[k]) > 1e-6)


def _check(sta, work, libs, verilog, top, design, name, base, extra):
    sdc0 = work / f"{name}_base.sdc"
    sdc0.write_text(base)
    sdc = work / f"{name}.sdc"
    sdc.write_text(base + extra)
    ref0 = tclk.reference(sta, work, libs, verilog, top, sdc0)
    ref = tclk.reference(sta, work, libs, verilog, top, sdc)
    mine = tclk.ours(design, sdc)
    assert _changed(ref[0], ref0[0]) + _changed(ref[1], ref0[1]) > 0, "the exception changes nothing"
    for m, r in zip(mine, ref):
        tclk.compare(m, r, 1)
    return mine, ref


@pytest.mark.parametrize("name", list(CASES))
def test_gcd_exceptions_like_opensta3(sta3, gcd, name):
    work, lib, d = gcd
    base, extra = CASES[name]
    _check(sta3, work, [lib], tclk.OR_GCD, "gcd", d, name, base, extra)


TWO_CLOCK_SDC = ("create_clock -name c1 -period 2.0 [get_ports clk1]\n"
                 "create_clock -name c2 -period 3.0 -waveform {0.5 2.0} [get_ports clk2]\n"
                 "set_input_delay 0.3 -clock c1 [get_ports a]\nset_input_delay 0.2 -clock c2 [get_ports b]\n"
                 "set_input_delay 0.25 -clock c1 [get_ports c]\n"
                 "set_input_transition 0.1 [get_ports {a b c clk1 clk2}]\n"
                 "set_output_delay 0.4 -clock c2 [get_ports y]\nset_output_delay 0.25 -clock c1 [get_ports z]\n"
                 "set_load 0.04 [get_ports {y z}]\n")


@pytest.mark.parametrize("extra", [
    "set_multicycle_path 2 -setup -start -from [get_clocks c1] -to [get_clocks c2]\n"
    "set_multicycle_path 1 -hold -start -from [get_clocks c1] -to [get_clocks c2]\n",
    "set_multicycle_path 3 -setup -from [get_clocks c2] -to [get_clocks c1]\n",
    "set_max_delay 1.1 -ignore_clock_latency -from [get_clocks c1] -to [get_clocks c2]\n"
    "set_false_path -hold -from [get_clocks c1] -to [get_clocks c2]\n",
    "set_false_path -setup -from [get_clocks c2] -to [get_clocks c1]\nset_min_delay 0.5 -from [get_ports a]\n",
    "set_clock_groups -asynchronous -group c1 -group c2\n",
    "set_clock_groups -logically_exclusive -group c1 -group c2\nset_multicycle_path 2 -to [get_ports z]\n",
    "set_clock_groups -physically_exclusive -group c2\n",
    "set_clock_groups -asynchronous -allow_paths -group c1 -group c2\n"
    "set_max_delay 1.1 -from [get_clocks c1] -to [get_clocks c2]\n",
], ids=["mcp_start", "mcp_end", "max_delay_cdc", "false_setup_min_delay", "async_groups", "exclusive_groups",
        "one_group", "async_allow_paths"])
def test_two_clock_exceptions_like_opensta3(sta3, tmp_path, extra):
    """Between a 2 ns and a 3 ns clock: multicycles counted in the launching (-start) or
    capturing (-end) clock's periods, a CDC max delay, setup-only false paths."""
    need(tclk.OSU018.is_file(), str(tclk.OSU018))
    v = tmp_path / "mclk.v"
    v.write_text(tclk.TWO_CLOCKS)
    d = tclk.make_design(v, [tclk.OSU018])
    _check(sta3, tmp_path, [tclk.OSU018], v, "mclk", d, "two", TWO_CLOCK_SDC, extra)


def test_no_exception_keeps_one_state(gcd):
    """Without exceptions the search has one tag per launch (no exception states) and
    an exception that matches nothing in this search (a min delay in the late one) adds
    no tag either."""
    from finevh.timing.constraints import read_constraints
    from finevh.timing.engine import Timer

    work, lib, d = gcd
    sdc = work / "plain.sdc"
    sdc.write_text(BASE)
    t = Timer(d, read_constraints(sdc, d, d.libset), hold=True)
    r = t.update()
    assert len(r.tags) == 1 and t.search.states is None         # one clock, rising launches
    sdc.write_text(BASE + "set_min_delay 0.3 -to [get_cells _42*_]\n")
    t = Timer(d, read_constraints(sdc, d, d.libset), hold=True)
    assert len(t.update().tags) == 1 and not t.search.states.active
    sdc.write_text(BASE + "set_false_path -through [get_pins _292_/X]\n")
    t = Timer(d, read_constraints(sdc, d, d.libset), hold=True)
    assert len(t.update().tags) == 1          # a completed false path ends the path, no new state
    sdc.write_text(BASE + "set_multicycle_path 2 -through [get_pins _292_/X]\n")
    t = Timer(d, read_constraints(sdc, d, d.libset), hold=True)
    r2 = t.update()
    # the through pin splits the launch tag into (before, after) the -through
    assert len(r2.tags) == 2 and t.search.states.sets[1] == frozenset({(0, 1)})
    assert r2.wns > r.wns


def test_incremental_retiming_with_exceptions_equals_full_pass(tmp_path):
    """Re-binding cells to another supply with exception states on the tags (-through
    moves, unclocked inputs, multicycle, derate, disabled arc): incremental re-timing
    gives exactly the full pass, setup and hold."""
    from finevh.timing.binding import bind_voltage
    from finevh.timing.constraints import read_constraints
    from finevh.timing.engine import Timer

    libs = [Path(str(tclk.SKY).format(c)) for c in ("ss_n40C_1v76", "ss_n40C_1v28")]
    for p in libs + [tclk.OR_GCD]:
        need(p.is_file(), str(p))
    d = tclk.make_design(tclk.OR_GCD, libs)
    sdc = tmp_path / "inc.sdc"
    sdc.write_text(UNCLOCKED + "set_max_delay 1.6 -from [all_inputs -no_clocks] -to [all_registers]\n"
                   "set_multicycle_path 2 -through [get_pins _219_/X]\nset_false_path -through [get_pins _292_/X] "
                   "-to [get_cells _439_]\nset_timing_derate -late 1.04\n"
                   "set_disable_timing -from A1 -to X [get_cells _292_]\n")
    tc = read_constraints(sdc, d, d.libset)
    t = Timer(d, tc, hold=True)
    first = t.update()
    assert len(first.tags) > 2                     # launch tags split by exception states
    n = d.netlist.n_instances
    rng = np.random.default_rng(5)
    moved = False
    for sel, volt in ((np.sort(rng.choice(n, n // 10, replace=False)), 1.28),
                      (np.sort(rng.choice(n, n // 4, replace=False)), 1.5)):
        bind_voltage(d, sel, volt)
        inc = t.update()
        full = t.update(incremental=False)
        np.testing.assert_array_equal(inc.arrival, full.arrival)
        np.testing.assert_array_equal(inc.hold.arrival, full.hold.arrival)
        np.testing.assert_array_equal(inc.table.slack, full.table.slack)
        np.testing.assert_array_equal(inc.hold.table.slack, full.hold.table.slack)
        moved |= not np.array_equal(inc.table.slack, first.table.slack)
    assert moved


@pytest.mark.parametrize("extra", [
    "set_max_delay -ignore_clock_latency 1.2 -from [all_registers] -to [all_outputs]\n"
    "set_max_delay -ignore_clock_latency 0.9 -from [all_registers] -to [get_cells _4*_]\n"
    "set_max_delay 1.0 -from [all_registers] -to [get_cells _3*_]\n",
    "set_min_delay -ignore_clock_latency 0.35 -from [all_registers] -to [all_registers]\n"
    "set_max_delay -ignore_clock_latency 1.5 -from [all_inputs -no_clocks] -to [all_registers]\n",
], ids=["max", "min"])
def test_ignore_clock_latency_on_clock_tree(sta3, tmp_path, extra):
    """A clock-tree-synthesised design with a propagated clock (~0.3 ns insertion): with
    ``-ignore_clock_latency`` a path delay is measured from the launching register's own
    clock arrival (OpenSTA), not from the clock edge; other paths keep their latency."""
    v, lib = tclk.extract_gcd_example(tmp_path)
    d = tclk.make_design(v, [lib])
    base = ("create_clock -period 1.2 [get_ports clk]\nset_propagated_clock [all_clocks]\n"
            "set_input_transition .1 [all_inputs]\nset_input_delay 0.2 -clock clk [get_ports {req_val reset}]\n"
            "set_output_delay 0.2 -clock clk [get_ports resp_val]\n")
    _check(sta3, tmp_path, [lib], v, "gcd", d, "cts", base, extra)


def test_case_analysis_warnings(gcd, capsys):
    """``rising``/``falling`` case values are not modelled, and a value on one load pin of
    a net with several loads is given to the whole net: both are said, once each."""
    from finevh.timing.constraints import read_constraints

    work, lib, d = gcd
    sdc = work / "case_warn.sdc"
    sdc.write_text(BASE + "set_case_analysis rising [get_ports reset]\nset_case_analysis 1 [get_pins _214_/B_N]\n")
    tc = read_constraints(sdc, d, d.libset)
    err = capsys.readouterr().err
    assert "set_case_analysis rising is not supported; ignored" in err
    assert "set_case_analysis on load pin '_214_/B_N': applied to its whole net" in err
    assert list(tc.case_nets.values()) == [1]


def test_worst_path_crosses_a_through_pin(gcd):
    """The worst path of an endpoint whose arrival moved to another tag at a -through pin
    is still found back to its launching register (OpenSTA reports the same path:
    _414_/CLK ... _219_/X ... _424_/D, slack -3.1153 ns)."""
    from finevh.timing.constraints import read_constraints
    from finevh.timing.engine import Timer

    work, lib, d = gcd
    sdc = work / "pd_through.sdc"
    sdc.write_text(BASE + "set_max_delay 1.0 -through [get_pins _219_/X]\n")
    t = Timer(d, read_constraints(sdc, d, d.libset))
    r = t.update()
    ep = r.endpoints[0]
    pins = [s["pin"] for s in t.path(ep)]
    assert ep.name == "_424_/D" and abs(ep.slack - -3.1153) < 1e-4
    assert pins[0] == "_414_/CLK" and "_219_/X" in pins and pins[-1] == "_424_/D"
    assert t.path(ep)[-1]["time"] == pytest.approx(ep.arrival)


def test_pin_slacks_follow_tag_moves(gcd):
    """Per-pin setup slacks (the Vdd-selection's criticality) see the endpoints a path
    reaches after a -through moved it to another tag: a pin upstream of the -through is
    as critical as the worst path through it."""
    from finevh.timing.constraints import read_constraints
    from finevh.timing.engine import Timer

    work, lib, d = gcd
    sdc = work / "pd_through_pins.sdc"
    sdc.write_text(BASE + "set_max_delay 1.0 -through [get_pins _219_/X]\n")
    t = Timer(d, read_constraints(sdc, d, d.libset))
    r = t.update()
    ps = t.pin_slacks()
    wns = r.endpoints[0].slack
    for pin in ("_414_/Q", "_215_/X", "_219_/X", "_292_/X", "_424_/D"):
        assert ps[t.names.lookup(pin)] == pytest.approx(wns, abs=1e-9), pin
