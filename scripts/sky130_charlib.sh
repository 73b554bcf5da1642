#!/bin/sh
# Regenerate libs/sky130/: sky130 HD cells characterised with ngspice by `finevh charlib`
# at ss, -40 C, 1.40 V and 1.76 V, standard cells (sky130_fd_sc_hd__*) and the low-Vt
# flavour (sky130_fd_sc_hd_lvt__*), plus the comparison with SkyWater's Liberty
# (libs/sky130/charlib_compare.md). Needs ngspice and $FINEVH_SHARED/data (sky130_spice,
# liberty/sky130_fd_sc_hd). Results are cached (~/.cache/finevh/charlib), so a rerun
# only simulates what changed. Usage: scripts/sky130_charlib.sh [--jobs N]
set -e
cd "$(dirname "$0")/.."
SH=${FINEVH_SHARED:-../shared}
REF=$SH/data/liberty/sky130_fd_sc_hd
REFS=$REF/sky130_fd_sc_hd__ss_n40C_1v40.lib.gz,$REF/sky130_fd_sc_hd__ss_n40C_1v76.lib.gz
CELLS=@scripts/sky130_charlib_cells.txt
OUT=libs/sky130
FINEVH=${FINEVH:-finevh}
COMMON="--corner ss --temp -40 --vdd 1.40,1.76 --seq-points 2 --constraint-points 2 --out $OUT $*"
# standard cells: 4 of the 7 reference points per axis; low-Vt and flip-flops: 2 (CPU budget)
nice -n 10 $FINEVH charlib --reference "$REFS" --cells $CELLS --flavour std --points 4 $COMMON --compare \
    > $OUT/charlib_compare.md
nice -n 10 $FINEVH charlib --reference "$REFS" --cells $CELLS --flavour lvt --points 2 $COMMON --compare \
    > $OUT/charlib_lvt_vs_std_reference.md
