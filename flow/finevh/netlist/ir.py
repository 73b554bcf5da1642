"""Per-module intermediate form shared by both Verilog readers.

Each reader (the fast regex reader and the pyverilog path) turns the text into one
:class:`ModuleIR` per module; :func:`finevh.netlist.elaborate.elaborate` then flattens
the hierarchy into a :class:`~finevh.netlist.model.Netlist`. Both readers therefore
differ only in how they parse, and the identity test compares their full output.

Local bit ids: ``0 .. len(bit_names)-1`` are the module's net bits in declaration order
(implicit nets appended at first use); ``UNCONNECTED`` (-1), ``CONST0`` (-2) and
``CONST1`` (-3) are special. Buses are bit-blasted as ``name[i]``; ``bits(name)``
lists a declared name's bits MSB first (the order of its declared range).

A bus is kept as its range and expanded lazily when it is wider than
:data:`EAGER_BITS` (or the module's buses already hold :data:`EAGER_BUDGET` bits): only the bits a connection, assign or select uses become nets,
in first-use order, so ``wire [2147483647:0] unused;`` costs nothing. Narrower buses
are expanded at the declaration (every bit is a net, in declaration order, as
before). No single reference (a whole bus, a part-select, a constant, a replication)
may span more than :data:`finevh.validate.MAX_BITS` bits.

Declarations are processed before connections in each module (both readers), so a
net declared after its first use is not an implicit net.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

from ..errors import InputError
from ..validate import MAX_BITS

UNCONNECTED, CONST0, CONST1 = -1, -2, -3
#: Buses up to this width get all their bits at the declaration; wider ones lazily.
EAGER_BITS = 4096
#: ... as long as the module's eagerly expanded bus bits stay below this budget (so
#: thousands of 4096-bit declarations in a small file cannot exhaust memory either).
EAGER_BUDGET = 1 << 20
DIR_CODES = {"input": 0, "output": 1, "inout": 2}
GATE_PRIMITIVES = frozenset(("and", "or", "nand", "nor", "xor", "xnor", "not", "buf"))
#: Verilog switch / tri-state primitives: recognised only to be rejected clearly.
OTHER_PRIMITIVES = frozenset(("bufif0", "bufif1", "notif0", "notif1", "nmos", "pmos", "cmos",
                              "rnmos", "rpmos", "rcmos", "tran", "tranif0", "tranif1", "rtran",
                              "rtranif0", "rtranif1", "pullup", "pulldown"))


@dataclass
class ModuleIR:
    name: str
    path: str
    line: int
    ports: list[str] = field(default_factory=list)          # port names, header order
    port_dir: dict[str, int] = field(default_factory=dict)  # name -> 0 in, 1 out, 2 inout
    ranges: dict[str, tuple[int, int] | None] = field(default_factory=dict)
    bus_bits: dict[str, list[int]] = field(default_factory=dict)  # buses expanded at the declaration
    lazy_bits: dict[str, dict[int, int]] = field(default_factory=dict)  # wide buses: index -> bit, as used
    bit_names: list[str] = field(default_factory=list)
    bit_of: dict[str, int] = field(default_factory=dict)
    # instances
    masters: list[str] = field(default_factory=list)         # master table
    master_of: dict[str, int] = field(default_factory=dict)
    inst_master: array = field(default_factory=lambda: array("i"))
    inst_names: list[str] = field(default_factory=list)
    inst_line: array = field(default_factory=lambda: array("i"))
    inst_ptr: array = field(default_factory=lambda: array("q", [0]))
    formals: list[str] = field(default_factory=list)         # formal pin-name table
    formal_of: dict[str, int] = field(default_factory=dict)
    c_form: array = field(default_factory=lambda: array("i"))  # formal id, or -(k+1) for position k
    c_sub: array = field(default_factory=lambda: array("i"))   # -1 scalar connection, else bit index (LSB 0)
    c_bit: array = field(default_factory=lambda: array("i"))   # local bit id or special
    # assign aliases: pairs of local bits (or specials on the right)
    a_lhs: array = field(default_factory=lambda: array("i"))
    a_rhs: array = field(default_factory=lambda: array("i"))
    a_line: array = field(default_factory=lambda: array("i"))
    behavioural: tuple[int, str] | None = None               # (line, what) of first behavioural item
    implicit: list[str] = field(default_factory=list)
    eager_bits: int = 0                                      # bits of buses expanded at the declaration
    bracket_bases: set[str] | None = None                    # see _bracketed

    # ---- declarations -------------------------------------------------
    def declare(self, name: str, rng: tuple[int, int] | None, line: int) -> None:
        """Declare a net (or a port's net). A second declaration of the same name with
        the same range (``output y; wire y;``) is accepted; a different range is an error."""
        if name in self.ranges:
            if self.ranges[name] != rng:
                raise InputError(f"'{name}' redeclared with a different range", self.path, line)
            return
        self.ranges[name] = rng
        if rng is None:
            if self.lazy_bits:
                self._check_not_lazy_bit(name, line)
            if self.bracket_bases is not None and "[" in name:
                self.bracket_bases.add(name.partition("[")[0])
            self._new_bit(name, line)
            return
        msb, lsb = rng
        width = abs(msb - lsb) + 1
        if width > EAGER_BITS or self.eager_bits + width > EAGER_BUDGET:
            if name in self._bracketed():
                pre = name + "["
                clash = next(b for b in self.bit_of if b.startswith(pre))
                raise InputError(f"net '{clash}' declared twice (as a bus bit and as a scalar)", self.path, line)
            self.lazy_bits[name] = {}
            return
        self.eager_bits += width
        step = -1 if msb >= lsb else 1
        self.bus_bits[name] = [self._new_bit(f"{name}[{i}]", line) for i in range(msb, lsb + step, step)]

    def declare_scalars(self, names: list[str]) -> None:
        """Bulk :meth:`declare` of scalar nets (fast path; names already canonical)."""
        ranges = self.ranges
        fresh = names
        if not ranges.keys().isdisjoint(names):
            for x in names:
                if ranges.get(x, None) is not None:
                    raise InputError(f"'{x}' redeclared with a different range", self.path)
            fresh = [x for x in names if x not in ranges]
        new = dict.fromkeys(fresh)
        if len(new) != len(fresh):
            fresh = list(new)
        k0 = len(self.bit_names)
        if self.lazy_bits:
            for x in fresh:
                self._check_not_lazy_bit(x, None)
        if self.bracket_bases is not None:
            self.bracket_bases.update(x.partition("[")[0] for x in fresh if "[" in x)
        # without buses every bit is a declared scalar, which ``fresh`` is not
        if (self.bus_bits or self.lazy_bits) and not self.bit_of.keys().isdisjoint(fresh):
            bad = next(x for x in fresh if x in self.bit_of)
            raise InputError(f"net '{bad}' declared twice (as a bus bit and as a scalar)", self.path)
        self.bit_names.extend(fresh)
        self.bit_of.update(zip(fresh, range(k0, k0 + len(fresh))))
        ranges.update(new)

    def bits(self, name: str, line: int | None = None) -> list[int]:
        """Bits of a declared name, MSB first (a wide bus's bits are created here)."""
        rng = self.ranges[name]
        if rng is None:
            return [self.bit_of[name]]
        if name in self.lazy_bits:
            return self._lazy_range(name, rng[0], rng[1], line)
        return list(self.bus_bits[name])

    def _lazy_range(self, name: str, a: int, b: int, line: int | None) -> list[int]:
        """Bits ``name[a]`` .. ``name[b]`` of a lazily expanded bus (created at first use)."""
        n = abs(a - b) + 1
        if n > MAX_BITS:
            raise InputError(f"'{name}[{a}:{b}]' spans {n} bits: too wide to connect (at most {MAX_BITS})",
                             self.path, line)
        lz = self.lazy_bits[name]
        step = -1 if a >= b else 1
        out = []
        for i in range(a, b + step, step):
            k = lz.get(i)
            if k is None:
                k = lz[i] = self._new_bit(f"{name}[{i}]", line or 0)
            out.append(k)
        return out

    def _bracketed(self) -> set[str]:
        """Bases of scalar nets named like bus bits (escaped ``\\w[3] ``), built on first
        use (the first wide bus) and kept up to date after that."""
        if self.bracket_bases is None:
            self.bracket_bases = {b.partition("[")[0] for b in self.bit_of
                                  if "[" in b and b.partition("[")[0] not in self.bus_bits}
        return self.bracket_bases

    def _check_not_lazy_bit(self, bname: str, line: int | None) -> None:
        """A scalar (escaped) name like ``w[3]`` must not shadow a bit of a wide bus ``w``."""
        base, sep, rest = bname.partition("[")
        if sep and base in self.lazy_bits and rest.endswith("]") and rest[:-1].lstrip("-").isdigit():
            lo, hi = sorted(self.ranges[base])  # type: ignore[arg-type]
            if lo <= int(rest[:-1]) <= hi:
                raise InputError(f"net '{bname}' declared twice (as a bus bit and as a scalar)", self.path, line)

    def _new_bit(self, bname: str, line: int) -> int:
        if bname in self.bit_of:
            raise InputError(f"net '{bname}' declared twice (as a bus bit and as a scalar)", self.path, line)
        k = len(self.bit_names)
        self.bit_names.append(bname)
        self.bit_of[bname] = k
        return k

    def set_port_dir(self, name: str, direction: int, line: int) -> None:
        old = self.port_dir.get(name)
        if old is not None and old != direction:
            raise InputError(f"port '{name}' declared with two directions", self.path, line)
        self.port_dir[name] = direction

    # ---- references -----------------------------------------------------
    def ref_bits(self, name: str, sel: tuple[int, int] | None, line: int) -> list[int]:
        """Bits of ``name`` (sel None), ``name[i]`` (sel (i, i)) or ``name[a:b]`` (sel (a, b)),
        MSB first. Undeclared scalar names become implicit 1-bit nets (Verilog's default
        net type)."""
        rng = self.ranges.get(name, False)
        if rng is False:
            if sel is not None:
                raise InputError(f"undeclared net '{name}' used with a select", self.path, line)
            self.implicit.append(name)
            self.declare(name, None, line)
            return [self.bit_of[name]]
        if sel is None:
            return [self.bit_of[name]] if rng is None else self.bits(name, line)
        if rng is None:
            raise InputError(f"select on scalar net '{name}'", self.path, line)
        msb, lsb = rng
        lo, hi = min(msb, lsb), max(msb, lsb)
        a, b = sel
        for i in (a, b):
            if i < lo or i > hi:
                raise InputError(f"index {i} outside '{name}[{msb}:{lsb}]'", self.path, line)
        if name in self.lazy_bits:
            return self._lazy_range(name, a, b, line)
        step = -1 if a >= b else 1
        of = self.bit_of
        return [of[f"{name}[{i}]"] for i in range(a, b + step, step)]

    def master_id(self, master: str) -> int:
        k = self.master_of.get(master)
        if k is None:
            k = self.master_of[master] = len(self.masters)
            self.masters.append(master)
        return k

    def formal_id(self, formal: str) -> int:
        k = self.formal_of.get(formal)
        if k is None:
            k = self.formal_of[formal] = len(self.formals)
            self.formals.append(formal)
        return k

    def add_instance(self, master: str, name: str, line: int, conns: list[tuple[str | int, list[int]]]) -> None:
        """Add one instance. ``conns``: (formal name or position, bits MSB first)."""
        self.inst_master.append(self.master_id(master))
        self.inst_names.append(name)
        self.inst_line.append(line)
        for formal, bits in conns:
            f = -(formal + 1) if isinstance(formal, int) else self.formal_id(formal)
            if len(bits) == 1:
                self.c_form.append(f)
                self.c_sub.append(-1)
                self.c_bit.append(bits[0])
            elif not bits:  # .A() : pin present, unconnected
                self.c_form.append(f)
                self.c_sub.append(-1)
                self.c_bit.append(UNCONNECTED)
            else:
                w = len(bits)
                for i, b in enumerate(bits):
                    self.c_form.append(f)
                    self.c_sub.append(w - 1 - i)
                    self.c_bit.append(b)
        self.inst_ptr.append(len(self.c_bit))

    def add_assign(self, lhs: list[int], rhs: list[int], line: int) -> None:
        """``assign lhs = rhs``: bitwise aliases, LSB aligned; a narrower right side is
        zero-extended, a wider one truncated (Verilog rules)."""
        if any(b < 0 for b in lhs):
            raise InputError("constant on the left of an assign", self.path, line)
        n = len(lhs)
        r = rhs[-n:] if len(rhs) >= n else [CONST0] * (n - len(rhs)) + rhs
        for a, b in zip(lhs, r):
            self.a_lhs.append(a)
            self.a_rhs.append(b)
            self.a_line.append(line)


def const_bits(width: int | None, base: str, digits: str, path: str, line: int, warn_x) -> list[int]:
    """Bits (MSB first) of a Verilog number ``<width>'<base><digits>``. x/z bits become
    UNCONNECTED and ``warn_x(line)`` is called once for the literal."""
    if width is not None and width > MAX_BITS:
        raise InputError(f"constant of {width} bits is too wide (at most {MAX_BITS})", path, line)
    if width == 0:
        raise InputError("constant of width 0", path, line)
    digits = digits.replace("_", "").lower()
    base = base.lower()
    bits: list[str]
    if base == "b":
        bits = list(digits)
    elif base == "o":
        bits = []
        for d in digits:
            bits.extend(list(d * 3) if d in "xz?" else list(format(int(d, 8), "03b")))
    elif base == "h":
        bits = []
        for d in digits:
            bits.extend(list(d * 4) if d in "xz?" else list(format(int(d, 16), "04b")))
    elif base == "d":
        if any(c in "xz?" for c in digits):
            bits = ["x"]
        else:
            bits = list(format(int(digits), "b"))
    else:
        raise InputError(f"bad number base '{base}'", path, line)
    for c in bits:
        if c not in "01xz?":
            raise InputError(f"bad digit '{c}' in a base-{base} number", path, line)
    if width is None:
        width = max(32, len(bits))
    if len(bits) < width:
        pad = bits[0] if bits and bits[0] in "xz?" else "0"
        bits = [pad] * (width - len(bits)) + bits
    else:
        bits = bits[len(bits) - width:]
    out: list[int] = []
    xz = False
    for c in bits:
        if c == "0":
            out.append(CONST0)
        elif c == "1":
            out.append(CONST1)
        else:
            out.append(UNCONNECTED)
            xz = True
    if xz:
        warn_x(line)
    return out
