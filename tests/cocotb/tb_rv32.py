"""cocotb testbench of rtl/rv32 (fvh_rv32_soc): runs the program of rv32prog.py
(loaded by the runner through +imem/+dmem) and compares every word the program
writes to tohost with the reference ISS."""

from __future__ import annotations

import os

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge

import rv32asm
import rv32prog


@cocotb.test()
async def program(dut):
    imem, dwords = rv32prog.build()
    exp, _, retired = rv32asm.simulate(imem, rv32prog.dmem_bytes(dwords))
    period = float(os.environ.get("FVH_PERIOD_NS", "10"))
    cocotb.start_soon(Clock(dut.clk, period, unit="ns").start())
    dut.rst_n.value = 0
    await FallingEdge(dut.clk)
    await FallingEdge(dut.clk)
    dut.rst_n.value = 1
    got: list[int] = []
    cycles = 0
    while not int(dut.halted.value):
        await FallingEdge(dut.clk)
        cycles += 1
        if int(dut.tohost_valid.value):
            got.append(int(dut.tohost_data.value))
        assert cycles < 50 * retired, "core hung"
    for _ in range(3):
        await FallingEdge(dut.clk)
        if int(dut.tohost_valid.value):
            got.append(int(dut.tohost_data.value))
    assert int(dut.trap.value) == 0
    for k, (g, e) in enumerate(zip(got, exp)):
        assert g == e, f"tohost word {k}: rtl {g:#010x} != iss {e:#010x}"
    assert len(got) == len(exp)
    dut._log.info(f"{retired} instructions in {cycles} cycles (CPI {cycles / retired:.3f})")
