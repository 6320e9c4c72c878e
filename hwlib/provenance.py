"""What a notebook ran on: the data it loaded (real or stand-in), the device and the library versions.

Loaders call :func:`record` for every dataset they return. The runner appends
one hidden cell to each notebook that prints :func:`kernel_report` as a JSON
line tagged with :data:`MARKER`; the book builder reads it back from the
executed notebook for the execution report and the stand-in banner.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from importlib import metadata

MARKER = "hwlib-report:"
CELL_TAG = "hwlib-report"
LIBRARIES = ("tensorflow", "tensorflow-cpu", "keras", "keras-tuner", "numpy", "pandas", "scikit-learn",
             "matplotlib", "gensim", "statsmodels", "papermill", "myst-nb", "jupyter-book")

# Source of the cell the runner appends to every notebook it executes.
REPORT_CELL = "from hwlib import provenance as _hwlib_provenance\n_hwlib_provenance.print_report()"

_records: list[dict] = []


def record(description: str, real: bool) -> None:
    """Note that this kernel used the data described by ``description`` (``real=False``: a stand-in)."""
    entry = {"description": description, "real": bool(real)}
    if entry not in _records:
        _records.append(entry)


def records() -> list[dict]:
    """The datasets recorded in this kernel so far, in the order they were loaded."""
    return [dict(r) for r in _records]


def clear() -> None:
    """Forget the recorded datasets (tests)."""
    _records.clear()


def device() -> str:
    """The device a page ran on: ``GPU (n): names`` when TensorFlow sees a GPU, else ``CPU (n cores)``."""
    cores = f"CPU ({os.cpu_count()} cores)"
    if "tensorflow" not in sys.modules:
        return cores
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    return f"GPU ({len(gpus)}): " + ", ".join(g.name for g in gpus) if gpus else cores


def versions() -> dict[str, str]:
    """Python and the installed versions of the libraries the book uses."""
    out = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def kernel_report() -> dict:
    """Data records, device, platform and versions of this kernel, as a JSON-able dict."""
    return {"data": records(), "device": device(), "platform": platform.platform(terse=True),
            "versions": versions()}


def print_report() -> None:
    """Print :func:`kernel_report` as one line starting with :data:`MARKER` (the runner's last cell)."""
    print(MARKER + json.dumps(kernel_report(), ensure_ascii=False))


def read_report(nb) -> dict | None:
    """The report printed by the runner's cell of an executed notebook, or None if it has none."""
    for cell in nb.cells:
        if cell.cell_type != "code" or CELL_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        for output in cell.get("outputs", []):
            text = output.get("text", "") if output.get("output_type") == "stream" else ""
            for line in text.splitlines():
                if line.startswith(MARKER):
                    return json.loads(line[len(MARKER):])
    return None
