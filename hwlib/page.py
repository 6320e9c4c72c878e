"""What every page does besides data and training: glue its numbers into both languages' prose,
check the claims that prose makes about them, and check the methods it asks for (:func:`check`).

``glue(acc=(0.912, ".3f"), n=1347)`` makes ``{glue:text}`acc:.3f``` usable in
English prose and ``{glue:text}`acc_fa``` (Persian digits, «٫» decimal sign,
«٬» thousands) in Persian prose. The glued values are stored in the cell's
outputs the way myst-nb's own ``glue`` stores them, so the notebooks need
nothing of the book toolkit.

``claim("lstm_beats_naive", r2_lstm > r2_naive, r2_lstm=r2_lstm, r2_naive=r2_naive)``,
in a cell right after the prose that says so, checks that sentence on this
run's numbers: the claim is recorded for the execution report, and when the
run contradicts it the page shows a warning there, in each language. A sentence
about a result that needs the real training length is checked with
:func:`full_run_claim`: only by a run of the ``full`` profile, and another
profile says at that place that it does not check it.
"""

from __future__ import annotations

_DIGITS = str.maketrans("0123456789.,-", "۰۱۲۳۴۵۶۷۸۹٫٬−")
_LRI, _PDI = "\u2066", "\u2069"
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_HIDDEN = "application/papermill.record/"  # myst-nb's prefix for values glued without display
LANG_KEY = "hwlib-lang"  # output metadata: the edition an output belongs to (the site keeps only its own)

_claims: dict[str, dict] = {}
_headlines: dict[str, float] = {}
_WARNING = {
    "en": ("This run contradicts the text", "The text here says <code>{name}</code>, and this run's numbers "
           "do not uphold it: {numbers}. Read the paragraph above with these numbers in mind; the "
           "execution report lists every claim of this page."),
    "fa": ("این اجرا متن را تأیید نمی‌کند", "متن این‌جا ادعای <code>{name}</code> را می‌کند و عددهای این اجرا "
           "آن را تأیید نمی‌کنند: {numbers}. بند بالا را با این عددها بخوانید؛ گزارش اجرا همهٔ ادعاهای "
           "این صفحه را فهرست می‌کند."),
}


def number(value, fmt: str = "") -> str:
    """``value`` formatted with ``fmt`` in Persian digits («٫» decimal, «٬» thousands, «−» minus).

    A negative number is wrapped in a left-to-right isolate so that its minus
    sign stays in front of the digits inside a right-to-left sentence.
    """
    text = format(value, fmt).translate(_DIGITS)
    return f"{_LRI}{text}{_PDI}" if text.startswith("−") else text


def scientific(value: float, digits: int = 1) -> str:
    """``value`` as «m × ۱۰ⁿ» for Persian prose: Persian mantissa, superscript exponent kept left to right."""
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    return f"{number(float(mantissa), f'.{digits}f')} × ۱۰{_LRI}{str(int(exponent)).translate(_SUPERSCRIPT)}{_PDI}"


def _store(name: str, value) -> None:
    """Record ``value`` under ``name`` in the cell's outputs, as myst-nb's ``glue(..., display=False)``."""
    from IPython.core.formatters import format_display_data
    from IPython.display import display

    bundle, metadata = format_display_data(value)
    metadata["scrapbook"] = {"name": name, "mime_prefix": _HIDDEN}
    display({_HIDDEN + mime: data for mime, data in bundle.items()}, raw=True, metadata=metadata)


def glue(**values) -> None:
    """Glue each value for the prose of both languages.

    A value is a number, a string, or a ``(number, format)`` pair. ``NAME`` holds
    the value itself (English prose formats it: ``{glue:text}`NAME:.3f```);
    ``NAME_fa`` holds its Persian form, formatted with the pair's format (a
    string is glued as it is under both names).
    """
    for name, value in values.items():
        value, fmt = value if isinstance(value, tuple) else (value, "")
        value = value.item() if hasattr(value, "item") else value
        _store(name, value)
        _store(f"{name}_fa", value if isinstance(value, str) else number(value, fmt))


def _shown(value, fmt: str, lang: str) -> str:
    """A claim's number as its warning shows it (four significant digits unless ``fmt`` says otherwise)."""
    value = value.item() if hasattr(value, "item") else value
    if isinstance(value, str):
        return value
    fmt = fmt or (",d" if isinstance(value, int) and not isinstance(value, bool) else ".4g")
    text = format(value, fmt)
    return number(value, fmt) if lang == "fa" else text


def claim(name: str, holds, **numbers) -> None:
    """Check one statement the prose makes about this run (nothing is returned, so a cell shows nothing).

    ``holds`` is the statement computed on this run's results; ``numbers`` are the
    values it compares (a value or a ``(value, format)`` pair), shown when it fails.
    The claim is recorded (:func:`claims`) for the runner's report; a claim that
    does not hold shows a warning in English and in Persian at this place (each
    output tagged with its language, so each edition of the site keeps its own).
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"claim name {name!r}: use a short identifier such as 'lstm_beats_naive'")
    holds = bool(holds)
    values = {k: v if isinstance(v, tuple) else (v, "") for k, v in numbers.items()}
    _claims[name] = {"name": name, "holds": holds,
                     "numbers": {k: _shown(v, fmt, "en") for k, (v, fmt) in values.items()}}
    if not holds:
        from IPython.display import display

        for lang, (title, text) in _WARNING.items():
            pairs = [f"<code>{k}</code> = {_shown(v, fmt, lang)}" for k, (v, fmt) in values.items()]
            # in Persian each "name = value" stays one left-to-right unit
            shown = "، ".join(f'<bdi dir="ltr" style="white-space: nowrap">{x}</bdi>' for x in pairs) if lang == "fa" else ", ".join(pairs)
            body = text.format(name=name, numbers=shown or "—")
            html = (f'<div class="admonition warning hwlib-claim" lang="{lang}" dir="{"rtl" if lang == "fa" else "ltr"}">'
                    f'<p class="admonition-title">{title}</p><p>{body}</p></div>')
            plain = f"{title}: {name}; " + ", ".join(f"{k} = {_shown(v, fmt, 'en')}" for k, (v, fmt) in values.items())
            display({"text/html": html, "text/plain": plain}, raw=True, metadata={LANG_KEY: lang})


_UNCHECKED = {
    "en": "Not checked by this run: the sentence above is about the <code>full</code> profile's run (the "
          "report's settings), and this run used the <code>{profile}</code> profile. Claim <code>{name}</code>; "
          "this run's numbers: {numbers}.",
    "fa": "این اجرا جملهٔ بالا را نمی‌سنجد: آن جمله دربارهٔ اجرای نمایهٔ <code>full</code> (تنظیمات گزارش) است و "
          "این اجرا با نمایهٔ <code>{profile}</code> انجام شد. ادعای <code>{name}</code>؛ عددهای این اجرا: {numbers}.",
}


def full_run_claim(name: str, profile: str, holds, **numbers) -> None:
    """A claim (:func:`claim`) that only a run of the ``full`` profile can show, such as a sentence about
    what ten epochs on all the images do. With ``profile == "full"`` it is checked as any claim; with
    another profile it is recorded as not checked (``holds`` None) and the page says so at this place,
    in each language, with this run's numbers."""
    if profile == "full":
        claim(name, holds, **numbers)
        return
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"claim name {name!r}: use a short identifier such as 'lstm_beats_naive'")
    from IPython.display import display

    values = {k: v if isinstance(v, tuple) else (v, "") for k, v in numbers.items()}
    _claims[name] = {"name": name, "holds": None, "profile": profile,
                     "numbers": {k: _shown(v, fmt, "en") for k, (v, fmt) in values.items()}}
    for lang, text in _UNCHECKED.items():
        pairs = [f"<code>{k}</code> = {_shown(v, fmt, lang)}" for k, (v, fmt) in values.items()]
        shown = "، ".join(f'<bdi dir="ltr">{x}</bdi>' for x in pairs) if lang == "fa" else ", ".join(pairs)
        body = text.format(profile=profile, name=name, numbers=shown or "—")
        html = (f'<p class="hwlib-unchecked" lang="{lang}" dir="{"rtl" if lang == "fa" else "ltr"}">'
                f'<small>{body}</small></p>')
        plain = f"not checked by the {profile} profile: {name}"
        display({"text/html": html, "text/plain": plain}, raw=True, metadata={LANG_KEY: lang})


# How a check's line begins (:func:`check`), per language and outcome.
VERDICT = {"en": {True: "check passed", False: "check failed"},
           "fa": {True: "بررسی درست است", False: "بررسی نادرست است"}}


def check(what: dict, passes, **numbers) -> None:
    """The page's check of a method it asks for, run on whoever wrote the method (the page, or a student).

    ``what`` says what is checked, per language (``{"en": ..., "fa": ...}``); ``numbers`` (a value or a
    ``(value, format)`` pair) are what it compares. It shows whether it passes, with the numbers, in each
    language (each output tagged with its language; the Persian line also as right-to-left HTML,
    :func:`verdict_html`), or only in ``$HWLIB_LANG``'s when that is set (a student notebook sets its own);
    one that fails then stops the run with an AssertionError saying so.
    """
    import os

    from IPython.display import display

    chosen = os.environ.get("HWLIB_LANG")
    langs = [chosen] if chosen in VERDICT else list(VERDICT)
    values = {k: v if isinstance(v, tuple) else (v, "") for k, v in numbers.items()}
    passes = bool(passes)
    lines = []
    for lang in langs:
        pairs = [f"{k} = {_shown(v, fmt, lang)}" for k, (v, fmt) in values.items()]
        shown = "، ".join(_LRI + x + _PDI for x in pairs) if lang == "fa" else ", ".join(pairs)
        lines.append(f"{VERDICT[lang][passes]}: {what[lang]}" + (f" ({shown})" if shown else ""))
        data = {"text/plain": lines[-1]}
        if lang == "fa":
            data["text/html"] = verdict_html(lines[-1])
        display(data, raw=True, metadata={LANG_KEY: lang})
    if not passes:
        raise AssertionError("\n".join(lines))


def verdict_html(line: str) -> str:
    """A Persian check line (:func:`check`'s text) as HTML that reads right to left and wraps between
    words; each left-to-right isolate of the text (a ``name = value`` pair) a left-to-right ``<bdi>``
    whose numbers never break. The book's site gives every Persian check line this HTML."""
    import html
    import re

    out, depth = [], 0
    for char in html.escape(line, quote=False):
        if char == _LRI and depth == 0:
            out.append('<bdi dir="ltr">')
        elif char == _PDI and depth == 1:
            out.append("</bdi>")
        else:
            out.append(char)
        depth += (char == _LRI) - (char == _PDI)
    number = re.compile("[−+-]?[0-9۰-۹][0-9۰-۹٫٬.,]*(?:e[−+-]?[0-9۰-۹]+)?")
    whole = re.sub('<bdi dir="ltr">.*?</bdi>', lambda pair: number.sub(
        lambda n: f'<span style="white-space: nowrap">{n.group(0)}</span>', pair.group(0)), "".join(out))
    return f'<div class="hwlib-check" lang="fa" dir="rtl">{whole}</div>'


def show(table) -> None:
    """Display a table whole (pandas cuts long cells by default): one for both editions, or one per
    edition (``{"en": table, "fa": table}``), each output then tagged with its language so that each
    edition of the site keeps its own."""
    import pandas as pd
    from IPython.display import display

    if not isinstance(table, dict):
        with pd.option_context("display.max_colwidth", None):
            display(table)
        return
    for lang, shown in table.items():
        if lang not in _WARNING:
            raise ValueError(f"unknown edition {lang!r}: use 'en' and 'fa'")
        with pd.option_context("display.max_colwidth", None):  # a long cell is shown whole, never cut with "…"
            display(shown, metadata={LANG_KEY: lang})


def headline(**numbers) -> None:
    """Name this run's headline numbers (those its comparison tables show) for the run's record
    (``python -m hwlib run --profile full --record``); shows nothing."""
    for name, value in numbers.items():
        value = value.item() if hasattr(value, "item") else value
        if not name.isidentifier() or isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"headline {name}={value!r}: give a name and a number")
        _headlines[name] = value


def headlines() -> dict:
    """The headline numbers named in this kernel so far (:func:`headline`)."""
    return dict(_headlines)


def claims() -> list[dict]:
    """The claims made in this kernel so far, in the order first made (a re-run cell updates its own);
    ``holds`` is None for a :func:`full_run_claim` that this profile does not check."""
    return [dict(c) for c in _claims.values()]


def clear_claims() -> None:
    """Forget the claims and headlines noted so far (tests)."""
    _claims.clear()
    _headlines.clear()
