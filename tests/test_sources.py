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
