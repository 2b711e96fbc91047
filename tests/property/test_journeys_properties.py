"""Properties of cjm_lab.journeys on random event logs: variant counts sum to the journeys,
transition probabilities per source sum to 1, funnel counts never rise; bad logs and options give
the project's error."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cjm_lab.errors import CJMError
from cjm_lab.io import load_events
from cjm_lab.journeys import (
    EXIT,
    START,
    build_journeys,
    funnel,
    path_lengths,
    path_parts,
    transitions,
    variants,
)

TOUCHPOINTS = ["Website", "Warenkorb", "Kasse", "Hotline", "Zustellung", "Bewertung ★", "スマホ", "Straße"]


@st.composite
def logs(draw, *, max_customers=8, max_events=40, segments=False, max_seconds=20 * 86400):
    n = draw(st.integers(1, max_events))
    n_cust = draw(st.integers(1, max_customers))
    tps = draw(st.lists(st.sampled_from(TOUCHPOINTS), min_size=1, max_size=len(TOUCHPOINTS), unique=True))
    seconds = draw(st.lists(st.integers(0, max_seconds), min_size=n, max_size=n))
    raw = pd.DataFrame(
        {
            "customer_id": [f"K{c}" for c in draw(st.lists(st.integers(0, n_cust - 1), min_size=n, max_size=n))],
            "timestamp": (pd.Timestamp("2025-10-20", tz="UTC") + pd.to_timedelta(seconds, unit="s")),
            "touchpoint": draw(st.lists(st.sampled_from(tps), min_size=n, max_size=n)),
        }
    )
    if draw(st.booleans()):  # exact duplicate rows, as exports often hold
        raw = pd.concat([raw, raw.sample(frac=0.3, random_state=0)], ignore_index=True)
    ev = load_events(raw)
    if segments:
        seg = {c: draw(st.sampled_from(["A", "B"])) for c in ev["customer_id"].unique()}
        ev["segment"] = ev["customer_id"].map(seg)
    return ev


def _n_journeys(ev: pd.DataFrame) -> int:
    return ev["customer_id"].nunique()


@given(logs(), st.one_of(st.none(), st.integers(1, 5)))
def test_variant_counts_sum_to_journeys(ev, top):
    out = variants(ev, top=top)
    assert out["n_journeys"].sum() == _n_journeys(ev)
    assert np.isclose(out["pct"].sum(), 100)
    assert out["cum_pct"].is_monotonic_increasing and np.isclose(out["cum_pct"].iloc[-1], 100)
    shown = out[out["path"] != "(other)"]
    assert shown["n_journeys"].is_monotonic_decreasing
    lengths = path_lengths(ev)
    assert lengths["n_journeys"].sum() == _n_journeys(ev)
    deduped = ev.drop_duplicates(["customer_id", "timestamp", "touchpoint"])
    assert (lengths["length"] * lengths["n_journeys"]).sum() == len(deduped)


@given(logs(segments=True))
def test_transition_probabilities_per_source_sum_to_one(ev):
    out = transitions(ev)
    sums = out.groupby("source")["probability"].sum()
    assert np.allclose(sums, 1)
    assert out.loc[out["source"] == START, "n"].sum() == _n_journeys(ev)
    assert out.loc[out["target"] == EXIT, "n"].sum() == _n_journeys(ev)
    deduped = ev.drop_duplicates(["customer_id", "timestamp", "touchpoint"])
    inner = out[(out["source"] != START) & (out["target"] != EXIT)]
    assert inner["n"].sum() == len(deduped) - _n_journeys(ev)  # directly-follows pairs = events - journeys
    timed = out.dropna(subset=["median_s", "p95_s"])
    assert (timed["median_s"] >= 0).all() and (timed["median_s"] <= timed["p95_s"]).all()
    by = transitions(ev, by="segment")
    assert np.allclose(by.groupby(["segment", "source"])["probability"].sum(), 1)


@given(logs(), st.data())
def test_funnel_counts_never_rise(ev, data):
    present = list(dict.fromkeys(ev["touchpoint"]))
    steps = data.draw(st.lists(st.sampled_from(TOUCHPOINTS), min_size=1, max_size=4))
    assume(steps[0] in present)
    mode = data.draw(st.sampled_from(["ordered", "strict", "any"]))
    window = data.draw(st.sampled_from([None, "1D", "7D"]))
    try:
        out = funnel(ev, steps=steps, mode=mode, window=window)
    except CJMError as err:  # e.g. a step the log never shows; must say so
        assert "step" in str(err).lower() or "touchpoint" in str(err).lower()
        return
    reached = out["n_reached"].to_numpy()
    assert (np.diff(reached) <= 0).all()
    assert reached[0] <= _n_journeys(ev)
    assert out["pct_of_start"].dropna().between(0, 100).all()  # NaN when no journey reached step 1
    ok = out["n_reached"] > 0
    assert ((out["ci_low"] <= out["pct_of_start"] + 1e-9) & (out["pct_of_start"] <= out["ci_high"] + 1e-9))[ok].all()
    assert (out["n_dropped"] >= 0).all()


def _greedy_funnel(journeys: pd.DataFrame, steps, mode, window, step_windows, optional):
    """Per journey and step, the time (s) of the event that reached it, by walking each journey."""
    out = []
    for _, grp in journeys.sort_values(["journey_id", "step"]).groupby("journey_id"):
        t = (grp["timestamp"] - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds().tolist()
        nodes = grp["touchpoint"].tolist()
        hits = [None] * len(steps)
        if mode == "ordered":
            pos, last = {}, 0
            for k, step in enumerate(steps):
                if k and last not in pos:
                    break
                after = pos[last] if k else -1
                for i in range(after + 1, len(nodes)):
                    if nodes[i] != step or (k and window and t[i] > t[pos[0]] + window):
                        continue
                    if k and step_windows[k] and t[i] > t[pos[last]] + step_windows[k]:
                        continue
                    pos[k] = i
                    break
                if k not in optional:
                    last = k
            hits = [t[pos[k]] if k in pos else None for k in range(len(steps))]
        else:  # any order: each step's first event, within the window from the first of them
            firsts = [i for i, node in enumerate(nodes) if node in steps]
            if firsts:
                t0 = t[firsts[0]]
                for k, step in enumerate(steps):
                    i = next((i for i, node in enumerate(nodes) if node == step), None)
                    if i is not None and (not window or t[i] <= t0 + window):
                        hits[k] = t[i]
        out.append(hits)
    return out


@given(st.one_of(logs(), logs(max_seconds=3)), st.data())
def test_funnel_matches_walking_each_journey(ev, data):
    """The SQL funnel (order keys, no sort) equals a walk through each sorted, de-duplicated
    journey: counts and the nearest-rank median of the times from the previous required step.
    Logs within 3 seconds make equal timestamps, and duplicates between other events, common."""
    present = list(dict.fromkeys(ev["touchpoint"]))
    steps = data.draw(st.lists(st.sampled_from(present), min_size=2, max_size=4))
    mode = data.draw(st.sampled_from(["ordered", "any"]))
    window = data.draw(st.sampled_from([None, 86400.0, 3 * 86400.0]))
    step_windows, optional = [None] * len(steps), set()
    if mode == "ordered":
        windows = st.sampled_from([None, 3600.0, 86400.0])
        step_windows = [None, *data.draw(st.lists(windows, min_size=len(steps) - 1, max_size=len(steps) - 1))]
        if len(steps) > 2 and data.draw(st.booleans()):
            optional = {1}
    out = funnel(ev, steps=steps, mode=mode, window=window, step_windows=step_windows, optional=sorted(optional))
    hits = _greedy_funnel(build_journeys(ev), steps, mode, window, step_windows, optional)
    started = [h for h in hits if (h[0] is not None if mode == "ordered" else any(x is not None for x in h))]
    required = [k for k in range(len(steps)) if k not in optional]
    for k in range(len(steps)):
        if mode == "ordered":
            reached = [h for h in started if h[k] is not None]
            prev = max([r for r in required if r < k], default=None)
            gaps = sorted(h[k] - h[prev] for h in reached) if prev is not None else []
        else:
            reached = [h for h in started if all(x is not None for x in h[: k + 1])]
            gaps = sorted(max(h[: k + 1]) - min(h[: k + 1]) for h in reached) if k else []
        assert out["n_reached"].iloc[k] == len(reached), (k, out)
        median = gaps[math.ceil(0.5 * len(gaps)) - 1] if gaps else None
        if median is None:
            assert np.isnan(out["median_time_s"].iloc[k])
        else:
            assert out["median_time_s"].iloc[k] == pytest.approx(median, abs=1e-6)


@given(logs())
def test_build_journeys_keeps_every_event_in_order(ev):
    j = build_journeys(ev, dedupe=False)
    assert len(j) == len(ev)
    for _, grp in j.groupby("journey_id"):
        assert grp["step"].tolist() == list(range(1, len(grp) + 1))
        assert grp["timestamp"].is_monotonic_increasing
    parts = path_parts(ev, n=2)
    assert parts.select_dtypes("number").ge(0).all().all()


@given(st.integers(1, 3))
def test_a_single_customer_with_ten_thousand_events(k):
    n = 10_000
    raw = pd.DataFrame(
        {
            "customer_id": ["K1"] * n,
            "timestamp": pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta(np.arange(n) * 60, unit="s"),
            "touchpoint": [TOUCHPOINTS[i % (k + 1)] for i in range(n)],
        }
    )
    ev = load_events(raw)
    out = variants(ev)
    assert out["n_journeys"].tolist() == [1] and out["length"].iloc[0] == n
    t = transitions(ev)
    assert t.loc[t["source"] == START, "n"].sum() == 1
    assert t[(t["source"] != START) & (t["target"] != EXIT)]["n"].sum() == n - 1
    f = funnel(ev, steps=[TOUCHPOINTS[0], TOUCHPOINTS[1]])
    assert f["n_reached"].tolist() == [1, 1]


# --- invalid input ----------------------------------------------------------------------------


@given(logs(max_events=10), st.sampled_from(["customer_id", "timestamp", "touchpoint", "sequence"]))
def test_a_missing_role_column_names_it(ev, column):
    broken = ev.drop(columns=column)
    for call in (variants, transitions, path_lengths, build_journeys, lambda e: funnel(e, steps=["Website"])):
        with pytest.raises(CJMError) as err:
            call(broken)
        assert column in str(err.value)


@given(
    logs(max_events=10),
    st.sampled_from(
        [
            {"by": "segmnt"},
            {"by": 3.5},
            {"journey": "visit"},
            {"session_gap": "soon"},
            {"session_gap": -5},
            {"dedupe": "ja"},
            {"touchpoints": "catalogue.csv"},
            {"colour": "red"},
        ]
    ),
)
def test_bad_options_raise_the_projects_error(ev, options):
    for call in (variants, transitions, path_lengths):
        with pytest.raises(CJMError):
            call(ev, **options)


@given(
    logs(max_events=10),
    st.sampled_from(
        [
            {"steps": []},
            {"steps": "Website"},
            {"steps": ["Website"], "mode": "sideways"},
            {"steps": ["Website"], "window": "eine Woche"},
            {"steps": ["Website"], "window": -1},
            {"steps": ["Website", "Kasse"], "optional": [7]},
            {"steps": [["Website", 3]]},
        ]
    ),
)
def test_bad_funnel_arguments(ev, kwargs):
    with pytest.raises(CJMError):
        funnel(ev, **kwargs)


@given(st.sampled_from(["timestamp", "sequence"]), st.sampled_from(["gestern", None, 3.5, "🙂"]))
def test_hand_built_frames_with_bad_values(column, value):
    ev = load_events(
        pd.DataFrame(
            {
                "customer_id": ["a", "a", "b"],
                "timestamp": ["2025-01-01 10:00", "2025-01-01 11:00", "2025-01-02 09:00"],
                "touchpoint": ["Website", "Kasse", "Website"],
            }
        )
    )
    ev[column] = ev[column].astype(object)
    ev.loc[1, column] = value
    for call in (variants, transitions):
        try:
            call(ev)
        except CJMError as err:
            assert column in str(err)


@given(st.one_of(st.none(), st.integers(), st.lists(st.integers()), st.just(pd.DataFrame())))
def test_not_an_event_log(value):
    for call in (variants, transitions, path_lengths, build_journeys):
        with pytest.raises(CJMError):
            call(value)
