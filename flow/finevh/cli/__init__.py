"""Command-line interface: ``finevh <stage> ...``.

Each stage lives in its own module of this package and exposes a click command
named ``command``; register it in ``_STAGES`` below (name, module, short help): the
module is imported only when its command runs (or is asked for its help). Every stage has a Tcl twin in
``tcl/finevh/`` (namespace ``finevh::``).

User errors (:class:`finevh.errors.FinevhError`) and usage errors become one line on
stderr, ``finevh: error: FILE:LINE: MESSAGE [ID]``, and exit code 2, with no traceback
(IDs: :mod:`finevh.messages`, docs/messages.md).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import MutableMapping

import click

from .. import __version__, progress
from ..errors import FinevhError
from ..messages import log_error

#: command name -> (module of this package holding it as ``command``, first sentence of
#: its help). Modules are imported when their command is used, so ``finevh --version``,
#: ``--help`` and a small stage load only what they need; the help text here is what
#: ``finevh --help`` lists (tests/test_scale.py checks it against the commands).
_STAGES: dict[str, tuple[str, str]] = {
    "read": ("read", "Read a design and print a summary."),
    "tcl-dir": ("tcldir", "Print the folder of finevh.tcl (source it from any tool shell)."),
    "synth": ("synth", "Synthesise RTL with Yosys onto LIBERTY; report cells and area."),
    "techgen": ("techgen", "Generate the demo28 technology: 36 Liberty files (0.60-1.00 V x PB0/PB4/PB10/PB16, "
                           "ss 125 C), the LEF and the intra-tile leakage LUTs (see docs/tech.md)."),
    "lutchar": ("lutchar", "Characterise intra-tile leakage LUTs with ngspice (batch mode)."),
    "charlib": ("charlib", "Characterise sky130 HD cells with ngspice into NLDM Liberty (delay, slew, capacitance, leakage, setup/hold)."),
    "sta": ("sta", "Setup and hold timing (WNS, TNS, worst setup paths) of VERILOG under SDC."),
    "power": ("power", "Power (leakage, internal, switching; uW) of VERILOG under SDC."),
    "accel": ("accel", "Systolic-array accelerator model: cycles, memory accesses, energy, precision search."),
    "place": ("place", "Place a netlist (fallback when no DEF exists) and write a DEF."),
    "partition": ("partition", "Partition a placed design into an N x N tile mesh (FINE-VH)."),
    "polybias": ("polybias", "Assign slower, less leaky flavours to interface cells without hurting WNS."),
    "vddmux": ("vddmux", "Insert Vdd-MUX header switches per tile and the configuration chain."),
    "emit": ("emit", "Write the tool script (or UPF) that applies a FINE-VH plan."),
    "run": ("run", "Run partition -> Vdd-MUX -> poly-bias -> emulation -> emit -> report."),
    "report": ("report", "HTML report (plots, tables, CSV/JSON data) of a finevh run directory."),
    "compare": ("compare", "Compare a run's figures with golden results (exit 1 when any moved)."),
    "sweep": ("sweep", "Run tile counts x ΔVdd x designs as dask.distributed tasks."),
}


class _LazyCommands(MutableMapping):
    """The group's ``commands``: name -> click command, the stage module imported on
    first access (so code walking ``cli.commands`` still sees every command)."""

    def __init__(self, stages: dict[str, tuple[str, str]]):
        self._modules = {name: mod for name, (mod, _) in stages.items()}
        self._loaded: dict[str, click.Command] = {}

    def loaded(self, name: str) -> click.Command | None:
        return self._loaded.get(name)

    def __getitem__(self, name: str) -> click.Command:
        cmd = self._loaded.get(name)
        if cmd is None:
            if name not in self._modules:
                raise KeyError(name)
            mod = importlib.import_module(f".{self._modules[name]}", __name__)
            cmd = self._loaded[name] = _with_verbosity(mod.command)
        return cmd

    def __setitem__(self, name: str, cmd: click.Command) -> None:
        self._loaded[name] = cmd

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._loaded.pop(name, None)
        self._modules.pop(name, None)

    def __iter__(self):
        return iter(dict.fromkeys([*self._modules, *self._loaded]))

    def __len__(self) -> int:
        return len(set(self._modules) | set(self._loaded))

    def __contains__(self, name) -> bool:
        return name in self._modules or name in self._loaded


class _Group(click.Group):
    """The finevh command group: a user error (:class:`FinevhError`) or a usage error (unknown
    option, bad value, missing argument) is one line ``finevh: error: ... [ID]`` and exit 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except FinevhError as e:
            log_error(e)
            ctx.exit(2)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as e:
            where = e.ctx.command_path if e.ctx is not None else "finevh"
            text = " ".join(e.format_message().split())
            sys.stderr.write(f"finevh: error: {where}: {text} (see '{where} --help') [CLI-0001]\n")
            sys.exit(2)
        except click.ClickException as e:
            sys.stderr.write(f"finevh: error: {' '.join(e.format_message().split())} [CLI-0002]\n")
            sys.exit(e.exit_code)
        except click.Abort:
            sys.stderr.write("finevh: error: aborted [CLI-0003]\n")
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help`` without importing the stages: the short help of
        a command not loaded yet comes from :data:`_STAGES`."""
        cmds = self.commands
        rows = []
        for name in self.list_commands(ctx):
            cmd = cmds.loaded(name) if isinstance(cmds, _LazyCommands) else cmds.get(name)
            if cmd is not None and cmd.hidden:
                continue
            rows.append((name, cmd))
        if not rows:
            return
        limit = formatter.width - 6 - max(len(n) for n, _ in rows)
        with formatter.section("Commands"):
            formatter.write_dl([(n, c.get_short_help_str(limit) if c is not None
                                 else click.utils.make_default_short_help(_STAGES[n][1], limit)) for n, c in rows])


@click.group("finevh", cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="finevh")
@click.option("--quiet", "-q", is_flag=True, help="No progress or warnings on stderr.")
@click.option("--verbose", "-v", is_flag=True, help="Debug messages on stderr.")
def cli(quiet: bool, verbose: bool) -> None:
    """finevh: ultra-fine-grain Vdd hopping (FINE-VH) for physical-design flows."""
    progress.set_level(progress.QUIET if quiet else progress.VERBOSE if verbose else progress.NORMAL)


def _set_level(level: int):
    def cb(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        if value:
            progress.set_level(level)
    return cb


def _with_verbosity(cmd: click.Command) -> click.Command:
    """Accept ``--quiet/-q`` and ``--verbose/-v`` after the stage name too
    (``finevh place ... --quiet``), on every command and sub-command."""
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            _with_verbosity(sub)
    have = {o for p in cmd.params for o in getattr(p, "opts", [])}
    for opts, level, text in ((["--quiet", "-q"], progress.QUIET, "No progress or warnings on stderr."),
                              (["--verbose", "-v"], progress.VERBOSE, "Debug messages on stderr.")):
        if not have & set(opts):
            cmd.params.append(click.Option(opts, is_flag=True, expose_value=False, is_eager=True,
                                           callback=_set_level(level), help=text))
    return cmd


cli.commands = _LazyCommands(_STAGES)


#: stages whose process ends without the interpreter's teardown (see :func:`main`): they
#: write their output through click or :func:`finevh.fileio.write_text_atomic` only
_QUICK_EXIT = frozenset(("read", "sta", "power"))


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (and ``python -m finevh``).

    After ``read``, ``sta`` and ``power`` the process leaves at once, once the ``atexit``
    handlers have run and stdout / stderr are flushed: the interpreter's teardown
    (freeing a large design's millions of objects one by one, a last garbage
    collection) costs about 0.2 s CPU on a 130k-cell design and changes nothing. Any
    other stage, or a process with other threads alive, exits normally."""
    try:
        cli.main(args=argv, prog_name="finevh", standalone_mode=True)
        code = 0
    except SystemExit as e:
        code = e.code
        if not (code is None or isinstance(code, int)) or not _quick_exit_ok():
            raise
    if not _quick_exit_ok():
        sys.exit(code)
    _quick_exit(code or 0)


def _quick_exit_ok() -> bool:
    import threading

    cmds = cli.commands
    stages = set(cmds._loaded) if isinstance(cmds, _LazyCommands) else set()
    return bool(stages) and stages <= _QUICK_EXIT and threading.active_count() == 1


def _quick_exit(code: int) -> None:
    import atexit
    import os

    getattr(atexit, "_run_exitfuncs", lambda: None)()
    for f in (sys.stdout, sys.stderr):
        try:
            f.flush()
        except (OSError, ValueError):       # a closed pipe: the exit status Python gives it
            code = code or 120
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
