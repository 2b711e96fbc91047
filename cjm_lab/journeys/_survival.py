"""Survival analysis shared by the journey analyses: one Kaplan–Meier estimator, one result class.

:func:`~cjm_lab.journeys.retention.kaplan_meier`, :func:`~cjm_lab.journeys.retention.time_to_repeat`
and :func:`~cjm_lab.journeys.timing.time_to_convert` all count events and censorings per distinct
time (:func:`event_counts`) and run the product-limit estimator with Greenwood intervals
(:func:`product_limit`, per group :func:`km_frame`); the two analyses of a time to something return
a :class:`SurvivalResult` (a curve and a summary).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["SurvivalResult", "product_limit", "event_counts", "group_rows", "km_frame"]


@dataclass(frozen=True, repr=False)
class SurvivalResult:
    """A time-to-event result: the Kaplan–Meier curve and a summary per segment.

    Returned by :func:`~cjm_lab.journeys.time_to_repeat` (time from the first to the second
    purchase) and :func:`~cjm_lab.journeys.time_to_convert` (time from a journey's start to its
    first conversion); their docstrings list the columns.

    Attributes
    ----------
    curve : DataFrame
        One row per segment and distinct time: the curve with its interval.
    summary : DataFrame
        One row per segment: counts, the median time with its interval, shares within N days.
    measure : str
        What was timed (``"time_to_repeat"``, ``"time_to_convert"``).
    """

    curve: pd.DataFrame
    summary: pd.DataFrame
    measure: str = "time_to_event"

    def __repr__(self) -> str:
        return f"SurvivalResult({self.measure}: curve={len(self.curve)} rows, summary={len(self.summary)} rows)"


def product_limit(times: np.ndarray, d: np.ndarray, c: np.ndarray, z: float) -> dict[str, np.ndarray]:
    """Product-limit estimate from sorted distinct times with event and censoring counts."""
    removed = d + c
    at_risk = removed.sum() - np.concatenate([[0.0], np.cumsum(removed)[:-1]])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        surv = np.cumprod(1.0 - d / at_risk)
        term = np.where(at_risk > d, d / (at_risk * (at_risk - d)), np.where(d > 0, np.inf, 0.0))
        greenwood = np.cumsum(term)
        se = np.where(surv > 0, surv * np.sqrt(greenwood), np.nan)
        # log(-log) interval ("exponential Greenwood"): stays within 0..1
        se_ll = np.sqrt(greenwood) / np.abs(np.log(surv))
        lo = np.where(surv >= 1, 1.0, surv ** np.exp(z * se_ll))
        hi = np.where(surv >= 1, 1.0, surv ** np.exp(-z * se_ll))
    lo = np.where(surv > 0, lo, np.nan)
    hi = np.where(surv > 0, hi, np.nan)
    return {
        "time": times,
        "n_at_risk": at_risk,
        "n_events": d,
        "n_censored": c,
        "survival": surv,
        "se": se,
        "ci_low": lo,
        "ci_high": hi,
    }


def event_counts(frame: pd.DataFrame, keys: list[str], time: str, flag: str, weight: str | None) -> pd.DataFrame:
    """Events and censorings per group and distinct time, sorted (vectorised)."""
    w = frame[weight] if weight else pd.Series(1.0, index=frame.index)
    f = frame.assign(_d=np.where(frame[flag], w, 0.0), _c=np.where(frame[flag], 0.0, w))
    out = f.groupby([*keys, time], dropna=False, observed=True, sort=True)[["_d", "_c"]].sum().reset_index()
    return out


def group_rows(frame: pd.DataFrame, keys: list[str]) -> list[tuple[tuple, pd.DataFrame]]:
    """The groups of ``frame`` by ``keys`` as (key tuple, rows), missing keys a group of their own."""
    if not keys:
        return [((), frame)]
    return [
        (k if isinstance(k, tuple) else (k,), g) for k, g in frame.groupby(keys, dropna=False, observed=True, sort=True)
    ]


def km_frame(counts: pd.DataFrame, keys: list[str], time: str, z: float) -> pd.DataFrame:
    """:func:`product_limit` per group of an :func:`event_counts` table: the group columns, then
    ``time, n_at_risk, n_events, n_censored, survival, se, ci_low, ci_high``.
    """
    parts = []
    for key, g in group_rows(counts, keys):  # a handful of groups, each vectorised
        res = product_limit(g[time].to_numpy(float), g["_d"].to_numpy(float), g["_c"].to_numpy(float), z)
        part = pd.DataFrame(res)
        for k, v in zip(keys, key):
            part[k] = v
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    return out[[*keys, *[c for c in out.columns if c not in keys]]]
