"""Numbers one notebook saves and a later page (the discussion) reads back."""

from __future__ import annotations

import json
import os
import tempfile

from . import paths


def save(name: str, profile: str, values: dict) -> None:
    """Write ``values`` as ``_build/results/<profile>/<name>.json`` (atomically)."""
    directory = paths.results_dir(profile)
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".json")
    with os.fdopen(fd, "w") as fh:
        json.dump(values, fh, indent=1)
    paths.publish(tmp, directory / f"{name}.json")


def load(name: str, profile: str) -> dict:
    """Read what :func:`save` wrote (an experiment's own results first, then the book's), or say
    which notebook to run first."""
    path = paths.results_dir(profile) / f"{name}.json"
    if not path.is_file():
        path = paths.BUILD / "results" / profile / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: run the notebook that produces {name!r} with profile "
            f"{profile!r} first (python -m hwlib run notebooks/hw1/*.md --profile {profile})"
        )
    return json.loads(path.read_text())
