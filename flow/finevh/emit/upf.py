"""IEEE 1801 (UPF 2.x) power intent of a FINE-VH plan (``finevh emit --tool upf``).

- supply ports and nets VDDH, VDDL, VSS at the top (``create_supply_port``,
  ``create_supply_net``, ``connect_supply_net -ports``);
- a top domain ``PD_TOP`` (the whole scope) on VDDH/VSS, and one domain ``PD_T<id>``
  per tile whose elements are the tile's instances (``create_power_domain
  -elements``), its primary power the tile's virtual supply (``set_domain_supply_net``);
- one two-input power switch per tile (``create_power_switch``): input supply ports
  ``in_h`` (VDDH) and ``in_l`` (VDDL), output ``out`` (the virtual supply), control
  port ``sel`` on the tile's configuration flip-flop output, on-states ``on_h`` when
  ``sel`` and ``on_l`` when ``!sel``. A tile's Vdd-MUX cells are the physical
  implementation of this one logical switch;
- supply states (``add_port_state``) and one power-state table per tile
  (``create_pst``/``add_pst_state``): every tile runs independently at VddH or VddL,
  which separate per-tile tables express without enumerating 2^N combinations.
"""

from __future__ import annotations

from .common import EmitData, chunks, fmt
from .tclquote import tcl_list_word, tcl_word, upf_name


def emit(d: EmitData) -> str:
    p, o, sup = d.plan, d.opts, d.sup
    L = d.header("upf")
    L += ["", "upf_version 2.1", ""]
    L.append("# supply ports and nets")
    for net in (sup.vddh, sup.vddl, sup.vss):
        L.append(f"create_supply_port {tcl_word(net)}")
        L.append(f"create_supply_net {tcl_word(net)}")
        L.append(f"connect_supply_net {tcl_word(net)} -ports {tcl_word(net)}")
    L.append("")
    L.append("create_power_domain PD_TOP -include_scope")
    L.append(f"set_domain_supply_net PD_TOP -primary_power_net {tcl_word(sup.vddh)} "
             f"-primary_ground_net {tcl_word(sup.vss)}")
    L.append("")
    L.append(f"add_port_state {tcl_word(sup.vddh)} -state {{HV {fmt(o.vddh_v)}}}")
    L.append(f"add_port_state {tcl_word(sup.vddl)} -state {{LV {fmt(o.vddl_v)}}}")
    L.append(f"add_port_state {tcl_word(sup.vss)} -state {{GND 0}}")
    flops = {f.tile: k for k, f in enumerate(p.config_chain.flops)}
    for t in range(len(d.tiles)):
        dom = f"PD_T{t}"
        vnet = tcl_word(sup.virtual_net(t))
        L.append("")
        L.append(f"# tile {t}: {len(d.tile_insts[t])} instances, {len(d.mux_by_tile[t])} Vdd-MUX cells")
        if d.tile_insts[t]:
            L.append(f"set fvh_elements {{}}")
            for ch in chunks(d.tile_insts[t]):
                L.append("lappend fvh_elements " + " ".join(tcl_word(upf_name(x, None if o.flat_names else "/")) for x in ch))
            L.append(f"create_power_domain {dom} -elements $fvh_elements")
        else:
            L.append(f"create_power_domain {dom} -elements {{}}")
        L.append(f"create_supply_net {vnet} -domain {dom}")
        ctrl = d.chain_nets[flops[t]] if t in flops else f"fvh_sel_t{t}"
        vname = sup.virtual_net(t)
        L.append(f"create_power_switch SW_T{t} -domain {dom} "
                 f"-output_supply_port {tcl_list_word(['out', vname])} "
                 f"-input_supply_port {tcl_list_word(['in_h', sup.vddh])} "
                 f"-input_supply_port {tcl_list_word(['in_l', sup.vddl])} "
                 f"-control_port {tcl_list_word(['sel', ctrl])} "
                 f"-on_state {{on_h in_h {{sel}}}} -on_state {{on_l in_l {{!sel}}}}")
        L.append(f"set_domain_supply_net {dom} -primary_power_net {vnet} -primary_ground_net {tcl_word(sup.vss)}")
        L.append(f"add_port_state SW_T{t}/out -state {{HV {fmt(o.vddh_v)}}} -state {{LV {fmt(o.vddl_v)}}}")
        L.append(f"create_pst PST_T{t} -supplies {tcl_list_word([sup.vddh, sup.vddl, sup.vss, vname])}")
        L.append(f"add_pst_state T{t}_HIGH -pst PST_T{t} -state {{HV LV GND HV}}")
        L.append(f"add_pst_state T{t}_LOW -pst PST_T{t} -state {{HV LV GND LV}}")
    L.append("")
    return "\n".join(L)
