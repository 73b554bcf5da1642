"""Liberty reader: real libraries (osu018, sky130 HD, ASAP7), units, leakage
derivation, both parsers identical, malformed input, content-hash cache.

Each big real file is parsed cold at most once per session: the cache lives in a
session temporary FINEVH_CACHE shared by the liberty test modules.
"""

from __future__ import annotations

import dataclasses
import gzip
import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from finevh.errors import InputError
from finevh.liberty import reader as rd
from finevh.liberty.reader import derive_cell_leakage, read_liberty
from conftest import no_id  # noqa: E402

OSU018 = Path("/usr/share/qflow/tech/osu018/osu018_stdcells.lib")
SKY = "liberty/sky130_fd_sc_hd/sky130_fd_sc_hd__{}.lib.gz"
SKY_CORNERS = {"ss_n40C_1v28": 1.28, "ss_n40C_1v40": 1.40, "ss_n40C_1v76": 1.76, "tt_025C_1v80": 1.80}
ASAP7_SEQ_R = "liberty/asap7/asap7sc7p5t_SEQ_RVT_TT_nldm_220123.lib.gz"
ASAP7_INVBUF_R = "liberty/asap7/asap7sc7p5t_INVBUF_RVT_TT_nldm_220122.lib.gz"


@pytest.fixture(scope="module", autouse=True)
def liberty_cache(tmp_path_factory):
    """One cache directory per test session (shared by test_liberty*.py)."""
    d = tmp_path_factory.getbasetemp() / "finevh-liberty-cache"
    d.mkdir(exist_ok=True)
    old = os.environ.get("FINEVH_CACHE")
    os.environ["FINEVH_CACHE"] = str(d)
    yield d
    if old is None:
        os.environ.pop("FINEVH_CACHE", None)
    else:
        os.environ["FINEVH_CACHE"] = old


@pytest.fixture(scope="module")
def osu018():
    if not OSU018.is_file():
        from conftest import need

        need(False, f"Debian qflow-tech-osu018 ({OSU018})")
    return read_liberty(OSU018)


@pytest.fixture(scope="module")
def sky_tt(shared_data):
    return read_liberty(shared_data / SKY.format("tt_025C_1v80"))


@pytest.fixture(scope="module")
def sky_128(shared_data):
    return read_liberty(shared_data / SKY.format("ss_n40C_1v28"))


@pytest.fixture(scope="module")
def asap7_seq(shared_data):
    return read_liberty(shared_data / ASAP7_SEQ_R)


@pytest.fixture(scope="module")
def asap7_invbuf(shared_data):
    return read_liberty(shared_data / ASAP7_INVBUF_R)


def model_diff(a, b, path="lib", out=None) -> list[str]:
    """Differences between two models (dataclasses, dicts in order, arrays exactly)."""
    out = [] if out is None else out
    if len(out) > 20:
        return out
    if dataclasses.is_dataclass(a):
        if type(a) is not type(b):
            out.append(f"{path}: {type(a).__name__} vs {type(b).__name__}")
            return out
        for f in dataclasses.fields(a):
            model_diff(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}", out)
    elif isinstance(a, dict):
        if list(a) != list(b):
            out.append(f"{path}: keys differ")
            return out
        for k in a:
            model_diff(a[k], b[k], f"{path}[{k!r}]", out)
    elif isinstance(a, (list, tuple)):
        if len(a) != len(b):
            out.append(f"{path}: length {len(a)} vs {len(b)}")
            return out
        for i, (x, y) in enumerate(zip(a, b)):
            model_diff(x, y, f"{path}[{i}]", out)
    elif isinstance(a, np.ndarray):
        if not (isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b)):
            out.append(f"{path}: arrays differ")
    elif a != b:
        out.append(f"{path}: {a!r} != {b!r}")
    return out


# --------------------------------------------------------------------------- osu018


def test_osu018_units_and_values(osu018):
    lib = osu018
    assert lib.name == "osu018_stdcells"
    assert len(lib.cells) == 32
    assert (lib.time_unit, lib.capacitive_load_unit, lib.leakage_power_unit) == ("1ns", "1pf", "1nW")
    assert lib.nom_voltage == 1.8
    assert lib.operating_conditions["typical"].voltage == 1.8
    inv = lib.cells["INVX1"]
    assert inv.area == 16.0 and inv.footprint == "inv"
    assert inv.cell_leakage_power == pytest.approx(0.0221741e-3)  # nW -> uW
    assert not inv.leakage_derived
    a = inv.pins["A"]
    assert (a.direction, a.capacitance, a.rise_capacitance) == ("input", 0.00932456, 0.00932196)
    y = inv.pins["Y"]
    assert y.function == "(!A)" and y.max_capacitance == 0.503808
    (arc,) = y.timing
    assert (arc.related_pin, arc.timing_sense, arc.timing_type) == ("A", "negative_unate", "combinational")
    # template delay_template_5x5 has dummy indices 1000..1004: the table's own win
    t = arc.cell_fall
    assert t.variables == ("total_output_net_capacitance", "input_net_transition")
    assert t.indices[0].tolist() == [0.005, 0.0125, 0.025, 0.075, 0.15]
    assert t.indices[1].tolist() == [0.06, 0.18, 0.42, 0.6, 1.2]
    assert t.values.shape == (5, 5)
    assert t.values[0, 0] == 0.030906 and t.values[4, 4] == 0.51187
    assert lib.templates["delay_template_5x5"].indices[0].tolist() == [1000.0, 1001.0, 1002.0, 1003.0, 1004.0]


def test_osu018_sequential_and_tristate(osu018):
    dff = osu018.cells["DFFPOSX1"]
    seq = dff.sequential
    assert seq.kind == "ff" and seq.clocked_on == "CLK" and seq.next_state == "D"
    assert dff.pins["CLK"].is_clock and not dff.pins["D"].is_clock
    types = {a.timing_type for p in dff.pins.values() for a in p.timing}
    assert types == {"rising_edge", "setup_rising", "hold_rising"}
    setup = [a for a in dff.pins["D"].timing if a.timing_type == "setup_rising"][0]
    assert setup.related_pin == "CLK" and setup.rise_constraint is not None
    assert setup.rise_constraint.variables[0] == "related_pin_transition"
    tbuf = osu018.cells["TBUFX1"]
    assert tbuf.pins["Y"].three_state == "(!EN)"
    assert {a.timing_type for a in tbuf.pins["Y"].timing} >= {"three_state_enable", "three_state_disable"}
    latch = osu018.cells["LATCH"]
    assert latch.sequential.kind == "latch" and latch.sequential.enable == "CLK"


def test_gz_and_plain_give_same_model(osu018, tmp_path):
    gz = tmp_path / "osu018.lib.gz"
    with gzip.open(gz, "wb") as f:
        f.write(OSU018.read_bytes())
    other = read_liberty(gz, use_cache=False)
    assert other.path == str(gz)
    other.path = osu018.path
    assert model_diff(osu018, other) == []


# --------------------------------------------------------------------------- sky130


def test_sky130_cells_units_and_tables(sky_tt, sky_128):
    for lib in (sky_tt, sky_128):
        assert len(lib.cells) == 428
        assert lib.time_unit == "1ns" and lib.capacitive_load_unit == "1pf" and lib.leakage_power_unit == "1nW"
    assert sky_tt.nom_voltage == 1.8 and sky_128.nom_voltage == 1.28
    assert sky_tt.voltage_map["VPWR"] == 1.8 and sky_tt.voltage_map["VGND"] == 0.0
    assert sky_tt.default_max_transition == 1.5
    assert sky_tt.slew_upper_threshold_pct_rise == 80.0 and sky_tt.slew_lower_threshold_pct_fall == 20.0
    inv = sky_tt.cells["sky130_fd_sc_hd__inv_1"]
    assert inv.area == pytest.approx(3.7536) and inv.footprint == "sky130_fd_sc_hd__inv"
    assert inv.cell_leakage_power == pytest.approx(0.005326682e-3)  # nW -> uW
    assert inv.pins["A"].capacitance == pytest.approx(0.002302)
    assert inv.pg_pins["VPWR"].pg_type == "primary_power" and inv.pg_pins["VPWR"].voltage_name == "VPWR"
    assert inv.pins["A"].related_power_pin == "VPWR"
    arc = inv.pins["Y"].timing[0]
    assert arc.cell_rise.variables == ("input_net_transition", "total_output_net_capacitance")
    assert arc.cell_rise.values.shape == (7, 7)
    assert arc.cell_rise.values[0, 0] == pytest.approx(0.0203433)
    assert arc.cell_rise.indices[1][-1] == pytest.approx(0.181284)
    # internal power table values: pf * V^2 = pJ, unscaled
    a2111o = sky_tt.cells["sky130_fd_sc_hd__a2111o_1"]
    fp = a2111o.pins["A1"].internal_power[0].fall_power
    assert fp.variables == ("input_transition_time",) and fp.values.shape == (7,)
    assert fp.values[0] == pytest.approx(0.004648)
    assert len(a2111o.leakage) == 32 and a2111o.leakage[0].when == "!A1&!A2&!B1&!C1&D1"
    assert a2111o.leakage[0].value == pytest.approx(0.0017945e-3)


def test_sky130_sequential_clock_gate_and_edges(sky_tt):
    dfx = sky_tt.cells["sky130_fd_sc_hd__dfxtp_1"]
    assert dfx.sequential.kind == "ff" and dfx.sequential.clocked_on == "CLK"
    types = {a.timing_type for p in dfx.pins.values() for a in p.timing}
    assert {"rising_edge", "setup_rising", "hold_rising", "min_pulse_width"} <= types
    icg = sky_tt.cells["sky130_fd_sc_hd__dlclkp_1"]
    assert icg.is_clock_gate
    assert sum(c.is_clock_gate for c in sky_tt.cells.values()) == 6
    dlx = sky_tt.cells["sky130_fd_sc_hd__dlxtp_1"]
    assert dlx.sequential.kind == "latch" and dlx.sequential.enable == "GATE"


def test_sky130_given_leakage_is_mean_of_states(sky_tt):
    """SkyWater's cell_leakage_power equals the equiprobable mean of the when-states:
    the rule used to derive it for ASAP7."""
    n = 0
    for c in sky_tt.cells.values():
        if any(s.when for s in c.leakage) and c.cell_leakage_power:
            assert derive_cell_leakage(c.leakage) == pytest.approx(c.cell_leakage_power, rel=1e-3), c.name
            n += 1
    assert n == 416


# --------------------------------------------------------------------------- ASAP7


def test_asap7_units_ps_ff_pw(asap7_invbuf):
    lib = asap7_invbuf
    assert (lib.time_unit, lib.capacitive_load_unit, lib.leakage_power_unit) == ("1ps", "1ff", "1pW")
    assert lib.nom_voltage == 0.7 and lib.voltage_map["VDD"] == 0.7
    assert lib.default_max_transition == pytest.approx(0.320)  # 320 ps
    assert lib.slew_lower_threshold_pct_rise == 10.0 and lib.slew_upper_threshold_pct_fall == 90.0
    inv = lib.cells["INVx1_ASAP7_75t_R"]
    assert inv.area == pytest.approx(0.04374)
    y = inv.pins["Y"]
    assert y.max_capacitance == pytest.approx(46.08e-3)  # fF -> pF
    t = y.timing[0].cell_rise
    assert t.indices[0].tolist() == pytest.approx([0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32])  # ps -> ns
    assert t.indices[1][0] == pytest.approx(0.72e-3)  # fF -> pF
    assert t.values[0, 0] == pytest.approx(6.90715e-3)  # ps -> ns
    assert t.values[6, 6] == pytest.approx(305.864e-3)
    rp = y.internal_power[0].rise_power
    assert rp.values[0, 0] == pytest.approx(0.121576e-3)  # fF * V^2 = fJ -> pJ
    assert y.internal_power[0].related_pg_pin == "VDD"


def test_asap7_leakage_derived(asap7_invbuf, asap7_seq):
    inv = asap7_invbuf.cells["INVx1_ASAP7_75t_R"]
    assert inv.leakage_derived
    # states (A*!Y): 48.9923 pW on VDD + 0 on VSS, (!A*Y): 53.3254 pW -> mean
    assert inv.cell_leakage_power == pytest.approx((48.9923 + 53.3254) / 2 * 1e-6)
    # every ASAP7 cell: the derived value equals Liberate's own unconditional default
    for lib in (asap7_invbuf, asap7_seq):
        for c in lib.cells.values():
            assert c.leakage_derived
            uncond = sum(s.value for s in c.leakage if s.when is None)
            assert uncond > 0
            assert c.cell_leakage_power == pytest.approx(uncond, rel=2e-5), c.name


def test_asap7_leakage_vs_opensta(asap7_invbuf, shared_data, require_tool, tmp_path):
    """OpenSTA 2.0.17 reports, for one INVx1_R, its state-weighted leakage PLUS the
    unconditional default group: that sum, in W, must equal ours in uW (units check)."""
    sta = require_tool("sta")
    lib = tmp_path / "invbuf.lib"
    lib.write_bytes(gzip.decompress((shared_data / ASAP7_INVBUF_R).read_bytes()))
    (tmp_path / "top.v").write_text("module top(a, y); input a; output y;\n INVx1_ASAP7_75t_R u1 (.A(a), .Y(y));\nendmodule\n")
    (tmp_path / "run.tcl").write_text(
        f"read_liberty {lib}\nread_verilog {tmp_path / 'top.v'}\nlink_design top\n"
        "create_clock -name clk -period 1000\nset_input_delay 0 -clock clk [get_ports a]\n"
        "report_power -digits 8\nexit\n"
    )
    r = subprocess.run([sta, "-no_init", "-exit", str(tmp_path / "run.tcl")], capture_output=True, text=True, timeout=120)
    m = re.search(r"^Total\s+(\S+)\s+(\S+)\s+(\S+)", r.stdout, re.M)
    assert m, r.stdout + r.stderr
    sta_leak_uw = float(m.group(3)) * 1e6
    inv = asap7_invbuf.cells["INVx1_ASAP7_75t_R"]
    uncond = sum(s.value for s in inv.leakage if s.when is None)
    assert sta_leak_uw == pytest.approx(inv.cell_leakage_power + uncond, rel=1e-6)


def test_asap7_seq_groups(asap7_seq):
    dff = asap7_seq.cells["DFFHQNx1_ASAP7_75t_R"]
    assert dff.sequential.kind == "ff" and dff.sequential.iq == "IQN" and dff.sequential.next_state == "!D"
    assert dff.pins["CLK"].is_clock
    icg = asap7_seq.cells["ICGx1_ASAP7_75t_R"]
    assert icg.is_clock_gate
    # RVT file writes "area : 0.69984" without ';' (tolerated)
    assert asap7_seq.cells["ICGx2p67DC_ASAP7_75t_R"].area == pytest.approx(0.69984)


# --------------------------------------------------------------------------- parsers agree


@pytest.mark.parametrize("which", ["osu018", "sky130", "asap7"])
def test_fast_parser_equals_liberty_parser(which, request, shared_data):
    lib = request.getfixturevalue({"osu018": "osu018", "sky130": "sky_128", "asap7": "asap7_seq"}[which])
    ref = read_liberty(lib.path, use_cache=False, parser="liberty-parser")
    assert len(ref.cells) == len(lib.cells) > 0
    assert model_diff(lib, ref) == []


# --------------------------------------------------------------------------- malformed input

GOOD = """library (tiny) {
  time_unit : "1ps";
  capacitive_load_unit (1, ff);
  leakage_power_unit : "1pW";
  voltage_unit : "1V";
  pulling_resistance_unit : "1ohm";
  nom_voltage : 0.7;
  default_wire_load : small;
  wire_load ("small") {
    capacitance : 0.2;
    resistance : 0.001;
    slope : 5;
    fanout_length (1, 10);
    fanout_length (2, 20);
  }
  lu_table_template (t2) {
    variable_1 : input_net_transition;
    variable_2 : total_output_net_capacitance;
    index_1 ("1, 2");
    index_2 ("1, 2");
  }
  cell (INV) {
    area : 1.5;
    dont_use : true;
    leakage_power () { value : 10; when : "A"; }
    leakage_power () { value : 30; when : "!A"; }
    pin (A) { direction : input; capacitance : 2.0; }
    pin (Y) {
      direction : output;
      function : "!A";
      timing () {
        related_pin : "A B";
        cell_rise (t2) {
          index_1 ("10, 20");
          values ("1, 2", \\
                  "3, 4");
        }
        cell_fall (scalar) { values ("7"); }
      }
    }
  }
}
"""


def _write(tmp_path, text, name="bad.lib"):
    p = tmp_path / name
    p.write_text(text)
    return p


def _line_of(text, needle):
    return text[: text.index(needle)].count("\n") + 1


def test_tiny_good_library(tmp_path):
    lib = read_liberty(_write(tmp_path, GOOD, "good.lib"), use_cache=False)
    c = lib.cells["INV"]
    assert c.cell_leakage_power == pytest.approx(20e-6) and c.leakage_derived
    assert c.pins["A"].capacitance == pytest.approx(2e-3)
    arcs = c.pins["Y"].timing
    assert [a.related_pin for a in arcs] == ["A", "B"]  # one arc per related pin
    t = arcs[0].cell_rise
    assert t.indices[0].tolist() == pytest.approx([0.01, 0.02])  # own index_1 overrides
    assert t.indices[1].tolist() == pytest.approx([0.001, 0.002])  # template default index_2
    np.testing.assert_allclose(t.values, [[1e-3, 2e-3], [3e-3, 4e-3]], rtol=1e-12)
    assert arcs[0].cell_fall.values.shape == () and float(arcs[0].cell_fall.values) == pytest.approx(7e-3)
    assert c.dont_use and not c.is_clock_gate
    assert lib.default_wire_load == "small"
    wl = lib.wire_loads["small"]
    assert wl.capacitance == pytest.approx(0.2e-3)  # fF -> pF per unit length
    assert wl.resistance == pytest.approx(1e-6)  # ohm -> kOhm per unit length
    assert wl.slope == 5.0 and wl.fanout_length == {1: 10.0, 2: 20.0}


def test_capacitance_ranges(tmp_path):
    """``rise/fall_capacitance_range (lo, hi)``: read in pF; the timer's pin capacitances
    take ``hi`` for max analysis (over ``rise/fall_capacitance``, as OpenSTA) and ``lo``
    for min analysis; pins without a range have no separate min value."""
    from finevh.timing.arcs import cell_timing

    text = GOOD.replace("capacitance : 2.0;", "capacitance : 2.0; rise_capacitance : 1.9;\n"
                        "      rise_capacitance_range (1.25, 2.5); fall_capacitance_range (\"1.5, 1.75\");")
    c = read_liberty(_write(tmp_path, text, "range.lib"), use_cache=False).cells["INV"]
    a = c.pins["A"]
    assert a.rise_capacitance_range == pytest.approx((1.25e-3, 2.5e-3))
    assert a.fall_capacitance_range == pytest.approx((1.5e-3, 1.75e-3))
    assert c.pins["Y"].rise_capacitance_range is None
    ct = cell_timing(c)
    assert ct.pin_cap["A"] == pytest.approx((2.5e-3, 1.75e-3))
    assert ct.pin_cap_min == pytest.approx({"A": (1.25e-3, 1.5e-3)})
    plain = cell_timing(read_liberty(_write(tmp_path, GOOD, "good.lib"), use_cache=False).cells["INV"])
    assert plain.pin_cap_min == {} and plain.pin_cap["A"] == pytest.approx((2e-3, 2e-3))


@pytest.mark.parametrize(
    "case, mutate, needle, message",
    [
        ("truncated", lambda s: s[: s.index('"3, 4");')], 'values ("1, 2"', "unexpected end of file inside 'values"),
        ("truncated_between", lambda s: s[: s.index("    pin (Y)")], None, "is not closed"),
        ("garbled_group", lambda s: s.replace("pin (A) {", "pin (A {"), "pin (A {", "syntax error"),
        ("bad_number", lambda s: s.replace("area : 1.5;", "area : 1.5x;"), "area : 1.5x;", "bad number '1.5x'"),
        ("bad_table_number", lambda s: s.replace('"3, 4"', '"3, 4q"'), 'values ("1, 2"', "bad number '4q'"),
        ("table_shape", lambda s: s.replace('"3, 4"', '"3"'), 'values ("1, 2"', "3 values for a table of shape (2, 2)"),
        ("bad_template", lambda s: s.replace("cell_rise (t2)", "cell_rise (t9)"), "cell_rise (t9)", "undefined template 't9'"),
        ("extra_brace", lambda s: s + "}\n", None, "unbalanced"),
        ("bad_unit", lambda s: s.replace('"1ps"', '"1parsec"'), 'time_unit : "1parsec"', "bad unit"),
        ("no_direction", lambda s: s.replace("direction : input; ", ""), "pin (A)", "no direction"),
        ("cap_range_count", lambda s: s.replace("capacitance : 2.0;", "capacitance : 2.0; rise_capacitance_range (1);"),
         "rise_capacitance_range", "two values (min, max) expected"),
        ("cap_range_order", lambda s: s.replace("capacitance : 2.0;", "capacitance : 2.0;\n fall_capacitance_range (2,1);"),
         "fall_capacitance_range", "0 <= min <= max expected"),
        ("cap_range_number", lambda s: s.replace("capacitance : 2.0;", "capacitance : 2.0;\n rise_capacitance_range (1, x);"),
         "rise_capacitance_range", "bad number 'x' in rise_capacitance_range"),
    ],
)
def test_malformed_input_names_file_and_line(tmp_path, case, mutate, needle, message):
    text = mutate(GOOD)
    p = _write(tmp_path, text)
    for parser in ("fast",):
        with pytest.raises(InputError) as ei:
            read_liberty(p, use_cache=False, parser=parser)
        e = ei.value
        assert e.path == str(p)
        assert message in e.message, e.message
        expect = _line_of(text, needle) if needle else text.rstrip().count("\n") + 1
        assert e.line == expect, (case, e.line, expect, str(e))
        assert str(e).startswith(f"{p}:{expect}: ")


def test_malformed_liberty_parser_path_has_line(tmp_path):
    text = GOOD.replace("pin (A) {", "pin (A {")
    p = _write(tmp_path, text)
    with pytest.raises(InputError) as ei:
        read_liberty(p, use_cache=False, parser="liberty-parser")
    assert ei.value.path == str(p) and ei.value.line == _line_of(text, "pin (A {")


def test_missing_file_and_bus_cell(tmp_path):
    """Bus pins are read (see tests/test_flow_netlists.py); a bus of an undefined type is an error."""
    with pytest.raises(InputError, match="no such file"):
        read_liberty(tmp_path / "nope.lib")
    text = GOOD.replace("  cell (INV) {", "  cell (RAM) {\n    bus (D) { bus_type : b4; direction : input; }\n  }\n  cell (INV) {")
    with pytest.raises(InputError) as ei:
        read_liberty(_write(tmp_path, text, "bus.lib"), use_cache=False)
    assert str(ei.value).startswith(f"{tmp_path / 'bus.lib'}:{_line_of(text, 'bus (D)')}: cell 'RAM': bus 'D': "
                                    "undefined bus_type 'b4'")
    text = text.replace("  cell (RAM) {", "  type (b4) { base_type : array; data_type : bit; bit_width : 4; "
                        "bit_from : 3; bit_to : 0; downto : true; }\n  cell (RAM) {")
    lib = read_liberty(_write(tmp_path, text, "bus2.lib"), use_cache=False)
    assert list(lib.cells) == ["RAM", "INV"]
    assert list(lib.cells["RAM"].pins) == ["D[3]", "D[2]", "D[1]", "D[0]"]


def test_error_is_one_line_and_leaves_no_cache(tmp_path):
    """The CLI prints str(InputError) as `finevh: error: FILE:LINE: msg`: it must be one
    line; a failed read writes nothing to the cache."""
    text = GOOD.replace("area : 1.5;", "area : 1.5x;")
    p = _write(tmp_path, text)
    with pytest.raises(InputError) as ei:
        read_liberty(p)
    assert "\n" not in str(ei.value)
    assert not rd.cache_path(p).exists()


# --------------------------------------------------------------------------- cache


def test_cache_hit_miss_and_corruption(tmp_path, monkeypatch, liberty_cache):
    p = _write(tmp_path, GOOD, "cached.lib")
    cp = rd.cache_path(p)
    assert not cp.exists()
    first = read_liberty(p)  # miss: parse and store
    assert cp.is_file()

    calls = []
    real = rd.parse_fast

    def counting(text, src):
        calls.append(src.path)
        return real(text, src)

    monkeypatch.setattr(rd, "parse_fast", counting)
    hit = read_liberty(p)
    assert calls == [] and model_diff(first, hit) == []

    # same content elsewhere: same cache entry, path reported as given
    q = _write(tmp_path, GOOD, "copy.lib")
    assert rd.cache_path(q) == cp
    assert read_liberty(q).path == str(q) and calls == []

    # changed content: miss
    p.write_text(GOOD.replace("area : 1.5;", "area : 2.5;"))
    assert read_liberty(p).cells["INV"].area == 2.5 and len(calls) == 1

    # corrupt cache: ignored, re-read, rewritten valid
    cq = rd.cache_path(q)
    cq.write_bytes(b"\x80\x05garbage")
    again = read_liberty(q)
    assert len(calls) == 2 and again.cells["INV"].area == 1.5
    assert read_liberty(q).cells["INV"].area == 1.5 and len(calls) == 2
    # truncated cache file: same
    data = cq.read_bytes()
    cq.write_bytes(data[: len(data) // 2])
    assert read_liberty(q).cells["INV"].area == 1.5 and len(calls) == 3
    # a foreign pickle (e.g. another format version) is ignored too
    import pickle

    cq.write_bytes(pickle.dumps(("finevh.liberty.cache", "old-version", first)))
    assert read_liberty(q).cells["INV"].area == 1.5 and len(calls) == 4
    # no temporary files left behind
    assert not list(cq.parent.glob(".*.tmp"))
    # use_cache=False never touches the cache
    assert read_liberty(q, use_cache=False).cells["INV"].area == 1.5 and len(calls) == 5


def test_cache_key_includes_format_version(tmp_path, monkeypatch):
    p = _write(tmp_path, GOOD, "v.lib")
    a = rd.cache_path(p)
    monkeypatch.setattr(rd, "FORMAT_VERSION", rd.FORMAT_VERSION + "-next")
    assert rd.cache_path(p) != a


def test_cli_bad_liberty_exit_2_one_line(tmp_path, run_cli):
    """Through a real stage (``finevh sta`` loads its libraries first): exit code 2 and
    one line ``finevh: error: FILE:LINE: msg``, no traceback."""
    text = GOOD.replace('"3, 4"', '"3, 4q"')
    p = _write(tmp_path, text)
    (tmp_path / "x.v").write_text("module top(); endmodule\n")
    (tmp_path / "x.sdc").write_text("")
    code, out, err = run_cli("sta", "--liberty", p, "--verilog", tmp_path / "x.v", "--sdc", tmp_path / "x.sdc")
    assert code == 2
    lines = no_id(err).strip().splitlines()
    assert lines == [f"finevh: error: {p}:{_line_of(text, 'values (')}: bad number '4q' in cell_rise values"]
    assert out == ""
