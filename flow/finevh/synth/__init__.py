"""finevh.synth"""
