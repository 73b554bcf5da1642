"""RTL synthesis onto a Liberty library with Yosys, with area and cell statistics.

The ``finevh synth`` stage. The Yosys script is the one of
:func:`finevh.synth.yosys.map_to_liberty` (the settings OpenSTA accepts, see
TOOLS.md) with two additions this stage needs:

* **latches**: Yosys 0.23's ``dfflibmap`` maps flip-flops only, so the latches of
  the RTL (operand-isolation latches and clock-gate cells of the PE) would stay
  as generic ``$_DLATCH_P_``/``$_DLATCH_N_`` cells. A techmap generated from the
  library's smallest ``latch`` cell maps them (negative-enable latches get an
  inverter, which ``abc`` then maps);
* **statistics**: ``stat -liberty`` is parsed into the cell count, the per-type
  counts and the area (um^2, the library's area unit for osu018 and sky130).

Results are cached under :func:`finevh.fileio.cache_dir` keyed by the sources,
the library, top, parameters and the Yosys version, so a repeated run (e.g. the
large systolic array) only copies the cached netlist.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from ..errors import InputError, ToolError
from ..fileio import atomic_write, cache_dir, read_text
from ..progress import progress
from .yosys import _q, liberty_cell_groups, trimmed_liberty, yosys_version

_FORMAT = "finevh-synth-1"


@dataclass(frozen=True)
class LatchCell:
    """A Liberty latch cell usable for ``$_DLATCH_P_`` (positive enable)."""

    name: str
    area: float
    enable: str
    data: str
    q: str


@dataclass(frozen=True)
class SynthResult:
    """Outcome of :func:`synthesize`. ``area_um2`` is the summed Liberty cell area."""

    top: str
    netlist: str
    cells: int
    area_um2: float
    cell_counts: dict[str, int] = field(default_factory=dict)
    sequential: int = 0
    yosys: str = ""
    liberty: str = ""
    parameters: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True) + "\n"


def _cells_text(text: str):
    """Yield (name, body) of every complete ``cell (...) { ... }`` group."""
    for name, start, end in liberty_cell_groups(text):
        if end > 0:
            body = text[start:end]
            yield name, body[body.index("{") + 1:-1]


def find_latch_cell(liberty: str | Path) -> LatchCell | None:
    """Smallest-area cell with a ``latch`` group (``enable`` + ``data_in``) and a
    single output pin whose function is the latch's true state. None if none."""
    text = read_text(liberty)
    best: LatchCell | None = None
    for name, body in _cells_text(text):
        lm = re.search(r'\blatch\s*\(\s*"?(\w+)"?\s*,\s*"?(\w+)"?\s*\)\s*\{([^}]*)\}', body)
        if not lm:
            continue
        state, inner = lm.group(1), lm.group(3)
        en = re.search(r'enable\s*:\s*"?\s*([\w!\']+)\s*"?\s*;', inner)
        d = re.search(r'data_in\s*:\s*"?\s*(\w+)\s*"?\s*;', inner)
        if not en or not d or "clear" in inner or "preset" in inner:
            continue
        if not re.fullmatch(r"\w+", en.group(1)):
            continue  # inverted enable: not a $_DLATCH_P_
        q = None
        for chunk in re.split(r"\bpin\s*\(", body)[1:]:
            pm = re.match(r'\s*"?(\w+)"?\s*\)', chunk)
            if pm and re.search(r'direction\s*:\s*"?output', chunk) and re.search(
                    rf'function\s*:\s*"\s*\(?\s*{state}\s*\)?\s*"', chunk):
                q = pm.group(1)
        if q is None:
            continue
        am = re.search(r'\barea\s*:\s*([0-9.eE+-]+)', body)
        area = float(am.group(1)) if am else 0.0
        if best is None or area < best.area:
            best = LatchCell(name, area, en.group(1), d.group(1), q)
    return best


def latch_techmap(cell: LatchCell) -> str:
    """Verilog techmap file mapping Yosys' fine-grained latches onto ``cell``."""
    return (
        "module \\$_DLATCH_P_ (input E, input D, output Q);\n"
        f"  {cell.name} _TECHMAP_REPLACE_ (.{cell.enable}(E), .{cell.data}(D), .{cell.q}(Q));\n"
        "endmodule\n"
        "module \\$_DLATCH_N_ (input E, input D, output Q);\n"
        "  wire en_n;\n"
        "  \\$_NOT_ inv (.A(E), .Y(en_n));\n"
        f"  {cell.name} _TECHMAP_REPLACE_ (.{cell.enable}(en_n), .{cell.data}(D), .{cell.q}(Q));\n"
        "endmodule\n"
    )


def parse_stat(text: str) -> tuple[int, float, dict[str, int]]:
    """(cell count, chip area, per-type counts) of the last module in a ``stat`` report."""
    blocks = re.split(r"(?m)^=== .* ===\s*$", text)
    if len(blocks) < 2:
        raise ToolError("yosys stat output not understood")
    b = blocks[-1]
    m = re.search(r"Number of cells:\s+(\d+)", b)
    if not m:
        raise ToolError("yosys stat output has no cell count")
    cells = int(m.group(1))
    counts: dict[str, int] = {}
    for line in b[m.end():].splitlines():
        cm = re.match(r"^\s{5,}(\S+)\s+(\d+)\s*$", line)
        if cm:
            counts[cm.group(1)] = int(cm.group(2))
        elif line.strip() and counts:
            break
    am = re.search(r"Chip area for (?:top )?module .*?:\s*([0-9.eE+-]+)", b)
    area = float(am.group(1)) if am else float("nan")
    return cells, area, counts


_ERR_RE = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+): ERROR: (?P<msg>.*)$", re.M)


def synthesize(
    sources: Sequence[str | Path],
    top: str,
    liberty: str | Path,
    out_path: str | Path | None = None,
    *,
    parameters: Mapping[str, str | int] | None = None,
    exclude_cells: Sequence[str] = (),
    buffer: tuple[str, str, str] | None = None,
    yosys: str = "yosys",
) -> SynthResult:
    """Synthesise ``sources`` (Verilog/SystemVerilog) with top ``top`` onto ``liberty``.

    Writes the mapped netlist (OpenSTA-readable) to ``out_path`` atomically (or leaves
    it in the cache when ``out_path`` is None) and returns its statistics.
    ``exclude_cells``: glob patterns of library cells the mapper must not use. ``parameters`` override the top's parameters. A syntax error in a
    source raises :class:`InputError` with its file and line; other Yosys failures
    :class:`ToolError`.
    """
    version = yosys_version(yosys)
    srcs = [Path(s).resolve() for s in sources]
    if not srcs:
        raise InputError("no RTL source given")
    for s in srcs:
        if not s.is_file():
            raise InputError("no such file", s)
    if not Path(liberty).is_file():
        raise InputError("no such file", liberty)
    liberty = Path(liberty).resolve()      # Yosys runs in a temporary folder
    if not re.fullmatch(r"[A-Za-z_][\w$]*", top):
        raise InputError(f"bad top module name '{top}'")
    params = {str(k): str(v) for k, v in sorted((parameters or {}).items())}
    for k, v in params.items():
        if not re.fullmatch(r"[A-Za-z_]\w*", k) or not re.fullmatch(r"-?\d+|'[^']*'|\"[^\"]*\"", v):
            raise InputError(f"bad parameter override {k}={v}")
    lib = trimmed_liberty(liberty, tuple(exclude_cells))
    latch = find_latch_cell(lib)

    h = hashlib.sha256()
    for s in srcs:
        h.update(s.name.encode() + b"\0" + s.read_bytes())
    h.update(Path(lib).read_bytes())
    h.update(repr((top, params, buffer, _FORMAT, version)).encode())
    key = h.hexdigest()[:24]
    cdir = cache_dir() / "synth"
    cnet, cjson = cdir / f"{top}_{key}.v", cdir / f"{top}_{key}.json"

    if not (cnet.exists() and cjson.exists()):
        cdir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="finevh_synth_") as td:
            tdp = Path(td)
            net, stat = tdp / "net.v", tdp / "stat.txt"
            # (Yosys 0.23 asserts on `read_verilog -defer` + `hierarchy -chparam`:
            #  elaborate with the defaults, then re-derive the top with chparam)
            reads = "\n".join(f"read_verilog -sv {_q(s)}" for s in srcs)
            if params:
                reads += "\nchparam" + "".join(f" -set {k} {v}" for k, v in params.items()) + f" {top}"
            lmap = ""
            if latch is not None:
                (tdp / "latch_map.v").write_text(latch_techmap(latch))
                lmap = f"techmap -map {_q(tdp / 'latch_map.v')}\n"
            ins = f"insbuf -buf {buffer[0]} {buffer[1]} {buffer[2]}\n" if buffer else ""
            script = (
                f"{reads}\n"
                f"hierarchy -check -top {top}\n"
                f"synth -flatten -top {top}\n"
                f"dfflibmap -liberty {_q(lib)}\n"
                f"{lmap}"
                f"abc -liberty {_q(lib)}\n"
                "setundef -zero\n"
                "splitnets -ports\n"
                "opt_clean -purge\n"
                f"{ins}"
                f"tee -q -o {_q(stat)} stat -liberty {_q(lib)}\n"
                f"write_verilog -noattr -noexpr -simple-lhs {_q(net)}\n"
            )
            (tdp / "run.ys").write_text(script)
            progress(f"yosys: synthesising '{top}' onto {Path(liberty).name}")
            r = subprocess.run([shutil.which(yosys) or yosys, "-q", "-s", str(tdp / "run.ys")],
                               capture_output=True, text=True, check=False, cwd=td)
            if r.returncode != 0 or not net.exists() or not stat.exists():
                out = (r.stderr or "") + (r.stdout or "")
                em = _ERR_RE.search(out)
                if em:
                    raise InputError(em.group("msg").strip(), em.group("file"), int(em.group("line")))
                tail = out.strip().splitlines()[-3:]
                raise ToolError(f"yosys failed synthesising '{top}': {' | '.join(tail)}")
            cells, area, counts = parse_stat(stat.read_text())
            generic = sorted(c for c in counts if c.startswith("$"))
            if generic:
                raise ToolError(f"cells left unmapped onto {Path(liberty).name}: {', '.join(generic)}")
            seq = _sequential_cells(lib)
            res = SynthResult(top=top, netlist="", cells=cells, area_um2=area,
                              cell_counts=dict(sorted(counts.items())),
                              sequential=sum(n for c, n in counts.items() if c in seq),
                              yosys=version, liberty=Path(liberty).name, parameters=params)
            with atomic_write(cnet, "wb") as f:
                f.write(net.read_bytes())
            with atomic_write(cjson) as f:
                f.write(res.to_json())
    data = json.loads(cjson.read_text())
    if out_path is None:
        data["netlist"] = str(cnet)
        return SynthResult(**data)
    out = Path(out_path)
    if not (out.exists() and out.read_bytes() == cnet.read_bytes()):
        with atomic_write(out, "wb") as f:
            f.write(cnet.read_bytes())
    data["netlist"] = str(out)
    return SynthResult(**data)


def _sequential_cells(lib: str | Path) -> set[str]:
    text = read_text(lib)
    return {n for n, body in _cells_text(text) if re.search(r"\b(ff|latch)\s*\(", body)}
