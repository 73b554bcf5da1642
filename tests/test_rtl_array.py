"""cocotb simulation of the R x C systolic array (tiled matrix product vs numpy and
the PE golden model) on Icarus Verilog and Verilator; Verilator lint."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("fvh_simrun", HERE / "cocotb" / "simrun.py")
simrun = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(simrun)  # type: ignore[union-attr]

SRC = simrun.rtl_sources(*simrun.PE_COMMON, "pe/fvh_pe.sv", "array/fvh_array.sv")


@pytest.mark.parametrize("sim,rc", [("icarus", (3, 4)), ("verilator", (4, 3))])
def test_array_cocotb(sim, rc, require_tool, tmp_path):
    if sim == "verilator":
        simrun.setup_verilator()
        require_tool("verilator")
    else:
        require_tool("iverilog")
    ntests, nfail = simrun.run(sim, "fvh_array", SRC, "tb_array", tmp_path / "build",
                               parameters={"R": rc[0], "C": rc[1]})
    assert (ntests, nfail) == (1, 0)


def test_array_verilator_lint(require_tool):
    simrun.setup_verilator()
    exe = require_tool("verilator")
    r = subprocess.run([exe, "--lint-only", "-Wall", "--top-module", "fvh_array", "-GR=3", "-GC=5",
                        *map(str, SRC)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "%Warning" not in r.stderr, r.stderr
