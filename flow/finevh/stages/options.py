"""Options of the FINE-VH stages, each with its defaults declared once.

The CLI sub-commands take their option defaults from these dataclasses, ``finevh run``
builds them from its TOML config, and the Tcl procs reach them through the CLI, so the
three front ends cannot drift apart. Units: um, V, mA, pF/um, ns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..power.analysis import ActivitySpec

#: Activity propagation and internal-power rules of the FINE-VH flow's power figures
#: (Vdd-MUX sizing, poly-bias leakage report, emulation): ``"2.0"`` (OpenSTA 2.0.17:
#: two register passes, rise+fall energies summed) until the bundled demo is re-sized for
#: the current OpenSTA's rules (``"3"``, the default of ``finevh power``): with them the
#: demo draws 3.5x the dynamic power and its 49-tile Vdd-MUX insertion runs out of rows.
#: ``[activity] power_rules`` / ``--power-rules`` choose per run.
FLOW_POWER_RULES = "2.0"


def flow_activity(**kw) -> ActivitySpec:
    """An :class:`ActivitySpec` with the flow's power rules unless ``opensta_rules`` is given."""
    kw.setdefault("opensta_rules", FLOW_POWER_RULES)
    return ActivitySpec(**kw)


@dataclass
class PartitionOptions:
    """``tiles``: tiles per side N (N x N mesh). ``wrapper_um``: void-wrapper width, um
    (None = the minimum spacing of ``wrapper_layer``, else of the lowest routing layer).
    ``supply_names``: VddH, VddL, ground and per-tile virtual supply (``{id}`` = tile)."""

    tiles: int = 3
    wrapper_um: float | None = None
    wrapper_layer: str | None = None
    supply_names: tuple[str, str, str, str] = ("VDDH", "VDDL", "VSS", "VVDD_T{id}")


@dataclass
class VddmuxOptions:
    """``mux_cell``: Vdd-MUX master (None = the library's header-switch cell).
    ``switch_max_ma``: max current of one switch, mA (None = the switch library's header).
    ``peak_factor``: peak-to-average supply current. ``min_per_tile``: switches per tile at
    least. ``chain_ff``: configuration flip-flop master (None = the smallest plain DFF).
    ``vddh``: supply of the tile currents, V (None = the design's own binding).
    ``activity``: activity for the per-tile power that sizes the switches."""

    mux_cell: str | None = None
    switch_max_ma: float | None = None
    peak_factor: float = 4.0
    min_per_tile: int = 1
    chain_ff: str | None = None
    vddh: float | None = None
    activity: ActivitySpec = field(default_factory=flow_activity)


@dataclass
class PolybiasOptions:
    """``flavours``: stage order, slowest first (None = every flavour slower than the
    interface cells'). ``corners``: ``finevh polybias --corners`` syntax; ``auto`` = the
    design's own supply at the clock, plus every supply of ``levels`` below it at its fmax.
    ``levels``: the supplies the power manager hops between, V (None = every characterised
    voltage of the library set). The clock is the SDC's, or the partitioned design's own
    critical delay where that misses the SDC clock (single-clock designs). ``maps``: tile
    supply maps at target clocks (:class:`finevh.fvh.polybias.MapCorner`, e.g. the maps a
    FINE-VH selection picked: ``finevh polybias --maps``, ``polybias_rounds`` of
    ``finevh run``) the stage must keep as well; with ``corners`` = ``auto`` they replace
    the uniform fmax corners (the SDC corner stays)."""

    flavours: list[str] | None = None
    corners: str = "auto"
    levels: list[float] | None = None
    activity: ActivitySpec = field(default_factory=flow_activity)
    maps: tuple = ()


#: defaults of ``finevh emit`` / the run's emitted scripts live in
#: :class:`finevh.emit.common.EmitOptions` (pins, supplies, straps, swap naming).
