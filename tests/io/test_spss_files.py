"""SPSS as it comes: what each real file loads as (measure levels, labels, missing codes, MR sets, dates).

The facts asserted here are the ones docs/guide/survey.md states.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cjm_lab.errors import CJMDataError, CJMDataWarning
from cjm_lab.io import detect_missing, load_customers, load_survey, read_table, table_metadata
from cjm_lab.io.inspect import inspect_file, write_config
from cjm_lab.io.missing import is_dont_know_label
from cjm_lab.survey import nps_trend

pytestmark = pytest.mark.real_data

REAL = Path(__file__).resolve().parents[2] / "data" / "real"


@pytest.fixture(scope="module")
def phone():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CJMDataWarning)
        return load_survey(REAL / "phone_market_survey.sav")


@pytest.fixture(scope="module")
def cola():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CJMDataWarning)
        return load_survey(REAL / "cola_brand_survey.sav")


# --------------------------------------------------------------------------- phone market survey
def test_phone_measure_levels_are_honoured(phone):
    meta = table_metadata(phone)
    assert phone.shape == (725, 284)  # 283 variables and the respondent_id made from the row order
    levels = pd.Series(meta["measure_levels"]).value_counts().to_dict()
    assert levels == {"ordinal": 160, "scale": 76, "nominal": 47}
    # nominal -> unordered categories of the labels; ordinal -> ordered, in code order; scale -> numbers
    assert not phone["q7"].cat.ordered and "Optus" in phone["q7"].cat.categories
    assert phone["q4"].cat.ordered and list(phone["q4"].cat.categories[:3]) == [
        "15 and under",
        "16-19 yrs",
        "20-24 yrs",
    ]
    assert phone["q25"].dtype == np.float64  # SMS per week: scale
    assert phone["q35"].dtype == np.float64  # gender declared 'scale' in the file: honoured (override with measure=)
    loaded = pd.Series(meta["loaded_as"]).value_counts().to_dict()
    assert loaded == {"ordinal": 160, "numeric": 76, "categorical": 45, "text": 3}


def test_phone_awareness_grid_is_labelled_yes_no(phone):
    aware = phone[[f"Q5_{i}" for i in range(1, 12)]]
    assert all(list(aware[c].cat.categories) == ["No", "Yes"] for c in aware)
    assert table_metadata(phone)["variable_labels"]["Q5_4"] == "Unaided awareness: Optus"
    assert int((phone["Q5_4"] == "Yes").sum()) == 641  # code 1 in the file (pyreadstat, 641 of 725)


def test_phone_codes_without_labels_are_kept_and_reported(phone):
    stray = table_metadata(phone)["unlabelled_codes"]
    assert stray["q19"] == {"99": 147} and stray["q16"] == {"99": 78, "-9": 2}
    assert (phone["q19"] == "99").sum() == 147 and "99" in phone["q19"].cat.categories


def test_phone_undeclared_dont_know_codes_detected_then_applied():
    stray = r"2 column\(s\) hold unlabelled codes outside their labelled scale.*q23a: 22 \(1×"  # ratings only
    with (
        pytest.warns(CJMDataWarning, match=r"undeclared don't-know codes .* missing='auto'"),
        pytest.warns(CJMDataWarning, match=stray),
    ):
        kept = load_survey(REAL / "phone_market_survey.sav")
    detected = table_metadata(kept)["detected_missing"]
    assert detected["q26"] == [{"code": 99.0, "label": "Dont know", "n": 16, "applied": False}]
    assert (kept["q26"] == "Dont know").sum() == 16
    with pytest.warns(CJMDataWarning, match=stray):
        applied = load_survey(REAL / "phone_market_survey.sav", missing="auto", measure={"q35": "nominal"})
    meta = table_metadata(applied)
    assert applied["q26"].isna().sum() == kept["q26"].isna().sum() + 16
    assert "Dont know" not in applied["q26"].cat.categories
    assert meta["missing_codes_applied"]["q26"] == 16 and meta["detected_missing"]["q26"][0]["applied"]
    assert applied["q35"].tolist()[:3] == ["male", "female", "female"] and meta["measure_overrides"] == {
        "q35": "nominal"
    }


def test_detector_design_file_finds_every_dont_know_label():
    """Designed on the phone file: every 'don't know' label found, no other label flagged."""
    _, meta = read_table(REAL / "phone_market_survey.sav")
    labels = {v for mapping in meta.value_labels.values() for v in mapping.values()}
    flagged = {v for v in labels if is_dont_know_label(v)}
    assert flagged == {"DON'T KNOW", "Don't know", "Don't know/refused", "don't know/refused", "Dont know"}
    assert not {"Neither", "none of them", "No previous contract", "Never on contract"} & flagged


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # held out while designing; cola's space-for-apostrophe labels were added after this check
        ("cola_brand_survey.sav", {"Don t Know", "Don t know/Not applicable", "Don’t know", "I’d rather not say"}),
        # held out throughout
        ("mobiles_feedback_survey.sav", {"Don't know", "Don’t know"}),
    ],
)
def test_detector_on_held_out_files(name, expected):
    _, meta = read_table(REAL / name)
    labels = {v for mapping in meta.value_labels.values() for v in mapping.values()}
    assert {v for v in labels if is_dont_know_label(v)} == expected


# --------------------------------------------------------------------------- cola brand survey
def test_cola_all_nominal_with_18_mr_sets(cola):
    meta = table_metadata(cola)
    assert cola.shape == (327, 199)
    assert set(meta["measure_levels"].values()) == {"nominal"}
    sets = meta["multiple_response_sets"]
    assert len(sets) == 18
    assert sets["Q24"]["label"] == "Q24. Respondent personality" and sets["Q24"]["kind"] == "category"
    assert sets["Q30"] == {
        "label": "Q30. Children in household",
        "kind": "dichotomy",
        "counted": 1,
        "variables": [f"Q30_{c}" for c in "ABCDEFGH"],
    }
    assert not cola["Q2"].cat.ordered and list(cola["Q2"].cat.categories) == ["Male", "Female"]


def test_cola_code_one_dont_know_at_the_bottom_of_a_like_scale(cola):
    """Q6: 1 = "Don t Know", 2 = Hate … 6 = Love: the DK code sits at the bottom of the scale."""
    found = detect_missing(read_table(REAL / "cola_brand_survey.sav")[0], columns=["Q6_E"])
    assert found[["code", "label", "n"]].to_dict("records") == [{"code": 1.0, "label": "Don t Know", "n": 34}]
    rated = load_survey(REAL / "cola_brand_survey.sav", ratings={"Q6_*": [2, 6]}, missing="auto")
    assert rated["Q6_E"].min() == 2 and rated["Q6_E"].isna().sum() == cola["Q6_E"].isna().sum() + 34


# --------------------------------------------------------------------------- mobiles feedback survey
def test_mobiles_dates_are_utc_timestamps_even_unmapped():
    df, _ = read_table(REAL / "mobiles_feedback_survey.sav")
    assert str(df["StartDate"].dtype).startswith("datetime64") and str(df["StartDate"].dt.tz) == "UTC"
    sv = load_survey(REAL / "mobiles_feedback_survey.sav", columns={"Q8": "recommend"})
    weekly = nps_trend(sv, period="StartDate", freq="W")
    assert weekly["n"].sum() == 895 and len(weekly) >= 4


def test_read_table_keeps_every_label():
    df, meta = read_table(REAL / "mobiles_feedback_survey.sav")
    stored = table_metadata(df)
    assert stored["variable_labels"]["Q7"] == "Main phone company" == meta.variable_labels["Q7"]
    assert stored["measure_levels"]["Q7"] == "nominal"
    assert stored["multiple_response_sets"]["Race"]["counted"] == 1


def test_customers_honour_measure_levels_too():
    cu = load_customers(REAL / "mobiles_feedback_survey.sav", create_ids=True, measure={"Q2": "ordinal"})
    assert not cu["Q1"].cat.ordered and cu["Q2"].cat.ordered
    assert cu["Q8"].dtype == np.float64  # labelled with its own numbers: a scale


# --------------------------------------------------------------------------- inspect
@pytest.mark.parametrize("name", ["mobiles_feedback_survey.sav", "phone_market_survey.sav", "cola_brand_survey.sav"])
def test_drafted_config_loads(tmp_path, name):
    table = inspect_file(REAL / name)
    path = write_config(table, tmp_path / "draft.yaml")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CJMDataWarning)
        sv = load_survey(REAL / name, columns=path)
    assert len(sv) == table.attrs["inspect"]["rows"]
    # the draft declares the don't-know codes it found: they are applied, and not reported as kept
    assert not [w for w in caught if "don't-know" in str(w.message)]
    meta = table_metadata(sv)
    drafted = {c for c, codes in meta["missing_codes"].items() if codes}
    assert not drafted & {c for c, found in meta["detected_missing"].items() if any(d["n"] for d in found)}


# --------------------------------------------------------------------------- bad input
def test_labels_that_disagree_with_values(tmp_path):
    import pyreadstat

    path = tmp_path / "recoded.sav"
    pyreadstat.write_sav(
        pd.DataFrame({"region": [10.0, 20.0, 10.0, 30.0]}),
        str(path),
        variable_value_labels={"region": {1.0: "North", 2.0: "South", 3.0: "West"}},
        variable_measure={"region": "nominal"},
    )
    with pytest.raises(CJMDataError, match=r"value labels of 'region' do not match its values: 4 of 4") as info:
        load_survey(path)
    err = info.value
    assert err.column == "region" and err.rows[:2] == [1, 2] and "measure={'region': 'scale'}" in err.fix
