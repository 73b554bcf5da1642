#!/bin/sh
# Build the sky130 sample: OpenROAD's placed gcd (src/fin/test/gcd_prefill.def, sky130hd, CTS
# done, taps and fillers) with SkyWater's ss -40 C Liberty files at 1.28 / 1.40 / 1.76 V.
# Nothing third-party is copied into the repository: DIR (default designs/sky130/build, not
# tracked) gets symbolic links to the shared data and the Verilog written from the DEF's
# NETS (def2v.py). Then: finevh run designs/sky130/finevh.toml
# Usage: designs/sky130/make.sh [DIR]          (a few seconds; FINEVH_SHARED defaults to /work/shared)
set -e
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-"$here/build"}
shared=${FINEVH_SHARED:-/work/shared}/data
mkdir -p "$out"
for v in 1v28 1v40 1v76; do
    ln -sf "$shared/liberty/sky130_fd_sc_hd/sky130_fd_sc_hd__ss_n40C_$v.lib.gz" "$out/"
done
ln -sf "$shared/lef/sky130hd/sky130_fd_sc_hd.tlef" "$shared/lef/sky130hd/sky130_fd_sc_hd_merged.lef" \
    "$shared/openroad/src/fin/test/gcd_prefill.def" "$out/"
PYTHONPATH="$repo/flow${PYTHONPATH:+:$PYTHONPATH}" python3 "$here/def2v.py" "$out/gcd_prefill.def" \
    "$out/sky130_fd_sc_hd__ss_n40C_1v76.lib.gz" "$out/gcd.v"
