"""The committed sample placements regenerate byte-identically from their committed
netlists with the placer options of their make.sh (a placer change must come with
regenerated DEFs and goldens: `designs/*/make.sh`, `reports/golden/update.py`)."""

from __future__ import annotations

import re

import pytest


@pytest.mark.parametrize("design,stem", [("demo", "fvh_rv32_demo28"), ("pe", "fvh_pe_demo28")])
def test_committed_def_regenerates(design, stem, repo, tmp_path, run_cli):
    here = repo / "designs" / design
    place = (here / "make.sh").read_text().replace("\\\n", " ").split("finevh place", 1)[1]
    opts = dict(re.findall(r"(--utilization|--seed)\s+(\S+)", place))
    assert set(opts) == {"--utilization", "--seed"}, place
    code, _, err = run_cli("-q", "place", "--lef", repo / "libs/demo28/demo28.lef",
                           "--liberty", repo / "libs/demo28/demo28_ss_125C_1p00v_pb0.lib",
                           "--verilog", here / f"{stem}.v", *[x for kv in opts.items() for x in kv],
                           "--out", tmp_path / f"{stem}.def")
    assert code == 0, err
    assert (tmp_path / f"{stem}.def").read_bytes() == (here / f"{stem}.def").read_bytes()
