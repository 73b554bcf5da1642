"""Innovus flavour of ``finevh emit`` (after placement).

- tile wrappers: hard placement blockages (``createPlaceBlockage -box -type hard``);
- tiles: instance groups fenced to their tile (``createInstGroup -fence``,
  ``addInstToInstGroup``);
- supplies: ``addNet -power/-ground``, pin ties with ``globalNetConnect -type pgpin``
  (``-singleInstance`` for per-tile virtual supplies), straps with ``addStripe``;
- Vdd-MUX and chain flip-flops: ``addInst -cell -inst``, ``placeInstance ... -fixed``,
  nets ``addNet`` + ``attachTerm``;
- poly-bias swaps: ``ecoChangeCell -inst -cell`` inside ``setEcoMode -batchMode``.

Names use the DEF spelling (escaped-identifier brackets backslashed), as Innovus does.
"""

from __future__ import annotations

from .common import ORIENT_INNOVUS, EmitData, chunks, fmt, fmt_box
from .tclquote import def_name, tcl_list_word, tcl_word


def _names_var(var: str, names: list[str]) -> list[str]:
    out = [f"set {var} {{}}"]
    for ch in chunks(names):
        out.append(f"lappend {var} " + " ".join(tcl_word(def_name(x)) for x in ch))
    return out


def emit(d: EmitData) -> str:
    p, o, sup = d.plan, d.opts, d.sup
    L = d.header("innovus")
    L.append("")
    L.append("# 1. tile wrappers: hard placement blockages (um)")
    for k, b in enumerate(d.wrappers):
        L.append(f"createPlaceBlockage -name fvh_wrap_{k} -type hard -box {{{fmt_box(b)}}}")
    L.append("")
    L.append("# 2. tiles: fenced instance groups")
    for t, b in enumerate(d.tiles):
        L.append(f"createInstGroup fvh_tile_{t} -fence {fmt_box(b)}")
        if d.tile_insts[t]:
            L += _names_var("fvh_insts", d.tile_insts[t])
            L.append(f"addInstToInstGroup fvh_tile_{t} $fvh_insts")
    L.append("")
    L.append("# 3. supply nets and VddH/VddL straps")
    L.append(f"addNet {tcl_word(sup.vddh)} -power")
    L.append(f"addNet {tcl_word(sup.vddl)} -power")
    L.append(f"addNet {tcl_word(sup.vss)} -ground")
    for t in range(len(d.tiles)):
        L.append(f"addNet {tcl_word(sup.virtual_net(t))} -power")
    L.append(f"globalNetConnect {tcl_word(sup.vddh)} -type pgpin -pin {tcl_word(o.mux_vddh)} -inst * -override")
    L.append(f"globalNetConnect {tcl_word(sup.vddl)} -type pgpin -pin {tcl_word(o.mux_vddl)} -inst * -override")
    L.append(f"globalNetConnect {tcl_word(sup.vss)} -type pgpin -pin {tcl_word(o.ground_pin)} -inst * -override")
    L.append(f"addStripe -nets {tcl_list_word([sup.vddh, sup.vddl])} -layer {tcl_word(o.strap_layer)} -direction vertical "
             f"-width {fmt(o.strap_width)} -spacing {fmt(o.strap_width)} "
             f"-set_to_set_distance {fmt(d.strap_pitch)} -start_offset {fmt(d.strap_pitch / 4)}")
    L.append("")
    L.append("# 4. Vdd-MUX header switches: added and placed fixed (um)")
    muxes = p.vddmux.cells
    for c in muxes:
        nm = tcl_word(def_name(c.name))
        L.append(f"addInst -cell {tcl_word(c.master)} -inst {nm}")
        L.append(f"placeInstance {nm} {fmt(c.x)} {fmt(c.y)} {ORIENT_INNOVUS.get(c.orient, 'R0')} -fixed")
    L.append("")
    L.append("# 5. per-tile virtual supplies: switch outputs and the tile's cells' power pins")
    for t in range(len(d.tiles)):
        vnet = tcl_word(sup.virtual_net(t))
        for k in d.mux_by_tile[t]:
            L.append(f"globalNetConnect {vnet} -type pgpin -pin {tcl_word(o.mux_out)} "
                     f"-singleInstance {tcl_word(def_name(muxes[k].name))} -override")
        if d.tile_insts[t]:
            L += _names_var("fvh_insts", d.tile_insts[t])
            L.append(f"foreach fvh_i $fvh_insts {{ globalNetConnect {vnet} -type pgpin "
                     f"-pin {tcl_word(o.power_pin)} -singleInstance $fvh_i -override }}")
    L.append("")
    L += _chain(d)
    L.append("")
    L.append("# 7. poly-bias swaps")
    L.append("setEcoMode -batchMode true")
    for s in d.swaps:
        L.append(f"ecoChangeCell -inst {tcl_word(def_name(s.instance))} -cell {tcl_word(s.to_cell)}")
    L.append("setEcoMode -batchMode false")
    L.append("")
    return "\n".join(L)


def _chain(d: EmitData) -> list[str]:
    p, o = d.plan, d.opts
    cc = p.config_chain
    L = ["# 6. configuration flip-flop chain (Q of flop k -> its tile's switch selects and flop k+1)"]
    if not cc.flops:
        return L + ["# (no configuration chain in the plan)"]
    for f in cc.flops:
        nm = tcl_word(def_name(f.name))
        L.append(f"addInst -cell {tcl_word(cc.master)} -inst {nm}")
        L.append(f"placeInstance {nm} {fmt(f.x)} {fmt(f.y)} {ORIENT_INNOVUS.get(f.orient, 'R0')} -fixed")
    for net in (cc.clock, cc.data_in):
        L.append(f"addNet {tcl_word(net)}")
    for k, f in enumerate(cc.flops):
        ff = tcl_word(def_name(f.name))
        L.append(f"attachTerm {ff} {tcl_word(o.ff_ck)} {tcl_word(cc.clock)}")
        src = cc.data_in if k == 0 else d.chain_nets[k - 1]
        L.append(f"attachTerm {ff} {tcl_word(o.ff_d)} {tcl_word(src)}")
        q = tcl_word(d.chain_nets[k])
        L.append(f"addNet {q}")
        L.append(f"attachTerm {ff} {tcl_word(o.ff_q)} {q}")
        for m in d.mux_by_tile[f.tile]:
            L.append(f"attachTerm {tcl_word(def_name(p.vddmux.cells[m].name))} {tcl_word(o.mux_sel)} {q}")
    return L
