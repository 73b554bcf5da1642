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
# Two-flavour sample (finevh_2flavour.toml): the ngspice libraries of libs/sky130, low-Vt as
# the base, standard-Vt as the slow, less leaky flavour. Only 34 cells are characterised, so
# the gcd is re-mapped onto them with Yosys (functions from SkyWater's Liberty, then
# dfflibmap/abc onto our standard-Vt library; no placement: `finevh run` places it). Both
# flavours use the same cell names (so the SkyWater LEF and the k-LUT, flavour SVT, match):
# the low-Vt copy drops the `__lvt` suffix of its cells and keeps `lvt` in its library name;
# the standard-Vt files are copied (a link would resolve to its target's name) under a name
# holding `svt`. Flavour rule: library:LVT=lvt,SVT=svt.
for v in 1v40 1v76; do
    gzip -dc "$repo/libs/sky130/sky130_fd_sc_hd_lvt__ss_n40C_$v.lib.gz" \
        | sed 's/^\(  cell ("sky130_fd_sc_hd__[a-z0-9_]*\)__lvt")/\1")/' > "$out/sky130_fd_sc_hd_lvt__ss_n40C_$v.lib"
    cp -f "$repo/libs/sky130/sky130_fd_sc_hd__ss_n40C_$v.lib.gz" "$out/sky130_fd_sc_hd_svt__ss_n40C_$v.lib.gz"
done
gzip -dc "$out/sky130_fd_sc_hd__ss_n40C_1v76.lib.gz" > "$out/skywater_1v76.lib"
gzip -dc "$repo/libs/sky130/sky130_fd_sc_hd__ss_n40C_1v76.lib.gz" > "$out/std_1v76.lib"
(cd "$out" && yosys -q -p "read_liberty -ignore_miss_func skywater_1v76.lib; read_verilog gcd.v; \
    hierarchy -top gcd; synth -flatten -top gcd; dfflibmap -liberty std_1v76.lib; abc -liberty std_1v76.lib; \
    setundef -zero; splitnets -ports; opt_clean -purge; insbuf -buf sky130_fd_sc_hd__buf_1 A X; \
    opt_clean -purge; write_verilog -noattr -noexpr gcd_2flavour.v")
rm -f "$out/skywater_1v76.lib" "$out/std_1v76.lib"
