"""DuckDB's memory limit and spill folder come from the arguments or from the environment."""

from __future__ import annotations

import pandas as pd
import pytest

from cjm_lab import journeys as jm
from cjm_lab.errors import CJMConfigError
from cjm_lab.journeys import Engine, _pool
from cjm_lab.journeys._pool import connection as _connection
from cjm_lab.journeys.engine import engine_options


def _setting(con, name: str) -> str:
    return con.execute(f"SELECT current_setting('{name}')").fetchone()[0]


def test_environment_sets_memory_limit_and_temp_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("CJM_LAB_MEMORY_LIMIT", "300MB")
    monkeypatch.setenv("CJM_LAB_TEMP_DIRECTORY", str(tmp_path))
    with _connection() as con:
        assert _setting(con, "memory_limit").replace(" ", "") in {"286.1MiB", "300.0MB", "300MB"}
        assert _setting(con, "temp_directory") == str(tmp_path)
    # an explicit argument wins over the environment
    with _connection(engine_options(memory_limit="1GB")) as con:
        assert _setting(con, "memory_limit").replace(" ", "") in {"953.6MiB", "1.0GB", "1000.0MB"}


def test_bad_memory_limit_is_a_config_error(monkeypatch):
    monkeypatch.setenv("CJM_LAB_MEMORY_LIMIT", "lots")
    ev = pd.DataFrame(
        {
            "customer_id": ["a", "a"],
            "timestamp": pd.to_datetime(["2025-01-01", "2025-01-02"], utc=True),
            "touchpoint": ["Ad", "Shop"],
            "sequence": [0, 1],
        }
    )
    with pytest.raises(CJMConfigError, match="CJM_LAB_MEMORY_LIMIT"):
        jm.variants(ev)


def test_results_are_the_same_under_a_memory_limit(monkeypatch):
    ev = pd.DataFrame(
        {
            "customer_id": list("aabbb"),
            "timestamp": pd.date_range("2025-01-01", periods=5, tz="UTC"),
            "touchpoint": ["Ad", "Shop", "Ad", "Shop", "Shop"],
            "sequence": range(5),
        }
    )
    free = jm.variants(ev)
    monkeypatch.setenv("CJM_LAB_MEMORY_LIMIT", "200MB")
    pd.testing.assert_frame_equal(jm.variants(ev), free)


def test_open_database_is_shared_but_queries_leave_nothing_behind(tmp_path):
    """Analyses reuse one open DuckDB database per engine options; registrations, views and temporary
    tables live on the query's own connection, so concurrent analyses never see each other's."""
    from concurrent.futures import ThreadPoolExecutor

    from cjm_lab.journeys import engine

    ev = pd.DataFrame(
        {
            "customer_id": list("aabbbcc"),
            "timestamp": pd.date_range("2025-01-01", periods=7, tz="UTC"),
            "touchpoint": ["Ad", "Shop", "Ad", "Shop", "Buy", "Shop", "Ad"],
            "sequence": range(7),
        }
    )
    path = tmp_path / "events.parquet"
    ev.to_parquet(path)
    expected = jm.variants(ev)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda i: jm.variants(ev if i % 2 else str(path)), range(16)))
    for got in results:
        pd.testing.assert_frame_equal(got, expected)
    # one database for these options, reused
    opened = _pool.open_databases()
    jm.variants(ev)
    assert _pool.open_databases() == opened
    # an analysis in parts fills a temporary table; it does not survive the query
    source = engine.as_source(str(path), where="test")
    source.engine = engine_options(memory_limit="100MB")
    counted = engine.run_in_parts(
        "SELECT sum(n) AS n FROM per_part",
        source,
        name="per_part",
        parts=2,
        part=lambda b: f"SELECT count(*) AS n FROM events WHERE hash(customer_id) % 2 = {b[0]}",
    )
    assert int(counted["n"].iloc[0]) == len(ev)
    for opts in (None, engine_options(memory_limit="100MB")):
        with _connection(opts) as con:
            assert con.execute("SELECT table_name FROM information_schema.tables").fetchall() == []


def test_more_option_sets_than_open_databases_run_at_once(tmp_path):
    """Beyond the open databases kept, the least recently used is closed only once no query uses it:
    analyses with many different options, at the same time, all finish with the right result."""
    from concurrent.futures import ThreadPoolExecutor

    ev = pd.DataFrame(
        {
            "customer_id": [f"c{i % 300}" for i in range(3000)],
            "timestamp": pd.date_range("2025-01-01", periods=3000, freq="min", tz="UTC"),
            "touchpoint": [["Ad", "Shop", "Buy", "Hotline"][i % 4] for i in range(3000)],
            "sequence": range(3000),
        }
    )
    expected = jm.transitions(ev)
    limits = [f"{100 + 10 * i}MB" for i in range(3 * _pool.MAX_DATABASES)]
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda lim: jm.transitions(ev, engine=Engine(memory_limit=lim)), limits * 2))
    for got in results:
        pd.testing.assert_frame_equal(got, expected)
    assert _pool.open_databases() <= _pool.MAX_DATABASES


def test_duckdb_memory_is_bounded_by_default(monkeypatch, tmp_path):
    """Without any setting DuckDB holds at most 4 GB (or half the RAM), not its own 80 % of RAM;
    the environment and set_engine_defaults still override it."""
    from cjm_lab.journeys.engine import (
        DEFAULT_MEMORY_LIMIT,
        analysis_parts,
        as_source,
        default_memory_limit,
        set_engine_defaults,
    )

    monkeypatch.delenv("CJM_LAB_MEMORY_LIMIT", raising=False)
    limit = default_memory_limit()
    assert limit <= DEFAULT_MEMORY_LIMIT
    with _connection() as con:
        shown = _setting(con, "memory_limit")
    assert abs(float(shown.split()[0]) * {"GiB": 1024**3, "MiB": 1024**2}[shown.split()[1]] - limit) < 0.01 * limit
    monkeypatch.setenv("CJM_LAB_MEMORY_LIMIT", "300MB")
    with _connection() as con:
        assert _setting(con, "memory_limit").replace(" ", "") in {"286.1MiB", "300.0MB", "300MB"}
    old = set_engine_defaults(memory_limit="1GB")
    try:
        with _connection() as con:
            assert _setting(con, "memory_limit").replace(" ", "") in {"953.6MiB", "1.0GB", "1000.0MB"}
    finally:
        set_engine_defaults(memory_limit=old.memory_limit, threads=old.threads, temp_directory=old.temp_directory)
    # CSV files: the number of events is estimated from their size (no scan), so a small file runs
    # in one part and a file too big for the limit in several
    small = tmp_path / "small.csv"
    small.write_text("customer_id,timestamp,touchpoint,sequence\n" + "c1,2025-01-01T10:00:00Z,Ad,0\n" * 1000)
    monkeypatch.delenv("CJM_LAB_MEMORY_LIMIT")
    assert analysis_parts(as_source(str(small), where="test")) == 1
    big = tmp_path / "big.csv"
    with open(big, "w") as fh:  # 8.7 MB of text: ~271,000 events at the estimate, 41 MB at 150 bytes an event
        fh.write("customer_id,timestamp,touchpoint,sequence\n" + "c1,2025-01-01T10:00:00Z,Ad,0\n" * 300_000)
    source = as_source(str(big), where="test")
    source.engine = engine_options(memory_limit="64MiB")
    assert analysis_parts(source) == 2  # half of 64 MiB holds ~223,000 events
    source.engine = engine_options(memory_limit="1GB")
    assert analysis_parts(source) == 1


def test_each_open_database_spills_into_its_own_folder(monkeypatch):
    """DuckDB databases sharing a spill folder use the same file names (duckdb#15173): without a
    temp_directory each open database gets a folder of its own, made only when it spills."""
    monkeypatch.delenv("CJM_LAB_TEMP_DIRECTORY", raising=False)
    with _connection(engine_options(threads=1)) as a, _connection(engine_options(threads=2)) as b:
        first, second = _setting(a, "temp_directory"), _setting(b, "temp_directory")
    assert first != second and ".tmp-cjm-" in first and ".tmp-cjm-" in second


def test_a_forked_child_opens_its_own_database():
    """A child forked after analyses ran must not use (or close) the parent's database, whose worker
    threads do not exist in the child: the registry starts empty there."""
    import os

    with _connection() as con:  # the parent has an open database now
        assert con.execute("SELECT 41 + 1").fetchone()[0] == 42
    assert _pool.open_databases()
    pid = os.fork()
    if pid == 0:  # the child: exit code 0 only if it started from an empty registry and can query
        ok = not _pool.open_databases()
        try:
            with _connection() as con:
                ok = ok and con.execute("SELECT 41 + 1").fetchone()[0] == 42
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert _pool.open_databases()  # the parent's database is still open
