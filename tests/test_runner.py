"""The runner: parameter checks before execution, outputs beside (never over) sources, caching."""

import fcntl
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

from hwlib import provenance, results
from hwlib.book import cli, paths, runner

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


# --- A run publishes its page, its saved outputs and its stamp together, or nothing (issue 12) ---


SAVER = textwrap.dedent('''\
    ---
    jupytext:
      text_representation: {extension: .md, format_name: myst}
    kernelspec: {name: python3, display_name: Python 3}
    ---

    # Saver

    ```{code-cell} ipython3
    :tags: [parameters]

    value: int = 1  # [0, 100] the number this page saves
    pause: float = 0.0  # [0, 600] seconds to wait after saving
    ```

    ```{code-cell} ipython3
    import time
    from hwlib import results

    runs_file = results.folder("state") / "runs.txt"
    runs = int(runs_file.read_text()) + 1 if runs_file.is_file() else 1
    runs_file.write_text(str(runs))
    results.save("saver", {"value": value, "runs": runs})
    print(f"saved {value} (run {runs})", flush=True)
    time.sleep(pause)
    ```
    ''')

READER = textwrap.dedent('''\
    ---
    kernelspec: {name: python3, display_name: Python 3}
    hwlib: {needs: [demo/saver]}
    ---

    ```{code-cell} ipython3
    :tags: [parameters]

    x: int = 0  # unused
    ```
    ''')


@pytest.fixture
def saver(project):
    source = project.parent / "saver.md"
    source.write_text(SAVER)
    (project.parent / "reader.md").write_text(READER)
    return source


def book_outputs():
    return paths.BUILD / "outputs" / "quick"


def published():
    path = book_outputs() / "results" / "saver.json"
    return json.loads(path.read_text()) if path.is_file() else None


def leftovers():
    """Running notebooks, staging folders and temporary stamps left in the book's folders."""
    return sorted(str(p) for p in paths.BUILD.rglob("*")
                  if ".running" in p.name or p.name.startswith(".staging") or p.name.endswith(".tmp"))


def fake_papermill(monkeypatch, cell):
    """papermill without a kernel: write the running notebook as papermill does, then run ``cell(values)``
    here, with the environment the runner gave (``$HWLIB_OUTPUTS``), as the notebook's code would."""
    import papermill

    calls = []

    def execute_notebook(nb, output_path, parameters=None, **kwargs):
        calls.append(Path(output_path))
        nbformat.write(nb, output_path)
        if any("results.save" in c.source for c in nb.cells):
            cell({"value": 1, "pause": 0.0, **(parameters or {})})
        return nb

    monkeypatch.setattr(papermill, "execute_notebook", execute_notebook)
    return calls


def saving_cell(fail=False, interrupt=False):
    def cell(values):
        runs_file = results.folder("state") / "runs.txt"
        runs = int(runs_file.read_text()) + 1 if runs_file.is_file() else 1
        runs_file.write_text(str(runs))
        results.save("saver", {"value": values["value"], "runs": runs})
        if fail:
            raise RuntimeError("asked to fail")
        if interrupt:
            raise KeyboardInterrupt
    return cell


def test_a_failing_run_publishes_none_of_its_outputs(saver, monkeypatch):
    fake_papermill(monkeypatch, saving_cell())
    [first] = runner.run([saver], "quick")
    assert first.status == "ran" and published() == {"value": 1, "runs": 1}

    fake_papermill(monkeypatch, saving_cell(fail=True))
    [failed] = runner.run([saver], "quick", {"value": "2"})
    assert failed.status == "failed" and "asked to fail" in failed.error
    assert published() == {"value": 1, "runs": 1}, "a failed run must not publish what it saved"
    assert (book_outputs() / "state" / "runs.txt").read_text() == "1"
    assert runner.is_current(runner.plan(saver, "quick")), "page, results and stamp still agree"
    assert leftovers() == []

    fake_papermill(monkeypatch, saving_cell())
    [second] = runner.run([saver], "quick", {"value": "2"})
    assert second.status == "ran"
    assert published() == {"value": 2, "runs": 2}, "the run started from what this page published (a tuner resumes)"
    assert leftovers() == []
    stamp = json.loads(runner.plan(saver, "quick", {"value": "2"}).stamp.read_text())
    assert stamp["outputs"] == ["results/saver.json", "state/runs.txt"], "the stamp lists what the page published"


def test_other_pages_results_are_read_from_the_published_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HWLIB_OUTPUTS", str(tmp_path / "book"))
    results.save("baseline", {"acc": 0.9})
    monkeypatch.setenv("HWLIB_OUTPUTS", str(tmp_path / "staging"))
    monkeypatch.setenv("HWLIB_PUBLISHED", str(tmp_path / "book"))
    assert results.load("baseline", made_by="hw1/02_baseline_cnn") == {"acc": 0.9}
    results.save("baseline", {"acc": 0.5})
    assert results.load("baseline", made_by="hw1/02_baseline_cnn") == {"acc": 0.5}, "this run's own first"
    assert json.loads((tmp_path / "book" / "results" / "baseline.json").read_text()) == {"acc": 0.9}
    with pytest.raises(FileNotFoundError, match="run the page hw1/03_depth first"):
        results.load("deep_wide", made_by="hw1/03_depth")


def test_an_unreadable_stamp_means_not_current(saver, monkeypatch, tmp_path):
    fake_papermill(monkeypatch, saving_cell())
    reader = saver.parent / "reader.md"
    assert [o.status for o in runner.run([saver, reader], "quick")] == ["ran", "ran"]
    saver_plan, reader_plan = runner.plan(saver, "quick"), runner.plan(reader, "quick")
    assert runner.is_current(saver_plan) and runner.is_current(reader_plan)
    text = saver_plan.stamp.read_text()
    saver_plan.stamp.write_text(text[: len(text) // 2])  # truncated, as by a crash mid-write
    assert not runner.is_current(saver_plan)
    assert runner.run([saver, reader], "quick")[0].status == "ran", "runs again, no crash"

    (tmp_path / "stamps").mkdir()
    stamp = tmp_path / "stamps" / "page.stamp.json"
    runner.write_stamp(stamp, {"fingerprint": "old"})

    def crash(src, dst):
        raise OSError("disk full")

    with monkeypatch.context() as m, pytest.raises(OSError):
        m.setattr(runner.os, "replace", crash)
        runner.write_stamp(stamp, {"fingerprint": "new"})
    assert json.loads(stamp.read_text()) == {"fingerprint": "old"}, "a stamp is replaced whole or not at all"
    assert [p.name for p in stamp.parent.iterdir()] == ["page.stamp.json"], "no temporary file left"


def test_ctrl_c_ends_with_the_summary_and_a_clean_folder(saver, monkeypatch, capsys):
    calls = fake_papermill(monkeypatch, saving_cell(interrupt=True))
    try:
        code = cli.main(["run", "demo/saver"])
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C escaped the runner: traceback, no summary")
    out = capsys.readouterr().out
    assert code == 130
    assert re.search(r"demo/saver +interrupted", out), out
    assert str(os.getpid()) in calls[0].name, "the running notebook's name is this run's own"
    assert leftovers() == [] and published() is None, "nothing of an interrupted run is kept or published"


def test_a_stale_running_notebook_is_never_taken_for_this_runs(saver, monkeypatch):
    folder = paths.BUILD / "executed" / "quick" / "demo"
    folder.mkdir(parents=True)
    for name in (".saver.running.ipynb", ".saver.running.4242.ipynb"):  # left by killed runs
        (folder / name).write_text("STALE")

    def kernel_does_not_start(nb, output_path, **kwargs):
        raise RuntimeError("Kernel died before replying to kernel_info")

    import papermill
    monkeypatch.setattr(papermill, "execute_notebook", kernel_does_not_start)
    [outcome] = runner.run([saver], "quick")
    assert outcome.status == "failed" and "Kernel died" in outcome.error
    assert outcome.output is None and not (folder / "saver.failed.ipynb").exists()
    assert leftovers() == [], "stale running notebooks are cleared under the lock"


def test_a_second_run_of_the_same_folder_is_refused(saver, monkeypatch):
    calls = fake_papermill(monkeypatch, saving_cell())
    folder = paths.BUILD / "executed" / "quick"
    folder.mkdir(parents=True)
    with open(folder / ".hwlib-run.lock", "w") as held:  # what another run holds while it runs
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("4242\n")
        held.flush()
        with pytest.raises(runner.RunError, match=r"another run is writing .*quick \(pid 4242\).*--out DIR"):
            runner.run([saver], "quick")
    assert calls == []
    [outcome] = runner.run([saver], "quick")
    assert outcome.status == "ran", "the lock goes with the run that held it"


def test_bad_out_and_timeout_are_refused_before_any_kernel(saver, monkeypatch, tmp_path, capsys):
    def no_kernel(*args, **kwargs):
        pytest.fail("a kernel was started")

    import papermill
    monkeypatch.setattr(papermill, "execute_notebook", no_kernel)
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    for argv, message in [
        (["--out", str(a_file)], f"--out {a_file} is a file"),
        (["--out", str(a_file / "sub")], f"--out {a_file / 'sub'}: cannot write there"),
        (["--timeout", "0"], "--timeout must be a positive number of seconds; omit it for no limit"),
        (["--timeout", "-5"], "--timeout must be a positive number of seconds; omit it for no limit"),
    ]:
        assert cli.main(["run", "demo/saver", *argv]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: {message}") and err.count("\n") == 1, err
    assert a_file.read_text() == "x"


def test_killed_runs_leave_the_page_results_and_stamp_agreeing(saver, tmp_path, capsys):
    """Real kernels: a run interrupted (SIGINT) or killed (SIGKILL) after the page saved its result."""
    [first] = runner.run([saver], "quick")
    assert first.status == "ran" and "saved 1 (run 1)" in stdout_of(first.output)
    page = first.output.read_text()
    env = {**os.environ, "HWLIB_ROOT": str(tmp_path)}
    repo = Path(__file__).resolve().parents[1]

    def start(log):
        # as from a terminal: a test session started in the background (nohup ... &) ignores SIGINT, and
        # a child would inherit that and never see the Ctrl-C this test sends
        proc = subprocess.Popen([sys.executable, "-m", "hwlib", "run", "demo/saver", "--set", "value=2",
                                 "--set", "pause=120"], cwd=repo, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        deadline = time.time() + 90
        while "saved 2" not in log_text(log) and proc.poll() is None and time.time() < deadline:
            time.sleep(0.2)
        assert "saved 2" in log_text(log), log_text(log)
        return proc

    def log_text(log):
        return Path(log.name).read_text()

    def agree():
        assert published() == {"value": 1, "runs": 1}, "the killed run published nothing"
        assert first.output.read_text() == page and runner.is_current(runner.plan(saver, "quick"))

    with open(tmp_path / "interrupted.log", "w") as log:
        proc = start(log)
        assert cli.main(["run", "demo/saver", "--set", "value=2"]) == 2, "a second run of the folder at once"
        assert "another run is writing" in capsys.readouterr().err
        proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
        assert proc.wait(60) == 130
    text = log_text(log)
    assert "KeyboardInterrupt" not in text and re.search(r"demo/saver +interrupted", text), text
    assert leftovers() == []
    agree()

    with open(tmp_path / "killed.log", "w") as log:
        proc = start(log)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(60)
    agree()
    assert leftovers(), "a killed run cannot clear its staging folder and running notebook"
    [again] = runner.run([saver], "quick", {"value": "2"})
    assert again.status == "ran" and "saved 2 (run 2)" in stdout_of(again.output)
    assert published() == {"value": 2, "runs": 2} and runner.is_current(runner.plan(saver, "quick", {"value": "2"}))
    assert leftovers() == [], "what the killed run left is cleared"


# A broken notebook source is one line naming the file, the problem and the fix, from `plan`,
# `python -m hwlib run` and `python -m hwlib params` alike, and no kernel starts (issue 12).
def broken(front="", cell="n: int = 2  # [0, 9] how many\n"):
    return ("---\njupytext:\n  text_representation: {extension: .md, format_name: myst}\n"
            "kernelspec: {name: python3, display_name: Python 3}\n" + front +
            "---\n\n# Broken\n\n```{code-cell} ipython3\n:tags: [parameters]\n\n" + cell + "```\n")


BROKEN = {  # file name: (source, the message after "notebooks/demo/<name>.md: ")
    "bad_yaml": (broken("hwlib:\n  profiles:\n    quick: {}\n   full: {n: 3}\n"),
                 r"the front matter \(between the --- lines at the top\) is not valid YAML near line 8: "
                 r"expected <block end>, but found '<block mapping start>'; fix that line \(the form is hwlib: .*\)"),
    "syntax_error": (broken(cell="n: int = = 2  # [0, 9] how many\n"),
                     r"the parameters cell is not valid Python: invalid syntax in its line 1 `n: int = = 2  "
                     r"# \[0, 9\] how many`; write each parameter as `name: type = value  # \[range\] help`"),
    "computed": (broken(cell="seed: int = 6*7  # [0, 99] the seed\n"),
                 r"parameter seed: its default `6\*7` is computed, not written out; "
                 r"write the value itself: `seed: int = 42`"),
    "wrong_type": (broken(cell='n: int = "two"  # [0, 9] how many\n'),
                   r"parameter n: its default 'two' is a str, not an int; write an int value, "
                   r"or declare it `n: str = 'two'`"),
    "no_default": (broken(cell="n: int  # [0, 9] how many\n"),
                   r"parameter n has no default; write `n: int = <value>`"),
    "hwlib_list": (broken("hwlib: [quick, full]\n"),
                   r"hwlib: in the front matter is list \['quick', 'full'\], not a mapping; write hwlib: \{profiles: .*"),
    "hwlib_unknown_key": (broken("hwlib: {profile: {full: {n: 5}}}\n"),
                          r"hwlib: has the unknown key 'profile' \(it takes profiles and needs\); write hwlib: .*"),
    "profiles_list": (broken("hwlib: {profiles: [quick, full]}\n"),
                      r"hwlib: profiles: is list \['quick', 'full'\], not a mapping of profile to values; .*"),
    "profile_not_mapping": (broken("hwlib: {profiles: {quick: 5}}\n"),
                            r"hwlib: profiles: quick: is int 5, not a mapping of parameter values; "
                            r"write quick: \{epochs: 10\} \(or quick: \{\}\)"),
    "unknown_profile": (broken("hwlib: {profiles: {ful: {n: 5}}}\n"),
                        r"hwlib: profiles: has a profile 'ful'; the profiles are quick and full: rename or remove it"),
    "needs_missing": (broken("hwlib: {needs: [demo/tinny]}\n"),
                      r"hwlib: needs: names 'demo/tinny', which is not a page \(no notebooks/demo/tinny.md\) "
                      r"\(did you mean demo/tiny\?\); fix the name or remove it"),
    "needs_text": (broken("hwlib: {needs: demo/tiny}\n"),
                   r"hwlib: needs: is str 'demo/tiny'; write a list of page names, needs: \[hw1/02_baseline_cnn\]"),
    "needs_itself": (broken("hwlib: {needs: [demo/needs_itself]}\n"),
                     r"hwlib: needs: names the page itself \(demo/needs_itself\); remove it"),
}


@pytest.fixture
def no_kernel(monkeypatch):
    import papermill

    def refuse(*args, **kwargs):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(papermill, "execute_notebook", refuse)
    monkeypatch.setattr(runner, "execute", refuse)


@pytest.mark.parametrize("name", BROKEN)
def test_a_broken_source_is_one_line_naming_the_file_and_the_fix(name, project, no_kernel, capsys):
    import re

    from hwlib.book import cli

    text, message = BROKEN[name]
    source = project.parent / f"{name}.md"
    source.write_text(text)
    with pytest.raises(runner.RunError, match=f"^notebooks/demo/{name}.md: {message}$"):
        runner.plan(source, "quick")
    for argv in (["run", str(source)], ["run", f"demo/{name}", "--profile", "full"], ["params", f"demo/{name}"]):
        assert cli.main(argv) == 2, argv
        err = capsys.readouterr().err
        assert re.fullmatch(f"error: notebooks/demo/{name}.md: {message}\n", err), (argv, err)
    assert not (paths.BUILD / "executed" / "quick" / "demo" / f"{name}.ipynb").exists()


def test_the_books_toc_must_name_pages_that_exist(project, no_kernel, tmp_path, monkeypatch, capsys):
    from hwlib.book import cli

    monkeypatch.setattr(paths, "ROOT", tmp_path)
    (tmp_path / "book" / "en").mkdir(parents=True)
    (tmp_path / "book" / "en" / "intro.md").write_text("# Intro\n")
    toc = tmp_path / "book" / "_toc.yml"
    toc.write_text("root: intro\nchapters:\n  - file: demo/tiny\n  - file: report\n")
    assert runner.book_sources() == [project], "a written page, a notebook and a generated page are pages"
    for text, message in [
        ("root: intro\nchapters:\n  - file: demo/tiny\n  - file: demo/tinny\n",
         "book/_toc.yml names pages that do not exist: demo/tinny (did you mean demo/tiny?); each needs "
         "notebooks/<page>.md or book/<lang>/<page>.md: fix the names or remove those entries"),
        ("root: intro\nchapters:\n  - file: demo/tiny\n   - file: demo/other\n",
         "book/_toc.yml is not valid YAML near line 4: expected <block end>, but found '<block sequence start>'; "
         "fix that line"),
        ("root: intro\nchapters:\n  - glob: demo/*\n",
         "book/_toc.yml: 'glob' entries are not supported, list pages by name"),
        ("chapters:\n  - file: demo/tiny\n",
         "book/_toc.yml has no `root: <page>` line; start it with root: intro"),
    ]:
        toc.write_text(text)
        with pytest.raises(runner.RunError) as err:
            runner.book_sources()
        assert str(err.value) == message
        assert cli.main(["book"]) == 2
        assert capsys.readouterr().err == f"error: {message}\n"


def test_a_source_edited_while_its_page_runs_runs_again(saver, monkeypatch):
    """The stamp keys the code as it was read for the run, not as it is when the run ends."""
    def edit_during_the_run(values):
        saving_cell()(values)
        saver.write_text(saver.read_text().replace("time.sleep(pause)", "time.sleep(pause)  # edited", 1))

    fake_papermill(monkeypatch, edit_during_the_run)
    assert runner.run([saver], "quick")[0].status == "ran"
    assert "# edited" in saver.read_text()
    fake_papermill(monkeypatch, saving_cell())
    assert runner.run([saver], "quick")[0].status == "ran", "the edit made during the run was never run"
    assert runner.run([saver], "quick")[0].status == "cached"


def test_run_takes_pages_or_all_not_both(project, no_kernel, tmp_path, monkeypatch, capsys):
    from hwlib.book import cli

    monkeypatch.setattr(paths, "ROOT", tmp_path)
    (tmp_path / "book" / "en").mkdir(parents=True)
    (tmp_path / "book" / "en" / "intro.md").write_text("# Intro\n")
    (tmp_path / "book" / "_toc.yml").write_text("root: intro\nchapters:\n  - file: demo/tiny\n")
    for argv in (["run"], ["run", "demo/tiny", "--all"]):
        assert cli.main(argv) == 2, argv
        assert "or --all for every page of the book, not both" in capsys.readouterr().err
    planned = []
    monkeypatch.setattr(runner, "run", lambda sources, *a, **k: planned.extend(sources) or [])
    assert cli.main(["run", "--all"]) == 0 and planned == [project]
