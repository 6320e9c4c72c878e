"""The code a page defines, for unit tests that check it where it lives.

A page's code cells tagged ``definition`` hold its methods (a loss, a layer,
a model builder): self-contained, with their own imports, no training. Tests
run those cells, in page order, in a fresh namespace and test the result.
"""

from __future__ import annotations

import functools
from pathlib import Path
from types import SimpleNamespace

import jupytext

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
TAG = "definition"


def definition_cells(page: str) -> list[str]:
    """Sources of the page's code cells tagged ``definition``, in page order."""
    nb = jupytext.read(NOTEBOOKS / f"{page}.md")
    return [c.source for c in nb.cells if c.cell_type == "code" and TAG in c.metadata.get("tags", [])]


@functools.cache
def page_definitions(page: str) -> SimpleNamespace:
    """Run the page's ``definition`` cells and return what they define (``page`` like ``hw7q/q7_gradcam``)."""
    cells = definition_cells(page)
    if not cells:
        raise LookupError(f"notebooks/{page}.md has no code cell tagged {TAG!r}")
    namespace: dict = {"__name__": f"page:{page}"}
    for number, source in enumerate(cells, start=1):
        exec(compile(source, f"<{page} definition cell {number}>", "exec", dont_inherit=True), namespace)
    return SimpleNamespace(**{k: v for k, v in namespace.items() if not k.startswith("__")})
