"""Journey clustering: customers grouped by the ways they take, each group with its typical path.

Each journey becomes a bag of touchpoint n-grams (single touchpoints, pairs of
consecutive touchpoints, …) counted in SQL by the engine; the counts are weighted by
TF-IDF (so that a touchpoint every journey has does not dominate) and clustered with
k-means, the number of clusters chosen by the silhouette on a subsample.  Clusters are
numbered by size (1 = largest) and described by their most frequent path and the
n-grams that set them apart.  :func:`crosstab_with` links them to personas (or any
customer attribute) by ``customer_id``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.metrics import adjusted_rand_score

from cjm_lab._params import (
    COUNT,
    K_RANGE,
    RANDOM_STATE,
    WHOLE_NUMBER,
    Integral,
    Interval,
    Real,
    StrOptions,
    k_candidates,
    outside_stacklevel,
    validate_params,
)
from cjm_lab._validate import require_columns, require_frame, require_unique
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.journeys._dialect import literal
from cjm_lab.journeys._options import Engine
from cjm_lab.journeys.build import engine_of, journey_analysis, journey_options, prepare
from cjm_lab.journeys.paths import PATH_SEPARATOR
from cjm_lab.journeys.sql import journey_ctes, path_name_sql

__all__ = ["cluster_journeys", "JourneyClusters", "crosstab_with"]

#: Above this many journeys k-means runs in mini-batches.
MINIBATCH_ABOVE = 20_000
#: Feature matrices up to this many cells are fitted dense (faster k-means).
DENSE_UP_TO = 20_000_000
#: Separator of the distinctive n-grams listed per cluster.
TERM_SEPARATOR = " | "


@dataclass(frozen=True)
class JourneyClusters:
    """The result of :func:`cluster_journeys`.

    Attributes
    ----------
    assignments : DataFrame
        ``journey_id, customer_id, cluster`` (1 = largest cluster), one row per journey.
    clusters : DataFrame
        One row per cluster: ``cluster, n_journeys, share`` (percent), ``conversion_rate``
        (percent of its journeys with a conversion; NaN when conversions are unknown),
        ``mean_length`` (events), ``typical_path`` (its most frequent variant),
        ``typical_path_pct`` (percent of the cluster on exactly that path),
        ``top_ngrams`` (the n-grams most over-represented in it, by TF-IDF, joined by
        ``" | "``).
    search : DataFrame
        ``k, silhouette, stability, inertia``: the silhouette (on a subsample) of each k tried and
        its seed stability (mean adjusted Rand index of the clusters found with other seeds).
    k : int
        The number of clusters used.
    terms : list of str
        The n-gram vocabulary (the feature names).
    model : estimator
        The fitted k-means model (its labels are before renumbering by size).
    recommended_k : int or None
        ``k`` when the clusters are real structure (silhouette and seed stability at least
        ``min_silhouette`` and ``min_stability``), ``None`` when they are not: the clusters are
        then descriptive groups, and ``reason`` says why.
    reason : dict
        ``{"en": ..., "de": ...}``: the verdict in words, with its numbers (and whether ``k`` lies at
        the edge of the searched range).
    """

    assignments: pd.DataFrame
    clusters: pd.DataFrame
    search: pd.DataFrame
    k: int
    terms: list[str] = field(repr=False)
    model: Any = field(repr=False)
    recommended_k: int | None = None
    reason: dict[str, str] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return (
            f"JourneyClusters(k={self.k}, recommended_k={self.recommended_k}, journeys={len(self.assignments)}, "
            f"terms={len(self.terms)})"
        )


def _check(k: Any, k_range: Any, ngram: Any, where: str) -> tuple:
    ks = k_candidates(k_range, where=where) if isinstance(k, str) else [int(k)]
    try:
        lo, hi = (int(ngram), int(ngram)) if isinstance(ngram, (int, np.integer)) else (int(ngram[0]), int(ngram[1]))
    except (TypeError, ValueError, IndexError):
        lo, hi = 0, 0
    if not 1 <= lo <= hi <= 3:
        raise CJMConfigError(f"`ngram` must be a range (shortest, longest) within 1..3, e.g. (1, 2); got {ngram!r}.")
    return ks, lo, hi


#: A number of journeys drawn (at least 10), or None for all.
_JOURNEYS = [Interval(Integral, 10, None, note="journeys"), None]
#: A threshold of the silhouette or the stability.
_SCORE = [Interval(Real, -1, 1)]


def _ngram_sql(spec: Any, lo: int, hi: int, max_features: int | None) -> str:
    """The kept n-grams of every journey with their counts (long table)."""
    sep = literal(PATH_SEPARATOR)
    leads = "".join(f", lead(tp, {i}) OVER w AS g{i + 1}" for i in range(1, hi))
    parts = []
    for n in range(lo, hi + 1):
        term = f" || {sep} || ".join(f"g{i}" for i in range(1, n + 1))
        cond = f" WHERE g{n} IS NOT NULL" if n > 1 else ""
        parts.append(f"SELECT journey_id, {term} AS term FROM g{cond}")
    limit = f" LIMIT {int(max_features)}" if max_features else ""
    return f"""
WITH {journey_ctes(spec)},
g0 AS (SELECT journey_id, step, {path_name_sql("touchpoint")} AS tp FROM j),
g AS (SELECT journey_id, step, tp AS g1{leads} FROM g0 WINDOW w AS (PARTITION BY journey_id ORDER BY step)),
grams AS ({" UNION ALL ".join(parts)}),
terms AS (SELECT term, count(DISTINCT journey_id) AS df FROM grams GROUP BY term),
keep AS (SELECT term FROM terms ORDER BY df DESC, term{limit})
SELECT grams.journey_id, grams.term, count(*) AS n FROM grams JOIN keep ON keep.term = grams.term
GROUP BY grams.journey_id, grams.term
"""


def _journey_sql(spec: Any) -> str:
    d = spec.dialect
    return f"""
WITH {journey_ctes(spec, d)}
SELECT journey_id, {d.arg_min("customer_id", "step")} AS customer_id,
       {d.ordered_concat(path_name_sql("touchpoint"), PATH_SEPARATOR, "step")} AS path, count(*) AS length,
       max(CASE WHEN is_conv THEN 1 ELSE 0 END) AS converted
FROM j GROUP BY journey_id ORDER BY journey_id
"""


def _kmeans(k: int, n: int, random_state: Any) -> Any:
    from sklearn.cluster import KMeans, MiniBatchKMeans

    if n > MINIBATCH_ABOVE:
        return MiniBatchKMeans(n_clusters=k, n_init=3, batch_size=4096, random_state=random_state)
    return KMeans(n_clusters=k, n_init=4, random_state=random_state)


@journey_analysis(
    {
        "k": [Interval(Integral, 2, None, closed="left", note="clusters"), StrOptions({"auto"})],
        "k_range": [K_RANGE],
        "max_features": [WHOLE_NUMBER, None],
        "random_state": RANDOM_STATE,
        "sample": _JOURNEYS,
        "silhouette_sample": _JOURNEYS,
        "top_ngrams": [WHOLE_NUMBER],
        "min_silhouette": _SCORE,
        "min_stability": _SCORE,
        "n_seeds": [COUNT],
    }
)
def cluster_journeys(
    events: Any,
    *,
    k: int | str = "auto",
    k_range: Sequence[int] = range(2, 9),
    ngram: tuple[int, int] = (1, 2),
    max_features: int | None = 1000,
    random_state: int | None = 0,
    sample: int | None = None,
    silhouette_sample: int = 2000,
    top_ngrams: int = 5,
    min_silhouette: float = 0.25,
    min_stability: float = 0.8,
    n_seeds: int = 3,
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
) -> JourneyClusters:
    """Cluster journeys by their touchpoint n-grams (TF-IDF + k-means, silhouette search).

    Parameters
    ----------
    events : DataFrame or path
        See :func:`cjm_lab.journeys.build_journeys`.
    k : "auto" or int, default "auto"
        Number of clusters, or ``"auto"``: the k of ``k_range`` with the best silhouette.
    k_range : range of int, default range(2, 9)
        The numbers of clusters tried with ``k="auto"``.
    ngram : (shortest, longest), default (1, 2)
        N-gram lengths used as features: 1 = touchpoints, 2 = consecutive pairs, 3 =
        triples (at most 3).
    max_features : int or None, default 1000
        Keep the n-grams found in most journeys (ties by name).
    random_state : int, optional
        Seed of k-means and of the subsamples.
    sample : int, optional
        Fit k-means on at most this many journeys (drawn at random), then assign all.
        Above 20,000 journeys k-means runs in mini-batches.
    silhouette_sample : int, default 2000
        Journeys on which the silhouette of each k is measured.
    top_ngrams : int, default 5
        How many distinctive n-grams describe each cluster.
    min_silhouette, min_stability : float, default 0.25 and 0.8
        Below a silhouette of 0.25 (Kaufman & Rousseeuw: "no substantial structure") or a seed
        stability of 0.8 (the clusters found again with other seeds, adjusted Rand index) the
        clusters are no structure: ``recommended_k`` is ``None``, ``reason`` says why and a
        ``UserWarning`` is raised.  With ``k="auto"`` the k with the best silhouette among those
        meeting both is chosen (the best silhouette when none does).
    n_seeds : int, default 3
        Further k-means runs with other seeds per k for the stability (0 skips it).
    {journey_options}

    Returns
    -------
    JourneyClusters
        ``assignments``, ``clusters``, ``search``, ``k``, ``terms``, ``model`` (see
        :class:`JourneyClusters`).

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": [c for c in "abcdef" for _ in range(3)],
    ...                    "timestamp": pd.date_range("2025-01-01", periods=18, freq="h", tz="UTC"),
    ...                    "touchpoint": ["Ad", "Shop", "Buy"] * 4 + ["Hotline", "Chat", "Hotline"] * 2,
    ...                    "sequence": range(18)})
    >>> res = cluster_journeys(ev, k=2, outcome=["Buy"])
    >>> res.clusters[["cluster", "n_journeys", "conversion_rate", "typical_path"]]
       cluster  n_journeys  conversion_rate             typical_path
    0        1           4            100.0          Ad > Shop > Buy
    1        2           2              0.0  Hotline > Chat > Hotline
    >>> res.assignments["cluster"].tolist()
    [1, 1, 1, 1, 2, 2]
    """
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.metrics import silhouette_score
    from threadpoolctl import threadpool_limits

    where = "cluster_journeys()"
    ks, lo, hi = _check(k, k_range, ngram, where)
    engine = engine_of(engine, old_engine_keywords, where=where)
    options = journey_options(
        touchpoints, journey, session_gap, dedupe, until_conversion, outcome, collapse_repeats, dates, cases
    )
    source, spec, cat = prepare(events, where=where, options=options, engine=engine)
    journeys = source.run(_journey_sql(spec), touchpoints=cat)
    grams = source.run(_ngram_sql(spec, lo, hi, max_features), touchpoints=cat)
    n = len(journeys)
    if n < max(ks) + 1 or n < 3:
        raise CJMDataError(
            f"{where}: {n} journey(s) cannot form {max(ks)} clusters.",
            fix="Use more journeys, or a smaller `k` / `k_range`.",
        )
    rows = pd.Index(journeys["journey_id"]).get_indexer(grams["journey_id"])
    cols, terms = pd.factorize(grams["term"], sort=True)
    counts = sparse.csr_matrix((grams["n"].to_numpy(float), (rows, cols)), shape=(n, len(terms)))
    x = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
    rng = np.random.default_rng(random_state)
    fit_idx = np.sort(rng.choice(n, size=sample, replace=False)) if sample and n > sample else np.arange(n)
    sil_idx = np.sort(rng.choice(n, size=silhouette_sample, replace=False)) if n > silhouette_sample else np.arange(n)
    x_fit, x_sil = x[fit_idx], x[sil_idx]
    if x_fit.shape[0] * x_fit.shape[1] <= DENSE_UP_TO:
        x_fit = x_fit.toarray()
    search, models = [], {}
    # Small fits run on one thread: OpenMP start-up and spinning cost more than they save there
    # (3,000 journeys: 0.1 s on one thread, 1-3 s on two busy cores).
    with threadpool_limits(1 if len(fit_idx) <= MINIBATCH_ABOVE else None):
        for kk in ks:  # a handful of k, each fit vectorised
            if kk >= len(fit_idx):
                continue
            model = _kmeans(kk, len(fit_idx), random_state).fit(x_fit)
            labels = model.predict(x_sil)
            sil = float(silhouette_score(x_sil, labels)) if 1 < len(np.unique(labels)) < len(sil_idx) else np.nan
            # seed stability: the same k from other seeds, compared on the silhouette journeys
            base = 0 if random_state is None else int(random_state)
            aris = [
                adjusted_rand_score(labels, _kmeans(kk, len(fit_idx), base + 7919 * (i + 1)).fit(x_fit).predict(x_sil))
                for i in range(int(n_seeds))  # a handful of runs, each vectorised
            ]
            stab = float(np.mean(aris)) if aris else np.nan
            search.append({"k": kk, "silhouette": sil, "stability": stab, "inertia": float(model.inertia_)})
            models[kk] = model
        search_table = pd.DataFrame(search)
        if search_table.empty:
            raise CJMDataError(
                f"{where}: too few journeys ({len(fit_idx)} fitted) for k = {ks}.",
                fix="Use more journeys (or a larger `sample`), or a smaller `k`.",
            )
        meets = (search_table["silhouette"] >= min_silhouette) & (
            search_table["stability"].isna() | (search_table["stability"] >= min_stability)
        )
        if k == "auto":
            valid = search_table[meets] if meets.any() else search_table.dropna(subset=["silhouette"])
            best = int(valid.loc[valid["silhouette"].idxmax(), "k"]) if len(valid) else int(search_table["k"].iloc[0])
        else:
            best = ks[0]
        model = models[best]
        chosen = search_table.set_index("k").loc[best]
        recommended, reason = _verdict(
            best, bool(meets[search_table["k"] == best].any()), chosen, ks, k == "auto", min_silhouette, min_stability
        )
        if recommended is None:
            import warnings

            warnings.warn(f"{where}: {reason['en']}", UserWarning, stacklevel=outside_stacklevel())
        raw = model.predict(x)
    sizes = np.bincount(raw, minlength=best)
    order = np.lexsort((np.arange(best), -sizes))  # largest first, ties by model label
    relabel = np.empty(best, dtype=np.int64)
    relabel[order] = np.arange(1, best + 1)
    labels = relabel[raw]
    assignments = journeys[["journey_id", "customer_id"]].copy()
    assignments["cluster"] = labels
    clusters = _describe(
        journeys,
        labels,
        x,
        list(map(str, terms)),
        best,
        top_ngrams,
        known_conversions=spec.conversions is not None or "is_conversion" in spec.catalogue,
    )
    return JourneyClusters(
        assignments=assignments,
        clusters=clusters,
        search=search_table,
        k=best,
        terms=list(map(str, terms)),
        model=model,
        recommended_k=recommended,
        reason=reason,
    )


def _verdict(
    k: int, ok: bool, row: pd.Series, ks: list[int], auto: bool, min_sil: float, min_stab: float
) -> tuple[int | None, dict[str, str]]:
    """The recommended k (or None) and why, in English and German."""
    sil, stab = float(row["silhouette"]), float(row["stability"])
    stab_en = f", seed stability {stab:.2f}" if np.isfinite(stab) else ""
    stab_de = f", Seed-Stabilität {stab:.2f}".replace(".", ",") if np.isfinite(stab) else ""
    if not ok:
        weak_en, weak_de = [], []
        if not sil >= min_sil:
            weak_en.append(f"the silhouette is {sil:.2f} (below {min_sil:.2f})")
            weak_de.append(f"die Silhouette ist {sil:.2f} (unter {min_sil:.2f})".replace(".", ","))
        if np.isfinite(stab) and stab < min_stab:
            weak_en.append(f"the clusters change with the seed (adjusted Rand {stab:.2f}, below {min_stab:.2f})")
            de_stab = f"{stab:.2f}, unter {min_stab:.2f}".replace(".", ",")
            weak_de.append(f"die Cluster ändern sich mit dem Seed (adjustierter Rand-Index {de_stab})")
        return None, {
            "en": f"no clear structure at k = {k}: {' and '.join(weak_en)}; read the clusters as descriptive groups, "
            "not as types of journeys",
            "de": f"keine klare Struktur bei k = {k}: {' und '.join(weak_de)}; die Cluster sind beschreibende "
            "Gruppen, keine Journey-Typen",
        }
    en = f"k = {k}: silhouette {sil:.2f}{stab_en}"
    de = f"k = {k}: Silhouette {sil:.2f}".replace(".", ",") + stab_de
    if auto and len(ks) > 1 and k == max(ks):
        en += f"; at the top of the searched range ({min(ks)}-{max(ks)}): a larger k_range may fit better"
        de += f"; am oberen Ende des durchsuchten Bereichs ({min(ks)}-{max(ks)}): ein größerer k_range passt vielleicht"
    elif auto and len(ks) > 1 and k == min(ks) and k > 2:
        en += f"; at the bottom of the searched range ({min(ks)}-{max(ks)}): a smaller k may fit better"
        de += f"; am unteren Ende des durchsuchten Bereichs ({min(ks)}-{max(ks)}): ein kleineres k passt vielleicht"
    return k, {"en": en, "de": de}


def _describe(
    journeys: pd.DataFrame,
    labels: np.ndarray,
    x: sparse.csr_matrix,
    terms: list[str],
    k: int,
    top: int,
    known_conversions: bool,
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "cluster": labels,
            "path": journeys["path"].to_numpy(),
            "length": journeys["length"].to_numpy(float),
            "converted": journeys["converted"].to_numpy(float),
        }
    )
    stats = frame.groupby("cluster").agg(
        n_journeys=("path", "size"), conversion_rate=("converted", "mean"), mean_length=("length", "mean")
    )
    stats["share"] = stats["n_journeys"] / len(frame) * 100
    stats["conversion_rate"] = stats["conversion_rate"] * 100 if known_conversions else np.nan
    paths = frame.groupby(["cluster", "path"]).size().rename("n").reset_index()
    paths = paths.sort_values(["cluster", "n", "path"], ascending=[True, False, True], kind="stable")
    typical = paths.groupby("cluster").head(1).set_index("cluster")
    stats["typical_path"] = typical["path"]
    stats["typical_path_pct"] = typical["n"] / stats["n_journeys"] * 100
    # distinctive n-grams: cluster mean of the TF-IDF weights minus the overall mean
    member = sparse.csr_matrix((np.ones(len(labels)), (labels - 1, np.arange(len(labels)))), shape=(k, len(labels)))
    means = np.asarray((member @ x).todense()) / np.bincount(labels - 1, minlength=k)[:, None]
    lift = means - np.asarray(x.mean(axis=0))
    best = np.argsort(-lift, axis=1, kind="stable")[:, :top]
    names = np.array(terms, dtype=object)
    stats["top_ngrams"] = [TERM_SEPARATOR.join(names[row][lift[i, row] > 0]) for i, row in enumerate(best)]
    stats = stats.reset_index()
    stats["n_journeys"] = stats["n_journeys"].astype("int64")
    return stats[
        [
            "cluster",
            "n_journeys",
            "share",
            "conversion_rate",
            "mean_length",
            "typical_path",
            "typical_path_pct",
            "top_ngrams",
        ]
    ]


@validate_params({"column": [str, None]})
def crosstab_with(assignments: pd.DataFrame, other: pd.DataFrame, *, column: str | None = None) -> pd.DataFrame:
    """Clusters against personas (or any customer attribute), linked by ``customer_id``.

    Parameters
    ----------
    assignments : DataFrame
        ``JourneyClusters.assignments`` (``customer_id``, ``cluster``).
    other : DataFrame
        One row per customer: ``customer_id`` and the attribute, e.g. the personas
        (``customer_id, persona``).
    column : str, optional
        The attribute column (default: the one column of ``other`` besides
        ``customer_id``).

    Returns
    -------
    DataFrame
        ``cluster``, the attribute, ``n`` (journeys), ``pct_of_cluster`` (percent of the
        cluster's journeys with this value), ``pct_of_group`` (percent of this value's
        journeys in the cluster).  Customers missing from ``other`` appear with a
        missing value, never dropped.

    Examples
    --------
    >>> a = pd.DataFrame({"customer_id": ["a", "b", "c"], "cluster": [1, 1, 2]})
    >>> p = pd.DataFrame({"customer_id": ["a", "b", "c"], "persona": ["x", "y", "y"]})
    >>> crosstab_with(a, p)
       cluster persona  n  pct_of_cluster  pct_of_group
    0        1       x  1            50.0         100.0
    1        1       y  1            50.0          50.0
    2        2       y  1           100.0          50.0
    """
    where = "crosstab_with()"
    require_frame(assignments, where=where)
    require_frame(other, where=where)
    require_columns(assignments, {"assignments": ["customer_id", "cluster"]}, where=where)
    if column is None:
        rest = [c for c in other.columns if c != "customer_id"]
        if len(rest) != 1:
            raise CJMConfigError(
                f"{where}: name the attribute with `column=`; `other` has the columns {', '.join(map(repr, rest))}."
            )
        column = str(rest[0])
    require_columns(other, {"other": "customer_id", "column": column}, where=where)
    require_unique(other, "customer_id", where=where)
    if column in ("cluster", "n"):
        raise CJMConfigError(f"{where}: the attribute may not be called {column!r}; rename it first.")
    left = assignments[["customer_id", "cluster"]].assign(customer_id=lambda d: d["customer_id"].astype("str"))
    right = other[["customer_id", column]].assign(customer_id=lambda d: d["customer_id"].astype("str"))
    merged = left.merge(right, on="customer_id", how="left")
    table = merged.groupby(["cluster", column], dropna=False, observed=True).size().rename("n").reset_index()
    table["pct_of_cluster"] = table["n"] / table.groupby("cluster")["n"].transform("sum") * 100
    table["pct_of_group"] = table["n"] / table.groupby(column, dropna=False)["n"].transform("sum") * 100
    table["n"] = table["n"].astype("int64")
    return table.sort_values(["cluster", column], kind="stable").reset_index(drop=True)
