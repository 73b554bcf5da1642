# sky130 sample: OpenROAD's gcd (gcd_prefill.def) at ss -40 C. Units: ns, pF.
# 6 ns: met at 1.76 V (worst path ~5.5 ns), missed at 1.40 V (~14.4 ns).
create_clock -name core_clock -period 6 [get_ports clk]
set_input_delay 0.5 -clock core_clock [get_ports {req_msg* req_val resp_rdy reset}]
set_output_delay 0.5 -clock core_clock [all_outputs]
set_input_transition 0.1 [all_inputs]
