"""The engine: Parquet/CSV paths and globs, DuckDB's memory limit, threads and spill folder."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cjm_lab.errors import CJMConfigError
from cjm_lab.journeys import (
    Engine,
    build_journeys,
    funnel,
    pain_points,
    path_lengths,
    transitions,
    variants,
)
from cjm_lab.journeys.engine import (
    as_source,
    engine_options,
    run_sql,
    set_engine_defaults,
)
from cjm_lab.sample import make_sample, write_sample

STEPS = ["Website", "Product page", "Cart", "Checkout payment", "Order confirmation"]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The sample written as partitioned Parquet (three parts) and the same sample in memory."""
    out = tmp_path_factory.mktemp("sample")
    paths = write_sample(out, customers=3000, random_state=11, format="parquet", chunk_customers=1000)
    return paths, make_sample(3000, random_state=11, chunk_customers=1000)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=False, rtol=1e-12)


def test_parquet_folder_glob_and_csv_with_bounded_memory_equal_pandas(written, tmp_path):
    paths, sample = written
    ev, cat = sample.events, sample.touchpoints
    assert len(list(paths["events"].glob("*.parquet"))) == 3
    sample.events.to_csv(tmp_path / "events.csv", index=False)
    engine = Engine(memory_limit="128MB", threads=1, temp_directory=tmp_path / "spill")
    for src in (paths["events"], str(paths["events"] / "part-*.parquet"), tmp_path / "events.csv"):
        _same(variants(src, engine=engine), variants(ev))
        _same(transitions(src, engine=engine), transitions(ev))
        _same(funnel(src, steps=STEPS, engine=engine), funnel(ev, steps=STEPS))
        _same(pain_points(src, touchpoints=cat, engine=engine), pain_points(ev, touchpoints=cat))
    _same(path_lengths(paths["events"], by="channel", engine=Engine(threads=2)), path_lengths(ev, by="channel"))
    from_files = build_journeys(paths["events"], engine=Engine(memory_limit="1GiB"))
    _same(from_files, build_journeys(ev)[list(from_files.columns)])
    assert (tmp_path / "spill").is_dir()


def test_spills_to_the_temp_directory_under_a_small_memory_limit(tmp_path):
    """1.5M events sorted in 96 MiB with one thread (DuckDB spills) give exactly the in-memory answer."""
    rng = np.random.default_rng(3)
    n_cust, per = 150_000, 10
    cust = np.repeat(np.arange(n_cust), per)
    ts = pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 30 * 86400, n_cust * per), "s")
    tps = np.array([f"Touchpoint {i:02d}" for i in range(20)])[rng.integers(0, 20, n_cust * per)]
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{c:07d}" for c in cust],
            "timestamp": ts,
            "touchpoint": tps,
            "sequence": np.arange(n_cust * per),
        }
    )
    for k, part in enumerate(np.array_split(np.arange(len(frame)), 3)):
        pq.write_table(pa.Table.from_pandas(frame.iloc[part], preserve_index=False), tmp_path / f"p{k}.parquet")
    spill = tmp_path / "spill"
    engine = Engine(memory_limit="96MiB", threads=1, temp_directory=spill)
    small = transitions(str(tmp_path / "p*.parquet"), engine=engine)
    _same(small, transitions(frame))
    _same(variants(str(tmp_path / "p*.parquet"), engine=engine, top=50), variants(frame, top=50))


def test_engine_options_reach_duckdb(written, tmp_path):
    paths, _ = written
    source = as_source(paths["events"], where="test")
    source.engine = engine_options(memory_limit="300MB", threads=1, temp_directory=tmp_path / "t")
    got = run_sql(
        "SELECT current_setting('memory_limit') AS m, current_setting('threads') AS t, "
        "current_setting('temp_directory') AS d",
        source,
    ).iloc[0]
    assert got["m"].startswith("286") and int(got["t"]) == 1 and got["d"] == str(tmp_path / "t")
    previous = set_engine_defaults(threads=1)
    try:
        got = run_sql("SELECT current_setting('threads') AS t", as_source(paths["events"], where="test"))
        assert int(got["t"].iloc[0]) == 1
    finally:
        set_engine_defaults(**{k: v for k, v in previous.__dict__.items() if v is not None})
    assert Engine(threads=2).merged(Engine(memory_limit=10**9)) == Engine(10**9, 2, None)


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"memory_limit": "lots"}, "is not a size"),
        ({"memory_limit": "10MB"}, "below 64 MiB"),
        ({"memory_limit": True}, "must be a size"),
        ({"threads": 0}, "`threads` must be a whole number from 1 to 1024"),
        ({"threads": 1.5}, "`threads` must be a whole number from 1 to 1024"),
        ({"memroy_limit": "1GB"}, "unknown option.*engine options: memory_limit"),
    ],
)
def test_bad_engine_options_raise_config_errors(written, bad, message):
    with pytest.raises(CJMConfigError, match=message):
        variants(written[0]["events"], engine=Engine(**bad)) if "memroy_limit" not in bad else variants(
            written[0]["events"], **bad
        )


def test_temp_directory_must_be_a_folder(written, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(CJMConfigError, match="is a file, not a folder"):
        transitions(written[1].events, temp_directory=afile)


def test_analyses_in_customer_buckets_equal_one_pass(written, monkeypatch):
    """Run in hash buckets of customers (as under a memory limit), every analysis gives the one-pass
    result: counts add up, and the nearest-rank times come from the waits counted per bucket."""
    from cjm_lab.journeys import _parts

    _, sample = written
    ev = sample.events.merge(sample.personas, on="customer_id")
    cat = sample.touchpoints
    calls = [
        lambda: variants(ev, by="persona", top=20),
        lambda: transitions(ev, by="persona"),
        lambda: transitions(ev, journey="session", until_conversion=True, touchpoints=cat),
        lambda: funnel(ev, steps=STEPS, by="persona", window="30D"),
        lambda: funnel(ev, steps=STEPS, mode="any", exclude=["Service hotline"]),
        lambda: funnel(ev, steps=STEPS, mode="strict"),
        lambda: pain_points(ev, touchpoints=cat, by="persona"),
        lambda: pain_points(ev, touchpoints=cat, level="stage", until_conversion=True),
    ]
    whole = [call() for call in calls]
    monkeypatch.setattr(_parts, "analysis_parts", lambda source, sorts=False: 3)
    for call, expected in zip(calls, whole, strict=True):
        pd.testing.assert_frame_equal(call(), expected)


def test_parquet_stored_by_customer_runs_in_ranges_of_customers(written, monkeypatch):
    """Parts of Parquet files written customer by customer are ranges of customer_id read from the
    row-group statistics (each part reads only its row groups), and give the one-pass results."""
    from cjm_lab.journeys import _parts

    paths, sample = written
    ranges = as_source(paths["events"], where="test").customer_ranges(3)
    assert ranges is not None and len(ranges) == 3 and "customer_id <" in ranges[0]
    assert as_source(sample.events, where="test").customer_ranges(3) is None
    ev, cat = sample.events, sample.touchpoints
    monkeypatch.setattr(_parts, "analysis_parts", lambda source, sorts=False: 3)
    _same(variants(paths["events"]), variants(ev))
    _same(transitions(paths["events"]), transitions(ev))
    _same(funnel(paths["events"], steps=STEPS), funnel(ev, steps=STEPS))
    _same(pain_points(paths["events"], touchpoints=cat), pain_points(ev, touchpoints=cat))


def test_a_sequence_that_is_not_whole_numbers_is_refused_naming_the_rows(tmp_path):
    """The order keys need whole numbers: floats with fractions, text and gaps are named; floats
    that are whole numbers pass and give the same funnel as integers."""
    from cjm_lab.errors import CJMDataError

    ev = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "timestamp": pd.to_datetime(["2025-01-01 10:00"] * 3, utc=True),
            "touchpoint": ["Web", "Cart", "Web"],
            "sequence": [0, 1, 2],
        }
    )
    expected = funnel(ev, steps=["Web", "Cart"])["n_reached"].tolist()
    assert expected == [2, 1]
    assert funnel(ev.assign(sequence=[0.0, 1.0, 2.0]), steps=["Web", "Cart"])["n_reached"].tolist() == expected
    for ints in ([0, 1, 2], [0, 1, 2**63 - 1]):  # Python integers, up to the largest of 64 bits
        assert (
            funnel(ev.assign(sequence=pd.Series(ints, dtype=object)), steps=["Web", "Cart"])["n_reached"].tolist()
            == expected
        )
    with pytest.raises(CJMDataError, match="'sequence' is a complex128 column"):
        funnel(ev.assign(sequence=[0j, 1 + 0j, 2 + 0j]), steps=["Web", "Cart"])
    for bad, row in (([0.0, 1.5, 2.0], 1), ([0, None, 2], 1), ([0.0, 1.0, 2.0**63], 2)):
        with pytest.raises(CJMDataError, match="sequence") as err:
            funnel(ev.assign(sequence=bad), steps=["Web", "Cart"])
        assert f"row {row}" in str(err.value) and "load_events" in str(err.value)
    for text in (["0", "1", "2"], pd.Series([0, 1, "zwei"], dtype=object)):
        with pytest.raises(CJMDataError, match="'sequence' is a (str|object) column"):
            funnel(ev.assign(sequence=text), steps=["Web", "Cart"])
    ev.assign(sequence=["0", "1", "2"]).to_parquet(tmp_path / "text.parquet")
    with pytest.raises(CJMDataError, match="'sequence' column is VARCHAR"):
        funnel(tmp_path / "text.parquet", steps=["Web", "Cart"])
    ev.to_parquet(tmp_path / "ok.parquet")
    assert funnel(tmp_path / "ok.parquet", steps=["Web", "Cart"])["n_reached"].tolist() == expected


def test_nanosecond_timestamps_from_parquet_or_pandas_count_to_the_microsecond(tmp_path):
    """A Parquet file written in nanoseconds arrives in DuckDB as TIMESTAMPTZ_NS (DuckDB 2 has no
    epoch_us for it): the journeys read it in microseconds, naive nanoseconds as UTC."""
    from cjm_lab.journeys import funnel

    ev = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "b"],
            "timestamp": pd.to_datetime(
                ["2025-01-01 10:00:00", "2025-01-01 10:00:01.500000999", "2025-01-02", "2025-01-02 00:00:05"],
                utc=True,
                format="ISO8601",
            ).as_unit("ns"),
            "touchpoint": ["Web", "Cart", "Web", "Cart"],
            "sequence": [0, 1, 2, 3],
        }
    )
    ev.to_parquet(tmp_path / "ns.parquet")
    ev.assign(timestamp=ev["timestamp"].dt.tz_localize(None)).to_parquet(tmp_path / "naive.parquet")
    for source in (ev, tmp_path / "ns.parquet", tmp_path / "naive.parquet"):
        out = funnel(source, steps=["Web", "Cart"], dedupe=False)
        assert out["n_reached"].tolist() == [2, 2]
        # Web -> Cart took a: 1.500000999 s, to the microsecond (a frame is floored, DuckDB's cast rounds);
        # b: 5 s (nearest ranks 1 and 2 of 2)
        assert out[["median_time_s", "p95_time_s"]].iloc[1].tolist() == pytest.approx([1.5, 5.0], abs=1.01e-6)
