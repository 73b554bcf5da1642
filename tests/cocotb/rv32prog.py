"""The test program of fvh_rv32 (built with rv32asm) and its expected output.

Memory map of fvh_rv32_soc: code at 0x0, data at 0x10000, tohost at 0x20000.
The program writes its results to tohost; the testbench compares the stream with
the reference ISS (rv32asm.simulate), and the unit tests check hand-known values.
"""

from __future__ import annotations

import random

from rv32asm import IMM_OPS, OPS, Asm

DATA = 0x10000
TOHOST = 0x20000
DOT_I = [-128, 127, -1, 0, 55, -77, 3, 100, -9, 8]
DOT_W = [127, -128, -1, 9, -33, -77, 0, 64, 120, -8]
DOT_BIAS = -1234
DIV_CASES = [(-7, 2), (7, -2), (-7, -2), (123, 0), (-(1 << 31), -1), (0x7FFFFFFF, 1), (-1, 3), (0, 5)]


def build(seed: int = 11, n_random: int = 120) -> tuple[list[int], list[int]]:
    """(instruction words, data words) of the program."""
    a = Asm()
    a.li(10, TOHOST)
    a.li(11, DATA)
    # 1. sum of squares 1..10 with MUL: 385
    a.li(1, 0)
    a.li(2, 1)
    a.li(3, 11)
    a.label("sq")
    a.mul(4, 2, 2)
    a.add(1, 1, 4)
    a.addi(2, 2, 1)
    a.bne(2, 3, "sq")
    a.sw(1, 0, 10)
    # 2. int8 dot product from data memory (LB) plus a 16-bit bias (LH): the PE's full mode
    a.li(8, 0)
    a.addi(12, 11, 0)                  # &I
    a.addi(13, 11, 16)                 # &W
    a.addi(14, 11, len(DOT_I))         # end of I
    a.label("dot")
    a.lb(5, 0, 12)
    a.lb(6, 0, 13)
    a.mul(7, 5, 6)
    a.add(8, 8, 7)                     # forwarding from MUL through WB
    a.addi(12, 12, 1)
    a.addi(13, 13, 1)
    a.bne(12, 14, "dot")
    a.lh(9, 32, 11)
    a.add(8, 8, 9)
    a.sw(8, 0, 10)
    # 3. division corner cases: DIV, DIVU, REM, REMU of each pair
    for x, y in DIV_CASES:
        a.li(5, x)
        a.li(6, y)
        for op in ("div", "divu", "rem", "remu"):
            getattr(a, op)(7, 5, 6)
            a.sw(7, 0, 10)
    # 4. loads of every width and sign from a stored word, sub-word stores
    a.li(5, 0x80FF7F01)
    a.sw(5, 64, 11)
    for op, off in (("lb", 0), ("lb", 1), ("lb", 2), ("lb", 3), ("lbu", 3), ("lbu", 2),
                    ("lh", 0), ("lh", 2), ("lhu", 2), ("lw", 0)):
        getattr(a, op)(6, 64 + off, 11)
        a.sw(6, 0, 10)                 # load-use: the store needs the load's data at once
    a.li(5, 0xA5)
    a.sb(5, 65, 11)
    a.li(5, 0x1234)
    a.sh(5, 66, 11)
    a.lw(6, 64, 11)
    a.sw(6, 0, 10)                     # 0x1234A501
    # 5. call and return (JAL/JALR), AUIPC
    a.li(5, 21)
    a.jal(1, "double")
    a.sw(5, 0, 10)                     # 42
    a.auipc(6, 1)
    a.sw(6, 0, 10)                     # pc + 0x1000
    # 6. branches of every kind (count the taken ones)
    a.li(20, 0)
    a.li(5, -3)
    a.li(6, 5)
    for k, (op, r1, r2) in enumerate([("beq", 5, 5), ("bne", 5, 6), ("blt", 5, 6), ("bge", 6, 5),
                                      ("bltu", 6, 5), ("bgeu", 5, 6), ("beq", 5, 6), ("blt", 6, 5),
                                      ("bltu", 5, 6), ("bge", 5, 6)]):
        getattr(a, op)(r1, r2, f"t{k}")
        a.addi(20, 20, 1)
        a.label(f"t{k}")
    a.sw(20, 0, 10)                    # not-taken count: 4
    # 7. random ALU / M-extension operations on random operands
    rng = random.Random(seed)
    specials = [0, 1, 0xFFFFFFFF, 0x80000000, 0x7FFFFFFF, 0xFFFF8000]
    for _ in range(n_random):
        v1 = rng.choice(specials) if rng.random() < 0.3 else rng.getrandbits(32)
        v2 = rng.choice(specials) if rng.random() < 0.3 else rng.getrandbits(32)
        a.li(15, v1)
        a.li(16, v2)
        if rng.random() < 0.7:
            getattr(a, rng.choice(OPS))(17, 15, 16)
        else:
            op = rng.choice(IMM_OPS)
            if op in ("slli", "srli", "srai"):
                getattr(a, op)(17, 15, rng.randint(0, 31))
            else:
                getattr(a, op)(17, 15, rng.randint(-2048, 2047))
        a.add(18, 17, 17)              # EX uses the result WB is writing
        a.sw(17, 0, 10)
        a.sw(18, 0, 10)
    a.ebreak()
    a.label("double")
    a.add(5, 5, 5)
    a.jalr(0, 1, 0)

    data = bytearray(256)
    for k, v in enumerate(DOT_I):
        data[k] = v & 0xFF
    for k, v in enumerate(DOT_W):
        data[16 + k] = v & 0xFF
    data[32:34] = (DOT_BIAS & 0xFFFF).to_bytes(2, "little")
    dwords = [int.from_bytes(data[k:k + 4], "little") for k in range(0, len(data), 4)]
    return a.words(), dwords


def dmem_bytes(dwords: list[int]) -> dict[int, int]:
    return {DATA + 4 * k + j: (w >> (8 * j)) & 0xFF for k, w in enumerate(dwords) for j in range(4)}


def hexfile(words: list[int]) -> str:
    return "".join(f"{w:08x}\n" for w in words)
