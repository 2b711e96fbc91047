"""SQL builders: the journeys every analysis starts from, written once.

:func:`journey_ctes` returns the common table expressions that turn the raw
``events`` relation into ordered journeys ``j`` with one row per event::

    journey_id, customer_id, ts, seq, touchpoint, step (1, 2, … in journey order),
    t (epoch seconds), is_conv, [segment columns], [stage, department, kind, channel]

Ordering is always ``timestamp`` then ``sequence``, so equal timestamps sort the
same way in every engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cjm_lab.errors import CJMConfigError
from cjm_lab.journeys._dialect import DUCKDB, Dialect, literal, quote
from cjm_lab.untrusted import RESERVED_LABELS

__all__ = [
    "JourneySpec",
    "journey_ctes",
    "make_spec",
    "duration_seconds",
    "counted_quantiles",
    "segment_select",
    "path_name_sql",
    "label_sql",
    "CATALOGUE_COLUMNS",
]

#: Catalogue columns carried onto every event when a catalogue is given.
CATALOGUE_COLUMNS = ("stage", "department", "kind", "channel")


def duration_seconds(value: Any, name: str) -> float | None:
    """A duration parameter ("7D", "2h", a Timedelta or seconds) in seconds; None stays None.

    Examples
    --------
    >>> duration_seconds("2h", "window"), duration_seconds(90, "window")
    (7200.0, 90.0)
    """
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        try:
            seconds = pd.Timedelta(value).total_seconds()
        except (ValueError, TypeError):
            raise CJMConfigError(f"`{name}` must be a duration such as '7D' or '2h', got {value!r}.") from None
    if not seconds > 0:
        raise CJMConfigError(f"`{name}` must be positive, got {value!r}.")
    return seconds


@dataclass(frozen=True)
class JourneySpec:
    """How events become journeys (see :func:`cjm_lab.journeys.build_journeys`)."""

    journey: str = "customer"
    session_gap_s: float = 1800.0
    dedupe: bool = True
    until_conversion: bool = False
    conversions: tuple[str, ...] | None = None
    segments: tuple[str, ...] = ()
    catalogue: tuple[str, ...] = ()
    has_session_id: bool = False
    extra: tuple[str, ...] = field(default_factory=tuple)
    #: The engine's dialect (DuckDB, or Spark for Spark input); builders take it from here.
    dialect: Dialect = DUCKDB


def make_spec(
    *,
    journey: str = "customer",
    session_gap: str | float | pd.Timedelta = "30min",
    dedupe: bool = True,
    until_conversion: bool = False,
    conversions: Sequence[str] | None = None,
    segments: Sequence[str] = (),
    touchpoints: pd.DataFrame | None = None,
    event_columns: Sequence[str] = (),
    extra: Sequence[str] = (),
    dialect: Dialect = DUCKDB,
) -> JourneySpec:
    """Check the journey options and make a :class:`JourneySpec`."""
    if journey not in ("customer", "session"):
        raise CJMConfigError(f"`journey` must be 'customer' or 'session', got {journey!r}.")
    gap = duration_seconds(session_gap, "session_gap")
    catalogue: tuple[str, ...] = ()
    if touchpoints is not None:
        if not isinstance(touchpoints, pd.DataFrame) or "touchpoint" not in touchpoints.columns:
            raise CJMConfigError("`touchpoints` must be a catalogue from cjm_lab.io.load_touchpoints.")
        catalogue = tuple(
            c
            for c in (*CATALOGUE_COLUMNS, "is_conversion")
            if c in touchpoints.columns and not (c == "channel" and "channel" in event_columns)
        )
    if until_conversion and conversions is None and "is_conversion" not in catalogue:
        raise CJMConfigError(
            "`until_conversion` needs to know the conversions: pass `conversions=[...]` touchpoints or a "
            "catalogue (`touchpoints=`) with an is_conversion column."
        )
    return JourneySpec(
        journey=journey,
        session_gap_s=gap,  # type: ignore[arg-type]  # None only for customer journeys, which never read it
        dedupe=bool(dedupe),
        until_conversion=bool(until_conversion),
        conversions=tuple(conversions) if conversions is not None else None,
        segments=tuple(segments),
        catalogue=catalogue,
        has_session_id="session_id" in event_columns,
        extra=tuple(c for c in extra if c not in segments),
        dialect=dialect,
    )


def _bucket_filter(bucket: tuple[int, int] | str | None, d: Dialect) -> str:
    if bucket is None:
        return ""
    if isinstance(bucket, str):
        return f" AND ({bucket})"
    return f" AND {d.bucket('customer_id', bucket[1])} = {int(bucket[0])}"


def can_filter(spec: JourneySpec) -> bool:
    """Whether events can be dropped before the journeys are numbered without changing them."""
    return not spec.until_conversion and not (spec.journey == "session" and not spec.has_session_id)


def journey_ctes(
    spec: JourneySpec,
    d: Dialect | None = None,
    *,
    following: Mapping[str, str] | None = None,
    running: Mapping[str, str] | None = None,
    keep: str | None = None,
    numbered: bool = True,
    bucket: tuple[int, int] | str | None = None,
) -> str:
    """The ``WITH`` clauses (without the word WITH) that define the journeys relation ``j``.

    Everything that depends on the order of a journey is computed in **one** window
    (``PARTITION BY journey ORDER BY timestamp, sequence``), so the events are sorted once:

    * ``step`` (1, 2, … in journey order);
    * ``following``: ``{name: expression}`` — the expression's value at the next event of the
      journey (NULL at the last), plus ``next_t`` (epoch seconds of the next event) whenever
      ``following`` is given.  With ``until_conversion`` the cut is respected: the first
      conversion has no next event;
    * ``running``: ``{name: aggregate}`` — an aggregate over the journey's events up to and
      including the current one, e.g. ``{"n_conv": "sum(CASE WHEN {conv} THEN 1 ELSE 0 END)"}``
      (the columns of the events and the catalogue can be used; ``{conv}`` stands for the
      conversion flag), or ``first_value(col)`` for the journey's first value;
    * ``keep``: a condition on the events (and catalogue columns) applied *before* the window,
      for analyses that only compare the order of the events they keep (``step`` then numbers
      the kept events).  Ignored where dropping events would change the journeys: with
      ``until_conversion`` and with sessions cut by inactivity;
    * ``bucket=(b, k)`` keeps the customers of hash bucket ``b`` of ``k``, a string keeps the
      customers for which it holds (a range of ``customer_id``) — whole customers either way, so
      whole journeys), for analyses that run in parts to stay within a memory limit;
    * ``numbered=False`` leaves ``step`` out when nothing else needs the window, for analyses
      that order by ``ts, seq`` themselves or compare order keys (one sort fewer, or none).

    ``seq`` is never NULL: a missing sequence becomes the largest BIGINT, so it sorts last among
    equal timestamps in DuckDB and Spark alike.  De-duplication keeps the first event by sequence
    of each (customer, timestamp, touchpoint) in a hash aggregate.

    ``d`` is the engine's dialect, by default the spec's (DuckDB, or Spark for Spark input).
    """
    d = d or spec.dialect
    carried = [*spec.segments, *spec.extra]
    if spec.journey == "session" and spec.has_session_id:
        carried.append("session_id")
    cols = "".join(f", {quote(c)}" for c in dict.fromkeys(carried))
    ctes = [
        # a missing sequence sorts last among equal times, in every engine and every analysis
        'src AS (SELECT customer_id, "timestamp" AS ts, coalesce("sequence", 9223372036854775807) AS seq, '
        f'touchpoint{cols} FROM events WHERE customer_id IS NOT NULL AND "timestamp" IS NOT NULL '
        "AND touchpoint IS NOT NULL" + _bucket_filter(bucket, d) + ")"
    ]
    prev = "src"
    if spec.dedupe:
        # one event per (customer, time, touchpoint): the first by sequence, with its columns; a
        # hash aggregate, not a window (no sort)
        firsts = "".join(f", {d.arg_min(quote(c), 'seq')} AS {quote(c)}" for c in dict.fromkeys(carried))
        ctes.append(
            f"dd AS (SELECT customer_id, ts, min(seq) AS seq, touchpoint{firsts} FROM src "
            "GROUP BY customer_id, ts, touchpoint)"
        )
        prev = "dd"
    if spec.journey == "session":
        if spec.has_session_id:
            # a '|' (and the escape character) in the customer id gets a backslash: customer 'a|b' with
            # session 'c' and customer 'a' with session 'b|c' are two journeys (the first unescaped '|'
            # ends the customer id)
            jid = f"{_escaped(d.cast_text('customer_id'), '|')} || '|' || {d.cast_text('session_id')}"
        else:
            ctes.append(
                f"s1 AS (SELECT *, CASE WHEN lag(ts) OVER (PARTITION BY customer_id ORDER BY ts, seq) IS NULL "
                f"OR {d.epoch_seconds('ts')} - "
                f"{d.epoch_seconds('lag(ts) OVER (PARTITION BY customer_id ORDER BY ts, seq)')}"
                f" > {spec.session_gap_s!r} THEN 1 ELSE 0 END AS _new FROM {prev})"
            )
            ctes.append(
                "s2 AS (SELECT *, sum(_new) OVER (PARTITION BY customer_id ORDER BY ts, seq "
                "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS session_no FROM s1)"
            )
            prev = "s2"
            jid = f"customer_id || '|' || {d.cast_text('session_no')}"
    else:
        jid = "customer_id"
    if spec.conversions is not None:
        conv = (
            ("touchpoint IN (" + ", ".join(literal(c) for c in spec.conversions) + ")") if spec.conversions else "FALSE"
        )
    elif "is_conversion" in spec.catalogue:
        conv = "coalesce(c.is_conversion, FALSE)"
    else:
        conv = "FALSE"
    cat_cols = "".join(f", c.{quote(col)}" for col in spec.catalogue if col != "is_conversion")
    join = " LEFT JOIN touchpoints AS c USING (touchpoint)" if spec.catalogue else ""
    w = f"(PARTITION BY {jid} ORDER BY ts, seq)"
    upto = f"(PARTITION BY {jid} ORDER BY ts, seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
    following = dict(following or {})
    running = dict(running or {})
    windows = [f"row_number() OVER {w} AS step"] if numbered or following or running or spec.until_conversion else []
    if following:
        following["next_t"] = d.epoch_seconds("ts")
    windows += [f"lead({expr}) OVER {w} AS _lead_{name}" for name, expr in following.items()]
    windows += [f"{agg.replace('{conv}', f'({conv})')} OVER {upto} AS {quote(name)}" for name, agg in running.items()]
    if spec.until_conversion:
        windows.append(f"sum(CASE WHEN {conv} THEN 1 ELSE 0 END) OVER {upto} AS _conv_upto")
    filt = f" WHERE {keep}" if keep and can_filter(spec) else ""
    ctes.append(
        f"j0 AS (SELECT e.*{cat_cols}, {jid} AS journey_id, {d.epoch_seconds('ts')} AS t, {conv} AS is_conv"
        f"{''.join(', ' + x for x in windows)} FROM {prev} AS e{join}{filt})"
    )
    if spec.until_conversion:
        nxt = "".join(f", CASE WHEN is_conv THEN NULL ELSE _lead_{name} END AS {quote(name)}" for name in following)
        ctes.append(f"j AS (SELECT *{nxt} FROM j0 WHERE _conv_upto - CASE WHEN is_conv THEN 1 ELSE 0 END = 0)")
    else:
        nxt = "".join(f", _lead_{name} AS {quote(name)}" for name in following)
        ctes.append(f"j AS (SELECT *{nxt} FROM j0)")
    return ",\n".join(ctes)


def segment_select(segments: Sequence[str], d: Dialect = DUCKDB) -> tuple[str, str]:
    """Per-journey segment values (the first event's, by ``step``) as select items, and the
    GROUP BY list, for a query that groups the journeys ``j`` by ``journey_id``.

    Examples
    --------
    >>> segment_select(["persona"])
    (', arg_min_null("persona", step) AS "persona"', '"persona", ')
    """
    if not segments:
        return "", ""
    first = ", ".join(f"{d.arg_min(quote(s), 'step')} AS {quote(s)}" for s in segments)
    return f", {first}", ", ".join(quote(s) for s in segments) + ", "


def counted_quantiles(
    relation: str,
    keys: Sequence[str],
    value: str,
    quantiles: Mapping[str, float],
    sums: Sequence[str] = ("n",),
    weight: str = "n",
) -> str:
    """A query of ``relation`` (rows: keys, ``value``, ``weight`` = how often the value occurs,
    plus the count columns ``sums``) giving per key the sums and nearest-rank quantiles of ``value``.

    The quantile ``q`` is the value at rank ceil(q·n) of the group's sorted values (NULLs are
    not values), as :meth:`Dialect.quantile` (DuckDB's ``quantile_disc``, Spark's
    ``percentile_disc``) gives it on the raw values — but from values counted per analysis part,
    so the parts' counts just add up.  The keys' NULLs form their own group.
    """
    keys = list(keys)
    part = f"PARTITION BY {', '.join(keys)}" if keys else ""
    by = f" GROUP BY {', '.join(keys)}" if keys else ""
    lead = "".join(f"{k}, " for k in keys)
    w = f"CASE WHEN {value} IS NULL THEN 0 ELSE {weight} END"
    qcols = "".join(
        f", min(CASE WHEN {value} IS NOT NULL AND _cum >= ceil({q!r} * _tot) THEN {value} END) AS {name}"
        for name, q in quantiles.items()
    )
    sum_cols = ", ".join(f"sum({c}) AS {c}" for c in sums)
    return (
        f"WITH _c AS (SELECT {lead}{value}, {sum_cols} FROM {relation} GROUP BY {lead}{value}),\n"
        f"_w AS (SELECT *, sum({w}) OVER ({part} ORDER BY {value} NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING "
        f"AND CURRENT ROW) AS _cum, sum({w}) OVER ({part}) AS _tot FROM _c)\n"
        f"SELECT {lead}{sum_cols}{qcols} FROM _w{by}"
    )


def _escaped(expr: str, special: str) -> str:
    """SQL: ``expr`` with a backslash before every backslash and every ``special`` character."""
    bs = "chr(92)"
    return f"replace(replace({expr}, {bs}, {bs} || {bs}), {literal(special)}, {bs} || {literal(special)})"


def path_name_sql(expr: str) -> str:
    r"""SQL: the touchpoint name ``expr`` as :func:`cjm_lab.untrusted.join_path` writes it in a path
    (a backslash before ``\`` and ``>``, and before a name that is one of the reserved labels), so
    the names joined by ``" > "`` in the engine give the same text as in pandas and never collide.

    Examples
    --------
    >>> path_name_sql("tp")[:40]
    "CASE WHEN tp IN ('(start)', '(exit)', '("
    """
    reserved = ", ".join(literal(label) for label in RESERVED_LABELS)
    return f"CASE WHEN {expr} IN ({reserved}) THEN chr(92) || {expr} ELSE {_escaped(expr, '>')} END"


def label_sql(expr: str) -> str:
    """SQL: the touchpoint name ``expr`` as :func:`cjm_lab.untrusted.escape_label` writes it beside the
    reserved labels (a backslash in front of a name that reads like one), alike in DuckDB and Spark.

    For analyses whose labels and names meet inside the engine; where they meet only in the small
    result, the result is escaped in pandas instead (no cost per event).
    """
    reserved = ", ".join(literal(label) for label in RESERVED_LABELS)
    return (
        f"CASE WHEN regexp_replace({expr}, {literal('^' + chr(92) * 2 + '+')}, '') IN ({reserved}) "
        f"THEN chr(92) || {expr} ELSE {expr} END"
    )
