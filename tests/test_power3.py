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

OPENSTA_SRC = SHARED / "vendor/opensta/opensta-737b52f.tar.gz"
GROUPS = (("sequential", "Sequential"), ("combinational", "Combinational"), ("clock", "Clock"))
KINDS = (("internal_uw", "internal"), ("switching_uw", "switching"), ("leakage_uw", "leakage"))
REL = 0.01
_ROW = re.compile(r"^(Sequential|Combinational|Clock|Macro|Pad|Total)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)", re.M)



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
    # power.tcl propagates the clock with a command: the same in the SDC finevh reads
    (ex / "gcd_propagated.sdc").write_text((ex / "gcd_sky130hd.sdc").read_text()
                                           + "\nset_propagated_clock [get_clocks clk]\n")
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


def ours(ex: Path, sdc: str = "gcd_propagated.sdc", **kw):
    from finevh.analysis import run_power
    _, res, _ = run_power([ex / "sky130hd_tt.lib"], ex / "gcd_sky130hd.v", ex / sdc,
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
    """OpenSTA's examples/power_vcd.tcl as shipped (ideal clock, its Icarus VCD with a
    ``$comment`` line): x changes count one half, duty is the time at 1 over the whole
    dump, leakage weights the ``when`` states by their exact probability, clock pins
    take the ideal clock slew."""
    text = (gcd / "power_vcd.tcl").read_text().replace("gcd_sky130hd.vcd.gz", "gcd_sky130hd.vcd")
    script = gcd / "run_vcd.tcl"
    script.write_text(text.replace("report_power", "report_power -digits 8") + "\nexit\n")
    r = subprocess.run([sta3, "-no_init", "-no_splash", "-exit", script.name], cwd=gcd,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0 and "Annotated 937 pin activities" in r.stdout, r.stdout + r.stderr
    theirs = {m.group(1): {"internal": float(m.group(2)), "switching": float(m.group(3)),
                           "leakage": float(m.group(4))} for m in _ROW.finditer(r.stdout)}
    res = ours(gcd, sdc="gcd_sky130hd.sdc", vcd=gcd / "gcd_sky130hd.vcd", vcd_scope="gcd_tb/gcd1")
    assert res.matched_signals == 288
    _assert_groups(res, theirs)
    assert res.group("sequential")["leakage_uw"] * 1e-6 == pytest.approx(theirs["Sequential"]["leakage"], rel=1e-5)
    assert res.group("clock")["internal_uw"] * 1e-6 == pytest.approx(theirs["Clock"]["internal"], rel=1e-4)


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


def test_gcd_default_propagated_activity_matches_opensta3(sta3, gcd):
    """examples/power.tcl as it is: input activity 0.1 per cycle, reset held."""
    theirs = sta3_power(sta3, gcd, "set_power_activity -input -activity .1\n"
                        "set_power_activity -input_port reset -activity 0")
    res = ours(gcd, port_activity=[("reset", 0.0, 0.5)])
    _assert_groups(res, theirs)
    assert 1 < res.passes < 50


def _assert_groups(res, theirs, rel=REL):
    diffs = {}
    for g, G in GROUPS:
        for k, K in KINDS:
            a, b = res.group(g)[k] * 1e-6, theirs[G][K]
            diffs[f"{G}.{K}"] = (a - b) / b if b else a
            assert a == pytest.approx(b, rel=rel, abs=1e-15), (G, K, a, b)
    print({k: f"{v:+.2e}" for k, v in diffs.items()})


def _design_vs_sta3(sta, tmp, lib, v, top, sdc) -> dict:
    script = tmp / "p.tcl"
    script.write_text(f"read_liberty {lib}\nread_verilog {v}\nlink_design {top}\nread_sdc {sdc}\n"
                      "report_power -digits 8\nexit\n")
    r = subprocess.run([sta, "-no_init", "-no_splash", "-exit", str(script)], capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return {m.group(1): {"internal": float(m.group(2)), "switching": float(m.group(3)),
                         "leakage": float(m.group(4))} for m in _ROW.finditer(r.stdout)}


def _s38417(shared_data, d: Path):
    v = shared_data / "mapped/s38417_sky130hd_tt.v"
    text = v.read_text()
    ins = [p for p in re.findall(r"^\s*input\s+(\w+);", text, re.M) if p != "CK"]
    sdc = d / "s38417.sdc"
    sdc.write_text("create_clock -name clk -period 10.0 [get_ports CK]\n"
                   f"set_input_delay 0.2 -clock clk [get_ports {{{' '.join(ins)}}}]\n"
                   "set_output_delay 0 -clock clk [all_outputs]\n")
    import gzip
    lib = d / "sky130_tt.lib"
    lib.write_bytes(gzip.decompress((shared_data / "liberty/sky130_fd_sc_hd/"
                                     "sky130_fd_sc_hd__tt_025C_1v80.lib.gz").read_bytes()))
    return lib, v, "s38417", sdc


def _bundled(repo, name: str, top: str):
    d = repo / "designs" / name
    return (repo / "libs/demo28/demo28_ss_125C_1p00v_pb0.lib", d / f"fvh_{name if name == 'pe' else 'rv32'}_demo28.v",
            top, d / f"fvh_{name if name == 'pe' else 'rv32'}_demo28.sdc")


@pytest.mark.parametrize("design", ["s38417", "demo", "pe"])
def test_default_propagated_activity_matches_opensta3(design, sta3, tmp_path, repo, request):
    """Default input activity (0.1 per cycle, duty 0.5) propagated through registers
    (s38417: 1,463 flip-flops; demo: RV32 core; pe: latches and a gated clock):
    every group within 1 % of OpenSTA 3.x."""
    from finevh.analysis import run_power
    if design == "s38417":
        lib, v, top, sdc = _s38417(request.getfixturevalue("shared_data"), tmp_path)
    else:
        lib, v, top, sdc = _bundled(repo, design, "fvh_pe" if design == "pe" else "fvh_rv32")
    theirs = _design_vs_sta3(sta3, tmp_path, lib, v, top, sdc)
    _, res, _ = run_power([lib], v, sdc, top=top)
    _assert_groups(res, theirs)
    if design == "pe":       # the gated clock network and its registers
        assert theirs["Clock"]["switching"] > 0 and res.inst_clock.any()


def test_tcl_twin_in_opensta3_shell(sta3, repo, tmp_path):
    """finevh::design_power sourced into OpenSTA 3.x's shell gives that shell's
    report_power totals (bundled PE design, default activity)."""
    lib, v, top, sdc = _bundled(repo, "pe", "fvh_pe")
    script = tmp_path / "twin.tcl"
    script.write_text(f"source {{{repo / 'tcl' / 'finevh.tcl'}}}\n"
                      f"set d [finevh::design_power -liberty {{{lib}}} -verilog {{{v}}} -sdc {{{sdc}}}]\n"
                      "puts \"FINEVH [dict get $d internal_uw] [dict get $d switching_uw] "
                      "[dict get $d leakage_uw]\"\n"
                      f"read_liberty {lib}\nread_verilog {v}\nlink_design {top}\nread_sdc {sdc}\n"
                      "report_power -digits 8\nexit\n")
    env = dict(os.environ, PYTHONPATH=str(repo / "flow"))
    r = subprocess.run([sta3, "-no_init", "-no_splash", "-exit", str(script)], capture_output=True,
                       text=True, timeout=600, env=env)
    assert r.returncode == 0, r.stderr
    m = re.search(r"^FINEVH (\S+) (\S+) (\S+)$", r.stdout, re.M)
    assert m, r.stdout + r.stderr
    total = {mm.group(1): mm for mm in _ROW.finditer(r.stdout)}["Total"]
    for k in range(3):
        assert float(m.group(k + 1)) * 1e-6 == pytest.approx(float(total.group(k + 2)), rel=REL)
