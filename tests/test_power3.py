"""Power against OpenSTA 3.x (the reference; ``~/.cache/opensta-737b52f/bin/sta`` or
``$FINEVH_OPENSTA3``) with finevh's default internal-power rules (3.x).

- OpenSTA's own power example (examples/power.tcl: gcd on sky130hd with SPEF and a
  propagated clock), with a global activity: internal, switching and leakage per
  group (Sequential, Combinational, Clock) within 1 %.
- The 2.0 compatibility mode sums rise and fall energies: about twice 3.x there.
- The Tcl twin sourced into the 3.x shell gives 3.x's totals (global activity).
"""

from __future__ import annotations

import os
import re
import subprocess
import tarfile
from pathlib import Path

import pytest

from conftest import SHARED, need

STA3 = Path(os.environ.get("FINEVH_OPENSTA3", Path.home() / ".cache/opensta-737b52f/bin/sta"))
OPENSTA_SRC = SHARED / "vendor/opensta/opensta-737b52f.tar.gz"
GROUPS = (("sequential", "Sequential"), ("combinational", "Combinational"), ("clock", "Clock"))
KINDS = (("internal_uw", "internal"), ("switching_uw", "switching"), ("leakage_uw", "leakage"))
REL = 0.01
_ROW = re.compile(r"^(Sequential|Combinational|Clock|Macro|Pad|Total)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)", re.M)


@pytest.fixture(scope="session")
def sta3():
    need(STA3.exists(), f"OpenSTA 3.x at {STA3}")
    return str(STA3)


@pytest.fixture(scope="session")
def gcd(tmp_path_factory):
    """OpenSTA's examples/ (gcd_sky130hd and its library) unpacked, .gz files plain."""
    need(OPENSTA_SRC.is_file(), f"OpenSTA 3.x sources {OPENSTA_SRC}")
    d = tmp_path_factory.mktemp("opensta3")
    with tarfile.open(OPENSTA_SRC) as t:
        members = [m for m in t.getmembers() if "/examples/" in m.name and m.isfile()]
        t.extractall(d, members=members, filter="data")
    ex = next(d.rglob("examples"))
    import gzip
    import shutil
    for name in ("sky130hd_tt.lib", "gcd_sky130hd.vcd"):
        with gzip.open(ex / f"{name}.gz", "rb") as f, open(ex / name, "wb") as g:
            shutil.copyfileobj(f, g)
    return ex


def sta3_power(sta: str, ex: Path, activity: str) -> dict[str, dict[str, float]]:
    """examples/power.tcl with ``activity`` in place of its set_power_activity lines."""
    lines = [ln for ln in (ex / "power.tcl").read_text().splitlines()
             if not ln.startswith(("set_power_activity", "report_power"))]
    script = ex / "run_power.tcl"
    script.write_text("\n".join(lines + [activity, "report_power -digits 8", "exit", ""]))
    r = subprocess.run([sta, "-no_init", "-no_splash", "-exit", script.name], cwd=ex,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    out = {m.group(1): {"internal": float(m.group(2)), "switching": float(m.group(3)),
                        "leakage": float(m.group(4))} for m in _ROW.finditer(r.stdout)}
    assert "Total" in out, r.stdout
    return out


def ours(ex: Path, **kw):
    from finevh.analysis import run_power
    _, res, _ = run_power([ex / "sky130hd_tt.lib"], ex / "gcd_sky130hd.v", ex / "gcd_sky130hd.sdc",
                          top="gcd", spef=ex / "gcd_sky130hd.spef", **kw)
    return res


def test_gcd_global_activity_every_group_matches_opensta3(sta3, gcd):
    theirs = sta3_power(sta3, gcd, "set_power_activity -global -activity 0.1 -duty 0.5")
    res = ours(gcd, global_activity=(0.1, 0.5))
    diffs = {}
    for g, G in GROUPS:
        for k, K in KINDS:
            a, b = res.group(g)[k] * 1e-6, theirs[G][K]
            diffs[f"{G}.{K}"] = (a - b) / b
            assert a == pytest.approx(b, rel=REL), (G, K, a, b)
    print({k: f"{v:+.2e}" for k, v in diffs.items()})
    # the Clock group holds the clock buffers: not empty, and off the other two
    assert theirs["Clock"]["internal"] > 0 and res.inst_clock.any()
    assert not (res.inst_clock & res.inst_sequential).any()


def test_gcd_vcd_every_group_matches_opensta3(sta3, gcd):
    """OpenSTA's Icarus VCD of gcd (with its ``$comment`` line) read by both tools:
    x changes count one half, duty is the time at 1 over the whole dump, leakage
    weights the ``when`` states by their exact probability. (examples/power_vcd.tcl
    keeps the clock ideal; both sides use the propagated clock here, as power.tcl.)"""
    theirs = sta3_power(sta3, gcd, "set_propagated_clock clk\n"
                        "read_vcd -scope gcd_tb/gcd1 gcd_sky130hd.vcd")
    res = ours(gcd, vcd=gcd / "gcd_sky130hd.vcd", vcd_scope="gcd_tb/gcd1")
    assert res.matched_signals == 288
    for g, G in GROUPS:
        for k, K in KINDS:
            a, b = res.group(g)[k] * 1e-6, theirs[G][K]
            assert a == pytest.approx(b, rel=REL), (G, K, a, b)
    assert res.group("sequential")["leakage_uw"] * 1e-6 == pytest.approx(theirs["Sequential"]["leakage"], rel=1e-5)


def test_gcd_2_0_mode_sums_rise_and_fall(gcd):
    """The compatibility mode (OpenSTA 2.0.17) gives about twice the 3.x internal power
    of the registers (one clock-pin group, rise + fall summed vs averaged)."""
    import dataclasses
    from finevh.power import analysis as A

    new = ours(gcd, global_activity=(0.1, 0.5))
    real = A.analyse

    def old_analyse(design, constraints=None, spec=None, **kw):
        return real(design, constraints, dataclasses.replace(spec, opensta_rules="2.0"), **kw)

    A.analyse = old_analyse
    try:
        old = ours(gcd, global_activity=(0.1, 0.5))
    finally:
        A.analyse = real
    assert old.total["switching_uw"] == new.total["switching_uw"]
    ratio = old.group("sequential")["internal_uw"] / new.group("sequential")["internal_uw"]
    assert 1.9 < ratio < 2.1, ratio


def test_bad_opensta_rules_are_refused(gcd):
    from finevh.analysis import run_sta
    from finevh.power.analysis import ActivitySpec, analyse
    timer, _ = run_sta([gcd / "sky130hd_tt.lib"], gcd / "gcd_sky130hd.v", gcd / "gcd_sky130hd.sdc", "gcd")
    with pytest.raises(ValueError, match="opensta_rules"):
        analyse(timer.design, timer.constraints, ActivitySpec(opensta_rules="2.1"))
