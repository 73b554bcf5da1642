"""Bad values in a ``finevh run`` config: every one an error naming the file and the line
of its key, exit 2, one line, nothing written; valid edge values still load."""

from __future__ import annotations

import re

import pytest

from runconfig import REPO

DEMO = REPO / "designs" / "demo" / "finevh.toml"

# (section, key = value, message fragment)
BAD = [
    ("activity", "input_activity = [-3.0, 0.5]", "input_activity"),
    ("activity", "input_activity = [nan, 0.5]", "input_activity"),
    ("activity", "input_activity = [inf, 0.5]", "input_activity"),
    ("activity", "input_activity = [0.1, 1.5]", "input_activity"),
    ("activity", "input_activity = [0.1, -0.1]", "input_activity"),
    ("activity", "input_activity = [0.1]", "input_activity"),
    ("activity", 'input_activity = ["a", 0.5]', "input_activity"),
    ("activity", "input_activity = [true, 0.5]", "input_activity"),
    ("design", "place_utilization = 0.0", "place_utilization"),
    ("design", "place_utilization = 1.5", "place_utilization"),
    ("design", "place_utilization = nan", "place_utilization"),
    ("design", 'name = "../../x"', "name"),
    ("design", 'name = "a/b"', "name"),
    ("design", 'name = "-rf"', "name"),
    ("design", 'name = "x\\ny"', "name"),
    ("design", 'name = ".."', "name"),
    ("fvh", "frequencies = 0", "frequencies"),
    ("fvh", "frequencies = -4", "frequencies"),
    ("fvh", "frequencies = 2.5", "frequencies"),
    ("fvh", "vdd_min = nan", "vdd_min"),
    ("fvh", "vdd_min = -0.6", "vdd_min"),
    ("fvh", "vdd_max = inf", "vdd_max"),
    ("fvh", "vdd_max = 0.5", "vdd_min"),
    ("fvh", "grid_step = 0.0", "grid_step"),
    ("fvh", "grid_step = nan", "grid_step"),
    ("fvh", "grid_step = -0.025", "grid_step"),
    ("fvh", "peak_factor = 0.0", "peak_factor"),
    ("fvh", "peak_factor = -4.0", "peak_factor"),
    ("fvh", "peak_factor = nan", "peak_factor"),
    ("fvh", "peak_factor = inf", "peak_factor"),
    ("fvh", "switch_max_ma = -1.0", "switch_max_ma"),
    ("fvh", "switch_max_ma = 0", "switch_max_ma"),
    ("fvh", "switch_max_ma = nan", "switch_max_ma"),
    ("fvh", "wrapper_um = -0.1", "wrapper_um"),
    ("fvh", "wrapper_um = inf", "wrapper_um"),
    ("fvh", "min_per_tile = -1", "min_per_tile"),
    ("fvh", "tiles = [3, 1]", "tiles"),
    ("fvh", "tiles = [3, 1000]", "tiles"),
    ("fvh", "tiles = []", "tiles"),
    ("fvh", "tiles = [3.0]", "tiles"),
    ("fvh", "delta_vdd_mv = [-100]", "delta_vdd_mv"),
    ("fvh", "delta_vdd_mv = [0]", "delta_vdd_mv"),
    ("fvh", "delta_vdd_mv = [150]", "delta_vdd_mv"),
    ("fvh", 'supply_names = ["VDDH", "VDDL", "VSS"]', "supply_names"),
    ("fvh", 'supply_names = ["VDDH", "VDDL", "VSS", "VV_T"]', "supply_names"),
    ("fvh", 'emit = ["openroad", "magic"]', "emit"),
    ("tech", 'polybias_corners = "1.0@SDC,0.8@fast"', "polybias_corners"),
    ("tech", 'polybias_corners = "nan@SDC"', "polybias_corners"),
    ("tech", 'polybias_corners = "-1@SDC"', "polybias_corners"),
    ("tech", "polybias_rounds = 0", "polybias_rounds"),
    ("tech", "polybias_rounds = 1.5", "polybias_rounds"),
    ("tech", 'flavours = ["PB16", 3]', "flavours"),
]


def _config(tmp_path, section: str, line: str):
    """The demo config with ``line`` added to (or replacing the key in) ``section``."""
    text = DEMO.read_text()
    key = line.split("=")[0].strip()
    lines = text.splitlines()
    lines = [ln for ln in lines if not re.match(rf"\s*{re.escape(key)}\s*=", ln)]
    at = lines.index(f"[{section}]") + 1
    lines.insert(at, line)
    p = tmp_path / "c.toml"
    text = "\n".join(lines).replace('"fvh_rv32_demo28.', f'"{DEMO.parent}/fvh_rv32_demo28.') \
        .replace('"../../libs', f'"{REPO}/libs')
    p.write_text(text + "\n")
    return p, at + 1


@pytest.mark.parametrize("section,line,what", BAD, ids=[b[1] for b in BAD])
def test_bad_config_value(section, line, what, tmp_path, run_cli):
    cfg, ln = _config(tmp_path, section, line)
    out = tmp_path / "o"
    code, stdout, err = run_cli("run", cfg, "--out", out)
    lines = err.splitlines()
    assert code == 2 and stdout == "" and len(lines) == 1, err
    assert lines[0].startswith(f"finevh: error: {cfg}:") and "Traceback" not in err
    assert what in lines[0], lines[0]
    if what not in ("vdd_min",):   # vdd_min < vdd_max names the vdd_min line
        assert lines[0].startswith(f"finevh: error: {cfg}:{ln}:"), (lines[0], ln)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.toml"]


@pytest.mark.parametrize("section,line", [("activity", "input_activity = [0.0, 0.0]"),
                                          ("activity", "input_activity = [2, 1]"),
                                          ("fvh", "min_per_tile = 0"), ("fvh", "wrapper_um = 0"),
                                          ("design", 'name = "x.y-z_1"')])
def test_valid_edge_values_load(section, line, tmp_path):
    from finevh.config import load_config

    cfg, _ = _config(tmp_path, section, line)
    load_config(cfg)
