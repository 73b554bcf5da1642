#!/bin/sh
# Closing the loop (issue 8 item 5, docs/accel.md): the PE's FINE-VH emulation
# (`finevh run designs/pe/finevh.toml`, about 30 s) and the accelerator energy table
# and plot built on it. Usage:
#   reports/accel/make.sh            emulation + report
#   reports/accel/make.sh --report   report only, from the committed fvh_pe_summary.json
# The report is deterministic: the same summary gives byte-identical files.
set -e
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
if [ "$1" != "--report" ]; then
    out=$(mktemp -d)
    finevh run "$repo/designs/pe/finevh.toml" --out "$out" --quiet
    cp "$out/summary.json" "$here/fvh_pe_summary.json"
    rm -rf "$out"
fi
s="$here/fvh_pe_summary.json"
finevh accel report --fine-vh-summary "$s" --dvdd 100mV -o "$here/closeloop.txt" --plot "$here/closeloop.png"
finevh accel report --fine-vh-summary "$s" --dvdd 100mV --json -o "$here/closeloop.json"
finevh accel report --fine-vh-summary "$s" --dvdd 200mV -o "$here/closeloop_200mV.txt"
