# FINE-VH "no-look" N x N tile mesh through `finevh partition` (docs/fvh.md; options: docs/tcl.md).
#
# finevh::partition_tiles ?-liberty {a.lib ...}? ?-verilog NETLIST.v? ?-lef {tech.lef cells.lef}?
#                         ?-def PLACED.def? ?-tiles 3 | {1 3 5 7}? ?-wrapper UM? ?-wrapper_layer M1?
#                         ?-top NAME? ?-sdc C.sdc? ?-supply_names {VDDH VDDL VSS VVDD_T{id}}?
#                         ?-out PLAN.fvh.json? ?-def_out FILE? ?-json? ?-dict? ?-apply ?-emit_options {..}??
# Returns the report text (the Table 4.1 trend when several tile counts are given); with
# -dict the Tcl dict {n tiles rows tile_w_um tile_h_um interface_cells area_overhead_pct
# utilisation_pct cells_per_tile_min cells_per_tile_max ...} (a list of such dicts for a
# list of tile counts). Inside OpenSTA the netlist, libraries and SDC come from the
# shell; the placement (-def) and its LEF (-lef, or finevh::design_files -lef) are given;
# OpenROAD gives them too (write_def, read_lef).
proc finevh::partition_tiles {args} {
    return [finevh::stage finevh::partition_tiles partition $args]
}
