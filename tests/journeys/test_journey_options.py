"""Journey options every analysis takes: merging immediate repeats, and a date range of whole journeys."""

from __future__ import annotations

import pandas as pd
import pytest

from cjm_lab.errors import CJMConfigError
from cjm_lab.io import load_events
from cjm_lab.journeys import Period, build_journeys, funnel, pain_points, path_lengths, transitions, variants


@pytest.fixture
def ev():
    rows = [
        # a: starts on 6 January, repeats A, ends on 20 January (after the range below)
        ("a", "2025-01-06 10:00", "A"),
        ("a", "2025-01-06 10:01", "A"),
        ("a", "2025-01-06 10:02", "B"),
        ("a", "2025-01-20 10:00", "A"),
        # b: starts on 8 January
        ("b", "2025-01-08 09:00", "A"),
        ("b", "2025-01-08 09:05", "B"),
        # c: starts on 15 January
        ("c", "2025-01-15 09:00", "B"),
        ("c", "2025-01-15 09:00", "B"),  # an exact duplicate
        ("c", "2025-01-15 09:01", "B"),
    ]
    return load_events(pd.DataFrame(rows, columns=["customer_id", "timestamp", "touchpoint"]))


def test_collapse_repeats_merges_immediate_repeats_in_every_analysis(ev):
    paths = dict(zip(*variants(ev, collapse_repeats="consecutive")[["path", "n_journeys"]].T.values))
    assert paths == {"A > B > A": 1, "A > B": 1, "B": 1}
    assert set(variants(ev)["path"]) == {"A > A > B > A", "A > B", "B > B"}  # off by default
    t = transitions(ev, collapse_repeats="consecutive")
    assert not ((t["source"] == t["target"]) & (t["source"] != "(start)")).any()
    assert path_lengths(ev, collapse_repeats="consecutive")["length"].tolist() == [1, 2, 3]
    built = build_journeys(ev, collapse_repeats="consecutive")
    assert built[built["customer_id"] == "a"]["step"].tolist() == [1, 2, 3]
    # the first event of each run stays (its time)
    assert built[built["customer_id"] == "a"]["timestamp"].iloc[0] == pd.Timestamp("2025-01-06 10:00", tz="UTC")
    # rework already ignores immediate repeats: the same with or without
    a = pain_points(ev, min_base=1, n_boot=0).set_index("touchpoint")["rework_pct"]
    b = pain_points(ev, min_base=1, n_boot=0, collapse_repeats="consecutive").set_index("touchpoint")["rework_pct"]
    pd.testing.assert_series_equal(a, b)


def test_dates_keep_whole_journeys_that_begin_in_the_range(ev):
    window = ("2025-01-06", "2025-01-10")
    v = variants(ev, dates=window)
    assert dict(zip(v["path"], v["n_journeys"])) == {"A > A > B > A": 1, "A > B": 1}  # a's last event stays
    assert variants(ev, dates=("2025-01-07", None))["n_journeys"].sum() == 2  # b and c
    assert variants(ev, dates=(None, "2025-01-07"))["path"].tolist() == ["A > A > B > A"]
    f = funnel(ev, steps=["A", "B"], dates=window)
    assert f["n_reached"].tolist() == [2, 2]
    pp = pain_points(ev, min_base=1, n_boot=0, dates=window)
    assert pp.attrs["cjm_pain_points"]["log"]["all"]["journeys"] == 2
    # naive times are UTC; a time zone counts
    late = variants(ev, dates=(pd.Timestamp("2025-01-08 10:00", tz="Europe/Berlin"), None))  # 09:00 UTC
    assert late["n_journeys"].sum() == 2


def test_bad_journey_options_are_named(ev):
    with pytest.raises(
        CJMConfigError,
        match=r"variants\(\): `collapse_repeats` must be 'off' \(the default\) or 'consecutive' \(merges .*got 'yes'",
    ):
        variants(ev, collapse_repeats="yes")
    with pytest.raises(CJMConfigError, match=r"`dates` must be a pair \(from, to\).*Fix: pass dates="):
        variants(ev, dates="2025-01-01")
    with pytest.raises(CJMConfigError, match=r"`dates` holds 'soon', which is not a date"):
        variants(ev, dates=("soon", None))
    with pytest.raises(CJMConfigError, match=r"`dates` must run forward"):
        variants(ev, dates=("2025-02-01", "2025-01-01"))


def test_by_a_period_of_the_journey_or_of_each_event(ev):

    # a (6 Jan) and b (8 Jan) begin in ISO week 2; c (15 Jan) in week 3; a's last event is in week 4
    v = variants(ev, by=Period("W"))
    assert v.groupby("week")["n_journeys"].sum().to_dict() == {"2025-W02": 2, "2025-W03": 1}
    t = transitions(ev, by=Period("W", of="event"))
    back = t[(t["source"] == "B") & (t["target"] == "A")]
    assert back["event_week"].tolist() == ["2025-W02"]  # the transition counts in its source event's week
    later = t[(t["source"] == "A") & (t["target"] == "(exit)")]
    assert later["event_week"].tolist() == ["2025-W04"]
    by_journey = transitions(ev, by=Period("W"))
    assert set(by_journey.loc[by_journey["source"] == "A", "week"]) == {"2025-W02"}  # all in the week a began
    # ISO weeks across the new year, months, quarters, days
    edge = load_events(
        pd.DataFrame(
            {
                "customer_id": ["x", "y", "z"],
                "timestamp": ["2024-12-30 10:00", "2026-01-01 10:00", "2025-03-31 23:59"],
                "touchpoint": "A",
            }
        )
    )
    assert set(variants(edge, by=Period("W"))["week"]) == {"2025-W01", "2026-W01", "2025-W14"}
    assert set(variants(edge, by=Period("M"))["month"]) == {"2024-12", "2026-01", "2025-03"}
    assert set(variants(edge, by=Period("Q"))["quarter"]) == {"2024-Q4", "2026-Q1", "2025-Q1"}
    assert set(variants(edge, by=Period("D"))["day"]) == {"2024-12-30", "2026-01-01", "2025-03-31"}
    with pytest.raises(CJMConfigError, match=r"`freq` must be 'D', 'W', 'M' or 'Q'"):
        Period("Y")
    with pytest.raises(CJMConfigError, match=r"`of` must be 'journey'"):
        Period("M", of="case")


def test_results_record_how_their_journeys_were_made(ev):
    # one exact duplicate (c at 09:00), counted where it was dropped; the options and how `by` was applied
    for result in (variants(ev), variants(ev, top=1), transitions(ev), pain_points(ev)):
        made = result.attrs["cjm_journeys"]
        assert made["duplicates_dropped"] == 1
        assert made["collapse_repeats"] == "off" and made["dates"] is None and made["by"] == []
    kept = variants(ev, dedupe=False).attrs["cjm_journeys"]
    assert kept["duplicates_dropped"] == 0 and kept["dedupe"] is False
    made = transitions(ev, by=Period("W"), dates=("2025-01-01", "2025-01-10")).attrs["cjm_journeys"]
    assert made["by"] == [{"column": "week", "of": "the period of each journey's first event"}]
    assert made["dates"][0].startswith("2025-01-01")
    made = transitions(ev, by=Period("W", of="event")).attrs["cjm_journeys"]
    assert made["by"] == [{"column": "event_week", "of": "the period of each transition's source event"}]


def test_the_outcome_is_a_name_or_a_collection_of_names(ev):
    """``outcome`` (formerly ``conversions``): one touchpoint is one name (not its letters), and any
    collection of names means the same; what is not names is refused, naming the analysis."""
    rates = variants(ev, outcome=["B"]).set_index("path")["conversion_rate"]
    # a and b reach B, c starts with it: every journey converts (a share, 0 to 1)
    assert rates.to_dict() == {"A > A > B > A": 1.0, "A > B": 1.0, "B > B": 1.0}
    for same in ("B", ("B",), {"B"}, pd.Series(["B"]), pd.Index(["B"])):
        pd.testing.assert_frame_equal(variants(ev, outcome=same), variants(ev, outcome=["B"]))
    assert variants(ev, outcome="A").set_index("path")["conversion_rate"].tolist() == [1.0, 1.0, 0.0]
    for bad in ([], ["B", ""], [1], {"B": 1}, (name for name in ["B"])):
        with pytest.raises(CJMConfigError, match=r"^funnel\(\): `outcome` must be a touchpoint name or a list"):
            funnel(ev, steps=["A", "B"], outcome=bad)
