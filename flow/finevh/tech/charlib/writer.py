"""Liberty text of characterised cells (units: 1ns, 1pF, 1nW, 1V, 1mA, 1kohm).

Every number is written with 7 significant digits, so equal results give identical
files. Tables carry their own ``index_1``/``index_2``; templates are shared by shape.
"""

from __future__ import annotations

import numpy as np

from .deck import Conditions
from .result import ArcTables, CellResult, ConstraintTables


def num(x: float) -> str:
    s = f"{float(x):.7g}"
    return "0" if s in ("-0", "0") else s


def _row(a) -> str:
    return ", ".join(num(v) for v in np.asarray(a, float).ravel())


def _table(o: list[str], ind: str, kind: str, tpl: str, i1, i2, arr) -> None:
    o.append(f'{ind}{kind} ({tpl}) {{')
    o.append(f'{ind}  index_1 ("{_row(i1)}");')
    o.append(f'{ind}  index_2 ("{_row(i2)}");')
    rows = [f'"{_row(r)}"' for r in np.asarray(arr, float)]
    o.append(f"{ind}  values ({', '.join(rows)});")
    o.append(f"{ind}}}")


def _delay_tpl(n: int, m: int) -> str:
    return f"delay_{n}x{m}"


def _cons_tpl(n: int, m: int) -> str:
    return f"constraint_{n}x{m}"


def _arc(o: list[str], t: ArcTables, pin_of: str) -> None:
    a = t.arc
    ind = "      "
    o.append("    timing () {")
    o.append(f'{ind}related_pin : "{a.related}";')
    ttype = {"comb": "combinational", "edge": "rising_edge"}.get(a.kind, a.kind)
    o.append(f"{ind}timing_type : {ttype};")
    o.append(f"{ind}timing_sense : {a.sense};")
    tpl = _delay_tpl(len(t.slews), len(t.loads))
    for kind in ("cell_rise", "cell_fall", "rise_transition", "fall_transition"):
        arr = getattr(t, kind)
        if arr is not None:
            _table(o, ind, kind, tpl, t.slews, t.loads, arr)
    o.append("    }")


def _constraint(o: list[str], c: ConstraintTables) -> None:
    ind = "      "
    o.append("    timing () {")
    o.append(f'{ind}related_pin : "{c.clock}";')
    o.append(f"{ind}timing_type : {c.kind}_rising;")
    tpl = _cons_tpl(len(c.clock_slews), len(c.pin_slews))
    _table(o, ind, "rise_constraint", tpl, c.clock_slews, c.pin_slews, c.rise)
    _table(o, ind, "fall_constraint", tpl, c.clock_slews, c.pin_slews, c.fall)
    o.append("    }")


def cell_text(r: CellResult) -> list[str]:
    s = r.spec
    o = [f'  cell ("{r.name}") {{', f"    area : {num(s.area)};"]
    if r.leakage:
        o.append(f"    cell_leakage_power : {num(r.leakage_mean)};")
    for w, v in r.leakage:
        o.append(f'    leakage_power () {{ when : "{w}"; value : {num(v)}; }}')
    o += ['    pg_pin ("VPWR") { pg_type : primary_power; voltage_name : "VPWR"; }',
          '    pg_pin ("VGND") { pg_type : primary_ground; voltage_name : "VGND"; }',
          '    pg_pin ("VPB") { pg_type : nwell; physical_connection : device_layer; voltage_name : "VPB"; }',
          '    pg_pin ("VNB") { pg_type : pwell; physical_connection : device_layer; voltage_name : "VNB"; }']
    if s.ff is not None:
        iq, iqn, clk, nxt = s.ff
        o.append(f'    ff ("{iq}", "{iqn}") {{')
        o.append(f'      clocked_on : "{clk}";')
        o.append(f'      next_state : "{nxt}";')
        if s.ff_clear:
            o.append(f'      clear : "{s.ff_clear}";')
        o.append("    }")
    for p in s.inputs:
        cr, cf = r.pin_cap.get(p, (0.0, 0.0))
        o.append(f'    pin ("{p}") {{')
        o.append("      direction : input;")
        if p == s.clock:
            o.append("      clock : true;")
        o.append(f"      capacitance : {num((cr + cf) / 2)};")
        o.append(f"      rise_capacitance : {num(cr)};")
        o.append(f"      fall_capacitance : {num(cf)};")
        o.append('      related_power_pin : "VPWR";')
        o.append('      related_ground_pin : "VGND";')
        body: list[str] = []
        for c in r.constraints:
            if c.pin == p:
                _constraint(body, c)
        o += ["  " + line for line in body]
        o.append("    }")
    for out in s.outputs:
        o.append(f'    pin ("{out}") {{')
        o.append("      direction : output;")
        if s.functions.get(out):
            o.append(f'      function : "{s.functions[out]}";')
        o.append('      related_power_pin : "VPWR";')
        o.append('      related_ground_pin : "VGND";')
        body = []
        for t in r.arcs:
            if t.arc.output == out:
                _arc(body, t, out)
        o += ["  " + line for line in body]
        o.append("    }")
    o.append("  }")
    return o


def library_text(name: str, cond: Conditions, results: list[CellResult], comment: str = "") -> str:
    """A whole Liberty library of ``results`` characterised under ``cond``."""
    v = num(cond.vdd)
    oc = f"{cond.corner}_{num(cond.temp)}C_{v}V".replace("-", "n").replace(".", "p")
    pct = lambda f: num(f * 100)   # noqa: E731
    o = []
    if comment:
        o.append(f"/* {comment} */")
    o += [f'library ("{name}") {{', "  technology (cmos);", "  delay_model : table_lookup;",
          '  time_unit : "1ns";', '  voltage_unit : "1V";', '  current_unit : "1mA";',
          '  pulling_resistance_unit : "1kohm";', '  leakage_power_unit : "1nW";',
          '  capacitive_load_unit (1, pf);', "  nom_process : 1;", f"  nom_temperature : {num(cond.temp)};",
          f"  nom_voltage : {v};", f'  voltage_map ("VPWR", {v});', f'  voltage_map ("VPB", {v});',
          '  voltage_map ("VGND", 0);', '  voltage_map ("VNB", 0);',
          f"  input_threshold_pct_rise : {pct(cond.delay_th)};", f"  input_threshold_pct_fall : {pct(cond.delay_th)};",
          f"  output_threshold_pct_rise : {pct(cond.delay_th)};", f"  output_threshold_pct_fall : {pct(cond.delay_th)};",
          f"  slew_lower_threshold_pct_rise : {pct(cond.slew_lo)};", f"  slew_lower_threshold_pct_fall : {pct(cond.slew_lo)};",
          f"  slew_upper_threshold_pct_rise : {pct(cond.slew_hi)};", f"  slew_upper_threshold_pct_fall : {pct(cond.slew_hi)};",
          f"  slew_derate_from_library : {num(cond.slew_derate)};",
          "  default_max_transition : 10;", "  default_fanout_load : 1;", "  default_input_pin_cap : 0;",
          "  default_output_pin_cap : 0;", "  default_inout_pin_cap : 0;", "  default_cell_leakage_power : 0;",
          "  default_leakage_power_density : 0;",
          f"  operating_conditions ({oc}) {{ process : 1; temperature : {num(cond.temp)}; voltage : {v}; "
          "tree_type : balanced_tree; }", f"  default_operating_conditions : {oc};"]
    shapes, cshapes = set(), set()
    for r in results:
        shapes |= {(len(t.slews), len(t.loads)) for t in r.arcs}
        cshapes |= {(len(c.clock_slews), len(c.pin_slews)) for c in r.constraints}
    for n, m in sorted(shapes):
        o += [f"  lu_table_template ({_delay_tpl(n, m)}) {{", "    variable_1 : input_net_transition;",
              "    variable_2 : total_output_net_capacitance;",
              f'    index_1 ("{_row(np.arange(1, n + 1))}");', f'    index_2 ("{_row(np.arange(1, m + 1))}");', "  }"]
    for n, m in sorted(cshapes):
        o += [f"  lu_table_template ({_cons_tpl(n, m)}) {{", "    variable_1 : related_pin_transition;",
              "    variable_2 : constrained_pin_transition;",
              f'    index_1 ("{_row(np.arange(1, n + 1))}");', f'    index_2 ("{_row(np.arange(1, m + 1))}");', "  }"]
    for r in sorted(results, key=lambda r: r.name):
        o += cell_text(r)
    o.append("}")
    return "\n".join(o) + "\n"
