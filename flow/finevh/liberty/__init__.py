"""finevh.liberty"""
