"""Setup slacks of EVERY endpoint against OpenSTA 2.0.17 (|delta| <= 1 ps).

Same netlist, libraries, loads and constraints on both sides: osu018 (Yosys-mapped
ISCAS-89 s5378, also with SPEF wire loads, negative-edge flops), sky130 HD at four
voltages (s38417), a multi-Vdd binding (half the instances at 1.28 V, in OpenSTA through
a `_VL`-renamed library copy), ASAP7 RVT (Yosys-mapped s1196, ps/fF units).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import opensta  # noqa: E402

from finevh.timing.binding import bind_voltage, interpolated_cell, rebind  # noqa: E402
from finevh.timing.constraints import read_constraints  # noqa: E402
from finevh.timing.engine import Timer  # noqa: E402

TOL_NS = 1e-3
OSU018 = Path("/usr/share/qflow/tech/osu018/osu018_stdcells.lib")
SKY = "liberty/sky130_fd_sc_hd/sky130_fd_sc_hd__{}.lib.gz"


# ----------------------------------------------------------------------------- helpers
_LIBSETS: dict[tuple[str, ...], object] = {}


def make_design(verilog, lib_paths, top=None):
    """A freshly linked design; library sets are parsed once per session."""
    from finevh.design import link
    from finevh.liberty.libset import load_library_set
    from finevh.netlist.verilog import read_verilog

    key = tuple(str(p) for p in lib_paths)
    ls = _LIBSETS.get(key)
    if ls is None:
        ls = _LIBSETS[key] = load_library_set(list(key))
    return link(read_verilog(str(verilog), top=top), ls)


def write_sdc(path, design, period, clock="CK", in_delay=0.2, out_delay=0.3, load=0.01, trans=0.05, extra=""):
    nl = design.netlist
    ins = [p for p, d in zip(nl.port_names, nl.port_dir) if d == 0 and p != clock]
    outs = [p for p, d in zip(nl.port_names, nl.port_dir) if d == 1]
    q = lambda l: "[get_ports {" + " ".join("{%s}" % x for x in l) + "}]"  # noqa: E731
    s = f"create_clock -name clk -period {period} [get_ports {clock}]\n"
    if ins:
        s += f"set_input_delay {in_delay} -clock clk {q(ins)}\nset_input_transition {trans} {q(ins)}\n"
    if outs:
        s += f"set_output_delay {out_delay} -clock clk {q(outs)}\nset_load {load} {q(outs)}\n"
    Path(path).write_text(s + extra)
    return Path(path)


def compare(ours: dict[str, float], out: str, min_endpoints: int = 10) -> float:
    ref = opensta.parse_endpoint_slacks(out)
    assert len(ref) >= min_endpoints, out[-2000:]
    assert set(ours) == set(ref), (sorted(set(ours) ^ set(ref)))[:10]
    worst = max(abs(ours[k] - ref[k].slack) for k in ref)
    assert worst <= TOL_NS, worst
    return worst


def sta_out(work, libs, verilog, top, sdc, spef=None, extra=(), sta=None):
    script = opensta.design_script(libs, verilog, top, sdc, spef,
                                   extra=list(extra) + [opensta.ENDPOINT_REPORT, "report_wns -digits 6",
                                                        "report_tns -digits 6"])
    return opensta.run_sta(script, work, exe=sta)


@pytest.fixture(scope="session")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("timing_sta")


@pytest.fixture(scope="session")
def osu_design(require_tool, work):
    require_tool("yosys")
    from conftest import need
    need(OSU018.is_file(), f"Debian qflow-tech-osu018 ({OSU018})")
    from finevh.synth.yosys import map_to_liberty

    from conftest import SHARED
    shared = SHARED / "data"
    src = shared / "netlists/iscas89/s5378.v"
    need(src.is_file(), str(src))
    v = map_to_liberty([src], OSU018, "s5378", work / "s5378_osu018.v")
    d = make_design(v, [OSU018])
    return v, d


@pytest.fixture(scope="session")
def sky_libs(shared_data, work):
    corners = ["ss_n40C_1v28", "ss_n40C_1v40", "ss_n40C_1v76", "tt_025C_1v80"]
    return {c: opensta.prepare_liberty(shared_data / SKY.format(c), work) for c in corners}


@pytest.fixture(scope="session")
def s38417(shared_data):
    return shared_data / "mapped/s38417_sky130hd_tt.v"


# ----------------------------------------------------------------------------- osu018
def test_osu018_s5378_every_endpoint(require_tool, osu_design, work):
    require_tool("sta")
    v, d = osu_design
    sdc = write_sdc(work / "s5378.sdc", d, period=1.6, load=0.02, trans=0.1)
    t = Timer(d, read_constraints(sdc, d, d.libset))
    r = t.update()
    out = sta_out(work, [OSU018], v, "s5378", sdc)
    compare(r.endpoint_slacks(), out, 150)
    assert r.wns == pytest.approx(opensta.parse_value(out, "wns"), abs=TOL_NS)
    assert r.tns == pytest.approx(opensta.parse_value(out, "tns"), abs=TOL_NS * len(r.endpoints))
    assert r.wns < 0  # the period is tight enough to violate: slacks are exercised


def test_osu018_spef_wire_caps(require_tool, osu_design, work):
    require_tool("sta")
    from finevh.timing import spef as spef_mod
    from finevh.timing import wire

    v, d = osu_design
    sdc = write_sdc(work / "s5378b.sdc", d, period=3.0, load=0.02, trans=0.1)
    rng = np.random.default_rng(7)
    caps = {n: float(rng.uniform(0.0, 0.05)) for n in d.netlist.net_names if not n.startswith("1'")}
    sp_path = work / "s5378.spef"
    spef_mod.write_spef_totals(sp_path, d, caps)
    sp = spef_mod.read_spef(sp_path)
    wc = wire.from_spef(d, sp)
    assert wc.sum() == pytest.approx(sum(caps[n] for n in d.netlist.net_names if n in caps), rel=1e-6)
    r0 = Timer(d, read_constraints(sdc, d, d.libset)).update()
    r = Timer(d, read_constraints(sdc, d, d.libset), wc).update()
    assert r.endpoints[0].slack < r0.endpoints[0].slack - 0.05   # wire load slows the design down
    out = sta_out(work, [OSU018], v, "s5378", sdc, spef=sp_path)
    compare(r.endpoint_slacks(), out, 150)


NEG_EDGE = """module negedge_demo(clk, a, b, y, z);
input clk, a, b;
output y, z;
wire q1, q2, n1, n2, n3, clkb;
DFFPOSX1 r1 (.CLK(clk), .D(a), .Q(q1));
DFFNEGX1 r2 (.CLK(clk), .D(n1), .Q(q2));
INVX1 ci (.A(clk), .Y(clkb));
DFFPOSX1 r3 (.CLK(clkb), .D(n2), .Q(y));
NAND2X1 g1 (.A(q1), .B(b), .Y(n1));
XOR2X1 g2 (.A(q2), .B(q1), .Y(n2));
NOR2X1 g3 (.A(n2), .B(a), .Y(n3));
BUFX2 g4 (.A(n3), .Y(z));
endmodule
"""


def test_osu018_negative_edges_and_clock_fall_inputs(require_tool, work):
    require_tool("sta")
    from conftest import need
    need(OSU018.is_file(), str(OSU018))
    v = work / "negedge.v"
    v.write_text(NEG_EDGE)
    d = make_design(v, [OSU018])
    sdc = work / "negedge.sdc"
    sdc.write_text("create_clock -name clk -period 2 -waveform {0 0.8} [get_ports clk]\n"
                   "set_input_delay 0.3 -clock clk [get_ports a]\n"
                   "set_input_delay 0.1 -clock clk -clock_fall [get_ports b]\n"
                   "set_input_transition 0.2 [get_ports {a b}]\n"
                   "set_clock_transition 0.15 [get_clocks clk]\n"
                   "set_output_delay 0.4 -clock clk [get_ports y]\n"
                   "set_output_delay 0.2 -clock clk -clock_fall [get_ports z]\n"
                   "set_load 0.05 [get_ports {y z}]\n")
    r = Timer(d, read_constraints(sdc, d, d.libset)).update()
    out = sta_out(work, [OSU018], v, "negedge_demo", sdc)
    compare(r.endpoint_slacks(), out, 4)


LOOP = """module loopy(clk, a, y);
input clk, a;
output y;
wire q, n1, n2;
DFFPOSX1 r1 (.CLK(clk), .D(a), .Q(q));
NAND2X1 g1 (.A(q), .B(n2), .Y(n1));
NAND2X1 g2 (.A(n1), .B(q), .Y(n2));
DFFPOSX1 r2 (.CLK(clk), .D(n1), .Q(y));
endmodule
"""


def test_combinational_loop_is_broken_and_reported(work, capsys):
    from conftest import need
    need(OSU018.is_file(), str(OSU018))
    v = work / "loopy.v"
    v.write_text(LOOP)
    d = make_design(v, [OSU018])
    sdc = write_sdc(work / "loopy.sdc", d, period=1.0, clock="clk")
    t = Timer(d, read_constraints(sdc, d, d.libset))
    err = capsys.readouterr().err
    assert "combinational loop" in err and re.search(r"\bg[12] \(NAND2X1\)", err), err
    assert len(t.graph.loop_breaks) >= 1
    r = t.update()
    names = r.endpoint_slacks()
    assert "r2/D" in names and np.isfinite(names["r2/D"])


# ----------------------------------------------------------------------------- sky130
@pytest.mark.parametrize("corner", ["ss_n40C_1v28", "ss_n40C_1v40", "ss_n40C_1v76", "tt_025C_1v80"])
def test_sky130_voltages_every_endpoint(require_tool, sky_libs, s38417, work, corner):
    require_tool("sta")
    lib = sky_libs[corner]
    d = make_design(s38417, [lib])
    sdc = write_sdc(work / "s38417.sdc", d, period=5.0, load=0.005, trans=0.08)
    r = Timer(d, read_constraints(sdc, d, d.libset)).update()
    out = sta_out(work, [lib], s38417, "s38417", sdc)
    compare(r.endpoint_slacks(), out, 1500)


def test_sky130_multi_vdd_half_instances(require_tool, sky_libs, s38417, work):
    """Half the instances re-bound to the 1.28 V library: OpenSTA times the same binding
    through a `_VL` copy of that library and a netlist pointing at the renamed cells."""
    require_tool("sta")
    hi, lo = sky_libs["ss_n40C_1v76"], sky_libs["ss_n40C_1v28"]
    d = make_design(s38417, [hi, lo])
    sdc = write_sdc(work / "s38417mv.sdc", d, period=5.0, load=0.005, trans=0.08)
    t = Timer(d, read_constraints(sdc, d, d.libset))
    r_hi = t.update()
    n = d.n_instances
    sel = np.sort(np.random.default_rng(11).choice(n, n // 2, replace=False))
    bind_voltage(d, sel, 1.28)
    r = t.update()
    # a fresh timer on the re-bound design gives the same numbers as the re-timing
    r2 = Timer(d, t.constraints).update()
    assert r.endpoint_slacks() == pytest.approx(r2.endpoint_slacks(), abs=1e-12)
    lo_vl = opensta.prepare_liberty(lo, work, "_VL")
    nl = d.netlist
    text = Path(s38417).read_text()
    mixed = opensta.rename_instances_cells(text, {nl.inst_names[i]: d.cells[int(d.inst_cell[i])].name + "_VL"
                                                  for i in sel.tolist()})
    assert mixed.count("_VL ") == len(sel)
    (work / "s38417_mixed.v").write_text(mixed)
    out = sta_out(work, [hi, lo_vl], work / "s38417_mixed.v", "s38417", sdc)
    compare(r.endpoint_slacks(), out, 1500)
    wns_lo = r.wns
    assert wns_lo < r_hi.wns


def test_voltage_interpolation_scheme(sky_libs, s38417, work):
    d = make_design(s38417, [sky_libs["ss_n40C_1v28"], sky_libs["ss_n40C_1v40"]])
    ls = d.libset
    c = next(x for x in d.cells if x.name.endswith("nand2_1"))
    c_lo, c_hi = ls.twin(c, 1.28), ls.twin(c, 1.40)
    assert interpolated_cell(ls, c, 1.28) is c_lo          # characterised: the library cell itself
    mid = interpolated_cell(ls, c, 1.34, model="linear")
    assert interpolated_cell(ls, c, 1.34, model="linear") is mid           # cached
    a0 = c_lo.pins["Y"].timing[0].cell_rise
    a1 = c_hi.pins["Y"].timing[0].cell_rise
    am = mid.pins["Y"].timing[0].cell_rise
    if all(np.array_equal(x, y) for x, y in zip(a0.indices, a1.indices)):
        np.testing.assert_allclose(am.values, 0.5 * (a0.values + a1.values), rtol=1e-12)
    assert mid.pins["A"].capacitance == pytest.approx(0.5 * (c_lo.pins["A"].capacitance + c_hi.pins["A"].capacitance))
    sdc = write_sdc(work / "s38417vi.sdc", d, period=5.0, load=0.005)
    t = Timer(d, read_constraints(sdc, d, ls))
    all_i = np.arange(d.n_instances)
    wns = {}
    for v in (1.40, 1.34, 1.28):
        bind_voltage(d, all_i, v)
        wns[v] = t.update().wns
    assert wns[1.28] < wns[1.34] < wns[1.40]
    from finevh.errors import InputError
    with pytest.raises(InputError, match="outside the characterised range"):
        interpolated_cell(ls, c, 1.9)


def test_rebind_back_restores_timing(sky_libs, s38417, work):
    d = make_design(s38417, [sky_libs["ss_n40C_1v76"], sky_libs["ss_n40C_1v28"]])
    sdc = write_sdc(work / "s38417rb.sdc", d, period=5.0)
    t = Timer(d, read_constraints(sdc, d, d.libset))
    base = t.update().endpoint_slacks()
    orig = [d.cells[int(c)] for c in d.inst_cell]
    sel = np.arange(0, d.n_instances, 50)
    bind_voltage(d, sel, 1.28)
    moved = t.update().endpoint_slacks()
    assert any(abs(moved[k] - base[k]) > 1e-3 for k in base)
    rebind(d, sel, [orig[i] for i in sel.tolist()])
    assert t.update().endpoint_slacks() == pytest.approx(base, abs=1e-12)


# ----------------------------------------------------------------------------- ASAP7
ASAP7_PARTS = ("INVBUF", "SEQ", "SIMPLE")


@pytest.fixture(scope="session")
def asap7(shared_data, work, require_tool):
    require_tool("yosys")
    from finevh.synth.yosys import map_to_liberty

    files = sorted((shared_data / "liberty/asap7").glob("*_RVT_*.lib.gz"))
    files = [f for f in files if any(f"_{p}_" in f.name for p in ASAP7_PARTS)]
    plain = [opensta.prepare_liberty(f, work) for f in files]
    # one merged file for Yosys (it maps onto a single library): header of the first,
    # every cell group, the table templates of all
    texts = [p.read_text() for p in plain]
    first_cell = [re.search(r"^\s*cell\s*\(", t, re.M).start() for t in texts]
    head = texts[0][:first_cell[0]]
    tmpl = []
    for t, i in zip(texts[1:], first_cell[1:]):
        for m in re.finditer(r"^\s*(lu_table_template|power_lut_template)\s*\(\s*(\w+)\s*\)\s*\{[^{}]*\}",
                             t[:i], re.M):
            if m.group(2) not in head:
                tmpl.append(m.group(0))
    body = [t[i:t.rstrip().rfind("}")] for t, i in zip(texts, first_cell)]
    merged = work / "asap7_rvt_merged.lib"
    merged.write_text(head + "\n".join(tmpl) + "\n" + "\n".join(body) + "\n}\n")
    src = shared_data / "netlists/iscas89/s1196.v"
    v = map_to_liberty([src], merged, "s1196", work / "s1196_asap7.v")
    return v, plain


def test_asap7_rvt_every_endpoint(require_tool, asap7, work):
    require_tool("sta")
    v, plain = asap7
    d = make_design(v, plain)
    # SDC in the library units (ps, fF), as OpenSTA reads it
    sdc = write_sdc(work / "s1196.sdc", d, period=250, in_delay=20, out_delay=30, load=2, trans=10)
    tc = read_constraints(sdc, d, d.libset)
    assert tc.clocks[0].period == pytest.approx(0.25)
    r = Timer(d, tc).update()
    out = sta_out(work, plain, v, "s1196", sdc, extra=["set_cmd_units -time ns -capacitance pF"])
    compare(r.endpoint_slacks(), out, 25)
    assert r.wns < 0


@pytest.mark.parametrize("drive", [
    "set_driving_cell -lib_cell INVX1 [get_ports {a b}]",
    "set_driving_cell -lib_cell AOI21X1 [get_ports {a b}]\nset_input_transition 0.3 [get_ports a]",
    "set_driving_cell -lib_cell NAND2X1 -from_pin B -pin Y [get_ports {a b}]",
])
def test_osu018_driving_cells(require_tool, work, drive):
    """Driving cells: OpenSTA adds the drive arc's delay at the port load MINUS its
    zero-load delay, takes its slew, and defaults to the first input pin's arc."""
    require_tool("sta")
    from conftest import need
    need(OSU018.is_file(), str(OSU018))
    v = work / "negedge_dc.v"
    v.write_text(NEG_EDGE)
    d = make_design(v, [OSU018])
    sdc = work / "drive.sdc"
    sdc.write_text("create_clock -name clk -period 1.2 [get_ports clk]\n"
                   "set_input_delay 0.3 -clock clk [get_ports {a b}]\n"
                   "set_output_delay 0.4 -clock clk [get_ports {y z}]\n"
                   "set_load 0.05 [get_ports {y z}]\n" + drive + "\n")
    tc = read_constraints(sdc, d, d.libset)
    assert len(tc.driving_cell) == 2
    r = Timer(d, tc).update()
    out = sta_out(work, [OSU018], v, "negedge_demo", sdc)
    compare(r.endpoint_slacks(), out, 5)


ASYNC = """module srdemo(clk, a, b, rn, y);
input clk, a, b, rn;
output y;
wire q1, q2, q3, n1, n2, n3;
DFFPOSX1 r1 (.CLK(clk), .D(a), .Q(q1));
NAND2X1 g1 (.A(q1), .B(rn), .Y(n1));
DFFSR r2 (.CLK(clk), .D(n2), .R(n1), .S(b), .Q(q2));
XOR2X1 g2 (.A(q2), .B(q1), .Y(n2));
INVX1 g3 (.A(q2), .Y(n3));
DFFSR r3 (.CLK(clk), .D(n3), .R(rn), .S(n1), .Q(q3));
BUFX2 g4 (.A(q3), .Y(y));
endmodule
"""


def test_osu018_async_set_reset(require_tool, work):
    """Recovery checks are endpoints (R, S pins); preset/clear arcs do not propagate
    (OpenSTA 2.0.17 defaults, measured)."""
    require_tool("sta")
    from conftest import need
    need(OSU018.is_file(), str(OSU018))
    v = work / "srdemo.v"
    v.write_text(ASYNC)
    d = make_design(v, [OSU018])
    sdc = work / "sr.sdc"
    sdc.write_text("create_clock -name clk -period 1.0 [get_ports clk]\n"
                   "set_input_delay 0.3 -clock clk [get_ports {a b rn}]\n"
                   "set_input_transition 0.1 [get_ports {a b rn}]\n"
                   "set_output_delay 0.2 -clock clk [get_ports y]\nset_load 0.03 [get_ports y]\n")
    r = Timer(d, read_constraints(sdc, d, d.libset)).update()
    assert {"r2/R", "r2/S", "r3/R", "r3/S"} <= set(r.endpoint_slacks())
    out = sta_out(work, [OSU018], v, "srdemo", sdc)
    compare(r.endpoint_slacks(), out, 8)


def test_incremental_retiming_equals_full_pass(sky_libs, s38417, work):
    """Several rounds of re-binding (random and clustered, up and down in voltage, one
    interpolated): incremental re-timing gives exactly the full-pass numbers."""
    d = make_design(s38417, [sky_libs["ss_n40C_1v76"], sky_libs["ss_n40C_1v28"]])
    sdc = write_sdc(work / "s38417inc.sdc", d, period=5.0, load=0.005, trans=0.08)
    tc = read_constraints(sdc, d, d.libset)
    t = Timer(d, tc)
    t.update()
    rng = np.random.default_rng(5)
    n = d.n_instances
    rounds = [(rng.choice(n, n // 50, replace=False), 1.28), (np.arange(1000, 1400), 1.28),
              (rng.choice(n, n // 20, replace=False), 1.76), (np.arange(3000, 3100), 1.5)]
    for sel, v in rounds:
        bind_voltage(d, np.sort(sel), v)
        inc = t.update()
        full = t.update(incremental=False)
        assert inc.endpoint_slacks() == pytest.approx(full.endpoint_slacks(), abs=1e-12)
        np.testing.assert_array_equal(inc.slew, full.slew)
        np.testing.assert_array_equal(inc.arrival, full.arrival)
        fresh = Timer(d, tc).update()          # nothing cached: loads, cell tables, rows
        np.testing.assert_array_equal(inc.load, fresh.load)
        np.testing.assert_array_equal(inc.arrival, fresh.arrival)
        np.testing.assert_array_equal(inc.table.slack, fresh.table.slack)


MULTI_CLOCK = """module mclk(clk1, clk2, a, b, c, y, z);
input clk1, clk2, a, b, c;
output y, z;
wire q1, q2, q3, q4, n1, n2, n3, n4;
DFFPOSX1 r1 (.CLK(clk1), .D(a), .Q(q1));
DFFPOSX1 r2 (.CLK(clk2), .D(b), .Q(q2));
NAND2X1 g1 (.A(q1), .B(q2), .Y(n1));
DFFPOSX1 r3 (.CLK(clk2), .D(n1), .Q(q3));
DFFNEGX1 r4 (.CLK(clk1), .D(n2), .Q(q4));
XOR2X1 g2 (.A(q3), .B(c), .Y(n2));
NOR2X1 g3 (.A(q4), .B(q1), .Y(n3));
INVX1 g4 (.A(n3), .Y(y));
AND2X1 g5 (.A(q3), .B(q4), .Y(n4));
BUFX2 g6 (.A(n4), .Y(z));
endmodule
"""


def test_osu018_two_clocks_uncertainty_unconstrained_input(require_tool, work):
    """Two clocks (2 ns and 3 ns with an offset waveform, cross-domain paths), setup
    uncertainty per clock, an input without input delay (its paths unconstrained)."""
    require_tool("sta")
    from conftest import need
    need(OSU018.is_file(), str(OSU018))
    v = work / "mclk.v"
    v.write_text(MULTI_CLOCK)
    d = make_design(v, [OSU018])
    sdc = work / "mclk.sdc"
    sdc.write_text("create_clock -name c1 -period 2.0 [get_ports clk1]\n"
                   "create_clock -name c2 -period 3.0 -waveform {0.5 2.0} [get_ports clk2]\n"
                   "set_clock_uncertainty 0.07 [get_clocks c1]\nset_clock_uncertainty 0.11 [get_clocks c2]\n"
                   "set_input_delay 0.3 -clock c1 [get_ports a]\nset_input_delay 0.2 -clock c2 [get_ports b]\n"
                   "set_input_transition 0.1 [get_ports {a b c}]\n"
                   "set_output_delay 0.4 -clock c2 [get_ports y]\nset_output_delay 0.25 -clock c1 [get_ports z]\n"
                   "set_load 0.04 [get_ports {y z}]\n")
    r = Timer(d, read_constraints(sdc, d, d.libset)).update()
    assert len(r.tags) == 3        # c1 rise, c1 fall (negedge r4), c2 rise
    out = sta_out(work, [OSU018], v, "mclk", sdc)
    compare(r.endpoint_slacks(), out, 6)


@pytest.mark.parametrize("period", [5.0, 1.1])
def test_sample_design_every_endpoint(require_tool, repo, work, period):
    """designs/sample (Yosys-mapped on osu018) with its own SDC (patterns, all_inputs /
    all_outputs), and with the clock tightened until it violates."""
    require_tool("sta")
    from conftest import need
    need(OSU018.is_file(), str(OSU018))
    v = repo / "designs/sample/sample_osu018.v"
    sdc = work / f"sample_{period}.sdc"
    sdc.write_text((repo / "designs/sample/sample.sdc").read_text().replace("-period 5.0", f"-period {period}"))
    d = make_design(v, [OSU018])
    r = Timer(d, read_constraints(sdc, d, d.libset)).update()
    out = sta_out(work, [OSU018], v, "sample", sdc)
    compare(r.endpoint_slacks(), out, 20)
    assert (r.wns < 0) == (period < 2)


def test_demo_placement_wire_caps_via_cli(require_tool, repo, work, run_cli):
    """`finevh sta --def --lef`: HPWL x cap/um wire loads on the placed demo design
    (demo28, 15.6k cells); OpenSTA gets the same wire loads as a SPEF."""
    require_tool("sta")
    import json

    from finevh.layout.defio import read_def
    from finevh.layout.lef import read_lef
    from finevh.layout.placement import from_def
    from finevh.timing import spef as spef_mod
    from finevh.timing import wire

    lib = repo / "libs/demo28/demo28_ss_125C_1p00v_pb0.lib"
    lef = repo / "libs/demo28/demo28.lef"
    base = repo / "designs/demo/fvh_rv32_demo28"
    from conftest import need
    need(lib.is_file() and Path(f"{base}.def").is_file(), "designs/demo and libs/demo28")
    sdc = work / "demo.sdc"
    sdc.write_text(Path(f"{base}.sdc").read_text() + "\n")
    code, out, err = run_cli("sta", "--liberty", lib, "--verilog", f"{base}.v", "--sdc", sdc, "--def", f"{base}.def",
                             "--lef", lef, "--cap-per-um", "0.0004", "--json", "--paths", "0")
    assert code == 0, err
    doc = json.loads(out)
    ours = {e["pin"]: e["slack_ns"] for e in doc["endpoints"]}
    d = make_design(f"{base}.v", [lib])
    pl = from_def(read_def(f"{base}.def"), read_lef([lef]), d.netlist.inst_names,
                  [d.cells[int(c)].name for c in d.inst_cell])
    wc = wire.from_placement(d, pl, 0.0004)
    assert wc.max() > 0.001
    caps = {n: float(c) for n, c in zip(d.netlist.net_names, wc) if c > 0}
    sp = work / "demo_hpwl.spef"
    spef_mod.write_spef_totals(sp, d, caps)
    ref_out = sta_out(work, [lib], f"{base}.v", "fvh_rv32", sdc, spef=sp)
    compare(ours, ref_out, 1000)


LATCHES = """module lat2(clk, a, b, y);
input clk, a, b;
output y;
wire q1, n1, l1, n2, q2, clkb, l2;
DFFPOSX1 r1 (.CLK(clk), .D(a), .Q(q1));
NAND2X1 g1 (.A(q1), .B(b), .Y(n1));
INVX1 ci (.A(clk), .Y(clkb));
LATCH L1 (.CLK(clkb), .D(n1), .Q(l1));
LATCH L2 (.CLK(clk), .D(n1), .Q(l2));
NOR2X1 g2 (.A(l1), .B(l2), .Y(n2));
DFFPOSX1 r2 (.CLK(clk), .D(n2), .Q(q2));
BUFX2 g3 (.A(q2), .Y(y));
endmodule
"""


@pytest.mark.parametrize("period", [2.0, 0.6, 0.45])
def test_osu018_latches_time_borrowing(require_tool, work, period):
    """Level-sensitive latches (one on the inverted clock): D endpoints with time
    borrowing (slack 0 while borrowing, negative beyond the maximum borrow), and paths
    launched through the latch at its opening edge plus the borrowed time."""
    require_tool("sta")
    from conftest import need
    need(OSU018.is_file(), str(OSU018))
    v = work / "lat2.v"
    v.write_text(LATCHES)
    d = make_design(v, [OSU018])
    sdc = work / f"lat_{period}.sdc"
    sdc.write_text(f"create_clock -name clk -period {period} [get_ports clk]\n"
                   "set_input_delay 0.1 -clock clk [get_ports {a b}]\n"
                   "set_output_delay 0.1 -clock clk [get_ports y]\n")
    r = Timer(d, read_constraints(sdc, d, d.libset)).update()
    out = sta_out(work, [OSU018], v, "lat2", sdc)
    compare(r.endpoint_slacks(), out, 5)


def test_wire_load_model_matches_opensta(require_tool, repo, work, run_cli):
    """A library with a default wire-load model: OpenSTA 2.0.17 applies it by itself,
    OpenSTA 3.x never does (no caller of its default). `finevh sta` follows 3.x by
    default; `--wire-load default` (or the model's name) gives 2.0.17's numbers."""
    require_tool("sta")
    import json

    from conftest import STA3, need
    need(OSU018.is_file(), str(OSU018))
    need(STA3.exists(), f"OpenSTA 3.x at {STA3}")
    src = OSU018.read_text()
    i = src.index("  operating_conditions")
    wl = ('  wire_load("wl_test") {\n    capacitance : 0.0002;\n    resistance : 0;\n    area : 0;\n'
          "    slope : 50;\n    fanout_length(1, 10);\n    fanout_length(2, 25);\n    fanout_length(4, 60);\n  }\n"
          '  default_wire_load : "wl_test";\n  default_wire_load_mode : top;\n')
    lib = work / "osu018_wl.lib"
    lib.write_text(src[:i] + wl + src[i:])
    v = repo / "designs/sample/sample_osu018.v"
    sdc = work / "sample_wl.sdc"
    sdc.write_text((repo / "designs/sample/sample.sdc").read_text().replace("-period 5.0", "-period 1.5"))

    def ours(*extra):
        code, out, err = run_cli("sta", "--liberty", lib, "--verilog", v, "--sdc", sdc, "--json", "--paths", "0", *extra)
        assert code == 0, err
        return {e["pin"]: e["slack_ns"] for e in json.loads(out)["endpoints"]}

    with_wl, without = ours("--wire-load", "default"), ours()
    assert ours("--wire-load", "wl_test") == with_wl and ours("--wire-load", "none") == without
    compare(with_wl, sta_out(work, [lib], v, "sample", sdc), 20)                 # OpenSTA 2.0.17
    compare(without, sta_out(work, [lib], v, "sample", sdc, sta=str(STA3)), 20)  # OpenSTA 3.x
    assert max(abs(with_wl[k] - without[k]) for k in with_wl) > 0.05
    # the SDC's set_wire_load_model: OpenSTA 3.x's way to a wire-load model
    sdc_wl = work / "sample_wl_sdc.sdc"
    sdc_wl.write_text(sdc.read_text() + "set_wire_load_model -name wl_test\n")
    code, out, err = run_cli("sta", "--liberty", lib, "--verilog", v, "--sdc", sdc_wl, "--json", "--paths", "0")
    assert code == 0, err
    by_sdc = {e["pin"]: e["slack_ns"] for e in json.loads(out)["endpoints"]}
    assert by_sdc == with_wl
    compare(by_sdc, sta_out(work, [lib], v, "sample", sdc_wl, sta=str(STA3)), 20)  # OpenSTA 3.x
    sdc_bad = work / "sample_wl_bad.sdc"
    sdc_bad.write_text(sdc.read_text() + "set_wire_load_model -name nope\n")
    code, _, err = run_cli("sta", "--liberty", lib, "--verilog", v, "--sdc", sdc_bad)
    n = len(sdc.read_text().splitlines()) + 1
    assert code == 2 and f"sample_wl_bad.sdc:{n}: set_wire_load_model: no wire-load model 'nope'" in err, err
    code, _, err = run_cli("sta", "--liberty", lib, "--verilog", v, "--sdc", sdc, "--wire-load", "nope")
    assert code == 2 and "no wire-load model 'nope'" in err
    code, _, err = run_cli("sta", "--liberty", OSU018, "--verilog", v, "--sdc", sdc, "--wire-load", "default")
    assert code == 2 and "no default_wire_load" in err


def test_rebind_drive_strength_vs_opensta_replace_cell(require_tool, repo, work):
    """Re-binding to cells of another arc layout (INVX1 -> INVX2, BUFX2 -> BUFX4) rebuilds
    the graph; OpenSTA's `replace_cell` on the same instances gives the same slacks."""
    require_tool("sta")
    from conftest import need
    need(OSU018.is_file(), str(OSU018))
    v = repo / "designs/sample/sample_osu018.v"
    d = make_design(v, [OSU018])
    sdc = work / "sample_rb.sdc"
    sdc.write_text((repo / "designs/sample/sample.sdc").read_text().replace("-period 5.0", "-period 1.2"))
    t = Timer(d, read_constraints(sdc, d, d.libset))
    before = t.update().endpoint_slacks()
    lib = d.libset.libraries[0]
    swaps = {"INVX1": "INVX2", "BUFX2": "BUFX4"}
    moved = [(i, swaps[d.cells[int(d.inst_cell[i])].name]) for i in range(d.n_instances)
             if d.cells[int(d.inst_cell[i])].name in swaps]
    assert len(moved) >= 5
    for i, new in moved:
        d.rebind([i], lib.cells[new])
    after = t.update().endpoint_slacks()
    assert after != before
    out = sta_out(work, [OSU018], v, "sample", sdc,
                  extra=[f"replace_cell {d.netlist.inst_names[i]} {new}" for i, new in moved])
    compare(after, out, 20)


CONSTANTS = """module k2(clk, a, b, c, y, z, w);
input clk, a, b, c;
output y, z, w;
wire q1, q4, n1, n2, n3, n4, n5, q2, q3;
DFFPOSX1 r1 (.CLK(clk), .D(a), .Q(q1));
DFFPOSX1 r4 (.CLK(clk), .D(c), .Q(q4));
NAND2X1 g1 (.A(q1), .B(1'b0), .Y(n1));
NOR2X1 g2 (.A(n1), .B(b), .Y(n2));
XOR2X1 g3 (.A(q1), .B(1'b1), .Y(n3));
MUX2X1 g4 (.A(q1), .B(q4), .S(1'b0), .Y(n4));
XNOR2X1 g5 (.A(n3), .B(n4), .Y(n5));
DFFPOSX1 r2 (.CLK(clk), .D(n2), .Q(q2));
DFFPOSX1 r3 (.CLK(clk), .D(n5), .Q(y));
BUFX2 g6 (.A(n2), .Y(z));
INVX1 g7 (.A(n5), .Y(w));
endmodule
"""


def test_osu018_netlist_constants(require_tool, work):
    """Tie-offs propagate as in OpenSTA: NAND(x, 0) and NOR(1, b) are constant (their
    endpoint r2/D and output z disappear), XOR(x, 1) becomes negative-unate, a MUX with
    a constant select only times its selected input."""
    require_tool("sta")
    from conftest import need
    need(OSU018.is_file(), str(OSU018))
    v = work / "k2.v"
    v.write_text(CONSTANTS)
    d = make_design(v, [OSU018])
    sdc = work / "k2.sdc"
    sdc.write_text("create_clock -name clk -period 1 [get_ports clk]\n"
                   "set_input_delay 0.1 -clock clk [get_ports {a b c}]\n"
                   "set_input_transition 0.2 [get_ports {a b c}]\n"
                   "set_output_delay 0.1 -clock clk [get_ports {y z w}]\nset_load 0.03 [get_ports {y z w}]\n")
    t = Timer(d, read_constraints(sdc, d, d.libset))
    r = t.update()
    assert "r2/D" not in r.endpoint_slacks() and "z" not in r.endpoint_slacks()
    out = sta_out(work, [OSU018], v, "k2", sdc)
    compare(r.endpoint_slacks(), out, 5)
