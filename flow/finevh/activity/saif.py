"""SAIF (Switching Activity Interchange Format, 2.0 backward) reader -> :class:`SignalActivity`.

Understands ``SAIFILE`` with ``TIMESCALE``, ``DURATION``, ``DIVIDER`` and a tree of
``INSTANCE`` groups holding ``NET`` and ``PORT`` groups of
``(name (T0 n) (T1 n) (TX n) (TZ n) (TC n) (IG n))`` records. Names are joined with
``/`` (instance path, then the net); ``\\`` escapes (``data\\[3\\]``) are removed.
``T0``/``T1``/``TX`` times are in the file's time scale and converted to ns;
``TC`` is the toggle count (0<->1 transitions). Bad input -> :class:`InputError`
with file and line.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..fileio import read_text
from ..validate import count, finite_nonneg
from .model import SignalActivity
from .vcd import _UNIT_NS

_TOK = re.compile(r'\s*(?:(\()|(\))|"((?:[^"\\]|\\.)*)"|((?:[^\s()"\\]|\\.)+))')
_UNESC = re.compile(r"\\(.)")


def _tokens(text: str, p: Path):
    """Yield (kind, value, line); kind '(' ')' or 'a' (atom/string)."""
    pos = 0
    line = 1
    n = len(text)
    while pos < n:
        m = _TOK.match(text, pos)
        g = m.group(0) if m else text[pos:]
        start = pos + len(g) - len(g.lstrip())
        line += text.count("\n", pos, start)
        if m is None:
            if text[pos:].strip() == "":
                return
            if text[start] == '"':
                raise InputError("unterminated string", p, line)
            raise InputError(f"cannot parse '{text[start:start + 20].splitlines()[0]}'", p, line)
        pos = m.end()
        if m.group(1):
            yield "(", "(", line
        elif m.group(2):
            yield ")", ")", line
        elif m.group(3) is not None:
            yield "a", m.group(3), line
        else:
            yield "a", m.group(4), line


def _tree(text: str, p: Path):
    """Parse into nested lists; every list is (items, line)."""
    root: list = []
    stack: list[tuple[list, int]] = []
    cur = root
    for kind, val, line in _tokens(text, p):
        if kind == "(":
            new: list = []
            cur.append((new, line))
            stack.append((cur, line))
            cur = new
        elif kind == ")":
            if not stack:
                raise InputError("unbalanced ')'", p, line)
            cur, _ = stack.pop()
        else:
            cur.append((val, line))
    if stack:
        raise InputError("unbalanced '(' (file ends inside a group)", p, stack[-1][1])
    return root


def _num(item, p: Path, what: str = "value") -> float:
    """A finite number >= 0 (times, counts and the duration cannot be negative)."""
    val, line = item
    if isinstance(val, list):
        raise InputError(f"{what}: expected a number", p, line)
    return finite_nonneg(val, what, p, line)


def read_saif(path: str | Path, scope: str | None = None) -> SignalActivity:
    """Read a SAIF file; ``scope`` (``tb/dut``) selects the instance whose nets match the
    design (names then relative to it)."""
    p = Path(path)
    text = read_text(p)
    tree = _tree(text, p)
    if not tree or not isinstance(tree[0][0], list) or not tree[0][0] or tree[0][0][0][0] != "SAIFILE":
        raise InputError("not a SAIF file (no SAIFILE group)", p, tree[0][1] if tree else 1)
    body, _ = tree[0]
    scale = 1.0
    duration = None
    divider = "/"
    names: list[str] = []
    rec: list[tuple[float, float, float, float]] = []   # t0 t1 tx tc

    def walk_instance(items: list, prefix: str, line: int) -> None:
        # (INSTANCE [designname] name group*)
        atoms = [v for v, _ in items[1:] if not isinstance(v, list)]
        if not atoms:
            raise InputError("INSTANCE without a name", p, line)
        name = _UNESC.sub(r"\1", atoms[-1])
        path = f"{prefix}/{name}" if prefix else name
        for val, ln in items[1:]:
            if not isinstance(val, list) or not val:
                continue
            key = val[0][0]
            if key == "INSTANCE":
                walk_instance(val, path, ln)
            elif key in ("NET", "PORT"):
                for nv, nl in val[1:]:
                    if not isinstance(nv, list) or not nv or isinstance(nv[0][0], list):
                        raise InputError(f"bad {key} entry", p, nl)
                    net = _UNESC.sub(r"\1", nv[0][0]).replace(divider, "/") if divider != "/" else \
                        _UNESC.sub(r"\1", nv[0][0])
                    vals = {"T0": 0.0, "T1": 0.0, "TX": 0.0, "TZ": 0.0, "TC": 0.0}
                    for fv, fl in nv[1:]:
                        if not isinstance(fv, list) or len(fv) != 2:
                            raise InputError(f"bad field in net '{net}'", p, fl)
                        k = fv[0][0]
                        if isinstance(k, list):
                            raise InputError(f"bad field in net '{net}'", p, fl)
                        if k == "TC":
                            vals[k] = float(count(fv[1][0] if not isinstance(fv[1][0], list) else "(...)",
                                                  f"TC of net '{net}'", p, fv[1][1], maximum=1 << 53))
                        elif k in vals:
                            vals[k] = _num(fv[1], p, f"{k} of net '{net}'")
                        elif k in ("IG", "TB", "IK"):
                            _num(fv[1], p, f"{k} of net '{net}'")
                        else:
                            raise InputError(f"unknown field '{k}' in net '{net}'", p, fl)
                    names.append(f"{path}/{net}")
                    rec.append((vals["T0"], vals["T1"], vals["TX"] + vals["TZ"], vals["TC"]))

    for val, line in body[1:]:
        if not isinstance(val, list) or not val:
            raise InputError("unexpected atom in SAIFILE", p, line)
        key = val[0][0]
        if key == "TIMESCALE":
            ts = "".join(v for v, _ in val[1:] if not isinstance(v, list))
            m = re.match(r"^(1|10|100)(s|ms|us|ns|ps|fs)$", ts)
            if not m:
                raise InputError(f"bad TIMESCALE '{ts}'", p, line)
            scale = int(m.group(1)) * _UNIT_NS[m.group(2)]
        elif key == "DURATION":
            if len(val) != 2:
                raise InputError("DURATION needs one number", p, line)
            duration = _num(val[1], p, "DURATION")
            if duration == 0:
                raise InputError("DURATION is 0: no time was recorded, so no activity can be derived", p,
                                 val[1][1])
        elif key == "DIVIDER":
            divider = val[1][0] if len(val) > 1 and not isinstance(val[1][0], list) else "/"
        elif key == "INSTANCE":
            walk_instance(val, "", line)
        elif key in ("SAIFVERSION", "DIRECTION", "DESIGN", "DATE", "VENDOR", "PROGRAM_NAME", "VERSION"):
            pass
        else:
            raise InputError(f"unknown SAIFILE entry '{key}'", p, line)
    if duration is None:
        raise InputError("missing DURATION", p, 1)
    r = np.asarray(rec, dtype=np.float64).reshape(-1, 4)
    act = SignalActivity(names=names, toggles=r[:, 3].astype(np.int64), t0=r[:, 0] * scale,
                         t1=r[:, 1] * scale, tx=r[:, 2] * scale, duration=duration * scale,
                         source=str(p))
    if scope:
        from .vcd import select_scope
        return select_scope(act, scope)
    return act
