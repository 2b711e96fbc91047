"""Funnels on logs whose answers are known by hand: modes, windows, optional and excluded steps,
ties, segments, the Wilson intervals, drop-offs, and the same funnel on files and in parts."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cjm_lab.errors import CJMConfigError
from cjm_lab.io import load_events
from cjm_lab.journeys import Engine, funnel, funnel_dropoffs


def log(rows):
    """rows: (customer, 'YYYY-MM-DD HH:MM', touchpoint)."""
    return load_events(pd.DataFrame(rows, columns=["customer_id", "timestamp", "touchpoint"]))


FUNNEL_LOG = [
    ("a", "2025-01-01 10:00", "Web"),
    ("a", "2025-01-01 10:10", "Cart"),
    ("a", "2025-01-01 10:20", "Pay"),
    ("b", "2025-01-01 10:00", "Web"),
    ("b", "2025-01-01 10:05", "Help"),
    ("b", "2025-01-01 10:10", "Cart"),
    ("b", "2025-01-03 10:00", "Pay"),
    ("c", "2025-01-01 10:00", "Cart"),
    ("c", "2025-01-01 10:01", "Web"),
    ("c", "2025-01-01 10:02", "Pay"),
    ("d", "2025-01-01 10:00", "Web"),
    ("e", "2025-01-01 10:00", "Web"),
    ("e", "2025-01-01 10:01", "Cart"),
    ("e", "2025-01-01 10:02", "Return"),
    ("e", "2025-01-01 10:03", "Pay"),
]


def test_funnel_modes_by_hand():
    ev = log(FUNNEL_LOG)
    steps = ["Web", "Cart", "Pay"]
    ordered = funnel(ev, steps=steps)
    assert ordered["n_reached"].tolist() == [5, 3, 3]  # a, b, e reach Cart then Pay; c has Cart before Web
    strict = funnel(ev, steps=steps, mode="strict")
    assert strict["n_reached"].tolist() == [5, 2, 1]  # b has Help in between; e has Return before Pay
    anyo = funnel(ev, steps=steps, mode="any")
    assert anyo["n_reached"].tolist() == [5, 4, 4]  # c counts in any order
    windowed = funnel(ev, steps=steps, window="1D")
    assert windowed["n_reached"].tolist() == [5, 3, 2]  # b pays two days later
    per_step = funnel(ev, steps=steps, step_windows=[None, None, "5min"])
    assert per_step["n_reached"].tolist() == [5, 3, 1]  # only e pays within 5 min of Cart
    excluded = funnel(ev, steps=steps, exclude=["Return"])
    assert excluded["n_reached"].tolist() == [4, 2, 2] and excluded["n_excluded"].iloc[0] == 1
    row = ordered.iloc[1]
    assert row["pct_of_start"] == pytest.approx(60) and row["n_dropped"] == 2
    assert row["median_time_s"] == 600  # a 600 s, b 600 s, e 60 s
    assert (ordered["n_reached"].diff().dropna() <= 0).all()


def test_funnel_any_order_times_from_the_first_of_the_steps():
    # c meets Pay first, then Web, then Cart: Web and Cart took 5 min, not 10 from Pay
    ev = log([("c", "2025-01-01 10:00", "Pay"), ("c", "2025-01-01 10:05", "Web"), ("c", "2025-01-01 10:10", "Cart")])
    out = funnel(ev, steps=["Web", "Cart", "Pay"], mode="any")
    assert out["n_reached"].tolist() == [1, 1, 1]
    assert out["median_time_s"].tolist()[1:] == [300.0, 600.0]
    assert funnel(ev, steps=["Web", "Cart", "Pay"], mode="any", window="7min")["n_reached"].tolist() == [1, 0, 0]


def test_funnel_optional_step_and_alternatives():
    ev = log(FUNNEL_LOG)
    out = funnel(ev, steps=["Web", ["Help", "Chat"], "Cart", "Pay"], optional=["Help / Chat"])
    assert out["step"].tolist() == ["Web", "Help / Chat", "Cart", "Pay"]
    assert out["n_reached"].tolist() == [5, 1, 3, 3] and out["optional"].tolist() == [False, True, False, False]
    assert out.loc[2, "pct_of_previous"] == pytest.approx(60)  # Cart compared with Web, not with the optional step


def test_funnel_dropoffs_and_segments():
    ev = log(FUNNEL_LOG)
    drops = funnel_dropoffs(ev, steps=["Web", "Cart", "Pay"])
    assert drops.set_index(["step_no", "next_touchpoint"])["n_journeys"].to_dict() == {(1, "(exit)"): 1, (1, "Pay"): 1}
    seg = ev.assign(g=ev["customer_id"].map({"a": "x", "b": "x", "c": "y", "d": "y", "e": "y"}))
    out = funnel(seg, steps=["Web", "Cart"], by="g")
    assert out.set_index(["g", "step_no"])["n_reached"].to_dict() == {
        ("x", 1): 2,
        ("x", 2): 2,
        ("y", 1): 3,
        ("y", 2): 1,
    }
    assert out["p_value"].notna().sum() == 2


def test_funnel_order_on_equal_times_and_at_the_ends_of_the_calendar():
    """The funnel compares order keys packed from the timestamp and the sequence: equal times
    follow the sequence (whatever its range), and dates before 1970 or in year 9999 still order."""
    big = 2**63 - 1
    ev = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "b", "c", "c", "c"],
            "timestamp": pd.to_datetime(
                ["2025-01-01 10:00"] * 3
                + [
                    "1965-03-01 08:00",
                    "1965-03-01 08:00:00.000001",
                    "9999-12-31 23:59:58",
                    "9999-12-31 23:59:59",
                    "9999-12-31 23:59:59",
                ],
                utc=True,
                format="ISO8601",
            ).as_unit("us"),
            "touchpoint": ["Cart", "Web", "Cart", "Web", "Cart", "Web", "Pay", "Cart"],
            # a: Cart, Web, Cart by sequence (-big < 0 < big); c: Cart comes after Pay at the same second
            "sequence": [-big, 0, big, 5, 4, 1, 2, 3],
        }
    )
    out = funnel(ev, steps=["Web", "Cart", "Pay"], dedupe=False)
    assert out["n_reached"].tolist() == [3, 3, 0]
    # Web -> Cart took a: 0 s, b: 1 µs, c: 1 s; exact to the microsecond (nearest rank 2 and 3 of 3)
    assert out[["median_time_s", "p95_time_s"]].iloc[1].tolist() == [1e-6, 1.0]
    assert funnel(ev, steps=["Web", "Pay", "Cart"], dedupe=False)["n_reached"].tolist() == [3, 1, 1]


def test_funnel_ties_duplicates_exclusions_and_missing_segments():
    at = pd.Timestamp("2025-01-01 10:00:00.005123", tz="UTC")
    # a: Cart, Web and a repeat of the first Cart, all at one time: de-duplicated, Cart is not after Web
    ev = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a"],
            "timestamp": [at] * 3,
            "touchpoint": ["Cart", "Web", "Cart"],
            "sequence": [1, 2, 3],
        }
    )
    assert funnel(ev, steps=["Web", "Cart"])["n_reached"].tolist() == [1, 0]
    assert funnel(ev, steps=["Web", "Cart"], dedupe=False)["n_reached"].tolist() == [1, 1]
    # an exclusion at the very (sub-second) time of the last step reached excludes the journey
    ev = pd.DataFrame(
        {
            "customer_id": ["b"] * 3,
            "timestamp": [at - pd.Timedelta("1h"), at, at],
            "touchpoint": ["Web", "Hotline", "Cart"],
            "sequence": [0, 1, 2],
        }
    )
    out = funnel(ev, steps=["Web", "Cart"], exclude=["Hotline"])
    assert out["n_reached"].tolist() == [0, 0] and out["n_excluded"].tolist() == [1, 1]
    # windows hold to the microsecond in every mode: 60 s from Web to Cart fits "60s", not 59.999999 s
    ev = pd.DataFrame(
        {
            "customer_id": ["c", "c"],
            "sequence": [0, 1],
            "touchpoint": ["Web", "Cart"],
            "timestamp": [at, at + pd.Timedelta("60s")],
        }
    )
    for mode in ("ordered", "strict", "any"):
        assert funnel(ev, steps=["Web", "Cart"], mode=mode, window="60s")["n_reached"].tolist() == [1, 1]
        assert funnel(ev, steps=["Web", "Cart"], mode=mode, window=59.999999)["n_reached"].tolist()[1] == 0
    assert funnel(ev, steps=["Web", "Cart"], mode="strict", step_windows=[None, 59.999999])["n_reached"].tolist() == [
        1,
        0,
    ]
    # a missing segment value is a segment of its own, with its own rows
    seg = log(FUNNEL_LOG)
    seg["g"] = seg["customer_id"].map({"a": "x", "b": "x", "c": None, "d": None, "e": None})
    out = funnel(seg, steps=["Web", "Cart"], by="g")
    assert out["g"].isna().sum() == 2 and out["n_reached"].tolist() == [2, 2, 3, 1]
    # no journey reaches the funnel: every step reached by none
    assert funnel(log(FUNNEL_LOG), steps=["Pay", "Web"], by=None)["n_reached"].tolist()[1] == 0


def test_funnel_bad_input():
    ev = log(FUNNEL_LOG)
    with pytest.raises(CJMConfigError, match="at least two steps"):
        funnel(ev, steps=["Web"])
    with pytest.raises(CJMConfigError, match="mode"):
        funnel(ev, steps=["Web", "Pay"], mode="loose")
    with pytest.raises(CJMConfigError, match="duration"):
        funnel(ev, steps=["Web", "Pay"], window="soon")
    with pytest.raises(CJMConfigError, match="unknown option"):
        funnel(ev, steps=["Web", "Pay"], journy="session")


def test_wilson_intervals_by_hand():
    """Cart: 3 of the 5 who started; Wilson at 95 %, z = 1.959964 (the 97.5 % normal quantile):
    centre (0.6 + z²/10) / (1 + z²/5) = 0.55655, half-width z / (1 + z²/5) · √(0.6·0.4/5 + z²/100) = 0.32583."""
    out = funnel(log(FUNNEL_LOG), steps=["Web", "Cart", "Pay"])
    z = 1.959964
    denom = 1 + z**2 / 5
    centre = (0.6 + z**2 / 10) / denom
    half = z / denom * math.sqrt(0.6 * 0.4 / 5 + z**2 / 100)
    assert (round(centre, 5), round(half, 5)) == (0.55655, 0.32583)
    cart = out.iloc[1]
    assert cart["ci_low"] == pytest.approx((centre - half) * 100, abs=1e-4)
    assert cart["ci_high"] == pytest.approx((centre + half) * 100, abs=1e-4)
    # from the previous step (Web, also 5 journeys): the same interval; Pay: 3 of 3 reached Cart
    assert cart["prev_ci_low"] == pytest.approx(cart["ci_low"]) and out.iloc[2]["prev_ci_high"] == 100.0
    # 90 %: narrower, around the same share
    narrow = funnel(log(FUNNEL_LOG), steps=["Web", "Cart", "Pay"], confidence=0.9).iloc[1]
    assert cart["ci_low"] < narrow["ci_low"] < 60 < narrow["ci_high"] < cart["ci_high"]


@pytest.mark.parametrize("confidence", [95, 0, 1, True, "0.95"])
def test_confidence_must_be_a_share(confidence):
    with pytest.raises(
        CJMConfigError,
        match=r"funnel\(\): `confidence` must be a number strictly between 0 and 1 \(a share, not in percent\)",
    ):
        funnel(log(FUNNEL_LOG), steps=["Web", "Cart"], confidence=confidence)


def test_dropoffs_list_the_top_next_touchpoints_per_step():
    ev = log(FUNNEL_LOG)
    drops = funnel_dropoffs(ev, steps=["Web", "Cart", "Pay"], top=1)
    # of Web's two drop-outs, d left (exit) and c went to Pay: a tie, broken by name; none left Cart
    assert drops[["step", "next_touchpoint", "n_journeys", "pct"]].values.tolist() == [["Web", "(exit)", 1, 50.0]]
    with pytest.raises(CJMConfigError, match=r"funnel_dropoffs\(\): `top` must be a whole number of at least 1, got 0"):
        funnel_dropoffs(ev, steps=["Web", "Cart"], top=0)


def test_the_same_funnel_from_files_and_in_parts(tmp_path, monkeypatch):
    """Parquet, CSV, and DuckDB run in customer buckets (as under a memory limit) give the DataFrame's funnel."""
    from cjm_lab.journeys import _parts

    ev = log(FUNNEL_LOG)
    ev.to_parquet(tmp_path / "events.parquet")
    ev.to_csv(tmp_path / "events.csv", index=False)
    calls = [
        lambda e: funnel(e, steps=["Web", "Cart", "Pay"], window="1D", exclude=["Return"]),
        lambda e: funnel(e, steps=["Web", ["Help", "Chat"], "Cart", "Pay"], optional=["Help / Chat"]),
        lambda e: funnel(e, steps=["Web", "Cart", "Pay"], mode="any", engine=Engine(threads=1)),
        lambda e: funnel_dropoffs(e, steps=["Web", "Cart", "Pay"]),
    ]
    expected = [call(ev) for call in calls]
    for src in (str(tmp_path / "events.parquet"), str(tmp_path / "events.csv")):
        for call, want in zip(calls, expected, strict=True):
            pd.testing.assert_frame_equal(call(src), want)
    monkeypatch.setattr(_parts, "analysis_parts", lambda source, sorts=False: 3)
    for call, want in zip(calls, expected, strict=True):
        pd.testing.assert_frame_equal(call(ev), want)


def test_stage_funnel_counts_journeys_that_reach_each_stage():
    from cjm_lab.io import load_touchpoints

    cat = load_touchpoints(
        pd.DataFrame(
            {
                "touchpoint": ["Web", "Help", "Cart", "Return", "Pay"],
                "stage": ["research", "experience", "purchase", "experience", "purchase"],
            }
        )
    )
    out = funnel(log(FUNNEL_LOG), steps=["research", "purchase"], level="stage", touchpoints=cat)
    # every journey starts on the Web (research); all but d reach a purchase touchpoint afterwards
    assert out["n_reached"].tolist() == [5, 4]
