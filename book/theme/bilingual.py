"""Sphinx extension for the bilingual book: language switch, RTL, Persian UI, downloads, Colab.

Loaded by each edition's Jupyter Book project as a local extension.

- ``bilingual_languages`` (set by hwlib.book): list of ``{code, label, dir}``;
  the current edition is the Sphinx ``language``.
- Every page gets ``bilingual_links`` (the same page in the other editions,
  relative URL ``<content_root>../<code>/<pagename>.html``, which works over
  http and file://) in its template context (templates/lang-switch.html).
- ``bilingual_notebooks`` maps the pages made from notebooks to their
  downloads (paths under the site root) and Colab URL; their download menu
  offers the whole executed notebook and its MyST source instead of the
  one-language copy Sphinx keeps, and a Colab button is added.
- ``locale/<lang>/LC_MESSAGES/*.po`` translate the themes' interface
  strings (pydata-sphinx-theme uses the ``sphinx`` catalog, sphinx-book-theme
  ``booktheme``); they are compiled to .mo when the extension loads.
- The theme hard-codes ``<html lang=..>`` without ``dir``; after the build the
  html tag of every page of a right-to-left edition gets ``dir="rtl"``, and
  figure and table numbers are written in Persian digits. Every download link
  gets a ``download`` attribute naming its file, and Sphinx's search messages
  (``_static/translations.js``) take this book's translations where
  ``locale/<lang>/LC_MESSAGES/sphinx.po`` has one.
- Search: the Persian index (:class:`SearchPersian`) keeps a word whole across
  its zero-width non-joiners and indexes it without them, so «نرمال‌سازی» and
  «نرمالسازی» are one word; ``search_scorer.js`` puts a page whose own title
  holds every word of the query first.
- ``templates/`` and ``static/`` (CSS, JS, Vazirmatn, MathJax copied in by
  hwlib.book) are added here; ``static`` is not named ``_static`` so Jupyter
  Book does not inject every MathJax file into every page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from sphinx.search.en import SearchEnglish, js_porter_stemmer

HERE = Path(__file__).resolve().parent
HTML_TAG = re.compile(r"<html\b(?![^>]*\bdir=)", re.IGNORECASE)
CAPTION_NUMBER = re.compile(r'(<span class="caption-number">)([^<]*)(</span>)')
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
# Attribute values the themes' templates write in English without looking them up in a catalog;
# they are translated with the "sphinx" catalog after the build.
UNTRANSLATED = ("Main", "Page", "Toggle primary sidebar", "Toggle secondary sidebar")
UNTRANSLATED_ATTR = re.compile(r'\b(title|aria-label)="(' + "|".join(map(re.escape, UNTRANSLATED)) + ')"')
# A link of the download menu as sphinx-book-theme writes it (its macro takes no download attribute).
DOWNLOAD_LINK = re.compile(r'(<a href="(?:[^"]*/)?([^"/]+)")(?=\s+target="_blank"\s+class="btn btn-sm btn-download-)')
TRANSLATIONS_JS = re.compile(r"Documentation\.addTranslations\((.*)\);", re.DOTALL)
ZWNJ = "\u200c"


class SearchPersian(SearchEnglish):
    """Sphinx's search index for the Persian edition. A Persian word is written with zero-width
    non-joiners inside it («نرمال‌سازی», «دسته‌ای»), which Sphinx's splitter takes for word breaks; here
    a word runs on across them, and is indexed and looked up without them, so that it is found typed
    either way. Latin words are stemmed as in the English edition."""

    lang = "fa"
    language_name = "Persian"
    _word_re = re.compile(rf"\w+(?:{ZWNJ}+\w+)*")
    js_splitter_code = r"""
function splitQuery(query) {
  return query
    .split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}\u200c]+/gu)
    .map((term) => term.replace(/^\u200c+|\u200c+$/g, ""))
    .filter((term) => term);
}
"""
    js_stemmer_code = js_porter_stemmer + r"""
var PorterStemmer = Stemmer;
Stemmer = function() {
  const porter = new PorterStemmer();
  this.stemWord = (word) => porter.stemWord(word.replace(/\u200c/g, ""));
};
"""

    def stem(self, word: str) -> str:
        return super().stem(word.replace(ZWNJ, ""))


def _current(app):
    for spec in app.config.bilingual_languages:
        if spec["code"] == app.config.language:
            return spec
    return {"code": app.config.language, "label": app.config.language, "dir": "ltr"}


def compile_catalogs(locale_dir: Path) -> None:
    """Write a .mo file next to every .po file under ``locale_dir``."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in locale_dir.rglob("*.po"):
        with po.open("rb") as fh:
            catalog = read_po(fh)
        with po.with_suffix(".mo").open("wb") as fh:
            write_mo(fh, catalog)


def _add_paths(app, config):
    config.templates_path.insert(0, str(HERE / "templates"))  # before the themes' components
    config.html_static_path.append(str(HERE / "static"))
    config.html_search_scorer = str(HERE / "search_scorer.js")
    app.add_css_file("bilingual.css", priority=900)
    app.add_js_file("bilingual.js", priority=900)


def _page_context(app, pagename, templatename, context, doctree):
    root = context.get("content_root", "")
    context["bilingual_links"] = [
        {
            "code": spec["code"],
            "label": spec["label"],
            "dir": spec.get("dir", "ltr"),
            "url": f"{root}../{spec['code']}/{pagename}.html",
        }
        for spec in app.config.bilingual_languages
        if spec["code"] != app.config.language
    ]


def _drop_thebe(app, pagename, templatename, context, doctree):
    """Leave out sphinx-thebe's scripts: the book has no live kernels (launch_buttons.thebe is
    false), yet Jupyter Book loads the extension, whose inline script points at a CDN and is
    added twice, which the browser reports as an error."""
    context["script_files"] = [
        js for js in context.get("script_files", [])
        if "sphinx-thebe" not in str(js) and "THEBE_JS_URL" not in getattr(js, "attributes", {}).get("body", "")
    ]
    context["css_files"] = [css for css in context.get("css_files", []) if "sphinx-thebe" not in str(css)]


def _notebook_buttons(app, pagename, templatename, context, doctree):
    """Downloads of the executed notebook, its source and its student notebooks, and the Colab buttons
    (the notebook, and the student notebook in this edition's language), on notebook pages."""
    page = app.config.bilingual_notebooks.get(pagename)
    buttons = context.get("header_buttons")
    if not page or buttons is None:
        return
    root = context.get("content_root", "")
    downloads = [{"type": "link", "url": f"{root}../{page['executed']}", "text": ".ipynb",
                  "tooltip": "Download the executed notebook (both languages)", "icon": "fas fa-code",
                  "label": "download-executed-button"}]
    if page.get("source"):
        downloads.append({"type": "link", "url": f"{root}../{page['source']}", "text": ".md",
                          "tooltip": "Download the notebook's source (MyST markdown)", "icon": "fas fa-file",
                          "label": "download-source-button"})
    from sphinx.locale import get_translation

    translate = get_translation("booktheme")  # the theme translates tooltips, not texts
    for spec in app.config.bilingual_languages:  # a page with exercises: its student notebooks
        if (page.get("student") or {}).get(spec["code"]):
            downloads.append({"type": "link", "url": f"{root}../{page['student'][spec['code']]}",
                              "text": f"{translate('Student notebook')} ({spec['label']})",
                              "tooltip": "Download the student notebook: the exercises left to write",
                              "icon": "fas fa-pencil-alt", "label": f"download-student-{spec['code']}-button"})
    downloads.append({"type": "javascript", "javascript": "window.print()", "text": ".pdf",
                      "tooltip": "Print to PDF", "icon": "fas fa-file-pdf", "label": "download-pdf-button"})
    for button in buttons:
        if button.get("label") == "download-buttons":
            button["buttons"] = downloads
    launch = []
    if page.get("colab"):
        launch.append({"type": "link", "url": page["colab"], "text": "Colab",
                       "tooltip": "Open this notebook in Google Colab",
                       "icon": "_static/images/logo_colab.png", "label": "colab-button"})
    student_colab = (page.get("student_colab") or {}).get(app.config.language)
    if student_colab:
        launch.append({"type": "link", "url": student_colab, "text": f"{translate('Student notebook')} (Colab)",
                       "tooltip": "Open the student notebook in Google Colab",
                       "icon": "_static/images/logo_colab.png", "label": "colab-student-button"})
    if launch:
        buttons.insert(0, {"type": "group", "tooltip": translate("Launch interactive content"),
                           "icon": "fas fa-rocket", "buttons": launch, "label": "launch-buttons"})


def _postprocess(app, exception):
    if exception or app.builder.format != "html":
        return
    from sphinx.locale import get_translation

    translate = get_translation("sphinx")
    rtl = _current(app).get("dir") == "rtl"
    persian = app.config.language == "fa"
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf8")
        new = DOWNLOAD_LINK.sub(r'\1 download="\2"', text)
        if rtl:
            new = HTML_TAG.sub('<html dir="rtl"', new, count=1)
            new = UNTRANSLATED_ATTR.sub(lambda m: f'{m[1]}="{translate(m[2])}"', new)
        if persian:
            new = CAPTION_NUMBER.sub(lambda m: m[1] + m[2].translate(PERSIAN_DIGITS) + m[3], new)
        if new != text:
            page.write_text(new, encoding="utf8")
    _search_messages(Path(app.outdir) / "_static" / "translations.js", HERE / "locale" / app.config.language)


def _search_messages(js: Path, locale_dir: Path) -> None:
    """Sphinx's translations.js (its Persian messages for the search page, some misspelt) with this book's
    translation of every message that ``locale_dir``'s sphinx.po has."""
    from babel.messages.pofile import read_po

    po = locale_dir / "LC_MESSAGES" / "sphinx.po"
    if not js.is_file() or not po.is_file():
        return
    text = js.read_text(encoding="utf8")
    found = TRANSLATIONS_JS.search(text)
    catalog = json.loads(found[1])
    with po.open("rb") as fh:
        ours = {m.id: m.string for m in read_po(fh) if isinstance(m.id, str) and m.id and m.string}
    catalog["messages"].update({k: ours[k] for k in catalog["messages"] if k in ours})
    js.write_text(text[:found.start(1)] + json.dumps(catalog, ensure_ascii=False) + text[found.end(1):],
                  encoding="utf8")


def setup(app):
    app.add_config_value("bilingual_languages", [], "html")
    app.add_config_value("bilingual_notebooks", {}, "html")
    compile_catalogs(HERE / "locale")
    app.add_message_catalog("sphinx", str(HERE / "locale"))
    app.add_message_catalog("booktheme", str(HERE / "locale"))
    app.add_search_language(SearchPersian)
    app.connect("config-inited", _add_paths)
    app.connect("html-page-context", _page_context)
    app.connect("html-page-context", _notebook_buttons, priority=600)
    app.connect("html-page-context", _drop_thebe, priority=900)
    app.connect("build-finished", _postprocess)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
