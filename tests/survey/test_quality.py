"""Response quality: speeders and straight-liners by hand, planted truth, real data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cjm_lab import CJMDataError
from cjm_lab.errors import CJMConfigError
from cjm_lab.survey.quality import flag_speeders, flag_straightliners, quality_report

MOBILES = Path(__file__).resolve().parents[2] / "data" / "real" / "mobiles_feedback_survey.sav"


def test_speeders_below_threshold_times_median():
    df = pd.DataFrame({"duration": [100, 200, 300, 400, 500, 59, 60, np.nan]})
    # median of the seven durations: 200; 0.3 * 200 = 60
    flag = flag_speeders(df, duration="duration")
    assert flag.tolist() == [False, False, False, False, False, True, False, False]
    assert flag.name == "speeder" and flag.index.equals(df.index) and flag.dtype == bool
    assert flag_speeders(df, duration="duration", threshold=0.5).sum() == 2  # < 100


def test_speeders_median_per_group():
    df = pd.DataFrame({"duration": [100, 100, 100, 25, 1000, 1000, 1000, 250], "wave": [1, 1, 1, 1, 2, 2, 2, 2]})
    # wave 1 median 100 -> limit 30 ; wave 2 median 1000 -> limit 300
    flag = flag_speeders(df, duration="duration", by="wave")
    assert flag.tolist() == [False, False, False, True, False, False, False, True]
    overall = flag_speeders(df, duration="duration")  # median 175 -> limit 52.5: only the 25
    assert overall.tolist() == [False, False, False, True, False, False, False, False]


def test_straightliners_ignore_dont_know_and_need_min_items():
    df = pd.DataFrame(
        {
            "q1": [4, 4, 5, 3, 2, 1],
            "q2": [4, 2, 5, 99, 99, np.nan],
            "q3": [4, 4, 5, 3, 2, 1],
            "q4": [4, 4, np.nan, 3, np.nan, np.nan],
        }
    )
    flag = flag_straightliners(df, items=["q1", "q2", "q3", "q4"], dont_know=99)
    # row 3: 3, (dk), 3, 3 -> three equal answers; row 4: only two answers; row 5: two answers
    assert flag.tolist() == [True, False, True, True, False, False]
    assert flag.name == "straightliner"
    assert flag_straightliners(df, items="q*", dont_know=99, min_items=2).tolist() == [
        True,
        False,
        True,
        True,
        True,
        True,
    ]
    # without declaring 99 "don't know", 99 is an answer that breaks the line
    assert flag_straightliners(df, items="q*").tolist() == [True, False, True, False, False, False]


def test_quality_report_counts_flags_and_returns_a_new_frame():
    df = pd.DataFrame(
        {
            "duration": [300, 320, 60, 280, np.nan, 310],
            "q1": [4, 4, 5, 3, 1, np.nan],
            "q2": [4, 2, 5, 3, 2, np.nan],
            "q3": [4, 4, 5, 3, 3, 5],
        }
    )
    before = df.copy(deep=True)
    rep = quality_report(df, duration="duration", items=["q1", "q2", "q3"])
    pd.testing.assert_frame_equal(df, before)
    counts = rep.counts.set_index("flag")
    assert list(rep.counts.columns) == ["flag", "label", "n", "n_checked", "n_not_checked", "n_flagged", "pct"]
    assert counts.loc["speeder", "n_flagged"] == 1 and counts.loc["speeder", "n_not_checked"] == 1
    assert counts.loc["straightliner", "n_flagged"] == 3  # rows 0, 2, 3
    assert counts.loc["straightliner", "n_checked"] == 5  # row 5 answered one item
    assert counts.loc["any", "n_flagged"] == 3 and counts.loc["any", "pct"] == pytest.approx(50)
    assert rep.data["flag_any"].tolist() == [True, False, True, True, False, False]
    assert {"flag_speeder", "flag_straightliner", "flag_any"} <= set(rep.data.columns)
    assert rep.n_removed == 0 and len(rep.data) == 6


def test_quality_report_exclude_counts_removed_rows():
    df = pd.DataFrame({"duration": [300, 320, 60, 280, 290, 310], "wave": [1] * 6})
    rep = quality_report(df, duration="duration", exclude=True, by="wave")
    assert rep.n_removed == 1 and len(rep.data) == 5 and 2 not in rep.data.index
    assert rep.counts.flag.tolist() == ["speeder", "any"]
    assert "per wave" in rep.counts.label[0]


def test_quality_report_german_labels():
    df = pd.DataFrame({"duration": [300, 320, 60], "q1": [1, 2, 3], "q2": [1, 2, 3], "q3": [1, 2, 3]})
    rep = quality_report(df, duration="duration", items="q*", language="de")
    assert rep.counts.label.tolist() == [
        "Speeder (Dauer unter 30 % des Medians)",
        "Straightliner (gleiche Antwort auf alle 3 Items, mindestens 3 beantwortet)",
        "Mindestens ein Qualitätsmerkmal",
    ]


@pytest.mark.parametrize(
    ("func", "kwargs", "error", "match"),
    [
        (flag_speeders, {"duration": "duraton"}, CJMDataError, r"'duraton' for `duration`.*Did you mean 'duration'"),
        (flag_speeders, {"duration": "duration", "threshold": 1.5}, CJMConfigError, "threshold"),
        (flag_speeders, {"duration": "bad"}, CJMDataError, r"in 'bad'.*row 1 \(value -5"),
        (flag_speeders, {"duration": "text"}, CJMDataError, r"text, not numbers.*'schnell'"),
        (
            flag_straightliners,
            {"items": ["q1", "q2"], "min_items": 3},
            CJMConfigError,
            r"from 2 to 2 \(the number of items\), got 3",
        ),
        (flag_straightliners, {"items": "x*"}, CJMDataError, "Could not interpret value 'x\\*' for `items`"),
        (flag_straightliners, {"items": []}, CJMConfigError, "rating battery"),
        (quality_report, {}, CJMConfigError, "give `duration`"),
        (quality_report, {"duration": "duration", "language": "fr"}, CJMConfigError, "language"),
    ],
)
def test_errors_name_column_and_fix(func, kwargs, error, match):
    df = pd.DataFrame(
        {"duration": [300, 200], "bad": [300, -5], "text": ["300", "schnell"], "q1": [1, 2], "q2": [1, 2]}
    )
    with pytest.raises(error, match=match):
        func(df, **kwargs)


# ---------------------------------------------------------------- planted truth
def test_flags_recover_the_planted_speeders_and_straightliners():
    from cjm_lab.sample import make_sample

    data = make_sample(20_000, random_state=3)
    rep = quality_report(
        data.survey, duration="duration_sec", items="sat_*", dont_know=data.truth["dont_know_code"], by="wave"
    )
    flagged = rep.data
    for flag, key in (
        ("flag_speeder", "speeder_respondent_ids"),
        ("flag_straightliner", "straightliner_respondent_ids"),
    ):
        found = set(flagged.loc[flagged[flag], "respondent_id"])
        truth = set(data.truth[key])
        assert truth, key
        precision = len(found & truth) / len(found)
        recall = len(found & truth) / len(truth)
        assert precision >= 0.9 and recall >= 0.9, (flag, precision, recall)


# ---------------------------------------------------------------- real data
@pytest.fixture(scope="module")
def mobiles():
    from cjm_lab.io import load_survey

    return load_survey(
        MOBILES,
        columns={"Q8": "recommend", "Duration__in_seconds_": "duration"},
        ratings={"Q11_*": [1, 5], "Q12_*": [1, 5]},
    )


@pytest.mark.real_data
@pytest.mark.parametrize(("threshold", "expected"), [(0.3, 0), (0.5, 14)])
def test_mobiles_speeders_match_an_independent_count(mobiles, threshold, expected):
    """Median interview 487 s, fastest 214 s: no speeder at 30% of the median, 14 below 50%."""
    seconds = mobiles["duration"].to_numpy(dtype=float)
    independent = int(np.sum(seconds < threshold * np.median(seconds)))
    rep = quality_report(mobiles, duration="duration", threshold=threshold)
    found = int(rep.counts.set_index("flag").loc["speeder", "n_flagged"])
    assert found == independent == expected


@pytest.mark.real_data
def test_mobiles_straightliners_match_an_independent_count(mobiles):
    items = [f"Q11_{i}" for i in range(1, 4)] + [f"Q12_{i}" for i in range(1, 7)]
    arr = mobiles[items].to_numpy(dtype=float)  # Q12 "don't know" (6) is missing already
    answered = np.sum(~np.isnan(arr), axis=1)
    same = np.nanmax(arr, axis=1) == np.nanmin(arr, axis=1)
    independent = int(np.sum(same & (answered >= 3)))
    flag = flag_straightliners(mobiles, items=["Q11_*", "Q12_*"])
    assert int(flag.sum()) == independent == 156
