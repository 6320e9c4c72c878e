"""What a notebook ran on: the data it loaded (real or stand-in), the device and the library versions.

Loaders call :func:`record` for every dataset they return. The runner appends
one hidden cell to each notebook that prints :func:`kernel_report` as a JSON
line tagged with :data:`MARKER`; the book builder reads it back from the
executed notebook for the execution report and the stand-in banner.

Loaders also call :func:`looked_up`: which dataset they looked for and the files they
found (path, size, modification time; or, for small files such as another page's results
and run records, path and content digest), or that they found none (a stand-in followed).
The runner keeps that part of the report in its cache key: a page is run again when the
files it read changed or are gone, or when data it lacked can now be found.
"""

from __future__ import annotations

import hashlib
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
_lookups: list[dict] = []


def record(description: str, real: bool, subset: bool = False) -> None:
    """Note that this kernel used the data described by ``description``: ``real`` the dataset the page
    names, ``subset`` real data of it but only a part, neither: a stand-in (see :func:`kind`)."""
    entry = {"description": description, "real": bool(real), "kind": "real" if real else "subset" if subset else "stand-in"}
    if entry not in _records:
        _records.append(entry)


def kind(entry: dict) -> str:
    """``real``, ``subset`` or ``stand-in``: what a recorded dataset was (older records: by ``real``)."""
    return entry.get("kind") or ("real" if entry["real"] else "stand-in")


def records() -> list[dict]:
    """The datasets recorded in this kernel so far, in the order they were loaded."""
    return [dict(r) for r in _records]


def file_ids(paths) -> list[list]:
    """``[path, size, mtime_ns]`` of each file, absolute; ``[path, None, None]`` for one that is missing."""
    out = []
    for path in paths:
        path = os.path.abspath(os.fspath(path))
        try:
            info = os.stat(path)
            out.append([path, info.st_size, info.st_mtime_ns])
        except OSError:
            out.append([path, None, None])
    return out


def file_digests(paths) -> list[list]:
    """``[path, sha256]`` of each file, absolute; ``[path, None]`` for one that is missing."""
    out = []
    for path in paths:
        path = os.path.abspath(os.fspath(path))
        try:
            with open(path, "rb") as fh:
                out.append([path, hashlib.file_digest(fh, "sha256").hexdigest()])
        except OSError:
            out.append([path, None])
    return out


def looked_up(dataset: str, data_dir, paths, by_content: bool = False) -> None:
    """Note that a loader looked for ``dataset`` (with ``data_dir``, None for the default places) and
    found ``paths``, or (``paths=None``) nothing, so a stand-in may follow. Loaders of files that are
    not a :mod:`hwlib.data` source pass ``data_dir=None`` and list the files they depend on, missing
    ones included: the runner then only compares those files. ``by_content``: compare them by their
    content digest (:func:`file_digests`), not size and time, so rewriting a small file with the same
    content (another page's results after a rerun) changes nothing."""
    entry = {"dataset": dataset,
             "data_dir": os.path.abspath(os.path.expanduser(os.fspath(data_dir))) if data_dir else None,
             "files": None if paths is None else (file_digests if by_content else file_ids)(paths)}
    if by_content:
        entry["by"] = "content"
    if entry not in _lookups:
        _lookups.append(entry)


def lookups() -> list[dict]:
    """The data lookups noted in this kernel so far (see :func:`looked_up`)."""
    return [dict(entry) for entry in _lookups]


def clear() -> None:
    """Forget the recorded datasets and lookups (tests)."""
    _records.clear()
    _lookups.clear()


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
    """Data records, device, platform, versions, the page's claims (:func:`hwlib.page.claim`) and its
    headline numbers (:func:`hwlib.page.headline`) of this kernel, as a JSON-able dict; ``lookups``
    (:func:`looked_up`) are for the runner's cache key and a record's staleness."""
    from .page import claims, headlines

    return {"data": records(), "device": device(), "platform": platform.platform(terse=True),
            "versions": versions(), "lookups": lookups(), "claims": claims(), "headlines": headlines()}


def print_report() -> None:
    """Print :func:`kernel_report` as one line starting with :data:`MARKER` (the runner's last cell)."""
    print(MARKER + json.dumps(kernel_report(), ensure_ascii=False))


def read_report(nb) -> dict | None:
    """The report printed by the runner's cell of an executed notebook (read by nbformat, or its raw
    JSON as a dict), or None if it has none."""
    for cell in nb["cells"]:
        if cell["cell_type"] != "code" or CELL_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        for output in cell.get("outputs", []):
            text = output.get("text", "") if output.get("output_type") == "stream" else ""
            text = "".join(text) if isinstance(text, list) else text  # a notebook's raw JSON splits lines
            for line in text.splitlines():
                if line.startswith(MARKER):
                    return json.loads(line[len(MARKER):])
    return None
