"""NPS: values computed by hand, weights, groups, bad input and CI coverage."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cjm_lab import CJMDataError
from cjm_lab.errors import CJMConfigError
from cjm_lab.survey import nps, nps_groups

SCORES = [10, 9, 8, 7, 6, 0, 10, 9, 3, 10]  # 5 promoters, 2 passives, 3 detractors


def test_unweighted_values_by_hand():
    row = nps(pd.DataFrame({"recommend": SCORES}), ci_method="wald").iloc[0]
    assert (row.n, row.n_promoters, row.n_passives, row.n_detractors) == (10, 5, 2, 3)
    assert row.pct_promoters == pytest.approx(50) and row.pct_detractors == pytest.approx(30)
    assert row.nps == pytest.approx(20)
    se = math.sqrt((0.5 + 0.3 - 0.2**2) / 10)
    assert row.se == pytest.approx(se * 100)
    assert row.ci_low == pytest.approx((0.2 - 1.959964 * se) * 100, abs=1e-3)
    assert row.ci_high == pytest.approx((0.2 + 1.959964 * se) * 100, abs=1e-3)
    assert row.n_eff == 10 and bool(row.low_base)


def test_adjusted_wald_by_hand_on_small_base():
    row = nps(pd.DataFrame({"recommend": SCORES})).iloc[0]  # auto: n_eff 10 < 100
    assert row.ci_method == "adjusted_wald"
    p, d = 5.75 / 13, 3.75 / 13
    se = math.sqrt((p + d - (p - d) ** 2) / 13)
    assert row.ci_low == pytest.approx((p - d - 1.959964 * se) * 100, abs=1e-3)
    assert row.ci_high == pytest.approx((p - d + 1.959964 * se) * 100, abs=1e-3)
    assert row.nps == pytest.approx(20)  # the point estimate stays the observed NPS


def test_weighted_shares_and_kish_base():
    df = pd.DataFrame({"recommend": [10, 5, 8], "w": [2.0, 1.0, 1.0]})
    row = nps(df, weight="w").iloc[0]
    assert row.pct_promoters == pytest.approx(50) and row.pct_detractors == pytest.approx(25)
    assert row.nps == pytest.approx(25)
    assert row.n_eff == pytest.approx(16 / 6)  # (sum w)^2 / sum w^2
    assert row.n_promoters == pytest.approx(2.0)


def test_groups_total_and_missing_counts():
    df = pd.DataFrame(
        {
            "recommend": [10, 9, 0, np.nan, 10, 3, 7],
            "region": ["Nord", "Nord", "Nord", "Nord", "Süd", "Süd", "Süd"],
            "wave": [1, 2, 1, 2, 1, 2, 1],
        }
    )
    out = nps(df, by=["region", "wave"])
    assert list(out.columns[:2]) == ["region", "wave"]
    assert len(out) == 5 and out.iloc[-1]["region"] == "Total"
    nord = out[(out.region == "Nord")].set_index("wave")
    assert nord.loc[1, "nps"] == pytest.approx(0)  # 10 and 0
    assert nord.loc[2, "n"] == 1 and nord.loc[2, "n_missing"] == 1
    total = out.iloc[-1]
    assert total.n == 6 and total.n_missing == 1
    assert total.nps == pytest.approx((3 - 2) / 6 * 100)


def test_shares_sum_to_100_and_bounds():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"recommend": rng.integers(0, 11, 500), "g": rng.integers(0, 7, 500)})
    out = nps(df, by="g")
    sums = out[["pct_promoters", "pct_passives", "pct_detractors"]].sum(axis=1)
    assert np.allclose(sums, 100)
    assert out.nps.between(-100, 100).all()
    assert (out.ci_low <= out.nps).all() and (out.nps <= out.ci_high).all()


def test_nps_groups():
    assert nps_groups(pd.Series([0, 6, 7, 8, 9, 10])).tolist() == [
        "detractor",
        "detractor",
        "passive",
        "passive",
        "promoter",
        "promoter",
    ]


@pytest.mark.parametrize(
    ("frame", "kwargs", "match"),
    [
        (pd.DataFrame({"recommend": [10, 11]}), {}, r"outside 0 to 10.*row 1 \(value 11"),
        (pd.DataFrame({"recommend": [10, 7.5]}), {}, "not whole numbers"),
        (pd.DataFrame({"recommend": ["10", "sehr gut"]}), {}, "text, not numbers"),
        (pd.DataFrame({"recommend": [10, 5], "w": [1.0, -1.0]}), {"weight": "w"}, "zero or negative"),
        (pd.DataFrame({"recommend": [10, 5], "w": [1.0, None]}), {"weight": "w"}, "missing value"),
        (pd.DataFrame({"recommend": [10, 5]}), {"by": "segmnt"}, "Could not interpret value 'segmnt' for `by`"),
        (pd.DataFrame({"recommend": [np.nan, np.nan]}), {}, "no response has a score"),
        (pd.DataFrame({"recommend": []}), {}, "at least 1 row"),
    ],
)
def test_bad_input_gives_clear_error(frame, kwargs, match):
    with pytest.raises(CJMDataError, match=match):
        nps(frame, **kwargs)


def test_bad_options():
    with pytest.raises(CJMConfigError, match="ci_method"):
        nps(pd.DataFrame({"recommend": [1]}), ci_method="exact")


def test_does_not_modify_input():
    df = pd.DataFrame({"recommend": SCORES, "g": list("ab") * 5})
    before = df.copy(deep=True)
    nps(df, by="g")
    pd.testing.assert_frame_equal(df, before)


@pytest.mark.parametrize(("n", "method"), [(30, "adjusted_wald"), (200, "wald")])
def test_ci_covers_true_nps_at_nominal_rate(n, method):
    """2,000 simulated samples (seed 7): the 95% interval covers the true NPS 95% ± 1.5 points."""
    rng = np.random.default_rng(7)
    reps, probs = 2000, np.array([0.45, 0.30, 0.25])  # promoters, passives, detractors: NPS 20
    cls = rng.choice(3, size=(reps, n), p=probs)
    scores = np.choose(cls, [10, 8, 3]).ravel()
    df = pd.DataFrame({"recommend": scores, "rep": np.repeat(np.arange(reps), n)})
    out = nps(df, by="rep", total=False, ci_method=method)
    coverage = ((out.ci_low <= 20) & (out.ci_high >= 20)).mean()
    assert coverage == pytest.approx(0.95, abs=0.015)
