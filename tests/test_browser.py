"""The built site as readers see it: Debian's Chromium, headless, over http://127.0.0.1.

Playwright drives /usr/bin/chromium (no browser is downloaded). Every page of
both editions must load without console errors or failed requests, Persian
pages must be right-to-left with left-to-right code and math (their figure
captions and check lines right to left, the check lines wrapped), every language
link must land on the page's twin, and search must find a Persian and an
English term, and a page's title words that page first (Persian typed with or
without the zero-width non-joiner). Screenshots go to ``_build/screenshots/``.

When ``HWLIB_BROWSER_TESTS=require`` (``make test`` sets it), a missing
Chromium or Playwright is a failure, not a skip.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path

import pytest
import yaml

from chromium import launched, unavailable
from hwlib.book import site as book
from hwlib.page import VERDICT

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "_build" / "site"
SHOTS = REPO / "_build" / "screenshots"
LANGS = ("en", "fa")
PAGES = book.toc_pages(yaml.safe_load((REPO / "book" / "_toc.yml").read_text(encoding="utf8")))
PERSIAN_DIGIT = re.compile("[۰-۹]")
# Words looked up with the site's search box: (language, query, a page that must be among the results).
SEARCHES = (("en", "dropout", "hw1/04_dropout"), ("fa", "اعتبارسنجی", "hw1/02_baseline_cnn"))
# A page's title words find it first, in Persian typed with the zero-width non-joiner or without it.
TITLE_SEARCHES = (("en", "batch normalization", "hw7q/q6_batch_norm"),
                  ("fa", "نرمال\u200cسازی دسته\u200cای", "hw7q/q6_batch_norm"),
                  ("fa", "نرمالسازی دستهای", "hw7q/q6_batch_norm"))
SCREENSHOTS = ("intro", "hw1/02_baseline_cnn", "hw1/03_depth", "hw14/02_triplet_loss", "hw14/03_dermamnist",
               "hw7q/q6_batch_norm", "report", "glossary")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def base_url():
    if not (SITE / "index.html").is_file():
        unavailable(f"no built site in {SITE}: run `make book` first")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(SITE)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    yield from launched()


class Visit:
    """One page opened in a fresh browser context, with its console errors and failed requests."""

    def __init__(self, browser, url: str):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url} ({r.failure})"))
        self.page.on("response", lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status}: {r.url}"))
        self.page.goto(url, wait_until="load")
        self.page.wait_for_load_state("networkidle")
        if self.page.evaluate("() => !!document.querySelector('span.math, div.math')"):
            self.page.wait_for_function("() => document.querySelector('mjx-container') !== null", timeout=20000)
            self.page.wait_for_load_state("networkidle")  # the fonts MathJax asks for once it typesets

    def close(self):
        if self.context is not None:
            self.context.close()
            self.context = None


@pytest.fixture
def visit(browser, base_url):
    opened = []

    def open_page(path: str) -> Visit:
        v = Visit(browser, f"{base_url}/{path}")
        opened.append(v)
        return v

    yield open_page
    for v in opened:
        v.close()


@pytest.mark.parametrize("lang", LANGS)
def test_pages_load_cleanly_and_switch_to_twin(visit, base_url, lang):
    """Every page: no console error or failed request, images drawn, copy buttons, the language
    link lands on the same page of the other edition, and that page loads cleanly too."""
    other = "en" if lang == "fa" else "fa"
    problems = []
    for page in PAGES:
        v = visit(f"{lang}/{page}.html")
        problems += [f"{lang}/{page}: {e}" for e in v.errors]
        broken = v.page.evaluate("() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0)"
                                 ".map(i => i.getAttribute('src'))")
        problems += [f"{lang}/{page}: image not drawn: {src}" for src in broken]
        cells = v.page.locator("div.cell_input div.highlight").count()
        copy_buttons = v.page.locator("div.cell_input button.copybtn").count()
        if copy_buttons != cells:
            problems.append(f"{lang}/{page}: {copy_buttons} copy buttons for {cells} code cells")
        assert v.page.evaluate("() => document.documentElement.lang") == lang
        seen = len(v.errors)
        v.page.locator("a.bilingual-switch").first.click()
        v.page.wait_for_load_state("networkidle")
        expected = f"{base_url}/{other}/{page}.html"
        if v.page.url != expected:
            problems.append(f"{lang}/{page}: language link went to {v.page.url}, not {expected}")
        elif v.page.evaluate("() => document.documentElement.lang") != other:
            problems.append(f"{lang}/{page}: twin page is not in {other}")
        problems += [f"{lang}/{page} -> twin: {e}" for e in v.errors[seen:]]
        v.close()
    assert not problems, "\n".join(problems)


def test_chooser_page(visit, base_url):
    v = visit("index.html")
    assert not v.errors, v.errors
    for lang in LANGS:
        link = v.page.locator(f'li[lang="{lang}"] a')
        assert link.get_attribute("href") == f"{lang}/{PAGES[0]}.html"


def _direction(page, selector: str) -> str | None:
    return page.evaluate("(s) => { const e = document.querySelector(s); "
                         "return e ? getComputedStyle(e).direction : null; }", selector)


@pytest.mark.parametrize("page", ["hw14/02_triplet_loss", "hw7q/q6_batch_norm"])
def test_persian_pages_are_rtl_with_ltr_code_and_math(visit, page):
    v = visit(f"fa/{page}.html")
    assert v.page.evaluate("() => document.documentElement.dir") == "rtl"
    assert _direction(v.page, "article p") == "rtl"
    assert _direction(v.page, "div.cell_input pre") == "ltr"
    assert _direction(v.page, "div.cell_output pre") == "ltr"
    assert v.page.locator("mjx-container").count() > 0, "no typeset math on this page"
    assert _direction(v.page, "mjx-container") == "ltr"
    # the article text starts at the right edge: its first paragraph is right-aligned in the column
    box = v.page.evaluate("() => { const p = document.querySelector('article p').getBoundingClientRect();"
                          " const a = document.querySelector('article').getBoundingClientRect();"
                          " return {p: p.right, a: a.right}; }")
    assert abs(box["p"] - box["a"]) < 40, box
    en = visit(f"en/{page}.html")
    assert en.page.evaluate("() => document.documentElement.dir") == ""
    assert _direction(en.page, "article p") == "ltr"


def test_persian_captions_and_check_lines_read_right_to_left(visit):
    """Every figure caption and every check line of a Persian page reads right to left, though both sit in
    the left-to-right output area; a check line wraps inside its column, its numbers whole."""
    problems, seen = [], {"captions": 0, "checks": 0}
    for page in PAGES:
        v = visit(f"fa/{page}.html")
        found = v.page.evaluate("""(verdicts) => {
            const out = {captions: [], checks: []};
            for (const f of document.querySelectorAll('article figcaption'))
                out.captions.push([getComputedStyle(f).direction, f.textContent.trim().slice(0, 60)]);
            const walk = document.createTreeWalker(document.querySelector('article'), NodeFilter.SHOW_TEXT);
            while (walk.nextNode()) {
                const text = walk.currentNode.textContent.trim();
                if (!verdicts.some((v) => text.startsWith(v))) continue;
                const line = walk.currentNode.parentElement, box = line.closest('div.output') || line;
                const overflow = Math.max(line.scrollWidth - line.clientWidth, box.scrollWidth - box.clientWidth);
                out.checks.push([getComputedStyle(line).direction, overflow, text.slice(0, 60)]);
            }
            return out;
        }""", list(VERDICT["fa"].values()))
        seen["captions"] += len(found["captions"])
        seen["checks"] += len(found["checks"])
        problems += [f"fa/{page}: caption {d}: {t}" for d, t in found["captions"] if d != "rtl"]
        problems += [f"fa/{page}: check line {d}, {o}px overflow: {t}" for d, o, t in found["checks"] if d != "rtl" or o > 1]
        v.close()
    assert seen["captions"] > 0 and seen["checks"] > 0, seen
    assert not problems, "\n".join(problems)
    en = visit("en/hw7q/q6_batch_norm.html")
    assert _direction(en.page, "article figcaption") == "ltr"


def test_persian_interface_strings(visit):
    """The theme's own words on a Persian page are Persian: no English tooltips, labels or buttons."""
    v = visit("fa/hw1/02_baseline_cnn.html")
    english = v.page.evaluate(r"""() => {
        const out = [];
        const chrome = document.querySelectorAll('header, nav, footer, .bd-header-article, .prev-next-area,'
            + ' .bd-sidebar-primary, .bd-sidebar-secondary, .skip-link, #pst-back-to-top');
        for (const root of chrome) {
            for (const el of [root, ...root.querySelectorAll('*')]) {
                for (const a of ['title', 'aria-label', 'placeholder']) {
                    const t = el.getAttribute(a);
                    if (t && /[A-Za-z]{3,}/.test(t) && !/^(English|Colab|PDF|GitHub)$/.test(t)) out.push(a + ': ' + t);
                }
                for (const n of el.childNodes) {
                    if (n.nodeType === 3 && /\b(Contents|previous|next|By|Copyright|Search|Back to top|Skip to main)\b/.test(n.textContent))
                        out.push('text: ' + n.textContent.trim());
                }
            }
        }
        return [...new Set(out)];
    }""")
    assert not english, english
    tooltip = v.page.locator("div.cell_input button.copybtn").first.get_attribute("data-tooltip")
    assert tooltip and re.search("[\u0600-\u06ff]", tooltip), tooltip
    numbers = v.page.locator("figure span.caption-number").all_inner_texts()
    assert numbers and all(PERSIAN_DIGIT.search(n) for n in numbers), numbers


@pytest.mark.parametrize("lang,query,expected", SEARCHES)
def test_search_finds_term(visit, base_url, lang, query, expected):
    v = visit(f"{lang}/search.html?q={query}")
    v.page.wait_for_selector("#search-results ul.search li", timeout=20000)
    hrefs = v.page.eval_on_selector_all("#search-results ul.search li a", "els => els.map(a => a.href)")
    assert any(h.split("?")[0].split("#")[0] == f"{base_url}/{lang}/{expected}.html" for h in hrefs), hrefs
    assert not v.errors, v.errors


def _search(visit, lang: str, query: str):
    """The search page of edition ``lang`` for ``query``, once the search has finished: the title loses its
    progress dots when the result list is complete."""
    v = visit(f"{lang}/search.html?q={query}")
    v.page.wait_for_function("() => { const h = document.querySelector('#search-results h2');"
                             " return h && !h.querySelector('span'); }", timeout=20000)
    return v


@pytest.mark.parametrize("lang,query,expected", TITLE_SEARCHES)
def test_search_finds_the_page_of_its_title_words_first(visit, base_url, lang, query, expected):
    """A page's title words find it first (not the execution report, which repeats every title), in Persian
    with the words whole (a word is not split at its zero-width non-joiner, so «ای» alone is never
    highlighted) and typed with or without the joiner."""
    v = _search(visit, lang, query)
    hrefs = v.page.eval_on_selector_all("#search-results ul.search li > a", "els => els.map(a => a.href)")
    assert hrefs and hrefs[0].split("?")[0].split("#")[0] == f"{base_url}/{lang}/{expected}.html", hrefs[:5]
    highlighted = set(v.page.eval_on_selector_all("#search-results .highlighted", "els => els.map(e => e.textContent)"))
    assert {h.lower() for h in highlighted} <= set(query.lower().split()), highlighted
    assert not v.errors, v.errors


def test_persian_search_says_when_nothing_is_found(visit):
    """The Persian no-results message is the book's own (Sphinx's misspells it)."""
    from babel.messages.pofile import read_po

    with (REPO / "book" / "theme" / "locale" / "fa" / "LC_MESSAGES" / "sphinx.po").open("rb") as fh:
        expected = read_po(fh)["Your search did not match any documents. Please make sure that all words are "
                               "spelled correctly and that you've selected enough categories."].string
    v = _search(visit, "fa", "زززقققز")
    assert v.page.locator("#search-results ul.search li").count() == 0
    assert v.page.text_content("#search-results p.search-summary") == expected


def test_downloads_and_colab_link(visit, base_url):
    """The download menu of a notebook page serves the executed notebook and its source."""
    v = visit("en/hw1/02_baseline_cnn.html")
    for label, suffix in (("download-executed-button", ".ipynb"), ("download-source-button", ".md")):
        href = v.page.locator(f"a.btn-{label}").get_attribute("href")
        assert href.endswith(f"hw1/02_baseline_cnn{suffix}"), href
        response = v.page.request.get(f"{base_url}/en/hw1/{href}")
        assert response.ok, (href, response.status)
        assert len(response.body()) > 1000
    colab = v.page.locator("a.btn-colab-button").get_attribute("href")
    assert colab.startswith("https://colab.research.google.com/github/") and colab.endswith(
        "/colab/hw1/02_baseline_cnn.ipynb"), colab
    assert v.page.request.get(f"{base_url}/colab/hw1/02_baseline_cnn.ipynb").ok


def test_screenshots(visit):
    """Full-page screenshots of a few pages of both editions, for people to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    written = []
    for lang in LANGS:
        for page in SCREENSHOTS:
            v = visit(f"{lang}/{page}.html")
            path = SHOTS / f"{lang}-{page.replace('/', '-')}.png"
            v.page.screenshot(path=str(path), full_page=True)
            written.append(path)
            v.close()
    assert all(p.stat().st_size > 10_000 for p in written)
