"""finevh.emit"""
