"""Decimal ratings in scales and alpha; key drivers with pairwise deletion and the left-out check."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from cjm_lab.errors import CJMDataError, CJMDataWarning
from cjm_lab.survey import cronbach_alpha, key_drivers, scale_score


@pytest.fixture(scope="module")
def perceptions():
    """HBAT-style perceptions: 0–10 with one decimal; x3 worded the other way round."""
    rng = np.random.default_rng(2)
    n = 300
    f = rng.normal(0, 1, n)
    df = pd.DataFrame({f"x{i}": np.clip(np.round(6 + 1.4 * f + rng.normal(0, 0.9, n), 1), 0, 10) for i in (1, 2, 4)})
    df["x3"] = np.clip(np.round(4 - 1.4 * f + rng.normal(0, 0.9, n), 1), 0, 10)
    return df


def test_alpha_on_decimal_ratings_with_a_reversed_item_matches_the_textbook_formula(perceptions):
    items = ["x1", "x2", "x3", "x4"]
    out = cronbach_alpha(perceptions, items=items, scale=(0, 10), reverse="x3")
    x = perceptions[items].copy()
    x["x3"] = 10 - x["x3"]
    k = len(items)
    alpha = k / (k - 1) * (1 - x.var(ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    assert out["alpha"].iloc[0] == pytest.approx(alpha) and alpha > 0.8
    assert out.set_index("item").loc["x3", "reversed"]
    score = scale_score(perceptions, items=items, scale=(0, 10), reverse="x3")
    assert score.to_numpy() == pytest.approx(x.mean(axis=1).to_numpy())
    assert scale_score(pd.DataFrame({"a": [7.5]}), items="a", scale=(0, 10), reverse="a").iloc[0] == 2.5
    with pytest.raises(CJMDataError, match=r"lie outside 0 to 10"):
        scale_score(pd.DataFrame({"a": [10.5]}), items="a", scale=(0, 10))


@pytest.fixture(scope="module")
def answers():
    """Drivers skipped more often by unhappy respondents: the left-out rows differ in the outcome."""
    rng = np.random.default_rng(9)
    n = 2000
    d = rng.normal(0, 1, (n, 3))
    y = np.clip(np.round(6.5 + 1.2 * d[:, 0] + 0.7 * d[:, 1] + 0.3 * d[:, 2] + rng.normal(0, 1.3, n)), 0, 10)
    df = pd.DataFrame({"recommend": y, "price": d[:, 0], "service": d[:, 1], "app": d[:, 2]})
    df["w"] = rng.uniform(0.5, 2.0, n)
    skip = rng.random((n, 3)) < np.where(y < 6, 0.35, 0.08)[:, None]
    for j, col in enumerate(["price", "service", "app"]):
        df.loc[skip[:, j], col] = np.nan
    return df


def weighted_pairwise_corr(df: pd.DataFrame, w: np.ndarray) -> pd.DataFrame:
    cols = list(df.columns)
    out = pd.DataFrame(np.eye(len(cols)), index=cols, columns=cols)
    for a in cols:  # a loop in the test only: the reference
        for b in cols:
            if a == b:
                continue
            ok = df[a].notna() & df[b].notna()
            x, y, ww = df.loc[ok, a].to_numpy(), df.loc[ok, b].to_numpy(), w[ok.to_numpy()]
            mx, my = np.average(x, weights=ww), np.average(y, weights=ww)
            cov = np.average((x - mx) * (y - my), weights=ww)
            out.loc[a, b] = cov / np.sqrt(np.average((x - mx) ** 2, weights=ww) * np.average((y - my) ** 2, weights=ww))
    return out


def test_pairwise_uses_every_answered_pair_and_honours_weights(answers):
    drivers = ["price", "service", "app"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CJMDataWarning)
        unweighted = key_drivers(answers, outcome="recommend", drivers=drivers, missing="pairwise")
        weighted = key_drivers(answers, outcome="recommend", drivers=drivers, missing="pairwise", weight="w")
    ref = answers[["recommend", *drivers]].corr()  # pandas: pairwise deletion
    assert unweighted.set_index("driver")["r"].to_numpy() == pytest.approx(
        ref.loc[drivers, "recommend"].reindex(unweighted["driver"]).to_numpy()
    )
    wref = weighted_pairwise_corr(answers[["recommend", *drivers]], answers["w"].to_numpy())
    assert weighted.set_index("driver")["r"].to_numpy() == pytest.approx(
        wref.loc[weighted["driver"], "recommend"].to_numpy()
    )
    n_pairs = answers[["recommend", "price"]].notna().all(axis=1).sum()
    assert weighted.set_index("driver").loc["price", "n_used"] == n_pairs
    assert weighted["shapley"].sum() == pytest.approx(weighted["r2"].iloc[0])
    assert weighted["johnson"].sum() == pytest.approx(weighted["r2"].iloc[0])


def test_left_out_answers_that_differ_are_reported_with_difference_and_test(answers):
    drivers = ["price", "service", "app"]
    with pytest.warns(CJMDataWarning, match=r"left out .* differ in 'recommend' .* Welch p = .*NPS"):
        out = key_drivers(answers, outcome="recommend", drivers=drivers, weight="w")
    info = out.attrs["key_drivers"]
    complete = answers[drivers].notna().all(axis=1)
    w = answers["w"]
    used = np.average(answers.recommend[complete], weights=w[complete])
    left = np.average(answers.recommend[~complete], weights=w[~complete])
    assert (info["outcome_used"], info["outcome_left_out"]) == pytest.approx((used, left))
    assert info["difference"] == pytest.approx(left - used) and info["p_value"] < 0.001
    assert info["n_left_out"] == int((~complete).sum()) and info["nps_left_out"] < info["nps_used"]
    assert out["n_used"].iloc[0] == int(complete.sum())


def test_no_warning_when_answers_are_missing_at_random():
    rng = np.random.default_rng(3)
    n = 1500
    df = pd.DataFrame(rng.normal(0, 1, (n, 3)), columns=["a", "b", "c"])
    df["y"] = df.a + 0.5 * df.b + rng.normal(0, 1, n)
    df.loc[rng.random(n) < 0.2, "b"] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error", CJMDataWarning)
        out = key_drivers(df, outcome="y", drivers=["a", "b", "c"])
    assert out.attrs["key_drivers"]["p_value"] > 0.01
