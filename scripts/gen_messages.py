#!/usr/bin/env python3
"""Keep finevh's message-ID table (flow/finevh/messages.tsv) and docs/messages.md current.

Scans flow/finevh for the places that raise a finevh error or warn (calls of
InputError/ToolError/FinevhError and of the readers' error helpers fail/err/error, and of
warn), takes each message's template (literal text, ``{}`` for formatted parts) and gives
every new (module prefix, template) the next free number of its prefix. Existing rows are
never renumbered; rows whose message no longer exists stay, marked retired, so an ID is
never reused. Run after adding or rewording a message:

    python3 scripts/gen_messages.py          # rewrite the table and docs/messages.md
    python3 scripts/gen_messages.py --check  # exit 1 if either is out of date (the tests run this)
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PKG = REPO / "flow" / "finevh"
sys.path.insert(0, str(REPO / "flow"))

from finevh.messages import TABLE, prefix_of  # noqa: E402

CALLS = {"InputError": "error", "ToolError": "error", "FinevhError": "error", "fail": "error",
         "_fail": "error", "err": "error", "_err": "error", "error": "error", "warn": "warning"}
DOC = REPO / "docs" / "messages.md"


def _template(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.replace("{}", "{ }")
    if isinstance(node, ast.JoinedStr):
        return "".join(_template(v) if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _template(node.left) + _template(node.right)
    return "{}"


def _collapse(t: str) -> str:
    while "{}{}" in t:
        t = t.replace("{}{}", "{}")
    return t


def scan() -> list[tuple[str, str, str, str]]:
    """(module, kind, template, where) of every message site, in file order."""
    out = []
    for f in sorted(PKG.rglob("*.py")):
        rel = f.relative_to(REPO / "flow").with_suffix("")
        module = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        tree = ast.parse(f.read_text(encoding="utf-8"), str(f))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            fn = node.func
            name = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else None
            if name not in CALLS:
                continue
            if name == "warn" and not (isinstance(fn, ast.Attribute) and getattr(fn.value, "id", "") == "progress"
                                       or isinstance(fn, ast.Name)):
                continue
            t = _collapse(_template(node.args[0]))
            if t == "{}" or "\t" in t or "\n" in t:
                continue
            out.append((module, CALLS[name], t, f"{rel}.py:{node.lineno}"))
    return out


def load() -> list[list[str]]:
    rows = []
    if TABLE.is_file():
        for line in TABLE.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                rows.append(line.split("\t"))
    return rows


def build() -> tuple[str, str]:
    rows = load()            # [id, module, template, (retired)]
    known = {(r[0].split("-")[0], r[2]): r for r in rows}
    used: dict[str, int] = {}
    for r in rows:
        p, n = r[0].split("-")
        used[p] = max(used.get(p, 0), int(n))
    live = set()
    sites: dict[tuple[str, str], tuple[str, str, str]] = {}
    for module, kind, t, where in scan():
        key = (prefix_of(module), t)
        live.add(key)
        sites.setdefault(key, (module, kind, where))
        if key not in known:
            used[key[0]] = used.get(key[0], 0) + 1
            r = [f"{key[0]}-{used[key[0]]:04d}", module, t]
            rows.append(r)
            known[key] = r
    for r in rows:
        key = (r[0].split("-")[0], r[2])
        r[:] = r[:3] + ([] if key in live else ["retired"])
    rows.sort(key=lambda r: r[0])
    head = ("# finevh message IDs: ID <TAB> module <TAB> message template ({} = formatted text)"
            " [<TAB> retired]\n# Generated and extended by scripts/gen_messages.py; never renumber.\n")
    tsv = head + "".join("\t".join(r) + "\n" for r in rows)
    doc = ["# Messages", "",
           "Every error and warning finevh prints is one line with a stable ID at its end, as",
           "OpenROAD's `[ERROR PPL-0024]`:", "",
           "    finevh: error: FILE:LINE: message [SDC-0012]", "    finevh: warning: FILE:LINE: message [PLC-0003]", "",
           "The ID names the module that reports it (prefix) and the message (number); the number",
           "stays with the message when the code around it changes (`scripts/gen_messages.py`).",
           "`{}` stands for text filled in from the input. `-0000` is a message of that module",
           "without a table entry (text built at run time). Usage errors of the command line are",
           "`CLI-0001` (bad option or value), `CLI-0002`, `CLI-0003` (aborted).", "",
           "| ID | kind | module | message |", "|---|---|---|---|"]
    for r in rows:
        if len(r) > 3:
            continue
        key = (r[0].split("-")[0], r[2])
        kind = sites.get(key, ("", "error", ""))[1]
        msg = r[2].replace("|", "\\|").replace("`", "'")
        doc.append(f"| {r[0]} | {kind} | `{r[1]}` | {msg} |")
    return tsv, "\n".join(doc) + "\n"


def main(argv: list[str]) -> int:
    tsv, doc = build()
    if "--check" in argv:
        ok = TABLE.is_file() and TABLE.read_text(encoding="utf-8") == tsv and DOC.is_file() \
            and DOC.read_text(encoding="utf-8") == doc
        if not ok:
            print("messages.tsv / docs/messages.md out of date: run python3 scripts/gen_messages.py", file=sys.stderr)
        return 0 if ok else 1
    TABLE.write_text(tsv, encoding="utf-8")
    DOC.write_text(doc, encoding="utf-8")
    print(f"{sum(1 for ln in tsv.splitlines() if ln and not ln.startswith('#'))} messages", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
