"""The runner: parameter checks before execution, outputs beside (never over) sources, caching."""

import json
import textwrap

import nbformat
import pytest

from hwlib import provenance
from hwlib.book import paths, runner

SOURCE = textwrap.dedent('''\
    ---
    jupytext:
      text_representation: {extension: .md, format_name: myst}
    kernelspec: {name: python3, display_name: Python 3}
    hwlib:
      profiles:
        quick: {}
        full: {n: 5}
    ---

    # Tiny

    ```{code-cell} ipython3
    :tags: [parameters]

    profile: str = "quick"  # set by the runner
    n: int = 2  # how many squares
    fail: bool = False  # raise on purpose
    ```

    ```{code-cell} ipython3
    if fail:
        raise RuntimeError("asked to fail")
    print(profile, [i * i for i in range(n)])
    import os
    print("outputs:", os.environ.get("HWLIB_OUTPUTS", "book"))
    ```
    ''')


@pytest.fixture
def project(tmp_path, monkeypatch):
    notebooks = tmp_path / "notebooks"
    (notebooks / "demo").mkdir(parents=True)
    source = notebooks / "demo" / "tiny.md"
    source.write_text(SOURCE)
    monkeypatch.setattr(paths, "NOTEBOOKS", notebooks)
    monkeypatch.setattr(paths, "BUILD", tmp_path / "_build")
    return source


def stdout_of(path):
    nb = json.loads(path.read_text())
    return "".join("".join(o.get("text", "")) for c in nb["cells"] if c["cell_type"] == "code"
                   for o in c.get("outputs", []) if o.get("name") == "stdout")


def test_plan_applies_profile_then_set(project):
    plan = runner.plan(project, "full", {"n": "7"})
    assert plan.page == "demo/tiny"
    assert plan.values == {"profile": "full", "n": 7, "fail": False}
    assert plan.injected == {"profile": "full", "n": 7}
    assert plan.output == paths.BUILD / "executed" / "full" / "demo" / "tiny.ipynb"


def test_bad_inputs_are_refused_before_running(project):
    with pytest.raises(runner.RunError, match="unknown parameter 'm'"):
        runner.plan(project, "quick", {"m": "1"})
    with pytest.raises(runner.RunError, match="n='x' is not a valid int"):
        runner.plan(project, "quick", {"n": "x"})
    with pytest.raises(runner.RunError, match="unknown profile 'fast'"):
        runner.plan(project, "fast")
    with pytest.raises(runner.RunError, match="no notebook"):
        runner.resolve_source("demo/missing")


def test_run_cache_and_failure(project, capsys):
    before = project.read_text()
    [first] = runner.run([project], "quick")
    assert first.status == "ran" and "quick [0, 1]" in stdout_of(first.output)
    assert project.read_text() == before, "the source must never be written"

    report = provenance.read_report(nbformat.read(first.output, as_version=4))
    assert report["device"].startswith(("CPU", "GPU")) and report["data"] == []
    assert "python" in report["versions"]

    [again] = runner.run([project], "quick")
    assert again.status == "cached"
    [changed] = runner.run([project], "quick", {"n": "3"})
    assert changed.status == "ran" and "quick [0, 1, 4]" in stdout_of(changed.output)

    [failed] = runner.run([project], "quick", {"fail": "true"})
    assert failed.status == "failed" and "asked to fail" in failed.error
    assert failed.output.name == "tiny.failed.ipynb"
    assert "quick [0, 1, 4]" in stdout_of(changed.output), "the last good output is kept"
    assert "FAILED" in capsys.readouterr().out


def test_out_dir_leaves_the_books_pages_alone(project, tmp_path):
    [book_run] = runner.run([project], "quick")
    book_page = book_run.output.read_text()
    elsewhere = tmp_path / "experiments"
    [experiment] = runner.run([project], "quick", {"n": "4"}, out_dir=elsewhere)
    assert experiment.status == "ran" and experiment.output == elsewhere / "demo" / "tiny.ipynb"
    assert "quick [0, 1, 4, 9]" in stdout_of(experiment.output)
    assert f"outputs: {(elsewhere / 'outputs').resolve()}" in stdout_of(experiment.output), \
        "results go beside the experiment"
    assert f"outputs: {(tmp_path / '_build' / 'outputs' / 'quick').resolve()}" in stdout_of(book_run.output)
    assert book_run.output.read_text() == book_page
    [again] = runner.run([project], "quick")
    assert again.status == "cached", "an experiment elsewhere does not invalidate the book's page"


def test_results_live_in_the_outputs_folder_the_runner_gives(tmp_path, monkeypatch):
    from hwlib import results

    monkeypatch.setenv("HWLIB_OUTPUTS", str(tmp_path / "book"))
    results.save("baseline", {"acc": 0.9})
    assert (tmp_path / "book" / "results" / "baseline.json").is_file()
    monkeypatch.setenv("HWLIB_OUTPUTS", str(tmp_path / "exp"))
    with pytest.raises(FileNotFoundError, match="run the page hw1/02_baseline_cnn first"):
        results.load("baseline", made_by="hw1/02_baseline_cnn")
    results.save("baseline", {"acc": 0.5})
    assert results.load("baseline", made_by="hw1/02_baseline_cnn") == {"acc": 0.5}
    assert results.folder("tuner") == tmp_path / "exp" / "tuner"
    monkeypatch.setenv("HWLIB_OUTPUTS", str(tmp_path / "book"))
    assert results.load("baseline", made_by="hw1/02_baseline_cnn") == {"acc": 0.9}, "the book's results are untouched"
    monkeypatch.delenv("HWLIB_OUTPUTS")
    monkeypatch.chdir(tmp_path)
    assert results.outputs_dir() == tmp_path / "hwlib-outputs", "opened by hand: beside the notebook"
