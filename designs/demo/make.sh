#!/bin/sh
# Regenerate the FINE-VH demo design: the RV32 core (rtl/rv32) synthesised by Yosys onto
# demo28 (PB0, 1.00 V, ss 125C) and placed by the embedded placer (utilisation 0.7).
# The SDC is hand-written (10 ns clock: met at N = 1 and N = 7 with placement wires).
# Usage: designs/demo/make.sh            (from anywhere; about 2 minutes)
set -e
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
lib="$repo/libs/demo28/demo28_ss_125C_1p00v_pb0.lib"
finevh synth --rtl "$repo/rtl/rv32/fvh_rv32.sv" --rtl "$repo/rtl/rv32/fvh_rv32_div.sv" --top fvh_rv32 \
    --liberty "$lib" --out "$here/fvh_rv32_demo28.v"
finevh place --lef "$repo/libs/demo28/demo28.lef" --liberty "$lib" --verilog "$here/fvh_rv32_demo28.v" \
    --utilization 0.7 --seed 0 --out "$here/fvh_rv32_demo28.def"
