"""What the browser tests share: Debian's Chromium driven by Playwright (no browser download), and the rule
that with ``HWLIB_BROWSER_TESTS=require`` (``make test`` sets it) a missing browser fails instead of skipping."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("HWLIB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
REQUIRED = os.environ.get("HWLIB_BROWSER_TESTS") == "require"


def unavailable(reason: str):
    """Skip the test for ``reason``, or fail it when the browser tests are required."""
    if REQUIRED:
        pytest.fail(f"{reason} (HWLIB_BROWSER_TESTS=require)")
    pytest.skip(reason)


def launched():
    """A module fixture's body: yield a headless Chromium, closed afterwards."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[test]')")
    if not Path(CHROMIUM).is_file():
        unavailable(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set HWLIB_CHROMIUM)")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield instance
        instance.close()
