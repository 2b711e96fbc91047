"""Bad input gets the project's clear error: what, which column, which rows, and the fix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.personas import PersonaModel, choose_k


@pytest.fixture
def df(make_mixed):
    return make_mixed(120, seed=5)[0]


def test_constant_column(df):
    bad = df.assign(country="DE")
    with pytest.raises(CJMDataError) as err:
        PersonaModel(3).fit(bad)
    msg = str(err.value)
    assert "column 'country' has the same value ('DE') in every row" in msg
    assert "Column 'country'" in msg and "Fix: Leave 'country' out" in msg
    with pytest.raises(CJMDataError, match=r"'flat' has the same value \(3\)"):
        PersonaModel(3).fit(df.assign(flat=3))


def test_all_missing_column(df):
    with pytest.raises(CJMDataError) as err:
        PersonaModel(3).fit(df.assign(empty=np.nan))
    msg = str(err.value)
    assert "'empty' has no values at all (all 120 rows are missing)" in msg and "Fix: Leave 'empty' out" in msg


def test_one_row(df):
    with pytest.raises(CJMDataError, match="needs at least 2 rows .* got 1. Fix: Pass the whole"):
        PersonaModel(3).fit(df.head(1))
    with pytest.raises(CJMDataError, match="at least 3 rows"):
        choose_k(df.head(2))


def test_k_larger_than_n(df):
    with pytest.raises(CJMDataError, match=r"k=8 is not smaller than the number of rows \(5\).*Fix: Ask"):
        PersonaModel(8).fit(df.head(5))
    with pytest.raises(CJMDataError, match=r"k = 10 is not smaller than the number of rows \(6\)"):
        choose_k(df.head(6), k_range=range(2, 11))


def test_text_in_numeric_column(df):
    bad = df.astype({"spend": object})
    bad.loc[[3, 7], "spend"] = ["unknown", "n/a"]
    with pytest.raises(CJMDataError) as err:
        PersonaModel(3).fit(bad)
    msg = str(err.value)
    assert "2 value(s) in 'spend' are text, not numbers" in msg
    assert "rows 3, 7 (values 'unknown', 'n/a')" in msg and "Fix: Set such answers to missing" in msg
    # declared numeric: the same clear message
    with pytest.raises(CJMDataError, match=r"'spend' are text, not numbers.*rows 3, 7"):
        PersonaModel(3, numeric=["spend"]).fit(bad)


def test_id_like_text_column(df):
    bad = df.assign(email=[f"user{i}@example.org" for i in range(len(df))])
    with pytest.raises(CJMDataError, match="'email' has 120 distinct text values; it looks like an id"):
        PersonaModel(3).fit(bad)


def test_missing_and_misspelled_columns(df):
    with pytest.raises(CJMDataError, match="'chanel' for `columns`.*Did you mean 'channel'"):
        PersonaModel(3, columns=["q0", "chanel"]).fit(df)
    with pytest.raises(CJMDataError, match="no column is left to cluster on"):
        PersonaModel(3).fit(df[["customer_id"]])


def test_bad_weights(df):
    with pytest.raises(CJMDataError, match="1 weight"):
        PersonaModel(3).fit(df, sample_weight=np.r_[np.ones(119), -1.0])
    with pytest.raises(CJMDataError, match="119 values for 120 rows"):
        PersonaModel(3).fit(df, sample_weight=np.ones(119))
    with pytest.raises(CJMConfigError, match="not the column name 'w'"):
        PersonaModel(3).fit(df, sample_weight="w")


def test_not_a_frame():
    with pytest.raises(CJMDataError, match="needs a pandas DataFrame .* got list"):
        PersonaModel(3).fit([[1, 2], [3, 4]])


@pytest.mark.parametrize(
    "params, message",
    [
        ({"k": 1}, "`k` must be a whole number of at least 2 or 'auto'"),
        ({"k": 2.5}, "`k` must be a whole number of at least 2 or 'auto'"),
        ({"algorithm": "dbscan"}, "`algorithm` must be 'gmm', 'kmeans', .* or 'lca', got 'dbscan'"),
        ({"reduce": "tsne"}, r"`reduce` must be 'famd' or 'pca' \(or None\), got 'tsne'"),
        ({"unknown": "drop"}, r"`unknown` must be 'error' \(raise\) or 'ignore' \(treat them as missing answers\)"),
        ({"n_init": 0}, "`n_init` must be a whole number"),
        ({"k_range": (1, 4)}, "`k_range` must be a range or a list of whole numbers of at least 2"),
        ({"scaling": "minmax"}, "`scaling` must be 'standard', 'robust' or 'none', got 'minmax'"),
        ({"categorical_scaling": "gower"}, "`categorical_scaling` must be"),
    ],
)
def test_bad_parameters(df, params, message):
    with pytest.raises(CJMConfigError, match=message):
        PersonaModel(**{"k": 3, **params}).fit(df)


def test_declared_role_conflicts(df):
    with pytest.raises(CJMConfigError, match="'q0' is named in both `numeric` and `categorical`"):
        PersonaModel(3, numeric=["q0"], categorical=["q0"]).fit(df)
    with pytest.raises(CJMDataError, match="'channel' is declared ordinal but holds text without an order"):
        PersonaModel(3, ordinal=["channel"]).fit(df)


def test_choose_k_bad_arguments(df):
    with pytest.raises(
        CJMConfigError,
        match=r"`k_range` must be a range or a list of whole numbers of at least 2, e.g. range\(2, 11\), got \[1, 2\]",
    ):
        choose_k(df, k_range=[1, 2])
    with pytest.raises(CJMConfigError, match="either `model=` or model parameters"):
        choose_k(df, model=PersonaModel(), algorithm="kmeans")
    with pytest.raises(CJMConfigError, match="`resamples` must be a whole number"):
        choose_k(df, resamples=-1)


def test_the_callers_frame_is_not_modified(df):
    before = df.copy()
    PersonaModel(3, random_state=0).fit(df).predict(df)
    pd.testing.assert_frame_equal(df, before)
