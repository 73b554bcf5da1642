"""``-filter`` expressions of the ``get_*`` commands, with OpenSTA's syntax.

A predicate is ``PROPERTY OP VALUE`` with OP one of ``==``, ``!=``, ``=~`` (glob
pattern, ``*`` and ``?``), ``!~``; a bare ``PROPERTY`` means ``PROPERTY == 1``
(boolean properties are ``1``/``0``; ``true``/``false`` are accepted as values).
Predicates combine with ``!`` (highest precedence), ``&&``, ``||`` and parentheses.
A leading ``@`` on a property name is ignored.
"""

from __future__ import annotations

import re
from typing import Callable

__all__ = ["FilterError", "compile_filter", "glob_match"]


class FilterError(ValueError):
    pass


_TOKENS = [
    (re.compile(r"\s+"), "skip"),
    (re.compile(r"@?([a-zA-Z_]+) *(?:(==|!=|=~|!~) *([0-9a-zA-Z_/$\[\]*?.]+))?"), "pred"),
    (re.compile(r"&&"), "and"),
    (re.compile(r"\|\|"), "or"),
    (re.compile(r"!"), "not"),
    (re.compile(r"\("), "("),
    (re.compile(r"\)"), ")"),
]
_PREC = {"or": 1, "and": 2, "not": 3}


def glob_match(pattern: str, s: str) -> bool:
    """OpenSTA pattern match: ``*`` any text, ``?`` one character, everything else literal."""
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(rx, s, re.S) is not None


def _lex(text: str) -> list[tuple]:
    out: list[tuple] = []
    pos = 0
    while pos < len(text):
        for rx, kind in _TOKENS:
            m = rx.match(text, pos)
            if m:
                if kind == "pred":
                    out.append(("pred", m.group(1), m.group(2) or "==", m.group(3) if m.group(2) else "1"))
                elif kind != "skip":
                    out.append((kind,))
                pos = m.end()
                break
        else:
            raise FilterError(f"-filter parsing failed at '{text[pos:]}'")
    return out


def _rpn(tokens: list[tuple]) -> list[tuple]:
    """Shunting-yard to reverse Polish notation."""
    out: list[tuple] = []
    ops: list[tuple] = []
    for t in tokens:
        k = t[0]
        if k == "pred":
            out.append(t)
        elif k in ("and", "or"):
            while ops and ops[-1][0] in _PREC and _PREC[ops[-1][0]] >= _PREC[k]:
                out.append(ops.pop())
            ops.append(t)
        elif k in ("not", "("):
            ops.append(t)
        elif k == ")":
            while ops and ops[-1][0] != "(":
                out.append(ops.pop())
            if not ops:
                raise FilterError("-filter extraneous )")
            ops.pop()
    while ops:
        if ops[-1][0] == "(":
            raise FilterError("-filter unmatched (")
        out.append(ops.pop())
    return out


def compile_filter(text: str, prop: Callable[[object, str], str | bool | None]) -> Callable[[object], bool]:
    """A predicate over objects for the expression ``text``; ``prop(obj, name)`` gives a
    property value (str, bool) or raises :class:`FilterError` for an unknown property."""
    rpn = _rpn(_lex(text))
    if not rpn:
        raise FilterError("-filter: empty expression")

    def evaluate(obj) -> bool:
        stack: list[bool] = []
        for t in rpn:
            k = t[0]
            if k == "pred":
                _, name, op, val = t
                v = prop(obj, name)
                if isinstance(v, bool):
                    s = "1" if v else "0"
                    val = {"true": "1", "false": "0"}.get(val.lower(), val)
                else:
                    s = "" if v is None else str(v)
                if op == "==":
                    stack.append(s == val)
                elif op == "!=":
                    stack.append(s != val)
                elif op == "=~":
                    stack.append(glob_match(val, s))
                else:
                    stack.append(not glob_match(val, s))
            elif k == "not":
                if not stack:
                    raise FilterError("-filter: '!' without an operand")
                stack.append(not stack.pop())
            else:
                if len(stack) < 2:
                    raise FilterError(f"-filter: '{'&&' if k == 'and' else '||'}' needs two operands")
                b, a = stack.pop(), stack.pop()
                stack.append((a and b) if k == "and" else (a or b))
        if len(stack) != 1:
            raise FilterError("-filter: predicates without an operator between them")
        return stack[0]

    return evaluate
