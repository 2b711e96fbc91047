"""From events to journeys: ordering, de-duplication, sessions, truncation, catalogue."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from cjm_lab._validate import column_names
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.journeys.engine import (
    ENGINE_OPTIONS,
    EventSource,
    as_source,
    engine_options,
    quote,
    run_sql,
    segment_columns,
)
from cjm_lab.journeys.sql import JourneySpec, journey_ctes, make_spec

__all__ = ["build_journeys", "prepare", "JOURNEY_OPTIONS"]

#: The journey options every analysis accepts (see :func:`build_journeys`).
JOURNEY_OPTIONS = ("touchpoints", "journey", "session_gap", "dedupe", "until_conversion", "conversions")


def prepare(
    events: Any,
    *,
    where: str,
    by: str | Sequence[str] | None = None,
    extra: Mapping[str, str | None] | None = None,
    options: dict[str, Any] | None = None,
) -> tuple[EventSource, JourneySpec, pd.DataFrame | None]:
    """Validate the events and the journey options shared by every analysis.

    ``extra`` maps an argument name to an event column the analysis reads besides the
    roles (e.g. ``{"value": "revenue"}``); a missing column is reported for that argument.
    """
    options = dict(options or {})
    unknown = sorted(set(options) - set(JOURNEY_OPTIONS) - set(ENGINE_OPTIONS))
    if unknown:
        raise CJMConfigError(
            f"{where} got unknown option(s) {', '.join(map(repr, unknown))}. Journey options: "
            f"{', '.join(JOURNEY_OPTIONS)}; engine options: {', '.join(ENGINE_OPTIONS)}."
        )
    for flag in ("dedupe", "until_conversion"):  # "False" or "ja" must not pass as true
        if flag in options and not isinstance(options[flag], bool):
            raise CJMConfigError(f"`{flag}` in {where} must be True or False, got {options[flag]!r}.")
    column_names(by, arg="by", where=where)
    engine = engine_options(**{k: options.pop(k) for k in ENGINE_OPTIONS if k in options}, where=where)
    source = as_source(events, where=where)
    source.engine = engine
    segments = segment_columns(source, by, where=where)
    extra_cols = []
    for arg, col in (extra or {}).items():
        if col:
            segment_columns(source, [col], where=where, arg=arg)
            extra_cols.append(col)
    touchpoints = options.pop("touchpoints", None)
    cols = source.columns() if source.kind != "files" else []
    spec = make_spec(
        segments=segments,
        touchpoints=touchpoints,
        event_columns=cols,
        extra=extra_cols,
        dialect=source.dialect,
        **options,
    )
    if source.kind == "spark":
        _check_in_engine(source, spec, touchpoints, where)
    if touchpoints is not None and source.frame is not None:
        known = set(touchpoints["touchpoint"].astype(str))
        unknown_tp = ~source.frame["touchpoint"].isin(known)
        if unknown_tp.any():
            names = list(dict.fromkeys(source.frame.loc[unknown_tp, "touchpoint"]))[:5]
            raise CJMDataError(
                f"{where}: {int(unknown_tp.sum())} event(s) name touchpoints the catalogue does not have: "
                f"{', '.join(map(repr, names))}.",
                column="touchpoint",
                fix=(
                    "Add them to the catalogue or correct the log "
                    "(load_events(..., touchpoints=catalogue) checks this)."
                ),
            )
    if spec.journey == "session" and spec.has_session_id and source.frame is not None:
        owners = source.frame.groupby("session_id", observed=True)["customer_id"].nunique()
        shared = owners[owners > 1]
        if len(shared):
            raise CJMDataError(
                f"{where}: {len(shared)} session(s) belong to more than one customer, so sessions do not nest "
                "in customers.",
                column="session_id",
                rows=list(shared.index[:5]),
                fix="Make session ids unique per customer, or drop session_id to cut sessions by inactivity.",
            )
    return source, spec, touchpoints


def _check_in_engine(source: EventSource, spec: JourneySpec, touchpoints: pd.DataFrame | None, where: str) -> None:
    """The checks :func:`prepare` makes with pandas, as SQL for events that live in the engine (Spark)."""
    if touchpoints is not None:
        unknown = run_sql(
            "SELECT touchpoint, n, sum(n) OVER () AS n_all FROM (SELECT touchpoint, count(*) AS n FROM events "
            "WHERE touchpoint IS NOT NULL AND touchpoint NOT IN (SELECT touchpoint FROM touchpoints) "
            "GROUP BY touchpoint) AS u ORDER BY n DESC, touchpoint LIMIT 5",
            source,
            touchpoints=touchpoints,
        )
        if len(unknown):
            raise CJMDataError(
                f"{where}: {int(unknown['n_all'].iloc[0])} event(s) name touchpoints the catalogue does not have: "
                f"{', '.join(map(repr, unknown['touchpoint']))}.",
                column="touchpoint",
                fix="Add them to the catalogue or correct the log.",
            )
    if spec.journey == "session" and spec.has_session_id:
        shared = run_sql(
            "SELECT session_id, count(*) OVER () AS n_shared FROM (SELECT session_id FROM events "
            "WHERE session_id IS NOT NULL GROUP BY session_id HAVING count(DISTINCT customer_id) > 1) AS s "
            "ORDER BY session_id LIMIT 5",
            source,
        )
        if len(shared):
            raise CJMDataError(
                f"{where}: {int(shared['n_shared'].iloc[0])} session(s) belong to more than one customer, so "
                "sessions do not nest in customers.",
                column="session_id",
                rows=list(shared["session_id"]),
                fix="Make session ids unique per customer, or drop session_id to cut sessions by inactivity.",
            )


def build_journeys(
    events: Any,
    *,
    touchpoints: pd.DataFrame | None = None,
    journey: str = "customer",
    session_gap: str | float = "30min",
    dedupe: bool = True,
    until_conversion: bool = False,
    conversions: Sequence[str] | None = None,
    memory_limit: str | int | None = None,
    threads: int | None = None,
    temp_directory: str | None = None,
) -> pd.DataFrame:
    """Order events into journeys, one row per event, with step numbers and catalogue columns.

    Parameters
    ----------
    events : DataFrame, path, or Spark DataFrame
        Events from :func:`cjm_lab.io.load_events`, or Parquet/CSV files with the
        contract's columns (read by DuckDB without loading them all), or a PySpark
        DataFrame (or a ``(SparkSession, "table name")`` pair) with those columns and a
        ``TIMESTAMP`` timestamp: the same SQL then runs on Spark.
    touchpoints : DataFrame, optional
        The catalogue from :func:`cjm_lab.io.load_touchpoints`: adds ``stage``,
        ``department``, ``kind`` (and ``channel`` when the log has none) and marks
        conversions from ``is_conversion``.
    journey : {"customer", "session"}, default "customer"
        One journey per customer, or per session: the log's ``session_id`` (which must
        nest in customers) or, without it, a new session after ``session_gap`` of
        inactivity.
    session_gap : str or seconds, default "30min"
    dedupe : bool, default True
        Drop exact repeats (same customer, timestamp and touchpoint), keeping the first
        in ``sequence`` order.
    until_conversion : bool, default False
        Cut each journey after its first conversion.
    conversions : list of str, optional
        Touchpoints that count as conversions (default: the catalogue's ``is_conversion``).
    memory_limit, threads, temp_directory : optional
        The engine options every analysis takes (see
        :func:`cjm_lab.journeys.engine.engine_options`): DuckDB's memory limit (``"2GB"``),
        its threads and the folder it spills to when the limit is reached.

    Returns
    -------
    DataFrame
        ``journey_id, customer_id, step, timestamp, sequence, touchpoint, is_conversion``,
        the catalogue columns, and the log's other columns, ordered by journey and step.

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
    ...                    "timestamp": pd.to_datetime(["2025-01-01 10:00", "2025-01-01 10:00",
    ...                                                 "2025-01-01 09:00", "2025-01-02 08:00"], utc=True),
    ...                    "touchpoint": ["Cart", "Cart", "Website", "Website"], "sequence": [0, 1, 2, 3]})
    >>> build_journeys(ev)[["journey_id", "step", "touchpoint"]]
      journey_id  step touchpoint
    0          a     1    Website
    1          a     2       Cart
    2          b     1    Website
    """
    options = {k: v for k, v in locals().items() if k in JOURNEY_OPTIONS or (k in ENGINE_OPTIONS and v is not None)}
    source, spec, cat = prepare(events, where="build_journeys()", options=options)
    if source.kind != "files":
        keep = [c for c in source.columns() if c not in ("customer_id", "timestamp", "touchpoint", "sequence")]
        spec = JourneySpec(**{**spec.__dict__, "extra": tuple(keep)})
    carried = [*spec.extra, *spec.segments, *[c for c in spec.catalogue if c != "is_conversion"]]
    if spec.journey == "session" and not spec.has_session_id:
        carried.append("session_no")
    cols = "".join(f", {quote(c)}" for c in dict.fromkeys(carried))
    sql = (
        f"WITH {journey_ctes(spec)}\n"
        'SELECT journey_id, customer_id, step, ts AS "timestamp", seq AS "sequence", touchpoint, '
        f"is_conv AS is_conversion{cols} FROM j ORDER BY journey_id, step"
    )
    out = run_sql(sql, source, touchpoints=cat)
    out = out.drop(columns=[c for c in out.columns if c.startswith("_")])
    front = ["journey_id", "customer_id", "step", "timestamp", "sequence", "touchpoint", "is_conversion"]
    out = out[[*front, *[c for c in out.columns if c not in front]]]
    out["step"] = out["step"].astype("int64")
    return out
