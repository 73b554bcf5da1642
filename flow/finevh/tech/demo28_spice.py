"""demo28 in SPICE: the device model of :mod:`finevh.tech.device` as ngspice functions and
the combinational cells of :mod:`finevh.tech.cells` as transistor netlists.

The Liberty files of demo28 come from closed-form stage delays (:mod:`.charact`); a
transient needs the full current law of a transistor, which this module writes with
the technology's own parameters:

* saturation current, the alpha-power law of the device model:
  ``Isat = K_N * p * drive(PB) * W * ov**ALPHA`` (p = P_OVER_N for pMOS) with the
  overdrive ``ov = S * ln(1 + exp((Vgs - Vt_a(Vds)) / S))`` and
  ``Vt_a(Vds) = VTH0 + dVth(PB) + VT_A_OFFSET - eta(PB) * |Vds|`` (DIBL on the drain
  voltage as the device model's on-current has it on Vdd). ``S = ALPHA * N_SUB * vT``
  makes the current below threshold fall with the model's subthreshold slope
  (``ov**ALPHA ~ exp((Vgs - Vt)/(N_SUB vT))``);
* linear region (Sakurai-Newton): ``I = Isat * r * (2 - r)``, ``r = min(|Vds| / Vdsat, 1)``,
  ``Vdsat = VDSAT_K * ov**(ALPHA / 2)``; VDSAT_K gives 0.35 V at a 1.00 V gate drive of
  PB0 (the device model's closed forms never needed Vdsat: it is the one parameter
  added here);
* symmetric in drain and source (stacked devices may reverse);
* capacitances as the closed forms count them: gate ``cg_per_um(PB) * W`` to ground on
  the gate net, half of a stage's device width times ``CD_PER_UM`` on its output, and
  half of the adjacent devices' width on the internal nodes of series stacks.

Ports of a cell subckt: its inputs, ``Y``, ``VDD``, ``VSS``. Widths um, voltages V.
"""

from __future__ import annotations

from . import device as dv
from .cells import WN_UNIT, WP_UNIT, CellSpec, Stage, catalogue, dual, leaf_depths

#: Vdsat = VDSAT_K * ov**(ALPHA/2), V; 0.35 V at the PB0 overdrive of a 1.00 V gate
VDSAT_K = 0.35 / (1.0 - dv.vt_alpha(dv.flavour("PB0"), 1.0)) ** (dv.ALPHA / 2)
#: softplus scale of the overdrive, V (subthreshold slope of the device model)
S_OV = dv.ALPHA * dv.N_SUB * dv.VT_THERMAL


def _g(x: float) -> str:
    return f"{x:.9g}"


def models_text(flavours=dv.FLAVOURS) -> str:
    """``.func`` definitions of the drain current of every flavour:
    ``d28_<FL>(vg, va, vb, p)``: current magnitude per um (A) of a device whose gate is at
    ``vg`` and whose terminals are at ``va``, ``vb`` (nMOS: p = 0, the gate drive is taken
    from the lower terminal; pMOS: p = 1, from the higher)."""
    o = ["* demo28 device model (finevh.tech.demo28_spice; generated, do not edit)",
         f"* ss 125 C: alpha-power law, ALPHA={dv.ALPHA}, K_N={_g(dv.K_N)} A/um/V^ALPHA, "
         f"pMOS x{dv.P_OVER_N}, Vdsat={_g(VDSAT_K)}*ov^{dv.ALPHA / 2:g}",
         f".func d28sp(x) {{{_g(S_OV)}*ln(1+exp(min(x,{_g(40 * S_OV)})/{_g(S_OV)}))}}",
         ".func d28lin(r) {min(r,1)*(2-min(r,1))}"]
    for name in flavours:
        fl = dv.flavour(name)
        vt0 = dv.VTH0 + fl.dvth + dv.VT_A_OFFSET
        k = dv.K_N * fl.drive_factor
        # gate drive: nMOS vg - min(va, vb); pMOS max(va, vb) - vg
        vgs = "(p*(max(va,vb)-vg)+(1-p)*(vg-min(va,vb)))"
        ov = f"d28sp({vgs}-{_g(vt0)}+{_g(fl.eta)}*abs(va-vb))"
        o.append(f".func d28ov_{name}(vg,va,vb,p) {{{ov}}}")
        o.append(f".func d28_{name}(ov,va,vb,p) {{{_g(k)}*(1-p*{_g(1 - dv.P_OVER_N)})*pow(max(ov,1e-9),"
                 f"{_g(dv.ALPHA)})*d28lin(abs(va-vb)/({_g(VDSAT_K)}*pow(max(ov,1e-9),{_g(dv.ALPHA / 2)})))}}")
    return "\n".join(o) + "\n"


class _Net:
    def __init__(self, spec: CellSpec, fl: dv.Flavour):
        self.fl = fl
        self.lines: list[str] = []
        self.n = 0
        self.node = 0
        self.caps: dict[str, float] = {}

    def cap(self, net: str, c: float) -> None:
        self.caps[net] = self.caps.get(net, 0.0) + c

    def fresh(self) -> str:
        self.node += 1
        return f"i{self.node}"

    def device(self, d: str, g: str, s: str, w: float, pmos: bool) -> None:
        self.n += 1
        f = f"d28_{self.fl.name}"
        ov = f"o{self.n}"             # the overdrive on a node of its own: evaluated once per step
        self.lines.append(f"b{ov} {ov} 0 v={{d28ov_{self.fl.name}(v({g}),v({d}),v({s}),{int(pmos)})}}")
        self.lines.append(f"b{self.n} {d} {s} i={{{_g(w)}*{f}(v({ov}),v({d}),v({s}),{int(pmos)})*sgn(v({d})-v({s}))}}")
        self.cap(g, self.fl.cg_per_um * w)

    def tree(self, t, top: str, bottom: str, depths: dict, unit: float, pmos: bool, path: tuple = ()) -> None:
        """Devices of ``t`` between ``top`` and ``bottom``; leaf widths from ``depths``."""
        if isinstance(t, str):
            w = unit * depths[path]
            self.device(top, t, bottom, w, pmos)
            return
        kids = t[1:]
        if t[0] == "p":
            for i, c in enumerate(kids):
                self.tree(c, top, bottom, depths, unit, pmos, path + (i,))
            return
        nodes = [top] + [self.fresh() for _ in kids[:-1]] + [bottom]
        for i, c in enumerate(kids):
            self.tree(c, nodes[i], nodes[i + 1], depths, unit, pmos, path + (i,))
        for m in nodes[1:-1]:
            self.cap(m, dv.CD_PER_UM * 0.5 * unit)


def _leaf_paths(t, path=()):
    if isinstance(t, str):
        return [path]
    out = []
    for i, c in enumerate(t[1:]):
        out += _leaf_paths(c, path + (i,))
    return out


def _stage(net: _Net, st: Stage) -> None:
    for tree, unit, pmos, top, bottom in ((st.pdn, WN_UNIT, False, st.out, "VSS"),
                                         (dual(st.pdn), WP_UNIT, True, "VDD", st.out)):
        depths = {p: m * st.drive for p, (_n, m) in zip(_leaf_paths(tree), leaf_depths(tree))}
        net.tree(tree, top, bottom, depths, unit, pmos)
    w = sum(WN_UNIT * st.drive * m for _n, m in leaf_depths(st.pdn)) \
        + sum(WP_UNIT * st.drive * m for _n, m in leaf_depths(dual(st.pdn)))
    net.cap(st.out, dv.CD_PER_UM * 0.5 * w)


def cell_text(spec: CellSpec, flavour: str) -> str:
    """``.subckt`` of one combinational cell in ``flavour``."""
    if spec.kind != "comb":
        raise ValueError(f"{spec.name}: only combinational cells have a SPICE netlist")
    net = _Net(spec, dv.flavour(flavour))
    for st in spec.stages:
        _stage(net, st)
    o = [f".subckt {spec.name} {' '.join(spec.inputs)} {spec.output} VDD VSS"]
    o += net.lines
    for i, (n, c) in enumerate(sorted(net.caps.items())):
        o.append(f"c{i + 1} {n} VSS {_g(c)}")
    o.append(".ends")
    return "\n".join(o) + "\n"


def cells_text(flavour: str, names=None) -> str:
    """Netlists of the combinational cells ``names`` (default: all) in ``flavour``."""
    specs = [c for c in catalogue() if c.kind == "comb" and (names is None or c.name in names)]
    head = f"* demo28 cells, flavour {flavour} (finevh.tech.demo28_spice; generated, do not edit)\n"
    return head + "".join(cell_text(s, flavour) for s in specs)


