"""What a rebuild executes again: not a page whose prose alone changed, nor one whose upstream saved the same
results again; and what a run prints: no kernel noise (issue 15). Real kernels, tiny pages."""

import json
import textwrap

import nbformat
import pytest

from hwlib.book import paths, runner

PAGE = textwrap.dedent('''\
    ---
    jupytext:
      text_representation: {extension: .md, format_name: myst}
    kernelspec: {name: python3, display_name: Python 3}
    ---

    +++ {"tags": ["en"]}

    # Squares

    +++ {"tags": ["fa"]}

    # مربع‌ها

    ```{code-cell} ipython3
    :tags: [parameters]

    n: int = 3  # how many squares
    ```

    ```{code-cell} ipython3
    :caption: {en: The squares, fa: مربع‌ها}

    import random
    print("squares", [i * i for i in range(n)], "token", random.random())
    ```
    ''')

def source(code: str, needs: str = "", parameter: str = "x: int = 0  # unused") -> str:
    """A page of one parameter and one code cell (``needs``: the pages whose results it reads)."""
    front = f"hwlib: {{needs: [{needs}]}}\n" if needs else ""
    return (f"---\nkernelspec: {{name: python3, display_name: Python 3}}\n{front}---\n\n"
            f"```{{code-cell}} ipython3\n:tags: [parameters]\n\n{parameter}\n```\n\n"
            f"```{{code-cell}} ipython3\n{textwrap.dedent(code)}```\n")


SAVER = source('''\
    from hwlib import results
    results.save("saved", {"value": value})
    ''', parameter="value: int = 1  # the number this page saves")

READER = source('''\
    import random
    from hwlib import results
    print("read", results.load("saved", made_by="demo/saver")["value"], "token", random.random())
    ''', needs="demo/saver")


@pytest.fixture
def book(tmp_path, monkeypatch):
    notebooks = tmp_path / "notebooks"
    (notebooks / "demo").mkdir(parents=True)
    for name, text in (("page", PAGE), ("saver", SAVER), ("reader", READER)):
        (notebooks / "demo" / f"{name}.md").write_text(text, encoding="utf-8")
    monkeypatch.setattr(paths, "NOTEBOOKS", notebooks)
    monkeypatch.setattr(paths, "BUILD", tmp_path / "_build")
    return notebooks / "demo"


def code_outputs(path):
    nb = nbformat.read(path, as_version=4)
    return [(c.source, c.outputs, c.execution_count) for c in nb.cells if c.cell_type == "code"]


def statuses(outcomes):
    return [o.status for o in outcomes]


def test_a_prose_edit_reuses_the_outputs_and_a_code_edit_runs(book):
    source = book / "page.md"
    [first] = runner.run([source], "quick", {"n": "4"})
    assert first.status == "ran"
    before = code_outputs(first.output)

    source.write_text(PAGE.replace("# مربع‌ها", "# مربع‌های چهار عدد").replace("The squares", "Four squares"),
                      encoding="utf-8")
    [edited] = runner.run([source], "quick", {"n": "4"})
    assert edited.status == "prose edit", "a heading and a caption changed, no code"
    nb = nbformat.read(edited.output, as_version=4)
    assert "# مربع‌های چهار عدد" in [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert any(c.metadata.get("caption", {}).get("en") == "Four squares" for c in nb.cells), "the new caption"
    assert code_outputs(edited.output) == before, "the same outputs (the random token too: nothing ran)"
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "n = 4" in injected[0].source, "papermill's parameters cell is kept"
    assert runner.run([source], "quick", {"n": "4"})[0].status == "cached"

    assert runner.run([source], "quick", {"n": "5"})[0].status == "ran", "another value runs"
    source.write_text(source.read_text(encoding="utf-8").replace("range(n)", "range(n + 1)"), encoding="utf-8")
    [code] = runner.run([source], "quick", {"n": "5"})
    assert code.status == "ran" and "squares [0, 1, 4, 9, 16, 25]" in json.dumps(code_outputs(code.output))


def test_a_page_reruns_when_the_results_it_read_change_not_when_its_upstream_reruns(book):
    saver, reader = book / "saver.md", book / "reader.md"
    assert statuses(runner.run([saver, reader], "quick")) == ["ran", "ran"]
    token = code_outputs(runner.plan(reader, "quick").output)

    assert statuses(runner.run([saver, reader], "quick", force=False)) == ["cached", "cached"]
    [again] = runner.run([saver], "quick", force=True)
    assert again.status == "ran"
    assert statuses(runner.run([reader], "quick")) == ["cached"], "the saver re-ran and saved the same results"
    assert code_outputs(runner.plan(reader, "quick").output) == token

    saver.write_text(SAVER.replace("value: int = 1", "value: int = 2"))
    assert statuses(runner.run([saver, reader], "quick")) == ["ran", "ran"], "the results it read changed"
    assert "read 2" in json.dumps(code_outputs(runner.plan(reader, "quick").output))


def test_a_run_prints_no_kernel_noise(book, capfd):
    """TensorFlow's native start-up lines go to the page's kernel log; what the cells print still shows."""
    page = book / "noisy.md"
    page.write_text(source('''\
        import os, sys
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\\n")
        os.write(2, b"I0000 00:00:1795959885.718537   26204 port.cc:153] oneDNN custom operations are on.\\n")
        print("a warning the page means", file=sys.stderr)
        print("a line the page prints")
        '''))
    [outcome] = runner.run([page], "quick")
    assert outcome.status == "ran"
    out, err = capfd.readouterr()
    assert "a line the page prints" in out and "a warning the page means" in err
    for noise in ("oneDNN", "absl::InitializeLog", "Kernel is running over TCP", "KeyboardInterrupt"):
        assert noise not in out + err, noise
    log = runner.plan(page, "quick").kernel_log.read_text()
    assert "oneDNN custom operations" in log, "the native lines are kept in the kernel's log"
