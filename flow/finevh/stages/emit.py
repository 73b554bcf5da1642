"""Emit stage: the tool scripts (OpenROAD, ICC2, Innovus, PrimeTime, OpenSTA) and the
UPF that apply a plan; writers in :mod:`finevh.emit`."""

from __future__ import annotations

from dataclasses import replace

from .common import StageResult


def default_swap_templates(plan, given: dict[str, str] | None = None) -> dict[str, str]:
    """Swap naming per flavour: ``given``, and for a flavour whose swaps keep the cell's
    name (same-name flavour libraries such as demo28's) ``{cell}_FLAVOUR``, the name of the
    renamed library copies the tool reads."""
    out = dict(given or {})
    for s in plan.pb_swaps:
        if s.flavour not in out and s.to_cell == s.from_cell:
            out[s.flavour] = "{cell}_" + s.flavour
    return dict(sorted(out.items()))


def resolve_supply_pins(plan, opts):
    """``opts`` with the cells' power/ground pin names the plan recorded (``plan.cell_pins``,
    taken from the design's Liberty ``pg_pin`` / LEF ``USE POWER|GROUND`` at partition time)
    wherever ``opts`` still has the generic defaults ``VDD``/``VSS``. A name given
    explicitly (anything but the default) wins; a plan without ``cell_pins`` changes nothing."""
    from ..emit.common import EmitOptions

    known = getattr(plan, "cell_pins", None) or {}
    changes = {}
    for field_, key in (("power_pin", "power"), ("ground_pin", "ground")):
        if key in known and getattr(opts, field_) == getattr(EmitOptions, field_):
            changes[field_] = known[key]
    return replace(opts, **changes) if changes else opts


def script_name(tool: str) -> str:
    """File suffix of a tool's output (``upf`` or ``tcl``)."""
    return "upf" if tool == "upf" else "tcl"


def emit_stage(design, constraints, plan, opts=None, tools=("opensta",)) -> StageResult:
    """Scripts applying ``plan`` for each of ``tools``: ``extra["texts"]`` maps tool -> text.
    ``opts``: :class:`finevh.emit.common.EmitOptions` (its swap naming is completed with
    :func:`default_swap_templates`). ``design``/``constraints`` are not needed (None)."""
    from ..emit import TOOLS, emit_texts
    from ..emit.common import EmitOptions

    opts = resolve_supply_pins(plan, opts or EmitOptions())
    opts = replace(opts, swap_cell=default_swap_templates(plan, opts.swap_cell))
    for tool in tools:
        if tool not in TOOLS:
            from ..errors import InputError

            raise InputError(f"unknown tool '{tool}' (one of {', '.join(TOOLS)})")
    texts = emit_texts(plan, tuple(tools), opts)
    rep = {"tools": list(tools), "lines": {t: x.count("\n") for t, x in texts.items()},
           "swap_cell": opts.swap_cell, "power_pin": opts.power_pin, "ground_pin": opts.ground_pin}
    return StageResult(plan, rep, {"texts": texts})
