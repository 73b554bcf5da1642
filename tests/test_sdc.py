"""SDC evaluated in Tcl: real constraint styles, units, warnings and errors with file:line."""

from __future__ import annotations

import pytest

from finevh.constraints import read_sdc
from finevh.errors import InputError

PORTS = {"clk": "input", "rst_n": "input", "a[0]": "input", "a[1]": "input", "a[2]": "input",
         "en": "input", "y[0]": "output", "y[1]": "output", "done": "output"}

# Written in the style of OpenROAD-flow-scripts' constraint.sdc (our own words).
ORFS_STYLE = """\
current_design top
set clk_name  core_clock
set clk_port_name clk
set clk_period 4.0
set clk_io_pct 0.25

set clk_port [get_ports $clk_port_name]
create_clock -name $clk_name -period $clk_period $clk_port

set non_clock_inputs [lsearch -inline -all -not -exact [all_inputs] $clk_port]
set_input_delay  [expr $clk_period * $clk_io_pct] -clock $clk_name $non_clock_inputs
set_output_delay [expr {$clk_period * $clk_io_pct}] -clock $clk_name [all_outputs]
"""

# Design Compiler / PrimeTime style with most supported commands.
DC_STYLE = """\
set_units -time ns -capacitance pF
create_clock -name clk -period 10 -waveform {0 4} [get_ports clk]
create_clock -name vclk -period 20
set_clock_uncertainty -setup 0.2 [get_clocks clk]
set_clock_uncertainty -hold 0.05 clk
set_clock_transition 0.1 [all_clocks]
set_propagated_clock [get_clocks clk]
set_input_delay -max 3 -clock clk [remove_from_collection [all_inputs] [get_ports clk]]
set_input_delay -min 1 -clock clk -add_delay [get_ports a*]
set_input_delay 2 -clock vclk -clock_fall -add_delay {a[0]}
set_output_delay 2.5 -clock clk [get_ports {y[*] done}]
set_load -pin_load 0.015 [all_outputs]
set_load -wire_load 0.005 [get_ports done]
set_driving_cell -lib_cell BUFX2 -pin Y -library osu018_stdcells [all_inputs -no_clocks]
set_input_transition 0.3 [get_ports en]
set_false_path -from [get_ports rst_n]
set_false_path -from [get_clocks vclk] -through [get_pins u1/Y] -to [get_ports done]
set_max_delay 5 -from [get_ports en] -to [get_ports done]
set_min_delay 0.5 -to [get_ports done]
set_multicycle_path 2 -setup -from [get_cells u1]
set_clock_groups -asynchronous -group clk -group vclk
set_max_fanout 16 [current_design]
foreach_in_collection p [get_ports a*] {
    set_input_transition 0.2 $p
}
set_wire_load_model -name small
"""


def _write(tmp_path, text, name="c.sdc"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_orfs_style(tmp_path):
    c = read_sdc(_write(tmp_path, ORFS_STYLE), PORTS)
    assert c.design == "top"
    clk = c.clocks["core_clock"]
    assert clk.period == 4.0 and clk.waveform == (0.0, 2.0) and clk.sources == ["port:clk"] and clk.line == 8
    assert sorted(d.port for d in c.input_delays) == ["a[0]", "a[1]", "a[2]", "en", "rst_n"]
    assert all(d.delay == 1.0 and d.clock == "core_clock" and d.line == 11 for d in c.input_delays)
    assert sorted(d.port for d in c.output_delays) == ["done", "y[0]", "y[1]"]
    assert c.warnings == []


def test_dc_style(tmp_path, capsys):
    p = _write(tmp_path, DC_STYLE)
    c = read_sdc(p, PORTS, pins=["u1/A", "u1/Y"], cells=["u1"])
    clk, vclk = c.clocks["clk"], c.clocks["vclk"]
    assert clk.waveform == (0.0, 4.0) and clk.uncertainty_setup == 0.2 and clk.uncertainty_hold == 0.05
    assert clk.transition == 0.1 and vclk.transition == 0.1 and clk.propagated and not vclk.propagated
    assert vclk.virtual and not clk.virtual
    ins = {(d.port, d.clock, d.min, d.max, d.clock_fall, d.delay) for d in c.input_delays}
    assert ("rst_n", "clk", False, True, False, 3.0) in ins
    assert ("a[1]", "clk", True, False, False, 1.0) in ins and ("a[1]", "clk", False, True, False, 3.0) in ins
    assert ("a[0]", "vclk", True, True, True, 2.0) in ins
    assert not any(d.port == "clk" for d in c.input_delays)
    assert {d.port for d in c.output_delays} == {"y[0]", "y[1]", "done"}
    assert c.loads == {"y[0]": 0.015, "y[1]": 0.015, "done": 0.015} and c.wire_loads == {"done": 0.005}
    assert set(c.driving_cells) == {"rst_n", "a[0]", "a[1]", "a[2]", "en"}
    assert c.driving_cells["en"].lib_cell == "BUFX2" and c.driving_cells["en"].library == "osu018_stdcells"
    assert c.input_transitions == {"en": 0.3, "a[0]": 0.2, "a[1]": 0.2, "a[2]": 0.2}
    kinds = [(e.kind, e.value) for e in c.exceptions]
    assert kinds == [("false", None), ("false", None), ("max_delay", 5.0), ("min_delay", 0.5), ("multicycle", 2.0)]
    fp = c.false_paths[1]
    assert fp.from_ == ["clock:vclk"] and fp.through == [["pin:u1/Y"]] and fp.to == ["port:done"] and fp.line == 17
    mc = c.exceptions[-1]
    assert mc.setup and not mc.hold and mc.from_ == ["cell:u1"]
    assert c.clock_groups[0].groups == [["clk"], ["vclk"]]
    assert c.limits["max_fanout"] == [(16.0, "design:")]
    # set_wire_load_model: the model every net uses (OpenSTA 3.x), with its line
    assert c.warnings == []
    wl = c.wire_load_model
    assert (wl.name, wl.library, wl.line) == ("small", None, 26)


def test_units(tmp_path):
    """As OpenSTA 3.x: set_units checks the units (the library's) and never changes them."""
    text = """\
set_units -time ps -capacitance fF
create_clock -name clk -period 1250 [get_ports clk]
set_load 20 [get_ports done]
"""
    p = _write(tmp_path, text)
    c = read_sdc(p, PORTS)
    assert c.clocks["clk"].period == pytest.approx(1250.0) and c.loads["done"] == pytest.approx(20.0)
    assert c.warnings == [f"{p}:1: set_units: time scale 1e-12 does not match library scale 1e-09; the library unit is used",
                          f"{p}:1: set_units: capacitance scale 1e-15 does not match library scale 1e-12; the library unit is used"]
    # library units (ASAP7: ps, fF): the same set_units agrees, values are ps and fF
    c2 = read_sdc(p, PORTS, time_unit_ns=1e-3, cap_unit_pf=1e-3)
    assert c2.clocks["clk"].period == pytest.approx(1.25) and c2.loads["done"] == pytest.approx(0.020)
    assert c2.warnings == []
    for ok in ("1.0ps", "10ps", "1ps"):
        assert read_sdc(_write(tmp_path, f"set_units -time {ok} -resistance kOhm -voltage V\n", "v.sdc"), PORTS,
                        time_unit_ns=1e-3 * (10 if ok == "10ps" else 1)).warnings == []


def test_bus_bits(tmp_path):
    text = "create_clock -period 2 clk\nset_input_delay 0.5 -clock clk [get_ports a[*]]\nset_input_delay 0.1 -clock clk [get_ports a[1]] -add_delay\nset_load 0.1 [get_ports y]\n"
    c = read_sdc(_write(tmp_path, text), PORTS)
    # same clock and edge: -add_delay still replaces the value (as OpenSTA)
    assert [(d.port, d.delay) for d in c.input_delays] == [("a[0]", 0.5), ("a[2]", 0.5), ("a[1]", 0.1)]
    assert set(c.loads) == {"y[0]", "y[1]"}
    assert c.warnings == []


@pytest.mark.parametrize("text, line, msg", [
    ("create_clock -period 2 clk\nset_input_delay 1 -clock clk [get_ports nope]\n", 2, "no port matches 'nope'"),
    ("create_clock -period 2 clk\n\nset_input_delay 1 -clock clk2 en\n", 3, "unknown clock 'clk2'"),
    ("create_clock -name c [get_ports clk]\n", 1, "-period is required"),
    ("set x 1\nset y [expr {$x +}]\n", 2, "Tcl error"),
    ("set x 1\nputs $undefined_var\n", 2, "Tcl error"),
    ("create_clock -period 2 clk\nset_output_delay 1 -clock clk en\n", 2, "is an input"),
    ("create_clock -period 2 clk\nforeach p {en done} {\n  set_input_delay 1 -clock clk $p\n}\n", 3, "is an output"),
    ("create_clock -period 2 clk\nset_load abc done\n", 2, "expected a number"),
    ("create_clock -period 2 clk\nset_load 1 -pin_laod done\n", 2, "unknown option"),
    ("create_clock -period 2 clk {\n", 1, "Tcl error"),
])
def test_errors(tmp_path, text, line, msg):
    p = _write(tmp_path, text, "bad.sdc")
    with pytest.raises(InputError, match=msg) as e:
        read_sdc(p, PORTS)
    assert (e.value.path, e.value.line) == (str(p), line)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_sdc(tmp_path / "none.sdc", PORTS)


def _normal(c):
    """Constraints as plain comparable data: every delay side separately."""
    def sides(ds):
        out = {}
        for d in ds:
            for m in ("min", "max"):
                for r in ("rise", "fall"):
                    if getattr(d, m) and getattr(d, r):
                        key = (d.port, d.clock, d.clock_fall, m, r)
                        out.setdefault(key, set()).add(round(d.delay, 6))
        return out
    return {
        "clocks": {n: (round(k.period, 6), tuple(round(x, 6) for x in k.waveform), tuple(k.sources),
                       k.uncertainty_setup, k.uncertainty_hold) for n, k in c.clocks.items()},
        "in": sides(c.input_delays), "out": sides(c.output_delays),
        "loads": {p: round(v, 6) for p, v in c.loads.items()},
        "slews": {p: round(v, 6) for p, v in c.input_transitions.items()},
        "drive": {p: (d.lib_cell, d.pin) for p, d in c.driving_cells.items()},
        "exc": sorted((e.kind, e.value, tuple(e.from_), tuple(e.to)) for e in c.exceptions),
    }


def test_same_as_opensta_write_sdc(tmp_path, require_tool, require_file, repo):
    """OpenSTA reads an SDC and writes back its own normalised form (write_sdc); finevh
    must read both to the same constraints (patterns, variables, -add_delay, min/max)."""
    import subprocess

    sta = require_tool("sta")
    lib = str(require_file("/usr/share/qflow/tech/osu018/osu018_stdcells.lib"))
    src = _write(tmp_path, """\
set period 5.0
set io_pct 0.2
create_clock -name clk -period $period -waveform {0 2} [get_ports clk]
create_clock -name vclk -period [expr {$period * 2}]
set ins [lsearch -inline -all -not -exact [all_inputs] [get_ports clk]]
set_input_delay [expr {$period * $io_pct}] -clock clk $ins
set_input_delay -min 0.3 -clock clk [get_ports {a[*]}] -add_delay
set_input_delay 0.7 -clock vclk -clock_fall -add_delay [get_ports en]
set_input_delay -max 4 -clock clk -clock_fall [get_ports rst]
set_output_delay 1.5 -clock clk [all_outputs]
set_output_delay -max 2.0 -clock clk [get_ports sat]
set_output_delay -rise 1.8 -clock clk [get_ports {count[0]}]
set_load 0.02 [all_outputs]
set_load 0.05 [get_ports sat]
set_input_transition 0.1 [all_inputs]
set_input_transition 0.25 [get_ports rst]
set_clock_uncertainty 0.1 [get_clocks clk]
set_false_path -from [get_ports rst]
set_max_delay 3.0 -from [get_ports en] -to [get_ports sat]
set_driving_cell -lib_cell BUFX2 -pin Y [get_ports {b[*]}]
""", "orig.sdc")
    out = tmp_path / "sta.sdc"
    tcl = tmp_path / "t.tcl"
    tcl.write_text(f"read_liberty {lib}\nread_verilog {repo / 'designs/sample/sample_osu018.v'}\n"
                   f"link_design sample\nread_sdc {src}\nwrite_sdc -no_timestamp {out}\n")
    r = subprocess.run([sta, "-no_init", "-no_splash", "-exit", str(tcl)], capture_output=True, text=True, timeout=120)
    assert out.exists(), r.stdout + r.stderr
    ports = {}
    import re
    text = (repo / "designs/sample/sample_osu018.v").read_text()
    for d, names in re.findall(r"^\s*(input|output)\s+([^;]+);", text, re.M):
        for n in names.split(","):
            ports[n.strip().lstrip("\\").strip()] = d
    mine = read_sdc(src, ports)
    theirs = read_sdc(out, ports)
    assert mine.warnings == [] and theirs.warnings == []
    a, b = _normal(mine), _normal(theirs)
    for k in a:
        assert a[k] == b[k], k
    # 10 data inputs x 4 sides, + en on vclk's falling edge, rst replaced by 2 sides on clk's falling edge
    assert len(a["in"]) == 4 * 10 + 4 - 4 + 2
    assert a["in"][("rst", "clk", True, "max", "rise")] == {4.0} and ("rst", "clk", False, "min", "rise") not in a["in"]
    assert a["out"][("sat", "clk", False, "min", "rise")] == {1.5} and a["out"][("sat", "clk", False, "max", "rise")] == {2.0}
    assert a["out"][("count[0]", "clk", False, "max", "rise")] == {1.8} and a["out"][("count[0]", "clk", False, "max", "fall")] == {1.5}


def test_long_explicit_port_list_same_as_pattern(tmp_path):
    """A 3,000-port explicit list (as flows write for wide buses) gives the same
    constraints as the bus pattern; a second command replaces per port (same clock)
    or adds (-add_delay, other clock) exactly as for a short list."""
    bits = [f"d[{i}]" for i in range(3000)]
    ports = {"clk": "input", **{b: "input" for b in bits}}
    head = "create_clock -name clk -period 5 [get_ports clk]\ncreate_clock -name v -period 10\n"
    explicit = "[get_ports {" + " ".join("{%s}" % b for b in bits) + "}]"
    tail = "set_input_delay 0.4 -clock clk [get_ports {d[7] d[9]}]\nset_input_delay 1 -clock v -add_delay d[9]\n"
    a = tmp_path / "a.sdc"
    a.write_text(head + f"set_input_delay 0.2 -clock clk {explicit}\n" + tail)
    b = tmp_path / "b.sdc"
    b.write_text(head + "set_input_delay 0.2 -clock clk [get_ports d]\n" + tail)
    ca, cb = read_sdc(a, ports), read_sdc(b, ports)
    key = [(d.port, d.clock, d.delay, d.add_delay) for d in ca.input_delays]
    assert key == [(d.port, d.clock, d.delay, d.add_delay) for d in cb.input_delays]
    assert len(key) == 3001
    by = {}
    for p, clk, v, _ in key:
        by.setdefault(p, []).append((clk, v))
    assert by["d[7]"] == [("clk", pytest.approx(0.4))]
    assert by["d[9]"] == [("clk", pytest.approx(0.4)), ("v", pytest.approx(1.0))]
    assert by["d[2999]"] == [("clk", pytest.approx(0.2))]
