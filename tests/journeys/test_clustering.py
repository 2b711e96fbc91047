"""Journey clustering: planted journey types recovered, converters separated on the sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import adjusted_rand_score

from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.journeys.clustering import JourneyClusters, cluster_journeys, crosstab_with

TYPES = [
    ["Search ad", "Website", "Product page", "Cart", "Checkout payment", "Order confirmation"],
    ["Store visit", "Sales call", "Store visit", "Checkout payment", "Order confirmation"],
    ["Newsletter", "Service hotline", "Service chat", "Service hotline", "Return"],
]
ALL = sorted({tp for t in TYPES for tp in t} | {"Billboard", "Invoice", "Delivery"})


def planted(per_type: int = 100, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """Journeys of three planted types with noise: each event dropped with p 0.15, and one random
    touchpoint inserted at a random place in half of the journeys."""
    rng = np.random.default_rng(seed)
    rows, truth = [], {}
    for kind, template in enumerate(TYPES):
        for i in range(per_type):
            path = [tp for tp in template if rng.random() > 0.15]
            if rng.random() < 0.5:
                path.insert(int(rng.integers(0, len(path) + 1)), ALL[int(rng.integers(len(ALL)))])
            cid = f"t{kind}-{i:03d}"
            truth[cid] = kind
            rows += [(cid, step, tp) for step, tp in enumerate(path)]
    ev = pd.DataFrame(rows, columns=["customer_id", "step", "touchpoint"])
    ev["timestamp"] = pd.Timestamp("2025-03-01", tz="UTC") + pd.to_timedelta(ev["step"], unit="h")
    ev["sequence"] = np.arange(len(ev))
    return ev.drop(columns="step"), pd.Series(truth)


def test_planted_journey_types_are_recovered():
    ev, truth = planted()
    res = cluster_journeys(ev, k_range=range(2, 7), outcome=["Order confirmation"])
    assert isinstance(res, JourneyClusters)
    assert res.k == 3  # the silhouette search finds the three planted types
    assert res.search["k"].tolist() == [2, 3, 4, 5, 6]
    assert res.search.set_index("k")["silhouette"].idxmax() == 3
    labels = res.assignments.set_index("customer_id")["cluster"]
    ari = adjusted_rand_score(truth.loc[labels.index], labels)
    assert ari >= 0.9
    clusters = res.clusters
    assert clusters["cluster"].tolist() == [1, 2, 3]
    assert clusters["n_journeys"].is_monotonic_decreasing  # numbered by size
    assert clusters["n_journeys"].sum() == 300 and clusters["share"].sum() == pytest.approx(100)
    # each cluster's typical path is its planted template; the service journeys convert only by noise
    assert set(clusters["typical_path"]) == {" > ".join(t) for t in TYPES}
    service = clusters.set_index("typical_path").loc[" > ".join(TYPES[2])]
    assert service["conversion_rate"] < 10
    assert (clusters.set_index("typical_path").drop(index=" > ".join(TYPES[2]))["conversion_rate"] > 80).all()
    assert "Service chat" in service["top_ngrams"]
    assert res.assignments.columns.tolist() == ["journey_id", "customer_id", "cluster"]
    assert len(res.terms) > len(ALL)  # touchpoints and pairs


def test_fixed_k_trigrams_sample_and_seed():
    ev, truth = planted(per_type=60, seed=2)
    res = cluster_journeys(ev, k=3, ngram=(1, 3), sample=120, random_state=4)
    assert res.search["k"].tolist() == [3]
    assert any(t.count(" > ") == 2 for t in res.terms)  # triples are features
    labels = res.assignments.set_index("customer_id")["cluster"]
    assert adjusted_rand_score(truth.loc[labels.index], labels) >= 0.9
    assert np.isnan(res.clusters["conversion_rate"]).all()  # no conversions named
    again = cluster_journeys(ev, k=3, ngram=(1, 3), sample=120, random_state=4)
    assert again.assignments.equals(res.assignments)
    few = cluster_journeys(ev, k=3, max_features=5)
    assert len(few.terms) == 5


def test_sample_clusters_separate_converters(sample_of):
    data = sample_of(3000, seed=1)  # the journey suites' facts were verified on seed 1
    # the sample's journeys are Markov chains, not types: the clusters are descriptive groups (silhouette
    # 0.16 at k = 8), and they say so
    with pytest.warns(UserWarning, match="no clear structure at k = 8"):
        res = cluster_journeys(data.events, touchpoints=data.touchpoints)
    assert res.recommended_k is None
    rates = res.clusters["conversion_rate"]
    # verified on this sample: k = 8; clusters convert 0 % ... 100 %, Cramér's V of cluster x converted ≈ 0.85
    assert rates.max() >= 95 and rates.min() <= 5
    converted = (
        data.events.assign(c=data.events["touchpoint"].isin(["Order confirmation", "Repeat purchase"]))
        .groupby("customer_id", as_index=False)["c"]
        .any()
    )
    table = crosstab_with(res.assignments, converted, column="c").pivot(index="cluster", columns="c", values="n")
    counts = table.fillna(0).to_numpy()
    chi = stats.chi2_contingency(counts, correction=False)
    cramers_v = np.sqrt(chi.statistic / counts.sum())
    assert cramers_v >= 0.75
    assert chi.pvalue < 1e-100
    # linkable to the personas by customer id: every journey is matched
    personas = crosstab_with(res.assignments, data.personas)
    assert personas["n"].sum() == len(res.assignments) == 3000
    assert personas["persona"].notna().all()
    assert personas.groupby("cluster")["pct_of_cluster"].sum().to_numpy() == pytest.approx(100)


def test_crosstab_with_keeps_unmatched_customers():
    a = pd.DataFrame({"journey_id": ["a", "b", "c"], "customer_id": ["a", "b", "c"], "cluster": [1, 1, 2]})
    p = pd.DataFrame({"customer_id": ["a", "b"], "persona": ["x", "y"]})
    table = crosstab_with(a, p)
    assert table["n"].sum() == 3
    assert table["persona"].isna().sum() == 1
    with pytest.raises(CJMConfigError, match="name the attribute with `column=`"):
        crosstab_with(a, p.assign(age=1))
    with pytest.raises(CJMDataError, match="Could not interpret value 'persna' for `column`"):
        crosstab_with(a, p, column="persna")
    with pytest.raises(CJMDataError, match="duplicate value"):
        crosstab_with(a, pd.concat([p, p]))
    with pytest.raises(CJMDataError, match="for `assignments`"):
        crosstab_with(a.drop(columns="cluster"), p)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"k": 1}, CJMConfigError, "`k` must be a whole number of at least 2 (clusters) or 'auto', got 1"),
        ({"k": "best"}, CJMConfigError, "or 'auto', got 'best'"),
        ({"k_range": [1, 2]}, CJMConfigError, "`k_range` must be a range or a list of whole numbers of at least 2"),
        ({"ngram": (1, 4)}, CJMConfigError, "`ngram` must be a range (shortest, longest) within 1..3"),
        ({"ngram": (2, 1)}, CJMConfigError, "`ngram` must be a range"),
        ({"max_features": 0}, CJMConfigError, "`max_features` must be a whole number of at least 1 (or None)"),
        ({"sample": 5}, CJMConfigError, "`sample` must be a whole number of at least 10 (journeys)"),
        ({"top_ngrams": 0}, CJMConfigError, "`top_ngrams` must be a whole number of at least 1"),
        ({"k": 400}, CJMDataError, "300 journey(s) cannot form 400 clusters"),
        ({"flavour": 1}, CJMConfigError, "unknown option(s) 'flavour'"),
    ],
)
def test_errors(kwargs, error, message):
    ev, _ = planted()
    with pytest.raises(error) as info:
        cluster_journeys(ev, **kwargs)
    assert message in str(info.value)


def test_structure_is_recommended_with_its_numbers_and_an_edge_is_named():
    ev, _ = planted()
    res = cluster_journeys(ev, k_range=range(2, 7))
    assert res.recommended_k == 3 and res.search["stability"].notna().all()
    assert res.search.set_index("k").loc[3, "stability"] >= 0.8
    assert res.reason["en"].startswith("k = 3: silhouette") and "seed stability" in res.reason["en"]
    assert res.reason["de"].startswith("k = 3: Silhouette")
    edge = cluster_journeys(ev, k_range=range(2, 4))
    assert edge.recommended_k == 3 and "at the top of the searched range (2-3)" in edge.reason["en"]


def test_no_structure_gives_no_recommended_k_and_says_why():
    """Journeys drawn at random from the same touchpoints: no types to find."""
    rng = np.random.default_rng(1)
    rows = []
    for i in range(300):
        path = rng.choice(ALL, size=int(rng.integers(2, 6)))
        rows += [(f"r{i:03d}", step, tp) for step, tp in enumerate(path)]
    ev = pd.DataFrame(rows, columns=["customer_id", "step", "touchpoint"])
    ev["timestamp"] = pd.Timestamp("2025-03-01", tz="UTC") + pd.to_timedelta(ev["step"], unit="h")
    ev["sequence"] = np.arange(len(ev))
    with pytest.warns(UserWarning, match="no clear structure"):
        res = cluster_journeys(ev.drop(columns="step"), k_range=range(2, 6))
    assert res.recommended_k is None
    assert "the silhouette is" in res.reason["en"] and "descriptive groups" in res.reason["en"]
    assert res.reason["de"].startswith("keine klare Struktur")
    assert res.k in (2, 3, 4, 5)  # the clusters are still returned, as descriptive groups
