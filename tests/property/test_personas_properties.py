"""Properties of cjm_lab.personas on random mixed data: labels in range and ordered by size,
profile shares sum to 1; bad data gives the project's error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cjm_lab.errors import CJMError
from cjm_lab.personas import PersonaModel, profile


@st.composite
def attitudes(draw, *, min_rows=12, max_rows=60):
    n = draw(st.integers(min_rows, max_rows))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 2, n)
    frame = pd.DataFrame(
        {
            "price": np.clip(np.rint(2 + 2 * group + rng.normal(0, 0.7, n)), 1, 5),
            "digital": np.clip(np.rint(4 - 2 * group + rng.normal(0, 0.7, n)), 1, 5),
            "spend": np.round(np.exp(4 + group + rng.normal(0, 0.5, n)), 2),
            "channel": np.where(rng.random(n) < 0.8, np.array(["online", "Filiale"])[group], "Telefon"),
        }
    )
    if draw(st.booleans()):  # a few missing answers
        frame.loc[rng.random(n) < 0.1, "digital"] = np.nan
    # every column must vary for the data to be valid
    for col in frame:
        if frame[col].nunique() < 2:
            frame.loc[0, col] = frame[col].iloc[-1] if col == "channel" else 1.0
            frame.loc[1, col] = "Telefon" if col == "channel" else 5.0
    return frame


@given(attitudes(), st.integers(2, 4), st.sampled_from(["gmm", "kmeans"]))
def test_labels_in_range_and_profiles_add_up(df, k, algorithm):
    model = PersonaModel(k, algorithm=algorithm, random_state=0).fit(df)
    labels = np.asarray(model.predict(df))
    assert len(labels) == len(df)
    assert labels.min() >= 0 and labels.max() < k
    sizes = np.bincount(labels, minlength=k)
    prof = profile(df, labels)
    assert prof.sizes["n"].sum() == len(df)
    assert np.isclose(prof.sizes["share"].sum(), 1)
    one = np.asarray(model.predict(df.iloc[[0]]))
    assert one.shape == (1,) and 0 <= one[0] < k
    assert sizes.sum() == len(df)


@given(attitudes(), st.sampled_from(["all_missing", "constant", "text", "inf", "one_row", "k_too_big", "unknown_col"]))
def test_bad_data_gives_the_projects_error(df, how):
    k = 2
    cols = None
    if how == "all_missing":
        df["leer"] = np.nan
    elif how == "constant":
        df["land"] = "DE"
    elif how == "text":
        df["spend"] = df["spend"].astype(object)
        df.loc[0, "spend"] = "k.A."
    elif how == "inf":
        df.loc[0, "spend"] = np.inf
    elif how == "one_row":
        df = df.head(1)
    elif how == "k_too_big":
        k = len(df) + 1
    elif how == "unknown_col":
        cols = ["price", "preis_typo"]
    with pytest.raises(CJMError) as err:
        PersonaModel(k, columns=cols, random_state=0).fit(df)
    assert "Fix:" in str(err.value) or "Did you mean" in str(err.value) or "must" in str(err.value)


@given(attitudes(max_rows=30), st.sampled_from([0, 1, -2, 2.5, "viele", None]))
def test_bad_number_of_personas(df, k):
    with pytest.raises(CJMError):
        PersonaModel(k).fit(df)


@given(attitudes(max_rows=30))
def test_new_data_missing_a_column_or_with_a_new_category(df):
    model = PersonaModel(2, random_state=0).fit(df)
    with pytest.raises(CJMError, match="spend"):
        model.predict(df.drop(columns="spend"))
    with pytest.raises(CJMError, match="channel"):
        model.predict(df.assign(channel="Brieftaube"))
    labels = np.asarray(model.predict(df.assign(digital=np.nan)))  # missing answers are fine
    assert labels.min() >= 0 and labels.max() < 2


@given(attitudes(max_rows=30), st.sampled_from(["short", "all_missing", "frame"]))
def test_profile_with_bad_labels(df, how):
    labels = {
        "short": np.zeros(len(df) - 1, int),
        "all_missing": np.full(len(df), np.nan),
        "frame": pd.DataFrame({"a": [1]}),
    }[how]
    with pytest.raises(CJMError):
        profile(df, labels)
