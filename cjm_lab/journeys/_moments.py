"""Moments of truth: whether meeting a touchpoint (or a late event) goes with being a detractor.

One logistic regression of detractor on all touchpoints met before the answer (within the
look-back) and log(1 + events in the look-back window), Benjamini–Hochberg corrected, so a
touchpoint that only follows the real cause (a service contact after a delivery delay) does not
take its blame; with a promised-time column, late vs. on-time detractor rates.  Used by
:func:`cjm_lab.journeys.pain_points` (the ``detractor`` component).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from cjm_lab._validate import numeric_column, require_columns, require_frame
from cjm_lab.errors import CJMDataError
from cjm_lab.journeys._dialect import quote
from cjm_lab.journeys._sources import run_sql
from cjm_lab.journeys.sql import journey_ctes

__all__ = ["moments_of_truth", "attributable"]


def moments_of_truth(
    source,
    spec,
    cat,
    segs,
    unit,
    node_sql,
    survey,
    score,
    survey_date,
    survey_weight,
    lookback_s,
    alpha,
    where,
    score_scale,
    negative_max,
    positive_min,
    promised,
):
    require_frame(survey, where=where)
    require_columns(
        survey, {"survey": ["customer_id", score, survey_date], "survey_weight": survey_weight}, where=where
    )
    if not pd.api.types.is_datetime64_any_dtype(survey[survey_date].dtype):
        raise CJMDataError(
            f"{where}: the survey's {survey_date!r} column holds no dates.",
            column=survey_date,
            fix="Load the survey with cjm_lab.io.load_survey (dates become UTC).",
        )
    low, high = score_scale
    scores = numeric_column(survey, score, where=where, low=low, high=high)
    dates = survey[survey_date]
    dates = dates.dt.tz_convert("UTC") if isinstance(dates.dtype, pd.DatetimeTZDtype) else dates.dt.tz_localize("UTC")
    sv = pd.DataFrame(
        {
            "_rid": np.arange(len(survey)),
            "customer_id": survey["customer_id"].astype("str").to_numpy(),
            "_date": dates.to_numpy(),
            "_det": (scores <= negative_max).astype(float).where(scores.notna()).to_numpy(),
            "_pos": (scores >= positive_min).astype(float).where(scores.notna()).to_numpy(),
            "_w": (
                numeric_column(survey, survey_weight, where=where, allow_missing=False).to_numpy()
                if survey_weight
                else np.ones(len(survey))
            ),
        }
    )
    sv["_date"] = pd.to_datetime(sv["_date"], utc=True)
    sv = sv[sv["_det"].notna() & sv["_date"].notna()]
    d = spec.dialect
    node = node_sql
    late = (
        f"max(CASE WHEN e.{quote(promised)} IS NOT NULL AND e.ts > e.{quote(promised)} THEN 1 ELSE 0 END)"
        if promised
        else "0"
    )
    has_promise = f"max(CASE WHEN e.{quote(promised)} IS NOT NULL THEN 1 ELSE 0 END)" if promised else "0"
    seg_first = "".join(f", {d.arg_min('e.' + quote(s), 'e.step')} AS {quote(s)}" for s in segs)
    # A late event is felt from the moment its promise is broken: a review written after the
    # promised delivery date but before the (late) delivery has met a late delivery.
    broken = (
        (
            f" OR (e.{quote(promised)} IS NOT NULL AND e.ts > e.{quote(promised)} AND "
            f"{d.epoch_seconds('e.' + quote(promised))} < {d.epoch_seconds('s._date')})"
        )
        if promised
        else ""
    )
    sql = f"""
WITH {journey_ctes(spec, d)}
SELECT s._rid, {node} AS node, count(*) AS k, {late} AS late, {has_promise} AS promised{seg_first}
FROM sv AS s JOIN j AS e ON e.customer_id = s.customer_id
 AND e.t >= {d.epoch_seconds("s._date")} - {lookback_s!r}
 AND (e.t < {d.epoch_seconds("s._date")}{broken})
GROUP BY s._rid, {node}
"""
    long = run_sql(sql, source, touchpoints=cat, extra={"sv": sv})
    if long.empty:
        return pd.DataFrame(columns=[*segs, unit])
    met = long.pivot_table(index="_rid", columns="node", values="k", aggfunc="sum", fill_value=0)
    lateness = long.pivot_table(index="_rid", columns="node", values="late", aggfunc="max", fill_value=0)
    promise = long.pivot_table(index="_rid", columns="node", values="promised", aggfunc="max", fill_value=0)
    n_events = met.sum(axis=1)
    seg_of = long.groupby("_rid")[segs].first() if segs else None
    answered = sv.set_index("_rid").loc[met.index]
    rows = []
    groups = (
        [(None, met.index)]
        if not segs
        else list(seg_of.groupby(segs[0] if len(segs) == 1 else segs, observed=True).groups.items())
    )
    for key, idx in groups:
        y = answered.loc[idx, "_det"].to_numpy()
        w = answered.loc[idx, "_w"].to_numpy()
        length = np.log1p(n_events.loc[idx].to_numpy())
        keys = {s: (key if len(segs) == 1 else key[i]) for i, s in enumerate(segs)}
        joint = _joint_logit(y, (met.loc[idx] > 0).astype(float), length, w)
        pos = answered.loc[idx, "_pos"].to_numpy()
        for tp, result in joint.items():
            hit = met.loc[idx, tp].to_numpy() > 0
            result["nps_met"] = (
                float((np.average(pos[hit], weights=w[hit]) - np.average(y[hit], weights=w[hit])) * 100)
                if hit.any()
                else np.nan
            )
            if promised:
                result.update(
                    _lateness(y, w, length, lateness.loc[idx, tp].to_numpy() > 0, promise.loc[idx, tp].to_numpy() > 0)
                )
            rows.append({**keys, unit: tp, **result})
    out = pd.DataFrame(rows)
    for col in ["detractor", "late_detractor"] if promised else ["detractor"]:
        out[f"{col}_p_adjusted"] = np.nan
        for _, g in out.groupby(segs, observed=True) if segs else [(None, out)]:
            mask = g[f"{col}_p_value"].notna()
            if mask.any():
                out.loc[g.index[mask], f"{col}_p_adjusted"] = stats.false_discovery_control(
                    g.loc[mask, f"{col}_p_value"].to_numpy(), method="bh"
                )
    out["_alpha"] = alpha
    return out.drop(columns=[c for c in out.columns if c.endswith("_p_value")])


def _fit_logit(y: np.ndarray, x: np.ndarray, length: np.ndarray, w: np.ndarray) -> tuple[float, float] | None:
    """Log odds ratio and p-value of ``x`` in detractor ~ x (+ length when it varies); None on separation."""
    import warnings

    import statsmodels.api as sm

    cols = [np.ones(len(y)), x] + ([length] if np.ptp(length) > 0 else [])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sm.GLM(y, np.column_stack(cols), family=sm.families.Binomial(), freq_weights=w).fit()
    except (np.linalg.LinAlgError, ValueError, sm.tools.sm_exceptions.PerfectSeparationError):
        return None
    if not np.isfinite(fit.bse[1]) or abs(fit.params[1]) > 15:
        return None
    return float(fit.params[1]), float(fit.pvalues[1])


def _lateness(y: np.ndarray, w: np.ndarray, length: np.ndarray, late: np.ndarray, has: np.ndarray) -> dict:
    """Among respondents with a promise at this touchpoint: detractors when late vs. on time."""
    on_time = has & ~late
    out = {
        "n_respondents_late": int(late.sum()),
        "late_detractor_pct": float(np.average(y[late], weights=w[late]) * 100) if late.any() else np.nan,
        "on_time_detractor_pct": float(np.average(y[on_time], weights=w[on_time]) * 100) if on_time.any() else np.nan,
        "late_odds_ratio": np.nan,
        "late_detractor_p_value": np.nan,
    }
    if late.sum() >= 5 and on_time.sum() >= 5 and y[has].min() != y[has].max():
        fitted = _fit_logit(y[has], late[has].astype(float), length[has], w[has])
        if fitted is None:  # separation: Fisher's exact test, odds ratio with Haldane's +0.5
            table = np.array(
                [
                    [np.sum(w[late] * y[late]), np.sum(w[late] * (1 - y[late]))],
                    [np.sum(w[on_time] * y[on_time]), np.sum(w[on_time] * (1 - y[on_time]))],
                ]
            )
            counts = np.round(table).astype(int)
            fitted = (
                float(np.log((table[0, 0] + 0.5) * (table[1, 1] + 0.5) / ((table[0, 1] + 0.5) * (table[1, 0] + 0.5)))),
                float(stats.fisher_exact(counts).pvalue),
            )
        out["late_odds_ratio"] = float(np.exp(fitted[0]))
        out["late_detractor_p_value"] = fitted[1]
    return out


def _joint_logit(y: np.ndarray, met: pd.DataFrame, length: np.ndarray, w: np.ndarray) -> dict[str, dict]:
    """Detractor ~ all touchpoints met + log(1 + events): each touchpoint's odds ratio net of the others.

    Touchpoints met by fewer than 5 respondents (or missed by fewer than 5) stay out of
    the model; touchpoints met by nearly the same respondents share one estimate.  When
    the joint model cannot be fitted (separation, singularity), each touchpoint gets its own
    model adjusted for length only.
    """
    import warnings

    import statsmodels.api as sm

    out: dict[str, dict] = {}
    usable = []
    for tp in met.columns:
        x = met[tp].to_numpy() > 0
        out[tp] = {
            "n_respondents_met": int(x.sum()),
            "detractor_pct_met": float(np.average(y[x], weights=w[x]) * 100) if x.any() else np.nan,
            "detractor_pct_not_met": float(np.average(y[~x], weights=w[~x]) * 100) if (~x).any() else np.nan,
            "detractor_odds_ratio": np.nan,
            "detractor_p_value": np.nan,
        }
        if x.sum() >= 5 and (~x).sum() >= 5:
            usable.append(tp)
    if not usable or y.min() == y.max():
        return out
    # Touchpoints met by (nearly) the same respondents cannot be told apart: they share one
    # estimate (|correlation| >= 0.9), which also keeps the joint model well conditioned.
    corr = np.atleast_2d(np.nan_to_num(np.corrcoef(met[usable].to_numpy(), rowvar=False), nan=0.0))
    twins: dict[str, str] = {}
    for i, tp in enumerate(usable):
        if tp in twins:
            continue
        for j in range(i, len(usable)):
            if usable[j] not in twins and abs(corr[i, j]) >= 0.9:
                twins[usable[j]] = tp
    cols = met[list(dict.fromkeys(twins.values()))]
    extra = [length] if np.ptp(length) > 0 else []
    design = np.column_stack([np.ones(len(y)), cols.to_numpy(), *extra])
    k = cols.shape[1]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sm.GLM(y, design, family=sm.families.Binomial(), freq_weights=w).fit()
        if not np.isfinite(fit.bse).all() or (np.abs(fit.params[1 : k + 1]) > 15).any():
            raise ValueError("singular fit or separation")
        params = dict(zip(cols.columns, fit.params[1 : k + 1]))
        pvals = dict(zip(cols.columns, fit.pvalues[1 : k + 1]))
    except (np.linalg.LinAlgError, ValueError, sm.tools.sm_exceptions.PerfectSeparationError):
        params, pvals = {}, {}
        for tp in cols.columns:
            single = _fit_logit(y, cols[tp].to_numpy(), length, w)
            if single is not None:
                params[tp], pvals[tp] = single
    for tp in usable:
        rep = twins[tp]
        if rep in params:
            out[tp]["detractor_odds_ratio"] = float(np.exp(params[rep]))
            out[tp]["detractor_p_value"] = float(pvals[rep])
    return out


def attributable(base_pct: pd.Series, odds_ratio: pd.Series) -> pd.Series:
    """The detractor share the touchpoint adds, from its adjusted odds ratio on the base share.

    Using the adjusted odds ratio (not the raw difference) keeps a touchpoint that merely
    follows the real cause (a service contact after a delivery delay) from taking its blame.
    """
    base = (base_pct / 100).clip(1e-9, 1 - 1e-9)
    odds = base / (1 - base) * odds_ratio
    return (odds / (1 + odds) - base).clip(lower=0)
