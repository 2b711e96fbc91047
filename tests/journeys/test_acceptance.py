"""Acceptance: planted pain points on the generated sample; known facts of the real logs."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from cjm_lab.io import events_from_milestones, load_events, load_survey, read_table
from cjm_lab.journeys import explain_pain_point, funnel, pain_points, path_lengths, transitions, variants

BPIC = {"case:concept:name": "customer_id", "time:timestamp": "timestamp", "concept:name": "touchpoint"}


def test_planted_pain_points_rank_at_the_top(sample):
    pp = pain_points(sample.events, touchpoints=sample.touchpoints, survey=sample.survey)
    top = pp.head(5).set_index("touchpoint")  # the billing loop shows at one of its touchpoints
    planted = {p["id"]: p for p in sample.truth["pain_points"]}
    assert planted["delivery_delay"]["touchpoint"] in top.index
    assert planted["checkout_dropoff"]["touchpoint"] in top.index
    assert set(planted["billing_loop"]["loop"]) & set(top.index)  # the loop shows at its invoice
    delay = pp.set_index("touchpoint").loc["Delivery delay notice"]
    assert delay["main_issue"] == "repeat_contact" and delay["department"] == "logistics"
    assert delay["stage"] == "experience"
    checkout = pp.set_index("touchpoint").loc["Checkout payment"]
    assert checkout["main_issue"] == "drop_off" and checkout["department"] == "sales"
    loop = pp.set_index("touchpoint").loc["Invoice"]
    assert loop["main_issue"] == "rework" and loop["department"] == "accounting"


def test_planted_payment_outage_found_without_its_window(sample):
    """The outage is found in the weeks it was planted, and in no other week, without being told when."""
    pp = pain_points(sample.events, touchpoints=sample.touchpoints)
    outage = next(p for p in sample.truth["pain_points"] if p["id"] == "payment_outage")
    changes = pp.attrs["cjm_pain_points"]["changes"]
    first = [c for c in changes if c["node"] == "Checkout payment" and c["metric"] == "outcome"]
    weeks = set(outage["weeks"])
    assert {c["period"] for c in first} == weeks
    assert {c["period"] for c in changes if c["metric"] in ("outcome", "drop_off")} <= weeks
    during = outage["effect"]["confirmed_share_during"] * 100
    assert min(c["to_pct"] for c in first) == pytest.approx(during, abs=10)  # each week near the planted share
    checkout = pp.set_index("touchpoint").loc["Checkout payment"]
    # the stronger of the two outage weeks is named, with the shares before and during
    assert checkout["change_period"] in weeks and "change" in checkout["drivers"]
    note = re.match(r"share reaching a conversion fell from (\d+)% to (\d+)% in week (\S+) ", checkout["change_note"])
    assert note and note[3] == checkout["change_period"]
    assert int(note[2]) == pytest.approx(during, abs=12) and int(note[1]) > int(note[2]) + 30


def test_planted_service_ping_pong_between_two_teams(sample):
    truth = next(p for p in sample.truth["pain_points"] if p["id"] == "service_ping_pong")
    pp = pain_points(sample.events, touchpoints=sample.touchpoints, level=truth["column"])
    teams = pp.set_index("team")
    assert set(pp.head(2)["team"]) == set(truth["teams"])
    assert teams.loc["Service desk", "main_issue"] == "ping_pong"
    assert teams.loc[list(truth["teams"]), "ping_pong_pct"].min() > 25
    assert teams.loc["Billing team", "ping_pong_pct"] < 5
    evidence = explain_pain_point(
        sample.events, touchpoint="Logistics desk", touchpoints=sample.touchpoints, level="team"
    )
    partner = evidence.partners.iloc[0]
    assert partner["partner"] == "Service desk" and partner["n_journeys"] >= truth["effect"]["n_ping_pong"]


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
    pp = pain_points(ev, outcome=["A_APPROVED"], dedupe=False)
    assert pp["rank"].notna().sum() > 10 and pp.iloc[0]["main_issue"] != ""


@pytest.mark.real_data
def test_helpdesk_known_counts():
    ev = load_events("data/real/helpdesk_ticket_journeys.csv.gz", columns=BPIC)
    assert len(ev) == 21_348 and ev["customer_id"].nunique() == 4_580
    assert variants(ev, dedupe=False)["n_journeys"].sum() == 4_580
    pp = pain_points(ev, outcome=["Closed"], dedupe=False)
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
    pp = pain_points(ev, survey=reviews, promised="promised", scale=(1, 5), negative_max=2).set_index("touchpoint")
    delivery = pp.loc["Delivery"]
    assert delivery["rank"] == 1 and delivery["main_issue"] == "late"
    assert delivery["late_pct"] == pytest.approx(380 / 3467 * 100)
    assert delivery["late_detractor_pct"] > 2 * delivery["on_time_detractor_pct"]
    assert delivery["late_detractor_p_adjusted"] < 1e-6
