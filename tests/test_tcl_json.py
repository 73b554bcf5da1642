"""finevh::json::parse (tcl/finevh/json.tcl) against Python's json on tricky and random
documents, in a real tclsh."""

from __future__ import annotations

import json
import random
import subprocess

import pytest

from conftest import REPO

JSON_TCL = REPO / "tcl" / "finevh" / "json.tcl"

# The checker: each line "HEXJSON" starts a document; "PATH... = HEXVALUE" checks a leaf,
# "PATH... # N" the size of a container. PATH elements: d HEXKEY | l INDEX; HEX = "x" + hex of UTF-8.
CHECKER = r"""
source {%s}
proc unhex {h} { return [encoding convertfrom utf-8 [binary format H* [string range $h 1 end]]] }
set fh [open [lindex $argv 0] r]; fconfigure $fh -encoding utf-8
set bad 0; set n 0
foreach line [split [read $fh] "\n"] {
    if {$line eq ""} continue
    set w [split $line " "]
    if {[lindex $w 0] eq "DOC"} {
        set doc [lindex $w 1]
        if {[catch {finevh::json::parse [unhex $doc]} root]} { puts "PARSEFAIL $doc $root"; incr bad; set root "" }
        continue
    }
    if {[lindex $w 0] eq "ERR"} {
        if {![catch {finevh::json::parse [unhex [lindex $w 1]]} e]} { puts "NOERR [lindex $w 1] <$e>"; incr bad
        } elseif {![string match "finevh::json: *at offset*" $e]} { puts "BADMSG $e"; incr bad }
        continue
    }
    set v $root
    set i 0
    while {[lindex $w $i] in {d l}} {
        if {[lindex $w $i] eq "d"} { set v [dict get $v [unhex [lindex $w [expr {$i+1}]]]]
        } else { set v [lindex $v [lindex $w [expr {$i+1}]]] }
        incr i 2
    }
    incr n
    set op [lindex $w $i]; set arg [lindex $w [expr {$i+1}]]
    if {$op eq "="} { if {$v ne [unhex $arg]} { puts "BAD $line got <$v>"; incr bad } }
    if {$op eq "~"} {
        if {![string is double -strict $v] || $v != [unhex $arg]} { puts "BADNUM $line got <$v>"; incr bad }
    }
    if {$op eq "#"} {
        set size [expr {[lindex $w end] eq "dict" ? [dict size $v] : [llength $v]}]
        if {$size != $arg} { puts "BADSIZE $line got $size"; incr bad }
    }
}
puts "checked $n bad $bad"
""" % JSON_TCL


def _hex(s: str) -> str:
    return "x" + s.encode("utf-8").hex()  # never empty


def _leaf(x) -> str:
    if x is True:
        return "1"
    if x is False:
        return "0"
    if x is None:
        return ""
    if isinstance(x, str):
        return x
    return json.dumps(x)


def _checks(obj, path: list[str], out: list[str]) -> None:
    if isinstance(obj, dict):
        out.append(" ".join(path + ["#", str(len(obj)), "dict"]))
        for k, v in obj.items():
            _checks(v, path + ["d", _hex(k)], out)
    elif isinstance(obj, list):
        out.append(" ".join(path + ["#", str(len(obj)), "list"]))
        for i, v in enumerate(obj):
            _checks(v, path + ["l", str(i)], out)
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        out.append(" ".join(path + ["~", _hex(json.dumps(obj))]))  # the number's value
    else:
        out.append(" ".join(path + ["=", _hex(_leaf(obj))]))


TRICKY = [
    '{"a": [1, -2.5e-3, 0, -0, 1E+2, 3.25e10, true, false, null], "o": {}, "e": [], "z": [[[]], {}]}',
    '"q\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u0041\\u005b\\u007d\\u0024x"',
    '{"tcl [special] $chars {braces} \\\\ ;": "[exit 1] $env(HOME) {unbalanced"}',
    '{"unicode": "\\u4e2d\\u6587 caf\\u00e9 \\u00ff\\u0100 \\u2028", "raw": "中文 é"}',
    '  \n\t[ "x" , 0 ,\r\n {"k" : "v"} ]  ',
    '{"dup": 1, "dup": 2}',
    '{"": "", " ": " ", "a b": ["c d", "{", "}"]}',
    '[1e-05, 123456789012345678901234567890, -0.0, 5e-324]',
    '{"nested": {"deep": {"deeper": [{"x": [1, [2, [3, {"y": null}]]]}]}}}',
]

BAD = ['01', '[1,]', '{"a" 1}', '"abc', 'tru', '[1] x', '"a\\x"', '1.', '{"a":1,}', '[', '',
       '"\t"', "{'a': 1}", '[1 2]', '-', '+1', '.5', '"\\u12"', 'nul', '{"a":}', 'truex']


def _c(obj) -> list[str]:
    out: list[str] = []
    _checks(obj, [], out)
    return out


def _run(tclsh, lines, tmp_path):
    f = tmp_path / "cases.txt"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    script = tmp_path / "check.tcl"
    script.write_text(CHECKER)
    r = subprocess.run([tclsh, str(script), str(f)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_tricky_documents(require_tool, tmp_path):
    lines = []
    for text in TRICKY:
        lines.append(f"DOC {_hex(text)}")
        _checks(json.loads(text), [], lines)
    for text in BAD:
        with pytest.raises(ValueError):
            json.loads(text)
        lines.append(f"ERR {_hex(text)}")
    out = _run(require_tool("tclsh"), lines, tmp_path)
    assert out.strip().endswith("bad 0"), out
    n = int(out.split("checked ")[1].split()[0])
    assert n == sum(len(_c(json.loads(t))) for t in TRICKY)


def _random_value(rng: random.Random, depth: int):
    kinds = ["int", "float", "str", "bool", "null"] + (["list", "dict"] * 2 if depth < 4 else [])
    k = rng.choice(kinds)
    if k == "int":
        return rng.randint(-10**12, 10**12)
    if k == "float":
        return rng.uniform(-1e6, 1e6) * 10 ** rng.randint(-12, 12)
    if k == "str":
        alphabet = 'ab {}[]$\\";\n\t\u00e9\u4e2d/'
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
    if k == "bool":
        return rng.random() < 0.5
    if k == "null":
        return None
    if k == "list":
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 5))]
    return {"".join(rng.choice("kq {}$[") for _ in range(rng.randint(1, 6))): _random_value(rng, depth + 1)
            for _ in range(rng.randint(0, 5))}


def test_random_documents(require_tool, tmp_path):
    rng = random.Random(15)
    lines = []
    for _ in range(60):
        obj = {"root": _random_value(rng, 0)}
        text = json.dumps(obj, ensure_ascii=rng.random() < 0.5, indent=rng.choice([None, 1]))
        lines.append(f"DOC {_hex(text)}")
        _checks(json.loads(text), [], lines)
    out = _run(require_tool("tclsh"), lines, tmp_path)
    assert out.strip().endswith("bad 0"), out


def test_large_document_is_fast(require_tool, tmp_path):
    """20,000 endpoint records (an STA report of a big design) parse in seconds."""
    doc = {"endpoints": [{"pin": f"u{i}/D", "slack_ns": i * 1e-3, "kind": "setup"} for i in range(20000)]}
    f = tmp_path / "big.json"
    f.write_text(json.dumps(doc, indent=1))
    script = tmp_path / "big.tcl"
    script.write_text(f"source {{{JSON_TCL}}}\nset fh [open {{{f}}}]; set t [read $fh]; close $fh\n"
                      "set t0 [clock milliseconds]\nset d [finevh::json::parse $t]\n"
                      "puts \"n [llength [dict get $d endpoints]] last [dict get [lindex [dict get $d endpoints] end] pin] "
                      "ms [expr {[clock milliseconds] - $t0}]\"\n")
    r = subprocess.run([require_tool("tclsh"), str(script)], capture_output=True, text=True, timeout=300)
    words = r.stdout.split()
    assert words[:4] == ["n", "20000", "last", "u19999/D"], r.stdout + r.stderr
    assert int(words[5]) < 20000
