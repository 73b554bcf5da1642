"""The one ``finevh run`` TOML writer for demo28 designs used by the tests and the
benches (the demo28 library set, LEF, intra-tile LUTs and poly-bias stages are
written in one place; each caller gives its design and sweep)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEMO28 = REPO / "libs" / "demo28"


def demo28_run_config(path: Path, *, name: str, verilog: Path, def_file: Path, sdc: Path,
                      tiles=(3, 5, 7), delta_vdd_mv=(200, 100), frequencies: int = 16,
                      grid_step: float = 0.025, emit=None) -> Path:
    """Write a run config for a design on demo28 (PB0 1.00 V binding; every supply and
    flavour; PB16 -> PB10 -> PB4 stages) to ``path`` and return it. ``emit``: list
    of emitters (None: the config's default)."""
    q = lambda xs: "[" + ", ".join(f'"{x}"' if isinstance(x, str) else str(x) for x in xs) + "]"  # noqa: E731
    text = f"""
[design]
name = "{name}"
liberty = ["{DEMO28}/demo28_ss_125C_1p00v_pb0.lib", "{DEMO28}/demo28_ss_125C_*.lib"]
lef = ["{DEMO28}/demo28.lef"]
verilog = "{verilog}"
def = "{def_file}"
sdc = "{sdc}"
[tech]
lut = ["{DEMO28}/demo28_itl_pb*.lut"]
base_flavour = "PB0"
flavours = ["PB16", "PB10", "PB4"]
[fvh]
tiles = {q(tiles)}
delta_vdd_mv = {q(delta_vdd_mv)}
frequencies = {frequencies}
vdd_min = 0.60
vdd_max = 1.00
grid_step = {grid_step}
"""
    if emit is not None:
        text += f"emit = {q(emit)}\n"
    path.write_text(text)
    return path
