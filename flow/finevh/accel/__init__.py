"""finevh.accel"""
