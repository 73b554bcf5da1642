"""Streaming VCD (IEEE 1364 value change dump) reader -> :class:`SignalActivity`.

Reads the header (``$timescale``, ``$scope``/``$upscope``, ``$var`` with bus ranges)
and then streams the value changes line by line, keeping per bit only the current
value, the time of its last change and running sums, so memory does not grow with
the file. Counting rules:

- a toggle is a change between 0 and 1; x/z periods are skipped over (the last
  known value is remembered, so ``0 -> x -> 1`` counts one toggle and ``0 -> x -> 0``
  none);
- time at 1 / at 0 / unknown is accumulated from the first time stamp to the last
  one in the file (that interval is the ``duration``);
- vector values shorter than the bus are extended on the left as the standard says
  (0 when the leftmost digit is 0 or 1, x or z otherwise); real (``r``) values are
  ignored.

Names are hierarchical, scopes joined with ``/``, bits ``name[i]``; escaped
identifiers lose their leading backslash. Bad input -> :class:`InputError` with
file and line.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import numpy as np

from ..errors import InputError
from .model import SignalActivity

_UNIT_NS = {"s": 1e9, "ms": 1e6, "us": 1e3, "ns": 1.0, "ps": 1e-3, "fs": 1e-6}
_TS_RE = re.compile(r"^\s*(1|10|100)\s*(s|ms|us|ns|ps|fs)\s*$")
_RANGE_RE = re.compile(r"^\[\s*(-?\d+)\s*(?::\s*(-?\d+)\s*)?\]$")
_NORM = {"0": "0", "1": "1", "x": "x", "X": "x", "z": "x", "Z": "x", "u": "x", "U": "x",
         "w": "x", "W": "x", "-": "x", "l": "0", "L": "0", "h": "1", "H": "1"}


def _open(path: Path):
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")


def parse_timescale(text: str, path=None, line=None) -> float:
    """'1ps' / '10 ns' -> ns per VCD time unit."""
    m = _TS_RE.match(text)
    if not m:
        raise InputError(f"bad $timescale '{text.strip()}'", path, line)
    return int(m.group(1)) * _UNIT_NS[m.group(2)]


def _clean(name: str) -> str:
    return name[1:] if name.startswith("\\") else name


def read_vcd(path: str | Path, scope: str | None = None) -> SignalActivity:
    """Read a VCD file. With ``scope`` (``tb/dut`` or ``tb.dut``) only signals below that
    scope are kept and their names are relative to it; otherwise names are full paths."""
    p = Path(path)
    try:
        f = _open(p)
    except FileNotFoundError:
        raise InputError("no such file", p) from None
    except OSError as e:
        raise InputError(f"cannot read: {e}", p) from None
    with f:
        return _read(f, p, scope)


def _read(f, p: Path, scope: str | None) -> SignalActivity:
    scale = 1.0  # ns per unit (IEEE default is 1 s, but every tool writes $timescale)
    stack: list[str] = []
    # id code -> (slot base, width)
    ids: dict[str, tuple[int, int]] = {}
    names: list[str] = []
    name_slot: list[int] = []
    real_ids: set[str] = set()
    nslots = 0
    lineno = 0
    it = iter(f)
    # ---- header -----------------------------------------------------------
    cmd: list[str] | None = None
    cmd_line = 0
    done = False
    for raw in it:
        lineno += 1
        for tok in raw.split():
            if cmd is None:
                if not tok.startswith("$"):
                    raise InputError(f"expected a $keyword in the VCD header, got '{tok}'", p, lineno)
                cmd = [tok]
                cmd_line = lineno
                if tok == "$end":
                    raise InputError("unexpected $end", p, lineno)
                continue
            if tok != "$end":
                cmd.append(tok)
                continue
            kw, args = cmd[0], cmd[1:]
            cmd = None
            if kw == "$timescale":
                scale = parse_timescale(" ".join(args), p, cmd_line)
            elif kw == "$scope":
                if len(args) < 2:
                    raise InputError("$scope needs a type and a name", p, cmd_line)
                stack.append(_clean(args[1]))
            elif kw == "$upscope":
                if not stack:
                    raise InputError("$upscope without $scope", p, cmd_line)
                stack.pop()
            elif kw == "$var":
                if len(args) < 4:
                    raise InputError("$var needs type, size, id and name", p, cmd_line)
                try:
                    width = int(args[1])
                except ValueError:
                    raise InputError(f"bad $var size '{args[1]}'", p, cmd_line) from None
                if width < 1:
                    raise InputError(f"bad $var size '{args[1]}'", p, cmd_line)
                code = args[2]
                if args[0] in ("real", "realtime", "event", "string"):
                    real_ids.add(code)   # values of these are not logic levels: ignored
                    continue
                ref = _clean(args[3])
                rng = "".join(args[4:])
                if not rng and "[" in ref and ref.endswith("]") and not args[3].startswith("\\"):
                    k = ref.index("[")
                    ref, rng = ref[:k], ref[k:]
                if rng:
                    m = _RANGE_RE.match(rng)
                    if not m:
                        raise InputError(f"bad range '{rng}'", p, cmd_line)
                    msb = int(m.group(1))
                    lsb = int(m.group(2)) if m.group(2) is not None else msb
                    if abs(msb - lsb) + 1 != width:
                        raise InputError(f"range {rng} does not match size {width}", p, cmd_line)
                    step = -1 if msb >= lsb else 1
                    bits = [f"{ref}[{b}]" for b in range(msb, lsb + step, step)]
                elif width > 1:
                    bits = [f"{ref}[{b}]" for b in range(width - 1, -1, -1)]
                else:
                    bits = [ref]
                if code in ids:
                    base, w0 = ids[code]
                    if w0 != width:
                        raise InputError(f"id '{code}' declared with two sizes", p, cmd_line)
                else:
                    base = nslots
                    ids[code] = (base, width)
                    nslots += width
                prefix = "/".join(stack)
                for k, b in enumerate(bits):
                    names.append(f"{prefix}/{b}" if prefix else b)
                    name_slot.append(base + k)
            elif kw == "$enddefinitions":
                done = True
                break
            elif kw in ("$date", "$version", "$comment"):
                pass
            else:
                raise InputError(f"unknown header keyword '{kw}'", p, cmd_line)
        if done:
            break
    if not done:
        raise InputError("missing $enddefinitions", p, lineno)

    # ---- value changes ----------------------------------------------------
    cur = ["x"] * nslots
    last_known: list[str | None] = [None] * nslots
    since = [0] * nslots
    tog = [0] * nslots
    a0 = [0] * nslots
    a1 = [0] * nslots
    ax = [0] * nslots
    t = 0
    t_first: int | None = None
    scalar = {c: b for c, (b, w) in ids.items() if w == 1}
    norm = _NORM

    def change(s: int, v: str) -> None:
        old = cur[s]
        if v == old:
            return
        dt = t - since[s]
        if old == "1":
            a1[s] += dt
        elif old == "0":
            a0[s] += dt
        else:
            ax[s] += dt
        since[s] = t
        cur[s] = v
        if v != "x":
            lk = last_known[s]
            if lk is not None and lk != v:
                tog[s] += 1
            last_known[s] = v

    def vector(val: str, code: str) -> None:
        ent = ids.get(code)
        if ent is None:
            raise InputError(f"unknown signal id '{code}'", p, lineno)
        base, w = ent
        bits = val[1:]
        if not bits:
            raise InputError("empty vector value", p, lineno)
        try:
            bits = "".join(norm[c] for c in bits)
        except KeyError:
            raise InputError(f"bad vector value '{val}'", p, lineno) from None
        if len(bits) < w:
            pad = "0" if bits[0] in "01" else bits[0]
            bits = pad * (w - len(bits)) + bits
        elif len(bits) > w:
            bits = bits[len(bits) - w:]
        for k in range(w):
            change(base + k, bits[k])

    for raw in it:
        lineno += 1
        line = raw.strip()
        if not line:
            continue
        c = line[0]
        if c in norm and " " not in line:
            s = scalar.get(line[1:])
            if s is None:
                if line[1:] in ids:
                    raise InputError(f"scalar value for vector id '{line[1:]}'", p, lineno)
                raise InputError(f"unknown signal id '{line[1:]}'", p, lineno)
            change(s, norm[c])
            continue
        if c == "#" and " " not in line:
            try:
                nt = int(line[1:])
            except ValueError:
                raise InputError(f"bad time '{line}'", p, lineno) from None
            if nt < t:
                raise InputError(f"time goes backwards ({nt} < {t})", p, lineno)
            t = nt
            if t_first is None:
                t_first = t
                for s in range(nslots):
                    since[s] = t
            continue
        toks = line.split()
        i = 0
        while i < len(toks):
            tok = toks[i]
            c = tok[0]
            if c == "#":
                try:
                    nt = int(tok[1:])
                except ValueError:
                    raise InputError(f"bad time '{tok}'", p, lineno) from None
                if nt < t:
                    raise InputError(f"time goes backwards ({nt} < {t})", p, lineno)
                t = nt
                if t_first is None:
                    t_first = t
                    for s in range(nslots):
                        since[s] = t
                i += 1
            elif c in "bB":
                if i + 1 >= len(toks):
                    raise InputError("vector value without id", p, lineno)
                vector(tok, toks[i + 1])
                i += 2
            elif c in "rR":
                if i + 1 >= len(toks):
                    raise InputError("real value without id", p, lineno)
                if toks[i + 1] not in ids and toks[i + 1] not in real_ids:
                    raise InputError(f"unknown signal id '{toks[i + 1]}'", p, lineno)
                i += 2
            elif c == "$":
                i += 1   # $dumpvars, $dumpall, $dumpon, $dumpoff, $end, $comment words
            elif c in norm:
                code = tok[1:]
                s = scalar.get(code)
                if s is None:
                    raise InputError(f"unknown signal id '{code}'", p, lineno)
                change(s, norm[c])
                i += 1
            else:
                raise InputError(f"cannot parse value change '{tok}'", p, lineno)
    t_end = t
    start = t_first if t_first is not None else 0
    for s in range(nslots):
        dt = t_end - since[s]
        if cur[s] == "1":
            a1[s] += dt
        elif cur[s] == "0":
            a0[s] += dt
        else:
            ax[s] += dt
    sl = np.asarray(name_slot, dtype=np.int64)
    arr = lambda v: np.asarray(v, dtype=np.float64)[sl] * scale if nslots else np.zeros(0)  # noqa: E731
    toggles = np.asarray(tog, dtype=np.int64)[sl] if nslots else np.zeros(0, np.int64)
    act = SignalActivity(names=names, toggles=toggles, t0=arr(a0), t1=arr(a1), tx=arr(ax),
                         duration=(t_end - start) * scale, source=str(p))
    return select_scope(act, scope) if scope else act


def select_scope(act: SignalActivity, scope: str) -> SignalActivity:
    """Keep the signals under ``scope`` (``a/b`` or ``a.b``), names made relative."""
    pre = scope.strip("/").replace(".", "/") + "/"
    keep = [i for i, n in enumerate(act.names) if n.startswith(pre)]
    if not keep:
        raise InputError(f"scope '{scope}' not found", act.source or None)
    k = np.asarray(keep, dtype=np.int64)
    return SignalActivity(names=[act.names[i][len(pre):] for i in keep], toggles=act.toggles[k],
                          t0=act.t0[k], t1=act.t1[k], tx=act.tx[k], duration=act.duration,
                          source=act.source)
