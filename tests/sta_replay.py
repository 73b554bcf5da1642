"""Replay an emulation's STA runs in OpenSTA: the same sequence of re-bindings.

``Emulator.start_trace`` records every STA run of a FINE-VH emulation (the instances
re-bound since the run before, their new cells, the variant and its worst slack). This
writes one OpenSTA script that reads every library the runs bind to as a renamed copy
(``<cell>__L<k>``, one suffix per library: the supplies and flavours of demo28 share
cell names), links the netlist, reads the SDC, and then for each run does what a user
driving OpenSTA would: ``replace_cell`` on the re-bound instances and the worst
setup slack (``sta::worst_slack_cmd max``, what ``report_worst_slack -max`` prints). Wire capacitance of each variant is set per net
(``set_load`` on nets) when the variant changes. OpenSTA's own ``user_run_time`` and
``elapsed_run_time`` around the loop are the reference time.

A run that binds a cell with no Liberty file (a supply between the characterised
voltages: finevh interpolates it) cannot be replayed; it is skipped, and the next
replayed run re-binds every instance whose cell differs from OpenSTA's, so each
replayed run times the binding finevh timed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import opensta


@dataclass
class Replay:
    script: Path
    runs: list[int]              # indices of the trace's runs that are replayed
    replaced: int                # replace_cell calls in the timed loop


def _tcl_word(name: str) -> str:
    """A Tcl word holding ``name`` literally: in braces (where backslashes stay as they
    are), or backslash-quoted when braces or a final backslash prevent that."""
    if not re.search(r"[{}]|\\$", name):
        return "{" + name + "}"
    return re.sub(r"([\\\[\]{}$\";\s])", r"\\\1", name)


def _pattern(name: str) -> str:
    """``name`` as an OpenSTA get_* pattern matching only itself."""
    return re.sub(r"([\\\[\]*?])", r"\\\1", name)


def write_replay(design, trace, wire_caps: dict, verilog: Path, top: str, sdc: Path, workdir: Path,
                 base_liberty: Path) -> Replay:
    """The OpenSTA script replaying ``trace`` (list of ``StaRun``) on ``design``'s netlist.

    ``wire_caps``: variant name -> wire capacitance per net (pF, the timer's) or None;
    ``base_liberty``: the library the netlist is mapped to (read unrenamed, to link)."""
    workdir = Path(workdir)
    libs = design.libset.libraries
    lib_of = {lib.name: k for k, lib in enumerate(libs)}
    cells = design.cells

    def source(ci: int) -> tuple[int, str] | None:
        c = cells[ci]
        k = lib_of.get(c.library)
        if k is None or libs[k].cells.get(c.name) is not c or not Path(libs[k].path).is_file():
            return None
        return k, c.name

    n = len(np.asarray(design.inst_cell))
    state = np.full(n, -1, dtype=np.int64)                # trace state (cell index), -1 = as the netlist
    osta = np.full(n, -1, dtype=np.int64)                 # what OpenSTA holds
    names = design.netlist.inst_names
    net_names = design.netlist.net_names
    loads = np.zeros(len(net_names))                      # wire capacitance OpenSTA holds (pF)
    used: set[int] = set()
    out: list[str] = []
    runs: list[int] = []
    replaced = 0
    variant = None
    for r, run in enumerate(trace):
        state[run.insts] = run.cells
        bound = np.unique(state[state >= 0])
        src = {int(c): source(int(c)) for c in bound.tolist()}
        if any(v is None for v in src.values()):
            continue
        if run.variant != variant:
            # a new variant's wire capacitance, and its first full pass: not timed (finevh
            # builds the variant's timer outside its runs too)
            wc = wire_caps.get(run.variant)
            wc = np.zeros(len(net_names)) if wc is None else np.asarray(wc, dtype=np.float64)
            for net in np.nonzero(wc != loads)[0].tolist():
                out.append(f"set_load {float(wc[net]):.9g} [get_nets {_tcl_word(_pattern(net_names[net]))}]")
            loads = wc.copy()
            out.append("sta::worst_slack_cmd max")
            variant = run.variant
        diff = np.nonzero(state != osta)[0]
        pairs = []
        for i in diff.tolist():
            k, cname = src[int(state[i])]
            used.add(k)
            pairs.append(f"{_tcl_word(names[i])} {cname}__L{k}")
        osta[diff] = state[diff]
        replaced += len(pairs)
        out += [f"set rb [list {' '.join(pairs)}]",
                "set u0 [user_run_time]; set e0 [elapsed_run_time]",
                "foreach {i c} $rb { replace_cell $i $c }",
                "set w [sta::worst_slack_cmd max]",
                "set ut [expr {$ut + [user_run_time] - $u0}]; set et [expr {$et + [elapsed_run_time] - $e0}]",
                f"puts \"RUN {r} [sta::format_time $w 6]\""]
        runs.append(r)
    lib_files = [opensta.prepare_liberty(libs[k].path, workdir, f"__L{k}") for k in sorted(used)]
    head = ["set ut 0.0", "set et 0.0", f"read_liberty {opensta.prepare_liberty(base_liberty, workdir)}"]
    head += [f"read_liberty {p}" for p in lib_files]
    head += [f"read_verilog {verilog}", f"link_design {top}", f"read_sdc {sdc}"]
    out.append("puts \"replay_user_s $ut replay_elapsed_s $et\"")
    script = workdir / "replay.tcl"
    script.write_text("\n".join(head + out) + "\n")
    return Replay(script, runs, replaced)


def parse_replay(text: str) -> tuple[dict[int, float], float, float]:
    """(run -> OpenSTA worst slack, user s, elapsed s) from the replay's output."""
    wns = {int(a): float(b) for a, b in re.findall(r"^RUN (\d+) (\S+)$", text, re.M)}
    m = re.search(r"replay_user_s (\S+) replay_elapsed_s (\S+)", text)
    if not m:
        raise ValueError("OpenSTA replay did not finish:\n" + text[-2000:])
    return wns, float(m.group(1)), float(m.group(2))
