"""Response quality: speeders, straight-liners and a report that counts them.

* A **speeder** finished the interview in less than ``threshold`` × the median
  duration (of all respondents, or of their ``by`` group such as the wave); the
  default 0.3 is a common rule of thumb (well below the fastest plausible reading
  speed of a full questionnaire).
* A **straight-liner** gave the same answer to every item of a rating battery
  they answered ("don't know" and missing answers ignored), provided they answered
  at least ``min_items`` items.

Flags are boolean Series aligned to the data; rows where a rule cannot be applied
(no duration; too few answered items) are never flagged and are counted as
``n_not_checked`` in :func:`quality_report`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._format import format_number
from cjm_lab._params import BOOLEAN, LANGUAGE, Integral, Interval, Real, check_param, validate_params
from cjm_lab._validate import column_names, numeric_column, require_columns, require_frame
from cjm_lab.errors import CJMConfigError, CJMDataError

__all__ = ["flag_speeders", "flag_straightliners", "quality_report", "QualityReport"]

#: Names of the flag columns that :func:`quality_report` adds.
FLAG_COLUMNS = {"speeder": "flag_speeder", "straightliner": "flag_straightliner", "any": "flag_any"}

_LABELS = {
    "en": {
        "speeder": "Speeders (duration below {pct}% of the median{by})",
        "straightliner": "Straight-liners (same answer to all of {k} items, at least {m} answered)",
        "any": "Any quality flag",
        "by": " per {by}",
    },
    "de": {
        "speeder": "Speeder (Dauer unter {pct} % des Medians{by})",
        "straightliner": "Straightliner (gleiche Antwort auf alle {k} Items, mindestens {m} beantwortet)",
        "any": "Mindestens ein Qualitätsmerkmal",
        "by": " je {by}",
    },
}


def _items(data: pd.DataFrame, items: Any, where: str) -> list[str]:
    """Expand item names and shell patterns (``"sat_*"``) to the columns of ``data``."""
    import fnmatch

    if isinstance(items, str):
        items = [items]
    if items is None or len(items) == 0:
        raise CJMConfigError(f"{where}: `items` must name the rating battery, e.g. ['sat_1', 'sat_2'] or 'sat_*'.")
    present = [str(c) for c in data.columns]
    out: list[str] = []
    for pat in items:
        if isinstance(pat, str) and any(ch in pat for ch in "*?["):
            hits = [c for c in present if fnmatch.fnmatchcase(c, pat)]
            if not hits:
                require_columns(data, {"items": pat}, where=where)  # raises with a suggestion
            out.extend(h for h in hits if h not in out)
        else:
            require_columns(data, {"items": pat}, where=where)
            if pat not in out:
                out.append(pat)
    return out


#: The share of the median duration below which a respondent counts as a speeder.
_THRESHOLD = Interval(Real, 0, 1, closed="right", note="a share of the median duration", example="0.3")


@validate_params({"threshold": [_THRESHOLD]})
def flag_speeders(
    data: pd.DataFrame,
    *,
    duration: str,
    threshold: float = 0.3,
    by: str | Sequence[str] | None = None,
) -> pd.Series:
    """Flag respondents faster than ``threshold`` × the median interview duration.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    duration : str
        Interview duration (seconds or any unit; not negative).  Missing durations are
        never flagged.
    threshold : float, default 0.3
        Fraction of the median below which a respondent is a speeder (0 < threshold ≤ 1).
    by : str or list of str, optional
        Take the median per group (e.g. per ``wave`` or questionnaire version).

    Returns
    -------
    Series
        Boolean, aligned to ``data.index``, named ``"speeder"``.

    Raises
    ------
    CJMDataError
        Missing columns; text or negative values in ``duration``.

    Examples
    --------
    >>> df = pd.DataFrame({"duration": [300, 320, 60, 280, 310, None]})
    >>> flag_speeders(df, duration="duration").tolist()
    [False, False, True, False, False, False]
    """
    where = "flag_speeders()"
    require_frame(data, where=where)
    by_cols = column_names(by, arg="by", where=where)
    require_columns(data, {"duration": duration, "by": by_cols}, where=where)
    dur = numeric_column(data, duration, where=where, low=0)
    if dur.notna().sum() == 0:
        raise CJMDataError(
            f"{where}: no respondent has a duration in {duration!r}.",
            column=duration,
            fix="Check the column mapping (e.g. 'Duration__in_seconds_': 'duration').",
        )
    if by_cols:
        median = dur.groupby([data[c] for c in by_cols], dropna=False, observed=True).transform("median")
    else:
        median = pd.Series(dur.median(), index=data.index)
    flag = (dur < threshold * median).fillna(False).astype(bool)
    return flag.rename("speeder")


def _battery(data: pd.DataFrame, items: list[str], dont_know: Any, where: str) -> np.ndarray:
    codes = [] if dont_know is None else list(np.atleast_1d(dont_know))
    arr = np.column_stack([numeric_column(data, c, where=where).to_numpy() for c in items])
    if codes:
        arr = np.where(np.isin(arr, np.asarray(codes, dtype=float)), np.nan, arr)
    return arr


@validate_params({"min_items": [Interval(Integral, 2, None, closed="left")]})
def flag_straightliners(
    data: pd.DataFrame,
    *,
    items: str | Sequence[str],
    min_items: int = 3,
    dont_know: float | Sequence[float] | None = None,
) -> pd.Series:
    """Flag respondents who gave the same answer to every item of a rating battery.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    items : str or list of str
        The battery's columns (numeric codes); shell patterns such as ``"sat_*"`` allowed.
    min_items : int, default 3
        Respondents who answered fewer items are not judged (never flagged).
    dont_know : number or list, optional
        "Don't know" codes (e.g. ``99``), ignored like missing answers.

    Returns
    -------
    Series
        Boolean, aligned to ``data.index``, named ``"straightliner"``.

    Raises
    ------
    CJMDataError
        Missing columns, text in an item.
    CJMConfigError
        ``min_items`` below 2 or above the number of items.

    Examples
    --------
    >>> df = pd.DataFrame({"q1": [4, 4, 5, 3], "q2": [4, 2, 5, 99], "q3": [4, 4, 5, 3],
    ...                    "q4": [4, 4, None, None]})
    >>> flag_straightliners(df, items="q*", dont_know=99).tolist()
    [True, False, True, False]
    """
    where = "flag_straightliners()"
    require_frame(data, where=where)
    cols = _items(data, items, where)
    check_param(
        min_items, [Interval(Integral, 2, len(cols), note="the number of items")], name="min_items", where=where
    )
    arr = _battery(data, cols, dont_know, where)
    answered = np.sum(~np.isnan(arr), axis=1)
    with np.errstate(invalid="ignore"):
        hi = np.fmax.reduce(arr, axis=1)
        lo = np.fmin.reduce(arr, axis=1)
    flag = (answered >= min_items) & (hi == lo)
    return pd.Series(flag, index=data.index, name="straightliner")


@dataclass(frozen=True)
class QualityReport:
    """The result of :func:`quality_report`.

    Attributes
    ----------
    counts : DataFrame
        One row per flag (``speeder``, ``straightliner``, ``any``) with ``flag``, ``label``,
        ``n``, ``n_checked``, ``n_not_checked``, ``n_flagged`` and ``pct`` (of all ``n``
        respondents).
    data : DataFrame
        A new frame: the input with the boolean columns ``flag_speeder``,
        ``flag_straightliner`` (those checked) and ``flag_any`` added; without the flagged
        rows when ``exclude=True``.
    n_removed : int
        Rows removed (0 unless ``exclude=True``).
    """

    counts: pd.DataFrame
    data: pd.DataFrame = field(repr=False)
    n_removed: int


@validate_params(
    {
        "threshold": [_THRESHOLD],
        "min_items": [Interval(Integral, 2, None, closed="left")],
        "exclude": [BOOLEAN],
        "language": [LANGUAGE],
    }
)
def quality_report(
    data: pd.DataFrame,
    *,
    duration: str | None = None,
    items: str | Sequence[str] | None = None,
    threshold: float = 0.3,
    by: str | Sequence[str] | None = None,
    min_items: int = 3,
    dont_know: float | Sequence[float] | None = None,
    exclude: bool = False,
    language: str = "en",
) -> QualityReport:
    """Flag speeders and straight-liners, count them and (optionally) remove them.

    Parameters
    ----------
    data : DataFrame
        One row per respondent; never modified.
    duration : str, optional
        Interview duration column (see :func:`flag_speeders`).
    items : str or list of str, optional
        Rating battery (see :func:`flag_straightliners`).  Give ``duration``, ``items`` or both.
    threshold, by
        Passed to :func:`flag_speeders`.
    min_items, dont_know
        Passed to :func:`flag_straightliners`.
    exclude : bool, default False
        Return the data without the flagged rows (the count is in ``n_removed``).
    language : {"en", "de"}, default "en"
        Language of the ``label`` column.

    Returns
    -------
    QualityReport
        ``counts`` (tidy: ``flag, label, n, n_checked, n_not_checked, n_flagged, pct``),
        ``data`` (a new frame with flag columns) and ``n_removed``.

    Examples
    --------
    >>> df = pd.DataFrame({"duration": [300, 320, 60, 280, 310],
    ...                    "q1": [4, 4, 5, 3, 1], "q2": [4, 2, 5, 3, 2], "q3": [4, 4, 5, 3, 3]})
    >>> rep = quality_report(df, duration="duration", items=["q1", "q2", "q3"], exclude=True)
    >>> rep.counts[["flag", "n_flagged", "pct"]]
                flag  n_flagged   pct
    0        speeder          1  20.0
    1  straightliner          3  60.0
    2            any          3  60.0
    >>> rep.n_removed, len(rep.data)
    (3, 2)
    """
    where = "quality_report()"
    require_frame(data, where=where)
    if duration is None and items is None:
        raise CJMConfigError(f"{where}: give `duration` (speeders), `items` (straight-liners) or both.")
    text = _LABELS[language]
    n = len(data)
    flags: dict[str, pd.Series] = {}
    rows = []
    if duration is not None:
        flags["speeder"] = flag_speeders(data, duration=duration, threshold=threshold, by=by)
        checked = int(pd.to_numeric(data[duration], errors="coerce").notna().sum())
        by_cols = [by] if isinstance(by, str) else list(by or [])
        by_text = text["by"].format(by=", ".join(by_cols)) if by_cols else ""
        pct = threshold * 100
        shown = format_number(pct, 0 if float(pct).is_integer() else 1, language)
        rows.append(("speeder", text["speeder"].format(pct=shown, by=by_text), checked))
    if items is not None:
        flags["straightliner"] = flag_straightliners(data, items=items, min_items=min_items, dont_know=dont_know)
        cols = _items(data, items, "flag_straightliners()")
        answered = np.sum(~np.isnan(_battery(data, cols, dont_know, where)), axis=1)
        rows.append(
            (
                "straightliner",
                text["straightliner"].format(k=len(cols), m=min_items),
                int((answered >= min_items).sum()),
            )
        )
    any_flag = np.logical_or.reduce([f.to_numpy() for f in flags.values()])
    rows.append(("any", text["any"], n))
    values = {**{k: f.to_numpy() for k, f in flags.items()}, "any": any_flag}
    counts = pd.DataFrame(
        {
            "flag": [r[0] for r in rows],
            "label": [r[1] for r in rows],
            "n": n,
            "n_checked": [r[2] for r in rows],
            "n_not_checked": [n - r[2] for r in rows],
            "n_flagged": [int(values[r[0]].sum()) for r in rows],
        }
    )
    counts["pct"] = counts["n_flagged"] / n * 100
    out = data.copy()
    for key, value in values.items():
        out[FLAG_COLUMNS[key]] = value
    n_removed = 0
    if exclude:
        n_removed = int(any_flag.sum())
        out = out.loc[~any_flag]
    return QualityReport(counts=counts, data=out, n_removed=n_removed)
