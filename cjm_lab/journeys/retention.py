"""Loyalty and retention: cohort retention curves, time to the second purchase, competing outcomes.

The loyalty stage asks whether customers come back.  :func:`retention` follows each
acquisition cohort (customers grouped by the period of their first purchase) through
the periods after it; :func:`time_to_repeat` estimates how long the second purchase
takes with the Kaplan–Meier estimator, so that customers who have not bought again *yet*
count as censored, not as lost.  :func:`cumulative_incidence` handles journeys that can
end in one of several outcomes (approved / declined / cancelled) with the
Aalen–Johansen estimator; :func:`time_to_outcome` builds its durations from the log.

Event-level work (first and second purchases, activity per period, durations) runs
as SQL in the engine; the estimators run in numpy on the small aggregated tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from cjm_lab._deprecate import warn_deprecated
from cjm_lab._params import CONFIDENCE, WHOLE_NUMBER, StrOptions, renamed_args, validate_params
from cjm_lab._stats import wilson_interval, z_value
from cjm_lab._validate import numeric_column, require_columns, require_frame, require_unique
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.journeys._dialect import literal, quote
from cjm_lab.journeys._options import Engine
from cjm_lab.journeys._sources import EventSource
from cjm_lab.journeys._survival import SurvivalResult, event_counts, group_rows, km_frame
from cjm_lab.journeys.build import OUTCOME, engine_of, journey_analysis, journey_options, old_conversions, prepare
from cjm_lab.journeys.sql import JourneySpec, journey_ctes

__all__ = [
    "retention",
    "time_to_repeat",
    "SurvivalResult",
    "kaplan_meier",
    "cumulative_incidence",
    "time_to_outcome",
    "DEFAULT_PURCHASES",
]

#: Purchase touchpoints used when neither ``outcome=`` nor a catalogue says.
DEFAULT_PURCHASES = ("Order confirmation", "Repeat purchase")
#: The label of the rows pooled over all cohorts.
ALL_COHORTS = "(all)"

_DAY = 86400.0
_WEEK_ORIGIN = 345600  # 1970-01-05 00:00 UTC, a Monday, in epoch seconds


# --------------------------------------------------------------------------- validation
def _names(value: Any, arg: str) -> list[str]:
    names = [value] if isinstance(value, str) else list(value) if isinstance(value, (list, tuple)) else None
    if not names or not all(isinstance(n, str) and n for n in names):
        raise CJMConfigError(f"`{arg}` must list touchpoint names, e.g. ['Order confirmation']; got {value!r}.")
    return names


def _end_seconds(end: Any) -> float | None:
    if end is None:
        return None
    try:
        stamp = pd.Timestamp(end)
    except (ValueError, TypeError):
        stamp = None
    if stamp is None or pd.isna(stamp):
        raise CJMConfigError(f"`end` must be a date or timestamp such as '2026-07-01', got {end!r}.")
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.value / 1e9


def _purchase_setup(options: dict[str, Any]) -> tuple[dict[str, Any], list[str] | None]:
    """Journey options with ``outcome`` set to the purchase touchpoints."""
    options = dict(options)
    cat = options.get("touchpoints")
    if options.get("outcome") is not None:  # checked by the table (OUTCOME)
        outcome = options["outcome"]
        names = [outcome] if isinstance(outcome, str) else list(outcome)
    elif isinstance(cat, pd.DataFrame) and "is_conversion" in cat.columns:
        names = None  # the catalogue marks them
    else:
        names = list(DEFAULT_PURCHASES)
    if names is not None:
        options["outcome"] = names
    return options, names


def _customer_segments(customers: Any, by: Any, where: str) -> tuple[pd.DataFrame | None, list[str]]:
    """Validate a ``customers`` table (customer_id and the ``by`` columns)."""
    if customers is None:
        return None, []
    require_frame(customers, where=where)
    cols = [by] if isinstance(by, str) else list(by or [])
    if not cols:
        raise CJMConfigError(f"{where}: `customers=` is used for `by`; name the column(s), e.g. by='persona'.")
    require_columns(customers, {"customers": "customer_id", "by": cols}, where=where)
    require_unique(customers, "customer_id", where=where)
    table = customers[["customer_id", *cols]].copy()
    table["customer_id"] = table["customer_id"].astype("str")
    return table, cols


def _no_purchases(where: str, names: list[str] | None) -> CJMDataError:
    shown = ", ".join(map(repr, names)) if names else "the catalogue's is_conversion touchpoints"
    return CJMDataError(
        f"{where}: no purchase events ({shown}) in the log.",
        column="touchpoint",
        fix="Name the purchase touchpoints of your log with `outcome=[...]`.",
    )


# --------------------------------------------------------------------------- SQL
def _period_sql(cohort: str) -> str:
    month = "(CAST(EXTRACT(YEAR FROM ts) AS BIGINT) * 12 + CAST(EXTRACT(MONTH FROM ts) AS BIGINT) - 1)"
    if cohort == "M":
        return month
    if cohort == "Q":
        return f"CAST(floor({month} / 3.0) AS BIGINT)"
    return f"CAST(floor((t - {_WEEK_ORIGIN}) / 604800.0) AS BIGINT)"


def _customer_ctes(spec: Any, segs: list[str], from_customers: bool, end: float | None, cohort: str) -> str:
    """CTEs ``ev`` (events up to the end, with a period number and the customer's first
    segment values), ``pur`` (purchases),
    ``acq`` (first purchase and segment per customer), ``rep`` (second purchase), ``lim``
    (the data end).
    """
    d = spec.dialect
    seg_ev = (
        ""
        if from_customers
        else "".join(
            f", first_value({quote(s)}) OVER (PARTITION BY customer_id ORDER BY ts, seq) AS {quote(s)}" for s in segs
        )
    )
    seg_acq = "".join(f", c.{quote(s)}" for s in segs) if from_customers else "".join(f", p.{quote(s)}" for s in segs)
    join = f" LEFT JOIN customers_by AS c ON c.customer_id = {d.cast_text('p.customer_id')}" if from_customers else ""
    cut = f" WHERE t <= {end!r}" if end is not None else ""
    lim = f"SELECT {end!r} AS data_end" if end is not None else "SELECT max(t) AS data_end FROM ev"
    return (
        f"{journey_ctes(spec, d)},\n"
        f"ev AS (SELECT customer_id, ts, seq, t, touchpoint, is_conv, {_period_sql(cohort)} AS per{seg_ev} "
        f"FROM j{cut}),\n"
        f"lim AS ({lim}),\n"
        "pur AS (SELECT *, row_number() OVER (PARTITION BY customer_id ORDER BY ts, seq) AS rn "
        "FROM ev WHERE is_conv),\n"
        f"acq AS (SELECT p.customer_id, p.per AS cohort, p.t AS t0{seg_acq} FROM pur AS p{join} WHERE p.rn = 1),\n"
        "rep AS (SELECT a.customer_id, min(p.per) AS per2, min(p.t) AS t2 FROM acq AS a JOIN pur AS p "
        "ON p.customer_id = a.customer_id AND p.t > a.t0 GROUP BY a.customer_id)"
    )


class _Setup(NamedTuple):
    """What :func:`retention` and :func:`time_to_repeat` build before their SQL."""

    source: EventSource
    spec: JourneySpec
    catalogue: pd.DataFrame | None
    customers: pd.DataFrame | None  # customer_id and the `by` columns, when `customers=` is given
    segs: list[str]
    names: list[str] | None  # the purchase touchpoints (None: the catalogue's is_conversion)
    end: float | None  # the data end in epoch seconds


def _setup(
    events: Any,
    where: str,
    *,
    by: Any,
    customers: Any,
    end: Any,
    options: dict[str, Any],
    engine: Engine | None,
    old_engine_keywords: dict[str, Any],
) -> _Setup:
    """The end, the purchase touchpoints, the customer segments and the prepared events."""
    if old_engine_keywords.pop("until_conversion", False):
        raise CJMConfigError(f"{where} follows customers past their first purchase; drop `until_conversion`.")
    engine = engine_of(engine, old_engine_keywords, where=where)
    end_s = _end_seconds(end)
    options, names = _purchase_setup(options)
    cust, cust_by = _customer_segments(customers, by, where)
    source, spec, cat = prepare(
        events, where=where, by=None if cust is not None else by, options=options, engine=engine
    )
    return _Setup(source, spec, cat, cust, cust_by or list(spec.segments), names, end_s)


def _run(sql: str, setup: _Setup) -> pd.DataFrame:
    extra = {"customers_by": setup.customers} if setup.customers is not None else None
    return setup.source.run(sql, touchpoints=setup.catalogue, extra=extra)


# --------------------------------------------------------------------------- periods
def _period_bounds(index: np.ndarray, cohort: str) -> tuple[list[str], np.ndarray]:
    """Labels of period numbers and the epoch second at which each period ends."""
    index = np.asarray(index, dtype=np.int64)
    if cohort == "W":
        start = pd.to_datetime(_WEEK_ORIGIN + index * 604800, unit="s", utc=True)
        labels = [s.strftime("%Y-%m-%d") for s in start]
        ends = (_WEEK_ORIGIN + (index + 1) * 604800).astype(float)
        return labels, ends
    months = index * 3 if cohort == "Q" else index
    step = 3 if cohort == "Q" else 1
    year, month = months // 12, months % 12 + 1
    labels = [f"{y}-Q{(m - 1) // 3 + 1}" if cohort == "Q" else f"{y}-{m:02d}" for y, m in zip(year, month)]
    nxt = months + step
    stamp = pd.to_datetime(pd.DataFrame({"year": nxt // 12, "month": nxt % 12 + 1, "day": 1}), utc=True)
    ends = ((stamp - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)).to_numpy(dtype=float)
    return labels, ends


@journey_analysis(
    {
        "cohort": [StrOptions({"M": "calendar months", "W": "ISO weeks", "Q": "quarters"})],
        "periods": [WHOLE_NUMBER],
        "confidence": [CONFIDENCE],
    },
    renames={"purchase": "outcome"},
)
def retention(
    events: Any,
    *,
    outcome: str | Sequence[str] | None = None,
    cohort: str = "M",
    periods: int = 12,
    activity: str | Sequence[str] = "purchase",
    by: str | Sequence[str] | None = None,
    customers: pd.DataFrame | None = None,
    end: Any = None,
    confidence: float = 0.95,
    touchpoints: pd.DataFrame | None = None,
    dedupe: bool = True,
    collapse_repeats: str = "off",
    dates: Any = None,
    cases: Any = None,
    engine: Engine | None = None,
    **old_engine_keywords: Any,
) -> pd.DataFrame:
    """Retention curves by acquisition cohort: who buys (or returns) again, period by period.

    A customer is *acquired* at the first purchase; the cohort is the calendar period
    (week, month, quarter) of that purchase.  For each cohort and each period
    ``p = 1 … periods`` after it, the table gives the share of the cohort active in that
    period, and the share that has made a second purchase by its end.  A cohort is
    reported for period ``p`` only when the data covers that period completely (the data
    reaches its last day; the day of the data's last event counts whole, so a log ending on
    31 December at 18:00 keeps December): unobservable periods are left out, never counted
    as churn.  The ``"(all)"`` rows pool, for each ``p``, the cohorts observable at ``p``.

    Parameters
    ----------
    events : DataFrame or path
        See :func:`cjm_lab.journeys.build_journeys`.
    outcome : str or list of str, optional
        Purchase touchpoints.  Default: the catalogue's ``is_conversion`` (with
        ``touchpoints=``), else :data:`DEFAULT_PURCHASES` (``"Order confirmation"``,
        ``"Repeat purchase"``).  Formerly ``purchase=`` (or ``conversions=``), accepted with
        a FutureWarning until cjm-lab 0.3.
    cohort : {"M", "W", "Q"}, default "M"
        Calendar months, ISO weeks (from Monday, labelled by it) or quarters, in UTC.
    periods : int, default 12
        How many periods after acquisition to follow.
    activity : "purchase", "any" or list of str, default "purchase"
        What counts as active in a period: a purchase (repeat-purchase rate), any event
        (return rate), or the listed touchpoints.
    by : str or list of str, optional
        Segment column(s): of the events (the value on the customer's first event), or
        of ``customers`` when it is given.
    customers : DataFrame, optional
        A table with ``customer_id`` and the ``by`` columns, e.g. the personas
        (``customer_id, persona``); customers missing from it form a segment of their own
        (missing value).
    end : date, optional
        Where the data ends (default: the log's last event); later events are ignored.
    confidence : float, default 0.95
        Level of the Wilson intervals.
    {journey_options}

    Returns
    -------
    DataFrame
        Segment columns, ``cohort`` (months ``"2025-03"``, weeks by their Monday
        ``"2025-03-03"``, quarters ``"2025-Q1"``; ``"(all)"`` for the pooled rows), ``period``
        (1 …), ``n_customers`` (acquired in the cohort), ``n_active``, ``retention``
        (percent active in that period) with ``ci_low``/``ci_high``, ``n_repeated``
        (second purchase by the end of the period) and ``repeat_rate`` (percent) with
        ``repeat_ci_low``/``repeat_ci_high``.  Cohorts in time order, the pooled rows last.

    Examples
    --------
    >>> ts = pd.to_datetime(["2025-01-05", "2025-02-10", "2025-01-20", "2025-02-03", "2025-04-01"], utc=True)
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c"], "timestamp": ts,
    ...                    "touchpoint": ["Buy", "Buy", "Buy", "Buy", "Visit"], "sequence": range(5)})
    >>> retention(ev, outcome=["Buy"], periods=2)[["cohort", "period", "n_customers", "n_active", "retention"]]
        cohort  period  n_customers  n_active  retention
    0  2025-01       1            2         1       50.0
    1  2025-01       2            2         0        0.0
    2  2025-02       1            1         0        0.0
    3    (all)       1            3         1  33.333333
    4    (all)       2            2         0        0.0
    """
    where = "retention()"
    if isinstance(activity, str) and activity in ("purchase", "any"):
        act = "e.is_conv" if activity == "purchase" else "TRUE"
    else:
        act = "e.touchpoint IN (" + ", ".join(literal(a) for a in _names(activity, "activity")) + ")"
    options = {
        "touchpoints": touchpoints,
        "dedupe": dedupe,
        "outcome": outcome,
        "collapse_repeats": collapse_repeats,
        "dates": dates,
        "cases": cases,
    }
    setup = _setup(
        events,
        where,
        by=by,
        customers=customers,
        end=end,
        options=options,
        engine=engine,
        old_engine_keywords=old_engine_keywords,
    )
    segs = setup.segs
    a_segs = "".join(f"a.{quote(s)}, " for s in segs)
    sql = f"""
WITH {_customer_ctes(setup.spec, segs, setup.customers is not None, setup.end, cohort)},
act AS (SELECT DISTINCT a.customer_id, e.per - a.cohort AS k FROM acq AS a JOIN ev AS e
        ON e.customer_id = a.customer_id AND e.per > a.cohort AND e.per - a.cohort <= {int(periods)} WHERE {act}),
u AS (
  SELECT {a_segs}a.cohort, 'n' AS kind, 0 AS k, count(*) AS n FROM acq AS a GROUP BY {a_segs}a.cohort
  UNION ALL
  SELECT {a_segs}a.cohort, 'active' AS kind, x.k, count(*) AS n FROM act AS x JOIN acq AS a
    ON a.customer_id = x.customer_id GROUP BY {a_segs}a.cohort, x.k
  UNION ALL
  SELECT {a_segs}a.cohort, 'repeat' AS kind, r.per2 - a.cohort AS k, count(*) AS n FROM rep AS r JOIN acq AS a
    ON a.customer_id = r.customer_id GROUP BY {a_segs}a.cohort, r.per2 - a.cohort
)
SELECT u.*, lim.data_end FROM u CROSS JOIN lim
"""
    raw = _run(sql, setup)
    if not (raw["kind"] == "n").any():
        raise _no_purchases(where, setup.names)
    data_end = float(raw["data_end"].iloc[0])
    raw["k"] = raw["k"].astype("int64")
    raw["cohort"] = raw["cohort"].astype("int64")
    keys = [*segs, "cohort"]
    base = raw[raw["kind"] == "n"][[*keys, "n"]].rename(columns={"n": "n_customers"})
    grid = base.merge(pd.DataFrame({"period": np.arange(1, periods + 1)}), how="cross")
    active = raw[raw["kind"] == "active"].rename(columns={"k": "period", "n": "n_active"})
    active = active[[*keys, "period", "n_active"]]
    grid = grid.merge(active, on=[*keys, "period"], how="left")
    # repeat purchases by the end of period p: counts by offset (0 = later in the acquisition period), cumulated
    repeat = raw[raw["kind"] == "repeat"].rename(columns={"n": "n_rep"})
    offsets = grid[[*keys, "period"]].merge(repeat[[*keys, "k", "n_rep"]], on=keys, how="left")
    offsets = offsets[offsets["k"].notna() & (offsets["k"] <= offsets["period"])]
    cum = offsets.groupby([*keys, "period"], dropna=False)["n_rep"].sum().rename("n_repeated").reset_index()
    grid = grid.merge(cum, on=[*keys, "period"], how="left")
    for col in ("n_active", "n_repeated"):
        grid[col] = grid[col].fillna(0).astype("int64")
    _, period_end = _period_bounds((grid["cohort"] + grid["period"]).to_numpy(), cohort)
    # the data covers a period when it reaches the period's last day: a log whose last event is on
    # 31 December at 18:00 covers December (the day the data ends counts whole)
    covered = np.floor(data_end / _DAY) * _DAY + _DAY
    grid = grid[period_end <= covered + 1e-6]
    grid["n_customers"] = grid["n_customers"].astype("int64")
    grid = grid.sort_values([*segs, "cohort", "period"], kind="stable")
    pooled = (
        grid.groupby([*segs, "period"], dropna=False, observed=True)[["n_customers", "n_active", "n_repeated"]]
        .sum()
        .reset_index()
    )
    grid["cohort"] = _period_bounds(grid["cohort"].to_numpy(), cohort)[0] if len(grid) else []
    pooled["cohort"] = ALL_COHORTS
    table = pd.concat([grid, pooled], ignore_index=True)
    if segs:
        table = table.sort_values(segs, kind="stable")
    table = table.reset_index(drop=True)
    n = table["n_customers"].to_numpy(float)
    table["retention"] = table["n_active"] / table["n_customers"] * 100
    table["ci_low"], table["ci_high"] = wilson_interval(table["n_active"].to_numpy(float), n, confidence=confidence)
    table["repeat_rate"] = table["n_repeated"] / table["n_customers"] * 100
    table["repeat_ci_low"], table["repeat_ci_high"] = wilson_interval(
        table["n_repeated"].to_numpy(float), n, confidence=confidence
    )
    cols = [
        *segs,
        "cohort",
        "period",
        "n_customers",
        "n_active",
        "retention",
        "ci_low",
        "ci_high",
        "n_repeated",
        "repeat_rate",
        "repeat_ci_low",
        "repeat_ci_high",
    ]
    out = table[cols].copy()
    out["period"] = out["period"].astype("int64")
    return out


# --------------------------------------------------------------------------- Kaplan–Meier
def _as_array(values: Any, name: str) -> pd.Series:
    if isinstance(values, pd.DataFrame) or values is None or isinstance(values, (str, bytes)):
        raise CJMConfigError(f"`{name}` must be a list, array or Series of values, got {type(values).__name__}.")
    if isinstance(values, pd.Series):
        series = values.reset_index(drop=True)
    else:
        series = pd.Series(values if isinstance(values, np.ndarray) else list(values))
    return series.rename(name)


def _durations(durations: Any, where: str) -> tuple[pd.Series, np.ndarray]:
    series = _as_array(durations, "durations")
    if len(series) == 0:
        raise CJMDataError(f"{where} needs at least one duration, got none.", fix="Pass one duration per journey.")
    values = numeric_column(series.to_frame(), "durations", where=where, low=0)
    return values, values.isna().to_numpy()


def _group_frame(groups: Any, n: int, where: str) -> tuple[pd.DataFrame, list[str]]:
    if groups is None:
        return pd.DataFrame(index=range(n)), []
    if isinstance(groups, pd.DataFrame):
        frame = groups.reset_index(drop=True)
    else:
        series = _as_array(groups, "group")
        frame = series.to_frame(str(getattr(groups, "name", None) or "group"))
    if len(frame) != n:
        raise CJMDataError(
            f"{where}: `groups` has {len(frame)} values for {n} durations.",
            fix="Pass one group value per duration (e.g. a column of the same table).",
        )
    return frame, [str(c) for c in frame.columns]


@validate_params({"confidence": [CONFIDENCE]})
def kaplan_meier(
    durations: Any,
    observed: Any,
    *,
    groups: Any = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Kaplan–Meier survival curve with Greenwood confidence intervals.

    Parameters
    ----------
    durations : array-like of float
        Time to the event or to censoring (non-negative, any unit).
    observed : array-like of bool
        True where the event happened, False where the time is censored.
    groups : array-like or DataFrame, optional
        One curve per group (a named Series gives the column its name).
    confidence : float, default 0.95

    Returns
    -------
    DataFrame
        Group columns, ``time`` (each distinct time with an event or a censoring),
        ``n_at_risk`` (just before ``time``), ``n_events``, ``n_censored``, ``survival``
        (0–1, after ``time``), ``se`` (Greenwood) and ``ci_low``/``ci_high`` (log(−log)
        transformed, so they stay within 0–1; NaN once the curve reaches 0).  Missing
        durations are left out and counted in ``n_missing``.

    Examples
    --------
    >>> km = kaplan_meier([1, 2, 2, 3], [True, True, False, True])
    >>> km[["time", "n_at_risk", "n_events", "survival"]]
       time  n_at_risk  n_events  survival
    0   1.0        4.0       1.0      0.75
    1   2.0        3.0       1.0      0.50
    2   3.0        1.0       1.0      0.00
    """
    where = "kaplan_meier()"
    times, missing = _durations(durations, where)
    flags = _as_array(observed, "observed")
    if len(flags) != len(times):
        raise CJMDataError(
            f"{where}: `observed` has {len(flags)} values for {len(times)} durations.",
            fix="Pass one True/False per duration.",
        )
    if flags.isna().any() or not flags.isin([True, False, 0, 1]).all():
        bad = ~flags.isin([True, False, 0, 1]) | flags.isna()
        rows = list(np.flatnonzero(bad.to_numpy())[:5])
        raise CJMDataError(
            f"{where}: `observed` must be True/False (1/0).",
            column="observed",
            rows=rows,
            values=list(flags[bad].iloc[:5]),
            fix="Mark events True and censored times False.",
        )
    gframe, keys = _group_frame(groups, len(times), where)
    frame = gframe.assign(_t=times.to_numpy(), _e=flags.astype(bool).to_numpy())
    n_missing = frame[missing].groupby(keys, dropna=False).size() if keys else int(missing.sum())
    counts = event_counts(frame[~missing], keys, "_t", "_e", None)
    table = km_frame(counts, keys, "_t", z_value(confidence))
    return _with_missing(table, keys, n_missing)


def _with_missing(table: pd.DataFrame, keys: list[str], n_missing: Any) -> pd.DataFrame:
    if keys:
        miss = n_missing.rename("n_missing").reset_index() if len(n_missing) else None
        table = table.merge(miss, on=keys, how="left") if miss is not None else table.assign(n_missing=0)
        table["n_missing"] = table["n_missing"].fillna(0).astype("int64")
    else:
        table["n_missing"] = int(n_missing)
    return table


def _step_value(times: np.ndarray, values: np.ndarray, at: float, default: float) -> float:
    idx = np.searchsorted(times, at, side="right") - 1
    return default if idx < 0 else float(values[idx])


def _first_below(times: np.ndarray, values: np.ndarray, level: float = 0.5) -> float:
    hit = np.flatnonzero(values <= level)
    return float(times[hit[0]]) if len(hit) else np.nan


@journey_analysis({"confidence": [CONFIDENCE]}, renames={"purchase": "outcome"})
def time_to_repeat(
    events: Any,
    *,
    outcome: str | Sequence[str] | None = None,
    by: str | Sequence[str] | None = None,
    customers: pd.DataFrame | None = None,
    end: Any = None,
    within: Sequence[float] = (30, 90, 180),
    confidence: float = 0.95,
    touchpoints: pd.DataFrame | None = None,
    dedupe: bool = True,
    collapse_repeats: str = "off",
    dates: Any = None,
    cases: Any = None,
    engine: Engine | None = None,
    **old_engine_keywords: Any,
) -> SurvivalResult:
    """Time from the first to the second purchase: Kaplan–Meier curve, median, shares within N days.

    Customers without a second purchase are censored at the data's end (they may still
    come back), so the curve is not biased by recent customers.  A second purchase is
    the next purchase event later than the first (purchases at the same instant are one
    order).

    Parameters
    ----------
    events : DataFrame or path
        See :func:`cjm_lab.journeys.build_journeys`.
    outcome, by, customers, end
        As in :func:`retention` (``outcome`` was ``purchase=``).
    within : list of float, default (30, 90, 180)
        Days at which the summary reports the share that has bought again.
    confidence : float, default 0.95
    {journey_options}

    Returns
    -------
    SurvivalResult
        ``curve``: segment columns, ``days``, ``n_at_risk``, ``n_repeated``,
        ``n_censored``, ``survival`` (share not yet bought again, 0–1), ``se``
        (Greenwood), ``ci_low``, ``ci_high`` (log(−log) interval); the share repeating
        by ``days`` is ``1 - survival``.
        ``summary``: segment columns, ``n_customers`` (with a first purchase),
        ``n_repeated``, ``n_censored``, ``median_days`` with ``median_ci_low`` /
        ``median_ci_high`` (NaN when the curve or its band never falls to 0.5), and
        ``pct_within_<N>d`` per ``within`` (percent; NaN beyond the longest follow-up).

    Examples
    --------
    >>> ts = pd.to_datetime(["2025-01-01", "2025-01-11", "2025-01-01", "2025-01-21", "2025-01-01",
    ...                      "2025-02-01"], utc=True)
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "c", "d"], "timestamp": ts,
    ...                    "touchpoint": ["Buy"] * 5 + ["Visit"], "sequence": range(6)})
    >>> res = time_to_repeat(ev, outcome=["Buy"], within=[15])
    >>> res.curve[["days", "n_at_risk", "n_repeated", "n_censored", "survival"]].round(3)
       days  n_at_risk  n_repeated  n_censored  survival
    0  10.0        3.0        1.0         0.0     0.667
    1  20.0        2.0        1.0         0.0     0.333
    2  31.0        1.0        0.0         1.0     0.333
    >>> res.summary[["n_customers", "n_repeated", "median_days", "pct_within_15d"]].round(1)
       n_customers  n_repeated  median_days  pct_within_15d
    0            3           2         20.0            33.3
    """
    where = "time_to_repeat()"
    try:
        within = [float(w) for w in ([within] if isinstance(within, (int, float)) else within)]
    except (TypeError, ValueError):
        within = [-1.0]
    if not within or min(within) <= 0:
        raise CJMConfigError("`within` must list positive numbers of days, e.g. (30, 90, 180).")
    options = {
        "touchpoints": touchpoints,
        "dedupe": dedupe,
        "outcome": outcome,
        "collapse_repeats": collapse_repeats,
        "dates": dates,
        "cases": cases,
    }
    setup = _setup(
        events,
        where,
        by=by,
        customers=customers,
        end=end,
        options=options,
        engine=engine,
        old_engine_keywords=old_engine_keywords,
    )
    segs = setup.segs
    a_segs = "".join(f"a.{quote(s)}, " for s in segs)
    sql = f"""
WITH {_customer_ctes(setup.spec, segs, setup.customers is not None, setup.end, "M")},
dur AS (
  SELECT {a_segs}(coalesce(r.t2, lim.data_end) - a.t0) / {_DAY!r} AS days, r.t2 IS NOT NULL AS repeated
  FROM acq AS a LEFT JOIN rep AS r ON r.customer_id = a.customer_id CROSS JOIN lim
)
SELECT {"".join(quote(s) + ", " for s in segs)}days, repeated, count(*) AS n FROM dur
GROUP BY {"".join(quote(s) + ", " for s in segs)}days, repeated
"""
    raw = _run(sql, setup)
    if raw.empty:
        raise _no_purchases(where, setup.names)
    raw["days"] = raw["days"].astype(float).clip(lower=0.0)
    counts = event_counts(raw, segs, "days", "repeated", "n")
    curve = km_frame(counts, segs, "days", z_value(confidence)).rename(
        columns={"time": "days", "n_events": "n_repeated"}
    )
    curve = curve[[*segs, "days", "n_at_risk", "n_repeated", "n_censored", "survival", "se", "ci_low", "ci_high"]]
    rows = []
    for key, g in group_rows(curve, segs):
        t = g["days"].to_numpy(float)
        s = g["survival"].to_numpy(float)
        row = dict(zip(segs, key))
        row.update(
            n_customers=round(g["n_repeated"].sum() + g["n_censored"].sum()),
            n_repeated=round(g["n_repeated"].sum()),
            n_censored=round(g["n_censored"].sum()),
            median_days=_first_below(t, s),
            median_ci_low=_first_below(t, g["ci_low"].fillna(0).to_numpy(float)),
            median_ci_high=_first_below(t, g["ci_high"].fillna(0).to_numpy(float)),
        )
        for w in within:
            ok = w <= t.max() or s[-1] == 0
            label = f"pct_within_{w:g}d"
            row[label] = (1 - _step_value(t, s, w, 1.0)) * 100 if ok else np.nan
        rows.append(row)
    summary = pd.DataFrame(rows)
    return SurvivalResult(curve=curve.reset_index(drop=True), summary=summary, measure="time_to_repeat")


# --------------------------------------------------------------------------- Aalen–Johansen
def _aalen_johansen(times: np.ndarray, dk: np.ndarray, c: np.ndarray, z: float) -> dict[str, np.ndarray]:
    """Cumulative incidence of each outcome (columns of ``dk``) at sorted distinct ``times``.

    Variance: the delta-method estimate (Collett, *Modelling Survival Data in Medical
    Research*, 3rd ed., §12.2; Marubini & Valsecchi 1995), written with cumulative sums:
    ``Var F_k(t) = Σ_j≤t [(F_k(t) − F_k(t_j))² d_j / (n_j (n_j − d_j))
    + S(t_j−)² d_kj (n_j − d_kj) / n_j³ − 2 (F_k(t) − F_k(t_j)) S(t_j−) d_kj / n_j²]``.
    """
    d = dk.sum(axis=1)
    removed = d + c
    n = removed.sum() - np.concatenate([[0.0], np.cumsum(removed)[:-1]])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        surv = np.cumprod(1.0 - d / n)
        lag = np.concatenate([[1.0], surv[:-1]])
        inc = np.cumsum(lag[:, None] * dk / n[:, None], axis=0)
        a = np.where(n > d, d / (n * (n - d)), 0.0)[:, None]
        b = lag[:, None] ** 2 * dk * (n[:, None] - dk) / n[:, None] ** 3
        cc = lag[:, None] * dk / n[:, None] ** 2
        a0, a1, a2 = np.cumsum(a, axis=0), np.cumsum(a * inc, axis=0), np.cumsum(a * inc**2, axis=0)
        var = (
            inc**2 * a0
            - 2 * inc * a1
            + a2
            + np.cumsum(b, axis=0)
            - 2 * (inc * np.cumsum(cc, axis=0) - np.cumsum(cc * inc, axis=0))
        )
        var = np.clip(var, 0.0, None)
        se = np.sqrt(var)
        theta_se = se / (inc * np.abs(np.log(inc)))
        lo = np.exp(-np.exp(np.log(-np.log(inc)) + z * theta_se))
        hi = np.exp(-np.exp(np.log(-np.log(inc)) - z * theta_se))
    lo = np.where(inc <= 0, 0.0, np.where(inc >= 1, 1.0, lo))
    hi = np.where(inc <= 0, 0.0, np.where(inc >= 1, 1.0, hi))
    return {"n_at_risk": n, "d": d, "incidence": inc, "se": se, "ci_low": lo, "ci_high": hi}


@renamed_args({"outcomes": "outcome"})
@validate_params({"confidence": [CONFIDENCE]})
def cumulative_incidence(
    durations: Any,
    outcome: Any,
    *,
    groups: Any = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Aalen–Johansen cumulative incidence of competing outcomes.

    When a journey can end in one of several ways (approved, declined, cancelled),
    ``1 - Kaplan–Meier`` per outcome (treating the others as censored) overstates each
    outcome; the cumulative incidence ``F_k(t) = Σ_{t_j ≤ t} S(t_j−) d_kj / n_j`` does not,
    and the incidences of all outcomes add up to ``1 - S(t)``, the Kaplan–Meier estimate
    of "any outcome".

    Parameters
    ----------
    durations : array-like of float
        Time to the outcome or to censoring (non-negative).
    outcome : array-like
        The outcome of each journey; missing (None/NaN) means censored.  Formerly
        ``outcomes=`` (accepted with a FutureWarning until cjm-lab 0.3).
    groups : array-like or DataFrame, optional
        One set of curves per group.
    confidence : float, default 0.95

    Returns
    -------
    DataFrame
        Group columns, ``outcome`` (sorted), ``time`` (each distinct time at which any
        outcome happens), ``n_at_risk``, ``n_events`` (of this outcome at ``time``),
        ``incidence`` (0–1), ``se`` (delta method) and ``ci_low``/``ci_high`` (log(−log)
        transformed), ``n_missing`` (rows without a duration, left out).

    Examples
    --------
    >>> ci = cumulative_incidence([1, 2, 3, 4], ["won", None, "lost", "won"])
    >>> ci[["outcome", "time", "n_at_risk", "incidence"]]
      outcome  time  n_at_risk  incidence
    0    lost   1.0        4.0       0.00
    1    lost   3.0        2.0       0.375
    2    lost   4.0        1.0       0.375
    3     won   1.0        4.0       0.25
    4     won   3.0        2.0       0.25
    5     won   4.0        1.0       0.625
    """
    where = "cumulative_incidence()"
    times, missing = _durations(durations, where)
    labels = _as_array(outcome, "outcome")
    if len(labels) != len(times):
        raise CJMDataError(
            f"{where}: `outcome` has {len(labels)} values for {len(times)} durations.",
            fix="Pass one outcome (or None for censored) per duration.",
        )
    gframe, keys = _group_frame(groups, len(times), where)
    observed = labels.notna().to_numpy()
    kinds = sorted(pd.unique(labels[observed & ~missing]).tolist(), key=str)
    if not kinds:
        raise CJMDataError(
            f"{where}: no outcome is observed (all are missing, i.e. censored).",
            column="outcome",
            fix="Pass the outcome of each journey; None marks censored ones.",
        )
    code = pd.Categorical(labels, categories=kinds).codes
    frame = gframe.assign(_t=times.to_numpy(), _k=code)[~missing]
    n_missing = gframe[missing].groupby(keys, dropna=False).size() if keys else int(missing.sum())
    dummies = np.zeros((len(frame), len(kinds)))
    ok = frame["_k"].to_numpy() >= 0
    dummies[np.flatnonzero(ok), frame["_k"].to_numpy()[ok]] = 1.0
    wide = pd.concat(
        [
            frame[[*keys, "_t"]].reset_index(drop=True),
            pd.DataFrame(dummies, columns=[f"_d{i}" for i in range(len(kinds))]),
            pd.Series((~ok).astype(float), name="_c"),
        ],
        axis=1,
    )
    counts = wide.groupby([*keys, "_t"], dropna=False, observed=True, sort=True).sum().reset_index()
    z = z_value(confidence)
    parts = []
    for key, g in group_rows(counts, keys):  # a handful of groups, each vectorised
        dk = g[[f"_d{i}" for i in range(len(kinds))]].to_numpy(float)
        res = _aalen_johansen(g["_t"].to_numpy(float), dk, g["_c"].to_numpy(float), z)
        at_event = res["d"] > 0
        t = g["_t"].to_numpy(float)[at_event]
        for i, kind in enumerate(kinds):  # a handful of outcomes
            part = pd.DataFrame(
                {
                    "outcome": kind,
                    "time": t,
                    "n_at_risk": res["n_at_risk"][at_event],
                    "n_events": dk[at_event, i],
                    "incidence": res["incidence"][at_event, i],
                    "se": res["se"][at_event, i],
                    "ci_low": res["ci_low"][at_event, i],
                    "ci_high": res["ci_high"][at_event, i],
                }
            )
            for k, v in zip(keys, key):
                part[k] = v
            parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    table = table.sort_values([*keys, "outcome", "time"], kind="stable").reset_index(drop=True)
    table = table[[*keys, "outcome", "time", "n_at_risk", "n_events", "incidence", "se", "ci_low", "ci_high"]]
    return _with_missing(table, keys, n_missing)


@journey_analysis({"outcome": [OUTCOME]}, renames={"outcomes": "outcome"}, outcome_option=False)
def time_to_outcome(
    events: Any,
    *,
    outcome: str | Sequence[str],
    start: str | Sequence[str] | None = None,
    by: str | Sequence[str] | None = None,
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
) -> pd.DataFrame:
    """Per journey: the first of several outcomes and the time to it, or censoring at the last event.

    Parameters
    ----------
    events : DataFrame or path
        See :func:`cjm_lab.journeys.build_journeys`.
    outcome : list of str
        The touchpoints that end a journey in competing ways (e.g. ``A_APPROVED``,
        ``A_DECLINED``, ``A_CANCELLED``); the first one reached counts.  Formerly
        ``outcomes=`` (accepted with a FutureWarning until cjm-lab 0.3).
    start : str or list of str, optional
        Where the clock starts: the first occurrence of this touchpoint (default: the
        journey's first event).  Journeys without it get a missing duration.
    by : str or list of str, optional
        Segment column(s), the value on the journey's first event.
    {journey_options}

    Returns
    -------
    DataFrame
        ``journey_id``, ``customer_id``, segment columns, ``outcome`` (missing when
        censored: none of the outcomes after the start), ``duration_days`` (start to the
        outcome, or to the journey's last event when censored), ordered by journey.  Pass
        ``duration_days`` and ``outcome`` to :func:`cumulative_incidence`.

    Examples
    --------
    >>> ts = pd.to_datetime(["2025-01-01", "2025-01-03", "2025-01-01", "2025-01-02", "2025-01-05"], utc=True)
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "b"], "timestamp": ts,
    ...                    "touchpoint": ["Apply", "Approved", "Apply", "Call", "Call"], "sequence": range(5)})
    >>> time_to_outcome(ev, outcome=["Approved", "Declined"])
      journey_id customer_id   outcome  duration_days
    0          a           a  Approved            2.0
    1          b           b       NaN            4.0
    """
    where = "time_to_outcome()"
    kinds = [outcome] if isinstance(outcome, str) else list(outcome)
    starts = _names(start, "start") if start is not None else None
    conversions = old_conversions(
        old_engine_keywords,
        where=where,
        fix="for `until_conversion`, mark the conversions in the catalogue's is_conversion (touchpoints=)",
    )
    engine = engine_of(engine, old_engine_keywords, where=where)
    options = journey_options(
        touchpoints, journey, session_gap, dedupe, until_conversion, conversions, collapse_repeats, dates, cases
    )
    source, spec, cat = prepare(events, where=where, by=by, options=options, engine=engine)
    d = spec.dialect
    segs = list(spec.segments)
    seg_first = "".join(f", {d.arg_min(quote(s), 'step')} AS {quote(s)}" for s in segs)
    seg_out = "".join(f", s.{quote(s)}" for s in segs)
    is_start = "TRUE" if starts is None else "touchpoint IN (" + ", ".join(literal(s) for s in starts) + ")"
    in_out = "j.touchpoint IN (" + ", ".join(literal(k) for k in kinds) + ")"
    sql = f"""
WITH {journey_ctes(spec, d)},
s AS (
  SELECT journey_id, {d.arg_min("customer_id", "step")} AS customer_id,
         min(CASE WHEN {is_start} THEN step END) AS s_step, min(CASE WHEN {is_start} THEN t END) AS t_start,
         max(t) AS t_last{seg_first}
  FROM j GROUP BY journey_id
),
o AS (
  SELECT j.journey_id, {d.arg_min("j.touchpoint", "j.step")} AS outcome, min(j.t) AS t_out
  FROM j JOIN s ON s.journey_id = j.journey_id WHERE {in_out} AND j.step >= s.s_step GROUP BY j.journey_id
)
SELECT s.journey_id, s.customer_id{seg_out}, o.outcome,
       (coalesce(o.t_out, s.t_last) - s.t_start) / {_DAY!r} AS duration_days
FROM s LEFT JOIN o ON o.journey_id = s.journey_id
ORDER BY s.journey_id
"""
    table = source.run(sql, touchpoints=cat)
    table["duration_days"] = table["duration_days"].astype(float)
    return table


def __getattr__(name: str) -> Any:
    if name == "RepeatTimes":
        warn_deprecated(
            "cjm_lab.journeys.RepeatTimes is now SurvivalResult (one class for time_to_repeat and "
            "time_to_convert); the old name goes in the next release."
        )
        return SurvivalResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
