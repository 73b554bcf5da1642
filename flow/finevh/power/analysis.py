"""Power analysis of a linked design: leakage, internal and switching power.

Units: power uW, energy pJ, capacitance pF, time ns, voltage V, densities in
transitions per ns (``toggle rate``) or per clock cycle (``activity``).

The reference is OpenSTA 3.x ``report_power`` (``ActivitySpec.opensta_rules="3"``,
the default: :func:`_internal3`, :func:`_leakage3`, propagation in
:mod:`finevh.activity.propagate3`; see ``docs/power.md``). ``opensta_rules="2.0"``
keeps the rules of OpenSTA 2.0.17 (Debian ``opensta``), described below where they
differ:

Switching, per output pin of every instance:
    ``P = 1/2 * C_load * V^2 * density``, ``C_load`` = max over rise/fall of the sum
    of the load pins' capacitances + ``set_load`` on output ports + wire
    capacitance; ``V`` = the voltage of the pin's ``related_power_pin`` in the
    instance's own library (``voltage_map``), else that library's operating
    conditions (so an instance bound to a 1.28 V library switches at 1.28 V).
Activity to density:
    ``density = activity / period`` of the fastest clock reaching the pin, else of
    the fastest clock reaching any pin of the instance; no clock at all: OpenSTA
    then uses the raw input default (0.1 transitions per *second*), we do the same.
Leakage (2.0.17), per instance, ``leakage_weights="opensta"``
    (measured on OpenSTA 2.0.17: sky130, osu018, ASAP7): ``cell_leakage_power``
    when the file gives it; else the conditional ``leakage_power`` groups summed,
    each weighted ``2 * 0.5**k`` with ``k`` the number of input pins named in its
    ``when`` (whatever the activity); else the unconditional groups.
    ``leakage_weights="probability"``: the conditional groups weighted by the
    probability that ``when`` holds from the propagated (or VCD) duties, independent
    inputs; else unconditional groups; else ``cell_leakage_power``.
Internal power (2.0.17), per ``internal_power`` group of every connected pin:
    ``P = (E_rise + E_fall) * duty * density(pin)`` where ``E_rf`` is the table at
    (slew of the related pin for that same edge, load of the pin's net; 0 load for
    input pins) and ``duty`` weights the group: for an output group with a
    ``related_pin`` and no ``when`` it is ``d(related)/d(pin) * P(inferred when)``,
    the inferred condition being the side input of a simple AND/OR/XOR form of the
    pin function; else ``P(when)``; else 1 when the related pin is a clock and 0.5
    otherwise. Groups whose ``related_pg_pin`` has voltage 0 are skipped unless
    their ``when`` set is incomplete (OpenSTA's VSS rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..activity import expr as bx
from ..activity.model import SignalActivity
from ..activity.propagate import (
    INPUT_DEFAULT,
    ClockReach,
    pin_conns,
    NetActivity,
    Topology,
    clock_reach_from_constraints,
    propagate,
    topology,
)
from ..activity.propagate3 import propagate3
from ..design import DIR_INOUT, DIR_INPUT, DIR_OUTPUT
from ..errors import InputError
from ..timing.graph import stable_order
from ..timing.nldm import lookup, pack_tables
from . import energy_jit

PJ_PER_NS_TO_UW = 1e3          # 1 pJ/ns = 1 mW = 1000 uW
PER_SECOND_TO_PER_NS = 1e-9


@dataclass
class ActivitySpec:
    """How activities are obtained.

    ``mode``: ``"propagate"`` (input default / per-port values pushed through the
    logic), ``"global"`` (every non-clock net has ``global_activity``), or
    ``"signals"`` (``signals`` from a VCD/SAIF; nets missing from it are propagated
    from the known ones).
    """

    mode: str = "propagate"
    input_default: tuple[float, float] = INPUT_DEFAULT        # (per cycle, duty)
    global_activity: tuple[float, float] = (0.1, 0.5)
    port_activity: dict[str, tuple[float, float]] = field(default_factory=dict)
    signals: SignalActivity | None = None
    clock_activity: tuple[float, float] = (2.0, 0.5)
    opensta_rules: str = "3"   # internal power and "opensta" leakage as OpenSTA "3" (3.x) or "2.0" (2.0.17)


OPENSTA_RULES = ("3", "2.0")


@dataclass
class PowerResult:
    """Per-instance power (uW) and per-group sums."""

    inst_internal: np.ndarray
    inst_switching: np.ndarray
    inst_leakage: np.ndarray
    inst_sequential: np.ndarray          # bool[N]
    net_density_per_ns: np.ndarray       # float64[M] at the net (driver pin's clock)
    net_duty: np.ndarray
    net_load_pf: np.ndarray
    matched_signals: int = 0
    passes: int = 0
    inst_clock: np.ndarray | None = None  # bool[N] instance on the clock network

    def group(self, which: str | None = None) -> dict[str, float]:
        """Sums (uW) of one group as OpenSTA reports them: ``"clock"`` (every
        connected output on a clock network), ``"sequential"`` and
        ``"combinational"`` (the rest), None = all instances."""
        m = np.ones(self.inst_internal.shape, bool)
        clk = self.inst_clock if self.inst_clock is not None else np.zeros_like(m)
        if which == "sequential":
            m = self.inst_sequential & ~clk
        elif which == "combinational":
            m = ~self.inst_sequential & ~clk
        elif which == "clock":
            m = clk
        i = float(self.inst_internal[m].sum())
        s = float(self.inst_switching[m].sum())
        lk = float(self.inst_leakage[m].sum())
        return {"internal_uw": i, "switching_uw": s, "leakage_uw": lk, "total_uw": i + s + lk}

    @property
    def total(self) -> dict[str, float]:
        return self.group(None)


def _pin_cap(pin, rf: int) -> float:
    c = pin.rise_capacitance if rf == 0 else pin.fall_capacitance
    return float(c if c is not None else pin.capacitance)


def net_loads(design, top: Topology, port_load: dict[int, float] | None = None,
              wire_cap: np.ndarray | None = None) -> np.ndarray:
    """Load capacitance per net (pF): max over rise/fall of load pin caps, plus
    ``set_load`` on ports (terminal -> pF) and wire capacitance."""
    M, P = top.n_nets, top.n_pins
    is_in = (top.conn_dir == DIR_INPUT) | (top.conn_dir == DIR_INOUT)
    # capacitance of every pin connection, per bound cell through its connection matrix
    conn_cap = np.zeros((P, 2))
    for ci, cell in enumerate(design.cells):
        mat = top.cell_conns[ci]
        if mat.size == 0:
            continue
        for name, k in top.cell_slots[ci].items():
            pin = cell.pins.get(name)
            if pin is None:
                continue
            cs = mat[:, k]
            cs = cs[cs >= 0]
            conn_cap[cs, 0] = _pin_cap(pin, 0)
            conn_cap[cs, 1] = _pin_cap(pin, 1)
    ok = is_in & (top.conn_net >= 0)
    load = np.zeros((2, M))
    for rf in (0, 1):
        np.add.at(load[rf], top.conn_net[ok], conn_cap[ok, rf])
    extra = np.zeros(M)
    if port_load:
        nl = design.netlist
        for t, c in port_load.items():
            n = int(nl.port_net[t - P]) if t >= P else int(top.conn_net[t])
            if n >= 0:
                extra[n] += float(c)
    if wire_cap is not None:
        extra += np.asarray(wire_cap, dtype=np.float64)
    return np.maximum(load[0], load[1]) + extra


def _library(design, cell):
    ls = getattr(design, "libset", None)
    if ls is not None and hasattr(ls, "library_of"):
        try:
            return ls.library_of(cell)
        except Exception:  # noqa: BLE001 - a cell outside the set: fall back below
            pass
    return None


def _op_voltage(lib) -> float:
    if lib is None:
        return 0.0
    oc = getattr(lib, "operating_conditions", {}) or {}
    name = getattr(lib, "default_operating_conditions", None)
    if name and name in oc and oc[name].voltage is not None:
        return float(oc[name].voltage)
    if len(oc) == 1:
        v = next(iter(oc.values())).voltage
        if v is not None:
            return float(v)
    if lib.nom_voltage is not None:
        return float(lib.nom_voltage)
    return float(lib.voltage or 0.0)


def _interpolated_voltage(cell) -> float | None:
    """Supply of a cell interpolated between libraries (library tag ``name@1.5V``)."""
    tag = str(getattr(cell, "library", ""))
    if "@" in tag and tag.endswith("V"):
        try:
            return float(tag.rsplit("@", 1)[1][:-1])
        except ValueError:
            return None
    return None


def pg_voltage(cell, lib, pg_name: str | None) -> float:
    """Voltage of a pg pin of ``cell`` (OpenSTA ``pgNameVoltage``): the library's
    ``voltage_map`` entry of the pin's ``voltage_name``, else the library's operating
    voltage. A cell interpolated between two libraries (``lib`` None) takes its own
    supply for power pins and 0 for ground pins."""
    if lib is None:
        v = _interpolated_voltage(cell)
        if v is None:
            return 0.0
        pg = cell.pg_pins.get(pg_name) if pg_name else None
        if pg is not None and pg.pg_type and "ground" in pg.pg_type:
            return 0.0
        return v
    if pg_name:
        pg = cell.pg_pins.get(pg_name)
        if pg is not None and pg.voltage_name in lib.voltage_map:
            return float(lib.voltage_map[pg.voltage_name])
    return _op_voltage(lib)


def _inferred_when(f: bx.Expr, frm: str) -> bx.Expr | None:
    """OpenSTA ``inferedWhen``: the side condition of a simple gate form."""
    op = f.op
    if op == bx.VAR:
        return bx.Expr(bx.CONST, value=1) if f.name == frm else None
    if op == bx.NOT:
        return _inferred_when(f.args[0], frm)

    def is_ref(e: bx.Expr) -> bool:
        return (e.op == bx.VAR and e.name == frm) or (
            e.op == bx.NOT and e.args[0].op == bx.VAR and e.args[0].name == frm)

    def neg(e: bx.Expr) -> bx.Expr:
        return e.args[0] if e.op == bx.NOT else bx.Expr(bx.NOT, (e,))

    if op in (bx.OR, bx.XOR):
        if is_ref(f.args[0]):
            return neg(f.args[1])
        if is_ref(f.args[1]):
            return neg(f.args[0])
    elif op == bx.AND:
        if is_ref(f.args[0]):
            return f.args[1]
        if is_ref(f.args[1]):
            return f.args[0]
    return None


def activity(design, top: Topology, reach: ClockReach, spec: ActivitySpec,
             period_scale: float = 1.0) -> tuple[NetActivity, int]:
    """Net activities for ``spec`` (global, propagated or from VCD/SAIF signals) and the
    number of matched signals. Depends only on cell functions and the clock network, so
    every Vdd/flavour twin binding of a design shares it."""
    nl = design.netlist
    M = top.n_nets
    period = reach.period * period_scale
    matched = 0
    if spec.mode == "global":
        dens = np.full(M, spec.global_activity[0])
        duty = np.full(M, spec.global_activity[1])
        dens[reach.is_clock], duty[reach.is_clock] = spec.clock_activity
        act = NetActivity(dens, duty, np.ones(M, bool), {}, "cycle", 0, tuple(spec.global_activity))
    elif spec.mode == "propagate":
        user = {}
        for name, v in spec.port_activity.items():
            try:
                k = nl.port_names.index(name)
            except ValueError:
                raise InputError(f"no port '{name}' for an activity") from None
            user[int(nl.port_net[k])] = v
        prop = propagate3 if spec.opensta_rules == "3" else propagate
        act = prop(design, top, reach, input_default=spec.input_default, user=user,
                   clock_activity=spec.clock_activity)
    elif spec.mode == "signals":
        if spec.signals is None:
            raise ValueError("mode 'signals' needs spec.signals")
        fixed, matched = signal_activity_by_net(design, spec.signals, period_scale)
        fastest = float(np.min(period)) if np.isfinite(period).any() else 1.0
        default = (spec.input_default[0] / fastest, spec.input_default[1])
        prop = propagate3 if spec.opensta_rules == "3" else propagate
        act = prop(design, top, reach, input_default=default, fixed=fixed,
                   clock_activity=(spec.clock_activity[0] / fastest, spec.clock_activity[1]),
                   unit="ns")
    else:
        raise ValueError(f"activity mode {spec.mode!r}")
    return act, matched


def bound_topology(design, top: Topology | None) -> Topology:
    """``top`` if it was built for the design's current binding, else a topology
    rebuilt for it (reusing ``top``'s connectivity and levelisation)."""
    if top is None or len(top.infos) != len(design.cells) or \
            not np.array_equal(top.inst_cell, design.inst_cell):
        top = topology(design, prev=top)
    return top


def _dynamic(design, top: Topology, reach: ClockReach, act: NetActivity, spec: ActivitySpec,
             constraints, slews, wire_cap, period_scale: float):
    """Per-pin densities, switching power per instance and the pin states (with slews)
    that leakage and internal power read."""
    nl = design.netlist
    N, M, P = top.n_inst, top.n_nets, top.n_pins
    period = reach.period * period_scale
    if spec.opensta_rules == "3" and np.isfinite(period).any():
        # OpenSTA 3.x densities are absolute: every data net converts with the
        # fastest clock's period (``clockMinPeriod``), clock nets with their own
        period = np.where(reach.is_clock, period, float(np.min(period[np.isfinite(period)])))
    port_load = getattr(constraints, "port_load", None) if constraints is not None else None
    load = net_loads(design, top, port_load, wire_cap)

    # ---- per-pin densities (per ns) --------------------------------------------
    cn = top.conn_net
    safe = np.maximum(cn, 0)
    pin_period = np.where(cn >= 0, period[safe], np.inf)
    inst_period = np.full(N, np.inf)
    np.minimum.at(inst_period, top.conn_inst, pin_period)
    use = np.where(np.isfinite(pin_period), pin_period, inst_period[top.conn_inst])
    pin_act = np.where(cn >= 0, act.density[safe], 0.0)
    if act.unit == "cycle":
        pin_dens = np.where(np.isfinite(use), pin_act / np.where(np.isfinite(use), use, 1.0),
                            spec.input_default[0] * PER_SECOND_TO_PER_NS)
    else:
        pin_dens = pin_act.copy()
    net_dens = np.zeros(M)
    drv = top.net_driver
    has = (drv >= 0) & (drv < P)
    net_dens[has] = pin_dens[drv[has]]

    # ---- per-instance voltages, switching ---------------------------------------
    libs = [_library(design, c) for c in design.cells]
    is_out = (top.conn_dir == DIR_OUTPUT) | (top.conn_dir == DIR_INOUT)
    volt = np.zeros(P)
    for ci, cell in enumerate(design.cells):
        mat = top.cell_conns[ci]
        if mat.size == 0:
            continue
        for name, k in top.cell_slots[ci].items():
            pin = cell.pins.get(name)
            if pin is None or pin.direction not in ("output", "inout"):
                continue
            cs = mat[:, k]
            volt[cs[cs >= 0]] = pg_voltage(cell, libs[ci], pin.related_power_pin)
    sw_pin = np.where(is_out & (cn >= 0), 0.5 * load[safe] * volt * volt * pin_dens, 0.0) * PJ_PER_NS_TO_UW
    inst_sw = np.bincount(top.conn_inst, weights=sw_pin, minlength=N)

    # ---- per-pin states (also unconnected pins) ------------------------------------
    if slews is None:
        slews = np.zeros((P + len(nl.port_names), 2))
    slews = np.asarray(slews, dtype=np.float64)
    # A load pin sees its net driver's slew (no wire RC): take it from the driver
    # terminal when the timer keeps slews at drivers only.
    conn_slew = slews[:P].copy()
    is_in = (top.conn_dir == DIR_INPUT) | (top.conn_dir == DIR_INOUT)
    dn = np.where(cn >= 0, top.net_driver[safe], -1)
    use_d = is_in & (dn >= 0) & (dn != np.arange(P))
    conn_slew[use_d] = slews[dn[use_d]]
    ideal = _ideal_clock_slew(constraints) if spec.opensta_rules == "3" else None
    if ideal is not None:
        on_clk = (cn >= 0) & reach.is_clock[safe]
        conn_slew[on_clk] = ideal
    ps = _PinStates(design, top, act, reach, pin_dens, conn_slew, inst_period)
    return load, net_dens, libs, inst_sw, ps


def _ideal_clock_slew(constraints) -> tuple[float, float] | None:
    """Slew (ns, rise/fall) OpenSTA 3.x gives every clock-network pin when the clocks
    are ideal (no ``set_propagated_clock``): their ``set_clock_transition`` (0 by
    default), of the fastest clock. None when a clock is propagated (timer slews)."""
    clocks = list(getattr(constraints, "clocks", None) or [])
    if not clocks or any(c.propagated for c in clocks):
        return None
    return tuple(min(clocks, key=lambda c: c.period).transition)


def dynamic_power(design, constraints, act: NetActivity, reach: ClockReach, spec: ActivitySpec, *,
                  slews: np.ndarray | None = None, wire_cap: np.ndarray | None = None,
                  top: Topology | None = None, plan: "InternalPlan | None" = None) -> np.ndarray:
    """Internal + switching power per instance (uW) for the current binding, with an
    activity computed once by :func:`activity` (the emulation re-binds many times).
    ``plan``: an :class:`InternalPlan` kept by the caller between calls with the same
    activity, clocks and connectivity (2.0.17 rules; the same result, faster)."""
    top = bound_topology(design, top)
    load, _, libs, inst_sw, ps = _dynamic(design, top, reach, act, spec, constraints, slews, wire_cap, 1.0)
    return _internal_for(spec, design, ps, libs, load, plan) + inst_sw


def _internal_for(spec: ActivitySpec, design, ps: "_PinStates", libs, load: np.ndarray,
                  plan: "InternalPlan | None" = None) -> np.ndarray:
    if spec.opensta_rules == "2.0":
        return _internal(design, ps, libs, load) if plan is None else plan(design, ps, libs, load)
    if spec.opensta_rules == "3":
        return _internal3(design, ps, load)
    raise ValueError(f"opensta_rules {spec.opensta_rules!r} (one of {OPENSTA_RULES})")


def clock_instances(top: Topology, reach: ClockReach) -> np.ndarray:
    """bool[N]: OpenSTA ``inClockNetwork``: no connected output pin off the clock
    network (an instance without connected outputs counts as clock)."""
    cn = top.conn_net
    is_out = (top.conn_dir == DIR_OUTPUT) | (top.conn_dir == DIR_INOUT)
    off = is_out & (cn >= 0) & ~reach.is_clock[np.maximum(cn, 0)]
    return np.bincount(top.conn_inst, weights=off, minlength=top.n_inst) == 0


def analyse(design, constraints=None, spec: ActivitySpec | None = None, *,
            slews: np.ndarray | None = None, wire_cap: np.ndarray | None = None,
            leakage_weights: str = "opensta", period_scale: float = 1.0,
            top: Topology | None = None) -> PowerResult:
    """Power of ``design`` (per-instance binding as bound in ``design.cells``).

    ``constraints``: :class:`finevh.timing.constraints.TimingConstraints` (clocks,
    input delays, port loads) or None. ``slews``: float64[T, 2] slew (ns) at every
    terminal for rise/fall (from the timer); None = 0 everywhere. ``period_scale``
    multiplies every clock period (power at another clock frequency; for VCD/SAIF
    activity the densities are divided by it).
    """
    spec = spec or ActivitySpec()
    if leakage_weights not in ("opensta", "probability"):
        raise ValueError(f"leakage_weights {leakage_weights!r}")
    top = bound_topology(design, top)
    reach = clock_reach_from_constraints(design, top, constraints)
    act, matched = activity(design, top, reach, spec, period_scale)
    load, net_dens, libs, inst_sw, ps = _dynamic(design, top, reach, act, spec, constraints, slews,
                                                 wire_cap, period_scale)
    inst_leak = _leakage(design, ps, leakage_weights, spec.opensta_rules)
    inst_int = _internal_for(spec, design, ps, libs, load)
    return PowerResult(inst_int, inst_sw, inst_leak, top.inst_seq.copy(), net_dens, act.duty.copy(),
                       load, matched, act.passes, clock_instances(top, reach))


def signal_activity_by_net(design, sig: SignalActivity, period_scale: float = 1.0
                           ) -> tuple[dict[int, tuple[float, float]], int]:
    """Map VCD/SAIF signals onto nets: net -> (toggles per ns, duty). Names are tried as
    the net name, its alias names, and the ports. Returns also the number matched."""
    nl = design.netlist
    dens = sig.density_per_ns() / period_scale
    prob = sig.static_probability()
    out: dict[int, tuple[float, float]] = {}
    net_index = {n: i for i, n in enumerate(nl.net_names)}
    for alias, kept in nl.net_aliases.items():
        if alias not in net_index and kept in net_index:
            net_index[alias] = net_index[kept]
    for k, name in enumerate(nl.port_names):
        if int(nl.port_net[k]) >= 0:
            net_index.setdefault(name, int(nl.port_net[k]))
    for i, name in enumerate(sig.names):
        n = net_index.get(name)
        if n is None and name.startswith("\\"):
            n = net_index.get(name[1:])
        if n is not None and n not in out:
            out[n] = (float(dens[i]), float(prob[i]))
    return out, len(out)


def _leakage3(cell, ps: "_PinStates", ci: int) -> np.ndarray | float:
    """Leakage of every instance of cell ``ci`` (uW), OpenSTA 3.x
    ``findLeakagePower``: per primary power pin (or none named), the conditional
    groups weighted by the exact probability of their ``when`` plus
    ``cell_leakage_power`` times the probability left over; a ``when`` that always
    holds takes its value alone; unconditional groups only without conditional ones;
    no group at all: ``cell_leakage_power``. Groups of ground/well pins are ignored."""
    n = ps.insts_of(ci).size
    given = cell.cell_leakage_power if (cell.cell_leakage_power is not None and not cell.leakage_derived) else None
    by_pg: dict = {}
    for s in cell.leakage:
        pg = cell.pg_pins.get(s.related_pg_pin) if s.related_pg_pin else None
        if pg is not None and pg.pg_type != "primary_power":
            continue
        by_pg.setdefault(s.related_pg_pin if pg is not None else None, []).append(s)
    if not by_pg:
        return float(given or 0.0)
    total = np.zeros(n)
    for groups in by_pg.values():
        cond = [s for s in groups if s.when]
        if not cond:
            total += groups[-1].value
            continue
        val = np.zeros(n)
        dsum = np.zeros(n)
        true_val = np.full(n, np.nan)
        for s in cond:
            d = ps.exact_duty(ci, bx.parse(s.when))
            true_val = np.where(d >= 1.0, s.value, true_val)
            val += s.value * d
            if s.value > 0.0:
                dsum += d
        if given is not None:
            val += given * (1.0 - dsum)
        total += np.where(np.isnan(true_val), val, true_val)
    return total


def _leakage(design, ps: "_PinStates", weights: str, rules: str = "2.0") -> np.ndarray:
    N = ps.top.n_inst
    out = np.zeros(N)
    for ci, cell in enumerate(design.cells):
        insts = ps.insts_of(ci)
        if insts.size == 0:
            continue
        if weights == "opensta" and rules == "3":
            out[insts] = _leakage3(cell, ps, ci)
            continue
        cond = [s for s in cell.leakage if s.when]
        dflt = [s for s in cell.leakage if not s.when]
        given = cell.cell_leakage_power is not None and not cell.leakage_derived
        if weights == "opensta":
            if given:
                out[insts] = cell.cell_leakage_power
            elif cond:
                tot = 0.0
                for s in cond:
                    w = 2.0
                    for v in bx.parse(s.when).variables():
                        pin = cell.pins.get(v)
                        if pin is not None and pin.direction in ("input", "inout"):
                            w *= 0.5
                    tot += s.value * w
                out[insts] = tot
            elif dflt:
                out[insts] = sum(s.value for s in dflt)
        else:
            if cond:
                tot = np.zeros(insts.size)
                for s in cond:
                    tot += s.value * ps.when_duty(ci, bx.parse(s.when))
                out[insts] = tot
            elif dflt:
                out[insts] = sum(s.value for s in dflt)
            elif cell.cell_leakage_power is not None:
                out[insts] = cell.cell_leakage_power
    return out


class _PinStates:
    """Per (bound cell, formal pin) arrays over all instances of that cell: activity
    (raw, in the activity's unit), duty, density per ns, slews, clock flag.

    OpenSTA has a pin for every port of a cell: an unconnected input pin reads the
    default activity (slew 0); an unconnected output pin still has its function's
    activity (and internal power at zero load)."""

    def __init__(self, design, top: Topology, act: NetActivity, reach: ClockReach,
                 pin_dens: np.ndarray, slews: np.ndarray, inst_period: np.ndarray):
        self.d, self.top, self.act, self.reach = design, top, act, reach
        self.pin_dens, self.slews, self.inst_period = pin_dens, slews, inst_period
        self.cache: dict[tuple[int, str], dict] = {}
        self._groups: tuple[np.ndarray, np.ndarray] | None = None

    def insts_of(self, ci: int) -> np.ndarray:
        """Instances bound to cell ``ci``, ascending (the cells of a design with all its
        supply twins number thousands: one grouping of every instance, not a scan per cell)."""
        if self._groups is None:
            ic = np.asarray(self.d.inst_cell, dtype=np.int64)
            C = len(self.d.cells)
            ptr = np.zeros(C + 1, dtype=np.int64)
            np.cumsum(np.bincount(ic, minlength=C), out=ptr[1:])
            self._groups = (stable_order(ic, C), ptr)
        o, ptr = self._groups
        return o[ptr[ci]:ptr[ci + 1]]

    def _density(self, raw: np.ndarray, insts: np.ndarray) -> np.ndarray:
        if self.act.unit != "cycle":
            return raw
        per = self.inst_period[insts]
        fin = np.isfinite(per)
        return np.where(fin, raw / np.where(fin, per, 1.0), self.act.default[0] * PER_SECOND_TO_PER_NS)

    def get(self, ci: int, name: str) -> dict:
        key = (ci, name)
        st = self.cache.get(key)
        if st is not None:
            return st
        top, act = self.top, self.act
        insts = self.insts_of(ci)
        n = insts.size
        conns = pin_conns(top, self.d, insts, name)
        nets = np.where(conns >= 0, top.conn_net[np.maximum(conns, 0)], -1)
        have = nets >= 0
        sn = np.maximum(nets, 0)
        sc = np.maximum(conns, 0)
        raw = np.where(have, act.density[sn], 0.0)
        duty = np.where(have, act.duty[sn], 0.0)
        dens = np.where(have, self.pin_dens[sc], 0.0)
        slew = np.where(have[:, None], self.slews[sc], 0.0)
        isclk = np.where(have, self.reach.is_clock[sn], False)
        miss = ~have
        if miss.any():
            cell = self.d.cells[ci]
            pin = cell.pins.get(name)
            info = top.infos[ci]
            if pin is not None and pin.direction in ("input", "inout") and name not in info.outputs:
                r0 = np.full(n, act.default[0])
                d0 = np.full(n, act.default[1])
            elif pin is not None and pin.function:
                env = {}
                f = bx.parse(pin.function)
                for v in f.variables():
                    if v in cell.pins and v != name:
                        s = self.get(ci, v)
                        env[v] = (s["raw"], s["duty"])
                    elif v in (info.iq, info.iqn):
                        st_ = [act.seq_state.get(int(i), act.default) for i in insts.tolist()]
                        a_ = np.array([x[0] for x in st_])
                        p_ = np.array([x[1] for x in st_])
                        env[v] = (a_, p_ if v == info.iq else 1.0 - p_)
                    else:
                        env[v] = (np.zeros(n), np.zeros(n))
                r0, d0 = (np.broadcast_to(x, (n,)) for x in bx.eval_activity(f, env, shape=(n,)))
            else:
                r0, d0 = np.zeros(n), np.zeros(n)
            raw = np.where(miss, r0, raw)
            duty = np.where(miss, d0, duty)
            dens = np.where(miss, self._density(r0, insts), dens)
        st = {"conn": conns, "net": nets, "raw": raw, "duty": duty, "dens": dens, "slew": slew,
              "isclk": isclk}
        self.cache[key] = st
        return st

    def exact_duty(self, ci: int, e: bx.Expr) -> np.ndarray:
        """Exact probability of ``e`` per instance of cell ``ci``, independent pins
        (names that are not pins of the cell read 0)."""
        n = self.insts_of(ci).size
        cell = self.d.cells[ci]
        p = {v: (self.get(ci, v)["duty"] if v in cell.pins else np.zeros(n)) for v in e.variables()}
        return bx.exact_duty(e, p, n)

    def when_duty(self, ci: int, e: bx.Expr) -> np.ndarray:
        """Duty of ``e`` per instance of cell ``ci`` with OpenSTA's pairwise rules
        (names that are not pins of the cell read 0)."""
        n = self.insts_of(ci).size
        cell = self.d.cells[ci]
        env = {}
        for v in e.variables():
            if v in cell.pins:
                s = self.get(ci, v)
                env[v] = (np.zeros(n), s["duty"])
            else:
                env[v] = (np.zeros(n), np.zeros(n))
        return np.broadcast_to(bx.eval_activity(e, env, shape=(n,))[1], (n,))


class _EnergySum:
    """Internal power per instance (uW) from look-up queries: ``E(table; slew, load) *
    weight`` added to each query's instance. Queries are evaluated in chunks of
    :attr:`CHUNK` rows, in the order given, so the table look-up's temporaries (a few
    hundred bytes per query) stay bounded whatever the design size and the sums are
    the same as one look-up over every query (each instance's terms are added one by
    one, in query order)."""

    CHUNK = 1 << 19

    def __init__(self, n_inst: int, slews: np.ndarray | None = None, load: np.ndarray | None = None):
        self.out = np.zeros(n_inst)
        self.slews, self.load = slews, load      # [P, 2] pin slews (ns), [M] net loads (pF)
        self.tables: list = [None]
        self._index: dict[int, int] = {}
        self._q: list[tuple] = []
        self._pending = 0
        self._pack = None

    def row(self, t) -> int:
        """Row of table ``t`` in the pack (tables are added on first use)."""
        k = self._index.get(id(t))
        if k is None:
            self.tables.append(t)
            k = self._index[id(t)] = len(self.tables) - 1
            self._pack = None
        return k

    def query(self, slot: int, t, conn: np.ndarray, rf: int, net: np.ndarray | None, weight: np.ndarray,
              insts: np.ndarray) -> None:
        """Queue table ``t`` (None: nothing) at the ``rf`` slew of connections ``conn``
        (-1: slew 0) and the load of ``net`` (None or -1: load 0) with ``weight``
        (transitions per ns x duty) for ``insts`` (``slot``: the query's place among its
        cell's, see :class:`InternalPlan`)."""
        if t is None:
            return
        slew = np.where(conn >= 0, self.slews[np.maximum(conn, 0), rf], 0.0)
        load = 0.0 if net is None else np.where(net >= 0, self.load[np.maximum(net, 0)], 0.0)
        self.add(t, slew, load, weight, insts)

    def add(self, t, slew: np.ndarray, load, weight: np.ndarray, insts: np.ndarray) -> None:
        """Queue table ``t`` (None: nothing) at ``slew`` (ns) and ``load`` (pF, scalar or
        per instance) with ``weight`` (transitions per ns x duty) for ``insts``."""
        if t is None:
            return
        self.add_rows(np.full(insts.size, self.row(t), dtype=np.int64), slew, load, weight, insts)

    def add_rows(self, rows: np.ndarray, slew: np.ndarray, load, weight: np.ndarray, insts: np.ndarray) -> None:
        """Queue look-ups of pack rows ``rows`` (see :meth:`row`), one per query."""
        self._q.append((rows, slew, np.broadcast_to(load, insts.shape), weight, insts))
        self._pending += insts.size
        if self._pending >= self.CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self._q:
            return
        q, self._q, self._pending = self._q, [], 0
        if self._pack is None:
            self._pack = pack_tables(self.tables)
        rows, slew, load, weight, insts = (np.concatenate([x[k] for x in q]) for k in range(5))
        if energy_jit.usable(len(rows)):                 # the same sums, bit for bit, compiled
            energy_jit.energy_add(self._pack, rows, slew, load, weight, insts, PJ_PER_NS_TO_UW, self.out)
            return
        e = lookup(self._pack, rows, slew, load)
        np.add.at(self.out, insts, e * weight * PJ_PER_NS_TO_UW)

    def result(self) -> np.ndarray:
        self.flush()
        return self.out


def _group_tables(cell, lib, pin, g) -> tuple:
    """(rise, fall) energy tables an internal-power group of ``pin`` contributes under
    the 2.0.17 rules: (None, None) for a group whose power pin is at 0 V (unless it is
    one of a pin's incomplete set of ``when`` groups). OpenSTA 2.0.17 reads only
    rise_power / fall_power tables: a group with a single 'power' table counts 0."""
    if not (g.when and _missing_when(cell, pin, g.related_pg_pin)) and \
            pg_voltage(cell, lib, g.related_pg_pin) == 0.0:
        return (None, None)
    return (g.rise_power, g.fall_power)


def _internal(design, ps: _PinStates, libs, load: np.ndarray, sink=None) -> np.ndarray | None:
    """Internal power per instance (uW), vectorised per (cell, pin, group). ``sink``: a
    :class:`_QueryLog` to record the look-ups in instead (returns None)."""
    acc = sink if sink is not None else _EnergySum(ps.top.n_inst, ps.slews, load)
    for ci, cell in enumerate(design.cells):
        insts = ps.insts_of(ci)
        if insts.size == 0:
            continue
        lib = libs[ci]
        slot = 0
        for pin in cell.pins.values():
            if not pin.internal_power:
                continue
            to = ps.get(ci, pin.name)
            net = to["net"] if pin.direction in ("output", "inout") else None
            func = bx.parse(pin.function) if pin.function else None
            for g in pin.internal_power:
                slot += 2                              # two slots (rise, fall) per group
                frm = g.related_pin or pin.name
                if frm not in cell.pins:
                    continue
                tables = _group_tables(cell, lib, pin, g)
                if sink is None and tables[0] is None and tables[1] is None:
                    continue
                fr = ps.get(ci, frm)
                inferred = None
                if g.related_pin and not g.when and func is not None:
                    inferred = _inferred_when(func, g.related_pin)
                if inferred is not None:
                    fa, ta = fr["raw"], to["raw"]
                    d1 = ps.when_duty(ci, inferred)
                    with np.errstate(invalid="ignore", divide="ignore"):
                        duty = np.where(ta != 0.0, fa / np.where(ta != 0.0, ta, 1.0) * d1, 0.0)
                elif g.when:
                    duty = ps.when_duty(ci, bx.parse(g.when))
                else:
                    duty = np.where(fr["isclk"], 1.0, 0.5)
                w = to["dens"] * duty
                conn = np.where(fr["net"] >= 0, fr["conn"], -1)
                for rf, t in enumerate(tables):
                    acc.query(slot - 2 + rf, t, conn, rf, net, w, insts)
    return None if sink is not None else acc.result()


def _power_signature(cell) -> tuple:
    """What :func:`_internal` reads of a cell besides its energy tables and supply
    voltages: cells with equal signatures (the supply and flavour twins of one cell)
    have the same look-ups, weights and slots for the same instance."""
    pins = tuple((p.name, p.direction, p.function, bool(p.is_clock),
                  tuple((g.related_pin, g.when, g.related_pg_pin) for g in p.internal_power))
                 for p in cell.pins.values())
    return pins, repr(cell.sequential)


class _QueryLog:
    """The look-ups of one :func:`_internal` run as index arrays (see
    :class:`InternalPlan`)."""

    def __init__(self):
        self.parts: list[tuple] = []

    def query(self, slot, t, conn, rf, net, weight, insts) -> None:
        n = insts.size
        self.parts.append((insts, conn, np.full(n, rf, dtype=np.int8),
                           np.full(n, -1, dtype=np.int64) if net is None else net, weight,
                           np.full(n, slot, dtype=np.int32)))


class InternalPlan:
    """Internal power (2.0.17 rules) of a design re-bound many times to supply and
    flavour twins of its cells, with the activity, the clocks and the connectivity
    fixed (the emulation). A twin has the same pins, functions and internal-power groups
    as its cell, so each look-up (its instance, the pin whose slew it reads, the net
    whose load it reads, its weight) stays the same; only the energy table changes. The
    look-ups are recorded once (:func:`_internal` into a :class:`_QueryLog`) and each
    later call gathers slews, loads and table rows for the binding it finds. Each
    instance's terms are added in the same order as :func:`_internal` adds them: the
    result is the same bit for bit (test). A binding that moves an instance to a cell
    with another :func:`_power_signature` records the look-ups again."""

    def __init__(self):
        self._sig: dict = {}                  # signature -> class id
        self._cls: list[int] = []             # per design cell: class id
        self._cells: list[int] = []           # id() of the cells the classes were found for
        self._rows: list[np.ndarray] = []     # per design cell: pack row per slot (0: no look-up)
        self.acc_tables = _EnergySum(0)       # the table rows (pack) shared by every call
        self.q = None                         # recorded look-ups (arrays) and their binding's classes
        self.records = 0

    def _classes(self, design) -> np.ndarray:
        cells = design.cells
        if len(self._cells) > len(cells) or any(id(c) != k for c, k in zip(cells, self._cells)):
            self.__init__()
        for c in cells[len(self._cells):]:
            self._cls.append(self._sig.setdefault(_power_signature(c), len(self._sig)))
            self._cells.append(id(c))
        return np.asarray(self._cls, dtype=np.int32)

    def _slot_rows(self, design, libs, ci: int) -> np.ndarray:
        while len(self._rows) <= ci:
            self._rows.append(None)
        r = self._rows[ci]
        if r is None:
            cell, rows = design.cells[ci], [0, 0]
            for pin in cell.pins.values():
                for g in pin.internal_power:
                    rows += [0 if t is None else self.acc_tables.row(t)
                             for t in _group_tables(cell, libs[ci], pin, g)]
            r = self._rows[ci] = np.asarray(rows[2:], dtype=np.int64)
        return r

    def __call__(self, design, ps: _PinStates, libs, load: np.ndarray) -> np.ndarray:
        """Internal power per instance (uW), as :func:`_internal` for ``ps``."""
        ic = np.asarray(design.inst_cell, dtype=np.int64)
        cls = self._classes(design)[ic]
        if self.q is None or not np.array_equal(cls, self.q[-1]):
            log = _QueryLog()
            _internal(design, ps, libs, load, sink=log)
            ix = np.int32 if max(ps.top.n_inst, ps.top.n_pins, ps.top.n_nets) < 2**31 else np.int64
            cols = [np.concatenate([p[k] for p in log.parts]).astype(dt, copy=False) if log.parts
                    else np.zeros(0, dt) for k, dt in enumerate((ix, ix, np.int8, ix, np.float64, np.int32))]
            self.q = (*cols, cls)
            self.records += 1
        inst, conn, rf, net, w, slot = self.q[:6]
        used = np.unique(ic)
        width = max([len(self._slot_rows(design, libs, int(c))) for c in used.tolist()] + [1])
        table = np.zeros((len(design.cells), width), dtype=np.int64)
        for c in used.tolist():
            r = self._rows[c]
            table[c, :len(r)] = r
        acc = self.acc_tables
        acc.out = np.zeros(ps.top.n_inst)
        step = _EnergySum.CHUNK
        for a in range(0, len(inst), step):
            sl = slice(a, a + step)
            qi, qc, qr, qn = inst[sl], conn[sl], rf[sl], net[sl]
            rows = table[ic[qi], slot[sl]]
            k = np.flatnonzero(rows)
            if len(k) < len(rows):
                qi, qc, qr, qn, rows = qi[k], qc[k], qr[k], qn[k], rows[k]
                ww = w[sl][k]
            else:
                ww = w[sl]
            slew = np.where(qc >= 0, ps.slews[np.maximum(qc, 0), qr], 0.0)
            ld = np.where(qn >= 0, load[np.maximum(qn, 0)], 0.0)
            acc.add_rows(rows, slew, ld, ww, qi)
        out = acc.result()
        acc.out = np.zeros(0)
        return out


def _missing_when(cell, pin, related_pg: str | None) -> bool:
    """OpenSTA ``internalPowerMissingWhen`` for groups of ``pin`` without related pin."""
    count = 0
    n_inputs = 0
    for g in pin.internal_power:
        if g.related_pin is None and g.when and g.related_pg_pin == related_pg:
            count += 1
            n_inputs = len(bx.parse(g.when).variables())
    return count != (1 << n_inputs)


def _energy_tables(g) -> tuple:
    """(rise, fall) energy tables of a group; a single ``power`` table serves both."""
    return (g.rise_power or g.power, g.fall_power or g.power)


def _positive_unate(cell, frm: str, to: str) -> bool:
    """OpenSTA 3.x ``isPositiveUnate``: sense of the first arc ``frm`` -> ``to``
    (positive or non-unate: True; no arc: True)."""
    pin = cell.pins.get(to)
    for a in (pin.timing if pin is not None else ()):
        if a.related_pin == frm:
            return a.timing_sense != "negative_unate"
    return True


def _out_port_in(e: bx.Expr, cell) -> str | None:
    """OpenSTA ``findExprOutPort``: the first output pin named in ``e``."""
    for v in e.variables():
        pin = cell.pins.get(v)
        if pin is not None and pin.direction in ("output", "inout"):
            return v
    return None


def _internal3(design, ps: _PinStates, load: np.ndarray) -> np.ndarray:
    """Internal power per instance (uW), OpenSTA 3.x ``findInternalPower``.

    Per group the energy is the *average* of the rise and fall tables (pJ).
    Input pin groups: ``E * duty * density(pin)``, duty = 1, or with a ``when``
    naming an output whose function reads the pin the probability that the pin is
    sensitised to it, else P(when). Output pin groups: ``E * w * density(out)`` with
    ``w = dens(from) * s / sum(dens(from') * s')`` over the pin's groups with the same
    ``related_pg_pin``, ``s`` = P(output sensitised to ``from``) when the function
    reads ``from``, else P(when), else 0.5; the ``from`` slew is taken for the edge
    that causes the output edge (opposite for negative-unate arcs). Probabilities
    are exact for independent inputs (truth tables over the cell's pins)."""
    acc = _EnergySum(ps.top.n_inst)
    add = acc.add
    for ci, cell in enumerate(design.cells):
        insts = ps.insts_of(ci)
        n = insts.size
        if n == 0:
            continue

        def prob(e: bx.Expr) -> np.ndarray:
            return ps.exact_duty(ci, e)

        def sensitised(func: bx.Expr, frm: str) -> np.ndarray:
            return prob(bx.boolean_difference(func, frm))

        for pin in cell.pins.values():
            if not pin.internal_power:
                continue
            to = ps.get(ci, pin.name)
            present = to["net"] >= 0
            func = bx.parse(pin.function) if pin.function else None
            if pin.direction in ("input", "inout"):
                for g in pin.internal_power:
                    duty = np.ones(n)
                    if g.when:
                        w_e = bx.parse(g.when)
                        out = _out_port_in(w_e, cell)
                        of = cell.pins[out].function if out else None
                        of_e = bx.parse(of) if of else None
                        if of_e is not None and pin.name in of_e.variables():
                            duty = sensitised(of_e, pin.name)
                        else:
                            duty = prob(w_e)
                    w = np.where(present, 0.5 * duty * to["dens"], 0.0)
                    for rf, t in enumerate(_energy_tables(g)):
                        add(t, to["slew"][:, rf], 0.0, w, insts)
            if pin.direction not in ("output", "inout"):
                continue
            ld = np.where(present, load[np.maximum(to["net"], 0)], 0.0)
            groups = []
            dsum: dict = {}
            for g in pin.internal_power:
                if not g.related_pin or g.related_pin not in cell.pins:
                    continue
                fr = ps.get(ci, g.related_pin)
                if func is not None and g.related_pin in func.variables():
                    s = sensitised(func, g.related_pin)
                elif g.when:
                    s = prob(bx.parse(g.when))
                else:
                    s = np.full(n, 0.5)
                s = np.where(fr["net"] >= 0, s, 0.0)
                groups.append((g, fr, s))
                dsum[g.related_pg_pin] = dsum.get(g.related_pg_pin, 0.0) + fr["dens"] * s
            for g, fr, s in groups:
                tot = dsum[g.related_pg_pin]
                with np.errstate(invalid="ignore", divide="ignore"):
                    wt = np.where((tot != 0.0) & (fr["net"] >= 0), fr["dens"] * s / np.where(tot != 0.0, tot, 1.0), 0.0)
                w = np.where(present, 0.5 * wt * to["dens"], 0.0)
                pos = _positive_unate(cell, g.related_pin, pin.name)
                for rf, t in enumerate(_energy_tables(g)):
                    add(t, fr["slew"][:, rf if pos else 1 - rf], ld, w, insts)
    return acc.result()
