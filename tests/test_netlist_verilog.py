"""Fast structural Verilog reader: features and malformed input, on small netlists
written here and on the hand-written hierarchical file tests/data/netlist/hier_osu018.v."""

from __future__ import annotations

import numpy as np
import pytest

from finevh.errors import InputError
from finevh.netlist.model import NET_CONST0, NET_CONST1, NET_NORMAL
from finevh.netlist.verilog import read_verilog


@pytest.fixture(autouse=True, params=["python", "compiled"])
def scan(request, monkeypatch):
    """Every test here runs with the Python statement scan and with the compiled one
    (:mod:`finevh.netlist.verilog_kernels`)."""
    from finevh.netlist import verilog

    real = verilog.use_compiled
    if request.param == "python":
        monkeypatch.setattr(verilog, "use_compiled", lambda compiled: False)
    else:
        assert real(True)
        monkeypatch.setattr(verilog, "use_compiled", lambda compiled: real(True))
    return request.param


def _write(tmp_path, text: str, name: str = "t.v"):
    p = tmp_path / name
    p.write_text(text)
    return p


def _conns(nl, inst: str) -> dict[str, str | None]:
    i = nl.inst_names.index(inst)
    a, b = int(nl.pin_ptr[i]), int(nl.pin_ptr[i + 1])
    return {nl.pin_names[nl.pin_name[k]]: (nl.net_names[nl.pin_net[k]] if nl.pin_net[k] >= 0 else None)
            for k in range(a, b)}


def test_hierarchical_file_flattens(repo):
    nl = read_verilog(repo / "tests/data/netlist/hier_osu018.v")
    assert nl.top == "top"  # the only module nobody instantiates
    # a module's leaf cells first, then its sub-modules depth first, names joined by '/'
    assert nl.inst_names == ["b0", "u_unused", "u_core/g1", "u_core/g2", "u_core/t0", "u_core/t1", "u_core/g3",
                             "u_core/h0/x", "u_core/h0/n", "u_core/h1/x", "u_core/h1/n", "u_core/rs/r0",
                             "u_core/rs/r1"]
    assert nl.inst_line.tolist() == [54, 55, 36, 37, 38, 39, 40, 19, 20, 19, 20, 10, 11]
    assert nl.cell_names == ["BUFX2", "INVX1", "NAND2X1", "NOR2X1", "TBUFX1", "XOR2X1", "AND2X2", "DFFPOSX1"]
    assert nl.port_names == ["clk", "a[3]", "a[2]", "a[1]", "a[0]", "y[3]", "y[2]", "y[1]", "y[0]", "z", "en"]
    assert nl.port_dir.tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0]
    # ports keep their names through assign aliases and port connections
    assert _conns(nl, "b0") == {"A": "y[0]", "Y": "z"}
    assert _conns(nl, "u_unused") == {"A": "a[0]", "Y": None}  # .Y() is unconnected
    # concatenation {a[3:1], 1'b1} on a bus port: in[0] tied to 1, in[3:1] = a[3:1]
    assert _conns(nl, "u_core/h1/x") == {"A": "a[2]", "B": "a[3]", "Y": "u_core/sum[1]"}
    assert _conns(nl, "u_core/h0/x")["A"] == "u_core/in[0]"
    k = nl.net_names.index("u_core/in[0]")
    assert nl.net_const[k] == NET_CONST1
    # supply1 vdd merged with the constant-1 net; supply0 vss with y[3] (assign ... = 1'b0)
    assert _conns(nl, "u_core/g1") == {"A": "u_core/weird$net[1]", "B": "u_core/in[0]", "Y": "y[1]"}
    assert _conns(nl, "u_core/g2") == {"A": "u_core/carry[0]", "B": "y[3]", "Y": "y[2]"}
    assert nl.net_const[nl.net_names.index("y[3]")] == NET_CONST0
    assert nl.net_aliases["u_core/vss"] == "y[3]" and nl.net_aliases["w[2]"] == "y[2]"
    assert nl.net_aliases["u_core/out.q[0]"] == "y[0]"  # escaped bus '\out.q ' bit-selected
    # positional instantiation of ha follows its port order (a, b, s, c)
    assert _conns(nl, "u_core/h0/n") == {"A": "u_core/in[0]", "B": "a[1]", "Y": "u_core/carry[0]"}
    assert nl.n_nets == 19 and int(nl.pin_ptr[-1]) == 36
    assert (nl.net_const == NET_NORMAL).sum() == 17


def test_top_override_and_missing(repo):
    nl = read_verilog(repo / "tests/data/netlist/hier_osu018.v", top="core")
    assert nl.top == "core" and nl.n_instances == 11
    assert nl.port_names[:3] == ["clk", "in[3]", "in[2]"]
    with pytest.raises(InputError, match="no module 'nope'"):
        read_verilog(repo / "tests/data/netlist/hier_osu018.v", top="nope")


def test_escaped_constants_and_buses(tmp_path):
    p = _write(tmp_path, r"""
module m (\a.b , c, y);
  input \a.b ;  input [0:3] c;
  output [1:0] y;
  wire [3:0] bus;
  (* src = "x.v:3" *)
  ND2 \i1.q  (.A(\a.b ), .B(c[0]), .Y(bus[3]));
  ND2 i2 (.A(c [ 3 ]), .B(1'bx), .Y(bus[2]));
  ND2 i3 (.A('b1), .B(4'b0010), .Y(y[1]));   // 4-bit constant on a 1-bit pin: widens the pin
  BUSCELL i4 (.D(bus[3:2]), .Q({y[0], y[1]}));
  assign bus[1:0] = {2{c[1]}};
endmodule
""")
    nl = read_verilog(p)
    assert nl.inst_names == ["i1.q", "i2", "i3", "i4"]
    assert nl.port_names == ["a.b", "c[0]", "c[1]", "c[2]", "c[3]", "y[1]", "y[0]"]  # [0:3]: c[0] is the MSB
    assert _conns(nl, "i1.q") == {"A": "a.b", "B": "c[0]", "Y": "bus[3]"}
    assert _conns(nl, "i2") == {"A": "c[3]", "B": None, "Y": "bus[2]"}  # x -> unconnected
    c3 = _conns(nl, "i3")
    assert c3["A"] == "1'b1" and c3["Y"] == "y[1]"
    assert [c3[f"B[{i}]"] for i in (3, 2, 1, 0)] == ["1'b0", "1'b0", "1'b1", "1'b0"]
    c4 = _conns(nl, "i4")
    assert c4 == {"D[1]": "bus[3]", "D[0]": "bus[2]", "Q[1]": "y[0]", "Q[0]": "y[1]"}
    assert nl.net_aliases.get("bus[1]") == "c[1]" and nl.net_aliases.get("bus[0]") == "c[1]"


def test_escaped_scalar_named_like_a_bus_bit_is_rejected(tmp_path):
    p = _write(tmp_path, "module m (y, \\y[0] );\n output [1:0] y;\n output \\y[0] ;\nendmodule\n")
    with pytest.raises(InputError) as e:
        read_verilog(p)
    assert e.value.line == 3 and "declared twice" in e.value.message


def test_primitives_need_a_map(shared_data):
    f = shared_data / "netlists/iscas85/c17.v"
    with pytest.raises(InputError) as e:
        read_verilog(f)
    assert e.value.line == 16 and "gate primitive 'nand' with 2 input(s)" in e.value.message
    nl = read_verilog(f, cell_map={"nand": ("NAND2X1", ["Y", "A", "B"])})
    assert nl.n_instances == 6 and nl.cell_names == ["NAND2X1"]
    assert _conns(nl, "NAND2_1") == {"Y": "N10", "A": "N1", "B": "N3"}
    assert nl.port_names == ["N1", "N2", "N3", "N6", "N7", "N22", "N23"]


def test_behavioural_dff_rejected_unless_mapped(shared_data):
    f = shared_data / "netlists/iscas89/s27.v"
    prim = {"not": ("INVX1", ["Y", "A"]), "and": ("AND2X2", ["Y", "A", "B"]), "or": ("OR2X1", ["Y", "A", "B"]),
            "nand": ("NAND2X1", ["Y", "A", "B"]), "nor": ("NOR2X1", ["Y", "A", "B"])}
    with pytest.raises(InputError) as e:
        read_verilog(f, cell_map=prim)
    assert "module 'dff'" in e.value.message and "behavioural" in e.value.message
    assert e.value.line == 8  # the 'always' line of module dff
    nl = read_verilog(f, cell_map={**prim, "dff": ("DFFPOSX1", {"CK": "CLK", "D": "D", "Q": "Q"})})
    assert nl.top == "s27" and nl.n_instances == 13
    assert _conns(nl, "DFF_0") == {"CLK": "CK", "Q": "G5", "D": "G10"}


def test_epfl_rtl_is_rejected_clearly(shared_data):
    with pytest.raises(InputError) as e:
        read_verilog(shared_data / "netlists/epfl/ctrl.v")
    assert "operator '&'" in e.value.message and "Yosys" in e.value.message
    assert e.value.line == 28


@pytest.mark.parametrize("text,line,what", [
    ("module m (a);\n input a;\n INVX1 u1 (.A(a) .Y());\nendmodule\n", 3, "syntax"),
    ("module m (a);\n input a;\n INVX1 u1 (.A(a), .Y())\n INVX1 u2 (.A(a));\nendmodule\n", 3, "syntax"),
    ("module m (a);\n input a;\n INVX1 u1 (.A(a), .Y(b[2]));\nendmodule\n", 3, "undeclared"),
    ("module m (a);\n input [1:0] a;\n INVX1 u1 (.A(a[4]), .Y());\nendmodule\n", 3, "outside"),
    ("module m (a);\n input a;\n INVX1 u1 (.A(a), .Y());\n", 3, "endmodule"),
    ("module m (a);\n input a;\n INVX1 u1 (.A(a), .Y(", 3, "endmodule"),
    ("module m (a);\n input a;\n INVX1 u1 (.A(a), .Y());\n INVX1 u2 (.A(a),\nendmodule\n", 4, "';'"),
    ("module m (a);\n input a;\n /* open comment\n INVX1 u1 (.A(a));\nendmodule\n", 3, "comment"),
    ("module m (a);\n input a;\n assign a = ~a;\nendmodule\n", 3, "operator"),
    ("module m (a);\n input a;\nendmodule\nmodule n (b);\n input b;\nendmodule\n", 4, "several top"),
    ("module m (a);\n input a;\n sub s (.x(a));\nendmodule\nmodule sub (y);\n input y;\nendmodule\n", 3,
     "no port 'x'"),
    ("`define W 4\nmodule m (a);\n input a;\nendmodule\n", 1, "directive"),
    ("module m (a);\n input a;\n INVX1 u [1:0] (.A(a));\nendmodule\n", 3, "array"),
])
def test_malformed(tmp_path, text, line, what):
    p = _write(tmp_path, text)
    with pytest.raises(InputError) as e:
        read_verilog(p)
    assert e.value.path == str(p)
    assert e.value.line == line, e.value
    assert what in str(e.value), e.value


def test_implicit_net_and_gz(tmp_path):
    import gzip

    p = tmp_path / "g.v.gz"
    with gzip.open(p, "wt") as f:
        f.write("module m (a, y);\n input a; output y;\n INVX1 u1 (.A(a), .Y(n1));\n INVX1 u2 (.A(n1), .Y(y));\n"
                "endmodule\n")
    nl = read_verilog(p)
    assert nl.net_names == ["a", "y", "n1"]  # implicit net appended after declarations
    assert nl.pin_net.tolist() == [0, 2, 2, 1]


def test_arrays_are_compact(shared_data):
    nl = read_verilog(shared_data / "mapped/s38417_sky130hd_tt.v")
    assert nl.inst_cell.dtype == np.int32 and nl.pin_net.dtype == np.int32 and nl.pin_name.dtype == np.int32
    assert nl.pin_ptr.dtype == np.int64 and nl.inst_line.dtype == np.int32
    assert nl.n_instances == 5810 and nl.n_nets == 5839 and int(nl.pin_ptr[-1]) == 20739
    # 49 output ports are 'assign'ed to other ports/nets: merged, names kept as aliases
    assert len(nl.net_aliases) == 49 and nl.net_aliases["g5472"] == "g5437"
    assert nl.port_net[nl.port_names.index("g5472")] == nl.port_net[nl.port_names.index("g5437")]


def test_comments_attributes_and_escaped_slashes(tmp_path):
    p = _write(tmp_path, "//*** header\nmodule m (a, y); /* ports // not a line comment\n */\n"
                         "  input a; output y; // out\n  wire \\n//1 , \\n/*2 ;\n"
                         "  (* keep *) INVX1 u1 (.A(a), /* inline */ .Y(\\n//1 ));\n"
                         "  INVX1 u2 (.A(\\n//1 ), .Y(\\n/*2 ));  (* a = \"*)\" *)\n"
                         "  INVX1 u3 (.A(\\n/*2 ), .Y(y));\nendmodule // end\n")
    nl = read_verilog(p)
    assert nl.inst_names == ["u1", "u2", "u3"] and nl.inst_line.tolist() == [6, 7, 8]
    assert _conns(nl, "u2") == {"A": "n//1", "Y": "n/*2"}


def test_comment_opener_search_equals_str_find():
    """The reader finds comment openers through one rare character (falling back to
    ``str.find`` when that character is frequent): the same positions as ``str.find``."""
    import random

    from finevh.netlist.verilog import _find

    rnd = random.Random(7)
    for _ in range(3000):
        text = "".join(rnd.choice('(*/ "x') if rnd.random() < 0.5 else rnd.choice("x \n")
                       for _ in range(rnd.randint(0, 200)))
        for tok in ("//", "/*", "(*", '"'):
            i = rnd.randint(0, len(text) + 1)
            assert _find(text, tok, i) == text.find(tok, i), (text, tok, i)
    dense = "/x" * 500 + "//" + "(" + "*x" * 500 + "(*"     # more candidates than the search steps through
    for tok in ("//", "(*", "/*"):
        assert _find(dense, tok) == dense.find(tok)
