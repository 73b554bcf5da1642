"""Where finevh's bundled files are: the Tcl API (``tcl/``), the demo designs
(``designs/``) and the demo28 technology (``libs/``).

Two layouts, one answer:

* source checkout or editable install (``pip install -e .``): the repository's own
  folders, ``<repo>/tcl``, ``<repo>/designs``, ``<repo>/libs`` (this module is
  ``<repo>/flow/finevh/resources.py``);
* installed wheel or sdist (``pip install .``): copies shipped inside the package,
  ``finevh/_data/{tcl,designs,libs}``, written by the ``build_py`` hook of
  ``setup.py``.

Both keep the same relative layout, so paths relative to a design's config
(``designs/demo/finevh.toml`` names ``../../libs/demo28/...``) resolve in either.
Every function returns an absolute :class:`~pathlib.Path`; only :func:`tcl_dir`
checks that its target exists (callers report a missing config or library file
themselves, with its path).
"""

from __future__ import annotations

from pathlib import Path

from .errors import InputError

PACKAGE_DIR = Path(__file__).resolve().parent
SHIPPED_DIR = PACKAGE_DIR / "_data"  # inside an installed wheel
CHECKOUT_DIR = PACKAGE_DIR.parents[1]  # <repo>/flow/finevh -> <repo>


def data_root() -> Path:
    """Folder holding ``tcl/``, ``designs/`` and ``libs/``: the package's ``_data``
    when it was installed from a wheel or sdist, else the repository root."""
    return SHIPPED_DIR if SHIPPED_DIR.is_dir() else CHECKOUT_DIR


def tcl_dir() -> Path:
    """Folder of ``finevh.tcl`` (and its stage files under ``finevh/``).

    Raises :class:`~finevh.errors.InputError` when ``finevh.tcl`` is not there (a
    broken install)."""
    d = data_root() / "tcl"
    if not (d / "finevh.tcl").is_file():
        raise InputError("finevh.tcl not found beside the package (reinstall finevh: pip install .)", d)
    return d


def designs_dir() -> Path:
    """Folder of the bundled designs (``demo``, ``pe``, ``sample``)."""
    return data_root() / "designs"


def libs_dir() -> Path:
    """Folder of the bundled technologies (``demo28``: Liberty, LEF, leakage LUTs)."""
    return data_root() / "libs"


def demo_config() -> Path:
    """The default ``finevh run`` configuration: the RV32 demo on demo28."""
    return designs_dir() / "demo" / "finevh.toml"
