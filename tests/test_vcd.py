"""VCD and SAIF readers: a real VCD from an Icarus gate-level simulation of osu018
cells, checked against toggle counts and time-at-1 measured inside the simulation;
hand-written files for the format corners; malformed files -> InputError file:line."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from finevh.activity.saif import read_saif
from finevh.activity.vcd import read_vcd
from finevh.errors import InputError

OSU_V = Path("/usr/share/qflow/tech/osu018/osu018_stdcells.v")

GATE_NETLIST = """\
module g(clk, d, a, q, y);
input clk, a; input [3:0] d; output [3:0] q; output y;
wire [3:0] n;
wire x1, x2;
XOR2X1 ux0(.A(d[0]), .B(a), .Y(n[0]));
XOR2X1 ux1(.A(d[1]), .B(q[0]), .Y(n[1]));
NAND2X1 un2(.A(d[2]), .B(q[1]), .Y(n[2]));
NOR2X1 un3(.A(d[3]), .B(q[2]), .Y(n[3]));
DFFPOSX1 r0(.CLK(clk), .D(n[0]), .Q(q[0]));
DFFPOSX1 r1(.CLK(clk), .D(n[1]), .Q(q[1]));
DFFPOSX1 r2(.CLK(clk), .D(n[2]), .Q(q[2]));
DFFPOSX1 r3(.CLK(clk), .D(n[3]), .Q(q[3]));
AOI21X1 ua(.A(q[0]), .B(q[3]), .C(a), .Y(x1));
INVX1 ui(.A(x1), .Y(x2));
MUX2X1 um(.A(x2), .B(q[1]), .S(d[0]), .Y(y));
endmodule
"""

#: nets of module g watched by the test bench (VCD names relative to tb/dut)
WATCH = ["clk", "a", "d[0]", "d[1]", "d[2]", "d[3]", "n[0]", "n[1]", "n[2]", "n[3]",
         "q[0]", "q[1]", "q[2]", "q[3]", "x1", "x2", "y"]


def _testbench(cycles: int) -> str:
    """A bench driving seeded random inputs, dumping a VCD, and measuring in the
    simulator itself, for every watched net, the 0<->1 toggles and the time at 1."""
    mon = []
    for k, s in enumerate(WATCH):
        ref = f"dut.{s}"
        # Changes are committed one time step late, keeping the last value of a time
        # step: zero-width glitches are not value changes a VCD can hold.
        mon.append(f"""
integer tg{k} = 0; real h{k} = 0; real lc{k} = 0; reg lk{k}; reg lv{k} = 0; reg cu{k} = 1'bx;
reg pv{k}; real pt{k} = -1;
task commit{k}; begin
  if (pt{k} >= 0) begin
    if (cu{k} === 1'b1) h{k} = h{k} + (pt{k} - lc{k});
    lc{k} = pt{k}; cu{k} = pv{k};
    if (pv{k} === 1'b0 || pv{k} === 1'b1) begin
      if (lv{k} && lk{k} !== pv{k}) tg{k} = tg{k} + 1;
      lk{k} = pv{k}; lv{k} = 1;
    end
  end
end endtask
always @({ref}) begin
  if ($realtime != pt{k}) commit{k};
  pv{k} = {ref}; pt{k} = $realtime;
end""")
    fin = "\n".join(
        f'  commit{k}; if (cu{k} === 1\'b1) h{k} = h{k} + ($realtime - lc{k});\n'
        f'  $display("SIG {s} %0d %0.6f", tg{k}, h{k});' for k, s in enumerate(WATCH))
    return f"""`timescale 1ns/1ps
module tb;
reg clk, a; reg [3:0] d; wire [3:0] q; wire y;
g dut(.clk(clk), .d(d), .a(a), .q(q), .y(y));
integer seed = 11, i;
{''.join(mon)}
initial begin
  $dumpfile("g.vcd"); $dumpvars(0, tb);
  #1 clk = 0; a = 0; d = 0;
  for (i = 0; i < {cycles}; i = i + 1) begin
    #5 clk = 1;
    #2 d = $random(seed); a = $random(seed);
    #3 clk = 0;
  end
  #4;
{fin}
  $finish;
end
endmodule
"""


@pytest.fixture(scope="session")
def gate_sim(tmp_path_factory, require_tool):
    """(vcd path, {net: (toggles, time_at_1_ns)}) from one Icarus run."""
    require_tool("iverilog")
    require_tool("vvp")
    if not OSU_V.is_file():
        from conftest import need
        need(False, str(OSU_V))
    d = tmp_path_factory.mktemp("vcdsim")
    (d / "g.v").write_text(GATE_NETLIST)
    (d / "tb.v").write_text(_testbench(150))
    subprocess.run(["iverilog", "-o", "sim.out", "tb.v", "g.v", str(OSU_V)], cwd=d, check=True,
                   capture_output=True)
    r = subprocess.run(["vvp", "sim.out"], cwd=d, check=True, capture_output=True, text=True)
    ref = {}
    for m in re.finditer(r"^SIG (\S+) (\d+) ([\d.]+)$", r.stdout, re.M):
        ref[m.group(1)] = (int(m.group(2)), float(m.group(3)))
    assert len(ref) == len(WATCH)
    return d / "g.vcd", ref, d


def test_icarus_vcd_matches_in_simulation_counts(gate_sim):
    vcd, ref, _ = gate_sim
    act = read_vcd(vcd, scope="tb/dut")
    for name, (tog, t1) in ref.items():
        i = act.lookup(name)
        assert i is not None, name
        assert act.toggles[i] == tog, name
        assert act.t1[i] == pytest.approx(t1, abs=1e-6), name
    # 150 cycles of 10 ns after 1 ns of x, and the final 4 ns
    assert act.duration == pytest.approx(1505.0)
    clk = act.lookup("clk")
    assert act.toggles[clk] == 2 * 150
    # OpenSTA 3.x: time at 1 over the whole dump (the first ns, x, counts as not 1)
    assert act.static_probability()[clk] == pytest.approx(750 / 1505, rel=1e-9)
    # the same file read with the dotted scope form, and unscoped full names
    assert read_vcd(vcd, scope="tb.dut").names == act.names
    full = read_vcd(vcd)
    assert full.toggles[full.lookup("tb/dut/n[1]")] == ref["n[1]"][0]


def test_hand_written_vcd_corners(tmp_path):
    text = """$date today $end
$version hand $end
$comment
  multi-line comment $end
$timescale 10 ps $end
$scope module top $end
$var wire 1 ! clk $end
$var wire 4 " bus [3:0] $end
$var reg 1 # \\esc.name $end
$var wire 2 $ low [1:0] $end
$scope module sub $end
$var wire 1 ! ck $end
$var wire 1 % bit [5] $end
$var real 64 & r $end
$upscope $end
$upscope $end
$enddefinitions $end
#0
$dumpvars
0!
bx0 "
x#
b1 $
0%
r1.5 &
$end
#100
1! b1010 "
1#
z%
#200
0!
b11 "
0#
1%
#400
1!
r2.5 &
"""
    p = tmp_path / "c.vcd"
    p.write_text(text)
    a = read_vcd(p)
    assert a.duration == pytest.approx(4.0)          # 400 x 10 ps
    g = lambda n: a.lookup(n)  # noqa: E731
    assert a.toggles[g("top/clk")] == 3
    assert a.t1[g("top/clk")] == pytest.approx(1.0)
    assert a.t0[g("top/clk")] == pytest.approx(3.0)
    assert a.toggles[g("top/sub/ck")] == 3           # alias of the same id
    # bus: x0 at 0, 1010 at 100, 0011 (left-extended 11) at 200
    assert [a.toggles[g(f"top/bus[{k}]")] for k in range(4)] == [1, 0, 0, 1]
    assert a.tx[g("top/bus[3]")] == pytest.approx(1.0)
    assert a.t1[g("top/bus[1]")] == pytest.approx(3.0)
    assert a.t1[g("top/bus[3]")] == pytest.approx(1.0)
    assert a.toggles[g("top/esc.name")] == 1
    # 0 -> z -> 1: one toggle, z time not counted as 0 or 1
    assert a.toggles[g("top/sub/bit[5]")] == 1
    assert a.tx[g("top/sub/bit[5]")] == pytest.approx(1.0)
    assert a.t1[g("top/sub/bit[5]")] == pytest.approx(2.0)
    assert a.t1[g("top/low[0]")] == pytest.approx(4.0)
    s = read_vcd(p, scope="top/sub")
    assert s.names == ["ck", "bit[5]"]


@pytest.mark.parametrize("body,line,msg", [
    ("#0\n1!\n#5\n2!\n", 9, "cannot parse"),
    ("#0\n1?\n", 7, "unknown signal id"),
    ("#10\n1!\n#5\n", 8, "time goes backwards"),
    ("#0\nb10q !\n", 7, "bad vector value"),
    ("#x1\n", 6, "bad time"),
])
def test_malformed_vcd_body(tmp_path, body, line, msg):
    head = "$timescale 1ns $end\n$scope module t $end\n$var wire 1 ! a $end\n$upscope $end\n$enddefinitions $end\n"
    p = tmp_path / "bad.vcd"
    p.write_text(head + body)
    with pytest.raises(InputError) as e:
        read_vcd(p)
    assert e.value.line == line and msg in e.value.message
    assert str(e.value).startswith(f"{p}:{line}: ")


@pytest.mark.parametrize("head,line,msg", [
    ("$timescale 3 ns $end\n", 1, "bad $timescale"),
    ("$scope module t $end\n$var wire x ! a $end\n", 2, "bad $var size"),
    ("$scope module t $end\n$var wire 4 ! a [2:0] $end\n", 2, "does not match"),
    ("$upscope $end\n", 1, "$upscope without $scope"),
    ("$scope module t $end\n$var wire 1 ! a $end\n", 2, "missing $enddefinitions"),
    ("hello\n", 1, "expected a $keyword"),
])
def test_malformed_vcd_header(tmp_path, head, line, msg):
    p = tmp_path / "bad.vcd"
    p.write_text(head)
    with pytest.raises(InputError) as e:
        read_vcd(p)
    assert e.value.line == line and msg in e.value.message


SAIF = """(SAIFILE
(SAIFVERSION "2.0")
(DIRECTION "backward")
(DESIGN )
(DATE "Sat Nov 21 2026")
(VENDOR "hand")
(PROGRAM_NAME "test")
(VERSION "1")
(DIVIDER / )
(TIMESCALE 1 ps)
(DURATION 20000)
(INSTANCE tb
  (INSTANCE dut
    (PORT
      (a (T0 12000) (T1 8000) (TX 0) (TC 40) (IG 0))
    )
    (NET
      (n\\[1\\] (T0 5000) (T1 14000) (TX 1000) (TC 7) (IG 0))
      (y (T0 10000) (T1 10000) (TX 0) (TC 100))
    )
    (INSTANCE sub
      (NET (w (T0 20000) (T1 0) (TC 0)))
    )
  )
)
)
"""


def test_saif_reader(tmp_path):
    p = tmp_path / "a.saif"
    p.write_text(SAIF)
    a = read_saif(p, scope="tb/dut")
    assert a.names == ["a", "n[1]", "y", "sub/w"]
    assert a.duration == pytest.approx(20.0)
    np.testing.assert_array_equal(a.toggles, [40, 7, 100, 0])
    np.testing.assert_allclose(a.t1, [8.0, 14.0, 10.0, 0.0])
    # OpenSTA 3.x read_saif: duty = T1 / duration (TX time counts as not 1)
    np.testing.assert_allclose(a.static_probability(), [0.4, 14 / 20, 0.5, 0.0])
    np.testing.assert_allclose(a.density_per_ns(), [2.0, 0.35, 5.0, 0.0])


@pytest.mark.parametrize("text,line,msg", [
    (SAIF.replace("(TC 7)", "(TC seven)"), 18, "expected a number"),
    (SAIF.replace("(TIMESCALE 1 ps)", "(TIMESCALE 3 ps)"), 10, "bad TIMESCALE"),
    (SAIF.replace("(IG 0))\n    )\n    (NET", "(IG 0))\n    \n    (NET"), 1, "unbalanced"),
    (SAIF.replace("(TC 100)", "(TQ 100)"), 19, "unknown field"),
    (SAIF.replace("(DURATION 20000)\n", ""), 1, "missing DURATION"),
    ("(FOO)", 1, "not a SAIF file"),
])
def test_malformed_saif(tmp_path, text, line, msg):
    p = tmp_path / "bad.saif"
    p.write_text(text)
    with pytest.raises(InputError) as e:
        read_saif(p)
    assert e.value.line == line and msg in e.value.message
    assert str(e.value).startswith(f"{p}:{line}: ")


_PLAIN = ("$timescale 1ns $end\n$scope module tb $end\n$var wire 1 ! a $end\n$var wire 2 \" b [1:0] $end\n"
          "$upscope $end\n$enddefinitions $end\n")


@pytest.mark.parametrize("extra", [
    "$comment Show the parameter values. $end\n",                     # Icarus, after the header
    "$comment\n  1! 0!\n  #7\n$end\n",                                # multi-line, value-like words
    "$attrbegin misc 07 tb.a 1 $end\n",                               # GTKWave/Verilator attributes
    "$comment a $end $comment b\n#3 $end\n",                          # two on one line, one spanning
])
def test_comments_between_value_changes_are_skipped(tmp_path, extra):
    """``$comment``/``$attrbegin`` ... ``$end`` anywhere in the body (one line or
    several, holding words that look like value changes) change nothing."""
    body = ["#0\n$dumpvars\n0!\nb00 \"\n$end\n", "#10\n1!\n", "b11 \"\n#20\n0!\n", "#40\n"]
    ref = tmp_path / "ref.vcd"
    ref.write_text(_PLAIN + "".join(body))
    a = read_vcd(ref)
    for k in range(len(body) + 1):
        v = tmp_path / f"c{k}.vcd"
        v.write_text(_PLAIN + "".join(body[:k]) + extra + "".join(body[k:]))
        b = read_vcd(v)
        assert b.names == a.names
        assert np.array_equal(b.toggles, a.toggles), k
        assert np.allclose(b.t1, a.t1) and np.allclose(b.t0, a.t0) and b.duration == a.duration, k
    assert a.toggles.tolist() == [2, 1, 1] and a.t1.tolist() == [10.0, 30.0, 30.0]


def test_simulator_headers_and_escaped_names(tmp_path):
    """Header forms written by Verilator / commercial simulators: multi-line
    ``$comment``, ``$attrbegin``, escaped identifiers with dots, brackets and ``$``."""
    v = tmp_path / "sim.vcd"
    v.write_text("$date today $end\n$version Verilator $end\n$timescale 1ps $end\n"
                 "$comment\n  header comment #5 1!\n$end\n$scope module tb $end\n"
                 "$attrbegin misc 07 tb.x 1 $end\n$var wire 1 ! \\a.b[0]  $end\n"
                 "$var wire 4 \" data [3:0] $end\n$var wire 1 # \\esc$name  $end\n$upscope $end\n"
                 "$enddefinitions $end\n#0\n$dumpvars\n0!\nb0000 \"\n1#\n$end\n#10\n1!\nb1010 \"\n#20\n")
    a = read_vcd(v, scope="tb")
    assert a.names == ["a.b[0]", "data[3]", "data[2]", "data[1]", "data[0]", "esc$name"]
    assert a.toggles.tolist() == [1, 1, 0, 1, 0, 0]
    assert a.duration == pytest.approx(0.02)
    assert a.static_probability().tolist() == [0.5, 0.5, 0.0, 0.5, 0.0, 1.0]
