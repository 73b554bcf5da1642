"""IC Compiler II flavour of ``finevh emit`` (after placement, with the plan's UPF
from ``finevh emit --tool upf`` loaded and committed).

- tile wrappers: hard placement blockages (``create_placement_blockage -boundary``);
- tiles: one voltage area per tile power domain ``PD_T<id>`` (``create_voltage_area
  -power_domains -region``), no guard band (the wrapper is the gap);
- supplies: ``create_net -power/-ground``, pins tied with ``connect_pg_net -net``,
  VDDH/VDDL straps (``create_pg_mesh_pattern``, ``set_pg_strategy``, ``compile_pg``);
- Vdd-MUX and chain flip-flops: ``create_cell``, ``set_cell_location -coordinates
  -orientation -fixed``, ``set_placement_status fixed``; nets ``create_net`` +
  ``connect_net -net``;
- poly-bias swaps: ``size_cell -lib_cell``.
"""

from __future__ import annotations

from .common import ORIENT, EmitData, chunks, fmt, fmt_box
from .tclquote import syn_name, tcl_list, tcl_list_word, tcl_word


def _bbox(b) -> str:
    return f"{{{{{fmt(b[0])} {fmt(b[1])}}} {{{fmt(b[2])} {fmt(b[3])}}}}}"


def _names_var(var: str, items: list, flat: bool) -> list[str]:
    """``set var {}`` + ``lappend`` lines; an item is an instance name or (instance, pin)."""
    def one(x) -> str:
        if isinstance(x, tuple):
            return tcl_word(syn_name(x[0], flat) + "/" + x[1])
        return tcl_word(syn_name(x, flat))
    out = [f"set {var} {{}}"]
    for ch in chunks(items):
        out.append(f"lappend {var} " + " ".join(one(x) for x in ch))
    return out


def domain(t: int) -> str:
    return f"PD_T{t}"


def emit(d: EmitData) -> str:
    p, o, sup = d.plan, d.opts, d.sup
    flat = o.flat_names
    L = d.header("icc2")
    L.append("")
    L.append("# 1. tile wrappers: hard placement blockages (um)")
    for k, b in enumerate(d.wrappers):
        L.append(f"create_placement_blockage -name fvh_wrap_{k} -type hard -boundary {_bbox(b)}")
    L.append("")
    L.append("# 2. tiles: one voltage area per tile power domain (UPF from finevh emit --tool upf)")
    for t, b in enumerate(d.tiles):
        L.append(f"create_voltage_area -power_domains {domain(t)} -region {_bbox(b)}")
    L.append("")
    L.append("# 3. supply nets and VddH/VddL straps")
    L.append(f"create_net -power {tcl_word(sup.vddh)}")
    L.append(f"create_net -power {tcl_word(sup.vddl)}")
    L.append(f"create_net -ground {tcl_word(sup.vss)}")
    for t in range(len(d.tiles)):
        L.append(f"create_net -power {tcl_word(sup.virtual_net(t))}")
    layer_spec = tcl_list([tcl_list(["vertical_layer:", o.strap_layer]), tcl_list(["width:", fmt(o.strap_width)]),
                           tcl_list(["pitch:", fmt(d.strap_pitch)]), "spacing: interleaving"])
    L.append(f"create_pg_mesh_pattern fvh_straps -layers {tcl_list_word([layer_spec])}")
    nets_spec = tcl_list(["nets:", tcl_list([sup.vddh, sup.vddl])])
    L.append(f"set_pg_strategy fvh_straps -core -pattern {tcl_list_word(['name: fvh_straps', nets_spec])}")
    L.append("compile_pg -strategies fvh_straps")
    L.append("")
    L.append("# 4. Vdd-MUX header switches: created, placed and fixed (um)")
    muxes = p.vddmux.cells
    for c in muxes:
        nm = tcl_word(syn_name(c.name, flat))
        L.append(f"create_cell {nm} {tcl_word(c.master)}")
        L.append(f"set_cell_location -coordinates {{{fmt(c.x)} {fmt(c.y)}}} "
                 f"-orientation {ORIENT.get(c.orient, 'R0')} -fixed [get_cells {nm}]")
        L.append(f"set_placement_status fixed [get_cells {nm}]")
    if muxes:
        for net, pin in ((sup.vddh, o.mux_vddh), (sup.vddl, o.mux_vddl), (sup.vss, o.ground_pin)):
            L += _names_var("fvh_pins", [(c.name, pin) for c in muxes], flat)
            L.append(f"connect_pg_net -net {tcl_word(net)} [get_pins $fvh_pins]")
    L.append("")
    L.append("# 5. per-tile virtual supplies")
    for t in range(len(d.tiles)):
        vnet = tcl_word(sup.virtual_net(t))
        pins = [(muxes[k].name, o.mux_out) for k in d.mux_by_tile[t]]
        pins += [(n, o.power_pin) for n in d.tile_insts[t]]
        if pins:
            L += _names_var("fvh_pins", pins, flat)
            L.append(f"connect_pg_net -net {vnet} [get_pins $fvh_pins]")
    L.append("")
    L += _chain(d)
    L.append("")
    L.append("# 7. poly-bias swaps")
    for s in d.swaps:
        L.append(f"size_cell -lib_cell [get_lib_cells {tcl_word('*/' + s.to_cell if '/' not in s.to_cell else s.to_cell)}]"
                 f" [get_cells {tcl_word(syn_name(s.instance, flat))}]")
    L.append("")
    return "\n".join(L)


def _chain(d: EmitData) -> list[str]:
    p, o = d.plan, d.opts
    flat = o.flat_names
    cc = p.config_chain
    L = ["# 6. configuration flip-flop chain (Q of flop k -> its tile's switch selects and flop k+1)"]
    if not cc.flops:
        return L + ["# (no configuration chain in the plan)"]
    for f in cc.flops:
        nm = tcl_word(syn_name(f.name, flat))
        L.append(f"create_cell {nm} {tcl_word(cc.master)}")
        L.append(f"set_cell_location -coordinates {{{fmt(f.x)} {fmt(f.y)}}} "
                 f"-orientation {ORIENT.get(f.orient, 'R0')} -fixed [get_cells {nm}]")
        L.append(f"set_placement_status fixed [get_cells {nm}]")
    for net in (cc.clock, cc.data_in):
        L.append(f"if {{[sizeof_collection [get_nets -quiet {tcl_word(net)}]] == 0}} "
                 f"{{ create_net {tcl_word(net)} }}")
    L += _names_var("fvh_pins", [(f.name, o.ff_ck) for f in cc.flops], flat)
    L.append(f"connect_net -net {tcl_word(cc.clock)} [get_pins $fvh_pins]")
    L.append(f"connect_net -net {tcl_word(cc.data_in)} [get_pins {tcl_word(syn_name(cc.flops[0].name, flat) + '/' + o.ff_d)}]")
    for k, f in enumerate(cc.flops):
        q = d.chain_nets[k]
        pins = [(f.name, o.ff_q)]
        if k + 1 < len(cc.flops):
            pins.append((cc.flops[k + 1].name, o.ff_d))
        pins += [(p.vddmux.cells[m].name, o.mux_sel) for m in d.mux_by_tile[f.tile]]
        L.append(f"create_net {tcl_word(q)}")
        L += _names_var("fvh_pins", pins, flat)
        L.append(f"connect_net -net {tcl_word(q)} [get_pins $fvh_pins]")
    return L
