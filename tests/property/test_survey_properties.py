"""Properties of cjm_lab.survey: random valid answers satisfy the invariants, random bad ones
raise the project's own error (never a bare pandas/numpy/scikit-learn exception)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cjm_lab.errors import CJMError
from cjm_lab.survey import compare_nps, cronbach_alpha, crosstab, csat, kish_n_eff, nps, nps_groups, scale_score

GROUPS = st.sampled_from(["Nord", "Süd", "Ost", "West", "東京", "Zürich"])


@st.composite
def surveys(draw, *, min_rows=1, max_rows=60, weighted=None, missing=True):
    n = draw(st.integers(min_rows, max_rows))
    score = st.one_of(st.integers(0, 10).map(float), st.just(np.nan)) if missing else st.integers(0, 10).map(float)
    scores = draw(st.lists(score, min_size=n, max_size=n))
    frame = pd.DataFrame(
        {
            "recommend": scores,
            "segment": draw(st.lists(GROUPS, min_size=n, max_size=n)),
            "wave": draw(st.lists(st.sampled_from([1, 2]), min_size=n, max_size=n)),
            "q1": draw(st.lists(st.integers(1, 5), min_size=n, max_size=n)),
            "q2": draw(st.lists(st.integers(1, 5), min_size=n, max_size=n)),
            "q3": draw(st.lists(st.integers(1, 5), min_size=n, max_size=n)),
        }
    )
    if weighted if weighted is not None else draw(st.booleans()):
        frame["weight"] = draw(st.lists(st.floats(0.2, 5.0), min_size=n, max_size=n))
    return frame


def _hand_nps(scores: pd.Series, weights: pd.Series | None = None) -> float:
    ok = scores.notna()
    w = (weights if weights is not None else pd.Series(1.0, index=scores.index))[ok]
    s = scores[ok]
    return 100 * (w[s >= 9].sum() - w[s <= 6].sum()) / w.sum()


@given(surveys())
def test_nps_invariants(df):
    weight = "weight" if "weight" in df else None
    assume(df["recommend"].notna().any())
    out = nps(df, by="segment", weight=weight)
    total = out.iloc[-1]
    assert total["segment"] == "Total"
    assert -100 <= total["nps"] <= 100
    assert total["nps"] == pytest.approx(_hand_nps(df["recommend"], df.get("weight")), abs=1e-9)
    shares = out[["pct_promoters", "pct_passives", "pct_detractors"]].sum(axis=1)
    assert np.allclose(shares[out["n"] > 0], 100)
    valid = out[out["n"] > 0]
    assert (valid["nps"].between(-100, 100)).all()
    assert (valid["ci_low"] <= valid["nps"] + 1e-9).all() and (valid["nps"] <= valid["ci_high"] + 1e-9).all()
    assert (valid["n_eff"] <= valid["n"] + 1e-9).all()
    assert total["n"] == df["recommend"].notna().sum() and total["n_missing"] == df["recommend"].isna().sum()
    assert out.iloc[:-1]["n"].sum() == total["n"]
    if weight is None:  # weighted runs count weights in n_promoters etc.
        assert (valid["n_promoters"] + valid["n_passives"] + valid["n_detractors"] == valid["n"]).all()
    for _, row in out.iloc[:-1].iterrows():
        sub = df[df["segment"] == row["segment"]]
        if row["n"] > 0:
            assert row["nps"] == pytest.approx(_hand_nps(sub["recommend"], sub.get("weight")), abs=1e-9)


@given(surveys(min_rows=2, weighted=False, missing=False))
def test_nps_groups_and_compare(df):
    groups = nps_groups(df["recommend"])
    assert groups.isna().sum() == 0
    assert (groups == "promoter").sum() == (df["recommend"] >= 9).sum()
    assume(df["wave"].nunique() == 2)
    out = compare_nps(df, by="wave")
    row = out.iloc[0]
    a = _hand_nps(df.loc[df["wave"] == 1, "recommend"])
    b = _hand_nps(df.loc[df["wave"] == 2, "recommend"])
    assert {"difference", "ci_low", "ci_high", "p_value"} <= set(out.columns)
    assert abs(row["difference"]) == pytest.approx(abs(b - a), abs=1e-9)
    assert row["ci_low"] <= row["difference"] + 1e-9 <= row["ci_high"] + 2e-9
    assert 0 <= row["p_value"] <= 1


@given(surveys(min_rows=3))
def test_csat_scale_score_alpha(df):
    weight = "weight" if "weight" in df else None
    out = csat(df, items=["q1", "q2"], weight=weight)
    assert out["pct_top_box"].between(0, 100).all() and out["pct_bottom_box"].between(0, 100).all()
    assert ((out["ci_low"] <= out["pct_top_box"] + 1e-9) & (out["pct_top_box"] <= out["ci_high"] + 1e-9)).all()
    assert out["mean"].between(1, 5).all()
    score = scale_score(df, items=["q1", "q2", "q3"], scale=(1, 5))
    assert score.dropna().between(1, 5).all() and len(score) == len(df)
    rev = scale_score(df, items=["q1"], scale=(1, 5), reverse="q1")
    assert np.allclose(rev, 6 - df["q1"])
    try:
        alpha = cronbach_alpha(df, items=["q1", "q2", "q3"])
    except CJMError:
        return  # constant items have no alpha; the project says so
    value = alpha["alpha"].iloc[0]
    assert math.isnan(value) or value <= 1 + 1e-9


@given(surveys(min_rows=4, missing=False))
def test_crosstab_column_percentages_sum_to_100(df):
    weight = "weight" if "weight" in df else None
    df["grade"] = pd.cut(df["recommend"], [-1, 6, 8, 10], labels=["low", "mid", "high"]).astype(str)
    out = crosstab(df, rows="grade", columns="segment", weight=weight, test=False)
    pct = out[(out["kind"] == "category") & (out["statistic"] == "col_pct")]
    sums = pct.groupby(["banner_variable", "banner_column"])["value"].sum()
    assert np.allclose(sums[sums > 0], 100)


@given(st.lists(st.floats(0.01, 100), min_size=1, max_size=50))
def test_kish_n_eff_between_1_and_n(weights):
    n_eff = kish_n_eff(weights)
    assert 1 - 1e-9 <= n_eff <= len(weights) + 1e-9


# --- invalid input -----------------------------------------------------------------------------

BAD_SCORES = st.one_of(
    st.sampled_from(["10 - Äußerst wahrscheinlich", "zehn", "k.A.", "9,5", "—", "11"]),
    st.floats(10.01, 1e6),
    st.floats(-1e6, -0.01),
    st.floats(0.01, 9.99).filter(lambda x: x != round(x)),
    st.just(float("inf")),
)


@given(surveys(min_rows=1, max_rows=20, missing=False), st.data())
def test_bad_scores_raise_the_projects_error(df, data):
    bad = data.draw(st.lists(BAD_SCORES, min_size=1, max_size=3))
    rows = data.draw(st.lists(st.integers(0, len(df) - 1), min_size=len(bad), max_size=len(bad)))
    df["recommend"] = df["recommend"].astype(object)
    for r, v in zip(rows, bad):
        df.loc[r, "recommend"] = v
    if all(isinstance(v, str) and v == "11" for v in bad):
        df["recommend"] = df["recommend"].astype(str)
    with pytest.raises(CJMError) as err:
        nps(df)
    assert "recommend" in str(err.value) and "Fix:" in str(err.value)


@given(surveys(min_rows=1, max_rows=10), st.text(min_size=1, max_size=12))
def test_unknown_columns_name_the_argument(df, name):
    assume(name not in df.columns)
    for call in (
        lambda: nps(df, score=name),
        lambda: nps(df, by=name),
        lambda: csat(df, items=[name]),
        lambda: scale_score(df, items=[name], scale=(1, 5)),
        lambda: compare_nps(df, by=name),
    ):
        with pytest.raises(CJMError) as err:
            call()
        assert repr(name) in str(err.value) or name in str(err.value)


@given(
    st.one_of(st.none(), st.integers(), st.text(), st.lists(st.integers()), st.dictionaries(st.text(), st.integers()))
)
def test_not_a_frame(value):
    for call in (lambda: nps(value), lambda: csat(value, items="q1"), lambda: crosstab(value, columns="x")):
        with pytest.raises(CJMError, match="DataFrame"):
            call()


@given(
    surveys(min_rows=2, max_rows=15, missing=False),
    st.sampled_from(
        [
            {"confidence": 1.5},
            {"confidence": 0},
            {"ci_method": "bayes"},
            {"weight": "recommend"},
            {"by": 3.5},
            {"scale": (10, 0)},
            {"rescale": "log"},
        ]
    ),
)
def test_bad_options_raise_the_projects_error(df, options):
    if options.get("weight") == "recommend":
        df["recommend"] = 0.0  # a weight of zero is not a weight
    with pytest.raises(CJMError):
        nps(df, **options)


@given(surveys(min_rows=1, max_rows=15))
def test_all_missing_or_single_answer_never_crashes(df):
    df["recommend"] = np.nan
    with pytest.raises(CJMError, match="recommend"):
        nps(df)
    one = df.iloc[:1].assign(recommend=10.0)
    row = nps(one).iloc[-1]
    assert row["nps"] == 100 and row["n"] == 1 and row["ci_low"] <= 100 <= row["ci_high"]
