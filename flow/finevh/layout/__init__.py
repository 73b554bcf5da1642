"""finevh.layout: LEF and DEF readers, DEF writer and the :class:`Placement` contract.

Lengths are um throughout (DEF integers are converted with the file's
``UNITS DISTANCE MICRONS``).
"""

from .defio import DefDesign, read_def, write_def
from .lef import Lef, LefMacro, LefPin, LefSite, read_lef
from .placement import IoPin, Placement, Row, from_def, to_def

__all__ = ["Lef", "LefMacro", "LefPin", "LefSite", "read_lef", "DefDesign", "read_def", "write_def",
           "Placement", "Row", "IoPin", "from_def", "to_def"]
