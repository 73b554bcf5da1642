"""Design database: linking against real libraries, net driver/load CSR (cross-checked
per net against OpenSTA), errors with file:line, re-binding, graph view."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from finevh.design import DIR_INPUT, DIR_OUTPUT, DIR_PG, DIR_UNKNOWN, link
from finevh.errors import InputError
from finevh.netlist.verilog import read_verilog

OSU018 = "/usr/share/qflow/tech/osu018/osu018_stdcells.lib"


@pytest.fixture(scope="module")
def osu(require_tool):
    from finevh.liberty.libset import load_library_set

    if not Path(OSU018).is_file():
        require_tool("osu018 library (Debian qflow-tech-osu018) " + OSU018)
    return load_library_set([OSU018])


@pytest.fixture(scope="module")
def sky_tt(shared_data):
    from finevh.liberty.libset import load_library_set

    return load_library_set([shared_data / "liberty/sky130_fd_sc_hd/sky130_fd_sc_hd__tt_025C_1v80.lib.gz"])


def _row(d, net_name):
    m = d.netlist.net_names.index(net_name)
    a, b = int(d.net_term_ptr[m]), int(d.net_term_ptr[m + 1])
    k = int(d.net_n_drivers[m])
    names = [d.term_name(int(t)) for t in d.net_terms[a:b]]
    return names[:k], names[k:]


def test_link_hierarchical(repo, osu):
    d = link(read_verilog(repo / "tests/data/netlist/hier_osu018.v"), osu)
    assert [c.name for c in d.cells] == d.netlist.cell_names
    assert d.area() == pytest.approx(sum(osu.find_cell(c).area for c in
                                         ["BUFX2", "INVX1", "INVX1", "NAND2X1", "NOR2X1", "TBUFX1", "TBUFX1",
                                          "XOR2X1", "XOR2X1", "AND2X2", "AND2X2", "DFFPOSX1", "DFFPOSX1"]))
    assert int(d.is_sequential().sum()) == 2
    # two tri-state buffers on one net: allowed, both at the head of the row
    assert _row(d, "u_core/shared") == (["u_core/t0/Y", "u_core/t1/Y"], ["u_core/g3/A"])
    # ports: inputs drive, outputs load; instance pins before ports
    assert _row(d, "y[0]") == (["u_core/g3/Y"], ["b0/A", "y[0]"])
    assert _row(d, "clk") == (["clk"], ["u_core/rs/r0/CLK", "u_core/rs/r1/CLK"])
    assert _row(d, "y[3]") == ([], ["u_core/g2/B", "y[3]"])  # tied to 0: no driver
    i = d.netlist.inst_names.index("b0")
    a = int(d.netlist.pin_ptr[i])
    assert d.pin_dir[a:a + 2].tolist() == [DIR_INPUT, DIR_OUTPUT]
    # CSR consistency: every connected pin and every port appears exactly once
    P = d.n_pins
    expect = np.concatenate([np.flatnonzero(d.netlist.pin_net >= 0), P + np.arange(d.n_ports)])
    assert np.array_equal(np.sort(d.net_terms), expect)
    # graph: driver -> load edges between instances/ports
    g = d.graph()
    N = d.n_instances
    assert g.number_of_nodes() == N + d.n_ports
    t0 = d.netlist.inst_names.index("u_core/t0")
    g3 = d.netlist.inst_names.index("u_core/g3")
    assert g.has_edge(t0, g3) and g.nodes[g3]["cell"] == "INVX1"
    assert g.has_edge(N + d.netlist.port_names.index("clk"), d.netlist.inst_names.index("u_core/rs/r0"))


def test_rebind(repo, osu):
    d = link(read_verilog(repo / "tests/data/netlist/hier_osu018.v"), osu)
    inv = [i for i, c in enumerate(d.netlist.inst_cell.tolist()) if d.netlist.cell_names[c] == "INVX1"]
    before = d.area()
    d.rebind(inv, osu.find_cell("INVX4"))
    assert [d.cell_of(i).name for i in inv] == ["INVX4", "INVX4"]
    assert len(d.cells) == len(d.netlist.cell_names) + 1
    assert d.area() == pytest.approx(before + 2 * (osu.find_cell("INVX4").area - osu.find_cell("INVX1").area))
    d.rebind(inv[:1], [osu.find_cell("INVX4")])  # same cell again: table unchanged
    assert len(d.cells) == len(d.netlist.cell_names) + 1
    with pytest.raises(InputError) as e:
        d.rebind([d.netlist.inst_names.index("b0")], osu.find_cell("NAND2X1"))
    assert "b0" in e.value.message and e.value.line == 54


def test_per_net_connectivity_matches_opensta(shared_data, sky_tt, require_tool, tmp_path):
    """For every OpenSTA net of s38417: its count of driving (output) and loading
    instance pins equals ours (assign-aliased names are summed onto the merged net)."""
    sta = require_tool("sta")
    from finevh.synth.yosys import trimmed_liberty

    f = shared_data / "mapped/s38417_sky130hd_tt.v"
    lib = trimmed_liberty(shared_data / "liberty/sky130_fd_sc_hd/sky130_fd_sc_hd__tt_025C_1v80.lib.gz", [])
    script = tmp_path / "nets.tcl"
    script.write_text(f"""read_liberty {lib}
read_verilog {f}
link_design s38417
puts "CELLS [llength [get_cells *]]"
foreach net [get_nets *] {{
  set d 0; set l 0
  foreach p [get_pins -of_objects $net] {{
    if {{[get_property $p direction] == "output"}} {{incr d}} else {{incr l}}
  }}
  puts "NET [get_full_name $net] $d $l"
}}
exit
""")
    out = subprocess.run([sta, str(script)], capture_output=True, text=True, check=True).stdout
    d = link(read_verilog(f), sky_tt)
    nl = d.netlist
    assert int(re.search(r"CELLS (\d+)", out).group(1)) == d.n_instances
    index = {n: k for k, n in enumerate(nl.net_names)}
    theirs = np.zeros((nl.n_nets, 2), dtype=np.int64)
    n_sta = 0
    for name, dd, ll in re.findall(r"^NET (\S+) (\d+) (\d+)$", out, re.M):
        k = index[nl.net_aliases.get(name, name)]
        theirs[k] += (int(dd), int(ll))
        n_sta += 1
    assert n_sta == nl.n_nets + len(nl.net_aliases)  # OpenSTA keeps aliased names as nets
    P = d.n_pins
    ours = np.zeros_like(theirs)
    for m in range(nl.n_nets):
        a, b = int(d.net_term_ptr[m]), int(d.net_term_ptr[m + 1])
        k = int(d.net_n_drivers[m])
        row = d.net_terms[a:b]
        ours[m] = ((row[:k] < P).sum(), (row[k:] < P).sum())
    assert np.array_equal(ours, theirs)


def _bad(tmp_path, body: str) -> Path:
    p = tmp_path / "bad.v"
    p.write_text("module m (a, y);\n  input a;\n  output y;\n  wire n;\n" + body + "endmodule\n")
    return p


def test_unknown_cell_pin_and_drivers(tmp_path, osu):
    p = _bad(tmp_path, "  INVX1 u1 (.A(a), .Y(n));\n  FOO7 u2 (.A(n), .Y(y));\n")
    with pytest.raises(InputError) as e:
        link(read_verilog(p), osu, black_boxes=False)
    assert (e.value.path, e.value.line) == (str(p), 6) and "unknown cell 'FOO7'" in e.value.message
    d = link(read_verilog(p), osu)   # by default a black box (tests/test_flow_netlists.py)
    assert d.cell_of(1).black_box and d.pin_dir.tolist()[2:] == [DIR_UNKNOWN, DIR_UNKNOWN]
    assert _row(d, "n") == (["u1/Y"], []) and _row(d, "y") == ([], ["y"])
    p = _bad(tmp_path, "  INVX1 u1 (.A(a), .Y(n));\n  INVX1 u2 (.A(n), .Z(y));\n")
    with pytest.raises(InputError) as e:
        link(read_verilog(p), osu)
    assert e.value.line == 6 and "no pin 'Z'" in e.value.message
    p = _bad(tmp_path, "  INVX1 u1 (.A(a), .Y(n));\n  INVX1 u2 (.A(a), .Y(n));\n  BUFX2 u3 (.A(n), .Y(y));\n")
    with pytest.raises(InputError) as e:
        link(read_verilog(p), osu)
    assert e.value.line == 6 and "2 drivers" in e.value.message and "u1/Y" in e.value.message
    p = _bad(tmp_path, "  INVX1 u1 (.A(a), .Y(n));\n  NAND2X1 u2 (.A(n), .B(a), .A(a), .Y(y));\n")
    with pytest.raises(InputError) as e:
        link(read_verilog(p), osu)
    assert e.value.line == 6 and "pin 'A' connected twice on instance 'u2'" in e.value.message
    p = _bad(tmp_path, "  INVX1 u1 (.A(a), .Y(y));\n  assign y = 1'b1;\n")
    with pytest.raises(InputError) as e:
        link(read_verilog(p), osu)
    assert e.value.line == 5 and "tied to constant 1" in e.value.message


def test_power_pins_are_not_signal_terminals(tmp_path, sky_tt):
    p = tmp_path / "pg.v"
    p.write_text("module m (a, y, vdd, vss);\n input a; output y; inout vdd, vss;\n"
                 " sky130_fd_sc_hd__inv_1 u1 (.A(a), .Y(y), .VPWR(vdd), .VGND(vss), .VPB(vdd), .VNB(vss));\n"
                 "endmodule\n")
    d = link(read_verilog(p), sky_tt)
    assert d.pin_dir.tolist() == [DIR_INPUT, DIR_OUTPUT, DIR_PG, DIR_PG, DIR_PG, DIR_PG]
    assert _row(d, "vdd") == (["vdd"], [])
    assert _row(d, "y") == (["u1/Y"], ["y"])
