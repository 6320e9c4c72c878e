"""The Persian edition's tables: Persian headers and digits, right to left (hwlib.book.tables)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from hwlib import page
from hwlib.book import site, tables

REPO = Path(__file__).resolve().parent.parent
PUBLISHED = REPO / "_build" / "published"
TERMS = """
phrases:
  "model": "مدل"
  "CV mean (this run)": "میانگین اعتبارسنجی متقابل (این اجرا)"
  "fold {n}": "بخش {n}"
  "{} (report)": "{} (گزارش)"
  "{n} ({})": "{n} ({})"
  "public benchmark": "محک عمومی"
  "{n} / {n}": "{n} / {n}"
keep:
  - deep_wide
"""


@pytest.fixture
def terms(tmp_path):
    path = tmp_path / "tables.yml"
    path.write_text(TERMS, encoding="utf8")
    return path


def table_html() -> str:
    frame = pd.DataFrame({"CV mean (this run)": [91.47, -0.5], "deep_wide (report)": ["92.6 (public benchmark)", "—"]},
                         index=pd.Index(["fold 1", "fold 12"], name="model"))
    return frame.to_html()


def test_headers_numbers_and_direction(terms):
    shown = tables.localised(table_html(), terms)
    headers = [re.sub("<[^>]+>", "", c) for c in re.findall(r"<th[^>]*>(.*?)</th>", shown, re.DOTALL)]
    assert [h.strip() for h in headers if h.strip()] == ["میانگین اعتبارسنجی متقابل (این اجرا)", "deep_wide (گزارش)",
                                         "مدل", "بخش ۱", "بخش ۱۲"]
    assert "<td>۹۱٫۴۷</td>" in shown and f"<td>{page.number('-0.50')}</td>" in shown
    assert "<td>۹۲٫۶ (محک عمومی)</td>" in shown and "<td>—</td>" in shown
    assert shown.startswith('<table dir="rtl"') and not re.search(r"<t[dh][^>]*>[^<]*[0-9]", shown)


def test_unknown_text_is_reported_not_guessed(terms):
    html = pd.DataFrame({"epochs run": [3], "fold one": [1]}).to_html()
    assert tables.untranslated(html, terms) == ["epochs run", "fold one"]
    assert "epochs run" in tables.localised(html, terms)  # left as it is, never half-translated
    assert tables.persian("fold 2x", terms) is None and tables.persian("deep_wide", terms) == "deep_wide"
    assert tables.persian("0.69 / 12", terms) == "۰٫۶۹ / ۱۲"  # two numbers of a pattern keep their order


@pytest.mark.parametrize("bad", ['phrases: {"model": "model"}', 'phrases: {"fold {n}": "بخش"}', "phrases: [1]",
                                 'phrases: {"{} and {}": "{} و {}"}'])
def test_malformed_terms_are_refused(tmp_path, bad):
    path = tmp_path / "tables.yml"
    path.write_text(bad, encoding="utf8")
    with pytest.raises(tables.TermsError):
        tables.persian("model", path)


def test_only_shared_tables_of_the_persian_edition_change():
    one = nbformat.v4.new_output("display_data", {"text/html": table_html(), "text/plain": "t"})
    own = nbformat.v4.new_output("display_data", {"text/html": table_html(), "text/plain": "t"},
                                 metadata={page.LANG_KEY: "fa"})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("t", outputs=[one, own])])
    fa, en = site.split_notebook(nb, "fa"), site.split_notebook(nb, "en")
    assert "بخش ۱" in fa.cells[0].outputs[0]["data"]["text/html"]
    assert fa.cells[0].outputs[1]["data"]["text/html"] == table_html()
    assert en.cells[0].outputs[0]["data"]["text/html"] == table_html()
    assert nb.cells[0].outputs[0]["data"]["text/html"] == table_html()  # the notebook itself is untouched


def published_tables():
    for path in sorted(PUBLISHED.rglob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf8"))["cells"]:
            for output in cell.get("outputs", []):
                if tables.is_table(output) and page.LANG_KEY not in output.get("metadata", {}):
                    yield path.relative_to(PUBLISHED).with_suffix("").as_posix(), "".join(output["data"]["text/html"])


def test_every_header_of_the_book_has_a_persian_rendering():
    found = list(published_tables())
    if not found:
        pytest.skip("no published notebooks: run `python -m hwlib book` first")
    missing = sorted({(p, h) for p, html in found for h in tables.untranslated(html)})
    assert not missing, "headers without a Persian rendering in book/fa/tables.yml:\n" + "\n".join(
        f"{p}: {h!r}" for p, h in missing)
