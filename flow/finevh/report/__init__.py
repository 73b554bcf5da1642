"""finevh.report"""
