"""OpenROAD flavour of ``finevh emit`` (run after detailed placement, e.g. from the
ORFS ``POST_DETAIL_PLACE_TCL`` hook; see docs/emit.md).

- tile wrappers: hard placement blockages (``create_blockage -region``, um). Tiles
  are NOT modelled as OpenROAD voltage domains: ``create_voltage_domain`` cuts the
  rows around a domain with a 6-row gap, which would destroy the tile mesh;
- supplies: VDDH/VDDL/VSS global connections of the Vdd-MUX pins
  (``add_global_connection``), per-tile virtual supplies tied instance by instance
  through odb (``dbNet_create``, ``findInst``/``findITerm``/``connect``), VDDH/VDDL
  straps through pdngen (``set_voltage_domain -secondary_power``,
  ``define_pdn_grid``, ``add_pdn_stripe -nets``, ``pdngen``);
- Vdd-MUX cells and configuration flip-flops created and placed FIRM
  (``place_cell -cell``), the chain wired with ``make_net``/``connect_pin``;
- poly-bias swaps: ``replace_cell``.

Names use the odb (DEF) spelling: brackets of escaped identifiers are backslashed.
"""

from __future__ import annotations

from .common import ORIENT, EmitData, chunks, fmt, fmt_box
from .tclquote import def_name, list1, tcl_list_word, tcl_regex_literal, tcl_word

_HELPER = """\
# tie pin PIN of every instance in INSTS to supply net NET (created if missing)
proc fvh_tie_supply {net pin sigtype insts} {
  set block [ord::get_db_block]
  set n [$block findNet $net]
  if {$n eq "NULL"} {
    set n [odb::dbNet_create $block $net]
    $n setSpecial
    $n setSigType $sigtype
  }
  foreach name $insts {
    set inst [$block findInst $name]
    if {$inst eq "NULL"} { error "finevh: instance $name not found" }
    set it [$inst findITerm $pin]
    if {$it eq "NULL"} { error "finevh: instance $name has no pin $pin" }
    $it connect $n
  }
}
"""


def _list_var(var: str, names: list[str]) -> list[str]:
    out = [f"set {var} {{}}"]
    for ch in chunks(names):
        out.append(f"lappend {var} " + " ".join(tcl_word(def_name(x)) for x in ch))
    return out


def emit(d: EmitData) -> str:
    p, o, sup = d.plan, d.opts, d.sup
    L = d.header("openroad")
    L += ["# Tiles are placement blockages between tiles, never OpenROAD voltage domains.", "", _HELPER]
    L.append("# 1. tile wrappers: hard placement blockages (um)")
    for b in d.wrappers:
        L.append(f"create_blockage -region {{{fmt_box(b)}}}")
    L += ["", "# 2. supply nets: VddH / VddL / ground on the Vdd-MUX pins, straps, per-tile virtual supplies"]
    L.append(f"add_global_connection -net {tcl_word(sup.vddh)} -inst_pattern {{.*}} "
             f"-pin_pattern {tcl_word('^' + tcl_regex_literal(o.mux_vddh) + '$')} -power")
    L.append(f"add_global_connection -net {tcl_word(sup.vddl)} -inst_pattern {{.*}} "
             f"-pin_pattern {tcl_word('^' + tcl_regex_literal(o.mux_vddl) + '$')} -power")
    L.append(f"add_global_connection -net {tcl_word(sup.vss)} -inst_pattern {{.*}} "
             f"-pin_pattern {tcl_word('^' + tcl_regex_literal(o.ground_pin) + '$')} -ground")
    L.append("global_connect")
    L.append(f"set_voltage_domain -name CORE -power {tcl_word(sup.vddh)} -ground {tcl_word(sup.vss)} "
             f"-secondary_power {tcl_word(sup.vddl)}")
    L.append("define_pdn_grid -name fvh_straps -voltage_domains {CORE}")
    L.append(f"add_pdn_stripe -grid fvh_straps -layer {tcl_word(o.strap_layer)} -width {fmt(o.strap_width)} "
             f"-pitch {fmt(d.strap_pitch)} -offset {fmt(d.strap_pitch / 4)} "
             f"-nets {tcl_list_word([sup.vddh, sup.vddl])}")
    L.append("pdngen")
    L.append("")
    L.append("# 3. Vdd-MUX header switches: created and placed FIRM (um)")
    muxes = p.vddmux.cells
    for c in muxes:
        L.append(f"place_cell -inst_name {list1(def_name(c.name))} -cell {tcl_word(c.master)} "
                 f"-origin {{{fmt(c.x)} {fmt(c.y)}}} -orient {ORIENT.get(c.orient, 'R0')} -status FIRM")
    if muxes:
        L += _list_var("fvh_mux", [c.name for c in muxes])
        L.append(f"fvh_tie_supply {tcl_word(sup.vddh)} {tcl_word(o.mux_vddh)} POWER $fvh_mux")
        L.append(f"fvh_tie_supply {tcl_word(sup.vddl)} {tcl_word(o.mux_vddl)} POWER $fvh_mux")
        L.append(f"fvh_tie_supply {tcl_word(sup.vss)} {tcl_word(o.ground_pin)} GROUND $fvh_mux")
    L.append("")
    L.append("# 4. per-tile virtual supplies: the tile's switches drive it, its cells' power pins use it")
    for t in range(len(d.tiles)):
        vnet = tcl_word(sup.virtual_net(t))
        L.append(f"# tile {t}: box {fmt_box(d.tiles[t])}")
        if d.mux_by_tile[t]:
            L += _list_var("fvh_tmux", [muxes[k].name for k in d.mux_by_tile[t]])
            L.append(f"fvh_tie_supply {vnet} {tcl_word(o.mux_out)} POWER $fvh_tmux")
        if d.tile_insts[t]:
            L += _list_var("fvh_cells", d.tile_insts[t])
            L.append(f"fvh_tie_supply {vnet} {tcl_word(o.power_pin)} POWER $fvh_cells")
    L.append("")
    L += _chain(d)
    L.append("")
    L.append("# 6. poly-bias swaps (same footprint, slower and less leaky flavour)")
    for s in d.swaps:
        L.append(f"replace_cell {tcl_word(def_name(s.instance))} {tcl_word(s.to_cell)}")
    L.append("")
    return "\n".join(L)


def _chain(d: EmitData) -> list[str]:
    p, o = d.plan, d.opts
    cc = p.config_chain
    L = ["# 5. configuration flip-flop chain: placed FIRM, Q of flop k -> select of its tile's switches"
         " and D of flop k+1"]
    if not cc.flops:
        L.append("# (no configuration chain in the plan)")
        return L
    for f in cc.flops:
        L.append(f"place_cell -inst_name {list1(def_name(f.name))} -cell {tcl_word(cc.master)} "
                 f"-origin {{{fmt(f.x)} {fmt(f.y)}}} -orient {ORIENT.get(f.orient, 'R0')} -status FIRM")
    for net in (cc.clock, cc.data_in):
        L.append(f"if {{[get_nets -quiet {tcl_word(net)}] eq {{}}}} {{ make_net {tcl_word(net)} }}")
    for k, f in enumerate(cc.flops):
        ff = def_name(f.name)
        L.append(f"connect_pin {tcl_word(cc.clock)} {tcl_word(ff + '/' + o.ff_ck)}")
        src = cc.data_in if k == 0 else d.chain_nets[k - 1]
        L.append(f"connect_pin {tcl_word(src)} {tcl_word(ff + '/' + o.ff_d)}")
        q = d.chain_nets[k]
        L.append(f"make_net {tcl_word(q)}")
        L.append(f"connect_pin {tcl_word(q)} {tcl_word(ff + '/' + o.ff_q)}")
        for m in d.mux_by_tile[f.tile]:
            L.append(f"connect_pin {tcl_word(q)} {tcl_word(def_name(p.vddmux.cells[m].name) + '/' + o.mux_sel)}")
    return L
