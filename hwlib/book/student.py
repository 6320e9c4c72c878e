"""Student notebooks: a page's notebook in one language with its exercises left to write.

A page's code cells tagged ``definition`` hold the methods the assignment asks for (README, "How a
page is built"); those the teacher gives as exercises are also tagged ``solution``. In a student
notebook each function in a ``solution`` cell, and each method of a class in one, keeps its
signature, its docstring and its comments, and its body becomes one line that raises
``NotImplementedError`` with a message in the notebook's language naming the function. Imports and
settings in those cells stay, and the other ``definition`` cells (helpers: plots, scores, the checks'
own code) are given whole. The other language's prose is left out, and every output, except those of
the cells tagged ``expected-output`` when the page's executed notebook is at hand: there the
teacher's run shows what the student's code should give. A first cell says what the notebook is.
Pages without ``solution`` cells have no student notebook.

``python -m hwlib student [--lang en|fa]`` writes them to ``_build/student/<lang>/`` (a notebook changed
there since it was written is kept); ``python -m hwlib lab --student --lang fa`` opens them in JupyterLab.
"""

from __future__ import annotations

import ast
from pathlib import Path

import jupytext
import nbformat

from . import paths

TAG = "solution"  # a definition cell the teacher gives as an exercise
DEFINITION = "definition"
EXPECTED = "expected-output"  # a cell whose outputs a student notebook keeps
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


EXPECTED_NOTE = {
    "en": "*Expected output.* The output under the next cell is the teacher's run; once your code is "
          "written, running the cell replaces it with yours, which should look like it.",
    "fa": "*خروجی مورد انتظار.* خروجی زیر سلول بعدی از اجرای استاد است؛ وقتی کد خود را نوشتید، اجرای سلول "
          "خروجی شما را به جای آن می‌گذارد که باید شبیه آن باشد.",
}


class StudentError(ValueError):
    """A page whose tags cannot make a student notebook; the message names the cell and the fix."""


def exercise_cells(nb) -> list:
    """The code cells of ``nb`` tagged ``solution``; each must also be tagged ``definition``."""
    cells = [c for c in nb.cells if c.cell_type == "code" and TAG in c.metadata.get("tags", [])]
    for cell in cells:
        if DEFINITION not in cell.metadata.get("tags", []):
            first = cell.source.strip().splitlines()[0] if cell.source.strip() else "(empty)"
            raise StudentError(f"a code cell tagged {TAG!r} is not tagged {DEFINITION!r} ({first!r}): an "
                               f"exercise is one of the page's definitions; tag it [{DEFINITION}, {TAG}]")
    return cells


def has_exercises(source: Path) -> bool:
    """Whether a notebook source has code cells tagged ``solution``."""
    return bool(exercise_cells(jupytext.read(source)))


def expected_outputs(executed: nbformat.NotebookNode, lang: str) -> dict[str, list]:
    """The outputs of the executed notebook's cells tagged ``expected-output``, by cell source, those of
    the other edition (tagged with :data:`hwlib.page.LANG_KEY`) left out."""
    from ..page import LANG_KEY

    return {cell.source: [o for o in cell.outputs if o.get("metadata", {}).get(LANG_KEY, lang) == lang]
            for cell in executed.cells
            if cell.cell_type == "code" and EXPECTED in cell.metadata.get("tags", [])}


def student_notebook(source: Path, page: str, lang: str,
                     executed: nbformat.NotebookNode | None = None) -> nbformat.NotebookNode:
    """The student notebook of ``source`` in ``lang``: the one-language copy of the page
    (:func:`hwlib.book.lab.scratch_notebook`), its first cell saying what the notebook is, a code cell
    that makes the page's checks (:func:`hwlib.page.check`) answer in ``lang``, the exercises stubbed
    (:func:`stub`, tagged ``exercise``), no outputs but those of the ``expected-output`` cells of
    ``executed`` (the page's executed notebook, if given), each after a note that says whose they are."""
    from .lab import scratch_notebook

    nb = scratch_notebook(source, lang, f"notebooks/{page}.md")
    exercise_cells(nb)
    expected = expected_outputs(executed, lang) if executed is not None else {}
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
    for number in reversed(range(len(nb.cells))):
        cell = nb.cells[number]
        if cell.cell_type == "code" and expected.get(cell.source):
            cell.outputs = expected[cell.source]
            note = nbformat.v4.new_markdown_cell(EXPECTED_NOTE[lang], metadata={"tags": [lang, "student"]})
            note.id = f"{lang}-expected-{number}"
            nb.cells.insert(number, note)
    return nb


def student_copy(source: Path, lang: str, shown: str, executed_dir: Path | None = None) -> nbformat.NotebookNode | None:
    """:func:`student_notebook` of a source as :func:`hwlib.book.lab.write_scratch` builds copies (None: no
    exercises), with the expected outputs of its executed notebook in ``executed_dir`` if it is there."""
    from .runner import page_name

    if not has_exercises(source):
        return None
    page = page_name(source)
    executed = executed_dir / f"{page}.ipynb" if executed_dir is not None else None
    ran = nbformat.read(executed, as_version=4) if executed is not None and executed.is_file() else None
    return student_notebook(source, page, lang, ran)


def write_student_notebooks(lang: str, folder: Path | None = None,
                            executed_dir: Path | None = None) -> dict[str, list[str]]:
    """Write the student notebooks of ``lang`` to ``folder`` (``_build/student/<lang>/``), keeping any a
    student changed (:func:`hwlib.book.lab.write_scratch`), with the expected outputs of the executed
    notebooks in ``executed_dir``; the pages by what happened to them."""
    from functools import partial

    from .lab import write_scratch

    return write_scratch(lang, paths.NOTEBOOKS, folder or paths.BUILD / "student" / lang,
                         build=partial(student_copy, executed_dir=executed_dir))


def without_expected_outputs(executed_dir: Path) -> list[str]:
    """Pages with ``expected-output`` cells whose executed notebook is not in ``executed_dir`` (their
    student notebooks show no expected output until the page is run)."""
    from .runner import all_sources, page_name

    return [page_name(s) for s in all_sources()
            if has_exercises(s) and not (executed_dir / f"{page_name(s)}.ipynb").is_file()
            and any(EXPECTED in c.metadata.get("tags", []) for c in jupytext.read(s).cells)]
