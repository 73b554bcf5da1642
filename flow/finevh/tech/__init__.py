"""finevh.tech"""
