"""``python -m hwlib``: the book toolkit's command line (needs the ``book`` extra)."""

import sys

try:
    from hwlib.book.cli import main
except ImportError as exc:  # papermill, jupytext or jupyter-book missing
    sys.exit(f"error: the book toolkit needs its extra: pip install 'hwlib[book]' ({exc})")

sys.exit(main())
