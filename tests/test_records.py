"""Runs on the record (hwlib.book.records): a full run kept whole, stale records, and the committed records."""

from __future__ import annotations

import json
import re
import textwrap

import nbformat
import pytest

from hwlib import page, provenance
from hwlib.book import cli, paths, published, records, runner

REPO = paths.ROOT
COMMITTED = sorted((REPO / "records").rglob("*.json")) if (REPO / "records").is_dir() else []
COMMITTED = [p for p in COMMITTED if "results" not in p.parts]
FRONT = textwrap.dedent('''\
    ---
    jupytext:
      text_representation: {{extension: .md, format_name: myst}}
    kernelspec: {{name: python3, display_name: Python 3}}
    hwlib:
      profiles:
        full: {full}
      needs: {needs}
    ---
    ''')
TINY = FRONT.format(full="{epochs: 3}", needs="[]") + textwrap.dedent('''
    # Tiny

    Some prose.

    ```{code-cell} ipython3
    :tags: [parameters]

    profile: str = "quick"  # set by the runner
    epochs: int = 1  # [1, 10] how long
    ```

    ```{code-cell} ipython3
    import matplotlib.pyplot as plt
    from hwlib import page, results
    results.save("tiny", {"score": 0.5 + epochs / 100})
    plt.plot([0, 1], [0, epochs]);
    page.headline(test_accuracy=0.5 + epochs / 100, epochs_run=epochs)
    page.claim("long_enough", epochs >= 3, epochs=epochs)
    ```
    ''')
LATER = FRONT.format(full="{}", needs="[demo/tiny]") + textwrap.dedent('''
    # Later

    ```{code-cell} ipython3
    :tags: [parameters]

    profile: str = "quick"  # set by the runner
    ```

    ```{code-cell} ipython3
    from hwlib import page, results
    score = results.load("tiny", made_by="demo/tiny")["score"]
    page.full_run_claim("score_high", profile, score > 0.52, score=score)
    ```
    ''')


@pytest.fixture()
def tiny(tmp_path, monkeypatch):
    notebooks = tmp_path / "notebooks"
    (notebooks / "demo").mkdir(parents=True)
    monkeypatch.setattr(paths, "NOTEBOOKS", notebooks)
    monkeypatch.setattr(paths, "BUILD", tmp_path / "_build")
    monkeypatch.setenv("HWLIB_RECORDS", str(tmp_path / "records"))
    source = notebooks / "demo" / "tiny.md"
    source.write_text(TINY)
    (notebooks / "demo" / "later.md").write_text(LATER)
    return source


def test_headlines_are_numbers_with_names():
    page.clear_claims()
    page.headline(test_accuracy=0.91, trials=10)
    assert page.headlines() == {"test_accuracy": 0.91, "trials": 10}
    for bad in ({"acc": "high"}, {"acc": True}, {"acc": None}):
        with pytest.raises(ValueError, match="give a name and a number"):
            page.headline(**bad)
    assert "headlines" in provenance.kernel_report()
    page.clear_claims()


def test_record_keeps_full_runs_only(tiny):
    with pytest.raises(runner.RunError, match="--record keeps full runs only"):
        runner.run([tiny], "quick", record=True)


def test_a_full_run_is_kept_whole(tiny, tmp_path, capsys):
    [outcome] = runner.run([tiny], "full", record=True)
    assert outcome.status == "ran" and "recorded in" in capsys.readouterr().out
    record = records.last("demo/tiny")
    assert set(records.FIELDS) <= set(record) and record["page"] == "demo/tiny" and record["profile"] == "full"
    assert record["parameters"]["epochs"] == 3 and record["changed"] == {}
    assert record["headlines"] == {"test_accuracy": 0.53, "epochs_run": 3} and record["claims"] == {"long_enough": True}
    assert record["device"].startswith(("CPU", "GPU")) and record["seconds"] > 0 and record["finished"][:2] == "20"
    assert record["code"] == records.code_digest(tiny)
    assert str(tmp_path) not in json.dumps(record["inputs"]), "a record must not depend on where the clone is"
    # the executed notebook, its figure re-encoded, and the results later pages read
    kept = nbformat.read(records.notebook_path("demo/tiny"), as_version=4)
    executed = nbformat.read(paths.executed_dir("full") / "demo" / "tiny.ipynb", as_version=4)
    png = [o["data"]["image/png"] for c in kept.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    original = [o["data"]["image/png"] for c in executed.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(png) == len(original) == 1 and len(png[0]) < len(original[0])
    assert json.loads((records.results_dir("demo/tiny") / "tiny.json").read_text()) == {"score": 0.53}
    assert records.staleness("demo/tiny") == []


def test_a_record_names_the_settings_changed_from_the_full_profile(tiny):
    runner.run([tiny], "full", {"epochs": "2"}, record=True)
    record = records.last("demo/tiny")
    assert record["changed"] == {"epochs": 2} and record["parameters"]["epochs"] == 2
    assert records.command("demo/tiny", record) == "python -m hwlib run demo/tiny --profile full --set epochs=2 --record"
    assert records.staleness("demo/tiny") == [], "the record's own --set values are part of what it is"


def test_a_current_record_is_not_run_again_and_a_stale_one_is(tiny, capsys):
    runner.run([tiny], "full", record=True)
    capsys.readouterr()
    [again] = runner.run([tiny], "full", record=True)
    assert again.status == "recorded" and "its record is current" in capsys.readouterr().out
    assert [c["name"] for c in again.claims] == ["long_enough"]
    tiny.write_text(TINY.replace("Some prose.", "Other prose."))  # prose: the record stays current
    assert records.staleness("demo/tiny") == []
    tiny.write_text(TINY.replace("epochs / 100", "epochs / 50"))
    assert records.staleness("demo/tiny") == ["the page's code changed since"]
    tiny.write_text(TINY.replace("full: {epochs: 3}", "full: {epochs: 4}"))
    assert records.staleness("demo/tiny") == ["its full-profile parameters changed since (epochs)"]
    tiny.write_text(TINY.replace("epochs: int = 1  # [1, 10]", "rounds: int = 1  # [1, 10]"))
    assert any("no longer fit" in r for r in records.staleness("demo/tiny"))


def test_a_finished_full_run_is_recorded_without_running_it_again(tiny, capsys):
    [ran] = runner.run([tiny], "full")
    assert ran.status == "ran" and records.last("demo/tiny") is None
    capsys.readouterr()
    [kept] = runner.run([tiny], "full", record=True)
    assert kept.status == "recorded" and "not executed again" in capsys.readouterr().out
    assert records.staleness("demo/tiny") == [] and records.last("demo/tiny")["finished"] == runner.read_stamp(
        paths.executed_dir("full") / "demo" / "tiny.stamp.json")["finished"]
    tiny.write_text(TINY.replace("epochs / 100", "epochs / 50"))
    [again] = runner.run([tiny], "full", record=True)
    assert again.status == "ran", "a run of other code is not a run of this page"


def test_a_later_page_reads_the_recorded_results_and_goes_stale_with_them(tiny, capsys):
    runner.run([tiny], "full", record=True)
    runner.run([tiny.with_name("later.md")], "full", record=True)
    later = records.last("demo/later")
    assert later["claims"] == {"score_high": True}
    assert later["inputs"] == [{"results": "tiny", "page": "demo/tiny",
                                "sha256": records.digest(records.results_dir("demo/tiny") / "tiny.json")}]
    assert records.staleness("demo/later") == []
    # a fresh clone: no _build at all, only the records; the later page reads the earlier one's record
    import shutil

    shutil.rmtree(paths.BUILD)
    capsys.readouterr()
    [outcome] = runner.run([tiny.with_name("later.md")], "full", record=True, force=True)
    assert outcome.status == "ran" and "reads demo/tiny's results from its record" in capsys.readouterr().out
    # the earlier page recorded again with other results: the later record is stale, and says why
    runner.run([tiny], "full", {"epochs": "2"}, record=True)
    assert records.staleness("demo/later") == ["the results tiny of demo/tiny it read are not those on demo/tiny's record"]


def test_a_hand_made_or_broken_record_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("HWLIB_RECORDS", str(tmp_path))
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "x.json").write_text('{"page": "demo/x", "headlines": {"acc": 0.9}}')
    with pytest.raises(records.RecordError, match="never by hand"):
        records.last("demo/x")
    (tmp_path / "demo" / "y.json").write_text('{"page": ')
    with pytest.raises(records.RecordError, match="cannot be read"):
        records.last("demo/y")
    assert records.last("demo/none") is None and records.staleness("demo/none") is None


def test_the_book_shows_a_current_record_and_the_quick_run_otherwise(tiny, tmp_path):
    runner.run([tiny], "full", record=True)
    tiny.write_text(TINY.replace("Some prose.", "Prose written after the run."))
    shown = [published.choose("demo/tiny"), published.choose("demo/later")]
    assert [(s.run, s.why) for s in shown] == [("full", "recorded"), ("quick", "not recorded")]
    assert published.quick_runs(shown) == ["demo/tiny", "demo/later"], "the quick run of later reads tiny's"
    runner.run([tiny, tiny.with_name("later.md")], "quick")
    folder = published.assemble(shown, paths.executed_dir("quick"))
    full = nbformat.read(folder / "demo" / "tiny.ipynb", as_version=4)
    assert "Prose written after the run." in full.cells[0].source, "prose edits are merged into the recorded run"
    assert provenance.read_report(full)["claims"] == [{"name": "long_enough", "holds": True, "numbers": {"epochs": "3"}}]
    quick = provenance.read_report(nbformat.read(folder / "demo" / "later.ipynb", as_version=4))
    assert quick["claims"][0]["holds"] is None, "the quick run does not check a claim about the full run"
    assert published.read(folder, "demo/later").command == "python -m hwlib run demo/later --profile full --record"
    tiny.write_text(TINY.replace("epochs / 100", "epochs / 50"))
    stale = published.choose("demo/tiny")
    assert (stale.run, stale.why, stale.reasons) == ("quick", "stale", ["the page's code changed since"])
    assert published.choose("demo/tiny", smoke=True).why == "smoke"


def test_make_book_runs_only_the_quick_runs_it_shows_and_builds_from_the_records(tiny, tmp_path, monkeypatch, capsys):
    from hwlib.book import site

    monkeypatch.setattr(paths, "ROOT", tmp_path)
    (tmp_path / "book" / "en").mkdir(parents=True)
    (tmp_path / "book" / "en" / "intro.md").write_text("# Intro\n")
    (tmp_path / "book" / "_toc.yml").write_text("root: intro\nchapters:\n  - file: demo/tiny\n  - file: demo/later\n")
    built = []
    monkeypatch.setattr(site, "build_site", lambda folder, label, target, strict: built.append((folder, label)) or target)
    runner.run([tiny], "full", record=True)
    capsys.readouterr()
    assert cli.main(["book"]) == 0
    out = capsys.readouterr().out
    assert "[1/2] demo/tiny  (profile=quick)" in out and "[2/2] demo/later  (profile=quick)" in out
    assert "demo/tiny   full run recorded 20" in out and "demo/later  quick run (not recorded)" in out
    assert built == [(published.published_dir(), "full + quick")]
    runner.run([tiny.with_name("later.md")], "full", record=True)
    capsys.readouterr()
    assert cli.main(["book"]) == 0 and "profile=quick" not in capsys.readouterr().out, "every page shows its record"
    assert cli.main(["book", "--profile", "quick"]) == 0 and "quick run (smoke)" in capsys.readouterr().out
    assert built[-1] == (published.published_dir(), "quick")


# --------------------------------------------------------------------------- the committed records

SOURCES = {runner.page_name(s): s for s in runner.book_sources()}
CLAIM_NAME = re.compile(r"\bpage\.(?:full_run_)?claim\(\s*\"(\w+)\"")
# The pages the book shows from their quick run, and why; every other page has a current full record.
WITHOUT_RECORD = {
    "hw14/01_word_embeddings": "its full run needs the GloVe vectors, which cannot be downloaded here",
    "hw14/03_dermamnist": "its full run needs DermaMNIST, which cannot be downloaded here",
    "sc3/q2_cifar10_ablation": "its full run needs CIFAR-10, which cannot be downloaded here",
}
# Pages that can be recorded here but are not yet (each shows its quick run, saying so): record them and
# take them out of this list.
NOT_RECORDED_YET = {
    "hw1/05_tuner": "its full run takes about 47 minutes on 2 cores and did not fit the sessions so far: "
                    "python -m hwlib run hw1/05_tuner --profile full --record",
    "hw1/06_discussion": "it reads item 5's full results: record it after item 5 "
                         "(python -m hwlib run hw1/06_discussion --profile full --record, about two minutes)",
}


def _quick_report(page_name: str) -> dict:
    """The kernel report of the book's quick run of ``page_name`` (make test runs it first)."""
    executed = paths.executed_dir("quick") / f"{page_name}.ipynb"
    if not executed.is_file():
        pytest.fail(f"{executed} is missing: run the quick profile first (python -m hwlib run --all)")
    return provenance.read_report(json.loads(executed.read_text(encoding="utf-8"))) or {}


def _stem(headline: str) -> str:
    """A headline named for a parameter's value (conv_ms_4096, a length only the full profile runs) counts
    as produced when the quick run names the same headline for another value (conv_ms_1024)."""
    return re.sub(r"_\d+$", "_<n>", headline)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_page_shows_a_current_full_record_unless_it_cannot(name):
    staleness = records.staleness(name)
    if name in WITHOUT_RECORD or name in NOT_RECORDED_YET:
        assert staleness is None, f"{name} has a record now: take it out of WITHOUT_RECORD or NOT_RECORDED_YET"
        return
    assert staleness is not None, f"{name} has no full run on the record: {records.command(name)}"
    assert staleness == [], f"{name}'s record is stale ({'; '.join(staleness)}): {records.command(name, records.last(name))}"


@pytest.mark.parametrize("path", COMMITTED, ids=[str(p.relative_to(REPO)) for p in COMMITTED])
def test_every_committed_record_upholds_its_page_and_holds_all_it_makes(path):
    record = json.loads(path.read_text(encoding="utf-8"))
    name = path.relative_to(REPO / "records").with_suffix("").as_posix()
    assert record["page"] == name and set(records.FIELDS) <= set(record) and record["profile"] == "full"
    assert records.notebook_path(name).is_file(), "a record keeps its executed notebook"
    assert all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in record["headlines"].values())
    assert {d["kind"] for d in record["data"]} <= {"real", "subset", "stand-in"}
    contradicted = sorted(c for c, holds in record["claims"].items() if holds is not True)
    assert not contradicted, f"{name}'s full run does not uphold these claims of its text: {contradicted}"
    made = set(CLAIM_NAME.findall(SOURCES[name].read_text(encoding="utf-8")))
    assert set(record["claims"]) == made, (f"the page makes claims its record lacks ({sorted(made - set(record['claims']))}) "
                                           f"or no longer makes some it holds ({sorted(set(record['claims']) - made)})")
    produced = {_stem(h) for h in _quick_report(name).get("headlines", {})}
    recorded = {_stem(h) for h in record["headlines"]}
    assert recorded == produced, (f"the page names headlines its record lacks ({sorted(produced - recorded)}) "
                                  f"or no longer names some it holds ({sorted(recorded - produced)})")


def test_records_stay_small():
    size = sum(p.stat().st_size for p in (REPO / "records").rglob("*") if p.is_file())
    assert size < 8 * 2**20, f"records/ holds {size / 2**20:.1f} MiB; keep figures small and leave models out"
    assert not [p for p in (REPO / "records").rglob("*") if p.suffix in (".keras", ".h5", ".npz")]


def test_the_readme_table_is_written_from_the_records():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert cli.readme_with_table(text) == text, "README.md's records table is stale: python -m hwlib records --readme"
    begin, end = cli.README_MARKERS
    with pytest.raises(runner.RunError, match="README.md needs one line"):
        cli.readme_with_table(text.replace(end, ""))


def test_each_edition_gets_its_own_table_or_both_one(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, metadata=None: shown.append((obj, metadata)))
    page.show({"en": "table en", "fa": "table fa"})
    page.show("one table")
    assert shown == [("table en", {page.LANG_KEY: "en"}), ("table fa", {page.LANG_KEY: "fa"}), ("one table", None)]
    with pytest.raises(ValueError, match="unknown edition"):
        page.show({"de": "x"})


def test_a_long_cell_is_shown_whole(monkeypatch):
    import pandas as pd

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, metadata=None: shown.append(obj._repr_html_()))
    cell = "10 trials; 1,408,274 parameters; val 0.9675; test 0.9765"
    page.show(pd.DataFrame({"this run": [cell]}))
    assert cell in shown[0]
    assert cell not in pd.DataFrame({"c": [cell]})._repr_html_(), "pandas cuts such a cell by default"
