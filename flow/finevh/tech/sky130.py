"""SkyWater sky130 SPICE material for the k-LUT and crossing characterisers.

The archives of ``$FINEVH_SHARED/data/sky130_spice`` are extracted once into the
finevh cache by :func:`finevh.tech.charlib.pdk.sky130_root` (shared with the Liberty
characteriser). :func:`extract` returns the paths the k-LUT and crossing characterisers
use: SkyWater's corner library (``models/sky130.lib.spice``, loaded with ``.lib ... ss``)
and the original cell netlists. (charlib's lean, flattened model file sets a deck up
much faster, but gives other leakage currents at -40 C: inv_1's k at 1.40 -> 1.76 V
0.107 / 11.5 instead of 0.128 / 7.79; the LUTs keep SkyWater's own entry point.)

Corner convention (the shipped Liberty files ``ss_n40C_1v28/1v40/1v76``): section
``ss`` at -40 C.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .charlib.pdk import cell_netlist, default_pdk_dir, sky130_root

#: the corner of the shared ss Liberty files
SS_SECTION, SS_TEMP = "ss", -40.0


@dataclass(frozen=True)
class Sky130Spice:
    """Paths of an extracted copy."""

    root: Path
    models: Path         # models/sky130.lib.spice (use with .lib <models> <section>)

    def netlist(self, cell: str) -> Path:
        """SPICE file of a HD cell (``sky130_fd_sc_hd__<base>_<drive>``)."""
        return cell_netlist(self.root, cell)[0]


def shared_dir() -> Path:
    """``$FINEVH_SHARED/data/sky130_spice``."""
    return default_pdk_dir()


def extract(source: str | Path | None = None) -> Sky130Spice:
    """Extract the archives of ``source`` (default :func:`shared_dir`) once into the
    cache and return their paths."""
    root = sky130_root(source)
    return Sky130Spice(root=root, models=root / "sky130_fd_pr" / "models" / "sky130.lib.spice")
