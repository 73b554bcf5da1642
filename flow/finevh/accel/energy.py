"""Energy model: per-access and per-MAC energies -> per-layer energy LUT at each
precision -> energy per inference, thesis Eq. 3.5: ``E(theta) = sum_i E_i(theta_i)``.

Default technology table (:data:`DEFAULT_TECH`): these are DEFAULTS, not
measurements of the thesis' accelerator (which used CACTI / CACTI-P for the
memories and the DVAFS figures of Moons et al., DATE 2017, for the PE and RISC
core, none of which are published per access). finevh takes published 45 nm
figures and uses them unscaled for the 40 nm node of thesis Table 3.4:

- M. Horowitz, "Computing's energy problem (and what we can do about it)",
  ISSCC 2014, Fig. 1.1.9 (45 nm, 0.9 V): 8-bit integer multiply 0.2 pJ, 32-bit
  integer multiply 3.1 pJ, 32-bit add 0.1 pJ, 8-bit add 0.03 pJ; SRAM read of a
  64-bit word from a 32 KB array 20 pJ, from a 1 MB array 100 pJ; DRAM access of a
  64-bit word 1.3-2.6 nJ.
- 16-bit multiply: quadratic in the width between the 8- and 32-bit figures
  (0.2 * 4 = 0.8 pJ); a MAC adds a 32-bit accumulate (0.1 pJ): 16-bit MAC 0.9 pJ,
  8-bit MAC 0.3 pJ.
- 128 KB SRAM: log-log interpolation between 32 KB (20 pJ) and 1 MB (100 pJ) per
  64 bits gives 38.0 pJ per 64 bits, 9.5 pJ per 16-bit word read; writes taken
  equal to reads.
- DRAM: the low end of Horowitz's range, 1.3 nJ per 64 bits = 325 pJ per
  16-bit word (about 20 pJ/bit, the usual LPDDR figure).
- Array overhead (clock tree, pipeline registers of an idle/busy PE): 0.05 pJ per
  PE per cycle; static power of the whole accelerator: 0 by default.

All energies in pJ (finevh.units). Voltage scaling: PE and SRAM dynamic energies
scale with (Vdd / vdd_nom)^2; DRAM does not (its own supply).

The PE's energy per MAC can instead come from the flow (the PE netlist's power
at an operating point): :func:`mac_energy_from_power` turns P (uW) at f (MHz)
into pJ per MAC, and :meth:`TechTable.with_pe_power` installs it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Mapping, Sequence

from ..errors import InputError
from .model import ArrayConfig, Layer, LayerStats, layer_stats


@dataclass(frozen=True)
class TechTable:
    """Per-event energies (pJ) at the nominal supply ``vdd_nom`` (V)."""

    node_nm: int = 40
    vdd_nom: float = 0.9
    e_mac16: float = 0.9           # one 16-bit MAC (multiply + 32-bit accumulate)
    e_mac8: float = 0.3            # one 8-bit MAC
    e_mac4x4: float = 0.075        # one 4x4 MAC operation of the scalable PE (e_mac8 / 4)
    e_sram_read: float = 9.5       # one 16-bit word from a 128 KB SRAM
    e_sram_write: float = 9.5
    e_dram_read: float = 325.0     # one 16-bit word
    e_dram_write: float = 325.0
    e_pe_cycle: float = 0.05       # overhead per PE per cycle (clock, registers)
    p_static_uw: float = 0.0       # static power of the accelerator (uW)
    source: str = "Horowitz ISSCC 2014 (45 nm) used as 40 nm defaults; see finevh.accel.energy"

    def e_mac(self, precision: str) -> float:
        """Energy of one MAC at ``precision`` ("16", "8", "full", "mixed", "half")."""
        if precision == "16":
            return self.e_mac16
        if precision == "8":
            return self.e_mac8
        from .model import MODE_MAC_COST

        if precision in MODE_MAC_COST:
            return self.e_mac4x4 * MODE_MAC_COST[precision]
        raise InputError(f"precision {precision!r} unknown")

    def with_pe_power(self, power_uw: float, f_mhz: float, macs_per_cycle: float = 1.0,
                      precision: str = "16") -> "TechTable":
        """Table whose MAC energy at ``precision`` comes from a PE power figure."""
        e = mac_energy_from_power(power_uw, f_mhz, macs_per_cycle)
        field = {"16": "e_mac16", "8": "e_mac8"}.get(precision)
        if field is None:
            from .model import MODE_MAC_COST

            if precision not in MODE_MAC_COST:
                raise InputError(f"precision {precision!r} unknown")
            return replace(self, e_mac4x4=e / MODE_MAC_COST[precision])
        return replace(self, **{field: e})


DEFAULT_TECH = TechTable()


def mac_energy_from_power(power_uw: float, f_mhz: float, macs_per_cycle: float = 1.0) -> float:
    """pJ per MAC of a PE that draws ``power_uw`` (uW) at ``f_mhz`` (MHz) and
    completes ``macs_per_cycle`` MACs per cycle: uW / MHz = pJ per cycle."""
    if f_mhz <= 0 or macs_per_cycle <= 0 or power_uw < 0:
        raise InputError("mac_energy_from_power needs power >= 0, f > 0, macs_per_cycle > 0")
    return power_uw / f_mhz / macs_per_cycle


@dataclass(frozen=True)
class LayerEnergy:
    """Energy breakdown of one layer (pJ)."""

    name: str
    precision: str
    mac: float
    sram: float
    dram: float
    array: float
    static: float

    @property
    def total(self) -> float:
        return self.mac + self.sram + self.dram + self.array + self.static

    def as_dict(self) -> dict:
        return {"name": self.name, "precision": self.precision, "mac_pj": self.mac,
                "sram_pj": self.sram, "dram_pj": self.dram, "array_pj": self.array,
                "static_pj": self.static, "total_pj": self.total}


def layer_energy(st: LayerStats, arr: ArrayConfig, tech: TechTable = DEFAULT_TECH,
                 vdd: float | None = None, f_mhz: float = 500.0) -> LayerEnergy:
    """Energy of one layer from its stats. ``vdd`` (V) scales PE and SRAM energies by
    (vdd/vdd_nom)^2; ``f_mhz`` only matters for static power."""
    k = 1.0 if vdd is None else (vdd / tech.vdd_nom) ** 2
    mac = st.macs * tech.e_mac(st.precision) * k
    sram = (st.sram_reads * tech.e_sram_read + st.sram_writes * tech.e_sram_write) * k
    dram = st.dram_reads * tech.e_dram_read + st.dram_writes * tech.e_dram_write
    array = st.cycles * arr.rows * arr.cols * tech.e_pe_cycle * k
    static = tech.p_static_uw * st.cycles / f_mhz  # uW * us = pJ
    return LayerEnergy(st.name, st.precision, mac, sram, dram, array, static)


def energy_lut(layers: Sequence[Layer], arr: ArrayConfig = ArrayConfig(),
               tech: TechTable = DEFAULT_TECH, precisions: Sequence[int | str] = (16, 8),
               vdd: Mapping[str, float] | None = None) -> dict[str, list[float]]:
    """Per-layer energy LUT (pJ): ``{precision: [E_0, ..., E_{L-1}]}``.

    ``vdd`` optionally maps a precision to its supply (V) (DVFS at that precision)."""
    out: dict[str, list[float]] = {}
    for p in precisions:
        key = str(p)
        v = None if vdd is None else vdd.get(key)
        out[key] = [layer_energy(layer_stats(L, arr, p), arr, tech, v).total for L in layers]
    return out


def total_energy(lut: Mapping[str, Sequence[float]], setting: Sequence[int | str]) -> float:
    """Eq. 3.5: sum over layers of the LUT entry at each layer's precision (pJ)."""
    n = len(next(iter(lut.values())))
    if len(setting) != n:
        raise InputError(f"{len(setting)} precisions for {n} layers")
    return float(sum(lut[str(p)][i] for i, p in enumerate(setting)))


# --- voltage-frequency model for plain DVFS -------------------------------------------

@dataclass(frozen=True)
class VFModel:
    """Alpha-power-law delay model (Sakurai & Newton, IEEE JSSC 1990):
    f(V) = f_nom * [(V - Vth)^a / V] / [(Vnom - Vth)^a / Vnom].

    Defaults are generic 40 nm figures (DEFAULTS, not fitted to a library):
    Vnom 0.9 V at 500 MHz, Vth 0.35 V, alpha 1.3, Vdd range 0.6-0.9 V."""

    f_nom_mhz: float = 500.0
    vdd_nom: float = 0.9
    vth: float = 0.35
    alpha: float = 1.3
    vdd_min: float = 0.6

    def f_max(self, vdd: float) -> float:
        g = lambda v: (v - self.vth) ** self.alpha / v  # noqa: E731
        return self.f_nom_mhz * g(vdd) / g(self.vdd_nom)

    def vdd_for(self, f_mhz: float) -> float:
        """Lowest Vdd (V, 1 mV resolution) whose f_max >= f_mhz, clipped to vdd_min."""
        if f_mhz > self.f_nom_mhz * (1 + 1e-9):
            raise InputError(f"{f_mhz} MHz above the nominal {self.f_nom_mhz} MHz")
        lo, hi = self.vth + 1e-3, self.vdd_nom
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            if self.f_max(mid) >= f_mhz:
                hi = mid
            else:
                lo = mid
        return max(self.vdd_min, math.ceil(hi * 1000) / 1000)


def read_power_table(path) -> list[tuple[float, float]]:
    """A PE power-vs-frequency table: CSV with columns ``f_mhz,power_uw`` (header
    line) or JSON ``[{"f_mhz": .., "power_uw": ..}, ...]``. Sorted by f.
    This is the format the FINE-VH emulation will write."""
    import csv
    import io
    import json

    from ..fileio import read_text

    text = read_text(path)
    rows: list[tuple[float, float]] = []
    if str(path).endswith(".json"):
        try:
            data = json.loads(text)
            rows = [(float(d["f_mhz"]), float(d["power_uw"])) for d in data]
        except (ValueError, KeyError, TypeError) as e:
            raise InputError(f"bad power table: {e}", path) from None
    else:
        rd = csv.reader(io.StringIO(text))
        header = None
        for ln, r in enumerate(rd, start=1):
            if not r or r[0].strip().startswith("#"):
                continue
            if header is None:
                header = [c.strip() for c in r]
                if header[:2] != ["f_mhz", "power_uw"]:
                    raise InputError("header must be f_mhz,power_uw", path, ln)
                continue
            try:
                rows.append((float(r[0]), float(r[1])))
            except (ValueError, IndexError):
                raise InputError(f"bad row {','.join(r)!r}", path, ln) from None
    if not rows:
        raise InputError("empty power table", path)
    for f, p in rows:
        if f <= 0 or p < 0:
            raise InputError(f"f_mhz must be > 0 and power_uw >= 0 (got {f}, {p})", path)
    return sorted(rows)


def interp_power(table: Sequence[tuple[float, float]], f_mhz: float) -> float:
    """Power (uW) at ``f_mhz`` by linear interpolation (the next faster point's power
    when f is below the table, an error above it)."""
    fs = [f for f, _ in table]
    if f_mhz > fs[-1] * (1 + 1e-9):
        raise InputError(f"{f_mhz} MHz above the power table's highest frequency {fs[-1]}")
    if f_mhz <= fs[0]:
        return table[0][1]
    for (f0, p0), (f1, p1) in zip(table, table[1:]):
        if f0 <= f_mhz <= f1:
            return p0 + (p1 - p0) * (f_mhz - f0) / (f1 - f0)
    return table[-1][1]
