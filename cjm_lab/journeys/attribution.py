"""Attribution: which touchpoints earn the conversions.

One table compares the data-driven Markov-chain model with the classic rules.

*Markov removal effect, solved exactly.*  Journeys are cut at their first conversion;
the touchpoints before it form a path that ends in ``(conversion)``, and journeys that
never convert end in ``(null)``.  The transitions between touchpoints (counted in SQL)
make an absorbing Markov chain with the states ``(start)``, the touchpoints (or, for
order *k*, the tuples of the last *k* touchpoints) and the absorbing ``(conversion)`` and
``(null)``.  The probability of reaching ``(conversion)`` from ``(start)`` solves the
linear system ``(I - Q) x = r`` (``Q``: transient-to-transient probabilities, ``r``: the
one-step conversion probabilities; ``x = N r`` with the fundamental matrix
``N = (I - Q)^-1``).  Removing touchpoint *X* turns every state that contains *X* into a
dead end (its inflow goes to ``(null)``); its removal effect is
``1 - P(conversion without X) / P(conversion)``, and the conversions are shared out in
proportion to the removal effects.

*Rules* (credit per converting journey, summing to 1): first touch, last touch,
linear (equal shares), position-based (U-shaped: first, middle, last weights) and
time decay (weights halving every ``half_life`` before the conversion).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.linalg import spsolve

from cjm_lab._params import Integral, Interval
from cjm_lab._validate import suggest
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.journeys._dialect import DUCKDB, Dialect, literal, quote
from cjm_lab.journeys._options import Engine
from cjm_lab.journeys.build import engine_of, journey_analysis, journey_options, prepare
from cjm_lab.journeys.sql import duration_seconds, journey_ctes, label_sql

__all__ = ["attribution", "RULES", "DIRECT", "CONVERSION", "NULL"]

#: The rule-based models, in their default order.
RULES = ("first_touch", "last_touch", "linear", "position_based", "time_decay")
#: The pseudo-touchpoint credited when a journey converts at its very first event.
DIRECT = "(direct)"
#: The absorbing states of the chain.
CONVERSION = "(conversion)"
NULL = "(null)"

_MAX_ORDER = 3


def _check_options(rules: Any, order: Any, position_weights: Any, half_life: Any) -> tuple[list[str], float, tuple]:
    if isinstance(rules, str):
        rules = [rules]
    rules = list(rules or ())
    for rule in rules:
        if rule not in RULES:
            raise CJMConfigError(
                f"attribution() does not know the rule {rule!r}.{suggest(str(rule), RULES)} Rules: {', '.join(RULES)}."
            )
    if len(set(rules)) != len(rules):
        raise CJMConfigError(f"`rules` lists a rule twice: {rules!r}.")
    try:
        weights = tuple(float(w) for w in position_weights)
    except (TypeError, ValueError):
        weights = ()
    if len(weights) != 3 or min(weights) < 0 or abs(sum(weights) - 1) > 1e-9:
        raise CJMConfigError(
            "`position_weights` must be three non-negative shares (first, middle, last) that sum to 1, "
            f"e.g. (0.4, 0.2, 0.4); got {position_weights!r}."
        )
    h = duration_seconds(half_life, "half_life")
    return rules, float(h) if h is not None else float("nan"), weights


@journey_analysis(
    {"order": [Interval(Integral, 1, _MAX_ORDER, note="touchpoints of memory in the Markov chain", example="1")]}
)
def attribution(
    events: Any,
    *,
    outcome: str | Sequence[str] | None = None,
    order: int = 1,
    rules: Sequence[str] = RULES,
    half_life: str | float = "7D",
    position_weights: Sequence[float] = (0.4, 0.2, 0.4),
    value: str | None = None,
    by: str | Sequence[str] | None = None,
    touchpoints: pd.DataFrame | None = None,
    journey: str = "customer",
    session_gap: str | float = "30min",
    dedupe: bool = True,
    collapse_repeats: str = "off",
    dates: Any = None,
    cases: Any = None,
    engine: Engine | None = None,
    **old_engine_keywords: Any,
) -> pd.DataFrame:
    r"""Conversions attributed to touchpoints by the Markov removal effect and by rules.

    Parameters
    ----------
    events : DataFrame or path
        See :func:`cjm_lab.journeys.build_journeys`.
    outcome : str or list of str, optional
        Touchpoints that count as conversions (default: the catalogue's
        ``is_conversion``, which needs ``touchpoints=``).  Every journey is cut at its
        first conversion; the conversion event itself earns no credit.  Formerly
        ``conversions=`` (accepted with a FutureWarning until cjm-lab 0.3).
    order : {1, 2, 3}, default 1
        Memory of the Markov chain: its states are the last ``order`` touchpoints
        (fewer at the start of a path).  Removing a touchpoint removes every state that
        contains it.
    rules : list of str, default all
        Rule-based models beside the Markov model: ``"first_touch"``, ``"last_touch"``,
        ``"linear"``, ``"position_based"``, ``"time_decay"``.
    half_life : duration, default "7D"
        Time decay: a touch ``half_life`` before the last touch weighs half as much.
    position_weights : (first, middle, last), default (0.4, 0.2, 0.4)
        Position-based model: shares of the first touch, of all middle touches together
        (split equally) and of the last touch.  With two touches the middle share is
        split between them in proportion to the first and last weights; a single touch
        gets everything.
    value : str, optional
        A numeric column of the log (e.g. ``"value"``, revenue): the value on each
        journey's conversion event is attributed too (missing values count as 0).
    by : str or list of str, optional
        Segment column(s); each segment gets its own chain and totals (a journey
        belongs to the segment of its first event).
    {journey_options}

    Returns
    -------
    DataFrame
        Segment columns, then ``model`` (``"markov"`` first, then the rules in the
        order given), ``touchpoint``, ``conversions`` (attributed; each model sums to the
        number of converting journeys), ``share`` (percent of them), ``value`` (with
        ``value=``) and ``removal_effect`` (Markov rows: ``1 - P(conv without the
        touchpoint) / P(conv)``, between 0 and 1; NaN for the rules).  Every touchpoint
        seen before a conversion or on a non-converting journey appears once per model;
        ``"(direct)"`` stands for journeys whose first event is the conversion (a touchpoint
        called "(direct)" is written ``\(direct)``, see :func:`cjm_lab.untrusted.escape_label`).  Sorted
        by model, then attributed conversions (descending) and touchpoint.

    Raises
    ------
    CJMConfigError
        Unknown rule, bad ``order``, ``position_weights`` or ``half_life``, no way to
        know the conversions.
    CJMDataError
        No journey converts, a missing or non-numeric ``value`` column, bad events.

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b", "c"],
    ...                    "timestamp": pd.to_datetime(["2025-01-01"] * 6, utc=True),
    ...                    "touchpoint": ["Ad", "Shop", "Buy", "Shop", "Buy", "Ad"], "sequence": range(6)})
    >>> t = attribution(ev, outcome=["Buy"], rules=["first_touch", "linear"])
    >>> t.round(3)[["model", "touchpoint", "conversions", "removal_effect"]]
             model touchpoint  conversions  removal_effect
    0       markov       Shop        1.333             1.0
    1       markov         Ad        0.667             0.5
    2  first_touch         Ad        1.000             NaN
    3  first_touch       Shop        1.000             NaN
    4       linear       Shop        1.500             NaN
    5       linear         Ad        0.500             NaN
    """
    where = "attribution()"
    rules, h, weights = _check_options(rules, order, position_weights, half_life)
    if old_engine_keywords.pop("until_conversion", True) is not True:
        raise CJMConfigError(f"{where} always cuts journeys at their first conversion; drop `until_conversion`.")
    if outcome is None and not (isinstance(touchpoints, pd.DataFrame) and "is_conversion" in touchpoints.columns):
        raise CJMConfigError(
            f"{where} needs to know the conversions: pass `outcome=[...]` (touchpoints such as "
            "'Order confirmation') or a catalogue `touchpoints=` with an is_conversion column."
        )
    if value is not None and not isinstance(value, str):
        raise CJMConfigError(f"`value` must name a numeric column of the events, got {type(value).__name__}.")
    engine = engine_of(engine, old_engine_keywords, where=where)
    options = journey_options(touchpoints, journey, session_gap, dedupe, True, outcome, collapse_repeats, dates, cases)
    source, spec, cat = prepare(events, where=where, by=by, extra={"value": value}, options=options, engine=engine)
    if value is not None:
        source.check_column(value, kind="number", arg="value", where=where)
    segs = list(spec.segments)
    base = _base_ctes(spec, value)
    seg_grp = ", ".join(quote(s) for s in segs)
    totals = source.run(
        f"WITH {base}\nSELECT {seg_grp + ', ' if segs else ''}count(*) AS n_conv, sum(conv_value) AS conv_value "
        f"FROM conv{' GROUP BY ' + seg_grp if segs else ''}",
        touchpoints=cat,
    )
    n_total = int(totals["n_conv"].fillna(0).sum())
    if n_total == 0:
        names = ", ".join(map(repr, spec.conversions or ["the catalogue's is_conversion touchpoints"]))
        raise CJMDataError(
            f"{where}: no journey reaches a conversion ({names}), so there is nothing to attribute.",
            column="touchpoint",
            fix="Check the conversion touchpoints (`outcome=`) against the log's touchpoint names.",
        )
    rule_table = source.run(_rules_sql(base, segs, h, weights, value), touchpoints=cat) if rules else None
    moves = source.run(_markov_sql(base, segs, order, spec.dialect), touchpoints=cat)
    return _assemble(moves, rule_table, totals, segs, order, rules, value is not None)


def _base_ctes(spec: Any, value: str | None) -> str:
    """CTEs ``jj`` (events with the journey's first segment values), ``conv`` and ``touch``."""
    d = spec.dialect
    segs = list(spec.segments)
    seg_first = "".join(
        f", first_value({quote(s)}) OVER (PARTITION BY journey_id ORDER BY step) AS {quote(s)}" for s in segs
    )
    seg_cols = "".join(f", {quote(s)}" for s in segs)
    val = f", CAST({quote(value)} AS DOUBLE) AS _value" if value else ", CAST(NULL AS DOUBLE) AS _value"
    return (
        f"{journey_ctes(spec, d)},\n"
        f"jj AS (SELECT journey_id, step, t, touchpoint, is_conv{val}{seg_first} FROM j),\n"
        f"conv AS (SELECT journey_id, t AS t_conv, coalesce(_value, 0.0) AS conv_value{seg_cols} "
        "FROM jj WHERE is_conv),\n"
        # a touchpoint called "(direct)" is written "\(direct)": never merged with the direct conversions
        f"touch AS (SELECT journey_id, step, t, CASE WHEN is_conv THEN {literal(DIRECT)} "
        f"ELSE {label_sql('touchpoint')} END AS touchpoint{seg_cols} FROM jj WHERE NOT is_conv OR step = 1)"
    )


def _rules_sql(base: str, segs: list[str], h: float, weights: tuple, value: str | None) -> str:
    w0, w1, w2 = weights
    pair_first = w0 / (w0 + w2) if w0 + w2 > 0 else 0.5
    seg_sel = "".join(f"t.{quote(s)}, " for s in segs)
    seg_grp = "".join(f"{quote(s)}, " for s in segs)
    mult = " * conv_value" if value else ""
    credit = {
        "first_touch": "CASE WHEN pos = 1 THEN 1.0 ELSE 0.0 END",
        "last_touch": "CASE WHEN pos = n_touch THEN 1.0 ELSE 0.0 END",
        "linear": "1.0 / n_touch",
        "position_based": (
            f"CASE WHEN n_touch = 1 THEN 1.0 "
            f"WHEN n_touch = 2 THEN CASE WHEN pos = 1 THEN {pair_first!r} ELSE {1 - pair_first!r} END "
            f"WHEN pos = 1 THEN {w0!r} WHEN pos = n_touch THEN {w2!r} ELSE {w1!r} / (n_touch - 2) END"
        ),
        "time_decay": "decay / sum(decay) OVER (PARTITION BY journey_id)",
    }
    cols = ", ".join(f"{expr} AS {name}" for name, expr in credit.items())
    sums = ", ".join(f"sum({name}) AS {name}" for name in credit)
    vsums = ", ".join(f"sum({name}{mult}) AS {name}__value" for name in credit) if value else ""
    return f"""
WITH {base},
ct AS (
  SELECT {seg_sel}t.journey_id, t.touchpoint, t.t, c.conv_value,
         row_number() OVER (PARTITION BY t.journey_id ORDER BY t.step) AS pos,
         count(*) OVER (PARTITION BY t.journey_id) AS n_touch,
         max(t.t) OVER (PARTITION BY t.journey_id) AS t_last
  FROM touch AS t JOIN conv AS c ON c.journey_id = t.journey_id
),
cd AS (SELECT *, power(2.0, (t - t_last) / {h!r}) AS decay FROM ct),
cr AS (SELECT {seg_grp}touchpoint, conv_value, {cols} FROM cd)
SELECT {seg_grp}touchpoint, {sums}{", " + vsums if vsums else ""}
FROM cr GROUP BY {seg_grp}touchpoint
"""


def _markov_sql(base: str, segs: list[str], order: int, d: Dialect = DUCKDB) -> str:
    """Transition counts between states (tuples of the last ``order`` touchpoints).

    Columns ``f1..fk`` name the source state (all NULL for ``(start)``; NULL padding at
    the front of short tuples), ``g1..gk`` the target state, ``target`` is ``state``,
    ``conv`` or ``null``.
    """
    k = order
    seg_grp = "".join(f"{quote(s)}, " for s in segs)
    lags = ", ".join(
        (f"lag(touchpoint, {k - i}) OVER w AS s{i}" if i < k else f"touchpoint AS s{i}") for i in range(1, k + 1)
    )
    leads = ", ".join(f"lead(s{i}) OVER w AS n{i}" for i in range(1, k + 1))
    s_cols = ", ".join(f"s{i}" for i in range(1, k + 1))
    n_cols = ", ".join(f"n{i}" for i in range(1, k + 1))
    nulls = ", ".join(f"{d.cast_text('NULL')} AS f{i}" for i in range(1, k + 1))
    s_as_g = ", ".join(f"s{i} AS g{i}" for i in range(1, k + 1))
    s_as_f = ", ".join(f"s{i} AS f{i}" for i in range(1, k + 1))
    n_as_g = ", ".join(f"n{i} AS g{i}" for i in range(1, k + 1))
    return f"""
WITH {base},
st AS (SELECT journey_id, step, {seg_grp}{lags} FROM touch WINDOW w AS (PARTITION BY journey_id ORDER BY step)),
mv0 AS (
  SELECT st.*, {leads}, row_number() OVER w AS pos, c.journey_id IS NOT NULL AS converted
  FROM st LEFT JOIN conv AS c ON c.journey_id = st.journey_id
  WINDOW w AS (PARTITION BY st.journey_id ORDER BY st.step)
),
mv AS (SELECT *, CASE WHEN n{k} IS NOT NULL THEN 'state' WHEN converted THEN 'conv' ELSE 'null' END AS target FROM mv0)
SELECT {seg_grp}{nulls}, {s_as_g}, 'state' AS target, count(*) AS n FROM mv WHERE pos = 1
GROUP BY {seg_grp}{s_cols}
UNION ALL
SELECT {seg_grp}{s_as_f}, {n_as_g}, target, count(*) AS n FROM mv
GROUP BY {seg_grp}{s_cols}, {n_cols}, target
"""


def _solve_chain(moves: pd.DataFrame, order: int) -> tuple[float, list[str], np.ndarray]:
    """Conversion probability and removal effect of each touchpoint for one transition table.

    ``moves`` has the columns of :func:`_markov_sql` (``f1..fk``, ``g1..gk``, ``target``,
    ``n``).  Returns ``(p_conv, touchpoints, removal_effects)``.
    """
    k = order
    f_cols, g_cols = [f"f{i}" for i in range(1, k + 1)], [f"g{i}" for i in range(1, k + 1)]
    names = pd.unique(pd.concat([moves[c] for c in f_cols + g_cols], ignore_index=True).dropna())
    touchpoints = sorted(str(x) for x in names)
    categories = pd.Index(touchpoints)
    codes_f = np.column_stack([pd.Categorical(moves[c], categories=categories).codes for c in f_cols])
    codes_g = np.column_stack([pd.Categorical(moves[c], categories=categories).codes for c in g_cols])
    is_start = codes_f[:, -1] < 0
    to_state = (moves["target"] == "state").to_numpy()
    # states: unique code tuples among sources (not start) and state targets; index 0 is (start)
    pool = np.vstack([codes_f[~is_start], codes_g[to_state]])
    uniq, inverse = np.unique(pool, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    n_src = int((~is_start).sum())
    src = np.zeros(len(moves), dtype=np.int64)
    src[~is_start] = inverse[:n_src] + 1
    dst = np.full(len(moves), -1, dtype=np.int64)
    dst[to_state] = inverse[n_src:] + 1
    size = len(uniq) + 1
    counts = moves["n"].to_numpy(dtype=float)
    out = np.bincount(src, weights=counts, minlength=size)
    prob = counts / out[src]
    trans = to_state
    q = sparse.csr_matrix((prob[trans], (src[trans], dst[trans])), shape=(size, size))
    conv = (moves["target"] == "conv").to_numpy()
    r = np.bincount(src[conv], weights=prob[conv], minlength=size)
    a = (sparse.identity(size, format="csr") - q).tocsc()
    p_conv = float(_absorb(a, r, np.ones(size, dtype=bool)))
    contains = np.zeros((size, len(touchpoints)), dtype=bool)
    for col in range(k):  # a handful of columns; each vectorised over the states
        c = uniq[:, col]
        ok = c >= 0
        contains[1:][ok, c[ok]] = True
    effects = np.full(len(touchpoints), np.nan)
    if p_conv > 0:
        for i in range(len(touchpoints)):  # one solve per touchpoint
            keep = ~contains[:, i]
            effects[i] = 1.0 - _absorb(a, r, keep) / p_conv
        effects = np.clip(effects, 0.0, 1.0)
    return p_conv, touchpoints, effects


def _absorb(a: sparse.csc_matrix, r: np.ndarray, keep: np.ndarray) -> float:
    """P(conversion | start) with the states outside ``keep`` turned into dead ends."""
    idx = np.flatnonzero(keep)
    sub = a[idx][:, idx]
    x = spsolve(sub.tocsc(), r[idx]) if len(idx) > 1 else np.array([r[idx][0] / sub.toarray()[0, 0]])
    return float(np.atleast_1d(x)[0])  # index 0 (start) is always kept and first


def _assemble(
    moves: pd.DataFrame,
    rule_table: pd.DataFrame | None,
    totals: pd.DataFrame,
    segs: list[str],
    order: int,
    rules: list[str],
    with_value: bool,
) -> pd.DataFrame:
    groups = list(moves.groupby(segs, observed=True, sort=True, dropna=False)) if segs else [((), moves)]
    markov = []
    for key, g in groups:  # one chain per segment (a handful)
        p_conv, touchpoints, effects = _solve_chain(g.reset_index(drop=True), order)
        norm = effects / effects.sum() if p_conv > 0 and np.nansum(effects) > 0 else np.zeros(len(effects))
        frame = pd.DataFrame({"touchpoint": touchpoints, "_norm": norm, "removal_effect": effects})
        for s, v in zip(segs, key if isinstance(key, tuple) else (key,)):
            frame[s] = v
        markov.append(frame)
    grid = pd.concat(markov, ignore_index=True)
    grid = (
        grid.merge(totals, on=segs, how="left")
        if segs
        else grid.assign(n_conv=totals["n_conv"].iloc[0], conv_value=totals["conv_value"].iloc[0])
    )
    grid["n_conv"] = grid["n_conv"].fillna(0).astype(float)
    parts = [
        grid.assign(
            model="markov",
            conversions=grid["_norm"] * grid["n_conv"],
            value=grid["_norm"] * grid["conv_value"].fillna(0).astype(float),
        )
    ]
    if rule_table is not None and rules:
        keys = [*segs, "touchpoint"]
        for rule in rules:
            credit = rule_table[[*keys, rule, f"{rule}__value"] if with_value else [*keys, rule]]
            part = grid[[*keys, "n_conv"]].merge(credit, on=keys, how="left")
            part["conversions"] = part[rule].fillna(0.0).astype(float)
            part["value"] = part[f"{rule}__value"].fillna(0.0).astype(float) if with_value else np.nan
            parts.append(part.assign(model=rule, removal_effect=np.nan))
    table = pd.concat(parts, ignore_index=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["share"] = np.where(table["n_conv"] > 0, table["conversions"] / table["n_conv"] * 100, np.nan)
    model_rank = {m: i for i, m in enumerate(["markov", *rules])}
    table["_m"] = table["model"].map(model_rank)
    # equal credits tie by name: rounded, so that sums added in another order (another engine,
    # other threads) do not reorder them by their last bits
    table["_c"] = table["conversions"].round(9)
    table = table.sort_values(
        [*segs, "_m", "_c", "touchpoint"], ascending=[True] * len(segs) + [True, False, True], kind="stable"
    )
    cols = [*segs, "model", "touchpoint", "conversions", "share", *(["value"] if with_value else []), "removal_effect"]
    return table[cols].reset_index(drop=True)
