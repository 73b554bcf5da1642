"""Device model of the demo28 technology (see docs/tech.md for the derivation).

All quantities are per micrometre of transistor width unless stated; voltages in V,
currents in A (converted to the Liberty units only by the writer), capacitances in F,
lengths in nm. The model is evaluated at ONE process/temperature corner: slow-slow,
125 C (the thesis' worst corner, §4.1.4).

Two device laws are used:

* On-current, Sakurai–Newton alpha-power law::

      I_D0(Vdd) = K * (L0/L)**GAMMA_L * (Vdd - Vt_a(Vdd))**ALPHA
      Vt_a(Vdd) = VTH0 + dVth(PB) - eta(PB)*Vdd + VT_A_OFFSET

  ``Vt_a`` is the alpha-power law's own fitted threshold (Sakurai and Newton fit it to
  the I-V curves; it sits above the subthreshold threshold) lowered by DIBL.

* Off/weak-inversion current, EKV-style interpolation (exponential in weak
  inversion, smooth towards moderate inversion)::

      I_sub(Vgs, Vds) = I_S * F(Vgs - VTH0 - dVth(PB) + eta(PB)*Vds) * (1 - exp(-Vds/vT))
      F(x) = ln(1 + exp(x / (2 n vT)))**2

  calibrated (N_SUB, VTH0, ETA0) so that a PB0 inverter at 1.00 V whose input is
  driven from 0.90 V / 0.80 V leaks 5.2x / 22.1x its nominal leakage (thesis §4.1.1).

Poly-bias flavours lengthen the gate by PB nm: the drive falls as (L0/L)**GAMMA_L, the
gate capacitance grows with L, DIBL decays as exp(-PB/LAMBDA_ETA), and a threshold
shift dVth(PB) is solved so that the mean delay of an X1 inverter over the NLDM grid
at 1.00 V is slower than PB0 by the thesis' average slow-down of that flavour
(Fig. 4.7, read as percent).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

# ---- corner --------------------------------------------------------------------------
PROCESS = "ss"
TEMPERATURE_C = 125.0
K_B_OVER_Q = 8.617333262e-5          # V/K
VT_THERMAL = K_B_OVER_Q * (TEMPERATURE_C + 273.15)   # kT/q at 125 C, V

# ---- geometry ------------------------------------------------------------------------
L0_NM = 30.0                          # drawn gate length of PB0, nm
GAMMA_L = 0.05                        # drive ~ (L0/L)^GAMMA_L (velocity-saturated channel)
CG_PER_UM = 1.0e-15                   # gate capacitance at L0, F/um of width
CG_L_SHARE = 0.1                      # share of gate cap that scales with L (rest: fringe)
CD_PER_UM = 0.6e-15                   # drain diffusion capacitance, F/um

# ---- on-current (alpha-power law) ----------------------------------------------------
ALPHA = 1.6
VT_A_OFFSET = 0.07                    # V, alpha-power threshold above the subthreshold one
P_OVER_N = 0.70                       # pMOS on-current per um relative to nMOS

# ---- subthreshold (EKV) -- calibrated to the thesis' 5.2x / 22.1x -------------------------
N_SUB = 1.571                         # subthreshold slope factor (SS = n vT ln10 = 124 mV/dec at 125 C)
VTH0 = 0.300                          # V, subthreshold threshold of PB0 at Vds = 0
ETA0 = 0.1073                         # V/V, DIBL coefficient of PB0
LAMBDA_ETA = 150.0                    # nm, decay length of DIBL with the poly bias
I_OFF_TARGET = 50e-9                  # A/um: nMOS/pMOS off current at Vgs=0, Vds=1.0 V, PB0
I_ON_TARGET = 300e-6                  # A/um: nMOS saturation current at 1.0 V, PB0
K_N = I_ON_TARGET / (1.0 - (VTH0 - ETA0 * 1.0 + VT_A_OFFSET)) ** ALPHA


def _ekv(x: np.ndarray | float) -> np.ndarray | float:
    """EKV interpolation function F(x) = ln(1 + exp(x/(2 n vT)))^2 (x in V)."""
    return np.log1p(np.exp(np.asarray(x) / (2.0 * N_SUB * VT_THERMAL))) ** 2


I_S = I_OFF_TARGET / float(_ekv(-(VTH0 - ETA0 * 1.0)) * (1.0 - math.exp(-1.0 / VT_THERMAL)))

# Thesis Fig. 4.7: average slow-down of each poly-bias flavour, in percent of PB0 delay.
SLOWDOWN_PERCENT = {0: 0.0, 4: 2.82, 10: 8.72, 16: 19.88}
FLAVOURS = ("PB0", "PB4", "PB10", "PB16")


@dataclass(frozen=True)
class Flavour:
    """Device parameters of one poly-bias flavour (shared by nMOS and pMOS)."""

    name: str            # PB0, PB4, PB10, PB16
    pb_nm: float         # added gate length, nm
    dvth: float          # threshold shift over PB0, V
    eta: float           # DIBL coefficient, V/V

    @property
    def length_nm(self) -> float:
        return L0_NM + self.pb_nm

    @property
    def drive_factor(self) -> float:
        return (L0_NM / self.length_nm) ** GAMMA_L

    @property
    def cg_per_um(self) -> float:
        """Gate capacitance per um of width, F."""
        return CG_PER_UM * ((1.0 - CG_L_SHARE) + CG_L_SHARE * self.length_nm / L0_NM)


def vt_alpha(fl: Flavour, vdd: float) -> float:
    """Alpha-power-law threshold at supply ``vdd`` (V)."""
    return VTH0 + fl.dvth - fl.eta * vdd + VT_A_OFFSET


def i_d0(fl: Flavour, vdd: float, pmos: bool) -> float:
    """Saturation current per um at Vgs = Vds = vdd, A/um (alpha-power law)."""
    ov = max(vdd - vt_alpha(fl, vdd), 1e-3)
    return K_N * (P_OVER_N if pmos else 1.0) * fl.drive_factor * ov ** ALPHA


def i_sub(fl: Flavour, vgs, vds) -> np.ndarray:
    """Weak-inversion current per um, A/um, for gate-source ``vgs`` and drain-source
    ``vds`` (both magnitudes for pMOS; V). Vectorised."""
    vgs = np.asarray(vgs, dtype=float)
    vds = np.asarray(vds, dtype=float)
    x = vgs - (VTH0 + fl.dvth) + fl.eta * vds
    return I_S * fl.drive_factor * _ekv(x) * (1.0 - np.exp(-vds / VT_THERMAL))


def i_sub_scalar(fl: Flavour, vgs: float, vds: float) -> float:
    """Scalar version of :func:`i_sub` (same law, plain floats, for the solvers)."""
    x = (vgs - (VTH0 + fl.dvth) + fl.eta * vds) / (2.0 * N_SUB * VT_THERMAL)
    f = math.log1p(math.exp(x)) if x < 30.0 else x
    return I_S * _drive(fl) * f * f * (1.0 - math.exp(-vds / VT_THERMAL))


@functools.lru_cache(maxsize=None)
def _drive(fl: Flavour) -> float:
    return fl.drive_factor


@functools.lru_cache(maxsize=None)
def i_off(fl: Flavour, vdd: float) -> float:
    """OFF current per um (Vgs = 0, Vds = vdd), A/um."""
    return i_sub_scalar(fl, 0.0, vdd)


def gate_overdrive_factor(fl: Flavour, vdd: float, dv) -> np.ndarray:
    """Leakage multiplier of an OFF transistor whose gate is ``dv`` volts towards ON
    (positive: a pMOS whose gate sits at Vdd - dv), with the full ``vdd`` across it."""
    return i_sub(fl, dv, vdd) / i_sub(fl, 0.0, vdd)


@functools.lru_cache(maxsize=None)
def stack_factor(fl: Flavour, vdd: float, m: int) -> float:
    """Leakage of ``m`` identical OFF devices in series divided by that of one device,
    both with ``vdd`` across them (stacking effect). Solved from the device law:
    equal current through every device, node voltages found by nested bisection."""
    if m <= 1:
        return 1.0
    isub = i_sub_scalar
    i1 = isub(fl, 0.0, vdd)
    lo, hi = math.log(i1 * 1e-6), math.log(i1)
    for _ in range(44):
        mid = 0.5 * (lo + hi)
        cur = math.exp(mid)
        vs = 0.0
        ok = True
        for _j in range(m - 1):  # bottom devices: find the drain voltage carrying `cur`
            a, b = vs, vdd
            if isub(fl, -vs, b - vs) < cur:
                ok = False
                break
            for _k in range(44):
                c = 0.5 * (a + b)
                if isub(fl, -vs, c - vs) < cur:
                    a = c
                else:
                    b = c
            vs = 0.5 * (a + b)
        # top device: source at vs, drain at vdd; can it carry `cur`?
        if ok and isub(fl, -vs, vdd - vs) >= cur:
            lo = mid
        else:
            hi = mid
    return math.exp(lo) / i1


def fo4_delay(fl: Flavour, vdd: float, wn: float = 0.3, wp: float = 0.4) -> float:
    """Average (rise/fall) FO4 inverter delay with a step input, s. Used to calibrate
    the flavours and to quote fmax ratios."""
    cin = fl.cg_per_um * (wn + wp)
    cl = 4.0 * cin + CD_PER_UM * 0.5 * (wn + wp)
    tf = cl * vdd / (2.0 * i_d0(fl, vdd, False) * wn)
    tr = cl * vdd / (2.0 * i_d0(fl, vdd, True) * wp)
    return 0.5 * (tf + tr)


# NLDM axes at 1.00 V (input slew, s; load per unit drive, F); the Liberty writer uses
# the same axes, and the flavours are calibrated on the mean delay over this grid.
GRID_SLEWS_1V = (0.004e-9, 0.01e-9, 0.025e-9, 0.05e-9, 0.1e-9, 0.2e-9, 0.4e-9)
GRID_LOADS_X1 = (0.5e-15, 1e-15, 2e-15, 4e-15, 8e-15, 16e-15, 32e-15)


def grid_delay(fl: Flavour, vdd: float, wn: float = 0.3, wp: float = 0.4) -> float:
    """Mean X1-inverter delay (rise and fall, Sakurai-Newton) over the NLDM grid, s."""
    t = np.array(GRID_SLEWS_1V)[:, None]
    cl = np.array(GRID_LOADS_X1)[None, :] + CD_PER_UM * 0.5 * (wn + wp)
    v = vt_alpha(fl, vdd) / vdd
    slope = (0.5 - (1.0 - v) / (1.0 + ALPHA)) * t
    tf = slope + cl * vdd / (2.0 * i_d0(fl, vdd, False) * wn)
    tr = slope + cl * vdd / (2.0 * i_d0(fl, vdd, True) * wp)
    return float(np.mean(0.5 * (tf + tr)))


def _flavour_with(pb: float, dvth: float, name: str) -> Flavour:
    return Flavour(name=name, pb_nm=pb, dvth=dvth, eta=ETA0 * math.exp(-pb / LAMBDA_ETA))


@functools.lru_cache(maxsize=None)
def flavour(name: str) -> Flavour:
    """The calibrated flavour ``name`` (PB0/PB4/PB10/PB16)."""
    if name not in FLAVOURS:
        raise KeyError(name)
    pb = float(name[2:])
    if pb == 0:
        return _flavour_with(0.0, 0.0, name)
    target = grid_delay(_flavour_with(0.0, 0.0, "PB0"), 1.0) * (1.0 + SLOWDOWN_PERCENT[int(pb)] / 100.0)
    lo, hi = -0.2, 0.3
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if grid_delay(_flavour_with(pb, mid, name), 1.0) < target:
            lo = mid
        else:
            hi = mid
    return _flavour_with(pb, round(0.5 * (lo + hi), 6), name)
