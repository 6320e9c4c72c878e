"""Numbers for Persian prose: Persian digits and separators, kept readable inside right-to-left text."""

from __future__ import annotations

_DIGITS = str.maketrans("0123456789.,-", "۰۱۲۳۴۵۶۷۸۹٫٬−")
_LRI, _PDI = "\u2066", "\u2069"
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def number(value, fmt: str = "") -> str:
    """``value`` formatted with ``fmt`` in Persian digits («٫» decimal, «٬» thousands, «−» minus).

    A negative number is wrapped in a left-to-right isolate so that its minus
    sign stays in front of the digits inside a right-to-left sentence.
    """
    text = format(value, fmt).translate(_DIGITS)
    return f"{_LRI}{text}{_PDI}" if text.startswith("−") else text


def glue_number(name: str, value, fmt: str = "") -> None:
    """Glue ``value`` under ``name`` (a float or int for the English prose) and its Persian form under
    ``name_fa``."""
    from myst_nb import glue

    value = value.item() if hasattr(value, "item") else value
    glue(name, value, display=False)
    glue(f"{name}_fa", number(value, fmt), display=False)


def scientific(value: float, digits: int = 1) -> str:
    """``value`` as «m × ۱۰ⁿ» for Persian prose: Persian mantissa, superscript exponent kept left-to-right."""
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    return f"{number(float(mantissa), f'.{digits}f')} × ۱۰{_LRI}{str(int(exponent)).translate(_SUPERSCRIPT)}{_PDI}"
