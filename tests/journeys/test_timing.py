"""Time to convert: Kaplan–Meier steps by hand, censoring (not dropping) non-converters, start
touchpoints, horizons, segments, and the converted share planted in the sample."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.journeys import SurvivalResult
from cjm_lab.journeys.timing import time_to_convert

Z = 1.959963984540054


def log(journeys: dict[str, list[tuple[float, str]]], **extra) -> pd.DataFrame:
    """Events as (day, touchpoint) per customer."""
    rows = [(cid, day, tp) for cid, events in journeys.items() for day, tp in events]
    frame = pd.DataFrame(rows, columns=["customer_id", "day", "touchpoint"])
    frame["timestamp"] = pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta(frame.pop("day"), unit="D")
    frame["sequence"] = np.arange(len(frame))
    for name, values in extra.items():
        frame[name] = frame["customer_id"].map(values)
    return frame


#: c1, c2 and c4 buy after 1, 2 and 3 days; c3 and c5 have not bought yet (last seen on days 2 and 4).
FIVE = {
    "c1": [(0, "Ad"), (1, "Buy")],
    "c2": [(0, "Ad"), (2, "Buy")],
    "c3": [(0, "Ad"), (2, "Web")],
    "c4": [(0, "Ad"), (3, "Buy")],
    "c5": [(0, "Ad"), (4, "Web")],
}


def test_product_limit_steps_by_hand():
    res = time_to_convert(log(FIVE), outcome=["Buy"], censor_at="last_event")
    assert isinstance(res, SurvivalResult)
    curve = res.curve
    # day 0: 5 at risk, nobody converts          S = 1
    # day 1: 5 at risk, c1 converts              S = 1 * (1 - 1/5) = 0.8
    # day 2: 4 at risk, c2 converts, c3 censored S = 0.8 * (1 - 1/4) = 0.6
    # day 3: 2 at risk, c4 converts              S = 0.6 * (1 - 1/2) = 0.3
    # day 4: 1 at risk, c5 censored              S = 0.3
    assert curve["days"].tolist() == [0, 1, 2, 3, 4]
    assert curve["n_at_risk"].tolist() == [5, 5, 4, 2, 1]
    assert curve["n_converted"].tolist() == [0, 1, 1, 1, 0]
    assert curve["n_censored"].tolist() == [0, 0, 1, 0, 1]
    np.testing.assert_allclose(curve["cum_conversion"], [0, 0.2, 0.4, 0.7, 0.7])
    # Greenwood at day 3: sum d / (n (n - d)) = 1/(5*4) + 1/(4*3) + 1/(2*1); log(-log) interval of S
    gw = 1 / 20 + 1 / 12 + 1 / 2
    s = 0.3
    se_ll = math.sqrt(gw) / abs(math.log(s))
    lo_s, hi_s = s ** math.exp(Z * se_ll), s ** math.exp(-Z * se_ll)
    row = curve.iloc[3]
    assert row["ci_low"] == pytest.approx(1 - hi_s) and row["ci_high"] == pytest.approx(1 - lo_s)
    assert row["ci_low"] < 0.7 < row["ci_high"]
    summary = res.summary.iloc[0]
    assert summary[["n_journeys", "n_converted", "n_censored", "n_without_start"]].tolist() == [5, 3, 2, 0]
    assert summary["median_days"] == 3.0
    assert summary["pct_within_1d"] == pytest.approx(20) and summary["pct_within_30d"] != summary["pct_within_30d"]


def test_censoring_is_not_dropping():
    res = time_to_convert(log(FIVE), outcome=["Buy"], censor_at="last_event")
    km = res.curve.set_index("days")["cum_conversion"]
    # naive 1: drop the non-converters -> all converted by day 3, median 2 days
    converters = np.array([1, 2, 3])
    assert (converters <= 3).mean() == 1.0 and np.median(converters) == 2
    # naive 2: count them as never converting -> 3 of 5 by day 3
    assert (converters <= 3).sum() / 5 == 0.6
    # Kaplan–Meier: c3 was only followed until day 2, so it counts as at risk until then, not after
    assert km[3] == pytest.approx(0.7)
    assert res.summary.loc[0, "median_days"] == 3.0


def test_censor_at_data_end():
    # the log ends on day 4: c3 has not bought by then, so it is at risk until day 4
    # day 1: 5 at risk -> 0.8; day 2: 4 at risk -> 0.6; day 3: 3 at risk -> 0.4; day 4: c3 and c5 censored
    res = time_to_convert(log(FIVE), outcome=["Buy"])
    curve = res.curve
    assert curve["days"].tolist() == [0, 1, 2, 3, 4]
    assert curve["n_at_risk"].tolist() == [5, 5, 4, 3, 2]
    assert curve["n_censored"].tolist() == [0, 0, 0, 0, 2]
    np.testing.assert_allclose(curve["cum_conversion"], [0, 0.2, 0.4, 0.6, 0.6])


def test_start_touchpoint_and_conversions_before_it():
    ev = log(
        {
            "j1": [(0, "Web"), (1, "Cart"), (3, "Buy")],  # from Cart: 2 days
            "j2": [(0, "Buy"), (2, "Cart"), (5, "Buy")],  # the Buy before Cart does not count: 3 days
            "j3": [(0, "Web")],  # never in Cart: left out, counted
            "j4": [(0, "Cart"), (1, "Web")],  # not converted: censored after 1 day
        }
    )
    res = time_to_convert(ev, outcome=["Buy"], start="Cart", censor_at="last_event")
    # day 1: 3 at risk, j4 censored -> S = 1; day 2: 2 at risk, j1 -> 0.5; day 3: 1 at risk, j2 -> 0
    curve = res.curve
    assert curve["days"].tolist() == [0, 1, 2, 3]
    assert curve["n_at_risk"].tolist() == [3, 3, 2, 1]
    np.testing.assert_allclose(curve["cum_conversion"], [0, 0, 0.5, 1.0])
    assert np.isnan(curve["ci_low"].iloc[-1])  # everyone at risk converted: no interval
    summary = res.summary.iloc[0]
    assert summary[["n_journeys", "n_converted", "n_censored", "n_without_start"]].tolist() == [3, 2, 1, 1]
    assert summary["median_days"] == 2.0
    assert summary["pct_within_30d"] == 100.0  # beyond the follow-up, but everyone has converted


def test_conversion_at_the_first_event_and_the_catalogue():
    ev = log({"a": [(0, "Buy")], "b": [(0, "Ad"), (1, "Buy")], "c": [(0, "Ad"), (2, "Ad")]})
    cat = pd.DataFrame({"touchpoint": ["Ad", "Buy"], "stage": ["research", "purchase"], "is_conversion": [False, True]})
    res = time_to_convert(ev, touchpoints=cat)
    # day 0: a converts at once (3 at risk) -> 1/3
    assert res.curve["days"].iloc[0] == 0 and res.curve["n_converted"].iloc[0] == 1
    np.testing.assert_allclose(res.curve["cum_conversion"], [1 / 3, 2 / 3, 2 / 3])
    pd.testing.assert_frame_equal(res.curve, time_to_convert(ev, outcome=["Buy"]).curve)


def test_horizon_censors_later_conversions():
    res = time_to_convert(log(FIVE), outcome=["Buy"], censor_at="last_event", horizon="2.5D")
    curve = res.curve
    # c4 (day 3) and c5 (day 4) are followed for 2.5 days only
    assert curve["days"].tolist() == [0, 1, 2, 2.5]
    assert curve["n_censored"].tolist() == [0, 0, 1, 2]
    np.testing.assert_allclose(curve["cum_conversion"], [0, 0.2, 0.4, 0.4])
    summary = res.summary.iloc[0]
    assert summary["n_converted"] == 2 and summary["n_censored"] == 3
    assert np.isnan(summary["median_days"]) and np.isnan(summary["pct_within_7d"])


def test_segments_get_their_own_curves():
    ev = log(FIVE, region={"c1": "N", "c2": "N", "c3": "N", "c4": "S", "c5": "S"})
    res = time_to_convert(ev, outcome=["Buy"], by="region", censor_at="last_event", within=[2])
    north = res.curve[res.curve["region"] == "N"]
    south = res.curve[res.curve["region"] == "S"]
    # N: day 1: 3 at risk -> 2/3; day 2: 2 at risk, one converts, one censored -> 1/3
    np.testing.assert_allclose(north["cum_conversion"], [0, 1 / 3, 2 / 3])
    # S: day 3: 2 at risk -> 1/2; day 4: censored
    np.testing.assert_allclose(south["cum_conversion"], [0, 0.5, 0.5])
    summary = res.summary.set_index("region")
    assert summary.loc["N", "pct_within_2d"] == pytest.approx(200 / 3)
    assert summary.loc["S", "pct_within_2d"] == 0
    assert summary.loc["S", "median_days"] == 3.0
    assert list(res.summary.columns[:2]) == ["region", "n_journeys"]


def test_sample_recovers_the_planted_converted_share(sample_of):
    data = sample_of(3000, seed=1)  # the journey suites' facts were verified on seed 1
    res = time_to_convert(data.events, touchpoints=data.touchpoints)
    summary = res.summary.iloc[0]
    share = data.truth["journeys"]["converted_share"]
    assert summary["n_journeys"] == 3000
    assert summary["pct_within_30d"] / 100 == pytest.approx(share, abs=0.03)
    assert summary["pct_within_30d"] / 100 >= summary["n_converted"] / 3000 - 1e-9
    assert summary["median_ci_low"] <= summary["median_days"] <= summary["median_ci_high"]
    # censoring quiet customers at their last event treats them like active ones: far too high
    early = time_to_convert(data.events, touchpoints=data.touchpoints, censor_at="last_event").summary.iloc[0]
    assert early["pct_within_30d"] > 90


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "kwargs,error,message",
    [
        (
            {"censor_at": "end"},
            CJMConfigError,
            "`censor_at` must be 'data_end' (followed to the end of the data) or 'last_event'",
        ),
        ({"confidence": 95}, CJMConfigError, "`confidence` must be a number strictly between 0 and 1"),
        ({"horizon": "soon"}, CJMConfigError, "`horizon` must be a duration such as '7D'"),
        ({"horizon": -3}, CJMConfigError, "`horizon` must be positive"),
        ({"within": [0]}, CJMConfigError, "`within` must list positive numbers of days"),
        (
            {"start": "web"},
            CJMDataError,
            "the start touchpoint 'web' does not occur in the events. Did you mean 'Web'?",
        ),
        (
            {"outcome": []},
            CJMConfigError,
            "time_to_convert(): `outcome` must be a touchpoint name or a list of touchpoint names",
        ),
        ({"journy": "session"}, CJMConfigError, "unknown option(s) 'journy'"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    kwargs = {"outcome": ["Buy"], **kwargs}
    with pytest.raises(error) as err:
        time_to_convert(log(FIVE), **kwargs)
    assert message in str(err.value)


def test_conversions_must_be_known():
    with pytest.raises(CJMConfigError) as err:
        time_to_convert(log(FIVE))
    assert "needs to know the conversions: pass `outcome=[...]`" in str(err.value)


def test_bad_segment_names_the_column():
    with pytest.raises(CJMDataError) as err:
        time_to_convert(log(FIVE, region=dict.fromkeys(FIVE, "N")), outcome=["Buy"], by="regio")
    assert "Could not interpret value 'regio' for `by` in time_to_convert()" in str(err.value)
