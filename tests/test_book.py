"""Tests of hwlib.book: the language splitter, config/toc derivation, and one
full site build from a small hand-made executed notebook (no kernel runs)."""

from __future__ import annotations

import base64
import io
import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from hwlib.book import site as book

REPO = Path(__file__).resolve().parent.parent

FIXTURE_TOC = {
    "format": "jb-book",
    "root": "intro",
    "parts": [
        {
            "caption": {"en": "Demo part", "fa": "بخش نمونه"},
            "chapters": [{"file": "demo/01_first"}, {"file": "demo/02_second"}],
        }
    ],
}


# --------------------------------------------------------------------------- fixtures


def md(text: str, *tags: str):
    cell = new_markdown_cell(text)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def code(source: str, *outputs):
    cell = new_code_cell(source, execution_count=1)
    cell.outputs = list(outputs)
    return cell


def captioned(cell, **caption):
    cell.metadata["caption"] = caption
    return cell


def png_bytes() -> bytes:
    """A small real matplotlib figure with a Persian label, as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 2.5), dpi=80)
    ax.plot([0, 1, 2, 3], [0, 1, 4, 9], marker="o")
    ax.set_title("accuracy per epoch")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def demo_notebook(n: int) -> nbformat.NotebookNode:
    """An 'executed' notebook as the runner writes it: en/fa prose, outputs, glue."""
    png = base64.b64encode(png_bytes()).decode()
    glue_output = new_output(
        "display_data",
        data={"application/papermill.record/text/plain": "0.91234"},
        metadata={"scrapbook": {"name": "acc", "mime_prefix": "application/papermill.record/"}},
    )
    return new_notebook(
        cells=[
            md(f"# Demo page {n}\n\nThe model reached an accuracy of {{glue:text}}`acc:.2f` "
               "on $x^2$ test images.", "en"),
            md(f"# صفحهٔ نمونهٔ {n}\n\nمدل به دقت (accuracy) {{glue:text}}`acc:.2f` روی "
               "داده‌های آزمون رسید و $x^2$ در متن فارسی می‌آید.", "fa"),
            code("print('hello from the kernel')\nprint('دقت نهایی:', 0.91)",
                 new_output("stream", name="stdout", text="hello from the kernel\n"),
                 new_output("stream", name="stdout", text="دقت نهایی: 0.91\n"),
                 new_output("stream", name="stderr", text="TF log line on stderr\n")),
            code("from myst_nb import glue\nglue('acc', 0.91234, display=False)", glue_output),
            md("$$\n\\mathcal{L} = -\\sum_{k=1}^{10} y_k \\log \\hat y_k\n$$"),
            captioned(code("fig", new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})),
                      en="Accuracy per epoch.", fa="دقت در هر دوره."),
            code("df", new_output("execute_result", execution_count=1, data={
                "text/html": "<table class='dataframe'><tr><th>fold</th><th>accuracy</th></tr>"
                             "<tr><td>1</td><td>0.912</td></tr></table>",
                "text/plain": "fold accuracy\n1 0.912"})),
            md("## Discussion\n\n:::{note}\nDropout helps a little here.\n:::\n\n"
               "> A quoted remark.", "en"),
            md("## بحث\n\n:::{note}\nحذف تصادفی (dropout) این‌جا کمی کمک می‌کند.\n:::\n\n"
               "> یک نقل‌قول کوتاه.", "fa"),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                  "language_info": {"name": "python"}},
    )


def write_fixture(root: Path) -> tuple[Path, Path]:
    """Executed notebooks + toc under ``root``; returns (executed_dir, toc_path)."""
    executed = root / "executed" / "quick"
    for n, page in enumerate(["demo/01_first", "demo/02_second"], start=1):
        path = executed / f"{page}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(demo_notebook(n), path)
    toc_path = root / "pages" / "_toc.yml"
    for lang, text in (("en", "# Demo book\n\nBuilt with the {{ profile }} profile."),
                       ("fa", "# کتاب نمونه\n\nساخته‌شده با نمایهٔ {{ profile }}.")):
        (root / "pages" / lang).mkdir(parents=True)
        (root / "pages" / lang / "intro.md").write_text(text, encoding="utf8")
    toc_path.write_text(yaml.safe_dump(FIXTURE_TOC, allow_unicode=True), encoding="utf8")
    return executed, toc_path


# --------------------------------------------------------------------------- split


def texts(nb):
    return [c.source for c in nb.cells]


def test_split_keeps_own_language_untagged_and_code():
    nb = demo_notebook(1)
    en = book.split_notebook(nb, "en")
    fa = book.split_notebook(nb, "fa")
    assert en.cells[0].source.startswith("# Demo page 1")
    assert fa.cells[0].source.startswith("# صفحهٔ نمونهٔ 1")
    assert not any("صفحه" in t or "بحث" in t for t in texts(en))
    assert not any("Demo page" in t or "Discussion" in t for t in texts(fa))
    for edition in (en, fa):
        assert any(t.startswith("$$") for t in texts(edition))  # untagged markdown kept
        assert [(c.source, c.outputs) for c in edition.cells if c.cell_type == "code"] == [
            (c.source, c.outputs) for c in nb.cells if c.cell_type == "code"
        ]  # code cells and outputs (incl. glue data) unchanged
    assert len(nb.cells) == 9  # input not modified


def test_split_turns_captions_into_figures():
    nb = new_notebook(cells=[captioned(code("fig"), en="A plot.", fa="یک نمودار.")])
    assert book.split_notebook(nb, "fa").cells[0].metadata["mystnb"] == {"figure": {"caption": "یک نمودار."}}
    assert "caption" not in book.split_notebook(nb, "en").cells[0].metadata
    assert nb.cells[0].metadata["caption"]["en"] == "A plot."
    with pytest.raises(book.BookError, match="caption"):
        book.split_notebook(new_notebook(cells=[captioned(code("fig"), en="only English")]), "fa")


def test_split_gives_an_old_persian_check_line_its_html():
    """A run made before page.check wrote HTML (a record) shows its Persian check line as plain text only; the
    Persian edition gets the HTML a new run writes, the English line and other Persian outputs stay as they are."""
    from hwlib import page

    fa = "بررسی درست است: لایهٔ ما (\u2066gap = ۱e−۱۵\u2069)"
    outputs = [new_output("display_data", {"text/plain": "check passed: ours (gap = 1e-15)"},
                          metadata={page.LANG_KEY: "en"}),
               new_output("display_data", {"text/plain": fa}, metadata={page.LANG_KEY: "fa"}),
               new_output("display_data", {"text/plain": "جدول"}, metadata={page.LANG_KEY: "fa"})]
    nb = new_notebook(cells=[new_code_cell("page.check(...)", outputs=outputs)])
    shown = book.split_notebook(nb, "fa").cells[0].outputs
    assert [dict(o.data) for o in shown] == [{"text/plain": fa, "text/html": page.verdict_html(fa)},
                                             {"text/plain": "جدول"}]
    assert [set(o.data) for o in book.split_notebook(nb, "en").cells[0].outputs] == [{"text/plain"}]
    assert set(nb.cells[0].outputs[1].data) == {"text/plain"}  # input not modified


def test_split_other_tags_and_unknown_language():
    nb = new_notebook(cells=[md("shared", "hide-input"), md("en only", "en", "margin"), md("fa", "fa")])
    assert texts(book.split_notebook(nb, "en")) == ["shared", "en only"]
    assert texts(book.split_notebook(nb, "fa")) == ["shared", "fa"]
    with pytest.raises(ValueError):
        book.split_notebook(nb, "de")


# --------------------------------------------------------------------------- config + toc


def test_toc_pages_and_captions():
    toc = {"root": "intro", "parts": [
        {"caption": {"en": "A", "fa": "الف"}, "chapters": [
            {"file": "a/one", "sections": [{"file": "a/one_b.ipynb"}]}, {"file": "a/two"}]},
        {"caption": "Shared", "chapters": [{"file": "b/x.md"}, {"url": "https://example.org"}]},
    ]}
    assert book.toc_pages(toc) == ["intro", "a/one", "a/one_b", "a/two", "b/x"]
    fa = book.language_toc(toc, "fa")
    assert [p["caption"] for p in fa["parts"]] == ["الف", "Shared"]
    assert toc["parts"][0]["caption"] == {"en": "A", "fa": "الف"}
    with pytest.raises(book.BookError):
        book.toc_pages({"root": "intro", "chapters": [{"glob": "hw1/*"}]})


def test_language_config_derived_from_shared_config():
    config = book.load_config()
    en = book.language_config(config, "en", "quick")
    fa = book.language_config(config, "fa", "full")
    for cfg, lang in ((en, "en"), (fa, "fa")):
        assert "languages" not in cfg
        sc = cfg["sphinx"]["config"]
        assert sc["language"] == lang
        assert sc["nb_merge_streams"] is True and sc["nb_output_stderr"] == "remove"
        assert "://" not in sc["mathjax_path"]
        assert "lang-switch.html" in sc["html_theme_options"]["article_header_end"]
        assert [x["code"] for x in sc["bilingual_languages"]] == ["en", "fa"]
        assert cfg["execute"]["execute_notebooks"] == "off"
        assert cfg["sphinx"]["recursive_update"] is True
    assert en["title"] == config["title"]
    assert fa["title"] != config["title"] and re.search("[\u0600-\u06ff]", fa["title"])
    assert fa["sphinx"]["config"]["myst_substitutions"]["profile"] == "full"
    assert en["sphinx"]["config"]["myst_substitutions"]["profile"] == "quick"


def test_repo_toc_and_pages():
    toc = yaml.safe_load((REPO / "book" / "_toc.yml").read_text(encoding="utf8"))
    pages = book.toc_pages(toc)
    assert pages[0] == "intro"
    hw1 = [p for p in pages if p.startswith("hw1/")]
    assert hw1 == ["hw1/01_dataset_tour", "hw1/02_baseline_cnn", "hw1/03_depth",
                   "hw1/04_dropout", "hw1/05_tuner", "hw1/06_discussion"]

    def captions(node):
        if isinstance(node, dict):
            if "caption" in node:
                yield node["caption"]
            for v in node.values():
                yield from captions(v)
        elif isinstance(node, list):
            for v in node:
                yield from captions(v)

    for caption in captions(toc):
        assert isinstance(caption, str) or set(caption) == {"en", "fa"}
    for lang in ("en", "fa"):
        assert (REPO / "book" / lang / "intro.md").is_file()


def test_persian_intro_uses_half_spaces():
    text = (REPO / "book" / "fa" / "intro.md").read_text(encoding="utf8")
    assert "\u200c" in text
    # «می‌شود», not «می شود»; «داده‌ها», not «داده ها»
    assert not re.search(r"(^|\s)(ن?می) [\u0600-\u06ff]", text)
    assert not re.search(r"[\u0600-\u06ff] (ها|های|هایی)(\s|$)", text)


def test_missing_notebook_is_a_clear_error(tmp_path):
    executed, toc_path = write_fixture(tmp_path)
    (executed / "demo" / "02_second.ipynb").unlink()
    with pytest.raises(book.BookError, match=r"demo/02_second"):
        book.build_site(executed, "quick", tmp_path / "site", toc_path=toc_path, pages_dir=toc_path.parent)
    assert not (tmp_path / "site").exists()


# --------------------------------------------------------------------------- full build


@pytest.mark.skipif(not (REPO / "node_modules" / "mathjax").is_dir(), reason="run 'npm ci' first")
def test_build_site_fixture(tmp_path):
    """Full build of both editions from the fixture (about a minute)."""
    from bs4 import BeautifulSoup

    executed, toc_path = write_fixture(tmp_path)
    site = book.build_site(executed, "quick", tmp_path / "site", toc_path=toc_path, pages_dir=toc_path.parent)

    def soup(rel):
        return BeautifulSoup((site / rel).read_text(encoding="utf8"), "html.parser")

    assert (site / "index.html").is_file()
    chooser = soup("index.html")
    assert {a["href"] for a in chooser.find_all("a")} == {"en/intro.html", "fa/intro.html"}

    for lang, other in (("en", "fa"), ("fa", "en")):
        for page in ("intro", "demo/01_first", "demo/02_second"):
            doc = soup(f"{lang}/{page}.html")
            assert doc.html["lang"] == lang
            assert doc.html.get("dir") == ("rtl" if lang == "fa" else None)
            switch = doc.select_one("a.bilingual-switch")
            target = (site / lang / page).parent / switch["href"]
            assert target.resolve() == (site / other / f"{page}.html").resolve()
        intro = soup(f"{lang}/intro.html").get_text()
        assert "quick" in intro and "{{" not in intro

        page = soup(f"{lang}/demo/01_first.html")
        text = page.get_text()
        prose = page.select_one("article section p").get_text()
        assert "0.91" in prose and "0.91234" not in prose  # glue works after the split
        assert "hello from the kernel" in text and "TF log line" not in text  # stderr removed
        assert page.select("span.math") and page.select("div.math")
        for img in page.select("article img"):
            assert (site / lang / "demo" / img["src"]).resolve().is_file()
        assert page.select("article img")
        figure = page.select_one("article figure")
        number = figure.select_one("span.caption-number").get_text()
        caption = figure.select_one("span.caption-text").get_text()
        assert caption == {"en": "Accuracy per epoch.", "fa": "دقت در هر دوره."}[lang]
        assert number.strip() == {"en": "Fig. 1", "fa": "شکل ۱"}[lang]
        downloads = {a["href"] for a in page.select("a.btn-download-executed-button")}
        assert downloads == {"../../notebooks/demo/01_first.ipynb"}
        for tag, attr in (("script", "src"), ("link", "href")):
            for el in page.find_all(tag):
                assert "://" not in el.get(attr, ""), el
        assert page.find("script", src=re.compile(r"^(\.\./)*_static/mathjax/tex-mml-chtml\.js"))
        sidebar = page.select_one("nav.bd-links").get_text()
        assert ("بخش نمونه" in sidebar) == (lang == "fa") and ("Demo part" in sidebar) == (lang == "en")

    assert "Demo page 1" in soup("en/demo/01_first.html").get_text()
    assert "Demo page" not in soup("fa/demo/01_first.html").get_text()
    assert "صفحهٔ نمونهٔ 1" in soup("fa/demo/01_first.html").get_text()
    assert (site / "fa" / "_static" / "fonts" / "Vazirmatn-Variable.woff2").is_file()
    assert (site / "fa" / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()

    # Rebuild without one page: the site is replaced, nothing stale stays.
    toc = dict(FIXTURE_TOC, parts=[dict(FIXTURE_TOC["parts"][0], chapters=[{"file": "demo/01_first"}])])
    toc_path.write_text(yaml.safe_dump(toc, allow_unicode=True), encoding="utf8")
    book.build_site(executed, "quick", site, toc_path=toc_path, pages_dir=toc_path.parent)
    assert (site / "fa" / "demo" / "01_first.html").is_file()
    assert not (site / "en" / "demo" / "02_second.html").exists()
    assert not (site / "fa" / "demo" / "02_second.html").exists()
    assert not site.with_name(site.name + ".new").exists()
    shutil.rmtree(tmp_path / "books")
