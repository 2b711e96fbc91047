"""SQL builders: the journeys every analysis starts from, written once.

:func:`journey_ctes` returns the common table expressions that turn the raw
``events`` relation into ordered journeys ``j`` with one row per event::

    journey_id, customer_id, ts, seq, touchpoint, step (1, 2, … in journey order),
    t (epoch seconds), is_conv, [segment columns], [stage, department, kind, channel]

Ordering is always ``timestamp`` then ``sequence``, so equal timestamps sort the
same way in every engine.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cjm_lab._validate import suggest
from cjm_lab.errors import CJMConfigError
from cjm_lab.journeys._dialect import DUCKDB, Dialect, literal, quote
from cjm_lab.untrusted import RESERVED_LABELS

__all__ = [
    "JourneySpec",
    "Period",
    "split_by",
    "date_range",
    "case_filter",
    "CaseFilter",
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


_PERIOD_NAMES = {"D": "day", "W": "week", "M": "month", "Q": "quarter"}


@dataclass(frozen=True)
class Period:
    """A period of time used as a segment: ``by=Period("M")`` compares months.

    ``of="journey"`` puts each journey in the period of its first event (a journey is counted
    once, in the month it began); ``of="event"`` puts each event in its own period (a transition,
    a funnel step, a touchpoint in the month it happened).  The segment column is called
    ``month`` (``week``, ``quarter``, ``day``) or, of each event, ``event_month`` …; its values are
    ``"2025-03"``, ``"2025-W14"`` (ISO weeks), ``"2025-Q1"``, ``"2025-03-31"`` (UTC).

    Examples
    --------
    >>> Period("W").name, Period("M", of="event").name
    ('week', 'event_month')
    """

    freq: str = "M"
    of: str = "journey"

    def __post_init__(self) -> None:
        if self.freq not in _PERIOD_NAMES:
            raise CJMConfigError(f"Period(): `freq` must be 'D', 'W', 'M' or 'Q', got {self.freq!r}.")
        if self.of not in ("journey", "event"):
            raise CJMConfigError(
                f"Period(): `of` must be 'journey' (the period of each journey's first event) or 'event' "
                f"(each event's own), got {self.of!r}."
            )

    @property
    def name(self) -> str:
        """The segment column's name."""
        return ("" if self.of == "journey" else "event_") + _PERIOD_NAMES[self.freq]

    def label(self, ts: str, d: Dialect) -> str:
        """SQL: the period's label of the timestamp expression ``ts`` (UTC)."""
        text = d.cast_text
        year = text(f"CAST(EXTRACT(YEAR FROM {ts}) AS BIGINT)")
        if self.freq == "D":
            return text(f"CAST({ts} AS DATE)")
        if self.freq == "M":
            return f"{year} || '-' || lpad({text(f'CAST(EXTRACT(MONTH FROM {ts}) AS BIGINT)')}, 2, '0')"
        if self.freq == "Q":
            return f"{year} || '-Q' || {text(f'CAST(EXTRACT(QUARTER FROM {ts}) AS BIGINT)')}"
        iso_year, week = d.iso_year_week(ts)
        return f"{text(f'CAST({iso_year} AS BIGINT)')} || '-W' || lpad({text(f'CAST({week} AS BIGINT)')}, 2, '0')"


def split_by(by: Any) -> tuple[list[str], list[Period]]:
    """``by`` as the log's columns and the periods (see :class:`Period`), each in order."""
    items = [by] if isinstance(by, (str, Period)) else list(by or [])
    return [b for b in items if not isinstance(b, Period)], [b for b in items if isinstance(b, Period)]


@dataclass(frozen=True)
class CaseFilter:
    """The cases an analysis keeps (see :func:`case_filter`): ``ids`` of customers (cases), or
    ``attributes``, each a column with the values kept; ``ids_not_in_log`` is counted by
    :func:`cjm_lab.journeys.build.prepare` (``None`` until then).
    """

    ids: tuple[Any, ...] = ()
    attributes: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    ids_not_in_log: int | None = None

    def record(self) -> dict[str, Any]:
        """The filter as a result's ``attrs`` show it (:func:`cjm_lab.journeys.build.journey_record`)."""
        if self.attributes:
            return {"attributes": {c: list(v) for c, v in self.attributes}}
        return {"ids": len(self.ids), "ids_not_in_log": self.ids_not_in_log}


_CASES_FIX = (
    " Fix: pass cases=['C1', 'C2'] (customer/case ids, the type of customer_id) or "
    "cases={'region': ['North', 'South']} (a case attribute: a column constant per journey, and its values)."
)


def _case_values(values: Any, what: str) -> tuple[Any, ...]:
    """The ids or values of ``cases``: text or whole numbers, of one kind, at least one, none missing."""
    items = [values] if isinstance(values, (str, int, float)) else values
    if isinstance(items, (bytes, Mapping, pd.DataFrame)) or not isinstance(items, Collection):
        raise CJMConfigError(f"`cases` {what} must be a value or a list of values, got {values!r}." + _CASES_FIX)
    items = list(items)
    if not items:
        raise CJMConfigError(f"`cases` {what} is an empty list, which would keep no journey." + _CASES_FIX)
    out: list[Any] = []
    for v in items:
        if hasattr(v, "item") and not isinstance(v, (str, bytes)):
            v = v.item()  # a numpy scalar from an array or a Series
        if isinstance(v, bool) or not isinstance(v, (str, int, float)) or (isinstance(v, float) and v != v):
            raise CJMConfigError(f"`cases` {what} holds {v!r}, which is neither text nor a number." + _CASES_FIX)
        out.append(v)
    if len({isinstance(v, str) for v in out}) > 1:
        raise CJMConfigError(f"`cases` {what} mixes text and numbers ({out[:4]!r}); pass one kind." + _CASES_FIX)
    return tuple(dict.fromkeys(out))


def case_filter(cases: Any, columns: Sequence[str] = ()) -> CaseFilter | None:
    """``cases`` — customer/case ids, or ``{column: value or values}`` on case attributes — checked
    against the log's ``columns``.

    Examples
    --------
    >>> case_filter(["C1", "C2"]).ids
    ('C1', 'C2')
    >>> case_filter({"region": "North"}, ["customer_id", "region"]).attributes
    (('region', ('North',)),)
    >>> case_filter(None) is None
    True
    """
    if cases is None:
        return None
    if isinstance(cases, Mapping):
        if not cases:
            raise CJMConfigError("`cases` is an empty mapping, which names no case attribute." + _CASES_FIX)
        attributes = []
        for column, values in cases.items():
            if not isinstance(column, str) or column not in columns:
                hint = suggest(str(column), [c for c in columns if c not in _ROLES])
                raise CJMConfigError(
                    f"`cases` names the column {column!r}, which the log does not have.{hint} Fix: name a case "
                    f"attribute of the log (its columns: {', '.join(map(repr, columns))})."
                )
            if column in _ROLES:
                raise CJMConfigError(
                    f"`cases` names the column {column!r}, which is not a case attribute. Fix: pass customer ids as "
                    "cases=[...] (a list, not a mapping); a touchpoint or a time is not constant per journey."
                )
            attributes.append((column, _case_values(values, f"for the column {column!r}")))
        return CaseFilter(attributes=tuple(attributes))
    return CaseFilter(ids=_case_values(cases, "(customer ids)"))


#: The event columns that are no case attribute (customer_id has its own form: a list of ids).
_ROLES = ("customer_id", "timestamp", "touchpoint", "sequence")


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
    #: Merge immediate repeats of a touchpoint (A, A, B -> A, B), keeping the first of each run.
    collapse: bool = False
    #: Keep the journeys whose first event lies in [from, to) (epoch seconds; None: open).
    dates: tuple[float | None, float | None] = (None, None)
    #: Periods used as segments (their names are among ``segments``).
    periods: tuple[Period, ...] = ()
    #: Keep some cases only (:func:`case_filter`): customer ids, or values of case attributes.
    cases: CaseFilter | None = None


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
    collapse_repeats: str = "off",
    dates: Any = None,
    cases: Any = None,
    periods: Sequence[Period] = (),
) -> JourneySpec:
    """Check the journey options and make a :class:`JourneySpec`."""
    if journey not in ("customer", "session"):
        raise CJMConfigError(f"`journey` must be 'customer' or 'session', got {journey!r}.")
    if collapse_repeats not in ("off", "consecutive"):
        raise CJMConfigError(
            f"`collapse_repeats` must be 'off' or 'consecutive', got {collapse_repeats!r}. Fix: 'consecutive' merges "
            "immediate repeats of a touchpoint (A, A, B becomes A, B)."
        )
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
            "`until_conversion` needs to know the conversions: pass `outcome=[...]` touchpoints or a "
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
        collapse=collapse_repeats == "consecutive",
        dates=date_range(dates),
        periods=tuple(periods),
        cases=case_filter(cases, event_columns),
    )


def date_range(dates: Any) -> tuple[float | None, float | None]:
    """``dates`` — ``(from, to)``, either end ``None`` for open — as epoch seconds; naive times are UTC.

    Examples
    --------
    >>> date_range(("2025-01-01", None))
    (1735689600.0, None)
    >>> date_range(None)
    (None, None)
    """
    if dates is None:
        return (None, None)
    fix = " Fix: pass dates=('2025-01-01', '2025-04-01') (from, to; either may be None)."
    if isinstance(dates, (str, bytes)) or not isinstance(dates, Sequence) or len(dates) != 2:
        raise CJMConfigError(f"`dates` must be a pair (from, to), got {dates!r}." + fix)
    out: list[float | None] = []
    for value in dates:
        if value is None:
            out.append(None)
            continue
        try:
            stamp = pd.Timestamp(value)
        except (ValueError, TypeError):
            raise CJMConfigError(f"`dates` holds {value!r}, which is not a date." + fix) from None
        if pd.isna(stamp):
            raise CJMConfigError(f"`dates` holds a missing date {value!r}; use None for an open end." + fix)
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        out.append((stamp - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1))
    if out[0] is not None and out[1] is not None and not out[0] < out[1]:
        raise CJMConfigError(f"`dates` must run forward (from before to), got {dates!r}." + fix)
    return (out[0], out[1])


def _bucket_filter(bucket: tuple[int, int] | str | None, d: Dialect) -> str:
    if bucket is None:
        return ""
    if isinstance(bucket, str):
        return f" AND ({bucket})"
    return f" AND {d.bucket('customer_id', bucket[1])} = {int(bucket[0])}"


def _ids_filter(cases: CaseFilter | None) -> str:
    """SQL: the condition on ``customer_id`` of a filter of case ids (whole customers, so whole journeys)."""
    if cases is None or not cases.ids:
        return ""
    return f" AND customer_id IN ({', '.join(literal(v) for v in cases.ids)})"


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
    duplicates: bool = False,
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
      that order by ``ts, seq`` themselves or compare order keys (one sort fewer, or none);
    * ``duplicates=True`` carries ``_dup``, the number of exact duplicates de-duplication merged
      into each event (0 without ``dedupe``), so an analysis can count them in its result.

    ``seq`` is never NULL: a missing sequence becomes the largest BIGINT, so it sorts last among
    equal timestamps in DuckDB and Spark alike.  De-duplication keeps the first event by sequence
    of each (customer, timestamp, touchpoint) in a hash aggregate.

    ``d`` is the engine's dialect, by default the spec's (DuckDB, or Spark for Spark input).
    """
    d = d or spec.dialect
    derived = {p.name for p in spec.periods}
    attributes = spec.cases.attributes if spec.cases is not None else ()
    carried = [c for c in (*spec.segments, *spec.extra, *(col for col, _ in attributes)) if c not in derived]
    if spec.journey == "session" and spec.has_session_id:
        carried.append("session_id")
    cols = "".join(f", {quote(c)}" for c in dict.fromkeys(carried))
    ctes = [
        # a missing sequence sorts last among equal times, in every engine and every analysis
        'src AS (SELECT customer_id, "timestamp" AS ts, coalesce("sequence", 9223372036854775807) AS seq, '
        f"touchpoint{cols}{', 0 AS _dup' if duplicates and not spec.dedupe else ''} FROM events "
        'WHERE customer_id IS NOT NULL AND "timestamp" IS NOT NULL '
        "AND touchpoint IS NOT NULL" + _bucket_filter(bucket, d) + _ids_filter(spec.cases) + ")"
    ]
    prev = "src"
    if spec.dedupe:
        # one event per (customer, time, touchpoint): the first by sequence, with its columns; a
        # hash aggregate, not a window (no sort)
        firsts = "".join(f", {d.arg_min(quote(c), 'seq')} AS {quote(c)}" for c in dict.fromkeys(carried))
        dup = ", count(*) - 1 AS _dup" if duplicates else ""
        ctes.append(
            f"dd AS (SELECT customer_id, ts, min(seq) AS seq, touchpoint{firsts}{dup} FROM src "
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
    if spec.collapse:
        # an immediate repeat of a touchpoint in a journey is left out (the first of each run stays)
        ctes.append(
            f"cr AS (SELECT * FROM (SELECT *, lag(touchpoint) OVER (PARTITION BY {jid} ORDER BY ts, seq) AS _prev_tp "
            f"FROM {prev}) AS r WHERE _prev_tp IS NULL OR _prev_tp <> touchpoint)"
        )
        prev = "cr"
    conditions = []
    if spec.dates != (None, None):
        # whole journeys whose first event lies in the range (a journey cut at a date would end there)
        first = f"min({d.epoch_seconds('ts')})"
        lo, hi = spec.dates
        having = " AND ".join(
            ([f"{first} >= {lo!r}"] if lo is not None else []) + ([f"{first} < {hi!r}"] if hi is not None else [])
        )
        ctes.append(f"jr AS (SELECT {jid} AS _jid FROM {prev} GROUP BY {jid} HAVING {having})")
        conditions.append(f"{jid} IN (SELECT _jid FROM jr)")
    if attributes:
        # whole journeys whose case attribute (its value at the journey's first event) is one of those kept
        first_key = d.order_key("ts", "seq")
        having = " AND ".join(
            f"{d.arg_min(quote(col), first_key)} IN ({', '.join(literal(v) for v in values)})"
            for col, values in attributes
        )
        ctes.append(f"jc AS (SELECT {jid} AS _jid FROM {prev} GROUP BY {jid} HAVING {having})")
        conditions.append(f"{jid} IN (SELECT _jid FROM jc)")
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
    # periods as segments: of each event (its own time), or of the journey (its first event's time)
    for p in spec.periods:
        if p.of == "event":
            cat_cols += f", {p.label('e.ts', d)} AS {quote(p.name)}"
    if any(p.of == "journey" for p in spec.periods):
        ctes.append(f"jp AS (SELECT {jid} AS _jid, min(ts) AS _t0 FROM {prev} GROUP BY {jid})")
        join += f" JOIN jp ON jp._jid = {jid.replace('customer_id', 'e.customer_id')}"
        for p in spec.periods:
            if p.of == "journey":
                cat_cols += f", {p.label('jp._t0', d)} AS {quote(p.name)}"
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
    if keep and can_filter(spec):
        conditions.append(f"({keep})")
    filt = f" WHERE {' AND '.join(conditions)}" if conditions else ""
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
