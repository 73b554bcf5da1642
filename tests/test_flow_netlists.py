"""Netlists and libraries as a physical-design flow writes them, checked against OpenSTA 3.x.

OpenROAD's own test designs (../shared/data/openroad/test): gcd/aes/ibex on sky130hd,
gcd and tinyRocket (with the ``fakeram45_64x32`` SRAM macro, Liberty ``bus`` pins) on
Nangate45, gcd/aes on ASAP7, and gcd as OpenROAD placed it (``src/fin/test/gcd_prefill.def``:
873 tap cells and 7889 fillers, masters without a Liberty cell). For each, ``finevh sta``
and OpenSTA 3.x load the same files and must report the same set of setup endpoints
with slacks within ``TOL_NS``.

Settings shared by both tools, and why:

- SDC: every design's .sdc calls ``set_all_input_output_delays``, a Tcl procedure of
  OpenROAD's ``flow_helpers.tcl``, not an SDC command. The comparison uses the design's
  ``create_clock`` line plus what that procedure expands to (input and output delays of
  0.2 x period on the non-clock inputs and all outputs).
- No wire load: OpenSTA 3.x never applies a library's ``default_wire_load`` (its
  ``LibertyLibrary::defaultWireload`` has no caller), so finevh runs with ``--wire-load none``.
- Nangate45: the test tree has no Nangate45 Liberty; both read ``nangate45_typ.lib.gz`` of
  OpenSTA's own examples (vendor archive). sky130hd: ``sky130hd_tt.lib`` is a link to the
  shared tt_025C_1v80 library. ASAP7: the shared RVT TT libraries.

tinyRocket: the SRAM's outputs are characterised with 20/80 % slew thresholds, Nangate45
with 30/70 %; both tools rescale a slew crossing between the libraries (x 40/60,
finevh/timing/thresholds.py; without it the SRAM-output paths differed by 1.02 ps).
ibex: the AND gate that gates ``clk_i`` with a latch output gets OpenSTA's inferred
clock-gating check in both tools (finevh/timing/gating.py).
"""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
from pathlib import Path

import pytest
from conftest import SHARED, need
from opensta import parse_endpoint_slacks, prepare_liberty

DATA = SHARED / "data"
OR = DATA / "openroad"
T = OR / "test"
VENDOR = SHARED / "vendor" / "opensta" / "opensta-737b52f.tar.gz"
SKY = DATA / "liberty" / "sky130_fd_sc_hd" / "sky130_fd_sc_hd__tt_025C_1v80.lib.gz"
ASAP7 = [DATA / "liberty" / "asap7" / f"asap7sc7p5t_{g}_RVT_TT_nldm_{d}.lib.gz"
         for g, d in (("AO", "211120"), ("INVBUF", "220122"), ("OA", "211120"), ("SEQ", "220123"),
                      ("SIMPLE", "211120"))]
TOL_NS = 0.001

# name: (verilog, sdc, libraries, tolerance ns)
DESIGNS = {
    "gcd_sky130hd": ("gcd_sky130hd.v", "gcd_sky130hd.sdc", "sky130", TOL_NS),
    "aes_sky130hd": ("aes_sky130hd.v", "aes_sky130hd.sdc", "sky130", TOL_NS),
    "ibex_sky130hd": ("ibex_sky130hd.v", "ibex_sky130hd.sdc", "sky130", TOL_NS),
    "gcd_nangate45": ("gcd_nangate45.v", "gcd_nangate45.sdc", "nangate45", TOL_NS),
    "tinyRocket_nangate45": ("tinyRocket_nangate45.v", "tinyRocket_nangate45.sdc", "nangate45", TOL_NS),
    "gcd_asap7": ("gcd_asap7.v", "gcd_asap7.sdc", "asap7", TOL_NS),
    "aes_asap7": ("aes_asap7.v", "aes_asap7.sdc", "asap7", TOL_NS),
}



@pytest.fixture(scope="session")
def libs(tmp_path_factory):
    """Plain .lib files both tools read, per technology."""
    need(T.is_dir(), f"OpenROAD test data at {T}")
    w = tmp_path_factory.mktemp("flowlibs")

    def get(tech: str) -> list[Path]:
        if tech == "sky130":
            need(SKY.is_file(), str(SKY))
            return [prepare_liberty(SKY, w)]
        if tech == "asap7":
            for p in ASAP7:
                need(p.is_file(), str(p))
            return [prepare_liberty(p, w) for p in ASAP7]
        need(VENDOR.is_file(), str(VENDOR))
        dst = w / "nangate45_typ.lib.gz"
        if not dst.exists():
            with tarfile.open(VENDOR) as tf:
                m = next(m for m in tf.getmembers() if m.name.endswith("examples/nangate45_typ.lib.gz"))
                dst.write_bytes(tf.extractfile(m).read())
        return [prepare_liberty(dst, w), T / "Nangate45" / "fakeram45_64x32.lib"]

    return get


def flow_sdc(sdc: Path, out: Path) -> Path:
    """The design's create_clock plus ``set_all_input_output_delays`` expanded (0.2 x period)."""
    text = sdc.read_text()
    clk = next(l for l in text.splitlines() if l.startswith("create_clock"))
    period = float(re.search(r"-period\s+([\d.]+)", clk).group(1))
    name = re.search(r"-name\s+(\S+)", clk)
    port = re.search(r"get_ports\s+(\S+?)\]", clk).group(1)
    cname = name.group(1) if name else port
    d = f"{0.2 * period:.6g}"
    out.write_text(f"{clk}\nset_input_delay {d} -clock {cname} [all_inputs -no_clocks]\n"
                   f"set_output_delay {d} -clock {cname} [all_outputs]\n")
    return out


def top_of(verilog: Path) -> str:
    with open(verilog) as f:
        for line in f:
            m = re.match(r"\s*module\s+(\S+?)\s*\(", line)
            if m:
                return m.group(1)
    raise AssertionError(f"no module in {verilog}")


def opensta_slacks(sta: str, libs: list[Path], verilog: Path, top: str, sdc: Path, work: Path):
    script = work / "ref.tcl"
    script.write_text("".join(f"read_liberty {{{p}}}\n" for p in libs)
                      + f"read_verilog {{{verilog}}}\nlink_design {top}\nread_sdc {{{sdc}}}\n"
                      "set_cmd_units -time ns\n"   # after the SDC: ASAP7's SDC is in its library unit, ps
                      "report_checks -path_delay max -format end -group_path_count 1000000 "
                      "-endpoint_path_count 1 -digits 6\n")
    r = subprocess.run([sta, "-no_init", "-no_splash", "-exit", str(script)], capture_output=True, text=True,
                       timeout=300, cwd=work, stdin=subprocess.DEVNULL)
    return {k: v.slack for k, v in parse_endpoint_slacks(r.stdout).items()}, r.stdout + r.stderr


def finevh_slacks(run_cli, libs, verilog, sdc, *extra):
    args = ["sta", "--wire-load", "none", "--json", "--verilog", verilog, "--sdc", sdc, *extra]
    for p in libs:
        args += ["--liberty", p]
    code, out, err = run_cli(*args)
    assert code == 0, err
    rep = json.loads(out)
    return {e["pin"]: e["slack_ns"] for e in rep["endpoints"] if e["kind"] in ("setup", "output", "gating_setup")}, err


def compare(ours: dict, ref: dict, tol: float) -> float:
    assert ref, "OpenSTA reported no endpoint"
    assert set(ours) == set(ref), (sorted(set(ours) - set(ref))[:5], sorted(set(ref) - set(ours))[:5])
    worst = max((abs(ours[k] - ref[k]), k) for k in ref)
    assert worst[0] <= tol, f"slack of {worst[1]}: finevh {ours[worst[1]]} OpenSTA {ref[worst[1]]}"
    return worst[0]


@pytest.mark.parametrize("name", list(DESIGNS))
def test_openroad_design_times_like_opensta3(name, tmp_path, sta3, libs, run_cli):
    v, s, tech, tol = DESIGNS[name]
    verilog = T / v
    need(verilog.is_file(), str(verilog))
    lib = libs(tech)
    sdc = flow_sdc(T / s, tmp_path / "flow.sdc")
    ref, log = opensta_slacks(sta3, lib, verilog, top_of(verilog), sdc, tmp_path)
    ours, _ = finevh_slacks(run_cli, lib, verilog, sdc)
    worst = compare(ours, ref, tol)
    print(f"\n{name}: {len(ref)} endpoints, max |slack diff| {worst * 1e3:.4f} ps")
    if name.startswith("tinyRocket"):   # the SRAM's bus pins are endpoints in both tools
        mem = [k for k in ours if "_ext.mem/" in k]
        assert len(mem) == 112, len(mem)      # measured with OpenSTA 3.x (constant-driven bits excluded)
        assert "dcache.data.data_arrays_0.data_arrays_0_ext.mem/addr_in[5]" in mem
    if name.startswith("ibex"):         # the clock gate's enable: a gating check in both tools
        assert "_17174_/B" in ours


# ---------------------------------------------------------------------------- placed netlist with taps

def def_to_verilog(def_path: Path, out: Path, fillers: bool = True) -> Path:
    """The structural Verilog of a placed DEF (ports from PINS, one instance per component,
    connections from NETS), as OpenROAD's ``write_verilog`` writes it: tap and filler
    cells are instances with no connection. ``fillers=False`` leaves the fillers out (the
    netlist as written before filler insertion; they stay DEF-only physical cells)."""
    from finevh.layout.defio import read_def

    d = read_def(str(def_path))
    conns: dict[str, list[tuple[str, str]]] = {}
    for n in d.nets:
        for comp, pin in n.conns:
            if comp != "PIN":
                conns.setdefault(comp, []).append((pin, n.name))

    def esc(x: str) -> str:
        return x if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", x) else f"\\{x} "

    dirs = {"INPUT": "input", "OUTPUT": "output", "INOUT": "inout"}
    pins = [p for p in d.pins if not p.special]
    L = [f"module {d.design} ({', '.join(esc(p.name) for p in pins)});"]
    L += [f"  {dirs.get(p.direction or 'INPUT', 'input')} {esc(p.name)};" for p in pins]
    port_names = {p.name for p in pins}
    L += [f"  wire {esc(n.name)};" for n in d.nets if n.name not in port_names]
    for name, master in zip(d.components.names, d.components.masters):
        if not fillers and "__fill_" in master:
            continue
        c = ", ".join(f".{pin}({esc(net)})" for pin, net in conns.get(name, []))
        L.append(f"  {master} {esc(name)} ({c});")
    L.append("endmodule")
    out.write_text("\n".join(L) + "\n")
    return out


@pytest.fixture(scope="module")
def placed_gcd(tmp_path_factory):
    dp = OR / "src" / "fin" / "test" / "gcd_prefill.def"
    need(dp.is_file(), str(dp))
    w = tmp_path_factory.mktemp("placed_gcd")
    return def_to_verilog(dp, w / "gcd_placed.v"), dp, def_to_verilog(dp, w / "gcd_taps.v", fillers=False)


LEFS = [T / "sky130hd" / "sky130hd.tlef", T / "sky130hd" / "sky130_fd_sc_hd_merged.lef"]


def test_placed_netlist_with_taps_times_like_opensta3(placed_gcd, tmp_path, sta3, libs, run_cli):
    text = placed_gcd[0].read_text()
    assert text.count("sky130_fd_sc_hd__tapvpwrvgnd_1 ") == 873
    # plus a black box on two logic nets (a macro without Liberty): it neither drives nor loads them
    verilog = tmp_path / "gcd_bb.v"
    verilog.write_text(text.replace("endmodule", "  FAKE_MACRO bb0 (.A(_000_), .Z(_001_), .B({_002_, _003_}));\n"
                                    "endmodule"))
    lib = libs("sky130")
    sdc = flow_sdc(T / "gcd_sky130hd.sdc", tmp_path / "flow.sdc")
    ref, log = opensta_slacks(sta3, lib, verilog, "gcd", sdc, tmp_path)
    assert "Creating black box" in log   # OpenSTA black-boxes the taps and fillers too
    ours, err = finevh_slacks(run_cli, lib, verilog, sdc)
    worst = compare(ours, ref, TOL_NS)
    print(f"\nplaced gcd: {len(ref)} endpoints, max |slack diff| {worst * 1e3:.4f} ps")
    # one warning per master without a Liberty cell: the tap and the four fillers
    bb = re.findall(r"warning: .*cell '(\S+)' is in no library: its (\d+) instance", err)
    assert sorted(bb) == [("FAKE_MACRO", "1"), ("sky130_fd_sc_hd__fill_1", "922"), ("sky130_fd_sc_hd__fill_2", "886"),
                          ("sky130_fd_sc_hd__fill_4", "295"), ("sky130_fd_sc_hd__fill_8", "5786"),
                          ("sky130_fd_sc_hd__tapvpwrvgnd_1", "873")]


def test_placed_netlist_with_taps_loads_with_lef_and_def(placed_gcd, libs):
    """Black boxes are placed instances: LEF area, physical-only class, the LEF's supply pins."""
    from finevh.loader import load_design

    verilog, dp, _ = placed_gcd
    d = load_design(libs("sky130"), str(verilog), lef=[str(p) for p in LEFS], def_file=str(dp))
    bb = d.black_boxes()
    assert int(bb.sum()) == 873 + 922 + 886 + 295 + 5786
    tap = next(c for c in d.cells if c.name == "sky130_fd_sc_hd__tapvpwrvgnd_1")
    assert tap.black_box and tap.physical_only and tap.area == pytest.approx(0.46 * 2.72)
    assert set(tap.pg_pins) == {"VPWR", "VGND"}
    assert bool(d.placement.placed[bb].all())      # taps and fillers keep their DEF locations
    assert d.supply_pins().power == "VPWR" and d.supply_pins().ground == "VGND"
    # black boxes are in no net row: the nets of the logic are unchanged
    assert int((d.net_n_drivers > 1).sum()) == 0


def test_placed_netlist_with_taps_power_and_partition(placed_gcd, libs, run_cli, tmp_path):
    """read -> power -> partition -> emit on the placed netlist with its 873 taps (fillers,
    which fill every free site, are left to the DEF: partition must re-legalise into tiles)."""
    _, dp, verilog = placed_gcd
    lib = [str(p) for p in libs("sky130")]
    sdc = flow_sdc(T / "gcd_sky130hd.sdc", tmp_path / "flow.sdc")
    args = [a for p in lib for a in ("--liberty", p)]
    lefs = [a for p in LEFS for a in ("--lef", str(p))]
    code, out, err = run_cli("power", *args, "--verilog", verilog, "--sdc", sdc, "--json", "-q")
    assert code == 0, err
    p = json.loads(out)
    notaps = tmp_path / "notaps.v"
    notaps.write_text("".join(l for l in verilog.read_text().splitlines(True) if "tapvpwrvgnd" not in l))
    code, out, err = run_cli("power", *args, "--verilog", notaps, "--sdc", sdc, "--json", "-q")
    assert code == 0, err
    q = json.loads(out)
    assert (p["instances"], q["instances"]) == (347 + 873, 347)
    for k in ("internal_uw", "switching_uw", "leakage_uw", "total_uw"):   # taps add no power
        assert p[k] == pytest.approx(q[k], rel=1e-12) and p[k] > 0, k   # summation order differs
    plan = tmp_path / "gcd.fvh.json"
    code, out, err = run_cli("partition", *args, *lefs, "--verilog", verilog, "--def", dp, "--tiles", "2",
                             "--out", plan, "--json")
    assert code == 0, err
    raw = json.loads(plan.read_text())
    assert raw["cell_pins"] == {"ground": "VGND", "power": "VPWR"}
    assert len(raw["inst_names"]) == 9109 - 7889   # the taps are placed instances of the plan
    from finevh.fvh.plan import read_plan
    from finevh.stages.emit import emit_stage

    res = emit_stage(None, None, read_plan(plan), tools=("openroad",))
    assert res.report["power_pin"] == "VPWR" and res.report["ground_pin"] == "VGND"
    assert "VPWR" in res.extra["texts"]["openroad"]


# ---------------------------------------------------------------------------- small cases, no tool

BUS_LIB = """library (busy) {
  time_unit : "1ns"; capacitive_load_unit (1, pf); voltage_unit : "1V"; leakage_power_unit : "1nW";
  nom_voltage : 1.8; delay_model : table_lookup;
  type (up4) { base_type : array; data_type : bit; bit_width : 4; bit_from : 0; bit_to : 3; downto : false; }
  type (w2) { base_type : array; data_type : bit; bit_width : 2; bit_from : 1; bit_to : 0; downto : true; }
  cell (REG) {
    area : 10;
    pg_pin (VPWR) { pg_type : primary_power; voltage_name : VPWR; }
    pg_pin (VGND) { pg_type : primary_ground; voltage_name : VGND; }
    pg_pin (VPB) { pg_type : nwell; voltage_name : VPB; }
    pin (CK) { direction : input; capacitance : 0.002; clock : true; }
    bus (D) {
      bus_type : up4; direction : input; capacitance : 0.001;
      timing () { related_pin : "CK"; timing_type : setup_rising;
                  rise_constraint (scalar) { values ("0.05"); } fall_constraint (scalar) { values ("0.05"); } }
      pin (D[2]) { capacitance : 0.004; }
    }
    bus (S) { bus_type : w2; direction : input; capacitance : 0.003; }
    bus (Q) {
      bus_type : w2; direction : output;
      timing () { related_pin : "S"; cell_rise (scalar) { values ("0.1"); } cell_fall (scalar) { values ("0.1"); } }
      timing () { related_pin : "CK"; timing_type : rising_edge;
                  cell_rise (scalar) { values ("0.2"); } cell_fall (scalar) { values ("0.2"); } }
    }
    bundle (B) { members (B1, B0); direction : output;
      timing () { related_pin : "D"; cell_rise (scalar) { values ("0.3"); } cell_fall (scalar) { values ("0.3"); } }
    }
    bus (R) { bus_type : w2; direction : output;
      timing () { related_bus_pins : "S"; cell_rise (scalar) { values ("0.4"); } cell_fall (scalar) { values ("0.4"); } }
    }
  }
}
"""


@pytest.fixture
def bus_lib(tmp_path):
    from finevh.liberty.libset import load_library_set

    p = tmp_path / "busy.lib"
    p.write_text(BUS_LIB)
    return load_library_set([str(p)])


def test_liberty_bus_and_bundle_pins(bus_lib, tmp_path, capsys):
    from finevh.liberty.reader import read_liberty

    c = read_liberty(tmp_path / "busy.lib", use_cache=False).cells["REG"]
    assert "cell 'REG': timing of B related to D of a different width" in capsys.readouterr().err
    # an "upto" bus: members MSB first are D[0] .. D[3]
    assert c.buses["D"].members == ["D[0]", "D[1]", "D[2]", "D[3]"] and c.buses["D"].member_at(0) == "D[3]"
    assert [c.pins[f"D[{i}]"].capacitance for i in range(4)] == [0.001, 0.001, 0.004, 0.001]
    assert all(c.pins[f"D[{i}]"].timing[0].timing_type == "setup_rising" for i in range(4))
    assert c.pins["D[2]"].timing[0].rise_constraint.values == pytest.approx(0.05)   # the bit inherits the arcs
    # bus-to-bus arc of equal width: bit to bit; the clock arc stays
    assert [(a.related_pin, a.timing_type) for a in c.pins["Q[1]"].timing] == [("S[1]", "combinational"),
                                                                                  ("CK", "rising_edge")]
    assert [a.related_pin for a in c.pins["Q[0]"].timing][0] == "S[0]"
    # bundle of 2 related to a bus of 4 by related_pin: paired from the last members (as OpenSTA)
    assert c.buses["B"].kind == "bundle" and c.buses["B"].members == ["B1", "B0"]
    assert [a.related_pin for a in c.pins["B1"].timing] == ["D[2]"]
    assert [a.related_pin for a in c.pins["B0"].timing] == ["D[3]"]
    # related_bus_pins: every bit to every bit
    assert [a.related_pin for a in c.pins["R[0]"].timing] == ["S[1]", "S[0]"]
    assert c.power_pins() == ["VPWR"] and c.ground_pins() == ["VGND"]


def test_netlist_binds_bus_bits_in_declared_order(bus_lib, tmp_path):
    from finevh.design import DIR_INPUT, link
    from finevh.netlist.verilog import read_verilog

    v = tmp_path / "t.v"
    v.write_text("module t (a, b, c, d, s1, s0, ck, q1, q0, x);\n input a, b, c, d, s1, s0, ck;\n"
                 " output q1, q0, x;\n wire [1:0] s;\n assign s = {s1, s0};\n"
                 " REG r (.CK(ck), .D({a, b, c, d}), .S(s), .Q({q1, q0}), .B1(x));\nendmodule\n")
    d = link(read_verilog(v), bus_lib)
    nl = d.netlist
    names = [nl.pin_names[k] for k in nl.pin_name.tolist()]
    net = [nl.net_names[k] for k in nl.pin_net.tolist()]
    got = dict(zip(names, net))
    # D is declared [0:3]: the first bit of the concatenation is D[0]
    assert [got[f"D[{i}]"] for i in range(4)] == ["a", "b", "c", "d"]
    assert (got["Q[1]"], got["Q[0]"]) == ("q1", "q0")
    assert (got["S[1]"], got["S[0]"]) == ("s1", "s0")
    assert d.pin_dir[names.index("D[0]")] == DIR_INPUT
    assert d.supply_pins().power == "VPWR" and d.supply_pins().ground == "VGND"
    # more bits than the bus has: an error at the instance
    v.write_text("module t (a, ck);\n input a, ck;\n REG r (.CK(ck), .S({a, a, a}));\nendmodule\n")
    from finevh.errors import InputError

    with pytest.raises(InputError, match=r"no pin 'S\[2\]'"):
        link(read_verilog(v), bus_lib)


def test_bus_cell_times_like_opensta3(bus_lib, tmp_path, run_cli, sta3):
    """Bus binding and bus arcs against OpenSTA 3.x: distinct input delays per bit show which
    net each bit took; bundle and related_bus_pins arcs reach the outputs."""
    v = tmp_path / "t.v"
    v.write_text("module t (a, b, c, d, s1, s0, ck, q1, q0, x1, x0, r1, r0);\n"
                 " input a, b, c, d, s1, s0, ck;\n output q1, q0, x1, x0, r1, r0;\n"
                 " REG r (.CK(ck), .D({a, b, c, d}), .S({s1, s0}), .Q({q1, q0}), .B({x1, x0}), .R({r1, r0}));\n"
                 "endmodule\n")
    sdc = tmp_path / "t.sdc"
    sdc.write_text("create_clock -name c -period 5 [get_ports ck]\n"
                   + "".join(f"set_input_delay {k} -clock c [get_ports {n}]\n" for k, n in
                             ((1, "a"), (2, "b"), (3, "c"), (4, "d"), (1, "s1"), (1.5, "s0")))
                   + "set_output_delay 0 -clock c [all_outputs]\n")
    ref, log = opensta_slacks(sta3, [tmp_path / "busy.lib"], v, "t", sdc, tmp_path)
    assert "different sizes" in log
    ours, err = finevh_slacks(run_cli, [tmp_path / "busy.lib"], v, sdc)
    compare(ours, ref, 1e-6)
    assert ours["r/D[0]"] == pytest.approx(3.95) and ours["r/D[3]"] == pytest.approx(0.95)   # a -> D[0]
    assert ours["x1"] == pytest.approx(5 - 3.3) and ours["x0"] == pytest.approx(5 - 4.3)     # D[2] -> B1, D[3] -> B0
    assert ours["r1"] == pytest.approx(5 - 1.9) and ours["r0"] == pytest.approx(5 - 1.9)     # both from s0


def test_plan_cell_pins_are_optional_and_drive_emit(tmp_path):
    from finevh.emit.common import EmitOptions
    from finevh.fvh.plan import plan_from_dict, plan_to_dict
    from finevh.stages.emit import resolve_supply_pins

    import numpy as np

    from finevh.fvh.plan import Mesh, Plan, Tile

    mesh = Mesh(n=1, base_core=(0, 0, 10, 10), core=(0, 0, 10, 10), die=(0, 0, 10, 10), wrapper_x=0, wrapper_y=0,
                tile_w=10, tile_h=10, row_height=1, site_width=0.1, site="s", rows=10, tiles=[Tile(0, (0, 0, 10, 10), 10, 1)])
    plan = Plan(design="t", mesh=mesh, inst_names=["u1"], inst_tile=np.zeros(1, np.int32),
                interface=np.zeros(1, bool))
    raw = plan_to_dict(plan)
    assert "cell_pins" not in raw                 # old readers see the same keys as before
    old = plan_from_dict(json.loads(json.dumps(raw)))
    assert old.cell_pins == {}
    assert resolve_supply_pins(old, EmitOptions()).power_pin == "VDD"
    plan.cell_pins = {"power": "VPWR", "ground": "VGND"}
    back = plan_from_dict(json.loads(json.dumps(plan_to_dict(plan))))
    assert back.cell_pins == {"ground": "VGND", "power": "VPWR"}
    o = resolve_supply_pins(back, EmitOptions())
    assert (o.power_pin, o.ground_pin) == ("VPWR", "VGND")
    o = resolve_supply_pins(back, EmitOptions(power_pin="VDDC"))   # an explicit name wins
    assert (o.power_pin, o.ground_pin) == ("VDDC", "VGND")
    raw = plan_to_dict(plan)
    raw["cell_pins"]["bulk"] = "VPB"
    from finevh.errors import InputError

    with pytest.raises(InputError, match="cell_pins: unknown key 'bulk'"):
        plan_from_dict(raw)


def test_supply_pins_from_lef_when_liberty_has_no_pg_pin(tmp_path):
    """A Liberty without pg_pin groups: the LEF's USE POWER / USE GROUND pins name the supplies;
    a LEF-only macro (no Liberty cell) is a black box with the LEF's area and supply pins."""
    from finevh.loader import load_design

    lib = tmp_path / "nopg.lib"
    lib.write_text('library (nopg) { time_unit : "1ns"; capacitive_load_unit (1, pf); nom_voltage : 1.0;\n'
                   '  cell (BUF) { area : 2; pin (A) { direction : input; capacitance : 0.001; }\n'
                   '    pin (Y) { direction : output; function : "A";\n'
                   '      timing () { related_pin : "A"; cell_rise (scalar) { values ("0.1"); } '
                   'cell_fall (scalar) { values ("0.1"); } } } } }\n')
    lef = tmp_path / "c.lef"
    lef.write_text("VERSION 5.8 ;\nMACRO BUF\n  CLASS CORE ;\n  SIZE 1 BY 2 ;\n"
                   "  PIN A DIRECTION INPUT ; USE SIGNAL ; END A\n  PIN Y DIRECTION OUTPUT ; USE SIGNAL ; END Y\n"
                   "  PIN VDDC DIRECTION INOUT ; USE POWER ; END VDDC\n"
                   "  PIN VSSC DIRECTION INOUT ; USE GROUND ; END VSSC\nEND BUF\n"
                   "MACRO TAPC\n  CLASS CORE WELLTAP ;\n  SIZE 0.5 BY 2 ;\n"
                   "  PIN VDDC DIRECTION INOUT ; USE POWER ; END VDDC\n"
                   "  PIN VSSC DIRECTION INOUT ; USE GROUND ; END VSSC\nEND TAPC\nEND LIBRARY\n")
    v = tmp_path / "t.v"
    v.write_text("module t (a, y);\n input a;\n output y;\n BUF u1 (.A(a), .Y(y), .VDDC(), .VSSC());\n"
                 " TAPC t1 (.VDDC(), .VSSC());\n TAPC t2 ();\nendmodule\n")
    d = load_design([str(lib)], str(v), lef=[str(lef)])
    sp = d.supply_pins()
    assert (sp.power, sp.ground) == ("VDDC", "VSSC")
    tap = d.cell_of(1)
    assert tap.black_box and tap.physical_only and tap.area == pytest.approx(1.0)
    assert tap.power_pins() == ["VDDC"] and tap.ground_pins() == ["VSSC"]
    assert d.black_boxes().tolist() == [False, True, True]
