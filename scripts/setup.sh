#!/usr/bin/env bash
# One-time (idempotent) set-up of a fresh Debian machine for finevh:
# the reference tools from Debian and the package with its test extras.
set -euo pipefail
cd "$(dirname "$0")/.."
APT_PKGS="yosys iverilog opensta qflow-tech-osu018 ngspice chromium tcl"
missing=""
for p in $APT_PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check -e ".[test]" 2>&1 | grep -v "Running pip as the 'root'" || true
python3 -c "import finevh" 
# Current OpenSTA (3.x, the STA inside OpenROAD): the timing/power reference of the tests.
# Built once per machine from ../shared/vendor/opensta (no network) and cached in
# ~/.cache/opensta-<rev>; tests find it there (or through $FINEVH_OPENSTA3).
builder="../shared/vendor/opensta/build-opensta.sh"
if [ -f "$builder" ]; then
  echo "finevh setup: OpenSTA 3.x at $(bash "$builder" 2>"${TMPDIR:-/tmp}/finevh-opensta-build.log" | tail -1) (first build ~10 min)" >&2
fi
