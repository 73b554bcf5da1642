# Design loading through `finevh read` (docs/netlist.md; every option: docs/tcl.md).
#
# finevh::read_design ?-liberty {a.lib b.lib}? ?-verilog NET.v? ?-top T? ?-lef {t.lef c.lef}?
#                     ?-def F.def? ?-sdc F.sdc? ?-cell_map MAP? ?-parser fast|pyverilog?
#                     ?-decompose_wide_gates? ?-json? ?-dict?
#     text summary (instances, nets, ports, area, cells, libraries); inside a tool shell
#     the loaded design by default; with -dict the Tcl dict {top instances nets ports
#     inputs outputs inouts pins area_um2 sequential cell_types
#     libraries {{name .. path .. cells .. voltage .. used ..} ..} top_cells {{cell .. count ..} ..}}
# finevh::read_design_json ...same options...  -> that dict (same as read_design -dict)
#
# Progress lines are silenced (--quiet) so that a failure's Tcl error is the single
# line "finevh: error: FILE:LINE: message".

proc finevh::read_design {args} {
    return [finevh::stage finevh::read_design read [list -quiet {*}$args]]
}

proc finevh::read_design_json {args} {
    return [finevh::stage finevh::read_design_json read [list -quiet {*}$args] -result dict]
}
