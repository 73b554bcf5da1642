"""OpenSTA flavour of ``finevh emit``: the poly-bias ECO (``replace_cell``) in a
linked design, optionally with the configuration case analysis, then the timing and
leakage reports the ECO is judged by. Source it after ``read_liberty`` /
``read_verilog`` / ``link_design`` / SDC in ``sta``.

OpenSTA 2.0.17 binds a cell name to the first library that defines it; flavours
sharing cell names across libraries (the demo technology) need renamed copies of
the flavour libraries and ``--swap-cell PB16={cell}_PB16`` (docs/emit.md).
"""

from __future__ import annotations

from .common import EmitData
from .tclquote import sta_name, tcl_word


def emit(d: EmitData, reports: bool = True) -> str:
    o = d.opts
    L = d.header("opensta")
    L.append("")
    if o.high_tiles is not None and d.plan.config_chain.flops:
        L.append("# configuration: flip-flop outputs as constants (1 = tile at VddH)")
        high = set(o.high_tiles)
        for f in d.plan.config_chain.flops:
            v = 1 if f.tile in high else 0
            L.append(f"set_case_analysis {v} [get_pins {tcl_word(sta_name(f.name) + '/' + o.ff_q)}]")
        L.append("")
    L.append("# poly-bias swaps")
    for s in d.swaps:
        L.append(f"replace_cell {tcl_word(sta_name(s.instance))} {tcl_word(s.to_cell)}")
    if reports:
        L += ["", "# timing and leakage after the ECO",
              "report_worst_slack -digits 6", "report_wns -digits 6", "report_power -digits 6"]
    L.append("")
    return "\n".join(L)
