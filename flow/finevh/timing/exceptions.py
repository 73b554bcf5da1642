"""SDC path exceptions (``set_false_path``, ``set_multicycle_path``, ``set_max_delay``,
``set_min_delay``) on the timing graph, with OpenSTA 3.x's semantics.

An exception is resolved onto terminal ids (:class:`PathExc`). Paths carry *exception
states* the way OpenSTA's tags do: a state is ``(exception, next -through index)``; a
path's state set is born at its startpoint (exceptions whose ``-from`` matches the
startpoint pin, its instance or the launching clock; exceptions without ``-from`` whose
first ``-through`` matches) and advances on every pin the path enters that matches the
next ``-through`` of one of its states. A completed ``set_false_path`` without ``-to``
kills the path where it completes (at its startpoint when it has no ``-through``). At an
endpoint the highest-priority exception whose states are complete and whose ``-to``
matches (pin, instance input, capturing clock, transitions) applies; exceptions with only
``-to`` are matched there too. Priority (OpenSTA's): false path > path delay >
multicycle, then ``-from`` pins > ``-to`` pins > ``-through`` > ``-from`` clocks > ``-to``
clocks; ties go to the tighter value.

:class:`ExceptionStates` holds the state sets of one search (late = max/setup, early =
min/hold): set 0 is the empty set, so a design without exceptions has one state and the
search is unchanged. Pins are *events*: the transition of a state set on entering a pin
(with a transition) is memoised. Times ns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MAX, MIN = 0, 1                 # min_max index: max = setup (late search), min = hold (early)
ANY_RF = -1                     # transition filter: rise 0, fall 1, both -1
KILL = -1                       # state transition result: the path is false from here on
#: OpenSTA's type priorities
TYPE_PRIORITY = {"false": 4000, "max_delay": 3000, "min_delay": 3000, "multicycle": 2000}


def rf_code(s: str | None) -> int:
    """'rise' -> 0, 'fall' -> 1, anything else (rise_fall) -> -1."""
    return 0 if s == "rise" else 1 if s == "fall" else ANY_RF


def _rf_ok(flt: int, rf) -> np.ndarray | bool:
    """Transition filter ``flt`` against transitions ``rf`` (array or int)."""
    return True if flt == ANY_RF else (rf == flt)


def _rf_ok1(flt: int, rf: int) -> bool:
    return flt == ANY_RF or flt == int(rf)


@dataclass(frozen=True)
class Thru:
    """One ``-through``: ``terms`` the terminals a path enters to match it (pins, every
    pin of a net, every pin of an instance); ``first`` where an exception without
    ``-from`` starts on it (an instance: its outputs only, as OpenSTA)."""

    terms: frozenset
    first: frozenset
    rf: int = ANY_RF


@dataclass
class PathExc:
    """One path exception on terminal ids (``from_terms`` are startpoint terminals:
    register clock pins, input ports; ``to_terms`` endpoint terminals). Clocks are
    indices into the constraints' clocks. ``min_max``: (applies to max/setup, applies
    to min/hold)."""

    kind: str                                    # false | max_delay | min_delay | multicycle
    value: float = 0.0                           # ns (path delay) or cycles (multicycle)
    min_max: tuple[bool, bool] = (True, True)
    from_terms: frozenset = frozenset()
    from_clocks: frozenset = frozenset()
    from_rf: int = ANY_RF
    thrus: tuple = ()
    to_terms: frozenset = frozenset()
    to_clocks: frozenset = frozenset()
    to_rf: int = ANY_RF
    end_rf: int = ANY_RF
    use_end_clk: bool = True                     # multicycle: period of the capturing clock
    ignore_clock_latency: bool = False           # path delay
    line: int = 0
    all_min_max: bool = field(default=True)      # no -setup/-hold given (multicycle accounting)

    @property
    def has_from(self) -> bool:
        return bool(self.from_terms or self.from_clocks)

    @property
    def has_to(self) -> bool:
        return bool(self.to_terms or self.to_clocks)

    @property
    def tracked(self) -> bool:
        """Needs per-path states (has -from or -through); else matched at the endpoint."""
        return self.has_from or bool(self.thrus)

    def matches(self, mm: int, exactly: bool = False) -> bool:
        """Applies to ``mm`` paths (multicycles are carried on min paths for the hold
        cycle accounting unless ``exactly``)."""
        return self.min_max[mm] or (self.kind == "multicycle" and not exactly and mm == MIN)

    def priority(self, mm: int) -> int:
        p = TYPE_PRIORITY[self.kind]
        if self.from_terms:
            p |= 1 << 6
        if self.to_terms:
            p |= 1 << 5
        if self.thrus:
            p |= 1 << 4
        if self.from_clocks:
            p |= 1 << 3
        if self.to_clocks:
            p |= 1 << 2
        if self.kind == "multicycle":
            p += 1 if self.all_min_max else 2 if self.min_max[mm] else 0
        return p

    def tighter_than(self, other: "PathExc") -> bool:
        if self.kind in ("max_delay", "min_delay") and other.kind in ("max_delay", "min_delay"):
            return self.value > other.value if self.kind == "min_delay" else self.value < other.value
        if self.kind == "multicycle" and other.kind == "multicycle":
            return self.value < other.value
        return False

    def multiplier(self, mm: int) -> int:
        """OpenSTA's pathMultiplier: 0 on hold for a multicycle given without -setup/-hold."""
        return 0 if (self.all_min_max and mm == MIN) else int(self.value)

    def to_match(self, terms: np.ndarray, rfs: np.ndarray, cap_k: np.ndarray, cap_rf: np.ndarray) -> np.ndarray:
        """Per endpoint row: does the ``-to`` match (pin/instance input, or capturing clock
        edge; ``cap_k`` -1 for none), with ``-rise``/``-fall`` end transitions."""
        end_ok = _rf_ok(self.end_rf, rfs)
        if not self.has_to:
            return np.broadcast_to(end_ok, terms.shape).copy()
        m = np.zeros(len(terms), dtype=bool)
        if self.to_terms:
            m |= np.isin(terms, np.fromiter(self.to_terms, dtype=np.int64)) & _rf_ok(self.to_rf, rfs)
        if self.to_clocks:
            m |= np.isin(cap_k, np.fromiter(self.to_clocks, dtype=np.int64)) & _rf_ok(self.to_rf, cap_rf)
        return m & end_ok


class ExceptionStates:
    """Exception state sets of one search (``mm``: MAX late, MIN early) over ``n_terms``
    terminals. ``sets[x]`` is a frozenset of ``(exception index, next thru index)``."""

    def __init__(self, excs: list[PathExc], mm: int, n_terms: int):
        self.excs = excs
        self.mm = mm
        self.sets: list[frozenset] = [frozenset()]
        self._index: dict[frozenset, int] = {frozenset(): 0}
        live = [i for i, e in enumerate(excs) if e.matches(mm) and e.tracked]
        self.live = live
        match: dict[int, set] = {}
        first: dict[int, set] = {}
        for i in live:
            e = excs[i]
            for j, th in enumerate(e.thrus):
                for t in th.terms:
                    match.setdefault(t, set()).add((i, j))
            if not e.has_from and e.thrus:
                for t in e.thrus[0].first:
                    first.setdefault(t, set()).add(i)
        self.sig_of_term = np.full(n_terms, -1, dtype=np.int64)
        self.sigs: list[tuple[frozenset, frozenset]] = []
        sig_id: dict[tuple, int] = {}
        for t in sorted(set(match) | set(first)):
            key = (frozenset(match.get(t, ())), frozenset(first.get(t, ())))
            if key not in sig_id:
                sig_id[key] = len(self.sigs)
                self.sigs.append(key)
            self.sig_of_term[t] = sig_id[key]
        self._from_pin: dict[int, list[int]] = {}
        self._from_clk: dict[int, list[int]] = {}
        for i in live:
            for t in excs[i].from_terms:
                self._from_pin.setdefault(t, []).append(i)
            for k in excs[i].from_clocks:
                self._from_clk.setdefault(k, []).append(i)
        self._memo: dict[tuple, int] = {}
        #: endpoint-only exceptions (no -from, no -through) of this search
        self.endpoint_only = [i for i, e in enumerate(excs) if e.matches(mm) and not e.tracked]

    @property
    def active(self) -> bool:
        return bool(self.live)

    def _id(self, s: frozenset) -> int:
        x = self._index.get(s)
        if x is None:
            x = self._index[s] = len(self.sets)
            self.sets.append(s)
        return x

    def _advance(self, i: int, j: int, match: frozenset, rf: int) -> int:
        thrus = self.excs[i].thrus
        while j < len(thrus) and (i, j) in match and _rf_ok1(thrus[j].rf, rf):
            j += 1
        return j

    def _complete_false(self, i: int, j: int) -> bool:
        e = self.excs[i]
        return e.kind == "false" and j == len(e.thrus) and not e.has_to

    def start(self, term: int, k: int, pin_rf: int, clk_rf: int) -> int:
        """State set of a path starting at ``term`` (launching clock ``k``, -1 none; the
        pin and clock edge transitions), or KILL for a complete false path."""
        key = ("s", term, k, pin_rf, clk_rf)
        x = self._memo.get(key)
        if x is not None:
            return x
        sig = self.sig_of_term[term]
        match, first = self.sigs[sig] if sig >= 0 else (frozenset(), frozenset())
        out = set()
        x = None
        cands = [(i, pin_rf) for i in self._from_pin.get(term, ())]
        cands += [(i, clk_rf) for i in self._from_clk.get(k, ())] if k >= 0 else []
        for i, rf in cands:
            if not _rf_ok1(self.excs[i].from_rf, rf):
                continue
            j = self._advance(i, 0, match, pin_rf)
            if self._complete_false(i, j):
                x = KILL
                break
            out.add((i, j))
        if x is None:
            x = self._thru_starts(out, first, match, pin_rf)
        self._memo[key] = x
        return x

    def _thru_starts(self, out: set, first: frozenset, match: frozenset, rf: int) -> int:
        for i in first:
            if not _rf_ok1(self.excs[i].thrus[0].rf, rf):
                continue
            j = self._advance(i, 1, match, rf)
            if self._complete_false(i, j):
                return KILL
            out.add((i, j))
        return self._id(frozenset(out))

    def enter(self, x: int, term: int, rf: int) -> int:
        """State set after a path in set ``x`` enters ``term`` with transition ``rf``."""
        sig = int(self.sig_of_term[term])
        return x if sig < 0 or x == KILL else self.enter_sig(x, sig, rf)

    def enter_sig(self, x: int, sig: int, rf: int) -> int:
        key = (x, sig, rf)
        y = self._memo.get(key)
        if y is not None:
            return y
        match, first = self.sigs[sig]
        out = set()
        for i, j in self.sets[x]:
            j = self._advance(i, j, match, rf)
            if self._complete_false(i, j):
                self._memo[key] = KILL
                return KILL
            out.add((i, j))
        y = self._memo[key] = self._thru_starts(out, first, match, rf)
        return y

    def resolve(self, x: int, terms: np.ndarray, rfs: np.ndarray, cap_k: np.ndarray, cap_rf: np.ndarray,
                mm: int | None = None, exactly: bool = False, kind: str | None = None) -> np.ndarray:
        """Per endpoint row (endpoint ``terms`` entered with data transitions ``rfs``,
        capturing clock ``cap_k`` (-1 none) and edge ``cap_rf``) of paths in state set
        ``x``: index of the exception that applies (-1 none, -2 the path is false by a
        ``-through`` completing at the endpoint pin)."""
        mm = self.mm if mm is None else mm
        n = len(terms)
        best = np.full(n, -1, dtype=np.int64)
        if not n or (x == 0 and not self.endpoint_only and not self.live):
            return best
        sig = self.sig_of_term[terms] if self.live else np.full(n, -1, dtype=np.int64)
        xe = np.full(n, x, dtype=np.int64)
        ev = np.nonzero(sig >= 0)[0]
        if len(ev):
            keys = sig[ev] * 2 + rfs[ev]
            for key in np.unique(keys).tolist():
                m = ev[keys == key]
                xe[m] = self.enter_sig(x, key // 2, key % 2) if x != KILL else KILL
        for xv in np.unique(xe).tolist():
            rows = np.nonzero(xe == xv)[0]
            if xv == KILL:
                best[rows] = -2
                continue
            cands = [i for i, j in self.sets[xv] if j == len(self.excs[i].thrus)] + self.endpoint_only
            bp = np.full(len(rows), -1, dtype=np.int64)
            bi = np.full(len(rows), -1, dtype=np.int64)
            for i in sorted(set(cands)):
                e = self.excs[i]
                if (kind is not None and e.kind != kind) or not e.matches(mm, exactly):
                    continue
                m = e.to_match(terms[rows], rfs[rows], cap_k[rows], cap_rf[rows])
                p = e.priority(mm)
                tighter = np.array([bi_ >= 0 and e.tighter_than(self.excs[bi_]) for bi_ in bi.tolist()], dtype=bool)
                upd = m & ((bi < 0) | (p > bp) | ((p == bp) & tighter))
                bp[upd] = p
                bi[upd] = i
            best[rows] = bi
        return best

    def closure(self, seeds: set[int], edge_events: list[tuple[int, int, int, int]]) -> set[int]:
        """State sets reachable from ``seeds`` through the edge events (from-pin
        signature, input transition, to-pin signature, output transition; -1 = none)."""
        seen = set(x for x in seeds if x != KILL)
        todo = list(seen)
        while todo:
            x = todo.pop()
            for ev in edge_events:
                y = self.edge(x, ev)
                if y != KILL and y not in seen:
                    seen.add(y)
                    todo.append(y)
        return seen

    def edge(self, x: int, ev: tuple[int, int, int, int]) -> int:
        """State set after an edge event (see :meth:`closure`)."""
        sf, irf, st, orf = ev
        if sf >= 0 and x != KILL:
            x = self.enter_sig(x, sf, irf)
        if st >= 0 and x != KILL:
            x = self.enter_sig(x, st, orf)
        return x


def edge_events(states: ExceptionStates, e_from: np.ndarray, e_in_rf: np.ndarray, e_to: np.ndarray,
                e_out_rf: np.ndarray, launch: np.ndarray) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """Per edge the id of its exception event (-1 none) and the distinct events. An edge
    enters its from pin (the wire into it; not for launch arcs, whose clock pin starts the
    path) and then its to pin."""
    E = len(e_to)
    sf = np.where((e_from >= 0) & ~launch, states.sig_of_term[np.maximum(e_from, 0)], -1)
    st = states.sig_of_term[e_to]
    has = (sf >= 0) | (st >= 0)
    ev_id = np.full(E, -1, dtype=np.int64)
    if not has.any():
        return ev_id, []
    idx = np.nonzero(has)[0]
    rows = np.stack([sf[idx], np.where(sf[idx] >= 0, e_in_rf[idx], 0), st[idx],
                     np.where(st[idx] >= 0, e_out_rf[idx], 0)], axis=1)
    uniq, inv = np.unique(rows, axis=0, return_inverse=True)
    ev_id[idx] = inv.reshape(-1)
    return ev_id, [tuple(int(v) for v in r) for r in uniq]
