"""The sky130 sample (designs/sky130): OpenROAD's placed gcd with SkyWater's ss -40 C
Liberty and the ngspice k-LUT runs through `finevh run` (4 frequencies here); the
summary carries the intra-tile leakage the LUT gives and the fair baselines."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np


def test_finevh_run_on_the_sky130_sample(repo, shared_data, run_cli, tmp_path):
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
