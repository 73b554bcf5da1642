"""The sky130 sample (designs/sky130): OpenROAD's placed gcd with SkyWater's ss -40 C
Liberty and the ngspice k-LUT runs through `finevh run` (4 frequencies here); the
summary carries the intra-tile leakage the LUT gives and the fair baselines. The
two-flavour sample (finevh_2flavour.toml: our ngspice low-Vt base and standard-Vt
flavour, gcd re-mapped onto the 34 characterised cells) runs the poly-bias/threshold
stage with real twins."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import numpy as np


def test_finevh_run_on_the_sky130_sample(repo, shared_data, run_cli, tmp_path, require_tool):
    require_tool("yosys")  # make.sh also re-maps the gcd for the two-flavour sample
    here = repo / "designs" / "sky130"
    build = tmp_path / "build"
    subprocess.run(["sh", str(here / "make.sh"), str(build)], check=True, capture_output=True)
    v = (build / "gcd.v").read_text()
    assert v.count("sky130_fd_sc_hd__") == 347 and "fill_" not in v and "tapvpwrvgnd" not in v
    cfg = (here / "finevh.toml").read_text().replace('"../../libs/sky130/', f'"{repo}/libs/sky130/')
    (tmp_path / "finevh.toml").write_text(cfg)
    shutil.copy(here / "gcd.sdc", tmp_path / "gcd.sdc")
    code, _so, se = run_cli("run", tmp_path / "finevh.toml", "--out", tmp_path / "out", "--frequencies", "4",
                            "--quiet")
    assert code == 0, se
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert s["vdd_grid_v"][0] == 1.40 and s["vdd_grid_v"][-1] == 1.76
    leak_intra = [np.asarray(s["360mV"]["tiles"][n]["parts_uw"]["intra_tile_uw"]) for n in ("4", "9")]
    # the LUT is read: intra-tile leakage is not the k = 1 zero at every point
    assert any(np.abs(x).max() > 0.0 for x in leak_intra)
    fair = s["360mV"]["fair"]["none"]
    assert len(fair["strongest_baseline"]) == 4


def _charlib_cells(repo) -> set[str]:
    lines = (repo / "scripts" / "sky130_charlib_cells.txt").read_text().splitlines()
    return {w for ln in lines if not ln.startswith("#") for w in ln.split()}


def test_finevh_run_on_the_two_flavour_sky130_sample(repo, shared_data, run_cli, tmp_path, require_tool):
    require_tool("yosys")
    here = repo / "designs" / "sky130"
    build = tmp_path / "build"
    subprocess.run(["sh", str(here / "make.sh"), str(build)], check=True, capture_output=True)
    # the re-mapped gcd uses only characterised cells; the low-Vt copies carry plain names
    v = (build / "gcd_2flavour.v").read_text()
    used = set(re.findall(r"\b(sky130_fd_sc_hd__\w+) ", v))
    assert len(used) > 20 and used <= _charlib_cells(repo)
    assert v.count("sky130_fd_sc_hd__dfxtp_1 ") == 35  # the gcd's 35 flip-flops
    for volt in ("1v40", "1v76"):
        lvt = (build / f"sky130_fd_sc_hd_lvt__ss_n40C_{volt}.lib").read_text()
        assert "__lvt\")" not in lvt and lvt.count('cell ("sky130_fd_sc_hd__') == 34
    cfg = (here / "finevh_2flavour.toml").read_text().replace('"../../libs/sky130/', f'"{repo}/libs/sky130/')
    (tmp_path / "finevh_2flavour.toml").write_text(cfg)
    shutil.copy(here / "gcd.sdc", tmp_path / "gcd.sdc")
    code, _so, se = run_cli("run", tmp_path / "finevh_2flavour.toml", "--out", tmp_path / "out",
                            "--frequencies", "4", "--quiet")
    assert code == 0, se
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert s["vdd_grid_v"][0] == 1.40 and s["vdd_grid_v"][-1] == 1.76
    # two flavours in use: interface cells swapped LVT -> SVT at both tile counts, and the
    # leakage-recovery baseline swaps too
    for n in ("4", "9"):
        pb = s["polybias"][n]
        assert pb["instances"] == len(re.findall(r"^\s*sky130_fd_sc_hd__", v, re.M))
        assert pb["swapped"]["SVT"] > 0 and set(pb["interface_flavours"]) == {"LVT", "SVT"}
        assert pb["worst_slack_after_ns"] >= 0.0
        # the stage measured SVT's slow-down from the twin tables at 1.76 V (2x2 vs 4x4)
        a = pb["corners"][0]["alpha_sd_pct"]["SVT"]
        assert 20.0 < a < 200.0
    assert s["leakage_recovery"]["swapped"]["SVT"] > 0
    # the k-LUT (flavour SVT) is read: intra-tile leakage is not zero everywhere, and
    # positive at some point
    parts = [np.asarray(s["360mV"]["tiles"][n]["parts_uw"]["intra_tile_uw"]) for n in ("4", "9")]
    assert max(float(x.max()) for x in parts) > 0.0
    fair = s["360mV"]["fair"]["pb"]
    assert len(fair["strongest_baseline"]) == 4 and len(fair["vs_strongest_pct"]) == 4
    assert set(fair["mean_vs_pct"]) == {"leakage_recovered", "same_cells", "thesis"}


def test_slowdown_compares_a_coarse_table_on_the_points_of_a_fine_one():
    """The low-Vt tables are 2x2 on the corners of the standard set's 4x4: alpha_sd reads
    the 4x4 at those corners; tables whose indices are not a subset give no ratio."""
    from finevh.fvh.polybias import _table_ratio
    from finevh.liberty.model import Table

    var = ("input_net_transition", "total_output_net_capacitance")
    fine = Table(var, (np.array([0.01, 0.1, 1.0, 1.5]), np.array([0.001, 0.01, 0.1, 0.2])),
                 np.arange(1.0, 17.0).reshape(4, 4))
    coarse = Table(var, (np.array([0.01, 1.5]), np.array([0.001, 0.2])), np.array([[0.5, 2.0], [6.5, 8.0]]))
    assert _table_ratio(coarse, fine) == [2.0, 2.0, 2.0, 2.0]
    assert _table_ratio(fine, coarse) == [0.5, 0.5, 0.5, 0.5]
    off = Table(var, (np.array([0.02, 1.5]), np.array([0.001, 0.2])), np.array([[1.0, 1.0], [1.0, 1.0]]))
    assert _table_ratio(off, fine) == []
