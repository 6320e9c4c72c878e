"""Student notebooks (issue 16): each page's exercises (cells tagged ``solution``) as stubs with the solution's
signatures, the student's language only, no solution code, the expected outputs the teacher chose, and a run
that stops at the first stub with its message."""

import ast
import re

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from hwlib.book import paths, runner, student

SOURCES = runner.all_sources()
WITH = [s for s in SOURCES if student.has_exercises(s)]
PERSIAN = re.compile("[\u0600-\u06ff]")


def functions(source: str) -> dict[str, ast.AST]:
    """Every top-level function and method of a cell, by qualified name."""
    return {(f"{owner}.{node.name}" if owner else node.name): node
            for node, owner in student._functions(ast.parse(source))}


def signature(node) -> str:
    return ast.dump(node.args) + "".join(ast.dump(d) for d in node.decorator_list) + ast.dump(node.returns or ast.Constant(None))


def exercises(source):
    """Pairs (solution cell, student cell) of a page, for each language."""
    teacher = [c for c in nbformat.reads(runner.jupytext.writes(runner.jupytext.read(source), fmt="ipynb"),
                                         as_version=4).cells if student.TAG in c.metadata.get("tags", [])]
    for lang in student.LANGS:
        nb = student.student_notebook(source, runner.page_name(source), lang)
        stubs = [c for c in nb.cells if "exercise" in c.metadata.get("tags", [])]
        yield lang, nb, list(zip(teacher, stubs, strict=True))


def test_pages_with_and_without_exercises():
    names = {runner.page_name(s) for s in SOURCES} - {runner.page_name(s) for s in WITH}
    assert names == {"hw1/01_dataset_tour", "hw1/06_discussion"}, "the data tour and the discussion have none"


@pytest.mark.parametrize("source", WITH, ids=[runner.page_name(s) for s in WITH])
def test_each_stub_keeps_the_solutions_signatures_and_raises_in_the_notebooks_language(source):
    for lang, nb, pairs in exercises(source):
        for solution, stub in pairs:
            wanted, got = functions(solution.source), functions(stub.source)
            assert list(got) == list(wanted), "the same functions and methods, in the same order"
            for name, node in got.items():
                assert signature(node) == signature(wanted[name]), f"{name}: signature changed"
                assert ast.get_docstring(node) == ast.get_docstring(wanted[name]), f"{name}: docstring"
                last = node.body[-1]
                assert isinstance(last, ast.Raise) and last.exc.func.id == "NotImplementedError"
                message = last.exc.args[0].value
                assert message == student.exercise_message(name, lang)
                assert bool(PERSIAN.search(message)) == (lang == "fa")
                assert all(isinstance(s, ast.Raise) or isinstance(s, ast.Expr) for s in node.body), \
                    f"{name}: only its docstring and the raise are left"
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
        other = "en" if lang == "fa" else "fa"
        assert not [c for c in nb.cells if c.cell_type == "markdown" and other in c.metadata.get("tags", [])]
        assert lang in nb.cells[0].metadata["tags"] and "student" in nb.cells[0].metadata["tags"]


def distinctive_lines(source: str) -> list[str]:
    """The solution's own code lines inside function bodies: long enough to be telling, not comments."""
    lines = source.splitlines()
    found = []
    for node in functions(source).values():
        body = node.body[1:] if student._has_docstring(node) else node.body
        for statement in body:
            for line in lines[statement.lineno - 1:statement.end_lineno]:
                text = line.strip()
                if len(text) >= 25 and not text.startswith(("#", '"', "'")):
                    found.append(text)
    return found


@pytest.mark.parametrize("source", WITH, ids=[runner.page_name(s) for s in WITH])
def test_no_solution_code_leaks_into_a_student_notebook(source):
    """No line of a solution's bodies is anywhere in the student notebook: not in its stub, not in the
    helpers given whole, not in the prose."""
    elsewhere = "\n".join(c.source for c in runner.jupytext.read(source).cells
                           if student.TAG not in c.metadata.get("tags", []))  # a line the page also uses outside
    for lang, nb, pairs in exercises(source):                                 # its solutions tells nothing
        text = "\n".join(c.source for c in nb.cells)
        leaked = [line for solution, _ in pairs for line in distinctive_lines(solution.source)
                  if line in text and line not in elsewhere]
        assert not leaked, f"{lang}: solution lines in the student notebook: {leaked[:3]}"
        assert len(nb.cells) == len([c for c in nb.cells if "exercise" not in c.metadata.get("tags", [])]) + len(pairs)


def test_a_student_notebook_run_as_it_is_stops_at_the_first_stub(tmp_path, monkeypatch):
    source = paths.NOTEBOOKS / "hw7q" / "q4_cnn_vs_rnn.md"
    nb = student.student_notebook(source, "hw7q/q4_cnn_vs_rnn", "fa")
    first = next(c for c in nb.cells if "exercise" in c.metadata.get("tags", []))
    name = next(iter(functions(first.source)))
    monkeypatch.setenv("HWLIB_OUTPUTS", str(tmp_path / "outputs"))
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    with pytest.raises(CellExecutionError) as error:
        client.execute()
    assert error.value.ename == "NotImplementedError"
    assert error.value.evalue == student.exercise_message(name, "fa")
    code = [c for c in nb.cells if c.cell_type == "code"]
    failed = [i for i, c in enumerate(code) if any(o.output_type == "error" for o in c.outputs)]
    assert len(failed) == 1 and failed[0] >= code.index(first), "it stops where the first exercise is used"
    assert all(c.execution_count for c in code[:failed[0] + 1]), "every cell up to there ran"
    assert not any(c.execution_count for c in code[failed[0] + 1:]), "and none after it"


@pytest.mark.parametrize("source", WITH, ids=[runner.page_name(s) for s in WITH])
def test_with_the_solutions_put_back_the_code_is_the_teachers(source):
    """Each stub put back to its solution gives the teacher's page's code cells, cell for cell, so a student
    who writes the solution gets the outputs nbval checks on the teacher's page (the same code, the same seed)."""
    teacher = [c.source for c in runner.jupytext.read(source).cells if c.cell_type == "code"]
    for lang, nb, pairs in exercises(source):
        restored = {id(stub): solution.source for solution, stub in pairs}
        code = [restored.get(id(c), c.source) for c in nb.cells
                if c.cell_type == "code" and "student" not in c.metadata.get("tags", [])]
        assert code == teacher


def test_only_the_cells_tagged_solution_are_exercises():
    """A definition cell the teacher did not tag ``solution`` (a helper) is given whole; q6's exercise is the
    batch-norm layer, and the helper that compares it with Keras's stays as written."""
    source = paths.NOTEBOOKS / "hw7q" / "q6_batch_norm.md"
    teacher = [c.source for c in runner.jupytext.read(source).cells if c.cell_type == "code"]
    nb = student.student_notebook(source, "hw7q/q6_batch_norm", "en")
    stubs = [c for c in nb.cells if "exercise" in c.metadata.get("tags", [])]
    assert [list(functions(c.source)) for c in stubs] == [["BatchNorm.__init__", "BatchNorm.build", "BatchNorm.call"]]
    helper = next(c for c in teacher if "def compare_with_keras(" in c)
    assert helper in [c.source for c in nb.cells]


def test_a_solution_cell_must_be_a_definition(tmp_path):
    source = tmp_path / "page.md"
    source.write_text("""---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {display_name: Python 3, language: python, name: python3}
---

```{code-cell} ipython3
:tags: [solution]

def f(x):
    \"\"\"Twice x.\"\"\"
    return 2 * x
```
""", encoding="utf-8")
    with pytest.raises(student.StudentError, match=r"tag it \[definition, solution\]"):
        student.student_notebook(source, "page", "en")


def executed_copy(source, lang_outputs=True):
    """The page's code as an executed notebook would hold it: each code cell with one figure-like
    output naming its cell, and one output of each edition."""
    from hwlib.page import LANG_KEY

    nb = nbformat.reads(runner.jupytext.writes(runner.jupytext.read(source), fmt="ipynb"), as_version=4)
    for number, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("display_data", {"text/plain": f"figure of cell {number}"})]
            cell.outputs += [nbformat.v4.new_output("display_data", {"text/plain": f"{lang} text"},
                                                    metadata={LANG_KEY: lang}) for lang in student.LANGS]
    return nb


@pytest.mark.parametrize("lang", student.LANGS)
def test_expected_outputs_are_kept_in_the_notebooks_language_and_no_others(lang):
    source = paths.NOTEBOOKS / "hw7q" / "q7_gradcam.md"
    executed = executed_copy(source)
    chosen = [c for c in executed.cells if student.EXPECTED in c.metadata.get("tags", [])]
    assert chosen, "q7 marks its Grad-CAM figure as expected output"
    nb = student.student_notebook(source, "hw7q/q7_gradcam", lang, executed)
    with_outputs = [c for c in nb.cells if c.cell_type == "code" and c.outputs]
    assert [c.source for c in with_outputs] == [c.source for c in chosen]
    other = "en" if lang == "fa" else "fa"
    for cell in with_outputs:
        shown = [o.data["text/plain"] for o in cell.outputs]
        assert f"{lang} text" in shown and f"{other} text" not in shown and len(shown) == 2
        note = nb.cells[nb.cells.index(cell) - 1]
        assert note.cell_type == "markdown" and note.source == student.EXPECTED_NOTE[lang]
    assert not [c for c in nb.cells if c.cell_type == "code" and "exercise" in c.metadata.get("tags", []) and c.outputs]


def test_pages_with_exercises_mark_expected_outputs_and_the_cli_writes_them(tmp_path, monkeypatch, capsys):
    """Every page with a figure of the student's code marks one; ``python -m hwlib student`` puts the executed
    notebook's outputs there, and names the pages it has no executed notebook for."""
    from hwlib.book import cli

    marked = [s for s in WITH if any(student.EXPECTED in c.metadata.get("tags", []) for c in runner.jupytext.read(s).cells)]
    assert {runner.page_name(s) for s in WITH} - {runner.page_name(s) for s in marked} <= {
        "hw14/04_hyperband", "hw7q/q1_keras_tuner"}, "these two have no figure made by the student's code"
    executed = tmp_path / "executed" / "quick"
    page = "hw7q/q7_gradcam"
    (executed / page).parent.mkdir(parents=True)
    nbformat.write(executed_copy(paths.NOTEBOOKS / f"{page}.md"), executed / f"{page}.ipynb")
    monkeypatch.setattr(paths, "BUILD", tmp_path)
    assert cli.main(["student", "--lang", "fa"]) == 0
    written = nbformat.read(tmp_path / "student" / "fa" / f"{page}.ipynb", as_version=4)
    assert [c for c in written.cells if c.cell_type == "code" and c.outputs]
    out = capsys.readouterr().out
    assert "no expected outputs yet for" in out and "hw7q/q6_batch_norm" in out and page not in out.split("yet for")[1]
