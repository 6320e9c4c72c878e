"""Execute MyST notebooks with papermill into ``_build/executed/<profile>/``, never touching sources.

Each notebook's front matter may hold ``hwlib: {profiles: {full: {...}}, needs: [...]}``:
per-profile parameter values over the parameters cell's defaults, and the pages
whose saved results it reads (each must be a page; book/_toc.yml puts them before it, and
:func:`hwlib.results.load` says which page to run first when their results are missing).

A page is executed again only when what its outputs depend on changed (:func:`fingerprint`):
its code cells, the resolved parameters, the profile, the course library (hwlib), and
what its kernel read: the loaders note in the kernel report which files they read (path,
size, modification time) or that they found none and used a stand-in, and
:func:`hwlib.results.load` notes the other pages' results it read by content. Before
running again, :func:`data_changes` asks :func:`hwlib.data.locate` what the loaders would
find now and digests those results again; any difference (a file changed or gone, real
data installed where a stand-in was used, another page's results now different), or a
change of ``$HWLIB_DATA``, ``$HWLIB_CACHE``, ``$GENSIM_DATA_DIR`` or ``$KERAS_HOME``,
runs it again. So a page whose upstream re-ran and saved the same results is not run again.

When only the prose changed (markdown cells, and the metadata of code cells such as figure
captions), nothing is executed: :func:`merge_prose` puts the new prose beside the outputs
the code cells produced last time. (jupyter-cache, which myst-nb uses, merges prose into
cached outputs the same way, but its key is the code cells and the kernel alone; the key here
must also hold the parameters, the profile, the library and what the kernel read, and a run
must go through papermill's parameter injection and the atomic publishing below.)

A run publishes all of a page or nothing: the kernel saves into a staging folder
of its own (``$HWLIB_OUTPUTS``, a copy of what the page published last time) and
reads the other pages' results from the outputs folder (``$HWLIB_PUBLISHED``);
only when every cell succeeded are the staged files moved into the outputs
folder, then the notebook into place, then the stamp (listing what the page
published) written last, atomically (:func:`execute`). One run at a time writes
a folder (a lock, :func:`run`); an unreadable stamp means "not current".

The kernel's own stderr (TensorFlow's C++ start-up lines, which no setting silences) goes
to ``<page>.kernel.log`` beside the executed notebook, not to the terminal.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat

from . import params as P
from .. import provenance
from . import paths, records

PROFILES = ("quick", "full")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class RunError(RuntimeError):
    """A notebook could not be planned (bad path, profile or parameter)."""


@dataclass
class Plan:
    """One notebook ready to run: where it is, what it becomes, with which values."""

    source: Path
    page: str
    profile: str
    values: dict
    injected: dict
    needs: list[str]
    nb: object = field(repr=False)
    out_dir: Path | None = None
    text: str = field(default="", repr=False)  # the source as read when planned: what runs, what the stamp keys
    hwlib: str = ""                             # hwlib_digest() when planned
    changed: dict = field(default_factory=dict)  # the values --set changed from the profile's

    @property
    def output(self) -> Path:
        """``<out_dir>/<page>.ipynb``; by default ``out_dir`` is ``_build/executed/<profile>``."""
        return (self.out_dir or paths.executed_dir(self.profile)) / f"{self.page}.ipynb"

    @property
    def outputs(self) -> Path:
        """What the notebook saves: ``_build/outputs/<profile>``, or ``<out_dir>/outputs``."""
        return Path(self.out_dir) / "outputs" if self.out_dir else paths.outputs_dir(self.profile)

    @property
    def stamp(self) -> Path:
        """``<page>.stamp.json`` beside the output: the last successful run's fingerprint and what it published."""
        return self.output.with_suffix(".stamp.json")

    @property
    def kernel_log(self) -> Path:
        """``<page>.kernel.log``: what the kernel process of the last run wrote to its own stderr."""
        return self.output.with_suffix(".kernel.log")

    @property
    def failed(self) -> Path:
        """``<page>.failed.ipynb``: the partly executed notebook of the last failed run."""
        return self.output.with_suffix(".failed.ipynb")


@dataclass
class Outcome:
    """What happened to one notebook."""

    page: str
    status: str  # ran | cached | prose edit | recorded | failed | interrupted
    seconds: float
    output: Path | None
    error: str = ""
    claims: list = field(default_factory=list)  # the page's claims as its kernel checked them


def page_name(source: Path) -> str:
    """``notebooks/hw1/02_baseline_cnn.md`` -> ``hw1/02_baseline_cnn``."""
    try:
        rel = source.resolve().relative_to(paths.NOTEBOOKS.resolve())
    except ValueError:
        raise RunError(f"{source} is not inside {paths.NOTEBOOKS}: notebooks live in notebooks/") from None
    return rel.with_suffix("").as_posix()


def resolve_source(name: str | Path) -> Path:
    """A notebook path, or a page name such as ``hw1/02_baseline_cnn``, as an existing source file."""
    path = Path(name)
    candidates = [path, paths.NOTEBOOKS / path, paths.NOTEBOOKS / f"{name}.md"]
    for candidate in candidates:
        if candidate.is_file() and candidate.suffix in (".md", ".ipynb"):
            return candidate.resolve()
    raise RunError(f"no notebook {str(name)!r}: give a path like notebooks/hw1/01_dataset_tour.md "
                   f"or a page name like hw1/01_dataset_tour (see `python -m hwlib list`)")


def all_sources() -> list[Path]:
    """Every notebook source under notebooks/, in name order."""
    return sorted(p for p in paths.NOTEBOOKS.rglob("*.md") if ".ipynb_checkpoints" not in p.parts)


def book_sources() -> list[Path]:
    """The notebook sources of the book's pages, in toc order (text-only pages are left out).

    ``book/_toc.yml`` must be valid YAML and every page it names must exist: a notebook
    ``notebooks/<page>.md``, a written page ``book/<lang>/<page>.md`` or a page the site
    builder writes (report, glossary); otherwise a one-line RunError names the entry and the fix.
    """
    import difflib

    import yaml

    from .pages import GENERATED
    from .site import LANG_TAGS, BookError, toc_pages

    toc_file = paths.ROOT / "book" / "_toc.yml"
    try:
        toc = yaml.safe_load(toc_file.read_text(encoding="utf-8"))
        if not isinstance(toc, dict) or not isinstance(toc.get("root"), str):
            raise BookError("book/_toc.yml has no `root: <page>` line; start it with root: intro")
        pages = toc_pages(toc)
    except yaml.YAMLError as exc:
        raise RunError(f"book/_toc.yml is not valid YAML{yaml_problem(exc)}; fix that line") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RunError(f"book/_toc.yml cannot be read ({exc}); restore it (git checkout book/_toc.yml)") from None
    except BookError as exc:
        raise RunError(str(exc)) from None
    except (AttributeError, TypeError):  # a `file:` that is not a page name
        raise RunError("book/_toc.yml: every entry is `- file: <page>` with a page name such as "
                       "hw1/01_dataset_tour; fix the entry that is not") from None
    written = [paths.ROOT / "book" / lang for lang in LANG_TAGS]
    known = [page_name(s) for s in all_sources()]
    missing = [page for page in pages if page not in GENERATED and not (paths.NOTEBOOKS / f"{page}.md").is_file()
               and not any((folder / f"{page}.md").is_file() for folder in written)]
    if missing:
        named = ", ".join(page + "".join(f" (did you mean {close}?)"
                                         for close in difflib.get_close_matches(page, known, 1, 0.8))
                          for page in missing)
        raise RunError(f"book/_toc.yml names pages that do not exist: {named}; each needs notebooks/<page>.md "
                       f"or book/<lang>/<page>.md: fix the names or remove those entries")
    return [paths.NOTEBOOKS / f"{page}.md" for page in pages if (paths.NOTEBOOKS / f"{page}.md").is_file()]


def yaml_problem(exc) -> str:
    """`` near line N: <what YAML found>`` for a YAML parse error, to follow "is not valid YAML"."""
    mark = getattr(exc, "problem_mark", None)
    where = f" near line {mark.line + 1}" if mark else ""
    return f"{where}: {getattr(exc, 'problem', None) or exc}"


def shown(source: Path) -> str:
    """A source as one types it in the project folder: ``notebooks/hw1/02_baseline_cnn.md``."""
    try:
        return Path(source).resolve().relative_to(paths.NOTEBOOKS.resolve().parent).as_posix()
    except ValueError:
        return str(source)


FORM = "hwlib: {profiles: {quick: {}, full: {epochs: 10}}, needs: [hw1/02_baseline_cnn]}"


def _what(value) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def read_source(source: Path):
    """Read a notebook source and check its front matter: ``(nb, hwlib)`` where ``hwlib`` is
    ``{"profiles": {profile: {name: value}}, "needs": [page, ...]}``. A broken source (YAML that
    does not parse, an ``hwlib:`` entry of the wrong form, ``needs:`` naming no page) is a
    one-line RunError: the file, the problem, the fix."""
    import difflib

    import yaml

    name = shown(source)
    try:
        text = source.read_text(encoding="utf-8")  # read once: the run and its stamp use this text
        nb = jupytext.reads(text, fmt={"extension": source.suffix})
    except yaml.YAMLError as exc:
        raise RunError(f"{name}: the front matter (between the --- lines at the top) is not valid YAML"
                       f"{yaml_problem(exc)}; fix that line (the form is {FORM})") from None
    except (OSError, ValueError) as exc:
        raise RunError(f"{name}: cannot be read as a notebook ({type(exc).__name__}: {exc}); it must be a "
                       f"MyST markdown notebook (.md) or an .ipynb, in UTF-8") from None
    if not isinstance(nb.metadata.get("kernelspec", {}), dict):
        raise RunError(f"{name}: kernelspec: is {_what(nb.metadata['kernelspec'])}, not a mapping; "
                       f"write kernelspec: {{name: python3, display_name: Python 3}}")
    meta = nb.metadata.get("hwlib")
    meta = {} if meta is None else meta
    if not isinstance(meta, dict):
        raise RunError(f"{name}: hwlib: in the front matter is {_what(meta)}, not a mapping; write {FORM}")
    unknown = sorted(str(key) for key in meta if key not in ("profiles", "needs"))
    if unknown:
        raise RunError(f"{name}: hwlib: has the unknown key {unknown[0]!r} (it takes profiles and needs); "
                       f"write {FORM}")
    profiles = {} if meta.get("profiles") is None else meta["profiles"]
    if not isinstance(profiles, dict):
        raise RunError(f"{name}: hwlib: profiles: is {_what(profiles)}, not a mapping of profile to values; "
                       f"write {FORM}")
    for profile, values in profiles.items():
        if profile not in PROFILES:
            raise RunError(f"{name}: hwlib: profiles: has a profile {profile!r}; the profiles are "
                           f"{' and '.join(PROFILES)}: rename or remove it")
        if not isinstance(values, (dict, type(None))):
            raise RunError(f"{name}: hwlib: profiles: {profile}: is {_what(values)}, not a mapping of "
                           f"parameter values; write {profile}: {{epochs: 10}} (or {profile}: {{}})")
    needs = [] if meta.get("needs") is None else meta["needs"]
    if not isinstance(needs, list) or not all(isinstance(n, str) for n in needs):
        raise RunError(f"{name}: hwlib: needs: is {_what(needs)}; write a list of page names, "
                       f"needs: [hw1/02_baseline_cnn]")
    page = page_name(source)
    for need in needs:
        if need == page:
            raise RunError(f"{name}: hwlib: needs: names the page itself ({need}); remove it")
        if not any((paths.NOTEBOOKS / f"{need}{suffix}").is_file() for suffix in (".md", ".ipynb")):
            close = difflib.get_close_matches(need, [page_name(s) for s in all_sources()], 1, 0.8)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise RunError(f"{name}: hwlib: needs: names {need!r}, which is not a page (no notebooks/{need}.md)"
                           f"{hint}; fix the name or remove it")
    return nb, {"profiles": {k: v or {} for k, v in profiles.items()}, "needs": list(needs), "text": text}


def plan(source: Path, profile: str, overrides: dict[str, str] | None = None) -> Plan:
    """Read a source, and resolve and check its parameters for ``profile`` plus ``overrides``;
    a broken source or a bad value is a RunError that names the file (:func:`read_source`)."""
    if profile not in PROFILES:
        raise RunError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    page = page_name(source)
    nb, meta = read_source(source)
    nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3"})
    nb.metadata["kernelspec"].setdefault("language", "python")
    with_report_cell(nb)
    profile_values = meta["profiles"].get(profile, {})
    refuse_profile_setting(page, source, profile, profile_values, overrides or {})
    try:
        declared = P.declared(P.parameters_cell(nb))
        values = P.resolve(declared, (f"profile {profile!r} in {source.name}", profile_values),
                           ("--set", overrides or {}))
    except P.ParameterError as exc:
        raise RunError(f"{shown(source)}: {exc}") from None
    if "profile" in declared:
        values["profile"] = profile
    injected = {k: v for k, v in values.items() if v != declared[k].default or k == "profile"}
    return Plan(source, page, profile, values, injected, meta["needs"], nb, text=meta["text"], hwlib=hwlib_digest(),
                changed={k: values[k] for k in overrides or {} if k in values})


def refuse_profile_setting(page: str, source: Path, profile: str, profile_values: dict, overrides: dict):
    """``profile`` comes from ``--profile`` only: the runner would overwrite any other value silently."""
    if "profile" in overrides:
        wanted = str(overrides["profile"]).strip()
        fix = f"--profile {wanted}" if wanted in PROFILES else " or ".join(f"--profile {p}" for p in PROFILES)
        raise RunError(f"{page}: --set profile={wanted} does not choose the profile (the runner sets it): "
                       f"run with {fix} instead")
    if "profile" in profile_values:
        raise RunError(f"{page}: profile {profile!r} in {source.name} sets the parameter 'profile'; remove it "
                       f"(the runner sets profile from --profile)")


def hwlib_digest() -> str:
    """Hash of the course library, the modules notebooks import (everything in hwlib but this toolkit)."""
    digest = hashlib.sha256()
    course = Path(__file__).resolve().parents[1]
    for path in sorted(course.glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


# The environment variables that steer where the loaders look (hwlib.data, hwlib.embeddings, Keras's cache).
DATA_ENV = ("HWLIB_DATA", "HWLIB_CACHE", "GENSIM_DATA_DIR", "KERAS_HOME")


def data_changes(p: Plan) -> list[dict]:
    """The data lookups of the last run (noted by its loaders in the report of ``p.output``) that
    would now find something else: files changed, moved or gone, or real data now present where a
    stand-in was used. Empty when nothing changed or there is no last run, so the key a run stamps
    is the one the next plan computes if nothing changed in between."""
    from .. import data

    if not p.output.is_file():
        return []
    try:
        report = provenance.read_report(json.loads(p.output.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        return [{"report": f"unreadable: {exc}"}]
    changed = []
    for entry in (report or {}).get("lookups", []):
        then = entry.get("files")
        try:
            located = data.locate(entry["dataset"], entry.get("data_dir"))
            now = None if located is None else provenance.file_ids(located)
        except KeyError:  # not a hwlib.data source: the files its loader noted, by content or by size and time
            by = provenance.file_digests if entry.get("by") == "content" else provenance.file_ids
            now = by(f[0] for f in then or [])
        except Exception as exc:  # e.g. HWLIB_DATA now names a folder without the files
            now = f"{type(exc).__name__}: {exc}"
        if now != then:
            changed.append({**entry, "now": now})
    return changed


# Tags of code cells that change how papermill and nbclient execute them.
EXECUTION_TAGS = ("parameters", "raises-exception", "skip-execution")


def code_digest(nb) -> str:
    """Hash of what a notebook executes: its code cells' sources and execution tags, in order, and its kernel."""
    cells = [[c.source, sorted(t for t in c.get("metadata", {}).get("tags", []) if t in EXECUTION_TAGS)]
             for c in nb.cells if c.cell_type == "code"]
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    return hashlib.sha256(json.dumps([kernel, cells]).encode()).hexdigest()


def text_digest(text: str) -> str:
    """Hash of a source as read: a different one with the same :func:`code_digest` is a prose edit."""
    return hashlib.sha256(text.encode()).hexdigest()


def fingerprint(p: Plan) -> str:
    """What a run's outputs depend on: the code cells and hwlib as they were when planned (an edit made
    while the page runs makes it run again next time), values, profile, the loaders' environment
    variables (:data:`DATA_ENV`) and :func:`data_changes` since the last run (data files, and the
    content of the other pages' results it read). Not the prose, nor the source of the pages it needs."""
    blob = json.dumps({
        "code": code_digest(p.nb),
        "values": p.values,
        "profile": p.profile,
        "hwlib": p.hwlib,
        "data_env": {name: os.environ.get(name) for name in DATA_ENV},
        "data_changes": data_changes(p),
    }, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def is_current(p: Plan) -> bool:
    """True when the last successful run had the same fingerprint and its output is still there (its
    outputs hold; the prose may differ, :func:`prose_only`); a missing, truncated or unreadable stamp
    means not current."""
    stamp = read_stamp(p.stamp)
    if stamp is None or not p.output.is_file():
        return False
    return stamp.get("fingerprint") == fingerprint(p)


def prose_only(p: Plan) -> bool:
    """True when the source differs from the one the executed notebook shows (call after :func:`is_current`)."""
    return (read_stamp(p.stamp) or {}).get("text") != text_digest(p.text)


def with_report_cell(nb):
    """``nb`` with the runner's hidden last cell that prints the kernel report (:mod:`hwlib.provenance`)."""
    report = nbformat.v4.new_code_cell(provenance.REPORT_CELL)
    report.metadata["tags"] = [provenance.CELL_TAG, "remove-cell"]
    nb.cells.append(report)
    return nb


def executed_code(executed) -> list[str]:
    """The sources of an executed notebook's code cells as its page has them: without papermill's
    injected-parameters cell and the runner's report cell."""
    return [c.source for c in executed.cells if c.cell_type == "code"
            and not {"injected-parameters", provenance.CELL_TAG} & set(c.get("metadata", {}).get("tags", []))]


def merged(executed, source_nb):
    """``executed`` with the prose of ``source_nb`` (markdown cells and code-cell metadata such as captions),
    keeping each code cell's outputs, execution count and papermill metadata, and papermill's
    injected-parameters cell; ``source_nb`` ends with the report cell (:func:`with_report_cell`). None when
    the executed notebook's code cells are not the source's (then the page must run)."""
    injected = [c for c in executed.cells if "injected-parameters" in c.get("metadata", {}).get("tags", [])]
    ran = [c for c in executed.cells if c.cell_type == "code" and c not in injected]
    code = [c for c in source_nb.cells if c.cell_type == "code"]
    if len(ran) != len(code) or any(a.source != b.source for a, b in zip(ran, code)) or len(injected) > 1:
        return None
    cells, outputs = [], iter(ran)
    for cell in source_nb.cells:
        if cell.cell_type != "code":
            cells.append(cell)
            continue
        old = next(outputs)
        kept = {k: old.metadata[k] for k in ("papermill", "execution") if k in old.get("metadata", {})}
        cells.append(nbformat.from_dict({**old, "metadata": {**cell.metadata, **kept}}))
        if injected and "parameters" in cell.metadata.get("tags", []):
            cells.append(injected[0])
    return nbformat.from_dict({**executed, "cells": cells,
                               "metadata": {**source_nb.metadata, "papermill": executed.metadata.get("papermill", {})}})


def merge_prose(p: Plan) -> bool:
    """Rewrite ``p``'s executed notebook with the source's prose (:func:`merged`), then note the source in
    the stamp. False (nothing written) when the executed notebook's code cells are not the source's."""
    try:
        executed = nbformat.read(p.output, as_version=4)
    except (OSError, ValueError):
        return False
    new = merged(executed, p.nb)
    if new is None:
        return False
    write_atomically(p.output, nbformat.writes(new))
    write_stamp(p.stamp, {**read_stamp(p.stamp), "text": text_digest(p.text)})
    return True


def write_atomically(path: Path, text: str) -> None:
    """Write a text file whole or not at all: a temporary file of a unique name beside it, then one rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_stamp(path: Path) -> dict | None:
    """A stamp's contents, or None when it is missing, truncated or unreadable."""
    try:
        stamp = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) else None


def write_stamp(path: Path, stamp: dict) -> None:
    """Write a stamp (or a record) whole or not at all (:func:`write_atomically`)."""
    write_atomically(Path(path), json.dumps(stamp, indent=1))


def published_by(stamp: dict | None) -> list[str]:
    """What a page published, as its stamp lists it: paths relative to the outputs folder such as
    ``results/baseline.json`` or ``tuner/hw1_random_search`` (anything else in the list is ignored)."""
    entries = (stamp or {}).get("outputs")
    if not isinstance(entries, list):
        return []
    return [e for e in entries if isinstance(e, str)
            and 1 <= len(e.split("/")) <= 2 and all(part not in ("", ".", "..") for part in e.split("/"))]


def kernel_with_log(log):
    """A kernel manager class for nbclient whose kernels write their own stderr to the open file ``log``."""
    from jupyter_client.manager import AsyncKernelManager

    class KernelWithLog(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            return await super()._async_launch_kernel(kernel_cmd, **{**kw, "stderr": log})

    return KernelWithLog


# TensorFlow's C++ log lines (``I0000 00:00:1795959202.985464    9606 port.cc:153] oneDNN custom ...``) and
# absl's note before them: the kernel's fd-level capture puts them in the notebook's stderr as well.
NATIVE_LOG = re.compile(r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
                        r"|[IW]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ \S+:\d+\] .*)$")


class CellProgress(logging.Handler):
    """Shows a papermill run as it goes: ``cell N/M (elapsed)`` lines, then what each cell prints.

    Papermill logs cell starts and the cells' stdout (INFO) and stderr (WARNING)
    when ``log_output`` is on; this handler turns that into a readable stream.
    """

    CELL = re.compile(r"^Executing Cell (\d+)-*$")
    QUIET = re.compile(r"^(Ending Cell|Input Notebook|Output Notebook|Executing notebook with kernel|"
                       r"Executing Cell|<Figure size|Working directory)")

    def __init__(self, page: str, nb, out):
        super().__init__(logging.INFO)
        kinds = [c.cell_type for c in nb.cells]
        tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
        kinds.insert(tagged[0] + 1 if tagged else 0, "code")  # papermill's injected-parameters cell
        self.code_number = {i + 1: n for n, i in enumerate(
            [i for i, kind in enumerate(kinds) if kind == "code"], start=1)}
        self.page, self.out = page, out
        self.start = time.perf_counter()

    def emit(self, record):
        message = record.getMessage()
        cell = self.CELL.match(message.strip())
        if cell:
            number = self.code_number.get(int(cell.group(1)))
            if number:
                elapsed = time.strftime("%M:%S", time.gmtime(time.perf_counter() - self.start))
                print(f"  {self.page}: code cell {number}/{len(self.code_number)}  [{elapsed}]",
                      file=self.out, flush=True)
        elif self.QUIET.match(message) or message.startswith(provenance.MARKER):
            return
        elif record.levelno >= logging.WARNING:
            kept = "".join(line for line in message.splitlines(keepends=True) if not NATIVE_LOG.match(line.rstrip("\n")))
            sys.stderr.write(kept)
            sys.stderr.flush()
        else:
            self.out.write(message if message.endswith("\n") else message + "\n")
            self.out.flush()


def execute(p: Plan, timeout: int | None = None, out=None) -> Outcome:
    """Run one planned notebook; publish its notebook, what it saved and its stamp only if every cell succeeded.

    The kernel saves into a staging folder of its own, ``$HWLIB_OUTPUTS`` =
    ``<outputs>/.staging-<pid>``, which starts as a copy of what this page published last
    time (its stamp lists those files and folders, so a tuner resumes its trials), and
    reads the other pages' results from the outputs folder, ``$HWLIB_PUBLISHED`` (see
    :mod:`hwlib.results`). Papermill writes the notebook as ``.<name>.running.<pid>.ipynb``.
    When every cell succeeded, in this order: the old stamp is removed (the page is not
    current until the end), the staged files and folders replace the ones this page had
    published, the notebook takes its place and the new stamp, listing what was published,
    is written last, atomically. So a run killed at any point leaves the previous page,
    outputs and stamp as they were, or no stamp (and the page runs again). A failed or
    interrupted (Ctrl-C) run publishes nothing, deletes its staging folder and its running
    notebook, and a failure keeps its notebook as ``<name>.failed.ipynb``.

    Progress (cell number, elapsed time), what the cells print and their
    progress bars are shown as the notebook runs; the kernel's own stderr and TensorFlow's
    native log lines go to ``<page>.kernel.log`` (:attr:`Plan.kernel_log`) instead.
    """
    import papermill as pm

    out = out or sys.stdout
    logger = logging.getLogger("papermill")
    handler = CellProgress(p.page, p.nb, out)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False

    running = p.output.with_name(f".{p.output.stem}.running.{os.getpid()}.ipynb")
    staging = p.outputs / f".staging-{os.getpid()}"
    previous = published_by(read_stamp(p.stamp))
    start = time.perf_counter()
    env_before = {name: os.environ.get(name) for name in ("TF_CPP_MIN_LOG_LEVEL", "HWLIB_OUTPUTS", "HWLIB_PUBLISHED")}
    failed_notebook = None
    try:
        p.output.parent.mkdir(parents=True, exist_ok=True)
        _remove(running)
        _remove(staging)
        _stage(p.outputs, staging, previous)
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        os.environ["HWLIB_OUTPUTS"] = str(staging.resolve())  # the kernel saves results, models, trials there
        os.environ["HWLIB_PUBLISHED"] = str(p.outputs.resolve())  # and reads the other pages' results here
        try:
            with open(p.kernel_log, "wb") as log:
                pm.execute_notebook(
                    p.nb, str(running), parameters=p.injected, kernel_name="python3", progress_bar=False,
                    log_output=True, cwd=str(p.output.parent), execution_timeout=timeout,
                    kernel_manager_class=kernel_with_log(log),
                    # the kernel's own log (not the cells' output): a TCP notice on every start, and an
                    # internal traceback when Ctrl-C stops it in the middle of a cell
                    extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
                )
        except Exception:  # papermill raises its own and the kernel's errors
            failed_notebook = _keep(running, p.failed)
            raise
        entries = _entries(staging)
        p.stamp.unlink(missing_ok=True)
        _publish(staging, p.outputs, entries, previous)
        os.replace(running, p.output)
        p.failed.unlink(missing_ok=True)
        seconds = time.perf_counter() - start
        write_stamp(p.stamp, {
            "page": p.page, "profile": p.profile, "fingerprint": fingerprint(p), "text": text_digest(p.text),
            "parameters": p.values, "seconds": round(seconds, 1),
            "finished": time.strftime("%Y-%m-%d %H:%M:%S"), "outputs": entries,
        })
        return Outcome(p.page, "ran", seconds, p.output)
    except KeyboardInterrupt:
        return Outcome(p.page, "interrupted", time.perf_counter() - start, None, "interrupted")
    except Exception as exc:
        return Outcome(p.page, "failed", time.perf_counter() - start, failed_notebook, describe_error(exc))
    finally:
        logger.removeHandler(handler)
        for name, value in env_before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _remove(running)
        _remove(staging)


def _stage(outputs: Path, staging: Path, entries: list[str]) -> None:
    """Start ``staging`` as a copy of the ``entries`` this page published in ``outputs`` (only its own)."""
    staging.mkdir(parents=True)
    for entry in entries:
        source, copy = outputs / entry, staging / entry
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, copy, symlinks=True)
        elif source.is_file():
            shutil.copy2(source, copy)


def _entries(staging: Path) -> list[str]:
    """What a run saved, relative to its staging folder: each file or folder inside a kind
    (``results/baseline.json``, ``tuner/hw1_random_search``), and any file at the top."""
    found = []
    for top in sorted(staging.iterdir()):
        if top.is_dir() and not top.is_symlink():
            found += [f"{top.name}/{item.name}" for item in sorted(top.iterdir())]
        else:
            found.append(top.name)
    return found


def _publish(staging: Path, outputs: Path, entries: list[str], previous: list[str]) -> None:
    """Move each staged entry into ``outputs``, over what was there, and take away what this page
    published before (``previous``) and no longer has. Moves, not copies: one file system."""
    replaced = staging / ".replaced"
    replaced.mkdir()
    for n, entry in enumerate(sorted(set(entries) | set(previous))):
        target = outputs / entry
        kind_folder = "/" not in entry and target.is_dir()  # never take away a whole kind (results/, ...)
        if (target.exists() or target.is_symlink()) and not kind_folder:
            os.replace(target, replaced / str(n))
        if entry in entries:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / entry, target)


def _keep(running: Path, failed: Path) -> Path | None:
    """Keep a failed run's partly executed notebook as ``failed``; None if there is none."""
    try:
        os.replace(running, failed)
        return failed
    except OSError:
        return None


def _remove(path: Path) -> None:
    """Delete a file or folder if it is there (a leftover: errors are ignored)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


def describe_error(exc: Exception) -> str:
    """The failing cell and the last lines of its traceback, without terminal colours."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        trace = _ANSI.sub("", "\n".join(exc.traceback))
        tail = "\n".join(trace.strip().splitlines()[-12:])
        return f"cell {exc.exec_count}: {exc.ename}: {_ANSI.sub('', str(exc.evalue))}\n{tail}"
    return f"{type(exc).__name__}: {exc}"


LOCK = ".hwlib-run.lock"


def run(sources: list[Path], profile: str, overrides: dict[str, str] | None = None,
        force: bool = False, timeout: int | None = None, out=None,
        out_dir: Path | None = None, record: bool = False) -> list[Outcome]:
    """Plan every notebook first (so a bad parameter stops the batch at once), then run them in order.

    ``out_dir`` sends the executed notebooks there instead of into the book's
    ``_build/executed/<profile>`` (for experiments that should not replace the book's pages).
    Before any kernel starts, the folders are checked (``--out`` must be a folder one can
    write in) and the executed-notebook folder is locked (``.hwlib-run.lock``): a second run
    writing the same folder at once is refused, naming the run that holds it. Holding the lock,
    the runner clears what killed runs left beside these pages (running notebooks, staging
    folders). Ctrl-C stops the batch: the page being run is ``interrupted`` (nothing of that
    run is published) and the summary is printed as usual.
    """
    out = out or sys.stdout
    if timeout is not None and timeout <= 0:
        raise RunError("--timeout must be a positive number of seconds; omit it for no limit")
    if record and profile != "full":
        raise RunError(f"--record keeps full runs only; run with --profile full --record (this is --profile {profile})")
    plans = [plan(s, profile, overrides) for s in sources]
    for p in plans:
        p.out_dir = Path(out_dir) if out_dir else None
    root = Path(out_dir) if out_dir else paths.executed_dir(profile)
    _writable(root, f"--out {root}" if out_dir else f"the build folder {root}")
    if plans:
        _writable(plans[0].outputs, f"the outputs folder {plans[0].outputs}")
    lock = _lock(root)
    outcomes, current = [], None
    try:
        _clear_leftovers(plans)
        for i, p in enumerate(plans, start=1):
            current = p
            shown = " ".join(f"{k}={v}" for k, v in p.injected.items())
            if record and not force and records.staleness(p.page) == [] and records.last(p.page)["parameters"] == p.values:
                print(f"[{i}/{len(plans)}] {p.page}: its record is current ({records.path(p.page).name} and its "
                      f"notebook), not executed again", file=out)
                outcomes.append(Outcome(p.page, "recorded", 0.0, records.notebook_path(p.page),
                                        claims=page_claims(records.notebook_path(p.page))))
                continue
            if record and not force and recordable(p):
                print(f"[{i}/{len(plans)}] {p.page}: its last full run is one of the page as it is now (code, "
                      f"parameters, data), not executed again", file=out)
                print(f"  recorded in {record_run(p)}", file=out)
                outcomes.append(Outcome(p.page, "recorded", 0.0, p.output, claims=page_claims(p.output)))
                continue
            if profile == "full":
                for need in p.needs:
                    if records.staleness(need) == [] and records.restore(need, p.outputs):
                        print(f"  {p.page} reads {need}'s results from its record", file=out)
            if not force and is_current(p):
                start = time.perf_counter()
                if not prose_only(p):
                    print(f"[{i}/{len(plans)}] {p.page}: unchanged since its last run, not executed again", file=out)
                    status = "cached"
                elif merge_prose(p):
                    print(f"[{i}/{len(plans)}] {p.page}: only the prose changed; the new text is set beside the "
                          f"outputs of its last run, not executed again", file=out)
                    status = "prose edit"
                else:
                    status = None
                if status:
                    outcomes.append(Outcome(p.page, status, time.perf_counter() - start, p.output,
                                            claims=page_claims(p.output)))
                    if record:
                        print(f"  recorded in {record_run(p)}", file=out)
                    continue
            print(f"[{i}/{len(plans)}] {p.page}  ({shown})", file=out, flush=True)
            outcome = execute(p, timeout=timeout, out=out)
            outcomes.append(outcome)
            outcome.claims = page_claims(outcome.output) if outcome.status == "ran" else []
            if record and outcome.status == "ran":
                print(f"  recorded in {record_run(p)}", file=out)
            if outcome.status == "failed":
                print(f"  FAILED after {outcome.seconds:.0f} s: {outcome.error}", file=out)
                if outcome.output:
                    print(f"  the partly executed notebook is {outcome.output}", file=out)
                if p.kernel_log.is_file() and p.kernel_log.stat().st_size:
                    print(f"  the kernel's own log is {p.kernel_log}", file=out)
            if outcome.status == "interrupted":
                break
    except KeyboardInterrupt:  # between notebooks, or while checking the cache
        if current is not None and not (outcomes and outcomes[-1].status == "interrupted"):
            outcomes.append(Outcome(current.page, "interrupted", 0.0, None, "interrupted"))
    finally:
        os.close(lock)
    if outcomes and outcomes[-1].status == "interrupted":
        print(f"  INTERRUPTED: nothing of this run of {outcomes[-1].page} was published; its last good "
              f"page, saved outputs and stamp are as they were", file=out)
    print(summary(outcomes), file=out, flush=True)
    contradicted = [(o.page, c) for o in outcomes for c in o.claims if c["holds"] is False]
    if contradicted:
        print(f"CONTRADICTED: {len(contradicted)} claim(s) of the text are not upheld by these runs; each page "
              f"shows a warning where it makes the claim, and the execution report lists them:", file=out)
        for page, c in contradicted:
            numbers = ", ".join(f"{k}={v}" for k, v in c["numbers"].items())
            print(f"  {page}: {c['name']} ({numbers})", file=out)
    return outcomes


def recordable(p: Plan) -> bool:
    """True when ``p``'s executed notebook is a finished run of the page as it is now in what a record keys
    (:func:`hwlib.book.records.staleness`): the same code cells, the same parameters, the data and the other
    pages' results it read unchanged. The library may have changed since (a record does not key it)."""
    stamp = read_stamp(p.stamp)
    if stamp is None or not p.output.is_file() or stamp.get("parameters") != p.values:
        return False
    try:
        executed = nbformat.read(p.output, as_version=4)
    except (OSError, ValueError):
        return False
    source_nb, _ = read_source(p.source)
    return (executed_code(executed) == [c.source for c in source_nb.cells if c.cell_type == "code"]
            and not data_changes(p))


def record_run(p: Plan) -> Path:
    """Keep ``p``'s finished full run on the record (:func:`hwlib.book.records.keep`)."""
    try:
        return records.keep(p)
    except records.RecordError as exc:
        raise RunError(str(exc)) from None


def page_claims(output: Path | None) -> list[dict]:
    """The claims (:func:`hwlib.page.claim`) recorded in an executed notebook, [] if it has none."""
    if output is None or not output.is_file():
        return []
    report = provenance.read_report(json.loads(output.read_text(encoding="utf-8")))
    return list((report or {}).get("claims", []))


def _writable(folder: Path, named: str) -> None:
    """Create ``folder`` if missing and check that a file can be written in it, or say what is wrong."""
    if folder.exists() and not folder.is_dir():
        raise RunError(f"{named} is a file, not a folder: give a folder (it is created if missing)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as exc:
        raise RunError(f"{named}: cannot write there ({exc.strerror or exc}); give a folder you can write to") from None


def _lock(folder: Path) -> int:
    """Hold ``<folder>/.hwlib-run.lock`` (flock, released when closed or when this process dies) for
    this run, or say which run holds it. Returns the open descriptor, to close at the end."""
    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        raise RunError(f"another run is writing {folder} (pid {holder}); wait for it to finish, "
                       f"or use --out DIR to write elsewhere") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def _clear_leftovers(plans: list[Plan]) -> None:
    """Remove what killed runs left beside these pages: running notebooks, temporary stamps and
    staging folders (called holding the lock, so no other run is using them)."""
    for p in plans:
        for path in [*p.output.parent.glob(f".{p.output.stem}.running*.ipynb"),
                     *p.output.parent.glob(f".{p.stamp.name}.*.tmp"), *p.outputs.glob(".staging-*")]:
            _remove(path)


def _upheld(claims: list[dict]) -> str:
    """``upheld/checked`` of a page's claims, and how many this profile does not check; ``-`` for none."""
    checked = [c for c in claims if c["holds"] is not None]
    unchecked = len(claims) - len(checked)
    if not claims:
        return "-"
    return f"{sum(c['holds'] for c in checked)}/{len(checked)}" + (f" ({unchecked} not checked)" if unchecked else "")


def summary(outcomes: list[Outcome]) -> str:
    """A plain table: page, status (ran, cached, prose edit, recorded, failed, interrupted), seconds, claims
    upheld of those this run checked; then the counts."""
    width = max([len(o.page) for o in outcomes] + [8])
    lines = [f"{'notebook':<{width}}  {'status':<11}  {'seconds':>8}  claims upheld", "-" * (width + 38)]
    lines += [f"{o.page:<{width}}  {o.status:<11}  {o.seconds:>8.1f}  "
              + _upheld(o.claims) for o in outcomes]
    total = sum(o.seconds for o in outcomes)
    failed = sum(o.status == "failed" for o in outcomes)
    interrupted = sum(o.status == "interrupted" for o in outcomes)
    counts = f"{len(outcomes)} notebooks, {failed} failed" + (f", {interrupted} interrupted" if interrupted else "")
    lines.append(f"{counts}, {total:.0f} s executing")
    return "\n".join(lines)
