"""NPS comparisons: differences by hand, segment vs. rest, paired waves, trends and wording."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cjm_lab import CJMDataError
from cjm_lab.errors import CJMConfigError
from cjm_lab.survey import compare_nps, describe_difference, nps_trend, nps_vs_rest, paired_nps


def _var(p, d, n):
    return (p + d - (p - d) ** 2) / n


@pytest.fixture
def waves():
    # wave 1: 60 P, 20 A, 40 D (n=120, NPS 16.7); wave 2: 90 P, 30 A, 30 D (n=150, NPS 40)
    scores = [10] * 60 + [7] * 20 + [2] * 40 + [9] * 90 + [8] * 30 + [0] * 30
    return pd.DataFrame({"recommend": scores, "wave": [1] * 120 + [2] * 150})


def test_two_waves_by_hand(waves):
    row = compare_nps(waves, by="wave").iloc[0]
    se = math.sqrt(_var(0.5, 1 / 3, 120) + _var(0.6, 0.2, 150)) * 100
    assert row.nps_a == pytest.approx(100 / 6) and row.nps_b == pytest.approx(40)
    assert row.difference == pytest.approx(40 - 100 / 6)
    assert row.se == pytest.approx(se)
    z = row.difference / se
    assert row.p_value == pytest.approx(2 * (1 - 0.5 * (1 + math.erf(z / math.sqrt(2)))), rel=1e-6)
    assert row.ci_low == pytest.approx(row.difference - 1.959964 * se, abs=1e-4)
    assert bool(row.significant) == bool(row.p_value < 0.05)
    assert row.text.startswith("NPS rose from 17 to 40 (+23, 95% CI")


def test_groups_order_sets_the_sign(waves):
    row = compare_nps(waves, by="wave", groups=(2, 1)).iloc[0]
    assert row.difference == pytest.approx(100 / 6 - 40)
    assert "fell" in row.text


def test_segment_against_rest_not_total():
    df = pd.DataFrame(
        {
            "recommend": [10] * 30 + [0] * 10 + [10] * 20 + [0] * 20 + [10] * 10 + [0] * 30,
            "region": ["A"] * 40 + ["B"] * 40 + ["C"] * 40,
        }
    )
    out = nps_vs_rest(df, by="region").set_index("segment")
    # A: NPS 50; rest (B + C): 30 P, 50 D of 80 -> -25
    assert out.loc["A", "nps"] == pytest.approx(50)
    assert out.loc["A", "nps_rest"] == pytest.approx(-25)
    assert out.loc["A", "n_rest"] == 80
    se = math.sqrt(_var(0.75, 0.25, 40) + _var(30 / 80, 50 / 80, 80)) * 100
    assert out.loc["A", "se"] == pytest.approx(se)
    # Benjamini-Hochberg by hand
    p = out["p_value"].to_numpy()
    order = np.argsort(p)
    ranked = p[order] * len(p) / np.arange(1, len(p) + 1)
    bh = np.minimum.accumulate(ranked[::-1])[::-1]
    expected = np.empty_like(bh)
    expected[order] = np.minimum(bh, 1)
    assert np.allclose(out["p_adjusted"].to_numpy(), expected)
    assert "higher than in the rest of the sample" in out.loc["A", "text"]


def test_weighted_comparison_uses_effective_base():
    df = pd.DataFrame(
        {
            "recommend": [10, 0] * 50 + [10, 10, 0] * 30,
            "g": ["a"] * 100 + ["b"] * 90,
            "w": np.r_[np.full(100, 1.0), np.tile([2.0, 0.5, 1.0], 30)],
        }
    )
    row = compare_nps(df, by="g", weight="w").iloc[0]
    w = np.tile([2.0, 0.5, 1.0], 30)
    n_eff = w.sum() ** 2 / (w**2).sum()
    p = 2.5 / 3.5
    assert row.se == pytest.approx(math.sqrt(_var(0.5, 0.5, 100) + _var(p, 1 - p, n_eff)) * 100)


def test_paired_by_hand():
    df = pd.DataFrame(
        {
            "rid": ["a", "b", "c", "d", "e", "a", "b", "c", "d", "f"],
            "wave": [1] * 5 + [2] * 5,
            "recommend": [3, 8, 9, 5, 10, 9, 9, 10, 6, 10],
        }
    )
    row = paired_nps(df, id_column="rid", wave="wave").iloc[0]
    diffs = np.array([1 - -1, 1 - 0, 1 - 1, -1 - -1])  # a: D->P, b: A->P, c: P->P, d: D->D
    assert row.n_pairs == 4 and row.n_unpaired == 2
    assert row.difference == pytest.approx(diffs.mean() * 100)
    assert row.se == pytest.approx(diffs.std(ddof=1) / 2 * 100)


def test_paired_rejects_duplicates():
    df = pd.DataFrame({"rid": [1, 1, 2, 2], "wave": [1, 1, 1, 2], "recommend": [1, 2, 3, 4]})
    with pytest.raises(CJMDataError, match="more than once in a wave"):
        paired_nps(df, id_column="rid", wave="wave")


def test_trend_by_month_and_change_equals_pairwise_comparison():
    rng = np.random.default_rng(3)
    dates = pd.to_datetime("2025-01-01", utc=True) + pd.to_timedelta(rng.integers(0, 90, 900), unit="D")
    df = pd.DataFrame({"recommend": rng.integers(0, 11, 900), "date": dates})
    trend = nps_trend(df, period="date", freq="Q")
    assert trend["period"].tolist() == ["2025Q1"]
    monthly = nps_trend(df, period="date", freq="M")
    assert monthly["period"].tolist() == ["2025-01", "2025-02", "2025-03"]
    assert monthly["n"].sum() == 900 and np.isnan(monthly["change"].iloc[0])
    df["month"] = df["date"].dt.strftime("%Y-%m")
    pair = compare_nps(df[df.month.isin(["2025-01", "2025-02"])], by="month").iloc[0]
    assert monthly["change"].iloc[1] == pytest.approx(pair.difference)
    assert monthly["change_p"].iloc[1] == pytest.approx(pair.p_value)
    weekly = nps_trend(df, period="date", freq="W")
    assert weekly["period"].iloc[0].startswith("2025-W01") or weekly["period"].iloc[0].startswith("2024-W")


def test_trend_by_wave(waves):
    out = nps_trend(waves, period="wave")
    assert out["period"].tolist() == [1, 2]
    assert out["change"].iloc[1] == pytest.approx(40 - 100 / 6)


def test_german_wording():
    text = describe_difference(12, 21, ci_low=2.2, ci_high=15.8, p_value=0.012, language="de")
    assert text == "Der NPS stieg von 12 auf 21 (+9, 95-%-KI +2 bis +16, p = 0,01)."
    assert describe_difference(21, 12, ci_low=-15.8, ci_high=-2.2, p_value=0.0004, language="de").startswith(
        "Der NPS sank von 21 auf 12 (−9"
    )


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda d: compare_nps(d, by="region"), CJMDataError, "Could not interpret value 'region'"),
        (lambda d: compare_nps(d.assign(wave=[1, 2, 3] * 90), by="wave"), CJMDataError, "3 distinct values"),
        (lambda d: compare_nps(d, by="wave", groups=(1, 5)), CJMDataError, "no response has 'wave' = 5"),
        (lambda d: nps_vs_rest(d.assign(wave=1), by="wave"), CJMDataError, "fewer than two segments"),
        (lambda d: nps_trend(d, period="wave", freq="M"), CJMDataError, "not a date column"),
        (lambda d: nps_trend(d, period="wave", freq="D"), CJMConfigError, "freq"),
        (lambda d: compare_nps(d, by="wave", language="fr"), CJMConfigError, "language"),
    ],
)
def test_bad_input(waves, call, exc, match):
    with pytest.raises(exc, match=match):
        call(waves)
