# FINE-VH PE design: fvh_pe (scalable-precision PE, rtl/pe) on demo28 (PB0, 1.00 V, ss 125C).
# Units: ns, pF. 3.0 ns clock (333 MHz): the critical path is 2.79 ns with placement
# wire capacitance (2.19 ns without wires).
create_clock -name clk -period 3.0 [get_ports clk]
set_input_delay 0.1 -clock clk [all_inputs -no_clocks]
set_output_delay 0.1 -clock clk [all_outputs]
set_input_transition 0.02 [all_inputs]
