"""The linked design database: netlist + library set (+ placement, constraints).

Terminal index space (used by timing, power and FINE-VH analyses):
terminals ``0 .. P-1`` are instance pin connections (the netlist's ``pin_*`` arrays),
terminals ``P .. P+n_ports-1`` are top-level ports.

Per-instance binding: ``cells`` is a table of bound :class:`~finevh.liberty.model.Cell`
objects (possibly from several libraries: other Vdd, other flavour) and
``inst_cell`` indexes into it. Re-binding an instance to a twin appends the twin to
``cells`` (once) and changes ``inst_cell[i]``; see :meth:`Design.rebind`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .liberty.model import Cell
from .netlist.model import Netlist

if TYPE_CHECKING:  # pragma: no cover
    from .liberty.libset import LibrarySet

DIR_INPUT, DIR_OUTPUT, DIR_INOUT, DIR_INTERNAL = 0, 1, 2, 3


@dataclass
class Design:
    netlist: Netlist
    libset: "LibrarySet"
    cells: list[Cell]                 # bound cell table
    inst_cell: np.ndarray             # int32[N] index into cells
    pin_dir: np.ndarray               # int8[P] direction of each instance pin connection (DIR_*)
    # Net connectivity in CSR over terminals (instance pins and ports):
    net_term_ptr: np.ndarray          # int64[M+1]
    net_terms: np.ndarray             # int64[T] terminal ids, the net's driver(s) first
    net_n_drivers: np.ndarray         # int32[M] number of driving terminals at the head of each row
    placement: Any = None             # finevh.layout.Placement or None
    constraints: Any = None           # finevh.constraints.Constraints or None
    meta: dict = field(default_factory=dict)

    @property
    def n_instances(self) -> int:
        return self.netlist.n_instances

    @property
    def n_pins(self) -> int:
        return int(self.netlist.pin_ptr[-1])

    def cell_of(self, inst: int) -> Cell:
        return self.cells[int(self.inst_cell[inst])]
