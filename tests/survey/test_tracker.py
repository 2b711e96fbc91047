"""survey.tracker: weighted estimates, CIs, changes and corrections, checked against formulas written here."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from cjm_lab.errors import CJMConfigError, CJMDataError, CJMDataWarning
from cjm_lab.io import load_survey
from cjm_lab.survey import nps, nps_trend, tracker

Z = stats.norm.ppf(0.975)


@pytest.fixture(scope="module")
def waves():
    rng = np.random.default_rng(17)
    n = 900
    df = pd.DataFrame(
        {
            "wave": np.repeat([2021, 2022, 2023], n // 3),
            "w": rng.uniform(0.4, 2.6, n),
            "aware": rng.random(n) < np.repeat([0.35, 0.42, 0.55], n // 3),
            "sat": rng.integers(1, 6, n).astype(float),
            "recommend": rng.integers(0, 11, n).astype(float),
            "brand": rng.choice(["Alpha", "Beta", "Gamma"], n),
        }
    )
    df.loc[rng.choice(n, 40, replace=False), "sat"] = np.nan
    return df


def own_share(x: np.ndarray, w: np.ndarray) -> tuple[float, float, float, float]:
    """Weighted share with Kish's n_eff and the Wilson interval, written out."""
    p = np.sum(w * x) / np.sum(w)
    neff = np.sum(w) ** 2 / np.sum(w**2)
    centre = (p + Z**2 / (2 * neff)) / (1 + Z**2 / neff)
    half = Z / (1 + Z**2 / neff) * math.sqrt(p * (1 - p) / neff + Z**2 / (4 * neff**2))
    return p * 100, neff, (centre - half) * 100, (centre + half) * 100


def test_weighted_shares_and_cis_match_the_formula(waves):
    out = tracker(waves, measures=["aware"], wave="wave", weight="w")
    assert out["wave"].tolist() == [2021, 2022, 2023]
    for row in out.itertuples():
        sub = waves[waves.wave == row.wave]
        p, neff, lo, hi = own_share(sub.aware.to_numpy(float), sub.w.to_numpy())
        assert (row.estimate, row.n_eff, row.ci_low, row.ci_high) == pytest.approx((p, neff, lo, hi))
        assert row.n == len(sub) and row.se == pytest.approx(math.sqrt(p / 100 * (1 - p / 100) / neff) * 100)
    # the change: an unpooled z-test on the effective bases
    a, b = out.iloc[0], out.iloc[1]
    se = math.sqrt(a.se**2 + b.se**2)
    assert b.change == pytest.approx(b.estimate - a.estimate)
    assert b.change_p == pytest.approx(2 * stats.norm.sf(abs(b.change) / se))
    assert (b.change_ci_low, b.change_ci_high) == pytest.approx((b.change - Z * se, b.change + Z * se))
    assert math.isnan(a.change) and a.text == "" and b.text.startswith("aware ")


def test_weighted_mean_with_welch_change(waves):
    out = tracker(waves, measures={"sat": "mean"}, wave="wave", weight="w")
    stats_by = {}
    for row in out.itertuples():
        sub = waves[(waves.wave == row.wave) & waves.sat.notna()]
        x, w = sub.sat.to_numpy(), sub.w.to_numpy()
        m = np.sum(w * x) / w.sum()
        neff = w.sum() ** 2 / np.sum(w**2)
        s2 = np.sum(w * (x - m) ** 2) / w.sum() * neff / (neff - 1)
        se = math.sqrt(s2 / neff)
        t = stats.t.ppf(0.975, neff - 1)
        assert (row.estimate, row.se, row.ci_low, row.ci_high) == pytest.approx((m, se, m - t * se, m + t * se))
        assert row.n_missing == int(waves[(waves.wave == row.wave)].sat.isna().sum())
        stats_by[row.wave] = (m, se, neff)
    (m1, s1, n1), (m2, s2_, n2) = stats_by[2021], stats_by[2022]
    dof = (s1**2 + s2_**2) ** 2 / (s1**4 / (n1 - 1) + s2_**4 / (n2 - 1))
    p = 2 * stats.t.sf(abs(m2 - m1) / math.sqrt(s1**2 + s2_**2), dof)
    assert out.loc[1, "change_p"] == pytest.approx(p)


def test_top_box_share_and_nps_agree_with_nps(waves):
    out = tracker(
        waves,
        measures={"sat": {"kind": "top_box", "top": 2, "scale": (1, 5)}, "recommend": "nps"},
        wave="wave",
        weight="w",
    )
    box = out[out.measure == "sat"].iloc[0]
    sub = waves[(waves.wave == 2021) & waves.sat.notna()]
    assert box.estimate == pytest.approx(own_share((sub.sat >= 4).to_numpy(float), sub.w.to_numpy())[0])
    ref = nps(waves, by="wave", weight="w", total=False)
    got = out[out.measure == "recommend"]
    assert got["estimate"].to_numpy() == pytest.approx(ref["nps"].to_numpy())
    assert got["ci_low"].to_numpy() == pytest.approx(ref["ci_low"].to_numpy())
    trend = nps_trend(waves, period="wave", weight="w")
    assert trend["nps"].to_numpy() == pytest.approx(ref["nps"].to_numpy())
    assert trend["change"].iloc[1] == pytest.approx(got["change"].iloc[1])


def test_category_shares_and_the_correction_match_statsmodels(waves):
    out = tracker(waves, measures=["brand"], wave="wave", correction="fdr")
    assert sorted(set(out["level"])) == ["Alpha", "Beta", "Gamma"] and len(out) == 9
    p = out["change_p"].dropna().to_numpy()
    expected = multipletests(p, method="fdr_bh")[1]
    assert out["change_p_adjusted"].dropna().to_numpy() == pytest.approx(expected)
    bonf = tracker(waves, measures=["brand"], wave="wave", correction="bonferroni")
    assert bonf["change_p_adjusted"].dropna().to_numpy() == pytest.approx(multipletests(p, method="bonferroni")[1])
    none = tracker(waves, measures=["brand"], wave="wave", correction="none")
    assert (none["significant"] == (none["change_p"] < 0.05)).all()


def test_a_change_not_significant_after_the_correction_says_its_adjusted_p():
    # 40% -> 55%: unpooled z-test p = 0.0317; then 55% -> 55% (p = 1): BH over the two changes gives 0.0634
    df = pd.DataFrame({"wave": np.repeat([1, 2, 3], 100), "aware": [1] * 40 + [0] * 60 + ([1] * 55 + [0] * 45) * 2})
    out = tracker(df, measures=["aware"], wave="wave")
    p = 2 * stats.norm.sf(0.15 / math.sqrt(0.4 * 0.6 / 100 + 0.55 * 0.45 / 100))
    assert out.loc[1, "change_p"] == pytest.approx(p) and out.loc[1, "change_p_adjusted"] == pytest.approx(2 * p)
    assert not out.loc[1, "significant"]
    assert out.loc[1, "text"] == (
        "aware did not change significantly (40% to 55%, +15 points, 95% CI +1 to +29, p = 0.03, "
        "Benjamini–Hochberg adjusted p = 0.06)."
    )
    de = tracker(df, measures=["aware"], wave="wave", correction="bonferroni", language="de")
    assert de.loc[1, "text"].endswith("p = 0,03, nach Bonferroni korrigiert p = 0,06).")
    assert tracker(df, measures=["aware"], wave="wave", correction="none").loc[1, "text"].endswith("p = 0.03).")
    from cjm_lab.survey import compare_nps

    three = pd.DataFrame(
        {
            "g": np.repeat(["a", "b", "c"], 100),
            "recommend": [10] * 60 + [0] * 40 + ([10] * 46 + [0] * 54) * 2,
        }
    )
    pairs = compare_nps(three, by="g", groups="all")
    ab = pairs[(pairs.group_a == "a") & (pairs.group_b == "b")].iloc[0]
    assert ab.p_value < 0.05 < ab.p_adjusted and not ab.significant
    assert ab.text.startswith("NPS did not change significantly") and ab.text.endswith(
        "p = 0.05, Benjamini–Hochberg adjusted p = 0.07)."
    )


def test_respondents_without_a_wave_are_counted_and_named():
    df = pd.DataFrame({"wave": [1, 1, None, 2, 2, None], "y": [1, 0, 1, 1, 1, 0]})
    with pytest.warns(CJMDataWarning, match=r"2 of 6 respondents have no value in 'wave' .*rows 2, 5"):
        out = tracker(df, measures=["y"], wave="wave")
    assert out["n"].sum() == 4 and out.attrs["tracker"]["n_no_wave"] == 2
    with pytest.warns(CJMDataWarning, match="no value in 'wave'"):
        assert nps_trend(df.assign(recommend=[10, 0, 10, 9, 9, 0]), period="wave").attrs["tracker"]["n_no_wave"] == 2


def test_waves_keep_their_labels_and_low_bases_are_flagged():
    raw = pd.DataFrame({"Welle": [1.0] * 30 + [2.0] * 60, "kauf": [1] * 10 + [0] * 20 + [1] * 40 + [0] * 20})
    raw.attrs["cjm"] = {"value_labels": {"Welle": {1.0: "Welle 1 (Frühjahr)", 2.0: "Welle 2 (Herbst)"}}}
    sv = load_survey(raw, columns={"Welle": "wave"})
    out = tracker(sv, measures={"kauf": "share"}, wave="wave", language="de", min_base=50)
    assert out["wave"].tolist() == ["Welle 1 (Frühjahr)", "Welle 2 (Herbst)"]
    assert out["low_base"].tolist() == [True, False]
    assert out.loc[1, "text"].startswith("kauf stieg von 33 % auf 67 % (+33 Punkte, 95-%-KI")
    assert out.loc[1, "test"] == "z-Test, ungepoolt, auf effektiven Basen"  # was English in a German table
    book = {"values": {"Welle": {1: {"en": "Spring", "de": "Frühjahr"}, 2: {"en": "Autumn", "de": "Herbst"}}}}
    plain = pd.DataFrame({"Welle": raw["Welle"].to_numpy(), "kauf": raw["kauf"].to_numpy()})
    labelled = load_survey(plain, columns={"Welle": "wave"}, codebook=book)
    assert tracker(labelled, measures=["kauf"], wave="wave", language="de")["wave"].tolist() == ["Frühjahr", "Herbst"]
    assert tracker(labelled, measures=["kauf"], wave="wave")["wave"].tolist() == ["Spring", "Autumn"]
    floats = tracker(pd.DataFrame({"wave": [2021.0, 2022.0] * 20, "y": [1, 0] * 20}), measures=["y"], wave="wave")
    assert floats["wave"].tolist() == [2021, 2022]


def test_dates_by_month():
    df = pd.DataFrame(
        {"d": pd.to_datetime(["2025-01-03", "2025-01-20", "2025-02-02", "2025-02-05"], utc=True), "y": [1, 0, 1, 1]}
    )
    out = tracker(df, measures=["y"], wave="d", freq="M")
    assert out["wave"].tolist() == ["2025-01", "2025-02"] and out["estimate"].tolist() == [50.0, 100.0]
    with pytest.raises(CJMConfigError, match="freq='M'"):
        tracker(df, measures=["y"], wave="d")


@pytest.mark.parametrize(
    ("frame", "kwargs", "match", "column", "rows"),
    [
        (
            pd.DataFrame({"wave": [1, 1, 2, 2], "y": [1, 0, 1, 0], "w": [1.0, np.nan, 1.0, 1.0]}),
            {"weight": "w"},
            r"1 weight\(s\) in 'w' are missing, zero or negative",
            "w",
            [1],
        ),
        (
            pd.DataFrame({"wave": [1, 1, 2, 2], "y": [1, 0, 1, 0], "w": [1.0, 1.0, -2.0, 1.0]}),
            {"weight": "w"},
            r"are missing, zero or negative",
            "w",
            [2],
        ),
        (
            pd.DataFrame({"wave": pd.Series([1, 2, "Welle 3", 2], dtype=object), "y": [1, 0, 1, 0]}),
            {},
            r"mixes numbers and text",
            "wave",
            [2],
        ),
    ],
)
def test_bad_input_names_column_rows_and_fix(frame, kwargs, match, column, rows):
    with pytest.raises(CJMDataError, match=match) as info:
        tracker(frame, measures=["y"], wave="wave", **kwargs)
    assert info.value.column == column and info.value.rows == rows and info.value.fix


def test_a_mean_of_value_labels_says_how_to_keep_the_codes():
    raw = pd.DataFrame({"wave": [1, 1, 2, 2], "sat": [1.0, 5.0, 4.0, 2.0]})
    raw.attrs["cjm"] = {"value_labels": {"sat": {1: "Poor", 2: "Fair", 3: "Good", 4: "Very good", 5: "Excellent"}}}
    sv = load_survey(raw)  # nominal by default: categories of the labels
    from cjm_lab.survey import crosstab

    for call in (
        lambda: tracker(sv, measures={"sat": "mean"}, wave="wave"),
        lambda: crosstab(sv, means="sat", columns="wave"),
    ):
        with pytest.raises(CJMDataError, match=r"'sat' holds value labels \(such as 'Poor'\)") as info:
            call()
        assert "ratings=" in info.value.fix  # not "recode the text to numbers"


def test_bad_options():
    df = pd.DataFrame({"wave": [1, 2], "y": [1, 0]})
    with pytest.raises(CJMConfigError, match="`correction`"):
        tracker(df, measures=["y"], wave="wave", correction="holm")
    with pytest.raises(CJMConfigError, match="a measure is one of"):
        tracker(df, measures={"y": "median"}, wave="wave")
    with pytest.raises(CJMConfigError, match="needs the scale"):
        tracker(df, measures={"y": "top2"}, wave="wave")
