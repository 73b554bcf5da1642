#!/bin/sh
# Regenerate the FINE-VH PE design: the scalable-precision PE (rtl/pe, fvh_pe) synthesised
# by Yosys onto demo28 (PB0, 1.00 V, ss 125C) and placed by the embedded placer
# (utilisation 0.5, seed 0). The SDC is hand-written (see README.md).
# Usage: designs/pe/make.sh            (from anywhere; under a minute)
set -e
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
lib="$repo/libs/demo28/demo28_ss_125C_1p00v_pb0.lib"
pe="$repo/rtl/pe"
finevh synth --rtl "$pe/fvh_icg.sv" --rtl "$pe/fvh_pe_round.sv" --rtl "$pe/fvh_pe_acc.sv" \
    --rtl "$pe/fvh_pe_out.sv" --rtl "$pe/fvh_pe.sv" --top fvh_pe \
    --liberty "$lib" --out "$here/fvh_pe_demo28.v"
finevh place --lef "$repo/libs/demo28/demo28.lef" --liberty "$lib" --verilog "$here/fvh_pe_demo28.v" \
    --utilization 0.5 --seed 0 --out "$here/fvh_pe_demo28.def"
