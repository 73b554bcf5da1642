"""The OpenSTA 3.x SDC vocabulary on a small sky130 netlist: bare names by expected type,
delete_from_list, all_registers, -filter, -of_objects, exceptions / group_path / derate /
disable / case analysis stored with objects resolved; errors with file:line (inside a
sourced file: that file), SDC ``puts`` kept off stdout. The object queries are checked
against OpenSTA 3.x itself when it is installed."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import SHARED, need, no_id
from finevh.constraints import SdcDesign, read_sdc
from finevh.errors import InputError

LIB = SHARED / "data/liberty/sky130_fd_sc_hd/sky130_fd_sc_hd__tt_025C_1v80.lib.gz"
from conftest import STA3  # noqa: E402
P = "sky130_fd_sc_hd__"

# two clocks: ca reaches ff1 through a buffer and the latch directly, cb reaches ff2
# through an inverter; ff3 has an asynchronous reset
NETLIST = f"""\
module top (ca, cb, rst_n, d, e, q, y);
  input ca, cb, rst_n;
  input [1:0] d;
  input e;
  output [1:0] q;
  output y;
  wire ca_b, cb_n, n1, l1, q3;
  {P}clkbuf_1 cbuf (.A(ca), .X(ca_b));
  {P}inv_1 cinv (.A(cb), .Y(cb_n));
  {P}dfxtp_1 ff1 (.CLK(ca_b), .D(d[0]), .Q(q[0]));
  {P}dfxtp_1 ff2 (.CLK(cb_n), .D(n1), .Q(q[1]));
  {P}dlxtp_1 lat1 (.GATE(ca), .D(d[1]), .Q(l1));
  {P}dfrtp_1 ff3 (.CLK(ca), .D(l1), .RESET_B(rst_n), .Q(q3));
  {P}and2_1 g1 (.A(d[1]), .B(e), .X(n1));
  {P}buf_1 g2 (.A(q3), .X(y));
endmodule
"""

HEAD = "create_clock -name ca -period 5 [get_ports ca]\ncreate_clock -name cb -period 7 cb\n"


@pytest.fixture(scope="module")
def design(tmp_path_factory):
    need(LIB.exists(), f"library {LIB}")
    from finevh.loader import load_design

    d = tmp_path_factory.mktemp("cmds")
    v = d / "top.v"
    v.write_text(NETLIST)
    return load_design([str(LIB)], str(v), top="top"), v


def _read(design, tmp_path, text, name="c.sdc"):
    p = tmp_path / name
    p.write_text(HEAD + text)
    return read_sdc(p, netlist=SdcDesign.from_design(design[0]), design="top")


def _names(objs):
    return sorted(o.split(":", 1)[1] for o in objs)


def test_bare_names_by_expected_type(design, tmp_path):
    c = _read(design, tmp_path, "set_input_delay 1 -clock ca {e d[*]}\nset_output_delay 2 -clock cb {q y}\n"
                                "set_false_path -from rst_n -to ff3\nset_false_path -from ca -to cb\n"
                                "set_max_delay 3 -through g1/X -to q[1]\n")
    assert sorted(x.port for x in c.input_delays) == ["d[0]", "d[1]", "e"]
    assert sorted(x.port for x in c.output_delays) == ["q[0]", "q[1]", "y"]
    f1, f2, m = c.exceptions
    assert (f1.from_, f1.to) == (["port:rst_n"], ["cell:ff3"])          # a port, an instance
    assert (f2.from_, f2.to) == (["clock:ca"], ["clock:cb"])             # clocks come first
    assert m.through == [["pin:g1/X"]] and m.to == ["port:q[1]"] and m.value == 3.0


def test_delete_from_list(design, tmp_path):
    c = _read(design, tmp_path, "set ins [delete_from_list [all_inputs] {ca cb}]\n"
                                "set ins [delete_from_list $ins [get_ports rst_n]]\n"
                                "set_input_delay 1 -clock ca $ins\n")
    assert sorted(x.port for x in c.input_delays) == ["d[0]", "d[1]", "e"]


def test_all_registers(design, tmp_path):
    text = "".join(f"set_false_path -to [all_registers {opt}]\n" for opt in (
        "", "-edge_triggered", "-level_sensitive", "-clock ca", "-clock cb", "-data_pins", "-clock_pins",
        "-output_pins", "-async_pins", "-clock cb -data_pins"))
    ex = _read(design, tmp_path, text).exceptions
    got = [_names(e.to) for e in ex]
    assert got == [
        ["ff1", "ff2", "ff3", "lat1"], ["ff1", "ff2", "ff3"], ["lat1"], ["ff1", "ff3", "lat1"], ["ff2"],
        ["ff1/D", "ff2/D", "ff3/D", "ff3/RESET_B", "lat1/D"], ["ff1/CLK", "ff2/CLK", "ff3/CLK", "lat1/GATE"],
        ["ff1/Q", "ff2/Q", "ff3/Q", "lat1/Q"], ["ff3/RESET_B"], ["ff2/D"]]


def test_filter_and_of_objects(design, tmp_path):
    c = _read(design, tmp_path, """\
set_false_path -to [get_cells -filter "ref_name =~ *dfxtp*"]
set_false_path -to [get_ports -filter "direction == output && name =~ q*"]
set_false_path -to [get_pins -filter {direction == input && (is_clock || lib_pin_name == RESET_B)} ff*/*]
set_false_path -to [get_ports -filter "!(direction == input) || name == e"]
set_false_path -to [get_pins -of_objects [get_cells g1]]
set_false_path -to [get_cells -of_objects [get_nets -of_objects [get_pins g1/A]]]
set_false_path -to [get_ports -of_objects [get_nets q*]]
set_false_path -to [get_cells -filter "is_buffer" *]
set_false_path -to [get_cells -filter "is_inverter == true"]
""")
    got = [_names(e.to) for e in c.exceptions]
    assert got == [["ff1", "ff2"], ["q[0]", "q[1]"], ["ff1/CLK", "ff2/CLK", "ff3/CLK", "ff3/RESET_B"],
                   ["e", "q[0]", "q[1]", "y"], ["g1/A", "g1/B", "g1/X"], ["g1", "lat1"], ["q[0]", "q[1]"],
                   ["cbuf", "g2"], ["cinv"]]


def test_exceptions_and_friends_stored(design, tmp_path):
    c = _read(design, tmp_path, """\
set_max_delay -ignore_clock_latency 4 -from [all_inputs -no_clocks] -to [all_registers]
set_min_delay 0.1 -rise_from ca -fall_to [get_pins ff2/D]
set_multicycle_path 2 -hold -end -from [get_clocks ca] -through [get_nets n1] -rise_through g1/X -to cb
group_path -name in2reg -weight 2 -from [all_inputs] -to [all_registers -edge_triggered]
set_clock_groups -name g -asynchronous -allow_paths -group ca -group [get_clocks cb]
set_timing_derate -late -cell_delay 1.05 [get_cells g*]
set_timing_derate -early 0.95
set_disable_timing [get_cells g1] -from A -to X
set_disable_timing g2/A
set_case_analysis 0 [get_ports rst_n]
set_case_analysis rising e
""")
    mx, mn, mc = c.exceptions
    assert mx.kind == "max_delay" and mx.value == 4.0 and mx.ignore_clock_latency
    assert _names(mx.from_) == ["d[0]", "d[1]", "e", "rst_n"] and _names(mx.to) == ["ff1", "ff2", "ff3", "lat1"]
    assert (mn.from_, mn.from_rf, mn.to, mn.to_rf) == (["clock:ca"], "rise", ["pin:ff2/D"], "fall")
    assert mc.kind == "multicycle" and mc.value == 2.0 and mc.hold and not mc.setup and mc.end
    assert mc.through == [["net:n1"], ["pin:g1/X"]] and mc.through_rf == ["rise_fall", "rise"]
    g = c.group_paths[0]
    assert g.name == "in2reg" and g.weight == 2.0 and _names(g.to) == ["ff1", "ff2", "ff3"] and len(g.from_) == 6
    cg = c.clock_groups[0]
    assert (cg.kind, cg.name, cg.allow_paths, cg.groups) == ("asynchronous", "g", True, [["ca"], ["cb"]])
    d1, d2 = c.derates
    assert (d1.value, d1.early_late, d1.kind, _names(d1.objects)) == (1.05, "late", "cell_delay", ["g1", "g2"])
    assert (d2.value, d2.early_late, d2.objects) == (0.95, "early", [])
    assert [(x.objects, x.from_pin, x.to_pin) for x in c.disabled] == [(["cell:g1"], "A", "X"), (["pin:g2/A"], None, None)]
    assert [(x.value, x.objects) for x in c.case_analysis] == [("0", ["port:rst_n"]), ("rising", ["port:e"])]
    assert c.warnings == []


def test_queries_same_as_opensta(design, tmp_path, capsys):
    """OpenSTA 3.x evaluates the same queries to the same objects."""
    need(STA3.exists(), f"OpenSTA 3.x at {STA3}")
    import gzip
    import shutil

    queries = ["all_registers", "all_registers -level_sensitive", "all_registers -clock cb",
               "all_registers -clock ca -data_pins", "all_registers -clock_pins", "all_registers -output_pins",
               "all_registers -async_pins", "all_inputs -no_clocks",
               'get_cells -filter "ref_name =~ *dfxtp*"', 'get_pins -filter "direction == output" g*/*',
               "get_pins -of_objects [get_cells g1]", "get_cells -of_objects [get_nets n1]",
               "get_pins -filter {is_clock || lib_pin_name == RESET_B} ff*/*",
               "delete_from_list [all_inputs] {ca cb}", 'get_ports -filter "direction == input && name =~ c*"',
               "get_nets -of_objects [get_pins g1/*]", "get_ports -of_objects [get_nets q*]",
               'get_cells -filter "is_buffer || is_inverter"', 'get_pins -filter "is_register_clock" */*',
               "get_cells -of_objects [get_pins ff*/Q]", "all_registers -clock ca -output_pins",
               'get_nets -of_objects [get_pins -filter "direction != internal" ff3/*]', "get_pins ff3/*", 'get_clocks -filter "name =~ c?"',
               "all_registers -clock cb -level_sensitive"]
    lib = tmp_path / "hd.lib"
    with gzip.open(LIB) as f, open(lib, "wb") as g:
        shutil.copyfileobj(f, g)
    # the same query script in both tools
    script = ("proc names {objs} { set l {}; foreach o $objs { lappend l [get_full_name $o] }; lsort $l }\n"
              + "".join(f"puts \"Q [join [names [{q}]] |]\"\n" for q in queries))
    sdc = tmp_path / "h.sdc"
    sdc.write_text(HEAD)
    tcl = tmp_path / "q.tcl"
    tcl.write_text(f"read_liberty {lib}\nread_verilog {design[1]}\nlink_design top\nread_sdc {sdc}\n" + script)
    r = subprocess.run([str(STA3), "-no_init", "-no_splash", "-exit", str(tcl)], capture_output=True, text=True,
                       timeout=120)
    theirs = [ln[2:] for ln in r.stdout.splitlines() if ln.startswith("Q ")]
    assert len(theirs) == len(queries), r.stdout + r.stderr
    capsys.readouterr()
    _read(design, tmp_path, script)
    mine = [ln[2:] for ln in capsys.readouterr().err.splitlines() if ln.startswith("Q ")]
    assert mine == theirs
    assert all(theirs[:-1])      # every query but the last finds something


@pytest.mark.parametrize("text, line, msg", [
    ("set_false_path -to [get_cells -filter {colour == red}]\n", 3, "get_cells: unknown cell property 'colour'"),
    ("set_false_path -to [get_ports -filter {direction == input &&}]\n", 3, "needs two operands"),
    ("set_false_path -to [get_ports -filter {(direction == input}]\n", 3, "unmatched ("),
    ("set_false_path -to [get_ports -filter {direction = input}]\n", 3, "-filter parsing failed"),
    ("set x [all_registers -cells -data_pins]\n", 3, "only one of -cells"),
    ("set x [all_registers -clock nope]\n", 3, "unknown clock 'nope'"),
    ("set x [delete_from_list a]\n", 3, "delete_from_list: expected a list"),
    ("\nset_input_delay 1 -clock ca {e nope}\n", 4, "no port or pin matches 'nope'"),
    ("set_false_path -from [get_clocks ca] -through nope\n", 3, "no cell or port or pin or net matches 'nope'"),
    ("set_max_delay -from ca\n", 3, "set_max_delay: missing value"),
    ("group_path -from ca\n", 3, "exactly one of -name and -default"),
    ("set_timing_derate 1.1 [get_cells g1]\n", 3, "needs one of -early and -late"),
    ("set_case_analysis 2 e\n", 3, "value must be 0, 1"),
    ("set_disable_timing -from A [get_ports e]\n", 3, "apply to cells only"),
    ("set_clock_groups -group ca -group cb\n", 3, "needs one of -asynchronous"),
    ("set_units -time nsec\n", 3, "set_units: incorrect unit suffix"),
    ("puts hello\nexit 1\n", 4, "exit 1 called in the SDC"),
])
def test_errors_located(design, tmp_path, text, line, msg):
    p = tmp_path / "bad.sdc"
    p.write_text(HEAD + text)
    with pytest.raises(InputError, match=msg.replace("(", r"\(")) as e:
        read_sdc(p, netlist=SdcDesign.from_design(design[0]), design="top")
    assert (e.value.path, e.value.line) == (str(p), line)


def test_error_in_sourced_file_names_inner_file(design, tmp_path):
    inner = tmp_path / "sub" / "inner.sdc"
    inner.parent.mkdir()
    inner.write_text("# inner\nset_input_delay 1 -clock ca [get_ports e]\nset_output_delay 1 -clock ca nope\n")
    outer = tmp_path / "outer.sdc"
    outer.write_text(HEAD + f"source {inner}\n")
    with pytest.raises(InputError, match="no port or pin matches 'nope'") as e:
        read_sdc(outer, netlist=SdcDesign.from_design(design[0]))
    assert (e.value.path, e.value.line) == (str(inner), 3)
    inner.write_text("set a 1\n\nset b [expr {$a +}]\n")
    with pytest.raises(InputError, match="Tcl error") as e:
        read_sdc(outer, netlist=SdcDesign.from_design(design[0]))
    assert (e.value.path, e.value.line) == (str(inner), 3)
    # records made in the sourced file keep its name
    inner.write_text("\nset_false_path -from ca -to cb\n")
    ex = read_sdc(outer, netlist=SdcDesign.from_design(design[0])).exceptions[0]
    assert (ex.file, ex.line) == (str(inner), 2)


def test_cli_error_one_line_and_puts_off_stdout(design, tmp_path, run_cli):
    v = design[1]
    bad = tmp_path / "bad.sdc"
    bad.write_text(HEAD + "set_false_path -to [get_cells -filter {colour == red}]\n")
    code, out, err = run_cli("sta", "--liberty", LIB, "--verilog", v, "--sdc", bad, "--json")
    assert code == 2 and out == ""
    lines = [ln for ln in err.splitlines() if "error" in ln]
    assert [no_id(ln) for ln in lines] == [f"finevh: error: {bad}:3: get_cells: unknown cell property 'colour'"]
    good = tmp_path / "good.sdc"
    good.write_text(HEAD + 'puts "hello from the SDC"\nputs stdout "again"\nputs -nonewline "x"\n'
                    "set_input_delay 0.5 -clock ca [all_inputs -no_clocks]\nset_output_delay 0.5 -clock ca [all_outputs]\n")
    code, out, err = run_cli("sta", "--liberty", LIB, "--verilog", v, "--sdc", good, "--json")
    assert code == 0, err
    json.loads(out)       # stdout is the JSON report only
    assert "hello from the SDC" in err and "again" in err and "hello" not in out
