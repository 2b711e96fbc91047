"""Net Promoter Score with effective base, standard error and confidence interval.

NPS = % promoters (9–10) − % detractors (0–6).  Its variance follows from the
multinomial distribution of promoters, passives and detractors::

    Var(p_P − p_D) = (p_P + p_D − (p_P − p_D)²) / n

With weights, shares are weighted and ``n`` is Kish's effective base
``n_eff = (Σw)² / Σw²``.  For small bases the Wald interval undercovers; the
adjusted Wald interval of Rocks (2016) adds ¾ promoter and ¾ detractor (and so
1½ passives) to the counts, n + 3, and covers close to its nominal rate even at
n = 20 (see ``tests/survey/test_nps.py`` for the simulation).

Every statistic is a function of seven sums per group (responses with a score, missing
answers, Σw, Σw², and the weights of promoters, passives and detractors), so a Parquet
file larger than memory is scored batch by batch: :func:`nps` adds up the sums of each
record batch and turns them into the table with the same (private) computation as a DataFrame's.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._format import plain_number
from cjm_lab._params import (
    BOOLEAN,
    CONFIDENCE,
    LANGUAGE,
    MIN_BASE,
    Interval,
    StrOptions,
    renamed_args,
    validate_params,
)
from cjm_lab._stats import z_value
from cjm_lab._validate import (
    column_names,
    dont_know_codes,
    numeric_column,
    positive_weights,
    require_columns,
    require_frame,
)
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.io.batches import (
    BATCH_SIZE,
    batch_error,
    batch_source,
    is_path,
    iter_frames,
    require_source_columns,
)

__all__ = ["nps", "nps_groups", "response_parts", "TOTAL_LABEL", "CI_METHOD", "RESCALE"]

#: How the interval of an NPS is computed.
CI_METHOD = StrOptions(
    {
        "auto": "adjusted Wald below `small_base`, Wald above",
        "wald": "Wald",
        "adjusted_wald": "adjusted Wald, Rocks 2016",
    }
)
#: How a score on another scale becomes an NPS.
RESCALE = StrOptions({"linear": "map onto 0–10", "top2": "top two points promoters, next two passives"})

#: The per-group sums every NPS statistic is computed from (see :func:`response_parts`).
_SUM_COLUMNS = ["n", "n_missing", "w", "w2", "n_promoters", "n_passives", "n_detractors"]

#: The label of the total row in grouped results.
TOTAL_LABEL = "Total"

_COLUMNS = [
    "n",
    "n_missing",
    "n_eff",
    "n_promoters",
    "n_passives",
    "n_detractors",
    "pct_promoters",
    "pct_passives",
    "pct_detractors",
    "nps",
    "se",
    "ci_low",
    "ci_high",
    "ci_method",
    "low_base",
]


@validate_params({})
def nps_groups(scores: pd.Series) -> pd.Series:
    """Classify 0–10 scores as ``promoter`` (9–10), ``passive`` (7–8) or ``detractor`` (0–6).

    Returns an ordered categorical (detractor < passive < promoter); missing stays missing.

    Examples
    --------
    >>> nps_groups(pd.Series([10, 8, 3, None])).tolist()
    ['promoter', 'passive', 'detractor', nan]
    """
    values = pd.to_numeric(scores, errors="coerce")
    labels = np.select([values >= 9, values >= 7, values >= 0], ["promoter", "passive", "detractor"], default="")
    out = pd.Series(labels, index=scores.index).replace("", np.nan)
    return pd.Series(
        pd.Categorical(out, categories=["detractor", "passive", "promoter"], ordered=True),
        index=scores.index,
        name=scores.name,
    )


def nps_interval(p: np.ndarray, d: np.ndarray, n: np.ndarray, method: np.ndarray, z: float) -> tuple[np.ndarray, ...]:
    """SE and CI (all in NPS points) for promoter/detractor shares p, d on base n."""
    with np.errstate(invalid="ignore", divide="ignore"):
        score = p - d
        se = np.sqrt(np.maximum(p + d - score**2, 0.0) / n)
        n_adj = n + 3.0
        p_adj = (p * n + 0.75) / n_adj
        d_adj = (d * n + 0.75) / n_adj
        score_adj = p_adj - d_adj
        se_adj = np.sqrt(np.maximum(p_adj + d_adj - score_adj**2, 0.0) / n_adj)
    adjusted = method == "adjusted_wald"
    centre = np.where(adjusted, score_adj, score)
    width = z * np.where(adjusted, se_adj, se)
    # the adjusted interval is centred on the adjusted score; on tiny bases (one detractor) it
    # would exclude the observed NPS itself, so it is widened to hold it
    low = np.fmin(np.clip(centre - width, -1.0, 1.0), score)
    high = np.fmax(np.clip(centre + width, -1.0, 1.0), score)
    return se * 100, low * 100, high * 100


@renamed_args({"low_base": "min_base"})
@validate_params(
    {
        "confidence": [CONFIDENCE],
        "ci_method": [CI_METHOD],
        "small_base": [Interval(Real, 0, None, closed="left", example="100")],
        "min_base": [MIN_BASE],
        "total": [BOOLEAN],
        "rescale": [RESCALE, None],
        "batch_size": [BATCH_SIZE],
        "language": [LANGUAGE],
    }
)
def nps(
    data: pd.DataFrame | str | os.PathLike,
    *,
    score: str = "recommend",
    by: str | Sequence[str] | None = None,
    weight: str | None = None,
    confidence: float = 0.95,
    ci_method: str = "auto",
    small_base: float = 100,
    min_base: float = 50,
    total: bool = True,
    scale: tuple[int, int] | None = None,
    rescale: str | None = None,
    dont_know: float | Sequence[float] | None = None,
    batch_size: int = 100_000,
    labels: Any = None,
    language: str = "en",
) -> pd.DataFrame:
    """Net Promoter Score per group with effective base, SE, CI and a low-base flag.

    Parameters
    ----------
    data : DataFrame or path
        One row per response: a DataFrame, or a Parquet file, a folder of Parquet parts
        or a glob (``"survey/wave-*.parquet"``).  A path is read in record batches of
        ``batch_size`` rows, only the score, ``by`` and ``weight`` columns, and never
        loaded whole; the result is the same table as for the loaded DataFrame.  Rows in
        an error message count from 0 across the parts in name order.
    score : str, default ``"recommend"``
        The 0–10 likelihood-to-recommend column (whole numbers; missing answers are
        counted in ``n_missing`` and left out).
    by : str or list of str, optional
        Grouping columns; any number, in one call.  Missing group values form their own
        group.
    weight : str, optional
        A column of positive weights.
    confidence : float, default 0.95
        Confidence level of the interval.
    ci_method : {"auto", "wald", "adjusted_wald"}, default "auto"
        ``auto`` uses the adjusted Wald interval (Rocks 2016) where the effective base is
        below ``small_base`` and the Wald interval otherwise.
    small_base : float, default 100
        The effective base below which ``auto`` adjusts.
    min_base : float, default 50
        The smallest base read without caution: groups with fewer responses are flagged in
        ``low_base``.  (Called ``low_base`` before 0.2; the old name works until 0.3.)
    total : bool, default True
        Add a total row (grouping columns set to ``"Total"``) when ``by`` is given.
    scale : (low, high), optional
        The scale the recommend question was asked on: default the ``recommend_scale``
        that :func:`cjm_lab.io.load_survey` recorded, else 0–10.  Anything but 0–10 needs
        an explicit ``rescale``, and the result is labelled "NPS-like" in ``measure``.
    rescale : {"linear", "top2"}, optional
        How another scale becomes an NPS: ``"linear"`` maps it onto 0–10
        (``(x − low) · 10 / (high − low)``) and applies the 9+/≤6 cut-offs to the mapped
        value; ``"top2"`` counts the top two scale points as promoters and the next two as
        passives.  On a 1–10 scale, ``linear`` makes only 10 a promoter; ``top2`` makes 9
        and 10 promoters.
    dont_know : number or list of numbers, optional
        Codes of "don't know" and similar answers (e.g. 99) in the score column: they
        count as missing answers (in ``n_missing``).  Codes on the scale are refused.
    batch_size : int, default 100,000
        Rows per record batch when ``data`` is a path (memory grows with it; the result
        does not depend on it).
    labels : Labels, dict or codebook path, optional
        Labels on top of those stored with ``data`` (:func:`cjm_lab.labels.labels_for`): the
        groups are shown by their value labels (region ``"North"``, not ``1``); without value
        labels whole-number groups lose their ``.0`` (wave ``2021``, not ``2021.0``).
    language : {"en", "de"}, default "en"
        The language of the value labels.

    Returns
    -------
    DataFrame
        One column per grouping variable (its groups as a reader sees them, see ``labels``),
        then ``n`` (responses with a score), ``n_missing``, ``n_eff`` (Kish; equals n unweighted), ``n_promoters``,
        ``n_passives``, ``n_detractors`` (weighted counts when weighted),
        ``pct_promoters``, ``pct_passives``, ``pct_detractors`` (percent), ``nps``
        (−100 to 100), ``se`` (in NPS points), ``ci_low``, ``ci_high``, ``ci_method``,
        ``low_base`` and ``measure`` (``"NPS"``, or the "NPS-like" rescaling used).

    Raises
    ------
    CJMDataError
        Missing columns, scores outside 0–10 or not whole numbers, text in the score,
        zero, negative or missing weights, no valid score at all; from a path, also the
        batch, its rows and the file.
    CJMConfigError
        Bad options, or a path to something other than Parquet (load it with
        :func:`cjm_lab.io.load_survey` and pass the DataFrame).

    Examples
    --------
    >>> df = pd.DataFrame({"recommend": [10, 9, 8, 7, 6, 0, 10, 9, 3, 10],
    ...                    "wave": [1, 1, 1, 1, 1, 2, 2, 2, 2, 2]})
    >>> nps(df)[["n", "pct_promoters", "pct_detractors", "nps"]]
        n  pct_promoters  pct_detractors   nps
    0  10           50.0            30.0  20.0
    >>> nps(df, by="wave")[["wave", "n", "nps", "low_base"]]
        wave   n   nps  low_base
    0      1   5  20.0      True
    1      2   5  20.0      True
    2  Total  10  20.0      True
    >>> from cjm_lab.labels import Labels
    >>> nps(df, by="wave", labels=Labels(values={"wave": {1: "Spring", 2: "Autumn"}}))["wave"].tolist()
    ['Spring', 'Autumn', 'Total']

    From Parquet, in batches (here of 4 rows):

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "answers.parquet")
    >>> df.to_parquet(path)
    >>> nps(path, by="wave", batch_size=4).equals(nps(df, by="wave"))
    True
    """
    where = "nps()"
    from_file = is_path(data)
    if not from_file:
        require_frame(data, where=where)
    by_cols = column_names(by, arg="by", where=where)
    columns = {"score": score, "by": by_cols, "weight": weight}
    if not from_file:
        require_columns(data, columns, where=where)
    if score in by_cols:
        raise CJMConfigError(f"`score` ({score!r}) cannot also be a grouping column in `by`.")

    options: dict[str, Any] = {
        "score": score,
        "weight": weight,
        "scale": scale,
        "rescale": rescale,
        "dont_know": dont_know,
        "where": where,
    }
    if from_file:
        table, measure = _sums_from_file(data, by_cols, columns, batch_size=batch_size, **options)
    else:
        parts, measure = response_parts(data, **options)
        table = _group_sums(parts, [data[c] for c in by_cols])  # type: ignore[index]
    out = _nps_from_sums(
        table,
        by_cols,
        score=score,
        measure=measure,
        weighted=weight is not None,
        confidence=confidence,
        ci_method=ci_method,
        small_base=small_base,
        min_base=min_base,
        total=total,
        where=where,
    )
    if by_cols:
        from cjm_lab.labels import labels_for, shown_values

        lab = labels_for(data if isinstance(data, pd.DataFrame) else None, labels, language=language)
        for c in by_cols:
            out[c] = shown_values(out[c], c, lab, language=language, keep=[TOTAL_LABEL] if total else ())
    return out


def _group_sums(parts: pd.DataFrame, keys: Sequence[pd.Series]) -> pd.DataFrame:
    """The sums of :func:`response_parts` per group of ``keys`` (one row without keys)."""
    if not keys:
        return parts.sum().to_frame().T
    return parts.groupby(list(keys), dropna=False, observed=True, sort=True).sum().reset_index()


def _merge_sums(tables: list[pd.DataFrame], by_cols: list[str]) -> pd.DataFrame:
    both = pd.concat(tables, ignore_index=True)
    if not by_cols:
        return both.sum().to_frame().T
    return both.groupby(by_cols, dropna=False, observed=True, sort=True).sum().reset_index()


def _sums_from_file(
    source: str | os.PathLike,
    by_cols: list[str],
    columns: dict[str, Any],
    *,
    batch_size: int,
    score: str,
    weight: str | None,
    where: str,
    **options: Any,
) -> tuple[pd.DataFrame, str]:
    """Per-group sums of a Parquet file, folder or glob, added up record batch by record batch."""
    src = batch_source(source, where=where)
    require_source_columns(src, columns, where=where)
    read = [score, *by_cols, *([weight] if weight is not None else [])]
    table, measure = None, "NPS"
    for number, part, frame in iter_frames(src, read, batch_size=batch_size):
        try:
            parts, measure = response_parts(
                frame, score=score, weight=weight, where=where, require_scores=False, **options
            )
        except CJMDataError as err:
            raise batch_error(err, src, number, part, frame, batch_size=batch_size) from None
        sums = _group_sums(parts, [frame[c] for c in by_cols])
        table = sums if table is None else _merge_sums([table, sums], by_cols)
    if table is None:
        raise CJMDataError(
            f"{where}: the Parquet data holds no rows.",
            source=src.text,
            fix="Check the files, or the filter of the export.",
        )
    return table, measure


def _nps_from_sums(
    table: pd.DataFrame,
    by_cols: Sequence[str] = (),
    *,
    score: str = "recommend",
    measure: str = "NPS",
    weighted: bool = False,
    confidence: float = 0.95,
    ci_method: str = "auto",
    small_base: float = 100,
    min_base: float = 50,
    total: bool = True,
    where: str = "nps()",
) -> pd.DataFrame:
    """The NPS table from per-group sums: the one computation behind :func:`nps`.

    Parameters
    ----------
    table : DataFrame
        One row per group: the grouping columns, then ``_SUM_COLUMNS`` (``n``,
        ``n_missing``, ``w``, ``w2``, ``n_promoters``, ``n_passives``, ``n_detractors``),
        as :func:`response_parts` makes them, summed.
    by_cols : list of str
        The grouping columns of ``table`` (none: one row, no total).
    score, measure, weighted, confidence, ci_method, small_base, min_base, total
        As in :func:`nps` (``measure`` is the label of the result).

    Returns
    -------
    DataFrame
        The table of :func:`nps`.

    Examples
    --------
    >>> sums = pd.DataFrame({"n": [10], "n_missing": [0], "w": [10.0], "w2": [10.0],
    ...                      "n_promoters": [5.0], "n_passives": [2.0], "n_detractors": [3.0]})
    >>> _nps_from_sums(sums)[["n", "nps"]]
        n   nps
    0  10  20.0
    """
    by_cols = list(by_cols)
    if float(table["n"].sum()) == 0:
        raise CJMDataError(
            f"{where}: no response has a score in {score!r}.",
            column=score,
            fix="Check the column and the missing-value codes.",
        )
    if by_cols and total:
        tot = table[_SUM_COLUMNS].sum().to_frame().T
        for c in by_cols:
            tot[c] = TOTAL_LABEL
        table = pd.concat([_object_keys(table, by_cols), tot[table.columns]], ignore_index=True)
    out = _finish(
        table,
        by_cols,
        weighted=weighted,
        confidence=confidence,
        ci_method=ci_method,
        small_base=small_base,
        min_base=min_base,
    )
    out["measure"] = measure
    return out


def response_parts(
    data: pd.DataFrame,
    *,
    score: str,
    weight: str | None,
    scale: tuple[int, int] | None = None,
    rescale: str | None = None,
    dont_know: float | Sequence[float] | None = None,
    where: str = "nps()",
    require_scores: bool = True,
) -> tuple[pd.DataFrame, str]:
    """Per-response indicators that every NPS statistic sums: n, n_missing, w, w², P, A, D.

    Returns the frame (aligned to ``data.index``, columns ``_SUM_COLUMNS``) and the
    label of the measure.  ``require_scores=False`` accepts a part of the data (a record
    batch) without any valid score; the caller checks the sums.
    """
    if scale is None:
        meta = data.attrs.get("cjm", {}) if isinstance(data.attrs.get("cjm"), dict) else {}
        recorded = meta.get("recommend_scale") if score == "recommend" else None
        scale = tuple(recorded) if recorded else (0, 10)
    lo, hi = _check_scale(scale, rescale)
    scored = data
    if dont_know is not None:
        codes = dont_know_codes(dont_know, (lo, hi), where=where)
        raw = data[score]
        coded = pd.to_numeric(
            raw.astype(object) if isinstance(raw.dtype, pd.CategoricalDtype) else raw, errors="coerce"
        ).isin(codes)
        scored = pd.DataFrame({score: raw.mask(coded)}, index=data.index)
    values = numeric_column(scored, score, where=where, low=lo, high=hi, integer=True).to_numpy()
    w = positive_weights(data, weight, where=where)
    valid = ~np.isnan(values)
    if require_scores and not valid.any():
        raise CJMDataError(
            f"{where}: no response has a score in {score!r}.",
            column=score,
            fix="Check the column and the missing-value codes.",
        )
    if rescale == "linear":
        mapped = (values - lo) * 10.0 / (hi - lo)
        promoter, detractor = mapped >= 9, mapped <= 6
        measure = f"NPS-like ({plain_number(lo)}–{plain_number(hi)} mapped linearly onto 0–10)"
    elif rescale == "top2":
        promoter, detractor = values >= hi - 1, values <= hi - 4
        measure = f"NPS-like ({plain_number(lo)}–{plain_number(hi)}: top two points promoters, next two passives)"
    else:
        promoter, detractor = values >= 9, values <= 6
        measure = "NPS"
    wv = np.where(valid, w, 0.0)
    parts = pd.DataFrame(
        {
            "n": valid.astype(np.int64),
            "n_missing": (~valid).astype(np.int64),
            "w": wv,
            "w2": wv**2,
            "n_promoters": np.where(valid & promoter, w, 0.0),
            "n_passives": np.where(valid & ~promoter & ~detractor, w, 0.0),
            "n_detractors": np.where(valid & detractor, w, 0.0),
        },
        index=data.index,
    )
    return parts, measure


def _check_scale(scale: tuple[int, int], rescale: str | None) -> tuple[float, float]:
    try:
        lo, hi = (float(scale[0]), float(scale[1]))
    except (TypeError, ValueError, IndexError):
        raise CJMConfigError(f"`scale` must be (low, high), e.g. (0, 10); got {scale!r}.") from None
    if lo >= hi or hi - lo < 4:
        raise CJMConfigError(f"`scale` must span at least five points with low < high; got {scale!r}.")
    if (lo, hi) != (0, 10) and rescale is None:
        raise CJMConfigError(
            f"The score is on a {plain_number(lo)}–{plain_number(hi)} scale, and NPS is defined on 0–10. "
            "Say how to rescale: "
            "rescale='linear' (map onto 0–10, then 9+ promoters and 6 or less detractors) or rescale='top2' "
            "(top two points promoters, next two passives). The result is labelled 'NPS-like'."
        )
    if (lo, hi) == (0, 10) and rescale is not None:
        raise CJMConfigError("The score is already on 0–10: leave `rescale` unset.")
    return lo, hi


def _object_keys(table: pd.DataFrame, by_cols: list[str]) -> pd.DataFrame:
    table = table.copy()
    for c in by_cols:
        table[c] = table[c].astype(object)
    return table


def _finish(
    table: pd.DataFrame,
    by_cols: list[str],
    *,
    weighted: bool,
    confidence: float,
    ci_method: str,
    small_base: float,
    min_base: float,
) -> pd.DataFrame:
    wsum = table["w"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = np.where(table["w2"] > 0, wsum**2 / table["w2"].to_numpy(dtype=float), 0.0)
        p = table["n_promoters"].to_numpy(dtype=float) / wsum
        a = table["n_passives"].to_numpy(dtype=float) / wsum
        d = table["n_detractors"].to_numpy(dtype=float) / wsum
    if ci_method == "auto":
        method = np.where(n_eff < small_base, "adjusted_wald", "wald")
    else:
        method = np.full(len(table), ci_method)
    z = z_value(confidence)
    se, low, high = nps_interval(p, d, n_eff, method, z)
    out = table[by_cols].copy() if by_cols else pd.DataFrame(index=table.index)
    out["n"] = table["n"].to_numpy(dtype=np.int64)
    out["n_missing"] = table["n_missing"].to_numpy(dtype=np.int64)
    out["n_eff"] = n_eff
    for col in ("n_promoters", "n_passives", "n_detractors"):
        counts = table[col].to_numpy(dtype=float)
        out[col] = counts if weighted else counts.astype(np.int64)
    out["pct_promoters"] = p * 100
    out["pct_passives"] = a * 100
    out["pct_detractors"] = d * 100
    out["nps"] = (p - d) * 100
    out["se"] = se
    out["ci_low"] = low
    out["ci_high"] = high
    out["ci_method"] = method
    out["low_base"] = out["n"] < min_base
    return out.reset_index(drop=True)[[*by_cols, *_COLUMNS]]
