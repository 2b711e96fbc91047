"""Pain points on real logs with known facts, each read with its one-page mapping in configs/painpoints/.

BPI Challenge 2012, the help desk and Olist shaped the method; the BPI Challenge 2013 closed-problems log
was held out while it was designed (docs/measured/painpoints.md): its challenge's own questions — cases
that ping-pong between support teams, and the "wait" status used to park cases — are answered here.
"""

from __future__ import annotations

import functools

import pytest
import yaml

from cjm_lab.io import load_events
from cjm_lab.journeys import explain_pain_point, pain_points, pain_summary

pytestmark = pytest.mark.real_data


@functools.cache
def mapped(name: str):
    """The log and the pain-point options of a one-page mapping."""
    with open(f"configs/painpoints/{name}.yaml", encoding="utf-8") as fh:
        cfg = yaml.safe_load(fh)
    ev = load_events(cfg["events_path"], columns=cfg["columns"], activity_from=cfg.get("activity_from"))
    options = {"outcome": cfg["outcome"], "outcome_kind": cfg["outcome_kind"], "dedupe": cfg["dedupe"]}
    return ev, options, cfg["levels"]


@pytest.fixture(scope="module")
def bpic2013():
    return mapped("bpic2013_closed_problems")


def test_held_out_bpic2013_its_known_troubles_are_in_the_top_five(bpic2013):
    ev, options, levels = bpic2013
    assert levels == ["touchpoint", "org:group"]
    states = pain_points(ev, **options)
    top = states.head(5).set_index("touchpoint")
    # the parking status: cases sit in Accepted-Wait for a median of 54 days, 18 % of all time in the log
    assert "Accepted-Wait" in top.index and top.loc["Accepted-Wait", "main_issue"] == "long_wait"
    wait = top.loc["Accepted-Wait"]
    assert wait["n_journeys"] == 410 and wait["median_stay_s"] == pytest.approx(4_660_000)  # 53.9 days
    assert wait["time_share_pct"] == pytest.approx(18.2, abs=0.1)
    # cases bouncing between statuses (queued again, assigned again) and reopened after closing
    assert top.loc["Queued-Awaiting Assignment", "main_issue"] == "ping_pong"
    assert top.loc["Completed-Closed", "main_issue"] == "reopen"
    log = states.attrs["cjm_pain_points"]["log"]["all"]
    assert (log["journeys"], log["reopened_journeys"]) == (1487, 58)
    # the support teams: the team that ping-pongs most leads, for ping-pong
    teams = pain_points(ev, level="org:group", **options)
    first = teams.iloc[0]
    assert first["org:group"] == "Org line A2" and first["main_issue"] == "ping_pong" and first["rank_high"] <= 2
    team_log = teams.attrs["cjm_pain_points"]["log"]["all"]
    assert (team_log["ping_pong_journeys"], round(team_log["ping_pong_pct"], 1)) == (59, 4.0)
    assert "4.0% of the cases are handed from one org:group to another and straight back (59 cases)" in set(
        pain_summary(teams)["text"]
    )


def test_held_out_bpic2013_the_challenge_questions(bpic2013):
    """Ping-pong between support teams and the wait status, answered with the evidence of a row."""
    ev, options, _ = bpic2013
    a2 = explain_pain_point(ev, touchpoint="Org line A2", level="org:group", n_boot=0, **options)
    pairs = dict(zip(a2.partners["partner"], a2.partners["n_journeys"]))
    assert pairs["Org line G3"] == 26 and pairs["Org line C"] == 10  # A2 and G3 bounce cases most
    wait = explain_pain_point(ev, touchpoint="Accepted-Wait", n_boot=0, **options)
    assert wait.partners.iloc[0]["partner"] == "Accepted-In Progress"  # In Progress <-> Wait, back and forth
    assert wait.next_steps.iloc[0]["next"] == "Completed-Closed"  # half the waits end by closing the case
    # which teams hold cases in Wait: the status and the team as one node
    cols = {k: v for k, v in load_cols("bpic2013_closed_problems").items() if v != "touchpoint"}
    by_team = load_events(
        "data/real/bpic2013_closed_problems.csv.gz", columns=cols, activity_from=["concept:name", "org:group"]
    )
    nodes = pain_points(by_team, dedupe=False, min_base=10, n_boot=0).set_index("touchpoint")
    waits = nodes[nodes.index.str.startswith("Accepted-Wait+")].sort_values("time_share_pct", ascending=False)
    assert waits.index[0] == "Accepted-Wait+Org line A2" and waits["time_share_pct"].iloc[0] == pytest.approx(
        10.0, abs=0.1
    )


def load_cols(name: str) -> dict:
    with open(f"configs/painpoints/{name}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)["columns"]


def test_design_logs_their_known_troubles_lead():
    ev, options, _ = mapped("helpdesk")
    desk = pain_points(ev, **options)
    first = desk.iloc[0]
    assert first["touchpoint"] == "Wait" and first["main_issue"] == "ping_pong"  # parked and taken back
    assert desk.attrs["cjm_pain_points"]["log"]["all"]["reopened_journeys"] == 153
    ev, options, _ = mapped("bpic2012")
    loans = pain_points(ev, **options)
    calls = loans.iloc[0]  # calling customers after their offer: they wait days to send it back
    assert calls["touchpoint"] == "W_Nabellen offertes+COMPLETE" and calls["main_issue"] == "long_wait"
    assert calls["median_stay_s"] == pytest.approx(929_000)  # 10.8 days


@pytest.mark.parametrize("name", ["bpic2012", "helpdesk", "bpic2013_closed_problems"])
def test_the_long_wait_flag_holds_its_documented_rate(name):
    """Long waits are the log's longest 5 % of stays: so they are on every real log (ties aside)."""
    ev, options, levels = mapped(name)
    for level in levels:
        lw = pain_points(ev, level=level, n_boot=0, **options).attrs["cjm_pain_points"]["long_wait"]
        assert lw["quantile"] == 0.95 and lw["long_pct"] == pytest.approx(5.0, abs=0.1)
