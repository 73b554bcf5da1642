"""finevh.netlist"""
