"""finevh.emit: tool scripts from a FINE-VH plan (``finevh emit``).

One module per target (:mod:`.openroad`, :mod:`.icc2`, :mod:`.innovus`,
:mod:`.primetime`, :mod:`.opensta`, :mod:`.upf`), shared plan preparation in
:mod:`.common` and name quoting in :mod:`.tclquote`. :func:`emit_text` is the entry
point: plan + options -> script text (deterministic).
"""

from __future__ import annotations

from importlib import import_module

TOOLS = ("openroad", "icc2", "innovus", "primetime", "opensta", "upf")


def emit_text(plan, tool: str, opts=None) -> str:
    """Script text for ``tool`` (one of :data:`TOOLS`) from a :class:`~finevh.fvh.plan.Plan`."""
    from .common import EmitOptions, prepare

    if tool not in TOOLS:
        raise ValueError(f"unknown tool {tool!r}; expected one of {', '.join(TOOLS)}")
    data = prepare(plan, opts or EmitOptions(), swaps_needed=tool != "upf")
    return import_module(f".{tool}", __name__).emit(data)
