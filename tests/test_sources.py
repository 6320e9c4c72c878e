"""Static checks of every notebook source: parameters, profiles, and the two languages' prose."""

import re

import jupytext
import pytest

from hwlib.book import params, runner

SOURCES = runner.all_sources()
PERSIAN = re.compile(r"[\u0600-\u06FF]")
# The prefix «می» and the plural «ها» are joined with a zero-width non-joiner, never a space.
LOOSE_MI = re.compile(r"(?<![\u0600-\u06FF])می (?=[\u0600-\u06FF])")
FENCED = re.compile(r"```.*?```|\$\$.*?\$\$", re.S)
# The book writes the ezafe after a silent «ه» as «هٔ», not «ه‌ی».
EZAFE_YE = re.compile("\u0647\u200c\u06cc(?![\u0600-\u06FF])")
LOOSE_HA = re.compile(r"[\u0600-\u06FF] ها(?![\u0600-\u06FF])")


def ids(paths):
    return [runner.page_name(p) for p in paths]


def test_there_are_notebooks():
    assert SOURCES, "no notebook sources found under notebooks/"


@pytest.mark.parametrize("source", SOURCES, ids=ids(SOURCES))
def test_both_profiles_resolve(source):
    for profile in runner.PROFILES:
        plan = runner.plan(source, profile)
        assert plan.values.get("profile") == profile


@pytest.mark.parametrize("source", SOURCES, ids=ids(SOURCES))
def test_every_parameter_is_explained(source):
    for p in params.declared(params.parameters_cell(jupytext.read(source))).values():
        assert p.help, f"parameter {p.name} has no comment saying what it is"


@pytest.mark.parametrize("source", SOURCES, ids=ids(SOURCES))
def test_every_number_declares_its_range(source):
    for p in params.declared(params.parameters_cell(jupytext.read(source))).values():
        if p.type in ("int", "float"):
            assert isinstance(p.accepts, params.Range), (
                f"parameter {p.name} ({p.type}) declares no range: start its comment with [low, high]")


@pytest.mark.parametrize("source", SOURCES, ids=ids(SOURCES))
def test_defaults_and_profile_values_lie_in_their_ranges(source):
    nb = jupytext.read(source)
    declared = params.declared(params.parameters_cell(nb))
    for p in declared.values():
        params.check(p, p.default, "default")
    for profile, values in ((nb.metadata.get("hwlib") or {}).get("profiles") or {}).items():
        assert "profile" not in (values or {}), f"profile {profile} sets 'profile': the runner sets it"
        for name, value in (values or {}).items():
            params.check(declared[name], params.coerce(declared[name], value), f"profile {profile}")


# The training (and test) set a page's train_size (test_size) subsets: a larger value must be refused.
DATASET_SIZES = {"hw1/02_baseline_cnn": 60000, "hw1/03_depth": 60000, "hw1/04_dropout": 60000,
                 "hw1/05_tuner": 60000, "hw14/03_dermamnist": 7007, "hw14/04_hyperband": 60000,
                 "hw7q/q1_keras_tuner": 60000, "hw7q/q7_gradcam": 60000, "sc3/q2_cifar10_ablation": 50000}


@pytest.mark.parametrize("source", SOURCES, ids=ids(SOURCES))
def test_subset_sizes_end_at_the_datasets_size(source):
    declared = params.declared(params.parameters_cell(jupytext.read(source)))
    page = runner.page_name(source)
    if "train_size" in declared:
        assert page in DATASET_SIZES, f"{page} has a train_size: add its dataset's training size above"
        assert declared["train_size"].accepts == params.Range(0, DATASET_SIZES[page])
    if "test_size" in declared:
        assert declared["test_size"].accepts == params.Range(0, 10000)  # CIFAR-10's test set


@pytest.mark.parametrize("source", SOURCES, ids=ids(SOURCES))
def test_prose_is_tagged_by_language(source):
    nb = jupytext.read(source)
    firsts = {}
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        tags = set(cell.metadata.get("tags", [])) & {"en", "fa"}
        text = cell.source
        if tags == {"fa"}:
            assert PERSIAN.search(text), f"fa cell without Persian text: {text[:60]!r}"
            assert not LOOSE_MI.search(text), f"«می» followed by a space instead of a ZWNJ: {text[:80]!r}"
            assert not LOOSE_HA.search(text), f"«ها» detached by a space: {text[:80]!r}"
            assert not EZAFE_YE.search(text), f"write the ezafe as «هٔ»: {text[:80]!r}"
        elif tags == {"en"}:
            assert not PERSIAN.search(text), f"Persian text in an en cell: {text[:60]!r}"
        else:
            assert not tags, "a cell is either en or fa"
            prose = FENCED.sub("", text).strip()
            assert not prose, f"untagged prose would show in both editions: {prose[:60]!r}"
        for lang in tags:
            firsts.setdefault(lang, text)
    for lang in ("en", "fa"):
        assert lang in firsts, f"no {lang} prose"
        assert firsts[lang].lstrip().startswith("# "), f"the first {lang} cell must be the page title"


@pytest.mark.parametrize("source", SOURCES, ids=ids(SOURCES))
def test_sources_hold_no_outputs(source):
    assert '"output_type"' not in source.read_text(encoding="utf-8")


# Pages whose assignment asks the student to write code: that code is defined on the page.
PAGES_WITH_METHODS = ("hw1/02_baseline_cnn", "hw1/03_depth", "hw1/04_dropout", "hw1/05_tuner",
                      "hw14/01_word_embeddings", "hw14/02_triplet_loss", "hw14/03_dermamnist",
                      "hw14/04_hyperband", "hw7q/q1_keras_tuner", "hw7q/q3_lstm_regression",
                      "hw7q/q4_cnn_vs_rnn", "hw7q/q6_batch_norm", "hw7q/q7_gradcam",
                      "sc3/q1_gradients", "sc3/q2_cifar10_ablation")
GLUE_CALL = re.compile(r"\bglue\(")


@pytest.mark.parametrize("page", PAGES_WITH_METHODS)
def test_the_method_is_defined_on_its_page(page):
    nb = jupytext.read(runner.paths.NOTEBOOKS / f"{page}.md")
    definitions = [c for c in nb.cells if c.cell_type == "code" and "definition" in c.metadata.get("tags", [])]
    assert definitions, f"{page} defines none of its methods in a cell tagged 'definition'"
    for cell in definitions:
        assert re.search(r"^\s*(def|class) ", cell.source, re.M), f"a definition cell defines nothing: {cell.source[:60]!r}"


@pytest.mark.parametrize("source", SOURCES, ids=ids(SOURCES))
def test_numbers_are_glued_by_one_hidden_call(source):
    nb = jupytext.read(source)
    calls = [c for c in nb.cells if c.cell_type == "code" and GLUE_CALL.search(c.source)]
    assert len(calls) <= 1, f"{len(calls)} cells glue values; glue them with one page.glue(...) call"
    for cell in calls:
        assert len(GLUE_CALL.findall(cell.source)) == 1 and "page.glue(" in cell.source
        assert "remove-cell" in cell.metadata.get("tags", []), "the glue cell is hidden (tag remove-cell)"


@pytest.mark.parametrize("source", SOURCES, ids=ids(SOURCES))
def test_code_cells_are_short(source):
    for cell in jupytext.read(source).cells:
        if cell.cell_type == "code":
            lines = [line for line in cell.source.splitlines() if line.strip()]
            assert len(lines) <= 40, f"a code cell of {len(lines)} lines: split it ({cell.source[:60]!r})"


FIRST_REPORT = {"en": (re.compile(r"\breports? 00[0-4]\b", re.IGNORECASE), "student"),
                "fa": (re.compile("گزارش(?:\u200cها)?ی? ۰۰[۰-۴]"), "دانشجو")}


@pytest.mark.parametrize("lang", FIRST_REPORT)
@pytest.mark.parametrize("source", SOURCES, ids=ids(SOURCES))
def test_a_report_is_named_where_a_reader_first_meets_it(source, lang):
    """The first mention of a report in a page's prose says whose report on which homework it is."""
    pattern, word = FIRST_REPORT[lang]
    prose = " ".join(c.source for c in jupytext.read(source).cells
                     if c.cell_type == "markdown" and lang in c.metadata.get("tags", []))
    prose = re.sub(r"\s+", " ", prose)
    first = pattern.search(prose)
    if first is None:
        pytest.skip("this page does not mention a report")
    assert word in prose[first.end():first.end() + 80], (
        f"the first mention of a report names neither the student nor the homework: {prose[first.start():first.end() + 80]!r}")
