"""sky130 supply-crossing timing (libs/sky130/sky130_hd_crossing.txt): the committed
tables, one arc re-characterised with ngspice, and the crossing terms of the timer
against an ngspice transient of a chain of 6 cells with 5 supply crossings."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from finevh.tech.crossing import read_crossing

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sky130_chain as chain  # noqa: E402

INV = "sky130_fd_sc_hd__inv_1"


def _script(repo, name):
    spec = importlib.util.spec_from_file_location(name, repo / "libs" / "sky130" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def tables(repo):
    return read_crossing(repo / "libs" / "sky130" / "sky130_hd_crossing.txt")


def test_committed_tables(repo, tables):
    m = _script(repo, "make_crossing")
    arcs = tables.arcs(m.FLAVOUR, 1.40, 1.76)
    assert {c for c, _a, _b in arcs} == set(m.CELLS)
    inv = arcs[(INV, "A", "Y")]
    # LH, input rise (output fall through a pull-down gated at VddL only): slower everywhere
    assert (inv.delta[0, 0, 0] > 0).all()
    # HL, input rise (gate overdriven to VddH in a VddL cell): faster everywhere
    assert (inv.delta[1, 0, 0] < 0).all()


def test_ngspice_reproduces_one_inverter_point(repo, tables, require_tool):
    require_tool("ngspice")
    m = _script(repo, "make_crossing")
    got = m.build(cells=(INV,), slews=(m.SLEWS[1],), loads=(m.LOADS[1],)).arcs(m.FLAVOUR, 1.40, 1.76)
    ref = tables.arcs(m.FLAVOUR, 1.40, 1.76)[(INV, "A", "Y")].delta[:, :, 0, 1, 1]
    assert got[(INV, "A", "Y")].delta[:, :, 0, 0, 0] == pytest.approx(ref, abs=2e-3)


def test_chain_with_five_crossings_against_ngspice(repo, tables, shared_data, require_tool, tmp_path):
    """The chain in ngspice with its 5 crossings against the same chain with ideal level
    shifters (every stage switched by a full-swing input) plus the timer's crossing
    terms (crossing-aware minus plain timing). Measured (docs/tech.md): input rise
    -1.2 % (within 5 %), input fall +10.8 % (the 5 % goal is not met there; without the
    terms +34 %). The shipped Liberty's own full-swing delays differ from ngspice on
    these netlists, hence the ngspice full-swing basis."""
    require_tool("ngspice")
    assert chain.crossings(chain.STAGES) == 5
    v = chain.run(tables.arcs(None, chain.VDDL, chain.VDDH), tmp_path)
    err = v.error
    assert abs(err[0]) < 0.05, err                   # input rise
    assert abs(err[1]) < 0.12, err                   # input fall (known gap, see the docstring)
    assert (np.abs(err) < np.abs(v.error_without_terms)).all()      # the terms move toward ngspice
    assert (np.abs(v.error_without_terms) > 0.1).all()              # ... and the crossings matter
