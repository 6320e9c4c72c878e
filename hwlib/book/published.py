"""Which run each page of the book shows, and the folder of notebooks the site is built from.

``python -m hwlib book`` (no ``--profile``) publishes the real experiment: every page with a
current full record (:mod:`hwlib.book.records`) shows that run, with the source's prose
edits merged into it; only the others execute the quick profile and show it, each saying
why (no full run recorded yet, a stale record and why, or data that could not be had where
the book was built) and the command that records one. ``--profile quick`` publishes the
all-quick smoke edition. :func:`assemble` writes ``_build/published/``: per page its
notebook, its stamp (parameters, wall time, when it finished) and ``<page>.shown.json``
(:class:`Shown`), which the site turns into the banner at the top of the page, the
execution report and the landing pages' list of runs.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from .. import provenance
from . import paths, records, runner

# Why a page shows the run it shows.
RECORDED = "recorded"        # its current full record
NOT_RECORDED = "not recorded"  # no full run on the record yet
STALE = "stale"              # a record whose page, parameters or data changed since
NO_DATA = "no data"          # the quick run needed a stand-in: the full profile's data is not here
SMOKE = "smoke"              # --profile quick: the all-quick smoke edition


@dataclass
class Shown:
    """The run a page shows and why (one of the constants above)."""

    page: str
    run: str  # "full" or "quick"
    why: str
    reasons: list[str] = field(default_factory=list)  # a stale record: what changed
    record: dict | None = None  # the record's date, device, data kind, wall time, changed settings
    command: str = ""  # what records a full run of the page


def published_dir() -> Path:
    """``_build/published``: the notebooks the site is built from."""
    return paths.BUILD / "published"


def _record_summary(record: dict) -> dict:
    return {"finished": record["finished"], "device": record["device"], "data": records.data_kind(record),
            "seconds": record["seconds"], "changed": record.get("changed") or {},
            "claims": record["claims"]}


def choose(page: str, smoke: bool = False) -> Shown:
    """The run ``page`` shows: its current full record, else its quick run (``smoke``: always the quick run)."""
    record = records.last(page)
    if smoke:
        return Shown(page, "quick", SMOKE, command=records.command(page, record))
    stale = records.staleness(page)
    if stale == []:
        return Shown(page, "full", RECORDED, record=_record_summary(record), command=records.command(page, record))
    if stale:
        return Shown(page, "quick", STALE, reasons=stale, record=_record_summary(record),
                     command=records.command(page, record))
    return Shown(page, "quick", NOT_RECORDED, command=records.command(page))


def quick_runs(shown: list[Shown]) -> list[str]:
    """The pages whose quick run must be executed: those that show it, and the pages whose results they
    read (``needs:``, transitively), in the order of ``shown``."""
    order = [s.page for s in shown]
    wanted = {s.page for s in shown if s.run == "quick"}
    todo = list(wanted)
    while todo:
        page = todo.pop()
        _, meta = runner.read_source(paths.NOTEBOOKS / f"{page}.md")
        for need in meta["needs"]:
            if need not in wanted:
                wanted.add(need)
                todo.append(need)
    return [p for p in order if p in wanted] + sorted(wanted - set(order))


def assemble(shown: list[Shown], quick_dir: Path, target: Path | None = None) -> Path:
    """Write the notebooks the site shows into ``target`` (``_build/published``, emptied first): a full
    run's recorded notebook with the source's prose merged in, or the quick run from ``quick_dir``;
    beside each its stamp and ``<page>.shown.json``. A quick run that used a stand-in marks its page
    :data:`NO_DATA` when it has no record to show."""
    target = Path(target or published_dir())
    fresh = target.with_name(target.name + ".new")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    for s in shown:
        out = fresh / f"{s.page}.ipynb"
        out.parent.mkdir(parents=True, exist_ok=True)
        if s.run == "full":
            source_nb, _ = runner.read_source(paths.NOTEBOOKS / f"{s.page}.md")
            nb = runner.merged(nbformat.read(records.notebook_path(s.page), as_version=4),
                               runner.with_report_cell(source_nb))
            if nb is None:  # cannot happen for a current record (same code digest); say so rather than guess
                raise runner.RunError(f"{s.page}: its recorded notebook does not match its code; record it again "
                                      f"({s.command})")
            nbformat.write(nb, out)
            record = records.last(s.page)
            stamp = {"page": s.page, "profile": "full", "parameters": record["parameters"],
                     "seconds": record["seconds"], "finished": record["finished"]}
            out.with_suffix(".stamp.json").write_text(json.dumps(stamp, indent=1), encoding="utf-8")
        else:
            executed = quick_dir / f"{s.page}.ipynb"
            if not executed.is_file():
                raise runner.RunError(f"{executed} is missing: run python -m hwlib run {s.page} first")
            shutil.copyfile(executed, out)
            stamp = executed.with_suffix(".stamp.json")
            if stamp.is_file():
                shutil.copyfile(stamp, out.with_suffix(".stamp.json"))
            report = provenance.read_report(nbformat.read(executed, as_version=4)) or {}
            if s.why == NOT_RECORDED and any(provenance.kind(d) == "stand-in" for d in report.get("data", [])):
                s.why = NO_DATA
        out.with_suffix(".shown.json").write_text(json.dumps(asdict(s), indent=1), encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    fresh.rename(target)
    return target


def read(folder: Path, page: str) -> Shown | None:
    """The :class:`Shown` written beside a published notebook, or None (a folder of executed notebooks)."""
    where = Path(folder) / f"{page}.shown.json"
    if not where.is_file():
        return None
    return Shown(**json.loads(where.read_text(encoding="utf-8")))
