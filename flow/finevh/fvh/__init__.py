"""FINE-VH stages as pure functions over numpy arrays (thesis §4.1):
tile mesh and interface cells (:mod:`.tiles`), Vdd selection (:mod:`.vddselect`,
Algorithm 5) and the DVFS comparison schemes (:mod:`.dvfs`)."""
