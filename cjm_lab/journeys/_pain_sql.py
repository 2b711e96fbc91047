"""The SQL of the pain-point components, written once for DuckDB and Spark.

Every component is a count that adds up over customers, so the analysis runs as one query
(or, under a memory limit, in parts of customers whose rows are summed).  The journeys are
sorted twice (two windows over ``PARTITION BY journey ORDER BY timestamp, sequence``): the
first reads the neighbours of each event (previous and next node, next time, next session)
and the running and total outcome counts; the second carries what only the first can know
along the journey (the node before the current run, for ping-pong; the outcomes before the
current session and the next session's start, for sessions).  Then

* ``on_`` — one row per session (or journey) and node: did the session reach an outcome, end
  at the node (a drop-off when without outcome), go on from it to an outcome; its time there;
* ``un``  — one row per journey and node: the journey's outcome, its returns to the node
  (rework), ping-pong, reopen, repeated service contacts, lateness and its stay there;

and the result rows, each tagged with a ``kind``:

``u``   per (segment, node, period of the journey's first visit): journeys, outcomes, rework,
        reopen, late, contacts, stays (and, without sessions, the ``o`` counts below);
``o``   per (segment, node, period): sessions meeting the node, their outcomes, drop-offs,
        exits, exits of successful sessions, sessions going on and those reaching an outcome
        after it (with sessions only);
``h``   per (segment, node, stay bin): how many journeys stayed that long (the time in state,
        rounded down to 3 significant digits), for medians, their intervals and the long-wait
        fence;
``t``   per (segment, node, next node, period of the event): directly-follows counts, the exit
        included, for changes of the next-step probability;
``r``   per (segment, node): journeys that return to the node within one purchase episode
        (conversion outcomes only: episodes restart after each conversion);
``p``   per (segment, node): journeys in which the node takes part in a ping-pong (either end);
``s``   per (segment, stage): journeys reaching the stage and their outcomes (stage-conditional lift);
``x``   per (segment, node): journeys reopened after an outcome at the node (a later outcome follows
        work that resumed after it; resolution and approval outcomes);
``X``   per segment: journeys reopened;
``T``   per segment: the totals of the log (journeys, outcomes, sessions, value, duplicates,
        reopened journeys, journeys with ping-pong or rework, the time of all stays).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from cjm_lab.journeys._dialect import Dialect, literal, quote
from cjm_lab.journeys.sql import JourneySpec, journey_ctes

__all__ = ["PainPlan", "part_sql", "final_sql", "COUNTS", "period_sql", "stay_bin_sql"]

#: The numeric columns of the result rows (every kind fills some, the others are 0).
COUNTS = (
    "n_units",
    "n_success",
    "n_rework",
    "n_reopen",
    "n_late",
    "n_prom",
    "n_contact",
    "n_pp_mid",
    "n_stay",
    "sum_stay",
    "n_ounits",
    "n_osucc",
    "n_drop",
    "n_exit",
    "n_exit_succ",
    "n_cont",
    "n_cont_succ",
    "n",
    "value",
    "n_dup",
    "n_events",
)

_WEEK_ORIGIN = 345_600  # Monday 1970-01-05 00:00 UTC, in epoch seconds


def period_sql(period: str, t: str = "t", ts: str = "ts") -> str:
    """The period number of a time: days, ISO weeks (from Monday), months or quarters since 1970."""
    if period == "D":
        return f"CAST(floor({t} / 86400.0) AS BIGINT)"
    if period == "W":
        return f"CAST(floor(({t} - {_WEEK_ORIGIN}) / 604800.0) AS BIGINT)"
    month = f"(CAST(EXTRACT(YEAR FROM {ts}) AS BIGINT) * 12 + CAST(EXTRACT(MONTH FROM {ts}) AS BIGINT) - 1)"
    if period == "M":
        return month
    return f"CAST(floor({month} / 3.0) AS BIGINT)"


def stay_bin_sql(expr: str) -> str:
    """A stay in seconds rounded down to 3 significant digits (whole seconds below 1,000 s).

    The bins keep the histogram of stays small (a few thousand values per node from a second
    to centuries) while its quantiles stay within 1 % of the exact ones; the same arithmetic
    in DuckDB and Spark gives the same bins.
    """
    cases = [f"WHEN {expr} < 1000 THEN floor({expr})"]
    for k in range(1, 10):
        step = 10**k
        cases.append(f"WHEN {expr} < {1000 * step} THEN floor({expr} / {step}.0) * {step}")
    return f"CAST(CASE {' '.join(cases)} ELSE floor({expr} / 1e10) * 1e10 END AS DOUBLE)"


@dataclass(frozen=True)
class PainPlan:
    """What the query computes (checked by :func:`cjm_lab.journeys.pain_points`)."""

    spec: JourneySpec
    #: SQL of the node over the journeys' columns (``touchpoint``, ``CAST(stage AS VARCHAR)`` …)
    node: str
    #: whether the node can be missing (levels other than the touchpoint): such events only count
    #: for the outcomes
    nullable: bool
    #: SQL of the session key inside a journey, or None (no sessions: the journey is the session)
    session: str | None
    #: outcome kind: conversion, resolution, approval or none
    kind: str
    service: tuple[str, ...] = ()
    contact_window_s: float = 7 * 86400.0
    min_contacts: int = 2
    promised: str | None = None
    value: str | None = None
    period: str = "W"
    #: the nodes rework and ping-pong are scored for (None: all)
    scope: tuple[str, ...] | None = None
    #: journeys per stage (touchpoint level with a catalogue's stages)
    stages: bool = False
    segments: tuple[str, ...] = field(default_factory=tuple)

    @property
    def episodes(self) -> bool:
        """Rework restarts after each conversion (a second invoice for a second order is no rework)."""
        return self.kind == "conversion"

    @property
    def reopen(self) -> bool:
        return self.kind in ("resolution", "approval")


def _zeros(**given: str) -> str:
    """The count columns in :data:`COUNTS` order: the given expressions, 0 for the rest."""
    return ", ".join(f"{given.get(c, '0')} AS {c}" for c in COUNTS)


def _keys(segs: Sequence[str], node: str, per: str = "NULL", nxt: str = "NULL", bin_: str = "NULL") -> str:
    seg = "".join(f"{quote(s)}, " for s in segs)
    return f"{seg}{node} AS node, {per} AS per, {nxt} AS nxt, {bin_} AS bin"


def part_sql(
    plan: PainPlan, d: Dialect, bucket: tuple[int, int] | str | None = None, *, select: str | None = None
) -> str:
    """The rows of one part of the customers (all of them for ``bucket=None``).

    ``select`` replaces the result rows by another query over the same relations (``ev``: one row
    per event with a node; ``un``: per journey and node), for the evidence of one node.
    """
    spec = plan.spec
    segs = list(plan.segments)
    seg_cols = "".join(f"{quote(s)}, " for s in segs)
    seg_group = "".join(f", {quote(s)}" for s in segs)
    win = "PARTITION BY journey_id ORDER BY ts, seq"
    upto = f"({win} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
    before = f"({win} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
    after = f"({win} ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)"
    whole = f"({win} ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
    conv = "CASE WHEN is_conv THEN 1 ELSE 0 END"
    node = plan.node
    has_node = f"{node} IS NOT NULL" if plan.nullable else "TRUE"

    def lag(expr: str) -> str:
        return (d.ignore_nulls("lag", expr) if plan.nullable else f"lag({expr})") + f" OVER ({win})"

    def lead(expr: str) -> str:
        return (d.ignore_nulls("lead", expr) if plan.nullable else f"lead({expr})") + f" OVER ({win})"

    node_t = f"CASE WHEN {has_node} THEN t END" if plan.nullable else "t"
    sessions = plan.session is not None
    svc = ", ".join(literal(s) for s in plan.service)
    w1 = [
        "journey_id AS jid",
        "t",
        "ts",
        "seq",
        "touchpoint",
        f"{node} AS node",
        "is_conv",
        f"{conv} AS c",
        f"row_number() OVER ({win}) AS step",
        f"{lag(node)} AS prev_node",
        f"{lead(node)} AS next_node",
        f"{lead(node_t)} AS next_t",
        f"coalesce(sum({conv}) OVER {before}, 0) AS conv_before",
        f"sum({conv}) OVER {whole} AS conv_total",
        f"{d.ignore_nulls('first_value', 'CASE WHEN is_conv THEN t END')} OVER {after} AS next_conv_t",
        "_dup",
    ]
    w1 += [f"first_value({quote(s)}) OVER {upto} AS _s{i}" for i, s in enumerate(segs)]
    if sessions:
        sess_node = f"CASE WHEN {has_node} THEN {plan.session} END" if plan.nullable else plan.session
        w1 += [
            f"{plan.session} AS sess",
            f"lag({plan.session}) OVER ({win}) AS prev_sess",
            f"{lead(sess_node)} AS next_sess",
        ]
    if plan.reopen:
        # a reopen: an outcome event right after a non-outcome event, with an outcome before (work
        # resumed after a resolution and led to another one); it counts for the earlier outcome's node
        w1.append(f"lag({conv}) OVER ({win}) AS prev_c")
        w1.append(
            f"{d.ignore_nulls('last_value', 'CASE WHEN is_conv THEN ' + node + ' END')} OVER {before} AS prev_out"
        )
    if plan.service:
        w1 += [
            f"sum(CASE WHEN touchpoint IN ({svc}) THEN 0 ELSE 1 END) OVER {upto} AS n_other",
            f"max(CASE WHEN touchpoint IN ({svc}) THEN NULL ELSE t END) OVER {upto} AS t_other",
        ]
    if plan.promised:
        w1.append(
            f"CASE WHEN {quote(plan.promised)} IS NOT NULL AND ts > {quote(plan.promised)} THEN 1 ELSE 0 END AS late"
        )
        w1.append(f"CASE WHEN {quote(plan.promised)} IS NOT NULL THEN 1 ELSE 0 END AS prom")
    if plan.value:
        w1.append(f"CAST({quote(plan.value)} AS DOUBLE) AS val")

    # the second sort: what only the first window knows, carried along the journey
    win2 = "PARTITION BY jid ORDER BY ts, seq"
    upto = f"({win2} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
    after = f"({win2} ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)"
    run_start = "CASE WHEN node IS NOT NULL AND prev_node IS DISTINCT FROM node THEN 1 ELSE 0 END"
    w2 = [
        "*",
        f"{run_start} AS run_start",
        f"{d.ignore_nulls('last_value', f'CASE WHEN {run_start} = 1 THEN prev_node END')} OVER {upto} AS run_prev",
    ]
    if sessions:
        start = "prev_sess IS DISTINCT FROM sess"
        w2 += [
            f"CASE WHEN {start} THEN 1 ELSE 0 END AS sess_start",
            f"sum(CASE WHEN {start} THEN 1 ELSE 0 END) OVER {upto} AS sess_no",
            f"{d.ignore_nulls('last_value', f'CASE WHEN {start} THEN conv_before END')} OVER {upto} AS sess_base",
            f"{d.ignore_nulls('first_value', f'CASE WHEN {start} THEN t END')} OVER {after} AS next_sess_t",
        ]
    # per event: the session's outcome, its end, the wait within the session, ping-pong, reopen
    if sessions:
        later = "(next_conv_t IS NOT NULL AND (next_sess_t IS NULL OR next_conv_t < next_sess_t))"
        ssucc = f"CASE WHEN conv_before + c - sess_base > 0 OR {later} THEN 1 ELSE 0 END"
        same = "next_sess IS NOT DISTINCT FROM sess"
        sess_end = f"CASE WHEN {same} THEN 0 ELSE 1 END"
        sess_no = "sess_no"
    else:
        later = "(next_conv_t IS NOT NULL)"
        ssucc = "CASE WHEN conv_total > 0 THEN 1 ELSE 0 END"
        same = "next_t IS NOT NULL"
        sess_end = "CASE WHEN next_t IS NULL THEN 1 ELSE 0 END"
        sess_no = "0"
    ev = [
        "jid",
        "node",
        "t",
        "ts",
        "touchpoint",
        "c",
        "step",
        "next_node",
        "run_start",
        "run_prev",
        "conv_before AS episode",
        f"{sess_no} AS sess_no",
        "CASE WHEN conv_total > 0 THEN 1 ELSE 0 END AS jsucc",
        f"{ssucc} AS ssucc",
        f"{sess_end} AS sess_end",
        "CASE WHEN next_t IS NULL THEN 1 ELSE 0 END AS jend",
        "CASE WHEN next_conv_t IS NOT NULL THEN 1 ELSE 0 END AS succ_after",
        # after a resolution or approval the customer no longer waits: no wait from an outcome event
        f"CASE WHEN {same}{' AND c = 0' if plan.reopen else ''} THEN next_t - t END AS wait",
        "CASE WHEN next_node IS NOT NULL AND next_node <> node AND run_prev = next_node THEN 1 ELSE 0 END AS pp_mid",
        *[f"_s{i} AS {quote(s)}" for i, s in enumerate(segs)],
    ]
    reopen_evt = "(c = 1 AND conv_before > 0 AND prev_c = 0)"
    ev.append("0 AS reopen")
    ev += ["late", "prom"] if plan.promised else ["0 AS late", "0 AS prom"]
    if plan.service:
        ev += [
            f"CASE WHEN touchpoint IN ({svc}) THEN 1 ELSE 0 END AS is_service",
            "n_other",
            "t - t_other AS since_trigger",
        ]
    ctes = [
        journey_ctes(spec, d, numbered=False, bucket=bucket, duplicates=True),
        f"w1 AS (SELECT {', '.join(w1)} FROM j)",
        f"w2 AS (SELECT {', '.join(w2)} FROM w1)",
        f"ev0 AS (SELECT {', '.join(ev)} FROM w2 WHERE node IS NOT NULL)",
    ]
    if plan.service:
        # a service contact is a symptom: it counts for the last non-service event before it (its
        # trigger), when at least min_contacts of them follow within the contact window
        ctes.append(
            "contacts AS (SELECT jid, n_other, count(*) AS n_contacts FROM ev0 "
            f"WHERE is_service = 1 AND n_other > 0 AND since_trigger <= {plan.contact_window_s!r} "
            "GROUP BY jid, n_other)"
        )
        ctes.append(
            "ev AS (SELECT e.*, CASE WHEN e.is_service = 0 AND coalesce(k.n_contacts, 0) >= "
            f"{int(plan.min_contacts)} THEN 1 ELSE 0 END AS contact FROM ev0 AS e LEFT JOIN contacts AS k "
            "ON k.jid = e.jid AND k.n_other = e.n_other)"
        )
    else:
        ctes.append("ev AS (SELECT *, 0 AS contact FROM ev0)")
    per_units = [
        "min(t) AS first_t",
        "min(ts) AS first_ts",
        "max(jsucc) AS jsucc",
        "max(ssucc) AS ssucc",
        "max(CASE WHEN sess_end = 1 AND jsucc = 0 THEN 1 ELSE 0 END) AS drop_",
        "max(sess_end) AS exit_",
        "max(jend) AS jend",
        "max(CASE WHEN sess_end = 0 THEN 1 ELSE 0 END) AS cont",
        "max(CASE WHEN sess_end = 0 THEN succ_after ELSE 0 END) AS cont_succ",
        "sum(wait) AS stay",
        "count(wait) AS n_wait",
        "sum(run_start) AS run_starts",
        "max(reopen) AS reopen",
        "max(late) AS late",
        "max(prom) AS prom",
        "max(contact) AS contact",
        "max(pp_mid) AS pp_mid",
    ]
    if sessions:
        ctes.append(
            f"on_ AS (SELECT jid, sess_no, node{seg_group}, {', '.join(per_units)} FROM ev GROUP BY jid, sess_no, node{seg_group})"
        )
        ctes.append(
            f"un AS (SELECT jid, node{seg_group}, min(first_t) AS first_t, min(first_ts) AS first_ts, max(jsucc) AS jsucc, "
            "max(jend) AS jend, "
            "sum(stay) AS stay, sum(n_wait) AS n_wait, sum(run_starts) AS run_starts, max(reopen) AS reopen, "
            "max(late) AS late, max(prom) AS prom, max(contact) AS contact, max(pp_mid) AS pp_mid "
            f"FROM on_ GROUP BY jid, node{seg_group})"
        )
    else:
        ctes.append(
            f"un AS (SELECT jid, node{seg_group}, {', '.join(per_units)} FROM ev GROUP BY jid, node{seg_group})"
        )
    scope = (
        "TRUE"
        if plan.scope is None
        else (f"node IN ({', '.join(literal(s) for s in plan.scope)})" if plan.scope else "FALSE")
    )
    rework = "0" if plan.episodes else f"sum(CASE WHEN run_starts > 1 AND {scope} THEN 1 ELSE 0 END)"
    u_counts = {
        "n_units": "count(*)",
        "n_success": "sum(jsucc)",
        "n_rework": rework,
        "n_reopen": "sum(reopen)",
        "n_late": "sum(late)",
        "n_prom": "sum(prom)",
        "n_contact": "sum(contact)",
        "n_pp_mid": "sum(pp_mid)",
        "n_stay": "sum(CASE WHEN n_wait > 0 THEN 1 ELSE 0 END)",
        "sum_stay": "sum(stay)",
        "n_exit": "sum(jend)",
        "n_exit_succ": "sum(jend * jsucc)",
    }
    o_counts = {
        "n_ounits": "count(*)",
        "n_osucc": "sum(ssucc)",
        "n_drop": "sum(drop_)",
        "n_cont": "sum(cont)",
        "n_cont_succ": "sum(cont_succ)",
    }
    period_u = period_sql(plan.period, "first_t", "first_ts")
    rows = []
    if sessions:
        rows.append(
            f"SELECT 'u' AS kind, {_keys(segs, 'node', period_u)}, {_zeros(**u_counts)} FROM un GROUP BY {seg_cols}node, {period_u}"
        )
        rows.append(
            f"SELECT 'o' AS kind, {_keys(segs, 'node', period_u)}, {_zeros(**o_counts)} FROM on_ GROUP BY {seg_cols}node, {period_u}"
        )
    else:
        rows.append(
            f"SELECT 'u' AS kind, {_keys(segs, 'node', period_u)}, {_zeros(**{**u_counts, **o_counts})} "
            f"FROM un GROUP BY {seg_cols}node, {period_u}"
        )
    bin_ = stay_bin_sql("stay")
    rows.append(
        f"SELECT 'h' AS kind, {_keys(segs, 'node', bin_=bin_)}, {_zeros(n='count(*)')} FROM un WHERE n_wait > 0 "
        f"GROUP BY {seg_cols}node, {bin_}"
    )
    period_e = period_sql(plan.period, "t", "ts")
    nxt = "coalesce(next_node, '(exit)')"
    rows.append(
        f"SELECT 't' AS kind, {_keys(segs, 'node', period_e, nxt)}, {_zeros(n='count(*)')} FROM ev "
        f"GROUP BY {seg_cols}node, {period_e}, {nxt}"
    )
    if plan.episodes:
        rows.append(
            f"SELECT 'r' AS kind, {_keys(segs, 'node')}, {_zeros(n='count(*)')} FROM (SELECT DISTINCT jid, node{seg_group} "
            f"FROM ev WHERE run_start = 1 AND {scope} GROUP BY jid, node{seg_group}, episode HAVING count(*) > 1) AS r "
            f"GROUP BY {seg_cols}node"
        )
        rework_total = (
            f"(SELECT {seg_cols}count(DISTINCT jid) AS n FROM (SELECT jid{seg_group} FROM ev WHERE run_start = 1 "
            f"AND {scope} GROUP BY jid, node{seg_group}, episode HAVING count(*) > 1) AS rj"
            f"{(' GROUP BY ' + seg_cols.rstrip(', ')) if segs else ''})"
        )
    else:
        rework_total = (
            f"(SELECT {seg_cols}count(DISTINCT jid) AS n FROM un WHERE run_starts > 1 AND {scope}"
            f"{(' GROUP BY ' + seg_cols.rstrip(', ')) if segs else ''})"
        )
    rows.append(
        f"SELECT 'p' AS kind, {_keys(segs, 'node')}, {_zeros(n='count(*)')} FROM ("
        f"SELECT jid, node{seg_group} FROM ev WHERE pp_mid = 1 UNION "
        f"SELECT jid, run_prev AS node{seg_group} FROM ev WHERE pp_mid = 1) AS p WHERE {scope} GROUP BY {seg_cols}node"
    )
    rows.append(
        f"SELECT 'P' AS kind, {_keys(segs, 'NULL')}, {_zeros(n='count(DISTINCT jid)')} FROM ev WHERE pp_mid = 1 "
        f"AND ({scope} OR {scope.replace('node IN', 'run_prev IN')})"
        + (f" GROUP BY {seg_cols.rstrip(', ')}" if segs else "")
    )
    rows.append(f"SELECT 'R' AS kind, {_keys(segs, 'NULL')}, {_zeros(n='n')} FROM {rework_total} AS rt")
    if plan.reopen:
        seg_w = "".join(f"_s{i} AS {quote(s)}, " for i, s in enumerate(segs))
        seg_wg = ", ".join(f"_s{i}" for i in range(len(segs)))
        rows.append(
            f"SELECT 'x' AS kind, {seg_w}prev_out AS node, NULL AS per, NULL AS nxt, NULL AS bin, "
            f"{_zeros(n='count(DISTINCT jid)')} FROM w2 WHERE {reopen_evt} AND prev_out IS NOT NULL "
            f"GROUP BY {seg_wg + ', ' if segs else ''}prev_out"
        )
        rows.append(
            f"SELECT 'X' AS kind, {seg_w}NULL AS node, NULL AS per, NULL AS nxt, NULL AS bin, "
            f"{_zeros(n='count(DISTINCT jid)')} FROM w2 WHERE {reopen_evt}" + (f" GROUP BY {seg_wg}" if segs else "")
        )
    if plan.stages:
        rows.append(
            f"SELECT 's' AS kind, {_keys(segs, 'stage')}, {_zeros(n_units='count(*)', n_success='sum(jsucc)')} FROM ("
            f"SELECT u.jid{''.join(f', u.{quote(s)}' for s in segs)}, {d.cast_text('c.stage')} AS stage, max(u.jsucc) AS jsucc "
            f"FROM un AS u JOIN touchpoints AS c ON c.touchpoint = u.node "
            f"GROUP BY u.jid{''.join(f', u.{quote(s)}' for s in segs)}, {d.cast_text('c.stage')}) AS s "
            f"GROUP BY {seg_cols}stage"
        )
    # the totals of the log: every journey counts, also one without an event at this level
    totals = {
        "n_units": "sum(CASE WHEN step = 1 THEN 1 ELSE 0 END)",
        "n_success": "sum(CASE WHEN step = 1 AND conv_total > 0 THEN 1 ELSE 0 END)",
        "value": "sum(val)" if plan.value else "0",
        "n_dup": "sum(_dup)",
        "n_events": "count(*)",
    }
    if sessions:
        later = "(next_conv_t IS NOT NULL AND (next_sess_t IS NULL OR next_conv_t < next_sess_t))"
        totals["n_ounits"] = "sum(sess_start)"
        totals["n_osucc"] = (
            f"sum(CASE WHEN sess_start = 1 AND (conv_before + c - sess_base > 0 OR {later}) THEN 1 ELSE 0 END)"
        )
    else:
        totals["n_ounits"] = totals["n_units"]
        totals["n_osucc"] = totals["n_success"]
    seg_t = "".join(f"_s{i} AS {quote(s)}, " for i, s in enumerate(segs))
    seg_tg = ", ".join(f"_s{i}" for i in range(len(segs)))
    rows.append(
        f"SELECT 'T' AS kind, {seg_t}NULL AS node, NULL AS per, NULL AS nxt, NULL AS bin, {_zeros(**totals)} FROM w2"
        + (f" GROUP BY {seg_tg}" if segs else "")
    )
    body = "\nUNION ALL\n".join(rows) if select is None else select
    return "WITH " + ",\n".join(ctes) + "\n" + body


def final_sql(plan: PainPlan) -> str:
    """Sum the rows of the parts (``pain_parts``) by their keys."""
    seg_cols = "".join(f"{quote(s)}, " for s in plan.segments)
    sums = ", ".join(f"sum({c}) AS {c}" for c in COUNTS)
    return (
        f"SELECT kind, {seg_cols}node, per, nxt, bin, {sums} FROM pain_parts "
        f"GROUP BY kind, {seg_cols}node, per, nxt, bin"
    )
