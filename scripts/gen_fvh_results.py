#!/usr/bin/env python3
"""Regenerate the "## Results" section of docs/fvh.md from real runs of the finevh CLI.

Only the text between ``<!-- results:begin -->`` and ``<!-- results:end -->`` is
rewritten. Every figure comes from the JSON reports of the CLI stages run on the
current code (``python -m finevh`` with this checkout's ``flow/`` first on PYTHONPATH);
the script uses no finevh internals, so it keeps working while the stages change.

* Demo (always): the inputs of designs/demo/finevh.toml; ``finevh partition --tiles
  1,<[fvh] tiles> --sdc ... --json``, then at the largest tile count ``finevh vddmux``
  and ``finevh polybias --flavours <[tech] flavours> --levels <hopping levels of
  [fvh] delta_vdd_mv between vdd_min and vdd_max>``, as ``finevh run`` does.
* sky130 HD s38417 and ASAP7 s1196 (``--with-shared``, built like
  tests/test_fvh_stages.py from the third-party data in $FINEVH_SHARED/data, default
  ../shared/data): place, partition, vddmux (sky130) / synth, place, partition,
  polybias (ASAP7). Without ``--with-shared``, or when the data is missing, their
  paragraphs (between ``<!-- results:sky130:begin/end -->`` and
  ``<!-- results:asap7:begin/end -->``) are kept as they are and a note is printed.

    python3 scripts/gen_fvh_results.py --with-shared          # rewrite docs/fvh.md (~1 min)
    python3 scripts/gen_fvh_results.py --with-shared --check  # exit 1 if the doc is stale

Units as in the reports: µm, µm², ns (ASAP7 shown in ps), mA, µW.
"""

from __future__ import annotations

import argparse
import difflib
import glob
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "fvh.md"
DEMO_TOML = REPO / "designs" / "demo" / "finevh.toml"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
SHARED_PARTS = ("sky130", "asap7")
SKY130_PERIOD_NS = 16.0        # the sky130 and ASAP7 clocks of tests/test_fvh_stages.py
ASAP7_PERIOD_PS = 300.0
THESIS = ("(Thesis Table 4.1, RI5CY, for comparison: area overhead +2.42 / +3.86 / +5.95 % and "
          "interface cells 38.44 / 56.89 / 62.65 % at 9 / 25 / 49 tiles.)")


def sub_markers(part: str) -> tuple[str, str]:
    return f"<!-- results:{part}:begin -->", f"<!-- results:{part}:end -->"


# ----------------------------------------------------------------------------- running the CLI
def finevh(*args, cwd: Path) -> str:
    """Run ``python -m finevh -q ARGS`` from this checkout; return its stdout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "flow")] + [p for p in [env.get("PYTHONPATH")] if p])
    cmd = [sys.executable, "-m", "finevh", "-q", *map(str, args)]
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        sys.exit(f"gen_fvh_results: command failed (exit {r.returncode}): finevh {' '.join(cmd[4:])}\n{r.stderr}")
    return r.stdout


def finevh_json(*args, cwd: Path) -> dict:
    return json.loads(finevh(*args, "--json", cwd=cwd))


def opts(flag: str, values) -> list[str]:
    out: list[str] = []
    for v in values:
        out += [flag, str(v)]
    return out


# ----------------------------------------------------------------------------- demo
@dataclass
class DemoInputs:
    """The demo run's inputs, resolved from designs/demo/finevh.toml (absolute paths)."""

    liberty: list[str]
    lef: list[str]
    verilog: str
    def_file: str
    sdc: str
    tiles: list[int]
    flavours: list[str]
    levels: list[float]          # V, every hopping level of every ΔVdd
    activity: list[float]        # transitions per cycle, duty


def _paths(base: Path, items) -> list[str]:
    """Files named by ``items`` (globs sorted), relative to ``base``, first occurrence kept."""
    out: list[str] = []
    for it in [items] if isinstance(items, str) else items:
        pat = str(base / it)
        hits = sorted(glob.glob(pat)) if any(c in it for c in "*?[") else [pat]
        for h in hits:
            h = str(Path(h).resolve())
            if h not in out:
                out.append(h)
    return out


def demo_inputs(toml: Path = DEMO_TOML) -> DemoInputs:
    cfg = tomllib.loads(toml.read_text(encoding="utf-8"))
    d, fvh, tech = cfg["design"], cfg.get("fvh", {}), cfg.get("tech", {})
    lo = round(1000 * fvh.get("vdd_min", 0.60))
    hi = round(1000 * fvh.get("vdd_max", 1.00))
    levels = sorted({mv / 1000 for step in fvh.get("delta_vdd_mv", [200, 100])
                     for mv in range(lo, hi + 1, int(step))})
    base = toml.parent
    return DemoInputs(_paths(base, d["liberty"]), _paths(base, d["lef"]), _paths(base, d["verilog"])[0],
                      _paths(base, d["def"])[0], _paths(base, d["sdc"])[0],
                      sorted({1, *fvh.get("tiles", [3, 5, 7])}), list(tech.get("flavours", [])), levels,
                      list(cfg.get("activity", {}).get("input_activity", [0.1, 0.5])))


def run_demo(w: Path) -> dict:
    """Partition sweep, then Vdd-MUX and poly-bias at the largest tile count."""
    i = demo_inputs()
    design = [*opts("--liberty", i.liberty), "--verilog", i.verilog]
    lef = opts("--lef", i.lef)
    act = ["--input-activity", *map(str, i.activity)]
    sweep = finevh_json("partition", *design, *lef, "--def", i.def_file, "--sdc", i.sdc,
                        "--tiles", ",".join(map(str, i.tiles)), "--out", w / "demo.fvh.json",
                        "--def-out", w / "demo_part.def", cwd=w)["sweep"]
    mux = finevh_json("vddmux", "--plan", w / "demo.fvh.json", *design, *lef, "--def", w / "demo_part.def",
                      "--sdc", i.sdc, *act, cwd=w)
    pb = finevh_json("polybias", "--plan", w / "demo.fvh.json", *design, *lef, "--def", w / "demo_part.def",
                     "--sdc", i.sdc, "--flavours", ",".join(i.flavours),
                     "--levels", ",".join(f"{v:g}" for v in i.levels), *act, cwd=w)
    return {"sweep": sweep, "vddmux": mux, "polybias": pb, "flavours": i.flavours}


# ----------------------------------------------------------------------------- shared data cases
def shared_dir(arg: str | None) -> Path:
    """The third-party data folder, like tests/conftest.py: $FINEVH_SHARED/data or ../shared/data."""
    if arg:
        return Path(arg)
    return Path(os.environ.get("FINEVH_SHARED", REPO.parent / "shared")) / "data"


def run_sky130(s: Path, w: Path) -> dict:
    """s38417 on sky130 HD tt 1.80 V: place, partition 1/3/5/7, reserve switch sites at 49 tiles."""
    lib = s / "liberty/sky130_fd_sc_hd/sky130_fd_sc_hd__tt_025C_1v80.lib.gz"
    design = ["--liberty", lib, "--verilog", s / "mapped/s38417_sky130hd_tt.v"]
    lef = ["--lef", s / "lef/sky130hd/sky130_fd_sc_hd.tlef", "--lef", s / "lef/sky130hd/sky130_fd_sc_hd_merged.lef"]
    sdc = w / "sky.sdc"
    sdc.write_text(f"create_clock -name clk -period {SKY130_PERIOD_NS:g} [get_ports CK]\n"
                   "set_input_delay 0.5 -clock clk [all_inputs]\n"
                   "set_output_delay 0.5 -clock clk [all_outputs]\n")
    finevh("place", *lef, *design, "--out", w / "sky.def", cwd=w)
    sweep = finevh_json("partition", *lef, *design, "--def", w / "sky.def", "--tiles", "1,3,5,7", "--sdc", sdc,
                        "--out", w / "sky.fvh.json", "--def-out", w / "sky_part.def", cwd=w)["sweep"]
    mux = finevh_json("vddmux", "--plan", w / "sky.fvh.json", *lef, *design, "--def", w / "sky_part.def",
                      "--sdc", sdc, "--mux-cell", "sky130_fd_sc_hd__decap_12", "--switch-max-ma", "1.0", cwd=w)
    return {"sweep": sweep, "vddmux": mux}


def run_asap7(s: Path, w: Path) -> dict:
    """s1196 mapped onto ASAP7 SLVT, 300 ps clock: place, partition 1/2/3, poly-bias at 9 tiles."""

    libdir = s / "liberty/asap7"
    parts = ("INVBUF", "SEQ", "SIMPLE", "AO", "OA")
    sl = sorted(f for f in libdir.glob("*_SLVT_*.lib.gz") if any(f"_{p}_" in f.name for p in parts))
    v = w / "s1196_sl.v"
    finevh("synth", "--rtl", s / "netlists/iscas89/s1196.v", "--top", "s1196",
           *[a for f in sl for a in ("--liberty", f)], "--out", v, cwd=w)
    lef = ["--lef", s / "lef/asap7/asap7_tech_1x_201209.lef", "--lef", s / "lef/asap7/asap7sc7p5t_28_SL_1x_220121a.lef"]
    sdc = w / "a7.sdc"
    sdc.write_text(f"create_clock -name clk -period {ASAP7_PERIOD_PS:g} [get_ports CK]\n"
                   "set_input_delay 10 -clock clk [all_inputs]\n"
                   "set_output_delay 10 -clock clk [all_outputs]\n")
    finevh("place", *lef, *opts("--liberty", sl), "--verilog", v, "--utilization", "0.6", "--out", w / "a7.def",
           cwd=w)
    sweep = finevh_json("partition", *lef, *opts("--liberty", sl), "--verilog", v, "--def", w / "a7.def",
                        "--tiles", "1,2,3", "--out", w / "a7.fvh.json", "--def-out", w / "a7_part.def",
                        cwd=w)["sweep"]
    pb = finevh_json("polybias", "--plan", w / "a7.fvh.json", *opts("--liberty", sorted(libdir.glob("*.lib.gz"))),
                     "--verilog", v, "--sdc", sdc, *lef, "--def", w / "a7_part.def", cwd=w)
    return {"sweep": sweep, "polybias": pb}


# ----------------------------------------------------------------------------- text
def _n(x) -> str:
    """An integer with thousands separators."""
    return f"{int(x):,}"


def _num(x: float, fmt: str) -> str:
    """``format(x, fmt)`` with a typographic minus sign, and no negative zero."""
    s = format(x, fmt)
    if s.lstrip("+-").strip("0.") == "":
        s = s.replace("-", "+" if "+" in fmt else "")
    return s.replace("-", "\u2212")


def _joined(values, fmt: str) -> str:
    return " / ".join(_num(v, fmt) for v in values)


def _range(lo: int, hi: int) -> str:
    return f"{lo}" if lo == hi else f"{lo}–{hi}"


def _para(text: str) -> str:
    """One paragraph wrapped like the rest of docs/fvh.md."""
    return textwrap.fill(text, width=88, break_long_words=False, break_on_hyphens=False)


def demo_table(sweep: list[dict]) -> list[str]:
    """The partition sweep as a Markdown table (parsed back by tests/test_docs.py)."""
    lines = ["| tiles | core µm² | rows | area overhead | interface cells | interface share "
             "| critical delay ns |", "|---|---|---|---|---|---|---|"]
    for s in sweep:
        lines.append(f"| {s['tiles']} | {s['core_area_um2']:.1f} | {s['rows']} "
                     f"| {_num(s['area_overhead_pct'], '+.2f')} % | {_n(s['interface_cells'])} "
                     f"| {s['interface_share_pct']:.2f} % | {s['critical_delay_ns']:.3f} |")
    return lines


def _flavour_counts(pb: dict, stage_order: list[str]) -> str:
    """Final flavours of the interface cells, the stages' order first."""
    inter = pb["interface_flavours"]
    order = stage_order + sorted(set(inter) - set(stage_order))
    return ", ".join(f"{f} {_n(inter.get(f, 0))}" for f in order)


def _leakage(pb: dict, fmt: str, word: str = "leakage") -> str:
    return (f"{word} {pb['leakage_before_uw']:{fmt}} → {pb['leakage_after_uw']:{fmt}} µW "
            f"({_num(-pb['leakage_saved_pct'], '+.1f')} %)")


def polybias_text(pb: dict, flavours: list[str]) -> str:
    """The demo's poly-bias paragraph: final flavours, slack per corner kind, leakage."""
    first, fmax = pb["corners"][0], pb["corners"][1:]
    corners = ", ".join(f"`{c['corner'].split('(')[0]}`" for c in pb["corners"])
    out = (f"`finevh polybias --flavours {','.join(flavours)}`, corners {corners}: of "
           f"{_n(pb['interface_cells'])} interface cells, {_flavour_counts(pb, flavours)} "
           f"({_n(pb['swapped_total'])} swaps). Worst slack at the SDC clock "
           f"{first['worst_slack_before_ns']:.3f} → {first['worst_slack_after_ns']:.3f} ns "
           f"(WNS {_num(first['wns_before_ns'], 'g')} → {_num(first['wns_after_ns'], 'g')})")
    if fmax:
        worst = min(c["worst_slack_after_ns"] for c in fmax)
        out += f"; at the fmax corners (0 before, by construction) at worst {_num(1000 * worst, '.2f')} ps after"
    return (out + f". {_leakage(pb, '.1f', 'Leakage')}, of which interface cells "
            f"{pb['interface_leakage_before_uw']:.1f} → {pb['interface_leakage_after_uw']:.1f} µW.")


def demo_text(r: dict) -> str:
    sw, mux, pb = r["sweep"], r["vddmux"], r["polybias"]
    last = sw[-1]
    intro = (f"Demo (`designs/demo/finevh.toml`: the RV32 core on demo28, {_n(sw[0]['cells_per_tile_max'])} "
             f"cells, {pb['clock_ns']:g} ns clock); wrapper from the {last['wrapper_layer']} spacing, rounded "
             f"up to {last['wrapper_x_um']:g} µm between tile columns and {last['wrapper_y_um']:g} µm between "
             f"tile rows. `finevh partition --tiles {','.join(str(s['n']) for s in sw)} --sdc`:")
    vddmux = (f"At {last['tiles']} tiles, `finevh vddmux`: {mux['vddmux_cells']} `{mux['vddmux_cell']}` "
              f"switches ({_range(mux['per_tile_min'], mux['per_tile_max'])} per tile; peak factor "
              f"{mux['peak_factor']:g}, {mux['switch_max_ma']:g} mA per switch, design power "
              f"{mux['clock_power_uw'] / 1000:.2f} mW at the SDC clock) and a chain of {mux['chain_length']} "
              f"`{mux['chain_ff']}`: {mux['area_share_pct']:.2f} % of the core; "
              f"{_n(mux['cells_shifted'])} cells shifted.")
    return "\n\n".join([_para(intro), "\n".join(demo_table(sw)), _para(THESIS), _para(vddmux),
                        _para(polybias_text(pb, r["flavours"]))])


def sky130_text(r: dict) -> str:
    sw, mux = r["sweep"], r["vddmux"]
    base, rest = sw[0], sw[1:]
    return _para(
        f"sky130 HD (ISCAS-89 s38417 as mapped in `../shared/data/mapped`, {_n(base['cells_per_tile_max'])} "
        f"cells, tt {mux['vddh_v']:.2f} V, placed by `finevh place` at {base['utilisation_pct']:.1f} % "
        f"utilisation, {SKY130_PERIOD_NS:g} ns clock, wrapper = {rest[0]['wrapper_layer']} spacing rounded to "
        f"{rest[0]['wrapper_x_um']:g} µm): {_joined([s['tiles'] for s in rest], 'd')} tiles: "
        f"{_joined([s['area_overhead_pct'] for s in rest], '+.2f')} % core area, "
        f"{_joined([s['interface_share_pct'] for s in rest], '.1f')} % interface cells, critical delay "
        f"{base['critical_delay_ns']:.2f} → {_joined([s['critical_delay_ns'] for s in rest], '.2f')} ns; "
        f"at {mux['tiles']} tiles {mux['vddmux_cells']} reserved switch sites "
        f"({_range(mux['per_tile_min'], mux['per_tile_max'])} per tile) and a chain of {mux['chain_length']} "
        f"`{mux['chain_ff'].removeprefix('sky130_fd_sc_hd__')}`: {mux['area_share_pct']:.2f} % of the core.")


def asap7_text(r: dict) -> str:
    sw, pb = r["sweep"], r["polybias"]
    st = pb["stages"]
    stages = ", ".join(f"{s['flavour']} (α_sd {s['alpha_sd_pct']:.1f} %)" for s in st)
    return _para(
        f"ASAP7 (ISCAS-89 s1196 mapped by `finevh synth` onto SLVT, {_n(sw[0]['cells_per_tile_max'])} cells, "
        f"{1000 * pb['clock_ns']:g} ps clock): {_joined([s['tiles'] for s in sw[1:]], 'd')} tiles: "
        f"{_joined([s['area_overhead_pct'] for s in sw[1:]], '+.2f')} % core area. Poly-bias at "
        f"{sw[-1]['tiles']} tiles, stages {stages}: {_n(pb['interface_cells'])} interface cells → "
        f"{_flavour_counts(pb, [s['flavour'] for s in st])}; worst slack {1000 * pb['worst_slack_before_ns']:.1f} "
        f"→ {1000 * pb['worst_slack_after_ns']:.1f} ps (WNS {_num(pb['wns_before_ns'], 'g')} → "
        f"{_num(pb['wns_after_ns'], 'g')}); {_leakage(pb, '.3f')}.")


HEADER = _para("Written by `python3 scripts/gen_fvh_results.py --with-shared` from the JSON reports of the "
               "CLI stages on the current code (the script holds the commands; `--check` exits 1 when this "
               "section is stale). Do not edit by hand.")


# ----------------------------------------------------------------------------- the doc
def split_doc(text: str) -> tuple[str, str, str]:
    """(before, section, after) around the results markers."""
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        sys.exit(f"gen_fvh_results: {DOC}: expected one '{BEGIN}' before one '{END}'")
    a, b = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:a], text[a:b], text[b:]


def kept_part(section: str, part: str) -> str:
    """The current text of a shared-data paragraph (between its sub-markers)."""
    b, e = sub_markers(part)
    if section.count(b) != 1 or section.count(e) != 1:
        sys.exit(f"gen_fvh_results: {DOC}: the results section needs one '{b}' ... '{e}' pair")
    return section[section.index(b) + len(b):section.index(e)].strip("\n")


def build_section(demo: str, parts: dict[str, str]) -> str:
    chunks = [HEADER, demo]
    for p in SHARED_PARTS:
        b, e = sub_markers(p)
        chunks.append(f"{b}\n{parts[p]}\n{e}")
    return "\n" + "\n\n".join(chunks) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 if docs/fvh.md differs")
    ap.add_argument("--with-shared", action="store_true",
                    help="also regenerate the sky130 and ASAP7 paragraphs from the third-party data")
    ap.add_argument("--shared", metavar="DIR", help="third-party data folder (default $FINEVH_SHARED/data "
                    "or ../shared/data)")
    a = ap.parse_args(argv)
    text = DOC.read_text(encoding="utf-8")
    before, section, after = split_doc(text)
    parts = {p: kept_part(section, p) for p in SHARED_PARTS}
    s = shared_dir(a.shared)
    with tempfile.TemporaryDirectory(prefix="gen_fvh_results_") as tmp:
        w = Path(tmp)
        demo = demo_text(run_demo(w))
        if a.with_shared and s.is_dir():
            parts["sky130"] = sky130_text(run_sky130(s, w))
            parts["asap7"] = asap7_text(run_asap7(s, w))
        else:
            why = f"shared data folder {s} not found" if a.with_shared else "no --with-shared"
            print(f"gen_fvh_results: note: {why}: the sky130 and ASAP7 paragraphs are kept as they are",
                  file=sys.stderr)
    new = before + build_section(demo, parts) + after
    if a.check:
        if new != text:
            sys.stderr.writelines(difflib.unified_diff(text.splitlines(True), new.splitlines(True),
                                                       str(DOC), "regenerated"))
            print(f"gen_fvh_results: {DOC.relative_to(REPO)} is stale: run scripts/gen_fvh_results.py",
                  file=sys.stderr)
            return 1
        print(f"gen_fvh_results: {DOC.relative_to(REPO)} is current")
        return 0
    if new != text:
        tmpf = DOC.with_name(DOC.name + ".tmp")
        tmpf.write_text(new, encoding="utf-8")
        tmpf.replace(DOC)
    print(f"gen_fvh_results: {DOC.relative_to(REPO)} {'rewritten' if new != text else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
