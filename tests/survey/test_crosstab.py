"""Crosstabs: percentages and letters by hand, weights, nets, multi-response, means, Excel, real data."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cjm_lab import CJMDataError
from cjm_lab.errors import CJMConfigError
from cjm_lab.reports import crosstab_to_excel
from cjm_lab.survey.crosstab import CROSSTAB_COLUMNS, crosstab, to_wide

MOBILES = Path(__file__).resolve().parents[2] / "data" / "real" / "mobiles_feedback_survey.sav"


def cell(table: pd.DataFrame, row_label: str, column: str, variable: str | None = None) -> pd.Series:
    sel = (table.row_label == row_label) & (table.banner_column == column)
    if variable is not None:
        sel &= table.variable == variable
    hit = table[sel]
    assert len(hit) == 1, hit
    return hit.iloc[0]


@pytest.fixture
def two_by_two() -> pd.DataFrame:
    """Group a: 30 of 50 say yes (60%); group b: 15 of 50 (30%)."""
    return pd.DataFrame(
        {
            "buy": ["yes"] * 30 + ["no"] * 20 + ["yes"] * 15 + ["no"] * 35,
            "grp": ["a"] * 50 + ["b"] * 50,
        }
    )


def z_test_p(p1: float, n1: float, p2: float, n2: float) -> float:
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return math.erfc(abs(z) / math.sqrt(2))


def test_hand_computed_2x2_percentages_and_letter(two_by_two):
    t = crosstab(two_by_two, rows="buy", columns="grp")
    assert list(t.columns) == CROSSTAB_COLUMNS
    a, b = cell(t, "yes", "a"), cell(t, "yes", "b")
    assert (a.value, b.value, cell(t, "yes", "Total").value) == (
        pytest.approx(60),
        pytest.approx(30),
        pytest.approx(45),
    )
    assert (a.letter, b.letter, a.base, b.base) == ("A", "B", 50, 50)
    # explicit pooled z-test: p = 0.45, se = sqrt(.45 * .55 * (1/50 + 1/50)) = 0.0995, z = 3.015
    p = z_test_p(0.6, 50, 0.3, 50)
    assert p == pytest.approx(0.00257, abs=1e-5)
    assert (a.sig_letters, b.sig_letters) == ("B", "")
    assert (cell(t, "no", "a").sig_letters, cell(t, "no", "b").sig_letters) == ("", "A")
    assert cell(t, "yes", "Total").sig_letters == "" and cell(t, "yes", "Total").letter == ""
    # the letter appears exactly when p < alpha
    assert cell(crosstab(two_by_two, rows="buy", columns="grp", alpha=p * 1.01), "yes", "a").sig_letters == "B"
    assert cell(crosstab(two_by_two, rows="buy", columns="grp", alpha=p * 0.99), "yes", "a").sig_letters == ""
    assert (t[t.kind == "category"].sig_letters != "").sum() == 2


def test_base_rows_and_display(two_by_two):
    t = crosstab(two_by_two, rows="buy", columns="grp")
    base = t[t.kind == "base"].set_index("banner_column")["value"]
    assert base.to_dict() == {"Total": 100, "a": 50, "b": 50}
    assert "weighted_base" not in set(t.kind)  # unweighted: one base row
    wide = to_wide(t)
    assert wide.columns.tolist() == [("Total", "Total"), ("grp", "a (A)"), ("grp", "b (B)")]
    assert wide.loc[("buy", "yes")].tolist() == ["45%", "60% B", "30%"]
    assert wide.loc[("buy", "no")].tolist() == ["55%", "40%", "70% A"]
    assert wide.loc[("buy", "Base (unweighted)")].tolist() == ["100", "50", "50"]
    assert wide.index[0] == ("Filter", "All respondents (100 of 100 respondents)")
    assert to_wide(t, letters=False, decimals=1).loc[("buy", "yes")].tolist() == ["45.0%", "60.0%", "30.0%"]


def test_weighted_percentages_and_bases_by_hand():
    df = pd.DataFrame(
        {"buy": ["yes", "yes", "no", "yes", "no"], "grp": ["a", "a", "a", "b", "b"], "w": [2.0, 1.0, 1.0, 1.0, 3.0]}
    )
    t = crosstab(df, rows="buy", columns="grp", weight="w", min_base=0)
    assert cell(t, "yes", "a").value == pytest.approx(3 / 4 * 100)
    assert cell(t, "yes", "b").value == pytest.approx(1 / 4 * 100)
    assert cell(t, "yes", "Total").value == pytest.approx(4 / 8 * 100)
    a = cell(t, "yes", "a")
    assert (a.base, a.weighted_base, a.effective_base) == (3, pytest.approx(4), pytest.approx(16 / 6))
    wb = t[t.kind == "weighted_base"].set_index("banner_column")["value"]
    assert wb.to_dict() == {"Total": 8, "a": 4, "b": 4}
    assert to_wide(t).loc[("buy", "Base (weighted)")].tolist() == ["8", "4", "4"]


def test_weighted_letters_use_effective_bases():
    rng = np.random.default_rng(11)
    n = 400
    df = pd.DataFrame({"grp": np.repeat(["a", "b"], n // 2), "w": rng.uniform(0.3, 3.0, n)})
    df["buy"] = np.where(rng.random(n) < np.where(df.grp == "a", 0.55, 0.42), "yes", "no")
    t = crosstab(df, rows="buy", columns="grp", weight="w")
    a, b = cell(t, "yes", "a"), cell(t, "yes", "b")
    for col, c in (("a", a), ("b", b)):
        w = df.w[df.grp == col]
        assert c.effective_base == pytest.approx(w.sum() ** 2 / (w**2).sum())
        assert c.value == pytest.approx(w[df.buy == "yes"].sum() / w.sum() * 100)
    p = z_test_p(a.value / 100, a.effective_base, b.value / 100, b.effective_base)
    expected = "B" if (p < 0.05 and a.value > b.value) else ""
    assert a.sig_letters == expected
    assert cell(
        crosstab(df, rows="buy", columns="grp", weight="w", alpha=min(p * 1.01, 0.99)), "yes", "a"
    ).sig_letters == ("B" if a.value > b.value else "")


def test_nets_are_the_sum_of_their_members():
    rng = np.random.default_rng(3)
    df = pd.DataFrame(
        {"sat": rng.integers(1, 6, 300), "grp": rng.choice(["x", "y", "z"], 300), "w": rng.uniform(0.5, 2, 300)}
    )
    t = crosstab(df, rows="sat", columns="grp", weight="w", nets={"Top 2": [4, 5], "Bottom 2": [1, 2]})
    cats = t[t.kind == "category"].pivot(index="row_label", columns="banner_column", values="value")
    nets = t[t.kind == "net"].pivot(index="row_label", columns="banner_column", values="value")
    np.testing.assert_allclose(nets.loc["Top 2"], cats.loc["4"] + cats.loc["5"])
    np.testing.assert_allclose(nets.loc["Bottom 2"], cats.loc["1"] + cats.loc["2"])
    np.testing.assert_allclose(cats.sum(), 100)
    assert list(cats.index) == ["1", "2", "3", "4", "5"]  # whole-number codes shown without ".0"


def test_multi_response_base_is_respondents_and_sums_pass_100():
    df = pd.DataFrame(
        {
            "i1": [1, 1, 0, 1, np.nan, 1],
            "i2": [1, 0, 1, 1, np.nan, 1],
            "i3": pd.Categorical(["Selected", "Selected", "Not Selected", "Not Selected", None, "Selected"]),
            "grp": ["a", "a", "a", "b", "b", "b"],
        }
    )
    t = crosstab(df, columns="grp", multi={"Channels": ["i1", "i2", "i3"]}, min_base=0)
    multi = t[t.kind == "multi"]
    base = t[(t.kind == "base") & (t.variable == "Channels")].set_index("banner_column")["value"]
    assert base.to_dict() == {"Total": 5, "a": 3, "b": 2}  # the respondent without answers is left out
    assert cell(t, "i1", "a").value == pytest.approx(2 / 3 * 100)
    assert cell(t, "i3", "b").value == pytest.approx(1 / 2 * 100)
    totals = multi.groupby("banner_column")["value"].sum()
    assert (totals > 100).all()
    assert totals["Total"] == pytest.approx((4 + 4 + 3) / 5 * 100)
    assert set(multi.variable) == {"Channels"}


def test_means_with_welch_letters_match_scipy():
    rng = np.random.default_rng(8)
    df = pd.DataFrame({"grp": np.repeat(["a", "b", "c"], [60, 45, 80])})
    df["score"] = np.concatenate([rng.normal(3.6, 0.8, 60), rng.normal(3.2, 1.3, 45), rng.normal(3.55, 0.9, 80)])
    t = crosstab(df, columns="grp", means="score")
    means = t[t.kind == "mean"].set_index("banner_column")
    for g in "abc":
        assert means.loc[g, "value"] == pytest.approx(df.score[df.grp == g].mean())
    res = stats.ttest_ind(df.score[df.grp == "a"], df.score[df.grp == "b"], equal_var=False)
    p = float(res.pvalue)
    assert 0.001 < p < 0.9
    winner, loser = ("a", "B") if means.loc["a", "value"] > means.loc["b", "value"] else ("b", "A")
    # the raw Welch test, at its own p-value: without correction (the default FDR correction over
    # the three pairs of columns is tested in tests/survey/test_significance.py)
    up = crosstab(df, columns="grp", means="score", alpha=p * 1.001, correction="none")
    down = crosstab(df, columns="grp", means="score", alpha=p * 0.999, correction="none")
    assert loser in cell(up, "Mean", winner).sig_letters and loser not in cell(down, "Mean", winner).sig_letters
    assert means.loc["Total", "sig_letters"] == ""
    assert to_wide(t).loc[("score", "Mean")].iloc[1].startswith(f"{means.loc['a', 'value']:.2f}")


def test_weighted_mean_and_dont_know_codes():
    df = pd.DataFrame({"x": [1, 2, 3, 99], "w": [1.0, 1.0, 2.0, 5.0], "grp": ["a"] * 4})
    t = crosstab(df, columns="grp", means="x", weight="w", dont_know=99, min_base=0)
    m = cell(t, "Mean", "a")
    assert m.value == pytest.approx((1 + 2 + 6) / 4) and m.base == 3


def test_weighted_mean_letters_by_hand():
    rng = np.random.default_rng(4)
    df = pd.DataFrame({"grp": np.repeat(["a", "b"], [70, 90]), "w": rng.uniform(0.4, 2.5, 160)})
    df["x"] = np.where(df.grp == "a", rng.normal(3.4, 1, 160), rng.normal(3.0, 1.2, 160))
    t = crosstab(df, columns="grp", means="x", weight="w")
    parts = {}
    for g in "ab":
        x, w = df.x[df.grp == g].to_numpy(), df.w[df.grp == g].to_numpy()
        m = np.sum(w * x) / w.sum()
        neff = w.sum() ** 2 / np.sum(w**2)
        s2 = np.sum(w * (x - m) ** 2) / w.sum() * neff / (neff - 1)
        parts[g] = (m, s2 / neff, neff)
        assert cell(t, "Mean", g).value == pytest.approx(m)
    (ma, va, na), (mb, vb, nb) = parts["a"], parts["b"]
    tstat = (ma - mb) / math.sqrt(va + vb)
    df_w = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
    p = 2 * stats.t.sf(abs(tstat), df_w)
    hi, lo = (
        crosstab(df, columns="grp", means="x", weight="w", alpha=min(p * 1.001, 0.999)),
        crosstab(df, columns="grp", means="x", weight="w", alpha=p * 0.999),
    )
    winner = "a" if ma > mb else "b"
    loser_letter = "B" if winner == "a" else "A"
    assert cell(hi, "Mean", winner).sig_letters == loser_letter
    assert cell(lo, "Mean", winner).sig_letters == ""


def test_side_by_side_banner_letters_compare_within_each_variable(two_by_two):
    df = two_by_two.assign(sex=np.tile(["f", "m"], 50))
    df["sex"] = pd.Categorical(df["sex"], categories=["f", "m", "d"])  # 'd' has nobody: dropped
    t = crosstab(df, rows="buy", columns=["grp", "sex"])
    letters = t[t.kind == "category"].drop_duplicates("banner_column").set_index("banner_column")["letter"]
    assert letters.to_dict() == {"Total": "", "a": "A", "b": "B", "f": "C", "m": "D"}
    sex_cells = t[(t.banner_variable == "sex") & (t.kind == "category")]
    assert not sex_cells.sig_letters.str.contains("[AB]").any()
    wide = to_wide(t)
    assert [c[0] for c in wide.columns] == ["Total", "grp", "grp", "sex", "sex"]


def test_min_base_suppresses_tests_on_small_columns(two_by_two):
    small = pd.concat([two_by_two, pd.DataFrame({"buy": ["yes"] * 5, "grp": ["c"] * 5})], ignore_index=True)
    t = crosstab(small, rows="buy", columns="grp")  # c: 100% yes on 5 respondents, below 30
    assert cell(t, "yes", "c").sig_letters == "" and "C" not in cell(t, "no", "b").sig_letters
    t0 = crosstab(small, rows="buy", columns="grp", min_base=0)
    assert "B" in cell(t0, "yes", "c").sig_letters


def test_missing_row_answers_are_counted_not_dropped():
    df = pd.DataFrame({"buy": ["yes", None, "no", "yes", None], "grp": ["a", "a", "b", "b", "b"]})
    t = crosstab(df, rows="buy", columns="grp", test=False)
    miss = t[t.kind == "missing"].set_index("banner_column")["value"]
    assert miss.to_dict() == {"Total": 2, "a": 1, "b": 1}
    assert cell(t, "yes", "b").value == pytest.approx(50) and cell(t, "yes", "b").base == 2


def test_stat_count_and_row_pct(two_by_two):
    counts = crosstab(two_by_two, rows="buy", columns="grp", stat="count")
    assert cell(counts, "yes", "a").value == 30 and cell(counts, "yes", "a").sig_letters == ""
    assert to_wide(counts).loc[("buy", "yes")].tolist() == ["45", "30", "15"]
    rows = crosstab(two_by_two, rows="buy", columns="grp", stat="row_pct")
    assert cell(rows, "yes", "a").value == pytest.approx(30 / 45 * 100)
    assert cell(rows, "yes", "Total").value == pytest.approx(100)


@pytest.mark.parametrize(
    ("base_filter", "label"),
    [
        ("wave == 2", "wave == 2 (4 of 8 respondents)"),
        ({"wave": 2}, "wave = 2 (4 of 8 respondents)"),
        ({"wave": [2, 3]}, "wave in [2, 3] (4 of 8 respondents)"),
    ],
)
def test_base_filter_and_its_row(base_filter, label):
    df = pd.DataFrame({"buy": ["yes", "no"] * 4, "grp": ["a", "a", "b", "b"] * 2, "wave": [1] * 4 + [2] * 4})
    df.loc[4, "buy"] = "no"
    t = crosstab(df, rows="buy", columns="grp", base_filter=base_filter)
    filt = t[t.kind == "filter"]
    assert filt.row_label.unique().tolist() == [label] and filt.variable.unique().tolist() == ["Filter"]
    assert cell(t, "Base (unweighted)", "Total").value == 4
    assert cell(t, "yes", "a").value == pytest.approx(0)  # row 4 (wave 2, a) says no, row 5 is b
    assert t.attrs["crosstab"]["filter"] == label.split(" (")[0]


def test_base_filter_series_is_described_by_its_name():
    df = pd.DataFrame({"buy": ["yes", "no", "yes"], "grp": ["a", "b", "b"]})
    t = crosstab(df, rows="buy", columns="grp", base_filter=(df.grp == "b").rename("only b"))
    assert t[t.kind == "filter"].row_label.iloc[0] == "only b (2 of 3 respondents)"


def test_german_labels(two_by_two):
    t = crosstab(two_by_two.assign(x=1.5), rows="buy", columns="grp", means="x", language="de")
    labels = set(t.row_label) | set(t.banner_column)
    assert {"Basis (ungewichtet)", "Mittelwert", "Gesamt"} <= labels
    wide = to_wide(t)
    assert wide.columns[0] == ("Gesamt", "Gesamt")
    assert wide.loc[("x", "Mittelwert")].iloc[0] == "1,50"
    assert wide.index[0] == ("Filter", "Alle Befragten (100 von 100 Befragten)")


def test_excel_file_readable_and_never_overwritten(tmp_path, two_by_two):
    import openpyxl

    t1 = crosstab(two_by_two, rows="buy", columns="grp")
    t2 = crosstab(two_by_two.assign(x=np.arange(100)), columns="grp", means="x")
    path = tmp_path / "tables.xlsx"
    out = crosstab_to_excel({"Buy by group": t1, "x": t2}, path)
    assert out == path
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Contents", "Buy by group", "x"]
    sheet = book["Buy by group"]
    assert sheet["A1"].value == "buy × grp"
    assert sheet["A2"].value == "Filter: All respondents"
    # numbers stored as numbers with a percent format, the letters in a cell of their own
    cells = {(c.row, c.column): c for row in sheet.iter_rows() for c in row if c.value is not None}
    texts = [c.value for c in cells.values() if c.data_type == "s"]
    assert not [t for t in texts if t.endswith("%") or "% " in t]  # no "60% B" text left
    pct = [c for c in cells.values() if c.number_format == '0"%"']
    assert pct and all(c.data_type == "n" for c in pct)
    found = {round(c.value): cells.get((c.row, c.column + 1)) for c in pct}
    assert found[60].value == "B" and found[70].value == "A" and "Total" in texts
    assert book["Contents"]["B7"].hyperlink.location == "'Buy by group'!A1"
    before = path.read_bytes()
    with pytest.raises(CJMConfigError, match="exists; cjm-lab never overwrites"):
        crosstab_to_excel([t1], path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tables.xlsx"]  # no temporary file left
    with pytest.raises(CJMConfigError, match=r"\.xlsx"):
        crosstab_to_excel([t1], tmp_path / "tables.csv")
    crosstab_to_excel([t1, t1], tmp_path / "two.xlsx")  # sheets named after the title, made unique
    assert openpyxl.load_workbook(tmp_path / "two.xlsx").sheetnames == ["Contents", "buy × grp", "buy × grp (2)"]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"rows": "buy", "columns": "grp", "nets": {"Top": ["yes", "maybe"]}},
            CJMConfigError,
            r"net 'Top' names 'maybe', which is not a category of 'buy'",
        ),
        ({"rows": "buy", "columns": ["grp", "buy"]}, CJMConfigError, "both `rows` and a banner"),
        ({"rows": "buy", "columns": "grp", "stat": "pct"}, CJMConfigError, "`stat`"),
        ({"rows": "buy", "columns": "gpr"}, CJMDataError, r"'gpr' for `columns`.*Did you mean 'grp'"),
        ({"rows": "buy", "columns": "grp", "base_filter": "wave = = 1"}, CJMConfigError, "could not be evaluated"),
        ({"rows": "buy", "columns": "grp", "base_filter": "grp == 'z'"}, CJMDataError, "no respondent is left"),
        ({"rows": "buy", "columns": "grp", "weight": "w"}, CJMDataError, r"zero or negative.*row 1"),
        ({"columns": "grp"}, CJMConfigError, "give `rows`, `multi` or `means`"),
        ({"rows": "buy", "columns": "grp", "language": "fr"}, CJMConfigError, "language"),
        ({"columns": "grp", "means": "buy"}, CJMDataError, "text, not numbers"),
    ],
)
def test_errors(kwargs, error, match):
    df = pd.DataFrame({"buy": ["yes", "no", "yes"], "grp": ["a", "b", "b"], "w": [1.0, 0.0, 1.0]})
    with pytest.raises(error, match=match):
        crosstab(df, **kwargs)


def test_does_not_modify_input(two_by_two):
    before = two_by_two.copy(deep=True)
    crosstab(two_by_two, rows="buy", columns="grp", base_filter="grp == 'a'")
    pd.testing.assert_frame_equal(two_by_two, before)


# ---------------------------------------------------------------- real data
@pytest.mark.real_data
def test_mobiles_nps_group_by_brand_matches_pandas():
    from cjm_lab.io import load_survey
    from cjm_lab.survey import nps_groups

    sv = load_survey(
        MOBILES,
        columns={"Q8": "recommend", "Duration__in_seconds_": "duration"},
        ratings={"Q11_*": [1, 5], "Q12_*": [1, 5]},
    )
    sv = sv.assign(nps_group=nps_groups(sv["recommend"]))
    t = crosstab(
        sv, rows="nps_group", columns="Q7", means="recommend", multi={"Race": [f"Q6_{i}_r" for i in range(1, 9)]}
    )
    expected = pd.crosstab(sv["nps_group"], sv["Q7"], normalize="columns") * 100
    assert cell(t, "promoter", "AT&T").value == pytest.approx(expected.loc["promoter", "AT&T"])
    assert cell(t, "promoter", "AT&T").value == pytest.approx(92 / 211 * 100)  # 92 promoters among 211 AT&T customers
    assert cell(t, "Base (unweighted)", "Verizon", variable="nps_group").value == 203
    assert cell(t, "Base (unweighted)", "Total", variable="nps_group").value == 895
    assert "Don’t know" not in set(t.banner_column)  # a brand nobody named gets no column
    assert cell(t, "Mean", "Total").value == pytest.approx(sv["recommend"].mean())
    # the letters Q would show: Straight Talk's 76% promoters beat AT&T's 44%
    straight_talk = cell(t, "promoter", "Straight Talk (Walmart)")
    att = cell(t, "promoter", "AT&T")
    assert att.letter in straight_talk.sig_letters
    race = t[(t.kind == "multi") & (t.banner_column == "Total")]["value"].sum()
    assert race > 100  # respondents may name several origins
