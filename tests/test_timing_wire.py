"""Wire-capacitance models (HPWL, wire-load, SPEF parsing) and per-pin slacks."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_timing_opensta import NEG_EDGE, OSU018, make_design  # noqa: E402

from finevh.errors import InputError  # noqa: E402
from finevh.liberty.model import WireLoad  # noqa: E402
from finevh.timing import wire  # noqa: E402
from finevh.timing.constraints import read_constraints  # noqa: E402
from finevh.timing.engine import Timer  # noqa: E402
from finevh.timing.spef import read_spef  # noqa: E402

SDC = ("create_clock -name clk -period 1.2 [get_ports clk]\n"
       "set_input_delay 0.3 -clock clk [get_ports {a b}]\n"
       "set_output_delay 0.4 -clock clk [get_ports {y z}]\nset_load 0.05 [get_ports {y z}]\n")


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    from conftest import need
    need(OSU018.is_file(), str(OSU018))
    d = tmp_path_factory.mktemp("wire")
    (d / "n.v").write_text(NEG_EDGE)
    (d / "c.sdc").write_text(SDC)
    return d


class _Io:
    def __init__(self, x, y):
        self.x, self.y = x, y


class _Placement:
    """Stand-in with the two methods wire.hpwl uses (instance centres, I/O pins)."""

    def __init__(self, cx, cy, io):
        self._c = (np.asarray(cx, float), np.asarray(cy, float))
        self._io = io

    def centers(self):
        return self._c

    def io_by_name(self):
        return self._io


def test_hpwl_and_placement_caps(small):
    d = make_design(small / "n.v", [OSU018])
    nl = d.netlist
    n = nl.n_instances
    cx = np.arange(n) * 10.0
    cy = np.arange(n) * 3.0
    io = {"a": _Io(-5.0, 0.0), "y": _Io(200.0, 50.0)}
    pl = _Placement(cx, cy, io)
    h = wire.hpwl(d, pl)
    # net q1: r1 (driver) -> g1, g2 : instances 0, 4, 5
    names = list(nl.inst_names)
    m = nl.net_names.index("q1")
    xs = [cx[names.index(i)] for i in ("r1", "g1", "g2")]
    ys = [cy[names.index(i)] for i in ("r1", "g1", "g2")]
    assert h[m] == pytest.approx(max(xs) - min(xs) + max(ys) - min(ys))
    # net a: port a (placed) and r1/D, g3/B
    m = nl.net_names.index("a")
    xs = [-5.0] + [cx[names.index(i)] for i in ("r1", "g3")]
    ys = [0.0] + [cy[names.index(i)] for i in ("r1", "g3")]
    assert h[m] == pytest.approx(max(xs) - min(xs) + max(ys) - min(ys))
    caps = wire.from_placement(d, pl, 1e-4)
    np.testing.assert_allclose(caps, h * 1e-4)
    tc = read_constraints(small / "c.sdc", d, d.libset)
    r0 = Timer(d, tc).update()
    r1 = Timer(d, tc, caps).update()
    assert r1.endpoints[0].slack < r0.endpoints[0].slack


def test_wire_load_model(small):
    wl = WireLoad("wl", capacitance=2e-4, resistance=0.0, slope=50.0, fanout_length={1: 10.0, 2: 25.0, 4: 60.0})
    got = wire.wire_load_length(wl, np.array([0, 1, 2, 3, 4, 6]))
    np.testing.assert_allclose(got, [0.0, 10.0, 25.0, 42.5, 60.0, 160.0])
    d = make_design(small / "n.v", [OSU018])
    fo = wire.fanout(d)
    nl = d.netlist
    assert fo[nl.net_names.index("q1")] == 2          # g1/A, g2/B
    np.testing.assert_allclose(wire.from_wire_load(d, wl), wire.wire_load_length(wl, fo) * 2e-4)


def test_spef_reader(tmp_path):
    p = tmp_path / "x.spef"
    p.write_text('*SPEF "IEEE 1481-1998"\n*DESIGN "t"\n*DIVIDER /\n*T_UNIT 1 PS\n*C_UNIT 1 FF\n'
                 "*R_UNIT 1 OHM\n\n*NAME_MAP\n*1 n\\[3\\]\n*2 u1/net\n\n"
                 "*D_NET *1 12.5\n*CONN\n*I u2:A I\n*CAP\n1 *1 12.5\n*END\n\n"
                 "*D_NET *2 0.5 // comment\n*CAP\n1 *2:1 0.25\n2 *2:2 *1:4 0.25\n*END\n*D_NET plain 3\n*END\n")
    sp = read_spef(p)
    # totals: the sum of the *CAP entries, coupling ones grounded (not the D_NET header)
    assert sp.net_cap == pytest.approx({"n[3]": 0.0125, "u1/net": 0.0005, "plain": 0.0})
    p.write_text('*SPEF "x"\n*C_UNIT 1 XF\n')
    with pytest.raises(InputError, match=r"x.spef:2: unknown capacitance unit"):
        read_spef(p)


def test_pin_slacks_and_required(small):
    d = make_design(small / "n.v", [OSU018])
    t = Timer(d, read_constraints(small / "c.sdc", d, d.libset))
    r = t.update()
    ps = t.pin_slacks()
    for e in r.endpoints:
        assert ps[e.terminal] == pytest.approx(e.slack, abs=1e-9)
    finite = ps[np.isfinite(ps)]
    assert finite.min() == pytest.approx(r.endpoints[0].slack, abs=1e-9)
    # the worst path: every data pin on it carries the worst slack (not the launching clock pin)
    stages = t.path(r.endpoints[0])
    assert len(stages) >= 3
    for st in stages:
        if st["pin"].endswith("/CLK"):
            continue
        term = t.names.lookup(st["pin"])
        assert ps[term] == pytest.approx(r.endpoints[0].slack, abs=1e-9)


def test_single_precision_net_caps():
    """Load sums as OpenSTA: float32 running sum in farads, last-connected pin first,
    for short nets (vectorised) and long ones (> 64 pins) alike."""
    from finevh.timing.dcalc import net_caps_f32 as _net_caps_f32

    rng = np.random.default_rng(3)
    sizes = [1, 3, 70, 2, 500, 0]              # loads per net; one driver each
    ptr = [0]
    for n in sizes:
        ptr.append(ptr[-1] + 1 + n)
    ptr = np.array(ptr)
    T = int(ptr[-1])
    terms = np.arange(T)
    caps = np.zeros((T, 2))
    caps[:, 0] = rng.uniform(0.001, 0.02, T)
    caps[:, 1] = rng.uniform(0.001, 0.02, T)
    nd = np.ones(len(sizes), dtype=np.int64)
    wire = rng.uniform(0, 0.01, len(sizes))
    got = _net_caps_f32(caps, terms, ptr, nd, wire)
    for m in range(len(sizes)):
        for rf in (0, 1):
            acc = np.float32(0)
            for t in range(int(ptr[m + 1]) - 1, int(ptr[m]), -1):
                acc = np.float32(acc + np.float32(caps[t, rf] * 1e-12))
            acc = np.float32(acc + np.float32(wire[m] * 1e-12))
            assert got[m, rf] == float(acc) * 1e12
            exact = caps[ptr[m] + 1:ptr[m + 1], rf].sum() + wire[m]
            assert got[m, rf] == pytest.approx(exact, rel=1e-5)
