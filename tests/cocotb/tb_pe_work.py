"""Workload testbench for the PE (RTL or gate-level netlist through glwrap): a
stream of ConvNet-like dot products (ReLU activations with zeros, small weights),
every accumulator checked against the golden model. Environment:
FVH_MODES (comma-separated full|mixed|half, run in turn; ignored by the baseline), FVH_NDOT, FVH_LEN, FVH_PERIOD_NS."""

from __future__ import annotations

import os
import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge

from finevh.accel import pe as gm


def workload(seed: int, ndot: int, length: int):
    rng = random.Random(seed)
    for _ in range(ndot):
        acts = [0 if rng.random() < 0.4 else min(127, int(rng.expovariate(1 / 30))) for _ in range(length)]
        wts = [max(-128, min(127, int(rng.gauss(0, 40)))) for _ in range(length)]
        yield acts, wts, rng.randint(-4000, 4000)


@cocotb.test()
async def stream(dut):
    modes = os.environ.get("FVH_MODES", "full").split(",")
    ndot = int(os.environ.get("FVH_NDOT", "20"))
    length = int(os.environ.get("FVH_LEN", "16"))
    period = float(os.environ.get("FVH_PERIOD_NS", "20"))
    base = hasattr(dut, "nib_lo")
    cocotb.start_soon(Clock(dut.clk, period, unit="ns").start())
    for s in ("clr", "ld", "ld_bias", "st", "acc_in", "in_i", "in_w", "in_b", "shamt", "w8", "o_lo"):
        getattr(dut, s).value = 0
    if base:
        dut.nib_lo.value = 0
        modes = ["half"]
    else:
        dut.half_lo.value = 0
    dut.rst_n.value = 0
    await FallingEdge(dut.clk)
    await FallingEdge(dut.clk)
    dut.rst_n.value = 1
    await FallingEdge(dut.clk)
    for mode in modes:
        if not base:
            dut.mode.value = gm.MODE_CODE[mode]
        await run_mode(dut, mode, base, ndot, length)


async def run_mode(dut, mode, base, ndot, length):
    n = 1 if base else gm.CYCLES_PER_MAC[mode]
    for acts, wts, bias in workload(5, ndot, length):
        dut.clr.value = 1
        await FallingEdge(dut.clk)
        dut.clr.value = 0
        for i, w in zip(acts, wts):
            dut.ld.value = 1
            dut.in_i.value = i & 0xFF
            dut.in_w.value = w & 0xFF
            await FallingEdge(dut.clk)
            dut.ld.value = 0
            for _ in range(n - 1):
                await FallingEdge(dut.clk)
        dut.ld_bias.value = 1
        dut.in_b.value = bias & 0xFFFF
        await FallingEdge(dut.clk)
        dut.ld_bias.value = 0
        await FallingEdge(dut.clk)
        await FallingEdge(dut.clk)
        exp = (gm.baseline_mac_dot(acts, wts, bias) if base else gm.mac_dot(acts, wts, bias, mode))
        assert dut.acc.value.to_signed() == exp, (mode, acts, wts, bias)
        dut.st.value = 1
        dut.shamt.value = 8
        dut.w8.value = 1
        await FallingEdge(dut.clk)
        dut.st.value = 0
        v, _ = gm.output_stage(exp, 8, 8)
        assert int(dut.o8.value) == v & 0xFF
