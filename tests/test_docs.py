"""docs/fvh.md "## Results": markers in place and the demo table self-consistent.

Fast checks only. The figures themselves are guarded by
``python3 scripts/gen_fvh_results.py --with-shared --check``, which re-runs the CLI
stages (about a minute) and is not run here.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "fvh.md"
SCRIPT = REPO / "scripts" / "gen_fvh_results.py"
ROW = re.compile(r"^\| (\d+) \| ([\d.]+) \| (\d+) \| ([+\u2212-][\d.]+) % \| ([\d,]+) \| ([\d.]+) % \| ([\d.]+) \|$")


@functools.cache
def _script():
    """scripts/gen_fvh_results.py as a module (nothing runs on import)."""
    spec = importlib.util.spec_from_file_location("gen_fvh_results", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod          # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def _section() -> str:
    text = DOC.read_text(encoding="utf-8")
    g = _script()
    assert text.count(g.BEGIN) == 1 and text.count(g.END) == 1
    a, b = text.index(g.BEGIN), text.index(g.END)
    assert a < b
    heading = text.rfind("\n## ", 0, a)
    assert text[heading:].startswith("\n## Results\n"), "the markers must sit in the Results section"
    assert "\n## " not in text[a:b], "no other section between the markers"
    return text[a + len(g.BEGIN):b]


def parse_demo_table(section: str) -> list[dict]:
    """The demo partition table: tiles, core µm², rows, overhead %, interface cells, share %, delay ns."""
    rows = []
    for line in section.splitlines():
        m = ROW.match(line)
        if m:
            rows.append({"tiles": int(m[1]), "core": float(m[2]), "rows": int(m[3]),
                         "overhead": float(m[4].replace("\u2212", "-")), "cells": int(m[5].replace(",", "")),
                         "share": float(m[6]), "delay": float(m[7])})
    return rows


def test_results_markers():
    sec = _section()
    g = _script()
    for part in g.SHARED_PARTS:
        b, e = g.sub_markers(part)
        assert sec.count(b) == 1 and sec.count(e) == 1 and sec.index(b) < sec.index(e)
        assert sec[sec.index(b) + len(b):sec.index(e)].strip(), f"empty {part} paragraph"
    # the thesis comparison line
    assert "+2.42 / +3.86 / +5.95 %" in sec and "38.44 / 56.89 / 62.65 %" in sec


def test_demo_table_consistent():
    sec = _section()
    rows = parse_demo_table(sec)
    assert len(rows) >= 3, "the demo table has a row per tile count"
    table_lines = [ln for ln in sec.splitlines() if ln.startswith("| ") and ln[2].isdigit()]
    assert len(table_lines) == len(rows), "every table row parses"
    n = [r["tiles"] for r in rows]
    assert n[0] == 1 and all(round(k ** 0.5) ** 2 == k for k in n) and n == sorted(set(n))
    ov = [r["overhead"] for r in rows]
    share = [r["share"] for r in rows]
    assert ov[0] == 0 and all(a < b for a, b in zip(ov, ov[1:])), ov
    assert share[0] == 0 and rows[0]["cells"] == 0 and all(a < b for a, b in zip(share, share[1:])), share
    # overhead is the core growth against N = 1 (core rounded to 0.1 µm², overhead to 0.01 %)
    for r in rows:
        assert r["overhead"] == pytest.approx(100 * (r["core"] / rows[0]["core"] - 1), abs=0.011)
    assert all(a["rows"] <= b["rows"] for a, b in zip(rows, rows[1:]))
    # interface share = interface cells / design cells, the cell count stated before the table
    m = re.search(r"([\d,]+) cells", sec[:sec.index("| tiles")])
    assert m, "the demo paragraph states the design's cell count"
    total = int(m[1].replace(",", ""))
    for r in rows:
        assert r["cells"] < total and r["share"] == pytest.approx(100 * r["cells"] / total, abs=0.006)
    assert all(0 < r["delay"] < 1e3 for r in rows)


def test_script_table_parses_back():
    """The script's table format and this parser agree (a format change cannot pass silently)."""
    g = _script()
    sweep = [{"tiles": t, "core_area_um2": c, "rows": r, "area_overhead_pct": o, "interface_cells": i,
              "interface_share_pct": s, "critical_delay_ns": d}
             for t, c, r, o, i, s, d in [(1, 100.04, 10, 0.0, 0, 0.0, 1.2344),
                                         (4, 110.0, 11, 9.9561, 1234, 12.34, 1.3),
                                         (9, 120.0, 12, 19.951, 2345, 23.449, 1.4)]]
    back = parse_demo_table("\n".join(g.demo_table(sweep)))
    got = [(r["tiles"], r["core"], r["rows"], r["overhead"], r["cells"], r["share"], r["delay"]) for r in back]
    assert got == [(1, 100.0, 10, 0.0, 0, 0.0, 1.234), (4, 110.0, 11, 9.96, 1234, 12.34, 1.3),
                   (9, 120.0, 12, 19.95, 2345, 23.45, 1.4)]
