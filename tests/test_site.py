"""Checks of the real built site in _build/site (both editions).

The site is built once per session with ``python -m hwlib book`` (each page's recorded full run,
the quick run where there is none) if ``_build/site/index.html`` does not exist yet.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hwlib.book import site as book

bs4 = pytest.importorskip("bs4")

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "_build" / "site"
LANGS = ("en", "fa")
PAGES = book.toc_pages(yaml.safe_load((REPO / "book" / "_toc.yml").read_text(encoding="utf8")))
ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")
REMOTE_CSS = re.compile(r"""(url\(\s*['"]?|@import\s+['"])(https?:)?//""", re.IGNORECASE)


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        probe = subprocess.run([sys.executable, "-m", "hwlib", "book", "--help"],
                               cwd=REPO, capture_output=True, text=True)
        if probe.returncode != 0:
            pytest.skip("no built site and 'python -m hwlib book' is not available yet")
        result = subprocess.run([sys.executable, "-m", "hwlib", "book"], cwd=REPO, capture_output=True, text=True)
        if result.returncode != 0:
            pytest.fail("python -m hwlib book failed:\n"
                        + (result.stdout + result.stderr)[-4000:])
    return SITE


def soup(path: Path):
    return bs4.BeautifulSoup(path.read_text(encoding="utf8"), "html.parser")


def html_files(site: Path, lang: str) -> list[Path]:
    return sorted(p for p in (site / lang).rglob("*.html") if "_static" not in p.parts)


def test_chooser_page(site):
    links = {a["href"] for a in soup(site / "index.html").find_all("a")}
    assert links == {f"{lang}/{PAGES[0]}.html" for lang in LANGS}


@pytest.mark.parametrize("page", PAGES)
def test_page_in_both_editions(site, page):
    for lang in LANGS:
        assert (site / lang / f"{page}.html").is_file(), f"{lang}/{page}.html missing"
    en_title = soup(site / "en" / f"{page}.html").find("h1").get_text()
    fa_title = soup(site / "fa" / f"{page}.html").find("h1").get_text()
    assert not ARABIC_SCRIPT.search(en_title), f"en/{page}: Persian title {en_title!r}"
    assert ARABIC_SCRIPT.search(fa_title), f"fa/{page}: title {fa_title!r} is not Persian"


@pytest.mark.parametrize("lang", LANGS)
def test_language_and_direction(site, lang):
    for path in html_files(site, lang):
        html = soup(path).html
        if html is None or html.get("lang") is None:  # redirect stubs (index.html)
            continue
        assert html["lang"] == lang, path
        assert html.get("dir") == ("rtl" if lang == "fa" else None), path


@pytest.mark.parametrize("lang", LANGS)
def test_language_switch_resolves_to_twin(site, lang):
    other = "fa" if lang == "en" else "en"
    checked = 0
    for path in html_files(site, lang):
        switch = soup(path).select_one("a.bilingual-switch")
        if switch is None:
            continue
        target = (path.parent / switch["href"]).resolve()
        twin = (site / other / path.relative_to(site / lang)).resolve()
        assert target == twin, f"{path}: switch points to {switch['href']}"
        assert twin.is_file(), f"{path}: twin {twin} missing"
        checked += 1
    for page in PAGES:
        assert soup(site / lang / f"{page}.html").select_one("a.bilingual-switch"), page
    assert checked >= len(PAGES)


@pytest.mark.parametrize("lang", LANGS)
def test_no_remote_assets(site, lang):
    """Scripts, stylesheets, fonts and MathJax all come from the site itself."""
    css_files = set()
    for path in html_files(site, lang):
        doc = soup(path)
        for tag, attr in (("script", "src"), ("link", "href")):
            for el in doc.find_all(tag):
                url = el.get(attr) or ""
                if tag == "link" and not {"stylesheet", "preload", "icon", "preconnect",
                                          "dns-prefetch", "modulepreload"} & set(el.get("rel", [])):
                    continue  # prev/next/index/search navigation links
                assert not re.match(r"(https?:)?//", url), f"{path}: remote {tag} {url}"
                if tag == "link" and "stylesheet" in el.get("rel", []):
                    css_files.add((path.parent / url.split("?")[0]).resolve())
        for style in doc.find_all("style"):
            assert not REMOTE_CSS.search(style.get_text()), f"{path}: remote url in <style>"
        if doc.select("span.math, div.math"):
            assert doc.find("script", src=re.compile(r"_static/mathjax/tex-mml-chtml\.js")), path
    for css in css_files:
        assert css.is_file(), css
        assert not REMOTE_CSS.search(css.read_text(encoding="utf8")), f"remote url in {css}"
    assert (site / lang / "_static" / "fonts" / "Vazirmatn-Variable.woff2").is_file()


@pytest.mark.parametrize("lang", LANGS)
def test_images_exist(site, lang):
    for path in html_files(site, lang):
        for img in soup(path).find_all("img"):
            src = img.get("src", "")
            if src.startswith("data:"):
                continue
            assert not re.match(r"(https?:)?//", src), f"{path}: remote image {src}"
            assert (path.parent / src.split("?")[0]).resolve().is_file(), f"{path}: missing {src}"


NOTEBOOK_PAGES = [p for p in PAGES if (REPO / "notebooks" / f"{p}.md").is_file()]
EXECUTED = REPO / "_build" / "published"  # the notebooks the site shows: recorded full runs, else quick runs
PERSIAN_DIGIT = re.compile("[۰-۹]")


@pytest.mark.parametrize("lang", LANGS)
def test_figures_numbered_and_captioned_in_page_language(site, lang):
    """Every image a notebook drew is a numbered figure with a caption in the page's language."""
    figures = 0
    for page in NOTEBOOK_PAGES:
        doc = soup(site / lang / f"{page}.html")
        for img in doc.select("div.cell_output img"):
            figure = img.find_parent("figure")
            assert figure is not None, f"{lang}/{page}: image {img['src']} has no caption"
            number = figure.select_one("span.caption-number").get_text()
            caption = figure.select_one("span.caption-text").get_text()
            assert caption.strip(), f"{lang}/{page}: empty caption"
            assert bool(ARABIC_SCRIPT.search(caption)) == (lang == "fa"), f"{lang}/{page}: {caption!r}"
            assert bool(PERSIAN_DIGIT.search(number)) == (lang == "fa"), f"{lang}/{page}: {number!r}"
            figures += 1
    assert figures >= 40


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_standin_banner_exactly_on_standin_pages(site, page):
    """The stand-in banner on exactly the pages built from a stand-in, the subset banner on those built
    from part of the real data (and not also from a stand-in)."""
    from hwlib.book import pages as bookpages

    info = bookpages.run_info(EXECUTED, page)
    assert info.report is not None, f"{page}: the executed notebook has no kernel report"
    for lang in LANGS:
        doc = soup(site / lang / f"{page}.html")
        assert len(doc.select("div.subset-banner")) == int(info.subset), f"{lang}/{page}: subset banner"
        banner = doc.select("div.standin-banner, div.subset-banner")
        assert len(banner) == int(info.standin or info.subset), f"{lang}/{page}: banner {len(banner)}, stand-in {info.standin}"
        if banner:
            title = doc.select_one("article h1")
            assert title in banner[0].find_all_previous("h1"), f"{lang}/{page}: the banner is above the title"


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_every_page_says_which_run_it_shows(site, page):
    """One banner under the title: the full run on the record where one is current, else the quick run with
    why and the command that records a full run; the shown notebook is that run's."""
    from hwlib import provenance
    from hwlib.book import published, records

    shown = published.read(EXECUTED, page)
    stale = records.staleness(page)
    assert shown.run == ("full" if stale == [] else "quick"), f"{page}: shows the {shown.run} run, staleness {stale}"
    report = provenance.read_report(json.loads((EXECUTED / f"{page}.ipynb").read_text(encoding="utf-8")))
    executed = json.loads((EXECUTED / f"{page}.ipynb").read_text(encoding="utf-8"))
    assert executed["metadata"]["papermill"]["parameters"].get("profile") == shown.run
    assert all(c["holds"] is (True if shown.run == "full" else c["holds"]) for c in report["claims"])
    for lang in LANGS:
        doc = soup(site / lang / f"{page}.html")
        banner = doc.select("div.run-banner")
        assert len(banner) == 1, f"{lang}/{page}: {len(banner)} run banners"
        assert "run-full" in banner[0]["class"] if shown.run == "full" else "run-quick" in banner[0]["class"]
        assert doc.select_one("article h1") in banner[0].find_all_previous("h1"), f"{lang}/{page}: banner above the title"
        text = banner[0].get_text()
        if shown.run == "quick":
            assert f"python -m hwlib run {page} --profile full" in text, f"{lang}/{page}: no command in the banner"
        else:
            assert shown.record["finished"][:10].translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹" if lang == "fa"
                                                                         else "0123456789")) in text


@pytest.mark.parametrize("lang", LANGS)
def test_landing_page_lists_the_run_of_every_page(site, lang):
    doc = soup(site / lang / "intro.html")
    rows = [tr for tr in doc.select("article table tr") if tr.select_one("a.internal")
            and tr.select_one("a.internal")["href"].removesuffix(".html") in NOTEBOOK_PAGES]
    listed = {tr.select_one("a.internal")["href"].removesuffix(".html") for tr in rows if len(tr.select("td")) == 6}
    assert listed == set(NOTEBOOK_PAGES)
    assert "<!-- runs shown" not in (site / lang / "intro.html").read_text(encoding="utf8")


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_downloads_are_the_executed_notebook_and_source(site, page):
    assert (site / "notebooks" / f"{page}.ipynb").read_bytes() == (EXECUTED / f"{page}.ipynb").read_bytes()
    assert (site / "notebooks" / f"{page}.md").read_bytes() == (REPO / "notebooks" / f"{page}.md").read_bytes()
    for lang in LANGS:
        doc = soup(site / lang / f"{page}.html")
        hrefs = {a["href"] for a in doc.select("a.btn-download-executed-button, a.btn-download-source-button")}
        depth = "../" * page.count("/")
        assert hrefs == {f"{depth}../notebooks/{page}.ipynb", f"{depth}../notebooks/{page}.md"}, hrefs
        colab = doc.select_one("a.btn-colab-button")["href"]
        assert colab.endswith(f"/colab/{page}.ipynb") and (site / "colab" / f"{page}.ipynb").is_file()


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_student_notebooks_and_folded_solutions(site, page):
    """A page with exercises: its student notebooks in both languages (downloads and the Colab copy of
    each edition's own) and its solutions folded behind a toggle in the page's language; a page
    without exercises: neither, and no mention of them."""
    import jupytext
    import nbformat

    from hwlib.book import student

    solutions = [c for c in jupytext.read(REPO / "notebooks" / f"{page}.md").cells
                 if c.cell_type == "code" and student.TAG in c.metadata.get("tags", [])]
    depth = "../" * page.count("/")
    for lang in LANGS:
        doc = soup(site / lang / f"{page}.html")
        folded = doc.select("details.hide.above-input")
        assert len(folded) == len(solutions), f"{lang}/{page}: {len(folded)} folded cells, {len(solutions)} solutions"
        for details in folded:
            assert details.select_one("summary").get_text(strip=True) == "".join(book.SOLUTION_PROMPTS[lang])
            assert "open" not in details.attrs, "folded until the reader opens it"
        hrefs = sorted(a["href"] for a in doc.select("a[class*=btn-download-student-]"))
        colab = doc.select_one("a.btn-colab-student-button")
        if not solutions:
            assert hrefs == [] and colab is None and not list((site / "student").rglob(f"{page}.*ipynb"))
            continue
        assert hrefs == [f"{depth}../student/{code}/{page}.student-{code}.ipynb" for code in LANGS], hrefs
        assert colab["href"].endswith(f"/colab/student/{lang}/{page}.student-{lang}.ipynb")
        assert (site / "colab" / "student" / lang / f"{page}.student-{lang}.ipynb").is_file()
        written = nbformat.read(site / "student" / lang / f"{page}.student-{lang}.ipynb", as_version=4)
        executed = nbformat.read(EXECUTED / f"{page}.ipynb", as_version=4)
        built = student.student_notebook(REPO / "notebooks" / f"{page}.md", page, lang, executed)
        assert [c.source for c in written.cells] == [c.source for c in built.cells]
        marked = [c for c in executed.cells if student.EXPECTED in c.metadata.get("tags", [])]
        kept = [c for c in written.cells if c.cell_type == "code" and c.outputs]
        assert [c.source for c in kept] == [c.source for c in marked], "the teacher's outputs of the marked cells only"
        assert all(any("image/png" in o.get("data", {}) for o in c.outputs) for c in kept), "each a figure"


@pytest.mark.parametrize("lang", LANGS)
def test_each_notebook_download_saves_under_its_own_name(site, lang):
    """A page's notebooks (the teacher's, both languages' student notebooks) are three files of three names,
    and each link's download attribute is its file's name: saved side by side, none overwrites another."""
    for page in NOTEBOOK_PAGES:
        links = soup(site / lang / f"{page}.html").select("a[class*=btn-download-][href$='.ipynb']")
        names = [a.get("download") for a in links]
        assert len(links) in (1, 3) and len(set(names)) == len(names), f"{lang}/{page}: {names}"
        for a in links:
            assert a["href"].rsplit("/", 1)[-1] == a["download"], a
            assert ((site / lang / page).parent / a["href"]).is_file(), a["href"]
    names = {a["download"] for a in soup(site / lang / "hw7q/q6_batch_norm.html").select("a[class*=btn-download-]")}
    assert {"q6_batch_norm.ipynb", "q6_batch_norm.student-en.ipynb", "q6_batch_norm.student-fa.ipynb"} <= names


@pytest.mark.parametrize("lang", LANGS)
def test_report_lists_every_notebook(site, lang):
    doc = soup(site / lang / "report.html")
    linked = {a["href"].split("#")[0].removesuffix(".html") for a in doc.select("article a.internal")}
    assert set(NOTEBOOK_PAGES) <= linked
    text = doc.get_text()
    assert ("CPU" in text or "GPU" in text) and ("full" in text or "quick" in text)
