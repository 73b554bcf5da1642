"""The ``finevh run`` TOML configuration: schema, checks and the stage options it yields.

Every default comes from the stage option dataclasses (:mod:`finevh.stages.options`,
:class:`finevh.emit.common.EmitOptions`), so a key left out of the config means the
same as the option left out of the stage's CLI command. Paths are relative to the
config's folder; voltages V, frequencies MHz, widths um, currents mA. Every key is
described in docs/emulate.md.
"""

from __future__ import annotations

import glob
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .stages.options import PartitionOptions, PolybiasOptions, VddmuxOptions

_P = PartitionOptions()
_V = VddmuxOptions()
_B = PolybiasOptions()


@dataclass
class RunConfig:
    """Resolved configuration (absolute paths; voltages V; frequencies MHz)."""

    source: str
    name: str
    liberty: list[str]
    lef: list[str]
    verilog: str
    sdc: str
    def_file: str | None = None
    top: str | None = None
    place_utilization: float = 0.7
    vcd: str | None = None
    saif: str | None = None
    scope: str | None = None
    input_activity: tuple[float, float] = _V.activity.input_default
    power_rules: str = _V.activity.opensta_rules      # "2.0" | "3" (finevh.stages.options.FLOW_POWER_RULES)
    lut: list[str] = field(default_factory=list)
    crossing: list[str] = field(default_factory=list)  # supply-crossing tables ([] = timing without them)
    base_flavour: str | None = None
    flavours: list[str] | None = _B.flavours        # poly-bias stage order; [] = no poly-bias
    flavour_rule: str | None = None
    tiles: list[int] = field(default_factory=lambda: [3, 5, 7])
    delta_vdd_mv: list[int] = field(default_factory=lambda: [200, 100])
    n_freq: int = 16
    vdd_min: float = 0.60
    vdd_max: float = 1.00
    grid_step: float = 0.025
    wrapper_um: float | None = _P.wrapper_um
    wrapper_layer: str | None = _P.wrapper_layer
    supply_names: tuple[str, str, str, str] = _P.supply_names
    peak_factor: float = _V.peak_factor
    min_per_tile: int = _V.min_per_tile
    mux_cell: str | None = _V.mux_cell
    switch_max_ma: float | None = _V.switch_max_ma
    chain_ff: str | None = _V.chain_ff
    out_dir: str = "finevh_run"
    emit_tools: list[str] = field(default_factory=lambda: ["openroad", "icc2", "innovus", "primetime",
                                                          "opensta", "upf"])
    pb_corners: str = _B.corners                     # poly-bias corners (finevh polybias --corners syntax)
    polybias_cells: str = "interface"                # FINE-VH variants: interface | all | both
    #: poly-bias passes of the interface variant: 1 = against the uniform corners (thesis);
    #: each further pass keeps the tile maps the selection picked (instead of the uniform
    #: fmax corners) and is kept when the swept FINE-VH power drops (issue 13, item 5)
    polybias_rounds: int = 1
    selection: str = "local"                         # tile maps: local (Algorithm 5 + local search) | alg5 | milp

    def variants(self) -> tuple[str, ...]:
        """The flavour variants of the partitioned design to emulate (see finevh.run.VARIANTS):
        always ``none`` (no poly-bias), then ``pb`` (interface cells, thesis) and/or ``all``
        (interface rule, then leakage recovery on every cell)."""
        return ("none",) + {"interface": ("pb",), "all": ("all",), "both": ("pb", "all")}[self.polybias_cells]

    # ---- the stage options this config stands for ------------------------------------------
    def partition_options(self, n: int) -> PartitionOptions:
        return PartitionOptions(tiles=n, wrapper_um=self.wrapper_um, wrapper_layer=self.wrapper_layer,
                                supply_names=self.supply_names)

    def vddmux_options(self, activity) -> VddmuxOptions:
        return VddmuxOptions(mux_cell=self.mux_cell, switch_max_ma=self.switch_max_ma,
                             peak_factor=self.peak_factor, min_per_tile=self.min_per_tile,
                             chain_ff=self.chain_ff, activity=activity)

    def polybias_options(self, levels, activity) -> PolybiasOptions:
        return PolybiasOptions(flavours=self.flavours, corners=self.pb_corners, levels=list(levels),
                               activity=activity)


_KNOWN = {
    "design": {"name", "liberty", "lef", "verilog", "def", "sdc", "top", "place_utilization"},
    "activity": {"vcd", "saif", "scope", "input_activity", "power_rules"},
    "tech": {"lut", "crossing", "base_flavour", "flavours", "flavour_rule", "polybias_corners", "polybias_cells",
             "polybias_rounds"},
    "fvh": {"selection", "tiles", "delta_vdd_mv", "frequencies", "vdd_min", "vdd_max", "grid_step", "wrapper_um",
            "wrapper_layer", "supply_names", "peak_factor", "min_per_tile", "mux_cell", "switch_max_ma",
            "chain_ff", "emit"},
    "output": {"dir"},
}


def _line_of(text: str, key: str) -> int | None:
    for k, ln in enumerate(text.splitlines(), 1):
        s = ln.strip()
        if s.startswith(key) and s[len(key):].lstrip().startswith("="):
            return k
        if s == f"[{key}]":
            return k
    return None


def load_config(path: str | Path) -> RunConfig:
    """Read and check a ``finevh run`` TOML config (paths relative to its folder)."""
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", str(p))
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read: {e}", str(p)) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column \d+\)", str(e))
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e))
        raise InputError(f"TOML: {msg}", str(p), int(m.group(1)) if m else None) from None
    base = p.resolve().parent

    def fail(msg: str, key: str):
        raise InputError(msg, str(p), _line_of(text, key))

    for sec, body in raw.items():
        if sec not in _KNOWN:
            fail(f"unknown section [{sec}] (expected {', '.join(sorted(_KNOWN))})", sec)
        if not isinstance(body, dict):
            fail(f"'{sec}' must be a table", sec)
        for k in body:
            if k not in _KNOWN[sec]:
                fail(f"unknown key '{k}' in [{sec}] (expected {', '.join(sorted(_KNOWN[sec]))})", k)
    d = raw.get("design", {})
    a = raw.get("activity", {})
    t = raw.get("tech", {})
    f = raw.get("fvh", {})
    o = raw.get("output", {})

    def typed(sec: dict, key: str, kind, default=None):
        v = sec.get(key, default)
        if v is None:
            return None
        if kind is float and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        if not isinstance(v, kind) or isinstance(v, bool) and kind is not bool:
            fail(f"'{key}' must be a {kind.__name__}", key)
        if kind is str and not v.isprintable():
            fail(f"'{key}' must be printable text", key)
        return v

    def number(sec: dict, key: str, default, *, lo=None, hi=None, lo_open=False, kind=float):
        v = typed(sec, key, kind, default)
        if v is None:
            return None
        if kind is float and not math.isfinite(v):
            fail(f"'{key}' must be a finite number, got {v}", key)
        if lo is not None and (v < lo or lo_open and v == lo):
            fail(f"'{key}' must be {'>' if lo_open else '>='} {lo:g}, got {v:g}", key)
        if hi is not None and v > hi:
            fail(f"'{key}' must be <= {hi:g}, got {v:g}", key)
        return v

    def paths(sec: dict, key: str, required=False, many=True) -> list[str]:
        v = sec.get(key)
        if v is None:
            if required:
                fail(f"missing '{key}'", "design" if sec is d else key)
            return []
        items = v if isinstance(v, list) else [v]
        out: list[str] = []
        for it in items:
            if not isinstance(it, str) or not it or "\0" in it:
                fail(f"'{key}' must be a path or a list of paths", key)
            pat = str((base / it)) if not Path(it).is_absolute() else it
            hits = sorted(glob.glob(pat)) if any(ch in it for ch in "*?[") else [pat]
            if not hits:
                fail(f"'{key}': no file matches '{it}'", key)
            for h in hits:
                if not Path(h).is_file():
                    fail(f"'{key}': no such file '{h}'", key)
                h = str(Path(h).resolve())
                if h not in out:
                    out.append(h)
        if not many and len(out) != 1:
            fail(f"'{key}' must name one file", key)
        return out

    from .fileio import safe_filename_component

    name = safe_filename_component(typed(d, "name", str) or p.stem, "[design] name", str(p), _line_of(text, "name"))
    out_dir = typed(o, "dir", str)
    cfg = RunConfig(
        source=str(p),
        name=name,
        liberty=paths(d, "liberty", required=True),
        lef=paths(d, "lef"),
        verilog=paths(d, "verilog", required=True, many=False)[0],
        sdc=paths(d, "sdc", required=True, many=False)[0],
        def_file=(paths(d, "def", many=False) or [None])[0],
        top=typed(d, "top", str) or None,
        place_utilization=number(d, "place_utilization", 0.7, lo=0.0, hi=1.0, lo_open=True),
        vcd=(paths(a, "vcd", many=False) or [None])[0],
        saif=(paths(a, "saif", many=False) or [None])[0],
        scope=typed(a, "scope", str) or None,
        lut=paths(t, "lut"),
        crossing=paths(t, "crossing"),
        base_flavour=typed(t, "base_flavour", str),
        flavour_rule=typed(t, "flavour_rule", str),
        out_dir=str((base / out_dir).resolve()) if out_dir else "finevh_run",
    )
    if not cfg.lef:
        fail("missing 'lef' (cell sizes for the placement)", "design")
    ia = a.get("input_activity")
    if ia is not None:
        if not (isinstance(ia, list) and len(ia) == 2
                and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in ia)):
            fail("'input_activity' must be [transitions_per_cycle, duty]", "input_activity")
        if not all(math.isfinite(x) for x in ia) or ia[0] < 0 or not 0.0 <= ia[1] <= 1.0:
            fail(f"'input_activity': transitions per cycle must be finite and >= 0 and duty within [0, 1], "
                 f"got {ia}", "input_activity")
        cfg.input_activity = (float(ia[0]), float(ia[1]))
    pr = typed(a, "power_rules", str, _V.activity.opensta_rules)
    if pr not in ("2.0", "3"):
        fail(f"'power_rules' must be \"3\" (OpenSTA 3.x) or \"2.0\" (OpenSTA 2.0.17), got '{pr}'", "power_rules")
    cfg.power_rules = pr
    if cfg.vcd and cfg.saif:
        fail("give 'vcd' or 'saif', not both", "vcd")
    fl = t.get("flavours")
    if fl is not None:
        if not (isinstance(fl, list) and all(isinstance(x, str) and x.isprintable() and x for x in fl)):
            fail("'flavours' must be a list of flavour names (slowest first)", "flavours")
        cfg.flavours = list(fl)
    tl = f.get("tiles", [3, 5, 7])
    if not (isinstance(tl, list) and tl and all(isinstance(x, int) and not isinstance(x, bool) and 2 <= x <= 64
                                                for x in tl)):
        fail("'tiles' must be a list of tiles per side (integers 2..64)", "tiles")
    cfg.tiles = sorted(set(tl))
    dv = f.get("delta_vdd_mv", [200, 100])
    if not (isinstance(dv, list) and dv and all(isinstance(x, int) and not isinstance(x, bool) and x > 0
                                                for x in dv)):
        fail("'delta_vdd_mv' must be a list of positive integers (mV)", "delta_vdd_mv")
    cfg.delta_vdd_mv = list(dict.fromkeys(dv))
    cfg.n_freq = number(f, "frequencies", 16, lo=1, hi=10000, kind=int)
    cfg.vdd_min = number(f, "vdd_min", 0.60, lo=0.0, lo_open=True)
    cfg.vdd_max = number(f, "vdd_max", 1.00, lo=0.0, lo_open=True)
    cfg.grid_step = number(f, "grid_step", 0.025, lo=0.001)
    if not cfg.vdd_min < cfg.vdd_max:
        fail("need vdd_min < vdd_max", "vdd_min")
    for mv in cfg.delta_vdd_mv:
        span = round((cfg.vdd_max - cfg.vdd_min) * 1000)
        if span % mv or mv % round(cfg.grid_step * 1000):
            fail(f"delta_vdd_mv {mv}: must divide vdd_max - vdd_min ({span} mV) and be a multiple of grid_step",
                 "delta_vdd_mv")
    pc = typed(t, "polybias_corners", str, _B.corners)
    from .fvh.polybias import parse_corners

    try:
        parse_corners(pc)
    except InputError as e:
        fail(f"'polybias_corners': {e.message}", "polybias_corners")
    cfg.pb_corners = pc
    cfg.polybias_rounds = number(t, "polybias_rounds", 1, lo=1, hi=20, kind=int)
    for sec, key, allowed, attr in ((t, "polybias_cells", ("interface", "all", "both"), "polybias_cells"),
                                    (f, "selection", ("local", "alg5", "milp"), "selection")):
        v = typed(sec, key, str, getattr(cfg, attr))
        if v not in allowed:
            fail(f"'{key}' must be one of {', '.join(allowed)}, got '{v}'", key)
        setattr(cfg, attr, v)
    cfg.wrapper_um = number(f, "wrapper_um", _P.wrapper_um, lo=0.0)
    cfg.wrapper_layer = typed(f, "wrapper_layer", str, _P.wrapper_layer)
    sn = f.get("supply_names")
    if sn is not None:
        from .stages.partition import parse_supply_names

        if not (isinstance(sn, list) and all(isinstance(x, str) for x in sn)):
            fail("'supply_names' must be [VDDH, VDDL, VSS, VIRTUAL{id}]", "supply_names")
        try:
            cfg.supply_names = parse_supply_names(sn)
        except InputError as e:
            fail(f"'supply_names': {e.message}", "supply_names")
    cfg.peak_factor = number(f, "peak_factor", _V.peak_factor, lo=0.0, lo_open=True)
    cfg.min_per_tile = number(f, "min_per_tile", _V.min_per_tile, lo=0, kind=int)
    cfg.mux_cell = typed(f, "mux_cell", str, _V.mux_cell)
    cfg.switch_max_ma = number(f, "switch_max_ma", _V.switch_max_ma, lo=0.0, lo_open=True)
    cfg.chain_ff = typed(f, "chain_ff", str, _V.chain_ff)
    em = f.get("emit")
    if em is not None:
        from .emit import TOOLS

        if not (isinstance(em, list) and all(x in TOOLS for x in em)):
            fail(f"'emit' must be a list of tools among {', '.join(TOOLS)}", "emit")
        cfg.emit_tools = list(dict.fromkeys(em))
    return cfg
