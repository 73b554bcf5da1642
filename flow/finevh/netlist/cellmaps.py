"""Ready-made ``cell_map`` tables (see :mod:`finevh.netlist.elaborate`) that map Verilog
gate primitives, and ISCAS-89's behavioural ``dff`` module, onto real libraries.

Only the input counts a library has are mapped (sky130 HD: 2-4 inputs; osu018: 2-3
for NAND/NOR, 2 for AND/OR); wider gates are rejected by the reader with file:line
(map such circuits with :func:`finevh.synth.yosys.map_to_liberty`).
"""

from __future__ import annotations

_S = "sky130_fd_sc_hd__"

SKY130_HD: dict = {
    ("and", 2): (_S + "and2_1", ["X", "A", "B"]),
    ("and", 3): (_S + "and3_1", ["X", "A", "B", "C"]),
    ("and", 4): (_S + "and4_1", ["X", "A", "B", "C", "D"]),
    ("nand", 2): (_S + "nand2_1", ["Y", "A", "B"]),
    ("nand", 3): (_S + "nand3_1", ["Y", "A", "B", "C"]),
    ("nand", 4): (_S + "nand4_1", ["Y", "A", "B", "C", "D"]),
    ("or", 2): (_S + "or2_1", ["X", "A", "B"]),
    ("or", 3): (_S + "or3_1", ["X", "A", "B", "C"]),
    ("or", 4): (_S + "or4_1", ["X", "A", "B", "C", "D"]),
    ("nor", 2): (_S + "nor2_1", ["Y", "A", "B"]),
    ("nor", 3): (_S + "nor3_1", ["Y", "A", "B", "C"]),
    ("nor", 4): (_S + "nor4_1", ["Y", "A", "B", "C", "D"]),
    ("xor", 2): (_S + "xor2_1", ["X", "A", "B"]),
    ("xnor", 2): (_S + "xnor2_1", ["Y", "A", "B"]),
    "not": (_S + "inv_1", ["Y", "A"]),
    "buf": (_S + "buf_1", ["X", "A"]),
    "dff": (_S + "dfxtp_1", {"CK": "CLK", "D": "D", "Q": "Q"}),
}

OSU018: dict = {
    ("and", 2): ("AND2X2", ["Y", "A", "B"]),
    ("nand", 2): ("NAND2X1", ["Y", "A", "B"]),
    ("nand", 3): ("NAND3X1", ["Y", "A", "B", "C"]),
    ("or", 2): ("OR2X2", ["Y", "A", "B"]),
    ("nor", 2): ("NOR2X1", ["Y", "A", "B"]),
    ("nor", 3): ("NOR3X1", ["Y", "A", "B", "C"]),
    ("xor", 2): ("XOR2X1", ["Y", "A", "B"]),
    ("xnor", 2): ("XNOR2X1", ["Y", "A", "B"]),
    "not": ("INVX1", ["Y", "A"]),
    "buf": ("BUFX2", ["Y", "A"]),
    "dff": ("DFFPOSX1", {"CK": "CLK", "D": "D", "Q": "Q"}),
}

BUILTIN = {"sky130_hd": SKY130_HD, "osu018": OSU018}
