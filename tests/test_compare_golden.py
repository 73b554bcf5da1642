"""Regression against the checked-in goldens (reports/golden/, like OpenROAD's
test/*.ok): re-run each golden's steps and compare with `finevh compare`."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "reports" / "golden"
# goldens are rounded to 6 significant digits by their writers: allow a few ulps of
# that rounding to move across numpy/BLAS versions, nothing a real change would hide in
RTOL = 1e-4


def _updater():
    spec = importlib.util.spec_from_file_location("finevh_golden_update", GOLDEN / "update.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


UPD = _updater()
ENTRIES = {e["name"]: e for e in UPD.load()}


def test_every_golden_is_checked_in():
    assert sorted(ENTRIES) == ["demo", "sample"]
    for name, e in ENTRIES.items():
        for rel in e["keep"]:
            p = GOLDEN / name / rel
            assert p.is_file() and p.stat().st_size > 0, p


@pytest.fixture(scope="module")
def rerun(tmp_path_factory, require_tool):
    cache: dict[str, Path] = {}

    def _run(name: str) -> Path:
        if name not in cache:
            e = ENTRIES[name]
            miss = UPD.missing_needs(e)
            if miss:
                require_tool(f"golden input {miss[0]}")      # skip / fail under FINEVH_REQUIRE_TOOLS
            cache[name] = UPD.run_golden(e, tmp_path_factory.mktemp(name) / "out")
        return cache[name]

    return _run


@pytest.mark.parametrize("name", ["sample", "demo"])
def test_rerun_matches_golden(name, rerun, run_cli):
    out = rerun(name)
    code, text, err = run_cli("compare", out, GOLDEN / name, "--rtol", str(RTOL))
    assert code == 0, text + err
    n = int(text.split()[1])
    assert n > (40 if name == "sample" else 300), text      # figures actually compared


def test_demo_golden_trends():
    """What the golden itself says (thesis §4.1.4 signs on the demo, 9 tiles)."""
    s = json.loads((GOLDEN / "demo" / "summary.json").read_text())
    assert s["tiles_run"] == [9] and len(s["frequencies_mhz"]) == 4
    for dv in ("200mV", "100mV"):
        b = s[dv]
        # Vdd-Hopping never beats ideal-DVFS; dithering lies between them
        for i, d, h in zip(b["ideal_dvfs_uw"], b["vdd_dithering_uw"], b["vdd_hopping_uw"]):
            assert i <= d * (1 + 1e-9) <= h * (1 + 1e-9)
        # FINE-VH with poly-bias below Vdd-Hopping on average over the sweep (with only
        # 9 tiles not at every point: one 3 x 3 tile may hold the whole critical path)
        assert sum(b["fine_vh_uw"]) < sum(b["vdd_hopping_uw"])
        # poly-bias helps: without it FINE-VH needs more power on average
        assert sum(b["fine_vh_no_pb_uw"]) > sum(b["fine_vh_uw"])


def test_compare_catches_a_moved_golden_figure(tmp_path, rerun, run_cli):
    out = rerun("sample")
    g = tmp_path / "golden"
    shutil.copytree(GOLDEN / "sample", g)
    p = json.loads((g / "power.json").read_text())
    p["total_uw"] *= 1.01
    (g / "power.json").write_text(json.dumps(p, indent=2))
    code, text, _ = run_cli("compare", out, g, "--rtol", str(RTOL))
    assert code == 1
    assert "power.json  total_uw" in text and "-0.9901%" in text
    assert text.splitlines()[-1].startswith("compare: 1 of ")


def test_demo_run_report_renders_in_chromium(rerun, require_tool, tmp_path):
    """The report `finevh run` wrote for the re-run demo golden, in headless Chromium."""
    import subprocess

    chromium = require_tool("chromium")
    html = rerun("demo") / "report.html"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'ud'}"]
    r = subprocess.run([chromium, *flags, "--dump-dom", html.resolve().as_uri()], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    dom = r.stdout
    # power, savings, poly-bias, VddL share, flavours (SVG) + 2 tile maps (PNG)
    assert dom.count('src="data:image/svg+xml;base64,') == 5
    assert dom.count('src="data:image/png;base64,') == 2
    assert '<table id="summary">' in dom and '<table id="flavours">' in dom
    assert dom.count("<tr><td>200mV</td><td>9</td>") == 1 and dom.count("<tr><td>100mV</td><td>9</td>") == 1
