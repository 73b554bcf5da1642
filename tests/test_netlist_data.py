"""Issue 2 'done when' for netlists: everything in ../shared/data loads.

* The Yosys-mapped netlists link against sky130 HD tt_025C_1v80 with the instance count
  and cell area that Yosys ``stat -liberty`` reports for the same file.
* ISCAS-85/89 (Verilog gate primitives, ISCAS-89's behavioural ``dff``) load with a
  primitive map onto sky130; gates wider than the library's 4 inputs are rejected with
  a message naming file, line and gate, and such circuits load after Yosys mapping.
* EPFL (``assign`` expressions: RTL) is rejected with a clear message, and loads after
  Yosys mapping.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from finevh.design import link
from finevh.errors import InputError
from finevh.netlist.verilog import read_verilog

from finevh.netlist.cellmaps import SKY130_HD as PRIM_SKY130

OSU018 = "/usr/share/qflow/tech/osu018/osu018_stdcells.lib"
_GATE = re.compile(r"^\s*(and|or|nand|nor|xor|xnor|not|buf|dff)\s+\w+\s*\(([^)]*)\)", re.M)


def yosys_stat(yosys: str, verilog, liberty, top: str) -> tuple[int, float]:
    """(number of cells, chip area) from Yosys ``stat -liberty`` on a mapped netlist."""
    script = f"read_liberty -lib {liberty}; read_verilog {verilog}; hierarchy -top {top}; " \
             f"tee -o /dev/stdout stat -liberty {liberty}"
    out = subprocess.run([yosys, "-q", "-p", script], capture_output=True, text=True, check=True).stdout
    cells = int(re.findall(r"Number of cells:\s+(\d+)", out)[-1])
    area = float(re.findall(r"Chip area for module .*?:\s+([\d.]+)", out)[-1])
    return cells, area


@pytest.fixture(scope="module")
def sky_tt(shared_data):
    from finevh.liberty.libset import load_library_set

    path = shared_data / "liberty/sky130_fd_sc_hd/sky130_fd_sc_hd__tt_025C_1v80.lib.gz"
    return path, load_library_set([path])


@pytest.fixture(scope="module")
def osu(require_tool):
    from pathlib import Path

    from finevh.liberty.libset import load_library_set

    if not Path(OSU018).is_file():
        require_tool("osu018 library (Debian qflow-tech-osu018) " + OSU018)
    return load_library_set([OSU018])


@pytest.mark.parametrize("name,top,n_expect", [("s38417_sky130hd_tt.v", "s38417", 5810),
                                               ("multiplier_sky130hd_tt.v", "top", 10153)])
def test_mapped_netlists_link_like_yosys_stat(shared_data, sky_tt, require_tool, name, top, n_expect):
    from finevh.synth.yosys import trimmed_liberty

    yosys = require_tool("yosys")
    f = shared_data / "mapped" / name
    d = link(read_verilog(f), sky_tt[1])
    n_yosys, area_yosys = yosys_stat(yosys, f, trimmed_liberty(sky_tt[0], []), top)
    assert d.n_instances == n_yosys == n_expect
    assert d.area() == pytest.approx(area_yosys, rel=1e-9)
    assert all(c.library == "sky130_fd_sc_hd__tt_025C_1v80" for c in d.cells)


def _gate_count(text: str) -> tuple[int, int]:
    """(gate statements, widest input count) counted independently of the reader."""
    gates = _GATE.findall(text)
    wide = max((g[1].count(",") for g in gates if g[0] not in ("dff",)), default=0)
    return len(gates), wide


def test_iscas_all_load_or_are_rejected_precisely(shared_data, sky_tt):
    files = sorted((shared_data / "netlists/iscas85").glob("*.v")) + \
        sorted((shared_data / "netlists/iscas89").glob("*.v"))
    assert len(files) == 11 + 33
    loaded = rejected = 0
    for f in files:
        text = f.read_text()
        n_gates, widest = _gate_count(text)
        if widest <= 4:
            d = link(read_verilog(f, cell_map=PRIM_SKY130), sky_tt[1])
            assert d.n_instances == n_gates, f.name
            assert (d.netlist.pin_net >= 0).all(), f.name  # every gate terminal is connected
            loaded += 1
        else:
            with pytest.raises(InputError) as e:
                read_verilog(f, cell_map=PRIM_SKY130)
            m = re.search(r"primitive '(\w+)' with (\d+) input\(s\) \(instance '(\w+)'\)", e.value.message)
            assert m and int(m.group(2)) > 4, e.value
            line = text.splitlines()[e.value.line - 1]
            assert m.group(3) in line and line.strip().startswith(m.group(1)), (f.name, line)
            rejected += 1
    assert loaded == 36 and rejected == 8


def test_wide_gate_iscas_loads_after_yosys_mapping(shared_data, osu, require_tool):
    from finevh.synth.yosys import map_to_liberty

    yosys = require_tool("yosys")
    f = shared_data / "netlists/iscas85/c432.v"
    mapped = map_to_liberty([f], OSU018, "c432", buffer=("BUFX2", "A", "Y"))
    d = link(read_verilog(mapped), osu)
    n, area = yosys_stat(yosys, mapped, OSU018, "c432")
    assert d.n_instances == n and d.area() == pytest.approx(area, rel=1e-9)
    assert len(d.netlist.port_names) == 36 + 7


def test_epfl_rejected_then_loads_after_yosys_mapping(shared_data, osu, require_tool):
    from finevh.synth.yosys import map_to_liberty

    yosys = require_tool("yosys")
    files = sorted((shared_data / "netlists/epfl").glob("*.v"))
    assert len(files) == 14
    for f in files:
        with pytest.raises(InputError) as e:
            read_verilog(f)
        assert "RTL, not a structural netlist" in e.value.message and "map_to_liberty" in e.value.message
        assert e.value.path == str(f) and e.value.line is not None
        assert "assign" in f.read_text().splitlines()[e.value.line - 1]
    f = shared_data / "netlists/epfl/ctrl.v"
    mapped = map_to_liberty([f], OSU018, "top", buffer=("BUFX2", "A", "Y"))
    d = link(read_verilog(mapped), osu)
    n, area = yosys_stat(yosys, mapped, OSU018, "top")
    assert d.n_instances == n > 50 and d.area() == pytest.approx(area, rel=1e-9)
    assert len(d.netlist.port_names) == 7 + 26
