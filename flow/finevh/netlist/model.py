"""Flattened gate-level netlist held in numpy arrays (no library knowledge yet).

Produced by the Verilog readers (fast structural reader and pyverilog path);
both must build identical objects for the same file. Linking to a library set
happens in :mod:`finevh.design`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

PORT_INPUT, PORT_OUTPUT, PORT_INOUT = 0, 1, 2
NET_NORMAL, NET_CONST0, NET_CONST1 = -1, 0, 1


@dataclass
class Netlist:
    """A flattened netlist.

    Instances (N), nets (M), per-instance pin connections (P) in CSR form.
    Hierarchical instance names are joined with ``/`` (as OpenSTA prints them);
    escaped identifiers are stored without the leading backslash and trailing space.
    Bus bits are named ``name[i]``.
    """

    top: str
    source: str                                  # path of the file read
    inst_names: list[str]
    inst_cell: np.ndarray                        # int32[N] index into cell_names
    cell_names: list[str]                        # master (cell) names, first-use order
    inst_line: np.ndarray                        # int32[N] source line of each instance
    pin_ptr: np.ndarray                          # int64[N+1] CSR row pointers into pin_* arrays
    pin_name: np.ndarray                         # int32[P] index into pin_names (formal pin)
    pin_names: list[str]                         # formal pin name table
    pin_net: np.ndarray                          # int32[P] net index, -1 unconnected
    net_names: list[str]                         # M nets; aliases (assign a = b) merged
    net_const: np.ndarray                        # int8[M]: -1 normal, 0 tied 0, 1 tied 1
    port_names: list[str]                        # top-level ports, bit-blasted
    port_dir: np.ndarray                         # int8: 0 input, 1 output, 2 inout
    port_net: np.ndarray                         # int32 net of each port
    net_aliases: dict[str, str] = field(default_factory=dict)  # alias name -> kept net name

    @property
    def n_instances(self) -> int:
        return len(self.inst_names)

    @property
    def n_nets(self) -> int:
        return len(self.net_names)
