"""Run the golden steps of ``goldens.toml`` and (with ``--write``, the default when run
as a script) copy the kept files into ``reports/golden/<name>/``.

``run_golden(entry, out_dir)`` is also what ``tests/test_compare_golden.py`` calls to
re-run a golden before comparing it with ``finevh compare``.
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from pathlib import Path

from click.testing import CliRunner

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
OSU018 = "/usr/share/qflow/tech/osu018/osu018_stdcells.lib"


def load() -> list[dict]:
    with open(HERE / "goldens.toml", "rb") as f:
        return tomllib.load(f)["golden"]


def _fill(s: str, name: str, out: Path) -> str:
    return s.format(repo=REPO, here=HERE / name, out=out, osu018=OSU018)


def missing_needs(entry: dict) -> list[str]:
    return [p for p in (_fill(n, entry["name"], Path(".")) for n in entry.get("needs", [])) if not Path(p).exists()]


def run_golden(entry: dict, out: Path) -> Path:
    """Run every step of one golden into ``out``; returns ``out``."""
    from finevh.cli import cli

    out.mkdir(parents=True, exist_ok=True)
    for step in entry["steps"]:
        args = [_fill(a, entry["name"], out) for a in step["args"]]
        r = CliRunner().invoke(cli, args, catch_exceptions=False)
        if r.exit_code != 0:
            raise RuntimeError(f"finevh {' '.join(args)}: exit {r.exit_code}\n{r.stderr}")
        if "stdout" in step:
            (out / step["stdout"]).write_text(r.stdout)
    return out


def write(entry: dict, out: Path) -> list[Path]:
    dest = HERE / entry["name"]
    written = []
    for rel in entry["keep"]:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out / rel, dest / rel)
        written.append(dest / rel)
    return written


def main(names: list[str]) -> None:
    import tempfile

    for entry in load():
        if names and entry["name"] not in names:
            continue
        miss = missing_needs(entry)
        if miss:
            print(f"{entry['name']}: skipped, missing {', '.join(miss)}", file=sys.stderr)
            continue
        with tempfile.TemporaryDirectory() as tmp:
            for p in write(entry, run_golden(entry, Path(tmp) / "out")):
                print(p.relative_to(REPO))


if __name__ == "__main__":
    main(sys.argv[1:])
