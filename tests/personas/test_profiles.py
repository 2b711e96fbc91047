"""Profiles and persona cards: values by hand, weights, significance marks, traits, NPS, cards, figure."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.personas import PersonaModel, persona_cards, profile
from cjm_lab.survey import nps


@pytest.fixture(scope="module")
def small():
    return pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e", "f"],
            "spend": [10.0, 20.0, 30.0, 40.0, 50.0, np.nan],
            "channel": ["app", "app", "web", "web", "web", "app"],
            "w": [1.0, 1.0, 2.0, 1.0, 1.0, 2.0],
            "persona": [0, 0, 0, 1, 1, 1],
        }
    )


def test_values_by_hand(small):
    prof = profile(small, "persona")
    assert prof.sizes[["persona", "n", "share"]].to_dict("list") == {
        "persona": [0, 1],
        "n": [3, 3],
        "share": [0.5, 0.5],
    }
    spend = prof.variables[prof.variables["variable"] == "spend"].set_index("persona")
    assert spend.loc[0, "value"] == pytest.approx(20.0) and spend.loc[1, "value"] == pytest.approx(45.0)
    assert spend.loc[0, "total"] == pytest.approx(30.0)
    assert spend.loc[1, "index"] == pytest.approx(150.0)
    assert spend.loc[1, "n"] == 2 and spend.loc[1, "n_missing"] == 1  # counted, not dropped
    app = prof.variables[(prof.variables["variable"] == "channel") & (prof.variables["level"] == "app")]
    app = app.set_index("persona")
    assert app.loc[0, "value"] == pytest.approx(200 / 3) and app.loc[1, "value"] == pytest.approx(100 / 3)
    assert app.loc[0, "index"] == pytest.approx(200 / 3 / 50 * 100)
    assert set(prof.variables["variable"]) == {"spend", "channel", "w"}  # id and labels left out


def test_weights(small):
    prof = profile(small, "persona", weight="w", variables=["spend", "channel"])
    assert prof.sizes.loc[0, "weight"] == 4 and prof.sizes.loc[0, "share"] == pytest.approx(0.5)
    assert prof.sizes.loc[0, "n_eff"] == pytest.approx(16 / 6)
    spend = prof.variables[prof.variables["variable"] == "spend"].set_index("persona")
    assert spend.loc[0, "value"] == pytest.approx((10 + 20 + 60) / 4)
    assert spend.loc[0, "total"] == pytest.approx((10 + 20 + 60 + 40 + 50) / 6)
    web = prof.variables[prof.variables["level"] == "web"].set_index("persona")
    assert web.loc[0, "value"] == pytest.approx(50.0) and web.loc[1, "value"] == pytest.approx(50.0)


def test_welch_test_against_the_rest_by_hand():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": np.r_[rng.normal(0, 1, 40), rng.normal(1, 2, 60)], "p": np.repeat([0, 1], [40, 60])})
    row = profile(df, "p").variables.iloc[0]
    from scipy import stats

    expected = stats.ttest_ind(df.x[:40], df.x[40:], equal_var=False).pvalue
    assert row["p_value"] == pytest.approx(expected, rel=1e-6)


def test_marks_only_for_profiling_variables(sample, attitudes):
    data = sample.customers.merge(sample.personas, on="customer_id")
    prof = profile(
        data,
        "persona",
        clustered_on=attitudes,
        variables=[*attitudes, "age_band", "income_band", "region", "tenure_months"],
    )
    v = prof.variables
    built = v[v["clustered_on"]]
    assert set(built["variable"]) == set(attitudes)
    assert built["p_value"].isna().all() and (built["mark"] == "").all()
    other = v[~v["clustered_on"]]
    assert other["p_adjusted"].notna().all() and other["mark"].isin(["▲", "▼"]).any()
    # planted: advice seekers are old, quality-premium buyers have high incomes
    old = v[(v["persona"] == "advice_seeker") & (v["level"] == "65+")].iloc[0]
    assert old["mark"] == "▲" and old["index"] > 200
    rich = v[(v["persona"] == "quality_premium") & (v["level"] == "high")].iloc[0]
    assert rich["mark"] == "▲"
    # the most distinctive trait of the price hunters is their price focus
    first = prof.traits[prof.traits["persona"] == "price_hunter"].iloc[0]
    assert first["variable"] == "att_price" and first["direction"] == "high"
    assert first["text_en"].startswith("att_price high (") and first["text_de"].startswith("att_price hoch (")
    wide = prof.table()
    assert wide.loc[("att_price", "-"), "price_hunter"] > 130


def test_model_labels_default_to_clustered_on(mixed):
    df, _ = mixed
    model = PersonaModel(3, columns=["q0", "q1", "q2"], random_state=0).fit(df)
    prof = profile(df, model)
    flags = prof.variables.groupby("variable")["clustered_on"].first()
    assert flags[["q0", "q1", "q2"]].all() and not flags[["spend", "channel"]].any()


def test_nps_per_persona_joined_on_customer_id(sample):
    data = sample.customers.merge(sample.personas, on="customer_id")
    prof = profile(data, "persona", variables=["region"], survey=sample.survey)
    table = prof.nps.set_index("persona")
    joined = sample.survey.merge(sample.personas, on="customer_id")
    direct = nps(joined, by="persona").set_index("persona")
    for p in sample.personas["persona"].unique():
        assert table.loc[p, "nps"] == pytest.approx(direct.loc[p, "nps"])
        assert table.loc[p, "ci_low"] == pytest.approx(direct.loc[p, "ci_low"])
    assert table.loc["Total", "n"] == len(joined)
    assert (prof.nps["n_unmatched"] == 0).all()
    # planted: price hunters recommend least
    assert table.drop(index="Total")["nps"].idxmin() == "price_hunter"
    assert bool(table.loc["price_hunter", "significant"])


def test_unmatched_survey_answers_are_counted(small):
    survey = pd.DataFrame({"customer_id": ["a", "d", "zz"], "recommend": [10, 3, 9]})
    prof = profile(small, "persona", variables=["spend"], survey=survey)
    assert prof.nps["n_unmatched"].iloc[0] == 1 and prof.nps.set_index("persona").loc["Total", "n"] == 2


def test_profile_errors(small):
    with pytest.raises(CJMDataError, match="6 rows"):
        profile(small, [0, 1])
    with pytest.raises(CJMDataError, match="have no persona"):
        profile(small, [0, 1, np.nan, 0, 1, 0])
    with pytest.raises(CJMDataError, match="'spnd' for `variables`.*Did you mean 'spend'"):
        profile(small, "persona", variables=["spnd"])
    with pytest.raises(CJMConfigError, match="event log from cjm_lab.io.load_events"):
        profile(small, "persona", journeys=pd.DataFrame())
    with pytest.raises(CJMDataError, match="'rec' for `score`"):
        profile(small, "persona", survey=pd.DataFrame({"customer_id": ["a"], "recommend": [9]}), score="rec")


def test_cards(sample, attitudes):
    data = sample.customers.merge(sample.personas, on="customer_id")
    names = {"price_hunter": {"en": "Bargain hunters", "de": "Schnäppchenjäger"}}
    cards = persona_cards(
        data,
        "persona",
        clustered_on=attitudes,
        survey=sample.survey,
        satisfaction=["sat_service", "sat_product"],
        channel="preferred_channel",
        names=names,
    )
    assert len(cards) == 5 and cards["share"].sum() == pytest.approx(1.0)
    hunters = cards.set_index("persona").loc["price_hunter"]
    assert hunters["name_en"] == "Bargain hunters" and hunters["name_de"] == "Schnäppchenjäger"
    assert hunters["channels_en"].startswith("online ") and "%" in hunters["channels_de"]
    assert hunters["nps_ci_low"] < hunters["nps"] < hunters["nps_ci_high"] and hunters["nps_n"] > 0
    assert 1 <= hunters["satisfaction"] <= 5 and hunters["satisfaction_n"] == hunters["nps_n"]
    assert hunters["narrative_en"].startswith("Bargain hunters: ") and "of customers" in hunters["narrative_en"]
    assert "NPS" in hunters["narrative_de"] and "95-%-KI" in hunters["narrative_de"]
    assert "att_price" in hunters["key_traits_en"]
    digital = cards.set_index("persona").loc["digital_convenience"]
    assert "att_digital" in digital["name_en"] or "att_convenience" in digital["name_en"]  # suggested name
    assert "hoch" in digital["name_de"]


def test_cards_without_survey(mixed):
    df, _ = mixed
    model = PersonaModel(3, random_state=0).fit(df)
    cards = persona_cards(
        df, model, channel="channel", variable_labels={"q0": {"en": "price focus", "de": "Preisfokus"}}
    )
    assert cards["nps"].isna().all() and (cards["nps_n"] == 0).all()
    assert any("price focus" in n for n in cards["name_en"]) and any("Preisfokus" in n for n in cards["name_de"])


def test_share_formatting_is_plain():
    cards = persona_cards(pd.DataFrame({"x": [1.0, 2, 3, 9]}), [0, 0, 0, 1])
    assert cards.loc[0, "narrative_en"].startswith("Low x: 75% of customers.")
    assert cards.loc[0, "narrative_de"].startswith("x niedrig: 75 % der Kunden.")
    assert math.isnan(cards.loc[0, "satisfaction"])


def test_profile_with_the_most_frequent_journeys_per_persona():
    from cjm_lab.sample import make_sample

    s = make_sample(customers=800, random_state=5)
    truth = s.personas.set_index("customer_id")["persona"]
    labels = s.customers["customer_id"].map(truth)
    prof = profile(s.customers, labels.to_numpy(), variables=["att_price"], journeys=s.events, top_journeys=3)
    table = prof.journeys
    assert set(table["persona"]) == set(truth)
    assert (table.groupby("persona")["pct"].sum().round(6) == 100).all()  # top 3 plus "(other)"
    assert (table.groupby("persona").size() <= 4).all()


def test_cards_leave_dont_know_codes_out_of_satisfaction():
    df = pd.DataFrame({"x": [1.0, 1, 9, 9], "sat": [5, 99, 2, 2]})
    cards = persona_cards(df, [0, 0, 1, 1], satisfaction="sat", dont_know=99)
    assert cards.loc[0, "satisfaction"] == 5 and cards.loc[0, "satisfaction_n"] == 1
