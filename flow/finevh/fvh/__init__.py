"""finevh.fvh"""
