"""Acceptance: planted pain points on the generated sample; known facts of the real logs."""

from __future__ import annotations

import pandas as pd
import pytest

from cjm_lab.io import events_from_milestones, load_events, load_survey, read_table
from cjm_lab.journeys import funnel, pain_points, path_lengths, transitions, variants

BPIC = {"case:concept:name": "customer_id", "time:timestamp": "timestamp", "concept:name": "touchpoint"}


def test_planted_pain_points_rank_at_the_top(sample):
    pp = pain_points(sample.events, touchpoints=sample.touchpoints, survey=sample.survey)
    top = pp.head(4).set_index("touchpoint")  # the billing loop shows at one of its touchpoints
    planted = {p["id"]: p for p in sample.truth["pain_points"]}
    assert planted["delivery_delay"]["touchpoint"] in top.index
    assert planted["checkout_dropoff"]["touchpoint"] in top.index
    assert set(planted["billing_loop"]["loop"]) & set(top.index)  # the loop shows at its invoice
    delay = pp.set_index("touchpoint").loc["Delivery delay notice"]
    assert delay["main_issue"] == "repeat_contact" and delay["department"] == "logistics"
    assert delay["stage"] == "experience"
    checkout = pp.set_index("touchpoint").loc["Checkout payment"]
    assert checkout["main_issue"] == "drop_off" and checkout["department"] == "sales"
    loop = pp.set_index("touchpoint").loc["Billing complaint"]
    assert loop["main_issue"] == "rework" and loop["department"] == "accounting"


def test_planted_drop_off_found_for_the_right_persona(sample):
    ev = sample.events.merge(sample.personas, on="customer_id")
    by_persona = pain_points(ev, touchpoints=sample.touchpoints, by="persona")
    first = by_persona[by_persona["rank"] == 1].set_index("persona")["touchpoint"]
    assert first["price_hunter"] == "Checkout payment"
    drop = by_persona[by_persona.touchpoint == "Checkout payment"].set_index("persona")["drop_off_pct"]
    assert drop.idxmax() == "price_hunter" and drop["price_hunter"] > 3 * drop.drop("price_hunter").max()
    steps = funnel(ev, steps=["Cart", "Checkout payment", "Order confirmation"], by="persona")
    last = steps[steps.step_no == 3].set_index("persona")
    assert last["drop_off_pct"].idxmax() == "price_hunter"
    truth = sample.truth["checkout_dropoff"]["price_hunter"]["observed"] * 100
    assert last.loc["price_hunter", "drop_off_pct"] == pytest.approx(truth, abs=3)
    assert last["p_value"].iloc[0] < 1e-6


@pytest.mark.real_data
def test_bpic2012_known_counts():
    ev = load_events("data/real/bpic2012_loan_journeys.csv.gz", columns=BPIC)
    assert len(ev) == 262_200 and ev["customer_id"].nunique() == 13_087
    v = variants(ev, dedupe=False)
    assert v["n_journeys"].sum() == 13_087
    assert len(v) == 4_366  # the BPIC 2012 variant count reported with concept:name as activity
    outcomes = ev[ev.touchpoint.isin(["A_APPROVED", "A_DECLINED", "A_CANCELLED"])]
    counts = outcomes.groupby("touchpoint")["customer_id"].nunique().to_dict()
    assert counts == {"A_APPROVED": 2_246, "A_DECLINED": 7_635, "A_CANCELLED": 2_807}
    t = transitions(ev, dedupe=False)
    inner = t[(t.source != "(start)") & (t.target != "(exit)")]
    assert inner["n"].sum() == 262_200 - 13_087  # directly-follows pairs: events minus journeys
    assert path_lengths(ev, dedupe=False)["n_journeys"].sum() == 13_087
    pp = pain_points(ev, conversions=["A_APPROVED"], dedupe=False)
    assert pp["rank"].notna().sum() > 10 and pp.iloc[0]["main_issue"] != ""


@pytest.mark.real_data
def test_helpdesk_known_counts():
    ev = load_events("data/real/helpdesk_ticket_journeys.csv.gz", columns=BPIC)
    assert len(ev) == 21_348 and ev["customer_id"].nunique() == 4_580
    assert variants(ev, dedupe=False)["n_journeys"].sum() == 4_580
    pp = pain_points(ev, conversions=["Closed"], dedupe=False)
    assert {"rework_pct", "long_wait_pct"} <= set(pp.columns)


@pytest.mark.real_data
def test_olist_late_delivery_is_the_moment_of_truth():
    raw, _ = read_table("data/real/olist_orders_reviews.csv.gz")
    ev = events_from_milestones(
        raw,
        id_column="id",
        milestones={
            "Purchase": "order_purchase_timestamp",
            "Approval": "order_aproved_at",
            "Delivery": "order_delivered_customer_date",
            "Review": "review_creation_date",
        },
        promised={"Delivery": "order_estimated_delivery_date"},
    )
    reviews = load_survey(
        raw,
        columns={"id": "customer_id", "review_answer_timestamp": "date", "review_score": "recommend"},
        recommend_scale=(1, 5),
    )
    created = pd.to_datetime(raw["review_creation_date"], utc=True)
    delivered = pd.to_datetime(raw["order_delivered_customer_date"], utc=True)
    assert int((created < delivered).sum()) == 413  # reviews dated before their delivery
    pp = pain_points(ev, survey=reviews, promised="promised", score_scale=(1, 5), negative_max=2).set_index(
        "touchpoint"
    )
    delivery = pp.loc["Delivery"]
    assert delivery["rank"] == 1 and delivery["main_issue"] == "late"
    assert delivery["late_pct"] == pytest.approx(380 / 3467 * 100)
    assert delivery["late_detractor_pct"] > 2 * delivery["on_time_detractor_pct"]
    assert delivery["late_detractor_p_adjusted"] < 1e-6
