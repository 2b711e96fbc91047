"""Rim weighting: IPF solutions by hand, margins, efficiency, trimming, errors, sample bias."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cjm_lab import CJMDataError
from cjm_lab.errors import CJMConfigError
from cjm_lab.survey.weighting import RimWeights, kish_n_eff, population_targets, rim_weights


def cells(counts: dict[tuple[str, str], int], names=("sex", "age")) -> pd.DataFrame:
    """One row per respondent from cell counts."""
    keys = list(counts)
    rows = np.repeat(np.arange(len(keys)), [counts[k] for k in keys])
    return pd.DataFrame([keys[i] for i in rows], columns=list(names))


def cell_weights(df: pd.DataFrame, rw: RimWeights) -> dict:
    by_cell = df.assign(w=rw.weights).groupby(list(df.columns), sort=False)["w"]
    assert (by_cell.nunique() == 1).all()  # every respondent of a cell gets the same weight
    return by_cell.first().to_dict()


INDEPENDENT = {("m", "y"): 30, ("m", "o"): 10, ("f", "y"): 15, ("f", "o"): 5}
HALF = {"sex": {"m": 0.5, "f": 0.5}, "age": {"y": 0.5, "o": 0.5}}


def test_independent_2x2_gives_product_weights_in_one_pass():
    """Sample cells proportional to their margins: w = n * target_sex * target_age / n_cell."""
    df = cells(INDEPENDENT)
    rw = rim_weights(df, targets=HALF)
    w = cell_weights(df, rw)
    for key, n_cell in INDEPENDENT.items():
        assert w[key] == pytest.approx(60 * 0.5 * 0.5 / n_cell)  # 0.5, 1.5, 1, 3
    assert rw.converged and rw.iterations == 1
    assert rw.weights.mean() == pytest.approx(1.0)
    assert rw.weights.index.equals(df.index) and rw.weights.name == "weight"
    assert (rw.min_weight, rw.max_weight) == (pytest.approx(0.5), pytest.approx(3.0))


def test_efficiency_and_kish_base_by_hand():
    df = cells(INDEPENDENT)
    rw = rim_weights(df, targets=HALF)
    sum_w2 = 30 * 0.5**2 + 10 * 1.5**2 + 15 * 1**2 + 5 * 3**2  # 90
    assert rw.n == 60
    assert rw.n_eff == pytest.approx(60**2 / sum_w2)  # 40
    assert rw.efficiency == pytest.approx(40 / 60 * 100)
    assert kish_n_eff(rw.weights) == pytest.approx(40)
    row = rw.summary().iloc[0]
    assert row.n_eff == pytest.approx(40) and row.efficiency == pytest.approx(66.6667, abs=1e-3)
    assert bool(row.converged) and row.max_deviation <= 1e-6


def test_ipf_2x2_keeps_the_odds_ratio_and_hits_the_margins():
    """IPF keeps the sample's odds ratio (30·30)/(20·20) = 2.25 and reaches the targets.

    With sex margin 50/50 and age margin 40/60 (n = 100) the weighted cell m = (m, y) = x solves
    x (10 + x) / ((50 − x)(40 − x)) = 2.25, i.e. x² − 170 x + 3600 = 0.
    """
    counts = {("m", "y"): 30, ("m", "o"): 20, ("f", "y"): 20, ("f", "o"): 30}
    df = cells(counts)
    rw = rim_weights(df, targets={"sex": {"m": 0.5, "f": 0.5}, "age": {"y": 0.4, "o": 0.6}}, tol=1e-12, max_iter=500)
    x = (170 - math.sqrt(170**2 - 4 * 3600)) / 2  # 24.792
    expected = {("m", "y"): x, ("m", "o"): 50 - x, ("f", "y"): 40 - x, ("f", "o"): 10 + x}
    w = cell_weights(df, rw)
    for key, total in expected.items():
        assert w[key] == pytest.approx(total / counts[key], rel=1e-9)
    assert rw.converged and rw.iterations > 1
    ww = df.assign(w=rw.weights)
    assert ww.groupby("sex")["w"].sum()["m"] / 100 == pytest.approx(0.5, abs=1e-9)
    assert ww.groupby("age")["w"].sum()["y"] / 100 == pytest.approx(0.4, abs=1e-9)


def test_margin_table_reports_target_unweighted_and_weighted():
    counts = {("m", "y"): 30, ("m", "o"): 20, ("f", "y"): 20, ("f", "o"): 30}
    rw = rim_weights(cells(counts), targets={"sex": {"m": 0.5, "f": 0.5}, "age": {"y": 0.4, "o": 0.6}})
    m = rw.margins.set_index(["variable", "category"])
    assert list(rw.margins.columns) == [
        "variable",
        "category",
        "n",
        "target_pct",
        "unweighted_pct",
        "weighted_pct",
        "deviation",
    ]
    assert m.loc[("age", "y"), "n"] == 50
    assert m.loc[("age", "y"), "unweighted_pct"] == pytest.approx(50)
    assert m.loc[("age", "y"), "target_pct"] == pytest.approx(40)
    assert np.allclose(m["weighted_pct"], m["target_pct"], atol=1e-4)  # tol 1e-6 as a proportion
    assert (m["deviation"].abs() <= 1e-4).all()


def test_margins_reproduced_to_1e_6_on_three_margins():
    rng = np.random.default_rng(5)
    n = 4000
    df = pd.DataFrame(
        {
            "age": rng.choice(["18-29", "30-49", "50+"], n, p=[0.5, 0.3, 0.2]),
            "region": rng.choice(["Nord", "Süd", "Ost", "West"], n, p=[0.4, 0.3, 0.2, 0.1]),
            "sex": rng.choice(["f", "m"], n, p=[0.6, 0.4]),
        }
    )
    targets = {
        "age": {"18-29": 0.2, "30-49": 0.35, "50+": 0.45},
        "region": {"Nord": 0.25, "Süd": 0.25, "Ost": 0.25, "West": 0.25},
        "sex": {"f": 0.51, "m": 0.49},
    }
    rw = rim_weights(df, targets=targets, tol=1e-6)
    assert rw.converged and rw.max_deviation <= 1e-6
    for var, spec in targets.items():
        got = rw.weights.groupby(df[var]).sum() / rw.weights.sum()
        for cat, share in spec.items():
            assert abs(got[cat] - share) <= 1e-6


def test_crossed_margin_with_tuple_keys():
    df = cells(INDEPENDENT)
    crossed = {("m", "y"): 0.1, ("m", "o"): 0.4, ("f", "y"): 0.3, ("f", "o"): 0.2}
    rw = rim_weights(df, targets={("sex", "age"): crossed})
    w = cell_weights(df, rw)
    for key, share in crossed.items():
        assert w[key] == pytest.approx(60 * share / INDEPENDENT[key])
    assert rw.margins["variable"].unique().tolist() == ["sex × age"]
    assert rw.margins["category"].tolist() == list(crossed)


def test_crossed_margin_together_with_a_plain_margin():
    rng = np.random.default_rng(2)
    n = 3000
    df = pd.DataFrame(
        {
            "sex": rng.choice(["m", "f"], n),
            "age": rng.choice(["y", "o"], n, p=[0.7, 0.3]),
            "region": rng.choice(["N", "S"], n, p=[0.8, 0.2]),
        }
    )
    crossed = {("m", "y"): 0.2, ("m", "o"): 0.3, ("f", "y"): 0.25, ("f", "o"): 0.25}
    rw = rim_weights(df, targets={("sex", "age"): crossed, "region": {"N": 0.5, "S": 0.5}})
    got = rw.weights.groupby([df.sex, df.age]).sum() / n
    for key, share in crossed.items():
        assert got[key] == pytest.approx(share, abs=1e-6)


def test_counts_and_percentages_are_normalised():
    df = cells(INDEPENDENT)
    shares = rim_weights(df, targets=HALF).weights
    counts = rim_weights(df, targets={"sex": {"m": 5000, "f": 5000}, "age": {"y": 50, "o": 50}}).weights
    pd.testing.assert_series_equal(shares, counts)


def test_population_targets_from_a_frame():
    pop = pd.DataFrame({"sex": ["m", "f", "f", "f"], "age": ["y", "y", "o", "o"]})
    tg = population_targets(pop, ["sex", ("sex", "age")])
    assert tg["sex"] == {"f": 0.75, "m": 0.25}
    assert tg[("sex", "age")][("f", "o")] == pytest.approx(0.5)


def test_base_weight_is_the_starting_point():
    df = cells({("m", "y"): 30, ("m", "o"): 20, ("f", "y"): 20, ("f", "o"): 30})
    df["design"] = np.where(df.sex == "m", 2.0, 1.0)
    targets = {"sex": {"m": 0.5, "f": 0.5}, "age": {"y": 0.4, "o": 0.6}}
    plain = rim_weights(df, targets=targets)
    based = rim_weights(df, targets=targets, base_weight="design")
    assert based.converged
    # sex is in the targets, so the design weight's sex effect is raked away: same solution
    np.testing.assert_allclose(based.weights, plain.weights, atol=1e-5)
    only_age = rim_weights(df, targets={"age": {"y": 0.4, "o": 0.6}}, base_weight="design")
    ratio = only_age.weights / df["design"]  # within an age group the design ratio survives
    assert ratio.groupby(df.age).nunique().max() == 1


def test_trimming_is_respected_inside_the_iterations():
    """2 × 3 cells; untrimmed the (f, o) weight is 2.45: bounding it at 2.3 is feasible."""
    df = cells({("m", "y"): 40, ("m", "m"): 20, ("m", "o"): 5, ("f", "y"): 10, ("f", "m"): 15, ("f", "o"): 10})
    targets = {"sex": {"m": 0.5, "f": 0.5}, "age": {"y": 1 / 3, "m": 1 / 3, "o": 1 / 3}}
    free = rim_weights(df, targets=targets)
    assert free.max_weight > 2.4
    rw = rim_weights(df, targets=targets, trim=(0.5, 2.3), max_iter=500)
    assert rw.converged
    assert rw.max_weight <= 2.3 + 1e-9 and rw.min_weight >= 0.5 - 1e-9
    assert rw.weights.mean() == pytest.approx(1.0)
    assert rw.n_trimmed_high == 10 and rw.n_trimmed_low == 0
    assert rw.trim == (0.5, 2.3)
    assert (rw.margins["deviation"].abs() <= 1e-4).all()
    assert rw.efficiency > free.efficiency  # trimming buys precision
    summary = rw.summary().iloc[0]
    assert (summary.trim_low, summary.trim_high, summary.n_trimmed_high) == (0.5, 2.3, 10)
    capped = rim_weights(df, targets=targets, cap=2.3, max_iter=500)
    assert capped.max_weight <= 2.3 + 1e-9 and capped.trim == (None, 2.3)


def test_infeasible_trimming_reports_non_convergence_without_warning():
    """Age 'o' has 15 respondents for a third of 100: their mean weight must be 2.22 > 2.2."""
    df = cells({("m", "y"): 40, ("m", "m"): 20, ("m", "o"): 5, ("f", "y"): 10, ("f", "m"): 15, ("f", "o"): 10})
    targets = {"sex": {"m": 0.5, "f": 0.5}, "age": {"y": 1 / 3, "m": 1 / 3, "o": 1 / 3}}
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rw = rim_weights(df, targets=targets, trim=(0.4, 2.2), max_iter=200)
    assert not rw.converged and rw.iterations == 200
    assert rw.max_deviation == pytest.approx(1 / 3 - 15 * 2.2 / 100, abs=1e-6)
    assert rw.max_weight <= 2.2 + 1e-9
    with pytest.raises(CJMDataError, match=r"did not converge in 200 passes.*Fix: Loosen the trimming"):
        rim_weights(df, targets=targets, trim=(0.4, 2.2), max_iter=200, strict=True)


def test_category_missing_from_targets_names_rows_and_value():
    df = pd.DataFrame({"region": ["Nord", "Süd", "Nord", "Ost"]})
    with pytest.raises(CJMDataError, match=r"'Ost'.*targets name 'Nord', 'Süd'.*row 3 \(value 'Ost'\)") as err:
        rim_weights(df, targets={"region": {"Nord": 0.5, "Süd": 0.5}})
    assert "Add the category to targets['region']" in str(err.value)


def test_target_category_absent_from_data_says_how_to_fix():
    df = pd.DataFrame({"region": ["Nord", "Süd", "Nord"]})
    with pytest.raises(CJMDataError, match=r"'Ost' of 'region' has no respondent.*Fix: Merge the empty category"):
        rim_weights(df, targets={"region": {"Nord": 0.4, "Süd": 0.4, "Ost": 0.2}})


def test_missing_values_in_a_raking_variable():
    df = pd.DataFrame({"region": ["Nord", None, "Süd", "Nord"]})
    with pytest.raises(CJMDataError, match=r"1 missing value\(s\) in the raking variable 'region'.*row 1"):
        rim_weights(df, targets={"region": {"Nord": 0.5, "Süd": 0.5}})


@pytest.mark.parametrize(
    ("targets", "error", "match"),
    [
        ({"region": {"Nord": 0.5, "Süd": 0.4}}, CJMDataError, r"sum to 0\.9, not 1"),
        ({"region": {"Nord": 0.5, "Süd": -0.5}}, CJMConfigError, "not negative"),
        ({"regoin": {"Nord": 0.5, "Süd": 0.5}}, CJMDataError, r"'regoin' for `targets`.*Did you mean 'region'"),
        ({("region",): {("Nord",): 1.0}}, CJMConfigError, "tuple of two or more columns"),
        ({"region": {}}, CJMConfigError, "non-empty mapping"),
        ({}, CJMConfigError, "non-empty dict"),
    ],
)
def test_bad_targets(targets, error, match):
    df = pd.DataFrame({"region": ["Nord", "Süd"], "sex": ["m", "f"]})
    with pytest.raises(error, match=match):
        rim_weights(df, targets=targets)


def test_crossed_margin_needs_tuple_categories():
    df = cells(INDEPENDENT)
    with pytest.raises(CJMConfigError, match="keyed by tuples"):
        rim_weights(df, targets={("sex", "age"): {"m": 0.5, "f": 0.5}})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"trim": (0.3, 0.9)}, "0 <= low < 1 < high"),
        ({"trim": 3.0}, r"\(low, high\)"),
        ({"trim": (0.3, 3.0), "cap": 3.0}, "not both"),
        ({"max_iter": 0}, "max_iter"),
        ({"tol": 0}, "tol"),
    ],
)
def test_bad_options(kwargs, match):
    with pytest.raises(CJMConfigError, match=match):
        rim_weights(cells(INDEPENDENT), targets=HALF, **kwargs)


def test_bad_base_weights():
    df = cells(INDEPENDENT).assign(d=1.0)
    df.loc[3, "d"] = 0.0
    with pytest.raises(CJMDataError, match=r"zero or negative.*row 3"):
        rim_weights(df, targets=HALF, base_weight="d")


def test_does_not_modify_input():
    df = cells(INDEPENDENT)
    before = df.copy(deep=True)
    rim_weights(df, targets=HALF, trim=(0.3, 3.0))
    pd.testing.assert_frame_equal(df, before)


# ---------------------------------------------------------------- the generated sample
@pytest.fixture(scope="module")
def sample():
    from cjm_lab.sample import make_sample

    data = make_sample(20_000, random_state=3)
    survey = data.survey.merge(
        data.customers[["customer_id", "age_band", "preferred_channel"]],
        on="customer_id",
        how="left",
        validate="many_to_one",
    )
    return data, survey


def test_sample_raking_reproduces_population_margins(sample):
    data, survey = sample
    targets = population_targets(data.customers, ["age_band", "preferred_channel"])
    wave = survey[survey.wave == 1]
    rw = rim_weights(wave, targets=targets)
    assert rw.converged
    for var in targets:
        weighted = rw.weights.groupby(wave[var], observed=True).sum() / rw.weights.sum()
        population = data.customers[var].value_counts(normalize=True)
        for cat, share in population.items():
            assert abs(weighted[cat] - share) <= 1e-6
    # the planted response bias: the young and app users answer more often ...
    young = data.customers.age_band.cat.categories[0]
    unweighted = wave.age_band.value_counts(normalize=True)[young]
    assert unweighted - targets["age_band"][young] > 0.05
    # ... and weighting costs precision, as reported
    assert 50 < rw.efficiency < 95


def test_sample_raking_per_wave_matches_the_generators_weights_and_corrects_nps(sample):
    """Per wave, raking on age band and channel gives the generator's own weights; the weighted
    NPS lands closer to the true NPS of all customers than the unweighted one."""
    from cjm_lab.survey import nps

    data, survey = sample
    targets = population_targets(data.customers, ["age_band", "preferred_channel"])
    weights = pd.concat(
        [rim_weights(g, targets=targets, tol=1e-12, max_iter=500).weights for _, g in survey.groupby("wave")]
    )
    np.testing.assert_allclose(weights.reindex(survey.index), survey["weight"], atol=1e-6)
    scored = survey.assign(w=weights)
    raw = nps(scored, by="wave", total=False).set_index("wave")["nps"]
    weighted = nps(scored, by="wave", weight="w", total=False).set_index("wave")["nps"]
    for wave, true in data.truth["true_nps_by_wave"].items():
        assert abs(weighted[int(wave)] - true) < abs(raw[int(wave)] - true)
