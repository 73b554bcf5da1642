"""``finevh lutchar``: see :mod:`finevh.cli.techgen`."""

from .techgen import lutchar as command

__all__ = ["command"]
