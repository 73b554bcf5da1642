"""A tiny RV32IM assembler (Python calls, two passes for labels) and a reference
instruction-set simulator, for the fvh_rv32 testbench. Written from the RISC-V
unprivileged specification (RV32I base + M extension)."""

from __future__ import annotations

MASK = 0xFFFFFFFF


def _s32(v: int) -> int:
    v &= MASK
    return v - (1 << 32) if v & 0x80000000 else v


def _chk(v: int, bits: int, what: str, signed: bool = True) -> int:
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    if not lo <= v <= hi:
        raise ValueError(f"{what} {v} out of range")
    return v & ((1 << bits) - 1)


class Asm:
    """Append instructions with methods named as the mnemonics; ``words()`` resolves labels."""

    def __init__(self, base: int = 0):
        self.base = base
        self.items: list = []
        self.labels: dict[str, int] = {}

    def pc(self) -> int:
        return self.base + 4 * len(self.items)

    def label(self, name: str) -> None:
        self.labels[name] = self.pc()

    def words(self) -> list[int]:
        return [it(self.base + 4 * k) if callable(it) else it for k, it in enumerate(self.items)]

    def hex(self) -> str:
        return "".join(f"{w:08x}\n" for w in self.words())

    # -------------------------------------------------------------- formats
    def _r(self, f7, rs2, rs1, f3, rd, opc):
        self.items.append((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc)

    def _i(self, imm, rs1, f3, rd, opc):
        self.items.append((_chk(imm, 12, "imm") << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc)

    def _s(self, imm, rs2, rs1, f3):
        i = _chk(imm, 12, "imm")
        self.items.append(((i >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((i & 31) << 7) | 0x23)

    def _b(self, label, rs1, rs2, f3):
        def enc(pc):
            off = _chk(self.labels[label] - pc, 13, "branch offset")
            return (((off >> 12) & 1) << 31) | (((off >> 5) & 63) << 25) | (rs2 << 20) | (rs1 << 15) \
                | (f3 << 12) | (((off >> 1) & 15) << 8) | (((off >> 11) & 1) << 7) | 0x63
        self.items.append(enc)

    # ----------------------------------------------------------------- RV32I
    def lui(self, rd, imm20):
        self.items.append((_chk(imm20, 20, "imm20", False) << 12) | (rd << 7) | 0x37)

    def auipc(self, rd, imm20):
        self.items.append((_chk(imm20, 20, "imm20", False) << 12) | (rd << 7) | 0x17)

    def jal(self, rd, label):
        def enc(pc):
            off = _chk(self.labels[label] - pc, 21, "jump offset")
            return (((off >> 20) & 1) << 31) | (((off >> 1) & 0x3FF) << 21) | (((off >> 11) & 1) << 20) \
                | (((off >> 12) & 0xFF) << 12) | (rd << 7) | 0x6F
        self.items.append(enc)

    def jalr(self, rd, rs1, imm=0):
        self._i(imm, rs1, 0, rd, 0x67)

    def ecall(self):
        self.items.append(0x00000073)

    def ebreak(self):
        self.items.append(0x00100073)

    def fence(self):
        self.items.append(0x0FF0000F)

    def li(self, rd, value):
        v = _s32(value)
        hi = ((v + 0x800) >> 12) & 0xFFFFF
        lo = ((v & 0xFFF) ^ 0x800) - 0x800
        self.lui(rd, hi)
        self.addi(rd, rd, lo)

    def j(self, label):
        self.jal(0, label)

    def nop(self):
        self.addi(0, 0, 0)


_BR = {"beq": 0, "bne": 1, "blt": 4, "bge": 5, "bltu": 6, "bgeu": 7}
_LD = {"lb": 0, "lh": 1, "lw": 2, "lbu": 4, "lhu": 5}
_ST = {"sb": 0, "sh": 1, "sw": 2}
_IMM = {"addi": 0, "slti": 2, "sltiu": 3, "xori": 4, "ori": 6, "andi": 7}
_SH = {"slli": (1, 0), "srli": (5, 0), "srai": (5, 0x20)}
_OP = {"add": (0, 0), "sub": (0, 0x20), "sll": (1, 0), "slt": (2, 0), "sltu": (3, 0), "xor": (4, 0),
       "srl": (5, 0), "sra": (5, 0x20), "or": (6, 0), "and": (7, 0),
       "mul": (0, 1), "mulh": (1, 1), "mulhsu": (2, 1), "mulhu": (3, 1),
       "div": (4, 1), "divu": (5, 1), "rem": (6, 1), "remu": (7, 1)}

for _n, _f3 in _BR.items():
    setattr(Asm, _n, lambda self, rs1, rs2, label, _f3=_f3: self._b(label, rs1, rs2, _f3))
for _n, _f3 in _LD.items():
    setattr(Asm, _n, lambda self, rd, imm, rs1, _f3=_f3: self._i(imm, rs1, _f3, rd, 0x03))
for _n, _f3 in _ST.items():
    setattr(Asm, _n, lambda self, rs2, imm, rs1, _f3=_f3: self._s(imm, rs2, rs1, _f3))
for _n, _f3 in _IMM.items():
    setattr(Asm, _n, lambda self, rd, rs1, imm, _f3=_f3: self._i(imm, rs1, _f3, rd, 0x13))
for _n, (_f3, _f7) in _SH.items():
    setattr(Asm, _n, lambda self, rd, rs1, sh, _f3=_f3, _f7=_f7: self._r(_f7, _chk(sh, 5, "shamt", False), rs1, _f3, rd, 0x13))
for _n, (_f3, _f7) in _OP.items():
    setattr(Asm, _n, lambda self, rd, rs1, rs2, _f3=_f3, _f7=_f7: self._r(_f7, rs2, rs1, _f3, rd, 0x33))

OPS = tuple(_OP)
IMM_OPS = tuple(_IMM) + tuple(_SH)


# ----------------------------------------------------------------------- ISS
def alu(name: str, a: int, b: int) -> int:
    """Result of register-register op ``name`` on 32-bit patterns a, b (unsigned ints)."""
    sa, sb = _s32(a), _s32(b)
    sh = b & 31
    if name in ("add", "addi"):
        r = a + b
    elif name == "sub":
        r = a - b
    elif name in ("sll", "slli"):
        r = a << sh
    elif name in ("slt", "slti"):
        r = int(sa < sb)
    elif name in ("sltu", "sltiu"):
        r = int(a < b)
    elif name in ("xor", "xori"):
        r = a ^ b
    elif name in ("srl", "srli"):
        r = a >> sh
    elif name in ("sra", "srai"):
        r = sa >> sh
    elif name in ("or", "ori"):
        r = a | b
    elif name in ("and", "andi"):
        r = a & b
    elif name == "mul":
        r = sa * sb
    elif name == "mulh":
        r = (sa * sb) >> 32
    elif name == "mulhsu":
        r = (sa * b) >> 32
    elif name == "mulhu":
        r = (a * b) >> 32
    elif name in ("div", "rem"):
        if sb == 0:
            q, m = -1, sa
        elif sa == -(1 << 31) and sb == -1:
            q, m = sa, 0
        else:
            q = abs(sa) // abs(sb) * (1 if (sa < 0) == (sb < 0) else -1)
            m = sa - q * sb
        r = q if name == "div" else m
    elif name in ("divu", "remu"):
        if b == 0:
            q, m = MASK, a
        else:
            q, m = a // b, a % b
        r = q if name == "divu" else m
    else:
        raise ValueError(name)
    return r & MASK


def simulate(imem: list[int], dmem: dict[int, int], tohost: int = 0x20000, max_steps: int = 200000):
    """Run the program; returns (tohost values, registers, instructions retired).

    ``dmem`` maps byte addresses to byte values (modified in place)."""
    x = [0] * 32
    pc = 0
    out: list[int] = []
    for n in range(max_steps):
        ins = imem[pc // 4]
        opc, rd, f3 = ins & 0x7F, (ins >> 7) & 31, (ins >> 12) & 7
        rs1, rs2, f7 = (ins >> 15) & 31, (ins >> 20) & 31, ins >> 25
        a, b = x[rs1], x[rs2]
        ii = _s32(ins) >> 20
        si = (_s32(ins) >> 25 << 5) | ((ins >> 7) & 31)
        bi = ((_s32(ins) >> 31) << 12) | (((ins >> 7) & 1) << 11) | (((ins >> 25) & 63) << 5) | (((ins >> 8) & 15) << 1)
        ji = ((_s32(ins) >> 31) << 20) | (((ins >> 12) & 0xFF) << 12) | (((ins >> 20) & 1) << 11) | (((ins >> 21) & 0x3FF) << 1)
        npc = pc + 4
        res = None
        if opc == 0x37:
            res = ins & 0xFFFFF000
        elif opc == 0x17:
            res = pc + (ins & 0xFFFFF000)
        elif opc == 0x6F:
            res, npc = pc + 4, (pc + ji) & MASK
        elif opc == 0x67:
            res, npc = pc + 4, (a + ii) & MASK & ~1
        elif opc == 0x63:
            sa, sb = _s32(a), _s32(b)
            take = {0: a == b, 1: a != b, 4: sa < sb, 5: sa >= sb, 6: a < b, 7: a >= b}[f3]
            if take:
                npc = (pc + bi) & MASK
        elif opc == 0x03:
            addr = (a + ii) & MASK
            size = 1 << (f3 & 3)
            v = sum(dmem.get(addr + k, 0) << (8 * k) for k in range(size))
            if not f3 & 4 and v >> (8 * size - 1):
                v -= 1 << (8 * size)
            res = v
        elif opc == 0x23:
            addr = (a + si) & MASK
            size = 1 << (f3 & 3)
            if addr == tohost:
                out.append(b)
            else:
                for k in range(size):
                    dmem[addr + k] = (b >> (8 * k)) & 0xFF
        elif opc == 0x13:
            name = {0: "addi", 2: "slti", 3: "sltiu", 4: "xori", 6: "ori", 7: "andi", 1: "slli",
                    5: "srai" if f7 & 0x20 else "srli"}[f3]
            res = alu(name, a, ii & MASK)
        elif opc == 0x33:
            name = [k for k, (g3, g7) in _OP.items() if g3 == f3 and g7 == f7][0]
            res = alu(name, a, b)
        elif opc == 0x0F:
            pass
        elif opc == 0x73:
            return out, x, n + 1
        else:
            raise ValueError(f"illegal instruction {ins:08x} at {pc:#x}")
        if res is not None and rd:
            x[rd] = res & MASK
        pc = npc
    raise RuntimeError("program did not halt")
