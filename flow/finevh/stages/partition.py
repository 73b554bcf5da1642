"""Partition stage: the "no-look" N x N tile mesh over a placed design (thesis §4.1.2).

:func:`partition_stage` cuts ``design.placement``'s core into tiles with void wrappers,
legalises every cell into its tile, finds the interface cells and returns a new plan;
with constraints it also times the partitioned placement (critical-path delay, Table
4.1's delay column).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .. import progress
from ..errors import InputError
from .common import StageResult, make_timer, placement_wire_cap
from .options import PartitionOptions


def parse_supply_names(names) -> tuple[str, str, str, str]:
    """VddH, VddL, ground and virtual-supply template (with ``{id}``)."""
    sup = tuple(names.split(",")) if isinstance(names, str) else tuple(names)
    if len(sup) != 4 or "{id}" not in sup[3] or not all(sup):
        raise InputError(f"supply names: VDDH,VDDL,VSS,VIRTUAL{{id}} expected, got '{','.join(sup)}'")
    return sup  # type: ignore[return-value]


def _snap_to_dbu(pl) -> None:
    """Cell origins on the DEF database-unit grid, exactly as a DEF of this placement reads
    back (``x = round(x * dbu) / dbu``): the stages that follow see the same coordinates
    whether they run in memory (``finevh run``) or from the written DEF."""
    dbu = float(pl.dbu)
    pl.x = np.rint(pl.x * dbu).astype(np.int64) / dbu
    pl.y = np.rint(pl.y * dbu).astype(np.int64) / dbu


def critical_delay(design, constraints, placement) -> dict:
    """Worst setup slack and critical-path delay (the fastest clock's period minus the
    worst slack), ns (unrounded), with wire capacitance from ``placement``."""
    from ..fvh.emulate import clock_period

    r = make_timer(design, constraints, placement_wire_cap(design, placement)).update()
    ep = r.worst_endpoint()
    if ep is None:
        return {}
    return {"worst_slack_ns": float(ep.slack), "critical_delay_ns": float(clock_period(constraints) - ep.slack)}


def partition_stage(design, constraints=None, plan=None, opts: PartitionOptions | None = None) -> StageResult:
    """Partition ``design.placement`` into ``opts.tiles`` x ``opts.tiles`` tiles.

    Returns a new plan (``plan`` is ignored: partitioning starts one) with
    ``reports["partition"]``; ``extra["placement"]`` is the partitioned placement and
    ``extra["result"]`` the :class:`finevh.fvh.partition.PartitionResult`; with constraints
    ``extra["critical_delay_ns"]``/``["worst_slack_ns"]`` unrounded.
    """
    from ..fvh.partition import partition, summary_dict, to_plan, wrapper_from_lef
    from ..fvh.plan import Supplies

    opts = opts or PartitionOptions()
    if opts.tiles < 1:
        raise InputError(f"tiles per side must be >= 1, got {opts.tiles}")
    sup = parse_supply_names(opts.supply_names)
    if design.placement is None:
        raise InputError("partition needs a placement (--def and --lef)")
    lef = design.meta["lef"]
    if opts.wrapper_um is None and opts.wrapper_layer is None and not lef.routing_layers():
        site = lef.core_site() or next(iter(lef.sites.values()))
        wrapper, layer = site.width, None
        progress.warn(f"no routing layer known (no LEF): wrapper = one site ({wrapper:g} um); give the LEF or "
                      "a wrapper width for the rail spacing")
    elif opts.wrapper_um is None:
        wrapper, layer = wrapper_from_lef(lef, opts.wrapper_layer)
    else:
        if not np.isfinite(opts.wrapper_um) or opts.wrapper_um < 0:
            raise InputError(f"wrapper width must be a finite value >= 0 um, got {opts.wrapper_um}")
        wrapper, layer = opts.wrapper_um, None
    res = partition(design, opts.tiles, wrapper, layer)
    _snap_to_dbu(res.placement)
    rep = summary_dict(res)
    cd = critical_delay(design, constraints, res.placement) if constraints is not None else {}
    rep.update({k: round(v, 6) for k, v in cd.items()})
    new = to_plan(design, res, rep)
    new.supplies = Supplies(*sup)
    return StageResult(new, rep, {"placement": res.placement, "result": res, **cd})


def _source(design, placement):
    """The placement the partitioned one came from (``design.placement``) and its DEF."""
    src = design.placement if design.placement is not None else placement
    return src, placement.source_def or src.source_def


def _kept_after_partition(design, placement, mesh) -> list:
    """The source DEF's kept sections for the partitioned DEF: REGIONS and BLOCKAGES move
    with the tiles, the rest is unchanged (rule: :mod:`finevh.layout.defkeep`); one
    warning lists the sections that may be stale."""
    from ..layout.defkeep import remap_kept, tile_shifts

    src, sdef = _source(design, placement)
    kept = sdef.kept if sdef is not None else []
    base, new = tuple(src.core), tuple(placement.core)
    if not kept or np.allclose(base, new, atol=0.5 / placement.dbu):
        return list(kept)
    if mesh is None:   # the tile grid as partition builds it: one row segment per tile and tile row
        xs = sorted({round(r.x * placement.dbu) for r in placement.rows})
        n = len(xs)
        tile_w = placement.rows[0].num_sites * placement.rows[0].step
        tile_h = len(placement.rows) // (n * n) * placement.site_height
        wx = (new[2] - new[0] - n * tile_w) / (n - 1) if n > 1 else 0.0
        wy = (new[3] - new[1] - n * tile_h) / (n - 1) if n > 1 else 0.0
    else:
        n, tile_w, tile_h, wx, wy = mesh.n, mesh.tile_w, mesh.tile_h, mesh.wrapper_x, mesh.wrapper_y
    xsft = tile_shifts(base[0], base[2], n, tile_w, wx, new[2], placement.dbu)
    ysft = tile_shifts(base[1], base[3], n, tile_h, wy, new[3], placement.dbu)
    out, stale = remap_kept(kept, xsft, ysft)
    if stale:
        progress.warn(f"DEF section(s) {', '.join(stale)} written unchanged although the core grew from "
                      f"{base[2] - base[0]:g} x {base[3] - base[1]:g} to {new[2] - new[0]:g} x {new[3] - new[1]:g} um: "
                      "their coordinates may be stale (REGIONS and BLOCKAGES moved with the tiles)", src.source or None)
    return out


def write_partitioned_def(path: str, design, placement, extra=None, mesh=None) -> None:
    """DEF of ``placement`` (rows, components, pins, nets) plus what the source DEF holds
    and partitioning does not change: the sections finevh does not interpret (REGIONS,
    BLOCKAGES, SPECIALNETS, ...: see :mod:`finevh.layout.defkeep`), the NETS connections
    (routing dropped: the cells moved), component attributes, pin shapes and status,
    name spellings. Without a source DEF the nets come from the netlist. ``extra``: a :class:`finevh.layout.defio.DefComponents`
    of added instances (Vdd-MUX, chain flops); ``mesh``: the partition's
    :class:`finevh.fvh.tiles.TileMesh` (inferred from ``placement``'s rows when omitted)."""
    from ..layout.defio import write_def
    from ..layout.placement import to_def
    from ..place.flow import cell_masters, design_def_nets, make_tracks

    lef_db = design.meta["lef"]
    layer = placement.io[0].layer if placement.io else None
    size = lef_db.layers[layer].width if layer and layer in lef_db.layers and lef_db.layers[layer].width else 0.1
    _, sdef = _source(design, placement)
    nets = sdef.nets if sdef is not None and sdef.nets else design_def_nets(design)
    d = to_def(placement, design.netlist.inst_names, cell_masters(design), pin_size=max(size, 0.01),
               nets=nets, source=sdef)
    d.kept = _kept_after_partition(design, placement, mesh)
    d.tracks = make_tracks(lef_db, placement.die, d.dbu)
    if extra is not None and len(extra.names):
        c = d.components
        d.components = type(c)(names=c.names + extra.names, masters=c.masters + extra.masters,
                               status=np.concatenate([c.status, extra.status]), x=np.concatenate([c.x, extra.x]),
                               y=np.concatenate([c.y, extra.y]), orient=np.concatenate([c.orient, extra.orient]),
                               source=list(c.source) + list(extra.source),
                               line=np.concatenate([c.line, extra.line]))
    if sdef is not None and sdef.nets:   # connections to components no longer written (dropped antenna cells)
        names = set(d.components.names)
        d.nets = [n if all(a == "PIN" or a in names for a, _ in n.conns)
                  else replace(n, conns=[(a, b) for a, b in n.conns if a == "PIN" or a in names]) for n in d.nets]
    write_def(path, d)
