"""Gate-level simulation helpers: wrap a Yosys netlist (bit-blasted ports, as
``finevh synth`` writes them) in a module with the RTL's bus ports, so the same
cocotb testbench drives the RTL and the netlist; optional VCD dump (+vcd=FILE)."""

from __future__ import annotations

import re
from pathlib import Path

_DECL = re.compile(r"^\s*(input|output)\s+(\\\S+|\w+)\s*;", re.M)


def ports(netlist_text: str, top: str) -> list[tuple[str, str, int | None]]:
    """(direction, base name, width or None for a scalar) in first-seen order."""
    m = re.search(rf"^module\s+{re.escape(top)}\s*\(", netlist_text, re.M)
    if not m:
        raise ValueError(f"module {top} not in netlist")
    end = netlist_text.find("endmodule", m.end())
    body = netlist_text[m.end():end]
    order: list[str] = []
    info: dict[str, list] = {}
    for d, name in _DECL.findall(body):
        bm = re.fullmatch(r"\\?(\w+)\[(\d+)\]", name)
        base, idx = (bm.group(1), int(bm.group(2))) if bm else (name.lstrip("\\"), None)
        if base not in info:
            order.append(base)
            info[base] = [d, idx]
        elif idx is not None:
            info[base][1] = max(info[base][1], idx)
    return [(info[b][0], b, None if info[b][1] is None else info[b][1] + 1) for b in order]


def wrap(netlist: Path, top: str, out_dir: Path, name: str | None = None) -> tuple[Path, Path]:
    """Write ``<top>_gates.v`` (the netlist, top renamed) and ``<top>_gl.v`` (the wrapper,
    module ``name``, default ``<top>_gl``; give ``name=top`` to drop the netlist in
    place of the RTL module inside a larger RTL design). Returns both paths (wrapper
    first: it sets the timescale)."""
    text = netlist.read_text()
    plist = ports(text, top)
    gates = out_dir / f"{top}_gates.v"
    gates.write_text(re.sub(rf"^module\s+{re.escape(top)}\s*\(", f"module {top}_gates(", text, count=1,
                            flags=re.M))
    decl, conn = [], []
    for d, b, w in plist:
        decl.append(f"    {d} wire {'' if w is None else f'[{w - 1}:0] '}{b}")
        if w is None:
            conn.append(f"      .{b}({b})")
        else:
            conn += [f"      .\\{b}[{i}] ({b}[{i}])" for i in range(w)]
    wrapper = out_dir / f"{top}_gl.v"
    wrapper.write_text(
        "`timescale 1ns/10ps\n"
        f"module {name or top + '_gl'} (\n" + ",\n".join(decl) + "\n);\n"
        f"  {top}_gates u_gates (\n" + ",\n".join(conn) + "\n  );\n"
        "  reg [1023:0] vcd_file;\n"
        "  initial begin\n"
        "    if ($value$plusargs(\"vcd=%s\", vcd_file)) begin\n"
        "      $dumpfile(vcd_file);\n"
        "      $dumpvars(0, u_gates);\n"
        "    end\n"
        "  end\n"
        "endmodule\n")
    return wrapper, gates
