"""finevh.place"""
