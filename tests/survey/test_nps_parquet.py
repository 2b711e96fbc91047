"""NPS from Parquet in record batches: the same table as on the loaded DataFrame, the same errors."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cjm_lab.survey
from cjm_lab import CJMConfigError, CJMDataError
from cjm_lab.io import load_survey
from cjm_lab.survey import nps
from cjm_lab.survey.nps import _SUM_COLUMNS, _group_sums, _nps_from_sums, response_parts

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "survey.csv"


def _equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12, atol=1e-12)


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> tuple[pd.DataFrame, Path]:
    """The sample survey with missing answers and a "don't know" code 99, as one Parquet file."""
    raw = pd.read_csv(SAMPLE)
    raw.loc[::37, "recommend"] = np.nan
    raw.loc[5::41, "recommend"] = 99
    folder = tmp_path_factory.mktemp("nps_parquet")
    path = folder / "survey.parquet"
    raw.to_parquet(path, row_group_size=700)
    parts = folder / "parts"
    parts.mkdir()
    for i, chunk in enumerate(np.array_split(np.arange(len(raw)), 3)):
        raw.iloc[chunk].to_parquet(parts / f"part-{i}.parquet")
    return raw, path


CASES = [
    {},
    {"weight": "weight"},
    {"by": "wave"},
    {"by": ["wave", "language"], "weight": "weight"},
    {"by": ["language", "wave"], "weight": "weight", "total": False, "ci_method": "wald", "confidence": 0.9},
]


@pytest.mark.parametrize("options", CASES)
@pytest.mark.parametrize("batch_size", [97, 1000, 100_000])
def test_parquet_in_batches_equals_the_loaded_frame(answers, options, batch_size):
    raw, path = answers
    chunked = nps(path, dont_know=99, batch_size=batch_size, **options)
    _equal(chunked, nps(pd.read_parquet(path), dont_know=99, **options))
    # the loader's missing codes give the same table as dont_know=
    _equal(chunked, nps(load_survey(path, missing_codes={"recommend": [99]}), **options))
    missing = int(raw["recommend"].isna().sum() + (raw["recommend"] == 99).sum())
    total = chunked["n_missing"].sum() if options.get("total") is False else chunked["n_missing"].iloc[-1]
    assert total == missing


def test_folder_of_parts_and_glob_equal_the_single_file(answers):
    _, path = answers
    expected = nps(path, by="wave", weight="weight", dont_know=99)
    _equal(nps(path.parent / "parts", by="wave", weight="weight", dont_know=99, batch_size=500), expected)
    _equal(nps(str(path.parent / "parts" / "part-*.parquet"), by="wave", weight="weight", dont_know=99), expected)


def test_dont_know_on_a_dataframe_counts_as_missing():
    df = pd.DataFrame({"recommend": [10, 99, 0, 9, np.nan]})
    row = nps(df, dont_know=[99]).iloc[0]
    assert (row.n, row.n_missing, row.n_promoters, row.n_detractors) == (3, 2, 2, 1)
    with pytest.raises(CJMConfigError, match="lie on the scale"):
        nps(df, dont_know=5)


def test_nps_from_sums_is_the_one_computation():
    df = pd.DataFrame({"recommend": [10, 9, 8, 7, 6, 0, 10, 9, 3, 10], "wave": [1] * 5 + [2] * 5})
    parts, measure = response_parts(df, score="recommend", weight=None)
    sums = _group_sums(parts, [df["wave"]])
    assert list(sums.columns) == ["wave", *_SUM_COLUMNS]
    _equal(_nps_from_sums(sums, ["wave"], measure=measure), nps(df, by="wave"))


def test_the_sums_helpers_are_private():
    """They validate nothing, so they stay out of the public surface."""
    nps_module = importlib.import_module("cjm_lab.survey.nps")  # the attribute `nps` is the function
    for name in ("nps_from_sums", "group_sums", "SUM_COLUMNS"):
        assert not hasattr(nps_module, name) and not hasattr(cjm_lab.survey, name)
        assert name not in nps_module.__all__ and name not in cjm_lab.survey.__all__


def test_batches_without_any_score_are_fine_when_others_have_one(tmp_path):
    df = pd.DataFrame({"recommend": [np.nan] * 6 + [10, 3], "g": list("aabbabab")})
    df.to_parquet(tmp_path / "s.parquet")
    _equal(nps(tmp_path / "s.parquet", by="g", batch_size=2), nps(df, by="g"))
    df.assign(recommend=np.nan).to_parquet(tmp_path / "empty.parquet")
    with pytest.raises(CJMDataError, match="no response has a score"):
        nps(tmp_path / "empty.parquet", batch_size=3)


def test_out_of_range_score_names_column_rows_batch_and_file(answers, tmp_path):
    raw, _ = answers
    bad = raw.copy()
    bad.loc[[1500, 2001], "recommend"] = 11
    path = tmp_path / "bad.parquet"
    bad.to_parquet(path)
    with pytest.raises(CJMDataError) as err:
        nps(path, dont_know=99, batch_size=1000)
    e = err.value
    assert e.column == "recommend" and e.rows == [1500] and e.values == [11.0]
    assert e.source == str(path) and "outside 0 to 10" in str(e)
    assert "batch 1 (rows 1,000–1,999" in str(e) and e.fix
    # the DataFrame path raises the same problem for the same rows
    with pytest.raises(CJMDataError) as frame_err:
        nps(bad, dont_know=99)
    assert frame_err.value.rows[0] == 1500 and frame_err.value.column == "recommend"


def test_part_of_a_folder_is_named_in_the_error(tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    pd.DataFrame({"recommend": [1, 2, 3]}).to_parquet(folder / "a.parquet")
    pd.DataFrame({"recommend": [4, -1, 6]}).to_parquet(folder / "b.parquet")
    with pytest.raises(CJMDataError, match="part 'b.parquet'") as err:
        nps(folder, batch_size=2)
    assert err.value.rows == [4]


def test_missing_column_and_bad_weights(tmp_path):
    df = pd.DataFrame({"recommend": [10, 8, 3, 9], "segment": list("abab"), "w": [1.0, 2.0, 0.0, 1.0]})
    path = tmp_path / "s.parquet"
    df.to_parquet(path)
    with pytest.raises(CJMDataError, match="Did you mean 'segment'") as err:
        nps(path, by="segmnt")
    assert err.value.column == "segmnt" and err.value.source == str(path)
    with pytest.raises(CJMDataError, match="zero or negative") as err:
        nps(path, weight="w", batch_size=2)
    assert err.value.rows == [2] and "batch 1" in str(err.value)
    df.assign(w=[1.0, 2.0, 1.0, np.nan]).to_parquet(tmp_path / "m.parquet")
    with pytest.raises(CJMDataError, match="missing value") as err:
        nps(tmp_path / "m.parquet", weight="w", batch_size=3)
    assert err.value.rows == [3]


def test_refusals_name_the_alternative(tmp_path):
    csv = tmp_path / "s.csv"
    pd.DataFrame({"recommend": [10, 8]}).to_csv(csv, index=False)
    with pytest.raises(CJMConfigError, match="load_survey"):
        nps(csv)
    pd.DataFrame({"recommend": [10, 8]}).to_parquet(tmp_path / "s.parquet")
    with pytest.raises(CJMConfigError, match="batch_size"):
        nps(tmp_path / "s.parquet", batch_size=0)
    with pytest.raises(CJMDataError, match="does not exist"):
        nps(tmp_path / "nope.parquet")
    with pytest.raises(CJMConfigError, match="ci_method"):
        nps(tmp_path / "s.parquet", ci_method="exact")
    with pytest.raises(CJMConfigError, match="rescale"):
        nps(tmp_path / "s.parquet", scale=(1, 5))


def test_rescaled_scores_from_parquet(tmp_path):
    df = pd.DataFrame({"recommend": [1, 2, 3, 4, 5, 5, 4, 1], "g": [1, 2] * 4})
    df.to_parquet(tmp_path / "s.parquet")
    for rescale in ("linear", "top2"):
        _equal(
            nps(tmp_path / "s.parquet", by="g", scale=(1, 5), rescale=rescale, batch_size=3),
            nps(df, by="g", scale=(1, 5), rescale=rescale),
        )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    scores=st.lists(st.one_of(st.integers(0, 10), st.just(99), st.none()), min_size=1, max_size=60),
    seed=st.integers(0, 1000),
    batch_size=st.integers(1, 25),
)
def test_any_batching_gives_the_same_table(tmp_path, scores, seed, batch_size):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "recommend": pd.array(scores, dtype="Float64").astype(float),
            "g": rng.choice(["a", "b", None], len(scores)),
            "w": rng.uniform(0.2, 3.0, len(scores)),
        }
    )
    path = tmp_path / f"h{seed}_{batch_size}_{len(scores)}.parquet"
    df.to_parquet(path)
    valid = df["recommend"].between(0, 10).any()
    for options in ({}, {"by": "g", "weight": "w"}):
        if not valid:
            with pytest.raises(CJMDataError, match="no response has a score"):
                nps(path, dont_know=99, batch_size=batch_size, **options)
            continue
        _equal(nps(path, dont_know=99, batch_size=batch_size, **options), nps(df, dont_know=99, **options))
