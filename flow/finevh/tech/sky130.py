"""SkyWater sky130 SPICE material for the k-LUT and crossing characterisers.

The archives of ``$FINEVH_SHARED/data/sky130_spice`` are extracted once into the
finevh cache by :func:`finevh.tech.charlib.pdk.sky130_root` (shared with the Liberty
characteriser). :func:`extract` returns the paths of SkyWater's corner library
(``models/sky130.lib.spice``, loaded with ``.lib ... ss``; the crossing tables and the
chain check use it) and of the original cell netlists; :meth:`Sky130Spice.lean` those
of charlib's lean model file with flattened netlists (the k-LUT: a deck of a thousand
cell copies solves in seconds, where the corner library's per-transistor subckt
expansion took minutes). The two give different leakage currents at -40 C (inv_1's k
at 1.40 -> 1.76 V: 0.107 / 11.5 lean, 0.128 / 7.79 through the corner library;
docs/tech.md).

Corner convention (the shipped Liberty files ``ss_n40C_1v28/1v40/1v76``): section
``ss`` at -40 C.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..fileio import write_text_atomic
from .charlib.pdk import cell_netlist, default_pdk_dir, flat_netlist, model_file, sky130_root

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

    def lean(self, cells, corner: str = SS_SECTION) -> tuple[Path, dict[str, Path]]:
        """(charlib's lean model file of ``corner``, to ``.include``; {cell: netlist with
        its MOSFET subckt calls flattened}), the netlists written under ``<root>/flat_cells``."""
        out = {}
        d = self.root / "flat_cells"
        d.mkdir(exist_ok=True)
        for c in cells:
            p = d / f"{c}.spice"
            text = flat_netlist(cell_netlist(self.root, c)[1])
            if not p.is_file() or p.read_text() != text:
                write_text_atomic(p, text)
            out[c] = p
        return model_file(self.root, corner), out


def shared_dir() -> Path:
    """``$FINEVH_SHARED/data/sky130_spice``."""
    return default_pdk_dir()


def extract(source: str | Path | None = None) -> Sky130Spice:
    """Extract the archives of ``source`` (default :func:`shared_dir`) once into the
    cache and return their paths."""
    root = sky130_root(source)
    return Sky130Spice(root=root, models=root / "sky130_fd_pr" / "models" / "sky130.lib.spice")
