"""DuckDB's memory limit and spill folder come from the arguments or from the environment."""

from __future__ import annotations

import pandas as pd
import pytest

from cjm_lab import journeys as jm
from cjm_lab.errors import CJMConfigError
from cjm_lab.journeys.engine import _connection, engine_options


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
    ev = pd.DataFrame({"customer_id": ["a", "a"], "timestamp": pd.to_datetime(["2025-01-01", "2025-01-02"], utc=True),
                       "touchpoint": ["Ad", "Shop"], "sequence": [0, 1]})
    with pytest.raises(CJMConfigError, match="CJM_LAB_MEMORY_LIMIT"):
        jm.variants(ev)


def test_results_are_the_same_under_a_memory_limit(monkeypatch):
    ev = pd.DataFrame({"customer_id": list("aabbb"), "timestamp": pd.date_range("2025-01-01", periods=5, tz="UTC"),
                       "touchpoint": ["Ad", "Shop", "Ad", "Shop", "Shop"], "sequence": range(5)})
    free = jm.variants(ev)
    monkeypatch.setenv("CJM_LAB_MEMORY_LIMIT", "200MB")
    pd.testing.assert_frame_equal(jm.variants(ev), free)
