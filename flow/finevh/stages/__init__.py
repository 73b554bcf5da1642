"""The FINE-VH flow's stages, one function each.

Every stage takes ``(design, constraints, plan, options)`` and returns a
:class:`~finevh.stages.common.StageResult` (the updated plan and the stage's report);
options and their defaults are the dataclasses of :mod:`finevh.stages.options`. The
CLI sub-commands, ``finevh run`` (:mod:`finevh.run`) and the Tcl procs all call these
functions, so a stage gives one answer whichever front end runs it.

| stage | function |
|---|---|
| partition into N x N tiles | :func:`partition_stage` |
| Vdd-MUX insertion, configuration chain | :func:`vddmux_stage` |
| poly-bias flavours on interface cells | :func:`polybias_stage` |
| tool scripts and UPF | :func:`emit_stage` |
"""

from .common import StageResult
from .emit import emit_stage
from .options import PartitionOptions, PolybiasOptions, VddmuxOptions
from .partition import partition_stage
from .polybias import polybias_stage
from .vddmux import vddmux_stage

__all__ = ["StageResult", "PartitionOptions", "VddmuxOptions", "PolybiasOptions", "partition_stage",
           "vddmux_stage", "polybias_stage", "emit_stage"]
