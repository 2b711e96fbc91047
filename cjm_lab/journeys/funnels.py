"""Funnels: ordered, strict and any-order steps, conversion windows, optional and exclusion steps."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cjm_lab._params import CONFIDENCE, WHOLE_NUMBER, StrOptions
from cjm_lab._stats import wilson_interval
from cjm_lab.errors import CJMConfigError
from cjm_lab.journeys import _parts
from cjm_lab.journeys._dialect import literal, quote
from cjm_lab.journeys._options import Engine
from cjm_lab.journeys.build import engine_of, journey_analysis, journey_options, prepare
from cjm_lab.journeys.sql import counted_quantiles, duration_seconds, journey_ctes
from cjm_lab.journeys.transitions import EXIT, UNKNOWN
from cjm_lab.untrusted import escape_label

__all__ = ["funnel", "funnel_dropoffs", "wilson_interval"]

_MODES = ("ordered", "strict", "any")
#: How the steps of a funnel follow each other.
MODE = StrOptions(
    {
        "ordered": "each step after the previous one, other events in between allowed",
        "strict": "each step the very next event",
        "any": "the steps in any order",
    }
)
#: What a funnel's steps name.
FUNNEL_LEVEL = StrOptions({"touchpoint": "touchpoints", "stage": "the catalogue's stages"})


def _steps(steps: Any) -> tuple[list[list[str]], list[str]]:
    if isinstance(steps, (str, bytes)) or not isinstance(steps, Sequence) or len(steps) < 2:
        raise CJMConfigError("`steps` must list at least two steps, e.g. ['Website', 'Cart', 'Checkout payment'].")
    members, labels = [], []
    for step in steps:
        names = [step] if isinstance(step, str) else list(step)
        if not names or not all(isinstance(n, str) and n for n in names):
            raise CJMConfigError(f"Each step is a touchpoint (or a list of alternatives), got {step!r}.")
        members.append(names)
        labels.append(" / ".join(names))
    return members, labels


class _Plan:
    """The validated funnel definition shared by :func:`funnel` and :func:`funnel_dropoffs`."""

    def __init__(self, steps, mode, window, step_windows, optional, exclude, level, spec):
        self.members, self.labels = _steps(steps)
        self.k = len(self.members)
        self.mode = mode
        self.window = duration_seconds(window, "window")
        if step_windows is None:
            step_windows = [None] * self.k
        if len(step_windows) != self.k:
            raise CJMConfigError(f"`step_windows` needs one entry per step ({self.k}); the first is ignored.")
        self.step_windows = [duration_seconds(w, "step_windows") for w in step_windows]
        opt = set()
        for o in optional or ():
            idx = self.labels.index(o) if o in self.labels else o
            if not isinstance(idx, int) or not 0 < idx < self.k - 1:
                raise CJMConfigError(f"Optional step {o!r} must be a middle step (by label or index 1..{self.k - 2}).")
            opt.add(idx)
        if opt and mode != "ordered":
            raise CJMConfigError("Optional steps are supported in the 'ordered' mode.")
        self.optional = opt
        self.exclude = [str(e) for e in (exclude or ())]
        if level == "stage" and "stage" not in spec.catalogue:
            raise CJMConfigError("`level='stage'` needs the catalogue: pass touchpoints=.")
        self.node = "touchpoint" if level == "touchpoint" else spec.dialect.cast_text("stage")
        #: whether the events still hold exact repeats that the ordered steps must skip
        self.originals = False

    def match(self, k: int, col: str = "node") -> str:
        return f"{col} IN (" + ", ".join(literal(m) for m in self.members[k]) + ")"

    def prev_required(self, k: int) -> int | None:
        """The required step before step k (its base), None for the first step."""
        return max([r for r in self.required() if r < k], default=None)

    def required(self) -> list[int]:
        return [k for k in range(self.k) if k not in self.optional]


def _frontier_sql(plan: _Plan, spec: Any, dropoffs: bool = False, bucket: tuple[int, int] | None = None) -> str:
    """CTEs ending in ``f``: a row per journey that started the funnel, with p{k}/us{k} per step.

    ``p{k}`` is the order key (:meth:`~cjm_lab.journeys.engine.Dialect.order_key`) of the event
    that reached step k and ``us{k}`` its time in microseconds since 1970 (times and windows are
    compared and subtracted exactly, in microseconds); both NULL where the journey did not reach it.
    With ``dropoffs`` every event stays and ``n`` carries ``next_node``, the node of the journey's next event,
    and ``next_t`` (its time, NULL at the journey's end).
    """
    d = spec.dialect
    segs = list(spec.segments)
    # ordered and any-order funnels only compare the order of the steps' own events: the others
    # are dropped before anything else (exclusions are kept for their check)
    keep = None
    if plan.mode != "strict" and not dropoffs:
        keep = " OR ".join(f"({plan.match(k, plan.node)})" for k in range(plan.k))
        if plan.exclude:
            keep += " OR touchpoint IN (" + ", ".join(literal(x) for x in plan.exclude) + ")"
    following = {"next_node": plan.node} if dropoffs else None
    numbered = plan.mode == "strict"  # the others never sort: they compare order keys
    carried = "".join(f", {quote(s)}" for s in segs)
    nxt = ", next_node, next_t" if dropoffs else ""
    ctes = [
        journey_ctes(spec, d, keep=keep, following=following, numbered=numbered, bucket=bucket),
        f"n AS (SELECT journey_id, {d.order_key('ts', 'seq')} AS o, {plan.node} AS node{carried}{nxt}"
        f"{', step' if numbered or dropoffs else ''} FROM j)",
    ]

    def micros(key: str, k: int | str) -> str:
        return f"{d.key_micros(key)} AS us{k}"

    def within(key: str, anchor: str, seconds: float | None) -> str:
        return f" AND {d.key_micros(key)} <= {d.key_micros(anchor)} + {round(seconds * 1e6)}" if seconds else ""

    def first_of(where: str) -> str:
        return "".join(f", {d.arg_min(quote(s), 'o')} FILTER (WHERE {where}) AS {quote(s)}" for s in segs)

    if plan.mode == "ordered":
        # Greedy matching in one pass over the events, without sorting them: per journey the
        # first event of step 0 and, for every later step, the list of its events' order keys;
        # step k is then the smallest key of its list after the previous required step (and
        # within the windows).  h{k} adds step k; f puts the steps and their times side by side.
        #
        # With ``plan.originals`` the events were not de-duplicated, and the lists are kept per
        # touchpoint: a repeat of an event (same time and touchpoint, a later sequence) must not
        # count.  The first key after the base P is then the step unless it has P's time and
        # an event of its list at that time lies at or before P (it is a repeat of that one, as
        # are all the others of that time after P): then the step is the first key of a later time.
        if plan.originals:
            lists = {k: [f"l{k}_{i}" for i in range(len(plan.members[k]))] for k in range(1, plan.k)}
            collected = "".join(
                f", {d.collect('o', f'node = {literal(m)}')} AS l{k}_{i}"
                for k in range(1, plan.k)
                for i, m in enumerate(plan.members[k])
            )
        else:
            lists = {k: [f"l{k}"] for k in range(1, plan.k)}
            collected = "".join(f", {d.collect('o', plan.match(k))} AS l{k}" for k in range(1, plan.k))
        ctes.append(
            f"g AS (SELECT journey_id, min(o) FILTER (WHERE {plan.match(0)}) AS p0"
            f"{first_of(plan.match(0))}{collected} FROM n GROUP BY journey_id)"
        )
        ctes.append("h0 AS (SELECT * FROM g WHERE p0 IS NOT NULL)")
        last_req = 0
        for k in range(1, plan.k):
            base = f"p{last_req}"
            wins = f"{within('x', 'p0', plan.window)}{within('x', base, plan.step_windows[k])}"
            found = []
            for name in lists[k]:
                first = d.least_where(name, "x", f"x > {base}{wins}")
                if plan.originals:
                    us_x, us_base = d.key_micros("x"), d.key_micros(base)
                    repeat = d.least_where(name, "x", f"{us_x} = {us_base} AND x <= {base}")
                    later = d.least_where(name, "x", f"{us_x} > {us_base}{wins}")
                    first = (
                        f"CASE WHEN {d.key_micros(first)} > {us_base} OR {repeat} IS NULL THEN {first} ELSE {later} END"
                    )
                found.append(first)
            step = found[0] if len(found) == 1 else f"least({', '.join(found)})"
            ctes.append(f"h{k} AS (SELECT *, {step} AS p{k} FROM h{k - 1})")
            if k not in plan.optional:
                last_req = k
        cols = ", ".join(
            [
                "journey_id",
                *[quote(s) for s in segs],
                *[c for k in range(plan.k) for c in (f"p{k}", micros(f"p{k}", k))],
            ]
        )
        ctes.append(f"f AS (SELECT {cols} FROM h{plan.k - 1})")
    elif plan.mode == "any":
        # p_start: the first event of any step (the window's anchor); each step's first event,
        # within the window when there is one
        anym = " OR ".join(f"({plan.match(k)})" for k in range(plan.k))
        if plan.window:
            firsts = "".join(f", {d.collect('o', plan.match(k))} AS l{k}" for k in range(plan.k))
            steps = ", ".join(
                f"{d.least_where(f'l{k}', 'x', 'TRUE' + within('x', 'p_start', plan.window))} AS p{k}"
                for k in range(plan.k)
            )
        else:
            firsts = "".join(f", min(o) FILTER (WHERE {plan.match(k)}) AS p{k}" for k in range(plan.k))
            steps = ", ".join(f"p{k}" for k in range(plan.k))
        ctes.append(
            f"g AS (SELECT journey_id, min(o) FILTER (WHERE {anym}) AS p_start{first_of(anym)}"
            f"{firsts} FROM n GROUP BY journey_id)"
        )
        ctes.append(f"h AS (SELECT journey_id, p_start{carried}, {steps} FROM g WHERE p_start IS NOT NULL)")
        cols = ", ".join(
            [
                "journey_id",
                micros("p_start", "_start"),
                *[quote(s) for s in segs],
                *[c for k in range(plan.k) for c in (f"p{k}", micros(f"p{k}", k))],
            ]
        )
        ctes.append(f"f AS (SELECT {cols} FROM h)")
    else:  # strict: consecutive events
        leads = ", ".join(f"lead(node, {i}) OVER w AS node{i}, lead(o, {i}) OVER w AS pl{i}" for i in range(1, plan.k))
        ctes.append(f"l AS (SELECT *, {leads} FROM n WINDOW w AS (PARTITION BY journey_id ORDER BY step))")
        depth_terms, ok = [], [plan.match(0)]
        for i in range(1, plan.k):
            limit = within(f"pl{i}", "o", plan.window) + within(
                f"pl{i}", "o" if i == 1 else f"pl{i - 1}", plan.step_windows[i]
            )
            ok.append(f"({plan.match(i, f'node{i}')}{limit})")
            depth_terms.append("CASE WHEN " + " AND ".join(ok) + " THEN 1 ELSE 0 END")
        depth = "1 + " + " + ".join(depth_terms)
        struct = ", ".join(["o AS p0", *[f"pl{i} AS p{i}" for i in range(1, plan.k)]])
        ctes.append(
            f"dp AS (SELECT journey_id, step, {depth} AS depth, {struct}{carried} FROM l WHERE {plan.match(0)})"
        )
        best = ", ".join(
            f"{d.arg_max(f'CASE WHEN depth > {i} THEN p{i} END', 'depth * 1e12 - step')} AS p{i}" for i in range(plan.k)
        )
        seg_best = "".join(f", {d.arg_min(quote(s), 'step')} AS {quote(s)}" for s in segs)
        ctes.append(f"fs AS (SELECT journey_id, {best}{seg_best} FROM dp GROUP BY journey_id)")
        ctes.append(f"f AS (SELECT *, {', '.join(micros(f'p{i}', i) for i in range(plan.k))} FROM fs)")
    if plan.exclude:
        excl = "e.touchpoint IN (" + ", ".join(literal(x) for x in plan.exclude) + ")"
        # in microseconds, as the steps were found (seconds as doubles differ in the last bit)
        first = "f.us_start" if plan.mode == "any" else "f.us0"
        last = f"coalesce({', '.join([*(f'f.us{k}' for k in reversed(range(1, plan.k))), first])})"
        at = d.epoch_micros("e.ts")
        ctes.append(
            "x AS (SELECT DISTINCT f.journey_id FROM f JOIN j AS e ON e.journey_id = f.journey_id "
            f"AND {at} >= {first} AND {at} <= {last} AND {excl})"
        )
    return ",\n".join(ctes)


@journey_analysis({"mode": [MODE], "level": [FUNNEL_LEVEL], "confidence": [CONFIDENCE]})
def funnel(
    events: Any,
    *,
    steps: Sequence[str | Sequence[str]],
    mode: str = "ordered",
    window: str | float | None = None,
    step_windows: Sequence[str | float | None] | None = None,
    optional: Sequence[str | int] = (),
    exclude: Sequence[str] = (),
    level: str = "touchpoint",
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
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
    """Conversion and drop-off through a sequence of steps, with CIs, times and segment tests.

    Parameters
    ----------
    events : DataFrame or path
        See :func:`cjm_lab.journeys.build_journeys`.
    steps : list
        Touchpoints (or stages with ``level="stage"``) in funnel order; a step may be a list
        of alternatives (``["Service hotline", "Service chat"]``).
    mode : {"ordered", "strict", "any"}, default "ordered"
        ``ordered``: each step after the previous one, other events in between allowed;
        ``strict``: each step the very next event; ``any``: the steps in any order.
    window : duration, optional
        Conversion window from the first occurrence of the first step ("7D", "2h", or
        seconds); in ``any`` mode from the first occurrence of any step.
    step_windows : list of durations, optional
        Per-step limit from the previous (required) step; the first entry is ignored.
    optional : list, optional
        Middle steps (labels or indices) that count when they happen but do not block the
        later steps (``ordered`` mode).
    exclude : list of str, optional
        Touchpoints that disqualify a journey when they occur between its first funnel
        step and its last reached step; such journeys are left out and counted in
        ``n_excluded``.
    level : {"touchpoint", "stage"}
    by : str or list of str, optional
        Segment column(s); ``p_value`` tests per step whether the conversion from the
        previous required step differs between segments (chi-square).  A journey's segment is
        that of its first event of the first step; a missing value is a segment of its own.
    confidence : float, default 0.95
        Level of the Wilson intervals.
    {journey_options}

    Returns
    -------
    DataFrame
        Segment columns, ``step_no`` (1…), ``step``, ``optional``, ``n_reached``,
        ``pct_of_start`` with ``ci_low``/``ci_high``, ``pct_of_previous`` with
        ``prev_ci_low``/``prev_ci_high``, ``n_dropped`` and ``drop_off_pct`` (of those at
        the previous required step), ``median_time_s`` and ``p95_time_s`` (from the
        previous required step), ``p_value`` (with ``by``), ``n_excluded``.  Counts never
        increase along required steps.

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": list("aaabbc"),
    ...                    "timestamp": pd.to_datetime(["2025-01-01 10:00", "2025-01-01 10:05",
    ...                        "2025-01-01 10:09", "2025-01-01 11:00", "2025-01-01 11:02",
    ...                        "2025-01-01 12:00"], utc=True),
    ...                    "touchpoint": ["Website", "Cart", "Checkout", "Website", "Cart", "Website"],
    ...                    "sequence": range(6)})
    >>> funnel(ev, steps=["Website", "Cart", "Checkout"])[["step", "n_reached", "pct_of_start",
    ...                                                    "n_dropped", "median_time_s"]]
           step  n_reached  pct_of_start  n_dropped  median_time_s
    0   Website          3    100.000000          0            NaN
    1      Cart          2     66.666667          1          120.0
    2  Checkout          1     33.333333          1          240.0
    """
    where = "funnel()"
    engine = engine_of(engine, old_engine_keywords, where=where)
    options = journey_options(
        touchpoints, journey, session_gap, dedupe, until_conversion, outcome, collapse_repeats, dates, cases
    )
    source, spec, cat = prepare(events, where=where, by=by, options=options, engine=engine)
    plan = _Plan(steps, mode, window, step_windows, optional, exclude, level, spec)
    if (
        spec.dedupe
        and plan.mode != "strict"
        and not (spec.journey == "session" and spec.has_session_id)
        and (plan.mode == "any" or plan.node == "touchpoint")
    ):
        # Exact repeats (same customer, time and touchpoint) are left in and never counted, which
        # spares de-duplicating all events: in any order each step is its first event, never a
        # repeat; in order the steps skip repeats themselves (plan.originals, see _frontier_sql).
        # Not with a session_id, where a repeat may carry another session than its original.
        spec = dataclasses.replace(spec, dedupe=False)
        plan.originals = plan.mode == "ordered"
    segs = list(spec.segments)
    seg_cols = "".join(f"{quote(s)}, " for s in segs)
    keep = "WHERE journey_id NOT IN (SELECT journey_id FROM x)" if plan.exclude else ""
    gaps, reached = [], []
    for k in range(plan.k):
        prev_req = plan.prev_required(k)
        gap = f"(us{k} - us{prev_req}) / 1e6" if prev_req is not None else "CAST(NULL AS DOUBLE)"
        done = f"p{k} IS NOT NULL"
        if plan.mode == "any":
            # in any order: step k is reached when steps 1..k all happened; the time is how long
            # the first k steps took from the first of them to the last
            done = " AND ".join(f"p{i} IS NOT NULL" for i in range(k + 1))
            times = ", ".join(f"us{i}" for i in range(k + 1))
            gap = f"CASE WHEN {done} THEN (greatest({times}) - least({times})) / 1e6 END" if k else gap
        gaps.append(f"WHEN {k + 1} THEN {gap}")
        reached.append(f"WHEN {k + 1} THEN CASE WHEN {done} THEN 1 END")
    # per step (the journeys are read once, beside the list of step numbers): the journeys that
    # reached it and their times.  In one pass the engine's nearest-rank quantile reads the times
    # directly; in parts they are counted per distinct time, so that the customers can run in
    # hash buckets (under a memory limit) whose counts add up (the same values: tested).
    numbers = ", ".join(f"({k + 1})" for k in range(plan.k))
    rows = (
        f"SELECT {seg_cols}s.step_no, CASE s.step_no {' '.join(gaps)} END AS gap, "
        f"CASE s.step_no {' '.join(reached)} END AS r FROM ff CROSS JOIN (VALUES {numbers}) AS s (step_no)"
    )

    def frontier(bucket: tuple[int, int] | None) -> str:
        return f"WITH {_frontier_sql(plan, spec, bucket=bucket)},\nff AS (SELECT * FROM f {keep})\n"

    parts = _parts.analysis_parts(source, sorts=True)
    if parts > 1:
        sql = counted_quantiles(
            "step_times",
            [*map(quote, segs), "step_no"],
            "gap",
            {"median_time_s": 0.5, "p95_time_s": 0.95},
            sums=("n_reached", "n_rows"),
            weight="n_rows",
        )
        table = _parts.run_in_parts(
            sql,
            source,
            name="step_times",
            touchpoints=cat,
            parts=parts,
            part=lambda bucket: (
                f"{frontier(bucket)}SELECT {seg_cols}step_no, gap, count(r) AS n_reached, "
                f"count(*) AS n_rows FROM ({rows}) AS st GROUP BY {seg_cols}step_no, gap"
            ),
        ).drop(columns="n_rows")
    else:
        d = spec.dialect
        table = source.run(
            f"{frontier(None)}SELECT {seg_cols}step_no, count(r) AS n_reached, "
            f"{d.quantile('gap', 0.5)} AS median_time_s, {d.quantile('gap', 0.95)} AS p95_time_s "
            f"FROM ({rows}) AS st GROUP BY {seg_cols}step_no",
            touchpoints=cat,
        )
    if not segs and len(table) < plan.k:  # no journey started the funnel: every step reached by none
        table = table.set_index("step_no").reindex(range(1, plan.k + 1)).rename_axis("step_no").reset_index()
        table["n_reached"] = table["n_reached"].fillna(0)
    n_excl = None
    if plan.exclude:
        group = f" GROUP BY {seg_cols.rstrip(', ')}" if segs else ""
        n_excl = _parts.run_in_parts(
            f"SELECT {seg_cols}sum(n_excluded) AS n_excluded FROM excluded{group}",
            source,
            name="excluded",
            part=lambda bucket: (
                f"WITH {_frontier_sql(plan, spec, bucket=bucket)}\nSELECT {seg_cols}count(*) AS "
                f"n_excluded FROM f WHERE journey_id IN (SELECT journey_id FROM x){group}"
            ),
            touchpoints=cat,
            parts=parts,
        )
    return _finish(table, plan, segs, confidence, n_excl)


def _finish(
    table: pd.DataFrame, plan: _Plan, segs: list[str], confidence: float, n_excl: pd.DataFrame | None
) -> pd.DataFrame:
    """The funnel table from the counts and times per (segment, step): every segment has a row
    per step, so the counts form a segments × steps matrix.
    """
    table = table.sort_values([*segs, "step_no"], kind="stable", ignore_index=True)
    n = table["n_reached"].to_numpy(dtype=float).reshape(-1, plan.k)
    prev_step = [plan.prev_required(k) or 0 for k in range(plan.k)]
    start, prev = n[:, [0] * plan.k], n[:, prev_step]  # the first step's base is itself
    optional = np.array([k in plan.optional for k in range(plan.k)])
    with np.errstate(invalid="ignore", divide="ignore"):
        pct_of_start = np.where(start > 0, n / start * 100, np.nan)
        pct_of_previous = np.where(prev > 0, n / prev * 100, np.nan)
        drop_off_pct = np.where(optional | (prev == 0), np.nan, (prev - n) / prev * 100)
    ci_low, ci_high = wilson_interval(n, start, confidence=confidence)
    prev_ci_low, prev_ci_high = wilson_interval(n, prev, confidence=confidence)
    p_value = np.full(n.shape, np.nan)
    if segs:  # per step: does the conversion from the previous step differ between the segments?
        for k in range(1, plan.k):
            if k in plan.optional:
                continue
            contingency = np.vstack([n[:, k], np.maximum(prev[:, k] - n[:, k], 0)])
            keep = contingency.sum(axis=0) > 0
            if keep.sum() >= 2 and (contingency[:, keep].sum(axis=1) > 0).all():
                p_value[:, k] = stats.chi2_contingency(contingency[:, keep], correction=False).pvalue
    step_no = table["step_no"].to_numpy()
    out = pd.DataFrame(
        {
            **{s: table[s] for s in segs},
            "step_no": step_no,
            "step": np.asarray(plan.labels, dtype=object)[step_no - 1],
            "optional": optional[step_no - 1],
            "n_reached": n.ravel().astype("int64"),
            "pct_of_start": pct_of_start.ravel(),
            "ci_low": ci_low.ravel(),
            "ci_high": ci_high.ravel(),
            "pct_of_previous": pct_of_previous.ravel(),
            "prev_ci_low": prev_ci_low.ravel(),
            "prev_ci_high": prev_ci_high.ravel(),
            "n_dropped": np.where(optional, 0, prev - n).ravel().astype("int64"),
            "drop_off_pct": drop_off_pct.ravel(),
            "median_time_s": table["median_time_s"].to_numpy(dtype=float),
            "p95_time_s": table["p95_time_s"].to_numpy(dtype=float),
            "p_value": p_value.ravel(),
            "n_excluded": 0,
        }
    )
    if n_excl is not None and len(n_excl):
        if segs:
            cols = list(out.columns)
            out = out.drop(columns="n_excluded").merge(n_excl, on=segs, how="left")[cols]
            out["n_excluded"] = out["n_excluded"].fillna(0).astype("int64")
        else:
            out["n_excluded"] = int(n_excl.iloc[0, 0])
    return out


@journey_analysis({"mode": [MODE], "level": [FUNNEL_LEVEL], "top": [WHOLE_NUMBER]})
def funnel_dropoffs(
    events: Any,
    *,
    steps: Sequence[str | Sequence[str]],
    mode: str = "ordered",
    window: str | float | None = None,
    step_windows: Sequence[str | float | None] | None = None,
    level: str = "touchpoint",
    top: int = 5,
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
    r"""Where did they go after dropping off?  The next touchpoints of those who left each step.

    For each step but the last, the journeys that reached it but not the next step, and
    the touchpoint that followed their event at that step (``"(exit)"`` when the journey
    ended there; a touchpoint called "(exit)" is written ``\(exit)``, see
    :func:`cjm_lab.untrusted.escape_label`).

    Parameters
    ----------
    events : DataFrame, path, or Spark DataFrame
        See :func:`cjm_lab.journeys.build_journeys`.
    steps, mode, window, step_windows, level
        The funnel, as in :func:`funnel`.
    top : int, default 5
        How many next touchpoints to list per step.
    {journey_options}

    Returns
    -------
    DataFrame
        ``step_no, step, next_touchpoint, n_journeys, pct`` (of the step's drop-outs), the
        ``top`` most frequent per step.

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": list("aabbcc"),
    ...                    "timestamp": pd.to_datetime(["2025-01-01"] * 6, utc=True),
    ...                    "touchpoint": ["Cart", "Checkout", "Cart", "Hotline", "Cart", "Hotline"],
    ...                    "sequence": range(6)})
    >>> funnel_dropoffs(ev, steps=["Cart", "Checkout"])[["step", "next_touchpoint", "n_journeys"]]
       step next_touchpoint  n_journeys
    0  Cart         Hotline           2
    """
    where = "funnel_dropoffs()"
    engine = engine_of(engine, old_engine_keywords, where=where)
    options = journey_options(
        touchpoints, journey, session_gap, dedupe, until_conversion, outcome, collapse_repeats, dates, cases
    )
    source, spec, cat = prepare(events, where=where, options=options, engine=engine)
    plan = _Plan(steps, mode, window, step_windows, (), (), level, spec)
    d = spec.dialect
    # the next node leaves the engine as it is, with a flag for the journey's end, and is written as a
    # label afterwards: a touchpoint called "(exit)" (or a next event without a stage) is never an exit
    nxt = d.arg_min("e.next_node", "e.step")
    ended = d.arg_min("CASE WHEN e.next_t IS NULL THEN 1 ELSE 0 END", "e.step")
    selects = []
    for k in range(plan.k - 1):
        selects.append(
            # events with equal keys (equal time and sequence) are one place of the journey: the
            # first of them in the journey's numbering is the one that reached the step
            f"SELECT {k + 1} AS step_no, next_touchpoint, is_exit, count(*) AS n_journeys FROM (SELECT f.journey_id, "
            f"{nxt} AS next_touchpoint, {ended} AS is_exit FROM f JOIN n AS e "
            f"ON e.journey_id = f.journey_id AND e.o = f.p{k} WHERE f.p{k + 1} IS NULL GROUP BY f.journey_id) AS x "
            "GROUP BY 1, 2, 3"
        )
    sql = f"WITH {_frontier_sql(plan, spec, dropoffs=True)}\n" + "\nUNION ALL\n".join(selects)
    table = source.run(sql, touchpoints=cat)
    named = escape_label(table["next_touchpoint"]).where(table["next_touchpoint"].notna(), UNKNOWN)
    table["next_touchpoint"] = named.where(table["is_exit"].astype(int) == 0, EXIT)
    table["n_journeys"] = table["n_journeys"].astype("int64")
    table["pct"] = table["n_journeys"] / table.groupby("step_no")["n_journeys"].transform("sum") * 100
    table = table.sort_values(
        ["step_no", "n_journeys", "next_touchpoint"], ascending=[True, False, True], kind="stable"
    )
    table = table.groupby("step_no").head(top).reset_index(drop=True)
    table["step"] = [plan.labels[i - 1] for i in table["step_no"]]
    return table[["step_no", "step", "next_touchpoint", "n_journeys", "pct"]]
