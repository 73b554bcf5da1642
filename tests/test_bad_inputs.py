"""Adversarial inputs: every reader turns a bad value or a malformed file into ONE line
``finevh: error: FILE[:LINE]: message`` on stderr and exit code 2, with nothing on
stdout and no output file (finevh issue 15, "no wrong answer from bad values").

Each case derives one bad file from a small valid seed (below) by a single mutation
and runs the real CLI in-process (``finevh -q sta|power|emit ... --out FILE``). The
seeds themselves, and a few valid edge cases (a huge unused bus, a plain-text
``.lib.gz``, a gzip file without the suffix, ...), must still work: no false positives.
"""

from __future__ import annotations

import gzip
import re
import time
from pathlib import Path
from typing import Callable, NamedTuple, Union

import pytest

# --------------------------------------------------------------------------- seeds

LIB = """\
library (mini) {
  delay_model : table_lookup ;
  time_unit : "1ns" ;
  voltage_unit : "1V" ;
  current_unit : "1mA" ;
  leakage_power_unit : "1nW" ;
  pulling_resistance_unit : "1kohm" ;
  capacitive_load_unit (1, pf) ;
  nom_voltage : 1.0 ;
  nom_temperature : 25 ;
  nom_process : 1 ;
  lu_table_template (t2) {
    variable_1 : input_net_transition ;
    variable_2 : total_output_net_capacitance ;
    index_1 ("0.01, 0.1") ;
    index_2 ("0.001, 0.1") ;
  }
  power_lut_template (p2) {
    variable_1 : input_transition_time ;
    variable_2 : total_output_net_capacitance ;
    index_1 ("0.01, 0.1") ;
    index_2 ("0.001, 0.1") ;
  }
  cell (INV) {
    area : 1.0 ;
    cell_leakage_power : 1.5 ;
    pin (A) { direction : input ; capacitance : 0.002 ; }
    pin (Y) {
      direction : output ;
      function : "!A" ;
      timing () {
        related_pin : "A" ;
        timing_sense : negative_unate ;
        cell_rise (t2) { values ("0.02, 0.20", "0.03, 0.21") ; }
        cell_fall (t2) { values ("0.02, 0.18", "0.03, 0.19") ; }
        rise_transition (t2) { values ("0.01, 0.30", "0.02, 0.31") ; }
        fall_transition (t2) { values ("0.01, 0.25", "0.02, 0.26") ; }
      }
      internal_power () {
        related_pin : "A" ;
        rise_power (p2) { values ("0.001, 0.002", "0.001, 0.002") ; }
        fall_power (p2) { values ("0.001, 0.002", "0.001, 0.002") ; }
      }
    }
  }
  cell (NAND2) {
    area : 2.0 ;
    cell_leakage_power : 2.5 ;
    pin (A) { direction : input ; capacitance : 0.002 ; }
    pin (B) { direction : input ; capacitance : 0.002 ; }
    pin (Y) {
      direction : output ;
      function : "!(A&B)" ;
      timing () {
        related_pin : "A B" ;
        timing_sense : negative_unate ;
        cell_rise (t2) { values ("0.03, 0.25", "0.04, 0.26") ; }
        cell_fall (t2) { values ("0.03, 0.22", "0.04, 0.23") ; }
        rise_transition (t2) { values ("0.02, 0.35", "0.03, 0.36") ; }
        fall_transition (t2) { values ("0.02, 0.30", "0.03, 0.31") ; }
      }
    }
  }
  cell (DFF) {
    area : 5.0 ;
    cell_leakage_power : 4.0 ;
    ff (IQ, IQN) { clocked_on : "CK" ; next_state : "D" ; }
    pin (CK) { direction : input ; clock : true ; capacitance : 0.003 ; }
    pin (D) {
      direction : input ; capacitance : 0.002 ;
      timing () {
        related_pin : "CK" ;
        timing_type : setup_rising ;
        rise_constraint (t2) { values ("0.05, 0.06", "0.07, 0.08") ; }
        fall_constraint (t2) { values ("0.05, 0.06", "0.07, 0.08") ; }
      }
    }
    pin (Q) {
      direction : output ;
      function : "IQ" ;
      timing () {
        related_pin : "CK" ;
        timing_type : rising_edge ;
        cell_rise (t2) { values ("0.10, 0.30", "0.11, 0.31") ; }
        cell_fall (t2) { values ("0.10, 0.28", "0.11, 0.29") ; }
        rise_transition (t2) { values ("0.02, 0.35", "0.03, 0.36") ; }
        fall_transition (t2) { values ("0.02, 0.30", "0.03, 0.31") ; }
      }
    }
  }
}
"""

VERILOG = """\
module top (clk, a, b, y);
  input clk, a, b;
  output y;
  wire n1, n2, q;
  DFF r1 (.CK(clk), .D(n1), .Q(q));
  NAND2 g1 (.A(a), .B(q), .Y(n2));
  INV g2 (.A(n2), .Y(n1));
  INV g3 (.A(q), .Y(y));
endmodule
"""

SDC = """\
create_clock -name clk -period 2.0 [get_ports clk]
set_input_delay 0.2 -clock clk [get_ports {a b}]
set_output_delay 0.3 -clock clk [get_ports y]
set_input_transition 0.05 [get_ports {a b}]
set_load 0.01 [get_ports y]
"""

SPEF = """\
*SPEF "IEEE 1481-1998"
*DESIGN "top"
*DATE "0"
*VENDOR "t"
*PROGRAM "t"
*VERSION "0"
*DESIGN_FLOW "NAME_SCOPE LOCAL"
*DIVIDER /
*DELIMITER :
*BUS_DELIMITER [ ]
*T_UNIT 1 NS
*C_UNIT 1 PF
*R_UNIT 1 KOHM
*L_UNIT 1 HENRY

*D_NET n1 0.004
*CONN
*I g2:Y O
*I r1:D I
*CAP
1 g2:Y 0.004
*END

*D_NET q 0.006
*CONN
*I r1:Q O
*I g1:B I
*I g3:A I
*CAP
1 r1:Q 0.006
*END
"""

LEF = """\
VERSION 5.8 ;
BUSBITCHARS "[]" ;
DIVIDERCHAR "/" ;
UNITS
  DATABASE MICRONS 1000 ;
END UNITS
MANUFACTURINGGRID 0.005 ;
SITE core
  CLASS CORE ;
  SYMMETRY Y ;
  SIZE 0.2 BY 1.6 ;
END core
LAYER M1
  TYPE ROUTING ;
  DIRECTION HORIZONTAL ;
  PITCH 0.2 ;
  WIDTH 0.1 ;
END M1
MACRO INV
  CLASS CORE ;
  ORIGIN 0 0 ;
  SIZE 0.6 BY 1.6 ;
  SITE core ;
  PIN A
    DIRECTION INPUT ;
    PORT
      LAYER M1 ;
      RECT 0.1 0.5 0.2 0.7 ;
    END
  END A
  PIN Y
    DIRECTION OUTPUT ;
    PORT
      LAYER M1 ;
      RECT 0.4 0.5 0.5 0.7 ;
    END
  END Y
END INV
MACRO NAND2
  CLASS CORE ;
  SIZE 0.8 BY 1.6 ;
  SITE core ;
  PIN A
    DIRECTION INPUT ;
    PORT
      LAYER M1 ;
      RECT 0.1 0.5 0.2 0.7 ;
    END
  END A
  PIN B
    DIRECTION INPUT ;
    PORT
      LAYER M1 ;
      RECT 0.3 0.5 0.4 0.7 ;
    END
  END B
  PIN Y
    DIRECTION OUTPUT ;
    PORT
      LAYER M1 ;
      RECT 0.6 0.5 0.7 0.7 ;
    END
  END Y
END NAND2
MACRO DFF
  CLASS CORE ;
  SIZE 2.0 BY 1.6 ;
  SITE core ;
  PIN CK
    DIRECTION INPUT ;
    USE CLOCK ;
    PORT
      LAYER M1 ;
      RECT 0.1 0.5 0.2 0.7 ;
    END
  END CK
  PIN D
    DIRECTION INPUT ;
    PORT
      LAYER M1 ;
      RECT 0.5 0.5 0.6 0.7 ;
    END
  END D
  PIN Q
    DIRECTION OUTPUT ;
    PORT
      LAYER M1 ;
      RECT 1.7 0.5 1.8 0.7 ;
    END
  END Q
END DFF
END LIBRARY
"""

DEF = """\
VERSION 5.8 ;
DIVIDERCHAR "/" ;
BUSBITCHARS "[]" ;
DESIGN top ;
UNITS DISTANCE MICRONS 1000 ;
DIEAREA ( 0 0 ) ( 10000 10000 ) ;
ROW row0 core 0 0 N DO 40 BY 1 STEP 200 0 ;
ROW row1 core 0 1600 FS DO 40 BY 1 STEP 200 0 ;
COMPONENTS 4 ;
  - r1 DFF + PLACED ( 0 0 ) N ;
  - g1 NAND2 + PLACED ( 2000 0 ) N ;
  - g2 INV + PLACED ( 4000 0 ) N ;
  - g3 INV + PLACED ( 0 1600 ) FS ;
END COMPONENTS
PINS 4 ;
  - clk + NET clk + DIRECTION INPUT + USE SIGNAL + PLACED ( 0 5000 ) N ;
  - a + NET a + DIRECTION INPUT + USE SIGNAL + PLACED ( 0 6000 ) N ;
  - b + NET b + DIRECTION INPUT + USE SIGNAL + PLACED ( 0 7000 ) N ;
  - y + NET y + DIRECTION OUTPUT + USE SIGNAL + PLACED ( 10000 5000 ) N ;
END PINS
END DESIGN
"""

VCD = """\
$timescale 1ns $end
$scope module tb $end
$scope module dut $end
$var wire 1 ! clk $end
$var wire 1 " a $end
$var wire 1 # b $end
$var wire 1 $ y $end
$upscope $end
$upscope $end
$enddefinitions $end
#0
0!
0"
1#
0$
#1
1!
1"
#2
0!
#3
1!
0"
1$
#4
0!
"""

SAIF = """\
(SAIFILE
  (SAIFVERSION "2.0")
  (DIRECTION "backward")
  (DESIGN )
  (TIMESCALE 1 ns)
  (DURATION 100)
  (INSTANCE tb
    (INSTANCE dut
      (NET
        (clk (T0 50) (T1 50) (TX 0) (TC 100) (IG 0))
        (a (T0 60) (T1 40) (TX 0) (TC 10) (IG 0))
        (b (T0 30) (T1 70) (TX 0) (TC 4) (IG 0))
      )
    )
  )
)
"""

BIND = """\
g1 1.0
# comment
g2 1.0
"""

PLAN = """\
{
  "format": "finevh-plan",
  "version": 1,
  "design": "top",
  "units": {"length": "um", "area": "um2", "current": "mA", "time": "ns"},
  "mesh": {
    "n": 1,
    "base_core": [0.0, 0.0, 10.0, 10.0],
    "core": [0.0, 0.0, 10.0, 10.0],
    "die": [0.0, 0.0, 10.0, 10.0],
    "wrapper_x": 0.0,
    "wrapper_y": 0.0,
    "tile_w": 10.0,
    "tile_h": 10.0,
    "row_height": 1.6,
    "site_width": 0.2,
    "site": "core",
    "rows": 6,
    "tiles": [
      {"id": 0, "box": [0.0, 0.0, 10.0, 10.0], "rows": 6, "cells": 4}
    ]
  },
  "supplies": {"vddh": "VDDH", "vddl": "VDDL", "vss": "VSS", "virtual": "VVDD_T{id}"},
  "inst_names": [
    "r1",
    "g1",
    "g2",
    "g3"
  ],
  "inst_tile": [
    0,
    0,
    0,
    0
  ],
  "interface": [
    0,
    1,
    0,
    0
  ],
  "vddmux": {"cell": "VDDMUX", "switch_max_ma": 1.0, "peak_factor": 1.5, "cells": [
    {"name": "mux0", "master": "VDDMUX", "x": 1.0, "y": 1.6, "orient": "N", "tile": 0, "row": 1}
  ], "per_tile": [{"tile": 0, "peak_ma": 0.5, "count": 1}]},
  "config_chain": {"master": "DFF", "clock": "fvh_cfg_clk", "data_in": "fvh_cfg_in", "tile_order": [0],
    "flops": [{"name": "cfg0", "tile": 0, "x": 2.0, "y": 1.6, "orient": "N"}]},
  "pb_swaps": [{"instance": "g1", "from_cell": "NAND2", "to_cell": "NAND2", "flavour": "PB16"}],
  "reports": {}
}
"""

# --------------------------------------------------------------------------- machinery

SEEDS = {"lib": ("mini.lib", LIB), "v": ("top.v", VERILOG), "sdc": ("top.sdc", SDC), "spef": ("top.spef", SPEF),
         "lef": ("mini.lef", LEF), "def": ("top.def", DEF), "vcd": ("top.vcd", VCD), "saif": ("top.saif", SAIF),
         "bind": ("top.bind", BIND), "plan": ("top.fvh.json", PLAN)}

Mutation = Callable[[str], Union[str, bytes]]


class Case(NamedTuple):
    id: str
    file: str                   # key of SEEDS that is mutated ("" = none: a bad option)
    mutate: Mutation | None
    line: bool = True           # the message must name a line
    extra: tuple[str, ...] = ()  # more command-line arguments
    name: str | None = None     # file name of the bad file (default: bad.<seed suffix>)
    where: str | None = None    # key of the file the message names (default: ``file``)


def sub(old: str, new: str) -> Mutation:
    """Replace the first ``old`` (which must occur) by ``new``."""
    def f(t: str) -> str:
        assert old in t, old
        return t.replace(old, new, 1)
    return f


def after(anchor: str, text: str) -> Mutation:
    """Insert ``text`` after the first line holding ``anchor``."""
    def f(t: str) -> str:
        k = t.index(anchor)
        e = t.index("\n", k) + 1
        return t[:e] + text + t[e:]
    return f


def cut(frac: float) -> Mutation:
    return lambda t: t[:int(len(t) * frac)]


def empty(t: str) -> str:
    return ""


def garbage(t: str) -> bytes:
    return bytes(range(256)) * 3 + b"\x00\xff\xfe"


def gz_truncated(t: str) -> bytes:
    return gzip.compress(t.encode())[:60]


def gz_of(m: Mutation) -> Mutation:
    return lambda t: gzip.compress(m(t).encode())


def replace_all(old: str, new: str) -> Mutation:
    def f(t: str) -> str:
        assert old in t, old
        return t.replace(old, new)
    return f


def command(paths: dict[str, Path], key: str, out: Path, extra: tuple[str, ...]) -> list[str]:
    """The CLI run that reads the file of ``key`` (all other inputs are the seeds)."""
    if key == "plan":
        return ["-q", "emit", "--plan", str(paths["plan"]), "--tool", "upf", "--out", str(out), *extra]
    base = ["--liberty", str(paths["lib"]), "--verilog", str(paths["v"]), "--sdc", str(paths["sdc"])]
    if key in ("vcd", "saif") or (not key and "power" in extra):
        act = []
        if key == "vcd":
            act = ["--vcd", str(paths["vcd"]), "--vcd-scope", "tb/dut"]
        elif key == "saif":
            act = ["--saif", str(paths["saif"]), "--saif-scope", "tb/dut"]
        rest = [x for x in extra if x != "power"]
        return ["-q", "power", *base, *act, "--out", str(out), *rest]
    more = []
    if key == "spef":
        more = ["--spef", str(paths["spef"])]
    elif key in ("def", "lef"):
        more = ["--def", str(paths["def"]), "--lef", str(paths["lef"])]
    elif key == "bind":
        more = ["--bind", str(paths["bind"])]
    rest = [x for x in extra if x != "sta"]
    return ["-q", "sta", *base, *more, "--out", str(out), *rest]


def write_seeds(d: Path) -> dict[str, Path]:
    paths = {}
    for key, (fname, text) in SEEDS.items():
        paths[key] = d / fname
        paths[key].write_text(text)
    return paths


def materialise(d: Path, case: Case) -> dict[str, Path]:
    paths = write_seeds(d)
    if case.file:
        fname, text = SEEDS[case.file]
        data = case.mutate(text) if case.mutate is not None else text
        name = case.name or "bad" + fname[fname.index("."):]
        p = d / name
        if isinstance(data, bytes):
            p.write_bytes(data)
        else:
            p.write_text(data)
        paths[case.file] = p
    return paths


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    """Liberty models are cached under FINEVH_CACHE: keep these runs out of the user's cache."""
    d = tmp_path_factory.getbasetemp() / "bad_inputs_cache"
    d.mkdir(exist_ok=True)
    monkeypatch.setenv("FINEVH_CACHE", str(d))


def check_rejected(run_cli, d: Path, case: Case) -> None:
    paths = materialise(d, case)
    out = d / "report.out"
    code, stdout, stderr = run_cli(*command(paths, case.file, out, case.extra))
    lines = stderr.splitlines()
    assert code == 2, f"exit {code}, stderr: {stderr!r}, stdout: {stdout[:200]!r}"
    assert stdout == "", stdout[:300]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert lines[0].startswith("finevh: error: "), stderr
    assert not out.exists()
    where = case.where if case.where is not None else case.file
    msg = lines[0][len("finevh: error: "):]
    if where:
        loc = str(paths[where])
        assert msg.startswith(loc + ":"), f"does not name {loc}: {lines[0]}"
        if case.line:
            assert re.match(re.escape(loc) + r":\d+: \S", msg), f"no line number: {lines[0]}"
    else:
        assert msg.startswith("--"), f"does not name the option: {lines[0]}"


# --------------------------------------------------------------------------- the corpus

V_CASES = [
    Case("v-empty", "v", empty, line=False),
    Case("v-binary", "v", garbage),
    Case("v-truncated-endmodule", "v", sub("endmodule\n", "")),
    Case("v-truncated-mid-statement", "v", cut(0.7)),
    Case("v-unknown-pin", "v", sub(".B(q)", ".Z(q)")),
    Case("v-duplicate-instance", "v", sub("INV g3", "INV g2")),
    Case("v-duplicate-instance-far", "v", sub("DFF r1", "DFF g3")),
    Case("v-duplicate-port-in-header", "v", sub("(clk, a, b, y)", "(clk, a, b, y, a)")),
    Case("v-port-without-direction", "v", sub("(clk, a, b, y)", "(clk, a, b, y, z)")),
    Case("v-missing-semicolon", "v", sub("wire n1, n2, q;", "wire n1, n2, q")),
    Case("v-unbalanced-paren", "v", sub(".A(n2), .Y(n1)", ".A(n2, .Y(n1)")),
    Case("v-unterminated-comment", "v", sub("  wire n1", "  /* wire n1")),
    Case("v-unterminated-attribute", "v", sub("  wire n1", "  (* keep wire n1")),
    Case("v-behavioural-top", "v", after("output y;", "  always @(posedge clk) ;\n")),
    Case("v-assign-operator", "v", after("output y;", "  assign y = a & b;\n")),
    Case("v-select-on-scalar", "v", sub(".A(a)", ".A(a[0])")),
    Case("v-index-out-of-range", "v", sub("wire n1, n2, q;", "wire n1, n2, q;\n  wire [3:0] w;\n  INV g4 (.A(a), .Y(w[7]));")),
    Case("v-huge-replication", "v", sub(".A(a)", ".A({1000000000{a}})")),
    Case("v-huge-constant", "v", sub(".A(a)", ".A(2147483647'b0)")),
    Case("v-huge-bus-whole", "v", sub("wire n1, n2, q;", "wire n1, n2, q;\n  wire [2147483647:0] w;\n  INV g4 (.A(a), .Y(w));")),
    Case("v-huge-port", "v", sub("input clk, a, b;", "input clk, b;\n  input [2147483647:0] a;")),
    Case("v-huge-part-select", "v", sub("wire n1, n2, q;", "wire n1, n2, q;\n  wire [2147483647:0] w;\n  INV g4 (.A(a), .Y(w[2147483647:0]));")),
    Case("v-no-such-top", "v", None, line=False, extra=("--top", "nosuch")),
    Case("v-two-tops", "v", lambda t: t + "module other (p);\n  input p;\nendmodule\n"),
    Case("v-recursive", "v", lambda t: t.replace("INV g3 (.A(q), .Y(y));", "sub s1 (.p(q));")
         + "module sub (p);\n  input p;\n  sub s2 (.p(p));\nendmodule\n"),
    Case("v-parameterised", "v", sub("module top (", "module top #(parameter W = 2) (")),
    Case("v-macro", "v", lambda t: "`define W 4\n" + t),
    Case("v-mixed-connections", "v", sub(".A(n2), .Y(n1)", ".A(n2), n1")),
    Case("v-instance-array", "v", sub("INV g3 (", "INV g3 [1:0] (")),
    Case("v-module-twice", "v", lambda t: t + t),
    Case("v-endmodule-alone", "v", lambda t: "endmodule\n" + t),
    Case("v-text-after-end", "v", lambda t: t + "garbage here\n"),
    Case("v-redeclared-range", "v", sub("wire n1, n2, q;", "wire n1, n2, q;\n  wire [1:0] n1;")),
    Case("v-two-directions", "v", sub("output y;", "output y;\n  input y;")),
    Case("v-const-on-left", "v", after("output y;", "  assign 1'b0 = a;\n")),
    Case("v-sub-module-no-port", "v", lambda t: t.replace("INV g3 (.A(q), .Y(y));", "sub s1 (.p(q), .nope(y));")
         + "module sub (p);\n  input p;\nendmodule\n"),
    Case("v-primitive-without-map", "v", sub("INV g3 (.A(q), .Y(y));", "and a1 (y, q, a);")),
    Case("v-switch-primitive", "v", sub("INV g3 (.A(q), .Y(y));", "nmos m1 (y, q, a);")),
    Case("v-keyword-as-name", "v", sub("INV g3 (.A(q), .Y(y));", "INV module (.A(q), .Y(y));")),
    Case("v-empty-statement", "v", sub("wire n1, n2, q;", "wire n1, n2, q;;")),
    Case("v-bad-number", "v", sub(".A(a)", ".A(4'b1012)")),
    Case("v-latin1-bytes", "v", lambda t: t.replace("g1", "g\u00e91").encode("latin-1")),
    Case("v-bus-pin-on-scalar-port", "v", sub(".B(q)", ".B({q, a})")),
]

LIB_CASES = [
    Case("lib-empty", "lib", empty, line=False),
    Case("lib-binary", "lib", garbage),
    Case("lib-truncated-half", "lib", cut(0.5)),
    Case("lib-missing-last-brace", "lib", lambda t: t.rstrip()[:-1]),
    Case("lib-nan-in-values", "lib", sub('values ("0.02, 0.20"', 'values ("nan, 0.20"')),
    Case("lib-inf-in-values", "lib", sub('values ("0.02, 0.20"', 'values ("inf, 0.20"')),
    Case("lib-neg-inf-in-power", "lib", sub('rise_power (p2) { values ("0.001', 'rise_power (p2) { values ("-inf')),
    Case("lib-nan-in-template-index", "lib", sub('index_1 ("0.01, 0.1")', 'index_1 ("0.01, nan")')),
    Case("lib-inf-in-template-index", "lib", sub('index_2 ("0.001, 0.1")', 'index_2 ("0.001, inf")')),
    Case("lib-decreasing-index", "lib", sub('index_1 ("0.01, 0.1")', 'index_1 ("0.1, 0.01")')),
    Case("lib-repeated-index", "lib", sub('index_1 ("0.01, 0.1")', 'index_1 ("0.1, 0.1")')),
    Case("lib-nan-in-table-index", "lib", sub('cell_rise (t2) { values', 'cell_rise (t2) { index_1 ("0.01, nan") ; values')),
    Case("lib-values-count", "lib", sub('values ("0.02, 0.20", "0.03, 0.21")', 'values ("0.02, 0.20", "0.03")')),
    Case("lib-bad-number", "lib", sub('values ("0.02, 0.20"', 'values ("0.0x2, 0.20"')),
    Case("lib-capacitance-nan", "lib", sub("capacitance : 0.002 ;", "capacitance : nan ;")),
    Case("lib-capacitance-negative", "lib", sub("capacitance : 0.002 ;", "capacitance : -1 ;")),
    Case("lib-capacitance-inf", "lib", sub("capacitance : 0.002 ;", "capacitance : inf ;")),
    Case("lib-leakage-nan", "lib", sub("cell_leakage_power : 1.5 ;", "cell_leakage_power : nan ;")),
    Case("lib-leakage-negative", "lib", sub("cell_leakage_power : 1.5 ;", "cell_leakage_power : -5 ;")),
    Case("lib-area-nan", "lib", sub("area : 1.0 ;", "area : nan ;")),
    Case("lib-area-negative", "lib", sub("area : 1.0 ;", "area : -1.0 ;")),
    Case("lib-nom-voltage-nan", "lib", sub("nom_voltage : 1.0 ;", "nom_voltage : nan ;")),
    Case("lib-time-unit", "lib", sub('time_unit : "1ns"', 'time_unit : "1xs"')),
    Case("lib-cap-unit-nan", "lib", sub("capacitive_load_unit (1, pf)", "capacitive_load_unit (nan, pf)")),
    Case("lib-cap-unit-zero", "lib", sub("capacitive_load_unit (1, pf)", "capacitive_load_unit (0, pf)")),
    Case("lib-cap-unit-unknown", "lib", sub("capacitive_load_unit (1, pf)", "capacitive_load_unit (1, qf)")),
    Case("lib-pin-no-direction", "lib", sub("pin (A) { direction : input ; capacitance : 0.002 ; }",
                                            "pin (A) { capacitance : 0.002 ; }")),
    Case("lib-bad-direction", "lib", sub("pin (A) { direction : input ;", "pin (A) { direction : sideways ;")),
    Case("lib-timing-no-related-pin", "lib", sub('related_pin : "A" ;\n        timing_sense', 'timing_sense')),
    Case("lib-undefined-template", "lib", sub("cell_rise (t2)", "cell_rise (t9)")),
    Case("lib-unterminated-string", "lib", sub('function : "!A" ;', 'function : "!A ;')),
    Case("lib-not-a-library", "lib", sub("library (mini)", "liberty (mini)")),
    Case("lib-gz-truncated", "lib", gz_truncated, line=False, name="bad.lib.gz"),
    Case("lib-gz-of-garbage", "lib", gz_of(lambda t: "}}}" + t), name="bad.lib.gz"),
    Case("lib-max-transition-negative", "lib", sub("pin (Y) {\n      direction : output ;",
                                                   "pin (Y) {\n      direction : output ;\n      max_transition : -1 ;")),
    Case("lib-leakage-group-nan", "lib", sub("cell_leakage_power : 1.5 ;",
                                             "leakage_power () { value : nan ; }")),
    Case("lib-text-after-library", "lib", lambda t: t + "cell (X) { }\n"),
    Case("lib-unbalanced-close", "lib", sub("  cell (INV) {", "  }\n  cell (INV) {")),
]

SDC_CASES = [
    Case("sdc-empty", "sdc", empty, line=False),
    Case("sdc-binary", "sdc", garbage),
    Case("sdc-unterminated-bracket", "sdc", sub("[get_ports clk]", "[get_ports clk")),
    Case("sdc-unterminated-brace", "sdc", sub("{a b}]", "{a b]")),
    Case("sdc-unterminated-quote", "sdc", sub("-name clk", '-name "clk')),
    Case("sdc-load-negative", "sdc", sub("set_load 0.01", "set_load -5")),
    Case("sdc-load-nan", "sdc", sub("set_load 0.01", "set_load nan")),
    Case("sdc-load-inf", "sdc", sub("set_load 0.01", "set_load inf")),
    Case("sdc-load-word", "sdc", sub("set_load 0.01", "set_load heavy")),
    Case("sdc-wire-load-negative", "sdc", sub("set_load 0.01", "set_load -wire_load -0.5")),
    Case("sdc-period-nan", "sdc", sub("-period 2.0", "-period nan")),
    Case("sdc-period-inf", "sdc", sub("-period 2.0", "-period inf")),
    Case("sdc-period-negative", "sdc", sub("-period 2.0", "-period -2")),
    Case("sdc-period-zero", "sdc", sub("-period 2.0", "-period 0")),
    Case("sdc-waveform-nan", "sdc", sub("-period 2.0", "-period 2.0 -waveform {0 nan}")),
    Case("sdc-waveform-odd", "sdc", sub("-period 2.0", "-period 2.0 -waveform {0 1 1.5}")),
    Case("sdc-input-delay-nan", "sdc", sub("set_input_delay 0.2", "set_input_delay nan")),
    Case("sdc-input-delay-inf", "sdc", sub("set_input_delay 0.2", "set_input_delay -inf")),
    Case("sdc-output-delay-nan", "sdc", sub("set_output_delay 0.3", "set_output_delay NaN")),
    Case("sdc-input-transition-negative", "sdc", sub("set_input_transition 0.05", "set_input_transition -1")),
    Case("sdc-input-transition-nan", "sdc", sub("set_input_transition 0.05", "set_input_transition nan")),
    Case("sdc-uncertainty-negative", "sdc", lambda t: t + "set_clock_uncertainty -0.1 [get_clocks clk]\n"),
    Case("sdc-uncertainty-nan", "sdc", lambda t: t + "set_clock_uncertainty nan [get_clocks clk]\n"),
    Case("sdc-clock-transition-negative", "sdc", lambda t: t + "set_clock_transition -0.1 [get_clocks clk]\n"),
    Case("sdc-clock-transition-inf", "sdc", lambda t: t + "set_clock_transition inf [get_clocks clk]\n"),
    Case("sdc-clock-latency-nan", "sdc", lambda t: t + "set_clock_latency nan [get_clocks clk]\n"),
    Case("sdc-max-delay-nan", "sdc", lambda t: t + "set_max_delay nan -to [get_ports y]\n"),
    Case("sdc-multicycle-nan", "sdc", lambda t: t + "set_multicycle_path nan -to [get_ports y]\n"),
    Case("sdc-multicycle-fraction", "sdc", lambda t: t + "set_multicycle_path 1.5 -to [get_ports y]\n"),
    Case("sdc-max-fanout-negative", "sdc", lambda t: t + "set_max_fanout -3 [current_design]\n"),
    Case("sdc-max-transition-nan", "sdc", lambda t: t + "set_max_transition nan [current_design]\n"),
    Case("sdc-max-capacitance-negative", "sdc", lambda t: t + "set_max_capacitance -1 [current_design]\n"),
    Case("sdc-units-zero", "sdc", lambda t: "set_units -time 0ns\n" + t),
    Case("sdc-units-nan", "sdc", lambda t: "set_units -capacitance nanpF\n" + t),
    Case("sdc-unknown-port", "sdc", sub("[get_ports y]", "[get_ports nosuch]")),
    Case("sdc-unknown-clock", "sdc", sub("-clock clk [get_ports y]", "-clock nosuch [get_ports y]")),
    Case("sdc-generated-divide-zero", "sdc", lambda t: t + "create_generated_clock -name g -source [get_ports clk]"
         " -divide_by 0 [get_ports a]\n"),
    Case("sdc-generated-divide-negative", "sdc", lambda t: t + "create_generated_clock -name g -source "
         "[get_ports clk] -divide_by -2 [get_ports a]\n"),
    Case("sdc-no-period", "sdc", sub("-period 2.0 ", "")),
    Case("sdc-input-delay-on-output", "sdc", sub("set_input_delay 0.2 -clock clk [get_ports {a b}]",
                                                 "set_input_delay 0.2 -clock clk [get_ports y]")),
    Case("sdc-undefined-variable", "sdc", lambda t: t + "set_load $nosuch [get_ports y]\n"),
    Case("sdc-driving-cell-unknown", "sdc", lambda t: t + "set_driving_cell -lib_cell NOPE [get_ports a]\n"),
    Case("sdc-driving-cell-transition-nan", "sdc", lambda t: t + "set_driving_cell -lib_cell INV "
         "-input_transition_rise nan [get_ports a]\n"),
    Case("sdc-missing-value", "sdc", lambda t: t + "set_load [get_ports y]\n"),
]

SPEF_CASES = [
    Case("spef-empty", "spef", empty, line=False),
    Case("spef-binary", "spef", garbage, line=False),
    Case("spef-total-nan", "spef", sub("*D_NET n1 0.004", "*D_NET n1 nan")),
    Case("spef-total-inf", "spef", sub("*D_NET n1 0.004", "*D_NET n1 inf")),
    Case("spef-total-negative", "spef", sub("*D_NET n1 0.004", "*D_NET n1 -0.5")),
    Case("spef-total-word", "spef", sub("*D_NET n1 0.004", "*D_NET n1 lots")),
    Case("spef-cunit-nan", "spef", sub("*C_UNIT 1 PF", "*C_UNIT nan PF")),
    Case("spef-cunit-zero", "spef", sub("*C_UNIT 1 PF", "*C_UNIT 0 PF")),
    Case("spef-cunit-negative", "spef", sub("*C_UNIT 1 PF", "*C_UNIT -1 PF")),
    Case("spef-cunit-unknown", "spef", sub("*C_UNIT 1 PF", "*C_UNIT 1 QF")),
    Case("spef-tunit-nan", "spef", sub("*T_UNIT 1 NS", "*T_UNIT nan NS")),
    Case("spef-runit-negative", "spef", sub("*R_UNIT 1 KOHM", "*R_UNIT -1 KOHM")),
    Case("spef-dnet-before-cunit", "spef", lambda t: t.replace("*C_UNIT 1 PF\n", "").replace(
        "*L_UNIT 1 HENRY", "*L_UNIT 1 HENRY\n*D_NET q 0.1\n*END\n*C_UNIT 1 PF")),
    Case("spef-dnet-no-total", "spef", sub("*D_NET n1 0.004", "*D_NET n1")),
    Case("spef-cap-entry-nan", "spef", sub("1 g2:Y 0.004", "1 g2:Y nan")),
    Case("spef-cap-entry-negative", "spef", sub("1 g2:Y 0.004", "1 g2:Y -0.004")),
    Case("spef-res-entry-inf", "spef", sub("1 r1:Q 0.006\n*END", "1 r1:Q 0.006\n*RES\n1 r1:Q g1:B inf\n*END")),
    Case("spef-truncated", "spef", lambda t: t[:t.rindex("*END")]),
    Case("spef-name-map-no-name", "spef", sub("*L_UNIT 1 HENRY", "*L_UNIT 1 HENRY\n*NAME_MAP\n*1\n")),
    Case("spef-unknown-mapped-name", "spef", sub("*D_NET q 0.006", "*D_NET *7 0.006")),
]

DEF_CASES = [
    Case("def-empty", "def", empty, line=False),
    Case("def-binary", "def", garbage),
    Case("def-truncated", "def", lambda t: t.replace("END DESIGN\n", "")),
    Case("def-truncated-mid", "def", cut(0.6)),
    Case("def-place-nan", "def", sub("PLACED ( 2000 0 )", "PLACED ( nan 0 )")),
    Case("def-place-inf", "def", sub("PLACED ( 2000 0 )", "PLACED ( inf 0 )")),
    Case("def-place-huge", "def", sub("PLACED ( 2000 0 )", "PLACED ( 99999999999999999999 0 )")),
    Case("def-place-fraction", "def", sub("PLACED ( 2000 0 )", "PLACED ( 2000.5 0 )")),
    Case("def-bad-orient", "def", sub("PLACED ( 2000 0 ) N", "PLACED ( 2000 0 ) Q")),
    Case("def-count-nan", "def", sub("COMPONENTS 4 ;", "COMPONENTS nan ;")),
    Case("def-unknown-component", "def", sub("- g1 NAND2", "- zz NAND2")),
    Case("def-duplicate-component", "def", sub("- g1 NAND2", "- g2 NAND2")),
    Case("def-master-not-in-lef", "def", sub("- g1 NAND2", "- g1 NAND7")),
    Case("def-units-nan", "def", sub("MICRONS 1000", "MICRONS nan")),
    Case("def-units-inf", "def", sub("MICRONS 1000", "MICRONS inf")),
    Case("def-units-odd", "def", sub("MICRONS 1000", "MICRONS 333")),
    Case("def-diearea-nan", "def", sub("( 10000 10000 )", "( nan 10000 )")),
    Case("def-diearea-empty", "def", sub("( 10000 10000 )", "( 0 10000 )")),
    Case("def-row-nan", "def", sub("ROW row0 core 0 0 N", "ROW row0 core nan 0 N")),
    Case("def-row-negative-count", "def", sub("DO 40 BY 1 STEP 200 0 ;\nROW row1", "DO -40 BY 1 STEP 200 0 ;\nROW row1")),
    Case("def-row-negative-step", "def", sub("DO 40 BY 1 STEP 200 0 ;\nROW row1", "DO 40 BY 1 STEP -200 0 ;\nROW row1")),
    Case("def-row-unknown-site", "def", sub("ROW row0 core", "ROW row0 nosite")),
    Case("def-unclosed-components", "def", sub("END COMPONENTS\n", "")),
    Case("def-no-design", "def", sub("DESIGN top ;\n", ""), line=False),
    Case("def-no-units", "def", sub("UNITS DISTANCE MICRONS 1000 ;\n", ""), line=False),
    Case("def-missing-semicolon", "def", sub("- g2 INV + PLACED ( 4000 0 ) N ;", "- g2 INV + PLACED ( 4000 0 ) N")),
    Case("def-pin-nan", "def", sub("PLACED ( 0 5000 )", "PLACED ( nan 5000 )")),
]

LEF_CASES = [
    Case("lef-empty", "lef", empty, line=False),
    Case("lef-binary", "lef", garbage),
    Case("lef-truncated", "lef", cut(0.5)),
    Case("lef-size-nan", "lef", sub("SIZE 0.6 BY 1.6", "SIZE nan BY 1.6")),
    Case("lef-size-negative", "lef", sub("SIZE 0.6 BY 1.6", "SIZE -0.6 BY 1.6")),
    Case("lef-size-inf", "lef", sub("SIZE 0.6 BY 1.6", "SIZE 0.6 BY inf")),
    Case("lef-size-zero", "lef", sub("SIZE 0.6 BY 1.6", "SIZE 0 BY 1.6")),
    Case("lef-rect-nan", "lef", sub("RECT 0.1 0.5 0.2 0.7", "RECT nan 0.5 0.2 0.7")),
    Case("lef-rect-inf", "lef", sub("RECT 0.1 0.5 0.2 0.7", "RECT 0.1 0.5 inf 0.7")),
    Case("lef-dbu-nan", "lef", sub("DATABASE MICRONS 1000", "DATABASE MICRONS nan")),
    Case("lef-dbu-inf", "lef", sub("DATABASE MICRONS 1000", "DATABASE MICRONS inf")),
    Case("lef-dbu-negative", "lef", sub("DATABASE MICRONS 1000", "DATABASE MICRONS -1000")),
    Case("lef-pitch-nan", "lef", sub("PITCH 0.2", "PITCH nan")),
    Case("lef-width-negative", "lef", sub("WIDTH 0.1", "WIDTH -0.1")),
    Case("lef-site-size-nan", "lef", sub("SIZE 0.2 BY 1.6", "SIZE 0.2 BY nan")),
    Case("lef-site-size-zero", "lef", sub("SIZE 0.2 BY 1.6", "SIZE 0 BY 1.6")),
    Case("lef-missing-semicolon", "lef", sub("CLASS CORE ;\n  ORIGIN", "CLASS CORE\n  ORIGIN")),
    Case("lef-end-mismatch", "lef", sub("END INV", "END INVX")),
    Case("lef-origin-nan", "lef", sub("ORIGIN 0 0", "ORIGIN nan 0")),
    Case("lef-grid-nan", "lef", sub("MANUFACTURINGGRID 0.005", "MANUFACTURINGGRID nan")),
    Case("lef-grid-negative", "lef", sub("MANUFACTURINGGRID 0.005", "MANUFACTURINGGRID -0.005")),
    Case("lef-polygon-odd", "lef", sub("RECT 0.1 0.5 0.2 0.7", "POLYGON 0.1 0.5 0.2 0.7 0.3")),
    Case("lef-unterminated-string", "lef", sub("CLASS CORE ;\n  ORIGIN", 'FOREIGN "INV ;\n  CLASS CORE ;\n  ORIGIN')),
    Case("lef-no-macro-size", "lef", sub("  SIZE 0.8 BY 1.6 ;\n", "")),
]

VCD_CASES = [
    Case("vcd-empty", "vcd", empty, line=False),
    Case("vcd-binary", "vcd", garbage),
    Case("vcd-only-time-zero", "vcd", lambda t: t[:t.index("#1")]),
    Case("vcd-no-time-stamps", "vcd", lambda t: t[:t.index("#0")] + "0!\n1\"\n"),
    Case("vcd-no-enddefinitions", "vcd", sub("$enddefinitions $end\n", "")),
    Case("vcd-bad-timescale", "vcd", sub("$timescale 1ns $end", "$timescale 3ns $end")),
    Case("vcd-unknown-id", "vcd", sub("1\"\n", "1%\n")),
    Case("vcd-time-backwards", "vcd", sub("#3", "#0")),
    Case("vcd-negative-time", "vcd", sub("#3", "#-3")),
    Case("vcd-huge-time", "vcd", sub("#3", "#99999999999999999999999")),
    Case("vcd-huge-var", "vcd", sub("$var wire 1 $ y $end", "$var wire 2147483647 $ y $end")),
    Case("vcd-zero-var", "vcd", sub("$var wire 1 $ y $end", "$var wire 0 $ y $end")),
    Case("vcd-nan-var", "vcd", sub("$var wire 1 $ y $end", "$var wire nan $ y $end")),
    Case("vcd-bad-vector", "vcd", sub("1#\n", "b1q2 #\n")),
    Case("vcd-range-mismatch", "vcd", sub("$var wire 1 $ y $end", "$var wire 1 $ y [3:0] $end")),
    Case("vcd-unterminated-var", "vcd", sub("$var wire 1 $ y $end", "$var wire 1 $ y")),
    Case("vcd-upscope-extra", "vcd", sub("$enddefinitions", "$upscope $end $upscope $end $upscope $end\n$enddefinitions")),
    Case("vcd-scope-missing", "vcd", None, line=False, extra=("--vcd-scope", "nosuch")),
    Case("vcd-gz-truncated", "vcd", gz_truncated, line=False, name="bad.vcd.gz"),
    Case("vcd-garbage-value", "vcd", sub("#1\n1!", "#1\n?!?!\n1!")),
]

SAIF_CASES = [
    Case("saif-empty", "saif", empty),
    Case("saif-binary", "saif", garbage),
    Case("saif-tc-nan", "saif", sub("(TC 10)", "(TC nan)")),
    Case("saif-tc-inf", "saif", sub("(TC 10)", "(TC inf)")),
    Case("saif-tc-negative", "saif", sub("(TC 10)", "(TC -5)")),
    Case("saif-tc-fraction", "saif", sub("(TC 10)", "(TC 1.5)")),
    Case("saif-tc-huge", "saif", sub("(TC 10)", "(TC 1e30)")),
    Case("saif-t0-nan", "saif", sub("(T0 60)", "(T0 nan)")),
    Case("saif-t1-negative", "saif", sub("(T1 40)", "(T1 -10)")),
    Case("saif-tx-inf", "saif", sub("(TX 0) (TC 10)", "(TX inf) (TC 10)")),
    Case("saif-ig-nan", "saif", sub("(IG 0))\n        (b", "(IG nan))\n        (b")),
    Case("saif-duration-zero", "saif", sub("(DURATION 100)", "(DURATION 0)")),
    Case("saif-duration-negative", "saif", sub("(DURATION 100)", "(DURATION -100)")),
    Case("saif-duration-nan", "saif", sub("(DURATION 100)", "(DURATION nan)")),
    Case("saif-duration-inf", "saif", sub("(DURATION 100)", "(DURATION inf)")),
    Case("saif-duration-missing", "saif", sub("  (DURATION 100)\n", "")),
    Case("saif-unbalanced-open", "saif", lambda t: t.rstrip()[:-1]),
    Case("saif-unbalanced-close", "saif", lambda t: t + ")\n"),
    Case("saif-unterminated-string", "saif", sub('(SAIFVERSION "2.0")', '(SAIFVERSION "2.0)')),
    Case("saif-bad-timescale", "saif", sub("(TIMESCALE 1 ns)", "(TIMESCALE 7 ns)")),
    Case("saif-unknown-field", "saif", sub("(TC 10)", "(TQ 10)")),
    Case("saif-not-saif", "saif", sub("(SAIFILE", "(VCDFILE")),
    Case("saif-scope-missing", "saif", None, line=False, extra=("--saif-scope", "nosuch")),
    Case("saif-field-not-number", "saif", sub("(TC 10)", "(TC ten)")),
]

BIND_CASES = [
    Case("bind-unknown-instance", "bind", sub("g1 1.0", "zz 1.0")),
    Case("bind-voltage-nan", "bind", sub("g1 1.0", "g1 nan")),
    Case("bind-voltage-inf", "bind", sub("g1 1.0", "g1 inf")),
    Case("bind-voltage-negative", "bind", sub("g1 1.0", "g1 -1.0")),
    Case("bind-voltage-zero", "bind", sub("g1 1.0", "g1 0")),
    Case("bind-voltage-word", "bind", sub("g1 1.0", "g1 high")),
    Case("bind-too-many-fields", "bind", sub("g1 1.0", "g1 1.0 LVT extra")),
    Case("bind-binary", "bind", garbage),
]

PLAN_CASES = [
    Case("plan-empty", "plan", empty),
    Case("plan-binary", "plan", garbage),
    Case("plan-truncated", "plan", cut(0.5)),
    Case("plan-tile-w-nan", "plan", sub('"tile_w": 10.0', '"tile_w": NaN')),
    Case("plan-tile-w-negative", "plan", sub('"tile_w": 10.0', '"tile_w": -10.0')),
    Case("plan-row-height-zero", "plan", sub('"row_height": 1.6', '"row_height": 0')),
    Case("plan-box-infinity", "plan", sub('"box": [0.0, 0.0, 10.0, 10.0]', '"box": [0.0, 0.0, Infinity, 10.0]')),
    Case("plan-box-inverted", "plan", sub('"core": [0.0, 0.0, 10.0, 10.0]', '"core": [10.0, 0.0, 0.0, 10.0]')),
    Case("plan-n-zero", "plan", sub('"n": 1,', '"n": 0,')),
    Case("plan-n-string", "plan", sub('"n": 1,', '"n": "1",')),
    Case("plan-n-huge", "plan", sub('"n": 1,', '"n": 1000000000,')),
    Case("plan-inst-tile-range", "plan", sub('"inst_tile": [\n    0,', '"inst_tile": [\n    3,')),
    Case("plan-interface-two", "plan", sub('"interface": [\n    0,', '"interface": [\n    2,')),
    Case("plan-duplicate-names", "plan", sub('"g2"', '"g1"')),
    Case("plan-no-mesh", "plan", sub('"mesh"', '"mash"'), line=False),
    Case("plan-wrong-format", "plan", sub('"finevh-plan"', '"other"')),
    Case("plan-version", "plan", sub('"version": 1', '"version": 2')),
    Case("plan-swap-unknown", "plan", sub('"instance": "g1"', '"instance": "zz"')),
    Case("plan-virtual-no-id", "plan", sub('"VVDD_T{id}"', '"VVDD_T"')),
    Case("plan-mux-tile", "plan", sub('"tile": 0, "row": 1', '"tile": 5, "row": 1')),
    Case("plan-peak-negative", "plan", sub('"peak_ma": 0.5', '"peak_ma": -0.5')),
    Case("plan-switch-nan", "plan", sub('"switch_max_ma": 1.0', '"switch_max_ma": NaN')),
    Case("plan-array", "plan", lambda t: "[" + t + "]"),
    Case("plan-mux-x-infinity", "plan", sub('"x": 1.0', '"x": -Infinity')),
]

OPTION_CASES = [
    Case("opt-clock-mhz-nan", "", None, extra=("power", "--clock-mhz", "nan")),
    Case("opt-clock-mhz-inf", "", None, extra=("power", "--clock-mhz", "inf")),
    Case("opt-clock-mhz-negative", "", None, extra=("power", "--clock-mhz", "-5")),
    Case("opt-clock-mhz-zero", "", None, extra=("power", "--clock-mhz", "0")),
    Case("opt-input-activity-nan", "", None, extra=("power", "--input-activity", "nan", "0.5")),
    Case("opt-input-activity-negative", "", None, extra=("power", "--input-activity", "-1", "0.5")),
    Case("opt-input-duty-high", "", None, extra=("power", "--input-activity", "0.1", "1.5")),
    Case("opt-input-duty-nan", "", None, extra=("power", "--input-activity", "0.1", "nan")),
    Case("opt-global-activity-inf", "", None, extra=("power", "--global-activity", "inf", "0.5")),
    Case("opt-global-duty-negative", "", None, extra=("power", "--global-activity", "0.2", "-0.5")),
    Case("opt-port-activity-nan", "", None, extra=("power", "--port-activity", "a", "nan", "0.5")),
    Case("opt-port-duty-inf", "", None, extra=("power", "--port-activity", "a", "0.1", "inf")),
    Case("opt-power-cap-per-um-nan", "", None, extra=("power", "--cap-per-um", "nan")),
    Case("opt-sta-cap-per-um-nan", "", None, extra=("sta", "--cap-per-um", "nan")),
    Case("opt-sta-cap-per-um-negative", "", None, extra=("sta", "--cap-per-um", "-0.1")),
    Case("opt-sta-cap-per-um-inf", "", None, extra=("sta", "--cap-per-um", "inf")),
]

ALL_CASES = (V_CASES + LIB_CASES + SDC_CASES + SPEF_CASES + DEF_CASES + LEF_CASES + VCD_CASES + SAIF_CASES
             + BIND_CASES + PLAN_CASES + OPTION_CASES)


def test_case_ids_unique():
    ids = [c.id for c in ALL_CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 150


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.id for c in ALL_CASES])
def test_rejected(run_cli, tmp_path, case):
    check_rejected(run_cli, tmp_path, case)


# --------------------------------------------------------------------------- no false positives


def run_ok(run_cli, paths: dict[str, Path], key: str, out: Path, extra: tuple[str, ...] = ()) -> str:
    code, stdout, stderr = run_cli(*command(paths, key, out, extra))
    assert code == 0, stderr
    assert stdout == ""
    return out.read_text()


@pytest.mark.parametrize("key", ["v", "spef", "def", "bind", "vcd", "saif", "plan"])
def test_seeds_work(run_cli, tmp_path, key):
    paths = write_seeds(tmp_path)
    text = run_ok(run_cli, paths, key, tmp_path / "r.out")
    assert text.strip()


def _sta_json(run_cli, paths, out, extra=()) -> str:
    return run_ok(run_cli, paths, "v", out, ("--json", *extra))


def test_huge_unused_bus_costs_nothing(run_cli, tmp_path):
    """``wire [2147483647:0] unused;`` is stored as a range: same result, no time."""
    paths = write_seeds(tmp_path)
    ref = _sta_json(run_cli, paths, tmp_path / "ref.json")
    paths["v"].write_text(VERILOG.replace("wire n1, n2, q;", "wire n1, n2, q;\n  wire [2147483647:0] unused;"))
    t0 = time.perf_counter()
    got = _sta_json(run_cli, paths, tmp_path / "got.json")
    assert time.perf_counter() - t0 < 10.0
    assert got == ref


def test_huge_bus_partly_used_creates_only_the_used_bits(tmp_path):
    from finevh.netlist.verilog import read_verilog

    p = tmp_path / "w.v"
    p.write_text(VERILOG.replace("INV g3 (.A(q), .Y(y));",
                                 "INV g3 (.A(w[2000000000]), .Y(y));\n  INV g4 (.A(q), .Y(w[2000000000]));\n"
                                 "  INV g5 (.A(q), .Y(w[3]));")
                 .replace("wire n1, n2, q;", "wire n1, n2, q;\n  wire [2147483647:0] w;"))
    nl = read_verilog(p)
    assert nl.n_instances == 6
    assert {"w[2000000000]", "w[3]"} <= set(nl.net_names)
    assert len(nl.net_names) == 9   # clk a b y n1 n2 q + the two bits used
    g3 = nl.inst_names.index("g3")
    g4 = nl.inst_names.index("g4")
    assert nl.pin_net[nl.pin_ptr[g3]] == nl.pin_net[nl.pin_ptr[g4] + 1]


def test_bus_declarations_have_a_memory_budget(tmp_path, monkeypatch):
    """Past the module's budget of eagerly expanded bits, buses are lazy: many wide
    declarations in a small file cannot exhaust memory, and their used bits still work."""
    from finevh.netlist import ir
    from finevh.netlist.verilog import read_verilog

    monkeypatch.setattr(ir, "EAGER_BUDGET", 3 * 4096)
    decl = "".join(f"  wire [4095:0] w{i};\n" for i in range(10))
    p = tmp_path / "many.v"
    p.write_text(VERILOG.replace("wire n1, n2, q;", "wire n1, n2, q;\n" + decl)
                 .replace("INV g3 (.A(q), .Y(y));", "INV g3 (.A(q), .Y(w9[7]));\n  INV g4 (.A(w9[7]), .Y(y));"))
    nl = read_verilog(p)
    assert len(nl.net_names) == 7 + 3 * 4096 + 1      # ports and scalars, 3 eager buses, one lazy bit
    assert "w9[7]" in nl.net_names and "w2[4095]" in nl.net_names and "w3[0]" not in nl.net_names
    g3, g4 = nl.inst_names.index("g3"), nl.inst_names.index("g4")
    assert nl.pin_net[nl.pin_ptr[g3] + 1] == nl.pin_net[nl.pin_ptr[g4]]


def test_bus_still_works_whole_and_by_bits(tmp_path):
    from finevh.netlist.verilog import read_verilog

    p = tmp_path / "b.v"
    p.write_text("module t (a, y);\n  input [1:0] a;\n  output [1:0] y;\n  wire [3:0] w;\n"
                 "  INV i0 (.A(a[0]), .Y(w[0]));\n  INV i1 (.A(a[1]), .Y(w[1]));\n"
                 "  assign y = w[1:0];\nendmodule\n")
    nl = read_verilog(p)
    assert nl.port_names == ["a[1]", "a[0]", "y[1]", "y[0]"]
    # unused bits of a normal-width bus are still nets, as before
    assert {"w[2]", "w[3]"} <= set(nl.net_names)


def test_plain_text_lib_gz_is_read_by_content(run_cli, tmp_path, monkeypatch):
    """A plain-text file named .lib.gz gives the same answer with a cold and a warm cache."""
    paths = write_seeds(tmp_path)
    ref = _sta_json(run_cli, paths, tmp_path / "ref.json")
    for k in range(2):
        monkeypatch.setenv("FINEVH_CACHE", str(tmp_path / f"cache{k}"))
        fake = tmp_path / "plain.lib.gz"
        fake.write_text(LIB)
        paths["lib"] = fake
        assert _sta_json(run_cli, paths, tmp_path / f"plain{k}.json") == ref
        assert _sta_json(run_cli, paths, tmp_path / f"plain{k}b.json") == ref   # warm cache
        hidden = tmp_path / "zipped.lib"   # gzip content without the suffix
        hidden.write_bytes(gzip.compress(LIB.encode()))
        paths["lib"] = hidden
        assert _sta_json(run_cli, paths, tmp_path / f"zipped{k}.json") == ref


def test_liberty_cache_is_keyed_on_content(tmp_path, monkeypatch):
    from finevh.liberty.reader import read_liberty

    monkeypatch.setenv("FINEVH_CACHE", str(tmp_path / "cache"))
    a = tmp_path / "a.lib"
    a.write_text(LIB)
    b = tmp_path / "b.lib.gz"
    b.write_bytes(gzip.compress(LIB.encode()))
    la = read_liberty(a)
    assert len(list((tmp_path / "cache" / "liberty").glob("*.pickle"))) == 1
    lb = read_liberty(b)   # same content compressed: the same cache entry
    assert len(list((tmp_path / "cache" / "liberty").glob("*.pickle"))) == 1
    assert sorted(la.cells) == sorted(lb.cells) == ["DFF", "INV", "NAND2"]
    assert lb.path == str(b)


def test_gzip_vcd_without_suffix(run_cli, tmp_path):
    paths = write_seeds(tmp_path)
    ref = run_ok(run_cli, paths, "vcd", tmp_path / "ref.txt")
    z = tmp_path / "zipped.vcd"
    z.write_bytes(gzip.compress(VCD.encode()))
    paths["vcd"] = z
    assert run_ok(run_cli, paths, "vcd", tmp_path / "z.txt") == ref


@pytest.mark.parametrize("key,mutate", [
    ("v", sub("output y;", "output y;\n  wire y;")),                       # port redeclared as wire
    ("v", sub("wire n1, n2, q;", "wire n1, n2, q;\n  wire [0:0] one;")),
    ("v", sub("INV g3 (.A(q), .Y(y));", "INV g3 (.A(q), .Y(y));\n  MACRO9 m1 (.I(q));")),   # black box
    ("sdc", sub("set_input_delay 0.2", "set_input_delay -0.1")),           # negative delays are legal SDC
    ("sdc", lambda t: t + "set_max_delay -0.5 -to [get_ports y]\n"),
    ("sdc", lambda t: t + "set_multicycle_path 0 -hold -to [get_ports y]\n"),
    ("sdc", lambda t: t + "set_clock_latency -0.1 [get_clocks clk]\n"),
    ("lib", sub('cell_rise (t2) { values ("0.02, 0.20"', 'cell_rise (t2) { values ("-0.02, 0.20"')),
    ("lib", sub('rise_power (p2) { values ("0.001', 'rise_power (p2) { values ("-0.001')),
    ("saif", replace_all("(TC 10)", "(TC 0)")),
    ("saif", sub("(TC 10)", "(TC 10.0)")),
    ("spef", sub("*D_NET n1 0.004", "*D_NET n1 0")),
    ("spef", sub("*C_UNIT 1 PF", "*C_UNIT 1 FF")),
    ("def", sub("PLACED ( 2000 0 )", "PLACED ( 2000.0 0 )")),
    ("def", sub("COMPONENTS 4 ;", "COMPONENTS 5 ;")),    # a located warning, as OpenROAD reads it
    ("vcd", sub("#4", "#4\n#4")),
], ids=["v-port-and-wire", "v-one-bit-bus", "v-unknown-cell-black-box", "sdc-negative-input-delay", "sdc-negative-max-delay",
        "sdc-multicycle-hold-0", "sdc-negative-latency", "lib-negative-delay", "lib-negative-internal-power",
        "saif-no-toggles", "saif-whole-float-tc", "spef-zero-cap", "spef-ff-unit", "def-float-integral",
        "def-count-mismatch-warns", "vcd-repeated-time"])
def test_valid_edge_cases_accepted(run_cli, tmp_path, key, mutate):
    paths = materialise(tmp_path, Case("ok", key, mutate))
    run_ok(run_cli, paths, key, tmp_path / "r.out")


def test_saif_activity_is_used(run_cli, tmp_path):
    """The SAIF seed's activity reaches the power numbers (a reader that dropped it would
    report the same switching power as zero toggles)."""
    import json

    # 2.0 rules: under current OpenSTA's, the seed's register starts at 0 and NAND(a, q)
    # keeps it there (a fixed point), so no instance output toggles whatever the SAIF says
    paths = write_seeds(tmp_path)
    busy = json.loads(run_ok(run_cli, paths, "saif", tmp_path / "a.json", ("--json", "--power-rules", "2.0")))
    paths["saif"].write_text(SAIF.replace("(TC 10)", "(TC 0)").replace("(TC 4)", "(TC 0)"))
    quiet = json.loads(run_ok(run_cli, paths, "saif", tmp_path / "b.json", ("--json", "--power-rules", "2.0")))
    assert busy["signals_matched"] == quiet["signals_matched"] == 3
    assert busy["switching_uw"] > quiet["switching_uw"] >= 0.0


# --------------------------------------------------------------------------- usage errors
# (click's usage errors, turned into the one-line form by the CLI group)

USAGE_CASES = [
    ("unknown-option", ("-q", "sta", "--liberty", "L", "--verilog", "V", "--sdc", "S", "--frobnicate")),
    ("bad-float", ("-q", "power", "--liberty", "L", "--verilog", "V", "--sdc", "S", "--clock-mhz", "fast")),
    ("bad-int", ("-q", "sta", "--liberty", "L", "--verilog", "V", "--sdc", "S", "--paths", "many")),
    ("missing-required", ("-q", "sta", "--liberty", "L", "--sdc", "S")),
    ("unknown-command", ("-q", "stta")),
    ("bad-choice", ("-q", "emit", "--plan", "P", "--tool", "vim")),
    ("missing-nargs", ("-q", "power", "--liberty", "L", "--verilog", "V", "--sdc", "S", "--input-activity", "0.1")),
]


@pytest.mark.parametrize("name,argv", USAGE_CASES, ids=[c[0] for c in USAGE_CASES])
def test_usage_errors_one_line(run_cli, name, argv):
    code, stdout, stderr = run_cli(*argv)
    assert code == 2
    assert stdout == ""
    assert len(stderr.splitlines()) == 1 and stderr.startswith("finevh: error: "), stderr
