"""What every page does besides data and training: glue its numbers into both languages' prose.

``glue(acc=(0.912, ".3f"), n=1347)`` makes ``{glue:text}`acc:.3f``` usable in
English prose and ``{glue:text}`acc_fa``` (Persian digits, «٫» decimal sign,
«٬» thousands) in Persian prose. The glued values are stored in the cell's
outputs the way myst-nb's own ``glue`` stores them, so the notebooks need
nothing of the book toolkit.
"""

from __future__ import annotations

_DIGITS = str.maketrans("0123456789.,-", "۰۱۲۳۴۵۶۷۸۹٫٬−")
_LRI, _PDI = "\u2066", "\u2069"
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_HIDDEN = "application/papermill.record/"  # myst-nb's prefix for values glued without display


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
