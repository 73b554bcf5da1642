"""Outputs that cannot mix or escape (issue 15).

- names (supplies, strap layer, pins, instances, design) reach Tcl/UPF/C only
  through finevh.emit.tclquote: emitted scripts are sourced in a real ``tclsh`` whose
  unknown-command handler records every tool call; nothing may execute (file X) and
  every name must arrive literally; the power-manager header compiles for hostile
  design names and its ``FINEVH_PM_DESIGN`` string holds the exact bytes;
- output paths: FIFOs, symbolic links, devices and folders are refused before any
  work (exit 2, one line) and left untouched; output folders are staged and swapped
  in whole (crash, kill, rerun);
- ``--swap-cell`` templates substitute ``{cell}``/``{from}`` only.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import tkinter
from pathlib import Path

import pytest

from finevh.emit import TOOLS, emit_text
from finevh.emit.common import EmitOptions, expand_swap_template
from finevh.emit.tclquote import c_identifier, def_name, tcl_regex_literal, upf_name
from finevh.errors import InputError
from finevh.fileio import (MARKER, StagedDir, check_output_dir, check_output_file, safe_filename_component,
                           staged_output_dir, write_text_atomic)
from finevh.fvh.plan import Supplies, write_plan
from finevh.emit.pmtables import PmTable, pm_header
from tool_signatures.plans import build_plan

INJ = "VDDH} ; exec touch X ; list {X"
SUP = Supplies(vddh=INJ, vddl='VDDL"; exec touch X; set y "', vss="VSS[exec touch X]",
               virtual="VV$x_[exec touch X]_{id};exec touch X")
LAYER = "M4}} ; exec touch X ; list {{"
POWER_PIN = "VDD]; exec touch X; #"
# instance names without blanks (UPF element names cannot hold one): injections that
# would end the script early ([exit]), fail it ([exec]) or substitute a value ($::fh)
INSTS = ["u1];exit;#", 'u2";exit;"', "u3}[exit]{", "u4\\", "$::fh", "u5[exec]", "u_core/reg[3]", "x{y}",
         "#hash", "u6\\[exit\\]"] + [f"n{k}" for k in range(10)]
DESIGN = 'd$x[exec touch X];"\\{'
SWAP_TMPL = "{cell}]; exec touch X; #"

_RECORDER = r"""
cd [lindex $argv 0]
set ::fh [open calls.txt w]
fconfigure $::fh -encoding utf-8 -translation lf
# every tool command (and odb method) is unknown to tclsh: record it, return 0
proc unknown {args} { puts $::fh $args; return 0 }
source -encoding utf-8 [lindex $argv 1]
puts $::fh END
close $::fh
"""


def _hostile_plan():
    plan = build_plan(INSTS, n=2, swaps=[(INSTS[0], "INV_X1", "INV_X1", "PB16"),
                                         (INSTS[2], "NAND2_X1", "NAND2_X1", "PB16")])
    plan.design = DESIGN
    plan.supplies = SUP
    for k, c in enumerate(plan.vddmux.cells):
        c.name = f"mux[exec touch X]_{k}"
    plan.config_chain.clock = "clk[exec touch X]"
    plan.config_chain.data_in = "din;exec touch X"
    return plan


OPTS = EmitOptions(strap_layer=LAYER, power_pin=POWER_PIN, swap_cell={"PB16": SWAP_TMPL}, high_tiles=(1,))


def _source(tclsh: str, tmp: Path, script: str) -> list[tuple[str, ...]]:
    """Source ``script`` in a fresh tclsh (cwd ``tmp``); the recorded tool calls."""
    (tmp / "script.tcl").write_text(script, encoding="utf-8")
    (tmp / "rec.tcl").write_text(_RECORDER)
    r = subprocess.run([tclsh, str(tmp / "rec.tcl"), str(tmp), str(tmp / "script.tcl")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    lines = (tmp / "calls.txt").read_text(encoding="utf-8").splitlines()
    assert lines[-1] == "END"                    # the whole script ran
    tk = tkinter.Tcl()
    return [tuple(tk.splitlist(line)) for line in lines[:-1]]


def _split(s: str) -> tuple[str, ...]:
    return tuple(tkinter.Tcl().splitlist(s))


def _vals(calls, cmd: str, opt: str) -> list[str]:
    """Values of option ``opt`` over every call of ``cmd``."""
    out = []
    for c in calls:
        if c[0] == cmd:
            out += [c[i + 1] for i in range(1, len(c) - 1) if c[i] == opt]
    return out


def test_harness_detects_injection(tmp_path, require_tool):
    """The recorder is able to see an injection: a naively formatted name runs exec."""
    calls = _source(require_tool("tclsh"), tmp_path, f"create_supply_port {{{INJ}}}\n")
    assert (tmp_path / "X").exists()
    assert calls[0][0] == "create_supply_port"


@pytest.mark.parametrize("tool", TOOLS)
def test_hostile_names_never_execute_and_arrive_literally(tool, tmp_path, require_tool):
    plan = _hostile_plan()
    script = emit_text(plan, tool, OPTS)
    calls = _source(require_tool("tclsh"), tmp_path, script)
    assert not (tmp_path / "X").exists()
    assert calls
    vnets = [SUP.virtual_net(t) for t in range(plan.mesh.n_tiles)]
    assert script.splitlines()[1].startswith("# design ")           # the header stays comments
    if tool == "upf":
        assert [c[1] for c in calls if c[0] == "create_supply_port"] == [SUP.vddh, SUP.vddl, SUP.vss]
        assert [_split(v) for v in _vals(calls, "create_power_switch", "-output_supply_port")] == \
            [("out", v) for v in vnets]
        assert sorted(_split(v) for v in _vals(calls, "create_power_switch", "-input_supply_port")) == \
            sorted([("in_h", SUP.vddh), ("in_l", SUP.vddl)] * len(vnets))
        assert [_split(v) for v in _vals(calls, "create_pst", "-supplies")] == \
            [(SUP.vddh, SUP.vddl, SUP.vss, v) for v in vnets]
        elements = {c[1]: _split(c[3]) for c in calls if c[0] == "create_power_domain" and c[2] == "-elements"}
        for t in range(plan.mesh.n_tiles):
            want = [upf_name(n) for n, k in zip(plan.inst_names, plan.inst_tile.tolist()) if k == t]
            assert list(elements[f"PD_T{t}"]) == want
    elif tool == "openroad":
        assert _vals(calls, "add_pdn_stripe", "-layer") == [LAYER]
        assert [_split(v) for v in _vals(calls, "add_pdn_stripe", "-nets")] == [(SUP.vddh, SUP.vddl)]
        assert _vals(calls, "add_global_connection", "-net") == [SUP.vddh, SUP.vddl, SUP.vss]
        found = {c[2] for c in calls if c[1:2] == ("findInst",)}
        assert {def_name(n) for n in plan.inst_names} <= found
        assert POWER_PIN in {c[2] for c in calls if c[1:2] == ("findITerm",)}
        assert {c[2] for c in calls if c[1:2] == ("findNet",)} == {SUP.vddh, SUP.vddl, SUP.vss, *vnets}
        assert [c[2] for c in calls if c[0] == "replace_cell"] == ["INV_X1" + SWAP_TMPL[6:], "NAND2_X1" + SWAP_TMPL[6:]]
        # the pin pattern is a regex matching exactly the pin name
        pat = _vals(calls, "add_global_connection", "-pin_pattern")[0]
        tk = tkinter.Tcl()
        tk.call("set", "p", pat)
        assert tk.eval("regexp -- $p VDDH") == "1" and tk.eval("regexp -- $p xVDDH") == "0"
        assert pat == "^" + tcl_regex_literal("VDDH") + "$"
    elif tool == "innovus":
        assert _vals(calls, "addStripe", "-layer") == [LAYER]
        assert [_split(v) for v in _vals(calls, "addStripe", "-nets")] == [(SUP.vddh, SUP.vddl)]
        assert [c[1] for c in calls if c[0] == "addNet" and c[2:] in (("-power",), ("-ground",))] == \
            [SUP.vddh, SUP.vddl, SUP.vss, *vnets]
        grouped = [n for c in calls if c[0] == "addInstToInstGroup" for n in _split(c[2])]
        assert sorted(grouped) == sorted(def_name(n) for n in plan.inst_names)
    elif tool == "icc2":
        (layers,) = _vals(calls, "create_pg_mesh_pattern", "-layers")
        spec = [_split(x) for x in _split(_split(layers)[0])]
        assert spec[0] == ("vertical_layer:", LAYER)
        (pattern,) = _vals(calls, "set_pg_strategy", "-pattern")
        nets = dict((k, v) for k, v in (_split(x) for x in _split(pattern)))
        assert _split(nets["nets:"]) == (SUP.vddh, SUP.vddl)
        assert _vals(calls, "create_net", "-power") == [SUP.vddh, SUP.vddl, *vnets]
        assert _vals(calls, "create_net", "-ground") == [SUP.vss]
    elif tool in ("primetime", "opensta"):
        cmd = "size_cell" if tool == "primetime" else "replace_cell"
        assert len([c for c in calls if c[0] == cmd]) == 2
        if tool == "opensta":
            assert [c[1:] for c in calls if c[0] == cmd] == [(INSTS[0], "INV_X1" + SWAP_TMPL[6:]),
                                                              (INSTS[2], "NAND2_X1" + SWAP_TMPL[6:])]


@pytest.mark.parametrize("design", ["d$x", "a[exec touch X]", "semi;exec touch X", 'q"uote', "back\\",
                                    "br}ace{", "\\", "a\\ b", "*/ x /*", "..\\..\\x"])
def test_design_names_in_headers(design, tmp_path, require_tool):
    plan = build_plan(["a", "b"], n=2)
    plan.design = design
    for tool in ("upf", "openroad", "opensta"):
        script = emit_text(plan, tool, EmitOptions())
        _source(require_tool("tclsh"), tmp_path, script)
        assert not (tmp_path / "X").exists()
        assert all(line.startswith("#") for line in script.splitlines()[:3])


@pytest.mark.parametrize("bad", ["a\nexec touch X", "a\x00b", "a\rb", "a\tb", "a\x7f"])
def test_control_characters_are_refused(bad, tmp_path, run_cli):
    plan = build_plan(["a", "b"], n=2)
    plan.design = bad
    for tool in TOOLS:
        with pytest.raises(InputError, match="control character"):
            emit_text(plan, tool, EmitOptions())
    plan.design = "ok"
    plan.supplies = Supplies(vddh=bad)
    p = tmp_path / "p.fvh.json"
    write_plan(p, plan)
    code, out, err = run_cli("emit", "--plan", p, "--tool", "upf")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "supplies.vddh" in err and "control character" in err
    plan.supplies = Supplies()
    write_plan(p, plan)
    code, _, err = run_cli("emit", "--plan", p, "--tool", "openroad", "--strap-layer", "M4\nx")
    assert code == 2 and "option strap_layer" in err


def test_upf_refuses_blank_in_element_name():
    plan = build_plan(["sp ace", "b"], n=2)
    assert "sp ace" in emit_text(plan, "openroad", EmitOptions())
    with pytest.raises(InputError, match="IEEE 1801 element name"):
        emit_text(plan, "upf", EmitOptions())


# ----------------------------------------------------------------------------- C header

C_NAMES = ['*/ _Static_assert(0, "injected"); /*', "a\\", 'q"uote', "x??/", "??=define X 1", "é1-ü",
           "0lead", "_Upper", "sp ace", "#define FINEVH_PM_N_FREQ 0", "\\0101", "a*/b/*c", "//x", "top"]


def _table(design: str) -> PmTable:
    return PmTable(design, 200, 9, tuple(range(9)), (100.0, 200.0), (0.8, 0.8), (1.0, 1.0),
                   ((0,) * 9, (1,) * 9))


@pytest.mark.parametrize("design", C_NAMES)
def test_pm_header_compiles_and_holds_the_exact_name(design, tmp_path, require_tool):
    cc = require_tool("cc")
    h = pm_header(_table(design))
    (tmp_path / "pm.h").write_text(h, encoding="utf-8")
    # trigraphs on (-std=c99), comments and pedantry as errors
    flags = ["-std=c99", "-pedantic-errors", "-Werror=comment", "-Werror=trigraphs", "-Wno-unused-const-variable"]
    r = subprocess.run([cc, *flags, "-fsyntax-only", "-x", "c", str(tmp_path / "pm.h")], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    want = ", ".join(str(b) for b in design.encode("utf-8")) or "0"
    main = textwrap.dedent(f"""\
        #include <string.h>
        #include "pm.h"
        static const unsigned char want[] = {{{want}}};
        int main(void) {{
            if (sizeof(FINEVH_PM_DESIGN) - 1 != {len(design.encode('utf-8'))}) return 2;
            if (FINEVH_PM_N_FREQ != 2 || finevh_pm_table[1][0] != 0xff) return 3;
            return memcmp(FINEVH_PM_DESIGN, want, sizeof want) != 0;
        }}
        """)
    (tmp_path / "main.c").write_text(main)
    r = subprocess.run([cc, *flags, "-o", str(tmp_path / "m"), str(tmp_path / "main.c")], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert subprocess.run([str(tmp_path / "m")], timeout=30).returncode == 0
    assert h.index("*/") > h.index("Chain order")       # the comment closes where finevh closes it


def test_pm_header_harness_detects_comment_escape(tmp_path, require_tool):
    """A design name pasted raw into the comment does break the compile."""
    h = pm_header(_table("top")).replace("design top,", f"design {C_NAMES[0]},", 1)
    (tmp_path / "pm.h").write_text(h)
    r = subprocess.run([require_tool("cc"), "-std=c99", "-fsyntax-only", "-x", "c", str(tmp_path / "pm.h")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "injected" in r.stderr


def test_c_identifier_valid_and_distinct():
    ids = [c_identifier(n, "FINEVH_PM_") for n in C_NAMES + ["a-b", "a_b", "a.b"]]
    assert all(i.isascii() and (i[0].isalpha()) and all(c.isalnum() or c == "_" for c in i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert c_identifier("demo28_49T_200MV_H", "FINEVH_PM_") == "FINEVH_PM_DEMO28_49T_200MV_H"
    assert c_identifier("0x")[0].isalpha() and not c_identifier("_x").startswith("_")
    with pytest.raises(InputError):
        c_identifier("a\nb")


# ----------------------------------------------------------------------------- swap templates

def test_swap_template_is_plain_substitution(tmp_path, run_cli):
    assert expand_swap_template("{cell}_PB16", "INV", "X") == "INV_PB16"
    assert expand_swap_template("lib/{from}->{cell}", "B", "A") == "lib/A->B"
    assert expand_swap_template("{{lit}}_{cell}", "C", "D") == "{lit}_C"
    for bad in ("{cell.__class__}", "{cell[0]}", "{0}", "{}", "{cell!r}", "{cell:>10}", "x{", "}x", "{other}"):
        with pytest.raises(InputError, match="only {cell} and {from}"):
            expand_swap_template(bad, "C", "D")
    p = tmp_path / "p.fvh.json"
    write_plan(p, build_plan(["a", "b"], n=2, swaps=[("a", "INV_X1", "INV_X1", "PB16")]))
    code, out, err = run_cli("emit", "--plan", p, "--tool", "opensta", "--swap-cell", "PB16={cell.__class__}")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "'{cell.__class__}'" in err and "class" not in err.replace("__class__", "")


# ----------------------------------------------------------------------------- output files

def _specials(tmp: Path) -> dict[str, Path]:
    fifo = tmp / "fifo"
    os.mkfifo(fifo)
    target = tmp / "target.txt"
    target.write_text("keep\n")
    link = tmp / "link.tcl"
    link.symlink_to(target)
    dangling = tmp / "dangling.tcl"
    dangling.symlink_to(tmp / "nowhere.txt")
    (tmp / "adir").mkdir()
    (tmp / "afile").write_text("x")
    return {"FIFO": fifo, "symbolic link": link, "dangling": dangling, "character device": Path("/dev/null"),
            "folder": tmp / "adir", "not a folder": tmp / "afile" / "x.tcl"}


def _untouched(tmp: Path, sp: dict[str, Path]) -> None:
    assert stat.S_ISFIFO(os.lstat(sp["FIFO"]).st_mode)
    assert os.readlink(sp["symbolic link"]) == str(tmp / "target.txt")
    assert (tmp / "target.txt").read_text() == "keep\n"
    assert os.path.islink(sp["dangling"]) and not (tmp / "nowhere.txt").exists()
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert list((tmp / "adir").iterdir()) == []
    assert (tmp / "afile").read_text() == "x"


def test_emit_out_refuses_special_paths_before_any_work(tmp_path, run_cli):
    sp = _specials(tmp_path)
    plan = tmp_path / "p.fvh.json"
    write_plan(plan, build_plan(["a", "b"], n=2))
    for kind, path in sp.items():
        code, out, err = run_cli("emit", "--plan", plan, "--tool", "upf", "--out", path)
        assert code == 2, (kind, err)
        assert err.count("\n") == 1 and err.startswith("finevh: error: ") and "Traceback" not in err
        assert (kind if kind != "dangling" else "symbolic link") in err
        # checked before the plan is read: a missing plan is not what is reported
        code, _, err2 = run_cli("emit", "--plan", tmp_path / "missing.fvh.json", "--tool", "upf", "--out", path)
        assert code == 2 and err2 == err
    _untouched(tmp_path, sp)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir", "afile", "dangling.tcl", "fifo", "link.tcl",
                                                          "p.fvh.json", "target.txt"]


def test_atomic_write_refuses_special_paths(tmp_path):
    sp = _specials(tmp_path)
    for kind, path in sp.items():
        with pytest.raises(InputError):
            write_text_atomic(path, "new\n")
        with pytest.raises(InputError):
            check_output_file(path, "out")
    _untouched(tmp_path, sp)
    assert check_output_file(tmp_path / "new" / "deeper" / "f.txt") == tmp_path / "new" / "deeper" / "f.txt"
    assert not (tmp_path / "new").exists()          # checking creates nothing


def test_report_and_sweep_refuse_special_outputs(tmp_path, run_cli):
    from test_report import make_summary

    make_summary(tmp_path / "run", tiles=(9,), n_freq=4)
    sp = _specials(tmp_path)
    for kind in ("FIFO", "symbolic link", "character device"):
        code, _, err = run_cli("report", tmp_path / "run", "--out", sp[kind])
        assert code == 2 and err.count("\n") == 1 and kind in err
    cfg = tmp_path / "a.toml"
    cfg.write_text('[design]\nname = "a"\n')
    for kind in ("FIFO", "symbolic link", "character device", "not a folder"):
        code, _, err = run_cli("sweep", cfg, "--workers", "0", "--out", sp[kind])
        assert code == 2 and err.count("\n") == 1, err
    _untouched(tmp_path, sp)
    assert not (tmp_path / "run" / "report").exists()


# ----------------------------------------------------------------------------- staged folders

def _files(d: Path) -> dict[str, str]:
    return {str(p.relative_to(d)): p.read_text() for p in sorted(d.rglob("*")) if p.is_file() and p.name != MARKER}


def test_staged_dir_rerun_replaces_whole_and_crash_keeps_old(tmp_path):
    out = tmp_path / "out"
    with staged_output_dir(out) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".out.tmp-")
        (tmp / "plans").mkdir()
        (tmp / "plans" / "old_9tiles.fvh.json").write_text("old plan")
        (tmp / "power_200mV.csv").write_text("4 rows")
    marker = json.loads((out / MARKER).read_text())
    assert marker["complete"] is True and marker["format"] == "finevh-output"
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~mask
    old = _files(out)
    # crash mid-write: the old folder is intact, no staging folder is left
    with pytest.raises(RuntimeError):
        with staged_output_dir(out) as tmp:
            (tmp / "power_200mV.csv").write_text("16 rows, half written")
            raise RuntimeError("killed")
    assert _files(out) == old
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    # rerun: nothing of the old result survives
    with staged_output_dir(out) as tmp:
        (tmp / "power_100mV.csv").write_text("16 rows")
    assert _files(out) == {"power_100mV.csv": "16 rows"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_staged_dir_killed_process_leaves_old_result(tmp_path):
    out = tmp_path / "out"
    with staged_output_dir(out) as tmp:
        (tmp / "a.txt").write_text("old")
    code = textwrap.dedent(f"""\
        import os, signal, sys
        from finevh.fileio import staged_output_dir
        with staged_output_dir({str(out)!r}) as tmp:
            (tmp / "a.txt").write_text("new, partial")
            os.kill(os.getpid(), signal.SIGKILL)
        """)
    r = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
                       timeout=60)
    assert r.returncode == -9
    assert _files(out) == {"a.txt": "old"}
    left = [p for p in tmp_path.iterdir() if p.name != "out"]
    assert len(left) == 1 and left[0].name.startswith(".out.tmp-")
    assert json.loads((left[0] / MARKER).read_text())["complete"] is False


def test_staged_dir_refusals(tmp_path, monkeypatch):
    user = tmp_path / "user"
    user.mkdir()
    (user / "thesis.tex").write_text("precious")
    with pytest.raises(InputError, match="--force"):
        StagedDir(user)
    assert (user / "thesis.tex").read_text() == "precious"
    with staged_output_dir(user, force=True) as tmp:
        (tmp / "r.txt").write_text("r")
    assert _files(user) == {"r.txt": "r"}
    (tmp_path / "empty").mkdir()
    with staged_output_dir(tmp_path / "empty") as tmp:
        (tmp / "r.txt").write_text("r")
    assert _files(tmp_path / "empty") == {"r.txt": "r"}
    link = tmp_path / "link"
    link.symlink_to(user)
    (tmp_path / "file").write_text("f")
    for p in (link, tmp_path / "file", Path("/dev/null")):
        with pytest.raises(InputError, match="not a folder"):
            check_output_dir(p, force=True)
    assert os.readlink(link) == str(user) and _files(user) == {"r.txt": "r"}
    monkeypatch.chdir(user)
    with pytest.raises(InputError, match="current folder"):
        check_output_dir(user, force=True)
    with pytest.raises(InputError, match="current folder"):
        check_output_dir(tmp_path, force=True)
    with pytest.raises(InputError, match="root, home"):
        check_output_dir("/", force=True)


def test_safe_filename_component():
    for ok in ("demo28", "rv32 core", "a.b", "x-1", "é"):
        assert safe_filename_component(ok) == ok
    for bad in ("", ".", "..", "../../x", "a/b", "a\\b", "a\x00b", "a\nb", "-rf", ".hidden", "x" * 201):
        with pytest.raises(InputError) as e:
            safe_filename_component(bad, "[design] name", "run.toml", 3)
        assert str(e.value).startswith("run.toml:3: ") and "\n" not in str(e.value)


# ----------------------------------------------------------------------------- sweep and report

def _task(fail_on: str | None = None, design: str | None = None, seen: list | None = None):
    def task(point, out_root):
        if seen is not None:
            seen.append(point.label)
        if point.label == fail_on:
            raise RuntimeError("worker lost")
        name = design or Path(point.config).stem
        d = Path(out_root) / Path(point.config).stem / point.label
        d.mkdir(parents=True)
        (d / "summary.json").write_text(point.label)
        return {"design": name, "frequencies_mhz": [100.0], "tiles_run": [point.tiles ** 2], "run_dir": str(d)}
    return task


def test_sweep_staged_index_last_and_rerun_replaces(tmp_path):
    from finevh import sweep as S

    cfg = tmp_path / "alpha.toml"
    cfg.write_text("")
    out = tmp_path / "sw"
    path = S.sweep([str(cfg)], [2, 3], [200], out, workers=0, task=_task(), report=False)
    assert path == out / "sweep.json"
    index = json.loads(path.read_text())
    assert index["status"] == "complete" and not (out / S.INCOMPLETE).exists()
    for p in index["points"]:
        assert Path(p["run_dir"]).parent.parent == out and Path(p["run_dir"]).is_dir()
    merged = json.loads((out / "alpha" / "summary.json").read_text())
    assert [Path(p["run_dir"]).parent.parent for p in merged["sweep_points"]] == [out, out]
    assert sorted(p.name for p in (out / "alpha").iterdir()) == ["4tiles_200mV", "9tiles_200mV", "summary.json"]
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    # a failing point: the previous sweep stays as it was, nothing else is left
    with pytest.raises(RuntimeError, match="worker lost"):
        S.sweep([str(cfg)], [2], [100, 200], out, workers=0, task=_task(fail_on="4tiles_200mV"), report=False)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alpha.toml", "sw"]
    # a design name that would leave OUT is refused; the previous sweep stays
    with pytest.raises(InputError, match="cannot be used in a file name"):
        S.sweep([str(cfg)], [2], [200], out, workers=0, task=_task(design="../../evil"), report=False)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not (tmp_path.parent / "evil").exists()
    # rerun with fewer points: no stale point folder survives
    S.sweep([str(cfg)], [2], [100], out, workers=0, task=_task(), report=False)
    assert sorted(p.name for p in (out / "alpha").iterdir()) == ["4tiles_100mV", "summary.json"]
    # OUT is checked before any point runs
    user = tmp_path / "user"
    user.mkdir()
    (user / "notes.txt").write_text("n")
    seen: list = []
    with pytest.raises(InputError, match="--force"):
        S.sweep([str(cfg)], [2], [100], user, workers=0, task=_task(seen=seen), report=False)
    assert seen == [] and (user / "notes.txt").read_text() == "n"


def test_report_rerun_leaves_no_stale_tables(tmp_path):
    from test_report import make_summary

    from finevh.report import write_report

    run = tmp_path / "run"
    make_summary(run, tiles=(9, 25), n_freq=4)
    write_report(run)
    assert (run / "report" / "tile_vdd_200mV_25.csv").is_file()
    make_summary(run, tiles=(9,), n_freq=4)
    write_report(run)
    names = sorted(p.name for p in (run / "report").iterdir())
    assert not any(n.endswith("_25.csv") for n in names) and "tile_vdd_200mV_9.csv" in names
    assert sorted(p.name for p in run.iterdir()) == ["report", "report.html", "summary.json"]
    # a report/ folder finevh did not write is not replaced without force
    other = tmp_path / "other"
    make_summary(other, tiles=(9,), n_freq=4)
    (other / "report").mkdir()
    (other / "report" / "mine.txt").write_text("mine")
    with pytest.raises(InputError, match="--force"):
        write_report(other)
    assert (other / "report" / "mine.txt").read_text() == "mine" and not (other / "report.html").exists()
