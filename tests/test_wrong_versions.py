"""Every plausible wrong version of an exercise (tests/wrong/) fails the page's own check (tests/mutants.py)."""

from __future__ import annotations

import pytest

from mutants import caught, run_wrong, wrong_versions

WRONG = wrong_versions()


def test_every_page_with_wrong_versions_has_at_least_two_per_exercise():
    per = {}
    for w in WRONG:
        per[(w.page, w.function)] = per.get((w.page, w.function), 0) + 1
    assert per and all(n >= 2 for n in per.values()), per


@pytest.mark.parametrize("wrong", WRONG, ids=[w.id for w in WRONG])
def test_the_pages_check_catches_it(wrong, tmp_path):
    error = run_wrong(wrong, tmp_path)
    assert error is not None, f"{wrong.id}: the page ran through its checks with this wrong version"
    assert caught(error), f"{wrong.id}: it stopped, but not at a check: {error.ename}: {error.evalue}"
