# Demo design: fvh_rv32 on demo28 (PB0, 1.00 V, ss 125C). Units: ns, pF.
# The netlist's buses are bit-blasted escaped names (\dmem_rdata[0] ): match them with
# dmem_rdata*, not dmem_rdata[*] (OpenSTA 3.x stops with "Error: stoi" on the latter).
create_clock -name clk -period 10 [get_ports clk]
set_input_delay 0.2 -clock clk [get_ports {dmem_rdata* imem_rdata* rst_n}]
set_output_delay 0.2 -clock clk [all_outputs]
set_input_transition 0.02 [all_inputs]
