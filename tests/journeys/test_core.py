"""Journeys, variants, transitions, funnels and pain points on logs whose answers are known by hand."""

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
    funnel,
    funnel_dropoffs,
    pain_points,
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
    j = build_journeys(shop, conversions=["Shop"], until_conversion=True)
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
    v = variants(shop, conversions=["Buy"])
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

    ev = make_sample(customers=1500, seed=3).events
    every = variants(ev)
    by_channel = variants(ev, by="channel")
    for k, other in ((1, True), (10, True), (10, False), (len(every) + 5, True)):
        pd.testing.assert_frame_equal(top_variants(every, k, other=other), variants(ev, top=k, other=other))
        pd.testing.assert_frame_equal(
            top_variants(by_channel, k, by="channel", other=other), variants(ev, by="channel", top=k, other=other)
        )
    cut = top_variants(every, 10)
    assert cut["n_journeys"].sum() == every["n_journeys"].sum() and cut["cum_pct"].iloc[-1] == pytest.approx(100)
    assert cut["path"].iloc[-1] == "(other)" and np.isnan(cut["median_duration_s"].iloc[-1])
    with pytest.raises(CJMError, match="already has an '\\(other\\)' row"):
        top_variants(cut, 5)
    with pytest.raises(CJMError, match="positive whole number"):
        top_variants(every, 0)
    with pytest.raises(CJMError, match="chanel"):
        top_variants(by_channel, 5, by="chanel")


def test_missing_segment_values_are_a_segment_of_their_own():
    """Journeys whose segment value is missing are counted (one NaN segment), not dropped."""
    from cjm_lab.journeys import top_variants
    from cjm_lab.sample import make_sample

    ev = make_sample(customers=600, seed=5).events.copy()
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
        cut = top_variants(v, k, by="channel", other=other)
        pd.testing.assert_frame_equal(cut, variants(ev, by="channel", top=k, other=other))
        assert cut["channel"].isna().any() and cut[["pct", "cum_pct"]].notna().all().all()
        if other:
            assert cut["n_journeys"].sum() == n_journeys
            assert cut.loc[cut["channel"].isna(), "n_journeys"].sum() == missing["n_journeys"].sum()
    cut = top_variants(v, 2, by="channel")
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
        top_variants(by_channel, 1)
    assert err.value.column == "path" and err.value.values == ["Ad > Shop", "Ad > Shop"]
    assert "by=['channel']" in err.value.fix
    by_both = variants(ev, by=["region", "channel"])
    with pytest.raises(CJMDataError, match=r"within by=\['channel'\].*candidates: \['region'\]"):
        top_variants(by_both, 1, by="channel")
    pd.testing.assert_frame_equal(top_variants(by_channel, 1, by="channel"), variants(ev, by="channel", top=1))
    pd.testing.assert_frame_equal(
        top_variants(by_both, 1, by=["region", "channel"]), variants(ev, by=["region", "channel"], top=1)
    )


def test_paths_are_coded_only_where_the_names_come_free(shop, tmp_path, monkeypatch):
    """DataFrames and Parquet aggregate coded paths; CSV files pay no extra DISTINCT pass; same results."""
    import cjm_lab.journeys.paths as paths_module
    from cjm_lab.journeys.engine import as_source

    calls = []
    names = paths_module.touchpoint_names
    monkeypatch.setattr(paths_module, "touchpoint_names", lambda *a, **k: calls.append(a[0].kind) or names(*a, **k))
    cat = load_touchpoints(
        pd.DataFrame({"touchpoint": ["Ad", "Shop", "Buy"], "stage": ["research", "comparison", "purchase"]})
    )
    shop.to_parquet(tmp_path / "events.parquet")
    shop.to_csv(tmp_path / "events.csv", index=False)
    want = variants(shop, conversions=["Buy"])
    want_parts = path_parts(shop, n=2, side="suffix")
    for src, coded in ((shop, True), (str(tmp_path / "events.parquet"), True), (str(tmp_path / "events.csv"), False)):
        calls.clear()
        pd.testing.assert_frame_equal(variants(src, conversions=["Buy"]), want)
        pd.testing.assert_frame_equal(path_parts(src, n=2, side="suffix"), want_parts)
        pd.testing.assert_frame_equal(variants(src, touchpoints=cat, conversions=["Buy"]), want)
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


def test_pain_points_by_hand():
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
    assert pp.loc["Invoice", "rework_pct"] == pytest.approx(25)  # 10 of 40 meet it twice in one purchase
    assert np.isnan(pp.loc["Hotline", "rework_pct"])  # service contacts are symptoms, no rework
    assert pp.loc["Invoice", "repeat_contact_pct"] == pytest.approx(25)  # the loop's first invoice triggers 2 calls
    assert pp.loc["Invoice", "department"] == "accounting"
    assert pp.loc["Pay", "main_issue"] == "drop_off" and pp.loc["Invoice", "main_issue"] in ("rework", "repeat_contact")
    assert set(pp.index[pp["rank"] <= 2]) == {"Pay", "Invoice"}
    # excess customers: drop-off 20% minus the log's rate (10 drop-offs over 180 touchpoint-journeys of the
    # ranked touchpoints: Hotline has 10 journeys < min_reach 20) times 50 journeys
    assert pp.loc["Pay", "excess_customers"] == pytest.approx((20 - 10 / 180 * 100) / 100 * 50)
    de = pain_points(ev, touchpoints=cat, language="de").set_index("touchpoint")
    assert "gehen ohne je zu kaufen" in de.loc["Pay", "note"]


def test_pain_points_without_conversions_has_no_drop_off():
    ev = log([("a", "2025-01-01 10:00", "Ad"), ("a", "2025-01-01 10:05", "Shop")])
    pp = pain_points(ev, min_reach=1)
    assert pp["drop_off_pct"].isna().all()


def test_pain_points_lateness_and_moments_of_truth():
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
    pp = pain_points(
        ev, survey=survey, promised="promised", score="stars", score_scale=(1, 5), negative_max=2
    ).set_index("touchpoint")
    assert pp.loc["Delivery", "late_pct"] == pytest.approx(late.mean() * 100)
    assert pp.loc["Delivery", "late_detractor_pct"] == pytest.approx((stars[late] <= 2).mean() * 100)
    assert pp.loc["Delivery", "late_odds_ratio"] > 5 and pp.loc["Delivery", "late_detractor_p_adjusted"] < 0.001
    assert pp.loc["Delivery", "rank"] == 1 and pp.loc["Delivery", "main_issue"] in ("late", "detractor")
