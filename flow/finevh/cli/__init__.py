"""Command-line interface: ``finevh <stage> ...``.

Each stage lives in its own module of this package and exposes a click command
named ``command``; register it in ``_STAGES`` below. Every stage has a Tcl twin in
``tcl/finevh/`` (namespace ``finevh::``).

User errors (:class:`finevh.errors.FinevhError`) and usage errors become one line on
stderr, ``finevh: error: FILE:LINE: MESSAGE [ID]``, and exit code 2, with no traceback
(IDs: :mod:`finevh.messages`, docs/messages.md).
"""

from __future__ import annotations

import importlib
import sys

import click

from .. import __version__, progress
from ..errors import FinevhError
from ..messages import log_error

# module (relative to this package) -> attribute holding the click command
_STAGES: tuple[str, ...] = (
    "read",
    "tcldir",
    "synth",
    "techgen",
    "lutchar",
    "sta",
    "power",
    "accel",
    "place",
    "partition",
    "polybias",
    "vddmux",
    "emit",
    "run",
    "report",
    "compare",
    "sweep",
)


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


for _name in _STAGES:
    _mod = importlib.import_module(f".{_name}", __name__)
    cli.add_command(_with_verbosity(_mod.command))


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="finevh", standalone_mode=True)


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
