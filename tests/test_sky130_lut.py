"""sky130 HD intra-tile leakage LUTs (libs/sky130): the committed file is complete for
the sample's cells and pairs, and ngspice on SkyWater's models reproduces the
inverter's k (docs/tech.md quotes them; lean ss model cards, see make_luts.py)."""

from __future__ import annotations

import importlib.util

import pytest

from finevh.tech.lut import read_lut

INV = "sky130_fd_sc_hd__inv_1"
#: k of inv_1 for input 1 (pattern 1, driver at the other supply): (cell at VddH, cell at VddL)
DOC_K = {(1.40, 1.76): (0.10745, 11.458), (1.28, 1.40): (0.32453, 3.0804), (1.28, 1.76): (2.1507, 35.22)}


def _make_luts(repo):
    spec = importlib.util.spec_from_file_location("make_luts", repo / "libs" / "sky130" / "make_luts.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_committed_lut_covers_the_sample(repo, shared_data):
    lut = read_lut(repo / "libs" / "sky130" / "sky130_hd_itl.lut")
    m = _make_luts(repo)
    assert lut.flavours() == [m.FLAVOUR]
    assert lut.pairs() == sorted(m.PAIRS)
    cells = m.sample_cells()
    assert len(cells) == 46
    for vl, vh in m.PAIRS:
        assert sorted(lut.tables[(m.FLAVOUR, vl, vh)]) == cells
    for pair, (kh, kl) in DOC_K.items():
        c = lut.cell(m.FLAVOUR, *pair, INV)
        assert c.pins == ("A",)
        assert c.lookup("H", 1, 1) == pytest.approx(kh, rel=1e-4)
        assert c.lookup("L", 1, 1) == pytest.approx(kl, rel=1e-4)
        assert c.lookup("H", 0, 1) == 1.0          # a 0 from either supply is 0 V


def test_ngspice_reproduces_the_inverter_k(repo, shared_data, require_tool):
    require_tool("ngspice")
    m = _make_luts(repo)
    pairs = [(1.40, 1.76)]
    got = m.build([INV], pairs=pairs)
    for pair in pairs:
        c = got.cell(m.FLAVOUR, *pair, INV)
        assert (c.lookup("H", 1, 1), c.lookup("L", 1, 1)) == pytest.approx(DOC_K[pair], rel=1e-3)
