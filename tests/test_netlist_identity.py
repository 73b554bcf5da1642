"""The fast reader and the pyverilog path build IDENTICAL netlists (every array, every
name table) on real files: a Yosys-mapped ISCAS-89 circuit, the bundled sample, a
hand-written hierarchical file, ISCAS-85/89 files with gate primitives mapped."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from finevh.netlist.cellmaps import SKY130_HD
from finevh.netlist.verilog import read_verilog

PRIM_SKY130 = SKY130_HD


def assert_identical(a, b) -> None:
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert isinstance(y, np.ndarray) and x.dtype == y.dtype, f.name
            assert np.array_equal(x, y), f.name
        else:
            assert x == y, f.name


@pytest.mark.parametrize("rel,top,cmap,n", [
    ("mapped/s38417_sky130hd_tt.v", None, None, 5810),
    ("netlists/iscas85/c880.v", None, PRIM_SKY130, 383),
    ("netlists/iscas89/s1196.v", None, PRIM_SKY130, 547),
])
def test_identical_on_shared_data(shared_data, require_tool, rel, top, cmap, n):
    require_tool("iverilog")
    from finevh.netlist.verilog_pyverilog import read_verilog_pyverilog

    f = shared_data / rel
    a = read_verilog(f, top=top, cell_map=cmap)
    b = read_verilog_pyverilog(f, top=top, cell_map=cmap)
    assert a.n_instances == n
    assert_identical(a, b)


@pytest.mark.parametrize("rel,top,n", [
    ("designs/sample/sample_osu018.v", None, 145),
    ("tests/data/netlist/hier_osu018.v", None, 13),
    ("tests/data/netlist/hier_osu018.v", "core", 11),
])
def test_identical_on_repo_files(repo, require_tool, rel, top, n):
    require_tool("iverilog")
    from finevh.netlist.verilog_pyverilog import read_verilog_pyverilog

    a = read_verilog(repo / rel, top=top)
    b = read_verilog_pyverilog(repo / rel, top=top)
    assert a.n_instances == n
    assert_identical(a, b)


def test_pyverilog_reports_syntax_errors_with_line(tmp_path, require_tool):
    require_tool("iverilog")
    from finevh.errors import InputError
    from finevh.netlist.verilog_pyverilog import read_verilog_pyverilog

    p = tmp_path / "bad.v"
    p.write_text("module m (a);\n input a;\n wire b\n INVX1 u (.A(a), .Y(b));\nendmodule\n")
    with pytest.raises(InputError) as e:
        read_verilog_pyverilog(p)
    assert e.value.line == 4 and e.value.path == str(p)
    with pytest.raises(InputError) as e2:
        read_verilog(p)
    assert e2.value.line == 3  # the fast reader names the statement missing its ';'
