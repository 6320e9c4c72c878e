"""Where the project's folders are, wherever a notebook or command is started from."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("HWLIB_ROOT") or Path(__file__).resolve().parents[1])
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "_build"


def executed_dir(profile: str) -> Path:
    """Executed notebooks of one profile: ``_build/executed/<profile>``."""
    return BUILD / "executed" / profile


def outputs_root() -> Path:
    """Where notebooks write results, models and tuner trials: ``$HWLIB_OUTPUTS`` (set by
    ``python -m hwlib run --out DIR`` so that experiments leave the book's files alone), else ``_build``."""
    return Path(os.environ["HWLIB_OUTPUTS"]) if os.environ.get("HWLIB_OUTPUTS") else BUILD


def results_dir(profile: str) -> Path:
    """Numbers a notebook saves for later pages: ``<outputs>/results/<profile>``."""
    return outputs_root() / "results" / profile


def models_dir(profile: str) -> Path:
    """Saved model files: ``<outputs>/models/<profile>``."""
    return outputs_root() / "models" / profile


def tuner_dir(profile: str) -> Path:
    """Keras Tuner trials: ``<outputs>/tuner/<profile>``."""
    return outputs_root() / "tuner" / profile


def publish(tmp: str | os.PathLike, target: str | os.PathLike) -> None:
    """Move a finished temporary file into place in one step, readable by everyone (0644)."""
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)
