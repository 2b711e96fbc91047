"""Pain points: where customers drop off, loop, call again, wait, come late — and turn detractor.

One ranked table per touchpoint (or stage) combining

* **drop-off** — share of journeys that meet the touchpoint and end with it, never
  having converted (lost before the first purchase); only when conversions are known
  (``conversions=`` or the catalogue's ``is_conversion``);
* **rework** — share that meet the touchpoint again within the same purchase episode
  (episodes restart after each conversion, so a second invoice for a second order is
  no rework, a second invoice after a billing complaint is).  Rework is scored for the
  company's internal process steps (catalogue kind ``internal``; all touchpoints without
  a catalogue), not for browsing again (external, peripheral) and not for service
  contacts, which count as repeated contacts of what preceded them;
* **repeated service contacts** — share followed by at least ``min_contacts`` service
  contacts within ``contact_window``.  Service contacts are the symptom: each is
  attributed to the last non-service touchpoint before it (its trigger), and service
  touchpoints themselves are not scored on this;
* **long waits** — share whose wait until the next event is far out for that transition
  (source → target) in the whole log: beyond Q3 + ``wait_fence`` × IQR (Tukey's far-out
  fence; with exponential waits about 1 % of waits lie beyond it) and at least
  ``min_wait``;
* **lateness** — with a ``promised`` column: share of events later than promised;
* **moments of truth** — with a survey joined on ``customer_id``: whether meeting the
  touchpoint within ``lookback`` before the answer goes with being a detractor (and, with
  ``promised``, whether a late event does, compared with an on-time one; a late event
  counts from the moment its promise was broken), net of
  journey length and of the other touchpoints met (one logistic regression of detractor
  on all touchpoints met and log(1 + events in the look-back window)), Benjamini–Hochberg
  corrected.  A service contact that only follows a delivery delay thus does not take
  the delay's blame.

Each component counts the customers hurt *beyond the normal*: the touchpoint's rate
minus the log-wide rate of that component, times the journeys that meet it (for the
moments of truth: the detractor share its adjusted odds ratio adds to the share among
those who did not meet it, where that is significant).  ``pain_score`` adds these excess customers over the components
(``weights`` to weigh them) per 100 journeys of the log, so a rare touchpoint with an
extreme rate and a busy one with a moderate rate are compared by how many customers
they cost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cjm_lab._validate import numeric_column, require_columns, require_frame
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.journeys import _parts
from cjm_lab.journeys._dialect import literal, quote
from cjm_lab.journeys._docs import journey_docs
from cjm_lab.journeys._options import Engine
from cjm_lab.journeys._sources import run_sql
from cjm_lab.journeys.build import engine_of, journey_options, prepare
from cjm_lab.journeys.sql import counted_quantiles, duration_seconds, journey_ctes

__all__ = ["pain_points", "COMPONENTS"]

#: The components of the pain score, in the order of the table.
COMPONENTS = ("drop_off", "rework", "repeat_contact", "long_wait", "late", "detractor")
#: The key of ``DataFrame.attrs`` under which :func:`pain_points` records how its table was computed
#: (``by``, ``level``, ``language``, ``alpha``); :func:`~cjm_lab.journeys.journey_map_data` checks it.
PAIN_POINTS_ATTR = "cjm_pain_points"

_LATE_NOTE = {
    "en": "; {a:.0f}% of late ones are detractors (on time: {b:.0f}%)",
    "de": "; {a:.0f} % der verspäteten sind Kritiker (pünktlich: {b:.0f} %)",
}

_NOTES = {
    "en": {
        "drop_off": "{v:.0f}% of the customers who meet it leave without ever buying (log: {b:.0f}%)",
        "rework": "{v:.0f}% go through it more than once in the same purchase (rework; log: {b:.0f}%)",
        "repeat_contact": "{v:.0f}% contact customer service {m}+ times within {d} afterwards (log: {b:.0f}%)",
        "long_wait": "{v:.0f}% wait unusually long afterwards (log: {b:.0f}%)",
        "late": "{v:.0f}% happen later than promised",
        "detractor": "customers who met it are more often detractors (adjusted odds ratio {v:.1f}, {p})",
    },
    "de": {
        "drop_off": "{v:.0f} % der Kunden, die hier ankommen, gehen ohne je zu kaufen (gesamt: {b:.0f} %)",
        "rework": "{v:.0f} % durchlaufen ihn im selben Kauf mehrmals (Nacharbeit; gesamt: {b:.0f} %)",
        "repeat_contact": "{v:.0f} % kontaktieren danach binnen {d} mindestens {m}-mal den Kundenservice "
        "(gesamt: {b:.0f} %)",
        "long_wait": "{v:.0f} % warten danach ungewöhnlich lange (gesamt: {b:.0f} %)",
        "late": "{v:.0f} % später als zugesagt",
        "detractor": "Kunden mit diesem Kontakt sind häufiger Kritiker (adjustiertes Odds Ratio {v:.1f}, {p})",
    },
}


def _duration_text(seconds: float, language: str) -> str:
    days = seconds / 86400
    if days >= 1 and float(days).is_integer():
        unit = ("day" if days == 1 else "days") if language == "en" else ("Tag" if days == 1 else "Tagen")
        return f"{int(days)} {unit}"
    hours = seconds / 3600
    return f"{hours:g} h"


def _service_set(service: Sequence[str] | None, cat: pd.DataFrame | None) -> list[str]:
    if service is not None:
        return [str(s) for s in service]
    if cat is not None and "department" in cat.columns:
        return (
            cat.loc[
                cat["department"].astype("str").str.lower().isin(["customer_service", "kundenservice"]), "touchpoint"
            ]
            .astype(str)
            .tolist()
        )
    return []


@journey_docs
def pain_points(
    events: Any,
    *,
    touchpoints: pd.DataFrame | None = None,
    survey: pd.DataFrame | None = None,
    by: str | None = None,
    level: str = "touchpoint",
    service: Sequence[str] | None = None,
    min_contacts: int = 2,
    contact_window: str | float = "7D",
    wait_fence: float = 3.0,
    min_wait: str | float = "1h",
    promised: str | None = None,
    lookback: str | float = "180D",
    score: str = "recommend",
    score_scale: tuple[float, float] = (0, 10),
    negative_max: float = 6,
    positive_min: float = 9,
    survey_date: str = "date",
    survey_weight: str | None = None,
    alpha: float = 0.05,
    weights: Mapping[str, float] | None = None,
    min_reach: int = 20,
    language: str = "en",
    journey: str = "customer",
    session_gap: str | float = "30min",
    dedupe: bool = True,
    until_conversion: bool = False,
    conversions: Sequence[str] | None = None,
    engine: Engine | None = None,
    **old_engine_keywords: Any,
) -> pd.DataFrame:
    """Rank touchpoints (or stages) by how much they hurt, with department and a short note.

    Parameters
    ----------
    events : DataFrame or path
        See :func:`cjm_lab.journeys.build_journeys`.
    touchpoints : DataFrame, optional
        The catalogue: stage, department and kind per touchpoint, conversions, and the
        service touchpoints (department ``customer_service``).
    survey : DataFrame, optional
        Survey responses with ``customer_id``, ``score`` (0–10) and ``survey_date``; adds
        the moments of truth.  Only events before each answer and within ``lookback``
        count.  Relationship surveys only: keep transactional answers (asked right after
        one touchpoint) apart.
    by : str, optional
        A segment column of the log (e.g. persona): the table is computed per segment.
    level : {"touchpoint", "stage"}
        Rank touchpoints, or stages (a journey meets a stage when it meets any of its
        touchpoints).
    service : list of str, optional
        Service touchpoints (default: the catalogue's customer-service department).
    min_contacts, contact_window
        Repeated contacts: at least this many service contacts within this window.
    wait_fence : float, default 3
        A wait is long beyond Q3 + ``wait_fence`` × IQR of the same transition's waits ...
    min_wait : duration, default "1h"
        ... and when it is at least this long.
    promised : str, optional
        A column of the log with the promised time of an event (e.g. the estimated
        delivery date on the delivery event); adds lateness.
    lookback, score, survey_date, survey_weight
        The survey join.
    score_scale, negative_max, positive_min : default (0, 10), 6 and 9
        The scale of ``score``, its highest negative and its lowest positive value:
        detractors (0–6) and promoters (9–10) for a recommend score; e.g. ``(1, 5)``, ``2``
        and ``5`` for star reviews.  ``nps_met`` is the positive minus the negative share
        of the respondents who met the touchpoint (the NPS for a recommend score).
    alpha : float, default 0.05
        Only moments of truth significant after Benjamini–Hochberg count in the score.
    weights : dict, optional
        Weight of each component in the score (default 1 each).
    min_reach : int, default 20
        Touchpoints met by fewer journeys are listed but not ranked (``rank`` empty) — in a
        log (or segment) of fewer journeys than ``min_reach`` nothing is ranked, the
        components are still shown.
    language : {"en", "de"}
        Language of ``note``.
    {journey_options}

    Returns
    -------
    DataFrame
        Segment column, ``touchpoint`` (or ``stage``), ``stage``, ``department``, ``kind``,
        ``n_journeys`` (meeting it), ``reach_pct``, per component the rate in percent
        (``drop_off_pct``, ``rework_pct``, ``repeat_contact_pct``, ``long_wait_pct``,
        ``late_pct``) and, with a survey, ``n_respondents_met``, ``detractor_pct_met``,
        ``detractor_pct_not_met``, ``nps_met``, ``detractor_odds_ratio``,
        ``detractor_p_adjusted`` and,
        with ``promised``, ``n_respondents_late``, ``late_detractor_pct``,
        ``on_time_detractor_pct``, ``late_odds_ratio``, ``late_detractor_p_adjusted``;
        then ``excess_customers`` (customers hurt beyond the normal, summed over the
        components), ``pain_score`` (the same per 100 journeys of the log), ``rank``
        (1 = worst), ``main_issue`` (the component with the most excess customers) and
        ``note``.
        ``table.attrs["cjm_pain_points"]`` records ``by``, ``level``, ``language`` and
        ``alpha``, so that :func:`~cjm_lab.journeys.journey_map_data` can check a table it is
        given.

    Examples
    --------
    >>> ev = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b", "b", "b", "c", "c"],
    ...     "timestamp": pd.to_datetime(["2025-01-01 10:00", "2025-01-01 10:05", "2025-01-01 10:00",
    ...         "2025-01-01 10:01", "2025-01-01 10:02", "2025-01-01 11:00", "2025-01-01 11:01"], utc=True),
    ...     "touchpoint": ["Cart", "Checkout", "Cart", "Checkout", "Buy", "Cart", "Buy"],
    ...     "sequence": range(7)})
    >>> pp = pain_points(ev, conversions=["Buy"], min_reach=1)
    >>> pp[["touchpoint", "n_journeys", "drop_off_pct", "rank", "main_issue"]]
      touchpoint  n_journeys  drop_off_pct  rank main_issue
    0   Checkout           2          50.0     1   drop_off
    1        Buy           2           0.0     2
    2       Cart           3           0.0     2
    """
    where = "pain_points()"
    if level not in ("touchpoint", "stage"):
        raise CJMConfigError(f"`level` must be 'touchpoint' or 'stage', got {level!r}.")
    if language not in ("en", "de"):
        raise CJMConfigError(f"`language` must be 'en' or 'de', got {language!r}.")
    if not isinstance(min_contacts, int) or min_contacts < 1:
        raise CJMConfigError(f"`min_contacts` must be a positive whole number, got {min_contacts!r}.")
    if not wait_fence > 0:
        raise CJMConfigError(f"`wait_fence` must be positive, got {wait_fence!r}.")
    window_s = duration_seconds(contact_window, "contact_window")
    min_wait_s = duration_seconds(min_wait, "min_wait")
    lookback_s = duration_seconds(lookback, "lookback")
    engine = engine_of(engine, old_engine_keywords, where=where)
    options = journey_options(touchpoints, journey, session_gap, dedupe, until_conversion, conversions)
    source, spec, cat = prepare(
        events, where=where, by=by, extra={"promised": promised}, options=options, engine=engine
    )
    if promised:
        source.check_column(promised, kind="timestamp", arg="promised", where=where)
    if level == "stage" and "stage" not in spec.catalogue:
        raise CJMConfigError("`level='stage'` needs the catalogue: pass touchpoints=.")
    service_tps = _service_set(service, cat)
    segs = list(spec.segments)
    unit = "touchpoint" if level == "touchpoint" else "stage"
    table = _event_components(
        source, spec, cat, segs, unit, service_tps, min_contacts, window_s, wait_fence, min_wait_s, promised
    )
    table = _rework_scope(table, cat, unit, service_tps)
    no_conversions = spec.conversions is None and (
        "is_conversion" not in spec.catalogue or cat is None or not cat["is_conversion"].astype(bool).any()
    )
    if no_conversions:
        # without conversions every journey "ends unconverted": drop-off says nothing
        table["drop_off_pct"] = np.nan
        table["_n_drop_off"] = np.nan
    if survey is not None:
        mot = _moments_of_truth(
            source,
            spec,
            cat,
            segs,
            unit,
            survey,
            score,
            survey_date,
            survey_weight,
            lookback_s,
            alpha,
            where,
            tuple(score_scale),
            negative_max,
            positive_min,
            promised,
        )
        table = table.merge(mot, on=[*segs, unit], how="left")
    table = _score(table, segs, unit, weights, min_reach, survey is not None)
    table = _describe(table, segs, unit, language, min_contacts, window_s)
    if cat is not None and unit == "touchpoint":
        info = cat[["touchpoint", *[c for c in ("stage", "department", "kind") if c in cat.columns]]].copy()
        if "stage" in info.columns:
            info["stage"] = info["stage"].astype("str")
        table = table.merge(info, on="touchpoint", how="left")
    for col in ("stage", "department", "kind"):
        if col not in table.columns:
            table[col] = pd.NA if not (col == "stage" and unit == "stage") else table["stage"]
    lead = [*segs, unit] + [c for c in ("stage", "department", "kind") if c != unit]
    rest = [c for c in table.columns if c not in lead]
    table = table[lead + rest]
    order = [*segs, "_unranked", "rank", unit]
    table["_unranked"] = table["rank"].isna()
    table = table.sort_values(order, kind="stable").drop(columns="_unranked").reset_index(drop=True)
    # how the table was computed, so that journey_map_data(pain=) can refuse one made otherwise; set
    # last, on the returned frame, so that no merge or reindex on the way can lose it
    table.attrs[PAIN_POINTS_ATTR] = {"by": by, "level": level, "language": language, "alpha": alpha}
    return table


def _rework_tps(cat: pd.DataFrame | None, unit: str, service_tps: list[str]) -> list[str] | None:
    """The touchpoints rework is scored for: internal process steps, not service (see the module notes).

    ``None`` stands for every touchpoint but the service ones (no catalogue kinds); an empty
    list for none (``level="stage"``, or a catalogue without internal steps).
    """
    if unit != "touchpoint":
        return []
    if cat is not None and "kind" in cat.columns:
        internal = cat.loc[cat["kind"].astype("str") == "internal", "touchpoint"].astype(str)
        return sorted(set(internal) - set(service_tps))
    return None


def _rework_scope(table: pd.DataFrame, cat: pd.DataFrame | None, unit: str, service_tps: list[str]) -> pd.DataFrame:
    """Rework counts for internal process steps only (see the module notes)."""
    if unit != "touchpoint":
        table["rework_pct"] = np.nan
        table["_n_rework"] = np.nan
        return table
    scope = _rework_tps(cat, unit, service_tps)
    eligible = ~table["touchpoint"].isin(service_tps) if scope is None else table["touchpoint"].isin(scope)
    table["rework_pct"] = table["rework_pct"].where(eligible)
    table["_n_rework"] = table["_n_rework"].where(eligible)
    return table


def _event_components(
    source, spec, cat, segs, unit, service_tps, min_contacts, window_s, wait_fence, min_wait_s, promised
):
    d = spec.dialect
    seg_cols = "".join(f"{quote(s)}, " for s in segs)
    node = "touchpoint" if unit == "touchpoint" else d.cast_text("stage")
    svc_list = ", ".join(literal(s) for s in service_tps) or "NULL"
    late = f"CASE WHEN {quote(promised)} IS NOT NULL AND ts > {quote(promised)} THEN 1 ELSE 0 END" if promised else "0"
    has_promise = f"CASE WHEN {quote(promised)} IS NOT NULL THEN 1 ELSE 0 END" if promised else "0"
    # Everything ordered comes from the one window that numbers the steps (the events are sorted
    # once): the next event, the conversions so far (the purchase episode: conversions before the
    # event; a journey whose last event has none never converted) and the number of non-service
    # events so far (a service contact's trigger is the non-service event with the same number).
    running = {
        "_n_conv": "sum(CASE WHEN {conv} THEN 1 ELSE 0 END)",
        "_n_other": f"sum(CASE WHEN touchpoint IN ({svc_list}) THEN 0 ELSE 1 END)",
        "_t_other": f"max(CASE WHEN touchpoint IN ({svc_list}) THEN NULL ELSE {d.epoch_seconds('ts')} END)",
    }
    running.update({f"_seg{i}": f"first_value({quote(s)})" for i, s in enumerate(segs)})
    seg_first = "".join(f", _seg{i} AS {quote(s)}" for i, s in enumerate(segs))
    # The per-event facts travel as bits of one number (one aggregate state per journey × node):
    # 1 drop-off, 2 repeated contacts, 4 service, 8 long wait, 16 has a next event, 32 late,
    # 64 has a promise, 128 the journey's first event (so the journeys are counted from the same
    # rows: each has exactly one first event).
    flag = {
        "drop_off": 1,
        "repeat_contact": 2,
        "is_service": 4,
        "long_wait": 8,
        "has_next": 16,
        "late": 32,
        "has_promise": 64,
        "first": 128,
    }
    bits = (
        f"CASE WHEN v.next_tp IS NULL AND v._n_conv = 0 THEN 1 ELSE 0 END"
        f" + CASE WHEN v.is_service = 0 AND coalesce(c.n_contacts, 0) >= {min_contacts} THEN 2 ELSE 0 END"
        f" + 4 * v.is_service"
        f" + CASE WHEN v.wait > m.q3 + {wait_fence!r} * (m.q3 - m.q1) AND v.wait >= {min_wait_s!r} THEN 8 ELSE 0 END"
        f" + CASE WHEN v.next_tp IS NOT NULL THEN 16 ELSE 0 END + 32 * v.is_late + 64 * v.has_promise"
        f" + CASE WHEN v.step = 1 THEN 128 ELSE 0 END"
    )
    has = {k: f"CASE WHEN (bits & {b}) > 0 THEN 1 ELSE 0 END" for k, b in flag.items()}
    # Rework (a touchpoint met again within the same purchase episode) is scored for internal
    # process steps only (_rework_scope), so only their events are grouped by episode.
    scope = _rework_tps(cat, unit, service_tps)
    if scope is None:
        rework_where = f"touchpoint NOT IN ({svc_list})" if service_tps else "1 = 1"
    else:
        rework_where = f"touchpoint IN ({', '.join(literal(s) for s in scope)})" if scope else None

    def ep_ctes(bucket: tuple[int, int] | None) -> str:
        return f"""{journey_ctes(spec, d, following={"next_tp": "touchpoint"}, running=running, bucket=bucket)},
ep AS (
  SELECT journey_id, touchpoint, {node} AS node, step, _n_conv, _n_other,
         CASE WHEN touchpoint IN ({svc_list}) THEN 1 ELSE 0 END AS is_service,
         {late} AS is_late, {has_promise} AS has_promise,
         _n_conv - CASE WHEN is_conv THEN 1 ELSE 0 END AS episode,
         next_tp, next_t - t AS wait, t - _t_other AS since_trigger{seg_first}
  FROM j
)"""

    # The waits of each transition, counted per distinct wait: their quartiles (nearest rank)
    # set the fence of a long wait.  They are over all journeys, so in parts (under a memory
    # limit) they are computed first, and the parts read them as the small table ``med``.
    med_sql = counted_quantiles("wait_counts", ["touchpoint", "next_tp"], "wait", {"q1": 0.25, "q3": 0.75})
    med_inline = ""
    extra = None
    parts = _parts.analysis_parts(source, sorts=True)
    if parts > 1:
        # only the waits: the journeys without the running counts the flags need (the same waits)
        waits = (
            "SELECT touchpoint, next_tp, wait, count(*) AS n FROM (SELECT touchpoint, next_tp, next_t - t AS wait "
            "FROM j WHERE next_tp IS NOT NULL) AS w GROUP BY touchpoint, next_tp, wait"
        )
        extra = {
            "med": _parts.run_in_parts(
                med_sql,
                source,
                name="wait_counts",
                touchpoints=cat,
                parts=parts,
                part=lambda bucket: (
                    f"WITH {journey_ctes(spec, d, following={'next_tp': 'touchpoint'}, bucket=bucket)}\n{waits}"
                ),
            )
        }
    else:
        # in one pass the engine's nearest-rank quantile reads the waits directly (the same values)
        med_inline = (
            f"med AS (SELECT touchpoint, next_tp, {d.quantile('wait', 0.25)} AS q1, "
            f"{d.quantile('wait', 0.75)} AS q3 FROM ep WHERE next_tp IS NOT NULL GROUP BY touchpoint, next_tp),"
        )
    sums = ("drop_off", "rework", "repeat_contact", "long_wait", "has_next", "late", "has_promise", "first")
    group_segs = f" GROUP BY {seg_cols.rstrip(', ')}" if segs else ""
    flag_sums = ", ".join(f"sum({v}) AS s_{k}" for k, v in has.items() if k != "is_service")
    zeros = ", ".join(f"0 AS s_{c}" for c in sums if c != "rework")
    if rework_where is None:
        rework_rows = ""
    else:
        # the journeys meeting the node more than once in one episode (the other sums 0)
        rework_rows = f"""
UNION ALL
SELECT {seg_cols}node, 0 AS n_journeys, 0 AS is_service, count(DISTINCT journey_id) AS s_rework, {zeros}
FROM (SELECT {seg_cols}journey_id, node FROM ep WHERE {rework_where}
      GROUP BY {seg_cols}journey_id, node, episode HAVING count(*) > 1) AS r
GROUP BY {seg_cols}node"""

    def part(bucket: tuple[int, int] | None) -> str:
        # per bucket, per node: the journeys meeting it and the sums of their flags, and in rows
        # of their own the journeys with rework (the rows of a node add up)
        return f"""WITH {ep_ctes(bucket)},
{med_inline}
contacts AS (
  SELECT journey_id, _n_other, count(*) AS n_contacts FROM ep
  WHERE is_service = 1 AND _n_other > 0 AND since_trigger <= {window_s!r}
  GROUP BY journey_id, _n_other
),
flags AS (
  SELECT {seg_cols}v.journey_id, v.node, {d.bit_or(bits)} AS bits
  FROM ep AS v
  LEFT JOIN med AS m ON m.touchpoint = v.touchpoint AND m.next_tp = v.next_tp
  LEFT JOIN contacts AS c ON c.journey_id = v.journey_id AND c._n_other = v._n_other
  GROUP BY {seg_cols}v.journey_id, v.node
)
SELECT {seg_cols}node, count(*) AS n_journeys, max({has["is_service"]}) AS is_service, 0 AS s_rework,
       {flag_sums}
FROM flags GROUP BY {seg_cols}node{rework_rows}"""

    def pct(col: str) -> str:  # as avg(col) * 100 over the journeys
        return f"CAST(s_{col} AS DOUBLE) / CAST(n_journeys AS DOUBLE) * 100"

    sql = f"""
WITH agg AS (
  SELECT {seg_cols}node, sum(n_journeys) AS n_journeys, max(is_service) AS is_service,
         {", ".join(f"sum(s_{c}) AS s_{c}" for c in sums)}
  FROM pain_parts GROUP BY {seg_cols}node
),
totals AS (SELECT {seg_cols}sum(s_first) AS n_total FROM agg{group_segs}),
per AS (
SELECT {seg_cols}node AS {quote(unit)}, n_journeys,
       {pct("drop_off")} AS drop_off_pct, {pct("rework")} AS rework_pct,
       CASE WHEN is_service = 1 THEN NULL ELSE {pct("repeat_contact")} END AS repeat_contact_pct,
       CASE WHEN s_has_next > 0 THEN s_long_wait * 100.0 / s_has_next END AS long_wait_pct,
       CASE WHEN s_has_promise > 0 THEN s_late * 100.0 / s_has_promise END AS late_pct,
       s_drop_off AS _n_drop_off, s_rework AS _n_rework,
       CASE WHEN is_service = 1 THEN NULL ELSE s_repeat_contact END AS _n_repeat_contact,
       s_long_wait AS _n_long_wait, s_has_next AS _d_long_wait, s_late AS _n_late,
       s_has_promise AS _d_late
FROM agg
)
SELECT per.*, totals.n_total FROM per {_join_on("totals", "per", segs)}
"""
    table = _parts.run_in_parts(sql, source, name="pain_parts", part=part, touchpoints=cat, extra=extra, parts=parts)
    table["n_journeys"] = table["n_journeys"].astype("int64")
    table["reach_pct"] = table["n_journeys"] / table["n_total"] * 100
    # the journeys of the log (per segment), exact: the scores are per 100 of them
    return table.rename(columns={"n_total": "_n_total"})


def _join_on(right: str, left: str, segs: list[str]) -> str:
    """JOIN ``right`` on the segment columns (NULL matches NULL), or a cross join without segments."""
    if not segs:
        return f"CROSS JOIN {right}"
    cond = " AND ".join(f"{left}.{quote(s)} IS NOT DISTINCT FROM {right}.{quote(s)}" for s in segs)
    return f"JOIN {right} ON {cond}"


def _moments_of_truth(
    source,
    spec,
    cat,
    segs,
    unit,
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
    node = "e.touchpoint" if unit == "touchpoint" else d.cast_text("e.stage")
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


_RATE = {
    "drop_off": "drop_off_pct",
    "rework": "rework_pct",
    "repeat_contact": "repeat_contact_pct",
    "long_wait": "long_wait_pct",
    "late": "late_pct",
}


def _attributable(base_pct: pd.Series, odds_ratio: pd.Series) -> pd.Series:
    """The detractor share the touchpoint adds, from its adjusted odds ratio on the base share.

    Using the adjusted odds ratio (not the raw difference) keeps a touchpoint that merely
    follows the real cause (a service contact after a delivery delay) from taking its blame.
    """
    base = (base_pct / 100).clip(1e-9, 1 - 1e-9)
    odds = base / (1 - base) * odds_ratio
    return (odds / (1 + odds) - base).clip(lower=0)


def _score(table, segs, unit, weights, min_reach, with_survey):
    weights = dict.fromkeys(COMPONENTS, 1.0) | dict(weights or {})
    unknown = set(weights) - set(COMPONENTS)
    if unknown:
        raise CJMConfigError(f"Unknown pain components in `weights`: {sorted(unknown)}; use {list(COMPONENTS)}.")
    parts = []
    groups = [g for _, g in table.groupby(segs, observed=True, sort=False)] if segs else [table]
    for g in groups:
        g = g.copy()
        ranked = g["n_journeys"] >= min_reach
        n_total = float(g["_n_total"].iloc[0])
        excess = {}
        for comp, col in _RATE.items():
            n = g[f"_n_{comp}"].astype(float)
            denom = g["_d_long_wait"] if comp == "long_wait" else g["_d_late"] if comp == "late" else g["n_journeys"]
            denom = denom.astype(float)
            valid = ranked & g[col].notna() & (denom > 0)
            if not valid.any():
                continue
            # a late event is a broken promise: every one counts, there is no normal share
            base = 0.0 if comp == "late" else n[valid].sum() / denom[valid].sum() * 100
            g[f"_base_{comp}"] = base
            excess[comp] = ((g[col] - base).clip(lower=0) / 100 * denom).where(valid, 0.0).fillna(0.0)
        if with_survey and "detractor_odds_ratio" in g.columns:
            sig = (g["detractor_p_adjusted"] < g["_alpha"].fillna(0.05)) & (g["detractor_odds_ratio"] > 1)
            diff = _attributable(g["detractor_pct_not_met"], g["detractor_odds_ratio"])
            excess["detractor"] = (diff * g["n_journeys"]).where(sig & ranked, 0.0).fillna(0.0)
        if with_survey and "late_odds_ratio" in g.columns:
            sig = (g["late_detractor_p_adjusted"] < g["_alpha"].fillna(0.05)) & (g["late_odds_ratio"] > 1)
            diff = _attributable(g["on_time_detractor_pct"], g["late_odds_ratio"])
            n_late = g["late_pct"].fillna(0) / 100 * g["_d_late"].astype(float)
            excess["detractor"] = excess.get("detractor", 0.0) + (diff * n_late).where(sig & ranked, 0.0).fillna(0.0)
        # start from a zero Series: with no touchpoint reaching min_reach there are no components at all
        total = sum((weights[c] * excess[c] for c in excess), pd.Series(0.0, index=g.index))
        g["excess_customers"] = total.where(ranked)
        g["pain_score"] = (total / n_total * 100).where(ranked)
        for c in excess:
            g[f"_norm_{c}"] = excess[c]
        parts.append(g)
    table = pd.concat(parts, ignore_index=True)
    rank = (
        table.groupby(segs, observed=True)["pain_score"].rank(method="min", ascending=False)
        if segs
        else table["pain_score"].rank(method="min", ascending=False)
    )
    table["rank"] = rank.astype("Int64")
    return table


def _describe(table, segs, unit, language, min_contacts, window_s):
    notes = _NOTES[language]
    comps = [c for c in COMPONENTS if f"_norm_{c}" in table.columns]
    main, texts = [], []
    for row in table.to_dict("records"):
        values = {c: row[f"_norm_{c}"] for c in comps}
        best = max(values, key=values.get) if values else None
        if best is None or not values[best] > 0 or pd.isna(row["pain_score"]):
            main.append("")
            texts.append("")
            continue
        main.append(best)
        if best == "detractor":
            p = row["detractor_p_adjusted"]
            ptxt = (
                ("p < 0,001" if language == "de" else "p < 0.001")
                if p < 0.001
                else (f"p = {p:.3f}".replace(".", ",") if language == "de" else f"p = {p:.3f}")
            )
            text = notes[best].format(v=row["detractor_odds_ratio"], p=ptxt)
        else:
            text = notes[best].format(
                v=row[_RATE[best]], b=row[f"_base_{best}"], m=min_contacts, d=_duration_text(window_s, language)
            )
            if (
                best == "late"
                and pd.notna(row.get("late_detractor_pct"))
                and pd.notna(row.get("on_time_detractor_pct"))
            ):
                text += _LATE_NOTE[language].format(a=row["late_detractor_pct"], b=row["on_time_detractor_pct"])
        if language == "de":
            text = text.replace(".", ",") if best == "detractor" else text
        texts.append(text)
    table["main_issue"] = main
    table["note"] = texts
    return table.drop(columns=[c for c in table.columns if c.startswith("_")])
