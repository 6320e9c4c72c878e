"""Execute MyST notebooks with papermill into ``_build/executed/<profile>/``, never touching sources.

Each notebook's front matter may hold ``hwlib: {profiles: {full: {...}}, needs: [...]}``:
per-profile parameter values over the parameters cell's defaults, and the pages
whose saved results it reads.  A run is skipped when the source, the resolved
parameters, the profile, hwlib and the needed pages are unchanged since the
last successful run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat

from . import params as P
from .. import provenance
from . import paths

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
        return self.output.with_suffix(".stamp.json")

    @property
    def failed(self) -> Path:
        return self.output.with_suffix(".failed.ipynb")


@dataclass
class Outcome:
    """What happened to one notebook."""

    page: str
    status: str  # ran | cached | failed
    seconds: float
    output: Path | None
    error: str = ""


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
    """The notebook sources of the book's pages, in toc order (text-only pages are left out)."""
    import yaml

    from .site import toc_pages

    toc = yaml.safe_load((paths.ROOT / "book" / "_toc.yml").read_text(encoding="utf-8"))
    pages = [page for page in toc_pages(toc) if (paths.NOTEBOOKS / f"{page}.md").is_file()]
    return [paths.NOTEBOOKS / f"{page}.md" for page in pages]


def plan(source: Path, profile: str, overrides: dict[str, str] | None = None) -> Plan:
    """Read a source, and resolve and check its parameters for ``profile`` plus ``overrides``."""
    if profile not in PROFILES:
        raise RunError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    nb = jupytext.read(source)
    nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3"})
    nb.metadata["kernelspec"].setdefault("language", "python")
    page = page_name(source)
    report = nbformat.v4.new_code_cell(provenance.REPORT_CELL)
    report.metadata["tags"] = [provenance.CELL_TAG, "remove-cell"]
    nb.cells.append(report)
    meta = nb.metadata.get("hwlib", {}) or {}
    try:
        declared = P.declared(P.parameters_cell(nb))
        profile_values = (meta.get("profiles") or {}).get(profile) or {}
        values = P.resolve(declared, (f"profile {profile!r} in {source.name}", profile_values),
                           ("--set", overrides or {}))
    except P.ParameterError as exc:
        raise RunError(f"{page}: {exc}") from None
    if "profile" in declared:
        values["profile"] = profile
    injected = {k: v for k, v in values.items() if v != declared[k].default or k == "profile"}
    return Plan(source, page, profile, values, injected, list(meta.get("needs", [])), nb)


def hwlib_digest() -> str:
    """Hash of the course library, the modules notebooks import (everything in hwlib but this toolkit)."""
    digest = hashlib.sha256()
    course = Path(__file__).resolve().parents[1]
    for path in sorted(course.glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def fingerprint(p: Plan) -> str:
    """What a run depends on: source, values, profile, hwlib and the needed pages' last runs."""
    needed = {}
    for page in p.needs:
        stamp = paths.executed_dir(p.profile) / f"{page}.stamp.json"
        needed[page] = json.loads(stamp.read_text())["fingerprint"] if stamp.is_file() else None
    blob = json.dumps({
        "source": p.source.read_text(encoding="utf-8"),
        "values": p.values,
        "profile": p.profile,
        "hwlib": hwlib_digest(),
        "needs": needed,
    }, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def is_current(p: Plan) -> bool:
    """True when the last successful run had the same fingerprint and its output is still there."""
    if not (p.stamp.is_file() and p.output.is_file()):
        return False
    return json.loads(p.stamp.read_text()).get("fingerprint") == fingerprint(p)


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
            sys.stderr.write(message)
            sys.stderr.flush()
        else:
            self.out.write(message if message.endswith("\n") else message + "\n")
            self.out.flush()


def execute(p: Plan, timeout: int | None = None, out=None) -> Outcome:
    """Run one planned notebook; keep the last good output if this run fails.

    Progress (cell number, elapsed time), what the cells print and their
    progress bars are shown as the notebook runs.
    """
    import papermill as pm

    out = out or sys.stdout
    logger = logging.getLogger("papermill")
    handler = CellProgress(p.page, p.nb, out)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False

    p.output.parent.mkdir(parents=True, exist_ok=True)
    running = p.output.with_name(f".{p.output.stem}.running.ipynb")
    start = time.perf_counter()
    env_before = {name: os.environ.get(name) for name in ("TF_CPP_MIN_LOG_LEVEL", "HWLIB_OUTPUTS")}
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ["HWLIB_OUTPUTS"] = str(p.outputs.resolve())  # the kernel saves results, models, trials there
    try:
        pm.execute_notebook(
            p.nb, str(running), parameters=p.injected, kernel_name="python3", progress_bar=False,
            log_output=True, cwd=str(p.output.parent), execution_timeout=timeout,
        )
    except Exception as exc:  # papermill raises its own and the kernel's errors
        seconds = time.perf_counter() - start
        if running.exists():
            os.replace(running, p.failed)
        return Outcome(p.page, "failed", seconds, p.failed if p.failed.exists() else None, describe_error(exc))
    finally:
        logger.removeHandler(handler)
        for name, value in env_before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    seconds = time.perf_counter() - start
    os.replace(running, p.output)
    p.failed.unlink(missing_ok=True)
    p.stamp.write_text(json.dumps({
        "page": p.page, "profile": p.profile, "fingerprint": fingerprint(p),
        "parameters": p.values, "seconds": round(seconds, 1),
        "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
    }, indent=1))
    return Outcome(p.page, "ran", seconds, p.output)


def describe_error(exc: Exception) -> str:
    """The failing cell and the last lines of its traceback, without terminal colours."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        trace = _ANSI.sub("", "\n".join(exc.traceback))
        tail = "\n".join(trace.strip().splitlines()[-12:])
        return f"cell {exc.exec_count}: {exc.ename}: {_ANSI.sub('', str(exc.evalue))}\n{tail}"
    return f"{type(exc).__name__}: {exc}"


def run(sources: list[Path], profile: str, overrides: dict[str, str] | None = None,
        force: bool = False, timeout: int | None = None, out=None,
        out_dir: Path | None = None) -> list[Outcome]:
    """Plan every notebook first (so a bad parameter stops the batch at once), then run them in order.

    ``out_dir`` sends the executed notebooks there instead of into the book's
    ``_build/executed/<profile>`` (for experiments that should not replace the book's pages).
    """
    out = out or sys.stdout
    plans = [plan(s, profile, overrides) for s in sources]
    for p in plans:
        p.out_dir = Path(out_dir) if out_dir else None
    outcomes = []
    for i, p in enumerate(plans, start=1):
        shown = " ".join(f"{k}={v}" for k, v in p.injected.items())
        if not force and is_current(p):
            print(f"[{i}/{len(plans)}] {p.page}: unchanged since its last run, not executed again", file=out)
            outcomes.append(Outcome(p.page, "cached", 0.0, p.output))
            continue
        print(f"[{i}/{len(plans)}] {p.page}  ({shown})", file=out, flush=True)
        outcome = execute(p, timeout=timeout, out=out)
        if outcome.status == "failed":
            print(f"  FAILED after {outcome.seconds:.0f} s: {outcome.error}", file=out)
            if outcome.output:
                print(f"  the partly executed notebook is {outcome.output}", file=out)
        outcomes.append(outcome)
    print(summary(outcomes), file=out)
    return outcomes


def summary(outcomes: list[Outcome]) -> str:
    """A plain table: page, status, seconds."""
    width = max([len(o.page) for o in outcomes] + [8])
    lines = [f"{'notebook':<{width}}  {'status':<7}  {'seconds':>8}", "-" * (width + 19)]
    lines += [f"{o.page:<{width}}  {o.status:<7}  {o.seconds:>8.1f}" for o in outcomes]
    total = sum(o.seconds for o in outcomes)
    failed = sum(o.status == "failed" for o in outcomes)
    lines.append(f"{len(outcomes)} notebooks, {failed} failed, {total:.0f} s executing")
    return "\n".join(lines)
