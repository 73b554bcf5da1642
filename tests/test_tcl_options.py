"""The Tcl option table is generated from the click commands, and every CLI option of
every command reaches the `finevh` command line through a finevh:: proc."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

import click
import pytest

from conftest import REPO

GEN = REPO / "scripts" / "gen_tcl_options.py"
OPTIONS_TCL = REPO / "tcl" / "finevh" / "options.tcl"


def _gen():
    spec = importlib.util.spec_from_file_location("gen_tcl_options", GEN)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def _commands():
    from finevh.cli import cli

    out = {}

    def walk(cmd, path):
        if isinstance(cmd, click.Group):
            for n, sub in cmd.commands.items():
                walk(sub, path + [n])
        else:
            out[" ".join(path)] = cmd

    walk(cli, [])
    return out


def _stage_procs() -> dict[str, str]:
    """command -> the first finevh:: proc that runs it through finevh::stage."""
    out: dict[str, str] = {}
    for f in sorted((REPO / "tcl" / "finevh").glob("*.tcl")):
        for proc, cmd in re.findall(r"finevh::stage (finevh::\w+) (\{[^}]*\}|[\w-]+) ", f.read_text()):
            out.setdefault(cmd.strip("{}"), proc)
    return out


def test_committed_table_is_up_to_date():
    """Regenerated in memory it equals the committed file (rerun the generator after a CLI change)."""
    assert OPTIONS_TCL.read_text() == _gen().generate(), \
        "tcl/finevh/options.tcl is stale: PYTHONPATH=flow python3 scripts/gen_tcl_options.py"


def test_generator_check_mode(tmp_path):
    gen = _gen()
    stale = tmp_path / "options.tcl"
    stale.write_text("set finevh::cli_options {}\n")
    assert gen.main(["--check", "--out", str(stale)]) == 1
    assert gen.main(["--out", str(stale)]) == 0
    assert gen.main(["--check", "--out", str(stale)]) == 0


def _table(tclsh):
    """The committed table as Python: {command: {tcl_name: (flag, kind, multiple, nargs, required)}}."""
    script = (f"namespace eval finevh {{}}\nsource {{{OPTIONS_TCL}}}\n"
              "dict for {c opts} $finevh::cli_options { dict for {n s} $opts { puts \"$c|$n|[join $s |]\" } }\n")
    r = subprocess.run([tclsh], input=script, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    table: dict[str, dict[str, tuple]] = {}
    for line in r.stdout.splitlines():
        cmd, name, flag, kind, mult, nargs, req = line.split("|")
        table.setdefault(cmd, {})[name] = (flag, kind, mult == "1", int(nargs), req == "1")
    return table


def test_every_cli_option_has_a_tcl_option(require_tool):
    table = _table(require_tool("tclsh"))
    cmds = _commands()
    assert set(table) == set(cmds)
    for name, cmd in cmds.items():
        for p in cmd.params:
            if not isinstance(p, click.Option):
                continue
            flag = next(o for o in p.opts if o.startswith("--"))
            tcl = flag[2:].replace("-", "_")
            assert tcl in table[name], (name, flag)
            assert table[name][tcl][0] == flag
            required = bool(p.required) or "Required unless" in (p.help or "")   # sta --liberty / --corner
            assert table[name][tcl][2] == bool(p.multiple) and table[name][tcl][4] == required
    # kinds on known options
    assert table["power"]["port_activity"][1:4] == ("tuple", True, 3)
    assert table["partition"]["tiles"][1] == "list"
    assert table["synth"]["param"][1:3] == ("pairs", True)
    assert table["sta"]["liberty"][1:3] == ("value", True)
    assert table["accel energy"]["pe_power_uw"][1] == "value"
    assert table["sweep"]["no_report"][1] == "flag"
    # the procs' own options never shadow a CLI option
    for opts in table.values():
        assert not {"dict", "apply", "emit_options"} & set(opts)


def _sample(kind: str, nargs: int, multiple: bool, i: int):
    """(Tcl value, expected CLI words after the flag) for one option."""
    if kind == "flag":
        return None, []
    if kind == "list":
        return "{3 5 7}", ["3,5,7"]
    if kind == "tuple":
        one = [f"{i}.{k}" for k in range(nargs)]
        return ("{{" + " ".join(one) + "}}", one) if multiple else ("{" + " ".join(one) + "}", one)
    if kind == "pairs":
        return "{A 1 B {x y}}", ["A=1", "", "B=x y"]  # "" = the flag again
    v = f"v{i} with space"
    return ("{{" + v + "}}", [v]) if multiple else ("{" + v + "}", [v])


def test_every_option_reaches_the_command_line(require_tool, tmp_path):
    """Each proc, each option: run with FINEVH=printf, the CLI words are what the table says."""
    tclsh = require_tool("tclsh")
    table = _table(tclsh)
    procs = _stage_procs()
    missing = set(table) - set(procs) - {"tcl-dir"}
    assert not missing, f"CLI commands without a finevh:: proc: {sorted(missing)}"
    calls, expect = [], []
    for cmd, opts in sorted(table.items()):
        if cmd not in procs:
            continue
        positional = {"compare": "r g", "report": "r"}.get(cmd, "")
        required = [n for n, s in opts.items() if s[4]]
        for i, (name, (flag, kind, multiple, nargs, _req)) in enumerate(sorted(opts.items())):
            val, words = _sample(kind, nargs, multiple, i)
            base = []
            for r in required:
                if r != name:
                    rv, _ = _sample(opts[r][1], opts[r][3], opts[r][2], 99)
                    base += [f"-{r}", rv]
            arg = f"-{name}" + ("" if val is None else f" {val}")
            calls.append(f"set r [{procs[cmd]} {positional} {' '.join(base)} {arg}]\n"
                         f"puts \"CALL {len(expect)} [join [split $r \\n] |]\"\n")
            expect.append((cmd, name, [flag] + [w or flag for w in words]))
    script = tmp_path / "reach.tcl"
    script.write_text(f"source {{{REPO / 'tcl' / 'finevh.tcl'}}}\n" + "".join(calls))
    env = {"FINEVH": r"printf %s\n", "PATH": "/usr/bin:/bin", "FINEVH_TCL_DIR": str(REPO / "tcl")}
    r = subprocess.run([tclsh, str(script)], capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    got = dict(re.findall(r"^CALL (\d+) (.*)$", r.stdout, re.M))
    assert len(got) == len(expect)
    for k, (cmd, name, words) in enumerate(expect):
        argv = got[str(k)].split("|")
        if (cmd, name) == ("emit", "out"):  # emit_tcl -out returns the file name
            assert argv == words[1:]
            continue
        assert argv[:len(cmd.split())] == cmd.split(), (cmd, argv)
        pos = [j for j in range(len(argv)) if argv[j] == words[0]]
        assert any(argv[j:j + len(words)] == words for j in pos), (cmd, name, words, argv)
    assert len(expect) > 150


@pytest.mark.parametrize("case, message", [
    ("finevh::report_checks -bogus 1", "finevh::report_checks: unknown option -bogus"),
    ("finevh::report_power -input_activity {0.1}", "finevh::report_power: option -input_activity needs 2 values, got {0.1}"),
    ("finevh::synth_design -param {A 1 B}", "finevh::synth_design: option -param needs NAME VALUE pairs, got {A 1 B}"),
    ("finevh::report_checks -paths", "finevh::report_checks: option -paths needs a value"),
    ("finevh::compare_runs onlyone", "finevh::compare_runs: expects RUN_DIR GOLDEN_DIR, got {onlyone}"),
    ("finevh::write_report a b", "finevh::write_report: unexpected argument b"),
    ("finevh::report_checks -verilog x.v -sdc c.sdc", "finevh::report_checks: -liberty needed: not given and the shell (tcl) holds none"),
    ("finevh::assign_polybias -plan p -liberty l -verilog v -sdc s -apply", "finevh::assign_polybias: -apply needs OpenSTA or OpenROAD (this shell: tcl)"),
])
def test_parser_errors(require_tool, tmp_path, case, message):
    script = tmp_path / "e.tcl"
    script.write_text(f"source {{{REPO / 'tcl' / 'finevh.tcl'}}}\n"
                      f"if {{[catch {{{case}}} e]}} {{ puts \"ERR=<$e>\" }} else {{ puts \"NOERR\" }}\n")
    env = {"FINEVH": "true", "PATH": "/usr/bin:/bin", "FINEVH_TCL_DIR": str(REPO / "tcl")}
    r = subprocess.run([require_tool("tclsh"), str(script)], capture_output=True, text=True, timeout=60, env=env)
    assert f"ERR=<{message}>" in r.stdout, r.stdout + r.stderr
