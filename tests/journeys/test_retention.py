"""Loyalty and retention: cohort curves, Kaplan–Meier, Aalen–Johansen, by hand and on real logs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.io import load_events
from cjm_lab.journeys.retention import (
    SurvivalResult,
    cumulative_incidence,
    kaplan_meier,
    retention,
    time_to_outcome,
    time_to_repeat,
)

ROOT = Path(__file__).resolve().parents[2]
BPIC = ROOT / "data" / "real" / "bpic2012_loan_journeys.csv.gz"


def events(rows: list[tuple[str, str, str]], **extra) -> pd.DataFrame:
    """Events from (customer, date, touchpoint) rows."""
    ev = pd.DataFrame(rows, columns=["customer_id", "timestamp", "touchpoint"])
    ev["timestamp"] = pd.to_datetime(ev["timestamp"], utc=True)
    ev["sequence"] = np.arange(len(ev))
    for col, value in extra.items():
        ev[col] = value
    return ev


# --------------------------------------------------------------------------- Kaplan–Meier
def test_kaplan_meier_by_hand():
    # durations 1, 2, 2+, 3, 4+, 5 ("+" = censored)
    # t=1: n=6, d=1 -> S = 5/6                      Greenwood sum 1/(6*5) = 1/30
    # t=2: n=5, d=1, one censored -> S = 5/6*4/5 = 2/3      sum + 1/(5*4) = 1/12
    # t=3: n=3, d=1 -> S = 2/3*2/3 = 4/9             sum + 1/(3*2) = 1/4
    # t=4: n=2, d=0, one censored -> S stays 4/9
    # t=5: n=1, d=1 -> S = 0
    # var S(2) = (2/3)^2 * 1/12 = 1/27;  var S(3) = (4/9)^2 * 1/4 = 4/81
    km = kaplan_meier([1, 2, 2, 3, 4, 5], [True, True, False, True, False, True])
    assert km["time"].tolist() == [1, 2, 3, 4, 5]
    assert km["n_at_risk"].tolist() == [6, 5, 3, 2, 1]
    assert km["n_events"].tolist() == [1, 1, 1, 0, 1]
    assert km["n_censored"].tolist() == [0, 1, 0, 1, 0]
    assert km["survival"].tolist() == pytest.approx([5 / 6, 2 / 3, 4 / 9, 4 / 9, 0])
    assert km["se"].iloc[1] == pytest.approx(np.sqrt(1 / 27))
    assert km["se"].iloc[2] == pytest.approx(2 / 9)
    # log(-log) interval: S^exp(±z se/(S |log S|)); contains S and stays in (0, 1)
    s, se = 2 / 3, np.sqrt(1 / 12) / abs(np.log(2 / 3))
    assert km["ci_low"].iloc[1] == pytest.approx(s ** np.exp(1.959964 * se), rel=1e-5)
    assert km["ci_high"].iloc[1] == pytest.approx(s ** np.exp(-1.959964 * se), rel=1e-5)
    assert np.isnan(km["ci_low"].iloc[-1])  # the curve is at 0: no interval
    assert (km["n_missing"] == 0).all()


def test_kaplan_meier_groups_and_missing():
    km = kaplan_meier(pd.Series([1, 2, np.nan, 1]), [1, 0, 1, 1], groups=pd.Series(["a", "a", "a", "b"], name="g"))
    assert km.columns[0] == "g"
    assert km[km["g"] == "a"]["survival"].tolist() == pytest.approx([0.5, 0.5])
    assert km[km["g"] == "b"]["survival"].tolist() == [0.0]
    assert km.set_index("g")["n_missing"].groupby(level=0).first().to_dict() == {"a": 1, "b": 0}


# --------------------------------------------------------------------------- Aalen–Johansen
def test_cumulative_incidence_by_hand():
    # durations/outcomes: 1 X, 2 censored, 3 Y, 4 X, 5 censored, 6 Y
    # t=1: n=6, S(t-)=1:     F_X = 1/6;                 S = 5/6
    # t=3: n=4, S(t-)=5/6:   F_Y = 5/6 * 1/4 = 5/24;    S = 5/6 * 3/4 = 5/8
    # t=4: n=3, S(t-)=5/8:   F_X = 1/6 + 5/8 * 1/3 = 3/8;  S = 5/8 * 2/3 = 5/12
    # t=6: n=1, S(t-)=5/12:  F_Y = 5/24 + 5/12 = 5/8;    S = 0
    ci = cumulative_incidence([1, 2, 3, 4, 5, 6], ["X", None, "Y", "X", np.nan, "Y"])
    x = ci[ci["outcome"] == "X"]
    y = ci[ci["outcome"] == "Y"]
    assert x["time"].tolist() == [1, 3, 4, 6]
    assert x["incidence"].tolist() == pytest.approx([1 / 6, 1 / 6, 3 / 8, 3 / 8])
    assert y["incidence"].tolist() == pytest.approx([0, 5 / 24, 5 / 24, 5 / 8])
    assert x["n_at_risk"].tolist() == [6, 4, 3, 1]
    assert x["n_events"].tolist() == [1, 0, 1, 0]
    # 1 - KM treating Y as censored overstates X: 1 - 5/6 * 2/3 = 4/9 > 3/8
    km_x = kaplan_meier([1, 2, 3, 4, 5, 6], [1, 0, 0, 1, 0, 0])
    assert 1 - km_x["survival"].iloc[-1] == pytest.approx(4 / 9)


def test_incidences_sum_to_one_minus_kaplan_meier_of_any_outcome():
    rng = np.random.default_rng(5)
    n = 300
    t = np.round(rng.exponential(10, n), 1)  # ties included
    outcome = rng.choice(["approved", "declined", "cancelled", None], n, p=[0.3, 0.4, 0.2, 0.1])
    ci = cumulative_incidence(t, outcome)
    total = ci.groupby("time")["incidence"].sum()
    km = kaplan_meier(t, pd.Series(outcome).notna()).set_index("time")["survival"]
    assert total.to_numpy() == pytest.approx(1 - km.loc[total.index].to_numpy(), abs=1e-12)
    # without censoring the incidence is the empirical share and its delta-method variance the binomial one
    seen = pd.Series(outcome).notna().to_numpy()
    t2, o2 = t[seen], outcome[seen]
    full = cumulative_incidence(t2, o2)
    for kind, g in full.groupby("outcome"):
        assert g["incidence"].iloc[-1] == pytest.approx(np.mean(o2 == kind))
        f = g["incidence"].to_numpy()
        assert g["se"].to_numpy() == pytest.approx(np.sqrt(f * (1 - f) / len(t2)), abs=1e-12)
        assert ((g["ci_low"] <= g["incidence"] + 1e-12) & (g["incidence"] <= g["ci_high"] + 1e-12)).all()
    # one outcome with censoring: the incidence is 1 - KM and its variance Greenwood's
    single = cumulative_incidence(t, np.where(pd.Series(outcome).notna(), "any", None))
    km_full = kaplan_meier(t, pd.Series(outcome).notna())
    km_full = km_full[km_full["n_events"] > 0]
    assert single["incidence"].to_numpy() == pytest.approx(1 - km_full["survival"].to_numpy(), abs=1e-12)
    assert single["se"].to_numpy()[:-1] == pytest.approx(km_full["se"].to_numpy()[:-1], abs=1e-12)


def test_cumulative_incidence_groups():
    ci = cumulative_incidence(
        [1, 2, 1, 3], ["a", "b", "a", None], groups=pd.Series(["g1", "g1", "g2", "g2"], name="branch")
    )
    assert ci.columns[:2].tolist() == ["branch", "outcome"]
    final = ci.groupby(["branch", "outcome"])["incidence"].last()
    assert final.to_dict() == pytest.approx({("g1", "a"): 0.5, ("g1", "b"): 0.5, ("g2", "a"): 0.5, ("g2", "b"): 0.0})


def test_time_to_outcome_from_the_log():
    ev = events(
        [
            ("a", "2025-01-01", "Apply"),
            ("a", "2025-01-03", "Approved"),
            ("a", "2025-01-04", "Declined"),
            ("b", "2025-01-01", "Visit"),
            ("b", "2025-01-02", "Apply"),
            ("b", "2025-01-06", "Call"),
            ("c", "2025-01-01", "Visit"),
        ],
        branch=["n", "n", "n", "s", "s", "s", "s"],
    )
    tt = time_to_outcome(ev, outcome=["Approved", "Declined"], by="branch")
    assert tt.columns.tolist() == ["journey_id", "customer_id", "branch", "outcome", "duration_days"]
    assert tt["outcome"].tolist()[0] == "Approved"  # the first outcome counts
    assert tt["outcome"].isna().tolist() == [False, True, True]
    assert tt["duration_days"].tolist() == pytest.approx([2, 5, 0])
    started = time_to_outcome(ev, outcome=["Approved", "Declined"], start="Apply")
    assert started["duration_days"].tolist()[:2] == pytest.approx([2, 4])
    assert np.isnan(started["duration_days"].iloc[2])  # c never applied
    ci = cumulative_incidence(started["duration_days"], started["outcome"])
    assert ci["n_missing"].unique().tolist() == [1]
    assert ci.loc[ci["outcome"] == "Approved", "incidence"].iloc[-1] == pytest.approx(0.5)


@pytest.mark.real_data
def test_bpic_competing_outcomes():
    from cjm_lab.io import load_events

    ev = load_events(
        BPIC, columns={"case:concept:name": "customer_id", "time:timestamp": "timestamp", "concept:name": "touchpoint"}
    )
    kinds = ["A_APPROVED", "A_DECLINED", "A_CANCELLED"]
    tt = time_to_outcome(ev, outcome=kinds)
    assert len(tt) == 13_087
    counts = tt["outcome"].value_counts()
    assert counts.to_dict() == {"A_DECLINED": 7635, "A_CANCELLED": 2807, "A_APPROVED": 2246}
    assert tt["outcome"].isna().sum() == 399
    ci = cumulative_incidence(tt["duration_days"], tt["outcome"])
    final = ci.groupby("outcome")["incidence"].last()
    # The 399 open applications are censored early (median 16 days, at most 67) while outcomes happen up
    # to 91 days: Aalen–Johansen hands their share to the outcomes that happen later, so the final
    # incidences x 13,087 exceed the raw counts (most for the slow outcomes) and add up to all journeys.
    expected = {"A_APPROVED": 2374.4, "A_CANCELLED": 3030.2, "A_DECLINED": 7682.5}
    assert (final * 13_087).to_dict() == pytest.approx(expected, abs=0.1)
    assert final.sum() == pytest.approx(1.0)
    assert ((final * 13_087) >= counts.reindex(final.index)).all()
    # When nothing is censored before an outcome (the open ones censored after the last outcome),
    # the incidences are exactly the outcome counts over all journeys.
    late = tt["duration_days"].where(tt["outcome"].notna(), tt["duration_days"].max() + 1)
    exact = cumulative_incidence(late, tt["outcome"]).groupby("outcome")["incidence"].last() * 13_087
    assert exact.to_dict() == pytest.approx({"A_APPROVED": 2246, "A_CANCELLED": 2807, "A_DECLINED": 7635})
    assert (ci["ci_low"] <= ci["incidence"] + 1e-12).all() and (ci["incidence"] <= ci["ci_high"] + 1e-12).all()


# --------------------------------------------------------------------------- retention
HAND = [
    # cohort 2025-01: a buys again in Feb and Mar; b never again; c again later in January only
    ("a", "2025-01-05", "Buy"),
    ("a", "2025-02-10", "Buy"),
    ("a", "2025-03-15", "Buy"),
    ("b", "2025-01-20", "Buy"),
    ("b", "2025-02-01", "Visit"),
    ("c", "2025-01-02", "Buy"),
    ("c", "2025-01-25", "Buy"),
    # cohort 2025-02: d buys again in March; e visits in April (the log ends 2025-04-01)
    ("d", "2025-02-03", "Buy"),
    ("d", "2025-03-03", "Buy"),
    ("e", "2025-02-20", "Buy"),
    ("e", "2025-04-01", "Visit"),
    # never buys: not in any cohort
    ("f", "2025-01-10", "Visit"),
]


def test_retention_by_hand_with_right_censoring():
    table = retention(events(HAND), outcome=["Buy"], periods=3)
    t = table.set_index(["cohort", "period"])
    # the data end at 2025-04-01: January is observable for periods 1 (Feb) and 2 (Mar), not 3 (Apr);
    # February only for period 1 (Mar).  Unobservable periods are absent, not zero.
    assert table[["cohort", "period"]].values.tolist() == [
        ["2025-01", 1],
        ["2025-01", 2],
        ["2025-02", 1],
        ["(all)", 1],
        ["(all)", 2],
    ]
    assert t.loc[("2025-01", 1), ["n_customers", "n_active"]].tolist() == [3, 1]  # a in February
    assert t.loc[("2025-01", 2), "n_active"] == 1  # a in March
    assert t.loc[("2025-02", 1), ["n_customers", "n_active"]].tolist() == [2, 1]  # d in March
    assert t.loc[("(all)", 1), ["n_customers", "n_active"]].tolist() == [5, 2]
    assert t.loc[("(all)", 2), ["n_customers", "n_active"]].tolist() == [3, 1]
    assert t.loc[("(all)", 1), "retention"] == pytest.approx(40)
    # repeat purchase by the end of the period: c's second purchase (in January) counts from period 1
    assert t.loc[("2025-01", 1), "n_repeated"] == 2
    assert t.loc[("2025-01", 1), "repeat_rate"] == pytest.approx(200 / 3)
    # Wilson interval of 2/5 (z = 1.96): 11.76 % to 76.93 %
    assert t.loc[("(all)", 1), ["ci_low", "ci_high"]].tolist() == pytest.approx([11.76, 76.93], abs=0.01)
    # any event counts as a return: b visits in February, e in April (only observable with a later end)
    returns = retention(events(HAND), outcome=["Buy"], periods=3, activity="any", end="2025-05-01")
    r = returns.set_index(["cohort", "period"])
    assert r.loc[("2025-01", 1), "n_active"] == 2
    assert r.loc[("2025-02", 2), "n_active"] == 1
    assert ("2025-01", 3) in r.index and ("2025-02", 3) not in r.index
    # a named touchpoint as activity
    visits = retention(events(HAND), outcome=["Buy"], periods=1, activity=["Visit"]).set_index("cohort")
    assert visits.loc["2025-01", "n_active"] == 1


def test_retention_weeks_quarters_and_end():
    weekly = retention(events(HAND), outcome=["Buy"], cohort="W", periods=2)
    assert weekly["cohort"].iloc[0] == "2024-12-30"  # the Monday of the week of 2025-01-02
    quarterly = retention(events(HAND), outcome=["Buy"], cohort="Q", periods=1, end="2025-07-01")
    q = quarterly.set_index("cohort")
    assert q.loc["2025-Q1", ["n_customers", "n_active"]].tolist() == [5, 0]  # April is the next quarter
    early = retention(events(HAND), outcome=["Buy"], periods=1, end="2025-03-01")
    assert early["cohort"].tolist() == ["2025-01", "(all)"]
    assert early["n_customers"].tolist() == [3, 3]  # d and e were acquired in February: still counted, not observable


def test_retention_by_segment_and_by_persona_table():
    ev = events(HAND, region=["n", "n", "n", "s", "s", "n", "n", "s", "s", "s", "s", "n"])
    seg = retention(ev, outcome=["Buy"], periods=1, by="region")
    pooled = seg[seg["cohort"] == "(all)"].set_index("region")
    assert pooled.loc["n", ["n_customers", "n_active"]].tolist() == [2, 1]
    assert pooled.loc["s", ["n_customers", "n_active"]].tolist() == [3, 1]
    personas = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "persona": ["x", "x", "y", "y"]})
    per = retention(ev, outcome=["Buy"], periods=1, by="persona", customers=personas)
    pooled = per[per["cohort"] == "(all)"].set_index("persona", drop=False)
    assert pooled.loc["x", "n_customers"] == 2 and pooled.loc["y", "n_customers"] == 2
    assert pooled["persona"].isna().sum() == 1  # e is not in the persona table: a segment of its own


def test_time_to_repeat_by_hand():
    res = time_to_repeat(events(HAND), outcome=["Buy"], within=[10, 30, 60])
    assert isinstance(res, SurvivalResult)
    # first to second purchase: a 36 days, c 23, d 28; censored at 2025-04-01: b 71, e 40
    curve = res.curve
    assert curve["days"].tolist() == pytest.approx([23, 28, 36, 40, 71])
    assert curve["n_repeated"].tolist() == [1, 1, 1, 0, 0]
    # S: 4/5, 4/5*3/4 = 3/5, 3/5*2/3 = 2/5 (median 36 days), then censorings
    assert curve["survival"].tolist() == pytest.approx([0.8, 0.6, 0.4, 0.4, 0.4])
    s = res.summary.iloc[0]
    assert (s["n_customers"], s["n_repeated"], s["n_censored"]) == (5, 3, 2)
    assert s["median_days"] == pytest.approx(36)
    assert s[["pct_within_10d", "pct_within_30d", "pct_within_60d"]].tolist() == pytest.approx([0, 40, 60])
    beyond = time_to_repeat(events(HAND), outcome=["Buy"], within=[100]).summary
    assert np.isnan(beyond["pct_within_100d"].iloc[0])  # longer than any follow-up


def test_sample_repeat_purchases(sample_of):
    data = sample_of(3000, seed=1)  # the journey suites' facts were verified on seed 1
    table = retention(data.events, touchpoints=data.touchpoints, by="persona", customers=data.personas, periods=6)
    pooled = table[table["cohort"] == "(all)"]
    assert set(pooled["persona"]) == set(data.personas["persona"])
    assert pooled["repeat_rate"].between(0, 100).all() and (pooled["repeat_rate"] > 0).all()
    assert pooled["retention"].between(0, 100).all()
    assert ((pooled["ci_low"] <= pooled["retention"]) & (pooled["retention"] <= pooled["ci_high"])).all()
    # the repeat rate by the end of period p never falls within a cohort
    cohorts = table[table["cohort"] != "(all)"]
    assert (cohorts.groupby(["persona", "cohort"])["n_repeated"].diff().dropna() >= 0).all()
    res = time_to_repeat(data.events, touchpoints=data.touchpoints, by="persona", customers=data.personas)
    share = res.summary.set_index("persona")[["pct_within_30d", "pct_within_90d", "pct_within_180d"]] / 100
    assert ((share > 0) & (share < 1)).all().all()
    assert (share.diff(axis=1).dropna(axis=1) >= 0).all().all()
    assert res.curve["survival"].between(0, 1).all()
    # the Kaplan-Meier share by 180 days is at least the naive share among all customers
    naive = res.summary.set_index("persona")
    assert (share["pct_within_180d"] >= naive["n_repeated"] / naive["n_customers"] - 1e-9).all()


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"cohort": "D"},
            CJMConfigError,
            "`cohort` must be 'M' (calendar months), 'W' (ISO weeks) or 'Q' (quarters), got 'D'",
        ),
        ({"periods": 0}, CJMConfigError, "`periods` must be a whole number of at least 1, got 0"),
        ({"confidence": 95}, CJMConfigError, "`confidence` must be a number strictly between 0 and 1"),
        ({"activity": 3}, CJMConfigError, "`activity` must list touchpoint names"),
        (
            {"outcome": []},
            CJMConfigError,
            "retention(): `outcome` must be a touchpoint name or a list of touchpoint names",
        ),
        ({"outcome": ["Order"]}, CJMDataError, "no purchase events ('Order') in the log"),
        ({"until_conversion": True}, CJMConfigError, "follows customers past their first purchase"),
        ({"end": "someday"}, CJMConfigError, "`end` must be a date"),
        ({"by": "regio"}, CJMDataError, "Could not interpret value 'regio' for `by` in retention()"),
        (
            {"customers": pd.DataFrame({"customer_id": ["a"], "persona": ["x"]})},
            CJMConfigError,
            "`customers=` is used for `by`",
        ),
        (
            {"customers": pd.DataFrame({"customer_id": ["a", "a"], "persona": ["x", "y"]}), "by": "persona"},
            CJMDataError,
            "1 duplicate value(s) in 'customer_id'",
        ),
        (
            {"customers": pd.DataFrame({"id": ["a"], "persona": ["x"]}), "by": "persona"},
            CJMDataError,
            "Could not interpret value 'customer_id' for `customers`",
        ),
    ],
)
def test_retention_errors(kwargs, error, message):
    with pytest.raises(error) as info:
        retention(events(HAND, region="n"), **{"outcome": ["Buy"], **kwargs})
    assert message in str(info.value)


def test_default_purchases_and_time_to_repeat_errors():
    ev = events([("a", "2025-01-01", "Order confirmation"), ("a", "2025-02-01", "Repeat purchase")])
    assert retention(ev, periods=1, end="2025-03-01")["n_active"].tolist() == [1, 1]
    assert retention(ev, periods=1).empty  # February is not complete: nothing is observable yet
    with pytest.raises(CJMDataError, match="no purchase events \\('Order confirmation', 'Repeat purchase'\\)"):
        time_to_repeat(events(HAND))
    with pytest.raises(CJMConfigError, match="`within` must list positive numbers of days"):
        time_to_repeat(events(HAND), outcome=["Buy"], within=[0])
    with pytest.raises(
        CJMConfigError, match=r"time_to_outcome\(\): `outcome` must be a touchpoint name or a list of touchpoint names"
    ):
        time_to_outcome(events(HAND), outcome="")


def test_estimator_input_errors():
    with pytest.raises(CJMDataError, match="lie below 0"):
        kaplan_meier([1, -2], [1, 1])
    with pytest.raises(CJMDataError, match="are text, not numbers"):
        kaplan_meier(["1", "soon"], [1, 1])
    with pytest.raises(CJMDataError, match="`observed` has 1 values for 2 durations"):
        kaplan_meier([1, 2], [1])
    with pytest.raises(CJMDataError, match="`observed` must be True/False"):
        kaplan_meier([1, 2], [1, "yes"])
    with pytest.raises(CJMConfigError, match="`durations` must be a list"):
        kaplan_meier("12", [1])
    with pytest.raises(CJMDataError, match="no outcome is observed"):
        cumulative_incidence([1, 2], [None, None])
    with pytest.raises(CJMDataError, match="`groups` has 1 values for 2 durations"):
        cumulative_incidence([1, 2], ["a", "b"], groups=["x"])
    with pytest.raises(CJMDataError, match="`outcome` has 3 values for 2 durations"):
        cumulative_incidence([1, 2], ["a", "b", "c"])


def test_the_last_complete_period_is_kept():
    """A log whose last event is on the last day of a month covers that month (the day counts whole)."""
    from cjm_lab.journeys import retention as _retention

    ev = load_events(
        pd.DataFrame(
            {
                "customer_id": ["a", "a", "b", "b", "c"],
                "timestamp": [
                    "2025-01-10 10:00",
                    "2025-02-05 10:00",
                    "2025-01-20 10:00",
                    "2025-03-02 09:00",
                    "2025-03-31 18:00",
                ],
                "touchpoint": ["Buy", "Buy", "Buy", "Buy", "Visit"],
            }
        )
    )
    r = _retention(ev, outcome=["Buy"], periods=3)
    january = r[r["cohort"] == "2025-01"].set_index("period")
    # data end: 31 March 18:00, so March (period 2 of the January cohort) is complete; April is not
    assert january.index.tolist() == [1, 2]
    assert january.loc[2, "n_active"] == 1  # b bought again in March
    early = _retention(ev, outcome=["Buy"], periods=3, end="2025-03-30")
    assert early[early["cohort"] == "2025-01"]["period"].tolist() == [1]  # March not reached
