"""Propagated clocks, clock latency / uncertainty and hold checks against OpenSTA 3.x.

Same netlist, libraries and constraints on both sides, no parasitics (finevh's lumped
model without wire capacitance = OpenSTA reading no SPEF): every endpoint's setup and
hold slack must agree within 1 ps, on the same endpoint set. Designs: OpenSTA's own
example gcd_sky130hd (placed and clock-tree synthesised: a real buffered clock tree),
designs/sample on osu018, OpenROAD's gcd_sky130hd test netlist, and a small osu018
netlist whose clock goes through a buffer and an inverter (edge sense of propagated
latency). OpenSTA 3.x is ``$FINEVH_OPENSTA3`` or ~/.cache/opensta-737b52f/bin/sta.
"""

from __future__ import annotations

import re
import subprocess
import tarfile
from pathlib import Path

import numpy as np
import pytest

import opensta
from conftest import REPO, SHARED, need
from finevh.design import link
from finevh.liberty.libset import load_library_set
from finevh.netlist.verilog import read_verilog
from finevh.timing.binding import bind_voltage
from finevh.timing.constraints import read_constraints
from finevh.timing.engine import Timer

TOL_NS = 1e-3          # 1 ps
from conftest import STA3  # noqa: E402
OSU018 = Path("/usr/share/qflow/tech/osu018/osu018_stdcells.lib")
ARCHIVE = SHARED / "vendor/opensta/opensta-737b52f.tar.gz"
SKY = SHARED / "data/liberty/sky130_fd_sc_hd/sky130_fd_sc_hd__{}.lib.gz"
OR_GCD = SHARED / "data/openroad/test/gcd_sky130hd.v"
MAX_REPORT = "report_checks -path_delay max -format end -group_path_count 1000000 -endpoint_path_count 1 -digits 6"
MIN_REPORT = MAX_REPORT.replace("-path_delay max", "-path_delay min")

_LIBSETS: dict[tuple[str, ...], object] = {}


@pytest.fixture(scope="module")
def sta3():
    need(STA3.exists(), f"OpenSTA 3.x at {STA3}")
    return STA3


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("clocks")


def extract_gcd_example(work: Path) -> tuple[Path, Path]:
    """OpenSTA's examples/gcd_sky130hd netlist (tap cells dropped: they have no pins and
    OpenSTA makes them black boxes) and its Liberty as a plain .lib, under ``work``."""
    need(ARCHIVE.is_file(), str(ARCHIVE))
    with tarfile.open(ARCHIVE) as tf:
        for m in ("OpenSTA/examples/gcd_sky130hd.v", "OpenSTA/examples/sky130hd_tt.lib.gz"):
            tf.extract(m, work, filter="data")
    ex = work / "OpenSTA/examples"
    v = work / "gcd_example.v"
    v.write_text("".join(ln for ln in (ex / "gcd_sky130hd.v").read_text().splitlines(True)
                         if "tapvpwrvgnd" not in ln))
    return v, opensta.prepare_liberty(ex / "sky130hd_tt.lib.gz", work)


@pytest.fixture(scope="module")
def gcd_example(work):
    return extract_gcd_example(work)


def make_design(verilog, libs, top=None):
    key = tuple(str(p) for p in libs)
    ls = _LIBSETS.get(key)
    if ls is None:
        ls = _LIBSETS[key] = load_library_set(list(key))
    return link(read_verilog(str(verilog), top=top), ls)


def reference(sta: Path, work: Path, libs, verilog, top: str, sdc: Path) -> tuple[dict, dict]:
    """OpenSTA 3.x per-endpoint (setup, hold) slacks, names without escapes."""
    script = opensta.design_script(libs, verilog, top, sdc, extra=[MAX_REPORT, 'puts "=== MIN ==="', MIN_REPORT])
    tcl = work / f"{sdc.stem}.tcl"
    tcl.write_text(script)
    r = subprocess.run([str(sta), "-no_init", "-exit", str(tcl)], capture_output=True, text=True, timeout=300,
                       cwd=work)
    assert r.returncode == 0, r.stderr[-2000:]
    mx, mn = r.stdout.split("=== MIN ===")
    return ({k.replace("\\", ""): e.slack for k, e in opensta.parse_endpoint_slacks(mx).items()},
            {k.replace("\\", ""): e.slack for k, e in opensta.parse_endpoint_slacks(mn).items()})


def ours(design, sdc: Path) -> tuple[dict, dict]:
    t = Timer(design, read_constraints(sdc, design, design.libset), hold=True)
    r = t.update()
    return ({e.name.replace("\\", ""): e.slack for e in r.endpoints},
            {e.name.replace("\\", ""): e.slack for e in r.hold.endpoints})


def compare(mine: dict, ref: dict, min_endpoints: int) -> float:
    """Same endpoints, every slack within TOL_NS; returns max |delta| (ns)."""
    assert len(ref) >= min_endpoints
    assert set(mine) == set(ref), sorted(set(mine) ^ set(ref))[:10]
    worst = max(abs(mine[k] - ref[k]) for k in ref)
    assert worst <= TOL_NS, (worst, max(ref, key=lambda k: abs(mine[k] - ref[k])))
    return worst


def check_against_opensta(sta, work, libs, verilog, top, sdc, design, n_setup, n_hold):
    ref_s, ref_h = reference(sta, work, libs, verilog, top, sdc)
    my_s, my_h = ours(design, sdc)
    ds, dh = compare(my_s, ref_s, n_setup), compare(my_h, ref_h, n_hold)
    print(f"{sdc.stem}: max |d setup| {ds * 1e3:.4f} ps, max |d hold| {dh * 1e3:.4f} ps "
          f"({len(ref_s)} / {len(ref_h)} endpoints)")
    return my_s, my_h, ref_s, ref_h


GCD_SDC = """create_clock -period 5 [get_ports clk]
set_input_delay 1.0 -clock clk [get_ports {req_val reset resp_rdy req_msg*}]
set_output_delay 1.0 -clock clk [all_outputs]
set_input_transition .1 [all_inputs]
"""


@pytest.mark.parametrize("extra", [
    "set_propagated_clock [all_clocks]\n",
    "set_propagated_clock [all_clocks]\nset_clock_latency -source 0.2 [get_clocks clk]\n"
    "set_clock_uncertainty -setup 0.05 [get_clocks clk]\nset_clock_uncertainty -hold 0.03 [get_clocks clk]\n",
    "set_clock_latency 0.3 [get_clocks clk]\nset_clock_transition 0.07 [get_clocks clk]\n",
], ids=["propagated", "propagated_latency_uncertainty", "ideal_latency"])
def test_gcd_example_clock_tree(sta3, work, gcd_example, extra):
    """A clock-tree-synthesised design: the clock reaches the flops through buffers
    (about 0.3 ns); propagated latency moves every slack, the ideal one does not."""
    v, lib = gcd_example
    sdc = work / f"gcd_{len(extra)}.sdc"
    sdc.write_text(GCD_SDC + extra)
    d = make_design(v, [lib])
    my_s, my_h, _, _ = check_against_opensta(sta3, work, [lib], v, "gcd", sdc, d, 50, 50)
    if "propagated" in extra:
        # the tree's delay really is in the numbers: ideal clocks give other slacks
        ideal = work / "gcd_ideal.sdc"
        ideal.write_text(GCD_SDC)
        id_s, id_h = ours(d, ideal)
        assert max(abs(id_s[k] - my_s[k]) for k in my_s) > 0.1
        assert max(abs(id_h[k] - my_h[k]) for k in my_h) > 0.1


SAMPLE_SDC = (REPO / "designs/sample/sample.sdc").read_text()


@pytest.mark.parametrize("extra", [
    "set_propagated_clock [get_clocks clk]\n",
    "set_propagated_clock [all_clocks]\nset_clock_latency -source 0.15 [get_clocks clk]\n"
    "set_clock_uncertainty 0.04 [get_clocks clk]\nset_input_delay 0.05 -min -clock clk [get_ports {rst en a\\[*\\] b\\[*\\]}]\n"
    "set_output_delay -0.1 -min -clock clk [all_outputs]\n",
], ids=["propagated", "min_delays_uncertainty"])
def test_sample_osu018(sta3, work, extra):
    """designs/sample (osu018) as Yosys wrote it: escaped bus-bit ports (``\\a[0] ``),
    matched by the escaped pattern ``a\\[*\\]`` (OpenSTA 3.1 stops with "Error: stoi" on
    ``a[*]``)."""
    need(OSU018.is_file(), f"Debian qflow-tech-osu018 ({OSU018})")
    v = REPO / "designs/sample/sample_osu018.v"
    sdc = work / f"sample_{len(extra)}.sdc"
    sdc.write_text(SAMPLE_SDC + extra)
    d = make_design(v, [OSU018])
    check_against_opensta(sta3, work, [OSU018], v, "sample", sdc, d, 10, 10)


def test_openroad_gcd_sky130hd(sta3, work):
    """OpenROAD's gcd test netlist (synthesised, clock port straight to the flops): the
    propagated clock's slew at the flops is the port's input transition."""
    need(OR_GCD.is_file(), str(OR_GCD))
    lib = opensta.prepare_liberty(Path(str(SKY).format("tt_025C_1v80")), work)
    sdc = work / "or_gcd.sdc"
    sdc.write_text("create_clock -name core_clock -period 2.0 [get_ports clk]\n"
                   "set_input_delay 0.4 -clock core_clock [get_ports {req_val reset resp_rdy req_msg*}]\n"
                   "set_output_delay 0.4 -clock core_clock [all_outputs]\n"
                   "set_input_transition 0.08 [all_inputs]\nset_propagated_clock [all_clocks]\n")
    d = make_design(OR_GCD, [lib])
    check_against_opensta(sta3, work, [lib], OR_GCD, "gcd", sdc, d, 50, 50)


CLOCK_TREE = """module ctree(clk, a, b, y, z);
input clk, a, b;
output y, z;
wire q1, q2, n1, n2, n3, ck1, ckb, ck2;
BUFX2 cb1 (.A(clk), .Y(ck1));
INVX1 ci (.A(ck1), .Y(ckb));
BUFX4 cb2 (.A(ckb), .Y(ck2));
DFFPOSX1 r1 (.CLK(ck1), .D(a), .Q(q1));
DFFNEGX1 r2 (.CLK(ck1), .D(n1), .Q(q2));
DFFPOSX1 r3 (.CLK(ck2), .D(n2), .Q(y));
DFFPOSX1 r4 (.CLK(ckb), .D(q1), .Q(n3));
NAND2X1 g1 (.A(q1), .B(b), .Y(n1));
XOR2X1 g2 (.A(q2), .B(n3), .Y(n2));
BUFX2 g4 (.A(n3), .Y(z));
endmodule
"""


@pytest.mark.parametrize("propagated", [True, False])
def test_inverted_clock_tree_osu018(sta3, work, propagated):
    """Flops on both clock edges behind a buffer and an inverter: the propagated
    latency follows the edge sense (rise at the port -> fall at the inverter output)."""
    need(OSU018.is_file(), str(OSU018))
    v = work / "ctree.v"
    v.write_text(CLOCK_TREE)
    sdc = work / f"ctree_{int(propagated)}.sdc"
    sdc.write_text("create_clock -name clk -period 2 -waveform {0 0.9} [get_ports clk]\n"
                   "set_input_delay 0.3 -clock clk [get_ports {a b}]\n"
                   "set_input_transition 0.12 [get_ports {a b clk}]\n"
                   "set_output_delay 0.2 -clock clk [get_ports {y z}]\nset_load 0.03 [get_ports {y z}]\n"
                   + ("set_propagated_clock [all_clocks]\n" if propagated else "set_clock_latency 0.25 [all_clocks]\n"))
    d = make_design(v, [OSU018])
    check_against_opensta(sta3, work, [OSU018], v, "ctree", sdc, d, 5, 5)


@pytest.mark.parametrize("propagated", [True, False])
def test_incremental_retiming_equals_full_pass_propagated(work, gcd_example, propagated):
    """Re-binding data cells and clock buffers (other supply): incremental re-timing,
    setup and hold, with a propagated or an ideal clock gives exactly the full-pass
    numbers, slews included. Ideal clock: the clock pins' (vertex) slews follow the
    re-bound clock buffers, their clock slew stays the ideal 0."""
    v, _ = gcd_example
    libs = [Path(str(SKY).format(c)) for c in ("ss_n40C_1v76", "ss_n40C_1v28")]
    for p in libs:
        need(p.is_file(), str(p))
    d = make_design(v, libs)
    sdc = work / f"gcd_inc_{int(propagated)}.sdc"
    sdc.write_text(GCD_SDC + ("set_propagated_clock [all_clocks]\n" if propagated else ""))
    tc = read_constraints(sdc, d, d.libset)
    t = Timer(d, tc, hold=True)
    first = t.update()
    nl = d.netlist
    clkbuf = np.array([i for i, c in enumerate(d.inst_cell) if "clkbuf" in d.cells[int(c)].name], dtype=np.int64)
    assert len(clkbuf) >= 3
    rng = np.random.default_rng(3)
    n = nl.n_instances
    rounds = [(clkbuf[:2], 1.28), (np.sort(rng.choice(n, n // 10, replace=False)), 1.28),
              (clkbuf, 1.5), (np.sort(rng.choice(n, n // 5, replace=False)), 1.76)]
    moved = False
    for sel, volt in rounds:
        bind_voltage(d, sel, volt)
        inc = t.update()
        full = t.update(incremental=False)
        np.testing.assert_array_equal(inc.arrival, full.arrival)
        np.testing.assert_array_equal(inc.slew, full.slew)
        np.testing.assert_array_equal(inc.hold.arrival, full.hold.arrival)
        np.testing.assert_array_equal(inc.hold.slew, full.hold.slew)
        assert inc.endpoint_slacks() == full.endpoint_slacks()
        np.testing.assert_array_equal(inc.hold.table.slack, full.hold.table.slack)
        fresh = Timer(d, tc, hold=True).update()
        np.testing.assert_array_equal(inc.table.slack, fresh.table.slack)
        np.testing.assert_array_equal(inc.hold.table.slack, fresh.hold.table.slack)
        moved |= inc.hold.wns != first.hold.wns or not np.array_equal(inc.hold.table.slack, first.hold.table.slack)
        if volt == 1.28 and sel is rounds[0][0] and not propagated:
            ck = np.nonzero(np.isfinite(inc.clock_slew[:, 0]) & (inc.graph.src_of_term >= 0)
                            & np.isin(inc.graph.src_of_term, inc.graph.e_to))[0]     # behind a buffer
            assert len(ck) and (inc.clock_slew[ck] == 0.0).all()
            assert (inc.slew[ck] > 0).all() and not np.array_equal(inc.slew[ck], first.slew[ck])
    assert moved


def test_hold_off_by_default_and_setup_unchanged(work, gcd_example):
    """The hot path (Timer without hold) computes no hold; setup equals hold-on setup."""
    v, lib = gcd_example
    d = make_design(v, [lib])
    sdc = work / "gcd_p.sdc"
    sdc.write_text(GCD_SDC + "set_propagated_clock [all_clocks]\n")
    tc = read_constraints(sdc, d, d.libset)
    a = Timer(d, tc).update()
    b = Timer(d, tc, hold=True).update()
    assert a.hold is None and b.hold is not None
    np.testing.assert_array_equal(a.table.slack, b.table.slack)


RECONVERGENT = """module rc(clk, a, s, y, z);
input clk, a, s;
output y, z;
wire q1, q2, q4, q5, q6, n1, n2, ck1, ckd, ckd2, cg, cg2, cm, cmb;
BUFX2 cb1 (.A(clk), .Y(ck1));
BUFX2 cb2 (.A(ck1), .Y(ckd));
BUFX2 cb3 (.A(ckd), .Y(ckd2));
AND2X2 ga (.A(ck1), .B(ckd2), .Y(cg));
BUFX4 cb4 (.A(cg), .Y(cg2));
MUX2X1 cmx (.A(ckd2), .B(clk), .S(s), .Y(cm));
INVX2 cb5 (.A(cm), .Y(cmb));
DFFPOSX1 r1 (.CLK(cg), .D(a), .Q(q1));
DFFPOSX1 r2 (.CLK(cg), .D(n1), .Q(q2));
DFFPOSX1 r3 (.CLK(ck1), .D(q2), .Q(y));
DFFPOSX1 r4 (.CLK(cg2), .D(q1), .Q(q4));
DFFPOSX1 r5 (.CLK(cg), .D(q4), .Q(q5));
DFFPOSX1 r6 (.CLK(cmb), .D(n2), .Q(q6));
DFFNEGX1 r7 (.CLK(cm), .D(q6), .Q(z));
INVX1 g1 (.A(q1), .Y(n1));
NAND2X1 g2 (.A(q5), .B(q2), .Y(n2));
endmodule
"""


@pytest.mark.parametrize("hold_unc", [0.0, 0.05])
def test_reconvergent_clock_crpr(sta3, work, hold_unc):
    """Clock reconvergence pessimism removal. The clock reconverges at an AND (clock
    and its delayed copy) and at a MUX (select from a port: both inputs carry the
    clock), so late and early latencies differ below them; OpenSTA 3.x credits the
    difference at the deepest pin the launch and capture clock paths share (160 ps
    for r1 -> r2 under the AND), and so does finevh: every setup and hold slack within
    1 ps (without CRPR r2/D was 160 ps pessimistic)."""
    need(OSU018.is_file(), str(OSU018))
    v = work / "rc.v"
    v.write_text(RECONVERGENT)
    sdc = work / f"rc_{int(hold_unc * 100)}.sdc"
    sdc.write_text("create_clock -name clk -period 2 [get_ports clk]\n"
                   "set_input_delay 0.3 -clock clk [get_ports {a s}]\n"
                   "set_input_transition 0.12 [get_ports {a s clk}]\n"
                   "set_output_delay 0.2 -clock clk [get_ports {y z}]\nset_propagated_clock [all_clocks]\n"
                   + (f"set_clock_uncertainty -hold {hold_unc} [all_clocks]\n" if hold_unc else ""))
    d = make_design(v, [OSU018])
    my_s, my_h, ref_s, ref_h = check_against_opensta(sta3, work, [OSU018], v, "rc", sdc, d, 8, 8)
    script = opensta.design_script([OSU018], v, "rc", sdc, extra=[
        "report_checks -path_delay max -to r2/D -digits 6", "report_checks -path_delay min -to r2/D -digits 6"])
    tcl = work / "rc_paths.tcl"
    tcl.write_text(script)
    out = subprocess.run([str(sta3), "-no_init", "-exit", str(tcl)], capture_output=True, text=True, timeout=300).stdout
    credit = [abs(float(x)) for x in re.findall(r"^\s*(-?[\d.]+)\s+-?[\d.]+\s+clock reconvergence pessimism", out, re.M)]
    assert len(credit) == 2 and credit[0] == credit[1] > 0.1, out     # ~160 ps: the credit is really taken
    t = Timer(d, read_constraints(sdc, d, d.libset), hold=True)
    t.update()
    assert sum(1 for leaf in t.search._state["tag_leaf"] if leaf >= 0) >= 3     # launches split per clock net


TWO_CLOCKS = """module mclk(clk1, clk2, a, b, c, y, z);
input clk1, clk2, a, b, c;
output y, z;
wire q1, q2, q3, q4, n1, n2, n3, n4, k2;
DFFPOSX1 r1 (.CLK(clk1), .D(a), .Q(q1));
BUFX2 cb (.A(clk2), .Y(k2));
DFFPOSX1 r2 (.CLK(k2), .D(b), .Q(q2));
NAND2X1 g1 (.A(q1), .B(q2), .Y(n1));
DFFPOSX1 r3 (.CLK(k2), .D(n1), .Q(q3));
DFFNEGX1 r4 (.CLK(clk1), .D(n2), .Q(q4));
XOR2X1 g2 (.A(q3), .B(c), .Y(n2));
NOR2X1 g3 (.A(q4), .B(q1), .Y(n3));
INVX1 g4 (.A(n3), .Y(y));
AND2X1 g5 (.A(q3), .B(q4), .Y(n4));
BUFX2 g6 (.A(n4), .Y(z));
endmodule
"""


@pytest.mark.parametrize("propagated", [True, False])
def test_two_clocks_hold_edges(sta3, work, propagated):
    """Cross-domain hold: 2 ns and 3 ns (offset waveform) clocks, a negative-edge flop,
    per-clock uncertainty; the hold capture edge is the closest one at or before the
    launch over the common period (OpenSTA's cycle accounting), not simply the setup
    edge minus a period (which is 1 or 2 ns off here)."""
    need(OSU018.is_file(), str(OSU018))
    v = work / "mclk2.v"
    v.write_text(TWO_CLOCKS)
    sdc = work / f"mclk2_{int(propagated)}.sdc"
    sdc.write_text("create_clock -name c1 -period 2.0 [get_ports clk1]\n"
                   "create_clock -name c2 -period 3.0 -waveform {0.5 2.0} [get_ports clk2]\n"
                   "set_clock_uncertainty 0.07 [get_clocks c1]\nset_clock_uncertainty 0.11 [get_clocks c2]\n"
                   "set_input_delay 0.3 -clock c1 [get_ports a]\nset_input_delay 0.2 -clock c2 [get_ports b]\n"
                   "set_input_transition 0.1 [get_ports {a b c clk1 clk2}]\n"
                   "set_output_delay 0.4 -clock c2 [get_ports y]\nset_output_delay 0.25 -clock c1 [get_ports z]\n"
                   "set_load 0.04 [get_ports {y z}]\n" + ("set_propagated_clock [all_clocks]\n" if propagated else ""))
    d = make_design(v, [OSU018])
    check_against_opensta(sta3, work, [OSU018], v, "mclk", sdc, d, 6, 6)


def test_crpr_leaf_limit_warns_and_stays_pessimistic(work, monkeypatch, capsys):
    """Too many clock nets below reconvergent logic: no per-net launch tags, a warning,
    and slacks lower (never higher) than with CRPR."""
    import finevh.timing.search as search

    need(OSU018.is_file(), str(OSU018))
    v = work / "rc_lim.v"
    v.write_text(RECONVERGENT)
    sdc = work / "rc_lim.sdc"
    sdc.write_text("create_clock -name clk -period 2 [get_ports clk]\n"
                   "set_input_delay 0.3 -clock clk [get_ports {a s}]\nset_input_transition 0.12 [get_ports {a s clk}]\n"
                   "set_output_delay 0.2 -clock clk [get_ports {y z}]\nset_propagated_clock [all_clocks]\n")
    d = make_design(v, [OSU018])
    with_crpr = ours(d, sdc)
    monkeypatch.setattr(search, "MAX_CRPR_LEAVES", 1)
    capsys.readouterr()
    without = ours(d, sdc)
    assert "clock reconvergence pessimism not removed" in capsys.readouterr().err
    for a, b in zip(without, with_crpr):
        assert all(a[k] <= b[k] + 1e-12 for k in b)
        assert a["r2/D"] < b["r2/D"] - 0.1


def test_sample_ideal_clock_pin_slews_and_power_osu018(require_tool):
    """designs/sample as shipped (ideal clock, ``set_input_transition 0.1`` on clk),
    against OpenSTA 2.0.17 (``sta``), which reads its escaped bus ports. A register
    clock pin's vertex slew is the delay-calc one (the clk port's 0.1 ns: no wire RC),
    while its clk->Q arc takes the clock's ideal slew (0) as input slew, as OpenSTA's
    ``edgeFromSlew``; the report's clock-pin line shows the ideal slew. Power reads the
    vertex slews (power's OpenSTA 2.0 rules), so the sequential internal power (clock
    pins) matches OpenSTA 2.0.17's."""
    require_tool("sta")
    need(OSU018.is_file(), f"Debian qflow-tech-osu018 ({OSU018})")
    v, sdc = REPO / "designs/sample/sample_osu018.v", REPO / "designs/sample/sample.sdc"
    text = opensta.run_sta(opensta.design_script(
        [OSU018], v, "sample", sdc,
        extra=["report_power -digits 10",
               "report_checks -from [get_pins _267_/CLK] -path_delay max -fields {slew} -digits 6"]))
    num = r"(-?[\d.]+)"
    ck_line = re.search(rf"^\s*{num}\s+{num}\s+{num}\s+\^\s+_267_/CLK \(DFFPOSX1\)", text, re.M)
    q_line = re.search(rf"^\s*{num}\s+{num}\s+{num}\s+([v^])\s+_267_/Q \(DFFPOSX1\)", text, re.M)
    assert ck_line and q_line, text[-3000:]
    ref_q_slew, ref_q_delay, q_rf = float(q_line.group(1)), float(q_line.group(2)), q_line.group(4)

    d = make_design(v, [OSU018])
    t = Timer(d, read_constraints(sdc, d, d.libset))
    r = t.update()
    from finevh.power.analysis import ActivitySpec, analyse
    pres = analyse(d, t.constraints, ActivitySpec(opensta_rules="2.0"), slews=r.slew)
    ref_seq = opensta.parse_power(text)["Sequential"]["internal"]
    assert pres.group("sequential")["internal_uw"] * 1e-6 == pytest.approx(ref_seq, rel=1e-3)
    g = r.graph
    clk_port, ck, q = t.names.lookup("clk"), t.names.lookup("_267_/CLK"), t.names.lookup("_267_/Q")
    np.testing.assert_allclose(r.slew[clk_port], [0.1, 0.1])
    np.testing.assert_allclose(r.slew[ck], [0.1, 0.1])        # vertex slew: delay calc
    np.testing.assert_allclose(r.clock_slew[ck], [0.0, 0.0])  # ideal clock slew
    from finevh.timing.arcs import FALL, KIND_LAUNCH, RISE
    out_rf = RISE if q_rf == "^" else FALL
    e = np.nonzero((g.e_kind == KIND_LAUNCH) & (g.e_from == ck) & (g.e_to == q) & (g.e_out_rf == out_rf))[0]
    assert len(e) == 1
    assert r.edge_delay[e[0]] == pytest.approx(ref_q_delay, abs=1e-6)
    assert r.slew[q, out_rf] == pytest.approx(ref_q_slew, abs=1e-6)
    # the same arc with the vertex slew as input would be slower: the check can fail
    tb = t.dcalc.tables(g)
    dl, _ = t.dcalc.eval_arcs(g, e, tb, np.asarray(r.slew), r.load)
    assert dl[0] - ref_q_delay > 1e-3
    # report lines: a launching clock pin shows the ideal slew, as OpenSTA's
    launch = [p[0] for p in map(t.path, r.endpoints) if p[0]["pin"].endswith("/CLK")]
    assert len(launch) >= 10
    assert {s["slew"] for s in launch} == {float(ck_line.group(1))} == {0.0}
