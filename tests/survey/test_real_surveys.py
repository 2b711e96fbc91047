"""Acceptance on the real surveys in data/real: values checked against independent counts."""

from __future__ import annotations

import numpy as np
import pytest

from cjm_lab.errors import CJMConfigError
from cjm_lab.io import load_survey
from cjm_lab.survey import compare_nps, key_drivers, nps, nps_trend, nps_vs_rest, quality_report

pytestmark = pytest.mark.real_data


@pytest.fixture(scope="module")
def mobiles():
    return load_survey(
        "data/real/mobiles_feedback_survey.sav",
        columns={"Q8": "recommend", "StartDate": "date", "Duration__in_seconds_": "duration"},
        ratings={"Q11_*": [1, 5], "Q12_*": [1, 5]},
    )


def test_mobiles_nps_total_from_the_value_counts(mobiles):
    # Q8 counts: 0:7 1:5 2:8 3:9 4:18 5:47 6:53 7:97 8:198 9:143 10:310
    row = nps(mobiles).iloc[0]
    assert row["n"] == 895
    assert row["nps"] == pytest.approx((143 + 310 - (7 + 5 + 8 + 9 + 18 + 47 + 53)) / 895 * 100)
    assert row["ci_method"] == "wald" and row["ci_low"] < row["nps"] < row["ci_high"]


def test_mobiles_nps_by_phone_company(mobiles):
    by = nps(mobiles, by="Q7")
    assert by["Q7"].iloc[-1] == "Total" and by["n"].iloc[:-1].sum() == 895
    att = by.set_index("Q7").loc["AT&T"]
    sub = mobiles.loc[mobiles["Q7"] == "AT&T", "recommend"]
    assert att["n"] == 211
    assert att["nps"] == pytest.approx(((sub >= 9).mean() - (sub <= 6).mean()) * 100)
    small = by[by["n"] < 50]
    assert small["low_base"].all() and small["ci_method"].eq("adjusted_wald").all()
    vs = nps_vs_rest(mobiles, by="Q7")
    assert len(vs) == by["Q7"].nunique() - 1 and vs["p_adjusted"].ge(vs["p_value"]).all()


def test_mobiles_weekly_trend(mobiles):
    weekly = nps_trend(mobiles, period="date", freq="W")
    assert weekly["n"].sum() == 895 and 4 <= len(weekly) <= 6  # four weeks in Jul-Aug 2019
    assert weekly["period"].str.match(r"2019-W\d\d").all()


def test_mobiles_speeders_from_duration(mobiles):
    report = quality_report(mobiles, duration="duration")
    speeders = report.counts.set_index("flag").loc["speeder", "n_flagged"]
    assert speeders == int((mobiles["duration"] < 0.3 * mobiles["duration"].median()).sum())


def test_ecsi_recommend_on_1_to_10_needs_an_explicit_rescale():
    ecsi = load_survey("data/real/ecsi_mobile_survey.csv", columns={"CUSL3": "recommend"}, recommend_scale=(1, 10))
    with pytest.raises(CJMConfigError, match="NPS-like"):
        nps(ecsi)
    linear = nps(ecsi, rescale="linear").iloc[0]
    top2 = nps(ecsi, rescale="top2").iloc[0]
    x = ecsi["recommend"]
    assert linear["nps"] == pytest.approx(((x == 10).mean() - (x <= 6).mean()) * 100)  # 7 maps to 6.67
    assert top2["nps"] == pytest.approx(((x >= 9).mean() - (x <= 6).mean()) * 100)
    assert linear["measure"].startswith("NPS-like") and top2["measure"].startswith("NPS-like")


def test_bank_satisfaction_recommendation_and_drivers():
    bank = load_survey("data/real/bank_satisfaction_survey.csv", columns={"loy3": "recommend"})
    by = nps(bank, by="gender")
    assert by["n"].iloc[-1] == 250 and set(by["gender"]) == {"female", "male", "Total"}
    assert compare_nps(bank, by="gender")["p_value"].between(0, 1).all()
    drivers = key_drivers(bank, outcome="recommend", drivers=["qual1", "qual2", "qual3", "qual4", "qual5"])
    assert drivers["shapley"].sum() == pytest.approx(drivers["r2"].iloc[0])
    assert np.isclose(drivers["shapley_share"].sum(), 100)
