"""Timing reports: a ``report_checks``-like text report of the N worst paths, and a
JSON document (``wns_ns``, ``tns_ns``, every constrained endpoint's slack, paths; with
hold analysis also ``hold_wns_ns``, ``hold_tns_ns`` and ``hold_endpoints``).

Times ns, capacitances pF. Output is deterministic: endpoints sorted by slack, then
by name; numbers rounded to 1 fs (6 decimals) in JSON.
"""

from __future__ import annotations

import json

from .engine import Timer
from .result import Endpoint, TimingResult


#: JSON key of an endpoint's check margin, and the text report's words, per check kind
_MARGIN_KEY = {"setup": "setup_ns", "gating_setup": "gating_setup_ns", "hold": "hold_ns",
               "gating_hold": "gating_hold_ns"}
_CHECK_WORDS = {"setup": ("setup/recovery check", "library setup time"),
                "gating_setup": ("clock gating setup check", "clock gating setup time"),
                "output": ("output port", "output external delay")}


def _r(x: float | None, nd: int = 6):
    if x is None:
        return None
    return round(float(x), nd)


def _launch_clock(timer: Timer, ep: Endpoint) -> str | None:
    """Name of the clock launching the path into ``ep`` (None: unclocked, e.g. an input
    without input delay constrained by ``set_max_delay``)."""
    tags = timer.last.tags
    k = tags[ep.tag][0] if tags else -1
    return timer.constraints.clocks[k].name if k >= 0 else None


def _startpoint(timer: Timer, ep: Endpoint, stages: list[dict]) -> str:
    clk = _launch_clock(timer, ep)
    first = stages[0]["pin"] if stages else "?"
    if "/" in first:
        return f"{first.rsplit('/', 1)[0]} (edge-triggered flip-flop clocked by {clk})"
    return f"{first} (input port{' clocked by ' + clk if clk else ''})"


def path_report(timer: Timer, ep: Endpoint) -> dict:
    stages = timer.path(ep)
    return {
        "endpoint": ep.name,
        "kind": ep.kind,
        "startpoint": stages[0]["pin"] if stages else None,
        "slack_ns": _r(ep.slack),
        "arrival_ns": _r(ep.arrival),
        "required_ns": _r(ep.required),
        _MARGIN_KEY.get(ep.kind, "output_delay_ns"): _r(ep.setup),
        "launch_clock": _launch_clock(timer, ep),
        "capture_clock": timer.constraints.clocks[ep.capture_clock].name if ep.capture_clock >= 0 else None,
        "stages": [{"pin": s["pin"], "cell": s["cell"], "transition": "rise" if s["rf"] == "^" else "fall",
                    "delay_ns": _r(s["delay"]), "time_ns": _r(s["time"]), "slew_ns": _r(s["slew"]),
                    "load_pf": _r(s["load"])} for s in stages],
    }


def to_json(timer: Timer, result: TimingResult, n_paths: int = 1) -> str:
    return _dump(to_doc(timer, result, n_paths))


def to_doc(timer: Timer, result: TimingResult, n_paths: int = 1) -> dict:
    """The JSON report of one analysis as a dict (see :func:`to_json`)."""
    nl = timer.design.netlist
    doc = {
        "design": nl.top,
        "wns_ns": _r(result.wns),
        "tns_ns": _r(result.tns),
        "n_endpoints": len(result.endpoints),
        "n_violating": sum(1 for e in result.endpoints if e.slack < 0),
        "endpoints": [{"pin": e.name, "slack_ns": _r(e.slack), "arrival_ns": _r(e.arrival),
                       "required_ns": _r(e.required), "kind": e.kind} for e in result.endpoints],
        "paths": [path_report(timer, e) for e in result.endpoints[:max(0, n_paths)]],
        "loop_breaks": [{"instance": b.instance, "cell": b.cell, "from": b.from_pin, "to": b.to_pin}
                        for b in timer.graph.loop_breaks],
        "clocks": [{"name": c.name, "period_ns": _r(c.period), "propagated": c.propagated}
                   for c in timer.constraints.clocks],
    }
    h = result.hold
    if h is not None:
        eps = h.endpoints
        doc.update({
            "hold_wns_ns": _r(h.wns),
            "hold_tns_ns": _r(h.tns),
            "hold_n_endpoints": len(eps),
            "hold_n_violating": sum(1 for e in eps if e.slack < 0),
            "hold_endpoints": [{"pin": e.name, "slack_ns": _r(e.slack), "arrival_ns": _r(e.arrival),
                                "required_ns": _r(e.required), "kind": e.kind} for e in eps],
        })
    return doc


def _worst_per_endpoint(runs, hold: bool) -> list[dict]:
    """Each endpoint's worst slack over the corners and the corner it comes from (the
    first corner on a tie), sorted by slack then name."""
    best: dict[str, tuple[float, str]] = {}
    for name, _timer, result in runs:
        eps = (result.hold.endpoints if result.hold is not None else []) if hold else result.endpoints
        for e in eps:
            if e.name not in best or e.slack < best[e.name][0]:
                best[e.name] = (e.slack, name)
    return [{"pin": k, "slack_ns": _r(s), "corner": c} for k, (s, c) in sorted(best.items(), key=lambda kv: (kv[1][0], kv[0]))]


def corners_to_json(runs, n_paths: int = 1) -> str:
    """Several operating corners (``[(name, timer, result)]``): the worst setup and hold
    slack of every endpoint over the corners (``endpoints``, ``hold_endpoints`` with the
    corner each comes from; ``wns_ns``/``hold_wns_ns`` and their corner, ``tns_ns``/
    ``hold_tns_ns`` summed over those worst slacks, as OpenSTA's report_tns over all
    scenes) and each corner's own report under ``corners``."""
    setup, hold = _worst_per_endpoint(runs, False), _worst_per_endpoint(runs, True)
    doc = {
        "design": runs[0][1].design.netlist.top,
        "wns_ns": min(0.0, setup[0]["slack_ns"]) if setup else 0.0,
        "wns_corner": setup[0]["corner"] if setup else None,
        "tns_ns": _r(sum(min(0.0, e["slack_ns"]) for e in setup)),
        "n_endpoints": len(setup),
        "n_violating": sum(1 for e in setup if e["slack_ns"] < 0),
        "endpoints": setup,
        "hold_wns_ns": min(0.0, hold[0]["slack_ns"]) if hold else 0.0,
        "hold_wns_corner": hold[0]["corner"] if hold else None,
        "hold_tns_ns": _r(sum(min(0.0, e["slack_ns"]) for e in hold)),
        "hold_endpoints": hold,
        "corners": [dict(corner=name, **to_doc(timer, result, n_paths)) for name, timer, result in runs],
    }
    return _dump(doc)


def corners_to_text(runs, n_paths: int = 1, digits: int = 4) -> str:
    """One ``to_text`` section per corner (headed ``Corner: NAME``), then the worst
    setup and hold slack over the corners with the corner each comes from."""
    parts = [f"Corner: {name}\n{to_text(timer, result, n_paths, digits)}" for name, timer, result in runs]
    setup, hold = _worst_per_endpoint(runs, False), _worst_per_endpoint(runs, True)
    tail = []
    if setup:
        tail.append(f"worst setup {setup[0]['slack_ns']:.{digits}f} {setup[0]['pin']} (corner {setup[0]['corner']})")
    if hold:
        tail.append(f"worst hold {hold[0]['slack_ns']:.{digits}f} {hold[0]['pin']} (corner {hold[0]['corner']})")
    return "\n".join(parts) + "\n".join(tail) + "\n"


def _dump(doc: dict) -> str:
    """JSON with one top-level key per line and one list item per line (greppable)."""
    parts = []
    for k, v in doc.items():
        if isinstance(v, list) and v:
            items = ",\n  ".join(json.dumps(x, separators=(", ", ": ")) for x in v)
            parts.append(f" {json.dumps(k)}: [\n  {items}\n ]")
        else:
            parts.append(f" {json.dumps(k)}: {json.dumps(v)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def to_text(timer: Timer, result: TimingResult, n_paths: int = 1, digits: int = 4) -> str:
    w = digits + 6
    clocks = timer.constraints.clocks
    lines = []
    blank = " " * w
    for ep in result.endpoints[:max(0, n_paths)]:
        stages = timer.path(ep)
        lk, lrf = result.tags[ep.tag] if result.tags else (None, 0)
        launch = clocks[lk] if lk is not None and lk >= 0 else None
        cap = clocks[ep.capture_clock] if ep.capture_clock >= 0 else None
        edge = lambda rf: "rise" if rf == 0 else "fall"  # noqa: E731
        lines.append(f"Startpoint: {_startpoint(timer, ep, stages)}")
        check, what = _CHECK_WORDS.get(ep.kind, _CHECK_WORDS["output"])
        lines.append(f"Endpoint: {ep.name} ({check}"
                     f"{' clocked by ' + cap.name if cap else ''})")
        lines.append(f"Path Group: {cap.name if cap else '(none)'}")
        lines.append("Path Type: max")
        lines.append("")
        lines.append(f"{'Cap':>{w}} {'Slew':>{w}} {'Delay':>{w}} {'Time':>{w}}   Description")
        lines.append("-" * (4 * (w + 1) + 16))
        if launch is not None:
            t0 = launch.edge_time(lrf)
            lines.append(f"{blank} {blank} {0.0:{w}.{digits}f} {t0:{w}.{digits}f}   clock {launch.name} ({edge(lrf)} edge)")
        for s in stages:
            c = f"{s['load']:{w}.{digits}f}" if s["load"] is not None else blank
            lines.append(f"{c} {s['slew']:{w}.{digits}f} {s['delay']:{w}.{digits}f} {s['time']:{w}.{digits}f} "
                         f"{s['rf']} {s['pin']} ({s['cell']})")
        lines.append(f"{blank} {blank} {blank} {ep.arrival:{w}.{digits}f}   data arrival time")
        lines.append("")
        unc = cap.setup_uncertainty if cap else 0.0
        t_cap = ep.required + ep.setup + unc
        if cap is not None:
            lines.append(f"{blank} {blank} {blank} {t_cap:{w}.{digits}f}   clock {cap.name} (capture edge)")
        if unc:
            lines.append(f"{blank} {blank} {-unc:{w}.{digits}f} {t_cap - unc:{w}.{digits}f}   clock uncertainty")
        lines.append(f"{blank} {blank} {-ep.setup:{w}.{digits}f} {ep.required:{w}.{digits}f}   {what}")
        lines.append(f"{blank} {blank} {blank} {ep.required:{w}.{digits}f}   data required time")
        lines.append("-" * (4 * (w + 1) + 16))
        lines.append(f"{blank} {blank} {blank} {ep.required:{w}.{digits}f}   data required time")
        lines.append(f"{blank} {blank} {blank} {-ep.arrival:{w}.{digits}f}   data arrival time")
        lines.append("-" * (4 * (w + 1) + 16))
        lines.append(f"{blank} {blank} {blank} {ep.slack:{w}.{digits}f}   slack "
                     f"({'VIOLATED' if ep.slack < 0 else 'MET'})")
        lines.append("")
        lines.append("")
    lines.append(f"wns {result.wns:.{digits}f}")
    lines.append(f"tns {result.tns:.{digits}f}")
    lines.append(f"endpoints {len(result.endpoints)}")
    h = result.hold
    if h is not None:
        lines.append(f"hold_wns {h.wns:.{digits}f}")
        lines.append(f"hold_tns {h.tns:.{digits}f}")
        lines.append(f"hold_endpoints {len(h.table)}")
        w = h.table.endpoints([0])[0] if len(h.table) else None
        if w is not None:
            lines.append(f"hold_worst {w.name} {w.slack:.{digits}f}")
    return "\n".join(lines) + "\n"
