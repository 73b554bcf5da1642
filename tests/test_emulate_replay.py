"""The emulation's STA runs replayed in OpenSTA 3.x: the same sequence of re-bindings
(``replace_cell`` onto renamed per-supply, per-flavour library copies, then the worst
setup slack) gives the worst slack finevh found at every run (bench/bench_emulate.py
times the same replay on the 128k-cell array)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import finevh.fvh.emulate as E
from conftest import need
from runconfig import demo28_run_config
from sta_replay import parse_replay, write_replay

REPO = Path(__file__).resolve().parents[1]
PE = REPO / "designs/pe/fvh_pe_demo28"


def test_emulation_runs_replayed_in_opensta3_give_the_same_worst_slack(sta3, tmp_path, monkeypatch):
    from finevh.run import load_config, run_flow

    need(Path(f"{PE}.v").is_file(), "designs/pe")
    emus = []
    init = E.Emulator.__init__

    def traced(self, *a, **k):
        init(self, *a, **k)
        self.start_trace()
        emus.append(self)

    monkeypatch.setattr(E.Emulator, "__init__", traced)
    cfg = demo28_run_config(tmp_path / "pe.toml", name="pe", verilog=Path(f"{PE}.v"), def_file=Path(f"{PE}.def"),
                            sdc=Path(f"{PE}.sdc"), tiles=[2], delta_vdd_mv=[200], frequencies=3, emit=[])
    res = run_flow(load_config(cfg))
    emu = emus[0]
    assert len(emu.trace) == emu.sta_runs == res.timings["sta_runs"]
    # every run but the first re-binds something, and the runs cover several variants
    assert all(len(r.insts) for r in emu.trace[1:]) and len({r.variant for r in emu.trace}) >= 3
    rp = write_replay(emu.design, emu.trace, emu.trace_wire_cap, Path(f"{PE}.v"), "fvh_pe", Path(f"{PE}.sdc"),
                      tmp_path, REPO / "libs/demo28/demo28_ss_125C_1p00v_pb0.lib")
    # runs at supplies between the characterised 50 mV steps have no Liberty file
    assert len(emu.trace) // 2 <= len(rp.runs) < len(emu.trace) and rp.replaced > 959
    out = subprocess.run([sta3, "-no_init", "-exit", str(rp.script)], capture_output=True, text=True, cwd=tmp_path,
                         timeout=600)
    wns, user_s, _ = parse_replay(out.stdout + out.stderr)
    assert "Warning" not in out.stdout + out.stderr
    assert sorted(wns) == rp.runs
    worst = max(abs(wns[r] - emu.trace[r].worst_slack_ns) for r in rp.runs)
    assert worst < 1e-3, worst                                  # 1 ps
    assert len({round(w, 4) for w in wns.values()}) > 5         # the re-bindings really move the slack
    assert user_s > 0
