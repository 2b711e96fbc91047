"""Transitions between touchpoints: counts, probabilities, waiting times, segment differences."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cjm_lab._params import ALPHA, MIN_BASE, renamed_args, validate_params
from cjm_lab._validate import require_columns, require_frame
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.journeys import _parts
from cjm_lab.journeys._dialect import quote
from cjm_lab.journeys._options import Engine
from cjm_lab.journeys.build import LEVEL, engine_of, journey_analysis, journey_options, journey_record, prepare
from cjm_lab.journeys.sql import counted_quantiles, journey_ctes
from cjm_lab.untrusted import escape_label

__all__ = ["transitions", "compare_transitions", "START", "EXIT", "UNKNOWN"]

#: Pseudo-touchpoints for where journeys begin and end (a touchpoint of that name is written
#: ``\(start)``, see :func:`cjm_lab.untrusted.escape_label`).
START = "(start)"
EXIT = "(exit)"
#: The stage (or department) of a touchpoint the catalogue leaves empty, at ``level="stage"``.
UNKNOWN = "(unknown)"


@journey_analysis({"level": [LEVEL]})
def transitions(
    events: Any,
    *,
    by: str | Sequence[str] | None = None,
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
    **old_engine_keywords: Any,
) -> pd.DataFrame:
    r"""Directly-follows transitions with counts, probabilities and waiting times.

    Parameters
    ----------
    events : DataFrame or path
        See :func:`cjm_lab.journeys.build_journeys`.
    by : str or list of str, optional
        Segment column(s); the segment of a transition is that of its source event.
    level : {"touchpoint", "stage", "department"}, default "touchpoint"
        Transitions between touchpoints, or between the catalogue's stages or
        departments (needs ``touchpoints=``; consecutive events in the same stage are
        then a self-transition).
    {journey_options}

    Returns
    -------
    DataFrame
        Segment columns, ``source``, ``target``, ``n``, ``probability`` (of ``target``
        given ``source``: each source's probabilities, the exit included, sum to 1),
        ``median_s`` and ``p95_s`` (seconds between the two events, nearest-rank
        quantiles).  Rows with ``source == "(start)"`` give the start probabilities;
        ``target == "(exit)"`` the exit probabilities.  A touchpoint whose name reads like one of
        these labels is written with a backslash in front (``\(exit)``, see
        :func:`cjm_lab.untrusted.escape_label`), so it is never counted as one.

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": list("aabbb"),
    ...                    "timestamp": pd.to_datetime(["2025-01-01 10:00", "2025-01-01 10:10",
    ...                        "2025-01-01 10:00", "2025-01-01 10:30", "2025-01-01 11:00"], utc=True),
    ...                    "touchpoint": ["Ad", "Shop", "Ad", "Shop", "Buy"], "sequence": range(5)})
    >>> transitions(ev)[["source", "target", "n", "probability", "median_s"]]
        source  target  n  probability  median_s
    0  (start)      Ad  2          1.0       NaN
    1       Ad    Shop  2          1.0     600.0
    2      Buy  (exit)  1          1.0       NaN
    3     Shop  (exit)  1          0.5       NaN
    4     Shop     Buy  1          0.5    1800.0
    """
    where = "transitions()"
    engine = engine_of(engine, old_engine_keywords, where=where)
    options = journey_options(
        touchpoints, journey, session_gap, dedupe, until_conversion, outcome, collapse_repeats, dates, cases
    )
    source, spec, cat = prepare(events, where=where, by=by, options=options, engine=engine)
    if level != "touchpoint" and level not in spec.catalogue:
        raise CJMConfigError(f"`level={level!r}` needs a catalogue with a {level!r} column: pass touchpoints=.")
    # the nodes leave the engine as they are (a missing stage as NULL) with a flag for the journeys'
    # ends, and are written as labels afterwards, on the small result: a touchpoint (or stage) called
    # "(exit)" or "(unknown)" is then never counted as the end of journeys or a missing stage
    node = "touchpoint" if level == "touchpoint" else spec.dialect.cast_text(quote(level))
    segs = list(spec.segments)
    seg_cols = "".join(f"{quote(s)}, " for s in segs)
    d = spec.dialect

    # The next event comes from the window that numbers the steps: the events are sorted once,
    # and read once (the journeys' starts are counted in the same aggregation).  The pairs are
    # counted per distinct wait, so that under a memory limit the customers can run in hash
    # buckets whose counts add up; the nearest-rank median and p95 come from those counts.
    def part(bucket: tuple[int, int] | None) -> str:
        return (
            f"WITH {journey_ctes(spec, d, following={'next_node': node}, bucket=bucket, duplicates=True)}\n"
            f"SELECT {seg_cols}source, target, is_exit, gap, count(*) AS n, "
            f"sum(CASE WHEN step = 1 THEN 1 ELSE 0 END) AS n_start, sum(_dup) AS dups FROM (SELECT "
            f"{seg_cols}{node} AS source, next_node AS target, next_t IS NULL AS is_exit, next_t - t AS gap, step, "
            "_dup FROM j) AS p "
            f"GROUP BY {seg_cols}source, target, is_exit, gap"
        )

    parts = _parts.analysis_parts(source, sorts=True)
    if parts > 1:
        sql = counted_quantiles(
            "pair_waits",
            [*map(quote, segs), "source", "target", "is_exit"],
            "gap",
            {"median_s": 0.5, "p95_s": 0.95},
            sums=("n", "n_start", "dups"),
        )
        pairs = _parts.run_in_parts(sql, source, name="pair_waits", part=part, touchpoints=cat, parts=parts)
    else:
        # in one pass the engine's nearest-rank quantile reads the waits directly (the same values:
        # tests/journeys/test_engine.py compares both ways)
        pairs = source.run(
            f"""
WITH {journey_ctes(spec, d, following={"next_node": node}, duplicates=True)}
SELECT {seg_cols}{node} AS source, next_node AS target, next_t IS NULL AS is_exit, count(*) AS n,
       sum(CASE WHEN step = 1 THEN 1 ELSE 0 END) AS n_start, sum(_dup) AS dups,
       {d.quantile("next_t - t", 0.5)} AS median_s, {d.quantile("next_t - t", 0.95)} AS p95_s
FROM j GROUP BY {seg_cols}{node}, next_node, next_t IS NULL
""",
            touchpoints=cat,
        )
    pairs["source"] = escape_label(pairs["source"]).where(pairs["source"].notna(), UNKNOWN)
    target = escape_label(pairs["target"]).where(pairs["target"].notna(), UNKNOWN)
    pairs["target"] = target.where(~pairs["is_exit"].astype(bool), EXIT)
    pairs = pairs.drop(columns="is_exit")
    starts = (
        pairs[pairs["n_start"] > 0]
        .groupby([*segs, "source"], observed=True, dropna=False, as_index=False, sort=False)["n_start"]
        .sum()
    )
    starts = starts.rename(columns={"source": "target", "n_start": "n"}).assign(source=START)
    dups = int(pd.to_numeric(pairs["dups"]).fillna(0).sum())
    table = pd.concat([pairs.drop(columns=["n_start", "dups"]), starts], ignore_index=True)
    order = [*segs, "_start", "source", "target"]
    table["_start"] = table["source"] != START
    table = table.sort_values(order, kind="stable").drop(columns="_start").reset_index(drop=True)
    table["n"] = table["n"].astype("int64")
    table["probability"] = table["n"] / table.groupby([*segs, "source"], observed=True)["n"].transform("sum")
    for col in ("median_s", "p95_s"):
        table[col] = table[col].astype(float)
    out = table[[*segs, "source", "target", "n", "probability", "median_s", "p95_s"]]
    out.attrs["cjm_journeys"] = journey_record(spec, duplicates=dups, periods_of="each transition's source event")
    return out


@renamed_args({"min_n": "min_base"})
@validate_params({"by": [str], "alpha": [ALPHA], "min_base": [MIN_BASE]})
def compare_transitions(
    table: pd.DataFrame,
    *,
    by: str,
    groups: Sequence[Any],
    alpha: float = 0.05,
    min_base: float = 20,
) -> pd.DataFrame:
    """The difference in transition probabilities between two segments or periods.

    Takes the result of :func:`transitions` with ``by`` and compares the probability of
    each transition in ``groups[1]`` with ``groups[0]`` (two-proportion z-test on the
    source's counts; Benjamini–Hochberg over all transitions with at least ``min_base``
    departures in both groups; formerly ``min_n=``, accepted with a FutureWarning until
    cjm-lab 0.3).

    Returns
    -------
    DataFrame
        ``source, target, n_a, probability_a, n_b, probability_b, difference``
        (percentage points, b − a), ``p_value``, ``p_adjusted``, ``significant``, sorted
        by the absolute difference.

    Examples
    --------
    >>> t = pd.DataFrame({"g": ["x", "x", "y", "y"], "source": ["Cart"] * 4,
    ...                   "target": ["Buy", "(exit)"] * 2, "n": [80, 20, 50, 50],
    ...                   "probability": [0.8, 0.2, 0.5, 0.5]})
    >>> compare_transitions(t, by="g", groups=("x", "y"))[["target", "difference", "significant"]]
       target  difference  significant
    0     Buy       -30.0         True
    1  (exit)        30.0         True
    """
    where = "compare_transitions()"
    require_frame(table, where=where)
    require_columns(table, {"by": by, "table": ["source", "target", "n"]}, where=where)
    if len(groups) != 2:
        raise CJMConfigError(f"`groups` must name two values of {by!r}, got {groups!r}.")
    parts = []
    for g in groups:
        part = table[table[by] == g]
        if part.empty:
            raise CJMDataError(
                f"{where}: no transitions for {by!r} = {g!r}.",
                column=by,
                fix="Compute transitions(..., by=...) on data that has both groups.",
            )
        parts.append(part.set_index(["source", "target"])["n"])
    merged = pd.concat(parts, axis=1, keys=["n_a", "n_b"]).fillna(0)
    src = merged.groupby(level="source")[["n_a", "n_b"]].transform("sum")
    pa, pb = merged["n_a"] / src["n_a"], merged["n_b"] / src["n_b"]
    pooled = (merged["n_a"] + merged["n_b"]) / (src["n_a"] + src["n_b"])
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(pooled * (1 - pooled) * (1 / src["n_a"] + 1 / src["n_b"]))
        z = (pb - pa) / se
    p = pd.Series(2 * stats.norm.sf(np.abs(z)), index=merged.index).where(se > 0, 1.0)
    testable = (src["n_a"] >= min_base) & (src["n_b"] >= min_base)
    out = pd.DataFrame(
        {
            "n_a": merged["n_a"].astype("int64"),
            "probability_a": pa,
            "n_b": merged["n_b"].astype("int64"),
            "probability_b": pb,
            "difference": (pb - pa) * 100,
            "p_value": p.where(testable),
        }
    ).reset_index()
    adjusted = np.full(len(out), np.nan)
    mask = out["p_value"].notna().to_numpy()
    if mask.any():
        adjusted[mask] = stats.false_discovery_control(out.loc[mask, "p_value"].to_numpy(), method="bh")
    out["p_adjusted"] = adjusted
    out["significant"] = out["p_adjusted"] < alpha
    order = out["difference"].abs().sort_values(ascending=False, kind="stable").index
    return out.loc[order].reset_index(drop=True)
