"""Key drivers: Shapley/LMG and Johnson by hand and brute force, weights, bootstrap, IPA, truth."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from cjm_lab import CJMDataError
from cjm_lab.errors import CJMConfigError
from cjm_lab.survey.drivers import MAX_SHAPLEY_DRIVERS, QUADRANT_LABELS, importance_performance, key_drivers

REAL = Path(__file__).resolve().parents[2] / "data" / "real"
SAMPLE_DRIVERS = ["sat_website", "sat_checkout", "sat_delivery", "sat_billing", "sat_service", "sat_product"]


def correlated(n: int = 400, p: int = 4, seed: int = 3) -> pd.DataFrame:
    """Correlated 1–5 driver ratings and a 0–10 outcome with unequal effects."""
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(n, 1))
    latent = 0.7 * common + rng.normal(size=(n, p))
    x = np.clip(np.round(3 + latent), 1, 5)
    y = np.clip(np.round(5 + x @ np.linspace(1.2, 0.2, p) * 0.8 - 7 + rng.normal(0, 1.5, n)), 0, 10)
    df = pd.DataFrame(x, columns=[f"d{j + 1}" for j in range(p)])
    df["y"] = y
    return df


def r2_ols(df: pd.DataFrame, cols: list[str], y: str = "y", w: np.ndarray | None = None) -> float:
    if not cols:
        return 0.0
    X = sm.add_constant(df[cols].to_numpy(dtype=float))
    model = sm.OLS(df[y].to_numpy(dtype=float), X) if w is None else sm.WLS(df[y].to_numpy(dtype=float), X, weights=w)
    return float(model.fit().rsquared)


# --------------------------------------------------------------------------- by hand
def test_two_uncorrelated_drivers_get_their_squared_correlations():
    rng = np.random.default_rng(0)
    x1 = np.tile([1.0, 1.0, -1.0, -1.0], 50)
    x2 = np.tile([1.0, -1.0, 1.0, -1.0], 50)  # exactly uncorrelated with x1 in the sample
    y = 2 * x1 + x2 + rng.normal(0, 1, 200)
    df = pd.DataFrame({"x1": x1, "x2": x2, "y": y})
    out = key_drivers(df, outcome="y", drivers=["x1", "x2"]).set_index("driver")
    r = {c: np.corrcoef(df[c], y)[0, 1] for c in ("x1", "x2")}
    for c in ("x1", "x2"):
        assert out.loc[c, "shapley"] == pytest.approx(r[c] ** 2)
        assert out.loc[c, "johnson"] == pytest.approx(r[c] ** 2)
        assert out.loc[c, "r"] == pytest.approx(r[c]) and out.loc[c, "beta"] == pytest.approx(r[c])
    assert out.r2.iloc[0] == pytest.approx(r["x1"] ** 2 + r["x2"] ** 2)
    assert out.loc["x1", "rank"] == 1 and out.index.tolist() == ["x1", "x2"]


def test_values_sum_to_r2_and_shares_to_100():
    df = correlated(p=5)
    drivers = ["d1", "d2", "d3", "d4", "d5"]
    out = key_drivers(df, outcome="y", drivers=drivers)
    r2 = r2_ols(df, drivers)
    assert out.r2.iloc[0] == pytest.approx(r2)  # the R² of an ordinary regression with intercept
    assert out.shapley.sum() == pytest.approx(r2)
    assert out.johnson.sum() == pytest.approx(r2)
    assert out.shapley_share.sum() == pytest.approx(100)
    assert out.johnson_share.sum() == pytest.approx(100)
    assert out["rank"].tolist() == [1, 2, 3, 4, 5]
    assert (out.shapley.diff().dropna() <= 0).all()  # most important first
    assert list(out.columns) == [
        "driver",
        "label",
        "n_used",
        "n_dropped",
        "r",
        "beta",
        "shapley",
        "shapley_share",
        "johnson",
        "johnson_share",
        "r2",
        "rank",
    ]


def test_shapley_equals_brute_force_average_over_all_orderings():
    df = correlated(p=4, seed=11)
    drivers = ["d1", "d2", "d3", "d4"]
    fits = {frozenset(s): r2_ols(df, list(s)) for k in range(5) for s in itertools.combinations(drivers, k)}
    brute = dict.fromkeys(drivers, 0.0)
    orders = list(itertools.permutations(drivers))
    for order in orders:  # 24 orderings: each driver's gain when it enters
        for i, d in enumerate(order):
            brute[d] += fits[frozenset(order[: i + 1])] - fits[frozenset(order[:i])]
    out = key_drivers(df, outcome="y", drivers=drivers, method="shapley").set_index("driver")
    for d in drivers:
        assert out.loc[d, "shapley"] == pytest.approx(brute[d] / len(orders), abs=1e-12)
    assert "johnson" not in out.columns


def test_johnson_matches_the_textbook_steps():
    df = correlated(p=4, seed=5)
    drivers = ["d1", "d2", "d3", "d4"]
    corr = df[[*drivers, "y"]].corr().to_numpy()
    rxx, rxy = corr[:4, :4], corr[:4, 4]
    from scipy.linalg import sqrtm

    lam = np.real(sqrtm(rxx))  # loadings of the drivers on their orthogonal counterparts
    beta = np.linalg.inv(lam) @ rxy  # outcome regressed on the orthogonal counterparts
    expected = (lam**2) @ (beta**2)
    out = key_drivers(df, outcome="y", drivers=drivers, method="johnson").set_index("driver")
    np.testing.assert_allclose(out.loc[drivers, "johnson"].to_numpy(), expected, rtol=1e-10)


def test_driver_order_does_not_matter():
    df = correlated(p=5, seed=8)
    a = key_drivers(df, outcome="y", drivers=["d1", "d2", "d3", "d4", "d5"]).set_index("driver")
    b = key_drivers(df, outcome="y", drivers=["d4", "d2", "d5", "d1", "d3"]).set_index("driver")
    pd.testing.assert_frame_equal(a, b.loc[a.index], check_exact=False, rtol=1e-10)


def test_twelve_drivers_exact_and_fast():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3000, 12)) + rng.normal(size=(3000, 1))
    df = pd.DataFrame(x, columns=[f"x{i}" for i in range(12)])
    df["y"] = x @ np.linspace(1, 0, 12) + rng.normal(size=3000)
    out = key_drivers(df, outcome="y", drivers=[f"x{i}" for i in range(12)])
    assert out.shapley.sum() == pytest.approx(out.r2.iloc[0])
    assert out.r2.iloc[0] == pytest.approx(r2_ols(df, [f"x{i}" for i in range(12)]))
    assert out.driver.iloc[0] == "x0"


# --------------------------------------------------------------------------- weights, missing, bootstrap
def test_weighted_fit_is_weighted_least_squares_and_integer_weights_duplicate_rows():
    df = correlated(p=3, seed=4)
    df["w"] = np.random.default_rng(4).integers(1, 4, len(df)).astype(float)
    out = key_drivers(df, outcome="y", drivers=["d1", "d2", "d3"], weight="w").set_index("driver")
    assert out.r2.iloc[0] == pytest.approx(r2_ols(df, ["d1", "d2", "d3"], w=df.w.to_numpy()))
    assert out.shapley.sum() == pytest.approx(out.r2.iloc[0])
    repeated = df.loc[df.index.repeat(df.w.astype(int))]
    dup = key_drivers(repeated, outcome="y", drivers=["d1", "d2", "d3"]).set_index("driver")
    for col in ("shapley", "johnson", "beta", "r2"):
        np.testing.assert_allclose(out.loc[["d1", "d2", "d3"], col], dup.loc[["d1", "d2", "d3"], col], rtol=1e-10)


def test_weights_move_importance_towards_the_upweighted_segment():
    rng = np.random.default_rng(9)
    n = 600
    x = rng.normal(size=(n, 2))
    seg = np.repeat(["a", "b"], n // 2)
    # in segment a only x1 matters, in segment b only x2
    y = np.where(seg == "a", 2 * x[:, 0], 2 * x[:, 1]) + rng.normal(0, 1, n)
    df = pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "y": y, "seg": seg})
    plain = key_drivers(df, outcome="y", drivers=["x1", "x2"]).set_index("driver")
    df["w"] = np.where(seg == "a", 4.0, 1.0)
    weighted = key_drivers(df, outcome="y", drivers=["x1", "x2"], weight="w").set_index("driver")
    assert weighted.loc["x1", "shapley_share"] > plain.loc["x1", "shapley_share"] + 20
    assert weighted.loc["x1", "rank"] == 1


def test_missing_answers_are_dropped_listwise_and_counted():
    df = correlated(p=3, seed=6)
    df.loc[[0, 1, 2], "d1"] = np.nan
    df.loc[[2, 3], "y"] = np.nan
    df.loc[[4], "d3"] = 99  # don't know
    out = key_drivers(df, outcome="y", drivers=["d1", "d2", "d3"], dont_know=99)
    assert (out.n_used == len(df) - 5).all() and (out.n_dropped == 5).all()
    manual = key_drivers(df.drop(index=[0, 1, 2, 3, 4]), outcome="y", drivers=["d1", "d2", "d3"])
    np.testing.assert_allclose(out.shapley, manual.shapley)


def test_bootstrap_interval_contains_the_estimate_and_is_reproducible():
    df = correlated(n=300, p=4, seed=12)
    drivers = ["d1", "d2", "d3", "d4"]
    a = key_drivers(df, outcome="y", drivers=drivers, bootstrap=200, random_state=1)
    b = key_drivers(df, outcome="y", drivers=drivers, bootstrap=200, random_state=1)
    pd.testing.assert_frame_equal(a, b)
    for m in ("shapley", "johnson"):
        assert (a[f"{m}_ci_low"] <= a[m]).all() and (a[m] <= a[f"{m}_ci_high"]).all()
        assert (a[f"{m}_ci_low"] < a[f"{m}_ci_high"]).all()
    assert (a.n_boot == 200).all()
    narrow = key_drivers(df, outcome="y", drivers=drivers, bootstrap=200, random_state=1, confidence=0.5)
    assert ((narrow.shapley_ci_high - narrow.shapley_ci_low) < (a.shapley_ci_high - a.shapley_ci_low)).all()


def test_bootstrap_skips_replicates_that_cannot_be_fitted():
    # a rare answer: some resamples have a constant driver; they are skipped and counted
    df = pd.DataFrame({"x1": [1.0] * 11 + [5.0], "x2": np.arange(12.0) % 5, "y": np.arange(12.0)})
    out = key_drivers(df, outcome="y", drivers=["x1", "x2"], bootstrap=100, random_state=0)
    assert 0 < out.n_boot.iloc[0] < 100


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("change", "kwargs", "match"),
    [
        (
            lambda d: d.assign(d2=3.0),
            {},
            r"the driver 'd2' has the same value \(3\) in all 400 rows.*Fix: Leave 'd2' out",
        ),
        (lambda d: d.assign(y=7.0), {}, r"the outcome 'y' has the same value"),
        (
            lambda d: d.assign(d3=np.nan),
            {},
            r"the driver 'd3' has no answer in any of the 400 rows.*Fix: Leave 'd3' out",
        ),
        (
            lambda d: d.assign(d3=d.d1 + d.d2),
            {},
            r"drivers 'd3', 'd(1|2)', 'd(1|2)' are collinear.*Fix: Leave one of them out",
        ),
        (lambda d: d.assign(d3=d.d1), {}, r"drivers '(d1|d3)', '(d1|d3)' are collinear"),
        (lambda d: d.head(4), {}, r"only 4 row\(s\) have the outcome and all 3 drivers.*at least 5 \(drivers \+ 2\)"),
        (
            lambda d: d.assign(d1=np.where(np.arange(400) < 397, np.nan, d.d1)),
            {},
            r"only 3 row\(s\).*397 dropped for missing answers; 'd1' is missing in 397",
        ),
        (
            lambda d: d.assign(d2=d.d2.astype(object).where(d.index != 5, "gut")),
            {},
            r"1 value\(s\) in 'd2' are text.*row 5 \(value 'gut'\)",
        ),
        (
            lambda d: d,
            {"drivers": ["d1", "d2", "d33"]},
            r"Could not interpret value 'd33' for `drivers`.*Did you mean 'd3'",
        ),
        (lambda d: d.assign(w=-1.0), {"weight": "w"}, "zero or negative"),
    ],
)
def test_bad_data_names_the_column_and_the_fix(change, kwargs, match):
    df = change(correlated(p=3))
    kwargs = {"outcome": "y", "drivers": ["d1", "d2", "d3"], **kwargs}
    with pytest.raises(CJMDataError, match=match) as err:
        key_drivers(df, **kwargs)
    assert "Fix:" in str(err.value)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "relaimpo"}, "`method`"),
        ({"method": ()}, "`method`"),
        ({"missing": "mean_impute"}, "`missing`"),  # pairwise exists now; imputation does not
        ({"bootstrap": -1}, "`bootstrap`"),
        ({"confidence": 1.5}, "`confidence`"),
        ({"drivers": []}, "at least one driver"),
        ({"drivers": ["d1", "d1"]}, "more than once"),
        ({"drivers": ["d1", "y"]}, "cannot also be one of the `drivers`"),
    ],
)
def test_bad_options(kwargs, match):
    kwargs = {"outcome": "y", "drivers": ["d1", "d2"], **kwargs}
    with pytest.raises(CJMConfigError, match=match):
        key_drivers(correlated(p=2), **kwargs)


def test_too_many_drivers_for_exact_shapley_but_johnson_works():
    rng = np.random.default_rng(0)
    p = MAX_SHAPLEY_DRIVERS + 1
    df = pd.DataFrame(rng.normal(size=(200, p)), columns=[f"x{i}" for i in range(p)])
    df["y"] = df.sum(axis=1) + rng.normal(size=200)
    with pytest.raises(CJMConfigError, match=r"2\^16 subsets.*method='johnson'"):
        key_drivers(df, outcome="y", drivers=list(df.columns[:p]))
    out = key_drivers(df, outcome="y", drivers=list(df.columns[:p]), method="johnson")
    assert out.johnson.sum() == pytest.approx(out.r2.iloc[0])


def test_does_not_modify_input():
    df = correlated(p=3)
    df.loc[0, "d1"] = 99
    before = df.copy(deep=True)
    out = key_drivers(df, outcome="y", drivers=["d1", "d2", "d3"], dont_know=99, bootstrap=5, random_state=0)
    importance_performance(out, df, dont_know=99)
    pd.testing.assert_frame_equal(df, before)


# --------------------------------------------------------------------------- importance-performance
def test_quadrants_split_at_the_means():
    table = pd.DataFrame(
        {
            "driver": ["a", "b", "c", "d"],
            "shapley_share": [40.0, 30.0, 20.0, 10.0],
            "johnson_share": [10.0, 20.0, 30.0, 40.0],
        }
    )
    data = pd.DataFrame({"a": [2, 2], "b": [5, 4], "c": [1, 2], "d": [5, 5]})
    out = importance_performance(table, data)
    # importance mean 25: a, b high; performance mean (2 + 4.5 + 1.5 + 5) / 4 = 3.25
    assert out.importance_split.iloc[0] == pytest.approx(25)
    assert out.performance_split.iloc[0] == pytest.approx(3.25)
    assert out.quadrant.tolist() == ["fix_first", "keep_up", "low_priority", "overkill"]
    assert out.quadrant_label.tolist() == ["fix first", "keep up the good work", "low priority", "possible overkill"]
    de = importance_performance(table, data, language="de")
    assert de.quadrant_label.tolist() == ["zuerst verbessern", "weiter so", "geringe Priorität", "überdimensioniert"]
    johnson = importance_performance(table, data, importance="johnson_share", drivers=["d", "a"])
    assert johnson.driver.tolist() == ["d", "a"] and johnson.quadrant.tolist() == ["keep_up", "low_priority"]
    assert set(QUADRANT_LABELS["en"]) == set(QUADRANT_LABELS["de"])


def test_performance_is_weighted_and_skips_dont_know():
    table = pd.DataFrame({"driver": ["a"], "shapley_share": [100.0]})
    data = pd.DataFrame({"a": [5, 1, 99], "w": [3.0, 1.0, 1.0]})
    out = importance_performance(table, data, weight="w", dont_know=99, scale=(1, 5)).iloc[0]
    assert out.performance == pytest.approx(4.0) and out.n == 2 and out.n_missing == 1


def test_importance_performance_bad_input():
    table = pd.DataFrame({"driver": ["a"], "shapley_share": [100.0]})
    data = pd.DataFrame({"a": [5, 1], "b": [1, 2]})
    with pytest.raises(CJMConfigError, match="language"):
        importance_performance(table, data, language="fr")
    with pytest.raises(CJMConfigError, match="no column 'johnson_share'"):
        importance_performance(table, data, importance="johnson_share")
    with pytest.raises(CJMDataError, match=r"'b' not in drivers_table.*Fix: Run key_drivers"):
        importance_performance(table, data, drivers=["a", "b"])
    with pytest.raises(CJMDataError, match="outside 1 to 3"):
        importance_performance(table, data, scale=(1, 3))


# --------------------------------------------------------------------------- planted truth (the shared `sample`)
def test_recovers_the_planted_driver_order(sample):
    truth = sample.truth
    out = key_drivers(sample.survey, outcome="recommend", drivers=SAMPLE_DRIVERS, dont_know=99, weight="weight")
    assert out.driver.tolist() == truth["driver_order"]
    assert (out.n_dropped > 0).all()  # don't-know answers leave rows out, and say so
    planted = np.array([truth["driver_shapley_shares"][d] for d in out.driver]) * 100
    np.testing.assert_allclose(out.shapley_share, planted, atol=5)  # percentage points (n ≈ 1,400)
    # the sample's effects: delivery and service dominate, website hardly matters
    grid = importance_performance(out, sample.survey, scale=(1, 5), dont_know=99).set_index("driver")
    assert grid.loc["sat_website", "quadrant"] in ("low_priority", "overkill")
    assert grid.loc["sat_delivery", "quadrant"] in ("fix_first", "keep_up")


# --------------------------------------------------------------------------- real data
@pytest.mark.real_data
def test_ecsi_perceived_quality_drivers_of_recommendation():
    from cjm_lab.io import load_survey

    path = REAL / "ecsi_mobile_survey.csv"
    if not path.is_file():
        pytest.fail(f"{path} is missing: the real datasets are part of the repository (data/real/)")
    ecsi = load_survey(path, columns={"CUSL3": "recommend"}, recommend_scale=(1, 10))
    drivers = [f"PERQ{i}" for i in range(1, 8)]
    out = key_drivers(ecsi, outcome="recommend", drivers=drivers, bootstrap=300, random_state=7)
    r2 = out.r2.iloc[0]
    assert r2 == pytest.approx(r2_ols(ecsi, drivers, y="recommend"))
    assert round(r2, 3) == 0.319
    assert out.shapley.sum() == pytest.approx(r2) and out.johnson.sum() == pytest.approx(r2)
    assert out.shapley_share.sum() == pytest.approx(100) and out.johnson_share.sum() == pytest.approx(100)
    assert (out.n_used == 250).all() and (out.n_dropped == 0).all()
    # customer service (PERQ3) and overall quality (PERQ1) lead; every driver adds something
    assert out.driver.tolist() == ["PERQ3", "PERQ1", "PERQ7", "PERQ2", "PERQ4", "PERQ5", "PERQ6"]
    assert (out.shapley > 0).all()
    # with positively correlated drivers each share is below the driver's own r², and
    # Johnson's weights rank them the same way as Shapley's
    assert (out.shapley < out.r**2).all()
    assert out.johnson.rank(ascending=False).tolist() == out["rank"].tolist()
    assert (out.shapley_ci_low <= out.shapley).all() and (out.shapley <= out.shapley_ci_high).all()
    assert (out.shapley_ci_low > 0).all()
