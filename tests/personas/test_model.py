"""PersonaModel: scikit-learn API, reproducibility, label order, recovery of planted personas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer

from cjm_lab.errors import CJMConfigError
from cjm_lab.personas import PersonaModel


def test_params_clone_and_set_params():
    model = PersonaModel(4, algorithm="kmeans", columns=["a", "b"], random_state=3)
    params = model.get_params()
    assert params["k"] == 4 and params["algorithm"] == "kmeans" and params["random_state"] == 3
    twin = clone(model)
    assert twin is not model and twin.get_params() == params
    assert model.set_params(k=6, scaling="robust") is model
    assert model.k == 6 and model.scaling == "robust"
    with pytest.raises(ValueError, match="Invalid parameter"):
        model.set_params(n_clusters=3)


def test_fit_attributes(mixed):
    df, seg = mixed
    model = PersonaModel(3, random_state=0).fit(df)
    assert model.k_ == 3 and model.labels_.shape == (len(df),)
    assert list(model.feature_names_in_) == ["q0", "q1", "q2", "spend", "channel", "size_band"]
    assert model.roles_ == {
        "q0": "numeric",
        "q1": "numeric",
        "q2": "numeric",
        "spend": "numeric",
        "channel": "categorical",
        "size_band": "ordinal",
    }
    summary = model.feature_summary_.set_index("column")
    assert summary.loc["customer_id", "role"] == "ignored"
    assert summary.loc["spend", "transform"].startswith("log1p")  # skewed, non-negative
    assert list(model.sizes_.columns) == ["persona", "n", "weight", "share"]
    assert model.sizes_["share"].sum() == pytest.approx(1.0)
    assert model.cluster_centers_.shape[0] == 3
    assert np.isfinite(model.bic_)
    assert adjusted_rand_score(seg, model.labels_) > 0.9


def test_labels_ordered_by_size_and_reproducible(mixed):
    df, _ = mixed
    a = PersonaModel(3, random_state=7).fit(df)
    b = PersonaModel(3, random_state=7).fit(df.sample(frac=1.0, random_state=1).sort_index())
    np.testing.assert_array_equal(a.labels_, b.labels_)
    counts = np.bincount(a.labels_)
    assert list(counts) == sorted(counts, reverse=True)  # 0 = largest
    # another seed finds the same personas under the same names (no label flipping)
    c = PersonaModel(3, random_state=123).fit(df)
    assert np.mean(a.labels_ == c.labels_) > 0.98


def test_weights_order_labels_and_sizes(mixed):
    df, seg = mixed
    # weight the smallest planted persona up so that it becomes the largest
    w = np.where(seg == 2, 10.0, 1.0)
    model = PersonaModel(3, random_state=0).fit(df, sample_weight=w)
    biggest = model.labels_ == 0
    assert np.mean(seg[biggest] == 2) > 0.9
    assert model.sizes_.loc[0, "share"] == pytest.approx(w[biggest].sum() / w.sum())


def test_predict_transform_and_probabilities(mixed):
    df, _ = mixed
    model = PersonaModel(3, random_state=0).fit(df)
    np.testing.assert_array_equal(model.predict(df), model.labels_)
    proba = model.predict_proba(df)
    assert proba.shape == (len(df), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(proba.argmax(axis=1), model.labels_)
    dist = model.transform(df.head(5))
    assert dist.shape == (5, 3) and (dist >= 0).all()
    # extra columns are ignored, column order does not matter
    shuffled = df[df.columns[::-1]].assign(extra=1)
    np.testing.assert_array_equal(model.predict(shuffled), model.labels_)
    assert not hasattr(PersonaModel(3, algorithm="kmeans").fit(df), "predict_proba")


def test_set_output_pandas_and_pipeline(mixed):
    df, _ = mixed
    model = PersonaModel(3, random_state=0).set_output(transform="pandas")
    out = model.fit_transform(df)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["distance_0", "distance_1", "distance_2"] and out.index.equals(df.index)
    pipe = make_pipeline(FunctionTransformer(lambda d: d.drop(columns=["spend"])), PersonaModel(3, random_state=0))
    labels = pipe.fit_predict(df)
    assert labels.shape == (len(df),) and set(labels) == {0, 1, 2}
    np.testing.assert_array_equal(pipe.predict(df), labels)
    pipe.set_output(transform="pandas")
    assert isinstance(pipe.transform(df), pd.DataFrame)
    named = Pipeline([("personas", PersonaModel(3, algorithm="kmeans", random_state=0))])
    assert named.fit(df).named_steps["personas"].k_ == 3


def test_numpy_input_is_numeric():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (50, 2)), rng.normal(6, 1, (30, 2))])
    model = PersonaModel(2, algorithm="kmeans", random_state=0).fit(X)
    assert list(model.feature_names_in_) == ["x0", "x1"]
    assert np.bincount(model.labels_).tolist() == [50, 30]


def test_sample_recovery_gmm_and_kmeans(sample):
    truth = sample.personas["persona"].to_numpy()
    gmm = PersonaModel(5, random_state=0).fit(sample.customers)
    assert adjusted_rand_score(truth, gmm.labels_) >= 0.9
    km = PersonaModel(5, algorithm="kmeans", random_state=0).fit(sample.customers)
    assert adjusted_rand_score(truth, km.labels_) >= 0.85
    # the size order matches the planted shares (28%, 24%, 20%, 16%, 12%)
    assert gmm.sizes_["share"].round(2).tolist() == pytest.approx([0.28, 0.24, 0.20, 0.16, 0.12], abs=0.03)
    assert set(gmm.feature_summary_.loc[gmm.feature_summary_["role"] == "ignored", "column"]) == {
        "customer_id",
        "signup_date",
    }


@pytest.mark.parametrize("algorithm, minimum", [("kprototypes", 0.8), ("gower_agglomerative", 0.6), ("lca", 0.9)])
def test_other_algorithms(sample, algorithm, minimum):
    data = sample.customers.head(800)
    truth = sample.personas["persona"].to_numpy()[:800]
    model = PersonaModel(5, algorithm=algorithm, n_init=1 if algorithm == "kprototypes" else 3, random_state=0).fit(
        data
    )
    assert adjusted_rand_score(truth, model.labels_) >= minimum
    assert model.predict(data.head(20)).shape == (20,)


def test_gower_ignores_weights_with_a_warning(mixed):
    df, _ = mixed
    with pytest.warns(UserWarning, match="cannot use survey weights"):
        PersonaModel(3, algorithm="gower_agglomerative", random_state=0).fit(df, sample_weight=np.ones(len(df)))


@pytest.mark.parametrize("reduce", ["pca", "famd"])
def test_reduction(mixed, reduce):
    df, seg = mixed
    model = PersonaModel(3, algorithm="kmeans", reduce=reduce, n_components=0.9, random_state=0).fit(df)
    assert model.explained_variance_ratio_.sum() >= 0.9 - 1e-9
    assert model.cluster_centers_.shape[1] == model.explained_variance_ratio_.size
    assert adjusted_rand_score(seg, model.labels_) > 0.85
    with pytest.raises(CJMConfigError, match="works with algorithm 'kmeans' or 'gmm'"):
        PersonaModel(3, algorithm="lca", reduce=reduce).fit(df)


def test_auto_k(mixed):
    df, _ = mixed
    model = PersonaModel("auto", k_range=range(2, 6), random_state=0).fit(df)
    assert model.k_ == 3
    assert model.choose_k_.attrs["cjm"]["recommended_k"] == 3


def test_columns_and_declared_roles(make_mixed):
    df, _ = make_mixed(300, seed=4)
    df["q0"] = df["q0"].astype(int)
    model = PersonaModel(3, columns=["q0", "q1", "channel"], ordinal=["q0"], categorical=["q1"], random_state=0).fit(df)
    assert model.roles_ == {"q0": "ordinal", "q1": "categorical", "channel": "categorical"}
    model = PersonaModel(3, columns=["q1", "size_band"], ordinal={"size_band": ["L", "M", "S"]}, random_state=0).fit(df)
    assert model.roles_["size_band"] == "ordinal"


def test_attitudes_only(sample, attitudes):
    model = PersonaModel(5, columns=attitudes, random_state=1).fit(sample.customers)
    truth = sample.personas["persona"].to_numpy()
    assert adjusted_rand_score(truth, model.labels_) >= 0.85


def test_famd_matches_prince(mixed):
    import prince

    df, _ = mixed
    cols = ["q0", "q1", "q2", "spend", "channel"]
    model = PersonaModel(3, columns=cols, algorithm="kmeans", reduce="famd", n_components=5, random_state=0).fit(df)
    X = df[cols].assign(spend=np.log1p(df["spend"]))  # the model log-transforms the skewed spend
    famd = prince.FAMD(n_components=5, random_state=0, engine="sklearn").fit(X)
    share = np.asarray(famd.percentage_of_variance_) / 100  # of the total inertia, as the model reports it
    np.testing.assert_allclose(model.explained_variance_ratio_, share, atol=1e-6)
