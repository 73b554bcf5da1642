"""FINE-VH implementation stages: plan file, finevh partition / vddmux / polybias.

Small designs only: ISCAS-89 s1196 mapped by Yosys onto demo28 (PB0, 1.00 V) and onto
ASAP7 SLVT, placed by the embedded placer.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from finevh.errors import InputError
from finevh.fileio import read_text

REPO = Path(__file__).resolve().parents[1]
D28 = REPO / "libs/demo28"
PB = [D28 / f"demo28_ss_125C_1p00v_{f}.lib" for f in ("pb0", "pb4", "pb10", "pb16")]
LEF = D28 / "demo28.lef"
SDC = """create_clock -name clk -period {period} [get_ports CK]
set_input_delay {io} -clock clk [all_inputs]
set_output_delay {io} -clock clk [all_outputs]
set_input_transition {tr} [all_inputs]
"""


def _libs(paths):
    out = []
    for p in paths:
        out += ["--liberty", str(p)]
    return out


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("fvh")


@pytest.fixture(scope="module")
def d28(work, shared_data, require_tool):
    """s1196 on demo28: netlist, placed DEF, SDC (timing met) and SDC (violated)."""
    require_tool("yosys")
    from click.testing import CliRunner

    from finevh.cli import cli
    from finevh.synth.yosys import map_to_liberty

    v = map_to_liberty([shared_data / "netlists/iscas89/s1196.v"], PB[0], "s1196", work / "s1196.v",
                       exclude_cells=["VDDMUX*", "FILL*", "TIE*", "ICG*"])
    # room for the 20-site Vdd-MUX switches in every tile (placed at floorplan time in the thesis)
    r = CliRunner().invoke(cli, ["-q", "place", "--lef", str(LEF), "--liberty", str(PB[0]), "--verilog", str(v),
                                 "--utilization", "0.4", "--out", str(work / "s1196.def")], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    (work / "met.sdc").write_text(SDC.format(period=0.85, io=0.05, tr=0.02))
    (work / "viol.sdc").write_text(SDC.format(period=0.70, io=0.05, tr=0.02))
    return {"v": str(v), "def": str(work / "s1196.def"), "met": str(work / "met.sdc"),
            "viol": str(work / "viol.sdc"), "dir": work}


def _partition(run_cli, d, tiles, *extra):
    return run_cli("partition", *_libs(PB[:1]), "--lef", LEF, "--verilog", d["v"], "--def", d["def"],
                   "--tiles", tiles, *extra)


def _def_cells(path, lef_db):
    from finevh.layout.defio import read_def

    dd = read_def(path)
    c = dd.components
    w = np.array([lef_db.macros[m].width for m in c.masters])
    return c.names, c.masters, c.x / dd.dbu, c.y / dd.dbu, w


def _overlaps(x, y, w) -> int:
    bad = 0
    for yy in np.unique(np.round(y, 6)):
        k = np.nonzero(np.abs(y - yy) < 1e-6)[0]
        o = np.argsort(x[k], kind="stable")
        xs, ws = x[k][o], w[k][o]
        bad += int((xs[1:] < xs[:-1] + ws[:-1] - 1e-6).sum())
    return bad


# ----------------------------------------------------------------------------- plan file
def _small_plan():
    from finevh.fvh.plan import Mesh, PbSwap, Plan, Tile

    m = Mesh(2, (0, 0, 10, 10), (0, 0, 11.2, 11.2), (0, 0, 13, 13), 1.2, 1.2, 5, 5, 1.2, 0.2, "core", 9,
             [Tile(i, (0, 0, 5, 5), 4, 1) for i in range(4)])
    p = Plan("top", m, ["a", "b\\[0\\]", "c"], np.array([0, 3, 1], np.int32), np.array([True, False, True]))
    p.pb_swaps.append(PbSwap("a", "INV_X1", "INV_X1", "PB16"))
    return p


def test_plan_roundtrip_byte_identical(tmp_path):
    from finevh.fvh.plan import read_plan, write_plan

    p = _small_plan()
    write_plan(tmp_path / "a.fvh.json", p)
    q = read_plan(tmp_path / "a.fvh.json")
    assert q.inst_names == p.inst_names and q.inst_tile.tolist() == [0, 3, 1]
    assert q.interface.tolist() == [True, False, True] and q.pb_swaps == p.pb_swaps
    assert q.supplies.virtual_net(7) == "VVDD_T7"
    assert q.mesh.wrapper_boxes() == [(5.0, 0.0, 6.2, 11.2), (0.0, 5.0, 11.2, 6.2)]
    write_plan(tmp_path / "b.fvh.json", q)
    assert (tmp_path / "a.fvh.json").read_bytes() == (tmp_path / "b.fvh.json").read_bytes()


@pytest.mark.parametrize("edit, line_of, msg", [
    (lambda t: t.replace('"version": 1', '"version": 9'), '"version"', "unsupported plan version"),
    (lambda t: t.replace('"inst_tile": [\n 0,\n 3', '"inst_tile": [\n 0,\n 4'), None, "inst_tile[1]"),
    (lambda t: t.replace('"interface": [\n 1', '"interface": [\n 2'), None, "interface[0]"),
    (lambda t: t.replace('"n": 2', '"n": 3'), '"tiles"', "3x3 tiles"),
    (lambda t: t.replace('"instance": "a"', '"instance": "zz"'), '"zz"', "unknown instance 'zz'"),
    (lambda t: t.replace('"design": "top",', '"design": "top"'), None, "bad JSON"),
])
def test_plan_bad_input_has_line(tmp_path, edit, line_of, msg):
    from finevh.fvh.plan import read_plan, write_plan

    write_plan(tmp_path / "a.fvh.json", _small_plan())
    text = edit((tmp_path / "a.fvh.json").read_text())
    (tmp_path / "a.fvh.json").write_text(text)
    with pytest.raises(InputError) as e:
        read_plan(tmp_path / "a.fvh.json")
    assert msg in e.value.message and e.value.path.endswith("a.fvh.json") and e.value.line is not None
    lines = text.splitlines()
    if line_of is not None:
        assert line_of in lines[e.value.line - 1]
    elif msg.startswith("inst_tile"):
        assert lines[e.value.line - 1].strip() == "4,"
    elif msg.startswith("interface"):
        assert lines[e.value.line - 1].strip() == "2,"


# ----------------------------------------------------------------------------- partition
def test_partition_sweep_trend(run_cli, d28):
    code, out, err = _partition(run_cli, d28, "1,2,3,4", "--json")
    assert code == 0, err
    sweep = json.loads(out)["sweep"]
    assert [s["tiles"] for s in sweep] == [1, 4, 9, 16]
    ov = [s["area_overhead_pct"] for s in sweep]
    share = [s["interface_share_pct"] for s in sweep]
    assert ov[0] == 0.0 and share[0] == 0.0 and sweep[0]["interface_cells"] == 0
    assert all(a < b for a, b in zip(ov, ov[1:])), ov          # Table 4.1: overhead grows with N
    assert all(a < b for a, b in zip(share, share[1:])), share  # and so does the interface share
    assert len({s["cell_area_um2"] for s in sweep}) == 1
    # the wrapper is the demo28 M1 spacing (0.068 um) rounded to one site / one row
    assert sweep[1]["wrapper_layer"] == "M1"
    assert sweep[1]["wrapper_x_um"] == pytest.approx(0.136) and sweep[1]["wrapper_y_um"] == pytest.approx(1.2)
    assert sweep[0]["rows"] == sweep[0]["base_rows"] and sweep[2]["rows"] >= sweep[0]["rows"] + 2
    # the text table has one line per tile count
    code, out, _ = _partition(run_cli, d28, "1,2,3,4")
    assert code == 0 and len(out.strip().splitlines()) == 5 and "16" in out.splitlines()[-1]


def test_partition_plan_def_and_interface(run_cli, d28):
    from finevh.design import link
    from finevh.fvh.plan import read_plan
    from finevh.layout.lef import read_lef
    from finevh.liberty.libset import load_library_set
    from finevh.netlist.verilog import read_verilog

    w = d28["dir"]
    code, out, err = _partition(run_cli, d28, "3", "--out", w / "p3.fvh.json", "--def-out", w / "p3.def", "--json")
    assert code == 0, err
    rep = json.loads(out)
    plan = read_plan(w / "p3.fvh.json")
    assert plan.mesh.n == 3 and len(plan.mesh.tiles) == 9 and plan.reports["partition"] == rep
    assert sum(t.cells for t in plan.mesh.tiles) == plan.n_instances == 318
    # tiles do not overlap, sit inside the core and leave the wrappers between them
    b = np.array([t.box for t in plan.mesh.tiles])
    core = plan.mesh.core
    assert (b[:, 0] >= core[0] - 1e-9).all() and (b[:, 2] <= core[2] + 1e-9).all()
    for i in range(9):
        for j in range(i + 1, 9):
            assert min(b[i, 2], b[j, 2]) - max(b[i, 0], b[j, 0]) <= 1e-9 or \
                min(b[i, 3], b[j, 3]) - max(b[i, 1], b[j, 1]) <= 1e-9
    area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    wr = sum((x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in plan.mesh.wrapper_boxes())
    cross = 4 * plan.mesh.wrapper_x * plan.mesh.wrapper_y   # wrapper crossings counted twice
    assert area.sum() + wr - cross == pytest.approx((core[2] - core[0]) * (core[3] - core[1]))
    # the DEF: legal (no overlap) and every cell inside the tile of the plan
    lef_db = read_lef([LEF])
    names, masters, x, y, wd = _def_cells(w / "p3.def", lef_db)
    assert names == plan.inst_names and _overlaps(x, y, wd) == 0
    tb = b[plan.inst_tile]
    assert ((x >= tb[:, 0] - 1e-6) & (x + wd <= tb[:, 2] + 1e-6) & (y >= tb[:, 1] - 1e-6)
            & (y + 1.2 <= tb[:, 3] + 1e-6)).all()
    # interface cells, counted independently from the netlist text of connections
    nl = read_verilog(d28["v"])
    design = link(nl, load_library_set([PB[0]]))
    tile = plan.inst_tile
    drv_of_net = {}
    for i in range(nl.n_instances):
        cell = design.cell_of(i)
        for p in range(nl.pin_ptr[i], nl.pin_ptr[i + 1]):
            if cell.pins[nl.pin_names[nl.pin_name[p]]].direction == "output" and nl.pin_net[p] >= 0:
                drv_of_net[int(nl.pin_net[p])] = i
    expect = np.zeros(nl.n_instances, bool)
    for i in range(nl.n_instances):
        cell = design.cell_of(i)
        for p in range(nl.pin_ptr[i], nl.pin_ptr[i + 1]):
            if cell.pins[nl.pin_names[nl.pin_name[p]]].direction == "input":
                d = drv_of_net.get(int(nl.pin_net[p]))
                if d is not None and tile[d] != tile[i]:
                    expect[i] = True
    assert plan.interface.tolist() == expect.tolist()
    assert rep["interface_cells"] == int(expect.sum()) > 0
    # the partitioned DEF reads back with the netlist (finevh read)
    code, out, err = run_cli("read", *_libs(PB[:1]), "--verilog", d28["v"], "--lef", LEF, "--def", w / "p3.def",
                             "--json")
    assert code == 0, err and json.loads(out)["placement"]["rows"] == 9 * plan.mesh.tiles[0].rows


def test_partition_deterministic(run_cli, d28):
    w = d28["dir"]
    for k in (1, 2):
        assert _partition(run_cli, d28, "2", "--out", w / f"d{k}.fvh.json", "--def-out", w / f"d{k}.def")[0] == 0
    assert (w / "d1.fvh.json").read_bytes() == (w / "d2.fvh.json").read_bytes()
    assert (w / "d1.def").read_bytes() == (w / "d2.def").read_bytes()


def test_partition_bad_input(run_cli, d28, tmp_path):
    code, _, err = _partition(run_cli, d28, "0")
    assert code == 2 and "--tiles" in err
    code, _, err = _partition(run_cli, d28, "40")        # tiles narrower than a flip-flop
    assert code == 2 and "does not fit a tile row" in err
    bad = tmp_path / "bad.def"
    text = read_text(d28["def"]).splitlines()
    k = next(i for i, t in enumerate(text) if t.startswith("DIEAREA"))
    text[k] = "DIEAREA ( 0 0 ) ( x y ) ;"
    bad.write_text("\n".join(text) + "\n")
    code, out, err = run_cli("-q", "partition", *_libs(PB[:1]), "--lef", LEF, "--verilog", d28["v"], "--def", bad,
                             "--tiles", "2", "--out", tmp_path / "x.fvh.json")
    assert code == 2 and f"bad.def:{k + 1}:" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.fvh.json").exists()


# ----------------------------------------------------------------------------- vddmux
def test_vddmux_counts_geometry_chain(run_cli, d28):
    from finevh.fvh.plan import read_plan
    from finevh.fvh.vddmux import serpentine
    from finevh.layout.lef import read_lef

    w = d28["dir"]
    assert _partition(run_cli, d28, "3", "--out", w / "v.fvh.json", "--def-out", w / "v.def")[0] == 0
    args = ["vddmux", "--plan", w / "v.fvh.json", *_libs(PB[:1]), "--lef", LEF, "--verilog", d28["v"],
            "--def", w / "v.def", "--sdc", d28["met"], "--json"]
    code, out, err = run_cli(*args, "--out", w / "v1.fvh.json", "--def-out", w / "v1.def")
    assert code == 0, err
    rep = json.loads(out)
    plan = read_plan(w / "v1.fvh.json")
    vm = plan.vddmux
    assert vm.cell == "VDDMUX_X1" and vm.switch_max_ma == pytest.approx(0.2279)   # demo28 header, docs/tech.md
    assert len(vm.cells) == sum(t.count for t in vm.per_tile) == rep["vddmux_cells"]
    # count = ceil(peak / I_max) with peak = P / VddH * k
    for t in vm.per_tile:
        assert t.count == max(1, int(np.ceil(t.peak_ma / vm.switch_max_ma - 1e-12)))
    assert plan.config_chain.tile_order == serpentine(3) == [0, 1, 2, 5, 4, 3, 6, 7, 8]
    assert [f.tile for f in plan.config_chain.flops] == plan.config_chain.tile_order
    assert plan.config_chain.master == "DFF_X1"
    boxes = np.array([t.box for t in plan.mesh.tiles])
    for c in vm.cells + plan.config_chain.flops:
        x0, y0, x1, y1 = boxes[c.tile]
        assert x0 - 1e-6 <= c.x and c.x + 2.72 * (c in vm.cells) <= x1 + 1e-6 and y0 - 1e-6 <= c.y < y1
    # switches sit on the tile border (left or right edge of the tile)
    for c in vm.cells:
        x0, _, x1, _ = boxes[c.tile]
        assert abs(c.x - x0) < 1e-6 or abs(c.x + 2.72 - x1) < 1e-6
    lef_db = read_lef([LEF])
    names, masters, x, y, wd = _def_cells(w / "v1.def", lef_db)
    assert _overlaps(x, y, wd) == 0
    assert masters.count("VDDMUX_X1") == len(vm.cells) and len(names) == 318 + len(vm.cells) + 9
    # a larger peak factor needs more switches
    code, out2, err = run_cli(*args, "--peak-factor", "10", "--out", w / "v2.fvh.json")
    assert code == 0, err
    assert json.loads(out2)["vddmux_cells"] > rep["vddmux_cells"]
    assert rep["area_share_pct"] > 0


def test_vddmux_two_switches_per_row_when_a_tile_needs_more_than_its_rows(run_cli, d28):
    """A tile whose peak current needs more switches than it has rows (a large block cut
    in few tiles) gets a second switch at the other end of rows; beyond two per row the
    stage stops with exit 2 and one line."""
    from finevh.fvh.plan import read_plan
    from finevh.layout.lef import read_lef

    w = d28["dir"]
    assert _partition(run_cli, d28, "2", "--out", w / "r.fvh.json", "--def-out", w / "r.def")[0] == 0
    args = ["vddmux", "--plan", w / "r.fvh.json", *_libs(PB[:1]), "--lef", LEF, "--verilog", d28["v"],
            "--def", w / "r.def", "--sdc", d28["met"], "--json"]
    code, out, err = run_cli(*args, "--out", w / "r0.fvh.json")
    assert code == 0, err
    p0 = read_plan(w / "r0.fvh.json")
    rows = int(round(p0.mesh.tile_h / p0.mesh.row_height))
    t_big = max(p0.vddmux.per_tile, key=lambda t: t.peak_ma)
    i_max = t_big.peak_ma / (1.5 * rows)           # ~1.5 switches per row in that tile
    code, out, err = run_cli(*args, "--switch-max-ma", f"{i_max:.9g}", "--out", w / "r1.fvh.json",
                             "--def-out", w / "r1.def")
    assert code == 0, err
    p1 = read_plan(w / "r1.fvh.json")
    cells = [c for c in p1.vddmux.cells if c.tile == t_big.tile]
    assert rows < len(cells) <= 2 * rows
    x0, _, x1, _ = p1.mesh.tiles[t_big.tile].box
    by_row: dict = {}
    for c in cells:
        by_row.setdefault(round(c.y, 6), []).append(c.x)
    assert max(len(v) for v in by_row.values()) == 2
    for xs in by_row.values():
        if len(xs) == 2:                               # one at each tile border
            assert sorted(abs(x - x0) < 1e-6 for x in xs) == [False, True]
            assert any(abs(x + 2.72 - x1) < 1e-6 for x in xs)
    names, masters, x, y, wd = _def_cells(w / "r1.def", read_lef([LEF]))
    assert _overlaps(x, y, wd) == 0 and masters.count("VDDMUX_X1") == len(p1.vddmux.cells)
    code, _, err = run_cli("-q", *args, "--switch-max-ma", f"{t_big.peak_ma / (3 * rows):.9g}",
                           "--out", w / "r2.fvh.json")
    assert code == 2 and "room for" in err and len(err.strip().splitlines()) == 1
    assert not (w / "r2.fvh.json").exists()


def test_vddmux_bad_input(run_cli, d28, tmp_path):
    w = d28["dir"]
    assert _partition(run_cli, d28, "2", "--out", w / "b.fvh.json", "--def-out", w / "b.def")[0] == 0
    # the unpartitioned DEF is not the plan's placement
    code, _, err = run_cli("vddmux", "--plan", w / "b.fvh.json", *_libs(PB[:1]), "--lef", LEF, "--verilog",
                           d28["v"], "--def", d28["def"], "--sdc", d28["met"])
    assert code == 2 and "outside its tile" in err
    code, _, err = run_cli("vddmux", "--plan", w / "b.fvh.json", *_libs(PB[:1]), "--lef", LEF, "--verilog",
                           d28["v"], "--def", w / "b.def", "--sdc", d28["met"], "--mux-cell", "NOPE")
    assert code == 2 and "NOPE" in err


# ----------------------------------------------------------------------------- polybias
def _pb_run(run_cli, d28, sdc, name):
    w = d28["dir"]
    assert _partition(run_cli, d28, "3", "--out", w / f"{name}.fvh.json", "--def-out", w / f"{name}.def")[0] == 0
    code, out, err = run_cli("polybias", "--plan", w / f"{name}.fvh.json", *_libs(PB), "--verilog", d28["v"],
                             "--sdc", sdc, "--lef", LEF, "--def", w / f"{name}.def", "--json",
                             "--out", w / f"{name}_pb.fvh.json")
    assert code == 0, err
    return json.loads(out), w / f"{name}_pb.fvh.json", w / f"{name}.def"


def _retime(d28, plan_path, def_path, sdc):
    """Worst slack after applying the plan's swaps to a freshly loaded design."""
    from finevh.loader import load_design
    from finevh.fvh.plan import read_plan
    from finevh.timing import wire
    from finevh.timing.constraints import read_constraints
    from finevh.timing.engine import Timer

    design = load_design([str(p) for p in PB], d28["v"], None, [str(LEF)], str(def_path))
    plan = read_plan(plan_path)
    idx = {n: i for i, n in enumerate(design.netlist.inst_names)}
    for s in plan.pb_swaps:
        i = idx[s.instance]
        design.rebind([i], design.libset.twin(design.cell_of(i), flavour=s.flavour))
    t = Timer(design, read_constraints(sdc, design, design.libset), wire.from_placement(design, design.placement))
    r = t.update()
    return min(e.slack for e in r.endpoints), plan, design


def test_polybias_met_design(run_cli, d28):
    rep, plan_path, def_path = _pb_run(run_cli, d28, d28["met"], "pm")
    assert [s["flavour"] for s in rep["stages"]] == ["PB16", "PB10", "PB4"]
    # alpha_sd measured from the demo28 twins: close to the thesis' 19.88 / 8.72 / 2.82 %
    a = {s["flavour"]: s["alpha_sd_pct"] for s in rep["stages"]}
    assert 15 < a["PB16"] < 26 and 6 < a["PB10"] < 12 and 2 < a["PB4"] < 4.5
    assert a["PB16"] > a["PB10"] > a["PB4"]
    th = [s["s_th_ns"] for s in rep["stages"]]
    assert th[0] > th[1] > th[2] > 0
    assert th[0] == pytest.approx(rep["d_avg_ns"] * a["PB16"] / 100, rel=1e-3)
    assert rep["worst_slack_before_ns"] > 0 and rep["worst_slack_after_ns"] >= 0
    assert rep["wns_before_ns"] == rep["wns_after_ns"] == 0
    assert rep["leakage_after_uw"] < 0.8 * rep["leakage_before_uw"]
    assert rep["interface_leakage_after_uw"] < rep["interface_leakage_before_uw"]
    assert rep["swapped"]["PB16"] > rep["interface_cells"] / 2      # PB16 dominates (thesis: > 57 %)
    assert sum(rep["swapped"].values()) == rep["swapped_total"]
    assert sum(rep["interface_flavours"].values()) == rep["interface_cells"]
    worst, plan, design = _retime(d28, plan_path, def_path, d28["met"])
    assert len(plan.pb_swaps) == rep["swapped_total"]
    iface = {plan.inst_names[i] for i in np.nonzero(plan.interface)[0]}
    assert all(s.instance in iface and s.from_cell == s.to_cell for s in plan.pb_swaps)  # same names per library
    assert worst == pytest.approx(rep["worst_slack_after_ns"], abs=1e-6) and worst >= 0


def test_polybias_violating_design_wns_not_worse(run_cli, d28):
    """A design that misses its SDC clock is poly-biased at its own critical delay (the
    stage API's rule, shared with ``finevh run``): the critical delay does not grow."""
    rep, plan_path, def_path = _pb_run(run_cli, d28, d28["viol"], "pv")
    period = float(re.search(r"-period\s+([0-9.]+)", Path(d28["viol"]).read_text()).group(1))
    assert rep["clock_ns"] > period                      # relaxed to the design's own critical delay
    assert rep["worst_slack_before_ns"] == pytest.approx(0.0, abs=1e-6)
    assert rep["wns_after_ns"] >= rep["wns_before_ns"] - 1e-5      # 10 fs: float32 resolution
    for s in rep["stages"]:
        assert s["worst_slack_after_ns"] >= min(0.0, s["worst_slack_before_ns"]) - 1e-5
    assert rep["swapped_total"] > 0
    assert rep["leakage_after_uw"] <= rep["leakage_before_uw"]
    worst, _, _ = _retime(d28, plan_path, def_path, d28["viol"])
    assert worst >= (period - rep["clock_ns"]) - 1e-5     # SDC-clock worst slack not worse than before


def test_polybias_bad_input(run_cli, d28, tmp_path):
    w = d28["dir"]
    assert _partition(run_cli, d28, "2", "--out", w / "pbad.fvh.json")[0] == 0
    code, _, err = run_cli("polybias", "--plan", w / "pbad.fvh.json", *_libs(PB), "--verilog", d28["v"],
                           "--sdc", d28["met"], "--flavours", "PB99")
    assert code == 2 and "PB99" in err
    # a plan from another netlist
    other = tmp_path / "o.fvh.json"
    text = (w / "pbad.fvh.json").read_text()
    first = re.search(r'"inst_names": \[\n "([^"]+)"', text).group(1)
    other.write_text(text.replace(f'"{first}"', '"not_here"', 1))
    code, _, err = run_cli("polybias", "--plan", other, *_libs(PB), "--verilog", d28["v"], "--sdc", d28["met"])
    assert code == 2 and "o.fvh.json" in err and "does not match" in err


def _corner_worst(d28, plan_path, def_path, sdc, vdd, period=None):
    """Worst slack of a fresh design at ``vdd`` (every instance at its twin there, the
    plan's swaps applied) with the SDC clock or ``period``; also the all-PB0 fmax period."""
    from dataclasses import replace

    from finevh.fvh.plan import read_plan
    from finevh.loader import load_design
    from finevh.timing import wire
    from finevh.timing.binding import bind_voltage
    from finevh.timing.constraints import read_constraints
    from finevh.timing.engine import Timer

    design = load_design([str(p) for p in PB_V], d28["v"], None, [str(LEF)], str(def_path))
    tc = read_constraints(sdc, design, design.libset)
    wc = wire.from_placement(design, design.placement)
    bind_voltage(design, np.arange(design.n_instances), vdd)
    if period is None:     # fmax of the all-PB0 design at vdd
        r = Timer(design, tc, wc).update()
        period = tc.clocks[0].period - min(e.slack for e in r.endpoints)
    plan = read_plan(plan_path)
    idx = {n: i for i, n in enumerate(design.netlist.inst_names)}
    ii = [idx[s.instance] for s in plan.pb_swaps]
    design.rebind(ii, [design.libset.twin(design.cell_of(i), flavour=s.flavour) for i, s in zip(ii, plan.pb_swaps)])
    tc.clocks = [replace(tc.clocks[0], period=period)]
    r = Timer(design, tc, wc).update()
    return min(e.slack for e in r.endpoints), period


PB_V = PB + [D28 / f"demo28_ss_125C_{v}_{f}.lib" for v in ("0p80v", "0p70v", "0p60v")
             for f in ("pb0", "pb4", "pb10", "pb16")]


def test_polybias_multi_corner(run_cli, d28):
    """--corners 1.0@SDC,0.8@fmax,0.6@fmax: WNS at every corner not worse than before
    (worst slack >= 0 at each fmax corner, re-timed from scratch); the single-corner
    assignment breaks the 0.6 V fmax corner, which is why the corners are needed."""
    w = d28["dir"]
    assert _partition(run_cli, d28, "3", "--out", w / "mc.fvh.json", "--def-out", w / "mc.def")[0] == 0
    common = ["--plan", w / "mc.fvh.json", *_libs(PB_V), "--verilog", d28["v"], "--sdc", d28["met"], "--lef", LEF,
              "--def", w / "mc.def", "--json"]
    code, out, err = run_cli("polybias", *common, "--corners", "1.0@SDC,0.8@fmax,0.6V@fmax",
                             "--out", w / "mc3.fvh.json")
    assert code == 0, err
    rep = json.loads(out)
    cs = rep["corners"]
    assert [c["corner"].split("(")[0] for c in cs] == ["1@SDC", "0.8@fmax", "0.6@fmax"]
    assert cs[0]["period_ns"] == pytest.approx(0.85)
    assert cs[0]["period_ns"] < cs[1]["period_ns"] < cs[2]["period_ns"]
    tol = [1e-5] * 3      # no timing margin at any corner: 10 fs is the timer's float32 resolution
    for c, t in zip(cs, tol):
        assert c["wns_after_ns"] >= c["wns_before_ns"] - t
        assert c["worst_slack_after_ns"] >= min(0.0, c["worst_slack_before_ns"]) - t
    assert cs[0]["worst_slack_after_ns"] >= 0
    for c in cs[1:]:
        assert abs(c["worst_slack_before_ns"]) < 1e-6        # fmax: the all-PB0 design just meets it
        # alpha_sd measured at the corner's supply: PB costs more speed at low Vdd (demo28)
        assert c["alpha_sd_pct"]["PB16"] > cs[0]["alpha_sd_pct"]["PB16"] + 5
    for s in rep["stages"]:
        assert len(s["corners"]) == 3
        for c, t in zip(s["corners"], tol):
            assert c["worst_slack_after_ns"] >= min(0.0, c["worst_slack_before_ns"]) - t
    assert rep["swapped_total"] > 0 and rep["leakage_after_uw"] < rep["leakage_before_uw"]
    # re-timed from scratch at each corner with the plan's swaps
    for vdd, c, t in zip((1.0, 0.8, 0.6), cs, tol):
        worst, per = _corner_worst(d28, w / "mc3.fvh.json", w / "mc.def", d28["met"], vdd,
                                   0.85 if vdd == 1.0 else None)
        assert per == pytest.approx(c["period_ns"], abs=1e-6)
        assert worst == pytest.approx(c["worst_slack_after_ns"], abs=1e-5) and worst >= -t
    # the single-corner (1.0 V, SDC clock) assignment: more PB16, and it breaks 0.6 V fmax
    code, out, err = run_cli("polybias", *common, "--corners", "nom@SDC", "--out", w / "mc1.fvh.json")
    assert code == 0, err
    one = json.loads(out)
    assert len(one["corners"]) == 1 and one["swapped"]["PB16"] > rep["swapped"]["PB16"]
    worst1, _ = _corner_worst(d28, w / "mc1.fvh.json", w / "mc.def", d28["met"], 0.6)
    assert worst1 < -1e-3
    # auto: the design's supply at SDC plus every lower characterised voltage at fmax
    code, out, err = run_cli("polybias", *common, "--out", w / "mca.fvh.json")
    assert code == 0, err
    auto = json.loads(out)
    assert [c["vdd_v"] for c in auto["corners"]] == [1.0, 0.8, 0.7, 0.6]
    # bad corner syntax: exit 2, one line
    for bad, msg in (("1.0", "expected V@CLOCK"), ("x@SDC", "bad supply"), ("0.8@fast", "bad clock"),
                     ("0.5@fmax", "corner 0.5@fmax: supply 0.5 V outside")):
        code, _, err = run_cli("-q", "polybias", *common, "--corners", bad, "--out", w / "mcx.fvh.json")
        assert code == 2 and msg in err and err.count("\n") == 1, (bad, err)
    assert not (w / "mcx.fvh.json").exists()


def _map_worst(d28, plan_path, def_path, sdc, tile_vdd, period, swaps=True):
    """Worst slack of a fresh design with every instance at its tile's supply
    (``tile_vdd``, V) and the clock at ``period`` ns (the plan's swaps applied or not)."""
    from dataclasses import replace

    from finevh.fvh.plan import read_plan
    from finevh.loader import load_design
    from finevh.timing import wire
    from finevh.timing.binding import bind_voltage
    from finevh.timing.constraints import read_constraints
    from finevh.timing.engine import Timer

    design = load_design([str(p) for p in PB_V], d28["v"], None, [str(LEF)], str(def_path))
    tc = read_constraints(sdc, design, design.libset)
    plan = read_plan(plan_path)
    iv = np.asarray(tile_vdd)[plan.inst_tile]
    for v in np.unique(iv).tolist():
        bind_voltage(design, np.nonzero(iv == v)[0], v)
    if swaps:
        idx = {n: i for i, n in enumerate(design.netlist.inst_names)}
        ii = [idx[s.instance] for s in plan.pb_swaps]
        design.rebind(ii, [design.libset.twin(design.cell_of(i), flavour=s.flavour)
                           for i, s in zip(ii, plan.pb_swaps)])
    tc.clocks = [replace(tc.clocks[0], period=period)]
    r = Timer(design, tc, wire.from_placement(design, design.placement)).update()
    return min(e.slack for e in r.endpoints)


def test_polybias_keeps_tile_maps(run_cli, d28, tmp_path):
    """--maps: the tile maps of a power-manager table, each at its frequency, are corners
    the stage keeps (worst slack >= 0 re-timed from scratch, no margin beyond the timer's
    10 fs resolution); with --corners auto they replace the uniform fmax corners."""
    from finevh.emit.pmtables import PmTable, pm_json

    w = d28["dir"]
    assert _partition(run_cli, d28, "3", "--out", w / "tm.fvh.json", "--def-out", w / "tm.def")[0] == 0
    rng = np.random.default_rng(7)
    rows, freqs = [], []
    for lo, hi in ((0.6, 0.8), (0.6, 0.8), (0.8, 1.0)):
        bits = tuple(int(b) for b in rng.integers(0, 2, 9))
        tv = [hi if b else lo for b in bits]
        # 1 % above the all-PB0 design's critical delay under the map: tight enough that
        # the swaps must back off somewhere
        crit = 0.85 - _map_worst(d28, w / "tm.fvh.json", w / "tm.def", d28["met"], tv, 0.85, swaps=False)
        rows.append((lo, hi, bits, tv))
        freqs.append(round(1000.0 / (crit * 1.01), 6))
    tab = PmTable("d", 200, 9, tuple(range(9)), tuple(freqs), tuple(r[0] for r in rows), tuple(r[1] for r in rows),
                  tuple(r[2] for r in rows))
    (tmp_path / "pm.json").write_text(pm_json(tab))
    common = ["--plan", w / "tm.fvh.json", *_libs(PB_V), "--verilog", d28["v"], "--sdc", d28["met"], "--lef", LEF,
              "--def", w / "tm.def", "--json"]
    code, out, err = run_cli("polybias", *common, "--maps", tmp_path / "pm.json", "--out", w / "tm_pb.fvh.json")
    assert code == 0, err
    rep = json.loads(out)
    labels = [c["corner"] for c in rep["corners"]]
    assert len(labels) == 4 and labels[0].startswith("1@SDC") and all(" map " in x for x in labels[1:])
    assert rep["swapped_total"] > 0 and rep["leakage_after_uw"] < rep["leakage_before_uw"]
    for c, (lo, hi, bits, tv), f in zip(rep["corners"][1:], rows, freqs):
        assert c["period_ns"] == pytest.approx(1000.0 / f, abs=1e-6)
        assert c["worst_slack_after_ns"] >= -1e-5
        worst = _map_worst(d28, w / "tm_pb.fvh.json", w / "tm.def", d28["met"], tv, 1000.0 / f)
        assert worst == pytest.approx(c["worst_slack_after_ns"], abs=1e-5) and worst >= -1e-5
    # bad tables: one line, exit 2, the file named, no plan written
    doc = json.loads(pm_json(tab))
    for name, edit, msg in (("nt.json", lambda d: d.update(n_tiles=4), "the table has 4 tiles, the plan 9"),
                            ("bits.json", lambda d: d["entries"][1].update(bits="01x"), "entry 1: 'bits' must be"),
                            ("f.json", lambda d: d["entries"][0].update(f_mhz=-1), "entry 0: frequency"),
                            ("fmt.json", lambda d: d.update(format="x"), "not a finevh power-manager table")):
        d = json.loads(json.dumps(doc))
        edit(d)
        (tmp_path / name).write_text(json.dumps(d))
        code, _, err = run_cli("-q", "polybias", *common, "--maps", tmp_path / name, "--out", tmp_path / "x.fvh.json")
        assert code == 2 and msg in err and name in err and err.count("\n") == 1, (name, err)
    (tmp_path / "syn.json").write_text('{\n "format": "finevh-pm-table",\n oops\n}\n')
    code, _, err = run_cli("-q", "polybias", *common, "--maps", tmp_path / "syn.json", "--out", tmp_path / "x.fvh.json")
    assert code == 2 and "syn.json:3" in err and err.count("\n") == 1, err
    assert not (tmp_path / "x.fvh.json").exists()


# ----------------------------------------------------------------------------- ASAP7
def test_asap7_flavours_sl_to_r(run_cli, shared_data, work, require_tool):
    """An SLVT design: stages R then L (fast -> slow is SL, L, R), WNS kept, leakage lower."""
    require_tool("yosys")
    from finevh.synth.yosys import map_to_liberty, merged_liberty

    libdir = shared_data / "liberty/asap7"
    parts = ("INVBUF", "SEQ", "SIMPLE", "AO", "OA")
    sl = sorted(f for f in libdir.glob("*_SLVT_*.lib.gz") if any(f"_{p}_" in f.name for p in parts))
    allf = sorted(libdir.glob("*.lib.gz"))
    v = map_to_liberty([shared_data / "netlists/iscas89/s1196.v"], merged_liberty(sl),
                       "s1196", work / "s1196_sl.v")
    lefs = ["--lef", shared_data / "lef/asap7/asap7_tech_1x_201209.lef",
            "--lef", shared_data / "lef/asap7/asap7sc7p5t_28_SL_1x_220121a.lef"]
    code, _, err = run_cli("-q", "place", *lefs, *_libs(sl), "--verilog", v, "--utilization", "0.6",
                           "--out", work / "a7.def")
    assert code == 0, err
    code, out, err = run_cli("partition", *lefs, *_libs(sl), "--verilog", v, "--def", work / "a7.def",
                             "--tiles", "1,2,3", "--json", "--out", work / "a7.fvh.json", "--def-out", work / "a7p.def")
    assert code == 0, err
    sweep = json.loads(out)["sweep"]
    assert sweep[0]["area_overhead_pct"] == 0 < sweep[1]["area_overhead_pct"] < sweep[2]["area_overhead_pct"]
    assert 0 < sweep[1]["interface_share_pct"] < sweep[2]["interface_share_pct"]
    (work / "a7.sdc").write_text("create_clock -name clk -period 300 [get_ports CK]\n"
                                 "set_input_delay 10 -clock clk [all_inputs]\n"
                                 "set_output_delay 10 -clock clk [all_outputs]\n")
    code, out, err = run_cli("polybias", "--plan", work / "a7.fvh.json", *_libs(allf), "--verilog", v,
                             "--sdc", work / "a7.sdc", *lefs, "--def", work / "a7p.def", "--json",
                             "--out", work / "a7pb.fvh.json")
    assert code == 0, err
    rep = json.loads(out)
    assert [s["flavour"] for s in rep["stages"]] == ["R", "L"]
    a = {s["flavour"]: s["alpha_sd_pct"] for s in rep["stages"]}
    assert a["R"] > a["L"] > 0
    assert rep["worst_slack_before_ns"] > 0 and rep["worst_slack_after_ns"] >= 0
    assert rep["swapped"]["R"] > 0 and rep["leakage_after_uw"] < 0.8 * rep["leakage_before_uw"]
    from finevh.fvh.plan import read_plan

    plan = read_plan(work / "a7pb.fvh.json")
    assert all(s.from_cell.endswith("_SL") and s.to_cell == s.from_cell[:-3] + "_" + s.flavour
               for s in plan.pb_swaps)


# ----------------------------------------------------------------------------- Tcl twins
@pytest.mark.parametrize("shell", ["tclsh", "sta", "yosys"])
def test_tcl_twins(shell, d28, tmp_path, require_tool):
    import os
    import subprocess
    import sys

    exe = require_tool(shell)
    libs = " ".join(str(p) for p in PB)
    w = tmp_path
    script = w / "t.tcl"
    script.write_text(
        f"source {{{REPO / 'tcl' / 'finevh.tcl'}}}\n"
        f"set p [finevh::partition_tiles -liberty {{{PB[0]}}} -lef {{{LEF}}} -verilog {{{d28['v']}}} "
        f"-def {{{d28['def']}}} -tiles {{1 2}} -out {{{w / 'p.fvh.json'}}} -def_out {{{w / 'p.def'}}}]\n"
        "puts \"PART [llength [split $p \\n]]\"\n"
        f"set v [finevh::insert_vddmux -plan {{{w / 'p.fvh.json'}}} -liberty {{{PB[0]}}} -lef {{{LEF}}} "
        f"-verilog {{{d28['v']}}} -def {{{w / 'p.def'}}} -sdc {{{d28['met']}}} -json]\n"
        "puts \"MUX [regexp -inline {\"vddmux_cells\": \\d+} $v]\"\n"
        f"set b [finevh::assign_polybias -plan {{{w / 'p.fvh.json'}}} -liberty {{{libs}}} "
        f"-verilog {{{d28['v']}}} -sdc {{{d28['met']}}} -flavours {{PB16 PB4}} -json]\n"
        "puts \"PB [regexp -inline {\"swapped_total\": \\d+} $b]\"\n"
        f"if {{[catch {{finevh::partition_tiles -liberty {{{PB[0]}}} -lef {{{LEF}}} -verilog {{{d28['v']}}} "
        f"-def {{{d28['def']}}} -tiles 0}} msg]}} {{ puts \"ERR $msg\" }}\n"
        + ("exit\n" if shell == "sta" else ""))
    env = {**os.environ, "FINEVH": f"{sys.executable} -m finevh"}
    cmd = [exe, "-q", "-c", str(script)] if shell == "yosys" else [exe, str(script)]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=w, stdin=subprocess.DEVNULL)
    out = r.stdout + r.stderr
    assert re.search(r"PART 3\b", out), out                       # header + N=1 + N=2
    m = re.search(r'MUX \{?"vddmux_cells": (\d+)', out)
    assert m and int(m.group(1)) >= 4, out
    m = re.search(r'PB \{?"swapped_total": (\d+)', out)
    assert m and int(m.group(1)) > 0, out
    assert "ERR finevh: error: --tiles" in out, out
    from finevh.fvh.plan import read_plan

    plan = read_plan(w / "p.fvh.json")
    assert plan.mesh.n == 2 and len(plan.vddmux.cells) >= 4 and len(plan.pb_swaps) > 0
    assert {s.flavour for s in plan.pb_swaps} <= {"PB16", "PB4"}


# ----------------------------------------------------------------------------- sky130
def test_sky130_tiles_trend_and_switches(run_cli, shared_data, work):
    """A real library: s38417 on sky130 HD (tt 1.80 V), N = 1, 3, 5, 7; switch sites
    reserved with a placeholder footprint (HD has no header-switch cell)."""
    from finevh.fvh.plan import read_plan

    lib = shared_data / "liberty/sky130_fd_sc_hd/sky130_fd_sc_hd__tt_025C_1v80.lib.gz"
    v = shared_data / "mapped/s38417_sky130hd_tt.v"
    lefs = ["--lef", shared_data / "lef/sky130hd/sky130_fd_sc_hd.tlef",
            "--lef", shared_data / "lef/sky130hd/sky130_fd_sc_hd_merged.lef"]
    code, _, err = run_cli("-q", "place", *lefs, "--liberty", lib, "--verilog", v, "--out", work / "sky.def")
    assert code == 0, err
    (work / "sky.sdc").write_text("create_clock -name clk -period 16 [get_ports CK]\n"
                                  "set_input_delay 0.5 -clock clk [all_inputs]\n"
                                  "set_output_delay 0.5 -clock clk [all_outputs]\n")
    code, out, err = run_cli("-q", "partition", *lefs, "--liberty", lib, "--verilog", v, "--def", work / "sky.def",
                             "--tiles", "1,3,5,7", "--sdc", work / "sky.sdc", "--json",
                             "--out", work / "sky.fvh.json", "--def-out", work / "sky7.def")
    assert code == 0, err
    sweep = json.loads(out)["sweep"]
    ov = [s["area_overhead_pct"] for s in sweep]
    share = [s["interface_share_pct"] for s in sweep]
    assert ov[0] == 0 and all(a < b for a, b in zip(ov, ov[1:])) and ov[-1] < 15
    assert share[0] == 0 and all(a < b for a, b in zip(share, share[1:]))
    assert sweep[1]["wrapper_layer"] == "li1" and sweep[1]["wrapper_x_um"] == pytest.approx(0.46)
    delays = [s["critical_delay_ns"] for s in sweep]
    assert max(delays) < 1.05 * delays[0]          # the no-look mesh barely moves the critical path
    code, out, err = run_cli("-q", "vddmux", "--plan", work / "sky.fvh.json", *lefs, "--liberty", lib,
                             "--verilog", v, "--def", work / "sky7.def", "--sdc", work / "sky.sdc",
                             "--mux-cell", "sky130_fd_sc_hd__decap_12", "--switch-max-ma", "1.0", "--json")
    assert code == 0, err
    rep = json.loads(out)
    plan = read_plan(work / "sky.fvh.json")
    assert rep["vddmux_cells"] == len(plan.vddmux.cells) >= 49 and rep["chain_length"] == 49
    assert plan.config_chain.master == "sky130_fd_sc_hd__dfxtp_1"
