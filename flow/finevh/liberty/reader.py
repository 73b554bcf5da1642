"""Liberty reader: ``.lib`` / ``.lib.gz`` -> :class:`finevh.liberty.model.Library`.

Units are converted ONCE here, to the canonical units of :mod:`finevh.units`:

=====================  ============================================================
quantity               source unit statement -> canonical
=====================  ============================================================
time (delays, slews,   ``time_unit`` ("1ns", "1ps", "10ps", ...) -> ns
constraints, indices)
capacitance            ``capacitive_load_unit (1, pf|ff)`` -> pF
leakage power          ``leakage_power_unit`` ("1nW", "1pW", ...) -> uW
internal-power tables  energy = capacitive_load_unit x voltage_unit^2 -> pJ
                       (the Liberty convention; OpenSTA scales the same way)
voltage                ``voltage_unit`` -> V
current                ``current_unit`` -> mA (not stored in tables here)
resistance             ``pulling_resistance_unit`` -> kOhm (wire-load R)
area                   as written (the Liberty convention is um^2)
=====================  ============================================================

Table axes are converted by their variable: ``*_transition*`` / ``*_time`` axes are
times, ``*_capacitance`` / ``*_cap`` axes are capacitances, others (lengths,
normalised voltages) are left as written.

``cell_leakage_power`` absent (ASAP7): it is derived from the state-dependent
``leakage_power`` groups. Values of groups that share the same ``when`` (one per
``related_pg_pin``, e.g. VDD and VSS in ASAP7) are summed into the leakage of that
state; the cell leakage is the MEAN over the distinct ``when`` states, i.e. every
listed state is taken as equally probable. Groups without ``when`` are the
library's state-independent default; they are used (summed over pg pins) only when
the cell has no ``when`` group at all. (In ASAP7 that default equals the mean of the
states to the 6 digits printed, which the tests check.) ``Cell.leakage_derived`` is
then True.

Bus and bundle pins are expanded into one :class:`~finevh.liberty.model.Pin` per bit,
named ``BUS[i]`` (bundles: their ``members``), each carrying the group's direction,
capacitance, timing and power; a ``pin(BUS[i])`` (or ``pin(BUS[i:j])``) group inside
the bus overrides those bits. The bit range comes from the ``type`` group named by
``bus_type`` (library- or cell-level; ``bit_from``/``bit_to``, else ``bit_width`` with
``downto``). Arcs to or from buses are made as OpenSTA makes them: a ``related_pin``
bus relates to a bus pin bit by bit (different widths: paired from the last members,
with a warning), ``related_bus_pins`` relates every bit to every bit, and a bus
related to a one-bit pin (or the reverse) relates each bit. :attr:`Cell.buses` keeps the bit order.

Results are cached by content hash (see :func:`read_liberty`).
"""

from __future__ import annotations

import gc
import math
import pickle
import re
from dataclasses import replace
from pathlib import Path

import numpy as np

from .. import fileio
from ..errors import InputError
from ..progress import debug, warn
from ..units import si_scale
from .model import (
    Bus,
    Cell,
    InternalPower,
    LeakageState,
    Library,
    OperatingConditions,
    PgPin,
    Pin,
    Sequential,
    Table,
    TableTemplate,
    TimingArc,
    WireLoad,
)
from .parse import LGroup, SourceText, parse_fast, parse_with_liberty_parser, split_args

__all__ = ["read_liberty", "build_library", "FORMAT_VERSION", "cache_path"]

#: Bump when the model or the conversion changes: old cache entries are then ignored.
FORMAT_VERSION = "finevh-liberty-5"  # 5: capacitance ranges; -bus: bus/bundle pins; 4: value checks
_MAGIC = "finevh.liberty.cache"

# --------------------------------------------------------------------------- units

def _unit_si(text: str, base: str, src: SourceText, pos: int | None) -> float:
    """'1ps' (base 's') -> 1e-12; '1kohm' (base 'ohm') -> 1e3. SI value of one unit."""
    try:
        return si_scale(text, base)
    except ValueError as e:
        raise src.error(str(e), pos) from None


class _Units:
    """Scale factors from the file's units to the canonical ones."""

    def __init__(self, lib: LGroup, src: SourceText, out: Library):
        def simple(name: str, default: str, base: str) -> tuple[str, float]:
            v = lib.attrs.get(name)
            text = v[0] if v else default
            return text, _unit_si(text, base, src, v[1] if v else None)

        out.time_unit, t = simple("time_unit", "1ns", "s")
        out.voltage_unit, v = simple("voltage_unit", "1V", "v")
        out.leakage_power_unit, p = simple("leakage_power_unit", "1nW", "w")
        out.current_unit, _ = simple("current_unit", "1mA", "a")
        out.pulling_resistance_unit, r = simple("pulling_resistance_unit", "1kohm", "ohm")
        c = 1e-12
        out.capacitive_load_unit = "1pf"
        for name, raw, pos in lib.cattrs:
            if name == "capacitive_load_unit":
                a = split_args(raw)
                if len(a) != 2:
                    raise src.error("capacitive_load_unit needs (number, unit)", pos)
                num = a[0].rstrip("0").rstrip(".") if "." in a[0] else a[0]
                out.capacitive_load_unit = f"{num}{a[1]}"
                c = _unit_si(f"{a[0]}{a[1]}", "f", src, pos)
        for what, val in (("time_unit", t), ("voltage_unit", v), ("leakage_power_unit", p),
                          ("pulling_resistance_unit", r), ("capacitive_load_unit", c)):
            if not (math.isfinite(val) and val > 0):
                pos = next((q for n_, _, q in lib.cattrs if n_ == what), None) if what == "capacitive_load_unit" \
                    else (lib.attrs[what][1] if what in lib.attrs else None)
                raise src.error(f"{what}: a positive finite unit is expected", pos)
        self.time = t / 1e-9
        self.cap = c / 1e-12
        self.leak = p / 1e-6
        self.volt = v
        self.res = r / 1e3
        self.energy = c * v * v / 1e-12


def _axis_scale(variable: str, u: _Units) -> float:
    if "transition" in variable or variable.endswith("_time"):
        return u.time
    if "capacitance" in variable or variable.endswith("_cap"):
        return u.cap
    return 1.0


# --------------------------------------------------------------------------- numbers


def _float(text: str, src: SourceText, pos: int | None, what: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise src.error(f"bad number '{text}' in {what}", pos) from None
    if not math.isfinite(v):
        raise src.error(f"{what}: a finite number is expected, got '{text}'", pos)
    return v


_NUM_CLEAN = str.maketrans({'"': " ", "\\": " ", "\n": " ", "\r": " "})


def _floats(raw: str, src: SourceText, pos: int | None, what: str) -> list[float]:
    """All numbers of an ``index_N``/``values`` argument text (quotes, commas, ``\\``)."""
    s = raw.translate(_NUM_CLEAN)
    try:
        return list(map(float, s.split(",")))
    except ValueError:
        pass
    out = []
    for x in s.split(","):
        if not x.strip():
            continue  # tolerate a trailing comma
        try:
            out.append(float(x))
        except ValueError:
            raise src.error(f"bad number '{x.strip()}' in {what}", pos) from None
    return out


# --------------------------------------------------------------------------- builder


class _Builder:
    def __init__(self, lib: LGroup, src: SourceText, path: str):
        self.src = src
        self.path = path
        name = lib.args[0] if lib.args else ""
        self.out = Library(name=name, path=path)
        self.u = _Units(lib, src, self.out)
        self.templates: dict[str, TableTemplate] = {}
        self._axis_cache: dict[tuple[str, str], np.ndarray] = {}
        self.lib = lib
        self.types: dict[str, tuple[int, int]] = {}
        self._cross: set[int] = set()   # ids of arcs from related_bus_pins (every bit to every bit)

    # -- helpers
    def err(self, msg: str, pos: int | None) -> InputError:
        return self.src.error(msg, pos)

    def num(self, g: LGroup, key: str, scale: float = 1.0) -> float | None:
        v = g.attrs.get(key)
        if v is None:
            return None
        return _float(v[0], self.src, v[1], key) * scale

    def num_nonneg(self, g: LGroup, key: str, scale: float = 1.0) -> float | None:
        """Like :meth:`num` for quantities that cannot be negative (capacitance, area...)."""
        x = self.num(g, key, scale)
        if x is not None and x < 0:
            raise self.err(f"{key}: must be >= 0, got '{g.attrs[key][0]}'", g.attrs[key][1])
        return x

    def cap_range(self, g: LGroup, key: str, old: tuple[float, float] | None) -> tuple[float, float] | None:
        """``key (lo, hi)`` of a pin group in pF (the first one, as OpenSTA), else ``old``."""
        at = next(((raw, pos) for cname, raw, pos in g.cattrs if cname == key), None)
        if at is None:
            return old
        vals = [_float(x.strip(), self.src, at[1], key) * self.u.cap
                for x in at[0].translate(_NUM_CLEAN).split(",") if x.strip()]
        if len(vals) != 2:
            raise self.err(f"{key}: two values (min, max) expected, got {len(vals)}", at[1])
        if min(vals) < 0 or vals[0] > vals[1]:
            raise self.err(f"{key}: 0 <= min <= max expected, got ({at[0].strip()})", at[1])
        return vals[0], vals[1]

    def axis(self, raw: str, variable: str, pos: int | None, what: str) -> np.ndarray:
        """Index axis in canonical units; identical axes share one read-only array."""
        key = (raw, variable)
        a = self._axis_cache.get(key)
        if a is None:
            a = np.array(_floats(raw, self.src, pos, what), dtype=np.float64) * _axis_scale(variable, self.u)
            if not np.isfinite(a).all():
                raise self.err(f"{what}: a finite number is expected, got '{raw.strip()}'", pos)
            if a.size > 1 and not (np.diff(a) > 0).all():
                raise self.err(f"{what}: index values must increase strictly, got '{raw.strip()}'", pos)
            a.flags.writeable = False
            self._axis_cache[key] = a
        return a

    # -- library level
    def build(self) -> Library:
        lib, out, u = self.lib, self.out, self.u
        out.nom_voltage = self.num(lib, "nom_voltage", u.volt)
        out.nom_temperature = self.num(lib, "nom_temperature")
        out.nom_process = self.num(lib, "nom_process")
        out.default_max_transition = self.num(lib, "default_max_transition", u.time)
        for key in (
            "slew_derate_from_library",
            "slew_lower_threshold_pct_rise",
            "slew_upper_threshold_pct_rise",
            "slew_lower_threshold_pct_fall",
            "slew_upper_threshold_pct_fall",
            "input_threshold_pct_rise",
            "input_threshold_pct_fall",
            "output_threshold_pct_rise",
            "output_threshold_pct_fall",
        ):
            v = self.num(lib, key)
            if v is not None:
                setattr(out, key, v)
        dwl = lib.attrs.get("default_wire_load")
        out.default_wire_load = dwl[0] if dwl else None
        doc = lib.attrs.get("default_operating_conditions")
        out.default_operating_conditions = doc[0] if doc else None
        for name, raw, pos in lib.cattrs:
            if name == "voltage_map":
                a = split_args(raw)
                if len(a) != 2:
                    raise self.err("voltage_map needs (name, voltage)", pos)
                out.voltage_map[a[0]] = _float(a[1], self.src, pos, "voltage_map") * u.volt
        # templates first: tables refer to them
        for g in lib.groups:
            if g.name in ("lu_table_template", "power_lut_template"):
                self.template(g)
            elif g.name == "type":
                self.bus_type(g, self.types)
        for g in lib.groups:
            n = g.name
            if n == "cell":
                c = self.cell(g)
                if c is not None:
                    if c.name in out.cells:
                        warn(f"cell '{c.name}' defined twice; the last one is kept", self.path, self.src.line(g.pos))
                    out.cells[c.name] = c
            elif n == "operating_conditions":
                name = g.args[0] if g.args else ""
                out.operating_conditions[name] = OperatingConditions(
                    name=name,
                    process=self.num(g, "process"),
                    voltage=self.num(g, "voltage", u.volt),
                    temperature=self.num(g, "temperature"),
                )
            elif n == "wire_load":
                self.wire_load(g)
        if out.nom_voltage is None and out.default_operating_conditions in out.operating_conditions:
            out.nom_voltage = out.operating_conditions[out.default_operating_conditions].voltage
        out.templates = self.templates
        return out

    def template(self, g: LGroup) -> None:
        name = g.args[0] if g.args else ""
        variables = []
        for k in ("variable_1", "variable_2", "variable_3"):
            v = g.attrs.get(k)
            if v is not None:
                variables.append(v[0])
        idx: dict[int, np.ndarray] = {}
        for cname, raw, pos in g.cattrs:
            if cname.startswith("index_") and cname[6:].isdigit():
                i = int(cname[6:]) - 1
                if i >= len(variables):
                    raise self.err(f"template '{name}': {cname} without variable_{i + 1}", pos)
                idx[i] = self.axis(raw, variables[i], pos, cname)
        self.templates[name] = TableTemplate(
            name=name,
            kind=g.name,
            variables=tuple(variables),
            indices=tuple(idx.get(i) for i in range(len(variables))),
        )

    def bus_type(self, g: LGroup, into: dict[str, tuple[int, int]]) -> None:
        """A ``type`` group: ``(bit_from, bit_to)`` of the bus type it names."""
        name = g.args[0] if g.args else ""
        width = self.num(g, "bit_width")
        bf, bt = self.num(g, "bit_from"), self.num(g, "bit_to")
        if bf is None or bt is None:
            if width is None or width < 1:
                raise self.err(f"type '{name}': needs bit_from/bit_to or a positive bit_width", g.pos)
            down = g.attrs.get("downto", ("true", None))[0].lower() != "false"
            bf, bt = (width - 1, 0) if down else (0, width - 1)
        if width is not None and int(width) != abs(int(bf) - int(bt)) + 1:
            raise self.err(f"type '{name}': bit_width {int(width)} does not match bit_from {int(bf)} / "
                           f"bit_to {int(bt)}", g.pos)
        into[name] = (int(bf), int(bt))

    def wire_load(self, g: LGroup) -> None:
        u = self.u
        name = g.args[0] if g.args else ""
        wl = WireLoad(
            name=name,
            capacitance=(self.num_nonneg(g, "capacitance", u.cap) or 0.0),
            resistance=(self.num_nonneg(g, "resistance", u.res) or 0.0),
            slope=(self.num(g, "slope") or 0.0),
        )
        wl.area = self.num(g, "area") or 0.0
        for cname, raw, pos in g.cattrs:
            if cname == "fanout_length":
                a = split_args(raw)
                if len(a) < 2:
                    raise self.err("fanout_length needs (fanout, length)", pos)
                try:
                    fo, ln = float(a[0]), float(a[1])
                    if not (math.isfinite(fo) and math.isfinite(ln) and fo >= 0 and ln >= 0):
                        raise ValueError
                    wl.fanout_length[int(fo)] = ln
                except ValueError:
                    raise self.err(f"bad number in fanout_length({raw.strip()})", pos) from None
        self.out.wire_loads[name] = wl

    # -- tables
    def table(self, g: LGroup, value_scale: float) -> Table:
        tname = g.args[0] if g.args else "scalar"
        tpl = self.templates.get(tname)
        if tpl is None and tname != "scalar":
            raise self.err(f"table '{g.name}' uses undefined template '{tname}'", g.pos)
        variables = tpl.variables if tpl is not None else ()
        indices = list(tpl.indices) if tpl is not None else []
        raw_values = None
        vpos = g.pos
        for cname, raw, pos in g.cattrs:
            if cname == "values":
                raw_values, vpos = raw, pos
            elif cname.startswith("index_") and cname[6:].isdigit():
                i = int(cname[6:]) - 1
                if i >= len(variables):
                    raise self.err(f"{g.name}: {cname} but template '{tname}' has {len(variables)} variable(s)", pos)
                indices[i] = self.axis(raw, variables[i], pos, cname)
        if raw_values is None:
            raise self.err(f"table '{g.name}' has no values", g.pos)
        vals = _floats(raw_values, self.src, vpos, f"{g.name} values")
        for i, ix in enumerate(indices):
            if ix is None:
                raise self.err(f"{g.name}: no index_{i + 1} (template '{tname}')", g.pos)
        shape = tuple(len(ix) for ix in indices)
        if not shape and len(vals) == 1:
            if not math.isfinite(vals[0]):
                raise self.err(f"{g.name} values: a finite number is expected, got '{vals[0]}'", vpos)
            arr = np.array(vals[0] * value_scale, dtype=np.float64)
        else:
            n = 1
            for s in shape:
                n *= s
            if n != len(vals):
                raise self.err(
                    f"{g.name}: {len(vals)} values for a table of shape {shape} (template '{tname}')", vpos
                )
            if not math.isfinite(sum(vals)):   # cheap test first: any NaN/inf makes the sum non-finite
                bad = next((x for x in vals if not math.isfinite(x)), None)
                if bad is not None:
                    raise self.err(f"{g.name} values: a finite number is expected, got '{bad}'", vpos)
            arr = np.array(vals, dtype=np.float64).reshape(shape)
            if value_scale != 1.0:
                arr *= value_scale
        return Table(variables=variables, indices=tuple(indices), values=arr)

    # -- cells
    def cell(self, g: LGroup) -> Cell | None:
        src, u = self.src, self.u
        name = g.args[0] if g.args else ""
        c = Cell(name=name, library=self.out.name)
        types = self.types
        if any(s.name == "type" for s in g.groups):
            types = dict(types)
            for s in g.groups:
                if s.name == "type":
                    self.bus_type(s, types)
        c.area = self.num_nonneg(g, "area") or 0.0
        fp = g.attrs.get("cell_footprint")
        c.footprint = fp[0] if fp else None
        du = g.attrs.get("dont_use")
        c.dont_use = du is not None and du[0].lower() == "true"
        c.is_clock_gate = "clock_gating_integrated_cell" in g.attrs
        c.cell_leakage_power = self.num_nonneg(g, "cell_leakage_power", u.leak)
        for s in g.groups:
            n = s.name
            if n == "pin":
                for p in self.pins(s):
                    c.pins[p.name] = p
            elif n in ("bus", "bundle"):
                bus, bits = self.bus(s, types, name)
                c.buses[bus.name] = bus
                for p in bits:
                    c.pins[p.name] = p
            elif n == "pg_pin":
                pt = s.attrs.get("pg_type")
                vn = s.attrs.get("voltage_name")
                pname = s.args[0] if s.args else ""
                c.pg_pins[pname] = PgPin(name=pname, pg_type=pt[0] if pt else None, voltage_name=vn[0] if vn else None)
            elif n == "leakage_power":
                v = self.num_nonneg(s, "value", u.leak)
                if v is None:
                    raise self.err(f"cell '{name}': leakage_power without value", s.pos)
                w = s.attrs.get("when")
                rp = s.attrs.get("related_pg_pin")
                c.leakage.append(LeakageState(value=v, when=w[0] if w else None, related_pg_pin=rp[0] if rp else None))
            elif n in ("ff", "latch"):
                c.sequential = self.sequential(s)
        if c.cell_leakage_power is None and c.leakage:
            c.cell_leakage_power = derive_cell_leakage(c.leakage)
            c.leakage_derived = True
        if c.buses:
            _relate_bus_arcs(c, self._cross, self.path)
        return c

    def bus(self, g: LGroup, types: dict[str, tuple[int, int]], cell: str) -> tuple[Bus, list[Pin]]:
        """A ``bus``/``bundle`` group: its :class:`Bus` and one pin per bit (MSB first)."""
        name = g.args[0] if g.args else ""
        if g.name == "bus":
            bt = g.attrs.get("bus_type")
            if bt is None:
                raise self.err(f"cell '{cell}': bus '{name}' has no bus_type", g.pos)
            rng = types.get(bt[0])
            if rng is None:
                raise self.err(f"cell '{cell}': bus '{name}': undefined bus_type '{bt[0]}'", bt[1])
            step = -1 if rng[0] > rng[1] else 1
            members = [f"{name}[{i}]" for i in range(rng[0], rng[1] + step, step)]
            bus = Bus(name, members, rng[0], rng[1], "bus")
        else:
            mem = [raw for cname, raw, _ in g.cattrs if cname == "members"]
            members = [m for m in split_args(mem[0])] if mem else []
            if not members:
                raise self.err(f"cell '{cell}': bundle '{name}' has no members", g.pos)
            bus = Bus(name, members, None, None, "bundle")
        d = g.attrs.get("direction")
        bits = {p.name: p for p in self.pins(g, names=members, default_direction=d[0] if d else None)}
        for s in g.groups:
            if s.name != "pin":
                continue
            names = [x for a in s.args for x in _bit_names(a, name)]
            bad = [x for x in names if x not in bits]
            if bad:
                raise self.err(f"cell '{cell}': pin '{bad[0]}' is not a bit of {g.name} '{name}'", s.pos)
            for p in self.pins(s, names=names, default_direction=d[0] if d else None, inherit=bits[names[0]]):
                bits[p.name] = p
        return bus, list(bits.values())

    def sequential(self, s: LGroup) -> Sequential:
        a = s.args + ["", ""]

        def at(k: str) -> str | None:
            v = s.attrs.get(k)
            return v[0] if v else None

        return Sequential(
            kind=s.name,
            iq=a[0],
            iqn=a[1],
            clocked_on=at("clocked_on"),
            next_state=at("next_state"),
            enable=at("enable"),
            data_in=at("data_in"),
            clear=at("clear"),
            preset=at("preset"),
        )

    def pins(self, g: LGroup, names: list[str] | None = None, default_direction: str | None = None,
             inherit: Pin | None = None) -> list[Pin]:
        """Pins of a ``pin`` group (one per name; ``names`` overrides the group's
        arguments). ``inherit``: a bit pin of the enclosing bus whose values stand
        where the group gives none (its arcs are kept when the group has none)."""
        u = self.u

        def at(k: str) -> str | None:
            v = g.attrs.get(k)
            return v[0] if v else None

        def num0(k: str, scale: float, old):
            """A non-negative attribute (capacitance, transition), else the inherited value."""
            v = self.num_nonneg(g, k, scale)
            return old if v is None else v

        d = at("direction") or default_direction
        if d is None:
            raise self.err(f"pin '{','.join(g.args)}' has no direction", g.pos)
        if d not in ("input", "output", "inout", "internal"):
            dpos = g.attrs["direction"][1] if "direction" in g.attrs else g.pos
            raise self.err(f"pin '{','.join(g.args)}': bad direction '{d}'", dpos)
        old = inherit or Pin(name="", direction=d)
        clk = at("clock")
        base = Pin(
            name="",
            direction=d,
            capacitance=num0("capacitance", u.cap, old.capacitance) or 0.0,
            rise_capacitance=num0("rise_capacitance", u.cap, old.rise_capacitance),
            fall_capacitance=num0("fall_capacitance", u.cap, old.fall_capacitance),
            rise_capacitance_range=self.cap_range(g, "rise_capacitance_range", old.rise_capacitance_range),
            fall_capacitance_range=self.cap_range(g, "fall_capacitance_range", old.fall_capacitance_range),
            max_capacitance=num0("max_capacitance", u.cap, old.max_capacitance),
            max_transition=num0("max_transition", u.time, old.max_transition),
            function=at("function") or old.function,
            three_state=at("three_state") or old.three_state,
            is_clock=clk.lower() == "true" if clk is not None else old.is_clock,
        )
        base.related_power_pin = at("related_power_pin") or old.related_power_pin
        base.related_ground_pin = at("related_ground_pin") or old.related_ground_pin
        for s in g.groups:
            if s.name == "timing":
                base.timing.extend(self.timing(s))
            elif s.name == "internal_power":
                base.internal_power.append(self.internal_power(s))
        if inherit is not None:
            base.timing = base.timing or list(inherit.timing)
            base.internal_power = base.internal_power or list(inherit.internal_power)
        names = names or g.args or [""]
        if len(names) == 1:
            base.name = names[0]
            return [base]
        out = []
        for n in names:
            p = Pin(**{k: getattr(base, k) for k in base.__dataclass_fields__})
            p.name = n
            p.timing = list(base.timing)
            p.internal_power = list(base.internal_power)
            out.append(p)
        return out

    def timing(self, g: LGroup) -> list[TimingArc]:
        t = self.u.time
        rbp = g.attrs.get("related_bus_pins")
        rp = g.attrs.get("related_pin") or rbp
        if rp is None:
            raise self.err("timing group without related_pin", g.pos)
        related = rp[0].split()
        if not related:
            raise self.err("timing group with an empty related_pin", rp[1])
        tt = g.attrs.get("timing_type")
        ts = g.attrs.get("timing_sense")
        w = g.attrs.get("when")
        tables: dict[str, Table] = {}
        for s in g.groups:
            if s.name in ("cell_rise", "cell_fall", "rise_transition", "fall_transition", "rise_constraint", "fall_constraint"):
                tables[s.name] = self.table(s, t)
        arcs = []
        for r in related:
            a = TimingArc(
                related_pin=r,
                timing_type=tt[0] if tt else "combinational",
                timing_sense=ts[0] if ts else "non_unate",
                when=w[0] if w else None,
                **tables,
            )
            arcs.append(a)
            if rp is rbp:
                self._cross.add(id(a))
        return arcs

    def internal_power(self, g: LGroup) -> InternalPower:
        e = self.u.energy
        rp = g.attrs.get("related_pin")
        w = g.attrs.get("when")
        pg = g.attrs.get("related_pg_pin")
        ip = InternalPower(
            related_pin=rp[0] if rp else None,
            when=w[0] if w else None,
            related_pg_pin=pg[0] if pg else None,
        )
        for s in g.groups:
            if s.name in ("rise_power", "fall_power", "power"):
                setattr(ip, s.name, self.table(s, e))
        return ip


_BIT_RANGE = re.compile(r"^(.*)\[(\d+)(?::(\d+))?\]$")


def _bit_names(arg: str, bus: str) -> list[str]:
    """``A[3]`` -> [``A[3]``]; ``A[0:2]`` -> [``A[0]``, ``A[1]``, ``A[2]``]; a bare index ``3`` -> ``bus[3]``."""
    a = arg.strip()
    if a.isdigit():
        return [f"{bus}[{a}]"]
    m = _BIT_RANGE.match(a)
    if m is None or m.group(3) is None:
        return [a]
    lo, hi = int(m.group(2)), int(m.group(3))
    step = 1 if hi >= lo else -1
    return [f"{m.group(1)}[{i}]" for i in range(lo, hi + step, step)]


def _relate_bus_arcs(c: Cell, cross: set[int], path: str) -> None:
    """Arcs whose related pin names a bus, as OpenSTA builds them: ``related_pin`` bus to a
    bus pin pairs bits one to one (buses of different widths are aligned at their last
    members, with a warning), ``related_bus_pins`` (arc ids in ``cross``) relate every bit;
    a bus related to a one-bit pin relates each of its bits."""
    bus_of = {m: (b, k) for b in c.buses.values() for k, m in enumerate(b.members)}
    warned: set[tuple[str, str]] = set()
    for p in c.pins.values():
        own = bus_of.get(p.name)

        def targets(rel: str, all_bits: bool) -> list[str]:
            rb = c.buses.get(rel)
            if rb is None:
                return [rel]
            if own is None or all_bits:
                return list(rb.members)
            ob, k = own
            if ob.width != rb.width and (ob.name, rb.name) not in warned:
                warned.add((ob.name, rb.name))
                warn(f"cell '{c.name}': timing of {ob.name} related to {rb.name} of a different width: bits paired "
                     "from the last", path)
            j = k - (ob.width - min(ob.width, rb.width))    # position among the paired (last) members
            return [rb.members[rb.width - min(ob.width, rb.width) + j]] if j >= 0 else []

        if any(a.related_pin in c.buses for a in p.timing):
            p.timing = [replace(a, related_pin=t) for a in p.timing for t in targets(a.related_pin, id(a) in cross)]
        if any(ip.related_pin in c.buses for ip in p.internal_power):
            p.internal_power = [replace(ip, related_pin=t) for ip in p.internal_power
                                for t in (targets(ip.related_pin, True) if ip.related_pin else [None])]


def derive_cell_leakage(states: list[LeakageState]) -> float:
    """Cell leakage (uW) from state-dependent groups when ``cell_leakage_power`` is absent.

    Values sharing a ``when`` (one per pg pin) are summed per state; the result is the
    mean over the distinct ``when`` states (equiprobable states). Unconditional groups
    (the state-independent default) are used, summed, only when no ``when`` group exists.
    """
    uncond = 0.0
    per_state: dict[str, float] = {}
    for s in states:
        if s.when is None:
            uncond += s.value
        else:
            per_state[s.when] = per_state.get(s.when, 0.0) + s.value
    if not per_state:
        return uncond
    return sum(per_state.values()) / len(per_state)


# --------------------------------------------------------------------------- entry points


def build_library(top: LGroup, src: SourceText, path: str) -> Library:
    """Typed :class:`Library` from a parsed tree (either parser)."""
    return _Builder(top, src, path).build()


def cache_path(path: str | Path, data: bytes | None = None) -> Path:
    """Cache file of a Liberty file: sha256 of its content AFTER decompression (so a
    file gives the same entry gzipped or not, whatever its name) plus FORMAT_VERSION.
    ``data``: the decompressed content when already read."""
    if data is None:
        data = fileio.read_bytes(path)
    return fileio.cache_dir() / "liberty" / f"{fileio.content_digest(data, FORMAT_VERSION)}.pickle"


def _load_cache(cp: Path) -> Library | None:
    try:
        with open(cp, "rb") as f:
            obj = pickle.load(f)
    except FileNotFoundError:
        return None
    except Exception as e:  # noqa: BLE001 - a corrupt cache is ignored, never fatal
        debug(f"liberty cache {cp} unreadable ({type(e).__name__}); re-reading")
        return None
    if not (isinstance(obj, tuple) and len(obj) == 3 and obj[0] == _MAGIC and obj[1] == FORMAT_VERSION
            and isinstance(obj[2], Library)):
        debug(f"liberty cache {cp} has a foreign format; re-reading")
        return None
    return obj[2]


def _store_cache(cp: Path, lib: Library) -> None:
    try:
        with fileio.atomic_write(cp, "wb") as f:
            pickle.dump((_MAGIC, FORMAT_VERSION, lib), f, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError as e:
        debug(f"liberty cache {cp} not written: {e}")


def read_liberty(path: str | Path, *, use_cache: bool = True, parser: str = "fast") -> Library:
    """Read a Liberty file (``.lib`` or ``.lib.gz``) into a :class:`Library` in canonical units.

    ``parser``: ``"fast"`` (default, the built-in statement scanner) or
    ``"liberty-parser"`` (PyPI liberty-parser; slow, reference path). Both give
    identical models.

    With ``use_cache`` the model is pickled under ``fileio.cache_dir()/liberty``,
    keyed by the sha256 of the decompressed content plus :data:`FORMAT_VERSION`; a later read of
    the same content loads the pickle. Writes are atomic; an unreadable or foreign
    cache file is ignored and overwritten. ``Library.path`` is always the path given.

    Malformed input raises :class:`InputError` with the file and line.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", p)
    # The model is hundreds of thousands of small objects; the cyclic GC would rescan
    # them again and again while they are built (about 30 % of the time). None of
    # them form reference cycles that need collecting during the read.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _read(p, use_cache, parser)
    finally:
        if was_enabled:
            gc.enable()


def _read(p: Path, use_cache: bool, parser: str) -> Library:
    spath = str(p)
    cp = None
    data = fileio.read_bytes(p)   # gzip detected by content, never by the name
    if use_cache:
        cp = cache_path(p, data)
        lib = _load_cache(cp)
        if lib is not None:
            lib.path = spath
            return lib
    text = fileio.decode_text(data)
    del data
    src = SourceText(spath, text)
    if parser == "fast":
        top = parse_fast(text, src)
    elif parser == "liberty-parser":
        top = parse_with_liberty_parser(text, src)
    else:
        raise ValueError(f"unknown parser {parser!r}")
    lib = build_library(top, src, spath)
    if cp is not None:
        _store_cache(cp, lib)
    return lib

