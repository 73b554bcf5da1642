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

import re
import zlib
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..fileio import open_binary
from ..validate import MAX_BITS
from .model import SignalActivity

_UNIT_NS = {"s": 1e9, "ms": 1e6, "us": 1e3, "ns": 1.0, "ps": 1e-3, "fs": 1e-6}
_TS_RE = re.compile(r"^\s*(1|10|100)\s*(s|ms|us|ns|ps|fs)\s*$")
_RANGE_RE = re.compile(r"^\[\s*(-?\d+)\s*(?::\s*(-?\d+)\s*)?\]$")
_NORM = {"0": "0", "1": "1", "x": "x", "X": "x", "z": "x", "Z": "x", "u": "x", "U": "x",
         "w": "x", "W": "x", "-": "x", "l": "0", "L": "0", "h": "1", "H": "1"}


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
    f = open_binary(p)   # gzip detected by content
    try:
        with f:
            return _read(f, p, scope)
    except EOFError:
        raise InputError("compressed file ended before the end-of-stream marker (truncated .gz?)", p) from None
    except (OSError, zlib.error) as e:
        raise InputError(f"cannot read: {e}", p) from None


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
    for rawb in it:
        lineno += 1
        raw = rawb.decode("utf-8", errors="replace")
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
                if width > MAX_BITS:
                    raise InputError(f"$var size {width} is too wide (at most {MAX_BITS} bits per variable)",
                                     p, cmd_line)
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
            elif kw in ("$date", "$version", "$comment", "$attrbegin"):
                pass
            else:
                raise InputError(f"unknown header keyword '{kw}'", p, cmd_line)
        if done:
            break
    if not done:
        raise InputError("missing $enddefinitions (empty or truncated header)", p, lineno or None)

    # ---- value changes ----------------------------------------------------
    body = _Body(p, ids, nslots, lineno)
    body.real_ids = real_ids
    while True:
        block = f.read(_CHUNK)
        if not block:
            break
        if not block.endswith(b"\n"):
            block += f.readline()
        body.feed(block)
    body.finish()
    if body.duration <= 0:
        raise InputError("no time advance: the dump covers 0 time units (a single time stamp or none), so no "
                         "activity can be derived", p, body.last_time_line or lineno)
    sl = np.asarray(name_slot, dtype=np.int64)
    scale_arr = lambda v: v[sl] * scale  # noqa: E731
    act = SignalActivity(names=names, toggles=body.tog[sl].copy(), xtoggles=body.xtog[sl].copy(),
                         t0=scale_arr(body.a0),
                         t1=scale_arr(body.a1), tx=scale_arr(body.ax),
                         duration=body.duration * scale, source=str(p))
    return select_scope(act, scope) if scope else act


_CHUNK = 1 << 22
_VAL = {"0": 0, "1": 1, "x": 2}


class _Body:
    """Vectorised value-change processing: per block of lines, scalar changes and
    time stamps are decoded with numpy; other lines (vectors, reals, keywords,
    several changes on one line) go through a small Python path. Events are applied
    per signal bit in file order, carrying each bit's state across blocks."""

    def __init__(self, p: Path, ids: dict[str, tuple[int, int]], nslots: int, line0: int):
        self.p = p
        self.ids = ids
        self.line0 = line0                       # lines consumed before the next block
        self.n = nslots
        self.cur = np.full(nslots, 2, dtype=np.int8)        # 0, 1, 2 = x
        self.known = np.full(nslots, -1, dtype=np.int8)     # last 0/1 value, -1 none
        self.since = np.zeros(nslots, dtype=np.int64)
        self.tog = np.zeros(nslots, dtype=np.int64)
        self.xtog = np.zeros(nslots, dtype=np.int64)       # changes into/out of x
        self.seen = np.zeros(nslots, dtype=bool)           # first value read
        self.a0 = np.zeros(nslots, dtype=np.float64)
        self.a1 = np.zeros(nslots, dtype=np.float64)
        self.ax = np.zeros(nslots, dtype=np.float64)
        self.t = 0
        self.t_first: int | None = None
        self.last_time_line: int | None = None   # line of the last time stamp
        # scalar ids packed into integers (ids of up to 8 bytes) for a vectorised look-up
        keys, slots = [], []
        for code, (base, w) in ids.items():
            b = code.encode()
            if w == 1 and len(b) <= 8:
                keys.append(int.from_bytes(b.ljust(8, b"\0"), "little"))
                slots.append(base)
        o = np.argsort(np.asarray(keys, dtype=np.uint64)) if keys else np.zeros(0, np.int64)
        self.keys = np.asarray(keys, dtype=np.uint64)[o]
        self.key_slot = np.asarray(slots, dtype=np.int64)[o]
        self.scalar = {c: b for c, (b, w) in ids.items() if w == 1}
        self.real_ids: set[str] = set()
        self.in_comment = False                  # inside a $comment/$attrbegin ... $end

    def err(self, msg: str, line: int) -> InputError:
        return InputError(msg, self.p, line)

    # -- one block ---------------------------------------------------------------
    def feed(self, block: bytes) -> None:
        buf = np.frombuffer(block, dtype=np.uint8)
        ends = np.flatnonzero(buf == 10)
        starts = np.concatenate([[0], ends[:-1] + 1])
        line_no = self.line0 + 1 + np.arange(ends.size)
        self.line0 += ends.size
        e = ends.copy()
        # strip a trailing CR
        cr = (e > starts) & (buf[np.maximum(e - 1, 0)] == 13)
        e[cr] -= 1
        ln = e - starts
        first = np.where(ln > 0, buf[np.minimum(starts, buf.size - 1)], 0)
        # lines holding a blank anywhere go to the slow path
        blanks = np.flatnonzero((buf == 32) | (buf == 9))
        has_blank = np.zeros(ends.size, bool)
        if blanks.size:
            has_blank[np.unique(np.searchsorted(ends, blanks))] = True
        is_time = (first == ord("#")) & ~has_blank & (ln > 1)
        sc_first = np.isin(first, np.frombuffer(b"01xXzZ", dtype=np.uint8))
        is_sc = sc_first & ~has_blank & (ln >= 2) & (ln <= 9)
        empty = ln == 0
        slow = ~(is_time | is_sc | empty) | self._comment_lines(block, ends)
        # ---- time stamps
        ti = np.flatnonzero(is_time)
        tvals = self._parse_times(buf, starts[ti] + 1, e[ti], line_no[ti])
        # ---- scalar changes
        si = np.flatnonzero(is_sc)
        s_slot, s_val = self._scalars(buf, starts[si], e[si], first[si], line_no[si], block)
        # ---- slow lines
        ev_line: list[int] = []
        ev_slot: list[int] = []
        ev_val: list[int] = []
        t_line: list[int] = []
        t_val: list[int] = []
        for k in np.flatnonzero(slow).tolist():
            text = block[starts[k]:e[k]].decode("utf-8", errors="replace")
            self._slow(text, int(line_no[k]), k, ev_line, ev_slot, ev_val, t_line, t_val)
        # ---- merge: every event takes the time of the last time stamp above it
        if t_line:
            ti = np.concatenate([ti, np.asarray(t_line, dtype=np.int64)])
            tvals = np.concatenate([tvals, np.asarray(t_val, dtype=np.int64)])
            o = np.argsort(ti, kind="stable")
            ti, tvals = ti[o], tvals[o]
        if tvals.size:
            prev = np.concatenate([[self.t], tvals[:-1]])
            bad = np.flatnonzero(tvals < prev)
            if bad.size:
                k = int(bad[0])
                raise self.err(f"time goes backwards ({int(tvals[k])} < {int(prev[k])})", int(line_no[ti[k]]))
        ev_l = np.concatenate([si, np.asarray(ev_line, dtype=np.int64)])
        ev_s = np.concatenate([s_slot, np.asarray(ev_slot, dtype=np.int64)])
        ev_v = np.concatenate([s_val, np.asarray(ev_val, dtype=np.int8)])
        pos = np.searchsorted(ti, ev_l, side="right") - 1
        times = np.where(pos >= 0, tvals[np.maximum(pos, 0)] if tvals.size else 0, self.t)
        if self.t_first is None and tvals.size:
            # changes before the first time stamp set initial values only
            pre = pos < 0
            self._apply(ev_s[pre], ev_v[pre], times[pre], ev_l[pre])
            self.t_first = int(tvals[0])
            self.since[:] = self.t_first
            self._apply(ev_s[~pre], ev_v[~pre], times[~pre], ev_l[~pre])
        else:
            self._apply(ev_s, ev_v, times, ev_l)
        if tvals.size:
            self.t = int(tvals[-1])
            self.last_time_line = int(line_no[ti[-1]])

    def _comment_lines(self, block: bytes, ends: np.ndarray) -> np.ndarray | bool:
        """Lines of the block (partly) inside ``$comment``/``$attrbegin`` ... ``$end``
        (as Icarus, Verilator and commercial simulators write them between value
        changes): they go to the slow path, which skips their words."""
        if not self.in_comment and b"$comment" not in block and b"$attrbegin" not in block:
            return False
        mask = np.zeros(ends.size, bool)
        pos = 0
        opening = self.in_comment
        while True:
            if not opening:
                hits = [h for h in (block.find(b"$comment", pos), block.find(b"$attrbegin", pos)) if h >= 0]
                if not hits:
                    break
                pos = min(hits)
            a = int(np.searchsorted(ends, pos))
            c = block.find(b"$end", pos + (0 if opening else 2))
            b = int(np.searchsorted(ends, c)) if c >= 0 else ends.size - 1
            mask[a:b + 1] = True
            if c < 0:
                break
            pos, opening = c + 4, False
        return mask

    def _parse_times(self, buf, s, e, lines) -> np.ndarray:
        if s.size == 0:
            return np.zeros(0, dtype=np.int64)
        ln = e - s
        if (ln > 18).any():
            k = int(np.flatnonzero(ln > 18)[0])
            raise self.err(f"bad time '#{bytes(buf[s[k]:e[k]]).decode(errors='replace')}'", int(lines[k]))
        W = int(ln.max())
        idx = s[:, None] + np.arange(W)[None, :]
        mask = np.arange(W)[None, :] < ln[:, None]
        d = buf[np.minimum(idx, buf.size - 1)].astype(np.int64) - 48
        ok = ((d >= 0) & (d <= 9)) | ~mask
        if not ok.all():
            k = int(np.flatnonzero(~ok.all(axis=1))[0])
            raise self.err(f"bad time '#{bytes(buf[s[k]:e[k]]).decode(errors='replace')}'", int(lines[k]))
        d = np.where(mask, d, 0)
        power = ln[:, None] - 1 - np.arange(W)[None, :]
        return (d * np.where(mask, 10 ** np.maximum(power, 0), 0)).sum(axis=1)

    def _scalars(self, buf, s, e, first, lines, block):
        n = s.size
        if n == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int8)
        ln = e - s - 1
        padded = np.concatenate([buf, np.zeros(8, np.uint8)])
        rows = np.lib.stride_tricks.as_strided(padded, shape=(buf.size, 8), strides=(1, 1))
        b = rows[s + 1]                                   # [n, 8] bytes of each id
        b[np.arange(8)[None, :] >= ln[:, None]] = 0
        key = b.view("<u8").ravel()
        if self.keys.size == 0:
            found = np.zeros(n, bool)
            posc = np.zeros(n, np.int64)
        else:
            posc = np.minimum(np.searchsorted(self.keys, key), self.keys.size - 1)
            found = self.keys[posc] == key
        if not found.all():
            k = int(np.flatnonzero(~found)[0])
            code = bytes(buf[s[k] + 1:e[k]]).decode(errors="replace")
            if code in self.ids:
                raise self.err(f"scalar value for vector id '{code}'", int(lines[k]))
            raise self.err(f"unknown signal id '{code}'", int(lines[k]))
        v = np.where(first == ord("1"), 1, np.where(first == ord("0"), 0, 2)).astype(np.int8)
        return self.key_slot[posc], v

    def _slow(self, text: str, line: int, k: int, ev_line, ev_slot, ev_val, t_line, t_val) -> None:
        toks = text.split()
        i = 0
        while i < len(toks):
            tok = toks[i]
            c = tok[0]
            if self.in_comment:
                self.in_comment = tok != "$end"
                i += 1
            elif tok in ("$comment", "$attrbegin"):
                self.in_comment = True
                i += 1
            elif c == "#":
                try:
                    nt = int(tok[1:])
                except ValueError:
                    raise self.err(f"bad time '{tok}'", line) from None
                t_line.append(k)
                t_val.append(nt)
                i += 1
            elif c in "bB":
                if i + 1 >= len(toks):
                    raise self.err("vector value without id", line)
                code = toks[i + 1]
                ent = self.ids.get(code)
                if ent is None:
                    raise self.err(f"unknown signal id '{code}'", line)
                base, w = ent
                try:
                    bits = "".join(_NORM[ch] for ch in tok[1:])
                except KeyError:
                    raise self.err(f"bad vector value '{tok}'", line) from None
                if not bits:
                    raise self.err("empty vector value", line)
                if len(bits) < w:
                    pad = "0" if bits[0] in "01" else bits[0]
                    bits = pad * (w - len(bits)) + bits
                elif len(bits) > w:
                    bits = bits[len(bits) - w:]
                ev_line.extend([k] * w)
                ev_slot.extend(range(base, base + w))
                ev_val.extend(map(_VAL.__getitem__, bits))
                i += 2
            elif c in "rR":
                if i + 1 >= len(toks):
                    raise self.err("real value without id", line)
                if toks[i + 1] not in self.ids and toks[i + 1] not in self.real_ids:
                    raise self.err(f"unknown signal id '{toks[i + 1]}'", line)
                i += 2
            elif c == "$":
                i += 1   # $dumpvars, $dumpall, $dumpon, $dumpoff, $end, $comment words
            elif c in _NORM:
                code = tok[1:]
                s = self.scalar.get(code)
                if s is None:
                    if code in self.ids:
                        raise self.err(f"scalar value for vector id '{code}'", line)
                    raise self.err(f"unknown signal id '{code}'", line)
                ev_line.append(k)
                ev_slot.append(s)
                ev_val.append(_VAL[_NORM[c]])
                i += 1
            else:
                raise self.err(f"cannot parse value change '{tok}'", line)

    # -- apply events (file order within each bit) --------------------------------
    def _apply(self, slot, val, time, order) -> None:
        if slot.size == 0:
            return
        o = np.argsort(slot.astype(np.int64) * (int(order.max()) + 1) + order, kind="stable")
        slot, val, time = slot[o], val[o].astype(np.int8), time[o].astype(np.int64)
        first = np.ones(slot.size, bool)
        first[1:] = slot[1:] != slot[:-1]
        prev_val = np.empty_like(val)
        prev_val[1:] = val[:-1]
        prev_val[first] = self.cur[slot[first]]
        had = np.ones(slot.size, bool)
        had[first] = self.seen[slot[first]]
        xch = had & (prev_val != val) & ((prev_val == 2) | (val == 2))
        self.xtog += np.bincount(slot[xch], minlength=self.n)
        self.seen[slot] = True
        prev_t = np.empty_like(time)
        prev_t[1:] = time[:-1]
        prev_t[first] = self.since[slot[first]]
        dt = (time - prev_t).astype(np.float64)
        for code, acc in ((0, self.a0), (1, self.a1), (2, self.ax)):
            m = prev_val == code
            if m.any():
                acc += np.bincount(slot[m], weights=dt[m], minlength=self.n)
        # toggles over the known (0/1) values, x/z skipped
        kn = val != 2
        ks, kv = slot[kn], val[kn]
        if ks.size:
            kfirst = np.ones(ks.size, bool)
            kfirst[1:] = ks[1:] != ks[:-1]
            kprev = np.empty_like(kv)
            kprev[1:] = kv[:-1]
            kprev[kfirst] = self.known[ks[kfirst]]
            flips = (kprev >= 0) & (kprev != kv)
            self.tog += np.bincount(ks[flips], minlength=self.n)
            last_k = np.ones(ks.size, bool)
            last_k[:-1] = ks[1:] != ks[:-1]
            self.known[ks[last_k]] = kv[last_k]
        last = np.ones(slot.size, bool)
        last[:-1] = slot[1:] != slot[:-1]
        self.cur[slot[last]] = val[last]
        self.since[slot[last]] = time[last]

    def finish(self) -> None:
        end = self.t
        dt = (end - self.since).astype(np.float64)
        self.a0 += np.where(self.cur == 0, dt, 0.0)
        self.a1 += np.where(self.cur == 1, dt, 0.0)
        self.ax += np.where(self.cur == 2, dt, 0.0)
        self.duration = float(end - (self.t_first if self.t_first is not None else 0))


def select_scope(act: SignalActivity, scope: str) -> SignalActivity:
    """Keep the signals under ``scope`` (``a/b`` or ``a.b``), names made relative."""
    pre = scope.strip("/").replace(".", "/") + "/"
    keep = [i for i, n in enumerate(act.names) if n.startswith(pre)]
    if not keep:
        raise InputError(f"scope '{scope}' not found", act.source or None)
    k = np.asarray(keep, dtype=np.int64)
    return SignalActivity(names=[act.names[i][len(pre):] for i in keep], toggles=act.toggles[k],
                          t0=act.t0[k], t1=act.t1[k], tx=act.tx[k], duration=act.duration,
                          source=act.source,
                          xtoggles=None if act.xtoggles is None else act.xtoggles[k])
