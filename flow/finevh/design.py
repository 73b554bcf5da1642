"""The linked design database: netlist + library set (+ placement, constraints).

Terminal index space (used by timing, power and FINE-VH analyses):
terminals ``0 .. P-1`` are instance pin connections (the netlist's ``pin_*`` arrays),
terminals ``P .. P+n_ports-1`` are top-level ports.

Per-instance binding: ``cells`` is a table of bound :class:`~finevh.liberty.model.Cell`
objects (possibly from several libraries: other Vdd, other flavour) and
``inst_cell`` indexes into it. Re-binding an instance to a twin appends the twin to
``cells`` (once) and changes ``inst_cell[i]``; see :meth:`Design.rebind`.

Net connectivity (:func:`link`): for each net, ``net_terms[net_term_ptr[m]:net_term_ptr[m+1]]``
lists its terminals, the ``net_n_drivers[m]`` drivers first (instance output/inout pins,
top-level input/inout ports), then the loads (instance input pins, output ports); within
each group instance pins come before ports, in index order. Power/ground pin connections
(``DIR_PG``) and unconnected pins are not in any net row. A net with several drivers is
an error unless every driving instance pin is tri-state (``three_state``) or inout.

Black boxes: an instance whose master is in no library (tap, filler, decap, endcap
cells; a macro given by LEF only) is bound to a :class:`Cell` with ``black_box`` set and
no pins, with ONE warning per master, as OpenSTA creates a black box for a module it
cannot find. Its pins get ``DIR_UNKNOWN`` (or ``DIR_PG`` for the LEF's ``USE POWER`` /
``USE GROUND`` pins): they are in no net row, so they neither drive nor load a net,
like the unknown-direction ports of OpenSTA's black boxes. With a LEF the black box
takes the macro's area and supply pins, and ``physical_only`` when the LEF says so.

Bus pins: a netlist connection ``.A({x, y, z})`` arrives as pins ``A[2]``, ``A[1]``,
``A[0]`` (position from the LSB); they are bound to the bits of the Liberty bus ``A``
in its declared order (:meth:`finevh.liberty.model.Bus.member_at`), so ``bit_from : 0;
bit_to : 7`` buses bind correctly too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from .errors import InputError
from .liberty.model import Cell, PgPin
from .progress import warn
from .netlist.model import PORT_INOUT, PORT_INPUT, Netlist

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

    from .liberty.libset import LibrarySet

DIR_INPUT, DIR_OUTPUT, DIR_INOUT, DIR_INTERNAL = 0, 1, 2, 3
DIR_PG = 4  # a power/ground pin (Liberty pg_pin) connected in the netlist: not a signal terminal
DIR_UNKNOWN = 5  # a signal pin of a black box (no Liberty cell): neither driver nor load, as in OpenSTA
_DIR_CODE = {"input": DIR_INPUT, "output": DIR_OUTPUT, "inout": DIR_INOUT, "internal": DIR_INTERNAL}


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
    _cell_index: dict = field(default_factory=dict, repr=False, compare=False)  # id(Cell) -> index in cells

    @property
    def n_instances(self) -> int:
        return self.netlist.n_instances

    @property
    def n_pins(self) -> int:
        return int(self.netlist.pin_ptr[-1])

    @property
    def n_ports(self) -> int:
        return len(self.netlist.port_names)

    @property
    def n_nets(self) -> int:
        return self.netlist.n_nets

    def cell_of(self, inst: int) -> Cell:
        return self.cells[int(self.inst_cell[inst])]

    @property
    def pin_inst(self) -> np.ndarray:
        """int32[P]: the instance of each pin connection (computed once)."""
        pi = self.meta.get("_pin_inst")
        if pi is None:
            ptr = self.netlist.pin_ptr
            pi = np.repeat(np.arange(len(ptr) - 1, dtype=np.int32), np.diff(ptr))
            self.meta["_pin_inst"] = pi
        return pi

    @property
    def inst_index(self) -> dict[str, int]:
        """Instance name -> index, built once per design and shared by every stage
        (a dict of a million names is tens of MB: one copy, not one per user)."""
        ix = self.meta.get("_inst_index")
        if ix is None or len(ix) != self.netlist.n_instances:
            ix = {n: i for i, n in enumerate(self.netlist.inst_names)}
            self.meta["_inst_index"] = ix
        return ix

    def term_name(self, t: int) -> str:
        """``inst/PIN`` for an instance pin terminal, the port name for a port terminal."""
        nl = self.netlist
        P = self.n_pins
        if t >= P:
            return nl.port_names[t - P]
        return f"{nl.inst_names[int(self.pin_inst[t])]}/{nl.pin_names[int(nl.pin_name[t])]}"

    # ---- summaries --------------------------------------------------------------
    def inst_area(self) -> np.ndarray:
        """float64[N]: area of each instance's bound cell, um^2."""
        table = np.array([c.area for c in self.cells], dtype=np.float64)
        return table[self.inst_cell] if len(table) else np.zeros(0)

    def area(self) -> float:
        """Total cell area, um^2."""
        return float(self.inst_area().sum())

    def is_sequential(self) -> np.ndarray:
        """bool[N]: the bound cell has an ff or latch group."""
        table = np.array([c.sequential is not None for c in self.cells], dtype=bool)
        return table[self.inst_cell] if len(table) else np.zeros(0, dtype=bool)

    def cell_histogram(self) -> list[tuple[str, int]]:
        """(cell name, instance count), most used first, ties by name."""
        counts = np.bincount(self.inst_cell, minlength=len(self.cells))
        agg: dict[str, int] = {}
        for c, k in zip(self.cells, counts.tolist()):
            if k:
                agg[c.name] = agg.get(c.name, 0) + k
        return sorted(agg.items(), key=lambda t: (-t[1], t[0]))

    def supply_pins(self) -> "SupplyPins":
        """The standard cells' main power and ground pin names, by instance count:
        Liberty ``pg_pin`` groups with ``pg_type`` primary_power / primary_ground, else
        the LEF macro's ``USE POWER`` / ``USE GROUND`` pins (``meta["lef"]``). A name is
        None when neither source gives one. Ties go to the name first in sort order."""
        counts = np.bincount(self.inst_cell, minlength=len(self.cells)).tolist()
        lef = self.meta.get("lef")
        votes: tuple[dict[str, int], dict[str, int]] = ({}, {})
        for c, k in zip(self.cells, counts):
            if not k:
                continue
            m = lef.macros.get(c.name) if lef is not None else None
            for v, names, use in ((votes[0], c.power_pins(), "POWER"), (votes[1], c.ground_pins(), "GROUND")):
                if not names and m is not None:
                    names = m.supply_pins(use)
                if names:
                    v[names[0]] = v.get(names[0], 0) + k

        def best(v: dict[str, int]) -> str | None:
            return min(v.items(), key=lambda t: (-t[1], t[0]))[0] if v else None

        return SupplyPins(best(votes[0]), best(votes[1]))

    def black_boxes(self) -> np.ndarray:
        """bool[N]: the instance's master has no Liberty cell."""
        table = np.array([c.black_box for c in self.cells], dtype=bool)
        return table[self.inst_cell] if len(table) else np.zeros(0, dtype=bool)

    # ---- re-binding -------------------------------------------------------------
    def rebind(self, inst_indices: Sequence[int] | np.ndarray, cells: Cell | Sequence[Cell]) -> None:
        """Bind instances to other cells (e.g. a twin at another Vdd or flavour).

        ``cells`` is one Cell for all, or one per instance. The new cell must have the
        same signal pins with the same directions as the old one (else InputError), so
        ``pin_dir`` and the net CSR arrays stay valid.
        """
        idx = np.asarray(inst_indices, dtype=np.int64).reshape(-1)
        if isinstance(cells, Cell):
            new = [cells] * len(idx)
        else:
            new = list(cells)
            if len(new) != len(idx):
                raise ValueError(f"rebind: {len(idx)} instances but {len(new)} cells")
        if not len(idx):
            return
        if not self._cell_index:
            self._cell_index.update({id(c): k for k, c in enumerate(self.cells)})
        new_ix = np.empty(len(idx), dtype=np.int32)
        for k, c in enumerate(new):
            ci = self._cell_index.get(id(c))
            if ci is None:
                ci = self._cell_index[id(c)] = len(self.cells)
                self.cells.append(c)
            new_ix[k] = ci
        # compatibility, checked once per (old cell, new cell): same signal pins, same directions
        nl = self.netlist
        old_ix = self.inst_cell[idx]
        pairs, first = np.unique(np.stack([old_ix, new_ix]).astype(np.int64), axis=1, return_index=True)
        for (o, n_), f in zip(pairs.T.tolist(), first.tolist()):
            old_c, new_c = self.cells[o], self.cells[n_]
            if old_c is new_c:
                continue
            so, sn = _signature(old_c), _signature(new_c)
            if so != sn:
                diff = sorted(set(so.items()) ^ set(sn.items()))
                inst = int(idx[f])
                raise InputError(f"cannot rebind instance '{nl.inst_names[inst]}' from '{old_c.name}' to "
                                 f"'{new_c.name}': their pins differ ({', '.join(f'{p}:{d}' for p, d in diff[:4])})",
                                 nl.source, int(nl.inst_line[inst]))
        self.inst_cell[idx] = new_ix

    # ---- graph view ---------------------------------------------------------------
    def graph(self) -> "nx.DiGraph":
        """networkx DiGraph: nodes ``0..N-1`` are instances (attrs kind='inst', name, cell),
        nodes ``N..N+n_ports-1`` are ports (kind='port', name, direction); an edge goes
        from each net's driver(s) to its loads (attr ``net`` = net index)."""
        import networkx as nx

        nl = self.netlist
        N, P = self.n_instances, self.n_pins
        g = nx.DiGraph()
        g.add_nodes_from((i, {"kind": "inst", "name": nl.inst_names[i], "cell": self.cells[c].name})
                         for i, c in enumerate(self.inst_cell.tolist()))
        dirs = {PORT_INPUT: "input", 1: "output", PORT_INOUT: "inout"}
        g.add_nodes_from((N + k, {"kind": "port", "name": name, "direction": dirs[int(d)]})
                         for k, (name, d) in enumerate(zip(nl.port_names, nl.port_dir.tolist())))
        node_of_term = np.concatenate([self.pin_inst.astype(np.int64), N + np.arange(self.n_ports)])
        ptr, terms, nd = self.net_term_ptr, self.net_terms, self.net_n_drivers
        for m in np.flatnonzero((nd > 0) & (np.diff(ptr) > nd)).tolist():
            row = node_of_term[terms[ptr[m]:ptr[m + 1]]]
            k = int(nd[m])
            for u in row[:k].tolist():
                for v in row[k:].tolist():
                    if u != v:
                        g.add_edge(u, v, net=m)
        return g


@dataclass(frozen=True)
class SupplyPins:
    """Main power / ground pin names of a design's cells (None when unknown)."""

    power: str | None
    ground: str | None


def black_box_cell(name: str, lef=None) -> Cell:
    """A :class:`Cell` standing for master ``name`` that no library has: no signal pins,
    no arcs, no power. ``lef``: a :class:`finevh.layout.lef.Lef`; when it has the macro,
    the cell takes its area (um^2), its supply pins and its physical-only class."""
    c = Cell(name=name, library="", black_box=True)
    m = lef.macros.get(name) if lef is not None else None
    if m is not None:
        c.area = m.width * m.height
        c.physical_only = m.is_physical_only
        for use, pg in (("POWER", "primary_power"), ("GROUND", "primary_ground")):
            for p in m.supply_pins(use):
                c.pg_pins[p] = PgPin(name=p, pg_type=pg)
    return c


def lef_supply_pins(lef, master: str) -> list[str]:
    """The ``USE POWER`` and ``USE GROUND`` pins of LEF macro ``master`` ([] when unknown)."""
    m = lef.macros.get(master)
    return m.supply_pins("POWER") + m.supply_pins("GROUND") if m is not None else []


def _bus_bit(cell: Cell, name: str) -> str | None:
    """The bit pin of ``cell`` a netlist pin ``BUS[p]`` (p from the LSB) or a one-bit
    ``BUS`` connection binds to; None when ``name`` is no such reference."""
    if not cell.buses:
        return None
    if name in cell.buses:
        b = cell.buses[name]
        return b.members[0] if b.width == 1 else None
    k = name.rfind("[")
    if k <= 0 or not name.endswith("]") or not name[k + 1:-1].isdigit():
        return None
    b = cell.buses.get(name[:k])
    return b.member_at(int(name[k + 1:-1])) if b is not None else None


def _signature(cell: Cell) -> dict[str, str]:
    return {p.name: p.direction for p in cell.pins.values() if p.direction != "internal"}


def _pin_dir(cell: Cell, name: str) -> int | None:
    if cell.black_box:
        return DIR_PG if name in cell.pg_pins else DIR_UNKNOWN
    p = cell.pins.get(name)
    if p is not None:
        return _DIR_CODE.get(p.direction, DIR_INTERNAL)
    if name in cell.pg_pins:
        return DIR_PG
    return None


def link(netlist: Netlist, libset: "LibrarySet", *, path: str | None = None, lef=None,
         black_boxes: bool = True) -> Design:
    """Bind every instance of ``netlist`` to ``libset.find_cell(cell_name)`` and build
    the net driver/load CSR. ``path`` overrides the file named in errors (default: the
    netlist's source). A master in no library becomes a black box (one warning per
    master; see the module doc; ``lef`` gives its area and supply pins), or an
    InputError when ``black_boxes`` is False. Unknown pins and multiply-driven nets
    raise InputError with the instance's line."""
    src = path or netlist.source
    nl = netlist
    N = nl.n_instances
    # cells
    cells: list[Cell] = []
    for k, name in enumerate(nl.cell_names):
        c = libset.find_cell(name)
        if c is None:
            insts = np.flatnonzero(nl.inst_cell == k)
            if not len(insts):
                cells.append(black_box_cell(name, lef))
                continue
            i = int(insts[0])
            if not black_boxes:
                raise InputError(f"unknown cell '{name}' (instance '{nl.inst_names[i]}'): not in any library given",
                                 src, int(nl.inst_line[i]))
            c = black_box_cell(name, lef)
            warn(f"cell '{name}' is in no library: its {len(insts)} instance(s) are black boxes "
                 f"(no timing arcs; their pins neither drive nor load), e.g. '{nl.inst_names[i]}'",
                 src, int(nl.inst_line[i]))
        cells.append(c)
    inst_cell = nl.inst_cell.astype(np.int32, copy=True)
    counts = np.diff(nl.pin_ptr)
    pin_inst = np.repeat(np.arange(N, dtype=np.int64), counts)
    _bind_bus_bits(nl, cells, inst_cell, pin_inst)
    # pin directions, resolved once per (cell, pin name)
    P = int(nl.pin_ptr[-1])
    npn = max(len(nl.pin_names), 1)
    key = inst_cell[pin_inst].astype(np.int64) * npn + nl.pin_name.astype(np.int64)
    if P:
        n_keys = len(cells) * npn
        if n_keys <= 50_000_000:  # dense table: no sort over the P pins
            present = np.zeros(n_keys, dtype=bool)
            present[key] = True
            ukey = np.flatnonzero(present)
        else:
            ukey = np.unique(key)
        udir = np.empty(len(ukey), dtype=np.int8)
        utri = np.zeros(len(ukey), dtype=bool)
        for q, kk in enumerate(ukey.tolist()):
            c = cells[kk // npn]
            name = nl.pin_names[kk % npn]
            d = _pin_dir(c, name)
            if d is None and lef is not None and name in lef_supply_pins(lef, c.name):
                d = DIR_PG   # a LEF USE POWER/GROUND pin of a cell whose Liberty has no pg_pin
            if d is None:
                i = int(pin_inst[int(np.flatnonzero(key == kk)[0])])
                raise InputError(f"cell '{c.name}' has no pin '{name}' (instance '{nl.inst_names[i]}')", src,
                                 int(nl.inst_line[i]))
            udir[q] = d
            pin = c.pins.get(name)
            utri[q] = pin is not None and (pin.three_state is not None or d == DIR_INOUT)
        pos = np.searchsorted(ukey, key)
        pin_dir = udir[pos]
        pin_tri = utri[pos]
    else:
        pin_dir = np.zeros(0, np.int8)
        pin_tri = np.zeros(0, bool)
    # the same pin connected twice on one instance (rows are contiguous: a nearly sorted key)
    if P:
        dup = np.sort(pin_inst * npn + nl.pin_name, kind="stable")
        same = np.flatnonzero(dup[1:] == dup[:-1])
        if len(same):
            d = int(dup[same[0]])
            i = d // npn
            raise InputError(f"pin '{nl.pin_names[d % npn]}' connected twice on instance '{nl.inst_names[i]}'",
                             src, int(nl.inst_line[i]))
    # net CSR
    M = nl.n_nets
    n_ports = len(nl.port_names)
    term_net = np.concatenate([nl.pin_net.astype(np.int64), nl.port_net.astype(np.int64)])
    is_drv = np.concatenate([(pin_dir == DIR_OUTPUT) | (pin_dir == DIR_INOUT),
                             (nl.port_dir == PORT_INPUT) | (nl.port_dir == PORT_INOUT)])
    signal = np.concatenate([pin_dir <= DIR_INOUT, np.ones(n_ports, dtype=bool)])  # not PG, internal, unknown
    ok = (term_net >= 0) & signal
    terms = np.flatnonzero(ok)
    tn = term_net[terms]
    td = is_drv[terms]
    order = np.argsort(tn * 2 + (~td), kind="stable")  # by net, drivers first, then by terminal
    net_terms = terms[order].astype(np.int64)
    net_term_ptr = np.zeros(M + 1, dtype=np.int64)
    np.cumsum(np.bincount(tn, minlength=M), out=net_term_ptr[1:])
    net_n_drivers = np.bincount(tn[td], minlength=M).astype(np.int32)
    d = Design(netlist=nl, libset=libset, cells=cells, inst_cell=inst_cell, pin_dir=pin_dir,
               net_term_ptr=net_term_ptr, net_terms=net_terms, net_n_drivers=net_n_drivers,
               meta={"verilog": src, "_pin_inst": pin_inst.astype(np.int32)})
    # multiple drivers
    multi = np.flatnonzero(net_n_drivers > 1)
    if len(multi):
        tri_term = np.concatenate([pin_tri, nl.port_dir == PORT_INOUT])
        for m in multi.tolist():
            drv = net_terms[net_term_ptr[m]:net_term_ptr[m] + net_n_drivers[m]]
            if tri_term[drv].all():
                continue
            _multi_driver_error(d, m, drv, src)
    const_driven = np.flatnonzero((nl.net_const >= 0) & (net_n_drivers > 0))
    if len(const_driven):
        m = int(const_driven[0])
        t = int(net_terms[net_term_ptr[m]])
        line = int(nl.inst_line[int(pin_inst[t])]) if t < P else None
        raise InputError(f"net '{nl.net_names[m]}' is tied to constant {int(nl.net_const[m])} and also driven by "
                         f"'{d.term_name(t)}'", src, line)
    return d


def _bind_bus_bits(nl: Netlist, cells: list[Cell], inst_cell: np.ndarray, pin_inst: np.ndarray) -> None:
    """Rename, in place, the netlist's connections to bus bits (``A[p]`` by position,
    see the module doc) to the Liberty bit pins they bind to, where the names differ."""
    has_bus = np.array([bool(c.buses) for c in cells], dtype=bool)
    if not has_bus.any() or not len(pin_inst):
        return
    sel = np.flatnonzero(has_bus[inst_cell[pin_inst]])
    npn = max(len(nl.pin_names), 1)
    key = inst_cell[pin_inst[sel]].astype(np.int64) * npn + nl.pin_name[sel].astype(np.int64)
    ukey, inv = np.unique(key, return_inverse=True)
    new_id = np.full(len(ukey), -1, dtype=np.int64)
    name_id = {n: k for k, n in enumerate(nl.pin_names)}
    for q, kk in enumerate(ukey.tolist()):
        c, name = cells[kk // npn], nl.pin_names[kk % npn]
        bit = _bus_bit(c, name)   # a bus bit name from the netlist is a position, even when it is a pin name
        if bit is None or bit == name:
            continue
        if bit not in name_id:
            name_id[bit] = len(nl.pin_names)
            nl.pin_names.append(bit)
        new_id[q] = name_id[bit]
    hit = new_id[inv.reshape(-1)]
    moved = hit >= 0
    if moved.any():
        pn = nl.pin_name.copy()
        pn[sel[moved]] = hit[moved]
        nl.pin_name = pn.astype(nl.pin_name.dtype)


def _multi_driver_error(d: Design, m: int, drv: np.ndarray, src: str) -> None:
    nl = d.netlist
    names = [d.term_name(int(t)) for t in drv[:3]]
    pins = [int(t) for t in drv if t < d.n_pins]
    line = int(nl.inst_line[int(d.pin_inst[pins[-1]])]) if pins else None
    raise InputError(f"net '{nl.net_names[m]}' has {len(drv)} drivers ({', '.join(names)}"
                     f"{', ...' if len(drv) > 3 else ''}) and they are not all tri-state", src, line)
