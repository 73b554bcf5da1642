"""The design objects an SDC file can name, as OpenSTA sees them: top-level ports,
instances ("cells" in SDC) with their library cell (``ref_name``), instance pins (every
signal pin of the library cell, connected or not, and a register's internal state pins
such as ``IQ``), nets, and which instances are
registers with their clock / data / output / asynchronous pins.

:class:`SdcDesign` is built from a linked :class:`finevh.design.Design`
(:meth:`SdcDesign.from_design`) or from plain lists (tests, no library). Pin lists
and the register table are computed on first use, so reading an SDC that only names
ports costs nothing more.

Register pins follow the library's timing arcs, as OpenSTA: the clock pins are the
related pins of ``rising_edge``/``falling_edge`` arcs (or of setup/hold checks), the
output pins carry those arcs, the data pins carry timing checks (``setup_*``,
``hold_*``, ``recovery_*``, ``removal_*``: an asynchronous reset is a data pin too) and
the asynchronous pins are the related pins of ``preset``/``clear`` arcs and the pins
with ``recovery_*``/``removal_*`` checks. A register is an instance whose library cell
has an ``ff`` (edge-triggered) or ``latch`` (level-sensitive) group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Mapping, Sequence

_PORT_DIRS = {"input": "input", "output": "output", "inout": "bidirect"}


@dataclass(frozen=True)
class RegisterPins:
    """The register role of one library cell's pins (pin names)."""

    kind: str                              # "ff" or "latch"
    clock: tuple[str, ...]
    data: tuple[str, ...]
    output: tuple[str, ...]
    asynch: tuple[str, ...]


def register_pins(cell) -> RegisterPins | None:
    """:class:`RegisterPins` of a :class:`finevh.liberty.model.Cell`, None if it is not a register."""
    seq = getattr(cell, "sequential", None)
    if seq is None:
        return None
    clock: dict[str, None] = {}
    data: dict[str, None] = {}
    out: dict[str, None] = {}
    asy: dict[str, None] = {}
    for p in cell.pins.values():
        for a in p.timing:
            t = a.timing_type or ""
            if t in ("rising_edge", "falling_edge"):
                out[p.name] = None
                clock[a.related_pin] = None
            elif t.startswith(("setup_", "hold_")):
                data[p.name] = None
                clock[a.related_pin] = None
            elif t.startswith(("recovery_", "removal_")):
                asy[p.name] = None
                data[p.name] = None          # OpenSTA: every timing-check pin is a data pin
            elif t in ("preset", "clear"):
                asy[a.related_pin] = None
    for rp in list(clock):
        for name in rp.split():
            clock[name] = None
        if " " in rp:
            del clock[rp]
    clock = {k: None for k in clock if k in cell.pins}
    return RegisterPins(seq.kind, tuple(clock), tuple(data), tuple(out), tuple(asy))


@dataclass
class SdcDesign:
    """Names of the design objects an SDC can refer to.

    ``ports`` maps each top-level port (bus bits as ``a[3]``) to
    ``input``/``output``/``inout``; ``insts``/``inst_ref`` are the instances and their
    library cell names; ``lib_cells`` (optional) maps a library cell name to its
    :class:`finevh.liberty.model.Cell` (pins, registers); ``nets`` the net names;
    ``inst_conn`` (optional) per instance a mapping pin name -> net index, ``port_net``
    port name -> net index.
    """

    ports: dict[str, str]
    insts: list[str] = field(default_factory=list)
    inst_ref: list[str] = field(default_factory=list)
    nets: list[str] = field(default_factory=list)
    lib_cells: Mapping[str, object] = field(default_factory=dict)
    inst_conn: Sequence[Mapping[str, int]] | None = None
    port_net: Mapping[str, int] = field(default_factory=dict)
    extra_pins: Sequence[str] | None = None    # explicit pin names when there is no library

    @classmethod
    def from_design(cls, design) -> "SdcDesign":
        """The objects of a linked :class:`finevh.design.Design`."""
        nl = design.netlist
        dirs = {0: "input", 1: "output", 2: "inout"}
        ports = {n: dirs[int(d)] for n, d in zip(nl.port_names, nl.port_dir.tolist())}
        refs = [design.cells[k].name for k in design.inst_cell.tolist()]
        lib_cells = {c.name: c for c in design.cells}
        obj = cls(ports, list(nl.inst_names), refs, list(nl.net_names), lib_cells,
                  None, {p: int(n) for p, n in zip(nl.port_names, nl.port_net.tolist())})
        obj._netlist = nl
        return obj

    # ------------------------------------------------------------ derived tables
    @cached_property
    def conn(self) -> list[Mapping[str, int]]:
        """Per instance: pin name -> net index (connected pins only)."""
        if self.inst_conn is not None:
            return list(self.inst_conn)
        nl = getattr(self, "_netlist", None)
        if nl is None:
            return [{} for _ in self.insts]
        ptr = nl.pin_ptr.tolist()
        names = [nl.pin_names[k] for k in nl.pin_name.tolist()]
        nets = nl.pin_net.tolist()
        return [{names[p]: nets[p] for p in range(ptr[i], ptr[i + 1]) if nets[p] >= 0}
                for i in range(len(self.insts))]

    @cached_property
    def pin_table(self) -> tuple[list[str], list[int], list[str], list[str]]:
        """(full pin names ``inst/PIN``, instance index, lib pin name, direction)."""
        full: list[str] = []
        inst: list[int] = []
        lib: list[str] = []
        dirs: list[str] = []
        if self.extra_pins is not None:
            index = {n: i for i, n in enumerate(self.insts)}
            for p in self.extra_pins:
                i, _, pn = p.rpartition("/")
                full.append(p)
                inst.append(index.get(i, -1))
                lib.append(pn)
                dirs.append("unknown")
            return full, inst, lib, dirs
        cache: dict[str, list[tuple[str, str]]] = {}
        for i, (name, ref) in enumerate(zip(self.insts, self.inst_ref)):
            pins = cache.get(ref)
            if pins is None:
                cell = self.lib_cells.get(ref)
                if cell is not None:
                    pins = [(p.name, _PORT_DIRS.get(p.direction, p.direction)) for p in cell.pins.values()]
                    seq = getattr(cell, "sequential", None)
                    # OpenSTA lists a register's internal state pins (ff/latch IQ, IQN) too
                    if seq is not None:
                        pins += [(n, "internal") for n in (seq.iq, seq.iqn) if n and n not in cell.pins]
                else:
                    pins = [(pn, "unknown") for pn in (self.conn[i] if i < len(self.conn) else {})]
                if cell is not None:
                    cache[ref] = pins
            for pn, d in pins:
                full.append(f"{name}/{pn}")
                inst.append(i)
                lib.append(pn)
                dirs.append(d)
        return full, inst, lib, dirs

    @property
    def pins(self) -> list[str]:
        return self.pin_table[0]

    @cached_property
    def registers(self) -> dict[int, RegisterPins]:
        """Instance index -> :class:`RegisterPins` for every register instance."""
        per_ref: dict[str, RegisterPins | None] = {}
        out: dict[int, RegisterPins] = {}
        for i, ref in enumerate(self.inst_ref):
            if ref not in per_ref:
                cell = self.lib_cells.get(ref)
                per_ref[ref] = register_pins(cell) if cell is not None else None
            r = per_ref[ref]
            if r is not None:
                out[i] = r
        return out

    @cached_property
    def net_pins(self) -> list[list[tuple[int, str]]]:
        """Per net: (instance index, pin name) of its instance pins."""
        out: list[list[tuple[int, str]]] = [[] for _ in self.nets]
        for i, c in enumerate(self.conn):
            for pn, n in c.items():
                if 0 <= n < len(out):
                    out[n].append((i, pn))
        return out

    @cached_property
    def net_ports(self) -> list[list[str]]:
        out: list[list[str]] = [[] for _ in self.nets]
        for p, n in self.port_net.items():
            if 0 <= n < len(out):
                out[n].append(p)
        return out

    @cached_property
    def inst_index(self) -> dict[str, int]:
        return {n: i for i, n in enumerate(self.insts)}

    @cached_property
    def net_index(self) -> dict[str, int]:
        return {n: i for i, n in enumerate(self.nets)}

    def pin_direction(self, inst: int, pin: str) -> str:
        cell = self.lib_cells.get(self.inst_ref[inst]) if 0 <= inst < len(self.inst_ref) else None
        p = cell.pins.get(pin) if cell is not None else None
        if p is None:
            seq = getattr(cell, "sequential", None)
            return "internal" if seq is not None and pin in (seq.iq, seq.iqn) else "unknown"
        return _PORT_DIRS.get(p.direction, p.direction)

    def clock_reach(self, sources: Sequence[str]) -> set[int]:
        """Register instances whose clock pin is reached from ``sources`` (port names or
        ``inst/PIN``) through nets and combinational cells (ideal clock network)."""
        nets: list[int] = []
        for s in sources:
            if s in self.port_net:
                nets.append(self.port_net[s])
            else:
                i, _, pn = s.rpartition("/")
                k = self.inst_index.get(i)
                if k is not None and pn in self.conn[k]:
                    nets.append(self.conn[k][pn])
        seen = set(nets)
        regs: set[int] = set()
        while nets:
            n = nets.pop()
            for i, pn in self.net_pins[n]:
                r = self.registers.get(i)
                if r is not None:
                    if pn in r.clock:
                        regs.add(i)
                    continue
                if self.pin_direction(i, pn) not in ("input", "bidirect"):
                    continue
                for opn, on in self.conn[i].items():
                    if on not in seen and self.pin_direction(i, opn) in ("output", "bidirect"):
                        seen.add(on)
                        nets.append(on)
        return regs
