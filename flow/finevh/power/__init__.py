"""finevh.power: leakage, internal and switching power of a linked design
(OpenSTA ``report_power`` rules; see ``docs/power.md``).

Main entry points: :func:`finevh.power.analysis.analyse` with an
:class:`~finevh.power.analysis.ActivitySpec`, returning a
:class:`~finevh.power.analysis.PowerResult` (per-instance arrays in uW).
"""
