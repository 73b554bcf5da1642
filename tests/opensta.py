"""Small harness around the reference tool OpenSTA (Debian ``opensta``, command ``sta``).

Used by the timing tests, the power tests and the benches to run OpenSTA on the same
inputs as finevh and read back its numbers. Nothing here knows about finevh.

- :func:`prepare_liberty` gives a plain ``.lib`` OpenSTA can read (it cannot read
  ``.lib.gz``), optionally with every cell and the library renamed with a suffix
  (the ``_VL`` trick for multi-voltage designs, see ``../shared/TOOLS.md``).
- :func:`design_script` writes the usual read/link/constrain preamble.
- :func:`run_sta` runs a Tcl script and returns its standard output.
- Parsers for ``report_checks -format end``, ``report_wns``/``report_tns`` and
  ``report_power``.

Times are in the library's time unit as OpenSTA prints them (ns for the libraries
used here unless a script sets ``set_cmd_units``).
"""

from __future__ import annotations

import gzip
import hashlib
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

#: report_checks command giving one line per constrained endpoint (setup).
ENDPOINT_REPORT = "report_checks -path_delay max -format end -group_count 1000000 -endpoint_count 1 -digits 6"

_CELL_RE = re.compile(r"^(\s*cell\s*\(\s*)\"?([^\")\s]+)\"?(\s*\))", re.M)
_LIB_RE = re.compile(r"^(\s*library\s*\(\s*)\"?([^\")\s]+)\"?(\s*\))", re.M)


def sta_path() -> str | None:
    return shutil.which("sta")


def prepare_liberty(src: str | Path, workdir: str | Path, suffix: str = "") -> Path:
    """Copy ``src`` (``.lib`` or ``.lib.gz``) into ``workdir`` as a plain ``.lib``.

    With ``suffix`` every ``cell (NAME)`` becomes ``cell (NAME<suffix>)`` and the library
    is renamed ``<name><suffix>``. Results are reused when already present.
    """
    src = Path(src)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    stem = src.name[:-3] if src.name.endswith(".gz") else src.name
    stem = stem[:-4] if stem.endswith(".lib") else stem
    dst = workdir / f"{stem}{suffix}.lib"
    if dst.exists():
        return dst
    if src.suffix == ".gz":
        with gzip.open(src, "rt", encoding="utf-8", errors="replace") as f:
            text = f.read()
    else:
        text = src.read_text(encoding="utf-8", errors="replace")
    if suffix:
        text = _CELL_RE.sub(lambda m: f"{m.group(1)}\"{m.group(2)}{suffix}\"{m.group(3)}", text)
        text = _LIB_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}{suffix}{m.group(3)}", text, count=1)
    tmp = dst.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(dst)
    return dst


def rename_instances_cells(verilog_text: str, inst_cells: dict[str, str]) -> str:
    """Rewrite the master of the named instances (``{instance: new_cell}``) in a flat
    structural Verilog text written by Yosys (``CELL INST (`` on one line)."""
    pat = re.compile(r"^(\s*)(\\?\S+)(\s+)(\\?\S+)(\s*\()", re.M)

    def sub(m: re.Match) -> str:
        inst = m.group(4)
        key = inst[1:] if inst.startswith("\\") else inst
        new = inst_cells.get(key)
        if new is None:
            return m.group(0)
        return f"{m.group(1)}{new}{m.group(3)}{m.group(4)}{m.group(5)}"

    return pat.sub(sub, verilog_text)


def design_script(libs: Sequence[str | Path], verilog: str | Path, top: str,
                  sdc: str | Path | None = None, spef: str | Path | None = None,
                  extra: Iterable[str] = ()) -> str:
    """The read / link / constrain preamble of a Tcl script, then ``extra`` lines."""
    lines = [f"read_liberty {{{p}}}" for p in libs]
    lines.append(f"read_verilog {{{verilog}}}")
    lines.append(f"link_design {top}")
    if sdc is not None:
        lines.append(f"read_sdc {{{sdc}}}")
    if spef is not None:
        lines.append(f"read_spef {{{spef}}}")
    lines.extend(extra)
    return "\n".join(lines) + "\n"


def run_sta(script: str, workdir: str | Path | None = None, timeout: float = 600, exe: str | None = None) -> str:
    """Run ``sta -no_init -exit`` on ``script`` and return stdout (stderr appended);
    ``exe``: another OpenSTA (default: ``sta`` on PATH, Debian's 2.0.17).

    Raises ``RuntimeError`` when sta is missing or exits non-zero.
    """
    exe = exe or sta_path()
    if exe is None:
        raise RuntimeError("OpenSTA 'sta' not on PATH")
    own = workdir is None
    wd = Path(tempfile.mkdtemp(prefix="finevh_sta_")) if own else Path(workdir)
    wd.mkdir(parents=True, exist_ok=True)
    tag = hashlib.sha1(script.encode()).hexdigest()[:10]
    tcl = wd / f"run_{tag}.tcl"
    tcl.write_text(script, encoding="utf-8")
    try:
        r = subprocess.run([exe, "-no_init", "-exit", str(tcl)], cwd=wd, capture_output=True,
                           text=True, timeout=timeout)
    finally:
        if own:
            shutil.rmtree(wd, ignore_errors=True)
    if r.returncode != 0:
        raise RuntimeError(f"sta failed ({r.returncode}): {r.stderr[-2000:]}{r.stdout[-2000:]}")
    return r.stdout + r.stderr


@dataclass
class EndpointSlack:
    pin: str          # "inst/PIN" or port name
    cell: str         # master cell, or "output"/"input" for ports
    required: float
    arrival: float
    slack: float


_END_RE = re.compile(r"^(\S+)\s+\(([^)]*)\)\s+(-?[\d.]+(?:e[-+]?\d+)?)\s+(-?[\d.]+(?:e[-+]?\d+)?)"
                     r"\s+(-?[\d.]+(?:e[-+]?\d+)?)(?:\s+\((?:VIOLATED|MET)\))?\s*$")


def parse_endpoint_slacks(text: str) -> dict[str, EndpointSlack]:
    """Endpoint lines of ``report_checks -format end`` (all path groups merged; an
    endpoint seen in several groups keeps its worst slack)."""
    out: dict[str, EndpointSlack] = {}
    for line in text.splitlines():
        m = _END_RE.match(line)
        if not m:
            continue
        e = EndpointSlack(m.group(1), m.group(2), float(m.group(3)), float(m.group(4)), float(m.group(5)))
        old = out.get(e.pin)
        if old is None or e.slack < old.slack:
            out[e.pin] = e
    return out


def parse_value(text: str, key: str) -> float:
    """The number after ``key`` at the start of a line, e.g. ``wns -0.12`` (report_wns)."""
    m = re.search(rf"^{re.escape(key)}\s+(-?[\d.]+(?:e[-+]?\d+)?)\s*$", text, re.M)
    if not m:
        raise ValueError(f"'{key}' not found in OpenSTA output")
    return float(m.group(1))


def parse_power(text: str) -> dict[str, dict[str, float]]:
    """``report_power`` table -> ``{group: {internal, switching, leakage, total}}`` in W
    (OpenSTA prints watts). Groups: Sequential, Combinational, Macro, Pad, Total."""
    out: dict[str, dict[str, float]] = {}
    num = r"(-?[\d.]+(?:e[-+]?\d+)?)"
    pat = re.compile(rf"^(Sequential|Combinational|Macro|Pad|Total)\s+{num}\s+{num}\s+{num}\s+{num}", re.M)
    for m in pat.finditer(text):
        out[m.group(1)] = {"internal": float(m.group(2)), "switching": float(m.group(3)),
                           "leakage": float(m.group(4)), "total": float(m.group(5))}
    return out
