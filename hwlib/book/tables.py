"""The tables of the Persian edition: Persian headers and digits for the tables a page prints.

A page prints one table for both editions (``hwlib.page.show``); the Persian edition of the site
shows it with its headers (and any cell whose whole text is a known phrase) taken from
``book/fa/tables.yml``, its numbers in Persian digits and its columns right to left. Done when the
edition is made, so a recorded run shows the same as a new one. A table the page prints per edition
(tagged with its language) is left as the page wrote it.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path

import yaml

from ..page import number as fa_number
from .paths import ROOT

TERMS = ROOT / "book" / "fa" / "tables.yml"

_CELL = re.compile(r"<(th|td)([^>]*)>(.*?)</\1>", re.DOTALL)
_NUMBER = r"[-+−]?[0-9][0-9,]*(?:\.[0-9]+)?%?"
_PLAIN_NUMBER = re.compile(rf"^{_NUMBER}$")
_LATIN = re.compile("[A-Za-z]")
_PERSIAN = re.compile("[\u0600-\u06ff]")


class TermsError(ValueError):
    """``book/fa/tables.yml`` is malformed."""


@lru_cache(maxsize=4)
def _load(path: Path, mtime: float) -> tuple[dict, list, frozenset]:
    data = yaml.safe_load(path.read_text(encoding="utf8")) or {}
    phrases, keep = data.get("phrases") or {}, data.get("keep") or []
    if not isinstance(phrases, dict) or not isinstance(keep, list):
        raise TermsError(f"{path}: expected 'phrases' (English: Persian) and 'keep' (a list)")
    exact, patterns = {}, []
    for en, fa in phrases.items():
        if not isinstance(en, str) or not isinstance(fa, str) or not (_PERSIAN.search(fa) or "{" in en):
            raise TermsError(f"{path}: phrase {en!r} needs a Persian rendering, got {fa!r}")
        if "{" not in en:
            exact[en] = fa
            continue
        if sorted(re.findall(r"\{(\w*)\}", en)) != sorted(re.findall(r"\{(\w*)\}", fa)):
            raise TermsError(f"{path}: {en!r} and {fa!r} must have the same placeholders")
        if en.count("{}") > 1:
            raise TermsError(f"{path}: {en!r} may hold one {{}} at most")
        regex = re.escape(en).replace(r"\{\}", "(?P<x>.+?)")
        for k in range(en.count("{n}")):  # the k-th number of the English goes to the k-th {n} of the Persian
            regex = regex.replace(r"\{n\}", f"(?P<n{k}>{_NUMBER})", 1)
        patterns.append((re.compile(f"^{regex}$"), fa))
    return exact, patterns, frozenset(str(k) for k in keep)


def terms(path: Path = TERMS) -> tuple[dict, list, frozenset]:
    """The exact phrases, the phrase patterns (``{n}`` a number, in order; ``{}`` any phrase, at most one)
    and the kept words."""
    return _load(path, path.stat().st_mtime)


def persian(text: str, path: Path = TERMS) -> str | None:
    """``text`` (a header or cell) in Persian, or None when ``book/fa/tables.yml`` has no rendering
    for it. Numbers become Persian digits; a kept word (a name, a code identifier, a word of a
    dataset) stays as it is."""
    text = text.strip()
    exact, patterns, keep = terms(path)
    if not text or text in ("—", "-", "…") or not (_LATIN.search(text) or re.search("[0-9]", text)):
        return text
    if text in exact:
        return exact[text]
    if _PLAIN_NUMBER.match(text):
        return fa_number(text.replace("%", "٪")) if "%" in text else _digits(text)
    if text in keep:
        return text
    for regex, fa in patterns:
        found = regex.match(text)
        if not found:
            continue
        parts = found.groupdict()
        inner = persian(parts["x"], path) if "x" in parts else ""
        if inner is None:
            continue
        for k in range(fa.count("{n}")):
            fa = fa.replace("{n}", _digits(parts[f"n{k}"]), 1)
        return fa.replace("{}", inner or "")
    return None


def _digits(text: str) -> str:
    return fa_number(text) if text else text


def untranslated(table_html: str, path: Path = TERMS) -> list[str]:
    """The header texts of a printed table that have no Persian rendering (the test of the terms file)."""
    return [html.unescape(cell) for tag, _, cell in _CELL.findall(table_html)
            if tag == "th" and persian(html.unescape(re.sub("<[^>]+>", "", cell)), path) is None]


def localised(table_html: str, path: Path = TERMS) -> str:
    """A pandas table's HTML for the Persian edition: headers and known phrases in Persian, numbers
    in Persian digits, columns right to left. Text without a rendering stays as it is."""
    def cell(found: re.Match) -> str:
        tag, attrs, inner = found.groups()
        if "<" in inner:  # markup inside a cell (a link, a styled value): left as the page made it
            return found.group(0)
        fa = persian(html.unescape(inner), path)
        return f"<{tag}{attrs}>{html.escape(fa, quote=False) if fa is not None else inner}</{tag}>"

    return _CELL.sub(cell, table_html).replace("<table", '<table dir="rtl"', 1)


def is_table(output: dict) -> bool:
    """Whether a notebook output is a pandas table (its HTML)."""
    text = output.get("data", {}).get("text/html", "")
    text = "".join(text) if isinstance(text, list) else text
    return 'class="dataframe' in text
