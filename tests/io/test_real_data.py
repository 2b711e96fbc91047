"""Known facts of the real public datasets in data/real (read-only; see data/real/SOURCES.md)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cjm_lab.errors import CJMDataError
from cjm_lab.io import load_customers, load_events, load_survey, read_table, table_metadata

pytestmark = pytest.mark.real_data

REAL = Path(__file__).resolve().parents[2] / "data" / "real"
XES = {"case:concept:name": "customer_id", "time:timestamp": "timestamp", "concept:name": "touchpoint"}


def real(name: str) -> Path:
    path = REAL / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: the real datasets are part of the repository (data/real/)")
    return path


@pytest.fixture(scope="module")
def digests():
    """Hash every real file before the module runs; check after that none was changed."""
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(REAL.glob("*")) if p.is_file()}
    yield before
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(REAL.glob("*")) if p.is_file()}
    assert after == before


# --------------------------------------------------------------------------- SPSS survey


@pytest.fixture(scope="module")
def mobiles(digests):
    return load_survey(real("mobiles_feedback_survey.sav"), columns={"Q8": "recommend", "StartDate": "date"})


def test_mobiles_recommend(mobiles):
    assert len(mobiles) == 895
    assert mobiles["recommend"].dtype == np.float64
    counts = mobiles["recommend"].value_counts().sort_index()
    assert {int(k): int(v) for k, v in counts.items()} == {
        0: 7,
        1: 5,
        2: 8,
        3: 9,
        4: 18,
        5: 47,
        6: 53,
        7: 97,
        8: 198,
        9: 143,
        10: 310,
    }
    assert mobiles["recommend"].between(0, 10).all()  # no missing either: 895 answers
    meta = table_metadata(mobiles)
    assert meta["variable_labels"]["recommend"] == "Likelihood to recommend"
    assert meta["value_labels"]["recommend"][0.0] == "0 Not at all likely"
    assert meta["value_labels"]["recommend"][10.0] == "10 Extremely likely"
    assert meta["respondent_id_created"] is True
    assert mobiles["respondent_id"].is_unique


def test_mobiles_brand_is_a_nominal_categorical(mobiles):
    """The file declares Q7 nominal: an unordered categorical of its labels (it was ordered before
    the measure level was read, so brands entered persona models as ranks)."""
    q7 = mobiles["Q7"]
    assert isinstance(q7.dtype, pd.CategoricalDtype) and not q7.cat.ordered
    assert table_metadata(mobiles)["measure_levels"]["Q7"] == "nominal"
    top = q7.value_counts()
    assert top.index[0] == "AT&T" and top.iloc[0] == 211
    assert top["Verizon"] == 203
    assert len(q7.cat.categories) == 15
    assert table_metadata(mobiles)["variable_labels"]["Q7"] == "Main phone company"


def test_mobiles_dont_know_is_missing(mobiles):
    meta = table_metadata(mobiles)
    assert meta["missing_codes"]["Q12_5"] == [6.0]
    assert meta["missing_codes_applied"]["Q12_5"] == 137
    assert mobiles["Q12_5"].isna().sum() == 137
    assert "Don't know" not in list(mobiles["Q12_5"].cat.categories)
    assert meta["missing_codes_applied"] == {
        "Q12_1": 24,
        "Q12_2": 22,
        "Q12_3": 44,
        "Q12_4": 71,
        "Q12_5": 137,
        "Q12_6": 56,
    }


def test_mobiles_effort_as_ratings(digests):
    sv = load_survey(
        real("mobiles_feedback_survey.sav"), columns={"Q8": "recommend"}, ratings={"Q11_*": [1, 5], "Q12_*": [1, 5]}
    )
    assert table_metadata(sv)["ratings"] == [
        "Q11_1",
        "Q11_2",
        "Q11_3",
        "Q12_1",
        "Q12_2",
        "Q12_3",
        "Q12_4",
        "Q12_5",
        "Q12_6",
    ]
    assert sv["Q12_5"].dtype == np.float64
    assert sv["Q12_5"].isna().sum() == 137
    assert sv["Q12_5"].dropna().between(1, 5).all()
    assert table_metadata(sv)["variable_labels"]["Q12_5"] == "Effort to: Cancel your subscription/plan"


def test_mobiles_dates(mobiles):
    assert str(mobiles["date"].dt.tz) == "UTC"
    assert mobiles["date"].min() >= pd.Timestamp("2019-07-01", tz="UTC")
    assert mobiles["date"].max() <= pd.Timestamp("2019-08-31", tz="UTC")


# --------------------------------------------------------------------------- CSV surveys and customers


def test_ecsi_1_to_10(digests):
    f = real("ecsi_mobile_survey.csv")
    sv = load_survey(f, columns={"CUSL3": "recommend"}, recommend_scale=(1, 10))
    assert len(sv) == 250
    assert sv["recommend"].min() == 1 and sv["recommend"].max() == 10
    assert sv["recommend"].notna().all()
    assert table_metadata(sv)["recommend_scale"] == [1, 10]


def test_ecsi_without_the_scale_loads_as_0_to_10(digests):
    """Scores of 1-10 all lie inside 0-10, so the loader cannot tell: the data load unchanged,
    and only the recorded scale says which one the user declared (NPS rescaling reads it)."""
    f = real("ecsi_mobile_survey.csv")
    declared = load_survey(f, columns={"CUSL3": "recommend"}, recommend_scale=(1, 10))
    default = load_survey(f, columns={"CUSL3": "recommend"})
    pd.testing.assert_series_equal(default["recommend"], declared["recommend"])
    assert table_metadata(default)["recommend_scale"] == [0, 10]
    assert table_metadata(declared)["recommend_scale"] == [1, 10]
    # A rating column of the same survey on the wrong scale is caught.
    with pytest.raises(CJMDataError, match=r"'CUSA1' lie outside 1 to 5") as info:
        load_survey(f, columns={"CUSL3": "recommend"}, ratings={"CUSA1": [1, 5]})
    assert str(f) in str(info.value) and "Fix:" in str(info.value)


def test_bank_marketing_customers(digests):
    cu = load_customers(real("bank_marketing_customers.csv"), create_ids=True)
    assert len(cu) == 4119
    assert cu["customer_id"].iloc[0] == "C1" and cu["customer_id"].iloc[-1] == "C4119"
    assert cu["customer_id"].is_unique
    meta = table_metadata(cu)
    assert meta["read_options"]["delimiter"] == ";"
    assert meta["read_options"]["decimal"] == "."
    assert cu["age"].dtype.kind == "i"
    assert cu["euribor3m"].dtype == np.float64 and 0 < cu["euribor3m"].max() < 10
    assert set(cu["y"]) == {"yes", "no"}
    # "unknown" is no answer and pdays 999 "never contacted"; education is ordinal once they are out
    levels = [
        "illiterate",
        "basic.4y",
        "basic.6y",
        "basic.9y",
        "high.school",
        "professional.course",
        "university.degree",
    ]
    with pytest.raises(CJMDataError, match="not among the levels"):
        load_customers(real("bank_marketing_customers.csv"), create_ids=True, ordinal={"education": levels})
    clean = load_customers(
        real("bank_marketing_customers.csv"),
        create_ids=True,
        missing_values=["unknown"],
        missing_codes={"pdays": [999]},
        ordinal={"education": levels},
    )
    assert clean["education"].isna().sum() == (cu["education"] == "unknown").sum() > 0
    assert clean["job"].isna().sum() == (cu["job"] == "unknown").sum() > 0
    assert clean["pdays"].isna().sum() == (cu["pdays"] == 999).sum() > 3000
    assert clean["education"].cat.ordered and clean["education"].max() == "university.degree"
    meta = table_metadata(clean)
    assert meta["missing_codes_applied"] == {"pdays": int((cu["pdays"] == 999).sum())}
    assert meta["missing_values_applied"]["job"] == int((cu["job"] == "unknown").sum())
    assert set(meta["missing_values_applied"]) == {c for c in cu.columns if (cu[c] == "unknown").any()}
    # one "no answer" value, given as a plain string, is the same as a list of one
    same = load_customers(
        real("bank_marketing_customers.csv"),
        create_ids=True,
        missing_values="unknown",
        missing_codes={"pdays": 999},
        ordinal={"education": levels},
    )
    pd.testing.assert_frame_equal(same, clean)
    with pytest.raises(CJMDataError, match="Did you mean 'pdays'"):
        load_customers(real("bank_marketing_customers.csv"), create_ids=True, missing_codes={"pday": [999]})


# --------------------------------------------------------------------------- event logs


def test_bpic2012_events(digests):
    ev = load_events(real("bpic2012_loan_journeys.csv.gz"), columns=XES)
    assert len(ev) == 262_200
    assert ev["customer_id"].nunique() == 13_087
    assert str(ev["timestamp"].dt.tz) == "UTC"
    assert ev["timestamp"].notna().all()
    # 2011-10-01T00:38:44.546+02:00 is the first event of the log.
    first = ev.iloc[0]
    assert first["customer_id"] == "173688" and first["touchpoint"] == "A_SUBMITTED"
    assert first["timestamp"] == pd.Timestamp("2011-09-30 22:38:44.546", tz="UTC")
    assert ev["timestamp"].min() >= pd.Timestamp("2011-09-30", tz="UTC")
    assert ev["timestamp"].max() < pd.Timestamp("2012-04-01", tz="UTC")
    assert ev["sequence"].tolist() == list(range(len(ev)))
    assert {"A_APPROVED", "A_DECLINED", "A_CANCELLED"} <= set(ev["touchpoint"])


def test_helpdesk_events(digests):
    ev = load_events(real("helpdesk_ticket_journeys.csv.gz"), columns=XES)
    assert len(ev) == 21_348
    assert ev["customer_id"].nunique() == 4_580
    assert str(ev["timestamp"].dt.tz) == "UTC"
    assert ev["timestamp"].dt.year.between(2010, 2014).all()


def test_olist_readable(digests):
    df, meta = read_table(real("olist_orders_reviews.csv.gz"))
    assert len(df) == 3_584
    assert meta.read_options["delimiter"] == ","
    assert df["review_score"].between(1, 5).all()
    sv = load_survey(df, columns={"review_score": "recommend"}, recommend_scale=(1, 5))
    assert len(sv) == 3_584
