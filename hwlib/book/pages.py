"""Pages and files the book builder writes itself: the execution report, the glossary, the
stand-in banner, and the downloadable and Colab copies of the executed notebooks.

Each page is MyST markdown in the edition's language, made from what the
runner left in the executed-notebook folder (``<page>.ipynb`` with the
kernel's report cell, ``<page>.stamp.json``) and from ``book/glossary.yml``.
"""

from __future__ import annotations

import copy
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from .. import provenance
from .runner import read_stamp
from ..page import number as fa_number

GENERATED = ("report", "glossary")

# Persian alphabetical order (Unicode order puts پ چ ژ گ after the Arabic letters).
PERSIAN_ALPHABET = "آاءأإئؤبپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیكي"

TEXT = {
    "en": {
        "report_title": "Execution report",
        "report_intro": (
            "The book builder wrote this page from the executed notebooks of this edition: for every "
            "page, the profile and parameters it ran with, how long it took, the data it loaded (real "
            "or a labelled stand-in) and the machine and libraries it ran on."),
        "profile_line": "Profile: **{profile}**. Notebooks executed between {first} and {last}; {seconds} in all.",
        "col_page": "Page", "col_time": "Wall time", "col_data": "Data", "col_device": "Device",
        "col_claims": "Claims upheld", "claims": "Claims of the text checked on this run",
        "upheld": "upheld", "contradicted": "**contradicted**", "no_claims": "none",
        "unchecked": "not checked by this run (a claim about the full run)", "unchecked_count": " ({n} not checked)",
        "real": "real", "standin": "**stand-in**", "subset": "**subset**", "no_data": "none (no dataset loaded)",
        "profile": "Profile", "finished": "Finished", "device": "Device", "platform": "Platform",
        "data": "Data", "parameters": "Parameters", "libraries": "Libraries",
        "col_name": "Parameter", "col_value": "Value", "unknown": "not recorded",
        "real_item": "real: {d}", "standin_item": "**stand-in**: {d}", "subset_item": "**subset**: {d}",
        "no_report": "This notebook was executed before the runner recorded data, device and versions; "
                     "run `python -m hwlib book --force` to record them.",
        "seconds": "{s} s", "minutes": "{m} min {s} s",
        "glossary_title": "Glossary",
        "glossary_intro": (
            "The deep-learning terms of this book in English and Persian. The Persian edition uses "
            "exactly these Persian terms (a test checks that the Persian pages use them and not the "
            "variants listed under each)."),
        "col_en": "English", "col_fa": "Persian", "col_meaning": "Meaning",
        "banner_title": "Built from stand-in data",
        "banner": (
            "This page was built from **stand-in data**, not from the dataset the question names: that "
            "dataset could not be had where this edition was built, and the quick profile allows a "
            "clearly labelled stand-in made from real local data. The numbers below show that the code "
            "runs end to end; they are not results on the real dataset (the full profile refuses "
            "stand-ins). What was used instead: {link}."),
        "banner_link": "{doc}`the execution report </report>`",
        "run_full_title": "The full run, on the record",
        "run_full": (
            "This page shows its **full run**, with the report's settings: recorded on {date} on {device}, "
            "{data}{changed}, in {duration}. The text is written for this run, and {claims} of its claims "
            "checked on this run's numbers are upheld ({report})."),
        "run_quick_title": "A quick run, not the experiment",
        "run_quick": (
            "This page shows its **quick run**, a smoke test: few epochs on a small part of the data, run on "
            "{device} on {date}. Its numbers show that the code runs end to end; they are not the experiment's, "
            "and the text is written for the full run: a sentence that only the full run can show says beside it "
            "that this run does not check it. "),
        "why_not_recorded": "No full run of this page is on the record yet; record one with `{command}`.",
        "why_stale": ("The full run recorded on {date} is not shown because it is stale: {reasons}. Record it "
                      "again with `{command}`."),
        "why_no_data": ("Its full run needs the real dataset, which could not be had where this edition was built "
                        "(this run used a labelled stand-in, see below); with the data in place, `{command}` "
                        "records it."),
        "why_smoke": ("This is the smoke edition (`make book PROFILE=quick`), in which every page shows its quick "
                      "run; `make book` shows each page's recorded full run where there is one."),
        "with_changed": ", with {changed}",
        "col_run": "Run shown", "run_full_cell": "full, recorded {date}", "run_quick_cell": "quick: {why}",
        "why_cells": {"not recorded": "no full run recorded", "stale": "the full record is stale",
                      "no data": "full data not here", "smoke": "smoke edition"},
        "runs_intro": ("Each page shows its last recorded full run (the reports' settings) where it is current, "
                       "and otherwise its quick run, saying why at its top. In this edition:"),
        "subset_title": "Built from a subset of the real data",
        "subset_banner": (
            "This page was built from **part of the real dataset**, not all of it: the full dataset could "
            "not be had where this run was made, so it used a smaller set of the same real images (the quick "
            "profile does so by itself, the full profile only when asked to with `allow_standin=True`). The "
            "numbers below are real results on fewer images, so they differ from a run on the full dataset. "
            "What was used: {link}."),
    },
    "fa": {
        "report_title": "گزارش اجرا",
        "report_intro": (
            "سازندهٔ کتاب این صفحه را از دفترچه‌های اجراشدهٔ همین ویرایش نوشته است: برای هر صفحه، "
            "نمایه و پارامترهایی که با آن‌ها اجرا شد، مدت اجرا، داده‌ای که بارگذاری کرد (واقعی یا "
            "جانشینِ برچسب‌دار) و دستگاه و کتابخانه‌هایی که روی آن‌ها اجرا شد."),
        "profile_line": "نمایه: **{profile}**. دفترچه‌ها از {first} تا {last} اجرا شدند؛ روی هم {seconds}.",
        "col_page": "صفحه", "col_time": "مدت اجرا", "col_data": "داده", "col_device": "دستگاه",
        "col_claims": "ادعاهای تأییدشده", "claims": "ادعاهای متن که روی این اجرا بررسی شدند",
        "upheld": "تأیید شد", "contradicted": "**تأیید نشد**", "no_claims": "هیچ",
        "unchecked": "این اجرا آن را نمی‌سنجد (ادعایی دربارهٔ اجرای full)", "unchecked_count": " ({n} سنجیده نشد)",
        "real": "واقعی", "standin": "**جانشین**", "subset": "**زیرمجموعه**", "no_data": "هیچ (داده‌ای بارگذاری نشد)",
        "profile": "نمایه", "finished": "پایان اجرا", "device": "دستگاه", "platform": "سکو",
        "data": "داده", "parameters": "پارامترها", "libraries": "کتابخانه‌ها",
        "col_name": "پارامتر", "col_value": "مقدار", "unknown": "ثبت نشده",
        "real_item": "واقعی: {d}", "standin_item": "**جانشین**: {d}", "subset_item": "**زیرمجموعه**: {d}",
        "no_report": "این دفترچه پیش از آن اجرا شد که اجراکننده داده، دستگاه و نسخه‌ها را ثبت کند؛ "
                     "برای ثبت آن‌ها `python -m hwlib book --force` را اجرا کنید.",
        "seconds": "{s} ثانیه", "minutes": "{m} دقیقه و {s} ثانیه",
        "glossary_title": "واژه‌نامه",
        "glossary_intro": (
            "اصطلاح‌های یادگیری عمیقِ این کتاب به فارسی و انگلیسی. ویرایش فارسی دقیقاً همین "
            "معادل‌های فارسی را به کار می‌برد (آزمونی بررسی می‌کند که صفحه‌های فارسی این معادل‌ها را "
            "به کار ببرند، نه گونه‌های کنارگذاشته را)."),
        "col_en": "انگلیسی", "col_fa": "فارسی", "col_meaning": "معنا",
        "banner_title": "ساخته‌شده با دادهٔ جانشین",
        "banner": (
            "این صفحه با **دادهٔ جانشین** ساخته شده است، نه با مجموعه‌داده‌ای که پرسش نام می‌برد: آن "
            "مجموعه‌داده جایی که این ویرایش ساخته شد در دسترس نبود و نمایهٔ quick به‌جای آن دادهٔ "
            "جانشینِ برچسب‌داری از دادهٔ واقعیِ موجود را می‌پذیرد. اعداد این صفحه نشان می‌دهند که کد از "
            "آغاز تا پایان اجرا می‌شود و نتیجهٔ کار روی دادهٔ واقعی نیستند (نمایهٔ full دادهٔ جانشین را "
            "نمی‌پذیرد). آنچه به‌جای آن به کار رفت: {link}."),
        "banner_link": "{doc}`گزارش اجرا </report>`",
        "run_full_title": "اجرای full، ثبت‌شده در مخزن",
        "run_full": (
            "این صفحه **اجرای full** خود را با تنظیمات گزارش نشان می‌دهد: ثبت‌شده در {date} روی {device}، با "
            "{data}{changed}، در {duration}. متن برای همین اجرا نوشته شده است و {claims} ادعای آن، سنجیده روی "
            "عددهای همین اجرا، تأیید شده‌اند ({report})."),
        "run_quick_title": "اجرای سریع، نه خودِ آزمایش",
        "run_quick": (
            "این صفحه **اجرای quick** خود را نشان می‌دهد، یعنی آزمونی سریع برای کارکرد کد: دوره‌های اندک روی "
            "بخش کوچکی از داده‌ها، اجراشده روی {device} در {date}. عددهای آن نشان می‌دهند که کد از آغاز تا پایان "
            "اجرا می‌شود، نه نتیجهٔ آزمایش را؛ متن برای اجرای full نوشته شده است و کنار هر جمله‌ای که تنها اجرای "
            "full می‌تواند نشانش دهد، آمده است که این اجرا آن را نمی‌سنجد. "),
        "why_not_recorded": "هنوز هیچ اجرای full از این صفحه در مخزن ثبت نشده است؛ با `{command}` یکی ثبت کنید.",
        "why_stale": ("اجرای full ثبت‌شده در {date} نشان داده نمی‌شود، چون کهنه شده است: {reasons}. آن را با "
                      "`{command}` دوباره ثبت کنید."),
        "why_no_data": ("اجرای full این صفحه به مجموعه‌دادهٔ واقعی نیاز دارد که جایی که این ویرایش ساخته شد در "
                        "دسترس نبود (این اجرا دادهٔ جانشینِ برچسب‌دار به کار برد؛ پایین‌تر را ببینید)؛ وقتی داده "
                        "فراهم باشد، `{command}` آن را ثبت می‌کند."),
        "why_smoke": ("این ویرایشِ آزمون سریع است (`make book PROFILE=quick`) که در آن هر صفحه اجرای quick خود را "
                      "نشان می‌دهد؛ `make book` هر جا اجرای full ثبت‌شده‌ای باشد، همان را نشان می‌دهد."),
        "with_changed": "، با {changed}",
        "col_run": "اجرای نشان‌داده‌شده", "run_full_cell": "full، ثبت‌شده در {date}", "run_quick_cell": "quick: {why}",
        "why_cells": {"not recorded": "اجرای full ثبت نشده", "stale": "اجرای full ثبت‌شده کهنه است",
                      "no data": "دادهٔ کامل این‌جا نیست", "smoke": "ویرایش آزمون سریع"},
        "runs_intro": ("هر صفحه آخرین اجرای full ثبت‌شدهٔ خود (با تنظیمات گزارش‌ها) را، اگر کهنه نشده باشد، نشان "
                       "می‌دهد و وگرنه اجرای quick خود را، و در بالای صفحه می‌گوید چرا. در این ویرایش:"),
        "subset_title": "ساخته‌شده با زیرمجموعه‌ای از دادهٔ واقعی",
        "subset_banner": (
            "این صفحه با **زیرمجموعه‌ای از مجموعه‌دادهٔ واقعی** ساخته شده است، نه همهٔ آن: مجموعه‌دادهٔ کامل جایی که "
            "این اجرا انجام شد در دسترس نبود، پس مجموعهٔ کوچک‌تری از همان تصویرهای واقعی به کار رفت (نمایهٔ quick "
            "خودبه‌خود چنین می‌کند و نمایهٔ full تنها وقتی که با `allow_standin=True` خواسته شود). اعداد این صفحه "
            "نتیجهٔ واقعی روی تصویرهای کمتری‌اند و با اجرای روی مجموعه‌دادهٔ کامل فرق دارند. آنچه به کار رفت: {link}."),
    },
}


@dataclass
class RunInfo:
    """What the runner and the kernel recorded about one executed notebook."""

    page: str
    titles: dict[str, str]
    parameters: dict = field(default_factory=dict)
    seconds: float | None = None
    finished: str = ""
    report: dict | None = None

    @property
    def standin(self) -> bool:
        """True when the page loaded at least one stand-in dataset."""
        return any(provenance.kind(d) == "stand-in" for d in (self.report or {}).get("data", []))

    @property
    def subset(self) -> bool:
        """True when the page loaded part of a real dataset (and no stand-in)."""
        return not self.standin and any(provenance.kind(d) == "subset" for d in (self.report or {}).get("data", []))


def run_info(executed_dir: Path, page: str) -> RunInfo:
    """Read ``<page>.ipynb`` and ``<page>.stamp.json`` of an executed-notebook folder."""
    nb = nbformat.read(Path(executed_dir) / f"{page}.ipynb", as_version=4)
    stamp_path = Path(executed_dir) / f"{page}.stamp.json"
    stamp = read_stamp(stamp_path) or {}  # a missing or truncated stamp: the page shows no run details
    return RunInfo(page, titles(nb), stamp.get("parameters", {}), stamp.get("seconds"),
                   stamp.get("finished", ""), provenance.read_report(nb))


def titles(nb) -> dict[str, str]:
    """The ``# Title`` of the first markdown cell of each language tag."""
    out = {}
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type != "markdown":
            continue
        for lang in ("en", "fa"):
            if lang in tags and lang not in out:
                for line in cell.source.splitlines():
                    if line.startswith("# "):
                        out[lang] = line[2:].strip()
                        break
    return out


def _digits(text: str, lang: str) -> str:
    return fa_number(text) if lang == "fa" else str(text)


def _when(text: str, lang: str) -> str:
    """A ``YYYY-MM-DD hh:mm:ss`` time; in Persian with Persian digits, kept left to right."""
    if lang != "fa" or not text:
        return text
    return "\u2066" + text.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) + "\u2069"


def _device(text: str, lang: str) -> str:
    """``CPU (2 cores)`` / ``GPU (1): ...`` in the page's language."""
    if lang != "fa":
        return text
    return re.sub(r"CPU \((\d+) cores\)", lambda m: f"{fa_number(int(m[1]))} هستهٔ CPU", text)


def duration(seconds: float | None, lang: str) -> str:
    """``42 s`` / ``3 min 5 s`` (Persian words and digits for ``fa``)."""
    t = TEXT[lang]
    if seconds is None:
        return t["unknown"]
    whole = round(seconds)
    if whole < 60:
        return t["seconds"].format(s=_digits(whole, lang))
    return t["minutes"].format(m=_digits(whole // 60, lang), s=_digits(whole % 60, lang))


def _cell(text) -> str:
    """A value for a markdown table cell, as inline code."""
    return "`" + str(text).replace("|", "\\|").replace("`", "'") + "`"


def _ltr(text: str, lang: str) -> str:
    """English technical text kept left-to-right inside a Persian page."""
    return f'<span dir="ltr">{html.escape(text)}</span>' if lang == "fa" else text


def report_page(infos: list[RunInfo], lang: str, profile: str, shown: dict | None = None) -> str:
    """The execution report in language ``lang``; ``shown`` (page -> :class:`hwlib.book.published.Shown`)
    says which run each page shows."""
    t = TEXT[lang]
    finished = sorted(i.finished for i in infos if i.finished)
    total = sum(i.seconds or 0 for i in infos)
    lines = [f"# {t['report_title']}", "", t["report_intro"], "",
             t["profile_line"].format(profile=profile, first=_when(finished[0] if finished else "?", lang),
                                      last=_when(finished[-1] if finished else "?", lang),
                                      seconds=duration(total, lang)), "",
             f"| {t['col_page']} | {t['col_run']} | {t['col_time']} | {t['col_data']} | {t['col_device']} | {t['col_claims']} |",
             "|---|---|---|---|---|---|"]
    for info in infos:
        device = _device((info.report or {}).get("device", t["unknown"]), lang)
        s = (shown or {}).get(info.page)
        run = (t["run_full_cell"].format(date=_when(s.record["finished"][:10], lang)) if s and s.run == "full"
               else t["run_quick_cell"].format(why=t["why_cells"][s.why]) if s else profile)
        lines.append(f"| {{doc}}`/{info.page}` | {run} | {duration(info.seconds, lang)} | {_data_cell(info, lang)} | "
                     f"{device} | {_claims_cell((info.report or {}).get('claims') or [], lang)} |")
    for info in infos:
        lines += ["", f"## {info.titles.get(lang, info.page)}", "", f"{{doc}}`/{info.page}`", ""]
        report = info.report
        run = (shown or {}).get(info.page)
        lines.append(f"- {t['profile']}: `{run.run if run else profile}`; {t['finished']}: {_when(info.finished, lang) or t['unknown']}; "
                     f"{t['col_time']}: {duration(info.seconds, lang)}")
        if report is None:
            lines += ["", t["no_report"]]
            continue
        lines.append(f"- {t['device']}: {_device(report['device'], lang)}; {t['platform']}: `{report['platform']}`")
        lines.append(f"- {t['data']}:" + ("" if report["data"] else f" {t['no_data']}"))
        for d in report["data"]:
            item = t[{"real": "real_item", "subset": "subset_item"}.get(provenance.kind(d), "standin_item")]
            lines.append("  - " + item.format(d=_ltr(d["description"], lang)))
        lines.append(f"- {t['libraries']}: " + ", ".join(f"`{k}\u00a0{v}`" for k, v in report["versions"].items()))
        lines.append(f"- {t['claims']}:" + ("" if report.get("claims") else f" {t['no_claims']}"))
        for c in report.get("claims", []):
            numbers = ", ".join(f"{k} = {v}" for k, v in c["numbers"].items())
            verdict = t["unchecked"] if c["holds"] is None else t["upheld"] if c["holds"] else t["contradicted"]
            lines.append(f"  - `{c['name']}`: {verdict}"
                         + (f" ({_ltr(numbers, lang)})" if numbers else ""))
        if info.parameters:
            lines += ["", f"| {t['col_name']} | {t['col_value']} |", "|---|---|"]
            lines += [f"| {_cell(k)} | {_cell(v)} |" for k, v in info.parameters.items()]
    return "\n".join(lines) + "\n"


def load_glossary(path: Path) -> list[dict]:
    """The entries of ``book/glossary.yml``, each with en, fa, en_note, fa_note (and avoid)."""
    entries = yaml.safe_load(Path(path).read_text(encoding="utf8")) or []
    for n, entry in enumerate(entries):
        missing = [k for k in ("en", "fa", "en_note", "fa_note") if not entry.get(k)]
        if missing:
            raise ValueError(f"{path}: entry {n + 1} ({entry.get('en', '?')}) has no {', '.join(missing)}")
    return entries


def persian_key(text: str) -> list[int]:
    """Sort key in Persian alphabetical order."""
    return [PERSIAN_ALPHABET.index(ch) if ch in PERSIAN_ALPHABET else 100 + ord(ch) for ch in text]


def glossary_page(entries: list[dict], lang: str) -> str:
    """The glossary in language ``lang``: its own terms first, sorted in its alphabet."""
    t = TEXT[lang]
    if lang == "fa":
        rows = sorted(entries, key=lambda e: persian_key(e["fa"]))
        head = f"| {t['col_fa']} | {t['col_en']} | {t['col_meaning']} |"
        body = [f"| {e['fa']} | {e['en']} | {e['fa_note']} |" for e in rows]
    else:
        rows = sorted(entries, key=lambda e: e["en"].lower())
        head = f"| {t['col_en']} | {t['col_fa']} | {t['col_meaning']} |"
        body = [f"| {e['en']} | {e['fa']} | {e['en_note']} |" for e in rows]
    return "\n".join([f"# {t['glossary_title']}", "", t["glossary_intro"], "", head, "|---|---|---|", *body]) + "\n"


def banner_cell(lang: str, subset: bool = False) -> nbformat.NotebookNode:
    """The warning shown at the top of a page built from stand-in data (``subset``: from part of the real data)."""
    t = TEXT[lang]
    title, text, css = ((t["subset_title"], t["subset_banner"], "subset-banner") if subset
                        else (t["banner_title"], t["banner"], "standin-banner"))
    text = f":::{{admonition}} {title}\n:class: warning {css}\n{text.format(link=t['banner_link'])}\n:::"
    return nbformat.v4.new_markdown_cell(text, metadata={"tags": [lang]})


def _data_words(kind: str, lang: str) -> str:
    return {"en": {"real": "real data", "subset": "a subset of the real data", "stand-in": "stand-in data"},
            "fa": {"real": "دادهٔ واقعی", "subset": "زیرمجموعه‌ای از دادهٔ واقعی", "stand-in": "دادهٔ جانشین"}}[lang][kind]


# Why a record is stale (:func:`hwlib.book.records.staleness`), in Persian; what matches none stays English, left to right.
_STALE_FA = [
    (re.compile(r"^the page's code changed since$"), "کد صفحه از آن پس تغییر کرده است"),
    (re.compile(r"^its full-profile parameters changed since \((.*)\)$"), "پارامترهای نمایهٔ full آن از آن پس تغییر کرده‌اند ({0})"),
    (re.compile(r"^its data changed since \((.*)\)$"), "داده‌هایش از آن پس تغییر کرده‌اند ({0})"),
    (re.compile(r"^its executed notebook (.*) is missing$"), "دفترچهٔ اجراشدهٔ آن، {0}، نیست"),
    (re.compile(r"^the results (\S+) of (\S+) it read are not those on .*$"),
     "نتیجه‌های {0} از صفحهٔ {1} که خوانده بود، دیگر همان نتیجه‌های ثبت‌شدهٔ آن صفحه نیستند"),
    (re.compile(r"^it read results of (\S+), whose record is stale$"), "نتیجه‌های صفحهٔ {0} را خوانده بود که اجرای ثبت‌شده‌اش کهنه است"),
]


def stale_reason(reason: str, lang: str) -> str:
    """One reason a record is stale, in ``lang`` (names of files, pages and parameters stay as they are)."""
    if lang != "fa":
        return reason
    for pattern, text in _STALE_FA:
        found = pattern.match(reason)
        if found:
            return text.format(*(_ltr(g, lang) for g in found.groups()))
    return _ltr(reason, lang)


def run_banner(shown, info: RunInfo, lang: str) -> nbformat.NotebookNode:
    """The note at the top of a page saying which run it shows (:class:`hwlib.book.published.Shown`): the full
    run on the record (date, device, data, wall time, its claims), or the quick run, why, and the command
    that records a full run."""
    t = TEXT[lang]
    report = info.report or {}
    if shown.run == "full":
        record = shown.record
        claims = [v for v in record["claims"].values()]
        changed = ", ".join(f"{k}={v}" for k, v in record["changed"].items())
        text = t["run_full"].format(
            date=_when(record["finished"][:10], lang), device=_device(record["device"], lang),
            data=_data_words(record["data"], lang),
            changed=t["with_changed"].format(changed=f"`{changed}`") if changed else "",
            duration=duration(record["seconds"], lang),
            claims=_digits(f"{sum(c is True for c in claims)}/{len(claims)}", lang), report=t["banner_link"])
        title, css = t["run_full_title"], "run-banner run-full"
    else:
        text = t["run_quick"].format(device=_device(report.get("device", t["unknown"]), lang),
                                     date=_when(info.finished[:10], lang) or t["unknown"])
        why = {"not recorded": "why_not_recorded", "stale": "why_stale", "no data": "why_no_data",
               "smoke": "why_smoke"}[shown.why]
        date = _when((shown.record or {}).get("finished", "")[:10], lang)
        reasons = ("؛ " if lang == "fa" else "; ").join(stale_reason(r, lang) for r in shown.reasons)
        text += t[why].format(command=shown.command, date=date, reasons=reasons)
        title, css = t["run_quick_title"], "run-banner run-quick"
    text = f":::{{admonition}} {title}\n:class: {'note' if shown.run == 'full' else 'warning'} {css}\n{text}\n:::"
    return nbformat.v4.new_markdown_cell(text, metadata={"tags": [lang]})


def with_banner(nb, lang: str, subset: bool = False, standin: bool = False, shown=None, info: RunInfo | None = None):
    """``nb`` with its banners after the first markdown cell of language ``lang`` (its title): which run the
    page shows (``shown``, :func:`run_banner`), then the stand-in or ``subset`` banner when its data were."""
    out = copy.deepcopy(nb)
    first = next((i for i, c in enumerate(out.cells)
                  if c.cell_type == "markdown" and lang in c.get("metadata", {}).get("tags", [])), -1)
    banners = [run_banner(shown, info, lang)] if shown is not None else []
    if standin or subset:
        banners.append(banner_cell(lang, subset))
    out.cells[first + 1:first + 1] = banners
    return out


def runs_table(infos: list[RunInfo], shown: dict, lang: str) -> str:
    """For the landing page: per page, the run it shows, when it ran, on what device and data, and its claims."""
    t = TEXT[lang]
    lines = [t["runs_intro"], "",
             f"| {t['col_page']} | {t['col_run']} | {t['col_device']} | {t['col_data']} | {t['col_time']} | {t['col_claims']} |",
             "|---|---|---|---|---|---|"]
    for info in infos:
        s = shown.get(info.page)
        if s is None:
            continue
        report = info.report or {}
        run = (t["run_full_cell"].format(date=_when(s.record["finished"][:10], lang)) if s.run == "full"
               else t["run_quick_cell"].format(why=t["why_cells"][s.why]))
        data = _data_cell(info, lang)
        lines.append(f"| {{doc}}`/{info.page}` | {run} | {_device(report.get('device', t['unknown']), lang)} | "
                     f"{data} | {duration(info.seconds, lang)} | {_claims_cell(report.get('claims') or [], lang)} |")
    return "\n".join(lines) + "\n"


def _data_cell(info: RunInfo, lang: str) -> str:
    t = TEXT[lang]
    data = (info.report or {}).get("data")
    return (t["unknown"] if data is None else t["no_data"] if not data
            else t["standin"] if info.standin else t["subset"] if info.subset else t["real"])


def _claims_cell(claims: list[dict], lang: str) -> str:
    """``upheld/checked`` (bold when one is contradicted), and how many this run does not check."""
    t = TEXT[lang]
    checked = [c for c in claims if c["holds"] is not None]
    if not claims:
        return t["no_claims"]
    cell = _digits(f"{sum(c['holds'] for c in checked)}/{len(checked)}", lang)
    if any(c["holds"] is False for c in checked):
        cell = f"**{cell}**"
    unchecked = len(claims) - len(checked)
    return cell + (t["unchecked_count"].format(n=_digits(unchecked, lang)) if unchecked else "")


def colab_url(repository: dict, page: str) -> str:
    """Colab's URL of the Colab copy of ``page`` in the published site, or "" without a GitHub URL."""
    url = (repository or {}).get("url", "").rstrip("/")
    prefix = "https://github.com/"
    if not url.startswith(prefix):
        return ""
    branch = repository.get("pages_branch", "gh-pages")
    return f"https://colab.research.google.com/github/{url[len(prefix):]}/blob/{branch}/colab/{page}.ipynb"


def colab_notebook(nb, repository: dict):
    """The executed notebook with a first cell that installs hwlib when it runs in Colab."""
    url = repository["url"].rstrip("/")
    branch = repository.get("branch", "main")
    setup = nbformat.v4.new_code_cell(
        "# Google Colab only: install the book's helper library (hwlib) and the packages Colab lacks.\n"
        "import sys\n\n"
        "if \"google.colab\" in sys.modules:\n"
        "    get_ipython().run_line_magic(\"pip\", \"install -q keras-tuner gensim\")\n"
        f"    get_ipython().run_line_magic(\"pip\", \"install -q --no-deps git+{url}.git@{branch}\")"
    )
    out = copy.deepcopy(nb)
    out.cells.insert(0, setup)
    return out
