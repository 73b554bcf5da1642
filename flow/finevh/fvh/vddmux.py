"""Vdd-MUX insertion and the configuration flip-flop chain (thesis §4.1.2; SPEC §2 step 3).

Each tile's rows are tied to VddH or VddL by header switches ("Vdd-MUX" cells). The
count per tile follows the tile's peak current:

    I_avg(t)  = P(t) / VddH                     P(t): internal + switching + leakage
                                                power of the tile's cells (uW) at the
                                                SDC clock, from the power engine
    I_peak(t) = k_peak · I_avg(t)               k_peak: peak-to-average factor
    n(t)      = max(n_min, ceil(I_peak(t) / I_max))

I_max is the most one switch may carry (demo28: the 5 % IR-drop current of
``VDDMUX_X1``, repeated in every Liberty header, docs/tech.md). k_peak defaults to 4:
in a synchronous block the supply current comes as pulses after each clock edge,
and for logic that switches within the first part of the cycle the peak of the
cycle-averaged waveform is a few times its mean; the value is an engineering
default, not a thesis number — set it from a dynamic IR-drop analysis when one
exists. The cells go row by row ("row-based insertion", thesis ref. [135]): the
n(t) switches take n(t) rows spread uniformly over the tile's rows, alternately at
the tile's left and right border; the cells of those rows shift to make room.

Configuration chain: one flip-flop per tile, next to the tile's first switch, its Q
driving the tile's switch select; the chain visits the tiles in serpentine order
(tile row 0 left to right, row 1 right to left, ...), so consecutive flops are
neighbours. Lengths um, currents mA, power uW.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..layout.defio import ORIENTS
from ..place.legalize import pack_rows, width_in_sites
from .plan import ChainFlop, ConfigChain, MuxCell, Plan, TileMux, VddMuxPlan

DEFAULT_PEAK_FACTOR = 4.0


def find_switch_cell(libset, lef, name: str | None):
    """The Vdd-MUX master: ``name``, else the Liberty cell with a ``switch_pin`` input /
    an internal-power pg pin (a header switch). Returns (Liberty cell or None, LEF macro)."""
    cell = None
    if name is None:
        for L in libset.libraries:
            for c in L.cells.values():
                if any(p.pg_type == "internal_power" for p in c.pg_pins.values()):
                    cell = c
                    break
            if cell is not None:
                break
        if cell is None:
            raise InputError("no header-switch cell (a pg_pin of pg_type internal_power) in the libraries: "
                             "give --mux-cell and --switch-max-ma")
        name = cell.name
    else:
        cell = libset.find_cell(name)
    mac = lef.macros.get(name)
    if mac is None:
        raise InputError(f"Vdd-MUX cell '{name}' has no LEF macro", ",".join(lef.files))
    return cell, mac


def switch_max_current(libset, cell) -> float | None:
    """I_max (mA) of a switch from its library's header comment
    ("... max current X mA ..."), None when absent."""
    from ..fileio import read_text

    if cell is None:
        return None
    lib = libset.library_of(cell)
    head = read_text(lib.path)[:4000]
    m = re.search(r"max(?:imum)? current\s+([0-9.eE+-]+)\s*mA", head)
    return float(m.group(1)) if m else None


def serpentine(n: int) -> list[int]:
    """Tile ids in serpentine order over an n×n row-major mesh."""
    out: list[int] = []
    for r in range(n):
        cols = range(n) if r % 2 == 0 else range(n - 1, -1, -1)
        out += [r * n + c for c in cols]
    return out


#: switches per row of a tile at most: one at each end (the left and right tile border)
MAX_PER_ROW = 2


def mux_counts(tile_power_uw: np.ndarray, vddh: float, peak_factor: float, i_max_ma: float,
               n_min: int, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """(peak current mA, switch count) per tile; counts capped at two switches per row
    of the tile (one at each end, :func:`insert`)."""
    if vddh <= 0 or i_max_ma <= 0 or peak_factor <= 0:
        raise InputError("VddH, the switch current and the peak factor must be positive")
    peak = tile_power_uw * 1e-3 / vddh * peak_factor
    cnt = np.maximum(n_min, np.ceil(peak / i_max_ma - 1e-12)).astype(np.int64)
    if (cnt > MAX_PER_ROW * n_rows).any():
        t = int(np.argmax(cnt))
        raise InputError(f"tile {t} needs {int(cnt[t])} Vdd-MUX cells ({peak[t]:.3f} mA peak) but has room for "
                         f"{MAX_PER_ROW * n_rows} (one at each end of its {n_rows} rows): use more tiles or a "
                         "stronger switch")
    return peak, cnt


@dataclass
class InsertResult:
    x: np.ndarray                      # new lower-left x of the design's cells (um)
    muxes: list[MuxCell]
    flops: list[ChainFlop]
    shifted: int                       # cells moved to make room


def insert(plan: Plan, x: np.ndarray, y: np.ndarray, w: np.ndarray, counts: np.ndarray, mux_master: str,
           mux_w: float, ff_master: str, ff_w: float, row_orient: dict, prefix: str = "fvh") -> InsertResult:
    """Place ``counts[t]`` switches per tile (uniform rows, alternate borders) and one
    chain flop per tile beside its first switch (else in the nearest row with room); shift the row's cells (vectorised
    minimum-shift packing) to make room. ``row_orient``: global row -> orientation."""
    m = plan.mesh
    sw, rh = m.site_width, m.row_height
    n_sites = int(round(m.tile_w / sw))
    R = int(round(m.tile_h / rh))
    pitch = int(round((m.tile_h + m.wrapper_y) / rh))
    ws = width_in_sites(w, sw)
    mw = int(width_in_sites(np.array([mux_w]), sw)[0])
    fw = int(width_in_sites(np.array([ff_w]), sw)[0])
    boxes = [t.box for t in m.tiles]
    tile = plan.inst_tile
    nx = x.copy()
    muxes: list[MuxCell] = []
    flops: dict[int, ChainFlop] = {}
    shifted = 0
    for t in range(m.n_tiles):
        bx, by = boxes[t][0], boxes[t][1]
        idx = np.nonzero(tile == t)[0]
        row = np.rint((y[idx] - by) / rh).astype(np.int64)
        used = np.bincount(row, weights=ws[idx], minlength=R).astype(np.int64)
        k = int(counts[t])
        taken: dict[int, int] = {}          # row -> switches in it
        side: dict[int, bool] = {}          # row -> its first switch is at the left end
        members_of = {}

        def reserve(r: int, need: int, left: bool) -> int:
            """Reserve ``need`` sites at the left/right end of the free span of row r;
            returns the first reserved site. Cells of the row are re-packed."""
            nonlocal shifted
            lo_res, hi_res = resv.setdefault(r, [0, 0])
            start = lo_res if left else n_sites - hi_res - need
            if left:
                resv[r][0] += need
            else:
                resv[r][1] += need
            mem = members_of.setdefault(r, idx[row == r])
            if len(mem):
                a, b = resv[r]
                free = n_sites - a - b
                cx = (nx[mem] - bx) / sw + 0.5 * ws[mem] - a
                site = pack_rows(cx, np.zeros(len(mem), np.int64), ws[mem], 1, free)
                newx = bx + (site + a) * sw
                moved = np.abs(newx - nx[mem]) > 1e-6
                shifted += int(moved.sum())
                nx[mem] = newx
            used[r] += need
            return start

        resv: dict[int, list[int]] = {}
        # one switch per row; a tile that needs more switches than it has rows puts a
        # second one at the other end of rows
        cap = 1 if k <= R else MAX_PER_ROW
        for i in range(k):
            want = min(R - 1, int((i + 0.5) * R / k))
            r = next((c for c in sorted(range(R), key=lambda c: (abs(c - want), c))
                      if taken.get(c, 0) < cap and used[c] + mw <= n_sites), None)
            if r is None:
                raise InputError(f"tile {t}: no row has {mw} free sites for a Vdd-MUX: the tile is too full "
                                 "(re-place with a lower utilisation)")
            left = (i % 2 == 0) if r not in taken else not side[r]
            taken[r] = taken.get(r, 0) + 1
            side[r] = left
            g = (t // m.n) * pitch + r
            s0 = reserve(r, mw, left)
            muxes.append(MuxCell(f"{prefix}_vddmux_t{t}_{i}", mux_master, bx + s0 * sw, by + r * rh,
                                 row_orient.get(g, "N"), t, g))
            if i == 0:
                # the chain flop beside the first switch, else in the nearest row with room
                rf = next((c for c in sorted(range(R), key=lambda c: (abs(c - r), c)) if used[c] + fw <= n_sites),
                          None)
                if rf is None:
                    raise InputError(f"tile {t}: no row has {fw} free sites for the chain flip-flop")
                s1 = reserve(rf, fw, left)
                gf = (t // m.n) * pitch + rf
                flops[t] = ChainFlop(f"{prefix}_cfg_ff_t{t}", t, bx + s1 * sw, by + rf * rh,
                                     row_orient.get(gf, "N"))
    order = serpentine(m.n)
    return InsertResult(nx, muxes, [flops[t] for t in order], shifted)


def chain(plan: Plan, flops: list[ChainFlop], ff_master: str, clock: str, data_in: str) -> ConfigChain:
    return ConfigChain(master=ff_master, clock=clock, data_in=data_in, tile_order=serpentine(plan.mesh.n),
                       flops=flops)


def vddmux_plan(cell: str, i_max: float, k: float, muxes: list[MuxCell], peak: np.ndarray,
                counts: np.ndarray) -> VddMuxPlan:
    return VddMuxPlan(cell=cell, switch_max_ma=i_max, peak_factor=k, cells=muxes,
                      per_tile=[TileMux(t, float(peak[t]), int(counts[t])) for t in range(len(counts))])


def pick_chain_flop(libset, lef, name: str | None):
    """The configuration flip-flop master: ``name``, else the smallest-area plain
    flip-flop (ff group, no clear/preset, pins D/Q/clock) that has a LEF macro."""
    if name is not None:
        if name not in lef.macros:
            raise InputError(f"chain flip-flop '{name}' has no LEF macro", ",".join(lef.files))
        return name, lef.macros[name].width
    best = None
    for L in libset.libraries:
        for c in L.cells.values():
            s = c.sequential
            if s is None or s.kind != "ff" or s.clear or s.preset or c.dont_use or c.name not in lef.macros:
                continue
            key = (c.area, c.name)
            if best is None or key < best[0]:
                best = (key, c.name)
    if best is None:
        raise InputError("no plain flip-flop with a LEF macro for the configuration chain: give --chain-ff")
    return best[1], lef.macros[best[1]].width


def orient_code(o: str) -> int:
    return ORIENTS.index(o)


def check_in_tiles(plan: Plan, x: np.ndarray, y: np.ndarray, w: np.ndarray, h: np.ndarray, path: str) -> None:
    """Every cell must lie inside its plan tile (the DEF is the partitioned placement)."""
    b = np.array([t.box for t in plan.mesh.tiles])[plan.inst_tile]
    eps = 1e-6
    bad = (x < b[:, 0] - eps) | (y < b[:, 1] - eps) | (x + w > b[:, 2] + eps) | (y + h > b[:, 3] + eps)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(f"instance '{plan.inst_names[i]}' at ({x[i]:g}, {y[i]:g}) is outside its tile "
                         f"{int(plan.inst_tile[i])}: give the DEF written by finevh partition --def-out", path)


__all__ = ["DEFAULT_PEAK_FACTOR", "find_switch_cell", "switch_max_current", "serpentine", "mux_counts", "insert",
           "chain", "vddmux_plan", "pick_chain_flop", "orient_code", "check_in_tiles"]
