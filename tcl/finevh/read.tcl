# Design loading through `finevh read` (see docs/netlist.md).
#
# finevh::read_design -liberty {a.lib b.lib} -verilog NET.v ?-top T? ?-lef {t.lef c.lef}?
#                     ?-def F.def? ?-sdc F.sdc? ?-cell_map MAP? ?-parser fast|pyverilog?
#                     ?-decompose_wide_gates 0|1?
#     text summary (instances, nets, ports, area, cells, libraries)
# finevh::read_design_json ...same options...
#     the summary as a Tcl dict of its scalar fields (instances nets ports area_um2
#     sequential pins top ...); nested lists (libraries, top_cells) are left out

proc finevh::_read_args {procname argv} {
    return [finevh::cli_args $procname $argv [list {*}$finevh::design_opts \
        cell_map value parser value decompose_wide_gates bool]]
}

# Progress lines are silenced (--quiet) so that a failure's Tcl error is the single
# line "finevh: error: FILE:LINE: message".
proc finevh::read_design {args} {
    return [finevh::run --quiet read {*}[finevh::_read_args finevh::read_design $args]]
}

proc finevh::read_design_json {args} {
    set json [finevh::run --quiet read --json {*}[finevh::_read_args finevh::read_design_json $args]]
    # The JSON is written with sorted keys, one "key": value per line at the top level:
    # pick the scalar fields (numbers and strings) without a JSON package.
    set d [dict create]
    foreach line [split $json "\n"] {
        if {[regexp {^  "([A-Za-z_0-9]+)": ("([^"]*)"|(-?[0-9.eE+-]+)|null|true|false),?$} $line -> key raw str num]} {
            if {$num ne ""} { dict set d $key $num } elseif {$str ne "" || [string index $raw 0] eq "\""} {
                dict set d $key $str } else { dict set d $key $raw }
        }
    }
    return $d
}
