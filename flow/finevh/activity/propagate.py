"""Clock reach and switching-activity propagation over a linked design.

Everything is per net (a load pin sees the activity of its net's driver, as in
OpenSTA where a wire edge copies the driver's activity). Activity is a pair
(density, duty): transitions per clock cycle (or per ns, see :func:`propagate`) and
the probability of being 1.

OpenSTA 2.0.17 (``Power::ensureActivities``) is the reference; what it does, and
what this module does the same way:

- Seeds: non-clock input ports get the user's activity or the input default
  (0.1 transitions per cycle, duty 0.5); nets without a driver and constant nets
  are seeded the same way (they are roots of the timing graph there).
- Combinational cells: output = the pin ``function`` evaluated with the pairwise
  rules of :mod:`finevh.activity.expr` on the input pins' activities. OpenSTA makes
  a pin for every port of a cell, so an unconnected input pin is a root of its
  graph: it reads the input default, and makes its instance part of the first pass.
- Clock network nets always read (2 transitions per cycle, duty 0.5).
- Registers: after a pass over the combinational logic, every register reached
  by that pass gets its state ``IQ`` = ``next_state`` (``data_in`` for latches)
  evaluated on its inputs, ``IQN`` the complement, and its outputs are re-evaluated
  and propagated in a new pass. OpenSTA starts another pass only when the LAST
  register pin its breadth-first walk visits had no activity before; in practice
  (measured on s38417, 1,463 flip-flops) it stops after the second pass, so the
  default here is ``max_passes=2``: register outputs carry their D activity as
  computed in the first pass, with register outputs of that pass at the input
  default. Larger ``max_passes`` iterate further (while new registers are reached).
- A net never reached reads the input default.

Clock reach (``Power::findClk``): the clock of a pin is the fastest clock whose
paths reach it: clock nets (forward from the clock sources through
combinational cells, stopping at sequential cells), data launched by registers
(their clock pins' clock) and inputs with ``set_input_delay -clock``, forward
through combinational cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..design import DIR_INOUT, DIR_INPUT
from . import expr as bx

INPUT_DEFAULT = (0.1, 0.5)


@dataclass
class CellInfo:
    """What propagation and power need of a bound cell (parsed once)."""

    name: str
    pins: list[str]
    outputs: dict[str, bx.Expr | None]     # output pin -> function (None: none)
    sequential: bool
    seq_data: bx.Expr | None = None        # next_state / data_in
    iq: str | None = None
    iqn: str | None = None
    clock_pins: tuple[str, ...] = ()


def cell_info(cell) -> CellInfo:
    outs: dict[str, bx.Expr | None] = {}
    for p in cell.pins.values():
        if p.direction in ("output", "inout"):
            outs[p.name] = bx.parse(p.function) if p.function else None
    seq = cell.sequential
    info = CellInfo(cell.name, list(cell.pins), outs, seq is not None)
    clk = {p.name for p in cell.pins.values() if p.is_clock}
    if seq is not None:
        data = seq.next_state if seq.kind == "ff" else seq.data_in
        info.seq_data = bx.parse(data) if data else None
        info.iq, info.iqn = seq.iq, seq.iqn
        on = seq.clocked_on if seq.kind == "ff" else seq.enable
        if on:
            clk |= set(bx.parse(on).variables())
    info.clock_pins = tuple(sorted(clk))
    return info


@dataclass
class Topology:
    """Per-connection and per-instance index arrays derived once from a design."""

    n_inst: int
    n_nets: int
    n_pins: int
    conn_inst: np.ndarray        # int64[P] instance of each pin connection
    conn_net: np.ndarray         # int64[P]
    conn_dir: np.ndarray         # int8[P]
    net_driver: np.ndarray       # int64[M] first driving terminal or -1
    infos: list[CellInfo]        # per bound cell (design.cells)
    inst_seq: np.ndarray         # bool[N]
    order: np.ndarray            # combinational instances in topological order
    level: np.ndarray            # int32[N] level of combinational instances (-1 for sequential)
    row_in_cell: np.ndarray      # int64[N] row of each instance in its cell's matrix
    cell_slots: list[dict[str, int]]     # per bound cell: formal pin -> column
    cell_conns: list[np.ndarray]         # per bound cell: int64[n_insts, n_pins] connection or -1
    inst_cell: np.ndarray                # the binding the matrices were built for
    netlist: object = None               # the netlist the arrays index
    cells: list = field(default_factory=list)   # design.cells the matrices were built for

    def conn(self, i: int, pin: str) -> int | None:
        """Connection index of formal ``pin`` of instance ``i`` (None if absent)."""
        c = int(self.inst_cell[i])
        k = self.cell_slots[c].get(pin)
        if k is None:
            return None
        x = int(self.cell_conns[c][self.row_in_cell[i], k])
        return x if x >= 0 else None

    def conns(self, i: int) -> dict[str, int]:
        c = int(self.inst_cell[i])
        row = self.cell_conns[c][self.row_in_cell[i]]
        return {n: int(row[k]) for n, k in self.cell_slots[c].items() if row[k] >= 0}


def topology(design, prev: Topology | None = None) -> Topology:
    """Index arrays of ``design`` under its current binding.

    ``prev``: a topology of the same netlist under another binding. Re-binding to
    twins (other supply or flavour) changes neither connectivity nor which instances
    are sequential, so its connection arrays and levelisation are reused and only the
    per-cell matrices are rebuilt (the emulation re-binds hundreds of times)."""
    nl = design.netlist
    N = nl.n_instances
    M = nl.n_nets
    P = int(nl.pin_ptr[-1])
    known = {}
    if prev is not None and prev.netlist is nl:
        known = {id(c): info for c, info in zip(prev.cells, prev.infos)}
    infos = [known.get(id(c)) or cell_info(c) for c in design.cells]
    seq_of_cell = np.array([i.sequential for i in infos], dtype=bool)
    inst_seq = seq_of_cell[np.asarray(design.inst_cell, dtype=np.int64)] if N else np.zeros(0, bool)
    if prev is not None and prev.netlist is nl and np.array_equal(prev.inst_seq, inst_seq):
        conn_inst, conn_net, drv, ordr, level = prev.conn_inst, prev.conn_net, prev.net_driver, prev.order, prev.level
    else:
        conn_inst = np.repeat(np.arange(N, dtype=np.int64), np.diff(nl.pin_ptr))
        conn_net = nl.pin_net.astype(np.int64)
        drv = np.full(M, -1, dtype=np.int64)
        has = design.net_n_drivers > 0
        drv[has] = design.net_terms[design.net_term_ptr[:-1][has]]
        ordr, level = _levelise(design, N, P, conn_inst, conn_net, drv, inst_seq)
    # Dense per-cell connection matrices (vectorised pin look-ups).
    names = nl.pin_names
    C = len(design.cells)
    ic = np.asarray(design.inst_cell, dtype=np.int64)
    # stable sorts of cell indices: as int16 when they fit, numpy sorts them by radix
    narrow = np.int16 if C < (1 << 15) else np.int32
    o = np.argsort(ic.astype(narrow), kind="stable")
    counts = np.bincount(ic, minlength=C) if N else np.zeros(C, np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    row_in_cell = np.empty(N, dtype=np.int64)
    row_in_cell[o] = np.arange(N) - np.repeat(starts, counts)
    cell_slots = [{n: k for k, n in enumerate(c.pins)} for c in design.cells]
    cc = ic[conn_inst]
    # (bound cell, formal pin name index) -> column; pins unknown to the cell get
    # extra columns after the cell's own pins
    pairs = np.unique(cc * max(len(names), 1) + nl.pin_name.astype(np.int64)) if P else np.zeros(0, np.int64)
    lut = {}
    for key in pairs.tolist():
        c, k = divmod(key, max(len(names), 1))
        sl = cell_slots[c]
        j = sl.get(names[k])
        if j is None:
            j = sl[names[k]] = len(sl)
        lut[key] = j
    ukeys = np.asarray(sorted(lut), dtype=np.int64)
    uvals = np.asarray([lut[k] for k in ukeys.tolist()], dtype=np.int64)
    ckey = cc * max(len(names), 1) + nl.pin_name.astype(np.int64)
    slot = uvals[np.searchsorted(ukeys, ckey)] if P else np.zeros(0, np.int64)
    cell_conns = [np.full((int(counts[c]), len(cell_slots[c])), -1, dtype=np.int64) for c in range(C)]
    by_cell = np.argsort(cc.astype(narrow), kind="stable")
    cptr = np.searchsorted(cc[by_cell], np.arange(C + 1))
    for c in np.nonzero(np.diff(cptr))[0].tolist():
        sel = by_cell[cptr[c]:cptr[c + 1]]
        cell_conns[c][row_in_cell[conn_inst[sel]], slot[sel]] = sel
    return Topology(N, M, P, conn_inst, conn_net, design.pin_dir, drv, infos,
                    inst_seq, ordr, level, row_in_cell, cell_slots, cell_conns,
                    np.array(design.inst_cell, copy=True), nl, list(design.cells))


def _levelise(design, N, P, conn_inst, conn_net, drv, inst_seq):
    """(order, level) of the combinational instances: edges run from a combinational
    driver instance to a combinational load instance; loops are broken at the
    lowest-index instance left."""
    is_in = (design.pin_dir == DIR_INPUT) | (design.pin_dir == DIR_INOUT)
    load_c = np.nonzero(is_in & (conn_net >= 0))[0]
    d = drv[conn_net[load_c]]
    ok = (d >= 0) & (d < P)
    src_i = conn_inst[d[ok]]
    dst_i = conn_inst[load_c[ok]]
    keep = ~inst_seq[src_i] & ~inst_seq[dst_i] & (src_i != dst_i)
    src_i, dst_i = src_i[keep], dst_i[keep]
    pair = np.unique(src_i * max(N, 1) + dst_i)
    src_i, dst_i = pair // max(N, 1), pair % max(N, 1)
    indeg = np.bincount(dst_i, minlength=N)
    o = np.argsort(src_i, kind="stable")
    adj_ptr = np.concatenate([[0], np.cumsum(np.bincount(src_i, minlength=N))])
    adj = dst_i[o]
    level = np.full(N, -1, dtype=np.int32)
    comb = ~inst_seq
    frontier = np.nonzero(comb & (indeg == 0))[0]
    order: list[np.ndarray] = []
    lv = 0
    remaining = indeg.copy()
    done = np.zeros(N, bool)
    while True:
        while frontier.size:
            level[frontier] = lv
            done[frontier] = True
            order.append(frontier)
            starts, ends = adj_ptr[frontier], adj_ptr[frontier + 1]
            cnt = ends - starts
            if cnt.sum() == 0:
                break
            idx = np.repeat(starts - np.cumsum(np.concatenate([[0], cnt[:-1]])), cnt) + np.arange(cnt.sum())
            nxt = adj[idx]
            np.subtract.at(remaining, nxt, 1)
            cand = np.unique(nxt)
            frontier = cand[(remaining[cand] == 0) & ~done[cand]]
            lv += 1
        left = np.nonzero(comb & ~done)[0]
        if left.size == 0:
            break
        # Combinational loop: break it at the lowest-index instance left.
        frontier = left[:1]
        remaining[frontier] = 0
        lv += 1
    ordr = np.concatenate(order) if order else np.zeros(0, np.int64)
    return ordr, level


def _level_groups(top: Topology, design, insts: np.ndarray):
    """(level, bound cell) groups of ``insts`` in level order."""
    if insts.size == 0:
        return []
    lv = top.level[insts]
    ce = design.inst_cell[insts]
    key = lv.astype(np.int64) * (len(design.cells) + 1) + ce
    o = np.argsort(key, kind="stable")
    ks = key[o]
    cut = np.nonzero(np.diff(ks))[0] + 1
    return [(int(design.inst_cell[g[0]]), g) for g in np.split(insts[o], cut)]


def pin_conns(top: Topology, design, insts: np.ndarray, pin: str) -> np.ndarray:
    """Connection index of formal ``pin`` for instances ``insts`` of ONE bound cell
    (-1 where the pin is not connected)."""
    if insts.size == 0:
        return np.zeros(0, dtype=np.int64)
    c = int(design.inst_cell[insts[0]])
    k = top.cell_slots[c].get(pin)
    if k is None:
        return np.full(insts.size, -1, dtype=np.int64)
    return top.cell_conns[c][top.row_in_cell[insts], k]


def _pin_nets(top: Topology, insts: np.ndarray, pin: str, design=None) -> np.ndarray:
    """Net of formal ``pin`` for each instance of one cell (-1 when absent/unconnected)."""
    conns = pin_conns(top, design, insts, pin)
    return np.where(conns >= 0, top.conn_net[np.maximum(conns, 0)], -1)


@dataclass
class ClockReach:
    is_clock: np.ndarray      # bool[M] net is on a clock network
    period: np.ndarray        # float64[M] fastest clock period reaching the net (inf: none)


def clock_reach(design, top: Topology, clocks) -> ClockReach:
    """``clocks``: iterable of (period_ns, source terminal ids); input delays are given
    as extra entries ``(period_ns, [port terminals])`` with ``clock_net=False`` — see
    :func:`clock_reach_from_constraints`."""
    M = top.n_nets
    is_clock = np.zeros(M, bool)
    clk_period = np.full(M, np.inf)
    nl = design.netlist
    P = top.n_pins
    data_seed = np.full(M, np.inf)
    for per, terms, is_clk in clocks:
        for t in terms:
            n = int(nl.port_net[t - P]) if t >= P else int(top.conn_net[t])
            if n < 0:
                continue
            if is_clk:
                is_clock[n] = True
                clk_period[n] = min(clk_period[n], per)
            else:
                data_seed[n] = min(data_seed[n], per)
    # Clock network: forward through combinational instances (level order).
    for ci, insts in _level_groups(top, design, top.order):
        info = top.infos[ci]
        ins = [p for p in info.pins if p not in info.outputs]
        best = np.full(insts.size, np.inf)
        anyc = np.zeros(insts.size, bool)
        for p in ins:
            nets = _pin_nets(top, insts, p, design)
            ok = nets >= 0
            anyc[ok] |= is_clock[nets[ok]]
            best[ok] = np.minimum(best[ok], np.where(is_clock[nets[ok]], clk_period[nets[ok]], np.inf))
        if anyc.any():
            for o in info.outputs:
                nets = _pin_nets(top, insts, o, design)
                ok = (nets >= 0) & anyc
                is_clock[nets[ok]] = True
                clk_period[nets[ok]] = np.minimum(clk_period[nets[ok]], best[ok])
    period = np.minimum(clk_period, data_seed)
    # Register outputs: launched by the clock at their clock pins.
    seq = np.nonzero(top.inst_seq)[0]
    for i in seq.tolist():
        info = top.infos[int(design.inst_cell[i])]
        best = np.inf
        for p in info.clock_pins:
            c = top.conn(i, p)
            if c is not None and top.conn_net[c] >= 0:
                best = min(best, clk_period[top.conn_net[c]])
        if best < np.inf:
            for o in info.outputs:
                c = top.conn(i, o)
                if c is not None and top.conn_net[c] >= 0:
                    n = top.conn_net[c]
                    period[n] = min(period[n], best)
    # Data: forward through combinational instances.
    for ci, insts in _level_groups(top, design, top.order):
        info = top.infos[ci]
        ins = [p for p in info.pins if p not in info.outputs]
        best = np.full(insts.size, np.inf)
        for p in ins:
            nets = _pin_nets(top, insts, p, design)
            ok = nets >= 0
            best[ok] = np.minimum(best[ok], period[nets[ok]])
        for o in info.outputs:
            nets = _pin_nets(top, insts, o, design)
            ok = nets >= 0
            period[nets[ok]] = np.minimum(period[nets[ok]], best[ok])
    return ClockReach(is_clock, period)


def clock_reach_from_constraints(design, top: Topology, tc) -> ClockReach:
    """Clock reach from a :class:`finevh.timing.constraints.TimingConstraints`."""
    entries = []
    if tc is not None:
        for c in tc.clocks:
            entries.append((float(c.period), list(c.sources), True))
        for d in tc.input_delays:
            if d.clock is not None:
                entries.append((float(tc.clocks[d.clock].period), [d.terminal], False))
    return clock_reach(design, top, entries)


@dataclass
class NetActivity:
    density: np.ndarray    # float64[M] transitions per cycle (or per ns, see ``unit``)
    duty: np.ndarray       # float64[M] probability of 1
    is_set: np.ndarray     # bool[M] computed or given (False: reads the default)
    seq_state: dict        # instance -> (density, duty) of IQ
    unit: str = "cycle"    # "cycle" or "ns"
    passes: int = 0
    default: tuple[float, float] = INPUT_DEFAULT   # what an unconnected input pin reads


def propagate(design, top: Topology, reach: ClockReach, *,
              input_default: tuple[float, float] = INPUT_DEFAULT,
              user: dict[int, tuple[float, float]] | None = None,
              fixed: dict[int, tuple[float, float]] | None = None,
              clock_activity: tuple[float, float] = (2.0, 0.5),
              unit: str = "cycle",
              max_passes: int = 2) -> NetActivity:
    """Propagate activities from the inputs through the logic (OpenSTA rules, see module doc).

    ``user``: net -> (density, duty) for input-port nets (``set_power_activity
    -input_ports``). ``fixed``: net -> (density, duty) that propagation must keep
    (nets known from a VCD/SAIF file); they act as extra seeds.
    """
    nl = design.netlist
    M, P = top.n_nets, top.n_pins
    dens = np.full(M, input_default[0])
    duty = np.full(M, input_default[1])
    is_set = np.zeros(M, bool)
    user = user or {}
    fixed = fixed or {}
    fixed_mask = np.zeros(M, bool)
    for n, (a, d) in fixed.items():
        dens[n], duty[n] = a, d
        fixed_mask[n] = True
        is_set[n] = True
    clk = reach.is_clock & ~fixed_mask
    dens[clk], duty[clk] = clock_activity
    # Seeds of pass 1: input ports, undriven and constant nets (not clocks).
    seeds = np.zeros(M, bool)
    in_ports = np.nonzero(nl.port_dir != 1)[0]
    for k in in_ports.tolist():
        n = int(nl.port_net[k])
        if n >= 0:
            seeds[n] = True
    seeds |= top.net_driver < 0
    seeds |= nl.net_const >= 0
    seeds |= fixed_mask
    seeds &= ~clk
    for n in np.nonzero(seeds & ~fixed_mask)[0].tolist():
        a, d = user.get(n, input_default)
        dens[n], duty[n] = a, d
        is_set[n] = True
    seq_state: dict[int, tuple[float, float]] = {}
    seq_insts = np.nonzero(top.inst_seq)[0]
    passes = 0
    visited = seeds.copy()
    while True:
        passes += 1
        _comb_pass(design, top, dens, duty, is_set, visited, clk, fixed_mask, input_default,
                   passes == 1)
        # Registers whose (non-clock) inputs this pass reached.
        reached = []
        for i in seq_insts.tolist():
            info = top.infos[int(design.inst_cell[i])]
            for p, c in top.conns(i).items():
                if p in info.outputs:
                    continue
                n = top.conn_net[c]
                if n >= 0 and visited[n] and not clk[n]:
                    reached.append(i)
                    break
        if not any(i not in seq_state for i in reached) or passes >= max_passes:
            break
        visited = np.zeros(M, bool)
        for i in reached:
            info = top.infos[int(design.inst_cell[i])]
            env = _inst_env(top, i, info, dens, duty, input_default)
            if info.seq_data is not None:
                a, d = bx.eval_activity(info.seq_data, env)
                st = (float(a), float(d))
            else:
                st = input_default
            seq_state[i] = st
            if info.iq:
                env[info.iq] = (np.float64(st[0]), np.float64(st[1]))
            if info.iqn:
                env[info.iqn] = (np.float64(st[0]), np.float64(1.0 - st[1]))
            for o, f in info.outputs.items():
                c = top.conn(i, o)
                if c is None or f is None:
                    continue
                n = top.conn_net[c]
                if n < 0 or fixed_mask[n] or clk[n]:
                    continue
                try:
                    a, d = bx.eval_activity(f, env)
                except KeyError:
                    continue
                dens[n], duty[n] = float(a), float(d)
                is_set[n] = True
                visited[n] = True
    return NetActivity(dens, duty, is_set, seq_state, unit, passes, tuple(input_default))


def _inst_env(top: Topology, i: int, info: CellInfo, dens, duty, default) -> dict:
    env = {}
    for p in info.pins:
        c = top.conn(i, p)
        n = top.conn_net[c] if c is not None else -1
        if n >= 0:
            env[p] = (np.float64(dens[n]), np.float64(duty[n]))
        else:
            env[p] = (np.float64(default[0]), np.float64(default[1]))
    return env


def _comb_pass(design, top: Topology, dens, duty, is_set, visited, clk, fixed_mask,
               default=INPUT_DEFAULT, first: bool = True) -> None:
    """One forward pass over combinational instances reachable from ``visited`` nets
    (in the first pass, also from unconnected input pins, which are graph roots)."""
    for ci, insts in _level_groups(top, design, top.order):
        info = top.infos[ci]
        ins = [p for p in info.pins if p not in info.outputs]
        hit = np.zeros(insts.size, bool)
        env = {}
        for p in ins:
            nets = _pin_nets(top, insts, p, design)
            ok = nets >= 0
            hit[ok] |= visited[nets[ok]]
            if first:
                hit |= ~ok
            env[p] = (np.where(ok, dens[np.maximum(nets, 0)], default[0]),
                      np.where(ok, duty[np.maximum(nets, 0)], default[1]))
        if not hit.any():
            continue
        for o, f in info.outputs.items():
            nets = _pin_nets(top, insts, o, design)
            ok = (nets >= 0) & hit
            if not ok.any():
                continue
            visited[nets[ok]] = True
            if f is None:
                continue
            ok &= ~fixed_mask[np.maximum(nets, 0)] & ~clk[np.maximum(nets, 0)]
            try:
                a, d = bx.eval_activity(f, env, shape=insts.shape)
            except KeyError:
                continue
            a = np.broadcast_to(a, insts.shape)
            d = np.broadcast_to(d, insts.shape)
            dens[nets[ok]] = a[ok]
            duty[nets[ok]] = d[ok]
            is_set[nets[ok]] = True
