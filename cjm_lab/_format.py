"""Numbers as English and German write them, for analysis sentences and charts alike.

One implementation: the analysis modules (e.g. the sentences of
:mod:`cjm_lab.survey.compare`) import it here, and :mod:`cjm_lab.plots.theme` re-exports
:func:`format_number`, :func:`format_percent` and :func:`check_language` (analysis
modules never import plots).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._params import BOOLEAN, LANGUAGE, LANGUAGES, Rule, check_param, validate_params

__all__ = [
    "LANGUAGES",
    "MINUS",
    "check_language",
    "format_number",
    "format_percent",
    "format_p_value",
    "format_p_values",
    "plain_number",
    "period_dates",
    "period_kind",
    "period_label",
]

#: The typographic minus, as matplotlib writes it on axis ticks.
MINUS = "−"


def check_language(language: Any, *, where: str | None = None) -> str:
    """Return ``language`` when it is ``"en"`` or ``"de"``, else raise :class:`CJMConfigError`.

    The check of :data:`cjm_lab._params.LANGUAGE`, for code that is not a decorated public
    function (those list ``"language": [LANGUAGE]`` in their parameter table).

    Examples
    --------
    >>> check_language("de")
    'de'
    >>> check_language("fr")
    Traceback (most recent call last):
    ... (traceback)
    cjm_lab.errors.CJMConfigError: `language` must be 'en' or 'de', got 'fr'. ...
    """
    return str(check_param(language, [LANGUAGE], name="language", where=where or ""))


def _is_missing(value: Any) -> bool:
    try:
        return value is None or bool(np.isnan(value))
    except (TypeError, ValueError):
        return False


def _is_decimals(value: Any) -> bool:
    return not isinstance(value, (bool, np.bool_, str)) and float(value).is_integer() and value >= 0


#: Digits after the decimal point (a whole number; ``2.0`` too).
DECIMALS = Rule(_is_decimals, "a whole number of at least 0 (digits after the decimal point)", example="1")


# positional as format_number(value, decimals, language): the formatters are called per label
@validate_params({"decimals": [DECIMALS, None], "language": [LANGUAGE], "sign": [BOOLEAN], "signed_zero": [BOOLEAN]})
def format_number(
    value: Any,
    decimals: int | None = 0,
    language: str = "en",
    *,
    sign: bool = False,
    signed_zero: bool = False,
    missing: str = "–",
) -> str:
    """Write a number as each language does: ``1,234.5`` in English, ``1.234,5`` in German.

    Parameters
    ----------
    value : float
    decimals : int or None, default 0
        Digits after the decimal point; ``None``: as many as the value needs (up to six
        significant digits, ``0.05``, ``27.5``, ``30``).
    language : {"en", "de"}
    sign : bool, default False
        Write ``+`` before positive numbers (changes, NPS).
    signed_zero : bool, default False
        With ``sign``, write a number that rounds to zero as ``±0`` (a change of nothing).
    missing : str, default "–"
        Text for a missing value.

    Returns
    -------
    str
        Negative numbers use the typographic minus (−), like matplotlib's axis ticks.

    Examples
    --------
    >>> format_number(1234.5, 1, "de"), format_number(1234.5, 1, "en")
    ('1.234,5', '1,234.5')
    >>> format_number(-4.9, 0, "de", sign=True)
    '−5'
    >>> format_number(0.3, 0, sign=True), format_number(-0.3, 0, sign=True, signed_zero=True)
    ('0', '±0')
    >>> format_number(0.05, None, "de"), format_number(30.0, None)
    ('0,05', '30')
    """
    lang = language
    if _is_missing(value):
        return missing
    value = float(value)
    text_ = f"{abs(value):,g}" if decimals is None else f"{abs(value):,.{int(decimals)}f}"
    if lang == "de":
        text_ = text_.replace(",", "\0").replace(".", ",").replace("\0", ".")
    is_zero = float(text_.replace(".", "").replace(",", "") or 0) == 0
    if is_zero and sign and signed_zero:
        return "±" + text_
    if value < 0 and not is_zero:
        return MINUS + text_
    if sign and value > 0 and not is_zero:
        return "+" + text_
    return text_


@validate_params({"decimals": [DECIMALS], "language": [LANGUAGE], "sign": [BOOLEAN]})
def format_percent(
    value: Any,
    decimals: int = 1,
    language: str = "en",
    *,
    sign: bool = False,
    missing: str = "–",
) -> str:
    """Write a percentage (given in percent, not as a fraction): ``12.5%`` / ``12,5 %``.

    Examples
    --------
    >>> format_percent(12.5, 1, "de"), format_percent(12.5, 1, "en")
    ('12,5 %', '12.5%')
    """
    if _is_missing(value):
        return missing
    number = format_number(value, decimals, language, sign=sign)
    return number + (" %" if language == "de" else "%")


def format_p_value(p: float, language: str = "en") -> str:
    """A p-value for a sentence: two decimals, three below 0.01, ``p < 0.001`` below that.

    Examples
    --------
    >>> format_p_value(0.012), format_p_value(0.0042, "de"), format_p_value(0.0001)
    ('p = 0.01', 'p = 0,004', 'p < 0.001')
    """
    if p < 0.001:
        return f"p < {format_number(0.001, 3, language)}"
    return f"p = {format_number(p, 2 if p >= 0.01 else 3, language)}"


_ADJUSTED = {
    "en": {"fdr": "Benjamini–Hochberg adjusted", "bonferroni": "Bonferroni adjusted"},
    "de": {"fdr": "nach Benjamini-Hochberg korrigiert", "bonferroni": "nach Bonferroni korrigiert"},
}


def format_p_values(p: float, p_adjusted: float | None, correction: str, language: str = "en") -> str:
    """The p-value of a sentence, with the adjusted one when a correction changed it.

    A verdict taken on the adjusted p-value ("did not change significantly") next to a raw
    ``p = 0.03`` alone reads as a contradiction; the adjusted value shows why.

    Examples
    --------
    >>> format_p_values(0.033, 0.066, "fdr"), format_p_values(0.033, 0.066, "bonferroni", "de")
    ('p = 0.03, Benjamini–Hochberg adjusted p = 0.07', 'p = 0,03, nach Bonferroni korrigiert p = 0,07')
    >>> format_p_values(0.2, 0.2, "fdr"), format_p_values(0.033, 0.066, "none")
    ('p = 0.20', 'p = 0.03')
    """
    text = format_p_value(p, language)
    if correction not in _ADJUSTED[language] or p_adjusted is None or not np.isfinite(p_adjusted):
        return text
    adjusted = format_p_value(p_adjusted, language)
    if adjusted == text:
        return text
    return f"{text}, {_ADJUSTED[language][correction]} {adjusted}"


def plain_number(x: float) -> str:
    """A value as a message quotes it (scale ends, codes): ``5`` for 5.0, else Python's repr.

    Examples
    --------
    >>> plain_number(5.0), plain_number(2.5)
    ('5', '2.5')
    """
    return str(int(x)) if float(x).is_integer() else str(x)


_PERIOD_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_PERIOD_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$")
_PERIOD_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_PERIOD_YEAR = re.compile(r"^(\d{4})$")
_PERIOD_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def period_dates(values: Sequence[Any]) -> list[dt.date] | None:
    """The first day of each period (``2026-03``, ``2026Q1``, ``2026-W09``, ``2026``, a date), or None.

    None when any value is no calendar period (waves such as 1, 2 or "Welle 3").

    Examples
    --------
    >>> period_dates(["2025-12", "2026-01"]), period_dates([1, 2])
    ([datetime.date(2025, 12, 1), datetime.date(2026, 1, 1)], None)
    >>> period_dates(["2026Q2", "2026-W09"])
    [datetime.date(2026, 4, 1), datetime.date(2026, 2, 23)]
    """
    out = []
    for v in values:
        if isinstance(v, (pd.Timestamp, dt.datetime, dt.date)):
            out.append(pd.Timestamp(v).date())
            continue
        text = str(v).strip()
        if m := _PERIOD_MONTH.match(text):
            out.append(dt.date(int(m[1]), int(m[2]), 1))
        elif m := _PERIOD_QUARTER.match(text):
            out.append(dt.date(int(m[1]), 3 * int(m[2]) - 2, 1))
        elif m := _PERIOD_WEEK.match(text):
            out.append(dt.date.fromisocalendar(int(m[1]), int(m[2]), 1))
        elif (m := _PERIOD_YEAR.match(text)) and isinstance(v, str):
            out.append(dt.date(int(m[1]), 1, 1))
        elif m := _PERIOD_DAY.match(text):
            out.append(dt.date(int(m[1]), int(m[2]), int(m[3])))
        else:
            return None
    return out


_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "de": ("Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sep.", "Okt.", "Nov.", "Dez."),
}


def period_label(value: Any, language: str = "en") -> str:
    """A calendar period as a reader writes it: ``Mar 2026`` / ``März 2026``, ``Q1 2026``, ``W09 2026`` / ``KW 9/2026``.

    Anything that is no calendar period is returned as text.

    Examples
    --------
    >>> period_label("2026-03", "de"), period_label("2026Q1"), period_label("2026-W09", "de"), period_label(3)
    ('März 2026', 'Q1 2026', 'KW 9/2026', '3')
    """
    lang = check_language(language)
    text = str(value).strip()
    if m := _PERIOD_MONTH.match(text):
        return f"{_MONTHS[lang][int(m[2]) - 1]} {m[1]}"
    if m := _PERIOD_QUARTER.match(text):
        return f"Q{m[2]} {m[1]}"
    if m := _PERIOD_WEEK.match(text):
        return f"KW {int(m[2])}/{m[1]}" if lang == "de" else f"W{m[2]} {m[1]}"
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        stamp = pd.Timestamp(value)
        return stamp.strftime("%d.%m.%Y") if lang == "de" else stamp.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return text


def period_kind(values: Sequence[Any]) -> str | None:
    """``"month"``, ``"quarter"``, ``"week"``, ``"year"`` or ``"day"`` when all values are such periods."""
    kinds = set()
    for v in values:
        text = str(v).strip()
        if _PERIOD_MONTH.match(text):
            kinds.add("month")
        elif _PERIOD_QUARTER.match(text):
            kinds.add("quarter")
        elif _PERIOD_WEEK.match(text):
            kinds.add("week")
        elif _PERIOD_YEAR.match(text) and isinstance(v, str):
            kinds.add("year")
        elif isinstance(v, (pd.Timestamp, dt.datetime, dt.date)) or _PERIOD_DAY.match(text):
            kinds.add("day")
        else:
            return None
    return kinds.pop() if len(kinds) == 1 else None
