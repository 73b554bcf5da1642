"""finevh.constraints"""
