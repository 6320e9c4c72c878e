"""Page helpers: Persian numbers for the Persian prose."""

from hwlib import page as persian


def test_digits_and_separators_are_persian():
    assert persian.number(0.8766, ".3f") == "۰٫۸۷۷"
    assert persian.number(12345, ",") == "۱۲٬۳۴۵"
    assert persian.number(42) == "۴۲"


def test_a_negative_number_is_isolated_left_to_right():
    text = persian.number(-1.5, ".2f")
    assert text == "\u2066−۱٫۵۰\u2069"


def test_scientific_in_persian():
    from hwlib import page as persian

    assert persian.scientific(3.53e-10) == "۳٫۵ × ۱۰\u2066⁻¹⁰\u2069"
    assert persian.scientific(1.9e11) == "۱٫۹ × ۱۰\u2066¹¹\u2069"


def test_glue_stores_what_myst_nb_reads(monkeypatch):
    """page.glue records values exactly as myst-nb's own glue does, plus the Persian twin."""
    import IPython.display
    from myst_nb.ext import glue as myst_glue

    from hwlib import page

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    monkeypatch.setattr(myst_glue, "ipy_display", lambda *a, **k: shown.append((a, k)))
    page.glue(acc=(0.91234, ".3f"), n=1347, word="queen")
    ours = list(shown)
    shown.clear()
    for name, value in (("acc", 0.91234), ("acc_fa", "۰٫۹۱۲"), ("n", 1347), ("n_fa", "۱۳۴۷"),
                        ("word", "queen"), ("word_fa", "queen")):
        myst_glue.glue(name, value, display=False)
    assert ours == shown


def test_a_check_answers_in_each_language_or_in_the_notebooks(monkeypatch):
    """page.check shows its verdict and numbers per language (tagged for the site's editions), only in
    $HWLIB_LANG's when a student notebook sets it, and stops the run when the check fails."""
    import IPython.display
    import pytest

    shown, html = [], []
    monkeypatch.setattr(IPython.display, "display", lambda data, **k: (shown.append((data["text/plain"], k["metadata"])),
                                                                       html.append(data.get("text/html"))))
    monkeypatch.delenv("HWLIB_LANG", raising=False)
    what = {"en": "our layer gives Keras's outputs", "fa": "لایهٔ ما همان خروجی‌های کراس را می‌دهد"}
    persian.check(what, True, largest_difference=(2.5e-15, ".1e"))
    assert [m[persian.LANG_KEY] for _, m in shown] == ["en", "fa"]
    assert shown[0][0] == "check passed: our layer gives Keras's outputs (largest_difference = 2.5e-15)"
    assert shown[1][0].startswith("بررسی درست است: لایهٔ ما") and "۲٫۵e" in shown[1][0]
    # the Persian line also as HTML that reads right to left (JupyterLab, the site), the English one as text
    assert html[0] is None and html[1] == persian.verdict_html(shown[1][0]) and 'dir="rtl"' in html[1]
    shown.clear()
    monkeypatch.setenv("HWLIB_LANG", "fa")
    with pytest.raises(AssertionError, match="بررسی نادرست است: لایهٔ ما"):
        persian.check(what, False, largest_difference=0.3)
    assert [m[persian.LANG_KEY] for _, m in shown] == ["fa"], "a Persian student notebook answers in Persian only"


def test_a_persian_check_line_reads_right_to_left_with_its_numbers_whole():
    """verdict_html: right to left, wrapping between words; each "name = value" a left-to-right run whose
    numbers never break (a negative number's own isolate inside it kept), and the line's text escaped."""
    line = "بررسی درست است: a <b> ما (\u2066gap = \u2066−۱٫۵\u2069\u2069، \u2066n = ۳\u2069)"
    assert persian.verdict_html(line) == (
        '<div class="hwlib-check" lang="fa" dir="rtl">بررسی درست است: a &lt;b&gt; ما ('
        '<bdi dir="ltr">gap = \u2066<span style="white-space: nowrap">−۱٫۵</span>\u2069</bdi>، '
        '<bdi dir="ltr">n = <span style="white-space: nowrap">۳</span></bdi>)</div>')
