"""Runs on the record: the last full run of each page, kept in the repository.

``python -m hwlib run PAGE --profile full --record`` writes ``records/<page>.json``
when the run finishes: the page, profile and parameters, the data it loaded (real,
subset or stand-in), device, library versions, when it finished, its wall time, its
headline numbers (:func:`hwlib.page.headline`) and whether its claims held. Records are
machine-written, never edited by hand. A page reads its own last record with
:func:`last` to show it beside this run, the report and the public reference.
"""

from __future__ import annotations

import json
import os
import string
from pathlib import Path

from . import provenance

FIELDS = ("page", "profile", "parameters", "data", "device", "versions", "finished", "seconds",
          "headlines", "claims")
_shown: set[tuple] = set()  # (page, headline name) pairs this kernel's tables show from records (for the kernel report)
_TITLE = {"en": "last recorded full run", "fa": "آخرین اجرای ثبت‌شده با نمایهٔ full"}
_FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_NOT_RUN = {"en": "not run yet", "fa": "هنوز اجرا نشده"}
_DATA = {"en": {"real": "real data", "subset": "subset of the real data", "stand-in": "stand-in data"},
         "fa": {"real": "دادهٔ واقعی", "subset": "زیرمجموعه‌ای از دادهٔ واقعی", "stand-in": "دادهٔ جانشین"}}


def records_dir() -> Path:
    """``$HWLIB_RECORDS``, else ``records/`` beside the ``hwlib`` package (a clone of the book)."""
    env = os.environ.get("HWLIB_RECORDS")
    return Path(env).expanduser() if env else Path(__file__).resolve().parents[1] / "records"


def path(page: str) -> Path:
    """Where the record of ``page`` (``hw1/02_baseline_cnn``) is kept."""
    return records_dir() / f"{page}.json"


def last(page: str) -> dict | None:
    """The last recorded full run of ``page``, or None; noted for the runner, so a new record reruns the page."""
    where = path(page)
    provenance.looked_up(f"run record of {page}", None, [where], by_content=True)
    if not where.is_file():
        return None
    record = json.loads(where.read_text(encoding="utf-8"))
    missing = [f for f in FIELDS if f not in record]
    if missing:
        raise ValueError(f"{where}: not a run record (missing {', '.join(missing)}); records are written by "
                         f"python -m hwlib run {page} --profile full --record, never by hand")
    return record


def data_kind(record: dict) -> str:
    """``real``, ``subset`` or ``stand-in``: the least real of the data a recorded run loaded."""
    kinds = {provenance.kind(d) for d in record["data"]} or {"real"}
    return next(k for k in ("stand-in", "subset", "real") if k in kinds)


def label(record: dict | None, lang: str = "en") -> str:
    """A column title for a recorded run: its date, device, data and the settings it changed from the
    full profile (``--set``), or that it has not been run yet."""
    title = _TITLE[lang]
    if record is None:
        return _isolated(f"{title}: {_NOT_RUN[lang]}", lang)
    date, data = record["finished"][:10], _DATA[lang][data_kind(record)]
    changed = [f"{k}={v}" for k, v in record.get("changed", {}).items()]  # --set on top of the full profile
    if lang == "fa":
        changed = f"، با {'، '.join(changed)}" if changed else ""
        return _isolated(f"{title} ({date.translate(_FA_DIGITS)}، {record['device']}، {data}{changed})", lang)
    changed = f", with {', '.join(changed)}" if changed else ""
    return f"{title} ({date}, {record['device']}, {data}{changed})"


def _isolated(title: str, lang: str) -> str:
    """A Persian title as one right-to-left unit (RLI ... PDI), so that it reads right in a left-to-right table."""
    return f"\u2067{title}\u2069" if lang == "fa" else title


def headline(record: dict | None, name: str):
    """The recorded value of headline ``name``, or None (not run yet, or not among its headlines)."""
    return None if record is None else record["headlines"].get(name)


def beside(table, page: str | dict, cells: dict) -> dict:
    """``table`` (a DataFrame) with a last column for the last recorded full run, in each language.

    ``page`` names the page whose record the column shows (``"hw1/02_baseline_cnn"``),
    or maps each row to one (a table gathering several pages' models). ``cells`` maps
    a row of ``table`` (its index label) to what it shows of the record, a template of
    headline names such as ``"{test:.2f}"`` or ``"val {val:.3f}, test {test:.3f}"``.
    Rows without a template, and rows whose page has no record yet or whose record
    lacks a headline, show "—". The column's title gives the runs' dates, devices and
    data (:func:`label`), and "not run yet" when a row's page has no record. Returns
    ``{"en": table, "fa": table}`` for :func:`hwlib.page.show`.
    """
    unknown = [row for row in cells if row not in table.index]
    if unknown:
        raise KeyError(f"rows {unknown} are not in the table (its rows: {list(table.index)})")
    pages = page if isinstance(page, dict) else {row: page for row in cells}
    found = {p: last(p) for p in dict.fromkeys(pages[row] for row in cells)}
    _shown.update((pages[row], field) for row, template in cells.items()
                  for _, field, _, _ in string.Formatter().parse(template) if field)
    values = []
    for row in table.index:
        record = found.get(pages.get(row)) if row in cells else None
        try:
            values.append(cells[row].format(**record["headlines"]) if record else "—")
        except KeyError:
            values.append("—")
    shown = {}
    for lang in ("en", "fa"):  # one title per distinct run, and "not run yet" for rows whose page has none
        titles = list(dict.fromkeys(label(r, lang) for r in found.values()))
        frame = table.copy()
        frame[("; " if lang == "en" else "؛ ").join(titles)] = values
        shown[lang] = frame
    return shown


def shown() -> list[list[str]]:
    """The ``[page, headline]`` pairs this kernel's tables have shown from records (:func:`beside`), sorted."""
    return sorted([p, f] for p, f in _shown)
