"""finevh.constraints: SDC evaluated in a real Tcl interpreter, stored in ns and pF."""

from .sdc import Clock, Constraints, DrivingCell, PathException, PortDelay, read_sdc

__all__ = ["Clock", "Constraints", "DrivingCell", "PathException", "PortDelay", "read_sdc"]
