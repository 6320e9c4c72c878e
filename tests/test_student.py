"""Student notebooks (issue 16, first part): each page's exercises as stubs with the solution's signatures,
the student's language only, no solution code, and a run that stops at the first stub with its message."""

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
                                         as_version=4).cells if "definition" in c.metadata.get("tags", [])]
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
    """No line of a solution's bodies is in its stub (the rest of the notebook is the page's other cells)."""
    for lang, nb, pairs in exercises(source):
        leaked = [line for solution, stub in pairs for line in distinctive_lines(solution.source)
                  if line in stub.source]
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
