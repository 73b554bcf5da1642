"""finevh.emit: tool scripts from a FINE-VH plan (``finevh emit``).

One module per target (:mod:`.openroad`, :mod:`.icc2`, :mod:`.innovus`,
:mod:`.primetime`, :mod:`.opensta`, :mod:`.upf`), shared plan preparation in
:mod:`.common` and name quoting in :mod:`.tclquote`. :func:`emit_text` is the entry
point: plan + options -> script text (deterministic); :func:`emit_texts` writes several
tools from one preparation of the plan.
"""

from __future__ import annotations

from importlib import import_module

TOOLS = ("openroad", "icc2", "innovus", "primetime", "opensta", "upf")


def emit_text(plan, tool: str, opts=None) -> str:
    """Script text for ``tool`` (one of :data:`TOOLS`) from a :class:`~finevh.fvh.plan.Plan`."""
    return emit_texts(plan, (tool,), opts)[tool]


def emit_texts(plan, tools, opts=None) -> dict[str, str]:
    """Script text per tool of ``tools`` (in that order), preparing the plan once: the
    name checks, the plan digest and the per-tile grouping are shared by every tool."""
    from .common import EmitOptions, prepare

    for tool in tools:
        if tool not in TOOLS:
            raise ValueError(f"unknown tool {tool!r}; expected one of {', '.join(TOOLS)}")
    if not tools:
        return {}
    data = prepare(plan, opts or EmitOptions(), swaps_needed=any(t != "upf" for t in tools))
    return {tool: import_module(f".{tool}", __name__).emit(data) for tool in tools}
