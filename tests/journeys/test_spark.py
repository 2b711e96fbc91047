"""The journey analyses on Spark (local mode) give DuckDB's results, from the same generated SQL.

Counts, variants and every other exact value are equal; floating-point values agree to
1e-9; quantiles are the nearest-rank ones in both engines; timestamps are UTC.  One local
SparkSession (``local[2]``) serves the whole module.  PySpark and Java 17 are test
dependencies: without them these tests fail with the instruction to install them.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import os
import shutil
import warnings

import numpy as np
import pandas as pd
import pytest

from cjm_lab import journeys as jm
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.io import load_events, load_touchpoints
from cjm_lab.journeys.engine import DUCKDB, SPARK
from cjm_lab.sample import make_sample

pytestmark = pytest.mark.spark

STEPS = ["Website", "Product page", "Cart", "Checkout payment", "Order confirmation"]


@pytest.fixture(scope="session")
def spark():
    if importlib.util.find_spec("pyspark") is None:
        pytest.fail("PySpark is not installed: pip install -e '.[test]' (or '.[spark]') installs it.", pytrace=False)
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        pytest.fail("Spark needs Java 17: apt-get install openjdk-17-jre-headless (.ci/run does this).", pytrace=False)
    from pyspark.sql import SparkSession

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # "PySpark does not yet fully support pandas >= 3"
        session = (
            SparkSession.builder.master("local[2]")
            .appName("cjm-lab-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.default.parallelism", "2")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.memory", "1g")
            # a short-lived JVM: the quick JIT and the serial collector save half its CPU
            .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .getOrCreate()
        )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def sample():
    return make_sample(customers=400, random_state=11)


@pytest.fixture(scope="module")
def events(sample):
    return sample.events.merge(sample.personas, on="customer_id")


@pytest.fixture(scope="module")
def sevents(spark, events):
    frame = spark.createDataFrame(events)
    frame.cache().count()
    return frame


def assert_same(a, b, where="result"):
    """Equal results: exact for counts, text, flags and timestamps; floats to 1e-9."""
    if isinstance(a, pd.DataFrame):
        assert isinstance(b, pd.DataFrame), where
        assert list(a.columns) == list(b.columns), where
        assert len(a) == len(b), f"{where}: {len(a)} rows vs {len(b)}"
        for col in a.columns:
            x, y = a[col], b[col]
            if pd.api.types.is_float_dtype(x.dtype) or pd.api.types.is_float_dtype(y.dtype):
                xa, ya = x.to_numpy(float, na_value=np.nan), y.to_numpy(float, na_value=np.nan)
                assert np.array_equal(np.isnan(xa), np.isnan(ya)), f"{where}.{col}: missing values differ"
                with np.errstate(invalid="ignore"):
                    ok = np.isnan(xa) | (xa == ya) | (np.abs(xa - ya) <= 1e-9 + 1e-9 * np.abs(xa))
                assert ok.all(), f"{where}.{col}: {xa[~ok][:3]} vs {ya[~ok][:3]}"
            else:
                xs = x.astype(object).where(x.notna(), None).tolist()
                ys = y.astype(object).where(y.notna(), None).tolist()
                assert xs == ys, f"{where}.{col}: {[p for p in zip(xs, ys) if p[0] != p[1]][:3]}"
    elif dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, np.ndarray):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9, err_msg=where)
    elif isinstance(a, float) and math.isnan(a):
        assert isinstance(b, float) and math.isnan(b), where
    elif isinstance(a, (pd.Series, dict, list, tuple, str, int, float, type(None))):
        if isinstance(a, pd.Series):
            assert_same(a.to_frame(), b.to_frame(), where)
        else:
            assert a == b, where
    # fitted estimators (k-means) are compared through their labels and tables


def assert_close(a, b, where):
    """Nested dicts and lists equal, numbers to 1e-9 (sums may add up in another order)."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), where
        for k in a:
            assert_close(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_close(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and isinstance(b, (int, float)):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), (where, a, b)
    else:
        assert a == b, (where, a, b)


def both(fn, events, sevents):
    a, b = fn(events), fn(sevents)
    assert_same(a, b)
    return a, b


def test_variants_paths_and_lengths(events, sevents):
    a, _ = both(lambda e: jm.variants(e, top=15), events, sevents)
    assert a["path"].iloc[-1] == jm.OTHER_LABEL and a["n_journeys"].sum() == events["customer_id"].nunique()
    both(lambda e: jm.variants(e, by="persona"), events, sevents)
    both(lambda e: jm.path_parts(e, n=2, side="suffix", by="persona"), events, sevents)
    both(lambda e: jm.path_lengths(e, by="persona"), events, sevents)


def test_spark_paths_aggregate_the_names_without_a_distinct_pass(monkeypatch, sample, events, sevents):
    """Coding the touchpoints would cost Spark a full DISTINCT pass per call: the names are aggregated."""
    import cjm_lab.journeys.paths as paths_module
    from cjm_lab.journeys.engine import as_source

    source = as_source(sevents, where="test")
    assert paths_module._path_codes(source, None) is None
    assert paths_module._path_codes(source, sample.touchpoints) is None
    from cjm_lab.journeys._sources import EventSource, FrameSource

    calls = []
    for cls in (EventSource, FrameSource):  # the sources' own way to list the touchpoints, spied on
        names = cls.touchpoint_names
        monkeypatch.setattr(
            cls,
            "touchpoint_names",
            lambda self, *a, _names=names, **k: calls.append(self.kind) or _names(self, *a, **k),
        )
    both(lambda e: jm.variants(e, touchpoints=sample.touchpoints, top=10), events, sevents)
    both(lambda e: jm.path_parts(e, n=3, by="persona"), events, sevents)
    assert calls == ["dataframe", "dataframe"]  # the DataFrame runs coded, Spark never asks


def test_transitions_with_nearest_rank_times(events, sevents):
    a, _ = both(jm.transitions, events, sevents)
    # the times are the nearest-rank quantiles: the value at rank ceil(q * n) of the sorted waits
    j = jm.build_journeys(events)
    j["gap"] = j.groupby("journey_id")["timestamp"].shift(-1).sub(j["timestamp"]).dt.total_seconds()
    j["target"] = j.groupby("journey_id")["touchpoint"].shift(-1)
    for (src, tgt), g in j.dropna(subset=["target"]).groupby(["touchpoint", "target"]):
        waits = np.sort(g["gap"].to_numpy())
        row = a[(a["source"] == src) & (a["target"] == tgt)].iloc[0]
        assert row["median_s"] == waits[math.ceil(0.5 * len(waits)) - 1]
        assert row["p95_s"] == waits[math.ceil(0.95 * len(waits)) - 1]


def test_transitions_by_stage_and_sessions(sample, events, sevents):
    both(lambda e: jm.transitions(e, level="stage", touchpoints=sample.touchpoints, by="persona"), events, sevents)
    # journeys cut by the log's session ids (checked to nest in customers) and until conversion
    both(
        lambda e: jm.path_lengths(e, journey="session", touchpoints=sample.touchpoints, until_conversion=True),
        events,
        sevents,
    )
    # sessions cut by inactivity (lag and a running sum over epoch seconds)
    both(
        lambda e: jm.path_lengths(
            e.drop(columns="session_id") if isinstance(e, pd.DataFrame) else e.drop("session_id"),
            journey="session",
            session_gap="2h",
        ),
        events,
        sevents,
    )


def test_funnels(sample, events, sevents):
    a, _ = both(lambda e: jm.funnel(e, steps=STEPS, window="30D", by="persona"), events, sevents)
    assert a["n_reached"].gt(0).all()
    both(lambda e: jm.funnel(e, steps=STEPS[:3], mode="strict"), events, sevents)
    both(
        lambda e: jm.funnel(
            e,
            steps=["Cart", "Website", ["Order confirmation", "Repeat purchase"]],
            mode="any",
            window="60D",
            exclude=["Service hotline"],
        ),
        events,
        sevents,
    )
    both(
        lambda e: jm.funnel(
            e, steps=STEPS[1:], optional=["Cart"], step_windows=[None, "7D", None, "2D"], exclude=["Service hotline"]
        ),
        events,
        sevents,
    )
    both(lambda e: jm.funnel_dropoffs(e, steps=STEPS), events, sevents)


def test_pain_points(sample, events, sevents):
    a, _ = both(lambda e: jm.pain_points(e, touchpoints=sample.touchpoints, survey=sample.survey), events, sevents)
    assert a["rank"].notna().any()
    both(lambda e: jm.pain_points(e, touchpoints=sample.touchpoints, level="stage", by="persona"), events, sevents)


def test_journey_options_and_periods(events, sevents):
    """Merged repeats, a date range of whole journeys and periods as segments (ISO weeks) in both engines."""
    both(lambda e: jm.variants(e, collapse_repeats="consecutive", dates=("2025-03-01", "2025-07-01")), events, sevents)
    a, _ = both(lambda e: jm.transitions(e, by=jm.Period("W", of="event")), events, sevents)
    assert a["event_week"].str.match(r"^\d{4}-W\d{2}$").all()
    both(lambda e: jm.variants(e, by=[jm.Period("Q"), "persona"]), events, sevents)


def test_pain_point_components_at_every_level(sample, events, sevents):
    """Every component (lift, drop-off per session, rework, ping-pong, reopen, stays, changes) in both engines."""
    a, _ = both(lambda e: jm.pain_points(e, touchpoints=sample.touchpoints, level="team", min_base=5), events, sevents)
    assert a["ping_pong_pct"].gt(0).any() and a.attrs["cjm_pain_points"]["log"]["all"]["ping_pong_journeys"] > 0
    # without sessions (waits between all events, drop-off per journey), a resolution log with reopens
    cols = [c for c in events.columns if c != "session_id"]
    resolved = {"outcome": ["Order confirmation", "Invoice"], "outcome_kind": "resolution", "min_base": 5}
    a, b = both(
        lambda e: jm.pain_points(e.select(*cols) if hasattr(e, "select") else e[cols], **resolved), events, sevents
    )
    for key in ("log", "changes", "long_wait"):
        assert_close(a.attrs["cjm_pain_points"][key], b.attrs["cjm_pain_points"][key], key)
    assert a["reopen_pct"].gt(0).any()
    ea = jm.explain_pain_point(
        events, touchpoint="Service desk", touchpoints=sample.touchpoints, level="team", period="M"
    )
    eb = jm.explain_pain_point(
        sevents, touchpoint="Service desk", touchpoints=sample.touchpoints, level="team", period="M"
    )
    for part in ("components", "comparison", "periods", "next_steps", "paths", "partners"):
        assert_same(getattr(ea, part), getattr(eb, part), part)


def test_attribution_inputs(sample, events, sevents):
    both(
        lambda e: jm.attribution(e, touchpoints=sample.touchpoints, order=2, value="value", by="persona"),
        events,
        sevents,
    )


def test_journey_features_for_clustering(sample, events, sevents):
    # k = 3 is not the sample's structure: both engines say so, with the same numbers
    with pytest.warns(UserWarning, match="no clear structure at k = 3") as said:
        a, _ = both(lambda e: jm.cluster_journeys(e, k=3, touchpoints=sample.touchpoints), events, sevents)
    assert a.assignments["cluster"].nunique() == 3
    assert len({str(w.message) for w in said if "structure" in str(w.message)}) == 1


def test_retention_timing_and_patterns(sample, events, sevents):
    cat = sample.touchpoints
    both(lambda e: jm.retention(e, touchpoints=cat, periods=6, by="persona"), events, sevents)
    both(lambda e: jm.time_to_repeat(e, touchpoints=cat), events, sevents)
    both(lambda e: jm.time_to_convert(e, touchpoints=cat, start="Website"), events, sevents)
    both(lambda e: jm.sequential_patterns(e, min_support=0.1, max_length=3), events, sevents)
    both(
        lambda e: jm.discriminating_patterns(e, outcome="conversion", touchpoints=cat, min_support=0.05),
        events,
        sevents,
    )


def test_journeys_come_back_in_utc(spark, events, sevents):
    _, b = both(jm.build_journeys, events, sevents)
    assert str(b["timestamp"].dt.tz) == "UTC"


def test_session_and_table_name_settings_restored(spark, events, sevents):
    sevents.createOrReplaceTempView("shop_events")
    before = {k: spark.conf.get(k, None) for k in ("spark.sql.ansi.doubleQuotedIdentifiers", "spark.sql.ansi.enabled")}
    spark.conf.set("spark.sql.session.timeZone", "Europe/Berlin")
    try:
        out = jm.variants((spark, "shop_events"), top=5)
        assert spark.conf.get("spark.sql.session.timeZone") == "Europe/Berlin"
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")
    assert_same(jm.variants(events, top=5), out)
    assert {k: spark.conf.get(k, None) for k in before} == before
    assert not [t for t in spark.catalog.listTables() if t.name.startswith("cjm_")]  # temp views dropped


def test_names_with_quotes_and_backslashes(spark):
    ev = load_events(
        pd.DataFrame(
            {
                "customer_id": ["a", "a", "b", "b"],
                "timestamp": ["2025-01-01 10:00", "2025-01-01 10:05", "2025-01-01 11:00", "2025-01-01 11:30"],
                "touchpoint": ["Kund's desk", "C:\\shop\\cart", "Kund's desk", 'Web "x"'],
                "order key": [1, 2, 3, 4],
            }
        )
    )
    sev = spark.createDataFrame(ev)
    both(jm.variants, ev, sev)
    both(lambda e: jm.funnel(e, steps=["Kund's desk", "C:\\shop\\cart"]), ev, sev)
    both(lambda e: jm.transitions(e, by="order key"), ev, sev)


def test_nearest_rank_is_one_definition_in_both_engines(spark):
    import duckdb

    qs = (0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
    ranks = pd.DataFrame(
        [(n, *(float(math.ceil(q * n)) for q in qs)) for n in range(1, 201)],
        columns=["n", *[f"q{i}" for i in range(len(qs))]],
    )

    def cols(d):  # the dialect's one quantile expression, as every analysis uses it
        return ", ".join(f"{d.quantile('CAST(x AS DOUBLE)', q)} AS q{i}" for i, q in enumerate(qs))

    ddb = duckdb.sql(
        f"SELECT n, {cols(DUCKDB)} FROM (SELECT n, unnest(range(1, n + 1)) AS x FROM range(1, 201) "
        "AS t(n)) GROUP BY n ORDER BY n"
    ).df()
    spk = spark.sql(
        f"SELECT n, {cols(SPARK)} FROM (SELECT n, explode(sequence(1, n)) AS x FROM "
        "(SELECT explode(sequence(1, 200)) AS n)) GROUP BY n ORDER BY n"
    ).toPandas()
    assert_same(ranks, ddb.astype(float).assign(n=ddb["n"].astype("int64")))
    assert_same(ranks, spk.astype(float).assign(n=spk["n"].astype("int64")))


def test_errors_stay_the_projects_own(spark, sample, events, sevents):
    with pytest.raises(CJMDataError, match="touchpoint"):
        jm.variants(sevents.drop("touchpoint"))
    with pytest.raises(CJMDataError, match="sequence"):
        jm.variants(sevents.drop("sequence"))
    with pytest.raises(CJMDataError, match="'sequence' is a double column"):
        jm.funnel(sevents.withColumn("sequence", sevents["sequence"].cast("double")), steps=STEPS)
    with pytest.raises(CJMDataError, match="TIMESTAMP"):
        jm.variants(sevents.withColumn("timestamp", sevents["timestamp"].cast("string")))
    with pytest.raises(CJMDataError, match="to_utc_timestamp"):
        jm.variants(sevents.withColumn("timestamp", sevents["timestamp"].cast("timestamp_ntz")))
    with pytest.raises(CJMDataError, match="persona"):
        jm.transitions(sevents, by="persona_typo")
    with pytest.raises(CJMDataError, match="no table or view"):
        jm.variants((spark, "no_such_table"))
    with pytest.raises(CJMConfigError, match="table name"):
        jm.variants((spark, 3))
    with pytest.raises(CJMDataError, match="catalogue does not have"):
        jm.variants(sevents, touchpoints=sample.touchpoints[sample.touchpoints["touchpoint"] != "Website"])
    with pytest.raises(CJMDataError, match="do not nest"):
        shared = sevents.withColumn("session_id", sevents["channel"])
        jm.variants(shared, journey="session")
    with pytest.raises(CJMDataError, match="holds no numbers"):
        jm.attribution(sevents, touchpoints=sample.touchpoints, value="channel")
    with pytest.raises(CJMDataError, match="does not occur"):
        jm.time_to_convert(sevents, touchpoints=sample.touchpoints, start="Webseite")


def test_small_tables_travel_even_when_empty(sevents):
    from cjm_lab.journeys.engine import SparkSource, run_sql

    empty = pd.DataFrame(
        {
            "customer_id": pd.Series([], dtype=object),
            "_date": pd.Series([], dtype="datetime64[ns, UTC]"),
            "_w": pd.Series([], dtype=float),
            "_rid": pd.Series([], dtype="int64"),
        }
    )
    out = run_sql(
        "SELECT count(*) AS n, max(_date) AS d FROM sv",
        SparkSource(sevents),
        extra={"sv": empty},
    )
    assert out["n"].tolist() == [0] and out["d"].isna().all()


def test_dialect_pieces_of_the_faster_sql_run_alike(spark, events, sevents):
    """bucket, bit_or and ordered_concat over several keys (with NULLs) give DuckDB's results on Spark."""
    from cjm_lab.journeys.engine import FrameSource, SparkSource, run_sql

    small = pd.DataFrame(
        {
            "g": ["a", "a", "a", "b", "b", "c"],
            "k1": [2, 1, 1, 1, 1, 5],
            "k2": [0, 2, 1, 1, 2, 0],
            "v": ["x", "y", None, "p", "q", None],
            "f": [1, 2, 4, 8, 8, 0],
        }
    )
    sql = "SELECT g, {cat} AS path, {bits} AS bits FROM sm GROUP BY g ORDER BY g"
    out = {}
    for d, src in (
        (DUCKDB, FrameSource(events)),
        (SPARK, SparkSource(sevents)),
    ):
        out[d.name] = run_sql(
            sql.format(cat=d.ordered_concat("v", "-", ("k1", "k2")), bits=d.bit_or("f")), src, extra={"sm": small}
        )
    paths = out["duckdb"]["path"]
    assert paths[:2].tolist() == ["y-x", "p-q"] and paths.isna().iloc[2]  # (1,1) is NULL: skipped; all NULL: NULL
    assert out["duckdb"]["bits"].tolist() == [7, 8, 0]
    assert_same(out["duckdb"], out["spark"].astype({"bits": out["duckdb"]["bits"].dtype}))
    # customers split into hash buckets: every customer in exactly one bucket 0..k-1 on each engine
    for d, src in (
        (DUCKDB, FrameSource(events)),
        (SPARK, SparkSource(sevents)),
    ):
        b = run_sql(
            f"SELECT customer_id, min({d.bucket('customer_id', 3)}) AS lo, "
            f"max({d.bucket('customer_id', 3)}) AS hi FROM events GROUP BY customer_id",
            src,
        )
        assert len(b) == events["customer_id"].nunique() and (b["lo"] == b["hi"]).all()
        assert set(b["lo"].astype(int)) == {0, 1, 2}


def test_analyses_in_customer_buckets_equal_spark(monkeypatch, sample, sevents, events):
    """DuckDB's analyses run in hash buckets of customers (as under a memory limit) equal Spark's."""
    from cjm_lab.journeys import _parts

    monkeypatch.setattr(_parts, "analysis_parts", lambda source, sorts=False: 1 if source.kind == "spark" else 3)
    both(jm.variants, events, sevents)
    both(lambda e: jm.variants(e, by="persona", top=10), events, sevents)
    both(lambda e: jm.transitions(e, by="persona"), events, sevents)
    both(lambda e: jm.funnel(e, steps=STEPS, exclude=["Service hotline"]), events, sevents)
    both(lambda e: jm.pain_points(e, touchpoints=sample.touchpoints, by="persona"), events, sevents)


def test_hostile_names_collide_nowhere(spark, monkeypatch):
    """Touchpoints holding the path separator or named like the analyses' labels, and session ids holding
    the journey id's separator, give Spark the same results as DuckDB (whose values
    tests/security/test_collisions.py checks by hand), in one pass and in customer buckets."""
    from cjm_lab.journeys import _parts

    journeys = [
        ("a", "sa", ["Web", "Shop"]),
        ("b", "sb", ["Web > Shop"]),
        ("c", "sc", ["(start)", "C:\\cart", ">"]),
        ("d", "sd", ["(exit)", "Web"]),
        ("e", "se", ["(other)", "(direct)", "Shop"]),
        ("h", "sh", ["Web", "(exit)"]),
        ("a|b", "c", ["Web"]),
        ("a", "b|c", ["Shop"]),
    ]
    rows = [(c, s, f"2025-01-01 10:{k:02d}", tp) for c, s, tps in journeys for k, tp in enumerate(tps)]
    ev = load_events(pd.DataFrame(rows, columns=["customer_id", "session_id", "timestamp", "touchpoint"]))
    cat = load_touchpoints(
        pd.DataFrame({"touchpoint": ev["touchpoint"].unique(), "stage": "research"}).assign(
            department=lambda c: c["touchpoint"].map({"Web": "(unknown)", "Shop": "Sales"})
        )
    )
    sev = spark.createDataFrame(ev)
    for parts in (1, 3):
        monkeypatch.setattr(_parts, "analysis_parts", lambda s, sorts=False, k=parts: 1 if s.kind == "spark" else k)
        a, _ = both(jm.variants, ev, sev)
        assert {"Web \\> Shop", "\\(exit) > Web", "Web > \\(exit)"} <= set(a["path"])
        both(lambda e: jm.variants(e, journey="session"), ev, sev)
        both(lambda e: jm.path_parts(e, n=2), ev, sev)
        t, _ = both(jm.transitions, ev, sev)
        assert ("\\(exit)", "Web") in set(zip(t["source"], t["target"]))
        both(lambda e: jm.transitions(e, level="department", touchpoints=cat), ev, sev)
        both(lambda e: jm.funnel_dropoffs(e, steps=["Web", "Shop"]), ev, sev)
        both(lambda e: jm.attribution(e, outcome=["Shop"], rules=["first_touch"]), ev, sev)
    rows_d, _ = both(lambda e: jm.build_journeys(e, journey="session"), ev, sev)
    assert rows_d["journey_id"].nunique() == len(journeys)
