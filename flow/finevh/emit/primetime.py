"""PrimeTime flavour of ``finevh emit``: sign-off view of a FINE-VH design whose
switches and configuration chain are already in the netlist (after P&R).

- configuration: each chain flip-flop's output held constant with
  ``set_case_analysis`` (1 = its tile at VddH; ``--high-tiles``, default all tiles
  at VddH), so timing is checked for that configuration;
- poly-bias swaps: ``size_cell CELL LIB_CELL`` (same footprint, another flavour).
"""

from __future__ import annotations

from .common import EmitData
from .tclquote import syn_name, tcl_word


def emit(d: EmitData) -> str:
    o = d.opts
    L = d.header("primetime")
    L.append("")
    flops = d.plan.config_chain.flops
    L.append("# 1. tile configuration as case analysis on the chain outputs (1 = VddH, 0 = VddL)")
    high = set(range(len(d.tiles))) if o.high_tiles is None else set(o.high_tiles)
    for f in flops:
        v = 1 if f.tile in high else 0
        L.append(f"set_case_analysis {v} [get_pins {tcl_word(syn_name(f.name, d.opts.flat_names) + '/' + o.ff_q)}]")
    if not flops:
        L.append("# (no configuration chain in the plan)")
    L.append("")
    L.append("# 2. poly-bias swaps")
    for s in d.swaps:
        lc = s.to_cell if "/" in s.to_cell else "*/" + s.to_cell
        L.append(f"size_cell [get_cells {tcl_word(syn_name(s.instance, d.opts.flat_names))}] [get_lib_cells {tcl_word(lc)}]")
    L.append("")
    L.append("update_timing")
    L.append("report_global_timing")
    L.append("")
    return "\n".join(L)
