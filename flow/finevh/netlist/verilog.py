"""Fast structural (gate-level) Verilog reader.

``read_verilog(path, top=None, cell_map=None) -> Netlist``

Reads the netlists that Yosys, OpenROAD, Design Compiler and Genus write: modules with
ANSI or non-ANSI ports, ``input/output/inout/wire/tri/reg/supply0/supply1`` declarations
with ranges, bit- and part-selects, escaped identifiers, named and positional
connections, concatenations and replications, sized/unsized constants (x/z bits are
left unconnected, with a warning), ``assign`` aliases, ``(* attributes *)``, comments,
``\\`timescale``-like directives, hierarchy (flattened, names joined by ``/``) and Verilog
gate primitives (mapped through ``cell_map``, see :mod:`finevh.netlist.elaborate`).

Rejected with file:line: behavioural code (``always``/``initial``... in an instantiated
module, unless ``cell_map`` maps the module to a cell), ``assign`` with operators (RTL such
as the EPFL suite: map it with :func:`finevh.synth.yosys.map_to_liberty` first),
parameterised sub-modules, instance arrays, switch primitives, macros.

Speed: a module body is split at ';' and the two statement shapes that make up nearly
all of a mapped netlist (``wire x;`` and ``CELL name (.P(net), ...);``, also positional
``(n1, n2)``) are classified, validated and resolved in bulk (one regex pass over all
connection lists, numpy counts, ``map`` over dictionaries); everything else goes
through a small tokenizer and recursive-descent parser. See docs/netlist.md.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import sys
from array import array
from itertools import filterfalse
from operator import methodcaller
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..fileio import read_text
from ..progress import warn
from ..validate import MAX_BITS
from .elaborate import CellMap, elaborate
from .ir import CONST0, CONST1, DIR_CODES, GATE_PRIMITIVES, OTHER_PRIMITIVES, UNCONNECTED, ModuleIR, const_bits
from .model import Netlist

_SID = r"(?:[A-Za-z_][\w$]*|\\\S++)"
_PAIRS_LOOSE = re.compile(r"\.([^\s(]+)\s*\(([^)]*)\)")
_ESC_PAREN = re.compile(r"\\\S*[(),]")
_ESC_SEMI = re.compile(r"\\[^\s;]*;")
_NAME1 = re.compile(r"[A-Za-z_][\w$]*|\\\S+")


def _names_ok(names: list[str]) -> bool:
    """All of ``names`` are Verilog identifiers (simple or escaped)."""
    if all(map(str.isidentifier, names)):
        return True
    return all(_NAME1.fullmatch(x) is not None and x.isascii() for x in filterfalse(str.isidentifier, names))


def _canon_all(names: list[str]) -> list[str]:
    """:func:`_canon` of every name (the same list when none is escaped)."""
    if "\\" not in "".join(names):
        return names
    return [x[1:] if x[0] == "\\" else x for x in names]
_STMT = re.compile(r"\s*([^;\\]*+(?:\\\S*+[^;\\]*+)*+);")
_TOK = re.compile(
    r"\s*(?:(\\\S++)"                                   # 1 escaped identifier
    r"|([A-Za-z_][\w$]*)"                               # 2 identifier / keyword
    r"|((?:\d[\d_]*)?\s*'[sS]?[bBoOdDhH]\s*[0-9a-fA-FxXzZ?_]+)"  # 3 based number
    r"|(\d[\d_]*)"                                      # 4 decimal
    r"|(\+:|-:|[^\s\w\\]))"                             # 5 punctuation
)
_NUM = re.compile(r"(\d[\d_]*)?\s*'([sS]?)([bBoOdDhH])\s*([0-9a-fA-FxXzZ?_]+)")

_NET_TYPES = frozenset(("wire", "tri", "wand", "wor", "triand", "trior", "tri0", "tri1", "uwire", "reg", "logic",
                        "supply0", "supply1"))
_DIRS = frozenset(("input", "output", "inout"))
_BEHAVIOURAL = frozenset(("always", "initial", "always_ff", "always_comb", "always_latch", "function", "task",
                          "specify", "parameter", "localparam", "defparam", "generate", "genvar", "integer",
                          "real", "time", "event", "final", "specparam", "primitive", "table"))
_KEYWORDS = _NET_TYPES | _DIRS | _BEHAVIOURAL | {"assign", "module", "endmodule", "macromodule", "begin", "end",
                                                  "signed", "if", "else", "case", "for", "while"}
_OPERATORS = set("&|^~!?+-*/%<>=")
_IGNORED_DIRECTIVES = ("timescale", "celldefine", "endcelldefine", "default_nettype", "resetall", "suppress_faults",
                       "nosuppress_faults", "enable_portfaults", "disable_portfaults", "nounconnected_drive",
                       "unconnected_drive", "delay_mode_zero", "delay_mode_unit", "delay_mode_path",
                       "delay_mode_distributed")
_WS = " \t\n\r\f\v"


def read_verilog(path: str | Path, top: str | None = None, cell_map: CellMap | None = None,
                 decompose: bool = False, compiled: bool | None = None) -> Netlist:
    """Read a structural Verilog file (``.v`` or ``.v.gz``) and flatten it from ``top``.

    ``top`` defaults to the only module no other module instantiates. Raises
    :class:`~finevh.errors.InputError` (file, line) on anything it cannot read.
    ``compiled``: scan module bodies with the compiled scanner (the same netlist; see
    :func:`use_compiled`).
    """
    p = str(path)
    text = read_text(path)
    with no_gc():
        modules = parse_modules(text, p, use_compiled(compiled))
        return elaborate(modules, p, top, cell_map, decompose)


def use_compiled(compiled: bool | None) -> bool:
    """Whether to scan with :mod:`.verilog_kernels`: numba importable and not disabled
    (``FINEVH_NO_JIT=1``), and ``compiled`` True, or None with numba already loaded by
    the run. Starting numba costs about 0.8 s of CPU, more than the scan saves on a
    130k-cell netlist (about 0.5 s), so a run that does not otherwise need numba
    (timing without parasitics) keeps the Python scan."""
    if compiled is False or os.environ.get("FINEVH_NO_JIT", "") not in ("", "0"):
        return False
    if compiled is None and "numba" not in sys.modules:
        return False
    try:
        from . import verilog_kernels  # noqa: F401
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def no_gc():
    """Pause the cyclic garbage collector: the readers allocate millions of small
    acyclic objects, and collections triggered by them cost more than the parse."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# ---------------------------------------------------------------------------------------
class _Lines:
    """Line numbers of character positions."""

    def __init__(self, text: str):
        self.text = text
        self._nl: np.ndarray | None = None

    @property
    def nl(self) -> np.ndarray:
        """Positions of the newlines (computed on first use)."""
        if self._nl is None:
            text = self.text
            if text.isascii():
                self._nl = np.flatnonzero(np.frombuffer(text.encode("ascii"), dtype=np.uint8) == 10)
            else:
                self._nl = np.array([m.start() for m in re.finditer("\n", text)], dtype=np.int64)
        return self._nl

    def line(self, pos: int) -> int:
        return int(np.searchsorted(self.nl, pos, side="right")) + 1

    def lines(self, pos: np.ndarray) -> np.ndarray:
        return (np.searchsorted(self.nl, pos, side="right") + 1).astype(np.int32)


def _seg_counts(joined: str, parts: list[str], chars: str) -> list[np.ndarray]:
    """For each character of ``chars``, its count in each of ``parts`` (``joined`` is
    ``parts`` joined with NUL), vectorised over the bytes when the text is ASCII."""
    if joined.isascii():
        raw = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
        seps = np.flatnonzero(raw == 0)
        bounds = np.concatenate(([0], seps, [len(raw)]))
        out = []
        for c in chars:
            pos = np.flatnonzero(raw == ord(c))
            out.append(np.diff(np.searchsorted(pos, bounds)).astype(np.int64))
        return out
    return [np.fromiter(map(methodcaller("count", c), parts), dtype=np.int64, count=len(parts)) for c in chars]


def _in_escaped(text: str, pos: int) -> bool:
    """True when ``pos`` lies inside an escaped identifier (a token starting with '\\')."""
    j = pos
    while j > 0 and text[j - 1] not in _WS:
        j -= 1
        if text[j] == "\\":
            return True
    return False


def _find(text: str, tok: str, i: int = 0) -> int:
    """``text.find(tok, i)`` for the comment openers: a two-character opener is found
    through its rarer character ('/', '*'; finding one character is several times
    faster), falling back to the plain search when that character is frequent."""
    if tok == "(*":
        key, off = "*", 1
    elif tok in ("//", "/*"):
        key, off = "/", 0
    else:
        return text.find(tok, i)
    j = text.find(key, i + off)
    for _ in range(64):
        if j < 0:
            return -1
        if text.startswith(tok, j - off):
            return j - off
        j = text.find(key, j + 1)
    return text.find(tok, max(j - off, i))


def _strip_comments(text: str, path: str, lines: _Lines) -> str:
    """Remove comments and (* attributes *), keeping every newline (so lines stay right)."""
    toks = ("//", "/*", "(*", '"')
    nxt = {t: _find(text, t) for t in toks}  # next occurrence of each opener
    if all(p_ < 0 for p_ in nxt.values()):
        return text
    out: list[str] = []
    pos = 0
    i = 0
    n = len(text)
    while True:
        live = [(p_, t) for t, p_ in nxt.items() if p_ >= 0]
        if not live:
            break
        s, tok = min(live)
        if s < i:  # inside something already skipped: look again from i
            for t in toks:
                if 0 <= nxt[t] < i:
                    nxt[t] = _find(text, t, i)
            continue
        nxt[tok] = _find(text, tok, s + 1)
        if _in_escaped(text, s):
            i = s + len(tok)
            continue
        if tok == "//":
            e = text.find("\n", s)
            e = n if e < 0 else e
            out.append(text[pos:s])
            pos = i = e
        elif tok == "/*":
            e = text.find("*/", s + 2)
            if e < 0:
                raise InputError("unterminated /* comment", path, lines.line(s))
            out.append(text[pos:s])
            out.append("\n" * text.count("\n", s, e))
            pos = i = e + 2
        elif tok == "(*":
            k = s + 2
            while k < n and text[k] in _WS:
                k += 1
            if k < n and text[k] == ")":  # @(*)
                i = k + 1
                continue
            e = s + 2
            while True:  # the end '*)', skipping string values that may hold '*)'
                q, e = text.find('"', e), text.find("*)", e)
                if e < 0 or q < 0 or e < q:
                    break
                q2 = q + 1
                while q2 < n and text[q2] != '"':
                    q2 += 2 if text[q2] == "\\" else 1
                e = q2 + 1
            if e < 0:
                raise InputError("unterminated (* attribute", path, lines.line(s))
            out.append(text[pos:s])
            out.append(" " + "\n" * text.count("\n", s, e))
            pos = i = e + 2
        else:  # string literal: skip it
            e = s + 1
            while e < n and text[e] != '"':
                e += 2 if text[e] == "\\" else 1
            if e >= n:
                raise InputError("unterminated string", path, lines.line(s))
            i = e + 1
    out.append(text[pos:])
    return "".join(out)


def _directives(text: str, path: str, lines: _Lines) -> str:
    if "`" not in text:
        return text
    out = []
    pos = 0
    for m in re.finditer(r"`(\w+)[^\n]*", text):
        if _in_escaped(text, m.start()):
            continue
        if m.group(1) not in _IGNORED_DIRECTIVES:
            raise InputError(f"compiler directive `{m.group(1)} is not supported (preprocess the file first)",
                             path, _Lines(text).line(m.start()))
        out.append(text[pos:m.start()])
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def parse_modules(text: str, path: str, compiled: bool = False) -> dict[str, ModuleIR]:
    """Parse every module of ``text`` into :class:`ModuleIR` (no elaboration);
    ``compiled``: bodies scanned by :mod:`.verilog_kernels` where it can."""
    lines = _Lines(text)
    stripped = _strip_comments(text, path, lines)
    stripped = _directives(stripped, path, lines)
    if stripped is not text:  # same newlines, other positions
        text = stripped
        lines = _Lines(text)
    # module boundaries
    kws: list[tuple[int, int, str]] = []
    i = text.find("module")
    n = len(text)
    idc = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")
    while i >= 0:
        j = i + 6
        if j >= n or text[j] not in idc:
            if text[i - 3:i] == "end" and i >= 3:
                s, kw = i - 3, "endmodule"
            elif text[i - 5:i] == "macro" and i >= 5:
                s, kw = i - 5, "module"
            else:
                s, kw = i, "module"
            if (s == 0 or text[s - 1] not in idc) and not _in_escaped(text, s):
                kws.append((s, j, kw))
        i = text.find("module", j)
    modules: dict[str, ModuleIR] = {}
    pos = 0
    k = 0
    while k < len(kws):
        s, e, kw = kws[k]
        gap = text[pos:s]
        if gap.strip():
            off = pos + len(gap) - len(gap.lstrip())
            raise InputError(f"unexpected text outside a module: '{gap.strip()[:30]}'", path, lines.line(off))
        if kw != "module":
            raise InputError("endmodule without module", path, lines.line(s))
        if k + 1 >= len(kws) or kws[k + 1][2] != "endmodule":
            where = kws[k + 1][0] if k + 1 < len(kws) else n
            if where >= n:
                where = max(len(text.rstrip()) - 1, 0)
            raise InputError("module is not closed by endmodule (truncated file?)", path, lines.line(where))
        end_s, end_e, _ = kws[k + 1]
        m = _Module(text, e, end_s, path, lines, compiled).parse()
        if m.name in modules:
            raise InputError(f"module '{m.name}' defined twice", path, m.line)
        modules[m.name] = m
        pos = end_e
        k += 2
    rest = text[pos:]
    if rest.strip():
        off = pos + len(rest) - len(rest.lstrip())
        raise InputError(f"unexpected text after the last endmodule: '{rest.strip()[:30]}'", path, lines.line(off))
    return modules


class _Stmts:
    """The statements of a body (text between ';') sliced on demand: ``[i]`` is
    ``body.split(';')[i]``."""

    def __init__(self, body: str, starts: np.ndarray, ends: np.ndarray):
        self.body, self.starts, self.ends = body, starts, ends

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i: int) -> str:
        return self.body[int(self.starts[i]):int(self.ends[i])]


def _runs(kinds: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of the runs of equal values of ``kinds``."""
    cut = (np.flatnonzero(kinds[1:] != kinds[:-1]) + 1).tolist()
    return list(zip([0] + cut, cut + [len(kinds)])) if len(kinds) else []


def _canon(ident: str) -> str:
    return ident[1:] if ident.startswith("\\") else ident


class _Module:
    """Parser of one module's text between ``module`` and ``endmodule``."""

    def __init__(self, text: str, start: int, end: int, path: str, lines: _Lines, compiled: bool = False):
        self.text, self.start, self.end, self.path, self.lines = text, start, end, path, lines
        self.compiled = compiled
        self.warned_x = False
        self.ecache: dict[str, int | tuple] = {}
        self.raw: np.ndarray | None = None
        self.lk: dict[str, int] = {}
        self.lk_n = 0

    def _lookup(self) -> dict[str, int]:
        """Connection text -> bit: the module's net bits by name plus, for every declared
        scalar that is not a simple identifier, its escaped spelling ``\\name `` as Yosys
        and OpenROAD write it (what :meth:`_resolve_simple` returns for that text). Kept
        in step with the bits declared since the last call."""
        m = self.m
        names = m.bit_names
        n0 = self.lk_n
        if n0 < len(names):
            new = names[n0:]
            lk = self.lk
            lk.update(zip(new, range(n0, len(names))))
            ranges = m.ranges
            esc = [x for x in filterfalse(str.isidentifier, new) if ranges.get(x, False) is None]
            lk.update(zip(["\\" + x + " " for x in esc], map(m.bit_of.__getitem__, esc)))
            self.lk_n = len(names)
        return self.lk

    # ---- tokens of a (small) statement ----------------------------------------
    def tokens(self, s: str, base: int) -> list[tuple[int, str, int]]:
        """(kind, text, position) with kind 1 escaped id, 2 id, 3 based number,
        4 decimal, 5 punctuation."""
        out = []
        i = 0
        n = len(s)
        tok = _TOK.match
        while True:
            m = tok(s, i)
            if m is None:
                rest = s[i:].strip()
                if rest:
                    raise InputError(f"syntax error near '{rest[:20]}'", self.path, self.lines.line(base + i))
                break
            k = m.lastindex
            out.append((k, m.group(k), base + m.start(k)))
            i = m.end()
            if i >= n:
                break
        return out

    def warn_x(self, line: int) -> None:
        if not self.warned_x:
            warn("x/z constant bits are left unconnected", self.path, line)
            self.warned_x = True

    # ---- parse ------------------------------------------------------------------
    def parse(self) -> ModuleIR:
        text, path = self.text, self.path
        # header: name, optional #(...), optional port list, ';'
        hm = _STMT.match(text, self.start, self.end)
        if hm is None:
            raise InputError("module header without ';'", path, self.lines.line(self.start))
        htoks = self.tokens(hm.group(1), hm.start(1))
        if not htoks or htoks[0][0] not in (1, 2):
            raise InputError("module name expected", path, self.lines.line(self.start))
        name = _canon(htoks[0][1])
        m = ModuleIR(name=name, path=path, line=self.lines.line(htoks[0][2]))
        self.m = m
        self._header(htoks[1:])
        self._body(hm.end())
        return m

    def _header(self, toks: list) -> None:
        m = self.m
        if not toks:
            return
        i = 0
        if toks[0][1] == "#":
            raise InputError(f"parameterised module '{m.name}' is not a gate-level netlist", self.path,
                             self.lines.line(toks[0][2]))
        if toks[i][1] != "(" or toks[-1][1] != ")":
            raise InputError("bad module header", self.path, self.lines.line(toks[0][2]))
        items = self._split_commas(toks[1:-1])
        ansi = bool(items) and items[0] and items[0][0][1] in _DIRS
        if not ansi:
            for it in items:
                if not it:
                    continue
                if len(it) != 1 or it[0][0] not in (1, 2):
                    raise InputError("port expressions in a module header are not supported", self.path,
                                     self.lines.line(it[0][2]))
                m.ports.append(_canon(it[0][1]))
            return
        direction = None
        rng = None
        for it in items:
            if not it:
                raise InputError("empty port in module header", self.path, self.lines.line(toks[0][2]))
            j = 0
            if it[0][1] in _DIRS:
                direction = DIR_CODES[it[0][1]]
                j = 1
                rng = None
                while j < len(it) and it[j][0] == 2 and (it[j][1] in _NET_TYPES or it[j][1] == "signed"):
                    j += 1
                if j < len(it) and it[j][1] == "[":
                    rng, j = self._range(it, j)
            if j != len(it) - 1 or it[j][0] not in (1, 2):
                raise InputError("bad ANSI port declaration", self.path, self.lines.line(it[0][2]))
            pname = _canon(it[j][1])
            line = self.lines.line(it[j][2])
            m.ports.append(pname)
            m.set_port_dir(pname, direction, line)
            m.declare(pname, rng, line)

    def _split_commas(self, toks: list) -> list[list]:
        items: list[list] = [[]]
        depth = 0
        for t in toks:
            if t[0] == 5:
                if t[1] in "({[":
                    depth += 1
                elif t[1] in ")}]":
                    depth -= 1
                elif t[1] == "," and depth == 0:
                    items.append([])
                    continue
            items[-1].append(t)
        if items == [[]]:
            return []
        return items

    def _int(self, t) -> int:
        if t[0] != 4:
            raise InputError(f"integer expected, got '{t[1]}' (parameters/expressions in ranges are not supported)",
                             self.path, self.lines.line(t[2]))
        return int(t[1].replace("_", ""))

    def _range(self, toks: list, j: int) -> tuple[tuple[int, int], int]:
        try:
            if toks[j][1] != "[" or toks[j + 2][1] != ":" or toks[j + 4][1] != "]":
                raise IndexError
            return (self._int(toks[j + 1]), self._int(toks[j + 3])), j + 5
        except IndexError:
            raise InputError("bad range (expected [msb:lsb])", self.path, self.lines.line(toks[j][2])) from None

    # ---- body -------------------------------------------------------------------
    def _body(self, pos: int) -> None:
        """Two phases: (1) scan statements, processing declarations at once and queueing
        instances and assigns; (2) resolve the queued items in source order.

        Fast path: the body is split at ';' and the two common statement shapes
        (``wire NAME`` and ``CELL NAME (.P(net), ...)``) are collected into lists that are
        validated and resolved in bulk. Anything else goes through the tokenizer.
        """
        text, end = self.text, self.end
        body = text[pos:end]
        if self.compiled and self._body_compiled(pos, body):
            return None
        if "\\" in body and _ESC_SEMI.search(body):
            return self._body_sequential(pos)  # an escaped identifier holds ';'
        stmts = body.split(";")
        tail = stmts.pop()
        lens = np.fromiter(map(len, stmts), dtype=np.int64, count=len(stmts))
        starts = np.zeros(len(stmts), dtype=np.int64)
        if len(stmts) > 1:
            np.cumsum(lens[:-1] + 1, out=starts[1:])
        starts += pos
        self.stmts, self.starts = stmts, starts
        queue: list[tuple] = []
        self.f_idx: list[int] = []
        self.f_master: list[str] = []
        self.f_name: list[str] = []
        self.f_conns: list[str] = []
        f_idx, f_master, f_name, f_conns = self.f_idx, self.f_master, self.f_name, self.f_conns
        nonfast = _KEYWORDS | OTHER_PRIMITIVES
        # classify every statement in one comprehension: 0 ``wire NAME``, 1 named
        # instance, 2 positional instance, 3 anything else (tokenizer)
        h = list(map(methodcaller("split", None, 2), stmts))
        kinds = [(0 if x[0] == "wire" and (x[1].isidentifier() or x[1][0] == "\\") else 3) if len(x) == 2 else
                 ((1 if "." in x[2] else 2) if len(x) == 3 and x[2][0] == "(" and x[0] not in nonfast
                  and x[1][0] not in "#([" else 3) for x in h]
        behavioural = False
        for a, b in _runs(np.array(kinds, dtype=np.int8)):
            kind = kinds[a]
            if kind == 0:
                self._flush_wires([x[1] for x in h[a:b]], list(range(a, b)), queue)
            elif kind in (1, 2):
                lo = len(f_idx)
                f_idx.extend(range(a, b))
                f_master.extend([x[0] for x in h[a:b]])
                f_name.extend([x[1] for x in h[a:b]])
                f_conns.extend([x[2] for x in h[a:b]])
                queue.append(("fast" if kind == 1 else "fastpos", lo, len(f_idx)))
            elif self._other_statements(a, b, queue):
                behavioural = True
                break
        del h
        if not behavioural:
            self._check_tail(tail)
        self._phase2(queue)

    def _body_compiled(self, pos: int, body: str) -> bool:
        """:meth:`_body` with the statement scan compiled (:mod:`.verilog_kernels`):
        the same steps on the same words, which the scan locates instead of
        ``str.split`` and the connection pattern. False, with nothing done, when the
        scan does not take the body (not plain ASCII, a shape only the Python path
        reads); :meth:`_body` then goes on as usual."""
        from . import verilog_kernels as K

        if not body.isascii():
            return False
        raw = np.frombuffer(body.encode("ascii"), dtype=np.uint8)
        st, kind, se, a0, a1, b0, b1, kptr, fs, fe, es, ee = K.scan_body(raw)
        if st != K.OK:
            return False

        def strings(a, b) -> list[str]:
            return K.join_spans(raw, a, b).tobytes().decode("ascii").split("\x00") if len(a) else []

        i1 = np.flatnonzero(kind == 1)
        masters = strings(a0[i1], a1[i1])
        i4 = np.flatnonzero(kind == 4)
        others = strings(a0[i4], a1[i4])
        for x in (masters, others):             # a keyword: the Python path's kind 3
            if not _KEYWORDS.isdisjoint(x) or not OTHER_PRIMITIVES.isdisjoint(x):
                return False
        i0 = np.flatnonzero(kind == 0)
        wires = strings(b0[i0], b1[i0])
        names = strings(b0[i1], b1[i1])
        formals, exprs = strings(fs, fe), strings(es, ee)
        starts = np.concatenate(([0], se[:-1] + 1)) if len(se) else se
        stmts = _Stmts(body, starts, se)
        tail = body[int(se[-1]) + 1:] if len(se) else body
        self.stmts, self.starts = stmts, starts + pos
        self.f_idx = i1.tolist()
        self.cfast = (masters, names, formals, exprs, kptr, a0[i1] + pos)
        queue: list[tuple] = []
        kinds = kind.tolist()
        behavioural = False
        w = f = 0                               # next wire / instance
        for a, b in _runs(kind):
            if kinds[a] == 0:
                self._flush_wires(wires[w:w + b - a], list(range(a, b)), queue)
                w += b - a
            elif kinds[a] == 1:
                queue.append(("cfast", f, f + b - a))
                f += b - a
            elif kinds[a] == 4:                 # instances for the statement parser
                queue.extend(("cstmt", i) for i in range(a, b))
            elif self._other_statements(a, b, queue):
                behavioural = True
                break
        if not behavioural:
            self._check_tail(tail)
        self._phase2(queue)
        return True

    def _other_statements(self, a: int, b: int, queue: list) -> bool:
        """Statements ``a..b`` through the tokenizer (declarations at once, instances
        and assigns queued); True at behavioural code (the rest of the body is not read)."""
        for i in range(a, b):
            st = self.stmts[i]
            if not st.strip():
                raise InputError("empty statement (';;')", self.path, self.lines.line(int(self.starts[i])))
            if self._statement(st, int(self.starts[i]), queue):
                return True
        return False

    def _check_tail(self, tail: str) -> None:
        """The text after the body's last ';' must be blank."""
        if tail.strip():
            off = self.end - len(tail) + len(tail) - len(tail.lstrip())
            raise InputError(f"missing ';' (or truncated file) near '{tail.strip()[:30]}'", self.path,
                             self.lines.line(off))

    def _cfast_instances(self, lo: int, hi: int, inst_pos: array) -> bool:
        """:meth:`_fast_instances` of the compiled scan's instances ``lo..hi``."""
        masters, names, formals, exprs, kptr, pos = self.cfast
        masters, names = masters[lo:hi], names[lo:hi]
        if not _names_ok(masters) or not _names_ok(names):
            return False
        p0, p1 = int(kptr[lo]), int(kptr[hi])
        return self._resolve_fast(masters, names, formals[p0:p1], exprs[p0:p1], np.diff(kptr[lo:hi + 1]), pos[lo:hi],
                                  inst_pos)

    def _flush_wires(self, wires: list[str], idx: list[int], queue: list) -> None:
        if not _names_ok(wires):
            for w, i in zip(wires, idx):  # locate the bad one
                if not _names_ok([w]):
                    self._statement(self.stmts[i], int(self.starts[i]), queue)
            raise InputError("bad wire declaration", self.path, self.lines.line(int(self.starts[idx[0]])))
        wires = _canon_all(wires)
        try:
            self.m.declare_scalars(wires)
        except InputError as err:
            bad = err.message.split("'")[1] if "'" in err.message else None
            k = next((j for j, w in enumerate(wires) if w == bad), 0)
            raise InputError(err.message, self.path, self.lines.line(int(self.starts[idx[k]]))) from None

    def _phase2(self, queue: list) -> None:
        inst_pos = array("q")
        bulk = {"fast": self._fast_instances, "fastpos": self._fast_positional, "cfast": self._cfast_instances}
        for item in queue:
            fn = bulk.get(item[0])
            if fn is not None:
                if not fn(item[1], item[2], inst_pos):
                    # something unusual in this span: statement by statement (precise errors)
                    sub: list[tuple] = []
                    for i in self.f_idx[item[1]:item[2]]:
                        self._statement(self.stmts[i], int(self.starts[i]), sub)
                    for it in sub:
                        self._instances(it[1], it[2], inst_pos)
            elif item[0] == "inst":
                self._instances(item[1], item[2], inst_pos)
            elif item[0] == "cstmt":                # as a failed bulk span: statement by statement
                sub = []
                i = item[1]
                self._statement(self.stmts[i], int(self.starts[i]), sub)
                for it in sub:
                    self._instances(it[1], it[2], inst_pos)
            elif item[0] == "assign":
                self._assign(item[1], 1, item[2])
            else:
                self._assign(item[1], 0, item[2], lhs=item[3])
        m = self.m
        m.inst_line = array("i", self.lines.lines(np.frombuffer(inst_pos, dtype=np.int64)).tolist()) \
            if len(inst_pos) else array("i")

    def _first_tokens(self, starts: np.ndarray, idx: list[int]) -> np.ndarray:
        """Position of the first non-blank character of each statement starting at ``starts``."""
        text = self.text
        if self.raw is None and text.isascii():
            self.raw = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
        if self.raw is not None and len(starts):
            raw = self.raw
            last = len(raw) - 1
            pos = np.asarray(starts, dtype=np.int64).copy()
            live = np.arange(len(pos))
            for _ in range(24):     # step the statements still on a blank (most: 1-3 steps)
                live = live[raw[np.minimum(pos[live], last)] <= 32]
                if not len(live):
                    return pos
                pos[live] += 1
        stmts = self.stmts
        lead = np.fromiter((len(s) - len(s.lstrip()) for s in map(stmts.__getitem__, idx)), dtype=np.int64,
                           count=len(idx))
        return starts + lead

    def _fast_positional(self, lo: int, hi: int, inst_pos: array) -> bool:
        """Bulk path for ``CELL NAME (net, net, ...)`` (ISCAS-style gate primitives)."""
        m = self.m
        masters = self.f_master[lo:hi]
        names = self.f_name[lo:hi]
        conns = self.f_conns[lo:hi]
        if not _names_ok(masters) or not _names_ok(names):
            return False
        exprs_per: list[list[str]] = []
        for c in conns:
            c = c.rstrip()
            if c[-1] != ")" or c.count("(") != 1 or c.count(")") != 1 or "{" in c:
                return False
            exprs_per.append(c[1:-1].split(","))
        counts = [len(x) for x in exprs_per]
        exprs = [e.strip() for x in exprs_per for e in x]
        bit_of = m.bit_of
        bits = list(map(bit_of.get, exprs))
        if None in bits:
            for j, b in enumerate(bits):
                if b is None:
                    e = exprs[j]
                    if not e or not _names_ok([e]):
                        return False
                    r = self.ecache.get(e)
                    if r is None:
                        r = self.ecache[e] = self._resolve_simple(e, 0)  # declared or implicit scalar
                    if r.__class__ is not int:
                        return False
                    bits[j] = r
        stmts, starts = self.stmts, self.starts
        idx = self.f_idx[lo:hi]
        inst_pos.extend(self._first_tokens(starts[np.array(idx, dtype=np.int64)], idx).tolist())
        mcache = {x: m.master_id(_canon(x)) for x in dict.fromkeys(masters)}
        m.inst_master.extend(map(mcache.__getitem__, masters))
        names = _canon_all(names)
        m.inst_names.extend(names)
        base = len(m.c_bit)
        m.c_form.extend([-(q + 1) for cnt in counts for q in range(cnt)])
        m.c_bit.extend(bits)
        m.c_sub.extend(array("i", [-1]) * len(bits))
        m.inst_ptr.extend((np.cumsum(counts) + base).tolist())
        return True

    def _body_sequential(self, pos: int) -> None:
        """Statement-by-statement scan (bodies with escaped identifiers holding ';')."""
        text, end = self.text, self.end
        stmt = _STMT.match
        queue: list[tuple] = []
        behavioural = False
        while True:
            sm = stmt(text, pos, end)
            if sm is None:
                rest = text[pos:end]
                if rest.strip() and not behavioural:
                    off = pos + len(rest) - len(rest.lstrip())
                    raise InputError(f"missing ';' (or truncated file) near '{rest.strip()[:30]}'", self.path,
                                     self.lines.line(off))
                break
            pos = sm.end()
            if behavioural:
                continue
            behavioural = self._statement(sm.group(1), sm.start(1), queue)
        self._phase2(queue)

    def _fast_instances(self, lo: int, hi: int, inst_pos: array) -> bool:
        """Bulk resolution of fast-path instances ``lo..hi``; False when the span needs
        the statement-by-statement parser (escaped names holding brackets or commas,
        positional connections, anything malformed)."""
        m = self.m
        masters = self.f_master[lo:hi]
        names = self.f_name[lo:hi]
        conns = self.f_conns[lo:hi]
        joined = "\x00".join(conns)
        esc = "\\" in joined
        if esc and _ESC_PAREN.search(joined):
            return False
        if not _names_ok(masters) or not _names_ok(names):
            return False
        nopen, nclose, ncomma = _seg_counts(joined, conns, "(),")
        k = nopen - 1
        if (k < 1).any() or (nclose != nopen).any() or (ncomma != k - 1).any():
            return False
        parts = _PAIRS_LOOSE.split(joined)      # gap, formal, expression, gap, ...
        total = int(k.sum())
        if len(parts) != 3 * total + 1 or joined.count("\x00") != len(conns) - 1:
            return False
        formals, exprs = parts[1::3], parts[2::3]
        # everything outside the pairs: per instance '(' and ')', a ',' between pairs and
        # the NUL between instances, nothing else but blanks
        gaps = "".join(parts[0::3])
        if len(gaps) - sum(gaps.count(c) for c in _WS) != total + 2 * len(conns) - 1:
            return False
        if not _names_ok(list(dict.fromkeys(formals))):
            return False
        # positions (for line numbers) of the master tokens
        idx = self.f_idx[lo:hi]
        pos = self._first_tokens(self.starts[np.array(idx, dtype=np.int64)], idx)
        return self._resolve_fast(masters, names, formals, exprs, k, pos, inst_pos)

    def _resolve_fast(self, masters: list[str], names: list[str], formals: list[str], exprs: list[str],
                      k: np.ndarray, pos: np.ndarray, inst_pos: array) -> bool:
        """Bulk resolution of instances (master and instance names, ``k[i]`` formals and
        expressions each, master positions ``pos``) whose connection lists are parsed;
        False (nothing done) when a formal is not a name."""
        m = self.m
        if not _names_ok(list(dict.fromkeys(formals))):
            return False
        # resolve nets: declared scalars, bus bits and escaped scalars ``\\name `` directly,
        # the rest once per text
        bits = list(map(self._lookup().get, exprs))
        multi = False
        if None in bits:
            ec = self.ecache
            cum = None
            for j, b in enumerate(bits):
                if b is None:
                    e = exprs[j]
                    r = ec.get(e)
                    if r is None:
                        try:
                            r = ec[e] = self._resolve_simple(e, int(pos[0]))
                        except InputError as err:
                            if cum is None:
                                cum = np.cumsum(k)
                            q = int(np.searchsorted(cum, j, side="right"))
                            raise InputError(err.message, self.path, self.lines.line(int(pos[q]))) from None
                    if r.__class__ is not int:
                        multi = True
                    bits[j] = r
        kwm = _KEYWORDS.intersection(masters)
        if kwm:
            q = masters.index(next(iter(kwm)))
            raise InputError(f"unexpected '{masters[q]}'", self.path, self.lines.line(int(pos[q])))
        inst_pos.extend(pos.tolist())
        mcache = {x: m.master_id(_canon(x)) for x in dict.fromkeys(masters)}
        m.inst_master.extend(map(mcache.__getitem__, masters))
        names = _canon_all(names)
        m.inst_names.extend(names)
        fcache = {f: m.formal_id(_canon(f)) for f in dict.fromkeys(formals)}
        base = len(m.c_bit)
        if not multi:
            m.c_form.extend(map(fcache.__getitem__, formals))
            m.c_bit.extend(bits)
            m.c_sub.extend(array("i", [-1]) * len(bits))
            m.inst_ptr.extend((np.cumsum(k) + base).tolist())
            return True
        j = 0
        for cnt in k.tolist():
            for f, b in zip(formals[j:j + cnt], bits[j:j + cnt]):
                fi = fcache[f]
                if b.__class__ is int:
                    m.c_form.append(fi)
                    m.c_sub.append(-1)
                    m.c_bit.append(b)
                else:
                    w_ = len(b)
                    for q, bb in enumerate(b):
                        m.c_form.append(fi)
                        m.c_sub.append(w_ - 1 - q)
                        m.c_bit.append(bb)
            j += cnt
            m.inst_ptr.append(len(m.c_bit))
        return True

    def _resolve_simple(self, e: str, pos: int):
        """Bits of a fast-path expression: int for one bit, tuple for several."""
        m = self.m
        e = e.strip()
        if e == "":
            return UNCONNECTED
        k = m.bit_of.get(_canon(e))
        if k is not None and m.ranges.get(_canon(e), False) is None:
            return k  # a declared scalar
        if "[" in e and "]" in e and not e.startswith("\\"):
            k = m.bit_of.get(e.replace(" ", "").replace("\t", ""))
            if k is not None:
                return k
        toks = self.tokens(e, pos)
        bits = self._expr(toks, 0, len(toks), pos)
        return bits[0] if len(bits) == 1 else tuple(bits)

    # ---- general statements ----------------------------------------------------------
    def _statement(self, s: str, base: int, queue: list) -> bool:
        """Parse one statement; returns True when the module turned out behavioural."""
        toks = self.tokens(s, base)
        if not toks:
            raise InputError("empty statement", self.path, self.lines.line(base))
        head = toks[0][1]
        line = self.lines.line(toks[0][2])
        m = self.m
        if toks[0][0] == 2 and head in _BEHAVIOURAL:
            m.behavioural = (line, head)
            return True
        if toks[0][0] == 2 and head in ("begin", "end", "if", "else", "case", "for", "while"):
            raise InputError(f"unexpected '{head}'", self.path, line)
        if toks[0][0] == 2 and head in _DIRS:
            self._decl(toks, line, DIR_CODES[head], queue)
            return False
        if toks[0][0] == 2 and head in _NET_TYPES:
            self._decl(toks, line, None, queue)
            return False
        if toks[0][0] == 2 and head == "assign":
            queue.append(("assign", toks, line))
            return False
        if toks[0][0] not in (1, 2):
            raise InputError(f"syntax error near '{head}'", self.path, line)
        queue.append(("inst", toks, line))
        return False

    def _decl(self, toks: list, line: int, direction: int | None, queue: list) -> None:
        m = self.m
        j = 1
        supply = None
        kinds = [toks[0][1]]
        while j < len(toks) and toks[j][0] == 2 and (toks[j][1] in _NET_TYPES or toks[j][1] == "signed"):
            kinds.append(toks[j][1])
            j += 1
        if "supply0" in kinds:
            supply = CONST0
        elif "supply1" in kinds:
            supply = CONST1
        rng = None
        if j < len(toks) and toks[j][1] == "[":
            rng, j = self._range(toks, j)
        items = self._split_commas(toks[j:])
        if not items:
            raise InputError("declaration without a name", self.path, line)
        for it in items:
            if not it or it[0][0] not in (1, 2):
                raise InputError("name expected in declaration", self.path, line)
            name = _canon(it[0][1])
            nline = self.lines.line(it[0][2])
            if len(it) > 1:
                if it[1][1] == "[":
                    raise InputError(f"array declaration '{name}' is not supported", self.path, nline)
                if it[1][1] != "=":
                    raise InputError(f"syntax error near '{it[1][1]}'", self.path, nline)
            if direction is not None:
                if m.ports and name not in m.ports:
                    raise InputError(f"'{name}' declared {toks[0][1]} but not in the port list", self.path, nline)
                if not m.ports:
                    raise InputError(f"'{name}' declared {toks[0][1]} but the module has no port list", self.path,
                                     nline)
                m.set_port_dir(name, direction, nline)
            m.declare(name, rng, nline)
            if supply is not None:
                bits = m.bits(name)
                m.add_assign(bits, [supply] * len(bits), nline)
            if len(it) > 1:
                queue.append(("declassign", [(5, "=", it[1][2])] + it[2:], nline, list(m.bits(name))))

    def _assign(self, toks: list, j: int, line: int, lhs: list[int] | None = None) -> None:
        m = self.m
        if lhs is not None:
            # toks[0] is '=' ; rhs follows
            bits = self._expr(toks, 1, len(toks), toks[0][2], whole=True)
            m.add_assign(lhs, bits, line)
            return
        if j < len(toks) and toks[j][1] == "#":
            raise InputError("delays on assign are not supported", self.path, line)
        for it in self._split_commas(toks[j:]):
            eq = next((k for k, t in enumerate(it) if t[0] == 5 and t[1] == "="), None)
            if eq is None or eq == 0:
                raise InputError("assign without '='", self.path, line)
            lbits = self._expr(it, 0, eq, it[0][2], whole=True)
            rbits = self._expr(it, eq + 1, len(it), it[eq][2], whole=True)
            if len(rbits) != len(lbits) and not all(b in (CONST0, CONST1) for b in rbits):
                warn(f"assign of {len(rbits)} bit(s) to {len(lbits)} bit(s)", self.path, line)
            m.add_assign(lbits, rbits, line)

    def _instances(self, toks: list, line: int, inst_pos: array) -> None:
        m = self.m
        master = _canon(toks[0][1])
        j = 1
        is_prim = toks[0][0] == 2 and (master in GATE_PRIMITIVES or master in OTHER_PRIMITIVES)
        if j < len(toks) and toks[j][1] == "(" and is_prim:
            # drive strength ( strong0, strong1 ) or an anonymous gate
            k = self._match(toks, j)
            inner = toks[j + 1:k]
            if inner and all(t[0] == 2 and ("0" in t[1] or "1" in t[1] or t[1].startswith("high")) or t[1] == ","
                             for t in inner) and any(t[1].startswith(("strong", "weak", "pull", "supply", "highz"))
                                                     for t in inner):
                j = k + 1
        if j < len(toks) and toks[j][1] == "#":
            if j + 1 < len(toks) and toks[j + 1][1] == "(":
                k = self._match(toks, j + 1)
                if not is_prim:
                    if master in m.master_of or True:
                        warn(f"parameter values of instance of '{master}' are ignored", self.path, line)
                j = k + 1
            else:
                j += 2  # '#' number
        pieces = self._split_commas(toks[j:])
        for idx, it in enumerate(pieces):
            if not it:
                raise InputError("empty instance", self.path, line)
            if it[0][0] in (1, 2):
                iname = _canon(it[0][1])
                q = 1
            elif is_prim:
                iname = f"{master}_L{line}_{idx}"
                q = 0
            else:
                raise InputError(f"instance name expected after '{master}'", self.path, line)
            if q < len(it) and it[q][1] == "[":
                raise InputError(f"instance array '{iname}' is not supported", self.path, line)
            if q >= len(it) or it[q][1] != "(" or it[-1][1] != ")" or self._match(it, q) != len(it) - 1:
                if toks[0][0] == 2 and master in _KEYWORDS:
                    raise InputError(f"unexpected '{master}'", self.path, line)
                raise InputError(f"syntax error in instance '{iname}' of '{master}'", self.path,
                                 self.lines.line(it[min(q, len(it) - 1)][2]))
            conns = self._connections(it[q + 1:-1], line)
            inst_pos.append(toks[0][2])
            m.add_instance(master, iname, 0, conns)

    def _match(self, toks: list, j: int) -> int:
        """Index of the bracket closing toks[j]."""
        pairs = {"(": ")", "[": "]", "{": "}"}
        stack = []
        for k in range(j, len(toks)):
            t = toks[k][1]
            if toks[k][0] == 5:
                if t in pairs:
                    stack.append(pairs[t])
                elif t in ")]}":
                    if not stack or stack.pop() != t:
                        raise InputError(f"unbalanced '{t}'", self.path, self.lines.line(toks[k][2]))
                    if not stack:
                        return k
        raise InputError("unbalanced brackets", self.path, self.lines.line(toks[j][2]))

    def _connections(self, toks: list, line: int) -> list[tuple[str | int, list[int]]]:
        items = self._split_commas(toks)
        if not items:
            return []
        out: list[tuple[str | int, list[int]]] = []
        named = items[0] and items[0][0][1] == "."
        for k, it in enumerate(items):
            if named:
                if (len(it) < 4 or it[0][1] != "." or it[1][0] not in (1, 2) or it[2][1] != "("
                        or it[-1][1] != ")"):
                    if it and it[0][1] != ".":
                        raise InputError("mixed named and positional connections", self.path, line)
                    raise InputError("syntax error: bad named connection", self.path,
                                     self.lines.line(it[0][2]) if it else line)
                if self._match(it, 2) != len(it) - 1:
                    raise InputError("syntax error: bad named connection", self.path, self.lines.line(it[0][2]))
                formal = _canon(it[1][1])
                bits = self._expr(it, 3, len(it) - 1, it[2][2], whole=True) if len(it) > 4 else []
                out.append((formal, bits))
            else:
                if it and it[0][1] == ".":
                    raise InputError("mixed named and positional connections", self.path, line)
                bits = self._expr(it, 0, len(it), it[0][2], whole=True) if it else [UNCONNECTED]
                out.append((k, bits))
        return out

    # ---- expressions ---------------------------------------------------------------
    def _expr(self, toks: list, a: int, b: int, pos: int, whole: bool = False) -> list[int]:
        """Bits (MSB first) of toks[a:b]: a reference, constant or concatenation."""
        bits, k = self._primary(toks, a, b, pos)
        if k != b:
            t = toks[k]
            if t[0] == 5 and t[1] in _OPERATORS:
                raise InputError(
                    f"expression with operator '{t[1]}': RTL, not a structural netlist (map it onto a library "
                    "with Yosys first: finevh.synth.yosys.map_to_liberty)", self.path, self.lines.line(t[2]))
            raise InputError(f"syntax error near '{t[1]}'", self.path, self.lines.line(t[2]))
        return bits

    def _primary(self, toks: list, a: int, b: int, pos: int) -> tuple[list[int], int]:
        if a >= b:
            raise InputError("expression expected", self.path, self.lines.line(pos))
        kind, t, tpos = toks[a]
        try:
            return self._primary1(toks, a, b, kind, t, tpos)
        except InputError as err:
            if err.line:
                raise
            raise InputError(err.message, self.path, self.lines.line(tpos)) from None

    def _primary1(self, toks: list, a: int, b: int, kind: int, t: str, tpos: int) -> tuple[list[int], int]:
        line = 0  # filled in by _primary on error
        if kind == 5 and t in _OPERATORS:
            raise InputError(
                f"expression with operator '{t}': RTL, not a structural netlist (map it onto a library "
                "with Yosys first: finevh.synth.yosys.map_to_liberty)", self.path, line)
        if kind in (1, 2):
            name = _canon(t)
            if kind == 2 and name in _KEYWORDS:
                raise InputError(f"unexpected keyword '{name}'", self.path, line)
            k = a + 1
            if k < b and toks[k][1] == "[":
                if k + 2 < b and toks[k + 2][1] == "]":
                    i = self._int(toks[k + 1])
                    return self.m.ref_bits(name, (i, i), line), k + 3
                if k + 4 < b and toks[k + 2][1] == ":" and toks[k + 4][1] == "]":
                    return self.m.ref_bits(name, (self._int(toks[k + 1]), self._int(toks[k + 3])), line), k + 5
                if k + 4 < b and toks[k + 2][1] in ("+:", "-:") and toks[k + 4][1] == "]":
                    base_i, w = self._int(toks[k + 1]), self._int(toks[k + 3])
                    sel = (base_i + w - 1, base_i) if toks[k + 2][1] == "+:" else (base_i, base_i - w + 1)
                    rng = self.m.ranges.get(name)
                    if rng is not None and rng[0] < rng[1]:
                        sel = (sel[1], sel[0])
                    return self.m.ref_bits(name, sel, line), k + 5
                raise InputError(f"bad select on '{name}'", self.path, line)
            return self.m.ref_bits(name, None, line), k
        if kind == 3:
            nm = _NUM.fullmatch(t)
            if nm is None:
                raise InputError(f"bad number '{t}'", self.path, line)
            width = int(nm.group(1).replace("_", "")) if nm.group(1) else None
            bits = const_bits(width, nm.group(3), nm.group(4), self.path, line,
                              lambda _l: self.warn_x(self.lines.line(tpos)))
            if width is None:
                bits = self._trim_unsized(bits)
            return bits, a + 1
        if kind == 4:
            v = int(t.replace("_", ""))
            if v.bit_length() > MAX_BITS:
                raise InputError(f"number '{t[:20]}...' is too wide (at most {MAX_BITS} bits)", self.path, line)
            bits = [CONST1 if c == "1" else CONST0 for c in format(v, "b")]
            return bits, a + 1
        if t == "{":
            close = self._match(toks[:b], a)
            inner = toks[a + 1:close]
            # replication {N{...}}
            if len(inner) >= 3 and inner[0][0] == 4 and inner[1][1] == "{":
                nrep = self._int(inner[0])
                c2 = self._match(inner, 1)
                if c2 != len(inner) - 1:
                    raise InputError("bad replication", self.path, line)
                body: list[int] = []
                for it in self._split_commas(inner[2:-1]):
                    body.extend(self._expr(it, 0, len(it), tpos))
                if nrep * len(body) > MAX_BITS:
                    raise InputError(f"replication of {nrep} x {len(body)} bits is too wide (at most {MAX_BITS})",
                                     self.path, line)
                return body * nrep, close + 1
            out: list[int] = []
            for it in self._split_commas(inner):
                if not it:
                    raise InputError("empty item in concatenation", self.path, line)
                out.extend(self._expr(it, 0, len(it), tpos))
            return out, close + 1
        raise InputError(f"syntax error near '{t}'", self.path, line)

    @staticmethod
    def _trim_unsized(bits: list[int]) -> list[int]:
        """Unsized constants ('b0, 'b1) connect as many bits as their value needs (>= 1)."""
        k = 0
        while k < len(bits) - 1 and bits[k] == CONST0:
            k += 1
        return bits[k:]
