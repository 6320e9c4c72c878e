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


def results_dir(profile: str) -> Path:
    """Numbers a notebook saves for later pages: ``_build/results/<profile>``."""
    return BUILD / "results" / profile


def models_dir(profile: str) -> Path:
    """Saved model files: ``_build/models/<profile>``."""
    return BUILD / "models" / profile


def publish(tmp: str | os.PathLike, target: str | os.PathLike) -> None:
    """Move a finished temporary file into place in one step, readable by everyone (0644)."""
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)
