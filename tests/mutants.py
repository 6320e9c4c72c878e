"""Wrong versions of the pages' exercises, run through the page's own checks.

``tests/wrong/*.py`` each name a page (``PAGE``) and, per exercise function, the plausible wrong
versions a student might write (``WRONG = {function: {what is wrong: source}}``). :func:`run_wrong`
puts one in place of the solution (its source appended to the solution's cell, so it replaces the
function there), runs the page from the top through the last check that calls the function, with the
parameters' defaults, and returns how it ended. ``benchmarks/wrong_versions.py`` prints the figure.
"""

from __future__ import annotations

import importlib.util
import os
import re
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
WRONG_DIR = Path(__file__).resolve().parent / "wrong"
CHECK = re.compile(r"\bpage\.check\(")


@dataclass(frozen=True)
class Wrong:
    page: str
    function: str
    label: str
    source: str

    @property
    def id(self) -> str:
        return f"{self.page}:{self.function}:{self.label}"


def wrong_versions() -> list[Wrong]:
    """Every wrong version of ``tests/wrong/*.py``."""
    found = []
    for path in sorted(WRONG_DIR.glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"wrong_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for function, versions in module.WRONG.items():
            found += [Wrong(module.PAGE, function, label, source) for label, source in versions.items()]
    return found


def with_wrong(wrong: Wrong) -> nbformat.NotebookNode:
    """The page's notebook with ``wrong`` in place of its solution, cut after the last check of it."""
    nb = jupytext.read(ROOT / "notebooks" / f"{wrong.page}.md")
    code = [c for c in nb.cells if c.cell_type == "code"]
    defining = [c for c in code if re.search(rf"^def {wrong.function}\(", c.source, re.M)]
    if len(defining) != 1:
        raise LookupError(f"{wrong.page}: {len(defining)} cells define {wrong.function}()")
    defining[0].source += "\n\n\n# a wrong version, in place of the solution above\n" + wrong.source.strip() + "\n"
    start = code.index(defining[0])
    checks = [i for i, c in enumerate(code) if i > start and CHECK.search(c.source)
              and re.search(rf"\b{wrong.function}\b", c.source)]
    if not checks:
        raise LookupError(f"{wrong.page}: no page.check after {wrong.function}() calls it")
    last = code[checks[-1]]
    nb.cells = nb.cells[:nb.cells.index(last) + 1]
    return nb


def run_wrong(wrong: Wrong, folder: Path, timeout: int = 600) -> CellExecutionError | None:
    """Run the page with ``wrong`` through its checks; the error it stopped with, or None if it ran through."""
    nb = with_wrong(wrong)
    env = {"HWLIB_OUTPUTS": str(folder / "outputs"), "HWLIB_PUBLISHED": str(folder / "published"),
           "HWLIB_LANG": "en", "TF_CPP_MIN_LOG_LEVEL": "3"}
    before = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(folder)}}).execute()
    except CellExecutionError as error:
        return error
    finally:
        for k, v in before.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    return None


def caught(error: CellExecutionError | None) -> bool:
    """Whether the run stopped at one of the page's checks (not at some other error)."""
    return error is not None and error.ename == "AssertionError" and "check failed" in str(error.evalue)
