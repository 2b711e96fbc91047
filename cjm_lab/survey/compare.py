"""Comparing NPS: two groups or waves, every segment against the rest, paired waves, trends.

All comparisons use the multinomial variance of p_promoters − p_detractors on
Kish effective bases (the same statistics as :func:`cjm_lab.survey.nps`), a
normal test for the difference, and say the result in words a researcher can
paste into a report, in English and German.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cjm_lab._format import format_number, format_p_values
from cjm_lab._params import (
    ALPHA,
    BOOLEAN,
    CONFIDENCE,
    CORRECTION,
    LANGUAGE,
    MIN_BASE,
    renamed_args,
    validate_params,
)
from cjm_lab._stats import adjust_pvalues, z_value
from cjm_lab._validate import require_columns, require_frame
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.survey.nps import RESCALE, response_parts
from cjm_lab.survey.tracker import FREQ, tracker

__all__ = ["compare_nps", "nps_vs_rest", "paired_nps", "nps_trend", "describe_difference"]

_SUMS = ["n", "n_missing", "w", "w2", "n_promoters", "n_passives", "n_detractors"]


def _stats(sums: pd.DataFrame) -> pd.DataFrame:
    """NPS, variance of the NPS share and effective base from summed parts."""
    w = sums["w"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = np.where(sums["w2"] > 0, w**2 / sums["w2"].to_numpy(dtype=float), 0.0)
        p = sums["n_promoters"].to_numpy(dtype=float) / w
        d = sums["n_detractors"].to_numpy(dtype=float) / w
        var = np.maximum(p + d - (p - d) ** 2, 0.0) / n_eff
    return pd.DataFrame(
        {"n": sums["n"].to_numpy(), "n_eff": n_eff, "nps": (p - d) * 100, "var": var * 1e4}, index=sums.index
    )


def _test(a: pd.DataFrame, b: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Difference a − b with SE, CI and two-sided p-value (normal approximation)."""
    z = z_value(confidence)
    diff = a["nps"].to_numpy() - b["nps"].to_numpy()
    se = np.sqrt(a["var"].to_numpy() + b["var"].to_numpy())
    with np.errstate(invalid="ignore", divide="ignore"):
        p_value = np.where(se > 0, 2 * stats.norm.sf(np.abs(diff) / se), np.where(diff == 0, 1.0, 0.0))
    return pd.DataFrame(
        {"difference": diff, "se": se, "ci_low": diff - z * se, "ci_high": diff + z * se, "p_value": p_value}
    )


def _label_groups(out: pd.DataFrame, data: pd.DataFrame, by: str, labels: Any, language: str, cols: list[str]) -> None:
    """Groups shown by their labels, and the grouping variable with its label (in place)."""
    from cjm_lab.labels import labels_for, shown_values

    lab = labels_for(data, labels, language=language)
    for c in cols:
        out[c] = shown_values(out[c], by, lab, language=language)
    out["variable"] = by
    out["variable_label"] = lab.column(by, language=language)


def _check_common(data: Any, where: str, **columns: Any) -> None:
    require_frame(data, where=where)
    require_columns(data, columns, where=where)


#: The options every comparison of NPS checks the same way.
_COMMON = {
    "confidence": [CONFIDENCE],
    "alpha": [ALPHA],
    "rescale": [RESCALE, None],
    "correction": [CORRECTION],
    "language": [LANGUAGE],
}


@validate_params(_COMMON)
def compare_nps(
    data: pd.DataFrame,
    *,
    by: str,
    groups: Sequence[Any] | str | None = None,
    score: str = "recommend",
    weight: str | None = None,
    confidence: float = 0.95,
    alpha: float = 0.05,
    scale: tuple[int, int] | None = None,
    rescale: str | None = None,
    correction: str = "fdr",
    language: str = "en",
    labels: Any = None,
) -> pd.DataFrame:
    """The NPS difference between two groups or two waves, with CI, p-value and a sentence.

    Parameters
    ----------
    data : DataFrame
    by : str
        The column holding the groups (a segment, or the wave).
    groups : (first, second), list of pairs or "all", optional
        The two values to compare; default the two values of ``by`` in sorted order
        (``by`` must then have exactly two).  The difference is second − first, so for
        waves it reads as the change from the earlier to the later wave.  A list of pairs
        compares each pair; ``"all"`` every pair of values of ``by`` (in sorted order).
    score, weight, scale, rescale
        As in :func:`cjm_lab.survey.nps`.
    confidence : float, default 0.95
    alpha : float, default 0.05
        Significance level for ``significant`` and the sentence.
    correction : {"fdr", "bonferroni", "none"}, default "fdr"
        Correction for the number of pairs compared in the call (one pair: none needed).
    language : {"en", "de"}
    labels : Labels, dict or codebook path, optional
        Labels on top of those stored with ``data`` (:func:`cjm_lab.labels.labels_for`).

    Returns
    -------
    DataFrame
        One row per pair: ``group_a, group_b`` (the groups as a reader sees them: value
        labels, ``2021`` not ``2021.0``), ``n_a, n_b, nps_a, nps_b, difference, se, ci_low,
        ci_high, p_value, p_adjusted, significant, measure``, ``variable`` (``by``),
        ``variable_label`` (its label) and ``text``.

    Examples
    --------
    >>> df = pd.DataFrame({"recommend": [10] * 240 + [3] * 160 + [10] * 280 + [3] * 120,
    ...                    "wave": [1] * 400 + [2] * 400})
    >>> row = compare_nps(df, by="wave").iloc[0]
    >>> print(row["text"])
    NPS rose from 20 to 40 (+20, 95% CI +7 to +33, p = 0.003).
    """
    where = "compare_nps()"
    _check_common(data, where, by=by, score=score, weight=weight)
    present = pd.unique(data[by].dropna())
    ordered = sorted(present, key=lambda v: (str(type(v)), v))
    if groups is None:
        if len(present) != 2:
            raise CJMDataError(
                f"{where}: {by!r} has {len(present)} distinct values; name the two to compare.",
                column=by,
                fix=f"Pass groups=(first, second), e.g. groups={tuple(sorted(map(str, present))[:2])}, or "
                "groups='all' for every pair.",
            )
        pairs = [tuple(ordered)]
    elif isinstance(groups, str) and groups == "all":
        pairs = [(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :]]
    elif isinstance(groups, Sequence) and groups and all(isinstance(g, (tuple, list)) for g in groups):
        pairs = [tuple(g) for g in groups]
    else:
        pairs = [tuple(groups)] if isinstance(groups, Sequence) and not isinstance(groups, str) else []
    if not pairs or any(len(pair) != 2 for pair in pairs):
        raise CJMConfigError(
            f"{where}: `groups` must name exactly two values of {by!r}, a list of such pairs, or 'all'; "
            f"got {groups!r}.",
            function=where,
            argument="groups",
            value=groups,
        )
    parts, measure = response_parts(data, score=score, weight=weight, scale=scale, rescale=rescale, where=where)
    values = data[by].to_numpy()
    rows = []
    for pair in pairs:  # a few pairs, each vectorised
        sums = []
        for g in pair:
            mask = values == g
            if not mask.any():
                raise CJMDataError(
                    f"{where}: no response has {by!r} = {g!r}.",
                    column=by,
                    fix="Choose values the column has: " + ", ".join(map(repr, present[:10])) + ".",
                )
            sums.append(parts[mask].sum())
        sums = pd.DataFrame(sums)
        if (sums["n"] == 0).any():
            empty = pair[int(np.flatnonzero(sums["n"].to_numpy() == 0)[0])]
            raise CJMDataError(
                f"{where}: the group {by!r} = {empty!r} has no valid score.",
                column=score,
                fix="Check the filter and the missing-value codes.",
            )
        st = _stats(sums.reset_index(drop=True))
        test = _test(st.iloc[[1]].reset_index(drop=True), st.iloc[[0]].reset_index(drop=True), confidence)
        row = {
            "group_a": pair[0],
            "group_b": pair[1],
            "n_a": int(st.n.iloc[0]),
            "n_b": int(st.n.iloc[1]),
            "nps_a": st.nps.iloc[0],
            "nps_b": st.nps.iloc[1],
        }
        row.update(test.iloc[0].to_dict())
        rows.append(row)
    out = pd.DataFrame(rows)
    out["p_adjusted"] = adjust_pvalues(out["p_value"].to_numpy(), correction)
    out["significant"] = (out["p_value"] < alpha) if correction == "none" else (out["p_adjusted"] <= alpha)
    out["measure"] = measure
    _label_groups(out, data, by, labels, language, ["group_a", "group_b"])
    out["text"] = [
        describe_difference(
            r.nps_a,
            r.nps_b,
            ci_low=r.ci_low,
            ci_high=r.ci_high,
            p_value=r.p_value,
            confidence=confidence,
            language=language,
            alpha=alpha,
            significant=bool(r.significant),
            p_adjusted=r.p_adjusted,
            correction=correction,
        )
        for r in out.itertuples()
    ]
    return out


@validate_params(_COMMON)
def nps_vs_rest(
    data: pd.DataFrame,
    *,
    by: str,
    score: str = "recommend",
    weight: str | None = None,
    confidence: float = 0.95,
    alpha: float = 0.05,
    scale: tuple[int, int] | None = None,
    rescale: str | None = None,
    correction: str = "fdr",
    language: str = "en",
    labels: Any = None,
) -> pd.DataFrame:
    """Every segment against the rest of the sample, with Benjamini–Hochberg correction.

    Each segment is compared with all *other* respondents (not with a total that
    contains the segment itself).  ``p_adjusted`` controls the false discovery rate
    over all segments (Benjamini–Hochberg, ``correction="fdr"``), or is Bonferroni's
    (``"bonferroni"``) or the raw p-value (``"none"``); ``significant`` uses it.

    Parameters
    ----------
    by, score, weight, confidence, alpha, scale, rescale, correction, language
        As in :func:`compare_nps`.
    labels : Labels, dict or codebook path, optional
        Labels on top of those stored with ``data`` (:func:`cjm_lab.labels.labels_for`).

    Returns
    -------
    DataFrame
        One row per segment: ``segment`` (as a reader sees it: its value label, ``2021`` not
        ``2021.0``), ``n, nps, n_rest, nps_rest, difference`` (segment − rest), ``se, ci_low,
        ci_high, p_value, p_adjusted, significant, measure``, ``variable`` (``by``),
        ``variable_label`` (its label) and ``text`` (naming the segment by its label).

    Examples
    --------
    >>> df = pd.DataFrame({"recommend": [10] * 80 + [3] * 20 + [10] * 50 + [3] * 50,
    ...                    "region": ["Nord"] * 100 + ["Süd"] * 100})
    >>> nps_vs_rest(df, by="region")[["segment", "nps", "nps_rest", "significant"]]
      segment   nps  nps_rest  significant
    0    Nord  60.0       0.0         True
    1     Süd   0.0      60.0         True
    """
    where = "nps_vs_rest()"
    _check_common(data, where, by=by, score=score, weight=weight)
    parts, measure = response_parts(data, score=score, weight=weight, scale=scale, rescale=rescale, where=where)
    seg = parts.groupby(data[by], dropna=True, observed=True, sort=True).sum()
    if len(seg) < 2:
        raise CJMDataError(
            f"{where}: {by!r} has fewer than two segments; there is no rest to compare with.",
            column=by,
            fix="Choose a column with at least two segments.",
        )
    total = parts[data[by].notna().to_numpy()].sum()
    rest = (
        pd.DataFrame(np.tile(total[_SUMS].to_numpy(dtype=float), (len(seg), 1)), columns=_SUMS, index=seg.index)
        - seg[_SUMS]
    )
    a, b = _stats(seg[_SUMS]), _stats(rest)
    test = _test(a.reset_index(drop=True), b.reset_index(drop=True), confidence)
    out = pd.DataFrame(
        {
            "segment": seg.index.to_numpy(dtype=object),
            "n": a["n"].to_numpy().astype(int),
            "nps": a["nps"].to_numpy(),
            "n_rest": b["n"].to_numpy().astype(int),
            "nps_rest": b["nps"].to_numpy(),
        }
    )
    out = pd.concat([out, test], axis=1)
    out["p_adjusted"] = adjust_pvalues(out["p_value"].to_numpy(), correction)
    out["significant"] = (out["p_value"] < alpha) if correction == "none" else (out["p_adjusted"] <= alpha)
    out["measure"] = measure
    _label_groups(out, data, by, labels, language, ["segment"])
    out["text"] = [
        _segment_sentence(r, confidence=confidence, language=language, correction=correction) for r in out.itertuples()
    ]
    return out


@renamed_args({"id": "id_column"})
@validate_params({"confidence": [CONFIDENCE], "alpha": [ALPHA], "language": [LANGUAGE]})
def paired_nps(
    data: pd.DataFrame,
    *,
    id_column: str,
    wave: str,
    waves: Sequence[Any] | None = None,
    score: str = "recommend",
    confidence: float = 0.95,
    alpha: float = 0.05,
    language: str = "en",
) -> pd.DataFrame:
    """NPS change among respondents who answered in both waves (a paired test).

    Each respondent contributes +1 (promoter), 0 (passive) or −1 (detractor) per wave;
    the NPS change is the mean of their differences and its SE the standard deviation
    of the differences over √n (a paired t-test).  Respondents in only one wave, or
    without a score in either, are counted in ``n_unpaired`` and left out.

    Returns
    -------
    DataFrame
        One row: ``wave_a, wave_b, n_pairs, n_unpaired, nps_a, nps_b, difference, se,
        ci_low, ci_high, p_value, significant, text``.

    Examples
    --------
    >>> df = pd.DataFrame({"rid": [1, 2, 3, 4] * 2, "wave": [1] * 4 + [2] * 4,
    ...                    "recommend": [3, 8, 9, 5, 9, 9, 10, 8]})
    >>> paired_nps(df, id_column="rid", wave="wave")[["n_pairs", "nps_a", "nps_b", "difference"]]
       n_pairs  nps_a  nps_b  difference
    0        4  -25.0   75.0       100.0
    """
    where = "paired_nps()"
    _check_common(data, where, id_column=id_column, wave=wave, score=score)
    parts, _ = response_parts(data, score=score, weight=None, where=where)
    x = (parts["n_promoters"] - parts["n_detractors"]).where(parts["n"] > 0)
    present = pd.unique(data[wave].dropna())
    if waves is None:
        if len(present) != 2:
            raise CJMDataError(
                f"{where}: {wave!r} has {len(present)} waves; name the two to compare.",
                column=wave,
                fix="Pass waves=(earlier, later).",
            )
        waves = sorted(present, key=lambda v: (str(type(v)), v))
    frame = pd.DataFrame({"id": data[id_column].to_numpy(), "wave": data[wave].to_numpy(), "x": x.to_numpy()})
    frame = frame[frame["wave"].isin(list(waves))]
    dup = frame.duplicated(["id", "wave"])
    if dup.any():
        rows = list(data.index[frame.index[dup.to_numpy()]][:5])
        raise CJMDataError(
            f"{where}: respondents answer more than once in a wave.",
            column=id_column,
            rows=rows,
            values=list(frame.loc[dup, "id"][:5]),
            fix="Keep one answer per respondent and wave.",
        )
    wide = frame.pivot(index="id", columns="wave", values="x")
    both = wide[list(waves)].notna().all(axis=1)
    n_pairs = int(both.sum())
    if n_pairs < 2:
        raise CJMDataError(
            f"{where}: fewer than two respondents answered in both waves.",
            column=id_column,
            fix="Check that the respondent ids match across waves.",
        )
    a, b = wide.loc[both, waves[0]].to_numpy(float), wide.loc[both, waves[1]].to_numpy(float)
    diff = b - a
    mean = diff.mean() * 100
    se = diff.std(ddof=1) / np.sqrt(n_pairs) * 100
    t = float(stats.t.ppf(0.5 + confidence / 2, n_pairs - 1))
    p_value = float(2 * stats.t.sf(abs(mean) / se, n_pairs - 1)) if se > 0 else (1.0 if mean == 0 else 0.0)
    out = pd.DataFrame(
        {
            "wave_a": [waves[0]],
            "wave_b": [waves[1]],
            "n_pairs": [n_pairs],
            "n_unpaired": [int(len(wide) - n_pairs)],
            "nps_a": [a.mean() * 100],
            "nps_b": [b.mean() * 100],
            "difference": [mean],
            "se": [se],
            "ci_low": [mean - t * se],
            "ci_high": [mean + t * se],
            "p_value": [p_value],
        }
    )
    out["significant"] = out["p_value"] < alpha
    out["text"] = [
        describe_difference(
            out.nps_a[0],
            out.nps_b[0],
            ci_low=out.ci_low[0],
            ci_high=out.ci_high[0],
            p_value=p_value,
            confidence=confidence,
            language=language,
            alpha=alpha,
        )
    ]
    return out


@renamed_args({"low_base": "min_base"})
@validate_params({**_COMMON, "freq": [FREQ, None], "min_base": [MIN_BASE]})
def nps_trend(
    data: pd.DataFrame,
    *,
    period: str,
    freq: str | None = None,
    score: str = "recommend",
    weight: str | None = None,
    confidence: float = 0.95,
    alpha: float = 0.05,
    min_base: float = 50,
    scale: tuple[int, int] | None = None,
    rescale: str | None = None,
    correction: str = "fdr",
    language: str = "en",
) -> pd.DataFrame:
    """NPS per month, quarter, week or wave, with CIs and the change from the period before.

    The tracker of one NPS (:func:`cjm_lab.survey.tracker` with Wald intervals): the same
    estimates, tests and correction.

    Parameters
    ----------
    period : str
        A date column (with ``freq``) or a wave column (without).
    freq : {"W", "M", "Q", "Y"}, optional
        Calendar period for a date column: weeks (starting Monday), months, quarters, years.
    correction : {"fdr", "bonferroni", "none"}, default "fdr"
        Correction of the period-on-period tests for their number (Benjamini–Hochberg by
        default); ``significant`` uses the adjusted p-value.

    Returns
    -------
    DataFrame
        One row per period in order: ``period, n, n_eff, nps, se, ci_low, ci_high,
        low_base, change, change_ci_low, change_ci_high, change_p, change_p_adjusted,
        significant, measure, text`` (the change columns compare with the previous period;
        empty for the first).

    Examples
    --------
    >>> df = pd.DataFrame({"recommend": [10, 3, 9, 9, 10, 6],
    ...                    "date": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-02-03",
    ...                                            "2025-02-10", "2025-03-01", "2025-03-09"], utc=True)})
    >>> nps_trend(df, period="date", freq="M")[["period", "n", "nps"]]
        period  n    nps
    0  2025-01  2    0.0
    1  2025-02  2  100.0
    2  2025-03  2    0.0
    """
    where = "nps_trend()"
    _check_common(data, where, period=period, score=score, weight=weight)
    _, measure = response_parts(data, score=score, weight=weight, scale=scale, rescale=rescale, where=where)
    t = tracker(
        data,
        measures={score: {"kind": "nps", "scale": scale, "rescale": rescale}},
        wave=period,
        weight=weight,
        freq=freq,
        confidence=confidence,
        alpha=alpha,
        correction=correction,
        min_base=min_base,
        ci_method="wald",
        language=language,
    )
    out = t.rename(columns={"wave": "period", "estimate": "nps"})[
        [
            "period",
            "n",
            "n_eff",
            "nps",
            "se",
            "ci_low",
            "ci_high",
            "low_base",
            "change",
            "change_ci_low",
            "change_ci_high",
            "change_p",
            "change_p_adjusted",
            "significant",
            "text",
        ]
    ].copy()
    out.insert(len(out.columns) - 1, "measure", measure)
    out.attrs["tracker"] = dict(t.attrs.get("tracker", {}))
    return out


# --------------------------------------------------------------------------- words


def _fmt(x: float, language: str, *, sign: bool = False) -> str:
    """A whole NPS point in a sentence: typographic minus, ``±0`` for a signed zero."""
    return format_number(x, 0, language, sign=sign, signed_zero=True, missing="nan")


@renamed_args(positional=["ci_low", "ci_high", "p_value"])
@validate_params(
    {
        "confidence": [CONFIDENCE],
        "alpha": [ALPHA],
        "language": [LANGUAGE],
        "significant": [BOOLEAN, None],
        "correction": [CORRECTION],
    }
)
def describe_difference(
    before: float,
    after: float,
    *,
    ci_low: float,
    ci_high: float,
    p_value: float,
    confidence: float = 0.95,
    alpha: float = 0.05,
    language: str = "en",
    significant: bool | None = None,
    p_adjusted: float | None = None,
    correction: str = "none",
) -> str:
    """One sentence on an NPS change, ready to paste into a report.

    ``significant`` overrides ``p_value < alpha`` (after a correction for several tests);
    ``p_adjusted`` and ``correction`` (``"fdr"``, ``"bonferroni"``) add the adjusted p-value
    when it differs from ``p_value``, so the verdict and the numbers agree.  The interval and
    the p-value are keyword-only since 0.2 (by position they work, with a warning, until 0.3).

    Examples
    --------
    >>> describe_difference(12, 21, ci_low=2.2, ci_high=15.8, p_value=0.012)
    'NPS rose from 12 to 21 (+9, 95% CI +2 to +16, p = 0.01).'
    >>> describe_difference(12, 21, ci_low=2.2, ci_high=15.8, p_value=0.012, language="de")
    'Der NPS stieg von 12 auf 21 (+9, 95-%-KI +2 bis +16, p = 0,01).'
    >>> describe_difference(30, 27, ci_low=-9, ci_high=3, p_value=0.3)
    'NPS did not change significantly (30 to 27, −3, 95% CI −9 to +3, p = 0.30).'
    >>> describe_difference(12, 21, ci_low=2.2, ci_high=15.8, p_value=0.012, significant=False,
    ...                     p_adjusted=0.072, correction="fdr")
    'NPS did not change significantly (12 to 21, +9, 95% CI +2 to +16, p = 0.01, Benjamini–Hochberg adjusted p = 0.07).'
    """
    diff = after - before
    level = f"{confidence * 100:.0f}"
    ci = (
        f"{level}% CI {_fmt(ci_low, 'en', sign=True)} to {_fmt(ci_high, 'en', sign=True)}"
        if language == "en"
        else f"{level}-%-KI {_fmt(ci_low, 'de', sign=True)} bis {_fmt(ci_high, 'de', sign=True)}"
    )
    stat = f"{_fmt(diff, language, sign=True)}, {ci}, {format_p_values(p_value, p_adjusted, correction, language)}"
    a, b = _fmt(before, language), _fmt(after, language)
    if (p_value < alpha) if significant is None else significant:
        if language == "en":
            return f"NPS {'rose' if diff > 0 else 'fell'} from {a} to {b} ({stat})."
        return f"Der NPS {'stieg' if diff > 0 else 'sank'} von {a} auf {b} ({stat})."
    if language == "en":
        return f"NPS did not change significantly ({a} to {b}, {stat})."
    return f"Der NPS veränderte sich nicht signifikant ({a} auf {b}, {stat})."


_CORRECTED = {
    "en": {
        "fdr": "significant after Benjamini–Hochberg correction",
        "bonferroni": "significant after Bonferroni correction",
        "none": "significant, not corrected for the number of segments",
    },
    "de": {
        "fdr": "signifikant nach Benjamini-Hochberg-Korrektur",
        "bonferroni": "signifikant nach Bonferroni-Korrektur",
        "none": "signifikant, ohne Korrektur für die Zahl der Segmente",
    },
}


def _segment_sentence(row: Any, *, confidence: float, language: str, correction: str = "fdr") -> str:
    level = f"{confidence * 100:.0f}"
    diff = row.difference
    p_text = format_p_values(row.p_value, row.p_adjusted, correction, language)
    if language == "en":
        ci = f"{level}% CI {_fmt(row.ci_low, 'en', sign=True)} to {_fmt(row.ci_high, 'en', sign=True)}"
        stat = f"{_fmt(row.nps, 'en')} vs. {_fmt(row.nps_rest, 'en')}, {ci}, {p_text}"
        if row.significant:
            direction = "higher" if diff > 0 else "lower"
            return (
                f"NPS of {row.segment} is {abs(diff):.0f} points {direction} than in the rest of the sample "
                f"({stat}; {_CORRECTED['en'][correction]})."
            )
        return f"NPS of {row.segment} does not differ significantly from the rest of the sample ({stat})."
    ci = f"{level}-%-KI {_fmt(row.ci_low, 'de', sign=True)} bis {_fmt(row.ci_high, 'de', sign=True)}"
    stat = f"{_fmt(row.nps, 'de')} vs. {_fmt(row.nps_rest, 'de')}, {ci}, {p_text}"
    if row.significant:
        direction = "höher" if diff > 0 else "niedriger"
        return (
            f"Der NPS von {row.segment} liegt {abs(diff):.0f} Punkte {direction} als im Rest der Stichprobe "
            f"({stat}; {_CORRECTED['de'][correction]})."
        )
    return f"Der NPS von {row.segment} unterscheidet sich nicht signifikant vom Rest der Stichprobe ({stat})."
