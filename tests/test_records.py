"""Runs on the record (hwlib.records): written by `run --profile full --record`, read by the pages."""

from __future__ import annotations

import json
import re
import textwrap

import pytest

from hwlib import page, provenance, records
from hwlib.book import cli, paths, runner

REPO = paths.ROOT
COMMITTED = sorted((REPO / "records").rglob("*.json")) if (REPO / "records").is_dir() else []
TINY = textwrap.dedent('''\
    ---
    jupytext:
      text_representation: {extension: .md, format_name: myst}
    kernelspec: {name: python3, display_name: Python 3}
    hwlib:
      profiles:
        full: {epochs: 3}
    ---

    # Tiny

    ```{code-cell} ipython3
    :tags: [parameters]

    profile: str = "quick"  # set by the runner
    epochs: int = 1  # [1, 10] how long
    ```

    ```{code-cell} ipython3
    from hwlib import page
    page.headline(test_accuracy=0.5 + epochs / 100, epochs_run=epochs)
    page.claim("long_enough", epochs >= 3, epochs=epochs)
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


def test_a_full_run_is_recorded_and_the_page_can_read_it(tiny, tmp_path, capsys):
    [outcome] = runner.run([tiny], "full", record=True)
    assert outcome.status == "ran"
    record = json.loads((tmp_path / "records" / "demo" / "tiny.json").read_text())
    assert set(records.FIELDS) <= set(record)
    assert record["page"] == "demo/tiny" and record["profile"] == "full" and record["parameters"]["epochs"] == 3
    assert record["headlines"] == {"test_accuracy": 0.53, "epochs_run": 3}
    assert record["claims"] == {"long_enough": True} and record["data"] == []
    assert record["device"].startswith(("CPU", "GPU")) and record["seconds"] > 0 and record["finished"][:2] == "20"
    assert "recorded in" in capsys.readouterr().out
    again = records.last("demo/tiny")
    assert records.headline(again, "test_accuracy") == 0.53 and records.headline(again, "missing") is None
    assert records.label(again).startswith(f"last recorded full run ({record['finished'][:10]}, CPU")
    assert records.label(None, "fa") == "\u2067آخرین اجرای ثبت‌شده با نمایهٔ full: هنوز اجرا نشده\u2069"


def test_a_record_names_the_settings_changed_from_the_full_profile(tiny, tmp_path):
    [outcome] = runner.run([tiny], "full", {"epochs": "2"}, record=True)
    record = records.last("demo/tiny")
    assert outcome.status == "ran" and record["changed"] == {"epochs": 2} and record["parameters"]["epochs"] == 2
    assert records.label(record).endswith(", real data, with epochs=2)")
    assert records.label(record, "fa").endswith("دادهٔ واقعی، با epochs=2)\u2069")


def test_a_hand_made_record_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("HWLIB_RECORDS", str(tmp_path))
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "x.json").write_text('{"page": "demo/x", "headlines": {"acc": 0.9}}')
    with pytest.raises(ValueError, match="never by hand"):
        records.last("demo/x")
    assert records.last("demo/none") is None


def _quick_report(page_name: str) -> dict:
    """The kernel report of the book's quick run of ``page_name`` (built by make book)."""
    executed = paths.executed_dir("quick") / f"{page_name}.ipynb"
    if not executed.is_file():
        pytest.fail(f"{executed} is missing: build the quick book first (make book)")
    return provenance.read_report(json.loads(executed.read_text(encoding="utf-8"))) or {}


def _stem(headline: str) -> str:
    """A headline named for a parameter's value (conv_ms_4096, a length only the full profile runs) counts
    as produced when the quick run names the same headline for another value (conv_ms_1024)."""
    return re.sub(r"_\d+$", "_<n>", headline)


@pytest.mark.parametrize("path", COMMITTED, ids=[str(p.relative_to(REPO)) for p in COMMITTED])
def test_every_committed_record_is_whole_and_names_what_its_page_produces(path):
    record = json.loads(path.read_text(encoding="utf-8"))
    name = str(path.relative_to(REPO / "records").with_suffix(""))
    assert record["page"] == name and set(records.FIELDS) <= set(record) and record["profile"] == "full"
    assert all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in record["headlines"].values())
    assert {d["kind"] for d in record["data"]} <= {"real", "subset", "stand-in"}
    produced = _quick_report(name)
    unknown = {h for h in record["headlines"] if _stem(h) not in {_stem(q) for q in produced.get("headlines", {})}}
    assert not unknown, f"{path.name} holds headlines its page no longer produces: {sorted(unknown)}"
    assert set(record["claims"]) <= {c["name"] for c in produced.get("claims", [])}


SOURCES = runner.all_sources()
NAMES = [runner.page_name(s) for s in SOURCES]
WITHOUT_TABLES = {  # pages with no table beside the reports or a public reference, and why
    "hw1/01_dataset_tour": "a tour of the data: class counts and pixel statistics, no model to compare",
}
SHOWS_OTHER_PAGES = {"hw1/06_discussion"}  # gathers the models of 02-04: their records, no run of its own


@pytest.mark.parametrize("source", SOURCES, ids=NAMES)
def test_every_comparison_table_shows_the_last_recorded_full_run(source):
    name = runner.page_name(source)
    text = source.read_text(encoding="utf-8")
    if name in WITHOUT_TABLES:
        assert "records.beside(" not in text
        return
    assert "records.beside(" in text and "page.show(" in text, "its comparison tables need the recorded-run column"
    report = _quick_report(name)
    assert report.get("recorded"), "the executed notebook is older than its source: make book"
    if name not in SHOWS_OTHER_PAGES:
        assert report.get("headlines"), "the page names its headline numbers (page.headline), or a run has nothing to record"
    for shown_page, field in report["recorded"]:
        produced = report["headlines"] if shown_page == name else _quick_report(shown_page).get("headlines", {})
        assert field in produced, f"a table shows {shown_page}'s recorded {field!r}, which that page does not produce"


def test_the_readme_table_is_written_from_the_records():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert cli.readme_with_table(text) == text, "README.md's records table is stale: python -m hwlib records --readme"
    begin, end = cli.README_MARKERS
    with pytest.raises(runner.RunError, match="README.md needs one line"):
        cli.readme_with_table(text.replace(end, ""))
    assert "not run yet" in cli.readme_with_table(f"a\n{begin}\nold\n{end}\nb") or COMMITTED


def _record(tmp_path, name, finished, **headlines):
    target = tmp_path / f"{name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({"page": name, "profile": "full", "parameters": {}, "versions": {}, "seconds": 60,
                                  "claims": {}, "device": "CPU (2 cores)", "finished": finished,
                                  "data": [{"description": "d", "kind": "real"}], "headlines": headlines}))


def test_the_recorded_column_shows_each_row_from_its_record(tmp_path, monkeypatch):
    import pandas as pd

    monkeypatch.setenv("HWLIB_RECORDS", str(tmp_path))
    _record(tmp_path, "demo/a", "2026-11-29 10:00:00", test=91.234, cv=90.5)
    table = pd.DataFrame({"test (this run)": [85.8, 83.1], "test (report)": [91.1, 91.3]}, index=["base", "deep"])
    shown = records.beside(table, "demo/a", {"base": "{cv:.1f} / {test:.2f}", "deep": "{absent:.2f}"})
    en, fa = shown["en"], shown["fa"]
    assert list(en.columns[:2]) == list(table.columns) and list(table.columns) == ["test (this run)", "test (report)"]
    assert en.columns[-1] == "last recorded full run (2026-11-29, CPU (2 cores), real data)"
    assert fa.columns[-1] == "\u2067آخرین اجرای ثبت‌شده با نمایهٔ full (۲۰۲۶-۱۱-۲۹، CPU (2 cores)، دادهٔ واقعی)\u2069"
    assert list(en.iloc[:, -1]) == ["90.5 / 91.23", "—"] == list(fa.iloc[:, -1])
    assert ["demo/a", "absent"] in records.shown()
    # rows from several pages, one of them never run: its cells stay empty, the title names the run there is
    mixed = records.beside(table, {"base": "demo/a", "deep": "demo/never"}, {"base": "{test:.1f}", "deep": "{test:.1f}"})
    assert list(mixed["en"].iloc[:, -1]) == ["91.2", "—"]
    assert mixed["en"].columns[-1] == ("last recorded full run (2026-11-29, CPU (2 cores), real data); "
                                       "last recorded full run: not run yet")
    nothing = records.beside(table, "demo/never", {"base": "{test:.1f}"})
    assert nothing["en"].columns[-1] == "last recorded full run: not run yet"
    with pytest.raises(KeyError, match="not in the table"):
        records.beside(table, "demo/a", {"wide": "{test}"})


def test_each_edition_gets_its_own_table(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, metadata: shown.append((obj, metadata)))
    page.show({"en": "table en", "fa": "table fa"})
    assert shown == [("table en", {page.LANG_KEY: "en"}), ("table fa", {page.LANG_KEY: "fa"})]
    with pytest.raises(ValueError, match="unknown edition"):
        page.show({"de": "x"})


def test_a_long_cell_is_shown_whole(monkeypatch):
    import pandas as pd

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, metadata: shown.append(obj._repr_html_()))
    cell = "10 trials; 1,408,274 parameters; val 0.9675; test 0.9765"
    page.show({"en": pd.DataFrame({"last recorded full run": [cell]})})
    assert cell in shown[0]
    assert cell not in pd.DataFrame({"c": [cell]})._repr_html_(), "pandas cuts such a cell by default"
