"""Liberty writer of the demo28 libraries (one library per supply voltage and flavour).

Units written: time 1ns, capacitance 1pF, leakage power 1nW, voltage 1V, current 1mA,
resistance 1kohm; internal-power tables hold energy per transition in pJ
(= V * pF). Delays are measured 50 %-50 %, slews 20 %-80 % (derate 1.0).
Every number is printed with a fixed number of decimals, so equal inputs give
byte-identical files.
"""

from __future__ import annotations

import itertools

import numpy as np

from . import charact as ch
from . import device as dv
from .cells import CellSpec, VDDMUX_WIDTH, catalogue

# NLDM axes at 1.00 V; the slew axis is stretched at lower Vdd by the FO4 delay ratio.
SLEWS_1V = np.array(dv.GRID_SLEWS_1V) * 1e9     # ns
LOADS_X1 = np.array(dv.GRID_LOADS_X1) * 1e12    # pF per unit drive
DRIVES = (1, 2, 4, 8)
VDDS = tuple(round(0.60 + 0.05 * i, 2) for i in range(9))
CORNER = "ss_125C"


def vtag(vdd: float) -> str:
    return f"{vdd:.2f}".replace(".", "p") + "v"


def library_name(vdd: float, flavour: str) -> str:
    """e.g. demo28_ss_125C_0p60v_pb0"""
    return f"demo28_{CORNER}_{vtag(vdd)}_{flavour.lower()}"


def slew_axis(vdd: float) -> np.ndarray:
    """Input-slew axis (ns) of the libraries at ``vdd``: the 1.00 V axis stretched by
    the PB0 FO4 delay ratio, rounded to 1 ps."""
    pb0 = dv.flavour("PB0")
    s = dv.fo4_delay(pb0, vdd) / dv.fo4_delay(pb0, 1.0)
    return np.round(SLEWS_1V * s, 3)


def load_axis(drive: int) -> np.ndarray:
    return LOADS_X1 * drive


def _f(x: float, nd: int) -> str:
    s = f"{x:.{nd}f}"
    if s.startswith("-") and float(s) == 0.0:
        s = s[1:]
    return s


def _row(a, nd: int) -> str:
    fmt = f"{{:.{nd}f}}".format
    neg0 = "-" + fmt(0.0)
    return ", ".join(t if t != neg0 else t[1:] for t in map(fmt, np.asarray(a, dtype=float).tolist()))


def _table(out: list[str], ind: str, kind: str, tpl: str, arr: np.ndarray, nd: int) -> None:
    out.append(f"{ind}{kind} ({tpl}) {{")
    if arr.ndim == 1:
        out.append(f'{ind}  values ("{_row(arr, nd)}");')
    else:
        rows = [f'"{_row(r, nd)}"' for r in arr]
        out.append(f"{ind}  values ( \\")
        for r in rows[:-1]:
            out.append(f"{ind}    {r}, \\")
        out.append(f"{ind}    {rows[-1]} );")
    out.append(f"{ind}}}")


def _patterns(pins: tuple[str, ...]):
    for bits in itertools.product((0, 1), repeat=len(pins)):
        yield dict(zip(pins, bits)), "&".join(p if b else f"!{p}" for p, b in zip(pins, bits))


NS, PF, NW, PJ = 1e9, 1e12, 1e9, 1e12


def _pg(out: list[str], ind: str, spec: CellSpec) -> None:
    if spec.kind == "vddmux":
        out += [f"{ind}switch_cell_type : coarse_grain;",
                f"{ind}pg_pin (VDDH) {{ voltage_name : VDDH; pg_type : primary_power; direction : input; }}",
                f"{ind}pg_pin (VDDL) {{ voltage_name : VDDL; pg_type : primary_power; direction : input; }}",
                f"{ind}pg_pin (VVDD) {{ voltage_name : VVDD; pg_type : internal_power; direction : output;",
                f'{ind}  switch_function : "SEL"; pg_function : "(SEL*VDDH)+(!SEL*VDDL)"; }}',
                f"{ind}pg_pin (VSS) {{ voltage_name : VSS; pg_type : primary_ground; }}"]
    else:
        out += [f"{ind}pg_pin (VDD) {{ voltage_name : VDD; pg_type : primary_power; }}",
                f"{ind}pg_pin (VSS) {{ voltage_name : VSS; pg_type : primary_ground; }}"]


def write_cell(out: list[str], ctx: ch.Ctx, spec: CellSpec, slews: np.ndarray) -> None:
    ind = "    "
    loads = load_axis(spec.drive if spec.drive in DRIVES else 1)
    out.append(f"  cell ({spec.name}) {{")
    out.append(f"{ind}area : {_f(spec.area, 4)};")
    out.append(f'{ind}cell_footprint : "{spec.name}";')
    if spec.kind in ("fill", "vddmux", "tie"):
        out.append(f"{ind}dont_touch : true;")
    if spec.kind in ("fill", "vddmux"):
        out.append(f"{ind}dont_use : true;")
    if spec.kind == "icg":
        out.append(f'{ind}clock_gating_integrated_cell : "latch_posedge";')
    _pg(out, ind, spec)
    power_pin = "VDDH" if spec.kind == "vddmux" else "VDD"
    # leakage
    leaks = []
    if spec.kind in ("fill",):
        out.append(f"{ind}cell_leakage_power : {_f(0.0, 4)};")
    elif spec.kind == "tie":
        v = ch.cell_leakage(ctx, spec, {}) * NW
        out.append(f"{ind}cell_leakage_power : {_f(v, 4)};")
    elif spec.kind == "vddmux":
        v = vddmux_leakage(ctx) * NW
        out.append(f"{ind}cell_leakage_power : {_f(v, 4)};")
    else:
        for pat, when in _patterns(spec.inputs):
            leaks.append((when, ch.cell_leakage(ctx, spec, pat) * NW))
        out.append(f"{ind}cell_leakage_power : {_f(sum(v for _, v in leaks) / len(leaks), 4)};")
        for when, v in leaks:
            out.append(f'{ind}leakage_power () {{ when : "{when}"; value : {_f(v, 4)}; related_pg_pin : VDD; }}')
    if spec.kind == "ff":
        clr = f' clear : "!{spec.clear}";' if spec.clear else ""
        out.append(f'{ind}ff (IQ, IQN) {{ next_state : "D"; clocked_on : "CK";{clr} }}')
    if spec.kind == "icg":
        out.append(f'{ind}latch (IQ, IQN) {{ enable : "!CK"; data_in : "E"; }}')
    if spec.kind == "latch":
        out.append(f'{ind}latch (IQ, IQN) {{ enable : "E"; data_in : "D"; }}')
    caps = ch.net_caps(spec, ctx.fl.cg_per_um)
    if spec.kind == "vddmux":
        c = ctx.fl.cg_per_um * (VDDMUX_WIDTH + 0.7) * PF
        out += [f"{ind}pin (SEL) {{", f"{ind}  direction : input;", f"{ind}  switch_pin : true;",
                f"{ind}  capacitance : {_f(c, 6)};", f"{ind}  related_power_pin : VDDH;",
                f"{ind}  related_ground_pin : VSS;", f"{ind}}}"]
    for p in spec.inputs if spec.kind != "vddmux" else ():
        c = caps.get(p, 0.0) * PF
        out.append(f"{ind}pin ({p}) {{")
        out.append(f"{ind}  direction : input;")
        out.append(f"{ind}  capacitance : {_f(c, 6)};")
        out.append(f"{ind}  related_power_pin : {power_pin};")
        out.append(f"{ind}  related_ground_pin : VSS;")
        ck = _clock_pin(spec)
        if p == ck:
            out.append(f"{ind}  clock : true;")
        if spec.kind == "icg":
            out.append(f"{ind}  clock_gate_{'clock' if p == 'CK' else 'enable'}_pin : true;")
        if ck is not None and p == ck:
            e = clock_pin_energy(ctx, spec, slews) * PJ
            out += [f"{ind}  internal_power () {{", f"{ind}    related_pg_pin : VDD;"]
            _table(out, ind + "    ", "rise_power", "energy_in", e, 7)
            _table(out, ind + "    ", "fall_power", "energy_in", e, 7)
            out.append(f"{ind}  }}")
        if ck is not None and p != ck:
            for ttype, tab in constraint_tables(ctx, spec, p, slews).items():
                out += [f"{ind}  timing () {{", f'{ind}    related_pin : "{ck}";', f"{ind}    timing_type : {ttype};"]
                _table(out, ind + "    ", "rise_constraint", "constraint", tab * NS, 5)
                if not (spec.clear == p):
                    _table(out, ind + "    ", "fall_constraint", "constraint", tab * NS, 5)
                out.append(f"{ind}  }}")
        out.append(f"{ind}}}")
    if spec.output:
        out.append(f"{ind}pin ({spec.output}) {{")
        out.append(f"{ind}  direction : output;")
        if spec.kind == "icg":
            out.append(f"{ind}  clock_gate_out_pin : true;")
            out.append(f'{ind}  state_function : "{spec.function}";')
        else:
            out.append(f'{ind}  function : "{spec.function}";')
        out.append(f"{ind}  related_power_pin : VDD;")
        out.append(f"{ind}  related_ground_pin : VSS;")
        if spec.kind != "tie":
            out.append(f"{ind}  max_capacitance : {_f(loads[-1], 6)};")
            tpl = f"delay_x{spec.drive}"
            etpl = f"energy_x{spec.drive}"
            arcs = []
            if spec.kind == "comb":
                arcs = [(p, "combinational") for p in spec.inputs]
            elif spec.kind == "icg":
                arcs = [("CK", "combinational")]
            elif spec.kind == "ff":
                arcs = [("CK", "rising_edge")] + ([(spec.clear, "clear")] if spec.clear else [])
            elif spec.kind == "latch":
                arcs = [("D", "combinational"), ("E", "rising_edge")]
            for p, ttype in arcs:
                tabs = ff_arc_tables(ctx, spec, p, slews, loads) if spec.kind in ("ff", "latch") else \
                    ch.arc_tables(ctx, spec, p, slews / NS, loads / PF)
                sense = tabs["sense"]
                out += [f"{ind}  timing () {{", f'{ind}    related_pin : "{p}";',
                        f"{ind}    timing_sense : {sense};", f"{ind}    timing_type : {ttype};"]
                edges = ("fall",) if ttype == "clear" else ("rise", "fall")
                for e in edges:
                    _table(out, ind + "    ", f"cell_{e}", tpl, tabs[f"cell_{e}"] * NS, 5)
                    _table(out, ind + "    ", f"{e}_transition", tpl, tabs[f"{e}_transition"] * NS, 5)
                out.append(f"{ind}  }}")
                if ttype != "clear":
                    out += [f"{ind}  internal_power () {{", f'{ind}    related_pin : "{p}";', f"{ind}    related_pg_pin : VDD;"]
                    for e in edges:
                        _table(out, ind + "    ", f"{e}_power", etpl, tabs[f"{e}_energy"] * PJ, 7)
                    out.append(f"{ind}  }}")
        out.append(f"{ind}}}")
    out.append("  }")


# ---- sequential behaviour models --------------------------------------------------------

def _clock_pin(spec: CellSpec) -> str | None:
    """The pin the cell's timing checks and clock-pin energy refer to."""
    return {"ff": "CK", "icg": "CK", "latch": "E"}.get(spec.kind)


def _latch_node_load(ctx: ch.Ctx, spec: CellSpec) -> dict[str, float]:
    """Load (F) seen by the latch's data inverter: through the input transmission gate
    it drives the storage node ql (gates of l1 and Q) and the feedback stage's drain."""
    st = {s.out: s for s in spec.stages}
    caps = ch.net_caps(spec, ctx.fl.cg_per_um)
    return {"dn": caps["ql"] + ch.stage_parasitic(st["l2"])}


def _ff_chain(spec: CellSpec, pin: str):
    st = {s.out: s for s in spec.stages}
    if spec.kind == "latch":
        # transparent D -> Q: data inverter into the storage node, output inverter;
        # opening E -> Q: enable inverters open the input gate, then the same chain
        tail = [(st["dn"], "D"), (st["Q"], "ql")]
        return tail if pin == "D" else [(st["en"], "E"), (st["enb"], "en")] + tail
    if pin == "CK":
        if spec.kind == "icg":
            return [(st["g"], "CK"), (st["GCK"], "g")]
        # CK -> ckn -> ckb -> slave transfer (s1) -> Q
        return [(st["ckn"], "CK"), (st["ckb"], "ckn"), (st["s1"], "qs"), (st["Q"], "s1")]
    # asynchronous clear: RN -> s1 (NAND) -> Q
    return [(st["s1"], pin), (st["Q"], "s1")]


def ff_arc_tables(ctx: ch.Ctx, spec: CellSpec, pin: str, slews, loads):
    t = slews[:, None] / NS
    c = loads[None, :] / PF
    res = {"sense": "non_unate" if pin in ("CK", "E") else "positive_unate"}
    chain = _ff_chain(spec, pin)
    nl = _latch_node_load(ctx, spec) if spec.kind == "latch" else None
    shp = (len(slews), len(loads))
    for e, rise in (("rise", True), ("fall", False)):
        d, s, en = ch.path_delay(ctx, spec, chain, rise, t, c, nl)
        res[f"cell_{e}"] = np.broadcast_to(d, shp)
        res[f"{e}_transition"] = np.broadcast_to(s, shp)
        res[f"{e}_energy"] = np.broadcast_to(en, shp)
    return res


def constraint_tables(ctx: ch.Ctx, spec: CellSpec, pin: str, slews):
    """Setup/hold (or recovery/removal) of ``pin`` against the rising clock (against
    the falling enable for a latch), s.

    index_1 = clock (related pin) slew, index_2 = data (constrained pin) slew.
    setup = data path through the master (input inverter, twice around the master
    loop) minus the first clock inverter; hold = clock path (two inverters) minus the first data stage.
    A latch closes on the falling enable and is modelled the same way with its own loop
    (l1/l2) and enable inverters (en/enb); its data inverter sees the storage node's load."""
    st = {s.out: s for s in spec.stages}
    tck = slews[:, None] / NS
    td = slews[None, :] / NS
    caps = ch.net_caps(spec, ctx.fl.cg_per_um)
    nl = None
    if spec.kind == "latch":
        nl = _latch_node_load(ctx, spec)
        loop = [(st["l1"], "ql"), (st["l2"], "l1")]
        dpath = [(st["dn"], "D")] + loop + loop
        cpath = [(st["en"], "E"), (st["enb"], "en")]
    elif spec.kind == "icg":
        dpath = [(st["en"], "E"), (st["l1"], "ql")]
        cpath = [(st["ckn"], "CK")]
    else:
        # data through the input inverter and twice around the master loop (the loop
        # must regenerate before the master closes)
        loop = [(st["m1"], "qm"), (st["m2"], "m1")]
        dpath = [(st["dn"], "D")] + loop + loop if pin == "D" else [(st["m1"], pin), (st["m2"], "m1")] + loop
        cpath = [(st["ckn"], "CK"), (st["ckb"], "ckn")]
    dd = ch.path_delay(ctx, spec, dpath, True, td, caps.get(dpath[-1][0].out, 0.0), nl)[0]
    dc = ch.path_delay(ctx, spec, cpath, True, tck, caps.get(cpath[-1][0].out, 0.0))[0]
    dc1 = ch.path_delay(ctx, spec, cpath[:1], True, tck, caps.get(cpath[0][0].out, 0.0))[0]
    d1 = ch.path_delay(ctx, spec, dpath[:1], True, td, (nl or caps).get(dpath[0][0].out, 0.0))[0]
    # the master closes when the first clock inverter has switched: data must have
    # crossed the master (and its loop) by then
    setup = np.broadcast_to(dd - dc1, (len(slews), len(slews)))
    hold = np.broadcast_to(dc - d1, (len(slews), len(slews)))
    if pin == spec.clear:
        return {"recovery_rising": setup, "removal_rising": hold}
    if spec.kind == "latch":
        return {"setup_falling": setup, "hold_falling": hold}
    return {"setup_rising": setup, "hold_rising": hold}


def clock_pin_energy(ctx: ch.Ctx, spec: CellSpec, slews) -> np.ndarray:
    """Energy (J) drawn by the clock network inside the cell per clock edge."""
    st = {s.out: s for s in spec.stages}
    t = slews / NS
    caps = ch.net_caps(spec, ctx.fl.cg_per_um)
    names = ("en", "enb") if spec.kind == "latch" else ("ckn", "ckb")
    e = 0.0
    for name in names:
        if name in st:
            s = st[name]
            e = e + 0.5 * (ch.stage_parasitic(s) + caps.get(name, 0.0)) * ctx.vdd ** 2
    return np.broadcast_to(e + 0.0 * t, t.shape) + ch.sc_energy(ctx, st[names[0]], _clock_pin(spec), True, t, t)


# ---- Vdd-MUX -------------------------------------------------------------------------

def vddmux_ron(fl: dv.Flavour, vdd: float) -> float:
    """On-resistance of one header (Ohm): linear-region slope V_D0 / I_D0 of the
    alpha-power law with V_D0 = 0.5 * (Vdd - Vt_a)."""
    i = dv.i_d0(fl, vdd, True) * VDDMUX_WIDTH
    vd0 = 0.5 * (vdd - dv.vt_alpha(fl, vdd))
    return vd0 / i


def vddmux_imax(fl: dv.Flavour, vdd: float, drop: float = 0.05) -> float:
    """Largest load current (A) of one Vdd-MUX for an IR drop of ``drop`` x Vdd."""
    return drop * vdd / vddmux_ron(fl, vdd)


def vddmux_leakage(ctx: ch.Ctx, dv_supplies: float = 0.10) -> float:
    """Leakage (W) drawn from the selected supply by the Vdd-MUX: the OFF header
    between the two supplies (``dv_supplies`` V across it; 100 mV = the thesis'
    finer Vdd step) plus the select inverter (average of its two states)."""
    header = float(dv.i_sub(ctx.fl, 0.0, dv_supplies)) * VDDMUX_WIDTH
    inv = dv.i_off(ctx.fl, ctx.vdd) * 0.5 * (0.3 + 0.4)
    return ctx.vdd * (header + inv)


# ---- whole library ---------------------------------------------------------------------

def liberty_text(vdd: float, flavour: str) -> str:
    fl = dv.flavour(flavour)
    ctx = ch.Ctx(fl, vdd)
    name = library_name(vdd, flavour)
    slews = slew_axis(vdd)
    oc = f"{CORNER}_{vtag(vdd)}"
    o: list[str] = []
    o.append(f"/* {name}: finevh demo28 technology (generated by `finevh techgen`; do not edit).")
    o.append(f"   Corner ss, 125 C, Vdd {vdd:.2f} V, poly-bias flavour {flavour} (gate length +{fl.pb_nm:g} nm).")
    o.append("   Synthetic characterisation from the device model in docs/tech.md; not silicon data.")
    o.append(f"   Vdd-MUX header on-resistance {vddmux_ron(fl, vdd) / 1e3:.4f} kOhm, max current "
             f"{vddmux_imax(fl, vdd) * 1e3:.4f} mA at 5 % IR drop. */")
    o.append(f"library ({name}) {{")
    o += ["  technology (cmos);", "  delay_model : table_lookup;", '  time_unit : "1ns";', '  voltage_unit : "1V";',
          '  current_unit : "1mA";', '  pulling_resistance_unit : "1kohm";', '  leakage_power_unit : "1nW";',
          "  capacitive_load_unit (1, pf);", "  nom_process : 1;", "  nom_temperature : 125;",
          f"  nom_voltage : {vdd:.2f};",
          f"  voltage_map (VDD, {vdd:.2f});", f"  voltage_map (VDDH, {vdd:.2f});", f"  voltage_map (VDDL, {vdd:.2f});",
          f"  voltage_map (VVDD, {vdd:.2f});", "  voltage_map (VSS, 0.00);",
          "  input_threshold_pct_rise : 50;", "  input_threshold_pct_fall : 50;",
          "  output_threshold_pct_rise : 50;", "  output_threshold_pct_fall : 50;",
          "  slew_lower_threshold_pct_rise : 20;", "  slew_lower_threshold_pct_fall : 20;",
          "  slew_upper_threshold_pct_rise : 80;", "  slew_upper_threshold_pct_fall : 80;",
          "  slew_derate_from_library : 1.0;",
          f"  default_max_transition : {_f(slews[-1], 3)};", "  default_fanout_load : 1;",
          "  default_input_pin_cap : 0;", "  default_output_pin_cap : 0;", "  default_inout_pin_cap : 0;",
          "  default_cell_leakage_power : 0;", "  default_leakage_power_density : 0;",
          f"  operating_conditions ({oc}) {{", "    process : 1;", "    temperature : 125;",
          f"    voltage : {vdd:.2f};", "    tree_type : balanced_tree;", "  }",
          f"  default_operating_conditions : {oc};"]
    for d in DRIVES:
        o += [f"  lu_table_template (delay_x{d}) {{", "    variable_1 : input_net_transition;",
              "    variable_2 : total_output_net_capacitance;", f'    index_1 ("{_row(slews, 3)}");',
              f'    index_2 ("{_row(load_axis(d), 4)}");', "  }"]
        o += [f"  power_lut_template (energy_x{d}) {{", "    variable_1 : input_transition_time;",
              "    variable_2 : total_output_net_capacitance;", f'    index_1 ("{_row(slews, 3)}");',
              f'    index_2 ("{_row(load_axis(d), 4)}");', "  }"]
    o += ["  lu_table_template (constraint) {", "    variable_1 : related_pin_transition;",
          "    variable_2 : constrained_pin_transition;", f'    index_1 ("{_row(slews, 3)}");',
          f'    index_2 ("{_row(slews, 3)}");', "  }",
          "  power_lut_template (energy_in) {", "    variable_1 : input_transition_time;",
          f'    index_1 ("{_row(slews, 3)}");', "  }"]
    for spec in catalogue():
        write_cell(o, ctx, spec, slews)
    o.append("}")
    return "\n".join(o) + "\n"
