"""Object queries of the SDC reader (``get_*``, ``all_*``, list commands) and the
resolution of bare names by the type a command expects, as OpenSTA 3.x does.

A bare string where objects are expected is looked up, pattern by pattern, as each
kind the command accepts in OpenSTA's order (clocks, library cells, instances, ports,
pins, nets): the first kind with a match wins (``set_input_delay 1 {a b[*]}`` finds the
ports ``a`` and ``b[0..n]``). A string that matches nothing is an error.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from .filter import FilterError, compile_filter
from .objects import SdcDesign

KINDS = ("port", "pin", "cell", "clock", "net", "lib_cell")


class SdcError(Exception):
    """An SDC semantic error; the reader adds file and line."""


def _err(msg: str) -> SdcError:
    return SdcError(msg)


_NUM = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def is_num(s: str) -> bool:
    return bool(_NUM.match(s))


def pattern_rx(p: str, nocase: bool = False, regexp: bool = False) -> re.Pattern:
    """SDC pattern (``*``, ``?``; brackets literal; backslashes dropped) or a regexp."""
    if regexp:
        return re.compile(p + r"\Z", re.IGNORECASE if nocase else 0)
    rx = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in p.replace("\\", ""))
    return re.compile(rx + r"\Z", re.IGNORECASE if nocase else 0)


class Opts:
    """Parsed options of one command: ``flags`` (option -> value, True, or list for
    repeatable options) and positional ``pos``."""

    def __init__(self, flags: dict, pos: list[str]):
        self.flags = flags
        self.pos = pos


def parse_opts(cmd: str, args: Sequence[str], valued: Iterable[str], boolean: Iterable[str],
               repeat: Iterable[str] = ()) -> Opts:
    valued, boolean, repeat = set(valued), set(boolean), set(repeat)
    flags: dict[str, object] = {}
    pos: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("-") and len(a) > 1 and not is_num(a):
            if a in boolean:
                flags[a] = True
                i += 1
                continue
            if a in valued or a in repeat:
                if i + 1 >= len(args):
                    raise _err(f"{cmd}: option {a} needs a value")
                if a in repeat:
                    flags.setdefault(a, [])
                    flags[a].append(args[i + 1])  # type: ignore[union-attr]
                else:
                    flags[a] = args[i + 1]
                i += 2
                continue
            raise _err(f"{cmd}: unknown option '{a}'")
        pos.append(a)
        i += 1
    return Opts(flags, pos)


class Queries:
    """Mixin of the reader: needs ``self.tcl``, ``self.d`` (:class:`SdcDesign`),
    ``self.c`` (the constraints so far), ``self.literal`` (kinds whose universe is
    unknown: names taken literally) and ``self.warn``."""

    d: SdcDesign

    # ------------------------------------------------------------ lists
    def objects(self, args: Iterable[str]) -> list[str]:
        """Flatten Tcl lists (nested as OpenSTA: an element that is itself a list is expanded)."""
        out: list[str] = []
        for a in args:
            items = self.tcl.splitlist(a)
            if len(items) == 1 and items[0] == a:
                out.append(a)
            else:
                out.extend(self.objects(items))
        return out

    @staticmethod
    def tag_of(o: str) -> tuple[str | None, str]:
        k, sep, n = o.partition(":")
        return (k, n) if sep and k in KINDS else (None, o)

    def universe(self, kind: str) -> list[str]:
        if kind == "port":
            return list(self.d.ports)
        if kind == "cell":
            return self.d.insts
        if kind == "pin":
            return self.d.pins
        if kind == "net":
            return self.d.nets
        if kind == "clock":
            return self.all_clock_names()
        if kind == "lib_cell":
            return list(self.d.lib_cells)
        raise ValueError(kind)

    def _name_set(self, kind: str, universe: list[str]) -> set[str]:
        cache = self.__dict__.setdefault("_sets", {})
        got = cache.get(kind)
        if got is None or got[0] is not universe or got[1] != len(universe):
            got = cache[kind] = (universe, len(universe), set(universe))
        return got[2]

    def find(self, kind: str, p: str, nocase: bool = False, regexp: bool = False) -> list[str]:
        """Names of ``kind`` matching pattern ``p`` (a bus name alone selects its bits)."""
        if kind in self.literal:
            return [p.replace("\\", "")]
        if kind == "lib_cell" and "/" in p:          # LIBRARY/CELL: the library part filters
            lib_p, _, p = p.rpartition("/")
            lrx = pattern_rx(lib_p, nocase, regexp)
            return [n for n in self.find(kind, p, nocase, regexp)
                    if lrx.match(str(getattr(self.d.lib_cells.get(n), "library", "") or lib_p))]
        universe = self.universe(kind)
        if not (nocase or regexp) and "*" not in p and "?" not in p:
            n = p.replace("\\", "")
            if n in self._name_set(kind, universe):
                return [n]
        rx = pattern_rx(p, nocase, regexp)
        hits = [n for n in universe if rx.match(n)]
        if not hits and kind in ("port", "pin") and not regexp and "[" not in p:
            brx = re.compile(rx.pattern[:-2] + r"\[\d+\]\Z", rx.flags)
            hits = [n for n in universe if brx.match(n)]
        return hits

    def typed(self, cmd: str, args: Iterable[str], kinds: Sequence[str]) -> list[str]:
        """Tagged objects from objects and bare names, bare names looked up as ``kinds`` in order."""
        out: list[str] = []
        for o in self.objects(args):
            k, n = self.tag_of(o)
            if k is not None:
                if k not in kinds:
                    raise _err(f"{cmd}: expected {' or '.join(kinds)}, got {k} '{n}'")
                out.append(o)
                continue
            if not o:
                continue
            for kind in kinds:
                hits = self.find(kind, o) if kind not in self.literal else []
                if hits:
                    out.extend(kind + ":" + h for h in hits)
                    break
            else:
                # kinds whose names are unknown (no netlist given): take the name as is
                guess = [k for k in kinds if k in self.literal and (k != "pin" or "/" in o)]
                if not guess:
                    raise _err(f"{cmd}: no {' or '.join(kinds)} matches '{o}'")
                out.append(guess[0] + ":" + o.replace("\\", ""))
        return list(dict.fromkeys(out))

    def port_names(self, cmd: str, args: Iterable[str]) -> list[str]:
        """Port names (objects or bare names / patterns); anything else is an error."""
        return [o.split(":", 1)[1] for o in self.typed(cmd, args, ("port",))]

    def clock_names(self, cmd: str, args: Iterable[str]) -> list[str]:
        out = []
        for o in self.objects(args):
            k, n = self.tag_of(o)
            if k is not None and k != "clock":
                raise _err(f"{cmd}: expected clock, got {k} '{n}'")
            hits = [n] if n in self.c.clocks or n in self.c.generated_clocks else self.find("clock", n)
            if not hits:
                raise _err(f"{cmd}: unknown clock '{n}'")
            out.extend(hits)
        return out

    def all_clock_names(self) -> list[str]:
        return list(self.c.clocks) + [n for n in self.c.generated_clocks if n not in self.c.clocks]

    # ------------------------------------------------------------ get_*
    def get_objects(self, cmd: str, kind: str, args: list[str]):
        valued = ["-filter"] + (["-of_objects"] if kind != "clock" else []) + (["-hsc"] if kind in ("pin", "cell", "net") else [])
        boolean = ["-quiet", "-regexp", "-nocase"] + (["-hierarchical", "-hier"] if kind in ("pin", "cell", "net") else [])
        o = parse_opts(cmd, args, valued, boolean)
        quiet = "-quiet" in o.flags
        if len(o.pos) > 1:
            raise _err(f"{cmd}: expected one pattern list, got {len(o.pos)} arguments")
        if "-of_objects" in o.flags:
            if o.pos:
                raise _err(f"{cmd}: patterns are not allowed with -of_objects")
            names = self.of_objects(cmd, kind, str(o.flags["-of_objects"]))
        else:
            patterns = self.objects(o.pos) if o.pos else ["*"]
            if "-hsc" in o.flags:
                patterns = [p.replace(str(o.flags["-hsc"]), "/") for p in patterns]
            names = []
            for p in patterns:
                k, n = self.tag_of(p)
                if k is not None:
                    if k != kind:
                        raise _err(f"{cmd}: object '{n}' is not a {kind}")
                    names.append(n)
                    continue
                hits = self.find(kind, p, "-nocase" in o.flags, "-regexp" in o.flags)
                if not hits and not quiet:
                    raise _err(f"{cmd}: no {kind} matches '{p}'")
                names.extend(hits)
        names = list(dict.fromkeys(names))
        if "-filter" in o.flags:
            try:
                keep = compile_filter(str(o.flags["-filter"]), lambda n, prop: self.prop(kind, n, prop))
                names = [n for n in names if keep(n)]
            except FilterError as e:
                raise _err(f"{cmd}: {e}") from None
        return tuple(kind + ":" + n for n in names)

    def of_objects(self, cmd: str, kind: str, arg: str) -> list[str]:
        """``-of_objects``: ports of nets, pins of cells/nets, cells of pins/nets, nets of pins/cells."""
        d = self.d
        accepts = {"port": ("net",), "pin": ("cell", "net"), "cell": ("port", "pin", "net"),
                   "net": ("cell", "pin")}[kind]
        out: list[str] = []
        pin_full, pin_inst, pin_lib, _ = d.pin_table if kind in ("pin",) else ([], [], [], [])
        for o in self.typed(cmd, [arg], accepts):
            k, n = o.split(":", 1)
            if k == "net":
                m = d.net_index.get(n)
                if m is None:
                    continue
                if kind == "port":
                    out.extend(d.net_ports[m])
                elif kind == "pin":
                    out.extend(f"{d.insts[i]}/{pn}" for i, pn in d.net_pins[m])
                else:
                    out.extend(d.insts[i] for i, _ in d.net_pins[m])
            elif k == "cell":
                i = d.inst_index.get(n)
                if i is None:
                    continue
                if kind == "pin":
                    out.extend(f"{n}/{pn}" for pn in self._lib_pins(i))
                else:
                    out.extend(d.nets[m] for m in d.conn[i].values())
            elif k == "pin":
                inst, _, pn = n.rpartition("/")
                i = d.inst_index.get(inst)
                if i is None:
                    continue
                if kind == "cell":
                    out.append(inst)
                elif pn in d.conn[i]:
                    out.append(d.nets[d.conn[i][pn]])
            elif k == "port":
                m = d.port_net.get(n)
                if m is not None:
                    out.append(d.nets[m]) if kind == "net" else out.extend(d.insts[i] for i, _ in d.net_pins[m])
        return out

    def _lib_pins(self, inst: int) -> list[str]:
        full, pin_inst, lib, _ = self.d.pin_table
        return [lib[k] for k in self._pins_of(inst)]

    def _pins_of(self, inst: int) -> range:
        """Indices into ``pin_table`` of one instance's pins (they are contiguous)."""
        starts = self.__dict__.get("_pin_starts")
        if starts is None:
            pin_inst = self.d.pin_table[1]
            starts = self._pin_starts = {}
            for k, i in enumerate(pin_inst):
                lo, hi = starts.get(i, (k, k))
                starts[i] = (lo, k + 1)
        lo, hi = starts.get(inst, (0, 0))
        return range(lo, hi)

    def prop(self, kind: str, name: str, prop: str):
        """A property as OpenSTA's ``get_property`` gives it (str or bool)."""
        d = self.d
        if prop in ("name", "full_name") and kind in ("port", "net", "clock", "lib_cell"):
            return name
        if kind == "port":
            if prop in ("direction", "port_direction"):
                return {"inout": "bidirect"}.get(d.ports[name], d.ports[name])
            if prop == "is_clock":
                return any("port:" + name in c.sources for c in self.c.clocks.values())
        elif kind == "cell":
            i = d.inst_index.get(name, -1)
            cell = d.lib_cells.get(d.inst_ref[i]) if i >= 0 else None
            if prop in ("name", "full_name"):
                return name
            if prop == "ref_name":
                return d.inst_ref[i] if i >= 0 else ""
            if prop == "is_hierarchical":
                return False
            if prop in ("is_buffer", "is_inverter"):
                return _is_buf_inv(cell, prop == "is_inverter")
            if prop == "is_clock_gate":
                return bool(getattr(cell, "is_clock_gate", False))
            if prop in ("is_macro", "is_memory"):
                return False
        elif kind == "pin":
            inst, _, pn = name.rpartition("/")
            i = d.inst_index.get(inst, -1)
            cell = d.lib_cells.get(d.inst_ref[i]) if i >= 0 else None
            lp = cell.pins.get(pn) if cell is not None else None
            if prop in ("name", "lib_pin_name"):
                return pn
            if prop == "full_name":
                return name
            if prop in ("direction", "pin_direction"):
                return d.pin_direction(i, pn)
            if prop in ("is_hierarchical", "is_port"):
                return False
            if prop == "is_clock":
                return bool(lp is not None and lp.is_clock)
            if prop == "is_register_clock":
                r = d.registers.get(i)
                return bool(r is not None and pn in r.clock)
        elif kind == "clock":
            c = self.c.clocks.get(name)
            if prop == "period" and c is not None:
                return f"{c.period / self.t_scale:g}"
            if prop == "is_virtual":
                return c is not None and not c.sources
            if prop == "is_generated":
                return name in self.c.generated_clocks
            if prop == "is_propagated":
                return bool(c is not None and c.propagated)
        raise FilterError(f"unknown {kind} property '{prop}'")

    # ------------------------------------------------------------ all_*
    def all_inputs(self, args: list[str]):
        o = parse_opts("all_inputs", args, (), ("-no_clocks", "-level_sensitive", "-edge_triggered"))
        if o.pos:
            raise _err(f"all_inputs: unexpected argument '{o.pos[0]}'")
        clock_ports = {s for c in self.c.clocks.values() for s in c.sources} if "-no_clocks" in o.flags else set()
        return tuple(t for t in ("port:" + p for p, d in self.d.ports.items() if d in ("input", "inout"))
                     if t not in clock_ports)

    def all_outputs(self, args: list[str]):
        o = parse_opts("all_outputs", args, (), ("-level_sensitive", "-edge_triggered"))
        if o.pos:
            raise _err(f"all_outputs: unexpected argument '{o.pos[0]}'")
        return tuple("port:" + p for p, d in self.d.ports.items() if d in ("output", "inout"))

    def all_registers(self, args: list[str]):
        o = parse_opts("all_registers", args, ("-clock", "-rise_clock", "-fall_clock"),
                       ("-cells", "-data_pins", "-clock_pins", "-async_pins", "-output_pins",
                        "-level_sensitive", "-edge_triggered"))
        if o.pos:
            raise _err(f"all_registers: unexpected argument '{o.pos[0]}'")
        if "cell" in self.literal or not self.d.lib_cells:
            raise _err("all_registers: needs the netlist and its libraries")
        what = [f for f in ("-cells", "-data_pins", "-clock_pins", "-async_pins", "-output_pins") if f in o.flags]
        if len(what) > 1:
            raise _err("all_registers: only one of -cells, -data_pins, -clock_pins, -async_pins, -output_pins")
        et, ls = "-edge_triggered" in o.flags, "-level_sensitive" in o.flags
        kinds = {"ff"} if et and not ls else {"latch"} if ls and not et else {"ff", "latch"}
        regs = {i: r for i, r in self.d.registers.items() if r.kind in kinds}
        clk_arg = next((o.flags[k] for k in ("-clock", "-rise_clock", "-fall_clock") if k in o.flags), None)
        if clk_arg is not None:
            sources = [s.split(":", 1)[1] for n in self.clock_names("all_registers", [str(clk_arg)])
                       for s in self.c.clocks[n].sources if n in self.c.clocks]
            reach = self.d.clock_reach(sources)
            regs = {i: r for i, r in regs.items() if i in reach}
        field = {"-data_pins": "data", "-clock_pins": "clock", "-async_pins": "asynch",
                 "-output_pins": "output"}.get(what[0] if what else "-cells")
        insts = self.d.insts
        if field is None:
            return tuple("cell:" + insts[i] for i in sorted(regs))
        return tuple(f"pin:{insts[i]}/{pn}" for i in sorted(regs) for pn in getattr(regs[i], field))

    # ------------------------------------------------------------ list commands
    def delete_from_list(self, args: list[str]):
        """OpenSTA's ``delete_from_list LIST DELETE``: bare names in DELETE are taken as
        objects of the list's first element's kind."""
        if len(args) != 2:
            raise _err("delete_from_list: expected a list and the objects to delete")
        items = self.objects([args[0]])
        if not items:
            return ()
        kind, _ = self.tag_of(items[0])
        drop = set()
        for o in self.objects([args[1]]):
            k, n = self.tag_of(o)
            if k is None and kind is not None:
                drop.update(kind + ":" + h for h in (self.find(kind, o) or [o]))
            else:
                drop.add(o)
        return tuple(o for o in items if o not in drop)

    def remove_from_collection(self, args: list[str]):
        """PrimeTime's ``remove_from_collection BASE REMOVE`` (not an OpenSTA command)."""
        if len(args) != 2:
            raise _err("remove_from_collection: expected two collections")
        return self.delete_from_list(args)

    def add_to_collection(self, args: list[str]):
        """PrimeTime's ``add_to_collection BASE ADD`` (not an OpenSTA command)."""
        return tuple(dict.fromkeys(self.objects(args)))


def _is_buf_inv(cell, inverter: bool) -> bool:
    if cell is None or getattr(cell, "sequential", None) is not None:
        return False
    ins = [p for p in cell.pins.values() if p.direction == "input"]
    outs = [p for p in cell.pins.values() if p.direction == "output"]
    if len(ins) != 1 or len(outs) != 1 or not outs[0].function:
        return False
    f = outs[0].function.replace(" ", "")
    while f.startswith("(") and f.endswith(")"):
        f = f[1:-1]
    a = ins[0].name
    return f in ((f"!{a}", f"{a}'", f"!({a})") if inverter else (a,))
