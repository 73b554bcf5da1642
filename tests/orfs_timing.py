"""ORFS constraint files timed on OpenROAD's netlists by finevh and OpenSTA 3.x, endpoint by
endpoint (setup and hold): the harness of tests/test_timing_exceptions_orfs.py and of the table
in docs/timing.md (``PYTHONPATH=flow python3 tests/orfs_timing.py`` prints it).

Same inputs on both sides: the platform's Liberty files, the OpenROAD netlist, the ORFS SDC
(``PLATFORM_DIR`` set for files that source the platform's constraints), no parasitics.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import opensta  # noqa: E402
import test_sdc_orfs as orfs  # noqa: E402

TOL_NS = 1e-3
REPORT = "report_checks -path_delay {} -format end -group_path_count 1000000 -endpoint_path_count 1 -digits 6"


def reference(sta, libs, verilog: str, top: str, sdc: Path, work: Path) -> tuple[dict, dict]:
    """OpenSTA 3.x (setup, hold) slack per endpoint name (escapes dropped)."""
    script = opensta.design_script(libs, verilog, top, sdc, extra=[REPORT.format("max"), 'puts "=== MIN ==="',
                                                                     REPORT.format("min")])
    tcl = work / f"{sdc.parent.name}_{sdc.stem}_{top}.tcl"
    tcl.write_text(script)
    r = subprocess.run([str(sta), "-no_init", "-exit", str(tcl)], capture_output=True, text=True, timeout=600,
                       cwd=work, env={**os.environ, **orfs._orfs_env()})
    if r.returncode != 0 or "=== MIN ===" not in r.stdout:
        raise RuntimeError(f"OpenSTA failed on {sdc}: {r.stderr[-500:]}")
    mx, mn = r.stdout.split("=== MIN ===")
    return ({k.replace("\\", ""): e.slack for k, e in opensta.parse_endpoint_slacks(mx).items()},
            {k.replace("\\", ""): e.slack for k, e in opensta.parse_endpoint_slacks(mn).items()})


def ours(libs, verilog: str, top: str, sdc: Path) -> tuple[dict, dict]:
    from finevh.timing.constraints import read_constraints
    from finevh.timing.engine import Timer

    d = _design(tuple(str(x) for x in libs), verilog, top)
    old = dict(os.environ)
    os.environ.update(orfs._orfs_env())
    try:
        tc = read_constraints(sdc, d, d.libset)
    finally:
        os.environ.clear()
        os.environ.update(old)
    r = Timer(d, tc, hold=True).update()
    return ({e.name.replace("\\", ""): e.slack for e in r.endpoints},
            {e.name.replace("\\", ""): e.slack for e in r.hold.endpoints})


_DESIGNS: dict = {}


def _design(libs: tuple[str, ...], verilog: str, top: str):
    key = (libs, verilog, top)
    if key not in _DESIGNS:
        from finevh.loader import load_design
        _DESIGNS.clear()
        _DESIGNS[key] = load_design(list(libs), verilog, top=top)
    return _DESIGNS[key]


def _time_unit(libs, verilog: str, top: str) -> float:
    from finevh.timing.constraints import library_units

    d = _design(tuple(str(x) for x in libs), verilog, top)
    return library_units(d.cells[0].library, d.libset)[0]


def agreement(mine: dict, ref: dict) -> tuple[bool, int, float]:
    """(same endpoint set and every slack within TOL_NS, endpoints, max |delta| ns)."""
    common = set(mine) & set(ref)
    worst = max((abs(mine[k] - ref[k]) for k in common), default=0.0)
    return set(mine) == set(ref) and worst <= TOL_NS, len(ref), worst


def compare_case(case, sta, work: Path) -> dict:
    libs = orfs._plain_libs(case.platform, work)
    verilog = str(orfs.NETLISTS / f"{case.netlist}_{case.platform}.v")
    top = orfs.TOPS[(case.platform, case.netlist)]
    rs, rh = reference(sta, libs, verilog, top, case.sdc, work)
    tu = _time_unit(libs, verilog, top)          # OpenSTA reports in the library's time unit
    rs, rh = ({k: v * tu for k, v in r.items()} for r in (rs, rh))
    try:
        ms, mh = ours(libs, verilog, top, case.sdc)
    except Exception as e:       # noqa: BLE001 - reported in the table
        return {"id": case.id, "error": f"{type(e).__name__}: {e}"}
    s, h = agreement(ms, rs), agreement(mh, rh)
    return {"id": case.id, "setup": s, "hold": h, "ok": s[0] and h[0],
            "missing": sorted(set(rs) ^ set(ms))[:3] + sorted(set(rh) ^ set(mh))[:3]}


if __name__ == "__main__":
    import tempfile
    work = Path(tempfile.mkdtemp(prefix="orfs_timing_"))
    sta = orfs.STA3
    for c in orfs.CHECKED:
        if len(sys.argv) > 1 and not any(a in c.id for a in sys.argv[1:]):
            continue
        row = compare_case(c, sta, work)
        if "error" in row:
            print(f"| {row['id']} | error: {row['error'][:100]} |", flush=True)
            continue
        (so, sn, sw), (ho, hn, hw) = row["setup"], row["hold"]
        print(f"| {row['id']} | {sn} | {sw * 1e3:.3f} | {hn} | {hw * 1e3:.3f} | {'yes' if row['ok'] else 'no'} "
              f"| {' '.join(row['missing'])} |", flush=True)
