"""``python -m finevh ...``: the same CLI as the ``finevh`` console script."""

from .cli import main

if __name__ == "__main__":
    main()
