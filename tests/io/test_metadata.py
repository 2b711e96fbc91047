"""One metadata model: what keeps it, what loses it, and how it is re-attached."""

from __future__ import annotations

import copy
import pickle

import pandas as pd
import pytest

from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.io import carry_metadata, column_metadata, load_survey, multiple_response_sets, table_metadata


@pytest.fixture
def loaded():
    raw = pd.DataFrame({"Q7": [1.0, 2.0, 1.0], "Q1": [1.0, 0.0, 1.0], "Q2": [0.0, 1.0, 1.0], "wave": [1, 1, 2]})
    raw.attrs["cjm"] = {
        "variable_labels": {"Q7": "Main phone company", "Q1": "Brand A used", "Q2": "Brand B used"},
        "value_labels": {"Q7": {1.0: "AT&T", 2.0: "Verizon"}},
        "measure_levels": {"Q7": "nominal"},
        "multiple_response_sets": {"Brands": {"variables": ["Q1", "Q2"], "label": "Brands used", "counted": 1}},
    }
    return load_survey(raw, missing="declared")


KEEPS = {
    "copy": lambda d: d.copy(),
    "column subset": lambda d: d[["Q7", "wave"]],
    "row subset": lambda d: d.loc[d["wave"] == 1],
    "query": lambda d: d.query("wave == 1"),
    "head": lambda d: d.head(2),
    "assign": lambda d: d.assign(x=1),
    "sort": lambda d: d.sort_values("wave"),
    "dropna": lambda d: d.dropna(),
    "reset_index": lambda d: d.reset_index(drop=True),
    "concat of the same table": lambda d: pd.concat([d, d]),
    "groupby mean": lambda d: d.groupby("wave")[["Q7"]].first(),
    "melt": lambda d: d.melt(id_vars="wave", value_vars=["Q1", "Q2"]),
}
LOSES = {
    "merge": lambda d: d.merge(pd.DataFrame({"respondent_id": ["R1"], "x": [1]}), on="respondent_id"),
    "concat with another table": lambda d: pd.concat([d, pd.DataFrame({"Q7": ["AT&T"]})]),
    "DataFrame(df)": lambda d: pd.DataFrame(d),
    "groupby count": lambda d: d.groupby("wave").agg(Q7=("Q7", "count")),
}


@pytest.mark.parametrize("op", list(KEEPS))
def test_pandas_operations_that_keep_the_metadata(loaded, op):
    out = KEEPS[op](loaded)
    assert table_metadata(out)["variable_labels"]["Q7"] == "Main phone company"
    assert column_metadata(out, "Q7")["measure"] == "nominal"


@pytest.mark.parametrize("op", list(LOSES))
def test_pandas_operations_that_lose_it_and_carry_metadata_re_attaches(loaded, op):
    out = LOSES[op](loaded)
    assert table_metadata(out) == {}
    back = carry_metadata(out, loaded)
    assert table_metadata(back)["variable_labels"]["Q7"] == "Main phone company"
    assert table_metadata(back)["value_labels"]["Q7"] == {1.0: "AT&T", 2.0: "Verizon"}


def test_rename_keeps_stale_names_and_carry_metadata_renames(loaded):
    renamed = loaded.rename(columns={"Q7": "brand", "Q1": "brand_a"})
    assert column_metadata(renamed, "brand")["label"] is None  # keys still say Q7
    fixed = carry_metadata(renamed, loaded, rename={"Q7": "brand", "Q1": "brand_a"})
    info = column_metadata(fixed, "brand")
    assert info["label"] == "Main phone company" and info["value_labels"] == {1.0: "AT&T", 2.0: "Verizon"}
    assert multiple_response_sets(fixed)["Brands"]["variables"] == ["brand_a", "Q2"]
    assert column_metadata(fixed, "brand_a")["multiple_response_set"] == "Brands"


def test_carry_metadata_keeps_only_present_columns_and_first_source_wins(loaded):
    other = pd.DataFrame({"Q7": [1], "spend": [3.0]})
    other.attrs["cjm"] = {"variable_labels": {"Q7": "something else", "spend": "Monthly spend"}}
    merged = carry_metadata(loaded[["Q7", "wave"]].join(other[["spend"]]), loaded, other)
    labels = table_metadata(merged)["variable_labels"]
    assert labels == {"Q7": "Main phone company", "spend": "Monthly spend"}
    assert "Brands" not in multiple_response_sets(merged)  # its columns are gone
    with pytest.raises(CJMConfigError, match="DataFrame"):
        carry_metadata([1, 2], loaded)


def test_metadata_is_copied_cheaply_but_frames_do_not_share_new_entries(loaded):
    meta = loaded.attrs["cjm"]
    assert copy.deepcopy(meta) is not meta and copy.deepcopy(meta) == meta
    assert pickle.loads(pickle.dumps(loaded)).attrs["cjm"] == meta
    assert table_metadata(loaded[["Q7"]]) == table_metadata(loaded)


def test_a_series_carries_its_column_metadata(loaded):
    info = column_metadata(loaded["Q7"])
    assert info["label"] == "Main phone company" and info["loaded_as"] == "categorical"


def test_set_naming_a_missing_column_is_a_clear_error(loaded):
    with pytest.raises(CJMDataError, match=r"set 'Brands' .* names 1 column\(s\) the data does not have: 'Q2'") as info:
        multiple_response_sets(loaded.drop(columns="Q2"))
    assert info.value.column == "Q2" and "carry_metadata" in info.value.fix
    raw = pd.DataFrame({"a": [1, 0], "b": [0, 1]})
    with pytest.raises(CJMDataError, match=r"names 1 column\(s\) the data does not have: 'c'") as info:
        load_survey(raw, multiple_response={"Brands": ["a", "c"]})
    assert info.value.column == "c"


def test_a_loaded_table_saved_as_parquet_loads_again_with_its_labels(loaded, tmp_path):
    raw = pd.DataFrame({"sat": [1.0, 5.0, 4.0], "Q7": [1.0, 2.0, 2.0]})
    raw.attrs["cjm"] = {
        "variable_labels": {"sat": "Overall satisfaction", "Q7": "Main phone company"},
        "value_labels": {
            "sat": {1: "Poor", 2: "Fair", 3: "Good", 4: "Very good", 5: "Excellent"},
            "Q7": {1: "AT&T", 2: "Verizon"},
        },
    }
    first = load_survey(raw, ratings={"sat": [1, 5]})
    assert first["sat"].dtype == "float64"
    path = tmp_path / "survey.parquet"
    first.to_parquet(path)
    again = load_survey(path)  # pandas wrote the labels into the file; they were dropped on reading
    meta = table_metadata(again)
    assert meta["variable_labels"]["Q7"] == "Main phone company" and meta["value_labels"]["Q7"] == {
        1.0: "AT&T",
        2.0: "Verizon",
    }
    assert again["sat"].dtype == "float64"  # kept numeric as the first load made it, not categories of labels
    assert again["Q7"].tolist() == first["Q7"].tolist()
    loaded.to_parquet(tmp_path / "mr.parquet")
    assert multiple_response_sets(load_survey(tmp_path / "mr.parquet"))["Brands"]["label"] == "Brands used"
    assert load_survey(first)["sat"].dtype == "float64"  # a loaded DataFrame loaded again, likewise
    assert load_survey(first, measure={"sat": "ordinal"})["sat"].cat.ordered  # unless measure= says otherwise
