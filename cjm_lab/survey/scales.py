"""Rating scales: CSAT and CES summaries, composite scores and Cronbach's alpha.

All functions read rating items (1–5, 1–7, 1–10 or 0–10; any whole-number scale
``(low, high)`` works, and :func:`scale_score` and :func:`cronbach_alpha` take any numeric
range with decimal ratings too, such as 0–10 perceptions with one decimal) and share one
reader that

* turns "don't know" codes (``dont_know=99``, or ``6`` on a 1–5 scale as in SPSS
  files that label it) into missing answers and *counts* them,
* rejects values outside the scale, non-whole numbers and text, naming the rows,
* explains columns that hold SPSS value labels instead of codes.

Top-box share
    The share of valid answers on the ``top`` highest points of the scale (top-2 box
    of a 1–5 scale: 4 and 5); the bottom box is the ``bottom`` lowest points.
    Its interval is Wilson's score interval on Kish's effective base
    ``n_eff = (Σw)² / Σw²`` (``n`` unweighted), which stays inside 0–100 % and
    covers well for small bases and shares near 0 or 100 %.
Weighted standard deviation
    ``sd² = (Σw(x − x̄)² / Σw) · n_eff / (n_eff − 1)``, the sample variance when
    unweighted.
Cronbach's alpha
    ``α = k/(k−1) · (1 − Σ var(item) / var(total))`` on listwise complete cases;
    standardised alpha ``k·r̄ / (1 + (k−1)·r̄)`` from the mean inter-item
    correlation; the interval is Feldt's (F distribution with ``n−1`` and
    ``(n−1)(k−1)`` degrees of freedom).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cjm_lab._format import plain_number
from cjm_lab._params import (
    BOOLEAN,
    CONFIDENCE,
    MIN_BASE,
    Integral,
    Interval,
    StrOptions,
    check_param,
    renamed_args,
    validate_params,
)
from cjm_lab._stats import wilson_bounds, z_value
from cjm_lab._validate import column_names, dont_know_codes, positive_weights, require_columns, require_frame
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.survey._common import check_scale, rating_values
from cjm_lab.survey.nps import TOTAL_LABEL

__all__ = ["csat", "ces", "scale_score", "cronbach_alpha", "COMMON_SCALES"]

#: The rating scales surveys use most; any whole-number ``(low, high)`` is accepted.
COMMON_SCALES: tuple[tuple[int, int], ...] = ((1, 5), (1, 7), (1, 10), (0, 10))

_BOX_COLUMNS = ["n", "n_missing", "n_dont_know", "n_eff", "mean", "sd"]


# --------------------------------------------------------------------------- shared readers
def _items_list(items: str | Sequence[str], *, where: str, min_items: int = 1) -> list[str]:
    cols = column_names(items, arg="items", where=where)
    if len(cols) < min_items:
        need = "one item" if min_items == 1 else f"at least {min_items} items"
        raise CJMConfigError(f"`items` in {where} must name {need} (rating columns), got {cols!r}.")
    dup = sorted({c for c in cols if cols.count(c) > 1})
    if dup:
        raise CJMConfigError(f"`items` in {where} names {', '.join(map(repr, dup))} more than once.")
    return cols


# --------------------------------------------------------------------------- CSAT / CES
def _box_table(
    data: pd.DataFrame,
    *,
    where: str,
    items: str | Sequence[str],
    scale: Any,
    top: int,
    bottom: int | None,
    by: str | Sequence[str] | None,
    weight: str | None,
    dont_know: Any,
    confidence: float,
    total: bool,
    min_base: float,
    high_share: str,
    low_share: str,
    flip: bool = False,
) -> pd.DataFrame:
    """The machinery behind :func:`csat` and :func:`ces` (one row per item and group)."""
    require_frame(data, where=where)
    cols = _items_list(items, where=where)
    by_cols = column_names(by, arg="by", where=where)
    require_columns(data, {"items": cols, "by": by_cols, "weight": weight}, where=where)
    overlap = [c for c in by_cols if c in cols]
    if overlap:
        raise CJMConfigError(f"{overlap[0]!r} cannot be both an item and a grouping column in `by` ({where}).")
    reserved = {"item", *_BOX_COLUMNS, high_share, low_share, "ci_low", "ci_high", "low_base"}
    clash = [c for c in by_cols if c in reserved]
    if clash:
        raise CJMConfigError(
            f"The grouping column {clash[0]!r} in {where} has the name of a result column; rename it first, "
            f"e.g. data.rename(columns={{{clash[0]!r}: {clash[0] + '_group'!r}}})."
        )
    low, high = check_scale(scale, where=where)
    points = int(high - low + 1)
    bottom = top if bottom is None else bottom
    box = Interval(
        Integral, 1, points - 1, note=f"scale points in the box on a {plain_number(low)}–{plain_number(high)} scale"
    )
    check_param(top, [box], name="top", where=where)
    check_param(bottom, [box], name="bottom", where=where)
    codes = dont_know_codes(dont_know, (low, high), where=where)

    values, dont = rating_values(data, cols, where=where, scale=(low, high), codes=codes)
    w = positive_weights(data, weight, where=where)
    valid = ~np.isnan(values)
    empty = [c for c, ok in zip(cols, valid.any(axis=0)) if not ok]
    if empty:
        dk = int(dont[:, cols.index(empty[0])].sum())
        raise CJMDataError(
            f"{where}: no respondent has a valid answer in {empty[0]!r}"
            + (f" ({dk} answered 'don't know')." if dk else "."),
            column=empty[0],
            fix="Check the column, the scale and the `dont_know` codes, or leave the item out.",
        )
    n, k = values.shape
    x = np.where(valid, values, 0.0)
    wv = np.where(valid, w[:, None], 0.0)
    hi_box = valid & (values > high - top)
    lo_box = valid & (values < low + bottom)
    # item-major long layout: item j occupies rows j*n .. (j+1)*n - 1
    parts = pd.DataFrame(
        {
            "_item": np.repeat(np.arange(k), n),
            "n": valid.T.ravel().astype(np.int64),
            "n_missing": (~valid).T.ravel().astype(np.int64),
            "n_dont_know": dont.T.ravel().astype(np.int64),
            "_w": wv.T.ravel(),
            "_w2": (wv**2).T.ravel(),
            "_wx": (wv * x).T.ravel(),
            "_wx2": (wv * x**2).T.ravel(),
            "_top": np.where(hi_box, wv, 0.0).T.ravel(),
            "_bottom": np.where(lo_box, wv, 0.0).T.ravel(),
        }
    )
    if by_cols:
        rows = np.tile(np.arange(n), k)
        # internal key names, so that a grouping column may be called anything (even "n")
        key_names = [f"_by{i}" for i in range(len(by_cols))]
        keys = [data[c].take(rows).reset_index(drop=True).rename(kn) for c, kn in zip(by_cols, key_names)]
        grouped = parts.groupby([parts["_item"], *keys], dropna=False, observed=True, sort=True).sum()
        grouped = grouped.drop(columns="_item", errors="ignore").reset_index()
        for kn in key_names:
            grouped[kn] = grouped[kn].astype(object)
        grouped["_total"] = 0
        if total:
            tot = parts.groupby("_item", sort=True).sum().reset_index()
            for kn in key_names:
                tot[kn] = TOTAL_LABEL
            tot["_total"] = 1
            grouped = pd.concat([grouped, tot[grouped.columns]], ignore_index=True)
        table = grouped.sort_values(["_item", "_total"], kind="stable").reset_index(drop=True)
    else:
        table = parts.groupby("_item", sort=True).sum().reset_index()

    sw = table["_w"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = np.where(table["_w2"] > 0, sw**2 / table["_w2"].to_numpy(dtype=float), 0.0)
        mean = table["_wx"].to_numpy(dtype=float) / sw
        var = np.maximum(table["_wx2"].to_numpy(dtype=float) / sw - mean**2, 0.0)
        sd = np.sqrt(np.where(n_eff > 1, var * n_eff / (n_eff - 1), np.nan))
        p_top = table["_top"].to_numpy(dtype=float) / sw
        p_bottom = table["_bottom"].to_numpy(dtype=float) / sw
    p_high, p_low = (p_bottom, p_top) if flip else (p_top, p_bottom)
    ci_low, ci_high = wilson_bounds(p_high, n_eff, z_value(confidence))

    if by_cols:
        out = table[key_names].copy()
        out.columns = by_cols
    else:
        out = pd.DataFrame(index=table.index)
    out["item"] = np.asarray(cols, dtype=object)[table["_item"].to_numpy()]
    for col in ("n", "n_missing", "n_dont_know"):
        out[col] = table[col].to_numpy(dtype=np.int64)
    out["n_eff"] = n_eff
    out["mean"] = mean
    out["sd"] = sd
    out[high_share] = p_high * 100
    out[low_share] = p_low * 100
    out["ci_low"] = ci_low * 100
    out["ci_high"] = ci_high * 100
    out["low_base"] = out["n"] < min_base
    return out.reset_index(drop=True)


#: The options csat() and ces() check the same way.
_BOX_OPTIONS = {"confidence": [CONFIDENCE], "total": [BOOLEAN], "min_base": [MIN_BASE]}


@renamed_args({"low_base": "min_base"})
@validate_params(_BOX_OPTIONS)
def csat(
    data: pd.DataFrame,
    *,
    items: str | Sequence[str],
    scale: tuple[int, int] = (1, 5),
    top: int = 2,
    bottom: int | None = None,
    by: str | Sequence[str] | None = None,
    weight: str | None = None,
    dont_know: float | Sequence[float] | None = None,
    confidence: float = 0.95,
    total: bool = True,
    min_base: float = 50,
) -> pd.DataFrame:
    """Customer satisfaction per rating item: mean, SD, top- and bottom-box share with CI.

    Parameters
    ----------
    data : DataFrame
        One row per response.
    items : str or list of str
        Rating columns, e.g. ``["Q11_1", "Q11_2", "Q11_3"]``.
    scale : (low, high), default (1, 5)
        The scale the items were asked on: ``(1, 5)``, ``(1, 7)``, ``(1, 10)``, ``(0, 10)`` or
        any other whole-number pair.  Values outside it raise :class:`CJMDataError`.
    top : int, default 2
        How many of the highest scale points make the top box (top-2 box: 4–5 on 1–5,
        9–10 on 0–10).
    bottom : int, optional
        How many of the lowest points make the bottom box; default as ``top``.
    by : str or list of str, optional
        Grouping columns; missing group values form their own group.
    weight : str, optional
        A column of positive weights.  Shares, means and SDs are weighted; the interval
        uses Kish's effective base.
    dont_know : number or list of numbers, optional
        "Don't know" codes (e.g. ``99``, or ``6`` on a 1–5 scale); they become missing
        and are counted in ``n_dont_know`` (and in ``n_missing``).  Codes that lie on the
        scale are refused.
    confidence : float, default 0.95
        Level of the Wilson interval of the top-box share.
    total : bool, default True
        Add a total row per item (grouping columns set to ``"Total"``) when ``by`` is given.
    min_base : float, default 50
        The smallest base read without caution: rows with fewer valid answers are flagged in
        ``low_base``.  (Called ``low_base`` before 0.2; the old name works until 0.3.)

    Returns
    -------
    DataFrame
        Long (tidy): one row per item and group, items in the order given, groups sorted
        and the total last within each item.  Columns: one per grouping variable, then
        ``item``, ``n`` (valid answers), ``n_missing`` (blank or don't know),
        ``n_dont_know``, ``n_eff``, ``mean``, ``sd``, ``pct_top_box``, ``pct_bottom_box``
        (percent of valid answers), ``ci_low``, ``ci_high`` (Wilson interval of
        ``pct_top_box``, percent) and ``low_base``.

    Raises
    ------
    CJMDataError
        Missing columns, values outside the scale (naming rows and values), text or
        value labels in an item, non-positive or missing weights, an item without any
        valid answer.
    CJMConfigError
        A bad ``scale``, ``top``, ``bottom``, ``confidence`` or a ``dont_know`` code on
        the scale.

    See Also
    --------
    ces : The same table for customer-effort items.

    Examples
    --------
    >>> df = pd.DataFrame({"coverage": [5, 4, 4, 3, 1, 99], "speed": [5, 5, 2, 2, 3, 4]})
    >>> out = csat(df, items=["coverage", "speed"], dont_know=99)
    >>> out[["item", "n", "n_dont_know", "mean", "pct_top_box", "pct_bottom_box"]]
           item  n  n_dont_know      mean  pct_top_box  pct_bottom_box
    0  coverage  5            1  3.400000    60.000000       20.000000
    1     speed  6            0  3.500000    50.000000       33.333333
    """
    return _box_table(
        data,
        where="csat()",
        items=items,
        scale=scale,
        top=top,
        bottom=bottom,
        by=by,
        weight=weight,
        dont_know=dont_know,
        confidence=confidence,
        total=total,
        min_base=min_base,
        high_share="pct_top_box",
        low_share="pct_bottom_box",
    )


@renamed_args({"low_base": "min_base"})
@validate_params(
    {**_BOX_OPTIONS, "easy": [StrOptions({"high": "high points mean little effort", "low": "low points do"})]}
)
def ces(
    data: pd.DataFrame,
    *,
    items: str | Sequence[str],
    scale: tuple[int, int],
    top: int = 2,
    easy: str = "high",
    by: str | Sequence[str] | None = None,
    weight: str | None = None,
    dont_know: float | Sequence[float] | None = None,
    confidence: float = 0.95,
    total: bool = True,
    min_base: float = 50,
) -> pd.DataFrame:
    """Customer effort score per item: mean on its scale and the share answering "easy".

    The same computation as :func:`csat`; the box of the ``top`` easiest points is
    reported as ``pct_easy`` (with its Wilson interval) and the ``top`` hardest points
    as ``pct_difficult``.  ``scale`` has no default: effort is asked on 1–5 (often
    "very difficult" … "very easy") and on 1–7 (CES 2.0, "the company made it easy …"),
    and a wrong scale would silently move the box.

    Parameters
    ----------
    data : DataFrame
        One row per response.
    items : str or list of str
        Effort rating columns.
    scale : (low, high)
        The scale of the items, e.g. ``(1, 5)`` or ``(1, 7)``.
    top : int, default 2
        Scale points in the "easy" (and the "difficult") box.
    easy : {"high", "low"}, default "high"
        Which end of the scale means little effort.  ``"low"`` for questionnaires that
        ask "how much effort …" with 1 = very low effort; the ``mean`` stays on the
        scale as asked.
    by, weight, dont_know, confidence, total, min_base
        As in :func:`csat`.

    Returns
    -------
    DataFrame
        As :func:`csat`, with ``pct_easy`` and ``pct_difficult`` in place of the top- and
        bottom-box shares; ``ci_low``/``ci_high`` bound ``pct_easy``.

    Raises
    ------
    CJMDataError, CJMConfigError
        As :func:`csat`; ``easy`` must be ``"high"`` or ``"low"``.

    Examples
    --------
    >>> df = pd.DataFrame({"bill": [5, 4, 2, 4, 6, 1]})  # 1 very difficult … 5 very easy, 6 don't know
    >>> ces(df, items="bill", scale=(1, 5), dont_know=6)[["item", "n", "n_missing", "mean", "pct_easy"]]
       item  n  n_missing  mean  pct_easy
    0  bill  5          1   3.2      60.0
    """
    return _box_table(
        data,
        where="ces()",
        items=items,
        scale=scale,
        top=top,
        bottom=None,
        by=by,
        weight=weight,
        dont_know=dont_know,
        confidence=confidence,
        total=total,
        min_base=min_base,
        high_share="pct_easy",
        low_share="pct_difficult",
        flip=easy == "low",
    )


# --------------------------------------------------------------------------- composite scores
def _reversed(reverse: str | Sequence[str], items: list[str], scale: Any, *, where: str) -> list[str]:
    rev = [reverse] if isinstance(reverse, str) else list(reverse or [])
    unknown = [r for r in rev if r not in items]
    if unknown:
        raise CJMConfigError(
            f"`reverse` in {where} names {', '.join(map(repr, unknown))}, which is not among `items` "
            f"({', '.join(map(repr, items))}). List reverse-coded items in `items` too."
        )
    if rev and scale is None:
        raise CJMConfigError(
            f"Reverse coding in {where} needs the `scale` (x becomes low + high − x); pass e.g. scale=(1, 5)."
        )
    return rev


@validate_params({"method": [StrOptions({"mean", "sum", "pomp"})]})
def scale_score(
    data: pd.DataFrame,
    *,
    items: str | Sequence[str],
    scale: tuple[int, int],
    reverse: str | Sequence[str] = (),
    method: str = "mean",
    min_valid: int | None = None,
    dont_know: float | Sequence[float] | None = None,
    name: str = "score",
) -> pd.Series:
    """Composite score per respondent from several rating items, with reverse coding.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    items : list of str
        The items of the scale.
    scale : (low, high)
        The items' common scale, any numbers with low < high (``(0, 10)`` for ratings with
        decimals such as 7.5); values outside it raise.
    reverse : str or list of str, optional
        Reverse-coded items (negatively worded); ``x`` becomes ``low + high − x`` (7.5 on
        0–10 becomes 2.5).
    method : {"mean", "sum", "pomp"}, default "mean"
        ``mean`` of the valid items; ``sum``: that mean times the number of items (a
        prorated sum, comparable between respondents who skipped an item and those who
        did not); ``pomp``: percent of maximum possible, ``(mean − low) / (high − low) · 100``.
    min_valid : int, optional
        Fewest valid items a respondent needs for a score (otherwise missing).  Default:
        half the items, rounded up.
    dont_know : number or list of numbers, optional
        "Don't know" codes, set missing before scoring.
    name : str, default "score"
        Name of the returned Series.

    Returns
    -------
    Series
        float64, aligned with ``data.index`` (assign it as a column:
        ``df["trust"] = scale_score(df, ...)``).  ``.attrs`` records ``items``,
        ``reverse``, ``method``, ``min_valid``, ``n_scored``, ``n_too_few_items``
        (respondents left without a score) and ``n_dont_know`` (answers set missing).

    Raises
    ------
    CJMDataError
        Missing columns, values outside the scale, text in an item.
    CJMConfigError
        A ``reverse`` item not in ``items``, an unknown ``method``, ``min_valid``
        outside 1 … number of items.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [5, 4, 1, None], "b": [4, 4, 2, None], "c_neg": [1, 2, 5, 3]})
    >>> s = scale_score(df, items=["a", "b", "c_neg"], scale=(1, 5), reverse="c_neg")
    >>> s.round(2).tolist()
    [4.67, 4.0, 1.33, nan]
    >>> s.attrs["n_too_few_items"]
    1
    """
    where = "scale_score()"
    require_frame(data, where=where)
    cols = _items_list(items, where=where)
    require_columns(data, {"items": cols}, where=where)
    low, high = check_scale(scale, where=where, whole=False)
    rev = _reversed(reverse, cols, scale, where=where)
    k = len(cols)
    if min_valid is None:
        min_valid = math.ceil(k / 2)
    check_param(min_valid, [Interval(Integral, 1, k, note="valid items")], name="min_valid", where=where)
    codes = dont_know_codes(dont_know, (low, high), where=where)
    values, dont = rating_values(data, cols, where=where, scale=(low, high), codes=codes, integer=False)
    if rev:
        idx = [cols.index(r) for r in rev]
        values[:, idx] = low + high - values[:, idx]
    valid = ~np.isnan(values)
    n_valid = valid.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(valid, values, 0.0).sum(axis=1) / n_valid
    mean = np.where(n_valid >= min_valid, mean, np.nan)
    if method == "sum":
        mean = mean * k
    elif method == "pomp":
        mean = (mean - low) / (high - low) * 100
    out = pd.Series(mean, index=data.index, name=name, dtype="float64")
    out.attrs = {
        "items": cols,
        "reverse": rev,
        "method": method,
        "min_valid": int(min_valid),
        "n_scored": int((n_valid >= min_valid).sum()),
        "n_too_few_items": int((n_valid < min_valid).sum()),
        "n_dont_know": int(dont.sum()),
    }
    return out


# --------------------------------------------------------------------------- reliability
@validate_params({"confidence": [CONFIDENCE]})
def cronbach_alpha(
    data: pd.DataFrame,
    *,
    items: Sequence[str],
    scale: tuple[int, int] | None = None,
    reverse: str | Sequence[str] = (),
    dont_know: float | Sequence[float] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Cronbach's alpha of a set of items, with item-total correlations and alpha if deleted.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    items : list of str
        At least two items meant to measure one thing.
    scale : (low, high), optional
        The items' scale, any numbers with low < high (decimal ratings allowed): checks the
        values and is needed for ``reverse``.
    reverse : str or list of str, optional
        Reverse-coded items, turned round (``low + high − x``) before anything is computed.
        A negative ``item_total_r`` usually means an item needs reversing.
    dont_know : number or list of numbers, optional
        "Don't know" codes, set missing (and so left out listwise).
    confidence : float, default 0.95
        Level of Feldt's interval for alpha.

    Returns
    -------
    DataFrame
        One row per item (in the order given).  Scale-level columns, repeated on every
        row: ``n_used`` (listwise complete respondents), ``n_dropped`` (respondents with
        a missing or don't-know answer, left out), ``k`` (items), ``alpha``,
        ``alpha_std`` (standardised, from the mean inter-item correlation), ``ci_low``,
        ``ci_high`` (Feldt).  Item columns: ``item``, ``reversed``, ``item_mean``,
        ``item_sd``, ``item_total_r`` (corrected: correlation of the item with the sum of
        the *other* items) and ``alpha_if_deleted`` (missing with two items).

    Raises
    ------
    CJMDataError
        Missing columns, text, values outside ``scale``, fewer than three complete
        respondents, an item that is constant among them.
    CJMConfigError
        Fewer than two items, ``reverse`` without ``scale`` or naming an unknown item.

    Examples
    --------
    >>> df = pd.DataFrame({"q1": [1, 2, 3, 4, 5], "q2": [2, 2, 3, 5, 4], "q3": [1, 3, 3, 4, 5]})
    >>> out = cronbach_alpha(df, items=["q1", "q2", "q3"])
    >>> out[["item", "n_used", "alpha", "item_total_r", "alpha_if_deleted"]].round(3)
      item  n_used  alpha  item_total_r  alpha_if_deleted
    0   q1       5  0.945         0.970             0.853
    1   q2       5  0.945         0.809             0.978
    2   q3       5  0.945         0.899             0.909
    """
    where = "cronbach_alpha()"
    require_frame(data, where=where)
    cols = _items_list(items, where=where, min_items=2)
    require_columns(data, {"items": cols}, where=where)
    bounds = check_scale(scale, where=where, whole=False) if scale is not None else None
    rev = _reversed(reverse, cols, scale, where=where)
    codes = dont_know_codes(dont_know, bounds, where=where)
    values, _ = rating_values(data, cols, where=where, scale=bounds, codes=codes, integer=False)
    if rev:
        idx = [cols.index(r) for r in rev]
        values[:, idx] = bounds[0] + bounds[1] - values[:, idx]  # type: ignore[index]
    complete = ~np.isnan(values).any(axis=1)
    n_used = int(complete.sum())
    k = len(cols)
    if n_used < 3:
        worst = cols[int(np.isnan(values).sum(axis=0).argmax())]
        raise CJMDataError(
            f"{where}: only {n_used} respondent(s) answered all {k} items; alpha needs at least 3 "
            f"(listwise). The item with the most missing answers is {worst!r}.",
            column=worst,
            fix="Leave out items few people answered, or check the don't-know codes.",
        )
    x = values[complete]
    cov = np.cov(x, rowvar=False, ddof=1)
    var = np.diag(cov).copy()
    flat = var <= 1e-12 * max(1.0, float(np.abs(x).max()) ** 2)
    if flat.any():
        j = int(np.flatnonzero(flat)[0])
        raise CJMDataError(
            f"{where}: every one of the {n_used} complete respondents gave {cols[j]!r} the same answer "
            f"({plain_number(float(x[0, j]))}); a constant item carries no information about reliability.",
            column=cols[j],
            fix=f"Leave {cols[j]!r} out of `items`.",
        )
    total_var = float(cov.sum())
    alpha = k / (k - 1) * (1 - var.sum() / total_var)
    corr = cov / np.sqrt(np.outer(var, var))
    r_bar = (corr.sum() - k) / (k * (k - 1))
    alpha_std = k * r_bar / (1 + (k - 1) * r_bar)
    df1 = n_used - 1
    df2 = df1 * (k - 1)
    tail = (1 - confidence) / 2
    ci_low = 1 - (1 - alpha) * stats.f.isf(tail, df1, df2)
    ci_high = 1 - (1 - alpha) * stats.f.isf(1 - tail, df1, df2)
    row_sum = cov.sum(axis=1)
    rest_var = total_var - 2 * row_sum + var  # variance of the total without item i
    with np.errstate(invalid="ignore", divide="ignore"):
        item_total = (row_sum - var) / np.sqrt(var * rest_var)
        if k > 2:
            alpha_del = (k - 1) / (k - 2) * (1 - (var.sum() - var) / rest_var)
        else:
            alpha_del = np.full(k, np.nan)
    return pd.DataFrame(
        {
            "item": cols,
            "reversed": [c in rev for c in cols],
            "n_used": n_used,
            "n_dropped": len(data) - n_used,
            "k": k,
            "alpha": alpha,
            "alpha_std": alpha_std,
            "ci_low": ci_low,
            "ci_high": ci_high,
            "item_mean": x.mean(axis=0),
            "item_sd": np.sqrt(var),
            "item_total_r": item_total,
            "alpha_if_deleted": alpha_del,
        }
    )
