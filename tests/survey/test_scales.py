"""Rating scales: CSAT/CES by hand, composite scores, Cronbach's alpha, bad input, real data."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cjm_lab import CJMDataError
from cjm_lab.errors import CJMConfigError
from cjm_lab.survey.scales import ces, cronbach_alpha, csat, scale_score

REAL = Path(__file__).resolve().parents[2] / "data" / "real"
Z95 = 1.959963984540054


def wilson(p: float, n: float, z: float = Z95) -> tuple[float, float]:
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) * 100, (centre + half) * 100


def alpha_by_formula(x: np.ndarray) -> float:
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))


# --------------------------------------------------------------------------- CSAT
def test_csat_top2_box_by_hand():
    answers = [5, 4, 3, 2, 1, 5, 4, 99]  # 99 = don't know
    row = csat(pd.DataFrame({"q": answers}), items="q", dont_know=99).iloc[0]
    valid = np.array(answers[:-1], dtype=float)
    assert (row["item"], row.n, row.n_missing, row.n_dont_know) == ("q", 7, 1, 1)
    assert row["mean"] == pytest.approx(24 / 7)
    assert row.sd == pytest.approx(valid.std(ddof=1))
    assert row.pct_top_box == pytest.approx(400 / 7)  # 5, 4, 5, 4
    assert row.pct_bottom_box == pytest.approx(200 / 7)  # 2, 1
    low, high = wilson(4 / 7, 7)
    assert (row.ci_low, row.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert row.n_eff == 7 and bool(row.low_base)


@pytest.mark.parametrize(
    ("scale", "top", "answers", "top_pct", "bottom_pct"),
    [
        ((1, 5), 2, [1, 2, 3, 4, 5], 40, 40),
        ((1, 5), 1, [1, 2, 3, 4, 5, 5], 100 * 2 / 6, 100 / 6),
        ((1, 7), 2, [1, 2, 3, 5, 6, 7, 7, 4], 37.5, 25),  # 6–7 vs 1–2
        ((1, 10), 2, [1, 3, 8, 9, 10], 40, 20),  # 9–10 vs 1–2
        ((0, 10), 2, [0, 1, 2, 8, 9, 10, 10, 5], 37.5, 25),  # 9–10 vs 0–1
        ((0, 10), 3, [0, 1, 2, 8, 9, 10, 10, 5], 50, 37.5),  # 8–10 vs 0–2
    ],
)
def test_top_and_bottom_box_on_the_common_scales(scale, top, answers, top_pct, bottom_pct):
    row = csat(pd.DataFrame({"q": answers}), items="q", scale=scale, top=top).iloc[0]
    assert row.pct_top_box == pytest.approx(top_pct)
    assert row.pct_bottom_box == pytest.approx(bottom_pct)
    assert row["mean"] == pytest.approx(np.mean(answers))


def test_weighted_csat_uses_kish_base():
    df = pd.DataFrame({"q": [5, 4, 1, 2], "w": [2.0, 1.0, 1.0, 4.0]})
    row = csat(df, items="q", weight="w").iloc[0]
    w, x = df.w.to_numpy(), df.q.to_numpy(dtype=float)
    n_eff = w.sum() ** 2 / (w**2).sum()
    mean = (w * x).sum() / w.sum()
    var = (w * (x - mean) ** 2).sum() / w.sum() * n_eff / (n_eff - 1)
    assert row.n == 4 and row.n_eff == pytest.approx(n_eff)
    assert row["mean"] == pytest.approx(mean) and row.sd == pytest.approx(math.sqrt(var))
    assert row.pct_top_box == pytest.approx(3 / 8 * 100)
    assert row.pct_bottom_box == pytest.approx(5 / 8 * 100)
    low, high = wilson(3 / 8, n_eff)
    assert (row.ci_low, row.ci_high) == (pytest.approx(low), pytest.approx(high))


def test_long_layout_with_groups_and_totals():
    df = pd.DataFrame(
        {
            "a": [5, 4, 1, 2, 5, np.nan],
            "b": [1, 1, 5, 5, 3, 3],
            "region": ["Nord", "Süd", "Nord", "Süd", None, "Nord"],
        }
    )
    out = csat(df, items=["a", "b"], by="region")
    assert list(out.columns[:2]) == ["region", "item"]
    assert out["item"].tolist() == ["a"] * 4 + ["b"] * 4
    assert out["region"].iloc[-1] == "Total" and out["region"].iloc[3] == "Total"
    nord_a = out[(out.region == "Nord") & (out["item"] == "a")].iloc[0]
    assert (nord_a.n, nord_a.n_missing, nord_a.n_dont_know) == (2, 1, 0)
    assert nord_a.pct_top_box == pytest.approx(50)
    total_b = out[(out.region == "Total") & (out["item"] == "b")].iloc[0]
    assert total_b.n == 6 and total_b["mean"] == pytest.approx(3)
    assert out.region.isna().sum() == 2  # the missing group is its own group, per item
    assert len(csat(df, items=["a", "b"], by="region", total=False)) == 6


def test_grouping_columns_may_have_any_name_but_a_result_column():
    df = pd.DataFrame({"q": [1, 2, 5, 4], "_item": ["a", "b", "a", "b"], "n": [1, 1, 2, 2]})
    assert csat(df, items="q", by="_item")["_item"].tolist() == ["a", "b", "Total"]
    with pytest.raises(CJMConfigError, match=r"grouping column 'n'.*rename it first"):
        csat(df, items="q", by="n")


def test_dont_know_counts_per_group():
    df = pd.DataFrame({"q": [6, 6, 5, 1, 6], "g": ["x", "y", "x", "y", "x"]})
    out = csat(df, items="q", by="g", dont_know=6).set_index("g")
    assert out.loc["x", "n_dont_know"] == 2 and out.loc["y", "n_dont_know"] == 1
    assert out.loc["Total", "n_missing"] == 3 and out.loc["Total", "n"] == 2


def test_ces_is_csat_with_the_easy_box():
    df = pd.DataFrame({"e1": [1, 2, 3, 4, 5, 5, 6], "e2": [5, 5, 5, 4, 2, 1, 3]})
    a = ces(df, items=["e1", "e2"], scale=(1, 5), dont_know=6)
    b = csat(df, items=["e1", "e2"], scale=(1, 5), dont_know=6)
    pd.testing.assert_series_equal(a.pct_easy, b.pct_top_box, check_names=False)
    pd.testing.assert_series_equal(a.pct_difficult, b.pct_bottom_box, check_names=False)
    pd.testing.assert_frame_equal(
        a[["item", "n", "n_missing", "mean", "sd", "ci_low"]], b[["item", "n", "n_missing", "mean", "sd", "ci_low"]]
    )
    # 1 = very low effort: the easy box is the bottom of the scale; the mean stays as asked
    low = ces(df, items="e2", scale=(1, 5), easy="low").iloc[0]
    assert low.pct_easy == pytest.approx(200 / 7) and low.pct_difficult == pytest.approx(400 / 7)
    assert low["mean"] == pytest.approx(25 / 7)
    lo, hi = wilson(2 / 7, 7)
    assert (low.ci_low, low.ci_high) == (pytest.approx(lo), pytest.approx(hi))


@pytest.mark.parametrize(
    ("frame", "kwargs", "match"),
    [
        (pd.DataFrame({"q": [1, 5, 6, 2]}), {}, r"outside 1 to 5.*'q', row 2 \(value 6"),
        (pd.DataFrame({"q": [1, 7, 0]}), {"scale": (1, 7)}, r"outside 1 to 7.*row 2 \(value 0"),
        (pd.DataFrame({"q": [11, 5, 12]}), {"scale": (0, 10)}, r"2 value\(s\).*rows 0, 2"),
        (pd.DataFrame({"q": [1, 4.5]}), {}, "not whole numbers"),
        (pd.DataFrame({"q": ["5", "sehr gut"]}), {}, "text, not numbers"),
        (pd.DataFrame({"q": [99, 99]}), {"dont_know": 99}, r"no respondent has a valid answer in 'q' \(2 answered"),
        (pd.DataFrame({"q": [1, 5]}), {"items": "qq"}, "Could not interpret value 'qq' for `items`.*Did you mean 'q'"),
        (pd.DataFrame({"q": [1, 5], "w": [1.0, 0.0]}), {"weight": "w"}, "zero or negative"),
        (pd.DataFrame({"q": [1, 5], "g": [1, 2]}), {"by": "gg"}, "for `by`"),
    ],
)
def test_csat_bad_data_names_column_rows_and_fix(frame, kwargs, match):
    kwargs = {"items": "q", **kwargs}
    with pytest.raises(CJMDataError, match=match) as err:
        csat(frame, **kwargs)
    assert "Fix:" in str(err.value)


def test_labelled_spss_column_gets_a_hint():
    levels = ["Difficult", "Easy", "Very easy"]
    labels = pd.Categorical(["Very easy", "Easy", "Difficult"], categories=levels, ordered=True)
    with pytest.raises(CJMDataError, match=r"value labels \(such as 'Difficult'\).*ratings="):
        csat(pd.DataFrame({"Q12_1": labels}), items="Q12_1")
    numeric_codes = pd.Categorical([5, 4, 2])  # a categorical of numbers is fine
    assert csat(pd.DataFrame({"q": numeric_codes}), items="q").n.iloc[0] == 3


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"dont_know": 3}, "lie on the scale 1–5"),
        ({"scale": (5, 1)}, "low < high"),
        ({"scale": "1-5"}, "pair"),
        ({"top": 5}, r"`top`.*1 to 4"),
        ({"bottom": 0}, "`bottom`"),
        ({"confidence": 95}, "confidence"),
        ({"items": []}, "one item"),
        ({"items": ["q", "q"]}, "more than once"),
    ],
)
def test_csat_bad_options(kwargs, match):
    kwargs = {"items": "q", **kwargs}
    with pytest.raises(CJMConfigError, match=match):
        csat(pd.DataFrame({"q": [1, 5]}), **kwargs)
    with pytest.raises(CJMConfigError, match="easy"):
        ces(pd.DataFrame({"q": [1, 5]}), items="q", scale=(1, 5), easy="top")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=-3, max_value=14), min_size=1, max_size=30))
def test_property_any_value_off_the_scale_raises_else_shares_are_bounded(values):
    df = pd.DataFrame({"q": values})
    off = [v for v in values if not 0 <= v <= 10]
    if off:
        with pytest.raises(CJMDataError, match="outside 0 to 10"):
            csat(df, items="q", scale=(0, 10))
        return
    row = csat(df, items="q", scale=(0, 10)).iloc[0]
    assert 0 <= row.ci_low <= row.pct_top_box <= row.ci_high <= 100
    assert row.pct_top_box + row.pct_bottom_box <= 100 + 1e-9


def test_functions_do_not_modify_input():
    df = pd.DataFrame({"a": [5, 4, 99, 1], "b": [1, 2, 2, 5], "g": list("xyxy")})
    before = df.copy(deep=True)
    csat(df, items=["a", "b"], by="g", dont_know=99)
    ces(df, items=["a", "b"], scale=(1, 5), dont_know=99)
    scale_score(df, items=["a", "b"], scale=(1, 5), reverse="b", dont_know=99)
    cronbach_alpha(df, items=["a", "b"], scale=(1, 5), reverse="b", dont_know=99)
    pd.testing.assert_frame_equal(df, before)


# --------------------------------------------------------------------------- scale_score
def test_scale_score_reverses_and_needs_min_valid():
    df = pd.DataFrame(
        {"a": [5, 4, np.nan, 1, 99], "b": [4, np.nan, np.nan, 2, 99], "neg": [1, 2, 4, np.nan, 3]},
        index=[10, 11, 12, 13, 14],
    )
    s = scale_score(df, items=["a", "b", "neg"], scale=(1, 5), reverse=["neg"], dont_know=99, name="trust")
    assert s.name == "trust" and list(s.index) == [10, 11, 12, 13, 14]
    expected = [(5 + 4 + 5) / 3, (4 + 4) / 2, np.nan, (1 + 2) / 2, np.nan]  # rows 12, 14: 1 valid item < 2
    np.testing.assert_allclose(s.to_numpy(), expected)
    assert s.attrs["n_too_few_items"] == 2 and s.attrs["n_scored"] == 3
    assert s.attrs["n_dont_know"] == 2 and s.attrs["min_valid"] == 2 and s.attrs["reverse"] == ["neg"]
    strict = scale_score(df, items=["a", "b", "neg"], scale=(1, 5), reverse="neg", dont_know=99, min_valid=3)
    assert strict.notna().sum() == 1 and strict.attrs["n_too_few_items"] == 4


def test_scale_score_sum_and_pomp():
    df = pd.DataFrame({"a": [1, 7, 4], "b": [1, 7, np.nan], "c": [1, 7, 6]})
    mean = scale_score(df, items=["a", "b", "c"], scale=(1, 7))
    total = scale_score(df, items=["a", "b", "c"], scale=(1, 7), method="sum")
    pomp = scale_score(df, items=["a", "b", "c"], scale=(1, 7), method="pomp")
    np.testing.assert_allclose(mean, [1, 7, 5])
    np.testing.assert_allclose(total, [3, 21, 15])  # prorated: mean x 3 items
    np.testing.assert_allclose(pomp, [0, 100, 100 * 4 / 6])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"reverse": "zz"}, CJMConfigError, "not among `items`"),
        ({"method": "median"}, CJMConfigError, "method"),
        ({"min_valid": 4}, CJMConfigError, "1 to 2"),
        ({"scale": (1, 3)}, CJMDataError, r"outside 1 to 3.*'a', rows 0, 1 \(values 5.0, 4.0"),
    ],
)
def test_scale_score_bad_input(kwargs, error, match):
    kwargs = {"items": ["a", "b"], "scale": (1, 5), **kwargs}
    with pytest.raises(error, match=match):
        scale_score(pd.DataFrame({"a": [5, 4], "b": [1, 2]}), **kwargs)


# --------------------------------------------------------------------------- Cronbach's alpha
TINY = np.array([[1, 2, 1, 2], [2, 2, 3, 3], [3, 3, 3, 2], [4, 5, 4, 4], [5, 4, 5, 5], [2, 1, 2, 1]], dtype=float)


def test_alpha_of_a_tiny_matrix_by_formula():
    df = pd.DataFrame(TINY, columns=["i1", "i2", "i3", "i4"])
    out = cronbach_alpha(df, items=["i1", "i2", "i3", "i4"])
    assert out["item"].tolist() == ["i1", "i2", "i3", "i4"]
    # by hand: item variances and total variance
    # item variances 13/6, 13/6, 2, 13/6 (sum 8.5); totals 6, 10, 11, 17, 19, 6 have variance 29.9
    np.testing.assert_allclose(TINY.var(axis=0, ddof=1), [13 / 6, 13 / 6, 2, 13 / 6])
    assert TINY.sum(axis=1).var(ddof=1) == pytest.approx(29.9)
    alpha = 4 / 3 * (1 - 8.5 / 29.9)  # 0.9543
    assert out.alpha.iloc[0] == pytest.approx(alpha) == pytest.approx(alpha_by_formula(TINY))
    corr = np.corrcoef(TINY, rowvar=False)
    r_bar = corr[np.triu_indices(4, 1)].mean()
    assert out.alpha_std.iloc[0] == pytest.approx(4 * r_bar / (1 + 3 * r_bar))
    for j in range(4):
        rest = np.delete(TINY, j, axis=1)
        assert out.alpha_if_deleted.iloc[j] == pytest.approx(alpha_by_formula(rest))
        assert out.item_total_r.iloc[j] == pytest.approx(np.corrcoef(TINY[:, j], rest.sum(axis=1))[0, 1])
    assert (out.n_used == 6).all() and (out.k == 4).all() and (out.n_dropped == 0).all()
    assert (out.ci_low < out.alpha).all() and (out.alpha < out.ci_high).all()


def test_alpha_two_items_equals_spearman_brown_of_covariance():
    x = TINY[:, :2]
    out = cronbach_alpha(pd.DataFrame(x, columns=["a", "b"]), items=["a", "b"])
    c = np.cov(x, rowvar=False)
    assert out.alpha.iloc[0] == pytest.approx(4 * c[0, 1] / c.sum())
    assert out.alpha_if_deleted.isna().all()


def test_alpha_listwise_and_reverse_coding():
    df = pd.DataFrame(TINY, columns=["i1", "i2", "i3", "i4"])
    df["neg"] = 6 - df["i1"]  # a negatively worded item
    df.loc[len(df)] = [np.nan, 3, 3, 3, 3]
    df.loc[len(df)] = [2, 2, 99, 2, 4]
    raw = cronbach_alpha(df, items=["i1", "i2", "i3", "neg"], scale=(1, 5), dont_know=99)
    assert (raw.n_used == 6).all() and (raw.n_dropped == 2).all()
    assert raw.set_index("item").loc["neg", "item_total_r"] < 0  # the tell-tale sign
    fixed = cronbach_alpha(df, items=["i1", "i2", "i3", "neg"], scale=(1, 5), reverse="neg", dont_know=99)
    assert fixed.alpha.iloc[0] > raw.alpha.iloc[0]
    assert fixed.reversed.tolist() == [False, False, False, True]
    expected = TINY[:, [0, 1, 2, 0]]
    assert fixed.alpha.iloc[0] == pytest.approx(alpha_by_formula(expected))


@pytest.mark.parametrize(
    ("frame", "kwargs", "error", "match"),
    [
        (pd.DataFrame({"a": [1, 2]}), {"items": ["a"]}, CJMConfigError, "at least 2 items"),
        (
            pd.DataFrame({"a": [1, 2], "b": [2, 3]}),
            {"items": ["a", "b"], "reverse": "a"},
            CJMConfigError,
            "needs the `scale`",
        ),
        (
            pd.DataFrame({"a": [1, 2, 3, np.nan], "b": [2, np.nan, 3, 1]}),
            {"items": ["a", "b"]},
            CJMDataError,
            r"only 2 respondent\(s\) answered all 2 items",
        ),
        (
            pd.DataFrame({"a": [3, 3, 3, 3], "b": [2, 1, 3, 1]}),
            {"items": ["a", "b"]},
            CJMDataError,
            r"gave 'a' the same answer \(3\).*Fix: Leave 'a' out",
        ),
        (pd.DataFrame({"a": [1, 2, "x"], "b": [2, 1, 3]}), {"items": ["a", "b"]}, CJMDataError, "text, not numbers"),
    ],
)
def test_alpha_bad_input(frame, kwargs, error, match):
    with pytest.raises(error, match=match):
        cronbach_alpha(frame, **kwargs)


# --------------------------------------------------------------------------- real data
def real(name: str) -> Path:
    path = REAL / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: the real datasets are part of the repository (data/real/)")
    return path


@pytest.fixture(scope="module")
def ecsi():
    from cjm_lab.io import load_survey

    return load_survey(real("ecsi_mobile_survey.csv"), columns={"CUSL3": "recommend"}, recommend_scale=(1, 10))


@pytest.mark.real_data
def test_ecsi_perceived_quality_is_reliable(ecsi):
    items = [f"PERQ{i}" for i in range(1, 8)]
    out = cronbach_alpha(ecsi, items=items, scale=(1, 10))
    assert round(out.alpha.iloc[0], 2) == 0.87  # 0.8724
    assert out.n_used.iloc[0] == 250 and out.n_dropped.iloc[0] == 0
    assert out.alpha_std.iloc[0] == pytest.approx(0.877, abs=1e-3)
    assert (out.item_total_r > 0.5).all()  # PERQ2 (network quality) is the weakest, 0.54
    assert out.alpha_if_deleted.max() < out.alpha.iloc[0] + 0.001  # no item hurts the scale


@pytest.mark.real_data
def test_ecsi_loyalty_block_is_weak_because_of_the_price_threshold(ecsi):
    out = cronbach_alpha(ecsi, items=["CUSL1", "CUSL2", "recommend"], scale=(1, 10)).set_index("item")
    alpha = out.alpha.iloc[0]
    assert round(alpha, 2) == 0.44
    # CUSL2 asks for a price-switching threshold, not loyalty: dropping it lifts alpha to ~0.70
    assert out.loc["CUSL2", "alpha_if_deleted"] == pytest.approx(0.695, abs=0.005)
    assert out.loc["CUSL2", "alpha_if_deleted"] - alpha > 0.2
    assert out.item_total_r.idxmin() == "CUSL2" and out.loc["CUSL2", "item_total_r"] < 0.1


@pytest.fixture(scope="module")
def mobiles():
    from cjm_lab.io import load_survey

    return load_survey(
        real("mobiles_feedback_survey.sav"),
        columns={"Q8": "recommend"},
        ratings={"Q11_*": [1, 5], "Q12_*": [1, 5]},
    )


Q11 = ["Q11_1", "Q11_2", "Q11_3"]
Q12 = [f"Q12_{i}" for i in range(1, 7)]


@pytest.mark.real_data
def test_mobiles_csat(mobiles):
    out = csat(mobiles, items=Q11).set_index("item")
    assert (out.n == 895).all() and (out.n_missing == 0).all()
    assert out.loc["Q11_1", "pct_top_box"] == pytest.approx(79.888, abs=1e-3)  # coverage: 715 of 895
    assert out.loc["Q11_1", "mean"] == pytest.approx(4.1598, abs=1e-4)
    assert out.pct_top_box.idxmin() == "Q11_3"  # value for money is rated lowest


@pytest.mark.real_data
def test_mobiles_ces_dont_know_from_the_file_and_explicit(mobiles):
    import pyreadstat

    loaded = ces(mobiles, items=Q12, scale=(1, 5))  # the loader already set code 6 missing
    raw, _ = pyreadstat.read_sav(str(real("mobiles_feedback_survey.sav")), user_missing=True)
    assert (raw[Q12] == 6).sum().sum() == 354  # the codes are still in the raw data
    match = r"24 value\(s\) in 'Q12_1' lie outside 1 to 5.*rows 1, 8, 33, 126, 149 \(values 6\.0"
    with pytest.raises(CJMDataError, match=match):
        ces(raw, items=Q12, scale=(1, 5))
    explicit = ces(raw, items=Q12, scale=(1, 5), dont_know=6)
    assert explicit.n_dont_know.tolist() == [24, 22, 44, 71, 137, 56]
    assert loaded.n_missing.tolist() == explicit.n_dont_know.tolist()
    cols = ["item", "n", "n_missing", "mean", "sd", "pct_easy", "pct_difficult", "ci_low", "ci_high"]
    pd.testing.assert_frame_equal(loaded[cols], explicit[cols])
    q125 = explicit.set_index("item").loc["Q12_5"]  # cancelling a plan: hardest and most unknown
    assert q125.n == 758 and q125.pct_easy == pytest.approx(65.699, abs=1e-3)
    assert explicit.pct_easy.idxmin() == explicit.index[explicit["item"] == "Q12_5"][0]
