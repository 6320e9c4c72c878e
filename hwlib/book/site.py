"""Build the bilingual (English + Persian) Jupyter Book site from executed notebooks.

One shared configuration (``_config.yml``), one shared table of contents
(``book/_toc.yml``) and one set of executed notebooks give two Jupyter Book
projects, one per language, built separately and assembled into one site::

    site/index.html        chooser page (both languages)
    site/en/...            English edition
    site/fa/...            Persian edition (right-to-left)

A notebook holds both languages: markdown cells tagged ``en`` or ``fa`` belong
to that edition, untagged markdown cells, code cells and outputs to both.
"""

from __future__ import annotations

import copy
import html
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import yaml

from . import pages as bookpages
from . import published, student, tables
from .paths import ROOT
from .. import page as hwpage
from ..page import LANG_KEY

CONFIG = ROOT / "_config.yml"
BOOK_DIR = ROOT / "book"
NOTEBOOK_SOURCES = ROOT / "notebooks"
THEME_DIR = BOOK_DIR / "theme"
NODE_MODULES = ROOT / "node_modules"

# A line of a written page (the landing pages) replaced by the list of the runs each page shows.
RUNS_MARKER = "<!-- runs shown: written by the book builder -->"

# MathJax 3 files served from the site: the combined TeX/MathML component plus
# what it loads on demand (TeX extensions, CHTML fonts, menu, accessibility).
MATHJAX_ENTRY = "tex-mml-chtml.js"
MATHJAX_DIRS = ("a11y", "input", "output", "sre", "ui")


class BookError(RuntimeError):
    """A problem with the book sources that the user has to fix."""


# --------------------------------------------------------------------------- split

LANG_TAGS = ("en", "fa")
# The toggle over a page's solutions (its code cells tagged ``solution``): folded, so a reader can try first.
SOLUTION_PROMPTS = {"en": ("Show the solution", "Hide the solution"), "fa": ("نمایش راه‌حل", "پنهان کردن راه‌حل")}


def split_notebook(nb: nbformat.NotebookNode, lang: str) -> nbformat.NotebookNode:
    """Return a copy of ``nb`` with only the cells of edition ``lang``.

    Markdown cells tagged with another language code (``en``/``fa``) are dropped,
    and so are outputs marked for another language (a claim's warning, see
    :func:`hwlib.page.claim`); untagged markdown cells, code cells (with their other
    outputs, so myst-nb glue keeps working) and raw cells are kept. A solution's code
    (a cell tagged ``solution``) is folded behind a "show the solution" toggle
    (:data:`SOLUTION_PROMPTS`); its outputs stay in view. Every Persian check line gets its HTML made again
    from its text (:func:`hwlib.page.verdict_html`: right to left, numbers kept whole).
    """
    if lang not in LANG_TAGS:
        raise ValueError(f"unknown language {lang!r}, expected one of {LANG_TAGS}")
    others = set(LANG_TAGS) - {lang}
    out = copy.deepcopy(nb)
    out.cells = [
        cell
        for cell in out.cells
        if cell.cell_type != "markdown" or lang in _tags(cell) or not others & _tags(cell)
    ]
    for number, cell in enumerate(out.cells):
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if o.get("metadata", {}).get(LANG_KEY, lang) == lang]
            for output in cell.outputs:
                if _persian_check_line(output):
                    output.data["text/html"] = hwpage.verdict_html(output.data["text/plain"])
            if lang == "fa":
                for o in cell.outputs:
                    if tables.is_table(o) and LANG_KEY not in o.get("metadata", {}):
                        o["data"]["text/html"] = tables.localised("".join(o["data"]["text/html"]))
        if cell.cell_type == "code" and "caption" in cell.metadata:
            cell.metadata.setdefault("mystnb", {})["figure"] = _figure(cell.metadata.pop("caption"), lang, number)
        if cell.cell_type == "code" and student.TAG in _tags(cell):
            cell.metadata["tags"] = [*cell.metadata["tags"], "hide-input"]
            show, hide = SOLUTION_PROMPTS[lang]
            cell.metadata.setdefault("mystnb", {}).update(code_prompt_show=show, code_prompt_hide=hide)
    return out


def _persian_check_line(output) -> bool:
    """Whether ``output`` is a Persian check line (:func:`hwlib.page.check`): its HTML is made again from its
    text, so that every run, however old, shows the current rendering."""
    data = output.get("data", {})
    return (output.get("metadata", {}).get(LANG_KEY) == "fa" and set(data) <= {"text/plain", "text/html"}
            and "text/plain" in data
            and data["text/plain"].startswith(tuple(hwpage.VERDICT["fa"].values())))


def _figure(caption, lang: str, number: int) -> dict:
    """myst-nb figure options of a code cell from its ``caption: {en: .., fa: ..}`` metadata."""
    if not isinstance(caption, dict) or not isinstance(caption.get(lang), str) or not caption[lang].strip():
        raise BookError(f"cell {number}: 'caption' must map every language ({', '.join(LANG_TAGS)}) "
                        f"to a caption text, got {caption!r}")
    return {"caption": caption[lang].strip()}


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


# --------------------------------------------------------------------------- config + toc


def load_config(config_path: Path = CONFIG) -> dict:
    """Read the shared ``_config.yml`` (with its ``languages:`` mapping)."""
    config = yaml.safe_load(Path(config_path).read_text(encoding="utf8"))
    if not isinstance(config.get("languages"), dict) or not config["languages"]:
        raise BookError(f"{config_path}: needs a 'languages:' mapping (en:, fa:)")
    return config


def language_config(config: dict, lang: str, profile: str, notebooks: dict | None = None) -> dict:
    """Jupyter Book config of one edition, derived from the shared config.

    ``languages.<lang>`` is merged recursively over the shared settings; the
    builder adds ``language``, the language list for the switch, the
    ``profile`` substitution used in the intro pages, and ``notebooks`` (page
    -> its downloads and Colab URL) for the theme's buttons.
    """
    languages = config["languages"]
    out = _merge({k: v for k, v in config.items() if k not in ("languages", "repository")},
                 languages[lang].get("book", {}))
    sphinx_config = out.setdefault("sphinx", {}).setdefault("config", {})
    sphinx_config["language"] = lang
    sphinx_config["bilingual_languages"] = [
        {"code": code, "label": spec["label"], "dir": spec.get("dir", "ltr")}
        for code, spec in languages.items()
    ]
    sphinx_config.setdefault("myst_substitutions", {})["profile"] = profile
    sphinx_config["bilingual_notebooks"] = notebooks or {}
    return out


def language_toc(toc: dict, lang: str) -> dict:
    """The shared toc for edition ``lang``: ``caption: {en: .., fa: ..}`` becomes one string."""

    def walk(node):
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {key: walk(value) for key, value in node.items()}
        caption = out.get("caption")
        if isinstance(caption, dict):
            if lang not in caption:
                raise BookError(f"book/_toc.yml: caption {caption} has no {lang!r} text")
            out["caption"] = caption[lang]
        return out

    return walk(toc)


def toc_pages(toc: dict) -> list[str]:
    """All page names of a toc (root first, then in reading order)."""
    pages = [toc["root"]]

    def walk(node):
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if "glob" in node:
                raise BookError("book/_toc.yml: 'glob' entries are not supported, list pages by name")
            if "file" in node:
                pages.append(_strip_suffix(node["file"]))
            for key in ("parts", "chapters", "sections"):
                walk(node.get(key))

    walk(toc)
    return pages


def _strip_suffix(page: str) -> str:
    for suffix in (".md", ".ipynb"):
        if page.endswith(suffix):
            return page[: -len(suffix)]
    return page


def _merge(base: dict, update: dict) -> dict:
    """Recursive dict merge; values of ``update`` win, nested dicts are merged."""
    out = copy.deepcopy(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


# --------------------------------------------------------------------------- projects


def write_project(
    project: Path,
    lang: str,
    executed_dir: Path,
    profile: str,
    *,
    config: dict,
    toc: dict,
    pages_dir: Path,
    theme_dir: Path = THEME_DIR,
    node_modules: Path = NODE_MODULES,
    downloads: dict | None = None,
) -> list[str]:
    """Write the Jupyter Book project of one edition into ``project`` (emptied first).

    A page comes from ``<pages_dir>/<lang>/<page>.md`` if that exists, is one of
    the pages the builder writes (``report``, ``glossary``), or else comes from
    ``<executed_dir>/<page>.ipynb`` split for ``lang``, with the stand-in banner
    when it ran on stand-in data. ``downloads`` (page -> download paths and
    Colab URL) goes to the theme. Returns the page names.
    """
    pages = toc_pages(toc)
    missing = [
        p for p in pages
        if not (pages_dir / lang / f"{p}.md").is_file() and not (executed_dir / f"{p}.ipynb").is_file()
        and p not in bookpages.GENERATED
    ]
    if missing:
        listing = "\n".join(f"  {p}: expected {executed_dir / p}.ipynb" for p in missing)
        raise BookError(
            f"{len(missing)} page(s) of the table of contents have no source:\n{listing}\n"
            "Execute the notebooks of this profile first (python -m hwlib book runs them), "
            f"or write a page as {pages_dir / lang}/<page>.md."
        )

    if project.exists():
        shutil.rmtree(project)
    project.mkdir(parents=True)
    notebook_pages = [p for p in pages if not (pages_dir / lang / f"{p}.md").is_file()
                      and p not in bookpages.GENERATED]
    shown = {p: published.read(executed_dir, p) for p in notebook_pages}
    shown = {p: s for p, s in shown.items() if s is not None}
    infos = [bookpages.run_info(executed_dir, p) for p in notebook_pages]
    for page in pages:
        md = pages_dir / lang / f"{page}.md"
        target = project / page
        target.parent.mkdir(parents=True, exist_ok=True)
        if md.is_file():
            text = md.read_text(encoding="utf8")
            if RUNS_MARKER in text:  # the landing page's list of the runs shown
                text = text.replace(RUNS_MARKER, bookpages.runs_table(infos, shown, lang))
            target.with_suffix(".md").write_text(text, encoding="utf8")
        elif page == "report":
            target.with_suffix(".md").write_text(bookpages.report_page(infos, lang, profile, shown), encoding="utf8")
        elif page == "glossary":
            entries = bookpages.load_glossary(pages_dir / "glossary.yml")
            target.with_suffix(".md").write_text(bookpages.glossary_page(entries, lang), encoding="utf8")
        else:
            nb = nbformat.read(executed_dir / f"{page}.ipynb", as_version=4)
            info = bookpages.run_info(executed_dir, page)
            if info.standin or info.subset or page in shown:
                nb = bookpages.with_banner(nb, lang, subset=info.subset, standin=info.standin,
                                           shown=shown.get(page), info=info)
            nbformat.write(split_notebook(nb, lang), target.with_suffix(".ipynb"))

    shutil.copytree(theme_dir, project / "_theme", ignore=shutil.ignore_patterns("__pycache__"))
    copy_assets(project / "_theme" / "static", node_modules)
    (project / "_config.yml").write_text(
        yaml.safe_dump(language_config(config, lang, profile, downloads), allow_unicode=True, sort_keys=False),
        encoding="utf8",
    )
    (project / "_toc.yml").write_text(
        yaml.safe_dump(language_toc(toc, lang), allow_unicode=True, sort_keys=False), encoding="utf8"
    )
    return pages


def copy_assets(static: Path, node_modules: Path = NODE_MODULES) -> None:
    """Copy Vazirmatn (woff2) and MathJax 3 from ``node_modules`` into a static dir."""
    font = node_modules / "vazirmatn" / "fonts" / "webfonts" / "Vazirmatn[wght].woff2"
    mathjax = node_modules / "mathjax" / "es5"
    if not font.is_file() or not (mathjax / MATHJAX_ENTRY).is_file():
        raise BookError(
            f"Vazirmatn or MathJax not found under {node_modules}: run 'npm ci' in {ROOT} "
            "(package.json lists both; the site serves them itself, no CDN)."
        )
    (static / "fonts").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(font, static / "fonts" / "Vazirmatn-Variable.woff2")
    shutil.copyfile(node_modules / "vazirmatn" / "OFL.txt", static / "fonts" / "Vazirmatn-OFL.txt")
    (static / "mathjax").mkdir(exist_ok=True)
    shutil.copyfile(mathjax / MATHJAX_ENTRY, static / "mathjax" / MATHJAX_ENTRY)
    shutil.copyfile(mathjax.parent / "LICENSE", static / "mathjax" / "LICENSE")
    for name in MATHJAX_DIRS:
        shutil.copytree(mathjax / name, static / "mathjax" / name)


def build_project(project: Path, strict: bool = True) -> Path:
    """Run ``jupyter-book build`` on a project; return its ``_build/html``."""
    exe = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(exe) if exe.exists() else "jupyter-book", "build", str(project), "--all"]
    if strict:
        cmd += ["-W", "-n", "--keep-going"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        lines = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr).splitlines()
        problems = [line for line in lines if "WARNING" in line or "ERROR" in line] or lines[-40:]
        raise BookError(
            f"jupyter-book build of {project} failed (exit {result.returncode}); "
            f"strict builds turn warnings into errors:\n" + "\n".join(problems[:60])
        )
    return project / "_build" / "html"


# --------------------------------------------------------------------------- site


def build_site(
    executed_dir: Path,
    profile: str,
    site_dir: Path,
    strict: bool = True,
    *,
    config_path: Path = CONFIG,
    toc_path: Path | None = None,
    pages_dir: Path = BOOK_DIR,
    books_dir: Path | None = None,
    theme_dir: Path = THEME_DIR,
    node_modules: Path = NODE_MODULES,
    sources_dir: Path = NOTEBOOK_SOURCES,
) -> Path:
    """Build both editions from ``executed_dir`` and assemble them in ``site_dir``.

    ``site_dir`` gets ``index.html`` (language chooser), one folder per
    language, ``notebooks/`` (every executed notebook and its source, for
    download) and ``colab/`` (the executed notebooks with a Colab setup
    cell). The projects are written to ``books_dir`` (default: ``books`` next
    to ``site_dir``). Both are rebuilt from scratch and the site is
    replaced as a whole, so nothing stale survives. Returns ``site_dir``.
    The keyword arguments point at other sources (tests use fixtures).
    """
    executed_dir, site_dir = Path(executed_dir), Path(site_dir)
    pages_dir = Path(pages_dir)
    toc_path = Path(toc_path) if toc_path else pages_dir / "_toc.yml"
    books_dir = Path(books_dir) if books_dir else site_dir.parent / "books"
    config = load_config(config_path)
    toc = yaml.safe_load(toc_path.read_text(encoding="utf8"))

    staging = site_dir.with_name(site_dir.name + ".new")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    downloads = write_downloads(staging, executed_dir, toc, config, pages_dir, Path(sources_dir))
    for lang in config["languages"]:
        start = time.monotonic()
        project = books_dir / lang
        write_project(
            project, lang, executed_dir, profile,
            config=config, toc=toc, pages_dir=pages_dir, theme_dir=theme_dir,
            node_modules=node_modules, downloads=downloads,
        )
        shutil.copytree(build_project(project, strict), staging / lang)
        print(f"book: {lang} edition built in {time.monotonic() - start:.0f} s", flush=True)
    (staging / "index.html").write_text(chooser_page(config, toc["root"]), encoding="utf8")

    if site_dir.exists():
        shutil.rmtree(site_dir)
    staging.rename(site_dir)
    return site_dir


def student_path(page: str, lang: str) -> str:
    """Where the site keeps ``page``'s student notebook in ``lang`` (without ``.ipynb``; its Colab copy is
    under ``colab/``): a file name of its own, ``q6_batch_norm.student-fa``, so that the teacher's notebook
    and the two student notebooks of a page save under three names."""
    return f"student/{lang}/{page}.student-{lang}"


def write_downloads(site: Path, executed_dir: Path, toc: dict, config: dict, pages_dir: Path,
                    sources_dir: Path) -> dict:
    """Copy every notebook page's executed notebook and source into ``site/notebooks/``, and its
    Colab copy into ``site/colab/``; write a page with exercises' student notebooks, per language,
    into ``site/student/<lang>/`` (:func:`student_path`; their Colab copies into
    ``site/colab/student/<lang>/``); return
    page -> {executed, source, colab, student: {lang: path}, student_colab: {lang: url}} (site-relative)."""
    repository = config.get("repository") or {}
    out = {}
    for page in toc_pages(toc):
        executed = executed_dir / f"{page}.ipynb"
        written = any((pages_dir / lang / f"{page}.md").is_file() for lang in config["languages"])
        if page in bookpages.GENERATED or written or not executed.is_file():
            continue
        entry = {"executed": f"notebooks/{page}.ipynb"}
        (site / "notebooks" / page).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(executed, site / entry["executed"])
        source = sources_dir / f"{page}.md"
        if source.is_file():
            entry["source"] = f"notebooks/{page}.md"
            shutil.copyfile(source, site / entry["source"])
        url = bookpages.colab_url(repository, page)
        if url:
            (site / "colab" / page).parent.mkdir(parents=True, exist_ok=True)
            nb = nbformat.read(executed, as_version=4)
            nbformat.write(bookpages.colab_notebook(nb, repository), site / "colab" / f"{page}.ipynb")
            entry["colab"] = url
        if source.is_file() and student.has_exercises(source):
            entry["student"], entry["student_colab"] = {}, {}
            for lang in config["languages"]:
                nb = student.student_notebook(source, page, lang, executed=nbformat.read(executed, as_version=4))
                path = student_path(page, lang)
                entry["student"][lang] = f"{path}.ipynb"
                (site / entry["student"][lang]).parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, site / entry["student"][lang])
                url = bookpages.colab_url(repository, path)
                if url:
                    (site / "colab" / path).parent.mkdir(parents=True, exist_ok=True)
                    nbformat.write(bookpages.colab_notebook(nb, repository), site / "colab" / f"{path}.ipynb")
                    entry["student_colab"][lang] = url
        out[page] = entry
    return out


def chooser_page(config: dict, root: str) -> str:
    """Static ``index.html`` linking to the root page of every edition."""
    links = []
    for code, spec in config["languages"].items():
        title = spec.get("book", {}).get("title", config["title"])
        links.append(
            f'<li lang="{code}" dir="{spec.get("dir", "ltr")}"><a href="{code}/{root}.html">'
            f"<strong>{html.escape(spec['label'])}</strong><span>{html.escape(title)}</span></a></li>"
        )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(config["title"])}</title>
<link rel="icon" href="{next(iter(config["languages"]))}/_static/favicon.svg">
<style>
@font-face {{ font-family: "Vazirmatn"; font-weight: 100 900; font-display: swap;
  src: url("fa/_static/fonts/Vazirmatn-Variable.woff2") format("woff2"); }}
body {{ font-family: system-ui, sans-serif; max-width: 40rem; margin: 12vh auto; padding: 0 1rem; color: #222; }}
ul {{ list-style: none; padding: 0; }}
li a {{ display: block; padding: 1rem 1.25rem; margin: .75rem 0; border: 1px solid #ccd;
  border-radius: .5rem; text-decoration: none; color: inherit; }}
li a:hover {{ border-color: #36c; background: #f5f8ff; }}
li[lang="fa"] {{ font-family: "Vazirmatn", sans-serif; }}
strong {{ display: block; font-size: 1.3rem; color: #36c; }}
</style>
</head>
<body>
<ul>
{chr(10).join(links)}
</ul>
</body>
</html>
"""
