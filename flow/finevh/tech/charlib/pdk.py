"""SkyWater sky130 SPICE data for the characteriser: archives extracted once into a
cache folder, a lean model file per corner, cell netlists and the low-Vt swap.

The shared folder (``$FINEVH_SHARED/data/sky130_spice``) holds two archives: the
primitive library (device models) and the HD cell netlists. :func:`sky130_root`
extracts them side by side into ``<cache>/sky130_spice/<digest>/`` (``sky130_fd_pr/``
and ``sky130_fd_sc_hd/``) the first time and reuses that folder afterwards; they are
never copied into the repository.

The corner files of the primitive library include every device of the PDK, which
takes ngspice ~5 s to load. :func:`model_file` writes a lean equivalent that
includes only the 1.8 V MOSFETs the logic cells use (``nfet_01v8``, ``pfet_01v8``,
``pfet_01v8_hvt`` and their low-Vt twins) with the same corner and mismatch cards and
the same global parameters, with the binned cards moved out of their subckt wrappers
(:func:`flat_netlist` turns the cells' ``X`` device calls into ``M`` devices): ~1 s
to load and no per-transistor copy of the cards, identical results (checked by a test).
"""

from __future__ import annotations

import os
import re
import shutil
import tarfile
import tempfile
from pathlib import Path

from ...errors import InputError
from ...fileio import cache_dir, file_digest, read_text, write_text_atomic

PR_ARCHIVE = "sky130_fd_pr-spice-*.tar.gz"
SC_ARCHIVE = "sky130_fd_sc_hd-spice-*.tar.gz"
CORNERS = ("tt", "ss", "ff", "sf", "fs")
#: devices of the HD logic cells; the low-Vt flavour maps each to its lvt twin
DEVICES = ("nfet_01v8", "nfet_01v8_lvt", "pfet_01v8", "pfet_01v8_lvt", "pfet_01v8_hvt")
LVT_SWAP = {"sky130_fd_pr__nfet_01v8": "sky130_fd_pr__nfet_01v8_lvt",
            "sky130_fd_pr__pfet_01v8_hvt": "sky130_fd_pr__pfet_01v8_lvt",
            "sky130_fd_pr__pfet_01v8": "sky130_fd_pr__pfet_01v8_lvt"}
#: smallest (W, L) in um the lvt model bins accept (ngspice: "could not find a valid
#: modelname" below them): nfet_01v8_lvt W >= 0.42, L >= 0.15; pfet_01v8_lvt L >= 0.35
LVT_MIN_WL_UM = {"sky130_fd_pr__nfet_01v8_lvt": (0.42, 0.15), "sky130_fd_pr__pfet_01v8_lvt": (0.42, 0.35)}


def default_pdk_dir() -> Path:
    """``$FINEVH_SHARED/data/sky130_spice`` (FINEVH_SHARED defaults to ../shared)."""
    return Path(os.environ.get("FINEVH_SHARED", "../shared")) / "data" / "sky130_spice"


def _archive(pdk_dir: Path, pattern: str) -> Path:
    hits = sorted(pdk_dir.glob(pattern))
    if not hits:
        raise InputError(f"no archive {pattern} in the sky130 SPICE folder", pdk_dir)
    return hits[-1]


def sky130_root(pdk_dir: str | Path | None = None) -> Path:
    """Folder holding ``sky130_fd_pr/`` and ``sky130_fd_sc_hd/``, extracted once into
    the finevh cache (keyed by the archives' digests) and reused afterwards."""
    src = Path(pdk_dir) if pdk_dir is not None else default_pdk_dir()
    if not src.is_dir():
        raise InputError("no such sky130 SPICE folder", src)
    pr, sc = _archive(src, PR_ARCHIVE), _archive(src, SC_ARCHIVE)
    key = file_digest(pr, file_digest(sc))[:16]
    root = cache_dir() / "sky130_spice" / key
    if (root / "COMPLETE").is_file():
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".extract-", dir=root.parent))
    try:
        for arc, sub in ((pr, "sky130_fd_pr"), (sc, "sky130_fd_sc_hd")):
            with tarfile.open(arc) as t:
                t.extractall(tmp / sub, filter="data")
        (tmp / "COMPLETE").write_text("extracted\n")
        try:
            tmp.rename(root)
        except OSError:          # another process finished first
            if not (root / "COMPLETE").is_file():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return root


_SUBCKT_LINES = re.compile(r"^(\.subckt\s+sky130_fd_pr__\w+\s+d\s+g\s+s\s+b\s*$|\+\s*$|\.param\s+l\s*=.*$|"
                           r"m(sky130_fd_pr__\w+)\s+d\s+g\s+s\s+b\s+.*$|\.ends\b.*$)", re.M | re.I)


def _flat_card(src: Path, dst: Path) -> Path:
    """``src`` (a MOSFET ``.pm3`` file: binned model cards inside a 4-terminal subckt)
    as top-level model cards: the wrapper lines go and the mismatch terms'
    ``sqrt(l*w*mult)`` (multiplied by a zero ``*_slope_spectre`` outside Monte Carlo)
    becomes 1, so ngspice parses the cards once instead of once per transistor
    (which made decks with a few hundred transistors take minutes to set up)."""
    text = _SUBCKT_LINES.sub("", read_text(src)).replace("sqrt(l*w*mult)", "1")
    if not dst.is_file() or dst.read_text() != text:
        dst.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(dst, text)
    return dst


def _flat_corner(card: Path, flat_dir: Path) -> Path:
    """The corner card with its ``.pm3`` include(s) pointing at flattened copies."""
    def inc(m: re.Match) -> str:
        src = card.parent / m.group(1)
        return f'.include "{_flat_card(src, flat_dir / src.name)}"'
    text = re.sub(r'^\.include\s+"([^"]+\.pm3\.spice)"', inc, read_text(card), flags=re.M)
    dst = flat_dir / card.name
    if not dst.is_file() or dst.read_text() != text:
        write_text_atomic(dst, text)
    return dst


def flat_netlist(text: str) -> str:
    """Cell netlist with its ``X`` MOSFET subckt calls as ``M`` devices of the flat
    binned models (same terminals, W and L; see :func:`model_file`)."""
    return re.sub(r"^X(\S+)(\s+\S+\s+\S+\s+\S+\s+\S+\s+)(sky130_fd_pr__\w+)\b",
                  lambda m: f"M{m.group(1)}{m.group(2)}{m.group(3)}__model", text, flags=re.M | re.I)


#: SkyWater's schematic (CDL) stress parameters of every HD-cell MOSFET, um: gate to
#: diffusion edge on either side (BSIM4 SA/SB) and gate-to-gate spacing (SD). The
#: layout-extracted SPICE netlists carry none, and BSIM4 then skips its stress model
#: (as if SA = SAREF, 1-3 um): hole mobility and |Vth| of the 0.15 um PMOS come out as
#: for a long diffusion (slower), NMOS mobility higher (faster).
STRESS_UM = {"sa": 0.265, "sb": 0.265, "sd": 0.28}
#: diffusion length from the gate, um, of an end (unshared) source/drain and of one
#: side of a diffusion shared by two gates (half of the 0.27 um between them): the
#: HD layouts' values, as magic's extraction of them writes AS/AD/PS/PD
DIFF_END_UM, DIFF_SHARED_UM = 0.26, 0.135
_RAILS = {"VPWR", "VGND", "VPB", "VNB", "KAPWR", "VPWRIN", "LOWLVPWR", "VSS", "VDD"}
_DEVLINE = re.compile(r"^(X\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(sky130_fd_pr__(n|p)fet\w*)(.*)$", re.M | re.I)


def layout_geometry(text: str) -> str:
    """The netlist with the geometry its MOSFET lines lack: :data:`STRESS_UM` on every
    device, and source/drain junction areas and perimeters (AS/AD/PS/PD, um^2 / um
    under ``.option scale=1u``, perimeters including the gate edge) from the diffusion
    sharing the topology implies: a non-supply net reached by the source/drain of two
    or more devices of the same polarity sits on diffusion shared between gates
    (:data:`DIFF_SHARED_UM` per device), any other one on an end diffusion
    (:data:`DIFF_END_UM`). Lines that already give a value keep it."""
    devs = list(_DEVLINE.finditer(text))
    count: dict[tuple[str, str], int] = {}
    for m in devs:
        for net in (m.group(2), m.group(4)):
            count[(net, m.group(7).lower())] = count.get((net, m.group(7).lower()), 0) + 1

    def sized(m: re.Match) -> str:
        rest = m.group(8)
        have = {k.lower() for k in re.findall(r"\b(\w+)\s*=", rest)}
        wm = re.search(r"\bw=([0-9.eE+-]+)(u?)\b", rest, re.I)
        # um under .option scale=1u: "w=650000u" is 0.65, so is a bare "w=0.65"
        w = float(wm.group(1)) * (1e-6 if wm.group(2) else 1.0) if wm else 0.0
        extra = dict(STRESS_UM)
        for term, net in (("d", m.group(2)), ("s", m.group(4))):
            if net.upper() in _RAILS or count[(net, m.group(7).lower())] < 2:
                ln = DIFF_END_UM
                extra[f"p{term}"] = 2 * (w + ln)
            else:
                ln = DIFF_SHARED_UM
                extra[f"p{term}"] = w + 2 * ln
            extra[f"a{term}"] = w * ln
        add = " ".join(f"{k}={v:.6g}" for k, v in extra.items() if k not in have)
        return m.group(0) + (" " + add if add else "")
    return _DEVLINE.sub(sized, text)


def model_file(root: Path, corner: str) -> Path:
    """Lean model file of ``corner`` (tt/ss/ff/sf/fs) under ``root`` (see module doc)."""
    if corner not in CORNERS:
        raise InputError(f"unknown corner '{corner}' (one of {', '.join(CORNERS)})")
    cells = root / "sky130_fd_pr" / "cells"
    models = root / "sky130_fd_pr" / "models"
    lines = [f"* finevh charlib: sky130 1.8 V MOSFETs, corner {corner}", ".option scale=1.0u",
             f'.include "{models / "parameters" / "lod.spice"}"',
             ".param lv_dlc_rotweak=0 lvhvt_dlc_rotweak=0 lvt_dlc_rotweak=0"]
    for d in DEVICES:
        tag = "lvhvt" if d == "pfet_01v8_hvt" else "lvt" if d.endswith("lvt") else "lv"
        lines.append(f"+ sky130_fd_pr__{d}__dlc_rotweak = {tag}_dlc_rotweak")
    for d in DEVICES:
        card = cells / d / f"sky130_fd_pr__{d}__{corner}.corner.spice"
        if not card.is_file():
            card = cells / d / f"sky130_fd_pr__{d}__{corner}.pm3.spice"
        lines.append(f'.include "{_flat_corner(card, root / "flat" / corner)}"')
    for d in DEVICES:
        lines.append(f'.include "{cells / d / f"sky130_fd_pr__{d}__mismatch.corner.spice"}"')
    path = root / f"finevh_models_{corner}.spice"
    text = "\n".join(lines) + "\n"
    if not path.is_file() or path.read_text() != text:
        write_text_atomic(path, text)
    return path


def cell_netlist(root: Path, cell: str) -> tuple[Path, str]:
    """(path, text) of the HD netlist of ``cell`` (``sky130_fd_sc_hd__<base>_<drive>``)."""
    m = re.fullmatch(r"sky130_fd_sc_hd__(\w+?)_(\d+)", cell)
    if m is None:
        raise InputError(f"'{cell}' is no sky130_fd_sc_hd cell name (sky130_fd_sc_hd__<base>_<drive>)")
    path = root / "sky130_fd_sc_hd" / "cells" / m.group(1) / f"{cell}.spice"
    if not path.is_file():
        raise InputError(f"no SPICE netlist for {cell}", path)
    return path, read_text(path)


_DEV = re.compile(r"^(X\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+)(sky130_fd_pr__\w+)(.*)$", re.M | re.I)
_WL = re.compile(r"\b([wl])=([0-9.eE+-]+)u\b")


def lvt_netlist(text: str, suffix: str) -> str:
    """The netlist with its MOSFETs swapped to the low-Vt devices (:data:`LVT_SWAP`)
    and every subckt renamed ``<name><suffix>``. A width or length below the lvt
    model's smallest bin (:data:`LVT_MIN_WL_UM`) is raised to it (netlist sizes are
    written as um * 1e6 with the ``u`` suffix under ``.option scale=1u``)."""
    def dev(m: re.Match) -> str:
        model = LVT_SWAP.get(m.group(2).lower(), m.group(2))
        mins = LVT_MIN_WL_UM.get(model)
        rest = m.group(3)
        if mins is not None:
            def fix(mm: re.Match) -> str:
                lo = mins[0] if mm.group(1).lower() == "w" else mins[1]
                val = float(mm.group(2)) * 1e-6
                return f"{mm.group(1)}={lo * 1e6:.0f}u" if val < lo - 1e-9 else mm.group(0)
            rest = _WL.sub(fix, rest)
        return m.group(1) + model + rest
    out = _DEV.sub(dev, text)
    return re.sub(r"^(\.subckt\s+)(\S+)", lambda m: m.group(1) + m.group(2) + suffix, out, flags=re.M | re.I)
