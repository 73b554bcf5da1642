"""Liberty Boolean expressions (``function``, ``when``, ``next_state`` ...).

Grammar (Liberty reference; same precedence as OpenSTA's expression parser),
lowest to highest binding::

    or   :  and  ( ('|' | '+') and )*
    and  :  xor  ( ('&' | '*' | <juxtaposition>) xor )*
    xor  :  not  ( '^' not )*
    not  :  '!' not  |  atom "'"*
    atom :  NAME | '0' | '1' | '(' or ')'

Juxtaposition means two operands side by side (``A B``, ``A(B)``, ``(A)(B)``,
``A' B``) are ANDed. Names are pin names (``A``, ``IQ``, ``D[3]``).

An :class:`Expr` is a small immutable tree. Three vectorised evaluators work on
numpy arrays (one element per instance, or per truth-table row):

- :func:`eval_bool` : truth values;
- :func:`eval_duty` : probability of being 1, inputs taken as independent and each
  sub-expression combined pairwise exactly as OpenSTA does (so ``A & !A`` gives
  ``p(1-p)``, not 0: the same approximation the reference tool makes);
- :func:`eval_activity` : (transition density, probability) pairs through the
  same pairwise rules (OpenSTA's ``Power::evalActivity``):
  ``AND: d = d1 p2 + d2 p1, p = p1 p2``; ``OR`` on complements;
  ``XOR: d = d1 p1(1-p2) + d2 p2(1-p1)`` with OpenSTA's weights; ``NOT: d, 1-p``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ..errors import InputError

# op codes
CONST, VAR, NOT, AND, OR, XOR = "const", "var", "not", "and", "or", "xor"


@dataclass(frozen=True)
class Expr:
    op: str
    args: tuple = ()
    name: str | None = None      # VAR
    value: int | None = None     # CONST: 0 or 1

    def variables(self) -> tuple[str, ...]:
        """Distinct variable names in first-appearance order."""
        out: list[str] = []
        _collect(self, out)
        return tuple(out)

    def __str__(self) -> str:
        if self.op == CONST:
            return str(self.value)
        if self.op == VAR:
            return str(self.name)
        if self.op == NOT:
            return f"!{_paren(self.args[0])}"
        sym = {AND: "&", OR: "|", XOR: "^"}[self.op]
        return f" {sym} ".join(_paren(a) for a in self.args)


def _paren(e: Expr) -> str:
    return str(e) if e.op in (CONST, VAR, NOT) else f"({e})"


def _collect(e: Expr, out: list[str]) -> None:
    if e.op == VAR:
        if e.name not in out:
            out.append(e.name)  # type: ignore[arg-type]
    for a in e.args:
        _collect(a, out)


_TOKEN = re.compile(r"\s*(?:([A-Za-z_][A-Za-z0-9_\[\]\.$]*)|(\d+)|(.))")


def _tokenize(text: str, path, line) -> list[tuple[str, str]]:
    toks: list[tuple[str, str]] = []
    pos = 0
    n = len(text)
    while pos < n:
        m = _TOKEN.match(text, pos)
        if m is None:  # only trailing blanks left
            break
        pos = m.end()
        name, num, ch = m.groups()
        if name is not None:
            toks.append(("name", name))
        elif num is not None:
            if num not in ("0", "1"):
                raise InputError(f"bad constant '{num}' in expression '{text}'", path, line)
            toks.append(("const", num))
        elif ch is not None:
            if ch.isspace():
                continue
            if ch == '"':
                continue
            if ch not in "!'&*|+^()":
                raise InputError(f"unexpected character '{ch}' in expression '{text}'", path, line)
            toks.append(("op", ch))
    return toks


class _Parser:
    def __init__(self, text: str, path, line):
        self.text = text
        self.path = path
        self.line = line
        self.toks = _tokenize(text, path, line)
        self.i = 0

    def err(self, msg: str) -> InputError:
        return InputError(f"{msg} in expression '{self.text}'", self.path, self.line)

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def parse(self) -> Expr:
        if not self.toks:
            raise self.err("empty expression")
        e = self.p_or()
        if self.peek() is not None:
            raise self.err(f"unexpected '{self.peek()[1]}'")  # type: ignore[index]
        return e

    def p_or(self) -> Expr:
        items = [self.p_and()]
        while self.peek() in (("op", "|"), ("op", "+")):
            self.i += 1
            items.append(self.p_and())
        return _fold(OR, items)

    def _starts_operand(self, t: tuple[str, str] | None) -> bool:
        return t is not None and (t[0] in ("name", "const") or t in (("op", "("), ("op", "!")))

    def p_and(self) -> Expr:
        items = [self.p_xor()]
        while True:
            t = self.peek()
            if t in (("op", "&"), ("op", "*")):
                self.i += 1
                items.append(self.p_xor())
            elif self._starts_operand(t):
                items.append(self.p_xor())
            else:
                break
        return _fold(AND, items)

    def p_xor(self) -> Expr:
        items = [self.p_not()]
        while self.peek() == ("op", "^"):
            self.i += 1
            items.append(self.p_not())
        return _fold(XOR, items)

    def p_not(self) -> Expr:
        t = self.peek()
        if t == ("op", "!"):
            self.i += 1
            return Expr(NOT, (self.p_not(),))
        e = self.p_atom()
        while self.peek() == ("op", "'"):
            self.i += 1
            e = Expr(NOT, (e,))
        return e

    def p_atom(self) -> Expr:
        t = self.peek()
        if t is None:
            raise self.err("unexpected end")
        self.i += 1
        kind, val = t
        if kind == "name":
            return Expr(VAR, name=val)
        if kind == "const":
            return Expr(CONST, value=int(val))
        if val == "(":
            e = self.p_or()
            if self.peek() != ("op", ")"):
                raise self.err("missing ')'")
            self.i += 1
            return e
        raise self.err(f"unexpected '{val}'")


def _fold(op: str, items: list[Expr]) -> Expr:
    e = items[0]
    for x in items[1:]:
        e = Expr(op, (e, x))  # left-associative binary tree, as OpenSTA builds it
    return e


@functools.lru_cache(maxsize=65536)
def _parse_cached(text: str) -> Expr:
    return _Parser(text, None, None).parse()


def parse(text: str, path=None, line: int | None = None) -> Expr:
    """Parse a Liberty Boolean expression; bad syntax -> :class:`InputError` (path:line)."""
    try:
        return _parse_cached(text.strip().strip('"'))
    except InputError as e:
        raise InputError(e.message, path, line) from None


# ---------------------------------------------------------------------------
# Evaluators

Env = Mapping[str, np.ndarray]


def eval_bool(e: Expr, env: Env, shape=()) -> np.ndarray:
    """Truth value of ``e``; ``env[name]`` are boolean (or 0/1) arrays of one shape."""
    op = e.op
    if op == VAR:
        return np.asarray(env[e.name], dtype=bool)  # type: ignore[index]
    if op == CONST:
        return np.full(shape, bool(e.value))
    if op == NOT:
        return ~eval_bool(e.args[0], env, shape)
    a = eval_bool(e.args[0], env, shape)
    b = eval_bool(e.args[1], env, shape)
    if op == AND:
        return a & b
    if op == OR:
        return a | b
    return a ^ b


def eval_duty(e: Expr, p: Mapping[str, np.ndarray], shape=()) -> np.ndarray:
    """Probability that ``e`` is 1 given per-variable probabilities (pairwise rules)."""
    op = e.op
    if op == VAR:
        return np.asarray(p[e.name], dtype=np.float64)  # type: ignore[index]
    if op == CONST:
        return np.full(shape, float(e.value))
    if op == NOT:
        return 1.0 - eval_duty(e.args[0], p, shape)
    a = eval_duty(e.args[0], p, shape)
    b = eval_duty(e.args[1], p, shape)
    if op == AND:
        return a * b
    if op == OR:
        return 1.0 - (1.0 - a) * (1.0 - b)
    return a * (1.0 - b) + b * (1.0 - a)


Pair = tuple[np.ndarray, np.ndarray]   # (density, duty)


def eval_activity(e: Expr, env: Mapping[str, Pair], shape=()) -> Pair:
    """(density, duty) of ``e`` from the inputs' (density, duty), OpenSTA's rules.

    Density is in whatever unit the inputs use (transitions per clock or per ns).
    """
    op = e.op
    if op == VAR:
        d, p = env[e.name]  # type: ignore[index]
        return np.asarray(d, dtype=np.float64), np.asarray(p, dtype=np.float64)
    if op == CONST:
        return np.zeros(shape), np.full(shape, float(e.value))
    if op == NOT:
        d, p = eval_activity(e.args[0], env, shape)
        return d, 1.0 - p
    d1, p1 = eval_activity(e.args[0], env, shape)
    d2, p2 = eval_activity(e.args[1], env, shape)
    if op == AND:
        return d1 * p2 + d2 * p1, p1 * p2
    if op == OR:
        q1, q2 = 1.0 - p1, 1.0 - p2
        return d1 * q2 + d2 * q1, 1.0 - q1 * q2
    w1 = p1 * (1.0 - p2)
    w2 = p2 * (1.0 - p1)
    return d1 * w1 + d2 * w2, w1 + w2


def truth_table(e: Expr, names: tuple[str, ...] | None = None) -> tuple[tuple[str, ...], np.ndarray]:
    """All 2**n rows of ``e`` over ``names`` (default: its variables); row r gives
    variable k the value ``(r >> k) & 1``."""
    names = e.variables() if names is None else names
    rows = np.arange(1 << len(names))
    env = {n: ((rows >> k) & 1).astype(bool) for k, n in enumerate(names)}
    return names, eval_bool(e, env, rows.shape)


def exact_probability(e: Expr, p: Mapping[str, float]) -> float:
    """Exact probability that ``e`` is 1 for independent inputs (truth-table sum;
    for the few-input expressions of standard cells)."""
    names, tt = truth_table(e)
    if not names:
        return float(tt)
    rows = np.arange(1 << len(names))
    w = np.ones(rows.shape)
    for k, n in enumerate(names):
        bit = (rows >> k) & 1
        w *= np.where(bit == 1, p[n], 1.0 - p[n])
    return float(w[tt].sum())


def _row_weights(names: tuple[str, ...], p: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    """float64[2**k, n]: probability of every truth-table row per item, independent inputs."""
    rows = np.arange(1 << len(names))
    w = np.ones((rows.size, n))
    for k, name in enumerate(names):
        bit = ((rows >> k) & 1).astype(bool)[:, None]
        q = np.broadcast_to(np.asarray(p[name], dtype=np.float64), (n,))[None, :]
        w *= np.where(bit, q, 1.0 - q)
    return w


def exact_duty(e: Expr, p: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    """float64[n]: exact probability that ``e`` is 1 for independent inputs with
    per-item probabilities ``p`` (truth-table enumeration: the same value a BDD walk,
    as OpenSTA 3.x does with CUDD, gives for the few-input functions of cells)."""
    names, tt = truth_table(e)
    if not names:
        return np.full(n, float(np.asarray(tt).ravel()[0]))
    return _row_weights(names, p, n)[tt].sum(axis=0)


def boolean_difference(e: Expr, var: str) -> Expr:
    """``e(var=1) xor e(var=0)``: 1 where ``var`` is sensitised to the output."""

    def cof(x: Expr, v: int) -> Expr:
        if x.op == VAR:
            return Expr(CONST, value=v) if x.name == var else x
        if x.op == CONST:
            return x
        return Expr(x.op, tuple(cof(a, v) for a in x.args))

    return Expr(XOR, (cof(e, 1), cof(e, 0)))


def exact_activity(e: Expr, env: Mapping[str, Pair], n: int) -> Pair:
    """(density, duty) of ``e`` with exact probabilities (OpenSTA 3.x
    ``evalBddActivity``/``evalBddDuty``): density = sum over inputs x of
    P(d e / d x) * density(x), duty = P(e)."""
    duty_in = {k: v[1] for k, v in env.items()}
    dens = np.zeros(n)
    for v in e.variables():
        dens = dens + exact_duty(boolean_difference(e, v), duty_in, n) * np.asarray(env[v][0], dtype=np.float64)
    return dens, exact_duty(e, duty_in, n)
