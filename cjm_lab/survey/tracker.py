"""Trackers: the same questions wave after wave, with weighted estimates and tested changes.

:func:`tracker` gives, per wave, a share, a top/bottom box, a mean, an NPS or the options of
a multiple-response question, each with its weighted estimate, confidence interval, bases and
the change from the previous wave with its test.  :func:`cjm_lab.survey.nps_trend` is the
tracker of one NPS.

Estimates and intervals (weights ``w``; unweighted ``w = 1``)
    Every estimate is a weighted mean ``x̄ = Σw·x / Σw`` of a per-answer value ``x``: 0/1
    for a share (in percent), the score for a mean, +1/0/−1 for promoters, passives and
    detractors for an NPS (in points).  Its precision rests on Kish's effective base
    ``n_eff = (Σw)² / Σw²``:

    * share ``p``: Wilson score interval on ``n_eff``; ``se = sqrt(p (1 − p) / n_eff)``;
    * mean: ``s² = (Σw(x − x̄)² / Σw) · n_eff / (n_eff − 1)``, ``se = s / sqrt(n_eff)``,
      t interval with ``n_eff − 1`` degrees of freedom;
    * NPS: ``se = sqrt((p_P + p_D − (p_P − p_D)²) / n_eff)``, the Wald interval, or the
      adjusted Wald interval of Rocks (2016) below an effective base of 100
      (``ci_method="auto"``, as :func:`cjm_lab.survey.nps`).

Change from the previous wave
    ``Δ = x̄_t − x̄_{t−1}`` with ``se_Δ = sqrt(se_t² + se_{t−1}²)`` (independent samples),
    tested by a z-test (shares, NPS) or Welch's t-test with Welch–Satterthwaite degrees
    of freedom on the effective bases (means).  The interval of the change is
    ``Δ ± crit · se_Δ``.  ``correction`` adjusts the p-values within each measure (all its
    levels and waves form one family): ``"fdr"`` (Benjamini–Hochberg, default),
    ``"bonferroni"`` or ``"none"``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cjm_lab._format import format_number, format_p_values
from cjm_lab._params import (
    ALPHA,
    CONFIDENCE,
    CORRECTION,
    LANGUAGE,
    MIN_BASE,
    StrOptions,
    outside_stacklevel,
    renamed_args,
    validate_params,
)
from cjm_lab._stats import adjust_pvalues, wilson_bounds, z_value
from cjm_lab._validate import numeric_column, offending, positive_weights, require_columns, require_frame
from cjm_lab.errors import CJMConfigError, CJMDataError, CJMDataWarning
from cjm_lab.io.metadata import multiple_response_sets
from cjm_lab.survey.nps import CI_METHOD

__all__ = ["tracker", "TRACKER_COLUMNS", "MEASURE_KINDS", "FREQ"]

#: What a measure can be.
MEASURE_KINDS = ("share", "top_box", "bottom_box", "mean", "nps", "multi")

#: The columns of the table :func:`tracker` returns.
TRACKER_COLUMNS = [
    "measure",
    "label",
    "kind",
    "level",
    "wave",
    "n",
    "n_missing",
    "n_eff",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "low_base",
    "change",
    "change_se",
    "change_ci_low",
    "change_ci_high",
    "change_p",
    "change_p_adjusted",
    "significant",
    "test",
    "text",
]

_FREQ = {"W": "W-SUN", "M": "M", "Q": "Q", "Y": "Y"}

#: The calendar periods a date column is grouped by.
FREQ = StrOptions({"W": "weeks from Monday", "M": "months", "Q": "quarters", "Y": "years"})


@dataclass
class _Measure:
    key: str
    column: str | list[str]
    kind: str
    options: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- measures
def _parse(data: pd.DataFrame, measures: Any, *, where: str) -> list[_Measure]:
    """``measures`` (list of columns, or ``{name: spec}``) as a list of :class:`_Measure`."""
    sets = multiple_response_sets(data, check=False)
    if isinstance(measures, str):
        measures = [measures]
    if isinstance(measures, Mapping):
        items = list(measures.items())
    elif isinstance(measures, Sequence):
        items = [(m, None) for m in measures]
    else:
        raise CJMConfigError(
            f"`measures` in {where} lists columns or maps them to what to compute, e.g. "
            "{'Q8': 'nps', 'Q11_1': {'kind': 'top_box', 'top': 2, 'scale': (1, 5)}, 'aware': 'share'}; "
            f"got {measures!r}."
        )
    if not items:
        raise CJMConfigError(f"`measures` in {where} must name at least one column.")
    out = []
    for key, spec in items:
        key = str(key)
        opts: dict[str, Any] = {}
        if isinstance(spec, Mapping):
            opts = dict(spec)
            kind = opts.pop("kind", None)
            column = opts.pop("column", key)
        else:
            kind, column = spec, key
        if isinstance(kind, str) and kind.startswith(("top", "bottom")) and kind[-1].isdigit():
            opts.setdefault(
                "top" if kind.startswith("top") else "bottom", int(kind.removeprefix("top").removeprefix("bottom"))
            )
            kind = "top_box" if kind.startswith("top") else "bottom_box"
        if kind is None:
            if "top" in opts:
                kind = "top_box"
            elif "bottom" in opts:
                kind = "bottom_box"
            elif "values" in opts:
                kind = "share"
            else:
                kind = _infer_kind(data, column, sets)
        if kind not in MEASURE_KINDS:
            raise CJMConfigError(
                f"`measures` in {where}: {key!r} asks for {kind!r}; a measure is one of "
                f"{', '.join(MEASURE_KINDS)} (or 'top2', 'bottom2', …)."
            )
        if kind == "multi":
            if isinstance(column, str) and column in sets:
                column = column  # a set name
            elif isinstance(column, str) and column not in data.columns:
                from cjm_lab._validate import suggest

                raise CJMDataError(
                    f"{where}: {column!r} is neither a column nor a multiple-response set.{suggest(column, sets)}",
                    column=column,
                    fix="Name a set stored with the table, or give its columns: {'Brands': {'kind': 'multi', "
                    "'column': ['Q4_1', 'Q4_2']}}.",
                )
        else:
            require_columns(data, {"measures": column}, where=where)
        out.append(_Measure(key, column, kind, opts))
    return out


def _infer_kind(data: pd.DataFrame, column: str, sets: Mapping[str, Any]) -> str:
    if column in sets and column not in data.columns:
        return "multi"
    if column == "recommend":
        return "nps"
    if column not in data.columns:
        return "mean"  # require_columns names it
    s = data[column]
    if isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(s.dtype):
        return "share"
    if pd.api.types.is_numeric_dtype(s.dtype):
        values = pd.unique(s.dropna())
        return "share" if set(np.asarray(values, dtype=float)) <= {0.0, 1.0} else "mean"
    return "share"


def _waves(data: pd.DataFrame, wave: str, freq: str | None, *, where: str) -> tuple[np.ndarray, list[Any]]:
    """Wave code per row (-1 for missing) and the waves in order."""
    values = data[wave]
    if freq is not None:
        if not pd.api.types.is_datetime64_any_dtype(values.dtype):
            raise CJMDataError(
                f"{where}: {wave!r} is not a date column (dtype {values.dtype}).",
                column=wave,
                fix="Load the survey with the date mapped to 'date' (load_survey parses it, SPSS dates too), "
                "or leave `freq` unset for a wave column.",
            )
        dates = (
            values.dt.tz_convert("UTC").dt.tz_localize(None) if isinstance(values.dtype, pd.DatetimeTZDtype) else values
        )
        if freq == "W":
            keys = dates.dt.to_period("W-SUN").dt.start_time.dt.strftime("%G-W%V")
        else:
            keys = dates.dt.to_period(_FREQ[freq]).astype("str")
        keys = keys.where(dates.notna())
        order = sorted(pd.unique(keys.dropna()))
    elif isinstance(values.dtype, pd.CategoricalDtype):
        present = set(pd.unique(values.dropna()))
        order = [c for c in values.cat.categories if c in present]
        keys = values.astype(object)
    elif pd.api.types.is_datetime64_any_dtype(values.dtype):
        raise CJMConfigError(f"{where}: {wave!r} holds dates; say how to group them with freq='M' (or 'W', 'Q', 'Y').")
    else:
        present = values.dropna()
        mixed = pd.api.types.infer_dtype(present, skipna=True).startswith("mixed")
        if mixed:  # only then look at each value, to name the rows
            kinds = present.map(lambda v: "text" if isinstance(v, str) else "number")
        if mixed and kinds.nunique() > 1:
            minority = kinds.value_counts().index[-1]
            mask = np.zeros(len(values), dtype=bool)
            mask[values.index.get_indexer(kinds.index[kinds == minority])] = True
            rows, vals = offending(mask, values)
            raise CJMDataError(
                f"{where}: the wave column {wave!r} mixes numbers and text, so the waves cannot be ordered.",
                column=wave,
                rows=rows,
                values=vals,
                fix="Write every wave the same way (all numbers such as 2021, or all text such as 'Welle 3'); "
                "load_survey with the column mapped to 'wave' keeps the wave labels and their order.",
            )
        keys = values.astype(object)
        if pd.api.types.is_float_dtype(values.dtype) and (present == np.round(present)).all():
            keys = values.astype("Int64").astype(object).where(values.notna())  # 2021.0 is wave 2021
        order = sorted(pd.unique(keys.dropna()), key=lambda v: (str(type(v)), v))
    index = pd.Index(order, dtype=object)
    codes = index.get_indexer(pd.Index(keys.to_numpy(dtype=object), dtype=object))
    codes[pd.isna(keys).to_numpy()] = -1
    return codes, order


# --------------------------------------------------------------------------- per-answer values
def _values(data: pd.DataFrame, m: _Measure, *, where: str) -> list[tuple[Any, np.ndarray, np.ndarray]]:
    """``(level, x, valid)`` per level of a measure: x the per-answer value (0/1, score, ±1)."""
    from cjm_lab._validate import dont_know_codes
    from cjm_lab.survey._common import check_scale, numeric_values

    opts = m.options
    if m.kind == "multi":
        from cjm_lab.io.multi import multiple_response

        spec = m.column if isinstance(m.column, str) else {m.key: list(m.column)}
        mr = multiple_response(data, spec, counted=opts.get("counted"), where=where)
        return [(opt, mr.selected[:, j].astype(float), mr.answered) for j, opt in enumerate(mr.options)]
    column: str = m.column  # type: ignore[assignment]  # a list only for multiple-response sets, handled above
    series = data[column]
    dk = opts.get("dont_know")
    if m.kind == "nps":
        from cjm_lab.survey.nps import response_parts

        parts, _ = response_parts(
            data,
            score=column,
            weight=None,
            scale=opts.get("scale"),
            rescale=opts.get("rescale"),
            dont_know=dk,
            where=where,
        )
        valid = parts["n"].to_numpy() > 0
        x = np.where(parts["n_promoters"] > 0, 1.0, np.where(parts["n_detractors"] > 0, -1.0, 0.0))
        return [(None, np.where(valid, x, np.nan), valid)]
    if m.kind in ("mean", "top_box", "bottom_box"):
        scale = check_scale(opts["scale"], where=where) if opts.get("scale") is not None else None
        codes = dont_know_codes(dk, scale, where=where)
        x = numeric_values(data, column, where=where)
        if codes:
            x = x.mask(x.isin(codes))
        if scale is not None:
            x = numeric_column(pd.DataFrame({column: x}), column, where=where, low=scale[0], high=scale[1])
        x = x.to_numpy(dtype=float)
        valid = ~np.isnan(x)
        if m.kind == "mean":
            return [(None, x, valid)]
        if scale is None:
            raise CJMConfigError(
                f"{where}: the box of {m.key!r} needs the scale, e.g. {{'kind': 'top_box', 'top': 2, 'scale': (1, 5)}}."
            )
        k = int(opts.get("top", opts.get("bottom", 2)))
        if k < 1 or k >= scale[1] - scale[0] + 1:
            raise CJMConfigError(f"{where}: the box of {m.key!r} must hold 1 to {int(scale[1] - scale[0])} points.")
        hit = x > scale[1] - k if m.kind == "top_box" else x < scale[0] + k
        return [(None, np.where(valid, hit.astype(float), np.nan), valid)]
    # share
    valid = series.notna().to_numpy()
    if dk is not None:
        dk_list = list(dk) if isinstance(dk, (list, tuple, set)) else [dk]
        from cjm_lab.io.metadata import code_key, code_keys

        is_dk = code_keys(series).isin({code_key(c) for c in dk_list}).to_numpy()
        valid = valid & ~is_dk
    values = opts.get("values")
    if values is None and opts.get("counted") is None:
        binary = _binary(series)
        if binary is None:  # one share per category
            levels = (
                list(series.cat.categories)
                if isinstance(series.dtype, pd.CategoricalDtype)
                else sorted(pd.unique(series.dropna()), key=lambda v: (str(type(v)), v))
            )
            obj = series.astype(object).to_numpy()
            return [(lvl, np.where(valid, (obj == lvl).astype(float), np.nan), valid) for lvl in levels]
    from cjm_lab.io.multi import selected

    counted = values if values is not None else opts.get("counted")
    hit, _ = selected(data, column, counted=counted, where=where)
    return [(None, np.where(valid, hit.astype(float), np.nan), valid)]


def _binary(series: pd.Series) -> bool | None:
    """True for a yes/no column (0/1, booleans, a Yes/No pair); None when it has more levels."""
    from cjm_lab.io.multi import NOT_SELECTED_WORDS, SELECTED_WORDS, option_word

    if pd.api.types.is_bool_dtype(series.dtype):
        return True
    present = {option_word(v) for v in pd.unique(series.dropna())}
    if isinstance(series.dtype, pd.CategoricalDtype):
        present |= {option_word(v) for v in series.cat.categories}
    if present and present <= SELECTED_WORDS | NOT_SELECTED_WORDS and len(present) <= 2:
        return True
    return None


# --------------------------------------------------------------------------- statistics
def _sums(codes: np.ndarray, k: int, x: np.ndarray, valid: np.ndarray, w: np.ndarray) -> dict[str, np.ndarray]:
    ok = (codes >= 0) & valid
    c = codes[ok]
    wv, xv = w[ok], x[ok]
    out = {
        "n": np.bincount(c, minlength=k).astype(np.int64),
        "w": np.bincount(c, weights=wv, minlength=k),
        "w2": np.bincount(c, weights=wv**2, minlength=k),
        "wx": np.bincount(c, weights=wv * xv, minlength=k),
        "wx2": np.bincount(c, weights=wv * xv**2, minlength=k),
        "wp": np.bincount(c, weights=wv * (xv > 0), minlength=k),
        "wd": np.bincount(c, weights=wv * (xv < 0), minlength=k),
    }
    answered_wave = codes >= 0
    out["n_missing"] = np.bincount(codes[answered_wave & ~valid], minlength=k).astype(np.int64)
    return out


def _estimates(kind: str, s: dict[str, np.ndarray], *, confidence: float, ci_method: str) -> dict[str, np.ndarray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = np.where(s["w2"] > 0, s["w"] ** 2 / s["w2"], 0.0)
        mean = s["wx"] / s["w"]
        var = np.maximum(s["wx2"] / s["w"] - mean**2, 0.0)
    z = z_value(confidence)
    if kind == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):
            sd2 = np.where(n_eff > 1, var * n_eff / (n_eff - 1), np.nan)
            se = np.sqrt(sd2 / n_eff)
            crit = stats.t.ppf(0.5 + confidence / 2, np.maximum(n_eff - 1, 1))
        return {
            "n_eff": n_eff,
            "estimate": mean,
            "se": se,
            "ci_low": mean - crit * se,
            "ci_high": mean + crit * se,
            "df": n_eff - 1,
        }
    if kind == "nps":
        from cjm_lab.survey.nps import nps_interval

        with np.errstate(invalid="ignore", divide="ignore"):
            p, d = s["wp"] / s["w"], s["wd"] / s["w"]
        method = (
            np.where(n_eff < 100, "adjusted_wald", "wald") if ci_method == "auto" else np.full(len(n_eff), ci_method)
        )
        se, low, high = nps_interval(p, d, n_eff, method, z)
        return {
            "n_eff": n_eff,
            "estimate": (p - d) * 100,
            "se": se,
            "ci_low": low,
            "ci_high": high,
            "df": np.full(len(n_eff), np.inf),
        }
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(mean * (1 - mean) / n_eff)
    low, high = wilson_bounds(mean, n_eff, z)
    return {
        "n_eff": n_eff,
        "estimate": mean * 100,
        "se": se * 100,
        "ci_low": low * 100,
        "ci_high": high * 100,
        "df": np.full(len(n_eff), np.inf),
    }


def _changes(est: dict[str, np.ndarray], kind: str, confidence: float) -> dict[str, np.ndarray]:
    e, se, df = est["estimate"], est["se"], est["df"]
    diff = np.r_[np.nan, e[1:] - e[:-1]]
    se_d = np.r_[np.nan, np.sqrt(se[1:] ** 2 + se[:-1] ** 2)]
    if kind == "mean":
        v1, v0 = se[1:] ** 2, se[:-1] ** 2
        with np.errstate(invalid="ignore", divide="ignore"):
            dfw = (v1 + v0) ** 2 / (v1**2 / df[1:] + v0**2 / df[:-1])
        dfw = np.r_[np.nan, dfw]
        with np.errstate(invalid="ignore", divide="ignore"):
            p = 2 * stats.t.sf(np.abs(diff / se_d), dfw)
            crit = stats.t.ppf(0.5 + confidence / 2, dfw)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            p = 2 * stats.norm.sf(np.abs(diff / se_d))
        crit = np.full(len(e), z_value(confidence))
    p = np.where(se_d > 0, p, np.where(diff == 0, 1.0, np.nan))
    return {
        "change": diff,
        "change_se": se_d,
        "change_ci_low": diff - crit * se_d,
        "change_ci_high": diff + crit * se_d,
        "change_p": p,
    }


_TESTS = {
    "en": {
        "mean": "Welch t-test on effective bases",
        "nps": "z-test, multinomial variance on effective bases",
        "share": "z-test, unpooled, on effective bases",
    },
    "de": {
        "mean": "Welch-t-Test auf effektiven Basen",
        "nps": "z-Test, multinomiale Varianz auf effektiven Basen",
        "share": "z-Test, ungepoolt, auf effektiven Basen",
    },
}

_UNITS = {"share": "pct", "top_box": "pct", "bottom_box": "pct", "multi": "pct", "nps": "nps", "mean": "mean"}

_WORDS = {
    "en": {
        "pct": ("{what} rose from {a} to {b}", "{what} fell from {a} to {b}", "{what} did not change significantly"),
        "nps": ("NPS rose from {a} to {b}", "NPS fell from {a} to {b}", "NPS did not change significantly"),
        "mean": ("{what} rose from {a} to {b}", "{what} fell from {a} to {b}", "{what} did not change significantly"),
        "ci": "{level}% CI {lo} to {hi}",
        "points": " points",
    },
    "de": {
        "pct": (
            "{what} stieg von {a} auf {b}",
            "{what} sank von {a} auf {b}",
            "{what} veränderte sich nicht signifikant",
        ),
        "nps": (
            "Der NPS stieg von {a} auf {b}",
            "Der NPS sank von {a} auf {b}",
            "Der NPS veränderte sich nicht signifikant",
        ),
        "mean": (
            "{what} stieg von {a} auf {b}",
            "{what} sank von {a} auf {b}",
            "{what} veränderte sich nicht signifikant",
        ),
        "ci": "{level}-%-KI {lo} bis {hi}",
        "points": " Punkte",
    },
}


def _sentence(
    what: str,
    unit: str,
    a: float,
    b: float,
    row: dict[str, Any],
    *,
    confidence: float,
    language: str,
    correction: str = "none",
) -> str:
    """One sentence on a change (English or German); the label comes from data and stays plain text."""
    words: dict[str, Any] = _WORDS[language]
    dec = 1 if unit == "mean" else 0

    def num(x: float, sign: bool = False) -> str:
        text = format_number(x, dec, language, sign=sign, signed_zero=sign)
        return text + (" %" if language == "de" else "%") if unit == "pct" and not sign else text

    up, down, flat = words[unit]
    ci = words["ci"].format(
        level=f"{confidence * 100:.0f}", lo=num(row["change_ci_low"], True), hi=num(row["change_ci_high"], True)
    )
    points = words["points"] if unit == "pct" else ""
    p = format_p_values(row["change_p"], row["change_p_adjusted"], correction, language)
    stat = f"{num(row['change'], True)}{points}, {ci}, {p}"
    if row["significant"]:
        head = (up if row["change"] > 0 else down).format(what=what, a=num(a), b=num(b))
        return f"{head} ({stat})."
    head = flat.format(what=what)
    joiner = "auf" if language == "de" else "to"
    return f"{head} ({num(a)} {joiner} {num(b)}, {stat})."


# --------------------------------------------------------------------------- the tracker
@renamed_args({"low_base": "min_base"})
@validate_params(
    {
        "freq": [FREQ, None],
        "confidence": [CONFIDENCE],
        "alpha": [ALPHA],
        "correction": [CORRECTION],
        "min_base": [MIN_BASE],
        "ci_method": [CI_METHOD],
        "language": [LANGUAGE],
    }
)
def tracker(
    data: pd.DataFrame,
    *,
    measures: str | Sequence[str] | Mapping[str, Any],
    wave: str,
    weight: str | None = None,
    freq: str | None = None,
    confidence: float = 0.95,
    alpha: float = 0.05,
    correction: str = "fdr",
    min_base: float = 50,
    ci_method: str = "auto",
    labels: Any = None,
    language: str = "en",
) -> pd.DataFrame:
    """Per wave: weighted share, box, mean, NPS or multiple-response shares, with CI and tested change.

    Parameters
    ----------
    data : DataFrame
        One row per respondent (e.g. from :func:`cjm_lab.io.load_survey`).
    measures : str, list or dict
        What to track.  A list of columns (or multiple-response set names) infers the kind:
        ``recommend`` → NPS, a 0/1 or yes/no column → its share, another categorical → the
        share of each category, a number → its mean, a set → the share of each option.  A
        dict names the kind and options per measure: ``"nps"``, ``"mean"``, ``"share"``,
        ``"top2"``/``"bottom2"`` …, ``"multi"``, or a dict
        ``{"kind": "top_box", "top": 2, "scale": (1, 5), "column": "Q11_1",
        "dont_know": [9], "values": [...], "counted": ..., "rescale": "linear"}``.
    wave : str
        The wave column (its order: the categories of a categorical — as
        :func:`~cjm_lab.io.load_survey` makes it — else sorted), or a date column with ``freq``.
    weight : str, optional
        Positive weights (none missing).
    freq : {"W", "M", "Q", "Y"}, optional
        Group a date column by weeks, months, quarters or years.
    confidence : float, default 0.95
    alpha : float, default 0.05
        Significance level of the changes (after the correction).
    correction : {"fdr", "bonferroni", "none"}, default "fdr"
        Correction of the change tests within each measure (see the module notes).
    min_base : float, default 50
        The smallest base read without caution: waves with fewer answers (unweighted) are
        flagged in ``low_base``.  (Called ``low_base`` before 0.2; the old name works until 0.3.)
    ci_method : {"auto", "wald", "adjusted_wald"}, default "auto"
        The interval of an NPS (as :func:`cjm_lab.survey.nps`).
    labels : Labels, dict or path, optional
        Labels on top of those stored with ``data`` (for ``label``, the levels and texts).
    language : {"en", "de"}, default "en"

    Returns
    -------
    DataFrame
        One row per measure, level and wave (waves in order): ``measure``, ``label``, ``kind``,
        ``level`` (category or option, else None), ``wave``, ``n`` (valid answers,
        unweighted), ``n_missing``, ``n_eff``, ``estimate`` (percent for shares and boxes,
        points for NPS, the scale's units for means), ``se``, ``ci_low``, ``ci_high``,
        ``low_base``, ``change`` (vs the previous wave; missing for the first), ``change_se``,
        ``change_ci_low``, ``change_ci_high``, ``change_p``, ``change_p_adjusted``,
        ``significant``, ``test`` and ``text`` (the change in a sentence).  Respondents
        without a wave are in no row; ``attrs["tracker"]["n_no_wave"]`` counts them (and a
        :class:`~cjm_lab.errors.CJMDataWarning` names them).

    Raises
    ------
    CJMDataError
        Missing columns, bad weights (blanks, zero, negative), a wave column mixing numbers
        and text, values outside a scale, a yes/no answer that cannot be told.
    CJMConfigError
        Unknown kinds or options.

    Examples
    --------
    >>> df = pd.DataFrame({"wave": [1] * 100 + [2] * 100,
    ...                    "aware": [1] * 40 + [0] * 60 + [1] * 55 + [0] * 45,
    ...                    "recommend": [10, 9, 7, 3] * 50})
    >>> out = tracker(df, measures=["aware", "recommend"], wave="wave")
    >>> out[["measure", "wave", "n", "estimate", "change", "significant"]].round(1)
         measure  wave    n  estimate  change  significant
    0      aware     1  100      40.0     NaN        False
    1      aware     2  100      55.0    15.0         True
    2  recommend     1  100      25.0     NaN        False
    3  recommend     2  100      25.0     0.0        False
    >>> print(out.loc[1, "text"])
    aware rose from 40% to 55% (+15 points, 95% CI +1 to +29, p = 0.03).
    """
    where = "tracker()"
    require_frame(data, where=where)
    require_columns(data, {"wave": wave, "weight": weight}, where=where)
    from cjm_lab.labels import labels_for

    lab = labels_for(data, labels, language=language)
    parsed = _parse(data, measures, where=where)
    w = positive_weights(data, weight, where=where)
    codes, order = _waves(data, wave, freq, where=where)
    if not order:
        raise CJMDataError(
            f"{where}: no respondent has a value in {wave!r}.", column=wave, fix="Check the wave column."
        )
    k = len(order)
    # the waves as the language shows them (a codebook's "Frühjahr" for "Spring"); periods and numbers as they are
    shown_waves = (
        [lab.value(wave, w, language=language) if isinstance(w, str) else w for w in order] if freq is None else order
    )
    if len(set(shown_waves)) != len(shown_waves):
        shown_waves = order
    n_no_wave = int((codes < 0).sum())
    if n_no_wave:
        rows, _ = offending(codes < 0, data[wave])
        warnings.warn(
            f"{where}: {n_no_wave} of {len(data)} respondents have no value in {wave!r} and are left out of every "
            f"wave (rows {', '.join(map(str, rows))}); attrs['tracker']['n_no_wave'] counts them. Fix: fill in "
            "their wave, or drop them before the tracker to make it explicit.",
            CJMDataWarning,
            stacklevel=outside_stacklevel(),
        )
    frames = []
    for m in parsed:  # a handful of measures (and levels), each vectorised over respondents
        levels = _values(data, m, where=where)
        label = lab.column(m.key, language=language)  # a set name or the column; else the name the caller chose
        unit = _UNITS[m.kind]
        rows = []
        for level, x, valid in levels:
            s = _sums(codes, k, np.nan_to_num(x), valid & ~np.isnan(x), w)
            est = _estimates(m.kind, s, confidence=confidence, ci_method=ci_method)
            ch = _changes(est, m.kind, confidence)
            if m.kind == "multi":
                level_label = _option_label(lab, data, m, level, language)
            elif level is None:
                level_label = None
            else:
                level_label = lab.value(m.column, level, language=language)
            frame = pd.DataFrame(
                {
                    "measure": m.key,
                    "label": label,
                    "kind": m.kind,
                    "level": level_label,
                    "wave": pd.Series(shown_waves, dtype=object),
                    "n": s["n"],
                    "n_missing": s["n_missing"],
                    "n_eff": est["n_eff"],
                    "estimate": est["estimate"],
                    "se": est["se"],
                    "ci_low": est["ci_low"],
                    "ci_high": est["ci_high"],
                    **ch,
                }
            )
            rows.append(frame)
        block = pd.concat(rows, ignore_index=True)
        block["change_p_adjusted"] = adjust_pvalues(block["change_p"].to_numpy(), correction)
        if correction == "none":
            block["significant"] = block["change_p"] < alpha
        else:
            block["significant"] = block["change_p_adjusted"] <= alpha
        block["low_base"] = block["n"] < min_base
        block["test"] = _TESTS[language].get(m.kind, _TESTS[language]["share"])
        texts = []
        for i, r in enumerate(block.to_dict("records")):  # a sentence per level and wave
            if i % k == 0 or not np.isfinite(r["change"]):
                texts.append("")
                continue
            what = label if r["level"] is None else f"{label}: {r['level']}"
            texts.append(
                _sentence(
                    what,
                    unit,
                    block["estimate"].iloc[i - 1],
                    r["estimate"],
                    r,
                    confidence=confidence,
                    language=language,
                    correction=correction,
                )
            )
        block["text"] = texts
        frames.append(block)
    out = pd.concat(frames, ignore_index=True)[TRACKER_COLUMNS]
    out.attrs["tracker"] = {
        "correction": correction,
        "alpha": alpha,
        "confidence": confidence,
        "weight": weight,
        "wave": wave,
        "freq": freq,
        "language": language,
        "n_no_wave": n_no_wave,
    }
    return out


def _option_label(lab: Any, data: pd.DataFrame, m: _Measure, option: Any, language: str) -> str:
    """What a person reads for an option of a multiple-response measure."""
    sets = multiple_response_sets(data, check=False)
    if isinstance(m.column, str) and m.column in sets:
        columns, kind = sets[m.column]["variables"], sets[m.column]["kind"]
    else:
        columns, kind = list(m.column), "dichotomy"
    if option in columns:  # an item of a dichotomy set (also a category set read as one)
        return lab.item_labels(columns, language=language)[columns.index(option)]
    return lab.value(columns[0], option, language=language) if kind == "category" else str(option)
