"""finevh.accel: accelerator model and ConvNet precision search (thesis §3.3-3.4).

- :mod:`.model` - systolic-array cycles and SRAM/DRAM accesses (equal to SCALE-Sim v3)
- :mod:`.energy` - per-layer energy LUTs, Eq. 3.5, PE-power hook, DVFS model
- :mod:`.workloads` / :mod:`.onnx_import` - built-in networks, ONNX layer shapes and weights
- :mod:`.convnet` - the digits ConvNet and the fixed-point emulator
- :mod:`.search` - NSGA-II* (Algorithm 2), greedy (Algorithm 4)
- :mod:`.closeloop` - energy per inference under DVFS / FINE-VH / precision settings
- :mod:`.pe` - golden model of the scalable-precision PE
See docs/accel.md.
"""
