#!/usr/bin/env python3
"""Liberty load speed vs OpenSTA ``read_liberty``, measured in one run.

Usage: python3 bench/bench_liberty.py [LIB(.gz)] [--repeat N] [--liberty-parser]

The library (default: sky130 HD tt_025C_1v80 from ../shared/data) is gunzipped to a
temporary .lib, then on that same file:

* cold ours   : ``read_liberty(use_cache=False)`` (parse + build model)
* warm ours   : ``read_liberty()`` with the content-hash cache filled (a private cache dir)
* OpenSTA     : ``read_liberty`` timed inside Tcl with ``clock microseconds``
* ratio       : warm ours / OpenSTA (target <= 1)

Each figure is the median of ``--repeat`` runs (default 3). ``--liberty-parser`` adds
the card's parser (slow: several seconds on sky130).
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT = Path(os.environ.get("FINEVH_SHARED", REPO.parent / "shared")) / "data" / "liberty" / "sky130_fd_sc_hd" / "sky130_fd_sc_hd__tt_025C_1v80.lib.gz"


def _median_time(fn, repeat: int) -> float:
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def _sta_read_seconds(sta: str, lib: Path, work: Path) -> float:
    script = work / "read.tcl"
    script.write_text(
        "set t0 [clock microseconds]\n"
        f"read_liberty {{{lib}}}\n"
        "set t1 [clock microseconds]\n"
        'puts "FINEVH_READ_US [expr {$t1 - $t0}]"\n'
        "exit\n"
    )
    r = subprocess.run([sta, "-no_init", "-exit", str(script)], capture_output=True, text=True, timeout=300)
    for line in r.stdout.splitlines():
        if line.startswith("FINEVH_READ_US"):
            return int(line.split()[1]) / 1e6
    raise SystemExit(f"OpenSTA gave no timing:\n{r.stdout}\n{r.stderr}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("lib", nargs="?", default=str(DEFAULT))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--liberty-parser", action="store_true")
    a = ap.parse_args()
    sta = shutil.which("sta")
    if sta is None:
        print("bench_liberty: OpenSTA 'sta' not on PATH", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="finevh-bench-lib-") as tmp:
        work = Path(tmp)
        os.environ["FINEVH_CACHE"] = str(work / "cache")
        src = Path(a.lib)
        lib = work / (src.name[:-3] if src.suffix == ".gz" else src.name)
        if src.suffix == ".gz":
            with gzip.open(src, "rb") as fi, open(lib, "wb") as fo:
                shutil.copyfileobj(fi, fo)
        else:
            shutil.copyfile(src, lib)

        from finevh.liberty.reader import read_liberty

        cold = _median_time(lambda: read_liberty(lib, use_cache=False), a.repeat)
        read_liberty(lib)  # fill the cache
        warm = _median_time(lambda: read_liberty(lib), a.repeat)
        ncells = len(read_liberty(lib).cells)
        opensta = statistics.median(_sta_read_seconds(sta, lib, work) for _ in range(a.repeat))
        lp = None
        if a.liberty_parser:
            lp = _median_time(lambda: read_liberty(lib, use_cache=False, parser="liberty-parser"), 1)
    print(f"library            {src.name} ({ncells} cells)")
    print(f"cold ours          {cold:8.3f} s  (parse + build, no cache)")
    print(f"warm ours          {warm:8.3f} s  (content-hash cache hit)")
    print(f"OpenSTA read_liberty {opensta:6.3f} s")
    if lp is not None:
        print(f"liberty-parser     {lp:8.3f} s  (card's parser + same builder)")
    print(f"ratio warm/OpenSTA {warm / opensta:8.2f}  (target <= 1)")
    print(f"ratio cold/OpenSTA {cold / opensta:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
