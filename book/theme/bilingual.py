"""Sphinx extension for the bilingual book: language switch, RTL, self-hosted assets.

Loaded by each edition's Jupyter Book project as a local extension.

- ``bilingual_languages`` (set by hwlib.book): list of ``{code, label, dir}``;
  the current edition is the Sphinx ``language``.
- Every page gets ``bilingual_links`` (the same page in the other editions,
  relative URL ``<content_root>../<code>/<pagename>.html``, which works over
  http and file://) in its template context (templates/lang-switch.html).
- The theme hard-codes ``<html lang=..>`` without ``dir``; after the build the
  html tag of every page of a right-to-left edition gets ``dir="rtl"``.
- ``templates/`` and ``static/`` (CSS, Vazirmatn, MathJax copied in by
  hwlib.book) are added here; ``static`` is not named ``_static`` so Jupyter
  Book does not inject every MathJax file into every page.
"""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
HTML_TAG = re.compile(r"<html\b(?![^>]*\bdir=)", re.IGNORECASE)


def _current(app):
    for spec in app.config.bilingual_languages:
        if spec["code"] == app.config.language:
            return spec
    return {"code": app.config.language, "label": app.config.language, "dir": "ltr"}


def _add_paths(app, config):
    config.templates_path.insert(0, str(HERE / "templates"))  # before the themes' components
    config.html_static_path.append(str(HERE / "static"))
    app.add_css_file("bilingual.css", priority=900)


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


def _add_dir(app, exception):
    if exception or app.builder.format != "html" or _current(app).get("dir") != "rtl":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf8")
        new = HTML_TAG.sub('<html dir="rtl"', text, count=1)
        if new != text:
            page.write_text(new, encoding="utf8")


def setup(app):
    app.add_config_value("bilingual_languages", [], "html")
    app.connect("config-inited", _add_paths)
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _add_dir)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
