"""Journeys, variants, transitions and pain points on logs whose answers are known by hand (funnels:
test_funnels.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cjm_lab import CJMDataError
from cjm_lab.errors import CJMConfigError
from cjm_lab.io import load_events, load_touchpoints
from cjm_lab.journeys import (
    build_journeys,
    compare_transitions,
    path_lengths,
    path_parts,
    transitions,
    variants,
)


def log(rows):
    """rows: (customer, 'YYYY-MM-DD HH:MM', touchpoint[, extra...])."""
    frame = pd.DataFrame(
        rows, columns=["customer_id", "timestamp", "touchpoint", *[f"x{i}" for i in range(len(rows[0]) - 3)]]
    )
    return load_events(frame)


@pytest.fixture
def shop():
    return log(
        [
            ("a", "2025-01-01 10:00", "Ad"),
            ("a", "2025-01-01 10:05", "Shop"),
            ("a", "2025-01-01 10:09", "Buy"),
            ("b", "2025-01-01 11:00", "Ad"),
            ("b", "2025-01-01 11:30", "Shop"),
            ("c", "2025-01-01 12:00", "Ad"),
            ("c", "2025-01-01 12:01", "Shop"),
            ("c", "2025-01-01 12:03", "Buy"),
            ("d", "2025-01-02 09:00", "Shop"),
        ]
    )


def test_order_is_timestamp_then_sequence_and_dedupe():
    ev = log(
        [
            ("a", "2025-01-01 10:00", "Cart"),
            ("a", "2025-01-01 10:00", "Website"),
            ("a", "2025-01-01 09:00", "Ad"),
            ("a", "2025-01-01 10:00", "Cart"),
        ]
    )
    j = build_journeys(ev)
    assert j["touchpoint"].tolist() == ["Ad", "Cart", "Website"]  # the repeated Cart (same time) is dropped
    assert j["step"].tolist() == [1, 2, 3]
    assert build_journeys(ev, dedupe=False)["touchpoint"].tolist() == ["Ad", "Cart", "Website", "Cart"]


def test_sessions_by_gap_and_by_id():
    ev = log([("a", "2025-01-01 10:00", "Ad"), ("a", "2025-01-01 10:20", "Shop"), ("a", "2025-01-01 12:00", "Shop")])
    j = build_journeys(ev, journey="session", session_gap="30min")
    assert j["journey_id"].nunique() == 2 and j.groupby("journey_id").size().tolist() == [2, 1]
    bad = ev.assign(session_id=["s1", "s1", "s1"])
    bad.loc[2, "customer_id"] = "b"
    with pytest.raises(CJMDataError, match="do not nest"):
        build_journeys(bad, journey="session")


def test_until_conversion_cuts_after_first_conversion(shop):
    j = build_journeys(shop, outcome=["Shop"], until_conversion=True)
    assert j.groupby("customer_id").size().to_dict() == {"a": 2, "b": 2, "c": 2, "d": 1}


def test_catalogue_columns_and_unknown_touchpoints(shop):
    cat = load_touchpoints(
        pd.DataFrame(
            {
                "touchpoint": ["Ad", "Shop", "Buy"],
                "stage": ["research", "comparison", "purchase"],
                "department": ["marketing", "sales", "sales"],
                "is_conversion": [0, 0, 1],
            }
        )
    )
    j = build_journeys(shop, touchpoints=cat)
    assert set(j.columns) >= {"stage", "department", "is_conversion"}
    assert j.loc[j.touchpoint == "Buy", "is_conversion"].all()
    with pytest.raises(CJMDataError, match="catalogue does not have: 'Buy'"):
        build_journeys(shop, touchpoints=cat.iloc[:2])


def test_variants_by_hand(shop):
    v = variants(shop, outcome=["Buy"])
    assert v["path"].tolist() == ["Ad > Shop > Buy", "Ad > Shop", "Shop"]
    assert v["n_journeys"].tolist() == [2, 1, 1]
    assert v["pct"].tolist() == [50.0, 25.0, 25.0] and v["cum_pct"].iloc[-1] == pytest.approx(100)
    assert v["conversion_rate"].tolist() == [1.0, 0.0, 0.0]
    assert v["median_duration_s"].iloc[0] == pytest.approx(180)  # nearest rank of 540 s and 180 s
    top = variants(shop, top=1)
    assert top["path"].tolist() == ["Ad > Shop > Buy", "(other)"] and top["n_journeys"].tolist() == [2, 2]


def test_top_variants_cut_a_computed_table_as_variants_top_does():
    """A report counts the variants once and cuts the top from that table: the same rows as top=."""
    from cjm_lab.errors import CJMError
    from cjm_lab.journeys import top_variants
    from cjm_lab.sample import make_sample

    ev = make_sample(customers=1500, random_state=3).events
    every = variants(ev)
    by_channel = variants(ev, by="channel")
    for k, other in ((1, True), (10, True), (10, False), (len(every) + 5, True)):
        pd.testing.assert_frame_equal(top_variants(every, top=k, other=other), variants(ev, top=k, other=other))
        pd.testing.assert_frame_equal(
            top_variants(by_channel, top=k, by="channel", other=other), variants(ev, by="channel", top=k, other=other)
        )
    cut = top_variants(every, top=10)
    assert cut["n_journeys"].sum() == every["n_journeys"].sum() and cut["cum_pct"].iloc[-1] == pytest.approx(100)
    assert cut["path"].iloc[-1] == "(other)" and np.isnan(cut["median_duration_s"].iloc[-1])
    with pytest.raises(CJMError, match="already has an '\\(other\\)' row"):
        top_variants(cut, top=5)
    with pytest.raises(CJMError, match=r"top_variants\(\): `top` must be a whole number of at least 1, got 0"):
        top_variants(every, top=0)
    with pytest.raises(CJMError, match="chanel"):
        top_variants(by_channel, top=5, by="chanel")


def test_missing_segment_values_are_a_segment_of_their_own():
    """Journeys whose segment value is missing are counted (one NaN segment), not dropped."""
    from cjm_lab.journeys import top_variants
    from cjm_lab.sample import make_sample

    ev = make_sample(customers=600, random_state=5).events.copy()
    no_channel = ev["customer_id"].drop_duplicates().iloc[::4]
    ev.loc[ev["customer_id"].isin(no_channel), "channel"] = np.nan
    n_journeys = ev["customer_id"].nunique()
    v = variants(ev, by="channel")
    assert v["channel"].isna().any() and v["n_journeys"].sum() == n_journeys
    assert v[["pct", "cum_pct"]].notna().all().all()
    assert v.groupby("channel", dropna=False)["pct"].sum().to_numpy() == pytest.approx(100)
    missing = v[v["channel"].isna()]
    assert missing["cum_pct"].iloc[-1] == pytest.approx(100)
    for k, other in ((1, True), (3, True), (3, False), (len(v) + 5, True)):
        cut = top_variants(v, top=k, by="channel", other=other)
        pd.testing.assert_frame_equal(cut, variants(ev, by="channel", top=k, other=other))
        assert cut["channel"].isna().any() and cut[["pct", "cum_pct"]].notna().all().all()
        if other:
            assert cut["n_journeys"].sum() == n_journeys
            assert cut.loc[cut["channel"].isna(), "n_journeys"].sum() == missing["n_journeys"].sum()
    cut = top_variants(v, top=2, by="channel")
    assert cut.loc[cut["channel"].isna(), "path"].tolist()[-1] == "(other)"
    for side in ("prefix", "suffix"):
        parts = path_parts(ev, n=2, side=side, by="channel")
        assert parts["n_journeys"].sum() == n_journeys and parts["pct"].notna().all()
    lengths = path_lengths(ev, by="channel")
    assert lengths["n_journeys"].sum() == n_journeys and lengths[["pct", "cum_pct"]].notna().all().all()


def test_top_variants_refuses_a_segmented_table_without_its_segments():
    """A table computed with by= cut without by would rank across segments: refused, naming the columns."""
    from cjm_lab.journeys import top_variants

    ev = log(
        [
            ("a", "2025-01-01 10:00", "Ad", "web"),
            ("a", "2025-01-01 10:05", "Shop", "web"),
            ("b", "2025-01-01 11:00", "Ad", "store"),
            ("b", "2025-01-01 11:30", "Shop", "store"),
            ("c", "2025-01-01 12:00", "Shop", "store"),
            ("d", "2025-01-01 13:00", "Ad", "web"),
            ("d", "2025-01-01 13:05", "Shop", "web"),
        ]
    ).rename(columns={"x0": "channel"})
    ev["region"] = ["n", "n", "s", "s", "s", "s", "s"]
    by_channel = variants(ev, by="channel")
    with pytest.raises(CJMDataError, match=r"several rows per path: pass by=\[\.\.\.\].*'channel'") as err:
        top_variants(by_channel, top=1)
    assert err.value.column == "path" and err.value.values == ["Ad > Shop", "Ad > Shop"]
    assert "by=['channel']" in err.value.fix
    by_both = variants(ev, by=["region", "channel"])
    with pytest.raises(CJMDataError, match=r"within by=\['channel'\].*candidates: \['region'\]"):
        top_variants(by_both, top=1, by="channel")
    pd.testing.assert_frame_equal(top_variants(by_channel, top=1, by="channel"), variants(ev, by="channel", top=1))
    pd.testing.assert_frame_equal(
        top_variants(by_both, top=1, by=["region", "channel"]), variants(ev, by=["region", "channel"], top=1)
    )


def test_paths_are_coded_only_where_the_names_come_free(shop, tmp_path, monkeypatch):
    """DataFrames and Parquet aggregate coded paths; CSV files pay no extra DISTINCT pass; same results."""
    import cjm_lab.journeys.paths as paths_module
    from cjm_lab.journeys._sources import EventSource, FrameSource
    from cjm_lab.journeys.engine import as_source

    calls = []
    for cls in (EventSource, FrameSource):  # the sources' own way to list the touchpoints, spied on
        names = cls.touchpoint_names
        monkeypatch.setattr(
            cls,
            "touchpoint_names",
            lambda self, *a, _names=names, **k: calls.append(self.kind) or _names(self, *a, **k),
        )
    cat = load_touchpoints(
        pd.DataFrame({"touchpoint": ["Ad", "Shop", "Buy"], "stage": ["research", "comparison", "purchase"]})
    )
    shop.to_parquet(tmp_path / "events.parquet")
    shop.to_csv(tmp_path / "events.csv", index=False)
    want = variants(shop, outcome=["Buy"])
    want_parts = path_parts(shop, n=2, side="suffix")
    for src, coded in ((shop, True), (str(tmp_path / "events.parquet"), True), (str(tmp_path / "events.csv"), False)):
        calls.clear()
        pd.testing.assert_frame_equal(variants(src, outcome=["Buy"]), want)
        pd.testing.assert_frame_equal(path_parts(src, n=2, side="suffix"), want_parts)
        pd.testing.assert_frame_equal(variants(src, touchpoints=cat, outcome=["Buy"]), want)
        assert len(calls) == (3 if coded else 0), (src, calls)
        source = as_source(src, where="test")
        assert (paths_module._path_codes(source, cat) is not None) is coded
        assert (paths_module._path_codes(source, None) is not None) is coded


def test_prefixes_suffixes_lengths(shop):
    assert path_parts(shop, n=2)["path"].tolist() == ["Ad > Shop", "Shop"]
    assert path_parts(shop, n=1, side="suffix").set_index("path")["n_journeys"].to_dict() == {"Buy": 2, "Shop": 2}
    assert path_lengths(shop).set_index("length")["n_journeys"].to_dict() == {1: 1, 2: 1, 3: 2}


def test_transitions_by_hand(shop):
    t = transitions(shop).set_index(["source", "target"])
    assert t.loc[("(start)", "Ad"), "probability"] == pytest.approx(0.75)
    assert t.loc[("Ad", "Shop"), "n"] == 3
    assert t.loc[("Shop", "Buy"), "probability"] == pytest.approx(0.5)
    assert t.loc[("Shop", "(exit)"), "n"] == 2
    assert t.loc[("Ad", "Shop"), "median_s"] == 300  # waits 300, 1800, 60 s -> nearest-rank median 300
    assert t.loc[("Ad", "Shop"), "p95_s"] == 1800
    sums = transitions(shop).groupby("source")["probability"].sum()
    assert np.allclose(sums, 1)


def test_transitions_per_segment_and_difference():
    rows = [(f"c{i}", "2025-01-01 10:00", "Cart", "x") for i in range(100)]
    rows += [(f"c{i}", "2025-01-01 10:05", "Buy", "x") for i in range(80)]
    rows += [(f"d{i}", "2025-01-01 10:00", "Cart", "y") for i in range(100)]
    rows += [(f"d{i}", "2025-01-01 10:05", "Buy", "y") for i in range(50)]
    ev = log(rows).rename(columns={"x0": "segment"})
    t = transitions(ev, by="segment")
    diff = compare_transitions(t, by="segment", groups=("x", "y")).set_index(["source", "target"])
    assert diff.loc[("Cart", "Buy"), "difference"] == pytest.approx(-30)
    assert bool(diff.loc[("Cart", "Buy"), "significant"])


def test_events_must_be_loaded():
    raw = pd.DataFrame({"customer_id": ["a"], "timestamp": ["2025-01-01"], "touchpoint": ["Ad"]})
    with pytest.raises(CJMDataError, match="not a UTC datetime column"):
        variants(raw)
    with pytest.raises(CJMDataError, match="Could not interpret value 'touchpoint'"):
        transitions(raw.drop(columns="touchpoint"))
    with pytest.raises(CJMConfigError, match="DataFrame"):
        variants([1, 2])


def test_file_input_gives_the_same_answer(shop, tmp_path):
    path = tmp_path / "events.parquet"
    shop.to_parquet(path)
    pd.testing.assert_frame_equal(variants(str(path)), variants(shop))
    pd.testing.assert_frame_equal(transitions(str(tmp_path / "*.parquet")), transitions(shop))


def test_cut_journeys_by_hand_in_the_engine(tmp_path):
    """From the first start to the first end at or after it, per journey (sessions too), the same from files."""
    from cjm_lab.journeys import cut_journeys

    ev = log(
        [
            ("a", "2025-01-01 10:00", "Ad"),
            ("a", "2025-01-01 10:05", "Shop"),
            ("a", "2025-01-01 10:06", "Cart"),
            ("a", "2025-01-01 10:07", "Shop"),
            ("a", "2025-01-01 10:08", "Buy"),
            ("a", "2025-01-01 10:08", "Buy"),  # an exact repeat: de-duplicated like every journey
            ("b", "2025-01-01 11:00", "Shop"),
            ("b", "2025-01-01 11:01", "Ad"),
            ("c", "2025-01-01 12:00", "Buy"),
            ("c", "2025-01-01 12:01", "Shop"),
        ]
    )
    cut = cut_journeys(ev, start="Shop", end="Buy")
    assert cut.groupby("customer_id")["touchpoint"].apply(list).to_dict() == {"a": ["Shop", "Cart", "Shop", "Buy"]}
    assert cut["step"].tolist() == [1, 2, 3, 4] and list(cut.columns[:6]) == [
        "journey_id",
        "customer_id",
        "step",
        "timestamp",
        "sequence",
        "touchpoint",
    ]
    # start and end the same touchpoint: the journey is that one event
    assert cut_journeys(ev, start="Shop", end="Shop").groupby("customer_id").size().to_dict() == {
        "a": 1,
        "b": 1,
        "c": 1,
    }
    # per session: a's second session (after 2 h) starts again
    later = pd.concat([ev, log([("a", "2025-01-01 13:00", "Shop"), ("a", "2025-01-01 13:01", "Buy")])])
    later["sequence"] = range(len(later))
    by_session = cut_journeys(later, start="Shop", end="Buy", journey="session", session_gap="1h")
    assert by_session.groupby("journey_id").size().tolist() == [4, 2]
    ev.to_parquet(tmp_path / "events.parquet")
    pd.testing.assert_frame_equal(cut_journeys(tmp_path / "events.parquet", start="Shop", end="Buy"), cut)
    with pytest.raises(CJMConfigError, match=r"cut_journeys\(\): `start` must be a touchpoint name"):
        cut_journeys(ev, start=["Shop"])


def test_files_see_their_columns_as_a_dataframe_does(tmp_path):
    """A Parquet log's session_id and other columns count as in a DataFrame (DuckDB reads the schema)."""
    ev = log([("a", "2025-01-01 10:00", "Ad"), ("a", "2025-01-01 10:01", "Shop"), ("a", "2025-01-01 10:02", "Buy")])
    ev["session_id"] = ["s1", "s1", "s2"]  # the log's own sessions, not a 30-minute gap
    ev["region"] = "north"
    ev.to_parquet(tmp_path / "events.parquet")
    from_file = build_journeys(tmp_path / "events.parquet", journey="session")
    assert from_file.groupby("journey_id").size().tolist() == [2, 1]
    assert {"session_id", "region"} <= set(from_file.columns)
    pd.testing.assert_frame_equal(from_file, build_journeys(ev, journey="session")[list(from_file.columns)])


def test_variants_without_conversions_leave_the_rate_empty():
    ev = log([("a", "2025-01-01 10:00", "Ad"), ("a", "2025-01-01 10:05", "Shop"), ("b", "2025-01-01 11:00", "Ad")])
    v = variants(ev)
    assert v["conversion_rate"].isna().all()  # unknown, not 0 %
    assert variants(ev, outcome=["Shop"]).set_index("path")["conversion_rate"].to_dict() == {
        "Ad > Shop": 1.0,
        "Ad": 0.0,
    }
    from cjm_lab.journeys import top_variants

    assert np.isnan(top_variants(v, top=1)["conversion_rate"]).all()


def test_time_to_convert_states_how_it_censored():
    from cjm_lab.journeys import time_to_convert

    ev = log([("a", "2025-01-01 10:00", "Ad"), ("a", "2025-01-03 10:00", "Buy"), ("b", "2025-01-02 10:00", "Ad")])
    res = time_to_convert(ev, outcome=["Buy"], censor_at="last_event")
    assert res.summary["censored_at"].tolist() == ["last_event"]
    assert time_to_convert(ev, outcome=["Buy"]).summary["censored_at"].tolist() == ["data_end"]
