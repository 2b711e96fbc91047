"""choose_k: criteria, the recommended k on planted data, its reasons in words, the figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cjm_lab.personas import PersonaModel, choose_k


@pytest.fixture(scope="module")
def sample_table(sample):
    # the acceptance check: the five planted personas (3,000 customers, 10 resamples)
    return choose_k(sample.customers, k_range=range(2, 9), resamples=10, random_state=0, n_jobs=2)


def test_recommends_the_planted_k(sample_table):
    t = sample_table
    assert t.attrs["cjm"]["recommended_k"] == 5
    assert t.loc[t["recommended"], "k"].tolist() == [5]
    five = t.set_index("k").loc[5]
    assert five["stability"] > 0.95 and five["persona_stability"] > 0.9
    six = t.set_index("k").loc[6]
    assert six["persona_stability"] < 0.75  # one more persona is an arbitrary split
    # silhouette alone prefers a coarser split; the text says so
    assert t.attrs["cjm"]["silhouette_best_k"] < 5
    assert not t.attrs["cjm"]["weak_structure"]


def test_table_columns_and_reasons(sample_table):
    t = sample_table
    assert list(t.columns) == [
        "k",
        "silhouette",
        "calinski_harabasz",
        "davies_bouldin",
        "bic",
        "entropy",
        "stability",
        "stability_low",
        "stability_high",
        "persona_stability",
        "smallest_share",
        "stable",
        "recommended",
        "reason_en",
        "reason_de",
    ]
    assert t["k"].tolist() == list(range(2, 9))
    assert t["bic"].notna().all() and t["entropy"].between(0, 1).all()
    assert (t["stability_low"] <= t["stability"]).all() and (t["stability"] <= t["stability_high"] + 1e-12).all()
    en, de = t.attrs["cjm"]["reason"]["en"], t.attrs["cjm"]["reason"]["de"]
    assert en.startswith("Recommended: k = 5. It is the most detailed solution that replicates")
    assert "Silhouette alone would pick k = 2" in en and "merges personas" in en
    assert "k = 6 holds a persona that is not found again" in en
    assert "10 bootstrap resamples of 3,000 rows" in en and "silhouette on 3,000 of 3,000 rows" in en
    assert de.startswith("Empfohlen: k = 5.") and "Bootstrap-Stichproben zu je 3.000 Zeilen" in de
    row = t.set_index("k")
    assert row.loc[5, "reason_en"].endswith("recommended: the most detailed stable solution")
    assert row.loc[5, "reason_de"].endswith("empfohlen: die detaillierteste stabile Lösung")
    assert "a persona does not replicate" in row.loc[6, "reason_en"]


def test_large_data_subsample_notes(make_mixed):
    df, _ = make_mixed(1500, seed=2)
    t = choose_k(df, k_range=[2, 3, 4], resamples=4, stability_rows=500, silhouette_rows=400, random_state=1)
    meta = t.attrs["cjm"]
    assert meta["stability_rows"] == 500 and meta["silhouette_rows"] == 400 and meta["rows"] == 1500
    assert (
        "4 bootstrap resamples of 500 rows (subsamples of the 1,500 rows), compared on 500 rows" in meta["reason"]["en"]
    )
    assert "silhouette on 400 of 1,500 rows" in meta["reason"]["en"]
    assert meta["recommended_k"] == 3


def test_kmeans_has_no_bic_and_model_settings_are_used(mixed):
    df, _ = mixed
    t = choose_k(df, k_range=[2, 3, 4], model=PersonaModel(algorithm="kmeans", random_state=0), resamples=4)
    assert t["bic"].isna().all() and t["entropy"].isna().all()
    assert t.attrs["cjm"]["algorithm"] == "kmeans" and t.attrs["cjm"]["recommended_k"] in (3, 4)
    same = choose_k(df, k_range=[2, 3, 4], algorithm="kmeans", random_state=0, resamples=4)
    pd.testing.assert_frame_equal(t, same)


def test_threads_do_not_change_the_result(mixed):
    df, _ = mixed
    one = choose_k(df.head(300), k_range=[2, 3], resamples=3, random_state=4)
    two = choose_k(df.head(300), k_range=[2, 3], resamples=3, random_state=4, n_jobs=2)
    pd.testing.assert_frame_equal(one, two)


def test_mixture_rejects_a_split_that_kmeans_finds_stable(mixed):
    # k-means cuts the largest (elongated) planted persona the same way every time; the mixture
    # sees that a fourth persona is not supported
    df, _ = mixed
    t = choose_k(df, k_range=[2, 3, 4, 5], resamples=10, random_state=0)
    assert t.attrs["cjm"]["recommended_k"] == 3
    assert t.set_index("k").loc[4, "persona_stability"] < 0.5


def test_no_structure_is_called_weak():
    rng = np.random.default_rng(3)
    df = pd.DataFrame(rng.normal(size=(400, 4)), columns=list("abcd"))
    t = choose_k(df, k_range=[2, 3, 4], resamples=6, random_state=0)
    assert t.attrs["cjm"]["weak_structure"]
    assert "no clear persona structure" in t.attrs["cjm"]["reason"]["en"]
    assert "keine klare Persona-Struktur" in t.attrs["cjm"]["reason"]["de"]


def test_without_resamples_silhouette_decides(mixed):
    df, _ = mixed
    t = choose_k(df, k_range=[2, 3, 4], resamples=0)
    assert t["stability"].isna().all() and not t["stable"].any()
    assert "Stability was not checked" in t.attrs["cjm"]["reason"]["en"]


def test_gower_silhouette_on_gower_distances(mixed):
    df, _ = mixed
    t = choose_k(df.head(300), k_range=[2, 3], algorithm="gower_agglomerative", resamples=2, random_state=0)
    assert t["silhouette"].between(-1, 1).all() and t["bic"].isna().all()
