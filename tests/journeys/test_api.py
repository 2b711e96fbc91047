"""The journey analyses' surface: visible keyword options, ``engine=Engine(...)``, shared docs, and
the old names and keywords that keep working for one release with a FutureWarning."""

from __future__ import annotations

import importlib
import inspect
import re
import warnings

import pandas as pd
import pytest

from cjm_lab import journeys as jm
from cjm_lab.errors import CJMConfigError
from cjm_lab.journeys import Engine, set_engine_defaults
from cjm_lab.journeys._docs import OPTION_DOCS
from cjm_lab.journeys._options import resolved
from cjm_lab.journeys.engine import as_source

#: Every analysis that takes events (the first parameter).
ANALYSES = {
    name: fn
    for name in jm.__all__
    if callable(fn := getattr(jm, name))
    and not isinstance(fn, type)
    and not hasattr(fn, "__cjm_alias_of__")  # patterns, the deprecated name of sequential_patterns
    and next(iter(inspect.signature(fn).parameters), None) == "events"
}

EV = pd.DataFrame(
    {
        "customer_id": list("aabbb"),
        "timestamp": pd.date_range("2025-01-01", periods=5, freq="h", tz="UTC"),
        "touchpoint": ["Ad", "Shop", "Ad", "Shop", "Buy"],
        "sequence": range(5),
    }
)


def test_the_analyses_are_found():
    assert {"variants", "funnel", "pain_points", "attribution", "retention", "cut_journeys"} <= set(ANALYSES)
    assert len(ANALYSES) >= 18


@pytest.mark.parametrize("name", sorted(ANALYSES))
def test_every_option_is_a_visible_keyword_and_documented(name):
    """No hidden channel: options are keyword-only parameters of the signature, ``engine`` among them,
    and the docstring documents every one (the shared ones written once, in _docs.OPTION_DOCS)."""
    fn = ANALYSES[name]
    params = inspect.signature(fn).parameters
    assert "engine" in params and params["engine"].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["engine"].default is None
    assert "journey_options" not in params
    var_kw = [p.name for p in params.values() if p.kind is inspect.Parameter.VAR_KEYWORD]
    assert var_kw in ([], ["old_engine_keywords"], ["pain_options"]), var_kw
    positional = [p.name for p in params.values() if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    assert positional == ["events"], positional
    doc = inspect.getdoc(fn) or ""
    assert "{journey_options}" not in doc
    lines = doc.splitlines()
    start = lines.index("Parameters") + 2 if "Parameters" in lines else len(lines)
    documented = set()
    for line, below in zip(lines[start:], [*lines[start + 1 :], ""]):
        if set(below) == {"-"}:
            break  # the next section
        if line and not line.startswith(" "):
            documented.update(n.strip().lstrip("*") for n in line.split(" : ")[0].split(","))
    missing = [p for p in params if p not in documented]
    assert not missing, f"{name}() documents no {missing}"


def test_shared_docs_are_the_same_text_everywhere():
    for name, fn in ANALYSES.items():
        doc = inspect.getdoc(fn)
        if "engine" in inspect.signature(fn).parameters:
            assert "How DuckDB runs: memory limit, threads, spill folder and spill cap" in doc, name
    assert set(OPTION_DOCS) >= {*jm.build.JOURNEY_OPTIONS, "engine", "old_engine_keywords"}


def test_engine_is_checked_and_shown():
    engine = Engine(memory_limit="2GB", threads=2, max_temp="20GB")
    assert engine == Engine(memory_limit=2_000_000_000, threads=2, max_temp=20_000_000_000)
    assert repr(Engine(threads=1)) == "Engine(memory_limit=None, threads=1, temp_directory=None, max_temp=None)"
    with pytest.raises(CJMConfigError, match=r"Engine\(\): `threads` must be a whole number from 1 to 1024 .*, got 0"):
        Engine(threads=0)
    with pytest.raises(CJMConfigError, match=r"`memory_limit` '10MB' is below 64 MiB.*Fix: pass a size"):
        Engine(memory_limit="10MB")
    with pytest.raises(CJMConfigError, match=r"`max_temp` 'lots' is not a size.*max_temp='20GB'"):
        Engine(max_temp="lots")
    with pytest.raises(
        CJMConfigError,
        match=r"variants\(\): `engine` must be an Engine, e.g. engine=Engine\(memory_limit='2GB'\) \(or None\), "
        r"got \{'memory_limit'",
    ):
        jm.variants(EV, engine={"memory_limit": "2GB"})
    with pytest.raises(dataclasses_frozen()):
        engine.threads = 4  # type: ignore[misc]


def dataclasses_frozen():
    import dataclasses

    return dataclasses.FrozenInstanceError


def test_engine_wins_over_the_defaults_which_win_over_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CJM_LAB_THREADS", "3")
    monkeypatch.setenv("CJM_LAB_MAX_TEMP", "5GB")
    assert resolved().threads == 3 and resolved().max_temp == 5_000_000_000
    old = set_engine_defaults(threads=2)
    try:
        assert resolved().threads == 2
        assert resolved(Engine(threads=1)).threads == 1
        source = as_source(EV, where="test", engine=Engine(threads=1, max_temp="1GB"))
        got = source.run(
            "SELECT current_setting('threads') AS t, current_setting('max_temp_directory_size') AS m"
        ).iloc[0]
        assert int(got["t"]) == 1 and got["m"].replace(" ", "") in {"953.6MiB", "1.0GB", "1000.0MB"}
    finally:
        set_engine_defaults(**{k: v for k, v in old.as_dict().items() if v is not None})
    monkeypatch.setenv("CJM_LAB_MAX_TEMP", "plenty")
    with pytest.raises(CJMConfigError, match=r"CJM_LAB_MAX_TEMP.*`max_temp` 'plenty' is not a size"):
        jm.variants(EV)


def test_old_engine_keywords_warn_and_still_work(tmp_path):
    want = jm.variants(EV, engine=Engine(memory_limit="1GB", threads=1))
    with pytest.warns(FutureWarning, match=re.escape("pass engine=Engine(memory_limit='1GB', threads=1)")) as seen:
        got = jm.variants(EV, memory_limit="1GB", threads=1)
    pd.testing.assert_frame_equal(got, want)
    assert seen[0].filename == __file__  # the warning points at the caller's line
    for call in (
        lambda: jm.transitions(EV, temp_directory=tmp_path / "spill"),
        lambda: jm.funnel(EV, steps=["Ad", "Shop"], threads=1),
        lambda: jm.build_journeys(EV, memory_limit="1GiB"),
        lambda: jm.retention(EV, outcome=["Buy"], threads=1),
        lambda: jm.attribution(EV, outcome=["Buy"], threads=1),
    ):
        with pytest.warns(FutureWarning, match=r"deprecated and stops working in the next release; pass engine="):
            call()
    with pytest.raises(CJMConfigError, match="got engine= and the old engine keyword"):
        jm.variants(EV, engine=Engine(threads=1), threads=2)
    with pytest.raises(CJMConfigError, match=r"unknown option\(s\) 'memroy_limit'\. Did you mean 'memory_limit'\?"):
        jm.variants(EV, memroy_limit="1GB")
    with pytest.raises(CJMConfigError, match=r"unknown option\(s\) 'max_temp'.*engine=Engine"):
        jm.variants(EV, max_temp="1GB")  # a new option: in Engine only
    with pytest.raises(
        CJMConfigError, match=r"retention\(\) got unknown option\(s\) 'journey'\. It is a journey option"
    ):
        jm.retention(EV, outcome=["Buy"], journey="session")  # retention is always per customer


def test_renamed_classes_warn_and_are_the_new_ones():
    engine, retention, timing = (
        importlib.import_module(f"cjm_lab.journeys.{m}") for m in ("engine", "retention", "timing")
    )
    for module, name, new in (
        (jm, "RepeatTimes", jm.SurvivalResult),
        (jm, "TimeToConvert", jm.SurvivalResult),
        (retention, "RepeatTimes", jm.SurvivalResult),
        (timing, "TimeToConvert", jm.SurvivalResult),
        (engine, "EngineOptions", Engine),
    ):
        with pytest.warns(FutureWarning, match=f"{name} is now {new.__name__}"):
            assert getattr(module, name) is new
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = jm.time_to_repeat(EV.assign(touchpoint="Buy"), outcome=["Buy"])
    assert isinstance(res, jm.SurvivalResult) and repr(res).startswith("SurvivalResult(time_to_repeat:")
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = jm.Nope  # type: ignore[attr-defined]
