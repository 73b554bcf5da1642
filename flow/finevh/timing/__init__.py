"""finevh.timing"""
