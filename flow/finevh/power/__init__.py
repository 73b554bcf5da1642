"""finevh.power"""
