"""Top recommendations in words, from pain points, NPS gaps and key drivers."""

from __future__ import annotations

import pandas as pd
import pytest

from cjm_lab.errors import CJMConfigError
from cjm_lab.plots import touchpoint_labeller
from cjm_lab.plots.theme import department_label
from cjm_lab.reports import recommendations
from cjm_lab.sample import make_sample


def _pain():
    return pd.DataFrame(
        {
            "touchpoint": ["Delivery delay notice", "Checkout payment", "Billing complaint", "Website", "Hotline"],
            "department": ["logistics", "sales", "accounting", None, "customer_service"],
            "rank": [1, 2, 3, 4, None],
            "main_issue": ["repeat_contact", "drop_off", "rework", "long_wait", ""],
            "note": [
                "38% contact customer service 2+ times within 7 days afterwards (log: 4%)",
                "42% of the customers who meet it leave without ever buying (log: 9%)",
                "31% go through it more than once in the same purchase (rework; log: 2%)",
                "5% wait unusually long afterwards (log: 1%)",
                "",
            ],
        }
    )


def test_pain_points_become_actions_for_their_department_in_rank_order():
    rec = recommendations(_pain().iloc[::-1], top=3)
    assert rec["priority"].tolist() == [1, 2, 3]
    assert rec["subject"].tolist() == ["Delivery delay notice", "Checkout payment", "Billing complaint"]
    assert rec["department"].tolist() == ["logistics", "sales", "accounting"]
    assert rec["text"].iloc[0] == (
        "Fix what makes customers call customer service again after Delivery delay notice "
        "— 38% contact customer service 2+ times within 7 days afterwards (log: 4%) "
        "(owner: logistics)."
    )
    assert set(rec["source"]) == {"pain_point"}


def test_unranked_rows_rows_without_issue_and_without_department():
    rec = recommendations(_pain(), top=10)
    assert "Hotline" not in rec["subject"].tolist()  # unranked and no issue
    website = rec.set_index("subject").loc["Website"]
    assert website["department"] == "" and website["text"].endswith("(log: 1%).")  # no owner to name


def test_german_sentences_with_labels():
    s = make_sample(customers=300, random_state=3)
    label = touchpoint_labeller(s.touchpoints, "de")
    rec = recommendations(
        _pain(), top=2, language="de", touchpoint_label=label, department_label=lambda d: department_label(d, "de")
    )
    assert rec["text"].iloc[0].startswith("Beheben, was Kunden nach ")
    assert label("Delivery delay notice") in rec["text"].iloc[0]
    assert "(verantwortlich: Logistik)" in rec["text"].iloc[0]
    assert rec["text"].iloc[1].startswith("Herausfinden, warum Kunden bei")


def test_nps_gaps_only_significant_and_below_the_rest_largest_first():
    gaps = pd.DataFrame(
        {
            "segment": ["A", "B", "C", "D"],
            "nps": [10.0, -5.0, 40.0, 12.0],
            "nps_rest": [30.0, 32.0, 20.0, 20.0],
            "difference": [-20.0, -37.0, 20.0, -8.0],
            "significant": [True, True, True, False],
        }
    )
    rec = recommendations(nps_segments=gaps, max_segments=5)
    assert rec["subject"].tolist() == ["B", "A"]
    assert rec["text"].iloc[0] == "Look after B: their NPS is 37 points below the rest (\u22125 vs. 32)."
    de = recommendations(nps_segments=gaps, max_segments=1, language="de")
    assert de["text"].iloc[0] == "Um B kümmern: ihr NPS liegt 37 Punkte unter dem Rest (\u22125 vs. 32)."


def test_fix_first_drivers():
    ipa = pd.DataFrame(
        {
            "driver": ["sat_delivery", "sat_web", "sat_price"],
            "importance": [41.5, 30.0, 10.0],
            "performance": [3.12, 4.5, 2.0],
            "quadrant": ["fix_first", "keep_up", "low_priority"],
        }
    )
    rec = recommendations(drivers=ipa, driver_label={"sat_delivery": "delivery"}.get)
    assert rec["text"].tolist() == [
        "Improve delivery: it matters for the recommendation but is rated below average "
        "(42% of the explained variance, mean rating 3.1)."
    ]
    de = recommendations(drivers=ipa, language="de")
    assert "(42 % der erklärten Varianz, mittlere Bewertung 3,1)" in de["text"].iloc[0]


def test_nothing_to_recommend_gives_an_empty_table_with_the_columns():
    rec = recommendations()
    assert rec.empty and list(rec.columns) == [
        "priority",
        "source",
        "subject",
        "department",
        "issue",
        "evidence",
        "text",
    ]


def test_bad_input_names_the_argument():
    with pytest.raises(CJMConfigError, match="'en' or 'de'"):
        recommendations(_pain(), language="fr")
    with pytest.raises(CJMConfigError, match="`top` must be"):
        recommendations(_pain(), top=-1)
    with pytest.raises(CJMConfigError, match=r"`pain_points` lacks the column\(s\) 'main_issue'"):
        recommendations(_pain().drop(columns="main_issue"))
    with pytest.raises(CJMConfigError, match="must be the DataFrame returned by nps_vs_rest"):
        recommendations(nps_segments=[1, 2])


def test_on_the_sample_the_planted_pain_points_lead():
    from cjm_lab.journeys import pain_points

    s = make_sample(customers=2000, random_state=42)
    pp = pain_points(s.events, touchpoints=s.touchpoints, survey=s.survey)
    rec = recommendations(pp, top=3)
    assert "Delivery delay notice" in rec["subject"].tolist()
    assert rec.set_index("subject").loc["Delivery delay notice", "department"] == "logistics"


def test_every_pain_point_component_has_an_action_in_both_languages():
    """A row whose main issue had no action would be left out of the recommendations without a word."""
    from cjm_lab.journeys import COMPONENTS
    from cjm_lab.reports.recommendations import ACTIONS

    for language in ("en", "de"):
        assert set(COMPONENTS) <= set(ACTIONS[language])
    pp = _pain().assign(main_issue=["ping_pong", "reopen", "lift", "change", ""])
    rec = recommendations(pp, top=4)
    assert rec["issue"].tolist() == ["ping_pong", "reopen", "lift", "change"]
    assert rec["text"].iloc[1].startswith("Make the resolutions at")
