"""Runs on the record: the last full run of each page, kept whole in the repository.

``python -m hwlib run PAGE --profile full --record`` keeps, when the run has finished:

- ``records/<page>.json``: the page, profile and parameters, the settings ``--set`` changed
  from the full profile, the data it loaded (real, subset or stand-in), device, library
  versions, when it finished, its wall time, its headline numbers
  (:func:`hwlib.page.headline`), its claims and whether each held, and what the run's
  outputs depend on, without paths (:func:`inputs`): a digest of the page's code cells,
  the data files it read (by content) and the other pages' results it read (by content);
- ``records/<page>.ipynb``: the executed notebook, every output as the run wrote it, its
  figures re-encoded at the same size with fewer colours (:func:`smaller_figures`);
- ``records/<page>/results/``: the small results later pages read from it (never models
  or tuner folders), so a later page can be recorded without running this one again.

Records are machine-written, never edited by hand. A record is *stale* when its page's
code, its parameters or its data changed since, or when a result it read is no longer
what the page that made it has on the record (:func:`staleness`); the book never shows a
stale record as current.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import shutil
from pathlib import Path

import nbformat

from .. import provenance
from . import paths

FIELDS = ("page", "profile", "parameters", "data", "device", "versions", "finished", "seconds",
          "headlines", "claims", "code", "inputs")
_RESULTS = re.compile(r"^results (?P<name>[\w.-]+) of (?P<page>[\w./-]+)$")


class RecordError(RuntimeError):
    """A run that cannot be recorded (or a record that cannot be read), with what to do."""


def records_dir() -> Path:
    """``$HWLIB_RECORDS``, else ``records/`` in the project folder."""
    env = os.environ.get("HWLIB_RECORDS")
    return Path(env).expanduser() if env else paths.ROOT / "records"


def path(page: str) -> Path:
    """``records/<page>.json``: the record of ``page`` (``hw1/02_baseline_cnn``)."""
    return records_dir() / f"{page}.json"


def notebook_path(page: str) -> Path:
    """``records/<page>.ipynb``: the executed notebook of the recorded run."""
    return records_dir() / f"{page}.ipynb"


def results_dir(page: str) -> Path:
    """``records/<page>/results``: the results the recorded run published for later pages."""
    return records_dir() / page / "results"


def last(page: str) -> dict | None:
    """The record of ``page``, or None when it has none."""
    where = path(page)
    if not where.is_file():
        return None
    try:
        record = json.loads(where.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RecordError(f"{where} cannot be read ({exc}); records are machine-written: restore it with "
                          f"git checkout {where.relative_to(paths.ROOT) if where.is_relative_to(paths.ROOT) else where}, "
                          f"or record the page again (python -m hwlib run {page} --profile full --record)") from None
    missing = [f for f in FIELDS if f not in record]
    if missing:
        raise RecordError(f"{where}: not a run record of this book (missing {', '.join(missing)}); records are written "
                          f"by python -m hwlib run {page} --profile full --record, never by hand")
    return record


def data_kind(record: dict) -> str:
    """``real``, ``subset`` or ``stand-in``: the least real of the data a recorded run loaded."""
    kinds = {provenance.kind(d) for d in record["data"]} or {"real"}
    return next(k for k in ("stand-in", "subset", "real") if k in kinds)


def command(page: str, record: dict | None = None) -> str:
    """The command that records ``page`` (again), with the settings its record changed."""
    changed = "".join(f" --set {k}={v}" for k, v in ((record or {}).get("changed") or {}).items())
    return f"python -m hwlib run {page} --profile full{changed} --record"


# --------------------------------------------------------------------------- what a run depended on

_digests: dict[tuple, str | None] = {}


def digest(file: Path) -> str | None:
    """SHA-256 of a file (remembered by path, size and time within this process), None if it is missing."""
    try:
        info = os.stat(file)
    except OSError:
        return None
    key = (os.path.abspath(file), info.st_size, info.st_mtime_ns)
    if key not in _digests:
        with open(file, "rb") as fh:
            _digests[key] = hashlib.file_digest(fh, "sha256").hexdigest()
    return _digests[key]


def _shown_path(file: str) -> str:
    """A file's path as a record keeps it: relative to the project folder when inside it (``node_modules/...``,
    links not followed), else absolute (``/usr/share/datasets/...``)."""
    absolute, root = Path(os.path.abspath(file)), Path(os.path.abspath(paths.ROOT))
    return absolute.relative_to(root).as_posix() if absolute.is_relative_to(root) else str(absolute)


def _here(shown: str) -> Path:
    return Path(shown) if os.path.isabs(shown) else paths.ROOT / shown


def inputs(report: dict) -> list[dict]:
    """What a run read, from its kernel report's lookups, without where the project lives: each
    dataset looked for (by name, with the files found and their SHA-256, or None when none was found
    and a stand-in or subset followed), and each result of another page read (page, name, SHA-256)."""
    out = []
    for entry in report.get("lookups", []):
        found = _RESULTS.match(entry["dataset"])
        if found:
            [[file, sha]] = entry["files"]
            out.append({"results": found["name"], "page": found["page"], "sha256": sha})
            continue
        files = entry.get("files")
        if files is not None:
            for listed in files:
                now = provenance.file_ids([listed[0]])[0]
                if entry.get("by") != "content" and now != listed:
                    raise RecordError(f"{listed[0]} changed after the run read it; run the page again to record it")
            files = [[_shown_path(f[0]), digest(Path(f[0]))] for f in files]
        out.append({"dataset": entry["dataset"], "data_dir": entry.get("data_dir") and _shown_path(entry["data_dir"]),
                    "files": files})
    return out


def _data_now(entry: dict) -> list | None:
    """The files (path as kept, SHA-256) the loaders would read now for a recorded dataset lookup."""
    from .. import data

    try:
        located = data.locate(entry["dataset"], entry["data_dir"] and _here(entry["data_dir"]))
    except KeyError:  # not a hwlib.data source: the same files, by content
        return None if entry["files"] is None else [[f, digest(_here(f))] for f, _ in entry["files"]]
    except Exception as exc:  # e.g. a data_dir that no longer holds the files
        return [[f"{type(exc).__name__}: {exc}", None]]
    return None if located is None else [[_shown_path(f), digest(Path(f))] for f in located]


def _same_files(then: list | None, now: list | None) -> bool:
    """The same data: both none, or the same file names with the same contents (wherever they are)."""
    if then is None or now is None:
        return then is None and now is None
    return sorted((Path(f).name, d) for f, d in then) == sorted((Path(f).name, d) for f, d in now)


def code_digest(source: Path) -> str:
    """Digest of what a source executes (:func:`hwlib.book.runner.code_digest` of its code cells)."""
    from . import runner

    nb, _ = runner.read_source(source)
    return runner.code_digest(nb)


def staleness(page: str, _seen: tuple = ()) -> list[str] | None:
    """Why the record of ``page`` no longer shows what the page would produce now: its code, its
    parameters or its data changed, a result it read is not what the page that made it has on the record
    now, or its notebook is missing. ``[]`` for a current record; None when the page has no record."""
    from . import runner
    from .params import ParameterError

    record = last(page)
    if record is None:
        return None
    reasons = []
    source = paths.NOTEBOOKS / f"{page}.md"
    if not source.is_file():
        return [f"the page {page} no longer exists"]
    if not notebook_path(page).is_file():
        reasons.append(f"its executed notebook {notebook_path(page).name} is missing")
    if code_digest(source) != record["code"]:
        reasons.append("the page's code changed since")
    try:
        values = runner.plan(source, "full", {k: str(v) for k, v in (record.get("changed") or {}).items()}).values
        if values != record["parameters"]:
            differ = sorted(k for k in set(values) | set(record["parameters"])
                            if values.get(k) != record["parameters"].get(k))
            reasons.append(f"its full-profile parameters changed since ({', '.join(differ)})")
    except (runner.RunError, ParameterError) as exc:
        reasons.append(f"its recorded parameters no longer fit the page ({exc})")
    for entry in record["inputs"]:
        if "results" in entry:
            upstream = entry["page"]
            kept = results_dir(upstream) / f"{entry['results']}.json"
            if upstream in _seen:
                continue
            if digest(kept) != entry["sha256"]:
                reasons.append(f"the results {entry['results']} of {upstream} it read are not those on {upstream}'s record")
            elif staleness(upstream, _seen + (page,)):
                reasons.append(f"it read results of {upstream}, whose record is stale")
        elif not _same_files(entry["files"], _data_now(entry)):
            reasons.append(f"its data changed since ({entry['dataset']})")
    return list(dict.fromkeys(reasons))


# --------------------------------------------------------------------------- keeping a run


def smaller_figures(nb) -> None:
    """Re-encode every PNG output of ``nb`` in place as a palette PNG of at most 256 colours, the same
    size in pixels, where that is smaller (matplotlib's figures are mostly flat colours)."""
    from PIL import Image

    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" not in data:
                continue
            raw = base64.b64decode(data["image/png"])
            image = Image.open(io.BytesIO(raw))
            if image.mode not in ("RGB", "RGBA"):
                image = image.convert("RGBA")
            buffer = io.BytesIO()
            image.quantize(256, method=Image.Quantize.FASTOCTREE).save(buffer, "PNG", optimize=True)
            if buffer.tell() < len(raw):
                data["image/png"] = base64.b64encode(buffer.getvalue()).decode("ascii")


def keep(p) -> Path:
    """Record the finished full run of plan ``p`` (:class:`hwlib.book.runner.Plan`): the record, its
    executed notebook and the results it published, each written whole (see the module's docstring).
    The executed notebook must be a run of the source as it is now (same code cells)."""
    from . import runner

    if p.profile != "full":
        raise RecordError(f"--record keeps full runs only; run with --profile full --record (this is --profile {p.profile})")
    nb = nbformat.read(p.output, as_version=4)
    report = provenance.read_report(nb) or {}
    stamp = runner.read_stamp(p.stamp) or {}
    if not report:
        raise RecordError(f"{p.output} has no kernel report; run the page again: {command(p.page)}")
    source_nb, _ = runner.read_source(p.source)
    if runner.executed_code(nb) != [c.source for c in source_nb.cells if c.cell_type == "code"]:
        raise RecordError(f"{p.page}: its code changed since {p.output.name} ran; run it again: {command(p.page)}")
    record = {"page": p.page, "profile": p.profile, "parameters": stamp.get("parameters", p.values),
              "changed": p.changed,
              "data": [{"description": d["description"], "kind": provenance.kind(d)} for d in report["data"]],
              "device": report["device"], "versions": report["versions"], "finished": stamp.get("finished", ""),
              "seconds": stamp.get("seconds"), "headlines": report.get("headlines", {}),
              "claims": {c["name"]: c["holds"] for c in report.get("claims", [])},
              "code": runner.code_digest(source_nb), "inputs": inputs(report)}
    results = [e for e in runner.published_by(stamp) if e.startswith("results/")]
    kept = results_dir(p.page)
    fresh = kept.parent / ".results.new"
    shutil.rmtree(fresh, ignore_errors=True)
    for entry in results:
        fresh.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p.outputs / entry, fresh / Path(entry).name)
    smaller_figures(nb)
    target = path(p.page)
    target.parent.mkdir(parents=True, exist_ok=True)
    runner.write_atomically(notebook_path(p.page), nbformat.writes(nb))
    shutil.rmtree(kept, ignore_errors=True)
    if results:
        os.replace(fresh, kept)
    elif kept.parent.is_dir() and not any(kept.parent.iterdir()):
        kept.parent.rmdir()
    runner.write_stamp(target, record)  # last: the record names a notebook and results already in place
    return target


def restore(page: str, outputs: Path) -> list[str]:
    """Copy the results on ``page``'s record into an outputs folder's ``results/`` where they are missing
    (a later page's full run reads them there); returns the names copied."""
    copied = []
    for kept in sorted(results_dir(page).glob("*.json")):
        target = outputs / "results" / kept.name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(kept, target)
            copied.append(kept.stem)
    return copied
