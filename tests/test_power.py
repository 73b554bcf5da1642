"""Power analysis against OpenSTA 2.0.17 ``report_power`` on real libraries.

Every analysis in this file runs with ``opensta_rules="2.0"`` (the explicit
OpenSTA 2.0.17 compatibility mode: rise + fall energies summed, 2.0.17's duty
rules), because the reference here is Debian's OpenSTA 2.0.17; the default rules
(OpenSTA 3.x) are tested against OpenSTA 3.x in ``test_power3.py``.

- osu018: ISCAS-89 s1196 mapped by Yosys; internal, switching and leakage per group
  (Sequential, Combinational) with the default propagated activity, another input
  activity and a global activity -- each in a fresh OpenSTA session, because
  OpenSTA 2.0.17 keeps register activities from an earlier ``report_power``.
- sky130 HD: the shared s38417 netlist (5,810 cells); leakage and switching per
  group; internal power is 0 in OpenSTA there (see docs/power.md), not here.
- Multi-Vdd: every other s38417 instance bound to the 1.28 V library; OpenSTA gets
  the same binding through a renamed copy of that library (``_VL`` cells).
- VCD: a real Icarus gate-level VCD: signal mapping, hand-checked switching, and the
  input-port activities fed to OpenSTA with ``set_power_activity -input_ports``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import opensta  # noqa: E402
from finevh.activity.model import SignalActivity  # noqa: E402
from finevh.activity.vcd import read_vcd  # noqa: E402
from finevh.analysis import run_power  # noqa: E402
from finevh.power.analysis import ActivitySpec, analyse  # noqa: E402
from conftest import no_id  # noqa: E402

OSU_LIB = Path("/usr/share/qflow/tech/osu018/osu018_stdcells.lib")
OSU_V = Path("/usr/share/qflow/tech/osu018/osu018_stdcells.v")
SKY_TT = "liberty/sky130_fd_sc_hd/sky130_fd_sc_hd__tt_025C_1v80.lib.gz"
SKY_128 = "liberty/sky130_fd_sc_hd/sky130_fd_sc_hd__ss_n40C_1v28.lib.gz"
SKY = "liberty/sky130_fd_sc_hd/sky130_fd_sc_hd__{}.lib.gz"
S38417 = "mapped/s38417_sky130hd_tt.v"
GROUPS = (("sequential", "Sequential"), ("combinational", "Combinational"))
KINDS = (("internal_uw", "internal"), ("switching_uw", "switching"), ("leakage_uw", "leakage"))
REL = 0.01     # the tolerance per group


# tests that check the Tcl twins against finevh's own default (3.x) rules
_DEFAULT_RULES = {"test_tcl_twin_in_yosys_shell", "test_compiled_energy_sum_equals_numpy"}


@pytest.fixture(autouse=True)
def _opensta_2_0_internal_power(monkeypatch, request):
    """Run every analysis of this file in the OpenSTA 2.0.17 compatibility mode."""
    import dataclasses
    from finevh.power import analysis as A

    if request.node.originalname in _DEFAULT_RULES:
        return
    real = A.analyse

    def analyse_2_0(design, constraints=None, spec=None, **kw):
        spec = dataclasses.replace(spec or A.ActivitySpec(), opensta_rules="2.0")
        return real(design, constraints, spec, **kw)

    monkeypatch.setattr(A, "analyse", analyse_2_0)
    monkeypatch.setitem(globals(), "analyse", analyse_2_0)


def _need_osu():
    if not OSU_LIB.is_file():
        from conftest import need
        need(False, f"Debian qflow-tech-osu018 ({OSU_LIB})")


def _sdc(path: Path, clock: str, inputs: list[str], period: float, load: float = 0.0) -> Path:
    lines = [f"create_clock -name clk -period {period} [get_ports {clock}]",
             f"set_input_delay 0.2 -clock clk [get_ports {{{' '.join(inputs)}}}]",
             "set_output_delay 0 -clock clk [all_outputs]"]
    if load:
        lines.append(f"set_load {load} [all_outputs]")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="session")
def s1196_osu(tmp_path_factory, require_tool, shared_data):
    """(netlist, sdc) of ISCAS-89 s1196 mapped onto osu018 by Yosys."""
    _need_osu()
    require_tool("yosys")
    d = tmp_path_factory.mktemp("s1196")
    src = shared_data / "netlists/iscas89/s1196.v"
    out = d / "s1196_osu.v"
    L = str(OSU_LIB)
    subprocess.run(["yosys", "-q", "-p",
                    f"read_verilog {src}; synth -flatten -top s1196; dfflibmap -liberty {L}; "
                    f"abc -liberty {L}; opt_clean; setundef -zero; splitnets -ports; opt_clean -purge; "
                    f"insbuf -buf BUFX2 A Y; write_verilog -noattr -noexpr -simple-lhs {out}"],
                   check=True, capture_output=True)
    sdc = _sdc(d / "s1196.sdc", "CK", [f"G{k}" for k in range(14)], 5.0, load=0.02)
    return out, sdc


def _sta_power(libs, verilog, top, sdc, extra: list[str]) -> dict:
    script = opensta.design_script(libs, verilog, top, sdc, extra=extra + ["report_power -digits 10"])
    return opensta.parse_power(opensta.run_sta(script))


def _compare(ours, theirs, kinds=KINDS, rel=REL) -> dict[str, float]:
    """Relative differences per group and kind; asserts each within ``rel``."""
    out = {}
    for g, G in GROUPS:
        for k, K in kinds:
            a = ours.group(g)[k] * 1e-6
            b = theirs[G][K]
            d = abs(a - b) / max(abs(b), 1e-30)
            out[f"{G}.{K}"] = d
            assert a == pytest.approx(b, rel=rel, abs=1e-15), (G, K, a, b)
    print("relative differences vs OpenSTA:", {k: f"{v:.1e}" for k, v in out.items()})
    return out


OSU_CASES = {
    "default": ({}, []),
    "input_0.3_0.2": ({"input_activity": (0.3, 0.2)}, ["set_power_activity -input -activity 0.3 -duty 0.2"]),
    "global_0.2": ({"global_activity": (0.2, 0.5)}, ["set_power_activity -global -activity 0.2 -duty 0.5"]),
}


@pytest.mark.parametrize("case", list(OSU_CASES))
def test_osu018_s1196_all_groups_match_opensta(s1196_osu, require_tool, case):
    require_tool("sta")
    v, sdc = s1196_osu
    kw, cmds = OSU_CASES[case]
    _, res, info = run_power([OSU_LIB], v, sdc, **kw)
    theirs = _sta_power([OSU_LIB], v, "s1196", sdc, cmds)
    diffs = _compare(res, theirs)
    assert max(diffs.values()) < 1e-4      # in practice ~1e-7: same rules, same tables
    assert res.total["internal_uw"] > 100 * res.total["leakage_uw"] > 0


@pytest.fixture(scope="session")
def sky_lib_plain(shared_data, tmp_path_factory):
    d = tmp_path_factory.mktemp("skylib")
    return opensta.prepare_liberty(shared_data / SKY_TT, d), d


@pytest.fixture(scope="session")
def s38417(shared_data, tmp_path_factory):
    v = shared_data / S38417
    text = v.read_text()
    head = text[text.index("module s38417("):text.index(");")]
    ports = re.findall(r"\b(g\d+|CK)\b", head)
    ins = [p for p in re.findall(r"^\s*input\s+(\w+);", text, re.M) if p != "CK"]
    assert "CK" in ports and len(ins) > 20
    d = tmp_path_factory.mktemp("s38417")
    sdc = _sdc(d / "s38417.sdc", "CK", ins, 10.0)
    return v, sdc


@pytest.fixture(scope="session")
def sky_timed(shared_data, s38417):
    """(timer, timing result) of s38417 on sky130 tt, loaded once."""
    from finevh.analysis import run_sta
    v, sdc = s38417
    return run_sta([shared_data / SKY_TT], v, sdc)


def _analyse(timed, spec=None, **kw):
    timer, tres = timed
    return analyse(timer.design, timer.constraints, spec or ActivitySpec(), slews=tres.slew,
                   wire_cap=timer.wire_cap, **kw)


SKY_SPECS = {"default": ActivitySpec(), "global_0.2": ActivitySpec(mode="global", global_activity=(0.2, 0.5))}


@pytest.mark.parametrize("case", ["default", "global_0.2"])
def test_sky130_s38417_leakage_switching_match_opensta(s38417, sky_timed, sky_lib_plain, require_tool, case):
    require_tool("sta")
    v, sdc = s38417
    _, cmds = OSU_CASES[case]
    res = _analyse(sky_timed, SKY_SPECS[case])
    script = opensta.design_script([sky_lib_plain[0]], v, "s38417", sdc,
                                   extra=cmds + ["report_power -digits 10"])
    out = opensta.run_sta(script)
    theirs = opensta.parse_power(out)
    diffs = _compare(res, theirs, kinds=KINDS[1:])
    assert max(diffs.values()) < 1e-4
    # OpenSTA 2.0.17 meets default_operating_conditions before the operating_conditions
    # group in this library, keeps no operating voltage and then drops every
    # internal_power group without related_pg_pin: internal = 0 there, not here.
    assert "default_operating_condition tt_025C_1v80 not found" in out
    assert theirs["Total"]["internal"] == 0.0
    assert res.total["internal_uw"] > res.total["switching_uw"] > 0


def test_sky130_multi_vdd_binding_matches_opensta_renamed_library(shared_data, s38417, sky_lib_plain,
                                                                    sky_timed, tmp_path, require_tool):
    """Every other instance at 1.28 V: switching at each instance's own supply."""
    require_tool("sta")
    v, sdc = s38417
    text = Path(v).read_text()
    insts = re.findall(r"^\s*(sky130_fd_sc_hd__\w+)\s+(\\?\S+)\s*\(", text, re.M)
    low = {name.lstrip("\\"): cell for k, (cell, name) in enumerate(insts) if k % 2 == 1}
    bind = tmp_path / "bind.txt"
    bind.write_text("".join(f"{n} 1.28\n" for n in low))
    libs = [shared_data / SKY_TT, shared_data / SKY_128]
    _, res, _ = run_power(libs, v, sdc, bind=bind)
    res_hi = _analyse(sky_timed)
    vl = opensta.prepare_liberty(shared_data / SKY_128, sky_lib_plain[1], suffix="_VL")
    nv = tmp_path / "s38417_vl.v"
    nv.write_text(opensta.rename_instances_cells(text, {n: c + "_VL" for n, c in low.items()}))
    theirs = _sta_power([sky_lib_plain[0], vl], nv, "s38417", sdc, [])
    _compare(res, theirs, kinds=KINDS[1:])
    # the low half switches at (1.28/1.8)^2 of the energy: total switching drops
    assert res.total["switching_uw"] < 0.85 * res_hi.total["switching_uw"]


def test_clock_frequency_scales_dynamic_power_only(s1196_osu):
    v, sdc = s1196_osu
    _, r100, i100 = run_power([OSU_LIB], v, sdc, clock_mhz=100.0)
    _, r400, i400 = run_power([OSU_LIB], v, sdc, clock_mhz=400.0)
    assert i100["clock_period_ns"] == pytest.approx(10.0)
    for k in ("internal_uw", "switching_uw"):
        assert r400.total[k] == pytest.approx(4 * r100.total[k], rel=1e-9)
    assert r400.total["leakage_uw"] == r100.total["leakage_uw"]


def test_leakage_probability_weights_by_hand(sky_timed):
    """'probability' weights: sum of state leakage x P(when) from the pin duties."""
    d = sky_timed[0].design
    r_sta = _analyse(sky_timed)
    r_p = _analyse(sky_timed, leakage_weights="probability")
    nl = d.netlist
    i = next(k for k in range(nl.n_instances) if d.cell_of(k).name == "sky130_fd_sc_hd__nand2_1")
    cell = d.cell_of(i)
    duty = {}
    for p in range(int(nl.pin_ptr[i]), int(nl.pin_ptr[i + 1])):
        duty[nl.pin_names[nl.pin_name[p]]] = r_p.net_duty[nl.pin_net[p]]
    exp = 0.0
    for s in cell.leakage:
        pa = duty["A"] if "!A" not in s.when else 1 - duty["A"]
        pb = duty["B"] if "!B" not in s.when else 1 - duty["B"]
        exp += s.value * pa * pb
    assert r_p.inst_leakage[i] == pytest.approx(exp, rel=1e-9)
    # OpenSTA 2.0.17 takes cell_leakage_power when the library gives it
    assert r_sta.inst_leakage[i] == cell.cell_leakage_power
    assert r_p.inst_leakage[i] != r_sta.inst_leakage[i]


# ---------------------------------------------------------------------------------
# VCD-driven power

@pytest.fixture(scope="session")
def g_vcd(tmp_path_factory, require_tool):
    """The gate netlist of test_vcd simulated by Icarus: (netlist, vcd, sdc)."""
    _need_osu()
    require_tool("iverilog")
    require_tool("vvp")
    from test_vcd import GATE_NETLIST, _testbench
    d = tmp_path_factory.mktemp("gvcd")
    (d / "g.v").write_text(GATE_NETLIST)
    (d / "tb.v").write_text(_testbench(200))
    subprocess.run(["iverilog", "-o", "sim.out", "tb.v", "g.v", str(OSU_V)], cwd=d, check=True,
                   capture_output=True)
    subprocess.run(["vvp", "sim.out"], cwd=d, check=True, capture_output=True)
    sdc = d / "g.sdc"
    sdc.write_text("create_clock -name clk -period 10 [get_ports clk]\n"
                   "set_input_delay 2 -clock clk [get_ports {a d[0] d[1] d[2] d[3]}]\n"
                   "set_output_delay 0 -clock clk [all_outputs]\n")
    return d / "g.v", d / "g.vcd", sdc


def test_vcd_power_hand_check(g_vcd):
    v, vcd, sdc = g_vcd
    d, res, info = run_power([OSU_LIB], v, sdc, vcd=vcd, vcd_scope="tb/dut")
    assert info["activity"] == "signals"
    assert info["signals_matched"] == d.netlist.n_nets          # every net found in the VCD
    act = read_vcd(vcd, scope="tb/dut")
    nl = d.netlist
    ui = nl.inst_names.index("ui")        # INVX1 driving x2 -> MUX2X1 um/A only
    mux_a = d.cell_of(nl.inst_names.index("um")).pins["A"]
    c = max(mux_a.rise_capacitance or mux_a.capacitance, mux_a.fall_capacitance or mux_a.capacitance)
    k = act.lookup("x2")
    # OpenSTA 3.x: a change into or out of x counts one half
    exp_uw = 0.5 * c * 1.8 ** 2 * (act.toggles[k] + 0.5 * act.xtoggles[k]) / act.duration * 1e3
    assert res.inst_switching[ui] == pytest.approx(exp_uw, rel=1e-9)
    assert res.net_duty[nl.net_names.index("x2")] == pytest.approx(act.static_probability()[k])


def test_vcd_input_activities_match_opensta_input_ports(g_vcd, require_tool):
    """The VCD's data-input activities, given to OpenSTA per port, propagate identically."""
    require_tool("sta")
    v, vcd, sdc = g_vcd
    act = read_vcd(vcd, scope="tb/dut")
    ports = ["a", "d[0]", "d[1]", "d[2]", "d[3]"]
    idx = [act.lookup(p) for p in ports]
    sub = SignalActivity([act.names[i] for i in idx], act.toggles[idx], act.t0[idx], act.t1[idx],
                         act.tx[idx], act.duration)
    from finevh.analysis import run_sta
    timer, tres = run_sta([OSU_LIB], v, sdc)
    res = analyse(timer.design, timer.constraints, ActivitySpec(mode="signals", signals=sub),
                  slews=tres.slew)
    dens = sub.density_per_ns() * 10.0         # per 10 ns clock cycle
    duty = sub.static_probability()
    cmds = [f"set_power_activity -input_ports [get_ports {{{p}}}] -activity {dens[k]:.12g} -duty {duty[k]:.12g}"
            for k, p in enumerate(ports)]
    theirs = _sta_power([OSU_LIB], v, "g", sdc, cmds)
    _compare(res, theirs)


# ---------------------------------------------------------------------------------
# CLI and Tcl

def test_cli_json(run_cli, s1196_osu):
    v, sdc = s1196_osu
    code, out, err = run_cli("power", "--liberty", OSU_LIB, "--verilog", v, "--sdc", sdc, "--json")
    assert code == 0, err
    doc = json.loads(out)
    for k in ("leakage_uw", "internal_uw", "switching_uw", "total_uw"):
        assert doc[k] > 0
        assert doc[k] == pytest.approx(doc["groups"]["sequential"][k] + doc["groups"]["combinational"][k])
    assert doc["total_uw"] == pytest.approx(doc["leakage_uw"] + doc["internal_uw"] + doc["switching_uw"])
    code2, out2, _ = run_cli("power", "--liberty", OSU_LIB, "--verilog", v, "--sdc", sdc, "--json")
    assert out2 == out                     # deterministic, byte-identical
    code, text, _ = run_cli("power", "--liberty", OSU_LIB, "--verilog", v, "--sdc", sdc)
    assert code == 0 and text.splitlines()[0].split() == ["Group", "Internal", "Switching", "Leakage", "Total"]


def test_cli_bad_activity_files_exit_2_one_line(run_cli, g_vcd, tmp_path):
    v, vcd, sdc = g_vcd
    bad = tmp_path / "bad.vcd"
    lines = vcd.read_text().splitlines()
    cut = next(k for k, ln in enumerate(lines) if ln.startswith("#") and k > 10)
    lines.insert(cut + 1, "b10?2 (")
    bad.write_text("\n".join(lines) + "\n")
    out = tmp_path / "report.json"
    code, stdout, err = run_cli("power", "--liberty", OSU_LIB, "--verilog", v, "--sdc", sdc,
                                "--vcd", bad, "--json", "--out", out)
    assert code == 2
    assert no_id(err).strip() == f"finevh: error: {bad}:{cut + 2}: bad vector value 'b10?2'"
    assert not out.exists()
    code, _, err = run_cli("power", "--liberty", OSU_LIB, "--verilog", v, "--sdc", sdc,
                           "--vcd", vcd, "--vcd-scope", "tb/nothere")
    assert code == 2 and "scope 'tb/nothere' not found" in err and len(err.strip().splitlines()) == 1
    code, _, err = run_cli("power", "--liberty", OSU_LIB, "--verilog", v, "--sdc", sdc,
                           "--vcd", vcd, "--vcd-scope", "tb/dut/r0")
    assert code == 2 and "no signal of the activity file matches" in err


def test_saif_and_vcd_give_the_same_power(run_cli, g_vcd, tmp_path):
    """A SAIF file holding the VCD's statistics (written here, 1 ps units) gives the
    same report as the VCD itself."""
    v, vcd, sdc = g_vcd
    act = read_vcd(vcd, scope="tb/dut")
    recs = []
    for k, n in enumerate(act.names):
        esc = n.replace("[", "\\[").replace("]", "\\]")
        recs.append(f"      ({esc} (T0 {round(act.t0[k] * 1e3)}) (T1 {round(act.t1[k] * 1e3)}) "
                    f"(TX {round(act.tx[k] * 1e3)}) (TC {act.toggles[k] + act.xtoggles[k] // 2}) (IG 0))")
    saif = tmp_path / "g.saif"
    saif.write_text('(SAIFILE\n(SAIFVERSION "2.0")\n(DIRECTION "backward")\n(DESIGN )\n(DIVIDER / )\n'
                    f"(TIMESCALE 1 ps)\n(DURATION {round(act.duration * 1e3)})\n"
                    "(INSTANCE tb\n  (INSTANCE dut\n    (NET\n" + "\n".join(recs) + "\n    )\n  )\n)\n)\n")
    base = ["power", "--liberty", OSU_LIB, "--verilog", v, "--sdc", sdc, "--json"]
    c1, o1, e1 = run_cli(*base, "--vcd", vcd, "--vcd-scope", "tb/dut")
    c2, o2, e2 = run_cli(*base, "--saif", saif, "--saif-scope", "tb/dut")
    assert c1 == 0 and c2 == 0, (e1, e2)
    j1, j2 = json.loads(o1), json.loads(o2)
    # SAIF counts whole transitions: the VCD's x changes (one half each) are rounded
    # down there, so the two agree exactly only where every x count is even
    exact = bool((act.xtoggles % 2 == 0).all())
    for k in ("leakage_uw", "internal_uw", "switching_uw", "total_uw"):
        assert j2[k] == pytest.approx(j1[k], rel=1e-12 if exact else 2e-2)
    assert j1["signals_matched"] == j2["signals_matched"] > 15


def test_interpolated_supply_switches_at_its_own_voltage(shared_data, s38417):
    """An instance bound between two characterised voltages (1.6 V between the 1.40 V and
    1.76 V sky130 libraries) switches with V = 1.6 V; its leakage is the blend."""
    from finevh.loader import load_design
    from finevh.timing.binding import bind_voltage
    from finevh.timing.constraints import read_constraints
    v, sdc = s38417
    libs = [shared_data / SKY.format("ss_n40C_1v76"), shared_data / SKY.format("ss_n40C_1v40")]
    d = load_design(libs, v)
    tc = read_constraints(sdc, d, d.libset)
    spec = ActivitySpec(mode="global", global_activity=(0.2, 0.5))
    nl = d.netlist
    i = next(k for k in range(nl.n_instances) if d.cell_of(k).name == "sky130_fd_sc_hd__nand2_1")
    c176 = d.cell_of(i)
    r176 = analyse(d, tc, spec)
    bind_voltage(d, [i], 1.6, model="linear")     # the linear blend checked below
    assert d.cell_of(i) is not c176
    r16 = analyse(d, tc, spec)
    assert r16.inst_switching[i] == pytest.approx(r176.inst_switching[i] * (1.6 / 1.76) ** 2, rel=1e-9)
    c140 = d.libset.twin(c176, voltage=1.40)
    a = (1.6 - 1.40) / (1.76 - 1.40)
    exp = (1 - a) * c140.cell_leakage_power + a * c176.cell_leakage_power
    assert r16.inst_leakage[i] == pytest.approx(exp, rel=1e-9)
    others = np.arange(nl.n_instances) != i
    np.testing.assert_allclose(r16.inst_leakage[others], r176.inst_leakage[others])



def test_topology_reused_across_bindings_equals_fresh(shared_data, s38417):
    """A topology rebuilt from the one of another binding (connectivity and levels
    reused) equals one built from scratch, and gives the same power."""
    from finevh.activity.propagate import topology
    from finevh.loader import load_design
    from finevh.timing.binding import bind_voltage
    from finevh.timing.constraints import read_constraints
    v, sdc = s38417
    libs = [shared_data / SKY.format("ss_n40C_1v76"), shared_data / SKY.format("ss_n40C_1v40")]
    d = load_design(libs, v)
    tc = read_constraints(sdc, d, d.libset)
    spec = ActivitySpec(mode="global", global_activity=(0.2, 0.5))
    old = topology(d)
    bind_voltage(d, np.arange(0, d.n_instances, 3), 1.40)
    bind_voltage(d, np.arange(1, d.n_instances, 7), 1.6)
    new, fresh = topology(d, prev=old), topology(d)
    assert new.conn_inst is old.conn_inst and new.level is old.level     # reused, not rebuilt
    for k in ("conn_inst", "conn_net", "net_driver", "inst_seq", "order", "level", "row_in_cell", "inst_cell"):
        np.testing.assert_array_equal(getattr(new, k), getattr(fresh, k))
    assert new.cell_slots == fresh.cell_slots
    assert [i.name for i in new.infos] == [i.name for i in fresh.infos]
    for a, b in zip(new.cell_conns, fresh.cell_conns):
        np.testing.assert_array_equal(a, b)
    r_new, r_fresh = analyse(d, tc, spec, top=new), analyse(d, tc, spec)
    np.testing.assert_array_equal(r_new.inst_internal + r_new.inst_switching,
                                  r_fresh.inst_internal + r_fresh.inst_switching)

@pytest.mark.parametrize("rules", ["3", "2.0"])
def test_compiled_energy_sum_equals_numpy(shared_data, s38417, monkeypatch, rules):
    """The compiled internal-energy sum (numba) gives the numpy look-up + ``np.add.at``
    result bit for bit, under both internal-power rules, on s38417 bound to two sky130
    supplies (tables of several grids)."""
    import dataclasses
    from finevh.loader import load_design
    from finevh.power import analysis as A
    from finevh.power import energy_jit
    from finevh.timing.binding import bind_voltage
    from finevh.timing.constraints import read_constraints
    v, sdc = s38417
    libs = [shared_data / SKY.format("ss_n40C_1v76"), shared_data / SKY.format("ss_n40C_1v40")]
    d = load_design(libs, v)
    tc = read_constraints(sdc, d, d.libset)
    bind_voltage(d, np.arange(0, d.n_instances, 3), 1.40)
    spec = ActivitySpec(opensta_rules=rules)
    runs, real = [], energy_jit.energy_add
    for min_q, no_jit in ((1 << 40, "1"), (0, "")):
        monkeypatch.setattr(energy_jit, "MIN_QUERIES", min_q)
        monkeypatch.setenv("FINEVH_NO_JIT", no_jit)
        calls = []
        monkeypatch.setattr(energy_jit, "energy_add", lambda *a: (calls.append(len(a[1])), real(*a)))
        r = A.analyse(d, tc, spec)
        runs.append((r, calls))
    (r_np, c_np), (r_jit, c_jit) = runs
    assert c_np == [] and sum(c_jit) > d.n_instances      # the compiled path ran
    assert r_jit.total["internal_uw"] > 0
    np.testing.assert_array_equal(r_jit.inst_internal, r_np.inst_internal)
    assert r_jit.total == r_np.total

CORNER_NETLIST = """\
module corner(clk, en, a, b, c, u, y, z, w, v);
input clk, en, a, b, c, u; output y, z, w, v;
wire ck1, ck2, gck, n1, n2, n3, q1, q2, q3, s, co, n4, n5, lq;
CLKBUF1 cb1(.A(clk), .Y(ck1));
INVX2 cb2(.A(ck1), .Y(ck2));
AND2X2 cg(.A(ck1), .B(en), .Y(gck));
NAND2X1 g1(.A(a), .B(b), .Y(n1));
FAX1 fa(.A(n1), .B(q2), .C(c), .YS(s), .YC(co));
DFFSR r1(.CLK(ck1), .D(s), .R(en), .S(1'b1), .Q(q1));
DFFNEGX1 r2(.CLK(ck2), .D(co), .Q(q2));
DFFPOSX1 r3(.CLK(gck), .D(q1), .Q(q3));
LATCH l1(.CLK(ck1), .D(n1), .Q(lq));
MUX2X1 m1(.A(q3), .B(lq), .S(q1), .Y(n2));
XOR2X1 x1(.A(n2), .B(1'b0), .Y(y));
INVX1 i1(.A(u), .Y(n4));
NOR2X1 o1(.A(n4), .B(u), .Y(z));
OAI21X1 o2(.A(q2), .B(a), .C(n4), .Y(w));
HAX1 h1(.A(a), .B(c), .YS(n5));
NAND2X1 g2(.A(q3), .Y(v));
endmodule
"""
CORNER_INSTS = "cb1 cb2 cg g1 fa r1 r2 r3 l1 m1 x1 i1 o1 o2 h1 g2".split()


@pytest.mark.parametrize("case", list(OSU_CASES))
def test_osu018_corner_cases_every_instance_matches_opensta(tmp_path, require_tool, case):
    """Clock buffer, inverted and gated clocks, latch, DFFSR (single 'power' table),
    negative-edge flop, tied pins, an input without input delay (no clock), an
    unconnected output (HAX1 YC) and an unconnected input (NAND2X1 B): every instance's
    internal, switching and leakage power as OpenSTA gives them."""
    _need_osu()
    require_tool("sta")
    v = tmp_path / "corner.v"
    v.write_text(CORNER_NETLIST)
    sdc = tmp_path / "corner.sdc"
    sdc.write_text("create_clock -name clk -period 4 [get_ports clk]\n"
                   "set_input_delay 0.1 -clock clk [get_ports {en a b c}]\n"
                   "set_output_delay 0 -clock clk [get_ports {y w v}]\n"
                   "set_load 0.01 [get_ports {y z w v}]\n")
    kw, cmds = OSU_CASES[case]
    d, res, _ = run_power([OSU_LIB], v, sdc, **kw)
    extra = cmds + [f"report_power -instances [get_cells {i}] -digits 10" for i in CORNER_INSTS]
    out = opensta.run_sta(opensta.design_script([OSU_LIB], v, "corner", sdc, extra=extra))
    num = r"(-?[\d.]+e[-+]\d+)"
    rows = {m.group(5): [float(m.group(k)) for k in (1, 2, 3)]
            for m in re.finditer(rf"^\s*{num}\s+{num}\s+{num}\s+{num}\s+(\S+)\s*$", out, re.M)}
    assert sorted(rows) == sorted(CORNER_INSTS)
    names = d.netlist.inst_names
    for inst, (i_w, s_w, l_w) in rows.items():
        k = names.index(inst)
        assert res.inst_internal[k] * 1e-6 == pytest.approx(i_w, rel=1e-5, abs=1e-18), inst
        assert res.inst_switching[k] * 1e-6 == pytest.approx(s_w, rel=1e-5, abs=1e-18), inst
        assert res.inst_leakage[k] * 1e-6 == pytest.approx(l_w, rel=1e-5, abs=1e-18), inst


def test_tcl_twin_in_yosys_shell(tmp_path, repo, require_tool, run_cli):
    """finevh::design_power from `yosys -c` gives the CLI's JSON totals."""
    _need_osu()
    require_tool("yosys")
    v = tmp_path / "corner.v"
    v.write_text(CORNER_NETLIST)
    sdc = tmp_path / "corner.sdc"
    sdc.write_text("create_clock -name clk -period 4 [get_ports clk]\n"
                   "set_input_delay 0.1 -clock clk [get_ports {en a b c}]\n")
    script = tmp_path / "ys.tcl"
    script.write_text(f"source {{{repo / 'tcl' / 'finevh.tcl'}}}\n"
                      f"set d [finevh::design_power -liberty {{{OSU_LIB}}} -verilog {{{v}}} -sdc {{{sdc}}} "
                      "-global_activity {0.2 0.5} -clock_mhz 125]\n"
                      "puts \"FINEVH [dict get $d internal_uw] [dict get $d switching_uw] "
                      "[dict get $d leakage_uw] [dict get $d total_uw]\"\n")
    r = subprocess.run(["yosys", "-q", "-c", str(script)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    m = re.search(r"^FINEVH (\S+) (\S+) (\S+) (\S+)$", r.stdout, re.M)
    assert m, r.stdout
    code, out, err = run_cli("power", "--liberty", OSU_LIB, "--verilog", v, "--sdc", sdc, "--json",
                             "--global-activity", "0.2", "0.5", "--clock-mhz", "125")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["clock_period_ns"] == pytest.approx(8.0)
    for k, key in enumerate(("internal_uw", "switching_uw", "leakage_uw", "total_uw"), 1):
        assert float(m.group(k)) == pytest.approx(doc[key], rel=1e-12)


ASAP7 = {"SIMPLE": "asap7sc7p5t_SIMPLE_RVT_TT_nldm_211120", "INVBUF": "asap7sc7p5t_INVBUF_RVT_TT_nldm_220122",
         "SEQ": "asap7sc7p5t_SEQ_RVT_TT_nldm_220123"}


@pytest.fixture(scope="session")
def s1196_asap7(shared_data, tmp_path_factory, require_tool):
    """s1196 mapped by Yosys onto ASAP7 RVT (SIMPLE + INVBUF merged for abc, SEQ for
    flip-flops). Returns (libraries, netlist, sdc); units ps / fF / pW."""
    require_tool("yosys")
    d = tmp_path_factory.mktemp("asap7")
    libs = {}
    for k, stem in ASAP7.items():
        libs[k] = opensta.prepare_liberty(shared_data / f"liberty/asap7/{stem}.lib.gz", d)
    a = libs["SIMPLE"].read_text()
    b = libs["INVBUF"].read_text()
    cells = b[b.index("\n  cell ("):b.rstrip().rindex("}")]
    merged = d / "asap7_simple_invbuf.lib"
    merged.write_text(a[:a.rstrip().rindex("}")] + cells + "\n}\n")
    out = d / "s1196_asap7.v"
    subprocess.run(["yosys", "-q", "-p",
                    f"read_verilog {shared_data / 'netlists/iscas89/s1196.v'}; synth -flatten -top s1196; "
                    f"dfflibmap -liberty {libs['SEQ']}; abc -liberty {merged}; opt_clean; setundef -zero; "
                    "splitnets -ports; opt_clean -purge; insbuf -buf BUFx2_ASAP7_75t_R A Y; "
                    f"write_verilog -noattr -noexpr -simple-lhs {out}"], check=True, capture_output=True)
    sdc = d / "s1196.sdc"
    ins = " ".join(f"G{k}" for k in range(14))
    sdc.write_text("create_clock -name clk -period 500 [get_ports CK]\n"
                   f"set_input_delay 20 -clock clk [get_ports {{{ins}}}]\n"
                   "set_output_delay 0 -clock clk [all_outputs]\nset_load 1 [all_outputs]\n")
    return [merged, libs["SEQ"]], out, sdc


@pytest.mark.parametrize("case", ["default", "global_0.2"])
def test_asap7_all_groups_match_opensta(s1196_asap7, require_tool, case):
    """ASAP7 (ps, fF, pW; no cell_leakage_power: state leakage weighted 2 * 0.5**inputs
    as this OpenSTA does; VDD/VSS pg pins)."""
    require_tool("sta")
    libs, v, sdc = s1196_asap7
    kw, cmds = OSU_CASES[case]
    _, res, info = run_power(libs, v, sdc, **kw)
    assert info["clock_period_ns"] == pytest.approx(0.5)
    theirs = _sta_power(libs, v, "s1196", sdc, cmds)
    diffs = _compare(res, theirs)
    assert max(diffs.values()) < 1e-4


def test_cli_port_activity_matches_opensta_input_ports(run_cli, s1196_osu, require_tool):
    require_tool("sta")
    v, sdc = s1196_osu
    acts = {"G0": (0.9, 0.7), "G5": (0.02, 0.1), "G13": (0.5, 0.5)}
    args = []
    for p, (a, d) in acts.items():
        args += ["--port-activity", p, str(a), str(d)]
    code, out, err = run_cli("power", "--liberty", OSU_LIB, "--verilog", v, "--sdc", sdc, "--json", *args)
    assert code == 0, err
    doc = json.loads(out)
    cmds = [f"set_power_activity -input_ports [get_ports {p}] -activity {a} -duty {d}" for p, (a, d) in acts.items()]
    theirs = _sta_power([OSU_LIB], v, "s1196", sdc, cmds)
    for g, G in GROUPS:
        for k, K in KINDS:
            assert doc["groups"][g][k] * 1e-6 == pytest.approx(theirs[G][K], rel=1e-4)
    code, _, err = run_cli("power", "--liberty", OSU_LIB, "--verilog", v, "--sdc", sdc,
                           "--port-activity", "nope", "0.1", "0.5")
    assert code == 2 and "no port 'nope'" in err
    code, _, err = run_cli("power", "--liberty", OSU_LIB, "--verilog", v, "--sdc", sdc,
                           "--port-activity", "G0", "0.1", "1.5")
    assert code == 2 and "duty within [0, 1]" in err
