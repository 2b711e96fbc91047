"""Renamed arguments keep working for one release: the same result, and a FutureWarning naming the new spelling.

One row per rename of CONTRIBUTING.md's "Argument names" table (the applied ones); passing the old and the
new name at once is an error.
"""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

from cjm_lab.errors import CJMConfigError
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


# --------------------------------------------------------------------------- plots and widgets
VARIANTS = pd.DataFrame({"path": ["Ad > Shop > Buy", "Ad > Shop", "Shop"], "n_journeys": [50, 30, 20]})
RATINGS = pd.DataFrame(
    {"recommend": RNG.integers(0, 11, 120), "wave": np.repeat([1, 2], 60), "region": np.tile(["N", "S", "W"], 40)}
)
EVENTS = pd.DataFrame(
    {
        "customer_id": list("aaabbbccc"),
        "timestamp": pd.date_range("2025-01-01", periods=9, freq="h", tz="UTC"),
        "touchpoint": ["Ad", "Shop", "Buy", "Ad", "Shop", "Shop", "Shop", "Ad", "Buy"],
        "persona": ["p"] * 6 + ["q"] * 3,
        "sequence": range(9),
    }
)


@pytest.mark.parametrize("name", ["sankey_flows", "sankey_static", "sankey_top_paths"])
def test_the_sankey_takes_its_old_variants_table(name):
    import matplotlib.pyplot as plt

    from cjm_lab import plots

    func = getattr(plots, name)
    with pytest.warns(FutureWarning, match=rf"{name}\(\): `variants_table` is now called `table`; pass table="):
        old = func(variants_table=VARIANTS, min_journeys=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        new = func(table=VARIANTS, min_journeys=1)
        positional = func(VARIANTS, min_journeys=1)  # the table stays the first positional argument
    if name == "sankey_flows":
        for a, b, c in zip(old, new, positional):
            pd.testing.assert_frame_equal(a, b)
            pd.testing.assert_frame_equal(a, c)
    elif name == "sankey_static":
        assert len(old.patches) == len(new.patches) == len(positional.patches) > 0
    else:
        assert list(old.data[0].link.value) == list(new.data[0].link.value) == list(positional.data[0].link.value)
    plt.close("all")


def test_nps_view_takes_its_old_segment_and_low_base():
    from cjm_lab.widgets import nps_view

    with pytest.warns(FutureWarning) as seen:
        old = nps_view(RATINGS, segment="region", low_base=45, date="wave")
    messages = sorted(str(w.message) for w in seen)
    assert messages == [
        "nps_view(): `low_base` is now called `min_base`; pass min_base=...; "
        "the old form stops working in cjm-lab 0.3.",
        "nps_view(): `segment` is now called `by`; pass by=...; the old form stops working in cjm-lab 0.3.",
    ]
    assert all(w.filename == __file__ for w in seen)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        new = nps_view(RATINGS, by="region", min_base=45, date="wave")
    pd.testing.assert_frame_equal(old.by_segment, new.by_segment)
    assert old.low_base == new.low_base == ["N", "S", "W"]  # 40 answers each, below 45
    with pytest.raises(CJMConfigError, match=r"nps_view\(\): `min_base` must be a number above 0, e\.g\. 50, got 0"):
        nps_view(RATINGS, min_base=0)


def test_nps_explorer_takes_its_old_segments_and_low_base():
    from cjm_lab.widgets import nps_explorer

    with pytest.warns(FutureWarning, match=r"nps_explorer\(\): `segments` is now called `by`"):
        old = nps_explorer(RATINGS, segments=["region"], date=None)
    with pytest.warns(FutureWarning, match=r"nps_explorer\(\): `low_base` is now called `min_base`"):
        low = nps_explorer(RATINGS, by=["region"], low_base=45, date=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        new = nps_explorer(RATINGS, by=["region"], min_base=45, date=None)
    pd.testing.assert_frame_equal(old.result.by_segment, new.result.by_segment)
    assert low.controls["low_base"].value == new.controls["low_base"].value == 45
    assert low.result.low_base == new.result.low_base == ["N", "S", "W"]


def test_journey_view_takes_its_old_segment_and_segment_value():
    from cjm_lab.widgets import journey_view

    options = {"parts": ["paths"], "start": "Ad"}
    with pytest.warns(
        FutureWarning,
        match=r"journey_view\(\): `segment` \(the column\) is now called `by` and `segment_value` \(the value shown\) "
        r"is now called `segment`; pass by=\.\.\., segment=\.\.\.",
    ) as seen:
        old = journey_view(EVENTS, segment="persona", segment_value="p", **options)
    assert seen[0].filename == __file__
    with pytest.warns(FutureWarning, match=r"`segment_value` is now called `segment`; pass segment="):
        mixed = journey_view(EVENTS, by="persona", segment_value="p", **options)
    with pytest.warns(FutureWarning, match=r"`segment` \(the column\) is now called `by`, and `segment` is the value"):
        column_only = journey_view(EVENTS, segment="persona", **options)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        new = journey_view(EVENTS, by="persona", segment="p", **options)
        whole = journey_view(EVENTS, by="persona", **options)
    assert old.n_journeys == mixed.n_journeys == new.n_journeys == 2  # customers a and b are persona p
    pd.testing.assert_frame_equal(old.variants, new.variants)
    assert column_only.n_journeys == whole.n_journeys == 3
    with pytest.raises(CJMConfigError, match="pass `segment` or its old name `segment_value`, not both"):
        journey_view(EVENTS, by="persona", segment="p", segment_value="q", **options)
    with pytest.raises(CJMConfigError, match=r"journey_view\(\): `segment` \('p'\) is a value of the column `by`"):
        journey_view(EVENTS, by=None, segment="p", **options)


def test_journey_explorer_takes_its_old_segment():
    from cjm_lab.widgets import journey_explorer

    with pytest.warns(FutureWarning, match=r"journey_explorer\(\): `segment` is now called `by`; pass by="):
        old = journey_explorer(EVENTS, segment="persona", steps=["Ad", "Shop", "Buy"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        new = journey_explorer(EVENTS, by="persona", steps=["Ad", "Shop", "Buy"])
    assert old.controls["segment"].options == new.controls["segment"].options == ("(all)", "p", "q")
    assert old.result.n_journeys == new.result.n_journeys == 3


def test_fit_personas_takes_its_old_k_range_tuple(attitudes):
    from cjm_lab.widgets import fit_personas, persona_explorer

    options = {"variables": ["q0", "q1", "q2"], "k": "auto", "resamples": 2}
    with pytest.warns(
        FutureWarning, match=r"fit_personas\(\): `k_range=\(2, 4\)` as \(smallest, largest\) is read as "
    ):
        old = fit_personas(attitudes, k_range=(2, 4), **options)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        new = fit_personas(attitudes, k_range=range(2, 5), **options)
    assert old.diagnostics["k"].tolist() == new.diagnostics["k"].tolist() == [2, 3, 4]
    assert old.k == new.k == 3  # the three planted groups
    with pytest.warns(
        FutureWarning, match=r"persona_explorer\(\): `k_range=\(2, 4\)` as \(smallest, largest\)"
    ) as seen:
        persona_explorer(attitudes, variables=["q0", "q1"], k=2, k_range=(2, 4))
    assert len(seen) == 1  # read once by the explorer, not again by each fit
    with pytest.raises(CJMConfigError, match=r"fit_personas\(\): `k` must be a whole number of at least 2 or 'auto'"):
        fit_personas(attitudes, variables=["q0"], k=1)


def test_the_trend_chart_takes_its_old_period_labels():
    import matplotlib.pyplot as plt

    from cjm_lab import plots

    table = pd.DataFrame({"period": [1, 2], "nps": [10.0, 20.0], "ci_low": [0.0, 10.0], "ci_high": [20.0, 30.0]})
    with pytest.warns(FutureWarning, match=r"plot_nps_trend\(\): `period_labels` is now called `labels`"):
        old = plots.plot_nps_trend(table, period_labels={1: "Spring", 2: "Autumn"})
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        new = plots.plot_nps_trend(table, labels={1: "Spring", 2: "Autumn"})
    assert (
        [t.get_text() for t in old.get_xticklabels()]
        == [t.get_text() for t in new.get_xticklabels()]
        == [
            "Spring",
            "Autumn",
        ]
    )
    plt.close("all")


# --------------------------------------------------------------------------- journeys
from cjm_lab import journeys as jm  # noqa: E402
from cjm_lab.journeys import SurvivalResult  # noqa: E402

TRANSITIONS = pd.DataFrame(
    {
        "g": ["x", "x", "y", "y"],
        "source": ["Cart"] * 4,
        "target": ["Buy", "(exit)"] * 2,
        "n": [80, 20, 50, 50],
        "probability": [0.8, 0.2, 0.5, 0.5],
    }
)
CATALOGUE = pd.DataFrame(
    {"touchpoint": ["Ad", "Shop", "Buy"], "stage": ["research", "comparison", "purchase"], "department": "sales"}
)


def _same_result(a, b):
    if isinstance(a, SurvivalResult):
        pd.testing.assert_frame_equal(a.curve, b.curve)
        pd.testing.assert_frame_equal(a.summary, b.summary)
    elif isinstance(a, jm.PainEvidence):
        pd.testing.assert_frame_equal(a.comparison, b.comparison)
        pd.testing.assert_frame_equal(a.paths, b.paths)
    elif isinstance(a, jm.JourneyMapData):
        pd.testing.assert_frame_equal(a.touchpoints, b.touchpoints)
    elif isinstance(a, jm.JourneyClusters):
        pd.testing.assert_frame_equal(a.assignments, b.assignments)
    else:
        _same(a, b)


BUY = ["Buy"]
#: (function, positional arguments, other options, old name, new name, value)
JOURNEY_RENAMES = [
    (jm.build_journeys, (EVENTS,), {"until_conversion": True}, "conversions", "outcome", BUY),
    (jm.cut_journeys, (EVENTS,), {"start": "Shop", "until_conversion": True}, "conversions", "outcome", BUY),
    (jm.variants, (EVENTS,), {}, "conversions", "outcome", BUY),
    (jm.path_parts, (EVENTS,), {"n": 2}, "conversions", "outcome", BUY),
    (jm.path_lengths, (EVENTS,), {}, "conversions", "outcome", BUY),
    (jm.transitions, (EVENTS,), {"until_conversion": True}, "conversions", "outcome", BUY),
    (jm.funnel, (EVENTS,), {"steps": ["Ad", "Shop"], "until_conversion": True}, "conversions", "outcome", BUY),
    (jm.funnel_dropoffs, (EVENTS,), {"steps": ["Ad", "Shop"]}, "conversions", "outcome", BUY),
    (jm.sequential_patterns, (EVENTS,), {"min_support": 0.5}, "conversions", "outcome", BUY),
    (jm.attribution, (EVENTS,), {"rules": ["linear"]}, "conversions", "outcome", BUY),
    (jm.time_to_convert, (EVENTS,), {}, "conversions", "outcome", BUY),
    (jm.cluster_journeys, (EVENTS,), {"k": 2, "n_seeds": 0}, "conversions", "outcome", BUY),
    (jm.pain_points, (EVENTS,), {"n_boot": 0}, "conversions", "outcome", BUY),
    (jm.pain_points, (EVENTS,), {"n_boot": 0, "outcome": BUY}, "min_reach", "min_base", 2),
    (jm.pain_points, (EVENTS,), {"n_boot": 0}, "score_scale", "scale", (1, 5)),
    (jm.explain_pain_point, (EVENTS,), {"touchpoint": "Shop", "n_boot": 0}, "conversions", "outcome", BUY),
    (jm.explain_pain_point, (EVENTS,), {"touchpoint": "Shop", "n_boot": 0}, "min_reach", "min_base", 1),
    (jm.explain_pain_point, (EVENTS,), {"touchpoint": "Shop", "n_boot": 0}, "score_scale", "scale", (1, 5)),
    (jm.journey_map_data, (EVENTS,), {"touchpoints": CATALOGUE, "n_boot": 0}, "conversions", "outcome", BUY),
    (jm.journey_map_data, (EVENTS,), {"touchpoints": CATALOGUE, "n_boot": 0}, "min_reach", "min_base", 1),
    (jm.retention, (EVENTS,), {"periods": 1, "end": "2025-03-01"}, "purchase", "outcome", BUY),
    (jm.retention, (EVENTS,), {"periods": 1, "end": "2025-03-01"}, "conversions", "outcome", BUY),
    (jm.time_to_repeat, (EVENTS,), {}, "purchase", "outcome", BUY),
    (jm.time_to_repeat, (EVENTS,), {}, "conversions", "outcome", BUY),
    (jm.time_to_outcome, (EVENTS,), {}, "outcomes", "outcome", ["Buy", "Shop"]),
    (jm.cumulative_incidence, ([1, 2, 3, 4],), {}, "outcomes", "outcome", ["won", None, "lost", "won"]),
    (jm.compare_transitions, (TRANSITIONS,), {"by": "g", "groups": ("x", "y")}, "min_n", "min_base", 60),
]


@pytest.mark.filterwarnings("ignore:.*no clear structure at k:UserWarning")  # 9 events, 2 clusters
@pytest.mark.parametrize(
    ("func", "args", "options", "old", "new", "value"),
    JOURNEY_RENAMES,
    ids=[f"{r[0].__name__}-{r[3]}" for r in JOURNEY_RENAMES],
)
def test_an_old_journey_argument_name_still_works(func, args, options, old, new, value):
    name = func.__name__
    with pytest.warns(FutureWarning, match=rf"{name}\(\): `{old}` is now called `{new}`; pass {new}=") as seen:
        before = func(*args, **options, **{old: value})
    # one warning, at the caller's line
    assert [w.filename for w in seen if w.category is FutureWarning] == [__file__]
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        after = func(*args, **options, **{new: value})
    _same_result(before, after)
    with pytest.raises(CJMConfigError, match=rf"{name}\(\): pass `{new}` or its old name `{old}`, not both"):
        func(*args, **options, **{old: value, new: value})


def test_the_old_names_change_the_result_as_the_new_ones_do():
    """The renamed options reach the computation: a value other than the default changes the result."""
    with pytest.warns(FutureWarning):
        ranked = jm.pain_points(EVENTS, outcome=BUY, n_boot=0, min_reach=1)["rank"].notna().sum()
    assert ranked == jm.pain_points(EVENTS, outcome=BUY, n_boot=0, min_base=1)["rank"].notna().sum() > 0
    assert jm.pain_points(EVENTS, outcome=BUY, n_boot=0)["rank"].notna().sum() == 0  # min_base 20: none ranked
    with pytest.warns(FutureWarning):
        old = jm.compare_transitions(TRANSITIONS, by="g", groups=("x", "y"), min_n=101)
    assert old["p_value"].isna().all()  # 100 departures per group, below 101: nothing tested
    assert jm.variants(EVENTS, outcome=BUY)["conversion_rate"].notna().all()
    assert jm.variants(EVENTS)["conversion_rate"].isna().all()  # no outcome known


def test_top_variants_takes_top_by_position():
    every = jm.variants(EVENTS)
    with pytest.warns(
        FutureWarning, match=r"top_variants\(\): pass `top` by name \(top=\.\.\.\), not by position"
    ) as seen:
        old = jm.top_variants(every, 1)
    assert seen[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        new = jm.top_variants(every, top=1)
    pd.testing.assert_frame_equal(old, new)


def test_patterns_is_the_old_name_of_sequential_patterns():
    with pytest.warns(FutureWarning, match=r"patterns\(\): now called sequential_patterns\(\)") as seen:
        old = jm.patterns(EVENTS, min_support=0.5)
    assert seen[0].filename == __file__
    pd.testing.assert_frame_equal(old, jm.sequential_patterns(EVENTS, min_support=0.5))


def test_conversions_where_outcome_names_what_is_compared():
    """discriminating_patterns and time_to_outcome had an ``outcome`` of their own: ``conversions=`` keeps
    working there (the old outcome='conversion' with conversions= is outcome=[...] now)."""
    with pytest.warns(
        FutureWarning, match=r"discriminating_patterns\(\): `conversions` is now called `outcome`"
    ) as seen:
        old = jm.discriminating_patterns(EVENTS, outcome="conversion", conversions=BUY, min_support=0.3)
    assert seen[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        new = jm.discriminating_patterns(EVENTS, outcome=BUY, min_support=0.3)
    pd.testing.assert_frame_equal(old, new)
    with pytest.warns(
        FutureWarning, match=r"time_to_outcome\(\): `conversions` is now called `outcome`.*is_conversion"
    ):
        cut = jm.time_to_outcome(EVENTS, outcome=BUY, conversions=["Shop"], until_conversion=True)
    assert cut["outcome"].isna().all()  # every journey is cut at its first Shop, before any Buy
    assert jm.time_to_outcome(EVENTS, outcome=BUY)["outcome"].notna().tolist() == [True, False, True]
    with pytest.raises(CJMConfigError, match=r"time_to_outcome\(\): `conversions` must be a touchpoint name"):
        jm.time_to_outcome(EVENTS, outcome=["Shop"], conversions=[])
