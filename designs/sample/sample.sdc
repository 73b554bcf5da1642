# Constraints of the sample design (osu018 units: ns, pF).
# The netlist's buses are bit-blasted escaped names (\a[0] ): the brackets of the
# pattern are escaped so that they match literally (OpenSTA 3.x stops with "Error: stoi"
# on a[*], which it reads as a bus subscript).
create_clock -name clk -period 5.0 [get_ports clk]
set_input_delay 0.5 -clock clk [get_ports {rst en a\[*\] b\[*\]}]
set_output_delay 0.5 -clock clk [all_outputs]
set_input_transition 0.1 [all_inputs]
set_load 0.02 [all_outputs]
