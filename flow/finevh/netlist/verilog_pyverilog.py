"""Structural Verilog through pyverilog (the card's parser).

``read_verilog_pyverilog(path, top=None, cell_map=None) -> Netlist``

pyverilog preprocesses with Icarus Verilog (``iverilog`` must be on PATH) and builds
an AST; this module walks it into the same per-module IR as the fast reader
(:mod:`finevh.netlist.ir`) with the same rules (declarations first, then instances and
assigns in source order), so both readers return identical :class:`Netlist` objects.
It is slow (about 0.5 ms per instance): the fast reader is the hot path, this one is
the reference it is tested against.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
import tempfile
from pathlib import Path

from ..errors import InputError, ToolError
from ..fileio import cache_dir, read_text
from ..validate import MAX_BITS
from ..progress import warn
from .elaborate import CellMap, elaborate
from .ir import CONST0, CONST1, DIR_CODES, ModuleIR, const_bits
from .model import Netlist

_NUM = re.compile(r"(\d[\d_]*)?\s*'([sS]?)([bBoOdDhH])\s*([0-9a-fA-FxXzZ?_]+)")
_RTL = "RTL, not a structural netlist (map it onto a library with Yosys first: finevh.synth.yosys.map_to_liberty)"


def _canon(name: str) -> str:
    return name[1:] if name.startswith("\\") else name


def read_verilog_pyverilog(path: str | Path, top: str | None = None, cell_map: CellMap | None = None,
                           decompose: bool = False) -> Netlist:
    """Read a structural Verilog file with pyverilog and flatten it (see
    :func:`finevh.netlist.verilog.read_verilog` for the rules)."""
    if shutil.which("iverilog") is None:
        raise ToolError("pyverilog needs 'iverilog' on PATH (Debian package 'iverilog')")
    from pyverilog.vparser import ast as A
    from pyverilog.vparser.parser import ParseError, VerilogCodeParser

    p = str(path)
    src = Path(path)
    if not src.is_file():
        raise InputError("no such file", p)
    outdir = cache_dir() / "pyverilog"
    outdir.mkdir(parents=True, exist_ok=True)
    _load_cached_tables(outdir)
    with tempfile.TemporaryDirectory(prefix="finevh_pv_") as td:
        if src.suffix == ".gz":
            plain = Path(td) / src.name[:-3]
            plain.write_text(read_text(src))
            src = plain
        parser = VerilogCodeParser([str(src)], preprocess_output=str(Path(td) / "pp.v"), outputdir=str(outdir),
                                   debug=False)
        try:
            ast = parser.parse()
        except ParseError as e:
            m = re.search(r"line:(\d+)", str(e))
            raise InputError(f"syntax error ({str(e).strip()})", p, int(m.group(1)) if m else None) from None
    modules: dict[str, ModuleIR] = {}
    for d in ast.description.definitions:
        if not isinstance(d, A.ModuleDef):
            continue
        m = _Walker(A, p).module(d)
        if m.name in modules:
            raise InputError(f"module '{m.name}' defined twice", p, m.line)
        modules[m.name] = m
    return elaborate(modules, p, top, cell_map, decompose)


def _load_cached_tables(outdir: Path) -> None:
    """ply looks for its LALR tables as ``pyverilog.vparser.parsetab`` and rebuilds them
    (about 4 s) when absent; the tables it wrote to our cache dir on a previous run are
    registered under that name so that they are reused."""
    name = "pyverilog.vparser.parsetab"
    tab = outdir / "parsetab.py"
    if name in sys.modules or not tab.exists():
        return
    try:
        spec = importlib.util.spec_from_file_location(name, tab)
        mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        spec.loader.exec_module(mod)  # type: ignore[union-attr]
        sys.modules[name] = mod
    except Exception:  # a damaged cache file: ply regenerates it
        tab.unlink(missing_ok=True)


class _Walker:
    def __init__(self, A, path: str):
        self.A = A
        self.path = path
        self.warned_x = False

    def warn_x(self, line: int) -> None:
        if not self.warned_x:
            warn("x/z constant bits are left unconnected", self.path, line)
            self.warned_x = True

    def _int(self, node) -> int:
        A = self.A
        if not isinstance(node, A.IntConst) or not re.fullmatch(r"\d[\d_]*", node.value):
            raise InputError("integer expected (parameters/expressions in ranges are not supported)", self.path,
                             node.lineno)
        return int(node.value.replace("_", ""))

    def _width(self, w) -> tuple[int, int] | None:
        if w is None:
            return None
        return self._int(w.msb), self._int(w.lsb)

    def module(self, d) -> ModuleIR:
        A = self.A
        m = ModuleIR(name=_canon(d.name), path=self.path, line=d.lineno)
        self.m = m
        if d.paramlist is not None and d.paramlist.params:
            raise InputError(f"parameterised module '{m.name}' is not a gate-level netlist", self.path, d.lineno)
        for port in (d.portlist.ports if d.portlist is not None else []):
            if isinstance(port, A.Ioport):
                io = port.first
                name = _canon(io.name)
                kind = type(io).__name__.lower()
                m.ports.append(name)
                m.set_port_dir(name, DIR_CODES[kind], io.lineno)
                m.declare(name, self._width(io.width), io.lineno)
            elif isinstance(port, A.Port):
                m.ports.append(_canon(port.name))
            else:
                raise InputError("port expressions in a module header are not supported", self.path, port.lineno)
        queue: list = []
        for it in d.items:
            if isinstance(it, A.Decl):
                self._decl(it, queue)
            elif isinstance(it, A.InstanceList):
                queue.append(("inst", it))
            elif isinstance(it, A.Assign):
                queue.append(("assign", it))
            elif isinstance(it, A.Pragma):
                continue  # (* attributes *)
            else:
                what = {"Always": "always", "Initial": "initial", "Function": "function", "Task": "task",
                        "GenerateStatement": "generate"}.get(type(it).__name__, type(it).__name__.lower())
                m.behavioural = (it.lineno, what)
                break
        if m.behavioural is None:
            for kind, it in queue:
                if kind == "inst":
                    self._instances(it)
                elif kind == "assign":
                    self._assign(it)
                else:
                    lhs, rhs, line = it
                    m.add_assign(lhs, self._expr(rhs), line)
        return m

    def _decl(self, decl, queue: list) -> None:
        A = self.A
        m = self.m
        for x in decl.list:
            if isinstance(x, (A.Input, A.Output, A.Inout)):
                name = _canon(x.name)
                kind = type(x).__name__.lower()
                if not m.ports:
                    raise InputError(f"'{name}' declared {kind} but the module has no port list", self.path, x.lineno)
                if name not in m.ports:
                    raise InputError(f"'{name}' declared {kind} but not in the port list", self.path, x.lineno)
                m.set_port_dir(name, DIR_CODES[kind], x.lineno)
                m.declare(name, self._width(x.width), x.lineno)
            elif isinstance(x, (A.Wire, A.Reg, A.Tri, A.Supply)):
                if getattr(x, "dimensions", None) is not None:
                    raise InputError(f"array declaration '{_canon(x.name)}' is not supported", self.path, x.lineno)
                name = _canon(x.name)
                m.declare(name, self._width(x.width), x.lineno)
                if isinstance(x, A.Supply):
                    v = self._int(x.value)
                    bits = m.bits(name)
                    m.add_assign(bits, [CONST1 if v else CONST0] * len(bits), x.lineno)
            elif isinstance(x, A.Assign):
                # ``wire a = expr;``: the Decl holds the Wire then an Assign
                lhs = self._expr(x.left.var)
                queue.append(("declassign", (lhs, x.right.var, x.lineno)))
            else:
                m.behavioural = (x.lineno, type(x).__name__.lower())

    def _assign(self, it) -> None:
        lb = self._expr(it.left.var)
        rb = self._expr(it.right.var)
        if len(rb) != len(lb) and not all(b in (CONST0, CONST1) for b in rb):
            warn(f"assign of {len(rb)} bit(s) to {len(lb)} bit(s)", self.path, it.lineno)
        self.m.add_assign(lb, rb, it.lineno)

    def _instances(self, il) -> None:
        m = self.m
        master = _canon(il.module)
        for idx, inst in enumerate(il.instances):
            line = inst.lineno
            if inst.array is not None:
                raise InputError(f"instance array '{_canon(inst.name)}' is not supported", self.path, line)
            iname = _canon(inst.name) if inst.name else f"{master}_L{il.lineno}_{idx}"
            conns: list = []
            named = bool(inst.portlist) and inst.portlist[0].portname is not None
            for k, pa in enumerate(inst.portlist):
                if (pa.portname is not None) != named:
                    raise InputError("mixed named and positional connections", self.path, line)
                if named:
                    bits = self._expr(pa.argname) if pa.argname is not None else []
                    conns.append((_canon(pa.portname), bits))
                else:
                    bits = self._expr(pa.argname) if pa.argname is not None else [-1]
                    conns.append((k, bits))
            m.add_instance(master, iname, line, conns)

    def _expr(self, e) -> list[int]:
        A = self.A
        m = self.m
        line = e.lineno
        if isinstance(e, A.Identifier):
            return m.ref_bits(_canon(e.name), None, line)
        if isinstance(e, A.Pointer):
            if not isinstance(e.var, A.Identifier):
                raise InputError("bad select", self.path, line)
            i = self._int(e.ptr)
            return m.ref_bits(_canon(e.var.name), (i, i), line)
        if isinstance(e, A.Partselect):
            if not isinstance(e.var, A.Identifier):
                raise InputError("bad select", self.path, line)
            return m.ref_bits(_canon(e.var.name), (self._int(e.msb), self._int(e.lsb)), line)
        if isinstance(e, A.IntConst):
            v = e.value
            nm = _NUM.fullmatch(v.strip())
            if nm is not None:
                width = int(nm.group(1).replace("_", "")) if nm.group(1) else None
                bits = const_bits(width, nm.group(3), nm.group(4), self.path, line, self.warn_x)
                if width is None:
                    k = 0
                    while k < len(bits) - 1 and bits[k] == CONST0:
                        k += 1
                    bits = bits[k:]
                return bits
            if re.fullmatch(r"\d[\d_]*", v):
                return [CONST1 if c == "1" else CONST0 for c in format(int(v.replace("_", "")), "b")]
            raise InputError(f"bad number '{v}'", self.path, line)
        if isinstance(e, A.Concat) and not isinstance(e, A.LConcat):
            out: list[int] = []
            for x in e.list:
                out.extend(self._expr(x))
            return out
        if isinstance(e, A.LConcat):
            out = []
            for x in e.list:
                out.extend(self._expr(x))
            return out
        if isinstance(e, A.Repeat):
            body, nrep = self._expr(e.value), self._int(e.times)
            if nrep * len(body) > MAX_BITS:
                raise InputError(f"replication of {nrep} x {len(body)} bits is too wide (at most {MAX_BITS})",
                                 self.path, line)
            return body * nrep
        if isinstance(e, (A.Operator, A.UnaryOperator, A.Cond)):
            raise InputError(f"expression with an operator: {_RTL}", self.path, line)
        raise InputError(f"unsupported expression ({type(e).__name__})", self.path, line)
