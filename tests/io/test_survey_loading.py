"""load_survey on labelled data: measure levels, don't-know codes, unlabelled codes, weights, waves, dates."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from cjm_lab.errors import CJMDataError, CJMDataWarning
from cjm_lab.io import detect_missing, load_survey, read_table, table_metadata


def labelled(values: dict, labels: dict, measures: dict | None = None) -> pd.DataFrame:
    raw = pd.DataFrame(values)
    raw.attrs["cjm"] = {"value_labels": labels, "measure_levels": measures or {}}
    return raw


def test_german_dont_know_labels_detected_and_applied_on_request():
    raw = labelled(
        {"zufr": [1.0, 5.0, 9.0, 4.0, 9.0], "marke": [1.0, 2.0, 99.0, 1.0, 2.0]},
        {
            "zufr": {1: "Sehr unzufrieden", 5: "Sehr zufrieden", 9: "Weiß nicht"},
            "marke": {1: "Alpha", 2: "Beta", 99: "Keine Angabe"},
        },
    )
    with pytest.warns(CJMDataWarning, match=r"zufr: 9 'Weiß nicht' \(2×\); marke: 99 'Keine Angabe' \(1×\)"):
        kept = load_survey(raw)
    assert kept["zufr"].tolist()[2] == 9.0  # labelled at the ends: a scale, kept as numbers
    assert kept["marke"].tolist()[2] == "Keine Angabe"
    applied = load_survey(raw, missing="auto")
    assert applied["zufr"].isna().sum() == 2 and applied["marke"].isna().sum() == 1
    assert "Keine Angabe" not in applied["marke"].cat.categories
    assert table_metadata(applied)["missing_codes_applied"] == {"zufr": 2, "marke": 1}
    with warnings.catch_warnings():
        warnings.simplefilter("error", CJMDataWarning)
        load_survey(raw, missing="declared")  # silent


def test_codes_the_user_declares_missing_are_not_reported_as_undeclared():
    # what a draft config of `cjm-lab inspect` does: the detected don't-know codes in missing_codes
    raw = labelled(
        {"zufr": [1.0, 5.0, 9.0, 4.0, 9.0], "marke": [1.0, 2.0, 99.0, 1.0, 2.0]},
        {
            "zufr": {1: "Sehr unzufrieden", 5: "Sehr zufrieden", 9: "Weiß nicht"},
            "marke": {1: "Alpha", 2: "Beta", 99: "Keine Angabe"},
        },
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", CJMDataWarning)  # nothing is kept as an answer: no warning
        sv = load_survey(raw, ratings={"zufr": [1, 5]}, missing_codes={"zufr": [9], "marke": [99]})
    meta = table_metadata(sv)
    assert sv["zufr"].isna().sum() == 2 and sv["marke"].isna().sum() == 1
    assert meta["missing_codes_applied"] == {"zufr": 2, "marke": 1}
    assert meta["detected_missing"] == {}  # declared (by the user), so no longer "detected, not applied"
    assert detect_missing(sv)[["column", "declared", "applied"]].to_dict("list") == {
        "column": ["zufr", "marke"],
        "declared": [True, True],
        "applied": [True, True],
    }
    from cjm_lab.io import load_customers

    with warnings.catch_warnings():
        warnings.simplefilter("error", CJMDataWarning)
        cu = load_customers(raw, create_ids=True, missing_codes={"zufr": [9], "marke": [99]})
    assert cu["marke"].isna().sum() == 1 and table_metadata(cu)["detected_missing"] == {}


def test_each_declared_code_is_counted_on_its_own(tmp_path):
    """Two codes declared missing in one column: each row of detect_missing counts its own answers
    (both showed the column's total, 3 of 4 = 75 %), as a share of every answer given."""
    path = tmp_path / "two.sav"
    pyreadstat.write_sav(
        pd.DataFrame({"q": [1.0, 2, 98, 99, 99, 1, 2]}),
        str(path),
        variable_value_labels={"q": {1.0: "Yes", 2.0: "No", 98.0: "Refused", 99.0: "Don't know"}},
        missing_ranges={"q": [98.0, 99.0]},
    )
    for table in (read_table(path)[0], load_survey(path)):
        found = detect_missing(table)
        assert found["n"].tolist() == [1, 2] and found["applied"].all()
        assert found["pct"].round(1).tolist() == [14.3, 28.6]  # of the 7 answers
    raw = labelled({"q32": [1.0, 10, 11, 11, 2, 3]}, {"q32": {1: "A", 2: "B", 3: "C", 10: "Don't know", 11: "Refused"}})
    sv = load_survey(raw, missing_codes={"q32": [10, 11]})
    assert detect_missing(sv)["n"].tolist() == [1, 2]


def test_country_codes_dk_and_na_are_no_dont_know_codes():
    raw = labelled(
        {"land": [1.0, 2, 3, 4, 4, 5], "q": [1.0, 2, 9, 1, 2, 9]},
        {"land": {1: "DE", 2: "AT", 3: "CH", 4: "DK", 5: "NA"}, "q": {1: "Yes", 2: "No", 9: "DK"}},
    )
    found = detect_missing(raw)
    assert found[["column", "code"]].values.tolist() == [["q", 9]]  # Denmark and North America stay
    sv = load_survey(raw, missing="auto")
    assert sv["land"].notna().all() and sv["q"].isna().sum() == 2


def test_the_phrase_list_can_be_extended():
    raw = labelled({"q": [1.0, 2.0, 7.0]}, {"q": {1: "Alpha", 2: "Beta", 7: "No clue"}})
    assert detect_missing(raw).empty
    with pytest.raises(CJMDataError, match=r"'qq' for `columns` in detect_missing\(\)") as info:
        detect_missing(raw, columns=["qq"])  # was an empty table: "no don't-know codes" for a typo
    assert info.value.column == "qq" and "'q'" in info.value.fix
    assert detect_missing(raw, phrases=["no clue"])["code"].tolist() == [7]
    sv = load_survey(raw, missing="auto", missing_labels=["no clue"])
    assert sv["q"].isna().tolist() == [False, False, True]


def test_measure_levels_and_overrides():
    raw = labelled(
        {"region": [1.0, 2.0, 3.0], "age": [1.0, 2.0, 3.0], "sat": [1.0, 3.0, 5.0]},
        {
            "region": {1: "North", 2: "South", 3: "West"},
            "age": {1: "18-29", 2: "30-49", 3: "50+"},
            "sat": {1: "Very dissatisfied", 3: "Neither", 5: "Very satisfied"},
        },
        {"region": "nominal", "age": "ordinal", "sat": "ordinal"},
    )
    sv = load_survey(raw)
    assert not sv["region"].cat.ordered and sv["age"].cat.ordered
    assert sv["sat"].cat.ordered and list(sv["sat"].cat.categories) == [
        "Very dissatisfied",
        "Neither",
        "Very satisfied",
    ]
    over = load_survey(raw, measure={"region": "ordinal", "sat": "scale"})
    assert over["region"].cat.ordered and over["sat"].tolist() == [1.0, 3.0, 5.0]
    assert table_metadata(over)["loaded_as"]["sat"] == "numeric"
    unlabelled = load_survey(pd.DataFrame({"grp": [3, 1, 3]}), measure={"grp": "nominal"})
    assert list(unlabelled["grp"].cat.categories) == ["1", "3"]


def test_unlabelled_codes_keep_missing_or_error():
    raw = labelled({"q": [1.0, 2.0, -9.0, 1.0, 2.0]}, {"q": {1: "Yes", 2: "No"}}, {"q": "nominal"})
    with warnings.catch_warnings():  # a category of its own (or missing): never averaged, so no warning
        warnings.simplefilter("error", CJMDataWarning)
        kept = load_survey(raw)
        gone = load_survey(raw, unlabelled="missing")
    assert kept["q"].tolist()[2] == "-9" and table_metadata(kept)["unlabelled_codes"] == {"q": {"-9": 1}}
    assert gone["q"].isna().sum() == 1 and table_metadata(gone)["missing_codes_applied"] == {"q": 1}
    with pytest.raises(CJMDataError, match=r"value labels of 'q' do not match its values: 1 of 5") as info:
        load_survey(raw, unlabelled="error")
    assert info.value.rows == [3] and info.value.values == [-9.0]


def test_a_mapped_weight_with_blanks_or_negatives_is_refused():
    raw = pd.DataFrame({"w": [1.2, np.nan, 0.8, -1.0], "y": [1, 0, 1, 0]})
    with pytest.raises(
        CJMDataError, match=r"2 weight\(s\) in 'weight' are missing, zero or negative \(1 missing value\(s\), 1 zero"
    ) as info:
        load_survey(raw, columns={"w": "weight"})
    assert info.value.column == "weight" and info.value.rows == [2, 4] and "fill the blanks" in info.value.fix
    with pytest.raises(CJMDataError, match=r"1 weight\(s\) in 'weight' are missing, zero or negative") as info:
        load_survey(raw.fillna(1.0), columns={"w": "weight"})
    assert info.value.rows == [4]


def test_an_unmapped_column_named_weight_with_blanks_loads_as_an_ordinary_column():
    raw = pd.DataFrame({"weight": [1.2, np.nan, 0.8], "y": [1, 0, 1]})
    with pytest.warns(CJMDataWarning, match=r"'weight' is not used as the survey weight.*columns=\{'weight'"):
        sv = load_survey(raw)
    assert sv["weight"].isna().sum() == 1 and table_metadata(sv)["weighted"] is False


def test_waves_keep_labels_order_and_refuse_mixed_types():
    sv = load_survey(pd.DataFrame({"Welle": ["Welle 10", "Welle 2", "Welle 2"]}), columns={"Welle": "wave"})
    assert list(sv["wave"].cat.categories) == ["Welle 2", "Welle 10"] and sv["wave"].cat.ordered
    numbers = load_survey(pd.DataFrame({"wave": [2021.0, 2022.0, np.nan]}))["wave"]
    assert str(numbers.dtype) == "Int64" and numbers.tolist()[:2] == [2021, 2022]
    mixed = pd.DataFrame({"wave": pd.Series([2021, 2022, "Welle 3", 2022], dtype=object)})
    with pytest.raises(CJMDataError, match="wave column mixes number, text values") as info:
        load_survey(mixed)
    assert info.value.column == "wave" and info.value.rows == [3] and "the same way" in info.value.fix


def test_spss_datetimes_become_utc(tmp_path):
    path = tmp_path / "dates.sav"
    frame = pd.DataFrame({"when": pd.to_datetime(["2024-03-31 01:30", "2024-10-27 02:30"]), "y": [1.0, 2.0]})
    pyreadstat.write_sav(frame, str(path))
    df, _ = read_table(path)
    assert str(df["when"].dt.tz) == "UTC" and df["when"].dt.hour.tolist() == [1, 2]
    assert table_metadata(df)["read_options"]["dates_as_utc"] == ["when"]
