"""Small-group suppression with complementary suppression, on tables made by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.privacy import (
    ENV_MIN_GROUP_SIZE,
    ENV_SALT,
    ENV_SALT_FILE,
    find_base_column,
    min_group_size,
    protect_table,
    pseudonymise,
    pseudonymise_ids,
    report_salt,
    shown_changes,
    shown_rows,
    suppress_small_groups,
)


def hidden_cells(frame: pd.DataFrame, cols) -> set[tuple[int, str]]:
    return {(i, c) for c in cols for i in range(len(frame)) if pd.isna(frame[c].iloc[i])}


# --- tidy tables --------------------------------------------------------------------------


def test_one_small_group_hides_the_next_smallest_too():
    t = pd.DataFrame(
        {
            "wave": ["1", "2", "3", "Total"],
            "n": [3, 40, 50, 93],
            "n_promoters": [1, 10, 20, 31],
            "nps": [33.0, 10.0, 12.0, 11.8],
        }
    )
    out = suppress_small_groups(t)
    assert out["suppressed"].tolist() == [True, True, False, False]
    assert out["n"].isna().tolist() == [True, True, False, False]
    assert out["n_promoters"].isna().tolist() == [True, True, False, False]
    assert out["wave"].tolist() == ["1", "2", "3", "Total"]  # keys stay
    assert out["n"].iloc[2] == 50 and out["nps"].iloc[3] == 11.8
    # without the complementary cell, wave 1 = 93 - 40 - 50
    plain = suppress_small_groups(t, complementary=False)
    assert plain["suppressed"].tolist() == [True, False, False, False]


def test_two_small_groups_need_no_complement():
    t = pd.DataFrame({"segment": ["a", "b", "c", "Total"], "n": [2, 4, 40, 46], "pct": [4.3, 8.7, 87.0, 100.0]})
    out = suppress_small_groups(t)
    assert out["suppressed"].tolist() == [True, True, False, False]


def test_a_small_total_is_hidden_itself():
    t = pd.DataFrame({"segment": ["a", "Total"], "n": [3, 3], "nps": [0.0, 0.0]})
    assert suppress_small_groups(t)["suppressed"].tolist() == [True, True]


def test_two_keys_suppress_along_both_dimensions():
    # a 2 x 3 grid of (wave, region): (1, N) is small; row wave=1 and column region=N each
    # must lose a second cell, and that again needs a partner in the other dimension.
    t = pd.DataFrame(
        {
            "wave": ["1", "1", "1", "2", "2", "2"],
            "region": ["N", "S", "W", "N", "S", "W"],
            "n": [3, 40, 60, 50, 70, 80],
            "nps": [1.0, 2, 3, 4, 5, 6],
        }
    )
    out = suppress_small_groups(t)
    hidden = set(zip(out.loc[out["suppressed"], "wave"], out.loc[out["suppressed"], "region"]))
    assert hidden == {("1", "N"), ("1", "S"), ("2", "N"), ("2", "S")}
    for _, grp in out.groupby("wave"):
        assert grp["suppressed"].sum() != 1
    for _, grp in out.groupby("region"):
        assert grp["suppressed"].sum() != 1


def test_explicit_base_and_keys():
    t = pd.DataFrame(
        {"touchpoint": ["Web", "Shop", "Hotline"], "reach": [100, 4, 30], "note": ["ok", "nur 4 Kunden", "ok"]}
    )
    out = suppress_small_groups(t, base="reach", by="touchpoint")
    assert out["suppressed"].tolist() == [False, True, True]
    assert out["note"].isna().tolist() == [False, True, True]  # text statistics are hidden too


def test_keep_zeros_and_min_size():
    t = pd.DataFrame({"g": ["a", "b", "c", "d"], "n": [0, 7, 30, 40]})
    assert suppress_small_groups(t, min_group_size=10)["suppressed"].tolist() == [True, True, False, False]
    out = suppress_small_groups(t, min_group_size=10, keep_zeros=True)
    assert out["suppressed"].tolist() == [False, True, True, False]  # 7 hidden, 30 as its complement


def test_min_size_from_the_environment(monkeypatch):
    t = pd.DataFrame({"g": ["a", "b", "c"], "n": [8, 30, 40]})
    assert not suppress_small_groups(t)["suppressed"].any()
    monkeypatch.setenv(ENV_MIN_GROUP_SIZE, "10")
    assert min_group_size() == 10
    assert suppress_small_groups(t)["suppressed"].tolist() == [True, True, False]
    assert min_group_size(3) == 3  # an explicit value wins


@pytest.mark.parametrize("value", [0, -1, "five", 2.5, True, ""])
def test_bad_min_size_names_the_setting(value):
    with pytest.raises(CJMConfigError, match="whole number of at least 1"):
        min_group_size(value if value != "" else "x")


def test_bad_min_size_in_the_environment(monkeypatch):
    monkeypatch.setenv(ENV_MIN_GROUP_SIZE, "many")
    with pytest.raises(CJMConfigError, match=ENV_MIN_GROUP_SIZE):
        suppress_small_groups(pd.DataFrame({"g": ["a"], "n": [3]}))


def test_no_base_column_asks_for_one():
    with pytest.raises(CJMDataError, match="Pass `base=`"):
        suppress_small_groups(pd.DataFrame({"driver": ["price"], "importance": [0.3]}))
    assert find_base_column(pd.DataFrame({"path": ["a"], "n_journeys": [3]})) == "n_journeys"


def test_bad_base_values_and_arguments():
    with pytest.raises(CJMDataError, match="text, not numbers"):
        suppress_small_groups(pd.DataFrame({"g": ["a"], "n": ["viele"]}))
    with pytest.raises(CJMDataError, match="lie below 0"):
        suppress_small_groups(pd.DataFrame({"g": ["a"], "n": [-3]}))
    with pytest.raises(CJMDataError, match="Could not interpret value 'segmnt' for `by`"):
        suppress_small_groups(pd.DataFrame({"segment": ["a"], "n": [3]}), by="segmnt")
    with pytest.raises(CJMDataError, match="needs a pandas DataFrame"):
        suppress_small_groups([1, 2])


# --- wide tables (crosstabs) --------------------------------------------------------------


@pytest.fixture
def counts():
    return pd.DataFrame(
        {
            "row": ["x", "y", "Total"],
            "A": [10, 12, 22],
            "B": [2, 15, 17],
            "C": [20, 30, 50],
            "Total": [32, 57, 89],
        }
    )


def test_crosstab_of_counts_complementary_rectangle(counts):
    out = suppress_small_groups(counts, base="cells")
    # (x, B) = 2 is small; row x then loses A (10), column B loses (y, B) and column A (y, A):
    # the four cells of a rectangle, which the margins cannot resolve.
    assert hidden_cells(out, ["A", "B", "C", "Total"]) == {(0, "A"), (0, "B"), (1, "A"), (1, "B")}
    assert out["C"].tolist() == [20, 30, 50] and out["Total"].tolist() == [32, 57, 89]
    assert out["row"].tolist() == ["x", "y", "Total"]
    without = suppress_small_groups(counts, base="cells", complementary=False)
    assert hidden_cells(without, ["A", "B", "C", "Total"]) == {(0, "B")}


def test_crosstab_of_percentages_with_the_counts_behind(counts):
    pct = counts.copy()
    for col in ["A", "B", "C", "Total"]:
        pct[col] = counts[col] / counts["Total"] * 100
    out = suppress_small_groups(pct, base=counts)
    assert hidden_cells(out, ["A", "B", "C", "Total"]) == {(0, "A"), (0, "B"), (1, "A"), (1, "B")}
    assert out.loc[0, "C"] == pytest.approx(20 / 32 * 100)
    with pytest.raises(CJMDataError, match="counts behind every cell"):
        suppress_small_groups(pct, base=counts.iloc[:2])


def test_crosstab_with_the_labels_in_the_index():
    table = pd.DataFrame({"A": [10, 1, 30], "B": [20, 25, 35]}, index=["x", "y", "z"])
    out = suppress_small_groups(table, base="cells")
    assert hidden_cells(out, ["A", "B"]) == {(1, "A"), (1, "B"), (0, "A"), (0, "B")}


def test_every_row_and_column_of_the_result_is_safe():
    rng = np.random.default_rng(3)
    for _ in range(50):
        m = rng.integers(0, 12, size=(rng.integers(2, 6), rng.integers(2, 6)))
        table = pd.DataFrame(m, columns=[f"c{j}" for j in range(m.shape[1])])
        out = suppress_small_groups(table, base="cells")
        hid = out.isna().to_numpy()
        assert (hid | (m >= 5)).all()
        assert not ((hid.sum(axis=1) == 1).any() or (hid.sum(axis=0) == 1).any())


# --- pseudonyms and the salt ---------------------------------------------------------------


def test_pseudonymise_ids_finds_the_id_columns():
    t = pd.DataFrame(
        {
            "customer_id": ["C1", "C2"],
            "respondent_id": ["R1", "R2"],
            "order_id": [1, 2],
            "n_events": [3, 4],
            "paid": [True, False],
        }
    )
    out = pseudonymise_ids(t, salt="pepper")
    assert out["customer_id"].tolist() == pseudonymise(t["customer_id"], salt="pepper").tolist()
    for col in ["customer_id", "respondent_id", "order_id"]:
        assert not set(out[col].astype(str)) & set(t[col].astype(str))
    assert out["n_events"].tolist() == [3, 4]
    assert t["customer_id"].tolist() == ["C1", "C2"]  # the caller's table is untouched
    with pytest.raises(CJMDataError, match="Could not interpret value 'kunde'"):
        pseudonymise_ids(t, columns="kunde", salt="pepper")


def test_salt_from_environment_or_file_or_random(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV_SALT, raising=False)
    monkeypatch.delenv(ENV_SALT_FILE, raising=False)
    random_salt = report_salt()
    assert len(random_salt) == 32 and report_salt() == random_salt  # one per process
    monkeypatch.setenv(ENV_SALT, "from-env")
    assert report_salt() == "from-env"
    monkeypatch.delenv(ENV_SALT)
    (tmp_path / "salt.txt").write_text("from-file\n")
    monkeypatch.setenv(ENV_SALT_FILE, str(tmp_path / "salt.txt"))
    assert report_salt() == "from-file"
    monkeypatch.setenv(ENV_SALT_FILE, str(tmp_path / "missing.txt"))
    with pytest.raises(CJMConfigError, match="cannot be read"):
        report_salt()
    (tmp_path / "empty.txt").write_text("  \n")
    monkeypatch.setenv(ENV_SALT_FILE, str(tmp_path / "empty.txt"))
    with pytest.raises(CJMConfigError, match="is empty"):
        report_salt()


def test_protect_table_does_all_three(monkeypatch):
    monkeypatch.setenv(ENV_SALT, "pepper")
    t = pd.DataFrame(
        {
            "customer_id": ["K-1001", "K-1002", "K-1003", "K-1004"],
            "n": [2, 12, 30, 44],
            "comment": ["mail max@example.de", "Tel. 0171 2345678", "ok", "IBAN DE89 3704 0044 0532 0130 00"],
        }
    )
    out = protect_table(t)
    text = out.to_csv()
    for raw in ["K-1001", "K-1002", "K-1003", "K-1004", "max@example.de", "0171 2345678", "DE89"]:
        assert raw not in text
    assert out["suppressed"].tolist() == [True, True, False, False]
    assert out["comment"].tolist()[2:] == ["ok", "IBAN [iban]"]
    assert protect_table(t, base=False)["n"].tolist() == [2, 12, 30, 44]
    no_base = protect_table(pd.DataFrame({"driver": ["price"], "weight": [0.4]}))
    assert list(no_base.columns) == ["driver", "weight"]


# --- the rows a chart may draw --------------------------------------------------------------


def test_shown_rows_are_the_rows_protect_table_keeps_unchanged():
    t = pd.DataFrame(
        {"persona": ["a", "b", "c", "d", "Total"], "n": [3, 9, 40, 70, 122], "nps": [10.0, -5.0, 20.0, 30.0, 22.5]},
        index=[10, 11, 12, 13, 14],
    )
    shown = shown_rows(t, min_group_size=5)
    kept = ~protect_table(t, min_group_size=5)["suppressed"].to_numpy()
    assert shown.index.tolist() == t.index[kept].tolist() == [12, 13, 14]  # 3 and its complement 9 go
    pd.testing.assert_frame_equal(shown, t.loc[[12, 13, 14]])  # values and dtypes as they were
    assert "suppressed" not in shown.columns


def test_shown_rows_follow_the_runner_setting_and_an_explicit_base(monkeypatch):
    monkeypatch.setenv(ENV_MIN_GROUP_SIZE, "50")
    f = pd.DataFrame(
        {
            "step_no": [1, 2, 3],
            "step": ["Website", "Cart", "Checkout"],
            "n_reached": [120, 60, 30],
            "pct_of_start": [100.0, 50.0, 25.0],
        }
    )
    assert shown_rows(f, base="n_reached", by=["step_no", "step"])["step"].tolist() == ["Website"]
    assert len(shown_rows(f, base="n_reached", by=["step_no", "step"], min_group_size=10)) == 3


def test_shown_rows_of_a_table_without_base_raise_a_clear_error():
    with pytest.raises(CJMDataError, match="base"):
        shown_rows(pd.DataFrame({"driver": ["price"], "importance": [0.4]}))
    with pytest.raises(CJMDataError, match="DataFrame"):
        shown_rows([1, 2, 3])


def test_shown_changes_need_the_period_and_the_one_before_shown():
    # periods 2 (n=3) and its complement 4 (n=20, the smallest other) are hidden: the changes of
    # 2, 3 (from 2), 4 and 5 (from 4) quote a hidden period; only 6's change (from 5) may be described
    t = pd.DataFrame(
        {"period": [1, 2, 3, 4, 5, 6], "n": [40, 3, 50, 20, 60, 70], "text": ["", "b", "c", "d", "e", "f"]},
        index=[10, 11, 12, 13, 14, 15],
    )
    assert shown_rows(t, min_group_size=5).index.tolist() == [10, 12, 14, 15]
    changes = shown_changes(t, min_group_size=5)
    pd.testing.assert_frame_equal(changes, t.loc[[15]])  # rows unchanged, with their index
    assert shown_changes(t, min_group_size=1)["period"].tolist() == [2, 3, 4, 5, 6]  # the first has no change
    with pytest.raises(CJMDataError, match="DataFrame"):
        shown_changes([1, 2, 3])


def test_keys_with_missing_values_group_together():
    # a persona profile: numeric variables have no level (missing) beside categorical ones
    t = pd.DataFrame(
        {
            "persona": [0, 0, 1, 1, 2, 2],
            "variable": ["age", "region"] * 3,
            "level": [None, "Ost"] * 3,
            "value": [40.0, 0.3, 45.0, 0.2, 50.0, 0.4],
            "n": [3, 3, 4, 4, 80, 80],
        }
    )
    out = suppress_small_groups(t, min_group_size=5)
    assert out["suppressed"].tolist() == [True, True, True, True, False, False]
    assert shown_rows(t, min_group_size=5)["persona"].tolist() == [2, 2]


def test_a_trend_hides_the_change_that_quotes_a_hidden_period():
    from cjm_lab.survey import nps_trend

    scores = [10, 0, 10] + [10] * 6 + [0] * 6 + [7] * 6 + [10] * 8 + [0] * 8 + [7] * 8
    waves = ["1"] * 3 + ["2"] * 18 + ["3"] * 24
    trend = nps_trend(pd.DataFrame({"recommend": scores, "wave": waves}), period="wave")
    assert trend["text"].iloc[2]  # wave 3 is compared with wave 2 in words
    out = protect_table(trend, min_group_size=20)
    assert out["suppressed"].tolist() == [True, True, False]  # wave 1 small, wave 2 its complement
    assert out["nps"].iloc[2] == pytest.approx(trend["nps"].iloc[2])  # wave 3 itself is shown
    for col in ("change", "change_ci_low", "change_ci_high", "change_p", "significant", "text"):
        assert pd.isna(out[col].iloc[2]), col  # but not its comparison with the hidden wave 2


def test_shown_rows_of_a_trend_mark_no_change_against_a_hidden_period():
    t = pd.DataFrame(
        {
            "period": ["1", "2", "3", "4", "5"],
            "n": [40, 3, 50, 60, 4],
            "nps": [10.0, 90.0, 12.0, 14.0, 50.0],
            "change": [np.nan, 80.0, -78.0, 2.0, 36.0],
            "significant": [False, True, True, False, True],
        }
    )  # two small periods: no complement
    shown = shown_rows(t, min_group_size=5)
    assert shown["period"].tolist() == ["1", "3", "4"]
    assert pd.isna(shown.loc[2, "change"]) and pd.isna(shown.loc[2, "significant"])  # compared with hidden "2"
    assert shown.loc[3, "change"] == 2.0 and shown["nps"].tolist() == [10.0, 12.0, 14.0]
