"""The constraint model an SDC file is read into (:func:`finevh.constraints.read_sdc`).

Times are ns, capacitances pF. Design objects are tagged strings: ``port:NAME``,
``pin:INST/PIN``, ``cell:INST`` (an instance), ``net:NAME``, ``clock:NAME``,
``lib_cell:NAME``; port delays, loads and driving cells are keyed by the plain port name.
Every record keeps the ``line`` (and for records that may come from a ``source``d file,
the ``file``) of the command that made it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Clock", "GeneratedClock", "PortDelay", "DrivingCell", "PathException", "ClockGroups",
           "GroupPath", "TimingDerate", "DisableTiming", "CaseAnalysis", "Constraints"]


@dataclass
class Clock:
    name: str
    period: float                        # ns
    waveform: tuple[float, ...]          # rise, fall, ... edges, ns
    sources: list[str]                   # tagged objects (port:clk, pin:u1/Y); empty = virtual
    line: int = 0
    uncertainty_setup: float | None = None   # ns
    uncertainty_hold: float | None = None    # ns
    transition: float | None = None          # ns (set_clock_transition)
    latency: float | None = None             # ns (set_clock_latency, network)
    source_latency: float | None = None      # ns (set_clock_latency -source)
    propagated: bool = False

    @property
    def virtual(self) -> bool:
        return not self.sources

    @property
    def frequency_mhz(self) -> float:
        return 1e3 / self.period


@dataclass
class GeneratedClock:
    name: str
    source: str                          # master pin/port (tagged)
    targets: list[str]
    master: str | None
    divide_by: int = 1
    multiply_by: int = 1
    invert: bool = False
    line: int = 0


@dataclass
class PortDelay:
    port: str                            # port name
    clock: str | None                    # clock name (None: no -clock)
    delay: float                         # ns
    clock_fall: bool = False
    min: bool = True                     # applies to min (hold) analysis
    max: bool = True                     # applies to max (setup) analysis
    rise: bool = True
    fall: bool = True
    add_delay: bool = False
    line: int = 0


@dataclass(frozen=True)
class WireLoadChoice:
    """``set_wire_load_model -name NAME [-library LIB]``: the Liberty wire-load model the
    whole design's nets use (OpenSTA 3.x applies none unless this is given)."""

    name: str
    library: str | None = None
    file: str = ""
    line: int = 0


@dataclass
class DrivingCell:
    lib_cell: str
    pin: str | None = None
    from_pin: str | None = None
    library: str | None = None
    line: int = 0


@dataclass
class PathException:
    """``set_false_path`` / ``set_max_delay`` / ``set_min_delay`` / ``set_multicycle_path``.

    ``from_``/``to``: clocks, cells, ports, pins; ``through``: one list per ``-through``
    (cells, ports, pins, nets). ``*_rf`` is ``rise``, ``fall`` or ``rise_fall`` (from
    ``-rise_from``/``-fall_from`` etc.); ``end_rf`` from ``-rise``/``-fall``.
    """

    kind: str                            # false | max_delay | min_delay | multicycle
    value: float | None                  # ns for max/min delay, cycles for multicycle
    from_: list[str] = field(default_factory=list)
    through: list[list[str]] = field(default_factory=list)
    to: list[str] = field(default_factory=list)
    setup: bool = True
    hold: bool = True
    line: int = 0
    from_rf: str = "rise_fall"
    through_rf: list[str] = field(default_factory=list)
    to_rf: str = "rise_fall"
    end_rf: str = "rise_fall"
    start: bool = False                  # multicycle -start (launch clock cycles)
    end: bool = False                    # multicycle -end
    ignore_clock_latency: bool = False   # max/min delay
    reset_path: bool = False
    comment: str | None = None
    file: str = ""


@dataclass
class ClockGroups:
    kind: str                            # asynchronous | logically_exclusive | physically_exclusive
    groups: list[list[str]]              # clock names
    line: int = 0
    name: str | None = None
    allow_paths: bool = False
    file: str = ""


@dataclass
class GroupPath:
    """``group_path``: reporting only, no effect on slack."""

    name: str | None                     # None with -default
    from_: list[str] = field(default_factory=list)
    through: list[list[str]] = field(default_factory=list)
    to: list[str] = field(default_factory=list)
    weight: float | None = None
    line: int = 0
    file: str = ""


@dataclass
class TimingDerate:
    """``set_timing_derate``: a delay multiplier. ``objects`` empty = the whole design."""

    value: float
    early_late: str                      # early | late | both
    rise_fall: str = "rise_fall"
    clock_data: str = "both"             # clock | data | both
    kind: str = "delay"                  # delay (cell and net) | cell_delay | net_delay | cell_check
    objects: list[str] = field(default_factory=list)   # lib_cell:/cell:/net:
    line: int = 0
    file: str = ""


@dataclass
class DisableTiming:
    """``set_disable_timing``: arcs of ``objects`` (lib cells, cells, ports, pins),
    optionally only from pin ``from_pin`` / to pin ``to_pin`` of the cells."""

    objects: list[str]
    from_pin: str | None = None
    to_pin: str | None = None
    line: int = 0
    file: str = ""


@dataclass
class CaseAnalysis:
    """``set_case_analysis``: ``value`` is 0, 1, rising or falling."""

    value: str
    objects: list[str]                   # port:/pin:
    line: int = 0
    file: str = ""


@dataclass
class ClockGatingCheck:
    """``set_clock_gating_check``: margins (ns, None where not given) of the clock-gating
    setup / hold checks for rising and/or falling enables; ``objects`` (clocks, cells,
    pins; empty = the design); ``active``: ``-high`` "1", ``-low`` "0", or None."""

    setup: float | None
    hold: float | None
    objects: list[str] = field(default_factory=list)
    rise: bool = True
    fall: bool = True
    active: str | None = None
    line: int = 0
    file: str = ""


@dataclass
class Constraints:
    source: str = ""
    design: str | None = None
    clocks: dict[str, Clock] = field(default_factory=dict)
    generated_clocks: dict[str, GeneratedClock] = field(default_factory=dict)
    input_delays: list[PortDelay] = field(default_factory=list)
    output_delays: list[PortDelay] = field(default_factory=list)
    loads: dict[str, float] = field(default_factory=dict)          # port -> pin load, pF
    wire_loads: dict[str, float] = field(default_factory=dict)     # port -> wire load, pF
    wire_load_model: WireLoadChoice | None = None                  # set_wire_load_model
    driving_cells: dict[str, DrivingCell] = field(default_factory=dict)
    input_transitions: dict[str, float] = field(default_factory=dict)   # port -> ns
    exceptions: list[PathException] = field(default_factory=list)
    clock_groups: list[ClockGroups] = field(default_factory=list)
    inter_clock_uncertainty: list[tuple[str, str, float, bool, bool]] = field(default_factory=list)
    limits: dict[str, list[tuple[float, str]]] = field(default_factory=dict)  # max_fanout/..: (value, object)
    group_paths: list[GroupPath] = field(default_factory=list)
    derates: list[TimingDerate] = field(default_factory=list)
    disabled: list[DisableTiming] = field(default_factory=list)
    case_analysis: list[CaseAnalysis] = field(default_factory=list)
    clock_gating_checks: list[ClockGatingCheck] = field(default_factory=list)
    #: set_disable_inferred_clock_gating: cells and pins (tagged) whose gating checks are off
    disabled_clock_gating: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    time_unit_ns: float = 1.0            # final SDC time unit
    cap_unit_pf: float = 1.0             # final SDC capacitance unit

    @property
    def false_paths(self) -> list[PathException]:
        return [e for e in self.exceptions if e.kind == "false"]

    def clock_of_port(self, port: str) -> Clock | None:
        tag = "port:" + port
        for c in self.clocks.values():
            if tag in c.sources:
                return c
        return None
