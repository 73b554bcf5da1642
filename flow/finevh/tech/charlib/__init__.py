"""NLDM Liberty characterisation of sky130 HD cells with ngspice (``finevh charlib``).

Public API (stable):

- :func:`finevh.tech.charlib.batch.characterise` (cells, reference Liberty, corner,
  temp C, vdd V; flavour "std"/"lvt", points, constraint_points, pdk_dir, jobs,
  ngspice, use_cache) -> list of :class:`~finevh.tech.charlib.result.CellResult`;
- :func:`finevh.tech.charlib.batch.write_library` (path, results) -> Liberty file;
- :func:`finevh.tech.charlib.pdk.sky130_root` / ``model_file`` / ``cell_netlist`` /
  ``lvt_netlist``: the extracted PDK, lean corner model files and netlists (also for
  other ngspice work on sky130, e.g. leakage LUTs);
- :func:`finevh.tech.charlib.compare.compare_cells` / ``format_table``: errors
  against a reference Liberty.
"""
