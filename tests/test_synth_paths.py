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


def test_several_liberty_files(tmp_path, repo, monkeypatch, shared_data, require_tool, run_cli):
    """ASAP7 ships one Liberty file per cell family: `--liberty` repeated maps onto all of
    them (flip-flops from the SEQ file, logic from the others); a missing one is exit 2."""
    require_tool("yosys")
    monkeypatch.setenv("FINEVH_CACHE", str(tmp_path / "cache"))
    libdir = shared_data / "liberty/asap7"
    files = sorted(f for f in libdir.glob("*_RVT_*.lib.gz") if any(f"_{p}_" in f.name for p in ("INVBUF", "SEQ", "SIMPLE")))
    assert len(files) == 3, files
    libs = [a for f in files for a in ("--liberty", f)]
    code, out, err = run_cli("-q", "synth", "--rtl", repo / "designs/sample/sample.v", "--top", "sample", *libs,
                             "--out", tmp_path / "net.v")
    assert code == 0, err
    text = (tmp_path / "net.v").read_text()
    assert "DFFHQNx1_ASAP7_75t_R" in text and "INVx1_ASAP7_75t_R" in text, text[:2000]
    code, _, err = run_cli("-q", "synth", "--rtl", repo / "designs/sample/sample.v", "--top", "sample", *libs,
                           "--liberty", tmp_path / "none.lib", "--out", tmp_path / "net2.v")
    assert code == 2 and "none.lib" in err and err.count("\n") == 1, err
    assert not (tmp_path / "net2.v").exists()
