# Constraints of the sample design (osu018 units: ns, pF).
create_clock -name clk -period 5.0 [get_ports clk]
set_input_delay 0.5 -clock clk [get_ports {rst en a[*] b[*]}]
set_output_delay 0.5 -clock clk [all_outputs]
set_input_transition 0.1 [all_inputs]
set_load 0.02 [all_outputs]
