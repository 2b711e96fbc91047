"""The journey engine fails with the project's errors, naming what was reached and the option that changes it.

Text timestamps in event files, damaged files, sizes and thread counts DuckDB cannot take (an infinite
memory limit was an OverflowError, a million threads aborted the Python process), bad environment
variables, the spill cap (whose message never named ``CJM_LAB_MAX_TEMP``) and a full disk.
"""

from __future__ import annotations

import gzip
import re

import duckdb
import pandas as pd
import pytest

from cjm_lab import journeys as jm
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.journeys import Engine
from cjm_lab.journeys._options import MAX_THREADS, origin, set_engine_defaults
from cjm_lab.journeys._pool import connection
from cjm_lab.journeys._sources import _engine_error, as_source

EV = pd.DataFrame(
    {
        "customer_id": ["a", "a", "b"],
        "timestamp": pd.to_datetime(["2025-02-01 10:00", "2025-02-01 11:00", "2025-02-02 10:00"], utc=True),
        "touchpoint": ["Ad", "Shop", "Ad"],
        "sequence": [0, 1, 2],
    }
)


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_text_timestamps_in_files_name_the_column_and_the_fix(tmp_path, kind):
    ev = EV.assign(timestamp=["01.02.2025 10:00", "01.02.2025 11:00", "02.02.2025 10:00"])
    path = tmp_path / f"events.{kind}"
    ev.to_csv(path, index=False) if kind == "csv" else ev.to_parquet(path)
    for analysis in (jm.variants, jm.transitions, lambda e: jm.funnel(e, steps=["Ad", "Shop"])):
        with pytest.raises(CJMDataError) as err:
            analysis(str(path))
        msg = str(err.value)
        assert "'timestamp' column is VARCHAR, not a timestamp" in msg and str(path) in msg
        assert "load_events" in msg and "ISO 8601" in msg
    # dates alone are fine (a day's log), and ISO text is read as timestamps by the CSV reader
    EV.assign(timestamp=EV["timestamp"].dt.strftime("%Y-%m-%d")).to_csv(tmp_path / "days.csv", index=False)
    assert jm.variants(str(tmp_path / "days.csv"))["n_journeys"].sum() == 2


def test_damaged_event_files_are_project_errors_naming_the_file(tmp_path):
    (tmp_path / "bad.parquet").write_bytes(b"PAR1" + b"\x00" * 32 + b"PAR1")
    (tmp_path / "bad.csv.gz").write_bytes(b"not gzip at all")
    whole = gzip.compress(EV.to_csv(index=False).encode())
    (tmp_path / "cut.csv.gz").write_bytes(whole[: len(whole) // 2])
    for name, words in (("bad.parquet", "cannot be read"), ("bad.csv.gz", "GZIP"), ("cut.csv.gz", "GZIP")):
        with pytest.raises(CJMDataError, match=words) as err:
            jm.variants(str(tmp_path / name))
        assert str(tmp_path / name) in str(err.value) and "Fix:" in str(err.value)
    # a line beyond the rows DuckDB's reader looked at does not fit the column's type
    n = 30_000
    late = pd.DataFrame(
        {
            "customer_id": [str(i % 300) for i in range(n)],
            "timestamp": ["2025-01-01 10:00:00"] * (n - 1) + ["soon"],
            "touchpoint": "Ad",
            "sequence": range(n),
        }
    )
    late.to_csv(tmp_path / "late.csv", index=False)
    with pytest.raises(CJMDataError, match=r"a line its column's type cannot take.*Line: 30001.*soon") as err:
        jm.variants(str(tmp_path / "late.csv"))
    assert "load_events" in str(err.value)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"memory_limit": float("inf")}, r"`memory_limit` inf is larger than any size DuckDB takes \(8 EiB\)"),
        ({"memory_limit": 1e30}, "larger than any size DuckDB takes"),
        ({"memory_limit": "100000000TB"}, "larger than any size DuckDB takes"),
        ({"max_temp": float("inf")}, r"`max_temp` inf is larger than any size"),
        ({"memory_limit": float("nan")}, "must be a positive size, got nan"),
        ({"threads": 10**6}, rf"`threads` must be a whole number from 1 to {MAX_THREADS} .*got 1000000"),
    ],
)
def test_sizes_and_threads_duckdb_cannot_take_are_config_errors(options, message):
    with pytest.raises(CJMConfigError, match=message):
        jm.variants(EV, engine=Engine(**options))


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("CJM_LAB_MAX_TEMP", "lots", r"\$CJM_LAB_MAX_TEMP: `max_temp` 'lots' is not a size"),
        ("CJM_LAB_MEMORY_LIMIT", "inf", r"\$CJM_LAB_MEMORY_LIMIT: `memory_limit` 'inf' is not a size"),
        ("CJM_LAB_THREADS", "-1", r"\$CJM_LAB_THREADS: `threads` must be a positive whole number"),
        ("CJM_LAB_THREADS", "5000", r"\$CJM_LAB_THREADS: `threads` must be a whole number from 1 to 1024 .*got 5000"),
    ],
)
def test_a_bad_environment_variable_is_named_with_its_fix(monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(CJMConfigError, match=message) as err:
        jm.transitions(EV)
    assert f"Fix: set it to a value such as {variable}=" in str(err.value) and f"unset {variable}" in str(err.value)


SORT = "SELECT range AS x, hash(range) AS h FROM range(6000000) ORDER BY h"  # about 100 MB to sort


def test_the_spill_cap_names_max_temp_and_its_variable(monkeypatch):
    source = as_source(EV, where="test", engine=Engine(memory_limit="64MiB", max_temp="1MB", threads=1))
    with pytest.raises(CJMDataError) as err:
        source.run(SORT)
    msg = str(err.value)
    assert re.search(r"spilled data reached its cap \(max_temp 1 MB, from engine=Engine\(\.\.\.\)\)", msg), msg
    assert "engine=Engine(max_temp='50GB')" in msg and "CJM_LAB_MAX_TEMP=50GB" in msg
    # the cap from the environment says so
    monkeypatch.setenv("CJM_LAB_MAX_TEMP", "1MB")
    source = as_source(EV, where="test", engine=Engine(memory_limit="64MiB", threads=1))
    with pytest.raises(CJMDataError, match=r"max_temp 1 MB, from \$CJM_LAB_MAX_TEMP"):
        source.run(SORT)


def test_where_each_option_comes_from(monkeypatch):
    monkeypatch.setenv("CJM_LAB_THREADS", "2")
    assert origin("threads") == "$CJM_LAB_THREADS"
    assert origin("threads", Engine(threads=1)) == "engine=Engine(...)"
    assert origin("max_temp") == "the default"
    old = set_engine_defaults(threads=1)
    try:
        assert origin("threads") == "set_engine_defaults()"
    finally:
        set_engine_defaults(**{k: v for k, v in old.as_dict().items() if v is not None})


def test_a_full_disk_names_the_spill_folder():
    """DuckDB's error on a full disk (no full disk to be had in a test: the error itself, as DuckDB words it)."""
    engine = Engine(threads=1)
    with connection(engine) as con:
        folder = con.execute("SELECT current_setting('temp_directory')").fetchone()[0]
        exc = duckdb.IOException(f'IO Error: Could not write file "{folder}/duckdb_temp_block-1.block": No space left')
        err = _engine_error(exc, engine, con)
    assert f"could not write its spilled data to {folder}" in str(err)
    assert "CJM_LAB_TEMP_DIRECTORY" in str(err) and "engine=Engine(temp_directory=...)" in str(err)
