"""cocotb simulations of the scalable-precision PE and the baseline PE, on Icarus
Verilog and on Verilator, bit-exact against ``finevh.accel.pe`` (tests/cocotb/tb_pe.py)."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("fvh_simrun", HERE / "cocotb" / "simrun.py")
simrun = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(simrun)  # type: ignore[union-attr]

PE_SRC = simrun.rtl_sources(*simrun.PE_COMMON, "pe/fvh_pe.sv")
BASE_SRC = simrun.rtl_sources(*simrun.PE_COMMON, "pe/fvh_pe_base.sv")


def _tool(sim, require_tool):
    if sim == "verilator":
        simrun.setup_verilator()
        require_tool("verilator")
    else:
        require_tool("iverilog")


# The baseline PE (an area/power reference) runs on Icarus only, to spare the suite a
# fourth Verilator C++ build (~30 s); it is linted by Verilator below like the PE.
@pytest.mark.parametrize("sim,top", [("icarus", "fvh_pe"), ("verilator", "fvh_pe"),
                                     ("icarus", "fvh_pe_base")])
def test_pe_cocotb(sim, top, require_tool, tmp_path):
    _tool(sim, require_tool)
    src = PE_SRC if top == "fvh_pe" else BASE_SRC
    ntests, nfail = simrun.run(sim, top, src, "tb_pe", tmp_path / "build")
    assert (ntests, nfail) == (5, 0)


@pytest.mark.parametrize("top", ["fvh_pe", "fvh_pe_base"])
def test_pe_verilator_lint(top, require_tool):
    simrun.setup_verilator()
    exe = require_tool("verilator")
    src = PE_SRC if top == "fvh_pe" else BASE_SRC
    r = subprocess.run([exe, "--lint-only", "-Wall", "--top-module", top, *map(str, src)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "%Warning" not in r.stderr and "%Error" not in r.stderr, r.stderr
