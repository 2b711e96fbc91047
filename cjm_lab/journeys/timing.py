"""Time to convert: Kaplan–Meier curves in which customers who have not converted yet are censored.

A customer who has not converted *yet* is not a customer who never converts: dropping
them (or counting them as failures) biases the time to convert.  Each journey is
followed from its start (its first event, or its first ``start`` touchpoint) to its
first conversion; journeys without one are censored at their last event or at the end
of the data, and the Kaplan–Meier product-limit estimator gives the cumulative share
converted over time, with Greenwood confidence intervals.

The per-journey times are computed by the engine (SQL); only the distinct times with
their counts come back to pandas, where the one Kaplan–Meier estimator of the package
(the one behind :func:`~cjm_lab.journeys.retention.kaplan_meier`) runs on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._deprecate import warn_deprecated
from cjm_lab._params import CONFIDENCE, StrOptions
from cjm_lab._stats import z_value
from cjm_lab._validate import suggest
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.journeys._dialect import literal, quote
from cjm_lab.journeys._options import Engine
from cjm_lab.journeys._survival import SurvivalResult, event_counts, km_frame
from cjm_lab.journeys.build import engine_of, journey_analysis, journey_options, prepare
from cjm_lab.journeys.sql import duration_seconds, journey_ctes, segment_select

__all__ = ["SurvivalResult", "time_to_convert"]

_DAY = 86400.0


def _product_limit(table: pd.DataFrame, segs: list[str], confidence: float) -> pd.DataFrame:
    """The share converted over time, per segment: 1 − the Kaplan–Meier curve of :mod:`.retention`.

    ``table`` has the segment columns, ``duration``, ``converted`` (1 event / 0
    censored) and ``n`` (journeys).  Censored journeys count as at risk at their own
    time; the Greenwood interval is log(−log) transformed, so it stays within 0 and 1.
    """
    counts = event_counts(table.assign(_conv=table["converted"] == 1), segs, "duration", "_conv", "n")
    km = km_frame(counts, segs, "duration", z_value(confidence))
    out = km[segs].copy()
    for s in segs:  # keep the segment's dtype (an ordered categorical stays one)
        out[s] = out[s].astype(counts[s].dtype)
    out["time_s"] = km["time"].to_numpy(float)
    for col, name in (("n_at_risk", "n_at_risk"), ("n_events", "n_converted"), ("n_censored", "n_censored")):
        out[name] = km[col].to_numpy().round().astype(np.int64)
    out["cum_conversion"] = 1 - km["survival"].to_numpy()
    out["ci_low"] = 1 - km["ci_high"].to_numpy()
    out["ci_high"] = 1 - km["ci_low"].to_numpy()
    return out


def _first_reach(times: np.ndarray, values: np.ndarray, level: float = 0.5) -> float:
    """The first time ``values`` (a cumulative share) reaches ``level``; NaN when it never does."""
    hit = np.flatnonzero(values >= level - 1e-12)
    return float(times[hit[0]]) if len(hit) else np.nan


def _step_at(times: np.ndarray, values: np.ndarray, t: float) -> float:
    """The step function at ``t``; NaN beyond the follow-up unless everyone has converted."""
    if t > times[-1] and values[-1] < 1:
        return np.nan
    return float(values[np.searchsorted(times, t, side="right") - 1])


def _within(values: Any) -> list[float]:
    days = [values] if isinstance(values, (int, float)) else list(values)
    if not days or any(isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0 for v in days):
        raise CJMConfigError(f"`within` must list positive numbers of days, e.g. (1, 7, 30); got {values!r}.")
    return [float(v) for v in days]


def _label(day: float) -> str:
    return f"pct_within_{int(day) if float(day).is_integer() else day}d"


@journey_analysis(
    {
        "censor_at": [
            StrOptions(
                {
                    "data_end": "followed to the end of the data",
                    "last_event": "followed to the journey's last event",
                }
            )
        ],
        "confidence": [CONFIDENCE],
    }
)
def time_to_convert(
    events: Any,
    *,
    outcome: str | Sequence[str] | None = None,
    start: str | Sequence[str] | None = None,
    by: str | Sequence[str] | None = None,
    horizon: str | float | None = None,
    censor_at: str = "data_end",
    within: Sequence[float] = (1, 7, 30),
    confidence: float = 0.95,
    touchpoints: pd.DataFrame | None = None,
    journey: str = "customer",
    session_gap: str | float = "30min",
    dedupe: bool = True,
    until_conversion: bool = False,
    collapse_repeats: str = "off",
    dates: Any = None,
    cases: Any = None,
    engine: Engine | None = None,
    **old_engine_keywords: Any,
) -> SurvivalResult:
    """Time from a journey's start to its first conversion, with not-yet-converted journeys censored.

    Each journey is followed from its start to its first conversion.  Journeys without
    a conversion are **censored** (they may still convert), not dropped and not counted
    as failures, and the Kaplan–Meier product-limit estimator gives the share
    converted over time.

    Parameters
    ----------
    events : DataFrame or path
        See :func:`cjm_lab.journeys.build_journeys`.
    outcome : str or list of str, optional
        Touchpoints that count as conversions (default: the catalogue's
        ``is_conversion``, with ``touchpoints=``).  Formerly ``conversions=`` (accepted with
        a FutureWarning until cjm-lab 0.3).
    start : str or list of str, optional
        Start the clock at the journey's first of these touchpoints (default: at its
        first event).  Journeys without it are left out and counted in
        ``n_without_start``; conversions before it are ignored.
    by : str or list of str, optional
        Segment column(s) (a journey belongs to the segment of its first event).
    horizon : duration, optional
        Follow each journey for at most this long ("90D", or seconds): later
        conversions count as not converted by then, and the curve ends there.
    censor_at : {"data_end", "last_event"}, default "data_end"
        When a journey without a conversion stops being followed.  ``"data_end"``: at
        the last event of the whole log, because a complete log would show a conversion
        up to that date (customers who went quiet are still at risk; right for customer
        journeys).  ``"last_event"``: at the journey's own last event, for logs that do
        not follow a customer beyond it and for session journeys (a session ends
        there).  Censoring silent customers early treats them like the active ones and
        overstates conversion.
    within : list of float, default (1, 7, 30)
        Days at which the summary reports the share converted.
    confidence : float, default 0.95
        Level of the Greenwood intervals (log(−log) transformed).
    {journey_options}

    Returns
    -------
    SurvivalResult
        ``curve``: segment columns, ``days``, ``n_at_risk`` (followed at least that
        long), ``n_converted`` and ``n_censored`` (at that time), ``cum_conversion``
        (share converted by then, 0–1, = 1 − Kaplan–Meier survival), ``ci_low``,
        ``ci_high`` (NaN once everyone has converted); one row per distinct time,
        starting at 0.
        ``summary``: segment columns, ``n_journeys`` (followed), ``n_converted``,
        ``n_censored``, ``n_without_start``, ``median_days`` (first time half have
        converted) with ``median_ci_low`` / ``median_ci_high`` (where the interval band
        reaches one half; NaN when not reached), ``pct_within_<N>d`` per ``within``
        (percent; NaN beyond the follow-up) and ``censored_at`` (the ``censor_at`` rule the
        journeys without a conversion were followed by, so a table read later says it).

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": list("aabbcd"),
    ...                    "timestamp": pd.to_datetime(["2025-01-01", "2025-01-03", "2025-01-01",
    ...                        "2025-01-02", "2025-01-01", "2025-01-01"], utc=True),
    ...                    "touchpoint": ["Ad", "Buy", "Ad", "Ad", "Ad", "Buy"], "sequence": range(6)})
    >>> res = time_to_convert(ev, outcome=["Buy"], censor_at="last_event")
    >>> res.curve[["days", "n_at_risk", "n_converted", "n_censored", "cum_conversion"]]
       days  n_at_risk  n_converted  n_censored  cum_conversion
    0   0.0          4            1           1            0.25
    1   1.0          2            0           1            0.25
    2   2.0          1            1           0            1.00
    >>> res.summary[["n_journeys", "n_converted", "n_censored", "median_days"]]
       n_journeys  n_converted  n_censored  median_days
    0           4            2           2          2.0
    """
    where = "time_to_convert()"
    conf = confidence
    horizon_s = duration_seconds(horizon, "horizon")
    days = _within(within)
    engine = engine_of(engine, old_engine_keywords, where=where)
    options = journey_options(
        touchpoints, journey, session_gap, dedupe, until_conversion, outcome, collapse_repeats, dates, cases
    )
    source, spec, cat = prepare(events, where=where, by=by, options=options, engine=engine)
    if spec.conversions is None and "is_conversion" not in spec.catalogue:
        raise CJMConfigError(
            f"{where} needs to know the conversions: pass `outcome=[...]` touchpoints or a catalogue "
            "(`touchpoints=`) with an is_conversion column."
        )
    starts = [start] if isinstance(start, str) else (list(start) if start is not None else None)
    if starts is not None:
        if not starts or not all(isinstance(s, str) and s for s in starts):
            raise CJMConfigError(f"`start` must name a touchpoint (or several), got {start!r}.")
        known = source.known_touchpoints()
        if known is not None:
            missing = [s for s in starts if s not in known]
            if missing:
                raise CJMDataError(
                    f"{where}: the start touchpoint {missing[0]!r} does not occur in the events."
                    f"{suggest(missing[0], known)}",
                    column="touchpoint",
                    fix="Name a touchpoint of the log as `start`, or leave it out to start at each journey's "
                    "first event.",
                )
    seg_first, seg_group = segment_select(spec.segments, spec.dialect)
    segs = list(spec.segments)
    seg_cols = "".join(f"{quote(s)}, " for s in segs)
    s0 = (
        (
            "min(CASE WHEN touchpoint IN (" + ", ".join(literal(s) for s in starts) + ") THEN step END) "
            "OVER (PARTITION BY journey_id)"
        )
        if starts
        else "1"
    )
    censor = "(SELECT max(t) FROM j)" if censor_at == "data_end" else "t_last"
    sql = f"""
WITH {journey_ctes(spec)},
w AS (SELECT journey_id, step, t, is_conv, {seg_cols}{s0} AS _s0 FROM j),
per AS (
  SELECT journey_id{seg_first}, max(_s0) AS s0, min(CASE WHEN step = _s0 THEN t END) AS t0,
         min(CASE WHEN is_conv AND step >= _s0 THEN t END) AS t1, max(t) AS t_last
  FROM w GROUP BY journey_id
),
dur AS (
  SELECT {seg_cols}CASE WHEN s0 IS NULL THEN NULL WHEN t1 IS NOT NULL THEN t1 - t0 ELSE {censor} - t0 END
         AS duration, CASE WHEN t1 IS NOT NULL THEN 1 ELSE 0 END AS converted,
         CASE WHEN s0 IS NULL THEN 1 ELSE 0 END AS no_start
  FROM per
)
SELECT {seg_group}duration, converted, no_start, count(*) AS n FROM dur
GROUP BY {seg_group}duration, converted, no_start
"""
    table = source.run(sql, touchpoints=cat)
    table["duration"] = table["duration"].astype(float)
    for col in ("converted", "no_start", "n"):
        table[col] = table[col].astype(np.int64)
    if horizon_s is not None:
        late = table["duration"] > horizon_s
        table.loc[late, "converted"] = 0
        table.loc[late, "duration"] = horizon_s
    followed = table[table["no_start"] == 0]
    if followed.empty:
        raise CJMDataError(
            f"{where}: no journey has the start touchpoint{'s' if starts and len(starts) > 1 else ''} "
            f"{', '.join(map(repr, starts or []))}, so there is nothing to follow.",
            column="touchpoint",
            fix="Check `start` and the journey options.",
        )
    curve = _product_limit(followed, segs, conf)
    # every curve starts at time 0 with nobody converted (unless conversions happen at 0)
    firsts = curve.groupby(segs, observed=True, dropna=False, sort=False).head(1) if segs else curve.head(1)
    lead = firsts[firsts["time_s"] > 0].copy()
    if len(lead):
        lead["time_s"] = 0.0
        lead[["n_converted", "n_censored"]] = 0
        lead[["cum_conversion", "ci_low", "ci_high"]] = 0.0
        curve = pd.concat([lead, curve], ignore_index=True)
        curve = curve.sort_values([*segs, "time_s"], kind="stable", na_position="last").reset_index(drop=True)
    curve.insert(len(segs), "days", curve.pop("time_s") / _DAY)
    summary = _summary(curve, table, segs, days)
    # how the journeys without a conversion were followed, stated with the result
    summary["censored_at"] = censor_at
    summary.attrs["cjm_journeys"] = {"censored_at": censor_at, "horizon_s": horizon_s}
    return SurvivalResult(curve=curve, summary=summary, measure="time_to_convert")


def _summary(curve: pd.DataFrame, table: pd.DataFrame, segs: list[str], days: list[float]) -> pd.DataFrame:
    followed = table["no_start"] == 0
    n = table["n"]
    counts = pd.DataFrame(
        {
            "n_journeys": n.where(followed, 0),
            "n_converted": n.where(followed & (table["converted"] == 1), 0),
            "n_censored": n.where(followed & (table["converted"] == 0), 0),
            "n_without_start": n.where(~followed, 0),
        }
    )
    if segs:
        counts = counts.groupby([table[s] for s in segs], observed=True, dropna=False).sum().reset_index()
    else:
        counts = counts.sum().to_frame().T
    rows = []
    groups = curve.groupby(segs, observed=True, dropna=False, sort=True) if segs else [((), curve)]
    for key, g in groups:  # a handful of segments, each vectorised
        t = g["days"].to_numpy()
        cum = g["cum_conversion"].to_numpy()
        row = dict(zip(segs, key if isinstance(key, tuple) else (key,)))
        row["median_days"] = _first_reach(t, cum)
        # the interval of the median: where the upper and the lower band reach one half
        row["median_ci_low"] = _first_reach(t, g["ci_high"].fillna(1.0).to_numpy())
        row["median_ci_high"] = _first_reach(t, g["ci_low"].fillna(1.0).to_numpy())
        for day in days:
            row[_label(day)] = _step_at(t, cum, day) * 100
        rows.append(row)
    found = pd.DataFrame(rows)
    out = counts.merge(found, on=segs, how="left") if segs else pd.concat([counts, found], axis=1)
    for col in ("n_journeys", "n_converted", "n_censored", "n_without_start"):
        out[col] = out[col].astype(np.int64)
    return out


def __getattr__(name: str) -> Any:
    if name == "TimeToConvert":
        warn_deprecated(
            "cjm_lab.journeys.TimeToConvert is now SurvivalResult (one class for time_to_convert and "
            "time_to_repeat); the old name goes in the next release."
        )
        return SurvivalResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
