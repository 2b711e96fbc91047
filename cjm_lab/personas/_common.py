"""Small texts the persona modules share: numbers and percentages in a sentence, in English or German.

(Numbers in tables and charts go through :mod:`cjm_lab._format`; these are the short forms the
persona profiles and cards write into their sentences.)
"""

from __future__ import annotations

__all__ = ["number_text", "percent_text"]


def number_text(x: float, language: str, digits: int = 1) -> str:
    """``x`` with ``digits`` decimals, a decimal comma in German.

    Examples
    --------
    >>> number_text(3.25, "de"), number_text(3.25, "en", 2)
    ('3,2', '3.25')
    """
    text = f"{x:.{digits}f}"
    return text.replace(".", ",") if language == "de" else text


def percent_text(x: float, language: str) -> str:
    """A percentage (given in percent) without decimals: ``42%``, in German ``42 %``.

    Examples
    --------
    >>> percent_text(42.4, "de"), percent_text(42.4, "en")
    ('42 %', '42%')
    """
    return f"{x:.0f} %" if language == "de" else f"{x:.0f}%"
