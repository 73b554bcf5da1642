"""A canonical, comparable form of :class:`~finevh.constraints.model.Constraints`:
two SDC files that constrain the design the same way (e.g. a flow's SDC and the
``write_sdc`` output of OpenSTA after reading it) have equal normal forms.

Values are rounded to 1e-6 (ns, pF); object lists become sorted tuples; every port
delay side (min/max x rise/fall) is listed separately; source lines are dropped.
"""

from __future__ import annotations

from .model import Constraints


def _r(x):
    return None if x is None else round(float(x), 6)


def _objs(xs) -> tuple:
    return tuple(sorted(set(xs)))


def normal_form(c: Constraints) -> dict[str, object]:
    """The constraints as plain data (see module doc)."""

    def sides(ds):
        out: dict[tuple, set] = {}
        for d in ds:
            for m in ("min", "max"):
                for r in ("rise", "fall"):
                    if getattr(d, m) and getattr(d, r):
                        out.setdefault((d.port, d.clock, d.clock_fall, m, r), set()).add(_r(d.delay))
        return out

    return {
        "clocks": {n: (_r(k.period), tuple(_r(x) for x in k.waveform), _objs(k.sources), _r(k.uncertainty_setup),
                       _r(k.uncertainty_hold), _r(k.latency), _r(k.source_latency), _r(k.transition), k.propagated)
                   for n, k in c.clocks.items()},
        "in": sides(c.input_delays), "out": sides(c.output_delays),
        "loads": {p: _r(v) for p, v in c.loads.items()},
        "slews": {p: _r(v) for p, v in c.input_transitions.items()},
        "drive": {p: (d.lib_cell, d.pin) for p, d in c.driving_cells.items()},
        "exceptions": sorted((e.kind, _r(e.value), _objs(e.from_), tuple(_objs(t) for t in e.through), _objs(e.to),
                              e.setup, e.hold, e.from_rf, e.to_rf, e.end_rf, e.ignore_clock_latency)
                             for e in c.exceptions),
        "group_paths": sorted((g.name or "", _objs(g.from_), tuple(_objs(t) for t in g.through), _objs(g.to))
                              for g in c.group_paths),
        "clock_groups": sorted((g.kind, tuple(sorted(_objs(x) for x in g.groups))) for g in c.clock_groups),
        "derates": sorted((_r(d.value), d.early_late, d.rise_fall, d.clock_data, d.kind, _objs(d.objects))
                          for d in c.derates),
        "disabled": sorted((_objs(d.objects), d.from_pin or "", d.to_pin or "") for d in c.disabled),
        "case": sorted((a.value, _objs(a.objects)) for a in c.case_analysis),
        "limits": {k: sorted((_r(v), o) for v, o in vs) for k, vs in c.limits.items()},
    }
