"""Gate-level simulation (Icarus, osu018 cell models with their specify delays) of the
synthesised PE and baseline PE netlists: the workload testbench checks every
accumulator against the golden model, which validates synthesis, the latch
techmap and the clock gate after mapping."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from finevh.synth.driver import synthesize

HERE = Path(__file__).resolve().parent
TB = HERE / "cocotb"
_spec = importlib.util.spec_from_file_location("fvh_simrun", TB / "simrun.py")
simrun = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(simrun)  # type: ignore[union-attr]
if str(TB) not in sys.path:
    sys.path.append(str(TB))
import glwrap  # noqa: E402

OSU = Path("/usr/share/qflow/tech/osu018")


@pytest.mark.parametrize("top", ["fvh_pe", "fvh_pe_base"])
def test_gate_level_workload(top, require_tool, tmp_path):
    require_tool("iverilog")
    require_tool("yosys")
    if not (OSU / "osu018_stdcells.lib").is_file():
        require_tool("osu018 (Debian qflow-tech-osu018)")
    src = simrun.rtl_sources(*simrun.PE_COMMON, f"pe/{top}.sv")
    res = synthesize(src, top, OSU / "osu018_stdcells.lib", tmp_path / f"{top}.v")
    wrapper, gates = glwrap.wrap(Path(res.netlist), top, tmp_path)
    vcd = tmp_path / "work.vcd"
    ntests, nfail = simrun.run(
        "icarus", f"{top}_gl", [wrapper, gates, OSU / "osu018_stdcells.v"], "tb_pe_work",
        tmp_path / "build", build_args=["-gspecify"],
        extra_env={"FVH_MODES": "full,mixed,half", "FVH_NDOT": "4", "FVH_LEN": "12", "FVH_PERIOD_NS": "40"},
        plusargs=[f"+vcd={vcd}"])
    assert (ntests, nfail) == (1, 0)
    text = vcd.read_text()
    assert "$scope module u_gates $end" in text
    assert text.count("$var wire") > res.cells // 2  # internal nets are dumped
