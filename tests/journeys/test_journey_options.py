"""Journey options every analysis takes: merging immediate repeats, and a date range of whole journeys."""

from __future__ import annotations

import importlib.util
import inspect
import warnings

import pandas as pd
import pytest

from cjm_lab import journeys as jm
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


@pytest.fixture
def cased():
    """Four cases with a case attribute (constant per journey): a, c in North; b South; d West."""
    rows = [
        ("a", "2025-01-06 10:00", "A", "North"),
        ("a", "2025-01-06 10:05", "B", "North"),
        ("a", "2025-01-06 10:20", "C", "North"),
        ("b", "2025-01-07 09:00", "A", "South"),
        ("b", "2025-01-07 09:10", "B", "South"),
        ("c", "2025-01-08 11:00", "A", "North"),
        ("c", "2025-01-08 11:30", "C", "North"),
        ("d", "2025-01-09 12:00", "B", "West"),
    ]
    return load_events(pd.DataFrame(rows, columns=["customer_id", "timestamp", "touchpoint", "region"]))


def _paths(v):
    return dict(zip(v["path"], v["n_journeys"]))


def test_cases_keep_whole_journeys_of_listed_ids_or_attribute_values(cased):
    # ids: a and c; 'zz' is not in the log (fine, counted)
    v = variants(cased, cases=["a", "c", "zz"])
    assert _paths(v) == {"A > B > C": 1, "A > C": 1}
    assert v.attrs["cjm_journeys"]["cases"] == {"ids": 3, "ids_not_in_log": 1}
    # one id is one id (not its letters); any collection means the same
    assert _paths(variants(cased, cases="d")) == {"B": 1}
    pd.testing.assert_frame_equal(variants(cased, cases=pd.Series(["c", "a"])), v)
    # a case attribute: one value, or a list of values
    north = {"region": "North"}
    assert _paths(variants(cased, cases={"region": ["North", "South"]})) == {"A > B > C": 1, "A > B": 1, "A > C": 1}
    assert variants(cased, cases=north).attrs["cjm_journeys"]["cases"] == {"attributes": {"region": ["North"]}}
    # transitions of a and c, counted by hand: start->A 2; A->B 1, A->C 1; B->C 1; C->exit 2
    t = transitions(cased, cases=north)
    got = {(s, e): n for s, e, n in t[["source", "target", "n"]].itertuples(index=False)}
    assert got == {("(start)", "A"): 2, ("A", "B"): 1, ("A", "C"): 1, ("B", "C"): 1, ("C", "(exit)"): 2}
    # the funnel A > B > C: both reach A, only a goes on to B and C
    assert funnel(cased, steps=["A", "B", "C"], cases=north)["n_reached"].tolist() == [2, 1, 1]
    assert funnel(cased, steps=["A", "B", "C"])["n_reached"].tolist() == [3, 2, 1]  # all cases: a, b, c reach A
    # pain points see the two North journeys only; C converts in both
    pp = pain_points(cased, min_base=1, n_boot=0, outcome="C", cases=north)
    assert pp.attrs["cjm_pain_points"]["log"]["all"]["journeys"] == 2
    assert pp.attrs["cjm_journeys"]["cases"] == {"attributes": {"region": ["North"]}}
    # with dates: both filters hold (North journeys that begin from 7 January: c)
    assert _paths(variants(cased, cases=north, dates=("2025-01-07", None))) == {"A > C": 1}
    # without a filter the record says so
    assert variants(cased).attrs["cjm_journeys"]["cases"] is None


def test_cases_from_files_equal_the_dataframe(cased, tmp_path):
    cased.to_parquet(tmp_path / "ev.parquet")
    cased.to_csv(tmp_path / "ev.csv", index=False)
    for cases in (["a", "c", "zz"], {"region": ["North", "West"]}):
        want = variants(cased, cases=cases)
        for path in (tmp_path / "ev.parquet", tmp_path / "ev.csv"):
            got = variants(str(path), cases=cases)
            pd.testing.assert_frame_equal(got, want)
            assert got.attrs["cjm_journeys"]["cases"] == want.attrs["cjm_journeys"]["cases"]
        pd.testing.assert_frame_equal(
            transitions(str(tmp_path / "ev.parquet"), cases=cases), transitions(cased, cases=cases)
        )
    # ids of digits in a text column are text: the type of the column decides, not what its values look like
    digits = cased.assign(customer_id=cased["customer_id"].map({"a": "1001", "b": "1002", "c": "1003", "d": "1004"}))
    digits.to_parquet(tmp_path / "digits.parquet")
    for source in (digits, str(tmp_path / "digits.parquet")):
        assert _paths(variants(source, cases=["1001", "1003"])) == {"A > B > C": 1, "A > C": 1}
        with pytest.raises(CJMConfigError, match=r"`cases` gives numbers as the ids \(\[1001\]\).*holds text"):
            variants(source, cases=[1001])
    # numeric ids in a file: numbers are the ids, text is refused naming the fix
    numeric = cased.assign(customer_id=cased["customer_id"].map({"a": 1, "b": 2, "c": 3, "d": 4}))
    numeric.to_parquet(tmp_path / "num.parquet")
    assert _paths(variants(str(tmp_path / "num.parquet"), cases=[1, 3])) == {"A > B > C": 1, "A > C": 1}
    with pytest.raises(
        CJMConfigError,
        match=r"`cases` gives text as the ids \(\['1'\]\), but the log's column 'customer_id' holds numbers\. "
        r"Fix: pass the ids as numbers",
    ):
        variants(str(tmp_path / "num.parquet"), cases=["1"])


def test_bad_cases_are_named(cased):
    fix = r"Fix: pass cases=\['C1', 'C2'\]"
    with pytest.raises(CJMConfigError, match=r"^variants\(\): `cases` \(customer ids\) is an empty list.*" + fix):
        variants(cased, cases=[])
    with pytest.raises(CJMConfigError, match=r"`cases` for the column 'region' is an empty list.*" + fix):
        variants(cased, cases={"region": []})
    with pytest.raises(CJMConfigError, match=r"`cases` is an empty mapping"):
        variants(cased, cases={})
    with pytest.raises(
        CJMConfigError, match=r"`cases` names the column 'regio', which the log does not have\. Did you mean 'region'\?"
    ):
        variants(cased, cases={"regio": "North"})
    with pytest.raises(CJMConfigError, match=r"`cases` names the column 'touchpoint', which is not a case attribute"):
        variants(cased, cases={"touchpoint": "A"})
    with pytest.raises(
        CJMConfigError,
        match=r"`cases` gives numbers as the ids \(\[1, 2\]\), but the log's column 'customer_id' holds text\. "
        r"Fix: pass the ids as text",
    ):
        transitions(cased, cases=[1, 2])
    with pytest.raises(CJMConfigError, match=r"`cases` gives numbers as the values of 'region'"):
        funnel(cased, steps=["A"], cases={"region": [1]})
    with pytest.raises(CJMConfigError, match=r"`cases` \(customer ids\) mixes text and numbers"):
        variants(cased, cases=["a", 1])
    with pytest.raises(
        CJMConfigError, match=r"`cases` \(customer ids\) holds None, which is neither text nor a number"
    ):
        variants(cased, cases=["a", None])


@pytest.fixture(scope="module")
def spark_session():
    importlib.util.find_spec("pyspark") or pytest.fail("PySpark is not installed: pip install -e '.[test]'.")
    from pyspark.sql import SparkSession

    running = SparkSession.getActiveSession()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        session = running or (
            SparkSession.builder.master("local[1]")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
            .getOrCreate()
        )
    yield session
    if running is None:
        session.stop()


@pytest.mark.spark
def test_cases_on_spark_equal_duckdb(cased, spark_session):
    sev = spark_session.createDataFrame(cased)
    for cases in (["a", "c", "zz"], {"region": ["North", "West"]}):
        for analysis in (variants, transitions):
            got, want = analysis(sev, cases=cases), analysis(cased, cases=cases)
            pd.testing.assert_frame_equal(got, want, check_dtype=False)
            assert got.attrs["cjm_journeys"]["cases"] == want.attrs["cjm_journeys"]["cases"]
    with pytest.raises(CJMConfigError, match=r"`cases` gives numbers as the ids \(\[1\]\).*holds text"):
        variants(sev, cases=[1])


def test_every_analysis_on_cases_equals_the_analysis_of_those_cases_alone(sample_of):
    """``cases=`` (ids, or a case attribute) gives each analysis exactly its result on the kept cases' events."""
    s = sample_of(120, seed=3)
    ev = s.events.merge(s.personas, on="customer_id")
    persona = ev["persona"].iloc[0]
    ids = sorted(ev["customer_id"].unique())[::3]
    steps, out = ["Website", "Product page", "Cart"], "Order confirmation"
    needs = {
        "funnel": {"steps": steps},
        "funnel_dropoffs": {"steps": steps},
        "explain_pain_point": {"touchpoint": "Cart"},
        "discriminating_patterns": {"outcome": out},
        "time_to_outcome": {"outcome": out},
        "time_to_convert": {"outcome": out},
        "attribution": {"outcome": out},
    }
    analyses = {
        n: f
        for n in jm.__all__
        if callable(f := getattr(jm, n))
        and not isinstance(f, type)
        and not hasattr(f, "__cjm_alias_of__")
        and "dates" in inspect.signature(f).parameters
    }
    assert len(analyses) >= 18
    for name, fn in analyses.items():
        assert "cases" in inspect.signature(fn).parameters, name
        for cases, kept in ((ids, ev["customer_id"].isin(ids)), ({"persona": persona}, ev["persona"] == persona)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # cluster_journeys: no clear structure in 40 journeys
                got = fn(ev, cases=cases, **needs.get(name, {}))
                want = fn(ev[kept].reset_index(drop=True), **needs.get(name, {}))
            if isinstance(got, pd.DataFrame):
                pd.testing.assert_frame_equal(got, want, obj=f"{name}(cases={cases!r})")
            else:  # a result object (survival curves, evidence, clusters): its tables are in its repr
                assert repr(got) == repr(want), (name, cases)
