"""Journey explorer: paths, funnel and pain points are cjm_lab.journeys' on the chosen selection."""

from __future__ import annotations

import pandas as pd
import pytest

from cjm_lab import journeys as jm
from cjm_lab.errors import CJMConfigError
from cjm_lab.widgets import ALL, cut_journeys, journey_explorer, journey_view

from .conftest import MAX_UPDATE_S, STEPS, timed_change


def _log(paths: dict[str, list[str]]) -> pd.DataFrame:
    rows = [(c, i, tp) for c, tps in paths.items() for i, tp in enumerate(tps)]
    df = pd.DataFrame(rows, columns=["customer_id", "i", "touchpoint"])
    df["timestamp"] = pd.Timestamp("2025-03-01", tz="UTC") + pd.to_timedelta(df["i"], unit="min")
    df["sequence"] = range(len(df))
    return df.drop(columns="i")


def test_cut_journeys_by_hand():
    ev = _log(
        {
            "a": ["Ad", "Shop", "Cart", "Shop", "Cart", "Buy"],
            "b": ["Shop", "Ad"],
            "c": ["Ad", "Cart"],
            "d": ["Cart", "Shop"],
        }
    )
    got = cut_journeys(ev, start="Shop", end="Cart")
    assert got.groupby("customer_id")["touchpoint"].apply(list).to_dict() == {"a": ["Shop", "Cart"]}
    assert cut_journeys(ev, start="Ad").groupby("customer_id").size().to_dict() == {"a": 6, "b": 1, "c": 2}
    assert cut_journeys(ev, end="Shop").groupby("customer_id").size().to_dict() == {"a": 2, "b": 1, "d": 2}


def test_cut_journeys_at_stage_level(catalogue):
    ev = _log({"a": ["Search ad", "Website", "Product page", "Cart", "Checkout payment", "Invoice"]})
    got = cut_journeys(ev, level="stage", touchpoints=catalogue, start="comparison")
    assert got["touchpoint"].tolist() == ["comparison", "purchase", "experience"]
    with pytest.raises(CJMConfigError, match="needs the catalogue"):
        cut_journeys(ev, level="stage")


def test_view_equals_the_journeys_functions(events, catalogue, responses):
    view = journey_view(
        events,
        touchpoints=catalogue,
        survey=responses,
        start="Website",
        end="Order confirmation",
        steps=STEPS,
        window="7D",
        by="persona",
        segment="price_hunter",
        top=10,
    )
    seg = events[events["persona"] == "price_hunter"]
    paths = cut_journeys(seg, start="Website", end="Order confirmation")
    pd.testing.assert_frame_equal(view.variants, jm.variants(paths, top=10, touchpoints=catalogue))
    pd.testing.assert_frame_equal(view.funnel, jm.funnel(seg, steps=STEPS, window="7D", touchpoints=catalogue))
    sv = responses[responses["customer_id"].isin(seg["customer_id"])]
    pd.testing.assert_frame_equal(view.pain_points, jm.pain_points(seg, touchpoints=catalogue, survey=sv))
    assert view.n_journeys == seg["customer_id"].nunique()
    assert view.n_selected == paths["customer_id"].nunique() < view.n_journeys
    # every selected path starts at the start and ends at the end
    assert view.variants.loc[view.variants["path"] != "(other)", "path"].str.startswith("Website").all()
    assert view.variants.loc[view.variants["path"] != "(other)", "path"].str.endswith("Order confirmation").all()


def test_stage_level_view(events, catalogue):
    stages = list(catalogue["stage"].cat.categories)
    view = journey_view(events, touchpoints=catalogue, level="stage", steps=stages[:3], start="comparison")
    pd.testing.assert_frame_equal(
        view.funnel, jm.funnel(events, steps=stages[:3], level="stage", touchpoints=catalogue)
    )
    assert set(view.pain_points["stage"].astype(str)) <= set(stages)
    assert view.variants["path"].iloc[0].startswith("comparison")


def test_tiny_segment_has_pain_points_without_ranking(events, catalogue):
    few = events[events["customer_id"].isin(events["customer_id"].unique()[:8])]
    view = journey_view(few, touchpoints=catalogue, steps=STEPS)
    assert view.pain_points["pain_score"].isna().all()  # no touchpoint reaches min_base: nothing ranked


def test_explorer_updates_only_what_changed(events, catalogue, responses):
    ex = journey_explorer(events, touchpoints=catalogue, survey=responses, by="persona", steps=STEPS)
    assert ex.error is None
    sankey, funnel_png, pain = ex.outputs["sankey"].value, ex.outputs["funnel"].value, ex.outputs["pain"].value
    before = ex.result
    assert timed_change(ex, ex.controls["start"], "Cart") < MAX_UPDATE_S
    assert ex.outputs["sankey"].value != sankey and ex.result.funnel is before.funnel  # funnel untouched
    assert ex.result.variants["path"].iloc[0].startswith("Cart")
    assert "Cart" in ex.outputs["summary"].value
    assert timed_change(ex, ex.controls["window"], "1D") < MAX_UPDATE_S
    pd.testing.assert_frame_equal(ex.result.funnel, jm.funnel(events, steps=STEPS, window="1D", touchpoints=catalogue))
    assert ex.outputs["funnel"].value != funnel_png
    assert timed_change(ex, ex.controls["steps"], ["Website", "Cart"]) < MAX_UPDATE_S
    assert ex.result.funnel["step"].tolist() == ["Website", "Cart"]
    assert timed_change(ex, ex.controls["segment"], "price_hunter") < MAX_UPDATE_S
    assert ex.outputs["pain"].value != pain
    assert ex.result.pain_points["touchpoint"].iloc[0] == "Checkout payment"  # the planted checkout drop-off
    assert timed_change(ex, ex.controls["segment"], ALL) < MAX_UPDATE_S  # pain points come from the cache
    assert ex.outputs["pain"].value == pain
    assert timed_change(ex, ex.controls["level"], "stage") < MAX_UPDATE_S
    assert ex.controls["start"].value == "" and "research" in ex.controls["steps"].value
    assert ex.result.funnel["step"].astype(str).tolist() == list(catalogue["stage"].cat.categories)


def test_explorer_in_german_labels_touchpoints(events, catalogue):
    ex = journey_explorer(events, touchpoints=catalogue, steps=STEPS, start="Cart", language="de")
    assert ex.error is None
    assert "Warenkorb" in ex.outputs["summary"].value
    assert ("Warenkorb", "Cart") in ex.controls["start"].options


def test_view_reports_its_steps_to_a_progress_callback():
    paths = [["Ad", "Shop", "Buy"], ["Ad", "Shop"], ["Shop"]]
    ev = _log({f"c{i}": paths[i % 3] for i in range(30)})  # pain points rank from 20 journeys on
    seen: list[tuple[int, int, str]] = []
    view = journey_view(ev, steps=["Ad", "Shop", "Buy"], progress=lambda d, t, s: seen.append((d, t, s)))
    assert [(d, t) for d, t, _ in seen] == [(0, 3), (1, 3), (2, 3)]
    assert "pain points" in seen[-1][2]
    seen.clear()
    journey_view(
        ev,
        steps=["Ad", "Shop"],
        parts=["funnel"],
        previous=view,
        language="de",
        progress=lambda d, t, s: seen.append((d, t, s)),
    )
    assert seen == [(0, 1, "Trichter berechnen")]


def test_explorer_progress_bar_names_the_step(events, catalogue, responses):
    ex = journey_explorer(events, touchpoints=catalogue, survey=responses, by="persona", steps=STEPS)
    shown: list[str] = []
    ex.status.observe(lambda change: shown.append(change["new"]), names="value")
    ex.controls["segment"].value = "price_hunter"
    assert any("Ranking pain points" in text for text in shown)
    assert ex.progress.layout.visibility == "hidden"  # and hidden again when the update is done
