"""The SQL of the pain-point components, written once for DuckDB and Spark.

Every component is a count that adds up over customers, so the analysis runs as one query
(or, under a memory limit, in parts of customers whose rows are summed).  The journeys are
sorted once in full (a window over ``PARTITION BY journey ORDER BY timestamp, sequence``), which
reads the neighbours of each event (previous and next node, next time, next session) and the
running and total outcome counts; two more sorts cover few events: the first and last events of
runs longer than one event (runs of equal nodes merged, for ping-pong and the next steps), and
the service contacts with the events right before them (their triggers).  Where the plan has
``codes`` (the log's touchpoints known without a pass over the events), the nodes travel through
the query as integers and the result rows get their names back at the end.  Then

* ``w2`` — one row per event with its flags (session end, wait within the session, run start and
  the node before the run, outcome after it);
* ``un``  — one row per journey and node: the journey's outcome, its drop-off there, its returns
  to the node (rework), ping-pong, lateness and its stay there;

and the result rows, each tagged with a ``kind``:

``u``   per (segment, node, period of the journey's first visit): journeys, outcomes, rework,
        lateness, stays, drop-offs (a session ends at the node and the journey never reaches the
        outcome), journey ends, journeys going on from the node and those reaching an outcome after it;
``c``   per (segment, node): journeys in which the node triggers repeated service contacts;
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

import numpy as np
import pandas as pd

from cjm_lab.journeys._dialect import Dialect, literal, quote
from cjm_lab.journeys.sql import JourneySpec, journey_ctes

__all__ = ["PainPlan", "part_sql", "final_sql", "node_codes", "COUNTS", "NODES", "period_sql", "stay_bin_sql"]

#: Stages up to which a journey's stages are the bits of one BIGINT (2**0 … 2**61).
MAX_STAGE_BITS = 62

#: The table of node codes the query reads (:func:`node_codes`), for a plan with ``codes``.
NODES = "pain_nodes"

#: The numeric columns of the result rows (every kind fills some, the others are 0).
COUNTS = (
    "n_units",
    "n_success",
    "n_rework",
    "n_late",
    "n_prom",
    "n_stay",
    "sum_stay",
    "n_ounits",
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
    #: the catalogue has at most :data:`MAX_STAGE_BITS` stages (a missing stage one of them): the stages
    #: a journey reaches travel as bits of one number per journey, not as one row per journey and stage
    stage_bits: bool = False
    segments: tuple[str, ...] = field(default_factory=tuple)
    #: every touchpoint of the log, where it is known without a pass over the events (touchpoint level):
    #: the query then carries touchpoint ``i`` as the integer ``i + 1`` (table :data:`NODES`) and names
    #: its result rows at the end; empty: names throughout
    codes: tuple[str, ...] = ()

    @property
    def episodes(self) -> bool:
        """Rework restarts after each conversion (a second invoice for a second order is no rework)."""
        return self.kind == "conversion"

    @property
    def reopen(self) -> bool:
        return self.kind in ("resolution", "approval")


def node_codes(plan: PainPlan) -> pd.DataFrame | None:
    """The table :data:`NODES` of a plan with ``codes``: ``name`` and its integer ``code`` (from 1)."""
    if not plan.codes:
        return None
    return pd.DataFrame(
        {"name": pd.Series(plan.codes, dtype=object), "code": np.arange(1, len(plan.codes) + 1, dtype=np.int32)}
    )


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

    ``select`` replaces the result rows by another query over the same relations (``w2``: one row per
    event with its flags; ``un``: per journey and node), for the evidence of one node.
    """
    spec = plan.spec
    segs = list(plan.segments)
    seg_cols = "".join(f"{quote(s)}, " for s in segs)
    seg_group = "".join(f", {quote(s)}" for s in segs)
    seg_by = f" GROUP BY {seg_cols.rstrip(', ')}" if segs else ""
    win = "PARTITION BY journey_id ORDER BY ts, seq"
    frame_upto = "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
    upto = f"({win} {frame_upto})"
    before = f"({win} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
    whole = f"({win} ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
    conv = "CASE WHEN is_conv THEN 1 ELSE 0 END"
    # the evidence of one node (``select``) reads the nodes by name
    coded = bool(plan.codes) and select is None
    node = "_node" if coded else plan.node
    code_of = {name: i + 1 for i, name in enumerate(plan.codes)}

    def among(col: str, names: Sequence[str]) -> str:
        """SQL: ``col`` is one of the nodes ``names``."""
        if coded:
            found = sorted({code_of[n] for n in names if n in code_of})
            return f"{col} IN ({', '.join(map(str, found))})" if found else "FALSE"
        return f"{col} IN ({', '.join(literal(n) for n in names)})" if names else "FALSE"

    has_node = f"{node} IS NOT NULL" if plan.nullable else "TRUE"

    def lag(expr: str) -> str:
        return (d.ignore_nulls("lag", expr) if plan.nullable else f"lag({expr})") + f" OVER ({win})"

    def lead(expr: str) -> str:
        return (d.ignore_nulls("lead", expr) if plan.nullable else f"lead({expr})") + f" OVER ({win})"

    sessions = plan.session is not None
    svc = ", ".join(literal(s) for s in plan.service)
    # the first sort: each event's neighbours (at this level) and the journey's outcome counts
    w1 = [
        "journey_id AS jid",
        "t",
        "ts",
        "seq",
        f"{node} AS node",
        f"{conv} AS c",
        f"row_number() OVER ({win}) AS step",
        f"{lag(node)} AS prev_node",
        f"{lead(node)} AS next_node",
        f"{lead(f'CASE WHEN {has_node} THEN t END' if plan.nullable else 't')} AS next_t",
        f"coalesce(sum({conv}) OVER {before}, 0) AS conv_before",
        f"sum({conv}) OVER {whole} AS conv_total",
        "_dup",
        *[f"first_value({quote(s)}) OVER {upto} AS _s{i}" for i, s in enumerate(segs)],
    ]
    if sessions:
        sess = f"CASE WHEN {has_node} THEN {plan.session} END" if plan.nullable else str(plan.session)
        w1 += [
            f"{plan.session} AS sess",
            f"{lead(sess)} AS next_sess",
            f"lag({plan.session}) OVER ({win}) AS prev_sess",
        ]
    if plan.reopen:
        # a reopen: an outcome event right after a non-outcome event, with an outcome before (work
        # resumed after a resolution and led to another one); it counts for the earlier outcome's node
        w1.append(f"lag({conv}) OVER ({win}) AS prev_c")
        w1.append(f"{d.ignore_nulls('last_value', f'CASE WHEN is_conv THEN {node} END')} OVER {before} AS prev_out")
    # the trigger of each service contact (the last non-service event before it): without NULL nodes it
    # is found in a second sort over the service contacts and the events right before them only (few),
    # with NULL nodes (other levels) in the first sort
    few_contacts = bool(plan.service) and not plan.nullable
    if plan.service:
        w1.append(f"CASE WHEN touchpoint IN ({svc}) THEN 1 ELSE 0 END AS is_service")
    if plan.service and not few_contacts:
        w1 += [
            f"sum(CASE WHEN touchpoint IN ({svc}) THEN 0 ELSE 1 END) OVER {upto} AS n_other",
            f"max(CASE WHEN touchpoint IN ({svc}) THEN NULL ELSE t END) OVER {upto} AS t_other",
            # the trigger of a service contact: the node of the last non-service event before it
            f"{d.ignore_nulls('last_value', f'CASE WHEN touchpoint IN ({svc}) THEN NULL ELSE {node} END')} "
            f"OVER {upto} AS trig_node",
        ]
    if plan.promised:
        p = quote(plan.promised)
        w1 += [
            f"CASE WHEN {p} IS NOT NULL AND ts > {p} THEN 1 ELSE 0 END AS late",
            f"CASE WHEN {p} IS NOT NULL THEN 1 ELSE 0 END AS prom",
        ]
    if plan.value:
        w1.append(f"CAST({quote(plan.value)} AS DOUBLE) AS val")

    # each event's flags, computed once for every consumer
    run_start = "CASE WHEN node IS NOT NULL AND prev_node IS DISTINCT FROM node THEN 1 ELSE 0 END"
    run_end = "CASE WHEN node IS NOT NULL AND next_node IS DISTINCT FROM node THEN 1 ELSE 0 END"
    end = (
        "CASE WHEN next_sess IS NOT DISTINCT FROM sess THEN 0 ELSE 1 END"
        if sessions
        else "CASE WHEN next_t IS NULL THEN 1 ELSE 0 END"
    )
    same = "next_sess IS NOT DISTINCT FROM sess AND next_t IS NOT NULL" if sessions else "next_t IS NOT NULL"
    w2 = [
        "jid",
        "t",
        *(["ts"] if plan.period in ("M", "Q") else []),
        "seq",
        "node",
        "c",
        "step",
        "next_node",
        "conv_before",
        "conv_total",
        "_dup",
        *[f"_s{i}" for i in range(len(segs))],
        *[f"_s{i} AS {quote(s)}" for i, s in enumerate(segs)],
        "prev_node",
        f"{run_start} AS run_start",
        f"{run_end} AS run_end",
        "CASE WHEN conv_total > 0 THEN 1 ELSE 0 END AS jsucc",
        # the last event of a session (of the journey without sessions): where a visitor left
        f"{end} AS sess_end",
        "CASE WHEN next_t IS NULL THEN 1 ELSE 0 END AS jend",
        "CASE WHEN conv_total - conv_before - c > 0 THEN 1 ELSE 0 END AS succ_after",
        # within the session; after a resolution or approval the customer no longer waits
        f"CASE WHEN {same}{' AND c = 0' if plan.reopen else ''} THEN next_t - t END AS wait",
    ]
    if sessions:
        w2.append("sess")
    if plan.reopen:
        w2 += ["CASE WHEN c = 1 AND conv_before > 0 AND prev_c = 0 THEN 1 ELSE 0 END AS reopen_evt", "prev_out"]
    if few_contacts:
        w2.append("is_service")
    elif plan.service:
        w2 += ["is_service", "n_other", "t - t_other AS since_trigger", "trig_node"]
    w2 += ["late", "prom"] if plan.promised else ["0 AS late", "0 AS prom"]
    if plan.value:
        w2.append("val")
    # ping-pong on the sequence of runs (equal nodes in a row merged; nodes that are NULL at this level
    # skipped): the node before a run is the one before its first event (prev_node), the node after it
    # the one after its last event (next_node).  A run of one event has both; for the longer runs a
    # second sort, over their first and last events only (few: immediate repeats), brings the last
    # event's next node to the first.  A run whose neighbours are the same node bounces.
    seg_r = "".join(f", _s{i}" for i in range(len(segs)))
    run_cols = f"jid, t{', ts' if plan.period in ('M', 'Q') else ''}, node{seg_r}"
    win2 = "PARTITION BY jid ORDER BY t, seq"
    # with codes, the window compares and carries integers, not names
    events = (
        f"(SELECT j.*, k.code AS _node FROM j LEFT JOIN {NODES} AS k ON k.name = j.touchpoint) AS j" if coded else "j"
    )
    seg_pp = "".join(f", _s{i} AS {quote(s)}" for i, s in enumerate(segs))
    ctes = [
        journey_ctes(spec, d, numbered=False, bucket=bucket, duplicates=True),
        # one relation per event: the window and the flags in one common table expression, so that an
        # engine materializing it for its several consumers keeps the narrow flags, not the neighbours
        f"w2 AS (SELECT {', '.join(w2)} FROM (SELECT {', '.join(w1)} FROM {events}) AS w1)",
        f"mr AS (SELECT {run_cols}, prev_node, run_start, lead(next_node) OVER ({win2}) AS run_next FROM w2 "
        "WHERE run_start + run_end = 1)",
        f"runs AS (SELECT {run_cols}, prev_node AS run_prev, next_node AS run_next FROM w2 "
        f"WHERE run_start = 1 AND run_end = 1 UNION ALL SELECT {run_cols}, prev_node AS run_prev, run_next FROM mr "
        "WHERE run_start = 1)",
        # the bounces straight from the events and the longer runs, not from ``runs``: read once (by the
        # next steps), ``runs`` is not materialized
        f"pp AS (SELECT jid, node, prev_node AS run_prev{seg_pp} FROM w2 "
        "WHERE run_start = 1 AND run_end = 1 AND prev_node = next_node "
        f"UNION ALL SELECT jid, node, prev_node AS run_prev{seg_pp} FROM mr "
        "WHERE run_start = 1 AND prev_node = run_next)",
    ]
    # the per-journey facts travel as bits of one number, OR-ed per journey and node (one aggregate state
    # instead of one per fact): 1 the journey reaches the outcome, 2 a drop-off (a session ends here and
    # the journey never reaches the outcome), 4 the journey ends here, 8 it goes on from here within the
    # session, 16 ... and reaches the outcome after, 32 late, 64 has a promise
    bits = (
        "CASE WHEN conv_total > 0 THEN 1 ELSE 0 END"
        " + CASE WHEN sess_end = 1 AND conv_total = 0 THEN 2 ELSE 0 END"
        " + 4 * jend"
        " + CASE WHEN sess_end = 0 THEN 8 ELSE 0 END"
        " + CASE WHEN sess_end = 0 AND succ_after = 1 THEN 16 ELSE 0 END"
        " + 32 * late + 64 * prom"
    )
    per_units = [
        "min(t) AS first_t",
        *(["min(ts) AS first_ts"] if plan.period in ("M", "Q") else []),
        f"{d.bit_or(bits)} AS b",
        "sum(wait) AS stay",
        "count(wait) AS n_wait",
        "sum(run_start) AS run_starts",
    ]
    flags = {"jsucc": 1, "drop_": 2, "jend": 4, "cont": 8, "cont_succ": 16, "late": 32, "prom": 64}
    unpack = ", ".join(f"CASE WHEN (b & {v}) > 0 THEN 1 ELSE 0 END AS {k}" for k, v in flags.items())
    ctes.append(
        f"un AS (SELECT *, {unpack} FROM (SELECT jid, node{seg_group}, {', '.join(per_units)} FROM w2 "
        f"WHERE node IS NOT NULL GROUP BY jid, node{seg_group}) AS u0)"
    )

    def in_scope(col: str) -> str:
        return "TRUE" if plan.scope is None else among(col, plan.scope)

    scope = in_scope("node")
    rework = "0" if plan.episodes else f"sum(CASE WHEN run_starts > 1 AND {scope} THEN 1 ELSE 0 END)"
    counts = {
        "n_units": "count(*)",
        "n_success": "sum(jsucc)",
        "n_rework": rework,
        "n_late": "sum(late)",
        "n_prom": "sum(prom)",
        "n_stay": "sum(CASE WHEN n_wait > 0 THEN 1 ELSE 0 END)",
        "sum_stay": "sum(stay)",
        "n_exit": "sum(jend)",
        "n_exit_succ": "sum(jend * jsucc)",
        "n_drop": "sum(drop_)",
        "n_cont": "sum(cont)",
        "n_cont_succ": "sum(cont_succ)",
    }
    period_u = period_sql(plan.period, "first_t", "first_ts")
    rows = [
        f"SELECT 'u' AS kind, {_keys(segs, 'node', period_u)}, {_zeros(**counts)} FROM un "
        f"GROUP BY {seg_cols}node, {period_u}"
    ]
    bin_ = stay_bin_sql("stay")
    rows.append(
        f"SELECT 'h' AS kind, {_keys(segs, 'node', bin_=bin_)}, {_zeros(n='count(*)')} FROM un WHERE n_wait > 0 "
        f"GROUP BY {seg_cols}node, {bin_}"
    )
    # the next steps (another node, or the end of the journey) per period, from the runs
    period_e = period_sql(plan.period, "t", "ts")
    nxt = "run_next"  # NULL: the journey ends (a flag, so a node named "(exit)" stays a node)
    seg_rk = "".join(f"_s{i} AS {quote(s)}, " for i, s in enumerate(segs))
    seg_rg = "".join(f"_s{i}, " for i in range(len(segs)))
    rows.append(
        f"SELECT 't' AS kind, {seg_rk}node, {period_e} AS per, {nxt} AS nxt, NULL AS bin, {_zeros(n='count(*)')} "
        f"FROM runs GROUP BY {seg_rg}node, {period_e}, {nxt}"
    )
    if plan.episodes:
        # rework within one purchase episode (the conversions before an event number its episode)
        ctes.append(
            f"rj AS (SELECT DISTINCT jid, node{seg_group} FROM (SELECT jid, node{seg_group} FROM w2 "
            f"WHERE run_start = 1 GROUP BY jid, node{seg_group}, conv_before HAVING count(*) > 1) AS r WHERE {scope})"
        )
        rows.append(
            f"SELECT 'r' AS kind, {_keys(segs, 'node')}, {_zeros(n='count(*)')} FROM rj GROUP BY {seg_cols}node"
        )
        rework_total = f"SELECT {seg_cols}count(DISTINCT jid) AS n FROM rj{seg_by}"
    else:
        rework_total = f"SELECT {seg_cols}count(DISTINCT jid) AS n FROM un WHERE run_starts > 1 AND {scope}{seg_by}"
    rows.append(f"SELECT 'R' AS kind, {_keys(segs, 'NULL')}, {_zeros(n='n')} FROM ({rework_total}) AS rt")
    # ping-pong: journeys in which the node is either end of a bounce (the run before and after the
    # middle run are the same node)
    rows.append(
        f"SELECT 'p' AS kind, {_keys(segs, 'node')}, {_zeros(n='count(*)')} FROM ("
        f"SELECT jid, node{seg_group} FROM pp UNION SELECT jid, run_prev AS node{seg_group} FROM pp) AS p "
        f"WHERE {scope} GROUP BY {seg_cols}node"
    )
    rows.append(
        f"SELECT 'm' AS kind, {_keys(segs, 'node')}, {_zeros(n='count(DISTINCT jid)')} FROM pp GROUP BY {seg_cols}node"
    )
    rows.append(
        f"SELECT 'P' AS kind, {_keys(segs, 'NULL')}, {_zeros(n='count(DISTINCT jid)')} FROM pp "
        f"WHERE {scope} OR {in_scope('run_prev')}{seg_by}"
    )
    if plan.reopen:
        rows.append(
            f"SELECT 'x' AS kind, {_keys(segs, 'prev_out')}, {_zeros(n='count(DISTINCT jid)')} FROM w2 "
            f"WHERE reopen_evt = 1 AND prev_out IS NOT NULL GROUP BY {seg_cols}prev_out"
        )
        rows.append(
            f"SELECT 'X' AS kind, {_keys(segs, 'NULL')}, {_zeros(n='count(DISTINCT jid)')} FROM w2 "
            f"WHERE reopen_evt = 1{seg_by}"
        )
    if plan.service:
        # a service contact is a symptom: it counts for the last non-service event before it (its
        # trigger), when at least min_contacts of them follow within the contact window
        seg_k = "".join(f", {quote(s)}" for s in segs)
        contact_src = "w2"
        if few_contacts:
            # the service contacts and the events right before them (every trigger is one of these); the
            # non-service events among them number the triggers of the journey (n_other)
            other = "CASE WHEN is_service = 1 THEN NULL ELSE"
            ctes.append(
                f"sv AS (SELECT jid, t, seq, node, is_service{seg_k} FROM w2 "
                f"WHERE is_service = 1 OR {among('next_node', plan.service)})"
            )
            ctes.append(
                f"sv2 AS (SELECT jid, is_service{seg_k}, sum(1 - is_service) OVER ({win2} {frame_upto}) AS n_other, "
                f"t - max({other} t END) OVER ({win2} {frame_upto}) AS since_trigger, "
                f"{d.ignore_nulls('last_value', f'{other} node END')} OVER ({win2} {frame_upto}) AS trig_node "
                "FROM sv)"
            )
            contact_src = "sv2"
        ctes.append(
            f"contacts AS (SELECT jid, n_other, trig_node{seg_k} FROM {contact_src} "
            f"WHERE is_service = 1 AND n_other > 0 AND trig_node IS NOT NULL "
            f"AND since_trigger <= {plan.contact_window_s!r} GROUP BY jid, n_other, trig_node{seg_k} "
            f"HAVING count(*) >= {int(plan.min_contacts)})"
        )
        rows.append(
            f"SELECT 'c' AS kind, {_keys(segs, 'trig_node')}, {_zeros(n='count(DISTINCT jid)')} FROM contacts "
            f"GROUP BY {seg_cols}trig_node"
        )
    named = []  # rows whose node is a name already (stages)
    if plan.stages and plan.stage_bits:
        # each stage a bit (dense rank of the catalogue's stages, a missing stage one of them); per journey
        # the OR of its nodes' bits (one row per journey, not per journey and stage), then per stage the
        # journeys whose number has its bit
        stage = d.cast_text("stage")
        ctes.append(
            f"stg AS (SELECT touchpoint, {stage} AS stage, "
            f"CAST(power(2, dense_rank() OVER (ORDER BY {stage}) - 1) AS BIGINT) AS sbit FROM touchpoints)"
        )
        ctes.append(
            f"js AS (SELECT u.jid{''.join(f', u.{quote(s)}' for s in segs)}, {d.bit_or('g.sbit')} AS m, "
            "max(u.jsucc) AS jsucc "
            f"FROM un AS u {f'JOIN {NODES} AS k ON k.code = u.node ' if coded else ''}"
            f"JOIN stg AS g ON g.touchpoint = {'k.name' if coded else 'u.node'} "
            f"GROUP BY u.jid{''.join(f', u.{quote(s)}' for s in segs)})"
        )
        named.append(
            f"SELECT 's' AS kind, {''.join(f'js.{quote(s)}, ' for s in segs)}l.stage AS node, NULL AS per, "
            f"NULL AS nxt, NULL AS bin, {_zeros(n_units='count(*)', n_success='sum(js.jsucc)')} "
            "FROM js JOIN (SELECT DISTINCT stage, sbit FROM stg) AS l ON (js.m & l.sbit) <> 0 "
            f"GROUP BY {''.join(f'js.{quote(s)}, ' for s in segs)}l.stage"
        )
    elif plan.stages:
        named.append(
            f"SELECT 's' AS kind, {_keys(segs, 'stage')}, {_zeros(n_units='count(*)', n_success='sum(jsucc)')} FROM ("
            f"SELECT u.jid{''.join(f', u.{quote(s)}' for s in segs)}, {d.cast_text('c.stage')} AS stage, "
            "max(u.jsucc) AS jsucc "
            f"FROM un AS u {f'JOIN {NODES} AS k ON k.code = u.node ' if coded else ''}"
            f"JOIN touchpoints AS c ON c.touchpoint = {'k.name' if coded else 'u.node'} "
            f"GROUP BY u.jid{''.join(f', u.{quote(s)}' for s in segs)}, {d.cast_text('c.stage')}) AS s "
            f"GROUP BY {seg_cols}stage"
        )
    # the totals of the log: every journey counts, also one without an event at this level
    totals = {
        "n_units": "sum(CASE WHEN step = 1 THEN 1 ELSE 0 END)",
        "n_success": "sum(CASE WHEN step = 1 AND conv_total > 0 THEN 1 ELSE 0 END)",
        "n_drop": "sum(CASE WHEN node IS NOT NULL AND sess_end = 1 AND jsucc = 0 THEN 1 ELSE 0 END)",
        "value": "sum(val)" if plan.value else "0",
        "n_dup": "sum(_dup)",
        "n_events": "count(*)",
    }
    if sessions:
        totals["n_ounits"] = "sum(CASE WHEN node IS NOT NULL THEN sess_end ELSE 0 END)"  # one end per session
    # one pass over the events (not from un: fewer aggregate states per journey and node, measured faster)
    seg_t = "".join(f"_s{i} AS {quote(s)}, " for i, s in enumerate(segs))
    seg_tg = ", ".join(f"_s{i}" for i in range(len(segs)))
    rows.append(
        f"SELECT 'T' AS kind, {seg_t}NULL AS node, NULL AS per, NULL AS nxt, NULL AS bin, {_zeros(**totals)} "
        "FROM w2" + (f" GROUP BY {seg_tg}" if segs else "")
    )
    if select is not None:
        body = select
    elif coded:
        # the names of the nodes back, on the few result rows
        seg_r2 = "".join(f"r.{quote(s)}, " for s in segs)
        body = "\nUNION ALL\n".join(
            [
                f"SELECT r.kind, {seg_r2}k1.name AS node, r.per, k2.name AS nxt, r.bin, "
                f"{', '.join(f'r.{c}' for c in COUNTS)} FROM ("
                + "\nUNION ALL\n".join(rows)
                + f") AS r LEFT JOIN {NODES} AS k1 ON k1.code = r.node LEFT JOIN {NODES} AS k2 ON k2.code = r.nxt",
                *named,
            ]
        )
    else:
        body = "\nUNION ALL\n".join(rows + named)
    return "WITH " + ",\n".join(ctes) + "\n" + body


def final_sql(plan: PainPlan) -> str:
    """Sum the rows of the parts (``pain_parts``) by their keys."""
    seg_cols = "".join(f"{quote(s)}, " for s in plan.segments)
    sums = ", ".join(f"sum({c}) AS {c}" for c in COUNTS)
    return (
        f"SELECT kind, {seg_cols}node, per, nxt, bin, {sums} FROM pain_parts "
        f"GROUP BY kind, {seg_cols}node, per, nxt, bin"
    )
