"""Typed in-memory model of a Liberty library (the contract every analysis uses).

All values are in the canonical units of :mod:`finevh.units`: time ns,
capacitance pF, resistance kOhm, voltage V, leakage power uW, internal-power
table values pJ (energy per transition), area um^2. Readers convert once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Table:
    """An NLDM-style look-up table.

    ``variables`` names each axis as in Liberty (e.g. ``input_net_transition``,
    ``total_output_net_capacitance``, ``related_pin_transition``,
    ``constrained_pin_transition``); ``indices`` holds one float64 array per axis;
    ``values`` has shape ``tuple(len(ix) for ix in indices)`` (shape ``()`` for a scalar).
    """

    variables: tuple[str, ...]
    indices: tuple[np.ndarray, ...]
    values: np.ndarray


@dataclass
class TimingArc:
    """One ``timing()`` group of an output (or constrained) pin, for ONE related pin."""

    related_pin: str
    timing_type: str = "combinational"   # combinational, rising_edge, falling_edge, setup_rising, hold_rising, ...
    timing_sense: str = "non_unate"      # positive_unate, negative_unate, non_unate
    when: str | None = None
    cell_rise: Table | None = None
    cell_fall: Table | None = None
    rise_transition: Table | None = None
    fall_transition: Table | None = None
    rise_constraint: Table | None = None
    fall_constraint: Table | None = None


@dataclass
class InternalPower:
    """One ``internal_power()`` group. Tables hold energy per transition in pJ."""

    related_pin: str | None = None
    when: str | None = None
    related_pg_pin: str | None = None
    rise_power: Table | None = None
    fall_power: Table | None = None
    power: Table | None = None          # single ``power`` table (some libraries, input pins)


@dataclass
class LeakageState:
    """A state-dependent ``leakage_power()`` group: ``value`` in uW when ``when`` holds
    (``when`` None = unconditional)."""

    value: float
    when: str | None = None
    related_pg_pin: str | None = None


@dataclass
class Pin:
    name: str
    direction: str                        # input, output, inout, internal
    capacitance: float = 0.0              # pF
    rise_capacitance: float | None = None
    fall_capacitance: float | None = None
    #: ``rise_capacitance_range (lo, hi)`` / ``fall_capacitance_range``, pF: OpenSTA
    #: loads min (hold) analysis with ``lo`` and max analysis with ``hi``
    rise_capacitance_range: tuple[float, float] | None = None
    fall_capacitance_range: tuple[float, float] | None = None
    max_capacitance: float | None = None  # pF
    max_transition: float | None = None   # ns
    function: str | None = None           # Liberty boolean expression
    three_state: str | None = None
    is_clock: bool = False
    timing: list[TimingArc] = field(default_factory=list)
    internal_power: list[InternalPower] = field(default_factory=list)
    related_power_pin: str | None = None  # pg pin name (multi-supply cells)
    related_ground_pin: str | None = None


@dataclass
class Sequential:
    """``ff()`` or ``latch()`` group."""

    kind: str                              # "ff" or "latch"
    iq: str
    iqn: str
    clocked_on: str | None = None          # ff
    next_state: str | None = None          # ff
    enable: str | None = None              # latch
    data_in: str | None = None             # latch
    clear: str | None = None
    preset: str | None = None


@dataclass
class PgPin:
    name: str
    pg_type: str | None = None             # primary_power, primary_ground, nwell, pwell, ...
    voltage_name: str | None = None


@dataclass
class Bus:
    """A Liberty ``bus`` (or ``bundle``) pin group, expanded into one :class:`Pin` per bit.

    ``members`` are the bit pins' names in :attr:`Cell.pins`, MSB first: for a bus
    ``A`` of type ``bit_from : 7; bit_to : 0`` they are ``A[7] .. A[0]``; for a bundle,
    its ``members(...)`` in the order written. A Verilog connection ``.A({x, y, ..})``
    binds its first bit to ``members[0]``.
    """

    name: str
    members: list[str]
    bit_from: int | None = None            # None for a bundle
    bit_to: int | None = None
    kind: str = "bus"                      # "bus" or "bundle"

    @property
    def width(self) -> int:
        return len(self.members)

    def member_at(self, position: int) -> str | None:
        """Pin of bit ``position`` counted from the LSB (0 = the last member), None when out of range."""
        k = len(self.members) - 1 - position
        return self.members[k] if 0 <= k < len(self.members) else None


#: pg_type values of a cell's main supply pins
POWER_PG_TYPES = ("primary_power",)
GROUND_PG_TYPES = ("primary_ground",)


@dataclass
class Cell:
    name: str
    library: str                           # owning Library.name
    area: float = 0.0                      # um^2
    footprint: str | None = None
    pins: dict[str, Pin] = field(default_factory=dict)       # in file order
    pg_pins: dict[str, PgPin] = field(default_factory=dict)
    leakage: list[LeakageState] = field(default_factory=list)
    cell_leakage_power: float | None = None  # uW as given in the file
    leakage_derived: bool = False            # True when cell_leakage_power was derived (see reader docs)
    sequential: Sequential | None = None
    dont_use: bool = False
    is_clock_gate: bool = False
    buses: dict[str, Bus] = field(default_factory=dict)      # bus/bundle name -> its bit pins
    black_box: bool = False      # no Liberty cell: no arcs, no power; pins neither drive nor load
    physical_only: bool = False  # LEF CORE SPACER/WELLTAP/ANTENNACELL, ENDCAP, or no signal pin

    def __repr__(self) -> str:  # short: the full dataclass repr prints every table
        return f"Cell(name={self.name!r}, library={self.library!r}, area={self.area!r}, pins={list(self.pins)!r})"

    def input_pins(self) -> list[Pin]:
        return [p for p in self.pins.values() if p.direction in ("input", "inout")]

    def output_pins(self) -> list[Pin]:
        return [p for p in self.pins.values() if p.direction in ("output", "inout")]

    def power_pins(self) -> list[str]:
        """Names of the ``pg_pin`` groups with ``pg_type : primary_power``, in file order."""
        return [p.name for p in self.pg_pins.values() if p.pg_type in POWER_PG_TYPES]

    def ground_pins(self) -> list[str]:
        """Names of the ``pg_pin`` groups with ``pg_type : primary_ground``, in file order."""
        return [p.name for p in self.pg_pins.values() if p.pg_type in GROUND_PG_TYPES]


@dataclass
class WireLoad:
    """``wire_load()`` model: lengths (um) per fanout, per-length R (kOhm/um) and C (pF/um)."""

    name: str
    capacitance: float = 0.0
    resistance: float = 0.0
    slope: float = 0.0
    fanout_length: dict[int, float] = field(default_factory=dict)
    area: float = 0.0                      # area per unit length, as written


@dataclass
class OperatingConditions:
    """``operating_conditions()`` group (voltage in V, temperature in C)."""

    name: str
    process: float | None = None
    voltage: float | None = None
    temperature: float | None = None


@dataclass
class TableTemplate:
    """``lu_table_template`` / ``power_lut_template``: axis variables and default
    indices (canonical units; an axis is None when the template gives no default)."""

    name: str
    kind: str                              # lu_table_template or power_lut_template
    variables: tuple[str, ...]
    indices: tuple[np.ndarray | None, ...]


@dataclass
class Library:
    name: str
    path: str
    nom_voltage: float | None = None       # V
    nom_temperature: float | None = None   # C
    nom_process: float | None = None
    cells: dict[str, Cell] = field(default_factory=dict)
    voltage_map: dict[str, float] = field(default_factory=dict)
    wire_loads: dict[str, WireLoad] = field(default_factory=dict)
    default_wire_load: str | None = None
    default_max_transition: float | None = None   # ns
    slew_derate_from_library: float = 1.0
    slew_lower_threshold_pct_rise: float = 20.0
    slew_upper_threshold_pct_rise: float = 80.0
    slew_lower_threshold_pct_fall: float = 20.0
    slew_upper_threshold_pct_fall: float = 80.0
    input_threshold_pct_rise: float = 50.0
    input_threshold_pct_fall: float = 50.0
    output_threshold_pct_rise: float = 50.0
    output_threshold_pct_fall: float = 50.0
    # Original units of the file, for reports and writers (e.g. "1ns", "1pf", "1nW").
    time_unit: str = "1ns"
    capacitive_load_unit: str = "1pf"
    leakage_power_unit: str = "1nW"
    voltage_unit: str = "1V"
    current_unit: str = "1mA"
    pulling_resistance_unit: str = "1kohm"
    operating_conditions: dict[str, OperatingConditions] = field(default_factory=dict)
    default_operating_conditions: str | None = None
    templates: dict[str, TableTemplate] = field(default_factory=dict)
    # Filled by the library set, not by the reader:
    voltage: float | None = None           # supply this library is characterised at (V)
    flavour: str | None = None             # threshold / poly-bias flavour tag, e.g. PB0, R, L, SL

    def __repr__(self) -> str:  # short: the full dataclass repr prints every table
        return (f"Library(name={self.name!r}, path={self.path!r}, cells={len(self.cells)}, "
                f"nom_voltage={self.nom_voltage!r}, voltage={self.voltage!r}, flavour={self.flavour!r})")
