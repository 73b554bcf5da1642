"""The FINE-VH plan file (``*.fvh.json``): what ``finevh partition``, ``finevh vddmux``
and ``finevh polybias`` decided, and what ``finevh emit`` turns into tool scripts.

One JSON object, versioned by ``format`` / ``version``, written atomically (temp file
+ rename) with sorted keys and fixed float formatting so equal plans are byte-identical.
Reading checks every field and raises :class:`~finevh.errors.InputError` with the file
and the line of the offending entry.

Units: lengths um (``units.length``), areas um^2, currents mA, power uW, times ns.
Tile ids are row-major from the lower-left corner (``tile = row * n + col``), as in
:mod:`finevh.fvh.tiles`. Per-instance arrays (``inst_tile``, ``interface``) follow the
netlist's instance order (``inst_names``).

Top-level layout (``version`` 1)::

    {"format": "finevh-plan", "version": 1,
     "design": "top", "units": {"length": "um", "area": "um2", "current": "mA", "time": "ns"},
     "mesh": {"n": 3, "base_core": [x0,y0,x1,y1], "core": [...], "die": [...],
              "wrapper_x": w, "wrapper_y": h, "tile_w": .., "tile_h": .., "row_height": ..,
              "site_width": .., "site": "core", "rows": 160,
              "tiles": [{"id": 0, "box": [x0,y0,x1,y1], "rows": 52, "cells": 1203}, ...]},
     "supplies": {"vddh": "VDDH", "vddl": "VDDL", "vss": "VSS", "virtual": "VVDD_T{id}"},
     "inst_names": [...], "inst_tile": [...], "interface": [0/1 ...],
     "vddmux": {"cell": "VDDMUX", "switch_max_ma": .., "peak_factor": .., "cells": [
                   {"name": .., "master": .., "x": .., "y": .., "orient": "N", "tile": 0, "row": 3}, ...],
                "per_tile": [{"tile": 0, "peak_ma": .., "count": 2}, ...]},
     "config_chain": {"master": "DFF", "clock": "fvh_cfg_clk", "data_in": "fvh_cfg_in",
                      "tile_order": [0,1,2,5,4,3,...],
                      "flops": [{"name": .., "tile": 0, "x": .., "y": .., "orient": "N"}, ...]},
     "pb_swaps": [{"instance": .., "from_cell": .., "to_cell": .., "flavour": "PB16"}, ...],
     "reports": {"partition": {...}, "vddmux": {...}, "polybias": {...}},
     "cell_pins": {"power": "VPWR", "ground": "VGND"}}

``vddmux``, ``config_chain`` and ``pb_swaps`` are empty until their stage has run.
``cell_pins`` (optional; absent in older plans and when unknown) names the standard
cells' own power/ground pins, as the design's Liberty ``pg_pin`` groups or LEF ``USE
POWER``/``USE GROUND`` pins give them (:meth:`finevh.design.Design.supply_pins`); the emit
stage ties those pins instead of its default ``VDD``/``VSS``.
"""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring_ascii as _js  # a str as json.dumps writes it
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..fileio import read_text, write_text_atomic

FORMAT = "finevh-plan"
VERSION = 1
SUFFIX = ".fvh.json"

Box = tuple[float, float, float, float]


@dataclass
class Supplies:
    """Supply net names. ``virtual`` is a format string with ``{id}`` (the tile id)."""

    vddh: str = "VDDH"
    vddl: str = "VDDL"
    vss: str = "VSS"
    virtual: str = "VVDD_T{id}"

    def virtual_net(self, tile: int) -> str:
        return self.virtual.replace("{id}", str(tile))


@dataclass
class Tile:
    id: int
    box: Box                 # um (x0, y0, x1, y1)
    rows: int                # standard-cell rows inside the tile
    cells: int               # netlist instances assigned to it


@dataclass
class Mesh:
    n: int                   # tiles per side
    base_core: Box           # N = 1 core (um)
    core: Box                # partitioned core (um)
    die: Box                 # partitioned die (um)
    wrapper_x: float         # void width between tile columns (um)
    wrapper_y: float         # void height between tile rows (um)
    tile_w: float
    tile_h: float
    row_height: float
    site_width: float
    site: str                # LEF site name of the rows
    rows: int                # rows of the partitioned core
    tiles: list[Tile] = field(default_factory=list)

    @property
    def n_tiles(self) -> int:
        return self.n * self.n

    def wrapper_boxes(self) -> list[Box]:
        """The void wrappers (vertical strips, then horizontal strips), um."""
        x0, y0, x1, y1 = self.core
        out: list[Box] = []
        for i in range(1, self.n):
            wx = x0 + i * self.tile_w + (i - 1) * self.wrapper_x
            out.append((wx, y0, wx + self.wrapper_x, y1))
        for j in range(1, self.n):
            wy = y0 + j * self.tile_h + (j - 1) * self.wrapper_y
            out.append((x0, wy, x1, wy + self.wrapper_y))
        return out


@dataclass
class MuxCell:
    """One inserted Vdd-MUX (header switch) instance."""

    name: str
    master: str
    x: float                 # lower-left, um
    y: float
    orient: str              # DEF orientation (N, FS, ...)
    tile: int
    row: int                 # row index inside the partitioned core (0 = bottom)


@dataclass
class TileMux:
    tile: int
    peak_ma: float           # estimated peak current of the tile from VddH (mA)
    count: int               # Vdd-MUX cells in the tile


@dataclass
class VddMuxPlan:
    cell: str = ""                  # master name
    switch_max_ma: float = 0.0      # max current one switch carries (mA)
    peak_factor: float = 0.0        # peak-to-average current factor used
    cells: list[MuxCell] = field(default_factory=list)
    per_tile: list[TileMux] = field(default_factory=list)


@dataclass
class ChainFlop:
    name: str
    tile: int
    x: float
    y: float
    orient: str


@dataclass
class ConfigChain:
    """Configuration flip-flop chain: one FF per tile, shifted in ``tile_order``
    (``flops[k]`` is the k-th FF along the chain; its Q drives tile ``flops[k].tile``'s
    Vdd-MUX select and the next FF's D)."""

    master: str = ""
    clock: str = "fvh_cfg_clk"
    data_in: str = "fvh_cfg_in"
    tile_order: list[int] = field(default_factory=list)
    flops: list[ChainFlop] = field(default_factory=list)


@dataclass
class PbSwap:
    instance: str
    from_cell: str
    to_cell: str
    flavour: str


@dataclass
class Plan:
    design: str
    mesh: Mesh
    inst_names: list[str]
    inst_tile: np.ndarray            # int32[N]
    interface: np.ndarray            # bool[N]
    supplies: Supplies = field(default_factory=Supplies)
    vddmux: VddMuxPlan = field(default_factory=VddMuxPlan)
    config_chain: ConfigChain = field(default_factory=ConfigChain)
    pb_swaps: list[PbSwap] = field(default_factory=list)
    reports: dict[str, Any] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=lambda: {
        "length": "um", "area": "um2", "current": "mA", "time": "ns", "power": "uW"})
    cell_pins: dict[str, str] = field(default_factory=dict)   # {"power": .., "ground": ..}, known ones only

    @property
    def n_instances(self) -> int:
        return len(self.inst_names)

    def tile_of(self) -> dict[str, int]:
        return dict(zip(self.inst_names, self.inst_tile.tolist()))


# --------------------------------------------------------------------------- write

def _r(v: float) -> float:
    """Stable float for JSON (1e-6 um = 1 pm resolution, no -0.0)."""
    x = round(float(v), 6)
    return 0.0 if x == 0 else x


def _box(b) -> list[float]:
    return [_r(v) for v in b]


#: per-instance arrays, written after the rest, one element per line
_PER_INSTANCE = ("inst_names", "inst_tile", "interface")
_SWAP_KEYS = ("flavour", "from_cell", "instance", "to_cell")     # PbSwap fields, sorted


class _Records:
    """A JSON array of flat objects with string values, kept as columns (no per-row
    dict): ``keys`` sorted as ``json.dumps(sort_keys=True)`` writes them."""

    def __init__(self, keys: tuple[str, ...], cols: list[list[str]]):
        self.keys = keys
        self.cols = cols

    def __len__(self) -> int:
        return len(self.cols[0]) if self.cols else 0

    def dicts(self) -> list[dict]:
        return [dict(zip(self.keys, row)) for row in zip(*self.cols)]

    def text(self, depth: int | None) -> str:
        """The array as ``json.dumps`` writes it: compact (``depth`` None) or with
        ``indent=1`` nested ``depth`` levels deep."""
        if not len(self):
            return "[]"
        enc = [_encode_column(c) for c in self.cols]
        if depth is None:
            tmpl = "{" + ", ".join(_js(k) + ": %s" for k in self.keys) + "}"
            return "[" + ", ".join([tmpl % row for row in zip(*enc)]) + "]"
        p0, p1, p2 = " " * depth, " " * (depth + 1), " " * (depth + 2)
        tmpl = p1 + "{\n" + ",\n".join(p2 + _js(k) + ": %s" for k in self.keys) + "\n" + p1 + "}"
        return "[\n" + ",\n".join([tmpl % row for row in zip(*enc)]) + "\n" + p0 + "]"


def _encode_column(col: list[str]) -> list[str]:
    """JSON texts of the strings ``col``; a column of few distinct values (cell names,
    flavours) encodes each value once."""
    distinct = set(col)
    if len(distinct) * 4 < len(col):
        memo = {v: _js(v) for v in distinct}
        return [memo[v] for v in col]
    return list(map(_js, col))


def _swaps(plan: Plan) -> _Records:
    sw = plan.pb_swaps
    return _Records(_SWAP_KEYS, [[s.flavour for s in sw], [s.from_cell for s in sw], [s.instance for s in sw],
                                 [s.to_cell for s in sw]])


def _plan_dict(plan: Plan) -> dict:
    """The plan as a JSON-ready dict, except ``pb_swaps`` (a :class:`_Records`) and the
    per-instance arrays (``inst_names`` list, ``inst_tile`` / ``interface`` numpy),
    which the writers serialise directly."""
    m = plan.mesh
    return {
        "format": FORMAT,
        "version": VERSION,
        "design": plan.design,
        "units": dict(plan.units),
        "mesh": {
            "n": m.n, "base_core": _box(m.base_core), "core": _box(m.core), "die": _box(m.die),
            "wrapper_x": _r(m.wrapper_x), "wrapper_y": _r(m.wrapper_y), "tile_w": _r(m.tile_w),
            "tile_h": _r(m.tile_h), "row_height": _r(m.row_height), "site_width": _r(m.site_width),
            "site": m.site, "rows": m.rows,
            "tiles": [{"id": t.id, "box": _box(t.box), "rows": t.rows, "cells": t.cells} for t in m.tiles],
        },
        "supplies": asdict(plan.supplies),
        "inst_names": plan.inst_names,
        "inst_tile": np.asarray(plan.inst_tile),
        "interface": np.asarray(plan.interface),
        "vddmux": {
            "cell": plan.vddmux.cell, "switch_max_ma": _r(plan.vddmux.switch_max_ma),
            "peak_factor": _r(plan.vddmux.peak_factor),
            "cells": [{"name": c.name, "master": c.master, "x": _r(c.x), "y": _r(c.y), "orient": c.orient,
                       "tile": c.tile, "row": c.row} for c in plan.vddmux.cells],
            "per_tile": [{"tile": t.tile, "peak_ma": _r(t.peak_ma), "count": t.count}
                         for t in plan.vddmux.per_tile],
        },
        "config_chain": {
            "master": plan.config_chain.master, "clock": plan.config_chain.clock,
            "data_in": plan.config_chain.data_in, "tile_order": list(plan.config_chain.tile_order),
            "flops": [{"name": f.name, "tile": f.tile, "x": _r(f.x), "y": _r(f.y), "orient": f.orient}
                      for f in plan.config_chain.flops],
        },
        "pb_swaps": _swaps(plan),
        "reports": plan.reports,
        **({"cell_pins": dict(sorted(plan.cell_pins.items()))} if plan.cell_pins else {}),
    }


def _array_items(d: dict, key: str) -> list[str]:
    """Element texts of per-instance array ``key`` of a :func:`_plan_dict`."""
    if key == "inst_names":
        return list(map(_js, d[key]))
    if key == "inst_tile":
        return list(map(str, d[key].astype(np.int64).tolist()))
    return ["1" if v else "0" for v in d[key].tolist()]


def plan_to_dict(plan: Plan) -> dict:
    """The plan as plain JSON data (what :func:`write_plan` writes)."""
    d = _plan_dict(plan)
    d["pb_swaps"] = d["pb_swaps"].dicts()
    d["inst_names"] = list(d["inst_names"])
    d["inst_tile"] = d["inst_tile"].astype(np.int64).tolist()
    d["interface"] = [int(bool(v)) for v in d["interface"].tolist()]
    return d


def plan_json(plan: Plan) -> str:
    """``json.dumps(plan_to_dict(plan), sort_keys=True)`` (the canonical one-line form,
    hashed by ``finevh emit``), built without per-instance objects."""
    d = _plan_dict(plan)
    parts = []
    for k in sorted(d):
        v = d[k]
        if k in _PER_INSTANCE:
            t = "[" + ", ".join(_array_items(d, k)) + "]"
        elif isinstance(v, _Records):
            t = v.text(None)
        else:
            t = json.dumps(v, sort_keys=True)
        parts.append(_js(k) + ": " + t)
    return "{" + ", ".join(parts) + "}"


def _dumps(d: dict) -> str:
    """JSON of a :func:`_plan_dict` as ``json.dumps(indent=1, sort_keys=True)`` would
    write it, but with the per-instance arrays last, one element per line (diffable,
    and so a reader error can point at a line)."""
    head = []
    for k in sorted(x for x in d if x not in _PER_INSTANCE):
        v = d[k]
        t = v.text(1) if isinstance(v, _Records) else json.dumps(v, indent=1, sort_keys=True).replace("\n", "\n ")
        head.append(" " + _js(k) + ": " + t)
    lines = ["{\n" + ",\n".join(head) + ","]
    for key in _PER_INSTANCE:
        items = _array_items(d, key)
        if not items:
            lines.append(f' "{key}": [],')
            continue
        lines.append(f' "{key}": [')
        lines.append(" " + ",\n ".join(items))
        lines.append(" ],")
    lines[-1] = lines[-1].rstrip(",")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_plan(path: str | Path, plan: Plan) -> None:
    """Write ``plan`` atomically (never a half-written file)."""
    write_text_atomic(path, _dumps(_plan_dict(plan)))


# --------------------------------------------------------------------------- read

class _Ctx:
    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text

    def line_of(self, needle: str, start: int = 0) -> int | None:
        k = self.text.find(needle, start)
        return None if k < 0 else self.text.count("\n", 0, k) + 1

    def fail(self, msg: str, key: str | None = None) -> InputError:
        return InputError(msg, self.path, self.line_of(f'"{key}"') if key else None)


def _num(ctx: _Ctx, v: Any, key: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise ctx.fail(f"'{key}': a finite number is expected, got {v!r}", key)
    return float(v)


def _nonneg(ctx: _Ctx, v: Any, key: str, positive: bool = False) -> float:
    """A finite number >= 0 (> 0 with ``positive``): sizes, currents, factors."""
    x = _num(ctx, v, key)
    if x < 0 or (positive and x == 0):
        raise ctx.fail(f"'{key}': must be {'>' if positive else '>='} 0, got {v!r}", key)
    return x


def _int(ctx: _Ctx, v: Any, key: str, lo: int | None = None) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise ctx.fail(f"'{key}': an integer is expected, got {v!r}", key)
    if lo is not None and v < lo:
        raise ctx.fail(f"'{key}': must be >= {lo}, got {v}", key)
    return int(v)


def _str(ctx: _Ctx, v: Any, key: str) -> str:
    if not isinstance(v, str):
        raise ctx.fail(f"'{key}': a string is expected, got {v!r}", key)
    return v


def _boxv(ctx: _Ctx, v: Any, key: str) -> Box:
    if not (isinstance(v, list) and len(v) == 4):
        raise ctx.fail(f"'{key}': [x0, y0, x1, y1] is expected", key)
    b = tuple(_num(ctx, x, key) for x in v)
    if b[2] < b[0] or b[3] < b[1]:
        raise ctx.fail(f"'{key}': box with x1 < x0 or y1 < y0", key)
    return b  # type: ignore[return-value]


def _obj(ctx: _Ctx, v: Any, key: str) -> dict:
    if not isinstance(v, dict):
        raise ctx.fail(f"'{key}': a JSON object is expected", key)
    return v


def _list(ctx: _Ctx, v: Any, key: str) -> list:
    if not isinstance(v, list):
        raise ctx.fail(f"'{key}': a JSON array is expected", key)
    return v


def _get(ctx: _Ctx, d: dict, key: str, where: str) -> Any:
    if key not in d:
        raise ctx.fail(f"{where}: missing '{key}'", where.split(".")[-1] if where else None)
    return d[key]


def plan_from_dict(raw: Any, path: str = "<plan>", text: str = "") -> Plan:
    ctx = _Ctx(path, text)
    if not isinstance(raw, dict):
        raise InputError("a JSON object is expected", path, 1)
    if raw.get("format") != FORMAT:
        raise ctx.fail(f"not a finevh plan (format {raw.get('format')!r}, expected {FORMAT!r})", "format")
    ver = raw.get("version")
    if ver != VERSION:
        raise ctx.fail(f"unsupported plan version {ver!r} (this finevh reads version {VERSION})", "version")
    g = lambda d, k, w="plan": _get(ctx, d, k, w)  # noqa: E731
    m = _obj(ctx, g(raw, "mesh"), "mesh")
    n = _int(ctx, g(m, "n", "mesh"), "n", 1)
    tiles = []
    for t in _list(ctx, g(m, "tiles", "mesh"), "tiles"):
        t = _obj(ctx, t, "tiles")
        tiles.append(Tile(_int(ctx, g(t, "id", "tiles"), "id", 0), _boxv(ctx, g(t, "box", "tiles"), "box"),
                          _int(ctx, g(t, "rows", "tiles"), "rows", 0), _int(ctx, g(t, "cells", "tiles"), "cells", 0)))
    if len(tiles) != n * n or [t.id for t in tiles] != list(range(n * n)):
        raise ctx.fail(f"mesh: {n}x{n} tiles with ids 0..{n * n - 1} in order are expected, got {len(tiles)}",
                       "tiles")
    mesh = Mesh(
        n=n, base_core=_boxv(ctx, g(m, "base_core", "mesh"), "base_core"),
        core=_boxv(ctx, g(m, "core", "mesh"), "core"), die=_boxv(ctx, g(m, "die", "mesh"), "die"),
        wrapper_x=_nonneg(ctx, g(m, "wrapper_x", "mesh"), "wrapper_x"),
        wrapper_y=_nonneg(ctx, g(m, "wrapper_y", "mesh"), "wrapper_y"),
        tile_w=_nonneg(ctx, g(m, "tile_w", "mesh"), "tile_w", True),
        tile_h=_nonneg(ctx, g(m, "tile_h", "mesh"), "tile_h", True),
        row_height=_nonneg(ctx, g(m, "row_height", "mesh"), "row_height", True),
        site_width=_nonneg(ctx, g(m, "site_width", "mesh"), "site_width", True),
        site=_str(ctx, g(m, "site", "mesh"), "site"), rows=_int(ctx, g(m, "rows", "mesh"), "rows", 0),
        tiles=tiles)

    s = _obj(ctx, raw.get("supplies", {}), "supplies")
    sup = Supplies(**{k: _str(ctx, s[k], k) for k in ("vddh", "vddl", "vss", "virtual") if k in s})
    if "{id}" not in sup.virtual:
        raise ctx.fail("supplies.virtual must contain '{id}'", "virtual")
    try:
        sup.virtual_net(0)
    except (KeyError, IndexError, ValueError):
        raise ctx.fail(f"supplies.virtual: bad format string {sup.virtual!r}", "virtual") from None

    names = _list(ctx, g(raw, "inst_names"), "inst_names")
    for k, nm in enumerate(names):
        if not isinstance(nm, str):
            raise InputError(f"inst_names[{k}]: a string is expected", path, _array_line(ctx, "inst_names", k))
    if len(set(names)) != len(names):
        raise ctx.fail("inst_names: duplicate instance names", "inst_names")
    it = _list(ctx, g(raw, "inst_tile"), "inst_tile")
    iface = _list(ctx, g(raw, "interface"), "interface")
    if len(it) != len(names) or len(iface) != len(names):
        raise ctx.fail(f"inst_tile/interface must have one entry per instance ({len(names)})", "inst_tile")
    for k, v in enumerate(it):
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < n * n:
            raise InputError(f"inst_tile[{k}]: tile id 0..{n * n - 1} expected, got {v!r}", path,
                             _array_line(ctx, "inst_tile", k))
    for k, v in enumerate(iface):
        if v not in (0, 1) or isinstance(v, float):
            raise InputError(f"interface[{k}]: 0 or 1 expected, got {v!r}", path, _array_line(ctx, "interface", k))

    vm = _obj(ctx, raw.get("vddmux", {}), "vddmux")
    cells = []
    for c in _list(ctx, vm.get("cells", []), "cells"):
        c = _obj(ctx, c, "cells")
        cells.append(MuxCell(_str(ctx, g(c, "name", "vddmux.cells"), "name"),
                             _str(ctx, g(c, "master", "vddmux.cells"), "master"),
                             _num(ctx, g(c, "x", "vddmux.cells"), "x"), _num(ctx, g(c, "y", "vddmux.cells"), "y"),
                             _str(ctx, g(c, "orient", "vddmux.cells"), "orient"),
                             _tile_id(ctx, g(c, "tile", "vddmux.cells"), n), _int(ctx, g(c, "row", "vddmux.cells"), "row", 0)))
    per = []
    for t in _list(ctx, vm.get("per_tile", []), "per_tile"):
        t = _obj(ctx, t, "per_tile")
        per.append(TileMux(_tile_id(ctx, g(t, "tile", "vddmux.per_tile"), n),
                           _nonneg(ctx, g(t, "peak_ma", "vddmux.per_tile"), "peak_ma"),
                           _int(ctx, g(t, "count", "vddmux.per_tile"), "count", 0)))
    vplan = VddMuxPlan(cell=_str(ctx, vm.get("cell", ""), "cell"),
                       switch_max_ma=_nonneg(ctx, vm.get("switch_max_ma", 0.0), "switch_max_ma"),
                       peak_factor=_nonneg(ctx, vm.get("peak_factor", 0.0), "peak_factor"), cells=cells,
                       per_tile=per)

    cc = _obj(ctx, raw.get("config_chain", {}), "config_chain")
    flops = []
    for f in _list(ctx, cc.get("flops", []), "flops"):
        f = _obj(ctx, f, "flops")
        flops.append(ChainFlop(_str(ctx, g(f, "name", "config_chain.flops"), "name"),
                               _tile_id(ctx, g(f, "tile", "config_chain.flops"), n),
                               _num(ctx, g(f, "x", "config_chain.flops"), "x"),
                               _num(ctx, g(f, "y", "config_chain.flops"), "y"),
                               _str(ctx, g(f, "orient", "config_chain.flops"), "orient")))
    order = [_tile_id(ctx, v, n) for v in _list(ctx, cc.get("tile_order", []), "tile_order")]
    if order and sorted(order) != list(range(n * n)):
        raise ctx.fail("config_chain.tile_order must list every tile once", "tile_order")
    chain = ConfigChain(master=_str(ctx, cc.get("master", ""), "master"),
                        clock=_str(ctx, cc.get("clock", "fvh_cfg_clk"), "clock"),
                        data_in=_str(ctx, cc.get("data_in", "fvh_cfg_in"), "data_in"),
                        tile_order=order, flops=flops)

    swaps = []
    known = set(names)
    for s_ in _list(ctx, raw.get("pb_swaps", []), "pb_swaps"):
        s_ = _obj(ctx, s_, "pb_swaps")
        sw = PbSwap(*(_str(ctx, g(s_, k, "pb_swaps"), k) for k in ("instance", "from_cell", "to_cell", "flavour")))
        if sw.instance not in known:
            raise InputError(f"pb_swaps: unknown instance '{sw.instance}'", path,
                             ctx.line_of(json.dumps(sw.instance), ctx.text.find('"pb_swaps"')))
        swaps.append(sw)
    units = _obj(ctx, raw.get("units", {}), "units")
    if units.get("length", "um") != "um":
        raise ctx.fail(f"units.length {units.get('length')!r}: only 'um' is supported", "length")
    reports = _obj(ctx, raw.get("reports", {}), "reports")
    cp = _obj(ctx, raw.get("cell_pins", {}), "cell_pins")
    for k in cp:
        if k not in ("power", "ground"):
            raise ctx.fail(f"cell_pins: unknown key '{k}' (power, ground)", k)
    cell_pins = {k: _str(ctx, v, k) for k, v in sorted(cp.items())}
    return Plan(cell_pins=cell_pins, design=_str(ctx, g(raw, "design"), "design"), mesh=mesh, inst_names=list(names),
                inst_tile=np.asarray(it, dtype=np.int32), interface=np.asarray(iface, dtype=bool),
                supplies=sup, vddmux=vplan, config_chain=chain, pb_swaps=swaps, reports=reports,
                units={k: str(v) for k, v in units.items()} or Plan.__dataclass_fields__["units"].default_factory())


def _tile_id(ctx: _Ctx, v: Any, n: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < n * n:
        raise ctx.fail(f"tile id 0..{n * n - 1} expected, got {v!r}", "tile")
    return int(v)


def _array_line(ctx: _Ctx, key: str, k: int) -> int | None:
    """Line of element ``k`` of a per-instance array (one element per line as written)."""
    first = ctx.line_of(f'"{key}"')
    return None if first is None else first + 1 + k


def read_plan(path: str | Path) -> Plan:
    """Read and validate a plan file; :class:`InputError` (file, line) when malformed."""
    p = str(path)
    if not Path(p).is_file():
        raise InputError("no such file", p)
    text = read_text(p)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"bad JSON: {e.msg}", p, e.lineno) from None
    return plan_from_dict(raw, p, text)
