"""What a page saves for later pages (numbers, models, tuner trials), in one outputs folder.

The folder is ``$HWLIB_OUTPUTS``: the runner sets it (``_build/outputs/<profile>``,
or ``DIR/outputs`` with ``run --out DIR``). A notebook opened by hand in
JupyterLab or Colab without it writes to ``hwlib-outputs/`` beside itself.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def outputs_dir() -> Path:
    """``$HWLIB_OUTPUTS``, else ``./hwlib-outputs``."""
    return Path(os.environ.get("HWLIB_OUTPUTS") or "hwlib-outputs").resolve()


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
    """Read what :func:`save` wrote under ``name``, or say which page (``made_by``) to run first."""
    path = outputs_dir() / "results" / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: run the page {made_by} first with the same outputs folder "
            f"(python -m hwlib run {made_by} [--profile P] [--out DIR], or run that notebook "
            f"in the same folder in JupyterLab)")
    return json.loads(path.read_text())
