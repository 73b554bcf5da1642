"""A chain of sky130 HD cells across VddL/VddH tiles: the finevh timer (shipped Liberty,
with and without crossing tables) against one ngspice transient of the same chain.
Used by tests/test_sky130_crossing.py; run directly to print the numbers for docs/tech.md:

    PYTHONPATH=flow FINEVH_SHARED=/work/shared python3 tests/sky130_chain.py CROSSING_FILE
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np

P = "sky130_fd_sc_hd__"
#: (cell, switching pin, side pins tied to 1, supply) of each stage; the port drives stage 0
STAGES = ((P + "inv_1", "A", (), "H"), (P + "nand2_1", "A", ("B",), "L"), (P + "nor2_1", "A", (), "H"),
          (P + "inv_1", "A", (), "L"), (P + "nand2_1", "B", ("A",), "H"), (P + "inv_1", "A", (), "L"))
OUT_OF = {P + "inv_1": "Y", P + "nand2_1": "Y", P + "nor2_1": "Y"}
IN_SLEW = 0.1          # ns (20-80 %)
LOAD = 0.005           # pF on the output port
VDDL, VDDH = 1.40, 1.76


def crossings(stages=STAGES) -> int:
    return sum(a[3] != b[3] for a, b in zip(stages, stages[1:]))


def verilog(stages=STAGES) -> str:
    o = ["module chain (a, y);", "  input a;", "  output y;"]
    o += [f"  wire n{i};" for i in range(1, len(stages))]
    for i, (cell, pin, side, _s) in enumerate(stages):
        src = "a" if i == 0 else f"n{i}"
        dst = "y" if i == len(stages) - 1 else f"n{i + 1}"
        conns = [f".{pin}({src})"] + [f".{s}(1'b1)" for s in side]
        # nor2: the other input at 0
        if cell.endswith("nor2_1"):
            conns.append(".B(1'b0)")
        conns.append(f".{OUT_OF[cell]}({dst})")
        o.append(f"  {cell} u{i} ({', '.join(conns)});")
    o.append("endmodule")
    return "\n".join(o) + "\n"


SDC = f"""create_clock -name v -period 20
set_input_delay 0 -clock v [get_ports a]
set_output_delay 0 -clock v [get_ports y]
set_input_transition {IN_SLEW} [get_ports a]
set_load {LOAD} [get_ports y]
"""


def timer_delays(liberty_h: str, liberty_l: str, arcs: dict, tmp: Path, stages=STAGES) -> tuple[float, float]:
    """(rise, fall) delay of the chain's output for an input rise, ns: without and with
    crossing corrections -> ((plain_r, plain_f), (cross_r, cross_f)) as two tuples."""
    from finevh.loader import load_design
    from finevh.timing import crossing
    from finevh.timing.binding import bind_voltage
    from finevh.timing.constraints import TerminalNames, read_constraints
    from finevh.timing.engine import Timer

    (tmp / "chain.v").write_text(verilog(stages))
    (tmp / "chain.sdc").write_text(SDC)
    d = load_design([liberty_h, liberty_l], str(tmp / "chain.v"))
    low = [i for i, s in enumerate(stages) if s[3] == "L"]
    bind_voltage(d, low, VDDL)
    tc = read_constraints(str(tmp / "chain.sdc"), d, d.libset)
    tm = Timer(d, tc)
    y = TerminalNames(d).pin(f"u{len(stages) - 1}/{OUT_OF[stages[-1][0]]}")

    def arrival(r):
        a = r.arrival[:, y, :]
        return np.where(np.isfinite(a), a, -np.inf).max(axis=0)

    plain = arrival(tm.update(incremental=False))
    vdd = np.array([VDDL if s[3] == "L" else VDDH for s in stages])
    adj = crossing.enable(tm, arcs, vdd, VDDL, VDDH)
    assert adj.crossing_edges > 0 and adj.missing == 0
    cross = arrival(tm.update(incremental=False))
    crossing.disable(tm)
    return tuple(plain.tolist()), tuple(cross.tolist())


def spice_delays(models: Path, section: str, netlists: dict, temp: float, stages=STAGES,
                 shifters: dict | None = None) -> tuple[float, float]:
    """(output rise, output fall) delay of the chain in ngspice for the input's rise
    and fall (input 50 % of VddH -> output 50 % of the last stage's supply), ns.

    ``shifters`` ({stage: input capacitance, pF}): the reference without crossings.
    At every supply crossing an ideal level shifter (a voltage-controlled source of
    gain V_receiver / V_driver) drives the receiving stage, and the driver sees the
    receiver's input capacitance as a capacitor instead: every stage then switches
    with a full-swing input of the same 20-80 % time, as the Liberty tables assume."""
    from finevh.tech.spice import deck_header, parse_subckts, run_deck

    sup = {"H": VDDH, "L": VDDL}
    lines = deck_header("finevh chain", sorted({str(netlists[s[0]]) for s in stages}), models, temp, section, 1e-15)
    lines += [f"vh vh 0 dc {VDDH}", f"vl vl 0 dc {VDDL}"]
    t = IN_SLEW / 0.6
    lines.append(f"va n0 0 pwl(0 0 0.5n 0 {0.5 + t:.6g}n {VDDH} 6n {VDDH} {6 + t:.6g}n 0)")
    for i, (cell, pin, side, s) in enumerate(stages):
        src = f"n{i}"
        if shifters is not None and i > 0 and stages[i - 1][3] != s:
            src = f"m{i}"
            lines.append(f"e{i} m{i} 0 n{i} 0 {sup[s] / sup[stages[i - 1][3]]:.6g}")
            lines.append(f"cs{i} n{i} 0 {shifters[i] * 1e-12:.6g}")
        f = Path(netlists[cell])
        ports = parse_subckts(f.read_text(), str(f))[cell.upper()].ports
        rail = "vh" if s == "H" else "vl"
        nets = []
        for p in ports:
            if p in ("VPWR", "VPB"):
                nets.append(rail)
            elif p in ("VGND", "VNB"):
                nets.append("0")
            elif p == pin:
                nets.append(src)
            elif p == OUT_OF[cell]:
                nets.append(f"n{i + 1}")
            else:
                nets.append(rail if p in side else "0")
        lines.append(f"x{i} {' '.join(nets)} {cell}")
    n = len(stages)
    vo = sup[stages[-1][3]]
    lines.append(f"cl n{n} 0 {LOAD * 1e-12:.6g}")
    lines += [f".meas tran dr trig v(n0) val={VDDH / 2:.6g} rise=1 targ v(n{n}) val={vo / 2:.6g} cross=1",
              f".meas tran df trig v(n0) val={VDDH / 2:.6g} fall=1 targ v(n{n}) val={vo / 2:.6g} cross=2",
              ".tran 1p 12n", ".end", ""]
    out = run_deck("\n".join(lines))
    vals = dict(re.findall(r"^\s*(d[rf])\s*=\s*([-+0-9.eE]+)", out, re.M))
    if set(vals) != {"dr", "df"}:
        raise RuntimeError("ngspice chain: measurement failed\n" + out[-2000:])
    return float(vals["dr"]) * 1e9, float(vals["df"]) * 1e9


def input_caps(liberty_h: str, liberty_l: str, stages=STAGES) -> dict[int, float]:
    """{stage: capacitance of its switching pin (mean of rise and fall), pF} from the
    library of the stage's supply."""
    from finevh.liberty.reader import read_liberty

    libs = {"H": read_liberty(liberty_h), "L": read_liberty(liberty_l)}
    out = {}
    for i, (cell, pin, _side, s) in enumerate(stages):
        p = libs[s].cells[cell].pins[pin]
        rc, fc = p.rise_capacitance or p.capacitance, p.fall_capacitance or p.capacitance
        out[i] = 0.5 * (rc + fc)
    return out


def main(argv: list[str]) -> int:
    import tempfile

    from finevh.tech import sky130
    from finevh.tech.crossing import read_crossing

    L = sky130.shared_dir().parent / "liberty" / "sky130_fd_sc_hd"
    arcs = read_crossing(argv[0]).arcs(None, VDDL, VDDH)
    sp = sky130.extract()
    with tempfile.TemporaryDirectory() as d:
        plain, cross = timer_delays(str(L / f"{P}ss_n40C_1v76.lib.gz"), str(L / f"{P}ss_n40C_1v40.lib.gz"),
                                    arcs, Path(d))
    nets = {s[0]: sp.netlist(s[0]) for s in STAGES}
    sd = spice_delays(sp.models, sky130.SS_SECTION, nets, sky130.SS_TEMP)
    ref = spice_delays(sp.models, sky130.SS_SECTION, nets, sky130.SS_TEMP,
                       shifters=input_caps(str(L / f"{P}ss_n40C_1v76.lib.gz"), str(L / f"{P}ss_n40C_1v40.lib.gz")))
    print(f"chain of {len(STAGES)} cells, {crossings()} crossings (input rise / fall, ns)")
    print(f"ngspice: crossings {sd[0]:.4f} / {sd[1]:.4f}; ideal level shifters {ref[0]:.4f} / {ref[1]:.4f}")
    print(f"timer (shipped Liberty): plain {plain[0]:.4f} / {plain[1]:.4f}; crossing-aware {cross[0]:.4f} / {cross[1]:.4f}")
    pred = [r + c - p for r, c, p in zip(ref, cross, plain)]
    print(f"ngspice full-swing basis + timer crossing terms: {pred[0]:.4f} / {pred[1]:.4f} "
          f"(error {100 * (pred[0] / sd[0] - 1):+.2f} % / {100 * (pred[1] / sd[1] - 1):+.2f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
