"""finevh.layout"""
