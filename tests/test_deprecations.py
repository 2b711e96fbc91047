"""Renamed arguments keep working for one release: the same result, and a FutureWarning naming the new spelling.

One row per rename of CONTRIBUTING.md's "Argument names" table (the applied ones).
"""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

from cjm_lab.io import events_from_milestones
from cjm_lab.personas import PersonaModel, choose_k
from cjm_lab.privacy import find_id_columns, protect_table, shown_changes, shown_rows, suppress_small_groups
from cjm_lab.sample import make_sample, write_sample
from cjm_lab.survey import (
    ces,
    csat,
    describe_difference,
    nps,
    nps_trend,
    paired_nps,
    tracker,
    verbatim_themes,
)
from cjm_lab.survey.verbatims import stop_words_for

RNG = np.random.default_rng(0)
SURVEY = pd.DataFrame(
    {
        "recommend": RNG.integers(0, 11, 120),
        "q": RNG.integers(1, 6, 120),
        "wave": np.repeat([1, 2], 60),
        "rid": np.tile(np.arange(60), 2),
    }
)
GROUPS = pd.DataFrame({"segment": ["a", "b", "c"], "n": [3, 40, 50], "nps": [10.0, 20.0, 30.0]})
TREND = pd.DataFrame({"period": [1, 2, 3], "n": [40, 3, 50], "change": [np.nan, 1.0, 2.0], "text": ["", "x", "y"]})
COMMENTS = pd.DataFrame(
    {"comment": ["Lieferung zu spät", "Lieferung spät", "Preis zu hoch", "Preis teuer", "Paket spät", "teuer Preis"]}
)
ORDERS = pd.DataFrame({"order": ["o1", "o2"], "bought": ["2025-01-02", "2025-01-03"], "sent": ["2025-01-04", None]})


def _same(a, b):
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b)
    else:
        assert a == b


#: (function, positional arguments, other options, old name, new name, value)
RENAMES = [
    (nps, (SURVEY,), {"by": "wave"}, "low_base", "min_base", 70),
    (nps_trend, (SURVEY,), {"period": "wave"}, "low_base", "min_base", 70),
    (tracker, (SURVEY,), {"measures": ["recommend"], "wave": "wave"}, "low_base", "min_base", 70),
    (csat, (SURVEY,), {"items": "q"}, "low_base", "min_base", 70),
    (ces, (SURVEY,), {"items": "q", "scale": (1, 5)}, "low_base", "min_base", 70),
    (paired_nps, (SURVEY,), {"wave": "wave"}, "id", "id_column", "rid"),
    (verbatim_themes, (COMMENTS,), {"n_themes": 2, "min_df": 2}, "language", "text_language", "de"),
    (stop_words_for, (), {}, "language", "text_language", "en"),
    (suppress_small_groups, (GROUPS,), {}, "min_size", "min_group_size", 5),
    (protect_table, (GROUPS,), {"ids": []}, "min_size", "min_group_size", 5),
    (shown_rows, (GROUPS,), {}, "min_size", "min_group_size", 5),
    (shown_changes, (TREND,), {}, "min_size", "min_group_size", 5),
    (
        events_from_milestones,
        (ORDERS,),
        {"milestones": {"Purchase": "bought", "Dispatch": "sent"}},
        "id",
        "id_column",
        "order",
    ),
    (make_sample, (20,), {}, "seed", "random_state", 3),
]


@pytest.mark.parametrize(
    ("func", "args", "options", "old", "new", "value"), RENAMES, ids=[f"{r[0].__name__}-{r[3]}" for r in RENAMES]
)
def test_an_old_argument_name_still_works(func, args, options, old, new, value):
    with pytest.warns(FutureWarning, match=rf"{func.__name__}\(\): `{old}` is now called `{new}`; pass {new}=") as seen:
        before = func(*args, **options, **{old: value})
    assert seen[0].filename == __file__  # the warning points at the caller's line
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        after = func(*args, **options, **{new: value})
    if func is verbatim_themes:
        before, after = before.themes, after.themes
    elif func is make_sample:
        before, after = before.customers, after.customers
    _same(before, after)


def test_write_sample_takes_its_old_seed(tmp_path):
    with pytest.warns(FutureWarning, match="`seed` is now called `random_state`"):
        paths = write_sample(tmp_path / "a", customers=20, seed=3)
    assert pd.read_csv(paths["customers"]).equals(
        pd.read_csv(write_sample(tmp_path / "b", customers=20, random_state=3)["customers"])
    )


def test_options_passed_by_position_still_work():
    with pytest.warns(FutureWarning, match=r"pass `ci_low`, `ci_high`, `p_value` by name"):
        old = describe_difference(12, 21, 2.2, 15.8, 0.012)
    assert old == describe_difference(12, 21, ci_low=2.2, ci_high=15.8, p_value=0.012)
    t = pd.DataFrame({"CustomerID": ["C1"], "segment": ["a"]})
    with pytest.warns(FutureWarning, match=r"find_id_columns\(\): pass `columns` by name"):
        assert find_id_columns(t, "segment") == find_id_columns(t, columns="segment") == ["segment"]


@pytest.fixture(scope="module")
def attitudes():
    rng = np.random.default_rng(1)
    seg = rng.integers(0, 3, 240)
    centres = np.array([[1, 3, 5], [5, 1, 3], [3, 5, 1]])
    return pd.DataFrame({f"q{j}": centres[seg, j] + rng.normal(0, 0.4, 240) for j in range(3)})


def test_choose_k_takes_its_old_k(attitudes):
    options = {"resamples": 2, "n_init": 1}
    with pytest.warns(FutureWarning, match="choose_k\\(\\): `k` is now called `k_range`"):
        old = choose_k(attitudes, k=[2, 3], **options)
    with pytest.warns(FutureWarning, match="choose_k\\(\\): pass `k_range` by name"):
        positional = choose_k(attitudes, [2, 3], **options)
    new = choose_k(attitudes, k_range=[2, 3], **options)
    cols = ["k", "stability", "recommended"]
    pd.testing.assert_frame_equal(old[cols], new[cols])
    pd.testing.assert_frame_equal(positional[cols], new[cols])


def test_persona_model_takes_its_old_names(attitudes, tmp_path):
    with pytest.warns(FutureWarning, match=r"PersonaModel\(\): `n_personas` is now called `k`"):
        old = PersonaModel(n_personas=3, algorithm="kmeans").fit(attitudes)
    new = PersonaModel(k=3, algorithm="kmeans").fit(attitudes)
    assert (old.labels_ == new.labels_).all()
    with pytest.warns(FutureWarning, match="`n_personas_` is now called `k_`"):
        assert old.n_personas_ == new.k_ == 3
    with pytest.warns(FutureWarning, match="`n_personas` is now called `k`"):
        assert new.n_personas == 3
    with pytest.warns(FutureWarning, match=r"set_params\(\): `n_personas` is now called `k`"):
        assert new.set_params(n_personas=4).k == 4
    with pytest.warns(FutureWarning, match=r"`k_range=\(2, 4\)` as \(smallest, largest\) is read as range\(2, 5\)"):
        auto = PersonaModel("auto", k_range=(2, 4), algorithm="kmeans", n_init=1).fit(attitudes)
    assert auto.choose_k_["k"].tolist() == [2, 3, 4]


def test_a_model_pickled_before_the_rename_loads(attitudes, tmp_path):
    import joblib

    model = PersonaModel(k=3, algorithm="kmeans").fit(attitudes)
    fresh = model.predict(attitudes)
    state = vars(model)
    state["n_personas"], state["n_personas_"] = state.pop("k"), state.pop("k_")  # the names 0.1 pickled
    joblib.dump(model, tmp_path / "old.joblib")
    assert b"n_personas" in pickle.dumps(model)
    tool = joblib.load(tmp_path / "old.joblib")
    assert tool.k == 3 and tool.k_ == 3 and tool.get_params()["k"] == 3
    assert "n_personas" not in vars(tool)
    assert (tool.predict(attitudes) == fresh).all()


def test_the_new_names_do_not_warn(attitudes):
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        nps(SURVEY, by="wave", min_base=70)
        PersonaModel(k=2, k_range=range(2, 4), algorithm="kmeans", n_init=1).fit(attitudes)
        make_sample(20, random_state=1)
