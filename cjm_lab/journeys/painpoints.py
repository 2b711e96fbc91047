"""Pain points: where journeys are lost, loop, bounce, wait, come late, change for the worse — and turn detractor.

One ranked table per touchpoint (or stage, department, or a column of the log such as the
support team), each row with the components below as columns.  A *journey* is a customer's
(or, with ``journey="session"``, a session's) events; a *session* is the log's ``session_id``
inside a journey (without one the journey is its own session).  The outcome is what a
journey's success is — a conversion (shop), a resolution (service cases) or an approval
(applications) — marked by the outcome touchpoints (``outcome=`` or the catalogue's
``is_conversion``); its kind (``outcome_kind``) names the columns and the sentences.

Components (each a column; the *excess* is the number of journeys hurt beyond the normal,
which the score adds up):

``drop_off``
    ``drop_off_pct``: the share of sessions meeting the node whose last event is there and
    that reach no outcome (per session: a session end is where a visitor left).  A node is a
    *natural exit* (``natural_exit``) when at least ``natural_exit`` of the successful sessions
    meeting it end there (an order confirmation, a closed ticket): leaving there is no
    drop-off.  ``outcome_after_pct`` is the share of the sessions going on from the node that
    reach an outcome after it.  Excess: drop-offs × that share — the outcomes lost there (a
    drop-off at the payment step is a lost sale, one at a product page mostly a browser
    leaving).
``lift``
    ``<outcome>_rate_met`` vs. ``<outcome>_rate_not_met``: the outcome share of the journeys
    meeting the node and of those not meeting it, their difference ``<outcome>_lift``
    (percentage points) with a Newcombe (Wilson) interval and a two-proportion z-test,
    Benjamini–Hochberg adjusted over the nodes (``<outcome>_lift_p_adjusted``); with a catalogue
    the same among the journeys reaching the node's stage (``<outcome>_lift_stage``), so that a
    late-stage page is compared with its stage, not with visitors who never got that far.
    Excess (significant negative lifts only; the stage comparison when it has ``min_base``
    journeys): journeys meeting it × the gap.
``rework``
    ``rework_pct``: journeys that come back to the node after other steps (A → B → A; an
    immediate repeat A → A is no rework), within one purchase episode for conversion outcomes
    (episodes restart after each conversion: a second invoice for a second order is no rework).
    Scored for process steps: with a catalogue's ``kind`` only ``internal`` non-service
    touchpoints (browsing back and forth is no rework); at other levels every node.  Excess:
    beyond the log's rate over the scored nodes.
``ping_pong``
    ``ping_pong_pct``: journeys in which the node takes part in a hand-over that comes straight
    back (A → B → A on the node sequence with repeats merged: a case sent to another team and
    returned), either end.  Scope and excess as rework.
``reopen``
    ``reopen_pct`` (resolution and approval outcomes): journeys with an outcome event at the
    node followed by further events — a resolution that did not hold.  Every one counts.
``long_wait``
    Time in state: a journey's stay at the node is the time from each of its events there to
    the journey's next event, added up (within the session: a session gap is no wait).
    ``median_stay_s`` with an order-statistic interval, ``p90_stay_s``, ``time_share_pct`` (the
    node's share of all time spent in the log) and ``long_wait_pct``: stays longer than the
    ``long_wait`` quantile of all stays of the log (0.95: about 5 % of the stays are long by
    construction; the fence and the rate found are in ``attrs``).  Stays are rounded down to
    3 significant digits.  Excess: beyond the log's rate.
``repeat_contact``
    ``repeat_contact_pct``: journeys followed by at least ``min_contacts`` service contacts
    within ``contact_window``; each contact counts for the last non-service touchpoint before
    it (its trigger).  Excess: beyond the log's rate.
``late``
    ``late_pct`` with ``promised=``: events later than promised.  Every one counts.
``detractor``
    With a survey: moments of truth (one logistic regression of detractor on all touchpoints
    met, Benjamini–Hochberg; see :mod:`cjm_lab.journeys._moments`).
``change``
    Change over time, without a known window: per ``period`` (weeks by default) the outcome
    share and the drop-off share of the sessions meeting the node, and the probability of each
    next step, each period against all other periods (two-proportion z-test, both at least
    ``min_base``), Benjamini–Hochberg over all tests of the log.  ``change_*`` columns give the
    most significant change per node and ``change_note`` says it ("Checkout payment: share
    reaching a conversion fell from 84 % to 33 % in week 2025-W14 (p < 0.001)").  Excess: the
    sessions of the significantly worse periods × the worsening.

``pain_score`` adds the excess over the components (``weights``) per 100 journeys of the log;
``drivers`` lists the components in the order of their share of the score, ``main_issue`` is
the first; ``pain_score_ci_low/high`` and ``rank_low/high`` come from a parametric bootstrap
(each component's counts redrawn from their binomials, ``n_boot`` times; the significance
decisions are kept).  Where the events carry a ``value``, ``value_at_stake`` is the outcomes
lost (drop-off, lift and change) × the value per journey with an outcome (``rank_by="value"``
ranks by it).  The whole log's rates are in ``table.attrs["cjm_pain_points"]["log"]`` and
:func:`pain_summary` says them in sentences; :func:`explain_pain_point` shows the evidence of
one row.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cjm_lab._format import format_number, format_p_value, format_percent
from cjm_lab._params import (
    ALPHA,
    COUNT,
    LANGUAGE,
    RANDOM_STATE,
    RANGE,
    WHOLE_NUMBER,
    InstanceOf,
    Interval,
    Real,
    StrOptions,
    validate_params,
)
from cjm_lab._stats import wilson_bounds
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.journeys._dialect import literal, quote
from cjm_lab.journeys._moments import attributable, moments_of_truth
from cjm_lab.journeys._options import Engine, default_memory_limit, resolved
from cjm_lab.journeys._pain_sql import COUNTS, MAX_STAGE_BITS, NODES, PainPlan, final_sql, node_codes, part_sql
from cjm_lab.journeys._parts import analysis_parts, run_in_parts
from cjm_lab.journeys._sources import as_source, run_sql
from cjm_lab.journeys.build import engine_of, journey_analysis, journey_options, journey_record, prepare
from cjm_lab.journeys.sql import duration_seconds, path_name_sql
from cjm_lab.journeys.transitions import EXIT
from cjm_lab.untrusted import PATH_SEPARATOR, escape_label
from cjm_lab.vocab import OUTCOME_WORDS, outcome_kind

__all__ = ["pain_points", "explain_pain_point", "pain_summary", "PainEvidence", "COMPONENTS", "PAIN_POINTS_ATTR"]

#: The components of the pain score, in the order of the table.
COMPONENTS = (
    "drop_off",
    "lift",
    "rework",
    "ping_pong",
    "reopen",
    "long_wait",
    "repeat_contact",
    "late",
    "detractor",
    "change",
)
#: The key of ``DataFrame.attrs`` under which :func:`pain_points` records how its table was computed.
PAIN_POINTS_ATTR = "cjm_pain_points"
_PERIODS = ("D", "W", "M", "Q")
_CATALOGUE_LEVELS = ("stage", "department")
_Z = float(stats.norm.ppf(0.975))


# --------------------------------------------------------------------------- words

_NOTES = {
    "en": {
        "drop_off": (
            "{v} of the {units} that reach it end here and never reach {noun}, while {c} of those that go on do"
        ),
        "lift": "{units} through it reach {noun} less often: {a} vs. {b} of comparable {units} ({p})",
        "rework": "{v} come back to it after other steps (log: {b})",
        "ping_pong": "{v} are handed on and straight back (ping-pong; log: {b})",
        "reopen": "{v} of the {units} are reopened {after} here ({k} {units})",
        "long_wait": "{v} stay longer than {f} (log: {b}); median stay {m}",
        "repeat_contact": "{v} contact customer service {mc}+ times within {d} afterwards (log: {b})",
        "late": "{v} happen later than promised",
        "detractor": "customers who met it are more often detractors (adjusted odds ratio {v}, {p})",
        "change": "{what} {dir} from {a} to {b} in {period} ({p})",
    },
    "de": {
        "drop_off": "{v} der {units}, die hier ankommen, enden hier und erreichen nie {noun} (von denen, die "
        "weitergehen, {c})",
        "lift": "{units} über diesen Punkt erreichen seltener {noun}: {a} gegenüber {b} vergleichbarer {units} ({p})",
        "rework": "{v} kommen nach anderen Schritten hierher zurück (gesamt: {b})",
        "ping_pong": "{v} werden weitergegeben und gleich zurückgegeben (Ping-Pong; gesamt: {b})",
        "reopen": "{v} der {units} werden {after} hier wieder geöffnet ({k} {units})",
        "long_wait": "{v} verweilen länger als {f} (gesamt: {b}); Median {m}",
        "repeat_contact": "{v} kontaktieren danach binnen {d} mindestens {mc}-mal den Kundenservice (gesamt: {b})",
        "late": "{v} später als zugesagt",
        "detractor": "Kunden mit diesem Kontakt sind häufiger Kritiker (adjustiertes Odds Ratio {v}, {p})",
        "change": "{what} {dir} von {a} auf {b} in {period} ({p})",
    },
}
_SESSIONS = {"en": "sessions", "de": "Sitzungen"}
_CHANGE_WORDS = {
    "en": {
        "outcome": "share {reach}",
        "drop_off": "drop-off",
        "next": "share going on to {next}",
        "fell": "fell",
        "rose": "rose",
        "W": "week {p}",
        "M": "month {p}",
        "Q": "quarter {p}",
        "D": "day {p}",
    },
    "de": {
        "outcome": "Anteil {reach}",
        "drop_off": "Abbruch",
        "next": "Anteil weiter zu {next}",
        "fell": "fiel",
        "rose": "stieg",
        "W": "Woche {p}",
        "M": "Monat {p}",
        "Q": "Quartal {p}",
        "D": "Tag {p}",
    },
}
_MISSING = {
    "en": {
        "outcome": "no outcome events (outcome= or the catalogue's is_conversion): drop-off, lift, reopen, "
        "changes of the outcome share and the value at stake are left out",
        "sessions": "no session_id: waits run between all consecutive events and drop-off is per journey "
        "(a session_id would leave session gaps out and count drop-offs per session)",
        "value": "no value column: the ranking is by journeys hurt (a value per event would give the value at stake)",
        "catalogue": "no catalogue: rework and ping-pong count for every touchpoint and the lift is not compared "
        "within stages (touchpoints= with stage and kind would add both)",
        "service": "no service touchpoints (service= or the catalogue's customer_service department): "
        "repeated service contacts are left out",
        "promised": "no promised-time column (promised=): lateness is left out",
        "survey": "no survey (survey=): the moments of truth are left out",
        "reopen": "reopen counts for resolution and approval outcomes only",
        "resource": "ping-pong between teams needs level= a team or resource column of the log",
    },
    "de": {
        "outcome": "keine Ergebnis-Ereignisse (outcome= oder is_conversion im Katalog): Abbruch, Lift, "
        "Wiedereröffnung, Veränderungen des Ergebnisanteils und der Wert im Risiko fehlen",
        "sessions": "keine session_id: Wartezeiten laufen zwischen allen Ereignissen, Abbrüche zählen je Journey "
        "(eine session_id ließe Pausen zwischen Sitzungen weg und zählte Abbrüche je Sitzung)",
        "value": "keine Wertspalte: gerankt wird nach betroffenen Journeys (ein Wert je Ereignis gäbe den Wert im "
        "Risiko)",
        "catalogue": "kein Katalog: Nacharbeit und Ping-Pong zählen für jeden Kontaktpunkt, der Lift wird nicht "
        "innerhalb der Phasen verglichen (touchpoints= mit stage und kind ergänzt beides)",
        "service": "keine Servicekontaktpunkte (service= oder Abteilung customer_service im Katalog): wiederholte "
        "Servicekontakte fehlen",
        "promised": "keine Spalte mit zugesagter Zeit (promised=): Verspätungen fehlen",
        "survey": "keine Befragung (survey=): Momente der Wahrheit fehlen",
        "reopen": "Wiedereröffnung zählt nur für Lösungen und Genehmigungen",
        "resource": "Ping-Pong zwischen Teams braucht level= eine Team- oder Ressourcenspalte des Logs",
    },
}


def _pct(value: float, language: str, decimals: int = 0) -> str:
    return format_percent(value, decimals, language)


def _duration_text(seconds: float, language: str) -> str:
    """A duration for a sentence: seconds, minutes, hours or days, one decimal where it helps."""
    if not np.isfinite(seconds):
        return "–"
    if seconds < 90:
        return f"{format_number(seconds, 0, language)} s"
    if seconds < 5400:
        return f"{format_number(seconds / 60, 0, language)} min"
    if seconds < 2 * 86400:
        return f"{format_number(seconds / 3600, 1, language)} h"
    days = seconds / 86400
    word = "days" if language == "en" else "Tage"
    return f"{format_number(days, 1 if days < 10 else 0, language)} {word}"


def _window_text(seconds: float, language: str) -> str:
    days = seconds / 86400
    if days >= 1 and float(days).is_integer():
        unit = ("day" if days == 1 else "days") if language == "en" else ("Tag" if days == 1 else "Tagen")
        return f"{int(days)} {unit}"
    return f"{seconds / 3600:g} h"


def period_label(index: Any, period: str) -> str:
    """The label of a period number (see :func:`~cjm_lab.journeys._pain_sql.period_sql`).

    Examples
    --------
    >>> period_label(2882, "W"), period_label(24302, "M"), period_label(8100, "Q")
    ('2025-W14', '2025-03', '2025-Q1')
    """
    k = int(index)
    if period == "W":
        year, week, _ = (pd.Timestamp("1970-01-05") + pd.Timedelta(days=7 * k)).isocalendar()
        return f"{year}-W{week:02d}"
    if period == "D":
        return str((pd.Timestamp("1970-01-01") + pd.Timedelta(days=k)).date())
    if period == "M":
        return f"{k // 12}-{k % 12 + 1:02d}"
    return f"{k // 4}-Q{k % 4 + 1}"


# --------------------------------------------------------------------------- statistics


def _rate(k: Any, n: Any) -> np.ndarray:
    k, n = np.asarray(k, float), np.asarray(n, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, k / n, np.nan)


def _newcombe(k1, n1, k2, n2, z: float = _Z) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval of p1 − p2 from the Wilson intervals of both (in points)."""
    p1, p2 = _rate(k1, n1), _rate(k2, n2)
    l1, u1 = wilson_bounds(p1, n1, z)
    l2, u2 = wilson_bounds(p2, n2, z)
    d = p1 - p2
    low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return low * 100, high * 100


def _two_proportion_p(k1, n1, k2, n2, min_n: int = 5) -> np.ndarray:
    """Two-sided p of the pooled two-proportion z-test; NaN below ``min_n`` on either side."""
    k1, n1, k2, n2 = (np.asarray(x, float) for x in (k1, n1, k2, n2))
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = (k1 + k2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (k1 / n1 - k2 / n2) / se
        p = 2 * stats.norm.sf(np.abs(z))
    p = np.where(se > 0, p, 1.0)
    return np.where((n1 >= min_n) & (n2 >= min_n), p, np.nan)


def _bh(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (NaN stays NaN)."""
    p = np.asarray(p, float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = stats.false_discovery_control(p[ok], method="bh")
    return out


def _counted_quantile(values: np.ndarray, counts: np.ndarray, rank: float) -> float:
    """The value at a (1-based) rank of sorted values given with their counts; NaN beyond them."""
    if not len(values) or not np.isfinite(rank):
        return np.nan
    cum = np.cumsum(counts)
    r = min(max(int(np.ceil(rank)), 1), int(cum[-1]))
    return float(values[np.searchsorted(cum, r)])


# --------------------------------------------------------------------------- the analysis


@dataclass(frozen=True)
class _Setup:
    source: Any
    spec: Any
    cat: pd.DataFrame | None
    plan: PainPlan
    unit: str
    segs: list[str]
    kind: str
    words: dict[str, str]
    has_outcomes: bool
    sessions: bool
    missing: list[str]
    node_sql_e: str


def _service_set(service: Sequence[str] | None, cat: pd.DataFrame | None) -> list[str]:
    if service is not None:
        return [str(s) for s in service]
    if cat is not None and "department" in cat.columns:
        dept = cat["department"].astype("str").str.lower()
        return cat.loc[dept.isin(["customer_service", "kundenservice"]), "touchpoint"].astype(str).tolist()
    return []


def _present_columns(events: Any, where: str) -> list[str]:
    """The log's columns (a DataFrame's own; files and Spark are described), before it is checked."""
    if isinstance(events, pd.DataFrame):
        return [str(c) for c in events.columns]
    return as_source(events, where=where).columns()


def _setup(
    events: Any,
    *,
    where: str,
    touchpoints: pd.DataFrame | None,
    level: str,
    by: Any,
    kind: str | None,
    service: Sequence[str] | None,
    min_contacts: int,
    window_s: float,
    promised: str | None,
    period: str,
    language: str,
    options: Mapping[str, Any],
    engine: Engine | None,
) -> _Setup:
    if not isinstance(level, str) or not level:
        raise CJMConfigError(
            f"{where}: `level` must be 'touchpoint', 'stage', 'department' or a column of the log (e.g. 'org:group'), "
            f"got {level!r}."
        )
    if period not in _PERIODS:
        raise CJMConfigError(f"{where}: `period` must be one of 'D', 'W', 'M', 'Q', got {period!r}.")
    present = _present_columns(events, where)
    custom = level not in ("touchpoint", *_CATALOGUE_LEVELS)
    sessions_col = "session_id" in present
    extra = {
        "promised": promised,
        "level": level if custom else None,
        "session_id": "session_id" if sessions_col else None,
        "value": "value" if "value" in present else None,
    }
    source, spec, cat = prepare(events, where=where, by=by, extra=extra, options=options, engine=engine)
    if level in _CATALOGUE_LEVELS and level not in spec.catalogue:
        raise CJMConfigError(
            f"{where}: `level={level!r}` needs a catalogue with a {level!r} column: pass touchpoints= "
            "(from load_touchpoints)."
        )
    if promised:
        source.check_column(promised, kind="timestamp", arg="promised", where=where)
    known = spec.conversions is not None or (
        "is_conversion" in spec.catalogue and cat is not None and bool(cat["is_conversion"].astype(bool).any())
    )
    kind = outcome_kind(kind, known=known, where=where)
    d = spec.dialect
    if level == "touchpoint":
        node, node_e, nullable = "touchpoint", "e.touchpoint", False
    elif level in _CATALOGUE_LEVELS:
        node, node_e, nullable = d.cast_text(level), d.cast_text(f"e.{level}"), True
    else:
        node, node_e, nullable = d.cast_text(quote(level)), d.cast_text(f"e.{quote(level)}"), True
        frame = getattr(source, "frame", None)
        if isinstance(frame, pd.DataFrame) and pd.api.types.is_float_dtype(frame[level].dtype):
            whole = frame[level].dropna()
            if len(whole) and bool((whole == np.round(whole)).all()):
                # resource ids read as numbers (missing values make them floats): 112, not "112.0"
                node = d.cast_text(f"CAST({quote(level)} AS BIGINT)")
                node_e = d.cast_text(f"CAST(e.{quote(level)} AS BIGINT)")
    service_tps = _service_set(service, cat)
    scope: tuple[str, ...] | None = None
    if level == "touchpoint":
        if cat is not None and "kind" in cat.columns:
            internal = cat.loc[cat["kind"].astype("str") == "internal", "touchpoint"].astype(str)
            scope = tuple(sorted(set(internal) - set(service_tps)))
        elif service_tps:
            names = source.known_touchpoints()
            scope = tuple(sorted(names - set(service_tps))) if names is not None else None
    in_journey_sessions = sessions_col and spec.journey == "customer"
    codes: tuple[str, ...] = ()
    if level == "touchpoint" and source.names_without_scan():
        # the query carries the touchpoints as integers (narrower sorts, flags and aggregates)
        log_names = source.touchpoint_names(cat)
        if all(isinstance(n, str) for n in log_names):
            codes = tuple(log_names)
    plan = PainPlan(
        spec=spec,
        node=node,
        nullable=nullable,
        session=d.cast_text(quote("session_id")) if in_journey_sessions else None,
        kind=kind,
        service=tuple(service_tps),
        contact_window_s=window_s,
        min_contacts=min_contacts,
        promised=promised,
        value="value" if "value" in present else None,
        period=period,
        scope=scope,
        stages=level == "touchpoint" and "stage" in spec.catalogue,
        stage_bits=cat is not None and "stage" in cat.columns and cat["stage"].nunique(dropna=False) <= MAX_STAGE_BITS,
        segments=tuple(spec.segments),
        codes=codes,
    )
    missing = []
    if kind == "none":
        missing.append("outcome")
    if not sessions_col and spec.journey == "customer":
        missing.append("sessions")
    if plan.value is None:
        missing.append("value")
    if cat is None:
        missing.append("catalogue")
    if not service_tps:
        missing.append("service")
    if not promised:
        missing.append("promised")
    if kind in ("conversion",):
        missing.append("reopen")
    if not custom and level != "department":
        missing.append("resource")
    return _Setup(
        source=source,
        spec=spec,
        cat=cat,
        plan=plan,
        unit=level,
        segs=list(spec.segments),
        kind=kind,
        words=OUTCOME_WORDS[language][kind],
        has_outcomes=kind != "none",
        sessions=in_journey_sessions,
        missing=missing,
        node_sql_e=node_e,
    )


#: Bytes an event takes in the pain-points query (its window sorts, the materialized per-event flags
#: and the per journey-and-node aggregate): measured on 10M events under a 2 GB limit, 4 parts kept
#: everything in memory (20.8 CPU s, 2.0 GB peak) where 2 parts spilled (30.4 s) and 1 part spilled
#: more (49.9 s).
PAIN_BYTES_PER_EVENT = 400


def _parts_for(source: Any) -> int:
    """Parts (customer buckets) for the pain-points query: at least the usual, more for its larger state."""
    base = analysis_parts(source)
    rows = source.memory_rows()
    if rows is None:  # the engine manages its memory (Spark)
        return base
    limit = resolved(source.engine).memory_limit or default_memory_limit()
    return max(base, -(-rows * PAIN_BYTES_PER_EVENT // (limit // 2)))


def _contact_window_s(value: Any, where: str) -> float:
    """The service-contact window in seconds (it has no "none")."""
    seconds = duration_seconds(value, "contact_window")
    if seconds is None:
        raise CJMConfigError(f"{where}: `contact_window` needs a duration, e.g. '7D'; got None.")
    return seconds


def _query(setup: _Setup) -> pd.DataFrame:
    plan, d = setup.plan, setup.spec.dialect
    raw = run_in_parts(
        final_sql(plan),
        setup.source,
        name="pain_parts",
        part=lambda bucket: part_sql(plan, d, bucket),
        touchpoints=setup.cat,
        extra=None if (codes := node_codes(plan)) is None else {NODES: codes},
        parts=_parts_for(setup.source),
    )
    for col in COUNTS:
        raw[col] = pd.to_numeric(raw[col], errors="coerce").fillna(0).astype(float)
    # a few thousand rows, filtered and grouped many times: plain numpy objects are faster than Arrow strings
    for col in ("kind", "node", "nxt"):
        raw[col] = raw[col].astype(object).where(raw[col].notna(), None)
    steps = raw["kind"] == "t"
    raw.loc[steps, "nxt"] = _next_labels(raw.loc[steps, "nxt"])
    return raw


def _next_labels(nxt: pd.Series) -> pd.Series:
    """Next nodes as the tables show them: the end of the journey (NULL) as ``(exit)``, a node
    named like a label escaped (:func:`cjm_lab.untrusted.escape_label`), so the two never merge.
    """
    return escape_label(nxt.astype(object)).where(nxt.notna(), EXIT).astype(object)


def _group_keys(frame: pd.DataFrame, segs: list[str]) -> list[tuple[Any, pd.DataFrame]]:
    if not segs:
        return [((), frame)]
    return [
        (k if isinstance(k, tuple) else (k,), g)
        for k, g in frame.groupby(segs, observed=True, dropna=False, sort=False)
    ]


def _stays(h: pd.DataFrame, fence: float) -> dict[str, dict[str, float]]:
    """Per node from the histogram of stays: median with its interval, p90, long stays beyond the fence."""
    out = {}
    for node, g in h.groupby("node", sort=False):
        g = g.sort_values("bin")
        values, counts = g["bin"].to_numpy(float), g["n"].to_numpy(float)
        n = counts.sum()
        half = _Z * np.sqrt(n * 0.25)
        out[node] = {
            "n_stay_h": n,
            "median_stay_s": _counted_quantile(values, counts, 0.5 * n),
            "median_stay_ci_low": _counted_quantile(values, counts, 0.5 * n - half),
            "median_stay_ci_high": _counted_quantile(values, counts, 0.5 * n + half + 1),
            "p90_stay_s": _counted_quantile(values, counts, 0.9 * n),
            "n_long": float(counts[values > fence].sum()),
        }
    return out


def _node_table(raw: pd.DataFrame, setup: _Setup, long_q: float) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Per (segment, node): the counts summed over periods, the stays, ping-pong, rework, stages."""
    segs = setup.segs
    keys = [*segs, "node"]
    u = raw[raw["kind"] == "u"].groupby(keys, dropna=False, observed=True)[list(COUNTS)].sum().reset_index()
    for kind, col in (("p", "n_pp"), ("m", "n_pp_mid"), ("r", "n_rework_ep"), ("x", "n_reopen"), ("c", "n_contact")):
        part = raw[raw["kind"] == kind].groupby(keys, dropna=False, observed=True)["n"].sum().rename(col)
        u = u.merge(part.reset_index(), on=keys, how="left")
        u[col] = u[col].fillna(0.0)
    if setup.plan.episodes:
        u["n_rework"] = u["n_rework_ep"]
    # the long-wait fence: the quantile of all stays of the log (every segment), nearest rank
    h = raw[raw["kind"] == "h"]
    hist = h.groupby("bin")["n"].sum().sort_index()
    fence = (
        _counted_quantile(hist.index.to_numpy(float), hist.to_numpy(float), long_q * hist.sum())
        if len(hist)
        else np.nan
    )
    stay_rows = []
    for key, g in _group_keys(h, segs):
        for node, vals in _stays(g, fence).items():
            stay_rows.append({**dict(zip(segs, key)), "node": node, **vals})
    stay_cols = ["n_stay_h", "median_stay_s", "median_stay_ci_low", "median_stay_ci_high", "p90_stay_s", "n_long"]
    stays = pd.DataFrame(stay_rows, columns=[*keys, *stay_cols])
    u = u.merge(stays, on=keys, how="left")
    u["n_long"] = u["n_long"].fillna(0.0)
    totals = {}
    for key, _g in _group_keys(u, segs):
        t_rows = raw[raw["kind"] == "T"]
        if segs:
            t_rows = t_rows[
                np.logical_and.reduce([t_rows[s].eq(v) | (t_rows[s].isna() & pd.isna(v)) for s, v in zip(segs, key)])
            ]
        t = t_rows[list(COUNTS)].sum()
        extra = {}
        for kind, name in (("P", "n_pp_units"), ("R", "n_rework_units"), ("X", "n_reopen")):
            rows = raw[raw["kind"] == kind]
            if segs:
                rows = rows[
                    np.logical_and.reduce([rows[s].eq(v) | (rows[s].isna() & pd.isna(v)) for s, v in zip(segs, key)])
                ]
            extra[name] = float(rows["n"].sum())
        totals[key] = {**t.to_dict(), **extra}
    stage_rows = raw[raw["kind"] == "s"][[*keys, "n_units", "n_success"]].rename(
        columns={"node": "stage_key", "n_units": "n_stage", "n_success": "s_stage"}
    )
    n_long = float(hist[hist.index.to_numpy(float) > fence].sum()) if len(hist) else 0.0
    info = {
        "fence": fence,
        "totals": totals,
        "stages": stage_rows,
        "n_stays": float(hist.sum()),
        "long_share": float(n_long / hist.sum() * 100) if len(hist) else None,
    }
    return u, info


#: What the options of :func:`pain_points` (and :func:`explain_pain_point`) accept.
PAIN_TABLE: dict[str, list[Any]] = {
    "min_contacts": [WHOLE_NUMBER],
    "long_wait": [Interval(Real, 0, 1, closed="neither", note="a quantile of all stays", example="0.95")],
    "natural_exit": [Interval(Real, 0, 1, closed="neither", note="a share of the successful sessions", example="0.5")],
    "scale": [RANGE],
    "alpha": [ALPHA],
    "min_base": [WHOLE_NUMBER],
    "min_test_base": [WHOLE_NUMBER],
    "min_change": [Interval(Real, 0, 100, note="percentage points", example="5")],
    "rank_by": [StrOptions({"customers": "journeys hurt per 100 journeys", "value": "the value at stake"})],
    "n_boot": [COUNT],
    "random_state": RANDOM_STATE,
    "language": [LANGUAGE],
}
#: The old names of pain_points' options (``conversions=`` is renamed with every journey option).
PAIN_RENAMES = {"min_reach": "min_base", "score_scale": "scale"}


@journey_analysis(PAIN_TABLE, renames=PAIN_RENAMES)
def pain_points(
    events: Any,
    *,
    touchpoints: pd.DataFrame | None = None,
    survey: pd.DataFrame | None = None,
    outcome_kind: str | None = None,
    level: str = "touchpoint",
    by: str | None = None,
    period: str = "W",
    service: Sequence[str] | None = None,
    min_contacts: int = 2,
    contact_window: str | float = "7D",
    long_wait: float = 0.95,
    natural_exit: float = 0.5,
    promised: str | None = None,
    lookback: str | float = "180D",
    score: str = "recommend",
    scale: tuple[float, float] = (0, 10),
    negative_max: float = 6,
    positive_min: float = 9,
    survey_date: str = "date",
    survey_weight: str | None = None,
    alpha: float = 0.05,
    weights: Mapping[str, float] | None = None,
    min_base: int = 20,
    min_test_base: int = 30,
    min_change: float = 5.0,
    rank_by: str = "customers",
    n_boot: int = 200,
    random_state: int = 0,
    language: str = "en",
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
    """Rank touchpoints (or stages, departments, teams) by how much they hurt, with the evidence.

    Parameters
    ----------
    events : DataFrame or path
        See :func:`cjm_lab.journeys.build_journeys`.  A ``session_id`` column makes drop-offs
        per session and leaves session gaps out of the waits; a ``value`` column gives the
        value at stake.
    survey : DataFrame, optional
        Survey responses with ``customer_id``, ``score`` and ``survey_date``: adds the moments
        of truth (relationship surveys only).
    outcome_kind : {"conversion", "resolution", "approval", "none"}, optional
        What the outcome touchpoints mean: a purchase or sign-up, a resolved case, an approved
        application.  Default: ``"conversion"`` when outcomes are known, else ``"none"``.  Names
        the outcome columns (``conversion_rate_met``, ``resolution_rate_met`` …) and the words of
        the notes; reopen is scored for resolutions and approvals.
    level : str, default "touchpoint"
        Rank ``"touchpoint"``, ``"stage"``, ``"department"`` (both from the catalogue) or the
        values of any column of the log, e.g. a support team (``"org:group"``): every component
        is then computed on that column's sequence (events without a value only count for the
        outcome).
    by : str, optional
        A segment column of the log (a case attribute: each journey's first value): one table
        per segment.
    period : {"W", "M", "Q", "D"}, default "W"
        The periods compared for changes over time (ISO weeks, months, quarters, days; UTC).
    service : list of str, optional
        Service touchpoints (default: the catalogue's customer-service department).
    min_contacts, contact_window : default 2 and "7D"
        Repeated contacts: at least this many service contacts within this window.
    long_wait : float, default 0.95
        A stay is long beyond this quantile of all stays of the log.
    natural_exit : float, default 0.5
        A node where at least this share of the successful sessions meeting it end is a
        natural exit, not a drop-off.
    promised : str, optional
        A column with the promised time of an event (lateness).
    lookback : str or float, default "180D"
        Only events within this time before a survey answer count for it.
    score : str, default "recommend"
        The survey column with the score.
    scale : tuple of float, default (0, 10)
        The score's lowest and highest value: ``(1, 5)`` for star reviews (formerly
        ``score_scale=``).
    negative_max, positive_min : float, default 6 and 9
        Scores up to ``negative_max`` are negative (detractors), from ``positive_min`` positive;
        ``2`` and ``5`` for star reviews.
    survey_date : str, default "date"
        The survey column with the date of the answer.
    survey_weight : str, optional
        A survey column of weights.
    alpha : float, default 0.05
        Lifts, changes and moments of truth count when significant after Benjamini–Hochberg.
    weights : dict, optional
        Weight of each component in the score (default 1 each).
    min_base : int, default 20
        Nodes met by fewer journeys are listed but not ranked (formerly ``min_reach=``).
    min_test_base : int, default 30
        The smallest group a lift or a change is tested on (each side).  Before cjm-lab 0.2
        this was ``min_base=``, which now means what ``min_reach=`` meant.
    min_change : float, default 5
        A change over time counts when it is significant and at least this many percentage
        points (a shift from 0 % to 3 % of a rare next step is no trouble).
    rank_by : {"customers", "value"}, default "customers"
        Rank by journeys hurt per 100 journeys, or by the value at stake (needs a ``value``
        column and outcomes).
    n_boot : int, default 200
        Parametric bootstrap draws for the score interval and the rank interval (0: none).
    random_state : int, default 0
        Seed of the bootstrap.
    language : {"en", "de"}
        Language of the notes.
    {journey_options}

    Returns
    -------
    DataFrame
        Segment column, the level's column (``touchpoint``, ``stage`` …), ``stage``,
        ``department``, ``kind``; ``n_journeys`` (meeting it), ``reach_pct``; the components'
        columns (module notes): ``<o>_rate_met``, ``<o>_rate_not_met``, ``<o>_lift`` with
        ``<o>_lift_ci_low``/``_ci_high`` and ``<o>_lift_p_adjusted``, ``<o>_lift_stage`` and
        ``<o>_lift_stage_p_adjusted`` (``<o>`` is ``conversion``, ``resolution``, ``approval`` or
        ``outcome``), ``drop_off_pct``, ``natural_exit``, ``outcome_after_pct``,
        ``rework_pct``, ``ping_pong_pct``, ``reopen_pct``, ``median_stay_s``,
        ``median_stay_ci_low``, ``median_stay_ci_high``, ``p90_stay_s``, ``time_share_pct``,
        ``long_wait_pct``, ``repeat_contact_pct``, ``late_pct``, the survey's columns,
        ``change_metric``, ``change_period``, ``change_from_pct``, ``change_to_pct``,
        ``change_p_adjusted``, ``change_note``; ``lost_outcomes``, ``value_at_stake``;
        ``excess_customers`` and ``excess_<component>`` (each component's weighted part of it),
        ``pain_score`` with ``pain_score_ci_low``/``_ci_high``,
        ``rank`` (1 = worst) with ``rank_low``/``rank_high``, ``main_issue``, ``drivers`` and
        ``note``.  Rows of a segment: ranked first by rank, then the unranked.

        ``table.attrs["cjm_pain_points"]`` records ``by``, ``level``, ``language``, ``alpha``,
        ``outcome_kind``, ``period``, the components computed and, under ``missing``, what the
        log lacks and what it would add; under ``log`` the whole log's rates (journeys,
        duplicates dropped, outcome share, drop-off, rework, ping-pong, reopened, long waits with
        their fence and actual share, …); under ``changes`` every significant change.

    Examples
    --------
    >>> ev = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b", "b", "b", "c", "c"],
    ...     "timestamp": pd.to_datetime(["2025-01-01 10:00", "2025-01-01 10:05", "2025-01-01 10:00",
    ...         "2025-01-01 10:01", "2025-01-01 10:02", "2025-01-01 11:00", "2025-01-01 11:01"], utc=True),
    ...     "touchpoint": ["Cart", "Checkout", "Cart", "Checkout", "Buy", "Cart", "Buy"],
    ...     "sequence": range(7)})
    >>> pp = pain_points(ev, outcome=["Buy"], min_base=1)
    >>> pp[["touchpoint", "n_journeys", "drop_off_pct", "rank", "main_issue"]]
      touchpoint  n_journeys  drop_off_pct  rank main_issue
    0   Checkout           2          50.0     1   drop_off
    1        Buy           2           0.0     2
    2       Cart           3           0.0     2
    """
    where = "pain_points()"
    weights = dict.fromkeys(COMPONENTS, 1.0) | dict(weights or {})
    unknown = set(weights) - set(COMPONENTS)
    if unknown:
        raise CJMConfigError(
            f"{where}: unknown pain components in `weights`: {sorted(unknown)}; use {list(COMPONENTS)}."
        )
    window_s = _contact_window_s(contact_window, where)
    lookback_s = duration_seconds(lookback, "lookback")
    engine = engine_of(engine, old_engine_keywords, where=where)
    setup = _setup(
        events,
        where=where,
        touchpoints=touchpoints,
        level=level,
        by=by,
        kind=outcome_kind,
        service=service,
        min_contacts=min_contacts,
        window_s=window_s,
        promised=promised,
        period=period,
        language=language,
        options=journey_options(
            touchpoints, journey, session_gap, dedupe, until_conversion, outcome, collapse_repeats, dates, cases
        ),
        engine=engine,
    )
    if rank_by == "value" and (setup.plan.value is None or not setup.has_outcomes):
        raise CJMConfigError(
            f"{where}: `rank_by='value'` needs a value column in the log and outcome events (outcome=). "
            "Fix: load the log with a value role, or rank by customers."
        )
    raw = _query(setup)
    table, info = _node_table(raw, setup, long_wait)
    changes = _changes(raw, setup, alpha=alpha, min_base=min_test_base, min_change=min_change, language=language)
    mot = None
    if survey is not None:
        mot = moments_of_truth(
            setup.source,
            setup.spec,
            setup.cat,
            setup.segs,
            "node",
            setup.node_sql_e,
            survey,
            score,
            survey_date,
            survey_weight,
            lookback_s,
            alpha,
            where,
            tuple(scale),
            negative_max,
            positive_min,
            promised,
        )
    else:
        setup.missing.append("survey")
    out = _assemble(
        table,
        info,
        changes,
        mot,
        setup,
        alpha=alpha,
        weights=weights,
        min_reach=min_base,
        min_base=min_test_base,
        natural_exit=natural_exit,
        long_q=long_wait,
        rank_by=rank_by,
        n_boot=n_boot,
        random_state=random_state,
        language=language,
        min_contacts=min_contacts,
        window_s=window_s,
    )
    out.attrs[PAIN_POINTS_ATTR] = _record(
        out, info, changes, setup, by=by, level=level, language=language, alpha=alpha, long_q=long_wait, period=period
    )
    dups = sum(int(t["n_dup"]) for t in info["totals"].values())
    out.attrs["cjm_journeys"] = journey_record(setup.spec, duplicates=dups)
    return out


# --------------------------------------------------------------------------- changes over time


def _changes(
    raw: pd.DataFrame, setup: _Setup, *, alpha: float, min_base: int, min_change: float, language: str
) -> pd.DataFrame:
    """Every (node, period) against the node's other periods: outcome share, drop-off, next steps."""
    segs = setup.segs
    cols = [*segs, "node", "metric", "next", "period", "n_period", "k_period", "n_rest", "k_rest"]
    tests = []
    o = raw[raw["kind"] == "u"]
    metrics = [("outcome", "n_success"), ("drop_off", "n_drop")] if setup.has_outcomes else []
    for metric, col in metrics:
        per = o.groupby([*segs, "node", "per"], dropna=False, observed=True)[["n_units", col]].sum().reset_index()
        tot = per.groupby([*segs, "node"], dropna=False, observed=True)[["n_units", col]].transform("sum")
        tests.append(
            pd.DataFrame(
                {
                    **{s: per[s] for s in segs},
                    "node": per["node"],
                    "metric": metric,
                    "next": None,
                    "period": per["per"],
                    "n_period": per["n_units"],
                    "k_period": per[col],
                    "n_rest": tot["n_units"] - per["n_units"],
                    "k_rest": tot[col] - per[col],
                }
            )
        )
    t = raw[raw["kind"] == "t"]
    if len(t):
        keys = [*segs, "node", "per"]
        out_n = t.groupby(keys, dropna=False, observed=True)["n"].transform("sum")
        node_n = t.groupby([*segs, "node"], dropna=False, observed=True)["n"].transform("sum")
        pair_n = t.groupby([*segs, "node", "nxt"], dropna=False, observed=True)["n"].transform("sum")
        tests.append(
            pd.DataFrame(
                {
                    **{s: t[s] for s in segs},
                    "node": t["node"],
                    "metric": "next",
                    "next": t["nxt"],
                    "period": t["per"],
                    "n_period": out_n,
                    "k_period": t["n"],
                    "n_rest": node_n - out_n,
                    "k_rest": pair_n - t["n"],
                }
            )
        )
    if not tests:
        return pd.DataFrame(columns=[*cols, "p_value", "p_adjusted", "significant"])
    frame = pd.concat(tests, ignore_index=True)
    frame = frame[(frame["n_period"] >= min_base) & (frame["n_rest"] >= min_base) & frame["period"].notna()]
    frame = frame.reset_index(drop=True)
    frame["p_value"] = _two_proportion_p(frame["k_period"], frame["n_period"], frame["k_rest"], frame["n_rest"])
    frame["p_adjusted"] = np.nan
    for _, g in _group_keys(frame, segs):
        frame.loc[g.index, "p_adjusted"] = _bh(g["p_value"].to_numpy())
    frame["from_pct"] = _rate(frame["k_rest"], frame["n_rest"]) * 100
    frame["to_pct"] = _rate(frame["k_period"], frame["n_period"]) * 100
    frame["significant"] = (frame["p_adjusted"] < alpha) & ((frame["to_pct"] - frame["from_pct"]).abs() >= min_change)
    # only a rise of the drop-off counts in the score: it happens at the node itself, while a fall of
    # the outcome share also shows at every node upstream of the trouble (they are reported, not scored)
    frame["worse"] = (frame["metric"] == "drop_off") & (frame["to_pct"] > frame["from_pct"])
    labels = {p: period_label(p, setup.plan.period) for p in pd.unique(frame["period"])}
    frame["period_label"] = frame["period"].map(labels)
    return frame


def _node_names(cat: pd.DataFrame | None, level: str, language: str) -> dict[str, str]:
    """Touchpoints by the catalogue's name in the report's language (``label_de``), where it has one."""
    column = f"label_{language}"
    if level != "touchpoint" or cat is None or column not in cat.columns:
        return {}
    named = cat[cat[column].notna() & (cat[column].astype(str).str.strip() != "")]
    return dict(zip(named["touchpoint"].astype(str), named[column].astype(str)))


def _change_note(row: Mapping[str, Any], setup: _Setup, language: str) -> str:
    w = _CHANGE_WORDS[language]
    if row["metric"] == "outcome":
        what = w["outcome"].format(reach=setup.words["reach"])
    elif row["metric"] == "drop_off":
        what = w["drop_off"]
    else:
        what = w["next"].format(next=_node_names(setup.cat, setup.unit, language).get(str(row["next"]), row["next"]))
    return _NOTES[language]["change"].format(
        what=what,
        dir=w["fell"] if row["to_pct"] < row["from_pct"] else w["rose"],
        a=_pct(row["from_pct"], language),
        b=_pct(row["to_pct"], language),
        period=w[setup.plan.period].format(p=row["period_label"]),
        p=format_p_value(row["p_adjusted"], language),
    )


# --------------------------------------------------------------------------- assembling and scoring


def _assemble(
    table: pd.DataFrame,
    info: dict[str, Any],
    changes: pd.DataFrame,
    mot: pd.DataFrame | None,
    setup: _Setup,
    *,
    alpha: float,
    weights: dict[str, float],
    min_reach: int,
    min_base: int,
    natural_exit: float,
    long_q: float,
    rank_by: str,
    n_boot: int,
    random_state: int,
    language: str,
    min_contacts: int,
    window_s: float,
) -> pd.DataFrame:
    segs, unit = setup.segs, setup.unit
    oc = setup.words["column"]
    rng = np.random.default_rng(random_state)
    parts = []
    for key, g in _group_keys(table, segs):
        g = g.copy().reset_index(drop=True)
        tot = info["totals"][key]
        parts.append(
            _components(
                g,
                tot,
                info,
                changes,
                mot,
                setup,
                key=key,
                alpha=alpha,
                weights=weights,
                min_reach=min_reach,
                min_base=min_base,
                natural_exit=natural_exit,
                rank_by=rank_by,
                n_boot=n_boot,
                rng=rng,
                language=language,
                min_contacts=min_contacts,
                window_s=window_s,
            )
        )
    out = pd.concat(parts, ignore_index=True) if parts else table.iloc[0:0]
    out = out.rename(columns={"node": unit})
    cat = setup.cat
    if cat is not None and unit == "touchpoint":
        info_cols = cat[["touchpoint", *[c for c in ("stage", "department", "kind") if c in cat.columns]]].copy()
        if "stage" in info_cols.columns:
            info_cols["stage"] = info_cols["stage"].astype("str")
        out = out.merge(info_cols.astype({"touchpoint": "str"}), on="touchpoint", how="left")
    for col in ("stage", "department", "kind"):
        if col not in out.columns:
            out[col] = pd.NA
    lead = [*segs, unit, *[c for c in ("stage", "department", "kind") if c != unit]]
    columns = _columns(setup, oc, mot is not None)
    rest = [c for c in columns if c in out.columns and c not in lead]
    out = out[lead + rest]
    out["_unranked"] = out["rank"].isna()
    out = out.sort_values([*segs, "_unranked", "rank", unit], kind="stable").drop(columns="_unranked")
    return out.reset_index(drop=True)


def _columns(setup: _Setup, oc: str, survey: bool) -> list[str]:
    cols = [
        "n_journeys",
        "reach_pct",
        f"{oc}_rate_met",
        f"{oc}_rate_not_met",
        f"{oc}_lift",
        f"{oc}_lift_ci_low",
        f"{oc}_lift_ci_high",
        f"{oc}_lift_p_adjusted",
        f"{oc}_rate_not_met_stage",
        f"{oc}_lift_stage",
        f"{oc}_lift_stage_p_adjusted",
        "drop_off_pct",
        "natural_exit",
        "outcome_after_pct",
        "rework_pct",
        "ping_pong_pct",
        "reopen_pct",
        "median_stay_s",
        "median_stay_ci_low",
        "median_stay_ci_high",
        "p90_stay_s",
        "time_share_pct",
        "long_wait_pct",
        "repeat_contact_pct",
        "late_pct",
    ]
    if survey:
        cols += [
            "n_respondents_met",
            "detractor_pct_met",
            "detractor_pct_not_met",
            "nps_met",
            "detractor_odds_ratio",
            "detractor_p_adjusted",
            "n_respondents_late",
            "late_detractor_pct",
            "on_time_detractor_pct",
            "late_odds_ratio",
            "late_detractor_p_adjusted",
        ]
    cols += [
        "change_metric",
        "change_period",
        "change_from_pct",
        "change_to_pct",
        "change_p_adjusted",
        "change_note",
        "lost_outcomes",
        "value_at_stake",
        "excess_customers",
        *[f"excess_{c}" for c in COMPONENTS],
        "pain_score",
        "pain_score_ci_low",
        "pain_score_ci_high",
        "rank",
        "rank_low",
        "rank_high",
        "main_issue",
        "drivers",
        "note",
    ]
    return cols


def _binom(rng: np.random.Generator, n: np.ndarray, p: np.ndarray, draws: int) -> np.ndarray:
    """``draws`` binomial redraws of counts on bases ``n`` at shares ``p`` (0 where undefined)."""
    n = np.nan_to_num(np.asarray(n, float)).round().astype(np.int64)
    p = np.clip(np.nan_to_num(np.asarray(p, float)), 0, 1)
    return rng.binomial(np.broadcast_to(n, (draws, n.size)), np.broadcast_to(p, (draws, p.size))).astype(float)


def _components(
    g: pd.DataFrame,
    tot: dict[str, float],
    info: dict[str, Any],
    changes: pd.DataFrame,
    mot: pd.DataFrame | None,
    setup: _Setup,
    *,
    key: tuple,
    alpha: float,
    weights: dict[str, float],
    min_reach: int,
    min_base: int,
    natural_exit: float,
    rank_by: str,
    n_boot: int,
    rng: np.random.Generator,
    language: str,
    min_contacts: int,
    window_s: float,
) -> pd.DataFrame:
    segs, oc = setup.segs, setup.words["column"]
    nodes = g["node"].astype(str).to_numpy()
    n = g["n_units"].to_numpy(float)
    big_n = float(tot["n_units"])
    ranked = n >= min_reach
    excess: dict[str, np.ndarray] = {}
    boot: dict[str, np.ndarray] = {}
    draws = max(n_boot, 1)
    zero = np.zeros(len(g))

    g["n_journeys"] = n.astype(np.int64)
    g["reach_pct"] = _rate(n, big_n) * 100
    # --- lift: journeys meeting the node against those not meeting it (and within the node's stage)
    s, big_s = g["n_success"].to_numpy(float), float(tot["n_success"])
    g[f"{oc}_rate_met"] = _rate(s, n) * 100
    g[f"{oc}_rate_not_met"] = _rate(big_s - s, big_n - n) * 100
    g[f"{oc}_lift"] = g[f"{oc}_rate_met"] - g[f"{oc}_rate_not_met"]
    low, high = _newcombe(s, n, big_s - s, big_n - n)
    g[f"{oc}_lift_ci_low"], g[f"{oc}_lift_ci_high"] = low, high
    p_all = _bh(_two_proportion_p(s, n, big_s - s, big_n - n, min_base))
    g[f"{oc}_lift_p_adjusted"] = p_all
    ref_k, ref_n = big_s - s, big_n - n
    p_ref = p_all
    if setup.plan.stages and setup.cat is not None and len(info["stages"]):
        stage_of = setup.cat.set_index(setup.cat["touchpoint"].astype(str))["stage"].astype(str)
        st = info["stages"]
        if segs:
            st = st[np.logical_and.reduce([st[c].eq(v) | (st[c].isna() & pd.isna(v)) for c, v in zip(segs, key)])]
        st = st.groupby("stage_key")[["n_stage", "s_stage"]].sum()
        stage = stage_of.reindex(nodes).to_numpy()
        ns = st["n_stage"].reindex(stage).to_numpy(float)
        ss = st["s_stage"].reindex(stage).to_numpy(float)
        g[f"{oc}_rate_not_met_stage"] = _rate(ss - s, ns - n) * 100
        g[f"{oc}_lift_stage"] = g[f"{oc}_rate_met"] - g[f"{oc}_rate_not_met_stage"]
        p_stage = _bh(_two_proportion_p(s, n, ss - s, ns - n, min_base))
        g[f"{oc}_lift_stage_p_adjusted"] = p_stage
        use_stage = np.nan_to_num(ns - n) >= min_base
        # conservative: a node is blamed only when it is worse than the journeys not meeting it overall
        # *and* within its stage; the smaller gap counts, the stage's test decides
        smaller = use_stage & (_rate(ss - s, ns - n) < _rate(ref_k, ref_n))
        all_worse = _rate(s, n) < _rate(big_s - s, big_n - n)
        ref_k = np.where(smaller, ss - s, ref_k)
        ref_n = np.where(smaller, ns - n, ref_n)
        p_ref = np.where(use_stage, np.where(all_worse, p_stage, 1.0), p_all)
    else:
        g[f"{oc}_rate_not_met_stage"] = np.nan
        g[f"{oc}_lift_stage"] = np.nan
        g[f"{oc}_lift_stage_p_adjusted"] = np.nan
    if setup.has_outcomes:
        met, ref = _rate(s, n), _rate(ref_k, ref_n)
        # a node after which (nearly) no journey reaches the outcome is where it was decided (a decline, a
        # cancellation): the loss counts at the nodes before it, not as this node's lift
        reachable = np.nan_to_num(_rate(g["n_cont_succ"], g["n_cont"])) >= 0.01
        gate = ranked & (np.nan_to_num(p_ref, nan=1.0) < alpha) & (met < ref) & reachable
        excess["lift"] = np.where(gate, n * (ref - met), 0.0)
        bm = _binom(rng, n, met, draws) / np.maximum(n, 1)
        br = _binom(rng, ref_n, ref, draws) / np.maximum(np.nan_to_num(ref_n), 1)
        boot["lift"] = np.where(gate, n * np.clip(br - bm, 0, None), 0.0)
    else:
        for col in (
            f"{oc}_rate_met",
            f"{oc}_rate_not_met",
            f"{oc}_lift",
            f"{oc}_lift_ci_low",
            f"{oc}_lift_ci_high",
            f"{oc}_lift_p_adjusted",
        ):
            g[col] = np.nan
    # --- drop-off: sessions ending at the node without an outcome, natural exits excepted
    no = n
    nd = g["n_drop"].to_numpy(float)
    if setup.has_outcomes:
        # a natural exit: where most journeys that reached the outcome end (their journey's last step)
        natural = (s > 0) & (_rate(g["n_exit_succ"], s) >= natural_exit)
        after = _rate(g["n_cont_succ"], g["n_cont"])
        g["drop_off_pct"] = _rate(nd, no) * 100
        g["natural_exit"] = natural
        g["outcome_after_pct"] = after * 100
        lost = np.where(natural | ~ranked, 0.0, nd * np.nan_to_num(after))
        excess["drop_off"] = lost
        bd = _binom(rng, no, _rate(nd, no), draws)
        ba = _binom(rng, g["n_cont"].to_numpy(float), after, draws) / np.maximum(g["n_cont"].to_numpy(float), 1)
        boot["drop_off"] = np.where(natural | ~ranked, 0.0, bd * ba)
    else:
        g["drop_off_pct"], g["natural_exit"], g["outcome_after_pct"] = np.nan, pd.NA, np.nan

    def pooled(comp: str, k: np.ndarray, den: np.ndarray, valid: np.ndarray, column: str, full: bool = False) -> None:
        g[column] = np.where(valid, _rate(k, den) * 100, np.nan)
        use = valid & ranked & (den > 0)
        if not use.any():
            return
        rate = k[use].sum() / den[use].sum()
        g[f"_base_{comp}"] = rate * 100  # the log's rate, for the note
        base = 0.0 if full else rate
        excess[comp] = np.where(use, np.clip(k - base * den, 0, None), 0.0)
        bk = _binom(rng, den, _rate(k, den), draws)
        bbase = 0.0 if full else (bk * use).sum(axis=1, keepdims=True) / den[use].sum()
        boot[comp] = np.where(use, np.clip(bk - bbase * den, 0, None), 0.0)

    scope = setup.plan.scope
    scoped = np.ones(len(g), bool) if scope is None else np.isin(nodes, list(scope))
    # where it is known which nodes are process steps (teams, departments, stages; a catalogue's internal
    # touchpoints) every return and every bounce counts; among touchpoints without a catalogue, browsing
    # back and forth cannot be told apart from redoing a step: only what lies beyond the log's rate counts
    full = setup.unit != "touchpoint" or (setup.cat is not None and "kind" in setup.cat.columns)
    pooled("rework", g["n_rework"].to_numpy(float), n, scoped, "rework_pct", full)
    # ping-pong: the column counts both ends; the score counts the node that hands the journey straight
    # back (the node it comes back to has it under rework already)
    pooled("ping_pong", g["n_pp_mid"].to_numpy(float), n, scoped, "_pp_mid_pct", full)
    g["ping_pong_pct"] = np.where(scoped, _rate(g["n_pp"], n) * 100, np.nan)
    # --- reopen and lateness: every one counts
    if setup.plan.reopen:
        k = g["n_reopen"].to_numpy(float)
        g["reopen_pct"] = _rate(k, n) * 100
        excess["reopen"] = np.where(ranked, k, 0.0)
        boot["reopen"] = np.where(ranked, _binom(rng, n, _rate(k, n), draws), 0.0)
    else:
        g["reopen_pct"] = np.nan
    if setup.plan.promised:
        k, den = g["n_late"].to_numpy(float), g["n_prom"].to_numpy(float)
        g["late_pct"] = _rate(k, den) * 100
        excess["late"] = np.where(ranked, k, 0.0)
        boot["late"] = np.where(ranked, _binom(rng, den, _rate(k, den), draws), 0.0)
    else:
        g["late_pct"] = np.nan
    # --- time in state and long waits
    n_stay = g["n_stay_h"].fillna(0).to_numpy(float)
    pooled("long_wait", g["n_long"].to_numpy(float), n_stay, n_stay > 0, "long_wait_pct")
    all_time = g["sum_stay"].sum()
    g["time_share_pct"] = _rate(g["sum_stay"], all_time) * 100
    # --- repeated service contacts
    if setup.plan.service:
        not_service = ~np.isin(nodes, list(setup.plan.service)) if setup.unit == "touchpoint" else np.ones(len(g), bool)
        pooled("repeat_contact", g["n_contact"].to_numpy(float), n, not_service, "repeat_contact_pct")
    else:
        g["repeat_contact_pct"] = np.nan
    # --- moments of truth
    if mot is not None and len(mot):
        m = mot.rename(columns={setup.unit: "node"}) if setup.unit in mot.columns else mot
        if segs:
            m = m[np.logical_and.reduce([m[c].eq(v) | (m[c].isna() & pd.isna(v)) for c, v in zip(segs, key)])]
        m = m.drop(columns=[c for c in segs if c in m.columns]).drop_duplicates("node")
        g = g.merge(m, on="node", how="left")
        det = np.zeros(len(g))
        if "detractor_odds_ratio" in g.columns:
            sig = (g["detractor_p_adjusted"] < alpha) & (g["detractor_odds_ratio"] > 1)
            diff = attributable(g["detractor_pct_not_met"], g["detractor_odds_ratio"])
            det = det + (diff * g["n_journeys"]).where(sig & ranked, 0.0).fillna(0.0).to_numpy()
        if "late_odds_ratio" in g.columns and setup.plan.promised:
            sig = (g["late_detractor_p_adjusted"] < alpha) & (g["late_odds_ratio"] > 1)
            diff = attributable(g["on_time_detractor_pct"], g["late_odds_ratio"])
            n_late = g["late_pct"].fillna(0) / 100 * g["n_prom"]
            det = det + (diff * n_late).where(sig & ranked, 0.0).fillna(0.0).to_numpy()
        excess["detractor"] = det
        boot["detractor"] = np.broadcast_to(det, (draws, len(g)))
    # --- changes over time: the most significant per node; worse periods count
    ch = changes
    if len(ch) and segs:
        ch = ch[np.logical_and.reduce([ch[c].eq(v) | (ch[c].isna() & pd.isna(v)) for c, v in zip(segs, key)])]
    ch = ch[ch["significant"]] if len(ch) else ch
    for col in ("change_metric", "change_period", "change_note"):
        g[col] = ""
    for col in ("change_from_pct", "change_to_pct", "change_p_adjusted"):
        g[col] = np.nan
    if len(ch):
        # per node the outcome share first (the sentence a reader expects), then drop-off, then next steps
        order = ch.assign(_m=ch["metric"].map({"outcome": 0, "drop_off": 1, "next": 2}))
        best = (
            order.sort_values(["_m", "p_adjusted", "period", "next"], kind="stable", na_position="first")
            .groupby("node", sort=False)
            .head(1)
            .set_index("node")
        )
        idx = pd.Index(nodes)
        hit = idx.isin(best.index)
        b = best.reindex(nodes[hit])
        g.loc[hit, "change_metric"] = np.where(b["metric"] == "next", "next:" + b["next"].astype(str), b["metric"])
        g.loc[hit, "change_period"] = b["period_label"].to_numpy()
        g.loc[hit, "change_from_pct"] = b["from_pct"].to_numpy()
        g.loc[hit, "change_to_pct"] = b["to_pct"].to_numpy()
        g.loc[hit, "change_p_adjusted"] = b["p_adjusted"].to_numpy()
        g.loc[hit, "change_note"] = [_change_note(r, setup, language) for r in b.reset_index().to_dict("records")]
        worse = ch[ch["worse"]].copy()
        if len(worse):
            worse["gap"] = np.abs(worse["to_pct"] - worse["from_pct"]) / 100 * worse["n_period"]
            per_period = worse.groupby(["node", "period"])["gap"].max().groupby("node").sum()
            excess["change"] = np.where(ranked, per_period.reindex(nodes).fillna(0).to_numpy(), 0.0)
            # bootstrap: each worse period's counts redrawn
            kp = (
                _binom(rng, worse["n_period"], _rate(worse["k_period"], worse["n_period"]), draws)
                / worse["n_period"].to_numpy()
            )
            kr = (
                _binom(rng, worse["n_rest"], _rate(worse["k_rest"], worse["n_rest"]), draws)
                / worse["n_rest"].to_numpy()
            )
            gaps = np.abs(kp - kr) * worse["n_period"].to_numpy()
            pos = pd.Index(nodes).get_indexer(worse["node"])
            acc = np.zeros((draws, len(g)))
            keyp = worse["node"].astype(str) + "\x1f" + worse["period"].astype(str)
            # the largest gap per (node, period) over its metrics, then summed per node
            for kp_key in pd.unique(keyp):  # a handful of significant periods
                cols_ = np.flatnonzero((keyp == kp_key).to_numpy())
                acc[:, pos[cols_[0]]] += gaps[:, cols_].max(axis=1)
            boot["change"] = np.where(ranked, acc, 0.0)
    # --- value at stake
    lost = excess.get("drop_off", zero) + excess.get("lift", zero) + excess.get("change", zero)
    g["lost_outcomes"] = np.where(ranked, lost, np.nan) if setup.has_outcomes else np.nan
    per_outcome = tot["value"] / tot["n_success"] if setup.plan.value and tot["n_success"] > 0 else np.nan
    g["value_at_stake"] = g["lost_outcomes"] * per_outcome if setup.plan.value else np.nan
    # --- the score
    comps = [c for c in COMPONENTS if c in excess]
    total = sum((weights[c] * excess[c] for c in comps), np.zeros(len(g)))
    g["excess_customers"] = np.where(ranked, total, np.nan)
    if rank_by == "value":
        score = np.where(ranked, np.nan_to_num(g["value_at_stake"].to_numpy(float)), np.nan)
    else:
        score = np.where(ranked, total / big_n * 100 if big_n else 0.0, np.nan)
    g["pain_score"] = score
    if n_boot and comps and ranked.any():
        bt = sum((weights[c] * np.asarray(boot[c], float) for c in comps), np.zeros((draws, len(g))))
        if rank_by == "value":
            bt_lost = sum(
                (np.asarray(boot[c], float) for c in ("drop_off", "lift", "change") if c in boot),
                np.zeros((draws, len(g))),
            )
            bscore = bt_lost * per_outcome
        else:
            bscore = bt / big_n * 100
        bscore = np.where(ranked, bscore, np.nan)
        g["pain_score_ci_low"] = np.where(ranked, np.percentile(np.nan_to_num(bscore), 2.5, axis=0), np.nan)
        g["pain_score_ci_high"] = np.where(ranked, np.percentile(np.nan_to_num(bscore), 97.5, axis=0), np.nan)
        sub = np.nan_to_num(bscore[:, ranked])
        ranks = stats.rankdata(-sub, method="min", axis=1)
        low_r, high_r = np.zeros(len(g)), np.zeros(len(g))
        low_r[ranked] = np.floor(np.percentile(ranks, 2.5, axis=0))
        high_r[ranked] = np.ceil(np.percentile(ranks, 97.5, axis=0))
        g["rank_low"] = pd.array(np.where(ranked, low_r, np.nan), dtype="Float64").round().astype("Int64")
        g["rank_high"] = pd.array(np.where(ranked, high_r, np.nan), dtype="Float64").round().astype("Int64")
    else:
        g["pain_score_ci_low"] = g["pain_score_ci_high"] = np.nan
        g["rank_low"] = g["rank_high"] = pd.array([pd.NA] * len(g), dtype="Int64")
    g["rank"] = pd.Series(score, index=g.index).rank(method="min", ascending=False).astype("Int64")
    # --- drivers, main issue, note; each component's weighted excess as a column of its own
    for c in COMPONENTS:
        g[f"excess_{c}"] = np.where(ranked, weights[c] * excess[c], np.nan) if c in excess else np.nan
    contrib = (
        pd.DataFrame({c: weights[c] * excess[c] for c in comps}, index=g.index)
        if comps
        else pd.DataFrame(index=g.index)
    )
    mains, drivers, notes = [], [], []
    for i in range(len(g)):
        row = contrib.iloc[i] if comps else pd.Series(dtype=float)
        row = row[row > 1e-9].sort_values(ascending=False)
        if not ranked[i] or not len(row):
            mains.append("")
            drivers.append("")
            notes.append("")
            continue
        shares = row / row.sum() * 100
        mains.append(str(row.index[0]))
        drivers.append(
            ", ".join(
                f"{c} {format_number(v, 0, language)}{'%' if language == 'en' else ' %'}" for c, v in shares.items()
            )
        )
        notes.append(_note(g.iloc[i], str(row.index[0]), setup, info, language, min_contacts, window_s))
    g["main_issue"], g["drivers"], g["note"] = mains, drivers, notes
    return g


def _note(
    row: pd.Series, comp: str, setup: _Setup, info: dict[str, Any], language: str, mc: int, window_s: float
) -> str:
    w = setup.words
    notes = _NOTES[language]
    pct = lambda v: _pct(v, language)  # noqa: E731
    if comp == "drop_off":
        units = _SESSIONS[language] if setup.sessions else w["units"]
        return notes[comp].format(
            v=pct(row["drop_off_pct"]), units=units, noun=w["noun_a"], c=pct(row["outcome_after_pct"])
        )
    if comp == "lift":
        oc = w["column"]
        ref = (
            row[f"{oc}_rate_not_met_stage"]
            if pd.notna(row.get(f"{oc}_rate_not_met_stage"))
            else row[f"{oc}_rate_not_met"]
        )
        p = (
            row[f"{oc}_lift_stage_p_adjusted"]
            if pd.notna(row.get(f"{oc}_lift_stage_p_adjusted"))
            else row[f"{oc}_lift_p_adjusted"]
        )
        units = w["units"][0].upper() + w["units"][1:]
        return (
            notes[comp]
            .format(
                units=units, noun=w["noun_a"], a=pct(row[f"{oc}_rate_met"]), b=pct(ref), p=format_p_value(p, language)
            )
            .replace(f"of comparable {units}", f"of comparable {w['units']}")
        )
    if comp in ("rework", "ping_pong", "long_wait", "repeat_contact"):
        col = {
            "rework": "rework_pct",
            "ping_pong": "ping_pong_pct",
            "long_wait": "long_wait_pct",
            "repeat_contact": "repeat_contact_pct",
        }[comp]
        return notes[comp].format(
            v=pct(row[col]),
            b=pct(row.get(f"_base_{comp}", np.nan)),
            f=_duration_text(info["fence"], language),
            m=_duration_text(row.get("median_stay_s", np.nan), language),
            mc=mc,
            d=_window_text(window_s, language),
        )
    if comp == "reopen":
        return notes[comp].format(
            v=pct(row["reopen_pct"]), units=w["units"], after=w["after"], k=format_number(row["n_reopen"], 0, language)
        )
    if comp == "late":
        return notes[comp].format(v=pct(row["late_pct"]))
    if comp == "detractor":
        return notes[comp].format(
            v=format_number(row["detractor_odds_ratio"], 1, language),
            p=format_p_value(row["detractor_p_adjusted"], language),
        )
    if comp == "change":
        return str(row["change_note"])
    return ""


def _record(
    out: pd.DataFrame,
    info: dict[str, Any],
    changes: pd.DataFrame,
    setup: _Setup,
    *,
    by: Any,
    level: str,
    language: str,
    alpha: float,
    long_q: float,
    period: str,
) -> dict[str, Any]:
    """How the table was made and the whole log's rates (a small dict of plain values)."""
    logs = {}
    for key, t in info["totals"].items():
        n = t["n_units"]
        entry = {
            "journeys": int(n),
            "events": int(t["n_events"]),
            "duplicates_dropped": int(t["n_dup"]),
            "sessions": int(t["n_ounits"]) if setup.sessions else None,
            "outcome_journeys": int(t["n_success"]) if setup.has_outcomes else None,
            "outcome_pct": float(t["n_success"] / n * 100) if setup.has_outcomes and n else None,
            # sessions (journeys without sessions) that end where the journey never reaches the outcome
            "drop_off_exits": int(t["n_drop"]) if setup.has_outcomes else None,
            "drop_off_exits_pct": (
                float(t["n_drop"] / (t["n_ounits"] if setup.sessions else n) * 100)
                if setup.has_outcomes and (t["n_ounits"] if setup.sessions else n)
                else None
            ),
            "rework_journeys": int(t["n_rework_units"]),
            "rework_pct": float(t["n_rework_units"] / n * 100) if n else None,
            "ping_pong_journeys": int(t["n_pp_units"]),
            "ping_pong_pct": float(t["n_pp_units"] / n * 100) if n else None,
            "reopened_journeys": int(t["n_reopen"]) if setup.plan.reopen else None,
            "reopened_pct": float(t["n_reopen"] / n * 100) if setup.plan.reopen and n else None,
            "value_per_outcome": (float(t["value"] / t["n_success"]) if setup.plan.value and t["n_success"] else None),
        }
        logs[key if setup.segs else "all"] = entry
    sig = changes[changes["significant"]] if len(changes) else changes
    named = _node_names(setup.cat, setup.unit, language)
    change_list = [
        {
            **{s: r[s] for s in setup.segs},
            "node": str(r["node"]),
            "metric": str(r["metric"]),
            "next": None if r["next"] is None or pd.isna(r["next"]) else str(r["next"]),
            "period": str(r["period_label"]),
            "from_pct": float(r["from_pct"]),
            "to_pct": float(r["to_pct"]),
            "n_period": int(r["n_period"]),
            "p_adjusted": float(r["p_adjusted"]),
            "note": f"{named.get(str(r['node']), r['node'])}: {_change_note(r, setup, language)}",
        }
        for r in sig.assign(_m=sig["metric"].map({"outcome": 0, "drop_off": 1, "next": 2}))
        .sort_values(["_m", "p_adjusted", "node", "period", "next"], kind="stable", na_position="first")
        .head(100)
        .to_dict("records")
    ]
    long_share = info.get("long_share")
    return {
        "by": by,
        "level": level,
        "language": language,
        "alpha": alpha,
        "outcome_kind": setup.kind,
        "period": period,
        "unit": setup.words["units"],
        "components": list(COMPONENTS),
        "missing": {m: _MISSING[language][m] for m in setup.missing},
        "long_wait": {
            "quantile": long_q,
            "fence_s": None if not np.isfinite(info["fence"]) else float(info["fence"]),
            "stays": int(info["n_stays"]),
            "long_pct": long_share,
        },
        "log": logs,
        "changes": change_list,
    }


# --------------------------------------------------------------------------- summary and evidence

_LEVEL_WORDS = {
    "en": {"touchpoint": "touchpoint", "stage": "stage", "department": "department"},
    "de": {"touchpoint": "Kontaktpunkt", "stage": "Phase", "department": "Abteilung"},
}
_SUMMARY = {
    "en": {
        "journeys": "{n} {units}, {e} events ({d} exact duplicates dropped)",
        "outcome_pct": "{v} of the {units} reach {noun}",
        "drop_off_exits_pct": "{k} of the {s} {units} ({v}) end without ever reaching {noun}",
        "drop_off_exits_sessions": "{k} of the {s} sessions ({v}) end in {units} that never reach {noun}",
        "rework_pct": "{v} of the {units} come back to the same {level} after others ({k} {units})",
        "ping_pong_pct": "{v} of the {units} are handed from one {level} to another and straight back ({k} {units})",
        "reopened_pct": "{k} {units} were reopened {after} ({v})",
        "long_wait_pct": "{v} of the stays are longer than {f} (defined as the log's longest {q})",
        "value_per_outcome": "value per {unit} {reach}: {v}",
        "changes": "{k} significant changes over time; the strongest: {first}",
    },
    "de": {
        "journeys": "{n} {units}, {e} Ereignisse ({d} exakte Duplikate entfernt)",
        "outcome_pct": "{v} der {units} erreichen {noun}",
        "drop_off_exits_pct": "{k} der {s} {units} ({v}) enden, ohne je {noun} zu erreichen",
        "drop_off_exits_sessions": "{k} der {s} Sitzungen ({v}) enden in {units}, die nie {noun} erreichen",
        "rework_pct": "{v} der {units} kehren nach anderen Schritten zu einer Stelle ({level}) zurück, an der sie "
        "schon waren ({k} {units})",
        "ping_pong_pct": "{v} der {units} werden von einer Stelle ({level}) an eine andere und gleich wieder zurück "
        "gegeben ({k} {units})",
        "reopened_pct": "{k} {units} wurden {after} wieder geöffnet ({v})",
        "long_wait_pct": "{v} der Verweildauern sind länger als {f} (definiert als die längsten {q} des Logs)",
        "value_per_outcome": "Wert je {unit} {reach}: {v}",
        "changes": "{k} signifikante Veränderungen über die Zeit; die stärkste: {first}",
    },
}


@validate_params(
    {
        "language": [LANGUAGE, None],
        "level_label": [
            InstanceOf(str, name="a text"),
            InstanceOf(Mapping, name="a mapping {'en': ..., 'de': ...}"),
            None,
        ],
    }
)
def pain_summary(
    table: pd.DataFrame, *, language: str | None = None, level_label: str | Mapping[str, str] | None = None
) -> pd.DataFrame:
    """The whole log's rates behind a :func:`pain_points` table, as numbers and sentences.

    Parameters
    ----------
    table : DataFrame
        A table of :func:`pain_points` (it carries the rates in ``attrs``).
    language : {"en", "de"}, optional
        Language of the sentences (default: the table's).
    level_label : str or {"en": ..., "de": ...}, optional
        What a value of the table's level is called in the sentences, e.g. ``{"en": "support group",
        "de": "Supportgruppe"}`` for ``level="org:group"`` (default: "touchpoint", "stage" or
        "department", else the column's name).

    Returns
    -------
    DataFrame
        ``segment`` (``"all"`` without ``by``), ``measure``, ``value`` (a count, or percent
        for the ``_pct`` measures), ``text`` (the sentence, e.g. "12.0% of the cases come back
        to the same support group after others (178 cases)").

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": list("aaabb"), "touchpoint": ["Open", "Fix", "Open", "Open", "Fix"],
    ...                    "timestamp": pd.date_range("2025-01-01", periods=5, freq="h", tz="UTC"),
    ...                    "sequence": range(5)})
    >>> pain_summary(pain_points(ev, outcome=["Fix"], outcome_kind="resolution"))["text"].tolist()[:2]
    ['2 cases, 5 events (0 exact duplicates dropped)', '100% of the cases reach a resolution']
    """
    from cjm_lab.errors import CJMConfigError as _Config

    made = table.attrs.get(PAIN_POINTS_ATTR) if isinstance(table, pd.DataFrame) else None
    if not isinstance(made, dict) or "log" not in made:
        raise _Config(
            "pain_summary(): `table` must be the DataFrame returned by pain_points() (its attrs carry the "
            "log's rates). Fix: pass pain_points(...) itself, not a copy that lost its attrs."
        )
    lang = str(language or made["language"])
    words = OUTCOME_WORDS[lang][made["outcome_kind"]]
    text = _SUMMARY[lang]
    if isinstance(level_label, Mapping):
        if lang not in level_label:
            raise _Config(
                f"pain_summary(): `level_label` has no {lang!r} text. Fix: give {{'en': ..., 'de': ...}} or a str."
            )
        level = str(level_label[lang])
    else:
        level = level_label or str(_LEVEL_WORDS[lang].get(made["level"], made["level"]))
    rows = []
    for seg, log in made["log"].items():
        units = words["units"]

        def add(measure: str, value: Any, sentence: str, seg: Any = seg) -> None:
            rows.append({"segment": seg, "measure": measure, "value": value, "text": sentence})

        add(
            "journeys",
            log["journeys"],
            text["journeys"].format(
                n=format_number(log["journeys"], 0, lang),
                units=units,
                e=format_number(log["events"], 0, lang),
                d=format_number(log["duplicates_dropped"], 0, lang),
            ),
        )
        if log["outcome_pct"] is not None:
            add(
                "outcome_pct",
                log["outcome_pct"],
                text["outcome_pct"].format(v=_pct(log["outcome_pct"], lang), units=units, noun=words["noun_a"]),
            )
        if log["drop_off_exits_pct"] is not None:
            sessions = log["sessions"] is not None
            add(
                "drop_off_exits_pct",
                log["drop_off_exits_pct"],
                text["drop_off_exits_sessions" if sessions else "drop_off_exits_pct"].format(
                    v=_pct(log["drop_off_exits_pct"], lang, 1),
                    s=format_number(log["sessions"] if sessions else log["journeys"], 0, lang),
                    units=units,
                    noun=words["noun_a"],
                    k=format_number(log["drop_off_exits"], 0, lang),
                ),
            )
        for measure, count in (("rework_pct", "rework_journeys"), ("ping_pong_pct", "ping_pong_journeys")):
            if log[measure] is not None:
                add(
                    measure,
                    log[measure],
                    text[measure].format(
                        v=_pct(log[measure], lang, 1), units=units, level=level, k=format_number(log[count], 0, lang)
                    ),
                )
        if log["reopened_journeys"] is not None:
            add(
                "reopened_pct",
                log["reopened_pct"],
                text["reopened_pct"].format(
                    k=format_number(log["reopened_journeys"], 0, lang),
                    units=units,
                    after=words["after"],
                    v=_pct(log["reopened_pct"], lang, 1),
                ),
            )
        lw = made["long_wait"]
        if lw["long_pct"] is not None and lw["fence_s"] is not None:
            add(
                "long_wait_pct",
                lw["long_pct"],
                text["long_wait_pct"].format(
                    v=_pct(lw["long_pct"], lang, 1),
                    f=_duration_text(lw["fence_s"], lang),
                    q=_pct((1 - lw["quantile"]) * 100, lang),
                ),
            )
        if log["value_per_outcome"] is not None:
            add(
                "value_per_outcome",
                log["value_per_outcome"],
                text["value_per_outcome"].format(
                    unit=words["unit"], reach=words["reach"], v=format_number(log["value_per_outcome"], 2, lang)
                ),
            )
    changes = made.get("changes") or []
    if changes:
        rows.append(
            {
                "segment": "all",
                "measure": "changes",
                "value": len(changes),
                "text": _SUMMARY[lang]["changes"].format(k=len(changes), first=changes[0]["note"]),
            }
        )
    return pd.DataFrame(rows, columns=["segment", "measure", "value", "text"])


@dataclass(frozen=True)
class PainEvidence:
    """The evidence behind one row of :func:`pain_points` (see :func:`explain_pain_point`).

    Attributes
    ----------
    row : Series
        The row of the pain-point table.
    components : DataFrame
        ``component, value_pct`` (the node's rate), ``log_pct`` (the log's rate it is compared
        with), ``excess`` (journeys hurt beyond it), ``share_of_score`` (percent).
    comparison : DataFrame
        ``group`` (``"met"``, ``"not met"``, ``"stage, not met"``), ``journeys``, ``outcomes``,
        ``rate_pct``, ``ci_low``, ``ci_high`` (Wilson, 95 %).
    periods : DataFrame
        Per period: ``period``, ``sessions`` meeting the node, ``outcome_pct``, ``drop_off_pct``,
        ``p_adjusted`` (of the period against the others, outcome share) and ``significant``.
    next_steps : DataFrame
        ``next`` (``"(exit)"`` for the end of a journey), ``n``, ``pct``.
    paths : DataFrame
        The most frequent paths of the journeys meeting the node: ``path``, ``n_journeys``,
        ``outcome_pct``.
    partners : DataFrame
        Ping-pong partners: ``partner``, ``n_journeys`` (journeys bouncing between the two).
    """

    row: pd.Series
    components: pd.DataFrame
    comparison: pd.DataFrame
    periods: pd.DataFrame
    next_steps: pd.DataFrame
    paths: pd.DataFrame
    partners: pd.DataFrame

    def __repr__(self) -> str:
        name, rank, issue = self.row.iloc[0], self.row.get("rank"), self.row.get("main_issue")
        return f"PainEvidence({name!r}, rank {rank}, main issue {issue!r})"


def _with_pain_options(func: Any) -> Any:
    """Write the option docs of :func:`pain_points` into ``func``'s docstring in place of
    ``{pain_options}`` (its signature repeats pain_points' keywords): one list, written once.
    """
    import re

    doc = pain_points.__doc__ or ""
    section = doc.split("Parameters\n    ----------\n", 1)[1].split("\n    Returns\n", 1)[0]
    section = re.sub(r"^    events : .*?(?=^    \w)", "", section, count=1, flags=re.S | re.M)
    func.__doc__ = (func.__doc__ or "").replace("    {pain_options}\n", section.rstrip("\n") + "\n")
    return func


#: The keywords of pain_points that explain_pain_point passes on.
_PAIN_OPTIONS = tuple(
    name for name, p in inspect.signature(pain_points).parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY
)


@journey_analysis({**PAIN_TABLE, "top_paths": [WHOLE_NUMBER]}, renames=PAIN_RENAMES, docs=_with_pain_options)
def explain_pain_point(
    events: Any,
    *,
    touchpoint: str,
    top_paths: int = 10,
    touchpoints: pd.DataFrame | None = None,
    survey: pd.DataFrame | None = None,
    outcome_kind: str | None = None,
    level: str = "touchpoint",
    by: str | None = None,
    period: str = "W",
    service: Sequence[str] | None = None,
    min_contacts: int = 2,
    contact_window: str | float = "7D",
    long_wait: float = 0.95,
    natural_exit: float = 0.5,
    promised: str | None = None,
    lookback: str | float = "180D",
    score: str = "recommend",
    scale: tuple[float, float] = (0, 10),
    negative_max: float = 6,
    positive_min: float = 9,
    survey_date: str = "date",
    survey_weight: str | None = None,
    alpha: float = 0.05,
    weights: Mapping[str, float] | None = None,
    min_base: int = 20,
    min_test_base: int = 30,
    min_change: float = 5.0,
    rank_by: str = "customers",
    n_boot: int = 200,
    random_state: int = 0,
    language: str = "en",
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
) -> PainEvidence:
    """The evidence behind one row of :func:`pain_points`: its components, comparison, periods and paths.

    Parameters
    ----------
    events : DataFrame or path
        The log, as given to :func:`pain_points`.
    touchpoint : str
        The row to explain: a touchpoint, or a value of the ``level`` column (a stage, a team).
    top_paths : int, default 10
        How many paths of the journeys meeting it to list.
    {pain_options}

    Returns
    -------
    PainEvidence

    Raises
    ------
    CJMDataError
        No journey meets ``touchpoint`` (with the closest names of the table).

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": list("aabbcc"), "touchpoint": ["Cart", "Buy", "Cart", "Pay", "Cart", "Pay"],
    ...                    "timestamp": pd.date_range("2025-01-01", periods=6, freq="min", tz="UTC"),
    ...                    "sequence": range(6)})
    >>> ev_pay = explain_pain_point(ev, touchpoint="Pay", outcome=["Buy"], min_base=1, n_boot=0)
    >>> ev_pay.comparison[["group", "journeys", "outcomes", "rate_pct"]]
         group  journeys  outcomes  rate_pct
    0      met         2         0       0.0
    1  not met         1         1     100.0
    >>> ev_pay.next_steps[["next", "n"]].to_dict("list")
    {'next': ['(exit)'], 'n': [2]}
    """
    # the options of pain_points, passed on as they came (the signature repeats pain_points' defaults)
    given = locals()
    options = {name: given[name] for name in _PAIN_OPTIONS} | old_engine_keywords
    from cjm_lab._validate import suggest

    where = "explain_pain_point()"
    try:
        bound = inspect.signature(pain_points).bind(events, **options)
    except TypeError as err:
        raise CJMConfigError(f"{where}: {err}. Fix: pass the options of pain_points() by name.") from None
    table = pain_points(events, **options)
    made = table.attrs[PAIN_POINTS_ATTR]
    unit = made["level"]
    hit = table[table[unit].astype(str) == str(touchpoint)]
    if hit.empty:
        names = table[unit].astype(str).tolist()
        raise CJMDataError(
            f"{where}: no journey meets {touchpoint!r} at level {unit!r}.{suggest(str(touchpoint), names)}",
            column=unit,
            fix="Pass a name of the table's first column (pain_points(...) with the same options lists them).",
        )
    if made["by"]:
        raise CJMConfigError(f"{where}: explain one segment at a time: filter the events to it and leave out `by`.")
    row = hit.iloc[0]
    bound.apply_defaults()
    a = bound.arguments
    setup = _setup(
        events,
        where=where,
        touchpoints=a["touchpoints"],
        level=a["level"],
        by=None,
        kind=a["outcome_kind"],
        service=a["service"],
        min_contacts=a["min_contacts"],
        window_s=_contact_window_s(a["contact_window"], where),
        promised=a["promised"],
        period=a["period"],
        language=a["language"],
        options=journey_options(
            a["touchpoints"],
            a["journey"],
            a["session_gap"],
            a["dedupe"],
            a["until_conversion"],
            a["outcome"],
            a["collapse_repeats"],
            a["dates"],
            a["cases"],
        ),
        engine=engine_of(a["engine"], a["old_engine_keywords"], where=where),
    )
    lang = a["language"]
    x = literal(str(touchpoint))
    d = setup.spec.dialect
    plan = setup.plan

    def query(select: str) -> pd.DataFrame:
        return run_sql(part_sql(plan, d, None, select=select), setup.source, touchpoints=setup.cat)

    from cjm_lab.journeys._pain_sql import period_sql as _period

    periods = query(
        f"SELECT {_period(plan.period, 'first_t', 'first_ts')} AS per, count(*) AS n, sum(jsucc) AS k, "
        "sum(drop_) AS dr "
        f"FROM un WHERE node = {x} GROUP BY 1 ORDER BY 1"
    )
    periods["n"], periods["k"], periods["dr"] = (periods[c].astype(float) for c in ("n", "k", "dr"))
    tot_n, tot_k = periods["n"].sum(), periods["k"].sum()
    base = a["min_test_base"]
    p = _two_proportion_p(periods["k"], periods["n"], tot_k - periods["k"], tot_n - periods["n"], base)
    p = np.where((periods["n"] >= base) & (tot_n - periods["n"] >= base), p, np.nan)
    period_table = pd.DataFrame(
        {
            "period": [period_label(v, plan.period) for v in periods["per"]],
            "journeys": periods["n"].astype(np.int64),
            "outcome_pct": _rate(periods["k"], periods["n"]) * 100 if setup.has_outcomes else np.nan,
            "drop_off_pct": _rate(periods["dr"], periods["n"]) * 100 if setup.has_outcomes else np.nan,
            "p_adjusted": _bh(p) if setup.has_outcomes else np.nan,
        }
    )
    rest = _rate(tot_k - periods["k"], tot_n - periods["n"]) * 100
    moved = np.abs(period_table["outcome_pct"].to_numpy(float) - rest) >= a["min_change"]
    period_table["significant"] = (period_table["p_adjusted"] < a["alpha"]) & moved
    nxt = query(f"SELECT next_node AS nxt, count(*) AS n FROM w2 WHERE node = {x} GROUP BY 1")
    nxt["nxt"] = _next_labels(nxt["nxt"])  # the end of the journey is a flag, never a name
    nxt = nxt.sort_values(["n", "nxt"], ascending=[False, True], kind="stable")
    next_steps = pd.DataFrame(
        {
            "next": nxt["nxt"].astype(str).to_numpy(),
            "n": nxt["n"].astype(np.int64).to_numpy(),
            "pct": (nxt["n"] / nxt["n"].sum() * 100).to_numpy(),
        }
    )
    path = d.ordered_concat(path_name_sql("node"), PATH_SEPARATOR, ("t", "seq"))  # as variants writes paths
    paths = (
        query(
            f"SELECT path, count(*) AS n, avg(jsucc) AS rate FROM (SELECT jid, {path} AS path, max(jsucc) AS jsucc "
            "FROM w2 "
            f"WHERE node IS NOT NULL AND jid IN (SELECT jid FROM w2 WHERE node = {x}) GROUP BY jid) AS p GROUP BY path"
        )
        .sort_values(["n", "path"], ascending=[False, True], kind="stable")
        .head(top_paths)
    )
    path_table = pd.DataFrame(
        {
            "path": paths["path"].astype(str).to_numpy(),
            "n_journeys": paths["n"].astype(np.int64).to_numpy(),
            "outcome_pct": (paths["rate"].astype(float) * 100).to_numpy() if setup.has_outcomes else np.nan,
        }
    )
    partners = query(
        f"SELECT CASE WHEN node = {x} THEN run_prev ELSE node END AS partner, count(DISTINCT jid) AS n FROM pp "
        f"WHERE node = {x} OR run_prev = {x} GROUP BY 1"
    ).sort_values(["n", "partner"], ascending=[False, True], kind="stable")
    partner_table = pd.DataFrame(
        {"partner": partners["partner"].astype(str).to_numpy(), "n_journeys": partners["n"].astype(np.int64).to_numpy()}
    )
    oc = OUTCOME_WORDS[lang][made["outcome_kind"]]["column"]
    comp_rows = []
    base = {
        "rework": "rework_pct",
        "ping_pong": "ping_pong_pct",
        "long_wait": "long_wait_pct",
        "repeat_contact": "repeat_contact_pct",
        "drop_off": "drop_off_pct",
        "reopen": "reopen_pct",
        "late": "late_pct",
    }
    parts = pd.Series({c: row[f"excess_{c}"] for c in COMPONENTS}, dtype=float).fillna(0.0)
    total_excess = float(parts.sum())
    for comp in COMPONENTS:
        column = base.get(comp)
        value = float(row[column]) if column and column in row.index and pd.notna(row[column]) else np.nan
        log_rate = np.nan
        if column and column in table.columns:
            ranked = table[table["rank"].notna()]
            if comp in ("rework", "ping_pong", "long_wait", "repeat_contact") and ranked[column].notna().any():
                den = ranked["n_journeys"]
                log_rate = float((ranked[column] * den).sum() / den[ranked[column].notna()].sum())
        if comp == "lift":
            value = float(row[f"{oc}_lift"]) if pd.notna(row[f"{oc}_lift"]) else np.nan
        if comp == "change" and row["change_note"]:
            value = float(row["change_to_pct"] - row["change_from_pct"])
        comp_rows.append(
            {
                "component": comp,
                "value_pct": value,
                "log_pct": log_rate,
                "excess": float(parts[comp]),
                "share_of_score": float(parts[comp] / total_excess * 100) if total_excess > 0 else 0.0,
            }
        )
    n, s = float(row["n_journeys"]), (float(row[f"{oc}_rate_met"]) / 100 * float(row["n_journeys"]))
    total = made["log"]["all"]
    comparison = []
    if total["outcome_journeys"] is not None:
        big_n, big_s = float(total["journeys"]), float(total["outcome_journeys"])
        groups = [("met", n, s), ("not met", big_n - n, big_s - s)]
        if pd.notna(row.get(f"{oc}_rate_not_met_stage")):
            ref = float(row[f"{oc}_rate_not_met_stage"]) / 100
            # the stage's journeys not meeting the node: back from the rate and the lift's base
            st_n = _stage_base(setup, row, table)
            if st_n:
                groups.append(("stage, not met", st_n, round(ref * st_n)))
        for name, nn, kk in groups:
            low, high = wilson_bounds(np.array([kk / nn if nn else np.nan]), np.array([nn]), _Z)
            comparison.append(
                {
                    "group": name,
                    "journeys": round(nn),
                    "outcomes": round(kk),
                    "rate_pct": kk / nn * 100 if nn else np.nan,
                    "ci_low": float(low[0] * 100),
                    "ci_high": float(high[0] * 100),
                }
            )
    return PainEvidence(
        row=row,
        components=pd.DataFrame(comp_rows),
        comparison=pd.DataFrame(comparison, columns=["group", "journeys", "outcomes", "rate_pct", "ci_low", "ci_high"]),
        periods=period_table,
        next_steps=next_steps,
        paths=path_table,
        partners=partner_table,
    )


def _stage_base(setup: _Setup, row: pd.Series, table: pd.DataFrame) -> int:
    """Journeys reaching the row's stage without meeting it (for the evidence's comparison)."""
    if setup.cat is None or "stage" not in row.index or pd.isna(row["stage"]):
        return 0
    rows = run_sql(
        part_sql(
            setup.plan,
            setup.spec.dialect,
            None,
            select=(
                f"SELECT count(DISTINCT u.jid) AS n FROM un AS u JOIN touchpoints AS c ON c.touchpoint = u.node "
                f"WHERE {setup.spec.dialect.cast_text('c.stage')} = {literal(str(row['stage']))} "
                f"AND u.jid NOT IN (SELECT jid FROM un WHERE node = {literal(str(row[setup.unit]))})"
            ),
        ),
        setup.source,
        touchpoints=setup.cat,
    )
    return int(rows["n"].iloc[0])
