"""What a page saves for later pages (numbers, models, tuner trials), in one outputs folder.

A page writes into ``$HWLIB_OUTPUTS`` (:func:`save`, :func:`folder`). The runner
(``python -m hwlib run``) points it at a staging folder of its own for each page,
``<outputs>/.staging-<pid>``, that starts as a copy of what that page published
last time (so a tuner resumes its trials), and gives the published outputs folder
(``_build/outputs/<profile>``, or ``DIR/outputs`` with ``run --out DIR``) as
``$HWLIB_PUBLISHED``: :func:`load` reads this run's own results first, then the
published ones, where the other pages' results are. Only when the whole notebook
succeeded does the runner move the staged files into the published folder (see
``hwlib.book.runner.execute``); a failed or interrupted run publishes nothing.
A notebook opened by hand in JupyterLab or Colab, without these variables, writes
to and reads from ``hwlib-outputs/`` beside itself.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from . import provenance


def outputs_dir() -> Path:
    """``$HWLIB_OUTPUTS``, else ``./hwlib-outputs``."""
    return Path(os.environ.get("HWLIB_OUTPUTS") or "hwlib-outputs").resolve()


def published_dir() -> Path | None:
    """``$HWLIB_PUBLISHED``: the outputs folder the book's other pages published into (None when unset)."""
    value = os.environ.get("HWLIB_PUBLISHED")
    return Path(value).resolve() if value else None


def folder(kind: str) -> Path:
    """A sub-folder of the outputs folder (``models``, ``tuner``, ...), created if missing."""
    path = outputs_dir() / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def publish(tmp: str | os.PathLike, target: str | os.PathLike) -> None:
    """Move a finished temporary file into place in one step, readable by everyone (0644)."""
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)


def save(name: str, values: dict) -> Path:
    """Write ``values`` as ``<outputs>/results/<name>.json`` (atomically) and return the path."""
    directory = folder("results")
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".json")
    with os.fdopen(fd, "w") as fh:
        json.dump(values, fh, indent=1)
    publish(tmp, directory / f"{name}.json")
    return directory / f"{name}.json"


def load(name: str, made_by: str) -> dict:
    """Read what :func:`save` wrote under ``name`` in this run, else what the page ``made_by`` published
    (``$HWLIB_PUBLISHED``), or say which page to run first. A read of another page's results is noted
    by content (:func:`hwlib.provenance.looked_up`): the runner's cache key holds what was read."""
    places = [outputs_dir()] + ([published_dir()] if published_dir() else [])
    for place in places:
        path = place / "results" / f"{name}.json"
        if path.is_file():
            if place != outputs_dir():  # another page's results: the runner reruns this page when they change
                provenance.looked_up(f"results {name} of {made_by}", None, [path], by_content=True)
            return json.loads(path.read_text())
    raise FileNotFoundError(
        f"{path} is missing: run the page {made_by} first with the same outputs folder "
        f"(python -m hwlib run {made_by} [--profile P] [--out DIR], or run that notebook "
        f"in the same folder in JupyterLab)")
