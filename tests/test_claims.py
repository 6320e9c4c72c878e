"""Claims: what a page's prose says about its run is checked on that run (hwlib.page.claim).

The unit tests show what a contradicted claim does (a warning in each language at its
place, recorded for the runner and the execution report); the last tests read the
book's executed quick-profile notebooks and fail when a page contradicts its own text.
"""

from __future__ import annotations

import json
import re

import jupytext
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from hwlib import page, provenance
from hwlib.book import pages as bookpages
from hwlib.book import paths, runner
from hwlib.book.site import split_notebook

SOURCES = runner.all_sources()
CLAIM_CALL = re.compile(r"\bpage\.(?:full_run_)?claim\(\s*\"(\w+)\"")
FULL_RUN_CLAIM = re.compile(r"\bpage\.full_run_claim\(\s*\"(\w+)\"")


@pytest.fixture()
def shown(monkeypatch):
    """What page.claim displays, instead of displaying it."""
    import IPython.display

    out = []
    monkeypatch.setattr(IPython.display, "display", lambda data, raw, metadata: out.append((data, metadata)))
    page.clear_claims()
    yield out
    page.clear_claims()


def test_an_upheld_claim_is_recorded_and_shows_nothing(shown):
    assert page.claim("lstm_beats_naive", 0.71 > 0.52, r2_lstm=0.71, r2_naive=0.52) is None
    assert shown == []
    assert page.claims() == [{"name": "lstm_beats_naive", "holds": True,
                              "numbers": {"r2_lstm": "0.71", "r2_naive": "0.52"}}]


def test_a_contradicted_claim_warns_in_each_language_with_its_numbers(shown):
    import numpy as np

    page.claim("lstm_beats_naive", np.float32(0.41) > 0.52, r2_lstm=(np.float32(0.4123), ".3f"),
               r2_naive=0.52, windows=12000)
    (en, en_meta), (fa, fa_meta) = shown
    assert en_meta == {page.LANG_KEY: "en"} and fa_meta == {page.LANG_KEY: "fa"}
    assert "<code>lstm_beats_naive</code>" in en["text/html"] and "<code>lstm_beats_naive</code>" in fa["text/html"]
    assert "<code>r2_lstm</code> = 0.412" in en["text/html"] and "12,000" in en["text/html"]
    assert '<bdi dir="ltr" style="white-space: nowrap"><code>r2_lstm</code> = ۰٫۴۱۲</bdi>' in fa["text/html"] and "۱۲٬۰۰۰" in fa["text/html"]
    assert 'dir="rtl"' in fa["text/html"] and "admonition warning" in fa["text/html"]
    assert "lstm_beats_naive" in en["text/plain"]
    assert page.claims()[0]["holds"] is False and page.claims()[0]["numbers"]["r2_lstm"] == "0.412"


def test_running_a_cell_again_updates_its_claim(shown):
    page.claim("small_gap", False, gap=0.3)
    page.claim("small_gap", True, gap=0.01)
    assert [(c["name"], c["holds"]) for c in page.claims()] == [("small_gap", True)]


def test_a_claim_about_the_full_run_is_checked_by_the_full_run_only(shown):
    page.full_run_claim("wide_gain_within_spread", "full", 0.38 < 0.45, gain=0.38)
    assert shown == [] and page.claims()[-1]["holds"] is True
    page.full_run_claim("wide_gain_within_spread", "full", 0.9 < 0.45, gain=0.9)
    assert page.claims()[-1]["holds"] is False and "This run contradicts the text" in shown[0][0]["text/html"]
    shown.clear()
    page.full_run_claim("wide_gain_within_spread", "quick", 0.9 < 0.45, gain=(0.9, ".2f"))
    assert page.claims()[-1] == {"name": "wide_gain_within_spread", "holds": None, "profile": "quick",
                                 "numbers": {"gain": "0.90"}}
    (en, en_meta), (fa, fa_meta) = shown
    assert "Not checked by this run" in en["text/html"] and "<code>quick</code>" in en["text/html"]
    assert "نمی‌سنجد" in fa["text/html"] and "۰٫۹۰" in fa["text/html"] and fa_meta == {page.LANG_KEY: "fa"}
    assert "contradicts" not in en["text/html"]


def test_the_summary_counts_claims_not_checked_apart():
    claims = [{"name": "a", "holds": True}, {"name": "b", "holds": None}, {"name": "c", "holds": False}]
    outcome = runner.Outcome("p/x", "ran", 1.0, None, claims=claims)
    assert "1/2 (1 not checked)" in runner.summary([outcome])


@pytest.mark.parametrize("name", ["", "two words", "1st", None])
def test_a_claim_needs_a_name(shown, name):
    with pytest.raises(ValueError, match="claim name"):
        page.claim(name, True)


def test_claims_travel_in_the_kernel_report(shown, capsys):
    page.claim("ok", True, x=1)
    provenance.print_report()
    line = capsys.readouterr().out.strip()
    assert json.loads(line[len(provenance.MARKER):])["claims"] == [{"name": "ok", "holds": True, "numbers": {"x": "1"}}]


def test_each_edition_keeps_its_own_warning():
    outputs = [new_output("display_data", {"text/plain": lang}, metadata={page.LANG_KEY: lang}) for lang in ("en", "fa")]
    outputs.append(new_output("stream", text="both\n"))
    nb = new_notebook(cells=[new_markdown_cell("x", metadata={"tags": ["en"]}), new_code_cell("", outputs=outputs)])
    for lang in ("en", "fa"):
        kept = split_notebook(nb, lang).cells[-1].outputs
        assert [o.get("data", {}).get("text/plain", o.get("text")) for o in kept] == [lang, "both\n"]


def test_the_report_lists_claims_and_bolds_contradicted_ones(tmp_path):
    report = {"data": [], "device": "CPU (2 cores)", "platform": "Linux", "versions": {},
              "claims": [{"name": "beats", "holds": True, "numbers": {"a": "1"}},
                         {"name": "close", "holds": False, "numbers": {"gap": "0.3"}}]}
    nb = new_notebook(cells=[new_markdown_cell("# P", metadata={"tags": ["en"]}),
                             new_code_cell(provenance.REPORT_CELL, metadata={"tags": [provenance.CELL_TAG]},
                                           outputs=[new_output("stream", text=provenance.MARKER + json.dumps(report))])])
    (tmp_path / "p").mkdir()
    nbformat.write(nb, tmp_path / "p" / "x.ipynb")
    info = bookpages.run_info(tmp_path, "p/x")
    en = bookpages.report_page([info], "en", "quick")
    assert "| **1/2** |" in en and "`beats`: upheld (a = 1)" in en and "`close`: **contradicted** (gap = 0.3)" in en
    fa = bookpages.report_page([info], "fa", "quick")
    assert "| **۱/۲** |" in fa and "`close`: **تأیید نشد**" in fa


@pytest.mark.parametrize("source", SOURCES, ids=[runner.page_name(s) for s in SOURCES])
def test_claims_sit_after_the_prose_they_check(source):
    """Every page checks claims; each claim cell follows prose, hides its code and names distinct claims."""
    cells = jupytext.read(source).cells
    names = []
    for i, cell in enumerate(cells):
        found = CLAIM_CALL.findall(cell.source) if cell.cell_type == "code" else []
        if not found:
            continue
        names += found
        assert cells[i - 1].cell_type == "markdown", f"claim {found} does not follow the prose it checks"
        assert "remove-input" in cell.metadata.get("tags", []), f"the cell of claim {found} is tagged remove-input"
    assert names, f"{runner.page_name(source)} checks no claim of its text (page.claim)"
    assert len(names) == len(set(names)), f"a claim name is used twice: {names}"


@pytest.mark.parametrize("source", SOURCES, ids=[runner.page_name(s) for s in SOURCES])
def test_the_quick_run_upholds_every_claim_of_its_page(source):
    """The book's quick-profile run of each page upholds the claims its text makes."""
    name = runner.page_name(source)
    executed = paths.executed_dir("quick") / f"{name}.ipynb"
    if not executed.is_file():
        pytest.fail(f"{executed} is missing: build the quick book first (make book)")
    claims = runner.page_claims(executed)
    expected = set(CLAIM_CALL.findall(source.read_text(encoding="utf-8")))
    assert {c["name"] for c in claims} == expected, "the executed notebook is older than its source: make book"
    contradicted = [f"{c['name']} ({c['numbers']})" for c in claims if c["holds"] is False]
    assert not contradicted, f"{name}: the quick run contradicts its text: {contradicted}"
    unchecked = {c["name"] for c in claims if c["holds"] is None}
    assert unchecked == set(FULL_RUN_CLAIM.findall(source.read_text(encoding="utf-8"))), \
        "the quick run leaves unchecked exactly the claims about the full run (page.full_run_claim)"
