"""`finevh synth` with relative paths (Yosys runs in a temporary folder) and the
map_to_liberty wrapper sharing the stage's single Yosys script."""

from __future__ import annotations

import shutil

OSU018 = "/usr/share/qflow/tech/osu018/osu018_stdcells.lib"


def test_relative_paths_and_wrapper(tmp_path, repo, monkeypatch, require_tool, run_cli):
    require_tool("yosys")
    shutil.copy(repo / "designs/sample/sample.v", tmp_path / "sample.v")
    shutil.copy(OSU018, tmp_path / "osu.lib")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FINEVH_CACHE", str(tmp_path / "cache"))
    code, out, err = run_cli("-q", "synth", "--rtl", "sample.v", "--top", "sample", "--liberty", "osu.lib",
                             "--out", "net.v")
    assert code == 0, err
    assert "145 cells" in out
    from finevh.synth.yosys import map_to_liberty

    # same script, same cache entry: byte-identical netlist
    p = map_to_liberty(["sample.v"], "osu.lib", "sample")
    assert p.read_bytes() == (tmp_path / "net.v").read_bytes()
