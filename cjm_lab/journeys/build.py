"""From events to journeys: ordering, de-duplication, sessions, truncation, catalogue."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from types import FrameType
from typing import Any, TypeVar

import pandas as pd

from cjm_lab._deprecate import warn_deprecated
from cjm_lab._params import (
    BOOLEAN,
    InstanceOf,
    Rule,
    StrOptions,
    called_from_package,
    check_param,
    renamed_args,
    validate_params,
    warn_changed,
)
from cjm_lab._validate import column_names, suggest
from cjm_lab.errors import CJMConfigError
from cjm_lab.journeys._dialect import literal, quote
from cjm_lab.journeys._docs import journey_docs
from cjm_lab.journeys._options import ENGINE_OPTIONS, Engine, engine_options
from cjm_lab.journeys._sources import EventSource, as_source, segment_columns
from cjm_lab.journeys.sql import CaseFilter, JourneySpec, Period, journey_ctes, make_spec, split_by

__all__ = [
    "build_journeys",
    "cut_journeys",
    "prepare",
    "journey_options",
    "journey_record",
    "engine_of",
    "JOURNEY_OPTIONS",
    "JOURNEY_TABLE",
    "LEVEL",
    "OUTCOME",
    "journey_analysis",
    "old_conversions",
]

F = TypeVar("F", bound=Callable[..., Any])

#: The journey options every analysis accepts (see :func:`build_journeys`).
JOURNEY_OPTIONS = (
    "touchpoints",
    "journey",
    "session_gap",
    "dedupe",
    "until_conversion",
    "outcome",
    "collapse_repeats",
    "dates",
    "cases",
)
#: The engine options analyses took as keywords before ``engine=Engine(...)`` (accepted for one
#: release, with a FutureWarning).
OLD_ENGINE_KEYWORDS = ("memory_limit", "threads", "temp_directory")


def _is_touchpoint_names(value: Any) -> bool:
    """A name, or a collection of names (list, tuple, set, array, Series; not a one-pass iterator)."""
    if isinstance(value, str):
        return bool(value)
    if isinstance(value, (bytes, Mapping, pd.DataFrame)) or not isinstance(value, Collection):
        return False
    return len(value) > 0 and all(isinstance(n, str) and n for n in value)


#: The outcome of a journey: the touchpoint(s) that mark it (a purchase, a resolved case, an approval).
OUTCOME = Rule(
    _is_touchpoint_names,
    "a touchpoint name or a list of touchpoint names",
    example="['Order confirmation']",
    fix="name the outcome touchpoints of the log, or leave `outcome` out for the catalogue's is_conversion.",
)

#: What the journey options and ``engine`` accept, checked for every analysis that takes them.
JOURNEY_TABLE: dict[str, list[Any]] = {
    "touchpoints": [
        Rule(
            lambda v: isinstance(v, pd.DataFrame) and "touchpoint" in v.columns,
            "a catalogue from cjm_lab.io.load_touchpoints (a DataFrame with a touchpoint column)",
        ),
        None,
    ],
    "journey": [StrOptions({"customer": "one journey per customer", "session": "one per session"})],
    "dedupe": [BOOLEAN],
    "until_conversion": [BOOLEAN],
    "outcome": [OUTCOME, None],
    "collapse_repeats": [
        StrOptions(
            {"off": "the default", "consecutive": "merges immediate repeats of a touchpoint: A, A, B becomes A, B"}
        )
    ],
    "engine": [
        InstanceOf(
            Engine,
            name="an Engine",
            example="engine=Engine(memory_limit='2GB')",
            fix="from cjm_lab.journeys import Engine.",
        ),
        None,
    ],
}

#: What an analysis counts per node: touchpoints, or the catalogue's stages or departments.
LEVEL = StrOptions(
    {"touchpoint": "the touchpoints", "stage": "the catalogue's stages", "department": "the catalogue's departments"}
)

#: The file of the decorators' wrappers (skipped when looking for an analysis's caller).
_SHIMS = validate_params.__code__.co_filename

#: The journey options' old names (the shim of every analysis that takes the journey options).
RENAMED_OPTIONS = {"conversions": "outcome"}


def journey_analysis(
    table: Mapping[str, Any] | None = None,
    *,
    renames: Mapping[str, str] | None = None,
    positional: Sequence[str] = (),
    outcome_option: bool = True,
    docs: Callable[[Any], Any] | None = None,
) -> Callable[[F], F]:
    """Decorate a journey analysis: the shared parameter docs (:func:`~cjm_lab.journeys._docs.journey_docs`),
    its parameter table with :data:`JOURNEY_TABLE` for the journey options it takes, and the old names
    (``conversions=`` is ``outcome=``) — in one place for every analysis.

    ``table`` adds or overrides rules; ``renames``/``positional`` go to
    :func:`~cjm_lab._params.renamed_args` besides the journey options' renames.  ``outcome_option=False``
    is for an analysis whose ``outcome`` is its own argument (``discriminating_patterns``,
    ``time_to_outcome``): there ``conversions=`` is not renamed by the shim.  ``docs`` replaces
    :func:`~cjm_lab.journeys._docs.journey_docs` for a docstring written another way.
    """

    def decorate(func: F) -> F:
        func = (docs or journey_docs)(func)
        params = inspect.signature(func).parameters
        rules = {k: v for k, v in JOURNEY_TABLE.items() if k in params and (outcome_option or k != "outcome")}
        rules.update(table or {})
        checked = validate_params(rules)(func)
        old = dict(RENAMED_OPTIONS) if outcome_option and "outcome" in params else {}
        old.update(renames or {})
        return renamed_args(old, positional=positional)(checked)

    return decorate


def old_conversions(old: dict[str, Any], *, where: str, fix: str) -> Any:
    """The ``conversions=`` an analysis whose ``outcome`` is an argument of its own was given (popped from
    its keywords ``old``): it keeps working until cjm-lab 0.3, with a FutureWarning saying ``fix``.
    """
    if "conversions" not in old:
        return None
    value = old.pop("conversions")
    check_param(value, [OUTCOME, None], name="conversions", where=where)
    # the analysis's caller: the first frame above it that is not one of its decorators' wrappers
    frame: FrameType | None = sys._getframe(2)
    depth = 2
    while frame is not None and frame.f_code.co_filename == _SHIMS:
        frame, depth = frame.f_back, depth + 1
    if not called_from_package(depth):
        warn_changed(where, f"`conversions` is now called `outcome`, which here names what is compared; {fix}")
    return value


def engine_of(engine: Engine | None, old: Mapping[str, Any] | None, *, where: str) -> Engine | None:
    """The :class:`~cjm_lab.journeys.Engine` an analysis was given: ``engine=``, or the engine options
    it took as keywords before (``memory_limit=``, ``threads=``, ``temp_directory=``), which still work
    for one release with a FutureWarning naming ``engine=Engine(...)``.  Any other keyword is refused.
    """
    old = dict(old or {})
    unknown = sorted(set(old) - set(OLD_ENGINE_KEYWORDS))
    if unknown:
        hint = (
            " It is a journey option this analysis does not take."
            if unknown[0] in JOURNEY_OPTIONS
            else suggest(unknown[0], [*JOURNEY_OPTIONS, *ENGINE_OPTIONS, "engine"])
        )
        raise CJMConfigError(
            f"{where} got unknown option(s) {', '.join(map(repr, unknown))}.{hint} Journey options: "
            f"{', '.join(JOURNEY_OPTIONS)}; engine options: {', '.join(ENGINE_OPTIONS)}, passed as "
            "engine=Engine(...) (from cjm_lab.journeys import Engine)."
        )
    if not old:
        return engine
    if engine is not None:
        raise CJMConfigError(
            f"{where}: got engine= and the old engine keyword(s) {', '.join(map(repr, old))}; pass them all "
            "in engine=Engine(...)."
        )
    given = engine_options(**old, where=where)
    shown = ", ".join(f"{k}={v!r}" for k, v in old.items())
    warn_deprecated(
        f"{where}: passing {', '.join(old)} as keywords is deprecated and stops working in the next release; "
        f"pass engine=Engine({shown}) (from cjm_lab.journeys import Engine)."
    )
    return given


def prepare(
    events: Any,
    *,
    where: str,
    by: str | Sequence[str] | None = None,
    extra: Mapping[str, str | None] | None = None,
    options: Mapping[str, Any] | None = None,
    engine: Engine | None = None,
) -> tuple[EventSource, JourneySpec, pd.DataFrame | None]:
    """Validate the events and the journey options shared by every analysis; the source runs with ``engine``.

    ``options`` holds the journey options (:data:`JOURNEY_OPTIONS`, see :func:`journey_options`).
    ``extra`` maps an argument name to an event column the analysis reads besides the roles
    (e.g. ``{"value": "revenue"}``); a missing column is reported for that argument.
    """
    options = dict(options or {})
    unknown = sorted(set(options) - set(JOURNEY_OPTIONS))
    if unknown:
        raise CJMConfigError(
            f"{where} got unknown option(s) {', '.join(map(repr, unknown))}. Journey options: "
            f"{', '.join(JOURNEY_OPTIONS)}; engine options: {', '.join(ENGINE_OPTIONS)}, passed as engine=Engine(...)."
        )
    outcome = options.pop("outcome", None)
    if outcome is not None:  # one touchpoint (not its letters), or a list of them
        outcome = [outcome] if isinstance(outcome, str) else list(outcome)
    # a column name, a Period or a list of them; anything else is named (column_names raises)
    names, periods = split_by(by if isinstance(by, Period) else column_names(by, arg="by", where=where))
    source = as_source(events, where=where, engine=engine)
    segments = segment_columns(source, names, where=where)
    present = set(source.columns())
    for p in periods:
        if p.name in present or p.name in segments:
            raise CJMConfigError(
                f"{where}: `by` has Period({p.freq!r}, of={p.of!r}), whose column {p.name!r} the log has already. "
                f"Fix: rename the log's {p.name!r} column, or group by it instead of the period."
            )
        segments.append(p.name)
    extra_cols = []
    for arg, col in (extra or {}).items():
        if col:
            segment_columns(source, [col], where=where, arg=arg)
            extra_cols.append(col)
    touchpoints = options.pop("touchpoints", None)
    spec = make_spec(
        segments=segments,
        periods=periods,
        touchpoints=touchpoints,
        event_columns=source.columns(),
        extra=extra_cols,
        dialect=source.dialect,
        conversions=outcome,
        **options,
    )
    source.check_journeys(
        catalogue=touchpoints, sessions=spec.journey == "session" and spec.has_session_id, where=where
    )
    if spec.cases is not None:
        spec = replace(spec, cases=_checked_cases(source, spec.cases, where=where))
    return source, spec, touchpoints


def _checked_cases(source: EventSource, cases: CaseFilter, *, where: str) -> CaseFilter:
    """``cases`` with values of the type of their column, and the ids the log lacks counted (one pass over
    ``customer_id``: DuckDB reads that column alone from Parquet).
    """
    checks = [("customer_id", cases.ids)] if cases.ids else list(cases.attributes)
    for column, values in checks:
        numeric = source.holds_numbers(column)
        if numeric != (not isinstance(values[0], str)):
            what = "ids" if column == "customer_id" else f"values of {column!r}"
            have, given = ("numbers", "text") if numeric else ("text", "numbers")
            raise CJMConfigError(
                f"{where}: `cases` gives {given} as the {what} ({list(values[:3])!r}), but the log's column "
                f"{column!r} holds {have}. Fix: pass the {what} as {have}, as the log writes them."
            )
    if not cases.ids:
        return cases
    found = source.run(
        "SELECT count(DISTINCT customer_id) AS n FROM events WHERE customer_id IN ("
        + ", ".join(literal(v) for v in cases.ids)
        + ")"
    )
    return replace(cases, ids_not_in_log=len(cases.ids) - int(found["n"].iloc[0]))


def journey_record(
    spec: JourneySpec, *, duplicates: int | None = None, periods_of: str | None = None
) -> dict[str, Any]:
    """How the journeys of a result were made, for its ``attrs["cjm_journeys"]``: the options that change
    them, how ``by`` was applied and the exact duplicates dropped (when the analysis counts them).

    ``periods_of`` says which event a ``by`` column's value (and a period of each event) is taken
    from: by default each journey's first event (analyses with a row per journey or per path);
    ``Period(..., of="journey")`` is always the period of the journey's first event.
    """
    lo, hi = spec.dates
    stamp = [None if v is None else str(pd.Timestamp(v, unit="s", tz="UTC")) for v in (lo, hi)]
    periods = {p.name: p for p in spec.periods}
    value_of = periods_of or "each journey's first event"

    def applied(column: str) -> str:
        if column not in periods:
            return value_of
        return "the period of " + ("each journey's first event" if periods[column].of == "journey" else value_of)

    return {
        "journey": spec.journey,
        "dedupe": spec.dedupe,
        "duplicates_dropped": duplicates,
        "collapse_repeats": "consecutive" if spec.collapse else "off",
        "dates": stamp if any(stamp) else None,
        "cases": spec.cases.record() if spec.cases is not None else None,
        "by": [{"column": s, "of": applied(s)} for s in spec.segments],
    }


def journey_options(
    touchpoints: pd.DataFrame | None,
    journey: str,
    session_gap: str | float,
    dedupe: bool,
    until_conversion: bool,
    outcome: str | Sequence[str] | None,
    collapse_repeats: str = "off",
    dates: Any = None,
    cases: Any = None,
) -> dict[str, Any]:
    """The journey options of an analysis as the mapping :func:`prepare` takes."""
    return {
        "touchpoints": touchpoints,
        "journey": journey,
        "session_gap": session_gap,
        "dedupe": dedupe,
        "until_conversion": until_conversion,
        "outcome": outcome,
        "collapse_repeats": collapse_repeats,
        "dates": dates,
        "cases": cases,
    }


@journey_analysis()
def build_journeys(
    events: Any,
    *,
    touchpoints: pd.DataFrame | None = None,
    journey: str = "customer",
    session_gap: str | float = "30min",
    dedupe: bool = True,
    until_conversion: bool = False,
    outcome: str | Sequence[str] | None = None,
    collapse_repeats: str = "off",
    dates: Any = None,
    cases: Any = None,
    engine: Engine | None = None,
    **old_engine_keywords: Any,
) -> pd.DataFrame:
    """Order events into journeys, one row per event, with step numbers and catalogue columns.

    Parameters
    ----------
    events : DataFrame, path, or Spark DataFrame
        Events from :func:`cjm_lab.io.load_events`, or Parquet/CSV files with the
        contract's columns (read by DuckDB without loading them all), or a PySpark
        DataFrame (or a ``(SparkSession, "table name")`` pair) with those columns and a
        ``TIMESTAMP`` timestamp: the same SQL then runs on Spark.
    {journey_options}

    Returns
    -------
    DataFrame
        ``journey_id, customer_id, step, timestamp, sequence, touchpoint, is_conversion``,
        the catalogue columns, and the log's other columns, ordered by journey and step.

    See Also
    --------
    cut_journeys : The part of each journey from one touchpoint to another.

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
    where = "build_journeys()"
    engine = engine_of(engine, old_engine_keywords, where=where)
    options = journey_options(
        touchpoints, journey, session_gap, dedupe, until_conversion, outcome, collapse_repeats, dates, cases
    )
    return _journey_rows(events, where=where, options=options, engine=engine)


#: Where a cut journey starts or ends.
_NODE = InstanceOf(str, name="a touchpoint name (a stage name at level='stage')")


@journey_analysis(
    {
        "start": [_NODE, None],
        "end": [_NODE, None],
        "level": [StrOptions({"touchpoint": "the touchpoints", "stage": "the catalogue's stages"})],
    }
)
def cut_journeys(
    events: Any,
    *,
    start: str | None = None,
    end: str | None = None,
    level: str = "touchpoint",
    touchpoints: pd.DataFrame | None = None,
    journey: str = "customer",
    session_gap: str | float = "30min",
    dedupe: bool = True,
    until_conversion: bool = False,
    outcome: str | Sequence[str] | None = None,
    collapse_repeats: str = "off",
    dates: Any = None,
    cases: Any = None,
    engine: Engine | None = None,
) -> pd.DataFrame:
    """Each journey from its first ``start`` to the first ``end`` at or after it, one row per event.

    Journeys that never meet ``start`` (or never reach ``end`` after it) are left out;
    ``None`` means the journey's own beginning or end.  At ``level="stage"`` the
    ``touchpoint`` column holds the stage of each event (from the catalogue), with
    consecutive events in the same stage merged into the first of them.  The journeys are
    those of :func:`build_journeys` (ordered, de-duplicated, sessions) and are cut in the
    engine, so files and Spark DataFrames are cut where they are.

    Parameters
    ----------
    events : DataFrame, path, or Spark DataFrame
        See :func:`build_journeys`.
    start, end : str, optional
        A touchpoint (or a stage at ``level="stage"``).
    level : {"touchpoint", "stage"}, default "touchpoint"
    {journey_options}

    Returns
    -------
    DataFrame
        The columns of :func:`build_journeys` for the kept events, ``step`` numbered 1, 2, …
        within each cut journey, ordered by journey and step.

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": list("aaaabb"),
    ...                    "timestamp": pd.to_datetime(["2025-01-01"] * 6, utc=True),
    ...                    "touchpoint": ["Ad", "Shop", "Cart", "Shop", "Ad", "Cart"], "sequence": range(6)})
    >>> cut_journeys(ev, start="Shop", end="Cart")[["customer_id", "step", "touchpoint"]]
      customer_id  step touchpoint
    0           a     1       Shop
    1           a     2       Cart
    """
    where = "cut_journeys()"
    if level == "stage" and (touchpoints is None or "stage" not in getattr(touchpoints, "columns", ())):
        raise CJMConfigError(f"{where}: `level='stage'` needs the catalogue: pass touchpoints=.")
    engine = engine_of(engine, None, where=where)
    options = journey_options(
        touchpoints, journey, session_gap, dedupe, until_conversion, outcome, collapse_repeats, dates, cases
    )
    return _journey_rows(events, where=where, options=options, engine=engine, cut=(start or None, end or None, level))


def _journey_rows(
    events: Any,
    *,
    where: str,
    options: dict[str, Any],
    engine: Engine | None,
    cut: tuple[str | None, str | None, str] | None = None,
) -> pd.DataFrame:
    """The journeys' events with the log's columns (:func:`build_journeys`), optionally cut
    from a start to an end (:func:`cut_journeys`).
    """
    source, spec, cat = prepare(events, where=where, options=options, engine=engine)
    keep = [c for c in source.columns() if c not in ("customer_id", "timestamp", "touchpoint", "sequence")]
    spec = JourneySpec(**{**spec.__dict__, "extra": tuple(keep)})
    carried = [*spec.extra, *spec.segments, *[c for c in spec.catalogue if c != "is_conversion"]]
    if spec.journey == "session" and not spec.has_session_id:
        carried.append("session_no")
    cols = "".join(f", {quote(c)}" for c in dict.fromkeys(carried))
    rows = "j"
    ctes = journey_ctes(spec)
    step = "step"
    if cut is not None:
        ctes += ",\n" + _cut_ctes(spec, *cut)
        rows, step = "cut", "row_number() OVER (PARTITION BY journey_id ORDER BY step)"
    sql = (
        f"WITH {ctes}\n"
        f'SELECT journey_id, customer_id, {step} AS step, ts AS "timestamp", seq AS "sequence", '
        f"{'node AS touchpoint' if cut is not None else 'touchpoint'}, is_conv AS is_conversion{cols} "
        f"FROM {rows} ORDER BY journey_id, step"
    )
    out = source.run(sql, touchpoints=cat)
    out = out.drop(columns=[c for c in out.columns if c.startswith("_")])
    front = ["journey_id", "customer_id", "step", "timestamp", "sequence", "touchpoint", "is_conversion"]
    out = out[[*front, *[c for c in out.columns if c not in front]]]
    out["step"] = out["step"].astype("int64")
    return out


def _cut_ctes(spec: JourneySpec, start: str | None, end: str | None, level: str) -> str:
    """CTEs from the journeys ``j`` to ``cut``: the events from the first ``start`` to the first ``end``
    at or after it (``node`` is the touchpoint, or the stage with runs of one stage merged).
    """
    d = spec.dialect
    w = "(PARTITION BY journey_id ORDER BY step)"
    if level == "stage":
        node = d.cast_text(quote("stage"))
        nodes = (
            f"cn0 AS (SELECT *, {node} AS node, lag({node}) OVER {w} AS _prev FROM j),\n"
            "cn AS (SELECT * FROM cn0 WHERE step = 1 OR _prev IS DISTINCT FROM node)"
        )
    else:
        nodes = "cn AS (SELECT *, touchpoint AS node FROM j)"
    first = f"min(CASE WHEN node = {literal(start)} THEN step END) OVER (PARTITION BY journey_id)" if start else "1"
    last = (
        f"min(CASE WHEN node = {literal(end)} AND step >= _s0 THEN step END) OVER (PARTITION BY journey_id)"
        if end
        else "max(step) OVER (PARTITION BY journey_id)"
    )
    return (
        f"{nodes},\n"
        f"cs AS (SELECT *, {first} AS _s0 FROM cn),\n"
        f"ce AS (SELECT *, {last} AS _e0 FROM cs),\n"
        "cut AS (SELECT * FROM ce WHERE step >= _s0 AND step <= _e0)"
    )
