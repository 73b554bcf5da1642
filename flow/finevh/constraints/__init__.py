"""finevh.constraints: SDC evaluated in a real Tcl interpreter, stored in ns and pF."""

from .model import (CaseAnalysis, Clock, ClockGroups, Constraints, DisableTiming, DrivingCell, GeneratedClock,
                    GroupPath, PathException, PortDelay, TimingDerate)
from .objects import SdcDesign
from .sdc import read_sdc

__all__ = ["CaseAnalysis", "Clock", "ClockGroups", "Constraints", "DisableTiming", "DrivingCell",
           "GeneratedClock", "GroupPath", "PathException", "PortDelay", "SdcDesign", "TimingDerate", "read_sdc"]
