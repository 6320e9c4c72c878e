"""The pages and files the book builder writes itself, and the kernel-side provenance record."""

from __future__ import annotations

import json
import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from hwlib import data, provenance
from hwlib.book import pages as bookpages


@pytest.fixture(autouse=True)
def fresh_records():
    provenance.clear()
    yield
    provenance.clear()


def test_datasets_record_themselves_once():
    x = data.np.zeros((2, 28, 28), "uint8")
    y = data.np.zeros(2, "uint8")
    data.Dataset(x, y, x, y, ("a",), "real thing", True)
    data.Dataset(x, y, x, y, ("a",), "real thing", True)
    data.Dataset(x, y, x, y, ("a",), "STAND-IN thing", False)
    data.Dataset(x, y, x, y, ("a",), "SUBSET thing", False, subset=True)
    assert provenance.records() == [{"description": "real thing", "real": True, "kind": "real"},
                                    {"description": "STAND-IN thing", "real": False, "kind": "stand-in"},
                                    {"description": "SUBSET thing", "real": False, "kind": "subset"}]


def test_kernel_report_round_trip(capsys):
    provenance.record("STAND-IN, NOT MNIST: digits", real=False)
    provenance.print_report()
    printed = capsys.readouterr().out
    assert printed.startswith(provenance.MARKER)
    cell = new_code_cell(provenance.REPORT_CELL, metadata={"tags": [provenance.CELL_TAG]})
    cell.outputs = [new_output("stream", name="stdout", text="noise\n" + printed)]
    report = provenance.read_report(new_notebook(cells=[cell]))
    assert report["data"] == [{"description": "STAND-IN, NOT MNIST: digits", "real": False, "kind": "stand-in"}]
    assert report["device"].startswith(("CPU", "GPU"))
    assert report["versions"]["python"] and "numpy" in report["versions"]
    assert provenance.read_report(new_notebook(cells=[new_code_cell("1")])) is None


def executed(tmp_path, page: str, data_records, seconds=12.5):
    """An executed notebook + stamp as the runner leaves them."""
    report = {"data": data_records, "device": "CPU (2 cores)", "platform": "Linux",
              "versions": {"python": "3.11.2", "keras": "3.15.1"}}
    cell = new_code_cell(provenance.REPORT_CELL, metadata={"tags": [provenance.CELL_TAG, "remove-cell"]})
    cell.outputs = [new_output("stream", name="stdout", text=provenance.MARKER + json.dumps(report) + "\n")]
    nb = new_notebook(cells=[new_markdown_cell("# A page\n\ntext", metadata={"tags": ["en"]}),
                             new_markdown_cell("# یک صفحه\n\nمتن", metadata={"tags": ["fa"]}),
                             new_code_cell("x = 1"), cell])
    path = tmp_path / f"{page}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    path.with_suffix(".stamp.json").write_text(json.dumps(
        {"page": page, "parameters": {"epochs": 2, "data_dir": ""}, "seconds": seconds,
         "finished": "2026-11-22 10:00:00"}))


def test_run_info_and_report_pages(tmp_path):
    executed(tmp_path, "p/real", [{"description": "Fashion-MNIST from /usr/share", "real": True}], 75)
    executed(tmp_path, "p/fake", [{"description": "STAND-IN, NOT MNIST: <8x8> digits", "real": False}])
    infos = [bookpages.run_info(tmp_path, p) for p in ("p/real", "p/fake")]
    assert [i.standin for i in infos] == [False, True]
    assert infos[0].titles == {"en": "A page", "fa": "یک صفحه"}

    en = bookpages.report_page(infos, "en", "quick")
    assert en.startswith("# Execution report")
    assert "| {doc}`/p/real` | quick | 1 min 15 s | real | CPU (2 cores) |" in en
    assert "| {doc}`/p/fake` | quick | 12 s | **stand-in** |" in en
    assert "**stand-in**: STAND-IN, NOT MNIST: <8x8> digits" in en
    assert "| `epochs` | `2` |" in en and "`keras\u00a03.15.1`" in en

    fa = bookpages.report_page(infos, "fa", "quick")
    assert fa.startswith("# گزارش اجرا")
    assert "۱ دقیقه و ۱۵ ثانیه" in fa and "1 min" not in fa
    assert '<span dir="ltr">STAND-IN, NOT MNIST: &lt;8x8&gt; digits</span>' in fa
    assert "## یک صفحه" in fa and "۲ هستهٔ CPU" in fa
    assert "\u2066۲۰۲۶-۱۱-۲۲ ۱۰:۰۰:۰۰\u2069" in fa


def test_page_without_report_says_so(tmp_path):
    nb = new_notebook(cells=[new_markdown_cell("# Old\n", metadata={"tags": ["en"]})])
    nbformat.write(nb, tmp_path / "old.ipynb")
    info = bookpages.run_info(tmp_path, "old")
    assert info.report is None and not info.standin
    assert "--force" in bookpages.report_page([info], "en", "quick")


def test_banner_after_title_in_each_language(tmp_path):
    executed(tmp_path, "fake", [{"description": "STAND-IN", "real": False}])
    nb = nbformat.read(tmp_path / "fake.ipynb", as_version=4)
    out = bookpages.with_banner(bookpages.with_banner(nb, "en", standin=True), "fa", standin=True)
    sources = [c.source for c in out.cells]
    assert sources[0].startswith("# A page") and "standin-banner" in sources[1]
    assert sources[2].startswith("# یک صفحه") and "standin-banner" in sources[3]
    assert out.cells[1].metadata["tags"] == ["en"] and out.cells[3].metadata["tags"] == ["fa"]
    assert "</report>" in sources[1] and "stand-in data" in sources[1]
    assert len(nb.cells) == 4  # the input is not changed


def test_a_page_on_part_of_the_real_data_is_a_subset_not_a_standin(tmp_path):
    executed(tmp_path, "p/part", [{"description": "SUBSET OF MNIST: 10,000 digits", "real": False, "kind": "subset"},
                                  {"description": "sklearn digits", "real": True, "kind": "real"}])
    executed(tmp_path, "p/old", [{"description": "STAND-IN", "real": False}])  # recorded before kinds
    part, old = (bookpages.run_info(tmp_path, p) for p in ("p/part", "p/old"))
    assert (part.subset, part.standin, old.subset, old.standin) == (True, False, False, True)
    en = bookpages.report_page([part], "en", "quick")
    assert "| {doc}`/p/part` | quick | 12 s | **subset** |" in en and "**subset**: SUBSET OF MNIST" in en
    assert "**زیرمجموعه**" in bookpages.report_page([part], "fa", "quick")
    nb = nbformat.read(tmp_path / "p" / "part.ipynb", as_version=4)
    banner = bookpages.with_banner(nb, "en", subset=True).cells[1].source
    assert "subset-banner" in banner and "standin-banner" not in banner and "part of the real dataset" in banner


def test_glossary_pages_sorted_in_each_alphabet(tmp_path):
    path = tmp_path / "g.yml"
    path.write_text("- {en: epoch, fa: دوره, en_note: one pass, fa_note: یک گذر}\n"
                    "- {en: batch, fa: دسته, en_note: some examples, fa_note: چند نمونه}\n"
                    "- {en: loss, fa: تابع هزینه, en_note: minimised, fa_note: کمینه می‌شود}\n"
                    "- {en: kernel, fa: پالایه, en_note: weights, fa_note: وزن‌ها}\n", encoding="utf8")
    entries = bookpages.load_glossary(path)
    en = bookpages.glossary_page(entries, "en")
    assert re.findall(r"^\| (\w+) \|", en, re.M)[1:] == ["batch", "epoch", "kernel", "loss"]
    fa = bookpages.glossary_page(entries, "fa")
    # Persian order: پ before ت before د (Unicode puts پ after the Arabic letters)
    assert [line.split("|")[1].strip() for line in fa.splitlines() if line.startswith("| ")][1:] == [
        "پالایه", "تابع هزینه", "دسته", "دوره"]
    path.write_text("- {en: epoch, fa: دوره, en_note: one pass}\n", encoding="utf8")
    with pytest.raises(ValueError, match="epoch.*fa_note"):
        bookpages.load_glossary(path)


def test_colab_url_and_setup_cell():
    repo = {"url": "https://github.com/someone/book/", "branch": "main", "pages_branch": "gh-pages"}
    assert bookpages.colab_url(repo, "hw1/02_baseline_cnn") == (
        "https://colab.research.google.com/github/someone/book/blob/gh-pages/colab/hw1/02_baseline_cnn.ipynb")
    assert bookpages.colab_url({"url": "https://gitlab.com/x/y"}, "p") == ""
    assert bookpages.colab_url({}, "p") == ""
    nb = new_notebook(cells=[new_code_cell("x = 1")])
    colab = bookpages.colab_notebook(nb, repo)
    assert len(colab.cells) == 2 and len(nb.cells) == 1
    setup = colab.cells[0].source
    assert "google.colab" in setup and "git+https://github.com/someone/book.git@main" in setup
    compile(setup.replace("get_ipython()", "print"), "setup", "exec")


@pytest.mark.parametrize("seconds,lang,text", [(None, "en", "not recorded"), (59.4, "en", "59 s"),
                                                (60, "en", "1 min 0 s"), (3725, "fa", "۶۲ دقیقه و ۵ ثانیه")])
def test_duration(seconds, lang, text):
    assert bookpages.duration(seconds, lang) == text


def _shown(run, why, **kw):
    from hwlib.book.published import Shown

    record = {"finished": "2026-12-07 21:00:00", "device": "CPU (2 cores)", "data": "subset", "seconds": 414.0,
              "changed": {"allow_standin": True}, "claims": {"a": True, "b": True}}
    return Shown("p/real", run, why, record=record if run == "full" or why == "stale" else None,
                 command="python -m hwlib run p/real --profile full --record", **kw)


def test_every_page_says_which_run_it_shows(tmp_path):
    executed(tmp_path, "p/real", [{"description": "Fashion-MNIST", "real": True}], 75)
    info = bookpages.run_info(tmp_path, "p/real")
    nb = nbformat.read(tmp_path / "p" / "real.ipynb", as_version=4)
    full = bookpages.with_banner(nb, "en", shown=_shown("full", "recorded"), info=info).cells[1].source
    assert "run-full" in full and "**full run**" in full and "2026-12-07" in full and "6 min 54 s" in full
    assert "a subset of the real data, with `allow_standin=True`" in full and "2/2 of its claims" in full
    fa = bookpages.with_banner(nb, "fa", shown=_shown("full", "recorded"), info=info).cells[2].source
    assert "**اجرای full**" in fa and "۲۰۲۶-۱۲-۰۷" in fa and "۶ دقیقه و ۵۴ ثانیه" in fa and "۲/۲" in fa
    cases = {"not recorded": "No full run of this page is on the record yet",
             "stale": "recorded on 2026-12-07 is not shown because it is stale: the page's code changed since",
             "no data": "needs the real dataset", "smoke": "smoke edition"}
    for why, words in cases.items():
        reasons = ["the page's code changed since"] if why == "stale" else []
        quick = bookpages.run_banner(_shown("quick", why, reasons=reasons), info, "en").source
        assert "run-quick" in quick and "**quick run**" in quick and words in quick, why
        assert why == "smoke" or "`python -m hwlib run p/real --profile full --record`" in quick
        fa = bookpages.run_banner(_shown("quick", why, reasons=reasons), info, "fa").source
        assert "run-quick" in fa and (why != "stale" or "کد صفحه از آن پس تغییر کرده است" in fa)
    table = bookpages.runs_table([info], {"p/real": _shown("full", "recorded")}, "en")
    assert "| {doc}`/p/real` | full, recorded 2026-12-07 | CPU (2 cores) | real | 1 min 15 s | none |" in table
    assert "| {doc}`/p/real` | quick: full data not here |" in bookpages.runs_table([info], {"p/real": _shown("quick", "no data")}, "en")


def test_why_a_record_is_stale_reads_in_persian():
    assert bookpages.stale_reason("its data changed since (fashion-mnist)", "fa") == \
        'داده‌هایش از آن پس تغییر کرده‌اند (<span dir="ltr">fashion-mnist</span>)'
    assert bookpages.stale_reason("something new", "fa") == '<span dir="ltr">something new</span>'
    assert bookpages.stale_reason("something new", "en") == "something new"
