"""The fast reader and the pyverilog path build IDENTICAL netlists (every array, every
name table) on real files: a Yosys-mapped ISCAS-89 circuit, the bundled sample, a
hand-written hierarchical file, ISCAS-85/89 files with gate primitives mapped."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from finevh.netlist.cellmaps import SKY130_HD
from finevh.netlist.verilog import read_verilog

PRIM_SKY130 = SKY130_HD


def assert_identical(a, b) -> None:
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert isinstance(y, np.ndarray) and x.dtype == y.dtype, f.name
            assert np.array_equal(x, y), f.name
        else:
            assert x == y, f.name


@pytest.mark.parametrize("rel,top,cmap,n", [
    ("mapped/s38417_sky130hd_tt.v", None, None, 5810),
    ("netlists/iscas85/c880.v", None, PRIM_SKY130, 383),
    ("netlists/iscas89/s1196.v", None, PRIM_SKY130, 547),
])
def test_identical_on_shared_data(shared_data, require_tool, rel, top, cmap, n):
    require_tool("iverilog")
    from finevh.netlist.verilog_pyverilog import read_verilog_pyverilog

    f = shared_data / rel
    a = read_verilog(f, top=top, cell_map=cmap)
    b = read_verilog_pyverilog(f, top=top, cell_map=cmap)
    assert a.n_instances == n
    assert_identical(a, b)


@pytest.mark.parametrize("rel,top,n", [
    ("designs/sample/sample_osu018.v", None, 145),
    ("tests/data/netlist/hier_osu018.v", None, 13),
    ("tests/data/netlist/hier_osu018.v", "core", 11),
])
def test_identical_on_repo_files(repo, require_tool, rel, top, n):
    require_tool("iverilog")
    from finevh.netlist.verilog_pyverilog import read_verilog_pyverilog

    a = read_verilog(repo / rel, top=top)
    b = read_verilog_pyverilog(repo / rel, top=top)
    assert a.n_instances == n
    assert_identical(a, b)


def test_pyverilog_reports_syntax_errors_with_line(tmp_path, require_tool):
    require_tool("iverilog")
    from finevh.errors import InputError
    from finevh.netlist.verilog_pyverilog import read_verilog_pyverilog

    p = tmp_path / "bad.v"
    p.write_text("module m (a);\n input a;\n wire b\n INVX1 u (.A(a), .Y(b));\nendmodule\n")
    with pytest.raises(InputError) as e:
        read_verilog_pyverilog(p)
    assert e.value.line == 4 and e.value.path == str(p)
    with pytest.raises(InputError) as e2:
        read_verilog(p)
    assert e2.value.line == 3  # the fast reader names the statement missing its ';'


TRICKY = """// compiled scan against the Python scan: shapes each must read alike
module leaf (a, y);
  input a; output y;
  assign y = a;
endmodule
module dffm (CK, Q, D);
  input CK, D; output Q; reg Q;
  always @ (posedge CK) Q <= D;
endmodule
module top (clk, \\in[0] , \\in[1] , out, \\odd(x) );
  input clk; input \\in[0] ; input \\in[1] ; output out; output \\odd(x) ;
  wire [3:0] bus;
  wire \\esc.name ;
  wire w$1;
  wire n1;\twire\x0cn2 ;
  (* keep = "yes" *) INVX1 u1 ( .A(\\in[0] ), .Y(n1) );
  INVX1 \\u2[3]  (
    .A ( n1 ) ,
    .Y(\\esc.name )
  );
  NAND2X1 u3 (.A({bus[1], n1}), .B(bus[0]), .Y(bus[2]));
  NAND2X1 u4 (.A(\\odd(x) ), .B(n2), .Y(bus[3]));
  leaf u5 (n1, w$1);
  leaf l1 (.a(w$1), .y(n2));
  dffm r1 (.CK(clk), .D(bus[3]), .Q(out));
  BUFX2 u6 (.A(1'b0), .Y(bus[1]));
  BUFX2 u7 (.A(bus[2]), .Y());
endmodule
"""


def test_compiled_scan_reads_every_netlist_alike(shared_data, repo, tmp_path):
    """The compiled statement scan (numba) gives the same netlist as the Python scan,
    every array and name table, on every netlist of the shared data (OpenROAD's test
    designs, the ISCAS and mapped sets; RTL and wide gate primitives are rejected with
    the same message) and the repository's, and on a file with escaped names holding
    brackets, dots and parentheses, a bus concatenation, positional connections,
    attributes, tabs and form feeds, a behavioural module (mapped) and unconnected
    pins; it takes the bodies it can (most of a flow's netlists)."""
    from finevh.errors import InputError
    from finevh.netlist import verilog

    assert verilog.use_compiled(True)
    taken = []
    orig = verilog._Module._body_compiled

    def spy(self, pos, body):
        r = orig(self, pos, body)
        taken.append(r)
        return r

    tricky = tmp_path / "tricky.v"
    tricky.write_text(TRICKY)
    files = sorted(shared_data.rglob("*.v")) + sorted((repo / "designs").rglob("*.v")) + \
        sorted((repo / "tests/data/netlist").glob("*.v")) + [tricky]
    assert len(files) > 60
    n_taken = n_read = 0
    try:
        verilog._Module._body_compiled = spy
        for f in files:
            taken.clear()
            out = []
            for c in (True, False):
                try:
                    out.append(read_verilog(f, compiled=c, cell_map={**SKY130_HD, "dffm": SKY130_HD["dff"]}))
                except InputError as e:
                    out.append(str(e))
            a, b = out
            if isinstance(a, str) or isinstance(b, str):
                assert a == b and f != tricky, (f, a, b)
                continue
            assert_identical(a, b)
            n_read += 1
            n_taken += any(taken)
            if f == tricky:
                assert taken == [True, False, True]         # always (module dffm): the Python scan
                assert a.n_instances == 7 and "u2[3]" in a.inst_names and "u3" in a.inst_names
    finally:
        verilog._Module._body_compiled = orig
    assert n_read > 40 and n_taken > 25
