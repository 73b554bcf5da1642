"""The fvh_rv32 core: the assembler and reference ISS against hand-known numbers,
the cocotb program run on Icarus Verilog and Verilator, and Verilator lint."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from finevh.accel import pe

HERE = Path(__file__).resolve().parent
TB = HERE / "cocotb"
_spec = importlib.util.spec_from_file_location("fvh_simrun", TB / "simrun.py")
simrun = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(simrun)  # type: ignore[union-attr]
if str(TB) not in sys.path:
    sys.path.append(str(TB))
import rv32asm  # noqa: E402
import rv32prog  # noqa: E402

CORE = simrun.rtl_sources("rv32/fvh_rv32_div.sv", "rv32/fvh_rv32.sv")
SOC = CORE + simrun.rtl_sources("rv32/fvh_rv32_soc.sv")


def test_assembler_encodings():
    a = rv32asm.Asm()
    a.addi(1, 0, 1)
    a.label("x")
    a.jal(0, "x")
    a.lui(5, 0x12345)
    a.sw(2, 4, 1)
    a.mul(3, 1, 2)
    a.beq(1, 2, "x")
    a.srai(1, 2, 3)
    a.sub(1, 2, 3)
    a.ebreak()
    # reference encodings from the RISC-V specification's formats
    assert a.words() == [0x00100093, 0x0000006F, 0x123452B7, 0x0020A223, 0x022081B3,
                         0xFE2088E3, 0x40315093, 0x403100B3, 0x00100073]


def test_iss_hand_values():
    imem, dwords = rv32prog.build(n_random=0)
    out, regs, n = rv32asm.simulate(imem, rv32prog.dmem_bytes(dwords))
    assert out[0] == 385
    assert out[1] == pe.mac_dot(rv32prog.DOT_I, rv32prog.DOT_W, rv32prog.DOT_BIAS, "full") & 0xFFFFFFFF
    div = out[2:2 + 4 * len(rv32prog.DIV_CASES)]
    m = 0xFFFFFFFF
    assert div[0:4] == [-3 & m, 0x7FFFFFFC, -1 & m, 1]                 # -7 / 2 (DIVU: 0xFFFFFFF9 // 2)
    assert div[12:16] == [m, m, 123, 123]                                # x / 0
    assert div[16:20] == [0x80000000, 0, 0, 0x80000000]                  # -2^31 / -1 (unsigned: 0x80000000 % 0xFFFFFFFF)
    loads = out[2 + 4 * len(rv32prog.DIV_CASES):][:11]
    assert loads == [1, 0x7F, m, 0xFFFFFF80, 0x80, 0xFF, 0x7F01, 0xFFFF80FF, 0x80FF, 0x80FF7F01, 0x1234A501]
    rest = out[2 + 4 * len(rv32prog.DIV_CASES) + 11:]
    assert rest[0] == 42
    assert rest[2] == 4


@pytest.mark.parametrize("sim", ["icarus", "verilator"])
def test_rv32_cocotb(sim, require_tool, tmp_path):
    if sim == "verilator":
        simrun.setup_verilator()
        require_tool("verilator")
    else:
        require_tool("iverilog")
    imem, dwords = rv32prog.build()
    b = tmp_path / "build"
    b.mkdir()
    (b / "imem.hex").write_text(rv32prog.hexfile(imem))
    (b / "dmem.hex").write_text(rv32prog.hexfile(dwords))
    ntests, nfail = simrun.run(sim, "fvh_rv32_soc", SOC, "tb_rv32", b,
                               plusargs=[f"+imem={b / 'imem.hex'}", f"+dmem={b / 'dmem.hex'}"])
    assert (ntests, nfail) == (1, 0)


@pytest.mark.parametrize("top", ["fvh_rv32", "fvh_rv32_soc"])
def test_rv32_verilator_lint(top, require_tool):
    simrun.setup_verilator()
    exe = require_tool("verilator")
    r = subprocess.run([exe, "--lint-only", "-Wall", "--top-module", top, *map(str, SOC)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "%Warning" not in r.stderr, r.stderr
