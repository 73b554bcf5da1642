"""finevh emit: every tool flavour evaluated in a real Tcl interpreter against the
tool's signature table (tests/tool_signatures/), then the geometry and connectivity
the script creates checked against the plan; quoting of escaped Verilog names;
CLI, errors and the Tcl twin."""

from __future__ import annotations

import re
import subprocess
import sys
import tkinter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from finevh.emit import TOOLS, emit_text
from finevh.emit.common import EmitOptions
from finevh.emit.tclquote import def_name, list1, tcl_word, upf_name
from finevh.errors import InputError
from finevh.fvh.plan import write_plan
from tool_signatures.harness import load_table, run_script  # noqa: E402
from tool_signatures.plans import FF_W, MUX_W, build_plan  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
LIB = REPO / "libs/demo28/demo28_ss_125C_1p00v_pb0.lib"

# escaped Verilog identifiers as the netlist reader stores them (no backslash / trailing space)
NASTY = ["u_core/reg[3]", "a[3].b", "x{y}", "sp ace", "d$ollar", "b\\k", "semi;colon", "q\"uote", "#hash",
         "br]ace[", "plain_1"]
NAMES = NASTY + [f"n{k}" for k in range(25)]
SWAPS = [("u_core/reg[3]", "INV_X1", "INV_X1", "PB16"), ("a[3].b", "NAND2_X1", "NAND2_X1", "PB10"),
         ("x{y}", "NOR2_X1", "NOR2_X1", "PB4"), ("b\\k", "INV_X2", "INV_X2", "PB16")]
OPTS = EmitOptions(swap_cell={"PB16": "{cell}_PB16", "PB10": "{cell}_PB10", "PB4": "{cell}_PB4"})


@pytest.fixture(scope="module")
def plan():
    return build_plan(NAMES, n=3, swaps=SWAPS)


# an IEEE 1801 element name cannot hold a blank (an escaped identifier ends there)
UPF_NAMES = [n for n in NAMES if " " not in n]


@pytest.fixture(scope="module")
def upf_plan():
    return build_plan(UPF_NAMES, n=3, swaps=SWAPS)


@pytest.fixture(scope="module")
def lib_cells() -> set[str]:
    text = LIB.read_text()
    return set(re.findall(r"^\s*cell\s*\(\s*\"?([^\")\s]+)", text, re.M))


def _area(b) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def _overlap(a, b) -> float:
    return _area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def _inside(box, x, y, w, h, eps=1e-6) -> bool:
    return box[0] - eps <= x and x + w <= box[2] + eps and box[1] - eps <= y and y + h <= box[3] + eps


def _nums(s: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", s)]


def _check_mesh(plan, wrappers: list, tiles: list) -> None:
    """Wrappers are exactly the plan's; tiles and wrappers cover the core once."""
    core = plan.mesh.core
    assert sorted(map(tuple, wrappers)) == sorted(tuple(round(v, 6) for v in b) for b in plan.mesh.wrapper_boxes())
    for i, a in enumerate(tiles):
        assert _inside(core, a[0], a[1], a[2] - a[0], a[3] - a[1])
        for b in tiles[i + 1:]:
            assert _overlap(a, b) == pytest.approx(0.0, abs=1e-9)
        for w in wrappers:
            assert _overlap(a, w) == pytest.approx(0.0, abs=1e-9)
    # wrappers overlap each other at crossings: count the crossing squares once
    n = plan.mesh.n
    cross = (n - 1) ** 2 * plan.mesh.wrapper_x * plan.mesh.wrapper_y
    covered = sum(map(_area, tiles)) + sum(map(_area, wrappers)) - cross
    assert covered == pytest.approx(_area(core), rel=1e-9)


# ----------------------------------------------------------------------------- quoting

def test_tcl_word_round_trip_in_real_tcl():
    t = tkinter.Tcl()
    for s in NASTY + ["", "a\\", "{", "}", "a b c d", "[exit 3]", "$::env(HOME)", "\\{x", "x\\", "-opt"]:
        assert t.eval("set _v " + tcl_word(s)) == s
        assert t.eval(f"lindex {list1(s)} 0") == s
        # as an element of a lappend list, as the emitters write them
        t.eval("set _l {}; lappend _l " + tcl_word(s) + " " + tcl_word(s))
        assert list(t.splitlist(t.eval("set _l"))) == [s, s]
    for s in ("a\tb", "a\nb", "a\rb", "a\x00b", "a\x7fb"):        # no safe spelling: refused
        with pytest.raises(InputError, match="control character"):
            tcl_word(s)


def test_name_spellings():
    assert def_name("u_core/reg[3]") == "u_core/reg\\[3\\]"
    assert def_name("u_core/reg\\[3\\]") == "u_core/reg\\[3\\]"      # already escaped: unchanged
    assert upf_name("u_core/reg[3]") == "u_core/\\reg[3] "
    assert upf_name("u_core/reg[3]", None) == "\\u_core/reg[3] "
    assert upf_name("top_1/u2") == "top_1/u2"


# ----------------------------------------------------------------------------- signatures

def test_tables_cite_sources():
    for tool in TOOLS:
        tab = load_table(tool)
        assert tab["tool"] == tool and tab["commands"]
        for name, s in tab["commands"].items():
            assert s.get("source"), f"{tool} {name}: no source"
            for opt in s.get("required", []):
                assert opt in s["options"]


@pytest.mark.parametrize("tool", TOOLS)
def test_script_passes_signatures_and_is_deterministic(plan, upf_plan, tool):
    a = emit_text(upf_plan if tool == "upf" else plan, tool, OPTS)
    b = emit_text(build_plan(UPF_NAMES if tool == "upf" else NAMES, n=3, swaps=SWAPS), tool, OPTS)
    assert a == b
    res = run_script(tool, a)
    assert res.calls


@pytest.mark.parametrize("mutation", [
    ("openroad", "create_blockage -region", "create_blockage -regoin"),
    ("openroad", "-status FIRM", "-status FIXED"),
    ("icc2", "create_placement_blockage -name", "create_placement_blockage -nam"),
    ("innovus", "ecoChangeCell -inst", "ecoChangeCell -instance"),
    ("upf", "-input_supply_port {in_h", "-input_port {in_h"),
    ("primetime", "size_cell", "resize_cell"),
])
def test_harness_rejects_bad_commands(plan, upf_plan, mutation):
    tool, old, new = mutation
    script = emit_text(upf_plan if tool == "upf" else plan, tool, OPTS)
    assert old in script
    with pytest.raises(tkinter.TclError):
        run_script(tool, script.replace(old, new, 1))


# ----------------------------------------------------------------------------- geometry per tool

def _tile_of_mux(plan):
    return {c.name: c for c in plan.vddmux.cells}


def test_openroad_geometry_and_connectivity(plan, lib_cells):
    res = run_script("openroad", emit_text(plan, "openroad", OPTS))
    t = res.interp
    wrappers = [tuple(_nums(c[1]["-region"])) for c in res.of("create_blockage")]
    _check_mesh(plan, wrappers, [tile.box for tile in plan.mesh.tiles])
    assert not any(c[0] in ("create_voltage_domain", "create_voltage_area") for c in res.calls)
    muxes = _tile_of_mux(plan)
    placed = {}
    for _, o, _ in res.of("place_cell"):
        name = t.eval(f"lindex {{{o['-inst_name']}}} 0")
        x, y = _nums(o["-origin"])
        placed[name] = (x, y, o["-cell"])
        assert o["-status"] == "FIRM"
    for c in plan.vddmux.cells:
        x, y, cell = placed[c.name]
        assert cell == "VDDMUX_X1" and cell in lib_cells
        assert _inside(plan.mesh.tiles[c.tile].box, x, y, MUX_W, 1.2)
    for f in plan.config_chain.flops:
        x, y, cell = placed[f.name]
        assert cell in lib_cells and _inside(plan.mesh.tiles[f.tile].box, x, y, FF_W, 1.2)
    # supplies: every instance's VDD on its tile's virtual net, each switch VVDD too
    conn = {(i, p): n for op, i, p, n in (r for r in res.odb if r[0] == "connect")}
    for name, tile in zip(plan.inst_names, plan.inst_tile.tolist()):
        assert conn[(def_name(name), "VDD")] == f"VVDD_T{tile}"
    for c in plan.vddmux.cells:
        assert conn[(c.name, "VVDD")] == f"VVDD_T{c.tile}"
        assert conn[(c.name, "VDDH")] == "VDDH" and conn[(c.name, "VDDL")] == "VDDL" and conn[(c.name, "VSS")] == "VSS"
    created = [r[1] for r in res.odb if r[0] == "create_net"]
    assert sorted(created) == sorted(["VDDH", "VDDL", "VSS"] + [f"VVDD_T{k}" for k in range(9)])
    # chain: flop k's Q net reaches its tile's switch selects and flop k+1's D
    pins: dict[str, set[str]] = {}
    for _, _, (net, pin) in res.of("connect_pin"):
        pins.setdefault(net, set()).add(pin)
    flops = plan.config_chain.flops
    for k, f in enumerate(flops):
        q = [n for n, ps in pins.items() if f"{f.name}/Q" in ps]
        assert len(q) == 1
        expect = {f"{f.name}/Q"} | {f"{c.name}/SEL" for c in plan.vddmux.cells if c.tile == f.tile}
        if k + 1 < len(flops):
            expect.add(f"{flops[k + 1].name}/D")
        assert pins[q[0]] == expect
    assert pins["fvh_cfg_clk"] == {f"{f.name}/CK" for f in flops}
    assert pins["fvh_cfg_in"] == {f"{flops[0].name}/D"}
    # stripes carry VddH and VddL
    (_, st, _), = res.of("add_pdn_stripe")
    assert t.splitlist(st["-nets"]) == ("VDDH", "VDDL")
    # swaps: escaped names in the odb spelling, targets in the libraries (renamed copies)
    got = [tuple(c[2]) for c in res.of("replace_cell")]
    assert got == [(def_name(i), f"{to}_{fl}") for i, _, to, fl in SWAPS]
    assert all(to in lib_cells for _, _, to, _ in SWAPS)


def test_icc2_geometry(plan):
    res = run_script("icc2", emit_text(plan, "icc2", OPTS))
    wrappers = [tuple(_nums(c[1]["-boundary"])) for c in res.of("create_placement_blockage")]
    vas = [tuple(_nums(c[1]["-region"])) for c in res.of("create_voltage_area")]
    assert [c[1]["-power_domains"] for c in res.of("create_voltage_area")] == [f"PD_T{k}" for k in range(9)]
    _check_mesh(plan, wrappers, vas)
    assert vas == [tuple(round(v, 6) for v in t.box) for t in plan.mesh.tiles]
    loc = {c[2][0]: _nums(c[1]["-coordinates"]) for c in res.of("set_cell_location")}
    assert all("-fixed" in c[1] for c in res.of("set_cell_location"))
    for c in plan.vddmux.cells:
        assert _inside(plan.mesh.tiles[c.tile].box, *loc[c.name], MUX_W, 1.2)
    created = {c[2][0]: c[2][1] for c in res.of("create_cell")}
    assert all(created[c.name] == "VDDMUX_X1" for c in plan.vddmux.cells)
    t = res.interp
    tied: dict[str, str] = {}
    for _, o, pos in res.of("connect_pg_net"):
        for pin in t.splitlist(pos[0]):
            tied[pin] = o["-net"]
    for name, tile in zip(plan.inst_names, plan.inst_tile.tolist()):
        assert tied[f"{name}/VDD"] == f"VVDD_T{tile}"
    sizes = [(c[2][0], c[1]["-lib_cell"]) for c in res.of("size_cell")]
    assert sizes == [(i, f"*/{to}_{fl}") for i, _, to, fl in SWAPS]


def test_icc2_flat_names_escape_hierarchy(plan):
    o = EmitOptions(swap_cell=OPTS.swap_cell, flat_names=True)
    res = run_script("icc2", emit_text(plan, "icc2", o))
    first = res.of("size_cell")[0]
    assert first[2][0] == "u_core\\/reg[3]"


def test_innovus_geometry(plan):
    res = run_script("innovus", emit_text(plan, "innovus", OPTS))
    t = res.interp
    wrappers = [tuple(_nums(c[1]["-box"])) for c in res.of("createPlaceBlockage")]
    fences = [tuple(float(v) for v in t.splitlist(c[1]["-fence"])) for c in res.of("createInstGroup")]
    _check_mesh(plan, wrappers, fences)
    members: dict[str, str] = {}
    for _, _, (grp, insts) in res.of("addInstToInstGroup"):
        for i in t.splitlist(insts):
            members[i] = grp
    for name, tile in zip(plan.inst_names, plan.inst_tile.tolist()):
        assert members[def_name(name)] == f"fvh_tile_{tile}"
    place = {c[2][0]: (float(c[2][1]), float(c[2][2])) for c in res.of("placeInstance")}
    assert all("-fixed" in c[1] for c in res.of("placeInstance"))
    for c in plan.vddmux.cells:
        assert _inside(plan.mesh.tiles[c.tile].box, *place[c.name], MUX_W, 1.2)
    single = {(c[1]["-singleInstance"], c[1]["-pin"]): c[2][0] for c in res.of("globalNetConnect")
              if "-singleInstance" in c[1]}
    for name, tile in zip(plan.inst_names, plan.inst_tile.tolist()):
        assert single[(def_name(name), "VDD")] == f"VVDD_T{tile}"
    attach = {(c[2][0], c[2][1]): c[2][2] for c in res.of("attachTerm")}
    for c in plan.vddmux.cells:
        f = next(f for f in plan.config_chain.flops if f.tile == c.tile)
        assert attach[(c.name, "SEL")] == attach[(f.name, "Q")]
    eco = [(c[1]["-inst"], c[1]["-cell"]) for c in res.of("ecoChangeCell")]
    assert eco == [(def_name(i), f"{to}_{fl}") for i, _, to, fl in SWAPS]


def test_primetime_case_and_swaps(plan):
    o = EmitOptions(swap_cell=OPTS.swap_cell, high_tiles=(0, 4, 8))
    res = run_script("primetime", emit_text(plan, "primetime", o))
    case = {c[2][1]: c[2][0] for c in res.of("set_case_analysis")}
    for f in plan.config_chain.flops:
        assert case[f"{f.name}/Q"] == ("1" if f.tile in (0, 4, 8) else "0")
    assert [c[2][0] for c in res.of("size_cell")] == [i for i, *_ in SWAPS]


def test_upf_domains_and_switches(upf_plan):
    plan = upf_plan
    res = run_script("upf", emit_text(plan, "upf", OPTS))
    t = res.interp
    doms = {c[2][0]: c[1] for c in res.of("create_power_domain")}
    assert "-include_scope" in doms["PD_TOP"]
    for tile in range(9):
        want = sorted(upf_name(n) for n, k in zip(plan.inst_names, plan.inst_tile.tolist()) if k == tile)
        assert sorted(t.splitlist(doms[f"PD_T{tile}"]["-elements"])) == want
    chain = {f.tile: f"fvh_cfg_q{k}" for k, f in enumerate(plan.config_chain.flops)}
    sws = {c[2][0]: c[1] for c in res.of("create_power_switch")}
    assert sorted(sws) == sorted(f"SW_T{k}" for k in range(9))
    for tile in range(9):
        s = sws[f"SW_T{tile}"]
        assert s["-domain"] == f"PD_T{tile}"
        assert t.splitlist(s["-output_supply_port"]) == ("out", f"VVDD_T{tile}")
        ins = sorted(tuple(t.splitlist(v)) for v in t.splitlist(s["-input_supply_port"]))
        assert ins == [("in_h", "VDDH"), ("in_l", "VDDL")]
        assert [tuple(t.splitlist(v)) for v in t.splitlist(s["-control_port"])] == [("sel", chain[tile])]
        states = sorted(tuple(t.splitlist(v)) for v in t.splitlist(s["-on_state"]))
        assert states == [("on_h", "in_h", "sel"), ("on_l", "in_l", "!sel")]
    nets = {c[1].get("-primary_power_net") for c in res.of("set_domain_supply_net")}
    assert nets == {"VDDH"} | {f"VVDD_T{k}" for k in range(9)}
    psts = res.of("create_pst")
    assert len(psts) == 9 and len(res.of("add_pst_state")) == 18


# ----------------------------------------------------------------------------- CLI, errors, Tcl twin

def _write(plan, path):
    write_plan(path, plan)
    return path


def test_cli_writes_file_identical_to_api(plan, upf_plan, run_cli, tmp_path):
    p = _write(plan, tmp_path / "d.fvh.json")
    out = tmp_path / "d.openroad.tcl"
    code, _, err = run_cli("emit", "--plan", p, "--tool", "openroad", "--out", out,
                           "--swap-cell", "PB16={cell}_PB16", "--swap-cell", "PB10={cell}_PB10",
                           "--swap-cell", "PB4={cell}_PB4")
    assert code == 0, err
    from finevh.fvh.plan import read_plan
    assert out.read_text() == emit_text(read_plan(p), "openroad", OPTS)
    code, stdout, _ = run_cli("emit", "--plan", _write(upf_plan, tmp_path / "u.fvh.json"), "--tool", "upf")
    assert code == 0 and stdout.startswith("# FINE-VH plan applied for upf")


def test_cli_bad_plan_exit2_located(plan, run_cli, tmp_path):
    p = _write(plan, tmp_path / "bad.fvh.json")
    text = p.read_text()
    lines = text.splitlines()
    k = next(i for i, line in enumerate(lines) if '"inst_tile"' in line) + 3
    lines[k] = lines[k].replace(lines[k].strip().rstrip(","), "77")
    p.write_text("\n".join(lines) + "\n")
    out = tmp_path / "never.tcl"
    code, _, err = run_cli("emit", "--plan", p, "--tool", "icc2", "--out", out)
    assert code == 2
    assert err.strip().count("\n") == 0
    assert f"{p}:{k + 1}:" in err
    assert not out.exists()
    p.write_text(text[:200])
    code, _, err = run_cli("emit", "--plan", p, "--tool", "icc2")
    assert code == 2 and re.search(rf"{re.escape(str(p))}:\d+: bad JSON", err)


def test_cli_same_name_swap_defaults_to_renamed_copies(plan, run_cli, tmp_path):
    """Same-name flavour swaps get the run's default naming, {cell}_FLAVOUR (renamed library
    copies), with a warning saying how to name them otherwise; an explicit template wins."""
    p = _write(plan, tmp_path / "s.fvh.json")
    code, out, err = run_cli("emit", "--plan", p, "--tool", "opensta")
    assert code == 0, err
    assert "--swap-cell PB16=TEMPLATE" in err and "{cell}_PB16" in err
    assert "_PB16" in out
    code, out2, err = run_cli("emit", "--plan", p, "--tool", "opensta", "--swap-cell", "PB16=LIB16/{cell}")
    assert code == 0 and "LIB16/" in out2 and "_PB16" not in out2 and "PB16=TEMPLATE" not in err


def test_tcl_twin_in_tclsh(upf_plan, tmp_path, require_tool):
    tclsh = require_tool("tclsh")
    p = _write(upf_plan, tmp_path / "t.fvh.json")
    out = tmp_path / "t.upf"
    script = (f"source {{{REPO / 'tcl/finevh.tcl'}}}\n"
              f"finevh::write_upf -plan {{{p}}} -out {{{out}}} -vddl 0.7\n"
              f"set s [finevh::emit_tcl -plan {{{p}}} -tool innovus -swap_cell "
              "{PB16 {{cell}_PB16} PB10 {{cell}_PB10} PB4 {{cell}_PB4}} -high_tiles {0 1}]\n"
              "puts [string length $s]\n")
    (tmp_path / "twin.tcl").write_text(script)
    r = subprocess.run([tclsh, str(tmp_path / "twin.tcl")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    from finevh.fvh.plan import read_plan
    o = EmitOptions(vddl_v=0.7)
    assert out.read_text() == emit_text(read_plan(p), "upf", o)
    assert "add_port_state VDDL -state {LV 0.7}" in out.read_text()
    # exec drops the final newline of the command output
    assert int(r.stdout.strip().splitlines()[-1]) == len(emit_text(read_plan(p), "innovus", OPTS)) - 1
