"""Sequential patterns: frequent gapped subsequences, and the patterns that separate two groups.

A pattern ``A > B > C`` occurs in a journey when its touchpoints occur in that order,
other events allowed in between (at most ``max_gap`` of them when given); its support
is the share of journeys that contain it, each journey counted once.  Repeated
touchpoints form patterns too (``Service hotline > Service hotline``).

The events are aggregated by the engine (one SQL query returns the distinct paths
with their counts, so journeys with identical paths share the work); the miner then
works on those variants.  Without a gap limit it runs a depth-first prefix growth over
the *suffix states* of the variants: every position of every variant is represented
by the suffix that follows it, identical suffixes are merged into one state, and a
table ``next[state, touchpoint]`` (the state after the first occurrence of the
touchpoint) turns each extension into one vectorised lookup.  A pattern's projection
is the set of states where its leftmost occurrences end, weighted by the number of
journeys, so supports are exact and equal those of PrefixSpan.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cjm_lab._params import ALPHA, RANDOM_STATE, WHOLE_NUMBER, Integral, Interval, Real, StrOptions
from cjm_lab._validate import require_columns, require_unique, suggest
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.journeys._dialect import DUCKDB, Dialect, literal
from cjm_lab.journeys._options import Engine
from cjm_lab.journeys._sources import EventSource
from cjm_lab.journeys.build import engine_of, journey_analysis, journey_options, old_conversions, prepare
from cjm_lab.journeys.sql import journey_ctes, segment_select
from cjm_lab.untrusted import join_path

__all__ = ["discriminating_patterns", "sequential_patterns"]

#: Group names of a conversion outcome.
CONVERTED, NOT_CONVERTED = "converted", "not converted"

_METHODS = ("fisher", "permutation")

#: Projections longer than this have their equal suffix states merged (pays off when long).
_MERGE_ABOVE = 64


# --------------------------------------------------------------------------- checks


#: The options of pattern mining that both miners share.
_MINING: dict[str, list[Any]] = {
    "min_support": [Interval(Real, 0, 1, closed="right", note="a share of journeys", example="0.05 for 5 %")],
    "max_length": [Interval(Integral, 1, None, note="touchpoints"), None],
    "max_gap": [
        Interval(Integral, 0, None, note="events allowed between two touchpoints of a pattern, 0: next to each other"),
        None,
    ],
}


def _min_count(share: float, total: np.ndarray) -> np.ndarray:
    """The smallest journey count that reaches ``share`` of ``total`` (rounding noise removed)."""
    need = np.ceil(np.round(share * np.asarray(total, float), 6))
    return np.where(np.asarray(total) > 0, np.maximum(need, 1), np.inf)


# --------------------------------------------------------------------------- engine side

#: Touchpoints travel through SQL as small integer codes, joined by this separator.
_CODE_SEP = " "


def _codes_cte(d: Dialect = DUCKDB) -> str:
    return (
        f"codes AS (SELECT touchpoint, {d.cast_text('row_number() OVER (ORDER BY touchpoint) - 1')} AS code "
        "FROM (SELECT DISTINCT touchpoint FROM events WHERE touchpoint IS NOT NULL) AS u)"
    )


def _touchpoint_names(source: EventSource, cat: pd.DataFrame | None) -> np.ndarray:
    """Touchpoint names in code order (the same ORDER BY as :func:`_codes_cte`)."""
    sql = (
        "SELECT touchpoint FROM (SELECT DISTINCT touchpoint FROM events WHERE touchpoint IS NOT NULL) AS u "
        "ORDER BY touchpoint"
    )
    return source.run(sql, touchpoints=cat)["touchpoint"].astype(str).to_numpy()


def _decode(paths: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Code paths (``"3 0 7"``) to one flat int array and the length of each path."""
    text = paths.fillna("").astype(str)
    lengths = np.where(text.str.len().to_numpy() > 0, text.str.count(_CODE_SEP).to_numpy() + 1, 0).astype(np.int64)
    joined = _CODE_SEP.join(text[lengths > 0].tolist())
    flat = np.fromstring(joined, dtype=np.int64, sep=_CODE_SEP) if joined else np.empty(0, np.int64)
    return flat, lengths


# --------------------------------------------------------------------------- miner


def _suffix_states(flat: np.ndarray, lengths: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The next-occurrence table over merged suffix states, and each sequence's initial state.

    State 0 is the empty suffix; every other state is a (head touchpoint, tail state) pair,
    made level by level (suffix length 1, 2, …) so that identical suffixes of different
    sequences share one state.  ``nxt[x, s]`` is the state after the first ``x`` in ``s``
    (-1 when ``x`` does not occur in it).
    """
    n_seq = len(lengths)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    order = np.argsort(-lengths, kind="stable")
    sorted_len = lengths[order]
    heads, tails, bounds = [np.array([-1], np.int64)], [np.array([-1], np.int64)], [0, 1]
    cur = np.zeros(n_seq, np.int64)
    n_states = 1
    for r in range(1, int(sorted_len[0]) + 1 if n_seq else 1):
        cnt = int(np.searchsorted(-sorted_len, -r, side="right"))
        seqs = order[:cnt]
        items = flat[offsets[seqs] + lengths[seqs] - r]
        uniq, inverse = np.unique(cur[:cnt] * k + items, return_inverse=True)
        heads.append(uniq % k)
        tails.append(uniq // k)
        cur[:cnt] = n_states + inverse
        n_states += len(uniq)
        bounds.append(n_states)
    head, tail = np.concatenate(heads), np.concatenate(tails)
    nxt = np.full((k, n_states), -1, dtype=np.int32 if n_states < 2**31 else np.int64)
    for lo, hi in pairwise(bounds[1:]):
        ids = np.arange(lo, hi)
        nxt[:, ids] = nxt[:, tail[ids]]
        nxt[head[ids], ids] = tail[ids]
    init = np.empty(n_seq, np.int64)
    init[order] = cur
    return nxt, init


def _merge(states: np.ndarray, weights: np.ndarray, scratch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum the weights of equal states, in linear time.

    ``scratch`` (one slot per state, any content) records for each state the last row
    that holds it; rows pointing at themselves represent their state.
    """
    rows = np.arange(len(states), dtype=scratch.dtype)
    scratch[states] = rows
    rep = scratch[states]
    keep = rep == rows
    if keep.all():
        return states, weights
    if weights.shape[1] == 1:
        summed = np.bincount(rep, weights=weights[:, 0], minlength=len(rows))[:, None]
    else:
        summed = np.stack(
            [np.bincount(rep, weights=weights[:, c], minlength=len(rows)) for c in range(weights.shape[1])], axis=1
        )
    return states[keep], np.rint(summed[keep]).astype(np.int64)


def _mine(
    flat: np.ndarray,
    lengths: np.ndarray,
    weights: np.ndarray,
    min_counts: np.ndarray,
    *,
    max_length: int | None,
    max_gap: int | None = None,
    track: bool = False,
) -> tuple[list[tuple[int, ...]], np.ndarray, list[np.ndarray] | None]:
    """Frequent gapped subsequences of weighted sequences.

    Parameters
    ----------
    flat, lengths
        The sequences (integer codes), concatenated, and their lengths.
    weights : (n_seq, g) array
        Journeys per sequence in each of ``g`` groups (segments, or the two compared groups).
    min_counts : (g,) array
        A pattern is kept when its weighted support reaches ``min_counts`` in any group.
    max_length, max_gap
        Longest pattern; most events between two consecutive pattern elements.
    track
        Also return, per pattern, the sequences that contain it.

    Returns
    -------
    patterns, supports (n_patterns, g), sequence ids per pattern (or None)
    """
    weights = np.rint(np.asarray(weights, float)).astype(np.int64).reshape(len(lengths), -1)
    min_counts = np.asarray(min_counts, float)
    limit = max_length if max_length is not None else np.inf
    n_seq = len(lengths)
    seq_of = np.repeat(np.arange(n_seq), lengths)
    n_items = int(flat.max()) + 1 if len(flat) else 0
    patterns: list[tuple[int, ...]] = []
    supports: list[np.ndarray] = []
    ids_out: list[np.ndarray] | None = [] if track else None
    if n_items == 0:
        return patterns, np.empty((0, weights.shape[1])), ids_out
    # touchpoints frequent on their own: only they can be part of a frequent pattern
    if n_seq * n_items <= 50_000_000:
        present = np.zeros((n_seq, n_items), bool)
        present[seq_of, flat] = True
        single = present.T.astype(float) @ weights
    else:
        pairs = np.unique(seq_of * n_items + flat)
        single = np.zeros((n_items, weights.shape[1]))
        np.add.at(single, pairs % n_items, weights[pairs // n_items])
    frequent = np.flatnonzero((single >= min_counts).any(axis=1))
    if len(frequent) == 0:
        return patterns, np.empty((0, weights.shape[1])), ids_out

    def emit(pattern: tuple[int, ...], support: np.ndarray, ids: np.ndarray | None) -> None:
        patterns.append(tuple(int(frequent[i]) for i in pattern))
        supports.append(support)
        if ids_out is not None and ids is not None:
            ids_out.append(ids)

    remap = np.full(n_items, -1, np.int64)
    remap[frequent] = np.arange(len(frequent))
    codes = remap[flat]
    k = len(frequent)
    if max_gap is None:
        # without a gap limit, touchpoints that are not frequent never matter: drop them
        keep = codes >= 0
        nxt, init = _suffix_states(codes[keep], np.bincount(seq_of[keep], minlength=n_seq), k)
        _grow(nxt, init, weights, min_counts, limit, emit, np.arange(n_seq) if track else None)
    else:
        _grow_gapped(codes, lengths, seq_of, weights, min_counts, limit, max_gap, k, emit, track)
    sup = np.vstack(supports) if supports else np.empty((0, weights.shape[1]))
    return patterns, sup, ids_out


def _grow(nxt, init, weights, min_counts, limit, emit, ids) -> None:
    """Depth-first prefix growth over suffix states (no gap limit)."""
    n_states = nxt.shape[1]
    flat_nxt = nxt.ravel()
    scratch = np.empty(n_states, np.int32 if n_states < 2**31 else np.int64)

    def grow(states, w, ids, prefix, candidates):
        # (candidates, states): the state where each extension ends, -1 where it does not occur
        sub = flat_nxt.take(candidates[:, None] * n_states + states[None, :])
        ok = sub >= 0
        support = ok.view(np.uint8) @ w  # integer journey counts: exact
        good = np.flatnonzero((support >= min_counts).any(axis=1))
        # a frequent P > x > y needs P > y frequent: the next candidates are the frequent siblings
        siblings = candidates[good]
        deeper = len(prefix) + 1 < limit
        for i in good:
            pattern = (*prefix, int(candidates[i]))
            mask = ok[i] if deeper or ids is not None else None
            emit(pattern, support[i], None if ids is None else ids[mask])
            if deeper:
                s2, w2 = sub[i, mask], w[mask]
                if ids is None and len(s2) > _MERGE_ABOVE:
                    s2, w2 = _merge(s2, w2, scratch)
                grow(s2, w2, None if ids is None else ids[mask], pattern, siblings)

    start_ids = ids
    states, w = (init, weights) if ids is not None else _merge(init, weights, scratch)
    grow(states, w, start_ids, (), np.arange(nxt.shape[0]))


def _grow_gapped(codes, lengths, seq_of, weights, min_counts, limit, max_gap, k, emit, track) -> None:
    """Depth-first prefix growth over all occurrence end positions (with a gap limit)."""
    n_pos = len(codes)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    end_of = offsets[seq_of + 1]
    steps = np.arange(1, min(max_gap, int(lengths.max()) - 1) + 2)

    def supports(items, pos):
        """Per item (sorted blocks), the weight of the distinct sequences among ``pos``."""
        seq = seq_of[pos]
        first = np.concatenate([[True], (items[1:] != items[:-1]) | (seq[1:] != seq[:-1])])
        fi = items[first]
        starts = np.flatnonzero(np.concatenate([[True], fi[1:] != fi[:-1]]))
        return fi[starts], np.add.reduceat(weights[seq[first]], starts, axis=0)

    def expand(prefix, items, pos):
        """``items``/``pos`` sorted by item then position: the occurrences ending in each item."""
        found, sup = supports(items, pos)
        bounds = np.searchsorted(items, found, side="left"), np.searchsorted(items, found, side="right")
        for x, s, lo, hi in zip(found, sup, *bounds):
            if not (s >= min_counts).any():
                continue
            ends = pos[lo:hi]
            pattern = (*prefix, int(x))
            emit(pattern, s, np.unique(seq_of[ends]) if track else None)
            if len(pattern) < limit:
                step(pattern, ends)

    def step(prefix, ends):
        q = ends[:, None] + steps[None, :]
        valid = q < end_of[ends][:, None]
        q = q[valid]
        items = codes[q]
        q, items = q[items >= 0], items[items >= 0]
        if not len(q):
            return
        key = np.unique(items * n_pos + q)
        expand(prefix, key // n_pos, key % n_pos)

    pos = np.flatnonzero(codes >= 0)
    order = np.lexsort((pos, codes[pos]))
    expand((), codes[pos][order], pos[order])


# --------------------------------------------------------------------------- statistics


def _fisher_two_sided(x: np.ndarray, n_a: float, col: np.ndarray, n: float) -> np.ndarray:
    """Two-sided Fisher exact p-values of many 2×2 tables at once.

    ``x`` journeys with the pattern among ``n_a`` in group a, ``col`` with the pattern in
    all ``n`` journeys.  Sums the probabilities of all tables (same margins) no more
    likely than the observed one, like :func:`scipy.stats.fisher_exact`; the other tail
    is found by bisection on the unimodal hypergeometric distribution.
    """
    x, col = np.asarray(x, float), np.asarray(col, float)
    dist = stats.hypergeom(n, col, n_a)
    lo_x, hi_x = np.maximum(0, col - (n - n_a)), np.minimum(col, n_a)
    mode = np.clip(np.floor((col + 1) * (n_a + 1) / (n + 2)), lo_x, hi_x)
    p_obs = dist.pmf(x)
    thr = p_obs * (1 + 1e-7)
    below = x < mode
    # the far tail: on the other side of the mode, the values with pmf <= threshold
    a = np.where(below, mode, lo_x)  # search interval [a, b] on the far side
    b = np.where(below, hi_x, mode)
    for _ in range(64):
        if not (b - a > 1).any():
            break
        mid = np.floor((a + b) / 2)
        small = dist.pmf(mid) <= thr
        # below: first value above the mode with small pmf; above: last value below the mode
        a = np.where(below, np.where(small, a, mid), np.where(small, mid, a))
        b = np.where(below, np.where(small, mid, b), np.where(small, b, mid))
    cand_b = np.where(dist.pmf(b) <= thr, b, np.inf)
    first_small = np.where(dist.pmf(a) <= thr, a, cand_b)  # below: first far value with small pmf
    cand_a = np.where(dist.pmf(a) <= thr, a, -np.inf)
    last_small = np.where(dist.pmf(b) <= thr, b, cand_a)  # above: last far value with small pmf
    near = np.where(below, dist.cdf(x), dist.sf(x - 1))
    far = np.where(
        below,
        np.where(np.isfinite(first_small), dist.sf(first_small - 1), 0.0),
        np.where(np.isfinite(last_small), dist.cdf(last_small), 0.0),
    )
    p = np.where(x == mode, 1.0, near + far)
    p = np.where(np.abs(p_obs - dist.pmf(mode)) <= 1e-14 * np.maximum(p_obs, dist.pmf(mode)), 1.0, p)
    return np.clip(p, 0.0, 1.0)


def _z(x: np.ndarray, col: np.ndarray, n_a: float, n_b: float) -> np.ndarray:
    """Two-proportion z statistic (pooled) of support in group a against group b."""
    pooled = col / (n_a + n_b)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (x / n_a - (col - x) / n_b) / se
    return np.where(se > 0, z, 0.0)


def _permutation_test(incidence, x, col, per_variant, n_a, n_b, n_permutations, random_state):
    """Permutation p-values of |z| per pattern and Westfall–Young max-|z| adjusted p-values."""
    rng = np.random.default_rng(random_state)
    observed = np.abs(_z(x, col, n_a, n_b)) - 1e-9
    exceed = np.zeros(len(x))
    exceed_max = np.zeros(len(x))
    done = 0
    while done < n_permutations:
        size = min(max(1, 20_000_000 // max(len(per_variant), 1)), 200, n_permutations - done)  # ≤ 160 MB
        draw = rng.multivariate_hypergeometric(per_variant, int(n_a), size=size)  # (size, n_variants)
        xa = np.asarray(incidence @ draw.T, float)  # (n_patterns, size)
        z = np.abs(_z(xa, col[:, None], n_a, n_b))
        exceed += (z >= observed[:, None]).sum(axis=1)
        exceed_max += (z.max(axis=0)[None, :] >= observed[:, None]).sum(axis=1)
        done += size
    return (exceed + 1) / (n_permutations + 1), (exceed_max + 1) / (n_permutations + 1)


# --------------------------------------------------------------------------- public


@journey_analysis(_MINING)
def sequential_patterns(
    events: Any,
    *,
    min_support: float = 0.05,
    max_length: int | None = 4,
    max_gap: int | None = None,
    by: str | Sequence[str] | None = None,
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
    """Frequent gapped subsequences of the journeys, with their support.

    A pattern ``A > B > C`` occurs in a journey when ``A``, ``B`` and ``C`` occur in
    this order, other events allowed in between; its support is the share of journeys
    that contain it at least once.  Repeated touchpoints form patterns too.

    Parameters
    ----------
    events : DataFrame or path
        See :func:`cjm_lab.journeys.build_journeys`.
    min_support : float, default 0.05
        Smallest share of journeys (0 to 1] a pattern must occur in (within its segment).
    max_length : int or None, default 4
        Longest pattern (touchpoints); None for no limit.
    max_gap : int, optional
        Most other events allowed between two consecutive touchpoints of a pattern
        (0: they must follow directly).  Default: any number.
    by : str or list of str, optional
        Segment column(s); patterns are mined within each segment (a journey belongs to
        the segment of its first event) and listed where frequent there.
    {journey_options}

    Returns
    -------
    DataFrame
        Segment columns, then ``pattern`` (touchpoints joined by ``" > "``, as
        :func:`~cjm_lab.untrusted.join_path` writes paths), ``length``,
        ``n_journeys`` (journeys containing it) and ``support`` (share of journeys,
        0–1), by segment, support (descending), length and pattern.
        ``attrs["n_journeys"]`` holds the number of journeys (per segment with ``by``).

    Notes
    -----
    Journeys with identical paths are mined once, weighted by their count.  The result
    equals PrefixSpan's frequent patterns (e.g. the ``prefixspan`` package's
    ``frequent``) with the same absolute threshold ``ceil(min_support × journeys)``;
    the miner keeps, for each pattern, where its leftmost occurrences end as merged
    suffix states, so a length limit and a low support stay fast.  With ``max_gap``
    all occurrences are followed instead (slower); a pattern then need not have its
    sub-patterns frequent, only its prefixes.

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": list("aaaabbbc"),
    ...                    "timestamp": pd.date_range("2025-01-01", periods=8, freq="h", tz="UTC"),
    ...                    "touchpoint": ["Ad", "Shop", "Ad", "Buy", "Ad", "Ad", "Buy", "Shop"],
    ...                    "sequence": range(8)})
    >>> sequential_patterns(ev, min_support=0.6, max_length=2).round(2)
            pattern  length  n_journeys  support
    0            Ad       1           2     0.67
    1           Buy       1           2     0.67
    2          Shop       1           2     0.67
    3       Ad > Ad       2           2     0.67
    4      Ad > Buy       2           2     0.67
    """
    where = "sequential_patterns()"
    share = float(min_support)
    engine = engine_of(engine, old_engine_keywords, where=where)
    options = journey_options(
        touchpoints, journey, session_gap, dedupe, until_conversion, outcome, collapse_repeats, dates, cases
    )
    source, spec, cat = prepare(events, where=where, by=by, options=options, engine=engine)
    seg_first, seg_group = segment_select(spec.segments, spec.dialect)
    d = spec.dialect
    sql = f"""
WITH {journey_ctes(spec, d)},
{_codes_cte(spec.dialect)},
paths AS (
  SELECT j.journey_id, {d.ordered_concat("c.code", _CODE_SEP, "j.step")} AS path{seg_first}
  FROM j JOIN codes AS c ON j.touchpoint = c.touchpoint GROUP BY j.journey_id
)
SELECT {seg_group}path, count(*) AS n FROM paths GROUP BY {seg_group}path
"""
    table = source.run(sql, touchpoints=cat)
    segs = list(spec.segments)
    if segs:
        group = table.groupby(segs, dropna=False, sort=True, observed=True).ngroup().to_numpy()
        keys = table[segs].assign(_g=group).drop_duplicates("_g").sort_values("_g").reset_index(drop=True)
    else:
        group = np.zeros(len(table), np.int64)
        keys = pd.DataFrame(index=[0])
    variant, paths = pd.factorize(table["path"])
    n_groups = int(group.max()) + 1 if len(table) else 1
    weights = np.zeros((len(paths), n_groups))
    np.add.at(weights, (variant, group), table["n"].to_numpy(float))
    totals = weights.sum(axis=0)
    cols = [*segs, "pattern", "length", "n_journeys", "support"]
    names = _touchpoint_names(source, cat) if len(table) else np.empty(0, str)
    flat, lengths = _decode(pd.Series(paths, dtype=object))
    min_counts = _min_count(share, totals)
    found, sup, _ = _mine(flat, lengths, weights, min_counts, max_length=max_length, max_gap=max_gap)
    if found:
        hit = sup >= min_counts
        rows, grp = np.nonzero(hit)
        labels = np.array([join_path(names[list(p)]) for p in found], dtype=object)
        plen = np.array([len(p) for p in found], np.int64)
        out = pd.DataFrame(
            {
                "pattern": labels[rows],
                "length": plen[rows],
                "n_journeys": np.rint(sup[rows, grp]).astype(np.int64),
                "support": sup[rows, grp] / totals[grp],
            }
        )
        for s in segs:
            out[s] = keys[s].to_numpy()[grp]
        out = out[cols]
    else:
        out = pd.DataFrame(
            {
                c: pd.Series(dtype=t)
                for c, t in zip(cols, [*(table[s].dtype for s in segs), object, "int64", "int64", "float64"])
            }
        )
    out = out.sort_values(
        [*segs, "support", "length", "pattern"], ascending=[True] * len(segs) + [False, True, True], kind="stable"
    ).reset_index(drop=True)
    if segs:
        out.attrs["n_journeys"] = {
            tuple(r) if len(segs) > 1 else r[0]: int(t) for r, t in zip(keys[segs].itertuples(index=False), totals)
        }
    else:
        out.attrs["n_journeys"] = int(totals.sum())
    return out


def _outcome_sql(spec, outcome, labels_given: bool, cutoff: str | None) -> str:
    """CTEs ending in ``paths``: per journey the code path cut before the outcome and its group."""
    d = spec.dialect
    if labels_given:
        cut = "l._cut IS NULL OR j.ts < l._cut" if cutoff else "TRUE"
        return f"""
x AS (
  SELECT j.journey_id, j.step, c.code, l._grp, {"l._cut" if cutoff else "NULL"} AS _cut,
         CASE WHEN {cut} THEN c.code END AS _kept
  FROM j JOIN codes AS c ON j.touchpoint = c.touchpoint
  LEFT JOIN labels AS l ON {d.cast_text("j.customer_id")} = l._cid
),
paths AS (
  SELECT journey_id, {d.ordered_concat("_kept", _CODE_SEP, "step")} AS path, min(_grp) AS _grp
  FROM x GROUP BY journey_id
)"""
    match = "j.is_conv" if outcome is None else "j.touchpoint IN (" + ", ".join(literal(o) for o in outcome) + ")"
    return f"""
x AS (
  SELECT j.journey_id, j.step, c.code,
         min(CASE WHEN {match} THEN j.step END) OVER (PARTITION BY j.journey_id) AS _out
  FROM j JOIN codes AS c ON j.touchpoint = c.touchpoint
),
paths AS (
  SELECT journey_id, {d.ordered_concat("CASE WHEN _out IS NULL OR step < _out THEN code END", _CODE_SEP, "step")}
         AS path, max(CASE WHEN _out IS NULL THEN 1 ELSE 0 END) AS _grp
  FROM x GROUP BY journey_id
)"""


def _prepare_labels(labels, outcome, groups, cutoff, where) -> tuple[pd.DataFrame, tuple[Any, Any]]:
    if not isinstance(labels, pd.DataFrame):
        raise CJMConfigError(
            f"`labels` in {where} must be a DataFrame with a customer_id column and the label column named "
            f"by `outcome`, got {type(labels).__name__}."
        )
    if not isinstance(outcome, str):
        raise CJMConfigError(f"With `labels`, `outcome` names the label column of `labels`, got {outcome!r}.")
    require_columns(labels, {"labels": "customer_id", "outcome": outcome, "cutoff": cutoff}, where=where)
    require_unique(labels, "customer_id", where=where)
    present = pd.unique(labels[outcome].dropna())
    if groups is None:
        if len(present) != 2:
            raise CJMConfigError(
                f"{where}: the label column {outcome!r} has {len(present)} value(s) "
                f"({', '.join(map(repr, sorted(map(str, present))[:6]))}); pass `groups=(a, b)` to name the two "
                "groups to compare, e.g. groups=('promoter', 'detractor')."
            )
        groups = tuple(sorted(present, key=str))
    if isinstance(groups, (str, bytes)) or len(groups) != 2:
        raise CJMConfigError(f"`groups` must name two values of {outcome!r}, got {groups!r}.")
    for g in groups:
        if not (labels[outcome] == g).any():
            raise CJMDataError(
                f"{where}: no customer has {outcome!r} = {g!r}.",
                column=outcome,
                fix="Pass two of its values as `groups`: " + ", ".join(map(repr, present[:10])) + ".",
            )
    if cutoff is not None and not isinstance(labels[cutoff].dtype, pd.DatetimeTZDtype):
        raise CJMDataError(
            f"{where}: the `cutoff` column {cutoff!r} is not a UTC datetime column (dtype {labels[cutoff].dtype}).",
            column=cutoff,
            fix="Parse it with pd.to_datetime(..., utc=True) (load_survey does this for dates).",
        )
    grp = np.where(labels[outcome] == groups[0], 0, np.where(labels[outcome] == groups[1], 1, -1))
    frame = pd.DataFrame({"_cid": labels["customer_id"].astype(str).to_numpy(), "_grp": grp})
    if cutoff is not None:
        frame["_cut"] = labels[cutoff].to_numpy()
    return frame[frame["_grp"] >= 0].reset_index(drop=True), (groups[0], groups[1])


@journey_analysis(
    {
        **_MINING,
        "alpha": [ALPHA],
        "method": [
            StrOptions(
                {
                    "fisher": "Fisher exact tests, Benjamini–Hochberg adjusted",
                    "permutation": "permuted group labels, Westfall–Young adjusted",
                }
            )
        ],
        "n_permutations": [WHOLE_NUMBER],
        "random_state": RANDOM_STATE,
    },
    outcome_option=False,
)
def discriminating_patterns(
    events: Any,
    *,
    outcome: str | Sequence[str],
    labels: pd.DataFrame | None = None,
    groups: Sequence[Any] | None = None,
    cutoff: str | None = None,
    min_support: float = 0.02,
    max_length: int | None = 3,
    max_gap: int | None = None,
    alpha: float = 0.05,
    method: str = "fisher",
    n_permutations: int = 999,
    random_state: int = 0,
    touchpoints: pd.DataFrame | None = None,
    journey: str = "customer",
    session_gap: str | float = "30min",
    dedupe: bool = True,
    until_conversion: bool = False,
    collapse_repeats: str = "off",
    dates: Any = None,
    cases: Any = None,
    engine: Engine | None = None,
    **old_engine_keywords: Any,
) -> pd.DataFrame:
    """Patterns that separate two groups of journeys: converters from the rest, promoters from detractors.

    Parameters
    ----------
    events : DataFrame or path
        See :func:`cjm_lab.journeys.build_journeys`.
    outcome : str or list of str
        Without ``labels``: the outcome touchpoint(s), or ``"conversion"`` for the
        journeys' conversions (the catalogue's ``is_conversion``).  ``conversions=[...]``
        with ``outcome="conversion"`` is now ``outcome=[...]`` (the old form warns until
        cjm-lab 0.3).
        Group a are the journeys that reach it, cut **before** their first outcome
        event (the outcome and what follows never form a pattern); group b the others,
        whole.  With ``labels``: the label column of ``labels``.
    labels : DataFrame, optional
        One row per customer: ``customer_id`` and the ``outcome`` column (e.g. NPS
        group).  Journeys of customers without a label in ``groups`` are left out
        (counted in ``attrs["n_left_out"]``).
    groups : pair, optional
        With ``labels``: the two label values to compare, group a first (default: the
        two values present, sorted).
    cutoff : str, optional
        With ``labels``: a UTC datetime column (the survey answer time); only events
        before it count.
    min_support : float, default 0.02
        Patterns are tested when they occur in at least this share of group a or of
        group b.
    max_length : int or None, default 3
        Longest pattern (touchpoints).
    max_gap : int, optional
        As in :func:`sequential_patterns`.
    alpha : float, default 0.05
        Level of ``significant``.
    method : {"fisher", "permutation"}, default "fisher"
        ``"fisher"``: Fisher exact test per pattern, Benjamini–Hochberg adjusted
        (false discovery rate).  ``"permutation"``: the group labels are permuted among
        the journeys ``n_permutations`` times (``random_state`` fixes the draws);
        ``p_value`` is the permutation p-value of the two-proportion z statistic and
        ``p_adjusted`` the Westfall–Young max-|z| adjustment (family-wise error, valid
        for the strongly overlapping patterns).
    n_permutations : int, default 999
        Permutations of the ``"permutation"`` method (the smallest p-value is
        ``1 / (n_permutations + 1)``).
    random_state : int, default 0
        Seed of the permutations: the same call gives the same p-values.
    {journey_options}

    Returns
    -------
    DataFrame
        ``pattern``, ``length``, ``n_a`` and ``support_a`` (journeys of group a with the
        pattern, and their share), ``n_b``, ``support_b``, ``difference``
        (``support_a - support_b``), ``lift`` (``support_a / support_b``; inf when
        ``support_b`` is 0), ``odds_ratio`` (sample odds ratio; 0.5 added to each cell
        when one is zero), ``p_value``, ``p_adjusted``, ``significant``
        (``p_adjusted < alpha``); by ``p_adjusted`` and ``p_value``, then the largest
        absolute difference, shorter first.  ``attrs`` holds ``groups`` (a, b),
        ``n_journeys`` per group, ``n_left_out`` and ``method``.

    Notes
    -----
    Journeys of group a that reach the outcome at their first event are empty after the
    cut; they count in group a's size (and in no pattern).  Journeys are cut at the
    outcome, not aligned in time: non-converters' whole journeys may be longer than
    converters' pre-outcome parts, and a longer journey contains more patterns, so read
    a large lift of a common pattern in group b with the journey lengths in mind.

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": list("aaabbbccdd"),
    ...                    "timestamp": pd.to_datetime(["2025-01-01"] * 10, utc=True),
    ...                    "touchpoint": ["Ad", "Cart", "Buy", "Ad", "Cart", "Buy", "Ad", "Exit",
    ...                                   "Ad", "Exit"], "sequence": range(10)})
    >>> out = discriminating_patterns(ev, outcome="Buy", min_support=0.5)
    >>> out[["pattern", "support_a", "support_b", "p_value"]].round(2)
           pattern  support_a  support_b  p_value
    0       Cart        1.0        0.0     0.33
    1       Exit        0.0        1.0     0.33
    2  Ad > Cart        1.0        0.0     0.33
    3  Ad > Exit        0.0        1.0     0.33
    4         Ad        1.0        1.0     1.00
    >>> out.attrs["groups"], out.attrs["n_journeys"]
    (('converted', 'not converted'), {'converted': 2, 'not converted': 2})
    """
    where = "discriminating_patterns()"
    share = float(min_support)
    conversions = old_conversions(
        old_engine_keywords,
        where=where,
        fix="pass the conversion touchpoints as outcome=[...] instead of outcome='conversion' "
        "(or mark them in the catalogue's is_conversion)",
    )
    engine = engine_of(engine, old_engine_keywords, where=where)
    options = journey_options(
        touchpoints, journey, session_gap, dedupe, until_conversion, conversions, collapse_repeats, dates, cases
    )
    source, spec, cat = prepare(events, where=where, options=options, engine=engine)
    extra = None
    if labels is not None:
        frame, pair = _prepare_labels(labels, outcome, groups, cutoff, where)
        extra = {"labels": frame}
        touch: list[str] | None = None
    else:
        if groups is not None or cutoff is not None:
            raise CJMConfigError(
                "`groups` and `cutoff` go with `labels=` (a per-customer label); an outcome touchpoint compares "
                "the journeys that reach it with the others."
            )
        pair = (CONVERTED, NOT_CONVERTED)
        touch = [outcome] if isinstance(outcome, str) else list(outcome or [])
        if not touch or not all(isinstance(o, str) and o for o in touch):
            raise CJMConfigError(f"`outcome` must name a touchpoint (or several), or 'conversion'; got {outcome!r}.")
        if touch == ["conversion"]:
            if spec.conversions is None and "is_conversion" not in spec.catalogue:
                raise CJMConfigError(
                    f"{where}: outcome='conversion' needs to know the conversions: pass the touchpoints as "
                    "`outcome=[...]` or a catalogue (`touchpoints=`) with an is_conversion column."
                )
            touch = None
        elif (known := source.known_touchpoints()) is not None:
            missing = [o for o in touch if o not in known]
            if missing:
                raise CJMDataError(
                    f"{where}: the outcome {missing[0]!r} does not occur in the events.{suggest(missing[0], known)}",
                    column="touchpoint",
                    fix="Name a touchpoint of the log as `outcome`, or outcome='conversion' for the conversions.",
                )
    sql = f"""
WITH {journey_ctes(spec)},
{_codes_cte(spec.dialect)},
{_outcome_sql(spec, touch, labels is not None, cutoff)}
SELECT coalesce(path, '') AS path, _grp, count(*) AS n FROM paths GROUP BY coalesce(path, ''), _grp
"""
    table = source.run(sql, touchpoints=cat, extra=extra)
    left_out = int(table.loc[table["_grp"].isna(), "n"].sum())
    # the engine returns groups in any order: sort, so that permutation draws are reproducible
    table = table[table["_grp"].notna()].sort_values(["path", "_grp"], kind="stable")
    group = table["_grp"].to_numpy().astype(np.int64)
    variant, paths = pd.factorize(table["path"])
    weights = np.zeros((len(paths), 2))
    np.add.at(weights, (variant, group), table["n"].to_numpy(float))
    n_a, n_b = weights.sum(axis=0)
    for name, n in zip(pair, (n_a, n_b)):
        if n == 0:
            raise CJMDataError(
                f"{where}: no journey falls into the group {name!r}, so there is nothing to compare.",
                column="touchpoint" if labels is None else str(outcome),
                fix="Check the outcome (a touchpoint some journeys reach and others do not) or the labels and "
                "their customer ids.",
            )
    names = _touchpoint_names(source, cat)
    flat, lengths = _decode(pd.Series(paths, dtype=object))
    found, sup, ids = _mine(
        flat,
        lengths,
        weights,
        _min_count(share, np.array([n_a, n_b])),
        max_length=max_length,
        max_gap=max_gap,
        track=method == "permutation",
    )
    x, y = (sup[:, 0], sup[:, 1]) if len(found) else (np.empty(0), np.empty(0))
    col = x + y
    sa, sb = x / n_a, y / n_b
    zero = (x == 0) | (y == 0) | (x == n_a) | (y == n_b)
    h = np.where(zero, 0.5, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = np.where(sb > 0, sa / np.where(sb > 0, sb, 1), np.inf)
        odds = ((x + h) * (n_b - y + h)) / ((n_a - x + h) * (y + h))
    if method == "fisher":
        p = _fisher_two_sided(x, n_a, col, n_a + n_b) if len(found) else np.empty(0)
        p_adj = stats.false_discovery_control(p, method="bh") if len(found) else np.empty(0)
    else:
        from scipy import sparse

        if len(found) and ids is not None:
            indptr = np.concatenate([[0], np.cumsum([len(i) for i in ids])])
            incidence = sparse.csr_matrix(
                (np.ones(indptr[-1]), np.concatenate(ids), indptr), shape=(len(found), len(paths))
            )
            per_variant = weights.sum(axis=1).astype(np.int64)
            p, p_adj = _permutation_test(incidence, x, col, per_variant, n_a, n_b, n_permutations, random_state)
        else:
            p = p_adj = np.empty(0)
    out = pd.DataFrame(
        {
            "pattern": [join_path(names[list(f)]) for f in found],
            "length": np.array([len(f) for f in found], np.int64),
            "n_a": np.rint(x).astype(np.int64),
            "support_a": sa,
            "n_b": np.rint(y).astype(np.int64),
            "support_b": sb,
            "difference": sa - sb,
            "lift": lift,
            "odds_ratio": odds,
            "p_value": p,
            "p_adjusted": p_adj,
        }
    )
    out["significant"] = out["p_adjusted"] < alpha
    out["_abs"] = -out["difference"].abs()
    out = out.sort_values(["p_adjusted", "p_value", "_abs", "length", "pattern"], kind="stable")
    out = out.drop(columns="_abs").reset_index(drop=True)
    out.attrs.update(
        {"groups": pair, "n_journeys": {pair[0]: int(n_a), pair[1]: int(n_b)}, "n_left_out": left_out, "method": method}
    )
    return out
