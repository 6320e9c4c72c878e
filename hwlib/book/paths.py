"""The project's folders, for the book toolkit (notebooks never import this)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("HWLIB_ROOT") or Path(__file__).resolve().parents[2])
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "_build"


def executed_dir(profile: str) -> Path:
    """Executed notebooks of one profile: ``_build/executed/<profile>``."""
    return BUILD / "executed" / profile


def outputs_dir(profile: str) -> Path:
    """What the book's notebooks of one profile save (results, models, tuner trials):
    ``_build/outputs/<profile>``; the runner hands it to each kernel as ``$HWLIB_OUTPUTS``."""
    return BUILD / "outputs" / profile
