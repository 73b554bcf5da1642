"""finevh: ultra-fine-grain Vdd hopping (FINE-VH) for physical-design flows.

Layers (data flows downwards only, no module imports from a layer above it):

    cli, tcl                      user entry points
    report, emit                  outputs (reports, Tcl, UPF, DEF)
    fvh                           FINE-VH stages (tiles, Vdd-MUX, poly-bias, emulation)
    timing, power, accel, place   analyses
    design                        the linked design database
    netlist, liberty, layout,     readers/models of the input formats
    constraints
    errors, units, fileio,        shared foundations
    progress
"""

__version__ = "0.1.0"
