"""Pain points, component by component, on logs small enough to count by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.io import load_events, load_touchpoints
from cjm_lab.journeys import COMPONENTS, explain_pain_point, pain_points, pain_summary

T0 = pd.Timestamp("2025-01-06 10:00", tz="UTC")  # a Monday: week 2025-W02


def journeys(paths, *, start=T0, step="1min", gap="1D", **columns):
    """One journey per path (a list of touchpoints, one event per ``step``), the next one ``gap`` later."""
    rows = []
    for i, path in enumerate(paths):
        t = start + i * pd.Timedelta(gap)
        for k, tp in enumerate(path):
            rows.append({"customer_id": f"c{i:04d}", "timestamp": t + k * pd.Timedelta(step), "touchpoint": tp})
    frame = pd.DataFrame(rows)
    for name, values in columns.items():
        frame[name] = values
    return load_events(frame)


def log(rows):
    """rows: (customer, 'YYYY-MM-DD HH:MM', touchpoint)."""
    return load_events(pd.DataFrame(rows, columns=["customer_id", "timestamp", "touchpoint"]))


def by_node(table, unit="touchpoint"):
    return table.set_index(unit)


def test_rework_is_a_return_after_other_steps_and_ping_pong_a_bounce():
    paths = [list("AAB"), list("ABA"), list("ABBA"), list("ABCA"), list("BC")]
    cat = load_touchpoints(pd.DataFrame({"touchpoint": list("ABC"), "stage": "s", "kind": "internal"}), stages=["s"])
    pp = pain_points(journeys(paths), touchpoints=cat, min_base=1)
    t = by_node(pp)
    # A A B is an immediate repeat (no rework); A B A, A B B A, A B C A come back to A
    assert t.loc["A", "rework_pct"] == pytest.approx(75)  # 3 of the 4 journeys meeting A
    assert t.loc["B", "rework_pct"] == 0 and t.loc["C", "rework_pct"] == 0
    # ping-pong: A > B > A and A > B B > A (repeats merged), not A > B > C > A; both ends count
    assert t.loc["A", "ping_pong_pct"] == pytest.approx(50) and t.loc["B", "ping_pong_pct"] == pytest.approx(40)
    assert t.loc["C", "ping_pong_pct"] == 0
    # the catalogue says they are process steps: every return and bounce counts; the bounce counts
    # for B (it hands the journey straight back), A has its return under rework
    assert t.loc["A", "excess_customers"] == pytest.approx(3) and t.loc["A", "main_issue"] == "rework"
    assert t.loc["B", "excess_customers"] == pytest.approx(2) and t.loc["B", "main_issue"] == "ping_pong"
    assert t.loc["A", "pain_score"] == pytest.approx(60)  # 3 journeys hurt per 5 journeys
    assert list(pp["touchpoint"][:2]) == ["A", "B"] and t.loc["C", "pain_score"] == 0
    # time in state: a journey's time at a node until the next event, added up (seconds)
    assert t.loc["A", "median_stay_s"] == 60 and t.loc["B", "median_stay_s"] == 60 and t.loc["C", "median_stay_s"] == 60
    assert t.loc["A", "time_share_pct"] == pytest.approx(300 / 660 * 100)
    log = pp.attrs["cjm_pain_points"]["log"]["all"]
    assert (log["rework_journeys"], log["ping_pong_journeys"], log["journeys"]) == (3, 2, 5)
    text = pain_summary(pp)
    assert "60.0% of the journeys come back to the same touchpoint after others (3 journeys)" in set(text["text"])
    de = pain_summary(pp, language="de")
    assert (
        "60,0 % der Journeys kehren nach anderen Schritten zu einer Stelle (Kontaktpunkt) zurück, an der sie schon "
        "waren (3 Journeys)" in set(de["text"])
    )
    # a level's own word: a team is a team, in both languages
    named = pain_summary(pp, language="de", level_label={"en": "team", "de": "Team"})
    assert "60,0 % der Journeys werden" not in set(named["text"])  # 40.0 % ping-pong, 60.0 % rework
    assert any(t.startswith("40,0 % der Journeys werden von einer Stelle (Team) an eine andere") for t in named["text"])
    with pytest.raises(CJMConfigError, match=r"`level_label` has no 'de' text"):
        pain_summary(pp, language="de", level_label={"en": "team"})


def test_without_a_catalogue_only_returns_beyond_the_log_rate_count():
    paths = [list("ABA")] * 4 + [list("ACD")] * 4
    t = by_node(pain_points(journeys(paths), min_base=1))
    # rework of A: 4 of 8 journeys; scored touchpoints A, B, C, D: 4 returns in 8 + 4 + 4 + 4 journey-visits
    assert t.loc["A", "rework_pct"] == pytest.approx(50)
    assert t.loc["A", "excess_customers"] == pytest.approx(4 - 8 * 4 / 20, abs=1e-9) or t.loc["A", "main_issue"] != ""


def test_drop_off_is_weighted_by_the_outcome_share_of_those_going_on():
    paths = [["Cart", "Pay", "Buy"]] * 10 + [["Cart", "Pay"]] * 5 + [["Cart"]] * 5
    value = [100.0 if tp == "Buy" else np.nan for p in paths for tp in p]
    ev = journeys(paths, value=value)
    pp = pain_points(ev, outcome=["Buy"], min_base=1)
    t = by_node(pp)
    assert t.loc["Pay", "drop_off_pct"] == pytest.approx(100 / 3)  # 5 of 15 journeys end at Pay
    assert t.loc["Cart", "drop_off_pct"] == pytest.approx(25)  # 5 of 20
    assert t.loc["Pay", "outcome_after_pct"] == pytest.approx(100)  # those going on all buy
    assert t.loc["Cart", "outcome_after_pct"] == pytest.approx(200 / 3)  # 10 of the 15 going on
    assert bool(t.loc["Buy", "natural_exit"]) and not bool(t.loc["Pay", "natural_exit"])
    # outcomes lost: drop-offs x the share of those going on that reach the outcome
    assert t.loc["Pay", "lost_outcomes"] == pytest.approx(5) and t.loc["Cart", "lost_outcomes"] == pytest.approx(
        5 * 2 / 3
    )
    assert t.loc["Pay", "pain_score"] == pytest.approx(25) and t.loc["Pay", "rank"] == 1
    # the value at stake: the outcomes lost x the value per journey with an outcome (1,000 / 10)
    assert t.loc["Pay", "value_at_stake"] == pytest.approx(500)
    by_value = pain_points(ev, outcome=["Buy"], min_base=1, rank_by="value")
    assert by_node(by_value).loc["Pay", "pain_score"] == pytest.approx(500)
    assert t.loc["Pay", "note"] == (
        "33% of the journeys that reach it end here and never reach a conversion, while 100% of those that go on do"
    )
    assert pp.attrs["cjm_pain_points"]["log"]["all"]["value_per_outcome"] == pytest.approx(100)


def test_lift_compares_journeys_through_a_node_with_those_not_through_it():
    paths = (
        [["Start", "Error", "Pay", "Buy"]] * 20
        + [["Start", "Error", "Pay"]] * 80
        + [["Start", "Pay", "Buy"]] * 80
        + [["Start", "Pay"]] * 20
    )
    pp = pain_points(journeys(paths, gap="1h"), outcome=["Buy"], n_boot=50)
    t = by_node(pp)
    assert t.loc["Error", "conversion_rate_met"] == pytest.approx(20)
    assert t.loc["Error", "conversion_rate_not_met"] == pytest.approx(80)
    assert t.loc["Error", "conversion_lift"] == pytest.approx(-60)
    # Newcombe's interval from the two Wilson intervals (computed by hand: -69.42 to -47.44)
    assert t.loc["Error", "conversion_lift_ci_low"] == pytest.approx(-69.42, abs=0.01)
    assert t.loc["Error", "conversion_lift_ci_high"] == pytest.approx(-47.44, abs=0.01)
    assert t.loc["Error", "conversion_lift_p_adjusted"] < 1e-10
    # journeys hurt: the 100 through Error x the 60-point gap; plus nothing else there
    assert t.loc["Error", "excess_customers"] == pytest.approx(60) and t.loc["Error", "main_issue"] == "lift"
    assert t.loc["Error", "note"].startswith("Journeys through it reach a conversion less often: 20% vs. 80%")
    # a page every journey passes has nothing to compare with
    assert np.isnan(t.loc["Start", "conversion_lift"]) and np.isnan(t.loc["Pay", "conversion_lift"])
    # the bootstrap rank interval: Error and Pay lead clearly, the order between them is sure
    assert t.loc["Pay", "rank"] == 1 and (t.loc["Pay", "rank_low"], t.loc["Pay", "rank_high"]) == (1, 1)
    assert t.loc["Error", "pain_score_ci_low"] < t.loc["Error", "pain_score"] < t.loc["Error", "pain_score_ci_high"]
    again = pain_points(journeys(paths, gap="1h"), outcome=["Buy"], n_boot=50)
    pd.testing.assert_frame_equal(again, pp)  # the bootstrap is seeded


def test_sessions_make_drop_off_per_session_and_leave_their_gaps_out_of_the_waits():
    rows = [
        ("x", "2025-01-06 10:00", "Cart", "x1"),
        ("x", "2025-01-06 10:01", "Pay", "x1"),
        ("x", "2025-01-07 10:00", "Cart", "x2"),
        ("x", "2025-01-07 10:01", "Pay", "x2"),
        ("x", "2025-01-07 10:02", "Buy", "x2"),
        ("y", "2025-01-06 11:00", "Cart", "y1"),
        ("y", "2025-01-06 11:01", "Pay", "y1"),
        ("y", "2025-01-07 11:00", "Cart", "y2"),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "touchpoint", "session_id"])
    ev = load_events(frame)
    t = by_node(pain_points(ev, outcome=["Buy"], min_base=1))
    # x left its first session at Pay but came back and bought: no drop-off; y left sessions at Pay and
    # at Cart and never bought: a drop-off at both (each a session end); shares of the 2 journeys
    assert t.loc["Pay", "drop_off_pct"] == pytest.approx(50) and t.loc["Cart", "drop_off_pct"] == pytest.approx(50)
    log = pain_points(ev, outcome=["Buy"], min_base=1).attrs["cjm_pain_points"]["log"]["all"]
    assert (log["sessions"], log["drop_off_exits"], log["drop_off_exits_pct"]) == (4, 2, 50.0)
    # waits within sessions only: x waits 60 s at Cart twice and 60 s at Pay once; y 60 s at Cart
    assert t.loc["Cart", "median_stay_s"] == 60 and t.loc["Pay", "median_stay_s"] == 60
    assert t.loc["Cart", "p90_stay_s"] == 120
    no_sessions = pain_points(ev.drop(columns="session_id"), outcome=["Buy"], min_base=1)
    u = by_node(no_sessions)
    assert u.loc["Cart", "drop_off_pct"] == pytest.approx(50) and u.loc["Pay", "drop_off_pct"] == 0  # per journey
    # the day until the next session counts now: x waits 86,340 s + 60 s at Pay, y 86,340 s (binned 86,300)
    assert u.loc["Pay", "p90_stay_s"] == 86400 and u.loc["Pay", "median_stay_s"] == 86300
    assert "sessions" in no_sessions.attrs["cjm_pain_points"]["missing"]


def test_reopen_is_an_outcome_after_resumed_work_and_resolutions_are_no_waits():
    paths = [
        ["Open", "Work", "Resolved", "Closed"],
        ["Open", "Work", "Resolved", "Work", "Resolved", "Closed"],
        ["Open", "Work", "Closed", "Work", "Closed"],
    ]
    pp = pain_points(journeys(paths, step="1h"), outcome=["Resolved", "Closed"], outcome_kind="resolution", min_base=1)
    t = by_node(pp)
    assert t.loc["Resolved", "reopen_pct"] == pytest.approx(50)  # case 2 of the 2 meeting it
    assert t.loc["Closed", "reopen_pct"] == pytest.approx(100 / 3)  # case 3
    assert t.loc["Work", "reopen_pct"] == 0
    log = pp.attrs["cjm_pain_points"]["log"]["all"]
    assert log["reopened_journeys"] == 2 and log["reopened_pct"] == pytest.approx(200 / 3)
    # a resolved case no longer waits: no stay at Resolved or Closed
    assert np.isnan(t.loc["Resolved", "median_stay_s"]) and np.isnan(t.loc["Closed", "median_stay_s"])
    assert t.loc["Work", "median_stay_s"] == 7200  # 3,600 s in case 1, twice that in cases 2 and 3
    # the outcome's words name the columns and the sentences
    assert {"resolution_rate_met", "resolution_lift", "resolution_lift_p_adjusted"} <= set(pp.columns)
    assert "conversion_rate_met" not in pp.columns
    assert t.loc["Resolved", "note"] == "50% of the cases are reopened after a resolution here (1 cases)"
    de = by_node(
        pain_points(
            journeys(paths, step="1h"),
            outcome=["Resolved", "Closed"],
            outcome_kind="resolution",
            min_base=1,
            language="de",
        )
    )
    assert de.loc["Resolved", "note"] == "50 % der Fälle werden nach der Lösung hier wieder geöffnet (1 Fälle)"
    assert "2 cases were reopened after a resolution (66.7%)" in set(pain_summary(pp)["text"])


def test_a_change_over_time_is_found_without_knowing_its_week():
    paths, weeks = [], []
    for week in range(10):  # 60 journeys a week, 90 % buy; in the fifth week (2025-W06) only 40 %
        good = 24 if week == 4 else 54
        paths += [["Pay", "Buy"]] * good + [["Pay"]] * (60 - good)
        weeks += [week] * 60
    rows = []
    for i, (path, week) in enumerate(zip(paths, weeks)):
        t = T0 + pd.Timedelta(weeks=week) + pd.Timedelta(minutes=i % 60)
        rows += [
            {"customer_id": f"c{i}", "timestamp": t + k * pd.Timedelta("1min"), "touchpoint": tp}
            for k, tp in enumerate(path)
        ]
    ev = load_events(pd.DataFrame(rows))
    pp = pain_points(ev, outcome=["Buy"])
    pay = by_node(pp).loc["Pay"]
    assert pay["change_period"] == "2025-W06" and pay["change_metric"] == "outcome"
    assert pay["change_from_pct"] == pytest.approx(486 / 540 * 100) and pay["change_to_pct"] == pytest.approx(40)
    assert pay["change_note"] == "share reaching a conversion fell from 90% to 40% in week 2025-W06 (p < 0.001)"
    changes = pp.attrs["cjm_pain_points"]["changes"]
    assert {c["period"] for c in changes} == {"2025-W06"}  # the other weeks do not differ significantly
    assert changes[0]["note"].startswith("Pay: share reaching a conversion fell")
    # in the score: the week's extra drop-offs, 60 x (60 % - 10 %), beside the drop-offs of all weeks
    assert "change" in pay["drivers"]
    monthly = by_node(pain_points(ev, outcome=["Buy"], period="M")).loc["Pay"]
    assert monthly["change_period"] in ("", "2025-02")


def test_long_waits_are_the_log_s_longest_stays_and_their_rate_is_reported():
    paths = [["A", "B"]] * 100 + [["C", "D"]] * 200
    rows = []
    for i, path in enumerate(paths):
        wait = pd.Timedelta("30s") if path[0] == "C" else pd.Timedelta("60s")
        start = T0 + pd.Timedelta(minutes=i)
        rows += [(f"c{i}", start, path[0]), (f"c{i}", start + wait, path[1])]
    for i in range(5):  # five journeys wait ten days at A
        start = T0 + pd.Timedelta(hours=i)
        rows += [(f"w{i}", start, "A"), (f"w{i}", start + pd.Timedelta(days=10), "B")]
    ev = load_events(pd.DataFrame(rows, columns=["customer_id", "timestamp", "touchpoint"]))
    pp = pain_points(ev, min_base=1)
    t = by_node(pp)
    lw = pp.attrs["cjm_pain_points"]["long_wait"]
    # 305 stays; the 95th percentile (rank 290) is 60 s: only the five ten-day stays are beyond it
    assert lw["fence_s"] == 60 and lw["stays"] == 305 and lw["long_pct"] == pytest.approx(5 / 305 * 100)
    assert t.loc["A", "long_wait_pct"] == pytest.approx(5 / 105 * 100) and t.loc["C", "long_wait_pct"] == 0
    assert t.loc["A", "excess_customers"] == pytest.approx(5 - 105 * 5 / 305)
    assert (t.loc["A", "median_stay_s"], t.loc["A", "median_stay_ci_low"], t.loc["A", "median_stay_ci_high"]) == (
        60,
        60,
        60,
    )
    assert "4.8% stay longer than 60 s (log: 1.6%); median stay 60 s" == t.loc["A", "note"].replace(
        "5%", "4.8%"
    ) or t.loc["A", "note"].startswith("5% stay longer than 60 s")
    assert "1.6% of the stays are longer than 60 s (defined as the log's longest 5%)" in set(pain_summary(pp)["text"])


def test_a_bare_log_gets_every_component_it_can_and_says_what_is_missing():
    ev = journeys([list("ABA"), list("AB"), list("B")] * 10)
    pp = pain_points(ev)
    made = pp.attrs["cjm_pain_points"]
    assert set(made["missing"]) >= {"outcome", "sessions", "value", "catalogue", "service", "promised", "survey"}
    assert "drop-off, lift, reopen" in made["missing"]["outcome"]
    assert pp["drop_off_pct"].isna().all() and pp["outcome_lift"].isna().all() and pp["value_at_stake"].isna().all()
    assert pp["rework_pct"].notna().all() and pp["rank"].notna().any()
    assert made["outcome_kind"] == "none" and set(made["components"]) == set(COMPONENTS)


def test_duplicates_are_dropped_and_counted():
    ev = journeys([list("AB")] * 3)
    twice = load_events(pd.concat([ev, ev.iloc[[0, 1]]]).drop(columns="sequence"))
    log = pain_points(twice, min_base=1).attrs["cjm_pain_points"]["log"]["all"]
    assert (log["events"], log["duplicates_dropped"]) == (6, 2)
    kept = pain_points(twice, min_base=1, dedupe=False).attrs["cjm_pain_points"]["log"]["all"]
    assert (kept["events"], kept["duplicates_dropped"]) == (8, 0)


def test_explain_shows_the_evidence_of_one_row():
    paths = [["Start", "Error", "Pay", "Buy"]] * 20 + [["Start", "Error", "Pay"]] * 80 + [["Start", "Pay", "Buy"]] * 80
    ev = journeys(paths, gap="1h")
    evidence = explain_pain_point(ev, touchpoint="Error", outcome=["Buy"], n_boot=0)
    assert evidence.row["touchpoint"] == "Error" and evidence.row["main_issue"] == "lift"
    cmp = evidence.comparison.set_index("group")
    assert (cmp.loc["met", "journeys"], cmp.loc["met", "outcomes"]) == (100, 20)
    assert (cmp.loc["not met", "journeys"], cmp.loc["not met", "outcomes"]) == (80, 80)
    assert evidence.next_steps.to_dict("list") == {"next": ["Pay"], "n": [100], "pct": [100.0]}
    assert evidence.paths["path"].tolist() == ["Start > Error > Pay", "Start > Error > Pay > Buy"]
    assert evidence.paths["n_journeys"].tolist() == [80, 20] and evidence.paths["outcome_pct"].tolist() == [0.0, 100.0]
    comp = evidence.components.set_index("component")
    assert comp.loc["lift", "value_pct"] == pytest.approx(20 - 100) and comp.loc["lift", "share_of_score"] == 100
    with pytest.raises(CJMDataError, match=r"no journey meets 'Eror'.*Did you mean 'Error'"):
        explain_pain_point(ev, touchpoint="Eror", outcome=["Buy"])
    with pytest.raises(CJMConfigError, match=r"unknown option\(s\) 'conversion'. Did you mean"):
        explain_pain_point(ev, touchpoint="Error", conversion=["Buy"])


def test_bad_options_get_clear_errors():
    ev = journeys([list("AB")] * 3)
    with pytest.raises(CJMDataError, match=r"'teem'.*level"):
        pain_points(ev, level="teem")
    with pytest.raises(CJMConfigError, match=r"`level='stage'` needs a catalogue"):
        pain_points(ev, level="stage")
    with pytest.raises(CJMConfigError, match=r"`period` must be one of"):
        pain_points(ev, period="Y")
    with pytest.raises(
        CJMConfigError, match=r"pain_points\(\): `alpha` must be a number strictly between 0 and 1, e.g. 0.05, got 1.5"
    ):
        pain_points(ev, alpha=1.5)
    with pytest.raises(CJMConfigError, match=r"unknown pain components in `weights`: \['speed'\]"):
        pain_points(ev, weights={"speed": 1})
    with pytest.raises(CJMConfigError, match=r"`rank_by='value'` needs a value column"):
        pain_points(ev, rank_by="value")
    with pytest.raises(CJMConfigError, match=r"`outcome_kind='resolution'` needs the outcome events"):
        pain_points(ev, outcome_kind="resolution")
    with pytest.raises(CJMConfigError, match=r"`outcome_kind` must be one of"):
        pain_points(ev, outcome=["B"], outcome_kind="sale")
    with pytest.raises(CJMConfigError, match=r"pain_summary\(\): `table` must be the DataFrame"):
        pain_summary(pd.DataFrame({"a": [1]}))


def test_the_old_shop_counted_by_hand():
    rows = []
    for i in range(30):  # 30 customers: Cart -> Pay -> Buy
        rows += [
            (f"ok{i}", "2025-01-01 10:00", "Cart"),
            (f"ok{i}", "2025-01-01 10:01", "Pay"),
            (f"ok{i}", "2025-01-01 10:02", "Buy"),
            (f"ok{i}", "2025-01-01 11:00", "Invoice"),
        ]
    for i in range(10):  # 10 leave at Pay
        rows += [(f"lost{i}", "2025-01-01 10:00", "Cart"), (f"lost{i}", "2025-01-01 10:01", "Pay")]
    for i in range(10):  # 10 buy, then get a wrong invoice, complain twice within a day
        rows += [
            (f"loop{i}", "2025-01-01 10:00", "Cart"),
            (f"loop{i}", "2025-01-01 10:01", "Pay"),
            (f"loop{i}", "2025-01-01 10:02", "Buy"),
            (f"loop{i}", "2025-01-02 10:00", "Invoice"),
            (f"loop{i}", "2025-01-02 12:00", "Hotline"),
            (f"loop{i}", "2025-01-02 13:00", "Hotline"),
            (f"loop{i}", "2025-01-03 10:00", "Invoice"),
        ]
    ev = log(rows)
    cat = load_touchpoints(
        pd.DataFrame(
            {
                "touchpoint": ["Cart", "Pay", "Buy", "Invoice", "Hotline"],
                "stage": ["purchase", "purchase", "purchase", "experience", "experience"],
                "kind": ["external", "external", "internal", "internal", "internal"],
                "department": ["sales", "sales", "sales", "accounting", "customer_service"],
                "is_conversion": [False, False, True, False, False],
            }
        )
    )
    pp = pain_points(ev, touchpoints=cat).set_index("touchpoint")
    assert pp.loc["Pay", "drop_off_pct"] == pytest.approx(20)  # 10 of 50
    assert pp.loc["Invoice", "rework_pct"] == pytest.approx(25)  # 10 of 40 come back to it in one purchase
    assert np.isnan(pp.loc["Hotline", "rework_pct"])  # service contacts are symptoms, no rework
    assert pp.loc["Invoice", "repeat_contact_pct"] == pytest.approx(25)  # the loop's first invoice triggers 2 calls
    assert pp.loc["Invoice", "department"] == "accounting"
    assert pp.loc["Pay", "main_issue"] == "drop_off" and pp.loc["Invoice", "main_issue"] == "rework"
    assert set(pp.index[pp["rank"] <= 2]) == {"Pay", "Invoice"}
    # Pay: 10 drop-offs, and everyone going on from Pay buys: 10 purchases lost
    assert pp.loc["Pay", "excess_customers"] == pytest.approx(10)
    # Invoice: 10 returns (an internal step of the catalogue: every one counts) and repeated contacts beyond the
    # log's rate (10 triggers among 180 visits of the ranked non-service touchpoints): 10 - 40 x 10/180
    assert pp.loc["Invoice", "excess_customers"] == pytest.approx(10 + 10 - 40 * 10 / 180)
    de = pain_points(ev, touchpoints=cat, language="de").set_index("touchpoint")
    assert de.loc["Pay", "note"].startswith("20 % der Journeys, die hier ankommen, enden hier und erreichen nie einen")


def test_without_conversions_there_is_no_drop_off():
    ev = log([("a", "2025-01-01 10:00", "Ad"), ("a", "2025-01-01 10:05", "Shop")])
    pp = pain_points(ev, min_base=1)
    assert pp["drop_off_pct"].isna().all()


def test_lateness_and_moments_of_truth():
    rng = np.random.default_rng(0)
    n = 400
    late = rng.random(n) < 0.3
    bought = pd.Timestamp("2025-03-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 30, n), unit="D")
    promised = bought + pd.Timedelta(days=5)
    delivered = promised + pd.to_timedelta(np.where(late, 3, -1), unit="D")
    ev = load_events(
        pd.DataFrame(
            {
                "customer_id": np.repeat([f"o{i}" for i in range(n)], 2),
                "timestamp": np.ravel(np.column_stack([bought, delivered])),
                "touchpoint": ["Purchase", "Delivery"] * n,
                "promised": np.ravel(np.column_stack([np.full(n, pd.NaT), promised])),
            }
        )
    )
    ev["promised"] = pd.to_datetime(ev["promised"], utc=True)
    # reviews: one day after delivery; late deliveries are mostly 1-2 stars
    stars = np.where(late, rng.choice([1, 2, 3], n, p=[0.5, 0.3, 0.2]), rng.choice([3, 4, 5], n, p=[0.2, 0.3, 0.5]))
    survey = pd.DataFrame(
        {"customer_id": [f"o{i}" for i in range(n)], "stars": stars, "date": delivered + pd.Timedelta(days=1)}
    )
    pp = pain_points(ev, survey=survey, promised="promised", score="stars", scale=(1, 5), negative_max=2).set_index(
        "touchpoint"
    )
    assert pp.loc["Delivery", "late_pct"] == pytest.approx(late.mean() * 100)
    assert pp.loc["Delivery", "late_detractor_pct"] == pytest.approx((stars[late] <= 2).mean() * 100)
    assert pp.loc["Delivery", "late_odds_ratio"] > 5 and pp.loc["Delivery", "late_detractor_p_adjusted"] < 0.001
    assert pp.loc["Delivery", "rank"] == 1 and pp.loc["Delivery", "main_issue"] in ("late", "detractor")


def test_explain_takes_every_option_of_pain_points_with_its_default():
    import inspect

    theirs = dict(inspect.signature(pain_points).parameters)
    ours = dict(inspect.signature(explain_pain_point).parameters)
    assert [ours.pop(n).kind for n in ("touchpoint", "top_paths")] == [inspect.Parameter.KEYWORD_ONLY] * 2
    assert ours == theirs
    assert "n_boot : int" in explain_pain_point.__doc__ and "{pain_options}" not in explain_pain_point.__doc__


def test_a_node_named_like_the_exit_stays_a_node():
    # two journeys go Cart > "(exit)" (a touchpoint of that name) and end; one goes Cart > Buy
    rows = [
        ("a", 0, "Cart"),
        ("a", 1, "(exit)"),
        ("b", 0, "Cart"),
        ("b", 1, "(exit)"),
        ("c", 0, "Cart"),
        ("c", 1, "Buy"),
    ]
    ev = load_events(
        pd.DataFrame(
            [(c, pd.Timestamp("2025-01-01") + pd.Timedelta(minutes=m), tp) for c, m, tp in rows],
            columns=["customer_id", "timestamp", "touchpoint"],
        )
    )
    e = explain_pain_point(ev, touchpoint="Cart", outcome=["Buy"], min_base=1, n_boot=0)
    assert dict(zip(e.next_steps["next"], e.next_steps["n"])) == {"\\(exit)": 2, "Buy": 1}
    ends = explain_pain_point(ev, touchpoint="(exit)", outcome=["Buy"], min_base=1, n_boot=0)
    assert ends.next_steps["next"].tolist() == ["(exit)"]  # the end of the journey
    assert set(e.paths["path"]) == {"Cart > \\(exit)", "Cart > Buy"}


def test_node_codes_and_stage_bits_change_nothing(sample, monkeypatch):
    """The query's shortcuts (touchpoints as integer codes, a journey's stages as bits of one number)
    give the table the plain query gives: every column, at the touchpoint level with stages, service
    contacts and a segment.
    """
    import cjm_lab.journeys.painpoints as pp_module
    from cjm_lab.journeys._sources import FrameSource

    ev = sample.events.assign(half=np.where(sample.events["customer_id"].astype(str).str[-1] < "5", "a", "b"))
    fast = pain_points(ev, touchpoints=sample.touchpoints, by="half")
    monkeypatch.setattr(FrameSource, "names_without_scan", lambda self: False)  # no codes
    monkeypatch.setattr(pp_module, "MAX_STAGE_BITS", 0)  # one row per journey and stage
    plain = pain_points(ev, touchpoints=sample.touchpoints, by="half")
    pd.testing.assert_frame_equal(fast, plain)
    assert fast["repeat_contact_pct"].gt(0).any() and fast["touchpoint"].notna().all()


def test_change_sentences_name_touchpoints_in_the_reports_language(sample):
    """The whole log's change sentence names the touchpoint (and the next step) by the catalogue's label_de."""
    de = pain_summary(pain_points(sample.events, touchpoints=sample.touchpoints, language="de", n_boot=0))
    [text] = de.loc[de["measure"] == "changes", "text"]
    assert "Bezahlvorgang im Checkout: " in text and "Checkout payment" not in text  # the planted outage
    en = pain_summary(pain_points(sample.events, touchpoints=sample.touchpoints, language="en", n_boot=0))
    assert "Checkout payment: " in en.loc[en["measure"] == "changes", "text"].iloc[0]
