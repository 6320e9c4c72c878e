"""Student notebooks: a page's notebook in one language with its exercises left to write.

A page's code cells tagged ``definition`` hold the methods the assignment asks for (README, "How a
page is built"); in a student notebook each function in them, and each method of a class in them,
keeps its signature, its docstring and its comments, and its body becomes one line that raises
``NotImplementedError`` with a message in the notebook's language naming the function. Imports and
settings in those cells stay. The other language's prose and every output are left out; a first
cell says what the notebook is. Pages without ``definition`` cells have no student notebook.

``python -m hwlib student [--lang en|fa]`` writes them to ``_build/student/<lang>/`` (a notebook changed
there since it was written is kept); ``python -m hwlib lab --student --lang fa`` opens them in JupyterLab.
"""

from __future__ import annotations

import ast
from pathlib import Path

import jupytext
import nbformat

from . import paths

TAG = "definition"
LANGS = ("en", "fa")
MESSAGE = {
    "en": "Exercise {name}: write this code yourself (the text above says what it must do), then run the cell again",
    "fa": "تمرین {name}: این کد را خودتان بنویسید (متن بالا می‌گوید چه باید بکند) و سپس سلول را دوباره اجرا کنید",
}
BANNER = {
    "en": "**Student notebook** of `{page}`. The cells marked *exercise* keep the signatures, docstrings "
          "and comments of the page's methods; their bodies are yours to write. Run the notebook from the "
          "top: it stops at the first exercise not yet written, with a message that names it.",
    "fa": "**دفترچهٔ دانشجو** برای `{page}`. سلول‌های *تمرین* امضا، توضیح و یادداشت‌های روش‌های این صفحه را "
          "نگه داشته‌اند و بدنهٔ آن‌ها را شما می‌نویسید. دفترچه را از ابتدا اجرا کنید: در نخستین تمرینی که هنوز "
          "نوشته نشده می‌ایستد و پیامی نام آن را می‌گوید.",
}


def exercise_message(name: str, lang: str) -> str:
    """What a stub raises, in ``lang``."""
    return MESSAGE[lang].format(name=name)


def _functions(tree: ast.Module):
    """Every top-level function of a cell and every method of its top-level classes, with its owner's name."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node, None
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield item, node.name


def _has_docstring(node) -> bool:
    first = node.body[0]
    return isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)


def stub(source: str, lang: str) -> str:
    """``source`` (a ``definition`` cell) with every function's body, after its docstring, replaced by its
    comments and one ``raise NotImplementedError(...)`` in ``lang``; everything else as it was."""
    lines = source.splitlines(keepends=True)
    cuts = []
    for node, owner in _functions(ast.parse(source)):
        body = node.body[1:] if _has_docstring(node) else node.body
        if body and body[0].lineno == node.lineno:
            raise ValueError(f"{node.name}: write its body on the lines after the def, not on the def's line")
        start = (node.body[0].end_lineno if _has_docstring(node) else body[0].lineno - 1)
        indent = lines[node.body[0].lineno - 1][: -len(lines[node.body[0].lineno - 1].lstrip())]
        comments = [indent + line.strip() + "\n" for line in lines[start:node.end_lineno]
                    if line.strip().startswith("#")]
        name = f"{owner}.{node.name}" if owner else node.name
        raise_line = f'{indent}raise NotImplementedError("{exercise_message(name, lang)}")\n'
        cuts.append((start, node.end_lineno, "".join(comments) + raise_line))
    for start, end, text in sorted(cuts, reverse=True):
        lines[start:end] = [text]
    return "".join(lines)


def has_exercises(source: Path) -> bool:
    """Whether a notebook source has code cells tagged ``definition``."""
    nb = jupytext.read(source)
    return any(c.cell_type == "code" and TAG in c.metadata.get("tags", []) for c in nb.cells)


def student_notebook(source: Path, page: str, lang: str) -> nbformat.NotebookNode:
    """The student notebook of ``source`` in ``lang``: the one-language copy of the page
    (:func:`hwlib.book.lab.scratch_notebook`), its first cell saying what the notebook is, a code cell
    that makes the page's checks (:func:`hwlib.page.check`) answer in ``lang``, the exercises stubbed
    (:func:`stub`, tagged ``exercise``), no outputs."""
    from .lab import scratch_notebook

    nb = scratch_notebook(source, lang, f"notebooks/{page}.md")
    nb.cells[0].source = BANNER[lang].format(page=page)
    nb.cells[0].metadata["tags"] = [lang, "student"]
    speak = nbformat.v4.new_code_cell(f'import os\n\nos.environ["HWLIB_LANG"] = "{lang}"  # the checks (page.check) '
                                      f'answer in this language', metadata={"tags": ["student"]})
    speak.id = f"{lang}-student"
    nb.cells.insert(1, speak)
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code" and TAG in tags:
            cell.source = stub(cell.source, lang)
            cell.metadata["tags"] = [*tags, "exercise"]
    return nb


def student_copy(source: Path, lang: str, shown: str) -> nbformat.NotebookNode | None:
    """:func:`student_notebook` of a source as :func:`hwlib.book.lab.write_scratch` builds copies (None: no exercises)."""
    from .runner import page_name

    return student_notebook(source, page_name(source), lang) if has_exercises(source) else None


def write_student_notebooks(lang: str, folder: Path | None = None) -> dict[str, list[str]]:
    """Write the student notebooks of ``lang`` to ``folder`` (``_build/student/<lang>/``), keeping any a
    student changed (:func:`hwlib.book.lab.write_scratch`); the pages by what happened to them."""
    from .lab import write_scratch

    return write_scratch(lang, paths.NOTEBOOKS, folder or paths.BUILD / "student" / lang, build=student_copy)
